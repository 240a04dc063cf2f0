// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a dead kernel's log: the panic line, the oops that led to it and
 * the crashed task's stack, as x86_64 kernels print them:
 *
 *   [    3.03] Kernel panic - not syncing: sysrq triggered crash
 *   [    3.03] CPU: 0 PID: 1 Comm: init Not tainted 6.1.0-56-amd64 #1 ...
 *   [    3.03] Call Trace:
 *   [    3.03]  <TASK>
 *   [    3.03]  panic+0x118/0x2f4
 *   [    3.03]  ? _printk+0x68/0x83            (unreliable: left out)
 *   [    3.03]  RIP: 0033:0x47b7a0             (registers: skipped)
 *   [    3.03]  </TASK>
 *
 * panic() prints its own stack unless an oops is in progress; then the
 * oops's stack, printed just before, is the crashed task's.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dumptools.h"

struct span {
	const char *s;
	size_t n;
};

/* Context lines looked at around a stack: an oops header is a dozen lines. */
enum { TASK_WINDOW = 60, CAUSE_WINDOW = 20, TRACE_AFTER_PANIC = 20, TRACE_MAX_LINES = 400 };

static int starts(struct span l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l.n >= n && !memcmp(l.s, prefix, n);
}

static int contains(struct span l, const char *needle)
{
	return memmem(l.s, l.n, needle, strlen(needle)) != NULL;
}

/* Drops "<6>", "[   12.345678]" and a caller id "[    T1]" from the front of a line. */
static struct span body(const char *s, size_t n)
{
	struct span l = { s, n };
	size_t i;
	int k;

	if (l.n >= 3 && l.s[0] == '<' && isdigit((unsigned char)l.s[1])) {
		for (i = 1; i < l.n && i < 6 && isdigit((unsigned char)l.s[i]); i++)
			;
		if (i < l.n && l.s[i] == '>') {
			l.s += i + 1;
			l.n -= i + 1;
		}
	}
	for (k = 0; k < 2; k++) {
		if (!l.n || l.s[0] != '[')
			break;
		for (i = 1; i < l.n && i < 24; i++) {
			char c = l.s[i];

			if (c == ']' || !(isdigit((unsigned char)c) || c == ' ' || c == '.' ||
					  c == 'T' || c == 'C'))
				break;
		}
		if (i >= l.n || l.s[i] != ']')
			break;
		l.s += i + 1;
		l.n -= i + 1;
		if (l.n && l.s[0] == ' ')
			l.s++, l.n--;
	}
	while (l.n && (l.s[l.n - 1] == '\r' || l.s[l.n - 1] == ' '))
		l.n--;
	return l;
}

static struct span trim_left(struct span l)
{
	while (l.n && (l.s[0] == ' ' || l.s[0] == '\t'))
		l.s++, l.n--;
	return l;
}

static int is_task_line(struct span l)
{
	return starts(l, "CPU: ") && contains(l, " PID: ");
}

static int is_cause(struct span l)
{
	static const char *const heads[] = {
		"BUG: ", "Oops: ", "general protection fault", "kernel BUG at ", "WARNING: ",
		"watchdog: ", "Unable to handle", "NMI watchdog: ", "Kernel stack overflow",
		"double fault", "stack segment", "invalid opcode: ",
	};
	size_t i;

	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		if (starts(l, heads[i]))
			return 1;
	return 0;
}

/* "RIP: 0033:...", "Code: ...", "R10: ...": register dumps inside a stack. */
static int is_register_line(struct span l)
{
	size_t i;

	if (!l.n || !isupper((unsigned char)l.s[0]))
		return 0;
	for (i = 1; i < l.n && i < 7; i++) {
		if (l.s[i] == ':')
			return 1;
		if (!isupper((unsigned char)l.s[i]) && !isdigit((unsigned char)l.s[i]))
			return 0;
	}
	return 0;
}

static int is_frame(struct span l)
{
	return contains(l, "+0x") && contains(l, "/0x");
}

static void set_field(char *dst, size_t size, struct span l)
{
	lb_copy_printable(dst, size, l.s, l.n);
}

static void add_frame(struct lb_crash *c, struct span l)
{
	if (c->nr_frames == LB_STACK_MAX) {
		c->frames_truncated = 1;
		return;
	}
	set_field(c->frames[c->nr_frames++], LB_FRAME_LEN, l);
}

static void read_trace(struct lb_crash *c, const struct span *lines, size_t nr, size_t at)
{
	size_t i;

	for (i = at + 1; i < nr && i <= at + TRACE_MAX_LINES; i++) {
		struct span l = trim_left(lines[i]);

		if (starts(l, "</TASK>"))
			break;
		if (starts(l, "<TASK>"))
			continue;
		if (l.n > 2 && l.s[0] == '<' && l.s[l.n - 1] == '>' && l.n < 16) {
			add_frame(c, l);	/* <IRQ>, </IRQ>, <NMI>... */
			continue;
		}
		if (starts(l, "? "))
			continue;
		if (is_frame(l)) {
			add_frame(c, l);
			continue;
		}
		if (is_register_line(l))
			continue;
		break;
	}
}

int lb_dmesg_parse(const char *text, size_t len, struct lb_crash *ret)
{
	struct span *lines = NULL;
	size_t nr = 0, cap = 0, pos = 0, i;
	long panic = -1, trace = -1, task = -1;
	int rc = 0;

	memset(ret, 0, sizeof(*ret));
	while (pos < len) {
		size_t n = 0;

		while (pos + n < len && text[pos + n] != '\n')
			n++;
		if (nr == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct span *nl = realloc(lines, ncap * sizeof(*lines));

			if (!nl) {
				free(lines);
				return -ENOMEM;
			}
			lines = nl;
			cap = ncap;
		}
		lines[nr++] = body(text + pos, n);
		pos += n + 1;
	}

	for (i = 0; i < nr; i++) {
		if (!ret->release[0] && starts(lines[i], "Linux version ")) {
			struct span v = { lines[i].s + 14, lines[i].n - 14 };
			size_t k = 0;

			while (k < v.n && v.s[k] != ' ')
				k++;
			v.n = k;
			set_field(ret->release, sizeof(ret->release), v);
		}
		if (contains(lines[i], "Kernel panic - not syncing"))
			panic = (long)i;
	}

	/* The stack panic() printed, just after its line... */
	if (panic >= 0) {
		for (i = (size_t)panic + 1; i < nr && i <= (size_t)panic + TRACE_AFTER_PANIC; i++) {
			if (starts(lines[i], "Call Trace:")) {
				trace = (long)i;
				break;
			}
			if (contains(lines[i], "Kernel panic - not syncing"))
				break;
		}
	}
	/* ...else the last one before it: the oops that panicked. */
	if (trace < 0) {
		size_t end = panic >= 0 ? (size_t)panic : nr;

		for (i = end; i-- > 0;) {
			if (starts(lines[i], "Call Trace:")) {
				trace = (long)i;
				break;
			}
		}
	}
	if (trace >= 0) {
		for (i = (size_t)trace; i-- > 0 && i + TASK_WINDOW >= (size_t)trace;) {
			if (is_task_line(lines[i])) {
				task = (long)i;
				break;
			}
		}
		read_trace(ret, lines, nr, (size_t)trace);
		if (task >= 0)
			set_field(ret->task, sizeof(ret->task), lines[task]);
		/* The first headline of the oops above the stack, if the stack is an oops's. */
		if (panic < 0 || trace < panic) {
			size_t top = task >= 0 ? (size_t)task : (size_t)trace;

			for (i = top; i-- > 0 && i + CAUSE_WINDOW >= top;) {
				if (is_cause(lines[i]))
					set_field(ret->cause, sizeof(ret->cause), lines[i]);
				if (starts(lines[i], "Call Trace:") ||
				    contains(lines[i], "---[ end trace"))
					break;
			}
		}
	}
	if (panic >= 0) {
		struct span p = lines[panic];
		const char *k = memmem(p.s, p.n, "Kernel panic", 12);

		p.n -= (size_t)(k - p.s);
		p.s = k;
		set_field(ret->panic, sizeof(ret->panic), p);
	}
	if (panic < 0 && trace < 0)
		rc = -ENOENT;
	free(lines);
	return rc;
}
