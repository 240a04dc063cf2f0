// SPDX-License-Identifier: GPL-2.0
/*
 * lib/grub.c and machine/grub.c: the /etc/default/grub.d/lifeboat.cfg
 * drop-in, written into a temporary directory: written, rewritten
 * idempotently, refused when the directory is missing or the size is not
 * one; and the other files' crashkernel= settings found for the warning.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sizing.h"
#include "unit.h"

static char tmpdir[64];
static char grubd[128];

static void setup(void)
{
	strcpy(tmpdir, "/tmp/lifeboat-grub-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(grubd, sizeof(grubd), "%s/grub.d", tmpdir);
	ck_assert_int_eq(mkdir(grubd, 0755), 0);
}

static void teardown(void)
{
	char path[512];
	struct dirent *d;
	DIR *dir = opendir(grubd);

	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.' && (!d->d_name[1] || !strcmp(d->d_name, "..")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", grubd, d->d_name);
		unlink(path);
	}
	if (dir)
		closedir(dir);
	rmdir(grubd);
	rmdir(tmpdir);
}

static char *slurp(const char *path)
{
	size_t len;
	char *text;

	if (lb_read_file(path, 1 << 20, &text, &len))
		return NULL;
	return text;
}

static unsigned int entries(const char *dir)
{
	unsigned int n = 0;
	struct dirent *d;
	DIR *dp = opendir(dir);

	ck_assert_ptr_nonnull(dp);
	while ((d = readdir(dp)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			n++;
	closedir(dp);
	return n;
}

START_TEST(dropin_written_then_rewritten)
{
	struct lb_err err = { "" };
	char path[256], *text;
	struct stat st1, st2;
	bool changed;

	snprintf(path, sizeof(path), "%s/lifeboat.cfg", grubd);
	ck_assert_int_eq(lb_grub_dropin_write(grubd, "192M", &changed, &err), 0);
	ck_assert(changed);
	text = slurp(path);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text,
		"\nGRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=192M\"\n"));
	ck_assert_uint_eq(lb_grub_find_crashkernel(text, strlen(text), NULL, 0, 0), 1);
	free(text);
	ck_assert_int_eq(stat(path, &st1), 0);
	ck_assert_uint_eq(st1.st_mode & 07777, 0644);

	/* The same size again: nothing written, the file untouched. */
	ck_assert_int_eq(lb_grub_dropin_write(grubd, "192M", &changed, &err), 0);
	ck_assert(!changed);
	ck_assert_int_eq(stat(path, &st2), 0);
	ck_assert_uint_eq(st1.st_ino, st2.st_ino);

	/* A new size replaces ours: one crashkernel= in the file, no leftovers. */
	ck_assert_int_eq(lb_grub_dropin_write(grubd, "256M", &changed, &err), 0);
	ck_assert(changed);
	text = slurp(path);
	ck_assert_ptr_nonnull(strstr(text, "crashkernel=256M\"\n"));
	ck_assert_ptr_null(strstr(text, "192M"));
	ck_assert_uint_eq(lb_grub_find_crashkernel(text, strlen(text), NULL, 0, 0), 1);
	free(text);
	ck_assert_uint_eq(entries(grubd), 1);
}
END_TEST

START_TEST(dropin_leaves_other_files_alone)
{
	static const char other[] =
		"GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=384M-:128M\"\n";
	struct lb_err err = { "" };
	char path[256], *text;
	bool changed;
	FILE *f;

	snprintf(path, sizeof(path), "%s/kdump-tools.cfg", grubd);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(other, f);
	fclose(f);
	ck_assert_int_eq(lb_grub_dropin_write(grubd, "1G", &changed, &err), 0);
	text = slurp(path);
	ck_assert_str_eq(text, other);
	free(text);
	ck_assert_uint_eq(entries(grubd), 2);
}
END_TEST

START_TEST(dropin_refused_without_grub_d)
{
	struct lb_err err = { "" };
	char missing[256];
	bool changed = true;

	snprintf(missing, sizeof(missing), "%s/nope", grubd);
	ck_assert_int_eq(lb_grub_dropin_write(missing, "192M", &changed, &err), -ENOENT);
	ck_assert(!changed);
	ck_assert_ptr_nonnull(strstr(err.msg, "does not exist"));
	ck_assert_ptr_nonnull(strstr(err.msg, "nothing was changed"));
	ck_assert_int_eq(access(missing, F_OK), -1);
	ck_assert_uint_eq(entries(grubd), 0);
}
END_TEST

START_TEST(dropin_refuses_bad_sizes)
{
	static const char *const bad[] = {
		"", "auto", "0", "15M", "192", "192MB", "1G-4G:192M", "192M@16M", "192M,high",
		"192M\"; rm -rf /", "$(reboot)", "-1M", "0x10000000", "192M 1G", "999999999999G",
	};
	static const char *const good[] = { "16M", "192M", "1G", "268435456", "262144K" };
	struct lb_err err = { "" };
	char text[1024];
	bool changed;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(lb_grub_dropin_text(bad[i], text, sizeof(text)) == -EINVAL,
			      "'%s' accepted", bad[i]);
		ck_assert_int_eq(lb_grub_dropin_write(grubd, bad[i], &changed, &err), -EINVAL);
		ck_assert(!changed);
	}
	ck_assert_uint_eq(entries(grubd), 0);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(lb_grub_dropin_text(good[i], text, sizeof(text)) > 0,
			      "'%s' refused", good[i]);
	/* The length it needs, even when the buffer is short. */
	ck_assert_int_eq(lb_grub_dropin_text("192M", text, 8),
			 lb_grub_dropin_text("192M", text, sizeof(text)));
}
END_TEST

START_TEST(find_other_settings)
{
	static const char grub[] =
		"# crashkernel=64M in a comment does not count\n"
		"GRUB_DEFAULT=0\n"
		"GRUB_CMDLINE_LINUX_DEFAULT=\"quiet crashkernel=384M-:128M\"\n"
		"GRUB_CMDLINE_LINUX='xcrashkernel=1G crashkernel=256M,high'\n"
		"   # crashkernel=1M\n"
		"GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX crashkernel=2G-:512M\tnoquiet\"";
	char found[4][64];

	ck_assert_uint_eq(lb_grub_find_crashkernel(grub, strlen(grub), found[0], 64, 4), 3);
	ck_assert_str_eq(found[0], "line 3: crashkernel=384M-:128M");
	ck_assert_str_eq(found[1], "line 4: crashkernel=256M,high");
	ck_assert_str_eq(found[2], "line 6: crashkernel=2G-:512M");
	/* More than fit: counted, not written past max. */
	ck_assert_uint_eq(lb_grub_find_crashkernel(grub, strlen(grub), found[0], 64, 1), 3);
	ck_assert_uint_eq(lb_grub_find_crashkernel("", 0, found[0], 64, 4), 0);
	/* A long value is cut to the entry's size. */
	ck_assert_uint_eq(lb_grub_find_crashkernel("crashkernel=123456789012345678901234567890", 42,
						   found[0], 24, 4), 1);
	ck_assert_str_eq(found[0], "line 1: crashkernel=123");
}
END_TEST

static Suite *reserve_grub_suite(void)
{
	Suite *s = suite_create("reserve-grub");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, dropin_written_then_rewritten);
	tcase_add_test(tc, dropin_leaves_other_files_alone);
	tcase_add_test(tc, dropin_refused_without_grub_d);
	tcase_add_test(tc, dropin_refuses_bad_sizes);
	tcase_add_test(tc, find_other_settings);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(reserve_grub_suite)
