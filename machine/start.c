// SPDX-License-Identifier: GPL-2.0
/*
 * The start sequence behind `lifeboat start` (start.h), what the boot-time
 * unit runs:
 *
 *   1. reads /etc/lifeboat.conf;
 *   2. on the dump target, removes dumps beyond `keep` and tells, once, about
 *      a dump saved since the last start (the machine crashed), or a capture
 *      that could not mount its target;
 *   3. refuses to arm beside Linux's own kdump;
 *   4. loads lifeboat.ko if it is not, and tells, once, about a crash whose
 *      capture kernel never reached the saver (the jump stamp the module
 *      found in the region, with no dump and no record of that crash);
 *   5. finds the reserved region, as `lifeboat estimate` does; with none
 *      and `region = boot`, says so and stops there: nothing is built
 *      before there is a region; with none otherwise, the module takes one
 *      at run time at the load, of the estimate's size (or `region = SIZE`);
 *   6. rebuilds the capture initramfs when its inputs changed (the kernel,
 *      the configuration, the tools);
 *   7. judges a boot-time region as `lifeboat estimate` does (struct
 *      lb_sizing, sizing.c: its figure for this machine, kernel and
 *      initramfs, and the image builder's word on the region, as `lifeboat
 *      load` will have it), or sizes the one to take at run time;
 *   8. makes the capture command line; the command loads and arms.
 *
 * What it finds goes back in struct lb_start and through the caller's
 * tell; cmd/cmd_start.c words it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "start.h"
#include "unpack.h"

/* The news of a crash since the last start, each told once. Trouble here does not stop the arming. */
static void look_at_dumps(struct lb_start *st, const struct lb_start_tell *tell)
{
	struct lb_err err;
	char name[LB_DUMP_NAME_LEN];
	int ret;

	if (lb_failure_news(&st->news, name, sizeof(name))) {
		tell->event(LB_START_FAILED_CAPTURE, st, NULL);
		lb_failure_told(name);
	}
	ret = lb_dump_news(&st->conf, tell->say, st->newest, sizeof(st->newest), &st->news, &err);
	if (ret < 0)
		tell->event(LB_START_NO_DUMPS, st, &err);
	if (ret <= 0)
		return;
	tell->event(LB_START_NEW_DUMP, st, NULL);
	lb_dump_told(st->newest);
}

/* A capture kernel that died before its saver: recorded and told once. */
static void look_at_jump(struct lb_start *st, const struct lb_start_tell *tell)
{
	struct lb_err err;
	int ret;

	ret = lb_jump_news(&st->conf, &st->news, &err);
	if (ret)
		tell->event(LB_START_CAPTURE_DIED, st, ret < 0 ? &err : NULL);
}

/*
 * No region: whether the estimate can give the boot parameter, from the
 * capture initramfs built last, if there is one (p NULL: the plan could
 * not be made).
 */
static void no_region(struct lb_start *st)
{
	struct lb_err err;

	if (!st->p)
		return;
	lb_initramfs_path(st->img, sizeof(st->img), st->p->kver);
	st->img_missing = access(st->img, R_OK) != 0;
	st->sized = !st->img_missing && !lb_sizing_files(st->s, st->p->kernel, st->img, &err);
}

enum lb_start_end lb_start(const char *conf_path, int rebuild, const struct lb_start_tell *tell,
			   struct lb_start *st, struct lb_err *err)
{
	struct lb_plan *p;
	char level[32];
	int ret;

	memset(st, 0, sizeof(*st));
	st->rebuild = rebuild;
	if (lb_conf_load(conf_path, strcmp(conf_path, LB_CONF_PATH) != 0, &st->conf, err))
		return LB_START_FAILED;
	look_at_dumps(st, tell);

	if (lb_kdump_loaded())
		return LB_START_KDUMP;
	if (lb_module_ensure(err))
		return LB_START_FAILED;
	look_at_jump(st, tell);

	/* The machine and its region, as `lifeboat estimate` reads them. */
	st->s = calloc(1, sizeof(*st->s));
	p = calloc(1, sizeof(*p));
	if (!st->s || !p) {
		free(p);
		lb_err_set(err, ENOMEM, "out of memory");
		return LB_START_FAILED;
	}
	if (lb_sizing_machine(st->s, err)) {
		free(p);
		return LB_START_FAILED;
	}
	/*
	 * unpack = yes, but never on a locked-down kernel, which takes only the
	 * signed file, nor for a capture kernel told to encrypt itself with SME.
	 */
	st->s->unpack = st->conf.unpack && !lb_lockdown_level(level, sizeof(level)) &&
			!lb_unpack_needs_scratch(st->conf.append);
	ret = lb_plan_make(&st->conf, NULL, NULL, NULL, 0, p, err);
	if (ret) {
		free(p);
	} else {
		st->p = p;
		/* final_action = fast-reboot: the module's copy of the production kernel. */
		if (p->fast)
			st->s->fast_return = lb_return_region_bytes(&p->ret);
	}
	/* No region and none to take: say so before building anything. */
	if (!st->s->end && st->conf.region_boot_only) {
		no_region(st);
		return LB_START_NO_REGION;
	}
	if (ret)
		return LB_START_FAILED;
	if (lb_kernel_info(p->kernel, st->kver, sizeof(st->kver), err))
		return LB_START_FAILED;
	if (strcmp(st->kver, p->kver))
		tell->event(LB_START_OTHER_KERNEL, st, NULL);

	lb_initramfs_path(st->img, sizeof(st->img), p->kver);
	if (lb_plan_update(p, st->img, rebuild, &st->up, err))
		return LB_START_FAILED;
	tell->event(LB_START_INITRAMFS, st, NULL);

	/* Is the region enough? The estimate's verdict, with the image builder's word. */
	if (lb_sizing_files(st->s, p->kernel, st->img, err))
		return LB_START_FAILED;
	if (!st->s->end) {
		/* None from boot: one taken now, of the estimate's size unless told. */
		st->runtime = st->conf.region_size ? st->conf.region_size : st->s->anywhere.total;
	} else if (st->s->verdict != LB_VERDICT_ENOUGH) {
		return LB_START_REGION;
	}
	ret = lb_capture_cmdline(st->cmdline, sizeof(st->cmdline), st->conf.append);
	if (ret) {
		lb_err_set(err, -ret, "the capture command line is too long");
		return LB_START_FAILED;
	}
	return LB_START_READY;
}

void lb_start_release(struct lb_start *st)
{
	if (st->s)
		lb_sizing_release(st->s);
	free(st->s);
	free(st->p);
	st->s = NULL;
	st->p = NULL;
}
