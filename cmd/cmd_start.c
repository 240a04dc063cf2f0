// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat start / stop: what the boot-time unit runs
 * (dumptools/systemd/lifeboat.service). start runs machine/start.c's
 * sequence (the configuration, the news of a crash, the module and its
 * region, the capture initramfs, the estimate's verdict), then loads and
 * arms as `lifeboat load` and `lifeboat arm` do; this file words what it
 * finds.
 *
 * Every refusal says why on stderr, which the journal keeps, in one line,
 * with the crashkernel= to boot with when the region is missing or too
 * small: the estimate's boot parameter. stop disarms and unloads.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "start.h"

/* What lb_start() tells on the way: the news of a crash, a warning, the initramfs. */
static void tell(enum lb_start_event ev, const struct lb_start *st, const struct lb_err *err)
{
	const struct lb_meta *m = &st->news;
	char when[64], verdict[512], a[32], b[32];

	switch (ev) {
	case LB_START_FAILED_CAPTURE:
	case LB_START_NEW_DUMP:
		if (lb_time_format(when, sizeof(when), m->crash_time))
			snprintf(when, sizeof(when), "an unknown time");
		printf("lifeboat: the system crashed at %s: %s\n", when,
		       m->panic[0] ? m->panic : "(no panic message saved)");
		if (ev == LB_START_FAILED_CAPTURE) {
			printf("lifeboat: no dump of the crash at %s: the capture failed: %s; 'lifeboat report' shows it\n",
			       when, m->reason[0] ? m->reason : "no reason recorded");
			break;
		}
		printf("lifeboat: dump %s/%s (%s%s%s); 'lifeboat report' shows it\n", st->conf.path,
		       st->newest,
		       lb_dump_kind(st->newest) == LB_DUMP_INCOMPLETE ? "incomplete" :
		       m->status[0] ? m->status : "no metadata",
		       m->reason[0] ? ": " : "", m->reason);
		/* Not complete: the report's first line, from the saver's record. */
		if (lb_dump_verdict(st->newest, m, verdict, sizeof(verdict)))
			printf("lifeboat: %s\n", verdict);
		break;
	case LB_START_NO_DUMPS:
		lb_error("cannot look at the dumps: %s", err->msg);
		break;
	case LB_START_CAPTURE_DIED:
		if (err) {
			lb_error("cannot look into the last jump to a capture kernel: %s", err->msg);
			break;
		}
		if (lb_time_format(when, sizeof(when), m->crash_time))
			snprintf(when, sizeof(when), "an unknown time");
		printf("lifeboat: no dump of the crash at %s: the capture failed: %s; 'lifeboat report' shows it\n",
		       when, m->reason);
		break;
	case LB_START_OTHER_KERNEL:
		fprintf(stderr, "lifeboat: warning: '%s' says it is %s, the modules are for %s\n",
			st->p->kernel, st->kver, st->p->kver);
		break;
	case LB_START_INITRAMFS:
		lb_mib_format(a, sizeof(a), st->up.packed);
		if (!st->up.built) {
			printf("lifeboat: capture initramfs %s is up to date (%s)\n", st->img, a);
			break;
		}
		lb_mib_format(b, sizeof(b), st->up.unpacked);
		printf("lifeboat: built the capture initramfs %s: %s (%s unpacked; %s, modules %s)\n",
		       st->img, a, b,
		       st->rebuild ? "as asked" : st->up.had_stamp ? "its inputs changed" : "first build",
		       st->p->modules);
		break;
	}
}

/*
 * No region: says so, with the crashkernel= the estimate gives for the
 * capture initramfs built last, if there is one. Return: 1.
 */
static int no_region(const struct lb_start *st)
{
	const struct lb_sizing *s = st->s;
	char why[sizeof(s->source) + sizeof(s->why) + 16];

	snprintf(why, sizeof(why), "from %s: %s", s->source, s->why[0] ? s->why : "not reserved");
	if (st->sized)
		return lb_error("cannot arm: no reserved region, and region = boot: boot with crashkernel=%lluM (%s)",
				(unsigned long long)(s->anywhere.total >> 20), why);
	return lb_error("cannot arm: no reserved region, and region = boot: boot with crashkernel=SIZE, SIZE as 'lifeboat estimate' gives it%s (%s)",
			st->img_missing ?
			" once 'lifeboat mkinitramfs' has built the capture initramfs" : "", why);
}

/* The region against the estimate, as `lifeboat estimate` judges it. Return: 1. */
static int region_refused(const struct lb_sizing *s)
{
	unsigned long long have = (s->end - s->start) >> 20, need = s->here.total >> 20;
	unsigned long long boot = s->anywhere.total >> 20;

	switch (s->verdict) {
	case LB_VERDICT_TOO_SMALL:
		return lb_error("cannot arm: region too small (have %llu MiB, need %llu MiB): boot with crashkernel=%lluM ('lifeboat estimate' shows what needs the room)",
				have, need, boot);
	case LB_VERDICT_REFUSED:
		return lb_error("cannot arm: the region (%llu MiB, %llu MiB needed) is not usable: 'lifeboat load' would refuse it: %s",
				have, need, s->refusal.msg);
	case LB_VERDICT_ENOUGH:
	case LB_VERDICT_NONE:
		break;
	}
	return lb_error("cannot arm: no reserved region");
}

/* Armed in a region taken at run time: how much, in how many ranges, how fast. */
static void say_runtime(const struct lb_start *st)
{
	unsigned long long total = 0, ms = 0;
	unsigned int ranges = 0;
	char text[256] = "";

	if (lb_sysfs_read("runtime", text, sizeof(text)) ||
	    sscanf(text, "total=%llu ranges=%u took_ms=%llu", &total, &ranges, &ms) != 3)
		lb_error("warning: cannot read %s/runtime: '%s'", lb_sysfs_dir, text);
	printf("lifeboat: no boot-time region: took %llu MiB at run time (%llu MiB asked) in %u ranges in %llu ms\n",
	       total >> 20, (unsigned long long)(st->runtime >> 20), ranges, ms);
	printf("lifeboat: armed: capture kernel %s%s, initramfs %s, %llu MiB taken at run time, %llu MiB needed; dumps go to %s:%s\n",
	       st->p->kernel, st->p->own ? " (Lifeboat's own)" : "", st->img, total >> 20,
	       (unsigned long long)(st->s->anywhere.total >> 20), st->p->conf.target,
	       st->p->conf.path);
}

static int start(const char *conf_path, int rebuild)
{
	static const struct lb_start_tell told = { .event = tell, .say = lb_error };
	struct lb_start st;
	struct lb_err err;
	int ret = 1;

	switch (lb_start(conf_path, rebuild, &told, &st, &err)) {
	case LB_START_READY:
		/* `lifeboat load` and `lifeboat arm`, which say why they fail. */
		/* The kernel as the estimate read it, unpacked already with unpack = yes. */
		if (lb_capture_load_image(st.p->kernel, st.s->kbuf, st.s->klen, st.img, st.cmdline,
					  st.runtime) ||
		    lb_capture_arm())
			break;
		if (st.runtime)
			say_runtime(&st);
		else
			printf("lifeboat: armed: capture kernel %s%s, initramfs %s, %llu MiB reserved, %llu MiB needed; dumps go to %s:%s\n",
			       st.p->kernel, st.p->own ? " (Lifeboat's own)" : "", st.img,
			       (unsigned long long)((st.s->end - st.s->start) >> 20),
			       (unsigned long long)(st.s->here.total >> 20), st.p->conf.target,
			       st.p->conf.path);
		if (st.p->fast_off[0])
			lb_error("warning: final_action = fast-reboot, but %s: after a dump the machine reboots through the firmware",
				 st.p->fast_off);
		if (st.p->fast)
			printf("lifeboat: after a dump, a fast reboot into %s (%s%s%s), unless %u crashes within %u minutes or a hardware error\n",
			       st.p->ret.release, st.p->ret.kernel, st.p->ret.initrd[0] ? ", " : "",
			       st.p->ret.initrd, st.p->conf.crash_loop_count,
			       st.p->conf.crash_loop_minutes);
		ret = 0;
		break;
	case LB_START_FAILED:
		lb_error("cannot arm: %s", err.msg);
		break;
	case LB_START_KDUMP:
		lb_error("cannot arm: Linux's own kdump is loaded (/sys/kernel/kexec_crash_loaded is 1) and would take the panic first; disable it (systemctl disable --now kdump-tools) or unload it (kexec -p -u)");
		break;
	case LB_START_NO_REGION:
		no_region(&st);
		break;
	case LB_START_REGION:
		region_refused(st.s);
		break;
	}
	lb_start_release(&st);
	return ret;
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
