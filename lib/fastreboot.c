// SPDX-License-Identifier: GPL-2.0
/*
 * The fast reboot's text (fastreboot.h): the memory map file and the
 * entries of /sys/firmware/memmap it is made from, Debian's
 * /etc/default/kexec, the running kernel's command line reused, and the
 * module's fast_reboot attribute. Each parser takes a buffer and its
 * length, needs no NUL and reads nothing past len.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumptools.h"
#include "fastreboot.h"

/* ---- E820 types ---------------------------------------------------------- */

static const struct {
	uint32_t type;
	const char *name;
} e820_names[] = {
	{ LB_MEM_RAM, "System RAM" },
	{ LB_MEM_RESERVED, "Reserved" },
	{ LB_MEM_ACPI, "ACPI Tables" },
	{ LB_MEM_NVS, "ACPI Non-volatile Storage" },
	{ LB_MEM_UNUSABLE, "Unusable memory" },
	{ LB_MEM_PMEM, "Persistent Memory" },
	{ LB_MEM_PRAM, "Persistent Memory (legacy)" },
	{ LB_MEM_SOFT_RESERVED, "Soft Reserved" },
};

/* What the kernel writes for a type it has no name for (e820_type_to_string()). */
static const char unknown_e820[] = "Unknown E820 type";

const char *lb_e820_type_name(uint32_t type)
{
	size_t i;

	for (i = 0; i < sizeof(e820_names) / sizeof(e820_names[0]); i++)
		if (e820_names[i].type == type)
			return e820_names[i].name;
	return NULL;
}

static bool text_is(const char *text, size_t len, const char *want)
{
	return len == strlen(want) && !memcmp(text, want, len);
}

int lb_e820_type_parse(const char *name, size_t len, uint32_t *ret)
{
	size_t i;

	for (i = 0; i < sizeof(e820_names) / sizeof(e820_names[0]); i++) {
		if (text_is(name, len, e820_names[i].name)) {
			*ret = e820_names[i].type;
			return 0;
		}
	}
	return -EINVAL;
}

/* The name for a sentence: the kernel's, or the number. */
static const char *type_label(uint32_t type, char *buf, size_t len)
{
	const char *name = lb_e820_type_name(type);

	if (name)
		return name;
	snprintf(buf, len, "type %u", type);
	return buf;
}

/* ---- small readers --------------------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* "0x" and hex digits at text[*i], up to end; 0, or -EINVAL (none, or beyond 64 bits). */
static int parse_hex(const char *text, size_t end, size_t *i, uint64_t *ret)
{
	if (end - *i < 3 || text[*i] != '0' || (text[*i + 1] != 'x' && text[*i + 1] != 'X'))
		return -EINVAL;
	*i += 2;
	return lb_digits_parse(text, end, i, 16, ret) ? -EINVAL : 0;
}

/* Decimal digits at text[*i], up to end; 0, or -EINVAL. */
static int parse_dec(const char *text, size_t end, size_t *i, uint64_t *ret)
{
	return lb_digits_parse(text, end, i, 10, ret) ? -EINVAL : 0;
}

/*
 * The next line of text from *pos: [*start, *eol), with *pos moved past its
 * newline. False at the end.
 */
static bool next_line(const char *text, size_t len, size_t *pos, size_t *start,
		      size_t *eol)
{
	if (*pos >= len)
		return false;
	*start = *pos;
	for (*eol = *pos; *eol < len && text[*eol] != '\n'; (*eol)++)
		;
	*pos = *eol + 1;
	return true;
}

/* Moves *i past leading blanks; true if nothing but a comment is left. */
static bool content_at(const char *text, size_t *i, size_t eol)
{
	while (*i < eol && is_blank(text[*i]))
		(*i)++;
	return *i == eol || text[*i] == '#';
}

/* The length of text without its trailing blanks and newlines. */
static size_t trimmed(const char *text, size_t len)
{
	while (len && (is_blank(text[len - 1]) || text[len - 1] == '\n'))
		len--;
	return len;
}

/* ---- the memory map file --------------------------------------------------- */

static int range_cmp(const void *a, const void *b)
{
	const struct lb_mem_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return 0;
}

int lb_memmap_check(struct lb_mem_range *ranges, unsigned int nr, const char *what,
		    struct lb_err *err)
{
	char a[32], b[32];
	bool ram = false;
	unsigned int i;

	if (!nr)
		return lb_err_set(err, EINVAL, "%s has no ranges", what);
	qsort(ranges, nr, sizeof(*ranges), range_cmp);
	for (i = 0; i < nr; i++) {
		if (ranges[i].start >= ranges[i].end)
			return lb_err_set(err, EINVAL, "%s: range [0x%llx, 0x%llx) is empty", what,
					  (unsigned long long)ranges[i].start,
					  (unsigned long long)ranges[i].end);
		if (i && ranges[i].start < ranges[i - 1].end)
			return lb_err_set(err, EINVAL,
					  "%s: [0x%llx, 0x%llx) (%s) overlaps [0x%llx, 0x%llx) (%s)",
					  what, (unsigned long long)ranges[i - 1].start,
					  (unsigned long long)ranges[i - 1].end,
					  type_label(ranges[i - 1].type, a, sizeof(a)),
					  (unsigned long long)ranges[i].start,
					  (unsigned long long)ranges[i].end,
					  type_label(ranges[i].type, b, sizeof(b)));
		if (ranges[i].type == LB_MEM_RAM)
			ram = true;
	}
	if (!ram)
		return lb_err_set(err, EINVAL, "%s has no System RAM", what);
	return 0;
}

int lb_memmap_parse(const char *text, size_t len, const char *name, struct lb_mem_range *ranges,
		    unsigned int cap, unsigned int *nr, struct lb_err *err)
{
	char what[160], shown[48];
	size_t pos = 0, eol, i, tlen;
	unsigned int line = 0;
	uint64_t start, end;
	uint32_t type;

	*nr = 0;
	snprintf(what, sizeof(what), "memory map '%s'", name);
	while (next_line(text, len, &pos, &i, &eol)) {
		line++;
		if (content_at(text, &i, eol))
			continue;
		if (parse_hex(text, eol, &i, &start) || i == eol || !is_blank(text[i]))
			goto malformed;
		while (i < eol && is_blank(text[i]))
			i++;
		if (parse_hex(text, eol, &i, &end) || i == eol || !is_blank(text[i]))
			goto malformed;
		while (i < eol && is_blank(text[i]))
			i++;
		tlen = trimmed(text + i, eol - i);
		if (!tlen)
			goto malformed;
		if (start >= end)
			return lb_err_set(err, EINVAL,
					  "%s line %u: start 0x%llx is not below end 0x%llx", what, line,
					  (unsigned long long)start, (unsigned long long)end);
		if (lb_e820_type_parse(text + i, tlen, &type)) {
			lb_copy_printable(shown, sizeof(shown), text + i, tlen);
			return lb_err_set(err, EINVAL, "%s line %u: unknown memory type '%s'", what,
					  line, shown);
		}
		if (*nr == cap)
			return lb_err_set(err, E2BIG, "%s has more than %u ranges", what, cap);
		ranges[*nr].start = start;
		ranges[*nr].end = end;
		ranges[*nr].type = type;
		(*nr)++;
	}
	return lb_memmap_check(ranges, *nr, what, err);

malformed:
	return lb_err_set(err, EINVAL, "%s line %u is not '0x<start> 0x<end> <type>'", what, line);
}

size_t lb_memmap_format(const struct lb_mem_range *ranges, unsigned int nr, char *buf, size_t len)
{
	const char *name;
	unsigned int i;
	size_t pos;

	if (len)
		buf[0] = '\0';
	pos = lb_append(buf, len, 0,
			"# memory map: start, end (exclusive), type as /sys/firmware/memmap names it\n");
	for (i = 0; i < nr; i++) {
		name = lb_e820_type_name(ranges[i].type);
		if (!name)
			return 0;
		pos = lb_append(buf, len, pos, "0x%llx 0x%llx %s\n",
				(unsigned long long)ranges[i].start,
				(unsigned long long)ranges[i].end, name);
	}
	return pos;
}

/* One attribute, "0x<hex>" and an optional newline. */
static int sysfs_hex(const char *text, size_t len, uint64_t *ret)
{
	size_t i = 0;

	len = trimmed(text, len);
	return parse_hex(text, len, &i, ret) || i != len ? -EINVAL : 0;
}

int lb_memmap_sysfs_entry(const char *start, size_t start_len, const char *end, size_t end_len,
			  const char *type, size_t type_len, unsigned int entry,
			  struct lb_mem_range *ret, struct lb_err *err)
{
	char shown[48];
	uint64_t s, e;
	uint32_t t;

	if (sysfs_hex(start, start_len, &s))
		return lb_err_set(err, EINVAL,
				  "/sys/firmware/memmap/%u/start is not a hexadecimal address", entry);
	if (sysfs_hex(end, end_len, &e))
		return lb_err_set(err, EINVAL,
				  "/sys/firmware/memmap/%u/end is not a hexadecimal address", entry);
	/* end is the last byte: the range [s, e + 1) must be non-empty and representable. */
	if (e < s || e == UINT64_MAX)
		return lb_err_set(err, EINVAL,
				  "/sys/firmware/memmap/%u: end 0x%llx is not a last byte after start 0x%llx",
				  entry, (unsigned long long)e, (unsigned long long)s);
	type_len = trimmed(type, type_len);
	if (text_is(type, type_len, unknown_e820)) {
		t = LB_MEM_RESERVED;
	} else if (lb_e820_type_parse(type, type_len, &t)) {
		lb_copy_printable(shown, sizeof(shown), type, type_len);
		return lb_err_set(err, EINVAL, "/sys/firmware/memmap/%u: unknown memory type '%s'",
				  entry, shown);
	}
	ret->start = s;
	ret->end = e + 1;
	ret->type = t;
	return 0;
}

/* ---- /etc/default/kexec ---------------------------------------------------- */

/* Where a value goes: its field, or nowhere (a key a reboot does not use). */
struct value_out {
	char *buf;
	size_t len, pos;
	bool too_long;
};

static void value_put(struct value_out *o, char c)
{
	if (!o->buf)
		return;
	if (o->pos + 1 >= o->len) {
		o->too_long = true;
		return;
	}
	o->buf[o->pos++] = c;
	o->buf[o->pos] = '\0';
}

/* Characters the shell gives a meaning of its own outside quotes. */
static bool shell_special(char c)
{
	return strchr("$`;&|<>()\\\"'", c) != NULL;
}

/*
 * The value of an assignment at text[*i], up to eol, as the shell reads it
 * when nothing expands: words of plain characters, '...' and "..." run
 * together. Return: 0, or a reason for the sentence.
 */
static const char *parse_value(const char *text, size_t eol, size_t *i, struct value_out *o)
{
	char c;

	while (*i < eol && !is_blank(text[*i])) {
		c = text[*i];
		if (c == '\'') {
			for ((*i)++; *i < eol && text[*i] != '\''; (*i)++)
				value_put(o, text[*i]);
			if (*i == eol)
				return "a quote that does not close on its line";
			(*i)++;
		} else if (c == '"') {
			for ((*i)++; *i < eol && text[*i] != '"'; (*i)++) {
				c = text[*i];
				if (c == '$' || c == '`')
					return "a shell expansion, which lifeboat does not evaluate";
				if (c == '\\' && *i + 1 < eol && strchr("$`\"\\", text[*i + 1]))
					c = text[++(*i)];
				else if (c == '\\' && *i + 1 == eol)
					return "a line continuation";
				value_put(o, c);
			}
			if (*i == eol)
				return "a quote that does not close on its line";
			(*i)++;
		} else if (c == '\\') {
			if (*i + 1 == eol)
				return "a line continuation";
			value_put(o, text[*i + 1]);
			*i += 2;
		} else if (c == '$' || c == '`') {
			return "a shell expansion, which lifeboat does not evaluate";
		} else if (shell_special(c)) {
			return "shell syntax other than an assignment";
		} else {
			value_put(o, c);
			(*i)++;
		}
	}
	return NULL;
}

int lb_kexec_defaults_parse(const char *text, size_t len, const char *name,
			    struct lb_kexec_defaults *ret, struct lb_err *err)
{
	size_t pos = 0, eol, i, key, key_len;
	char grub[8];
	struct value_out o;
	unsigned int line = 0;
	const char *why;
	bool *has;

	memset(ret, 0, sizeof(*ret));
	while (next_line(text, len, &pos, &i, &eol)) {
		line++;
		if (content_at(text, &i, eol))
			continue;
		if (eol - i > 7 && !memcmp(text + i, "export", 6) && is_blank(text[i + 6])) {
			i += 6;
			while (i < eol && is_blank(text[i]))
				i++;
		}
		key = i;
		while (i < eol && (text[i] == '_' || (text[i] >= 'A' && text[i] <= 'Z') ||
				   (text[i] >= 'a' && text[i] <= 'z') ||
				   (i > key && text[i] >= '0' && text[i] <= '9')))
			i++;
		key_len = i - key;
		if (!key_len || i == eol || text[i] != '=')
			return lb_err_set(err, EINVAL,
					  "'%s' line %u is not a KEY=value assignment (lifeboat reads no other shell)",
					  name, line);
		i++;
		memset(&o, 0, sizeof(o));
		has = NULL;
		if (text_is(text + key, key_len, "KERNEL_IMAGE")) {
			o.buf = ret->kernel;
			o.len = sizeof(ret->kernel);
			has = &ret->has_kernel;
		} else if (text_is(text + key, key_len, "INITRD")) {
			o.buf = ret->initrd;
			o.len = sizeof(ret->initrd);
			has = &ret->has_initrd;
		} else if (text_is(text + key, key_len, "APPEND")) {
			o.buf = ret->append;
			o.len = sizeof(ret->append);
			has = &ret->has_append;
		} else if (text_is(text + key, key_len, "USE_GRUB_CONFIG")) {
			o.buf = grub;
			o.len = sizeof(grub);
		}
		if (o.buf)
			o.buf[0] = '\0';
		why = parse_value(text, eol, &i, &o);
		while (!why && i < eol && is_blank(text[i]))
			i++;
		if (!why && i < eol && text[i] != '#')
			why = "words after the value";
		if (why)
			return lb_err_set(err, EINVAL, "'%s' line %u: %s", name, line, why);
		if (o.buf == grub) {
			/* Only "true" turns it on in kexec-load; a long word is just not "true". */
			ret->use_grub_config = !o.too_long && !strcmp(grub, "true");
			continue;
		}
		if (o.too_long)
			return lb_err_set(err, E2BIG, "'%s' line %u: the value is longer than %zu bytes",
					  name, line, o.len - 1);
		if (has)
			*has = true;
	}
	return 0;
}

/* ---- /proc/cmdline --------------------------------------------------------- */

int lb_cmdline_reuse(const char *text, size_t len, char *buf, size_t buflen)
{
	size_t i = 0, start, o = 0;
	bool quoted;

	if (!buflen)
		return -E2BIG;
	buf[0] = '\0';
	while (i < len && text[i]) {
		while (i < len && (is_blank(text[i]) || text[i] == '\n'))
			i++;
		if (i == len || !text[i])
			break;
		/*
		 * A parameter ends at a blank outside double quotes, as the
		 * kernel's next_arg() reads it, or at the line's end.
		 */
		start = i;
		quoted = false;
		while (i < len && text[i] && text[i] != '\n' && (quoted || !is_blank(text[i]))) {
			if (text[i] == '"')
				quoted = !quoted;
			i++;
		}
		if (i - start >= 11 && !memcmp(text + start, "BOOT_IMAGE=", 11))
			continue;
		if (o + (o ? 1 : 0) + (i - start) >= buflen) {
			buf[0] = '\0';
			return -E2BIG;
		}
		if (o)
			buf[o++] = ' ';
		memcpy(buf + o, text + start, i - start);
		o += i - start;
		buf[o] = '\0';
	}
	return 0;
}

/* ---- /sys/kernel/lifeboat/fast_reboot -------------------------------------- */

/* A number the module writes in decimal or, with 0x, in hex; the whole of text[i, end). */
static int attr_number(const char *text, size_t i, size_t end, uint64_t *ret)
{
	int r;

	if (end - i > 2 && text[i] == '0' && text[i + 1] == 'x')
		r = parse_hex(text, end, &i, ret);
	else
		r = parse_dec(text, end, &i, ret);
	return r || i != end ? -EINVAL : 0;
}

int lb_fast_reboot_parse(const char *text, size_t len, struct lb_fast_reboot *ret)
{
	size_t pos = 0, eol, i, eq;
	unsigned int line = 0;
	const char *key;
	uint64_t *num;
	int r;

	memset(ret, 0, sizeof(*ret));
	len = trimmed(text, len);
	while (next_line(text, len, &pos, &i, &eol)) {
		line++;
		if (line == 1) {
			if (text_is(text + i, trimmed(text + i, eol - i), "none"))
				return eol >= len ? 0 : -EINVAL;
			if (!text_is(text + i, trimmed(text + i, eol - i), "loaded"))
				return -EINVAL;
			ret->loaded = true;
			continue;
		}
		for (eq = i; eq < eol && text[eq] != '='; eq++)
			;
		if (eq == eol || eq == i)
			return -EINVAL;
		key = text + i;
		num = NULL;
		if (text_is(key, eq - i, "loader")) {
			lb_copy_printable(ret->loader, sizeof(ret->loader), text + eq + 1, eol - eq - 1);
		} else if (text_is(key, eq - i, "cmdline")) {
			lb_copy_printable(ret->cmdline, sizeof(ret->cmdline), text + eq + 1,
					  eol - eq - 1);
		} else if (text_is(key, eq - i, "kernel")) {
			num = &ret->kernel_len;
		} else if (text_is(key, eq - i, "initrd")) {
			num = &ret->initrd_len;
		} else if (text_is(key, eq - i, "load")) {
			num = &ret->load;
		} else if (text_is(key, eq - i, "pages")) {
			num = &ret->pages;
		} else if (text_is(key, eq - i, "first_page")) {
			num = &ret->first_page;
		}
		if (num) {
			r = attr_number(text, eq + 1, trimmed(text, eol), num);
			if (r)
				return r;
		}
	}
	return line ? 0 : -EINVAL;
}
