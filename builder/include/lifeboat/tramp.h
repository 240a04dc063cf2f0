/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The trampoline page as both its users see it: the builder (C, lib/tramp.c)
 * fills it, the trampoline (assembly, kernel/tramp.S) reads it. Only
 * #defines here, so that the assembler can include it too; the builder's
 * private header (lib/internal.h) checks every offset against struct
 * lb_tramp_params at compile time, on the host and in the module.
 */
#ifndef LIFEBOAT_TRAMP_H
#define LIFEBOAT_TRAMP_H

/* struct lb_tramp_params (lifeboat/image.h) starts here in the page. */
#define LB_TRAMP_PARAMS_OFF	2048

/* Its fields, each a u64, from the start of the struct. */
#define LB_TRAMP_P_CR3		0
#define LB_TRAMP_P_CR4		8
#define LB_TRAMP_P_GDT		16
#define LB_TRAMP_P_IDT		24
#define LB_TRAMP_P_STACK	32
#define LB_TRAMP_P_BOOT_PARAMS	40
#define LB_TRAMP_P_ENTRY	48
#define LB_TRAMP_P_SIZE		56

/*
 * The message the fault stub writes to COM1, NUL-terminated, in the page's
 * data area after the IDT's pseudo-descriptor: the code page holds only
 * instructions.
 */
#define LB_TRAMP_MSG_OFF	0xa80
#define LB_TRAMP_MSG_SIZE	0x80

#endif /* LIFEBOAT_TRAMP_H */
