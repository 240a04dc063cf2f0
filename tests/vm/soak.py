#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
The long unattended soak (`make soak`): one guest, one root disk that is
also the dump target, N crash cycles through the boot-time unit as on a real
machine: boot, `lifeboat start` arms, a death from a rotating set of
scenarios.py's, the capture kernel saves the dump and reboots, the next boot
announces the crash, `lifeboat report` shows it, and the unit arms again.
Afterwards every dump on the disk is checked against its death by crash and
drgn (or, for a kernel they cannot read, by scenarios.check_dump's other
way). Not part of `make test`: 20 cycles take about 25 minutes under TCG.

With --fast-return (`make soak SOAK_FAST_RETURN=1`) the configuration says
final_action = fast-reboot, and every cycle comes back through the direct
boot instead of the firmware: QEMU runs with -no-reboot, so a firmware reset
would end the run, and each cycle must print the saver's "fast reboot into
the production kernel" and the module's jump. The crash-loop breaker is set
out of reach (crash_loop = 1000/1): the soak crashes on purpose, every minute
or so. Its deaths happen on CPU 0, the boot processor: from any other CPU
the module refuses the fast reboot (the production kernel could start the
boot processor only with an INIT that resets some machines), and the
firmware reboots the machine, which ends this run.

Prints the cycles run, the dumps saved and verified, and the median and
slowest cycle; exits 1 unless every cycle saved a dump that verified.

    soak.py [--cycles N] [--kernel NAME] [--firmware bios|uefi] [--fast-return]
"""
import argparse
import dataclasses
import os
import re
import statistics
import sys
import time

import capture_side as cs
import lbvm
import scenarios

# Deaths that need no action from the host and suit a 2-CPU guest; the
# cycle's number picks one in turn.
ROTATION = ("s2_null_deref", "s4_hardirq_panic", "x1_nmi_panic_cpu1", "s6_spin_irqs_off",
            "s3_timer_bug", "sysrq")
SYSRQ = scenarios.Scenario("sysrq", "echo c > /proc/sysrq-trigger",
                           trigger="echo c > /proc/sysrq-trigger",
                           panic_msg="sysrq triggered crash",
                           bt_funcs=("sysrq_handle_crash", "panic"))

SOAK_INIT = cs.ROOT_PRELUDE + cs.BOOT_COUNT + r"""
mkdir -p /sys/kernel/debug
mount -t debugfs debugfs /sys/kernel/debug
/usr/sbin/lifeboat start > /dev/ttyS0 2>&1
mark start-status "$boot" $?
lifeboat status > /dev/ttyS0 2>&1 && [ "$(cat /sys/kernel/lifeboat/state)" = armed ] && mark armed "$boot"
if [ "$boot" -gt 1 ]; then
	mark report-begin "$boot"
	lifeboat report > /dev/ttyS0 2>&1
	mark report-status "$boot" $?
fi
if [ "$boot" -le @CYCLES@ ]; then
	insmod /lib/lbtest/crasher.ko > /dev/ttyS0 2>&1
	case $(( (boot - 1) % @NDEATHS@ )) in
@CASES@
	esac
	sleep 60
	mark survived "$boot"
fi
ls -l /var/crash > /dev/ttyS0 2>&1
sync
mark done
poweroff -f
"""


def on_cpu0(s):
    """The same death on CPU 0: the crasher's CPU argument, and the CPU the
    panic names, become 0; a death that panics on CPU 0 already stays."""
    if s.name == "sysrq":
        return dataclasses.replace(
            s, trigger="taskset -c 0 sh -c 'echo c > /proc/sysrq-trigger'", panic_cpu=0)
    if s.panic_cpu == 0:
        return s
    msg = s.panic_msg
    if isinstance(msg, str):
        msg = msg.replace("on CPU 1", "on CPU 0")
    return dataclasses.replace(s, name=s.name + "_cpu0", trigger=s.trigger.replace("echo 1 >", "echo 0 >"),
                               panic_msg=msg, panic_cpu=0)


def deaths(fast_return=False):
    out = []
    for name in ROTATION:
        out.append(SYSRQ if name == "sysrq" else scenarios.BY_NAME[name])
    if fast_return:
        out = [on_cpu0(s) for s in out]
    for s in out:
        if s.smp != 2 or s.qmp or s.mem != "1G":
            raise lbvm.HarnessError(f"scenario {s.name} does not suit the soak's 2-CPU guest")
    return out


def init_script(cycles, ds):
    cases = []
    for i, s in enumerate(ds):
        sysctls = "".join(f"echo {v} > /proc/sys/{k.replace('.', '/')}; " for k, v in s.sysctls)
        trigger = s.trigger.replace(scenarios.CRASHER_DIR, "/sys/kernel/debug/lifeboat_crasher")
        cases.append(f"\t{i}) {sysctls}kmark trigger \"$boot\" {s.name}; sync; {trigger} ;;")
    return (SOAK_INIT.replace("@CYCLES@", str(cycles)).replace("@NDEATHS@", str(len(ds)))
            .replace("@CASES@", "\n".join(cases)))


def cycle_marks(res, name):
    """{boot number: host time} of 'LBMARK name <boot> ...' lines."""
    out = {}
    for t, line in res.lines:
        m = re.search(rf"LBMARK {name} (\d+)", line)
        if m and int(m.group(1)) not in out:
            out[int(m.group(1))] = t
    return out


def cycle_lines(res, c):
    """The serial lines from cycle c's trigger to the next boot."""
    out, inside = [], False
    for _, line in res.lines:
        if re.search(rf"LBMARK trigger {c} ", line):
            inside = True
        elif inside and re.search(rf"LBMARK boot {c + 1}$", line):
            break
        if inside:
            out.append(line)
    return out


def saved_by_cycle(res):
    """{cycle: dump folder} from the saver's 'dump saved to ...' lines."""
    out, cycle = {}, None
    for _, line in res.lines:
        m = re.search(r"LBMARK trigger (\d+) ", line)
        if m:
            cycle = int(m.group(1))
        m = re.search(r"lifeboat: dump saved to \S*/var/crash/([\w-]+) ", line)
        if m and cycle is not None and cycle not in out:
            out[cycle] = m.group(1)
    return out


def why_lost(res, c):
    """What the console shows of a cycle that saved nothing."""
    lines = cycle_lines(res, c)
    for pattern in (r"Kernel panic - not syncing: (?!.*(crasher|sysrq|Fatal|NMI)).*",
                    r"lifeboat: capture failed.*", r"lifeboat: dmesg only.*"):
        for line in lines:
            m = re.search(pattern, line)
            if m and "jumping" not in line:
                return m.group(0)[:160]
    return "no saver line on the console"


def main():
    ap = argparse.ArgumentParser(description="Unattended crash cycles through the boot unit.")
    ap.add_argument("--cycles", type=int, default=int(os.environ.get("SOAK_CYCLES", 20)))
    ap.add_argument("--kernel", default=None, help="a kernel of tests/kernels.txt")
    ap.add_argument("--firmware", default="bios", choices=("bios", "uefi"))
    ap.add_argument("--fast-return", action="store_true",
                    default=os.environ.get("SOAK_FAST_RETURN", "") not in ("", "0"),
                    help="final_action = fast-reboot: every cycle returns without the firmware")
    a = ap.parse_args()
    with lbvm.guest(a.kernel, a.firmware):
        return soak(a.cycles, a.fast_return)


def soak(cycles, fast_return=False):
    e = lbvm.env()
    ds = deaths(fast_return)
    mode = "-fast-return" if fast_return else ""
    work = lbvm.workdir(f"soak-{e['KNAME']}-{lbvm.firmware()}{mode}")
    with open(os.path.join(lbvm.ROOT, "dumptools", "lifeboat.conf")) as f:
        conf = f.read() + "\nkeep = 0\n"
    if fast_return:
        conf += "final_action = fast-reboot\ncrash_loop = 1000/1\n"
    crasher = lbvm.kmod("crasher.ko")
    initrd = cs.boot_initramfs(work)
    extra = [(crasher, "lib/lbtest/crasher.ko")]
    if fast_return:
        # The production kernel's initramfs: the one QEMU boots it with.
        extra.append((initrd, f"boot/initrd.img-{e['KVER']}"))
    disk = cs.build_rootfs(work, conf, root_init=init_script(cycles, ds),
                           size_mb=max(2048, 160 * cycles), extra_files=extra)
    vm = lbvm.VM(work, initrd, "console=ttyS0 crashkernel=256M", smp=2,
                 reboot=not fast_return,
                 timeout=150 * cycles + 120, fail_markers=("boot-failed", "survived"),
                 name="soak", markers=cs.MARKERS, extra_args=cs.BUSES["virtio"][0](disk))
    t0 = time.monotonic()
    res = vm.run()
    wall = time.monotonic() - t0
    problems = []
    if res.timed_out:
        problems.append(f"time limit reached; serial log {res.log_path}")
    if "survived" in res.markers:
        problems.append(f"a guest survived its death: {res.marker_args['survived']}")
    armed = cycle_marks(res, "armed")
    boots = cycle_marks(res, "boot")
    triggers = cycle_marks(res, "trigger")
    reports = cycle_marks(res, "report-status")
    text = res.text()
    announced = len(re.findall(r"lifeboat: the system crashed at ", text))
    for b in range(1, cycles + 2):
        if b not in armed:
            problems.append(f"boot {b} was not armed")
    durations = [boots[b + 1] - boots[b] for b in range(1, cycles + 1) if b + 1 in boots]

    dumps = sorted(n for n in lbvm.disk_ls(disk, "/var/crash") if not n.endswith(".incomplete"))
    incomplete = [n for n in lbvm.disk_ls(disk, "/var/crash") if n.endswith(".incomplete")]
    if incomplete:
        problems.append(f"incomplete dumps left: {incomplete}")
    saved = saved_by_cycle(res)
    verified = 0
    for c in range(1, cycles + 1):
        s = ds[(c - 1) % len(ds)]
        name = saved.get(c)
        if name is None:
            problems.append(f"cycle {c} ({s.name}) saved no dump: {why_lost(res, c)}")
            continue
        if name not in dumps:
            problems.append(f"cycle {c} ({s.name}): the saver named /var/crash/{name}, "
                            f"which is not on the disk")
            continue
        vmcore = lbvm.disk_get(disk, f"/var/crash/{name}/vmcore", os.path.join(work, "vmcore"))
        if not vmcore:
            problems.append(f"cycle {c} ({s.name}): no vmcore in /var/crash/{name}")
            continue
        arm = scenarios.arm_lifeboat()
        p, _ = scenarios.check_dump(
            vmcore, s.expect("panic_msg", arm), 2, bt_funcs=s.expect("bt_funcs", arm),
            cpu_funcs=s.cpu_funcs, drgn_funcs=s.expect("drgn_funcs", arm),
            exception_rip=s.exception_rip, log_msgs=s.expect("log_msgs", arm),
            panic_cpu=s.panic_cpu, modules=(crasher,))
        if p:
            problems.append(f"cycle {c} ({s.name}, /var/crash/{name}): " + "; ".join(p))
        else:
            verified += 1
    if len(dumps) != len(saved):
        problems.append(f"{len(dumps)} dumps on the disk, {len(saved)} announced saved")
    fast = len(re.findall(r"lifeboat: fast reboot into the production kernel", text))
    jumps = len(re.findall(r"fast reboot: jumping to the new kernel", text))
    if fast_return:
        for m in re.finditer(r"lifeboat: fast reboot refused: .*|fast reboot abandoned: .*", text):
            problems.append(m.group(0)[:200])
        if fast != cycles or jumps != cycles:
            problems.append(f"{fast} fast reboots announced and {jumps} jumps for {cycles} cycles")
    print(f"soak: kernel {e['KVER']}, firmware {lbvm.firmware()}, serial log {res.log_path}")
    if fast_return:
        print(f"soak: final_action = fast-reboot: {jumps}/{cycles} cycles back without the firmware")
    print(f"soak: cycles run {len(triggers)}/{cycles}, re-armed {len(armed)}, "
          f"crashes announced at boot {announced}, reports {len(reports)}")
    print(f"soak: dumps saved {len(dumps)}, dumps verified {verified}")
    if durations:
        print(f"soak: cycle (boot to next boot) median {statistics.median(durations):.1f} s, "
              f"slowest {max(durations):.1f} s (cycle {durations.index(max(durations)) + 1}), "
              f"whole run {wall:.0f} s")
    for p in problems:
        print(f"soak: FAILED: {p}")
    print(f"{verified} passed, {cycles - verified} failed")
    return 0 if not problems and verified == cycles else 1


if __name__ == "__main__":
    sys.exit(main())
