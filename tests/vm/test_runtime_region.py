# SPDX-License-Identifier: GPL-2.0
"""
Issue 12: armed without a reboot, in memory taken at run time.

A guest booted with neither crashkernel= nor memmap= runs the boot-time
unit's command, `lifeboat start`, which takes the region at run time. In one
boot, on the capture side's test bed (capture_side.py):

  1. a request far beyond the machine (`lifeboat load --runtime 4G` on
     1 GiB) is refused with how much there is, and nothing is taken: the
     module holds no region and MemFree is what it was (within 32 MiB: the
     per-CPU page lists keep some of what the refused load freed);
  2. `lifeboat start` arms on the freshly booted guest (on 6.12 with the
     module's runtime_blocks=1: the memory beyond the capture kernel's image
     in blocks of the largest order, the path a fragmented machine takes);
     `lifeboat stop` gives all of it back (the module holds nothing, and
     MemFree rises by the region's size within 32 MiB);
  3. a fragmenting workload runs (files of many sizes written through the
     page cache, half of them deleted, processes that hold and drop
     memory), and `lifeboat start` arms again;
  4. sysrq-c; the capture kernel saves the dump and the machine reboots.

Then: the capture kernel's memory map calls usable, above 1 MiB, exactly
the ranges the module took (minus the metadata block at the start of the
first); the dump's RAM (the saver's ram_bytes, the sum of the ELF core
header's memory segments) is the guest's RAM above 1 MiB less those ranges;
and crash and drgn read the dump (on kernels the installed readers support).
"""
import os
import re
import shutil

import capture
import capture_side as cs
import lbvm
import scenarios
import test_capture_side

ORDER = 23

PANIC = "sysrq triggered crash"

RUNTIME_INIT = cs.ROOT_PRELUDE + lbvm.SETTLE_FREE + cs.BOOT_COUNT + r"""
free_kib() { settle_free; echo $free; }
show() { sed "s/^/LB$1 /" "$2" > /dev/ttyS0; }
if [ "$boot" = 1 ]; then
	modprobe lifeboat @MODPARAMS@ || mark boot-failed modprobe
	echo "LBREGION $(cat /sys/kernel/lifeboat/region)" > /dev/ttyS0
	awk '/^[0-9a-f]+-[0-9a-f]+ : System RAM$/ { split($1, r, "-"); print "LBRAM 0x" r[1] " 0x" r[2] }' \
		/proc/iomem > /dev/ttyS0
	# The files the refused load reads, in the page cache before MemFree is read.
	cat /boot/vmlinuz-@KVER@ > /dev/null
	lifeboat load --help > /dev/null 2>&1
	echo "LBFREE before $(free_kib)" > /dev/ttyS0
	lifeboat load --kernel /boot/vmlinuz-@KVER@ --runtime 4G > /tmp/big 2>&1
	echo "LBBIG rc=$? state=$(cat /sys/kernel/lifeboat/state)" > /dev/ttyS0
	show BIG /tmp/big
	echo "LBMEM big $(cat /sys/kernel/lifeboat/memory)" > /dev/ttyS0
	echo "LBFREE big $(free_kib)" > /dev/ttyS0

	@START@ > /dev/ttyS0 2>&1
	mark start-status $?
	show RT1 /sys/kernel/lifeboat/runtime
	echo "LBFREE armed $(free_kib)" > /dev/ttyS0
	lifeboat stop > /dev/ttyS0 2>&1
	mark stop-status $?
	echo "LBFREE stopped $(free_kib)" > /dev/ttyS0
	echo "LBMEM stopped $(cat /sys/kernel/lifeboat/memory)" > /dev/ttyS0
	echo "LBRTSTOP $(cat /sys/kernel/lifeboat/runtime)" > /dev/ttyS0

	# Fragment: many files through the page cache (with their inodes and
	# dentries from the slab), half deleted; processes that hold memory
	# and let it go.
	mkdir -p /var/frag
	i=0
	while [ $i -lt 1500 ]; do
		head -c $(( (i % 7 + 1) * 24 ))K /dev/urandom > /var/frag/f$i
		i=$((i + 1))
	done
	rm -f /var/frag/f*[02468]
	for n in 1 2 3 4 5 6; do
		( x=$(head -c $((n * 3))M /dev/zero | tr '\0' x); sleep 2; : "${#x}" ) &
	done
	wait
	echo "LBFREE fragmented $(free_kib)" > /dev/ttyS0
	awk '/^Node/ { print "LBBUDDY " $0 }' /proc/buddyinfo > /dev/ttyS0

	@START@ > /dev/ttyS0 2>&1
	mark start2-status $?
	show RT2 /sys/kernel/lifeboat/runtime
@ARMED_CHECK@
	sync
	kmark trigger
	echo c > /proc/sysrq-trigger
fi
@REPORT@"""


def lines(res, prefix):
    return [line.split(prefix + " ", 1)[1].strip() for _, line in res.lines
            if (prefix + " ") in line]


def free_kib(res, when):
    for v in lines(res, "LBFREE"):
        w, kib = v.split()
        if w == when:
            return int(kib)
    raise AssertionError(f"no MemFree reading '{when}'")


def runtime_ranges(res, prefix):
    """The module's runtime attribute: (total, ranges, took_ms, [(start, end)])."""
    text = lines(res, prefix)
    assert text, f"no {prefix} lines: the runtime attribute was not shown"
    m = re.match(r"total=(\d+) ranges=(\d+) took_ms=(\d+) attempts=(\d+)$", text[0])
    assert m, f"runtime attribute reads '{text[0]}'"
    ranges = [tuple(int(x, 16) for x in t.split()) for t in text[1:]]
    assert len(ranges) == int(m.group(2)), f"{prefix}: {text}"
    assert sum(e - s for s, e in ranges) == int(m.group(1)), f"{prefix}: {text}"
    return int(m.group(1)), ranges, int(m.group(3)), int(m.group(4))


def capture_usable(res):
    """Usable ranges above 1 MiB in the capture kernel's map, [start, end)."""
    text = res.text()
    i = text.find("lifeboat: jumping to the capture kernel")
    assert i >= 0, "the jump was not announced"
    j = text.find("lifeboat: capture kernel", i)
    assert j >= 0, "the capture kernel's saver never started"
    out = []
    for m in re.finditer(r"BIOS-e820: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] usable", text[i:j]):
        s, e = int(m.group(1), 16), int(m.group(2), 16) + 1
        if s >= 1 << 20:
            out.append((s, e))
    return out


def merged(ranges):
    out = []
    for s, e in sorted(ranges):
        if out and out[-1][1] == s:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def run_runtime(kernel, modparams=""):
    test_capture_side.need_lifeboat()
    with lbvm.guest(kernel, "bios"):
        e = lbvm.env()
        work = lbvm.workdir(f"runtime-region-{e['KNAME']}")
        with open(os.path.join(lbvm.ROOT, "dumptools", "lifeboat.conf")) as f:
            conf = f.read()
        init = RUNTIME_INIT.replace("@KVER@", e["KVER"]).replace("@MODPARAMS@", modparams)
        res, disk = cs.run_cycle(work, conf, kernel_append="", root_init=init, timeout=600)
        shutil.copy(res.log_path, os.path.join(lbvm.BUILD, "vm", f"runtime-region-{e['KNAME']}.serial.log"))
        tail = f"serial log tail ({res.log_path}):\n{res.tail(60)}"
        assert not res.timed_out, f"time limit reached; {tail}"
        assert "boot-failed" not in res.markers, tail
        assert lines(res, "LBREGION")[0].startswith("none"), \
            f"the guest has a boot-time region: {lines(res, 'LBREGION')}"

        # 1. Too big: refused with the figures, nothing taken.
        big = "\n".join(lines(res, "LBBIG"))
        assert re.search(r"rc=1 state=empty", big), f"a 4 GiB run-time region:\n{big}"
        assert re.search(r"cannot load '/boot/vmlinuz-\S+': a run-time region of 4096 MiB does "
                         r"not fit: \d+ MiB of memory is available and \d+ MiB stays with the "
                         r"system", big), f"no clear refusal:\n{big}"
        assert re.search(r"regions=0 region_bytes=0$", lines(res, "LBMEM")[0]), lines(res, "LBMEM")
        # The module's count above is exact; MemFree also moves with the
        # per-CPU page lists the refused load's freed buffers went to.
        drift = free_kib(res, "before") - free_kib(res, "big")
        assert abs(drift) < 32 << 10, f"MemFree moved by {drift} KiB across the refused request"

        # 2. Armed on the fresh guest; stop gives it all back.
        assert res.marker_args.get("start-status") == "0", f"lifeboat start failed; {tail}"
        total1, ranges1, ms1, tries1 = runtime_ranges(res, "LBRT1")
        assert re.search(r"lifeboat: no boot-time region: took \d+ MiB at run time", res.text()), tail
        assert res.marker_args.get("stop-status") == "0", tail
        # Within 32 MiB, as above: what the page allocator got back may wait
        # in the per-CPU lists, which MemFree does not count (6.12 keeps
        # some 20 MiB there after a stop).
        back = free_kib(res, "stopped") - free_kib(res, "armed")
        assert back >= (total1 >> 10) - (32 << 10), \
            f"lifeboat stop gave back {back} KiB of the {total1 >> 10} KiB taken"
        assert re.search(r"regions=0 region_bytes=0$", lines(res, "LBMEM")[1]), lines(res, "LBMEM")
        assert lines(res, "LBRTSTOP") == ["none"], lines(res, "LBRTSTOP")

        # 3. Armed again after the fragmenting workload.
        assert res.marker_args.get("start2-status") == "0", f"lifeboat start failed; {tail}"
        total2, ranges2, ms2, tries2 = runtime_ranges(res, "LBRT2")
        assert res.marker_args.get("armed") == "1", f"not armed; {tail}"
        if "runtime_blocks=1" in modparams:
            # The rest in blocks of 4 MiB, sorted and joined: never one range
            # for the image and one for all the rest unless the blocks touch.
            assert all((e - s) % (4 << 20) == 0 for s, e in ranges2[1:]), \
                f"not blocks of 4 MiB: {[(hex(s), hex(e)) for s, e in ranges2]}"
            assert ranges2[1:] == sorted(ranges2[1:]), ranges2

        # 4. Captured: the capture kernel ran in those ranges only, and the dump left them out.
        for m in ("panic", "capture-kernel", "capture-init", "dump-saved"):
            assert m in res.markers, f"marker '{m}' never seen; {tail}"
        usable = merged(capture_usable(res))
        first_s, first_e = ranges2[0]
        want = merged([r for r in ranges2[1:]] + [(first_s, first_e)])
        assert usable and all(any(ws <= s and e <= we for ws, we in want) for s, e in usable), \
            f"capture kernel's usable RAM {[(hex(s), hex(e)) for s, e in usable]} is not inside " \
            f"the run-time ranges {[(hex(s), hex(e)) for s, e in ranges2]}"
        covered = sum(e - s for s, e in usable)
        assert total2 - covered < 16 << 20, \
            f"the capture kernel's map leaves {(total2 - covered) >> 20} MiB of the region out"
        names = [n for n in test_capture_side.dumps_on(disk) if re.fullmatch(r"\d{8}-\d{6}", n)]
        assert len(names) == 1, f"/var/crash holds {test_capture_side.dumps_on(disk)}"
        d = f"/var/crash/{names[0]}"
        md = cs.meta(disk, d)
        assert md and md.get("status") == "complete", md
        ram = [tuple(int(x, 16) for x in t.split()) for t in lines(res, "LBRAM")]
        above = sum(max(0, e + 1 - max(s, 1 << 20)) for s, e in ram)
        assert int(md["ram_bytes"]) == above - total2, \
            f"the dump holds {md['ram_bytes']} bytes of RAM; the guest has {above} above 1 MiB " \
            f"and the region {total2}: the ELF core header does not leave exactly the region out"
        vmcore = lbvm.disk_get(disk, f"{d}/vmcore", os.path.join(work, "vmcore"))
        problems, _ = scenarios.check_dump(vmcore, PANIC, 2)
        assert not problems, "checker: " + "; ".join(problems)
        return {
            "fresh_mib": total1 >> 20, "fresh_ranges": len(ranges1), "fresh_ms": ms1,
            "fresh_attempts": tries1,
            "fragmented_mib": total2 >> 20, "fragmented_ranges": len(ranges2),
            "fragmented_ms": ms2, "fragmented_attempts": tries2,
            "panic_to_capture_init": test_capture_side.fmt(res.since("panic", "capture-init")),
        }


def test_runtime_region_61():
    """6.1: no boot-time region; too big refused, start arms, stop gives back,
    armed again after fragmentation, crash captured and read."""
    return run_runtime("6.1")


def test_runtime_region_612():
    """The same on 6.12, the memory beyond the image taken in blocks of the
    largest order (runtime_blocks=1), as on a fragmented machine."""
    return run_runtime("6.12", "runtime_blocks=1")


HOTPLUG_INIT = lbvm.INIT_PRELUDE + r"""
mark first-init
insmod /lib/lifeboat.ko || mark hotplug-failed insmod
blocks() { ls -d /sys/devices/system/memory/memory* | wc -l; }
lifeboat load --kernel /boot/vmlinuz --initrd /boot/capture.img --runtime 160M \
	> /dev/ttyS0 2>&1 || mark hotplug-failed load
lifeboat arm > /dev/ttyS0 2>&1 || mark hotplug-failed arm
echo "LBSTATE before $(cat /sys/kernel/lifeboat/state) $(cat /sys/kernel/lifeboat/memory)" > /dev/ttyS0
before=$(blocks)
mark plug
n=0
while [ "$(blocks)" = "$before" ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
echo "LBBLOCKS $before $(blocks)" > /dev/ttyS0
for b in /sys/devices/system/memory/memory*; do
	[ "$(cat $b/state)" = offline ] && echo online > $b/state
done
n=0
while [ "$(cat /sys/kernel/lifeboat/state)" != empty ] && [ $n -lt 100 ]; do
	sleep 0.1; n=$((n + 1))
done
echo "LBSTATE after $(cat /sys/kernel/lifeboat/state) $(cat /sys/kernel/lifeboat/memory)" > /dev/ttyS0
echo "LBRT after $(cat /sys/kernel/lifeboat/runtime)" > /dev/ttyS0
mark done
poweroff -f
"""


def test_runtime_region_hotplug():
    """Memory added while armed in a run-time region: the image, now stale, is
    unloaded (disarmed) with a message, and the region given back."""
    with lbvm.guest("6.1", "bios"):
        work = lbvm.workdir("runtime-region-hotplug")
        first = lbvm.build_initramfs(os.path.join(work, "first.img"), HOTPLUG_INIT,
                                     bins=capture.lifeboat_bins(),
                                     files=capture.first_files())
        vm = lbvm.VM(work, first, "console=ttyS0", mem="1G,slots=2,maxmem=2G", smp=2,
                     timeout=180, name="hotplug", fail_markers=("hotplug-failed",))
        answers = []

        def plug(v):
            answers.append(v.qmp("object-add", {"qom-type": "memory-backend-ram", "id": "lbm1",
                                                "size": 128 << 20}))
            answers.append(v.qmp("device_add", {"driver": "pc-dimm", "id": "lbd1",
                                                "memdev": "lbm1"}))
        vm.on_marker("plug", plug)
        res = vm.run()
        tail = f"serial log tail ({res.log_path}):\n{res.tail(40)}"
        assert not res.timed_out and "done" in res.markers, f"the guest did not finish; {tail}"
        assert "hotplug-failed" not in res.markers, f"{res.marker_args['hotplug-failed']}; {tail}"
        assert all("return" in a for a in answers), f"QMP: {answers}"
        before = lines(res, "LBSTATE before")
        assert before and before[0].startswith("armed ") and "regions=1 " in before[0], before
        blocks = lines(res, "LBBLOCKS")[0].split()
        assert int(blocks[1]) > int(blocks[0]), f"no memory block appeared: {blocks}"
        assert "lifeboat: memory was added or removed: the capture image's memory map is " \
               "stale; unloading it, so the machine is not armed" in res.text(), tail
        after = lines(res, "LBSTATE after")[0]
        assert after.startswith("empty ") and "regions=0 region_bytes=0" in after, after
        assert lines(res, "LBRT after") == ["none"], lines(res, "LBRT after")
        return {"blocks_added": int(blocks[1]) - int(blocks[0])}
