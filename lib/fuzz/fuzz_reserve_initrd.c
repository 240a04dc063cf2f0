// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the initramfs walker of `lifeboat estimate`. The
 * first byte picks how the rest is handed over: as it is (any image, with
 * whatever magic the fuzzer finds), or compressed here first with gzip, xz
 * or zstd, so that the decompressors' output reaches the cpio walk without
 * a seed corpus; and whether the rest is the image itself or a recipe for
 * a well-formed archive, whose counts the walker must then get exactly.
 * Bounds are small (16 MiB unpacked, 16 MiB of decoder memory).
 */
#include <lzma.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "reserve.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define BOUND (16ULL << 20)

static void check(int cond)
{
	if (!cond)
		abort();
}

struct counts {
	uint64_t entries, files, file_bytes, rootfs;
};

static void put(uint8_t *out, size_t cap, size_t *len, const void *p, size_t n)
{
	if (n && *len + n <= cap)
		memcpy(out + *len, p, n);
	*len += n;
}

static void pad4(uint8_t *out, size_t cap, size_t *len)
{
	static const uint8_t zero[4];

	put(out, cap, len, zero, (4 - *len % 4) % 4);
}

static void entry(uint8_t *out, size_t cap, size_t *len, const char *name, unsigned int mode,
		  const uint8_t *data, size_t size)
{
	char hdr[111];

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 1u, mode, 0u, 0u, 1u, 0u, (unsigned int)size, 0u, 0u, 0u, 0u,
		 (unsigned int)strlen(name) + 1, 0u);
	put(out, cap, len, hdr, 110);
	put(out, cap, len, name, strlen(name) + 1);
	pad4(out, cap, len);
	put(out, cap, len, data, size);
	pad4(out, cap, len);
}

/*
 * A recipe: per entry a kind byte (regular file, directory, symlink or
 * node; its top bit makes the size byte count 64-byte units), a size byte,
 * a name length byte, then the name and the data, taken from the input.
 * Returns the archive's length (written only where it fits in cap).
 */
static size_t build(const uint8_t *r, size_t n, uint8_t *out, size_t cap, struct counts *c)
{
	static const unsigned int modes[] = { 0100644, 0040755, 0120777, 0020644 };
	size_t i = 0, len = 0, size, nl;
	char name[64];
	unsigned int mode;

	memset(c, 0, sizeof(*c));
	while (i + 3 <= n) {
		mode = modes[r[i] % 4];
		size = r[i + 1] * (r[i] & 0x80 ? 64u : 1u);
		nl = 1 + r[i + 2] % 40;
		i += 3;
		if (i + nl > n)
			break;
		memcpy(name, r + i, nl);
		name[nl] = '\0';
		i += nl;
		if (strlen(name) != nl || !strcmp(name, "TRAILER!!!"))
			continue;
		if (size > n - i)
			size = n - i;
		if (mode != 0100644 && mode != 0120777)
			size = 0;
		entry(out, cap, &len, name, mode, r + i, size);
		i += size;
		c->entries++;
		c->rootfs += LB_ROOTFS_ENTRY_COST;
		if (mode == 0100644) {
			c->files++;
			c->file_bytes += size;
			c->rootfs += (size + 4095) / 4096 * 4096;
		}
	}
	entry(out, cap, &len, "TRAILER!!!", 0, NULL, 0);
	return len;
}

static void measure(const void *buf, size_t len, const struct counts *want)
{
	struct lb_initrd_info ii;
	struct lb_err err = { "" };

	if (lb_initrd_measure(buf, len, BOUND, BOUND, &ii, &err)) {
		check(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
		/* A well-formed archive with files in it is always read. */
		check(!want || !want->entries);
		return;
	}
	if (want) {
		check(ii.entries == want->entries && ii.files == want->files);
		check(ii.file_bytes == want->file_bytes && ii.rootfs == want->rootfs);
	}
	check(ii.entries >= 1 && ii.files <= ii.entries);
	check(ii.rootfs >= ii.entries * LB_ROOTFS_ENTRY_COST + ii.file_bytes);
	check(ii.unpacked <= BOUND);
	check(ii.packed == len);
	check(memchr(ii.compression, '\0', sizeof(ii.compression)) != NULL);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct counts want, *w = NULL;
	const uint8_t *in = data + 1;
	size_t cap, in_len = size - 1, out_len = 0;
	uint8_t *out, *arch = NULL;

	if (!size || size > 65536)
		return 0;
	if (data[0] & 4) {
		/* Each recipe byte adds at most an entry header, name and padding. */
		cap = 128 * in_len + 1024;
		arch = malloc(cap);
		if (!arch)
			return 0;
		in_len = build(in, in_len, arch, cap, &want);
		in = arch;
		w = &want;
	}
	if (data[0] % 4 == 0) {
		measure(in, in_len, w);
		free(arch);
		return 0;
	}
	cap = in_len * 2 + 1024;
	out = malloc(cap);
	if (!out) {
		free(arch);
		return 0;
	}
	switch (data[0] % 4) {
	case 1: {
		z_stream z;

		memset(&z, 0, sizeof(z));
		if (deflateInit2(&z, 1, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
			z.next_in = (Bytef *)in;
			z.avail_in = (uInt)in_len;
			z.next_out = out;
			z.avail_out = (uInt)cap;
			if (deflate(&z, Z_FINISH) == Z_STREAM_END)
				out_len = z.total_out;
			deflateEnd(&z);
		}
		break;
	}
	case 2:
		if (lzma_easy_buffer_encode(0, LZMA_CHECK_CRC32, NULL, in, in_len, out, &out_len,
					    cap) != LZMA_OK)
			out_len = 0;
		break;
	default:
		out_len = ZSTD_compress(out, cap, in, in_len, 1);
		if (ZSTD_isError(out_len))
			out_len = 0;
		break;
	}
	if (out_len)
		measure(out, out_len, w);
	free(out);
	free(arch);
	return 0;
}
