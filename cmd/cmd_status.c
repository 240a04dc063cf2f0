// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat status: the region, the state and the loaded image at a glance.
 * Exits 0 when armed, 3 when not armed (as kdumpctl status does), 1 on error,
 * among them a running kernel with no Lifeboat module (a kernel installed
 * after Lifeboat, before DKMS built the module for it).
 */
#include <string.h>

#include "capture.h"
#include "commands.h"
#include "fastreboot.h"
#include "reserve.h"

/* Prints "label: value" for one attribute; returns 0 or -errno. */
static int show(const char *label, const char *attr, char *buf, size_t len)
{
	int ret = lb_sysfs_read(attr, buf, len);

	if (!ret)
		printf("%-8s %s\n", label, buf);
	return ret;
}

/* A region taken at run time: its size in all, its ranges, its first range. */
static void show_runtime(uint64_t start, uint64_t end)
{
	unsigned long long total = 0;
	unsigned int ranges = 0;
	char buf[256] = "";

	if (lb_sysfs_read("runtime", buf, sizeof(buf)) ||
	    sscanf(buf, "total=%llu ranges=%u", &total, &ranges) != 2) {
		printf("%-8s taken at run time, the capture kernel's image at %#llx-%#llx\n",
		       "region:", (unsigned long long)start, (unsigned long long)end - 1);
		return;
	}
	printf("%-8s %llu MiB taken at run time in %u ranges, the capture kernel's image at %#llx-%#llx (runtime)\n",
	       "region:", total >> 20, ranges, (unsigned long long)start,
	       (unsigned long long)end - 1);
}

/* The region as the module gives it; what it does not say as a range, as it is. */
static void show_region(void)
{
	char buf[512], kind[32], why[256];
	uint64_t start, end;
	bool none, ranged;

	if (lb_sysfs_read("region", buf, sizeof(buf)))
		return;
	ranged = !lb_region_attr_parse(buf, strlen(buf), &start, &end, kind, sizeof(kind), &none,
				       why, sizeof(why)) && !none;
	if (ranged && !strcmp(kind, "runtime"))
		show_runtime(start, end);
	else if (ranged)
		printf("%-8s %#llx-%#llx, %llu MiB (%s)\n", "region:", (unsigned long long)start,
		       (unsigned long long)end - 1, (unsigned long long)(end - start) >> 20, kind);
	else
		printf("%-8s %s\n", "region:", buf);
}

/*
 * What the next reboot boots: the firmware, or the fast reboot's kernel
 * (/sys/kernel/lifeboat/fast_reboot). Nothing from a module without the
 * attribute.
 */
static void show_fast_reboot(void)
{
	struct lb_fast_reboot fr;
	char buf[8192], k[32], i[32];

	if (lb_sysfs_read("fast_reboot", buf, sizeof(buf)))
		return;
	if (lb_fast_reboot_parse(buf, strlen(buf), &fr)) {
		printf("%-8s %s\n", "fast reboot:", "(unreadable attribute)");
		return;
	}
	if (!fr.loaded) {
		printf("%-8s none (the next reboot goes through the firmware)\n", "fast reboot:");
		return;
	}
	lb_mib_format(k, sizeof(k), fr.kernel_len);
	lb_mib_format(i, sizeof(i), fr.initrd_len);
	printf("%-8s loaded: %s kernel, %s initramfs, cmdline %s\n", "fast reboot:", k,
	       fr.initrd_len ? i : "no", fr.cmdline);
}

/* No state to read (ret, -errno): is there a module for this kernel at all? */
static int not_loaded(int ret)
{
	struct lb_kmod km;
	struct lb_err err;

	if (lb_kmod_find(&km, &err))
		return lb_error("%s", err.msg);
	if (km.where == LB_KMOD_LOADED)
		return lb_error("cannot read %s/state: %s", lb_sysfs_dir, strerror(-ret));
	printf("%-8s %s\n", "state:", "not loaded");
	printf("%-8s %s ('lifeboat start' loads it)\n", "module:", km.path);
	return 3;
}

/* The capture kernel 'lifeboat start' loads, as the configuration names it. */
static void show_kernel(void)
{
	struct lb_conf conf;
	struct lb_kpick k;
	struct lb_err err;

	if (lb_conf_load(LB_CONF_PATH, 0, &conf, &err) || lb_kernel_pick(&conf, &k, &err)) {
		printf("%-8s %s\n", "kernel:", err.msg);
		return;
	}
	printf("%-8s %s %s (%s)\n", "kernel:", k.own ? "Lifeboat's own capture kernel" :
	       "the stock kernel", k.kver, k.kernel);
}

int cmd_status(int argc, char **argv)
{
	char state[64], buf[4096];
	int ret;

	(void)argv;
	if (argc > 1) {
		lb_error("status takes no arguments");
		return 2;
	}
	ret = lb_sysfs_read("state", state, sizeof(state));
	if (ret)
		return not_loaded(ret);
	printf("%-8s %s\n", "state:", state);
	show_region();
	if (strcmp(state, "empty")) {
		show("image:", "image", buf, sizeof(buf));
		show("cmdline:", "cmdline", buf, sizeof(buf));
	}
	show_kernel();
	show_fast_reboot();
	if (lb_kdump_loaded())
		printf("%-8s the kernel's own crash kernel is loaded (kexec -p): Lifeboat cannot arm\n",
		       "kdump:");
	return strcmp(state, "armed") ? 3 : 0;
}
