// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for builder/lib/ranges.c: the input is a table
 * of E820 entries (sorted or not, overlapping or not, of any type) behind
 * the question the module asks the kernel, a span, a scan window and a
 * range to check. The rebuilt map must be sorted, non-overlapping, inside
 * the span, and never call usable RAM a byte that an entry of a known
 * other type claims; lb_map_find_other() must agree with a walk of the
 * rebuilt map byte range by byte range.
 *
 * Input: 8 bytes of span and scan window (in pages, 16 bits each, the
 * window at most 1023 pages long), 8
 * bytes of the range to check, then entries of 7 bytes: start page (24
 * bits), length in pages (16 bits), a type byte (its low 4 bits pick from
 * the known types and two unknown ones), a byte offset into the first
 * page (to make ranges that are not page aligned).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lifeboat/ranges.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define MAX_IN 64
#define MAX_OUT 256

static const lb_u32 types[] = {
	LB_MEM_RAM, LB_MEM_RAM, LB_MEM_RAM, LB_MEM_RESERVED, LB_MEM_ACPI,
	LB_MEM_NVS, LB_MEM_UNUSABLE, LB_MEM_PMEM, LB_MEM_PRAM,
	LB_MEM_SOFT_RESERVED, 6, 20, LB_MEM_RESERVED, LB_MEM_RAM,
	LB_MEM_RAM, LB_MEM_RESERVED,
};

struct table {
	struct lb_mem_range r[MAX_IN];
	unsigned int nr;
};

static void check(int cond)
{
	if (!cond)
		abort();
}

/* As e820__mapped_raw_any(): any entry of type (0: any) touching [start, end). */
static bool query(void *ctx, lb_u64 start, lb_u64 end, lb_u32 type)
{
	const struct table *t = ctx;
	unsigned int i;

	for (i = 0; i < t->nr; i++) {
		if (type && t->r[i].type != type)
			continue;
		if (t->r[i].start >= end || t->r[i].end <= start)
			continue;
		return true;
	}
	return false;
}

static lb_u64 get(const unsigned char *p, unsigned int n)
{
	lb_u64 v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const lb_u32 other[] = {
		LB_MEM_RESERVED, LB_MEM_ACPI, LB_MEM_NVS, LB_MEM_UNUSABLE,
		LB_MEM_PMEM, LB_MEM_PRAM, LB_MEM_SOFT_RESERVED,
	};
	struct lb_mem_range out[MAX_OUT], bad;
	struct lb_fwmap_query q = { .fn = query };
	lb_u64 start, end, cs, ce, cur;
	struct table t = { .nr = 0 };
	unsigned int nr, i, j;
	struct lb_err err;
	bool found;
	int ret;

	if (size < 16)
		return 0;
	q.ctx = &t;
	start = get(data, 2) << 12;
	end = start + (get(data + 2, 2) << 12);
	q.scan_start = start + (get(data + 4, 2) << 12);
	q.scan_end = q.scan_start + ((get(data + 6, 2) & 0x3ff) << 12);
	cs = get(data + 8, 4) << 8;
	ce = cs + get(data + 12, 4);
	for (data += 16, size -= 16; size >= 7 && t.nr < MAX_IN; data += 7, size -= 7) {
		t.r[t.nr].start = (get(data, 3) << 12) + data[6];
		t.r[t.nr].end = t.r[t.nr].start + (get(data + 3, 2) << 12) + 1;
		t.r[t.nr].type = types[data[5] & 15];
		t.nr++;
	}
	/* Half the time, the hints are the table itself (when it is sane). */
	if (data[-1] & 1) {
		q.hints = t.r;
		q.nr_hints = t.nr;
	}

	ret = lb_fwmap_rebuild(&q, start, end, out, MAX_OUT, &nr, &err);
	if (ret) {
		check((ret == -E2BIG || ret == -EINVAL) && nr == 0);
		return 0;
	}
	for (i = 0; i < nr; i++) {
		check(out[i].start < out[i].end);
		check(out[i].start >= start && out[i].end <= end);
		check(!i || out[i].start >= out[i - 1].end);
		check(out[i].type != LB_MEM_NONE);
		check(query(&t, out[i].start, out[i].end, 0));
		if (out[i].type != LB_MEM_RAM)
			continue;
		for (j = 0; j < LB_ARRAY_SIZE(other); j++)
			check(!query(&t, out[i].start, out[i].end, other[j]));
	}

	found = lb_map_find_other(out, nr, cs, ce, LB_MEM_RAM, &bad);
	if (!found) {
		/* Then the rebuilt map covers [cs, ce) with RAM only. */
		for (cur = cs, i = 0; i < nr && cur < ce; i++)
			if (out[i].start <= cur && out[i].end > cur) {
				check(out[i].type == LB_MEM_RAM);
				cur = out[i].end;
			}
		check(cur >= ce);
	} else {
		check(bad.start >= cs && bad.end <= ce && bad.start < bad.end);
		check(bad.type != LB_MEM_RAM);
		for (i = 0; i < nr; i++)
			if (out[i].start < bad.end && out[i].end > bad.start)
				check(bad.type != LB_MEM_NONE && out[i].type == bad.type);
	}
	return 0;
}
