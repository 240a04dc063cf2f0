// SPDX-License-Identifier: GPL-2.0
/*
 * The running kernel's memory map made sorted and non-overlapping
 * (builder/lib/range_trim.c), as the module collects it from the resource
 * tree kind by kind: System RAM, then ACPI tables, ACPI NVS and reserved
 * ranges, which may lie inside RAM or overlap each other.
 */
#include <stdlib.h>

#include "lifeboat/range_trim.h"
#include "unit.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void check_map(const struct lb_mem_range *got, unsigned int nr,
		      const struct lb_mem_range *want, unsigned int nr_want)
{
	unsigned int i;

	ck_assert_uint_eq(nr, nr_want);
	for (i = 0; i < nr; i++) {
		ck_assert_msg(got[i].start == want[i].start &&
			      got[i].end == want[i].end &&
			      got[i].type == want[i].type,
			      "range %u: [0x%llx, 0x%llx) type %u, want [0x%llx, 0x%llx) type %u",
			      i, (unsigned long long)got[i].start,
			      (unsigned long long)got[i].end, got[i].type,
			      (unsigned long long)want[i].start,
			      (unsigned long long)want[i].end, want[i].type);
	}
}

/* A SeaBIOS guest's resource tree, in the order the module walks it. */
START_TEST(trim_seabios_kinds)
{
	struct lb_mem_range r[] = {
		{ 0x1000, 0x9fc00, LB_MEM_RAM },
		{ 0x100000, 0x3ffdd000, LB_MEM_RAM },
		{ 0x0, 0x1000, LB_MEM_RESERVED },
		{ 0x9fc00, 0xa0000, LB_MEM_RESERVED },
		{ 0xf0000, 0x100000, LB_MEM_RESERVED },
		{ 0x3ffdd000, 0x40000000, LB_MEM_RESERVED },
		{ 0xfeffc000, 0xff000000, LB_MEM_RESERVED },
	};
	static const struct lb_mem_range want[] = {
		{ 0x0, 0x1000, LB_MEM_RESERVED },
		{ 0x1000, 0x9fc00, LB_MEM_RAM },
		{ 0x9fc00, 0xa0000, LB_MEM_RESERVED },
		{ 0xf0000, 0x100000, LB_MEM_RESERVED },
		{ 0x100000, 0x3ffdd000, LB_MEM_RAM },
		{ 0x3ffdd000, 0x40000000, LB_MEM_RESERVED },
		{ 0xfeffc000, 0xff000000, LB_MEM_RESERVED },
	};

	check_map(r, lb_ranges_sort_trim(r, ARRAY_LEN(r)), want, ARRAY_LEN(want));
}
END_TEST

/* Overlaps: the range that starts first keeps the overlap. */
START_TEST(trim_overlaps)
{
	struct lb_mem_range r[] = {
		{ 0x100000, 0x40000000, LB_MEM_RAM },
		/* inside RAM: dropped */
		{ 0x200000, 0x300000, LB_MEM_RESERVED },
		/* starts inside RAM, ends after it: keeps its tail */
		{ 0x3ff00000, 0x40100000, LB_MEM_ACPI },
		/* the same start as RAM, collected later: RAM stays first */
		{ 0x100000, 0x200000, LB_MEM_NVS },
		/* empty: dropped */
		{ 0x50000000, 0x50000000, LB_MEM_RESERVED },
		/* touching, not overlapping: kept whole */
		{ 0x40100000, 0x40200000, LB_MEM_RESERVED },
	};
	static const struct lb_mem_range want[] = {
		{ 0x100000, 0x40000000, LB_MEM_RAM },
		{ 0x40000000, 0x40100000, LB_MEM_ACPI },
		{ 0x40100000, 0x40200000, LB_MEM_RESERVED },
	};

	check_map(r, lb_ranges_sort_trim(r, ARRAY_LEN(r)), want, ARRAY_LEN(want));
}
END_TEST

START_TEST(trim_empty_and_one)
{
	struct lb_mem_range r[] = { { 0x1000, 0x2000, LB_MEM_RAM } };
	struct lb_mem_range e[] = { { 0x1000, 0x1000, LB_MEM_RAM } };

	ck_assert_uint_eq(lb_ranges_sort_trim(r, 0), 0);
	check_map(r, lb_ranges_sort_trim(r, 1), r, 1);
	ck_assert_uint_eq(lb_ranges_sort_trim(e, 1), 0);
}
END_TEST

/*
 * Random tables: the result is sorted, non-empty and non-overlapping, it
 * covers exactly the bytes the input covered, and each byte has the type of
 * the input range that starts first among those holding it (the first
 * collected, of two that start together).
 */
START_TEST(trim_random)
{
	enum { N = 40, SPAN = 256 };
	struct lb_mem_range r[N], in[N];
	unsigned int nr, nr_in, i, k, round, owner;
	uint64_t b;
	bool is;

	srand(12345);
	for (round = 0; round < 500; round++) {
		nr_in = (unsigned int)(rand() % N);
		for (i = 0; i < nr_in; i++) {
			r[i].start = (uint64_t)(rand() % SPAN);
			r[i].end = r[i].start + (uint64_t)(rand() % 32);
			r[i].type = (uint32_t)(1 + rand() % 4);
			in[i] = r[i];
		}
		nr = lb_ranges_sort_trim(r, nr_in);
		for (k = 0; k < nr; k++) {
			ck_assert(r[k].start < r[k].end);
			ck_assert(!k || r[k].start >= r[k - 1].end);
		}
		for (b = 0; b < SPAN + 32; b++) {
			owner = nr_in;
			for (i = 0; i < nr_in; i++)
				if (in[i].start <= b && b < in[i].end &&
				    (owner == nr_in || in[i].start < in[owner].start))
					owner = i;
			is = false;
			for (k = 0; k < nr; k++) {
				if (r[k].start <= b && b < r[k].end) {
					is = true;
					ck_assert(owner < nr_in);
					ck_assert_uint_eq(r[k].type, in[owner].type);
				}
			}
			ck_assert(is == (owner < nr_in));
		}
	}
}
END_TEST

static Suite *builder_range_trim_suite(void)
{
	Suite *s = suite_create("builder_range_trim");
	TCase *tc = tcase_create("range_trim");

	tcase_add_test(tc, trim_seabios_kinds);
	tcase_add_test(tc, trim_overlaps);
	tcase_add_test(tc, trim_empty_and_one);
	tcase_add_test(tc, trim_random);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(builder_range_trim_suite)
