// SPDX-License-Identifier: GPL-2.0
/*
 * The reading and running behind `lifeboat report` (report.h): the files
 * of a dump directory, the saver's record of a failed capture, a vmcore's
 * release and log, the dump readers, whether their versions read a dump's
 * kernel (lib/readers.c's table) and their backtraces; the news `lifeboat
 * start` tells once, the record of a capture kernel that never reached the
 * saver included. What is shown is cmd/cmd_report.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "vmcore.h"

/* What `lifeboat start` told last, so that it tells each crash once. */
#define LAST_DUMP LB_STATE_DIR "/last-dump"
#define LAST_FAILURE LB_STATE_DIR "/last-failure"

/*
 * Every CPU's task through the runqueues: drgn.helpers.linux.sched's
 * cpu_curr() came after the drgn 0.0.22 of Debian 12.
 */
static const char drgn_script[] =
	"import sys, drgn\n"
	"from drgn.helpers.linux.cpumask import for_each_online_cpu\n"
	"from drgn.helpers.linux.percpu import per_cpu\n"
	"prog = drgn.Program()\n"
	"prog.set_core_dump(sys.argv[1])\n"
	"try:\n"
	"    prog.load_debug_info([sys.argv[2]])\n"
	"except drgn.MissingDebugInfoError:\n"
	"    pass\n"
	"for cpu in for_each_online_cpu(prog):\n"
	"    task = per_cpu(prog['runqueues'], cpu).curr\n"
	"    print('CPU %d: PID %d \"%s\"' % (cpu, task.pid.value_(), task.comm.string_().decode()))\n"
	"    try:\n"
	"        trace = prog.stack_trace(task)\n"
	"    except Exception as e:\n"
	"        print('    (no stack: %s)' % e)\n"
	"        continue\n"
	"    for i, frame in enumerate(trace):\n"
	"        print('    #%-2d %s' % (i, frame.name or hex(frame.pc)))\n";

void lb_dump_load(struct lb_dump *d, const char *root, const char *shown, const char *name)
{
	char path[PATH_MAX + 32], *text;
	struct stat st;
	size_t len;

	memset(d, 0, sizeof(*d));
	d->name = name;
	snprintf(d->dir, sizeof(d->dir), "%s/%s", root, name);
	snprintf(d->shown, sizeof(d->shown), "%s/%s", shown, name);
	snprintf(d->vmcore, sizeof(d->vmcore), "%s/vmcore", d->dir);
	snprintf(path, sizeof(path), "%s/%s", d->dir, LB_META_FILE);
	if (!lb_read_file(path, 1 << 20, &text, &len)) {
		d->have_meta = !lb_meta_parse(&d->meta, text, len);
		free(text);
	}
	d->have_vmcore = !stat(d->vmcore, &st) && S_ISREG(st.st_mode);
	if (d->have_vmcore && !d->meta.vmcore_bytes)
		d->meta.vmcore_bytes = (unsigned long long)st.st_size;
	snprintf(path, sizeof(path), "%s/vmcore.incomplete", d->dir);
	d->partial_bytes = !stat(path, &st) && S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
	snprintf(path, sizeof(path), "%s/dmesg.txt", d->dir);
	if (!lb_read_file(path, LB_DUMP_TEXT_MAX, &text, &len)) {
		d->have_dmesg = 1;
		d->have_crash = !lb_dmesg_parse(text, len, &d->crash);
		free(text);
	}
}

int lb_capture_failed_read(struct lb_meta *m)
{
	size_t len;
	char *text;
	int ret;

	ret = lb_read_file(LB_CAPTURE_FAILED_PATH, 1 << 20, &text, &len);
	if (ret)
		return ret;
	ret = lb_meta_parse(m, text, len);
	free(text);
	return ret;
}

int lb_meta_write(const char *dir, const char *name, const struct lb_meta *m)
{
	char buf[4096], path[PATH_MAX];
	size_t n;
	int ret;

	n = lb_meta_format(m, buf, sizeof(buf));
	if (n >= sizeof(buf))
		return -ENOSPC;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	ret = lb_mkdir_p(dir, 0755);
	return ret ? ret : lb_write_file(path, buf, n);
}

void lb_vmcore_release(const char *vmcore, char *buf, size_t len)
{
	unsigned char head[4096];
	struct lb_vmcore_facts facts;
	struct lb_err err;
	ssize_t n = -1;
	FILE *f;

	buf[0] = '\0';
	f = fopen(vmcore, "rb");
	if (f) {
		n = (ssize_t)fread(head, 1, sizeof(head), f);
		fclose(f);
	}
	if (n > 0 && !lb_kdump_header_release(head, (size_t)n, buf, len))
		return;
	if (!lb_vmcore_read(vmcore, &facts, &err) && facts.info.release[0])
		snprintf(buf, len, "%s", facts.info.release);
}

const char *lb_drgn_python(void)
{
	return access("/usr/bin/python3", X_OK) ? "python3" : "/usr/bin/python3";
}

void lb_reader_installed(enum lb_reader r, char *buf, size_t len)
{
	const char *crash_argv[] = { "crash", "--version", NULL };
	const char *drgn_argv[] = { lb_drgn_python(), "-c", "import drgn; print(drgn.__version__)",
				    NULL };
	char out[4096];

	buf[0] = '\0';
	if (lb_run(r == LB_READER_CRASH ? crash_argv : drgn_argv, out, sizeof(out), 0) ||
	    lb_reader_version_parse(out, strlen(out), buf, len))
		buf[0] = '\0';
}

int lb_vmcore_dmesg(const char *vmcore, size_t max, char **text, size_t *len, struct lb_err *err)
{
	char tmp[] = "/tmp/lifeboat-dmesg.XXXXXX", out[4096];
	const char *argv[] = { "makedumpfile", "--dump-dmesg", vmcore, tmp, NULL };
	int fd, ret;

	fd = mkstemp(tmp);
	if (fd < 0)
		return lb_err_set(err, errno, "cannot make a temporary file: %s", strerror(errno));
	close(fd);
	unlink(tmp);	/* makedumpfile refuses to overwrite */
	ret = lb_run(argv, out, sizeof(out), 0);
	if (ret || lb_read_file(tmp, max, text, len)) {
		unlink(tmp);
		return lb_err_set(err, ret < 0 ? -ret : EIO,
				  "makedumpfile --dump-dmesg could not read the log in '%s'%s%s", vmcore,
				  ret < 0 ? ": " : "", ret < 0 ? strerror(-ret) : "");
	}
	unlink(tmp);
	return 0;
}

int lb_crash_backtraces(const char *vmcore, const char *vmlinux, char *out, size_t outlen)
{
	static const char cmds[] = "bt -a\nq\n";
	char script[] = "/tmp/lifeboat-report.XXXXXX";
	const char *argv[] = { "crash", "-s", "--no_scroll", "-i", script, vmlinux, vmcore, NULL };
	ssize_t w;
	int fd, ret;

	fd = mkstemp(script);
	if (fd < 0)
		return -errno;
	w = write(fd, cmds, sizeof(cmds) - 1);
	close(fd);
	ret = w == (ssize_t)sizeof(cmds) - 1 ? lb_run(argv, out, outlen, 0) : -EIO;
	unlink(script);
	return ret;
}

int lb_drgn_backtraces(const char *vmcore, const char *vmlinux, char *out, size_t outlen)
{
	const char *argv[] = { lb_drgn_python(), "-c", drgn_script, vmcore, vmlinux, NULL };

	return lb_run(argv, out, outlen, 0);
}

void lb_dump_release(const struct lb_dump *d, char *buf, size_t len)
{
	buf[0] = '\0';
	if (d->have_meta && d->meta.kernel_release[0])
		snprintf(buf, len, "%s", d->meta.kernel_release);
	else if (d->have_crash && d->crash.release[0])
		snprintf(buf, len, "%s", d->crash.release);
	/* "unknown" is what the listing shows for none: not a release either. */
	if (!buf[0] || !strcmp(buf, "unknown"))
		lb_vmcore_release(d->vmcore, buf, len);
}

bool lb_reader_plan(enum lb_reader r, const char *release, struct lb_reader_plan *p)
{
	lb_reader_installed(r, p->version, sizeof(p->version));
	p->need = NULL;
	p->verdict = LB_READER_BAD_INPUT;
	p->run = false;
	if (!p->version[0])
		return false;
	p->run = true;
	if (!release[0])
		return true;	/* nothing to judge by: try it */
	p->verdict = lb_reader_check(r, p->version, release, &p->need);
	/* A kernel newer than the table knows, or a version not understood: try it. */
	p->run = p->verdict != LB_READER_TOO_OLD;
	return p->run;
}

bool lb_readers_too_old(const char *release, struct lb_reader_plan *crash,
			struct lb_reader_plan *drgn)
{
	return !lb_reader_plan(LB_READER_CRASH, release, crash) &&
	       crash->verdict == LB_READER_TOO_OLD &&
	       !lb_reader_plan(LB_READER_DRGN, release, drgn) &&
	       drgn->verdict == LB_READER_TOO_OLD;
}

bool lb_debug_vmlinux(const char *release, char *buf, size_t len)
{
	snprintf(buf, len, "/usr/lib/debug/boot/vmlinux-%s", release);
	return !access(buf, R_OK);
}

int lb_vmcore_crash(const char *vmcore, struct lb_crash *c, struct lb_err *err)
{
	size_t len;
	char *text;
	int ret;

	ret = lb_vmcore_dmesg(vmcore, LB_DUMP_TEXT_MAX, &text, &len, err);
	if (ret)
		return ret;
	ret = lb_dmesg_parse(text, len, c);
	free(text);
	if (ret)
		return lb_err_set(err, -ret, "the log in '%s' (makedumpfile --dump-dmesg) holds no panic or oops",
				  vmcore);
	return 0;
}

int lb_backtraces(const char *vmcore, const char *vmlinux, bool run_crash, bool run_drgn,
		  char *out, size_t outlen, enum lb_reader *by, lb_bt_failed_fn failed)
{
	int ret;

	if (run_crash) {
		ret = lb_crash_backtraces(vmcore, vmlinux, out, outlen);
		/* crash may start, find nothing and still exit 0: a backtrace names its task. */
		if (ret == 0 && strstr(out, "PID:")) {
			*by = LB_READER_CRASH;
			return 0;
		}
		if (failed)
			failed(LB_READER_CRASH, ret, out);
	}
	if (run_drgn) {
		ret = lb_drgn_backtraces(vmcore, vmlinux, out, outlen);
		if (ret == 0) {
			*by = LB_READER_DRGN;
			return 0;
		}
		if (failed)
			failed(LB_READER_DRGN, ret, out);
	}
	return -ENOENT;
}

int lb_failure_news(struct lb_meta *m, char *name, size_t len)
{
	char last[LB_DUMP_NAME_LEN] = "";

	if (lb_capture_failed_read(m) || m->crash_time < 0 ||
	    lb_dump_name(m->crash_time, 0, name, len))
		return 0;
	lb_read_line(LAST_FAILURE, last, sizeof(last));
	return strcmp(last, name) != 0;
}

void lb_failure_told(const char *name)
{
	lb_write_file(LAST_FAILURE, name, strlen(name));
}

int lb_jump_news(const struct lb_conf *conf, struct lb_meta *m, struct lb_err *err)
{
	char line[128], name[LB_DUMP_NAME_LEN];
	struct lb_meta failed;
	struct lb_target t;
	char **names = NULL;
	unsigned int cpu;
	size_t nr = 0;
	long long when;
	bool unsaved;
	int ret;

	if (lb_sysfs_read("last_jump", line, sizeof(line)) ||
	    lb_last_jump_parse(line, strlen(line), &when, &cpu))
		return 0;
	ret = lb_target_open(conf, 0, &t, err);
	if (ret)
		return ret;
	ret = lb_list_dumps(t.dir, &names, &nr);
	if (ret) {
		lb_err_set(err, -ret, "cannot list the dumps in %s: %s", t.dir, strerror(-ret));
		lb_target_close(&t);
		return ret;
	}
	lb_target_close(&t);
	if (lb_capture_failed_read(&failed))
		failed.crash_time = -1;
	unsaved = lb_jump_unsaved(when, (const char *const *)names, nr, failed.crash_time);
	lb_free_names(names, nr);
	if (!unsaved)
		return 0;

	/* The record the saver would have written, had it run. */
	lb_meta_init(m);
	snprintf(m->status, sizeof(m->status), "failed");
	lb_jump_reason(when, m->reason, sizeof(m->reason));
	m->crash_time = when;
	m->saved_time = (long long)time(NULL);
	ret = lb_meta_write(LB_STATE_DIR, LB_CAPTURE_FAILED_FILE, m);
	if (ret)
		return lb_err_set(err, -ret, "cannot record the failed capture in %s: %s",
				  LB_CAPTURE_FAILED_PATH, strerror(-ret));
	/* Told now: the next start does not tell it again as the saver's record. */
	if (!lb_dump_name(when, 0, name, sizeof(name)))
		lb_failure_told(name);
	return 1;
}

int lb_dump_news(const struct lb_conf *conf, lb_say_fn say, char *name, size_t len,
		 struct lb_meta *meta, struct lb_err *err)
{
	char **names = NULL, last[LB_DUMP_NAME_LEN + 16] = "", path[PATH_MAX + 64], *text;
	struct lb_target t;
	size_t nr = 0, n;
	const char *newest;
	int ret;

	ret = lb_target_open(conf, 1, &t, err);
	if (ret)
		return ret;
	if (conf->keep && lb_prune_dumps(t.dir, conf->keep, NULL, err) < 0)
		say("%s", err->msg);
	ret = lb_list_dumps(t.dir, &names, &nr);
	if (ret || !nr) {
		ret = 0;
		goto out;
	}
	newest = names[nr - 1];
	lb_read_line(LAST_DUMP, last, sizeof(last));
	if (!strcmp(last, newest))
		goto out;
	snprintf(name, len, "%s", newest);
	lb_meta_init(meta);
	snprintf(path, sizeof(path), "%s/%s/%s", t.dir, newest, LB_META_FILE);
	if (!lb_read_file(path, 1 << 20, &text, &n)) {
		lb_meta_parse(meta, text, n);
		free(text);
	}
	ret = 1;
out:
	lb_free_names(names, nr);
	lb_target_close(&t);
	return ret;
}

void lb_dump_told(const char *name)
{
	if (!lb_mkdir_p(LB_STATE_DIR, 0755))
		lb_write_file(LAST_DUMP, name, strlen(name));
}
