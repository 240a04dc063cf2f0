/* SPDX-License-Identifier: GPL-2.0 */
/*
 * final_action = fast-reboot on this machine (fastreturn.c): at arm time,
 * what the capture kernel needs to boot the production kernel (recorded in
 * the capture initramfs, see capture.c); in the capture kernel, after the
 * dump is saved, that boot handed to the module. lib/fastreturn.c decides
 * whether to take it.
 */
#ifndef LIFEBOAT_FASTRETURN_H
#define LIFEBOAT_FASTRETURN_H

#include <limits.h>
#include <stdint.h>

#include "fastreboot.h"
#include "sys.h"

/* Where the capture initramfs holds the production kernel's files. */
#define LB_RETURN_DIR "/lib/lifeboat/return"

/* What the capture kernel boots after the dump, as this machine has it now. */
struct lb_return {
	char kernel[PATH_MAX];		/* the production kernel */
	char initrd[PATH_MAX];		/* its initramfs; "" none */
	char release[65];		/* the production kernel's release */
	char cmdline[LB_KEXEC_CMDLINE];	/* the running command line, reused */
	char kmod[PATH_MAX];		/* lifeboat.ko of the capture kernel's release */
	uint64_t kernel_len, initrd_len;
};

/*
 * (capture.c) Fills r for conf (return_kernel, return_initrd; by default the running
 * release's /boot/vmlinuz-RELEASE and /boot/initrd.img-RELEASE), the running
 * command line (/proc/cmdline, less BOOT_IMAGE=) and the lifeboat.ko of
 * capture_kver under modroot/lib/modules, and checks the files as
 * lb_reboot_load() will. Return: 0, or -errno with err saying what is missing.
 */
int lb_return_plan(const struct lb_conf *conf, const char *capture_kver, const char *modroot,
		   struct lb_return *r, struct lb_err *err);

/*
 * What the fast return adds to the region at its peak, beyond what the
 * capture initramfs itself counts (its files packed, and unpacked in the
 * capture kernel's tmpfs): the module's copy of the kernel and initramfs,
 * page by page, and the page list that holds them.
 */
uint64_t lb_return_region_bytes(const struct lb_return *r);

/*
 * In the capture kernel: loads the lifeboat.ko of LB_RETURN_DIR unless the
 * module is loaded, then makes the production kernel of LB_RETURN_DIR what
 * the next reboot boots (lb_reboot_load()). release gets its release as
 * recorded, "" if unknown. Return: 0, or -errno with err saying why.
 */
int lb_return_load(char *release, size_t rlen, struct lb_err *err);

#endif
