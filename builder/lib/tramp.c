// SPDX-License-Identifier: GPL-2.0
/*
 * The trampoline page: the module's position-independent code at offset 0,
 * the parameters it reads at LB_TRAMP_PARAMS_OFF, and the descriptor tables
 * it loads once it runs on the identity map: a GDT with the flat 64-bit
 * code segment the boot protocol wants at __BOOT_CS (0x10) and the flat data
 * segment at __BOOT_DS (0x18), and an IDT whose NMI gate goes to the NMI stub
 * (an iretq: the boot protocol gives no NMI handler until the decompressor
 * installs its own) and every other gate to the fault stub, and the message
 * the fault stub prints: data stays out of the code. The page's layout is
 * in lifeboat/tramp.h, which kernel/tramp.S includes too.
 */
#include "internal.h"

enum {
	IDT_INTERRUPT_GATE = 0x8e,	/* present, DPL 0, 64-bit interrupt gate */
};

static const char fault_msg[] =
	"\r\nlifeboat: exception in the trampoline, machine stopped\r\n";

_Static_assert(sizeof(fault_msg) <= LB_TRAMP_MSG_SIZE, "trampoline message too long");

/* A 10-byte pseudo-descriptor for lgdt/lidt: limit, then base. */
static void put_desc(lb_u8 *p, lb_u16 limit, lb_u64 base)
{
	lb_put16(p, limit);
	lb_put64(p + 2, base);
}

static void put_gate(lb_u8 *p, lb_u64 handler)
{
	lb_put16(p, (lb_u16)handler);
	lb_put16(p + 2, LB_BOOT_CS);
	p[4] = 0;			/* no IST */
	p[5] = IDT_INTERRUPT_GATE;
	lb_put16(p + 6, (lb_u16)(handler >> 16));
	lb_put32(p + 8, (lb_u32)(handler >> 32));
	lb_put32(p + 12, 0);
}

/**
 * lb_tramp_build() - Fill the trampoline page.
 * @m: the machine, checked by lb_machine_check()
 * @img: the placement, for every address the trampoline needs
 * @page: the zeroed trampoline page
 *
 * Context: any; no allocation.
 */
void lb_tramp_build(const struct lb_machine *m, const struct lb_image *img,
		    lb_u8 *page)
{
	struct lb_tramp_params tp = {
		.cr3 = img->pgd_pa,
		.cr4 = LB_CR4_PAE | (m->la57 ? LB_CR4_LA57 : 0),
		.gdt_desc = img->tramp_pa + LB_TRAMP_GDT_DESC_OFF,
		.idt_desc = img->tramp_pa + LB_TRAMP_IDT_DESC_OFF,
		.stack_top = img->stack_top,
		.boot_params = img->boot_params_pa,
		.entry = img->entry,
	};
	lb_u64 handler;
	unsigned int v;

	memcpy(page, m->tramp_code, m->tramp_len);
	memcpy(page + LB_TRAMP_PARAMS_OFF, &tp, sizeof(tp));

	lb_put64(page + LB_TRAMP_GDT_OFF + LB_BOOT_CS, LB_GDT_CODE64);
	lb_put64(page + LB_TRAMP_GDT_OFF + LB_BOOT_DS, LB_GDT_DATA);
	put_desc(page + LB_TRAMP_GDT_DESC_OFF, LB_TRAMP_GDT_ENTRIES * 8 - 1,
		 img->tramp_pa + LB_TRAMP_GDT_OFF);

	for (v = 0; v < LB_TRAMP_IDT_ENTRIES; v++) {
		handler = img->tramp_pa + (v == LB_TRAMP_NMI_VECTOR ?
					   m->tramp_nmi_off : m->tramp_fault_off);
		put_gate(page + LB_TRAMP_IDT_OFF + v * LB_TRAMP_IDT_GATE_SIZE, handler);
	}
	put_desc(page + LB_TRAMP_IDT_DESC_OFF,
		 LB_TRAMP_IDT_ENTRIES * LB_TRAMP_IDT_GATE_SIZE - 1,
		 img->tramp_pa + LB_TRAMP_IDT_OFF);

	memcpy(page + LB_TRAMP_MSG_OFF, fault_msg, sizeof(fault_msg));
}
