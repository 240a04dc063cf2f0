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

#include "commands.h"
#include "dumptools.h"
#include "reserve.h"

#define MIB LB_MIB_BYTES
#define MAX_RANGES 8192
/* A bound for the initramfs (LB_KERNEL_MAX for the kernel). */
#define MAX_INITRD (2ULL << 30)
#define MAX_UNPACKED (8ULL << 30)
#define MAX_WINDOW (1ULL << 30)

struct region {
	uint64_t start, end;		/* [start, end); 0, 0 for none */
	char kind[32];			/* crashkernel, memmap */
	char source[64];		/* where it was read */
	char why[256];			/* none: the reason, if known */
};

/* The region: the module's word first, then the kernel's reservation, then memmap=. */
static int find_region(const struct lb_iomem *io, const struct lb_cmdline *cl, struct region *r)
{
	char text[512];
	bool none;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = lb_sysfs_read("region", text, sizeof(text));
	if (!ret) {
		snprintf(r->source, sizeof(r->source), "%s/region", lb_sysfs_dir);
		if (lb_region_parse(text, strlen(text), &r->start, &r->end, r->kind,
				    sizeof(r->kind), &none, r->why, sizeof(r->why)))
			return lb_error("cannot read %s/region: '%s'", lb_sysfs_dir, text);
		return 0;
	}
	if (io->crash_end) {
		r->start = io->crash_start;
		r->end = io->crash_end;
		snprintf(r->kind, sizeof(r->kind), "crashkernel");
		snprintf(r->source, sizeof(r->source), "/proc/iomem");
		return 0;
	}
	if (cl->memmap_size) {
		r->start = cl->memmap_start;
		r->end = cl->memmap_start + cl->memmap_size;
		snprintf(r->kind, sizeof(r->kind), "memmap");
		snprintf(r->source, sizeof(r->source), "/proc/cmdline");
		return 0;
	}
	snprintf(r->source, sizeof(r->source), "/proc/iomem and /proc/cmdline");
	if (cl->has_crashkernel)
		snprintf(r->why, sizeof(r->why),
			 "crashkernel=%s is on the command line but the kernel reserved nothing (see 'dmesg | grep -i crashkernel')",
			 cl->crashkernel);
	else
		snprintf(r->why, sizeof(r->why), "neither crashkernel= nor memmap=SIZE$START at boot");
	return 0;
}

/* The machine: memory map, CPUs, paging depth. */
static int read_machine(struct lb_iomem *io, struct lb_cmdline *cl, unsigned int *nr_cpus,
			bool *la57)
{
	struct lb_err err = { "" };
	char *text;
	size_t len;
	int ret;

	ret = lb_read_file("/proc/iomem", 16 << 20, &text, &len);
	if (ret)
		return lb_error("cannot read /proc/iomem: %s", strerror(-ret));
	ret = lb_iomem_parse(text, len, io, &err);
	free(text);
	if (ret)
		return lb_error("%s", err.msg);
	if (io->hidden)
		return lb_error("/proc/iomem shows no addresses to this user: run 'lifeboat estimate' as root");
	if (!io->ram_bytes)
		return lb_error("/proc/iomem lists no System RAM");

	ret = lb_read_file("/proc/cmdline", 1 << 20, &text, &len);
	if (ret)
		return lb_error("cannot read /proc/cmdline: %s", strerror(-ret));
	ret = lb_cmdline_parse(text, len, cl, &err);
	free(text);
	if (ret)
		return lb_error("/proc/cmdline: %s", err.msg);

	ret = lb_read_file("/sys/devices/system/cpu/possible", 65536, &text, &len);
	if (ret)
		return lb_error("cannot read /sys/devices/system/cpu/possible: %s", strerror(-ret));
	ret = lb_cpulist_parse(text, len, nr_cpus);
	free(text);
	if (ret)
		return lb_error("cannot read the CPU list in /sys/devices/system/cpu/possible");

	*la57 = false;
	if (!lb_read_file("/proc/cpuinfo", 64 << 20, &text, &len)) {
		/* The kernel clears the flag when it runs with 4-level paging. */
		*la57 = lb_cpuinfo_has_flag(text, len, "la57");
		free(text);
	}
	return 0;
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
		LB_RESERVE_STATE_DIR);
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
	struct lb_mem_range *ranges = NULL;
	struct lb_iomem io = { 0 };
	struct lb_cmdline cl;
	struct lb_reserve_kernel k;
	struct lb_initrd_info ii;
	struct lb_estimate_in in = { 0 };
	struct lb_estimate e, worst;
	struct lb_machine m;
	struct lb_image img;
	struct lb_err err = { "" };
	struct region r;
	struct utsname u;
	unsigned int nr_cpus;
	void *kbuf = NULL, *ibuf = NULL;
	size_t klen, ilen;
	uint64_t start, size;
	bool la57 = false;
	int ret = 1, lr;

	*total = 0;
	if (uname(&u))
		return lb_error("uname: %s", strerror(errno));
	snprintf(kdef, sizeof(kdef), "/boot/vmlinuz-%s", u.release);
	snprintf(idef, sizeof(idef), "%s/initramfs-%s.img", LB_RESERVE_STATE_DIR, u.release);
	if (!kernel)
		kernel = kdef;
	if (!initrd)
		initrd = idef;

	ranges = calloc(MAX_RANGES, sizeof(*ranges));
	if (!ranges)
		return lb_error("out of memory");
	io.ranges = ranges;
	io.cap = MAX_RANGES;
	if (read_machine(&io, &cl, &nr_cpus, &la57))
		goto out;
	if (find_region(&io, &cl, &r))
		goto out;

	lr = lb_read_file(kernel, LB_KERNEL_MAX, (char **)&kbuf, &klen);
	if (lr) {
		lb_error("cannot read the capture kernel '%s': %s%s", kernel, strerror(-lr),
			 kernel == kdef ? " (name one with --kernel)" : "");
		goto out;
	}
	if (lb_reserve_kernel(kbuf, klen, la57, &k, &err)) {
		lb_error("'%s' is not a kernel lifeboat can load: %s", kernel, err.msg);
		goto out;
	}
	lr = lb_read_file(initrd, MAX_INITRD, (char **)&ibuf, &ilen);
	if (lr) {
		lb_error("cannot read the capture initramfs '%s': %s%s", initrd, strerror(-lr),
			 initrd == idef ? " (build it with 'lifeboat mkinitramfs' or name one with --initrd)" : "");
		goto out;
	}
	if (lb_initrd_measure(ibuf, ilen, MAX_UNPACKED, MAX_WINDOW, &ii, &err)) {
		lb_error("'%s': %s", initrd, err.msg);
		goto out;
	}

	/* The metadata block for this machine: in the current region, or in
	 * one where crashkernel= would likely put it. */
	if (r.end) {
		start = r.start;
		size = r.end - r.start;
	} else {
		size = 16 * MIB;
		if (lb_reserve_pick_region(io.ranges, io.nr, size, &start)) {
			lb_error("no RAM range of this machine can hold a region");
			goto out;
		}
	}
	lb_reserve_machine(&m, io.ranges, io.nr, nr_cpus, la57, start, start + size);
	in.meta = lb_image_meta_size(&m);
	if (!in.meta) {
		/* Size 0: the machine facts do not hold; a build says why. */
		lb_reserve_load_check(&m, kbuf, klen, ibuf, ilen, &img, &err);
		lb_error("the image builder does not take this machine's memory map: %s", err.msg);
		goto out;
	}
	in.init_size = k.init_size;
	in.kernel_align = k.kernel_alignment;
	in.initrd = ilen;
	in.rootfs = ii.rootfs;
	in.window = ii.window;
	in.old_ram_end = io.ram_end;
	in.nr_cpus = nr_cpus;
	/* The boot parameter holds wherever crashkernel= puts the region: the
	 * worst case. The current region is judged at its own place. */
	in.region_start = 0;
	in.region_size = 0;
	lb_estimate_compute(&in, &worst);
	in.region_start = r.start;
	in.region_size = r.end - r.start;
	lb_estimate_compute(&in, &e);

	lb_mib_format(a, sizeof(a), io.ram_bytes);
	printf("lifeboat estimate: this machine has %s of RAM and %u possible CPUs\n", a, nr_cpus);
	lb_mib_format(a, sizeof(a), k.init_size);
	printf("  capture kernel     %s (%s, init_size %s)\n", kernel, k.loader, a);
	lb_mib_format(a, sizeof(a), ii.packed);
	lb_mib_format(b, sizeof(b), ii.unpacked);
	printf("  capture initramfs  %s (%s %s, %s of cpio unpacked)\n\n", initrd, a,
	       ii.compression, b);
	printf("the region must hold:\n");
	print_breakdown(r.end ? &e : &worst, &k, &ii, &io, nr_cpus, r.end != 0);
	printf("\n");

	if (!r.end) {
		printf("region:   none (%s)\n", r.why[0] ? r.why : "not reserved");
		printf("verdict:  no region: boot with crashkernel=%lluM\n",
		       (unsigned long long)(worst.total / MIB));
	} else {
		size = r.end - r.start;
		printf("region:   0x%llx-0x%llx, %llu MiB (%s, from %s)\n", (unsigned long long)r.start,
		       (unsigned long long)r.end, (unsigned long long)(size / MIB), r.kind, r.source);
		lb_reserve_machine(&m, io.ranges, io.nr, nr_cpus, la57, r.start, r.end);
		lr = lb_reserve_load_check(&m, kbuf, klen, ibuf, ilen, &img, &err);
		if (size >= e.total && !lr) {
			printf("verdict:  enough: %llu MiB reserved, %llu MiB needed\n",
			       (unsigned long long)(size / MIB), (unsigned long long)(e.total / MIB));
			ret = 0;
		} else if (size >= e.total) {
			printf("verdict:  not usable: %llu MiB reserved, %llu MiB needed, but 'lifeboat load' would refuse it: %s\n",
			       (unsigned long long)(size / MIB), (unsigned long long)(e.total / MIB),
			       err.msg);
		} else {
			printf("verdict:  too small: %llu MiB reserved, %llu MiB needed%s%s\n",
			       (unsigned long long)(size / MIB), (unsigned long long)(e.total / MIB),
			       lr ? "; 'lifeboat load' would refuse it: " : "; the capture kernel would run short of memory",
			       lr ? err.msg : "");
		}
	}
	/* For wherever the kernel puts a region of that size: it may be more
	 * than the verdict's figure, which is for the current region's place. */
	printf("boot parameter: crashkernel=%lluM\n", (unsigned long long)(worst.total / MIB));
	*total = worst.total;
	/* The builder must take the recommended size where crashkernel= would
	 * likely put it; if it does not, the estimate is wrong: say so. */
	if (!lb_reserve_pick_region(io.ranges, io.nr, worst.total, &start)) {
		lb_reserve_machine(&m, io.ranges, io.nr, nr_cpus, la57, start, start + worst.total);
		if (lb_reserve_load_check(&m, kbuf, klen, ibuf, ilen, &img, &err))
			lb_error("the image builder refuses the recommended size: %s", err.msg);
	}
out:
	free(ibuf);
	free(kbuf);
	free(ranges);
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
