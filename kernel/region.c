// SPDX-License-Identifier: GPL-2.0
/*
 * The reserved region: where the capture image lives.
 *
 * Either the kernel reserved it with crashkernel=SIZE (the "Crash kernel"
 * resource, found by its descriptor), or the administrator kept it from the
 * kernel with memmap=SIZE$START and names it with the module parameter
 * region=SIZE@START (parsed by builder/lib/region_param.c). In the second
 * case we check that the range really is E820-reserved and holds no System
 * RAM, and claim it so nothing else (and not /dev/mem) can use it.
 *
 * Either way the firmware's own memory map, as it was before memmap= and
 * the kernel changed it (e820_table_firmware, which /sys/firmware/memmap
 * shows), must call every byte of the region usable RAM: memmap=$ also
 * turns the firmware's reserved ranges, where the ACPI tables may live, into
 * a region that looks like any other, and loading into it would overwrite
 * them. The kernel exports one question about that map,
 * e820__mapped_raw_any(); builder/lib/ranges.c rebuilds the map from
 * its answers.
 *
 * Without either, a load may take a region at run time (runtime.c), which
 * becomes the region here until unload gives it back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <asm/e820/api.h>

#include "internal.h"
#include "lifeboat/ranges.h"
#include "lifeboat/region_param.h"

struct lb_region lb_region;

/* Most ranges of the firmware's map we expect inside a region. */
#define LB_REGION_FW_RANGES 64

/**
 * lb_fw_query() - does the firmware's map have an entry of type in a range?
 * @ctx: unused
 * @start: start of the range
 * @end: its end, exclusive
 * @type: an E820 type, or 0 for any
 *
 * The rebuild asks twice per page of the region: a region of many GiB
 * takes a while, so each question is also a chance to reschedule.
 *
 * Context: process context; may sleep.
 * Return: true if an entry of @type intersects [@start, @end).
 */
bool lb_fw_query(void *ctx, u64 start, u64 end, u32 type)
{
	cond_resched();
	return e820__mapped_raw_any(start, end, (enum e820_type)type);
}

/*
 * Every byte of [start, end) must be usable RAM in the firmware's map;
 * otherwise @err names the first part that is not, and its type.
 */
static int lb_region_check_firmware(u64 start, u64 end, const char *what,
				    struct lb_err *err)
{
	struct lb_fwmap_query q = {
		.fn = lb_fw_query,
		.scan_start = start,
		.scan_end = end,
	};
	struct lb_mem_range *map;
	unsigned int nr;
	int ret;

	map = lb_buf_create(array_size(LB_REGION_FW_RANGES, sizeof(*map)),
			    false);
	if (!map)
		return -ENOMEM;
	ret = lb_fwmap_rebuild(&q, start, end, map, LB_REGION_FW_RANGES, &nr,
			       err);
	if (!ret)
		ret = lb_ranges_require_ram(map, nr, start, end, what,
					    "the firmware's memory map (/sys/firmware/memmap); a region must be usable RAM there",
					    err);
	lb_buf_destroy(map);
	return ret;
}

static int lb_crashk_cb(struct resource *res, void *arg)
{
	struct resource *best = arg;

	/* crashkernel=X,high also has a small low part: take the larger. */
	if (resource_size(res) > resource_size(best))
		*best = *res;
	return 0;
}

static int lb_region_find_crashkernel(struct lb_err *err)
{
	struct resource best = { .start = 1, .end = 0 };
	int ret;

	walk_iomem_res_desc(IORES_DESC_CRASH_KERNEL,
			    IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0, -1,
			    &best, lb_crashk_cb);
	if (best.end < best.start)
		return lb_err_set(err, ENODEV,
				  "no reserved region: boot with crashkernel=SIZE, or with memmap=SIZE$START and load the module with region=SIZE@START");
	ret = lb_region_check_firmware(best.start, best.end + 1,
				       "the crashkernel= region", err);
	if (ret)
		return ret;
	lb_region.start = best.start;
	lb_region.end = best.end + 1;
	lb_region.kind = "crashkernel";
	return 0;
}

static int lb_region_claim_memmap(const char *param, struct lb_err *err)
{
	char what[64];
	u64 start, size;
	int ret;

	/* Its shape: SIZE@START, non-zero multiples of 4 KiB, no wrap. */
	ret = lb_region_param_parse(param, &start, &size, err);
	if (ret)
		return ret;
	if (region_intersects(start, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT)
		return lb_err_set(err, EINVAL,
				  "region=%s overlaps System RAM the kernel uses: reserve it with memmap=SIZE$START",
				  param);
	/* Before the next check, whose sentence would name no range. */
	snprintf(what, sizeof(what), "region=%s", param);
	ret = lb_region_check_firmware(start, start + size, strim(what), err);
	if (ret)
		return ret;
	if (region_intersects(start, size, IORESOURCE_MEM,
			      IORES_DESC_RESERVED) != REGION_INTERSECTS)
		return lb_err_set(err, EINVAL,
				  "region=%s is not wholly reserved in the memory map: boot with memmap=SIZE$START over the same range",
				  param);
	lb_region.claim = request_mem_region(start, size, "Lifeboat region");
	if (!lb_region.claim)
		return lb_err_set(err, EBUSY,
				  "region=%s is already claimed by another driver",
				  param);
	lb_region.start = start;
	lb_region.end = start + size;
	lb_region.kind = "memmap";
	return 0;
}

/**
 * lb_region_init() - find or claim the reserved region and map it
 * @param: the region= module parameter, or NULL/empty for crashkernel=
 * @err: the reason, on failure
 *
 * Context: process context, at module init.
 * Return: 0, or a negative errno with @err filled and nothing held.
 */
int lb_region_init(const char *param, struct lb_err *err)
{
	int ret;

	if (param && *param)
		ret = lb_region_claim_memmap(param, err);
	else
		ret = lb_region_find_crashkernel(err);
	if (ret)
		return ret;

	/*
	 * A crashkernel region is System RAM and comes back as its direct
	 * map; a memmap region is not RAM and gets a cached vmap.
	 */
	lb_region.virt = memremap(lb_region.start,
				  lb_region.end - lb_region.start, MEMREMAP_WB);
	if (!lb_region.virt) {
		lb_region_exit();
		return lb_err_set(err, ENOMEM, "cannot map the region %pa-%pa",
				  &lb_region.start, &lb_region.end);
	}
	return 0;
}

/**
 * lb_region_use_runtime() - make a region taken at run time the region
 * @rt: the region (lb_runtime_take()), or NULL for none
 *
 * Only when there is no boot-time region. The first range is RAM and is
 * reached through the direct map.
 *
 * Context: process context, lb_mutex held, nothing published that points
 * into the region it replaces.
 * Return: the run-time region replaced, or NULL: the caller gives it back
 * with lb_runtime_give().
 */
struct lb_runtime *lb_region_use_runtime(struct lb_runtime *rt)
{
	struct lb_runtime *old = lb_region.rt;

	memset(&lb_region, 0, sizeof(lb_region));
	if (rt) {
		lb_region.start = rt->start;
		lb_region.end = rt->end;
		lb_region.virt = phys_to_virt(rt->start);
		lb_region.kind = "runtime";
		lb_region.rt = rt;
	}
	return old;
}

void lb_region_exit(void)
{
	if (lb_region.rt) {
		lb_runtime_give(lb_region_use_runtime(NULL));
		return;
	}
	if (lb_region.virt)
		memunmap(lb_region.virt);
	if (lb_region.claim)
		release_mem_region(lb_region.start,
				   lb_region.end - lb_region.start);
	memset(&lb_region, 0, sizeof(lb_region));
}
