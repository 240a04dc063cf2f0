# SPDX-License-Identifier: GPL-2.0
"""
Regions that are not usable RAM in the firmware's own memory map (issue 9).

A 1 GiB guest booted with memmap=256M$0x30000000 under SeaBIOS has a
"reserved" range that reaches the 1 GiB line, over the memory SeaBIOS keeps
for the ACPI tables. Loaded with region=256M@0x30000000, the module must
refuse it, naming the first range the firmware does not call usable RAM and
its type, and change nothing: the MADT reads back the same before and
after. Under OVMF the same is done with a region over OVMF's ACPI NVS at
8 MiB. The expected range is computed here from the guest's own
/sys/firmware/memmap, so the test does not trust the module's reading of
the map. In the same boot a region wholly inside the firmware's memory at
the top of the first GiB is refused, and the crashkernel= region, which is
usable RAM, loads and arms.

A crashkernel= region over memory that is not RAM cannot be made on a
working guest: the kernel reserves it only from memory it counts as RAM,
and memmap=SIZE@START, the one way to make a firmware hole RAM, gives the
kernel memory that does not exist before the region is reserved. The
builder's host tests cover that shape (tests/unit/test_capture_ranges.c).
"""
import os
import re

import capture
import lbvm
import test_capture_path
from test_capture_path import expect

ORDER = 21

REGIONS_INIT = test_capture_path.CASES_PRELUDE + r"""
apic() { md5sum < /sys/firmware/acpi/tables/APIC | cut -d ' ' -f 1; }
for d in /sys/firmware/memmap/*; do
	echo "LBFWMAP $(cat $d/start) $(cat $d/end) $(cat $d/type)" > /dev/ttyS0
done
echo "LBAPIC before $(apic)" > /dev/ttyS0
try_case insmod-over insmod /lib/lifeboat.ko region=@REGION@
echo "LBMOD over $(grep -c '^lifeboat ' /proc/modules) $(grep -c 'Lifeboat region' /proc/iomem)" > /dev/ttyS0
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


def run_regions(kernel, firmware, name, size, start):
    """memmap=SIZE$START and region=SIZE@START on a 1 GiB guest, SIZE in MiB."""
    region = f"{size}M@0x{start:x}"
    end = start + (size << 20)
    with lbvm.guest(kernel, firmware):
        work = lbvm.workdir(f"regions-{name}")
        cap = capture.capture_image()
        first = lbvm.build_initramfs(
            os.path.join(work, "first.img"), REGIONS_INIT.replace("@REGION@", region),
            bins=capture.lifeboat_bins(),
            files=capture.first_files(cap))
        # OVMF under TCG takes a minute to reach the kernel.
        vm = lbvm.VM(work, first, f"console=ttyS0 memmap={size}M${start:#x} crashkernel=192M",
                     timeout=360, name=name, fail_markers=("errors-failed", "panic"))
        res = vm.run()
    cases, states = test_capture_path.parse_cases(res)
    text = res.text()
    fwmap = firmware_map(res)
    apic = {m.group(1): m.group(2) for m in
            (re.match(r"^LBAPIC (\S+) ([0-9a-f]{32})$", line) for _, line in res.lines) if m}
    assert "before" in apic, f"the MADT could not be read: {res.tail()}"

    # The defect of issue 9: refused at insmod, the range and type named.
    bad = first_offender(fwmap, start, end)
    assert bad, f"the firmware map calls all of {hexr(start, end)} RAM: {fwmap}"
    expect(cases, "insmod-over", 22, r"Invalid argument")
    want = (f"lifeboat: region={region} {hexr(start, end)} overlaps "
            f"{hexr(bad[0], bad[1])}, which is {bad[2]} in the firmware's memory map "
            f"(/sys/firmware/memmap); a region must be usable RAM there")
    assert want in text, f"insmod did not say '{want}':\n" + \
        "\n".join(line for _, line in res.lines if "lifeboat:" in line)
    assert re.search(r"^LBMOD over 0 0$", text, re.M), "the refused module stayed or kept a claim"
    assert apic.get("after-refusal") == apic["before"], f"the MADT changed: {apic}"
    figures = {"offender": f"{hexr(*bad[:2])}:{bad[2].replace(' ', '_')}"}

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
    return figures


def test_region_over_firmware_memory_seabios():
    """6.1 under SeaBIOS, the defect of issue 9: memmap=256M$0x30000000 reaches
    SeaBIOS's reserved memory below 1 GiB, where the ACPI tables are."""
    return run_regions(None, "bios", "seabios", 256, 0x30000000)


def test_region_over_firmware_memory_ovmf():
    """6.12 under OVMF: memmap=2M$0x700000 reaches OVMF's ACPI NVS at 8 MiB.
    (The issue's memmap=256M$0x30000000 cannot be tried here: under OVMF it
    covers what the firmware loaded for the EFI stub, and the guest dies at
    boot before any module is loaded.)"""
    return run_regions("6.12", "uefi", "ovmf", 2, 0x700000)
