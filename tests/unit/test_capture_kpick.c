// SPDX-License-Identifier: GPL-2.0
/*
 * Which capture kernel the configuration picks (lb_kernel_pick()):
 * Lifeboat's own when installed, the stock one otherwise, and what
 * `kernel = lifeboat|stock|PATH` insists on. Lifeboat's own is faked by a
 * folder named by LIFEBOAT_CAPTURE_KERNEL holding a copy of the guest
 * kernel (LIFEBOAT_KVMLINUZ), whose release the pick must read from it.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "capture.h"
#include "dumptools.h"
#include "unit.h"

static char dir[32];
static char own[PATH_MAX];

static void setup_own(void)
{
	char cmd[PATH_MAX * 2 + 16];

	snprintf(dir, sizeof(dir), "/tmp/lb-kpick-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(own, sizeof(own), "%s/vmlinuz", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", unit_kernel_image(), own);
	ck_assert_int_eq(system(cmd), 0);
	setenv("LIFEBOAT_CAPTURE_KERNEL", dir, 1);
}

static void teardown_own(void)
{
	unlink(own);
	rmdir(dir);
	unsetenv("LIFEBOAT_CAPTURE_KERNEL");
}

static void conf_kernel(struct lb_conf *c, const char *kernel)
{
	lb_conf_defaults(c);
	ck_assert_uint_lt(strlen(kernel), sizeof(c->kernel));
	memcpy(c->kernel, kernel, strlen(kernel) + 1);
}

START_TEST(kpick_prefers_own_when_installed)
{
	struct lb_kpick k;
	struct lb_conf c;
	struct lb_err err;
	char want[PATH_MAX];

	setup_own();
	conf_kernel(&c, "");
	ck_assert_int_eq(lb_kernel_pick(&c, &k, &err), 0);
	ck_assert(k.own);
	ck_assert(realpath(own, want));
	ck_assert_str_eq(k.kernel, want);
	ck_assert_str_eq(k.modroot, dirname(want));
	/* The release is the image's own, not the running kernel's. */
	ck_assert_int_eq(strncmp(k.kver, "6.", 2), 0);

	conf_kernel(&c, LB_KERNEL_OWN);
	ck_assert_int_eq(lb_kernel_pick(&c, &k, &err), 0);
	ck_assert(k.own);

	/* The fast reboot needs lifeboat.ko in the capture kernel: unset
	 * means the stock one then; "lifeboat" still means ours. */
	conf_kernel(&c, "");
	c.final_action = LB_ACTION_FAST_REBOOT;
	ck_assert_int_eq(lb_kernel_pick(&c, &k, &err), 0);
	ck_assert(!k.own);
	ck_assert_str_eq(k.modroot, "/");
	conf_kernel(&c, LB_KERNEL_OWN);
	c.final_action = LB_ACTION_FAST_REBOOT;
	ck_assert_int_eq(lb_kernel_pick(&c, &k, &err), 0);
	ck_assert(k.own);
	teardown_own();
}
END_TEST

START_TEST(kpick_stock_and_paths)
{
	struct lb_kpick k;
	struct lb_conf c;
	struct lb_err err;
	struct utsname u;
	char want[PATH_MAX];

	ck_assert_int_eq(uname(&u), 0);
	setup_own();
	/* kernel = stock: the running release's, even with ours installed. */
	conf_kernel(&c, LB_KERNEL_STOCK);
	ck_assert_int_eq(lb_kernel_pick(&c, &k, &err), 0);
	ck_assert(!k.own);
	snprintf(want, sizeof(want), "/boot/vmlinuz-%s", u.release);
	ck_assert_str_eq(k.kernel, want);
	ck_assert_str_eq(k.kver, u.release);
	ck_assert_str_eq(k.modroot, "/");

	/* A path: that file, its own release, modules under /. */
	conf_kernel(&c, own);
	ck_assert_int_eq(lb_kernel_pick(&c, &k, &err), 0);
	ck_assert(!k.own);
	ck_assert_str_eq(k.kernel, own);
	ck_assert_str_eq(k.modroot, "/");
	teardown_own();

	/* Not installed: "" falls back to the stock kernel, "lifeboat" refuses. */
	setenv("LIFEBOAT_CAPTURE_KERNEL", "/nonexistent/lifeboat-capture-kernel", 1);
	conf_kernel(&c, "");
	ck_assert_int_eq(lb_kernel_pick(&c, &k, &err), 0);
	ck_assert(!k.own);
	ck_assert_str_eq(k.kernel, want);
	conf_kernel(&c, LB_KERNEL_OWN);
	ck_assert_int_eq(lb_kernel_pick(&c, &k, &err), -ENOENT);
	ck_assert_str_eq(err.msg,
			 "kernel = lifeboat, but Lifeboat's capture kernel is not installed at '/nonexistent/lifeboat-capture-kernel' (make capture-kernel install)");
	unsetenv("LIFEBOAT_CAPTURE_KERNEL");
}
END_TEST

static Suite *capture_kpick_suite(void)
{
	Suite *s = suite_create("capture-kpick");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, kpick_prefers_own_when_installed);
	tcase_add_test(tc, kpick_stock_and_paths);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(capture_kpick_suite)
