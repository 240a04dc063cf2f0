// SPDX-License-Identifier: GPL-2.0
/*
 * Which crash and drgn read which kernels' dumps (readers.h).
 *
 * Each row: from this kernel series on (until the next row), the first
 * crash and drgn releases that read its dumps. The evidence is in the tools'
 * own histories (crash-utility/crash, osandov/drgn); commit ids below.
 * A series newer than the last row with versions is unknown to the table:
 * the closing row (NULL versions) says where that starts.
 *
 * tests/vm/checker.py reads this table (the rows between the BEGIN and END
 * lines), so keep one row a line, in this form.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "readers.h"

static const struct lb_reader_row rows[] = {
	/* READERS-TABLE-BEGIN */
	{ 6, 1, "8.0.2", "0.0.22" },
	{ 6, 2, "8.0.3", "0.0.22" },
	{ 6, 3, "8.0.3", "0.0.23" },
	{ 6, 4, "8.0.4", "0.0.23" },
	{ 6, 5, "8.0.4", "0.0.24" },
	{ 6, 6, "8.0.4", "0.0.25" },
	{ 6, 8, "8.0.5", "0.0.26" },
	{ 6, 9, "8.0.6", "0.0.27" },
	{ 6, 11, "8.0.6", "0.0.28" },
	{ 6, 13, "9.0.0", "0.0.30" },
	{ 6, 14, "9.0.0", "0.0.31" },
	{ 6, 15, NULL, NULL },
	/* READERS-TABLE-END */
};
/*
 * 6.1   Debian 12's crash 8.0.2 and drgn 0.0.22 read the stock 6.1 kernel's
 *       dumps (measured, ../shared/testbed.md).
 * 6.2   crash d83df2f (SLUB: struct slab offsets changed in 6.2-rc1), 8.0.3;
 *       drgn e7dfdb9c (6.2 among the tested kernels), 0.0.22.
 * 6.3   drgn 91ede0c6 (ORC changes of 6.3 and 6.4), 0.0.23.
 * 6.4   crash 7750e61 (module_memory: "crash cannot even start a session"), 8.0.4.
 * 6.5   crash 8858006 (task table, 6.5-rc1), 8.0.4; drgn 74521703 (6.5), 0.0.24.
 * 6.6   drgn 0b75d448, d8da84f9 (6.6, 6.7), 0.0.25.
 * 6.8   crash 3d60d9d (6.8-rc1), 8.0.5; drgn aaf4414a (6.8), 0.0.26.
 * 6.9   crash 7c2c90d (6.9), and 6752571: since 6.10-rc1 (module_load_offset
 *       gone) crash < 8.0.6 fails to load the session, 8.0.6;
 *       drgn 1232a404, 2857739f (6.9, 6.10), 0.0.27.
 * 6.11  drgn 882bd9aa, 2d0b1444 (6.11, 6.12), 0.0.28. With 8.0.6, 6.12 is
 *       the newest series both read: Debian 12's 8.0.2 exits without a word
 *       on a 6.12 dump, drgn 0.0.22 stops at "unknown ORC entry type 3".
 * 6.13  crash e44a9a9 (endless loop in module symbols on 6.13-rc1), 9.0.0;
 *       drgn 5e3e5bab (6.13), 0.0.30.
 * 6.14  crash 2795136, 080b4ba (6.14-rc1), 9.0.0; drgn 70391bcf (6.14), 0.0.31.
 */

const struct lb_reader_row *lb_reader_table(size_t *nr)
{
	*nr = sizeof(rows) / sizeof(rows[0]);
	return rows;
}

const char *lb_reader_name(enum lb_reader r)
{
	return r == LB_READER_CRASH ? "crash" : "drgn";
}

/* The numbers of a dotted version, at most n of them; how many, 0 if none. */
static int version_parts(const char *s, unsigned long *part, int n)
{
	int i = 0;

	while (i < n && isdigit((unsigned char)*s)) {
		unsigned long v = 0;

		while (isdigit((unsigned char)*s)) {
			if (v > 100000000UL)
				return 0;
			v = v * 10 + (unsigned long)(*s++ - '0');
		}
		part[i++] = v;
		if (*s != '.' || !isdigit((unsigned char)s[1]))
			break;
		s++;
	}
	return i;
}

int lb_version_cmp(const char *a, const char *b)
{
	unsigned long pa[4] = { 0 }, pb[4] = { 0 };
	int i;

	if (!a || !b || !version_parts(a, pa, 4) || !version_parts(b, pb, 4))
		return -2;
	for (i = 0; i < 4; i++)
		if (pa[i] != pb[i])
			return pa[i] < pb[i] ? -1 : 1;
	return 0;
}

int lb_kernel_series(const char *release, unsigned int *major, unsigned int *minor)
{
	unsigned long p[2];

	if (!release || version_parts(release, p, 2) != 2 || p[0] > 1000 || p[1] > 1000)
		return -EINVAL;
	*major = (unsigned int)p[0];
	*minor = (unsigned int)p[1];
	return 0;
}

int lb_reader_version_parse(const char *text, size_t len, char *buf, size_t buflen)
{
	size_t i = 0;

	while (i < len) {
		size_t start, end;

		while (i < len && isspace((unsigned char)text[i]))
			i++;
		start = i;
		while (i < len && text[i] && !isspace((unsigned char)text[i]))
			i++;
		end = i;
		/* A word that starts with digit.digit: the version. */
		if (end - start >= 3 && isdigit((unsigned char)text[start])) {
			size_t j = start;

			while (j < end && isdigit((unsigned char)text[j]))
				j++;
			if (j + 1 < end && text[j] == '.' && isdigit((unsigned char)text[j + 1])) {
				if (end - start >= buflen)
					return -ENOENT;
				memcpy(buf, text + start, end - start);
				buf[end - start] = '\0';
				return 0;
			}
		}
		if (i < len && !text[i])
			break;
	}
	return -ENOENT;
}

static int series_cmp(unsigned int ma, unsigned int mi, const struct lb_reader_row *row)
{
	if (ma != row->major)
		return ma < row->major ? -1 : 1;
	if (mi != row->minor)
		return mi < row->minor ? -1 : 1;
	return 0;
}

enum lb_reader_verdict lb_reader_check(enum lb_reader r, const char *version, const char *release,
				       const char **need)
{
	const struct lb_reader_row *row = NULL, *last_known = NULL;
	unsigned int ma, mi;
	size_t i;
	const char *want;
	int unknown = 0;

	if (need)
		*need = NULL;
	if (lb_kernel_series(release, &ma, &mi) || lb_version_cmp(version, "0") == -2)
		return LB_READER_BAD_INPUT;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (series_cmp(ma, mi, &rows[i]) < 0)
			break;
		if (!rows[i].crash) {
			unknown = 1;
			break;
		}
		row = &rows[i];
	}
	if (!row)
		return LB_READER_OK;	/* older than the table: it asks nothing */
	last_known = row;
	want = r == LB_READER_CRASH ? last_known->crash : last_known->drgn;
	if (need)
		*need = want;
	if (lb_version_cmp(version, want) < 0)
		return LB_READER_TOO_OLD;
	return unknown ? LB_READER_UNKNOWN : LB_READER_OK;
}

/* struct disk_dump_header: signature[8], header_version, then utsname. */
enum { KDUMP_UTS = 12, UTS_LEN = 65, KDUMP_RELEASE = KDUMP_UTS + 2 * UTS_LEN };

int lb_kdump_header_release(const unsigned char *buf, size_t len, char *out, size_t outlen)
{
	size_t n = 0;

	if (!outlen || len < KDUMP_RELEASE + UTS_LEN ||
	    (memcmp(buf, "KDUMP   ", 8) && memcmp(buf, "DISKDUMP", 8)))
		return -ENOENT;
	while (n < UTS_LEN && buf[KDUMP_RELEASE + n] &&
	       isgraph((unsigned char)buf[KDUMP_RELEASE + n]))
		n++;
	if (!n || n >= outlen || (n < UTS_LEN && buf[KDUMP_RELEASE + n]))
		return -ENOENT;
	memcpy(out, buf + KDUMP_RELEASE, n);
	out[n] = '\0';
	return 0;
}
