/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The capture image builder: given the running machine's facts (memory map,
 * reserved region, CPUs, VMCOREINFO) and the user's files (kernel, initrd,
 * command line), decide where every piece goes inside the region and build
 * the metadata the jump and the capture kernel need: boot parameters with the
 * capture kernel's memory map, identity page tables, GDT and IDT, the ELF core
 * header, the per-CPU note buffers and a copy of VMCOREINFO.
 *
 * Pure computation on buffers: no allocation, no I/O. Compiled into the module
 * and into the host tests and fuzzers.
 *
 * Layout of the region [region_start, region_end):
 *
 *   region_start  metadata block (struct lb_image.meta_*), reserved in the
 *                 capture kernel's memory map; its first page holds the
 *                 jump stamp (lifeboat/stamp.h), written at panic time
 *                 and found there by the next boot; then an immutable head
 *                 covered by the digest, and a tail (notes, VMCOREINFO
 *                 copy, stack) written at panic time
 *   kernel_load   the kernel's protected-mode part, with init_size of room,
 *                 aligned to kernel_alignment and at least 16 MiB
 *   ...           free RAM for the capture kernel
 *   initrd_pa     the initrd, page aligned, at the top of the region
 */
#ifndef LIFEBOAT_IMAGE_H
#define LIFEBOAT_IMAGE_H

#include "lifeboat/err.h"
#include "shim.h"
#include "stamp.h"
#include "tramp.h"

/* Memory types, with the values of the E820 table. */
enum lb_mem_type {
	LB_MEM_RAM = 1,
	LB_MEM_RESERVED = 2,
	LB_MEM_ACPI = 3,
	LB_MEM_NVS = 4,
	LB_MEM_UNUSABLE = 5,
	LB_MEM_PMEM = 7,
	LB_MEM_PRAM = 12,
};

/* A physical range [start, end) of one type. */
struct lb_mem_range {
	lb_u64 start;
	lb_u64 end;
	lb_u32 type;
};

/* Sizes of the per-CPU notes and the VMCOREINFO copy, as the kernel's. */
enum {
	LB_PRSTATUS_SIZE = 336,		/* struct elf_prstatus on x86_64 */
	LB_NOTE_BUF_SIZE = 368,		/* note_buf_t: header, "CORE", prstatus, terminator */
	LB_VMCOREINFO_BUF_SIZE = 8192,	/* room for the kernel's note plus CRASHTIME */
	LB_STACK_SIZE = 16384,		/* stack for the trampoline and exception stubs */
	LB_MAX_E820 = 128,		/* entries that fit in boot_params */
	/* Free RAM the capture kernel needs beyond its image (lb_min_runtime()) */
	LB_MIN_RUNTIME = 32 << 20,	/* a general-purpose kernel */
	LB_MIN_RUNTIME_SMALL = 20 << 20, /* a kernel built for capture */
	LB_SMALL_KERNEL = 32 << 20,	/* the largest image such a kernel has */
	LB_KERNEL_MAX_LEN = 256 << 20,	/* the largest capture kernel file the module takes */
	LB_MAX_EXTRA = 64,		/* ranges of a run-time region besides its first */
};

/*
 * lb_min_runtime() - The free RAM a capture kernel needs beyond its image.
 * @image: the bytes its image takes where it is loaded (init_size for a
 *         bzImage, _text to _end unpacked)
 *
 * What a kernel allocates once it runs (slab, page tables, memmap) grows
 * with what it is built to do: Debian's kernels (44 to 64 MiB of image)
 * need LB_MIN_RUNTIME; a kernel built for capture alone, as Lifeboat's own
 * (13 MiB unpacked, 17 MiB init_size), needs LB_MIN_RUNTIME_SMALL.
 * lb_small_kernel() says which an image is; the estimate's run-time
 * allowance follows it too.
 */
static inline int lb_small_kernel(lb_u64 image)
{
	return image <= LB_SMALL_KERNEL;
}

static inline lb_u64 lb_min_runtime(lb_u64 image)
{
	return lb_small_kernel(image) ? LB_MIN_RUNTIME_SMALL : LB_MIN_RUNTIME;
}

/*
 * Facts about the running machine, gathered at load time. The builder checks
 * them (-EINVAL with a sentence when they do not hold): the map is sorted,
 * its ranges non-empty, non-overlapping and below 2^52; the region is page
 * aligned, at or above 1 MiB, and entirely covered by RAM (crashkernel=) or
 * reserved (memmap=SIZE$START) ranges, and usable RAM in the firmware's map
 * when one is given; every RAM, ACPI and NVS range and the region lie below
 * 2^47 (2^56 with la57) so they can be identity mapped; 1 <= nr_cpus <= 8192.
 */
struct lb_machine {
	/* Memory map of the running kernel: sorted, non-overlapping. */
	const struct lb_mem_range *ranges;
	unsigned int nr_ranges;
	/*
	 * The firmware's memory map, before memmap= and the kernel changed it
	 * (sorted, non-overlapping; lb_fwmap_rebuild() makes it), or NULL.
	 * When given, the region, every range the capture kernel's E820 map
	 * calls usable and every range the ELF core header dumps must be
	 * usable RAM in it.
	 */
	const struct lb_mem_range *fw_ranges;
	unsigned int nr_fw_ranges;
	/* The reserved region, [region_start, region_end). */
	lb_u64 region_start;
	lb_u64 region_end;
	/*
	 * More RAM for the capture kernel, outside the region: the other
	 * ranges of a region taken at run time, or NULL. At most
	 * LB_MAX_EXTRA, sorted, page aligned, at or above 1 MiB, apart from
	 * each other and from the region, and RAM in the machine's map (and
	 * in the firmware's, when given). The capture kernel's map calls them
	 * usable and the ELF core header leaves them out, as the region.
	 */
	const struct lb_mem_range *extra;
	unsigned int nr_extra;
	/* page_offset_base: PT_LOAD p_vaddr = page_offset + paddr. */
	lb_u64 page_offset;
	/* CR4.LA57 is set: the tables get five levels. */
	bool la57;
	/* One NT_PRSTATUS note buffer per possible CPU. */
	unsigned int nr_cpus;
	/* Copied into boot_params. */
	lb_u64 acpi_rsdp;
	lb_u32 hardware_subarch;
	/*
	 * The trampoline: its code (position independent, at most
	 * LB_TRAMP_CODE_MAX bytes), the page-aligned virtual address it runs
	 * at before the switch (mapped to its copy in the new tables), and the
	 * offsets of its exception stubs within the code. The copy sits at
	 * offset 0 of the trampoline page (laid out in lifeboat/tramp.h), so
	 * the code must also sit at offset 0 of the page at tramp_va; tramp_va
	 * must be in the kernel half (top-level index >= 256), where the
	 * identity map never goes.
	 */
	const void *tramp_code;
	lb_u64 tramp_len;
	lb_u64 tramp_va;
	lb_u64 tramp_nmi_off;	/* NMI stub: iretq */
	lb_u64 tramp_fault_off;	/* every other vector: report and halt */
	/* The running kernel's VMCOREINFO ELF note (header, name, text, terminator). */
	const void *vmcoreinfo;
	lb_u64 vmcoreinfo_len;
};

/* The user's files. */
struct lb_image_input {
	const void *kernel;
	lb_u64 kernel_len;
	const void *initrd;
	lb_u64 initrd_len;
	const char *cmdline;	/* NUL-terminated; elfcorehdr= is prepended */
};

/* A piece of the image that is copied to dest when the image is committed. */
struct lb_segment {
	lb_u64 dest;		/* physical address */
	const void *src;
	lb_u64 len;
};

enum { LB_SEG_META, LB_SEG_KERNEL, LB_SEG_INITRD, LB_NR_SEGS };

/* Where everything went. All addresses are physical. */
struct lb_image {
	struct lb_segment seg[LB_NR_SEGS];
	/* The metadata block: [meta_pa, meta_pa + meta_len), built in the caller's buffer. */
	lb_u64 meta_pa;
	lb_u64 meta_len;
	/*
	 * End of the metadata block's immutable head, from its start: the
	 * digest covers [meta_pa + LB_JUMP_STAMP_AREA, meta_pa +
	 * meta_fixed_len), the jump stamp's page (at meta_pa, the region's
	 * start) being written at panic time.
	 */
	lb_u64 meta_fixed_len;
	lb_u64 kernel_load;	/* protected-mode part */
	lb_u64 kernel_memsz;	/* init_size, page aligned: room reserved at kernel_load */
	lb_u64 entry;		/* kernel_load + 0x200 */
	lb_u64 initrd_pa;	/* 0 without an initrd (seg[LB_SEG_INITRD] is then empty) */
	lb_u64 boot_params_pa;
	lb_u64 cmdline_pa;
	lb_u64 elfcorehdr_pa;
	lb_u64 elfcorehdr_len;
	lb_u64 tramp_pa;	/* the trampoline page */
	lb_u64 pgd_pa;		/* CR3 value for the switch */
	lb_u64 stack_top;
	lb_u64 notes_pa;	/* note of CPU n at notes_pa + n * LB_NOTE_BUF_SIZE */
	lb_u64 vmcoreinfo_pa;
	/* Offsets of the same things inside the metadata buffer. */
	lb_u64 notes_off;
	lb_u64 vmcoreinfo_off;
	/* Free RAM left to the capture kernel after its image and initrd. */
	lb_u64 free_ram;
	const char *loader;	/* name of the loader that took the kernel */
};

/*
 * Size of the metadata block for this machine: what the caller must provide
 * to lb_image_build(). Depends only on the machine, not on the files. 0 when
 * the machine facts do not hold (lb_image_build() then says why). The layout
 * of the block is described in builder/lib/internal.h.
 */
lb_u64 lb_image_meta_size(const struct lb_machine *m);

/*
 * Probes the kernel with each loader, places every piece inside the region
 * and writes the metadata block into meta (meta_cap bytes, zeroed by the
 * builder). On error returns a negative errno, fills err and leaves *img
 * unspecified: -ENOEXEC no loader recognises the kernel or it is malformed,
 * -ENOSPC the region is too small, -EINVAL inconsistent machine facts,
 * -E2BIG too many memory ranges or a command line too long.
 */
int lb_image_build(const struct lb_machine *m, const struct lb_image_input *in,
		   struct lb_image *img, void *meta, lb_u64 meta_cap,
		   struct lb_err *err);

/*
 * What a region taken at run time needs in its first, contiguous range for
 * this machine and these files, with nr_extra more ranges: the metadata
 * block, the kernel's init_size and the initrd, each rounded as
 * lb_image_build() places them, when the range starts at or above 16 MiB
 * and at a multiple of *align. The machine's region and extra ranges are
 * not looked at. Returns 0, or the errors of lb_image_build() for the
 * machine and the kernel.
 */
int lb_image_contig_need(const struct lb_machine *m,
			 const struct lb_image_input *in, unsigned int nr_extra,
			 lb_u64 *size, lb_u64 *align, struct lb_err *err);

/*
 * Panic-time helpers: no allocation, no locks, bounded work.
 */

/* The first 21 slots of pr_reg, in struct pt_regs order, then the rest. */
enum lb_reg {
	LB_R15, LB_R14, LB_R13, LB_R12, LB_RBP, LB_RBX, LB_R11, LB_R10,
	LB_R9, LB_R8, LB_RAX, LB_RCX, LB_RDX, LB_RSI, LB_RDI, LB_ORIG_RAX,
	LB_RIP, LB_CS, LB_EFLAGS, LB_RSP, LB_SS, LB_FS_BASE, LB_GS_BASE,
	LB_DS, LB_ES, LB_FS, LB_GS, LB_NR_REGS
};

/* Writes a complete NT_PRSTATUS note (with terminator) into buf (LB_NOTE_BUF_SIZE bytes). */
void lb_note_write_prstatus(void *buf, lb_u32 pid, const lb_u64 regs[LB_NR_REGS]);

/*
 * Appends "CRASHTIME=<seconds>\n" to the VMCOREINFO note in buf (cap bytes)
 * and rewrites its size and terminator. Returns 0, or -ENOSPC if it does not fit,
 * or -EINVAL if seconds is 0 (makedumpfile rejects CRASHTIME=0) or buf holds no
 * VMCOREINFO note within cap; the note is then left as it was.
 */
int lb_vmcoreinfo_add_crashtime(void *buf, lb_u64 cap, lb_u64 seconds);

#endif /* LIFEBOAT_IMAGE_H */
