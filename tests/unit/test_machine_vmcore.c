// SPDX-License-Identifier: GPL-2.0
/*
 * The saver's reader of /proc/vmcore on the fuzzer's seed, a tiny ELF core
 * (machine/fuzz/mkseed.py), and on files that are not ELF cores.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "vmcore.h"

#define SEED "machine/fuzz/corpus/fuzz_vmcore/tiny-core"

START_TEST(vmcore_tiny_core)
{
	struct lb_vmcore_facts f;
	struct lb_err err = { "" };

	ck_assert_msg(!lb_vmcore_read(SEED, &f, &err), "%s", err.msg);
	ck_assert_uint_eq(f.nr_loads, 1);
	ck_assert_uint_eq(f.ram_bytes, 4096);
	ck_assert_str_eq(f.info.release, "6.1.0-57-amd64");
	ck_assert_int_eq(f.info.crash_time, 1763712900);
	ck_assert_uint_eq(f.info.page_size, 4096);
}
END_TEST

START_TEST(vmcore_refused)
{
	struct lb_vmcore_facts f;
	struct lb_err err = { "" };
	char path[] = "/tmp/lb-vmcore-XXXXXX";
	FILE *tmp;
	int fd;

	ck_assert_int_eq(lb_vmcore_read("/nonexistent/vmcore", &f, &err), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot open"));
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	tmp = fdopen(fd, "w");
	ck_assert_ptr_nonnull(tmp);
	fputs("not an ELF file\n", tmp);
	fclose(tmp);
	ck_assert_int_eq(lb_vmcore_read(path, &f, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "is not an ELF core"));
	unlink(path);
}
END_TEST

static Suite *machine_vmcore_suite(void)
{
	Suite *s = suite_create("machine-vmcore");
	TCase *tc = tcase_create("vmcore");

	tcase_add_test(tc, vmcore_tiny_core);
	tcase_add_test(tc, vmcore_refused);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_SUITE(machine_vmcore_suite)
