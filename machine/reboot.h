/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fast reboot on this machine: the files a fast reboot boots, read and
 * handed to the module (LIFEBOAT_IOC_REBOOT_LOAD on /dev/lifeboat), its
 * cancellation, and the running machine's firmware memory map saved as a
 * memory map file (../lib/fastreboot.h has the format). `lifeboat reboot`
 * calls these, and so does the capture side, which boots the production
 * kernel again after saving a dump. Functions return 0 or -errno and fill
 * a struct lb_err with the sentence; only the commands print.
 */
#ifndef LIFEBOAT_MACHINE_REBOOT_H
#define LIFEBOAT_MACHINE_REBOOT_H

#include <stdint.h>

#include "fastreboot.h"

/* The files of a fast reboot. */
struct lb_reboot_files {
	const char *kernel;	/* a bzImage */
	const char *initrd;	/* its initramfs; NULL: none */
	/*
	 * The new kernel's command line, handed over as it is, except that
	 * lockdown=LEVEL is added when this kernel is locked down (as
	 * `lifeboat load` does for the capture kernel), so that a fast reboot
	 * never lowers it. NULL: empty.
	 */
	const char *cmdline;
	/*
	 * A memory map file (lb_memmap_save() writes one); NULL: the module
	 * uses the running machine's firmware map.
	 */
	const char *memmap;
};

/* What a load would hand the module, for the command to show. */
struct lb_reboot_plan {
	uint64_t kernel_len;
	uint64_t initrd_len;		/* 0 without an initrd */
	unsigned int nr_map;		/* ranges of the memory map file; 0 without one */
	uint64_t map_ram;		/* bytes of System RAM in it */
	uint64_t acpi_rsdp;		/* the ACPI root pointer handed on; 0: the module's */
	char cmdline[LB_KEXEC_CMDLINE];	/* the command line as it will be handed over */
};

/*
 * Everything lb_reboot_load() checks before its request, without the
 * request: the kernel and the initrd are non-empty regular files that open,
 * the command line fits, the memory map file parses. ret (may be NULL) gets
 * what a load would hand over.
 * Return: 0, or -errno with err saying which file and why.
 */
int lb_reboot_check(const struct lb_reboot_files *f, struct lb_reboot_plan *ret,
		    struct lb_err *err);

/*
 * Makes f what the next reboot boots, without the firmware: reads the
 * files (mapped, not copied), parses the memory map file, then asks the
 * module (LIFEBOAT_IOC_REBOOT_LOAD), handing on the ACPI root pointer of
 * this kernel's boot_params when it has one (a capture kernel knows it only
 * from there; 0 lets the module find its own). Anything wrong with the files is found
 * before the request, and a refused request changes nothing: the previous
 * fast reboot, if any, stays.
 * Return: 0, or -errno with err holding the sentence (the module's for a
 * refusal: ENOEXEC, ENOMEM, E2BIG, EINVAL, EPERM, EOPNOTSUPP).
 */
int lb_reboot_load(const struct lb_reboot_files *f, struct lb_err *err);

/*
 * Makes the next reboot a firmware one again (LIFEBOAT_IOC_REBOOT_CANCEL).
 * Return: 0; -ENOENT when no fast reboot was loaded, or the module is not
 * loaded (err says which); or -errno with err.
 */
int lb_reboot_cancel(struct lb_err *err);

/*
 * Reads the firmware memory map of a /sys/firmware/memmap-like directory
 * (entries 0, 1, ... each with start, end and type) into ranges (room for
 * cap), sorted and checked as lb_memmap_check() does.
 * Return: 0, -ENOENT for a missing directory, -E2BIG for more than cap
 * entries, -EINVAL for a malformed entry, or -errno; err says why.
 */
int lb_memmap_read(const char *dir, struct lb_mem_range *ranges, unsigned int cap,
		   unsigned int *nr, struct lb_err *err);

/*
 * Writes the running machine's /sys/firmware/memmap to path as a memory map
 * file (through path.tmp and a rename), for a fast reboot later from a
 * kernel that no longer has that map (the capture kernel).
 * Return: 0, or -errno with err.
 */
int lb_memmap_save(const char *path, struct lb_err *err);

/* Debian kexec-tools' defaults, which `lifeboat reboot` follows. */
extern const char lb_kexec_defaults_path[];	/* /etc/default/kexec */

/* What the command line asked for; NULL and false: the default. */
struct lb_reboot_opts {
	const char *kernel;
	const char *initrd;
	bool no_initrd;
	const char *append;
	bool reuse_cmdline;
};

/* The files and command line a fast reboot boots, defaults applied. */
struct lb_reboot_choice {
	char kernel[LB_KEXEC_PATH];
	char initrd[LB_KEXEC_PATH];	/* "": none */
	char cmdline[LB_KEXEC_CMDLINE];
	/* What to tell besides (no initramfs, USE_GRUB_CONFIG not followed): lines, or "". */
	char note[LB_KEXEC_PATH + 256];
};

/*
 * Applies the defaults Debian's kexec-tools applies: KERNEL_IMAGE, INITRD
 * and APPEND of defaults_path (lb_kexec_defaults_path) when it exists, else
 * /vmlinuz, /initrd.img (none when it does not exist: note says so) and this
 * kernel's command line (/proc/cmdline as lb_cmdline_reuse() makes it; an
 * empty APPEND means it too). The options come first.
 * Return: 0, or -errno with err (a malformed defaults file, an unreadable
 * /proc/cmdline).
 */
int lb_reboot_choose(const char *defaults_path, const struct lb_reboot_opts *o,
		     struct lb_reboot_choice *ret, struct lb_err *err);

/* Does /sys/kernel/kexec_loaded say the kernel's own kexec image is loaded? */
bool lb_kexec_loaded(void);

#endif
