/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fast reboot's image: a kernel booted without the firmware, on a
 * machine whose memory is all in use. Unlike the capture image, nothing of
 * it can be written to where it runs until the old kernel is done: the
 * module keeps the kernel's and the initrd's bytes in pages it takes from
 * the page allocator, anywhere but in the window they will be copied to,
 * and the trampoline copies them into place after the switch to the
 * identity map, walking a page list in the kexec format (IND_* in
 * lifeboat/tramp.h). The pages that hold the list, and the control block
 * (the trampoline page, boot_params, the command line, a stack and the
 * identity tables), stay out of the window too, so that the copy never
 * overwrites what it still reads.
 *
 * The window [window_start, window_end) is one stretch of RAM in the new
 * kernel's memory map: the kernel's protected-mode part at kernel_load
 * (at least 16 MiB, aligned to kernel_alignment and 2 MiB, init_size of
 * room), then the initrd, page aligned. It keeps out of the ranges the
 * caller names (the crashkernel region; in a capture kernel, its own RAM,
 * where the sources are).
 *
 * Pure computation on buffers, like the capture builder (lifeboat/image.h).
 */
#ifndef LIFEBOAT_BOOT_H
#define LIFEBOAT_BOOT_H

#include "lifeboat/err.h"
#include "image.h"
#include "shim.h"

/* Why a machine cannot take a fast reboot at all. */
enum lb_boot_hyper {
	LB_HYPER_NONE,		/* bare metal, KVM, anything without a kexec hook */
	LB_HYPER_XEN,		/* Xen: soft reset only for the kernel's own kexec */
	LB_HYPER_HYPERV,	/* Hyper-V: VMBus unload only for the kernel's own kexec */
};

struct lb_boot_env {
	unsigned int cpus_online;
	unsigned int cpus_present;
	enum lb_boot_hyper hyper;
	bool mem_encrypt;	/* SME, SEV or TDX: caches and keys the copy cannot handle */
	/*
	 * The CPU that would jump is not the boot processor (APIC base MSR):
	 * a capture kernel runs on the CPU that crashed. The new kernel could
	 * bring the real one up only with an INIT, which resets some
	 * machines; 6.12 leaves it out instead.
	 */
	bool off_bsp;
};

/*
 * Says why the machine cannot take a fast reboot: -EOPNOTSUPP with a
 * sentence, or 0.
 */
int lb_boot_refusal(const struct lb_boot_env *e, struct lb_err *err);

struct lb_boot_input {
	/* The new kernel's memory map, E820 types, sorted, non-overlapping. */
	const struct lb_mem_range *map;
	unsigned int nr_map;
	/* Ranges the window keeps out of, sorted by start. */
	const struct lb_mem_range *avoid;
	unsigned int nr_avoid;
	const void *kernel;
	lb_u64 kernel_len;
	lb_u64 initrd_len;	/* the bytes are the caller's business */
	const char *cmdline;	/* passed as it is */
	bool la57;
	lb_u64 acpi_rsdp;
	/* The trampoline, as in struct lb_machine. */
	const void *tramp_code;
	lb_u64 tramp_len;
	lb_u64 tramp_va;
	lb_u64 tramp_nmi_off;
	lb_u64 tramp_fault_off;
};

/* Where everything goes; offsets into the control block. */
struct lb_boot_plan {
	const char *loader;
	lb_u64 window_start;
	lb_u64 window_end;
	lb_u64 kernel_load;
	lb_u64 kernel_memsz;
	lb_u64 entry;
	lb_u64 initrd_pa;	/* 0 without an initrd */
	/*
	 * The kernel's bytes to copy: [pm_off, pm_off + pm_len) of the file
	 * (its protected-mode part, or an unpacked kernel's image).
	 */
	lb_u64 pm_off;
	lb_u64 pm_len;
	/* The control block: [tramp | boot_params | cmdline | stack | tables]. */
	lb_u64 tramp_off;
	lb_u64 bp_off;
	lb_u64 cmdline_off;
	lb_u64 stack_off;
	lb_u64 pt_off;
	lb_u64 pt_pages;
	lb_u64 ctl_len;
};

/*
 * Parses the kernel and places the window. -ENOEXEC (not a kernel we
 * boot), -ENOSPC (no RAM stretch holds it), -EINVAL (a malformed map),
 * -E2BIG (a map or a command line too long for boot_params).
 */
int lb_boot_plan(const struct lb_boot_input *in, struct lb_boot_plan *p,
		 struct lb_err *err);

/*
 * Is [pa, pa + len) usable by the jump: identity mapped (RAM, ACPI or NVS
 * in the map) and outside the window? Sources, list pages and the control
 * block must be.
 */
bool lb_boot_page_ok(const struct lb_boot_input *in,
		     const struct lb_boot_plan *p, lb_u64 pa, lb_u64 len);

/*
 * Writes the control block (p->ctl_len bytes at @ctl, zeroed by the
 * builder), which the caller placed at the page-aligned physical address
 * @ctl_pa; @list_pa is the first page of the copy list (the trampoline
 * walks it before it enters the kernel). -EINVAL if the block is not
 * usable (lb_boot_page_ok()) or the map does not match the plan.
 */
int lb_boot_build(const struct lb_boot_input *in, const struct lb_boot_plan *p,
		  lb_u64 ctl_pa, lb_u64 list_pa, void *ctl, struct lb_err *err);

#endif /* LIFEBOAT_BOOT_H */
