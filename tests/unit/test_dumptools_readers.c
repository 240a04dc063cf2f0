// SPDX-License-Identifier: GPL-2.0
/* Which crash and drgn read which kernels' dumps (lib/readers.c). */
#include <errno.h>
#include <string.h>

#include "readers.h"
#include "unit.h"

START_TEST(version_cmp)
{
	ck_assert_int_eq(lb_version_cmp("8.0.2", "8.0.6"), -1);
	ck_assert_int_eq(lb_version_cmp("8.0.10", "8.0.6"), 1);
	ck_assert_int_eq(lb_version_cmp("9.0.0", "8.0.6"), 1);
	ck_assert_int_eq(lb_version_cmp("0.0.28", "0.0.28"), 0);
	ck_assert_int_eq(lb_version_cmp("8.0.2-1", "8.0.2"), 0);
	ck_assert_int_eq(lb_version_cmp("8.0", "8.0.0"), 0);
	ck_assert_int_eq(lb_version_cmp("0.0.22+git", "0.0.23"), -1);
	ck_assert_int_eq(lb_version_cmp("", "8.0.2"), -2);
	ck_assert_int_eq(lb_version_cmp("crash", "8.0.2"), -2);
	ck_assert_int_eq(lb_version_cmp(NULL, "8.0.2"), -2);
	ck_assert_int_eq(lb_version_cmp("99999999999999999999", "8"), -2);
}
END_TEST

START_TEST(kernel_series)
{
	unsigned int ma = 0, mi = 0;

	ck_assert_int_eq(lb_kernel_series("6.12.117+deb12-amd64", &ma, &mi), 0);
	ck_assert_uint_eq(ma, 6);
	ck_assert_uint_eq(mi, 12);
	ck_assert_int_eq(lb_kernel_series("6.1.0-57-amd64", &ma, &mi), 0);
	ck_assert_uint_eq(mi, 1);
	ck_assert_int_eq(lb_kernel_series("6", &ma, &mi), -EINVAL);
	ck_assert_int_eq(lb_kernel_series("unknown", &ma, &mi), -EINVAL);
	ck_assert_int_eq(lb_kernel_series("", &ma, &mi), -EINVAL);
	ck_assert_int_eq(lb_kernel_series(NULL, &ma, &mi), -EINVAL);
}
END_TEST

START_TEST(version_parse)
{
	static const char crash[] = "\ncrash 8.0.2\nCopyright (C) 2002-2022  Red Hat, Inc.\n";
	static const char drgn[] = "0.0.22\n";
	static const char drgn2[] = "drgn 0.0.28 (using Python 3.11.2, elfutils 0.188)\n";
	char buf[32];

	ck_assert_int_eq(lb_reader_version_parse(crash, strlen(crash), buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "8.0.2");
	ck_assert_int_eq(lb_reader_version_parse(drgn, strlen(drgn), buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "0.0.22");
	ck_assert_int_eq(lb_reader_version_parse(drgn2, strlen(drgn2), buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "0.0.28");
	/* Only the given length is read. */
	ck_assert_int_eq(lb_reader_version_parse(crash, 7, buf, sizeof(buf)), -ENOENT);
	ck_assert_int_eq(lb_reader_version_parse("crash: command not found\n", 25, buf, sizeof(buf)),
			 -ENOENT);
	ck_assert_int_eq(lb_reader_version_parse("2022 x\n", 7, buf, sizeof(buf)), -ENOENT);
	ck_assert_int_eq(lb_reader_version_parse(drgn, strlen(drgn), buf, 4), -ENOENT);
	ck_assert_int_eq(lb_reader_version_parse("", 0, buf, sizeof(buf)), -ENOENT);
}
END_TEST

static enum lb_reader_verdict check(enum lb_reader r, const char *v, const char *rel,
				    const char **need)
{
	return lb_reader_check(r, v, rel, need);
}

START_TEST(debian12_readers)
{
	const char *need = "x";

	/* What Debian 12 ships reads its own 6.1 kernel... */
	ck_assert_int_eq(check(LB_READER_CRASH, "8.0.2", "6.1.0-57-amd64", &need), LB_READER_OK);
	ck_assert_str_eq(need, "8.0.2");
	ck_assert_int_eq(check(LB_READER_DRGN, "0.0.22", "6.1.0-57-amd64", &need), LB_READER_OK);
	/* ...and not the 6.12 kernel of the same archive. */
	ck_assert_int_eq(check(LB_READER_CRASH, "8.0.2", "6.12.117+deb12-amd64", &need),
			 LB_READER_TOO_OLD);
	ck_assert_str_eq(need, "8.0.6");
	ck_assert_int_eq(check(LB_READER_DRGN, "0.0.22", "6.12.117+deb12-amd64", &need),
			 LB_READER_TOO_OLD);
	ck_assert_str_eq(need, "0.0.28");
	ck_assert_int_eq(check(LB_READER_DRGN, "0.0.27", "6.12.117+deb12-rt-amd64", &need),
			 LB_READER_TOO_OLD);
}
END_TEST

START_TEST(newer_readers)
{
	const char *need;

	ck_assert_int_eq(check(LB_READER_CRASH, "8.0.6", "6.12.117+deb12-amd64", &need), LB_READER_OK);
	ck_assert_int_eq(check(LB_READER_CRASH, "9.0.2", "6.12.117+deb12-amd64", &need), LB_READER_OK);
	ck_assert_int_eq(check(LB_READER_DRGN, "0.0.28", "6.12.117+deb12-amd64", &need), LB_READER_OK);
	ck_assert_int_eq(check(LB_READER_DRGN, "0.1.0", "6.12.117+deb12-amd64", &need), LB_READER_OK);
	/* 6.10 broke crash < 8.0.6 at start-up. */
	ck_assert_int_eq(check(LB_READER_CRASH, "8.0.5", "6.10.0", &need), LB_READER_TOO_OLD);
	ck_assert_str_eq(need, "8.0.6");
	ck_assert_int_eq(check(LB_READER_CRASH, "8.0.6", "6.13.2", &need), LB_READER_TOO_OLD);
	ck_assert_str_eq(need, "9.0.0");
	/* 6.4: crash < 8.0.4 cannot start, drgn < 0.0.23 cannot unwind. */
	ck_assert_int_eq(check(LB_READER_CRASH, "8.0.3", "6.4.0", &need), LB_READER_TOO_OLD);
	ck_assert_str_eq(need, "8.0.4");
	ck_assert_int_eq(check(LB_READER_DRGN, "0.0.22", "6.4.0", &need), LB_READER_TOO_OLD);
	ck_assert_str_eq(need, "0.0.23");
}
END_TEST

START_TEST(outside_the_table)
{
	const char *need = "x";

	/* Older than the first row: the table asks nothing. */
	ck_assert_int_eq(check(LB_READER_CRASH, "7.3.0", "5.10.0-30-amd64", &need), LB_READER_OK);
	ck_assert_ptr_null(need);
	/* Newer than the table knows: at least the newest row's, and a warning. */
	ck_assert_int_eq(check(LB_READER_CRASH, "9.0.2", "7.1.0", &need), LB_READER_UNKNOWN);
	ck_assert_str_eq(need, "9.0.0");
	ck_assert_int_eq(check(LB_READER_CRASH, "8.0.2", "6.19.1", &need), LB_READER_TOO_OLD);
	ck_assert_str_eq(need, "9.0.0");
	ck_assert_int_eq(check(LB_READER_DRGN, "0.0.33", "6.15.0", &need), LB_READER_UNKNOWN);
	/* Input it cannot judge. */
	ck_assert_int_eq(check(LB_READER_CRASH, "", "6.12.117+deb12-amd64", &need),
			 LB_READER_BAD_INPUT);
	ck_assert_ptr_null(need);
	ck_assert_int_eq(check(LB_READER_CRASH, "8.0.2", "unknown", NULL), LB_READER_BAD_INPUT);
	ck_assert_int_eq(check(LB_READER_DRGN, NULL, "6.12.1", NULL), LB_READER_BAD_INPUT);
}
END_TEST

START_TEST(table_is_ordered)
{
	const struct lb_reader_row *t;
	size_t nr, i;

	t = lb_reader_table(&nr);
	ck_assert_uint_ge(nr, 2);
	ck_assert_ptr_null(t[nr - 1].crash);
	ck_assert_ptr_null(t[nr - 1].drgn);
	for (i = 1; i < nr; i++) {
		ck_assert(t[i].major > t[i - 1].major ||
			  (t[i].major == t[i - 1].major && t[i].minor > t[i - 1].minor));
		if (i == nr - 1)
			break;
		ck_assert_ptr_nonnull(t[i].crash);
		ck_assert_int_ge(lb_version_cmp(t[i].crash, t[i - 1].crash), 0);
		ck_assert_int_ge(lb_version_cmp(t[i].drgn, t[i - 1].drgn), 0);
	}
	ck_assert_str_eq(lb_reader_name(LB_READER_CRASH), "crash");
	ck_assert_str_eq(lb_reader_name(LB_READER_DRGN), "drgn");
}
END_TEST

START_TEST(kdump_header_release)
{
	unsigned char head[4096];
	char out[65];

	memset(head, 0, sizeof(head));
	memcpy(head, "KDUMP   ", 8);
	head[8] = 6;	/* header version */
	memcpy(head + 12, "Linux", 5);
	memcpy(head + 12 + 65, "guest", 5);
	memcpy(head + 12 + 130, "6.12.117+deb12-amd64", 20);
	ck_assert_int_eq(lb_kdump_header_release(head, sizeof(head), out, sizeof(out)), 0);
	ck_assert_str_eq(out, "6.12.117+deb12-amd64");
	ck_assert_int_eq(lb_kdump_header_release(head, 12 + 130 + 64, out, sizeof(out)), -ENOENT);
	ck_assert_int_eq(lb_kdump_header_release(head, sizeof(head), out, 10), -ENOENT);
	/* A release that fills all 65 bytes has no terminator. */
	memset(head + 142, 'x', 65);
	ck_assert_int_eq(lb_kdump_header_release(head, sizeof(head), out, sizeof(out)), -ENOENT);
	memset(head + 142, 0, 65);
	ck_assert_int_eq(lb_kdump_header_release(head, sizeof(head), out, sizeof(out)), -ENOENT);
	memcpy(head + 142, "6.1.0", 5);
	memcpy(head, "\177ELF", 4);
	ck_assert_int_eq(lb_kdump_header_release(head, sizeof(head), out, sizeof(out)), -ENOENT);
}
END_TEST

static Suite *readers_suite(void)
{
	Suite *s = suite_create("dumptools-readers");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, version_cmp);
	tcase_add_test(tc, kernel_series);
	tcase_add_test(tc, version_parse);
	tcase_add_test(tc, debian12_readers);
	tcase_add_test(tc, newer_readers);
	tcase_add_test(tc, outside_the_table);
	tcase_add_test(tc, table_is_ordered);
	tcase_add_test(tc, kdump_header_release);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(readers_suite)
