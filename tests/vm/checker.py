#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Dump checker: does a dump open in tools nobody here wrote, and does it say
what happened?

With crash (batch mode): the PANIC line carries the expected message, `bt`
goes through panic (or the expected functions), `bt -a` has one entry per CPU,
and `log` holds the panic message. With drgn (/usr/bin/python3): the core
opens and the crashed thread's stack goes through panic.

For a kernel newer than the installed crash and drgn read (readers_support(),
by the table in lib/readers.c), check_dump_without_readers() reads
the log with makedumpfile, the CPUs' notes itself and the crashing CPU's pc
with the symbol table and gdb.

Every failure is a sentence saying what is wrong. Every check either runs
(and can fail) or is skipped by skip(), which says why: the VM test runner
reports each skipped check and counts it in its closing line. Usable as a library
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
import tempfile

import capture

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


# Checks that did not run, as sentences, since the last clear_skipped():
# tests/vm/run.py reports and counts them for each test.
SKIPPED = []


def skip(sentence):
    """A check that cannot run on this dump: said, and counted as skipped."""
    SKIPPED.append(sentence)


def clear_skipped():
    out = list(SKIPPED)
    del SKIPPED[:]
    return out


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


PT_LOAD, PT_NOTE = 1, 4


def elf_file_problems(path):
    """Structural check of an ELF dump, independent of crash: a 64-bit
    x86_64 core whose program headers, notes and memory segments all lie
    inside the file, with at least one note segment and one memory segment."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(64)
        if len(head) < 64:
            return [f"'{path}' is truncated inside its ELF header ({size} bytes)"]
        if head[4] != 2 or head[5] != 1:
            return [f"'{path}' is not a 64-bit little-endian ELF file"]
        etype, machine = struct.unpack_from("<HH", head, 16)
        if etype != 4 or machine != 62:
            return [f"'{path}' is not an x86_64 ELF core (type {etype}, machine {machine})"]
        phoff, = struct.unpack_from("<Q", head, 32)
        phentsize, phnum = struct.unpack_from("<HH", head, 54)
        if phentsize != 56 or phnum == 0:
            return [f"'{path}' has a corrupt ELF header ({phnum} program headers of {phentsize} bytes)"]
        if phoff + phnum * phentsize > size:
            return [f"'{path}' is truncated: {size} bytes, its program headers end at "
                    f"{phoff + phnum * phentsize}"]
        f.seek(phoff)
        table = f.read(phnum * phentsize)
    kinds = {PT_LOAD: 0, PT_NOTE: 0}
    for i in range(phnum):
        ptype, _, poff, _, _, filesz = struct.unpack_from("<IIQQQQ", table, i * phentsize)
        if ptype in kinds:
            kinds[ptype] += 1
            if poff + filesz > size:
                what = "memory" if ptype == PT_LOAD else "note"
                return [f"'{path}' is truncated: {size} bytes, its {what} segment {i} "
                        f"ends at {poff + filesz}"]
    if not kinds[PT_NOTE]:
        return [f"'{path}' has no note segment (PT_NOTE)"]
    if not kinds[PT_LOAD]:
        return [f"'{path}' has no memory segment (PT_LOAD)"]
    return []


def kdump_file_problems(path):
    """Structural check of a dump, independent of crash: for makedumpfile's
    kdump-compressed format, the header is sane and the file holds every
    page it lists; for an ELF dump, elf_file_problems()."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        if f.read(4) == capture.ELF_MAGIC:
            return elf_file_problems(path)
        try:
            h = capture.kdump_header(f)
        except ValueError:
            return [f"'{path}' is truncated inside its header ({size} bytes)"]
        if h is None:
            return [f"'{path}' is neither a kdump-compressed nor an ELF file"]
        block_size, sub_hdr_size, bitmap_blocks = h["block_size"], h["sub_hdr_size"], h["bitmap_blocks"]
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


def note_count_problems(dump, cpus, info):
    """One NT_PRSTATUS note (a CPU's registers) per CPU in the dump."""
    try:
        notes = capture.dump_notes(dump)
    except (ValueError, struct.error) as e:
        return [f"cannot read the dump's notes: {e}"]
    n = sum(1 for _, t, d in notes if t == NT_PRSTATUS and len(d) >= PRSTATUS_SIZE)
    info["notes"] = n
    if n != cpus:
        return [f"the dump holds {n} NT_PRSTATUS notes, expected one for each of {cpus} CPUs"]
    return []


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

    # One note per CPU, read by the checker itself: crash may open a dump
    # that lacks one and show that CPU's task as last scheduled.
    problems += note_count_problems(dump, cpus, info)

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
        if not panic_msg:
            if line:
                problems.append(f"PANIC line is '{line}', expected it empty")
        elif panic_msg not in line:
            problems.append(f"PANIC line is '{line}', expected it to contain '{panic_msg}'")
    m = re.search(r"^\s*CPUS:\s*(\d+)", out.get("sys"), re.M)
    if not m:
        problems.append("crash's 'sys' shows no CPUS line: the CPU count cannot be checked")
    elif int(m.group(1)) != cpus:
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

    if not panic_msg:
        skip("the panic message in 'log': none is expected (an empty PANIC line)")
    elif panic_msg not in out.get("log"):
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


# ---- crash and drgn too old for the kernel: the dump checked without them ----

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The first crash and drgn releases that read each kernel series: one table,
# in the C library that `lifeboat report` uses; read from there.
READERS_TABLE = os.path.join(ROOT, "lib", "readers.c")
GDB_TIMEOUT = 300


def reader_table():
    """[((major, minor), crash, drgn)] from READERS_TABLE, oldest
    series first; crash and drgn are None on the closing row (series from
    there on are unknown to the table)."""
    with open(READERS_TABLE) as f:
        text = f.read()
    m = re.search(r"READERS-TABLE-BEGIN \*/(.*?)/\* READERS-TABLE-END", text, re.S)
    if not m:
        raise RuntimeError(f"no reader table in '{READERS_TABLE}'")
    rows = []
    for row in re.finditer(r'\{\s*(\d+),\s*(\d+),\s*(?:"([\d.]+)"|NULL),\s*(?:"([\d.]+)"|NULL)\s*\}',
                           m.group(1)):
        rows.append(((int(row.group(1)), int(row.group(2))), row.group(3), row.group(4)))
    if not rows:
        raise RuntimeError(f"the reader table in '{READERS_TABLE}' has no rows")
    return rows


def _version(v):
    return tuple(int(x) for x in re.match(r"(\d+(?:\.\d+)*)", v).group(1).split("."))


def _series(release):
    m = re.match(r"(\d+)\.(\d+)", release)
    if not m:
        raise ValueError(f"'{release}' is not a kernel release")
    return int(m.group(1)), int(m.group(2))


def reader_need(tool, release):
    """(least version of tool, "crash" or "drgn", that reads dumps of kernel
    `release`, known): None when the table asks nothing (an older kernel);
    known is False when the kernel is newer than the table knows (the
    version is then the newest the table names, a lower bound)."""
    series = _series(release)
    need, known = None, True
    for row_series, crash, drgn in reader_table():
        if series < row_series:
            break
        if crash is None:
            known = False
            break
        need = crash if tool == "crash" else drgn
    return need, known


def reader_versions():
    """{"crash": version or None, "drgn": version or None} of the installed tools."""
    out = {"crash": None, "drgn": None}
    try:
        r = subprocess.run(["crash", "--version"], capture_output=True, text=True, timeout=60)
        m = re.search(r"^crash (\d+\.\d+[\w.+-]*)", r.stdout, re.M)
        out["crash"] = m.group(1) if m else None
    except (FileNotFoundError, subprocess.TimeoutExpired):
        pass
    try:
        r = subprocess.run([DRGN_PYTHON, "-c", "import drgn; print(drgn.__version__)"],
                           capture_output=True, text=True, timeout=60)
        m = re.match(r"\s*(\d+\.\d+[\w.+-]*)", r.stdout)
        out["drgn"] = m.group(1) if m and r.returncode == 0 else None
    except (FileNotFoundError, subprocess.TimeoutExpired):
        pass
    return out


def readers_verdicts(env, versions=None):
    """{tool: (ok, sentence)} for crash and drgn against env's kernel."""
    release = env["KVER"]
    versions = versions or reader_versions()
    out = {}
    for tool in ("crash", "drgn"):
        have = versions.get(tool)
        need, known = reader_need(tool, release)
        if have is None:
            out[tool] = (False, f"{tool} is not installed")
        elif need is not None and _version(have) < _version(need):
            out[tool] = (False, f"{tool} {have} is too old for {release}: it takes {tool} {need}")
        elif not known:
            out[tool] = (False, f"{release} is newer than the reader table knows "
                                f"({os.path.relpath(READERS_TABLE, ROOT)}); {tool} {have} may not read it")
        else:
            out[tool] = (True, f"{tool} {have} reads {release}")
    return out


def readers_support(env):
    """Whether the installed crash and drgn both read dumps of env's kernel
    (env from lbvm.env()), by their versions against the reader table."""
    return all(ok for ok, _ in readers_verdicts(env).values())


NT_PRSTATUS = capture.NT_PRSTATUS
PRSTATUS_SIZE = 336            # struct elf_prstatus on x86_64
PR_PID = 32
PR_REG = 112                   # struct user_regs_struct, 27 registers
REG_NAMES = ("r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax",
             "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss",
             "fs_base", "gs_base", "ds", "es", "fs", "gs")


def prstatus(desc):
    """pid and registers of one NT_PRSTATUS note."""
    regs = dict(zip(REG_NAMES, struct.unpack_from("<27Q", desc, PR_REG)))
    return {"pid": struct.unpack_from("<i", desc, PR_PID)[0], "regs": regs}


def text_symbols(env):
    """Sorted [(address, name)] of the kernel's text symbols, the addresses
    of _stext and _etext, and where they came from. From SYSTEM_MAP; Debian
    ships a placeholder there ("The real System.map is in the
    linux-image-<version>-dbg package"), so else from `nm` of VMLINUX_DBG,
    which prints the same lines."""
    lines, source = [], env.get("SYSTEM_MAP", "")
    if source and os.path.exists(source):
        with open(source) as f:
            lines = f.read().splitlines()
    if not any(l.endswith((" _stext", " _etext")) for l in lines) and env.get("VMLINUX_DBG"):
        source = env["VMLINUX_DBG"]
        try:
            r = subprocess.run(["nm", source], capture_output=True, text=True, timeout=120)
            lines = r.stdout.splitlines()
        except (FileNotFoundError, subprocess.TimeoutExpired):
            lines = []
    syms, named = [], {}
    for line in lines:
        w = line.split()
        if len(w) != 3:
            continue
        named[w[2]] = int(w[0], 16)
        if w[1] in "tT":
            syms.append((int(w[0], 16), w[2]))
    syms.sort()
    return syms, named, source


def symbolize(syms, addr):
    """"func+0xoff" for an address (System.map's, unrelocated), or None."""
    import bisect
    i = bisect.bisect_right(syms, (addr, "\uffff")) - 1
    if i < 0:
        return None
    return f"{syms[i][1]}+{addr - syms[i][0]:#x}"


def dump_dmesg(dump, out):
    """The dump's log through `makedumpfile --dump-dmesg`: (text, problem)."""
    if os.path.exists(out):
        os.unlink(out)
    try:
        r = subprocess.run(["makedumpfile", "--dump-dmesg", dump, out],
                           capture_output=True, text=True, timeout=CRASH_TIMEOUT)
    except FileNotFoundError:
        return None, "makedumpfile is not installed: run 'make deps'"
    except subprocess.TimeoutExpired:
        return None, f"makedumpfile --dump-dmesg did not finish in {CRASH_TIMEOUT} s"
    if r.returncode != 0 or not os.path.exists(out):
        msg = (r.stderr.strip() or r.stdout.strip())[-400:]
        return None, f"makedumpfile --dump-dmesg could not read the dump's log: {msg}"
    with open(out, errors="replace") as f:
        return f.read(), None


# "CPU: 3 UID: 0 PID: 160 Comm: sh ..." (6.12), "CPU: 3 PID: 160 Comm: sh ..." (6.1)
CPU_LINE = re.compile(r"\bCPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (\S+)")


def crashing_task(log_lines, at):
    """(cpu, pid, comm) of the task line printed with the death at line
    index `at`: the first after it, else the last before it."""
    for line in log_lines[at:]:
        m = CPU_LINE.search(line)
        if m:
            return int(m.group(1)), int(m.group(2)), m.group(3)
    for line in reversed(log_lines[:at]):
        m = CPU_LINE.search(line)
        if m:
            return int(m.group(1)), int(m.group(2)), m.group(3)
    return None


def write_notes_core(path, notes):
    """An ELF core of notes alone (no memory): enough for gdb to show each
    thread's registers and name the function of a pc from the symbol file."""
    body = b""
    for i, (name, ntype, desc) in enumerate(notes):
        # gdb takes pr_pid (offset 32) as the thread's id, and id 0 as a
        # thread that has ended: an idle CPU's note gets an id of its own.
        if ntype == NT_PRSTATUS and len(desc) >= 36 and struct.unpack_from("<i", desc, 32)[0] == 0:
            desc = desc[:32] + struct.pack("<i", 0x40000000 + i) + desc[36:]
        n = name.encode() + b"\0"
        body += struct.pack("<III", len(n), len(desc), ntype)
        body += n + b"\0" * (-len(n) % 4) + desc + b"\0" * (-len(desc) % 4)
    ehdr = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + b"\0" * 9,
                       4, 62, 1, 0, 64, 0, 0, 64, 56, 1, 0, 0, 0)  # ET_CORE, EM_X86_64
    phdr = struct.pack("<IIQQQQQQ", 4, 0, 64 + 56, 0, 0, len(body), 0, 4)
    with open(path, "wb") as f:
        f.write(ehdr + phdr + body)


def gdb_pc_symbol(vmlinux, core, offset):
    """gdb's name for the first thread's pc of an ELF core, with the symbol
    file relocated by the kernel offset: (text, problem)."""
    cmd = ["gdb", "-batch", "-nx", "-ex", "set pagination off",
           "-ex", f"symbol-file -o {offset:#x} {vmlinux}", "-ex", f"core-file {core}",
           "-ex", "echo LBGDB pc\\n", "-ex", "info symbol $pc", "-ex", "echo LBGDB end\\n"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=GDB_TIMEOUT)
    except FileNotFoundError:
        return None, "gdb is not installed"
    except subprocess.TimeoutExpired:
        return None, f"gdb did not finish in {GDB_TIMEOUT} s"
    m = re.search(r"LBGDB pc\n(.*?)LBGDB end", r.stdout, re.S)
    text = m.group(1).strip() if m else ""
    s = re.match(r"^([A-Za-z_][\w.]*)(?: \+ (\d+))? in section \.text", text)
    if not s:
        return None, (f"gdb names no function for the crashing CPU's pc: "
                      f"{(text or r.stderr.strip())[-300:]}")
    return f"{s.group(1)}+{int(s.group(2) or 0):#x}", None


def check_dump_without_readers(env, vmcore, panic_msg, cpus, log_msgs=(), panic_cpu=None,
                               modules=()):
    """check_dump for a kernel whose dumps the installed crash and drgn cannot
    read. Returns (problems, info) as check_dump does.

    The file is structurally sound; the log that `makedumpfile --dump-dmesg`
    reads holds panic_msg (which must not be empty) and each of log_msgs;
    there is one NT_PRSTATUS note per CPU; the crashing CPU's note (the CPU
    of the task line printed with the death, panic_cpu when given) holds
    that task's pid and a pc in kernel text (System.map's _stext.._etext
    moved by VMCOREINFO's KERNELOFFSET) that System.map names (Debian's
    System.map is a placeholder: then `nm` of the debug vmlinux), and the
    symbols VMCOREINFO names sit where that table puts them; with the
    kernel's debug vmlinux, gdb names the function of that pc in a core of
    the dump's notes. A pc in module space (an oops in a module of
    `modules`, the .ko files) must be the one the log's oops names
    ("RIP: 0010:func+off/size [mod]"): func+off in that module, whose text
    then starts on a page boundary.
    """
    problems, info = [], {}
    if not panic_msg:
        return ["no expected panic message was given: the log check would pass on any dump"], info
    if not os.path.exists(vmcore):
        return [f"no dump at '{vmcore}'"], info
    if os.path.getsize(vmcore) == 0:
        return [f"the dump '{vmcore}' is empty"], info
    problems += kdump_file_problems(vmcore)
    if problems:
        return problems, info

    with tempfile.TemporaryDirectory(prefix="lbcheck.") as tmp:
        return _check_without_readers(env, vmcore, panic_msg, cpus, log_msgs, panic_cpu,
                                      modules, os.path.join(tmp, "dump"), problems, info)


MODULES_START, MODULES_END = 0xffffffffc0000000, 0xffffffffff000000


def module_rip_problems(rip, lines, at, modules):
    """(problems, symbol) for a pc in module space: the log's oops line names
    func+off in module mod; the note's pc minus off minus func's offset in
    mod's .text (nm) must be the start of a page, where the module's text
    begins."""
    near = lines[at:at + 80] + lines[max(0, at - 80):at][::-1] if at is not None else lines
    m = next((re.search(r"RIP: 0010:(\w+)\+0x([0-9a-f]+)/0x[0-9a-f]+ \[(\w+)\]", l)
              for l in near if "RIP: 0010:" in l and "[" in l), None)
    if not m:
        return [f"the crashing CPU's saved RIP {rip:#x} is in module space, and the log "
                "names no module function for the oops ('RIP: 0010:func+off/size [mod]')"], None
    func, off, mod = m.group(1), int(m.group(2), 16), m.group(3)
    ko = next((k for k in modules if os.path.basename(k) == f"{mod}.ko"), None)
    if not ko:
        return [f"the oops is in module {mod}, which the checker was not given"], None
    r = subprocess.run(["nm", ko], capture_output=True, text=True)
    addr = next((int(l.split()[0], 16) for l in r.stdout.splitlines()
                 if len(l.split()) == 3 and l.split()[2] == func and l.split()[1] in "tT"), None)
    if addr is None:
        return [f"{ko} has no function {func}"], None
    start = rip - off - addr
    if start % 4096:
        return [f"the crashing CPU's saved RIP {rip:#x} is not {func}+{off:#x} of {mod} "
                f"as the log says: that would put the module's text at {start:#x}"], None
    return [], f"{func}+{off:#x} [{mod}]"


def _check_without_readers(env, vmcore, panic_msg, cpus, log_msgs, panic_cpu, modules, base,
                           problems, info):
    text, err = dump_dmesg(vmcore, base + ".dmesg")
    lines = []
    at = None
    if err:
        problems.append(err)
    else:
        lines = text.splitlines()
        info["log_lines"] = len(lines)
        at = next((i for i, l in enumerate(lines) if panic_msg in l), None)
        if at is None:
            problems.append(f"the dump's log (makedumpfile --dump-dmesg) does not contain "
                            f"the panic message '{panic_msg}'")
        else:
            info["panic_line"] = re.sub(r"^\[\s*[\d.]+\]\s*", "", lines[at])
        for msg in log_msgs:
            if msg not in text:
                problems.append(f"the dump's log does not contain '{msg}'")

    try:
        notes = capture.dump_notes(vmcore)
    except (ValueError, struct.error) as e:
        problems.append(f"cannot read the dump's notes: {e}")
        return problems, info
    pr = [prstatus(d) for n, t, d in notes if t == NT_PRSTATUS and len(d) >= PRSTATUS_SIZE]
    info["notes"] = len(pr)
    info["note_pids"] = [p["pid"] for p in pr]
    if len(pr) != cpus:
        problems.append(f"the dump holds {len(pr)} NT_PRSTATUS notes, expected one for each "
                        f"of {cpus} CPUs")

    task = crashing_task(lines, at) if at is not None else None
    cpu = None
    if task:
        info["crash_task"] = {"cpu": task[0], "pid": task[1], "comm": task[2]}
        cpu = task[0]
        if panic_cpu is not None and cpu != panic_cpu:
            problems.append(f"the log shows the death on CPU {cpu}, expected {panic_cpu}")
    elif at is not None:
        problems.append("the dump's log shows no 'CPU: N PID: N Comm:' line for the crashed task")
    if cpu is None:
        cpu = panic_cpu
    if cpu is None:
        # Without a crashing CPU the dump has failed above; if not, say so.
        if not problems:
            skip("the crashing CPU's registers: the log names no crashing CPU and none was expected")
        return problems, info
    info["crash_cpu"] = cpu
    if cpu >= len(pr):
        problems.append(f"no NT_PRSTATUS note for the crashing CPU {cpu}: "
                        f"the dump holds {len(pr)}")
        return problems, info
    note = pr[cpu]
    rip = note["regs"]["rip"]
    info["rip"] = f"{rip:#x}"
    if task and note["pid"] != task[1]:
        problems.append(f"CPU {cpu}'s note holds pid {note['pid']}, the log's crashed task "
                        f"is pid {task[1]} ({task[2]})")

    vi = capture.vmcoreinfo(notes)
    try:
        offset = int(vi.get("KERNELOFFSET", ""), 16)
    except ValueError:
        problems.append("the dump's VMCOREINFO has no KERNELOFFSET")
        return problems, info
    info["kerneloffset"] = f"{offset:#x}"
    release = vi.get("OSRELEASE")
    if release and release != env["KVER"]:
        problems.append(f"the dump's OSRELEASE is {release}, expected {env['KVER']}")
    syms, named, source = text_symbols(env)
    stext, etext = named.get("_stext"), named.get("_etext")
    if stext is None or etext is None:
        problems.append(f"no symbol table with _stext and _etext: '{env.get('SYSTEM_MAP')}' "
                        f"is Debian's placeholder and there is no debug vmlinux")
        return problems, info
    info["symbols_from"] = source
    # The symbols VMCOREINFO names in the kernel image must sit where the
    # symbol table, moved by KERNELOFFSET, puts them: the same kernel.
    compared = 0
    for key, value in vi.items():
        m = re.match(r"SYMBOL\((\w+)\)$", key)
        if not m or m.group(1) not in named or int(value, 16) < 0xffffffff80000000:
            continue
        compared += 1
        if int(value, 16) != named[m.group(1)] + offset:
            problems.append(f"the dump's VMCOREINFO puts {m.group(1)} at {value}, the symbol table "
                            f"({source}) plus KERNELOFFSET at {named[m.group(1)] + offset:#x}: "
                            f"they are not the same kernel")
            return problems, info
    info["vmcoreinfo_symbols_matched"] = compared
    if not compared:
        problems.append("the dump's VMCOREINFO names no kernel-image symbol to compare with "
                        f"the symbol table ({source})")
    info["cpu_rips"] = {i: symbolize(syms, p["regs"]["rip"] - offset) or f"{p['regs']['rip']:#x}"
                        for i, p in enumerate(pr)}
    if MODULES_START <= rip < MODULES_END:
        bad, sym = module_rip_problems(rip, lines, at, modules)
        info["rip_symbol"] = sym
        return problems + bad, info
    if not stext + offset <= rip < etext + offset:
        problems.append(f"the crashing CPU {cpu}'s saved RIP {rip:#x} is outside kernel text "
                        f"({stext + offset:#x}..{etext + offset:#x})")
        return problems, info
    sym = symbolize(syms, rip - offset)
    info["rip_symbol"] = sym
    if not sym:
        problems.append(f"System.map names no function at the crashing CPU's RIP {rip:#x}")

    if not env.get("VMLINUX_DBG"):
        skip(f"gdb's name for the crashing CPU's pc: no debug vmlinux for {env['KVER']}")
    else:
        if not os.path.exists(env["VMLINUX_DBG"]):
            problems.append(f"no debug vmlinux at '{env['VMLINUX_DBG']}': run 'make deps'")
            return problems, info
        # The crashing CPU's note first: gdb's first thread is the one it shows.
        prs = [(n, t, d) for n, t, d in notes if t == NT_PRSTATUS]
        core = base + ".notes.elf"
        write_notes_core(core, [prs[cpu]] + prs[:cpu] + prs[cpu + 1:])
        gsym, err = gdb_pc_symbol(env["VMLINUX_DBG"], core, offset)
        if err:
            problems.append(err)
        else:
            info["gdb_symbol"] = gsym
            if sym and gsym.split("+")[0] != sym.split("+")[0]:
                problems.append(f"gdb names {gsym} for the crashing CPU's pc, "
                                f"System.map {sym}")
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
