// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat report: what happened. Lists the dumps on the configured target
 * (or in --dir), then shows one of them, the newest by default: the panic,
 * the oops behind it, the crashed task and its stack (from dmesg.txt), the
 * kernel release, the time, and how the save went (metadata.txt). With
 * --vmlinux (a debug vmlinux of the same release) it adds every CPU's
 * backtrace through crash, or drgn when crash is missing or fails.
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
#include "sys.h"

enum { BT_OUT = 1 << 20, TEXT_MAX = 64 << 20 };

static const char drgn_script[] =
	"import sys, drgn\n"
	"from drgn.helpers.linux.cpumask import for_each_online_cpu\n"
	"from drgn.helpers.linux.sched import cpu_curr\n"
	"prog = drgn.Program()\n"
	"prog.set_core_dump(sys.argv[1])\n"
	"try:\n"
	"    prog.load_debug_info([sys.argv[2]])\n"
	"except drgn.MissingDebugInfoError:\n"
	"    pass\n"
	"for cpu in for_each_online_cpu(prog):\n"
	"    task = cpu_curr(prog, cpu)\n"
	"    print('CPU %d: PID %d \"%s\"' % (cpu, task.pid.value_(), task.comm.string_().decode()))\n"
	"    try:\n"
	"        trace = prog.stack_trace(task)\n"
	"    except Exception as e:\n"
	"        print('    (no stack: %s)' % e)\n"
	"        continue\n"
	"    for i, frame in enumerate(trace):\n"
	"        print('    #%-2d %s' % (i, frame.name or hex(frame.pc)))\n";

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
	time_t tt = (time_t)t;
	struct tm tm;

	if (t < 0 || !gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "unknown");
}

struct dump {
	char dir[PATH_MAX];		/* where to read it */
	char shown[PATH_MAX + 320];	/* how to name it to the user */
	const char *name;
	struct lb_meta meta;
	int have_meta;
	struct lb_crash crash;
	int have_crash;
	int have_vmcore;
	int have_dmesg;
};

static void load_dump(struct dump *d, const char *root, const char *shown, const char *name)
{
	char path[PATH_MAX + 32], *text;
	struct stat st;
	size_t len;

	memset(d, 0, sizeof(*d));
	d->name = name;
	snprintf(d->dir, sizeof(d->dir), "%s/%s", root, name);
	snprintf(d->shown, sizeof(d->shown), "%s/%s", shown, name);
	snprintf(path, sizeof(path), "%s/%s", d->dir, LB_META_FILE);
	if (!lb_read_file(path, 1 << 20, &text, &len)) {
		d->have_meta = !lb_meta_parse(&d->meta, text, len);
		free(text);
	}
	snprintf(path, sizeof(path), "%s/vmcore", d->dir);
	d->have_vmcore = !stat(path, &st) && S_ISREG(st.st_mode);
	if (d->have_vmcore && !d->meta.vmcore_bytes)
		d->meta.vmcore_bytes = (unsigned long long)st.st_size;
	snprintf(path, sizeof(path), "%s/dmesg.txt", d->dir);
	if (!lb_read_file(path, TEXT_MAX, &text, &len)) {
		d->have_dmesg = 1;
		d->have_crash = !lb_dmesg_parse(text, len, &d->crash);
		free(text);
	}
}

static const char *status_of(const struct dump *d)
{
	if (lb_dump_kind(d->name) == LB_DUMP_INCOMPLETE)
		return "incomplete";
	if (d->have_meta && d->meta.status[0])
		return d->meta.status;
	return "no metadata";
}

static const char *panic_of(const struct dump *d)
{
	if (d->have_crash && d->crash.panic[0])
		return d->crash.panic;
	if (d->have_crash && d->crash.cause[0])
		return d->crash.cause;
	if (d->have_meta && d->meta.panic[0])
		return d->meta.panic;
	return "(no panic message found)";
}

static const char *release_of(const struct dump *d)
{
	if (d->have_meta && d->meta.kernel_release[0])
		return d->meta.kernel_release;
	if (d->have_crash && d->crash.release[0])
		return d->crash.release;
	return "unknown";
}

static void list(struct dump *dumps, size_t nr, const char *root)
{
	size_t i;

	printf("crash dumps in %s (newest first):\n", root);
	printf("  %-20s %-11s %-20s %10s  %s\n", "NAME", "STATUS", "KERNEL", "VMCORE", "PANIC");
	for (i = nr; i-- > 0;) {
		struct dump *d = &dumps[i];
		char size[32] = "-";

		if (d->have_vmcore)
			human(size, sizeof(size), d->meta.vmcore_bytes);
		printf("  %-20s %-11s %-20s %10s  %.100s\n", d->name, status_of(d), release_of(d), size,
		       panic_of(d));
	}
}

static void show(const struct dump *d)
{
	char when[64], a[32], b[32];
	unsigned int i;

	printf("\ndump %s\n", d->shown);
	printf("  status:  %s\n", status_of(d));
	if (d->have_meta && d->meta.reason[0])
		printf("  reason:  %s\n", d->meta.reason);
	if (lb_dump_kind(d->name) == LB_DUMP_INCOMPLETE)
		printf("  reason:  the save was interrupted (the capture kernel stopped or the machine was reset)\n");
	fmt_time(when, sizeof(when), d->have_meta ? d->meta.crash_time : -1);
	printf("  crashed: %s\n", when);
	printf("  kernel:  %s\n", release_of(d));
	printf("  panic:   %s\n", panic_of(d));
	if (d->have_crash && d->crash.cause[0] && d->crash.panic[0])
		printf("  cause:   %s\n", d->crash.cause);
	if (d->have_crash && d->crash.task[0])
		printf("  task:    %s\n", d->crash.task);
	if (d->have_meta) {
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

/* Every CPU's backtrace: crash's bt -a, else drgn. 0 when one of them worked. */
static int backtraces(const struct dump *d, const char *vmlinux)
{
	char vmcore[PATH_MAX + 16], script[] = "/tmp/lifeboat-report.XXXXXX", *out;
	const char *crash_argv[] = { "crash", "-s", "--no_scroll", "-i", script, vmlinux,
			       vmcore, NULL };
	char python[PATH_MAX];
	int fd, ret;

	snprintf(vmcore, sizeof(vmcore), "%s/vmcore", d->dir);
	if (!d->have_vmcore)
		return lb_error("%s has no vmcore, only what dmesg.txt says above", d->dir);
	if (access(vmlinux, R_OK))
		return lb_error("cannot read the debug vmlinux '%s': %s", vmlinux, strerror(errno));
	out = malloc(BT_OUT);
	if (!out)
		return lb_error("out of memory");

	fd = mkstemp(script);
	if (fd >= 0) {
		static const char cmds[] = "bt -a\nq\n";
		ssize_t w = write(fd, cmds, sizeof(cmds) - 1);

		close(fd);
		ret = w == (ssize_t)sizeof(cmds) - 1 ? lb_run(crash_argv, out, BT_OUT, 0) : -EIO;
		unlink(script);
		if (ret == 0 && strstr(out, "PID:")) {
			printf("\nevery CPU's backtrace (crash, bt -a):\n%s", out);
			free(out);
			return 0;
		}
		fprintf(stderr, "lifeboat: crash could not read the dump (%s); trying drgn\n",
			ret < 0 ? strerror(-ret) : "see its output below");
		if (ret > 0)
			fprintf(stderr, "%s\n", out);
	}

	/* drgn is packaged for Debian's own python3. */
	if (access("/usr/bin/python3", X_OK) || snprintf(python, sizeof(python), "/usr/bin/python3") < 0)
		snprintf(python, sizeof(python), "python3");
	{
		const char *drgn_argv[] = { python, "-c", drgn_script, vmcore, vmlinux,
				      NULL };

		ret = lb_run(drgn_argv, out, BT_OUT, 0);
	}
	if (ret == 0) {
		printf("\nevery CPU's backtrace (drgn):\n%s", out);
		free(out);
		return 0;
	}
	fprintf(stderr, "%s", out);
	free(out);
	return lb_error("neither crash nor drgn could read '%s' with '%s'", vmcore, vmlinux);
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
	struct dump *dumps = NULL;
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
		if (lb_target_open(&conf, 0, &t, &err))
			return lb_error("%s", err.msg);
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
		load_dump(&dumps[i], root, shown, names[i]);
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
		char dbg[PATH_MAX];

		snprintf(dbg, sizeof(dbg), "/usr/lib/debug/boot/vmlinux-%s", release_of(&dumps[pick]));
		printf("\nevery CPU's backtrace: lifeboat report%s%s --vmlinux %s %s\n",
		       dir ? " --dir " : "", dir ? dir : "", dbg, dumps[pick].name);
		if (access(dbg, R_OK))
			printf("  (that file comes with the package linux-image-%s-dbg)\n",
			       release_of(&dumps[pick]));
	}
out:
	free(dumps);
	lb_free_names(names, nr);
	lb_target_close(&t);
	return ret ? 1 : 0;
}
