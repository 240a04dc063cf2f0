/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The I/O the capture-side commands share (save, report, mkinitramfs,
 * start): files written so that a crash or a power cut never leaves a
 * half-written one under its final name, child processes, the dump target
 * on this machine, the configuration file. Functions return 0 or -errno and
 * fill a struct lb_err with the sentence; only the commands print.
 */
#ifndef LIFEBOAT_SYS_H
#define LIFEBOAT_SYS_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "dumptools.h"

#define LB_CONF_PATH "/etc/lifeboat.conf"
#define LB_STATE_DIR "/var/lib/lifeboat"
#define LB_TARGET_MNT "/run/lifeboat/target"

/*
 * Reads a whole file (regular, or /proc and /sys files that report size 0)
 * into a NUL-terminated malloc'd buffer (readfile.c).
 * Return: 0, -EFBIG when it holds more than max bytes, or -errno.
 */
int lb_read_file(const char *path, size_t max, char **buf, size_t *len);

/*
 * Reads a small file (a sysfs attribute, a state file) into buf, trailing
 * newlines dropped, cut to fit. Return: 0 or -errno.
 */
int lb_read_line(const char *path, char *buf, size_t len);

/*
 * Reads the configuration: defaults, then the file. A missing file is an
 * error only when must_exist (the user named it); otherwise the defaults hold.
 */
int lb_conf_load(const char *path, int must_exist, struct lb_conf *conf, struct lb_err *err);

/* Writes path through path.tmp, fsync and rename, then fsyncs the directory. */
int lb_write_file(const char *path, const void *buf, size_t len);
int lb_fsync_path(const char *path);
int lb_mkdir_p(const char *path, mode_t mode);
/* Removes a directory tree without following symlinks. */
int lb_rm_rf(const char *path);
unsigned long long lb_now_ms(void);

/*
 * Runs argv (argv[0] searched in PATH) and waits. With out, stdout and
 * stderr are collected there (NUL-terminated, the tail kept when it does not
 * fit); with echo they are also copied to stderr as they come. Without out,
 * the child writes to our stdout and stderr.
 * Return: the exit status (0-255), 128 + signal, or -errno if it did not start.
 */
int lb_run(const char *const argv[], char *out, size_t outlen, int echo);
/* The full path of an executable in PATH, or -ENOENT. */
int lb_find_exe(const char *name, char *buf, size_t len);
/* Where this program is. */
int lb_self_exe(char *buf, size_t len);

/* ---- the module for the running kernel ------------------------------- */

/* /sys/kernel/lifeboat and /dev/lifeboat (module.c). */
extern const char lb_sysfs_dir[];
extern const char lb_dev_path[];

/* Reads a sysfs attribute of /sys/kernel/lifeboat into buf, newline stripped; 0 or -errno. */
int lb_sysfs_read(const char *attr, char *buf, size_t len);
/* Writes a string to a sysfs attribute; 0 or -errno. */
int lb_sysfs_write(const char *attr, const char *val);

/* The capture parameters a default command line ends with. */
extern const char lb_capture_params[];

/*
 * The ACPI root pointer this kernel was handed in its boot_params, as
 * /sys/kernel/boot_params/data shows them; 0 when it was not (the kernel
 * found the tables itself) or they cannot be read. A kernel Lifeboat booted
 * BIOS-style on a UEFI machine (a capture kernel, a fast reboot) knows it
 * only from there, and so would the kernel it boots.
 */
uint64_t lb_boot_params_rsdp(void);

/*
 * The capture kernel's default command line: this kernel's consoles, the
 * ACPI root pointer when this kernel has it only from its boot_params and
 * no EFI, the capture parameters, then extra (may be NULL). 0, or -E2BIG if
 * it does not fit.
 */
int lb_capture_cmdline(char *buf, size_t len, const char *extra);

/*
 * The lockdown level in force ("integrity", "confidentiality") into level:
 * true when the kernel is locked down, false when not or when securityfs
 * is not mounted.
 */
bool lb_lockdown_level(char *level, size_t len);

/*
 * The command line a load hands the module: append, or the default one;
 * then lockdown=LEVEL when this kernel is locked down (the capture kernel
 * starts with no Secure Boot state of its own). 0, or -E2BIG with err.
 */
int lb_load_cmdline(const char *append, char *buf, size_t len, struct lb_err *err);

/*
 * Is Linux's own crash kernel loaded (kexec -p)? It would take the panic
 * before Lifeboat's hook.
 */
bool lb_kdump_loaded(void);

/*
 * Lifeboat's region is the module's: loads it (modprobe) if it is not
 * loaded. A kernel with no module for it (installed after Lifeboat, DKMS
 * has not built it) is told apart from a modprobe that fails.
 * Return: 0, or -errno with err saying why.
 */
int lb_module_ensure(struct lb_err *err);

/* Opens /dev/lifeboat. Return: the descriptor, or -errno with err saying why. */
int lb_module_open(struct lb_err *err);

/*
 * Hands the module a capture kernel, its initramfs (may be NULL, 0) and
 * command line (LIFEBOAT_IOC_LOAD), into the boot-time region, or with
 * runtime > 0 into a region of that many bytes the module takes at run
 * time (LIFEBOAT_LOAD_RUNTIME); or asks for unload, arm or disarm
 * (lb_module_request(), LIFEBOAT_IOC_*). Return: 0, or -errno of the
 * refusal with err holding the module's sentence (the errno's when it gave
 * none).
 */
int lb_module_load(int fd, const void *kernel, size_t klen, const void *initrd, size_t ilen,
		   const char *cmdline, uint64_t runtime, struct lb_err *err);
int lb_module_request(int fd, unsigned long cmd, struct lb_err *err);

enum lb_kmod_where {
	LB_KMOD_LOADED,		/* /sys/module/lifeboat is there */
	LB_KMOD_INSTALLED,	/* in the kernel's modules.dep: modprobe finds it */
	LB_KMOD_UNINDEXED,	/* a file where DKMS or `make install` puts it, unknown to modprobe */
	LB_KMOD_NONE,
};

struct lb_kmod {
	enum lb_kmod_where where;
	char kver[65];		/* the running kernel's release (uname -r) */
	char path[PATH_MAX + 96];	/* the module file, "" when LB_KMOD_LOADED or LB_KMOD_NONE */
};

/*
 * Is there a lifeboat.ko for the running kernel, loaded or where modprobe
 * finds it (/lib/modules/<release>/modules.dep, as modinfo -k reads it)?
 * A kernel installed after Lifeboat has none until DKMS builds it.
 * Return: 0 when it is loaded or installed; -ENOENT when not (the sentence
 * says what to run: dkms autoinstall or make install, or depmod for a file
 * modprobe does not know); km is filled either way.
 */
int lb_kmod_find(struct lb_kmod *km, struct lb_err *err);

/* ---- the dump target ------------------------------------------------- */

/* Finds the block device spec names (UUID=, LABEL= or a /dev/ path) and its filesystem. */
int lb_target_find(const char *spec, char *dev, size_t devlen, struct lb_fsinfo *fs,
		   struct lb_err *err);

/*
 * The filesystem holding path (or its nearest existing parent) on this
 * machine: its device node, mount point and type.
 */
int lb_fs_of_path(const char *path, char *dev, size_t devlen, char *mnt, size_t mntlen,
		  char *fstype, size_t fslen, struct lb_err *err);

/*
 * The modules that drive dev, from its sysfs ancestors, bus first, as
 * space-separated names. Built-in drivers have no module and are left out.
 * Stacked devices (device-mapper, md) are refused.
 */
int lb_block_modules(const char *dev, char *out, size_t len, struct lb_err *err);

/* The crash directory of the configured target on this machine. */
struct lb_target {
	char dev[256];		/* the target's device, "" when target is unset */
	struct lb_fsinfo fs;
	char mnt[PATH_MAX];	/* where it is mounted */
	int we_mounted;		/* mounted by lb_target_open(), at mnt */
	char dir[PATH_MAX];	/* mnt + path: where the dumps are */
};

/*
 * Finds the target and its dump directory, mounting the target at
 * LB_TARGET_MNT (read-only unless rw) when it is not mounted. An unset
 * target means path on this machine as it is.
 */
int lb_target_open(const struct lb_conf *conf, int rw, struct lb_target *t,
		   struct lb_err *err);
/* The same, read-write, mounting at `at` instead (a second filesystem beside the target). */
int lb_target_open_at(const struct lb_conf *conf, const char *at, struct lb_target *t,
		      struct lb_err *err);
void lb_target_close(struct lb_target *t);

/*
 * Lists the dump directories in dir, sorted oldest first. *names is an array
 * of strings to free with lb_free_names(). A missing dir is an empty list.
 */
int lb_list_dumps(const char *dir, char ***names, size_t *nr);
void lb_free_names(char **names, size_t nr);
/*
 * Removes the oldest dumps in dir so that keep remain, never the one named
 * spare (may be NULL), which is not counted. Says what it removes on stderr
 * (prefix "lifeboat: "). Return: the number removed, or -errno.
 */
int lb_prune_dumps(const char *dir, unsigned int keep, const char *spare, struct lb_err *err);

#endif
