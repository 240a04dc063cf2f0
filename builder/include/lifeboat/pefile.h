/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The capture kernel's Authenticode signature, as the image builder reads it:
 * the PE certificate table and its PKCS#7 SignedData, the ranges of the file
 * the signature's digest covers, and that digest as the signer recorded it
 * in SpcIndirectDataContent. Checking the PKCS#7 signature itself against
 * trusted keys is the caller's business (the module hands it to the kernel's
 * verify_pkcs7_signature()); so is the hash function, which the caller plugs
 * in. Pure computation on buffers, built into the module and on the host.
 *
 * Errors, each with a sentence:
 *   -ELIBBAD  the file's PE headers, sections or certificate table are malformed
 *   -ENODATA  a PE file without a signature (or no PE file at all)
 *   -EBADMSG  the signature wrapper or its DER content is malformed
 *   -ENOPKG   the signature uses a digest other than SHA-256
 */
#ifndef LIFEBOAT_PEFILE_H
#define LIFEBOAT_PEFILE_H

#include "lifeboat/err.h"
#include "shim.h"

enum {
	LB_PE_SHA256_SIZE = 32,
	LB_PE_MAX_SECTIONS = 96,	/* the Windows loader's limit, and ours */
};

/* What lb_pe_parse() found. Offsets are into the file; treat as opaque. */
struct lb_pe {
	const lb_u8 *file;
	lb_u64 len;
	lb_u64 header_size;	/* SizeOfHeaders */
	lb_u64 checksum_off;	/* the optional header's CheckSum */
	lb_u64 certdir_off;	/* data directory entry 4 */
	lb_u64 sections_off;	/* the section table */
	lb_u32 nr_sections;
	lb_u64 cert_off;	/* the certificate table */
	lb_u64 cert_len;
	const lb_u8 *pkcs7;	/* the PKCS#7 SignedData, padding trimmed */
	lb_u64 pkcs7_len;
};

/**
 * lb_pe_parse() - find the signature of a PE file
 * @buf: the file
 * @len: its length
 * @pe: filled on success
 * @err: the reason, on failure
 *
 * Return: 0; -ENODATA if there is no certificate table; -ELIBBAD or -EBADMSG
 * if the headers, the section table or the certificate's wrapper are bad.
 */
int lb_pe_parse(const void *buf, lb_u64 len, struct lb_pe *pe,
		struct lb_err *err);

/* Called with each range the digest covers, in order. */
typedef void (*lb_pe_hash_fn)(void *ctx, const lb_u8 *data, lb_u64 len);

/**
 * lb_pe_digest() - feed the signed ranges of a parsed file to a hash
 * @pe: from lb_pe_parse()
 * @hash: called once per range
 * @ctx: passed to @hash
 * @err: the reason, on failure
 *
 * The headers without the checksum and the certificate table's directory
 * entry, then each section's raw data in file order, then whatever lies
 * between the last section and the certificate table.
 *
 * Return: 0, or -ELIBBAD when a section lies outside the file.
 */
int lb_pe_digest(const struct lb_pe *pe, lb_pe_hash_fn hash, void *ctx,
		 struct lb_err *err);

/**
 * lb_pe_pkcs7_content() - the signed content of a PKCS#7 SignedData
 * @p7: the SignedData (ContentInfo) from lb_pe_parse()
 * @len: its length
 * @spc: on success, the SpcIndirectDataContent element, header included
 * @spc_len: its length
 * @err: the reason, on failure
 *
 * The kernel's PKCS#7 parser does this in the module; this is for the tools.
 *
 * Return: 0, or -EBADMSG.
 */
int lb_pe_pkcs7_content(const lb_u8 *p7, lb_u64 len, const lb_u8 **spc,
			lb_u64 *spc_len, struct lb_err *err);

/**
 * lb_pe_spc_digest() - the image digest the signer recorded
 * @spc: an SpcIndirectDataContent element, header included
 * @len: its length
 * @digest: on success, the LB_PE_SHA256_SIZE bytes of the SHA-256 digest
 * @err: the reason, on failure
 *
 * Return: 0; -EBADMSG if the element is malformed or not about a PE image;
 * -ENOPKG if the digest is not SHA-256.
 */
int lb_pe_spc_digest(const lb_u8 *spc, lb_u64 len, const lb_u8 **digest,
		     struct lb_err *err);

#endif /* LIFEBOAT_PEFILE_H */
