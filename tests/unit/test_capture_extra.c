// SPDX-License-Identifier: GPL-2.0
/*
 * The extra ranges of a run-time region (struct lb_machine extra/nr_extra):
 * the capture kernel's E820 map calls them RAM, the ELF core header leaves
 * them out, free_ram counts them, the machine check refuses bad ones, and
 * lb_image_contig_need() gives a first range that lb_image_build() accepts.
 */
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "data/capture_fixture.h"
#include "unit.h"

#define PAGE 4096ULL
#define ALIGN_UP(x, a) (((x) + (a) - 1) / (a) * (a))

/* Below the crashkernel region (688-944 MiB), above it, above 4 GiB. */
static const struct lb_mem_range extras3[] = {
	{ MiB(64), MiB(96), LB_MEM_RAM },
	{ MiB(1024), MiB(1056), LB_MEM_RAM },
	{ GiB(5), GiB(5) + MiB(64), LB_MEM_RAM },
};

static uint64_t overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	uint64_t s = s1 > s2 ? s1 : s2, e = e1 < e2 ? e1 : e2;

	return s < e ? e - s : 0;
}

static uint64_t extras_total(const struct lb_machine *m)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < m->nr_extra; i++)
		sum += m->extra[i].end - m->extra[i].start;
	return sum;
}

/* Sorted, non-empty, non-overlapping. */
static void check_disjoint(const struct cap_ival *v, unsigned int n, const char *what)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		ck_assert_msg(v[i].start < v[i].end, "%s %u is empty", what, i);
		if (i)
			ck_assert_msg(v[i].start >= v[i - 1].end,
				      "%s %u [0x%llx, 0x%llx) overlaps or precedes %u [0x%llx, 0x%llx)",
				      what, i, (unsigned long long)v[i].start,
				      (unsigned long long)v[i].end, i - 1,
				      (unsigned long long)v[i - 1].start,
				      (unsigned long long)v[i - 1].end);
	}
}

/*
 * The E820 map: sorted, every extra inside a RAM entry, and the RAM above
 * 1 MiB exactly the region after its metadata plus the extras.
 */
static void check_e820_extras(const struct cap_build *b, const struct lb_machine *m)
{
	struct cap_ival e[128];
	uint64_t meta_end = b->img.meta_pa + b->img.meta_len, ram = 0, inside;
	unsigned int nr, i, j;
	bool found;

	nr = cap_read_e820(b, e);
	ck_assert_uint_ge(nr, 2);
	check_disjoint(e, nr, "E820 entry");
	for (j = 0; j < m->nr_extra; j++) {
		for (i = 0, found = false; i < nr; i++)
			if (e[i].type == LB_MEM_RAM && e[i].start <= m->extra[j].start &&
			    e[i].end >= m->extra[j].end)
				found = true;
		ck_assert_msg(found, "extra %u [0x%llx, 0x%llx) is not a RAM entry", j,
			      (unsigned long long)m->extra[j].start,
			      (unsigned long long)m->extra[j].end);
	}
	for (i = 0; i < nr; i++) {
		if (e[i].type != LB_MEM_RAM) {
			for (j = 0; j < m->nr_extra; j++)
				ck_assert_msg(!overlap(e[i].start, e[i].end, m->extra[j].start,
						       m->extra[j].end),
					      "entry %u of type %u overlaps extra %u", i,
					      e[i].type, j);
			continue;
		}
		if (e[i].end <= MiB(1))
			continue;
		ck_assert_uint_ge(e[i].start, MiB(1));
		inside = overlap(e[i].start, e[i].end, meta_end, m->region_end);
		for (j = 0; j < m->nr_extra; j++)
			inside += overlap(e[i].start, e[i].end, m->extra[j].start,
					  m->extra[j].end);
		ck_assert_msg(inside == e[i].end - e[i].start,
			      "RAM entry %u [0x%llx, 0x%llx) outside the region and the extras", i,
			      (unsigned long long)e[i].start, (unsigned long long)e[i].end);
		ram += inside;
	}
	ck_assert_uint_eq(ram, m->region_end - meta_end + extras_total(m));
}

static int cmp_ival(const void *a, const void *b)
{
	const struct cap_ival *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int cmp_range(const void *a, const void *b)
{
	const struct lb_mem_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * The PT_LOADs miss the region and every extra, lie in RAM, and with the
 * region, the extras and [0, 1 MiB) cover each RAM byte exactly once.
 */
static void check_loads_extras(const struct cap_build *b, const struct lb_machine *m)
{
	unsigned int cap = 4 * (m->nr_ranges + m->nr_extra) + 8, n = 0, i, j;
	struct cap_ival *v = calloc(cap, sizeof(*v));
	size_t phnum, k;
	uint64_t got;
	GElf_Phdr ph;
	Elf *elf;

	ck_assert_ptr_nonnull(v);
	ck_assert_uint_ne(elf_version(EV_CURRENT), EV_NONE);
	elf = elf_memory((char *)cap_meta_at(b, b->img.elfcorehdr_pa), b->img.elfcorehdr_len);
	ck_assert_msg(elf, "elf_memory: %s", elf_errmsg(-1));
	ck_assert_int_eq(elf_getphdrnum(elf, &phnum), 0);
	ck_assert_uint_ge(phnum, m->nr_cpus + 1);
	for (k = 0; k < phnum; k++) {
		ck_assert_ptr_nonnull(gelf_getphdr(elf, (int)k, &ph));
		if (ph.p_type != PT_LOAD)
			continue;
		ck_assert_uint_ge(k, m->nr_cpus + 1);
		ck_assert_uint_eq(ph.p_offset, ph.p_paddr);
		ck_assert_uint_eq(ph.p_vaddr, CAP_PAGE_OFFSET + ph.p_paddr);
		ck_assert_uint_eq(ph.p_filesz, ph.p_memsz);
		ck_assert_uint_ge(ph.p_paddr, MiB(1));
		ck_assert_msg(!overlap(ph.p_paddr, ph.p_paddr + ph.p_memsz, m->region_start,
				       m->region_end),
			      "PT_LOAD [0x%llx, +0x%llx) overlaps the region",
			      (unsigned long long)ph.p_paddr, (unsigned long long)ph.p_memsz);
		for (j = 0; j < m->nr_extra; j++)
			ck_assert_msg(!overlap(ph.p_paddr, ph.p_paddr + ph.p_memsz,
					       m->extra[j].start, m->extra[j].end),
				      "PT_LOAD [0x%llx, +0x%llx) overlaps extra %u",
				      (unsigned long long)ph.p_paddr,
				      (unsigned long long)ph.p_memsz, j);
		for (i = 0, got = 0; i < m->nr_ranges; i++)
			if (m->ranges[i].type == LB_MEM_RAM)
				got += overlap(ph.p_paddr, ph.p_paddr + ph.p_memsz,
					       m->ranges[i].start, m->ranges[i].end);
		ck_assert_msg(got == ph.p_memsz, "PT_LOAD [0x%llx, +0x%llx) is not all RAM",
			      (unsigned long long)ph.p_paddr, (unsigned long long)ph.p_memsz);
		ck_assert_uint_lt(n, cap);
		v[n++] = (struct cap_ival){ ph.p_paddr, ph.p_paddr + ph.p_memsz, PT_LOAD };
	}
	elf_end(elf);
	ck_assert_uint_lt(n + m->nr_extra + 2, cap + 1);
	v[n++] = (struct cap_ival){ 0, MiB(1), 0 };
	v[n++] = (struct cap_ival){ m->region_start, m->region_end, 0 };
	for (j = 0; j < m->nr_extra; j++)
		v[n++] = (struct cap_ival){ m->extra[j].start, m->extra[j].end, 0 };
	qsort(v, n, sizeof(*v), cmp_ival);
	check_disjoint(v, n, "dump or capture range");
	for (i = 0; i < m->nr_ranges; i++) {
		const struct lb_mem_range *r = &m->ranges[i];

		if (r->type != LB_MEM_RAM)
			continue;
		for (j = 0, got = 0; j < n; j++)
			got += overlap(r->start, r->end, v[j].start, v[j].end);
		ck_assert_msg(got == r->end - r->start,
			      "RAM [0x%llx, 0x%llx): 0x%llx bytes covered",
			      (unsigned long long)r->start, (unsigned long long)r->end,
			      (unsigned long long)got);
	}
	free(v);
}

static void machine_extras(struct cap_machine *cm, bool la57,
			   const struct lb_mem_range *x, unsigned int nr)
{
	cap_machine_crashkernel(cm, la57);
	cm->m.extra = x;
	cm->m.nr_extra = nr;
}

START_TEST(extra_memmap_exact)
{
	struct cap_machine cm;
	struct cap_build b;
	struct cap_ival e[128];
	unsigned int nr;
	uint64_t me;

	machine_extras(&cm, false, extras3, 3);
	cap_build_fake_ok(&b, &cm.m);
	nr = cap_read_e820(&b, e);
	me = MiB(688) + b.img.meta_len;
	{
		const struct cap_ival want[] = {
			{ 0, 0x9fc00, 1 },
			{ 0x9fc00, 0xa0000, 2 },
			{ 0xf0000, 0x100000, 2 },
			{ MiB(64), MiB(96), 1 },
			{ MiB(688), me, 2 },
			{ me, MiB(944), 1 },
			{ MiB(1024), MiB(1056), 1 },
			{ 0x7ffd0000, 0x7ffe0000, 3 },
			{ 0x7ffe0000, 0x7fff0000, 4 },
			{ 0x7fff0000, 0x80000000, 2 },
			{ 0xb0000000, 0xc0000000, 2 },
			{ 0xfed1c000, 0xfed20000, 2 },
			{ 0xfffc0000, 0x100000000, 2 },
			{ GiB(5), GiB(5) + MiB(64), 1 },
			{ 0xfd00000000, 0x10000000000, 2 },
		};

		cap_check_e820_exact(e, nr, want, sizeof(want) / sizeof(want[0]));
	}
	check_e820_extras(&b, &cm.m);
	cap_build_free(&b);
}
END_TEST

/* Extras only below, only above, touching the region, at RAM edges. */
static const struct {
	struct lb_mem_range x[3];
	unsigned int nr;
} extra_cases[] = {
	{ { { MiB(1), MiB(2), 1 }, { MiB(100), MiB(200), 1 }, { MiB(600), MiB(688), 1 } }, 3 },
	{ { { MiB(944), MiB(1000), 1 }, { 0x7ff00000, 0x7ffd0000, 1 }, { GiB(4), GiB(8), 1 } }, 3 },
	{ { { MiB(500), MiB(688), 1 }, { MiB(944), MiB(945), 1 } }, 2 },
	{ { { MiB(10), MiB(11), 1 }, { MiB(11), MiB(12), 1 }, { GiB(6), GiB(6) + PAGE, 1 } }, 3 },
	{ { { MiB(32), MiB(64), 1 } }, 1 },
	{ { { 0 } }, 0 },
};

START_TEST(extra_memmap_properties)
{
	struct cap_machine cm;
	struct cap_build b;
	unsigned int i;
	int la57;

	for (la57 = 0; la57 < 2; la57++) {
		for (i = 0; i < sizeof(extra_cases) / sizeof(extra_cases[0]); i++) {
			machine_extras(&cm, la57, extra_cases[i].x, extra_cases[i].nr);
			cap_build_fake(&b, &cm.m);
			ck_assert_msg(b.ret == 0, "case %u: %d %s", i, b.ret, b.err.msg);
			check_e820_extras(&b, &cm.m);
			cap_build_free(&b);
		}
	}
}
END_TEST

START_TEST(extra_elfcore_loads)
{
	struct cap_machine cm;
	struct cap_build b;
	unsigned int i;

	machine_extras(&cm, false, extras3, 3);
	cap_build_fake_ok(&b, &cm.m);
	check_loads_extras(&b, &cm.m);
	cap_build_free(&b);
	for (i = 0; i < sizeof(extra_cases) / sizeof(extra_cases[0]); i++) {
		machine_extras(&cm, i & 1, extra_cases[i].x, extra_cases[i].nr);
		cap_build_fake(&b, &cm.m);
		ck_assert_msg(b.ret == 0, "case %u: %d %s", i, b.ret, b.err.msg);
		check_loads_extras(&b, &cm.m);
		cap_build_free(&b);
	}
}
END_TEST

/* The exact PT_LOADs with extras3: each extra cuts its RAM range. */
START_TEST(extra_elfcore_exact)
{
	static const struct cap_ival loads[] = {
		{ MiB(1), MiB(64), 0 },
		{ MiB(96), MiB(688), 0 },
		{ MiB(944), MiB(1024), 0 },
		{ MiB(1056), 0x7ffd0000, 0 },
		{ GiB(4), GiB(5), 0 },
		{ GiB(5) + MiB(64), GiB(8), 0 },
	};
	struct cap_machine cm;
	struct cap_build b;
	size_t phnum, i;
	GElf_Phdr ph;
	Elf *elf;

	machine_extras(&cm, false, extras3, 3);
	cap_build_fake_ok(&b, &cm.m);
	ck_assert_uint_ne(elf_version(EV_CURRENT), EV_NONE);
	elf = elf_memory((char *)cap_meta_at(&b, b.img.elfcorehdr_pa), b.img.elfcorehdr_len);
	ck_assert_ptr_nonnull(elf);
	ck_assert_int_eq(elf_getphdrnum(elf, &phnum), 0);
	ck_assert_uint_eq(phnum, cm.m.nr_cpus + 1 + 6);
	for (i = 0; i < 6; i++) {
		ck_assert_ptr_nonnull(gelf_getphdr(elf, (int)(cm.m.nr_cpus + 1 + i), &ph));
		ck_assert_uint_eq(ph.p_type, PT_LOAD);
		ck_assert_uint_eq(ph.p_paddr, loads[i].start);
		ck_assert_uint_eq(ph.p_memsz, loads[i].end - loads[i].start);
	}
	elf_end(elf);
	cap_build_free(&b);
}
END_TEST

static uint8_t *initrd_of(size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(p);
	memset(p, 0x5a, len);
	return p;
}

START_TEST(extra_free_ram_counts_extras)
{
	struct cap_machine cm;
	struct cap_build b, b0;
	size_t len, ilen = 20000001;
	uint8_t *k = cap_read_kernel(&len), *initrd = initrd_of(ilen);
	uint64_t meta_end, region_free;
	unsigned int i;

	for (i = 0; i < sizeof(extra_cases) / sizeof(extra_cases[0]); i++) {
		machine_extras(&cm, false, extra_cases[i].x, extra_cases[i].nr);
		cap_build(&b, &cm.m, k, len, initrd, ilen, "");
		ck_assert_msg(b.ret == 0, "case %u: %d %s", i, b.ret, b.err.msg);
		meta_end = b.img.meta_pa + b.img.meta_len;
		region_free = cm.m.region_end - meta_end - b.img.kernel_memsz -
			      (cm.m.region_end - b.img.initrd_pa);
		ck_assert_uint_eq(b.img.free_ram, region_free + extras_total(&cm.m));
		/* The same placement as without extras, but for the metadata length. */
		cm.m.nr_extra = 0;
		cap_build(&b0, &cm.m, k, len, initrd, ilen, "");
		ck_assert_msg(b0.ret == 0, "case %u: %d %s", i, b0.ret, b0.err.msg);
		ck_assert_uint_eq(b0.img.initrd_pa, b.img.initrd_pa);
		ck_assert_uint_eq(b0.img.kernel_memsz, b.img.kernel_memsz);
		cap_build_free(&b0);
		cap_build_free(&b);
	}
	free(initrd);
	free(k);
}
END_TEST

/* A region too small on its own is accepted when the extras make up the rest. */
START_TEST(extra_small_region_needs_extras)
{
	static const struct lb_mem_range x[] = { { MiB(1024), MiB(1056), LB_MEM_RAM } };
	struct cap_machine cm;
	struct cap_build b;
	size_t len;
	uint8_t *k = cap_read_kernel(&len);

	/* 96 MiB, 20 MiB of initrd: 12 MiB of free RAM. */
	machine_extras(&cm, false, x, 0);
	cm.m.region_end = MiB(688 + 96);
	{
		uint8_t *initrd = initrd_of(MiB(20));

		cap_build(&b, &cm.m, k, len, initrd, MiB(20), "");
		ck_assert_int_eq(b.ret, -ENOSPC);
		cap_build_free(&b);
		cm.m.nr_extra = 1;
		cap_build(&b, &cm.m, k, len, initrd, MiB(20), "");
		ck_assert_msg(b.ret == 0, "%d %s", b.ret, b.err.msg);
		ck_assert_uint_eq(b.img.free_ram,
				  cm.m.region_end - b.img.meta_pa - b.img.meta_len -
				  b.img.kernel_memsz - (cm.m.region_end - b.img.initrd_pa) + MiB(32));
		ck_assert_uint_lt(b.img.free_ram, MiB(32) + MiB(13));
		cap_build_free(&b);
		free(initrd);
	}
	free(k);
}
END_TEST

static void expect_refused(struct cap_machine *cm, const uint8_t *k, size_t len, int err,
			   const char *substr, const char *what)
{
	struct cap_build b;

	ck_assert_msg(lb_image_meta_size(&cm->m) == 0, "%s: meta size not 0", what);
	cap_build(&b, &cm->m, k, len, NULL, 0, "");
	ck_assert_msg(b.ret == err, "%s: %d, want %d: %s", what, b.ret, err, b.err.msg);
	ck_assert_msg(strstr(b.err.msg, substr), "%s: message: %s", what, b.err.msg);
	cap_build_free(&b);
}

START_TEST(extra_refusals)
{
	static const struct lb_mem_range over_region[] = {
		{ MiB(64), MiB(96), 1 }, { MiB(900), MiB(1000), 1 },
	};
	static const struct lb_mem_range inside_region[] = { { MiB(700), MiB(710), 1 } };
	static const struct lb_mem_range unsorted[] = {
		{ MiB(1024), MiB(1056), 1 }, { MiB(64), MiB(96), 1 },
	};
	static const struct lb_mem_range overlapping[] = {
		{ MiB(64), MiB(96), 1 }, { MiB(95), MiB(128), 1 },
	};
	static const struct lb_mem_range not_ram[] = {
		{ MiB(64), MiB(96), 1 }, { 0xb0000000, 0xb1000000, 1 },
	};
	static const struct lb_mem_range hole[] = { { GiB(3), GiB(3) + MiB(16), 1 } };
	static const struct lb_mem_range low[] = { { 0x10000, 0x90000, 1 } };
	static const struct lb_mem_range across_1m[] = { { 0x80000, MiB(2), 1 } };
	static const struct lb_mem_range unaligned[] = { { MiB(64), MiB(96) + 8, 1 } };
	static const struct lb_mem_range empty[] = { { MiB(64), MiB(64), 1 } };
	static struct lb_mem_range many[LB_MAX_EXTRA + 1];
	struct cap_machine cm;
	uint8_t *k = cap_fake_bzimage(0x3000, (uint32_t)MiB(16));
	unsigned int i;

	machine_extras(&cm, false, over_region, 2);
	expect_refused(&cm, k, 0x3000, -EINVAL, "extra range 1 [0x38400000, 0x3e800000) must be",
		       "overlaps the region");
	machine_extras(&cm, false, inside_region, 1);
	expect_refused(&cm, k, 0x3000, -EINVAL, "apart from the region", "inside the region");
	machine_extras(&cm, false, unsorted, 2);
	expect_refused(&cm, k, 0x3000, -EINVAL, "extra range 1 [0x4000000, 0x6000000)", "unsorted");
	machine_extras(&cm, false, overlapping, 2);
	expect_refused(&cm, k, 0x3000, -EINVAL, "sorted", "overlapping");
	machine_extras(&cm, false, not_ram, 2);
	expect_refused(&cm, k, 0x3000, -EINVAL,
		       "the extra range [0xb0000000, 0xb1000000) overlaps [0xb0000000, 0xb1000000), which is",
		       "reserved");
	machine_extras(&cm, false, hole, 1);
	expect_refused(&cm, k, 0x3000, -EINVAL, "the extra range [0xc0000000", "in a hole");
	machine_extras(&cm, false, low, 1);
	expect_refused(&cm, k, 0x3000, -EINVAL, "at or above 1 MiB", "below 1 MiB");
	machine_extras(&cm, false, across_1m, 1);
	expect_refused(&cm, k, 0x3000, -EINVAL, "at or above 1 MiB", "across 1 MiB");
	machine_extras(&cm, false, unaligned, 1);
	expect_refused(&cm, k, 0x3000, -EINVAL, "page aligned", "unaligned");
	machine_extras(&cm, false, empty, 1);
	expect_refused(&cm, k, 0x3000, -EINVAL, "non-empty", "empty");
	for (i = 0; i < LB_MAX_EXTRA + 1; i++)
		many[i] = (struct lb_mem_range){ GiB(4) + i * MiB(2), GiB(4) + i * MiB(2) + MiB(1), 1 };
	machine_extras(&cm, false, many, LB_MAX_EXTRA + 1);
	expect_refused(&cm, k, 0x3000, -E2BIG, "65 extra ranges for the capture kernel, more than 64",
		       "too many");
	machine_extras(&cm, false, NULL, 1);
	expect_refused(&cm, k, 0x3000, -EINVAL, "1 extra ranges but no list", "NULL list");
	/* LB_MAX_EXTRA exactly is fine. */
	machine_extras(&cm, false, many, LB_MAX_EXTRA);
	{
		struct cap_build b;

		cap_build_fake(&b, &cm.m);
		ck_assert_msg(b.ret == 0, "%d %s", b.ret, b.err.msg);
		check_e820_extras(&b, &cm.m);
		check_loads_extras(&b, &cm.m);
		cap_build_free(&b);
	}
	/* nr_extra 0 ignores the pointer. */
	machine_extras(&cm, false, NULL, 0);
	ck_assert_uint_gt(lb_image_meta_size(&cm.m), 0);
	free(k);
}
END_TEST

/* An extra must be usable RAM in the firmware's map too, when one is given. */
START_TEST(extra_refused_by_firmware_map)
{
	struct lb_mem_range fw[] = {
		{ 0, 0x9fc00, LB_MEM_RAM },
		{ MiB(1), 0x7ffd0000, LB_MEM_RAM },
		{ GiB(4), GiB(5), LB_MEM_RAM },
		{ GiB(5), GiB(5) + MiB(64), LB_MEM_RESERVED },
		{ GiB(5) + MiB(64), GiB(8), LB_MEM_RAM },
	};
	struct cap_machine cm;
	struct cap_build b;
	uint8_t *k = cap_fake_bzimage(0x3000, (uint32_t)MiB(16));

	machine_extras(&cm, false, extras3, 3);
	cm.m.fw_ranges = fw;
	cm.m.nr_fw_ranges = sizeof(fw) / sizeof(fw[0]);
	expect_refused(&cm, k, 0x3000, -EINVAL,
		       "the capture kernel's range [0x140000000, 0x144000000) overlaps", "firmware");
	/* All RAM in the firmware's map: accepted. */
	fw[3].type = LB_MEM_RAM;
	cap_build_fake(&b, &cm.m);
	ck_assert_msg(b.ret == 0, "%d %s", b.ret, b.err.msg);
	check_e820_extras(&b, &cm.m);
	check_loads_extras(&b, &cm.m);
	cap_build_free(&b);
	free(k);
}
END_TEST

/* Extras [x, x + each) for the contig_need tests, away from [rs, re). */
static unsigned int place_extras(struct lb_mem_range *x, unsigned int nr, uint64_t each,
				 uint64_t rs, uint64_t re)
{
	static const uint64_t at[] = { MiB(1536), MiB(1600), GiB(6), GiB(7), MiB(200) };
	unsigned int i, n = 0;

	for (i = 0; i < sizeof(at) / sizeof(at[0]) && n < nr; i++) {
		if (overlap(at[i], at[i] + each, rs, re))
			continue;
		x[n++] = (struct lb_mem_range){ at[i], at[i] + each, LB_MEM_RAM };
	}
	ck_assert_uint_eq(n, nr);
	qsort(x, n, sizeof(*x), cmp_range);
	return n;
}

START_TEST(extra_contig_need_fits)
{
	static const uint64_t bases[] = { MiB(16), MiB(512), MiB(1700), GiB(5) };
	struct cap_machine cm;
	struct cap_build b;
	struct lb_mem_range x[3];
	struct lb_image_input in = { 0 };
	struct lb_err err = { "" };
	size_t len, ilen = 20000001;
	uint8_t *k = cap_read_kernel(&len), *initrd = initrd_of(ilen);
	uint64_t size, align, init_size, kalign, bound, each;
	unsigned int nr, bi, v;
	int ret;

	init_size = cap_get32(k + 0x260);
	kalign = cap_get32(k + 0x230);
	in.kernel = k;
	in.kernel_len = len;
	in.initrd = initrd;
	in.initrd_len = ilen;
	for (v = 0; v < 3; v++) {
		for (nr = 1; nr <= 3; nr++) {
			cap_machine_init(&cm, v == 1);
			if (v == 2) {
				/* Many CPUs and RAM ranges: a metadata block of many pages. */
				unsigned int i;

				cm.m.nr_cpus = 96;
				for (i = 0; i < 100; i++)
					cap_machine_add(&cm, 0x20000000000ULL + i * MiB(4),
							0x20000000000ULL + i * MiB(4) + MiB(2),
							LB_MEM_RAM);
			}
			ret = lb_image_contig_need(&cm.m, &in, nr, &size, &align, &err);
			ck_assert_msg(ret == 0, "%d %s", ret, err.msg);
			ck_assert_uint_eq(align, kalign > MiB(2) ? kalign : MiB(2));
			ck_assert_uint_gt(size, ALIGN_UP(init_size, PAGE) + ALIGN_UP(ilen, PAGE));
			bound = size - ALIGN_UP(init_size, PAGE) - ALIGN_UP(ilen, PAGE);
			ck_assert_uint_eq(bound % align, 0);
			each = ALIGN_UP((uint64_t)LB_MIN_RUNTIME / nr, PAGE);
			for (bi = 0; bi < sizeof(bases) / sizeof(bases[0]); bi++) {
				cm.m.region_start = bases[bi];
				cm.m.region_end = bases[bi] + size;
				cm.m.extra = x;
				cm.m.nr_extra = place_extras(x, nr, each, cm.m.region_start,
							     cm.m.region_end);
				ck_assert_uint_ge(extras_total(&cm.m), LB_MIN_RUNTIME);
				ck_assert_msg(lb_image_meta_size(&cm.m) <= bound,
					      "v %u nr %u base 0x%llx: meta %llu > bound %llu", v, nr,
					      (unsigned long long)bases[bi],
					      (unsigned long long)lb_image_meta_size(&cm.m),
					      (unsigned long long)bound);
				cap_build(&b, &cm.m, k, len, initrd, ilen, "console=ttyS0");
				ck_assert_msg(b.ret == 0, "v %u nr %u base 0x%llx size 0x%llx: %d %s", v,
					      nr, (unsigned long long)bases[bi],
					      (unsigned long long)size, b.ret, b.err.msg);
				ck_assert_uint_eq(b.img.kernel_load,
						  bases[bi] + ALIGN_UP(b.img.meta_len, align));
				ck_assert_uint_le(b.img.kernel_load + b.img.kernel_memsz,
						  b.img.initrd_pa);
				ck_assert_uint_ge(b.img.free_ram, LB_MIN_RUNTIME);
				check_e820_extras(&b, &cm.m);
				check_loads_extras(&b, &cm.m);
				cap_build_free(&b);
			}
		}
	}
	/* Too many extras: -E2BIG, as lb_image_build(). */
	cap_machine_init(&cm, false);
	ret = lb_image_contig_need(&cm.m, &in, LB_MAX_EXTRA + 1, &size, &align, &err);
	ck_assert_int_eq(ret, -E2BIG);
	ck_assert_msg(strstr(err.msg, "more than 64"), "message: %s", err.msg);
	/* Not a kernel: -ENOEXEC. */
	in.kernel_len = 100;
	ret = lb_image_contig_need(&cm.m, &in, 1, &size, &align, &err);
	ck_assert_int_eq(ret, -ENOEXEC);
	free(initrd);
	free(k);
}
END_TEST

/*
 * Random run-time regions on random machines: the region of exactly the
 * contiguous need at a random aligned place in RAM, up to LB_MAX_EXTRA
 * random extras in the rest of the RAM. The metadata block never exceeds
 * the bound, and a build with 32 MiB of extras succeeds and keeps the rules.
 */
START_TEST(extra_random_runtime_regions)
{
	struct cap_machine cm;
	struct cap_build b;
	struct lb_mem_range *x = calloc(LB_MAX_EXTRA, sizeof(*x));
	struct lb_image_input in = { 0 };
	struct lb_err err = { "" };
	uint8_t *k = cap_fake_bzimage(0x3000, (uint32_t)MiB(8));
	uint64_t seed = 0x2545f4914f6cdd1dULL, size, align, bound, cur, len, s;
	unsigned int iter, i, n, want, built = 0, ram_idx[CAP_MAX_RANGES], nr_ram;
	int ret;

	ck_assert_ptr_nonnull(x);
	in.kernel = k;
	in.kernel_len = 0x3000;
	in.initrd_len = (cap_rnd(&seed) % 3) * MiB(3) + 123;
	for (iter = 0; iter < 300; iter++) {
		cap_machine_init(&cm, cap_rnd(&seed) & 1);
		cm.m.nr_cpus = 1 + cap_rnd(&seed) % 64;
		/* Random RAM and reserved ranges above the fixture's map. */
		cur = 0x10000000000ULL + GiB(1);
		n = cap_rnd(&seed) % 40;
		for (i = 0; i < n; i++) {
			len = (1 + cap_rnd(&seed) % 512) * PAGE * (cap_rnd(&seed) % 4 ? 1 : 256);
			cap_machine_add(&cm, cur, cur + len,
					cap_rnd(&seed) % 3 ? LB_MEM_RAM : LB_MEM_RESERVED);
			cur += len + (cap_rnd(&seed) % 2) * (cap_rnd(&seed) % 64) * PAGE;
		}
		want = cap_rnd(&seed) % (LB_MAX_EXTRA + 1);
		ret = lb_image_contig_need(&cm.m, &in, want, &size, &align, &err);
		ck_assert_msg(ret == 0, "iteration %u: %d %s", iter, ret, err.msg);
		bound = size - ALIGN_UP(0x800000ULL, PAGE) - ALIGN_UP(in.initrd_len, PAGE);
		/* The region: in [16 MiB, 0x7ffd0000) or [4 GiB, 8 GiB). */
		if (cap_rnd(&seed) & 1)
			s = MiB(16) + (cap_rnd(&seed) % ((0x7ffd0000 - MiB(16) - size) / align)) * align;
		else
			s = GiB(4) + (cap_rnd(&seed) % ((GiB(4) - size) / align)) * align;
		cm.m.region_start = s;
		cm.m.region_end = s + size;
		/* The extras: random pieces of RAM ranges, sorted, apart from the region. */
		for (i = 0, nr_ram = 0; i < cm.m.nr_ranges; i++)
			if (cm.ranges[i].type == LB_MEM_RAM && cm.ranges[i].end > MiB(1))
				ram_idx[nr_ram++] = i;
		n = 0;
		cur = MiB(1);
		for (i = 0; i < nr_ram && n < want; i++) {
			const struct lb_mem_range *r = &cm.ranges[ram_idx[i]];
			uint64_t lo = r->start > cur ? r->start : cur, hi = r->end & ~(PAGE - 1);

			lo = ALIGN_UP(lo, PAGE);
			while (n < want && lo + PAGE <= hi) {
				uint64_t span = (hi - lo) / PAGE, st, en;

				st = lo + (cap_rnd(&seed) % 4 ? (cap_rnd(&seed) % (span < 64 ? span : span / 4 + 1)) * PAGE : 0);
				en = st + (1 + cap_rnd(&seed) % (cap_rnd(&seed) & 1 ? 16 : 16384)) * PAGE;
				if (en > hi)
					en = hi;
				if (st >= en)
					break;
				if (overlap(st, en, s, s + size)) {
					if (st < s && cap_rnd(&seed) & 1)
						en = s;		/* touching the region */
					else {
						lo = s + size;
						continue;
					}
				}
				x[n++] = (struct lb_mem_range){ st, en, LB_MEM_RAM };
				lo = en + (cap_rnd(&seed) % 3 ? 0 : PAGE);
			}
		}
		cm.m.extra = x;
		cm.m.nr_extra = n;
		ck_assert_msg(lb_image_meta_size(&cm.m) > 0, "iteration %u: machine refused", iter);
		ck_assert_msg(lb_image_meta_size(&cm.m) <= bound,
			      "iteration %u: %u extras (bound for %u): meta %llu > bound %llu", iter,
			      n, want, (unsigned long long)lb_image_meta_size(&cm.m),
			      (unsigned long long)bound);
		{
			uint8_t *initrd = initrd_of(in.initrd_len);

			cap_build(&b, &cm.m, k, 0x3000, initrd, in.initrd_len, "");
			free(initrd);
		}
		if (extras_total(&cm.m) >= LB_MIN_RUNTIME)
			ck_assert_msg(b.ret == 0, "iteration %u: %d %s", iter, b.ret, b.err.msg);
		if (b.ret == 0) {
			ck_assert_uint_eq(b.img.free_ram,
					  cm.m.region_end - b.img.meta_pa - b.img.meta_len -
					  b.img.kernel_memsz - (cm.m.region_end - b.img.initrd_pa) +
					  extras_total(&cm.m));
			check_e820_extras(&b, &cm.m);
			check_loads_extras(&b, &cm.m);
			built++;
		} else {
			ck_assert_msg(b.ret == -ENOSPC, "iteration %u: %d %s", iter, b.ret,
				      b.err.msg);
		}
		cap_build_free(&b);
	}
	ck_assert_uint_gt(built, 150);
	free(x);
	free(k);
}
END_TEST

/*
 * RAM in many pieces between 1 MiB and 2 MiB: every piece is dumped when
 * the region lies elsewhere, so the bound must count them, whatever the
 * CPU count puts the metadata block near a multiple of the alignment.
 */
START_TEST(extra_contig_need_fragmented_low_ram)
{
	struct cap_machine cm;
	struct lb_mem_range high[8];
	struct lb_image_input in = { 0 };
	struct lb_err err = { "" };
	uint8_t *k = cap_fake_bzimage(0x3000, (uint32_t)MiB(8));
	uint64_t size, align, bound, meta;
	unsigned int cpus, i, bad = 0, first_bad = 0;
	struct cap_build b;

	in.kernel = k;
	in.kernel_len = 0x3000;
	for (cpus = 1; cpus <= 8192; cpus++) {
		cap_machine_init(&cm, false);
		memcpy(high, &cm.ranges[4], sizeof(high));
		cm.m.nr_ranges = 3;
		for (i = 0; i < 128; i++)
			cap_machine_add(&cm, MiB(1) + 2 * i * PAGE, MiB(1) + (2 * i + 1) * PAGE,
					LB_MEM_RAM);
		cap_machine_add(&cm, MiB(2), 0x7ffd0000, LB_MEM_RAM);
		for (i = 0; i < 8; i++)
			cap_machine_add(&cm, high[i].start, high[i].end, high[i].type);
		cm.m.nr_cpus = cpus;
		ck_assert_int_eq(lb_image_contig_need(&cm.m, &in, 0, &size, &align, &err), 0);
		bound = size - MiB(8);
		cm.m.region_start = MiB(16);
		cm.m.region_end = MiB(16) + size;
		meta = lb_image_meta_size(&cm.m);
		ck_assert_uint_gt(meta, 0);
		if (meta > bound && !bad++)
			first_bad = cpus;
	}
	if (bad) {
		char msg[sizeof(b.err.msg)];
		int ret;

		cm.m.nr_cpus = first_bad;
		ck_assert_int_eq(lb_image_contig_need(&cm.m, &in, 0, &size, &align, &err), 0);
		cm.m.region_end = MiB(16) + size;
		meta = lb_image_meta_size(&cm.m);
		cap_build(&b, &cm.m, k, 0x3000, NULL, 0, "");
		ret = b.ret;
		memcpy(msg, b.err.msg, sizeof(msg));
		cap_build_free(&b);
		free(k);
		ck_abort_msg("%u CPU counts (first %u) give a metadata block of %llu bytes over the bound %llu; build: %d %s",
			     bad, first_bad, (unsigned long long)meta,
			     (unsigned long long)(size - MiB(8)), ret, msg);
	}
	free(k);
}
END_TEST

static Suite *capture_extra_suite(void)
{
	Suite *s = suite_create("capture_extra");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, extra_memmap_exact);
	tcase_add_test(tc, extra_memmap_properties);
	tcase_add_test(tc, extra_elfcore_loads);
	tcase_add_test(tc, extra_elfcore_exact);
	tcase_add_test(tc, extra_free_ram_counts_extras);
	tcase_add_test(tc, extra_small_region_needs_extras);
	tcase_add_test(tc, extra_refusals);
	tcase_add_test(tc, extra_refused_by_firmware_map);
	tcase_add_test(tc, extra_contig_need_fits);
	tcase_add_test(tc, extra_contig_need_fragmented_low_ram);
	tcase_add_test(tc, extra_random_runtime_regions);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(capture_extra_suite)
