// SPDX-License-Identifier: GPL-2.0
/* metadata.txt beside each dump, and the VMCOREINFO the saver reads first. */
#include <errno.h>
#include <string.h>

#include "dumptools.h"
#include "unit.h"

static void sample(struct lb_meta *m)
{
	lb_meta_init(m);
	strcpy(m->status, "dmesg-only");
	strcpy(m->reason, "not enough space on the target");
	strcpy(m->kernel_release, "6.1.0-56-amd64");
	strcpy(m->panic, "Kernel panic - not syncing: sysrq triggered crash");
	m->crash_time = 1763712900;
	m->saved_time = 1763712911;
	m->dump_level = 31;
	strcpy(m->compression, "lzo");
	m->ram_bytes = 1ULL << 30;
	m->estimate_bytes = 28311552;
	m->free_bytes = 20ULL << 20;
	m->vmcore_bytes = 0;
	m->dmesg_bytes = 61234;
	m->save_ms = 4567;
	m->vmcore_ms = 3005;
	strcpy(m->capture_release, "6.1.0-56-amd64");
	strcpy(m->makedumpfile, "1.7.2");
}

START_TEST(meta_round_trip)
{
	struct lb_meta a, b;
	char buf[4096];
	size_t n;

	sample(&a);
	n = lb_meta_format(&a, buf, sizeof(buf));
	ck_assert_uint_lt(n, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "format=1\nstatus=dmesg-only\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nsave_seconds=4.567\nvmcore_seconds=3.005\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\ncrash_time=1763712900\n"));
	ck_assert_int_eq(lb_meta_parse(&b, buf, n), 0);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
}
END_TEST

START_TEST(meta_strings_stay_on_one_line)
{
	struct lb_meta a, b;
	char buf[4096];
	size_t n;

	sample(&a);
	strcpy(a.panic, "two\nlines\tand\x01");
	n = lb_meta_format(&a, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "\npanic=two\n"));
	ck_assert_int_eq(lb_meta_parse(&b, buf, n), 0);
	ck_assert_str_eq(b.panic, "two");
	strcpy(a.panic, "tab\there\x7f");
	lb_meta_format(&a, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "\npanic=tab here?\n"));
}
END_TEST

START_TEST(meta_reader_is_tolerant_but_not_credulous)
{
	static const char newer[] =
		"format=1\nfuture_key=whatever\nstatus=complete\ncrash_time=-1\n"
		"vmcore_bytes=12\nsave_seconds=2.5\nvmcore_seconds=7\n";
	static const char junk[] =
		"format=1\nvmcore_bytes=12x\ndump_level=99999999999\nsave_seconds=1.2345\n"
		"crash_time=-7\nsaved_time=99999999999999999999\nstatus=" "abcdefghijklmnopqrstuvwxyz\n";
	struct lb_meta m;

	ck_assert_int_eq(lb_meta_parse(&m, newer, strlen(newer)), 0);
	ck_assert_str_eq(m.status, "complete");
	ck_assert(m.crash_time == -1);
	ck_assert(m.vmcore_bytes == 12);
	ck_assert(m.save_ms == 2500);
	ck_assert(m.vmcore_ms == 7000);

	ck_assert_int_eq(lb_meta_parse(&m, junk, strlen(junk)), 0);
	ck_assert(m.vmcore_bytes == 0);
	ck_assert_uint_eq(m.dump_level, 0);
	ck_assert(m.save_ms == 0);
	ck_assert(m.crash_time == -1);
	ck_assert(m.saved_time == -1);
	ck_assert_uint_eq(strlen(m.status), sizeof(m.status) - 1);

	ck_assert_int_eq(lb_meta_parse(&m, "status=complete\n", 16), -EINVAL);
	ck_assert_int_eq(lb_meta_parse(&m, "format=0\n", 9), -EINVAL);
	ck_assert_int_eq(lb_meta_parse(&m, "", 0), -EINVAL);
}
END_TEST

START_TEST(vmcoreinfo_fields)
{
	static const char note[] =
		"OSRELEASE=6.1.0-56-amd64\nBUILD-ID=abcdef\nPAGESIZE=4096\n"
		"SYMBOL(init_uts_ns)=ffffffff82a15420\nNUMBER(KERNEL_IMAGE_SIZE)=1073741824\n"
		"KERNELOFFSET=1d400000\nCRASHTIME=1763712900\n\0\0\0";
	struct lb_vmcoreinfo vi;

	ck_assert_int_eq(lb_vmcoreinfo_parse(note, sizeof(note) - 1, &vi), 0);
	ck_assert_str_eq(vi.release, "6.1.0-56-amd64");
	ck_assert(vi.crash_time == 1763712900LL);
	ck_assert_uint_eq(vi.page_size, 4096);
}
END_TEST

START_TEST(vmcoreinfo_hostile)
{
	static const char bad[] = "PAGESIZE=4097\nCRASHTIME=12ab\nOSRELEASE=6.1\x01\n";
	struct lb_vmcoreinfo vi;

	ck_assert_int_eq(lb_vmcoreinfo_parse(bad, strlen(bad), &vi), 0);
	ck_assert_uint_eq(vi.page_size, 0);
	ck_assert(vi.crash_time == -1);
	ck_assert_str_eq(vi.release, "6.1?");
	ck_assert_int_eq(lb_vmcoreinfo_parse("PAGESIZE=4096\n", 14, &vi), -ENOENT);
	ck_assert_int_eq(lb_vmcoreinfo_parse("OSRELEASE=", 10, &vi), -ENOENT);
}
END_TEST

static Suite *dumptools_meta_suite(void)
{
	Suite *s = suite_create("dumptools-meta");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, meta_round_trip);
	tcase_add_test(tc, meta_strings_stay_on_one_line);
	tcase_add_test(tc, meta_reader_is_tolerant_but_not_credulous);
	tcase_add_test(tc, vmcoreinfo_fields);
	tcase_add_test(tc, vmcoreinfo_hostile);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(dumptools_meta_suite)
