/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host unit tests: each test file registers its Check suite with
 * UNIT_SUITE(fn), and main.c runs them all. Files never need to touch main.c.
 */
#ifndef LIFEBOAT_UNIT_H
#define LIFEBOAT_UNIT_H

#include <check.h>

typedef Suite *(*unit_suite_fn)(void);
void unit_register(unit_suite_fn fn);

#define UNIT_SUITE(fn)                                                       \
	static void __attribute__((constructor)) unit_register_##fn(void) \
	{                                                                    \
		unit_register(fn);                                           \
	}

/* Directory of test data and cached inputs (the guest kernel), or NULL. */
const char *unit_kernel_image(void);

#endif
