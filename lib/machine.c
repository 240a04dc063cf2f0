// SPDX-License-Identifier: GPL-2.0
/*
 * The image builder's view of this machine, for the estimate: the builder
 * (builder/lib, linked in) reads the capture kernel's header, sizes
 * the metadata block and decides whether a region is big enough, exactly
 * as `lifeboat load` will in the module. Nothing here parses a kernel
 * image itself.
 *
 * The builder checks the trampoline and the VMCOREINFO note of the machine
 * it is given, but neither changes a size or a placement: userspace hands
 * it stand-ins (the module passes the real ones at load time).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dumptools.h"
#include "internal.h"	/* lb_kernel_parse(): the builder's loaders */
#include "reserve.h"

/* A page in the kernel half, as the builder demands of a trampoline. */
#define STANDIN_TRAMP_VA 0xffffffffc0000000ULL

static const uint8_t standin_tramp[16] = { 0xf4 };	/* hlt */

/* {namesz 11, descsz 16, type 0}, "VMCOREINFO" padded to 12, 16 bytes of text. */
static const uint8_t standin_vmcoreinfo[12 + 12 + 16 + 12] = {
	11, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0,
	'V', 'M', 'C', 'O', 'R', 'E', 'I', 'N', 'F', 'O', 0, 0,
	'P', 'A', 'G', 'E', 'S', 'I', 'Z', 'E', '=', '4', '0', '9', '6', '\n', 0, 0,
};

void lb_reserve_machine(struct lb_machine *m, const struct lb_mem_range *ranges, unsigned int nr,
			unsigned int nr_cpus, bool la57, uint64_t region_start, uint64_t region_end)
{
	memset(m, 0, sizeof(*m));
	m->ranges = ranges;
	m->nr_ranges = nr;
	m->region_start = region_start;
	m->region_end = region_end;
	m->page_offset = 0xffff888000000000ULL;
	m->la57 = la57;
	m->nr_cpus = nr_cpus;
	m->tramp_code = standin_tramp;
	m->tramp_len = sizeof(standin_tramp);
	m->tramp_va = STANDIN_TRAMP_VA;
	m->tramp_nmi_off = 0;
	m->tramp_fault_off = 0;
	m->vmcoreinfo = standin_vmcoreinfo;
	m->vmcoreinfo_len = sizeof(standin_vmcoreinfo);
}

int lb_reserve_pick_region(const struct lb_mem_range *ranges, unsigned int nr, uint64_t size,
			   uint64_t *start)
{
	const uint64_t align = 16 * LB_MIB_BYTES, low_max = 1ULL << 32;
	uint64_t best = 0, s, top;
	unsigned int i;

	/* Top-down in RAM, 16 MiB aligned, below 4 GiB first: where the
	 * kernel looks for crashkernel=SIZE (reserve_crashkernel()). */
	for (i = 0; i < nr; i++) {
		if (ranges[i].type != LB_MEM_RAM || ranges[i].end - ranges[i].start < size)
			continue;
		top = ranges[i].end < low_max ? ranges[i].end : low_max;
		if (top < size)
			continue;
		s = (top - size) & ~(align - 1);
		if (s >= ranges[i].start && s + size <= top && s > best)
			best = s;
	}
	for (i = 0; !best && i < nr; i++) {
		if (ranges[i].type != LB_MEM_RAM || ranges[i].end - ranges[i].start < size)
			continue;
		s = (ranges[i].end - size) & ~(align - 1);
		if (s >= ranges[i].start && s >= LB_MIB_BYTES)
			best = s;
	}
	if (!best)
		return -ENOSPC;
	*start = best;
	return 0;
}

int lb_reserve_kernel(const void *kernel, size_t len, bool la57, struct lb_reserve_kernel *ret,
		      struct lb_err *err)
{
	struct lb_machine m;
	struct lb_kernel k;
	int r;

	/* The loaders look at the machine only for the paging depth. */
	memset(&m, 0, sizeof(m));
	m.la57 = la57;
	r = lb_kernel_parse(kernel, len, &m, &k, &ret->loader, err);
	if (r)
		return r;
	ret->init_size = k.init_size;
	ret->kernel_alignment = k.kernel_alignment;
	ret->release[0] = '\0';
	if (k.release_off) {
		/* In the setup part: the file itself, or an unpacked kernel's copy of it. */
		const char *rel = (const char *)k.file + k.release_off;
		size_t n = 0, max = k.file_len - k.release_off;

		while (n < max && rel[n] && rel[n] != ' ')
			n++;
		lb_copy_printable(ret->release, sizeof(ret->release), rel, n);
	}
	return 0;
}

int lb_reserve_load_check(const struct lb_machine *m, const void *kernel, size_t kernel_len,
			  const void *initrd, size_t initrd_len, struct lb_image *img,
			  struct lb_err *err)
{
	struct lb_image_input in = {
		.kernel = kernel,
		.kernel_len = kernel_len,
		.initrd = initrd,
		.initrd_len = initrd_len,
		.cmdline = "",
	};
	uint64_t size = lb_image_meta_size(m);
	void *meta;
	int r;

	meta = malloc(size ? size : 1);
	if (!meta)
		return lb_err_set(err, ENOMEM, "out of memory for a %llu-byte metadata block",
				  (unsigned long long)size);
	r = lb_image_build(m, &in, img, meta, size, err);
	free(meta);
	return r;
}
