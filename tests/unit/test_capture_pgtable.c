// SPDX-License-Identifier: GPL-2.0
/*
 * The page tables, walked in software as the MMU would (4 and 5 levels):
 * every identity address maps to itself with a 2 MiB RW executable page,
 * the trampoline's virtual address maps to its page, and nothing else is
 * present; the table pages all lie in the immutable head.
 */
#include <stdlib.h>
#include <string.h>

#include "data/capture_fixture.h"
#include "unit.h"

static void check_ident(const struct cap_build *b, bool la57, uint64_t va)
{
	uint64_t pa, flags;
	unsigned int shift;

	/* Plain tests: a passing ck_assert costs a pipe write in fork mode. */
	if (!cap_translate(b, la57, va, &pa, &flags, &shift))
		ck_abort_msg("0x%llx is not mapped", (unsigned long long)va);
	if (pa != va || shift != 21 || flags != 0x83)
		ck_abort_msg("0x%llx maps to 0x%llx, page shift %u, flags 0x%llx",
			     (unsigned long long)va, (unsigned long long)pa, shift,
			     (unsigned long long)flags);
}

static bool mapped(const struct cap_build *b, bool la57, uint64_t va)
{
	uint64_t pa, flags;
	unsigned int shift;

	return cap_translate(b, la57, va, &pa, &flags, &shift);
}

/* Is va inside an interval the identity map must cover (rounded to 2 MiB)? */
static bool should_map(const struct lb_machine *m, uint64_t va)
{
	unsigned int i;
	uint64_t s, e;

	if (va < MiB(2))
		return true;
	s = m->region_start & ~(MiB(2) - 1);
	e = (m->region_end + MiB(2) - 1) & ~(MiB(2) - 1);
	if (va >= s && va < e)
		return true;
	for (i = 0; i < m->nr_ranges; i++) {
		const struct lb_mem_range *r = &m->ranges[i];

		if (r->type != 1 && r->type != 3 && r->type != 4)
			continue;
		s = r->start & ~(MiB(2) - 1);
		e = (r->end + MiB(2) - 1) & ~(MiB(2) - 1);
		if (va >= s && va < e)
			return true;
	}
	return false;
}

/* Every 2 MiB page of every mapped range, and the bytes at its ends. */
static void check_machine(const struct cap_build *b, const struct lb_machine *m, bool la57)
{
	uint64_t a, pa, flags;
	unsigned int i, shift;

	check_ident(b, la57, 0);
	check_ident(b, la57, MiB(2) - 1);
	for (a = m->region_start; a < m->region_end; a += MiB(2))
		check_ident(b, la57, a);
	check_ident(b, la57, m->region_end - 1);
	for (i = 0; i < m->nr_ranges; i++) {
		const struct lb_mem_range *r = &m->ranges[i];

		if (r->type != 1 && r->type != 3 && r->type != 4)
			continue;
		for (a = r->start; a < r->end; a += MiB(2))
			check_ident(b, la57, a);
		check_ident(b, la57, r->end - 1);
	}
	/* The transition mapping: one 4 KiB page, present and RW. */
	ck_assert(cap_translate(b, la57, CAP_TRAMP_VA + 0x123, &pa, &flags, &shift));
	ck_assert_uint_eq(pa, b->img.tramp_pa + 0x123);
	ck_assert_uint_eq(shift, 12);
	ck_assert_uint_eq(flags, 0x3);
	ck_assert(!mapped(b, la57, CAP_TRAMP_VA + 4096));
	ck_assert(!mapped(b, la57, CAP_TRAMP_VA - 4096));
	/* Nothing in the kernel half but that page; the tables are not mapped there. */
	ck_assert(!mapped(b, la57, CAP_PAGE_OFFSET));
	ck_assert(!mapped(b, la57, CAP_PAGE_OFFSET + b->img.tramp_pa));
	ck_assert(!mapped(b, la57, 0xffffffff80000000ULL));
}

START_TEST(pgtable_four_level)
{
	struct cap_machine cm;
	struct cap_build b;

	cap_machine_crashkernel(&cm, false);
	cap_build_fake_ok(&b, &cm.m);
	check_machine(&b, &cm.m, false);
	/* Holes: the MMIO hole, reserved ranges and addresses past the RAM. */
	ck_assert(!mapped(&b, false, 0xb0000000));
	ck_assert(!mapped(&b, false, 0xfed1c000));
	ck_assert(!mapped(&b, false, GiB(8)));
	ck_assert(!mapped(&b, false, GiB(512)));
	ck_assert(!mapped(&b, false, 0x7fffffffe000ULL));
	/* ACPI and NVS ranges are mapped; the 2 MiB around them too. */
	check_ident(&b, false, 0x7ffd0000);
	check_ident(&b, false, 0x7fffffff);
	/* Non-canonical in 4-level. */
	ck_assert(!mapped(&b, false, 0x0000800000000000ULL));
	cap_build_free(&b);
}
END_TEST

START_TEST(pgtable_five_level)
{
	struct cap_machine cm;
	struct cap_build b;

	cap_machine_crashkernel(&cm, true);
	cap_build_fake_ok(&b, &cm.m);
	check_machine(&b, &cm.m, true);
	ck_assert(!mapped(&b, true, 0xb0000000));
	ck_assert(!mapped(&b, true, GiB(8)));
	ck_assert(!mapped(&b, true, 0x0000800000000000ULL));
	ck_assert(!mapped(&b, true, 0x00ff000000000000ULL));
	cap_build_free(&b);
}
END_TEST

/* RAM past 512 GiB and past 256 TiB needs more table levels filled. */
START_TEST(pgtable_high_memory)
{
	struct cap_machine cm;
	struct cap_build b;
	uint64_t far = 300ULL << 40;		/* 300 TiB: 5-level only */
	int la57;

	for (la57 = 0; la57 < 2; la57++) {
		cap_machine_crashkernel(&cm, la57);
		cap_machine_add(&cm, GiB(1100), GiB(1100) + MiB(6) + 4096, LB_MEM_NVS);
		cap_machine_add(&cm, GiB(1536) - MiB(1), GiB(1537), LB_MEM_RAM);
		if (la57)
			cap_machine_add(&cm, far, far + GiB(2), LB_MEM_ACPI);
		cap_build_fake_ok(&b, &cm.m);
		check_machine(&b, &cm.m, la57);
		ck_assert(!mapped(&b, la57, GiB(1100) + MiB(8)));
		ck_assert(!mapped(&b, la57, GiB(1536) - MiB(4)));
		ck_assert(!mapped(&b, la57, GiB(1537)));
		if (la57) {
			ck_assert(!mapped(&b, la57, far - MiB(2)));
			ck_assert(!mapped(&b, la57, far + GiB(2)));
		}
		cap_build_free(&b);
	}
	/* 300 TiB cannot be identity mapped with 4 levels. */
	cap_machine_crashkernel(&cm, false);
	cap_machine_add(&cm, far, far + GiB(2), LB_MEM_RAM);
	ck_assert_uint_eq(lb_image_meta_size(&cm.m), 0);
	{
		uint8_t *k = cap_fake_bzimage(0x3000, (uint32_t)MiB(16));

		cap_build(&b, &cm.m, k, 0x3000, NULL, 0, "");
		ck_assert_int_eq(b.ret, -EINVAL);
		ck_assert_msg(strstr(b.err.msg, "4-level identity tables"), "%s", b.err.msg);
		cap_build_free(&b);
		free(k);
	}
}
END_TEST

/* The trampoline's virtual address shares no table with the identity map. */
START_TEST(pgtable_transition_is_separate)
{
	struct cap_machine cm;
	struct cap_build b;
	const uint8_t *top;
	unsigned int i, used_low = 0, used_high = 0;
	int la57;

	for (la57 = 0; la57 < 2; la57++) {
		cap_machine_crashkernel(&cm, la57);
		cap_build_fake_ok(&b, &cm.m);
		top = cap_meta_at(&b, b.img.pgd_pa);
		used_low = used_high = 0;
		for (i = 0; i < 512; i++) {
			if (!(cap_get64(top + 8 * i) & 1))
				continue;
			if (i < 256)
				used_low++;
			else
				used_high++;
		}
		ck_assert_uint_ge(used_low, 1);
		ck_assert_uint_eq(used_high, 1);
		ck_assert(cap_get64(top + 8 * (la57 ? (CAP_TRAMP_VA >> 48) & 511 :
					       (CAP_TRAMP_VA >> 39) & 511)) & 1);
		cap_build_free(&b);
	}
}
END_TEST

/* Random maps: the span counting sizes the pool exactly (the build checks
 * that every counted page is used) and the walk agrees with the map. */
START_TEST(pgtable_random_machines)
{
	static const uint32_t types[] = { 1, 1, 2, 3, 4, 5 };
	struct cap_machine cm;
	struct cap_build b;
	uint64_t seed = 0x2545f4914f6cdd1dULL, cur, len, a;
	unsigned int iter, j, n, built = 0;
	bool la57;

	for (iter = 0; iter < 150; iter++) {
		la57 = cap_rnd(&seed) & 1;
		cap_machine_init(&cm, la57);
		cm.m.nr_ranges = 0;
		cur = (cap_rnd(&seed) % 16) * 4096;
		n = 1 + cap_rnd(&seed) % 12;
		for (j = 0; j < n; j++) {
			len = (1 + cap_rnd(&seed) % 2048) * 4096;
			cap_machine_add(&cm, cur, cur + len, types[cap_rnd(&seed) % 6]);
			/* Gaps from nothing up to hundreds of GiB. */
			cur += len + (cap_rnd(&seed) % 4 ? 0 : (cap_rnd(&seed) % 100000) * MiB(2));
		}
		cap_machine_add(&cm, cur, cur + MiB(160), LB_MEM_RAM);
		cm.m.region_start = cur < MiB(1) ? MiB(1) : cur;
		cm.m.region_end = cur + MiB(160);
		cur += MiB(160) + (cap_rnd(&seed) % 1000) * GiB(1);
		cap_machine_add(&cm, cur, cur + (1 + cap_rnd(&seed) % 64) * MiB(1),
				types[cap_rnd(&seed) % 6]);
		cap_build_fake_ok(&b, &cm.m);
		check_machine(&b, &cm.m, la57);
		/* Random addresses: present exactly when they should be. */
		for (j = 0; j < 2000; j++) {
			a = cap_rnd(&seed) % (cur + GiB(4));
			if (j & 1)
				a = cm.ranges[cap_rnd(&seed) % cm.m.nr_ranges].end + cap_rnd(&seed) % MiB(4) -
				    MiB(2);
			if (mapped(&b, la57, a) != should_map(&cm.m, a))
				ck_abort_msg("iteration %u: 0x%llx mapped %d", iter,
					     (unsigned long long)a, mapped(&b, la57, a));
		}
		cap_build_free(&b);
		built++;
	}
	ck_assert_uint_eq(built, 150);
}
END_TEST

static Suite *capture_pgtable_suite(void)
{
	Suite *s = suite_create("capture_pgtable");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, pgtable_four_level);
	tcase_add_test(tc, pgtable_five_level);
	tcase_add_test(tc, pgtable_high_memory);
	tcase_add_test(tc, pgtable_transition_is_separate);
	tcase_add_test(tc, pgtable_random_machines);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(capture_pgtable_suite)
