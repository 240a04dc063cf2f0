// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat report: what happened. Lists the dumps on the configured target
 * (or in --dir), then shows one of them, the newest by default: the panic,
 * the oops behind it, the crashed task and its stack (from dmesg.txt), the
 * kernel release, the time, and how the save went (metadata.txt). With
 * --vmlinux (a debug vmlinux of the same release) it adds every CPU's
 * backtrace through crash, or drgn when crash is missing or fails.
 *
 * A dump that is not complete says so first, in one line: "incomplete
 * dump from <time>: <reason>" (lib/savefault.c), from the record the saver
 * kept before each step; a capture whose target could not even be mounted
 * left its reason in the state directory instead, and is shown above the
 * list while no newer dump exists.
 *
 * Before running crash or drgn, machine/report.c compares their versions
 * with the dump's kernel release (lib/readers.c) and runs them: one too old
 * for that kernel is not run, the report says which version would read the
 * dump, and when neither can it falls back to the dump's log (dmesg.txt,
 * else makedumpfile --dump-dmesg on the vmcore) rather than printing
 * nothing. This file reads the options and prints.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "report.h"

enum { BT_OUT = 1 << 20 };

static void human(char *buf, size_t len, unsigned long long v)
{
	if (v >= 1ULL << 20)
		snprintf(buf, len, "%.1f MiB", (double)v / (1 << 20));
	else if (v >= 1ULL << 10)
		snprintf(buf, len, "%.1f KiB", (double)v / (1 << 10));
	else
		snprintf(buf, len, "%llu B", v);
}

static void fmt_time(char *buf, size_t len, long long t)
{
	if (lb_time_format(buf, len, t))
		snprintf(buf, len, "unknown");
}

static const char *status_of(const struct lb_dump *d)
{
	if (lb_dump_kind(d->name) == LB_DUMP_INCOMPLETE)
		return "incomplete";
	if (d->have_meta && d->meta.status[0])
		return d->meta.status;
	return "no metadata";
}

static const char *panic_of(const struct lb_dump *d)
{
	if (d->have_crash && d->crash.panic[0])
		return d->crash.panic;
	if (d->have_crash && d->crash.cause[0])
		return d->crash.cause;
	if (d->have_meta && d->meta.panic[0])
		return d->meta.panic;
	return "(no panic message found)";
}

static const char *release_of(const struct lb_dump *d)
{
	if (d->have_meta && d->meta.kernel_release[0])
		return d->meta.kernel_release;
	if (d->have_crash && d->crash.release[0])
		return d->crash.release;
	return "unknown";
}

/*
 * A capture whose target could not be mounted (the saver's record in the
 * state directory), or whose capture kernel never reached the saver
 * (lifeboat start's record there, from the jump stamp). Shown while no dump
 * on the target is as recent.
 */
static void failed_capture(char **names, size_t nr)
{
	char path[] = LB_CAPTURE_FAILED_PATH, name[LB_DUMP_NAME_LEN], line[512];
	struct lb_meta m;
	struct stat st;

	if (lb_capture_failed_read(&m))
		return;
	if (lb_dump_name(m.crash_time >= 0 ? m.crash_time : 0, 0, name, sizeof(name)))
		name[0] = '\0';
	if (nr && strncmp(names[nr - 1], name, 15) >= 0)
		return;
	fmt_time(line, sizeof(line), m.crash_time);
	printf("no dump of the crash at %s: the capture failed: %s\n", line,
	       m.reason[0] ? m.reason : "no reason recorded");
	if (m.panic[0])
		printf("  panic:   %s\n", m.panic);
	/* The saver names its kernel; lifeboat start's record of a jump stamp cannot. */
	if (!stat(path, &st))
		printf("  (recorded by %s in %s)\n",
		       m.capture_release[0] ? "the capture kernel" :
		       "'lifeboat start' from the stamp of the jump to the capture kernel", path);
}

static void list(struct lb_dump *dumps, size_t nr, const char *root)
{
	size_t i;

	printf("crash dumps in %s (newest first):\n", root);
	printf("  %-20s %-11s %-20s %10s  %s\n", "NAME", "STATUS", "KERNEL", "VMCORE", "PANIC");
	for (i = nr; i-- > 0;) {
		struct lb_dump *d = &dumps[i];
		char size[32] = "-";

		if (d->have_vmcore)
			human(size, sizeof(size), d->meta.vmcore_bytes);
		printf("  %-20s %-11s %-20s %10s  %.100s\n", d->name, status_of(d), release_of(d), size,
		       panic_of(d));
	}
}

static void show(const struct lb_dump *d)
{
	char when[64], a[32], b[32], verdict[512];
	unsigned int i;

	printf("\ndump %s\n", d->shown);
	if (lb_dump_verdict(d->name, d->have_meta ? &d->meta : NULL, verdict, sizeof(verdict)))
		printf("  %s\n", verdict);
	printf("  status:  %s\n", status_of(d));
	if (d->have_meta && d->meta.reason[0])
		printf("  reason:  %s\n", d->meta.reason);
	if (d->partial_bytes >= 0) {
		human(a, sizeof(a), (unsigned long long)d->partial_bytes);
		printf("  partial: vmcore.incomplete, %s written before the save stopped: not a dump crash or drgn can read\n",
		       a);
	}
	fmt_time(when, sizeof(when), d->have_meta ? d->meta.crash_time : -1);
	printf("  crashed: %s\n", when);
	printf("  kernel:  %s\n", release_of(d));
	printf("  panic:   %s\n", panic_of(d));
	if (d->have_crash && d->crash.cause[0] && d->crash.panic[0])
		printf("  cause:   %s\n", d->crash.cause);
	if (d->have_crash && d->crash.task[0])
		printf("  task:    %s\n", d->crash.task);
	/* A save cut short finished nothing: its sizes and times would mislead. */
	if (d->have_meta && lb_dump_kind(d->name) != LB_DUMP_INCOMPLETE) {
		human(a, sizeof(a), d->meta.vmcore_bytes);
		human(b, sizeof(b), d->meta.dmesg_bytes);
		printf("  saved:   %s%s%sdmesg %s in %llu.%llu s (dump level %u, %s, makedumpfile %s)\n",
		       d->have_vmcore ? "vmcore " : "", d->have_vmcore ? a : "",
		       d->have_vmcore ? ", " : "", b, d->meta.save_ms / 1000,
		       d->meta.save_ms % 1000 / 100, d->meta.dump_level, d->meta.compression,
		       d->meta.makedumpfile[0] ? d->meta.makedumpfile : "?");
	}
	if (!d->have_dmesg) {
		printf("\nno dmesg.txt in this dump\n");
		return;
	}
	if (!d->have_crash || !d->crash.nr_frames) {
		printf("\nno stack in dmesg.txt\n");
		return;
	}
	printf("\ncrashed task's stack (from dmesg.txt):\n");
	for (i = 0; i < d->crash.nr_frames; i++)
		printf("  %s\n", d->crash.frames[i]);
	if (d->crash.frames_truncated)
		printf("  ...\n");
}

/*
 * Says what lb_reader_plan() decided for reader r on a dump of `release`:
 * plainly when it is too old for that kernel (and is not run), with a
 * warning when the kernel is newer than the table knows.
 */
static void tell_plan(enum lb_reader r, const char *release, const struct lb_reader_plan *p)
{
	const char *name = lb_reader_name(r);

	if (!p->version[0]) {
		printf("  %s: not installed (or it does not start)\n", name);
		return;
	}
	if (!release[0])
		return;
	switch (p->verdict) {
	case LB_READER_TOO_OLD:
		printf("  %s %s is too old for Linux %s: it cannot read this dump; %s %s or newer would\n",
		       name, p->version, release, name, p->need);
		break;
	case LB_READER_UNKNOWN:
		printf("  %s %s may not read Linux %s, which is newer than lifeboat knows; trying it\n",
		       name, p->version, release);
		break;
	default:
		printf("  %s %s reads Linux %s\n", name, p->version, release);
		break;
	}
}

/*
 * What works without crash and drgn: the dump's log. The panic and the
 * crashed task's stack above came from dmesg.txt; without it, from
 * makedumpfile --dump-dmesg on the vmcore. 0 when the log was read.
 */
static int log_fallback(const struct lb_dump *d)
{
	struct lb_err err = { "" };
	struct lb_crash c;
	unsigned int i;

	if (d->have_crash) {
		printf("\nwithout crash or drgn, the panic and the crashed task's stack above, from\n"
		       "dmesg.txt, are what this dump shows here\n");
		return 0;
	}
	if (lb_vmcore_crash(d->vmcore, &c, &err))
		return lb_error("%s", err.msg);
	printf("\nfrom the dump's log (makedumpfile --dump-dmesg):\n");
	if (c.panic[0])
		printf("  panic:   %s\n", c.panic);
	if (c.cause[0])
		printf("  cause:   %s\n", c.cause);
	if (c.task[0])
		printf("  task:    %s\n", c.task);
	if (c.nr_frames)
		printf("crashed task's stack:\n");
	for (i = 0; i < c.nr_frames; i++)
		printf("  %s\n", c.frames[i]);
	if (c.frames_truncated)
		printf("  ...\n");
	return 0;
}

/* A reader that could not read the dump: what it said, on stderr. */
static void bt_failed(enum lb_reader r, int status, const char *out)
{
	if (r == LB_READER_DRGN) {
		fprintf(stderr, "%s", out);
		return;
	}
	fprintf(stderr, "lifeboat: crash could not read the dump (%s); trying drgn\n",
		status < 0 ? strerror(-status) : "see its output below");
	if (status > 0)
		fprintf(stderr, "%s\n", out);
}

/* Every CPU's backtrace: crash's bt -a, else drgn. 0 when one of them worked. */
static int backtraces(const struct lb_dump *d, const char *vmlinux)
{
	struct lb_reader_plan crash, drgn;
	enum lb_reader by;
	char release[65], *out;
	int ret;

	if (!d->have_vmcore)
		return lb_error("%s has no vmcore, only what dmesg.txt says above", d->dir);
	if (access(vmlinux, R_OK))
		return lb_error("cannot read the debug vmlinux '%s': %s", vmlinux, strerror(errno));

	lb_dump_release(d, release, sizeof(release));
	printf("\ndump readers for Linux %s:\n", release[0] ? release : "(release unknown)");
	lb_reader_plan(LB_READER_CRASH, release, &crash);
	tell_plan(LB_READER_CRASH, release, &crash);
	lb_reader_plan(LB_READER_DRGN, release, &drgn);
	tell_plan(LB_READER_DRGN, release, &drgn);
	if (!crash.run && !drgn.run) {
		if (crash.verdict == LB_READER_TOO_OLD || drgn.verdict == LB_READER_TOO_OLD)
			printf("  every CPU's backtrace needs %s%s%s%s%s%s%s\n",
			       crash.need ? "crash " : "", crash.need ? crash.need : "",
			       crash.need && drgn.need ? " or " : "",
			       drgn.need ? "drgn " : "", drgn.need ? drgn.need : "",
			       crash.need || drgn.need ? " or newer" : "a dump reader",
			       "; until then, the dump's log:");
		return log_fallback(d) ? 1 : 0;
	}
	out = malloc(BT_OUT);
	if (!out)
		return lb_error("out of memory");
	ret = lb_backtraces(d->vmcore, vmlinux, crash.run, drgn.run, out, BT_OUT, &by, bt_failed);
	if (!ret) {
		printf("\nevery CPU's backtrace (%s):\n%s",
		       by == LB_READER_CRASH ? "crash, bt -a" : "drgn", out);
		free(out);
		return 0;
	}
	free(out);
	lb_error("%s could read '%s' with '%s'", crash.run && drgn.run ? "neither crash nor drgn" :
		 crash.run ? "crash" : "drgn", d->vmcore, vmlinux);
	log_fallback(d);
	return 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lifeboat report [--config FILE] [--dir DIR] [--vmlinux FILE] [--list] [NAME]\n\n"
		"Lists the crash dumps on the dump target of the configuration (default\n"
		"%s), or in DIR, and shows the newest, or NAME: the panic, the\n"
		"crashed task's stack, the kernel release, the time. With --vmlinux (a debug\n"
		"vmlinux of the crashed kernel) it adds every CPU's backtrace (crash or drgn).\n",
		LB_CONF_PATH);
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dir", required_argument, NULL, 'd' },
		{ "vmlinux", required_argument, NULL, 'x' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = LB_CONF_PATH, *dir = NULL, *vmlinux = NULL, *want = NULL;
	struct lb_target t = { 0 };
	struct lb_dump *dumps = NULL;
	char root[PATH_MAX], shown[PATH_MAX + 300], single[LB_DUMP_NAME_LEN + 16];
	char **names = NULL, path[PATH_MAX + 32];
	size_t nr = 0, i, pick;
	struct lb_err err;
	struct lb_conf conf;
	int opt, ret = 0, only_list = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:d:x:lh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			conf_path = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'x':
			vmlinux = optarg;
			break;
		case 'l':
			only_list = 1;
			break;
		default:
			return lb_usage(opt == 'h', usage);
		}
	}
	if (optind + 1 < argc)
		return lb_usage(false, usage);
	if (optind < argc)
		want = argv[optind];

	lb_conf_defaults(&conf);
	if (dir) {
		size_t n;

		snprintf(root, sizeof(root), "%s", dir);
		while ((n = strlen(root)) > 1 && root[n - 1] == '/')
			root[n - 1] = '\0';
		/* --dir may name one dump rather than the directory of dumps. */
		snprintf(path, sizeof(path), "%s/%s", root, LB_META_FILE);
		if (!access(path, F_OK) ||
		    (snprintf(path, sizeof(path), "%s/dmesg.txt", root), !access(path, F_OK))) {
			char *slash = strrchr(root, '/');
			const char *base = slash ? slash + 1 : root;

			if (lb_dump_kind(base) == LB_DUMP_NONE)
				return lb_error("'%s' holds a dump but is not named like one (YYYYMMDD-HHMMSS)",
						dir);
			snprintf(single, sizeof(single), "%s", base);
			want = single;
			if (!slash)
				snprintf(root, sizeof(root), ".");
			else if (slash == root)
				root[1] = '\0';
			else
				*slash = '\0';
		}
		snprintf(shown, sizeof(shown), "%s", root);
	} else {
		if (lb_conf_load(conf_path, strcmp(conf_path, LB_CONF_PATH) != 0, &conf, &err))
			return lb_error("%s", err.msg);
		if (lb_target_open(&conf, 0, &t, &err)) {
			failed_capture(NULL, 0);
			return lb_error("%s", err.msg);
		}
		snprintf(root, sizeof(root), "%s", t.dir);
		if (t.we_mounted)
			snprintf(shown, sizeof(shown), "%s:%s", conf.target, conf.path);
		else
			snprintf(shown, sizeof(shown), "%s", root);
	}

	ret = lb_list_dumps(root, &names, &nr);
	if (ret) {
		lb_error("cannot list '%s': %s", root, strerror(-ret));
		goto out;
	}
	if (!dir)
		failed_capture(names, nr);
	if (!nr) {
		printf("no crash dumps in %s\n", shown);
		goto out;
	}
	dumps = calloc(nr, sizeof(*dumps));
	if (!dumps) {
		ret = lb_error("out of memory");
		goto out;
	}
	for (i = 0; i < nr; i++)
		lb_dump_load(&dumps[i], root, shown, names[i]);
	list(dumps, nr, shown);
	if (only_list)
		goto out;

	pick = nr - 1;
	if (want) {
		for (pick = 0; pick < nr && strcmp(names[pick], want); pick++)
			;
		if (pick == nr) {
			ret = lb_error("no dump named '%s' in %s", want, root);
			goto out;
		}
	}
	show(&dumps[pick]);
	if (vmlinux) {
		ret = backtraces(&dumps[pick], vmlinux) ? 1 : 0;
	} else if (dumps[pick].have_vmcore) {
		struct lb_reader_plan crash, drgn;
		char dbg[PATH_MAX], release[65];
		bool have_dbg;

		lb_dump_release(&dumps[pick], release, sizeof(release));
		if (!release[0])
			snprintf(release, sizeof(release), "unknown");
		have_dbg = lb_debug_vmlinux(release, dbg, sizeof(dbg));
		printf("\nevery CPU's backtrace: lifeboat report%s%s --vmlinux %s %s\n",
		       dir ? " --dir " : "", dir ? dir : "", dbg, dumps[pick].name);
		if (!have_dbg)
			printf("  (that file comes with the package linux-image-%s-dbg)\n", release);
		/* Only when both are there and too old: a machine without them
		 * (the capture side's guest) hears nothing. */
		if (lb_readers_too_old(release, &crash, &drgn)) {
			printf("  (crash %s and drgn %s here cannot read dumps of Linux %s: that takes\n"
			       "  crash %s or drgn %s or newer; without them the dump's log is what there is)\n",
			       crash.version, drgn.version, release, crash.need, drgn.need);
			if (!dumps[pick].have_crash)
				log_fallback(&dumps[pick]);
		}
	}
out:
	free(dumps);
	lb_free_names(names, nr);
	lb_target_close(&t);
	return ret ? 1 : 0;
}
