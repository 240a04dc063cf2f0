/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The estimate for this machine and its region (sizing.c), and the
 * crashkernel= drop-in written to the boot loader's configuration
 * (grub.c): the reading and writing around lib/reserve.h's arithmetic.
 * Failures return a negative errno and fill a struct lb_err.
 */
#ifndef LIFEBOAT_SIZING_H
#define LIFEBOAT_SIZING_H

#include "reserve.h"
#include "sys.h"

/*
 * Writes dir/lifeboat.cfg for crashkernel=size, through a temporary file
 * and a rename, unless it already says exactly that. *changed says whether
 * it wrote. Return: 0, -ENOENT when dir does not exist (not a GRUB system:
 * nothing is written), -EINVAL for a bad size, or the errno of the write.
 */
int lb_grub_dropin_write(const char *dir, const char *size, bool *changed, struct lb_err *err);

/* The verdict on the current region (struct lb_sizing). */
enum lb_verdict {
	LB_VERDICT_ENOUGH,	/* it holds the estimate and `lifeboat load` takes it */
	LB_VERDICT_NONE,	/* there is none: why says why, if known */
	LB_VERDICT_TOO_SMALL,	/* below the estimate (refusal: the builder's word, if it refuses it too) */
	LB_VERDICT_REFUSED,	/* as big as the estimate, but `lifeboat load` would refuse it: refusal */
};

/*
 * The estimate for this machine, its current region and a capture kernel
 * and initramfs: what `lifeboat estimate` prints and what
 * `lifeboat start` arms by, so that both, and `lifeboat load`, agree.
 * Filled in two steps, the machine and then the files; freed with
 * lb_sizing_release().
 */
struct lb_sizing {
	/* This machine and its region (lb_sizing_machine()). */
	struct lb_iomem io;
	struct lb_cmdline cl;
	unsigned int nr_cpus;		/* possible CPUs */
	bool la57;			/* 5-level paging */
	uint64_t start, end;		/* the region, [start, end); 0 and 0 for none */
	char kind[32];			/* crashkernel, memmap; runtime (then start and end are 0) */
	bool runtime;			/* the module holds a region it took at run time */
	char source[64];		/* where the region was read */
	char why[256];			/* none: the reason, if known */
	/* The files and the figures (lb_sizing_files()). */
	struct lb_reserve_kernel kernel;
	struct lb_initrd_info initrd;
	struct lb_estimate here;	/* for the current region, where it is */
	struct lb_estimate anywhere;	/* wherever crashkernel= puts it: the boot parameter */
	enum lb_verdict verdict;
	struct lb_err refusal;		/* the builder on the current region, "" if it takes it */
	struct lb_err recommended;	/* the builder on anywhere.total, "" if it takes it */
	const char *unread;		/* the file lb_sizing_files() could not read, or NULL */
	/* Set by the caller before lb_sizing_files(): final_action = fast-reboot's
	 * copy of the production kernel (lb_return_region_bytes()), or 0. */
	uint64_t fast_return;
	/* Set by the caller before lb_sizing_files(): the kernel is loaded
	 * unpacked (unpack = yes), so kbuf holds it unpacked and the kernel's
	 * room is its memsz, not init_size. */
	bool unpack;
	uint64_t memsz;			/* the kernel unpacked, to _end; 0 if it does not unpack */
	void *kbuf, *ibuf;
	size_t klen, ilen;
};

/*
 * Reads an initramfs (at most 2 GiB) into *buf (to free; NULL when the file
 * could not be read) and walks it as the capture kernel will unpack it
 * (lb_initrd_measure()). Return: 0, or -errno with err saying why.
 */
int lb_initrd_read(const char *path, void **buf, size_t *len, struct lb_initrd_info *ret,
		   struct lb_err *err);

/*
 * Reads this machine (/proc/iomem, /proc/cmdline, the possible CPUs, the
 * paging depth) and finds its region: the module's word first
 * (/sys/kernel/lifeboat/region), then the kernel's "Crash kernel", then
 * memmap=SIZE$START. Return: 0, or -errno with err saying what could not
 * be read; s is then to be released all the same.
 */
int lb_sizing_machine(struct lb_sizing *s, struct lb_err *err);

/*
 * Reads the capture kernel and initramfs, makes the estimate for the
 * current region and for the boot parameter, and asks the image builder
 * about both (the verdict). Return: 0, or -errno with err saying why not.
 */
int lb_sizing_files(struct lb_sizing *s, const char *kernel, const char *initrd,
		    struct lb_err *err);

void lb_sizing_release(struct lb_sizing *s);

#endif
