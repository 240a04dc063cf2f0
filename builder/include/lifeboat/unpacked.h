/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A capture kernel unpacked at load time: what `lifeboat load` makes of a
 * bzImage so that nothing is decompressed at panic time. The payload is
 * decompressed (lib/unpack.c) and its ELF segments laid out at their run
 * addresses, relative to the first; the builder's "unpacked" loader
 * (builder/lib/unpacked.c) places that image in the region and the jump
 * enters the kernel's own startup_64, as the kernel's decompressor would,
 * with the boot parameters it expects.
 *
 * Little-endian, every field at its natural alignment:
 *
 *   0x00  magic, "LBUNPK01"
 *   0x08  u32  header length, LB_UNPACKED_HDR_LEN
 *   0x0c  u32  setup length: the bzImage's real-mode part and setup header,
 *              (setup_sects + 1) * 512 bytes, as they are in the bzImage
 *   0x10  u64  image length: the kernel's memory image from its first
 *              loaded byte to its last byte with content
 *   0x18  u64  memsz: the room the kernel needs from its first byte (to
 *              _end: bss, brk and all), at least the image length
 *   0x20  u64  entry: startup_64's offset in the image
 *   0x28  u64  paddr: the physical address the image was linked to start at
 *   0x30  the setup bytes, then zeroes up to a multiple of 8, then the image
 */
#ifndef LIFEBOAT_UNPACKED_H
#define LIFEBOAT_UNPACKED_H

#define LB_UNPACKED_MAGIC	"LBUNPK01"

enum {
	LB_UNPACKED_MAGIC_LEN = 8,
	LB_UNPACKED_OFF_HDR_LEN = 0x08,
	LB_UNPACKED_OFF_SETUP_LEN = 0x0c,
	LB_UNPACKED_OFF_IMAGE_LEN = 0x10,
	LB_UNPACKED_OFF_MEMSZ = 0x18,
	LB_UNPACKED_OFF_ENTRY = 0x20,
	LB_UNPACKED_OFF_PADDR = 0x28,
	LB_UNPACKED_HDR_LEN = 0x30,
};

#endif /* LIFEBOAT_UNPACKED_H */
