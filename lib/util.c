// SPDX-License-Identifier: GPL-2.0
/*
 * Small pieces the rest of the library and the commands share: formatted
 * text appended to a buffer, printable copies of hostile text, sizes with
 * units, times, the last line of a program's output, and a hash for change
 * detection. (Error sentences are lb_err_set(), common/err.c.)
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dumptools.h"

size_t lb_append(char *buf, size_t len, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(pos < len ? buf + pos : NULL, pos < len ? len - pos : 0, fmt, ap);
	va_end(ap);
	return pos + (n > 0 ? (size_t)n : 0);
}

void lb_mib_format(char *buf, size_t len, unsigned long long bytes)
{
	snprintf(buf, len, "%.1f MiB", (double)bytes / (1 << 20));
}

void lb_copy_printable(char *dst, size_t dstlen, const char *src, size_t len)
{
	size_t i, o = 0;

	if (!dstlen)
		return;
	for (i = 0; i < len && o + 1 < dstlen; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '\n' || c == '\0')
			break;
		if (c == '\t')
			c = ' ';
		dst[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[o] = '\0';
}

int lb_parse_size(const char *s, unsigned long long *ret)
{
	unsigned long long v = 0;
	unsigned int shift = 0;
	const char *c = s;

	if (!isdigit((unsigned char)*c))
		return -EINVAL;
	for (; isdigit((unsigned char)*c); c++) {
		unsigned long long d = (unsigned long long)(*c - '0');

		if (v > (~0ULL - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	switch (toupper((unsigned char)*c)) {
	case '\0':
		break;
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	default:
		return -EINVAL;
	}
	if (*c) {
		c++;
		/* 64M, 64MB and 64MiB all mean 64 << 20. */
		if (!strcmp(c, "iB") || !strcmp(c, "B"))
			c += strlen(c);
		if (*c)
			return -EINVAL;
	}
	if (shift && v > (~0ULL >> shift))
		return -EINVAL;
	*ret = v << shift;
	return 0;
}

uint64_t lb_fnv1a(uint64_t h, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int lb_time_format(char *buf, size_t len, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t < 0 || !gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		return -EINVAL;
	return 0;
}

void lb_last_line(const char *out, size_t n, char *line, size_t len)
{
	size_t end = n, start;

	while (end && (out[end - 1] == '\n' || out[end - 1] == '\r' || out[end - 1] == ' ' ||
		       out[end - 1] == '\0'))
		end--;
	start = end;
	while (start && out[start - 1] != '\n' && out[start - 1] != '\r')
		start--;
	lb_copy_printable(line, len, out + start, end - start);
}
