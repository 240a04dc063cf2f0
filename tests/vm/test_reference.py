# SPDX-License-Identifier: GPL-2.0
"""
The reference chain, Linux's own kdump: proves the test bed and the checker,
and gives the figures our capture path is compared with.
"""
import os
import shutil

import checker
import lbvm
import reference

ORDER = 10


def fmt(x):
    return "n/a" if x is None else f"{x:.1f}s"


def test_reference_kdump():
    work = lbvm.workdir("reference")
    res, disk = reference.run(work)
    assert not res.timed_out, f"time limit reached; serial log tail:\n{res.tail()}"
    for m in ("armed", "panic", "capture-init", "dump-saved"):
        assert m in res.markers, f"marker '{m}' never seen; serial log tail:\n{res.tail()}"
    assert sorted(lbvm.disk_ls(disk)) == ["dmesg.txt", "vmcore"], \
        f"dump disk holds {lbvm.disk_ls(disk)}"
    vmcore = lbvm.disk_get(disk, "/vmcore", os.path.join(work, "vmcore"))
    assert vmcore, "no vmcore on the dump disk"
    e = lbvm.env()
    problems, info = checker.check_dump(e["VMLINUX_DBG"], vmcore, "sysrq triggered crash", 2)
    assert not problems, "checker: " + "; ".join(problems)

    # The checker must fail, saying why, on a broken copy of the same dump.
    broken = os.path.join(work, "vmcore.truncated")
    with open(vmcore, "rb") as src, open(broken, "wb") as dst:
        dst.write(src.read(os.path.getsize(vmcore) // 2))
    problems, _ = checker.check_dump(e["VMLINUX_DBG"], broken, "sysrq triggered crash", 2)
    assert problems and "truncated" in problems[0], \
        f"checker did not report the truncated dump: {problems}"
    garbage = os.path.join(work, "vmcore.garbage")
    with open(garbage, "wb") as f:
        f.write(b"\0" * 65536)
    problems, _ = checker.check_dump(e["VMLINUX_DBG"], garbage, "sysrq triggered crash", 2)
    assert problems and "neither a kdump-compressed nor an ELF file" in problems[0], \
        f"checker did not report the garbage dump: {problems}"
    shutil.copy(res.log_path, os.path.join(lbvm.BUILD, "vm", "reference.serial.log"))
    return {
        "panic_to_capture_kernel": fmt(res.since("panic", "capture-kernel")),
        "panic_to_capture_init": fmt(res.since("panic", "capture-init")),
        "capture_init_to_saved": fmt(res.since("capture-init", "dump-saved")),
        "dump_mb": f"{os.path.getsize(vmcore) / 1e6:.1f}",
    }
