# SPDX-License-Identifier: GPL-2.0
"""
Secure Boot and lockdown (issue 8). A locked-down kernel lets Lifeboat load
only a capture kernel whose Authenticode signature verifies against the keys
it trusts for kexec, as kexec_file_load() does, and refuses everything else
with nothing changed.

The Secure Boot machine is q35 + OVMF with the SnakeOil keys (lbvm's
"secureboot" firmware): the stock kernel, its Debian signature replaced by a
SnakeOil one, boots with lockdown "integrity" and the SnakeOil certificate in
the platform keyring; lifeboat.ko is signed with the same key by the
kernel's sign-file. There: an unsigned module is refused, the signed one
loads; an unsigned capture kernel and a signed one with a byte changed are
refused with the state and image unchanged; the signed one loads, arms, and
its capture is read by crash and drgn.

Without Secure Boot, lockdown raised at run time after the module was loaded
gives the same refusals, and an image loaded before lockdown can no longer
be armed.
"""
import os
import subprocess

import capture
import lbvm
import test_capture_path as tcp

ORDER = 35

SNAKEOIL_KEY = "/usr/share/ovmf/PkKek-1-snakeoil.key"
SNAKEOIL_CERT = "/usr/share/ovmf/PkKek-1-snakeoil.pem"
SNAKEOIL_PASS = "snakeoil"

LOCKED = "the kernel is locked down and the capture kernel's signature does not verify"
NOT_VERIFIED = "the kernel is locked down and the loaded capture kernel's signature was not verified"


def run(cmd, what):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise lbvm.HarnessError(f"{what} failed: {(r.stderr or r.stdout).strip()}")
    return r


def signing_material(work):
    """The SnakeOil key without its passphrase, and its certificate."""
    key = os.path.join(work, "snakeoil.key")
    run(["openssl", "rsa", "-in", lbvm.need(SNAKEOIL_KEY, "SnakeOil key (package ovmf)"),
         "-passin", f"pass:{SNAKEOIL_PASS}", "-out", key], "openssl rsa")
    return key, lbvm.need(SNAKEOIL_CERT, "SnakeOil certificate (package ovmf)")


def kernel_images(work, key, cert):
    """The guest kernel three ways: unsigned (Debian's signature removed),
    signed with SnakeOil, and signed with one byte of its code changed
    afterwards."""
    e = lbvm.env()
    unsigned = os.path.join(work, "vmlinuz.unsigned")
    signed = os.path.join(work, "vmlinuz.snakeoil")
    tampered = os.path.join(work, "vmlinuz.tampered")
    run(["cp", e["KVMLINUZ"], unsigned], "cp")
    # sbattach fails on an image without a signature: the 6.12 one has none.
    subprocess.run(["sbattach", "--remove", unsigned], capture_output=True)
    run(["sbsign", "--key", key, "--cert", cert, "--output", signed, unsigned], "sbsign")
    with open(signed, "rb") as f:
        data = bytearray(f.read())
    # The middle of the file lies in the compressed kernel, inside .text.
    data[len(data) // 2] ^= 0x01
    with open(tampered, "wb") as f:
        f.write(data)
    return unsigned, signed, tampered


def sign_module(work, key, cert, ko):
    out = os.path.join(work, "lifeboat.signed.ko")
    run(["cp", ko, out], "cp")
    sign_file = os.path.join(lbvm.env()["KDIR"], "scripts", "sign-file")
    run([lbvm.need(sign_file, "the kernel's sign-file"), "sha256", key, cert, out], "sign-file")
    return out


SB_INIT = tcp.CASES_PRELUDE + r"""
mount -t securityfs securityfs /sys/kernel/security
echo "LBLOCKDOWN $(cat /sys/kernel/security/lockdown)" > /dev/ttyS0
out=$(insmod /lib/lifeboat-unsigned.ko 2>&1); rc=$?
echo "LBCASE insmod-unsigned $rc $out" > /dev/ttyS0
insmod /lib/lifeboat.ko || { mark arm-failed insmod; poweroff -f; }
try_case load-unsigned lifeboat load --kernel /boot/vmlinuz-unsigned --initrd $I
try_case load-tampered lifeboat load --kernel /boot/vmlinuz-tampered --initrd $I
try_case load-signed lifeboat load --kernel $K --initrd $I --append "@APPEND@"
try_case load-unsigned-after lifeboat load --kernel /boot/vmlinuz-unsigned --initrd $I
try_case load-unpack lifeboat load --kernel $K --initrd $I --unpack
try_case arm lifeboat arm
cat /sys/kernel/lifeboat/image > /dev/ttyS0
[ "$(cat /sys/kernel/lifeboat/state)" = armed ] || { mark arm-failed state; poweroff -f; }
kmark armed
kmark trigger
echo c > /proc/sysrq-trigger
"""


def why(msg):
    """The reason in a refusal, after the sentence every refusal starts with."""
    return msg.split(LOCKED, 1)[-1].strip(": ")[:60]


def expect_refused(cases, states, name, pattern, state):
    tcp.expect(cases, name, 1, pattern)
    assert states.get(name, ("",))[0] == state, \
        f"{name}: state '{states.get(name)}' after the refusal, expected '{state}'"


def test_secureboot_signed_capture_and_refusals():
    """Secure Boot: unsigned module refused, signed loads; unsigned and
    tampered capture kernels refused with nothing changed; the signed one
    arms and captures; crash and drgn read the dump."""
    # The stock kernel, signed here: test_capture_kernel signs Lifeboat's own.
    with lbvm.guest(None, "secureboot", capture="stock"):
        work = lbvm.workdir("secureboot")
        key, cert = signing_material(work)
        unsigned, signed, tampered = kernel_images(work, key, cert)
        ko = lbvm.kmod("lifeboat.ko")
        cap = capture.capture_image()
        init = SB_INIT.replace("@APPEND@", capture.CAPTURE_APPEND)
        first = lbvm.build_initramfs(
            os.path.join(work, "first.img"), init,
            bins=capture.lifeboat_bins(),
            files=[f"{signed}:/boot/vmlinuz", f"{unsigned}:/boot/vmlinuz-unsigned",
                   f"{tampered}:/boot/vmlinuz-tampered", f"{cap}:/boot/capture.img",
                   f"{sign_module(work, key, cert, ko)}:/lib/lifeboat.ko",
                   f"{ko}:/lib/lifeboat-unsigned.ko"])
        disk = lbvm.make_disk(os.path.join(work, "dump.ext4"))
        vm = lbvm.VM(work, first, "console=ttyS0 crashkernel=256M", kernel=signed, disk=disk,
                     timeout=400, name="secureboot", fail_markers=("arm-failed", "capture-failed"))
        res = vm.run()
        text = res.text()
        tail = f"serial log {res.log_path}, tail:\n{res.tail()}"
        assert "efi: EFI v" in text, f"the guest did not boot through OVMF; {tail}"
        assert "Secure boot enabled" in text, f"Secure Boot is not on in the guest; {tail}"
        assert "LBLOCKDOWN none [integrity] confidentiality" in text, \
            f"the guest is not locked down to integrity; {tail}"
        cases, states = tcp.parse_cases(res)
        rc, msg = cases.get("insmod-unsigned", (None, ""))
        assert rc not in (None, 0) and "Key was rejected by service" in msg, \
            f"the unsigned module was not refused as Secure Boot wants: {rc} '{msg}'"
        assert "arm-failed" not in res.markers, f"{res.marker_args.get('arm-failed')}; {tail}"
        expect_refused(cases, states, "load-unsigned", LOCKED, "empty")
        expect_refused(cases, states, "load-tampered", LOCKED, "empty")
        tcp.expect(cases, "load-signed", 0, "")
        digest = states["load-signed"][1]
        expect_refused(cases, states, "load-unsigned-after", LOCKED, "loaded")
        assert states["load-unsigned-after"][1] == digest, \
            "a refused load changed the loaded image's digest"
        # Unpacked, the kernel is no longer the file that was signed: refused before the module.
        tcp.expect(cases, "load-unpack", 1,
                   r"^lifeboat: cannot load '\S+' unpacked: this kernel is locked down "
                   r"\(integrity\) and takes only a kernel as it was signed; load it without "
                   r"--unpack$")
        assert states["load-unpack"] == ("loaded", digest), \
            f"the refused unpacked load changed the state: {states['load-unpack']}"
        tcp.expect(cases, "arm", 0, "")
        assert "signed=platform " in text, \
            f"/sys/kernel/lifeboat/image does not say the kernel was verified by the platform keyring; {tail}"
        figures = tcp.check_chain(res, disk, work)
        figures["tampered"] = why(cases["load-tampered"][1])
        return figures


LOCKDOWN_INIT = tcp.CASES_PRELUDE + r"""
mount -t securityfs securityfs /sys/kernel/security
insmod /lib/lifeboat.ko || { mark errors-failed insmod; poweroff -f; }
try_case load-before lifeboat load --kernel $K --initrd $I
echo integrity > /sys/kernel/security/lockdown
echo "LBLOCKDOWN $(cat /sys/kernel/security/lockdown)" > /dev/ttyS0
try_case arm-after-lockdown lifeboat arm
try_case load-unsigned lifeboat load --kernel /boot/vmlinuz-unsigned --initrd $I
try_case load-debian-signed lifeboat load --kernel $K --initrd $I
try_case unload lifeboat unload
mark done
poweroff -f
"""


def test_lockdown_raised_at_run_time():
    """Lockdown raised after the module and an image were loaded: arming is
    refused; an unsigned kernel and Debian's signed one (whose key no
    keyring holds without Secure Boot) are refused; nothing changes."""
    work = lbvm.workdir("lockdown-runtime")
    e = lbvm.env()
    unsigned = os.path.join(work, "vmlinuz.unsigned")
    run(["cp", e["KVMLINUZ"], unsigned], "cp")
    subprocess.run(["sbattach", "--remove", unsigned], capture_output=True)
    res, cases, states = tcp.run_cases(
        work, LOCKDOWN_INIT, "crashkernel=256M", "lockdown",
        extra_files=[f"{unsigned}:/boot/vmlinuz-unsigned"])
    assert "LBLOCKDOWN none [integrity] confidentiality" in res.text(), \
        f"lockdown was not raised: {res.tail()}"
    tcp.expect(cases, "load-before", 0, "")
    digest = states["load-before"][1]
    expect_refused(cases, states, "arm-after-lockdown", NOT_VERIFIED, "loaded")
    expect_refused(cases, states, "load-unsigned", LOCKED, "loaded")
    expect_refused(cases, states, "load-debian-signed", LOCKED, "loaded")
    for name in ("arm-after-lockdown", "load-unsigned", "load-debian-signed"):
        assert states[name][1] == digest, f"{name} changed the loaded image's digest"
    tcp.expect(cases, "unload", 0, "")
    return {"debian_signed": why(cases["load-debian-signed"][1])}

