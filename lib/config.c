// SPDX-License-Identifier: GPL-2.0
/*
 * /etc/lifeboat.conf: "key = value" lines, '#' comment lines, blank lines.
 * Every key is optional; lb_conf_defaults() holds the production defaults.
 * An unknown key, a key given twice or a value out of range is an error that
 * names the line, so that a typo never silently falls back to a default.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumptools.h"

enum { LB_CONF_LINE_MAX = 2048 };

static const char *const action_names[] = {
	[LB_ACTION_REBOOT] = "reboot",
	[LB_ACTION_POWEROFF] = "poweroff",
	[LB_ACTION_SHELL] = "shell",
	[LB_ACTION_FAST_REBOOT] = "fast-reboot",
};

static const char *const comp_names[] = {
	[LB_COMP_LZO] = "lzo",
	[LB_COMP_ZLIB] = "zlib",
	[LB_COMP_SNAPPY] = "snappy",
	[LB_COMP_ZSTD] = "zstd",
	[LB_COMP_NONE] = "none",
};

static const char *const comp_flags[] = {
	[LB_COMP_LZO] = "-l",
	[LB_COMP_ZLIB] = "-c",
	[LB_COMP_SNAPPY] = "-p",
	[LB_COMP_ZSTD] = "-z",
	[LB_COMP_NONE] = NULL,
};

void lb_conf_defaults(struct lb_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	strcpy(conf->path, "/var/crash");
	/* Leaves out zero, cache, user and free pages: kdump-tools' and kdump-utils' -d 31. */
	conf->dump_level = 31;
	/* lzo: kdump-utils' default, fast enough that the disk, not the CPU, sets the pace. */
	conf->compression = LB_COMP_LZO;
	conf->threads = 0;
	conf->keep = 3;
	conf->min_free = 64ULL << 20;
	conf->final_action = LB_ACTION_REBOOT;
	conf->failure_action = LB_ACTION_REBOOT;
	/* A third crash within half an hour: the machine is looping, and the
	 * firmware's reset (memory training, device resets) is worth its time. */
	conf->crash_loop_count = 3;
	conf->crash_loop_minutes = 30;
	/* Nothing to decompress after the panic: the capture kernel starts
	 * seconds sooner (not under lockdown, where the bzImage is loaded). */
	conf->unpack = true;
}

const char *lb_action_name(enum lb_action action)
{
	return (unsigned int)action < sizeof(action_names) / sizeof(action_names[0]) ?
		action_names[action] : "?";
}

const char *lb_compression_name(enum lb_compression comp)
{
	return (unsigned int)comp < sizeof(comp_names) / sizeof(comp_names[0]) ?
		comp_names[comp] : "?";
}

const char *lb_compression_flag(enum lb_compression comp)
{
	return (unsigned int)comp < sizeof(comp_flags) / sizeof(comp_flags[0]) ?
		comp_flags[comp] : NULL;
}

struct parse_ctx {
	const char *name;
	unsigned int line;
	struct lb_err *err;
};

static int bad(struct parse_ctx *p, const char *key, const char *value, const char *want)
{
	return lb_err_set(p->err, EINVAL, "%s:%u: %s must be %s, got '%.80s'", p->name, p->line,
			  key, want, value);
}

static int set_str(struct parse_ctx *p, const char *key, char *dst, size_t size,
		   const char *value)
{
	if (strlen(value) >= size)
		return lb_err_set(p->err, EINVAL, "%s:%u: %s is longer than %zu characters",
				  p->name, p->line, key, size - 1);
	strcpy(dst, value);
	return 0;
}

static int set_uint(struct parse_ctx *p, const char *key, unsigned int *dst, const char *value,
		    unsigned int max, const char *want)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)value[0]))
		return bad(p, key, value, want);
	errno = 0;
	v = strtoul(value, &end, 10);
	if (errno || *end || v > max)
		return bad(p, key, value, want);
	*dst = (unsigned int)v;
	return 0;
}

static int set_choice(struct parse_ctx *p, const char *key, int *dst, const char *value,
		      const char *const *names, size_t n, const char *want)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(value, names[i])) {
			*dst = (int)i;
			return 0;
		}
	}
	return bad(p, key, value, want);
}

/* An absolute path without ".", ".." or empty components, nor blanks. */
static int valid_path(const char *v)
{
	const char *c;

	if (v[0] != '/')
		return 0;
	for (c = v; *c; c++) {
		if (isspace((unsigned char)*c))
			return 0;
		if (*c == '/' && c[1] == '/')
			return 0;
		if (*c == '/' && c[1] == '.' && (c[2] == '/' || !c[2] ||
						  (c[2] == '.' && (c[3] == '/' || !c[3]))))
			return 0;
	}
	return 1;
}

static int set_path(struct parse_ctx *p, const char *key, char *dst, size_t size,
		    const char *value)
{
	char tmp[LB_CONF_STR];
	size_t n = strlen(value);

	if (n >= sizeof(tmp))
		return bad(p, key, value, "a shorter path");
	strcpy(tmp, value);
	while (n > 1 && tmp[n - 1] == '/')
		tmp[--n] = '\0';
	if (!valid_path(tmp))
		return bad(p, key, value, "an absolute path without '.', '..', '//' or blanks");
	return set_str(p, key, dst, size, tmp);
}

static int valid_uuid(const char *u)
{
	size_t n = 0;

	for (; *u; u++, n++)
		if (!isxdigit((unsigned char)*u) && *u != '-')
			return 0;
	return n >= 4 && n <= 36;
}

static int set_target(struct parse_ctx *p, struct lb_conf *conf, const char *value)
{
	static const char want[] = "UUID=..., LABEL=... or a /dev/ path";

	if (!value[0]) {
		conf->target[0] = '\0';
		return 0;
	}
	if (!strncmp(value, "UUID=", 5)) {
		if (!valid_uuid(value + 5))
			return bad(p, "target", value, "UUID= and a filesystem UUID");
	} else if (!strncmp(value, "LABEL=", 6)) {
		if (!value[6] || strlen(value + 6) > 255 || strchr(value + 6, '/'))
			return bad(p, "target", value, "LABEL= and a filesystem label");
	} else if (!strncmp(value, "/dev/", 5)) {
		if (!valid_path(value) || !value[5])
			return bad(p, "target", value, want);
	} else {
		return bad(p, "target", value, want);
	}
	return set_str(p, "target", conf->target, sizeof(conf->target), value);
}

/* Module names, separated by blanks or commas, stored one space apart. */
static int set_modules(struct parse_ctx *p, struct lb_conf *conf, const char *value)
{
	char out[LB_CONF_LONG];
	size_t o = 0;
	const char *c = value;

	while (*c) {
		size_t n = 0;

		while (*c == ' ' || *c == '\t' || *c == ',')
			c++;
		if (!*c)
			break;
		while (c[n] && c[n] != ' ' && c[n] != '\t' && c[n] != ',') {
			if (!isalnum((unsigned char)c[n]) && c[n] != '_' && c[n] != '-')
				return bad(p, "extra_modules", value,
					   "module names (letters, digits, '_', '-')");
			n++;
		}
		if (o + n + 2 > sizeof(out))
			return bad(p, "extra_modules", value, "a shorter list");
		if (o)
			out[o++] = ' ';
		memcpy(out + o, c, n);
		o += n;
		c += n;
	}
	out[o] = '\0';
	strcpy(conf->extra_modules, out);
	return 0;
}

static int set_fstype(struct parse_ctx *p, struct lb_conf *conf, const char *value)
{
	const char *c;

	for (c = value; *c; c++)
		if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c))
			return bad(p, "fstype", value, "a filesystem type such as ext4 or xfs");
	return set_str(p, "fstype", conf->fstype, sizeof(conf->fstype), value);
}

/* "N/M": N crashes within M minutes. */
static int set_crash_loop(struct parse_ctx *p, struct lb_conf *conf, const char *value)
{
	static const char want[] = "CRASHES/MINUTES, such as 3/30 (1 to 1000 crashes, 1 to 10080 minutes)";
	char count[16];
	const char *slash = strchr(value, '/');
	size_t n = slash ? (size_t)(slash - value) : 0;
	unsigned int c, m;

	if (!slash || !n || n >= sizeof(count))
		return bad(p, "crash_loop", value, want);
	memcpy(count, value, n);
	count[n] = '\0';
	if (set_uint(p, "crash_loop", &c, count, LB_CONF_MAX_LOOP, want) ||
	    set_uint(p, "crash_loop", &m, slash + 1, LB_CONF_MAX_LOOP_MINUTES, want) || !c || !m)
		return bad(p, "crash_loop", value, want);
	conf->crash_loop_count = c;
	conf->crash_loop_minutes = m;
	return 0;
}

enum conf_key {
	K_TARGET, K_PATH, K_FSTYPE, K_DUMP_LEVEL, K_COMPRESSION, K_THREADS, K_KEEP,
	K_MIN_FREE, K_FINAL_ACTION, K_FAILURE_ACTION, K_APPEND, K_KERNEL, K_EXTRA_MODULES,
	K_CRASH_LOOP, K_RETURN_KERNEL, K_RETURN_INITRD, K_REGION, K_UNPACK,
	K_COUNT,
};

static const char *const key_names[K_COUNT] = {
	[K_TARGET] = "target",
	[K_PATH] = "path",
	[K_FSTYPE] = "fstype",
	[K_DUMP_LEVEL] = "dump_level",
	[K_COMPRESSION] = "compression",
	[K_THREADS] = "threads",
	[K_KEEP] = "keep",
	[K_MIN_FREE] = "min_free",
	[K_FINAL_ACTION] = "final_action",
	[K_FAILURE_ACTION] = "failure_action",
	[K_APPEND] = "append",
	[K_KERNEL] = "kernel",
	[K_EXTRA_MODULES] = "extra_modules",
	[K_CRASH_LOOP] = "crash_loop",
	[K_RETURN_KERNEL] = "return_kernel",
	[K_RETURN_INITRD] = "return_initrd",
	[K_REGION] = "region",
	[K_UNPACK] = "unpack",
};

static const char *const yes_no[] = { "no", "yes" };

/* region = auto, boot, or the size of a run-time region (at least 32M). */
static int set_region(struct parse_ctx *p, struct lb_conf *conf, const char *value)
{
	static const char want[] = "auto, boot, or a size such as 256M (at least 32M)";
	unsigned long long size;

	if (!strcmp(value, "auto") || !strcmp(value, "boot")) {
		conf->region_boot_only = value[0] == 'b';
		conf->region_size = 0;
		return 0;
	}
	if (lb_parse_size(value, &size) || size < (32ULL << 20))
		return bad(p, "region", value, want);
	conf->region_boot_only = false;
	conf->region_size = size;
	return 0;
}

static int set_key(struct parse_ctx *p, struct lb_conf *conf, enum conf_key k, const char *v)
{
	unsigned long long size;
	int choice = 0, ret;

	switch (k) {
	case K_TARGET:
		return set_target(p, conf, v);
	case K_PATH:
		return set_path(p, "path", conf->path, sizeof(conf->path), v);
	case K_FSTYPE:
		return set_fstype(p, conf, v);
	case K_DUMP_LEVEL:
		return set_uint(p, "dump_level", &conf->dump_level, v, 31, "a number from 0 to 31");
	case K_COMPRESSION:
		ret = set_choice(p, "compression", &choice, v, comp_names,
				 sizeof(comp_names) / sizeof(comp_names[0]),
				 "lzo, zlib, snappy, zstd or none");
		if (!ret)
			conf->compression = (enum lb_compression)choice;
		return ret;
	case K_THREADS:
		return set_uint(p, "threads", &conf->threads, v, LB_CONF_MAX_THREADS,
				"a number from 0 to 64");
	case K_KEEP:
		return set_uint(p, "keep", &conf->keep, v, LB_CONF_MAX_KEEP,
				"a number from 0 (keep all) to 1000");
	case K_MIN_FREE:
		if (lb_parse_size(v, &size))
			return bad(p, "min_free", v, "a size such as 64M or 1G");
		conf->min_free = size;
		return 0;
	case K_FINAL_ACTION:
		ret = set_choice(p, key_names[k], &choice, v, action_names,
				 sizeof(action_names) / sizeof(action_names[0]),
				 "reboot, poweroff, shell or fast-reboot");
		if (!ret)
			conf->final_action = (enum lb_action)choice;
		return ret;
	case K_FAILURE_ACTION:
		/* Not fast-reboot: after a failed save the firmware's reset is the
		 * safe way back, and the capture kernel may lack what a fast
		 * reboot needs (its initramfs is what failed to do its job). */
		ret = set_choice(p, key_names[k], &choice, v, action_names, LB_ACTION_SHELL + 1,
				 "reboot, poweroff or shell");
		if (!ret)
			conf->failure_action = (enum lb_action)choice;
		return ret;
	case K_CRASH_LOOP:
		return set_crash_loop(p, conf, v);
	case K_REGION:
		return set_region(p, conf, v);
	case K_UNPACK:
		ret = set_choice(p, key_names[k], &choice, v, yes_no, 2, "yes or no");
		if (!ret)
			conf->unpack = choice == 1;
		return ret;
	case K_RETURN_KERNEL:
		if (!v[0]) {
			conf->return_kernel[0] = '\0';
			return 0;
		}
		return set_path(p, "return_kernel", conf->return_kernel,
				sizeof(conf->return_kernel), v);
	case K_RETURN_INITRD:
		if (!v[0] || !strcmp(v, "none"))
			return set_str(p, "return_initrd", conf->return_initrd,
				       sizeof(conf->return_initrd), v);
		return set_path(p, "return_initrd", conf->return_initrd,
				sizeof(conf->return_initrd), v);
	case K_APPEND:
		return set_str(p, "append", conf->append, sizeof(conf->append), v);
	case K_KERNEL:
		/* "": Lifeboat's own when installed, else the stock one. */
		if (!v[0] || !strcmp(v, LB_KERNEL_OWN) || !strcmp(v, LB_KERNEL_STOCK))
			return set_str(p, "kernel", conf->kernel, sizeof(conf->kernel), v);
		return set_path(p, "kernel", conf->kernel, sizeof(conf->kernel), v);
	case K_EXTRA_MODULES:
		return set_modules(p, conf, v);
	case K_COUNT:
		break;
	}
	return -EINVAL;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int parse_line(struct parse_ctx *p, struct lb_conf *conf, char *line,
		      unsigned int *seen_line)
{
	char *eq, *key, *value, *end;
	size_t n;
	int k;

	while (is_blank(*line))
		line++;
	end = line + strlen(line);
	while (end > line && is_blank(end[-1]))
		*--end = '\0';
	if (!*line || *line == '#')
		return 0;

	for (value = line; *value; value++)
		if ((unsigned char)*value < 0x20 && *value != '\t')
			return lb_err_set(p->err, EINVAL, "%s:%u: control character in the line",
					  p->name, p->line);
		else if ((unsigned char)*value >= 0x7f)
			return lb_err_set(p->err, EINVAL, "%s:%u: non-ASCII character in the line",
					  p->name, p->line);

	eq = strchr(line, '=');
	if (!eq)
		return lb_err_set(p->err, EINVAL, "%s:%u: expected 'key = value', got '%.80s'",
				  p->name, p->line, line);
	key = line;
	value = eq + 1;
	*eq = '\0';
	end = eq;
	while (end > key && is_blank(end[-1]))
		*--end = '\0';
	while (is_blank(*value))
		value++;
	n = strlen(value);
	if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
		value[n - 1] = '\0';
		value++;
	}
	if (!*key)
		return lb_err_set(p->err, EINVAL, "%s:%u: a value without a key", p->name, p->line);

	for (k = 0; k < K_COUNT; k++)
		if (!strcmp(key, key_names[k]))
			break;
	if (k == K_COUNT)
		return lb_err_set(p->err, EINVAL, "%s:%u: unknown key '%.60s'", p->name, p->line,
				  key);
	if (seen_line[k])
		return lb_err_set(p->err, EINVAL, "%s:%u: '%s' is set twice (first on line %u)",
				  p->name, p->line, key, seen_line[k]);
	seen_line[k] = p->line;
	return set_key(p, conf, (enum conf_key)k, value);
}

int lb_conf_parse(struct lb_conf *conf, const char *text, size_t len, const char *name,
		  struct lb_err *err)
{
	struct parse_ctx p = { .name = name ? name : "config", .line = 0, .err = err };
	unsigned int seen_line[K_COUNT] = { 0 };
	char line[LB_CONF_LINE_MAX];
	size_t pos = 0;
	int ret;

	while (pos < len) {
		size_t n = 0;

		p.line++;
		while (pos + n < len && text[pos + n] != '\n')
			n++;
		if (memchr(text + pos, '\0', n))
			return lb_err_set(err, EINVAL, "%s:%u: NUL byte in the line", p.name, p.line);
		if (n >= sizeof(line))
			return lb_err_set(err, EINVAL, "%s:%u: line longer than %zu characters",
					  p.name, p.line, sizeof(line) - 1);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		ret = parse_line(&p, conf, line, seen_line);
		if (ret)
			return ret;
		pos += n + 1;
	}
	return 0;
}

/* Quoted when the parser would otherwise trim or unquote it. */
static size_t append_str(char *buf, size_t len, size_t pos, const char *key, const char *v)
{
	size_t n = strlen(v);
	int quote = n && (is_blank(v[0]) || is_blank(v[n - 1]) || v[0] == '"' || v[n - 1] == '"');

	return lb_append(buf, len, pos, quote ? "%s = \"%s\"\n" : "%s = %s\n", key, v);
}

/* Sizes in the largest unit that divides them, so they read back exactly. */
static size_t append_size(char *buf, size_t len, size_t pos, const char *key,
			  unsigned long long v)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u < 3 && v && !(v & 1023)) {
		v >>= 10;
		u++;
	}
	if (u < 0)
		return lb_append(buf, len, pos, "%s = %llu\n", key, v);
	return lb_append(buf, len, pos, "%s = %llu%c\n", key, v, units[u]);
}

size_t lb_conf_format(const struct lb_conf *c, char *buf, size_t len)
{
	size_t pos = 0;

	if (len)
		buf[0] = '\0';
	pos = append_str(buf, len, pos, "target", c->target);
	pos = append_str(buf, len, pos, "path", c->path);
	pos = append_str(buf, len, pos, "fstype", c->fstype);
	pos = lb_append(buf, len, pos, "dump_level = %u\n", c->dump_level);
	pos = lb_append(buf, len, pos, "compression = %s\n", lb_compression_name(c->compression));
	pos = lb_append(buf, len, pos, "threads = %u\n", c->threads);
	pos = lb_append(buf, len, pos, "keep = %u\n", c->keep);
	pos = append_size(buf, len, pos, "min_free", c->min_free);
	pos = lb_append(buf, len, pos, "final_action = %s\n", lb_action_name(c->final_action));
	pos = lb_append(buf, len, pos, "failure_action = %s\n",
			lb_action_name(c->failure_action));
	pos = append_str(buf, len, pos, "append", c->append);
	pos = append_str(buf, len, pos, "kernel", c->kernel);
	pos = append_str(buf, len, pos, "extra_modules", c->extra_modules);
	pos = lb_append(buf, len, pos, "crash_loop = %u/%u\n", c->crash_loop_count,
			c->crash_loop_minutes);
	pos = append_str(buf, len, pos, "return_kernel", c->return_kernel);
	pos = append_str(buf, len, pos, "return_initrd", c->return_initrd);
	pos = lb_append(buf, len, pos, "unpack = %s\n", yes_no[c->unpack]);
	if (c->region_size)
		pos = append_size(buf, len, pos, "region", c->region_size);
	else
		pos = lb_append(buf, len, pos, "region = %s\n",
				c->region_boot_only ? "boot" : "auto");
	return pos;
}
