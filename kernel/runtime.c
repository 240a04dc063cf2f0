// SPDX-License-Identifier: GPL-2.0
/*
 * A region taken at run time, for a machine booted without crashkernel= or
 * memmap=: armed within seconds, no reboot.
 *
 * Only the capture kernel's image must be contiguous: its first range,
 * taken with alloc_contig_range(), which migrates what lies there. The
 * memory the capture kernel runs in is the rest: one more contiguous range
 * if the machine has it, else the largest blocks the page allocator gives,
 * sorted and joined where they touch. All of it stays System RAM of this
 * kernel, held by the module; the builder calls it the capture kernel's RAM
 * (struct lb_machine's region and extra ranges) and leaves it out of the
 * dump.
 *
 * Taking refuses up front what the machine has not available (leaving it
 * a floor, so that a take never drives it into reclaim or the OOM killer),
 * is bounded in attempts and time, and on failure gives back all it took.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "compat.h"
#include "internal.h"

static bool runtime_blocks;
module_param(runtime_blocks, bool, 0644);
MODULE_PARM_DESC(runtime_blocks, "take a run-time region's memory beyond the capture kernel's image in blocks of the largest order, not in one range (default: one range if the machine has it)");

/* Attempts of alloc_contig_range() per range, and the time for a whole take. */
#define LB_RT_TRIES		24
#define LB_RT_SECONDS		20
/* The most blocks the fallback takes: LB_MAX_EXTRA ranges' worth at worst. */
#define LB_RT_MAX_BLOCKS	1024

struct lb_rt_take {
	struct lb_runtime *rt;
	const struct lb_mem_range *ram;	/* the machine's map, sorted */
	unsigned int nr_ram;
	unsigned long deadline;		/* jiffies */
};

/*
 * Could alloc_contig_range() take this page? Free pages and pages on the
 * LRU may be; reserved pages, pages of another zone, and the kernel's own
 * allocations (slab, page tables, ours) are not. A guess from the page
 * flags, read without locks: the allocator decides.
 */
static bool lb_rt_page_ok(unsigned long pfn, struct zone *zone)
{
	struct page *page = pfn_to_online_page(pfn);

	if (!page || page_zone(page) != zone || PageReserved(page))
		return false;
	if (PageBuddy(page) || !page_count(page))
		return true;
	return PageLRU(compound_head(page));
}

/* The highest page of [start, end) that is not lb_rt_page_ok(), or 0. */
static unsigned long lb_rt_bad_pfn(unsigned long start, unsigned long end)
{
	struct page *first = pfn_to_online_page(start);
	struct zone *zone;
	unsigned long pfn;

	if (!first)
		return start + 1;
	zone = page_zone(first);
	for (pfn = end; pfn-- > start;) {
		if (!lb_rt_page_ok(pfn, zone))
			return pfn + 1;
		if (!(pfn & 1023))
			cond_resched();
	}
	return 0;
}

/*
 * One contiguous range of @size bytes at a multiple of @align, at or above
 * 16 MiB, searched from the top of RAM down (pages this take holds already
 * fail lb_rt_page_ok()).
 */
static int lb_rt_contig(struct lb_rt_take *t, u64 size, u64 align,
			u64 *start)
{
	unsigned long lo_pfn, end_pfn, bad;
	u64 lo, hi, w;
	unsigned int tries = 0;
	int i, ret;

	for (i = t->nr_ram - 1; i >= 0; i--) {
		if (t->ram[i].type != LB_MEM_RAM)
			continue;
		lo = ALIGN(max_t(u64, t->ram[i].start, SZ_16M), align);
		hi = ALIGN_DOWN(t->ram[i].end, align);
		while (hi > lo && hi - lo >= size) {
			if (tries >= LB_RT_TRIES || time_after(jiffies, t->deadline))
				return -EBUSY;
			w = ALIGN_DOWN(hi - size, align);
			lo_pfn = PHYS_PFN(w);
			end_pfn = PHYS_PFN(w + size);
			bad = lb_rt_bad_pfn(lo_pfn, end_pfn);
			if (bad) {
				/* The next window ends at or below the page that cannot move. */
				hi = ALIGN_DOWN(PFN_PHYS(bad - 1), align);
				continue;
			}
			tries++;
			t->rt->attempts++;
			/* 6.12 refuses flags beyond reclaim's and a few: no __GFP_NORETRY. */
			ret = alloc_contig_range(lo_pfn, end_pfn, MIGRATE_MOVABLE,
						 GFP_KERNEL | __GFP_NOWARN);
			if (!ret) {
				*start = w;
				return 0;
			}
			if (ret != -EBUSY && ret != -EINTR)
				return ret;
			if (fatal_signal_pending(current))
				return -EINTR;
			/* Something there would not move: look a quarter lower. */
			hi -= max_t(u64, align, ALIGN(size / 4, align));
			cond_resched();
		}
	}
	return -EBUSY;
}

static int lb_rt_cmp(const void *a, const void *b)
{
	const struct lb_mem_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Blocks of the largest order until @need bytes, sorted and joined into rt->extra. */
static int lb_rt_blocks(struct lb_rt_take *t, u64 need, struct lb_err *err)
{
	const unsigned int order = LB_MAX_PAGE_ORDER;
	const u64 bsize = PAGE_SIZE << order;
	struct lb_runtime *rt = t->rt;
	struct lb_mem_range *b;
	unsigned int nr = 0, i;
	struct page *page;
	u64 got = 0;
	int ret = 0;

	b = kvcalloc(LB_RT_MAX_BLOCKS, sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	while (got < need) {
		if (nr == LB_RT_MAX_BLOCKS || time_after(jiffies, t->deadline) ||
		    fatal_signal_pending(current))
			break;
		page = alloc_pages(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN |
				   __GFP_NOMEMALLOC, order);
		if (!page)
			break;
		/* Page by page from now on, as free_contig_range() gives them back. */
		split_page(page, order);
		b[nr].start = PFN_PHYS(page_to_pfn(page));
		b[nr].end = b[nr].start + bsize;
		b[nr++].type = LB_MEM_RAM;
		got += bsize;
		cond_resched();
	}
	sort(b, nr, sizeof(*b), lb_rt_cmp, NULL);
	/* Joined, below 1 MiB left out (never, at this order, but the builder refuses it). */
	for (i = 0; i < nr; i++) {
		if (b[i].start < SZ_1M) {
			free_contig_range(PHYS_PFN(b[i].start), bsize >> PAGE_SHIFT);
			got -= bsize;
			continue;
		}
		if (rt->nr_extra && rt->extra[rt->nr_extra - 1].end == b[i].start) {
			rt->extra[rt->nr_extra - 1].end = b[i].end;
			continue;
		}
		if (rt->nr_extra == LB_MAX_EXTRA) {
			free_contig_range(PHYS_PFN(b[i].start), bsize >> PAGE_SHIFT);
			got -= bsize;
			continue;
		}
		rt->extra[rt->nr_extra++] = b[i];
	}
	kvfree(b);
	rt->total += got;
	if (got < need)
		ret = lb_err_set(err, ENOMEM,
				 "found %llu MiB of the %llu MiB it needs beyond the capture kernel's image (in %u ranges, blocks of %llu MiB)",
				 got >> 20, need >> 20, rt->nr_extra, bsize >> 20);
	return ret;
}

/* Every range @rt holds back to the page allocator, and @rt freed. */
static void lb_rt_free(struct lb_runtime *rt)
{
	unsigned int i;

	if (rt->end)
		free_contig_range(PHYS_PFN(rt->start),
				  PHYS_PFN(rt->end - rt->start));
	for (i = 0; i < rt->nr_extra; i++)
		free_contig_range(PHYS_PFN(rt->extra[i].start),
				  PHYS_PFN(rt->extra[i].end - rt->extra[i].start));
	kfree(rt);
}

/**
 * lb_runtime_give() - give back all a run-time region holds
 * @rt: the region, or NULL; freed
 *
 * Context: process context; may sleep.
 */
void lb_runtime_give(struct lb_runtime *rt)
{
	if (!rt)
		return;
	lb_held_put(LB_HELD_REGION, rt->total);
	pr_info("gave back the run-time region of %llu MiB\n", rt->total >> 20);
	lb_rt_free(rt);
}

/**
 * lb_runtime_take() - take a region at run time
 * @ram: the machine's memory map, sorted (its RAM is searched)
 * @nr_ram: its entries
 * @contig: bytes of the first, contiguous range: the capture kernel's image
 * @align: the alignment of its start (it also lies at or above 16 MiB)
 * @total: bytes in all, at least @contig
 * @err: the reason, on failure
 *
 * Context: process context; may sleep for seconds, migrating pages.
 * Return: the region (give it back with lb_runtime_give()), or an ERR_PTR()
 * with @err filled and nothing held.
 */
struct lb_runtime *lb_runtime_take(const struct lb_mem_range *ram,
				   unsigned int nr_ram, u64 contig, u64 align,
				   u64 total, struct lb_err *err)
{
	u64 avail = (u64)si_mem_available() << PAGE_SHIFT;
	u64 ram_bytes = (u64)totalram_pages() << PAGE_SHIFT;
	u64 floor = max_t(u64, SZ_64M, ram_bytes / 8), start;
	struct lb_rt_take t = { .ram = ram, .nr_ram = nr_ram };
	struct lb_runtime *rt;
	ktime_t t0 = ktime_get();
	int ret;

	contig = ALIGN(contig, PAGE_SIZE);
	total = ALIGN(total, PAGE_SIZE);
	/* The least any kernel needs: the builder checks this kernel's own. */
	if (total < contig + LB_MIN_RUNTIME_SMALL)
		return ERR_PTR(lb_err_set(err, ENOSPC,
					  "a run-time region of %llu MiB is too small: the capture kernel's image needs %llu MiB and it needs %u MiB more to run",
					  total >> 20, contig >> 20,
					  LB_MIN_RUNTIME_SMALL >> 20));
	if (avail < floor || total > avail - floor)
		return ERR_PTR(lb_err_set(err, ENOMEM,
					  "a run-time region of %llu MiB does not fit: %llu MiB of memory is available and %llu MiB stays with the system",
					  total >> 20, avail >> 20, floor >> 20));
	rt = kzalloc(sizeof(*rt), GFP_KERNEL);
	if (!rt)
		return ERR_PTR(-ENOMEM);
	t.rt = rt;
	rt->asked = total;
	t.deadline = jiffies + LB_RT_SECONDS * HZ;

	ret = lb_rt_contig(&t, contig, align, &start);
	if (ret) {
		if (ret == -EINTR)
			lb_err_set(err, EINTR, "interrupted");
		else
			lb_err_set(err, ENOMEM,
				   "found no free %llu MiB of contiguous memory for the capture kernel's image (%u attempts, error %d): the memory is fragmented; a crashkernel= region at boot avoids it",
				   contig >> 20, rt->attempts, ret);
		lb_rt_free(rt);
		return ERR_PTR(ret == -EINTR ? -EINTR : -ENOMEM);
	}
	rt->start = start;
	rt->end = start + contig;
	rt->total = contig;

	/* The rest: in one range if the machine has it, else in blocks. */
	if (!READ_ONCE(runtime_blocks) &&
	    !lb_rt_contig(&t, total - contig, SZ_2M, &start)) {
		rt->extra[0].start = start;
		rt->extra[0].end = start + total - contig;
		rt->extra[0].type = LB_MEM_RAM;
		rt->nr_extra = 1;
		rt->total = total;
	} else {
		ret = lb_rt_blocks(&t, total - contig, err);
		if (ret) {
			lb_rt_free(rt);
			return ERR_PTR(ret);
		}
	}
	lb_held_get(LB_HELD_REGION, rt->total);
	rt->took_ms = ktime_ms_delta(ktime_get(), t0);
	pr_info("took a run-time region of %llu MiB in %u ranges in %llu ms (%u attempts): the capture kernel's image at %pa-%pa\n",
		rt->total >> 20, rt->nr_extra + 1, rt->took_ms, rt->attempts,
		&rt->start, &rt->end);
	return rt;
}
