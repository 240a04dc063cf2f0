#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
The smallest region that captures, side by side with Linux's own kdump in
the same run: for a 1 GiB and a 4 GiB guest (2 CPUs, stock 6.1, sysrq-c,
makedumpfile -l -d 31 to a virtio disk), each path is tried at sizes from
the top of its list down, once each, until one does not capture:

  kdump             kexec -p, the stock kernel, crashkernel=N
  lifeboat stock    the stock kernel unpacked at load, the command line
                    `lifeboat start` gives
  lifeboat own      Lifeboat's own capture kernel (make capture-kernel),
                    unpacked, the same command line

Prints, per guest and path, every size tried with what happened (captured,
refused by the load, out of memory, failed) and the smallest that captured.
Figures only: it fails only when the top size of a list does not capture.

    bench_regions.py [--runs N]   (N is accepted for make bench and ignored)
"""
import argparse
import functools
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calibrate_reserve  # noqa: E402
import capture  # noqa: E402
import lbvm  # noqa: E402
import lifeboat_chain  # noqa: E402
import reference  # noqa: E402


def kdump(work, mem, mib):
    return reference.run(work, mem=mem, crashkernel=f"{mib}M", timeout=150)


def lifeboat(work, mem, mib, which):
    with lbvm.guest(None, "bios", capture=which):
        return lifeboat_chain.run(work, mem=mem, kernel_append=f"crashkernel={mib}M",
                                  capture_append=capture.START_APPEND, load_args="--unpack",
                                  timeout=150)


# Sizes in MiB, from one known to capture down past the smallest seen.
PATHS = [
    ("kdump", kdump, [96, 92]),
    ("lifeboat stock", functools.partial(lifeboat, which="stock"), [92, 88, 84]),
    ("lifeboat own", functools.partial(lifeboat, which="lifeboat"), [44, 40, 36]),
]
GUESTS = ["1G", "4G"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1)
    ap.parse_args()
    rows, failed = [], 0
    for mem in GUESTS:
        for name, run, sizes in PATHS:
            tried, smallest = [], None
            for mib in sizes:
                work = lbvm.workdir(f"bench-regions-{name.replace(' ', '-')}-{mem}-{mib}")
                res, disk = run(work, mem, mib)
                kind, _ = calibrate_reserve.outcome(res, work, disk)
                tried.append(f"{mib}M {kind}")
                print(f"bench: {mem} {name} crashkernel={mib}M: {kind}", flush=True)
                if kind != "captured":
                    break
                smallest = mib
            if smallest is None:
                failed += 1
            rows.append((mem, name, smallest, ", ".join(tried)))
    print("\nsmallest region that captured (one run per size):")
    print(f"  {'guest':6}{'path':18}{'smallest':>10}   tried")
    for mem, name, smallest, tried in rows:
        print(f"  {mem:6}{name:18}{(str(smallest) + 'M') if smallest else 'none':>10}   {tried}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
