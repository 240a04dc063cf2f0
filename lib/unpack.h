/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bzImage unpacked at load time, for the builder's unpacked loader
 * (lifeboat/unpacked.h; unpack.c).
 */
#ifndef LIFEBOAT_UNPACK_H
#define LIFEBOAT_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "lifeboat/err.h"

struct lb_unpack_info {
	const char *compression;	/* "xz", "zstd", "gzip" */
	size_t setup_len;		/* the bzImage's setup part */
	uint64_t unpacked_len;		/* the decompressed ELF file */
	uint64_t image_len;		/* its segments laid out, to the last byte with content */
	uint64_t memsz;			/* to the end of the last segment (bss and all) */
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

#endif
