/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a kernel's lifeboat.ko is, as modprobe and modinfo find it: the
 * kernel's modules.dep (/lib/modules/<release>/modules.dep, written by
 * depmod), read by the caller (machine/sys.c, lb_kmod_find()).
 */
#ifndef LIFEBOAT_KMOD_H
#define LIFEBOAT_KMOD_H

#include <stddef.h>

/*
 * Finds module name (no ".ko") in modules.dep text: the line whose module
 * file, before the ':', is name.ko, compressed or not, in any folder. path
 * gets that file as modules.dep gives it (relative to the kernel's module
 * folder, or absolute). The text need not end in a newline or a NUL.
 * Return: 0, -ENOENT when no line names it, -ENAMETOOLONG when the path
 * does not fit.
 */
int lb_modules_dep_find(const char *dep, size_t len, const char *name, char *path,
			size_t pathlen);

#endif
