/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ranges against a typed memory map: which part of a range is not of the
 * type it must be (the first offender, with its type, for the sentence that
 * refuses it), and the firmware's memory map rebuilt from the one question
 * the kernel exports about it: "does any entry of this type touch
 * [start, end)?" (e820__mapped_raw_any(), over e820_table_firmware, which is
 * what /sys/firmware/memmap shows: the map before memmap= and the kernel
 * changed it).
 *
 * Pure computation, no allocation: built into the module and on the host.
 */
#ifndef LIFEBOAT_RANGES_H
#define LIFEBOAT_RANGES_H

#include "image.h"

/* Pseudo-types of a rebuilt or searched map, beside enum lb_mem_type. */
enum {
	LB_MEM_NONE = 0,		/* in no entry of the map: a hole */
	LB_MEM_SOFT_RESERVED = 0xefffffff,
	LB_MEM_OTHER = 0xffffffff,	/* an entry of a type we do not know */
};

/* A short name for a memory type, for sentences ("reserved", "ACPI NVS"). */
const char *lb_mem_type_name(lb_u32 type);

/*
 * Finds the first part of [start, end) that is not of type want in map
 * (sorted, non-overlapping, as lb_machine's). Returns true and sets *bad to
 * that part, clipped to [start, end), with its type (LB_MEM_NONE where no
 * range covers it); false when every byte of [start, end) is of type want.
 */
bool lb_map_find_other(const struct lb_mem_range *map, unsigned int nr,
		       lb_u64 start, lb_u64 end, lb_u32 want,
		       struct lb_mem_range *bad);

/* Does any entry of type (0: of any type) intersect [start, end)? */
typedef bool (*lb_fwmap_query_fn)(void *ctx, lb_u64 start, lb_u64 end,
				  lb_u32 type);

/*
 * How to ask about the firmware's map: the question, and where to look
 * closer. hints (sorted, non-overlapping; the running kernel's map will do)
 * only cut the span into windows, each range and each gap its own, so a
 * hole the hints show is seen whatever lies around it. Inside
 * [scan_start, scan_end) every page is asked about on its own.
 */
struct lb_fwmap_query {
	lb_fwmap_query_fn fn;
	void *ctx;
	const struct lb_mem_range *hints;
	unsigned int nr_hints;
	lb_u64 scan_start;
	lb_u64 scan_end;
};

/*
 * Rebuilds the part of the firmware map inside [start, end) from q->fn,
 * into out (max entries; sorted, merged, holes left out, types we do not
 * know as LB_MEM_OTHER). Boundaries between entries of different types,
 * and holes at the edge of a run of one type, come out to the byte; a hole
 * or an unknown type between two entries of the same type cannot be told
 * by such questions except at a window's edge or in the scan window, where
 * it comes out to the page. Returns 0, or with err filled -E2BIG when more
 * than max entries are needed, -EINVAL when two entries overlap.
 */
int lb_fwmap_rebuild(const struct lb_fwmap_query *q, lb_u64 start,
		     lb_u64 end, struct lb_mem_range *out, unsigned int max,
		     unsigned int *nr, struct lb_err *err);

/*
 * Checks that every byte of [start, end) is usable RAM in map; otherwise
 * fills err with "WHAT [start, end) overlaps [x, y), TYPE in MAPNAME" and
 * returns -EINVAL.
 */
int lb_ranges_require_ram(const struct lb_mem_range *map, unsigned int nr,
			  lb_u64 start, lb_u64 end, const char *what,
			  const char *map_name, struct lb_err *err);

#endif /* LIFEBOAT_RANGES_H */
