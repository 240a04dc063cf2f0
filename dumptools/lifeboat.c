// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat: the administrator's command. Loads, arms and inspects the
 * capture image through /dev/lifeboat and /sys/kernel/lifeboat/, and reads
 * the dumps afterwards. Subcommands live in cmd_*.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

const char lb_sysfs_dir[] = "/sys/kernel/lifeboat";
const char lb_dev_path[] = "/dev/lifeboat";

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
};

int lb_sysfs_read(const char *attr, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", lb_sysfs_dir, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

int lb_sysfs_write(const char *attr, const char *val)
{
	char path[256];
	size_t len = strlen(val);
	ssize_t n;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", lb_sysfs_dir, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

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
