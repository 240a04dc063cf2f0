// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the input is the kernel image handed to
 * lb_image_build() on a fixed, sane machine (4- and 5-level paging, and
 * 0 to 3 extra ranges of a run-time region, by the input's length). It must
 * never crash, hang or touch memory outside its buffers; when the build
 * succeeds, the placement rules are checked and a violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lifeboat/image.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define MIB(x) ((lb_u64)(x) << 20)

static const struct lb_mem_range ranges[] = {
	{ 0, 0x9fc00, LB_MEM_RAM },
	{ 0x9fc00, 0xa0000, LB_MEM_RESERVED },
	{ 0xf0000, 0x100000, LB_MEM_RESERVED },
	{ 0x100000, 0xbffd0000, LB_MEM_RAM },
	{ 0xbffd0000, 0xbffe0000, LB_MEM_ACPI },
	{ 0xbffe0000, 0xc0000000, LB_MEM_NVS },
	{ 0xfffc0000, 0x100000000, LB_MEM_RESERVED },
	{ 0x100000000, 0x140000000, LB_MEM_RAM },
};

/* Extra ranges of a run-time region, outside the region; size % 4 of them. */
static const struct lb_mem_range extras[] = {
	{ MIB(64), MIB(96), LB_MEM_RAM },
	{ MIB(2600), MIB(2632), LB_MEM_RAM },
	{ 0x100000000, 0x104000000, LB_MEM_RAM },
};

static const char vmcoreinfo_text[] =
	"OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\nNUMBER(phys_base)=0\n";

static void check(int cond)
{
	if (!cond)
		abort();
}

static void build(const lb_u8 *data, size_t size, int la57, const lb_u8 *note,
		  lb_u64 note_len)
{
	static const lb_u8 tramp[128] = { 0xfa, 0xf4 };
	static const lb_u8 initrd[5000];
	struct lb_machine m = {
		.ranges = ranges,
		.nr_ranges = LB_ARRAY_SIZE(ranges),
		/* crashkernel=1536M@1G */
		.region_start = MIB(1024),
		.region_end = MIB(2560),
		.extra = extras,
		.nr_extra = size % 4,
		.page_offset = 0xffff888000000000ULL,
		.la57 = la57,
		.nr_cpus = 3,
		.acpi_rsdp = 0xf5a60,
		.tramp_code = tramp,
		.tramp_len = sizeof(tramp),
		.tramp_va = 0xffffffffc0000000ULL,
		.tramp_nmi_off = 0x10,
		.tramp_fault_off = 0x20,
		.vmcoreinfo = note,
		.vmcoreinfo_len = note_len,
	};
	struct lb_image_input in = {
		.kernel = data,
		.kernel_len = size,
		.initrd = initrd,
		.initrd_len = sizeof(initrd),
		.cmdline = "console=ttyS0",
	};
	struct lb_image img;
	struct lb_err err;
	lb_u64 len = lb_image_meta_size(&m), extra_len = 0;
	unsigned int i;
	lb_u8 *meta;
	int ret;

	for (i = 0; i < m.nr_extra; i++)
		extra_len += extras[i].end - extras[i].start;

	check(len > 0);
	meta = malloc(len);
	check(!!meta);
	ret = lb_image_build(&m, &in, &img, meta, len, &err);
	if (ret) {
		check(ret == -ENOEXEC || ret == -ENOSPC || ret == -E2BIG);
		check(!!memchr(err.msg, '\0', sizeof(err.msg)));
	} else {
		check(img.kernel_load >= MIB(16) && img.kernel_load % MIB(2) == 0);
		check(img.kernel_load >= img.meta_pa + img.meta_len);
		check(img.kernel_load + img.kernel_memsz <= img.initrd_pa);
		check(img.initrd_pa + sizeof(initrd) <= m.region_end);
		check(img.seg[LB_SEG_KERNEL].len <= img.kernel_memsz);
		check((const lb_u8 *)img.seg[LB_SEG_KERNEL].src >= data);
		check((const lb_u8 *)img.seg[LB_SEG_KERNEL].src +
		      img.seg[LB_SEG_KERNEL].len == data + size);
		check(img.entry == img.kernel_load + 0x200);
		check(meta[img.boot_params_pa - img.meta_pa + 0x1ef] == 0);
		check(meta[img.boot_params_pa - img.meta_pa + 0x1e8] <= 128);
		check(!!memchr(meta + (img.cmdline_pa - img.meta_pa), '\0', 4096));
		check(img.free_ram >= lb_min_runtime(img.kernel_memsz));
		check(img.free_ram == m.region_end - img.meta_pa - img.meta_len -
		      img.kernel_memsz - (m.region_end - img.initrd_pa) + extra_len);
	}
	free(meta);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static lb_u8 note[24 + sizeof(vmcoreinfo_text) + 12];
	lb_u32 descsz = sizeof(vmcoreinfo_text) - 1;

	note[0] = 11;
	memcpy(note + 4, &descsz, 4);
	memcpy(note + 12, "VMCOREINFO", 11);
	memcpy(note + 24, vmcoreinfo_text, descsz);
	build(data, size, 0, note, sizeof(note));
	build(data, size, 1, note, sizeof(note));
	return 0;
}
