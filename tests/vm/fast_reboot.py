# SPDX-License-Identifier: GPL-2.0
"""
What the fast reboot's test (test_fast_reboot.py) and benchmark
(bench_reboot.py) share: the kernel's lines they look for, the sysfs file,
a reading of it, and the host times of the lines of a run that follow a
moment (a run boots two kernels, so the first occurrence of a line, which
Result.markers keeps, is not enough).

`lifeboat reboot` loads the new kernel through the module; at the next
restart (reboot(2) RESTART) the module jumps into it after the devices are
shut down, without the firmware, or falls back to a firmware reboot and says
why.
"""
import re

SYSFS = "/sys/kernel/lifeboat/fast_reboot"

# The kernel's lines (kernel/reboot.c).
LOADED_RE = re.compile(r"lifeboat: fast reboot loaded: ")
JUMP_RE = re.compile(r"lifeboat: fast reboot: jumping to the new kernel from CPU (\d+)")
ABANDON_RE = re.compile(r"lifeboat: fast reboot abandoned: (.*); the firmware reboots the machine")
DIGEST_REASON = "the image was damaged after it was loaded (digest mismatch)"
LINUX_RE = re.compile(r"Linux version \d")
MARK_RE = re.compile(r"LBMARK (\S+)")
# A restart through the firmware, as x86's machine_restart() announces it
# (kernel_restart()'s own "Restarting system" comes before the fast reboot's
# jump, so it tells nothing), and the EFI stub's line, which OVMF's serial
# console shows at each boot through it.
FW_RESTART_RE = re.compile(r"reboot: machine restart")
EFI_STUB_RE = re.compile(r"EFI stub: ")

# The kernel's oops and BUG lines (lbvm.KERNEL_MARKERS "oops"), and WARN.
OOPS_RE = re.compile(r"(BUG: |Oops: |general protection fault|kernel BUG at )")
WARN_RE = re.compile(r"WARNING: CPU: \d+ PID: ")


def parse_sysfs(lines):
    """The fast_reboot file read as lines: ("none", {}) or ("loaded",
    {key: value})."""
    lines = [ln.strip() for ln in lines if ln.strip()]
    if not lines:
        return "", {}
    return lines[0], dict(ln.split("=", 1) for ln in lines[1:] if "=" in ln)


def prefixed(res, prefix):
    """The text after `prefix ` of every serial line that starts with it."""
    n = len(prefix) + 1
    return [line[n:] for _, line in res.lines if line.startswith(prefix + " ")]


def first(res, prefix):
    got = prefixed(res, prefix)
    return got[0] if got else None


def when(res, pattern, after=0.0):
    """Host time of the first line matching pattern (a regular expression or
    a marker name) at or after `after`, or None."""
    if isinstance(pattern, str):
        pattern = re.compile(r"LBMARK " + re.escape(pattern) + r"(?: |$)")
    for t, line in res.lines:
        if t >= after and pattern.search(line):
            return t
    return None


def count(res, pattern):
    return sum(1 for _, line in res.lines if pattern.search(line))
