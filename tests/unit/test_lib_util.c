// SPDX-License-Identifier: GPL-2.0
/* lib/util.c: times and the last line of a program's output. */
#include <errno.h>
#include <string.h>

#include "dumptools.h"
#include "unit.h"

START_TEST(time_format)
{
	char buf[64];

	ck_assert_int_eq(lb_time_format(buf, sizeof(buf), 1763712900), 0);
	ck_assert_str_eq(buf, "2025-11-21 08:15:00 UTC");
	ck_assert_int_eq(lb_time_format(buf, sizeof(buf), -1), -EINVAL);
	ck_assert_int_eq(lb_time_format(buf, 8, 0), -EINVAL);
}
END_TEST

START_TEST(last_line)
{
	static const char out[] = "Copying data  : [ 40.0 %] \r Copying data  : [100.0 %]\n"
				  "makedumpfile Failed.\n\n";
	char line[64];

	lb_last_line(out, strlen(out), line, sizeof(line));
	ck_assert_str_eq(line, "makedumpfile Failed.");
	lb_last_line(out, strlen(out) - 22, line, sizeof(line));
	ck_assert_str_eq(line, " Copying data  : [100.0 %]");
	lb_last_line("\x01x\n", 3, line, sizeof(line));
	ck_assert_str_eq(line, "?x");
	lb_last_line("", 0, line, sizeof(line));
	ck_assert_str_eq(line, "");
}
END_TEST

static Suite *lib_util_suite(void)
{
	Suite *s = suite_create("lib-util");
	TCase *tc = tcase_create("util");

	tcase_add_test(tc, time_format);
	tcase_add_test(tc, last_line);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(lib_util_suite)
