// SPDX-License-Identifier: GPL-2.0
/*
 * lib/estimate.c and lib/machine.c: the sizing arithmetic, its agreement
 * with the calibration measured under QEMU, and with the image builder
 * (a region of the recommended size is accepted; the floor it reports is
 * exactly where `lifeboat load` starts refusing).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "data/capture_fixture.h"
#include "reserve.h"
#include "unit.h"

/* The calibration run of estimate.c: the 1 GiB guest, its stock kernel
 * and the test bed's capture initramfs, as lifeboat estimate measured them. */
static void guest(struct lb_estimate_in *in, uint64_t start, uint64_t size)
{
	memset(in, 0, sizeof(*in));
	in->meta = 0x13000;
	in->init_size = 66682880;	/* 63.6 MiB */
	in->kernel_run = 54722560;	/* 52.19 MiB to _end, loaded unpacked */
	in->room = 54722560;
	in->kernel_align = MiB(2);
	in->initrd = 3410477;
	in->rootfs = 9037824;
	in->window = 32768;
	in->old_ram_end = 0x3ffdd000;
	in->nr_cpus = 2;
	in->region_start = start;
	in->region_size = size;
}

static uint64_t sum_parts(const struct lb_estimate *e)
{
	return e->meta + e->align + e->kernel + e->initrd + e->rootfs + e->window + e->memmap +
	       e->cpus + e->makedumpfile + e->runtime + e->fast_return + e->margin;
}

START_TEST(estimate_breakdown_at_a_known_region)
{
	struct lb_estimate_in in;
	struct lb_estimate e;

	guest(&in, 0x39000000, MiB(94));
	lb_estimate_compute(&in, &e);
	/* Metadata at a 16 MiB boundary, the kernel at the next 2 MiB one. */
	ck_assert_uint_eq(e.meta, 0x13000);
	ck_assert_uint_eq(e.meta + e.align, MiB(2));
	ck_assert_uint_eq(e.kernel, 54722560);
	ck_assert_uint_eq(e.room, 54722560);
	ck_assert_uint_eq(e.initrd, 3411968);		/* page aligned */
	ck_assert_uint_eq(e.rootfs, 9037824);
	/* Section 7 holds the region, section 0 the first MiB. */
	ck_assert_uint_eq(e.sections, 2);
	ck_assert_uint_eq(e.memmap, MiB(4));
	ck_assert_uint_eq(e.cpus, 2048);
	ck_assert_uint_eq(e.makedumpfile, 65536);	/* two bits per page frame of 1 GiB */
	ck_assert_uint_eq(e.runtime, lb_estimate_runtime);
	ck_assert_uint_eq(sum_parts(&e), e.total);
	ck_assert_uint_eq(e.total % MiB(4), 0);
	ck_assert(!e.floor_applied);
	ck_assert_uint_ge(e.margin, MiB(8));
	ck_assert_uint_eq(e.total, MiB(100));
}
END_TEST

/*
 * final_action = fast-reboot: the production kernel and initramfs are in the
 * capture initramfs (its initrd and rootfs terms grow by them, as measured);
 * the module's copy of them comes on top, with the margin's tenth.
 */
START_TEST(estimate_counts_the_fast_return)
{
	struct lb_estimate_in in;
	struct lb_estimate plain, fast;
	uint64_t files = MiB(8) + MiB(24);

	guest(&in, 0, 0);
	lb_estimate_compute(&in, &plain);
	in.initrd += files;
	in.rootfs += files;
	in.fast_return = files + 4096 * 2;
	lb_estimate_compute(&in, &fast);
	ck_assert_uint_eq(fast.fast_return, in.fast_return);
	ck_assert_uint_eq(plain.fast_return, 0);
	ck_assert_uint_eq(sum_parts(&fast), fast.total);
	/* Three copies at the peak, the packed one included. */
	ck_assert_uint_ge(fast.total - plain.total, 3 * files);
}
END_TEST

START_TEST(estimate_matches_the_calibration)
{
	struct lb_estimate_in in;
	struct lb_estimate e;
	uint64_t need;

	/* 88M at 0x3a000000 captured, 84M at 0x3a000000 did not: the need
	 * without margin must sit between the two. */
	guest(&in, 0x3a000000, MiB(88));
	lb_estimate_compute(&in, &e);
	need = e.total - e.margin;
	ck_assert_msg(need > MiB(84) && need <= MiB(89),
		      "need %llu KiB at the smallest working region (88 MiB)",
		      (unsigned long long)(need >> 10));
	guest(&in, 0x3a000000, MiB(84));
	lb_estimate_compute(&in, &e);
	ck_assert_uint_gt(e.total - e.margin, MiB(84));
}
END_TEST

START_TEST(estimate_worst_case_without_a_region)
{
	struct lb_estimate_in in;
	struct lb_estimate known, worst;

	guest(&in, 0x39000000, MiB(100));
	lb_estimate_compute(&in, &known);
	guest(&in, 0, 0);
	lb_estimate_compute(&in, &worst);
	/* A 100 MiB region may straddle two sections: 3 with the first. */
	ck_assert_uint_eq(worst.sections, 3);
	ck_assert_uint_eq(worst.memmap, MiB(6));
	ck_assert_uint_eq(worst.total, MiB(100));
	ck_assert_uint_ge(worst.total, known.total);
	ck_assert_uint_eq(sum_parts(&worst), worst.total);
}
END_TEST

START_TEST(estimate_memmap_per_section)
{
	struct lb_estimate_in in;
	struct lb_estimate e;

	/* 256 MiB at 752 MiB: sections 5, 6, 7 and the first. */
	guest(&in, 0x2f000000, MiB(256));
	lb_estimate_compute(&in, &e);
	ck_assert_uint_eq(e.sections, 4);
	/* A region inside the first section shares it with the first MiB. */
	guest(&in, MiB(16), MiB(96));
	lb_estimate_compute(&in, &e);
	ck_assert_uint_eq(e.sections, 1);
	ck_assert_uint_eq(e.memmap, MiB(2));
	/* Below 16 MiB the kernel still goes to 16 MiB: the gap is alignment. */
	guest(&in, MiB(4), MiB(128));
	lb_estimate_compute(&in, &e);
	ck_assert_uint_eq(e.meta + e.align, MiB(12));
	/* A start just past a 2 MiB boundary pays almost 2 MiB more. */
	guest(&in, 0x39000000 + MiB(2) - 0x13000 + 0x1000, MiB(128));
	lb_estimate_compute(&in, &e);
	ck_assert_uint_eq(e.align, MiB(2) - 0x1000);
}
END_TEST

START_TEST(estimate_scales_with_ram_and_cpus)
{
	struct lb_estimate_in in;
	struct lb_estimate small, big;

	guest(&in, 0, 0);
	lb_estimate_compute(&in, &small);
	in.old_ram_end = 64ULL << 30;
	lb_estimate_compute(&in, &big);
	ck_assert_uint_eq(big.makedumpfile, MiB(4));
	ck_assert_uint_gt(big.total, small.total);
	/* makedumpfile works in cycles rather than use more than 32 MiB. */
	in.old_ram_end = 4ULL << 40;
	lb_estimate_compute(&in, &big);
	ck_assert_uint_eq(big.makedumpfile, MiB(32));
	in.old_ram_end = 0x3ffdd000;
	in.nr_cpus = 8192;
	lb_estimate_compute(&in, &big);
	ck_assert_uint_eq(big.cpus, MiB(8));
	ck_assert_uint_eq(sum_parts(&big), big.total);
	/* More to unpack, never less to reserve. */
	in.nr_cpus = 2;
	in.rootfs += MiB(40);
	lb_estimate_compute(&in, &big);
	ck_assert_uint_ge(big.total, small.total + MiB(40));
	/* A huge initramfs needs more memmap too: the fixed point settles. */
	in.rootfs = 3ULL << 30;
	lb_estimate_compute(&in, &big);
	ck_assert_uint_eq(sum_parts(&big), big.total);
	ck_assert_uint_ge(big.sections, (big.total >> 27));
}
END_TEST

START_TEST(estimate_never_below_what_load_demands)
{
	struct lb_estimate_in in;
	struct lb_estimate e;

	/* A general-purpose bzImage kernel (64 MiB of room to decompress, 8
	 * kept) and a tiny initramfs: the builder's LB_MIN_RUNTIME decides. */
	guest(&in, 0, 0);
	in.init_size = MiB(64);
	in.kernel_run = MiB(8);
	in.room = 0;
	in.initrd = 4096;
	in.rootfs = 8192;
	lb_estimate_compute(&in, &e);
	ck_assert(e.floor_applied);
	ck_assert_uint_eq(e.load_floor, in.meta + MiB(64) + 4096 + LB_MIN_RUNTIME);
	ck_assert_uint_eq(e.total, (e.load_floor + MiB(4) - 1) / MiB(4) * MiB(4));
	ck_assert_uint_eq(sum_parts(&e), e.total);

	/* A kernel built for capture (20 MiB of room): half the free RAM. */
	in.init_size = MiB(20);
	lb_estimate_compute(&in, &e);
	ck_assert_uint_eq(e.load_floor, in.meta + MiB(20) + 4096 + LB_MIN_RUNTIME_SMALL);
	ck_assert_uint_eq(e.runtime, lb_estimate_runtime_small);
	ck_assert_uint_eq(sum_parts(&e), e.total);
	ck_assert_uint_eq(lb_min_runtime(LB_SMALL_KERNEL), LB_MIN_RUNTIME_SMALL);
	ck_assert_uint_eq(lb_min_runtime(LB_SMALL_KERNEL + 1), LB_MIN_RUNTIME);
}
END_TEST

/* The builder's view of a 6 GiB machine with a synthetic kernel. */
static void builder_agrees(const uint8_t *kernel, size_t klen, size_t initrd_len)
{
	struct cap_machine cm;
	struct lb_reserve_kernel k;
	struct lb_estimate_in in = { 0 };
	struct lb_estimate e;
	struct lb_machine m;
	struct lb_image img;
	struct lb_err err = { "" };
	uint8_t *initrd = calloc(1, initrd_len);
	uint64_t start;

	ck_assert_ptr_nonnull(initrd);
	cap_machine_init(&cm, false);
	ck_assert_int_eq(lb_reserve_kernel(kernel, klen, false, &k, &err), 0);
	ck_assert_str_eq(k.loader, "bzImage");
	ck_assert_int_eq(lb_reserve_pick_region(cm.ranges, cm.m.nr_ranges, MiB(16), &start), 0);
	lb_reserve_machine(&m, cm.ranges, cm.m.nr_ranges, 4, false, start, start + MiB(16));
	in.meta = lb_image_meta_size(&m);
	ck_assert_uint_gt(in.meta, 0);
	in.init_size = k.init_size;
	in.kernel_align = k.kernel_alignment;
	in.initrd = initrd_len;
	in.rootfs = MiB(9);
	in.old_ram_end = GiB(8);
	in.nr_cpus = 4;
	lb_estimate_compute(&in, &e);

	/* Where crashkernel= of that size would go, the builder takes it. */
	ck_assert_int_eq(lb_reserve_pick_region(cm.ranges, cm.m.nr_ranges, e.total, &start), 0);
	ck_assert_uint_eq(start % MiB(16), 0);
	lb_reserve_machine(&m, cm.ranges, cm.m.nr_ranges, 4, false, start, start + e.total);
	ck_assert_msg(!lb_reserve_load_check(&m, kernel, klen, initrd, initrd_len, &img, &err),
		      "the builder refuses the recommended %llu MiB: %s",
		      (unsigned long long)(e.total >> 20), err.msg);
	ck_assert_uint_eq(img.meta_len, e.meta);
	ck_assert_uint_eq(img.kernel_load, start + e.meta + e.align);
	ck_assert_uint_eq(img.kernel_memsz, e.room);
	ck_assert_uint_eq(start + e.total - img.initrd_pa, e.initrd);
	/* The floor the estimate reports is exactly the builder's limit. */
	lb_reserve_machine(&m, cm.ranges, cm.m.nr_ranges, 4, false, start,
			   start + (e.load_floor + 4095) / 4096 * 4096);
	ck_assert_msg(!lb_reserve_load_check(&m, kernel, klen, initrd, initrd_len, &img, &err),
		      "the builder refuses the floor: %s", err.msg);
	lb_reserve_machine(&m, cm.ranges, cm.m.nr_ranges, 4, false, start,
			   start + (e.load_floor + 4095) / 4096 * 4096 - 4096);
	ck_assert_int_eq(lb_reserve_load_check(&m, kernel, klen, initrd, initrd_len, &img, &err),
			 -ENOSPC);
	ck_assert_ptr_nonnull(strstr(err.msg, "free RAM"));
	free(initrd);
}

START_TEST(builder_takes_the_estimate_fake_kernel)
{
	size_t len = 0x200000;
	uint8_t *k = cap_fake_bzimage(len, 0x2345000);

	builder_agrees(k, len, 3 * 1024 * 1024 + 123);
	free(k);
}
END_TEST

START_TEST(builder_takes_the_estimate_real_kernel)
{
	size_t len;
	uint8_t *k = cap_read_kernel(&len);

	builder_agrees(k, len, 3410477);
	free(k);
}
END_TEST

/* The release `lifeboat start` names the initramfs by: the guest kernel's own. */
START_TEST(release_of_the_real_kernel)
{
	struct lb_reserve_kernel k;
	struct lb_err err = { "" };
	const char *path = getenv("LIFEBOAT_KVMLINUZ");
	size_t len;
	uint8_t *buf = cap_read_kernel(&len);

	ck_assert_int_eq(lb_reserve_kernel(buf, len, false, &k, &err), 0);
	/* Debian's kernels live in .../boot/vmlinuz-RELEASE. */
	ck_assert_ptr_nonnull(strstr(path, "vmlinuz-"));
	ck_assert_str_eq(k.release, strstr(path, "vmlinuz-") + strlen("vmlinuz-"));
	free(buf);
}
END_TEST

START_TEST(kernel_facts_come_from_the_builder)
{
	struct lb_reserve_kernel k;
	struct lb_err err = { "" };
	size_t len = 0x2000;
	uint8_t *buf = cap_fake_bzimage(len, 0x1234000);

	ck_assert_int_eq(lb_reserve_kernel(buf, len, false, &k, &err), 0);
	ck_assert_uint_eq(k.init_size, 0x1234000);
	ck_assert_uint_eq(k.kernel_alignment, 0x200000);
	/* kernel_version: 0 means none; one pointing past the file is ignored. */
	buf[0x20e] = 0;
	buf[0x20f] = 0;
	ck_assert_int_eq(lb_reserve_kernel(buf, len, false, &k, &err), 0);
	ck_assert_str_eq(k.release, "");
	buf[0x20f] = 0x20;
	ck_assert_int_eq(lb_reserve_kernel(buf, len, false, &k, &err), 0);
	ck_assert_str_eq(k.release, "");
	memcpy(buf + 0x1000, "6.1.0-9-amd64 (someone@example) #1", 35);
	buf[0x20e] = 0x00;
	buf[0x20f] = 0x0e;
	ck_assert_int_eq(lb_reserve_kernel(buf, len, false, &k, &err), 0);
	ck_assert_str_eq(k.release, "6.1.0-9-amd64");
	memcpy(buf + 0x202, "XXXX", 4);
	ck_assert_int_eq(lb_reserve_kernel(buf, len, false, &k, &err), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(err.msg, "HdrS"));
	ck_assert_int_eq(lb_reserve_kernel(buf, 100, false, &k, &err), -ENOEXEC);
	free(buf);
}
END_TEST

START_TEST(pick_region_like_crashkernel)
{
	struct cap_machine cm;
	uint64_t start;

	cap_machine_init(&cm, false);
	/* Top-down below 4 GiB: the RAM up to 0x7ffd0000, 16 MiB aligned. */
	ck_assert_int_eq(lb_reserve_pick_region(cm.ranges, cm.m.nr_ranges, MiB(256), &start), 0);
	ck_assert_uint_eq(start, 0x6f000000);
	/* Too big for low memory: above 4 GiB. */
	ck_assert_int_eq(lb_reserve_pick_region(cm.ranges, cm.m.nr_ranges, GiB(3), &start), 0);
	ck_assert_uint_ge(start, GiB(4));
	ck_assert_int_eq(lb_reserve_pick_region(cm.ranges, cm.m.nr_ranges, GiB(5), &start), -ENOSPC);
}
END_TEST

static Suite *reserve_estimate_suite(void)
{
	Suite *s = suite_create("reserve-estimate");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, estimate_breakdown_at_a_known_region);
	tcase_add_test(tc, estimate_matches_the_calibration);
	tcase_add_test(tc, estimate_counts_the_fast_return);
	tcase_add_test(tc, estimate_worst_case_without_a_region);
	tcase_add_test(tc, estimate_memmap_per_section);
	tcase_add_test(tc, estimate_scales_with_ram_and_cpus);
	tcase_add_test(tc, estimate_never_below_what_load_demands);
	tcase_add_test(tc, builder_takes_the_estimate_fake_kernel);
	tcase_add_test(tc, builder_takes_the_estimate_real_kernel);
	tcase_add_test(tc, release_of_the_real_kernel);
	tcase_add_test(tc, kernel_facts_come_from_the_builder);
	tcase_add_test(tc, pick_region_like_crashkernel);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(reserve_estimate_suite)
