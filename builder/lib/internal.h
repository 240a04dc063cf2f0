/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to the image builder: the loader interface, the layout of the
 * metadata block, the x86 boot_params offsets, our own ELF structures and
 * little-endian accessors. Everything here builds both in the module and on
 * the host; only the public header lifeboat/image.h is part of the contract
 * with the module.
 *
 * Layout of the metadata block, from its start (region_start); every part
 * starts on a page boundary except the per-CPU notes, which follow each other
 * every LB_NOTE_BUF_SIZE bytes as the dump tools expect:
 *
 *   0                    the jump stamp's page (LB_JUMP_STAMP_AREA, in
 *                        lifeboat/stamp.h): zero here, written by the panic
 *                        path just before the jump, outside the digest
 *   elf_off              ELF core header: Ehdr, then one Phdr per CPU note,
 *                        one for the VMCOREINFO copy and one per dumped RAM
 *                        range (elf_len = page-aligned 64 + 56 * nr_phdr)
 *   bp_off               boot_params, the capture kernel's zero page (4 KiB)
 *   cmdline_off          command line, NUL-terminated (4 KiB)
 *   tramp_off            trampoline page (4 KiB), laid out in lifeboat/tramp.h
 *   pt_off               page tables: top level first, then the lower
 *                        levels in the order they are needed (pt_pages)
 *   fixed_len            ---- end of the immutable head: the digest covers
 *                        [elf_off, fixed_len) ----
 *   notes_off            nr_cpus NT_PRSTATUS buffers of LB_NOTE_BUF_SIZE
 *   vmcoreinfo_off       VMCOREINFO copy (LB_VMCOREINFO_BUF_SIZE)
 *   stack_off            stack (LB_STACK_SIZE); stack_top is its end
 *   len                  end of the block
 */
#ifndef LIFEBOAT_CAPTURE_INTERNAL_H
#define LIFEBOAT_CAPTURE_INTERNAL_H

#include "lifeboat/image.h"
#include "lifeboat/le.h"
#include "lifeboat/stamp.h"

/* Sizes and limits that need 64 bits. */
#define LB_SZ_1M	0x100000ULL
#define LB_SZ_2M	0x200000ULL
#define LB_SZ_16M	0x1000000ULL
#define LB_SZ_1G	0x40000000ULL
/* The architectural limit of physical addresses (MAXPHYADDR <= 52). */
#define LB_PHYS_LIMIT	0x0010000000000000ULL	/* 2^52 */
/* Identity addresses must stay in the lower half of the top-level table. */
#define LB_IDENT_LIMIT_4L	0x0000800000000000ULL	/* 2^47 */
#define LB_IDENT_LIMIT_5L	0x0100000000000000ULL	/* 2^56 */

#define LB_MIB(x)	((unsigned long long)((x) >> 20))
#define LB_MIB_UP(x)	((unsigned long long)(((x) + LB_SZ_1M - 1) >> 20))

enum {
	LB_PAGE_SIZE = 4096,
	LB_CMDLINE_MAX = LB_PAGE_SIZE - 1,	/* our command line page */
	LB_MAX_CPUS = 8192,			/* NR_CPUS of the Debian config */
	LB_MAX_RANGES = 8192,			/* machine memory ranges */
	LB_MAX_PHDR = 0xfffe,			/* e_phnum below PN_XNUM */
	LB_ENTRY64_OFF = 0x200,			/* 64-bit entry from the load address */
	LB_E820_ENTRY_SIZE = 20,
};

/* Offsets inside struct boot_params (arch/x86/include/uapi/asm/bootparam.h). */
enum lb_bp_off {
	LB_BP_EXT_MEM_K = 0x002,		/* screen_info.ext_mem_k, u16 */
	LB_BP_ACPI_RSDP_ADDR = 0x070,		/* u64 */
	LB_BP_EXT_RAMDISK_IMAGE = 0x0c0,	/* u32 */
	LB_BP_EXT_RAMDISK_SIZE = 0x0c4,		/* u32 */
	LB_BP_EXT_CMD_LINE_PTR = 0x0c8,		/* u32 */
	LB_BP_ALT_MEM_K = 0x1e0,		/* u32 */
	LB_BP_E820_ENTRIES = 0x1e8,		/* u8 */
	LB_BP_SENTINEL = 0x1ef,			/* u8, must stay 0 */
	LB_BP_HDR = 0x1f1,			/* the setup header starts here */
	LB_BP_SETUP_SECTS = 0x1f1,		/* u8 */
	LB_BP_BOOT_FLAG = 0x1fe,		/* u16, 0xaa55 */
	LB_BP_JUMP = 0x200,			/* u8 jmp, u8 displacement */
	LB_BP_HEADER = 0x202,			/* "HdrS" */
	LB_BP_VERSION = 0x206,			/* u16 */
	LB_BP_KERNEL_VERSION = 0x20e,		/* u16: the release string, less 0x200 */
	LB_BP_TYPE_OF_LOADER = 0x210,		/* u8 */
	LB_BP_LOADFLAGS = 0x211,		/* u8 */
	LB_BP_RAMDISK_IMAGE = 0x218,		/* u32 */
	LB_BP_RAMDISK_SIZE = 0x21c,		/* u32 */
	LB_BP_CMD_LINE_PTR = 0x228,		/* u32 */
	LB_BP_KERNEL_ALIGNMENT = 0x230,		/* u32 */
	LB_BP_RELOCATABLE_KERNEL = 0x234,	/* u8 */
	LB_BP_XLOADFLAGS = 0x236,		/* u16 */
	LB_BP_CMDLINE_SIZE = 0x238,		/* u32 */
	LB_BP_HARDWARE_SUBARCH = 0x23c,		/* u32 */
	LB_BP_HARDWARE_SUBARCH_DATA = 0x240,	/* u64 */
	LB_BP_SETUP_DATA = 0x250,		/* u64 */
	LB_BP_INIT_SIZE = 0x260,		/* u32 */
	LB_BP_HDR_MIN_END = 0x264,		/* a header must reach past init_size */
	LB_BP_HDR_MAX_END = 0x290,		/* edd_mbr_sig_buffer follows */
	LB_BP_E820_TABLE = 0x2d0,		/* LB_MAX_E820 packed entries */
	LB_BP_SIZE = 0x1000,
};

/* Bits of the setup header. */
enum {
	LB_BOOT_FLAG = 0xaa55,
	LB_MIN_VERSION = 0x020c,		/* 2.12: xloadflags */
	LB_LOADED_HIGH = 1 << 0,
	LB_XLF_KERNEL_64 = 1 << 0,
	LB_XLF_CAN_BE_LOADED_ABOVE_4G = 1 << 1,
	LB_XLF_5LEVEL = 1 << 5,
	LB_TYPE_OF_LOADER = 0xff,		/* "undefined" loader */
};

/* Page-table entry bits and CR4 bits. */
#define LB_PTE_PRESENT	0x1ULL
#define LB_PTE_RW	0x2ULL
#define LB_PTE_PS	0x80ULL
#define LB_PTE_ADDR	0x000ffffffffff000ULL
#define LB_PTE_TABLE	(LB_PTE_PRESENT | LB_PTE_RW)
#define LB_PTE_LARGE	(LB_PTE_PRESENT | LB_PTE_RW | LB_PTE_PS)
#define LB_CR4_PAE	0x20ULL		/* bit 5 */
#define LB_CR4_LA57	0x1000ULL	/* bit 12 */

/* The trampoline's GDT entries (the page's layout is in lifeboat/tramp.h). */
#define LB_GDT_CODE64	0x00af9a000000ffffULL
#define LB_GDT_DATA	0x00cf92000000ffffULL

/* ELF, our own definitions: <elf.h> is not available in the module. */
enum {
	LB_ET_CORE = 4,
	LB_EM_X86_64 = 62,
	LB_PT_LOAD = 1,
	LB_PT_NOTE = 4,
	LB_PF_RWX = 7,
	LB_NT_PRSTATUS = 1,
	LB_ELF_EHDR_SIZE = 64,
	LB_ELF_PHDR_SIZE = 56,
	LB_NHDR_SIZE = 12,
};

struct lb_elf64_ehdr {
	lb_u8 e_ident[16];
	lb_u16 e_type;
	lb_u16 e_machine;
	lb_u32 e_version;
	lb_u64 e_entry;
	lb_u64 e_phoff;
	lb_u64 e_shoff;
	lb_u32 e_flags;
	lb_u16 e_ehsize;
	lb_u16 e_phentsize;
	lb_u16 e_phnum;
	lb_u16 e_shentsize;
	lb_u16 e_shnum;
	lb_u16 e_shstrndx;
};

struct lb_elf64_phdr {
	lb_u32 p_type;
	lb_u32 p_flags;
	lb_u64 p_offset;
	lb_u64 p_vaddr;
	lb_u64 p_paddr;
	lb_u64 p_filesz;
	lb_u64 p_memsz;
	lb_u64 p_align;
};

_Static_assert(sizeof(struct lb_elf64_ehdr) == LB_ELF_EHDR_SIZE, "Elf64_Ehdr");
_Static_assert(sizeof(struct lb_elf64_phdr) == LB_ELF_PHDR_SIZE, "Elf64_Phdr");
/* The trampoline page is one page of the metadata block, and so is the stamp's. */
_Static_assert(LB_JUMP_STAMP_AREA == LB_PAGE_SIZE, "jump stamp page size");
_Static_assert(LB_TRAMP_PAGE_SIZE == LB_PAGE_SIZE, "trampoline page size");

static inline lb_u64 lb_min(lb_u64 a, lb_u64 b)
{
	return a < b ? a : b;
}

static inline lb_u64 lb_max(lb_u64 a, lb_u64 b)
{
	return a > b ? a : b;
}

/* Types the identity map covers besides the region. */
static inline bool lb_type_mapped(lb_u32 type)
{
	return type == LB_MEM_RAM || type == LB_MEM_ACPI || type == LB_MEM_NVS;
}

/* What a loader found in a kernel image. Offsets are into the file. */
struct lb_kernel {
	const lb_u8 *file;	/* the bzImage, or the setup part of an unpacked kernel */
	lb_u64 file_len;
	lb_u64 hdr_end;		/* the setup header is [LB_BP_HDR, hdr_end) */
	lb_u64 pm_off;		/* protected-mode part: [pm_off, file_len) */
	lb_u64 pm_len;
	/*
	 * What goes at the load address and where it is entered: the
	 * protected-mode part and its 64-bit entry, or the unpacked kernel
	 * and its startup_64. init_size is the room it needs there.
	 */
	const lb_u8 *image;
	lb_u64 image_len;
	lb_u64 entry_off;
	const char *room;	/* what init_size is, for messages: "init_size", "memsz" */
	lb_u32 setup_sects;	/* after the "0 means 4" rule */
	lb_u32 init_size;
	lb_u32 kernel_alignment;
	lb_u32 cmdline_size;
	lb_u16 version;
	lb_u16 xloadflags;
	lb_u64 release_off;	/* "6.1.0-56-amd64 (...) #1 ..." in the file; 0: none */
};

/*
 * A kernel format. probe() says whether the file is in this format at all
 * (-ENOEXEC with a sentence if not); parse() validates everything the
 * builder relies on and fills the struct lb_kernel.
 */
struct lb_loader {
	const char *name;
	int (*probe)(const lb_u8 *buf, lb_u64 len, struct lb_err *err);
	int (*parse)(const lb_u8 *buf, lb_u64 len, const struct lb_machine *m,
		     struct lb_kernel *k, struct lb_err *err);
};

extern const struct lb_loader lb_bzimage_loader;
extern const struct lb_loader lb_unpacked_loader;

int lb_setup_parse(const lb_u8 *buf, lb_u64 len, const struct lb_machine *m,
		   struct lb_kernel *k, struct lb_err *err);

const struct lb_loader *lb_loader_find(const lb_u8 *buf, lb_u64 len,
				       struct lb_err *err);
int lb_kernel_parse(const void *buf, lb_u64 len, const struct lb_machine *m,
		    struct lb_kernel *k, const char **loader,
		    struct lb_err *err);

/* Offsets of everything in the metadata block, from lb_layout_compute(). */
struct lb_layout {
	lb_u64 nr_phdr;
	lb_u64 nr_load;
	lb_u64 elf_off;
	lb_u64 elf_len;
	lb_u64 bp_off;
	lb_u64 cmdline_off;
	lb_u64 tramp_off;
	lb_u64 pt_off;
	lb_u64 pt_pages;
	lb_u64 fixed_len;
	lb_u64 notes_off;
	lb_u64 vmcoreinfo_off;
	lb_u64 stack_off;
	lb_u64 len;
};

int lb_machine_check(const struct lb_machine *m, struct lb_err *err);
int lb_layout_compute(const struct lb_machine *m, struct lb_layout *l,
		      struct lb_err *err);
int lb_layout_bound(const struct lb_machine *m, unsigned int nr_extra,
		    struct lb_layout *l, struct lb_err *err);

void lb_capture_range(const struct lb_machine *m, unsigned int i,
		      struct lb_mem_range *r);
typedef int (*lb_dump_fn)(void *ctx, lb_u64 start, lb_u64 end);
int lb_dump_walk(const struct lb_machine *m, lb_dump_fn fn, void *ctx);
lb_u64 lb_elfcore_nr_loads(const struct lb_machine *m);
void lb_elfcore_build(const struct lb_machine *m, const struct lb_layout *l,
		      const struct lb_image *img, lb_u8 *buf);

int lb_memmap_build(const struct lb_machine *m, lb_u64 meta_len, lb_u8 *table,
		    unsigned int max, unsigned int *nr, struct lb_err *err);

lb_u64 lb_pgtable_pages(const struct lb_machine *m);
int lb_pgtable_build(const struct lb_machine *m, lb_u8 *tables,
		     lb_u64 tables_pa, lb_u64 nr_pages, lb_u64 tramp_pa,
		     struct lb_err *err);

int lb_cmdline_build(const struct lb_kernel *k, lb_u64 elfcorehdr_pa,
		     const char *user, char *buf, lb_u64 *len,
		     struct lb_err *err);
void lb_bootparams_setup(const struct lb_kernel *k, lb_u32 subarch,
			 lb_u64 acpi_rsdp, lb_u64 cmdline_pa, lb_u64 initrd_pa,
			 lb_u64 initrd_len, lb_u8 *bp);
void lb_bootparams_mem_k(lb_u8 *bp, unsigned int nr);
int lb_bootparams_build(const struct lb_machine *m, const struct lb_kernel *k,
			const struct lb_image *img, lb_u8 *bp,
			struct lb_err *err);

void lb_tramp_build(const struct lb_machine *m, const struct lb_image *img,
		    lb_u8 *page);

int lb_vmcoreinfo_check(const void *note, lb_u64 len, struct lb_err *err);
void lb_vmcoreinfo_copy(lb_u8 *dst, const void *note);

#endif /* LIFEBOAT_CAPTURE_INTERNAL_H */
