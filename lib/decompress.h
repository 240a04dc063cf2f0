/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One compressed stream of a format the kernel reads, decompressed in
 * pieces into a sink (decompress.c). Errors start with what, name the
 * stream by where, and come back as a negative errno with err filled:
 * -EINVAL bad or truncated data, -ENOMEM a decoder wanting more than
 * max_window or no memory, or the sink's own error.
 */
#ifndef LIFEBOAT_DECOMPRESS_H
#define LIFEBOAT_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lifeboat/err.h"

struct lb_unpacker {
	int (*sink)(void *ctx, const uint8_t *buf, size_t len);
	void *ctx;
	const char *what;	/* "initramfs", "kernel" */
	const char *where;	/* "the xz segment at byte 512" */
	uint64_t max_window;	/* the most memory a decoder may want */
	struct lb_err *err;
};

/* Each: consumed is the input the stream took, window what its decoder wanted. */
int lb_unpack_gzip(const struct lb_unpacker *c, const uint8_t *in, size_t len, size_t *consumed,
		   uint64_t *window);
int lb_unpack_xz(const struct lb_unpacker *c, const uint8_t *in, size_t len, bool alone,
		 size_t *consumed, uint64_t *window);
int lb_unpack_zstd(const struct lb_unpacker *c, const uint8_t *in, size_t len, size_t *consumed,
		   uint64_t *window);

#endif
