/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sizing the reserved region: the parsers of what the machine says about it
 * (sizes, /proc/iomem, /proc/cmdline, the module's region attribute, CPU
 * lists), the initramfs walker, the arithmetic, the image builder's view
 * and the text of the crashkernel= boot parameter.
 *
 * Everything here works on buffers the caller filled (no file or process
 * I/O), so the unit tests and the fuzzers call it directly; the machine
 * layer (machine/sizing.c, machine/grub.c) reads and writes the files. Text from outside (/proc/iomem, /proc/cmdline, sysfs, an initramfs)
 * is treated as hostile: lengths are explicit and nothing needs a NUL.
 * Failures return a negative errno and fill a struct lb_err (the image
 * builder's, lifeboat/err.h) with a sentence for the operator.
 */
#ifndef LIFEBOAT_RESERVE_H
#define LIFEBOAT_RESERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lifeboat/image.h"

#define LB_MIB_BYTES (1ULL << 20)

/* ---- sizes ------------------------------------------------------------- */

/*
 * A size as the kernel's memparse() reads it: a number (0x for hex, a
 * leading 0 for octal) and an optional K, M, G, T, P or E suffix. Parses
 * from text[0] up to len bytes; *used gets the bytes taken.
 * Return: 0, -EINVAL (no number) or -ERANGE (beyond 2^64).
 */
int lb_size_parse(const char *text, size_t len, uint64_t *ret, size_t *used);

/* ---- /proc/iomem ------------------------------------------------------- */

struct lb_iomem {
	/* Top-level System RAM, ACPI Tables, ACPI NVS and Reserved ranges,
	 * in file order, typed as lb_mem_type: the builder's machine map. */
	struct lb_mem_range *ranges;	/* the caller's array of cap entries */
	unsigned int nr, cap;
	uint64_t ram_bytes;		/* System RAM, the memory a dump covers */
	uint64_t ram_end;		/* the end of the highest System RAM range */
	uint64_t crash_start;		/* the largest "Crash kernel" entry, [start, end) */
	uint64_t crash_end;		/* 0 and 0 when there is none */
	bool hidden;			/* every address reads 0: the reader is not root */
};

/*
 * Parses /proc/iomem ("start-end : name", two spaces of indent per level).
 * Return: 0, -EINVAL for a malformed line or ranges out of order, -E2BIG
 * when more than cap ranges qualify; err says which line.
 */
int lb_iomem_parse(const char *text, size_t len, struct lb_iomem *ret, struct lb_err *err);

/* ---- /proc/cmdline ----------------------------------------------------- */

struct lb_cmdline {
	/* The last crashkernel= (the kernel takes the last), as written. */
	char crashkernel[128];
	bool has_crashkernel;
	/* The largest memmap=SIZE$START (reserved) range, and how many there are. */
	uint64_t memmap_start;
	uint64_t memmap_size;
	unsigned int nr_memmap;
};

/*
 * Parses a kernel command line: words split on blanks outside double
 * quotes, up to "--". Only crashkernel= and memmap= are looked at; memmap=
 * may list several comma-separated ranges, of which only SIZE$START counts.
 * Return: 0, or -EINVAL for a memmap=...$... whose size or start is not a
 * number.
 */
int lb_cmdline_parse(const char *text, size_t len, struct lb_cmdline *ret, struct lb_err *err);

/* ---- /sys/kernel/lifeboat/region and CPU lists ------------------------- */

/*
 * Parses the module's "start end size kind" ([start, end), kind crashkernel
 * or memmap) or "none: why". Return: 0 with *none false and the range, 0
 * with *none true and why filled, or -EINVAL.
 */
int lb_region_attr_parse(const char *text, size_t len, uint64_t *start, uint64_t *end,
			 char *kind, size_t kind_len, bool *none, char *why, size_t why_len);

/*
 * Parses a CPU list such as /sys/devices/system/cpu/possible ("0-3,8");
 * *nr gets the highest CPU number plus one, as nr_cpu_ids.
 * Return: 0 or -EINVAL.
 */
int lb_cpulist_parse(const char *text, size_t len, unsigned int *nr);

/*
 * Whether the first "flags" line of /proc/cpuinfo lists flag (as a whole word).
 */
bool lb_cpuinfo_has_flag(const char *text, size_t len, const char *flag);

/* ---- the capture initramfs --------------------------------------------- */

struct lb_initrd_info {
	uint64_t packed;	/* the file */
	uint64_t unpacked;	/* bytes of cpio after decompression */
	uint64_t entries;	/* files, directories, links, nodes */
	uint64_t files;		/* regular files */
	uint64_t file_bytes;	/* their contents */
	uint64_t rootfs;	/* what they take in the capture kernel's tmpfs */
	uint64_t window;	/* the largest decompressor window or dictionary */
	char compression[32];	/* "xz", "gzip+none"...: the segments' formats */
};

/* Room a tmpfs entry takes besides its data pages: inode, dentry, name. */
#define LB_ROOTFS_ENTRY_COST 1024ULL

/*
 * Walks an initramfs as the kernel unpacks it (init/initramfs.c): cpio
 * "newc" archives, plain or compressed with gzip, xz, lzma or zstd, one
 * after the other with zero padding between them. Decompresses in a
 * bounded buffer; stops with -EFBIG beyond max_unpacked bytes of cpio and
 * with -ENOMEM when a decompressor would need more than max_window.
 * Return: 0, -EINVAL (malformed), -EOPNOTSUPP (bzip2, lz4, lzo), -EFBIG,
 * -ENOMEM; err says what and where.
 */
int lb_initrd_measure(const void *buf, size_t len, uint64_t max_unpacked, uint64_t max_window,
		      struct lb_initrd_info *ret, struct lb_err *err);

/* ---- the sizing arithmetic --------------------------------------------- */

/* What the estimate is made from. Everything in bytes. */
struct lb_estimate_in {
	uint64_t meta;		/* lb_image_meta_size() for this machine */
	uint64_t init_size;	/* the capture kernel's, from its header */
	/* The kernel's size at run time, _text to _end (its unpacked memsz,
	 * lib/unpack.c); 0 when unknown: init_size is counted instead. */
	uint64_t kernel_run;
	/* The room the image builder gives it at the load address: memsz
	 * when it is loaded unpacked; 0: init_size, as for a bzImage. */
	uint64_t room;
	uint64_t kernel_align;	/* its kernel_alignment */
	uint64_t initrd;	/* the initramfs file */
	uint64_t rootfs;	/* lb_initrd_info.rootfs */
	uint64_t window;	/* lb_initrd_info.window */
	uint64_t old_ram_end;	/* the end of this machine's highest RAM: its page frames */
	unsigned int nr_cpus;	/* possible CPUs of this machine */
	/* Where the region starts; 0 when not known: then the estimate
	 * assumes the worst start a crashkernel= region can get (16 MiB
	 * aligned, straddling a memory section). */
	uint64_t region_start;
	/* With region_start, the region's size: the memmap is counted for the
	 * region as it is (0: for a region of the estimated size). */
	uint64_t region_size;
	/* final_action = fast-reboot: what the module's copy of the production
	 * kernel and initramfs takes in the capture kernel (0: another action). */
	uint64_t fast_return;
};

/* The figure and its parts, in bytes; total is the sum of the parts. */
struct lb_estimate {
	uint64_t meta;		/* the metadata block at the start of the region */
	uint64_t align;		/* from its end up to the kernel's load address */
	uint64_t kernel;	/* its run-time size (else init_size), page aligned */
	uint64_t initrd;	/* the initramfs, page aligned, at the top */
	uint64_t rootfs;	/* the unpacked files in the capture kernel's tmpfs */
	uint64_t window;	/* the decompressor while it unpacks them */
	uint64_t memmap;	/* struct page for the capture kernel's memory */
	unsigned int sections;	/* memory sections that memmap covers */
	uint64_t cpus;		/* per possible CPU: vmcore's copy of notes and headers */
	uint64_t makedumpfile;	/* its page bitmaps, sized by old RAM */
	uint64_t runtime;	/* the capture kernel and userspace at work (calibrated) */
	uint64_t fast_return;	/* the module's copy of the production kernel and initramfs */
	uint64_t margin;
	uint64_t total;		/* a multiple of 1 MiB */
	/* What `lifeboat load` alone demands: metadata, alignment, the
	 * kernel's room and the initrd plus lb_min_runtime(room). total is never
	 * below it. */
	uint64_t load_floor;
	uint64_t room;		/* the kernel's room at the load address, page aligned */
	bool floor_applied;	/* total was raised to load_floor */
};

/* The calibrated runtime allowance and the margin rule: see estimate.c. */
extern const uint64_t lb_estimate_runtime;
extern const uint64_t lb_estimate_runtime_small;	/* a kernel built for capture */

void lb_estimate_compute(const struct lb_estimate_in *in, struct lb_estimate *ret);

/* ---- the image builder's view (machine.c) ------------------------------ */

/*
 * Fills m for the builder from this machine's memory map (lb_iomem
 * ranges), CPUs, paging depth and a region, with stand-ins for the
 * trampoline and VMCOREINFO, which the builder checks but never counts.
 */
void lb_reserve_machine(struct lb_machine *m, const struct lb_mem_range *ranges, unsigned int nr,
			unsigned int nr_cpus, bool la57, uint64_t region_start, uint64_t region_end);

/*
 * Where crashkernel=size would likely land (top-down in RAM, 16 MiB
 * aligned, below 4 GiB if it fits): a region to size the metadata block
 * with when none is reserved. Return: 0, or -ENOSPC when no RAM range holds it.
 */
int lb_reserve_pick_region(const struct lb_mem_range *ranges, unsigned int nr, uint64_t size,
			   uint64_t *start);

/* What the builder's loader read in the capture kernel's header. */
struct lb_reserve_kernel {
	const char *loader;		/* "bzImage" */
	uint32_t init_size;
	uint32_t kernel_alignment;
	char release[65];		/* its header's kernel_version up to the first blank; "" if none */
};

/* Return: 0, or -ENOEXEC with err saying why the builder refuses the kernel. */
int lb_reserve_kernel(const void *kernel, size_t len, bool la57, struct lb_reserve_kernel *ret,
		      struct lb_err *err);

/*
 * What `lifeboat load` would do with these files in m's region: 0 and the
 * placement in img, or the builder's error (-ENOSPC: the region is too
 * small) with its sentence in err.
 */
int lb_reserve_load_check(const struct lb_machine *m, const void *kernel, size_t kernel_len,
			  const void *initrd, size_t initrd_len, struct lb_image *img,
			  struct lb_err *err);

/* ---- the GRUB drop-in --------------------------------------------------- */

/* The drop-in Lifeboat owns, inside the grub.d directory. */
#define LB_GRUB_DROPIN "lifeboat.cfg"

/*
 * The text of the drop-in for crashkernel=size (a parameter value such as
 * "192M", checked to be a plain size). Return: the length the text needs
 * without the NUL (complete when below len), or -EINVAL for a bad size.
 */
int lb_grub_dropin_text(const char *size, char *buf, size_t len);

/*
 * crashkernel= settings in a GRUB defaults file (/etc/default/grub or a
 * drop-in) other than Lifeboat's: writes up to max values, "name: value",
 * into found (each entry found_len bytes). Return: how many were seen.
 */
unsigned int lb_grub_find_crashkernel(const char *text, size_t len, char *found,
				      size_t found_len, unsigned int max);

#endif
