/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trampoline: one page of position-independent code, copied at load time
 * into the region, where the builder puts its parameters (struct
 * lb_tramp_params at LB_TRAMP_PARAMS_OFF), a GDT, an IDT and the fault
 * message beside it: the page's layout is in lifeboat/tramp.h, which the
 * builder's C includes too and checks at compile time. The code holds
 * instructions only, and the assembler checks that it fits in
 * LB_TRAMP_CODE_MAX.
 *
 * lb_tramp_jump() runs at the module's address. It loads the new page
 * tables, in which this very page's virtual address maps to the copy, so the
 * next instruction comes from the copy; it then jumps to the copy's physical
 * address, where the tables map everything one to one, and from there on
 * nothing of the dead kernel is used: not its stack, GDT, IDT, per-CPU data,
 * return thunks or retpolines (hence plain ret-free code and ANNOTATE_*).
 * The caller has switched CET off (lb_cet_disable()), since that jump leaves
 * the kernel's text; the targets still start with ENDBR.
 *
 * A fast reboot's image (lifeboat/boot.h) is not in place yet: on the
 * identity map, with its own stack, GDT and IDT, the trampoline first
 * copies its pages into place by the list in its parameters.
 *
 * Entry to the kernel follows the 64-bit boot protocol: flat 64-bit
 * CS LB_BOOT_CS (0x10), data LB_BOOT_DS (0x18), interrupts off, %rsi =
 * boot_params, paging as set up.
 *
 * For objtool: lb_tramp_jump() is a function with no way back (no ret, no
 * call out: a direct jump into the page), so where objtool checks the linked
 * module it knows that the call to it ends the caller's path (where it checks
 * one object at a time, the caller's unreachable() says so); what runs on the
 * identity map has no stack to unwind (LB_UNWIND_HINT_UNDEFINED); the labels
 * the C code takes the address of only to copy the page are not branch
 * targets (ANNOTATE_NOENDBR).
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/ibt.h>
#include <asm/nospec-branch.h>
#include <asm/processor-flags.h>

#include "compat.h"
#include "lifeboat/tramp.h"

#define PARAM(field)	(LB_TRAMP_PARAMS_OFF + LB_TRAMP_P_##field)

	.text
	.balign	4096
SYM_CODE_START(lb_tramp_start)
	/*
	 * Entered only by lb_tramp_jump()'s direct jump, with %rdi = cr3 and
	 * %rsi = physical lb_tramp_ident; C takes the address to copy the page.
	 */
	ANNOTATE_NOENDBR
	movq	%rdi, %cr3
	ANNOTATE_RETPOLINE_SAFE
	jmp	*%rsi

SYM_INNER_LABEL(lb_tramp_ident, SYM_L_GLOBAL)
	LB_UNWIND_HINT_UNDEFINED
	ENDBR
	/* Identity mapped from here: %rip-relative addresses are physical. */
	leaq	lb_tramp_start(%rip), %rbx

	/*
	 * CR4 first: it clears CET (which must go before CR0.WP), PGE (which
	 * flushes global TLB entries), PCIDE, SMEP, SMAP; keeps PAE and LA57.
	 */
	movq	PARAM(CR4)(%rbx), %rax
	movq	%rax, %cr4
	movq	%cr0, %rax
	andq	$~(X86_CR0_AM | X86_CR0_WP | X86_CR0_TS | X86_CR0_EM), %rax
	orl	$(X86_CR0_PG | X86_CR0_PE), %eax
	movq	%rax, %cr0
	movq	PARAM(CR3)(%rbx), %rax
	movq	%rax, %cr3

	movq	PARAM(GDT)(%rbx), %rax
	lgdt	(%rax)
	movq	PARAM(IDT)(%rbx), %rax
	lidt	(%rax)
	movq	PARAM(STACK)(%rbx), %rsp

	movl	$LB_BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	pushq	$LB_BOOT_CS
	leaq	.Lflat_cs(%rip), %rax
	pushq	%rax
	lretq
.Lflat_cs:
	LB_UNWIND_HINT_UNDEFINED
	pushq	$0
	popfq

	/*
	 * A fast reboot's kernel and initrd are still in pages scattered over
	 * RAM: walk the copy list (LB_IND_* in lifeboat/tramp.h) and put them
	 * in place. Nothing the walk reads lies where it writes: the module
	 * took every source, list and control page outside the window.
	 */
	movq	PARAM(LIST)(%rbx), %rcx
	testq	%rcx, %rcx
	jz	.Lentered
	cld
	xorl	%edi, %edi
.Lnext_entry:
	movq	(%rcx), %rax
	addq	$8, %rcx
	movq	%rax, %rdx
	andq	$~0xfff, %rdx
	testb	$LB_IND_DONE, %al
	jnz	.Lentered
	testb	$LB_IND_DESTINATION, %al
	jz	1f
	movq	%rdx, %rdi
	jmp	.Lnext_entry
1:	testb	$LB_IND_INDIRECTION, %al
	jz	2f
	movq	%rdx, %rcx
	jmp	.Lnext_entry
2:	testb	$LB_IND_SOURCE, %al
	jz	.Lnext_entry
	movq	%rcx, %r8
	movq	%rdx, %rsi
	movl	$512, %ecx
	rep	movsq
	movq	%r8, %rcx
	jmp	.Lnext_entry

.Lentered:
	movq	PARAM(ENTRY)(%rbx), %rax
	movq	PARAM(BOOT_PARAMS)(%rbx), %rsi
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	ANNOTATE_RETPOLINE_SAFE
	jmp	*%rax

	/* IDT vector 2: an NMI before the capture kernel has its own IDT. */
SYM_INNER_LABEL(lb_tramp_nmi, SYM_L_GLOBAL)
	LB_UNWIND_HINT_UNDEFINED
	ENDBR
	iretq

	/* Every other vector: say so on COM1 and stop. */
SYM_INNER_LABEL(lb_tramp_fault, SYM_L_GLOBAL)
	LB_UNWIND_HINT_UNDEFINED
	ENDBR
	cld
	leaq	lb_tramp_start(%rip), %rsi
	addq	$LB_TRAMP_MSG_OFF, %rsi
	movw	$0x3f8, %dx
1:	lodsb
	testb	%al, %al
	jz	2f
	outb	%al, %dx
	jmp	1b
2:	cli
	hlt
	jmp	2b
	/* The copy ends here; the int3 only gives ANNOTATE_NOENDBR an instruction. */
SYM_INNER_LABEL(lb_tramp_end, SYM_L_GLOBAL)
	ANNOTATE_NOENDBR
	int3
	/*
	 * The copy must fit before the parameters: were the code longer,
	 * this .org would move backwards and the assembler would refuse it.
	 */
	.org	lb_tramp_start + LB_TRAMP_CODE_MAX, 0xcc
SYM_CODE_END(lb_tramp_start)

/*
 * void lb_tramp_jump(u64 cr3, u64 ident_pa): never returns. %rdi = cr3,
 * %rsi = physical address of lb_tramp_ident in the copy.
 */
SYM_FUNC_START(lb_tramp_jump)
	cli
	jmp	lb_tramp_start
SYM_FUNC_END(lb_tramp_jump)
