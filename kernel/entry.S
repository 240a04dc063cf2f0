/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The functions we put into smp_ops. panic() calls them; they record the
 * registers as they will be when the call returns into the caller (rip =
 * the return address, callee-saved registers as the caller has them), so
 * the dump's unwinders start right inside panic(), and hand that struct
 * pt_regs to C, which fills in flags and sp (just above the return address,
 * which is just above the struct). The slots are in layout.h, which checks
 * them against struct pt_regs.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>

#include "layout.h"

#define FRAME		LB_PT_REGS_SIZE
#define SLOT(n)		((LB_PT_##n) * 8)

.macro SAVE_CALLER_REGS
	subq	$FRAME, %rsp
	movq	%r15, SLOT(R15)(%rsp)
	movq	%r14, SLOT(R14)(%rsp)
	movq	%r13, SLOT(R13)(%rsp)
	movq	%r12, SLOT(R12)(%rsp)
	movq	%rbp, SLOT(BP)(%rsp)
	movq	%rbx, SLOT(BX)(%rsp)
	movq	%r11, SLOT(R11)(%rsp)
	movq	%r10, SLOT(R10)(%rsp)
	movq	%r9, SLOT(R9)(%rsp)
	movq	%r8, SLOT(R8)(%rsp)
	movq	%rax, SLOT(AX)(%rsp)
	movq	%rcx, SLOT(CX)(%rsp)
	movq	%rdx, SLOT(DX)(%rsp)
	movq	%rsi, SLOT(SI)(%rsp)
	movq	%rdi, SLOT(DI)(%rsp)
	movq	$-1, SLOT(ORIG_AX)(%rsp)
	movq	FRAME(%rsp), %rax		/* our return address */
	movq	%rax, SLOT(IP)(%rsp)
	movq	$__KERNEL_CS, SLOT(CS)(%rsp)
	movq	$0, SLOT(FLAGS)(%rsp)		/* filled in by C */
	movq	$0, SLOT(SP)(%rsp)		/* filled in by C */
	movq	$__KERNEL_DS, SLOT(SS)(%rsp)
	movq	SLOT(DI)(%rsp), %rdi		/* the caller's first argument again */
.endm

.macro RESTORE_CALLEE_SAVED
	movq	SLOT(R15)(%rsp), %r15
	movq	SLOT(R14)(%rsp), %r14
	movq	SLOT(R13)(%rsp), %r13
	movq	SLOT(R12)(%rsp), %r12
	movq	SLOT(BP)(%rsp), %rbp
	movq	SLOT(BX)(%rsp), %rbx
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
