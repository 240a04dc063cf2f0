/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where entry.S puts each register in the struct pt_regs it builds on the
 * stack: slot n is at n * 8. The assembler includes this file for the
 * numbers; every C file that includes it checks them against the kernel's
 * struct pt_regs, so that a kernel that moves a field fails the build
 * instead of filling the dump's notes with the wrong registers.
 */
#ifndef LIFEBOAT_LAYOUT_H
#define LIFEBOAT_LAYOUT_H

#define LB_PT_R15	0
#define LB_PT_R14	1
#define LB_PT_R13	2
#define LB_PT_R12	3
#define LB_PT_BP	4
#define LB_PT_BX	5
#define LB_PT_R11	6
#define LB_PT_R10	7
#define LB_PT_R9	8
#define LB_PT_R8	9
#define LB_PT_AX	10
#define LB_PT_CX	11
#define LB_PT_DX	12
#define LB_PT_SI	13
#define LB_PT_DI	14
#define LB_PT_ORIG_AX	15
#define LB_PT_IP	16
#define LB_PT_CS	17
#define LB_PT_FLAGS	18
#define LB_PT_SP	19
#define LB_PT_SS	20
#define LB_PT_REGS_SIZE	(21 * 8)

#ifndef __ASSEMBLY__

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <asm/ptrace.h>

#define LB_PT_CHECK(field, slot) \
	static_assert(offsetof(struct pt_regs, field) == (slot) * 8, \
		      "entry.S stores " #field " where struct pt_regs does not have it")

LB_PT_CHECK(r15, LB_PT_R15);
LB_PT_CHECK(r14, LB_PT_R14);
LB_PT_CHECK(r13, LB_PT_R13);
LB_PT_CHECK(r12, LB_PT_R12);
LB_PT_CHECK(bp, LB_PT_BP);
LB_PT_CHECK(bx, LB_PT_BX);
LB_PT_CHECK(r11, LB_PT_R11);
LB_PT_CHECK(r10, LB_PT_R10);
LB_PT_CHECK(r9, LB_PT_R9);
LB_PT_CHECK(r8, LB_PT_R8);
LB_PT_CHECK(ax, LB_PT_AX);
LB_PT_CHECK(cx, LB_PT_CX);
LB_PT_CHECK(dx, LB_PT_DX);
LB_PT_CHECK(si, LB_PT_SI);
LB_PT_CHECK(di, LB_PT_DI);
LB_PT_CHECK(orig_ax, LB_PT_ORIG_AX);
LB_PT_CHECK(ip, LB_PT_IP);
LB_PT_CHECK(cs, LB_PT_CS);
LB_PT_CHECK(flags, LB_PT_FLAGS);
LB_PT_CHECK(sp, LB_PT_SP);
LB_PT_CHECK(ss, LB_PT_SS);
static_assert(sizeof(struct pt_regs) == LB_PT_REGS_SIZE,
	      "entry.S reserves a struct pt_regs of another size");

#undef LB_PT_CHECK

#endif /* __ASSEMBLY__ */

#endif /* LIFEBOAT_LAYOUT_H */
