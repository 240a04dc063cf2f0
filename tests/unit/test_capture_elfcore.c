// SPDX-License-Identifier: GPL-2.0
/*
 * The ELF core header, read back with libelf (an independent parser): the
 * header fields the capture kernel's vmcore checks, one PT_NOTE per CPU and
 * one for VMCOREINFO at their physical addresses, and PT_LOADs that cover
 * exactly the machine's RAM minus [0, 1 MiB) and minus the region, with
 * p_vaddr = page_offset + p_paddr.
 */
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "data/capture_fixture.h"
#include "unit.h"

static Elf *open_header(const struct cap_build *b)
{
	Elf *elf;

	ck_assert_uint_ne(elf_version(EV_CURRENT), EV_NONE);
	/* After the jump stamp's page. */
	ck_assert_uint_eq(b->img.elfcorehdr_pa, b->img.meta_pa + LB_JUMP_STAMP_AREA);
	elf = elf_memory((char *)b->meta + LB_JUMP_STAMP_AREA, b->img.elfcorehdr_len);
	ck_assert_msg(elf, "elf_memory: %s", elf_errmsg(-1));
	ck_assert_int_eq(elf_kind(elf), ELF_K_ELF);
	return elf;
}

struct range {
	uint64_t start, end;
};

/* The header, what /proc/vmcore's parse_crash_elf64_headers() checks. */
static void check_ehdr(Elf *elf, size_t want_phnum)
{
	GElf_Ehdr eh;
	size_t phnum;
	char *ident;

	ck_assert_int_eq(gelf_getclass(elf), ELFCLASS64);
	ident = elf_getident(elf, NULL);
	ck_assert_ptr_nonnull(ident);
	ck_assert_int_eq(memcmp(ident, ELFMAG, SELFMAG), 0);
	ck_assert_int_eq(ident[EI_DATA], ELFDATA2LSB);
	ck_assert_int_eq(ident[EI_VERSION], EV_CURRENT);
	ck_assert_int_eq(ident[EI_OSABI], ELFOSABI_NONE);
	ck_assert_ptr_nonnull(gelf_getehdr(elf, &eh));
	ck_assert_uint_eq(eh.e_type, ET_CORE);
	ck_assert_uint_eq(eh.e_machine, EM_X86_64);
	ck_assert_uint_eq(eh.e_version, EV_CURRENT);
	ck_assert_uint_eq(eh.e_phoff, 64);
	ck_assert_uint_eq(eh.e_ehsize, 64);
	ck_assert_uint_eq(eh.e_phentsize, 56);
	ck_assert_uint_eq(eh.e_entry, 0);
	ck_assert_uint_eq(eh.e_shoff, 0);
	ck_assert_uint_eq(eh.e_shnum, 0);
	ck_assert_int_eq(elf_getphdrnum(elf, &phnum), 0);
	ck_assert_uint_eq(phnum, want_phnum);
}

static void check_phdrs(const struct cap_build *b, const struct lb_machine *m, Elf *elf,
			const struct range *loads, size_t nr_loads)
{
	GElf_Phdr ph;
	size_t i, n = m->nr_cpus + 1 + nr_loads;

	check_ehdr(elf, n);
	for (i = 0; i < m->nr_cpus; i++) {
		ck_assert_ptr_nonnull(gelf_getphdr(elf, (int)i, &ph));
		ck_assert_uint_eq(ph.p_type, PT_NOTE);
		ck_assert_uint_eq(ph.p_offset, b->img.notes_pa + i * 368);
		ck_assert_uint_eq(ph.p_paddr, ph.p_offset);
		ck_assert_uint_eq(ph.p_filesz, 368);
		ck_assert_uint_eq(ph.p_memsz, 368);
	}
	ck_assert_ptr_nonnull(gelf_getphdr(elf, (int)i, &ph));
	ck_assert_uint_eq(ph.p_type, PT_NOTE);
	ck_assert_uint_eq(ph.p_offset, b->img.vmcoreinfo_pa);
	ck_assert_uint_eq(ph.p_paddr, b->img.vmcoreinfo_pa);
	ck_assert_uint_eq(ph.p_filesz, 8192);
	ck_assert_uint_eq(ph.p_memsz, 8192);
	for (i = 0; i < nr_loads; i++) {
		ck_assert_ptr_nonnull(gelf_getphdr(elf, (int)(m->nr_cpus + 1 + i), &ph));
		ck_assert_uint_eq(ph.p_type, PT_LOAD);
		ck_assert_uint_eq(ph.p_flags, PF_R | PF_W | PF_X);
		ck_assert_uint_eq(ph.p_align, 0);
		ck_assert_uint_eq(ph.p_offset, loads[i].start);
		ck_assert_uint_eq(ph.p_paddr, loads[i].start);
		ck_assert_uint_eq(ph.p_vaddr, CAP_PAGE_OFFSET + loads[i].start);
		ck_assert_uint_eq(ph.p_filesz, loads[i].end - loads[i].start);
		ck_assert_uint_eq(ph.p_memsz, ph.p_filesz);
		/* Never the first MiB, never the region. */
		ck_assert_uint_ge(ph.p_paddr, MiB(1));
		ck_assert(ph.p_paddr + ph.p_memsz <= m->region_start ||
			  ph.p_paddr >= m->region_end);
	}
}

START_TEST(elfcore_crashkernel)
{
	static const struct range loads[] = {
		{ MiB(1), MiB(688) },
		{ MiB(944), 0x7ffd0000 },
		{ GiB(4), GiB(8) },
	};
	struct cap_machine cm;
	struct cap_build b;
	Elf *elf;

	cap_machine_crashkernel(&cm, false);
	cap_build_fake_ok(&b, &cm.m);
	elf = open_header(&b);
	check_phdrs(&b, &cm.m, elf, loads, 3);
	ck_assert_uint_eq(b.img.elfcorehdr_len, 4096);
	elf_end(elf);
	cap_build_free(&b);
}
END_TEST

START_TEST(elfcore_memmap)
{
	static const struct range loads[] = {
		{ MiB(1), MiB(512) },
		{ MiB(768), 0x7ffd0000 },
		{ GiB(4), GiB(8) },
	};
	struct cap_machine cm;
	struct cap_build b;
	Elf *elf;

	cap_machine_memmap(&cm, true);
	cap_build_fake_ok(&b, &cm.m);
	elf = open_header(&b);
	check_phdrs(&b, &cm.m, elf, loads, 3);
	elf_end(elf);
	cap_build_free(&b);
}
END_TEST

/* Region at the very start or the end of a RAM range; RAM straddling 1 MiB. */
START_TEST(elfcore_edges)
{
	static const struct range loads[] = {
		{ MiB(1), MiB(2) },
		{ MiB(300), 0x7ffd0000 },
		{ GiB(4), GiB(8) - MiB(256) },
	};
	struct cap_machine cm;
	struct cap_build b;
	Elf *elf;

	cap_machine_crashkernel(&cm, false);
	/* [0, 2 MiB) RAM, reserved up to 44 MiB, RAM from 44 MiB. */
	cm.ranges[0].end = MiB(2);
	cm.ranges[1].start = MiB(2);
	cm.ranges[1].end = MiB(44);
	memmove(&cm.ranges[2], &cm.ranges[3], (cm.m.nr_ranges - 3) * sizeof(cm.ranges[0]));
	cm.m.nr_ranges--;
	cm.ranges[2].start = MiB(44);
	cm.m.region_start = MiB(44);
	cm.m.region_end = MiB(300);
	cap_build_fake_ok(&b, &cm.m);
	elf = open_header(&b);
	check_ehdr(elf, cm.m.nr_cpus + 1 + 3);
	elf_end(elf);
	cap_build_free(&b);

	/* And a second region at the top of the RAM above 4 GiB. */
	cm.m.region_start = GiB(8) - MiB(256);
	cm.m.region_end = GiB(8);
	cm.ranges[1].type = LB_MEM_RESERVED;
	cap_build_fake_ok(&b, &cm.m);
	elf = open_header(&b);
	{
		struct range l2[] = { loads[0], { MiB(44), 0x7ffd0000 }, loads[2] };

		check_phdrs(&b, &cm.m, elf, l2, 3);
	}
	elf_end(elf);
	cap_build_free(&b);
}
END_TEST

/* Many CPUs and ranges: the header grows past a page and stays consistent. */
START_TEST(elfcore_large)
{
	struct cap_machine cm;
	struct cap_build b;
	struct range *loads = calloc(200, sizeof(*loads));
	uint64_t base = 0x20000000000ULL;
	unsigned int i;
	Elf *elf;

	cap_machine_crashkernel(&cm, false);
	cm.m.nr_cpus = 96;
	loads[0] = (struct range){ MiB(1), MiB(688) };
	loads[1] = (struct range){ MiB(944), 0x7ffd0000 };
	loads[2] = (struct range){ GiB(4), GiB(8) };
	for (i = 0; i < 100; i++) {
		loads[3 + i] = (struct range){ base + i * MiB(4), base + i * MiB(4) + MiB(2) };
		cap_machine_add(&cm, loads[3 + i].start, loads[3 + i].end, LB_MEM_RAM);
	}
	cap_build_fake_ok(&b, &cm.m);
	ck_assert_uint_eq(b.img.elfcorehdr_len, (64 + (96 + 1 + 103) * 56 + 4095) & ~4095ULL);
	elf = open_header(&b);
	check_phdrs(&b, &cm.m, elf, loads, 103);
	elf_end(elf);
	cap_build_free(&b);
	free(loads);
}
END_TEST

static Suite *capture_elfcore_suite(void)
{
	Suite *s = suite_create("capture_elfcore");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, elfcore_crashkernel);
	tcase_add_test(tc, elfcore_memmap);
	tcase_add_test(tc, elfcore_edges);
	tcase_add_test(tc, elfcore_large);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(capture_elfcore_suite)
