// SPDX-License-Identifier: GPL-2.0
/*
 * The bzImage loader on the real guest kernel (LIFEBOAT_KVMLINUZ) and on
 * malformed copies of it: every rejection with its errno and sentence.
 */
#include <stdlib.h>
#include <string.h>

#include "data/capture_fixture.h"
#include "internal.h"
#include "unit.h"

START_TEST(bzimage_real_kernel_parses)
{
	struct cap_machine cm;
	struct lb_kernel k;
	struct lb_err err = { "" };
	const char *loader = NULL;
	size_t len;
	uint8_t *file = cap_read_kernel(&len);
	int ret;

	cap_machine_crashkernel(&cm, false);
	ck_assert_ptr_eq(lb_loader_find(file, len, &err), &lb_bzimage_loader);
	ret = lb_kernel_parse(file, len, &cm.m, &k, &loader, &err);
	ck_assert_msg(ret == 0, "parse failed: %d %s", ret, err.msg);
	ck_assert_str_eq(loader, "bzImage");
	/* The values measured in handoff-facts section 1.1. */
	ck_assert_uint_eq(k.setup_sects, 39);
	ck_assert_uint_eq(k.pm_off, 0x5000);
	ck_assert_uint_eq(k.pm_len, len - 0x5000);
	ck_assert_uint_eq(k.hdr_end, 0x26c);
	ck_assert_uint_eq(k.version, 0x020f);
	ck_assert_uint_eq(k.init_size, 0x3f98000);
	ck_assert_uint_eq(k.kernel_alignment, 0x200000);
	ck_assert_uint_eq(k.cmdline_size, 0x7ff);
	ck_assert_uint_eq(k.xloadflags, 0x7f);
	ck_assert_ptr_eq(k.file, file);
	/* The 64-bit entry: cld; cli; xor eax,eax; mov ds. */
	ck_assert_int_eq(memcmp(file + k.pm_off + 0x200, "\xfc\xfa\x31\xc0\x8e\xd8", 6), 0);

	/* The same kernel is fine on a 5-level machine: it has XLF_5LEVEL. */
	cap_machine_crashkernel(&cm, true);
	ck_assert_int_eq(lb_kernel_parse(file, len, &cm.m, &k, NULL, &err), 0);
	free(file);
}
END_TEST

START_TEST(bzimage_setup_sects_zero_means_four)
{
	struct lb_kernel k;
	struct lb_err err = { "" };
	size_t len;
	uint8_t *file = cap_read_kernel(&len);

	file[0x1f1] = 0;
	ck_assert_int_eq(lb_kernel_parse(file, len, NULL, &k, NULL, &err), 0);
	ck_assert_uint_eq(k.setup_sects, 4);
	ck_assert_uint_eq(k.pm_off, 5 * 512);
	free(file);
}
END_TEST

enum mut_kind { MUT_NONE, MUT_U8, MUT_U16, MUT_U32, MUT_AND16 };

struct bad_case {
	const char *what;
	size_t trunc;			/* 0: keep the whole file */
	enum mut_kind kind;
	size_t off;
	uint32_t val;
	bool la57;
	const char *msg;		/* must appear in the error sentence */
};

static const struct bad_case bad_cases[] = {
	{ "truncated", 0x100, MUT_NONE, 0, 0, false, "file too short (256 bytes)" },
	{ "empty", 1, MUT_NONE, 0, 0, false, "file too short (1 bytes)" },
	{ "bad magic", 0, MUT_U8, 0x202, 'h', false, "no \"HdrS\" magic at 0x202" },
	{ "bad boot flag", 0, MUT_U16, 0x1fe, 0x55aa, false, "boot flag at 0x1fe is 0x55aa" },
	{ "old version", 0, MUT_U16, 0x206, 0x020b, false, "version 2.11 is too old" },
	{ "zImage", 0, MUT_U8, 0x211, 0x00, false, "lack LOADED_HIGH" },
	{ "no XLF_KERNEL_64", 0, MUT_AND16, 0x236, 0xfffe, false, "lack XLF_KERNEL_64" },
	{ "no XLF_CAN_BE_LOADED_ABOVE_4G", 0, MUT_AND16, 0x236, 0xfffd, false,
	  "lack XLF_CAN_BE_LOADED_ABOVE_4G" },
	{ "no XLF_5LEVEL on la57", 0, MUT_AND16, 0x236, 0xffdf, true,
	  "5-level paging but xloadflags 0x005f lack XLF_5LEVEL" },
	{ "not relocatable", 0, MUT_U8, 0x234, 0, false, "relocatable_kernel is 0" },
	{ "header too short", 0, MUT_U8, 0x201, 0x50, false,
	  "setup header ends at 0x252, before init_size" },
	{ "header beyond file", 0x268, MUT_NONE, 0, 0, false,
	  "setup header ends at 0x26c, beyond the end of the file (616 bytes)" },
	{ "header too long", 0, MUT_U8, 0x201, 0xa0, false,
	  "setup header ends at 0x2a2, past the 0x290" },
	{ "setup_sects beyond file", 0x4000, MUT_NONE, 0, 0, false,
	  "setup_sects 39 puts the protected-mode part at 0x5000, beyond the end of the file" },
	{ "setup_sects 255 beyond file", 0x10000, MUT_U8, 0x1f1, 0xff, false,
	  "setup_sects 255 puts the protected-mode part at 0x20000, beyond the end" },
	{ "empty protected-mode part", 0x5000, MUT_NONE, 0, 0, false,
	  "protected-mode part is empty" },
	{ "no 64-bit entry", 0x5100, MUT_NONE, 0, 0, false,
	  "ends before the 64-bit entry at +0x200" },
	{ "init_size 0", 0, MUT_U32, 0x260, 0, false, "init_size is 0" },
	{ "init_size absurd", 0, MUT_U32, 0x260, 0x7fffffff, false,
	  "init_size 0x7fffffff (2048 MiB) is absurd" },
	{ "init_size below file", 0, MUT_U32, 0x260, 0x100000, false,
	  "is larger than init_size (1048576 bytes)" },
	{ "alignment not power of 2", 0, MUT_U32, 0x230, 0x300000, false,
	  "kernel_alignment 0x300000 is not a power of two" },
	{ "alignment 0", 0, MUT_U32, 0x230, 0, false,
	  "kernel_alignment 0x0 is not a power of two" },
};

static void mutate(uint8_t *f, const struct bad_case *c)
{
	switch (c->kind) {
	case MUT_U8:
		f[c->off] = (uint8_t)c->val;
		break;
	case MUT_U16:
		f[c->off] = (uint8_t)c->val;
		f[c->off + 1] = (uint8_t)(c->val >> 8);
		break;
	case MUT_U32:
		f[c->off] = (uint8_t)c->val;
		f[c->off + 1] = (uint8_t)(c->val >> 8);
		f[c->off + 2] = (uint8_t)(c->val >> 16);
		f[c->off + 3] = (uint8_t)(c->val >> 24);
		break;
	case MUT_AND16:
		f[c->off] &= (uint8_t)c->val;
		f[c->off + 1] &= (uint8_t)(c->val >> 8);
		break;
	case MUT_NONE:
		break;
	}
}

START_TEST(bzimage_rejects_malformed)
{
	const struct bad_case *c = &bad_cases[_i];
	struct cap_machine cm;
	struct lb_kernel k;
	struct lb_err err = { "" };
	size_t len, cut;
	uint8_t *file = cap_read_kernel(&len), *copy;
	int ret;

	cut = c->trunc ? c->trunc : len;
	/* An exact-size copy, so that ASan catches any read past the end. */
	copy = malloc(cut);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, file, cut);
	free(file);
	mutate(copy, c);
	cap_machine_crashkernel(&cm, c->la57);
	ret = lb_kernel_parse(copy, cut, &cm.m, &k, NULL, &err);
	ck_assert_msg(ret == -ENOEXEC, "%s: returned %d (%s)", c->what, ret, err.msg);
	ck_assert_msg(strstr(err.msg, c->msg), "%s: message '%s' lacks '%s'", c->what,
		      err.msg, c->msg);
	ck_assert_msg(strncmp(err.msg, "bzImage: ", 9) == 0 ||
		      strncmp(err.msg, "unknown kernel format: bzImage: ", 32) == 0,
		      "%s: message '%s' does not name the loader", c->what, err.msg);
	free(copy);
}
END_TEST

START_TEST(bzimage_5level_only_matters_on_la57)
{
	struct cap_machine cm;
	struct lb_kernel k;
	struct lb_err err = { "" };
	size_t len;
	uint8_t *file = cap_read_kernel(&len);

	file[0x236] &= (uint8_t)~0x20;
	cap_machine_crashkernel(&cm, false);
	ck_assert_int_eq(lb_kernel_parse(file, len, &cm.m, &k, NULL, &err), 0);
	free(file);
}
END_TEST

START_TEST(bzimage_unknown_format_through_build)
{
	struct cap_machine cm;
	struct cap_build b;
	uint8_t elf[0x300];

	/* Long enough to be probed past the whole setup header. */
	memset(elf, 0, sizeof(elf));
	memcpy(elf, "\x7f" "ELF", 4);
	cap_machine_crashkernel(&cm, false);
	cap_build(&b, &cm.m, elf, sizeof(elf), NULL, 0, "");
	ck_assert_int_eq(b.ret, -ENOEXEC);
	ck_assert_msg(strstr(b.err.msg, "unknown kernel format: bzImage: no \"HdrS\" magic"),
		      "message: %s", b.err.msg);
	cap_build_free(&b);

	cap_build(&b, &cm.m, NULL, 0, NULL, 0, "");
	ck_assert_int_eq(b.ret, -ENOEXEC);
	ck_assert_msg(strstr(b.err.msg, "file too short (0 bytes)"), "message: %s", b.err.msg);
	cap_build_free(&b);
}
END_TEST

START_TEST(bzimage_malformed_through_build)
{
	struct cap_machine cm;
	struct cap_build b;
	size_t len;
	uint8_t *file = cap_read_kernel(&len);

	file[0x207] = 0x01;		/* version 1.15 */
	cap_machine_crashkernel(&cm, false);
	cap_build(&b, &cm.m, file, len, NULL, 0, "");
	ck_assert_int_eq(b.ret, -ENOEXEC);
	ck_assert_msg(strstr(b.err.msg, "version 1.15 is too old"), "message: %s", b.err.msg);
	cap_build_free(&b);
	free(file);
}
END_TEST

static Suite *capture_bzimage_suite(void)
{
	Suite *s = suite_create("capture_bzimage");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, bzimage_real_kernel_parses);
	tcase_add_test(tc, bzimage_setup_sects_zero_means_four);
	tcase_add_loop_test(tc, bzimage_rejects_malformed, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, bzimage_5level_only_matters_on_la57);
	tcase_add_test(tc, bzimage_unknown_format_through_build);
	tcase_add_test(tc, bzimage_malformed_through_build);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(capture_bzimage_suite)
