// SPDX-License-Identifier: GPL-2.0
/*
 * Ranges against a typed memory map (lifeboat/ranges.h): the first part of a
 * range that is not of the type it must be, and the firmware's map rebuilt
 * from yes-or-no questions. The region, every range the capture kernel's
 * E820 map calls usable and every range the ELF core header dumps must be
 * usable RAM in the firmware's map; anything else is named and refused
 * before a byte is written (a region over the ACPI tables would overwrite
 * them).
 */
#include "lifeboat/ranges.h"
#include "internal.h"

const char *lb_mem_type_name(lb_u32 type)
{
	switch (type) {
	case LB_MEM_NONE:
		return "missing";
	case LB_MEM_RAM:
		return "usable RAM";
	case LB_MEM_RESERVED:
		return "reserved";
	case LB_MEM_ACPI:
		return "ACPI tables";
	case LB_MEM_NVS:
		return "ACPI NVS";
	case LB_MEM_UNUSABLE:
		return "unusable";
	case LB_MEM_PMEM:
		return "persistent memory";
	case LB_MEM_PRAM:
		return "persistent memory (legacy)";
	case LB_MEM_SOFT_RESERVED:
		return "soft reserved";
	default:
		return "of an unknown type";
	}
}

bool lb_map_find_other(const struct lb_mem_range *map, unsigned int nr,
		       lb_u64 start, lb_u64 end, lb_u32 want,
		       struct lb_mem_range *bad)
{
	const struct lb_mem_range *r;
	lb_u64 cur = start;
	unsigned int i;

	for (i = 0; i < nr && cur < end; i++) {
		r = &map[i];
		if (r->end <= cur)
			continue;
		if (r->start >= end)
			break;
		if (r->start > cur) {
			bad->start = cur;
			bad->end = r->start;
			bad->type = LB_MEM_NONE;
			return true;
		}
		if (r->type != want) {
			bad->start = cur;
			bad->end = lb_min(r->end, end);
			bad->type = r->type;
			return true;
		}
		cur = r->end;
	}
	if (cur < end) {
		bad->start = cur;
		bad->end = end;
		bad->type = LB_MEM_NONE;
		return true;
	}
	return false;
}

int lb_ranges_require_ram(const struct lb_mem_range *map, unsigned int nr,
			  lb_u64 start, lb_u64 end, const char *what,
			  const char *map_name, struct lb_err *err)
{
	struct lb_mem_range bad;

	if (!lb_map_find_other(map, nr, start, end, LB_MEM_RAM, &bad))
		return 0;
	return lb_err_set(err, EINVAL,
			  "%s [0x%llx, 0x%llx) overlaps [0x%llx, 0x%llx), which is %s in %s",
			  what, (unsigned long long)start,
			  (unsigned long long)end,
			  (unsigned long long)bad.start,
			  (unsigned long long)bad.end,
			  lb_mem_type_name(bad.type), map_name);
}

/* The types the firmware's map may hold, as the kernel's enum e820_type. */
static const lb_u32 fw_types[] = {
	LB_MEM_RESERVED, LB_MEM_ACPI, LB_MEM_NVS, LB_MEM_UNUSABLE,
	LB_MEM_PMEM, LB_MEM_PRAM, LB_MEM_SOFT_RESERVED, LB_MEM_RAM,
};

/* One pending piece per halving: 64 for a 64-bit span, plus the first. */
#define LB_REBUILD_DEPTH 66

struct rebuild {
	lb_fwmap_query_fn query;
	void *ctx;
	lb_u64 scan_start;
	lb_u64 scan_end;
	struct lb_mem_range *out;
	unsigned int max;
	unsigned int nr;
	struct lb_err *err;
};

static int emit(struct rebuild *rb, lb_u64 start, lb_u64 end, lb_u32 type)
{
	struct lb_mem_range *last = rb->nr ? &rb->out[rb->nr - 1] : NULL;

	if (start >= end)
		return 0;
	if (last && last->type == type && last->end == start) {
		last->end = end;
		return 0;
	}
	if (rb->nr == rb->max)
		return lb_err_set(rb->err, E2BIG,
				  "the firmware's memory map has more than %u ranges",
				  rb->max);
	rb->out[rb->nr].start = start;
	rb->out[rb->nr].end = end;
	rb->out[rb->nr].type = type;
	rb->nr++;
	return 0;
}

/* The lowest byte of type in [start, end), which holds one. */
static lb_u64 first_byte(struct rebuild *rb, lb_u64 start, lb_u64 end,
			 lb_u32 type)
{
	lb_u64 lo = start, hi = end - 1, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (rb->query(rb->ctx, start, mid + 1, type))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The highest byte of type in [start, end), which holds one. */
static lb_u64 last_byte(struct rebuild *rb, lb_u64 start, lb_u64 end,
			lb_u32 type)
{
	lb_u64 lo = start, hi = end - 1, mid;

	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (rb->query(rb->ctx, mid, end, type))
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/*
 * [first, last) is a run of entries of one type, and maybe holes and
 * entries of types we do not know: inside the scan window each page is
 * asked about, and pages that no entry touches are holes, pages that only
 * other entries touch are LB_MEM_OTHER.
 */
static int emit_run(struct rebuild *rb, lb_u64 first, lb_u64 last,
		    lb_u32 type)
{
	lb_u64 cur = first, p, pe, b;
	lb_u32 page_type;
	int ret;

	p = lb_max(first, rb->scan_start);
	b = lb_min(last, rb->scan_end);
	for (; p < b; p = pe) {
		pe = lb_min(LB_ALIGN_DOWN(p, LB_PAGE_SIZE) + LB_PAGE_SIZE, b);
		if (!rb->query(rb->ctx, p, pe, 0))
			page_type = LB_MEM_NONE;
		else if (type != LB_MEM_OTHER && !rb->query(rb->ctx, p, pe, type))
			page_type = LB_MEM_OTHER;
		else
			continue;
		ret = emit(rb, cur, p, type);
		if (!ret && page_type != LB_MEM_NONE)
			ret = emit(rb, p, pe, page_type);
		if (ret)
			return ret;
		cur = pe;
	}
	return emit(rb, cur, last, type);
}

/*
 * [start, end) touches entries of one known type (or, with type
 * LB_MEM_OTHER, only of types we do not know). It is a run when nothing of
 * another type lies before its first or after its last byte of that type;
 * returns false when it must be halved.
 */
static bool emit_if_run(struct rebuild *rb, lb_u64 start, lb_u64 end,
			lb_u32 type, int *ret)
{
	lb_u32 q = type == LB_MEM_OTHER ? 0 : type;
	lb_u64 first, last;

	first = first_byte(rb, start, end, q);
	last = last_byte(rb, first, end, q) + 1;
	/* An empty range is not asked about: the kernel's answer is "yes" inside an entry. */
	if (q && end - start > 1 &&
	    ((start < first && rb->query(rb->ctx, start, first, 0)) ||
	     (last < end && rb->query(rb->ctx, last, end, 0))))
		return false;
	*ret = emit_run(rb, first, last, type);
	return true;
}

/* The part of the map inside [start, end), appended to rb->out. */
static int rebuild_window(struct rebuild *rb, lb_u64 start, lb_u64 end)
{
	struct { lb_u64 start, end; } stack[LB_REBUILD_DEPTH];
	unsigned int depth = 0, found, i;
	lb_u64 s, e, mid;
	lb_u32 type = LB_MEM_OTHER;
	int ret = 0;

	if (start < end) {
		stack[0].start = start;
		stack[0].end = end;
		depth = 1;
	}
	/* Depth first, left half first: the entries come out sorted. */
	while (depth && !ret) {
		depth--;
		s = stack[depth].start;
		e = stack[depth].end;
		if (!rb->query(rb->ctx, s, e, 0))
			continue;
		found = 0;
		for (i = 0; i < LB_ARRAY_SIZE(fw_types) && found < 2; i++) {
			if (rb->query(rb->ctx, s, e, fw_types[i])) {
				if (!found)
					type = fw_types[i];
				found++;
			}
		}
		/*
		 * One byte of two types: entries overlap, which a table the
		 * kernel sanitized never has. Halving on would cost a
		 * question per byte of the overlap.
		 */
		if (found == 2 && e - s == 1)
			return lb_err_set(rb->err, EINVAL,
					  "the firmware's memory map has overlapping entries at 0x%llx",
					  (unsigned long long)s);
		if (!found)
			type = LB_MEM_OTHER;
		if (found < 2 && emit_if_run(rb, s, e, type, &ret))
			continue;
		mid = s + (e - s) / 2;
		stack[depth].start = mid;
		stack[depth].end = e;
		stack[depth + 1].start = s;
		stack[depth + 1].end = mid;
		depth += 2;
	}
	return ret;
}

int lb_fwmap_rebuild(const struct lb_fwmap_query *q, lb_u64 start,
		     lb_u64 end, struct lb_mem_range *out, unsigned int max,
		     unsigned int *nr, struct lb_err *err)
{
	struct rebuild rb = {
		.query = q->fn, .ctx = q->ctx, .scan_start = q->scan_start,
		.scan_end = q->scan_end, .out = out, .max = max, .err = err,
	};
	const struct lb_mem_range *h;
	lb_u64 cur = start;
	unsigned int i;
	int ret = 0;

	*nr = 0;
	/*
	 * Each hint and each gap between hints is a window of its own: a
	 * hole the running kernel's map shows is then seen whatever lies on
	 * either side of it.
	 */
	for (i = 0; i < q->nr_hints && cur < end && !ret; i++) {
		h = &q->hints[i];
		if (h->end <= cur)
			continue;
		if (h->start >= end)
			break;
		if (h->start > cur)
			ret = rebuild_window(&rb, cur, h->start);
		if (!ret)
			ret = rebuild_window(&rb, lb_max(h->start, cur),
					     lb_min(h->end, end));
		cur = h->end;
	}
	if (!ret && cur < end)
		ret = rebuild_window(&rb, cur, end);
	if (ret)
		return ret;
	*nr = rb.nr;
	return 0;
}
