# SPDX-License-Identifier: GPL-2.0
"""
The dump checker for kernels whose dumps this machine's crash and drgn cannot
read (checker.check_dump_without_readers): on a dump of the 6.12 guest made
by Linux's own kdump it passes, and on the same file it fails, saying why,
when the file is truncated, the expected panic message is wrong or missing,
a CPU's note is missing, a log line or the panic CPU is wrong, or the debug
vmlinux is another kernel's.
"""
import os

import checker
import lbvm
import reference

ORDER = 12
PANIC = "sysrq triggered crash"


def negatives(env, vmcore, cpus, work):
    """The checker's failures on one good dump: {case: problems}. Each list
    must be non-empty and say what is wrong."""
    out = {}
    broken = os.path.join(work, "vmcore.truncated")
    with open(vmcore, "rb") as src, open(broken, "wb") as dst:
        dst.write(src.read(os.path.getsize(vmcore) // 2))
    out["truncated"] = (checker.check_dump_without_readers(env, broken, PANIC, cpus)[0],
                        "truncated")
    out["wrong panic message"] = (checker.check_dump_without_readers(
        env, vmcore, "no such panic message", cpus)[0], "does not contain the panic message")
    out["no panic message"] = (checker.check_dump_without_readers(env, vmcore, "", cpus)[0],
                               "no expected panic message")
    out["missing CPU note"] = (checker.check_dump_without_readers(env, vmcore, PANIC, cpus + 1)[0],
                               f"expected one for each of {cpus + 1} CPUs")
    out["missing log line"] = (checker.check_dump_without_readers(
        env, vmcore, PANIC, cpus, log_msgs=("no such line",))[0], "does not contain 'no such line'")
    other_dbg = lbvm.env("6.1")["VMLINUX_DBG"] if env["KNAME"] != "6.1" else ""
    if other_dbg and os.path.exists(other_dbg):
        out["another kernel's vmlinux"] = (checker.check_dump_without_readers(
            dict(env, VMLINUX_DBG=other_dbg), vmcore, PANIC, cpus)[0], "not the same kernel")
    else:
        checker.skip("the checker against another kernel's vmlinux: no 6.1 debug vmlinux "
                     f"to set against {env['KVER']}")
    good = checker.check_dump_without_readers(env, vmcore, PANIC, cpus)[1]
    if good.get("crash_cpu") is not None:
        other = (good["crash_cpu"] + 1) % cpus
        out["wrong panic CPU"] = (checker.check_dump_without_readers(
            env, vmcore, PANIC, cpus, panic_cpu=other)[0], f"expected {other}")
    else:
        checker.skip("the checker against a wrong panic CPU: the good dump named no crashing CPU")
    return out


def check_good_and_bad(env, vmcore, cpus, work):
    problems, info = checker.check_dump_without_readers(env, vmcore, PANIC, cpus)
    assert not problems, "checker: " + "; ".join(problems) + f" (dump {vmcore})"
    assert info.get("notes") == cpus and info.get("rip_symbol"), f"checker's figures: {info}"
    if env.get("VMLINUX_DBG"):
        assert info.get("gdb_symbol"), f"gdb named no function: {info}"
    for case, (found, says) in negatives(env, vmcore, cpus, work).items():
        assert found and any(says in p for p in found), \
            f"checker did not report the {case} ('{says}'): {found}"
    return info


def test_checker_without_readers_612():
    with lbvm.guest("6.12"):
        env = lbvm.env()
        work = lbvm.workdir("checker-noreaders-6.12")
        res, disk = reference.run(work)
        assert not res.timed_out, f"time limit reached; serial log tail:\n{res.tail()}"
        for m in ("armed", "panic", "capture-init", "dump-saved"):
            assert m in res.markers, f"marker '{m}' never seen; serial log tail:\n{res.tail()}"
        vmcore = lbvm.disk_get(disk, "/vmcore", os.path.join(work, "vmcore"))
        assert vmcore, f"no vmcore on the dump disk, which holds {lbvm.disk_ls(disk)}"
        info = check_good_and_bad(env, vmcore, 2, work)
        verdicts = checker.readers_verdicts(env)
    return {"panic_line": repr(info.get("panic_line")), "notes": info["notes"],
            "crash_cpu": info.get("crash_cpu"), "rip": info.get("rip_symbol"),
            "gdb": info.get("gdb_symbol"),
            "readers": "; ".join(s for _, s in verdicts.values())}
