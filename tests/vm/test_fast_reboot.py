# SPDX-License-Identifier: GPL-2.0
"""
Issue 11, the fast reboot: `lifeboat reboot` loads a new kernel through the
module, and the next restart jumps into it after the devices are shut down,
without the firmware.

Planned fast reboot, one VM per row (make test: 6.1 under SeaBIOS, 6.12
under OVMF; make test-kernels: every kernel under both): the first boot
writes a file to a virtio disk, loads the fast reboot of the same kernel
with a command line that carries a fresh token (lbfast=...) and reboots with
`lifeboat reboot --now`. QEMU runs with -no-reboot, so a reset through the
firmware would end it: a second kernel that comes up at all came up without
the firmware. It must have the token in /proc/cmdline, see the RAM the first
one saw, every CPU, and the disk (the first boot's file read back, a file of
its own written, which the host reads out of the image); the console must
show the jump line and no oops.

Refusals and a damaged image, in one boot on 6.1 under SeaBIOS: an offline
CPU, a file that is no kernel, a missing kernel or initramfs and the
kernel's own kexec image loaded are each refused with their sentence, and
the fast_reboot file still reads `none` after each; a good load, cancelled
(--cold), reads `none` again; then a load whose first page the crasher
damages (debugfs poke_phys) falls back to a firmware reboot, which ends
QEMU, with the digest named as the reason.
"""
import os
import re
import secrets

import capture
import fast_reboot as fr
import lbvm
import test_capture_path as tcp

ORDER = 32

# The modules for the virtio disk with ext4 on it.
MODULES = lbvm.DISK_MODULES

# Every boot of the planned fast reboot runs this init; the second tells
# itself apart by the token on its command line.
PLANNED_INIT = lbvm.INIT_PRELUDE + r"""
TOKEN=@TOKEN@
K=/boot/vmlinuz; I=/boot/next.img
fail() { mark fast-failed "$*"; poweroff -f; }
memtotal() { awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo; }
if grep -q "lbfast=$TOKEN" /proc/cmdline; then
	mark second-init
	echo "LBCMDLINE2 $(cat /proc/cmdline)" > /dev/ttyS0
	echo "LBMEM2 $(memtotal)" > /dev/ttyS0
	echo "LBCPUS2 $(cat /sys/devices/system/cpu/online)" > /dev/ttyS0
	if [ -d /sys/firmware/efi ]; then echo "LBEFI2 yes"; else echo "LBEFI2 no"; fi > /dev/ttyS0
	load_modules
	wait_for /dev/vda 100 || fail "second boot: no /dev/vda"
	mount -t ext4 /dev/vda /mnt || fail "second boot: cannot mount /dev/vda"
	echo "LBFIRSTFILE $(cat /mnt/first.txt)" > /dev/ttyS0
	echo "$TOKEN second" > /mnt/second.txt || fail "second boot: cannot write"
	umount /mnt || fail "second boot: cannot unmount"
	mount -t ext4 -o ro /dev/vda /mnt || fail "second boot: cannot mount again"
	echo "LBSECONDFILE $(cat /mnt/second.txt)" > /dev/ttyS0
	umount /mnt
	sync
	mark done
	poweroff -f
fi
mark first-init
echo "LBMEM1 $(memtotal)" > /dev/ttyS0
echo "LBCPUS1 $(cat /sys/devices/system/cpu/online)" > /dev/ttyS0
load_modules
wait_for /dev/vda 100 || fail "first boot: no /dev/vda"
mount -t ext4 /dev/vda /mnt || fail "first boot: cannot mount /dev/vda"
echo "$TOKEN first" > /mnt/first.txt
umount /mnt || fail "first boot: cannot unmount"
insmod /lib/lifeboat.ko > /dev/ttyS0 2>&1 || fail insmod
[ "$(cat @SYSFS@)" = none ] || fail "fast_reboot does not read none after insmod"
mark reboot
lifeboat reboot --kernel $K --initrd $I --append "@APPEND@" --now > /dev/ttyS0 2>&1
fail "lifeboat reboot --now returned with status $?"
"""


def nested_images(work, init, bins=(), files=(), modules=MODULES):
    """The initramfs to boot, holding the same initramfs as /boot/next.img,
    for the new kernel: both run the same init."""
    common = dict(bins=list(bins), modules=list(modules))
    nxt = lbvm.build_initramfs(os.path.join(work, "next.img"), init, files=list(files), **common)
    return lbvm.build_initramfs(os.path.join(work, "first.img"), init,
                                files=list(files) + [f"{nxt}:/boot/next.img"], **common)


def guest_files(crasher=False):
    e = lbvm.env()
    files = [f"{e['KVMLINUZ']}:/boot/vmlinuz", f"{lbvm.kmod('lifeboat.ko')}:/lib/lifeboat.ko"]
    if crasher:
        files.append(f"{lbvm.kmod('crasher.ko')}:/lib/crasher.ko")
    return files


def fmt(x):
    return "n/a" if x is None else f"{x:.1f}s"


def planned(kernel, firmware):
    """One planned fast reboot (see the module's docstring); the figures."""
    with lbvm.guest(kernel, firmware):
        kname = lbvm.env()["KNAME"]
        work = lbvm.workdir(f"fastreboot-{kname}-{firmware}")
        token = secrets.token_hex(6)
        append = f"console=ttyS0 lbfast={token}"
        init = (PLANNED_INIT.replace("@TOKEN@", token).replace("@APPEND@", append)
                .replace("@SYSFS@", fr.SYSFS))
        first = nested_images(work, init, bins=capture.lifeboat_bins(), files=guest_files())
        disk = lbvm.make_disk(os.path.join(work, "disk.ext4"), size_mb=64)
        vm = lbvm.VM(work, first, "console=ttyS0", disk=disk, timeout=300, name="fastreboot",
                     fail_markers=("fast-failed", "panic"))
        assert "-no-reboot" in vm.qemu_cmd(), "QEMU must run with -no-reboot here"
        res = vm.run()
    return check_planned(res, work, disk, token, append, firmware)


def check_planned(res, work, disk, token, append, firmware):
    tail = f"serial log {res.log_path}, last 40 lines:\n{res.tail(40)}"
    assert not res.timed_out, f"time limit reached; {tail}"
    assert "fast-failed" not in res.markers, f"{res.marker_args['fast-failed']}; {tail}"
    assert "panic" not in res.markers, f"the guest panicked; {tail}"
    assert "reboot" in res.markers, f"the first boot never got to the reboot; {tail}"
    text = res.text()
    assert fr.LOADED_RE.search(text), f"no 'lifeboat: fast reboot loaded:' line; {tail}"
    if "second-init" not in res.markers:
        why = fr.ABANDON_RE.search(text)
        if why:
            raise AssertionError(f"the fast reboot was abandoned: {why.group(1)}; {tail}")
        raise AssertionError(f"no second boot (QEMU ended with status {res.exit_code}); {tail}")
    assert "done" in res.markers, f"the second boot did not finish; {tail}"
    oops = [ln for _, ln in res.lines if fr.OOPS_RE.search(ln) or fr.WARN_RE.search(ln)]
    assert not oops, f"the kernel oopsed or warned: {oops[0]}; {tail}"
    # The serial console never saw a firmware reboot: no restart through
    # the firmware was announced, and under OVMF the EFI stub, which runs
    # at each boot through the firmware, ran once.
    fw = [ln for _, ln in res.lines if fr.FW_RESTART_RE.search(ln)]
    assert not fw, f"the kernel announced a firmware reboot: {fw[0]}; {tail}"
    if firmware != "bios":
        stubs = fr.count(res, fr.EFI_STUB_RE)
        assert stubs == 1, f"the EFI stub ran {stubs} times: expected once, in the first boot only"

    t_reboot = res.markers["reboot"]
    t_jump = fr.when(res, fr.JUMP_RE, t_reboot)
    assert t_jump is not None, f"no 'fast reboot: jumping to the new kernel' line; {tail}"
    t_linux = fr.when(res, fr.LINUX_RE, t_jump)
    assert t_linux is not None, f"no second 'Linux version' line after the jump; {tail}"
    assert fr.count(res, fr.LINUX_RE) == 2, \
        f"{fr.count(res, fr.LINUX_RE)} 'Linux version' lines: expected two boots in one QEMU"

    cmdline = fr.first(res, "LBCMDLINE2")
    assert cmdline is not None and f"lbfast={token}" in cmdline.split(), \
        f"the new kernel's /proc/cmdline lacks lbfast={token}: '{cmdline}'"
    assert cmdline.strip() == append, f"the new kernel's command line is '{cmdline}', asked '{append}'"
    m1, m2 = int(fr.first(res, "LBMEM1")), int(fr.first(res, "LBMEM2"))
    # The same kernel on the same firmware map: the pages it reserves
    # differ only a little (the initramfs is freed after it is unpacked).
    assert abs(m1 - m2) <= m1 // 50, \
        f"MemTotal {m1} kB in the first boot, {m2} kB after the fast reboot: more than 2% apart"
    cpus1, cpus2 = fr.first(res, "LBCPUS1"), fr.first(res, "LBCPUS2")
    assert cpus2 == cpus1, f"CPUs online: '{cpus1}' in the first boot, '{cpus2}' after the fast reboot"
    first_file = fr.first(res, "LBFIRSTFILE")
    assert first_file == f"{token} first", f"the second boot read '{first_file}' from the first boot's file"
    assert fr.first(res, "LBSECONDFILE") == f"{token} second", "the second boot did not read back its file"
    got = lbvm.disk_get(disk, "/second.txt", os.path.join(work, "second.txt"))
    assert got, f"the second boot's file is not on the disk image: {lbvm.disk_ls(disk)}"
    with open(got) as f:
        assert f.read().strip() == f"{token} second", "the second boot's file on the disk image is wrong"
    if firmware != "bios":
        first_boot = text[:text.find("LBMARK reboot")]
        assert "efi: EFI v" in first_boot, "the first kernel did not boot through OVMF"
    return {"reboot_to_jump": fmt(t_jump - t_reboot), "jump_to_kernel": fmt(t_linux - t_jump),
            "reboot_to_init": fmt(res.markers["second-init"] - t_reboot),
            "memtotal_kb": f"{m1}->{m2}", "efi_after": fr.first(res, "LBEFI2")}


# kernel, firmware
ROWS = [("6.1", "bios"), ("6.12", "uefi")]
# make test-kernels (LIFEBOAT_MATRIX=1): every kernel of tests/kernels.txt
# under both firmwares where it runs in the capture matrix.
MATRIX = ROWS + [("6.1", "uefi"), ("6.12", "bios"), ("6.12-rt", "bios"), ("6.12-cloud", "bios")]


def _make(i, row):
    def fn():
        return planned(*row)
    fn.__name__ = f"test_fast_reboot_{row[0]}_{row[1]}".replace(".", "").replace("-", "_")
    fn.__doc__ = f"A planned fast reboot on {row[0]} under {row[1]}"
    fn.order = i   # run.py runs the rows in this order
    return fn


for _i, _row in enumerate(MATRIX if os.environ.get("LIFEBOAT_MATRIX") == "1" else ROWS):
    _fn = _make(_i, _row)
    globals()[_fn.__name__] = _fn


# ---- refusals, then a damaged image, in one boot ----

REFUSALS_PRELUDE = lbvm.INIT_PRELUDE + r"""
mark first-init
K=/boot/vmlinuz; I=/tmp/initrd.img
S=@SYSFS@
head -c 1048576 /dev/urandom > $I
# Each case prints "LBCASE <name> <exit status> <last line of stderr>" and
# then what the fast_reboot file reads (its first line).
try_case() {	# name command...
	name=$1; shift
	out=$("$@" 2>&1 >/dev/null); rc=$?
	echo "LBCASE $name $rc $(echo "$out" | tail -n 1)" > /dev/ttyS0
	echo "LBSTATE $name $(head -n 1 $S 2>/dev/null)" > /dev/ttyS0
}
"""

GOOD = '--kernel $K --initrd $I --append "console=ttyS0 lbfast=never"'
LOAD_FAILS = r"^lifeboat: cannot load the fast reboot of '%s': "
OFFLINE = (LOAD_FAILS % "/boot/vmlinuz" + r"1 of 2 CPUs are offline: an offline CPU may sit in "
           r"mwait on memory the new kernel overwrites; bring it online first$")
NOT_KERNEL = LOAD_FAILS % "/tmp/garbage.img" + r'unknown kernel format: bzImage: no "HdrS" magic at 0x202: not a bzImage$'
KEXEC_LOADED = (r"^lifeboat: the kernel's own kexec image is loaded: 'systemctl kexec' would use "
                r"it; unload it with 'kexec -u' first$")
Case = tcp.Case
REFUSALS = [
    "insmod /lib/lifeboat.ko > /dev/ttyS0 2>&1 || mark errors-failed insmod",
    "insmod /lib/crasher.ko > /dev/ttyS0 2>&1 || mark errors-failed crasher",
    # `lifeboat reboot` reboots through systemd: here a stand-in that says
    # it was asked, so that the load can be looked at before the reboot.
    "printf '#!/bin/sh\\necho \"LBSYSTEMCTL $*\" > /dev/ttyS0\\n' > /bin/systemctl",
    "chmod 755 /bin/systemctl",
    "dd if=/dev/urandom of=/tmp/garbage.img bs=1k count=1024 2>/dev/null",
    'echo "LBSTATE at-start $(head -n 1 $S)" > /dev/ttyS0',
    Case("dry-run", f"lifeboat reboot --dry-run {GOOD}", 0, r"^$"),
    "echo 0 > /sys/devices/system/cpu/cpu1/online || mark errors-failed offline",
    Case("offline-cpu", f"lifeboat reboot {GOOD}", 1, OFFLINE),
    "echo 1 > /sys/devices/system/cpu/cpu1/online || mark errors-failed online",
    Case("not-a-kernel", "lifeboat reboot --kernel /tmp/garbage.img --initrd $I", 1, NOT_KERNEL),
    Case("missing-kernel", "lifeboat reboot --kernel /nonexistent --initrd $I", 1,
         r"^lifeboat: cannot open kernel '/nonexistent': No such file or directory$"),
    Case("missing-initrd", "lifeboat reboot --kernel $K --initrd /nonexistent.img", 1,
         r"^lifeboat: cannot open initramfs '/nonexistent\.img': No such file or directory$"),
    "kexec -l $K --initrd=$I --append=console=ttyS0 > /dev/ttyS0 2>&1 || mark errors-failed kexec",
    'echo "LBKEXEC $(cat /sys/kernel/kexec_loaded)" > /dev/ttyS0',
    Case("kexec-loaded", f"lifeboat reboot {GOOD}", 1, KEXEC_LOADED),
    "kexec -u || mark errors-failed kexec-unload",
    # A good load, then cancelled: a firmware reboot again.
    Case("load-ok", f"lifeboat reboot {GOOD}", 0, r"^$"),
    "lifeboat status > /tmp/status.txt 2>&1; echo \"LBSTATUS rc=$?\" > /dev/ttyS0",
    "sed 's/^/LBSTATUS /' /tmp/status.txt > /dev/ttyS0",
    Case("cold", "lifeboat reboot --cold", 0, r"^$"),
    # The image damaged after the load: a firmware reboot, which ends QEMU.
    Case("load-again", f"lifeboat reboot {GOOD}", 0, r"^$"),
    "sed 's/^/LBSYSFS /' $S > /dev/ttyS0",
    "page=$(sed -n 's/^first_page=//p' $S)",
    'echo "$page" > /sys/kernel/debug/lifeboat_crasher/poke_phys || mark errors-failed poke',
    'echo "LBSTATE after-poke $(head -n 1 $S)" > /dev/ttyS0',
    # Let the serial port drain before the kernel's lines follow.
    "sleep 0.5",
    "kmark reboot",
    "reboot -f",
    "sleep 30",
    "mark errors-failed no-reboot",
]


def test_fast_reboot_refusals_damaged():
    """Refused up front with nothing half-loaded; a damaged image falls back
    to the firmware"""
    with lbvm.guest("6.1", "bios"):
        work = lbvm.workdir("fastreboot-refusals")
        init = REFUSALS_PRELUDE.replace("@SYSFS@", fr.SYSFS) + "".join(
            f"try_case {row.name} {row.command}\n" if isinstance(row, Case) else row + "\n"
            for row in REFUSALS)
        first = lbvm.build_initramfs(os.path.join(work, "first.img"), init,
                                     bins=capture.lifeboat_bins() + ["/usr/sbin/kexec"],
                                     files=guest_files(crasher=True))
        vm = lbvm.VM(work, first, "console=ttyS0", timeout=240, name="refusals",
                     fail_markers=("errors-failed", "panic"))
        res = vm.run()
    tail = f"serial log {res.log_path}, last 40 lines:\n{res.tail(40)}"
    cases, states = tcp.parse_cases(res)
    assert "panic" not in res.markers, f"the guest panicked; {tail}"
    tcp.check_cases(cases, REFUSALS)
    for name in ("at-start", "dry-run", "offline-cpu", "not-a-kernel", "missing-kernel", "missing-initrd",
                 "kexec-loaded", "cold"):
        assert name in states, f"no state after {name}; {tail}"
        assert states[name][0] == "none", \
            f"after {name} fast_reboot reads '{states[name][0]}', not 'none': something was half-loaded"
    assert fr.first(res, "LBKEXEC") == "1", "kexec -l did not load the kernel's own kexec image"
    for name in ("load-ok", "load-again", "after-poke"):
        assert states[name][0] == "loaded", f"after {name} fast_reboot reads '{states[name][0]}'"
    asked = fr.prefixed(res, "LBSYSTEMCTL")
    assert asked == ["reboot"] * 3, f"systemctl was asked {asked}: expected 'reboot' after each good load and --cold"
    status = fr.prefixed(res, "LBSTATUS")
    assert any(re.fullmatch(r"fast reboot: loaded: .*cmdline console=ttyS0 lbfast=never", ln)
               for ln in status), f"lifeboat status does not show the loaded fast reboot:\n" + "\n".join(status)
    state, keys = fr.parse_sysfs(fr.prefixed(res, "LBSYSFS"))
    assert state == "loaded", f"fast_reboot reads '{state}' after a good load"
    assert keys.get("cmdline") == "console=ttyS0 lbfast=never", f"sysfs cmdline= is '{keys.get('cmdline')}'"
    assert re.fullmatch(r"0x[0-9a-f]+", keys.get("first_page", "")), f"first_page= is '{keys.get('first_page')}'"
    text = res.text()
    assert re.search(r"crasher: poke_phys: byte at %s flipped" % re.escape(keys["first_page"]), text), \
        f"the crasher did not damage {keys['first_page']}; {tail}"

    assert not res.timed_out, f"QEMU did not end after the reboot; {tail}"
    assert res.exit_code == 0, f"QEMU ended with status {res.exit_code}, not by the reset; {tail}"
    assert "errors-failed" not in res.markers, f"{res.marker_args['errors-failed']}; {tail}"
    abandon = fr.ABANDON_RE.search(text)
    assert abandon, f"no 'fast reboot abandoned' line; {tail}"
    assert abandon.group(1) == fr.DIGEST_REASON, f"abandoned for another reason: {abandon.group(1)}"
    assert not fr.JUMP_RE.search(text), "the damaged image was jumped to"
    assert fr.FW_RESTART_RE.search(text[abandon.end():]), \
        f"no firmware restart announced after the fast reboot was abandoned; {tail}"
    assert fr.count(res, fr.LINUX_RE) == 1, "a second kernel came up after the damaged image"
    return {"reboot_to_qemu_end": fmt(res.lines[-1][0] - res.markers["reboot"])
            if "reboot" in res.markers else "n/a"}



# ---- the restart on another CPU than the boot processor ----

NOT_BSP_REASON = "the kernel restarts on a CPU that is not the boot processor (reboot_cpu=)"


def test_fast_reboot_not_on_boot_cpu():
    """reboot=s1 moves the restart to CPU 1: the jump would leave the new
    kernel to start the boot processor with an INIT (as after a capture
    kernel that runs on the CPU that crashed), so the firmware reboots"""
    with lbvm.guest("6.1", "bios"):
        work = lbvm.workdir("fastreboot-not-bsp")
        init = REFUSALS_PRELUDE.replace("@SYSFS@", fr.SYSFS) + "\n".join([
            "insmod /lib/lifeboat.ko > /dev/ttyS0 2>&1 || mark errors-failed insmod",
            "printf '#!/bin/sh\\necho \"LBSYSTEMCTL $*\" > /dev/ttyS0\\n' > /bin/systemctl",
            "chmod 755 /bin/systemctl",
            f"lifeboat reboot {GOOD} > /dev/ttyS0 2>&1 || mark errors-failed load",
            'echo "LBSTATE loaded $(head -n 1 $S)" > /dev/ttyS0',
            "sleep 0.5",
            "kmark reboot",
            "reboot -f",
            "sleep 30",
            "mark errors-failed no-reboot",
        ]) + "\n"
        first = lbvm.build_initramfs(os.path.join(work, "first.img"), init,
                                     bins=capture.lifeboat_bins(), files=guest_files())
        vm = lbvm.VM(work, first, "console=ttyS0 reboot=s1", timeout=240, name="not-bsp",
                     fail_markers=("errors-failed", "panic"))
        res = vm.run()
    tail = f"serial log {res.log_path}, last 40 lines:\n{res.tail(40)}"
    assert "errors-failed" not in res.markers, f"{res.marker_args['errors-failed']}; {tail}"
    assert not res.timed_out, f"QEMU did not end after the reboot; {tail}"
    assert res.exit_code == 0, f"QEMU ended with status {res.exit_code}, not by the reset; {tail}"
    text = res.text()
    assert fr.LOADED_RE.search(text), f"no 'lifeboat: fast reboot loaded:' line; {tail}"
    abandon = fr.ABANDON_RE.search(text)
    assert abandon, f"no 'fast reboot abandoned' line; {tail}"
    assert abandon.group(1) == NOT_BSP_REASON, f"abandoned for another reason: {abandon.group(1)}"
    assert not fr.JUMP_RE.search(text), "the jump was taken from CPU 1"
    assert fr.FW_RESTART_RE.search(text[abandon.end():]), \
        f"no firmware restart announced after the fast reboot was abandoned; {tail}"
    assert fr.count(res, fr.LINUX_RE) == 1, "a second kernel came up"
    return {"reason": abandon.group(1)}
