#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Every way a kernel dies (issue 4), as data, and the driver that runs one of
them through a capture path.

A Scenario says how the guest is set up (memory, CPUs, kernel command line,
sysctls), how it is killed (shell commands in the first kernel's init, the
crasher module in tests/crasher/, or a QMP command sent when the guest prints
"LBMARK trigger"), and what crash and drgn must then see in the dump.

An Arm says how the first kernel arms a capture path: a shell snippet for its
init and the files it needs in the initramfs. The same scenarios run through
each arm:

  kdump        Linux's own kdump, `kexec -p`, as reference.py arms it.
               On an oops it jumps from oops_end(), before panic().
  kdump-panic  the same, booted with crash_kexec_post_notifiers, so that it
               jumps from panic() after the other CPUs were stopped: the
               shape a panic()-based capture such as Lifeboat's has: checks
               the "panic" expectations against Linux's own code.
  lifeboat     build/lifeboat.ko, `lifeboat load` and `lifeboat arm`.

Where the dump depends on the capture path, the expectation is a dict: keyed
by Arm.jumps_from ("oops_end" or "panic") for what crash shows, and for
drgn_funcs by Arm.crash_regs ("oops" or "panic"), since drgn unwinds the
crashed thread from the registers in the crashed CPU's note; a key that is an
arm's name ("lifeboat") is for that arm alone.

The s* scenarios are issue 4's list; the x* ones are further deaths the
capture path must survive: a panic in NMI context on a CPU other than the
boot CPU, a CPU that no NMI can stop because it is stuck in one, and two
CPUs panicking at once.
"""
import argparse
import dataclasses
import json
import os
import re
import sys

import capture
import checker
import lbvm

CRASHER_DIR = "/sys/kernel/debug/lifeboat_crasher"


@dataclasses.dataclass(frozen=True)
class Arm:
    name: str
    snippet: str              # shell, run in the first kernel's init; ends with `kmark armed`
    bins: tuple = ()          # binaries for the first initramfs (with their libraries)
    files: tuple = ()         # "src:dest" files for the first initramfs
    cmdline: str = ""         # added to the first kernel's command line
    jumps_from: str = "panic"  # "oops_end" or "panic": where an oops is captured
    # Whose registers the crashed CPU's note holds after an oops: "oops" (the
    # faulting instruction's, so drgn's stack starts there) or "panic".
    crash_regs: str = "oops"


def arm_kdump():
    return Arm("kdump", capture.kexec_arm(), bins=("/usr/sbin/kexec",), jumps_from="oops_end")


def arm_kdump_panic():
    return Arm("kdump-panic", capture.kexec_arm(), bins=("/usr/sbin/kexec",),
               cmdline="crash_kexec_post_notifiers", jumps_from="panic", crash_regs="panic")


def arm_lifeboat():
    """Lifeboat's own path. Fails, saying what is missing, if it is not built."""
    ko = lbvm.kmod("lifeboat.ko")
    return Arm("lifeboat", capture.lifeboat_arm(), bins=tuple(capture.lifeboat_bins()),
               files=(f"{ko}:/lib/lifeboat.ko",), jumps_from="panic",
               crash_regs="oops")


ARMS = {"kdump": arm_kdump, "kdump-panic": arm_kdump_panic, "lifeboat": arm_lifeboat}


def crasher(action, cpu):
    """Shell that kills the first kernel through the crasher module."""
    return f"echo {cpu} > {CRASHER_DIR}/{action}"


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    what: str
    trigger: str                    # shell run after arming, or "" when qmp does it
    panic_msg: object               # str, or {jumps_from: str}: crash's PANIC line holds it
    bt_funcs: object = ("panic",)   # tuple, or {jumps_from: tuple}: the crashed task's bt
    cpu_funcs: dict = dataclasses.field(default_factory=dict)  # {cpu: function} in bt -a
    exception_rip: str = None       # function named by "[exception RIP: ...]" in bt
    drgn_funcs: object = ("panic",)  # tuple, or {crash_regs: tuple}: drgn's crashed thread
    log_msgs: object = ()           # tuple, or {jumps_from: tuple}: text the dump's log holds
    panic_cpu: int = None           # the CPU the crashed task's bt is on
    mem: str = "1G"
    smp: int = 2
    crashkernel: str = "256M"
    cmdline: str = ""               # added to the first kernel's command line
    sysctls: tuple = ()             # ("kernel.panic_on_oops", "1"), set before arming
    qmp: tuple = None               # (command, arguments) sent on "LBMARK trigger"
    memory_mb: int = None           # the RAM crash's sys must count (within 1%)
    kaslr: bool = False             # the dump must show a non-zero kernel offset
    above_4g: bool = False          # the dump must hold pages above 4 GiB
    timeout: int = 300

    def expect(self, field, arm):
        """The expectation for this arm: a dict is looked up by the arm's
        name, then by the trait the field depends on."""
        v = getattr(self, field)
        if not isinstance(v, dict):
            return v
        if arm.name in v:
            return v[arm.name]
        return v[arm.crash_regs if field == "drgn_funcs" else arm.jumps_from]


# After an oops, the capture path's jump point shows in the dump:
# - kdump jumps from oops_end() when the oops is fatal (panic_on_oops, in
#   interrupt, init or idle task), before panic(): crash's bt goes through
#   crash_kexec and oops_end, not panic, and the log has no "Kernel panic".
# - a capture from panic() (Lifeboat, or kdump with crash_kexec_post_notifiers)
#   comes after oops_end() called panic("Fatal exception[ in interrupt]"):
#   bt goes through panic and the log ends with that line.
# Either way crash's PANIC line is the first death message it recognises in
# the log: "Oops: ..." or "kernel BUG at ...", before any "Kernel panic".
# It knows no stack-guard message, so a stack overflow captured before
# panic() has an empty PANIC line.
FATAL = "Kernel panic - not syncing: Fatal exception"
FATAL_IN_IRQ = "Kernel panic - not syncing: Fatal exception in interrupt"

SCENARIOS = [
    Scenario(
        "s1_sysrq_last_cpu", "echo c > /proc/sysrq-trigger pinned to the last of 4 CPUs",
        smp=4, trigger="taskset -c 3 sh -c 'echo c > /proc/sysrq-trigger'",
        panic_msg="sysrq triggered crash", bt_funcs=("sysrq_handle_crash", "panic"),
        panic_cpu=3),
    Scenario(
        "s2_null_deref", "NULL pointer write in a kthread on CPU 1, panic_on_oops=1",
        sysctls=(("kernel.panic_on_oops", "1"),), trigger=crasher("null_deref", 1),
        panic_msg="Oops: 0002",
        bt_funcs={"oops_end": ("crash_kexec", "oops_end", "exc_page_fault",
                               "lbcrash_null_deref_thread"),
                  "panic": ("panic", "exc_page_fault", "lbcrash_null_deref_thread")},
        drgn_funcs={"oops": ("lbcrash_null_deref", "lbcrash_null_deref_thread"),
                    "panic": ("panic", "lbcrash_null_deref")},
        exception_rip="lbcrash_null_deref", panic_cpu=1,
        log_msgs={"oops_end": ("BUG: kernel NULL pointer dereference",),
                  "panic": ("BUG: kernel NULL pointer dereference", FATAL)}),
    Scenario(
        "s3_timer_bug", "BUG() in a timer callback pinned to CPU 1 (softirq)",
        trigger=crasher("timer_bug", 1),
        panic_msg="kernel BUG at",
        bt_funcs={"oops_end": ("crash_kexec", "oops_end", "exc_invalid_op", "call_timer_fn",
                               "run_timer_softirq"),
                  "panic": ("panic", "exc_invalid_op", "call_timer_fn", "run_timer_softirq")},
        drgn_funcs={"oops": ("lbcrash_timer_fn", "call_timer_fn"),
                    "panic": ("panic", "lbcrash_timer_fn")},
        exception_rip="lbcrash_timer_fn", panic_cpu=1,
        log_msgs={"oops_end": (), "panic": (FATAL_IN_IRQ,)}),
    Scenario(
        "s4_hardirq_panic", "panic() in a hard interrupt (irq_work) on CPU 1",
        trigger=crasher("hardirq_panic", 1),
        panic_msg="crasher: panic in hard interrupt on CPU 1",
        bt_funcs=("panic", "lbcrash_hardirq_panic", "sysvec_irq_work"), panic_cpu=1),
    Scenario(
        "s5_nmi_unknown", "NMI injected from the QEMU monitor, unknown_nmi_panic=1",
        # QEMU raises LINT1 on every CPU, but Linux leaves LINT1 unmasked as
        # NMI on the boot CPU only: CPU 0 takes the NMI and panics in it.
        sysctls=(("kernel.unknown_nmi_panic", "1"),), trigger="", qmp=("inject-nmi",),
        panic_msg="NMI: Not continuing", bt_funcs=("panic", "exc_nmi"), panic_cpu=0,
        log_msgs=("Uhhuh. NMI received for unknown reason",)),
    Scenario(
        "s6_spin_irqs_off", "CPU 1 spins with interrupts off while CPU 0 panics",
        trigger=crasher("spin_irqs_off", 1),
        panic_msg="crasher: panic on CPU 0 while CPU 1 spins with interrupts off",
        bt_funcs=("panic", "lbcrash_do_spin_irqs_off"), cpu_funcs={1: "lbcrash_spin_irqs_off"},
        panic_cpu=0),
    Scenario(
        "s7_stack_overflow", "unbounded recursion in a kthread on CPU 1 hits the guard page",
        trigger=crasher("stack_overflow", 1),
        # die() runs on the double-fault stack, in NMI context for in_interrupt().
        panic_msg={"oops_end": "", "panic": FATAL_IN_IRQ},
        bt_funcs={"oops_end": ("crash_kexec", "handle_stack_overflow", "exc_double_fault",
                               "lbcrash_recurse_thread"),
                  "panic": ("panic", "handle_stack_overflow", "exc_double_fault",
                            "lbcrash_recurse_thread")},
        drgn_funcs={"oops": ("lbcrash_recurse", "lbcrash_recurse_thread"),
                    "panic": ("panic",)},
        exception_rip="lbcrash_recurse", panic_cpu=1,
        log_msgs={"oops_end": ("BUG: TASK stack guard page was hit",),
                  "panic": ("BUG: TASK stack guard page was hit", FATAL_IN_IRQ)}),
    Scenario(
        "s8_memory_512m", "panic() in process context, 512 MiB guest, KASLR on",
        # 128M: the 96M the reference needed at least, with room to spare,
        # and 384 MiB left for the first kernel and its 17 MB initramfs.
        mem="512M", crashkernel="128M", trigger=crasher("panic", 1),
        panic_msg="crasher: panic on CPU 1", bt_funcs=("lbcrash_panic", "panic"), panic_cpu=1,
        memory_mb=512, kaslr=True),
    Scenario(
        "s8_memory_4g", "panic() in process context, 4 GiB guest, KASLR on",
        # QEMU maps 3 GiB below the 32-bit hole and 1 GiB above 4 GiB, so the
        # core header must describe RAM above 4 GiB. The capture kernel's own
        # needs hardly grow with the dead machine's RAM (makedumpfile keeps
        # two bits per page: 256 KiB for 4 GiB), so 4 GiB gets the 256M that
        # 1 GiB guests get.
        mem="4G", crashkernel="256M", trigger=crasher("panic", 1),
        panic_msg="crasher: panic on CPU 1", bt_funcs=("lbcrash_panic", "panic"), panic_cpu=1,
        memory_mb=4096, kaslr=True, above_4g=True),
    Scenario(
        "x1_nmi_panic_cpu1", "panic() in an NMI the crasher sends to CPU 1",
        trigger=crasher("nmi_panic", 1), panic_msg="crasher: panic in NMI on CPU 1",
        bt_funcs=("panic", "lbcrash_nmi_panic", "exc_nmi"), panic_cpu=1),
    Scenario(
        "x2_spin_in_nmi", "CPU 1 spins inside an NMI handler while CPU 0 panics",
        # No NMI reaches CPU 1, so no capture path can save what it does now:
        # kdump gives up after a second and crash shows CPU 1's task as it
        # was last scheduled; Lifeboat keeps the registers the stuck NMI
        # interrupted and says so in the log.
        trigger=crasher("spin_in_nmi", 1),
        panic_msg="crasher: panic on CPU 0 while CPU 1 spins in NMI",
        bt_funcs=("panic", "lbcrash_do_spin_in_nmi"), panic_cpu=0,
        log_msgs={"lifeboat": ("lifeboat: CPU 1 did not answer the NMI",),
                  "oops_end": (), "panic": ()}),
    Scenario(
        "x3_panic_pair", "CPUs 0 and 1 call panic() at the same moment",
        # panic() lets one CPU through; the other stops in
        # panic_smp_self_stop() with interrupts off, or is stopped by the NMI
        # on its way into panic(): either way the NMI reaches it, and both
        # CPUs' stacks show the crasher's function. One capture kernel boots.
        trigger=crasher("panic_pair", 1),
        panic_msg="at the same moment as another CPU",
        bt_funcs=("panic", "lbcrash_panic_pair"),
        cpu_funcs={0: "lbcrash_panic_pair", 1: "lbcrash_panic_pair"},
        log_msgs=("at the same moment as another CPU",)),
]

BY_NAME = {s.name: s for s in SCENARIOS}

# The marks just before the death go through the kernel log (kmark).
FIRST_INIT = lbvm.INIT_PRELUDE + r"""
mark first-init
@SYSCTLS@
insmod /lib/crasher.ko > /dev/ttyS0 2>&1 || { mark crasher-failed; poweroff -f; }
@ARM@
kmark trigger
@TRIGGER@
sleep 60
mark survived
poweroff -f
"""


def build_first(work, scn, arm):
    sysctls = "\n".join(f"sysctl -w {k}={v} > /dev/ttyS0 || "
                        f"{{ mark sysctl-failed {k}; poweroff -f; }}" for k, v in scn.sysctls)
    init = (FIRST_INIT.replace("@SYSCTLS@", sysctls)
            .replace("@ARM@", arm.snippet)
            .replace("@TRIGGER@", scn.trigger))
    files = capture.first_files(module=False) + [f"{lbvm.kmod('crasher.ko')}:/lib/crasher.ko"]
    return lbvm.build_initramfs(os.path.join(work, "first.img"), init, bins=list(arm.bins),
                                files=files + list(arm.files), compress="none")


def crash_memory_mb(sys_text):
    """crash's "MEMORY: 511.5 MB" (or GB) in MiB, or None."""
    m = re.search(r"^\s*MEMORY:\s*([\d.]+)\s*([KMG])B\s*$", sys_text, re.M)
    if not m:
        return None
    return float(m.group(1)) * {"K": 1 / 1024, "M": 1, "G": 1024}[m.group(2)]


def death_time(res):
    """Host time the death shows on the console: the first oops or panic line
    after the trigger; for deaths in NMI context, whose messages do not reach
    the console before the jump, the trigger marker."""
    t = [res.markers[m] for m in ("oops", "panic") if m in res.markers
         and res.markers[m] >= res.markers.get("trigger", 0)]
    return (min(t), "death line") if t else (res.markers.get("trigger"), "trigger marker")


def check_dump(vmcore, panic_msg, cpus, log_msgs=(), panic_cpu=None, **readers):
    """The checker for the current guest kernel's dumps: crash and drgn where
    the installed ones read that kernel; where they do not (6.12 with
    Debian 12's), the log, one note per CPU and the crashing CPU's
    registers, read another way. readers: check_dump's crash/drgn options."""
    e = lbvm.env()
    if checker.readers_support(e):
        return checker.check_dump(lbvm.vmlinux_dbg(), vmcore, panic_msg, cpus,
                                  log_msgs=log_msgs, panic_cpu=panic_cpu, **readers)
    return checker.check_dump_without_readers(e, vmcore, panic_msg, cpus,
                                              log_msgs=log_msgs, panic_cpu=panic_cpu,
                                              modules=readers.get("modules", ()))


CHECKED = "checked.json"


def keep_checked(work, vmcore, scn, arm):
    """Next to a dump the checker passed, what it was checked against
    (work/checked.json): the checker's self-test (test_checker_selftest.py)
    breaks such a dump and expects the checker to fail."""
    e = lbvm.env()
    with open(os.path.join(work, CHECKED), "w") as f:
        json.dump({"scenario": scn.name, "arm": arm.name, "kname": e["KNAME"], "kver": e["KVER"],
                   "firmware": lbvm.firmware(), "vmcore": vmcore,
                   "panic_msg": scn.expect("panic_msg", arm), "cpus": scn.smp,
                   "bt_funcs": list(scn.expect("bt_funcs", arm)),
                   "drgn_funcs": list(scn.expect("drgn_funcs", arm)),
                   "panic_cpu": scn.panic_cpu}, f, indent=1)


def run_scenario(scn, arm, check=None):
    """Boot, arm, kill, capture, check. Returns figures; raises AssertionError
    (or lbvm.HarnessError) with a sentence when something is wrong.
    check(res), when given, checks the run's serial log further."""
    e = lbvm.env()
    own = "-own" if lbvm.capture_kernel()["OWN"] else ""
    work = lbvm.workdir(f"scenario-{scn.name}-{e['KNAME']}-{lbvm.firmware()}{own}")
    first = build_first(work, scn, arm)
    disk = lbvm.make_disk(os.path.join(work, "dump.ext4"))
    append = " ".join(x for x in ("console=ttyS0", f"crashkernel={scn.crashkernel}",
                                  arm.cmdline, scn.cmdline) if x)
    vm = lbvm.VM(work, first, append, mem=scn.mem, smp=scn.smp, disk=disk, timeout=scn.timeout,
                 fail_markers=("arm-failed", "crasher-failed", "sysctl-failed", "survived",
                               "capture-failed"), name=scn.name)
    qmp_answer = {}
    if scn.qmp:
        def send(v):
            qmp_answer["answer"] = v.qmp(*scn.qmp)
        vm.on_marker("trigger", send)
    res = vm.run()
    tail = f"serial log {res.log_path}, tail:\n{res.tail()}"
    assert not res.timed_out, f"time limit ({scn.timeout} s) reached; {tail}"
    for bad in ("arm-failed", "crasher-failed", "sysctl-failed", "capture-failed"):
        assert bad not in res.markers, f"{bad} {res.marker_args[bad]}; {tail}"
    assert "survived" not in res.markers, f"the first kernel survived the trigger; {tail}"
    if scn.qmp:
        ans = qmp_answer.get("answer")
        assert ans and "return" in ans, f"QMP {scn.qmp[0]} failed: {ans}"
    for m in ("armed", "trigger", "capture-kernel", "capture-init", "dump-saved"):
        assert m in res.markers, f"marker '{m}' never seen; {tail}"
    if check:
        check(res)

    vmcore = lbvm.disk_get(disk, "/vmcore", os.path.join(work, "vmcore"))
    assert vmcore, f"no vmcore on the dump disk, which holds {lbvm.disk_ls(disk)}"
    problems, info = check_dump(
        vmcore, scn.expect("panic_msg", arm), scn.smp,
        bt_funcs=scn.expect("bt_funcs", arm), cpu_funcs=scn.cpu_funcs,
        drgn_funcs=scn.expect("drgn_funcs", arm), exception_rip=scn.exception_rip,
        log_msgs=scn.expect("log_msgs", arm), panic_cpu=scn.panic_cpu,
        modules=(lbvm.kmod("crasher.ko"),))
    if scn.memory_mb:
        mb = crash_memory_mb(info.get("crash", {}).get("sys", ""))
        if mb is None or abs(mb - scn.memory_mb) > scn.memory_mb / 100:
            problems.append(f"crash's sys counts {mb} MiB of memory, expected {scn.memory_mb}")
    figures = {"capture": arm.name, "panic_line": info.get("panic_line")}
    if scn.above_4g:
        n = capture.dumped_pages_from(vmcore, (4 << 30) >> 12)
        if not n:
            problems.append("the dump holds no page above 4 GiB")
        figures["pages_above_4g"] = n
    if scn.kaslr:
        off = capture.kernel_offset(vmcore)
        if not off:
            problems.append(f"the dump's KERNELOFFSET is {off}: KASLR was not on")
        else:
            figures["kerneloffset"] = hex(off)
    assert not problems, "checker: " + "; ".join(problems) + f" (dump {vmcore}, {res.log_path})"
    keep_checked(work, vmcore, scn, arm)

    t0, start = death_time(res)
    figures["death_to_capture_kernel"] = f"{res.markers['capture-kernel'] - t0:.1f}s"
    figures["timed_from"] = start
    figures["capture_init_to_saved"] = f"{res.since('capture-init', 'dump-saved'):.1f}s"
    figures["dump_mb"] = f"{os.path.getsize(vmcore) / 1e6:.1f}"
    return figures


def main():
    ap = argparse.ArgumentParser(description="Run death scenarios through a capture path.")
    ap.add_argument("names", nargs="*", help="scenario names (default: all)")
    ap.add_argument("--arm", choices=sorted(ARMS), default="kdump")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    if a.list:
        for s in SCENARIOS:
            print(f"{s.name}: {s.what}")
        return 0
    failed = 0
    for name in a.names or list(BY_NAME):
        if name not in BY_NAME:
            print(f"scenarios: no scenario '{name}'", file=sys.stderr)
            return 2
        try:
            figures = run_scenario(BY_NAME[name], ARMS[a.arm]())
            print(f"ok - {name} " + " ".join(f"{k}={v}" for k, v in figures.items()), flush=True)
        except (AssertionError, lbvm.HarnessError) as e:
            print(f"not ok - {name}: {e}", flush=True)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
