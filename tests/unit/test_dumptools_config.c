// SPDX-License-Identifier: GPL-2.0
/* /etc/lifeboat.conf: defaults, every key, every refusal, and the round trip. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dumptools.h"
#include "unit.h"

static int parse(struct lb_conf *c, const char *text, struct lb_err *err)
{
	lb_conf_defaults(c);
	memset(err, 0, sizeof(*err));
	return lb_conf_parse(c, text, strlen(text), "lifeboat.conf", err);
}

START_TEST(conf_defaults_are_production)
{
	struct lb_conf c;

	lb_conf_defaults(&c);
	ck_assert_str_eq(c.target, "");
	ck_assert_str_eq(c.path, "/var/crash");
	ck_assert_uint_eq(c.dump_level, 31);
	ck_assert_int_eq(c.compression, LB_COMP_LZO);
	ck_assert_str_eq(lb_compression_flag(c.compression), "-l");
	ck_assert_uint_eq(c.threads, 0);
	ck_assert_uint_eq(c.keep, 3);
	ck_assert(c.min_free == 64ULL << 20);
	ck_assert_int_eq(c.final_action, LB_ACTION_REBOOT);
	ck_assert_int_eq(c.failure_action, LB_ACTION_REBOOT);
	ck_assert_uint_eq(c.crash_loop_count, 3);
	ck_assert_uint_eq(c.crash_loop_minutes, 30);
	ck_assert_str_eq(c.return_kernel, "");
	ck_assert_str_eq(c.return_initrd, "");
	/* No boot-time region: one is taken at run time, of the estimate's size. */
	ck_assert(!c.region_boot_only);
	ck_assert(c.region_size == 0);
}
END_TEST

START_TEST(conf_region)
{
	struct lb_conf a, b;
	struct lb_err err;
	char buf[4096];
	size_t n;

	ck_assert_int_eq(parse(&a, "region = boot", &err), 0);
	ck_assert(a.region_boot_only && a.region_size == 0);
	n = lb_conf_format(&a, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "region = boot\n"));
	lb_conf_defaults(&b);
	ck_assert_int_eq(lb_conf_parse(&b, buf, n, "formatted", &err), 0);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);

	ck_assert_int_eq(parse(&a, "region = 384M", &err), 0);
	ck_assert(!a.region_boot_only && a.region_size == 384ULL << 20);
	n = lb_conf_format(&a, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "region = 384M\n"));
	lb_conf_defaults(&b);
	ck_assert_int_eq(lb_conf_parse(&b, buf, n, "formatted", &err), 0);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);

	ck_assert_int_eq(parse(&a, "region = auto", &err), 0);
	ck_assert(!a.region_boot_only && a.region_size == 0);
	lb_conf_format(&a, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "region = auto\n"));

	ck_assert_int_eq(parse(&a, "region = 16M", &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg,
				     "region must be auto, boot, or a size such as 256M (at least 32M), got '16M'"));
	ck_assert_int_eq(parse(&a, "region = crashkernel", &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "region must be auto, boot"));
}
END_TEST

START_TEST(conf_unpack)
{
	struct lb_conf a, b;
	struct lb_err err;
	char buf[4096];
	size_t n;

	lb_conf_defaults(&a);
	ck_assert(a.unpack);
	ck_assert_int_eq(parse(&a, "unpack = no", &err), 0);
	ck_assert(!a.unpack);
	ck_assert_int_eq(parse(&a, "unpack = yes", &err), 0);
	ck_assert(a.unpack);
	n = lb_conf_format(&a, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "unpack = yes\n"));
	lb_conf_defaults(&b);
	ck_assert_int_eq(lb_conf_parse(&b, buf, n, "formatted", &err), 0);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
	ck_assert_int_eq(parse(&a, "unpack = maybe", &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "unpack must be yes or no, got 'maybe'"));
}
END_TEST

START_TEST(conf_reads_every_key)
{
	static const char text[] =
		"# a comment\n"
		"\n"
		"  target = LABEL=crash disk  \n"
		"path=/srv/dumps/\n"
		"fstype = xfs\n"
		"dump_level = 1\n"
		"compression = zlib\n"
		"threads = 4\n"
		"keep = 0\n"
		"min_free = 1G\n"
		"final_action = poweroff\n"
		"failure_action = shell\n"
		"append = \"mce=off  quiet\"\n"
		"kernel = /boot/vmlinuz-capture\n"
		"extra_modules = nvme, ahci  sd_mod\r\n"
		"crash_loop = 5/120\n"
		"return_kernel = /boot/vmlinuz-prod\n"
		"return_initrd = none\n";
	struct lb_err err;
	struct lb_conf c;

	ck_assert_int_eq(parse(&c, text, &err), 0);
	ck_assert_str_eq(c.target, "LABEL=crash disk");
	ck_assert_str_eq(c.path, "/srv/dumps");
	ck_assert_str_eq(c.fstype, "xfs");
	ck_assert_uint_eq(c.dump_level, 1);
	ck_assert_int_eq(c.compression, LB_COMP_ZLIB);
	ck_assert_str_eq(lb_compression_flag(c.compression), "-c");
	ck_assert_uint_eq(c.threads, 4);
	ck_assert_uint_eq(c.keep, 0);
	ck_assert(c.min_free == 1ULL << 30);
	ck_assert_int_eq(c.final_action, LB_ACTION_POWEROFF);
	ck_assert_int_eq(c.failure_action, LB_ACTION_SHELL);
	ck_assert_str_eq(c.append, "mce=off  quiet");
	ck_assert_str_eq(c.kernel, "/boot/vmlinuz-capture");
	ck_assert_str_eq(c.extra_modules, "nvme ahci sd_mod");
	ck_assert_uint_eq(c.crash_loop_count, 5);
	ck_assert_uint_eq(c.crash_loop_minutes, 120);
	ck_assert_str_eq(c.return_kernel, "/boot/vmlinuz-prod");
	ck_assert_str_eq(c.return_initrd, "none");
}
END_TEST

START_TEST(conf_targets)
{
	struct lb_err err;
	struct lb_conf c;

	ck_assert_int_eq(parse(&c, "target = UUID=0f3c1d2e-aaaa-bbbb-cccc-0123456789ab", &err), 0);
	ck_assert_str_eq(c.target, "UUID=0f3c1d2e-aaaa-bbbb-cccc-0123456789ab");
	ck_assert_int_eq(parse(&c, "target = /dev/vdb1", &err), 0);
	ck_assert_str_eq(c.target, "/dev/vdb1");
	ck_assert_int_eq(parse(&c, "target =", &err), 0);
	ck_assert_str_eq(c.target, "");
	ck_assert_int_eq(parse(&c, "target = /var/crash", &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "lifeboat.conf:1: target must be"));
	ck_assert_int_eq(parse(&c, "target = UUID=not-a-uuid!", &err), -EINVAL);
	ck_assert_int_eq(parse(&c, "target = LABEL=", &err), -EINVAL);
	ck_assert_int_eq(parse(&c, "target = /dev/../etc/passwd", &err), -EINVAL);
}
END_TEST

/* Each refusal names the file, the line and the reason. */
START_TEST(conf_refuses_bad_input)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "dumplevel = 31", "lifeboat.conf:1: unknown key 'dumplevel'" },
		{ "# ok\ndump_level = 32", "lifeboat.conf:2: dump_level must be a number from 0 to 31, got '32'" },
		{ "dump_level = -1", "dump_level must be" },
		{ "dump_level = 3x", "dump_level must be" },
		{ "dump_level =", "dump_level must be" },
		{ "dump_level = 99999999999999999999", "dump_level must be" },
		{ "compression = lz4", "compression must be lzo, zlib, snappy, zstd or none" },
		{ "final_action = halt", "final_action must be reboot, poweroff, shell or fast-reboot" },
		{ "failure_action = dump_to_rootfs", "failure_action must be" },
		/* After a failed save, only the firmware's reset. */
		{ "failure_action = fast-reboot", "failure_action must be reboot, poweroff or shell, got 'fast-reboot'" },
		{ "crash_loop = 3", "crash_loop must be CRASHES/MINUTES" },
		{ "crash_loop = 0/30", "crash_loop must be" },
		{ "crash_loop = 3/0", "crash_loop must be" },
		{ "crash_loop = 3/", "crash_loop must be" },
		{ "crash_loop = /30", "crash_loop must be" },
		{ "crash_loop = 3/30/5", "crash_loop must be" },
		{ "crash_loop = 1001/30", "crash_loop must be" },
		{ "crash_loop = 3/10081", "crash_loop must be" },
		{ "crash_loop = -3/30", "crash_loop must be" },
		{ "crash_loop = 99999999999999999999/30", "crash_loop must be" },
		{ "return_kernel = vmlinuz", "return_kernel must be an absolute path" },
		{ "return_initrd = initrd.img", "return_initrd must be an absolute path" },
		{ "keep = 1001", "keep must be" },
		{ "threads = 65", "threads must be" },
		{ "min_free = lots", "min_free must be a size" },
		{ "min_free = 64Q", "min_free must be a size" },
		{ "min_free = 99999999999999T", "min_free must be a size" },
		{ "path = var/crash", "path must be an absolute path" },
		{ "path = /var/../etc", "path must be an absolute path" },
		{ "path = /var/./crash", "path must be an absolute path" },
		{ "path = /var//crash", "path must be an absolute path" },
		{ "path = /var/my crash", "path must be an absolute path" },
		{ "fstype = ext4;rm", "fstype must be" },
		{ "extra_modules = nvme;reboot", "extra_modules must be module names" },
		{ "keep = 2\nkeep = 3", "lifeboat.conf:2: 'keep' is set twice (first on line 1)" },
		{ "just words", "lifeboat.conf:1: expected 'key = value'" },
		{ "= 3", "a value without a key" },
		{ "append = a\x01b", "control character" },
		{ "append = caf\xc3\xa9", "non-ASCII" },
	};
	struct lb_err err;
	struct lb_conf c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(parse(&c, cases[i].text, &err) == -EINVAL, "accepted '%s'",
			      cases[i].text);
		ck_assert_msg(strstr(err.msg, cases[i].msg), "'%s' gave '%s'", cases[i].text,
			      err.msg);
	}
}
END_TEST

START_TEST(conf_refuses_nul_and_long_lines)
{
	static const char with_nul[] = "keep = 2\0\nkeep = 3";
	char long_line[3000];
	struct lb_err err;
	struct lb_conf c;

	lb_conf_defaults(&c);
	ck_assert_int_eq(lb_conf_parse(&c, with_nul, sizeof(with_nul) - 1, "f", &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "f:1: NUL byte"));
	memset(long_line, 'a', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	ck_assert_int_eq(parse(&c, long_line, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "line longer than"));
	memcpy(long_line, "append = ", 9);
	long_line[1500] = '\0';
	ck_assert_int_eq(parse(&c, long_line, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "append is longer than 1023"));
}
END_TEST

START_TEST(conf_round_trips)
{
	static const char text[] =
		"target = UUID=0f3c1d2e-aaaa-bbbb-cccc-0123456789ab\n"
		"path = /crash\nfstype = ext4\ndump_level = 17\ncompression = none\n"
		"threads = 2\nkeep = 9\nmin_free = 1536K\nfinal_action = shell\n"
		"failure_action = poweroff\nappend = nokaslr\nextra_modules = nvme\n"
		"crash_loop = 2/5\nreturn_initrd = /boot/initrd.img-prod\n";
	struct lb_conf a, b;
	struct lb_err err;
	char buf[4096], small[16];
	size_t n;

	ck_assert_int_eq(parse(&a, text, &err), 0);
	n = lb_conf_format(&a, buf, sizeof(buf));
	ck_assert_uint_lt(n, sizeof(buf));
	ck_assert_uint_eq(n, strlen(buf));
	ck_assert_ptr_nonnull(strstr(buf, "min_free = 1536K\n"));
	ck_assert_ptr_nonnull(strstr(buf, "crash_loop = 2/5\n"));
	lb_conf_defaults(&b);
	ck_assert_int_eq(lb_conf_parse(&b, buf, n, "formatted", &err), 0);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
	/* A short buffer gets a prefix and the length it needed. */
	ck_assert_uint_eq(lb_conf_format(&a, small, sizeof(small)), n);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	/* An odd size goes out in bytes. */
	ck_assert_int_eq(parse(&a, "min_free = 1000", &err), 0);
	lb_conf_format(&a, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "min_free = 1000\n"));
	/* fast-reboot reads back too. */
	ck_assert_int_eq(parse(&a, "final_action = fast-reboot", &err), 0);
	ck_assert_int_eq(a.final_action, LB_ACTION_FAST_REBOOT);
	n = lb_conf_format(&a, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "final_action = fast-reboot\n"));
	lb_conf_defaults(&b);
	ck_assert_int_eq(lb_conf_parse(&b, buf, n, "formatted", &err), 0);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
}
END_TEST

START_TEST(conf_sizes)
{
	unsigned long long v;

	ck_assert_int_eq(lb_parse_size("0", &v), 0);
	ck_assert(v == 0);
	ck_assert_int_eq(lb_parse_size("64M", &v), 0);
	ck_assert(v == 64ULL << 20);
	ck_assert_int_eq(lb_parse_size("64MiB", &v), 0);
	ck_assert(v == 64ULL << 20);
	ck_assert_int_eq(lb_parse_size("2g", &v), 0);
	ck_assert(v == 2ULL << 30);
	ck_assert_int_eq(lb_parse_size("1T", &v), 0);
	ck_assert(v == 1ULL << 40);
	ck_assert_int_eq(lb_parse_size("18446744073709551615", &v), 0);
	ck_assert_int_eq(lb_parse_size("18446744073709551616", &v), -EINVAL);
	ck_assert_int_eq(lb_parse_size("16777216T", &v), -EINVAL);
	ck_assert_int_eq(lb_parse_size("M", &v), -EINVAL);
	ck_assert_int_eq(lb_parse_size("1MX", &v), -EINVAL);
	ck_assert_int_eq(lb_parse_size(" 1M", &v), -EINVAL);
}
END_TEST

START_TEST(conf_kernel_choice)
{
	static const char *const ok[] = { "lifeboat", "stock", "/boot/vmlinuz-capture", "" };
	struct lb_err err;
	struct lb_conf c;
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "kernel = %s\n", ok[i]);
		ck_assert_int_eq(parse(&c, text, &err), 0);
		ck_assert_str_eq(c.kernel, ok[i]);
	}
	ck_assert_int_eq(parse(&c, "kernel = own\n", &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "an absolute path"));
}
END_TEST

static Suite *dumptools_config_suite(void)
{
	Suite *s = suite_create("dumptools-config");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, conf_defaults_are_production);
	tcase_add_test(tc, conf_reads_every_key);
	tcase_add_test(tc, conf_targets);
	tcase_add_test(tc, conf_refuses_bad_input);
	tcase_add_test(tc, conf_refuses_nul_and_long_lines);
	tcase_add_test(tc, conf_round_trips);
	tcase_add_test(tc, conf_sizes);
	tcase_add_test(tc, conf_region);
	tcase_add_test(tc, conf_unpack);
	tcase_add_test(tc, conf_kernel_choice);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(dumptools_config_suite)
