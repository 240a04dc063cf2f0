/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The ABI between the lifeboat command and lifeboat.ko: ioctls on
 * /dev/lifeboat. Fixed-width fields only; pointers travel as __u64.
 */
#ifndef _UAPI_LIFEBOAT_H
#define _UAPI_LIFEBOAT_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define LIFEBOAT_ABI_VERSION 1

/* Room for the sentence that explains a failed request. */
#define LIFEBOAT_ERR_LEN 256

/**
 * struct lifeboat_load - a capture image to place in the region
 * @version:	LIFEBOAT_ABI_VERSION
 * @flags:	0, or LIFEBOAT_LOAD_RUNTIME
 * @kernel:	user address of the capture kernel (a bzImage)
 * @kernel_len:	its length in bytes
 * @initrd:	user address of the capture initramfs (0 for none)
 * @initrd_len:	its length in bytes
 * @cmdline:	user address of the capture command line, NUL-terminated;
 *		elfcorehdr= is prepended by the module
 * @cmdline_len: its length including the NUL
 * @crashing_cpu: kernel address of the variable crashing_cpu (from
 *		/proc/kallsyms), which dump readers use to find the CPU that
 *		panicked; 0 if unknown
 * @err:	user address of LIFEBOAT_ERR_LEN bytes for the sentence
 *		explaining a failure (0 for none)
 * @region_size: with LIFEBOAT_LOAD_RUNTIME, the bytes of the region to
 *		take at run time; otherwise 0
 *
 * With LIFEBOAT_LOAD_RUNTIME, on a machine with no boot-time region, the
 * module takes @region_size bytes of memory at run time: a contiguous range
 * for the capture kernel's image and the rest in as few ranges as it can.
 * A load of the same size into a run-time region that holds one reuses it;
 * otherwise a new one is taken and the old one given back once the new
 * image is in place. A failed load gives back what it took. Unload gives
 * the region back.
 */
struct lifeboat_load {
	__u32 version;
	__u32 flags;
	__u64 kernel;
	__u64 kernel_len;
	__u64 initrd;
	__u64 initrd_len;
	__u64 cmdline;
	__u64 cmdline_len;
	__u64 crashing_cpu;
	__u64 err;
	__u64 region_size;
};

/* struct lifeboat_load's flags: take the region at run time. */
#define LIFEBOAT_LOAD_RUNTIME	0x1U

/**
 * struct lifeboat_req - a request that only needs the error sentence
 * @version:	LIFEBOAT_ABI_VERSION
 * @flags:	must be 0
 * @err:	user address of LIFEBOAT_ERR_LEN bytes, or 0
 */
struct lifeboat_req {
	__u32 version;
	__u32 flags;
	__u64 err;
};

/**
 * struct lifeboat_range - one range of a memory map, as E820 has it
 * @start:	first byte
 * @end:	one past the last byte
 * @type:	E820 type: 1 RAM, 2 reserved, 3 ACPI tables, 4 ACPI NVS, ...
 * @pad:	0
 */
struct lifeboat_range {
	__u64 start;
	__u64 end;
	__u32 type;
	__u32 pad;
};

/* The most ranges a struct lifeboat_reboot may carry. */
#define LIFEBOAT_REBOOT_MAX_RANGES 128

/**
 * struct lifeboat_reboot - the kernel the next reboot boots, without the firmware
 * @version:	LIFEBOAT_ABI_VERSION
 * @flags:	none defined yet; must be 0
 * @kernel:	user address of the kernel (a bzImage)
 * @kernel_len:	its length in bytes
 * @initrd:	user address of the initramfs (0 for none)
 * @initrd_len:	its length in bytes
 * @cmdline:	user address of the command line, NUL-terminated, passed as is
 * @cmdline_len: its length including the NUL
 * @map:	user address of the new kernel's memory map, an array of
 *		struct lifeboat_range sorted by start (0: the firmware's map
 *		of the running kernel, /sys/firmware/memmap)
 * @nr_map:	entries in @map, at most LIFEBOAT_REBOOT_MAX_RANGES
 * @acpi_rsdp:	physical address of the ACPI RSDP for the new kernel's
 *		boot_params (0: the module's own, from the EFI configuration
 *		table, or none on a BIOS machine, where the kernel searches);
 *		a capture kernel knows it only from its own boot_params
 * @err:	user address of LIFEBOAT_ERR_LEN bytes for the sentence
 *		explaining a failure (0 for none)
 *
 * The module copies the files into pages of ordinary memory; at the next
 * restart (reboot(2) with LINUX_REBOOT_CMD_RESTART, after the devices are
 * shut down) it stops the other CPUs, copies the pages into place and
 * enters the new kernel. Any failure on the way means a firmware reboot.
 */
struct lifeboat_reboot {
	__u32 version;
	__u32 flags;
	__u64 kernel;
	__u64 kernel_len;
	__u64 initrd;
	__u64 initrd_len;
	__u64 cmdline;
	__u64 cmdline_len;
	__u64 map;
	__u64 nr_map;
	__u64 acpi_rsdp;
	__u64 err;
};

/*
 * When the kernel is locked down, LIFEBOAT_IOC_LOAD accepts only a capture
 * kernel whose Authenticode signature verifies against the keys the kernel
 * trusts for kexec, and otherwise fails, changing nothing, with ENODATA (not
 * signed), ELIBBAD (a malformed PE file), EBADMSG (a malformed signature),
 * ENOPKG (a digest other than SHA-256), ENOKEY (a key neither the secondary
 * nor the platform keyring holds) or EKEYREJECTED (the signature, or the
 * file's digest, does not match). LIFEBOAT_IOC_ARM fails with EPERM when the
 * kernel is locked down and the loaded kernel was not verified.
 */
#define LIFEBOAT_IOC_LOAD	_IOW('L', 1, struct lifeboat_load)
#define LIFEBOAT_IOC_UNLOAD	_IOW('L', 2, struct lifeboat_req)
#define LIFEBOAT_IOC_ARM	_IOW('L', 3, struct lifeboat_req)
#define LIFEBOAT_IOC_DISARM	_IOW('L', 4, struct lifeboat_req)
/*
 * LIFEBOAT_IOC_REBOOT_LOAD replaces what the next reboot boots; it fails,
 * changing nothing, with ENOEXEC (not a kernel it can boot), ENOMEM, E2BIG
 * (a command line or map too long), EINVAL (a malformed map), EPERM (the
 * kernel is locked down and the image's signature does not verify) or
 * EOPNOTSUPP (a machine the fast reboot refuses: an offline CPU, a Xen or
 * Hyper-V guest, encrypted memory). LIFEBOAT_IOC_REBOOT_CANCEL makes the
 * next reboot a firmware one again (ENOENT if none was loaded).
 */
#define LIFEBOAT_IOC_REBOOT_LOAD	_IOW('L', 5, struct lifeboat_reboot)
#define LIFEBOAT_IOC_REBOOT_CANCEL	_IOW('L', 6, struct lifeboat_req)

#endif /* _UAPI_LIFEBOAT_H */
