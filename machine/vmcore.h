/* SPDX-License-Identifier: GPL-2.0 */
/* /proc/vmcore's ELF headers, read before saving: see vmcore.c. */
#ifndef LIFEBOAT_VMCORE_H
#define LIFEBOAT_VMCORE_H

#include "dumptools.h"

struct lb_vmcore_facts {
	unsigned long long ram_bytes;	/* sum of the PT_LOAD segments */
	unsigned int nr_loads;
	struct lb_vmcoreinfo info;	/* release "" when the note is missing */
};

int lb_vmcore_read(const char *path, struct lb_vmcore_facts *ret, struct lb_err *err);

#endif
