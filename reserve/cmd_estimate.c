// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat estimate: how big the reserved region must be for this machine,
 * this capture kernel and this initramfs, and whether the current region
 * is enough. Reads the files and what the machine says (/proc/iomem, CPUs,
 * paging depth, the region from the module, /proc/iomem or /proc/cmdline)
 * and leaves the arithmetic to estimate.c and the image builder.
 *
 * Exit status: 0 the region is enough, 1 it is not, there is none, or
 * something could not be read; 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "capture.h"
#include "commands.h"
#include "reserve.h"

#define MIB LB_MIB_BYTES
#define MAX_RANGES 8192
/* A bound for the initramfs (LB_KERNEL_MAX for the kernel). */
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
		if (lb_region_parse(text, strlen(text), &s->start, &s->end, s->kind,
				    sizeof(s->kind), &none, s->why, sizeof(s->why)))
			return lb_err_set(err, EINVAL, "cannot read %s/region: '%s'", lb_sysfs_dir,
					  text);
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
	ret = lb_read_file(kernel, LB_KERNEL_MAX, (char **)&s->kbuf, &s->klen);
	if (ret) {
		s->unread = kernel;
		return lb_err_set(err, -ret, "cannot read the capture kernel '%s': %s", kernel,
				  strerror(-ret));
	}
	ret = lb_reserve_kernel(s->kbuf, s->klen, s->la57, &s->kernel, &why);
	if (ret)
		return lb_err_set(err, -ret, "'%s' is not a kernel lifeboat can load: %s", kernel,
				  why.msg);
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
	in.kernel_align = s->kernel.kernel_alignment;
	in.initrd = s->ilen;
	in.rootfs = s->initrd.rootfs;
	in.window = s->initrd.window;
	in.old_ram_end = s->io.ram_end;
	in.nr_cpus = s->nr_cpus;
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

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lifeboat estimate [--kernel FILE] [--initrd FILE]\n\n"
		"Says how big the reserved region must be for this machine, this capture\n"
		"kernel and this capture initramfs, with the breakdown, whether the current\n"
		"region is enough, and the crashkernel= boot parameter to use. Run as root.\n"
		"Defaults: /boot/vmlinuz-RELEASE and %s/initramfs-RELEASE.img for the\n"
		"running release. Exit status: 0 enough, 1 too small, none or an error, 2 usage.\n",
		LB_STATE_DIR);
}

static void line(const char *what, uint64_t bytes, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void line(const char *what, uint64_t bytes, const char *fmt, ...)
{
	char note[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(note, sizeof(note), fmt, ap);
	va_end(ap);
	printf("  %-18s %8.1f MiB  %s\n", what, (double)bytes / MIB, note);
}

static void print_breakdown(const struct lb_estimate *e, const struct lb_reserve_kernel *k,
			    const struct lb_initrd_info *ii, const struct lb_iomem *io,
			    unsigned int nr_cpus, bool known_start)
{
	char a[32];

	line("metadata block", e->meta, "ELF core header, boot parameters, page tables, %u CPU notes",
	     nr_cpus);
	line("kernel alignment", e->align, "up to the %u KiB aligned load address%s",
	     (k->kernel_alignment > (2u << 20) ? k->kernel_alignment : 2u << 20) >> 10,
	     known_start ? "" : " (16 MiB aligned region)");
	line("kernel", e->kernel, "init_size of the %s: room to unpack and run", k->loader);
	line("initramfs", e->initrd, "%s, at the top of the region", ii->compression);
	lb_mib_format(a, sizeof(a), ii->file_bytes);
	line("unpacked files", e->rootfs, "tmpfs root: %llu entries, %llu files of %s in whole pages",
	     (unsigned long long)ii->entries, (unsigned long long)ii->files, a);
	line("decompressor", e->window, "window while the initramfs unpacks");
	line("memmap", e->memmap, "struct page: %u memory sections of 128 MiB%s", e->sections,
	     known_start ? "" : " (the region may straddle one)");
	line("per CPU", e->cpus, "%u possible CPUs: notes and headers /proc/vmcore copies", nr_cpus);
	lb_mib_format(a, sizeof(a), io->ram_end);
	line("makedumpfile", e->makedumpfile, "page bitmaps for page frames up to %s", a);
	line("runtime", e->runtime, "the capture kernel and its userspace at work (calibrated)");
	if (e->floor_applied)
		line("margin", e->margin, "up to what 'lifeboat load' demands: metadata, kernel, initramfs and %llu MiB free",
		     (unsigned long long)(LB_MIN_RUNTIME >> 20));
	else
		line("margin", e->margin, "a tenth of the rest, at least 8 MiB, to a 4 MiB multiple");
	printf("  %-18s %8llu MiB\n", "total", (unsigned long long)(e->total / MIB));
}

int lb_estimate_report(const char *kernel, const char *initrd, uint64_t *total)
{
	char kdef[512], idef[512], a[32], b[32];
	struct lb_err err = { "" };
	struct lb_sizing *s;
	struct utsname u;
	uint64_t size;
	int ret = 1;

	*total = 0;
	if (uname(&u))
		return lb_error("uname: %s", strerror(errno));
	lb_kernel_path(kdef, sizeof(kdef), u.release);
	lb_initramfs_path(idef, sizeof(idef), u.release);
	if (!kernel)
		kernel = kdef;
	if (!initrd)
		initrd = idef;

	s = calloc(1, sizeof(*s));
	if (!s)
		return lb_error("out of memory");
	if (lb_sizing_machine(s, &err)) {
		lb_error("%s", err.msg);
		goto out;
	}
	if (lb_sizing_files(s, kernel, initrd, &err)) {
		lb_error("%s%s", err.msg, s->unread == kdef ? " (name one with --kernel)" :
			 s->unread == idef ? " (build it with 'lifeboat mkinitramfs' or name one with --initrd)" :
			 "");
		goto out;
	}

	lb_mib_format(a, sizeof(a), s->io.ram_bytes);
	printf("lifeboat estimate: this machine has %s of RAM and %u possible CPUs\n", a,
	       s->nr_cpus);
	lb_mib_format(a, sizeof(a), s->kernel.init_size);
	printf("  capture kernel     %s (%s, init_size %s)\n", kernel, s->kernel.loader, a);
	lb_mib_format(a, sizeof(a), s->initrd.packed);
	lb_mib_format(b, sizeof(b), s->initrd.unpacked);
	printf("  capture initramfs  %s (%s %s, %s of cpio unpacked)\n\n", initrd, a,
	       s->initrd.compression, b);
	printf("the region must hold:\n");
	print_breakdown(s->end ? &s->here : &s->anywhere, &s->kernel, &s->initrd, &s->io,
			s->nr_cpus, s->end != 0);
	printf("\n");

	size = s->end - s->start;
	if (s->end)
		printf("region:   0x%llx-0x%llx, %llu MiB (%s, from %s)\n",
		       (unsigned long long)s->start, (unsigned long long)s->end,
		       (unsigned long long)(size / MIB), s->kind, s->source);
	switch (s->verdict) {
	case LB_VERDICT_NONE:
		printf("region:   none (%s)\n", s->why[0] ? s->why : "not reserved");
		printf("verdict:  no region: boot with crashkernel=%lluM\n",
		       (unsigned long long)(s->anywhere.total / MIB));
		break;
	case LB_VERDICT_ENOUGH:
		printf("verdict:  enough: %llu MiB reserved, %llu MiB needed\n",
		       (unsigned long long)(size / MIB), (unsigned long long)(s->here.total / MIB));
		ret = 0;
		break;
	case LB_VERDICT_REFUSED:
		printf("verdict:  not usable: %llu MiB reserved, %llu MiB needed, but 'lifeboat load' would refuse it: %s\n",
		       (unsigned long long)(size / MIB), (unsigned long long)(s->here.total / MIB),
		       s->refusal.msg);
		break;
	case LB_VERDICT_TOO_SMALL:
		printf("verdict:  too small: %llu MiB reserved, %llu MiB needed%s%s\n",
		       (unsigned long long)(size / MIB), (unsigned long long)(s->here.total / MIB),
		       s->refusal.msg[0] ? "; 'lifeboat load' would refuse it: " :
		       "; the capture kernel would run short of memory", s->refusal.msg);
		break;
	}
	/* For wherever the kernel puts a region of that size: it may be more
	 * than the verdict's figure, which is for the current region's place. */
	printf("boot parameter: crashkernel=%lluM\n", (unsigned long long)(s->anywhere.total / MIB));
	*total = s->anywhere.total;
	if (s->recommended.msg[0])
		lb_error("the image builder refuses the recommended size: %s", s->recommended.msg);
out:
	lb_sizing_release(s);
	free(s);
	return ret;
}

int cmd_estimate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kernel = NULL, *initrd = NULL;
	uint64_t total;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kernel = optarg;
			break;
		case 'i':
			initrd = optarg;
			break;
		default:
			return lb_usage(c == 'h', usage);
		}
	}
	if (optind != argc) {
		lb_error("estimate takes no operands ('%s')", argv[optind]);
		return lb_usage(false, usage);
	}
	return lb_estimate_report(kernel, initrd, &total);
}
