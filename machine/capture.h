/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The capture initramfs: what goes in it (a plan, made from the
 * configuration and this machine), building it with initramfs/lb-initramfs,
 * and knowing when it must be rebuilt. Shared by `lifeboat mkinitramfs` and
 * `lifeboat start`. See capture.c.
 */
#ifndef LIFEBOAT_CAPTURE_H
#define LIFEBOAT_CAPTURE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "fastreturn.h"
#include "sys.h"

/*
 * zstd (-19): within 8% of xz's size (2.6 against 2.4 MB), unpacked four
 * times faster in the capture kernel, where every second counts.
 */
#define LB_INITRAMFS_COMPRESS "zstd"

struct lb_plan {
	struct lb_conf conf;		/* as written into the initramfs: target resolved */
	char kver[65];			/* the capture kernel's release */
	char kernel[PATH_MAX];		/* the capture kernel's image */
	char modroot[PATH_MAX];		/* holds lib/modules/<kver> */
	bool own;			/* the kernel is Lifeboat's own */
	char modules[2 * LB_CONF_LONG];	/* module names, space-separated */
	char compress[8];
	char libdir[PATH_MAX];		/* lb-initramfs and capture-init */
	char saver[PATH_MAX];		/* lifeboat-save */
	char makedumpfile[PATH_MAX];
	char busybox[PATH_MAX];
	char dev[256];			/* the target's device on this machine, if known */
	/* The filesystem holding LB_STATE_DIR when it is not the target, as
	 * configuration lines (target, fstype, path) for /etc/lifeboat/state:
	 * where the saver records a target it could not mount. "" if none. */
	char state[LB_CONF_STR * 2 + 64];
	/* final_action = fast-reboot: the production kernel's files, recorded
	 * in the image under LB_RETURN_DIR (fastreturn.c). */
	bool fast;
	struct lb_return ret;
	/* With final_action = fast-reboot but fast false: why not (the capture
	 * is armed all the same; after a dump, the firmware reboots). */
	char fast_off[256];
};

/*
 * Decides what the capture initramfs holds. kver, modroot and compress may
 * be NULL for the defaults (the capture kernel's release, "/", xz). Offline,
 * nothing of this machine is looked at: the configuration must name the
 * target by UUID=/LABEL=/device and give fstype, and extra_modules must list
 * the drivers of the target's disk.
 */
int lb_plan_make(const struct lb_conf *conf, const char *kver, const char *modroot,
		 const char *compress, int offline, struct lb_plan *p, struct lb_err *err);

/* A digest of every input of the build: equal digests, equal images. */
int lb_plan_digest(const struct lb_plan *p, uint64_t *ret, struct lb_err *err);

/* Builds the image at out (through out.tmp); reports its size packed and unpacked. */
int lb_plan_build(const struct lb_plan *p, const char *out, unsigned long long *packed,
		  unsigned long long *unpacked, struct lb_err *err);

/* What /etc/lifeboat.conf in the initramfs says. Return: length, as lb_conf_format(). */
size_t lb_plan_conf_text(const struct lb_plan *p, char *buf, size_t len);

/*
 * The record of what an image was built from, in <image>.inputs: its
 * digest, and its size packed and unpacked.
 */
int lb_stamp_read(const char *img, uint64_t *digest, unsigned long long *packed,
		  unsigned long long *unpacked);
int lb_stamp_write(const char *img, uint64_t digest, const struct lb_plan *p,
		   unsigned long long packed, unsigned long long unpacked);

/* What lb_plan_update() did. */
struct lb_plan_update {
	bool built;			/* false: the image was up to date */
	bool had_stamp;			/* built over an image of other inputs */
	unsigned long long packed;	/* the image's size */
	unsigned long long unpacked;	/* its cpio, unpacked */
};

/*
 * Builds the image at img unless its record of inputs (lb_stamp_read())
 * says it was built from exactly p's inputs and it is still that size, or
 * rebuild asks for a build all the same; records the new inputs after a
 * build. Return: 0, or -errno with err saying why.
 */
int lb_plan_update(const struct lb_plan *p, const char *img, int rebuild,
		   struct lb_plan_update *ret, struct lb_err *err);

/*
 * The default capture kernel of release kver, /boot/vmlinuz-<kver>, and
 * where the capture initramfs for it is kept, LB_STATE_DIR/initramfs-<kver>.img:
 * `lifeboat start` and `lifeboat mkinitramfs` write it there, `lifeboat
 * estimate` reads it from there.
 */
void lb_kernel_path(char *buf, size_t len, const char *kver);
void lb_initramfs_path(char *buf, size_t len, const char *kver);

/*
 * A capture kernel's release, from its header's kernel_version. The kernel
 * is checked by the image builder's loader (lb_reserve_kernel()): one it
 * refuses is an error with the builder's sentence. (What it needs in the
 * region is the estimate's business: struct lb_sizing, reserve.h.)
 */
int lb_kernel_info(const char *path, char *release, size_t rlen, struct lb_err *err);

/* The capture kernel a configuration names, resolved. */
struct lb_kpick {
	char kernel[PATH_MAX];		/* its image */
	char kver[65];			/* its release */
	char modroot[PATH_MAX];		/* holds lib/modules/<kver> */
	bool own;			/* Lifeboat's own (capture-kernel/) */
};

/*
 * Lifeboat's own capture kernel, where `make install` puts it:
 * $LIFEBOAT_CAPTURE_KERNEL when set, else PREFIX/lib/lifeboat/capture-kernel
 * beside this program. It holds vmlinuz, release and lib/modules/<release>.
 */
int lb_own_kernel_dir(char *out, size_t len);

/*
 * Which capture kernel conf->kernel asks for: "lifeboat" (Lifeboat's own; an
 * error when it is not installed), "stock" (/boot/vmlinuz-<running
 * release>, modules under /), a path (modules under /), or "": Lifeboat's
 * own when installed, the stock one otherwise or with final_action =
 * fast-reboot (which needs lifeboat.ko in the capture kernel).
 */
int lb_kernel_pick(const struct lb_conf *conf, struct lb_kpick *k, struct lb_err *err);

#endif
