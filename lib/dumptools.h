/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The capture side's logic, kept apart from the I/O so that it runs and is
 * tested anywhere: the configuration file (/etc/lifeboat.conf), the names of
 * the dump directories and their pruning, the free-space decision, the
 * metadata file written beside each dump, VMCOREINFO, makedumpfile's
 * statistics, the reading of a saved dmesg, and filesystem superblocks.
 *
 * Everything here works on buffers the caller filled: no file or process
 * I/O. The machine layer (machine/) does the I/O and the commands (cmd/)
 * print; the unit tests and the fuzzers link this library directly. Text
 * that comes from outside (the configuration, a dead kernel's dmesg, a
 * metadata file) is treated as hostile: lengths are explicit, nothing needs
 * a terminating NUL, and every string handed back is printable ASCII and
 * NUL-terminated.
 */
#ifndef LIFEBOAT_DUMPTOOLS_H
#define LIFEBOAT_DUMPTOOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A failure's sentence for the operator, beside the errno the caller gets. */
#include "lifeboat/err.h"

/*
 * Formats at pos of buf (len bytes), as much as fits, NUL-terminated when
 * anything was written. Return: pos plus the length of the whole text, so
 * that a run of calls returns the length it all needs, as snprintf() does.
 */
size_t lb_append(char *buf, size_t len, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "2025-11-21 08:15:00 UTC" for t seconds since the epoch. 0, or -EINVAL for a time it cannot show. */
int lb_time_format(char *buf, size_t len, long long t);

/*
 * The last line a program printed (out, n bytes: the tail lb_run() kept),
 * trailing blanks dropped, as printable text in line.
 */
void lb_last_line(const char *out, size_t n, char *line, size_t len);

/*
 * Digits in base 8, 10 or 16 from text[*i] up to text[len], no sign, no
 * prefix; *i moves past them (lib/parse.c). 0, -EINVAL (no digit) or
 * -ERANGE (beyond 64 bits).
 */
int lb_digits_parse(const char *text, size_t len, size_t *i, unsigned int base,
		    uint64_t *ret);

/* "12.3 MiB": bytes in MiB, one decimal. */
void lb_mib_format(char *buf, size_t len, unsigned long long bytes);

/* Copies at most len bytes of src into dst (size dstlen) as printable ASCII:
 * other bytes become '?', the copy stops at a newline or NUL. */
void lb_copy_printable(char *dst, size_t dstlen, const char *src, size_t len);

/* ---- /etc/lifeboat.conf ---------------------------------------------- */

enum lb_action {
	LB_ACTION_REBOOT,
	LB_ACTION_POWEROFF,
	LB_ACTION_SHELL,
	/* Boot the production kernel without the firmware (final_action only). */
	LB_ACTION_FAST_REBOOT,
};

enum lb_compression {
	LB_COMP_LZO,
	LB_COMP_ZLIB,
	LB_COMP_SNAPPY,
	LB_COMP_ZSTD,
	LB_COMP_NONE,
};

enum {
	LB_CONF_STR = 256,
	LB_CONF_LONG = 1024,
	LB_CONF_MAX_THREADS = 64,
	LB_CONF_MAX_KEEP = 1000,
	LB_CONF_MAX_LOOP = 1000,		/* crash_loop's crashes */
	LB_CONF_MAX_LOOP_MINUTES = 10080,	/* and minutes: a week */
};

#define LB_KERNEL_OWN "lifeboat"
#define LB_KERNEL_STOCK "stock"

struct lb_conf {
	/* UUID=..., LABEL=... or a /dev/ path; "" for the filesystem holding path. */
	char target[LB_CONF_STR];
	/* Directory on the target, absolute within that filesystem. */
	char path[LB_CONF_STR];
	/* Filesystem type; "" to detect it when the initramfs is built. */
	char fstype[32];
	unsigned int dump_level;		/* makedumpfile -d, 0..31 */
	enum lb_compression compression;
	unsigned int threads;			/* makedumpfile --num-threads; 0: none */
	unsigned int keep;			/* dumps kept on the target; 0: all */
	unsigned long long min_free;		/* bytes left free on the target */
	enum lb_action final_action;		/* after a complete dump */
	enum lb_action failure_action;		/* after anything less; never fast-reboot */
	/* final_action = fast-reboot goes through the firmware all the same
	 * when this crash is the crash_loop_count-th within crash_loop_minutes. */
	unsigned int crash_loop_count;
	unsigned int crash_loop_minutes;
	char append[LB_CONF_LONG];		/* extra capture kernel parameters */
	/* The capture kernel: LB_KERNEL_OWN (Lifeboat's own, built by `make
	 * capture-kernel`), LB_KERNEL_STOCK (/boot/vmlinuz-RELEASE), a path,
	 * or "": Lifeboat's own when it is installed, the stock one otherwise. */
	char kernel[LB_CONF_STR];
	char extra_modules[LB_CONF_LONG];	/* more modules for the initramfs */
	/* fast-reboot: the production kernel and its initramfs ("": the
	 * running release's /boot/vmlinuz-RELEASE and /boot/initrd.img-RELEASE;
	 * return_initrd = none for no initramfs). */
	char return_kernel[LB_CONF_STR];
	char return_initrd[LB_CONF_STR];
	/* Without a boot-time region (crashkernel=, memmap=): region = auto
	 * takes one at run time, of the estimate's size, or of region_size
	 * when region = SIZE; region = boot sets region_boot_only, and takes
	 * none. */
	bool region_boot_only;
	unsigned long long region_size;
	/* unpack = yes (the default): the capture kernel is decompressed at
	 * load time and placed ready to run (lifeboat load --unpack), unless
	 * the kernel is locked down; no: loaded as the bzImage it is. */
	bool unpack;
};

/* The defaults: a production machine that must come back unattended. */
void lb_conf_defaults(struct lb_conf *conf);

/*
 * Parses "key = value" lines over the values already in conf (start from
 * lb_conf_defaults()). name is the file's name for messages. On error conf
 * may be partly updated: parse into a scratch copy to keep the old one.
 * Return: 0, or -EINVAL with err saying which line and why.
 */
int lb_conf_parse(struct lb_conf *conf, const char *text, size_t len, const char *name,
		  struct lb_err *err);

/*
 * Writes every key, one per line, in a form lb_conf_parse() reads back to the
 * same values. Return: the length the text needs (without the NUL); the
 * text is complete when that is below len.
 */
size_t lb_conf_format(const struct lb_conf *conf, char *buf, size_t len);

const char *lb_action_name(enum lb_action action);
const char *lb_compression_name(enum lb_compression comp);
/* makedumpfile's flag for the compression ("-l"...), NULL for none. */
const char *lb_compression_flag(enum lb_compression comp);

/* ---- dump directories ------------------------------------------------- */

/*
 * A dump lives in <path>/<name>/ with name = YYYYMMDD-HHMMSS (UTC), or
 * YYYYMMDD-HHMMSS-N when that second is taken. While it is written the
 * directory is <name>.incomplete; it is renamed when the saver is done.
 */
enum lb_dump_kind {
	LB_DUMP_NONE,		/* not a dump directory name */
	LB_DUMP_COMPLETE,
	LB_DUMP_INCOMPLETE,
};

enum { LB_DUMP_NAME_LEN = 32 };

#define LB_INCOMPLETE_SUFFIX ".incomplete"

/* name for time t (seconds since the epoch, UTC) and collision number n (0: none). */
int lb_dump_name(long long t, unsigned int n, char *buf, size_t len);
enum lb_dump_kind lb_dump_kind(const char *name);

/*
 * Which dumps to remove so that at most keep remain, oldest first; names in
 * any order, those that are not dump names are never chosen. Writes the
 * indices of the victims to victims (room for n) and returns how many.
 * (The configuration's keep = 0, "keep all", is the caller's to honour.)
 */
size_t lb_dumps_to_prune(const char *const *names, size_t n, unsigned int keep,
			 size_t *victims);

/* Compares two dump names by time (the .incomplete suffix ignored), for qsort of char *. */
int lb_dump_name_cmp(const void *a, const void *b);

/* ---- free space -------------------------------------------------------- */

/*
 * An upper bound on makedumpfile's kdump-compressed output for a machine of
 * ram bytes: every page stored whole, plus the two bitmaps, one page
 * descriptor per page and the headers. A target with this much room needs no
 * closer estimate.
 */
unsigned long long lb_dump_bound(unsigned long long ram_bytes, unsigned int page_size);

/*
 * Room a dump estimated at est bytes takes on a filesystem: the estimate plus
 * 1/64 for the filesystem's own blocks and 1 MiB.
 */
unsigned long long lb_dump_need(unsigned long long est);

/* Does need fit in free while leaving min_free? */
int lb_space_fits(unsigned long long free, unsigned long long need,
		  unsigned long long min_free);

/* "Write bytes     : N" in makedumpfile --show-stats output. 0 or -ENOENT. */
int lb_mdf_write_bytes(const char *text, size_t len, unsigned long long *ret);

/* Parses sizes such as 64M, 1G, 512K, 4096 (bytes). 0 or -EINVAL. */
int lb_parse_size(const char *s, unsigned long long *ret);

/* ---- VMCOREINFO --------------------------------------------------------- */

struct lb_vmcoreinfo {
	char release[65];		/* OSRELEASE */
	long long crash_time;		/* CRASHTIME, -1 if absent */
	unsigned int page_size;		/* PAGESIZE, 0 if absent */
};

/* Parses the note's "KEY=value" lines. 0, or -ENOENT without OSRELEASE. */
int lb_vmcoreinfo_parse(const char *text, size_t len, struct lb_vmcoreinfo *ret);

/* ---- the metadata file beside a dump ------------------------------------ */

#define LB_META_FILE "metadata.txt"
#define LB_META_FORMAT 1

struct lb_meta {
	unsigned int format;
	char status[16];		/* complete, dmesg-only, failed; incomplete while saving */
	char reason[256];		/* why not complete */
	char step[64];			/* while saving: what the saver was doing */
	char kernel_release[65];
	char panic[256];
	long long crash_time;		/* seconds since the epoch; -1 unknown */
	long long saved_time;
	unsigned int dump_level;
	char compression[16];
	unsigned long long ram_bytes;
	unsigned long long estimate_bytes;	/* 0: not estimated */
	unsigned long long free_bytes;
	unsigned long long vmcore_bytes;
	unsigned long long dmesg_bytes;
	unsigned long long save_ms;	/* from the saver's start to the end */
	unsigned long long vmcore_ms;	/* makedumpfile writing the vmcore */
	char capture_release[65];
	char makedumpfile[32];
};

void lb_meta_init(struct lb_meta *meta);
/* key=value lines; returns the length needed, as lb_conf_format(). */
size_t lb_meta_format(const struct lb_meta *meta, char *buf, size_t len);
/* Unknown keys are skipped. 0, or -EINVAL when the format line is missing. */
int lb_meta_parse(struct lb_meta *meta, const char *text, size_t len);

/* ---- a save cut short (savefault.c) ------------------------------------- */

/* The saver's record when the dump target itself failed, in the state directory. */
#define LB_CAPTURE_FAILED_FILE "capture-failed.txt"

/*
 * Why makedumpfile did not write the vmcore: status as lb_run() returns it
 * (128 + signal for a signal), out its last output, oom_kills how many
 * processes the kernel's out-of-memory killer ended while it ran (from
 * /proc/vmstat's oom_kill). Writes one sentence to buf.
 * Return: the length the sentence needs, as snprintf().
 */
size_t lb_mdf_failure(int status, const char *out, size_t outlen, unsigned long oom_kills,
		      char *buf, size_t len);

/* oom_kill in the text of /proc/vmstat. 0 or -ENOENT. */
int lb_vmstat_oom_kills(const char *text, size_t len, unsigned long *ret);

/*
 * One line on a dump that is not complete, for the report and the boot:
 * "incomplete dump from 2025-11-21 08:15:00 UTC: the save stopped while
 * writing the vmcore (...)". name is the dump directory's name (its time
 * when meta does not say one), meta its metadata or NULL. For a complete
 * dump, "" (and 0). Return: the length the line needs, as snprintf().
 */
size_t lb_dump_verdict(const char *name, const struct lb_meta *meta, char *buf, size_t len);

/* ---- a capture kernel that never reached the saver (savefault.c) ------- */

/*
 * How far apart, in seconds, the jump stamp's time and a dump's or a
 * record's crash time may be and still be the same crash: both come from the
 * dead kernel's clock, but a dump without CRASHTIME is named by the capture
 * kernel's.
 */
#define LB_JUMP_TOLERANCE 120

/*
 * /sys/kernel/lifeboat/last_jump: "time=<secs> cpu=<n>" (ret_time, ret_cpu
 * filled) or "none". Return: 0, -ENOENT for "none", -EINVAL otherwise.
 */
int lb_last_jump_parse(const char *text, size_t len, long long *ret_time, unsigned int *ret_cpu);

/*
 * The crash time a dump's name says (its first 15 characters, UTC), or -1
 * when name is not a dump's.
 */
long long lb_dump_name_time(const char *name);

/*
 * Did the crash whose jump stamp says jump_time leave nothing behind: no dump
 * among names (nr of them, any kind, incomplete ones included) and no
 * record of a failed capture (failed_time its crash time, -1 for none)
 * within LB_JUMP_TOLERANCE of it? Then its capture kernel never reached
 * the saver.
 */
bool lb_jump_unsaved(long long jump_time, const char *const *names, size_t nr,
		     long long failed_time);

/*
 * The reason a record gives for such a capture: "the capture kernel started
 * at <time> but never reached the saver: ...". Return: the length it needs,
 * as snprintf().
 */
size_t lb_jump_reason(long long jump_time, char *buf, size_t len);

/* ---- a dead kernel's dmesg ----------------------------------------------- */

enum {
	LB_STACK_MAX = 48,
	LB_FRAME_LEN = 96,
};

struct lb_crash {
	char panic[256];	/* "Kernel panic - not syncing: ..." */
	char cause[256];	/* the oops that led there: "BUG: ...", "Oops: ..." */
	char task[256];		/* "CPU: 0 PID: 1 Comm: init ..." of the stack below */
	char release[65];	/* from the "Linux version" line */
	char frames[LB_STACK_MAX][LB_FRAME_LEN];	/* reliable frames, innermost first */
	unsigned int nr_frames;
	int frames_truncated;	/* more frames than LB_STACK_MAX */
};

/*
 * Finds the panic, the oops before it and the crashed task's stack in the
 * text of `makedumpfile --dump-dmesg` (or dmesg). The stack is the one
 * printed with the panic, else the last one before it. Frames the unwinder
 * marked unreliable ("? ") are left out.
 * Return: 0, or -ENOENT when the log holds neither a panic nor an oops.
 */
int lb_dmesg_parse(const char *text, size_t len, struct lb_crash *ret);

/* ---- back from a crash without the firmware (fastreturn.c) ------------- */

/*
 * Did the dead kernel die of the hardware? A panic line (NULL: none) that
 * names a machine check, or a log line only the hardware makes the kernel
 * print: "[Hardware Error]" (any machine check it logged), an NMI for a
 * PCI system error or an I/O check. what gets the line found, printable.
 */
bool lb_dmesg_hardware_error(const char *text, size_t len, const char *panic, char *what,
			     size_t wlen);

/*
 * How many of the dump directories names (nr of them, any kind; others are
 * not counted) hold a crash within minutes before now (seconds since the
 * epoch), or up to LB_JUMP_TOLERANCE after it.
 */
unsigned int lb_crashes_within(const char *const *names, size_t nr, long long now,
			       unsigned int minutes);

/* What the saver knows when final_action = fast-reboot. */
struct lb_return_facts {
	bool complete;			/* the vmcore is saved */
	const char *hardware;		/* lb_dmesg_hardware_error()'s line, "" for none */
	long long now;			/* this crash's time */
	const char *const *names;	/* the dumps on the target, this one included */
	size_t nr;
	unsigned int loop_count;	/* crash_loop = loop_count/loop_minutes */
	unsigned int loop_minutes;
};

/*
 * May the capture kernel boot the production kernel directly? false when
 * the dump is not complete, the kernel died of the hardware, or this crash
 * makes loop_count within loop_minutes; why then says which, in a sentence.
 */
bool lb_fast_return(const struct lb_return_facts *f, char *why, size_t len);

/* ---- filesystem superblocks --------------------------------------------- */

enum { LB_PROBE_LEN = 0x10000 + 4096 };	/* what lb_fs_probe() wants to see */

struct lb_fsinfo {
	char type[16];		/* ext2, ext3, ext4, xfs, btrfs */
	char uuid[40];		/* 8-4-4-4-12 lowercase */
	char label[260];
};

/* Recognises the filesystem whose first bytes are buf. 0 or -ENOENT. */
int lb_fs_probe(const unsigned char *buf, size_t len, struct lb_fsinfo *ret);

/* Does spec ("UUID=x", "LABEL=x") name this filesystem? UUIDs compare without case. */
int lb_fs_matches(const struct lb_fsinfo *fs, const char *spec);

/* ---- change detection ---------------------------------------------------- */

#define LB_FNV_INIT 0xcbf29ce484222325ULL
uint64_t lb_fnv1a(uint64_t h, const void *buf, size_t len);

#endif
