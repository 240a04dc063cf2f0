// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the input is the running kernel's VMCOREINFO note as
 * the module would hand it to lb_image_build() (a fixed small bzImage, a
 * fixed machine). When the note is accepted, the copy must match it and
 * CRASHTIME must append within the copy; lb_vmcoreinfo_add_crashtime() is
 * also run on the raw input with its exact size as the capacity.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lifeboat/image.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define MIB(x) ((lb_u64)(x) << 20)

static const struct lb_mem_range ranges[] = {
	{ 0, 0x9fc00, LB_MEM_RAM },
	{ 0xf0000, 0x100000, LB_MEM_RESERVED },
	{ 0x100000, 0x7ffd0000, LB_MEM_RAM },
	{ 0x7ffd0000, 0x80000000, LB_MEM_ACPI },
};

static void check(int cond)
{
	if (!cond)
		abort();
}

static void put32(lb_u8 *p, lb_u32 v)
{
	memcpy(p, &v, 4);
}

/* A minimal bzImage: header, setup_sects 7, 8 KiB of code, init_size 16 MiB. */
static const lb_u8 *fake_kernel(size_t *len)
{
	static lb_u8 k[0x3000];

	if (!k[0x1f1]) {
		k[0x1f1] = 7;
		k[0x1fe] = 0x55;
		k[0x1ff] = 0xaa;
		k[0x200] = 0xeb;
		k[0x201] = 0x6a;
		memcpy(k + 0x202, "HdrS", 4);
		k[0x206] = 0x0f;
		k[0x207] = 0x02;
		k[0x211] = 0x01;
		put32(k + 0x230, 0x200000);
		k[0x234] = 1;
		k[0x236] = 0x7f;
		put32(k + 0x238, 0x7ff);
		put32(k + 0x260, 0x1000000);
	}
	*len = sizeof(k);
	return k;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const lb_u8 tramp[64] = { 0xf4 };
	struct lb_machine m = {
		.ranges = ranges,
		.nr_ranges = LB_ARRAY_SIZE(ranges),
		.region_start = MIB(512),
		.region_end = MIB(768),
		.page_offset = 0xffff888000000000ULL,
		.nr_cpus = 2,
		.tramp_code = tramp,
		.tramp_len = sizeof(tramp),
		.tramp_va = 0xffffffffc0000000ULL,
		.tramp_nmi_off = 1,
		.tramp_fault_off = 2,
		.vmcoreinfo = size ? data : NULL,
		.vmcoreinfo_len = size,
	};
	struct lb_image_input in = { .cmdline = "" };
	struct lb_image img;
	struct lb_err err;
	lb_u64 len = lb_image_meta_size(&m), seconds = 1;
	lb_u32 descsz;
	lb_u8 *meta, *copy;
	size_t i, klen;
	int ret;

	for (i = 0; i < size && i < 8; i++)
		seconds = seconds * 251 + data[i];
	in.kernel = fake_kernel(&klen);
	in.kernel_len = klen;
	meta = malloc(len ? len : 1);
	check(!!meta);
	ret = lb_image_build(&m, &in, &img, meta, len, &err);
	if (ret) {
		check(ret == -EINVAL && len == 0);
	} else {
		check(len > 0);
		memcpy(&descsz, data + 4, 4);
		check(memcmp(meta + img.vmcoreinfo_off, data, 24 + (size_t)descsz) == 0);
		ret = lb_vmcoreinfo_add_crashtime(meta + img.vmcoreinfo_off,
						  LB_VMCOREINFO_BUF_SIZE, seconds);
		check(ret == 0 || ret == -ENOSPC);
	}
	free(meta);

	/* The panic-time helper on the raw bytes, bounded by their size. */
	copy = malloc(size ? size : 1);
	check(!!copy);
	memcpy(copy, data, size);
	ret = lb_vmcoreinfo_add_crashtime(copy, size, seconds);
	check(ret == 0 || ret == -ENOSPC || ret == -EINVAL);
	if (ret)
		check(memcmp(copy, data, size) == 0);
	free(copy);
	return 0;
}
