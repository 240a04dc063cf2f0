// SPDX-License-Identifier: GPL-2.0
/*
 * The decompressors the kernel's own formats need, for the initramfs walker
 * (initrd.c) and the kernel unpacker (unpack.c): gzip with zlib, xz and
 * lzma with liblzma, zstd with libzstd. Each decompresses one stream in
 * small pieces, hands every piece to the caller's sink, and says how much
 * input the stream took and how much memory its decoder wanted.
 */
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
/* ZSTD_getFrameHeader() and ZSTD_estimateDStreamSize_fromFrame(): in
 * libzstd.so since 1.3, declared only under this macro. */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include "decompress.h"

enum { CHUNK = 64 * 1024 };	/* decompression output buffer */

int lb_unpack_gzip(const struct lb_unpacker *c, const uint8_t *in, size_t len, size_t *consumed,
		   uint64_t *window)
{
	uint8_t *out = malloc(CHUNK);
	z_stream z;
	int zr, r = 0;

	if (!out)
		return lb_err_set(c->err, ENOMEM, "%s: out of memory", c->what);
	memset(&z, 0, sizeof(z));
	/* 16 + 15: a gzip member with the largest window. */
	if (inflateInit2(&z, 16 + 15) != Z_OK) {
		free(out);
		return lb_err_set(c->err, ENOMEM, "%s: cannot start zlib", c->what);
	}
	z.next_in = (Bytef *)in;
	do {
		/* zlib counts in uInt: feed at most 1 GiB at a time. */
		if (!z.avail_in) {
			size_t left = len - (size_t)((const uint8_t *)z.next_in - in);

			z.avail_in = (uInt)(left > (1u << 30) ? 1u << 30 : left);
		}
		z.next_out = out;
		z.avail_out = CHUNK;
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END) {
			r = lb_err_set(c->err, EINVAL, "%s: %s is not valid gzip: %s", c->what, c->where,
				       z.msg ? z.msg : (zr == Z_BUF_ERROR ? "truncated" : "error"));
			break;
		}
		r = c->sink(c->ctx, out, CHUNK - z.avail_out);
		if (r)
			break;
	} while (zr != Z_STREAM_END);
	*consumed = (size_t)((const uint8_t *)z.next_in - in);
	inflateEnd(&z);
	free(out);
	*window = 32 * 1024;
	return r;
}

int lb_unpack_xz(const struct lb_unpacker *c, const uint8_t *in, size_t len, bool alone,
		 size_t *consumed, uint64_t *window)
{
	lzma_stream s = LZMA_STREAM_INIT;
	uint8_t *out = malloc(CHUNK);
	lzma_ret lr;
	int r = 0;

	if (!out)
		return lb_err_set(c->err, ENOMEM, "%s: out of memory", c->what);
	lr = alone ? lzma_alone_decoder(&s, c->max_window) : lzma_stream_decoder(&s, c->max_window, 0);
	if (lr != LZMA_OK) {
		free(out);
		return lb_err_set(c->err, ENOMEM, "%s: cannot start the %s decoder", c->what,
				  alone ? "lzma" : "xz");
	}
	s.next_in = in;
	s.avail_in = len;
	do {
		s.next_out = out;
		s.avail_out = CHUNK;
		lr = lzma_code(&s, LZMA_FINISH);
		if (lr != LZMA_OK && lr != LZMA_STREAM_END) {
			r = lr == LZMA_MEMLIMIT_ERROR ?
			    lb_err_set(c->err, ENOMEM,
				       "%s: %s needs a dictionary of more than %llu MiB", c->what,
				       c->where, (unsigned long long)(c->max_window >> 20)) :
			    lb_err_set(c->err, EINVAL, "%s: %s is not valid %s (liblzma error %d)", c->what,
				       c->where, alone ? "lzma" : "xz", (int)lr);
			break;
		}
		r = c->sink(c->ctx, out, CHUNK - s.avail_out);
		if (r)
			break;
	} while (lr != LZMA_STREAM_END);
	*consumed = len - s.avail_in;
	*window = lzma_memusage(&s);
	lzma_end(&s);
	free(out);
	return r;
}

int lb_unpack_zstd(const struct lb_unpacker *c, const uint8_t *in, size_t len, size_t *consumed,
		   uint64_t *window)
{
	ZSTD_frameHeader fh;
	ZSTD_DStream *ds;
	ZSTD_inBuffer ib = { in, len, 0 };
	ZSTD_outBuffer ob;
	uint8_t *out;
	size_t zr;
	int r = 0;

	zr = ZSTD_getFrameHeader(&fh, in, len);
	if (zr)
		return lb_err_set(c->err, EINVAL, "%s: %s has a %s zstd frame header", c->what, c->where,
				  ZSTD_isError(zr) ? "bad" : "truncated");
	if (fh.windowSize > c->max_window)
		return lb_err_set(c->err, ENOMEM, "%s: %s needs a zstd window of %llu MiB", c->what,
				  c->where, (unsigned long long)(fh.windowSize >> 20));
	zr = ZSTD_estimateDStreamSize_fromFrame(in, len);
	*window = ZSTD_isError(zr) ? fh.windowSize : zr;
	ds = ZSTD_createDStream();
	out = malloc(CHUNK);
	if (!ds || !out) {
		ZSTD_freeDStream(ds);
		free(out);
		return lb_err_set(c->err, ENOMEM, "%s: out of memory", c->what);
	}
	ZSTD_initDStream(ds);
	do {
		ob.dst = out;
		ob.size = CHUNK;
		ob.pos = 0;
		zr = ZSTD_decompressStream(ds, &ob, &ib);
		if (ZSTD_isError(zr)) {
			r = lb_err_set(c->err, EINVAL, "%s: %s is not valid zstd: %s", c->what, c->where,
				       ZSTD_getErrorName(zr));
			break;
		}
		r = c->sink(c->ctx, out, ob.pos);
		if (r)
			break;
		if (zr && ib.pos == ib.size && ob.pos < ob.size) {
			r = lb_err_set(c->err, EINVAL, "%s: %s is truncated zstd", c->what, c->where);
			break;
		}
	} while (zr);
	*consumed = ib.pos;
	ZSTD_freeDStream(ds);
	free(out);
	return r;
}
