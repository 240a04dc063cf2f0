// SPDX-License-Identifier: GPL-2.0
/*
 * Arming: the hooks that bring a panic to lb_crash().
 *
 * panic() stops the other CPUs with smp_send_stop(), that is
 * smp_ops.stop_other_cpus(0), before it runs any panic notifier; with
 * crash_kexec_post_notifiers it calls smp_ops.crash_stop_other_cpus()
 * instead. We take both pointers, so we run first, while the other CPUs are
 * still online and answer an NMI. A panic notifier at the highest priority
 * is the safety net should someone else have taken smp_ops after us; by then
 * the other CPUs are offline and only the panicking CPU's registers can be
 * saved. A die notifier keeps the registers of an oops, so the dump shows
 * where the fault was.
 *
 * Arming is all or nothing: any failure undoes what was done.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kdebug.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <asm/irqflags.h>
#include <asm/nmi.h>
#include <asm/ptrace.h>
#include <asm/segment.h>
#include <asm/smp.h>

#include "internal.h"
#include "live.h"
#include "layout.h"

bool lb_armed;

static void (*lb_orig_stop_other_cpus)(int wait);
static void (*lb_orig_crash_stop_other_cpus)(void);

/* entry.S leaves flags and sp to us: sp is where the caller's frame resumes. */
static void lb_fill_entry_regs(struct pt_regs *regs)
{
	regs->flags = native_save_fl();
	regs->sp = (unsigned long)(regs + 1) + sizeof(unsigned long);
}

void lb_stop_other_cpus(int wait, struct pt_regs *regs)
{
	/* wait == 0 comes only from panic(); reboot and halt pass 1. */
	if (!wait && READ_ONCE(lb_armed)) {
		lb_fill_entry_regs(regs);
		lb_crash(regs);
	}
	lb_orig_stop_other_cpus(wait);
}

void lb_crash_stop_other_cpus(struct pt_regs *regs)
{
	if (READ_ONCE(lb_armed)) {
		lb_fill_entry_regs(regs);
		lb_crash(regs);
	}
	if (lb_orig_crash_stop_other_cpus)
		lb_orig_crash_stop_other_cpus();
}

/*
 * The notifier gets no registers: record its return address and the stack
 * pointer after the return, so dump readers unwind from the notifier chain
 * into panic(). __builtin_frame_address(0) makes this function keep a frame
 * pointer: the return address sits just above it.
 */
static int lb_panic_notify(struct notifier_block *nb, unsigned long action,
			   void *data)
{
	struct pt_regs regs = { };

	if (!READ_ONCE(lb_armed))
		return NOTIFY_DONE;
	regs.ip = (unsigned long)__builtin_return_address(0);
	regs.sp = (unsigned long)__builtin_frame_address(0) + 16;
	regs.cs = __KERNEL_CS;
	regs.ss = __KERNEL_DS;
	regs.flags = native_save_fl();
	regs.orig_ax = -1;
	lb_crash(&regs);
	return NOTIFY_DONE;
}

static struct notifier_block lb_panic_nb = {
	.notifier_call = lb_panic_notify,
	.priority = INT_MAX,
};

static int lb_die_notify(struct notifier_block *nb, unsigned long val,
			 void *data)
{
	struct die_args *args = data;

	if (val == DIE_OOPS && READ_ONCE(lb_armed))
		lb_oops_save(args->regs);
	return NOTIFY_DONE;
}

static struct notifier_block lb_die_nb = {
	.notifier_call = lb_die_notify,
	.priority = INT_MAX,
};

/**
 * lb_arm() - install the panic hooks for the loaded image
 * @err: the reason, on failure
 *
 * Context: process context, lb_mutex held.
 * Return: 0 (also when already armed), or a negative errno with @err filled
 * and nothing installed.
 */
int lb_arm(struct lb_err *err)
{
	int ret;

	if (lb_armed)
		return 0;
	if (!READ_ONCE(lb_live.valid))
		return lb_err_set(err, ENOENT,
				  "no capture image is loaded: run 'lifeboat load' first");
	ret = lb_kdump_conflict(err);
	if (ret)
		return ret;
	ret = lb_verify(err);
	if (ret)
		return ret;
	ret = lb_sig_arm_check(err);
	if (ret)
		return ret;
	if (smp_ops.stop_other_cpus == lb_stop_other_cpus_entry)
		return lb_err_set(err, EBUSY, "smp_ops already points at us");

	ret = lb_quiesce_prepare(err);
	if (ret)
		return ret;
	ret = register_nmi_handler(NMI_LOCAL, lb_nmi_handler, NMI_FLAG_FIRST,
				   "lifeboat");
	if (ret) {
		lb_err_set(err, -ret, "cannot register the NMI handler");
		goto out_quiesce;
	}
	ret = register_die_notifier(&lb_die_nb);
	if (ret) {
		lb_err_set(err, -ret, "cannot register the die notifier");
		goto out_nmi;
	}
	ret = atomic_notifier_chain_register(&panic_notifier_list, &lb_panic_nb);
	if (ret) {
		lb_err_set(err, -ret, "cannot register the panic notifier");
		goto out_die;
	}

	lb_orig_stop_other_cpus = smp_ops.stop_other_cpus;
	lb_orig_crash_stop_other_cpus = smp_ops.crash_stop_other_cpus;
	WRITE_ONCE(lb_armed, true);
	/* The saved pointers and lb_armed are visible before the hooks are. */
	smp_wmb();
	WRITE_ONCE(smp_ops.stop_other_cpus, lb_stop_other_cpus_entry);
	WRITE_ONCE(smp_ops.crash_stop_other_cpus, lb_crash_stop_other_cpus_entry);
	pr_info("armed\n");
	return 0;

out_die:
	unregister_die_notifier(&lb_die_nb);
out_nmi:
	unregister_nmi_handler(NMI_LOCAL, "lifeboat");
out_quiesce:
	lb_quiesce_release();
	return ret;
}

/**
 * lb_disarm() - remove the panic hooks; the image stays loaded
 *
 * Context: process context, lb_mutex held.
 */
void lb_disarm(void)
{
	if (!lb_armed)
		return;
	/*
	 * A panic that went through a hook before we put smp_ops back is not
	 * waited for by the unregistering below: it either holds lb_live_busy,
	 * and its NMI stops us in lb_live_lock(), or it meets lb_armed clear
	 * once we let go. Without this, the mappings could go away under it.
	 */
	lb_live_lock();
	/* Give smp_ops back only if nobody took it after us. */
	if (smp_ops.stop_other_cpus == lb_stop_other_cpus_entry)
		WRITE_ONCE(smp_ops.stop_other_cpus, lb_orig_stop_other_cpus);
	else
		pr_warn("smp_ops.stop_other_cpus was changed by someone else; leaving it\n");
	if (smp_ops.crash_stop_other_cpus == lb_crash_stop_other_cpus_entry)
		WRITE_ONCE(smp_ops.crash_stop_other_cpus, lb_orig_crash_stop_other_cpus);
	WRITE_ONCE(lb_armed, false);
	atomic_notifier_chain_unregister(&panic_notifier_list, &lb_panic_nb);
	unregister_die_notifier(&lb_die_nb);
	unregister_nmi_handler(NMI_LOCAL, "lifeboat");
	/* unregister_nmi_handler() waited for running handlers; none can use the mappings now. */
	lb_quiesce_release();
	lb_live_unlock();
	pr_info("disarmed\n");
}
