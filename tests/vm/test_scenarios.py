# SPDX-License-Identifier: GPL-2.0
"""
Every CPU and every way a kernel dies: one test per row of
scenarios.SCENARIOS, generated from the table. Each boots a guest, arms the
capture path CAPTURE names, kills the guest the scenario's way, and checks
the dump with crash and drgn. The
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



def _make(index, name):
    def fn():
        return _run(name)
    fn.__name__ = f"test_{name}"
    fn.__doc__ = scenarios.BY_NAME[name].what
    fn.order = index        # run.py runs them in the table's order
    return fn


# One test per row of scenarios.SCENARIOS, named test_<scenario>: a new row
# runs with no other edit.
for _i, _scn in enumerate(scenarios.SCENARIOS):
    globals()[f"test_{_scn.name}"] = _make(_i, _scn.name)
