/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `lifeboat report` reads and runs (report.c): a dump directory's
 * files, the saver's record of a capture that failed, the kernel release
 * of a vmcore, the dump readers installed and whether to run them on a
 * dump, the log in a vmcore, and every CPU's backtrace by crash or drgn.
 * Only the command prints.
 */
#ifndef LIFEBOAT_REPORT_H
#define LIFEBOAT_REPORT_H

#include <stdbool.h>

#include "readers.h"
#include "saver.h"
#include "sys.h"

/* The most of dmesg.txt (or a vmcore's log) read. */
#define LB_DUMP_TEXT_MAX (64 << 20)

/* The saver's record of a target it could not mount, for the next boot. */
#define LB_CAPTURE_FAILED_PATH LB_STATE_DIR "/" LB_CAPTURE_FAILED_FILE

/* A dump directory as the report shows it. */
struct lb_dump {
	char dir[PATH_MAX];		/* where to read it */
	char vmcore[PATH_MAX + 16];	/* dir/vmcore, there or not */
	char shown[PATH_MAX + 320];	/* how to name it to the user */
	const char *name;
	struct lb_meta meta;
	int have_meta;
	struct lb_crash crash;
	int have_crash;
	int have_vmcore;
	int have_dmesg;
	long long partial_bytes;	/* vmcore.incomplete left by a save cut short; -1: none */
};

/* Reads root/name (shown to the user as shown/name): metadata.txt, dmesg.txt, the vmcore's size. */
void lb_dump_load(struct lb_dump *d, const char *root, const char *shown, const char *name);

/* The saver's record in LB_CAPTURE_FAILED_PATH. Return: 0, or -errno (none, or unreadable). */
int lb_capture_failed_read(struct lb_meta *m);

/*
 * A metadata record written as dir/name (dir made first when missing): a
 * dump's metadata.txt, or a failed capture's record. Return: 0, or -errno.
 */
int lb_meta_write(const char *dir, const char *name, const struct lb_meta *m);

/*
 * What `lifeboat start` tells about once (it remembers what it told in the
 * state directory): the saver's record of a failed capture, and the newest
 * dump on the target. lb_failure_news(): 1 with m and name (the dump name
 * of its crash time) filled when that record is new, else 0.
 * lb_dump_news(): prunes the target's dumps beyond keep (saying what it
 * removes, and a failure to prune, through say) and returns 1 with the
 * newest dump's name and metadata (lb_meta_init()'s when unreadable) when
 * it is new, 0 when there is none new, -errno with err when the target
 * cannot be opened. lb_*_told() remember that it was told.
 */
int lb_failure_news(struct lb_meta *m, char *name, size_t len);
void lb_failure_told(const char *name);
int lb_dump_news(const struct lb_conf *conf, lb_say_fn say, char *name, size_t len,
		 struct lb_meta *meta, struct lb_err *err);
void lb_dump_told(const char *name);

/*
 * A capture kernel that never reached the saver: when the module found a
 * jump stamp in the region (its last_jump attribute) and neither a dump on
 * the target nor the saver's record of a failed capture is from that crash
 * (lb_jump_unsaved()), records the failed capture in LB_CAPTURE_FAILED_PATH
 * as the saver would have, marked as told. Return: 1 with m filled when it
 * recorded one, 0 when there is nothing to record, -errno with err when the
 * target cannot be looked at or the record cannot be written.
 */
int lb_jump_news(const struct lb_conf *conf, struct lb_meta *m, struct lb_err *err);

/*
 * The kernel release a vmcore names: in its header (kdump-compressed) or
 * its VMCOREINFO (ELF). "" when neither says.
 */
void lb_vmcore_release(const char *vmcore, char *buf, size_t len);

/* The python that has drgn: Debian's own python3. */
const char *lb_drgn_python(void);

/* The installed version of crash or drgn; "" when it does not run. */
void lb_reader_installed(enum lb_reader r, char *buf, size_t len);

/*
 * The log in a vmcore (makedumpfile --dump-dmesg), at most max bytes, in a
 * malloc'd buffer. Return: 0, or -errno with err saying why.
 */
int lb_vmcore_dmesg(const char *vmcore, size_t max, char **text, size_t *len, struct lb_err *err);

/*
 * Every CPU's backtrace: crash's bt -a, and drgn's stack of each CPU's
 * current task, with the debug vmlinux. out gets the tool's output (tail
 * kept). Return: as lb_run(), the tool's exit status or -errno.
 */
int lb_crash_backtraces(const char *vmcore, const char *vmlinux, char *out, size_t outlen);
int lb_drgn_backtraces(const char *vmcore, const char *vmlinux, char *out, size_t outlen);

/*
 * The kernel release of dump d: its metadata.txt or dmesg.txt, else its
 * vmcore's own header or VMCOREINFO (lb_vmcore_release()). "" when unknown.
 */
void lb_dump_release(const struct lb_dump *d, char *buf, size_t len);

/* Whether to run a dump reader on a dump, and why (lb_reader_plan()). */
struct lb_reader_plan {
	char version[32];		/* installed, "" when not */
	const char *need;		/* least version for the release, or NULL */
	enum lb_reader_verdict verdict;	/* LB_READER_BAD_INPUT when not judged */
	bool run;
};

/*
 * Judges reader r, as installed here, against a dump of kernel `release`
 * ("" when unknown: it is tried). It is not run when it is missing or too
 * old for that kernel (lib/readers.c's table); a kernel newer than the
 * table knows is tried. Return: p->run.
 */
bool lb_reader_plan(enum lb_reader r, const char *release, struct lb_reader_plan *p);

/*
 * Are crash and drgn both installed and both too old for `release`? Then
 * neither can read the dump, and a machine without them (the capture
 * side's guest) is not told so. drgn is not asked when crash can do.
 */
bool lb_readers_too_old(const char *release, struct lb_reader_plan *crash,
			struct lb_reader_plan *drgn);

/*
 * The debug vmlinux of `release` where Debian's linux-image-RELEASE-dbg
 * puts it. Return: whether it is readable.
 */
bool lb_debug_vmlinux(const char *release, char *buf, size_t len);

/*
 * The panic, the oops and the crashed task's stack in vmcore's log
 * (makedumpfile --dump-dmesg, lb_vmcore_dmesg()). Return: 0, or -errno
 * with err saying why.
 */
int lb_vmcore_crash(const char *vmcore, struct lb_crash *c, struct lb_err *err);

/*
 * Told after each reader lb_backtraces() ran and that failed: status as
 * lb_run() returns it (crash's output without a task in it is a failure
 * with status 0), out its output.
 */
typedef void (*lb_bt_failed_fn)(enum lb_reader r, int status, const char *out);

/*
 * Every CPU's backtrace of vmcore with the debug vmlinux: crash's bt -a
 * when run_crash, then, if that did not work, drgn's when run_drgn. out
 * (outlen bytes) gets the output of the one that worked, *by which one;
 * failed (may be NULL) hears of each that did not.
 * Return: 0 when one worked, else -ENOENT.
 */
int lb_backtraces(const char *vmcore, const char *vmlinux, bool run_crash, bool run_drgn,
		  char *out, size_t outlen, enum lb_reader *by, lb_bt_failed_fn failed);

#endif
