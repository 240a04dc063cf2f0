// SPDX-License-Identifier: GPL-2.0
/*
 * The image builder's entry points: sizing the metadata block, placing the
 * pieces inside the region and writing the metadata block. The metadata
 * block goes at the start of the region; the kernel at the lowest address
 * that is at least 16 MiB (below it the decompressor would move itself to
 * 16 MiB anyway, outside a region that starts lower), past the metadata and
 * aligned to kernel_alignment and 2 MiB, with init_size of room; the initrd
 * page aligned at the top of the region. What is left is the capture
 * kernel's free RAM, which must be at least lb_min_runtime() of its image.
 */
#include "internal.h"

/**
 * lb_image_meta_size() - Size of the metadata block for a machine.
 * @m: the machine
 *
 * Context: any; no allocation.
 * Return: the size in bytes, a multiple of the page size; 0 if the machine
 * facts are inconsistent (lb_image_build() then says why).
 */
lb_u64 lb_image_meta_size(const struct lb_machine *m)
{
	struct lb_layout l;

	if (lb_layout_compute(m, &l, NULL))
		return 0;
	return l.len;
}

/* Chooses the addresses of the kernel and initrd; fills img. */
static int place(const struct lb_machine *m, const struct lb_layout *l,
		 const struct lb_kernel *k, const struct lb_image_input *in,
		 struct lb_image *img, struct lb_err *err)
{
	lb_u64 rs = m->region_start, re = m->region_end, size = re - rs;
	lb_u64 meta_end = rs + l->len, align, load, memsz, top, initrd_room;
	unsigned int i;

	if (l->len > size)
		return lb_err_set(err, ENOSPC,
				  "region of %llu MiB at %llu MiB is too small for the %llu MiB metadata block",
				  LB_MIB(size), LB_MIB(rs), LB_MIB_UP(l->len));
	top = re;
	initrd_room = 0;
	if (in->initrd_len) {
		if (in->initrd_len > size)
			return lb_err_set(err, ENOSPC,
					  "initrd of %llu MiB does not fit in the region of %llu MiB at %llu MiB",
					  LB_MIB_UP(in->initrd_len), LB_MIB(size),
					  LB_MIB(rs));
		top = LB_ALIGN_DOWN(re - in->initrd_len, LB_PAGE_SIZE);
		initrd_room = re - top;
	}
	align = lb_max(k->kernel_alignment, LB_SZ_2M);
	load = LB_ALIGN_UP(lb_max(LB_SZ_16M, meta_end), align);
	memsz = LB_ALIGN_UP((lb_u64)k->init_size, LB_PAGE_SIZE);
	if (load + memsz > top || top < meta_end)
		return lb_err_set(err, ENOSPC,
				  "region %llu-%llu MiB is too small: metadata %llu MiB, kernel %llu MiB (%s) at %llu MiB, initrd %llu MiB from %llu MiB",
				  LB_MIB(rs), LB_MIB(re), LB_MIB_UP(l->len),
				  LB_MIB_UP(memsz), k->room, LB_MIB(load),
				  LB_MIB_UP(initrd_room), LB_MIB(top));

	img->meta_pa = rs;
	img->meta_len = l->len;
	img->meta_fixed_len = l->fixed_len;
	img->kernel_load = load;
	img->kernel_memsz = memsz;
	img->entry = load + k->entry_off;
	img->initrd_pa = in->initrd_len ? top : 0;
	/* Region RAM for the capture kernel, minus its image and initrd. */
	img->free_ram = size - l->len - memsz - initrd_room;
	for (i = 0; i < m->nr_extra; i++)
		img->free_ram += m->extra[i].end - m->extra[i].start;
	if (img->free_ram < lb_min_runtime(memsz))
		return lb_err_set(err, ENOSPC,
				  "region of %llu MiB leaves %llu MiB of free RAM, the capture kernel needs %llu MiB: metadata %llu MiB, kernel %llu MiB (%s), initrd %llu MiB",
				  LB_MIB(size), LB_MIB(img->free_ram),
				  LB_MIB(lb_min_runtime(memsz)),
				  LB_MIB_UP(l->len), LB_MIB_UP(memsz), k->room,
				  LB_MIB_UP(initrd_room));
	return 0;
}

/**
 * lb_image_contig_need() - The first range of a region taken at run time.
 * @m: the running machine; its region and extra ranges are not looked at
 * @in: the user's files
 * @nr_extra: how many more ranges the region may have
 * @size: set to the bytes the first range needs
 * @align: set to the alignment its start needs (it must also be at or
 *         above 16 MiB)
 * @err: error context, may be NULL
 *
 * The metadata block at its largest (lb_layout_bound()), rounded up to the
 * kernel's alignment, then the kernel's init_size, then the initrd: what
 * place() puts there, with no free RAM, which the other ranges give.
 *
 * Context: any; no allocation.
 * Return: 0, or -ENOEXEC, -EINVAL, -E2BIG with @err filled.
 */
int lb_image_contig_need(const struct lb_machine *m,
			 const struct lb_image_input *in, unsigned int nr_extra,
			 lb_u64 *size, lb_u64 *align, struct lb_err *err)
{
	const char *loader;
	struct lb_layout l;
	struct lb_kernel k;
	int ret;

	if (!m || !in || !size || !align)
		return lb_err_set(err, EINVAL, "no machine, input or result");
	ret = lb_layout_bound(m, nr_extra, &l, err);
	if (ret)
		return ret;
	ret = lb_kernel_parse(in->kernel, in->kernel_len, m, &k, &loader, err);
	if (ret)
		return ret;
	*align = lb_max(k.kernel_alignment, LB_SZ_2M);
	*size = LB_ALIGN_UP(l.len, *align) +
		LB_ALIGN_UP((lb_u64)k.init_size, LB_PAGE_SIZE) +
		LB_ALIGN_UP(in->initrd_len, LB_PAGE_SIZE);
	return 0;
}

static void fill_addresses(const struct lb_layout *l, struct lb_image *img)
{
	lb_u64 pa = img->meta_pa;

	img->elfcorehdr_pa = pa + l->elf_off;
	img->elfcorehdr_len = l->elf_len;
	img->boot_params_pa = pa + l->bp_off;
	img->cmdline_pa = pa + l->cmdline_off;
	img->tramp_pa = pa + l->tramp_off;
	img->pgd_pa = pa + l->pt_off;
	img->notes_pa = pa + l->notes_off;
	img->notes_off = l->notes_off;
	img->vmcoreinfo_pa = pa + l->vmcoreinfo_off;
	img->vmcoreinfo_off = l->vmcoreinfo_off;
	img->stack_top = pa + l->stack_off + LB_STACK_SIZE;
}

/**
 * lb_image_build() - Place the capture image and build its metadata block.
 * @m: the running machine
 * @in: the user's kernel, initrd and command line
 * @img: filled with where everything goes
 * @meta: buffer for the metadata block, at least lb_image_meta_size(@m)
 * @meta_cap: size of @meta; the builder zeroes all of it
 * @err: error context, may be NULL
 *
 * Context: any; time linear in the identity-mapped memory (one entry per
 * 2 MiB); no allocation, no locks.
 * Return: 0, or -ENOEXEC (no loader takes the kernel, or it is malformed),
 * -ENOSPC (the region is too small), -EINVAL (inconsistent machine facts or
 * arguments), -E2BIG (too many memory ranges, or a command line too long),
 * with @err filled. *@img and @meta are unspecified on error.
 */
int lb_image_build(const struct lb_machine *m, const struct lb_image_input *in,
		   struct lb_image *img, void *meta, lb_u64 meta_cap,
		   struct lb_err *err)
{
	struct lb_layout l;
	struct lb_kernel k;
	const char *loader = NULL;
	lb_u64 cmdline_len;
	lb_u8 *mb = meta;
	int ret;

	if (!in || !img)
		return lb_err_set(err, EINVAL, "no input or image");
	memset(img, 0, sizeof(*img));
	/* The machine first: a caller given size 0 learns why here. */
	ret = lb_layout_compute(m, &l, err);
	if (ret)
		return ret;
	if (!meta || meta_cap < l.len)
		return lb_err_set(err, EINVAL,
				  "metadata buffer of %llu bytes, %llu needed",
				  (unsigned long long)(meta ? meta_cap : 0),
				  (unsigned long long)l.len);
	if (in->initrd_len && !in->initrd)
		return lb_err_set(err, EINVAL, "initrd of %llu bytes but no data",
				  (unsigned long long)in->initrd_len);
	ret = lb_kernel_parse(in->kernel, in->kernel_len, m, &k, &loader, err);
	if (ret)
		return ret;
	ret = place(m, &l, &k, in, img, err);
	if (ret)
		return ret;
	fill_addresses(&l, img);
	img->loader = loader;

	memset(mb, 0, meta_cap);
	ret = lb_cmdline_build(&k, img->elfcorehdr_pa, in->cmdline,
			       (char *)mb + l.cmdline_off, &cmdline_len, err);
	if (ret)
		return ret;

	img->seg[LB_SEG_META].dest = img->meta_pa;
	img->seg[LB_SEG_META].src = meta;
	img->seg[LB_SEG_META].len = l.len;
	img->seg[LB_SEG_KERNEL].dest = img->kernel_load;
	img->seg[LB_SEG_KERNEL].src = k.image;
	img->seg[LB_SEG_KERNEL].len = k.image_len;
	if (in->initrd_len) {
		img->seg[LB_SEG_INITRD].dest = img->initrd_pa;
		img->seg[LB_SEG_INITRD].src = in->initrd;
		img->seg[LB_SEG_INITRD].len = in->initrd_len;
	}

	ret = lb_bootparams_build(m, &k, img, mb + l.bp_off, err);
	if (ret)
		return ret;
	ret = lb_pgtable_build(m, mb + l.pt_off, img->pgd_pa, l.pt_pages,
			       img->tramp_pa, err);
	if (ret)
		return ret;
	lb_tramp_build(m, img, mb + l.tramp_off);
	lb_elfcore_build(m, &l, img, mb + l.elf_off);
	lb_vmcoreinfo_copy(mb + l.vmcoreinfo_off, m->vmcoreinfo);
	return 0;
}
