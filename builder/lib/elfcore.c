// SPDX-License-Identifier: GPL-2.0
/*
 * The ELF core header the capture kernel finds through elfcorehdr= and turns
 * into /proc/vmcore, after crash_prepare_elf64_headers()
 * (kernel/kexec_file.c): one PT_NOTE per CPU note buffer, one for the
 * VMCOREINFO copy, and one PT_LOAD per RAM range of the machine, minus the
 * first MiB and minus the capture kernel's own ranges (the region, and the
 * other ranges of a region taken at run time). For old memory, p_offset is the physical
 * address vmcore reads from; p_vaddr is its direct-map address, which the
 * dump tools use to find page_offset_base.
 */
#include "internal.h"

/**
 * lb_capture_range() - One of the ranges the capture kernel owns.
 * @m: the machine, its extra ranges sorted and apart from the region
 * @i: which, 0 to @m->nr_extra, in address order
 * @r: filled with the range (type RAM)
 *
 * The region and the extra ranges of a run-time region, in one sorted
 * sequence: the region slotted in among the extras.
 *
 * Context: any.
 */
void lb_capture_range(const struct lb_machine *m, unsigned int i,
		      struct lb_mem_range *r)
{
	unsigned int below = 0;

	while (below < m->nr_extra && m->extra[below].start < m->region_start)
		below++;
	if (i == below) {
		r->start = m->region_start;
		r->end = m->region_end;
	} else {
		*r = m->extra[i < below ? i : i - 1];
	}
	r->type = LB_MEM_RAM;
}

/**
 * lb_dump_walk() - The pieces of the machine's memory that go into the dump.
 * @m: the machine, with sane ranges
 * @fn: called with each piece [start, end), in address order; a non-zero
 *      return stops the walk
 * @ctx: for @fn
 *
 * Only RAM is dumped, and neither [0, 1 MiB) (reserved by the kernel and
 * reused by the capture kernel) nor the capture kernel's own ranges (the
 * region and its extra ranges).
 *
 * Context: any.
 * Return: 0, or the first non-zero return of @fn.
 */
int lb_dump_walk(const struct lb_machine *m, lb_dump_fn fn, void *ctx)
{
	struct lb_mem_range c;
	lb_u64 start, end;
	unsigned int i, k;
	int ret;

	for (i = 0; i < m->nr_ranges; i++) {
		if (m->ranges[i].type != LB_MEM_RAM)
			continue;
		start = lb_max(m->ranges[i].start, LB_SZ_1M);
		end = m->ranges[i].end;
		for (k = 0; k <= m->nr_extra && start < end; k++) {
			lb_capture_range(m, k, &c);
			if (c.end <= start)
				continue;
			if (c.start >= end)
				break;
			if (c.start > start) {
				ret = fn(ctx, start, c.start);
				if (ret)
					return ret;
			}
			start = c.end;
		}
		if (start < end) {
			ret = fn(ctx, start, end);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int count_piece(void *ctx, lb_u64 start, lb_u64 end)
{
	(void)start;
	(void)end;
	(*(lb_u64 *)ctx)++;
	return 0;
}

/**
 * lb_elfcore_nr_loads() - Count the PT_LOAD headers of the machine.
 * @m: the machine, with sane ranges
 *
 * Context: any.
 * Return: the number of dumped RAM pieces.
 */
lb_u64 lb_elfcore_nr_loads(const struct lb_machine *m)
{
	lb_u64 n = 0;

	lb_dump_walk(m, count_piece, &n);
	return n;
}

static void put_note_phdr(lb_u8 *dst, lb_u64 pa, lb_u64 size)
{
	struct lb_elf64_phdr ph = {
		.p_type = LB_PT_NOTE,
		.p_offset = pa,
		.p_paddr = pa,
		.p_filesz = size,
		.p_memsz = size,
	};

	memcpy(dst, &ph, sizeof(ph));
}

struct load_out {
	lb_u8 *p;
	lb_u64 page_offset;
};

static int put_load_phdr(void *ctx, lb_u64 start, lb_u64 end)
{
	struct load_out *o = ctx;
	struct lb_elf64_phdr ph = {
		.p_type = LB_PT_LOAD,
		.p_flags = LB_PF_RWX,
		.p_offset = start,
		.p_paddr = start,
		.p_vaddr = o->page_offset + start,
		.p_filesz = end - start,
		.p_memsz = end - start,
	};

	memcpy(o->p, &ph, sizeof(ph));
	o->p += LB_ELF_PHDR_SIZE;
	return 0;
}

/**
 * lb_elfcore_build() - Write the ELF core header.
 * @m: the machine, checked by lb_machine_check()
 * @l: the layout, for the number of headers
 * @img: the placement, for the addresses of the notes
 * @buf: the zeroed header space, @l->elf_len bytes
 *
 * The structures are written with the host's byte order: the image is built
 * on x86_64 for x86_64.
 *
 * Context: any; no allocation.
 */
void lb_elfcore_build(const struct lb_machine *m, const struct lb_layout *l,
		      const struct lb_image *img, lb_u8 *buf)
{
	static const lb_u8 ident[16] = {
		0x7f, 'E', 'L', 'F', 2 /* ELFCLASS64 */, 1 /* ELFDATA2LSB */,
		1 /* EV_CURRENT */, 0 /* ELFOSABI_NONE */,
	};
	struct lb_elf64_ehdr eh = {
		.e_type = LB_ET_CORE,
		.e_machine = LB_EM_X86_64,
		.e_version = 1,
		.e_phoff = LB_ELF_EHDR_SIZE,
		.e_ehsize = LB_ELF_EHDR_SIZE,
		.e_phentsize = LB_ELF_PHDR_SIZE,
		.e_phnum = (lb_u16)l->nr_phdr,
	};
	struct load_out o = { .page_offset = m->page_offset };
	lb_u8 *p = buf + LB_ELF_EHDR_SIZE;
	unsigned int i;

	memcpy(eh.e_ident, ident, sizeof(ident));
	memcpy(buf, &eh, sizeof(eh));
	for (i = 0; i < m->nr_cpus; i++, p += LB_ELF_PHDR_SIZE)
		put_note_phdr(p, img->notes_pa + (lb_u64)i * LB_NOTE_BUF_SIZE,
			      LB_NOTE_BUF_SIZE);
	put_note_phdr(p, img->vmcoreinfo_pa, LB_VMCOREINFO_BUF_SIZE);
	o.p = p + LB_ELF_PHDR_SIZE;
	lb_dump_walk(m, put_load_phdr, &o);
}
