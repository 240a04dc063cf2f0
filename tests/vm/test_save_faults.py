# SPDX-License-Identifier: GPL-2.0
"""
Faults while saving (issue 9): each one ends with the machine rebooted (or as
failure_action says), nothing on the target that looks like a complete dump
when it is not, and the next boot's `lifeboat report` saying what happened.

The guest is capture_side's: its root disk is the dump target (unless a
test gives a second disk), `lifeboat start` arms as the unit does, the
kernel panics, the capture kernel saves, the machine comes back and runs
`lifeboat report`. The faults come through the product's own interfaces or
through what the test puts in the capture initramfs:

- makedumpfile failing, killed, or the target filling up while it writes:
  the test appends a cpio to the capture initramfs `lifeboat start` built
  (the kernel unpacks concatenated archives, later files over earlier ones)
  whose /usr/bin/makedumpfile is a wrapper around the real one, and loads
  that image with `lifeboat load`; the wrapper passes --dump-dmesg, -v and
  --dry-run through, so only the vmcore's write meets the fault;
- the capture kernel out of memory: the wrapper, once the vmcore is under
  way, becomes a makedumpfile that wants all of the capture kernel's RAM
  (the real one stopped), and the kernel's out-of-memory killer ends it, as
  it ends a makedumpfile whose bitmaps outgrow a region sized too small;
- power lost mid-save: QEMU is ended by its pid while makedumpfile writes,
  and the same disk boots again;
- the target not mountable: a second disk is the target, and its
  superblock is damaged after arming;
- the shell failure action: a shell on the console, which the test leaves.
"""
import os
import re
import shutil
import signal
import subprocess
import threading
import time

import capture_side as cs
import lbvm

ORDER = 31
PANIC = "Kernel panic - not syncing: sysrq triggered crash"

MARKERS = cs.MARKERS + [
    ("writing-vmcore", re.compile(r"lifeboat: writing the vmcore: makedumpfile")),
    ("no-vmcore", re.compile(r"lifeboat: no vmcore: ")),
    ("saver-stopped", re.compile(r"lifeboat: the saver stopped \(status")),
    ("failure-recorded", re.compile(r"lifeboat: failure recorded in ")),
    ("shell-started", re.compile(r"lifeboat: starting a shell on the console")),
    ("mdf-paused", re.compile(r"lbtest: makedumpfile paused mid-write")),
]

# The guest's init: the unit's command at every boot; on the first, the
# fault's preparation, then the panic; on the later ones, the report.
INIT = cs.ROOT_PRELUDE + cs.BOOT_COUNT + r"""@START@ > /dev/ttyS0 2>&1
mark start-status $?
echo "LBJUMP $(cat /sys/kernel/lifeboat/last_jump 2>/dev/null || echo no-module)" > /dev/ttyS0
@ARMED_CHECK@
if [ "$boot" = 1 ]; then
@PREPARE@
	sync
	mark trigger
	echo c > /proc/sysrq-trigger
fi
mark report-begin
lifeboat report > /dev/ttyS0 2>&1
mark report-status $?
mark report-end
ls -l /var/crash /var/crash/* > /dev/ttyS0 2>&1
sync
mark done
poweroff -f
"""

# The capture initramfs the unit built, with the test's archive after it, armed.
REARM = r"""	lifeboat stop > /dev/ttyS0 2>&1
	cp /var/lib/lifeboat/initramfs-@KVER@.img /tmp/capture.img
	size=$(stat -c %s /tmp/capture.img)
	# The kernel skips zeros between archives; one not compressed must start 4-byte aligned.
	head -c $(( (4 - size % 4) % 4 )) /dev/zero >> /tmp/capture.img
	cat /usr/lib/lbtest/overlay.cpio.gz >> /tmp/capture.img
	lifeboat load --kernel /boot/vmlinuz-@KVER@ --initrd /tmp/capture.img > /dev/ttyS0 2>&1 &&
		lifeboat arm > /dev/ttyS0 2>&1 && mark rearmed
"""

# Damages the second disk's superblock after arming: the label still reads,
# the mount fails (an unknown incompatible feature, a wrong checksum).
DAMAGE_TARGET = r"""	printf '\377' | dd of=/dev/vdb bs=1 seek=1123 conv=notrunc 2> /dev/ttyS0
	sync
	mount -t ext4 /dev/vdb /mnt 2> /dev/ttyS0 || mark target-damaged
"""

# makedumpfile wrappers: the real one for everything but the vmcore.
WRAPPER_HEAD = r"""#!/bin/sh
# The test's makedumpfile (tests/vm/test_save_faults.py).
real=/usr/lib/lbtest/makedumpfile
case " $* " in
*" --dump-dmesg "* | *" -v "* | *" --dry-run "*) exec "$real" "$@" ;;
esac
"""

# For the wrappers that let the real one start: until it has written a MiB
# of the vmcore (the last argument), or ended.
STARTED = r"""for arg; do out=$arg; done
started() {
	while kill -0 "$1" 2> /dev/null; do
		[ "$(stat -c %s "$out" 2> /dev/null || echo 0)" -ge 1048576 ] && return 0
		sleep 0.1
	done
	return 1
}
"""

WRAPPERS = {
    "fails": WRAPPER_HEAD + r"""
echo "makedumpfile: cannot write the vmcore (the test's makedumpfile fails on purpose)" >&2
exit 1
""",
    "killed": WRAPPER_HEAD + STARTED + r"""
"$real" "$@" &
pid=$!
started "$pid" || { wait "$pid"; exit $?; }
echo "lbtest: killing makedumpfile (pid $pid) and itself with SIGKILL mid-write" > /dev/console
kill -9 "$pid"
wait "$pid"
kill -9 $$
""",
    "fills": WRAPPER_HEAD + STARTED + r"""
"$real" "$@" &
pid=$!
started "$pid" || { wait "$pid"; exit $?; }
# Another writer takes all but 2 MiB of the target while makedumpfile
# writes: the free blocks, with those ext4 keeps for root.
dir=${out%/*}
blocks=$(stat -f -c %f "$dir")
bsize=$(stat -f -c %S "$dir")
# ext4 keeps some clusters even from root: fallocate may stop short, with the
# target full all the same.
fallocate -l $(( blocks * bsize - 2 * 1048576 )) "$dir/../../lbtest-other-writer" 2> /dev/console
echo "lbtest: another writer filled the target, $(stat -f -c '%f' "$dir") blocks left" > /dev/console
wait "$pid"
""",
    # Holds the real one still once it has written a MiB, so that the power
    # is cut mid-write however fast the save would otherwise end.
    "paused": WRAPPER_HEAD + STARTED + r"""
"$real" "$@" &
pid=$!
started "$pid" || { wait "$pid"; exit $?; }
kill -STOP "$pid"
echo "lbtest: makedumpfile paused mid-write ($(stat -c %s "$out") bytes written)" > /dev/console
wait "$pid"
""",
    "oom": WRAPPER_HEAD + STARTED + r"""
"$real" "$@" &
pid=$!
started "$pid" || { wait "$pid"; exit $?; }
kill -9 "$pid"
wait "$pid"
# From here this process is a makedumpfile that needs all of the RAM.
total=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
echo "lbtest: makedumpfile now wants all of the capture kernel's $((total / 1024)) MiB" > /dev/console
exec dd if=/dev/zero of=/dev/null bs=$(( (total - 1024) * 1024 )) count=1
""",
}


def fmt(x):
    return "n/a" if x is None else f"{x:.1f}s"


def need_lifeboat():
    if not os.path.exists(os.path.join(lbvm.BUILD, "lifeboat")):
        raise lbvm.HarnessError(f"'{lbvm.BUILD}/lifeboat' is missing: run 'make'")


def overlay(work, wrapper):
    """The archive appended to the capture initramfs, gzip'd: a makedumpfile
    wrapper, with the real one beside it."""
    stage = os.path.join(work, "overlay")
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(os.path.join(stage, "usr", "bin"))
    os.makedirs(os.path.join(stage, "usr", "lib", "lbtest"))
    path = os.path.join(stage, "usr", "bin", "makedumpfile")
    with open(path, "w") as f:
        f.write(WRAPPERS[wrapper])
    os.chmod(path, 0o755)
    shutil.copy2("/usr/bin/makedumpfile", os.path.join(stage, "usr", "lib", "lbtest"))
    out = os.path.join(work, "overlay.cpio.gz")
    names = subprocess.run(["find", ".", "-mindepth", "1"], cwd=stage, capture_output=True,
                           text=True, check=True).stdout
    with open(out, "wb") as f:
        cpio = subprocess.Popen(["cpio", "--quiet", "-o", "-H", "newc", "--owner=0:0"],
                                cwd=stage, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        gz = subprocess.Popen(["gzip", "-1", "-n"], stdin=cpio.stdout, stdout=f)
        cpio.stdout.close()
        cpio.communicate(names.encode())
        gz.wait()
    if cpio.returncode or gz.returncode:
        raise lbvm.HarnessError("cannot build the test's archive for the capture initramfs")
    shutil.rmtree(stage)
    return out


class ConsoleVM(lbvm.VM):
    """A guest whose serial console also reads: type() sends a line to it."""

    def run(self):
        real = lbvm.subprocess

        class Shim:
            def __getattr__(self, name):
                return getattr(real, name)

            @staticmethod
            def Popen(cmd, **kw):
                kw["stdin"] = real.PIPE
                return real.Popen(cmd, **kw)

        lbvm.subprocess = Shim()
        try:
            return super().run()
        finally:
            lbvm.subprocess = real

    def type(self, line):
        self._proc.stdin.write(line.encode() + b"\r")
        self._proc.stdin.flush()


def make_rootfs(work, conf, prepare="", extra_files=(), rearm=False):
    e = lbvm.env()
    if rearm:
        prepare = REARM + prepare
    init = INIT.replace("@PREPARE@\n", prepare.replace("@KVER@", e["KVER"]))
    return cs.build_rootfs(work, conf, root_init=init, extra_files=extra_files)


def boot(work, disk, name, done=("done",), extra_disks=(), vm_class=lbvm.VM, hooks=(),
         append="crashkernel=256M", timeout=420):
    """Boots the disk until a done marker; the guest reboots after the save."""
    initrd = cs.boot_initramfs(work)
    args = cs.BUSES["virtio"][0](disk)
    for d in extra_disks:
        args += ["-drive", f"file={d},if=virtio,format=raw"]
    vm = vm_class(work, initrd, f"console=ttyS0 {append}", mem="1G", smp=2, timeout=timeout,
                  done_markers=done, fail_markers=("boot-failed",), reboot=True, name=name,
                  markers=MARKERS, extra_args=args)
    for marker, fn in hooks:
        vm.on_marker(marker, fn)
    res = vm.run()
    shutil.copy(res.log_path, os.path.join(lbvm.BUILD, "vm", f"save-faults-{name}.serial.log"))
    return res


def tail_of(res, n=60):
    return f"serial log tail ({res.log_path}):\n{res.tail(n)}"


def second_boot(res):
    parts = res.text().split("LBMARK boot 2", 1)
    return parts[1] if len(parts) == 2 else ""


def report_of(res):
    return cs.between(res, "report-begin", "report-end")


def dumps_on(disk):
    return sorted(lbvm.disk_ls(disk, "/var/crash"))


def one_dump(disk, pattern=r"\d{8}-\d{6}"):
    names = dumps_on(disk)
    assert len(names) == 1 and re.fullmatch(pattern, names[0]), f"/var/crash holds {names}"
    return names[0]


def check_cycle(res, action="rebooting (failure_action"):
    """Common to every fault: armed, panicked, the capture kernel ran, the
    failure action taken, the machine back and its report run."""
    tail = tail_of(res)
    assert not res.timed_out, f"time limit reached; {tail}"
    assert "boot-failed" not in res.markers, f"the guest could not mount its root; {tail}"
    for m in ("armed", "panic", "capture-init"):
        assert m in res.markers, f"marker '{m}' never seen; {tail}"
    assert "dump-saved" not in res.markers, f"a complete dump was reported; {tail}"
    if action:
        assert action in res.marker_args.get("final-action", ""), \
            f"final action: {res.marker_args.get('final-action')}; {tail}"
    assert "LBMARK armed 2" in second_boot(res), f"not back and armed after the fault; {tail}"
    assert "done" in res.markers, tail


def check_dmesg_only(res, disk, reason_re):
    """The vmcore was not finished: the directory has its final name, dmesg.txt
    and metadata.txt only, status dmesg-only and the reason; the report says so."""
    check_cycle(res)
    name = one_dump(disk)
    d = f"/var/crash/{name}"
    files = sorted(lbvm.disk_ls(disk, d))
    assert files == ["dmesg.txt", "metadata.txt"], f"{d} holds {files}: a vmcore or a part of one"
    md = cs.meta(disk, d)
    assert md and md.get("status") == "dmesg-only" and md.get("panic") == PANIC, md
    assert re.search(reason_re, md.get("reason", "")), f"reason: {md.get('reason')}"
    assert not md.get("step"), f"a step is still recorded: {md.get('step')}"
    report = report_of(res)
    assert "LBMARK report-status 0" in res.text(), f"lifeboat report failed:\n{report}"
    line = re.search(r"dmesg only, no vmcore, from 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC: (.*)",
                     report)
    assert line and re.search(reason_re, line.group(1)), f"the report's verdict:\n{report}"
    for want in ("status:  dmesg-only", PANIC, "sysrq_handle_crash+"):
        assert want in report, f"the report lacks '{want}':\n{report}"
    return line.group(0), md


# The jump stamp is found only where the region was at the crash. The kernel
# places crashkernel= where memory is free once its own image has its place,
# which KASLR chooses at random: in a 1 GiB guest the region moves between
# boots about one time in four. The tests that look for the stamp boot
# without KASLR, so that the region stays where it was.
STABLE_REGION = "crashkernel=256M nokaslr"

CAPTURE_DEATH = ("the capture kernel started at {t} but never reached the saver: it died or "
                 "hung before the dump could be written; see its console")


def last_jump_of(res):
    """What /sys/kernel/lifeboat/last_jump said at the second boot, after
    `lifeboat start` loaded the module."""
    m = re.search(r"LBJUMP (.*)", second_boot(res))
    return m.group(1).strip() if m else None


def check_no_capture_death(res, disk):
    """A capture whose saver ran: the next boot has the jump stamp (the
    region stayed: STABLE_REGION), and no line says the capture kernel never
    reached the saver."""
    jump = last_jump_of(res)
    assert jump and re.fullmatch(r"time=\d+ cpu=\d+", jump), \
        f"last_jump at the second boot: {jump}; {tail_of(res)}"
    assert "never reached the saver" not in res.text(), \
        f"a capture that reached the saver was called dead; {tail_of(res)}"
    assert not cs.disk_read(disk, "/var/lib/lifeboat/capture-failed.txt"), \
        "a failed-capture record was written"
    return jump


def test_save_fault_makedumpfile_fails():
    """makedumpfile exits 1 on the vmcore: the dmesg is kept, the reason is
    its last line, the machine reboots."""
    need_lifeboat()
    work = lbvm.workdir("save-faults-mdf-fails")
    ov = overlay(work, wrapper="fails")
    disk = make_rootfs(work, "", rearm=True, extra_files=[(ov, "usr/lib/lbtest/overlay.cpio.gz")])
    res = boot(work, disk, "mdf-fails", append=STABLE_REGION)
    assert "rearmed" in res.markers, tail_of(res)
    verdict, _ = check_dmesg_only(
        res, disk, r"^makedumpfile failed with status 1: makedumpfile: cannot write the vmcore")
    # The jump stamp is there at the next boot, but the saver ran: its dump
    # is that crash's, and nothing says the capture kernel died.
    jump = check_no_capture_death(res, disk)
    return {"report": verdict, "last_jump": jump}


def test_save_fault_makedumpfile_killed():
    """makedumpfile killed with SIGKILL half way through the vmcore: the
    partial file goes, the dmesg stays, the reason names the signal."""
    need_lifeboat()
    work = lbvm.workdir("save-faults-mdf-killed")
    ov = overlay(work, wrapper="killed")
    disk = make_rootfs(work, "", rearm=True, extra_files=[(ov, "usr/lib/lbtest/overlay.cpio.gz")])
    res = boot(work, disk, "mdf-killed")
    assert "rearmed" in res.markers, tail_of(res)
    assert "lbtest: killing makedumpfile" in res.text(), \
        f"makedumpfile ended before a MiB was written; {tail_of(res)}"
    verdict, _ = check_dmesg_only(
        res, disk, r"^makedumpfile was killed by signal 9 \(SIGKILL\) while it wrote the vmcore")
    return {"report": verdict}


def test_save_fault_target_fills_mid_write():
    """The target passes the free-space check, then another writer takes it
    while makedumpfile writes: ENOSPC half way, the partial vmcore removed,
    the dmesg and the reason kept."""
    need_lifeboat()
    work = lbvm.workdir("save-faults-fills")
    ov = overlay(work, wrapper="fills")
    disk = make_rootfs(work, "", rearm=True, extra_files=[(ov, "usr/lib/lbtest/overlay.cpio.gz")])
    res = boot(work, disk, "fills")
    assert "rearmed" in res.markers, tail_of(res)
    assert "lbtest: another writer filled the target" in res.text(), \
        f"makedumpfile ended before a MiB was written; {tail_of(res)}"
    assert "makedumpfile --dry-run" not in res.text(), \
        f"the target looked too small before the write: the fault must come during it; {tail_of(res)}"
    verdict, md = check_dmesg_only(
        res, disk, r"^the target ran out of space while the vmcore was written \(makedumpfile: "
                   r"Can't write the dump file\(.*vmcore.incomplete\)\. No space left on device\)")
    return {"report": verdict, "free_at_check_mb": f"{int(md['free_bytes']) / 1e6:.0f}"}


def test_save_fault_power_lost():
    """QEMU ended by its pid while makedumpfile writes the vmcore; the same
    disk boots again: the directory stays .incomplete, its metadata says
    which step was cut, and the report says "incomplete dump from <time>"."""
    need_lifeboat()
    work = lbvm.workdir("save-faults-power")
    ov = overlay(work, wrapper="paused")
    disk = make_rootfs(work, "", rearm=True, extra_files=[(ov, "usr/lib/lbtest/overlay.cpio.gz")])
    cut = {}

    def pull_the_plug(vm):
        # makedumpfile is held mid-write: the plug is pulled before it can end.
        pid = vm._qemu_pid()
        if pid:
            cut["at"] = time.monotonic()
            os.kill(pid, signal.SIGKILL)

    res = boot(work, disk, "power-1", done=("dump-saved", "final-action"),
               hooks=[("mdf-paused", pull_the_plug)])
    tail = tail_of(res)
    assert "rearmed" in res.markers, tail
    assert "writing-vmcore" in res.markers and cut, f"the save never reached the vmcore; {tail}"
    assert "dump-saved" not in res.markers, f"the save ended before the power did; {tail}"

    # What the saver fsync'd may still sit in the ext4 journal, which debugfs
    # does not replay: the disk is looked at after the next boot mounted it.
    res2 = boot(work, disk, "power-2")
    tail = tail_of(res2)
    assert not res2.timed_out and "done" in res2.markers, f"the second boot did not finish; {tail}"
    assert "LBMARK boot 2" in res2.text() and "LBMARK armed 2" in res2.text(), tail
    assert "trigger" not in res2.markers, tail
    names = dumps_on(disk)
    assert len(names) == 1 and re.fullmatch(r"\d{8}-\d{6}\.incomplete", names[0]), \
        f"/var/crash holds {names}"
    d = f"/var/crash/{names[0]}"
    files = sorted(lbvm.disk_ls(disk, d))
    assert "vmcore" not in files, f"{d} holds {files}"
    md = cs.meta(disk, d)
    assert md and md.get("status") == "incomplete" and md.get("step") == "writing the vmcore", md
    report = report_of(res2)
    assert "LBMARK report-status 0" in res2.text(), f"lifeboat report failed:\n{report}"
    line = re.search(r"incomplete dump from 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC: the save stopped "
                     r"while writing the vmcore \(the capture kernel stopped, or the machine was "
                     r"reset or lost power\)", report)
    assert line, f"the report's verdict:\n{report}"
    assert "status:  incomplete" in report and PANIC in report, report
    announce = re.search(r"lifeboat: dump \S+ \(incomplete", res2.text())
    assert announce, f"the boot did not tell about the incomplete dump; {tail}"
    partial = re.search(r"partial: vmcore.incomplete, (.*?) written", report)
    return {"report": line.group(0), "partial": partial.group(1) if partial else "none on disk",
            "files": " ".join(files)}


def test_save_fault_target_unmountable():
    """The target is a second disk whose superblock is damaged after arming:
    the capture kernel cannot mount it, records why on the root filesystem
    (/var/lib/lifeboat/capture-failed.txt), reboots; the report says so."""
    need_lifeboat()
    work = lbvm.workdir("save-faults-unmountable")
    dump = lbvm.make_disk(os.path.join(work, "dump.ext4"), size_mb=512)
    disk = make_rootfs(work, "target = LABEL=lbdump\n", prepare=DAMAGE_TARGET)
    res = boot(work, disk, "unmountable", extra_disks=[dump])
    tail = tail_of(res)
    assert "target-damaged" in res.markers, f"the damaged target still mounts; {tail}"
    check_cycle(res)
    assert "capture-failed" in res.markers and "failure-recorded" in res.markers, tail
    failed = cs.disk_read(disk, "/var/lib/lifeboat/capture-failed.txt")
    assert failed and "status=failed" in failed and "reason=cannot mount LABEL=lbdump" in failed, \
        f"capture-failed.txt: {failed}"
    assert f"panic={PANIC}" in failed, failed
    report = report_of(res)
    line = re.search(r"no dump of the crash at 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC: the capture "
                     r"failed: cannot mount LABEL=lbdump \(/dev/vdb, ext4\) on /run/lifeboat/target: .*",
                     report)
    assert line, f"the report's verdict:\n{report}"
    assert PANIC in report, report
    assert re.search(r"lifeboat: no dump of the crash at .*: the capture failed: cannot mount "
                     r"LABEL=lbdump", second_boot(res)), f"the boot did not tell; {tail}"
    assert not lbvm.disk_ls(dump, "/var/crash"), "the damaged target holds a dump"
    return {"report": line.group(0)}


def test_save_fault_out_of_memory():
    """The capture kernel runs out of memory while the vmcore is written:
    the out-of-memory killer ends makedumpfile, the saver sees the kill
    count rise and says so; the dmesg stays, the machine reboots."""
    need_lifeboat()
    work = lbvm.workdir("save-faults-oom")
    ov = overlay(work, wrapper="oom")
    disk = make_rootfs(work, "", rearm=True, extra_files=[(ov, "usr/lib/lbtest/overlay.cpio.gz")])
    res = boot(work, disk, "oom")
    tail = tail_of(res)
    assert "rearmed" in res.markers, tail
    assert "lbtest: makedumpfile now wants all" in res.text(), \
        f"makedumpfile ended before a MiB was written; {tail}"
    verdict, _ = check_dmesg_only(
        res, disk, r"^the capture kernel ran out of memory while the vmcore was written: "
                   r"the kernel's out-of-memory killer ended makedumpfile")
    return {"report": verdict}


def test_save_fault_shell_action():
    """failure_action = shell: after a failed vmcore the console gets a shell;
    leaving it reboots, and the report tells the failure."""
    need_lifeboat()
    work = lbvm.workdir("save-faults-shell")
    ov = overlay(work, wrapper="fails")
    disk = make_rootfs(work, "failure_action = shell\n", rearm=True,
                       extra_files=[(ov, "usr/lib/lbtest/overlay.cpio.gz")])

    def type_in_shell(vm):
        def later():
            time.sleep(3)
            # The console echoes what is typed: only the shell's output says "shell-42".
            vm.type("echo LBMARK shell-$((6 * 7))-alive; exit")
        threading.Thread(target=later, daemon=True).start()

    res = boot(work, disk, "shell", vm_class=ConsoleVM, hooks=[("shell-started", type_in_shell)])
    tail = tail_of(res)
    assert "rearmed" in res.markers, tail
    assert "shell-42-alive" in res.markers, f"the shell did not run a command; {tail}"
    check_cycle(res, action="shell (failure_action = shell)")
    name = one_dump(disk)
    md = cs.meta(disk, f"/var/crash/{name}")
    assert md and md.get("status") == "dmesg-only", md
    report = report_of(res)
    line = re.search(r"dmesg only, no vmcore, from .*", report)
    assert line and "makedumpfile failed with status 1" in line.group(0), \
        f"the report's verdict:\n{report}"
    back = res.markers.get("shell-42-alive")
    boot2 = [t for t, text in res.lines if "LBMARK boot 2" in text]
    return {"report": line.group(0),
            "shell_to_boot2": fmt(boot2[0] - back if back is not None and boot2 else None)}


def test_save_fault_capture_kernel_dies():
    """The capture kernel dies before its saver runs: `append` gives it
    rdinit= naming no file, so it passes over its initramfs's init, finds no
    root filesystem to mount, panics and reboots after its panic=10. The jump stamp the panic path left in the
    region tells the next boot, whose `lifeboat start` records the failed
    capture and says so once; the report shows it."""
    need_lifeboat()
    work = lbvm.workdir("save-faults-capture-dies")
    disk = make_rootfs(work, 'append = "rdinit=/lifeboat-no-such-init"\n')
    res = boot(work, disk, "capture-dies", append=STABLE_REGION)
    tail = tail_of(res)
    assert not res.timed_out, f"time limit reached; {tail}"
    assert "boot-failed" not in res.markers, f"the guest could not mount its root; {tail}"
    first, sep, second = res.text().partition("LBMARK boot 2")
    assert sep, f"the machine did not come back; {tail}"
    assert "LBMARK armed 1" in first and "LBMARK trigger" in first, tail
    assert PANIC in first, tail
    after = first.split(PANIC, 1)[1]
    assert "lifeboat: jumping to the capture kernel from CPU" in after, tail
    died = re.search(r"Kernel panic - not syncing: (?:VFS: Unable to mount root fs|No working init "
                     r"found)[^\r\n]*", after)
    assert died, f"the capture kernel's panic is not on the console; {tail}"
    assert "capture-init" not in res.markers, f"the capture kernel's init ran; {tail}"
    assert not dumps_on(disk), f"/var/crash holds {dumps_on(disk)}"

    jump = last_jump_of(res)
    m = re.fullmatch(r"time=(\d+) cpu=(\d+)", jump or "")
    assert m, f"last_jump at the second boot: {jump}; {tail}"
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(int(m.group(1))))
    cause = CAPTURE_DEATH.format(t=when)
    told = f"lifeboat: no dump of the crash at {when}: the capture failed: {cause}; " \
           "'lifeboat report' shows it"
    assert second.count(told) == 1, f"lifeboat start did not tell it once; {tail}"
    assert "LBMARK armed 2" in second, f"not armed again after the fault; {tail}"
    failed = cs.disk_read(disk, "/var/lib/lifeboat/capture-failed.txt")
    assert failed and "status=failed" in failed and f"reason={cause}" in failed, \
        f"capture-failed.txt: {failed}"
    report = report_of(res)
    assert "LBMARK report-status 0" in second, f"lifeboat report failed:\n{report}"
    line = f"no dump of the crash at {when}: the capture failed: {cause}"
    assert line in report.splitlines(), f"the report's verdict:\n{report}"
    return {"report": line, "last_jump": jump, "capture_panic": died.group(0)}
