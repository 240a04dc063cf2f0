// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the kernel unpacker of `lifeboat load`
 * (lb_unpack_bzimage(), lib/unpack.c). The first byte picks how the rest
 * is handed over: as a whole bzImage file; as the payload of a sane
 * bzImage (setup_sects 7), raw; or as a recipe for a small ELF vmlinux
 * (entry, up to four program headers) gzip'd here into that payload, so
 * that the ELF reader and the layout are reached without a seed corpus.
 * Inputs are bounded (64 KiB) and the recipe's segments span at most
 * 64 MiB, so that no run nears the unpacker's own 256 MiB bound.
 *
 * On success, the container must say what info says and be taken by the
 * builder's unpacked loader (or refused only for its setup header).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "internal.h"
#include "lifeboat/le.h"
#include "lifeboat/unpacked.h"
#include "unpack.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define FUZZ_MAX_INPUT (64 << 10)
#define SETUP 0x1000

static void check(int cond)
{
	if (!cond)
		abort();
}

/* A sane bzImage around payload. */
static uint8_t *bzimage(const uint8_t *payload, size_t plen, size_t *len)
{
	uint8_t *k;

	*len = SETUP + plen + 4;
	k = calloc(1, *len);
	check(!!k);
	k[0x1f1] = 7;
	k[0x1fe] = 0x55;
	k[0x1ff] = 0xaa;
	k[0x200] = 0xeb;
	k[0x201] = 0x6a;
	memcpy(k + 0x202, "HdrS", 4);
	lb_put16(k + 0x206, 0x020f);
	k[0x211] = 0x01;
	lb_put32(k + 0x230, 0x200000);
	k[0x234] = 1;
	lb_put16(k + 0x236, 0x7f);
	lb_put32(k + 0x238, 0x7ff);
	lb_put32(k + 0x248, 0);
	lb_put32(k + 0x24c, (uint32_t)plen);
	lb_put32(k + 0x260, 0x4000000);
	memcpy(k + SETUP, payload, plen);
	lb_put32(k + SETUP + plen, 0);
	return k;
}

/*
 * An ELF vmlinux from a recipe: e_entry and e_machine, then per program
 * header a type byte and paddr, filesz, memsz, vaddr offsets of 4 bytes,
 * the remaining input being the segments' bytes.
 */
static uint8_t *elf_from(const uint8_t *p, size_t n, size_t *len)
{
	size_t nph, off, i, content;
	uint8_t *f;

	if (n < 6)
		return NULL;
	nph = p[0] % 4 + 1;
	if (n < 6 + 17 * nph)
		return NULL;
	content = n - 6 - 17 * nph;
	off = 64 + 56 * nph;
	*len = off + content;
	f = calloc(1, *len);
	check(!!f);
	memcpy(f, "\x7f" "ELF", 4);
	f[4] = 2;
	f[5] = 1;
	f[6] = 1;
	lb_put16(f + 16, 2);			/* ET_EXEC */
	lb_put16(f + 18, p[1] & 1 ? 62 : p[1]);	/* EM_X86_64 mostly */
	lb_put32(f + 20, 1);
	/* The entry: inside the first segment mostly, or anywhere. */
	lb_put64(f + 24, p[2] & 1 ? 0x1000000 + (uint64_t)p[3] * 16 :
		      0xffffffff81000000ULL + ((uint64_t)p[3] << 8 | p[4]) * 16);
	lb_put64(f + 32, 64);
	lb_put16(f + 52, 64);
	lb_put16(f + 54, 56);
	lb_put16(f + 56, (uint16_t)nph);
	lb_put16(f + 58, 64);
	p += 6;
	for (i = 0; i < nph; i++, p += 17) {
		uint8_t *ph = f + 64 + 56 * i;
		uint32_t a = (uint32_t)p[1] | p[2] << 8 | p[3] << 16 | (uint32_t)p[4] << 24;
		uint32_t fs = (uint32_t)p[5] | p[6] << 8 | p[7] << 16 | (uint32_t)p[8] << 24;
		uint32_t ms = (uint32_t)p[9] | p[10] << 8 | p[11] << 16 | (uint32_t)p[12] << 24;
		uint32_t fo = (uint32_t)p[13] | p[14] << 8 | p[15] << 16 | (uint32_t)p[16] << 24;
		uint64_t paddr = 0x1000000 + (a & 0x3ffffff);

		lb_put32(ph, p[0] & 0x80 ? p[0] : 1);	/* PT_LOAD mostly */
		lb_put32(ph + 4, 7);
		lb_put64(ph + 8, fo % (*len + 16));
		lb_put64(ph + 16, p[0] & 1 ? 0 : 0xffffffff80000000ULL + paddr);
		lb_put64(ph + 24, paddr);
		lb_put64(ph + 32, fs % (content + 16));
		lb_put64(ph + 40, p[0] & 2 ? fs % (content + 16) : ms & 0x3ffffff);
		lb_put64(ph + 48, 0x1000);
	}
	memcpy(f + off, p, content);
	return f;
}

static uint8_t *gzip(const uint8_t *in, size_t len, size_t *out_len)
{
	uLongf n = compressBound(len) + 32;
	z_stream z = { 0 };
	uint8_t *out = malloc(n);

	check(!!out);
	check(deflateInit2(&z, 1, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
	z.next_in = (uint8_t *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)n;
	check(deflate(&z, Z_FINISH) == Z_STREAM_END);
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

static void unpack(const uint8_t *bz, size_t len)
{
	struct lb_unpack_info info;
	struct lb_err err;
	struct lb_kernel k;
	uint8_t *c = NULL;
	size_t clen = 0, image_off;
	int ret;

	ret = lb_unpack_bzimage(bz, len, &c, &clen, &info, &err);
	if (ret) {
		check(ret == -ENOEXEC || ret == -EOPNOTSUPP || ret == -EINVAL ||
		      ret == -EFBIG || ret == -ENOMEM);
		check(!c && !clen);
		check(!!memchr(err.msg, '\0', sizeof(err.msg)));
		return;
	}
	check(c && info.compression);
	image_off = (LB_UNPACKED_HDR_LEN + info.setup_len + 7) & ~(size_t)7;
	check(clen == image_off + info.image_len);
	check(info.image_len > 0 && info.memsz >= info.image_len);
	check(info.entry < info.image_len);
	check(info.paddr % (2 << 20) == 0);
	check(info.memsz <= LB_KERNEL_MAX_LEN);
	check(!memcmp(c, LB_UNPACKED_MAGIC, LB_UNPACKED_MAGIC_LEN));
	check(lb_get64(c + LB_UNPACKED_OFF_IMAGE_LEN) == info.image_len);
	check(lb_get64(c + LB_UNPACKED_OFF_MEMSZ) == info.memsz);
	check(lb_get64(c + LB_UNPACKED_OFF_ENTRY) == info.entry);
	check(lb_get64(c + LB_UNPACKED_OFF_PADDR) == info.paddr);
	check(!memcmp(c + LB_UNPACKED_HDR_LEN, bz, info.setup_len));
	/* What the unpacker made, the loader takes, unless the setup header is bad. */
	ret = lb_kernel_parse(c, clen, NULL, &k, NULL, &err);
	if (ret)
		check(ret == -ENOEXEC && !strncmp(err.msg, "bzImage:", 8));
	else
		check(k.image == c + image_off && k.image_len == info.image_len &&
		      k.entry_off == info.entry);
	free(c);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	uint8_t *bz, *elf, *gz;
	size_t len, elf_len, gz_len;

	if (!size || size > FUZZ_MAX_INPUT)
		return 0;
	switch (data[0] % 3) {
	case 0:
		unpack(data + 1, size - 1);
		break;
	case 1:
		bz = bzimage(data + 1, size - 1, &len);
		unpack(bz, len);
		free(bz);
		break;
	default:
		elf = elf_from(data + 1, size - 1, &elf_len);
		if (!elf)
			break;
		gz = gzip(elf, elf_len, &gz_len);
		bz = bzimage(gz, gz_len, &len);
		unpack(bz, len);
		free(bz);
		free(gz);
		free(elf);
		break;
	}
	return 0;
}
