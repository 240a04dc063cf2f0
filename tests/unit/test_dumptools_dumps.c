// SPDX-License-Identifier: GPL-2.0
/*
 * The dump directories (names, pruning), the saver's free-space decision,
 * and makedumpfile's estimate.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dumptools.h"
#include "unit.h"

START_TEST(dump_names)
{
	char buf[LB_DUMP_NAME_LEN];

	ck_assert_int_eq(lb_dump_name(1763712900LL, 0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "20251121-081500");
	ck_assert_int_eq(lb_dump_name(1763712900LL, 2, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "20251121-081500-2");
	ck_assert_int_eq(lb_dump_name(0, 0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "19700101-000000");
	ck_assert_int_eq(lb_dump_name(-1, 0, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(lb_dump_name(1763712900LL, 0, buf, 10), -ENOSPC);

	ck_assert_int_eq(lb_dump_kind("20251121-081500"), LB_DUMP_COMPLETE);
	ck_assert_int_eq(lb_dump_kind("20251121-081500-2"), LB_DUMP_COMPLETE);
	ck_assert_int_eq(lb_dump_kind("20251121-081500-999"), LB_DUMP_COMPLETE);
	ck_assert_int_eq(lb_dump_kind("20251121-081500.incomplete"), LB_DUMP_INCOMPLETE);
	ck_assert_int_eq(lb_dump_kind("20251121-081500-3.incomplete"), LB_DUMP_INCOMPLETE);
	ck_assert_int_eq(lb_dump_kind("20251121-081500-1000"), LB_DUMP_NONE);
	ck_assert_int_eq(lb_dump_kind("20251121-081500-0"), LB_DUMP_NONE);
	ck_assert_int_eq(lb_dump_kind("20251121-081500-"), LB_DUMP_NONE);
	ck_assert_int_eq(lb_dump_kind("20251121-08150"), LB_DUMP_NONE);
	ck_assert_int_eq(lb_dump_kind("2025112a-081500"), LB_DUMP_NONE);
	ck_assert_int_eq(lb_dump_kind(".incomplete"), LB_DUMP_NONE);
	ck_assert_int_eq(lb_dump_kind("lost+found"), LB_DUMP_NONE);
	ck_assert_int_eq(lb_dump_kind("20251121-081500x"), LB_DUMP_NONE);
	ck_assert_int_eq(lb_dump_kind(""), LB_DUMP_NONE);
}
END_TEST

START_TEST(dump_order)
{
	const char *names[] = { "20251121-081500-10", "lost+found", "20251121-081500.incomplete",
				"20251121-081500-2", "20240101-000000", "20251121-081500" };
	const char *want[] = { "lost+found", "20240101-000000", "20251121-081500.incomplete",
			       "20251121-081500", "20251121-081500-2", "20251121-081500-10" };
	size_t i;

	qsort(names, 6, sizeof(names[0]), lb_dump_name_cmp);
	/* .incomplete and the plain name are the same second; stable among themselves is enough. */
	ck_assert_str_eq(names[0], want[0]);
	ck_assert_str_eq(names[1], want[1]);
	for (i = 4; i < 6; i++)
		ck_assert_str_eq(names[i], want[i]);
}
END_TEST

static int chosen(const size_t *v, size_t nv, size_t i)
{
	size_t k;

	for (k = 0; k < nv; k++)
		if (v[k] == i)
			return 1;
	return 0;
}

START_TEST(dump_prune_oldest_beyond_keep)
{
	const char *names[] = { "20250301-000000", "notes.txt", "20250101-000000.incomplete",
				"20250401-000000", "20250201-000000", "20250101-000000-2" };
	size_t v[6], nv;

	nv = lb_dumps_to_prune(names, 6, 3, v);
	ck_assert_uint_eq(nv, 2);
	ck_assert(chosen(v, nv, 2));	/* 20250101-000000.incomplete */
	ck_assert(chosen(v, nv, 5));	/* 20250101-000000-2 */
	ck_assert(!chosen(v, nv, 1));	/* never a name that is not a dump */

	ck_assert_uint_eq(lb_dumps_to_prune(names, 6, 5, v), 0);
	ck_assert_uint_eq(lb_dumps_to_prune(names, 6, 100, v), 0);
	nv = lb_dumps_to_prune(names, 6, 0, v);
	ck_assert_uint_eq(nv, 5);
	ck_assert(!chosen(v, nv, 1));
	nv = lb_dumps_to_prune(names, 6, 4, v);
	ck_assert_uint_eq(nv, 1);
	ck_assert_uint_eq(v[0], 2);
	ck_assert_uint_eq(lb_dumps_to_prune(names, 0, 1, v), 0);
}
END_TEST

START_TEST(space_bound_and_fit)
{
	unsigned long long gib = 1ULL << 30, bound = lb_dump_bound(gib, 4096);

	/* 262144 pages: the pages, two 32 KiB bitmaps, 6 MiB of descriptors, 1 MiB. */
	ck_assert(bound == gib + 2 * 32768 + 24 * 262144ULL + (1 << 20));
	ck_assert(lb_dump_bound(gib, 0) == bound);
	ck_assert(lb_dump_need(64ULL << 20) == (64ULL << 20) + (1 << 20) + (1 << 20));

	ck_assert(lb_space_fits(100, 30, 70));
	ck_assert(!lb_space_fits(100, 31, 70));
	ck_assert(!lb_space_fits(50, 1, 70));
	ck_assert(lb_space_fits(~0ULL, ~0ULL - 1, 1));
}
END_TEST

START_TEST(space_makedumpfile_estimate)
{
	static const char stats[] =
		"Excluding unnecessary pages        : [100.0 %] |\n"
		"Original pages  : 0x000000000003ff7e\n"
		"  Remaining pages  : 0x0000000000007fd5\n"
		"Total pages     : 0x0000000000040000\n"
		"Write bytes     : 28311552\n"
		"\nCache hit: 1, miss: 2\n";
	unsigned long long v = 0;

	ck_assert_int_eq(lb_mdf_write_bytes(stats, strlen(stats), &v), 0);
	ck_assert(v == 28311552ULL);
	ck_assert_int_eq(lb_mdf_write_bytes("Write bytes     : \n", 19, &v), -ENOENT);
	ck_assert_int_eq(lb_mdf_write_bytes("Write bytes 5\n", 14, &v), -ENOENT);
	ck_assert_int_eq(lb_mdf_write_bytes("nothing", 7, &v), -ENOENT);
	ck_assert_int_eq(lb_mdf_write_bytes("Write bytes : 99999999999999999999999\n", 38, &v),
			 -ERANGE);
	/* Cut in the middle of the number: the digits that are there. */
	ck_assert_int_eq(lb_mdf_write_bytes(stats, strstr(stats, "311552") - stats, &v), 0);
	ck_assert(v == 28ULL);
}
END_TEST

static Suite *dumptools_dumps_suite(void)
{
	Suite *s = suite_create("dumptools-dumps");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, dump_names);
	tcase_add_test(tc, dump_order);
	tcase_add_test(tc, dump_prune_oldest_beyond_keep);
	tcase_add_test(tc, space_bound_and_fit);
	tcase_add_test(tc, space_makedumpfile_estimate);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(dumptools_dumps_suite)
