// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat estimate: how big the reserved region must be for this machine,
 * this capture kernel and this initramfs, and whether the current region
 * is enough: prints the estimate machine/sizing.c makes, part by part,
 * and its verdict.
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
#include "sizing.h"

#define MIB LB_MIB_BYTES

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lifeboat estimate [--kernel FILE] [--initrd FILE]\n\n"
		"Says how big the reserved region must be for this machine, this capture\n"
		"kernel and this capture initramfs, with the breakdown, whether the current\n"
		"region is enough, and the crashkernel= boot parameter to use. Run as root.\n"
		"Defaults: the capture kernel of %s (Lifeboat's own when installed,\n"
		"else /boot/vmlinuz-RELEASE of the running release) and\n"
		"%s/initramfs-RELEASE.img for its release.\n"
		"Exit status: 0 enough, 1 too small, none or an error, 2 usage.\n",
		LB_CONF_PATH,
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
	if (e->kernel == e->room)
		line("kernel", e->kernel, "%s: what it needs where it is loaded, and keeps",
		     k->loader);
	else
		line("kernel", e->kernel, "%s: what it keeps once running (it is loaded with %.1f MiB of room)",
		     k->loader, (double)e->room / MIB);
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
	if (e->fast_return)
		line("fast reboot", e->fast_return, "final_action = fast-reboot: the module's copy of the production kernel and initramfs");
	if (e->floor_applied)
		line("margin", e->margin, "up to what 'lifeboat load' demands: metadata, the kernel's room, initramfs and %llu MiB free",
		     (unsigned long long)(lb_min_runtime(e->room) >> 20));
	else
		line("margin", e->margin, "a tenth of the rest, at least 8 MiB, to a 4 MiB multiple");
	printf("  %-18s %8llu MiB\n", "total", (unsigned long long)(e->total / MIB));
}

/*
 * final_action = fast-reboot in /etc/lifeboat.conf: the production kernel
 * and initramfs the capture initramfs carries are in its measure already;
 * the module's copy of them is counted here.
 */
static void fast_return(struct lb_sizing *s, const struct lb_conf *conf)
{
	struct lb_return *r;
	struct lb_err err;
	struct utsname u;

	char level[32];

	/* unpack = yes: the kernel is sized as it will be loaded, unless locked down. */
	s->unpack = conf->unpack && !lb_lockdown_level(level, sizeof(level));
	if (conf->final_action != LB_ACTION_FAST_REBOOT || uname(&u))
		return;
	r = calloc(1, sizeof(*r));
	if (!r)
		return;
	/* Only the sizes count here: what else is missing, lifeboat start says. */
	if (lb_return_plan(conf, u.release, "/", r, &err) && !r->kernel_len)
		lb_error("final_action = fast-reboot, but %s", err.msg);
	s->fast_return = lb_return_region_bytes(r);
	free(r);
}

int lb_estimate_report(const char *kernel, const char *initrd, uint64_t *total)
{
	char idef[512], a[32], b[32];
	const char *kdef = NULL;
	struct lb_err err = { "" };
	struct lb_sizing *s;
	struct lb_kpick *k;
	struct lb_conf conf;
	uint64_t size;
	int ret = 1;

	*total = 0;
	/* The capture kernel lifeboat start would load, as configured. */
	k = calloc(1, sizeof(*k));
	if (!k)
		return lb_error("out of memory");
	if (lb_conf_load(LB_CONF_PATH, 0, &conf, &err) || lb_kernel_pick(&conf, k, &err)) {
		lb_error("%s", err.msg);
		free(k);
		return 1;
	}
	lb_initramfs_path(idef, sizeof(idef), k->kver);
	if (!kernel)
		kernel = kdef = k->kernel;
	if (!initrd)
		initrd = idef;

	s = calloc(1, sizeof(*s));
	if (!s) {
		free(k);
		return lb_error("out of memory");
	}
	if (lb_sizing_machine(s, &err)) {
		lb_error("%s", err.msg);
		goto out;
	}
	fast_return(s, &conf);
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
	lb_mib_format(b, sizeof(b), s->memsz);
	printf("  capture kernel     %s (%s%s, init_size %s, %s to _end%s)\n", kernel,
	       kernel == kdef && k->own ? "Lifeboat's own, " : "", s->kernel.loader, a,
	       s->memsz ? b : "unknown", s->unpack ? ", loaded unpacked" : "");
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
		printf("region:   none at boot (%s)\n", s->why[0] ? s->why : "not reserved");
		printf("verdict:  no boot-time region: 'lifeboat start' takes %llu MiB at run time, or boot with crashkernel=%lluM\n",
		       (unsigned long long)(s->anywhere.total / MIB),
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
	free(k);
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
