// SPDX-License-Identifier: GPL-2.0
/*
 * The fast reboot's image (lifeboat/boot.h): the refusals, the window the
 * kernel and initrd are copied to, and the control block the jump runs
 * from: trampoline page, boot_params with the new kernel's whole memory
 * map, command line, stack, identity tables. The tables are the capture
 * image's (pgtable.c), built over the new kernel's map with the window in
 * the place of the region; boot_params shares its header with the capture
 * image's (bootparams.c).
 */
#include "internal.h"
#include "lifeboat/boot.h"

/**
 * lb_boot_refusal() - Can this machine take a fast reboot at all?
 * @e: what the module found
 * @err: error context, may be NULL
 *
 * Context: any; no allocation.
 * Return: 0, or -EOPNOTSUPP with the reason.
 */
int lb_boot_refusal(const struct lb_boot_env *e, struct lb_err *err)
{
	if (e->cpus_online != e->cpus_present)
		return lb_err_set(err, EOPNOTSUPP,
				  "%u of %u CPUs are offline: an offline CPU may sit in mwait on memory the new kernel overwrites; bring it online first",
				  e->cpus_present - e->cpus_online,
				  e->cpus_present);
	if (e->hyper == LB_HYPER_XEN)
		return lb_err_set(err, EOPNOTSUPP,
				  "a Xen guest: the hypervisor resets the guest for the kernel's own kexec only");
	if (e->hyper == LB_HYPER_HYPERV)
		return lb_err_set(err, EOPNOTSUPP,
				  "a Hyper-V guest: VMBus and the VP assist pages are torn down for the kernel's own kexec only");
	if (e->mem_encrypt)
		return lb_err_set(err, EOPNOTSUPP,
				  "memory encryption (SME, SEV or TDX) is active: the copy would need the kernel's own kexec");
	if (e->off_bsp)
		return lb_err_set(err, EOPNOTSUPP,
				  "the CPU that would jump is not the boot processor (a capture kernel runs on the CPU that crashed): the new kernel would start the real one only with an INIT that resets some machines, or leave it out");
	return 0;
}

static int check_map(const struct lb_boot_input *in, struct lb_err *err)
{
	lb_u64 limit = in->la57 ? LB_IDENT_LIMIT_5L : LB_IDENT_LIMIT_4L;
	const struct lb_mem_range *r;
	unsigned int i;

	if (!in->nr_map || !in->map)
		return lb_err_set(err, EINVAL, "the memory map is empty");
	for (i = 0; i < in->nr_map; i++) {
		r = &in->map[i];
		if (r->start >= r->end || r->end > LB_PHYS_LIMIT)
			return lb_err_set(err, EINVAL,
					  "memory map entry %u (0x%llx-0x%llx) is empty or beyond 2^52",
					  i, (unsigned long long)r->start,
					  (unsigned long long)r->end);
		if (i && r->start < in->map[i - 1].end)
			return lb_err_set(err, EINVAL,
					  "memory map entry %u (0x%llx) is out of order or overlaps the one before",
					  i, (unsigned long long)r->start);
		if (lb_type_mapped(r->type) && r->end > limit)
			return lb_err_set(err, EINVAL,
					  "memory map entry %u ends at 0x%llx, beyond what the identity map reaches",
					  i, (unsigned long long)r->end);
	}
	for (i = 0; i < in->nr_avoid; i++)
		if (in->avoid[i].start >= in->avoid[i].end ||
		    (i && in->avoid[i].start < in->avoid[i - 1].start))
			return lb_err_set(err, EINVAL,
					  "range %u to keep out of is empty or out of order", i);
	return 0;
}

/* The first range to keep out of that meets [start, end), or NULL. */
static const struct lb_mem_range *avoided(const struct lb_boot_input *in,
					  lb_u64 start, lb_u64 end)
{
	unsigned int i;

	for (i = 0; i < in->nr_avoid; i++)
		if (in->avoid[i].start < end && start < in->avoid[i].end)
			return &in->avoid[i];
	return NULL;
}

/*
 * The lowest start at or above 16 MiB, aligned to @align, from which @len
 * bytes lie in one RAM entry of the map and outside every range to keep
 * out of; 0 if there is none.
 */
static lb_u64 find_window(const struct lb_boot_input *in, lb_u64 len,
			  lb_u64 align, lb_u64 limit)
{
	const struct lb_mem_range *r, *a;
	lb_u64 start;
	unsigned int i;

	for (i = 0; i < in->nr_map; i++) {
		r = &in->map[i];
		if (r->type != LB_MEM_RAM)
			continue;
		start = LB_ALIGN_UP(lb_max(r->start, LB_SZ_16M), align);
		while (start >= r->start && start + len <= r->end &&
		       start + len <= limit) {
			a = avoided(in, start, start + len);
			if (!a)
				return start;
			start = LB_ALIGN_UP(a->end, align);
		}
	}
	return 0;
}

static unsigned int count_e820(const struct lb_boot_input *in)
{
	unsigned int i, nr = 0;

	for (i = 0; i < in->nr_map; i++)
		if (!i || in->map[i].type != in->map[i - 1].type ||
		    in->map[i].start != in->map[i - 1].end)
			nr++;
	return nr;
}

/* A machine as pgtable.c and the loaders see it: the map, and the window as the region. */
static void as_machine(const struct lb_boot_input *in,
		       const struct lb_boot_plan *p, struct lb_machine *m)
{
	memset(m, 0, sizeof(*m));
	m->ranges = in->map;
	m->nr_ranges = in->nr_map;
	m->region_start = p ? p->window_start : 0;
	m->region_end = p ? p->window_end : 0;
	m->la57 = in->la57;
	m->nr_cpus = 1;
	m->acpi_rsdp = in->acpi_rsdp;
	m->tramp_code = in->tramp_code;
	m->tramp_len = in->tramp_len;
	m->tramp_va = in->tramp_va;
	m->tramp_nmi_off = in->tramp_nmi_off;
	m->tramp_fault_off = in->tramp_fault_off;
}

/**
 * lb_boot_plan() - Parse the kernel, place the window, size the control block.
 * @in: the map, the ranges to avoid, the files
 * @p: filled
 * @err: error context, may be NULL
 *
 * Context: any; no allocation.
 * Return: 0, -ENOEXEC, -ENOSPC, -EINVAL or -E2BIG (lifeboat/boot.h).
 */
int lb_boot_plan(const struct lb_boot_input *in, struct lb_boot_plan *p,
		 struct lb_err *err)
{
	lb_u64 align, memsz, initrd_room, len, limit, cmdline_len, off;
	struct lb_machine m;
	struct lb_kernel k;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = check_map(in, err);
	if (ret)
		return ret;
	if (count_e820(in) > LB_MAX_E820)
		return lb_err_set(err, E2BIG,
				  "the memory map has %u entries, boot_params holds %d",
				  count_e820(in), LB_MAX_E820);
	if (!in->tramp_code || !in->tramp_len ||
	    in->tramp_len > LB_TRAMP_CODE_MAX)
		return lb_err_set(err, EINVAL, "no trampoline code");
	as_machine(in, NULL, &m);
	ret = lb_kernel_parse(in->kernel, in->kernel_len, &m, &k, &p->loader,
			      err);
	if (ret)
		return ret;
	cmdline_len = in->cmdline ? strnlen(in->cmdline, LB_PAGE_SIZE) : 0;
	if (cmdline_len > lb_min(k.cmdline_size, LB_CMDLINE_MAX))
		return lb_err_set(err, E2BIG,
				  "command line of %llu bytes exceeds the %llu the kernel accepts",
				  (unsigned long long)cmdline_len,
				  (unsigned long long)lb_min(k.cmdline_size,
							     LB_CMDLINE_MAX));

	align = lb_max(k.kernel_alignment, LB_SZ_2M);
	memsz = LB_ALIGN_UP((lb_u64)k.init_size, LB_PAGE_SIZE);
	initrd_room = LB_ALIGN_UP(in->initrd_len, LB_PAGE_SIZE);
	len = memsz + initrd_room;
	/* Without XLF_CAN_BE_LOADED_ABOVE_4G the initrd stays below 2 GiB. */
	limit = (k.xloadflags & LB_XLF_CAN_BE_LOADED_ABOVE_4G) ?
		LB_PHYS_LIMIT : 0x80000000ULL;
	p->window_start = find_window(in, len, align, limit);
	if (!p->window_start)
		return lb_err_set(err, ENOSPC,
				  "no stretch of RAM above 16 MiB holds the kernel (%llu MiB with init_size) and the initrd (%llu MiB)",
				  LB_MIB_UP(memsz), LB_MIB_UP(initrd_room));
	p->window_end = p->window_start + len;
	p->kernel_load = p->window_start;
	p->kernel_memsz = memsz;
	p->entry = p->kernel_load + k.entry_off;
	p->initrd_pa = in->initrd_len ? p->kernel_load + memsz : 0;
	p->pm_off = (lb_u64)(k.image - (const lb_u8 *)in->kernel);
	p->pm_len = k.image_len;

	as_machine(in, p, &m);
	off = 0;
	p->tramp_off = off;
	off += LB_PAGE_SIZE;
	p->bp_off = off;
	off += LB_BP_SIZE;
	p->cmdline_off = off;
	off += LB_PAGE_SIZE;
	p->stack_off = off;
	off += LB_STACK_SIZE;
	p->pt_off = off;
	p->pt_pages = lb_pgtable_pages(&m);
	off += p->pt_pages * LB_PAGE_SIZE;
	p->ctl_len = off;
	return 0;
}

/**
 * lb_boot_page_ok() - May the jump use these bytes?
 * @in: the input of the plan
 * @p: the plan
 * @pa: physical address
 * @len: length in bytes
 *
 * Context: any.
 * Return: true if [@pa, @pa + @len) is identity mapped and outside the window.
 */
bool lb_boot_page_ok(const struct lb_boot_input *in,
		     const struct lb_boot_plan *p, lb_u64 pa, lb_u64 len)
{
	const struct lb_mem_range *r;
	unsigned int i;

	if (!len || pa + len < pa)
		return false;
	if (pa < p->window_end && p->window_start < pa + len)
		return false;
	/* Below 2 MiB is mapped too (pgtable.c), but it is no place for us. */
	for (i = 0; i < in->nr_map; i++) {
		r = &in->map[i];
		if (lb_type_mapped(r->type) && r->start <= pa &&
		    pa + len <= r->end)
			return true;
	}
	return false;
}

/* The map as E820 entries, touching ranges of one type merged. */
static unsigned int write_e820(const struct lb_boot_input *in, lb_u8 *bp)
{
	lb_u8 *e = bp + LB_BP_E820_TABLE;
	unsigned int i, nr = 0;
	lb_u8 *last = NULL;

	for (i = 0; i < in->nr_map; i++) {
		if (last && in->map[i].type == in->map[i - 1].type &&
		    in->map[i].start == in->map[i - 1].end) {
			lb_put64(last + 8, in->map[i].end - lb_get64(last));
			continue;
		}
		last = e + nr * LB_E820_ENTRY_SIZE;
		lb_put64(last, in->map[i].start);
		lb_put64(last + 8, in->map[i].end - in->map[i].start);
		lb_put32(last + 16, in->map[i].type);
		nr++;
	}
	return nr;
}

/**
 * lb_boot_build() - Write the control block.
 * @in: the input of the plan
 * @p: the plan
 * @ctl_pa: physical address of the block, page aligned
 * @list_pa: physical address of the first page of the copy list
 * @ctl: the block, p->ctl_len bytes
 * @err: error context, may be NULL
 *
 * Context: any; no allocation.
 * Return: 0, or -EINVAL (lifeboat/boot.h).
 */
int lb_boot_build(const struct lb_boot_input *in, const struct lb_boot_plan *p,
		  lb_u64 ctl_pa, lb_u64 list_pa, void *ctl, struct lb_err *err)
{
	lb_u8 *cb = ctl, *bp = cb + p->bp_off;
	struct lb_machine m;
	struct lb_kernel k;
	struct lb_image img;
	unsigned int nr;
	const char *loader;
	int ret;

	if (ctl_pa & (LB_PAGE_SIZE - 1) ||
	    !lb_boot_page_ok(in, p, ctl_pa, p->ctl_len))
		return lb_err_set(err, EINVAL,
				  "control block at 0x%llx is not page aligned, not identity mapped or in the window",
				  (unsigned long long)ctl_pa);
	if (list_pa & (LB_PAGE_SIZE - 1) ||
	    !lb_boot_page_ok(in, p, list_pa, LB_PAGE_SIZE))
		return lb_err_set(err, EINVAL,
				  "copy list at 0x%llx is not page aligned, not identity mapped or in the window",
				  (unsigned long long)list_pa);
	as_machine(in, p, &m);
	ret = lb_kernel_parse(in->kernel, in->kernel_len, &m, &k, &loader, err);
	if (ret)
		return ret;
	memset(cb, 0, p->ctl_len);

	memset(&img, 0, sizeof(img));
	img.tramp_pa = ctl_pa + p->tramp_off;
	img.pgd_pa = ctl_pa + p->pt_off;
	img.stack_top = ctl_pa + p->stack_off + LB_STACK_SIZE;
	img.boot_params_pa = ctl_pa + p->bp_off;
	img.cmdline_pa = ctl_pa + p->cmdline_off;
	img.entry = p->entry;

	if (in->cmdline)
		memcpy(cb + p->cmdline_off, in->cmdline,
		       strnlen(in->cmdline, LB_CMDLINE_MAX));
	lb_bootparams_setup(&k, 0, in->acpi_rsdp, img.cmdline_pa,
			    p->initrd_pa, in->initrd_len, bp);
	nr = write_e820(in, bp);
	bp[LB_BP_E820_ENTRIES] = (lb_u8)nr;
	lb_bootparams_mem_k(bp, nr);

	ret = lb_pgtable_build(&m, cb + p->pt_off, img.pgd_pa, p->pt_pages,
			       img.tramp_pa, err);
	if (ret)
		return ret;
	lb_tramp_build(&m, &img, cb + p->tramp_off);
	lb_put64(cb + p->tramp_off + LB_TRAMP_PARAMS_OFF + LB_TRAMP_P_LIST,
		 list_pa);
	return 0;
}
