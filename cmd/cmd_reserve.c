// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat reserve: puts crashkernel=SIZE on the kernel command line the
 * Debian way, in /etc/default/grub.d/lifeboat.cfg (grub.c), then runs
 * update-grub. Without --apply it only shows what it would write and run.
 * Other crashkernel= settings in /etc/default/grub and grub.d are left as
 * they are, with a warning.
 *
 * For tests only: LIFEBOAT_GRUB_DIR replaces /etc/default/grub.d (its
 * parent's "grub" file is then read as /etc/default/grub), and
 * LIFEBOAT_UPDATE_GRUB replaces the update-grub command.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "sizing.h"

#define GRUB_DIR "/etc/default/grub.d"
#define MAX_FOUND 16
#define FOUND_LEN 160

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lifeboat reserve [--size SIZE|auto] [--apply] [--kernel FILE] [--initrd FILE]\n\n"
		"Writes crashkernel=SIZE into %s/%s (appended to\n"
		"GRUB_CMDLINE_LINUX_DEFAULT) and, with --apply, runs update-grub; the region\n"
		"is reserved from the next boot on. Without --apply, shows what it would do.\n"
		"--size auto (the default) takes the size 'lifeboat estimate' recommends for\n"
		"the given (or default) capture kernel and initramfs.\n\n"
		"For tests only: LIFEBOAT_GRUB_DIR replaces %s and\n"
		"LIFEBOAT_UPDATE_GRUB the update-grub command.\n",
		GRUB_DIR, LB_GRUB_DROPIN, GRUB_DIR);
}

/* Reports crashkernel= set by other files: /etc/default/grub and the other drop-ins. */
static void warn_others(const char *dir)
{
	char found[MAX_FOUND][FOUND_LEN], path[PATH_MAX], parent[PATH_MAX], *text;
	struct dirent **names = NULL;
	unsigned int nr, i;
	size_t len;
	int n, j;

	snprintf(parent, sizeof(parent), "%s", dir);
	snprintf(path, sizeof(path), "%s/grub", dirname(parent));
	if (!lb_read_file(path, 1 << 20, &text, &len)) {
		nr = lb_grub_find_crashkernel(text, len, found[0], FOUND_LEN, MAX_FOUND);
		for (i = 0; i < nr && i < MAX_FOUND; i++)
			lb_error("warning: %s, %s, also sets it; the kernel takes the last crashkernel= on its command line, and %s comes later",
				 path, found[i], LB_GRUB_DROPIN);
		free(text);
	}
	n = scandir(dir, &names, NULL, alphasort);
	for (j = 0; j < n; j++) {
		const char *name = names[j]->d_name;
		size_t l = strlen(name);

		if (l < 5 || strcmp(name + l - 4, ".cfg") || !strcmp(name, LB_GRUB_DROPIN))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (lb_read_file(path, 1 << 20, &text, &len))
			continue;
		nr = lb_grub_find_crashkernel(text, len, found[0], FOUND_LEN, MAX_FOUND);
		for (i = 0; i < nr && i < MAX_FOUND; i++)
			lb_error("warning: %s, %s, also sets it; the kernel takes the last crashkernel= on its command line: %s",
				 path, found[i],
				 strcmp(name, LB_GRUB_DROPIN) > 0 ?
				 "this file is read after " LB_GRUB_DROPIN " and wins" :
				 LB_GRUB_DROPIN " is read after it and wins");
		free(text);
	}
	for (j = 0; j < n; j++)
		free(names[j]);
	free(names);
}

int cmd_reserve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "apply", no_argument, NULL, 'a' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *size = "auto", *kernel = NULL, *initrd = NULL, *dir, *update;
	const char *update_argv[] = { NULL, NULL };
	char sizebuf[32], text[1024], path[PATH_MAX], exe[PATH_MAX];
	struct lb_err err = { "" };
	uint64_t total;
	bool apply = false, changed;
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:ak:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			size = optarg;
			break;
		case 'a':
			apply = true;
			break;
		case 'k':
			kernel = optarg;
			break;
		case 'i':
			initrd = optarg;
			break;
		default:
			return lb_usage(c == 'h', usage);
		}
	}
	if (optind != argc) {
		lb_error("reserve takes no operands ('%s')", argv[optind]);
		return lb_usage(false, usage);
	}
	if (strcmp(size, "auto") && lb_grub_dropin_text(size, text, sizeof(text)) < 0) {
		lb_error("--size '%s' is not a size for crashkernel=: give bytes with a K, M or G suffix, at least 16M, or 'auto'",
			 size);
		return 2;
	}
	dir = getenv("LIFEBOAT_GRUB_DIR");
	if (!dir || !*dir)
		dir = GRUB_DIR;
	update = getenv("LIFEBOAT_UPDATE_GRUB");
	if (!update || !*update)
		update = "update-grub";
	if (access(dir, F_OK))
		return lb_error("'%s' does not exist: this does not look like a system booted by GRUB the Debian way; nothing was changed (add crashkernel= to the boot loader's kernel command line by hand)",
				dir);

	if (!strcmp(size, "auto")) {
		lb_estimate_report(kernel, initrd, &total);
		if (!total)
			return lb_error("no size to reserve: the estimate failed; nothing was changed");
		snprintf(sizebuf, sizeof(sizebuf), "%lluM", (unsigned long long)(total >> 20));
		size = sizebuf;
		printf("\n");
	}
	lb_grub_dropin_text(size, text, sizeof(text));
	snprintf(path, sizeof(path), "%s/%s", dir, LB_GRUB_DROPIN);
	warn_others(dir);
	if (!apply) {
		printf("would write %s:\n%s", path, text);
		printf("would run: %s\n(run again with --apply to do it; the region is reserved from the next boot on)\n",
		       update);
		return 0;
	}
	/* Missing tools are found before anything is written. */
	if (lb_find_exe(update, exe, sizeof(exe)))
		return lb_error("%s not found (is this a GRUB system? grub2-common provides it); nothing was changed",
				update);
	if (lb_grub_dropin_write(dir, size, &changed, &err))
		return lb_error("%s", err.msg);
	printf("%s %s: crashkernel=%s\n", changed ? "wrote" : "unchanged", path, size);
	printf("running %s\n", update);
	update_argv[0] = update;
	status = lb_run(update_argv, NULL, 0, 0);
	if (status < 0)
		return lb_error("cannot run %s: %s", update, strerror(-status));
	if (status)
		return lb_error("%s failed (status %d): the drop-in is written, the boot loader's configuration is not updated",
				update, status);
	printf("crashkernel=%s takes effect at the next boot\n", size);
	return 0;
}
