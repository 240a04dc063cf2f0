/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bzImage unpacked at load time, for the builder's unpacked loader
 * (lifeboat/unpacked.h; unpack.c).
 */
#ifndef LIFEBOAT_UNPACK_H
#define LIFEBOAT_UNPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lifeboat/err.h"

struct lb_unpack_info {
	const char *compression;	/* "xz", "zstd", "gzip" */
	size_t setup_len;		/* the bzImage's setup part */
	uint64_t unpacked_len;		/* the decompressed ELF file */
	uint64_t image_len;		/* its segments laid out, to the last byte with content */
	uint64_t memsz;			/* to the kernel's _end (bss and brk), or the segments' end */
	uint64_t scratch;		/* the .init.scratch after _end, left out of memsz */
	uint64_t entry;			/* startup_64, from the image's start */
	uint64_t paddr;			/* the physical address the image is linked at */
};

/*
 * Unpacks a bzImage into the unpacked loader's format: *ret (to free) of
 * *ret_len bytes. Return: 0, or -ENOEXEC (not a bzImage, or its payload is
 * not an x86_64 ELF kernel), -EOPNOTSUPP (a compression other than xz, zstd
 * and gzip), -EINVAL (bad compressed data), -EFBIG (beyond
 * LB_KERNEL_MAX_LEN), -ENOMEM; err says which and where.
 */
int lb_unpack_bzimage(const void *bzimage, size_t len, uint8_t **ret, size_t *ret_len,
		      struct lb_unpack_info *info, struct lb_err *err);

/*
 * Whether a capture command line asks SME's in-place encryption of the
 * kernel (mem_encrypt=on), which needs the .init.scratch room an unpacked
 * kernel leaves out: such a kernel is loaded as the bzImage it is.
 */
bool lb_unpack_needs_scratch(const char *cmdline);

#endif
