# SPDX-License-Identifier: GPL-2.0
"""
Issue 3: Lifeboat's own capture path, from panic to a dump that crash and
drgn read, without the kernel's kexec; and bad input refused with a clear
error that changes nothing.
"""
import dataclasses
import os
import re

import capture
import lbvm
import lifeboat_chain
import scenarios

ORDER = 20


def fmt(x):
    return "n/a" if x is None else f"{x:.1f}s"


def check_chain(res, disk, work, cpus=2, panic="sysrq triggered crash"):
    assert not res.timed_out, f"time limit reached; serial log tail:\n{res.tail()}"
    for bad in ("arm-failed", "capture-failed"):
        assert bad not in res.markers, \
            f"{bad} {res.marker_args[bad]}; serial log tail:\n{res.tail()}"
    for m in ("armed", "panic", "capture-kernel", "capture-init", "dump-saved"):
        assert m in res.markers, f"marker '{m}' never seen; serial log tail:\n{res.tail()}"
    text = res.text()
    assert "lifeboat: jumping to the capture kernel" in text, "the jump was not announced"
    assert re.search(r"Command line: elfcorehdr=0x[0-9a-f]+ ", text), \
        "the capture kernel's command line does not start with elfcorehdr="
    vmcore = lbvm.disk_get(disk, "/vmcore", os.path.join(work, "vmcore"))
    assert vmcore, f"no vmcore on the dump disk: {lbvm.disk_ls(disk)}"
    problems, info = scenarios.check_dump(vmcore, panic, cpus)
    assert not problems, "checker: " + "; ".join(problems)
    return {
        "panic_to_capture_kernel": fmt(res.since("panic", "capture-kernel")),
        "panic_to_capture_init": fmt(res.since("panic", "capture-init")),
        "dump_mb": f"{os.path.getsize(vmcore) / 1e6:.1f}",
    }


def test_crashkernel_sysrq():
    """crashkernel=256M, sysrq-c, 1 GiB, 2 CPUs: the dump passes the checker."""
    work = lbvm.workdir("capture-crashkernel")
    res, disk = lifeboat_chain.run(work, kernel_append="crashkernel=256M")
    return check_chain(res, disk, work)


def test_memmap_region():
    """memmap=256M$512M with region=256M@0x20000000: the same, from a reserved
    range; and with 4-level paging (no5lvl), so the capture kernel, whose
    command line lacks no5lvl, switches to 5 levels itself right after the jump."""
    work = lbvm.workdir("capture-memmap")
    res, disk = lifeboat_chain.run(work, kernel_append="memmap=256M$0x20000000 no5lvl",
                                   modparams="region=256M@0x20000000")
    figures = check_chain(res, disk, work)
    assert "(256 MiB, memmap)" in res.text(), "the module did not report the memmap region"
    with open(os.path.join(work, "vmcore"), "rb") as f:
        assert b"NUMBER(pgtable_l5_enabled)=0" in f.read(1 << 20), \
            "the first kernel did not run with 4-level paging"
    return figures


# Each case prints "LBCASE <name> <exit status> <last line of stderr>", then
# the state and digest after it, so the harness can check the refusal and
# that nothing changed.
CASES_PRELUDE = lbvm.INIT_PRELUDE + r"""
mark first-init
try_case() {	# name command...
	name=$1; shift
	out=$("$@" 2>&1 >/dev/null); rc=$?
	echo "LBCASE $name $rc $(echo "$out" | tail -n 1)" > /dev/ttyS0
	echo "LBSTATE $name $(cat /sys/kernel/lifeboat/state 2>/dev/null) $(sed 's/.*sha256=//' /sys/kernel/lifeboat/image 2>/dev/null)" > /dev/ttyS0
}
K=/boot/vmlinuz; I=/boot/capture.img
"""


@dataclasses.dataclass(frozen=True)
class Case:
    """One command the guest runs with try_case, and what it must do: exit
    with status and print message (a regular expression the last line of
    its stderr must match; "^$" for none)."""
    name: str
    command: str
    status: int = None
    message: str = None


def cases_script(rows, end="mark done\npoweroff -f\n"):
    """The guest's init from a table: a Case runs through try_case, a string
    is a shell step as it is. A case without an expectation is an error of
    the test bed."""
    out = [CASES_PRELUDE]
    for row in rows:
        if isinstance(row, Case):
            if row.status is None or row.message is None:
                raise lbvm.HarnessError(f"case '{row.name}' of the refusal table has no expected "
                                        "exit status and message: it would never be checked")
            out.append(f"try_case {row.name} {row.command}\n")
        else:
            out.append(row.rstrip("\n") + "\n")
    return "".join(out) + end


def check_cases(cases, rows):
    """Every Case of the table ran and did what its row says."""
    for row in rows:
        if isinstance(row, Case):
            expect(cases, row.name, row.status, row.message)


NOBODY = "su nobody -s /bin/sh -c"
# Runs in one boot, with no panic. busybox insmod exits with the errno of
# init_module: EINVAL.
ERRORS = [
    "head -c 4096 $K > /tmp/short.img",
    "dd if=/dev/urandom of=/tmp/garbage.img bs=1k count=2048 2>/dev/null",
    "cp $K /tmp/nomagic.img && printf 'XXXX' | dd of=/tmp/nomagic.img bs=1 seek=514 conv=notrunc 2>/dev/null",
    # Module with a region= that is RAM: refused, module not loaded.
    Case("insmod-ram-region", "insmod /lib/lifeboat.ko region=64M@0x4000000", 22, r"Invalid argument"),
    Case("insmod-bad-syntax", "insmod /lib/lifeboat.ko region=lots", 22, r"Invalid argument"),
    "insmod /lib/lifeboat.ko || mark errors-failed insmod",
    Case("arm-empty", "lifeboat arm", 1, r"cannot arm: no capture image is loaded"),
    Case("unload-empty", "lifeboat unload", 1, r"cannot unload: no capture image is loaded"),
    Case("load-missing", "lifeboat load --kernel /nonexistent --initrd $I", 1,
         r"cannot open kernel '/nonexistent': No such file"),
    Case("load-ok", 'lifeboat load --kernel $K --initrd $I --append "console=ttyS0 nr_cpus=1"', 0, r"^$"),
    Case("arm-ok", "lifeboat arm", 0, r"^$"),
    'lifeboat status > /tmp/status.txt; echo "LBSTATUS rc=$?" > /dev/ttyS0',
    "sed 's/^/LBSTATUS /' /tmp/status.txt > /dev/ttyS0",
    Case("load-short", "lifeboat load --kernel /tmp/short.img --initrd $I", 1,
         r"cannot load '/tmp/short.img': .*(too short|truncated|beyond)"),
    Case("load-garbage", "lifeboat load --kernel /tmp/garbage.img --initrd $I", 1,
         r"cannot load '/tmp/garbage.img': .*(not a bzImage|HdrS|no loader)"),
    Case("load-nomagic", "lifeboat load --kernel /tmp/nomagic.img --initrd $I", 1,
         r"cannot load '/tmp/nomagic.img': .*HdrS"),
    Case("load-bigcmdline",
         """lifeboat load --kernel $K --initrd $I --append "$(head -c 2040 /dev/zero | tr '\\0' a)\"""",
         1, r"cannot load '/boot/vmlinuz': .*command line"),
    "echo 'nobody:x:65534:65534::/:/bin/sh' >> /etc/passwd",
    Case("arm-nonroot", f"{NOBODY} 'lifeboat arm'", 1, r"cannot open /dev/lifeboat: Permission denied"),
    Case("disarm-nonroot", f"{NOBODY} 'echo 0 > /sys/kernel/lifeboat/armed'", 1, r"Permission denied"),
    Case("reload-ok", 'lifeboat load --kernel $K --initrd $I --append "console=ttyS0 nr_cpus=1 reloaded"',
         0, r"^$"),
    'echo "LBCMDLINE $(cat /sys/kernel/lifeboat/cmdline)" > /dev/ttyS0',
    Case("sysfs-disarm", "sh -c 'echo 0 > /sys/kernel/lifeboat/armed'", 0, r"^$"),
    Case("sysfs-arm", "sh -c 'echo 1 > /sys/kernel/lifeboat/armed'", 0, r"^$"),
    Case("unload-ok", "lifeboat unload", 0, r"^$"),
    Case("rmmod", "rmmod lifeboat", 0, r"^$"),
]

# One load with the module in, on a machine whose region is too small or
# missing: the two tests expect different refusals of the same command.
SMALL_LOAD = "lifeboat load --kernel /boot/vmlinuz --initrd /boot/capture.img"
SMALL = [Case("load-small-region", SMALL_LOAD, 1, r"cannot load '/boot/vmlinuz': .*region.*MiB")]
NO_REGION = [Case("load-small-region", SMALL_LOAD, 1,
                  r"cannot load '/boot/vmlinuz': no reserved region: boot with crashkernel=SIZE")]


def small_script(rows):
    return cases_script(["insmod /lib/lifeboat.ko"] + rows)


def run_cases(work, init, append, name, extra_files=()):
    cap = capture.capture_image()
    first = lbvm.build_initramfs(
        os.path.join(work, "first.img"), init,
        bins=capture.lifeboat_bins(),
        files=capture.first_files(cap) + list(extra_files))
    vm = lbvm.VM(work, first, f"console=ttyS0 {append}", timeout=180, name=name,
                 fail_markers=("errors-failed", "panic"))
    res = vm.run()
    return (res,) + parse_cases(res)


def parse_cases(res):
    """The LBCASE and LBSTATE lines of a run, by case name."""
    assert not res.timed_out, f"time limit reached; serial log tail:\n{res.tail()}"
    assert "errors-failed" not in res.markers, f"setup failed: {res.tail()}"
    cases, states = {}, {}
    for _, line in res.lines:
        m = re.match(r"^LBCASE (\S+) (\d+) ?(.*)$", line)
        if m:
            cases[m.group(1)] = (int(m.group(2)), m.group(3))
        m = re.match(r"^LBSTATE (\S+) ?(\S*) ?(\S*)$", line)
        if m:
            states[m.group(1)] = (m.group(2), m.group(3))
    return cases, states


def expect(cases, name, rc, pattern):
    assert name in cases, f"case {name} did not run"
    got_rc, msg = cases[name]
    assert got_rc == rc, f"{name}: exit status {got_rc}, expected {rc} ({msg})"
    assert re.search(pattern, msg), f"{name}: message '{msg}' does not match '{pattern}'"


def test_bad_input_changes_nothing():
    """Refusals with a clear error; the armed image survives every failed load."""
    work = lbvm.workdir("capture-errors")
    res, cases, states = run_cases(work, cases_script(ERRORS), "crashkernel=256M", "errors")
    text = res.text()
    check_cases(cases, ERRORS)
    assert re.search(r"lifeboat: region=64M@0x4000000 overlaps System RAM", text), \
        "insmod with a RAM region= did not say why"
    assert "is not SIZE@START" in text, "insmod with a malformed region= did not say why"
    status = "\n".join(line[len("LBSTATUS "):] for _, line in res.lines
                        if line.startswith("LBSTATUS "))
    assert "rc=0" in status, f"lifeboat status did not exit 0 when armed: {status}"
    for pattern in (r"^state: +armed$", r"^region: +0x[0-9a-f]+-0x[0-9a-f]+, 256 MiB \(crashkernel\)$",
                    r"^image: +loader=bzImage kernel=\d+@0x[0-9a-f]+ .*sha256=[0-9a-f]{64}$",
                    r"^cmdline: +elfcorehdr=0x[0-9a-f]+ console=ttyS0 nr_cpus=1$"):
        assert re.search(pattern, status, re.M), f"lifeboat status lacks '{pattern}':\n{status}"
    armed = states["arm-ok"]
    assert armed[0] == "armed" and len(armed[1]) == 64, f"after arm: {armed}"
    for c in ("load-short", "load-garbage", "load-nomagic", "load-bigcmdline"):
        assert states[c] == armed, f"after {c} the image changed: {states[c]} != {armed}"
    assert states["disarm-nonroot"] == armed, "a non-root write disarmed"
    assert states["reload-ok"][0] == "armed", "a new load dropped the armed state"
    assert states["reload-ok"][1] != armed[1], "a new command line left the digest as it was"
    assert re.search(r"^LBCMDLINE elfcorehdr=0x[0-9a-f]+ console=ttyS0 nr_cpus=1 reloaded$", text,
                     re.M), "the reloaded command line is not in sysfs"
    assert states["sysfs-disarm"][0] == "loaded"
    assert states["sysfs-arm"][0] == "armed"
    assert states["unload-ok"][0] == "empty"


def test_region_too_small():
    """crashkernel=72M cannot hold the stock kernel's init_size plus a working
    margin (32M for Lifeboat's own capture kernel, 17 MiB of init_size)."""
    work = lbvm.workdir("capture-small")
    size = "32M" if lbvm.capture_kernel()["OWN"] else "72M"
    res, cases, states = run_cases(work, small_script(SMALL), f"crashkernel={size}", "small")
    check_cases(cases, SMALL)
    assert states["load-small-region"][0] == "empty"


def test_no_region():
    """Without crashkernel= or region=, the module loads but says why it cannot."""
    work = lbvm.workdir("capture-noregion")
    res, cases, states = run_cases(work, small_script(NO_REGION), "", "noregion")
    check_cases(cases, NO_REGION)
    assert states["load-small-region"][0] == "empty"


KDUMP_LOAD = 'kexec -p $K --initrd=$I --append="console=ttyS0 nr_cpus=1" > /dev/ttyS0 2>&1'
KDUMP = [
    "insmod /lib/lifeboat.ko || mark errors-failed insmod",
    Case("load-ok", 'lifeboat load --kernel $K --initrd $I --append "console=ttyS0 nr_cpus=1"', 0, r"^$"),
    Case("arm-ok", "lifeboat arm", 0, r"^$"),
    f"{KDUMP_LOAD} || mark errors-failed kexec",
    Case("load-while-kdump", "lifeboat load --kernel $K --initrd $I", 1,
         r"kernel's own crash kernel is loaded \(kexec -p\)"),
    Case("disarm-ok", "lifeboat disarm", 0, r"^$"),
    Case("arm-while-kdump", "lifeboat arm", 1, r"cannot arm: the kernel's own crash kernel is loaded"),
    "kexec -p -u || mark errors-failed kexec-unload",
    Case("arm-overwritten", "lifeboat arm", 1, r"cannot arm: the capture image in the region was overwritten"),
    Case("reload-ok", 'lifeboat load --kernel $K --initrd $I --append "console=ttyS0 nr_cpus=1"', 0, r"^$"),
    Case("rearm-ok", "lifeboat arm", 0, r"^$"),
    # The region is overwritten while armed: at panic the digest must catch it.
    f"{KDUMP_LOAD} && kexec -p -u || mark errors-failed kexec-again",
]
KDUMP_END = "mark trigger\necho c > /proc/sysrq-trigger\n"


def test_kdump_coexistence():
    """The kernel's own kdump in the way: load and arm refused, an overwritten
    image never armed, and at panic a damaged image is left alone."""
    work = lbvm.workdir("capture-kdump")
    cap = capture.capture_image()
    first = lbvm.build_initramfs(
        os.path.join(work, "first.img"), cases_script(KDUMP, end=KDUMP_END),
        bins=capture.lifeboat_bins() + ["/usr/sbin/kexec"],
        files=capture.first_files(cap))
    vm = lbvm.VM(work, first, "console=ttyS0 crashkernel=256M", timeout=180, name="kdump",
                 done_markers=("panic-end", "capture-kernel"), fail_markers=("errors-failed",))
    res = vm.run()
    cases, _ = parse_cases(res)
    check_cases(cases, KDUMP)
    text = res.text()
    assert "capture-kernel" not in res.markers, "a damaged image was jumped to"
    assert "panic-end" in res.markers, "the normal panic did not go on"
    assert "lifeboat: the capture image was damaged after it was loaded (digest mismatch)" in text, \
        "the digest mismatch was not reported"
