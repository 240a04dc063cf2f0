// SPDX-License-Identifier: GPL-2.0
/*
 * The capture kernel's Authenticode signature (builder/lib/pefile.c)
 * on the real guest kernel, which Debian signed, on a copy stripped and
 * signed again with sbsign and a key made here, and on malformed copies:
 * the digest we compute must be the one inside the signature, a changed
 * byte must change it, and every bad table is refused with its errno and
 * sentence. A SHA-256 of our own keeps the tests free of libcrypto.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/capture_fixture.h"
#include "internal.h"
#include "lifeboat/pefile.h"
#include "unit.h"

/* SHA-256 (FIPS 180-4), enough for the tests. */
struct sha256 {
	uint32_t h[8];
	uint8_t buf[64];
	uint64_t len;
};

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(struct sha256 *s, const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       w[i - 7] + (ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10));
	a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
	e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) +
		     sha256_k[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d;
	s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

static void sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, iv, sizeof(iv));
	s->len = 0;
}

static void sha256_update(void *ctx, const lb_u8 *p, lb_u64 n)
{
	struct sha256 *s = ctx;
	size_t fill = s->len % 64;

	s->len += n;
	while (n) {
		size_t take = 64 - fill < n ? 64 - fill : (size_t)n;

		memcpy(s->buf + fill, p, take);
		fill += take, p += take, n -= take;
		if (fill == 64) {
			sha256_block(s, s->buf);
			fill = 0;
		}
	}
}

static void sha256_final(struct sha256 *s, uint8_t out[32])
{
	uint64_t bits = s->len * 8;
	uint8_t pad[72] = { 0x80 };
	size_t padlen = 64 - (s->len + 8) % 64;
	int i;

	for (i = 0; i < 8; i++)
		pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(s, pad, padlen + 8);
	for (i = 0; i < 32; i++)
		out[i] = (uint8_t)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

START_TEST(pefile_sha256_known_answer)
{
	struct sha256 s;
	uint8_t out[32];
	static const uint8_t abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
		0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
		0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};

	sha256_init(&s);
	sha256_update(&s, (const lb_u8 *)"abc", 3);
	sha256_final(&s, out);
	ck_assert_mem_eq(out, abc, 32);
}
END_TEST

/* Our digest of a file and the one its signature carries. */
static int pe_digests(const uint8_t *file, size_t len, uint8_t ours[32],
		      uint8_t signed_[32], struct lb_err *err)
{
	const lb_u8 *spc, *dig;
	struct sha256 s;
	struct lb_pe pe;
	lb_u64 spc_len;
	int ret;

	ret = lb_pe_parse(file, len, &pe, err);
	if (ret)
		return ret;
	sha256_init(&s);
	ret = lb_pe_digest(&pe, sha256_update, &s, err);
	if (ret)
		return ret;
	sha256_final(&s, ours);
	ret = lb_pe_pkcs7_content(pe.pkcs7, pe.pkcs7_len, &spc, &spc_len, err);
	if (ret)
		return ret;
	ret = lb_pe_spc_digest(spc, spc_len, &dig, err);
	if (ret)
		return ret;
	memcpy(signed_, dig, 32);
	return 0;
}

static uint8_t *read_path(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	FILE *f = fopen(path, "rb");

	ck_assert_msg(f, "cannot open '%s'", path);
	ck_assert_int_eq(fstat(fileno(f), &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*len = (size_t)st.st_size;
	return buf;
}

START_TEST(pefile_debian_signature_matches)
{
	uint8_t ours[32], theirs[32];
	struct lb_err err = { "" };
	struct lb_pe pe;
	size_t len;
	uint8_t *file = cap_read_kernel(&len);
	int ret;

	ret = pe_digests(file, len, ours, theirs, &err);
	ck_assert_msg(ret == 0, "%d %s", ret, err.msg);
	ck_assert_mem_eq(ours, theirs, 32);
	/* The kernel's certificate table closes the file. */
	ck_assert_int_eq(lb_pe_parse(file, len, &pe, &err), 0);
	ck_assert_uint_eq(pe.cert_off + pe.cert_len, len);
	ck_assert_uint_eq(pe.pkcs7[0], 0x30);

	/* The checksum is not signed; a byte of any section is. */
	file[pe.checksum_off] ^= 0xff;
	ck_assert_int_eq(pe_digests(file, len, ours, theirs, &err), 0);
	ck_assert_mem_eq(ours, theirs, 32);
	file[pe.header_size + 0x1234] ^= 0x01;
	ck_assert_int_eq(pe_digests(file, len, ours, theirs, &err), 0);
	ck_assert_mem_ne(ours, theirs, 32);
	free(file);
}
END_TEST

/*
 * A key, the kernel stripped of Debian's signature, and a copy sbsign signed,
 * in a folder of their own that the test removes.
 */
static char workdir[64];

static void sbsign_cleanup(void)
{
	char cmd[128];

	if (!workdir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", workdir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", workdir);
	workdir[0] = '\0';
}

static void sbsign_fixture(void)
{
	char cmd[1024];
	const char *k = unit_kernel_image();

	ck_assert_msg(k && *k, "LIFEBOAT_KVMLINUZ is not set");
	if (workdir[0])
		return;
	strcpy(workdir, "/tmp/lifeboat-pefile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(workdir));
	snprintf(cmd, sizeof(cmd),
		 "cd %s && cp '%s' unsigned && sbattach --remove unsigned >/dev/null && "
		 "openssl req -new -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem "
		 "-days 2 -subj '/CN=Lifeboat test key/' >/dev/null 2>&1 && "
		 "sbsign --key key.pem --cert cert.pem --output signed unsigned >/dev/null 2>&1 && "
		 "sbverify --cert cert.pem signed >/dev/null 2>&1",
		 workdir, k);
	if (system(cmd) != 0) {
		sbsign_cleanup();
		ck_abort_msg("cannot sign a copy of the kernel with sbsign (are sbsigntool and openssl installed?)");
	}
}

START_TEST(pefile_sbsign_signature_matches)
{
	uint8_t ours[32], theirs[32];
	struct lb_err err = { "" };
	char path[128];
	struct lb_pe pe;
	uint8_t *file;
	size_t len;
	int ret;

	sbsign_fixture();
	snprintf(path, sizeof(path), "%s/signed", workdir);
	file = read_path(path, &len);
	ret = pe_digests(file, len, ours, theirs, &err);
	ck_assert_msg(ret == 0, "%d %s", ret, err.msg);
	ck_assert_mem_eq(ours, theirs, 32);
	ck_assert_int_eq(lb_pe_parse(file, len, &pe, &err), 0);
	file[pe.header_size + 0x4321] ^= 0x80;
	ck_assert_int_eq(pe_digests(file, len, ours, theirs, &err), 0);
	ck_assert_mem_ne(ours, theirs, 32);
	free(file);

	snprintf(path, sizeof(path), "%s/unsigned", workdir);
	file = read_path(path, &len);
	ck_assert_int_eq(lb_pe_parse(file, len, &pe, &err), -ENODATA);
	ck_assert_str_eq(err.msg, "no signature: the PE file's certificate table is empty");
	free(file);
	sbsign_cleanup();
}
END_TEST

/* Where the fields of the real kernel's headers are. */
struct pe_offs {
	size_t pe, opt, nr_dirs, certdir, sections, cert;
};

static void pe_offsets(const uint8_t *f, struct pe_offs *o)
{
	o->pe = lb_get32(f + 0x3c);
	o->opt = o->pe + 24;
	ck_assert_uint_eq(lb_get16(f + o->opt), 0x20b);
	o->nr_dirs = o->opt + 108;
	o->certdir = o->opt + 112 + 4 * 8;
	o->sections = o->opt + lb_get16(f + o->pe + 20);
	o->cert = lb_get32(f + o->certdir);
}

enum field { F_OPT_MAGIC, F_NR_SECTIONS, F_HEADER_SIZE, F_NR_DIRS, F_CERT_OFF,
	     F_CERT_LEN, F_WLEN, F_REVISION, F_TYPE, F_PKCS7_TAG, F_SEC2_PTR,
	     F_PE_SIG, F_CERT_SHIFT, F_NONE };

struct bad_case {
	const char *what;
	enum field field;
	uint32_t val;		/* or, with F_NONE, the length to cut the file to */
	int err;
	const char *msg;	/* must appear in the sentence */
};

static const struct bad_case bad_cases[] = {
	{ "tiny", F_NONE, 0x30, -ENODATA, "not a PE file (no \"MZ\" at 0)" },
	{ "no PE header", F_PE_SIG, 'X', -ENODATA, "no \"PE\" header at 0x40" },
	{ "optional header cut", F_NONE, 0xf0, -ELIBBAD,
	  "optional header of 160 bytes at 0x58 does not fit" },
	{ "headers cut", F_NONE, 0x800, -ELIBBAD,
	  "headers of 0x1000 bytes do not hold the section table (to 0x198) or exceed the file (2048 bytes)" },
	{ "certificate table cut", F_NONE, 0x7dd300, -ELIBBAD,
	  "certificate table [0x7dd200, +0x5c0) lies outside" },
	{ "bad magic", F_OPT_MAGIC, 0x107, -ELIBBAD,
	  "optional header magic 0x107 is neither PE32 nor PE32+" },
	{ "too many sections", F_NR_SECTIONS, 97, -ELIBBAD, "97 sections: at most 96" },
	{ "headers past the end", F_HEADER_SIZE, 0x7fffffff, -ELIBBAD,
	  "headers of 0x7fffffff bytes" },
	{ "no certificate directory", F_NR_DIRS, 4, -ENODATA,
	  "no certificate table directory (4 entries)" },
	{ "empty certificate table", F_CERT_LEN, 0, -ENODATA, "certificate table is empty" },
	{ "table inside the headers", F_CERT_OFF, 0x800, -ELIBBAD,
	  "certificate table [0x800, +0x5c0) lies outside [0x1000," },
	{ "unaligned table", F_CERT_SHIFT, 4, -ELIBBAD,
	  "certificate table at 0x7dd204 is not 8-byte aligned" },
	{ "wrapper too long", F_WLEN, 0x5c9, -EBADMSG,
	  "certificate length 1481 does not fill the 1472-byte table" },
	{ "wrapper too short", F_WLEN, 8, -EBADMSG, "certificate length 8 does not fill" },
	{ "bad revision", F_REVISION, 0x100, -EBADMSG,
	  "certificate revision 0x0100, expected 0x0200" },
	{ "bad type", F_TYPE, 1, -EBADMSG,
	  "certificate type 0x0001, expected 0x0002 (PKCS#7 SignedData)" },
	{ "not DER", F_PKCS7_TAG, 0x31, -EBADMSG,
	  "PKCS#7 ContentInfo has DER tag 0x31, expected 0x30" },
	{ "section past the end", F_SEC2_PTR, 0x7fff0000, -ELIBBAD,
	  "section 2 [0x7fff0000, +0x7d7000) lies outside the file" },
};

START_TEST(pefile_malformed_refused)
{
	const struct bad_case *c = &bad_cases[_i];
	struct lb_err err = { "" };
	struct pe_offs o;
	struct lb_pe pe;
	size_t len;
	uint8_t *f = cap_read_kernel(&len);
	int ret;

	pe_offsets(f, &o);
	ck_assert_uint_eq(o.cert, 0x7dd200);
	switch (c->field) {
	case F_NONE:
		len = c->val;
		break;
	case F_PE_SIG:
		f[o.pe] = (uint8_t)c->val;
		break;
	case F_OPT_MAGIC:
		lb_put16(f + o.opt, (lb_u16)c->val);
		break;
	case F_NR_SECTIONS:
		lb_put16(f + o.pe + 6, (lb_u16)c->val);
		break;
	case F_HEADER_SIZE:
		lb_put32(f + o.opt + 60, c->val);
		break;
	case F_NR_DIRS:
		lb_put32(f + o.nr_dirs, c->val);
		break;
	case F_CERT_OFF:
		lb_put32(f + o.certdir, c->val);
		break;
	case F_CERT_SHIFT:
		lb_put32(f + o.certdir, (uint32_t)o.cert + c->val);
		lb_put32(f + o.certdir + 4, lb_get32(f + o.certdir + 4) - c->val);
		break;
	case F_CERT_LEN:
		lb_put32(f + o.certdir + 4, c->val);
		break;
	case F_WLEN:
		lb_put32(f + o.cert, c->val);
		break;
	case F_REVISION:
		lb_put16(f + o.cert + 4, (lb_u16)c->val);
		break;
	case F_TYPE:
		lb_put16(f + o.cert + 6, (lb_u16)c->val);
		break;
	case F_PKCS7_TAG:
		f[o.cert + 8] = (uint8_t)c->val;
		break;
	case F_SEC2_PTR:
		lb_put32(f + o.sections + 2 * 40 + 20, c->val);
		break;
	}
	ret = lb_pe_parse(f, len, &pe, &err);
	/* A section's place is checked when the digest gets there. */
	if (c->field == F_SEC2_PTR) {
		struct sha256 s;

		ck_assert_msg(ret == 0, "%s: parse failed: %d %s", c->what, ret, err.msg);
		sha256_init(&s);
		ret = lb_pe_digest(&pe, sha256_update, &s, &err);
	}
	ck_assert_msg(ret == c->err, "%s: got %d (%s), expected %d", c->what, ret,
		      err.msg, c->err);
	ck_assert_msg(strstr(err.msg, c->msg), "%s: \"%s\" lacks \"%s\"", c->what,
		      err.msg, c->msg);
	free(f);
}
END_TEST

/* The SpcIndirectDataContent of the real kernel, to be spoilt. */
static uint8_t *kernel_spc(size_t *spc_len, uint8_t **file)
{
	struct lb_err err = { "" };
	const lb_u8 *spc;
	struct lb_pe pe;
	lb_u64 n;
	size_t len;
	uint8_t *copy;

	*file = cap_read_kernel(&len);
	ck_assert_int_eq(lb_pe_parse(*file, len, &pe, &err), 0);
	ck_assert_int_eq(lb_pe_pkcs7_content(pe.pkcs7, pe.pkcs7_len, &spc, &n, &err), 0);
	copy = malloc(n);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, spc, n);
	*spc_len = n;
	return copy;
}

static const uint8_t oid_sha256[] = { 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
				      0x03, 0x04, 0x02, 0x01 };
static const uint8_t oid_pe_image[] = { 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01,
					0x82, 0x37, 0x02, 0x01, 0x0f };

static uint8_t *find(uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
	uint8_t *p = memmem(hay, n, needle, m);

	ck_assert_ptr_nonnull(p);
	return p;
}

START_TEST(pefile_spc_refusals)
{
	struct lb_err err = { "" };
	const lb_u8 *dig;
	uint8_t *file, *spc, *p;
	size_t n;

	spc = kernel_spc(&n, &file);
	ck_assert_int_eq(lb_pe_spc_digest(spc, n, &dig, &err), 0);

	p = find(spc, n, oid_sha256, sizeof(oid_sha256));
	p[10] = 0x02;
	ck_assert_int_eq(lb_pe_spc_digest(spc, n, &dig, &err), -ENOPKG);
	ck_assert_str_eq(err.msg, "signature: the image digest is SHA-384: only SHA-256 is supported");
	p[10] = 0x7f;
	ck_assert_int_eq(lb_pe_spc_digest(spc, n, &dig, &err), -ENOPKG);
	ck_assert_str_eq(err.msg,
			 "signature: the image digest uses an unknown algorithm: only SHA-256 is supported");
	p[10] = 0x01;

	p = find(spc, n, oid_pe_image, sizeof(oid_pe_image));
	p[11] = 0x0e;
	ck_assert_int_eq(lb_pe_spc_digest(spc, n, &dig, &err), -EBADMSG);
	ck_assert_str_eq(err.msg, "signature: the signed data is not a PE image (SpcPeImageData)");
	p[11] = 0x0f;

	ck_assert_int_eq(lb_pe_spc_digest(spc, n - 1, &dig, &err), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(err.msg, "runs past its container"));
	ck_assert_int_eq(lb_pe_spc_digest(spc, 1, &dig, &err), -EBADMSG);
	ck_assert_str_eq(err.msg, "signature: SpcIndirectDataContent is truncated");
	free(spc);
	free(file);
}
END_TEST

/* A small PE32+ with sections out of file order: the ranges come sorted. */
struct range_log {
	size_t nr;
	lb_u64 off[16];
	lb_u64 len[16];
	const lb_u8 *base;
};

static void log_range(void *ctx, const lb_u8 *data, lb_u64 len)
{
	struct range_log *l = ctx;

	ck_assert_uint_lt(l->nr, 16);
	l->off[l->nr] = (lb_u64)(data - l->base);
	l->len[l->nr++] = len;
}

START_TEST(pefile_ranges_in_file_order)
{
	static const struct { uint32_t size, ptr; } secs[] = {
		{ 0x100, 0x500 }, { 0, 0 }, { 0x200, 0x200 }, { 0x100, 0x400 },
	};
	uint8_t f[0x800 + 0x18] = { 'M', 'Z' };
	struct range_log l = { .base = f };
	struct lb_err err = { "" };
	struct lb_pe pe;
	size_t i;

	lb_put32(f + 0x3c, 0x40);
	memcpy(f + 0x40, "PE\0\0", 4);
	lb_put16(f + 0x46, LB_ARRAY_SIZE(secs));
	lb_put16(f + 0x54, 240);			/* optional header size */
	lb_put16(f + 0x58, 0x20b);
	lb_put32(f + 0x58 + 60, 0x200);			/* SizeOfHeaders */
	lb_put32(f + 0x58 + 108, 16);
	lb_put32(f + 0x58 + 112 + 32, 0x800);		/* certificate table */
	lb_put32(f + 0x58 + 112 + 36, 0x18);
	for (i = 0; i < LB_ARRAY_SIZE(secs); i++) {
		lb_put32(f + 0x148 + 40 * i + 16, secs[i].size);
		lb_put32(f + 0x148 + 40 * i + 20, secs[i].ptr);
	}
	/* 0x600..0x800 is trailing data; then a WIN_CERTIFICATE of 0x14 bytes. */
	lb_put32(f + 0x800, 0x14);
	lb_put16(f + 0x804, 0x200);
	lb_put16(f + 0x806, 2);
	memcpy(f + 0x808, "\x30\x03\x06\x01\x00", 5);

	ck_assert_int_eq(lb_pe_parse(f, sizeof(f), &pe, &err), 0);
	ck_assert_uint_eq(pe.pkcs7_len, 5);
	ck_assert_int_eq(lb_pe_digest(&pe, log_range, &l, &err), 0);
	ck_assert_uint_eq(l.nr, 7);
	ck_assert_uint_eq(l.off[0], 0);
	ck_assert_uint_eq(l.len[0], 0x58 + 64);		/* up to CheckSum */
	ck_assert_uint_eq(l.off[1], 0x58 + 68);
	ck_assert_uint_eq(l.len[1], 112 + 32 - 68);	/* up to the directory entry */
	ck_assert_uint_eq(l.off[2], 0x58 + 112 + 40);
	ck_assert_uint_eq(l.off[2] + l.len[2], 0x200);
	ck_assert_uint_eq(l.off[3], 0x200);
	ck_assert_uint_eq(l.len[3], 0x200);
	ck_assert_uint_eq(l.off[4], 0x400);
	ck_assert_uint_eq(l.off[5], 0x500);
	ck_assert_uint_eq(l.off[6], 0x600);
	ck_assert_uint_eq(l.len[6], 0x200);

	/* A table that is not the last thing in the file leaves no room. */
	lb_put32(f + 0x148 + 20, 0x700);
	lb_put32(f + 0x148 + 16, 0x100);
	lb_put32(f + 0x148 + 40 * 2 + 16, 0x410);
	l.nr = 0;
	ck_assert_int_eq(lb_pe_digest(&pe, log_range, &l, &err), -ELIBBAD);
	ck_assert_str_eq(err.msg,
			 "PE: 2064 bytes of headers and sections leave no room for the 24-byte certificate table in 2072 bytes");
}
END_TEST

static Suite *pefile_suite(void)
{
	Suite *s = suite_create("capture_pefile");
	TCase *tc = tcase_create("pefile");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, pefile_sha256_known_answer);
	tcase_add_test(tc, pefile_debian_signature_matches);
	tcase_add_test(tc, pefile_sbsign_signature_matches);
	tcase_add_loop_test(tc, pefile_malformed_refused, 0, LB_ARRAY_SIZE(bad_cases));
	tcase_add_test(tc, pefile_spc_refusals);
	tcase_add_test(tc, pefile_ranges_in_file_order);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(pefile_suite)
