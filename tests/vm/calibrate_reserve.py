#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Calibration of `lifeboat estimate`: the smallest crashkernel= with which
Lifeboat's chain (lifeboat_chain.run: 1 GiB guest, 2 CPUs, the test capture
initramfs with makedumpfile) still captures a dump, found by bisection over
crashkernel= sizes. Each size is tried --runs times and counts as working
only if every run captured. The figure feeds the runtime allowance in
reserve/estimate.c; this script is how it was measured.

    calibrate_reserve.py [--lo MIB] [--hi MIB] [--step MIB] [--runs N]
                         [--mem 1G] [--build DIR] [--sizes A,B,...]
                         [--load-args ARGS] [--capture-append CMDLINE]

--build names a directory with lifeboat.ko and lifeboat to use instead of
build/ (for example a scratch module built with LB_MIN_RUNTIME lowered, to
find where the capture kernel itself runs out of memory rather than where
`lifeboat load` refuses). Not a test: run it by hand.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture  # noqa: E402
import lbvm  # noqa: E402
import lifeboat_chain  # noqa: E402


def outcome(res, work, disk):
    """('captured' | 'refused' | 'oom' | 'failed', detail)"""
    text = res.text()
    if "dump-saved" in res.markers and lbvm.disk_get(disk, "/vmcore",
                                                      os.path.join(work, "vmcore")):
        free = re.findall(r"Memory: (\d+)K/(\d+)K available", text)
        return "captured", (f"capture kernel Memory: {free[-1][0]}K/{free[-1][1]}K available"
                            if len(free) > 1 else "")
    if "arm-failed" in res.markers:
        m = re.search(r"^lifeboat: .*$", text, re.M)
        return "refused", m.group(0) if m else res.marker_args["arm-failed"]
    after = text.split("elfcorehdr=", 1)[-1] if "capture-kernel" in res.markers else ""
    for pattern in (r"Out of memory.*", r"Initramfs unpacking failed.*", r"Kernel panic.*",
                    r"oom-kill.*", r"page allocation failure.*"):
        m = re.search(pattern, after)
        if m:
            return "oom", m.group(0)[:120]
    return "failed", ("time limit reached" if res.timed_out else "no dump") + \
        f"; log {res.log_path}"


def try_size(mib, a):
    results = []
    for i in range(a.runs):
        work = lbvm.workdir(f"calibrate-{mib}M-{i}")
        res, disk = lifeboat_chain.run(work, mem=a.mem, kernel_append=f"crashkernel={mib}M",
                                       timeout=120, load_args=a.load_args,
                                       capture_append=a.capture_append)
        kind, detail = outcome(res, work, disk)
        print(f"calibrate: crashkernel={mib}M run {i + 1}: {kind} {detail}".rstrip(), flush=True)
        results.append(kind)
        if kind != "captured":
            break
    return all(k == "captured" for k in results)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lo", type=int, default=64, help="a size known (or assumed) not to work")
    ap.add_argument("--hi", type=int, default=160, help="a size known to work")
    ap.add_argument("--step", type=int, default=4)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--mem", default="1G")
    ap.add_argument("--build", help="directory with lifeboat.ko and lifeboat (default build/)")
    ap.add_argument("--sizes", help="try exactly these sizes (MiB, comma-separated), no bisection")
    ap.add_argument("--load-args", default="", help="more options for `lifeboat load` (--unpack)")
    ap.add_argument("--capture-append", default=capture.START_APPEND,
                    help="the capture kernel's command line (default: the one `lifeboat start` gives)")
    a = ap.parse_args()
    if a.build:
        lbvm.BUILD = os.path.abspath(a.build)
        capture.LIFEBOAT_BIN = os.path.join(lbvm.BUILD, "lifeboat")
    if a.sizes:
        for mib in (int(s) for s in a.sizes.split(",")):
            try_size(mib, a)
        return 0
    lo, hi = a.lo, a.hi
    if not try_size(hi, a):
        print(f"calibrate: crashkernel={hi}M does not work: raise --hi", file=sys.stderr)
        return 1
    while hi - lo > a.step:
        mid = lo + (hi - lo) // 2 // a.step * a.step
        if mid <= lo:
            mid = lo + a.step
        if try_size(mid, a):
            hi = mid
        else:
            lo = mid
    print(f"calibrate: smallest working crashkernel= with {a.mem}: {hi}M "
          f"({lo}M does not work, step {a.step}M, {a.runs} run(s) per size)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
