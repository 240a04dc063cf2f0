// SPDX-License-Identifier: GPL-2.0
/*
 * How big the reserved region must be: the arithmetic of `lifeboat
 * estimate`, from facts the caller measured (the builder's metadata size
 * and the kernel's header, the initramfs unpacked, this machine's RAM and
 * CPUs). Every part is listed so the output can show its breakdown.
 *
 * The region holds, from its start (builder/include/lifeboat/image.h):
 * the metadata block, the kernel at its aligned load address with its room
 * (init_size for a bzImage, which its decompressor needs; memsz unpacked),
 * free RAM, and the initramfs at the top. Once the kernel runs it keeps
 * only _text to _end, which is what the kernel term counts. The capture
 * kernel's free RAM must then hold the unpacked initramfs (its tmpfs root), the
 * decompressor while it unpacks, the memmap of its own memory, the copy of
 * the ELF notes, makedumpfile's bitmaps and everything else it does at run
 * time, which is what the calibrated allowance below covers.
 *
 * With final_action = fast-reboot the initramfs also carries the production
 * kernel and its initramfs: the initrd and rootfs terms count them, packed
 * and unpacked, as the caller measured the image. After the dump, the
 * module copies them once more into pages of its own (the files are mapped
 * from the tmpfs, not read): that copy is the fast_return term. At that
 * point the packed image is long freed, but the estimate does not count on
 * it, as it never does.
 */
#include <string.h>

#include "reserve.h"

#define MIB LB_MIB_BYTES
#define PAGE 4096ULL

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) / a * a;
}

/*
 * The capture kernel at run time, beyond what the other terms count: its
 * slab, page tables, per-CPU areas, stacks, the sparse memory sections'
 * roots, the printk buffer, the block layer, the disk and ext4 modules, and
 * userspace (busybox, makedumpfile) once the initramfs is unpacked, with
 * the command line `lifeboat start` gives (nr_cpus=1, no memory cgroup, no
 * tracefs). The kernel term is the kernel's own run-time size (_text to
 * _end, as the unpacked loader lays it out), not init_size.
 *
 * Calibrated under QEMU (TCG) with tests/vm/calibrate_reserve.py, which
 * bisects crashkernel= over Lifeboat's own chain (lifeboat_chain.run):
 * a 1 GiB, 2-CPU guest, the stock Debian 6.1.0-57 kernel as both kernels,
 * loaded unpacked (52.19 MiB to _end), the test bed's capture initramfs
 * (busybox, makedumpfile and the virtio/ext4 modules: 3.3 MiB gzip, 8.6
 * MiB in the tmpfs), sysrq-c, makedumpfile -l -d 31 to a virtio disk.
 * Measured (1 run per size): 96M, 92M, 90M and 88M captured; 84M and 80M
 * did not (the capture kernel ran out of memory while it unpacked its
 * initramfs, before its /init). The 88M region sat in one memory section
 * besides the first; every other term comes to 70.2 MiB there (metadata
 * and alignment 2, kernel 52.19, initrd 3.33, tmpfs 8.62, memmap 4,
 * bitmaps and window 0.1), leaving 17.8 MiB for the run time at 88M and
 * 13.8 MiB at 84M: the allowance is the former, rounded up to 18 MiB.
 * Without the tracefs initcall, 6.1 needs 8.3 MiB more (92M ran out).
 */
const uint64_t lb_estimate_runtime = 18 * MIB;

/*
 * The same for a kernel built for capture (an image of LB_SMALL_KERNEL or
 * less: Lifeboat's own, capture-kernel/), calibrated the same way with it
 * loaded unpacked (14.1 MiB to _end) and the same initramfs: 48M and 40M
 * captured, 36M ran out of memory. At 40M the other terms come to 32.2 MiB
 * (metadata and alignment 2, kernel 14.1, initrd 3.33, tmpfs 8.62, memmap
 * 4, bitmaps 0.1), leaving 7.8 MiB: the allowance is 8 MiB.
 */
const uint64_t lb_estimate_runtime_small = 8 * MIB;

/* The margin on top: a tenth of the rest, at least 8 MiB, rounded up to 4 MiB. */
static uint64_t margin(uint64_t need)
{
	uint64_t m = need / 10;

	return m < 8 * MIB ? 8 * MIB : m;
}

/* 64-byte struct page per 4 KiB page, allocated per 128 MiB memory section
 * (SPARSEMEM_VMEMMAP: sparse_init_nid() maps a whole section's memmap,
 * section_map_size() = 2 MiB, however little of the section is RAM). */
#define SECTION_SIZE (128 * MIB)
#define SECTION_MEMMAP (2 * MIB)

/* Sections holding the capture kernel's RAM: the region after its
 * metadata block, and the first MiB the capture kernel also gets. */
static unsigned int sections(uint64_t start, uint64_t size, uint64_t meta)
{
	uint64_t first, last;
	unsigned int n;

	if (!start) {
		/* Unknown start: a crashkernel= region is 16 MiB aligned and can
		 * straddle one section boundary more than its size needs. */
		n = (unsigned int)(align_up(size, SECTION_SIZE) / SECTION_SIZE) + 1;
		return n + 1;
	}
	first = (start + meta) / SECTION_SIZE;
	last = (start + size - 1) / SECTION_SIZE;
	n = (unsigned int)(last - first + 1);
	return first ? n + 1 : n;
}

/* makedumpfile's two page bitmaps, one bit per page frame up to the
 * highest RAM address; it works in cycles rather than use more than
 * 32 MiB here (the cap openSUSE's kdump calibrate applies too). */
static uint64_t bitmaps(uint64_t ram_end)
{
	uint64_t b = align_up(ram_end / PAGE * 2 / 8, PAGE);

	return b > 32 * MIB ? 32 * MIB : b;
}

/* One possible CPU: its note and program header, copied and merged by the
 * capture kernel's /proc/vmcore setup. */
#define PER_CPU 1024ULL

void lb_estimate_compute(const struct lb_estimate_in *in, struct lb_estimate *ret)
{
	uint64_t start = in->region_start ? in->region_start : 16 * MIB;
	uint64_t a = in->kernel_align > 2 * MIB ? in->kernel_align : 2 * MIB;
	uint64_t meta_end = start + in->meta, load, fixed, need, total;
	unsigned int i;

	memset(ret, 0, sizeof(*ret));
	/* Placement, as the builder's place() does it. */
	load = align_up(meta_end > 16 * MIB ? meta_end : 16 * MIB, a);
	ret->meta = in->meta;
	ret->align = load - meta_end;
	ret->kernel = align_up(in->kernel_run ? in->kernel_run : in->init_size, PAGE);
	ret->room = align_up(in->room ? in->room : in->init_size, PAGE);
	ret->initrd = align_up(in->initrd, PAGE);
	ret->rootfs = in->rootfs;
	ret->window = in->window;
	ret->cpus = (uint64_t)in->nr_cpus * PER_CPU;
	ret->makedumpfile = bitmaps(in->old_ram_end);
	ret->runtime = lb_small_kernel(ret->room) ? lb_estimate_runtime_small : lb_estimate_runtime;
	ret->fast_return = in->fast_return;
	/* What the builder demands: the pieces placed, and lb_min_runtime() of
	 * free RAM beside metadata, the kernel's room and initrd. */
	ret->load_floor = ret->meta + ret->room + ret->initrd + lb_min_runtime(ret->room);
	if (ret->load_floor < ret->meta + ret->align + ret->room + ret->initrd)
		ret->load_floor = ret->meta + ret->align + ret->room + ret->initrd;
	fixed = ret->meta + ret->align + ret->kernel + ret->initrd + ret->rootfs + ret->window +
		ret->cpus + ret->makedumpfile + ret->runtime + ret->fast_return;

	/* The memmap grows with the region: iterate to the fixed point
	 * (it only grows, by whole sections, so a few rounds settle it). */
	total = fixed;
	for (i = 0; i < 64; i++) {
		ret->sections = sections(in->region_start,
					 in->region_start && in->region_size ? in->region_size : total,
					 in->meta);
		ret->memmap = (uint64_t)ret->sections * SECTION_MEMMAP;
		need = fixed + ret->memmap;
		ret->margin = margin(need);
		total = align_up(need + ret->margin, 4 * MIB);
		ret->floor_applied = total < ret->load_floor;
		if (ret->floor_applied)
			total = align_up(ret->load_floor, 4 * MIB);
		if ((in->region_start && in->region_size) ||
		    sections(in->region_start, total, in->meta) == ret->sections)
			break;
	}
	ret->margin = total - need;
	ret->total = total;
}
