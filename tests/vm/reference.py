# SPDX-License-Identifier: GPL-2.0
"""
Linux's own kdump in the same VM: the reference our capture path is measured
against, and the proof that the test bed and the checker work.
"""
import os

import capture
import lbvm

def first_init(append=capture.CAPTURE_APPEND):
    """The first kernel's init: arm kdump (kexec -p), then sysrq-c."""
    return lbvm.INIT_PRELUDE + "mark first-init\n" + capture.kexec_arm(append) + capture.TRIGGER_SYSRQ


def build(work, mem="1G"):
    """Both initramfs images of the reference chain."""
    cap = capture.capture_image()
    first = lbvm.build_initramfs(
        os.path.join(work, "first.img"), first_init(), bins=["/usr/sbin/kexec"],
        files=capture.first_files(cap, module=False))
    return first, cap


def run(work, mem="1G", smp=2, crashkernel="256M", timeout=300):
    """Boot, arm kdump, crash, capture. Returns (result, disk path)."""
    first, _ = build(work)
    disk = lbvm.make_disk(os.path.join(work, "dump.ext4"))
    vm = lbvm.VM(work, first, f"console=ttyS0 crashkernel={crashkernel}", mem=mem, smp=smp,
                 disk=disk, timeout=timeout, fail_markers=("arm-failed",), name="reference")
    return vm.run(), disk
