// SPDX-License-Identifier: GPL-2.0
/*
 * The page tables the jump switches to: an identity map with 2 MiB pages of
 * the first 2 MiB, of every RAM, ACPI and NVS range of the machine and of the
 * whole region (each rounded out to 2 MiB), plus one 4 KiB page mapping the
 * trampoline's kernel-half virtual address to its copy in the metadata
 * block, so that the code keeps running across the CR3 write. Four levels, or
 * five when the machine runs with LA57.
 *
 * The identity map uses only the lower half of the top-level table and the
 * transition mapping only the upper half, so they never share a lower table.
 * The table pages come from a pool in the metadata block, sized beforehand
 * by counting the distinct 1 GiB, 512 GiB and 256 TiB spans the map touches.
 */
#include "internal.h"

enum {
	PT_SHIFT_4K = 12,
	PT_SHIFT_2M = 21,
	PT_SHIFT_1G = 30,
	PT_SHIFT_512G = 39,
	PT_SHIFT_256T = 48,
	PT_ENTRIES = 512,
};

/*
 * Walks the identity intervals in order of their start: [0, 2 MiB), then
 * the mapped machine ranges with the region slotted in where it belongs,
 * each rounded out to 2 MiB. Sorted starts are what span counting needs.
 */
struct ident_iter {
	const struct lb_machine *m;
	unsigned int next;
	bool low_done;
	bool region_done;
};

static bool ident_next(struct ident_iter *it, lb_u64 *start, lb_u64 *end)
{
	const struct lb_machine *m = it->m;
	const struct lb_mem_range *r;

	if (!it->low_done) {
		it->low_done = true;
		*start = 0;
		*end = LB_SZ_2M;
		return true;
	}
	for (;;) {
		r = it->next < m->nr_ranges ? &m->ranges[it->next] : NULL;
		if (!it->region_done && (!r || r->start >= m->region_start)) {
			it->region_done = true;
			*start = LB_ALIGN_DOWN(m->region_start, LB_SZ_2M);
			*end = LB_ALIGN_UP(m->region_end, LB_SZ_2M);
			return true;
		}
		if (!r)
			return false;
		it->next++;
		if (lb_type_mapped(r->type)) {
			*start = LB_ALIGN_DOWN(r->start, LB_SZ_2M);
			*end = LB_ALIGN_UP(r->end, LB_SZ_2M);
			return true;
		}
	}
}

/*
 * Number of distinct (1 << shift)-byte spans the identity intervals touch.
 * The intervals come sorted by start, so every span at or below the highest
 * one counted so far, and at or above the current start, is already counted.
 */
static lb_u64 count_spans(const struct lb_machine *m, unsigned int shift)
{
	struct ident_iter it = { .m = m };
	lb_u64 start, end, first, last, count = 0, top = 0;
	bool any = false;

	while (ident_next(&it, &start, &end)) {
		first = start >> shift;
		last = (end - 1) >> shift;
		if (any && first <= top)
			first = top + 1;
		if (first <= last) {
			count += last - first + 1;
			top = last;
			any = true;
		}
	}
	return count;
}

/**
 * lb_pgtable_pages() - Count the table pages the machine needs.
 * @m: the machine, checked by lb_machine_check()
 *
 * Context: any; no allocation.
 * Return: the number of 4 KiB table pages, top level included.
 */
lb_u64 lb_pgtable_pages(const struct lb_machine *m)
{
	/* Top level, then PD pages per 1 GiB and PDPT pages per 512 GiB. */
	lb_u64 pages = 1 + count_spans(m, PT_SHIFT_1G) +
		       count_spans(m, PT_SHIFT_512G);

	/* PML4 pages per 256 TiB under a PML5. */
	if (m->la57)
		pages += count_spans(m, PT_SHIFT_256T);
	/* The transition mapping: its own chain down to a 4 KiB table. */
	pages += m->la57 ? 4 : 3;
	return pages;
}

struct pt_pool {
	lb_u8 *base;
	lb_u64 pa;
	lb_u64 nr;
	lb_u64 used;
	unsigned int top_shift;
};

/*
 * Returns the entry for va in the table whose entries map (1 << shift)
 * bytes, creating the tables on the way; NULL if the pool runs dry.
 */
static lb_u8 *pt_slot(struct pt_pool *p, lb_u64 va, unsigned int shift)
{
	lb_u64 table = p->pa, entry, pa;
	unsigned int s;
	lb_u8 *slot;

	for (s = p->top_shift;; s -= 9) {
		slot = p->base + (table - p->pa) +
		       ((va >> s) & (PT_ENTRIES - 1)) * 8;
		if (s == shift)
			return slot;
		entry = lb_get64(slot);
		if (!(entry & LB_PTE_PRESENT)) {
			if (p->used == p->nr)
				return NULL;
			pa = p->pa + p->used * LB_PAGE_SIZE;
			p->used++;
			entry = pa | LB_PTE_TABLE;
			lb_put64(slot, entry);
		}
		table = entry & LB_PTE_ADDR;
	}
}

/**
 * lb_pgtable_build() - Write the identity and transition page tables.
 * @m: the machine, checked by lb_machine_check()
 * @tables: the zeroed pool of table pages in the metadata block
 * @tables_pa: physical address of @tables; the top level is its first page
 * @nr_pages: pages in the pool, from lb_pgtable_pages()
 * @tramp_pa: physical address of the trampoline page
 * @err: error context, may be NULL
 *
 * Context: any; no allocation.
 * Return: 0, or -EINVAL if the pool does not match the map (a bug).
 */
int lb_pgtable_build(const struct lb_machine *m, lb_u8 *tables,
		     lb_u64 tables_pa, lb_u64 nr_pages, lb_u64 tramp_pa,
		     struct lb_err *err)
{
	struct pt_pool p = {
		.base = tables,
		.pa = tables_pa,
		.nr = nr_pages,
		.used = 1,
		.top_shift = m->la57 ? PT_SHIFT_256T : PT_SHIFT_512G,
	};
	struct ident_iter it = { .m = m };
	lb_u64 start, end, a;
	lb_u8 *slot;

	while (ident_next(&it, &start, &end)) {
		for (a = start; a < end; a += LB_SZ_2M) {
			slot = pt_slot(&p, a, PT_SHIFT_2M);
			if (!slot)
				goto out_short;
			lb_put64(slot, a | LB_PTE_LARGE);
		}
	}
	slot = pt_slot(&p, m->tramp_va, PT_SHIFT_4K);
	if (!slot)
		goto out_short;
	lb_put64(slot, tramp_pa | LB_PTE_TABLE);
	if (p.used != p.nr)
		return lb_err_set(err, EINVAL,
				  "page tables: %llu pages counted, %llu used",
				  (unsigned long long)p.nr,
				  (unsigned long long)p.used);
	return 0;

out_short:
	return lb_err_set(err, EINVAL,
			  "page tables: the %llu pages counted are not enough",
			  (unsigned long long)p.nr);
}
