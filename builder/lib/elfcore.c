// SPDX-License-Identifier: GPL-2.0
/*
 * The ELF core header the capture kernel finds through elfcorehdr= and turns
 * into /proc/vmcore, after crash_prepare_elf64_headers()
 * (kernel/kexec_file.c): one PT_NOTE per CPU note buffer, one for the
 * VMCOREINFO copy, and one PT_LOAD per RAM range of the machine, minus the
 * first MiB and minus the region. For old memory, p_offset is the physical
 * address vmcore reads from; p_vaddr is its direct-map address, which the
 * dump tools use to find page_offset_base.
 */
#include "internal.h"

/**
 * lb_dump_pieces() - The parts of a memory range that go into the dump.
 * @m: the machine
 * @r: one of its ranges
 * @out: up to two pieces
 *
 * Only RAM is dumped, and neither [0, 1 MiB) (reserved by the kernel and
 * reused by the capture kernel) nor the region (the capture kernel itself).
 *
 * Context: any.
 * Return: the number of pieces written to @out, 0 to 2.
 */
unsigned int lb_dump_pieces(const struct lb_machine *m,
			    const struct lb_mem_range *r,
			    struct lb_mem_range out[2])
{
	lb_u64 start = lb_max(r->start, LB_SZ_1M), end = r->end, cut;
	unsigned int n = 0;

	if (r->type != LB_MEM_RAM || start >= end)
		return 0;
	cut = lb_min(end, m->region_start);
	if (start < cut) {
		out[n].start = start;
		out[n].end = cut;
		out[n].type = LB_MEM_RAM;
		n++;
	}
	cut = lb_max(start, m->region_end);
	if (cut < end) {
		out[n].start = cut;
		out[n].end = end;
		out[n].type = LB_MEM_RAM;
		n++;
	}
	return n;
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
	struct lb_mem_range pieces[2];
	lb_u64 n = 0;
	unsigned int i;

	for (i = 0; i < m->nr_ranges; i++)
		n += lb_dump_pieces(m, &m->ranges[i], pieces);
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
	struct lb_elf64_phdr ph = {
		.p_type = LB_PT_LOAD,
		.p_flags = LB_PF_RWX,
	};
	struct lb_mem_range pieces[2];
	lb_u8 *p = buf + LB_ELF_EHDR_SIZE;
	unsigned int i, j, n;

	memcpy(eh.e_ident, ident, sizeof(ident));
	memcpy(buf, &eh, sizeof(eh));
	for (i = 0; i < m->nr_cpus; i++, p += LB_ELF_PHDR_SIZE)
		put_note_phdr(p, img->notes_pa + (lb_u64)i * LB_NOTE_BUF_SIZE,
			      LB_NOTE_BUF_SIZE);
	put_note_phdr(p, img->vmcoreinfo_pa, LB_VMCOREINFO_BUF_SIZE);
	p += LB_ELF_PHDR_SIZE;
	for (i = 0; i < m->nr_ranges; i++) {
		n = lb_dump_pieces(m, &m->ranges[i], pieces);
		for (j = 0; j < n; j++, p += LB_ELF_PHDR_SIZE) {
			ph.p_offset = pieces[j].start;
			ph.p_paddr = pieces[j].start;
			ph.p_vaddr = m->page_offset + pieces[j].start;
			ph.p_filesz = pieces[j].end - pieces[j].start;
			ph.p_memsz = ph.p_filesz;
			memcpy(p, &ph, sizeof(ph));
		}
	}
}
