/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lifeboat command's subcommands. Each lives in its own cmd_*.c file and
 * is listed once in lifeboat.c's table. A subcommand gets argv from its own
 * name on, prints data on stdout and diagnostics on stderr, and returns the
 * exit status: 0 success, 1 failure, 2 usage error.
 */
#ifndef LIFEBOAT_COMMANDS_H
#define LIFEBOAT_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sys.h"

struct lb_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/*
 * "lifeboat: " + message + "\n" on stderr; returns 1 for `return lb_error(...)`
 * (cmdutil.c, as lb_usage()).
 */
int lb_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The end of a subcommand's option loop: for --help (help true) usage goes
 * to stdout and the status is 0; for an unknown option, a missing argument
 * or operands it does not take, usage goes to stderr and the status is 2.
 * Return: that status, for `return lb_usage(...)`.
 */
int lb_usage(bool help, void (*usage)(FILE *out));

/*
 * Load and arm, shared by `lifeboat load`/`arm` and the boot-time start
 * (cmd_load.c). Each prints its own diagnostic and returns 0 or 1.
 * append may be NULL for the default capture command line.
 */
int lb_capture_load(const char *kernel, const char *initrd, const char *append,
		    uint64_t runtime, bool unpack);
/* The same with the kernel already read (and unpacked, if it is to be): kernel names it. */
int lb_capture_load_image(const char *kernel, const void *kbuf, size_t klen, const char *initrd,
			  const char *append, uint64_t runtime);
int lb_capture_unload(void);
int lb_capture_arm(void);
int lb_capture_disarm(void);

/*
 * Prints the estimate for this machine and these files (NULL: the running
 * release's defaults) with its breakdown, the region and the verdict.
 * *total gets the recommended size (0 if it could not be made).
 * Return: 0 the region is enough, 1 otherwise (diagnostics on stderr).
 */
int lb_estimate_report(const char *kernel, const char *initrd, uint64_t *total);

int cmd_status(int argc, char **argv);
int cmd_estimate(int argc, char **argv);
int cmd_reserve(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_mkinitramfs(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_arm(int argc, char **argv);
int cmd_disarm(int argc, char **argv);
int cmd_reboot(int argc, char **argv);

#endif
