// SPDX-License-Identifier: GPL-2.0
/*
 * Fixtures shared by the image builder tests: see data/capture_fixture.h.
 * Nothing here uses the builder's internals, so the checks made with these
 * helpers are independent of the code under test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/capture_fixture.h"
#include "unit.h"

uint16_t cap_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t cap_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint64_t cap_get64(const uint8_t *p)
{
	return (uint64_t)cap_get32(p) | (uint64_t)cap_get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void cap_machine_add(struct cap_machine *cm, uint64_t start, uint64_t end,
		     uint32_t type)
{
	ck_assert_uint_lt(cm->m.nr_ranges, CAP_MAX_RANGES);
	cm->ranges[cm->m.nr_ranges].start = start;
	cm->ranges[cm->m.nr_ranges].end = end;
	cm->ranges[cm->m.nr_ranges].type = type;
	cm->m.nr_ranges++;
}

static void machine_common(struct cap_machine *cm, bool la57)
{
	static const char text[] = CAP_VMCOREINFO_TEXT;
	uint32_t descsz = (uint32_t)strlen(text);
	unsigned int i;

	memset(cm, 0, sizeof(*cm));
	cm->m.ranges = cm->ranges;
	cm->m.page_offset = CAP_PAGE_OFFSET;
	cm->m.la57 = la57;
	cm->m.nr_cpus = 4;
	cm->m.acpi_rsdp = CAP_ACPI_RSDP;
	cm->m.hardware_subarch = 0;
	for (i = 0; i < sizeof(cm->tramp); i++)
		cm->tramp[i] = (uint8_t)(0xc0 + i);
	cm->m.tramp_code = cm->tramp;
	cm->m.tramp_len = sizeof(cm->tramp);
	cm->m.tramp_va = CAP_TRAMP_VA;
	cm->m.tramp_nmi_off = CAP_TRAMP_NMI_OFF;
	cm->m.tramp_fault_off = CAP_TRAMP_FAULT_OFF;
	/* {namesz 11, descsz, type 0}, "VMCOREINFO" padded to 12, text. */
	put32(cm->vmcoreinfo, 11);
	put32(cm->vmcoreinfo + 4, descsz);
	put32(cm->vmcoreinfo + 8, 0);
	memcpy(cm->vmcoreinfo + 12, "VMCOREINFO", 11);
	memcpy(cm->vmcoreinfo + 24, text, descsz);
	cm->m.vmcoreinfo = cm->vmcoreinfo;
	cm->m.vmcoreinfo_len = 24 + ((descsz + 3) & ~3u) + 12;
}

/* The low part every map shares: BIOS areas, RAM, ACPI, NVS, MMIO. */
static void machine_low(struct cap_machine *cm)
{
	cap_machine_add(cm, 0, 0x9fc00, LB_MEM_RAM);
	cap_machine_add(cm, 0x9fc00, 0xa0000, LB_MEM_RESERVED);
	cap_machine_add(cm, 0xf0000, 0x100000, LB_MEM_RESERVED);
}

static void machine_high(struct cap_machine *cm)
{
	cap_machine_add(cm, 0x7ffd0000, 0x7ffe0000, LB_MEM_ACPI);
	cap_machine_add(cm, 0x7ffe0000, 0x7fff0000, LB_MEM_NVS);
	cap_machine_add(cm, 0x7fff0000, 0x80000000, LB_MEM_RESERVED);
	cap_machine_add(cm, 0xb0000000, 0xc0000000, LB_MEM_RESERVED);
	cap_machine_add(cm, 0xfed1c000, 0xfed20000, LB_MEM_RESERVED);
	cap_machine_add(cm, 0xfffc0000, 0x100000000, LB_MEM_RESERVED);
	cap_machine_add(cm, GiB(4), GiB(8), LB_MEM_RAM);
	cap_machine_add(cm, 0xfd00000000, 0x10000000000, LB_MEM_RESERVED);
}

void cap_machine_init(struct cap_machine *cm, bool la57)
{
	machine_common(cm, la57);
	machine_low(cm);
	cap_machine_add(cm, MiB(1), 0x7ffd0000, LB_MEM_RAM);
	machine_high(cm);
}

void cap_machine_crashkernel(struct cap_machine *cm, bool la57)
{
	cap_machine_init(cm, la57);
	cm->m.region_start = MiB(688);
	cm->m.region_end = MiB(944);
}

void cap_machine_memmap(struct cap_machine *cm, bool la57)
{
	machine_common(cm, la57);
	machine_low(cm);
	cap_machine_add(cm, MiB(1), MiB(512), LB_MEM_RAM);
	cap_machine_add(cm, MiB(512), MiB(768), LB_MEM_RESERVED);
	cap_machine_add(cm, MiB(768), 0x7ffd0000, LB_MEM_RAM);
	machine_high(cm);
	cm->m.region_start = MiB(512);
	cm->m.region_end = MiB(768);
}

uint8_t *cap_read_kernel(size_t *len)
{
	const char *path = unit_kernel_image();
	struct stat st;
	uint8_t *buf;
	FILE *f;

	ck_assert_msg(path && *path,
		      "LIFEBOAT_KVMLINUZ is not set: the bzImage tests need the real guest kernel "
		      "(e.g. /var/cache/lifeboat/kernel-6.1.0-56-amd64/boot/vmlinuz-6.1.0-56-amd64)");
	f = fopen(path, "rb");
	ck_assert_msg(f, "cannot open LIFEBOAT_KVMLINUZ '%s'", path);
	ck_assert_int_eq(fstat(fileno(f), &st), 0);
	ck_assert_msg(st.st_size > 0x10000, "'%s' is too small to be the guest kernel", path);
	buf = malloc((size_t)st.st_size);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*len = (size_t)st.st_size;
	return buf;
}

uint8_t *cap_fake_bzimage(size_t len, uint32_t init_size)
{
	uint8_t *k = calloc(1, len);

	ck_assert_ptr_nonnull(k);
	ck_assert_uint_ge(len, 0x1400);
	k[0x1f1] = 7;				/* setup_sects: code at 0x1000 */
	k[0x1fe] = 0x55;
	k[0x1ff] = 0xaa;
	k[0x200] = 0xeb;
	k[0x201] = 0x6a;			/* header ends at 0x26c */
	memcpy(k + 0x202, "HdrS", 4);
	k[0x206] = 0x0f;
	k[0x207] = 0x02;			/* 2.15 */
	k[0x211] = 0x01;			/* LOADED_HIGH */
	put32(k + 0x230, 0x200000);		/* kernel_alignment */
	k[0x234] = 1;				/* relocatable */
	k[0x235] = 21;
	k[0x236] = 0x7f;			/* xloadflags */
	put32(k + 0x238, 0x7ff);		/* cmdline_size */
	put32(k + 0x260, init_size);
	memset(k + 0x1000, 0x90, len - 0x1000);
	return k;
}

void cap_build(struct cap_build *b, const struct lb_machine *m,
	       const void *kernel, size_t kernel_len, const void *initrd,
	       size_t initrd_len, const char *cmdline)
{
	struct lb_image_input in = {
		.kernel = kernel,
		.kernel_len = kernel_len,
		.initrd = initrd,
		.initrd_len = initrd_len,
		.cmdline = cmdline,
	};

	memset(b, 0, sizeof(*b));
	b->meta_len = lb_image_meta_size(m);
	/* A buffer of exactly the size asked for, so ASan sees overruns. */
	b->meta = malloc(b->meta_len ? b->meta_len : 1);
	ck_assert_ptr_nonnull(b->meta);
	memset(b->meta, 0xa5, b->meta_len);
	b->ret = lb_image_build(m, &in, &b->img, b->meta, b->meta_len, &b->err);
}

void cap_build_free(struct cap_build *b)
{
	free(b->meta);
	b->meta = NULL;
}

void cap_build_fake(struct cap_build *b, const struct lb_machine *m)
{
	uint8_t *k = cap_fake_bzimage(0x3000, (uint32_t)MiB(16));

	cap_build(b, m, k, 0x3000, NULL, 0, "");
	free(k);
}

void cap_build_fake_ok(struct cap_build *b, const struct lb_machine *m)
{
	cap_build_fake(b, m);
	ck_assert_msg(b->ret == 0, "build failed: %d %s", b->ret, b->err.msg);
}

uint8_t *cap_meta_at(const struct cap_build *b, uint64_t pa)
{
	ck_assert_uint_ge(pa, b->img.meta_pa);
	ck_assert_uint_lt(pa, b->img.meta_pa + b->meta_len);
	return b->meta + (pa - b->img.meta_pa);
}

bool cap_translate(const struct cap_build *b, bool la57, uint64_t va,
		   uint64_t *pa, uint64_t *flags, unsigned int *page_shift)
{
	const uint64_t addr_mask = 0x000ffffffffff000ULL;
	unsigned int shift = la57 ? 48 : 39, bits = la57 ? 57 : 48;
	uint64_t table = b->img.pgd_pa, e;
	int64_t sext = (int64_t)(va << (64 - bits)) >> (64 - bits);

	/* A non-canonical address faults before any table is read. */
	if ((uint64_t)sext != va)
		return false;
	for (;;) {
		/*
		 * Every table the walk reads must be in the immutable head.
		 * (Plain tests, not ck_assert: this runs millions of times and
		 * each passing ck_assert costs a pipe write in fork mode.)
		 */
		if (table < b->img.meta_pa || table >= b->img.meta_pa + b->img.meta_fixed_len)
			ck_abort_msg("table at 0x%llx outside the immutable head",
				     (unsigned long long)table);
		e = cap_get64(b->meta + (table - b->img.meta_pa) + ((va >> shift) & 511) * 8);
		if (!(e & 1))
			return false;
		if (shift == 12 || (shift <= 30 && (e & 0x80))) {
			uint64_t size = 1ULL << shift;

			*pa = (e & addr_mask & ~(size - 1)) | (va & (size - 1));
			*flags = e & ~addr_mask;
			*page_shift = shift;
			return true;
		}
		if (e & 0x80)
			ck_abort_msg("PS bit set at a level above 1 GiB");
		table = e & addr_mask;
		shift -= 9;
	}
}

unsigned int cap_read_e820(const struct cap_build *b, struct cap_ival *out)
{
	const uint8_t *bp = cap_meta_at(b, b->img.boot_params_pa);
	unsigned int i, nr = bp[0x1e8];

	for (i = 0; i < nr; i++) {
		const uint8_t *e = bp + 0x2d0 + 20 * i;

		out[i].start = cap_get64(e);
		out[i].end = out[i].start + cap_get64(e + 8);
		out[i].type = cap_get32(e + 16);
	}
	return nr;
}

void cap_check_e820_exact(const struct cap_ival *got, unsigned int nr,
			  const struct cap_ival *want, unsigned int nr_want)
{
	unsigned int i;

	ck_assert_uint_eq(nr, nr_want);
	for (i = 0; i < nr; i++)
		ck_assert_msg(got[i].start == want[i].start && got[i].end == want[i].end &&
			      got[i].type == want[i].type,
			      "entry %u: [0x%llx, 0x%llx) %u, want [0x%llx, 0x%llx) %u", i,
			      (unsigned long long)got[i].start, (unsigned long long)got[i].end,
			      got[i].type, (unsigned long long)want[i].start,
			      (unsigned long long)want[i].end, want[i].type);
}

uint64_t cap_rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}
