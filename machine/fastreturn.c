// SPDX-License-Identifier: GPL-2.0
/*
 * final_action = fast-reboot (fastreturn.h), the capture kernel's side. At
 * arm time `lifeboat start` and `lifeboat mkinitramfs` record, through the
 * plan of the capture initramfs (capture.c, lb_return_plan()), what the capture kernel needs to boot the
 * production kernel without the firmware:
 *
 *   LB_RETURN_DIR/vmlinuz      the production kernel
 *   LB_RETURN_DIR/initrd.img   its initramfs (absent: none)
 *   LB_RETURN_DIR/cmdline      the running command line, BOOT_IMAGE= dropped
 *   LB_RETURN_DIR/release      the production kernel's release
 *   LB_RETURN_DIR/memmap       the firmware's memory map (lb_memmap_save()):
 *                              the capture kernel sees only its region
 *   LB_RETURN_DIR/lifeboat.ko  the module for the capture kernel's release
 *
 * After the dump is saved the saver (saver.c) calls lb_return_load(): the
 * module goes in unless it is loaded, and the files go to the module
 * (lb_reboot_load()); the saver's reboot(2) then boots them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fastreturn.h"
#include "reboot.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

#define PAGE 4096ULL

uint64_t lb_return_region_bytes(const struct lb_return *r)
{
	uint64_t pages = (r->kernel_len + PAGE - 1) / PAGE + (r->initrd_len + PAGE - 1) / PAGE;

	/* One 8-byte entry per page in the module's page list, in whole pages. */
	return pages * PAGE + (pages * 8 + PAGE - 1) / PAGE * PAGE;
}

/* The module, unless it is loaded: the capture initramfs' copy. */
static int module_in(struct lb_err *err)
{
	static const char *const names[] = {
		"lifeboat.ko", "lifeboat.ko.xz", "lifeboat.ko.zst", "lifeboat.ko.gz",
	};
	char path[PATH_MAX];
	size_t i;
	int fd, ret;

	if (!access("/sys/module/lifeboat", F_OK))
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", LB_RETURN_DIR, names[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			break;
	}
	if (fd < 0)
		return lb_err_set(err, ENOENT, "the capture initramfs holds no lifeboat.ko in %s",
				  LB_RETURN_DIR);
	ret = (int)syscall(SYS_finit_module, fd, "", i ? MODULE_INIT_COMPRESSED_FILE : 0);
	if (ret && errno != EEXIST)
		ret = lb_err_set(err, errno, "cannot load '%s': %s", path, strerror(errno));
	else
		ret = 0;
	close(fd);
	return ret;
}

int lb_return_load(char *release, size_t rlen, struct lb_err *err)
{
	char kernel[PATH_MAX], initrd[PATH_MAX], memmap[PATH_MAX], path[PATH_MAX];
	char cmdline[LB_KEXEC_CMDLINE];
	struct lb_reboot_files f;
	int ret, i;

	if (rlen)
		release[0] = '\0';
	snprintf(path, sizeof(path), "%s/release", LB_RETURN_DIR);
	lb_read_line(path, release, rlen);
	snprintf(kernel, sizeof(kernel), "%s/vmlinuz", LB_RETURN_DIR);
	snprintf(initrd, sizeof(initrd), "%s/initrd.img", LB_RETURN_DIR);
	snprintf(memmap, sizeof(memmap), "%s/memmap", LB_RETURN_DIR);
	snprintf(path, sizeof(path), "%s/cmdline", LB_RETURN_DIR);
	if (access(kernel, R_OK))
		return lb_err_set(err, ENOENT, "the capture initramfs holds no production kernel (%s): rebuild it with 'lifeboat start' or 'lifeboat mkinitramfs'",
				  kernel);
	ret = lb_read_line(path, cmdline, sizeof(cmdline));
	if (ret)
		return lb_err_set(err, -ret, "cannot read '%s': %s", path, strerror(-ret));
	ret = module_in(err);
	if (ret)
		return ret;
	/* devtmpfs makes the node as the module registers it: give it a moment. */
	for (i = 0; i < 50 && access(lb_dev_path, F_OK); i++)
		usleep(20000);
	f = (struct lb_reboot_files) {
		.kernel = kernel, .initrd = access(initrd, R_OK) ? NULL : initrd,
		.cmdline = cmdline, .memmap = memmap,
	};
	return lb_reboot_load(&f, err);
}
