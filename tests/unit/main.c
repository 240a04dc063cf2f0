// SPDX-License-Identifier: GPL-2.0
/*
 * Runs every registered Check suite and exits non-zero on any failure.
 * Check prints the closing line "NN%: Checks: N, Failures: N, Errors: N".
 */
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"

static unit_suite_fn suites[64];
static int nr_suites;

void unit_register(unit_suite_fn fn)
{
	if (nr_suites == (int)(sizeof(suites) / sizeof(suites[0]))) {
		fprintf(stderr, "unit: too many suites\n");
		exit(99);
	}
	suites[nr_suites++] = fn;
}

/* The guest kernel the VM tests boot, exported by tests/run-all.sh. */
const char *unit_kernel_image(void)
{
	return getenv("LIFEBOAT_KVMLINUZ");
}

int main(void)
{
	SRunner *sr;
	int failed, i;

	if (!nr_suites) {
		fprintf(stderr, "unit: no suites registered\n");
		return 99;
	}
	sr = srunner_create(suites[0]());
	for (i = 1; i < nr_suites; i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
