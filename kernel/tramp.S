/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trampoline: one page of position-independent code, copied at load time
 * into the region, where the builder puts its parameters (struct
 * lb_tramp_params at LB_TRAMP_PARAMS_OFF), a GDT and an IDT beside it.
 *
 * lb_tramp_jump() runs here, at the module's address. It loads the new page
 * tables, in which this very page's virtual address maps to the copy, so the
 * next instruction comes from the copy; it then jumps to the copy's physical
 * address, where the tables map everything one to one, and from there on
 * nothing of the dead kernel is used: not its stack, GDT, IDT, per-CPU data,
 * return thunks or retpolines (hence plain ret-free code and ANNOTATE_*).
 *
 * Entry to the capture kernel follows the 64-bit boot protocol: flat 64-bit
 * CS 0x10, data 0x18, interrupts off, %rsi = boot_params, paging as set up.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>
#include <asm/processor-flags.h>

#define P_CR3		0
#define P_CR4		8
#define P_GDT		16
#define P_IDT		24
#define P_STACK		32
#define P_BOOT_PARAMS	40
#define P_ENTRY		48
#define PARAMS		2048	/* LB_TRAMP_PARAMS_OFF */

	.text
	.balign	4096
SYM_CODE_START(lb_tramp_start)
/* void lb_tramp_jump(u64 cr3, u64 ident_pa): %rdi = cr3, %rsi = physical lb_tramp_ident */
SYM_INNER_LABEL(lb_tramp_jump, SYM_L_GLOBAL)
	cli
	movq	%rdi, %cr3
	ANNOTATE_RETPOLINE_SAFE
	jmp	*%rsi

SYM_INNER_LABEL(lb_tramp_ident, SYM_L_GLOBAL)
	/* Identity mapped from here: %rip-relative addresses are physical. */
	leaq	lb_tramp_start(%rip), %rbx

	/*
	 * CR4 first: it clears CET (which must go before CR0.WP), PGE (which
	 * flushes global TLB entries), PCIDE, SMEP, SMAP; keeps PAE and LA57.
	 */
	movq	PARAMS+P_CR4(%rbx), %rax
	movq	%rax, %cr4
	movq	%cr0, %rax
	andq	$~(X86_CR0_AM | X86_CR0_WP | X86_CR0_TS | X86_CR0_EM), %rax
	orl	$(X86_CR0_PG | X86_CR0_PE), %eax
	movq	%rax, %cr0
	movq	PARAMS+P_CR3(%rbx), %rax
	movq	%rax, %cr3

	movq	PARAMS+P_GDT(%rbx), %rax
	lgdt	(%rax)
	movq	PARAMS+P_IDT(%rbx), %rax
	lidt	(%rax)
	movq	PARAMS+P_STACK(%rbx), %rsp

	movl	$0x18, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	pushq	$0x10
	leaq	.Lflat_cs(%rip), %rax
	pushq	%rax
	lretq
.Lflat_cs:
	pushq	$0
	popfq
	movq	PARAMS+P_ENTRY(%rbx), %rax
	movq	PARAMS+P_BOOT_PARAMS(%rbx), %rsi
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
	iretq

	/* Every other vector: say so on COM1 and stop. */
SYM_INNER_LABEL(lb_tramp_fault, SYM_L_GLOBAL)
	leaq	.Lfault_msg(%rip), %rsi
	movw	$0x3f8, %dx
1:	lodsb
	testb	%al, %al
	jz	2f
	outb	%al, %dx
	jmp	1b
2:	cli
	hlt
	jmp	2b
.Lfault_msg:
	.asciz	"\r\nlifeboat: exception in the trampoline, machine stopped\r\n"
SYM_INNER_LABEL(lb_tramp_end, SYM_L_GLOBAL)
SYM_CODE_END(lb_tramp_start)
