// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for what the capture side reads from a dead kernel or
 * from the dump target: the dmesg (lb_dmesg_parse), metadata.txt
 * (lb_meta_parse, which must round-trip through lb_meta_format), the
 * VMCOREINFO note, makedumpfile's statistics and filesystem superblocks.
 * Every string handed back must be printable and NUL-terminated.
 */
#include <stdlib.h>
#include <string.h>

#include "dumptools.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

static void check_str(const char *s, size_t size)
{
	const char *end = memchr(s, '\0', size);

	check(end != NULL);
	for (; s < end; s++)
		check(*s >= 0x20 && *s < 0x7f);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *text = (const char *)data;
	struct lb_vmcoreinfo vi;
	struct lb_fsinfo fs;
	struct lb_meta m, m2;
	unsigned long long v;
	struct lb_crash *c;
	char buf[8192], name[64];
	unsigned int i;
	size_t n;

	c = malloc(sizeof(*c));
	check(c != NULL);
	if (lb_dmesg_parse(text, size, c) == 0) {
		check_str(c->panic, sizeof(c->panic));
		check_str(c->cause, sizeof(c->cause));
		check_str(c->task, sizeof(c->task));
		check_str(c->release, sizeof(c->release));
		check(c->nr_frames <= LB_STACK_MAX);
		for (i = 0; i < c->nr_frames; i++)
			check_str(c->frames[i], LB_FRAME_LEN);
	}
	free(c);

	if (lb_meta_parse(&m, text, size) == 0) {
		check_str(m.status, sizeof(m.status));
		check_str(m.panic, sizeof(m.panic));
		n = lb_meta_format(&m, buf, sizeof(buf));
		check(n < sizeof(buf));
		check(lb_meta_parse(&m2, buf, n) == 0);
		check(!memcmp(&m, &m2, sizeof(m)));
	}

	if (lb_vmcoreinfo_parse(text, size, &vi) == 0)
		check_str(vi.release, sizeof(vi.release));
	check(vi.page_size == 0 || !(vi.page_size & (vi.page_size - 1)));

	lb_mdf_write_bytes(text, size, &v);

	if (lb_fs_probe(data, size, &fs) == 0) {
		check_str(fs.type, sizeof(fs.type));
		check_str(fs.uuid, sizeof(fs.uuid));
		check_str(fs.label, sizeof(fs.label));
	}

	n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;
	memcpy(name, data, n);
	name[n] = '\0';
	if (lb_dump_kind(name) != LB_DUMP_NONE)
		check(strlen(name) >= 15);
	return 0;
}
