# SPDX-License-Identifier: GPL-2.0
"""
Every machine people run (issue 8): Lifeboat's capture on each guest kernel
of tests/kernels.txt and under each firmware, as a table. A row names the
kernel, the firmware and either "capture" (the plain chain of
test_capture_path: sysrq-c, crashkernel=256M, 1 GiB, 2 CPUs) or a death
scenario of scenarios.py. Each row is one test; a new row runs with no other
edit. `make test` runs the "test" rows; `make test-kernels` runs MATRIX too
(LIFEBOAT_MATRIX=1): both kernels under SeaBIOS and OVMF with every
scenario that does not depend on crash's view of memory, plus the rt and
cloud flavours.

On 6.12 the dumps are checked without crash and drgn, which Debian 12 ships
too old for that kernel (scenarios.check_dump says how).
"""
import os
import sys

import lbvm
import lifeboat_chain
import scenarios
import test_capture_path

ORDER = 30

# kernel, firmware, what
ROWS = [
    ("6.12", "bios", "capture"),
    ("6.12", "bios", "s1_sysrq_last_cpu"),
    ("6.12", "bios", "s2_null_deref"),
    ("6.12", "bios", "s5_nmi_unknown"),
    ("6.12", "bios", "s6_spin_irqs_off"),
    ("6.1", "uefi", "capture"),
    ("6.1", "uefi", "s2_null_deref"),
    ("6.12", "uefi", "capture"),
]

# The whole matrix, for make test-kernels.
MATRIX_SCENARIOS = ("s1_sysrq_last_cpu", "s2_null_deref", "s3_timer_bug", "s4_hardirq_panic",
                    "s5_nmi_unknown", "s6_spin_irqs_off", "s7_stack_overflow",
                    "x1_nmi_panic_cpu1", "x2_spin_in_nmi", "x3_panic_pair")
MATRIX = ([(k, fw, w) for k in ("6.1", "6.12") for fw in ("bios", "uefi")
           for w in ("capture",) + MATRIX_SCENARIOS]
          + [(k, "bios", w) for k in ("6.12-rt", "6.12-cloud")
             for w in ("capture", "s1_sysrq_last_cpu", "s5_nmi_unknown", "s6_spin_irqs_off")])


def run_row(kernel, firmware, what):
    with lbvm.guest(kernel, firmware):
        if what == "capture":
            e = lbvm.env()
            work = lbvm.workdir(f"platform-capture-{e['KNAME']}-{firmware}")
            res, disk = lifeboat_chain.run(work, kernel_append="crashkernel=256M")
            figures = test_capture_path.check_chain(res, disk, work)
        else:
            figures = scenarios.run_scenario(scenarios.BY_NAME[what],
                                             scenarios.arm_lifeboat())
        if firmware != "bios":
            check_uefi_capture(figures_log(kernel, firmware, what))
        return figures


def check_uefi_capture(log_path):
    """The first kernel came up through OVMF, and the capture kernel, which
    gets no EFI hand-over (see the README), still found ACPI through the
    RSDP Lifeboat passes, the IO-APIC through the MADT, and the disk (the
    dump was saved, which the caller checked)."""
    with open(log_path) as f:
        log = f.read()
    assert "efi: EFI v" in log, f"no 'efi: EFI v' line: the guest did not boot through OVMF ({log_path})"
    start = log.find("Command line: elfcorehdr=")
    assert start >= 0, f"the capture kernel's command line is not in {log_path}"
    capture = log[start:]
    for what, needle in (("ACPI's RSDP", "ACPI: RSDP 0x"), ("the MADT", "ACPI: APIC 0x"),
                         ("the IO-APIC", "IOAPIC[0]")):
        assert needle in capture, f"the capture kernel did not find {what} ('{needle}' missing in {log_path})"


def figures_log(kernel, firmware, what):
    with lbvm.guest(kernel, firmware):
        kname = lbvm.env()["KNAME"]
    if what == "capture":
        return os.path.join(lbvm.BUILD, "vm", f"platform-capture-{kname}-{firmware}",
                            "lifeboat.serial.log")
    return os.path.join(lbvm.BUILD, "vm", f"scenario-{what}-{kname}-{firmware}",
                        f"{what}.serial.log")


def _name(kernel, firmware, what):
    return f"test_{kernel}_{firmware}_{what}".replace(".", "").replace("-", "_")


def _make(row):
    def fn():
        return run_row(*row)
    fn.__name__ = _name(*row)
    fn.__doc__ = f"Lifeboat on {row[0]} under {row[1]}: {row[2]}"
    return fn


_rows = MATRIX if os.environ.get("LIFEBOAT_MATRIX") == "1" else ROWS
for _row in _rows:
    if _row[2] != "capture" and _row[2] not in scenarios.BY_NAME:
        sys.exit(f"test_platforms: no scenario '{_row[2]}'")
    globals()[_name(*_row)] = _make(_row)
