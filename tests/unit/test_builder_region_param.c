// SPDX-License-Identifier: GPL-2.0
/*
 * region=SIZE@START (builder/lib/region_param.c): numbers read as the
 * kernel's memparse() reads them (bases, suffixes, where reading stops),
 * and the parameter refused with the sentence the module prints when it is
 * not SIZE@START or not made of non-zero multiples of 4 KiB.
 */
#include <string.h>

#include "lifeboat/region_param.h"
#include "unit.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct memparse_case {
	const char *in;
	uint64_t val;
	size_t used;	/* characters read */
};

static const struct memparse_case memparse_cases[] = {
	{ "256M", 256ULL << 20, 4 },
	{ "256m", 256ULL << 20, 4 },
	{ "4096", 4096, 4 },
	{ "1k", 1024, 2 },
	{ "1G", 1ULL << 30, 2 },
	{ "2T", 2ULL << 40, 2 },
	{ "3p", 3ULL << 50, 2 },
	{ "1E", 1ULL << 60, 2 },
	{ "0x30000000", 0x30000000, 10 },
	{ "0X1000", 0x1000, 6 },
	{ "0xfM", 15ULL << 20, 4 },
	{ "010", 8, 3 },		/* a leading 0: octal */
	{ "09", 0, 1 },			/* 9 is no octal digit */
	{ "0x", 0, 1 },			/* no hex digit: the 0 alone, in base 8 */
	{ "0xg", 0, 1 },
	{ "", 0, 0 },
	{ "lots", 0, 0 },
	{ "K", 0, 1 },			/* a suffix alone is read, as memparse() does */
	{ "12@", 12, 2 },
	{ "1Mb", 1ULL << 20, 2 },	/* one suffix only */
	{ " 1", 0, 0 },			/* no leading blanks */
	{ "-1", 0, 0 },
	/* 2^64 + 1 wraps, as simple_strtoull() does. */
	{ "18446744073709551617", 1, 20 },
	{ "0xffffffffffffffffK", 0xfffffffffffffc00ULL, 19 },
};

START_TEST(region_memparse)
{
	const struct memparse_case *c = &memparse_cases[_i];
	const char *end = NULL;
	uint64_t v = lb_memparse(c->in, &end);

	ck_assert_msg(v == c->val, "%s: 0x%llx, want 0x%llx", c->in,
		      (unsigned long long)v, (unsigned long long)c->val);
	ck_assert_msg((size_t)(end - c->in) == c->used, "%s: read %zu, want %zu",
		      c->in, (size_t)(end - c->in), c->used);
}
END_TEST

struct parse_case {
	const char *in;
	int ret;
	uint64_t start, size;
	const char *msg;	/* a part of the sentence, on failure */
};

static const struct parse_case parse_cases[] = {
	{ "256M@0x30000000", 0, 0x30000000, 256ULL << 20, NULL },
	{ "256M@768M", 0, 768ULL << 20, 256ULL << 20, NULL },
	{ "0x10000000@0x20000000\n", 0, 0x20000000, 0x10000000, NULL },
	{ "4K@4K", 0, 4096, 4096, NULL },
	{ "4096@0", 0, 0, 4096, NULL },
	{ "64G@1T", 0, 1ULL << 40, 64ULL << 30, NULL },
	{ "lots", -EINVAL, 0, 0, "region='lots' is not SIZE@START (for example 256M@0x30000000)" },
	{ "", -EINVAL, 0, 0, "region='' is not SIZE@START" },
	{ "256M", -EINVAL, 0, 0, "region='256M' is not SIZE@START" },
	{ "256M@", -EINVAL, 0, 0, "region='256M@' is not SIZE@START" },
	{ "@0x1000", -EINVAL, 0, 0, "region='@0x1000' is not SIZE@START" },
	/* The whole parameter is quoted, not the part after '@'. */
	{ "256M@0x3000000x", -EINVAL, 0, 0, "region='256M@0x3000000x' is not SIZE@START" },
	{ "256M@0x30000000 ", -EINVAL, 0, 0, "is not SIZE@START" },
	{ "256M$0x30000000", -EINVAL, 0, 0, "is not SIZE@START" },
	{ "256M@@0x30000000", -EINVAL, 0, 0, "is not SIZE@START" },
	{ "0@0x30000000", -EINVAL, 0, 0,
	  "region=0@0x30000000: start and size must be non-zero multiples of 4 KiB" },
	{ "K@0x30000000", -EINVAL, 0, 0, "must be non-zero multiples of 4 KiB" },
	{ "1000@0x30000000", -EINVAL, 0, 0, "must be non-zero multiples of 4 KiB" },
	{ "256M@0x30000800", -EINVAL, 0, 0, "must be non-zero multiples of 4 KiB" },
	/* Past 2^64: refused, not wrapped round to low memory. */
	{ "8K@0xfffffffffffff000", -EINVAL, 0, 0, "must be non-zero multiples of 4 KiB" },
	{ "4K@0xfffffffffffff000", -EINVAL, 0, 0, "must be non-zero multiples of 4 KiB" },
	{ "4K@0xffffffffffffe000", 0, 0xffffffffffffe000ULL, 4096, NULL },
};

START_TEST(region_parse)
{
	const struct parse_case *c = &parse_cases[_i];
	uint64_t start = 0, size = 0;
	struct lb_err err = { .msg = "" };
	int ret = lb_region_param_parse(c->in, &start, &size, &err);

	ck_assert_msg(ret == c->ret, "'%s': %d (%s), want %d", c->in, ret,
		      err.msg, c->ret);
	if (ret) {
		ck_assert_msg(strstr(err.msg, c->msg), "'%s': '%s' lacks '%s'",
			      c->in, err.msg, c->msg);
		return;
	}
	ck_assert_uint_eq(start, c->start);
	ck_assert_uint_eq(size, c->size);
}
END_TEST

START_TEST(region_parse_null_err)
{
	uint64_t start, size;

	ck_assert_int_eq(lb_region_param_parse("x", &start, &size, NULL), -EINVAL);
}
END_TEST

static Suite *builder_region_param_suite(void)
{
	Suite *s = suite_create("builder_region_param");
	TCase *tc = tcase_create("region_param");

	tcase_add_loop_test(tc, region_memparse, 0, (int)ARRAY_LEN(memparse_cases));
	tcase_add_loop_test(tc, region_parse, 0, (int)ARRAY_LEN(parse_cases));
	tcase_add_test(tc, region_parse_null_err);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(builder_region_param_suite)
