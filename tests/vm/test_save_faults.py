# SPDX-License-Identifier: GPL-2.0
"""
Faults while saving (issue 9): each one ends with the machine rebooted (or as
failure_action says), nothing on the target that looks like a complete dump
when it is not, and the next boot's `lifeboat report` saying what happened.

The guest is capture_side's: its root disk is the dump target (unless a
fault gives a second disk), `lifeboat start` arms as the unit does, the
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
- the shell failure action: a shell on the console, which the test leaves;
- the capture kernel dying before its saver (rdinit= naming no file).

The faults come one after the other on ONE machine (one root disk, booted by
two QEMU runs, the power cut between them), as crashes follow each other on
a real one: the boot that reports a fault is the boot that arms the next, so
the capture initramfs `lifeboat start` built at the first boot serves every
fault of the same configuration. A fault with its own configuration
(failure_action, append, target) writes it after the report and restarts
the unit (`lifeboat stop`, then its ExecStart, as `systemctl restart
lifeboat` does), which rebuilds the image as on a real machine. After the
report, the guest moves what the fault left (/var/crash/*, a copy of
/var/lib/lifeboat/capture-failed.txt) to /var/lbtest/after-FAULT/ and
removes the other writer's file, so that every fault starts from an empty
/var/crash, and the host checks each fault's console lines (from its
arming to its report) and what it left, as a test of its own would.
LIFEBOAT_SAVE_FAULTS="NAME..." runs only those faults, in the same order.
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

# The longest module: run.py starts it first, so the lanes end together.
ORDER = 5
PANIC = "Kernel panic - not syncing: sysrq triggered crash"

MARKERS = cs.MARKERS + [
    ("writing-vmcore", re.compile(r"lifeboat: writing the vmcore: makedumpfile")),
    ("no-vmcore", re.compile(r"lifeboat: no vmcore: ")),
    ("saver-stopped", re.compile(r"lifeboat: the saver stopped \(status")),
    ("failure-recorded", re.compile(r"lifeboat: failure recorded in ")),
    ("shell-started", re.compile(r"lifeboat: starting a shell on the console")),
    ("mdf-paused", re.compile(r"lbtest: makedumpfile paused mid-write")),
]

# The guest's init, at every boot: the unit's command; the report of the
# fault the last boot armed ($prev), then "done $prev"; the configuration
# of the next fault ($fault) and the unit restarted when it has its own;
# what $prev left moved aside; the next fault prepared, then the panic.
# @PLAN@ sets prev, fault and conf by boot, @PREPARE@ prepares by fault.
INIT = cs.ROOT_PRELUDE + cs.BOOT_COUNT + "@REARM@" + r"""@START@ > /dev/ttyS0 2>&1
mark start-status $?
echo "LBJUMP $(cat /sys/kernel/lifeboat/last_jump 2>/dev/null || echo no-module)" > /dev/ttyS0
@ARMED_CHECK@
prev= fault= conf=
case $boot in
@PLAN@
*) mark boot-failed "boot $boot is beyond the plan"; poweroff -f ;;
esac
if [ -n "$prev" ]; then
	mark report-begin
	lifeboat report > /dev/ttyS0 2>&1
	mark report-status $?
	mark report-end
	ls -l /var/crash /var/crash/* > /dev/ttyS0 2>&1
	sync
	mark done "$prev"
fi
if [ -n "$conf" ]; then
	# systemctl restart lifeboat, after a change of /etc/lifeboat.conf.
	lifeboat stop > /dev/ttyS0 2>&1
	cp "/usr/lib/lbtest/conf-$fault" /etc/lifeboat.conf
	@START@ > /dev/ttyS0 2>&1
	mark restart-status $?
fi
if [ -n "$prev" ]; then
	after=/var/lbtest/after-$prev
	mkdir -p "$after/crash"
	for d in /var/crash/*; do [ -e "$d" ] && mv "$d" "$after/crash/"; done
	[ -e /var/lib/lifeboat/capture-failed.txt ] && cp /var/lib/lifeboat/capture-failed.txt "$after/"
	rm -f /var/lbtest-other-writer
	sync
fi
if [ -z "$fault" ]; then
	mark chain-done
	poweroff -f
fi
@ARMED_CHECK@
mark "arming-$fault"
case $fault in
@PREPARE@
esac
sync
kmark trigger
echo c > /proc/sysrq-trigger
"""

# The capture initramfs the unit built, with the archive of the wrapper
# named in $1 after it, armed.
REARM = r"""rearm() {
	lifeboat stop > /dev/ttyS0 2>&1
	cp /var/lib/lifeboat/initramfs-@KVER@.img /tmp/capture.img
	size=$(stat -c %s /tmp/capture.img)
	# The kernel skips zeros between archives; one not compressed must start 4-byte aligned.
	head -c $(( (4 - size % 4) % 4 )) /dev/zero >> /tmp/capture.img
	cat "/usr/lib/lbtest/overlay-$1.cpio.gz" >> /tmp/capture.img
	lifeboat load --kernel /boot/vmlinuz-@KVER@ --initrd /tmp/capture.img > /dev/ttyS0 2>&1 &&
		lifeboat arm > /dev/ttyS0 2>&1 && mark rearmed
}
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


def need_lifeboat():
    if not os.path.exists(os.path.join(lbvm.BUILD, "lifeboat")):
        raise lbvm.HarnessError(f"'{lbvm.BUILD}/lifeboat' is missing: run 'make'")


def overlay(work, wrapper):
    """The archive appended to the capture initramfs, gzip'd: a makedumpfile
    wrapper, with the real one beside it."""
    stage = os.path.join(work, f"overlay-{wrapper}")
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(os.path.join(stage, "usr", "bin"))
    os.makedirs(os.path.join(stage, "usr", "lib", "lbtest"))
    path = os.path.join(stage, "usr", "bin", "makedumpfile")
    with open(path, "w") as f:
        f.write(WRAPPERS[wrapper])
    os.chmod(path, 0o755)
    shutil.copy2("/usr/bin/makedumpfile", os.path.join(stage, "usr", "lib", "lbtest"))
    out = os.path.join(work, f"overlay-{wrapper}.cpio.gz")
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


def fmt(x):
    return "n/a" if x is None else f"{x:.1f}s"


class Phase(lbvm.Result):
    """One fault's console lines, as a test of its own would have had them:
    from the end of the report of the fault before it (boot 1's first line
    for the first fault) through its arming, panic and capture to its own
    report at the next boot, which ends with "done FAULT"; its markers
    found in those lines only. Its dump and records are under `after`."""

    def __init__(self, fault, boot, lines, log_path, timed_out):
        super().__init__()
        self.fault = fault
        self.boot = boot            # the boot that armed it; its report is at boot + 1
        self.after = f"/var/lbtest/after-{fault}"
        self.lines = list(lines)
        self.log_path = log_path
        for t, line in self.lines:
            self.record(t, line, MARKERS)
        self.timed_out = timed_out and "done" not in self.markers


def is_mark(line, name, arg):
    m = lbvm.MARK_RE.search(line)
    return bool(m) and m.group(1) == name and (m.group(2) or "").strip() == arg


def segments(runs, fault, prev):
    """[(run index, lines)]: the console lines of fault, after "done prev"
    (from the first line when prev is None) through "done fault", run by run
    (the power cut's fault spans two)."""
    segs, started = [], prev is None
    for i, res in enumerate(runs):
        cur = []
        for t, line in res.lines:
            if not started:
                started = is_mark(line, "done", prev)
                continue
            cur.append((t, line))
            if is_mark(line, "done", fault):
                segs.append((i, cur))
                return segs
        if cur:
            segs.append((i, cur))
    return segs


def phase(runs, fault, prev, boot, segs=None):
    segs = segments(runs, fault, prev) if segs is None else segs
    lines = [x for _, seg in segs for x in seg]
    log = runs[segs[-1][0]].log_path if segs else runs[-1].log_path
    return Phase(fault, boot, lines, log, any(r.timed_out for r in runs))


def tail_of(res, n=60):
    return f"serial log tail ({res.log_path}):\n{res.tail(n)}"


def boot_re(n):
    return re.compile(rf"^LBMARK boot {n}$", re.M)


def first_boot(res):
    """The phase's lines before its report's boot: the arming, the panic, the capture."""
    return boot_re(res.boot + 1).split(res.text(), 1)[0]


def second_boot(res):
    parts = boot_re(res.boot + 1).split(res.text(), 1)
    return parts[1] if len(parts) == 2 else ""


def armed_at(text, boot):
    return re.search(rf"^LBMARK armed {boot}$", text, re.M) is not None


def report_of(res):
    return cs.between(res, "report-begin", "report-end")


def dumps_on(disk, res):
    """What the fault left in /var/crash, moved aside after its report."""
    return sorted(lbvm.disk_ls(disk, f"{res.after}/crash"))


def one_dump(disk, res, pattern=r"\d{8}-\d{6}"):
    names = dumps_on(disk, res)
    assert len(names) == 1 and re.fullmatch(pattern, names[0]), f"/var/crash held {names}"
    return names[0]


def capture_failed(disk, res):
    """/var/lib/lifeboat/capture-failed.txt as the fault's report saw it, or None."""
    return cs.disk_read(disk, f"{res.after}/capture-failed.txt")


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
    assert armed_at(second_boot(res), res.boot + 1), f"not back and armed after the fault; {tail}"
    assert "done" in res.markers, tail


def check_dmesg_only(res, disk, reason_re):
    """The vmcore was not finished: the directory has its final name, dmesg.txt
    and metadata.txt only, status dmesg-only and the reason; the report says so."""
    check_cycle(res)
    name = one_dump(disk, res)
    d = f"{res.after}/crash/{name}"
    files = sorted(lbvm.disk_ls(disk, d))
    assert files == ["dmesg.txt", "metadata.txt"], \
        f"/var/crash/{name} held {files}: a vmcore or a part of one"
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
# boots about one time in four. Two faults look for the stamp: the machine
# boots without KASLR, so that the region stays where it was.
STABLE_REGION = "crashkernel=256M nokaslr"

CAPTURE_DEATH = ("the capture kernel started at {t} but never reached the saver: it died or "
                 "hung before the dump could be written; see its console")


def last_jump_of(res):
    """What /sys/kernel/lifeboat/last_jump said at the report's boot, after
    `lifeboat start` loaded the module."""
    m = re.search(r"LBJUMP (.*)", second_boot(res))
    return m.group(1).strip() if m else None


def check_no_capture_death(res, disk):
    """A capture whose saver ran: the next boot has the jump stamp (the
    region stayed: STABLE_REGION), and no line says the capture kernel never
    reached the saver."""
    jump = last_jump_of(res)
    assert jump and re.fullmatch(r"time=\d+ cpu=\d+", jump), \
        f"last_jump at the report's boot: {jump}; {tail_of(res)}"
    assert "never reached the saver" not in res.text(), \
        f"a capture that reached the saver was called dead; {tail_of(res)}"
    assert not capture_failed(disk, res), "a failed-capture record was written"
    return jump


def check_makedumpfile_fails(res, disk, **_):
    """makedumpfile exits 1 on the vmcore: the dmesg is kept, the reason is
    its last line, the machine reboots."""
    assert "rearmed" in res.markers, tail_of(res)
    verdict, _ = check_dmesg_only(
        res, disk, r"^makedumpfile failed with status 1: makedumpfile: cannot write the vmcore")
    # The jump stamp is there at the next boot, but the saver ran: its dump
    # is that crash's, and nothing says the capture kernel died.
    jump = check_no_capture_death(res, disk)
    return {"": verdict, "last_jump": jump}


def check_makedumpfile_killed(res, disk, **_):
    """makedumpfile killed with SIGKILL half way through the vmcore: the
    partial file goes, the dmesg stays, the reason names the signal."""
    assert "rearmed" in res.markers, tail_of(res)
    assert "lbtest: killing makedumpfile" in res.text(), \
        f"makedumpfile ended before a MiB was written; {tail_of(res)}"
    verdict, _ = check_dmesg_only(
        res, disk, r"^makedumpfile was killed by signal 9 \(SIGKILL\) while it wrote the vmcore")
    return {"": verdict}


def check_target_fills_mid_write(res, disk, **_):
    """The target passes the free-space check, then another writer takes it
    while makedumpfile writes: ENOSPC half way, the partial vmcore removed,
    the dmesg and the reason kept."""
    assert "rearmed" in res.markers, tail_of(res)
    assert "lbtest: another writer filled the target" in res.text(), \
        f"makedumpfile ended before a MiB was written; {tail_of(res)}"
    assert "makedumpfile --dry-run" not in res.text(), \
        f"the target looked too small before the write: the fault must come during it; {tail_of(res)}"
    verdict, md = check_dmesg_only(
        res, disk, r"^the target ran out of space while the vmcore was written \(makedumpfile: "
                   r"Can't write the dump file\(.*vmcore.incomplete\)\. No space left on device\)")
    return {"": verdict, "free_at_check_mb": f"{int(md['free_bytes']) / 1e6:.0f}"}


def check_power_lost(res, disk, runs, cut, segs, **_):
    """QEMU ended by its pid while makedumpfile writes the vmcore; the same
    disk boots again: the directory stays .incomplete, its metadata says
    which step was cut, and the report says "incomplete dump from <time>"."""
    assert len(segs) == 2 and segs[1][0] == segs[0][0] + 1, \
        f"the fault's lines are not in two QEMU runs, one each side of the cut; {tail_of(res)}"
    res1 = phase(runs, res.fault, None, res.boot, segs[:1])
    res2 = phase(runs, res.fault, None, res.boot, segs[1:])
    tail = tail_of(res1)
    assert "rearmed" in res1.markers, tail
    assert "writing-vmcore" in res1.markers and cut, f"the save never reached the vmcore; {tail}"
    assert "dump-saved" not in res1.markers, f"the save ended before the power did; {tail}"

    # What the saver fsync'd may still sit in the ext4 journal, which debugfs
    # does not replay: the disk is looked at after the next boot mounted it.
    tail = tail_of(res2)
    assert not res2.timed_out and "done" in res2.markers, f"the next boot did not finish; {tail}"
    assert boot_re(res.boot + 1).search(res2.text()) and armed_at(res2.text(), res.boot + 1), tail
    assert "trigger" not in res2.markers, tail
    names = dumps_on(disk, res)
    assert len(names) == 1 and re.fullmatch(r"\d{8}-\d{6}\.incomplete", names[0]), \
        f"/var/crash held {names}"
    d = f"{res.after}/crash/{names[0]}"
    files = sorted(lbvm.disk_ls(disk, d))
    assert "vmcore" not in files, f"/var/crash/{names[0]} held {files}"
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
    return {"": line.group(0), "partial": partial.group(1) if partial else "none on disk",
            "files": " ".join(files)}


def check_target_unmountable(res, disk, dump, **_):
    """The target is a second disk whose superblock is damaged after arming:
    the capture kernel cannot mount it, records why on the root filesystem
    (/var/lib/lifeboat/capture-failed.txt), reboots; the report says so."""
    tail = tail_of(res)
    assert "target-damaged" in res.markers, f"the damaged target still mounts; {tail}"
    check_cycle(res)
    assert "capture-failed" in res.markers and "failure-recorded" in res.markers, tail
    failed = capture_failed(disk, res)
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
    return {"": line.group(0)}


def check_out_of_memory(res, disk, **_):
    """The capture kernel runs out of memory while the vmcore is written:
    the out-of-memory killer ends makedumpfile, the saver sees the kill
    count rise and says so; the dmesg stays, the machine reboots."""
    tail = tail_of(res)
    assert "rearmed" in res.markers, tail
    assert "lbtest: makedumpfile now wants all" in res.text(), \
        f"makedumpfile ended before a MiB was written; {tail}"
    verdict, _ = check_dmesg_only(
        res, disk, r"^the capture kernel ran out of memory while the vmcore was written: "
                   r"the kernel's out-of-memory killer ended makedumpfile")
    return {"": verdict}


def check_shell_action(res, disk, **_):
    """failure_action = shell: after a failed vmcore the console gets a shell;
    leaving it reboots, and the report tells the failure."""
    tail = tail_of(res)
    assert "rearmed" in res.markers, tail
    assert "shell-42-alive" in res.markers, f"the shell did not run a command; {tail}"
    check_cycle(res, action="shell (failure_action = shell)")
    name = one_dump(disk, res)
    md = cs.meta(disk, f"{res.after}/crash/{name}")
    assert md and md.get("status") == "dmesg-only", md
    report = report_of(res)
    line = re.search(r"dmesg only, no vmcore, from .*", report)
    assert line and "makedumpfile failed with status 1" in line.group(0), \
        f"the report's verdict:\n{report}"
    back = res.markers.get("shell-42-alive")
    nxt = [t for t, text in res.lines if boot_re(res.boot + 1).search(text)]
    return {"": line.group(0),
            "shell_to_next_boot": fmt(nxt[0] - back if back is not None and nxt else None)}


def check_capture_kernel_dies(res, disk, **_):
    """The capture kernel dies before its saver runs: `append` gives it
    rdinit= naming no file, so it passes over its initramfs's init, finds no
    root filesystem to mount, panics and reboots after its panic=10. The jump
    stamp the panic path left in the region tells the next boot, whose
    `lifeboat start` records the failed capture and says so once; the report
    shows it."""
    tail = tail_of(res)
    assert not res.timed_out, f"time limit reached; {tail}"
    assert "boot-failed" not in res.markers, f"the guest could not mount its root; {tail}"
    first, second = first_boot(res), second_boot(res)
    assert boot_re(res.boot + 1).search(res.text()), f"the machine did not come back; {tail}"
    assert armed_at(first, res.boot) and "LBMARK trigger" in first, tail
    # The kernel's own panic line (the trigger mark may reach the console
    # after it), not a report's or an announcement's.
    crashed = re.search(rf"^(?:\[\s*\d+\.\d+\] )?{re.escape(PANIC)}", first, re.M)
    assert crashed, tail
    after = first[crashed.end():]
    assert "lifeboat: jumping to the capture kernel from CPU" in after, tail
    died = re.search(r"Kernel panic - not syncing: (?:VFS: Unable to mount root fs|No working init "
                     r"found)[^\r\n]*", after)
    assert died, f"the capture kernel's panic is not on the console; {tail}"
    assert "capture-init" not in res.markers, f"the capture kernel's init ran; {tail}"
    assert not dumps_on(disk, res), f"/var/crash held {dumps_on(disk, res)}"

    jump = last_jump_of(res)
    m = re.fullmatch(r"time=(\d+) cpu=(\d+)", jump or "")
    assert m, f"last_jump at the report's boot: {jump}; {tail}"
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(int(m.group(1))))
    cause = CAPTURE_DEATH.format(t=when)
    told = f"lifeboat: no dump of the crash at {when}: the capture failed: {cause}; " \
           "'lifeboat report' shows it"
    assert second.count(told) == 1, f"lifeboat start did not tell it once; {tail}"
    assert armed_at(second, res.boot + 1), f"not armed again after the fault; {tail}"
    failed = capture_failed(disk, res)
    assert failed and "status=failed" in failed and f"reason={cause}" in failed, \
        f"capture-failed.txt: {failed}"
    report = report_of(res)
    assert "LBMARK report-status 0" in second, f"lifeboat report failed:\n{report}"
    line = f"no dump of the crash at {when}: the capture failed: {cause}"
    assert line in report.splitlines(), f"the report's verdict:\n{report}"
    return {"": line, "last_jump": jump, "capture_panic": died.group(0)}


class Fault:
    def __init__(self, name, check, wrapper=None, conf="", prepare=""):
        self.name = name
        self.check = check
        self.wrapper = wrapper      # the makedumpfile of its capture initramfs
        self.conf = conf            # its /etc/lifeboat.conf
        self.prepare = prepare      # shell, after arming


# In the order they come on the machine. The power cut ends a QEMU run, and
# the next boots the same disk; the faults with a configuration of their own
# come last, each rebuilding the capture initramfs once.
FAULTS = [
    Fault("makedumpfile_fails", check_makedumpfile_fails, wrapper="fails"),
    Fault("makedumpfile_killed", check_makedumpfile_killed, wrapper="killed"),
    Fault("target_fills_mid_write", check_target_fills_mid_write, wrapper="fills"),
    Fault("out_of_memory", check_out_of_memory, wrapper="oom"),
    # Holds makedumpfile mid-write for the plug to be pulled.
    Fault("power_lost", check_power_lost, wrapper="paused"),
    Fault("shell_action", check_shell_action, wrapper="fails", conf="failure_action = shell\n"),
    Fault("capture_kernel_dies", check_capture_kernel_dies,
          conf='append = "rdinit=/lifeboat-no-such-init"\n'),
    Fault("target_unmountable", check_target_unmountable, conf="target = LABEL=lbdump\n",
          prepare=DAMAGE_TARGET),
]
POWER_CUT = "power_lost"


def chosen_faults():
    """FAULTS, or those LIFEBOAT_SAVE_FAULTS names, in FAULTS' order."""
    want = os.environ.get("LIFEBOAT_SAVE_FAULTS", "").replace(",", " ").split()
    known = [f.name for f in FAULTS]
    unknown = [w for w in want if w not in known]
    if unknown:
        raise lbvm.HarnessError(f"LIFEBOAT_SAVE_FAULTS: unknown fault {' '.join(unknown)} "
                                f"(of: {' '.join(known)})")
    return [f for f in FAULTS if not want or f.name in want]


def make_rootfs(work, plan):
    """The root disk: the plan by boot in its init, the wrappers' archives and
    the faults' configurations in /usr/lib/lbtest; /etc/lifeboat.conf is the
    first fault's."""
    e = lbvm.env()
    extra, cases, prepares = [], [], []
    for w in sorted({f.wrapper for f in plan if f.wrapper}):
        extra.append((overlay(work, w), f"usr/lib/lbtest/overlay-{w}.cpio.gz"))
    for k in range(1, len(plan) + 2):
        prev = plan[k - 2] if k > 1 else None
        fault = plan[k - 1] if k <= len(plan) else None
        sets = []
        if prev:
            sets.append(f"prev={prev.name}")
        if fault:
            sets.append(f"fault={fault.name}")
            if prev and fault.conf != prev.conf:
                path = os.path.join(work, f"conf-{fault.name}")
                with open(path, "w") as f:
                    f.write(fault.conf)
                extra.append((path, f"usr/lib/lbtest/conf-{fault.name}"))
                sets.append("conf=1")
        cases.append(f"{k}) {' '.join(sets)} ;;")
    for f in plan:
        body = f"\trearm {f.wrapper}\n" if f.wrapper else ""
        prepares.append(f"{f.name})\n{body}{f.prepare}\t;;")
    init = INIT.replace("@REARM@", REARM).replace("@PLAN@", "\n".join(cases))
    init = init.replace("@PREPARE@", "\n".join(prepares))
    init = init.replace("@KVER@", e["KVER"])
    return cs.build_rootfs(work, plan[0].conf, root_init=init, extra_files=extra)


def boot(work, disk, name, done=("chain-done",), fail=(), extra_disks=(), vm_class=lbvm.VM,
         hooks=(), append=STABLE_REGION, timeout=420):
    """Boots the disk until a done marker, a fail marker or the end of QEMU;
    the guest reboots after each save."""
    initrd = cs.boot_initramfs(work)
    args = cs.BUSES["virtio"][0](disk)
    for d in extra_disks:
        args += ["-drive", f"file={d},if=virtio,format=raw"]
    vm = vm_class(work, initrd, f"console=ttyS0 {append}", mem="1G", smp=2, timeout=timeout,
                  done_markers=done, fail_markers=("boot-failed",) + tuple(fail), reboot=True,
                  name=name, markers=MARKERS, extra_args=args)
    for marker, fn in hooks:
        vm.on_marker(marker, fn)
    res = vm.run()
    shutil.copy(res.log_path, os.path.join(lbvm.BUILD, "vm", f"save-faults-{name}.serial.log"))
    return res


def test_save_faults_one_machine():
    """Every fault of FAULTS on one machine, one after the other; each
    checked as its own test would, and named with its verdict."""
    need_lifeboat()
    plan = chosen_faults()
    work = lbvm.workdir("save-faults")
    disk = make_rootfs(work, plan)
    dump = None
    if any(f.name == "target_unmountable" for f in plan):
        dump = lbvm.make_disk(os.path.join(work, "dump.ext4"), size_mb=512)
    cut = {}

    def pull_the_plug(vm):
        # makedumpfile is held mid-write: the plug is pulled before it can end.
        pid = vm._qemu_pid()
        if pid:
            cut["at"] = time.monotonic()
            os.kill(pid, signal.SIGKILL)

    def type_in_shell(vm):
        def later():
            time.sleep(3)
            # The console echoes what is typed: only the shell's output says "shell-42".
            vm.type("echo LBMARK shell-$((6 * 7))-alive; exit")
        threading.Thread(target=later, daemon=True).start()

    # QEMU runs: one more after each power cut, which ends its run.
    groups, cur = [], []
    for f in plan:
        cur.append(f)
        if f.name == POWER_CUT:
            groups.append(cur)
            cur = []
    groups.append(cur)
    runs = []
    for i, group in enumerate(groups):
        names = {f.name for f in group}
        last = i == len(groups) - 1
        # A run the power cut ends must not go on to the next fault's arming.
        fail = () if last else ("chain-done",) + tuple(
            f"arming-{f.name}" for f in groups[i + 1][:1])
        shell = "shell_action" in names
        res = boot(work, disk, f"run{i + 1}", done=("chain-done",) if last else (), fail=fail,
                   extra_disks=[dump] if dump and "target_unmountable" in names else [],
                   vm_class=ConsoleVM if shell else lbvm.VM,
                   hooks=[("mdf-paused", pull_the_plug)] +
                   ([("shell-started", type_in_shell)] if shell else []),
                   timeout=300 + 300 * len(group))
        runs.append(res)
        # The next run boots after the power cut only.
        if res.timed_out or "boot-failed" in res.markers or (not last and not cut):
            break

    figures, failures = {}, []
    for k, f in enumerate(plan, start=1):
        prev = plan[k - 2].name if k > 1 else None
        segs = segments(runs, f.name, prev)
        res = phase(runs, f.name, prev, k, segs)
        try:
            if not segs:
                raise AssertionError(f"the fault never came: the machine stopped before it; "
                                     f"{tail_of(runs[-1])}")
            if k > 1 and f.conf != plan[k - 2].conf:
                # Its configuration, then the unit restarted: the image rebuilt for it.
                first = first_boot(res)
                assert re.search(r"^LBMARK restart-status 0$", first, re.M) and re.search(
                    r"lifeboat: built the capture initramfs \S+: .*its inputs changed", first), \
                    f"the restart with the fault's configuration did not rebuild and arm; {tail_of(res)}"
            out = f.check(res, disk, runs=runs, cut=cut, segs=segs, dump=dump)
        except AssertionError as e:
            failures.append(f"{f.name}: {e}")
            figures[f.name] = "FAILED"
            continue
        for key, value in out.items():
            figures[f"{f.name}.{key}" if key else f.name] = value
    if failures:
        ok = [f.name for f in plan if figures.get(f.name) != "FAILED"]
        raise AssertionError(f"{len(failures)} of {len(plan)} faults failed "
                             f"(passed: {', '.join(ok) or 'none'}):\n" + "\n\n".join(failures))
    return figures
