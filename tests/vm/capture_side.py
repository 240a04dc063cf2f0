# SPDX-License-Identifier: GPL-2.0
"""
The capture side's VM test bed: a guest whose root filesystem is an ext4
disk that is also the dump target, as on a machine that keeps /var/crash on
its root filesystem.

The disk holds what `make install-dumptools` installs (the lifeboat command,
the capture initramfs' builder and /init, the unit, /etc/lifeboat.conf), the
tools they call (bash, coreutils, cpio, xz, kmod, kexec, makedumpfile,
busybox), the guest kernel in /boot and its modules for the disk. A small
boot initramfs mounts it and switches to it; /sbin/lbtest-init then runs the
unit's ExecStart, as systemd would at boot, and, on the first boot, panics
the kernel. The capture kernel's saver writes the dump to the same disk and
reboots; on the second boot the init runs the unit's command again, then
`lifeboat report`.

The capture kernel is entered through Lifeboat's jump: lifeboat.ko is
installed with the guest's modules and `lifeboat start` loads and arms it
as on a real machine.
"""
import os
import re
import shutil
import subprocess

import lbvm

UNIT = os.path.join(lbvm.ROOT, "dumptools", "systemd", "lifeboat.service")
LABEL = "lbroot"

# Host tools the guest's root filesystem carries, with their libraries:
# what lb-initramfs, the lifeboat command and the test init call.
ROOTFS_BINS = [
    "/usr/bin/bash:/bin/bash", "/usr/bin/ldd", "/usr/bin/mawk:/usr/bin/awk",
    "/usr/bin/mktemp", "/usr/bin/mkdir", "/usr/bin/install", "/usr/bin/ln", "/usr/bin/cp",
    "/usr/bin/dirname", "/usr/bin/touch", "/usr/bin/find", "/usr/bin/sort", "/usr/bin/cpio",
    "/usr/bin/mv", "/usr/bin/rm", "/usr/bin/cat", "/usr/bin/gzip", "/usr/bin/xz",
    "/usr/bin/zstd", "/usr/bin/kmod:/usr/sbin/modprobe", "/usr/sbin/kexec",
    "/usr/bin/makedumpfile",
]

# The saver's and the boot integration's own console lines, as markers.
MARKERS = [
    ("capture-init", re.compile(r"lifeboat: capture kernel \S+ is up")),
    ("dump-saved", re.compile(r"lifeboat: dump saved to (\S+)")),
    ("dmesg-only", re.compile(r"lifeboat: dmesg only saved to")),
    ("capture-failed", re.compile(r"lifeboat: capture failed")),
    ("final-action", re.compile(r"lifeboat: (rebooting|powering off|shell) \(")),
    ("initramfs-built", re.compile(r"lifeboat: built the capture initramfs (\S+): ")),
    ("initramfs-current", re.compile(r"lifeboat: capture initramfs \S+ is up to date")),
    ("crash-announced", re.compile(r"lifeboat: the system crashed at ")),
]

# How the root disk is attached: the QEMU options, its device in the guest and
# the modules the boot initramfs loads for it.
BUSES = {
    "virtio": (lambda disk: ["-drive", f"file={disk},if=virtio,format=raw"], "/dev/vda",
               lbvm.DISK_MODULES),
    "nvme": (lambda disk: ["-drive", f"file={disk},if=none,id=lbroot,format=raw",
                           "-device", "nvme,drive=lbroot,serial=lbroot"], "/dev/nvme0n1",
             ["nvme", "ext4"]),
}

BOOT_INIT = lbvm.INIT_PRELUDE + r"""
mark boot-init
load_modules
wait_for @DEV@ 100 || { mark boot-failed no-disk; poweroff -f; }
mkdir -p /newroot
mount -t ext4 @DEV@ /newroot || { mark boot-failed mount; poweroff -f; }
umount /sys/kernel/debug 2>/dev/null
umount /sys
umount /proc
mount --move /dev /newroot/dev
exec switch_root /newroot /sbin/lbtest-init
"""

# What every init on the root disk starts with.
ROOT_PRELUDE = r"""#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
[ -e /dev/ttyS0 ] || mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mark() { echo "LBMARK $*" > /dev/ttyS0; }
# The mark just before a death goes through printk, which the panic flushes:
# a write to /dev/ttyS0 may still sit in the serial driver when the CPUs stop.
kmark() { echo "<2>LBMARK $*" > /dev/kmsg; }
"""

# Counts the boots on the root disk, in $boot, and marks each: the inits of
# guests that crash and come back (here, test_save_faults, soak) start so.
BOOT_COUNT = r"""
mkdir -p /var/lib/lbtest
boot=$(cat /var/lib/lbtest/boots 2>/dev/null || echo 0)
boot=$((boot + 1))
echo "$boot" > /var/lib/lbtest/boots
sync
mark boot "$boot"
"""

# Every boot's end: the report of the dumps on the disk, then power off.
REPORT = r"""mark report-begin
lifeboat report > /dev/ttyS0 2>&1
mark report-status $?
mark report-end
ls -l /var/crash > /dev/ttyS0 2>&1
sync
mark done
poweroff -f
"""

# The guest's init: boot count on the disk, the unit's command, then either
# the crash (first boot) or the report (second boot).
ROOT_INIT = ROOT_PRELUDE + BOOT_COUNT + r"""if [ "$boot" = 1 ]; then
	# Beside Linux's own kdump, the unit's command must refuse and say why.
	kexec -p /boot/vmlinuz-@KVER@ --append=console=ttyS0 > /dev/ttyS0 2>&1
	@START@ > /tmp/refusal 2>&1
	rc=$?
	cat /tmp/refusal > /dev/ttyS0
	if [ $rc = 1 ] && grep -q "cannot arm: Linux's own kdump is loaded" /tmp/refusal; then
		mark refused-beside-kdump
	fi
	kexec -p -u
fi
@START@ > /dev/ttyS0 2>&1
mark start-status $?
@ARMED_CHECK@
if [ "$boot" = 1 ]; then
@FILL@
	sync
	kmark trigger
	echo c > /proc/sysrq-trigger
fi
@REPORT@"""

# A boot that only runs the unit's command and shows what it says: for the
# refusals (no region, region too small).
START_ONLY_INIT = ROOT_PRELUDE + r"""
mark start-begin
@START@ > /dev/ttyS0 2>&1
mark start-status $?
mark start-end
echo "LBSTATE $(cat /sys/kernel/lifeboat/state 2>/dev/null || echo no-module)" > /dev/ttyS0
sync
mark done
poweroff -f
"""

ARMED_CHECK = ('lifeboat status > /dev/ttyS0 2>&1 && '
               '[ "$(cat /sys/kernel/kexec_crash_loaded)" = 0 ] && mark armed "$boot"')

# Leaves about FREE_MIB free on the target: the vmcore cannot fit, the dmesg can.
FILL = r"""	avail=$(df -k /var/crash | awk 'NR == 2 { print $4 }')
	fallocate -l $(( (avail - @FREE_KIB@) * 1024 )) /var/lbtest-filler
	df -k /var/crash > /dev/ttyS0
	mark filled
"""


def unit_exec_start():
    """The command the boot-time unit runs, from its ExecStart= line."""
    with open(UNIT) as f:
        for line in f:
            if line.startswith("ExecStart="):
                return line.split("=", 1)[1].strip()
    raise lbvm.HarnessError(f"'{UNIT}' has no ExecStart=")


def run(cmd, what, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise lbvm.HarnessError(f"{what} failed: {(r.stderr or r.stdout).strip()[-800:]}")
    return r


def install_dumptools(destdir):
    """`make install-dumptools` into destdir (usr-merged, as Debian 12 is)."""
    os.makedirs(os.path.join(destdir, "usr", "lib"), exist_ok=True)
    os.makedirs(os.path.join(destdir, "usr", "bin"), exist_ok=True)
    os.makedirs(os.path.join(destdir, "usr", "sbin"), exist_ok=True)
    if not os.path.lexists(os.path.join(destdir, "lib")):
        os.symlink("usr/lib", os.path.join(destdir, "lib"))
    run(["make", "-s", "-C", lbvm.ROOT, f"{lbvm.BUILD}/lifeboat", "install-dumptools",
         f"DESTDIR={destdir}"], "make install-dumptools")


def build_rootfs(work, conf_text, fill_free_kib=None, old_dumps=(),
                 size_mb=2048, root_init=ROOT_INIT, extra_files=(), own_kernel=False):
    """The guest's root filesystem and dump target: an ext4 image labelled
    LABEL. old_dumps: (name, {file: text}) put in /var/crash beforehand;
    extra_files: (host path, path in the guest) copied in; own_kernel:
    Lifeboat's capture kernel installed as `make install` installs it."""
    e = lbvm.env()
    module = lbvm.kmod("lifeboat.ko")
    stage = os.path.join(work, "rootfs")
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(stage)
    # Busybox, the tools with their libraries and the disk's modules, from
    # lb-initramfs as an uncompressed cpio unpacked here.
    cpio = os.path.join(work, "rootfs.cpio")
    init = os.path.join(work, "lbtest-init")
    script = root_init.replace("@START@", unit_exec_start()).replace("@KVER@", e["KVER"])
    script = script.replace("@ARMED_CHECK@", ARMED_CHECK).replace("@REPORT@", REPORT)
    fill = "" if fill_free_kib is None else FILL.replace("@FREE_KIB@", str(fill_free_kib))
    script = script.replace("@FILL@\n", fill)
    with open(init, "w") as f:
        f.write(script)
    cmd = [lbvm.MKINITRAMFS, "--out", cpio, "--init", init, "--compress", "none",
           "--kver", e["KVER"], "--modroot", e["KROOT"]]
    for b in ROOTFS_BINS:
        cmd += ["--bin", b]
    # The drivers of both buses, as a distribution kernel has them all.
    for m in lbvm.DISK_MODULES + ["nvme"]:
        cmd += ["--module", m]
    run(cmd, "lb-initramfs (root filesystem)")
    with open(cpio, "rb") as f:
        run(["cpio", "-idm", "--quiet", "--no-absolute-filenames"], "cpio -i", stdin=f,
            cwd=stage)
    os.unlink(cpio)
    os.makedirs(os.path.join(stage, "sbin"), exist_ok=True)
    os.rename(os.path.join(stage, "init"), os.path.join(stage, "sbin", "lbtest-init"))
    install_dumptools(stage)
    if own_kernel:
        lbvm.own_kernel()
        # Unsigned: MOK_KEY= keeps this host's DKMS key out of the test.
        run(["make", "-s", "-C", lbvm.ROOT, "install-capture-kernel", f"DESTDIR={stage}",
             "MOK_KEY="], "make install-capture-kernel")
    with open(os.path.join(stage, "etc", "lifeboat.conf"), "w") as f:
        f.write(conf_text)
    boot = os.path.join(stage, "boot")
    os.makedirs(boot, exist_ok=True)
    shutil.copy(e["KVMLINUZ"], os.path.join(boot, f"vmlinuz-{e['KVER']}"))
    moddir = os.path.join(stage, "lib", "modules", e["KVER"])
    for name in ("modules.order", "modules.builtin", "modules.builtin.modinfo"):
        src = os.path.join(e["KROOT"], "lib", "modules", e["KVER"], name)
        if os.path.exists(src):
            shutil.copy(src, moddir)
    os.makedirs(os.path.join(moddir, "extra"), exist_ok=True)
    shutil.copy(module, os.path.join(moddir, "extra", "lifeboat.ko"))
    run(["depmod", "-b", stage, e["KVER"]], "depmod")
    for name, files in old_dumps:
        d = os.path.join(stage, "var", "crash", name)
        os.makedirs(d)
        for fname, text in files.items():
            with open(os.path.join(d, fname), "w") as f:
                f.write(text)
    for src, dest in extra_files:
        os.makedirs(os.path.dirname(os.path.join(stage, dest)), exist_ok=True)
        shutil.copy(src, os.path.join(stage, dest))
    for d in ("proc", "sys", "dev", "run", "tmp", "var/lib/lifeboat"):
        os.makedirs(os.path.join(stage, d), exist_ok=True)
    disk = os.path.join(work, "root.ext4")
    with open(disk, "wb") as f:
        f.truncate(size_mb << 20)
    run(["mkfs.ext4", "-q", "-F", "-L", LABEL, "-d", stage, disk], "mkfs.ext4 -d")
    shutil.rmtree(stage)
    return disk


def boot_initramfs(work, bus="virtio"):
    _, dev, modules = BUSES[bus]
    return lbvm.build_initramfs(os.path.join(work, "boot.img"), BOOT_INIT.replace("@DEV@", dev),
                                modules=modules)


def run_cycle(work, conf_text, done_markers=("done",), mem="1G", timeout=420, bus="virtio",
              kernel_append="crashkernel=256M", **rootfs):
    """Boot the guest with its root disk on bus (virtio or nvme), let it crash
    and come back. Returns (result, disk)."""
    disk = build_rootfs(work, conf_text, **rootfs)
    initrd = boot_initramfs(work, bus)
    vm = lbvm.VM(work, initrd, f"console=ttyS0 {kernel_append}".strip(), mem=mem, smp=2,
                 timeout=timeout, done_markers=done_markers, fail_markers=("boot-failed",),
                 reboot=True, name="capture-side", markers=MARKERS,
                 extra_args=BUSES[bus][0](disk))
    return vm.run(), disk


def run_start_only(work, disk, kernel_append, name):
    """Boot once with the root disk and the given command line; the unit's
    command runs and its output lands between start-begin and start-end."""
    initrd = boot_initramfs(work)
    vm = lbvm.VM(work, initrd, f"console=ttyS0 {kernel_append}".strip(), smp=2, timeout=300,
                 fail_markers=("boot-failed",), name=name, markers=MARKERS,
                 extra_args=BUSES["virtio"][0](disk))
    return vm.run()


def between(res, a, b):
    """Serial lines after marker a and before marker b (the last pair)."""
    out, inside = [], False
    for _, line in res.lines:
        if f"LBMARK {a}" in line:
            out, inside = [], True
            continue
        if f"LBMARK {b}" in line:
            inside = False
            continue
        if inside:
            out.append(line)
    return "\n".join(out)


def disk_read(disk, path):
    """Text of a file on the ext4 image, or None."""
    r = subprocess.run(["debugfs", "-R", f"cat {path}", disk], capture_output=True, text=True,
                       errors="replace")
    if r.returncode != 0 or "File not found" in r.stderr:
        return None
    return r.stdout


def meta(disk, dumpdir):
    text = disk_read(disk, f"{dumpdir}/metadata.txt")
    if text is None:
        return None
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
