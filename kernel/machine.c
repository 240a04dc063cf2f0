// SPDX-License-Identifier: GPL-2.0
/*
 * Facts about the running machine, gathered at load time for the portable
 * builder (struct lb_machine, lifeboat/image.h): the running kernel's
 * memory map from the resource tree, the firmware's map rebuilt from
 * e820__mapped_raw_any() (region.c asks it), the region, the paging depth,
 * the CPUs, the ACPI root pointer, VMCOREINFO and the trampoline's code;
 * and whether the kernel's own crash kernel is in the way. Everything here
 * may take locks and allocate: never on the panic path.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crash_core.h>
#include <linux/efi.h>
#include <linux/ioport.h>
#include <linux/kexec.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <asm/page.h>
#include <asm/special_insns.h>

#include "internal.h"
#include "lifeboat/range_trim.h"
#include "lifeboat/ranges.h"

/* Most memory ranges we expect from a machine's iomem tree. */
#define LB_MAX_RANGES 1024

struct lb_range_walk {
	struct lb_mem_range *r;
	unsigned int nr;
	u32 type;
};

static int lb_range_cb(struct resource *res, void *arg)
{
	struct lb_range_walk *w = arg;

	if (w->nr == LB_MAX_RANGES)
		return -E2BIG;
	w->r[w->nr].start = res->start;
	w->r[w->nr].end = res->end + 1;
	w->r[w->nr].type = w->type;
	w->nr++;
	return 0;
}

/*
 * The machine's memory map as the builder wants it: System RAM, ACPI tables,
 * ACPI NVS and reserved ranges, sorted and without overlaps
 * (lb_ranges_sort_trim()). Takes resource_lock: load time only.
 */
static int lb_collect_ranges(struct lb_machine_facts *f, struct lb_err *err)
{
	static const struct {
		unsigned long desc;
		unsigned long flags;
		u32 type;
	} kinds[] = {
		{ IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, LB_MEM_RAM },
		{ IORES_DESC_ACPI_TABLES, IORESOURCE_MEM | IORESOURCE_BUSY, LB_MEM_ACPI },
		{ IORES_DESC_ACPI_NV_STORAGE, IORESOURCE_MEM | IORESOURCE_BUSY, LB_MEM_NVS },
		{ IORES_DESC_RESERVED, IORESOURCE_MEM, LB_MEM_RESERVED },
	};
	struct lb_range_walk w = { };
	unsigned int i;
	int ret;

	w.r = lb_buf_create(array_size(LB_MAX_RANGES, sizeof(*w.r)), false);
	if (!w.r)
		return -ENOMEM;
	f->ranges = w.r;
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		w.type = kinds[i].type;
		ret = walk_iomem_res_desc(kinds[i].desc, kinds[i].flags, 0, -1,
					  &w, lb_range_cb);
		if (ret == -E2BIG)
			return lb_err_set(err, E2BIG,
					  "the memory map has more than %d ranges",
					  LB_MAX_RANGES);
	}
	f->nr_ranges = lb_ranges_sort_trim(w.r, w.nr);
	return 0;
}

/*
 * The firmware's memory map (lifeboat/ranges.h), for the builder to check
 * the region, the capture kernel's usable ranges and the dumped ranges
 * against: cut at the running kernel's ranges, every page of the region
 * asked about. Load time only.
 */
static int lb_collect_firmware(struct lb_machine_facts *f, struct lb_err *err)
{
	struct lb_fwmap_query q = {
		.fn = lb_fw_query,
		.hints = f->ranges,
		.nr_hints = f->nr_ranges,
		.scan_start = lb_region.start,
		.scan_end = lb_region.end,
	};

	f->fw_ranges = lb_buf_create(array_size(LB_MAX_RANGES, sizeof(*f->fw_ranges)),
				     false);
	if (!f->fw_ranges)
		return -ENOMEM;
	/* The architectural limit of physical addresses: 2^52. */
	return lb_fwmap_rebuild(&q, 0, 1ULL << 52, f->fw_ranges,
				LB_MAX_RANGES, &f->nr_fw_ranges, err);
}

static u64 lb_acpi_rsdp(void)
{
	/*
	 * On EFI machines the firmware's configuration table gives it. On
	 * BIOS machines the capture kernel finds it by scanning low memory,
	 * as the first kernel did.
	 */
	if (!efi_enabled(EFI_BOOT))
		return 0;
	if (efi.acpi20 != EFI_INVALID_TABLE_ADDR)
		return efi.acpi20;
	if (efi.acpi != EFI_INVALID_TABLE_ADDR)
		return efi.acpi;
	return 0;
}

/**
 * lb_machine_facts_init() - gather what the builder needs to know
 * @f: filled; give it back with lb_machine_facts_deinit(), also on failure
 * @err: the reason, on failure
 *
 * Context: process context, region found; takes resource_lock and may sleep.
 * Return: 0 with @f->m ready for lb_image_build(), or a negative errno.
 */
int lb_machine_facts_init(struct lb_machine_facts *f, struct lb_err *err)
{
	struct lb_machine *m = &f->m;
	int ret;

	memset(f, 0, sizeof(*f));
	ret = lb_collect_ranges(f, err);
	if (ret)
		return ret;
	ret = lb_collect_firmware(f, err);
	if (ret)
		return ret;
	m->ranges = f->ranges;
	m->nr_ranges = f->nr_ranges;
	m->fw_ranges = f->fw_ranges;
	m->nr_fw_ranges = f->nr_fw_ranges;
	m->region_start = lb_region.start;
	m->region_end = lb_region.end;
	m->page_offset = page_offset_base;
	m->la57 = !!(__read_cr4() & X86_CR4_LA57);
	m->nr_cpus = nr_cpu_ids;
	m->acpi_rsdp = lb_acpi_rsdp();
	m->hardware_subarch = 0;
	m->tramp_code = lb_tramp_start;
	m->tramp_len = lb_tramp_end - lb_tramp_start;
	m->tramp_va = (u64)lb_tramp_start;
	m->tramp_nmi_off = lb_tramp_nmi - lb_tramp_start;
	m->tramp_fault_off = lb_tramp_fault - lb_tramp_start;
	m->vmcoreinfo = __va(paddr_vmcoreinfo_note());
	m->vmcoreinfo_len = VMCOREINFO_NOTE_SIZE;
	return 0;
}

/**
 * lb_machine_facts_deinit() - give back what lb_machine_facts_init() took
 * @f: the facts, gathered or not
 *
 * Context: process context.
 */
void lb_machine_facts_deinit(struct lb_machine_facts *f)
{
	lb_buf_destroy(f->fw_ranges);
	lb_buf_destroy(f->ranges);
	memset(f, 0, sizeof(*f));
}

/**
 * lb_kdump_conflict() - is the kernel's own crash kernel in the way?
 * @err: the reason, if so
 *
 * Return: 0, or -EBUSY when a kdump image is loaded (it would take the panic
 * before us, and with crashkernel= it shares our region).
 */
int lb_kdump_conflict(struct lb_err *err)
{
	if (kexec_crash_loaded())
		return lb_err_set(err, EBUSY,
				  "the kernel's own crash kernel is loaded (kexec -p); unload it first with 'kexec -p -u'");
	return 0;
}
