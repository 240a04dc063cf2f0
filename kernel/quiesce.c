// SPDX-License-Identifier: GPL-2.0
/*
 * Leaving the hardware quiet for the capture kernel, as the kernel's own
 * crash path does (arch/x86/kernel/crash.c native_machine_crash_shutdown),
 * with exported interfaces only.
 *
 * At arm time we find the IO-APICs and the HPET in the ACPI tables and map
 * them; at panic time we only read and write registers: every local APIC
 * interrupt source masked, every IO-APIC pin masked with its remote IRR
 * cleared, the HPET stopped, the local APIC of the panicking CPU left in
 * virtual-wire mode, KVM's paravirtual MSRs switched off, VMX/SVM left.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/acpi.h>
#include <linux/io.h>
#include <asm/apic.h>
#include <asm/asm.h>
#include <asm/debugreg.h>
#include <asm/kvm_para.h>
#include <asm/msr.h>
#include <asm/tlbflush.h>

#include "internal.h"

#define LB_MAX_IOAPICS 16

#define IOAPIC_DATA	0x10
#define IOAPIC_EOI	0x40
#define IOAPIC_REG_VER	0x01
#define IOAPIC_RTE(pin)	(0x10 + 2 * (pin))
#define RTE_VECTOR	0xff
#define RTE_MODE_SHIFT	8
#define RTE_MODE_SMI	2
#define RTE_REMOTE_IRR	BIT(14)
#define RTE_LEVEL	BIT(15)
#define RTE_MASKED	BIT(16)

#define HPET_CFG	0x10
#define HPET_CFG_ENABLE	BIT(0)
#define HPET_CFG_LEGACY	BIT(1)
#define HPET_TN_CFG(n)	(0x100 + 0x20 * (n))
#define HPET_TN_INT_ENB	BIT(2)

static void __iomem *lb_ioapic[LB_MAX_IOAPICS];
static unsigned int lb_nr_ioapics;
static void __iomem *lb_hpet;
/* Arming and a loaded fast reboot each hold the mappings; under lb_mutex. */
static unsigned int lb_quiesce_users;

static void lb_map_ioapics(void)
{
	struct acpi_table_header *hdr;
	struct acpi_subtable_header *sub;
	struct acpi_madt_io_apic *io;
	u8 *p, *end;

	if (acpi_disabled ||
	    ACPI_FAILURE(acpi_get_table(ACPI_SIG_MADT, 0, &hdr)))
		return;
	p = (u8 *)hdr + sizeof(struct acpi_table_madt);
	end = (u8 *)hdr + hdr->length;
	while (p + sizeof(*sub) <= end) {
		sub = (struct acpi_subtable_header *)p;
		if (sub->length < sizeof(*sub) || p + sub->length > end)
			break;
		if (sub->type == ACPI_MADT_TYPE_IO_APIC &&
		    sub->length >= sizeof(*io) && lb_nr_ioapics < LB_MAX_IOAPICS) {
			io = (struct acpi_madt_io_apic *)sub;
			lb_ioapic[lb_nr_ioapics] = ioremap(io->address, PAGE_SIZE);
			if (lb_ioapic[lb_nr_ioapics]) {
				lb_held_get(LB_HELD_MAP, PAGE_SIZE);
				lb_nr_ioapics++;
			}
		}
		p += sub->length;
	}
	acpi_put_table(hdr);
}

static void lb_map_hpet(void)
{
	struct acpi_table_header *hdr;
	struct acpi_table_hpet *hpet;

	if (acpi_disabled ||
	    ACPI_FAILURE(acpi_get_table(ACPI_SIG_HPET, 0, &hdr)))
		return;
	hpet = (struct acpi_table_hpet *)hdr;
	if (hdr->length >= sizeof(*hpet) &&
	    hpet->address.space_id == ACPI_ADR_SPACE_SYSTEM_MEMORY &&
	    hpet->address.address)
		lb_hpet = ioremap(hpet->address.address, PAGE_SIZE);
	if (lb_hpet)
		lb_held_get(LB_HELD_MAP, PAGE_SIZE);
	acpi_put_table(hdr);
}

/**
 * lb_quiesce_prepare() - map what the panic path will quiet
 * @err: unused for now: a machine without IO-APIC or HPET is fine
 *
 * Context: process context, lb_mutex held: at arm time, and while a fast
 * reboot is loaded; the mappings stay until the last user releases them.
 * Return: 0.
 */
int lb_quiesce_prepare(struct lb_err *err)
{
	if (lb_quiesce_users++)
		return 0;
	lb_map_ioapics();
	lb_map_hpet();
	pr_debug("%u IO-APIC(s), %s HPET\n", lb_nr_ioapics, lb_hpet ? "an" : "no");
	return 0;
}

void lb_quiesce_release(void)
{
	if (WARN_ON_ONCE(!lb_quiesce_users) || --lb_quiesce_users)
		return;
	while (lb_nr_ioapics) {
		iounmap(lb_ioapic[--lb_nr_ioapics]);
		lb_held_put(LB_HELD_MAP, PAGE_SIZE);
	}
	if (lb_hpet) {
		iounmap(lb_hpet);
		lb_held_put(LB_HELD_MAP, PAGE_SIZE);
	}
	lb_hpet = NULL;
}

static u32 lb_ioapic_read(void __iomem *base, u32 reg)
{
	writel(reg, base);
	return readl(base + IOAPIC_DATA);
}

static void lb_ioapic_write(void __iomem *base, u32 reg, u32 val)
{
	writel(reg, base);
	writel(val, base + IOAPIC_DATA);
}

static void lb_ioapic_clear(void __iomem *base)
{
	u32 ver = lb_ioapic_read(base, IOAPIC_REG_VER);
	unsigned int pin, max = (ver >> 16) & 0xff;
	u32 lo;

	if (ver == 0xffffffff)
		return;
	for (pin = 0; pin <= max; pin++) {
		lo = lb_ioapic_read(base, IOAPIC_RTE(pin));
		if (((lo >> RTE_MODE_SHIFT) & 7) == RTE_MODE_SMI)
			continue;
		if (!(lo & RTE_MASKED)) {
			lo |= RTE_MASKED;
			lb_ioapic_write(base, IOAPIC_RTE(pin), lo);
		}
		if (lo & RTE_REMOTE_IRR) {
			/* An interrupt the dead kernel never acknowledged. */
			if (!(lo & RTE_LEVEL)) {
				lo |= RTE_LEVEL;
				lb_ioapic_write(base, IOAPIC_RTE(pin), lo);
			}
			if ((ver & 0xff) >= 0x20) {
				writel(lo & RTE_VECTOR, base + IOAPIC_EOI);
			} else {
				lb_ioapic_write(base, IOAPIC_RTE(pin), lo & ~RTE_LEVEL);
				lb_ioapic_write(base, IOAPIC_RTE(pin), lo);
			}
		}
		lb_ioapic_write(base, IOAPIC_RTE(pin) + 1, 0);
		lb_ioapic_write(base, IOAPIC_RTE(pin), RTE_MASKED);
	}
}

static void lb_hpet_stop(void)
{
	unsigned int i, n;
	u32 cfg;

	if (!lb_hpet)
		return;
	cfg = readl(lb_hpet + HPET_CFG);
	writel(cfg & ~(HPET_CFG_ENABLE | HPET_CFG_LEGACY), lb_hpet + HPET_CFG);
	n = ((readl(lb_hpet) >> 8) & 0x1f) + 1;
	for (i = 0; i < n; i++) {
		cfg = readl(lb_hpet + HPET_TN_CFG(i));
		writel(cfg & ~HPET_TN_INT_ENB, lb_hpet + HPET_TN_CFG(i));
	}
}

/* Every local interrupt source masked, errors cleared, the APIC soft-disabled. */
static void lb_lapic_off(void)
{
	unsigned int maxlvt;
	u32 v;

	if (!boot_cpu_has(X86_FEATURE_APIC) || !apic)
		return;
	maxlvt = GET_APIC_MAXLVT(apic->read(APIC_LVR));
	apic->write(APIC_LVTERR, APIC_LVT_MASKED);
	apic->write(APIC_LVTT, APIC_LVT_MASKED);
	apic->write(APIC_LVT0, APIC_LVT_MASKED);
	apic->write(APIC_LVT1, APIC_LVT_MASKED);
	if (maxlvt >= 4)
		apic->write(APIC_LVTPC, APIC_LVT_MASKED);
	if (maxlvt >= 5)
		apic->write(APIC_LVTTHMR, APIC_LVT_MASKED);
	if (maxlvt >= 6)
		apic->write(APIC_LVTCMCI, APIC_LVT_MASKED);
	if (maxlvt > 3) {
		apic->write(APIC_ESR, 0);
		apic->read(APIC_ESR);
	}
	v = apic->read(APIC_SPIV);
	apic->write(APIC_SPIV, v & ~APIC_SPIV_APIC_ENABLED);
}

/*
 * The boot CPU's APIC as firmware leaves it: enabled in virtual-wire mode,
 * legacy interrupts through LINT0, NMI through LINT1.
 */
static void lb_lapic_virtual_wire(void)
{
	u32 v;

	if (!boot_cpu_has(X86_FEATURE_APIC) || !apic)
		return;
	v = apic->read(APIC_SPIV);
	v &= ~APIC_VECTOR_MASK;
	v |= APIC_SPIV_APIC_ENABLED | 0xf;
	apic->write(APIC_SPIV, v);
	apic->write(APIC_LVT0, SET_APIC_DELIVERY_MODE(0, APIC_MODE_EXTINT));
	apic->write(APIC_LVT1, SET_APIC_DELIVERY_MODE(0, APIC_MODE_NMI));
}

/*
 * Leave VMX and SVM operation, as the kernel's emergency path does before
 * kexec: a CPU in VMX operation keeps INIT blocked, so the capture kernel
 * could not start the other CPUs, and it must find CR4.VMXE and EFER.SVME
 * clear. Both instructions fault when the CPU is not in that mode (VMXE set
 * without VMXON, say); the exception table entries skip them then.
 */
static void lb_virt_disable(void)
{
	u64 efer;

	if (__read_cr4() & X86_CR4_VMXE) {
		asm volatile("1: vmxoff\n"
			     "2:\n"
			     _ASM_EXTABLE(1b, 2b)
			     : : : "cc", "memory");
		cr4_clear_bits(X86_CR4_VMXE);
	}

	if (!boot_cpu_has(X86_FEATURE_SVM))
		return;
	rdmsrl(MSR_EFER, efer);
	if (!(efer & EFER_SVME))
		return;
	wrmsrl(MSR_VM_HSAVE_PA, 0);
	/* GIF set first: cleared with SVM off, it would block NMI and INIT for good. */
	asm volatile("1: stgi\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : : : "memory");
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
}

/**
 * lb_quiesce_this_cpu() - leave this CPU's private state harmless
 *
 * Context: panic path, IRQs off; also in the NMI handler of stopped CPUs.
 */
void lb_quiesce_this_cpu(void)
{
	if (kvm_para_available()) {
		/* Paravirtual features that would keep writing into old memory. */
		wrmsrl_safe(MSR_KVM_ASYNC_PF_EN, 0);
		wrmsrl_safe(MSR_KVM_STEAL_TIME, 0);
		wrmsrl_safe(MSR_KVM_PV_EOI_EN, 0);
		wrmsrl_safe(MSR_KVM_MIGRATION_CONTROL, 0);
		wrmsrl_safe(MSR_KVM_SYSTEM_TIME_NEW, 0);
		wrmsrl_safe(MSR_KVM_SYSTEM_TIME, 0);
	}
	lb_virt_disable();
	if (boot_cpu_has(X86_FEATURE_INTEL_PT))
		wrmsrl_safe(MSR_IA32_RTIT_CTL, 0);
	lb_lapic_off();
}

/**
 * lb_quiesce_machine() - quiet the shared interrupt hardware before the jump
 *
 * Context: panic path, after the other CPUs stopped.
 */
void lb_quiesce_machine(void)
{
	unsigned int i;

	for (i = 0; i < lb_nr_ioapics; i++)
		lb_ioapic_clear(lb_ioapic[i]);
	lb_hpet_stop();
	lb_lapic_virtual_wire();
	/* No breakpoint may fire in the capture kernel's early code. */
	set_debugreg(0, 7);
}
