// SPDX-License-Identifier: GPL-2.0
/*
 * The module parameter region=SIZE@START (lifeboat/region_param.h): its
 * numbers read as the kernel's memparse() reads them, so that the module
 * and the host tests agree byte for byte on what an administrator's string
 * means, and its shape checked before the module asks the machine about
 * the range. The string comes from outside: it is read only up to its NUL.
 */
#include "lifeboat/region_param.h"

/* A digit's value in bases up to 16, or 16 for anything else. */
static unsigned int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (unsigned int)(c - 'A' + 10);
	return 16;
}

/**
 * lb_memparse() - Read a number with an optional size suffix.
 * @s: the text, NUL-terminated
 * @end: where reading stopped: @s when neither a digit nor a suffix was read
 *
 * As the kernel's memparse(), on simple_strtoull() with base 0: 0x and a
 * hex digit choose base 16, a leading 0 base 8, anything else base 10;
 * digits are read until the first that is not one in that base, wrapping
 * on overflow; then K, M, G, T, P or E in either case multiplies by a power
 * of 1024 and is consumed (even after no digit, as memparse() does).
 *
 * Context: any; no allocation.
 * Return: the number.
 */
lb_u64 lb_memparse(const char *s, const char **end)
{
	static const char suffixes[] = "KMGTPE";
	unsigned int base = 10, shift = 0, i, v;
	const char *p = s;
	lb_u64 n = 0;

	if (p[0] == '0') {
		base = 8;
		if ((p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
			base = 16;
			p += 2;
		}
	}
	for (; (v = digit_value(*p)) < base; p++)
		n = n * base + v;
	for (i = 0; i < sizeof(suffixes) - 1; i++) {
		if (*p == suffixes[i] || *p == suffixes[i] + ('a' - 'A')) {
			shift = 10 * (i + 1);
			p++;
			break;
		}
	}
	*end = p;
	return n << shift;
}

/**
 * lb_region_param_parse() - Parse region=SIZE@START.
 * @param: the parameter's value, NUL-terminated; a newline may end it
 * @start: the region's first byte
 * @size: its size
 * @err: error context, may be NULL
 *
 * Context: any; no allocation.
 * Return: 0, or -EINVAL when @param is not SIZE@START or its numbers are
 * not non-zero multiples of 4 KiB within 2^64; *@start and *@size are
 * then unspecified.
 */
int lb_region_param_parse(const char *param, lb_u64 *start, lb_u64 *size,
			  struct lb_err *err)
{
	const char *p, *rest;

	*size = lb_memparse(param, &rest);
	if (rest == param || *rest != '@')
		goto bad;
	p = rest + 1;
	*start = lb_memparse(p, &rest);
	if (rest == p || (*rest && *rest != '\n'))
		goto bad;
	if (!*size || *start % 4096 || *size % 4096 || *start + *size < *start)
		return lb_err_set(err, EINVAL,
				  "region=%s: start and size must be non-zero multiples of 4 KiB",
				  param);
	return 0;
bad:
	return lb_err_set(err, EINVAL,
			  "region='%s' is not SIZE@START (for example 256M@0x30000000)",
			  param);
}
