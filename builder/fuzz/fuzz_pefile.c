// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the input is a capture kernel's PE file, walked as the
 * module walks it under lockdown (certificate table, signed ranges, PKCS#7
 * content, SpcIndirectDataContent), and also handed straight to the DER
 * readers. It must never crash, hang or touch memory outside the input,
 * and every range handed to the hash must lie inside the file (sections may
 * overlap each other: the format allows it and the digest just repeats them).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lifeboat/pefile.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

struct walk {
	const lb_u8 *file;
	lb_u64 len;
	lb_u64 total;
	lb_u32 sum;
};

static void check(int cond)
{
	if (!cond)
		abort();
}

static void within(const lb_u8 *p, lb_u64 n, const lb_u8 *base, lb_u64 len)
{
	check(p >= base && (lb_u64)(p - base) <= len && len - (lb_u64)(p - base) >= n);
}

static void hash(void *ctx, const lb_u8 *data, lb_u64 len)
{
	struct walk *w = ctx;
	lb_u64 i;

	within(data, len, w->file, w->len);
	for (i = 0; i < len; i++)
		w->sum += data[i];
	w->total += len;
}

static void spc(const lb_u8 *p, lb_u64 n)
{
	const lb_u8 *digest;
	struct lb_err err;
	int ret;

	ret = lb_pe_spc_digest(p, n, &digest, &err);
	if (ret)
		check(ret == -EBADMSG || ret == -ENOPKG);
	else
		within(digest, LB_PE_SHA256_SIZE, p, n);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct walk w = { .file = data, .len = size };
	const lb_u8 *content;
	lb_u64 content_len;
	struct lb_err err;
	struct lb_pe pe;
	int ret;

	spc(data, size);
	ret = lb_pe_pkcs7_content(data, size, &content, &content_len, &err);
	if (!ret) {
		within(content, content_len, data, size);
		spc(content, content_len);
	}

	ret = lb_pe_parse(data, size, &pe, &err);
	if (ret) {
		check(ret == -ENODATA || ret == -ELIBBAD || ret == -EBADMSG);
		check(!!memchr(err.msg, '\0', sizeof(err.msg)));
		return 0;
	}
	check(pe.cert_off % 8 == 0 && pe.cert_off >= pe.header_size);
	within(pe.pkcs7, pe.pkcs7_len, data + pe.cert_off, pe.cert_len);
	ret = lb_pe_digest(&pe, hash, &w, &err);
	if (ret)
		check(ret == -ELIBBAD);
	else
		/* The headers minus the checksum and the directory entry, at least. */
		check(w.total >= pe.header_size - 12);
	ret = lb_pe_pkcs7_content(pe.pkcs7, pe.pkcs7_len, &content, &content_len, &err);
	if (!ret) {
		within(content, content_len, pe.pkcs7, pe.pkcs7_len);
		spc(content, content_len);
	}
	return 0;
}
