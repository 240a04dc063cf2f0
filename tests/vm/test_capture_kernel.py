# SPDX-License-Identifier: GPL-2.0
"""
Issue 14: Lifeboat's own capture kernel (capture-kernel/, `make
capture-kernel`), a tinyconfig build of Debian's 6.1 source. Each test runs
a chain of the stock-kernel suite with it in place of the guest's kernel:

- 6.1 under SeaBIOS, loaded unpacked, with the command line `lifeboat
  start` gives;
- 6.12 under OVMF, loaded as the bzImage it is (a 6.1 capture kernel reads
  a 6.12 kernel's dump: the tools read it through its VMCOREINFO);
- two deaths that start the capture kernel on a CPU other than the boot
  CPU: sysrq-c on the last of 4 CPUs, and panic() in an NMI on CPU 1;
- Secure Boot: signed with the SnakeOil key, it loads under lockdown and
  captures;
- the smallest region that captures a 1 GiB guest, and the size below it
  refused by `lifeboat load`;
- installed by `make install` on a machine booted without crashkernel=:
  `lifeboat start` picks it and takes the estimate's region at run time;
- host only: `make install` signs it with a DKMS-style key.

Every dump is read by crash and drgn (the checker). The capture kernel's
banner must name the -lifeboat release, so a test cannot pass on the stock
kernel. `make test-capture-kernel` runs the whole VM suite with it
(LIFEBOAT_CAPTURE_KERNEL=lifeboat).
"""
import os
import re
import subprocess

import capture
import capture_side
import checker
import lbvm
import lifeboat_chain
import scenarios
import test_capture_path
import test_capture_side
import test_secureboot
import test_unpacked

ORDER = 26


def own_banner(res):
    """The capture kernel's `Linux version` line, the second of the run
    (the first is the guest's boot), must be Lifeboat's build."""
    k = lbvm.own_kernel()
    banners = re.findall(r"\] Linux version (\S+) ", res.text())
    assert len(banners) >= 2, f"no capture kernel banner after the first one:\n{res.tail(40)}"
    assert banners[1] == k["KVER"], \
        f"the capture kernel was {banners[1]}, not Lifeboat's {k['KVER']}"


def run_chain(kernel, firmware, load_args, name):
    with lbvm.guest(kernel, firmware, capture="lifeboat"):
        e = lbvm.env()
        work = lbvm.workdir(f"own-{name}-{e['KNAME']}-{firmware}")
        res, disk = lifeboat_chain.run(work, kernel_append="crashkernel=256M",
                                       capture_append=capture.START_APPEND,
                                       load_args=load_args, name=name)
        figures = test_capture_path.check_chain(res, disk, work)
        own_banner(res)
        figures["capture_free_mib"] = test_unpacked.capture_free_mib(res)
        return res, figures


def test_own_kernel_61_bios_unpacked():
    """6.1, SeaBIOS, loaded unpacked: captured, read by crash and drgn."""
    res, figures = run_chain("6.1", "bios", "--unpack", "unpacked")
    m = re.search(r"loader=unpacked kernel=(\d+)@0x[0-9a-f]+", res.text())
    assert m, f"the module did not take the unpacked loader:\n{res.tail(40)}"
    figures["kernel_mb"] = f"{int(m.group(1)) / 1e6:.1f}"
    return figures


def test_own_kernel_612_uefi_bzimage():
    """6.12, OVMF, loaded as a bzImage: captured, read by crash and drgn."""
    res, figures = run_chain("6.12", "uefi", "", "bzimage")
    assert "efi: EFI v" in res.text(), "the guest did not boot through OVMF"
    assert re.search(r"loader=bzImage ", res.text()), \
        f"the module did not take the bzImage loader:\n{res.tail(40)}"
    return figures


def run_scenario(name):
    with lbvm.guest("6.1", "bios", capture="lifeboat"):
        return scenarios.run_scenario(scenarios.BY_NAME[name], scenarios.ARMS["lifeboat"](),
                                      check=own_banner)


def test_own_kernel_sysrq_last_cpu():
    """sysrq-c on the last of 4 CPUs: the capture kernel starts on CPU 3."""
    return run_scenario("s1_sysrq_last_cpu")


def test_own_kernel_nmi_panic_cpu1():
    """panic() in an NMI on CPU 1."""
    return run_scenario("x1_nmi_panic_cpu1")


SB_INIT = lbvm.INIT_PRELUDE + r"""
mark first-init
insmod /lib/lifeboat.ko || { mark arm-failed insmod; poweroff -f; }
lifeboat load --kernel /boot/vmlinuz --initrd /boot/capture.img --append "@APPEND@" \
	> /dev/ttyS0 2>&1 || { mark arm-failed load; poweroff -f; }
lifeboat arm > /dev/ttyS0 2>&1 || { mark arm-failed arm; poweroff -f; }
cat /sys/kernel/lifeboat/image > /dev/ttyS0
kmark armed
kmark trigger
echo c > /proc/sysrq-trigger
"""


def test_own_kernel_secureboot():
    """Secure Boot, lockdown integrity: the capture kernel signed with the
    SnakeOil key loads, is verified by the platform keyring, and captures."""
    with lbvm.guest("6.1", "secureboot", capture="lifeboat"):
        work = lbvm.workdir("own-secureboot")
        key, cert = test_secureboot.signing_material(work)
        signed = os.path.join(work, "vmlinuz.own.signed")
        test_secureboot.run(["sbsign", "--key", key, "--cert", cert, "--output", signed,
                             lbvm.own_kernel()["VMLINUZ"]], "sbsign")
        stock_signed = test_secureboot.kernel_images(work, key, cert)[1]
        ko = test_secureboot.sign_module(work, key, cert, lbvm.kmod("lifeboat.ko"))
        first = lbvm.build_initramfs(
            os.path.join(work, "first.img"),
            SB_INIT.replace("@APPEND@", capture.START_APPEND),
            bins=capture.lifeboat_bins(),
            files=[f"{signed}:/boot/vmlinuz", f"{capture.capture_image()}:/boot/capture.img",
                   f"{ko}:/lib/lifeboat.ko"])
        disk = lbvm.make_disk(os.path.join(work, "dump.ext4"))
        vm = lbvm.VM(work, first, "console=ttyS0 crashkernel=256M", kernel=stock_signed,
                     disk=disk, timeout=400, name="own-secureboot",
                     fail_markers=("arm-failed", "capture-failed"))
        res = vm.run()
        text = res.text()
        assert "Secure boot enabled" in text, f"Secure Boot is not on:\n{res.tail(40)}"
        assert "signed=platform " in text, \
            f"the capture kernel was not verified by the platform keyring:\n{res.tail(40)}"
        figures = test_capture_path.check_chain(res, disk, work)
        own_banner(res)
        return figures


# The smallest region that captures a 1 GiB guest with Lifeboat's kernel
# unpacked (calibrate_reserve.py: 48M and 40M captured, 36M ran out of
# memory, which `lifeboat load` now refuses: 17 MiB free of 20).
SMALLEST_MIB = 40
SHORT_MIB = 36


def test_own_kernel_smallest_region():
    """Lifeboat's kernel unpacked, the start command line, 1 GiB guest: 40M
    captures and the dump passes the checker; 36M is refused by `lifeboat
    load` with what is short, nothing armed."""
    res, figures = test_unpacked.smallest_region("lifeboat", SMALLEST_MIB, SHORT_MIB, 20, "own")
    own_banner(res)
    return figures


def test_own_kernel_installed_start():
    """Installed by `make install` beside the tools, on a machine booted
    without crashkernel=: `lifeboat start` (the unit's command) picks it,
    builds the capture initramfs from its modules, takes the estimate's
    region at run time and arms; `lifeboat status` names it. sysrq-c: the
    saver, under Lifeboat's kernel, saves a complete dump that crash and
    drgn read, and the machine comes back."""
    e = lbvm.env()
    k = lbvm.own_kernel()
    work = lbvm.workdir("own-installed")
    with open(os.path.join(lbvm.ROOT, "dumptools", "lifeboat.conf")) as f:
        conf = f.read()
    res, disk = capture_side.run_cycle(work, conf, kernel_append="", own_kernel=True)
    tail = f"serial log tail ({res.log_path}):\n{res.tail(60)}"
    assert not res.timed_out, f"time limit reached; {tail}"
    boot1 = res.text().split("LBMARK boot 2", 1)[0]
    assert re.search(rf"kernel:\s+Lifeboat's own capture kernel {re.escape(k['KVER'])} "
                     r"\(/usr/lib/lifeboat/capture-kernel/vmlinuz\)", boot1), \
        f"lifeboat status does not name Lifeboat's kernel; {tail}"
    armed = re.search(r"lifeboat: armed: capture kernel /usr/lib/lifeboat/capture-kernel/vmlinuz "
                      r"\(Lifeboat's own\), initramfs \S+, (\d+) MiB taken at run time, "
                      r"(\d+) MiB needed", boot1)
    assert armed, f"lifeboat start did not arm with Lifeboat's kernel at run time; {tail}"
    assert res.marker_args.get("armed") == "1", f"not armed on the first boot; {tail}"
    for m in ("panic", "capture-kernel", "capture-init", "dump-saved", "final-action"):
        assert m in res.markers, f"marker '{m}' never seen; {tail}"
    own_banner(res)
    assert "LBMARK armed 2" in res.text(), f"not armed again after the reboot; {tail}"
    names = [n for n in test_capture_side.dumps_on(disk)]
    assert len(names) == 1, f"/var/crash holds {names}"
    d = f"/var/crash/{names[0]}"
    md = capture_side.meta(disk, d)
    assert md and md.get("status") == "complete" and md.get("kernel_release") == e["KVER"], md
    vmcore = lbvm.disk_get(disk, f"{d}/vmcore", os.path.join(work, "vmcore"))
    problems, _ = checker.check_dump(e["VMLINUX_DBG"], vmcore, "sysrq triggered crash", 2)
    assert not problems, "checker: " + "; ".join(problems)
    return {"region_mib": armed.group(1), "needed_mib": armed.group(2),
            "panic_to_capture_init": f"{res.since('panic', 'capture-init'):.1f}s",
            "capture_init_to_saved": f"{res.since('capture-init', 'dump-saved'):.1f}s",
            "saver_s": md.get("save_seconds")}


def test_own_kernel_install_signs():
    """Host only: `make install-capture-kernel` with a DKMS-style key (a PEM
    private key, a DER certificate) installs the kernel signed so that
    sbverify accepts it with that certificate, the modules beside it; with
    no key, the kernel as built, byte for byte."""
    k = lbvm.own_kernel()
    work = lbvm.workdir("own-install")
    key, der, pem = (os.path.join(work, n) for n in ("mok.key", "mok.pub", "mok.pem"))
    test_secureboot.run(["openssl", "req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes",
                         "-days", "1", "-subj", "/CN=lifeboat test MOK/", "-outform", "DER",
                         "-keyout", key, "-out", der], "openssl req")
    test_secureboot.run(["openssl", "x509", "-inform", "DER", "-in", der, "-out", pem],
                        "openssl x509")
    signed_root = os.path.join(work, "signed")
    test_secureboot.run(["make", "-s", "-C", lbvm.ROOT, "install-capture-kernel",
                         f"DESTDIR={signed_root}", f"MOK_KEY={key}", f"MOK_CERT={der}"],
                        "make install-capture-kernel (signed)")
    dest = os.path.join(signed_root, "usr", "lib", "lifeboat", "capture-kernel")
    vmlinuz = os.path.join(dest, "vmlinuz")
    r = subprocess.run(["sbverify", "--cert", pem, vmlinuz], capture_output=True, text=True)
    assert r.returncode == 0, f"sbverify refused the installed kernel: {r.stderr.strip()}"
    other = os.path.join(work, "other.pem")
    test_secureboot.run(["openssl", "req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes",
                         "-days", "1", "-subj", "/CN=another key/", "-keyout",
                         os.path.join(work, "other.key"), "-out", other], "openssl req")
    r = subprocess.run(["sbverify", "--cert", other, vmlinuz], capture_output=True, text=True)
    assert r.returncode != 0, "sbverify accepted the kernel with a certificate that did not sign it"
    mods = os.path.join(dest, "lib", "modules", k["KVER"])
    for want in ("modules.dep", "modules.builtin"):
        assert os.path.exists(os.path.join(mods, want)), f"no {want} installed in {mods}"
    with open(os.path.join(dest, "release")) as f:
        assert f.read().strip() == k["KVER"]

    plain_root = os.path.join(work, "plain")
    test_secureboot.run(["make", "-s", "-C", lbvm.ROOT, "install-capture-kernel",
                         f"DESTDIR={plain_root}", "MOK_KEY="], "make install-capture-kernel")
    with open(os.path.join(plain_root, "usr", "lib", "lifeboat", "capture-kernel", "vmlinuz"),
              "rb") as a, open(k["VMLINUZ"], "rb") as b:
        assert a.read() == b.read(), "without a key, the installed kernel is not the one built"
    return {"signed_bytes": os.path.getsize(vmlinuz), "built_bytes": os.path.getsize(k["VMLINUZ"])}
