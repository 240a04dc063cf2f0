// SPDX-License-Identifier: GPL-2.0
/*
 * The panic path: from a panicking CPU to the capture kernel.
 *
 * Rules, as for the kernel's own machine_kexec(): no allocation, no
 * sleeping, no lock another CPU may hold, no trust in the current stack.
 * Everything was prepared and checked at load time (load.c; lb_live,
 * live.c) and mapped at arm time (quiesce.c); here we only save
 * registers, send NMIs, copy bytes, check the digest, write device
 * registers and jump. If anything is wrong we
 * return, and the kernel's normal panic path goes on.
 *
 * Order, on the panicking CPU, on our own stack:
 *   0. lb_live_busy (live.c), tried and never waited for, as
 *      __crash_kexec() tries kexec_lock: a load, unload or disarm under way on another CPU means
 *      we step aside. Then the image must still be armed and valid;
 *   1. its registers: the faulting ones if an oops led here, else the
 *      caller's at the call into smp_ops, into its NT_PRSTATUS note;
 *   2. the kernel's crashing_cpu, before any NMI goes out (see there);
 *   3. an NMI to every other online CPU, which saves its registers in its
 *      note and halts with NMIs blocked. A CPU that does not answer within
 *      a second is named in the log. If it is stuck inside an NMI (say it
 *      panicked there too and loops in nmi_panic_self_stop()), its note
 *      gets the registers that NMI interrupted, which our handler saw pass
 *      by; otherwise its note has its task but no registers, so that notes
 *      still map to CPUs in order;
 *   4. CRASHTIME into our VMCOREINFO copy;
 *   5. the SHA-256 of the image against the one recorded at load;
 *   6. the jump stamp at the region's start, for the next boot;
 *   7. interrupt controllers quiet, CET off, then the trampoline.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <asm/apic.h>
#include <asm/cacheflush.h>
#include <asm/irq_stack.h>
#include <asm/msr.h>
#include <asm/nmi.h>
#include <asm/ptrace.h>
#include <asm/segment.h>
#include <asm/tsc.h>

#include "compat.h"
#include "internal.h"
#include "live.h"

#define LB_PANIC_STACK_SIZE 16384
#define LB_NMI_WAIT_MS 1000

static u8 lb_panic_stack[LB_PANIC_STACK_SIZE] __aligned(16);
static atomic_t lb_crashing_cpu = ATOMIC_INIT(-1);
static struct cpumask lb_stop_mask;
static struct cpumask lb_answered;
static struct pt_regs *lb_entry_regs;

static DEFINE_PER_CPU(struct pt_regs, lb_oops_regs);
static DEFINE_PER_CPU(struct task_struct *, lb_oops_task);
/* The registers the NMI this CPU is handling, or last handled, interrupted. */
static DEFINE_PER_CPU(struct pt_regs *, lb_nmi_regs);

/**
 * lb_oops_save() - remember the registers of an oops on this CPU
 * @regs: the faulting registers
 *
 * Context: die notifier, IRQs off. If this oops ends in a panic on this CPU
 * in the same task, these registers go into the panicking CPU's note.
 */
void lb_oops_save(struct pt_regs *regs)
{
	if (!regs)
		return;
	*this_cpu_ptr(&lb_oops_regs) = *regs;
	this_cpu_write(lb_oops_task, current);
}

/*
 * Write the NT_PRSTATUS note of @cpu for task @pid from @regs (NULL: no
 * registers known). The MSR and segment fields can only be read on the CPU
 * itself (@local).
 */
static void lb_save_cpu(int cpu, pid_t pid, struct pt_regs *regs, bool local)
{
	u64 r[LB_NR_REGS] = { };
	unsigned int sel;

	/* pr_reg begins with struct pt_regs, field for field (lb_reg). */
	BUILD_BUG_ON(sizeof(*regs) != LB_FS_BASE * sizeof(u64));
	if (cpu >= lb_live.nr_cpus)
		return;
	if (!regs)
		goto write;
	memcpy(r, regs, sizeof(*regs));
	if (!local)
		goto write;
	rdmsrl(MSR_FS_BASE, r[LB_FS_BASE]);
	rdmsrl(MSR_KERNEL_GS_BASE, r[LB_GS_BASE]);
	savesegment(ds, sel);
	r[LB_DS] = sel;
	savesegment(es, sel);
	r[LB_ES] = sel;
	savesegment(fs, sel);
	r[LB_FS] = sel;
	savesegment(gs, sel);
	r[LB_GS] = sel;
write:
	lb_note_write_prstatus((u8 *)lb_live.notes + cpu * LB_NOTE_BUF_SIZE,
			       pid, r);
}

/**
 * lb_nmi_handler() - stop a CPU other than the panicking one
 * @type: NMI_LOCAL
 * @regs: where the NMI interrupted this CPU
 *
 * Context: NMI. Runs on every NMI while armed: does nothing unless a crash
 * is under way on another CPU. Never returns then: the CPU halts inside the
 * NMI, so NMIs stay blocked and it stays out of the capture kernel's way.
 */
int lb_nmi_handler(unsigned int type, struct pt_regs *regs)
{
	int cpu = raw_smp_processor_id();
	int crashing = atomic_read(&lb_crashing_cpu);

	this_cpu_write(lb_nmi_regs, regs);
	if (crashing < 0 || crashing == cpu)
		return NMI_DONE;
	lb_save_cpu(cpu, current->pid, regs, true);
	lb_quiesce_this_cpu();
	cpumask_set_cpu(cpu, &lb_answered);
	for (;;)
		native_halt();
}

/* A CPU that did not answer our NMI: say so, and save what we know of it. */
static void lb_save_silent_cpu(unsigned int cpu)
{
	struct task_struct *task = lb_task_of_cpu(cpu);
	struct pt_regs *regs = per_cpu(lb_nmi_regs, cpu);
	pid_t pid = task ? task->pid : 0;

	if (regs && (lb_preempt_count_of_cpu(cpu) & NMI_MASK)) {
		pr_emerg("CPU %u did not answer the NMI within %u ms: it is stuck in NMI context; its registers are those that NMI interrupted\n",
			 cpu, LB_NMI_WAIT_MS);
		lb_save_cpu(cpu, pid, regs, false);
	} else {
		pr_emerg("CPU %u did not answer the NMI within %u ms: its registers are not in the dump\n",
			 cpu, LB_NMI_WAIT_MS);
		lb_save_cpu(cpu, pid, NULL, false);
	}
}

static void lb_stop_others(int cpu)
{
	unsigned int ms, other;

	cpumask_copy(&lb_stop_mask, cpu_online_mask);
	cpumask_clear_cpu(cpu, &lb_stop_mask);
	cpumask_clear(&lb_answered);
	if (cpumask_empty(&lb_stop_mask))
		return;
	apic->send_IPI_mask(&lb_stop_mask, NMI_VECTOR);
	for (ms = 0; ms < LB_NMI_WAIT_MS && !cpumask_subset(&lb_stop_mask, &lb_answered); ms++)
		mdelay(1);
	for_each_cpu(other, &lb_stop_mask)
		if (!cpumask_test_cpu(other, &lb_answered))
			lb_save_silent_cpu(other);
}

/*
 * The jump stamp (lifeboat/stamp.h) in its page at the region's start,
 * outside the digest: if the capture kernel dies before its saver runs, the
 * next boot still learns that one was started (main.c reads it at load).
 * Built on our stack, copied with plain stores, and flushed from the cache
 * so that it is in RAM whatever resets the machine.
 */
static void lb_stamp_jump(int cpu, u64 now)
{
	struct lb_jump_stamp stamp;

	lb_jump_stamp_fill(&stamp, now, cpu, lb_live.cookie);
	memcpy(lb_live.stamp, &stamp, sizeof(stamp));
	clflush_cache_range(lb_live.stamp, sizeof(stamp));
}

/* Runs on lb_panic_stack. Returns only to give up. */
static void lb_crash_body(void)
{
	int cpu = raw_smp_processor_id();
	struct pt_regs *regs = lb_entry_regs;
	u64 now, check_tsc;

	if (!lb_live_trylock()) {
		pr_emerg("the capture image is being changed (load, unload or disarm under way); going on with the normal panic\n");
		return;
	}
	/* A disarm may have ended between the hook's look at lb_armed and here. */
	if (!READ_ONCE(lb_armed)) {
		pr_emerg("disarmed while the panic began; going on with the normal panic\n");
		goto out_give_up;
	}
	if (!READ_ONCE(lb_live.valid)) {
		pr_emerg("no valid capture image; going on with the normal panic\n");
		goto out_give_up;
	}
	/* Pairs with the smp_wmb() in lb_live_publish(). */
	smp_rmb();
	if (this_cpu_read(lb_oops_task) == current)
		regs = this_cpu_ptr(&lb_oops_regs);
	lb_save_cpu(cpu, current->pid, regs, true);
	/*
	 * crashing_cpu before the NMIs, as nmi_shootdown_cpus() sets it before
	 * it sends them. The machine-check handler asks it first
	 * (mce_check_crashing_cpu()): on any CPU but this one, a machine check
	 * that left a valid return address is then cleared and dropped, and a
	 * stopped CPU goes back to its halt. Were it set only after the stop,
	 * a machine check in the up to LB_NMI_WAIT_MS we wait for the others
	 * would take CPUs already halted in our NMI handler through the whole
	 * machine-check handler, its rendezvous of every CPU, and maybe into a
	 * second panic. The store reaches the others before the NMI does: x86
	 * keeps stores in order, and the x2APIC driver fences before its ICR
	 * write, which does not serialise.
	 */
	if (lb_live.crashing_cpu)
		WRITE_ONCE(*lb_live.crashing_cpu, cpu);
	lb_stop_others(cpu);

	now = ktime_get_real_seconds();
	lb_vmcoreinfo_add_crashtime(lb_live.vmcoreinfo, LB_VMCOREINFO_BUF_SIZE,
				    now);
	/* Timed with the TSC: the clocks may wait on a lock a dead CPU holds. */
	check_tsc = rdtsc_ordered();
	if (!lb_verify_quick()) {
		pr_emerg("the capture image was damaged after it was loaded (digest mismatch); going on with the normal panic\n");
		goto out_give_up;
	}
	check_tsc = rdtsc_ordered() - check_tsc;
	lb_stamp_jump(cpu, now);

	pr_emerg("jumping to the capture kernel from CPU %d (image of %llu MiB checked in %llu us)\n",
		 cpu, lb_live_bytes() >> 20,
		 tsc_khz ? div_u64(check_tsc * 1000, tsc_khz) : 0);
	lb_quiesce_this_cpu();
	lb_quiesce_machine();
	lb_cet_disable();
	lb_tramp_jump(lb_live.pgd_pa, lb_live.tramp_ident_pa);
	unreachable();

out_give_up:
	lb_live_unlock();
}

/**
 * lb_crash() - take the machine to the capture kernel
 * @regs: the panicking CPU's registers where the hook was called
 *
 * Context: panic(), IRQs off, any context (process, IRQ, NMI), any stack.
 * Returns only if it gives up.
 */
void lb_crash(struct pt_regs *regs)
{
	int cpu = raw_smp_processor_id();
	int old;

	old = atomic_cmpxchg(&lb_crashing_cpu, -1, cpu);
	if (old == cpu)
		return;	/* we panicked inside our own path: step aside */
	if (old != -1) {
		/* Another CPU is taking the jump; its NMI will stop us. */
		for (;;)
			cpu_relax();
	}
	lb_entry_regs = regs;
	call_on_stack(lb_panic_stack + LB_PANIC_STACK_SIZE - 16,
		      lb_crash_body, ASM_CALL_ARG0);
}
