// SPDX-License-Identifier: GPL-2.0
/*
 * The capture kernel's memory map, in the E820 form boot_params carries,
 * after the rules of crash_setup_memmap_entries() (arch/x86/kernel/crash.c):
 * the machine's RAM below 1 MiB stays RAM; its ACPI, NVS and reserved ranges
 * are passed on, minus the region (a memmap=SIZE$START region is reserved
 * in the machine map and must not stay so); the metadata block is reserved;
 * the rest of the region is RAM, and so are the extra ranges of a region
 * taken at run time. No other RAM: the capture kernel must not touch the
 * memory it dumps.
 *
 * The machine map is sorted and so are the capture kernel's ranges (the
 * region among its extra ranges, lb_capture_range()), so the entries come
 * out sorted in one pass, each capture range slotted in before the first
 * piece above it; touching entries of one type are merged.
 */
#include "internal.h"
#include "lifeboat/ranges.h"

struct e820_out {
	lb_u8 *table;
	unsigned int max;
	unsigned int nr;
	lb_u64 last_end;
	lb_u32 last_type;
	struct lb_err *err;
};

static int e820_add(struct e820_out *o, lb_u64 start, lb_u64 end, lb_u32 type)
{
	lb_u8 *e;

	if (start >= end)
		return 0;
	if (o->nr && o->last_type == type && o->last_end == start) {
		e = o->table + (o->nr - 1) * LB_E820_ENTRY_SIZE;
		lb_put64(e + 8, end - lb_get64(e));
		o->last_end = end;
		return 0;
	}
	if (o->nr == o->max)
		return lb_err_set(o->err, E2BIG,
				  "the capture kernel's memory map needs more than %u entries",
				  o->max);
	e = o->table + o->nr * LB_E820_ENTRY_SIZE;
	lb_put64(e, start);
	lb_put64(e + 8, end - start);
	lb_put32(e + 16, type);
	o->nr++;
	o->last_end = end;
	o->last_type = type;
	return 0;
}

struct region_pass {
	const struct lb_machine *m;
	lb_u64 meta_end;
	unsigned int next;	/* the next capture range to add */
};

/* The next capture range: the region (its metadata block reserved) or an extra one. */
static int add_capture(struct e820_out *o, struct region_pass *rp)
{
	struct lb_mem_range c;
	int ret;

	lb_capture_range(rp->m, rp->next++, &c);
	if (c.start != rp->m->region_start)
		return e820_add(o, c.start, c.end, LB_MEM_RAM);
	ret = e820_add(o, c.start, rp->meta_end, LB_MEM_RESERVED);
	if (ret)
		return ret;
	return e820_add(o, rp->meta_end, c.end, LB_MEM_RAM);
}

static bool capture_due(struct region_pass *rp, lb_u64 start)
{
	struct lb_mem_range c;

	if (rp->next > rp->m->nr_extra)
		return false;
	lb_capture_range(rp->m, rp->next, &c);
	return start >= c.start;
}

/* Adds a piece of the machine map, preceded by the capture ranges that are due. */
static int add_piece(struct e820_out *o, struct region_pass *rp,
		     lb_u64 start, lb_u64 end, lb_u32 type)
{
	int ret;

	if (start >= end)
		return 0;
	while (capture_due(rp, start)) {
		ret = add_capture(o, rp);
		if (ret)
			return ret;
	}
	return e820_add(o, start, end, type);
}

/*
 * Every range the table calls usable is RAM the capture kernel may write:
 * inside the region, or RAM of the running kernel (below 1 MiB, or an extra
 * range), and usable
 * RAM in the firmware's map when one is given.
 */
static int check_usable(const struct lb_machine *m, const lb_u8 *table,
			unsigned int nr, struct lb_err *err)
{
	static const char what[] = "the capture kernel's usable range";
	lb_u64 start, end;
	unsigned int i;
	int ret;

	for (i = 0; i < nr; i++) {
		if (lb_get32(table + i * LB_E820_ENTRY_SIZE + 16) != LB_MEM_RAM)
			continue;
		start = lb_get64(table + i * LB_E820_ENTRY_SIZE);
		end = start + lb_get64(table + i * LB_E820_ENTRY_SIZE + 8);
		if (start < m->region_start || end > m->region_end) {
			ret = lb_ranges_require_ram(m->ranges, m->nr_ranges,
						    start, end, what,
						    "this kernel's memory map",
						    err);
			if (ret)
				return ret;
		}
		if (m->fw_ranges) {
			ret = lb_ranges_require_ram(m->fw_ranges,
						    m->nr_fw_ranges, start, end,
						    what,
						    "the firmware's memory map",
						    err);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/**
 * lb_memmap_build() - Build the capture kernel's E820 table.
 * @m: the machine, checked by lb_machine_check()
 * @meta_len: length of the metadata block at the start of the region
 * @table: where the packed 20-byte entries go
 * @max: room in @table, in entries
 * @nr: set to the number of entries written
 * @err: error context, may be NULL
 *
 * Context: any; no allocation.
 * Return: 0, -E2BIG if more than @max entries are needed, or -EINVAL if
 * fewer than 2 (the kernel ignores such a map and invents one).
 */
int lb_memmap_build(const struct lb_machine *m, lb_u64 meta_len, lb_u8 *table,
		    unsigned int max, unsigned int *nr, struct lb_err *err)
{
	struct e820_out o = { .table = table, .max = max, .err = err };
	struct region_pass rp = {
		.m = m,
		.meta_end = lb_min(m->region_start + meta_len, m->region_end),
	};
	const struct lb_mem_range *r;
	unsigned int i;
	int ret = 0;

	*nr = 0;
	for (i = 0; i < m->nr_ranges && !ret; i++) {
		r = &m->ranges[i];
		switch (r->type) {
		case LB_MEM_RAM:
			ret = add_piece(&o, &rp, r->start,
					lb_min(r->end, LB_SZ_1M), LB_MEM_RAM);
			break;
		case LB_MEM_ACPI:
		case LB_MEM_NVS:
		case LB_MEM_RESERVED:
			ret = add_piece(&o, &rp, r->start,
					lb_min(r->end, m->region_start), r->type);
			if (!ret)
				ret = add_piece(&o, &rp,
						lb_max(r->start, m->region_end),
						r->end, r->type);
			break;
		default:
			break;
		}
	}
	while (!ret && rp.next <= m->nr_extra)
		ret = add_capture(&o, &rp);
	if (ret)
		return ret;
	if (o.nr < 2)
		return lb_err_set(err, EINVAL,
				  "the capture kernel's memory map has %u entries: the kernel ignores fewer than 2",
				  o.nr);
	ret = check_usable(m, table, o.nr, err);
	if (ret)
		return ret;
	*nr = o.nr;
	return 0;
}
