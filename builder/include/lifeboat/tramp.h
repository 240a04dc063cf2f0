/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trampoline page, written down once for everyone who uses it: the
 * builder fills it (C, lib/tramp.c), the trampoline runs from it and reads
 * it (assembly, kernel/tramp.S), the module finds its stubs in it
 * (kernel/machine.c). The numbers are #defines so that the assembler can
 * include this file; below the __ASSEMBLY__ guard, struct lb_tramp_params
 * and the static assertions that check it and the layout against these
 * numbers at compile time, in the module and on the host (as
 * kernel/layout.h does for the struct pt_regs that kernel/entry.S builds).
 * A change that breaks the layout fails the build, not the jump.
 *
 * The page (4 KiB, at tramp_pa in the metadata block, lib/internal.h):
 *
 *   0x000  trampoline code, instructions only (up to LB_TRAMP_CODE_MAX)
 *   0x800  struct lb_tramp_params (LB_TRAMP_PARAMS_OFF)
 *   0x840  GDT: null, null, code LB_BOOT_CS (0x10), data LB_BOOT_DS (0x18)
 *   0x860  GDT pseudo-descriptor (limit, base)
 *   0x870  IDT: 32 interrupt gates of 16 bytes
 *   0xa70  IDT pseudo-descriptor (limit, base)
 *   0xa80  the message the fault stub writes to COM1, NUL-terminated
 */
#ifndef LIFEBOAT_TRAMP_H
#define LIFEBOAT_TRAMP_H

#define LB_TRAMP_PAGE_SIZE	0x1000

/* The code, copied from the module, at the start of the page. */
#define LB_TRAMP_CODE_MAX	0x800

/* struct lb_tramp_params, and its fields (each a u64) from its start. */
#define LB_TRAMP_PARAMS_OFF	0x800
#define LB_TRAMP_P_CR3		0
#define LB_TRAMP_P_CR4		8
#define LB_TRAMP_P_GDT		16
#define LB_TRAMP_P_IDT		24
#define LB_TRAMP_P_STACK	32
#define LB_TRAMP_P_BOOT_PARAMS	40
#define LB_TRAMP_P_ENTRY	48
#define LB_TRAMP_P_LIST		56
#define LB_TRAMP_P_SIZE		64

/*
 * The copy list a fast reboot's trampoline walks before it enters the
 * kernel (0 for the capture image, which is in place already): u64
 * entries in the kexec format, a page-aligned physical address with one
 * flag. IND_DESTINATION sets where the next source page goes,
 * IND_SOURCE copies a page there and moves on by a page,
 * IND_INDIRECTION continues in another page of entries, IND_DONE ends.
 */
#define LB_IND_DESTINATION	0x1
#define LB_IND_INDIRECTION	0x2
#define LB_IND_DONE		0x4
#define LB_IND_SOURCE		0x8

/* The descriptor tables the trampoline loads once on the identity map. */
#define LB_TRAMP_GDT_OFF	0x840
#define LB_TRAMP_GDT_ENTRIES	4
#define LB_TRAMP_GDT_DESC_OFF	0x860
#define LB_TRAMP_IDT_OFF	0x870
#define LB_TRAMP_IDT_ENTRIES	32
#define LB_TRAMP_IDT_GATE_SIZE	16
#define LB_TRAMP_IDT_DESC_OFF	0xa70
#define LB_TRAMP_DESC_SIZE	10	/* a pseudo-descriptor: u16 limit, u64 base */
#define LB_TRAMP_NMI_VECTOR	2

/* The segments the 64-bit boot protocol wants: __BOOT_CS and __BOOT_DS. */
#define LB_BOOT_CS		0x10
#define LB_BOOT_DS		0x18

/* The fault stub's message: data stays out of the code. */
#define LB_TRAMP_MSG_OFF	0xa80
#define LB_TRAMP_MSG_SIZE	0x80

#ifndef __ASSEMBLY__

#include "shim.h"

/*
 * Parameters the trampoline reads, at LB_TRAMP_PARAMS_OFF in its page, by
 * the offsets LB_TRAMP_P_*. Every address is physical: the descriptors, the
 * tables they point to, the stack and the IDT's handlers (tramp_pa + stub
 * offset) are only reachable once CR3 holds the identity tables.
 */
struct lb_tramp_params {
	lb_u64 cr3;		/* identity page tables */
	lb_u64 cr4;		/* PAE, plus LA57 when the tables have five levels */
	lb_u64 gdt_desc;	/* physical address of the GDT pseudo-descriptor */
	lb_u64 idt_desc;	/* physical address of the IDT pseudo-descriptor */
	lb_u64 stack_top;	/* physical, 16-byte aligned */
	lb_u64 boot_params;	/* physical address of the zero page: %rsi at entry */
	lb_u64 entry;		/* 64-bit entry point of the kernel */
	lb_u64 copy_list;	/* first page of the copy list, or 0 */
};

#define LB_TRAMP_P_CHECK(field, off) \
	_Static_assert(offsetof(struct lb_tramp_params, field) == (off), \
		       "tramp.S reads " #field " where struct lb_tramp_params does not have it")

LB_TRAMP_P_CHECK(cr3, LB_TRAMP_P_CR3);
LB_TRAMP_P_CHECK(cr4, LB_TRAMP_P_CR4);
LB_TRAMP_P_CHECK(gdt_desc, LB_TRAMP_P_GDT);
LB_TRAMP_P_CHECK(idt_desc, LB_TRAMP_P_IDT);
LB_TRAMP_P_CHECK(stack_top, LB_TRAMP_P_STACK);
LB_TRAMP_P_CHECK(boot_params, LB_TRAMP_P_BOOT_PARAMS);
LB_TRAMP_P_CHECK(entry, LB_TRAMP_P_ENTRY);
LB_TRAMP_P_CHECK(copy_list, LB_TRAMP_P_LIST);
_Static_assert(sizeof(struct lb_tramp_params) == LB_TRAMP_P_SIZE,
	       "struct lb_tramp_params has fields kernel/tramp.S does not know");

#undef LB_TRAMP_P_CHECK

/* The parts of the page follow each other without overlapping. */
_Static_assert(LB_TRAMP_CODE_MAX <= LB_TRAMP_PARAMS_OFF,
	       "trampoline code overlaps its parameters");
_Static_assert(LB_TRAMP_PARAMS_OFF + LB_TRAMP_P_SIZE <= LB_TRAMP_GDT_OFF,
	       "trampoline parameters overlap the GDT");
_Static_assert(LB_TRAMP_GDT_OFF + LB_TRAMP_GDT_ENTRIES * 8 <= LB_TRAMP_GDT_DESC_OFF,
	       "the GDT overlaps its pseudo-descriptor");
_Static_assert(LB_TRAMP_GDT_ENTRIES * 8 > LB_BOOT_CS &&
	       LB_TRAMP_GDT_ENTRIES * 8 > LB_BOOT_DS,
	       "the boot segments lie outside the GDT");
_Static_assert(LB_TRAMP_GDT_DESC_OFF + LB_TRAMP_DESC_SIZE <= LB_TRAMP_IDT_OFF,
	       "the GDT pseudo-descriptor overlaps the IDT");
_Static_assert(LB_TRAMP_IDT_OFF + LB_TRAMP_IDT_ENTRIES * LB_TRAMP_IDT_GATE_SIZE <=
	       LB_TRAMP_IDT_DESC_OFF,
	       "the IDT overlaps its pseudo-descriptor");
_Static_assert(LB_TRAMP_IDT_ENTRIES > LB_TRAMP_NMI_VECTOR,
	       "the NMI gate lies outside the IDT");
_Static_assert(LB_TRAMP_IDT_DESC_OFF + LB_TRAMP_DESC_SIZE <= LB_TRAMP_MSG_OFF,
	       "the fault message overlaps the IDT pseudo-descriptor");
_Static_assert(LB_TRAMP_MSG_OFF + LB_TRAMP_MSG_SIZE <= LB_TRAMP_PAGE_SIZE,
	       "the fault message leaves the page");

#endif /* __ASSEMBLY__ */

#endif /* LIFEBOAT_TRAMP_H */
