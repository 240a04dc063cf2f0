// SPDX-License-Identifier: GPL-2.0
/*
 * Finding lifeboat.ko in a kernel's modules.dep (lib/kmod.c), as
 * `lifeboat status` and `lifeboat start` do to say that the running kernel
 * has no Lifeboat module.
 */
#include <errno.h>
#include <string.h>

#include "kmod.h"
#include "unit.h"

static int find(const char *dep, char *path, size_t len)
{
	return lb_modules_dep_find(dep, strlen(dep), "lifeboat", path, len);
}

START_TEST(kmod_found_where_depmod_put_it)
{
	char path[64];

	ck_assert_int_eq(find("kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko\n"
			      "updates/dkms/lifeboat.ko:\n"
			      "kernel/lib/crc16.ko:\n", path, sizeof(path)), 0);
	ck_assert_str_eq(path, "updates/dkms/lifeboat.ko");
	ck_assert_int_eq(find("extra/lifeboat.ko.xz:", path, sizeof(path)), 0);
	ck_assert_str_eq(path, "extra/lifeboat.ko.xz");
	ck_assert_int_eq(find("kernel/a.ko:\n/opt/mods/lifeboat.ko.zst: kernel/a.ko", path,
			      sizeof(path)), 0);
	ck_assert_str_eq(path, "/opt/mods/lifeboat.ko.zst");
	/* The first line wins, as modprobe's own lookup by name. */
	ck_assert_int_eq(find("updates/lifeboat.ko:\nupdates/dkms/lifeboat.ko:\n", path,
			      sizeof(path)), 0);
	ck_assert_str_eq(path, "updates/lifeboat.ko");
}
END_TEST

START_TEST(kmod_other_modules_are_not_it)
{
	char path[64] = "untouched";

	ck_assert_int_eq(find("", path, sizeof(path)), -ENOENT);
	ck_assert_int_eq(find("kernel/lifeboatx.ko:\nkernel/xlifeboat.ko:\n"
			      "kernel/lifeboat.ko.bak:\nkernel/lifeboat.o:\nkernel/lifeboat:\n"
			      "kernel/lifeboat.ko.xz.tmp:\n", path, sizeof(path)), -ENOENT);
	/* A dependency named after the colon is not the module's own line. */
	ck_assert_int_eq(find("kernel/crasher.ko: updates/lifeboat.ko\n", path, sizeof(path)),
			 -ENOENT);
	/* Lines with no colon, and a path that is the name alone. */
	ck_assert_int_eq(find("updates/lifeboat.ko\nlifeboat.ko", path, sizeof(path)), -ENOENT);
	ck_assert_str_eq(path, "untouched");
	ck_assert_int_eq(find("lifeboat.ko:", path, sizeof(path)), 0);
	ck_assert_str_eq(path, "lifeboat.ko");
}
END_TEST

START_TEST(kmod_bounds)
{
	static const char dep[] = "updates/dkms/lifeboat.ko:\nkernel/a.ko:\n";
	char path[32];

	/* 24 characters and the NUL: 25 bytes fit, 24 do not. */
	ck_assert_int_eq(find(dep, path, 25), 0);
	ck_assert_str_eq(path, "updates/dkms/lifeboat.ko");
	ck_assert_int_eq(find(dep, path, 24), -ENAMETOOLONG);
	/* Cut before the colon: no line names it yet. */
	ck_assert_int_eq(lb_modules_dep_find(dep, 24, "lifeboat", path, sizeof(path)), -ENOENT);
	ck_assert_int_eq(lb_modules_dep_find(dep, 25, "lifeboat", path, sizeof(path)), 0);
}
END_TEST

static Suite *dumptools_kmod_suite(void)
{
	Suite *s = suite_create("dumptools-kmod");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, kmod_found_where_depmod_put_it);
	tcase_add_test(tc, kmod_other_modules_are_not_it);
	tcase_add_test(tc, kmod_bounds);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(dumptools_kmod_suite)
