#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The seed of fuzz_vmcore: the smallest ELF core /proc/vmcore could be,
an ELF64 header, a PT_NOTE holding a VMCOREINFO note and one PT_LOAD of a
page, as the capture kernel offers it (fs/proc/vmcore.c merges the CPUs'
notes and VMCOREINFO into one PT_NOTE). The PT_LOAD's bytes are not in the
file: the saver reads only the headers.

    machine/fuzz/mkseed.py > machine/fuzz/corpus/fuzz_vmcore/tiny-core
"""
import struct
import sys

EHDR, PHDR = 64, 56


def note(name, ntype, desc):
    name = name + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(name), len(desc), ntype) + pad(name) + pad(desc)


def core():
    info = (b"OSRELEASE=6.1.0-57-amd64\nPAGESIZE=4096\n"
            b"CRASHTIME=1763712900\n")
    notes = note(b"VMCOREINFO", 0, info)
    nphdr = 2
    note_off = EHDR + nphdr * PHDR
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, EHDR, 0, 0,
                               EHDR, PHDR, nphdr, 64, 0, 0)
    # PT_NOTE, then PT_LOAD of one page at physical 1 MiB.
    ph_note = struct.pack("<IIQQQQQQ", 4, 0, note_off, 0, 0, len(notes), 0, 0)
    ph_load = struct.pack("<IIQQQQQQ", 1, 7, note_off + len(notes),
                          0xffff888000100000, 0x100000, 0, 4096, 0)
    return ehdr + ph_note + ph_load + notes


if __name__ == "__main__":
    sys.stdout.buffer.write(core())
