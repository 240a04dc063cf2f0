// SPDX-License-Identifier: GPL-2.0
/* lb_err_set: the sentence and the errno travel together. */
#include "lifeboat/image.h"
#include "unit.h"

START_TEST(err_formats_and_returns_negative)
{
	struct lb_err err;
	int ret = lb_err_set(&err, ENOSPC, "region too small: %u MiB", 12u);

	ck_assert_int_eq(ret, -ENOSPC);
	ck_assert_str_eq(err.msg, "region too small: 12 MiB");
}
END_TEST

START_TEST(err_null_context_still_returns)
{
	ck_assert_int_eq(lb_err_set(NULL, EINVAL, "x"), -EINVAL);
}
END_TEST

START_TEST(err_truncates_long_messages)
{
	struct lb_err err;
	char big[600];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	lb_err_set(&err, E2BIG, "%s", big);
	ck_assert_uint_eq(strlen(err.msg), sizeof(err.msg) - 1);
}
END_TEST

static Suite *err_suite(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, err_formats_and_returns_negative);
	tcase_add_test(tc, err_null_context_still_returns);
	tcase_add_test(tc, err_truncates_long_messages);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(err_suite)
