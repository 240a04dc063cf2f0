// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat start / stop: what the boot-time unit runs
 * (dumptools/systemd/lifeboat.service). start:
 *
 *   1. reads /etc/lifeboat.conf;
 *   2. on the dump target, removes dumps beyond `keep` and tells, once, about
 *      a dump saved since the last start (the machine crashed);
 *   3. refuses to arm beside Linux's own kdump;
 *   4. finds the reserved region (loading lifeboat.ko if it is not, or
 *      saying that this kernel has none), as `lifeboat estimate` does; with
 *      none, says so and stops;
 *   5. rebuilds the capture initramfs when its inputs changed (the kernel,
 *      the configuration, the tools);
 *   6. judges the region as `lifeboat estimate` does (struct lb_sizing,
 *      machine/sizing.c: its figure for this machine, kernel and initramfs, and the
 *      image builder's word on the region, as `lifeboat load` will have it);
 *   7. loads and arms.
 *
 * Every refusal says why on stderr, which the journal keeps, in one line,
 * with the crashkernel= to boot with when the region is missing or too
 * small: the estimate's boot parameter. stop disarms and unloads.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "commands.h"
#include "report.h"
#include "sizing.h"

/*
 * Tells once about a capture that could not mount its target: the saver's
 * record in the state directory (machine/saver.c).
 */
static void look_at_failure(void)
{
	char name[LB_DUMP_NAME_LEN], when[64];
	struct lb_meta m;

	if (!lb_failure_news(&m, name, sizeof(name)))
		return;
	if (lb_time_format(when, sizeof(when), m.crash_time))
		snprintf(when, sizeof(when), "an unknown time");
	printf("lifeboat: the system crashed at %s: %s\n", when,
	       m.panic[0] ? m.panic : "(no panic message saved)");
	printf("lifeboat: no dump of the crash at %s: the capture failed: %s; 'lifeboat report' shows it\n",
	       when, m.reason[0] ? m.reason : "no reason recorded");
	lb_failure_told(name);
}

/* Prunes, and tells once about the newest dump. Trouble here does not stop the arming. */
static void look_at_dumps(const struct lb_conf *conf)
{
	char newest[LB_DUMP_NAME_LEN + 16], when[64], verdict[512];
	struct lb_err err;
	struct lb_meta meta;
	int ret;

	look_at_failure();
	ret = lb_dump_news(conf, lb_error, newest, sizeof(newest), &meta, &err);
	if (ret < 0)
		lb_error("cannot look at the dumps: %s", err.msg);
	if (ret <= 0)
		return;
	if (lb_time_format(when, sizeof(when), meta.crash_time))
		snprintf(when, sizeof(when), "an unknown time");
	printf("lifeboat: the system crashed at %s: %s\n", when,
	       meta.panic[0] ? meta.panic : "(no panic message saved)");
	printf("lifeboat: dump %s/%s (%s%s%s); 'lifeboat report' shows it\n", conf->path, newest,
	       lb_dump_kind(newest) == LB_DUMP_INCOMPLETE ? "incomplete" :
	       meta.status[0] ? meta.status : "no metadata",
	       meta.reason[0] ? ": " : "", meta.reason);
	/* Not complete: the report's first line, from the saver's record. */
	if (lb_dump_verdict(newest, &meta, verdict, sizeof(verdict)))
		printf("lifeboat: %s\n", verdict);
	lb_dump_told(newest);
}

/*
 * No region: says so, with the crashkernel= the estimate gives for the
 * capture initramfs built last, if there is one (p NULL: the plan could not
 * be made). Nothing is built: that waits for a region. Return: 1.
 */
static int no_region(struct lb_sizing *s, const struct lb_plan *p)
{
	char img[PATH_MAX] = "", why[sizeof(s->source) + sizeof(s->why) + 16];
	struct lb_err err;

	snprintf(why, sizeof(why), "from %s: %s", s->source, s->why[0] ? s->why : "not reserved");
	if (p) {
		lb_initramfs_path(img, sizeof(img), p->kver);
		if (!access(img, R_OK) && !lb_sizing_files(s, p->kernel, img, &err))
			return lb_error("cannot arm: no reserved region: boot with crashkernel=%lluM (%s)",
					(unsigned long long)(s->anywhere.total >> 20), why);
	}
	return lb_error("cannot arm: no reserved region: boot with crashkernel=SIZE, SIZE as 'lifeboat estimate' gives it%s (%s)",
			img[0] && access(img, R_OK) ?
			" once 'lifeboat mkinitramfs' has built the capture initramfs" : "", why);
}

/* The region against the estimate, as `lifeboat estimate` judges it. Return: 0 to arm, or 1. */
static int region_verdict(const struct lb_sizing *s)
{
	unsigned long long have = (s->end - s->start) >> 20, need = s->here.total >> 20;
	unsigned long long boot = s->anywhere.total >> 20;

	switch (s->verdict) {
	case LB_VERDICT_ENOUGH:
		return 0;
	case LB_VERDICT_TOO_SMALL:
		return lb_error("cannot arm: region too small (have %llu MiB, need %llu MiB): boot with crashkernel=%lluM ('lifeboat estimate' shows what needs the room)",
				have, need, boot);
	case LB_VERDICT_REFUSED:
		return lb_error("cannot arm: the region (%llu MiB, %llu MiB needed) is not usable: 'lifeboat load' would refuse it: %s",
				have, need, s->refusal.msg);
	case LB_VERDICT_NONE:
		break;
	}
	return lb_error("cannot arm: no reserved region");
}

static int start(const char *conf_path, int rebuild)
{
	char img[PATH_MAX], cmdline[LB_CONF_LONG * 2], kver[65], a[32], b[32];
	struct lb_plan_update up;
	struct lb_sizing *s = NULL;
	struct lb_plan *p = NULL;
	struct lb_conf conf;
	struct lb_err err;
	int ret;

	if (lb_conf_load(conf_path, strcmp(conf_path, LB_CONF_PATH) != 0, &conf, &err))
		return lb_error("cannot arm: %s", err.msg);
	look_at_dumps(&conf);

	if (lb_kdump_loaded())
		return lb_error("cannot arm: Linux's own kdump is loaded (/sys/kernel/kexec_crash_loaded is 1) and would take the panic first; disable it (systemctl disable --now kdump-tools) or unload it (kexec -p -u)");
	if (lb_module_ensure(&err))
		return lb_error("cannot arm: %s", err.msg);

	/* The machine and its region, as `lifeboat estimate` reads them. */
	s = calloc(1, sizeof(*s));
	p = calloc(1, sizeof(*p));
	if (!s || !p) {
		ret = lb_err_set(&err, ENOMEM, "out of memory");
		goto out_err;
	}
	ret = lb_sizing_machine(s, &err);
	if (ret)
		goto out_err;
	ret = lb_plan_make(&conf, NULL, NULL, NULL, 0, p, &err);
	/* No region: say so before building anything. */
	if (!s->end) {
		no_region(s, ret ? NULL : p);
		goto out;
	}
	if (ret)
		goto out_err;
	ret = lb_kernel_info(p->kernel, kver, sizeof(kver), &err);
	if (ret)
		goto out_err;
	if (strcmp(kver, p->kver))
		fprintf(stderr, "lifeboat: warning: '%s' says it is %s, the modules are for %s\n",
			p->kernel, kver, p->kver);

	lb_initramfs_path(img, sizeof(img), p->kver);
	ret = lb_plan_update(p, img, rebuild, &up, &err);
	if (ret)
		goto out_err;
	lb_mib_format(a, sizeof(a), up.packed);
	if (!up.built) {
		printf("lifeboat: capture initramfs %s is up to date (%s)\n", img, a);
	} else {
		lb_mib_format(b, sizeof(b), up.unpacked);
		printf("lifeboat: built the capture initramfs %s: %s (%s unpacked; %s, modules %s)\n",
		       img, a, b, rebuild ? "as asked" : up.had_stamp ? "its inputs changed" : "first build",
		       p->modules);
	}

	/* Is the region enough? The estimate's verdict, with the image builder's word. */
	ret = lb_sizing_files(s, p->kernel, img, &err);
	if (ret)
		goto out_err;
	if (region_verdict(s))
		goto out;
	ret = lb_capture_cmdline(cmdline, sizeof(cmdline), conf.append);
	if (ret) {
		lb_err_set(&err, -ret, "the capture command line is too long");
		goto out_err;
	}
	if (lb_capture_load(p->kernel, img, cmdline) || lb_capture_arm())
		goto out;
	printf("lifeboat: armed: capture kernel %s, initramfs %s, %llu MiB reserved, %llu MiB needed; dumps go to %s:%s\n",
	       p->kernel, img,
	       (unsigned long long)((s->end - s->start) >> 20),
	       (unsigned long long)(s->here.total >> 20), p->conf.target, p->conf.path);
	lb_sizing_release(s);
	free(s);
	free(p);
	return 0;
out_err:
	lb_error("cannot arm: %s", err.msg);
out:
	if (s)
		lb_sizing_release(s);
	free(s);
	free(p);
	return 1;
}

static void start_usage(FILE *out)
{
	fprintf(out,
		"usage: lifeboat start [--config FILE] [--rebuild]\n\n"
		"What the boot-time unit runs: prunes old dumps and tells about a new one,\n"
		"rebuilds the capture initramfs when the kernel or the configuration\n"
		"(default %s) changed, then loads and arms. Says why when it cannot.\n",
		LB_CONF_PATH);
}

static void stop_usage(FILE *out)
{
	fprintf(out, "usage: lifeboat stop\n\nDisarms and unloads the capture kernel.\n");
}

int cmd_start(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "rebuild", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = LB_CONF_PATH;
	int opt, rebuild = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:rh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			conf_path = optarg;
			break;
		case 'r':
			rebuild = 1;
			break;
		default:
			return lb_usage(opt == 'h', start_usage);
		}
	}
	if (optind != argc)
		return lb_usage(false, start_usage);
	return start(conf_path, rebuild);
}

int cmd_stop(int argc, char **argv)
{
	if (argc > 1)
		return lb_usage(!strcmp(argv[1], "--help"), stop_usage);
	if (lb_capture_disarm())
		return 1;
	return lb_capture_unload();
}
