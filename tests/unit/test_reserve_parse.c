// SPDX-License-Identifier: GPL-2.0
/*
 * lib/parse.c: sizes as the kernel reads them, /proc/iomem, the kernel
 * command line, the module's region attribute, CPU lists, cpuinfo flags.
 */
#include <errno.h>
#include <string.h>

#include "reserve.h"
#include "unit.h"

#define MiB(x) ((uint64_t)(x) << 20)
/* A string literal and its length. */
#define S(x) x, strlen(x)

/* /proc/iomem of the 1 GiB test guest booted with crashkernel=96M, as root. */
static const char guest_iomem[] =
	"00000000-00000fff : Reserved\n"
	"00001000-0009fbff : System RAM\n"
	"0009fc00-0009ffff : Reserved\n"
	"000a0000-000bffff : PCI Bus 0000:00\n"
	"000c0000-000c95ff : Video ROM\n"
	"000f0000-000fffff : Reserved\n"
	"  000f0000-000fffff : System ROM\n"
	"00100000-3ffdcfff : System RAM\n"
	"  0e000000-0ee02f80 : Kernel code\n"
	"  31000000-36ffffff : Crash kernel\n"
	"3ffdd000-3fffffff : Reserved\n"
	"40000000-afffffff : PCI Bus 0000:00\n"
	"fec00000-fec003ff : IOAPIC 0\n"
	"fffc0000-ffffffff : Reserved\n"
	"fd00000000-ffffffffff : Reserved\n";

static struct lb_mem_range ranges[64];

static int iomem(const char *text, struct lb_iomem *io, struct lb_err *err)
{
	memset(io, 0, sizeof(*io));
	io->ranges = ranges;
	io->cap = 64;
	return lb_iomem_parse(text, strlen(text), io, err);
}

START_TEST(size_parse_like_memparse)
{
	static const struct {
		const char *text;
		uint64_t v;
		size_t used;
	} ok[] = {
		{ "256M", MiB(256), 4 }, { "1G", 1ULL << 30, 2 }, { "64k", 65536, 3 },
		{ "0x30000000", 0x30000000, 10 }, { "0x10M", MiB(16), 5 }, { "010", 8, 3 },
		{ "08", 0, 1 }, { "0", 0, 1 }, { "4096$", 4096, 4 }, { "2T", 2ULL << 40, 2 },
		{ "18446744073709551615", UINT64_MAX, 20 },
	};
	uint64_t v;
	size_t used, i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(!lb_size_parse(ok[i].text, strlen(ok[i].text), &v, &used),
			      "'%s' refused", ok[i].text);
		ck_assert_msg(v == ok[i].v && used == ok[i].used, "'%s' read as %llu (%zu bytes)",
			      ok[i].text, (unsigned long long)v, used);
	}
	ck_assert_int_eq(lb_size_parse(S("M"), &v, &used), -EINVAL);
	ck_assert_int_eq(lb_size_parse("", 0, &v, &used), -EINVAL);
	ck_assert_int_eq(lb_size_parse(S("18446744073709551616"), &v, &used), -ERANGE);
	ck_assert_int_eq(lb_size_parse(S("17179869184G"), &v, &used), -ERANGE);
	/* Only len bytes are read: "25" of "256M". */
	ck_assert_int_eq(lb_size_parse("256M", 2, &v, &used), 0);
	ck_assert_uint_eq(v, 25);
}
END_TEST

START_TEST(iomem_guest)
{
	struct lb_err err = { "" };
	struct lb_iomem io;

	ck_assert_int_eq(iomem(guest_iomem, &io, &err), 0);
	ck_assert(!io.hidden);
	/* Top-level RAM and Reserved only: no PCI, ROM or nested entries. */
	ck_assert_uint_eq(io.nr, 8);
	ck_assert_uint_eq(io.ranges[0].start, 0);
	ck_assert_uint_eq(io.ranges[0].end, 0x1000);
	ck_assert_uint_eq(io.ranges[0].type, LB_MEM_RESERVED);
	ck_assert_uint_eq(io.ranges[1].type, LB_MEM_RAM);
	ck_assert_uint_eq(io.ranges[4].start, 0x100000);
	ck_assert_uint_eq(io.ranges[4].end, 0x3ffdd000);
	ck_assert_uint_eq(io.ranges[7].start, 0xfd00000000ULL);
	ck_assert_uint_eq(io.ranges[7].end, 0x10000000000ULL);
	ck_assert_uint_eq(io.ram_bytes, (0x9fc00 - 0x1000) + (0x3ffdd000 - 0x100000));
	ck_assert_uint_eq(io.ram_end, 0x3ffdd000);
	ck_assert_uint_eq(io.crash_start, 0x31000000);
	ck_assert_uint_eq(io.crash_end, 0x37000000);
}
END_TEST

START_TEST(iomem_crash_kernel_high_and_low)
{
	/* crashkernel=X,high also reserves a small low part: the larger one counts. */
	static const char text[] =
		"00100000-bfffffff : System RAM\n"
		"  b8000000-bfffffff : Crash kernel\n"
		"100000000-23fffffff : System RAM\n"
		"  220000000-23fffffff : Crash kernel\n";
	struct lb_err err = { "" };
	struct lb_iomem io;

	ck_assert_int_eq(iomem(text, &io, &err), 0);
	ck_assert_uint_eq(io.crash_start, 0x220000000ULL);
	ck_assert_uint_eq(io.crash_end, 0x240000000ULL);
	ck_assert_uint_eq(io.ram_end, 0x240000000ULL);
}
END_TEST

START_TEST(iomem_hidden_for_users)
{
	static const char text[] =
		"00000000-00000000 : Reserved\n"
		"00000000-00000000 : System RAM\n"
		"  00000000-00000000 : Crash kernel\n"
		"00000000-00000000 : System RAM\n";
	struct lb_err err = { "" };
	struct lb_iomem io;

	ck_assert_int_eq(iomem(text, &io, &err), 0);
	ck_assert(io.hidden);
	ck_assert_uint_eq(io.nr, 0);
	ck_assert_uint_eq(io.ram_bytes, 0);
	ck_assert_uint_eq(io.crash_end, 0);
}
END_TEST

START_TEST(iomem_malformed)
{
	struct lb_err err = { "" };
	struct lb_iomem io;

	ck_assert_int_eq(iomem("00100000-3ffdcfff System RAM\n", &io, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "/proc/iomem line 1 is not 'start-end : name'");
	ck_assert_int_eq(iomem("00000000-00000fff : Reserved\nzz-1 : x\n", &io, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "line 2"));
	ck_assert_int_eq(iomem("3000-1000 : System RAM\n", &io, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "ends before it starts"));
	ck_assert_int_eq(iomem("00100000-3ffdcfff : System RAM\n00000000-00000fff : Reserved\n",
			       &io, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "out of order"));
	ck_assert_int_eq(iomem("00100000-3ffdcfff : System RAM\n"
			       "111111111111111111111-2 : System RAM\n", &io, &err), -EINVAL);
	/* No NUL needed, nothing read past len: the same text cut after its
	 * first line, then inside its second. */
	memset(&io, 0, sizeof(io));
	io.ranges = ranges;
	io.cap = 64;
	ck_assert_int_eq(lb_iomem_parse(guest_iomem, 29, &io, &err), 0);
	ck_assert_uint_eq(io.nr, 1);
	ck_assert_uint_eq(io.ranges[0].end, 0x1000);
	ck_assert_int_eq(lb_iomem_parse(guest_iomem, 40, &io, &err), -EINVAL);
}
END_TEST

START_TEST(iomem_too_many_ranges)
{
	struct lb_err err = { "" };
	struct lb_iomem io;
	char text[4096];
	size_t n = 0;
	int i;

	for (i = 0; i < 70; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%08x-%08x : System RAM\n",
				      0x100000 + i * 0x2000, 0x100000 + i * 0x2000 + 0xfff);
	ck_assert_int_eq(iomem(text, &io, &err), -E2BIG);
	ck_assert_str_eq(err.msg, "/proc/iomem has more than 64 memory ranges");
}
END_TEST

START_TEST(cmdline_crashkernel_last_wins)
{
	static const char text[] =
		"BOOT_IMAGE=/vmlinuz root=UUID=x ro crashkernel=384M-:128M quiet crashkernel=192M\n";
	struct lb_err err = { "" };
	struct lb_cmdline cl;

	ck_assert_int_eq(lb_cmdline_parse(text, strlen(text), &cl, &err), 0);
	ck_assert(cl.has_crashkernel);
	ck_assert_str_eq(cl.crashkernel, "192M");
	ck_assert_uint_eq(cl.nr_memmap, 0);
	ck_assert_int_eq(lb_cmdline_parse(S("console=ttyS0"), &cl, &err), 0);
	ck_assert(!cl.has_crashkernel);
	ck_assert_str_eq(cl.crashkernel, "");
}
END_TEST

START_TEST(cmdline_memmap)
{
	static const char text[] =
		"console=ttyS0 memmap=64M@2G,256M$0x20000000 memmap=1G!4G memmap=\"128M$0x40000000\" "
		"no5lvl -- memmap=512M$0x50000000";
	struct lb_err err = { "" };
	struct lb_cmdline cl;

	ck_assert_int_eq(lb_cmdline_parse(text, strlen(text), &cl, &err), 0);
	/* Two SIZE$START ranges before "--"; the one after it is init's. */
	ck_assert_uint_eq(cl.nr_memmap, 2);
	ck_assert_uint_eq(cl.memmap_size, MiB(256));
	ck_assert_uint_eq(cl.memmap_start, 0x20000000);
	ck_assert_int_eq(lb_cmdline_parse(S("memmap=256M$zz"), &cl, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "memmap=256M$zz is not SIZE$START");
	ck_assert_int_eq(lb_cmdline_parse(S("memmap=256M$1Gx"), &cl, &err), -EINVAL);
	/* exactmap and the other forms are not ours. */
	ck_assert_int_eq(lb_cmdline_parse(S("memmap=exactmap memmap=640K@0"), &cl, &err), 0);
	ck_assert_uint_eq(cl.nr_memmap, 0);
}
END_TEST

START_TEST(cmdline_quotes_and_odd_bytes)
{
	static const char text[] = "a=\"x y\" crashkernel=\"256M\"\tfoo\0crashkernel=1G";
	struct lb_err err = { "" };
	struct lb_cmdline cl;

	ck_assert_int_eq(lb_cmdline_parse(text, sizeof(text) - 1, &cl, &err), 0);
	ck_assert_str_eq(cl.crashkernel, "1G");
	ck_assert_int_eq(lb_cmdline_parse(S("crashkernel=\x01\x7f"), &cl, &err), 0);
	ck_assert_str_eq(cl.crashkernel, "??");
	ck_assert_int_eq(lb_cmdline_parse(S("\"unterminated crashkernel=1G"), &cl, &err), 0);
	ck_assert(!cl.has_crashkernel);
}
END_TEST

START_TEST(region_attribute)
{
	char kind[16], why[64];
	uint64_t start, end;
	bool none;

	ck_assert_int_eq(lb_region_attr_parse(S("0x31000000 0x37000000 100663296 crashkernel\n"),
					 &start, &end, kind, sizeof(kind), &none, why, sizeof(why)), 0);
	ck_assert(!none);
	ck_assert_uint_eq(start, 0x31000000);
	ck_assert_uint_eq(end, 0x37000000);
	ck_assert_str_eq(kind, "crashkernel");
	ck_assert_int_eq(lb_region_attr_parse(S("none: no reserved region: boot with crashkernel=SIZE\n"),
					 &start, &end, kind, sizeof(kind), &none, why, sizeof(why)), 0);
	ck_assert(none);
	ck_assert_str_eq(why, "no reserved region: boot with crashkernel=SIZE");
	/* The size must agree with start and end; one kind word. */
	ck_assert_int_eq(lb_region_attr_parse(S("0x31000000 0x37000000 4096 crashkernel"), &start, &end,
					 kind, sizeof(kind), &none, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(lb_region_attr_parse(S("0x37000000 0x31000000 0 memmap"), &start, &end, kind,
					 sizeof(kind), &none, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(lb_region_attr_parse(S("0x1000 0x2000 4096"), &start, &end, kind, sizeof(kind),
					 &none, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(lb_region_attr_parse(S("0x1000 0x2000 4096 a b"), &start, &end, kind,
					 sizeof(kind), &none, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(lb_region_attr_parse(S(""), &start, &end, kind, sizeof(kind), &none, why,
					 sizeof(why)), -EINVAL);
}
END_TEST

START_TEST(cpu_lists)
{
	unsigned int nr;

	ck_assert_int_eq(lb_cpulist_parse(S("0-1\n"), &nr), 0);
	ck_assert_uint_eq(nr, 2);
	ck_assert_int_eq(lb_cpulist_parse(S("0"), &nr), 0);
	ck_assert_uint_eq(nr, 1);
	ck_assert_int_eq(lb_cpulist_parse(S("0-3,8,10-11"), &nr), 0);
	ck_assert_uint_eq(nr, 12);
	ck_assert_int_eq(lb_cpulist_parse(S(""), &nr), -EINVAL);
	ck_assert_int_eq(lb_cpulist_parse(S("3-1"), &nr), -EINVAL);
	ck_assert_int_eq(lb_cpulist_parse(S("0,,1"), &nr), -EINVAL);
	ck_assert_int_eq(lb_cpulist_parse(S("0-"), &nr), -EINVAL);
	ck_assert_int_eq(lb_cpulist_parse(S("99999999999"), &nr), -EINVAL);
}
END_TEST

START_TEST(cpuinfo_flags)
{
	static const char text[] =
		"processor\t: 0\nvendor_id\t: AuthenticAMD\n"
		"flags\t\t: fpu vme pse la57x rdpid la57 fsrm\n"
		"vmx flags\t: la57\n\nprocessor\t: 1\nflags\t\t: fpu\n";

	ck_assert(lb_cpuinfo_has_flag(text, strlen(text), "la57"));
	ck_assert(lb_cpuinfo_has_flag(text, strlen(text), "fsrm"));
	ck_assert(!lb_cpuinfo_has_flag(text, strlen(text), "la5"));
	ck_assert(!lb_cpuinfo_has_flag(S("flags\t\t: fpu la57x\n"), "la57"));
	ck_assert(!lb_cpuinfo_has_flag(S("processor : 0\n"), "la57"));
}
END_TEST

static Suite *reserve_parse_suite(void)
{
	Suite *s = suite_create("reserve-parse");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, size_parse_like_memparse);
	tcase_add_test(tc, iomem_guest);
	tcase_add_test(tc, iomem_crash_kernel_high_and_low);
	tcase_add_test(tc, iomem_hidden_for_users);
	tcase_add_test(tc, iomem_malformed);
	tcase_add_test(tc, iomem_too_many_ranges);
	tcase_add_test(tc, cmdline_crashkernel_last_wins);
	tcase_add_test(tc, cmdline_memmap);
	tcase_add_test(tc, cmdline_quotes_and_odd_bytes);
	tcase_add_test(tc, region_attribute);
	tcase_add_test(tc, cpu_lists);
	tcase_add_test(tc, cpuinfo_flags);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(reserve_parse_suite)
