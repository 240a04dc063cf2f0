// SPDX-License-Identifier: GPL-2.0
/*
 * The parsers of what the machine says about memory: sizes as the kernel
 * reads them, /proc/iomem, the kernel command line (crashkernel=, memmap=),
 * the module's region attribute and CPU lists. Each takes a buffer and its
 * length, needs no NUL, and reads nothing past len.
 */
#include <errno.h>
#include <string.h>

#include "dumptools.h"
#include "reserve.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int lb_digits_parse(const char *text, size_t len, size_t *i, unsigned int base,
		    uint64_t *ret)
{
	size_t start = *i;
	uint64_t v = 0;
	int d;

	while (*i < len && (d = hexval(text[*i])) >= 0 && (unsigned int)d < base) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		v = v * base + (uint64_t)d;
		(*i)++;
	}
	if (*i == start)
		return -EINVAL;
	*ret = v;
	return 0;
}

int lb_size_parse(const char *text, size_t len, uint64_t *ret, size_t *used)
{
	unsigned int base = 10, shift = 0;
	size_t i = 0;
	uint64_t v;
	int r;

	if (len >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X') &&
	    len > 2 && hexval(text[2]) >= 0) {
		base = 16;
		i = 2;
	} else if (len >= 1 && text[0] == '0') {
		base = 8;	/* as simple_strtoull(): "08" reads 0, then '8' */
	}
	r = lb_digits_parse(text, len, &i, base, &v);
	if (r)
		return r;
	if (i < len) {
		switch (text[i]) {
		case 'E': case 'e': shift = 60; break;
		case 'P': case 'p': shift = 50; break;
		case 'T': case 't': shift = 40; break;
		case 'G': case 'g': shift = 30; break;
		case 'M': case 'm': shift = 20; break;
		case 'K': case 'k': shift = 10; break;
		default: break;
		}
		if (shift)
			i++;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*ret = v << shift;
	if (used)
		*used = i;
	return 0;
}

/* ---- /proc/iomem ------------------------------------------------------- */

static const struct {
	const char *name;
	uint32_t type;
} iomem_kinds[] = {
	{ "System RAM", LB_MEM_RAM },
	{ "ACPI Tables", LB_MEM_ACPI },
	{ "ACPI Non-volatile Storage", LB_MEM_NVS },
	{ "Reserved", LB_MEM_RESERVED },
};

static bool name_is(const char *name, size_t len, const char *want)
{
	return len == strlen(want) && !memcmp(name, want, len);
}

int lb_iomem_parse(const char *text, size_t len, struct lb_iomem *ret, struct lb_err *err)
{
	size_t pos = 0, i, eol, name_len;
	unsigned int line = 0, k, depth;
	uint64_t start, end;
	bool any = false, nonzero = false;
	const char *name;

	ret->nr = 0;
	ret->ram_bytes = 0;
	ret->ram_end = 0;
	ret->crash_start = ret->crash_end = 0;
	ret->hidden = false;
	while (pos < len) {
		line++;
		for (eol = pos; eol < len && text[eol] != '\n'; eol++)
			;
		i = pos;
		while (i < eol && text[i] == ' ')
			i++;
		depth = (unsigned int)((i - pos) / 2);
		if (i == eol) {		/* an empty line */
			pos = eol + 1;
			continue;
		}
		if (lb_digits_parse(text, eol, &i, 16, &start) || i >= eol || text[i++] != '-' ||
		    lb_digits_parse(text, eol, &i, 16, &end) || eol - i < 3 ||
		    memcmp(text + i, " : ", 3))
			return lb_err_set(err, EINVAL,
					  "/proc/iomem line %u is not 'start-end : name'", line);
		name = text + i + 3;
		name_len = eol - (i + 3);
		if (end < start)
			return lb_err_set(err, EINVAL,
					  "/proc/iomem line %u: range ends before it starts", line);
		any = true;
		if (start || end)
			nonzero = true;
		/* Inclusive ends in the file, [start, end) here; the last byte of
		 * the address space cannot be RAM on x86_64, so end + 1 is safe to
		 * leave at 0 only for a range we ignore. */
		if (end == UINT64_MAX) {
			pos = eol + 1;
			continue;
		}
		if (name_is(name, name_len, "Crash kernel") &&
		    end + 1 - start > ret->crash_end - ret->crash_start) {
			ret->crash_start = start;
			ret->crash_end = end + 1;
		}
		for (k = 0; depth == 0 && k < sizeof(iomem_kinds) / sizeof(iomem_kinds[0]); k++) {
			if (!name_is(name, name_len, iomem_kinds[k].name))
				continue;
			if (ret->nr && start < ret->ranges[ret->nr - 1].end && nonzero)
				return lb_err_set(err, EINVAL,
						  "/proc/iomem line %u: range 0x%llx-0x%llx is out of order",
						  line, (unsigned long long)start,
						  (unsigned long long)end);
			if (ret->nr == ret->cap)
				return lb_err_set(err, E2BIG,
						  "/proc/iomem has more than %u memory ranges", ret->cap);
			ret->ranges[ret->nr].start = start;
			ret->ranges[ret->nr].end = end + 1;
			ret->ranges[ret->nr].type = iomem_kinds[k].type;
			ret->nr++;
			if (iomem_kinds[k].type == LB_MEM_RAM) {
				ret->ram_bytes += end + 1 - start;
				ret->ram_end = end + 1;
			}
		}
		pos = eol + 1;
	}
	ret->hidden = any && !nonzero;
	if (ret->hidden) {
		ret->nr = 0;
		ret->ram_bytes = 0;
		ret->ram_end = 0;
		ret->crash_start = ret->crash_end = 0;
	}
	return 0;
}

/* ---- /proc/cmdline ----------------------------------------------------- */

/* The next word from text[*pos]: [*start, *start + *wlen), quotes kept. */
static bool next_word(const char *text, size_t len, size_t *pos, size_t *start, size_t *wlen)
{
	bool quoted = false;
	size_t i = *pos;

	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || !text[i]))
		i++;
	if (i >= len)
		return false;
	*start = i;
	for (; i < len && text[i]; i++) {
		if (text[i] == '"')
			quoted = !quoted;
		else if (!quoted && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n'))
			break;
	}
	*wlen = i - *start;
	*pos = i;
	return true;
}

static size_t copy_word(char *dst, size_t dlen, const char *src, size_t n)
{
	size_t i;

	if (!dlen)
		return 0;
	for (i = 0; i < n && i < dlen - 1; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
	return i;
}

/* One memmap= item: SIZE$START counts, the other forms are not ours. */
static int memmap_item(const char *s, size_t n, struct lb_cmdline *ret, struct lb_err *err)
{
	uint64_t size, start;
	size_t used, used2;

	if (lb_size_parse(s, n, &size, &used) || used >= n || s[used] != '$')
		return 0;
	if (lb_size_parse(s + used + 1, n - used - 1, &start, &used2) ||
	    used + 1 + used2 != n)
		return lb_err_set(err, EINVAL, "memmap=%.*s is not SIZE$START", (int)n, s);
	ret->nr_memmap++;
	if (size > ret->memmap_size) {
		ret->memmap_size = size;
		ret->memmap_start = start;
	}
	return 0;
}

int lb_cmdline_parse(const char *text, size_t len, struct lb_cmdline *ret, struct lb_err *err)
{
	size_t pos = 0, ws, wl, i, j, n;
	char value[512];
	const char *w;
	int r;

	memset(ret, 0, sizeof(*ret));
	while (next_word(text, len, &pos, &ws, &wl)) {
		w = text + ws;
		if (wl == 2 && !memcmp(w, "--", 2))
			break;
		/* The value without its quotes, as the kernel's next_arg() hands it over. */
		for (i = 0; i < wl && w[i] != '='; i++)
			;
		if (i == wl)
			continue;
		for (j = i + 1, n = 0; j < wl && n < sizeof(value) - 1; j++)
			if (w[j] != '"')
				value[n++] = w[j];
		value[n] = '\0';
		if (i == 11 && !memcmp(w, "crashkernel", 11)) {
			ret->has_crashkernel = true;
			copy_word(ret->crashkernel, sizeof(ret->crashkernel), value, n);
		} else if (i == 6 && !memcmp(w, "memmap", 6)) {
			size_t a = 0, b;

			while (a <= n) {
				for (b = a; b < n && value[b] != ','; b++)
					;
				r = memmap_item(value + a, b - a, ret, err);
				if (r)
					return r;
				a = b + 1;
			}
		}
	}
	return 0;
}

/* ---- sysfs region, CPU lists ------------------------------------------ */

int lb_region_attr_parse(const char *text, size_t len, uint64_t *start, uint64_t *end,
			 char *kind, size_t kind_len, bool *none, char *why, size_t why_len)
{
	uint64_t size;
	size_t i = 0, k;

	while (len && (text[len - 1] == '\n' || text[len - 1] == ' ' || !text[len - 1]))
		len--;
	*none = false;
	if (len >= 4 && !memcmp(text, "none", 4)) {
		i = 4;
		if (i < len && text[i] == ':')
			i++;
		while (i < len && text[i] == ' ')
			i++;
		*none = true;
		copy_word(why, why_len, text + i, len - i);
		return 0;
	}
	if (len < 2 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
		return -EINVAL;
	i = 2;
	if (lb_digits_parse(text, len, &i, 16, start) || i >= len || text[i++] != ' ')
		return -EINVAL;
	if (i + 2 > len || text[i] != '0' || (text[i + 1] != 'x' && text[i + 1] != 'X'))
		return -EINVAL;
	i += 2;
	if (lb_digits_parse(text, len, &i, 16, end) || i >= len || text[i++] != ' ')
		return -EINVAL;
	if (lb_digits_parse(text, len, &i, 10, &size) || i >= len || text[i++] != ' ')
		return -EINVAL;
	if (*end <= *start || *end - *start != size)
		return -EINVAL;
	for (k = i; k < len; k++)
		if (text[k] == ' ')
			return -EINVAL;
	if (i == len)
		return -EINVAL;
	copy_word(kind, kind_len, text + i, len - i);
	return 0;
}

int lb_cpulist_parse(const char *text, size_t len, unsigned int *nr)
{
	uint64_t a, b, top = 0;
	size_t i = 0;
	bool any = false;

	while (len && (text[len - 1] == '\n' || !text[len - 1]))
		len--;
	while (i < len) {
		if (lb_digits_parse(text, len, &i, 10, &a))
			return -EINVAL;
		b = a;
		if (i < len && text[i] == '-') {
			i++;
			if (lb_digits_parse(text, len, &i, 10, &b) || b < a)
				return -EINVAL;
		}
		if (b >= 1u << 20)	/* far beyond any NR_CPUS */
			return -EINVAL;
		if (b + 1 > top)
			top = b + 1;
		any = true;
		if (i < len && text[i++] != ',')
			return -EINVAL;
	}
	if (!any)
		return -EINVAL;
	*nr = (unsigned int)top;
	return 0;
}

bool lb_cpuinfo_has_flag(const char *text, size_t len, const char *flag)
{
	size_t pos = 0, eol, i, fl = strlen(flag);

	while (pos < len) {
		for (eol = pos; eol < len && text[eol] != '\n'; eol++)
			;
		if (eol - pos > 5 && !memcmp(text + pos, "flags", 5)) {
			for (i = pos + 5; i < eol && text[i] != ':'; i++)
				;
			while (i < eol) {
				while (i < eol && (text[i] == ' ' || text[i] == ':' || text[i] == '\t'))
					i++;
				if (eol - i >= fl && !memcmp(text + i, flag, fl) &&
				    (i + fl == eol || text[i + fl] == ' '))
					return true;
				while (i < eol && text[i] != ' ')
					i++;
			}
			return false;
		}
		pos = eol + 1;
	}
	return false;
}
