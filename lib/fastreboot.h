/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fast reboot's text, kept apart from the I/O: the memory map file a
 * fast reboot may hand the new kernel (one range a line, as
 * /sys/firmware/memmap names the types), the entries of
 * /sys/firmware/memmap themselves, Debian's /etc/default/kexec, the
 * running kernel's command line reused, and the module's fast_reboot
 * attribute.
 *
 * Everything here works on buffers the caller filled: no file or process
 * I/O. machine/reboot.c reads the files and makes the requests; the unit
 * tests (tests/unit/test_lib_fastreboot.c) and the fuzzer
 * (fuzz/fuzz_fastreboot.c) call it directly. Text from outside is hostile:
 * lengths are explicit, nothing needs a NUL, and every string handed back
 * is NUL-terminated. Failures return a negative errno and fill a struct
 * lb_err with a sentence for the operator.
 */
#ifndef LIFEBOAT_FASTREBOOT_H
#define LIFEBOAT_FASTREBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lifeboat/ranges.h"

/* ---- E820 types by the names the kernel gives them -------------------- */

/*
 * The name the kernel gives an E820 type in /sys/firmware/memmap/N/type
 * (arch/x86/kernel/e820.c, e820_type_to_string()): "System RAM",
 * "Reserved", "ACPI Tables", "ACPI Non-volatile Storage", "Unusable memory",
 * "Persistent Memory", "Persistent Memory (legacy)", "Soft Reserved".
 * Return: the name, or NULL for a type it has none for.
 */
const char *lb_e820_type_name(uint32_t type);

/*
 * The E820 type of one of those names (len bytes of name, exact case).
 * Return: 0, or -EINVAL for any other name.
 */
int lb_e820_type_parse(const char *name, size_t len, uint32_t *ret);

/* ---- the memory map file ---------------------------------------------- */

/*
 * One range a line, "0x<start> 0x<end> <type name>", end exclusive, the
 * type named as lb_e820_type_name() names it; blank lines and lines that
 * start with '#' are skipped. lb_memmap_format() writes it,
 * lb_memmap_parse() reads it back.
 */

/*
 * Sorts nr ranges by start and checks them: each non-empty, none
 * overlapping another, at least one of System RAM. what names the map in
 * the sentence ("memory map 'FILE'").
 * Return: 0, or -EINVAL with err naming the offending ranges.
 */
int lb_memmap_check(struct lb_mem_range *ranges, unsigned int nr, const char *what,
		    struct lb_err *err);

/*
 * Parses a memory map file into ranges (room for cap), sorted and checked
 * as lb_memmap_check() does; name is the file's name for the sentence.
 * Return: 0, -EINVAL for a malformed line, an unknown type name or ranges
 * that overlap (err says which line or ranges), -E2BIG for more than cap
 * ranges.
 */
int lb_memmap_parse(const char *text, size_t len, const char *name, struct lb_mem_range *ranges,
		    unsigned int cap, unsigned int *nr, struct lb_err *err);

/*
 * Writes ranges as a memory map file, after a comment line that says what
 * the file is. Return: the length the text needs (without the NUL), as
 * snprintf() does, or 0 for a type lb_e820_type_name() has no name for.
 */
size_t lb_memmap_format(const struct lb_mem_range *ranges, unsigned int nr, char *buf, size_t len);

/*
 * One entry of /sys/firmware/memmap: the texts of its start, end (inclusive)
 * and type attributes, as read (a trailing newline is fine). The kernel's
 * "Unknown E820 type" becomes Reserved, as the kernel itself treats such a
 * range. entry names the entry in the sentence.
 * Return: 0, or -EINVAL with err saying which attribute is wrong.
 */
int lb_memmap_sysfs_entry(const char *start, size_t start_len, const char *end, size_t end_len,
			  const char *type, size_t type_len, unsigned int entry,
			  struct lb_mem_range *ret, struct lb_err *err);

/* ---- /etc/default/kexec ----------------------------------------------- */

enum {
	LB_KEXEC_PATH = 4096,
	LB_KEXEC_CMDLINE = 4096,
};

/* What Debian's kexec-tools keeps in /etc/default/kexec, as far as a reboot needs it. */
struct lb_kexec_defaults {
	bool has_kernel, has_initrd, has_append;	/* the key was set */
	bool use_grub_config;				/* USE_GRUB_CONFIG=true */
	char kernel[LB_KEXEC_PATH];			/* KERNEL_IMAGE */
	char initrd[LB_KEXEC_PATH];			/* INITRD; "": none */
	char append[LB_KEXEC_CMDLINE];			/* APPEND; "": /proc/cmdline */
};

/*
 * Parses the shell assignments of /etc/default/kexec: KEY=value,
 * KEY="value" or KEY='value' (with an optional "export "), one a line,
 * comments and blank lines skipped, keys other than KERNEL_IMAGE, INITRD,
 * APPEND and USE_GRUB_CONFIG ignored; the last assignment of a key wins, as
 * in the shell.
 * Anything the shell would expand ($, `) in an unquoted or double-quoted
 * value is refused rather than guessed at. name is the file's name.
 * Return: 0, or -EINVAL (err says which line and why), -E2BIG for a value
 * longer than its field.
 */
int lb_kexec_defaults_parse(const char *text, size_t len, const char *name,
			    struct lb_kexec_defaults *ret, struct lb_err *err);

/* ---- the running kernel's command line --------------------------------- */

/*
 * /proc/cmdline (len bytes) as the next kernel's command line, as kexec-tools'
 * --reuse-cmdline makes it: the trailing newline and every BOOT_IMAGE=
 * parameter (the boot loader's, naming the running kernel's file) dropped,
 * the rest as it is.
 * Return: 0, or -E2BIG when it does not fit buf.
 */
int lb_cmdline_reuse(const char *text, size_t len, char *buf, size_t buflen);

/* ---- /sys/kernel/lifeboat/fast_reboot ---------------------------------- */

struct lb_fast_reboot {
	bool loaded;			/* false: the attribute reads "none" */
	char loader[32];		/* loader=: how the kernel is booted */
	uint64_t kernel_len;		/* kernel=, bytes */
	uint64_t initrd_len;		/* initrd=, bytes */
	uint64_t load;			/* load=, where the kernel goes */
	uint64_t pages;			/* pages= the module holds */
	uint64_t first_page;		/* first_page= */
	char cmdline[LB_KEXEC_CMDLINE];	/* cmdline= */
};

/*
 * Parses the attribute: "none", or "loaded" then key=value lines (loader,
 * kernel, initrd, load, cmdline, pages, first_page; keys it does not know are
 * skipped, so a newer module still reads).
 * Return: 0, or -EINVAL for anything else.
 */
int lb_fast_reboot_parse(const char *text, size_t len, struct lb_fast_reboot *ret);

#endif
