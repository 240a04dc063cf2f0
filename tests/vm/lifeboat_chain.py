# SPDX-License-Identifier: GPL-2.0
"""
Lifeboat's own capture chain in a VM: insmod lifeboat.ko, lifeboat load,
lifeboat arm, crash. The capture side is the same as the reference's
(capture.py).
"""
import os

import capture
import lbvm

FIRST_INIT = lbvm.INIT_PRELUDE + "mark first-init\n@ARM@\n@TRIGGER@\n"

TRIGGER_SYSRQ = capture.TRIGGER_SYSRQ


def build(work, trigger=TRIGGER_SYSRQ, append=capture.CAPTURE_APPEND, modparams="",
          extra_files=(), load_args=""):
    init = (FIRST_INIT.replace("@ARM@", capture.lifeboat_arm(append, modparams, load_args))
            .replace("@TRIGGER@", trigger))
    first = lbvm.build_initramfs(
        os.path.join(work, "first.img"), init, bins=capture.lifeboat_bins(),
        files=capture.first_files() + list(extra_files))
    return first


def run(work, mem="1G", smp=2, kernel_append="crashkernel=256M", timeout=300,
        trigger=TRIGGER_SYSRQ, capture_append=capture.CAPTURE_APPEND, modparams="",
        name="lifeboat", load_args=""):
    """Boot, arm Lifeboat, crash, capture. Returns (result, disk path).
    load_args: more options for `lifeboat load` (--unpack)."""
    lbvm.kmod("lifeboat.ko")
    first = build(work, trigger, capture_append, modparams, load_args=load_args)
    disk = lbvm.make_disk(os.path.join(work, "dump.ext4"))
    vm = lbvm.VM(work, first, f"console=ttyS0 {kernel_append}", mem=mem, smp=smp, disk=disk,
                 timeout=timeout, fail_markers=("arm-failed", "capture-failed"), name=name)
    return vm.run(), disk
