#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Benchmark of the capture path, side by side with Linux's own kdump in the
same run and the same VM (stock kernel, 1 GiB, 2 CPUs, crashkernel=256M,
the same capture initramfs and makedumpfile -l -d 31).

Prints, per path, the median and range over the runs of host seconds:
  panic -> capture kernel   from the "Kernel panic" line to the capture
                            kernel's first line
  panic -> capture init     to the capture initramfs' first line
  init -> dump saved        makedumpfile writing the dump
and the dump size. Figures only: no time limit makes it fail; it fails only
when a run does not capture.

    bench_capture.py [--runs N]
"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lbvm  # noqa: E402
import lifeboat_chain  # noqa: E402
import reference  # noqa: E402

PATHS = [("kdump (kexec -p)", reference.run), ("lifeboat", lifeboat_chain.run)]
FIGURES = [("panic -> capture kernel", "panic", "capture-kernel"),
           ("panic -> capture init", "panic", "capture-init"),
           ("init -> dump saved", "capture-init", "dump-saved")]


def summary(values):
    if not values:
        return "n/a"
    return (f"{statistics.median(values):6.2f} s  ({min(values):.2f}-{max(values):.2f})"
            if len(values) > 1 else f"{values[0]:6.2f} s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    results = {name: {f[0]: [] for f in FIGURES} | {"dump MB": []} for name, _ in PATHS}
    failed = 0
    for i in range(a.runs):
        # Alternate the two paths so that machine noise spreads over both.
        for name, run in PATHS:
            work = lbvm.workdir(f"bench-{name.split()[0]}-{i}")
            res, disk = run(work)
            if "dump-saved" not in res.markers:
                print(f"bench: {name} run {i + 1} did not capture; log {res.log_path}",
                      file=sys.stderr)
                failed += 1
                continue
            for label, a_, b in FIGURES:
                results[name][label].append(res.since(a_, b))
            vmcore = lbvm.disk_get(disk, "/vmcore", os.path.join(work, "vmcore"))
            if vmcore:
                results[name]["dump MB"].append(os.path.getsize(vmcore) / 1e6)
    print(f"\ncapture path, {a.runs} run(s) each, host seconds (median, range):")
    print(f"  {'':26}" + "".join(f"{name:>32}" for name, _ in PATHS))
    for label in [f[0] for f in FIGURES]:
        print(f"  {label:26}" + "".join(f"{summary(results[n][label]):>32}" for n, _ in PATHS))
    print(f"  {'dump size':26}" + "".join(
        f"{(statistics.median(results[n]['dump MB']) if results[n]['dump MB'] else 0):>29.1f} MB"
        for n, _ in PATHS))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
