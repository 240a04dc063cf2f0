// SPDX-License-Identifier: GPL-2.0
/* A save cut short: makedumpfile's end, the OOM count, the report's one line. */
#include <errno.h>
#include <string.h>

#include "dumptools.h"
#include "unit.h"

static const char *mdf(int status, const char *out, unsigned long ooms)
{
	static char buf[512];
	size_t n = lb_mdf_failure(status, out, strlen(out), ooms, buf, sizeof(buf));

	ck_assert_uint_lt(n, sizeof(buf));
	ck_assert_uint_eq(n, strlen(buf));
	return buf;
}

START_TEST(mdf_failure_reasons)
{
	static const char enospc[] =
		"Copying data                                      : [ 41.0 %] \\\r"
		"write_buffer: Can't write the dump file(/run/lifeboat/target/var/crash/x/vmcore.incomplete). No space left on device\n"
		"\nmakedumpfile Failed.\n";

	ck_assert_str_eq(mdf(1, enospc, 0),
			 "the target ran out of space while the vmcore was written (makedumpfile: write_buffer: Can't write the dump file(/run/lifeboat/target/var/crash/x/vmcore.incomplete). No space left on device)");
	/* Another program's complaint before makedumpfile's own: makedumpfile's, the last. */
	ck_assert_str_eq(mdf(1, "fallocate: x: No space left on device\nCan't write the dump file(v). No space left on device\nmakedumpfile Failed.\n", 0),
			 "the target ran out of space while the vmcore was written (makedumpfile: Can't write the dump file(v). No space left on device)");
	ck_assert_ptr_nonnull(strstr(mdf(1, "write_buffer: Size limit(123) reached.\n", 0),
				     "outgrew the space the target had left above min_free"));
	ck_assert_str_eq(mdf(137, "Copying data : [ 10.0 %]\r", 0),
			 "makedumpfile was killed by signal 9 (SIGKILL) while it wrote the vmcore");
	ck_assert_ptr_nonnull(strstr(mdf(137, "", 1), "the capture kernel ran out of memory"));
	ck_assert_ptr_nonnull(strstr(mdf(137, "", 1), "killer ended makedumpfile"));
	/* An OOM kill elsewhere does not make every failure an OOM. */
	ck_assert_str_eq(mdf(1, "readmem: type_addr: 1, addr:0, size:8\n", 2),
			 "makedumpfile failed with status 1: readmem: type_addr: 1, addr:0, size:8");
	ck_assert_ptr_nonnull(strstr(mdf(1, "malloc: Cannot allocate memory\n", 0),
				     "makedumpfile ran out of memory"));
	ck_assert_str_eq(mdf(1, "", 0), "makedumpfile failed with status 1: (it printed nothing)");
	ck_assert_str_eq(mdf(-2, "", 0), "makedumpfile did not start: No such file or directory");
	ck_assert_str_eq(mdf(134, "", 0),
			 "makedumpfile was killed by signal 6 (SIGABRT) while it wrote the vmcore");
}
END_TEST

START_TEST(mdf_failure_hostile_output)
{
	char out[300], buf[64];
	size_t n;

	/* Control bytes become '?', and a short buffer is cut, not overrun. */
	memset(out, '\x01', sizeof(out));
	n = lb_mdf_failure(1, out, sizeof(out), 0, buf, sizeof(buf));
	ck_assert_uint_gt(n, sizeof(buf));
	ck_assert_uint_eq(strlen(buf), sizeof(buf) - 1);
	ck_assert_ptr_null(strchr(buf, '\x01'));
	n = lb_mdf_failure(1, "", 0, 0, NULL, 0);
	ck_assert_uint_gt(n, 0);
}
END_TEST

START_TEST(vmstat_oom_kills)
{
	static const char text[] = "nr_free_pages 123\noom_kill_x 9\noom_kill 4\npgfault 1\n";
	unsigned long v = 99;

	ck_assert_int_eq(lb_vmstat_oom_kills(text, strlen(text), &v), 0);
	ck_assert_uint_eq(v, 4);
	ck_assert_int_eq(lb_vmstat_oom_kills("oom_kill 12", 11, &v), 0);
	ck_assert_uint_eq(v, 12);
	ck_assert_int_eq(lb_vmstat_oom_kills("oom_kill \n", 10, &v), -ENOENT);
	ck_assert_int_eq(lb_vmstat_oom_kills("oom_kill 1x\n", 12, &v), -ENOENT);
	ck_assert_int_eq(lb_vmstat_oom_kills("pgfault 1\n", 10, &v), -ENOENT);
	ck_assert_int_eq(lb_vmstat_oom_kills("oom_kill 99999999999999999999999\n", 33, &v),
			 -ENOENT);
}
END_TEST

static const char *verdict(const char *name, const struct lb_meta *m)
{
	static char buf[512];
	size_t n = lb_dump_verdict(name, m, buf, sizeof(buf));

	ck_assert_uint_lt(n, sizeof(buf));
	ck_assert_uint_eq(n, strlen(buf));
	return buf;
}

START_TEST(dump_verdicts)
{
	struct lb_meta m;

	lb_meta_init(&m);
	m.crash_time = 1763712900;	/* 2025-11-21 08:15:00 UTC */
	strcpy(m.status, "incomplete");
	strcpy(m.step, "writing the vmcore");
	ck_assert_str_eq(verdict("20251121-081500.incomplete", &m),
			 "incomplete dump from 2025-11-21 08:15:00 UTC: the save stopped while writing the vmcore (the capture kernel stopped, or the machine was reset or lost power)");

	/* A reason the saver wrote down wins over the step. */
	strcpy(m.reason, "cannot finish the vmcore: Input/output error");
	ck_assert_str_eq(verdict("20251121-081500.incomplete", &m),
			 "incomplete dump from 2025-11-21 08:15:00 UTC: cannot finish the vmcore: Input/output error");

	/* No metadata at all: the time is the directory's name. */
	ck_assert_str_eq(verdict("20251121-081501-2.incomplete", NULL),
			 "incomplete dump from 2025-11-21 08:15:01 UTC: the save stopped before it recorded anything (the capture kernel stopped, or the machine was reset or lost power)");

	lb_meta_init(&m);
	m.crash_time = 1763712900;
	strcpy(m.status, "complete");
	ck_assert_str_eq(verdict("20251121-081500", &m), "");
	ck_assert_uint_eq(lb_dump_verdict("20251121-081500", &m, NULL, 0), 0);

	strcpy(m.status, "dmesg-only");
	strcpy(m.reason, "makedumpfile was killed by signal 9 (SIGKILL) while it wrote the vmcore");
	ck_assert_str_eq(verdict("20251121-081500", &m),
			 "dmesg only, no vmcore, from 2025-11-21 08:15:00 UTC: makedumpfile was killed by signal 9 (SIGKILL) while it wrote the vmcore");
	strcpy(m.status, "failed");
	ck_assert_ptr_nonnull(strstr(verdict("20251121-081500", &m), "failed dump from 2025-11-21"));

	/* A finished name whose record never finished (renamed by hand). */
	strcpy(m.status, "incomplete");
	m.reason[0] = '\0';
	ck_assert_str_eq(verdict("20251121-081500", &m),
			 "dump from 2025-11-21 08:15:00 UTC with status incomplete");
	ck_assert_str_eq(verdict("20251121-081500", NULL),
			 "dump from 2025-11-21 08:15:00 UTC without metadata: nothing says whether it is complete");
}
END_TEST

START_TEST(step_survives_the_metadata_file)
{
	struct lb_meta a, b;
	char buf[4096];
	size_t n;

	lb_meta_init(&a);
	strcpy(a.status, "incomplete");
	strcpy(a.step, "writing the vmcore");
	n = lb_meta_format(&a, buf, sizeof(buf));
	ck_assert_uint_lt(n, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "\nstep=writing the vmcore\n"));
	ck_assert_int_eq(lb_meta_parse(&b, buf, n), 0);
	ck_assert_str_eq(b.step, "writing the vmcore");
	/* A file from a saver without steps reads with none. */
	ck_assert_int_eq(lb_meta_parse(&b, "format=1\nstatus=complete\n", 25), 0);
	ck_assert_str_eq(b.step, "");
}
END_TEST

START_TEST(last_jump_attribute)
{
	long long t = 0;
	unsigned int cpu = 9;

	ck_assert_int_eq(lb_last_jump_parse("time=1764470400 cpu=1\n", 22, &t, &cpu), 0);
	ck_assert_int_eq(t, 1764470400LL);
	ck_assert_uint_eq(cpu, 1);
	ck_assert_int_eq(lb_last_jump_parse("none\n", 5, &t, &cpu), -ENOENT);
	ck_assert_int_eq(lb_last_jump_parse("none", 4, &t, &cpu), -ENOENT);
	ck_assert_int_eq(lb_last_jump_parse("", 0, &t, &cpu), -EINVAL);
	ck_assert_int_eq(lb_last_jump_parse("time= cpu=1", 11, &t, &cpu), -EINVAL);
	ck_assert_int_eq(lb_last_jump_parse("time=-5 cpu=1", 13, &t, &cpu), -EINVAL);
	ck_assert_int_eq(lb_last_jump_parse("time=5 cpu=", 11, &t, &cpu), -EINVAL);
	ck_assert_int_eq(lb_last_jump_parse("time=5 cpu=1x", 13, &t, &cpu), -EINVAL);
	ck_assert_int_eq(lb_last_jump_parse("time=99999999999999999999 cpu=1", 31, &t, &cpu),
			 -EINVAL);
	ck_assert_int_eq(lb_last_jump_parse("time=5 cpu=4294967296", 21, &t, &cpu), -EINVAL);
	/* Not NUL-terminated: only len counts. */
	ck_assert_int_eq(lb_last_jump_parse("time=7 cpu=3garbage", 12, &t, &cpu), 0);
	ck_assert_int_eq(t, 7);
	ck_assert_uint_eq(cpu, 3);
}
END_TEST

START_TEST(jump_without_a_dump)
{
	/* 2025-12-01 00:00:00 UTC */
	const long long t = 1764547200LL;
	const char *same[] = { "20251130-120000", "20251201-000130" };
	const char *late[] = { "20251201-000201" };
	const char *incomplete[] = { "20251130-235900.incomplete" };
	const char *collision[] = { "20251201-000000-2" };
	const char *other[] = { "lost+found", "20251201-000000.old" };
	char buf[512];
	size_t n;

	ck_assert_int_eq(lb_dump_name_time("20251201-000000"), t);
	ck_assert_int_eq(lb_dump_name_time("20251201-000000-3.incomplete"), t);
	ck_assert_int_eq(lb_dump_name_time("lost+found"), -1);
	/* A dump within LB_JUMP_TOLERANCE of the stamp is that crash's, of any kind. */
	ck_assert(!lb_jump_unsaved(t, same, 2, -1));
	ck_assert(!lb_jump_unsaved(t, incomplete, 1, -1));
	ck_assert(!lb_jump_unsaved(t, collision, 1, -1));
	ck_assert(lb_jump_unsaved(t, late, 1, -1));
	ck_assert(lb_jump_unsaved(t, other, 2, -1));
	ck_assert(lb_jump_unsaved(t, NULL, 0, -1));
	/* So is the saver's record of a failed capture. */
	ck_assert(!lb_jump_unsaved(t, NULL, 0, t + 3));
	ck_assert(!lb_jump_unsaved(t, NULL, 0, t - LB_JUMP_TOLERANCE));
	ck_assert(lb_jump_unsaved(t, NULL, 0, t - LB_JUMP_TOLERANCE - 1));
	ck_assert(lb_jump_unsaved(t, late, 1, t + 3600));
	ck_assert(!lb_jump_unsaved(-1, NULL, 0, -1));

	n = lb_jump_reason(t, buf, sizeof(buf));
	ck_assert_uint_eq(n, strlen(buf));
	ck_assert_str_eq(buf, "the capture kernel started at 2025-12-01 00:00:00 UTC but never reached the saver: it died or hung before the dump could be written; see its console");
	n = lb_jump_reason(t, buf, 10);
	ck_assert_uint_gt(n, 10);
	ck_assert_uint_eq(strlen(buf), 9);
}
END_TEST

static Suite *dumptools_savefault_suite(void)
{
	Suite *s = suite_create("dumptools-savefault");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, mdf_failure_reasons);
	tcase_add_test(tc, mdf_failure_hostile_output);
	tcase_add_test(tc, vmstat_oom_kills);
	tcase_add_test(tc, dump_verdicts);
	tcase_add_test(tc, step_survives_the_metadata_file);
	tcase_add_test(tc, last_jump_attribute);
	tcase_add_test(tc, jump_without_a_dump);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(dumptools_savefault_suite)
