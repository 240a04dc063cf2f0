// SPDX-License-Identifier: GPL-2.0
/*
 * The capture kernel's E820 map, read back from boot_params: exact maps for
 * a crashkernel= machine and a memmap=SIZE$START machine, the rules checked
 * as properties, merging, and the entry limit.
 */
#include <stdlib.h>
#include <string.h>

#include "data/capture_fixture.h"
#include "unit.h"

/* The rules, whatever the machine. */
static void check_rules(const struct cap_build *b, const struct lb_machine *m,
			const struct cap_ival *e, unsigned int nr)
{
	uint64_t meta_end = b->img.meta_pa + b->img.meta_len;
	uint64_t s, t;
	unsigned int i, j;
	bool found;

	ck_assert_uint_ge(nr, 2);
	for (i = 0; i < nr; i++) {
		ck_assert_uint_lt(e[i].start, e[i].end);
		if (i) {
			ck_assert_msg(e[i].start >= e[i - 1].end, "entry %u overlaps or is unsorted", i);
			ck_assert_msg(!(e[i].start == e[i - 1].end && e[i].type == e[i - 1].type),
				      "entries %u and %u should be merged", i - 1, i);
		}
		ck_assert_msg(e[i].type == 1 || e[i].type == 2 || e[i].type == 3 || e[i].type == 4,
			      "entry %u has type %u", i, e[i].type);
		if (e[i].type == 1)
			ck_assert_msg(e[i].end <= MiB(1) ||
				      (e[i].start >= meta_end && e[i].end <= m->region_end),
				      "RAM entry %u [0x%llx, 0x%llx) outside low memory and region", i,
				      (unsigned long long)e[i].start, (unsigned long long)e[i].end);
		else
			/* Nothing but the metadata block is not RAM in the region. */
			ck_assert_msg(e[i].end <= m->region_start || e[i].start >= m->region_end ||
				      (e[i].type == 2 && e[i].end == meta_end),
				      "entry %u of type %u overlaps the region", i, e[i].type);
	}
	/* The metadata block is reserved, the rest of the region is RAM. */
	for (i = 0, found = false; i < nr; i++)
		if (e[i].type == 2 && e[i].start <= m->region_start && e[i].end == meta_end)
			found = true;
	ck_assert_msg(found, "the metadata block is not reserved");
	for (i = 0, found = false; i < nr; i++)
		if (e[i].type == 1 && e[i].start == meta_end && e[i].end == m->region_end)
			found = true;
	ck_assert_msg(found, "the region after the metadata is not one RAM entry");
	/* Low RAM, ACPI, NVS and reserved ranges are kept (minus the region). */
	for (j = 0; j < m->nr_ranges; j++) {
		const struct lb_mem_range *r = &m->ranges[j];

		if (r->type == 1) {
			if (r->start >= MiB(1))
				continue;
			s = r->start;
			t = r->end < MiB(1) ? r->end : MiB(1);
		} else if (r->type >= 2 && r->type <= 4) {
			s = r->start;
			t = r->end;
			if (s < m->region_end && t > m->region_start) {
				/* The part below the region, if any; above is similar. */
				t = m->region_start;
			}
		} else {
			for (i = 0; i < nr; i++)
				ck_assert_msg(e[i].end <= r->start || e[i].start >= r->end,
					      "a range of type %u was passed on", r->type);
			continue;
		}
		if (s >= t)
			continue;
		for (i = 0, found = false; i < nr; i++)
			if (e[i].type == r->type && e[i].start <= s && e[i].end >= t)
				found = true;
		ck_assert_msg(found, "machine range [0x%llx, 0x%llx) type %u is lost",
			      (unsigned long long)s, (unsigned long long)t, r->type);
	}
}

START_TEST(memmap_crashkernel_style)
{
	struct cap_machine cm;
	struct cap_build b;
	struct cap_ival e[128];
	unsigned int nr;
	uint64_t me;

	cap_machine_crashkernel(&cm, false);
	cap_build_fake_ok(&b, &cm.m);
	nr = cap_read_e820(&b, e);
	me = MiB(688) + b.img.meta_len;
	{
		const struct cap_ival want[] = {
			{ 0, 0x9fc00, 1 },
			{ 0x9fc00, 0xa0000, 2 },
			{ 0xf0000, 0x100000, 2 },
			{ MiB(688), me, 2 },
			{ me, MiB(944), 1 },
			{ 0x7ffd0000, 0x7ffe0000, 3 },
			{ 0x7ffe0000, 0x7fff0000, 4 },
			{ 0x7fff0000, 0x80000000, 2 },
			{ 0xb0000000, 0xc0000000, 2 },
			{ 0xfed1c000, 0xfed20000, 2 },
			{ 0xfffc0000, 0x100000000, 2 },
			{ 0xfd00000000, 0x10000000000, 2 },
		};

		cap_check_e820_exact(e, nr, want, sizeof(want) / sizeof(want[0]));
	}
	check_rules(&b, &cm.m, e, nr);
	cap_build_free(&b);
}
END_TEST

START_TEST(memmap_memmap_style)
{
	struct cap_machine cm;
	struct cap_build b;
	struct cap_ival e[128];
	unsigned int nr, i;
	uint64_t me;

	cap_machine_memmap(&cm, false);
	cap_build_fake_ok(&b, &cm.m);
	nr = cap_read_e820(&b, e);
	me = MiB(512) + b.img.meta_len;
	{
		const struct cap_ival want[] = {
			{ 0, 0x9fc00, 1 },
			{ 0x9fc00, 0xa0000, 2 },
			{ 0xf0000, 0x100000, 2 },
			{ MiB(512), me, 2 },
			{ me, MiB(768), 1 },
			{ 0x7ffd0000, 0x7ffe0000, 3 },
			{ 0x7ffe0000, 0x7fff0000, 4 },
			{ 0x7fff0000, 0x80000000, 2 },
			{ 0xb0000000, 0xc0000000, 2 },
			{ 0xfed1c000, 0xfed20000, 2 },
			{ 0xfffc0000, 0x100000000, 2 },
			{ 0xfd00000000, 0x10000000000, 2 },
		};

		cap_check_e820_exact(e, nr, want, sizeof(want) / sizeof(want[0]));
	}
	check_rules(&b, &cm.m, e, nr);
	/* The region is RAM and not also reserved (the higher type would win). */
	for (i = 0; i < nr; i++)
		if (e[i].type != 1)
			ck_assert(e[i].end <= me || e[i].start >= MiB(768));
	cap_build_free(&b);
}
END_TEST

/* memmap$ inside a larger reserved range: the pieces around stay, merged. */
START_TEST(memmap_region_inside_larger_reserved)
{
	struct cap_machine cm;
	struct cap_build b;
	struct cap_ival e[128];
	unsigned int nr;
	uint64_t me;

	cap_machine_memmap(&cm, false);
	cm.ranges[3].end = MiB(500);
	cm.ranges[4].start = MiB(500);
	cm.ranges[4].end = MiB(800);
	cm.ranges[5].start = MiB(800);
	cap_build_fake_ok(&b, &cm.m);
	nr = cap_read_e820(&b, e);
	me = MiB(512) + b.img.meta_len;
	ck_assert_uint_eq(e[3].start, MiB(500));
	ck_assert_uint_eq(e[3].end, me);
	ck_assert_uint_eq(e[3].type, 2);
	ck_assert_uint_eq(e[4].start, me);
	ck_assert_uint_eq(e[4].end, MiB(768));
	ck_assert_uint_eq(e[4].type, 1);
	ck_assert_uint_eq(e[5].start, MiB(768));
	ck_assert_uint_eq(e[5].end, MiB(800));
	ck_assert_uint_eq(e[5].type, 2);
	check_rules(&b, &cm.m, e, nr);
	cap_build_free(&b);
}
END_TEST

/* A region over RAM, a reserved hole and RAM again. */
START_TEST(memmap_region_over_mixed_ranges)
{
	struct cap_machine cm;
	struct cap_build b;
	struct cap_ival e[128];
	unsigned int nr;

	cap_machine_memmap(&cm, false);
	cm.ranges[4].start = MiB(600);
	cm.ranges[4].end = MiB(700);
	cm.ranges[3].end = MiB(600);
	cm.ranges[5].start = MiB(700);
	cap_build_fake_ok(&b, &cm.m);
	nr = cap_read_e820(&b, e);
	check_rules(&b, &cm.m, e, nr);
	ck_assert_uint_eq(e[4].start, MiB(512) + b.img.meta_len);
	ck_assert_uint_eq(e[4].end, MiB(768));
	ck_assert_uint_eq(e[4].type, 1);
	cap_build_free(&b);
}
END_TEST

/* Types other than RAM, ACPI, NVS and reserved are not passed on. */
START_TEST(memmap_other_types_dropped)
{
	struct cap_machine cm;
	struct cap_build b;
	struct cap_ival e[128];
	unsigned int nr;

	cap_machine_crashkernel(&cm, false);
	cap_machine_add(&cm, 0x20000000000ULL, 0x20100000000ULL, LB_MEM_PMEM);
	cap_machine_add(&cm, 0x20100000000ULL, 0x20200000000ULL, LB_MEM_UNUSABLE);
	cap_machine_add(&cm, 0x20200000000ULL, 0x20300000000ULL, LB_MEM_PRAM);
	cap_build_fake_ok(&b, &cm.m);
	nr = cap_read_e820(&b, e);
	ck_assert_uint_eq(nr, 12);
	check_rules(&b, &cm.m, e, nr);
	cap_build_free(&b);
}
END_TEST

START_TEST(memmap_adjacent_entries_merge)
{
	struct cap_machine cm;
	struct cap_build b;
	struct cap_ival e[128];
	unsigned int nr, i;
	uint64_t base = 0x20000000000ULL;

	/* 200 touching reserved ranges become one entry. */
	cap_machine_crashkernel(&cm, false);
	for (i = 0; i < 200; i++)
		cap_machine_add(&cm, base + i * 4096ULL, base + (i + 1) * 4096ULL,
				LB_MEM_RESERVED);
	cap_build_fake_ok(&b, &cm.m);
	nr = cap_read_e820(&b, e);
	ck_assert_uint_eq(nr, 13);
	ck_assert_uint_eq(e[12].start, base);
	ck_assert_uint_eq(e[12].end, base + 200 * 4096ULL);
	check_rules(&b, &cm.m, e, nr);
	cap_build_free(&b);
}
END_TEST

START_TEST(memmap_too_many_entries)
{
	struct cap_machine cm;
	struct cap_build b;
	uint8_t *k = cap_fake_bzimage(0x3000, (uint32_t)MiB(16));
	uint64_t base = 0x20000000000ULL;
	unsigned int i;

	/* 12 entries already; 116 more separate ranges is exactly 128. */
	cap_machine_crashkernel(&cm, false);
	for (i = 0; i < 116; i++)
		cap_machine_add(&cm, base + i * 8192ULL, base + i * 8192ULL + 4096,
				i & 1 ? LB_MEM_ACPI : LB_MEM_NVS);
	cap_build(&b, &cm.m, k, 0x3000, NULL, 0, "");
	ck_assert_msg(b.ret == 0, "%s", b.err.msg);
	ck_assert_uint_eq(cap_meta_at(&b, b.img.boot_params_pa)[0x1e8], 128);
	cap_build_free(&b);
	/* One more: -E2BIG. */
	cap_machine_add(&cm, base + 116 * 8192ULL, base + 116 * 8192ULL + 4096, LB_MEM_RESERVED);
	cap_build(&b, &cm.m, k, 0x3000, NULL, 0, "");
	ck_assert_int_eq(b.ret, -E2BIG);
	ck_assert_msg(strstr(b.err.msg, "memory map needs more than 128 entries"),
		      "message: %s", b.err.msg);
	cap_build_free(&b);
	free(k);
}
END_TEST

/* Random machines: the rules hold whatever the map looks like. */
START_TEST(memmap_random_machines)
{
	static const uint32_t types[] = { 1, 1, 1, 2, 2, 3, 4, 5, 7, 12 };
	struct cap_machine cm;
	struct cap_build b;
	struct cap_ival e[128];
	uint8_t *k = cap_fake_bzimage(0x3000, (uint32_t)MiB(8));
	uint64_t seed = 0x9e3779b97f4a7c15ULL, cur, len;
	unsigned int iter, nr, n, pick, built = 0;

	for (iter = 0; iter < 300; iter++) {
		cap_machine_init(&cm, cap_rnd(&seed) & 1);
		cm.m.nr_ranges = 0;
		cur = (cap_rnd(&seed) % 64) * 4096;
		n = 2 + cap_rnd(&seed) % 40;
		while (cm.m.nr_ranges < n) {
			len = (1 + cap_rnd(&seed) % 4096) * 4096 * (cap_rnd(&seed) % 3 ? 1 : 1024);
			cap_machine_add(&cm, cur, cur + len, types[cap_rnd(&seed) % 10]);
			cur += len + (cap_rnd(&seed) % 3 ? 0 : (cap_rnd(&seed) % 1024) * 4096);
		}
		/* The region: a big RAM or reserved range, at or above 1 MiB. */
		len = MiB(64) + (cap_rnd(&seed) % 64) * MiB(1);
		cap_machine_add(&cm, cur + MiB(1), cur + MiB(1) + len + MiB(3),
				cap_rnd(&seed) & 1 ? LB_MEM_RAM : LB_MEM_RESERVED);
		cm.m.region_start = cur + MiB(1) + (cap_rnd(&seed) % 3) * MiB(1);
		cm.m.region_end = cm.m.region_start + len;
		pick = cm.m.nr_ranges;
		while (pick < 40) {
			len = (1 + cap_rnd(&seed) % 64) * 4096;
			cur = cm.ranges[cm.m.nr_ranges - 1].end + (cap_rnd(&seed) % 2) * 4096;
			cap_machine_add(&cm, cur, cur + len, types[cap_rnd(&seed) % 10]);
			pick++;
		}
		cap_build(&b, &cm.m, k, 0x3000, NULL, 0, "");
		if (b.ret == -E2BIG) {
			cap_build_free(&b);
			continue;
		}
		ck_assert_msg(b.ret == 0, "iteration %u: %d %s", iter, b.ret, b.err.msg);
		nr = cap_read_e820(&b, e);
		check_rules(&b, &cm.m, e, nr);
		cap_build_free(&b);
		built++;
	}
	/* Most maps fit in 128 entries: the test is not vacuous. */
	ck_assert_uint_gt(built, 200);
	free(k);
}
END_TEST

static Suite *capture_memmap_suite(void)
{
	Suite *s = suite_create("capture_memmap");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, memmap_crashkernel_style);
	tcase_add_test(tc, memmap_memmap_style);
	tcase_add_test(tc, memmap_region_inside_larger_reserved);
	tcase_add_test(tc, memmap_region_over_mixed_ranges);
	tcase_add_test(tc, memmap_other_types_dropped);
	tcase_add_test(tc, memmap_adjacent_entries_merge);
	tcase_add_test(tc, memmap_too_many_entries);
	tcase_add_test(tc, memmap_random_machines);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(capture_memmap_suite)
