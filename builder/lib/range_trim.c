// SPDX-License-Identifier: GPL-2.0
/*
 * The running kernel's memory map made sorted and non-overlapping
 * (lifeboat/range_trim.h). The module collects it from the resource tree
 * one kind after another, so the ranges come mostly sorted within a kind
 * and interleaved between kinds; where two overlap (a reserved range
 * inside System RAM, say), the one that starts first keeps the overlap.
 */
#include "lifeboat/range_trim.h"

/**
 * lb_ranges_sort_trim() - Sort ranges by start and cut their overlaps.
 * @r: the ranges, rewritten in place
 * @nr: how many
 *
 * An insertion sort: stable, so of two ranges that start at the same
 * address the one collected first stays first and keeps the overlap; the
 * module collects at most a few thousand ranges, mostly in order.
 *
 * Context: any; no allocation.
 * Return: the number of ranges left at the front of @r: sorted, non-empty,
 * non-overlapping.
 */
unsigned int lb_ranges_sort_trim(struct lb_mem_range *r, unsigned int nr)
{
	struct lb_mem_range cur;
	unsigned int i, j;

	for (i = 1; i < nr; i++) {
		cur = r[i];
		for (j = i; j && r[j - 1].start > cur.start; j--)
			r[j] = r[j - 1];
		r[j] = cur;
	}
	/* A range that starts inside its predecessor keeps only its tail. */
	for (i = 0, j = 0; i < nr; i++) {
		if (j && r[i].start < r[j - 1].end)
			r[i].start = r[j - 1].end;
		if (r[i].start < r[i].end)
			r[j++] = r[i];
	}
	return j;
}
