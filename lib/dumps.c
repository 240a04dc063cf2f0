// SPDX-License-Identifier: GPL-2.0
/*
 * The dump directories on the target: their names (the crash time, UTC, so
 * that sorting by name sorts by time), which of them to prune, and the
 * free-space decision the saver takes before it writes a vmcore.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dumptools.h"

int lb_dump_name(long long t, unsigned int n, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int w;

	if (t < 0 || !gmtime_r(&tt, &tm) || tm.tm_year + 1900 > 9999)
		return -EINVAL;
	if (n)
		w = snprintf(buf, len, "%04d%02d%02d-%02d%02d%02d-%u", tm.tm_year + 1900,
			     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, n);
	else
		w = snprintf(buf, len, "%04d%02d%02d-%02d%02d%02d", tm.tm_year + 1900,
			     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return (w < 0 || (size_t)w >= len) ? -ENOSPC : 0;
}

static int digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

enum lb_dump_kind lb_dump_kind(const char *name)
{
	size_t n = strlen(name), sfx = strlen(LB_INCOMPLETE_SUFFIX), i;
	enum lb_dump_kind kind = LB_DUMP_COMPLETE;

	if (n > sfx && !strcmp(name + n - sfx, LB_INCOMPLETE_SUFFIX)) {
		kind = LB_DUMP_INCOMPLETE;
		n -= sfx;
	}
	if (n < 15 || !digits(name, 8) || name[8] != '-' || !digits(name + 9, 6))
		return LB_DUMP_NONE;
	if (n == 15)
		return kind;
	/* A collision number: -1 to -999. */
	if (name[15] != '-' || n > 19 || n == 16 || name[16] == '0')
		return LB_DUMP_NONE;
	for (i = 16; i < n; i++)
		if (name[i] < '0' || name[i] > '9')
			return LB_DUMP_NONE;
	return kind;
}

/* Time order: the stamp, then the collision number as a number. */
static int name_order(const char *a, const char *b)
{
	unsigned long na = 0, nb = 0;
	int c = strncmp(a, b, 15);

	if (c)
		return c;
	if (a[15] == '-')
		na = strtoul(a + 16, NULL, 10);
	if (b[15] == '-')
		nb = strtoul(b + 16, NULL, 10);
	return na < nb ? -1 : na > nb;
}

int lb_dump_name_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int kx = lb_dump_kind(x) != LB_DUMP_NONE, ky = lb_dump_kind(y) != LB_DUMP_NONE;

	/* Names that are not dumps sort first, by plain comparison. */
	if (kx != ky)
		return kx - ky;
	if (!kx)
		return strcmp(x, y);
	return name_order(x, y);
}

size_t lb_dumps_to_prune(const char *const *names, size_t n, unsigned int keep,
			 size_t *victims)
{
	size_t i, j, nr_dumps = 0, nr = 0;

	for (i = 0; i < n; i++)
		if (lb_dump_kind(names[i]) != LB_DUMP_NONE)
			nr_dumps++;
	if (nr_dumps <= keep)
		return 0;
	/* Choose the nr_dumps - keep oldest: selection, n is small. */
	while (nr < nr_dumps - keep) {
		size_t oldest = n;

		for (i = 0; i < n; i++) {
			int taken = 0;

			if (lb_dump_kind(names[i]) == LB_DUMP_NONE)
				continue;
			for (j = 0; j < nr; j++)
				if (victims[j] == i)
					taken = 1;
			if (taken)
				continue;
			if (oldest == n || name_order(names[i], names[oldest]) < 0)
				oldest = i;
		}
		victims[nr++] = oldest;
	}
	return nr;
}

unsigned long long lb_dump_bound(unsigned long long ram_bytes, unsigned int page_size)
{
	unsigned long long pages;

	if (!page_size)
		page_size = 4096;
	pages = (ram_bytes + page_size - 1) / page_size;
	/* Pages, two bitmaps of one bit per page, a 24-byte descriptor per page, headers. */
	return pages * page_size + 2 * ((pages + 7) / 8) + 24 * pages + (1ULL << 20);
}

unsigned long long lb_dump_need(unsigned long long est)
{
	return est + est / 64 + (1ULL << 20);
}

int lb_space_fits(unsigned long long free, unsigned long long need,
		  unsigned long long min_free)
{
	return free >= min_free && free - min_free >= need;
}

int lb_mdf_write_bytes(const char *text, size_t len, unsigned long long *ret)
{
	static const char key[] = "Write bytes";
	size_t pos = 0;

	while (pos < len) {
		size_t n = 0, i;

		while (pos + n < len && text[pos + n] != '\n')
			n++;
		if (n > sizeof(key) && !memcmp(text + pos, key, sizeof(key) - 1)) {
			unsigned long long v = 0;
			int any = 0;

			i = sizeof(key) - 1;
			while (i < n && (text[pos + i] == ' ' || text[pos + i] == '\t'))
				i++;
			if (i < n && text[pos + i] == ':') {
				i++;
				while (i < n && text[pos + i] == ' ')
					i++;
				for (; i < n && text[pos + i] >= '0' && text[pos + i] <= '9'; i++) {
					unsigned long long d = (unsigned long long)(text[pos + i] - '0');

					if (v > (~0ULL - d) / 10)
						return -ERANGE;
					v = v * 10 + d;
					any = 1;
				}
				if (any) {
					*ret = v;
					return 0;
				}
			}
		}
		pos += n + 1;
	}
	return -ENOENT;
}

int lb_vmcoreinfo_parse(const char *text, size_t len, struct lb_vmcoreinfo *ret)
{
	size_t pos = 0;

	memset(ret, 0, sizeof(*ret));
	ret->crash_time = -1;
	while (pos < len) {
		const char *line = text + pos;
		size_t n = 0;

		while (pos + n < len && text[pos + n] != '\n' && text[pos + n] != '\0')
			n++;
		if (n > 10 && !memcmp(line, "OSRELEASE=", 10)) {
			lb_copy_printable(ret->release, sizeof(ret->release), line + 10, n - 10);
		} else if (n > 10 && !memcmp(line, "CRASHTIME=", 10)) {
			long long v = 0;
			size_t i;

			for (i = 10; i < n && line[i] >= '0' && line[i] <= '9' && v < (1LL << 40); i++)
				v = v * 10 + (line[i] - '0');
			if (i == n)
				ret->crash_time = v;
		} else if (n > 9 && !memcmp(line, "PAGESIZE=", 9)) {
			unsigned long v = 0;
			size_t i;

			for (i = 9; i < n && line[i] >= '0' && line[i] <= '9' && v < (1UL << 24); i++)
				v = v * 10 + (unsigned long)(line[i] - '0');
			if (i == n && v && !(v & (v - 1)))
				ret->page_size = (unsigned int)v;
		}
		pos += n + 1;
	}
	return ret->release[0] ? 0 : -ENOENT;
}
