#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Dump checker: does a dump open in tools nobody here wrote, and does it say
what happened?

With crash (batch mode): the PANIC line carries the expected message, `bt`
goes through panic (or the expected functions), `bt -a` has one entry per CPU,
and `log` holds the panic message. With drgn (/usr/bin/python3): the core
opens and the crashed thread's stack goes through panic.

Every failure is a sentence saying what is wrong. Usable as a library
(check_dump) or from the shell:

    checker.py --vmlinux VMLINUX --dump VMCORE --panic "sysrq triggered crash" --cpus 2
"""
import argparse
import json
import os
import re
import struct
import subprocess
import sys

CRASH_TIMEOUT = 300
DRGN_PYTHON = "/usr/bin/python3"

DRGN_SCRIPT = r"""
import json, sys
import drgn
out = {}
prog = drgn.Program()
try:
    prog.set_core_dump(sys.argv[1])
except Exception as e:
    print(json.dumps({"error": "set_core_dump: %s" % e})); sys.exit(0)
try:
    prog.load_debug_info(sys.argv[2:])
except drgn.MissingDebugInfoError as e:
    out["debug_warning"] = str(e)[:300]
except Exception as e:
    print(json.dumps({"error": "load_debug_info: %s" % e})); sys.exit(0)
try:
    thread = prog.crashed_thread()
    out["crashed_tid"] = thread.tid
    # Every idle task has pid 0, and drgn cannot find a pid-0 thread's
    # registers by its pid; by the task it looks them up by its CPU.
    trace = prog.stack_trace(thread.object) if thread.tid == 0 else thread.stack_trace()
    frames = []
    for frame in trace:
        try:
            frames.append(frame.name or hex(frame.pc))
        except LookupError:
            frames.append("???")  # the last frame of an unwind that ran out
    out["frames"] = frames
except Exception as e:
    out["error"] = "crashed_thread: %s" % e
print(json.dumps(out))
"""


class CrashOutput:
    """crash's answers, split per command."""

    def __init__(self, sections, raw, stderr, returncode):
        self.sections = sections
        self.raw = raw
        self.stderr = stderr
        self.returncode = returncode

    def get(self, cmd):
        return self.sections.get(cmd, "")


def run_crash(vmlinux, dump, commands):
    """Run crash in batch mode; each command's output follows an echo marker."""
    script = []
    for i, c in enumerate(commands):
        script.append(f"echo LBCMD {i}")
        script.append(c)
    script.append("echo LBCMD end")
    script.append("q")
    try:
        r = subprocess.run(["crash", "-s", "--no_scroll", vmlinux, dump],
                           input="\n".join(script) + "\n", capture_output=True, text=True,
                           timeout=CRASH_TIMEOUT)
    except FileNotFoundError:
        raise RuntimeError("crash is not installed: run 'make deps'")
    except subprocess.TimeoutExpired:
        return CrashOutput({}, "", f"crash did not finish in {CRASH_TIMEOUT} s", -1)
    sections = {}
    current = None
    for line in r.stdout.splitlines():
        m = re.match(r"^LBCMD (\S+)$", line)
        if m:
            current = None if m.group(1) == "end" else commands[int(m.group(1))]
            if current is not None:
                sections[current] = ""
            continue
        if current is not None:
            sections[current] += line + "\n"
    return CrashOutput(sections, r.stdout, r.stderr, r.returncode)


def parse_bt_all(text):
    """`bt -a` output -> list of (cpu, pid, command, [function names])."""
    entries = []
    cur = None
    for line in text.splitlines():
        m = re.match(r'^PID:\s+(\d+)\s+TASK:\s+\S+\s+CPU:\s+(\d+)\s+COMMAND:\s+"(.*)"', line)
        if m:
            cur = (int(m.group(2)), int(m.group(1)), m.group(3), [])
            entries.append(cur)
            continue
        f = re.match(r"^\s*(?:#\d+\s+)?\[[0-9a-f]+\]\s+(\S+)\s+at\s+", line)
        if cur is not None and f:
            cur[3].append(f.group(1))
        x = re.match(r"^\s*\[exception RIP: ([A-Za-z_][\w.]*)", line)
        if cur is not None and x:
            cur[3].append(x.group(1))
        # Exception frames print the RIP line: "    RIP: ffffffff...  func+0x.."
        r_ = re.match(r"^\s*RIP:\s+[0-9a-f]+\s+\[?([A-Za-z_][\w.]*)", line)
        if cur is not None and r_:
            cur[3].append(r_.group(1))
    return entries


def kdump_file_problems(path):
    """Structural check of makedumpfile's kdump-compressed format, independent
    of crash: the header is sane and the file holds every page it lists."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(4096)
        if head[:4] == b"\x7fELF":
            return []
        if head[:8] != b"KDUMP   ":
            return [f"'{path}' is neither a kdump-compressed nor an ELF file"]
        if len(head) < 448:
            return [f"'{path}' is truncated inside its header ({size} bytes)"]
        block_size, sub_hdr_size, bitmap_blocks = struct.unpack_from("<iiI", head, 428)
        if block_size <= 0 or block_size & (block_size - 1) or sub_hdr_size < 0:
            return [f"'{path}' has a corrupt header (block_size {block_size})"]
        bitmap_off = (1 + sub_hdr_size) * block_size
        bitmap_len = bitmap_blocks * block_size
        desc_off = bitmap_off + bitmap_len
        if size < desc_off:
            return [f"'{path}' is truncated: {size} bytes, its bitmaps end at {desc_off}"]
        f.seek(bitmap_off + bitmap_len // 2)
        dumpable = sum(bin(b).count("1") for b in f.read(bitmap_len // 2))
        if dumpable == 0:
            return [f"'{path}' lists no pages"]
        desc_end = desc_off + 24 * dumpable
        if size < desc_end:
            return [f"'{path}' is truncated: {size} bytes, its {dumpable} page descriptors end at {desc_end}"]
        f.seek(desc_end - 24)
        offset, length = struct.unpack("<qI", f.read(12))
        if offset + length > size:
            return [f"'{path}' is truncated: {size} bytes, its last page ends at {offset + length}"]
    return []


def run_drgn(vmlinux, dump, modules=()):
    try:
        r = subprocess.run([DRGN_PYTHON, "-c", DRGN_SCRIPT, dump, vmlinux, *modules],
                           capture_output=True, text=True, timeout=CRASH_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"error": f"drgn did not finish in {CRASH_TIMEOUT} s"}
    if r.returncode != 0:
        return {"error": f"drgn failed: {r.stderr.strip()[-400:]}"}
    try:
        return json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": f"drgn printed no answer: {r.stderr.strip()[-400:]}"}


def exception_rips(text):
    """Functions named by crash's "[exception RIP: func+off]" lines."""
    return re.findall(r"\[exception RIP: ([A-Za-z_][\w.]*)", text)


def check_dump(vmlinux, dump, panic_msg, cpus, bt_funcs=("panic",), cpu_funcs=None,
               drgn_funcs=("panic",), extra_crash=(), exception_rip=None, log_msgs=(),
               panic_cpu=None, modules=()):
    """Return (problems, info). problems is a list of sentences, empty when
    the dump passed. info holds the raw crash sections and drgn's answer.

    panic_msg: text that must appear in crash's PANIC line and in `log`;
               "" means the PANIC line must be empty (crash found no panic
               message, as for an oops that kdump captured before panic()).
    cpus:      number of entries `bt -a` must show, one per CPU.
    bt_funcs:  functions the crashed task's `bt` must go through.
    cpu_funcs: {cpu: function} that `bt -a` must show on that CPU.
    exception_rip: function an exception frame in the crashed task's `bt`
               must name as its RIP (where an oops happened).
    log_msgs:  further text that must appear in `log`.
    panic_cpu: the CPU the crashed task's `bt` must show.
    modules:   .ko files with the debug info drgn needs to unwind through
               those modules' functions.
    """
    problems = []
    info = {}
    if not os.path.exists(dump):
        return [f"no dump at '{dump}'"], info
    if os.path.getsize(dump) == 0:
        return [f"the dump '{dump}' is empty"], info
    if not os.path.exists(vmlinux):
        return [f"no debug vmlinux at '{vmlinux}': run 'make deps'"], info

    problems += kdump_file_problems(dump)
    if problems:
        return problems, info

    commands = ["sys", "bt", "bt -a", "log"] + list(extra_crash)
    out = run_crash(vmlinux, dump, commands)
    info["crash"] = out.sections
    if "sys" not in out.sections or not out.get("sys").strip():
        err = (out.stderr.strip() or out.raw.strip())[-600:]
        if not err:
            err = f"it exited with status {out.returncode} and printed nothing"
        problems.append(f"crash could not open the dump: {err}")
        return problems, info

    # PANIC: "message"  or, for an oops:  PANIC: "Oops: ..." (check log for details)
    m = re.search(r'^\s*PANIC:\s*(?:"(.*)"(?:\s+\(.*\))?|(.*?))\s*$', out.get("sys"), re.M)
    if not m:
        problems.append("crash shows no PANIC line in 'sys'")
    else:
        line = m.group(1) if m.group(1) is not None else m.group(2)
        info["panic_line"] = line
        if not panic_msg and line:
            problems.append(f"PANIC line is '{line}', expected it empty")
        elif panic_msg not in line:
            problems.append(f"PANIC line is '{line}', expected it to contain '{panic_msg}'")
    m = re.search(r"^\s*CPUS:\s*(\d+)", out.get("sys"), re.M)
    if m and int(m.group(1)) != cpus:
        problems.append(f"crash counts {m.group(1)} CPUs, expected {cpus}")

    bt = out.get("bt")
    bt_entries = parse_bt_all(bt)
    names = bt_entries[0][3] if bt_entries else []
    info["bt_frames"] = names
    if not names:
        problems.append(f"'bt' shows no frames: {bt.strip()[:300]}")
    if panic_cpu is not None and bt_entries and bt_entries[0][0] != panic_cpu:
        problems.append(f"the crashed task's 'bt' is on CPU {bt_entries[0][0]}, "
                        f"expected {panic_cpu}")
    for fn in bt_funcs:
        if fn not in names:
            problems.append(f"'bt' of the crashed task does not go through {fn}(): {names}")

    if exception_rip is not None:
        rips = exception_rips(bt)
        info["exception_rips"] = rips
        if exception_rip not in rips:
            problems.append(f"'bt' of the crashed task shows no exception frame at "
                            f"{exception_rip}(): exception RIPs {rips}")

    entries = parse_bt_all(out.get("bt -a"))
    info["bt_all"] = [(c, p, cmd, fr) for c, p, cmd, fr in entries]
    seen = sorted(e[0] for e in entries)
    if seen != list(range(cpus)):
        problems.append(f"'bt -a' shows CPUs {seen}, expected one entry for each of 0..{cpus - 1}")
    for cpu, fn in (cpu_funcs or {}).items():
        fr = [e[3] for e in entries if e[0] == cpu]
        if not fr or fn not in fr[0]:
            problems.append(f"'bt -a' does not show {fn}() on CPU {cpu}: {fr[0] if fr else 'no entry'}")
    for c, p, cmd, fr in entries:
        if not fr:
            problems.append(f"'bt -a' has no frames for CPU {c} (pid {p}, {cmd})")

    if panic_msg not in out.get("log"):
        problems.append(f"'log' does not contain the panic message '{panic_msg}'")
    for msg in log_msgs:
        if msg not in out.get("log"):
            problems.append(f"'log' does not contain '{msg}'")

    d = run_drgn(vmlinux, dump, modules)
    info["drgn"] = d
    if "error" in d:
        problems.append(f"drgn: {d['error']}")
    else:
        for fn in drgn_funcs:
            if fn not in d.get("frames", []):
                problems.append(f"drgn's crashed thread does not go through {fn}(): {d.get('frames')}")
    return problems, info


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--vmlinux", required=True)
    ap.add_argument("--dump", required=True)
    ap.add_argument("--panic", required=True, help="text the PANIC line must contain")
    ap.add_argument("--cpus", type=int, required=True)
    ap.add_argument("--bt", action="append", help="function bt must go through (default panic)")
    ap.add_argument("--show", action="store_true", help="print crash's bt of the crashed task")
    a = ap.parse_args()
    problems, info = check_dump(a.vmlinux, a.dump, a.panic, a.cpus, tuple(a.bt or ["panic"]))
    if a.show and "crash" in info:
        print(info["crash"].get("bt", ""))
    for p in problems:
        print(f"checker: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"checker: dump passed (PANIC: {info.get('panic_line')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
