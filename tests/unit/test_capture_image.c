// SPDX-License-Identifier: GPL-2.0
/*
 * lb_image_build() with the real guest kernel: where the pieces go, the
 * -ENOSPC sentences, the metadata block, the boot_params fields at their
 * offsets, the command line, and the trampoline page (parameters, GDT, IDT).
 */
#include <stdlib.h>
#include <string.h>

#include "data/capture_fixture.h"
#include "unit.h"

#define INIT_SIZE 0x3f98000ULL		/* of the stock 6.1.0-56 kernel */
#define PAGE 4096ULL

static uint8_t *initrd_of(size_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	size_t i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7);
	return p;
}

/* Checks every placement rule on a successful build. */
static void check_placement(const struct cap_build *b, const struct lb_machine *m,
			    size_t kernel_len, size_t initrd_len, uint64_t align)
{
	const struct lb_image *img = &b->img;
	uint64_t meta_end = img->meta_pa + img->meta_len;

	ck_assert_msg(b->ret == 0, "build failed: %d %s", b->ret, b->err.msg);
	ck_assert_str_eq(img->loader, "bzImage");
	ck_assert_uint_eq(img->meta_pa, m->region_start);
	ck_assert_uint_eq(img->meta_len, b->meta_len);
	ck_assert_uint_eq(img->meta_len % PAGE, 0);
	ck_assert_uint_le(img->meta_fixed_len, img->meta_len);
	/* Kernel: >= 16 MiB, past the metadata, 2 MiB aligned, init_size of room. */
	ck_assert_uint_ge(img->kernel_load, MiB(16));
	ck_assert_uint_ge(img->kernel_load, meta_end);
	ck_assert_uint_eq(img->kernel_load % MiB(2), 0);
	ck_assert_uint_ge(img->kernel_memsz, INIT_SIZE);
	ck_assert_uint_eq(img->entry, img->kernel_load + 0x200);
	/* The lowest such address. */
	ck_assert_uint_eq(img->kernel_load % align, 0);
	ck_assert_uint_lt(img->kernel_load - align,
			  meta_end > MiB(16) ? meta_end : MiB(16));
	if (initrd_len) {
		ck_assert_uint_eq(img->initrd_pa % PAGE, 0);
		ck_assert_uint_le(img->initrd_pa + initrd_len, m->region_end);
		ck_assert_uint_gt(img->initrd_pa + initrd_len + PAGE, m->region_end);
		ck_assert_uint_le(img->kernel_load + img->kernel_memsz, img->initrd_pa);
	} else {
		ck_assert_uint_eq(img->initrd_pa, 0);
		ck_assert_uint_le(img->kernel_load + img->kernel_memsz, m->region_end);
	}
	/* Segments. */
	ck_assert_uint_eq(img->seg[LB_SEG_META].dest, img->meta_pa);
	ck_assert_ptr_eq(img->seg[LB_SEG_META].src, b->meta);
	ck_assert_uint_eq(img->seg[LB_SEG_META].len, img->meta_len);
	ck_assert_uint_eq(img->seg[LB_SEG_KERNEL].dest, img->kernel_load);
	ck_assert_uint_eq(img->seg[LB_SEG_KERNEL].len, kernel_len - 0x5000);
	ck_assert_uint_le(img->seg[LB_SEG_KERNEL].len, img->kernel_memsz);
	ck_assert_uint_eq(img->seg[LB_SEG_INITRD].len, initrd_len);
	ck_assert_uint_eq(img->seg[LB_SEG_INITRD].dest, img->initrd_pa);
	/* Addresses inside the metadata block. */
	/* The jump stamp's page first, left zero; the ELF core header after it. */
	ck_assert_uint_eq(img->elfcorehdr_pa, img->meta_pa + LB_JUMP_STAMP_AREA);
	ck_assert_uint_ge(img->elfcorehdr_len, 64);
	for (size_t i = 0; i < LB_JUMP_STAMP_AREA; i++)
		ck_assert_uint_eq(((const unsigned char *)b->meta)[i], 0);
	ck_assert_uint_eq(img->boot_params_pa % PAGE, 0);
	ck_assert_uint_eq(img->tramp_pa % PAGE, 0);
	ck_assert_uint_eq(img->pgd_pa % PAGE, 0);
	ck_assert_uint_lt(img->boot_params_pa + PAGE, meta_end);
	ck_assert_uint_lt(img->pgd_pa, img->meta_pa + img->meta_fixed_len);
	ck_assert_uint_lt(img->tramp_pa, img->meta_pa + img->meta_fixed_len);
	ck_assert_uint_lt(img->cmdline_pa, img->meta_pa + img->meta_fixed_len);
	ck_assert_uint_ge(img->notes_pa, img->meta_pa + img->meta_fixed_len);
	ck_assert_uint_eq(img->notes_pa, img->meta_pa + img->notes_off);
	ck_assert_uint_eq(img->vmcoreinfo_pa, img->meta_pa + img->vmcoreinfo_off);
	ck_assert_uint_ge(img->vmcoreinfo_off, img->notes_off + m->nr_cpus * 368ULL);
	ck_assert_uint_le(img->vmcoreinfo_off + 8192, img->meta_len);
	ck_assert_uint_eq(img->stack_top % 16, 0);
	ck_assert_uint_le(img->stack_top, meta_end);
	ck_assert_uint_ge(img->stack_top - 16384, img->vmcoreinfo_pa + 8192);
	/* Free RAM: the region minus metadata, kernel and initrd. */
	ck_assert_uint_eq(img->free_ram,
			  m->region_end - meta_end - img->kernel_memsz -
			  (initrd_len ? m->region_end - img->initrd_pa : 0));
	ck_assert_uint_ge(img->free_ram, MiB(32));
}

START_TEST(image_crashkernel_placement)
{
	struct cap_machine cm;
	struct cap_build b;
	size_t len, ilen = 20000001;
	uint8_t *k = cap_read_kernel(&len), *initrd = initrd_of(ilen);

	cap_machine_crashkernel(&cm, false);
	cap_build(&b, &cm.m, k, len, initrd, ilen, "console=ttyS0 nokaslr");
	check_placement(&b, &cm.m, len, ilen, MiB(2));
	ck_assert_uint_eq(b.img.kernel_load, MiB(690));
	ck_assert_ptr_eq(b.img.seg[LB_SEG_KERNEL].src, k + 0x5000);
	ck_assert_ptr_eq(b.img.seg[LB_SEG_INITRD].src, initrd);
	ck_assert_uint_eq(b.img.initrd_pa, (MiB(944) - ilen) & ~(PAGE - 1));
	cap_build_free(&b);
	free(initrd);
	free(k);
}
END_TEST

START_TEST(image_memmap_at_512m)
{
	struct cap_machine cm;
	struct cap_build b;
	size_t len, ilen = MiB(30);
	uint8_t *k = cap_read_kernel(&len), *initrd = initrd_of(ilen);

	cap_machine_memmap(&cm, false);
	cap_build(&b, &cm.m, k, len, initrd, ilen, "");
	check_placement(&b, &cm.m, len, ilen, MiB(2));
	ck_assert_uint_eq(b.img.meta_pa, MiB(512));
	ck_assert_uint_eq(b.img.kernel_load, (MiB(512) + b.meta_len + MiB(2) - 1) & ~(MiB(2) - 1));
	ck_assert_uint_eq(b.img.initrd_pa, MiB(768) - MiB(30));
	cap_build_free(&b);
	free(initrd);
	free(k);
}
END_TEST

START_TEST(image_low_region_kernel_at_16m)
{
	struct cap_machine cm;
	struct cap_build b;
	size_t len;
	uint8_t *k = cap_read_kernel(&len);

	cap_machine_init(&cm, false);
	cm.m.region_start = MiB(1);
	cm.m.region_end = MiB(128);
	cap_build(&b, &cm.m, k, len, NULL, 0, NULL);
	check_placement(&b, &cm.m, len, 0, MiB(2));
	/* Below 16 MiB the decompressor would move itself to 16 MiB anyway. */
	ck_assert_uint_eq(b.img.kernel_load, MiB(16));
	cap_build_free(&b);
	free(k);
}
END_TEST

START_TEST(image_honours_large_kernel_alignment)
{
	struct cap_machine cm;
	struct cap_build b;
	size_t len;
	uint8_t *k = cap_read_kernel(&len);

	k[0x230 + 2] = 0x00;
	k[0x230 + 3] = 0x01;		/* kernel_alignment = 16 MiB */
	cap_machine_crashkernel(&cm, false);
	cm.m.region_start = MiB(690);
	cap_build(&b, &cm.m, k, len, NULL, 0, "");
	check_placement(&b, &cm.m, len, 0, MiB(16));
	ck_assert_uint_eq(b.img.kernel_load, MiB(704));
	cap_build_free(&b);
	free(k);
}
END_TEST

START_TEST(image_region_too_small)
{
	struct cap_machine cm;
	struct cap_build b;
	size_t len, ilen = MiB(20);
	uint8_t *k = cap_read_kernel(&len), *initrd = initrd_of(ilen);

	/* 96 MiB: the kernel fits, but only 12 MiB of free RAM is left. */
	cap_machine_crashkernel(&cm, false);
	cm.m.region_end = MiB(688 + 96);
	cap_build(&b, &cm.m, k, len, initrd, ilen, "");
	ck_assert_int_eq(b.ret, -ENOSPC);
	ck_assert_msg(strstr(b.err.msg, "region of 96 MiB leaves 12 MiB of free RAM") &&
		      strstr(b.err.msg, "needs 32 MiB") &&
		      strstr(b.err.msg, "kernel 64 MiB (init_size), initrd 20 MiB"),
		      "message: %s", b.err.msg);
	cap_build_free(&b);

	/* 80 MiB: kernel and initrd overlap. */
	cm.m.region_end = MiB(688 + 80);
	cap_build(&b, &cm.m, k, len, initrd, ilen, "");
	ck_assert_int_eq(b.ret, -ENOSPC);
	ck_assert_msg(strstr(b.err.msg, "region 688-768 MiB is too small") &&
		      strstr(b.err.msg, "kernel 64 MiB (init_size) at 690 MiB") &&
		      strstr(b.err.msg, "initrd 20 MiB from 748 MiB"),
		      "message: %s", b.err.msg);
	cap_build_free(&b);

	/* An initrd larger than the region. */
	cm.m.region_end = MiB(688 + 16);
	cap_build(&b, &cm.m, k, len, initrd, MiB(17), "");
	ck_assert_int_eq(b.ret, -ENOSPC);
	ck_assert_msg(strstr(b.err.msg, "initrd of 17 MiB does not fit in the region of 16 MiB"),
		      "message: %s", b.err.msg);
	cap_build_free(&b);

	/* A region smaller than the metadata block. */
	cm.m.region_end = MiB(688) + PAGE;
	cap_build(&b, &cm.m, k, len, NULL, 0, "");
	ck_assert_int_eq(b.ret, -ENOSPC);
	ck_assert_msg(strstr(b.err.msg, "too small for the"), "message: %s", b.err.msg);
	cap_build_free(&b);
	free(initrd);
	free(k);
}
END_TEST

START_TEST(image_bad_region)
{
	static const struct { uint64_t start, end; } bad[] = {
		{ MiB(688) + 1, MiB(944) },	/* not page aligned */
		{ MiB(688), MiB(944) - 8 },
		{ 0x80000, MiB(256) },		/* below 1 MiB */
		{ MiB(944), MiB(688) },		/* empty */
		{ MiB(688), MiB(688) },
		{ GiB(1), GiB(3) },		/* crosses ACPI tables */
		{ GiB(9), GiB(10) },		/* not in the map */
	};
	struct cap_machine cm;
	struct cap_build b;
	size_t len, i;
	uint8_t *k = cap_read_kernel(&len);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cap_machine_crashkernel(&cm, false);
		cm.m.region_start = bad[i].start;
		cm.m.region_end = bad[i].end;
		ck_assert_uint_eq(lb_image_meta_size(&cm.m), 0);
		cap_build(&b, &cm.m, k, len, NULL, 0, "");
		ck_assert_msg(b.ret == -EINVAL, "case %zu: %d %s", i, b.ret, b.err.msg);
		ck_assert_msg(strstr(b.err.msg, "region"), "case %zu: %s", i, b.err.msg);
		cap_build_free(&b);
	}
	free(k);
}
END_TEST

START_TEST(image_meta_buffer_too_small)
{
	struct cap_machine cm;
	struct lb_image img;
	struct lb_err err = { "" };
	struct lb_image_input in = { 0 };
	size_t len;
	uint8_t *k = cap_read_kernel(&len), *meta;
	uint64_t size;

	cap_machine_crashkernel(&cm, false);
	size = lb_image_meta_size(&cm.m);
	ck_assert_uint_gt(size, 0);
	meta = malloc(size);
	in.kernel = k;
	in.kernel_len = len;
	ck_assert_int_eq(lb_image_build(&cm.m, &in, &img, meta, size - PAGE, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "metadata buffer of"), "message: %s", err.msg);
	ck_assert_int_eq(lb_image_build(&cm.m, &in, &img, NULL, size, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "metadata buffer of 0 bytes"), "message: %s", err.msg);
	ck_assert_int_eq(lb_image_build(&cm.m, &in, &img, meta, size, NULL), 0);
	/* Bad machine facts: the reason comes first, even without a buffer. */
	cm.m.nr_cpus = 0;
	ck_assert_uint_eq(lb_image_meta_size(&cm.m), 0);
	ck_assert_int_eq(lb_image_build(&cm.m, &in, &img, NULL, 0, &err), -EINVAL);
	ck_assert_msg(strstr(err.msg, "0 CPUs"), "message: %s", err.msg);
	free(meta);
	free(k);
}
END_TEST

/* Bytes of boot_params the builder sets itself, besides the setup header. */
static bool set_by_loader(unsigned int off, unsigned int nr_e820)
{
	return (off >= 0x002 && off < 0x004) ||		/* ext_mem_k */
	       (off >= 0x070 && off < 0x078) ||		/* acpi_rsdp_addr */
	       (off >= 0x0c0 && off < 0x0cc) ||		/* ext_ramdisk_*, ext_cmd_line_ptr */
	       (off >= 0x1e0 && off < 0x1e4) ||		/* alt_mem_k */
	       off == 0x1e8 ||				/* e820_entries */
	       (off >= 0x2d0 && off < 0x2d0 + 20 * nr_e820);
}

static void check_boot_params(const struct cap_build *b, const struct lb_machine *m,
			      const uint8_t *k, uint64_t initrd_len)
{
	const uint8_t *bp = cap_meta_at(b, b->img.boot_params_pa);
	unsigned int off, nr = bp[0x1e8];

	ck_assert_uint_ge(nr, 2);
	ck_assert_uint_le(nr, 128);
	ck_assert_uint_eq(bp[0x1ef], 0);			/* sentinel */
	/* The setup header as in the file, except the loader's fields. */
	for (off = 0x1f1; off < 0x26c; off++) {
		if (off == 0x210 || off == 0x211 || (off >= 0x218 && off < 0x220) ||
		    (off >= 0x228 && off < 0x22c) || (off >= 0x23c && off < 0x248) ||
		    (off >= 0x250 && off < 0x258))
			continue;
		ck_assert_msg(bp[off] == k[off], "header byte 0x%x: 0x%02x, file 0x%02x",
			      off, bp[off], k[off]);
	}
	ck_assert_uint_eq(bp[0x210], 0xff);			/* type_of_loader */
	ck_assert_uint_eq(bp[0x211], 0x00);			/* loadflags */
	ck_assert_uint_eq(cap_get32(bp + 0x228), (uint32_t)b->img.cmdline_pa);
	ck_assert_uint_eq(cap_get32(bp + 0x0c8), (uint32_t)(b->img.cmdline_pa >> 32));
	ck_assert_uint_eq(cap_get32(bp + 0x218), (uint32_t)b->img.initrd_pa);
	ck_assert_uint_eq(cap_get32(bp + 0x0c0), (uint32_t)(b->img.initrd_pa >> 32));
	ck_assert_uint_eq(cap_get32(bp + 0x21c), (uint32_t)initrd_len);
	ck_assert_uint_eq(cap_get32(bp + 0x0c4), (uint32_t)(initrd_len >> 32));
	ck_assert_uint_eq(cap_get64(bp + 0x070), m->acpi_rsdp);
	ck_assert_uint_eq(cap_get32(bp + 0x23c), m->hardware_subarch);
	ck_assert_uint_eq(cap_get64(bp + 0x240), 0);		/* hardware_subarch_data */
	ck_assert_uint_eq(cap_get64(bp + 0x250), 0);		/* setup_data */
	/* kernel_alignment and init_size stay: startup_64 reads them here. */
	ck_assert_uint_eq(cap_get32(bp + 0x230), cap_get32(k + 0x230));
	ck_assert_uint_eq(cap_get32(bp + 0x260), cap_get32(k + 0x260));
	/* Nothing else is set. */
	for (off = 0; off < 0x1f1; off++)
		if (!set_by_loader(off, nr))
			ck_assert_msg(bp[off] == 0, "byte 0x%x is 0x%02x", off, bp[off]);
	for (off = 0x26c; off < 4096; off++)
		if (!set_by_loader(off, nr))
			ck_assert_msg(bp[off] == 0, "byte 0x%x is 0x%02x", off, bp[off]);
}

START_TEST(image_boot_params_fields)
{
	struct cap_machine cm;
	struct cap_build b;
	size_t len, ilen = 3000000;
	uint8_t *k = cap_read_kernel(&len), *initrd = initrd_of(ilen);
	const uint8_t *bp;
	char want[64];

	cap_machine_crashkernel(&cm, false);
	cm.m.hardware_subarch = 0;
	cap_build(&b, &cm.m, k, len, initrd, ilen, "console=ttyS0 panic=1");
	check_placement(&b, &cm.m, len, ilen, MiB(2));
	check_boot_params(&b, &cm.m, k, ilen);
	bp = cap_meta_at(&b, b.img.boot_params_pa);
	ck_assert_uint_eq(cap_get32(bp + 0x228), b.img.cmdline_pa);
	ck_assert_uint_eq(cap_get32(bp + 0x0c8), 0);
	ck_assert_uint_eq(cap_get32(bp + 0x218), b.img.initrd_pa);
	ck_assert_uint_eq(cap_get32(bp + 0x21c), 3000000);
	/* No RAM entry spans 1 MiB: the legacy sizes stay 0, as with kexec. */
	ck_assert_uint_eq(cap_get16(bp + 0x002), 0);
	ck_assert_uint_eq(cap_get32(bp + 0x1e0), 0);
	snprintf(want, sizeof(want), "elfcorehdr=0x%llx console=ttyS0 panic=1",
		 (unsigned long long)b.img.elfcorehdr_pa);
	ck_assert_str_eq((const char *)cap_meta_at(&b, b.img.cmdline_pa), want);
	ck_assert_str_eq(want, "elfcorehdr=0x2b001000 console=ttyS0 panic=1");
	cap_build_free(&b);
	free(initrd);
	free(k);
}
END_TEST

/* crashkernel=512M,high: the region and the initrd above 4 GiB. */
START_TEST(image_boot_params_above_4g)
{
	struct cap_machine cm;
	struct cap_build b;
	size_t len, ilen = MiB(8) + 5;
	uint8_t *k = cap_read_kernel(&len), *initrd = initrd_of(ilen);
	const uint8_t *bp;

	cap_machine_init(&cm, false);
	cm.m.region_start = GiB(7);
	cm.m.region_end = GiB(7) + MiB(512);
	cm.m.hardware_subarch = 1;
	cap_build(&b, &cm.m, k, len, initrd, ilen, "quiet");
	check_placement(&b, &cm.m, len, ilen, MiB(2));
	check_boot_params(&b, &cm.m, k, ilen);
	bp = cap_meta_at(&b, b.img.boot_params_pa);
	ck_assert_uint_eq(cap_get32(bp + 0x0c8), 1);
	ck_assert_uint_eq(cap_get32(bp + 0x228), (uint32_t)(b.img.cmdline_pa - GiB(4)));
	ck_assert_uint_eq(cap_get32(bp + 0x0c0), 1);
	ck_assert_uint_eq(cap_get32(bp + 0x218) + GiB(4), b.img.initrd_pa);
	ck_assert_uint_eq(cap_get32(bp + 0x23c), 1);
	ck_assert_str_eq((const char *)cap_meta_at(&b, b.img.cmdline_pa),
			 "elfcorehdr=0x1c0001000 quiet");
	cap_build_free(&b);
	free(initrd);
	free(k);
}
END_TEST

START_TEST(image_cmdline_limits)
{
	struct cap_machine cm;
	struct cap_build b;
	size_t len, head = strlen("elfcorehdr=0x2b001000 ");
	uint8_t *k = cap_read_kernel(&len);
	char *cmd = malloc(8192);

	cap_machine_crashkernel(&cm, false);
	/* Exactly cmdline_size (2047) characters: accepted. */
	memset(cmd, 'x', 2047 - head);
	cmd[2047 - head] = '\0';
	cap_build(&b, &cm.m, k, len, NULL, 0, cmd);
	ck_assert_msg(b.ret == 0, "%s", b.err.msg);
	ck_assert_uint_eq(strlen((const char *)cap_meta_at(&b, b.img.cmdline_pa)), 2047);
	cap_build_free(&b);
	/* One more: -E2BIG. */
	strcat(cmd, "y");
	cap_build(&b, &cm.m, k, len, NULL, 0, cmd);
	ck_assert_int_eq(b.ret, -E2BIG);
	ck_assert_msg(strstr(b.err.msg, "command line of 2048 bytes (with \"elfcorehdr=0x2b001000\") exceeds the 2047"),
		      "message: %s", b.err.msg);
	cap_build_free(&b);
	/* A kernel claiming a huge cmdline_size is capped by our page. */
	k[0x238] = 0xff;
	k[0x239] = 0xff;
	memset(cmd, 'z', 8191);
	cmd[8191] = '\0';
	cap_build(&b, &cm.m, k, len, NULL, 0, cmd);
	ck_assert_int_eq(b.ret, -E2BIG);
	ck_assert_msg(strstr(b.err.msg, "exceeds the 4095"), "message: %s", b.err.msg);
	cap_build_free(&b);
	free(cmd);
	free(k);
}
END_TEST

START_TEST(image_trampoline_page)
{
	struct cap_machine cm;
	struct cap_build b;
	size_t len;
	uint8_t *k = cap_read_kernel(&len);
	const uint8_t *t, *p, *gate;
	uint64_t gdt, idt, handler;
	unsigned int v;
	int la57;

	for (la57 = 0; la57 < 2; la57++) {
		cap_machine_crashkernel(&cm, la57);
		cap_build(&b, &cm.m, k, len, NULL, 0, "");
		ck_assert_msg(b.ret == 0, "%s", b.err.msg);
		t = cap_meta_at(&b, b.img.tramp_pa);
		ck_assert_int_eq(memcmp(t, cm.tramp, sizeof(cm.tramp)), 0);
		/* struct lb_tramp_params at 2048. */
		p = t + LB_TRAMP_PARAMS_OFF;
		ck_assert_uint_eq(cap_get64(p + 0), b.img.pgd_pa);
		ck_assert_uint_eq(cap_get64(p + 8), la57 ? 0x1020 : 0x20);
		ck_assert_uint_eq(cap_get64(p + 32), b.img.stack_top);
		ck_assert_uint_eq(cap_get64(p + 40), b.img.boot_params_pa);
		ck_assert_uint_eq(cap_get64(p + 48), b.img.kernel_load + 0x200);
		/* GDT pseudo-descriptor: limit, then base; flat code at 0x10, data at 0x18. */
		ck_assert_uint_eq(cap_get64(p + 16) & (PAGE - 1), cap_get64(p + 16) - b.img.tramp_pa);
		gdt = cap_get64(cap_meta_at(&b, cap_get64(p + 16)) + 2);
		ck_assert_uint_ge(cap_get16(cap_meta_at(&b, cap_get64(p + 16))), 0x1f);
		ck_assert_uint_eq(cap_get64(cap_meta_at(&b, gdt + 0x10)), 0x00af9a000000ffffULL);
		ck_assert_uint_eq(cap_get64(cap_meta_at(&b, gdt + 0x18)), 0x00cf92000000ffffULL);
		ck_assert_uint_eq(cap_get64(cap_meta_at(&b, gdt)), 0);
		/* IDT: 32 interrupt gates, selector 0x10; NMI to its own stub. */
		ck_assert_uint_eq(cap_get16(cap_meta_at(&b, cap_get64(p + 24))), 32 * 16 - 1);
		idt = cap_get64(cap_meta_at(&b, cap_get64(p + 24)) + 2);
		for (v = 0; v < 32; v++) {
			gate = cap_meta_at(&b, idt + v * 16);
			handler = cap_get16(gate) | (uint64_t)cap_get16(gate + 6) << 16 |
				  (uint64_t)cap_get32(gate + 8) << 32;
			ck_assert_uint_eq(handler, b.img.tramp_pa +
					  (v == 2 ? CAP_TRAMP_NMI_OFF : CAP_TRAMP_FAULT_OFF));
			ck_assert_uint_eq(cap_get16(gate + 2), 0x10);
			ck_assert_uint_eq(gate[4], 0);
			ck_assert_uint_eq(gate[5], 0x8e);
			ck_assert_uint_eq(cap_get32(gate + 12), 0);
		}
		/* The tables lie in the trampoline page, in the immutable head. */
		ck_assert_uint_eq(gdt & ~(PAGE - 1), b.img.tramp_pa);
		ck_assert_uint_eq(idt & ~(PAGE - 1), b.img.tramp_pa);
		cap_build_free(&b);
	}
	free(k);
}
END_TEST

START_TEST(image_bad_trampoline)
{
	struct cap_machine cm;
	struct cap_build b;
	size_t len;
	uint8_t *k = cap_read_kernel(&len);
	int i;

	for (i = 0; i < 7; i++) {
		cap_machine_crashkernel(&cm, false);
		switch (i) {
		case 0: cm.m.tramp_len = 2049; break;
		case 1: cm.m.tramp_len = 0; break;
		case 2: cm.m.tramp_nmi_off = cm.m.tramp_len; break;
		case 3: cm.m.tramp_fault_off = 4096; break;
		case 4: cm.m.tramp_va += 8; break;		/* not page aligned */
		case 5: cm.m.tramp_va = 0x7fffc0000000ULL; break;	/* user half */
		case 6: cm.m.tramp_va = 0xff00000000001000ULL; break;	/* 5-level only */
		}
		cap_build(&b, &cm.m, k, len, NULL, 0, "");
		ck_assert_msg(b.ret == -EINVAL, "case %d: %d %s", i, b.ret, b.err.msg);
		ck_assert_msg(strstr(b.err.msg, "trampoline"), "case %d: %s", i, b.err.msg);
		cap_build_free(&b);
	}
	/* 0xff00000000001000 is in the kernel half of 5-level paging. */
	cap_machine_crashkernel(&cm, true);
	cm.m.tramp_va = 0xff00000000001000ULL;
	cap_build(&b, &cm.m, k, len, NULL, 0, "");
	ck_assert_msg(b.ret == 0, "%s", b.err.msg);
	cap_build_free(&b);
	free(k);
}
END_TEST

START_TEST(image_bad_machine)
{
	struct cap_machine cm;
	struct cap_build b;
	size_t len;
	uint8_t *k = cap_read_kernel(&len);
	int i;

	for (i = 0; i < 6; i++) {
		cap_machine_crashkernel(&cm, false);
		switch (i) {
		case 0: cm.m.nr_cpus = 0; break;
		case 1: cm.m.nr_cpus = 8193; break;
		case 2: cm.m.nr_ranges = 0; break;
		case 3: cm.ranges[2].start = 0x9f000; break;		/* overlap */
		case 4: cm.ranges[1].end = cm.ranges[1].start; break;	/* empty */
		case 5: cm.ranges[4].end = 1ULL << 53; break;		/* absurd */
		}
		ck_assert_uint_eq(lb_image_meta_size(&cm.m), 0);
		cap_build(&b, &cm.m, k, len, NULL, 0, "");
		ck_assert_msg(b.ret == -EINVAL, "case %d: %d %s", i, b.ret, b.err.msg);
		cap_build_free(&b);
	}
	ck_assert_uint_eq(lb_image_meta_size(NULL), 0);
	free(k);
}
END_TEST

START_TEST(image_meta_size_is_machine_only)
{
	struct cap_machine cm;
	uint64_t a, c;

	cap_machine_crashkernel(&cm, false);
	a = lb_image_meta_size(&cm.m);
	ck_assert_uint_gt(a, 0);
	ck_assert_uint_eq(a % PAGE, 0);
	/* More CPUs, more notes (and phdrs). */
	cm.m.nr_cpus = 64;
	c = lb_image_meta_size(&cm.m);
	ck_assert_uint_ge(c, a + 60 * 368 - PAGE);
	/* A 1 TiB machine needs more table pages. */
	cap_machine_crashkernel(&cm, false);
	cap_machine_add(&cm, 0x10000000000ULL, 0x20000000000ULL, LB_MEM_RAM);
	c = lb_image_meta_size(&cm.m);
	ck_assert_uint_ge(c, a + 1024 * PAGE);
}
END_TEST

static Suite *capture_image_suite(void)
{
	Suite *s = suite_create("capture_image");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, image_crashkernel_placement);
	tcase_add_test(tc, image_memmap_at_512m);
	tcase_add_test(tc, image_low_region_kernel_at_16m);
	tcase_add_test(tc, image_honours_large_kernel_alignment);
	tcase_add_test(tc, image_region_too_small);
	tcase_add_test(tc, image_bad_region);
	tcase_add_test(tc, image_meta_buffer_too_small);
	tcase_add_test(tc, image_boot_params_fields);
	tcase_add_test(tc, image_boot_params_above_4g);
	tcase_add_test(tc, image_cmdline_limits);
	tcase_add_test(tc, image_trampoline_page);
	tcase_add_test(tc, image_bad_trampoline);
	tcase_add_test(tc, image_bad_machine);
	tcase_add_test(tc, image_meta_size_is_machine_only);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(capture_image_suite)
