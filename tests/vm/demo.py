#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
make demo: boot a VM, crash it, capture the dump, and print what crash sees.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checker  # noqa: E402
import lbvm  # noqa: E402
import lifeboat_chain  # noqa: E402


def main():
    work = lbvm.workdir("demo")
    print("demo: booting a 1 GiB, 2-CPU guest under QEMU with crashkernel=256M; inside it: "
          "insmod lifeboat.ko, lifeboat load, lifeboat arm, echo c > /proc/sysrq-trigger",
          flush=True)
    res, disk = lifeboat_chain.run(work)
    for line in res.text().splitlines():
        if "lifeboat:" in line or "Kernel panic" in line or "LBMARK" in line:
            print(f"  guest| {line}")
    if "dump-saved" not in res.markers:
        print(f"demo: no dump was saved; serial log tail:\n{res.tail()}", file=sys.stderr)
        return 1
    vmcore = lbvm.disk_get(disk, "/vmcore", os.path.join(work, "vmcore"))
    print(f"demo: panic at {res.markers['panic']:.1f} s, capture kernel up "
          f"{res.since('panic', 'capture-init'):.1f} s later, dump saved "
          f"{res.since('capture-init', 'dump-saved'):.1f} s after that "
          f"({os.path.getsize(vmcore) / 1e6:.1f} MB, {vmcore})")
    out = checker.run_crash(lbvm.env()["VMLINUX_DBG"], vmcore, ["sys", "bt"])
    print("\n$ crash vmlinux vmcore\ncrash> sys")
    print(out.get("sys"))
    print("crash> bt")
    print(out.get("bt"))
    return 0 if out.get("bt").strip() else 1


if __name__ == "__main__":
    sys.exit(main())
