#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Benchmark of the capture path, side by side with Linux's own kdump in the
same run and the same VM (stock kernel, 1 GiB, 2 CPUs, crashkernel=256M,
the same capture initramfs and makedumpfile -l -d 31).

Five paths: kdump (kexec -p), Lifeboat with the bzImage as it is,
Lifeboat with the kernel unpacked at load (`lifeboat load --unpack`), and
the same two with Lifeboat's own capture kernel (capture-kernel/, `make
capture-kernel`) in place of the stock one. Each Lifeboat path is also
given as a ratio to kdump's median.

Prints, per path, the median and range over the runs of host seconds:
  panic -> capture kernel   from the "Kernel panic" line to the capture
                            kernel's first line on the console
  panic -> capture init     to the capture initramfs' first line
  init -> dump saved        makedumpfile writing the dump
and the dump size; then the stages of panic to dump saved:
  panic -> jump             the panic line to Lifeboat's jump line (NMIs
                            to the other CPUs, the image check, quiescing);
                            kdump prints no such line
    image check             the panic path's xxh64 of the image, as the
                            jump line gives it (TSC)
  -> kernel start           the jump (kdump: the panic) to the capture
                            kernel's clock 0, which is the host time of its
                            first line less its printk time: purgatory
                            (kdump), the decompressor, the copy
  kernel -> initramfs       the capture kernel's printk times: to the start
                            of the initramfs unpacking
  initramfs unpack          "Trying to unpack rootfs" to "Freeing initrd
                            memory"
  -> /init                  to "Run /init as init process"
  /init -> capture init    to the capture initramfs' first line
  modules, mount            its modules loaded and the dump disk mounted
  makedumpfile              makedumpfile -l -d 31 to "dump saved"
Figures only: no time limit makes it fail; it fails only when a run does
not capture.

    bench_capture.py [--runs N]
"""
import argparse
import functools
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lbvm  # noqa: E402
import lifeboat_chain  # noqa: E402
import reference  # noqa: E402

def own(run):
    """A chain with Lifeboat's own capture kernel."""
    def fn(work):
        with lbvm.guest(None, "bios", capture="lifeboat"):
            return run(work)
    return fn


PATHS = [("kdump (kexec -p)", reference.run), ("lifeboat", lifeboat_chain.run),
         ("lifeboat --unpack", functools.partial(lifeboat_chain.run, load_args="--unpack")),
         ("own kernel", own(lifeboat_chain.run)),
         ("own kernel --unpack", own(functools.partial(lifeboat_chain.run, load_args="--unpack")))]
STAGES = ["panic -> jump", "  image check", "-> kernel start", "kernel -> initramfs", "initramfs unpack",
          "-> /init", "/init -> capture init", "modules, mount", "makedumpfile",
          "panic -> dump saved"]
PRINTK = re.compile(r"^\[\s*(\d+\.\d+)\] (.*)")


def stages(res):
    """The stages of one run, in seconds (None where a line is missing)."""
    out = dict.fromkeys(STAGES)
    panic = res.markers.get("panic")
    start = res.markers.get("capture-kernel")
    if panic is None or start is None:
        return out
    jump = None
    guest = {}
    for t, line in res.lines:
        if t < panic:
            continue
        if jump is None and "lifeboat: jumping to the capture kernel" in line:
            jump = t
            m = re.search(r"checked in (\d+) us", line)
            if m:
                out["  image check"] = int(m.group(1)) / 1e6
        m = PRINTK.match(line)
        if t >= start and m:
            guest.setdefault("first", (t, float(m.group(1))))
            # A kernel without the RAM disk (Lifeboat's own) says "Unpacking initramfs".
            for key, needle in (("unpack", "Trying to unpack rootfs"),
                                ("unpack", "Unpacking initramfs"),
                                ("unpacked", "Freeing initrd memory"),
                                ("init", "Run /init as init process")):
                if needle in m.group(2):
                    guest.setdefault(key, float(m.group(1)))
    if "first" not in guest:
        return out
    t0 = guest["first"][0] - guest["first"][1]
    out["panic -> jump"] = jump - panic if jump is not None else None
    out["-> kernel start"] = t0 - (jump if jump is not None else panic)
    if "unpack" in guest:
        out["kernel -> initramfs"] = guest["unpack"]
        if "unpacked" in guest:
            out["initramfs unpack"] = guest["unpacked"] - guest["unpack"]
    if "init" in guest:
        out["-> /init"] = guest["init"] - guest.get("unpacked", 0.0)
        if "capture-init" in res.markers:
            out["/init -> capture init"] = res.markers["capture-init"] - (t0 + guest["init"])
    out["modules, mount"] = res.since("capture-init", "makedumpfile")
    out["makedumpfile"] = res.since("makedumpfile", "dump-saved")
    out["panic -> dump saved"] = res.since("panic", "dump-saved")
    return out
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
    results = {name: {f[0]: [] for f in FIGURES} | {"dump MB": []} | {k: [] for k in STAGES}
               for name, _ in PATHS}
    failed = 0
    for i in range(a.runs):
        # Alternate the two paths so that machine noise spreads over both.
        for name, run in PATHS:
            work = lbvm.workdir(f"bench-{name.replace(' ', '-')}-{i}")
            res, disk = run(work)
            if "dump-saved" not in res.markers:
                print(f"bench: {name} run {i + 1} did not capture; log {res.log_path}",
                      file=sys.stderr)
                failed += 1
                continue
            for label, a_, b in FIGURES:
                results[name][label].append(res.since(a_, b))
            for label, v in stages(res).items():
                if v is not None:
                    results[name][label].append(v)
            vmcore = lbvm.disk_get(disk, "/vmcore", os.path.join(work, "vmcore"))
            if vmcore:
                results[name]["dump MB"].append(os.path.getsize(vmcore) / 1e6)
    print(f"\ncapture path, {a.runs} run(s) each, host seconds (median, range):")
    print(f"  {'':26}" + "".join(f"{name:>26}" for name, _ in PATHS))
    for label in [f[0] for f in FIGURES]:
        print(f"  {label:26}" + "".join(f"{summary(results[n][label]):>26}" for n, _ in PATHS))
    print(f"  {'dump size':26}" + "".join(
        f"{(statistics.median(results[n]['dump MB']) if results[n]['dump MB'] else 0):>23.1f} MB"
        for n, _ in PATHS))
    kdump = PATHS[0][0]
    for label in [f[0] for f in FIGURES] + ["panic -> dump saved"]:
        base = results[kdump][label]
        if not base:
            continue
        print(f"  {label + ' / kdump':26}" + "".join(
            f"{statistics.median(results[n][label]) / statistics.median(base):>26.2f}"
            if results[n][label] else f"{'n/a':>26}" for n, _ in PATHS))
    print("\nstages, host seconds (median, range):")
    print(f"  {'':26}" + "".join(f"{name:>26}" for name, _ in PATHS))
    for label in STAGES:
        print(f"  {label:26}" + "".join(f"{summary(results[n][label]):>26}" for n, _ in PATHS))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
