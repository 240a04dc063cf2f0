/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The functions we put into smp_ops. panic() calls them; they record the
 * registers as they will be when the call returns into the caller (rip =
 * the return address, callee-saved registers as the caller has them), so
 * the dump's unwinders start right inside panic(), and hand that struct
 * pt_regs to C, which fills in flags and sp (just above the return address,
 * which is just above the struct).
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>

#define FRAME	(21 * 8)	/* struct pt_regs */

.macro SAVE_CALLER_REGS
	subq	$FRAME, %rsp
	movq	%r15, 0*8(%rsp)
	movq	%r14, 1*8(%rsp)
	movq	%r13, 2*8(%rsp)
	movq	%r12, 3*8(%rsp)
	movq	%rbp, 4*8(%rsp)
	movq	%rbx, 5*8(%rsp)
	movq	%r11, 6*8(%rsp)
	movq	%r10, 7*8(%rsp)
	movq	%r9, 8*8(%rsp)
	movq	%r8, 9*8(%rsp)
	movq	%rax, 10*8(%rsp)
	movq	%rcx, 11*8(%rsp)
	movq	%rdx, 12*8(%rsp)
	movq	%rsi, 13*8(%rsp)
	movq	%rdi, 14*8(%rsp)
	movq	$-1, 15*8(%rsp)			/* orig_ax */
	movq	FRAME(%rsp), %rax		/* our return address */
	movq	%rax, 16*8(%rsp)		/* ip */
	movq	$__KERNEL_CS, 17*8(%rsp)	/* cs */
	movq	$0, 18*8(%rsp)			/* flags: filled in by C */
	movq	$0, 19*8(%rsp)			/* sp: filled in by C */
	movq	$__KERNEL_DS, 20*8(%rsp)	/* ss */
	movq	14*8(%rsp), %rdi		/* the caller's first argument again */
.endm

.macro RESTORE_CALLEE_SAVED
	movq	0*8(%rsp), %r15
	movq	1*8(%rsp), %r14
	movq	2*8(%rsp), %r13
	movq	3*8(%rsp), %r12
	movq	4*8(%rsp), %rbp
	movq	5*8(%rsp), %rbx
	addq	$FRAME, %rsp
.endm

/* void lb_stop_other_cpus_entry(int wait) -> lb_stop_other_cpus(wait, regs) */
SYM_FUNC_START(lb_stop_other_cpus_entry)
	SAVE_CALLER_REGS
	movq	%rsp, %rsi
	call	lb_stop_other_cpus
	RESTORE_CALLEE_SAVED
	RET
SYM_FUNC_END(lb_stop_other_cpus_entry)

/* void lb_crash_stop_other_cpus_entry(void) -> lb_crash_stop_other_cpus(regs) */
SYM_FUNC_START(lb_crash_stop_other_cpus_entry)
	SAVE_CALLER_REGS
	movq	%rsp, %rdi
	call	lb_crash_stop_other_cpus
	RESTORE_CALLEE_SAVED
	RET
SYM_FUNC_END(lb_crash_stop_other_cpus_entry)
