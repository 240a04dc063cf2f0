#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Benchmark of a reboot into a new kernel, side by side in one run: from the
reboot command to the first line of the new kernel's init, on the same VM
(the default kernel of tests/kernels.txt, 1 GiB, 2 CPUs, the same initramfs
and command line), by five ways:

  firmware, SeaBIOS / OVMF   `reboot -f`; QEMU resets the machine, the
                             firmware runs and boots -kernel again
  kexec -l + kexec -e        Linux's own kexec, the reference (SeaBIOS)
  lifeboat, SeaBIOS / OVMF   `lifeboat reboot --now`: the module jumps into
                             the new kernel after the devices are shut down

The guest's init is the same in every way and every boot; the first thing it
does is print a marker (the end of the measure). Its command line names the
way (lbway=); a flag on a small virtio disk tells the second boot to stop
there, and the disk also carries the initramfs the kexec and lifeboat ways
load (so their new kernel unpacks the same initramfs as the firmware's). The
fast ways run with -no-reboot: a fall back to the firmware ends QEMU and
fails the run instead of being measured as a fast one.

Host-monotonic times of serial lines (lbvm), median and range over the
runs (BENCH_RUNS / --runs, default 3):
  load               the load command to the loaded state: `kexec -l` to
                     its return, `lifeboat reboot --now` to the module's
                     "fast reboot loaded" line
  restart -> last line
                     the restart (the `reboot -f` / `kexec -e` marker, or
                     lifeboat's loaded line) to the old kernel's last line
                     (shutting down; lifeboat's is its jump line)
  -> new kernel      the old kernel's last line to the new kernel's first:
                     the firmware, if any, the copy and the decompression
  kernel -> init     the new kernel's first line to its init's first line
  restart -> init    the restart to the new init's first line (no load)
  command -> init    the reboot command (with the load, for the fast ways)
                     to the new init's first line

    bench_reboot.py [--runs N] [--kernel NAME] [--ways N,...]
"""
import argparse
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture  # noqa: E402
import fast_reboot as fr  # noqa: E402
import lbvm  # noqa: E402

# name, firmware, way
WAYS = [
    ("firmware, SeaBIOS", "bios", "firmware"),
    ("firmware, OVMF", "uefi", "firmware"),
    ("kexec -l + -e, SeaBIOS", "bios", "kexec"),
    ("lifeboat, SeaBIOS", "bios", "lifeboat"),
    ("lifeboat, OVMF", "uefi", "lifeboat"),
]
FIGURES = ["load", "restart -> last line", "-> new kernel", "kernel -> init", "restart -> init",
           "command -> init"]
KLINE_RE = re.compile(r"^\[\s*\d+\.\d+\] ")

# The disk: a header sector ("LBBENCH <bytes of the initramfs>"), the flag
# sector (the first boot writes "rebooted" there), the initramfs from 4 KiB.
INIT = lbvm.INIT_PRELUDE + r"""
mark init
fail() { mark bench-failed "$*"; poweroff -f; }
load_modules
wait_for /dev/vda 100 || fail "no /dev/vda"
if [ "$(dd if=/dev/vda bs=512 skip=1 count=1 2>/dev/null | head -c 8)" = rebooted ]; then
	echo "LBCMDLINE $(cat /proc/cmdline)" > /dev/ttyS0
	mark done
	poweroff -f
fi
size=$(dd if=/dev/vda bs=512 count=1 2>/dev/null | head -n 1 | sed -n 's/^LBBENCH //p')
[ -n "$size" ] || fail "no LBBENCH header on the disk"
printf rebooted | dd of=/dev/vda bs=512 seek=1 conv=notrunc 2>/dev/null || fail "cannot write the flag"
sync
K=/boot/vmlinuz; I=/tmp/next.img; A=$(cat /proc/cmdline)
way=$(sed -n 's/.*lbway=\([a-z]*\).*/\1/p' /proc/cmdline)
case $way in
firmware)
	mark reboot
	reboot -f
	;;
kexec)
	dd if=/dev/vda bs=4096 skip=1 2>/dev/null | head -c "$size" > $I
	mark load
	kexec -l $K --initrd=$I --append="$A" > /dev/ttyS0 2>&1 || fail "kexec -l"
	mark reboot
	kexec -e
	;;
lifeboat)
	dd if=/dev/vda bs=4096 skip=1 2>/dev/null | head -c "$size" > $I
	insmod /lib/lifeboat.ko > /dev/ttyS0 2>&1 || fail insmod
	mark load
	lifeboat reboot --kernel $K --initrd $I --append "$A" --now > /dev/ttyS0 2>&1
	;;
esac
fail "the $way reboot returned"
"""

PUBLISHED = """\
Under TCG (software emulation) the firmware's share is small: QEMU's SeaBIOS
and OVMF have no memory to train, no option ROMs and no disks to wait for,
and the kernel itself runs many times slower than on hardware. Published
figures (../shared/research/fast-reboot.md 4.2; no vendor publishes POST
times; treat 1-5 minutes, more with large DDR5 and many option ROMs, as the
range):
  MPI molgen mxtools PR #87, reboot through kexec vs the firmware:
      workstation to the login prompt 47 s -> 22 s; server "claptrap" to the
      console login 160 s -> 59 s, to its NFS service 165 s -> 43 s
  Pasha Tatashin, arm64 kexec (2019): shutdown 0.022 s + relocation 0.44 s
      (MMU off; 0.022 s with it on) + kernel start 0.29 s
  ByteDance "faster kexec reboot" (Phoronix, 2022): about 500 ms saved;
      15 ms from machine_kexec to start_kernel
  Server firmware (anecdotes): IBM x3620 UEFI "a good five minutes"; HP DL380
      0-120 s before its BIOS, then RAID option ROMs "maybe more than a
      minute"; DDR5 memory training "up to 15 minutes" (Kingston) on a first
      boot or a change; Digital Rebar: a bare-metal reboot cycle "can add many
      minutes (often times 10 or more minutes)\""""


def make_disk(path, initrd):
    with open(initrd, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(f"LBBENCH {len(data)}\n".encode().ljust(4096, b"\0"))
        f.write(data)
        f.truncate(((4096 + len(data)) | 0xfffff) + 1)
    return path


def build_image(work):
    e = lbvm.env()
    return lbvm.build_initramfs(
        os.path.join(work, "bench.img"), INIT,
        bins=capture.lifeboat_bins() + ["/usr/sbin/kexec"],
        files=[f"{e['KVMLINUZ']}:/boot/vmlinuz", f"{lbvm.kmod('lifeboat.ko')}:/lib/lifeboat.ko"],
        modules=["virtio_pci", "virtio_blk"])


def one_run(name, firmware, way, image, i, kernel=None):
    """Figures of one run of one way, or a sentence saying why it failed."""
    with lbvm.guest(kernel, firmware):
        slug = name.split(",")[0].split()[0] + "-" + firmware
        work = lbvm.workdir(f"fastreboot-bench-{lbvm.env()['KNAME']}-{slug}-{i}")
        disk = make_disk(os.path.join(work, "disk.raw"), image)
        vm = lbvm.VM(work, image, f"console=ttyS0 lbway={way}", disk=disk, timeout=300,
                     name="bench", reboot=(way == "firmware"),
                     fail_markers=("bench-failed", "panic"))
        res = vm.run()
    where = f"log {res.log_path}"
    if "bench-failed" in res.markers:
        return f"{res.marker_args['bench-failed']} ({where})"
    if res.timed_out or "done" not in res.markers:
        why = fr.ABANDON_RE.search(res.text())
        return (f"no second boot" + (f": fast reboot abandoned: {why.group(1)}" if why else "")
                + f" ({where})")
    if way == "lifeboat":
        t_cmd = res.markers["load"]
        t_restart = fr.when(res, fr.LOADED_RE, t_cmd)
        if fr.when(res, fr.JUMP_RE, t_cmd) is None:
            return f"no jump line ({where})"
    else:
        t_restart = res.markers["reboot"]
        t_cmd = res.markers.get("load", t_restart)
    t_kernel = fr.when(res, fr.LINUX_RE, t_restart)
    t_init = fr.when(res, "init", t_restart)
    if None in (t_restart, t_kernel, t_init):
        return f"a line is missing (restart {t_restart}, kernel {t_kernel}, init {t_init}; {where})"
    t_last = max(t for t, line in res.lines if t < t_kernel and KLINE_RE.match(line))
    return {"load": t_restart - t_cmd if way != "firmware" else None,
            "restart -> last line": t_last - t_restart,
            "-> new kernel": t_kernel - t_last,
            "kernel -> init": t_init - t_kernel,
            "restart -> init": t_init - t_restart,
            "command -> init": t_init - t_cmd}


def summary(values):
    if not values:
        return "n/a"
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    ap.add_argument("--kernel", help="a kernel of tests/kernels.txt (default: the first)")
    ap.add_argument("--ways", help="comma-separated way numbers (1-%d) to run" % len(WAYS))
    a = ap.parse_args()
    ways = WAYS
    if a.ways:
        ways = [WAYS[int(n) - 1] for n in a.ways.split(",")]
    with lbvm.guest(a.kernel):
        kname = lbvm.env()["KNAME"]
        work = lbvm.workdir(f"fastreboot-bench-image-{kname}")
        image = build_image(work)
    results = {w[0]: {f: [] for f in FIGURES} for w in ways}
    failed = 0
    for i in range(a.runs):
        # Every way once per round, so that the machine's noise spreads over all.
        for name, firmware, way in ways:
            got = one_run(name, firmware, way, image, i, a.kernel)
            if isinstance(got, str):
                print(f"bench: {name} run {i + 1} failed: {got}", file=sys.stderr, flush=True)
                failed += 1
                continue
            for f in FIGURES:
                if got[f] is not None:
                    results[name][f].append(got[f])
    print(f"\nreboot into a new kernel ({kname}, 1 GiB, 2 CPUs, emulated: TCG), "
          f"{a.runs} run(s) each, host seconds, median (min-max):")
    print(f"  {'':24}" + "".join(f" {f:>20}" for f in FIGURES))
    for name, _, _ in ways:
        print(f"  {name:24}" + "".join(f" {summary(results[name][f]):>20}" for f in FIGURES))
    for fig in ("restart -> init", "command -> init"):
        med = {n: statistics.median(results[n][fig]) for n, _, _ in ways if results[n][fig]}
        for fw in ("SeaBIOS", "OVMF"):
            slow, fast = med.get(f"firmware, {fw}"), med.get(f"lifeboat, {fw}")
            if slow and fast:
                print(f"  {fw}: {fig}, firmware / lifeboat = {slow / fast:.2f}")
        if med.get("kexec -l + -e, SeaBIOS") and med.get("lifeboat, SeaBIOS"):
            print(f"  SeaBIOS: {fig}, lifeboat - kexec = "
                  f"{med['lifeboat, SeaBIOS'] - med['kexec -l + -e, SeaBIOS']:+.2f} s")
    print()
    print(PUBLISHED)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
