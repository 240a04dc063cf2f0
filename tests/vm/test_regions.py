# SPDX-License-Identifier: GPL-2.0
"""
Regions that are not usable RAM in the firmware's own memory map (issue 9).

A 1 GiB guest booted with memmap=256M$0x30000000 has a "reserved" range
that reaches the 1 GiB line, over the memory the firmware keeps for itself
(under SeaBIOS the ACPI tables, under OVMF reserved memory, the ACPI tables
and NVS). Loaded with region=256M@0x30000000, the module must refuse it,
naming the first range the firmware does not call usable RAM and its type,
and change nothing: the MADT reads back the same before and after. The
expected range is computed here from the guest's own /sys/firmware/memmap,
so the test does not trust the module's reading of the map. In the same
boot a region wholly inside the firmware's reserved memory is refused, and
the crashkernel= region, which is usable RAM, loads and arms.

A crashkernel= region over memory that is not RAM cannot be made on a
working guest: the kernel reserves it only from memory it counts as RAM,
and memmap=SIZE@START, the one way to make a firmware hole RAM, gives the
kernel memory that does not exist before the region is reserved. The
builder's host tests cover that shape (tests/unit/test_capture_ranges.c).
"""
import os
import re

import lbvm
import lifeboat_chain
import test_capture_path
from test_capture_path import expect

ORDER = 21

REGIONS_INIT = test_capture_path.CASES_PRELUDE + r"""
apic() { md5sum < /sys/firmware/acpi/tables/APIC | cut -d ' ' -f 1; }
for d in /sys/firmware/memmap/*; do
	echo "LBFWMAP $(cat $d/start) $(cat $d/end) $(cat $d/type)" > /dev/ttyS0
done
echo "LBAPIC before $(apic)" > /dev/ttyS0
try_case insmod-to-1g insmod /lib/lifeboat.ko region=256M@0x30000000
echo "LBMOD to-1g $(grep -c '^lifeboat ' /proc/modules) $(grep -c 'Lifeboat region' /proc/iomem)" > /dev/ttyS0
echo "LBAPIC after-refusal $(apic)" > /dev/ttyS0
try_case insmod-in-reserved insmod /lib/lifeboat.ko region=64K@0x3fff0000
echo "LBMOD in-reserved $(grep -c '^lifeboat ' /proc/modules) $(grep -c 'Lifeboat region' /proc/iomem)" > /dev/ttyS0
try_case insmod-crashkernel insmod /lib/lifeboat.ko
echo "LBREGION $(cat /sys/kernel/lifeboat/region)" > /dev/ttyS0
try_case load-ok lifeboat load --kernel $K --initrd $I --append "console=ttyS0 nr_cpus=1"
try_case arm-ok lifeboat arm
echo "LBAPIC after-arm $(apic)" > /dev/ttyS0
try_case unload-ok lifeboat unload
try_case rmmod rmmod lifeboat
mark done
poweroff -f
"""

TYPE_NAMES = {
    "Reserved": "reserved",
    "ACPI Tables": "ACPI tables",
    "ACPI Non-volatile Storage": "ACPI NVS",
    "Unusable memory": "unusable",
    "Persistent Memory": "persistent memory",
    "Persistent Memory (legacy)": "persistent memory (legacy)",
    "Soft Reserved": "soft reserved",
}


def firmware_map(res):
    """The guest's /sys/firmware/memmap as sorted (start, end, type) with end exclusive."""
    out = []
    for _, line in res.lines:
        m = re.match(r"^LBFWMAP (0x[0-9a-f]+) (0x[0-9a-f]+) (.+)$", line)
        if m:
            out.append((int(m.group(1), 16), int(m.group(2), 16) + 1, m.group(3).strip()))
    assert out, "the guest printed no /sys/firmware/memmap"
    return sorted(out)


def first_offender(fwmap, start, end):
    """The first part of [start, end) the firmware map does not call System RAM."""
    cur = start
    for s, e, t in fwmap:
        if e <= cur:
            continue
        if s >= end:
            break
        if s > cur:
            return cur, s, "missing"
        if t != "System RAM":
            return cur, min(e, end), TYPE_NAMES.get(t, "of an unknown type")
        cur = e
    return (cur, end, "missing") if cur < end else None


def hexr(a, b):
    return f"[0x{a:x}, 0x{b:x})"


def run_regions(kernel, firmware, name):
    with lbvm.guest(kernel, firmware):
        work = lbvm.workdir(f"regions-{name}")
        capture = lbvm.build_initramfs(os.path.join(work, "capture.img"), lbvm.CAPTURE_INIT,
                                       bins=["/usr/bin/makedumpfile"], modules=lbvm.DISK_MODULES)
        first = lbvm.build_initramfs(
            os.path.join(work, "first.img"), REGIONS_INIT,
            bins=[f"{os.path.join(lbvm.BUILD, 'lifeboat')}:/usr/bin/lifeboat"],
            files=lifeboat_chain.first_files(capture))
        # OVMF under TCG takes a minute to reach the kernel.
        vm = lbvm.VM(work, first, "console=ttyS0 memmap=256M$0x30000000 crashkernel=192M",
                     timeout=360, name=name, fail_markers=("errors-failed", "panic"))
        res = vm.run()
    cases, states = test_capture_path.parse_cases(res)
    text = res.text()
    fwmap = firmware_map(res)
    apic = {m.group(1): m.group(2) for m in
            (re.match(r"^LBAPIC (\S+) ([0-9a-f]{32})$", line) for _, line in res.lines) if m}
    assert "before" in apic, f"the MADT could not be read: {res.tail()}"

    # The defect of issue 9: refused at insmod, the range and type named.
    bad = first_offender(fwmap, 0x30000000, 0x40000000)
    assert bad, f"the firmware map calls all of [0x30000000, 0x40000000) RAM: {fwmap}"
    expect(cases, "insmod-to-1g", 22, r"Invalid argument")
    want = (f"lifeboat: region=256M@0x30000000 [0x30000000, 0x40000000) overlaps "
            f"{hexr(bad[0], bad[1])}, which is {bad[2]} in the firmware's memory map "
            f"(/sys/firmware/memmap); a region must be usable RAM there")
    assert want in text, f"insmod did not say '{want}':\n" + \
        "\n".join(line for _, line in res.lines if "lifeboat:" in line)
    assert re.search(r"^LBMOD to-1g 0 0$", text, re.M), "the refused module stayed or kept a claim"
    assert apic.get("after-refusal") == apic["before"], f"the MADT changed: {apic}"

    # The last 64 KiB below 1 GiB: SeaBIOS and OVMF both keep them.
    bad = first_offender(fwmap, 0x3fff0000, 0x40000000)
    assert bad and bad[:2] == (0x3fff0000, 0x40000000) and bad[2] != "missing", \
        f"the last 64 KiB below 1 GiB are not firmware memory here: {fwmap}"
    expect(cases, "insmod-in-reserved", 22, r"Invalid argument")
    assert (f"region=64K@0x3fff0000 [0x3fff0000, 0x40000000) overlaps [0x3fff0000, 0x40000000), "
            f"which is {bad[2]} in the firmware's memory map") in text, \
        "a region inside the firmware's reserved memory was not refused by name"
    assert re.search(r"^LBMOD in-reserved 0 0$", text, re.M), "the refused module stayed"

    # RAM in the firmware's map: accepted, loaded, armed, tables intact.
    expect(cases, "insmod-crashkernel", 0, r"^$")
    m = re.search(r"^LBREGION (0x[0-9a-f]+) (0x[0-9a-f]+) \d+ crashkernel$", text, re.M)
    assert m, "the crashkernel= region was not accepted"
    assert first_offender(fwmap, int(m.group(1), 16), int(m.group(2), 16)) is None
    expect(cases, "load-ok", 0, r"^$")
    expect(cases, "arm-ok", 0, r"^$")
    assert states["arm-ok"][0] == "armed"
    assert apic.get("after-arm") == apic["before"], f"the MADT changed: {apic}"
    expect(cases, "unload-ok", 0, r"^$")
    expect(cases, "rmmod", 0, r"^$")
    return {"offender": f"{hexr(*bad[:2])}:{bad[2].replace(' ', '_')}"}


def test_region_over_firmware_memory_seabios():
    """6.1 under SeaBIOS: memmap=256M$0x30000000 reaches SeaBIOS's reserved
    memory (ACPI tables) at 0x3ffdd000: refused, MADT intact."""
    return run_regions(None, "bios", "seabios")


def test_region_over_firmware_memory_ovmf():
    """6.12 under OVMF: the same region reaches OVMF's reserved memory, ACPI
    tables and NVS: refused, MADT intact."""
    return run_regions("6.12", "uefi", "ovmf")
