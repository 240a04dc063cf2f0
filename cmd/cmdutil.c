// SPDX-License-Identifier: GPL-2.0
/*
 * What every subcommand does the same way (commands.h): its diagnostics
 * ("lifeboat: ..." on stderr) and its answer to --help and to a mistake on
 * its command line. Linked into the lifeboat command and into the saver
 * alone (saver.c).
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

int lb_usage(bool help, void (*usage)(FILE *out))
{
	usage(help ? stdout : stderr);
	return help ? 0 : 2;
}
