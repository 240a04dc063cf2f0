// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for builder/lib/boot.c: the fast reboot's memory map
 * comes from the caller (a saved map, in a capture kernel), and its
 * kernel from any file. The input is a count byte, that many map entries
 * of 7 bytes (start in MiB, 24 bits; length in 64 KiB units, 16 bits; a
 * type byte; a byte of sub-page offset), an initrd length byte (MiB), then
 * the kernel's bytes. When the plan succeeds, the window must lie in one
 * RAM entry at or above 16 MiB, and a control block placed on the first
 * usable page above the window must build, with its tables inside it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lifeboat/boot.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define MAX_MAP 160

static const lb_u32 types[] = {
	LB_MEM_RAM, LB_MEM_RESERVED, LB_MEM_ACPI, LB_MEM_NVS, LB_MEM_UNUSABLE,
	LB_MEM_PMEM, LB_MEM_RAM, 20,
};

static void check(int cond)
{
	if (!cond)
		abort();
}

static const lb_u8 tramp[64] = { 0x90 };

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct lb_mem_range map[MAX_MAP];
	struct lb_boot_input in = { 0 };
	struct lb_boot_plan p;
	struct lb_err err;
	unsigned int n, i, j;
	lb_u64 pa, start, len;
	lb_u8 *ctl;

	if (size < 2)
		return 0;
	n = data[0] % MAX_MAP;
	data++;
	size--;
	if (size < (size_t)n * 7 + 1)
		return 0;
	for (i = 0; i < n; i++, data += 7) {
		start = ((lb_u64)data[0] | (lb_u64)data[1] << 8 |
			 (lb_u64)data[2] << 16) << 20;
		len = ((lb_u64)data[3] | (lb_u64)data[4] << 8) << 16;
		map[i].start = start + data[6] * 16ULL;
		map[i].end = start + len;
		map[i].type = types[data[5] % (sizeof(types) / sizeof(types[0]))];
	}
	size -= (size_t)n * 7;
	in.initrd_len = (lb_u64)data[0] << 20;
	data++;
	size--;
	in.map = map;
	in.nr_map = n;
	in.kernel = data;
	in.kernel_len = size;
	in.cmdline = "console=ttyS0";
	in.tramp_code = tramp;
	in.tramp_len = sizeof(tramp);
	in.tramp_va = 0xffffffffc0a3d000ULL;
	in.tramp_nmi_off = 0x10;
	in.tramp_fault_off = 0x20;
	if (lb_boot_plan(&in, &p, &err))
		return 0;

	check(p.window_start >= LB_SZ_16M && p.window_start < p.window_end);
	for (i = 0; i < n; i++)
		if (map[i].type == LB_MEM_RAM && map[i].start <= p.window_start &&
		    p.window_end <= map[i].end)
			break;
	check(i < n);
	check(p.kernel_load + p.kernel_memsz <= p.window_end);

	/* The first page-aligned spot in a mapped entry that the block may use. */
	for (j = 0; j < n; j++) {
		pa = LB_ALIGN_UP(lb_max(map[j].start, LB_SZ_1M), LB_PAGE_SIZE);
		if (pa < p.window_end && map[j].end > p.window_end)
			pa = p.window_end;
		if (lb_boot_page_ok(&in, &p, pa, p.ctl_len) &&
		    lb_boot_page_ok(&in, &p, pa + p.ctl_len, LB_PAGE_SIZE))
			break;
	}
	if (j == n)
		return 0;
	ctl = malloc(p.ctl_len);
	check(ctl != NULL);
	check(lb_boot_build(&in, &p, pa, pa + p.ctl_len, ctl, &err) == 0);
	check(lb_get64(ctl + p.tramp_off + LB_TRAMP_PARAMS_OFF + LB_TRAMP_P_LIST) ==
	      pa + p.ctl_len);
	free(ctl);
	return 0;
}
