// SPDX-License-Identifier: GPL-2.0
/*
 * Checks the machine facts the module gathered, once, so that the other
 * parts of the builder can trust them, and lays out the metadata block (see
 * internal.h for the picture). The layout depends only on the machine.
 */
#include "internal.h"
#include "lifeboat/ranges.h"

static int check_ranges(const struct lb_machine *m, struct lb_err *err)
{
	lb_u64 ident_limit = m->la57 ? LB_IDENT_LIMIT_5L : LB_IDENT_LIMIT_4L;
	const struct lb_mem_range *r;
	unsigned int i;

	if (!m->ranges || !m->nr_ranges)
		return lb_err_set(err, EINVAL, "the machine memory map is empty");
	if (m->nr_ranges > LB_MAX_RANGES)
		return lb_err_set(err, E2BIG,
				  "the machine memory map has %u ranges, more than %u",
				  m->nr_ranges, LB_MAX_RANGES);
	for (i = 0; i < m->nr_ranges; i++) {
		r = &m->ranges[i];
		if (r->start >= r->end || r->end > LB_PHYS_LIMIT)
			return lb_err_set(err, EINVAL,
					  "memory range %u [0x%llx, 0x%llx) is empty or beyond 2^52",
					  i, (unsigned long long)r->start,
					  (unsigned long long)r->end);
		if (i && r->start < m->ranges[i - 1].end)
			return lb_err_set(err, EINVAL,
					  "memory range %u at 0x%llx overlaps or precedes range %u: the map must be sorted",
					  i, (unsigned long long)r->start, i - 1);
		if (lb_type_mapped(r->type) && r->end > ident_limit)
			return lb_err_set(err, EINVAL,
					  "memory range %u ends at 0x%llx, beyond what %d-level identity tables can map",
					  i, (unsigned long long)r->end,
					  m->la57 ? 5 : 4);
	}
	return 0;
}

static int check_region(const struct lb_machine *m, struct lb_err *err)
{
	lb_u64 start = m->region_start, end = m->region_end, cur = start;
	lb_u64 ident_limit = m->la57 ? LB_IDENT_LIMIT_5L : LB_IDENT_LIMIT_4L;
	const struct lb_mem_range *r;
	unsigned int i;

	if (start % LB_PAGE_SIZE || end % LB_PAGE_SIZE || start < LB_SZ_1M ||
	    start >= end || end > ident_limit)
		return lb_err_set(err, EINVAL,
				  "region [0x%llx, 0x%llx) must be page aligned, non-empty, at or above 1 MiB and below 2^%d",
				  (unsigned long long)start,
				  (unsigned long long)end, m->la57 ? 56 : 47);
	/*
	 * The region is RAM (crashkernel=) or reserved (memmap=SIZE$START).
	 * Anything else inside it (ACPI tables, a hole) would be overwritten
	 * or does not exist.
	 */
	for (i = 0; i < m->nr_ranges && cur < end; i++) {
		r = &m->ranges[i];
		if (r->end <= cur)
			continue;
		if (r->start > cur)
			break;
		if (r->type != LB_MEM_RAM && r->type != LB_MEM_RESERVED)
			return lb_err_set(err, EINVAL,
					  "region [0x%llx, 0x%llx) overlaps memory of type %u at [0x%llx, 0x%llx)",
					  (unsigned long long)start,
					  (unsigned long long)end, r->type,
					  (unsigned long long)r->start,
					  (unsigned long long)r->end);
		cur = lb_min(r->end, end);
	}
	if (cur < end)
		return lb_err_set(err, EINVAL,
				  "region [0x%llx, 0x%llx) is not in the machine memory map at 0x%llx",
				  (unsigned long long)start,
				  (unsigned long long)end,
				  (unsigned long long)cur);
	return 0;
}

/*
 * The extra ranges of a run-time region: sorted, page aligned, at or above
 * 1 MiB, apart from each other and from the region, and RAM the running
 * kernel has (taken from its allocator).
 */
static int check_extra(const struct lb_machine *m, struct lb_err *err)
{
	const struct lb_mem_range *r;
	unsigned int i;
	int ret;

	if (m->nr_extra > LB_MAX_EXTRA)
		return lb_err_set(err, E2BIG,
				  "%u extra ranges for the capture kernel, more than %d",
				  m->nr_extra, LB_MAX_EXTRA);
	if (m->nr_extra && !m->extra)
		return lb_err_set(err, EINVAL, "%u extra ranges but no list",
				  m->nr_extra);
	for (i = 0; i < m->nr_extra; i++) {
		r = &m->extra[i];
		if (r->start % LB_PAGE_SIZE || r->end % LB_PAGE_SIZE ||
		    r->start < LB_SZ_1M || r->start >= r->end ||
		    (i && r->start < m->extra[i - 1].end) ||
		    (r->start < m->region_end && r->end > m->region_start))
			return lb_err_set(err, EINVAL,
					  "extra range %u [0x%llx, 0x%llx) must be page aligned, non-empty, at or above 1 MiB, sorted and apart from the region",
					  i, (unsigned long long)r->start,
					  (unsigned long long)r->end);
		ret = lb_ranges_require_ram(m->ranges, m->nr_ranges, r->start,
					    r->end, "the extra range",
					    "the machine memory map", err);
		if (ret)
			return ret;
	}
	return 0;
}

struct fw_walk {
	const struct lb_machine *m;
	struct lb_err *err;
};

static int dumped_is_ram(void *ctx, lb_u64 start, lb_u64 end)
{
	struct fw_walk *w = ctx;

	return lb_ranges_require_ram(w->m->fw_ranges, w->m->nr_fw_ranges,
				     start, end, "the dump's RAM range",
				     "the firmware's memory map", w->err);
}

/*
 * The firmware's map, when given: sane like the machine's, and usable RAM
 * under the capture kernel's ranges and under every range the ELF core
 * header will dump (the capture kernel reads them all; a range that is not
 * RAM may be a device).
 */
static int check_firmware(const struct lb_machine *m, struct lb_err *err)
{
	static const char fw[] = "the firmware's memory map";
	struct fw_walk w = { .m = m, .err = err };
	struct lb_mem_range c;
	const struct lb_mem_range *r;
	unsigned int i;
	int ret;

	if (!m->fw_ranges)
		return 0;
	if (m->nr_fw_ranges > LB_MAX_RANGES)
		return lb_err_set(err, E2BIG,
				  "the firmware's memory map has %u ranges, more than %u",
				  m->nr_fw_ranges, LB_MAX_RANGES);
	for (i = 0; i < m->nr_fw_ranges; i++) {
		r = &m->fw_ranges[i];
		if (r->start >= r->end ||
		    (i && r->start < m->fw_ranges[i - 1].end))
			return lb_err_set(err, EINVAL,
					  "firmware memory range %u [0x%llx, 0x%llx) is empty, unsorted or overlaps the one before",
					  i, (unsigned long long)r->start,
					  (unsigned long long)r->end);
	}
	for (i = 0; i <= m->nr_extra; i++) {
		lb_capture_range(m, i, &c);
		ret = lb_ranges_require_ram(m->fw_ranges, m->nr_fw_ranges,
					    c.start, c.end,
					    i == m->nr_extra && !m->nr_extra ?
					    "the region" : "the capture kernel's range",
					    fw, err);
		if (ret)
			return ret;
	}
	return lb_dump_walk(m, dumped_is_ram, &w);
}

static int check_tramp(const struct lb_machine *m, struct lb_err *err)
{
	/* Kernel half: every bit above the top-level index is set. */
	lb_u64 half = m->la57 ? 0xff00000000000000ULL : 0xffff800000000000ULL;

	if (!m->tramp_code || !m->tramp_len || m->tramp_len > LB_TRAMP_CODE_MAX)
		return lb_err_set(err, EINVAL,
				  "trampoline of %llu bytes: it must have code and at most %d bytes",
				  (unsigned long long)m->tramp_len,
				  LB_TRAMP_CODE_MAX);
	if (m->tramp_nmi_off >= m->tramp_len ||
	    m->tramp_fault_off >= m->tramp_len)
		return lb_err_set(err, EINVAL,
				  "trampoline stubs at 0x%llx and 0x%llx must lie in its %llu bytes",
				  (unsigned long long)m->tramp_nmi_off,
				  (unsigned long long)m->tramp_fault_off,
				  (unsigned long long)m->tramp_len);
	if (m->tramp_va % LB_PAGE_SIZE || (m->tramp_va & half) != half)
		return lb_err_set(err, EINVAL,
				  "trampoline address 0x%llx must be page aligned and in the kernel half",
				  (unsigned long long)m->tramp_va);
	return 0;
}

/* The CPU count, the trampoline and the VMCOREINFO note. */
static int check_common(const struct lb_machine *m, struct lb_err *err)
{
	int ret;

	if (!m->nr_cpus || m->nr_cpus > LB_MAX_CPUS)
		return lb_err_set(err, EINVAL,
				  "%u CPUs: there must be between 1 and %d",
				  m->nr_cpus, LB_MAX_CPUS);
	ret = check_tramp(m, err);
	if (ret)
		return ret;
	return lb_vmcoreinfo_check(m->vmcoreinfo, m->vmcoreinfo_len, err);
}

/**
 * lb_machine_check() - Check the machine facts before building anything.
 * @m: the machine
 * @err: error context, may be NULL
 *
 * Checks that the memory map is sorted and sane, that the region is page
 * aligned, at or above 1 MiB and made of RAM or reserved memory, that the
 * extra ranges are RAM apart from it, that they, the region and every
 * dumped range are usable RAM in the firmware's map when
 * one is given, that the CPU count, the trampoline and the VMCOREINFO note
 * make sense.
 *
 * Context: any; no allocation.
 * Return: 0, -EINVAL or -E2BIG with @err filled.
 */
int lb_machine_check(const struct lb_machine *m, struct lb_err *err)
{
	int ret;

	if (!m)
		return lb_err_set(err, EINVAL, "no machine facts");
	ret = check_ranges(m, err);
	if (ret)
		return ret;
	ret = check_region(m, err);
	if (ret)
		return ret;
	ret = check_extra(m, err);
	if (ret)
		return ret;
	ret = check_firmware(m, err);
	if (ret)
		return ret;
	return check_common(m, err);
}

/* The offsets, for nr_load PT_LOAD headers and pt_pages of tables. */
static int layout_fill(const struct lb_machine *m, lb_u64 nr_load,
		       lb_u64 pt_pages, struct lb_layout *l, struct lb_err *err)
{
	l->nr_load = nr_load;
	l->nr_phdr = (lb_u64)m->nr_cpus + 1 + l->nr_load;
	if (l->nr_phdr > LB_MAX_PHDR)
		return lb_err_set(err, E2BIG,
				  "the ELF core header would need %llu program headers, more than %d",
				  (unsigned long long)l->nr_phdr, LB_MAX_PHDR);
	l->elf_off = LB_JUMP_STAMP_AREA;
	l->elf_len = LB_ALIGN_UP(LB_ELF_EHDR_SIZE + l->nr_phdr * LB_ELF_PHDR_SIZE,
				 LB_PAGE_SIZE);
	l->bp_off = l->elf_off + l->elf_len;
	l->cmdline_off = l->bp_off + LB_PAGE_SIZE;
	l->tramp_off = l->cmdline_off + LB_PAGE_SIZE;
	l->pt_off = l->tramp_off + LB_PAGE_SIZE;
	l->pt_pages = pt_pages;
	l->fixed_len = l->pt_off + l->pt_pages * LB_PAGE_SIZE;
	l->notes_off = l->fixed_len;
	l->vmcoreinfo_off = LB_ALIGN_UP(l->notes_off +
					(lb_u64)m->nr_cpus * LB_NOTE_BUF_SIZE,
					LB_PAGE_SIZE);
	l->stack_off = l->vmcoreinfo_off + LB_VMCOREINFO_BUF_SIZE;
	l->len = l->stack_off + LB_STACK_SIZE;
	return 0;
}

/**
 * lb_layout_compute() - Lay out the metadata block for a machine.
 * @m: the machine
 * @l: filled with the offsets of every part
 * @err: error context, may be NULL
 *
 * Context: any; no allocation.
 * Return: 0, or the error of lb_machine_check(), or -E2BIG when the ELF
 * header would need more program headers than e_phnum can count.
 */
int lb_layout_compute(const struct lb_machine *m, struct lb_layout *l,
		      struct lb_err *err)
{
	int ret;

	memset(l, 0, sizeof(*l));
	ret = lb_machine_check(m, err);
	if (ret)
		return ret;
	return layout_fill(m, lb_elfcore_nr_loads(m), lb_pgtable_pages(m), l,
			   err);
}

/**
 * lb_layout_bound() - The largest metadata block a region in RAM may need.
 * @m: the machine; its region and extra ranges are not looked at
 * @nr_extra: how many extra ranges the region may have
 * @l: filled with the offsets of every part, for the largest case
 * @err: error context, may be NULL
 *
 * For a region taken at run time, before it is taken: wherever it lands in
 * the machine's RAM, with up to @nr_extra more ranges, its metadata block
 * is no longer than @l->len. Each of its ranges splits at most one dumped
 * range in two; being RAM, none adds identity tables.
 *
 * Context: any; no allocation.
 * Return: 0, or the errors of lb_machine_check() that do not concern the
 * region.
 */
int lb_layout_bound(const struct lb_machine *m, unsigned int nr_extra,
		    struct lb_layout *l, struct lb_err *err)
{
	struct lb_machine b = *m;
	int ret;

	memset(l, 0, sizeof(*l));
	if (nr_extra > LB_MAX_EXTRA)
		return lb_err_set(err, E2BIG,
				  "%u extra ranges for the capture kernel, more than %d",
				  nr_extra, LB_MAX_EXTRA);
	/* No region of its own: [0, 1 MiB) is always mapped and never dumped. */
	b.region_start = 0;
	b.region_end = LB_SZ_1M;
	b.extra = NULL;
	b.nr_extra = 0;
	b.fw_ranges = NULL;
	ret = check_ranges(&b, err);
	if (!ret)
		ret = check_common(&b, err);
	if (ret)
		return ret;
	/* One split per range of the region. */
	return layout_fill(&b, lb_elfcore_nr_loads(&b) + nr_extra + 1,
			   lb_pgtable_pages(&b), l, err);
}
