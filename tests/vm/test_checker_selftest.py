# SPDX-License-Identifier: GPL-2.0
"""
The test bed can fail: the dump checker is fed broken dumps and wrong
expectations, and each must make it fail with a sentence that names the
cause; and `make test`'s runner must fail when a fuzzer is not built.
Host-side, no VM.

The dumps are copies of one a scenario test saved and the checker passed
in a VM test (scenarios.keep_checked writes build/vm/scenario-*/checked.json
beside it; test_scenarios runs before this module): the newest for the
default guest kernel. Without one every test here fails and says so. The
intact dump must pass first, so that the failures below come from the harm
done to it and nothing else.
"""
import glob
import json
import os
import shutil
import struct
import subprocess

import capture
import checker
import lbvm
import scenarios

ORDER = 90
# It reads the dumps the scenario tests kept: run.py starts it when they have ended.
RUNS_LAST = True


def kept():
    """(record, vmlinux) of the newest checked dump of the default guest
    kernel; raises with a sentence when there is none."""
    e = lbvm.env()
    found = []
    for path in glob.glob(os.path.join(lbvm.BUILD, "vm", "scenario-*", scenarios.CHECKED)):
        with open(path) as f:
            rec = json.load(f)
        if rec.get("kver") == e["KVER"] and os.path.exists(rec.get("vmcore", "")):
            found.append((os.path.getmtime(rec["vmcore"]), rec))
    if not found:
        raise lbvm.HarnessError(
            f"no dump the checker passed is kept for {e['KVER']} (build/vm/scenario-*/"
            f"{scenarios.CHECKED}): the scenario tests keep one, run "
            "'tests/vm/run.py -k test_scenarios.test_s2_null_deref' first")
    if not checker.readers_support(e):
        raise lbvm.HarnessError(f"crash and drgn do not read {e['KVER']}, the default kernel")
    return max(found, key=lambda x: x[0])[1], lbvm.vmlinux_dbg()


def work():
    return lbvm.workdir("checker-selftest")


def check(rec, vmlinux, dump, panic_msg=None):
    return checker.check_dump(vmlinux, dump, rec["panic_msg"] if panic_msg is None else panic_msg,
                              rec["cpus"], bt_funcs=tuple(rec["bt_funcs"]),
                              drgn_funcs=tuple(rec["drgn_funcs"]), panic_cpu=rec["panic_cpu"],
                              modules=(lbvm.kmod("crasher.ko"),))


def expect_failure(problems, needle, what):
    """The checker failed, and one of its sentences holds needle."""
    assert problems, f"the checker passed {what}"
    hit = [p for p in problems if needle in p]
    assert hit, f"the checker failed {what}, but no sentence says '{needle}': {problems}"
    return {"sentence": hit[0]}


def test_intact_dump_passes():
    rec, vmlinux = kept()
    problems, info = check(rec, vmlinux, rec["vmcore"])
    assert not problems, f"the kept dump {rec['vmcore']} no longer passes: {problems}"
    return {"dump": rec["vmcore"], "panic_line": info.get("panic_line")}


def test_truncated_dump_fails():
    rec, vmlinux = kept()
    out = os.path.join(work(), "truncated.vmcore")
    size = os.path.getsize(rec["vmcore"])
    with open(rec["vmcore"], "rb") as src, open(out, "wb") as dst:
        dst.write(src.read(size // 2))
    problems, _ = check(rec, vmlinux, out)
    return expect_failure(problems, "is truncated", "a dump cut to half its size")


def test_corrupt_header_fails():
    rec, vmlinux = kept()
    out = os.path.join(work(), "corrupt-header.vmcore")
    shutil.copy(rec["vmcore"], out)
    with open(out, "r+b") as f:
        f.seek(428)                      # disk_dump_header.block_size
        f.write(struct.pack("<i", 3000))
    problems, _ = check(rec, vmlinux, out)
    return expect_failure(problems, "has a corrupt header", "a dump whose block size is 3000")


def drop_note(notes, cpu=None):
    """The note area without the NT_PRSTATUS note of CPU cpu (None: all
    notes)."""
    body, n = b"", 0
    for name, ntype, desc in notes:
        if ntype == capture.NT_PRSTATUS:
            n += 1
            if n - 1 == cpu:
                continue
        nm = name.encode() + b"\0"
        body += struct.pack("<III", len(nm), len(desc), ntype)
        body += nm + b"\0" * (-len(nm) % 4) + desc + b"\0" * (-len(desc) % 4)
    assert cpu is None or n > cpu, f"the kept dump has {n} NT_PRSTATUS notes, none for CPU {cpu}"
    return body


def test_missing_cpu_note_fails():
    """The kept dump with the last CPU's NT_PRSTATUS note taken out of the
    kdump sub-header's note area (the rest moved up, size_note shrunk)."""
    rec, vmlinux = kept()
    out = os.path.join(work(), "missing-note.vmcore")
    shutil.copy(rec["vmcore"], out)
    notes = capture.dump_notes(out)
    body = drop_note(notes, rec["cpus"] - 1)
    with open(out, "r+b") as f:
        h = capture.kdump_header(f)
        f.seek(h["offset_note"])
        f.write(body + b"\0" * (h["size_note"] - len(body)))
        f.seek(h["block_size"] + 56)     # kdump_sub_header.size_note
        f.write(struct.pack("<Q", len(body)))
    problems, _ = check(rec, vmlinux, out)
    return expect_failure(problems, f"holds {rec['cpus'] - 1} NT_PRSTATUS notes, expected one "
                                    f"for each of {rec['cpus']} CPUs",
                          "a dump without the last CPU's note")


def test_missing_cpu_note_in_elf_fails():
    """An ELF core of the kept dump's notes, one NT_PRSTATUS note fewer, and
    an empty memory segment: sound in structure, a CPU short."""
    rec, vmlinux = kept()
    out = os.path.join(work(), "missing-note.elf")
    body = drop_note(capture.dump_notes(rec["vmcore"]), rec["cpus"] - 1)
    ehdr = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + b"\0" * 9,
                       4, 62, 1, 0, 64, 0, 0, 64, 56, 2, 0, 0, 0)  # ET_CORE, EM_X86_64
    notes_off = 64 + 2 * 56
    phdrs = (struct.pack("<IIQQQQQQ", 4, 0, notes_off, 0, 0, len(body), 0, 4)
             + struct.pack("<IIQQQQQQ", 1, 7, notes_off + len(body), 0xffffffff81000000, 0,
                           0, 0, 4096))
    with open(out, "wb") as f:
        f.write(ehdr + phdrs + body)
    assert not checker.kdump_file_problems(out), "the ELF core is not sound in structure"
    problems, _ = check(rec, vmlinux, out)
    return expect_failure(problems, f"holds {rec['cpus'] - 1} NT_PRSTATUS notes",
                          "an ELF core without the last CPU's note")


def test_truncated_elf_fails():
    """An ELF core whose memory segment lies past the end of the file."""
    rec, vmlinux = kept()
    out = os.path.join(work(), "truncated.elf")
    body = drop_note(capture.dump_notes(rec["vmcore"]))
    ehdr = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + b"\0" * 9,
                       4, 62, 1, 0, 64, 0, 0, 64, 56, 2, 0, 0, 0)
    notes_off = 64 + 2 * 56
    phdrs = (struct.pack("<IIQQQQQQ", 4, 0, notes_off, 0, 0, len(body), 0, 4)
             + struct.pack("<IIQQQQQQ", 1, 7, notes_off + len(body), 0xffffffff81000000, 0,
                           1 << 20, 1 << 20, 4096))
    with open(out, "wb") as f:
        f.write(ehdr + phdrs + body)
    problems, _ = check(rec, vmlinux, out)
    return expect_failure(problems, "memory segment 1 ends at", "an ELF core cut short")


def test_wrong_panic_message_fails():
    rec, vmlinux = kept()
    wrong = "this message was never printed"
    problems, _ = check(rec, vmlinux, rec["vmcore"], panic_msg=wrong)
    expect_failure(problems, f"'log' does not contain the panic message '{wrong}'",
                   "the kept dump against a wrong panic message")
    return expect_failure(problems, f"expected it to contain '{wrong}'",
                          "the kept dump against a wrong panic message")


def test_empty_panic_message_is_a_skipped_check():
    """An empty expected message: the PANIC line must then be empty (the
    kept dump's is not), and the log check of the message cannot run: it is
    reported as skipped, not passed."""
    rec, vmlinux = kept()
    checker.clear_skipped()
    problems, _ = check(rec, vmlinux, rec["vmcore"], panic_msg="")
    skipped = checker.clear_skipped()
    assert any("the panic message in 'log'" in s for s in skipped), \
        f"the log check of an empty panic message was not reported as skipped: {skipped}"
    return expect_failure(problems, "expected it empty", "the kept dump against an empty message")


def test_missing_fuzzer_fails_make_test():
    """tests/run-all.sh's fuzz stage over an empty build: each fuzzer that
    `make print-fuzzers` lists fails, by name."""
    build = work()
    env = dict(os.environ, STAGES="fuzz", LIFEBOAT_BUILD=build, FUZZ_SECONDS="1")
    r = subprocess.run([os.path.join(lbvm.ROOT, "tests", "run-all.sh")], env=env,
                       capture_output=True, text=True, timeout=600)
    out = r.stdout + r.stderr
    assert r.returncode != 0, f"run-all.sh passed with no fuzzer built:\n{out[-1500:]}"
    lines = [l for l in out.splitlines() if l.startswith("FAILED: fuzzer ") and "is not built" in l]
    assert lines, f"run-all.sh failed, but names no missing fuzzer:\n{out[-1500:]}"
    tally = out.strip().splitlines()[-1]
    assert tally == f"0 passed, {len(lines)} failed, 0 skipped", f"closing line: '{tally}'"
    return {"sentence": lines[0][len("FAILED: "):], "tally": tally}
