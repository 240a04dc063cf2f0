// SPDX-License-Identifier: GPL-2.0
/*
 * The estimate for this machine: reads what the machine says (/proc/iomem,
 * /proc/cmdline, the possible CPUs, the paging depth, the region from the
 * module, /proc/iomem or /proc/cmdline) and the capture kernel and
 * initramfs, and leaves the arithmetic to lib/estimate.c and the image
 * builder. `lifeboat estimate` prints it; `lifeboat start` arms by its
 * verdict, so that both, and `lifeboat load`, agree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sizing.h"
#include "unpack.h"

#define MIB LB_MIB_BYTES
#define MAX_RANGES 8192
/* A bound for the initramfs (LB_KERNEL_MAX_LEN for the kernel). */
#define MAX_INITRD (2ULL << 30)
#define MAX_UNPACKED (8ULL << 30)
#define MAX_WINDOW (1ULL << 30)

/* The region: the module's word first, then the kernel's reservation, then memmap=. */
static int find_region(struct lb_sizing *s, struct lb_err *err)
{
	char text[512];
	bool none;
	int ret;

	ret = lb_sysfs_read("region", text, sizeof(text));
	if (!ret) {
		snprintf(s->source, sizeof(s->source), "%s/region", lb_sysfs_dir);
		if (lb_region_attr_parse(text, strlen(text), &s->start, &s->end, s->kind,
					 sizeof(s->kind), &none, s->why, sizeof(s->why)))
			return lb_err_set(err, EINVAL, "cannot read %s/region: '%s'", lb_sysfs_dir,
					  text);
		/* One the module took at run time: none from boot, which the estimate judges. */
		if (!strcmp(s->kind, "runtime")) {
			s->runtime = true;
			s->start = s->end = 0;
			snprintf(s->why, sizeof(s->why),
				 "neither crashkernel= nor memmap=SIZE$START at boot; the module took one at run time");
		}
		return 0;
	}
	if (s->io.crash_end) {
		s->start = s->io.crash_start;
		s->end = s->io.crash_end;
		snprintf(s->kind, sizeof(s->kind), "crashkernel");
		snprintf(s->source, sizeof(s->source), "/proc/iomem");
		return 0;
	}
	if (s->cl.memmap_size) {
		s->start = s->cl.memmap_start;
		s->end = s->cl.memmap_start + s->cl.memmap_size;
		snprintf(s->kind, sizeof(s->kind), "memmap");
		snprintf(s->source, sizeof(s->source), "/proc/cmdline");
		return 0;
	}
	snprintf(s->source, sizeof(s->source), "/proc/iomem and /proc/cmdline");
	if (s->cl.has_crashkernel)
		snprintf(s->why, sizeof(s->why),
			 "crashkernel=%s is on the command line but the kernel reserved nothing (see 'dmesg | grep -i crashkernel')",
			 s->cl.crashkernel);
	else
		snprintf(s->why, sizeof(s->why), "neither crashkernel= nor memmap=SIZE$START at boot");
	return 0;
}

int lb_sizing_machine(struct lb_sizing *s, struct lb_err *err)
{
	struct lb_err why = { "" };
	char *text;
	size_t len;
	int ret;

	memset(s, 0, sizeof(*s));
	s->io.ranges = calloc(MAX_RANGES, sizeof(*s->io.ranges));
	if (!s->io.ranges)
		return lb_err_set(err, ENOMEM, "out of memory");
	s->io.cap = MAX_RANGES;

	ret = lb_read_file("/proc/iomem", 16 << 20, &text, &len);
	if (ret)
		return lb_err_set(err, -ret, "cannot read /proc/iomem: %s", strerror(-ret));
	ret = lb_iomem_parse(text, len, &s->io, err);
	free(text);
	if (ret)
		return ret;
	if (s->io.hidden)
		return lb_err_set(err, EPERM, "/proc/iomem shows no addresses to this user: run as root");
	if (!s->io.ram_bytes)
		return lb_err_set(err, EINVAL, "/proc/iomem lists no System RAM");

	ret = lb_read_file("/proc/cmdline", 1 << 20, &text, &len);
	if (ret)
		return lb_err_set(err, -ret, "cannot read /proc/cmdline: %s", strerror(-ret));
	ret = lb_cmdline_parse(text, len, &s->cl, &why);
	free(text);
	if (ret)
		return lb_err_set(err, -ret, "/proc/cmdline: %s", why.msg);

	ret = lb_read_file("/sys/devices/system/cpu/possible", 65536, &text, &len);
	if (ret)
		return lb_err_set(err, -ret, "cannot read /sys/devices/system/cpu/possible: %s",
				  strerror(-ret));
	ret = lb_cpulist_parse(text, len, &s->nr_cpus);
	free(text);
	if (ret)
		return lb_err_set(err, -ret, "cannot read the CPU list in /sys/devices/system/cpu/possible");

	if (!lb_read_file("/proc/cpuinfo", 64 << 20, &text, &len)) {
		/* The kernel clears the flag when it runs with 4-level paging. */
		s->la57 = lb_cpuinfo_has_flag(text, len, "la57");
		free(text);
	}
	return find_region(s, err);
}

int lb_initrd_read(const char *path, void **buf, size_t *len, struct lb_initrd_info *ret,
		   struct lb_err *err)
{
	struct lb_err why = { "" };
	int r;

	r = lb_read_file(path, MAX_INITRD, (char **)buf, len);
	if (r) {
		*buf = NULL;
		return lb_err_set(err, -r, "cannot read the capture initramfs '%s': %s", path,
				  strerror(-r));
	}
	r = lb_initrd_measure(*buf, *len, MAX_UNPACKED, MAX_WINDOW, ret, &why);
	if (r)
		return lb_err_set(err, -r, "'%s': %s", path, why.msg);
	return 0;
}

int lb_sizing_files(struct lb_sizing *s, const char *kernel, const char *initrd,
		    struct lb_err *err)
{
	struct lb_estimate_in in = { 0 };
	struct lb_machine m;
	struct lb_image img;
	struct lb_err why = { "" };
	uint64_t start, size;
	int ret;

	free(s->kbuf);
	free(s->ibuf);
	s->kbuf = s->ibuf = NULL;
	s->unread = NULL;
	ret = lb_read_file(kernel, LB_KERNEL_MAX_LEN, (char **)&s->kbuf, &s->klen);
	if (ret) {
		s->unread = kernel;
		return lb_err_set(err, -ret, "cannot read the capture kernel '%s': %s", kernel,
				  strerror(-ret));
	}
	ret = lb_reserve_kernel(s->kbuf, s->klen, s->la57, &s->kernel, &why);
	if (ret)
		return lb_err_set(err, -ret, "'%s' is not a kernel lifeboat can load: %s", kernel,
				  why.msg);
	/*
	 * The kernel's run-time size (_end) is what the estimate counts; it is
	 * learnt by unpacking the payload, whether the kernel is loaded that
	 * way or not. Unpacked (unpack = yes), the kernel is loaded as kbuf
	 * now holds it, with memsz of room; otherwise as the bzImage it is,
	 * with init_size. A payload lifeboat cannot unpack leaves init_size
	 * counted, more than the kernel keeps.
	 */
	s->memsz = 0;
	{
		struct lb_unpack_info info;
		uint8_t *u;
		size_t n;

		ret = lb_unpack_bzimage(s->kbuf, s->klen, &u, &n, &info, &why);
		if (ret && s->unpack)
			return lb_err_set(err, -ret, "cannot unpack '%s': %s", kernel, why.msg);
		if (!ret) {
			s->memsz = info.memsz;
			if (s->unpack) {
				free(s->kbuf);
				s->kbuf = u;
				s->klen = n;
			} else {
				free(u);
			}
		}
	}
	ret = lb_initrd_read(initrd, &s->ibuf, &s->ilen, &s->initrd, err);
	if (ret) {
		if (!s->ibuf)
			s->unread = initrd;
		return ret;
	}

	/* The metadata block for this machine: in the current region, or in
	 * one where crashkernel= would likely put it. */
	if (s->end) {
		start = s->start;
		size = s->end - s->start;
	} else {
		size = 16 * MIB;
		if (lb_reserve_pick_region(s->io.ranges, s->io.nr, size, &start))
			return lb_err_set(err, ENOSPC, "no RAM range of this machine can hold a region");
	}
	lb_reserve_machine(&m, s->io.ranges, s->io.nr, s->nr_cpus, s->la57, start, start + size);
	in.meta = lb_image_meta_size(&m);
	if (!in.meta) {
		/* Size 0: the machine facts do not hold; a build says why. */
		lb_reserve_load_check(&m, s->kbuf, s->klen, s->ibuf, s->ilen, &img, &why);
		return lb_err_set(err, EINVAL, "the image builder does not take this machine's memory map: %s",
				  why.msg);
	}
	in.init_size = s->kernel.init_size;
	in.kernel_run = s->memsz;
	in.room = s->unpack ? s->memsz : 0;
	in.kernel_align = s->kernel.kernel_alignment;
	in.initrd = s->ilen;
	in.rootfs = s->initrd.rootfs;
	in.window = s->initrd.window;
	in.old_ram_end = s->io.ram_end;
	in.nr_cpus = s->nr_cpus;
	in.fast_return = s->fast_return;
	/* The boot parameter holds wherever crashkernel= puts the region: the
	 * worst case. The current region is judged at its own place. */
	in.region_start = 0;
	in.region_size = 0;
	lb_estimate_compute(&in, &s->anywhere);
	in.region_start = s->start;
	in.region_size = s->end - s->start;
	lb_estimate_compute(&in, &s->here);

	s->refusal.msg[0] = '\0';
	if (!s->end) {
		s->verdict = LB_VERDICT_NONE;
	} else {
		lb_reserve_machine(&m, s->io.ranges, s->io.nr, s->nr_cpus, s->la57, s->start,
				   s->end);
		ret = lb_reserve_load_check(&m, s->kbuf, s->klen, s->ibuf, s->ilen, &img,
					    &s->refusal);
		if (!ret)
			s->refusal.msg[0] = '\0';
		if (s->end - s->start < s->here.total)
			s->verdict = LB_VERDICT_TOO_SMALL;
		else
			s->verdict = ret ? LB_VERDICT_REFUSED : LB_VERDICT_ENOUGH;
	}
	/* The builder must take the recommended size where crashkernel= would
	 * likely put it; if it does not, the estimate is wrong. */
	s->recommended.msg[0] = '\0';
	if (!lb_reserve_pick_region(s->io.ranges, s->io.nr, s->anywhere.total, &start)) {
		lb_reserve_machine(&m, s->io.ranges, s->io.nr, s->nr_cpus, s->la57, start,
				   start + s->anywhere.total);
		if (!lb_reserve_load_check(&m, s->kbuf, s->klen, s->ibuf, s->ilen, &img,
					   &s->recommended))
			s->recommended.msg[0] = '\0';
	}
	return 0;
}

void lb_sizing_release(struct lb_sizing *s)
{
	free(s->ibuf);
	free(s->kbuf);
	free(s->io.ranges);
	s->ibuf = s->kbuf = NULL;
	s->io.ranges = NULL;
}
