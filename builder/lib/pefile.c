// SPDX-License-Identifier: GPL-2.0
/*
 * Authenticode on the capture kernel: an x86 bzImage is also a PE file, and
 * a signed one carries a PKCS#7 SignedData in its certificate table (data
 * directory 4), whose content, SpcIndirectDataContent, holds a digest of the
 * file minus the parts that change when it is signed. Here we find that
 * signature, walk the signed ranges for the caller's hash, and read the
 * digest back out of the DER, following the "Windows Authenticode Portable
 * Executable Signature Format" and the PE/COFF specification. The file comes
 * from the user: every offset and length is checked against it before use.
 */
#include "internal.h"
#include "lifeboat/pefile.h"

/* Offsets in the MS-DOS, COFF and optional headers, and a section header. */
enum {
	LB_MZ_LFANEW = 0x3c,
	LB_COFF_NR_SECTIONS = 6,	/* after the "PE\0\0" signature */
	LB_COFF_OPT_SIZE = 20,
	LB_COFF_SIZE = 24,		/* signature and COFF header */
	LB_OPT_MAGIC = 0,
	LB_OPT_HEADER_SIZE = 60,	/* SizeOfHeaders, PE32 and PE32+ */
	LB_OPT_CHECKSUM = 64,
	LB_OPT32_NR_DIRS = 92,
	LB_OPT64_NR_DIRS = 108,
	LB_DIR_CERT = 4,		/* the certificate table */
	LB_DIR_SIZE = 8,
	LB_SEC_SIZE = 40,
	LB_SEC_RAW_SIZE = 16,
	LB_SEC_RAW_PTR = 20,
	LB_PE32_MAGIC = 0x10b,
	LB_PE32P_MAGIC = 0x20b,
	/* WIN_CERTIFICATE */
	LB_WIN_CERT_HDR = 8,
	LB_WIN_CERT_REVISION = 0x0200,
	LB_WIN_CERT_PKCS_SIGNED_DATA = 0x0002,
	/* DER tags */
	LB_DER_INTEGER = 0x02,
	LB_DER_OCTET_STRING = 0x04,
	LB_DER_OID = 0x06,
	LB_DER_SEQUENCE = 0x30,
	LB_DER_SET = 0x31,
	LB_DER_CONTEXT0 = 0xa0,
};

/* One DER element. */
struct der {
	lb_u8 tag;
	const lb_u8 *start;	/* the header */
	const lb_u8 *val;
	lb_u64 len;		/* of val */
	lb_u64 total;		/* header and value */
};

/*
 * Read the element at *off in [buf, buf + len) and step over it. Definite
 * lengths of up to four bytes only: DER has nothing else, and no signature
 * is 4 GiB.
 */
static int der_read(const lb_u8 *buf, lb_u64 len, lb_u64 *off, lb_u8 tag,
		    struct der *d, const char *what, struct lb_err *err)
{
	lb_u64 o = *off, vlen;
	lb_u8 n;

	if (len - o < 2)
		return lb_err_set(err, EBADMSG, "signature: %s is truncated", what);
	d->start = buf + o;
	d->tag = buf[o++];
	if (tag && d->tag != tag)
		return lb_err_set(err, EBADMSG,
				  "signature: %s has DER tag 0x%02x, expected 0x%02x",
				  what, d->tag, tag);
	n = buf[o++];
	if (n & 0x80) {
		n &= 0x7f;
		if (!n || n > 4)
			return lb_err_set(err, EBADMSG,
					  "signature: %s has an unsupported DER length form", what);
		if (len - o < n)
			return lb_err_set(err, EBADMSG, "signature: %s is truncated", what);
		for (vlen = 0; n; n--)
			vlen = (vlen << 8) | buf[o++];
	} else {
		vlen = n;
	}
	if (len - o < vlen)
		return lb_err_set(err, EBADMSG,
				  "signature: %s of %llu bytes runs past its container",
				  what, (unsigned long long)vlen);
	d->val = buf + o;
	d->len = vlen;
	d->total = o + vlen - *off;
	*off = o + vlen;
	return 0;
}

int lb_pe_parse(const void *buf, lb_u64 len, struct lb_pe *pe,
		struct lb_err *err)
{
	const lb_u8 *f = buf;
	lb_u64 pe_off, opt_off, opt_size, nr_dirs_off, dirs_off, sec_end;
	lb_u64 off;
	lb_u32 nr_dirs, wlen;
	struct der d;
	lb_u16 magic;
	int ret;

	memset(pe, 0, sizeof(*pe));
	if (!f || len < LB_MZ_LFANEW + 4 || f[0] != 'M' || f[1] != 'Z')
		return lb_err_set(err, ENODATA,
				  "no signature: not a PE file (no \"MZ\" at 0)");
	pe_off = lb_get32(f + LB_MZ_LFANEW);
	if (pe_off > len || len - pe_off < LB_COFF_SIZE ||
	    memcmp(f + pe_off, "PE\0\0", 4))
		return lb_err_set(err, ENODATA,
				  "no signature: not a PE file (no \"PE\" header at 0x%llx)",
				  (unsigned long long)pe_off);
	opt_off = pe_off + LB_COFF_SIZE;
	opt_size = lb_get16(f + pe_off + LB_COFF_OPT_SIZE);
	pe->nr_sections = lb_get16(f + pe_off + LB_COFF_NR_SECTIONS);
	if (opt_size < LB_OPT_CHECKSUM + 4 || len - opt_off < opt_size)
		return lb_err_set(err, ELIBBAD,
				  "PE: optional header of %llu bytes at 0x%llx does not fit",
				  (unsigned long long)opt_size,
				  (unsigned long long)opt_off);
	magic = lb_get16(f + opt_off + LB_OPT_MAGIC);
	if (magic == LB_PE32P_MAGIC)
		nr_dirs_off = LB_OPT64_NR_DIRS;
	else if (magic == LB_PE32_MAGIC)
		nr_dirs_off = LB_OPT32_NR_DIRS;
	else
		return lb_err_set(err, ELIBBAD,
				  "PE: optional header magic 0x%x is neither PE32 nor PE32+",
				  magic);
	dirs_off = nr_dirs_off + 4;
	if (opt_size < dirs_off)
		return lb_err_set(err, ELIBBAD,
				  "PE: optional header of %llu bytes has no data directories",
				  (unsigned long long)opt_size);
	nr_dirs = lb_get32(f + opt_off + nr_dirs_off);
	if (nr_dirs <= LB_DIR_CERT ||
	    opt_size < dirs_off + (LB_DIR_CERT + 1) * LB_DIR_SIZE)
		return lb_err_set(err, ENODATA,
				  "no signature: the PE file has no certificate table directory (%u entries)",
				  nr_dirs);
	pe->file = f;
	pe->len = len;
	pe->checksum_off = opt_off + LB_OPT_CHECKSUM;
	pe->certdir_off = opt_off + dirs_off + LB_DIR_CERT * LB_DIR_SIZE;
	pe->sections_off = opt_off + opt_size;
	pe->header_size = lb_get32(f + opt_off + LB_OPT_HEADER_SIZE);
	if (pe->nr_sections > LB_PE_MAX_SECTIONS)
		return lb_err_set(err, ELIBBAD, "PE: %u sections: at most %d",
				  pe->nr_sections, LB_PE_MAX_SECTIONS);
	sec_end = pe->sections_off + (lb_u64)pe->nr_sections * LB_SEC_SIZE;
	if (pe->header_size > len || sec_end > pe->header_size)
		return lb_err_set(err, ELIBBAD,
				  "PE: headers of 0x%llx bytes do not hold the section table (to 0x%llx) or exceed the file (%llu bytes)",
				  (unsigned long long)pe->header_size,
				  (unsigned long long)sec_end,
				  (unsigned long long)len);

	pe->cert_off = lb_get32(f + pe->certdir_off);
	pe->cert_len = lb_get32(f + pe->certdir_off + 4);
	if (!pe->cert_len)
		return lb_err_set(err, ENODATA,
				  "no signature: the PE file's certificate table is empty");
	if (pe->cert_off < pe->header_size || pe->cert_off > len ||
	    len - pe->cert_off < pe->cert_len)
		return lb_err_set(err, ELIBBAD,
				  "PE: certificate table [0x%llx, +0x%llx) lies outside [0x%llx, %llu)",
				  (unsigned long long)pe->cert_off,
				  (unsigned long long)pe->cert_len,
				  (unsigned long long)pe->header_size,
				  (unsigned long long)len);
	if (pe->cert_off % 8)
		return lb_err_set(err, ELIBBAD,
				  "PE: certificate table at 0x%llx is not 8-byte aligned",
				  (unsigned long long)pe->cert_off);

	/* One WIN_CERTIFICATE, padded to 8 bytes, fills the table. */
	if (pe->cert_len < LB_WIN_CERT_HDR)
		return lb_err_set(err, EBADMSG,
				  "signature: certificate table of %llu bytes is shorter than its header",
				  (unsigned long long)pe->cert_len);
	wlen = lb_get32(f + pe->cert_off);
	if (wlen <= LB_WIN_CERT_HDR || LB_ALIGN_UP((lb_u64)wlen, 8) != pe->cert_len)
		return lb_err_set(err, EBADMSG,
				  "signature: certificate length %u does not fill the %llu-byte table",
				  wlen, (unsigned long long)pe->cert_len);
	if (lb_get16(f + pe->cert_off + 4) != LB_WIN_CERT_REVISION)
		return lb_err_set(err, EBADMSG,
				  "signature: certificate revision 0x%04x, expected 0x0200",
				  lb_get16(f + pe->cert_off + 4));
	if (lb_get16(f + pe->cert_off + 6) != LB_WIN_CERT_PKCS_SIGNED_DATA)
		return lb_err_set(err, EBADMSG,
				  "signature: certificate type 0x%04x, expected 0x0002 (PKCS#7 SignedData)",
				  lb_get16(f + pe->cert_off + 6));
	pe->pkcs7 = f + pe->cert_off + LB_WIN_CERT_HDR;
	pe->pkcs7_len = wlen - LB_WIN_CERT_HDR;
	/* Some signers count their padding in the length: trust the DER's own. */
	off = 0;
	ret = der_read(pe->pkcs7, pe->pkcs7_len, &off, LB_DER_SEQUENCE, &d,
		       "PKCS#7 ContentInfo", err);
	if (ret)
		return ret;
	pe->pkcs7_len = d.total;
	return 0;
}

/* The section header of the next section in file order after (prev_ptr, prev_idx). */
static int pe_next_section(const struct lb_pe *pe, lb_u64 prev_ptr,
			   lb_u32 prev_idx, lb_u32 *idx)
{
	lb_u64 best_ptr = 0;
	int found = 0;
	lb_u32 i;

	for (i = 0; i < pe->nr_sections; i++) {
		const lb_u8 *s = pe->file + pe->sections_off + (lb_u64)i * LB_SEC_SIZE;
		lb_u64 ptr = lb_get32(s + LB_SEC_RAW_PTR);

		if (!lb_get32(s + LB_SEC_RAW_SIZE))
			continue;
		/* Order by (file offset, index): equal offsets keep table order. */
		if (prev_idx != (lb_u32)-1 &&
		    (ptr < prev_ptr || (ptr == prev_ptr && i <= prev_idx)))
			continue;
		if (!found || ptr < best_ptr) {
			best_ptr = ptr;
			*idx = i;
			found = 1;
		}
	}
	return found;
}

int lb_pe_digest(const struct lb_pe *pe, lb_pe_hash_fn hash, void *ctx,
		 struct lb_err *err)
{
	const lb_u8 *f = pe->file;
	lb_u64 hashed, ptr = 0, size, after_dir;
	lb_u32 idx = (lb_u32)-1, next;

	/*
	 * The three ranges of the headers first: the checksum and the
	 * certificate table's entry change when the file is signed.
	 */
	hash(ctx, f, pe->checksum_off);
	hash(ctx, f + pe->checksum_off + 4, pe->certdir_off - (pe->checksum_off + 4));
	after_dir = pe->certdir_off + LB_DIR_SIZE;
	hash(ctx, f + after_dir, pe->header_size - after_dir);
	hashed = pe->header_size;

	while (pe_next_section(pe, ptr, idx, &next)) {
		const lb_u8 *s = f + pe->sections_off + (lb_u64)next * LB_SEC_SIZE;

		ptr = lb_get32(s + LB_SEC_RAW_PTR);
		size = lb_get32(s + LB_SEC_RAW_SIZE);
		idx = next;
		if (ptr > pe->len || pe->len - ptr < size)
			return lb_err_set(err, ELIBBAD,
					  "PE: section %u [0x%llx, +0x%llx) lies outside the file (%llu bytes)",
					  next, (unsigned long long)ptr,
					  (unsigned long long)size,
					  (unsigned long long)pe->len);
		hash(ctx, f + ptr, size);
		hashed += size;
	}

	/* What follows the sections, up to the certificate table at the end. */
	if (pe->len > hashed) {
		if (pe->len - hashed < pe->cert_len)
			return lb_err_set(err, ELIBBAD,
					  "PE: %llu bytes of headers and sections leave no room for the %llu-byte certificate table in %llu bytes",
					  (unsigned long long)hashed,
					  (unsigned long long)pe->cert_len,
					  (unsigned long long)pe->len);
		hash(ctx, f + hashed, pe->len - hashed - pe->cert_len);
	}
	return 0;
}

static bool der_oid_is(const struct der *d, const lb_u8 *oid, lb_u64 len)
{
	return d->len == len && !memcmp(d->val, oid, len);
}

static const lb_u8 oid_signed_data[] = {	/* 1.2.840.113549.1.7.2 */
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02
};

static const lb_u8 oid_spc_indirect_data[] = {	/* 1.3.6.1.4.1.311.2.1.4 */
	0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x04
};

static const lb_u8 oid_spc_pe_image_data[] = {	/* 1.3.6.1.4.1.311.2.1.15 */
	0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x0f
};

static const lb_u8 oid_sha256[] = {		/* 2.16.840.1.101.3.4.2.1 */
	0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01
};

/* Digests we can name when we refuse them. */
static const struct {
	const char *name;
	lb_u8 len;
	lb_u8 oid[9];
} other_digests[] = {
	{ "SHA-1", 5, { 0x2b, 0x0e, 0x03, 0x02, 0x1a } },
	{ "MD5", 8, { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05 } },
	{ "SHA-384", 9, { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02 } },
	{ "SHA-512", 9, { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03 } },
	{ "SHA-224", 9, { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04 } },
};

int lb_pe_pkcs7_content(const lb_u8 *p7, lb_u64 len, const lb_u8 **spc,
			lb_u64 *spc_len, struct lb_err *err)
{
	struct der ci, oid, exp, sd, d, eci, spcd;
	lb_u64 off = 0;
	int ret;

	/* ContentInfo { contentType, [0] SignedData } */
	ret = der_read(p7, len, &off, LB_DER_SEQUENCE, &ci, "ContentInfo", err);
	if (ret)
		return ret;
	off = 0;
	ret = der_read(ci.val, ci.len, &off, LB_DER_OID, &oid, "contentType", err);
	if (!ret && !der_oid_is(&oid, oid_signed_data, sizeof(oid_signed_data)))
		ret = lb_err_set(err, EBADMSG, "signature: not a PKCS#7 SignedData");
	if (!ret)
		ret = der_read(ci.val, ci.len, &off, LB_DER_CONTEXT0, &exp, "[0] content", err);
	if (ret)
		return ret;
	/* SignedData { version, digestAlgorithms, encapContentInfo, ... } */
	off = 0;
	ret = der_read(exp.val, exp.len, &off, LB_DER_SEQUENCE, &sd, "SignedData", err);
	if (ret)
		return ret;
	off = 0;
	ret = der_read(sd.val, sd.len, &off, LB_DER_INTEGER, &d, "version", err);
	if (!ret)
		ret = der_read(sd.val, sd.len, &off, LB_DER_SET, &d, "digestAlgorithms", err);
	if (!ret)
		ret = der_read(sd.val, sd.len, &off, LB_DER_SEQUENCE, &eci,
			       "encapContentInfo", err);
	if (ret)
		return ret;
	off = 0;
	ret = der_read(eci.val, eci.len, &off, LB_DER_OID, &oid, "eContentType", err);
	if (!ret && !der_oid_is(&oid, oid_spc_indirect_data, sizeof(oid_spc_indirect_data)))
		ret = lb_err_set(err, EBADMSG,
				 "signature: the signed content is not SpcIndirectDataContent (not Authenticode)");
	if (!ret)
		ret = der_read(eci.val, eci.len, &off, LB_DER_CONTEXT0, &exp, "[0] eContent", err);
	if (ret)
		return ret;
	off = 0;
	ret = der_read(exp.val, exp.len, &off, LB_DER_SEQUENCE, &spcd,
		       "SpcIndirectDataContent", err);
	if (ret)
		return ret;
	*spc = spcd.start;
	*spc_len = spcd.total;
	return 0;
}

int lb_pe_spc_digest(const lb_u8 *spc, lb_u64 len, const lb_u8 **digest,
		     struct lb_err *err)
{
	struct der top, data, type, info, alg, oid, dig;
	lb_u64 off = 0;
	unsigned int i;
	int ret;

	/*
	 * SpcIndirectDataContent { data { type, value }, messageDigest {
	 * digestAlgorithm { algorithm, parameters }, digest } }
	 */
	ret = der_read(spc, len, &off, LB_DER_SEQUENCE, &top, "SpcIndirectDataContent", err);
	if (ret)
		return ret;
	off = 0;
	ret = der_read(top.val, top.len, &off, LB_DER_SEQUENCE, &data,
		       "SpcAttributeTypeAndOptionalValue", err);
	if (!ret)
		ret = der_read(top.val, top.len, &off, LB_DER_SEQUENCE, &info, "DigestInfo", err);
	if (ret)
		return ret;
	off = 0;
	ret = der_read(data.val, data.len, &off, LB_DER_OID, &type, "the data type", err);
	if (ret)
		return ret;
	if (!der_oid_is(&type, oid_spc_pe_image_data, sizeof(oid_spc_pe_image_data)))
		return lb_err_set(err, EBADMSG,
				  "signature: the signed data is not a PE image (SpcPeImageData)");
	off = 0;
	ret = der_read(info.val, info.len, &off, LB_DER_SEQUENCE, &alg, "digestAlgorithm", err);
	if (!ret)
		ret = der_read(info.val, info.len, &off, LB_DER_OCTET_STRING, &dig, "digest", err);
	if (ret)
		return ret;
	off = 0;
	ret = der_read(alg.val, alg.len, &off, LB_DER_OID, &oid, "the digest algorithm", err);
	if (ret)
		return ret;
	if (!der_oid_is(&oid, oid_sha256, sizeof(oid_sha256))) {
		for (i = 0; i < LB_ARRAY_SIZE(other_digests); i++)
			if (der_oid_is(&oid, other_digests[i].oid, other_digests[i].len))
				return lb_err_set(err, ENOPKG,
						  "signature: the image digest is %s: only SHA-256 is supported",
						  other_digests[i].name);
		return lb_err_set(err, ENOPKG,
				  "signature: the image digest uses an unknown algorithm: only SHA-256 is supported");
	}
	if (dig.len != LB_PE_SHA256_SIZE)
		return lb_err_set(err, EBADMSG,
				  "signature: SHA-256 digest of %llu bytes, expected 32",
				  (unsigned long long)dig.len);
	*digest = dig.val;
	return 0;
}
