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

/*
 * Reads the ELF headers of the core at path: the PT_LOAD segments' sizes
 * and the VMCOREINFO note. Return: 0, or -errno with err saying why (not an
 * ELF core, no PT_LOAD); ret->info.release is "" without the note.
 */
int lb_vmcore_read(const char *path, struct lb_vmcore_facts *ret, struct lb_err *err);
/* The same on an open file (fd stays open); path only names it in err. */
int lb_vmcore_read_fd(int fd, const char *path, struct lb_vmcore_facts *ret, struct lb_err *err);

#endif
