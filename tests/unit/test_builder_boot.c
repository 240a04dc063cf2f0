// SPDX-License-Identifier: GPL-2.0
/*
 * The fast reboot's image (builder/lib/boot.c): the refusals, the window
 * (one stretch of RAM at or above 16 MiB, out of the ranges to avoid),
 * which pages the jump may use, and the control block: boot_params with the
 * whole map, the command line as given, the trampoline's parameters with
 * the copy list, and identity tables that reach the window and the block.
 */
#include <stdlib.h>
#include <string.h>

#include "data/capture_fixture.h"
#include "lifeboat/boot.h"
#include "unit.h"

#define CTL_PA	MiB(900)	/* RAM, above the window, in the fixture map */
#define LIST_PA	MiB(901)

struct boot_case {
	struct cap_machine cm;
	struct lb_boot_input in;
	struct lb_boot_plan p;
	struct lb_err err;
	uint8_t *kernel;
	size_t kernel_len;
};

static void boot_init(struct boot_case *c, bool real_kernel, uint64_t initrd_len)
{
	memset(c, 0, sizeof(*c));
	cap_machine_init(&c->cm, false);
	if (real_kernel) {
		c->kernel = cap_read_kernel(&c->kernel_len);
	} else {
		c->kernel_len = 0x3000;
		c->kernel = cap_fake_bzimage(c->kernel_len, (uint32_t)MiB(40));
	}
	c->in.map = c->cm.m.ranges;
	c->in.nr_map = c->cm.m.nr_ranges;
	c->in.kernel = c->kernel;
	c->in.kernel_len = c->kernel_len;
	c->in.initrd_len = initrd_len;
	c->in.cmdline = "root=/dev/vda ro quiet lbfast=1";
	c->in.acpi_rsdp = CAP_ACPI_RSDP;
	c->in.tramp_code = c->cm.m.tramp_code;
	c->in.tramp_len = c->cm.m.tramp_len;
	c->in.tramp_va = c->cm.m.tramp_va;
	c->in.tramp_nmi_off = c->cm.m.tramp_nmi_off;
	c->in.tramp_fault_off = c->cm.m.tramp_fault_off;
}

START_TEST(boot_refusals)
{
	struct lb_boot_env ok = { .cpus_online = 4, .cpus_present = 4 };
	struct lb_boot_env e;
	struct lb_err err;

	ck_assert_int_eq(lb_boot_refusal(&ok, &err), 0);
	e = ok;
	e.cpus_online = 3;
	ck_assert_int_eq(lb_boot_refusal(&e, &err), -EOPNOTSUPP);
	ck_assert_msg(strstr(err.msg, "1 of 4 CPUs are offline"), "%s", err.msg);
	e = ok;
	e.hyper = LB_HYPER_XEN;
	ck_assert_int_eq(lb_boot_refusal(&e, &err), -EOPNOTSUPP);
	ck_assert_msg(strstr(err.msg, "Xen"), "%s", err.msg);
	e = ok;
	e.hyper = LB_HYPER_HYPERV;
	ck_assert_int_eq(lb_boot_refusal(&e, &err), -EOPNOTSUPP);
	ck_assert_msg(strstr(err.msg, "Hyper-V"), "%s", err.msg);
	e = ok;
	e.mem_encrypt = true;
	ck_assert_int_eq(lb_boot_refusal(&e, &err), -EOPNOTSUPP);
	ck_assert_msg(strstr(err.msg, "encryption"), "%s", err.msg);
	e = ok;
	e.off_bsp = true;
	ck_assert_int_eq(lb_boot_refusal(&e, &err), -EOPNOTSUPP);
	ck_assert_msg(strstr(err.msg, "not the boot processor"), "%s", err.msg);
}
END_TEST

START_TEST(boot_plan_real_kernel)
{
	struct boot_case c;
	uint64_t align;

	boot_init(&c, true, MiB(30) + 123);
	ck_assert_msg(lb_boot_plan(&c.in, &c.p, &c.err) == 0, "%s", c.err.msg);
	ck_assert_str_eq(c.p.loader, "bzImage");
	align = MiB(2);
	ck_assert_uint_ge(c.p.window_start, MiB(16));
	ck_assert_uint_eq(c.p.window_start % align, 0);
	ck_assert_uint_eq(c.p.kernel_load, c.p.window_start);
	ck_assert_uint_eq(c.p.entry, c.p.kernel_load + 0x200);
	ck_assert_uint_eq(c.p.kernel_memsz % 4096, 0);
	ck_assert_uint_eq(c.p.initrd_pa, c.p.kernel_load + c.p.kernel_memsz);
	ck_assert_uint_eq(c.p.window_end, c.p.initrd_pa + MiB(30) + 4096);
	ck_assert_uint_eq(c.p.pm_off + c.p.pm_len, c.kernel_len);
	/* The window is one stretch of RAM: [1 MiB, 0x7ffd0000) in the fixture. */
	ck_assert_uint_le(c.p.window_end, 0x7ffd0000);
	ck_assert_uint_eq(c.p.ctl_len, c.p.pt_off + c.p.pt_pages * 4096);
	free(c.kernel);
}
END_TEST

START_TEST(boot_plan_avoids)
{
	struct lb_mem_range avoid[2] = {
		{ MiB(10), MiB(100), LB_MEM_RESERVED },
		{ MiB(101), MiB(150), LB_MEM_RESERVED },
	};
	struct boot_case c;

	boot_init(&c, false, MiB(8));
	c.in.avoid = avoid;
	c.in.nr_avoid = 2;
	ck_assert_msg(lb_boot_plan(&c.in, &c.p, &c.err) == 0, "%s", c.err.msg);
	ck_assert_uint_eq(c.p.window_start, MiB(150));
	ck_assert_uint_eq(c.p.window_end, MiB(150) + MiB(40) + MiB(8));
	free(c.kernel);
}
END_TEST

START_TEST(boot_plan_errors)
{
	struct lb_mem_range small[2] = {
		{ 0, 0x9fc00, LB_MEM_RAM },
		{ MiB(1), MiB(48), LB_MEM_RAM },
	};
	struct lb_mem_range unsorted[2] = {
		{ MiB(1), MiB(512), LB_MEM_RAM },
		{ 0, 0x9fc00, LB_MEM_RAM },
	};
	static struct lb_mem_range many[200];
	char longline[5000];
	struct boot_case c;
	unsigned int i;

	boot_init(&c, false, 0);
	c.in.map = small;
	c.in.nr_map = 2;
	ck_assert_int_eq(lb_boot_plan(&c.in, &c.p, &c.err), -ENOSPC);
	ck_assert_msg(strstr(c.err.msg, "no stretch of RAM"), "%s", c.err.msg);

	c.in.map = unsorted;
	ck_assert_int_eq(lb_boot_plan(&c.in, &c.p, &c.err), -EINVAL);
	ck_assert_msg(strstr(c.err.msg, "out of order"), "%s", c.err.msg);

	for (i = 0; i < 200; i++) {
		many[i].start = MiB(1) + i * MiB(2);
		many[i].end = many[i].start + MiB(1);
		many[i].type = i & 1 ? LB_MEM_RESERVED : LB_MEM_RAM;
	}
	c.in.map = many;
	c.in.nr_map = 200;
	ck_assert_int_eq(lb_boot_plan(&c.in, &c.p, &c.err), -E2BIG);

	c.in.map = c.cm.m.ranges;
	c.in.nr_map = c.cm.m.nr_ranges;
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	c.in.cmdline = longline;
	ck_assert_int_eq(lb_boot_plan(&c.in, &c.p, &c.err), -E2BIG);

	c.in.cmdline = "";
	c.in.kernel = "not a kernel at all, just some bytes of text";
	c.in.kernel_len = 44;
	ck_assert_int_eq(lb_boot_plan(&c.in, &c.p, &c.err), -ENOEXEC);
	free(c.kernel);
}
END_TEST

START_TEST(boot_page_ok)
{
	struct boot_case c;

	boot_init(&c, false, MiB(8));
	ck_assert_msg(lb_boot_plan(&c.in, &c.p, &c.err) == 0, "%s", c.err.msg);
	ck_assert(!lb_boot_page_ok(&c.in, &c.p, c.p.window_start, 4096));
	ck_assert(!lb_boot_page_ok(&c.in, &c.p, c.p.window_end - 4096, 4096));
	ck_assert(!lb_boot_page_ok(&c.in, &c.p, c.p.window_start - 4096, 8192));
	ck_assert(lb_boot_page_ok(&c.in, &c.p, c.p.window_end, 4096));
	ck_assert(lb_boot_page_ok(&c.in, &c.p, c.p.window_start - 4096, 4096));
	/* The MMIO hole of the fixture is not identity mapped. */
	ck_assert(!lb_boot_page_ok(&c.in, &c.p, 0xc0000000ULL, 4096));
	ck_assert(!lb_boot_page_ok(&c.in, &c.p, 0x7ffd0000ULL - 4096, 8192));
	ck_assert(!lb_boot_page_ok(&c.in, &c.p, GiB(1), 0));
	free(c.kernel);
}
END_TEST

/* A software walk of the control block's tables, as the MMU would. */
static bool walk(const uint8_t *ctl, uint64_t ctl_pa, uint64_t ctl_len,
		 uint64_t cr3, uint64_t va, uint64_t *pa)
{
	uint64_t table = cr3, e;
	unsigned int shift = 39;

	for (;;) {
		if (table < ctl_pa || table >= ctl_pa + ctl_len)
			ck_abort_msg("table at 0x%llx outside the control block",
				     (unsigned long long)table);
		e = cap_get64(ctl + (table - ctl_pa) + ((va >> shift) & 511) * 8);
		if (!(e & 1))
			return false;
		if (shift == 12 || (shift <= 30 && (e & 0x80))) {
			*pa = (e & 0x000ffffffffff000ULL & ~((1ULL << shift) - 1)) |
			      (va & ((1ULL << shift) - 1));
			return true;
		}
		table = e & 0x000ffffffffff000ULL;
		shift -= 9;
	}
}

START_TEST(boot_build_block)
{
	const uint8_t *bp, *tp, *e820;
	struct boot_case c;
	uint8_t *ctl;
	uint64_t pa, cr3, a;
	unsigned int i;

	boot_init(&c, true, MiB(30));
	ck_assert_msg(lb_boot_plan(&c.in, &c.p, &c.err) == 0, "%s", c.err.msg);
	ctl = malloc(c.p.ctl_len);
	ck_assert_ptr_nonnull(ctl);
	ck_assert_msg(lb_boot_build(&c.in, &c.p, CTL_PA, LIST_PA, ctl, &c.err) == 0,
		      "%s", c.err.msg);

	bp = ctl + c.p.bp_off;
	ck_assert_uint_eq(cap_get32(bp + 0x228), CTL_PA + c.p.cmdline_off);
	ck_assert_str_eq((const char *)ctl + c.p.cmdline_off, c.in.cmdline);
	ck_assert_uint_eq(cap_get32(bp + 0x218), c.p.initrd_pa);
	ck_assert_uint_eq(cap_get32(bp + 0x21c), MiB(30));
	ck_assert_uint_eq(cap_get64(bp + 0x70), CAP_ACPI_RSDP);
	ck_assert_uint_eq(bp[0x210], 0xff);
	/* The whole map, as it is: the new kernel sees all the RAM. */
	ck_assert_uint_eq(bp[0x1e8], c.cm.m.nr_ranges);
	for (i = 0; i < c.cm.m.nr_ranges; i++) {
		e820 = bp + 0x2d0 + i * 20;
		ck_assert_uint_eq(cap_get64(e820), c.cm.m.ranges[i].start);
		ck_assert_uint_eq(cap_get64(e820 + 8),
				  c.cm.m.ranges[i].end - c.cm.m.ranges[i].start);
		ck_assert_uint_eq(cap_get32(e820 + 16), c.cm.m.ranges[i].type);
	}

	tp = ctl + c.p.tramp_off + LB_TRAMP_PARAMS_OFF;
	cr3 = cap_get64(tp + LB_TRAMP_P_CR3);
	ck_assert_uint_eq(cr3, CTL_PA + c.p.pt_off);
	ck_assert_uint_eq(cap_get64(tp + LB_TRAMP_P_ENTRY), c.p.entry);
	ck_assert_uint_eq(cap_get64(tp + LB_TRAMP_P_BOOT_PARAMS), CTL_PA + c.p.bp_off);
	ck_assert_uint_eq(cap_get64(tp + LB_TRAMP_P_LIST), LIST_PA);
	ck_assert_uint_eq(cap_get64(tp + LB_TRAMP_P_STACK),
			  CTL_PA + c.p.stack_off + LB_STACK_SIZE);

	/* The window, the block, the list and the trampoline's own address. */
	for (a = c.p.window_start; a < c.p.window_end; a += MiB(2)) {
		ck_assert(walk(ctl, CTL_PA, c.p.ctl_len, cr3, a, &pa));
		ck_assert_uint_eq(pa, a);
	}
	ck_assert(walk(ctl, CTL_PA, c.p.ctl_len, cr3, CTL_PA, &pa) && pa == CTL_PA);
	ck_assert(walk(ctl, CTL_PA, c.p.ctl_len, cr3, LIST_PA, &pa) && pa == LIST_PA);
	ck_assert(walk(ctl, CTL_PA, c.p.ctl_len, cr3, CAP_TRAMP_VA, &pa));
	ck_assert_uint_eq(pa, CTL_PA + c.p.tramp_off);
	ck_assert(!walk(ctl, CTL_PA, c.p.ctl_len, cr3, 0xd0000000ULL, &pa));

	/* A control block or list inside the window is refused. */
	ck_assert_int_eq(lb_boot_build(&c.in, &c.p, c.p.window_start, LIST_PA, ctl,
				       &c.err), -EINVAL);
	ck_assert_int_eq(lb_boot_build(&c.in, &c.p, CTL_PA, c.p.initrd_pa, ctl,
				       &c.err), -EINVAL);
	ck_assert_int_eq(lb_boot_build(&c.in, &c.p, CTL_PA + 1, LIST_PA, ctl,
				       &c.err), -EINVAL);
	free(ctl);
	free(c.kernel);
}
END_TEST

static Suite *builder_boot_suite(void)
{
	Suite *s = suite_create("builder_boot");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, boot_refusals);
	tcase_add_test(tc, boot_plan_real_kernel);
	tcase_add_test(tc, boot_plan_avoids);
	tcase_add_test(tc, boot_plan_errors);
	tcase_add_test(tc, boot_page_ok);
	tcase_add_test(tc, boot_build_block);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(builder_boot_suite)
