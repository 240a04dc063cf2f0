#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Benchmark of arming without a reboot: how long the module takes to take a
region at run time, in how many ranges, and whether it succeeds, for a few
region sizes and guest memory sizes, on a freshly booted guest and after a
fragmenting workload; side by side with what Linux's own kdump needs to be
armed from the same state: a reboot with crashkernel= (the guest's boot to
its init, measured) and then `kexec -p`.

One guest per memory size (the default kernel of tests/kernels.txt, 2 CPUs,
SeaBIOS, no crashkernel=). Its init loads lifeboat.ko and, for each size,
runs `lifeboat load --kernel /boot/vmlinuz --initrd /boot/capture.img
--runtime SIZE`, reads /sys/kernel/lifeboat/runtime (the module's own
time for the take, took_ms, and its ranges) and unloads; then fragments
memory (files of many sizes in a tmpfs, every other one deleted; processes
that hold memory and let it go) and does it again. Each size is loaded
--runs times (BENCH_RUNS, default 3); figures are the median and range.
The kdump guest boots with crashkernel=256M and times `kexec -p` with the
same kernel and initramfs.

    bench_runtime.py [--runs N] [--mems 1G,2G] [--sizes 128M,256M,512M]
"""
import argparse
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture  # noqa: E402
import lbvm  # noqa: E402

INIT = lbvm.INIT_PRELUDE + r"""
mark first-init
ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
insmod /lib/lifeboat.ko || mark bench-failed insmod
mount -t tmpfs -o size=90% tmpfs /tmp
take() {	# condition size run
	t0=$(ms)
	lifeboat load --kernel /boot/vmlinuz --initrd /boot/capture.img --runtime "$2" \
		> /tmp/out 2>&1
	rc=$?
	t1=$(ms)
	rt=$(head -n 1 /sys/kernel/lifeboat/runtime)
	echo "LBBENCH $1 $2 $3 rc=$rc load_ms=$((t1 - t0)) $rt" > /dev/ttyS0
	[ $rc = 0 ] || sed 's/^/LBWHY /' /tmp/out > /dev/ttyS0
	lifeboat unload > /dev/null 2>&1
}
for s in @SIZES@; do for r in @RUNS@; do take fresh "$s" "$r"; done; done
i=0
while [ $i -lt 3000 ]; do
	head -c $(( (i % 7 + 1) * 16 ))K /dev/urandom > /tmp/f$i
	i=$((i + 1))
done
rm -f /tmp/f*[02468]
for n in 1 2 3 4 5 6; do
	( x=$(head -c $((n * 4))M /dev/zero | tr '\0' x); sleep 1; : "${#x}" ) &
done
wait
awk '/^Node/ { print "LBBUDDY " $0 }' /proc/buddyinfo > /dev/ttyS0
for s in @SIZES@; do for r in @RUNS@; do take fragmented "$s" "$r"; done; done
mark done
poweroff -f
"""

KDUMP_INIT = lbvm.INIT_PRELUDE + r"""
mark first-init
ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
t0=$(ms)
kexec -p /boot/vmlinuz --initrd=/boot/capture.img --append="console=ttyS0 nr_cpus=1" \
	> /tmp/out 2>&1
rc=$?
t1=$(ms)
echo "LBKDUMP rc=$rc load_ms=$((t1 - t0))" > /dev/ttyS0
mark done
poweroff -f
"""


def med(xs):
    return f"{statistics.median(xs):.0f} ({min(xs):.0f}-{max(xs):.0f})" if xs else "n/a"


def run_mem(mem, sizes, runs):
    work = lbvm.workdir(f"bench-runtime-{mem}")
    init = INIT.replace("@SIZES@", " ".join(sizes)).replace(
        "@RUNS@", " ".join(str(i) for i in range(1, runs + 1)))
    first = lbvm.build_initramfs(os.path.join(work, "first.img"), init,
                                 bins=capture.lifeboat_bins(),
                                 files=capture.first_files())
    res = lbvm.VM(work, first, "console=ttyS0 panic=-1", mem=mem, smp=2, timeout=900,
                  name="bench", fail_markers=("bench-failed",)).run()
    if res.timed_out or "done" not in res.markers:
        raise lbvm.HarnessError(f"{mem}: the guest did not finish:\n{res.tail(30)}")
    rows = {}
    for _, line in res.lines:
        m = re.search(r"LBBENCH (\w+) (\S+) \d+ rc=(\d+) load_ms=(\d+) (.*)", line)
        if not m:
            continue
        cond, size, rc, load_ms, rt = m.groups()
        r = rows.setdefault((cond, size), {"ok": 0, "n": 0, "took": [], "load": [], "ranges": [],
                                           "attempts": []})
        r["n"] += 1
        t = re.match(r"total=\d+ ranges=(\d+) took_ms=(\d+) attempts=(\d+)", rt)
        if rc == "0" and t:
            r["ok"] += 1
            r["ranges"].append(int(t.group(1)))
            r["took"].append(int(t.group(2)))
            r["attempts"].append(int(t.group(3)))
            r["load"].append(int(load_ms))
    why = sorted({line.split("LBWHY ", 1)[1] for _, line in res.lines if "LBWHY " in line})
    return rows, why


def kdump_row(runs):
    out = []
    boots = []
    for i in range(runs):
        work = lbvm.workdir(f"bench-runtime-kdump-{i}")
        first = lbvm.build_initramfs(os.path.join(work, "first.img"), KDUMP_INIT,
                                     bins=["/usr/sbin/kexec"],
                                     files=capture.first_files(module=False))
        vm = lbvm.VM(work, first, "console=ttyS0 crashkernel=256M", mem="1G", smp=2,
                     timeout=300, name="kdump")
        res = vm.run()
        for _, line in res.lines:
            m = re.search(r"LBKDUMP rc=(\d+) load_ms=(\d+)", line)
            if m and m.group(1) == "0":
                out.append(int(m.group(2)))
        if "first-init" in res.markers:
            boots.append(res.markers["first-init"])   # seconds since QEMU started
    return out, boots


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    ap.add_argument("--mems", default="1G,2G")
    ap.add_argument("--sizes", default="128M,256M,512M")
    a = ap.parse_args()
    sizes = a.sizes.split(",")
    print(f"run-time region: take (module's took_ms) and load, median (range) of {a.runs}; "
          "ranges; success")
    print(f"{'guest':6} {'state':11} {'size':6} {'take ms':16} {'load ms':16} {'ranges':8} "
          f"{'attempts':9} ok")
    for mem in a.mems.split(","):
        rows, why = run_mem(mem, sizes, a.runs)
        for cond in ("fresh", "fragmented"):
            for size in sizes:
                r = rows.get((cond, size))
                if not r:
                    print(f"{mem:6} {cond:11} {size:6} (no result)")
                    continue
                print(f"{mem:6} {cond:11} {size:6} {med(r['took']):16} {med(r['load']):16} "
                      f"{med(r['ranges']):8} {med(r['attempts']):9} {r['ok']}/{r['n']}")
        for w in why:
            print(f"{mem:6} refused: {w}")
    loads, boots = kdump_row(a.runs)
    print(f"Linux kdump, 1G: a reboot with crashkernel=256M (QEMU start to init: "
          f"{med([b * 1000 for b in boots])} ms), then kexec -p: {med(loads)} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
