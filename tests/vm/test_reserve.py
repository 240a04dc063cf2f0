# SPDX-License-Identifier: GPL-2.0
"""
reserve/: `lifeboat estimate` in a guest, against the guest's own capture
kernel and initramfs (the test bed's, as lifeboat_chain builds them).

One guest boots with a region too small for them: estimate must exit 1 and
say so, and recommends a size. A second guest boots with exactly that
crashkernel=, where estimate must exit 0, and Lifeboat must capture a dump
there (lifeboat_chain.run).
"""
import os
import re

import capture
import lbvm
import lifeboat_chain

ORDER = 30

# Prints estimate's report and its exit status, then powers off.
ESTIMATE_INIT = lbvm.INIT_PRELUDE + r"""
mark first-init
@MODULE@
lifeboat estimate --kernel /boot/vmlinuz --initrd /boot/capture.img > /tmp/est.txt 2>&1
rc=$?
sed 's/^/LBEST /' /tmp/est.txt > /dev/ttyS0
echo "LBEST-RC $rc" > /dev/ttyS0
mark done
poweroff -f
"""

# Before the crash in the capture run: the same estimate, then the chain's trigger.
ESTIMATE_THEN_CRASH = r"""
lifeboat estimate --kernel /boot/vmlinuz --initrd /boot/capture.img > /tmp/est.txt 2>&1
rc=$?
sed 's/^/LBEST /' /tmp/est.txt > /dev/ttyS0
echo "LBEST-RC $rc" > /dev/ttyS0
# Let the UART drain: what is still queued when the kernel panics is lost.
sleep 1
""" + lifeboat_chain.TRIGGER_SYSRQ

def too_small():
    """MiB: the stock kernel's init_size alone is 63.6 MiB; Lifeboat's own
    capture kernel (17.4 MiB of init_size, 20 MiB free) needs over 40."""
    return 32 if lbvm.capture_kernel()["OWN"] else 64

_recommended = {}


def parse_estimate(res):
    """(exit status, report text) of the LBEST lines of a run."""
    assert not res.timed_out, f"time limit reached; serial log tail:\n{res.tail()}"
    lines = [t[len("LBEST "):] for _, t in res.lines if t.startswith("LBEST ")]
    rcs = [t for _, t in res.lines if t.startswith("LBEST-RC ")]
    assert rcs, f"lifeboat estimate did not run; serial log tail:\n{res.tail()}"
    return int(rcs[0].split()[1]), "\n".join(lines)


def recommended(report):
    m = re.search(r"^boot parameter: crashkernel=(\d+)M$", report, re.M)
    assert m, f"estimate printed no boot parameter:\n{report}"
    return int(m.group(1))


def estimate_in_guest(work, append, module=False):
    """Boots a guest with the chain's files, runs estimate, returns (rc, report)."""
    cap = capture.capture_image()
    init = ESTIMATE_INIT.replace("@MODULE@", "insmod /lib/lifeboat.ko || mark insmod-failed"
                                 if module else "")
    first = lbvm.build_initramfs(
        os.path.join(work, "first.img"), init,
        bins=capture.lifeboat_bins(),
        files=capture.first_files(cap))
    vm = lbvm.VM(work, first, f"console=ttyS0 {append}", timeout=120, name="estimate",
                 fail_markers=("insmod-failed",))
    res = vm.run()
    assert "insmod-failed" not in res.markers, f"insmod failed; serial log tail:\n{res.tail()}"
    return parse_estimate(res)


def test_estimate_too_small():
    """crashkernel=64M (32M for Lifeboat's own capture kernel): estimate exits
    1, says the region is too small and why,
    and recommends more (read from /proc/iomem: the module is not loaded)."""
    work = lbvm.workdir("reserve-too-small")
    small = too_small()
    rc, report = estimate_in_guest(work, f"crashkernel={small}M")
    assert rc == 1, f"estimate exited {rc} with a {small} MiB region, expected 1:\n{report}"
    assert re.search(rf"^region: +0x[0-9a-f]+-0x[0-9a-f]+, {small} MiB \(crashkernel, from /proc/iomem\)$",
                     report, re.M), f"estimate did not find the {small} MiB region:\n{report}"
    assert re.search(rf"^verdict: +too small: {small} MiB reserved, \d+ MiB needed; "
                     r"'lifeboat load' would refuse it: .*(too small|leaves \d+ MiB of free RAM)",
                     report, re.M), \
        f"the verdict does not say the region is too small and why:\n{report}"
    for part in ("metadata block", "kernel", "initramfs", "unpacked files", "memmap",
                 "makedumpfile", "runtime", "margin", "total"):
        assert re.search(rf"^  {part} +\d", report, re.M), f"no '{part}' in the breakdown:\n{report}"
    mib = recommended(report)
    assert mib > small, f"recommended crashkernel={mib}M is not above {small}M"
    _recommended["mib"] = mib
    return {"recommended": f"{mib}M"}


def test_recommended_region_captures():
    """crashkernel= as estimate recommends: estimate exits 0 (region read from
    the module's sysfs), and the capture works there: a dump is saved."""
    if "mib" not in _recommended:
        rc, report = estimate_in_guest(lbvm.workdir("reserve-ask"), "crashkernel=256M")
        _recommended["mib"] = recommended(report)
    mib = _recommended["mib"]
    work = lbvm.workdir("reserve-recommended")
    res, disk = lifeboat_chain.run(work, kernel_append=f"crashkernel={mib}M",
                                   trigger=ESTIMATE_THEN_CRASH, timeout=180, name="recommended")
    rc, report = parse_estimate(res)
    assert rc == 0, f"estimate exited {rc} in a guest booted with its own recommendation " \
        f"crashkernel={mib}M:\n{report}"
    assert re.search(rf"^region: .*, {mib} MiB \(crashkernel, from /sys/kernel/lifeboat/region\)$",
                     report, re.M), f"estimate did not read the region from sysfs:\n{report}"
    m = re.search(rf"^verdict: +enough: {mib} MiB reserved, (\d+) MiB needed$", report, re.M)
    assert m and int(m.group(1)) <= mib, f"the verdict is not 'enough' for its own figure:\n{report}"
    for bad in ("arm-failed", "capture-failed"):
        assert bad not in res.markers, \
            f"{bad} {res.marker_args[bad]} at crashkernel={mib}M; serial log tail:\n{res.tail()}"
    for m in ("armed", "panic", "capture-kernel", "capture-init", "dump-saved"):
        assert m in res.markers, \
            f"marker '{m}' never seen at crashkernel={mib}M; serial log tail:\n{res.tail()}"
    vmcore = lbvm.disk_get(disk, "/vmcore", os.path.join(work, "vmcore"))
    assert vmcore and os.path.getsize(vmcore) > 1 << 20, \
        f"no vmcore (or a tiny one) on the dump disk at crashkernel={mib}M: {lbvm.disk_ls(disk)}"
    free = re.findall(r"Memory: (\d+)K/(\d+)K available", res.text())
    return {"crashkernel": f"{mib}M", "dump_mb": f"{os.path.getsize(vmcore) / 1e6:.1f}",
            "capture_free": f"{int(free[-1][0]) // 1024}M" if len(free) > 1 else "n/a"}
