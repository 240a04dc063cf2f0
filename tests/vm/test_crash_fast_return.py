# SPDX-License-Identifier: GPL-2.0
"""
Back from a crash without the firmware (final_action = fast-reboot): the
guest of capture_side.py, whose root disk is the dump target, with
final_action = fast-reboot and crash_loop = 2/30, under QEMU's -no-reboot,
so that a firmware reset ends QEMU and the only way to a second boot is the
direct one.

  boot 1: `lifeboat start` records the production kernel, its initramfs,
          command line, the firmware's memory map and lifeboat.ko in the
          capture initramfs and arms; sysrq-c on CPU 0, the boot processor
          (from another CPU the module refuses the fast reboot: the
          production kernel could start the boot processor only with an
          INIT that resets some machines).
  capture 1: the dump is saved; the saver loads lifeboat.ko, hands the
          production kernel to the module and reboots: the fast reboot.
  boot 2: the production kernel again, without the firmware, with the same
          command line and RAM; the unit's command announces the crash and
          re-arms; sysrq-c.
  capture 2: the dump is saved; the second crash within 30 minutes is a
          crash loop: the saver refuses the fast reboot, says why and reboots
          through the firmware, which ends QEMU.

Both dumps are checked by the dump checker.
"""
import os
import re

import capture_side as cs
import lbvm
import scenarios

ORDER = 32
PANIC_MSG = "sysrq triggered crash"

MARKERS = cs.MARKERS + [
    ("fast-reboot", re.compile(r"lifeboat: fast reboot into the production kernel")),
    ("fast-refused", re.compile(r"lifeboat: fast reboot refused: (.*)")),
    ("jump", re.compile(r"fast reboot: jumping to the new kernel")),
    ("abandoned", re.compile(r"fast reboot abandoned: ")),
]

INIT = cs.ROOT_PRELUDE + cs.BOOT_COUNT + r"""echo "LBCMDLINE $boot $(cat /proc/cmdline)" > /dev/ttyS0
echo "LBMEM $boot $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)" > /dev/ttyS0
@START@ > /dev/ttyS0 2>&1
mark start-status "$boot" $?
lifeboat status > /dev/ttyS0 2>&1 && [ "$(cat /sys/kernel/lifeboat/state)" = armed ] &&
	kmark armed "$boot"
if [ "$boot" -le 2 ]; then
	sync
	kmark trigger "$boot"
	taskset -c 0 sh -c 'echo c > /proc/sysrq-trigger'
fi
mark survived "$boot"
poweroff -f
"""


def lines_matching(res, rx):
    return [m for m in (re.search(rx, line) for _, line in res.lines) if m]


def per_boot(res, tag):
    """{boot: text} of the 'TAG <boot> <text>' lines."""
    return {int(m.group(1)): m.group(2) for m in lines_matching(res, rf"{tag} (\d+) (.*)$")}


def test_crash_fast_return():
    """Panic, capture, dump saved, the production kernel back without the
    firmware, re-armed, a second crash captured, which the crash-loop
    breaker sends through the firmware."""
    e = lbvm.env()
    work = lbvm.workdir("crash-fast-return")
    with open(os.path.join(lbvm.ROOT, "dumptools", "lifeboat.conf")) as f:
        conf = f.read() + "\nfinal_action = fast-reboot\ncrash_loop = 2/30\n"
    # The production kernel's initramfs is the one QEMU boots it with.
    boot_img = cs.boot_initramfs(work)
    disk = cs.build_rootfs(work, conf, root_init=INIT,
                           extra_files=[(boot_img, f"boot/initrd.img-{e['KVER']}")])
    vm = lbvm.VM(work, boot_img, "console=ttyS0 crashkernel=256M", smp=2, timeout=600,
                 reboot=False, fail_markers=("boot-failed", "survived"), name="fast-return",
                 markers=MARKERS, extra_args=cs.BUSES["virtio"][0](disk))
    res = vm.run()
    tail = f"serial log tail ({res.log_path}):\n{res.tail(60)}"
    assert not res.timed_out, f"time limit reached; {tail}"
    for m in ("boot-failed", "survived", "abandoned"):
        assert m not in res.markers, f"marker '{m}': {res.marker_args.get(m)}; {tail}"

    boots = [int(m.group(1)) for m in lines_matching(res, r"LBMARK boot (\d+)$")]
    armed = [int(m.group(1)) for m in lines_matching(res, r"LBMARK armed (\d+)")]
    assert boots == [1, 2], f"boots seen {boots}, want [1, 2]; {tail}"
    assert armed == [1, 2], f"armed in boots {armed}, want [1, 2]; {tail}"

    # The first capture went back directly, the second through the firmware.
    fast = lines_matching(res, r"lifeboat: fast reboot into the production kernel (\S+)")
    refused = lines_matching(res, r"lifeboat: fast reboot refused: (.*)")
    assert len(fast) == 1 and fast[0].group(1) == e["KVER"], \
        f"fast reboot lines: {[m.group(0) for m in fast]}; {tail}"
    assert len(lines_matching(res, r"fast reboot: jumping to the new kernel")) == 1, tail
    assert len(refused) == 1 and "crash loop: 2 crashes within 30 minutes" in refused[0].group(1) \
        and refused[0].group(1).endswith("rebooting through the firmware"), \
        f"refusal lines: {[m.group(0) for m in refused]}; {tail}"
    # -no-reboot: the firmware's reset ended QEMU, after the refusal.
    assert res.exit_code == 0, f"QEMU exit status {res.exit_code}; {tail}"
    order = [t for t, line in res.lines
             if re.search(r"LBMARK (boot|trigger) |lifeboat: (fast reboot|dump saved)", line)]
    assert order == sorted(order)

    # Boot 2 is the production kernel with the same command line and RAM.
    cmdlines, mem = per_boot(res, "LBCMDLINE"), per_boot(res, "LBMEM")
    assert cmdlines.get(2) == cmdlines.get(1), f"command lines: {cmdlines}"
    m1, m2 = int(mem.get(1, 0)), int(mem.get(2, 0))
    assert m1 and abs(m1 - m2) <= m1 // 100, f"MemTotal (KiB) boot 1 {m1}, boot 2 {m2}"
    assert len(lines_matching(res, r"lifeboat: the system crashed at ")) >= 1, \
        f"boot 2 did not announce the crash; {tail}"

    # Two dumps, complete, both read by the checker.
    saved = [m.group(1) for m in lines_matching(res, r"lifeboat: dump saved to \S*/var/crash/([\w-]+) ")]
    dumps = sorted(lbvm.disk_ls(disk, "/var/crash"))
    assert len(saved) == 2 and sorted(saved) == dumps, f"saved {saved}, on the disk {dumps}"
    arm = scenarios.arm_lifeboat()
    sysrq = scenarios.Scenario("sysrq", "echo c > /proc/sysrq-trigger",
                               trigger="echo c > /proc/sysrq-trigger", panic_msg=PANIC_MSG,
                               bt_funcs=("sysrq_handle_crash", "panic"))
    for name in dumps:
        meta = cs.meta(disk, f"/var/crash/{name}")
        assert meta and meta.get("status") == "complete", f"{name}: metadata {meta}"
        vmcore = lbvm.disk_get(disk, f"/var/crash/{name}/vmcore", os.path.join(work, "vmcore"))
        assert vmcore, f"no vmcore in /var/crash/{name}"
        problems, _ = scenarios.check_dump(vmcore, PANIC_MSG, 2,
                                           bt_funcs=sysrq.expect("bt_funcs", arm))
        assert not problems, f"{name}: " + "; ".join(problems)

    return {"trigger_to_boot2": f"{t_between(res, 'LBMARK trigger 1', 'LBMARK boot 2'):.0f}s",
            "root_mount_boot1": f"{mount_time(res, 1):.1f}s",
            "root_mount_boot2": f"{mount_time(res, 2):.1f}s"}


def mount_time(res, boot):
    """Seconds of the guest's clock from the root disk's probe to its mount,
    in the boot init of the production kernel's boot-th boot: the first
    after a direct boot has been seen much slower than after the firmware."""
    n, probe = 0, None
    for _, line in res.lines:
        if "LBMARK boot-init" in line:
            n += 1
            probe = None
        if n != boot:
            continue
        m = re.search(r"\[\s*([\d.]+)\] virtio_blk virtio0: \[vda\]", line)
        if m:
            probe = float(m.group(1))
        m = re.search(r"\[\s*([\d.]+)\] EXT4-fs \(vda\): mounted", line)
        if m and probe is not None:
            return float(m.group(1)) - probe
    return -1.0


def t_between(res, a, b):
    ta = next((t for t, line in res.lines if a in line), None)
    tb = next((t for t, line in res.lines if b in line), None)
    return (tb - ta) if ta is not None and tb is not None else -1.0
