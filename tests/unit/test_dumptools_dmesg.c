// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a dead kernel's dmesg for `lifeboat report`: logs as the stock
 * 6.1 kernel prints them (taken from the VM tests' serial logs), in the
 * forms makedumpfile --dump-dmesg and dmesg write them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dumptools.h"
#include "unit.h"

/* sysrq-c: panic() prints its own stack after the panic line. */
static const char sysrq_log[] =
	"[    0.000000] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) (gcc-12) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2\n"
	"[    0.000000] Command line: console=ttyS0 crashkernel=256M\n"
	"[    2.100000] WARNING: CPU: 1 PID: 7 at kernel/old.c:1 unrelated+0x1/0x2\n"
	"[    3.032448] sysrq: Trigger a crash\n"
	"[    3.032655] Kernel panic - not syncing: sysrq triggered crash\n"
	"[    3.032813] CPU: 0 PID: 1 Comm: init Kdump: loaded Not tainted 6.1.0-56-amd64 #1  Debian 6.1.192-2\n"
	"[    3.032944] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014\n"
	"[    3.033092] Call Trace:\n"
	"[    3.033754]  <TASK>\n"
	"[    3.034080]  dump_stack_lvl+0x44/0x5c\n"
	"[    3.034477]  panic+0x118/0x2f4\n"
	"[    3.034623]  ? _printk+0x68/0x83\n"
	"[    3.034623]  sysrq_handle_crash+0x16/0x20\n"
	"[    3.034623]  __handle_sysrq.cold+0x44/0x11c\n"
	"[    3.034623]  write_sysrq_trigger+0x24/0x40\n"
	"[    3.034623]  proc_reg_write+0x56/0xa0\n"
	"[    3.034623]  vfs_write+0xc7/0x3f0\n"
	"[    3.034623]  ? exit_to_user_mode_prepare+0x44/0x240\n"
	"[    3.034623]  ksys_write+0x6b/0xf0\n"
	"[    3.034623]  do_syscall_64+0x5d/0xb0\n"
	"[    3.034623]  entry_SYSCALL_64_after_hwframe+0x6e/0xd8\n"
	"[    3.034623] RIP: 0033:0x47b7a0\n"
	"[    3.034623] Code: 40 00 48 c7 c2 e0 ff ff ff f7 d8 64 89 02 48 c7 c0 ff\n"
	"[    3.034623] RSP: 002b:00007ffdf431e688 EFLAGS: 00000202 ORIG_RAX: 0000000000000001\n"
	"[    3.034623] RAX: ffffffffffffffda RBX: 0000000000000001 RCX: 000000000047b7a0\n"
	"[    3.034623]  </TASK>\n";

/* An oops with panic_on_oops: the stack is the oops's, before the panic line. */
static const char oops_log[] =
	"[    3.247454] crasher: null_deref on CPU 1\n"
	"[    3.256961] BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
	"[    3.257132] #PF: supervisor write access in kernel mode\n"
	"[    3.257212] #PF: error_code(0x0002) - not-present page\n"
	"[    3.257316] PGD 363fb067 P4D 363fc067 PUD 363fd067 PMD 0 \n"
	"[    3.257520] Oops: 0002 [#1] PREEMPT SMP NOPTI\n"
	"[    3.257629] CPU: 1 PID: 97 Comm: lbcrash/1 Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2\n"
	"[    3.257774] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)\n"
	"[    3.257900] RIP: 0010:lbcrash_null_deref+0x7/0x20 [crasher]\n"
	"[    3.258311] Code: Unable to access opcode bytes at 0xffffffffc036afdd.\n"
	"[    3.258373] RSP: 0018:ff75614f804f3f10 EFLAGS: 00000246\n"
	"[    3.259073] PKRU: 55555554\n"
	"[    3.259150] Call Trace:\n"
	"[    3.259508]  <TASK>\n"
	"[    3.259632]  lbcrash_null_deref_thread+0xa/0x20 [crasher]\n"
	"[    3.259761]  kthread+0xda/0x100\n"
	"[    3.259873]  ? kthread_complete_and_exit+0x20/0x20\n"
	"[    3.260033]  ret_from_fork+0x22/0x30\n"
	"[    3.260096]  </TASK>\n"
	"[    3.260142] Modules linked in: crasher(OE)\n"
	"[    3.260329] CR2: 0000000000000000\n"
	"[    3.260458] ---[ end trace 0000000000000000 ]---\n"
	"[    3.260512] RIP: 0010:lbcrash_null_deref+0x7/0x20 [crasher]\n"
	"[    3.260652] PKRU: 55555554\n"
	"[    3.260652] Kernel panic - not syncing: Fatal exception\n"
	"[    3.260652] Kernel Offset: 0x1d400000 from 0xffffffff81000000\n";

/* A BUG() in a timer, as dmesg -r prints it: syslog levels, an IRQ section. */
static const char irq_log[] =
	"<4>[    3.123871] kernel BUG at drivers/misc/crasher.c:83!\n"
	"<4>[    3.124633] invalid opcode: 0000 [#1] PREEMPT SMP NOPTI\n"
	"<4>[    3.124917] CPU: 1 PID: 95 Comm: exe Tainted: G           OE      6.1.0-56-amd64 #1\n"
	"<4>[    3.125387] RIP: 0010:lbcrash_timer_fn+0x5/0x10 [crasher]\n"
	"<4>[    3.125635] Call Trace:\n"
	"<4>[    3.125635]  <IRQ>\n"
	"<4>[    3.125635]  call_timer_fn+0x27/0x130\n"
	"<4>[    3.125635]  ? lbcrash_do_timer_bug+0x50/0x50 [crasher]\n"
	"<4>[    3.125635]  __run_timers+0x222/0x2c0\n"
	"<4>[    3.125635]  </IRQ>\n"
	"<4>[    3.125635]  <TASK>\n"
	"<4>[    3.125635]  asm_sysvec_apic_timer_interrupt+0x16/0x20\n"
	"<4>[    3.125635]  </TASK>\n"
	"<4>[    3.125635] Modules linked in: crasher(OE)\n"
	"<0>[    3.132654] Kernel panic - not syncing: Fatal exception in interrupt\n";

START_TEST(dmesg_sysrq_panic)
{
	struct lb_crash c;

	ck_assert_int_eq(lb_dmesg_parse(sysrq_log, strlen(sysrq_log), &c), 0);
	ck_assert_str_eq(c.panic, "Kernel panic - not syncing: sysrq triggered crash");
	ck_assert_str_eq(c.release, "6.1.0-56-amd64");
	ck_assert_str_eq(c.task,
			 "CPU: 0 PID: 1 Comm: init Kdump: loaded Not tainted 6.1.0-56-amd64 #1  Debian 6.1.192-2");
	/* The warning long before the panic is not its cause. */
	ck_assert_str_eq(c.cause, "");
	ck_assert_uint_eq(c.nr_frames, 10);
	ck_assert_str_eq(c.frames[0], "dump_stack_lvl+0x44/0x5c");
	ck_assert_str_eq(c.frames[1], "panic+0x118/0x2f4");
	ck_assert_str_eq(c.frames[2], "sysrq_handle_crash+0x16/0x20");
	ck_assert_str_eq(c.frames[9], "entry_SYSCALL_64_after_hwframe+0x6e/0xd8");
	ck_assert_int_eq(c.frames_truncated, 0);
}
END_TEST

START_TEST(dmesg_oops_then_panic)
{
	struct lb_crash c;

	ck_assert_int_eq(lb_dmesg_parse(oops_log, strlen(oops_log), &c), 0);
	ck_assert_str_eq(c.panic, "Kernel panic - not syncing: Fatal exception");
	ck_assert_str_eq(c.cause, "BUG: kernel NULL pointer dereference, address: 0000000000000000");
	ck_assert_ptr_nonnull(strstr(c.task, "PID: 97 Comm: lbcrash/1"));
	ck_assert_uint_eq(c.nr_frames, 3);
	ck_assert_str_eq(c.frames[0], "lbcrash_null_deref_thread+0xa/0x20 [crasher]");
	ck_assert_str_eq(c.frames[2], "ret_from_fork+0x22/0x30");
	ck_assert_str_eq(c.release, "");
}
END_TEST

START_TEST(dmesg_irq_and_syslog_prefix)
{
	struct lb_crash c;

	ck_assert_int_eq(lb_dmesg_parse(irq_log, strlen(irq_log), &c), 0);
	ck_assert_str_eq(c.panic, "Kernel panic - not syncing: Fatal exception in interrupt");
	ck_assert_str_eq(c.cause, "kernel BUG at drivers/misc/crasher.c:83!");
	ck_assert_uint_eq(c.nr_frames, 5);
	ck_assert_str_eq(c.frames[0], "<IRQ>");
	ck_assert_str_eq(c.frames[1], "call_timer_fn+0x27/0x130");
	ck_assert_str_eq(c.frames[3], "</IRQ>");
	ck_assert_str_eq(c.frames[4], "asm_sysvec_apic_timer_interrupt+0x16/0x20");
}
END_TEST

/* PRINTK_CALLER adds a second bracket; a log without a panic but with an oops still reads. */
START_TEST(dmesg_caller_ids_and_oops_only)
{
	static const char log[] =
		"[    5.000000][  T123] Oops: 0000 [#1] SMP\n"
		"[    5.000001][  T123] CPU: 3 PID: 123 Comm: bash Not tainted 6.1.0 #1\n"
		"[    5.000002][  T123] Call Trace:\n"
		"[    5.000003][  T123]  do_thing+0x1/0x2\n"
		"[    5.000004][  T123]  entry_SYSCALL_64_after_hwframe+0x6e/0xd8\n"
		"[    5.000005][  T123] ---[ end trace 0000000000000000 ]---\n";
	struct lb_crash c;

	ck_assert_int_eq(lb_dmesg_parse(log, strlen(log), &c), 0);
	ck_assert_str_eq(c.panic, "");
	ck_assert_str_eq(c.cause, "Oops: 0000 [#1] SMP");
	ck_assert_uint_eq(c.nr_frames, 2);
	ck_assert_str_eq(c.frames[0], "do_thing+0x1/0x2");
}
END_TEST

START_TEST(dmesg_nothing_to_find)
{
	static const char log[] = "[    0.1] all is well\n[    0.2] still well";
	struct lb_crash c;

	ck_assert_int_eq(lb_dmesg_parse(log, strlen(log), &c), -ENOENT);
	ck_assert_int_eq(lb_dmesg_parse("", 0, &c), -ENOENT);
	ck_assert_str_eq(c.panic, "");
	ck_assert_uint_eq(c.nr_frames, 0);
}
END_TEST

/* Hostile text: no NUL, control bytes, a stack longer than we keep, a huge line. */
START_TEST(dmesg_hostile_input)
{
	size_t i, n = 0, cap = 1 << 20;
	char *log = malloc(cap);
	struct lb_crash c;

	ck_assert_ptr_nonnull(log);
	n += (size_t)sprintf(log + n, "Kernel panic - not syncing: bad\x01\x7f\xff text\nCall Trace:\n");
	for (i = 0; i < 200; i++)
		n += (size_t)sprintf(log + n, " frame_%zu+0x1/0x2\n", i);
	memset(log + n, 'x', 100000);
	n += 100000;
	log[n++] = '\0';	/* a NUL inside the text */
	log[n++] = 'y';
	ck_assert_int_eq(lb_dmesg_parse(log, n, &c), 0);
	ck_assert_str_eq(c.panic, "Kernel panic - not syncing: bad??? text");
	ck_assert_uint_eq(c.nr_frames, LB_STACK_MAX);
	ck_assert_int_eq(c.frames_truncated, 1);
	ck_assert_str_eq(c.frames[LB_STACK_MAX - 1], "frame_47+0x1/0x2");
	free(log);
}
END_TEST

static Suite *dumptools_dmesg_suite(void)
{
	Suite *s = suite_create("dumptools-dmesg");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, dmesg_sysrq_panic);
	tcase_add_test(tc, dmesg_oops_then_panic);
	tcase_add_test(tc, dmesg_irq_and_syslog_prefix);
	tcase_add_test(tc, dmesg_caller_ids_and_oops_only);
	tcase_add_test(tc, dmesg_nothing_to_find);
	tcase_add_test(tc, dmesg_hostile_input);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(dumptools_dmesg_suite)
