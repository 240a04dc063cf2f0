#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Benchmark of the capture side, side by side with Linux's own kdump in the
same run: the same first kernel and VM (stock kernel, 1 GiB, 2 CPUs,
crashkernel=256M, a sysrq-c panic, the capture kernel entered with kexec -p),
the same makedumpfile settings (-l -d 31: Lifeboat's defaults), and a 2 GiB
ext4 dump disk. What differs is the capture side: the test bed's minimal
kdump initramfs (busybox, makedumpfile, modules, a script) against
Lifeboat's (`lifeboat mkinitramfs` with the defaults, lifeboat-save), and
each side's capture kernel command line. The capture kernel is entered with
kexec -p for both, so that the jump (bench_capture.py) is not measured here.

Prints, per side, the median and range over the runs of:
  initramfs             the capture initramfs' size
  panic -> capture init host seconds from the "Kernel panic" line to the
                        capture initramfs' first line
  init -> dump saved    to the dump written, synced (and, for Lifeboat, the
                        dmesg, the metadata and the rename done)
  dump MB               the vmcore's size
Figures only: it fails only when a run does not capture.

    bench_capture_side.py [--runs N]
"""
import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture  # noqa: E402
import capture_side as cs  # noqa: E402
import lbvm  # noqa: E402
import reference  # noqa: E402

CONF = ("target = LABEL=lbdump\nfstype = ext4\nextra_modules = virtio_pci virtio_blk\n"
        "final_action = poweroff\nfailure_action = poweroff\n")


def build_images(work):
    """Both capture initramfs images: the test bed's kdump one (as
    capture.capture_image() builds it) and Lifeboat's (lifeboat mkinitramfs)."""
    e = lbvm.env()
    kdump = capture.capture_image()
    conf = os.path.join(work, "lifeboat.conf")
    with open(conf, "w") as f:
        f.write(CONF)
    lifeboat = os.path.join(work, "lifeboat.img")
    r = subprocess.run([os.path.join(lbvm.BUILD, "lifeboat"), "mkinitramfs", "--config", conf,
                        "--offline", "--kver", e["KVER"], "--modroot", e["KROOT"],
                        "--out", lifeboat], capture_output=True, text=True)
    if r.returncode != 0:
        raise lbvm.HarnessError(f"lifeboat mkinitramfs: {r.stderr.strip()}")
    return {"kdump": kdump, "lifeboat": lifeboat}


def run_side(work, images, side):
    """One crash captured by one side. The first kernel's initramfs carries
    both images, so that the first kernel (and the memory the region takes)
    is the same for both sides: only the image kexec -p loads differs."""
    e = lbvm.env()
    append = capture.START_APPEND if side == "lifeboat" else capture.CAPTURE_APPEND
    init = reference.first_init(append)
    init = init.replace("/boot/capture.img", f"/boot/{side}.img")
    first = lbvm.build_initramfs(
        os.path.join(work, "first.img"), init, bins=["/usr/sbin/kexec"],
        files=[f"{e['KVMLINUZ']}:/boot/vmlinuz"] + [f"{p}:/boot/{s}.img" for s, p in images.items()])
    disk = lbvm.make_disk(os.path.join(work, "dump.ext4"))
    vm = lbvm.VM(work, first, "console=ttyS0 crashkernel=256M", disk=disk, timeout=300,
                 done_markers=("done", "final-action"), fail_markers=("arm-failed",),
                 markers=cs.MARKERS if side == "lifeboat" else (), name=side)
    res = vm.run()
    path = "/vmcore"
    if side == "lifeboat":
        names = lbvm.disk_ls(disk, "/var/crash")
        path = f"/var/crash/{names[0]}/vmcore" if len(names) == 1 else None
    vmcore = path and lbvm.disk_get(disk, path, os.path.join(work, "vmcore"))
    return res, os.path.getsize(images[side]), vmcore


SIDES = [("kdump + makedumpfile", "kdump"), ("lifeboat capture side", "lifeboat")]
FIGURES = [("panic -> capture init", "panic", "capture-init"),
           ("init -> dump saved", "capture-init", "dump-saved")]


def summary(values, unit="s", fmt="6.2f"):
    if not values:
        return "n/a"
    if len(values) == 1:
        return f"{values[0]:{fmt}} {unit}"
    return (f"{statistics.median(values):{fmt}} {unit}  "
            f"({min(values):.2f}-{max(values):.2f})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    results = {name: {"initramfs MB": [], "dump MB": []} | {f[0]: [] for f in FIGURES}
               for name, _ in SIDES}
    failed = 0
    images = build_images(lbvm.workdir("bench-side-images"))
    for i in range(a.runs):
        # Alternate the two sides so that machine noise spreads over both.
        for name, side in SIDES:
            work = lbvm.workdir(f"bench-side-{side}-{i}")
            res, initramfs, vmcore = run_side(work, images, side)
            if "dump-saved" not in res.markers or not vmcore:
                print(f"bench: {name} run {i + 1} did not capture; log {res.log_path}",
                      file=sys.stderr)
                failed += 1
                continue
            for label, m_a, m_b in FIGURES:
                results[name][label].append(res.since(m_a, m_b))
            results[name]["initramfs MB"].append(initramfs / 1e6)
            results[name]["dump MB"].append(os.path.getsize(vmcore) / 1e6)
    print(f"capture side, 1 GiB guest, makedumpfile -l -d 31, {a.runs} run(s) each "
          "(median, range):")
    labels = ["initramfs MB"] + [f[0] for f in FIGURES] + ["dump MB"]
    print(f"  {'':24s}" + "".join(f"{name:>34s}" for name, _ in SIDES))
    for label in labels:
        unit = "MB" if "MB" in label else "s"
        cells = [summary(results[name][label], unit) for name, _ in SIDES]
        print(f"  {label:24s}" + "".join(f"{c:>34s}" for c in cells))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
