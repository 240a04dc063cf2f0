// SPDX-License-Identifier: GPL-2.0
/* Superblocks: finding the dump target by UUID or label without udev. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dumptools.h"
#include "unit.h"

static const unsigned char uuid[16] = { 0x0f, 0x3c, 0x1d, 0x2e, 0xaa, 0xaa, 0xbb, 0xbb,
					0xcc, 0xcc, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab };

static void put32(unsigned char *p, unsigned int v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

static unsigned char *ext_image(unsigned int compat, unsigned int incompat, unsigned int ro)
{
	unsigned char *b = calloc(1, LB_PROBE_LEN);
	unsigned char *sb = b + 1024;

	sb[56] = 0x53;
	sb[57] = 0xef;
	put32(sb + 92, compat);
	put32(sb + 96, incompat);
	put32(sb + 100, ro);
	memcpy(sb + 104, uuid, 16);
	memcpy(sb + 120, "lbdump", 6);
	return b;
}

START_TEST(probe_ext_family)
{
	struct lb_fsinfo fs;
	unsigned char *b;

	b = ext_image(0x4, 0x2c2, 0x1);	/* journal; filetype, extents, 64bit, flex_bg */
	ck_assert_int_eq(lb_fs_probe(b, LB_PROBE_LEN, &fs), 0);
	ck_assert_str_eq(fs.type, "ext4");
	ck_assert_str_eq(fs.uuid, "0f3c1d2e-aaaa-bbbb-cccc-0123456789ab");
	ck_assert_str_eq(fs.label, "lbdump");
	ck_assert(lb_fs_matches(&fs, "UUID=0F3C1D2E-AAAA-BBBB-CCCC-0123456789AB"));
	ck_assert(lb_fs_matches(&fs, "LABEL=lbdump"));
	ck_assert(!lb_fs_matches(&fs, "LABEL=LBDUMP"));
	ck_assert(!lb_fs_matches(&fs, "LABEL=lbdum"));
	ck_assert(!lb_fs_matches(&fs, "UUID=0f3c1d2e"));
	ck_assert(!lb_fs_matches(&fs, "/dev/vda"));
	/* Too short to hold the superblock. */
	ck_assert_int_eq(lb_fs_probe(b, 2047, &fs), -ENOENT);
	free(b);

	b = ext_image(0x4, 0x2, 0x3);
	ck_assert_int_eq(lb_fs_probe(b, LB_PROBE_LEN, &fs), 0);
	ck_assert_str_eq(fs.type, "ext3");
	free(b);

	b = ext_image(0, 0x2, 0x1);
	ck_assert_int_eq(lb_fs_probe(b, LB_PROBE_LEN, &fs), 0);
	ck_assert_str_eq(fs.type, "ext2");
	free(b);

	b = ext_image(0, 0x8, 0);	/* an external journal device */
	ck_assert_int_eq(lb_fs_probe(b, LB_PROBE_LEN, &fs), -ENOENT);
	free(b);
}
END_TEST

START_TEST(probe_xfs_btrfs_and_nothing)
{
	unsigned char *b = calloc(1, LB_PROBE_LEN);
	struct lb_fsinfo fs;

	ck_assert_int_eq(lb_fs_probe(b, LB_PROBE_LEN, &fs), -ENOENT);
	memcpy(b, "XFSB", 4);
	memcpy(b + 32, uuid, 16);
	memcpy(b + 108, "crashes_here", 12);	/* a full label: no NUL inside */
	ck_assert_int_eq(lb_fs_probe(b, 512, &fs), 0);
	ck_assert_str_eq(fs.type, "xfs");
	ck_assert_str_eq(fs.label, "crashes_here");
	ck_assert_str_eq(fs.uuid, "0f3c1d2e-aaaa-bbbb-cccc-0123456789ab");

	memset(b, 0, LB_PROBE_LEN);
	memcpy(b + 0x10000 + 0x40, "_BHRfS_M", 8);
	memcpy(b + 0x10000 + 0x20, uuid, 16);
	memcpy(b + 0x10000 + 0x12b, "pool\x01", 5);
	ck_assert_int_eq(lb_fs_probe(b, LB_PROBE_LEN, &fs), 0);
	ck_assert_str_eq(fs.type, "btrfs");
	ck_assert_str_eq(fs.label, "pool?");
	ck_assert_int_eq(lb_fs_probe(b, 0x10000, &fs), -ENOENT);
	free(b);
}
END_TEST

START_TEST(fnv_changes_with_every_byte)
{
	uint64_t a = lb_fnv1a(LB_FNV_INIT, "abc", 3);

	ck_assert(a == lb_fnv1a(lb_fnv1a(LB_FNV_INIT, "a", 1), "bc", 2));
	ck_assert(a != lb_fnv1a(LB_FNV_INIT, "abd", 3));
	ck_assert(lb_fnv1a(LB_FNV_INIT, "", 0) == LB_FNV_INIT);
	/* The published FNV-1a 64 value of "a". */
	ck_assert(lb_fnv1a(LB_FNV_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
}
END_TEST

static Suite *dumptools_fsprobe_suite(void)
{
	Suite *s = suite_create("dumptools-fsprobe");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, probe_ext_family);
	tcase_add_test(tc, probe_xfs_btrfs_and_nothing);
	tcase_add_test(tc, fnv_changes_with_every_byte);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(dumptools_fsprobe_suite)
