// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat: the administrator's command. Loads, arms and inspects the
 * capture image through /dev/lifeboat and /sys/kernel/lifeboat/, and reads
 * the dumps afterwards. Subcommands live in cmd_*.c.
 */
#include <string.h>

#include "commands.h"

static const struct lb_command commands[] = {
	{ "load", cmd_load, "place a capture kernel and initramfs in the reserved region" },
	{ "unload", cmd_unload, "disarm and forget the capture image" },
	{ "arm", cmd_arm, "arm the loaded image: a panic now jumps to it" },
	{ "disarm", cmd_disarm, "disarm; the image stays loaded" },
	{ "status", cmd_status, "show the region, the state and the loaded image" },
	{ "estimate", cmd_estimate, "how big the reserved region must be, and whether it is" },
	{ "reserve", cmd_reserve, "write crashkernel= into the boot loader's configuration" },
	{ "start", cmd_start, "at boot: rebuild the capture initramfs if needed, load and arm" },
	{ "stop", cmd_stop, "disarm and unload (what the boot-time unit runs at stop)" },
	{ "mkinitramfs", cmd_mkinitramfs, "build the capture initramfs for /etc/lifeboat.conf" },
	{ "save", cmd_save, "in the capture kernel: save the dump, then reboot" },
	{ "report", cmd_report, "list the crash dumps and show what happened" },
	{ "reboot", cmd_reboot, "reboot into a kernel without the firmware (a fast reboot)" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: lifeboat <command> [options]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'lifeboat <command> --help' describes each command.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	lb_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return 2;
}
