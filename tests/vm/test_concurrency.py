# SPDX-License-Identifier: GPL-2.0
"""
Issue 9, concurrency: `lifeboat load` (now and then of a file that is no
kernel), `arm`, `disarm`, `unload` and `status`, the sysfs `armed` switch
and reads of every file of /sys/kernel/lifeboat/, each in a loop of its own,
all at once for SOAK_S seconds of guest time on 2 CPUs. Then: no oops, BUG,
WARN, lockup or unexpected NMI in the kernel's log; no memory lost (MemFree
plus the free pages of the per-CPU lists after dropping caches, VmallocUsed,
the kernel's vmalloc areas made by the module and the module's own `memory`
counts, before and after, both idle);
every loop made progress and every failure was one of the sentences a
command says when another loop got there first; and a panic at the end is
still captured, with a dump that passes the checker.
"""
import os
import re

import checker
import capture
import lbvm
import test_capture_path

ORDER = 25
SOAK_S = 60

CONCURRENCY_INIT = lbvm.INIT_PRELUDE + lbvm.SETTLE_FREE + r"""
mark first-init
insmod /lib/lifeboat.ko || { mark arm-failed insmod; poweroff -f; }
# The module's info lines (one per load, arm, disarm, unload) stay in the
# ring buffer; warnings and worse still reach the console.
echo 5 > /proc/sys/kernel/printk
K=/boot/vmlinuz; I=/boot/capture.img; A="@APPEND@"
D=/sys/kernel/lifeboat
head -c 65536 /dev/urandom > /tmp/garbage.img
# The loops load a small initramfs: the kernel image alone makes a load slow
# enough under emulation.
head -c 1048576 $I > /tmp/small.img

memory() {	# name
	sync
	m() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
	settle_free drop
	echo "LBMEM $1 memfree=$((free - pcp)) pcp=$pcp vmalloc=$(m VmallocUsed) slab=$(m Slab)" \
		"areas=$(grep -c '\[lifeboat\]' /proc/vmallocinfo) settled=$i $(cat $D/memory)" > /dev/ttyS0
}

# One of each first, so what the kernel keeps after a first use (caches,
# the binary's pages) is in both measurements.
{ lifeboat load --kernel $K --initrd $I --append "$A" && lifeboat arm &&
	lifeboat status && lifeboat disarm && lifeboat unload; } > /dev/null 2>&1 ||
	{ mark arm-failed warm-up; poweroff -f; }
cat $D/* > /dev/null
memory before

END=$(( $(date +%s) + @SOAK_S@ ))
# loop NAME OK-CODES COMMAND...: run COMMAND until END; count exit codes in
# OK-CODES as successes and keep the others with their last line of stderr.
loop() {
	name=$1; okc=$2; shift 2
	n=0; ok=0; fail=0
	while [ "$(date +%s)" -lt "$END" ]; do
		n=$((n + 1))
		out=$("$@" 2>&1 >/dev/null); rc=$?
		case " $okc " in
		*" $rc "*) ok=$((ok + 1)) ;;
		*) fail=$((fail + 1)); echo "$rc $(echo "$out" | tail -n 1)" >> "/tmp/fail.$name" ;;
		esac
	done
	echo "LBLOOP $name ok=$ok fail=$fail" > "/tmp/loop.$name"
}
load_some() {	# every fifth load is of a file that is no kernel
	c=$(( $(cat /tmp/nload 2>/dev/null || echo 0) + 1 )); echo $c > /tmp/nload
	if [ $((c % 5)) -eq 0 ]; then
		! lifeboat load --kernel /tmp/garbage.img --initrd $I
	else
		lifeboat load --kernel $K --initrd /tmp/small.img --append "$A"
	fi
}
arm_some() { lifeboat arm && echo 1 > $D/armed; }
disarm_some() { lifeboat disarm && sleep 0.1 && echo 0 > $D/armed; }
unload_some() { sleep 8; lifeboat unload; }
read_all() { cat $D/state $D/armed $D/region $D/image $D/cmdline $D/memory; }

mark soak-start
loop load 0 load_some &
loop arm 0 arm_some &
loop disarm 0 disarm_some &
loop unload 0 unload_some &
loop status "0 3" lifeboat status &
loop sysfs 0 read_all &
wait
mark soak-end
cat /tmp/loop.* > /dev/ttyS0
for f in /tmp/fail.*; do
	[ -e "$f" ] || continue
	sort "$f" | uniq -c | sed "s|^ *\([0-9]*\) |LBFAIL ${f#/tmp/fail.} \1 |" > /dev/ttyS0
done
rm -f /tmp/loop.* /tmp/fail.* /tmp/nload

lifeboat unload > /dev/null 2>&1
c() { dmesg | grep -c "lifeboat: $1"; }
echo "LBCOUNT armed=$(c 'armed$') disarmed=$(c disarmed) loaded=$(c 'loaded a') loaded_while_armed=$(c 'loaded a .*; still armed$') unloaded=$(c 'capture image unloaded')" > /dev/ttyS0
echo "LBSTATE $(cat $D/state) $(cat $D/armed)" > /dev/ttyS0
memory after

lifeboat load --kernel $K --initrd $I --append "$A" > /dev/ttyS0 2>&1 || { mark arm-failed load; poweroff -f; }
lifeboat arm > /dev/ttyS0 2>&1 || { mark arm-failed arm; poweroff -f; }
[ "$(cat $D/state)" = armed ] || { mark arm-failed state; poweroff -f; }
kmark armed
kmark trigger
echo c > /proc/sysrq-trigger
"""

# What a command may say when another loop changed the state under it.
EXPECTED_FAILURES = {
    "arm": [r"^1 (lifeboat: )?cannot arm: no capture image is loaded",
            r"^1 .*write error: No such file or directory$"],
    "disarm": [],
    "unload": [r"^1 (lifeboat: )?cannot unload: no capture image is loaded"],
    "load": [],
    "status": [],
    "sysfs": [],
}

# Lines of the kernel that must not appear while the loops run.
BAD_KERNEL_LINES = re.compile(
    r"(BUG:|Oops|WARNING:|general protection fault|kernel BUG at|Call Trace|"
    r"soft lockup|hard LOCKUP|rcu_sched self-detected|rcu: INFO|blocked for more than|"
    r"list_add corruption|list_del corruption|Uhhuh\. NMI|NMI received for unknown reason|"
    r"lifeboat: .*(changed by someone else|going on with the normal panic))")

# MemFree may move by what the slab keeps of a few thousand processes; a
# leaked copy of a capture kernel is several MiB at every load.
MEMFREE_SLACK_KB = 4096


def parse_kv(text):
    return {k: int(v) for k, v in re.findall(r"(\w+)=(-?\d+)", text)}


def soak():
    """Boot, soak, check, panic, capture; the figures of it."""
    e = lbvm.env()
    work = lbvm.workdir(f"concurrency-{e['KNAME']}")
    cap = capture.capture_image()
    init = CONCURRENCY_INIT.replace("@APPEND@", capture.CAPTURE_APPEND) \
        .replace("@SOAK_S@", str(SOAK_S))
    first = lbvm.build_initramfs(
        os.path.join(work, "first.img"), init,
        bins=capture.lifeboat_bins(),
        files=capture.first_files(cap))
    disk = lbvm.make_disk(os.path.join(work, "dump.ext4"))
    vm = lbvm.VM(work, first, "console=ttyS0 crashkernel=256M", disk=disk, timeout=480,
                 fail_markers=("arm-failed", "capture-failed"), name="concurrency")
    res = vm.run()
    for bad in ("arm-failed", "capture-failed"):
        assert bad not in res.markers, \
            f"{bad} {res.marker_args[bad]}; serial log tail:\n{res.tail()}"
    assert "soak-end" in res.markers, f"the loops did not end; serial log tail:\n{res.tail()}"

    text = res.text()
    before_panic = text.split("LBMARK trigger")[0]
    bad = [line for line in before_panic.splitlines() if BAD_KERNEL_LINES.search(line)]
    assert not bad, "the kernel complained during the soak:\n" + "\n".join(bad[:20])

    loops = {m.group(1): parse_kv(m.group(2))
             for m in re.finditer(r"^LBLOOP (\S+) (.*)$", text, re.M)}
    assert set(loops) == set(EXPECTED_FAILURES), f"loops that reported: {sorted(loops)}"
    for name, counts in loops.items():
        assert counts["ok"] > 0, f"loop '{name}' never succeeded: {counts}"
    for m in re.finditer(r"^LBFAIL (\S+) (\d+) (.*)$", text, re.M):
        name, what = m.group(1), m.group(3)
        assert any(re.search(p, what) for p in EXPECTED_FAILURES[name]), \
            f"loop '{name}' failed {m.group(2)} times with: {what}"

    mem = {m.group(1): parse_kv(m.group(2))
           for m in re.finditer(r"^LBMEM (\S+) (.*)$", text, re.M)}
    assert set(mem) == {"before", "after"}, f"memory figures: {mem}"
    before, after = mem["before"], mem["after"]
    for key in ("buffers", "buffer_bytes", "mappings", "mapping_bytes", "areas"):
        assert before[key] == 0 and after[key] == 0, \
            f"the module holds memory while idle: before {before}, after {after}"
    free_before = before["memfree"] + before["pcp"]
    free_after = after["memfree"] + after["pcp"]
    assert free_after >= free_before - MEMFREE_SLACK_KB, \
        f"free memory fell by {free_before - free_after} kB: before {before}, after {after}"
    assert after["vmalloc"] <= before["vmalloc"] + 64, \
        f"VmallocUsed grew by {after['vmalloc'] - before['vmalloc']} kB"
    assert re.search(r"^LBSTATE empty 0$", text, re.M), "not empty and disarmed after unload"

    figures = test_capture_path.check_chain(res, disk, work)
    if checker.readers_support(e):
        # The kernel's crashing_cpu names the CPU that panicked (set before the NMIs).
        out = checker.run_crash(lbvm.vmlinux_dbg(), os.path.join(work, "vmcore"),
                                ["p crashing_cpu", "bt"])
        cc = re.search(r"crashing_cpu = (?:\$\d+ = )?(-?\d+)", out.sections.get("p crashing_cpu", ""))
        bt = re.search(r"\bCPU: (\d+)", out.sections.get("bt", ""))
        assert cc and bt, f"crash did not show crashing_cpu and the panic's CPU:\n{out.raw[-2000:]}"
        assert cc.group(1) == bt.group(1), \
            f"crashing_cpu is {cc.group(1)}, the panic was on CPU {bt.group(1)}"
        figures["crashing_cpu"] = cc.group(1)
    figures.update({
        "memfree_kb": f"{before['memfree']}->{after['memfree']}",
        "free_with_pcp_kb": f"{free_before}->{free_after}",
        "vmalloc_kb": f"{before['vmalloc']}->{after['vmalloc']}",
        "slab_kb": f"{before['slab']}->{after['slab']}",
    })
    count = re.search(r"^LBCOUNT (.*)$", text, re.M)
    assert count, "the guest did not count the module's messages"
    figures.update({f"dmesg_{k}": v for k, v in parse_kv(count.group(1)).items()})
    for name in sorted(loops):
        figures[name] = f"{loops[name]['ok']}/{loops[name]['ok'] + loops[name]['fail']}"
    return figures


def test_concurrency():
    """6.1: every command at once for SOAK_S s, then a captured panic."""
    return soak()


# On 6.12 only in the whole matrix (make test-kernels), to keep make test
# within CI's time: the module's locking is the same source on both.
if os.environ.get("LIFEBOAT_MATRIX") == "1":
    def test_concurrency_612():
        """6.12: the same."""
        with lbvm.guest("6.12"):
            return soak()
