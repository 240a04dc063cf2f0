// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat save: the saver, run by the capture initramfs' /init in the
 * capture kernel; built alone as lifeboat-save (saver.c). The options and
 * the check that there is a vmcore to read are here; saving it, and the
 * configured action after, are machine/saver.c's, which tells the console
 * through lb_error().
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "saver.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lifeboat save [--config FILE] [--vmcore FILE] [--no-action]\n\n"
		"Runs in the capture kernel: saves /proc/vmcore and its dmesg to the dump\n"
		"target named in the configuration (default %s), then reboots,\n"
		"powers off or starts a shell as configured. With --vmcore or --no-action\n"
		"it only saves.\n", LB_CONF_PATH);
}

int cmd_save(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "vmcore", required_argument, NULL, 'v' },
		{ "no-action", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = LB_CONF_PATH, *vmcore = LB_PROC_VMCORE;
	int opt, no_action = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:v:nh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			conf_path = optarg;
			break;
		case 'v':
			vmcore = optarg;
			break;
		case 'n':
			no_action = 1;
			break;
		default:
			return lb_usage(opt == 'h', usage);
		}
	}
	if (optind != argc)
		return lb_usage(false, usage);
	if (access(vmcore, R_OK))
		return lb_error("cannot read '%s': %s%s", vmcore, strerror(errno),
				strcmp(vmcore, LB_PROC_VMCORE) ? "" :
				" ('lifeboat save' runs in the capture kernel)");
	return lb_saver_run(conf_path, vmcore, no_action, lb_error);
}
