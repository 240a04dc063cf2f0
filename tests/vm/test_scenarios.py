# SPDX-License-Identifier: GPL-2.0
"""
Issue 4, every CPU and every way a kernel dies: one test per scenario of
scenarios.py. Each boots a guest, arms the capture path CAPTURE names, kills
the guest the scenario's way, and checks the dump with crash and drgn. The
figures printed with each result include the host time from the death on the
console to the capture kernel's first line.
"""
import os

import lbvm
import scenarios

ORDER = 20

# The capture path these tests exercise; this is the one place to switch.
#   "lifeboat"     build/lifeboat.ko, `lifeboat load`, `lifeboat arm`.
#   "kdump"        Linux's own kdump (kexec -p), as reference.py arms it.
#   "kdump-panic"  the same, jumping from panic() (crash_kexec_post_notifiers).
# All pass with each; the kdump ones prove the crasher and the expectations
# independently of Lifeboat. LIFEBOAT_CAPTURE in the environment overrides
# it for one run. There is no fallback: if the chosen path cannot arm or
# capture, every test fails and says why.
CAPTURE = os.environ.get("LIFEBOAT_CAPTURE", "lifeboat")


def _run(name):
    if CAPTURE not in scenarios.ARMS:
        raise lbvm.HarnessError(f"unknown capture path '{CAPTURE}': "
                                f"choose one of {', '.join(sorted(scenarios.ARMS))}")
    return scenarios.run_scenario(scenarios.BY_NAME[name], scenarios.ARMS[CAPTURE]())


def test_s1_sysrq_last_cpu():
    return _run("s1_sysrq_last_cpu")


def test_s2_null_deref():
    return _run("s2_null_deref")


def test_s3_timer_bug():
    return _run("s3_timer_bug")


def test_s4_hardirq_panic():
    return _run("s4_hardirq_panic")


def test_s5_nmi_unknown():
    return _run("s5_nmi_unknown")


def test_s6_spin_irqs_off():
    return _run("s6_spin_irqs_off")


def test_s7_stack_overflow():
    return _run("s7_stack_overflow")


def test_s8_memory_512m():
    return _run("s8_memory_512m")


def test_s8_memory_4g():
    return _run("s8_memory_4g")


def test_x1_nmi_panic_cpu1():
    return _run("x1_nmi_panic_cpu1")


def test_x2_spin_in_nmi():
    return _run("x2_spin_in_nmi")


def test_x3_panic_pair():
    return _run("x3_panic_pair")
