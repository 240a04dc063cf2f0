# SPDX-License-Identifier: GPL-2.0
"""
Issue 13: the capture kernel unpacked at load time (`lifeboat load
--unpack`): nothing is decompressed after the panic; the jump enters the
kernel's own startup_64. On 6.1 (xz) and 6.12 (zstd), crashkernel=256M,
sysrq-c: the module reports the unpacked loader, whose image is the kernel
laid out (tens of MB, not the 8 MB file), the capture kernel boots from
startup_64, and the dump passes the checker as the bzImage path's does.
"""
import re

import lbvm
import lifeboat_chain
import test_capture_path

ORDER = 24


def run_unpacked(kernel):
    with lbvm.guest(kernel, "bios"):
        e = lbvm.env()
        work = lbvm.workdir(f"unpacked-{e['KNAME']}")
        res, disk = lifeboat_chain.run(work, load_args="--unpack", name="unpacked")
        figures = test_capture_path.check_chain(res, disk, work)
        text = res.text()
        m = re.search(r"loader=unpacked kernel=(\d+)@0x[0-9a-f]+", text)
        assert m, f"the module did not take the unpacked loader:\n{res.tail(40)}"
        assert int(m.group(1)) > 40e6, f"an unpacked image of {m.group(1)} bytes"
        figures["kernel_mb"] = f"{int(m.group(1)) / 1e6:.1f}"
        return figures


def test_unpacked_61():
    """6.1 (xz): the unpacked capture kernel boots and the dump passes the checker."""
    return run_unpacked("6.1")


def test_unpacked_612():
    """6.12 (zstd): the same."""
    return run_unpacked("6.12")
