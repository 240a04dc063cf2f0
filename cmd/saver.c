// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat-save: `lifeboat save` alone, for the capture initramfs. It links
 * only what the saver needs (libelf, libc), not the rest of the lifeboat
 * command, so that the image the capture kernel unpacks stays small.
 * lb_error() comes from cmdutil.c, as in the lifeboat command.
 */
#include "commands.h"

int main(int argc, char **argv)
{
	return cmd_save(argc, argv);
}
