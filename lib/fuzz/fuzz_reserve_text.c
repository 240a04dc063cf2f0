// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for what `lifeboat estimate` and `lifeboat reserve`
 * read from the machine and the boot loader's files: the first byte picks
 * the parser, the rest is its input (/proc/iomem, /proc/cmdline, the
 * module's region attribute, a CPU list, /proc/cpuinfo, a size, a GRUB
 * defaults file), or the bytes become the sizing arithmetic's facts. The
 * results must keep the parsers' promises; a parsed memory map also goes
 * to the image builder, as the estimate hands it over.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reserve.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

static void nul_terminated(const char *s, size_t cap)
{
	check(memchr(s, '\0', cap) != NULL);
}

static void iomem(const char *text, size_t len)
{
	static struct lb_mem_range ranges[512];
	struct lb_iomem io = { .ranges = ranges, .cap = 512 };
	struct lb_err err = { "" };
	struct lb_machine m;
	uint64_t ram = 0, start;
	unsigned int i;

	if (lb_iomem_parse(text, len, &io, &err)) {
		nul_terminated(err.msg, sizeof(err.msg));
		return;
	}
	check(io.nr <= io.cap);
	check(io.crash_end >= io.crash_start);
	for (i = 0; i < io.nr; i++) {
		check(ranges[i].start < ranges[i].end);
		check(!i || ranges[i].start >= ranges[i - 1].end);
		if (ranges[i].type == LB_MEM_RAM) {
			ram += ranges[i].end - ranges[i].start;
			check(ranges[i].end <= io.ram_end);
		}
	}
	check(ram == io.ram_bytes);
	if (io.hidden)
		check(!io.nr && !io.ram_bytes && !io.crash_end);
	/* What the estimate does next: a region, the builder's metadata size. */
	if (!lb_reserve_pick_region(ranges, io.nr, 16ULL << 20, &start)) {
		check(start % (16ULL << 20) == 0);
		lb_reserve_machine(&m, ranges, io.nr, 2, false, start, start + (16ULL << 20));
		(void)lb_image_meta_size(&m);
	}
}

static void cmdline(const char *text, size_t len)
{
	struct lb_err err = { "" };
	struct lb_cmdline cl;

	if (lb_cmdline_parse(text, len, &cl, &err)) {
		nul_terminated(err.msg, sizeof(err.msg));
		return;
	}
	nul_terminated(cl.crashkernel, sizeof(cl.crashkernel));
	check(cl.has_crashkernel || !cl.crashkernel[0]);
	check(cl.nr_memmap || !cl.memmap_size);
}

static void region(const char *text, size_t len)
{
	char kind[32], why[128];
	uint64_t start = 0, end = 0;
	bool none;

	if (lb_region_attr_parse(text, len, &start, &end, kind, sizeof(kind), &none, why, sizeof(why)))
		return;
	if (none) {
		nul_terminated(why, sizeof(why));
	} else {
		check(start < end);
		nul_terminated(kind, sizeof(kind));
		check(kind[0] && !strchr(kind, ' '));
	}
}

static void sizes(const char *text, size_t len)
{
	size_t used = 0;
	uint64_t v;
	unsigned int nr = 0;

	if (!lb_size_parse(text, len, &v, &used))
		check(used >= 1 && used <= len);
	if (!lb_cpulist_parse(text, len, &nr))
		check(nr >= 1 && nr <= 1u << 20);
	(void)lb_cpuinfo_has_flag(text, len, "la57");
}

static void grub(const char *text, size_t len)
{
	char found[4][48];
	unsigned int n, i;

	n = lb_grub_find_crashkernel(text, len, found[0], sizeof(found[0]), 4);
	for (i = 0; i < n && i < 4; i++) {
		nul_terminated(found[i], sizeof(found[i]));
		check(strstr(found[i], "crashkernel=") != NULL);
	}
}

/* The facts as 40-bit numbers: no sum can overflow. */
static void arithmetic(const unsigned char *data, size_t size)
{
	struct lb_estimate_in in = { 0 };
	struct lb_estimate e;
	uint64_t v[11] = { 0 }, parts;
	size_t i;

	memcpy(v, data, size < sizeof(v) ? size : sizeof(v));
	for (i = 0; i < 11; i++)
		v[i] &= (1ULL << 40) - 1;
	in.meta = v[0] & ~0xfffULL;
	in.init_size = v[1] & 0xffffffffULL;
	in.kernel_align = 1ULL << (v[2] % 25);
	in.initrd = v[3];
	in.rootfs = v[4];
	in.window = v[5] & ((1ULL << 30) - 1);
	in.old_ram_end = v[6];
	in.nr_cpus = (unsigned int)(v[7] % 8193);
	in.region_start = v[8] & ~0xfffULL;
	in.region_size = v[9] & ~0xfffULL;
	in.fast_return = v[10];
	lb_estimate_compute(&in, &e);
	parts = e.meta + e.align + e.kernel + e.initrd + e.rootfs + e.window + e.memmap + e.cpus +
		e.makedumpfile + e.runtime + e.fast_return + e.margin;
	check(parts == e.total);
	check(e.total % (4ULL << 20) == 0);
	check(e.total >= e.load_floor);
	check(e.margin >= (8ULL << 20) || e.floor_applied);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *text = (const char *)data + 1;

	if (!size)
		return 0;
	switch (data[0] % 6) {
	case 0:
		iomem(text, size - 1);
		break;
	case 1:
		cmdline(text, size - 1);
		break;
	case 2:
		region(text, size - 1);
		break;
	case 3:
		sizes(text, size - 1);
		break;
	case 4:
		grub(text, size - 1);
		break;
	default:
		arithmetic(data + 1, size - 1);
		break;
	}
	return 0;
}
