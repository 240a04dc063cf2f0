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
#include <stdio.h>

struct lb_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

extern const char lb_sysfs_dir[];
extern const char lb_dev_path[];

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

/* Reads a sysfs attribute of /sys/kernel/lifeboat into buf, newline stripped; 0 or -errno. */
int lb_sysfs_read(const char *attr, char *buf, size_t len);
/* Writes a string to a sysfs attribute; 0 or -errno. */
int lb_sysfs_write(const char *attr, const char *val);

/*
 * Load and arm, shared by `lifeboat load`/`arm` and the boot-time start
 * (cmd_load.c). Each prints its own diagnostic and returns 0 or 1.
 * append may be NULL for the default capture command line.
 */
int lb_do_load(const char *kernel, const char *initrd, const char *append);
/*
 * The capture kernel's command line: this kernel's consoles, the capture
 * parameters, then extra (may be NULL). 0, or -E2BIG if it does not fit.
 */
int lb_capture_cmdline(char *buf, size_t len, const char *extra);
int lb_do_unload(void);
int lb_do_arm(void);
int lb_do_disarm(void);

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

#endif
