/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Errors carry a sentence for the operator besides the errno: one type for
 * the whole tree, below every layer. The image builder fills them, in the
 * module and on the host, and so does userspace (lib/, machine/, cmd/).
 * lb_err_set() is common/err.c.
 */
#ifndef LIFEBOAT_ERR_H
#define LIFEBOAT_ERR_H

struct lb_err {
	char msg[256];
};

/* Formats into err (if not NULL) and returns -errnum, for `return lb_err_set(...)`. */
int lb_err_set(struct lb_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* LIFEBOAT_ERR_H */
