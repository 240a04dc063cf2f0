/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The start sequence of `lifeboat start` (start.c): the configuration,
 * the news of a crash since the last start, Linux's own kdump, the module
 * and its region, the capture initramfs, the estimate's verdict and the
 * capture command line, up to the load and the arm, which `lifeboat load`
 * and `lifeboat arm` share with it. It decides and tells the command what
 * happened through struct lb_start_tell; only the command prints.
 */
#ifndef LIFEBOAT_START_H
#define LIFEBOAT_START_H

#include <stdbool.h>

#include "capture.h"
#include "saver.h"
#include "sizing.h"

/* Where lb_start() stopped. */
enum lb_start_end {
	LB_START_READY,		/* load and arm next: the files and the command line are set */
	LB_START_FAILED,	/* something could not be read, built or run: err says what */
	LB_START_KDUMP,		/* Linux's own kdump is loaded and would take the panic first */
	LB_START_NO_REGION,	/* no region: s says where it was looked for, and why */
	LB_START_REGION,	/* the region will not do: s->verdict and its figures */
};

/* What lb_start() found, for the command to tell; lb_start_release() frees it. */
struct lb_start {
	struct lb_conf conf;
	int rebuild;			/* the initramfs is built even when up to date */
	struct lb_sizing *s;		/* the machine, its region and the estimate */
	struct lb_plan *p;		/* the capture initramfs's plan; NULL when not made */
	char img[PATH_MAX];		/* where the capture initramfs is, "" without a plan */
	char kver[65];			/* the release the capture kernel's header says */
	struct lb_plan_update up;	/* what the build did */
	char cmdline[LB_CONF_LONG * 2];	/* the capture kernel's command line */
	/*
	 * No region: sized when the image built last is there and was sized
	 * (s->anywhere holds the boot parameter), img_missing when there is a
	 * plan but no image yet.
	 */
	bool sized, img_missing;
	/* No boot-time region and region is not boot: the bytes to take at run time. */
	uint64_t runtime;
	/* The news (events LB_START_FAILED_CAPTURE, LB_START_NEW_DUMP, LB_START_CAPTURE_DIED). */
	struct lb_meta news;
	char newest[LB_DUMP_NAME_LEN + 16];
};

/* What lb_start() tells as it goes, in this order. */
enum lb_start_event {
	LB_START_FAILED_CAPTURE,	/* news: a capture that could not mount its target */
	LB_START_NEW_DUMP,		/* newest, news: a dump saved since the last start */
	LB_START_NO_DUMPS,		/* err: the target's dumps could not be looked at */
	/*
	 * news: the module found a jump stamp of a crash whose capture kernel
	 * never reached the saver, now recorded as a failed capture; with err,
	 * it could not be looked into or recorded
	 */
	LB_START_CAPTURE_DIED,
	LB_START_OTHER_KERNEL,		/* kver is not p->kver, the release of the modules */
	LB_START_INITRAMFS,		/* up: the capture initramfs was built, or is up to date */
};

struct lb_start_tell {
	/* Told each event; err only for LB_START_NO_DUMPS and LB_START_CAPTURE_DIED. */
	void (*event)(enum lb_start_event ev, const struct lb_start *st, const struct lb_err *err);
	/* Trouble pruning the target's dumps, which does not stop the start. */
	lb_say_fn say;
};

/**
 * lb_start() - the boot-time start, up to the load and the arm
 * @conf_path: the configuration (LB_CONF_PATH: a missing one is the defaults)
 * @rebuild: build the capture initramfs even when it is up to date
 * @tell: hears the news and the steps as they come (struct lb_start_tell)
 * @st: filled as far as it got; lb_start_release() it whatever the return
 * @err: why, for LB_START_FAILED
 *
 * Reads the configuration, prunes the target and tells once about a crash
 * since the last start, refuses beside Linux's own kdump, loads the module
 * and finds its region as `lifeboat estimate` does, rebuilds the capture
 * initramfs when its inputs changed (not without a region: that waits for
 * one), judges the region by the estimate (struct lb_sizing) and makes the
 * capture command line.
 *
 * Return: LB_START_READY when the capture kernel @st->p->kernel, the
 * initramfs @st->img and @st->cmdline are to be loaded and armed, else
 * where it stopped.
 */
enum lb_start_end lb_start(const char *conf_path, int rebuild, const struct lb_start_tell *tell,
			   struct lb_start *st, struct lb_err *err);

/**
 * lb_start_release() - frees what lb_start() allocated
 * @st: as lb_start() left it
 */
void lb_start_release(struct lb_start *st);

#endif
