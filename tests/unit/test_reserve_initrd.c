// SPDX-License-Identifier: GPL-2.0
/*
 * lib/initrd.c: an initramfs measured as the kernel unpacks it. The
 * archives are written here (cpio "newc") and compressed with the same
 * libraries the walker reads them with.
 */
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "reserve.h"
#include "unit.h"

#define BIG (64ULL << 20)

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
		ck_assert_ptr_nonnull(b->p);
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void pad4(struct buf *b)
{
	static const uint8_t zero[4];

	put(b, zero, (4 - b->len % 4) % 4);
}

/* One newc entry; the archive must start 4-byte aligned in b. */
static void entry(struct buf *b, const char *name, unsigned int mode, const void *data,
		  size_t size)
{
	char hdr[111];
	static unsigned int ino = 100;

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino++, mode, 0, 0, 1, 0, (unsigned int)size, 0, 0, 0, 0,
		 (unsigned int)strlen(name) + 1, 0);
	put(b, hdr, 110);
	put(b, name, strlen(name) + 1);
	pad4(b);
	if (size)
		put(b, data, size);
	pad4(b);
}

static void trailer(struct buf *b)
{
	entry(b, "TRAILER!!!", 0, NULL, 0);
}

/* dir etc, file etc/a (5000 bytes), symlink bin/sh, file init (100 bytes). */
static void sample(struct buf *b)
{
	static uint8_t data[5000];

	memset(data, 'x', sizeof(data));
	entry(b, "etc", 0040755, NULL, 0);
	entry(b, "etc/a", 0100644, data, 5000);
	entry(b, "bin/sh", 0120777, "busybox", 7);
	entry(b, "init", 0100755, data, 100);
	trailer(b);
}

static void check_sample(const struct lb_initrd_info *ii, unsigned int copies)
{
	ck_assert_uint_eq(ii->entries, 4 * copies);
	ck_assert_uint_eq(ii->files, 2 * copies);
	ck_assert_uint_eq(ii->file_bytes, 5100 * copies);
	/* Whole pages per file and an inode's worth per entry. */
	ck_assert_uint_eq(ii->rootfs, (4 * LB_ROOTFS_ENTRY_COST + 8192 + 4096) * copies);
}

static int measure(const struct buf *b, struct lb_initrd_info *ii, struct lb_err *err)
{
	return lb_initrd_measure(b->p, b->len, BIG, BIG, ii, err);
}

static struct buf gzip_of(const struct buf *in)
{
	struct buf out = { 0 };
	z_stream z;

	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	out.cap = deflateBound(&z, in->len) + 64;
	out.p = malloc(out.cap);
	z.next_in = in->p;
	z.avail_in = (uInt)in->len;
	z.next_out = out.p;
	z.avail_out = (uInt)out.cap;
	ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	out.len = z.total_out;
	deflateEnd(&z);
	return out;
}

static struct buf xz_of(const struct buf *in, uint32_t preset)
{
	struct buf out = { 0 };
	size_t pos = 0;

	out.cap = lzma_stream_buffer_bound(in->len);
	out.p = malloc(out.cap);
	ck_assert_int_eq(lzma_easy_buffer_encode(preset, LZMA_CHECK_CRC32, NULL, in->p, in->len,
						 out.p, &pos, out.cap), LZMA_OK);
	out.len = pos;
	return out;
}

static struct buf lzma_alone_of(const struct buf *in)
{
	struct buf out = { 0 };
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_options_lzma opt;

	ck_assert(!lzma_lzma_preset(&opt, 1));
	ck_assert_int_eq(lzma_alone_encoder(&s, &opt), LZMA_OK);
	out.cap = in->len * 2 + 4096;
	out.p = malloc(out.cap);
	s.next_in = in->p;
	s.avail_in = in->len;
	s.next_out = out.p;
	s.avail_out = out.cap;
	ck_assert_int_eq(lzma_code(&s, LZMA_FINISH), LZMA_STREAM_END);
	out.len = out.cap - s.avail_out;
	lzma_end(&s);
	return out;
}

static struct buf zstd_of(const struct buf *in, int level)
{
	struct buf out = { 0 };

	out.cap = ZSTD_compressBound(in->len);
	out.p = malloc(out.cap);
	out.len = ZSTD_compress(out.p, out.cap, in->p, in->len, level);
	ck_assert(!ZSTD_isError(out.len));
	return out;
}

START_TEST(plain_archive)
{
	struct buf b = { 0 };
	struct lb_initrd_info ii;
	struct lb_err err = { "" };

	sample(&b);
	ck_assert_int_eq(measure(&b, &ii, &err), 0);
	check_sample(&ii, 1);
	ck_assert_uint_eq(ii.packed, b.len);
	ck_assert_uint_eq(ii.unpacked, b.len);
	ck_assert_str_eq(ii.compression, "none");
	ck_assert_uint_eq(ii.window, 0);
	free(b.p);
}
END_TEST

START_TEST(compressed_archives)
{
	struct buf b = { 0 }, c[5];
	static const char *const names[] = { "gzip", "xz", "xz", "lzma", "zstd" };
	struct lb_initrd_info ii;
	struct lb_err err = { "" };
	unsigned int i;

	sample(&b);
	c[0] = gzip_of(&b);
	c[1] = xz_of(&b, 6);
	c[2] = xz_of(&b, 0);
	c[3] = lzma_alone_of(&b);
	c[4] = zstd_of(&b, 19);
	for (i = 0; i < 5; i++) {
		ck_assert_msg(!measure(&c[i], &ii, &err), "%s: %s", names[i], err.msg);
		check_sample(&ii, 1);
		ck_assert_str_eq(ii.compression, names[i]);
		ck_assert_uint_eq(ii.packed, c[i].len);
		ck_assert_uint_eq(ii.unpacked, b.len);
		ck_assert_uint_gt(ii.window, 0);
		free(c[i].p);
	}
	free(b.p);
}
END_TEST

START_TEST(decompressor_windows)
{
	struct buf b = { 0 }, c;
	struct lb_initrd_info ii;
	struct lb_err err = { "" };

	sample(&b);
	c = gzip_of(&b);
	ck_assert_int_eq(measure(&c, &ii, &err), 0);
	ck_assert_uint_eq(ii.window, 32768);
	free(c.p);
	/* xz -6 keeps an 8 MiB dictionary, xz -0 256 KiB: the decoder's memory follows. */
	c = xz_of(&b, 6);
	ck_assert_int_eq(measure(&c, &ii, &err), 0);
	ck_assert_uint_ge(ii.window, 8ULL << 20);
	free(c.p);
	c = xz_of(&b, 0);
	ck_assert_int_eq(measure(&c, &ii, &err), 0);
	ck_assert_uint_lt(ii.window, 2ULL << 20);
	/* ... and a decoder that would need more than allowed is refused. */
	ck_assert_int_eq(lb_initrd_measure(c.p, c.len, BIG, 4096, &ii, &err), -ENOMEM);
	ck_assert_ptr_nonnull(strstr(err.msg, "dictionary"));
	free(c.p);
	free(b.p);
}
END_TEST

START_TEST(early_cpio_then_compressed)
{
	static const uint8_t zeros[512];
	struct buf b = { 0 }, inner = { 0 }, c;
	struct lb_initrd_info ii;
	struct lb_err err = { "" };

	/* Like an early microcode archive, padded, then the main one; the main
	 * one holds two archives back to back, as concatenated cpio does. */
	sample(&b);
	put(&b, zeros, 512 - b.len % 512);
	sample(&inner);
	put(&inner, zeros, 12);
	sample(&inner);
	c = xz_of(&inner, 1);
	put(&b, c.p, c.len);
	put(&b, zeros, 8);
	ck_assert_msg(!measure(&b, &ii, &err), "%s", err.msg);
	check_sample(&ii, 3);
	ck_assert_str_eq(ii.compression, "none+xz");
	free(c.p);
	free(inner.p);
	free(b.p);
}
END_TEST

START_TEST(malformed_images)
{
	struct buf b = { 0 }, c, t;
	struct lb_initrd_info ii;
	struct lb_err err = { "" };

	ck_assert_int_eq(lb_initrd_measure("", 0, BIG, BIG, &ii, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "initramfs: the file is empty");
	sample(&b);
	/* Cut before the trailer. */
	ck_assert_int_eq(lb_initrd_measure(b.p, b.len - 120, BIG, BIG, &ii, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "ends early"));
	/* Junk after the archive. */
	t = (struct buf){ 0 };
	put(&t, b.p, b.len);
	put(&t, "XYZW", 4);
	ck_assert_int_eq(measure(&t, &ii, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown data at byte"));
	free(t.p);
	/* The old cpio format. */
	memcpy(b.p, "070707", 6);
	ck_assert_int_eq(measure(&b, &ii, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "-H newc"));
	memcpy(b.p, "070701", 6);
	/* A header field that is not hex. */
	b.p[20] = 'g';
	ck_assert_int_eq(measure(&b, &ii, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "not hex"));
	b.p[20] = '0';
	/* A name without its NUL: "etc" is 4 bytes with it. */
	b.p[110 + 3] = 'X';
	ck_assert_int_eq(measure(&b, &ii, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "without its NUL"));
	b.p[110 + 3] = 0;
	/* A name of 0 bytes. */
	memcpy(b.p + 6 + 11 * 8, "00000000", 8);
	ck_assert_int_eq(measure(&b, &ii, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "name of 0 bytes"));
	free(b.p);

	b = (struct buf){ 0 };
	sample(&b);
	/* Truncated compressed data. */
	c = gzip_of(&b);
	ck_assert_int_eq(lb_initrd_measure(c.p, c.len - 10, BIG, BIG, &ii, &err), -EINVAL);
	free(c.p);
	c = zstd_of(&b, 3);
	ck_assert_int_eq(lb_initrd_measure(c.p, c.len / 2, BIG, BIG, &ii, &err), -EINVAL);
	free(c.p);
	c = xz_of(&b, 1);
	ck_assert_int_eq(lb_initrd_measure(c.p, c.len - 20, BIG, BIG, &ii, &err), -EINVAL);
	free(c.p);
	/* Junk after the archive inside the compressed stream. */
	t = (struct buf){ 0 };
	put(&t, b.p, b.len);
	put(&t, "junk", 4);
	c = gzip_of(&t);
	ck_assert_int_eq(measure(&c, &ii, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "junk after a cpio archive"));
	free(c.p);
	free(t.p);
	/* A compressed archive without its trailer. */
	c = (struct buf){ .p = b.p, .len = b.len - 124 };
	c = gzip_of(&c);
	ck_assert_int_eq(measure(&c, &ii, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "truncated"));
	free(c.p);
	free(b.p);
}
END_TEST

START_TEST(limits_and_unsupported)
{
	static const uint8_t bz[] = "BZh91AY&SY";
	struct buf b = { 0 }, c;
	struct lb_initrd_info ii;
	struct lb_err err = { "" };

	ck_assert_int_eq(lb_initrd_measure(bz, sizeof(bz), BIG, BIG, &ii, &err), -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(err.msg, "bzip2"));
	/* Only a trailer: nothing to run. */
	trailer(&b);
	ck_assert_int_eq(measure(&b, &ii, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "initramfs: no files in it");
	free(b.p);
	/* A bomb stops at the bound. */
	b = (struct buf){ 0 };
	{
		uint8_t *big = calloc(1, 4 << 20);

		entry(&b, "zeros", 0100644, big, 4 << 20);
		trailer(&b);
		free(big);
	}
	c = zstd_of(&b, 3);
	ck_assert_uint_lt(c.len, 4096);
	ck_assert_int_eq(lb_initrd_measure(c.p, c.len, 1 << 20, BIG, &ii, &err), -EFBIG);
	ck_assert_int_eq(lb_initrd_measure(c.p, c.len, BIG, BIG, &ii, &err), 0);
	ck_assert_uint_eq(ii.rootfs, LB_ROOTFS_ENTRY_COST + (4 << 20));
	free(c.p);
	free(b.p);
}
END_TEST

static Suite *reserve_initrd_suite(void)
{
	Suite *s = suite_create("reserve-initrd");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, plain_archive);
	tcase_add_test(tc, compressed_archives);
	tcase_add_test(tc, decompressor_windows);
	tcase_add_test(tc, early_cpio_then_compressed);
	tcase_add_test(tc, malformed_images);
	tcase_add_test(tc, limits_and_unsupported);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(reserve_initrd_suite)
