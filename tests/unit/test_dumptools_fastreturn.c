// SPDX-License-Identifier: GPL-2.0
/*
 * final_action = fast-reboot: when the capture kernel may boot the
 * production kernel directly, and when the firmware's reset wins (a dump
 * not complete, a hardware death, a crash loop).
 */
#include <string.h>

#include "dumptools.h"
#include "unit.h"

/* 2025-11-21 08:15:00 UTC */
#define NOW 1763712900LL

static struct lb_return_facts facts(const char *const *names, size_t nr)
{
	struct lb_return_facts f = {
		.complete = true, .hardware = "", .now = NOW, .names = names, .nr = nr,
		.loop_count = 3, .loop_minutes = 30,
	};

	return f;
}

START_TEST(fast_return_first_crash)
{
	static const char *const names[] = { "20251121-081500" };
	struct lb_return_facts f = facts(names, 1);
	char why[256];

	ck_assert(lb_fast_return(&f, why, sizeof(why)));
	ck_assert_str_eq(why, "");
}
END_TEST

START_TEST(fast_return_not_after_a_failed_save)
{
	static const char *const names[] = { "20251121-081500" };
	struct lb_return_facts f = facts(names, 1);
	char why[256];

	f.complete = false;
	ck_assert(!lb_fast_return(&f, why, sizeof(why)));
	ck_assert_str_eq(why, "the dump is not complete");
}
END_TEST

/* The third crash within 30 minutes, this one included, goes through the firmware. */
START_TEST(fast_return_crash_loop)
{
	static const char *const two[] = { "20251121-080000", "20251121-081500" };
	static const char *const three[] = {
		"20251121-075000", "20251121-080000.incomplete", "20251121-081500",
	};
	/* Older than the window, and names that are not dumps, do not count. */
	static const char *const spread[] = {
		"20251121-074459", "20251121-074000", "lost+found", "20251121-081500",
	};
	struct lb_return_facts f;
	char why[256];

	f = facts(two, 2);
	ck_assert(lb_fast_return(&f, why, sizeof(why)));
	f = facts(three, 3);
	ck_assert(!lb_fast_return(&f, why, sizeof(why)));
	ck_assert_str_eq(why, "crash loop: 3 crashes within 30 minutes (crash_loop = 3/30)");
	f = facts(spread, 4);
	ck_assert_uint_eq(lb_crashes_within(spread, 4, NOW, 30), 1);
	ck_assert(lb_fast_return(&f, why, sizeof(why)));
	/* The window's first second is in it. */
	ck_assert_uint_eq(lb_crashes_within(spread, 4, NOW, 30) +
			  lb_crashes_within((const char *const[]){ "20251121-074500" }, 1, NOW, 30), 2);
	/* crash_loop = 1/M: every crash goes through the firmware. */
	f = facts(two + 1, 1);
	f.loop_count = 1;
	ck_assert(!lb_fast_return(&f, why, sizeof(why)));
	ck_assert_str_eq(why, "crash loop: 1 crashes within 30 minutes (crash_loop = 1/30)");
}
END_TEST

START_TEST(fast_return_clock_set_back)
{
	/* A dump from 10 minutes "later": the clock went back; it counts. */
	static const char *const names[] = {
		"20251121-082500", "20251121-082000", "20251121-081500",
	};

	ck_assert_uint_eq(lb_crashes_within(names, 3, NOW, 30), 1);
	ck_assert_uint_eq(lb_crashes_within(names, 3, NOW - 100, 30), 1);
	ck_assert_uint_eq(lb_crashes_within(names, 3, NOW + 600, 30), 3);
}
END_TEST

START_TEST(fast_return_hardware)
{
	static const char mce_log[] =
		"[    0.10] mce: CPU0: Thermal monitoring enabled (TM1)\n"
		"[    0.20] MCE: In-kernel MCE decoding enabled.\n"
		"[   50.00] mce: [Hardware Error]: CPU 1: Machine Check Exception: 5 Bank 4: b200000000070005\n"
		"[   50.01] Kernel panic - not syncing: Fatal machine check\n";
	static const char serr_log[] =
		"[   50.00] NMI: PCI system error (SERR) for reason a1 on CPU 0.\n"
		"[   50.01] Kernel panic - not syncing: NMI: Not continuing\n";
	static const char soft_log[] =
		"[    0.10] mce: CPU0: Thermal monitoring enabled (TM1)\n"
		"[    0.20] MCE: In-kernel MCE decoding enabled.\n"
		"[    3.03] Kernel panic - not syncing: sysrq triggered crash\n";
	static const char *const names[] = { "20251121-081500" };
	struct lb_return_facts f = facts(names, 1);
	char what[256], why[512];

	ck_assert(lb_dmesg_hardware_error(mce_log, strlen(mce_log), NULL, what, sizeof(what)));
	ck_assert_ptr_nonnull(strstr(what, "mce: [Hardware Error]: CPU 1: Machine Check"));
	ck_assert(lb_dmesg_hardware_error(serr_log, strlen(serr_log), NULL, what, sizeof(what)));
	ck_assert_ptr_nonnull(strstr(what, "NMI: PCI system error"));
	/* The panic line alone says it. */
	ck_assert(lb_dmesg_hardware_error("", 0, "Kernel panic - not syncing: Fatal Machine check",
					  what, sizeof(what)));
	ck_assert_str_eq(what, "Kernel panic - not syncing: Fatal Machine check");
	/* Boot lines about the MCE machinery are not errors. */
	ck_assert(!lb_dmesg_hardware_error(soft_log, strlen(soft_log),
					   "Kernel panic - not syncing: sysrq triggered crash", what,
					   sizeof(what)));
	ck_assert_str_eq(what, "");
	/* A log cut anywhere, without a final newline. */
	ck_assert(!lb_dmesg_hardware_error(mce_log, 60, NULL, what, sizeof(what)));

	f.hardware = "Kernel panic - not syncing: Fatal machine check";
	ck_assert(!lb_fast_return(&f, why, sizeof(why)));
	ck_assert_str_eq(why, "the kernel died of a hardware error ('Kernel panic - not syncing: Fatal machine check')");
}
END_TEST

static Suite *dumptools_fastreturn_suite(void)
{
	Suite *s = suite_create("dumptools-fastreturn");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, fast_return_first_crash);
	tcase_add_test(tc, fast_return_not_after_a_failed_save);
	tcase_add_test(tc, fast_return_crash_loop);
	tcase_add_test(tc, fast_return_clock_set_back);
	tcase_add_test(tc, fast_return_hardware);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(dumptools_fastreturn_suite)
