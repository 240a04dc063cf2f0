// SPDX-License-Identifier: GPL-2.0
/*
 * Error sentences for the operator, carried beside the errno: the builder's,
 * and those of the userspace tools that link this file.
 */
#include "lifeboat/err.h"
#include "lifeboat/shim.h"

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
