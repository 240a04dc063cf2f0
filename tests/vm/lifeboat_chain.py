# SPDX-License-Identifier: GPL-2.0
"""
Lifeboat's own capture chain in a VM: insmod lifeboat.ko, lifeboat load,
lifeboat arm, crash. The capture side is the same as the reference's.
"""
import os

import lbvm

CAPTURE_APPEND = "console=ttyS0 nr_cpus=1 irqpoll reset_devices"

ARM_SCRIPT = r"""
insmod /lib/lifeboat.ko @MODPARAMS@ || { mark arm-failed insmod; poweroff -f; }
cat /sys/kernel/lifeboat/region > /dev/ttyS0
lifeboat load --kernel /boot/vmlinuz --initrd /boot/capture.img --append "@APPEND@" \
	> /dev/ttyS0 2>&1 || { mark arm-failed load; poweroff -f; }
lifeboat arm > /dev/ttyS0 2>&1 || { mark arm-failed arm; poweroff -f; }
[ "$(cat /sys/kernel/lifeboat/state)" = armed ] || { mark arm-failed state; poweroff -f; }
[ "$(cat /sys/kernel/kexec_crash_loaded)" = 0 ] || { mark arm-failed kexec-loaded; poweroff -f; }
cat /sys/kernel/lifeboat/image > /dev/ttyS0
kmark armed
"""

FIRST_INIT = lbvm.INIT_PRELUDE + "mark first-init\n@ARM@\n@TRIGGER@\n"

TRIGGER_SYSRQ = "kmark trigger\necho c > /proc/sysrq-trigger\n"


def arm_script(append=CAPTURE_APPEND, modparams=""):
    return ARM_SCRIPT.replace("@APPEND@", append).replace("@MODPARAMS@", modparams)


def first_files(capture):
    e = lbvm.env()
    return [f"{e['KVMLINUZ']}:/boot/vmlinuz", f"{capture}:/boot/capture.img",
            f"{lbvm.kmod('lifeboat.ko')}:/lib/lifeboat.ko"]


def build(work, trigger=TRIGGER_SYSRQ, append=CAPTURE_APPEND, modparams="", extra_files=()):
    capture = lbvm.build_initramfs(os.path.join(work, "capture.img"), lbvm.CAPTURE_INIT,
                                   bins=["/usr/bin/makedumpfile"], modules=lbvm.DISK_MODULES)
    init = FIRST_INIT.replace("@ARM@", arm_script(append, modparams)).replace("@TRIGGER@", trigger)
    first = lbvm.build_initramfs(
        os.path.join(work, "first.img"), init,
        bins=[f"{os.path.join(lbvm.BUILD, 'lifeboat')}:/usr/bin/lifeboat"],
        files=first_files(capture) + list(extra_files))
    return first


def run(work, mem="1G", smp=2, kernel_append="crashkernel=256M", timeout=300,
        trigger=TRIGGER_SYSRQ, capture_append=CAPTURE_APPEND, modparams="", name="lifeboat"):
    """Boot, arm Lifeboat, crash, capture. Returns (result, disk path)."""
    lbvm.kmod("lifeboat.ko")
    first = build(work, trigger, capture_append, modparams)
    disk = lbvm.make_disk(os.path.join(work, "dump.ext4"))
    vm = lbvm.VM(work, first, f"console=ttyS0 {kernel_append}", mem=mem, smp=smp, disk=disk,
                 timeout=timeout, fail_markers=("arm-failed", "capture-failed"), name=name)
    return vm.run(), disk
