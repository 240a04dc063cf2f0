// SPDX-License-Identifier: GPL-2.0
/*
 * crasher: kills the kernel on demand, in a chosen way and on a chosen CPU,
 * so that the VM tests can check that a dump is captured from each kind of
 * death and that it shows what every CPU was doing.
 *
 * Each file in /sys/kernel/debug/lifeboat_crasher/ is one kind of death;
 * writing a CPU number to it kills the kernel on that CPU:
 *
 *   panic           panic() in a kthread bound to the CPU (process context)
 *   null_deref      NULL pointer write in a kthread bound to the CPU; fatal
 *                   with panic_on_oops=1, otherwise only the kthread dies
 *   timer_bug       BUG() in a timer callback pinned to the CPU (softirq)
 *   hardirq_panic   panic() from an irq_work raised on the CPU (hard IRQ)
 *   nmi_panic       panic() from an NMI sent to the CPU (NMI context)
 *   spin_irqs_off   the CPU spins with interrupts disabled; the writer moves
 *                   to another CPU and panics from there, in the same call
 *   spin_in_nmi     the same, but the CPU spins inside an NMI handler, where
 *                   no further NMI reaches it
 *   stack_overflow  unbounded recursion in a kthread bound to the CPU, until
 *                   the stack guard page is hit (double fault)
 *   panic_pair      the CPU and the writer's (moved to another CPU) call
 *                   panic() at the same moment: only one may win
 *
 * One file does not kill the kernel but damages memory, so that a test can
 * check that a loaded image is verified before it is used:
 *
 *   poke_phys       takes a physical address (hex, "0x" optional) of RAM and
 *                   flips every bit of the byte there, through the direct map
 *
 * The functions that die, or spin, carry an lbcrash_ prefix and are never
 * inlined, so that crash and drgn name them in the dead kernel's stacks.
 * Test code only: never load this module on a machine you want to keep.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/irq_work.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <asm/apic.h>
#include <asm/nmi.h>

/*
 * Bytes of stack each level of lbcrash_recurse() uses. Well under
 * CONFIG_FRAME_WARN (2048 on Debian), and small enough that the write that
 * runs off the stack lands in the guard page, not beyond it.
 */
enum { LBCRASH_FRAME_BYTES = 1024 };

/* Deep enough to run off any task stack; only a failed test gets there. */
enum { LBCRASH_MAX_DEPTH = 4 * THREAD_SIZE / LBCRASH_FRAME_BYTES };

static struct dentry *lbcrash_dir;
static struct timer_list lbcrash_timer;
static DECLARE_COMPLETION(lbcrash_spinning);
static atomic_t lbcrash_pair_go = ATOMIC_INIT(0);
static int lbcrash_nmi_cpu = -1;
static int lbcrash_nmi_spin_cpu = -1;
static atomic_t lbcrash_nmi_spinning = ATOMIC_INIT(0);

static noinline void lbcrash_panic(unsigned int cpu)
{
	panic("crasher: panic on CPU %u", cpu);
}

static int lbcrash_panic_thread(void *arg)
{
	lbcrash_panic(raw_smp_processor_id());
	return 0;
}

static noinline void lbcrash_null_deref(void)
{
	int *p = NULL;

	OPTIMIZER_HIDE_VAR(p);
	WRITE_ONCE(*p, 1);
}

static int lbcrash_null_deref_thread(void *arg)
{
	lbcrash_null_deref();
	return 0;
}

static noinline void lbcrash_timer_fn(struct timer_list *t)
{
	BUG();
}

static noinline void lbcrash_hardirq_panic(struct irq_work *work)
{
	panic("crasher: panic in hard interrupt on CPU %u",
	      raw_smp_processor_id());
}

static struct irq_work lbcrash_irq_work = IRQ_WORK_INIT_HARD(lbcrash_hardirq_panic);

/* Queued from a thread bound to the CPU, the irq_work raises a self-IPI. */
static int lbcrash_hardirq_thread(void *arg)
{
	irq_work_queue(&lbcrash_irq_work);
	return 0;
}

static noinline void lbcrash_nmi_panic(void)
{
	panic("crasher: panic in NMI on CPU %u", raw_smp_processor_id());
}

static noinline void lbcrash_spin_in_nmi(void)
{
	atomic_set(&lbcrash_nmi_spinning, 1);
	for (;;)
		cpu_relax();
}

static int lbcrash_nmi_handler(unsigned int type, struct pt_regs *regs)
{
	int cpu = raw_smp_processor_id();

	if (READ_ONCE(lbcrash_nmi_cpu) == cpu)
		lbcrash_nmi_panic();
	if (READ_ONCE(lbcrash_nmi_spin_cpu) == cpu)
		lbcrash_spin_in_nmi();
	return NMI_DONE;
}

static noinline void lbcrash_spin_irqs_off(void)
{
	local_irq_disable();
	complete(&lbcrash_spinning);
	for (;;)
		cpu_relax();
}

static int lbcrash_spin_thread(void *arg)
{
	lbcrash_spin_irqs_off();
	return 0;
}

/* Both CPUs wait with interrupts off for the same store, then panic. */
static noinline void lbcrash_panic_pair(void)
{
	local_irq_disable();
	while (!atomic_read(&lbcrash_pair_go))
		cpu_relax();
	panic("crasher: panic on CPU %u at the same moment as another CPU",
	      raw_smp_processor_id());
}

static int lbcrash_pair_thread(void *arg)
{
	atomic_inc(&lbcrash_pair_go);
	lbcrash_panic_pair();
	return 0;
}

static noinline int lbcrash_recurse(unsigned long depth)
{
	char buf[LBCRASH_FRAME_BYTES];

	if (depth > LBCRASH_MAX_DEPTH)
		return 0;
	memset(buf, depth, sizeof(buf));
	/* Keep the buffer in this frame, and the call out of tail position. */
	barrier_data(buf);
	return lbcrash_recurse(depth + 1) + buf[depth % sizeof(buf)];
}

static int lbcrash_recurse_thread(void *arg)
{
	int ret = lbcrash_recurse(0);

	pr_err("recursed %d levels without overflowing the stack\n",
	       LBCRASH_MAX_DEPTH);
	return ret;
}

/* Starts fn in a kthread bound to cpu, named "lbcrash/<cpu>". */
static int lbcrash_run_on(unsigned int cpu, int (*fn)(void *))
{
	struct task_struct *t;

	t = kthread_create_on_cpu(fn, NULL, cpu, "lbcrash/%u");
	if (IS_ERR(t))
		return PTR_ERR(t);
	wake_up_process(t);
	return 0;
}

static int lbcrash_do_panic(unsigned int cpu)
{
	return lbcrash_run_on(cpu, lbcrash_panic_thread);
}

static int lbcrash_do_null_deref(unsigned int cpu)
{
	return lbcrash_run_on(cpu, lbcrash_null_deref_thread);
}

static int lbcrash_do_timer_bug(unsigned int cpu)
{
	if (timer_pending(&lbcrash_timer))
		return -EBUSY;
	lbcrash_timer.expires = jiffies + 1;
	add_timer_on(&lbcrash_timer, cpu);
	return 0;
}

static int lbcrash_do_hardirq_panic(unsigned int cpu)
{
	return lbcrash_run_on(cpu, lbcrash_hardirq_thread);
}

static int lbcrash_do_nmi_panic(unsigned int cpu)
{
	WRITE_ONCE(lbcrash_nmi_cpu, cpu);
	apic->send_IPI(cpu, NMI_VECTOR);
	return 0;
}

/* Moves the calling task to a CPU other than cpu. */
static int lbcrash_leave_cpu(unsigned int cpu)
{
	unsigned int other = cpumask_any_but(cpu_online_mask, cpu);

	if (other >= nr_cpu_ids)
		return -EINVAL;
	return set_cpus_allowed_ptr(current, cpumask_of(other));
}

/*
 * Everything happens in this one call: once the CPU spins with interrupts
 * off, anything that needs an IPI to it (exec, a TLB shootdown) hangs, so
 * the panic cannot wait for a later command.
 */
static int lbcrash_do_spin_irqs_off(unsigned int cpu)
{
	int ret;

	ret = lbcrash_leave_cpu(cpu);
	if (ret)
		return ret;
	reinit_completion(&lbcrash_spinning);
	ret = lbcrash_run_on(cpu, lbcrash_spin_thread);
	if (ret)
		return ret;
	wait_for_completion(&lbcrash_spinning);
	panic("crasher: panic on CPU %u while CPU %u spins with interrupts off",
	      raw_smp_processor_id(), cpu);
}

static int lbcrash_do_spin_in_nmi(unsigned int cpu)
{
	unsigned long deadline;
	int ret;

	ret = lbcrash_leave_cpu(cpu);
	if (ret)
		return ret;
	WRITE_ONCE(lbcrash_nmi_spin_cpu, cpu);
	apic->send_IPI(cpu, NMI_VECTOR);
	/* A second is plenty for an NMI; without it there is nothing to test. */
	deadline = jiffies + HZ;
	while (!atomic_read(&lbcrash_nmi_spinning) && time_before(jiffies, deadline))
		usleep_range(1000, 2000);
	if (!atomic_read(&lbcrash_nmi_spinning)) {
		WRITE_ONCE(lbcrash_nmi_spin_cpu, -1);
		return -ETIMEDOUT;
	}
	panic("crasher: panic on CPU %u while CPU %u spins in NMI",
	      raw_smp_processor_id(), cpu);
}

/*
 * The thread on cpu counts itself in (go = 1) and waits; the writer, on
 * another CPU, waits for that, then releases both with go = 2.
 */
static int lbcrash_do_panic_pair(unsigned int cpu)
{
	int ret;

	ret = lbcrash_leave_cpu(cpu);
	if (ret)
		return ret;
	atomic_set(&lbcrash_pair_go, -1);
	ret = lbcrash_run_on(cpu, lbcrash_pair_thread);
	if (ret)
		return ret;
	while (atomic_read(&lbcrash_pair_go) < 0)
		cpu_relax();
	atomic_set(&lbcrash_pair_go, 2);
	lbcrash_panic_pair();
	return 0;
}

static int lbcrash_do_stack_overflow(unsigned int cpu)
{
	return lbcrash_run_on(cpu, lbcrash_recurse_thread);
}

struct lbcrash_action {
	const char *name;
	int (*trigger)(unsigned int cpu);
};

static const struct lbcrash_action lbcrash_actions[] = {
	{ "panic", lbcrash_do_panic },
	{ "null_deref", lbcrash_do_null_deref },
	{ "timer_bug", lbcrash_do_timer_bug },
	{ "hardirq_panic", lbcrash_do_hardirq_panic },
	{ "nmi_panic", lbcrash_do_nmi_panic },
	{ "spin_irqs_off", lbcrash_do_spin_irqs_off },
	{ "spin_in_nmi", lbcrash_do_spin_in_nmi },
	{ "stack_overflow", lbcrash_do_stack_overflow },
	{ "panic_pair", lbcrash_do_panic_pair },
};

static ssize_t lbcrash_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	const struct lbcrash_action *action = file->private_data;
	unsigned int cpu;
	int ret;

	ret = kstrtouint_from_user(ubuf, count, 10, &cpu);
	if (ret)
		return ret;
	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -EINVAL;
	pr_emerg("%s on CPU %u\n", action->name, cpu);
	ret = action->trigger(cpu);
	return ret ? ret : count;
}

static const struct file_operations lbcrash_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = lbcrash_write,
	.llseek = noop_llseek,
};

/*
 * Flips the byte at a physical address of RAM, through the kernel's direct
 * map, and says what it was and what it is now.
 */
static ssize_t lbcrash_poke_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	unsigned long pfn;
	u64 addr;
	u8 *p, old;
	int ret;

	ret = kstrtou64_from_user(ubuf, count, 16, &addr);
	if (ret)
		return ret;
	pfn = PHYS_PFN(addr);
	if (!pfn_valid(pfn) || page_is_ram(pfn) != 1) {
		pr_err("poke_phys: 0x%llx is not RAM the kernel maps\n", addr);
		return -EINVAL;
	}
	p = phys_to_virt(addr);
	old = READ_ONCE(*p);
	WRITE_ONCE(*p, (u8)~old);
	pr_emerg("poke_phys: byte at 0x%llx flipped: 0x%02x -> 0x%02x\n",
		 addr, old, READ_ONCE(*p));
	return count;
}

static const struct file_operations lbcrash_poke_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = lbcrash_poke_write,
	.llseek = noop_llseek,
};

static int __init lbcrash_init(void)
{
	size_t i;
	int ret;

	timer_setup(&lbcrash_timer, lbcrash_timer_fn, TIMER_PINNED);
	ret = register_nmi_handler(NMI_LOCAL, lbcrash_nmi_handler, 0, "lbcrash");
	if (ret)
		return ret;
	lbcrash_dir = debugfs_create_dir("lifeboat_crasher", NULL);
	for (i = 0; i < ARRAY_SIZE(lbcrash_actions); i++)
		debugfs_create_file(lbcrash_actions[i].name, 0200, lbcrash_dir,
				    (void *)&lbcrash_actions[i], &lbcrash_fops);
	debugfs_create_file("poke_phys", 0200, lbcrash_dir, NULL,
			    &lbcrash_poke_fops);
	pr_info("ready: /sys/kernel/debug/lifeboat_crasher/\n");
	return 0;
}

static void __exit lbcrash_exit(void)
{
	debugfs_remove_recursive(lbcrash_dir);
	unregister_nmi_handler(NMI_LOCAL, "lbcrash");
	del_timer_sync(&lbcrash_timer);
	irq_work_sync(&lbcrash_irq_work);
}

module_init(lbcrash_init);
module_exit(lbcrash_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Lifeboat test crasher: kills the kernel, or damages its memory, on demand");
