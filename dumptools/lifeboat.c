// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat: the administrator's command. Loads, arms and inspects the
 * capture image through /dev/lifeboat and /sys/kernel/lifeboat/.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sysfs_dir[] = "/sys/kernel/lifeboat";

static int cmd_status(void)
{
	char path[256], buf[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/state", sysfs_dir);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "lifeboat: cannot open '%s': %s (is the module loaded?)\n",
			path, strerror(errno));
		return 1;
	}
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	printf("state: %s", buf);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: lifeboat <command>\n\ncommands:\n  status   show the state of the capture image\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "status"))
		return cmd_status();
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "lifeboat: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
