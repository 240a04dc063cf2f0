/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which crash and drgn read which kernels' dumps: a table of the first
 * release of each that reads a kernel series (readers.c), and the verdict
 * for an installed version against a dump's kernel release. Pure functions:
 * the caller runs `crash --version` and reads the release from the dump.
 */
#ifndef LIFEBOAT_READERS_H
#define LIFEBOAT_READERS_H

#include <stddef.h>

enum lb_reader { LB_READER_CRASH, LB_READER_DRGN };

enum lb_reader_verdict {
	LB_READER_OK,		/* the version reads this kernel's dumps */
	LB_READER_TOO_OLD,	/* it does not: *need names the first that does */
	LB_READER_UNKNOWN,	/* the kernel is newer than the table knows;
				 * *need is the least it takes (the newest row's) */
	LB_READER_BAD_INPUT,	/* version or release not understood */
};

struct lb_reader_row {
	unsigned int major, minor;	/* first kernel series of the row */
	const char *crash;		/* first crash release that reads it */
	const char *drgn;		/* first drgn release that reads it */
};

/* The table, oldest series first; *nr gets its length. */
const struct lb_reader_row *lb_reader_table(size_t *nr);

/* "crash" or "drgn". */
const char *lb_reader_name(enum lb_reader r);

/* Compares dotted numeric versions ("8.0.6" < "8.0.10"); extra text after
 * the numbers ("-1", "+git") is ignored. -1, 0 or 1; -2 when either is not
 * a version. */
int lb_version_cmp(const char *a, const char *b);

/* "6.12.117+deb12-amd64" -> 6, 12. 0, or -EINVAL. */
int lb_kernel_series(const char *release, unsigned int *major, unsigned int *minor);

/*
 * The first version word of a tool's --version output: "crash 8.0.2\n..."
 * -> "8.0.2", "0.0.22\n" -> "0.0.22", "drgn 0.0.28 (using Python ...)" ->
 * "0.0.28". 0, or -ENOENT.
 */
int lb_reader_version_parse(const char *text, size_t len, char *buf, size_t buflen);

/*
 * The kernel release in the header of makedumpfile's kdump-compressed file
 * (signature "KDUMP   ", struct new_utsname after the header version): buf
 * is the file's first bytes. 0, or -ENOENT when buf is not such a header
 * or names no release.
 */
int lb_kdump_header_release(const unsigned char *buf, size_t len, char *out, size_t outlen);

/*
 * May `version` of reader r read dumps of kernel `release`? *need (may be
 * NULL) gets the least version that does, or NULL when the table asks for
 * nothing (a kernel older than its first row).
 */
enum lb_reader_verdict lb_reader_check(enum lb_reader r, const char *version, const char *release,
				       const char **need);

#endif
