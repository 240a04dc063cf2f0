/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels the module builds for (Debian's 6.1 and
 * 6.12 so far), turned into helpers here and only here: no other file asks
 * which kernel it is built for (make check-kernel makes sure). The version
 * tests become LB_HAVE_* flags once; the assembly part gives the objtool
 * annotations their current names; the C part reads other CPUs' per-CPU
 * state and switches CET off.
 */
#ifndef LIFEBOAT_COMPAT_H
#define LIFEBOAT_COMPAT_H

#include <linux/version.h>

/* 6.2 to 6.14: current_task and __preempt_count live in struct pcpu_hot. */
#define LB_HAVE_PCPU_HOT \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0) && \
	 LINUX_VERSION_CODE < KERNEL_VERSION(6, 15, 0))
/* 6.4: UNWIND_HINT_EMPTY became UNWIND_HINT_UNDEFINED (and END_OF_STACK). */
#define LB_HAVE_UNWIND_HINT_UNDEFINED \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0))
/* 6.6: X86_FEATURE_SHSTK, shadow stacks, which also need CET. */
#define LB_HAVE_SHSTK \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0))

/* 6.12: a kmsg dumper gets a struct kmsg_dump_detail, no longer the reason alone. */
#define LB_HAVE_KMSG_DUMP_DETAIL \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0))

#ifdef __ASSEMBLY__

#include <asm/unwind_hints.h>

/* Code no unwinder may walk through: there is no kernel stack under it. */
#if LB_HAVE_UNWIND_HINT_UNDEFINED
#define LB_UNWIND_HINT_UNDEFINED	UNWIND_HINT_UNDEFINED
#else
#define LB_UNWIND_HINT_UNDEFINED	UNWIND_HINT_EMPTY
#endif

#else /* !__ASSEMBLY__ */

#include <linux/mmzone.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <asm/cpufeature.h>
#include <asm/current.h>
#include <asm/msr.h>
#include <asm/preempt.h>

/*
 * The largest order the page allocator gives: MAX_PAGE_ORDER since 6.8,
 * MAX_ORDER - 1 before (MAX_ORDER itself from 6.4 to 6.7, which this
 * undercounts by one: still a valid order).
 */
#ifdef MAX_PAGE_ORDER
#define LB_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#else
#define LB_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

/* The task running on @cpu, and its preempt count (NMI_MASK and all). */
#if LB_HAVE_PCPU_HOT
#define lb_task_of_cpu(cpu)		per_cpu(pcpu_hot.current_task, cpu)
#define lb_preempt_count_of_cpu(cpu)	per_cpu(pcpu_hot.preempt_count, cpu)
#else
#define lb_task_of_cpu(cpu)		per_cpu(current_task, cpu)
#define lb_preempt_count_of_cpu(cpu)	per_cpu(__preempt_count, cpu)
#endif

/**
 * lb_cet_disable() - switch CET off on this CPU
 *
 * Before leaving the kernel's text: with S_CET.ENDBR_EN set, an indirect
 * jump that lands anywhere but on an ENDBR64 raises #CP, and past the switch
 * to our page tables no handler for it is mapped, so the machine would reset
 * without a dump. Asks what the kernel's own cet_disable() (not exported)
 * asks: whether indirect branch tracking or shadow stacks are in use.
 *
 * Context: panic path, IRQs off.
 */
static inline void lb_cet_disable(void)
{
	bool shstk = false;

#if LB_HAVE_SHSTK
	shstk = cpu_feature_enabled(X86_FEATURE_SHSTK);
#endif
	if (!cpu_feature_enabled(X86_FEATURE_IBT) && !shstk)
		return;
	wrmsrl(MSR_IA32_S_CET, 0);
	if (shstk)
		wrmsrl(MSR_IA32_U_CET, 0);
}

#endif /* __ASSEMBLY__ */

#endif /* LIFEBOAT_COMPAT_H */
