// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat-save: `lifeboat save` alone, for the capture initramfs. It links
 * only what the saver needs (libelf, libc), not the rest of the lifeboat
 * command, so that the image the capture kernel unpacks stays small.
 */
#include <stdarg.h>
#include <stdio.h>

#include "commands.h"

int lb_error(const char *fmt, ...)
{
	va_list ap;

	fputs("lifeboat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int main(int argc, char **argv)
{
	return cmd_save(argc, argv);
}
