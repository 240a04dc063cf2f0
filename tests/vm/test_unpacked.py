# SPDX-License-Identifier: GPL-2.0
"""
Issue 13: the capture kernel unpacked at load time (`lifeboat load
--unpack`): nothing is decompressed after the panic; the jump enters the
kernel's own startup_64. On 6.1 (xz) and 6.12 (zstd), crashkernel=256M,
sysrq-c: the module reports the unpacked loader, whose image is the kernel
laid out (tens of MB, not the 8 MB file), the capture kernel boots from
startup_64, and the dump passes the checker as the bzImage path's does.

The smallest region: on 6.1 with the command line `lifeboat start` gives,
88M captures a 1 GiB guest (kdump needs 96M; the bzImage loader, with its
decompressor's room, 100M), and at 84M, where the capture kernel ran out
of memory while it unpacked its initramfs (scratch builds without the
floor), `lifeboat load` refuses and names the free RAM that is short.

These are the stock kernel's figures: the tests keep it as the capture
kernel even in a run with Lifeboat's own (test_capture_kernel.py has its
equivalents).
"""
import re

import capture
import lbvm
import lifeboat_chain
import test_capture_path

ORDER = 24


def run_unpacked(kernel):
    with lbvm.guest(kernel, "bios", capture="stock"):
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


# The smallest region that captures a 1 GiB guest with the 6.1 kernel
# unpacked (calibrate_reserve.py: 88M captured, 84M ran out of memory).
SMALLEST_MIB = 88
SHORT_MIB = 84


def capture_free_mib(res):
    """The capture kernel's free memory at boot (its `Memory:` line), MiB."""
    free = re.findall(r"Memory: (\d+)K/(\d+)K available", res.text())
    assert len(free) >= 2, f"no Memory: line of the capture kernel:\n{res.tail(40)}"
    return f"{int(free[-1][0]) / 1024:.1f}"


def smallest_region(which, smallest_mib, short_mib, need_mib, name):
    """6.1 under SeaBIOS, 1 GiB, the capture kernel which ("stock" or
    "lifeboat") unpacked with the start command line: crashkernel=
    smallest_mib captures and the dump passes the checker; short_mib is
    refused by `lifeboat load`, which says the kernel needs need_mib of free
    RAM (20 for a kernel of 32 MiB or less, 32 otherwise), nothing armed.
    Returns the capture's result and the figures."""
    with lbvm.guest("6.1", "bios", capture=which):
        work = lbvm.workdir(f"{name}-smallest")
        res, disk = lifeboat_chain.run(work, kernel_append=f"crashkernel={smallest_mib}M",
                                       capture_append=capture.START_APPEND,
                                       load_args="--unpack", name="smallest")
        figures = test_capture_path.check_chain(res, disk, work)
        figures["capture_free_mib"] = capture_free_mib(res)

        work = lbvm.workdir(f"{name}-short")
        short, _ = lifeboat_chain.run(work, kernel_append=f"crashkernel={short_mib}M",
                                      capture_append=capture.START_APPEND,
                                      load_args="--unpack", name="short")
    assert short.marker_args.get("arm-failed") == "load", \
        f"{short_mib}M was not refused by lifeboat load:\n{short.tail(40)}"
    m = re.search(rf"region of {short_mib} MiB leaves (\d+) MiB of free RAM, the capture "
                  rf"kernel needs {need_mib} MiB: metadata \d+ MiB, kernel (\d+) MiB \(memsz\)",
                  short.text())
    assert m, f"lifeboat load did not say what is short at {short_mib}M:\n{short.tail(40)}"
    assert int(m.group(1)) < need_mib, m.group(0)
    # The floor follows the kernel's size.
    assert (int(m.group(2)) <= 32) == (need_mib == 20), m.group(0)
    assert "capture-kernel" not in short.markers and "panic" not in short.markers, \
        "the guest went on past the refusal"
    figures["refused"] = f"{short_mib}M ({m.group(1)} MiB free of {need_mib})"
    figures["smallest"] = f"{smallest_mib}M"
    return res, figures


def test_unpacked_61_smallest_region():
    """6.1 unpacked, the start command line: 88M captures, and the dump
    passes the checker; 84M is refused by `lifeboat load`, nothing armed."""
    return smallest_region("stock", SMALLEST_MIB, SHORT_MIB, 32, "unpacked")[1]
