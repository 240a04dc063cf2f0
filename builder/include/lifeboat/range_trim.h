/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running kernel's memory map as the builder wants it (struct
 * lb_machine's ranges: sorted, non-empty, non-overlapping), made from the
 * ranges the module collects kind by kind from the kernel's resource tree
 * (System RAM, ACPI tables, ACPI NVS, reserved), which may overlap.
 *
 * Pure computation, no allocation: built into the module and on the host.
 */
#ifndef LIFEBOAT_RANGE_TRIM_H
#define LIFEBOAT_RANGE_TRIM_H

#include "image.h"

/*
 * Sorts r[0..nr) by start, keeping the order of ranges that start at the
 * same address, then trims: a range that starts inside the one kept before
 * it keeps only the part after it, and a range left empty is dropped.
 * Returns how many ranges are left at the front of r.
 */
unsigned int lb_ranges_sort_trim(struct lb_mem_range *r, unsigned int nr);

#endif /* LIFEBOAT_RANGE_TRIM_H */
