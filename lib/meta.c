// SPDX-License-Identifier: GPL-2.0
/*
 * metadata.txt, written by the saver beside each dump and read back by
 * `lifeboat report`: one "key=value" per line, readable by people and by
 * grep. The reader skips keys it does not know, so that a newer saver's
 * file still reads; a file without the format line is not ours.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dumptools.h"

void lb_meta_init(struct lb_meta *meta)
{
	memset(meta, 0, sizeof(*meta));
	meta->format = LB_META_FORMAT;
	meta->crash_time = -1;
	meta->saved_time = -1;
}

enum field_type { F_STR, F_ULL, F_LL, F_UINT, F_MS };

struct field {
	const char *key;
	enum field_type type;
	size_t off;
	size_t size;
};

#define STR(k, m) { #k, F_STR, offsetof(struct lb_meta, m), sizeof(((struct lb_meta *)0)->m) }
#define NUM(k, t, m) { #k, t, offsetof(struct lb_meta, m), 0 }

static const struct field fields[] = {
	NUM(format, F_UINT, format),
	STR(status, status),
	STR(reason, reason),
	STR(step, step),
	STR(kernel_release, kernel_release),
	STR(panic, panic),
	NUM(crash_time, F_LL, crash_time),
	NUM(saved_time, F_LL, saved_time),
	NUM(dump_level, F_UINT, dump_level),
	STR(compression, compression),
	NUM(ram_bytes, F_ULL, ram_bytes),
	NUM(estimate_bytes, F_ULL, estimate_bytes),
	NUM(free_bytes, F_ULL, free_bytes),
	NUM(vmcore_bytes, F_ULL, vmcore_bytes),
	NUM(dmesg_bytes, F_ULL, dmesg_bytes),
	NUM(save_seconds, F_MS, save_ms),
	NUM(vmcore_seconds, F_MS, vmcore_ms),
	STR(capture_release, capture_release),
	STR(makedumpfile, makedumpfile),
};

size_t lb_meta_format(const struct lb_meta *meta, char *buf, size_t len)
{
	const char *base = (const char *)meta;
	size_t i, pos = 0;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct field *f = &fields[i];
		const void *p = base + f->off;
		char clean[512];
		unsigned long long ms;

		switch (f->type) {
		case F_STR:
			lb_copy_printable(clean, sizeof(clean), p, strnlen(p, f->size));
			pos = lb_append(buf, len, pos, "%s=%s\n", f->key, clean);
			break;
		case F_ULL:
			pos = lb_append(buf, len, pos, "%s=%llu\n", f->key,
					*(const unsigned long long *)p);
			break;
		case F_LL:
			pos = lb_append(buf, len, pos, "%s=%lld\n", f->key, *(const long long *)p);
			break;
		case F_UINT:
			pos = lb_append(buf, len, pos, "%s=%u\n", f->key, *(const unsigned int *)p);
			break;
		case F_MS:
			ms = *(const unsigned long long *)p;
			pos = lb_append(buf, len, pos, "%s=%llu.%03llu\n", f->key, ms / 1000,
					ms % 1000);
			break;
		}
	}
	return pos;
}

/* Digits only, below the limit. */
static int parse_ull(const char *s, size_t n, unsigned long long max, unsigned long long *ret)
{
	unsigned long long v = 0;
	size_t i;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (v > (max - (unsigned long long)(s[i] - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	*ret = v;
	return 0;
}

/* "12.345" (up to three decimals) as milliseconds. */
static int parse_ms(const char *s, size_t n, unsigned long long *ret)
{
	const char *dot = memchr(s, '.', n);
	unsigned long long whole, frac = 0;
	size_t nw = dot ? (size_t)(dot - s) : n, nf = dot ? n - nw - 1 : 0, i;

	if (parse_ull(s, nw, ~0ULL / 1000 - 1, &whole))
		return -EINVAL;
	if (dot) {
		if (!nf || nf > 3 || parse_ull(dot + 1, nf, 999, &frac))
			return -EINVAL;
		for (i = nf; i < 3; i++)
			frac *= 10;
	}
	*ret = whole * 1000 + frac;
	return 0;
}

static void set_field(struct lb_meta *meta, const struct field *f, const char *v, size_t n)
{
	char *p = (char *)meta + f->off;
	unsigned long long u;

	switch (f->type) {
	case F_STR:
		/* A key given twice: the last one wins, whole. */
		memset(p, 0, f->size);
		lb_copy_printable(p, f->size, v, n);
		break;
	case F_ULL:
		if (!parse_ull(v, n, ~0ULL, &u))
			*(unsigned long long *)p = u;
		break;
	case F_LL:
		if (n && v[0] == '-') {
			if (n == 2 && v[1] == '1')
				*(long long *)p = -1;
		} else if (!parse_ull(v, n, (1ULL << 62), &u)) {
			*(long long *)p = (long long)u;
		}
		break;
	case F_UINT:
		if (!parse_ull(v, n, 0xffffffffULL, &u))
			*(unsigned int *)p = (unsigned int)u;
		break;
	case F_MS:
		if (!parse_ms(v, n, &u))
			*(unsigned long long *)p = u;
		break;
	}
}

int lb_meta_parse(struct lb_meta *meta, const char *text, size_t len)
{
	size_t pos = 0, i;
	int have_format = 0;

	lb_meta_init(meta);
	meta->format = 0;
	while (pos < len) {
		const char *line = text + pos, *eq;
		size_t n = 0;

		while (pos + n < len && text[pos + n] != '\n')
			n++;
		eq = memchr(line, '=', n);
		if (eq) {
			size_t kl = (size_t)(eq - line);

			for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
				if (strlen(fields[i].key) == kl && !memcmp(line, fields[i].key, kl)) {
					set_field(meta, &fields[i], eq + 1, n - kl - 1);
					if (i == 0)
						have_format = 1;
					break;
				}
			}
		}
		pos += n + 1;
	}
	if (!have_format || !meta->format)
		return -EINVAL;
	return 0;
}
