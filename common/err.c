// SPDX-License-Identifier: GPL-2.0
/*
 * Error sentences for the operator, carried beside the errno: the image
 * builder's, in the module and on the host, and those of the userspace
 * layers (lib/, machine/, cmd/). The same file builds in both.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/stdarg.h>
#else
#include <stdarg.h>
#include <stdio.h>
#endif

#include "lifeboat/err.h"

int lb_err_set(struct lb_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -errnum;
}
