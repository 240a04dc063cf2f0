// SPDX-License-Identifier: GPL-2.0
/*
 * A save cut short, said plainly. The saver records in metadata.txt, before
 * each step, what it is about to do (status=incomplete, step=...), fsync'd;
 * when the capture kernel stops, the machine is reset or loses power, the
 * dump directory keeps its ".incomplete" name and that record. These
 * functions turn makedumpfile's end and such a record into the sentence
 * `lifeboat report` shows: "incomplete dump from <time>: <reason>".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dumptools.h"

static const char *signal_name(int sig)
{
	switch (sig) {
	case 6:
		return "SIGABRT";
	case 7:
		return "SIGBUS";
	case 9:
		return "SIGKILL";
	case 11:
		return "SIGSEGV";
	case 15:
		return "SIGTERM";
	default:
		return "a signal";
	}
}

/* The last non-empty line of out, as printable text, into line. */
/* Where what first occurs in out, or n. */
static size_t find(const char *out, size_t n, const char *what)
{
	size_t w = strlen(what), i;

	for (i = 0; i + w <= n; i++)
		if (!memcmp(out + i, what, w))
			return i;
	return n;
}

static int contains(const char *out, size_t n, const char *what)
{
	return find(out, n, what) < n;
}

/* The last line of out that says what, without makedumpfile's progress before it. */
static void line_with(const char *out, size_t n, const char *what, char *line, size_t len)
{
	size_t at = find(out, n, what), start, end, next;

	while (at < n && (next = find(out + at + 1, n - at - 1, what)) < n - at - 1)
		at += 1 + next;
	start = at;
	end = at;

	while (start && out[start - 1] != '\n' && out[start - 1] != '\r')
		start--;
	while (end < n && out[end] != '\n' && out[end] != '\r')
		end++;
	lb_copy_printable(line, len, out + start, end - start);
}

size_t lb_mdf_failure(int status, const char *out, size_t outlen, unsigned long oom_kills,
		      char *buf, size_t len)
{
	const char *victim = status > 128 ? "makedumpfile" : "a process and makedumpfile failed";
	char line[160];

	lb_last_line(out, outlen, line, sizeof(line));
	if (oom_kills && (status > 128 || contains(out, outlen, "Cannot allocate memory")))
		return (size_t)snprintf(buf, len,
					"the capture kernel ran out of memory while the vmcore was written: the kernel's out-of-memory killer ended %s; the reserved region is too small ('lifeboat estimate' says how much it needs)",
					victim);
	if (status > 128)
		return (size_t)snprintf(buf, len,
					"makedumpfile was killed by signal %d (%s) while it wrote the vmcore",
					status - 128, signal_name(status - 128));
	if (contains(out, outlen, "No space left")) {
		line_with(out, outlen, "No space left", line, sizeof(line));
		return (size_t)snprintf(buf, len,
					"the target ran out of space while the vmcore was written (makedumpfile: %s)",
					line);
	}
	if (contains(out, outlen, "Size limit")) {
		line_with(out, outlen, "Size limit", line, sizeof(line));
		return (size_t)snprintf(buf, len,
					"the vmcore outgrew the space the target had left above min_free while it was written (makedumpfile: %s)",
					line);
	}
	if (contains(out, outlen, "Cannot allocate memory"))
		return (size_t)snprintf(buf, len,
					"makedumpfile ran out of memory in the capture kernel (makedumpfile: %s)",
					line);
	if (status < 0)
		return (size_t)snprintf(buf, len, "makedumpfile did not start: %s",
					strerror(-status));
	return (size_t)snprintf(buf, len, "makedumpfile failed with status %d: %s", status,
				line[0] ? line : "(it printed nothing)");
}

int lb_vmstat_oom_kills(const char *text, size_t len, unsigned long *ret)
{
	static const char key[] = "oom_kill ";
	size_t pos = 0;

	while (pos < len) {
		size_t n = 0, i;

		while (pos + n < len && text[pos + n] != '\n')
			n++;
		if (n > sizeof(key) - 1 && !memcmp(text + pos, key, sizeof(key) - 1)) {
			unsigned long v = 0;

			for (i = sizeof(key) - 1; i < n; i++) {
				char c = text[pos + i];

				if (c < '0' || c > '9' || v > (~0UL - 9) / 10)
					return -ENOENT;
				v = v * 10 + (unsigned long)(c - '0');
			}
			*ret = v;
			return 0;
		}
		pos += n + 1;
	}
	return -ENOENT;
}

/* The crash time: the metadata's, else the one the directory is named after. */
static void dump_time(const char *name, const struct lb_meta *meta, char *buf, size_t len)
{
	if (meta && !lb_time_format(buf, len, meta->crash_time))
		return;
	if (lb_dump_kind(name) != LB_DUMP_NONE) {
		snprintf(buf, len, "%.4s-%.2s-%.2s %.2s:%.2s:%.2s UTC", name, name + 4, name + 6,
			 name + 9, name + 11, name + 13);
		return;
	}
	snprintf(buf, len, "an unknown time");
}

size_t lb_dump_verdict(const char *name, const struct lb_meta *meta, char *buf, size_t len)
{
	enum lb_dump_kind kind = lb_dump_kind(name);
	const char *status = meta && meta->status[0] ? meta->status : "";
	char when[64];

	if (len)
		buf[0] = '\0';
	dump_time(name, meta, when, sizeof(when));
	if (kind == LB_DUMP_INCOMPLETE) {
		/* The saver names why when it knew and could still write it down. */
		if (meta && meta->reason[0])
			return (size_t)snprintf(buf, len, "incomplete dump from %s: %s", when,
						meta->reason);
		if (meta && meta->step[0])
			return (size_t)snprintf(buf, len,
						"incomplete dump from %s: the save stopped while %s (the capture kernel stopped, or the machine was reset or lost power)",
						when, meta->step);
		return (size_t)snprintf(buf, len,
					"incomplete dump from %s: the save stopped before it recorded anything (the capture kernel stopped, or the machine was reset or lost power)",
					when);
	}
	if (!strcmp(status, "complete"))
		return 0;
	if (!strcmp(status, "dmesg-only"))
		return (size_t)snprintf(buf, len, "dmesg only, no vmcore, from %s: %s", when,
					meta->reason[0] ? meta->reason : "no reason recorded");
	if (!strcmp(status, "failed"))
		return (size_t)snprintf(buf, len, "failed dump from %s: %s", when,
					meta->reason[0] ? meta->reason : "no reason recorded");
	/* A finished name whose metadata says otherwise, or none. */
	if (status[0])
		return (size_t)snprintf(buf, len, "dump from %s with status %s%s%s", when, status,
					meta->reason[0] ? ": " : "", meta->reason);
	return (size_t)snprintf(buf, len,
				"dump from %s without metadata: nothing says whether it is complete",
				when);
}

int lb_last_jump_parse(const char *text, size_t len, long long *ret_time, unsigned int *ret_cpu)
{
	char buf[64], *end;
	unsigned long long t;
	unsigned long cpu;

	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	if (!strcmp(buf, "none"))
		return -ENOENT;
	if (strncmp(buf, "time=", 5) || buf[5] < '0' || buf[5] > '9')
		return -EINVAL;
	errno = 0;
	t = strtoull(buf + 5, &end, 10);
	if (errno || t > (unsigned long long)INT64_MAX || strncmp(end, " cpu=", 5) ||
	    end[5] < '0' || end[5] > '9')
		return -EINVAL;
	cpu = strtoul(end + 5, &end, 10);
	if (errno || *end || cpu > UINT32_MAX)
		return -EINVAL;
	*ret_time = (long long)t;
	*ret_cpu = (unsigned int)cpu;
	return 0;
}

long long lb_dump_name_time(const char *name)
{
	struct tm tm;
	time_t t;

	if (lb_dump_kind(name) == LB_DUMP_NONE)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (name[0] - '0') * 1000 + (name[1] - '0') * 100 + (name[2] - '0') * 10 +
		     (name[3] - '0') - 1900;
	tm.tm_mon = (name[4] - '0') * 10 + (name[5] - '0') - 1;
	tm.tm_mday = (name[6] - '0') * 10 + (name[7] - '0');
	tm.tm_hour = (name[9] - '0') * 10 + (name[10] - '0');
	tm.tm_min = (name[11] - '0') * 10 + (name[12] - '0');
	tm.tm_sec = (name[13] - '0') * 10 + (name[14] - '0');
	t = timegm(&tm);
	return t < 0 ? -1 : (long long)t;
}

static bool near(long long a, long long b)
{
	return a >= 0 && b >= 0 && (a > b ? a - b : b - a) <= LB_JUMP_TOLERANCE;
}

bool lb_jump_unsaved(long long jump_time, const char *const *names, size_t nr,
		     long long failed_time)
{
	size_t i;

	if (jump_time < 0 || near(jump_time, failed_time))
		return false;
	for (i = 0; i < nr; i++)
		if (near(jump_time, lb_dump_name_time(names[i])))
			return false;
	return true;
}

size_t lb_jump_reason(long long jump_time, char *buf, size_t len)
{
	char when[64];
	int n;

	if (lb_time_format(when, sizeof(when), jump_time))
		snprintf(when, sizeof(when), "an unknown time");
	n = snprintf(buf, len,
		     "the capture kernel started at %s but never reached the saver: it died or hung before the dump could be written; see its console",
		     when);
	return n < 0 ? 0 : (size_t)n;
}
