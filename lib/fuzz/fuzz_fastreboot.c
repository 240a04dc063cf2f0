// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the fast reboot's text (lib/fastreboot.c): the
 * first byte picks the parser, the rest is its input: a memory map file
 * (which must come out sorted, non-overlapping and with System RAM, and
 * read back the same once formatted), /etc/default/kexec, /proc/cmdline
 * reused, the module's fast_reboot attribute, or the three attributes of a
 * /sys/firmware/memmap entry (separated by NUL bytes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fastreboot.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

enum { CAP = 128 };

static void check(int cond)
{
	if (!cond)
		abort();
}

static void nul_terminated(const char *s, size_t cap)
{
	check(memchr(s, '\0', cap) != NULL);
}

static void memmap(const char *text, size_t len)
{
	static struct lb_mem_range r[CAP], again[CAP];
	static char buf[CAP * 80];
	struct lb_err err = { "" };
	unsigned int nr, nr2, i;
	bool ram = false;
	size_t n;

	if (lb_memmap_parse(text, len, "fuzz", r, CAP, &nr, &err)) {
		nul_terminated(err.msg, sizeof(err.msg));
		return;
	}
	check(nr >= 1 && nr <= CAP);
	for (i = 0; i < nr; i++) {
		check(r[i].start < r[i].end);
		check(!i || r[i].start >= r[i - 1].end);
		check(lb_e820_type_name(r[i].type) != NULL);
		ram |= r[i].type == LB_MEM_RAM;
	}
	check(ram);
	n = lb_memmap_format(r, nr, buf, sizeof(buf));
	check(n > 0 && n < sizeof(buf));
	check(!lb_memmap_parse(buf, n, "again", again, CAP, &nr2, &err));
	check(nr2 == nr);
	for (i = 0; i < nr; i++)
		check(again[i].start == r[i].start && again[i].end == r[i].end &&
		      again[i].type == r[i].type);
}

static void kexec_defaults(const char *text, size_t len)
{
	static struct lb_kexec_defaults d;
	struct lb_err err = { "" };

	if (lb_kexec_defaults_parse(text, len, "fuzz", &d, &err)) {
		nul_terminated(err.msg, sizeof(err.msg));
		return;
	}
	nul_terminated(d.kernel, sizeof(d.kernel));
	nul_terminated(d.initrd, sizeof(d.initrd));
	nul_terminated(d.append, sizeof(d.append));
	check(d.has_kernel || !d.kernel[0]);
	check(d.has_initrd || !d.initrd[0]);
	check(d.has_append || !d.append[0]);
}

static void cmdline(const char *text, size_t len)
{
	static char buf[512];
	size_t n;

	if (lb_cmdline_reuse(text, len, buf, sizeof(buf))) {
		check(!buf[0]);
		return;
	}
	n = strlen(buf);
	check(n < sizeof(buf));
	check(!strchr(buf, '\n'));
	check(strncmp(buf, "BOOT_IMAGE=", 11) != 0);
	check(!n || (buf[0] != ' ' && buf[n - 1] != ' ') || memchr(text, '"', len));
}

static void attribute(const char *text, size_t len)
{
	static struct lb_fast_reboot fr;

	if (lb_fast_reboot_parse(text, len, &fr))
		return;
	nul_terminated(fr.loader, sizeof(fr.loader));
	nul_terminated(fr.cmdline, sizeof(fr.cmdline));
	check(fr.loaded || (!fr.kernel_len && !fr.loader[0]));
}

static void sysfs_entry(const char *text, size_t len)
{
	const char *part[3] = { text, text, text };
	size_t plen[3] = { 0, 0, 0 }, i, p = 0, from = 0;
	struct lb_err err = { "" };
	struct lb_mem_range r;

	for (i = 0; i <= len && p < 3; i++) {
		if (i == len || !text[i]) {
			part[p] = text + from;
			plen[p++] = i - from;
			from = i + 1;
		}
	}
	if (lb_memmap_sysfs_entry(part[0], plen[0], part[1], plen[1], part[2], plen[2], 7, &r,
				  &err)) {
		nul_terminated(err.msg, sizeof(err.msg));
		return;
	}
	check(r.start < r.end);
	check(lb_e820_type_name(r.type) != NULL);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *text = (const char *)data + 1;

	if (!size)
		return 0;
	switch (data[0] % 5) {
	case 0:
		memmap(text, size - 1);
		break;
	case 1:
		kexec_defaults(text, size - 1);
		break;
	case 2:
		cmdline(text, size - 1);
		break;
	case 3:
		attribute(text, size - 1);
		break;
	default:
		sysfs_entry(text, size - 1);
		break;
	}
	return 0;
}
