// SPDX-License-Identifier: GPL-2.0
/*
 * The live state the panic path reads (live.h): lb_live, published by a
 * load once its image sits in the region and cleared by unload, and
 * lb_live_busy, the flag that keeps the panic path away while a load's
 * commit or a disarm is under way.
 *
 * Process context changes lb_live only under lb_mutex, with lb_live.valid
 * cleared first (a load's commit also holds lb_live_busy); the panic path
 * tries lb_live_busy once, never waits for it, and reads lb_live only when
 * valid is set. Two hashes of the image are taken at load: SHA-256, which
 * sysfs shows (lb_digest()), and xxh64, which arming and the panic path
 * check (lb_check(), lb_verify(), lb_verify_quick()), since an unpacked
 * kernel makes the image some 60 MiB; neither allocates or locks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/random.h>
#include <linux/string.h>
#include <linux/xxhash.h>

#include "internal.h"
#include "live.h"
#include "uapi/lifeboat.h"

struct lb_live lb_live;

/*
 * 1 while someone changes what the panic path reads beyond lb_live.valid:
 * lb_live itself (a load's commit) or the armed hooks and the mappings
 * they use (disarm). Process context takes it under lb_mutex; the
 * panic path only tries it and keeps it for good.
 */
static atomic_t lb_live_busy = ATOMIC_INIT(0);

/**
 * lb_live_lock() - keep the panic path away while lb_live or the hooks change
 *
 * Context: process context, lb_mutex held. Spins only if a panic holds it,
 * and that panic's NMI then stops this CPU where it spins.
 */
void lb_live_lock(void)
{
	while (atomic_cmpxchg_acquire(&lb_live_busy, 0, 1))
		cpu_relax();
}

/**
 * lb_live_trylock() - take lb_live for the panic path, if no one changes it
 *
 * Context: the panic path; tried once, as __crash_kexec() tries kexec_lock.
 * Return: true if taken: the panic path keeps it, or gives it back with
 * lb_live_unlock() when it steps aside.
 */
bool lb_live_trylock(void)
{
	return !atomic_cmpxchg_acquire(&lb_live_busy, 0, 1);
}

/**
 * lb_live_unlock() - let the panic path in again
 *
 * Context: after lb_live_lock() or a successful lb_live_trylock(); any
 * context.
 */
void lb_live_unlock(void)
{
	atomic_set_release(&lb_live_busy, 0);
}

/* SHA-256 over the segments of lb_live, read from the region. */
void lb_digest(u8 out[SHA256_DIGEST_SIZE])
{
	struct sha256_state st;
	int i;

	sha256_init(&st);
	for (i = 0; i < LB_NR_SEGS; i++)
		sha256_update(&st, lb_live.seg[i].virt, lb_live.seg[i].len);
	sha256_final(&st, out);
}

/**
 * lb_check() - xxh64 over the segments of lb_live, read from the region
 *
 * What the panic path checks: it finds any damage short of a deliberate
 * forgery (which needs root, who can load any image anyway; signatures are
 * checked at load) at a small part of SHA-256's cost, which matters once
 * the image holds an unpacked kernel of some 60 MiB.
 *
 * Context: any; no allocation, no lock.
 * Return: the hash.
 */
u64 lb_check(void)
{
	struct xxh64_state st;
	int i;

	xxh64_reset(&st, 0);
	for (i = 0; i < LB_NR_SEGS; i++)
		xxh64_update(&st, lb_live.seg[i].virt, lb_live.seg[i].len);
	return xxh64_digest(&st);
}

/**
 * lb_live_bytes() - how many bytes the checks read
 *
 * Context: any; the image is valid.
 * Return: the sum of the segments' lengths.
 */
u64 lb_live_bytes(void)
{
	u64 n = 0;
	int i;

	for (i = 0; i < LB_NR_SEGS; i++)
		n += lb_live.seg[i].len;
	return n;
}

/**
 * lb_verify_quick() - the panic path's check of the image
 *
 * Context: the panic path; the image is valid.
 * Return: true when the region still holds what was loaded.
 */
bool lb_verify_quick(void)
{
	return lb_check() == lb_live.check;
}

/**
 * lb_verify() - is the image in the region still the one we loaded?
 * @err: the reason, if not
 *
 * The xxh64 check, as the panic path makes it (lb_verify_quick()): at
 * arm time too it looks for damage, and a second SHA-256 of an unpacked
 * kernel costs seconds on a slow machine.
 *
 * Context: arming, lb_mutex held; the image is valid.
 * Return: 0, or -EBADMSG when the region no longer matches the image loaded
 * (something wrote into it, such as a kdump image loaded with kexec -p into
 * the same crashkernel= region).
 */
int lb_verify(struct lb_err *err)
{
	if (!lb_verify_quick())
		return lb_err_set(err, EBADMSG,
				  "the capture image in the region was overwritten since it was loaded: load it again");
	return 0;
}

static void *lb_region_ptr(u64 pa)
{
	return (u8 *)lb_region.virt + (pa - lb_region.start);
}

/**
 * lb_live_publish() - copy a built image into the region and publish it
 * @img: the image, built by lb_image_build() on private copies
 * @crashing_cpu: the kernel's crashing_cpu, or NULL
 * @nr_cpus: how many note buffers the image has
 * @req: the load request, for the sizes sysfs shows
 * @sig_keyring: the keyring that vouched for the kernel, or NULL
 *
 * Cannot fail. A panic meanwhile sees no image (it steps aside on
 * lb_live_busy, or finds lb_live.valid clear).
 *
 * Context: process context, lb_mutex held.
 */
void lb_live_publish(const struct lb_image *img, int *crashing_cpu,
		     unsigned int nr_cpus, const struct lifeboat_load *req,
		     const char *sig_keyring)
{
	int i;

	lb_live_lock();
	WRITE_ONCE(lb_live.valid, false);
	/* A panic from now on sees no image before it sees any half-copied byte. */
	smp_mb();
	for (i = 0; i < LB_NR_SEGS; i++)
		memcpy(lb_region_ptr(img->seg[i].dest), img->seg[i].src,
		       img->seg[i].len);

	/* The jump stamp's page, written at panic time, is left out of the digest. */
	lb_live.seg[LB_SEG_META].virt = lb_region_ptr(img->meta_pa + LB_JUMP_STAMP_AREA);
	lb_live.seg[LB_SEG_META].len = img->meta_fixed_len - LB_JUMP_STAMP_AREA;
	lb_live.seg[LB_SEG_KERNEL].virt = lb_region_ptr(img->seg[LB_SEG_KERNEL].dest);
	lb_live.seg[LB_SEG_KERNEL].len = img->seg[LB_SEG_KERNEL].len;
	lb_live.seg[LB_SEG_INITRD].virt = lb_region_ptr(img->seg[LB_SEG_INITRD].dest);
	lb_live.seg[LB_SEG_INITRD].len = img->seg[LB_SEG_INITRD].len;
	lb_live.notes = lb_region_ptr(img->notes_pa);
	lb_live.nr_cpus = nr_cpus;
	lb_live.vmcoreinfo = lb_region_ptr(img->vmcoreinfo_pa);
	lb_live.pgd_pa = img->pgd_pa;
	lb_live.tramp_ident_pa = img->tramp_pa + (lb_tramp_ident - lb_tramp_start);
	lb_live.crashing_cpu = crashing_cpu;
	lb_live.sig_keyring = sig_keyring;
	lb_live.stamp = lb_region_ptr(img->meta_pa);
	lb_live.cookie = get_random_u64();
	lb_live.img = *img;
	for (i = 0; i < LB_NR_SEGS; i++)
		lb_live.img.seg[i].src = NULL;
	lb_live.kernel_len = req->kernel_len;
	lb_live.initrd_len = req->initrd_len;
	/* The command line as the capture kernel will see it, elfcorehdr= included. */
	strscpy(lb_live.cmdline, lb_region_ptr(img->cmdline_pa), sizeof(lb_live.cmdline));
	lb_digest(lb_live.digest);
	lb_live.check = lb_check();
	/* Pairs with the smp_rmb() in lb_crash_body(): all of lb_live before valid. */
	smp_wmb();
	WRITE_ONCE(lb_live.valid, true);
	lb_live_unlock();
}

/**
 * lb_live_clear() - forget the published image
 *
 * Context: process context, lb_mutex held, disarmed.
 */
void lb_live_clear(void)
{
	WRITE_ONCE(lb_live.valid, false);
	/* The panic path stops trusting lb_live before it is wiped. */
	smp_mb();
	memset(&lb_live, 0, sizeof(lb_live));
}
