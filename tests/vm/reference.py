# SPDX-License-Identifier: GPL-2.0
"""
Linux's own kdump in the same VM: the reference our capture path is measured
against, and the proof that the test bed and the checker work.
"""
import os

import lbvm

CAPTURE_APPEND = "console=ttyS0 irqpoll nr_cpus=1 reset_devices"

FIRST_INIT = lbvm.INIT_PRELUDE + r"""
mark first-init
kexec -p /boot/vmlinuz --initrd=/boot/capture.img --append="@APPEND@" > /dev/ttyS0 2>&1 \
	|| { mark kexec-failed; poweroff -f; }
[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] || { mark kexec-failed not-loaded; poweroff -f; }
kmark armed
kmark trigger
echo c > /proc/sysrq-trigger
"""


def build(work, mem="1G"):
    """Both initramfs images of the reference chain."""
    e = lbvm.env()
    capture = lbvm.build_initramfs(os.path.join(work, "capture.img"), lbvm.CAPTURE_INIT,
                                   bins=["/usr/bin/makedumpfile"], modules=lbvm.DISK_MODULES)
    first = lbvm.build_initramfs(
        os.path.join(work, "first.img"), FIRST_INIT.replace("@APPEND@", CAPTURE_APPEND),
        bins=["/usr/sbin/kexec"],
        files=[f"{e['KVMLINUZ']}:/boot/vmlinuz", f"{capture}:/boot/capture.img"])
    return first, capture


def run(work, mem="1G", smp=2, crashkernel="256M", timeout=300):
    """Boot, arm kdump, crash, capture. Returns (result, disk path)."""
    first, _ = build(work)
    disk = lbvm.make_disk(os.path.join(work, "dump.ext4"))
    vm = lbvm.VM(work, first, f"console=ttyS0 crashkernel={crashkernel}", mem=mem, smp=smp,
                 disk=disk, timeout=timeout, fail_markers=("kexec-failed",), name="reference")
    return vm.run(), disk
