// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat status: the region, the state and the loaded image at a glance.
 * Exits 0 when armed, 3 when not armed (as kdumpctl status does), 1 on error.
 */
#include <string.h>

#include "commands.h"

int cmd_status(int argc, char **argv)
{
	char state[64];
	int ret;

	(void)argv;
	if (argc > 1)
		return lb_error("status takes no arguments"), 2;
	ret = lb_sysfs_read("state", state, sizeof(state));
	if (ret)
		return lb_error("cannot read %s/state: %s (is lifeboat.ko loaded?)", lb_sysfs_dir,
				strerror(-ret));
	printf("state: %s\n", state);
	return strcmp(state, "armed") ? 3 : 0;
}
