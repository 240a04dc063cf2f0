/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live state: lb_live, the one structure the panic path reads, and
 * lb_live_busy, which keeps the panic path away while process context
 * changes it (live.c).
 *
 * A load builds its image on private copies and only then publishes it
 * (lb_live_publish()); unload clears it (lb_live_clear()). Both run under
 * lb_mutex. The panic path waits for no one: it tries lb_live_busy
 * (lb_live_trylock()), steps aside if that fails, and trusts lb_live only
 * while lb_live.valid is set.
 */
#ifndef LIFEBOAT_LIVE_H
#define LIFEBOAT_LIVE_H

#include <crypto/sha2.h>
#include <linux/types.h>

#include "lifeboat/image.h"

struct lifeboat_load;

/* A range of the region the digest covers, by its kernel mapping. */
struct lb_digest_seg {
	const void *virt;
	u64 len;
};

/*
 * Everything the panic path needs, prepared at load time. Written only under
 * lb_mutex with valid cleared; read locklessly by the panic path.
 */
struct lb_live {
	bool valid;
	struct lb_digest_seg seg[LB_NR_SEGS];
	u8 digest[SHA256_DIGEST_SIZE];	/* at load, for sysfs */
	u64 check;			/* xxh64 of the same bytes: checked at arm and panic */
	void *notes;			/* note buffer of CPU n at notes + n * LB_NOTE_BUF_SIZE */
	unsigned int nr_cpus;
	void *vmcoreinfo;		/* our copy of the VMCOREINFO note */
	u64 pgd_pa;			/* CR3 for the switch */
	u64 tramp_ident_pa;		/* where the trampoline continues, identity mapped */
	int *crashing_cpu;		/* the kernel's crashing_cpu, or NULL */
	const char *sig_keyring;	/* the keyring that vouched for the kernel, or NULL */
	struct lb_jump_stamp *stamp;	/* at the region's start, outside the digest */
	u64 cookie;			/* random, chosen at load, for the stamp */
	/* What sysfs shows. */
	struct lb_image img;
	u64 kernel_len;
	u64 initrd_len;
	char cmdline[2048];
};

extern struct lb_live lb_live;

void lb_live_lock(void);
bool lb_live_trylock(void);
void lb_live_unlock(void);
void lb_live_publish(const struct lb_image *img, int *crashing_cpu,
		     unsigned int nr_cpus, const struct lifeboat_load *req,
		     const char *sig_keyring);
void lb_live_clear(void);
void lb_digest(u8 out[SHA256_DIGEST_SIZE]);
u64 lb_check(void);
u64 lb_live_bytes(void);
int lb_verify(struct lb_err *err);
bool lb_verify_quick(void);

#endif /* LIFEBOAT_LIVE_H */
