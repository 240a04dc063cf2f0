// SPDX-License-Identifier: GPL-2.0
/*
 * Lockdown: a locked-down kernel lets kexec_file_load() start only a kernel
 * whose Authenticode signature verifies against the keys it trusts for kexec,
 * and so do we. The image builder (builder/lib/pefile.c) finds the
 * signature and the signed ranges of our private copy of the capture kernel;
 * here the kernel's SHA-256 hashes them and verify_pkcs7_signature() checks
 * the PKCS#7 against the secondary keyring, then, when it knows no such key,
 * the platform keyring, as kexec does. The signature is checked at every load
 * and the answer kept, so that arming after lockdown was raised can tell.
 * Nothing here runs on the panic path: all of it may sleep.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/sha2.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/security.h>
#include <linux/sizes.h>
#include <linux/verification.h>

#include "internal.h"
#include "live.h"
#include "lifeboat/pefile.h"

struct lb_sig_ctx {
	u8 digest[SHA256_DIGEST_SIZE];
	struct lb_err *err;
};

static void lb_sig_hash(void *ctx, const lb_u8 *data, lb_u64 len)
{
	struct sha256_state *st = ctx;
	unsigned int n;

	/* A kernel is tens of MiB: let others run between mebibytes. */
	while (len) {
		n = min_t(u64, len, SZ_1M);
		sha256_update(st, data, n);
		data += n;
		len -= n;
		cond_resched();
	}
}

#ifdef CONFIG_SYSTEM_DATA_VERIFICATION
/*
 * Called by verify_pkcs7_signature() once the PKCS#7 is good and its signer
 * trusted, with the content it signed: SpcIndirectDataContent, whose header
 * precedes @data by @hdrlen bytes.
 */
static int lb_sig_view(void *ctx, const void *data, size_t len, size_t hdrlen)
{
	struct lb_sig_ctx *c = ctx;
	const lb_u8 *digest;
	int ret;

	ret = lb_pe_spc_digest((const u8 *)data - hdrlen, len + hdrlen, &digest,
			       c->err);
	if (ret)
		return ret;
	if (memcmp(digest, c->digest, SHA256_DIGEST_SIZE))
		return lb_err_set(c->err, EKEYREJECTED,
				  "the file's SHA-256 does not match the signed one: it was changed after it was signed");
	return 0;
}

static int lb_sig_pkcs7(const struct lb_pe *pe, struct lb_sig_ctx *c,
			const char **keyring)
{
	int ret;

	ret = verify_pkcs7_signature(NULL, 0, pe->pkcs7, pe->pkcs7_len,
				     VERIFY_USE_SECONDARY_KEYRING,
				     VERIFYING_KEXEC_PE_SIGNATURE, lb_sig_view, c);
	if (!ret) {
		*keyring = "secondary";
		return 0;
	}
	if (ret != -ENOKEY)
		return ret;
	ret = verify_pkcs7_signature(NULL, 0, pe->pkcs7, pe->pkcs7_len,
				     VERIFY_USE_PLATFORM_KEYRING,
				     VERIFYING_KEXEC_PE_SIGNATURE, lb_sig_view, c);
	if (!ret)
		*keyring = "platform";
	return ret;
}
#else
static int lb_sig_pkcs7(const struct lb_pe *pe, struct lb_sig_ctx *c,
			const char **keyring)
{
	return lb_err_set(c->err, ENOPKG,
			  "this kernel cannot check signatures (no CONFIG_SYSTEM_DATA_VERIFICATION)");
}
#endif

/**
 * lb_sig_verify() - check the capture kernel's signature as kexec would
 * @kernel: our private copy of the capture kernel
 * @len: its length
 * @keyring: the keyring that vouched for it; NULL unless it verifies
 * @err: the reason, on failure
 *
 * Context: process context, may sleep; no lock needed.
 * Return: 0 when the signature verifies; -ENODATA (not signed), -ELIBBAD (a
 * malformed PE file), -EBADMSG (a malformed signature), -ENOPKG (a digest
 * other than SHA-256, or an algorithm the kernel lacks), -ENOKEY (signed by
 * a key neither keyring holds), -EKEYREJECTED (the signature or the image
 * digest does not match), or what else verify_pkcs7_signature() returns.
 */
int lb_sig_verify(const void *kernel, u64 len, const char **keyring,
		  struct lb_err *err)
{
	struct lb_sig_ctx c = { .err = err };
	struct sha256_state st;
	struct lb_pe pe;
	int ret;

	*keyring = NULL;
	ret = lb_pe_parse(kernel, len, &pe, err);
	if (ret)
		return ret;
	sha256_init(&st);
	ret = lb_pe_digest(&pe, lb_sig_hash, &st, err);
	if (ret)
		return ret;
	sha256_final(&st, c.digest);

	err->msg[0] = '\0';
	ret = lb_sig_pkcs7(&pe, &c, keyring);
	if (!ret || err->msg[0])
		return ret;
	switch (ret) {
	case -ENOKEY:
		return lb_err_set(err, ENOKEY,
				  "it is not signed by a key the kernel trusts for kexec (secondary or platform keyring)");
	case -EKEYREJECTED:
		return lb_err_set(err, EKEYREJECTED,
				  "its PKCS#7 signature does not verify (or is not an Authenticode signature)");
	case -EBADMSG:
		return lb_err_set(err, EBADMSG, "its PKCS#7 signature is malformed");
	case -ENOPKG:
		return lb_err_set(err, ENOPKG,
				  "its signature uses an algorithm this kernel lacks");
	default:
		return lb_err_set(err, -ret, "its signature cannot be checked (error %d)", ret);
	}
}

/**
 * lb_sig_allowed() - may an image whose check gave @verify_ret be loaded?
 * @verify_ret: what lb_sig_verify() returned
 * @why: its reason, when it failed
 * @err: the reason, if not
 *
 * Context: process context, lb_mutex held, right before the commit.
 * Return: 0, or @verify_ret when the kernel is locked down.
 */
int lb_sig_allowed(int verify_ret, const struct lb_err *why, struct lb_err *err)
{
	if (!verify_ret)
		return 0;
	/* The kernel logs its own line on this refusal, as for kexec. */
	if (!security_locked_down(LOCKDOWN_KEXEC)) {
		pr_debug("capture kernel not verified: %s\n", why->msg);
		return 0;
	}
	pr_err("refusing the capture kernel under lockdown: %s\n", why->msg);
	return lb_err_set(err, -verify_ret,
			  "the kernel is locked down and the capture kernel's signature does not verify: %s",
			  why->msg);
}

/**
 * lb_sig_arm_check() - may the loaded image be armed under lockdown?
 * @err: the reason, if not
 *
 * Lockdown may have been raised after the image was loaded.
 *
 * Context: process context, lb_mutex held, an image loaded.
 * Return: 0, or -EPERM when locked down and the image was not verified.
 */
int lb_sig_arm_check(struct lb_err *err)
{
	if (lb_live.sig_keyring || !security_locked_down(LOCKDOWN_KEXEC))
		return 0;
	pr_err("refusing to arm under lockdown: the loaded capture kernel was not verified\n");
	return lb_err_set(err, EPERM,
			  "the kernel is locked down and the loaded capture kernel's signature was not verified: load a signed one again");
}
