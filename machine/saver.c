// SPDX-License-Identifier: GPL-2.0
/*
 * The saver, run by `lifeboat save` (cmd/cmd_save.c) from the capture
 * initramfs' /init in the capture kernel. It mounts the dump target and writes, under
 * <path>/<YYYYMMDD-HHMMSS>.incomplete/:
 *
 *   dmesg.txt     makedumpfile --dump-dmesg, first: small, and often enough
 *   vmcore        makedumpfile (kdump-compressed, filtered), written as
 *                 vmcore.incomplete and renamed when makedumpfile succeeded
 *   metadata.txt  what happened: release, panic, sizes, times, and why not
 *                 complete when it is not
 *
 * then renames the directory to its final name, syncs, unmounts and takes
 * the configured action (final_action after a complete dump, failure_action
 * otherwise). With final_action = fast-reboot it boots the production kernel
 * the capture initramfs holds (fastreturn.c) without the firmware, unless
 * lb_fast_return() says the firmware's reset is due: a crash loop (the
 * dumps on the target, listed before the oldest are pruned), a hardware
 * death in the dead kernel's log. Any failure on that way is said and the
 * firmware's reboot follows. Before the vmcore it checks the free space: a target with room
 * for the whole RAM needs no estimate; otherwise makedumpfile --dry-run says
 * how big the dump will be, and when that does not fit only the dmesg is
 * kept. A dump interrupted half way stays "*.incomplete", never complete.
 *
 * Before each step metadata.txt is rewritten (through a temporary file,
 * fsync'd) with status=incomplete and step=what it is about to do: a save
 * cut short by a reset, a power cut or the capture kernel dying leaves that
 * record, and `lifeboat report` says "incomplete dump from <time>: the save
 * stopped while <step>". When makedumpfile fails, is killed or the target
 * fills up, the reason is recorded and the dmesg kept. When the target
 * itself cannot be found or mounted, nothing can be written there: the
 * reason goes to LB_CAPTURE_FAILED_FILE in the state directory, on the
 * filesystem /etc/lifeboat/state names (the one holding /var/lib/lifeboat,
 * when it is not the target), for the next boot's report.
 *
 * Outside a capture kernel (no /proc/vmcore) it refuses to run; with
 * --vmcore FILE or --no-action it never reboots. Everything it says goes to
 * the console through the caller's say() ("lifeboat: ..." on stderr,
 * unbuffered), progress as well as failures.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fastreturn.h"
#include "report.h"
#include "saver.h"
#include "vmcore.h"

/* In the capture initramfs: where the state directory lives (see capture.c). */
#define STATE_FS_CONF "/etc/lifeboat/state"
#define STATE_MNT "/run/lifeboat/state"

/* The target may show up late (SCSI scans, slow disks): wait this long for it. */
enum { TARGET_WAIT_MS = 60000, TARGET_POLL_MS = 200, MDF_OUT = 8192 };

struct saver {
	struct lb_conf conf;
	const char *conf_path;
	const char *vmcore;
	lb_say_fn say;			/* the console */
	int act;			/* take the final action: we are the capture kernel */
	unsigned long long t0;
	struct lb_vmcore_facts facts;
	struct lb_target target;
	char name[LB_DUMP_NAME_LEN];
	char work[PATH_MAX];		/* <dir>/<name>.incomplete */
	char done[PATH_MAX];		/* <dir>/<name> */
	/* Files in work: PATH_MAX is enough room for their names too. */
	struct lb_meta meta;
	int meta_started;		/* metadata.txt records the steps */
	char mdf_out[MDF_OUT];
	char mdf_line[MDF_OUT];
	/* final_action = fast-reboot */
	char **names;			/* the dumps on the target, this one included */
	size_t nr_names;
	bool listed;			/* names is the target's list */
	char hardware[256];		/* a hardware death in the log, "" for none */
	bool fast;			/* lb_fast_return() said yes */
	char fast_why[512];		/* or why not */
};

static int write_meta(struct saver *s);

/* Before each step: what the saver is about to do, on disk, for a save cut short. */
static void step(struct saver *s, const char *what)
{
	int ret;

	snprintf(s->meta.step, sizeof(s->meta.step), "%s", what);
	if (!s->meta_started)
		return;
	ret = write_meta(s);
	if (ret)
		s->say("cannot record the step '%s' in %s: %s", what, LB_META_FILE,
		       strerror(-ret));
}

/* The panic message, from the dead kernel's log read into RAM: the target is not there. */
static void panic_from_log(struct saver *s, char *buf, size_t len)
{
	struct lb_crash *crash;
	struct lb_err err;
	size_t n;
	char *text;

	crash = calloc(1, sizeof(*crash));
	if (!crash || lb_vmcore_dmesg(s->vmcore, 64 << 20, &text, &n, &err)) {
		free(crash);
		return;
	}
	if (!lb_dmesg_parse(text, n, crash))
		snprintf(buf, len, "%s", crash->panic[0] ? crash->panic : crash->cause);
	free(text);
	free(crash);
}

/*
 * The target failed: tell the next boot through the state directory's
 * filesystem, when the capture initramfs knows one apart from the target.
 */
static void record_elsewhere(struct saver *s, const char *why)
{
	char *text;
	struct lb_conf sc;
	struct lb_target t;
	struct lb_meta m;
	struct lb_err err;
	size_t n;
	int ret;

	if (!s->act || lb_read_file(STATE_FS_CONF, 65536, &text, &n))
		return;
	lb_conf_defaults(&sc);
	ret = lb_conf_parse(&sc, text, n, STATE_FS_CONF, &err);
	free(text);
	if (ret || !sc.target[0])
		return;
	ret = lb_target_open_at(&sc, STATE_MNT, &t, &err);
	if (ret) {
		s->say("cannot record the failure on %s either: %s", sc.target, err.msg);
		return;
	}
	m = s->meta;
	panic_from_log(s, m.panic, sizeof(m.panic));
	snprintf(m.status, sizeof(m.status), "failed");
	snprintf(m.reason, sizeof(m.reason), "%s", why);
	m.saved_time = (long long)time(NULL);
	m.save_ms = lb_now_ms() - s->t0;
	ret = lb_meta_write(t.dir, LB_CAPTURE_FAILED_FILE, &m);
	if (ret)
		s->say("cannot record the failure in %s on %s: %s", sc.path, sc.target,
		       strerror(-ret));
	else
		s->say("failure recorded in %s/%s on %s for the next boot", sc.path,
		       LB_CAPTURE_FAILED_FILE, sc.target);
	lb_target_close(&t);
}

/* The kernel's count of out-of-memory kills so far; 0 when unknown. */
static unsigned long oom_kills(void)
{
	unsigned long v = 0;
	size_t len;
	char *text;

	if (!lb_read_file("/proc/vmstat", 1 << 20, &text, &len)) {
		if (lb_vmstat_oom_kills(text, len, &v))
			v = 0;
		free(text);
	}
	return v;
}

static void human(char *buf, size_t len, unsigned long long v)
{
	if (v >= 1ULL << 30)
		snprintf(buf, len, "%.1f GiB", (double)v / (1 << 30));
	else if (v >= 1ULL << 20)
		snprintf(buf, len, "%.1f MiB", (double)v / (1 << 20));
	else if (v >= 1ULL << 10)
		snprintf(buf, len, "%.1f KiB", (double)v / (1 << 10));
	else
		snprintf(buf, len, "%llu bytes", v);
}

static void run_shell(struct saver *s)
{
	pid_t pid;

	s->say("starting a shell on the console; leaving it reboots");
	pid = fork();
	if (pid == 0) {
		int fd;

		setsid();
		fd = open("/dev/console", O_RDWR);
		if (fd >= 0) {
			ioctl(fd, TIOCSCTTY, 1);
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		execl("/bin/sh", "sh", "-i", (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

/*
 * final_action = fast-reboot: the production kernel handed to the module, so
 * that the reboot that follows boots it directly; or why not, said, and the
 * reboot that follows is the firmware's.
 */
static void fast_return(struct saver *s)
{
	char release[65];
	struct lb_err err;

	if (!s->fast) {
		s->say("fast reboot refused: %s; rebooting through the firmware", s->fast_why);
		return;
	}
	if (lb_return_load(release, sizeof(release), &err)) {
		s->say("fast reboot refused: %s; rebooting through the firmware", err.msg);
		return;
	}
	s->say("fast reboot into the production kernel%s%s (final_action = fast-reboot)",
	       release[0] ? " " : "", release);
}

/* Does not return when it acts. */
static int finish(struct saver *s, int ok)
{
	enum lb_action a = ok ? s->conf.final_action : s->conf.failure_action;

	sync();
	if (!s->act)
		return ok ? 0 : 1;
	if (a == LB_ACTION_FAST_REBOOT) {
		fast_return(s);
		sync();
		reboot(RB_AUTOBOOT);
		s->say("reboot failed: %s", strerror(errno));
		return 1;
	}
	s->say("%s (%s = %s)", a == LB_ACTION_POWEROFF ? "powering off" :
	       a == LB_ACTION_SHELL ? "shell" : "rebooting",
	       ok ? "final_action" : "failure_action", lb_action_name(a));
	if (a == LB_ACTION_SHELL)
		run_shell(s);
	sync();
	reboot(a == LB_ACTION_POWEROFF ? RB_POWER_OFF : RB_AUTOBOOT);
	s->say("reboot failed: %s", strerror(errno));
	return 1;
}

static int fail(struct saver *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct saver *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->say("capture failed: %s", msg);
	lb_target_close(&s->target);
	return finish(s, 0);
}

static int open_target(struct saver *s)
{
	unsigned long long start = lb_now_ms();
	struct lb_err err;
	int ret, told = 0;

	if (!s->conf.target[0])
		return fail(s, "the configuration names no dump target: build the capture initramfs with 'lifeboat mkinitramfs'");
	for (;;) {
		ret = lb_target_open(&s->conf, 1, &s->target, &err);
		if (ret != -ENOENT || lb_now_ms() - start > TARGET_WAIT_MS)
			break;
		if (!told && lb_now_ms() - start > 1000) {
			s->say("waiting up to %d s for dump target %s", TARGET_WAIT_MS / 1000,
			       s->conf.target);
			told = 1;
		}
		usleep(TARGET_POLL_MS * 1000);
	}
	if (ret) {
		s->say("capture failed: %s", err.msg);
		record_elsewhere(s, err.msg);
		return finish(s, 0);
	}
	return 0;
}

static int make_workdir(struct saver *s)
{
	long long t = s->facts.info.crash_time >= 0 ? s->facts.info.crash_time : (long long)time(NULL);
	struct stat st;
	unsigned int n;
	int ret;

	ret = lb_mkdir_p(s->target.dir, 0755);
	if (ret)
		return fail(s, "cannot create '%s' on %s: %s", s->conf.path, s->conf.target,
			    strerror(-ret));
	for (n = 0; n < 1000; n++) {
		if (lb_dump_name(t, n, s->name, sizeof(s->name)))
			return fail(s, "no name for a dump at time %lld", t);
		if (snprintf(s->done, sizeof(s->done), "%s/%s", s->target.dir, s->name) >=
		    (int)sizeof(s->done) ||
		    snprintf(s->work, sizeof(s->work), "%s%s", s->done, LB_INCOMPLETE_SUFFIX) >=
		    (int)sizeof(s->work))
			return fail(s, "the dump directory's path is too long");
		if (stat(s->done, &st) && stat(s->work, &st))
			break;
	}
	if (mkdir(s->work, 0700))
		return fail(s, "cannot create '%s': %s", s->work, strerror(errno));
	return 0;
}

/* The last line makedumpfile printed, for a message or the metadata's reason. */
static const char *last_line(struct saver *s)
{
	lb_last_line(s->mdf_out, strlen(s->mdf_out), s->mdf_line, sizeof(s->mdf_line));
	return s->mdf_line;
}

static int save_dmesg(struct saver *s, struct lb_crash *crash)
{
	char path[PATH_MAX], *text;
	const char *argv[] = { "makedumpfile", "--dump-dmesg", s->vmcore, path, NULL };
	struct stat st;
	size_t len;
	int ret;

	if (snprintf(path, sizeof(path), "%s/dmesg.txt", s->work) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	ret = lb_run(argv, s->mdf_out, sizeof(s->mdf_out), 1);
	if (ret) {
		s->say("makedumpfile --dump-dmesg failed (status %d): %s", ret,
		       last_line(s));
		unlink(path);
		return -EIO;
	}
	lb_fsync_path(path);
	if (!stat(path, &st))
		s->meta.dmesg_bytes = (unsigned long long)st.st_size;
	if (!lb_read_file(path, 64 << 20, &text, &len)) {
		if (!lb_dmesg_parse(text, len, crash)) {
			snprintf(s->meta.panic, sizeof(s->meta.panic), "%s",
				 crash->panic[0] ? crash->panic : crash->cause);
			if (!s->meta.kernel_release[0])
				snprintf(s->meta.kernel_release, sizeof(s->meta.kernel_release),
					 "%s", crash->release);
		}
		if (s->conf.final_action == LB_ACTION_FAST_REBOOT)
			lb_dmesg_hardware_error(text, len, crash->panic, s->hardware,
						sizeof(s->hardware));
		free(text);
	}
	return 0;
}

static unsigned long long free_bytes(const char *dir)
{
	struct statvfs sv;

	if (statvfs(dir, &sv))
		return 0;
	return (unsigned long long)sv.f_bavail * sv.f_frsize;
}

static void mdf_args(struct saver *s, const char **argv, char *level, size_t llen, char *threads,
		     size_t tlen)
{
	const char *flag = lb_compression_flag(s->conf.compression);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int i = 0;

	argv[i++] = "makedumpfile";
	if (flag)
		argv[i++] = flag;
	snprintf(level, llen, "%u", s->conf.dump_level);
	argv[i++] = "-d";
	argv[i++] = level;
	/* Threads only help with more than one CPU in the capture kernel (nr_cpus=1 by default). */
	if (s->conf.threads && ncpu > 1) {
		snprintf(threads, tlen, "--num-threads=%ld",
			 (long)s->conf.threads < ncpu ? (long)s->conf.threads : ncpu);
		argv[i++] = threads;
	}
	argv[i] = NULL;
}

/*
 * Is there room for the vmcore? Returns 1 yes, 0 no (reason set), and sets
 * meta.estimate_bytes and *limit, the most the vmcore may take.
 */
static int check_space(struct saver *s, unsigned long long *limit)
{
	unsigned long long free = free_bytes(s->work), bound, est, need;
	char a[32], b[32], c[32], level[8], threads[32], path[PATH_MAX];
	const char *argv[16];
	int i, ret;

	s->meta.free_bytes = free;
	*limit = free > s->conf.min_free ? free - s->conf.min_free : 0;
	bound = lb_dump_bound(s->facts.ram_bytes, s->facts.info.page_size);
	if (lb_space_fits(free, bound, s->conf.min_free)) {
		s->meta.estimate_bytes = bound;
		return 1;
	}
	human(a, sizeof(a), free);
	s->say("%s free on the target, less than the RAM: estimating the dump's size (makedumpfile --dry-run)",
	       a);
	mdf_args(s, argv, level, sizeof(level), threads, sizeof(threads));
	for (i = 0; argv[i]; i++)
		;
	if (snprintf(path, sizeof(path), "%s/vmcore.incomplete", s->work) >= (int)sizeof(path))
		return 0;
	argv[i++] = "--dry-run";
	argv[i++] = "--show-stats";
	argv[i++] = s->vmcore;
	argv[i++] = path;
	argv[i] = NULL;
	ret = lb_run(argv, s->mdf_out, sizeof(s->mdf_out), 0);
	if (ret || lb_mdf_write_bytes(s->mdf_out, strlen(s->mdf_out), &est)) {
		/* No estimate: the RAM is the only bound there is. */
		s->say("makedumpfile --dry-run gave no estimate (status %d): %s", ret,
		       last_line(s));
		est = bound;
	}
	s->meta.estimate_bytes = est;
	need = lb_dump_need(est);
	if (lb_space_fits(free, need, s->conf.min_free))
		return 1;
	human(a, sizeof(a), need);
	human(b, sizeof(b), free);
	human(c, sizeof(c), s->conf.min_free);
	snprintf(s->meta.reason, sizeof(s->meta.reason),
		 "not enough space on the target: the vmcore needs about %s, %s is free and min_free keeps %s",
		 a, b, c);
	return 0;
}

static const char *flag_or_none(enum lb_compression c)
{
	return lb_compression_flag(c) ? lb_compression_flag(c) : "(no compression)";
}

static int save_vmcore(struct saver *s, unsigned long long limit)
{
	char level[8], threads[32], lim[32], part[PATH_MAX], final[PATH_MAX];
	const char *argv[16];
	unsigned long long t;
	unsigned long ooms;
	struct stat st;
	int i, ret;

	mdf_args(s, argv, level, sizeof(level), threads, sizeof(threads));
	for (i = 0; argv[i]; i++)
		;
	if (snprintf(part, sizeof(part), "%s/vmcore.incomplete", s->work) >= (int)sizeof(part) ||
	    snprintf(final, sizeof(final), "%s/vmcore", s->work) >= (int)sizeof(final))
		return -ENAMETOOLONG;
	/* Never eat into min_free, even if the estimate was wrong. */
	snprintf(lim, sizeof(lim), "%llu", limit);
	argv[i++] = "-L";
	argv[i++] = lim;
	argv[i++] = s->vmcore;
	argv[i++] = part;
	argv[i] = NULL;
	s->say("writing the vmcore: makedumpfile -d %s %s", level,
	       flag_or_none(s->conf.compression));
	t = lb_now_ms();
	ooms = oom_kills();
	ret = lb_run(argv, s->mdf_out, sizeof(s->mdf_out), 1);
	s->meta.vmcore_ms = lb_now_ms() - t;
	if (ret) {
		lb_mdf_failure(ret, s->mdf_out, strlen(s->mdf_out), oom_kills() - ooms,
			       s->meta.reason, sizeof(s->meta.reason));
		/* The partial file goes first: the room it took is what the metadata needs. */
		unlink(part);
		s->say("no vmcore: %s", s->meta.reason);
		return -EIO;
	}
	ret = lb_fsync_path(part);
	if (!ret && rename(part, final))
		ret = -errno;
	if (ret) {
		unlink(part);
		snprintf(s->meta.reason, sizeof(s->meta.reason), "cannot finish the vmcore: %s",
			 strerror(-ret));
		return ret;
	}
	if (!stat(final, &st))
		s->meta.vmcore_bytes = (unsigned long long)st.st_size;
	return 0;
}

static void makedumpfile_version(struct saver *s)
{
	const char *argv[] = { "makedumpfile", "-v", NULL };
	const char *v;

	if (lb_run(argv, s->mdf_out, sizeof(s->mdf_out), 0) < 0)
		return;
	v = strstr(s->mdf_out, "version ");
	if (v)
		sscanf(v + 8, "%31s", s->meta.makedumpfile);
}

static int write_meta(struct saver *s)
{
	s->meta.saved_time = (long long)time(NULL);
	s->meta.save_ms = lb_now_ms() - s->t0;
	return lb_meta_write(s->work, LB_META_FILE, &s->meta);
}

/* final_action = fast-reboot: directly, or through the firmware? */
static void decide(struct saver *s)
{
	struct lb_return_facts f = {
		.complete = true,
		.hardware = s->hardware,
		.now = s->facts.info.crash_time >= 0 ? s->facts.info.crash_time :
		       (long long)time(NULL),
		.names = (const char *const *)s->names,
		.nr = s->nr_names,
		.loop_count = s->conf.crash_loop_count,
		.loop_minutes = s->conf.crash_loop_minutes,
	};

	if (!s->listed) {
		/* No list: the loop cannot be ruled out. */
		snprintf(s->fast_why, sizeof(s->fast_why),
			 "cannot list the dumps on the target to rule out a crash loop");
		return;
	}
	s->fast = lb_fast_return(&f, s->fast_why, sizeof(s->fast_why));
}

static int save(struct saver *s)
{
	char dir_shown[PATH_MAX], a[32], b[32];
	unsigned long long limit;
	struct lb_crash *crash;
	struct lb_err err;
	struct utsname u;
	int ret, have_dmesg, complete = 0;

	ret = lb_vmcore_read(s->vmcore, &s->facts, &err);
	if (ret)
		return fail(s, "%s", err.msg);
	lb_meta_init(&s->meta);
	snprintf(s->meta.step, sizeof(s->meta.step), "mounting the target");
	snprintf(s->meta.kernel_release, sizeof(s->meta.kernel_release), "%s",
		 s->facts.info.release);
	s->meta.crash_time = s->facts.info.crash_time;
	s->meta.dump_level = s->conf.dump_level;
	snprintf(s->meta.compression, sizeof(s->meta.compression), "%s",
		 lb_compression_name(s->conf.compression));
	s->meta.ram_bytes = s->facts.ram_bytes;
	if (!uname(&u))
		snprintf(s->meta.capture_release, sizeof(s->meta.capture_release), "%s", u.release);
	makedumpfile_version(s);
	human(a, sizeof(a), s->facts.ram_bytes);
	s->say("saving the crash dump of %s (%s of RAM) to %s, %s", s->facts.info.release[0] ?
	       s->facts.info.release : "an unknown kernel", a, s->conf.target, s->conf.path);

	ret = open_target(s);
	if (ret)
		return ret;
	ret = make_workdir(s);
	if (ret)
		return ret;
	snprintf(dir_shown, sizeof(dir_shown), "%s/%s", s->conf.path, s->name);
	snprintf(s->meta.status, sizeof(s->meta.status), "incomplete");
	s->meta_started = 1;
	step(s, "making room (removing the oldest dumps)");

	/* The crash loop counts the dumps there were before any is pruned. */
	if (s->conf.final_action == LB_ACTION_FAST_REBOOT) {
		s->listed = !lb_list_dumps(s->target.dir, &s->names, &s->nr_names);
		if (!s->listed) {
			s->names = NULL;
			s->nr_names = 0;
		}
	}

	/* Room for the new dump: the oldest go first, keep - 1 of them stay beside it. */
	if (s->conf.keep &&
	    lb_prune_dumps(s->target.dir, s->conf.keep - 1, strrchr(s->work, '/') + 1, &err) < 0)
		s->say("%s", err.msg);

	crash = calloc(1, sizeof(*crash));
	if (!crash)
		return fail(s, "out of memory");
	step(s, "writing dmesg.txt");
	have_dmesg = !save_dmesg(s, crash);
	free(crash);
	if (s->meta.panic[0])
		s->say("%s", s->meta.panic);

	step(s, "checking the free space on the target");
	if (check_space(s, &limit)) {
		step(s, "writing the vmcore");
		ret = save_vmcore(s, limit);
		complete = !ret;
	}
	s->meta.step[0] = '\0';
	if (complete)
		snprintf(s->meta.status, sizeof(s->meta.status), "complete");
	else if (have_dmesg)
		snprintf(s->meta.status, sizeof(s->meta.status), "dmesg-only");
	else
		snprintf(s->meta.status, sizeof(s->meta.status), "failed");
	if (!have_dmesg && !s->meta.reason[0])
		snprintf(s->meta.reason, sizeof(s->meta.reason),
			 "makedumpfile --dump-dmesg failed: %.200s", last_line(s));

	ret = write_meta(s);
	if (!ret && rename(s->work, s->done))
		ret = -errno;
	if (!ret)
		ret = lb_fsync_path(s->target.dir);
	if (ret)
		return fail(s, "cannot finish '%s': %s", dir_shown, strerror(-ret));
	lb_target_close(&s->target);

	if (complete && s->conf.final_action == LB_ACTION_FAST_REBOOT)
		decide(s);
	if (complete) {
		human(a, sizeof(a), s->meta.vmcore_bytes);
		human(b, sizeof(b), s->meta.dmesg_bytes);
		s->say("dump saved to %s:%s (vmcore %s, dmesg %s) in %llu.%01llu s",
		       s->conf.target, dir_shown, a, b, s->meta.save_ms / 1000,
		       s->meta.save_ms % 1000 / 100);
	} else if (have_dmesg) {
		s->say("dmesg only saved to %s:%s: %s", s->conf.target, dir_shown,
		       s->meta.reason);
	} else {
		s->say("capture failed: nothing saved in %s:%s: %s", s->conf.target, dir_shown,
		       s->meta.reason);
	}
	return finish(s, complete);
}

int lb_saver_run(const char *conf_path, const char *vmcore, int no_action, lb_say_fn say)
{
	struct saver *s;
	struct lb_err err;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s)
		return say("out of memory");
	s->t0 = lb_now_ms();
	s->conf_path = conf_path;
	s->vmcore = vmcore;
	s->say = say;
	s->act = !no_action && !strcmp(s->vmcore, LB_PROC_VMCORE);
	/* A broken configuration still ends with the default action: never hang. */
	lb_conf_defaults(&s->conf);
	if (lb_conf_load(s->conf_path, 0, &s->conf, &err)) {
		lb_conf_defaults(&s->conf);
		ret = fail(s, "%s", err.msg);
	} else {
		ret = save(s);
	}
	if (s->names)
		lb_free_names(s->names, s->nr_names);
	free(s);
	return ret;
}
