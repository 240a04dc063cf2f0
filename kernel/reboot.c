// SPDX-License-Identifier: GPL-2.0
/*
 * The fast reboot: the next restart boots a kernel loaded beforehand,
 * without the firmware, as kload and Solaris Fast Reboot did.
 *
 * Loading (lb_reboot_load()) needs no reserved region. The kernel's and the
 * initrd's bytes go into pages taken from the page allocator, anywhere but
 * in the window they will be copied to (lifeboat/boot.h); so do the pages
 * of the copy list and the control block the jump runs from. A page the
 * allocator offers inside the window is held aside until the load is done,
 * so that it is not offered again. A digest covers it all.
 *
 * The restart takes two steps, both on kernel_restart()'s path and on no
 * other (not halt, not power-off, not the kernel's own kexec, which runs
 * neither of them). The restart-prepare handlers run after the reboot
 * notifiers and device_shutdown(): there lb_reboot_prepare() checks the
 * machine again and does what the kernel's kexec would have done had its
 * kexec_in_progress been set: it clears bus mastering on every PCI
 * function (device_shutdown() leaves that to the firmware on a restart).
 * It keeps lb_mutex, so that nothing changes the image from then on.
 * kernel_restart() then moves to the reboot CPU, runs the syscore shutdown
 * callbacks (the 8259 masked, machine checks off, and on 6.12 the printk
 * threads stopped, so that our last lines reach the console) and dumps the
 * kernel log with KMSG_DUMP_SHUTDOWN: our dumper, lb_reboot_jump(), checks
 * the digest, stops the other CPUs, shuts the IOMMU down, quiets the
 * interrupt hardware as the panic path does and enters the trampoline,
 * which copies the pages into place and jumps. Any check that fails on the
 * way returns to kernel_restart(), and the firmware reboots the machine:
 * the reason is in the log.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/sha2.h>
#include <linux/cc_platform.h>
#include <linux/cpumask.h>
#include <linux/crash_dump.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/kmsg_dump.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <asm/hypervisor.h>
#include <asm/smp.h>
#include <asm/x86_init.h>

#include "compat.h"
#include "internal.h"
#include "lifeboat/boot.h"
#include "uapi/lifeboat.h"

/* Entries per page of the copy list; the last slot links to the next page. */
#define LB_LIST_SLOTS	(PAGE_SIZE / sizeof(u64) - 1)

/* The loaded fast reboot; under lb_mutex. */
struct lb_fast {
	bool loaded;
	struct page **src;		/* the kernel's pages, then the initrd's */
	unsigned long nr_src;
	struct page **lists;		/* the copy list */
	unsigned long nr_lists;
	struct page *ctl;		/* the control block */
	unsigned int ctl_order;
	u64 ctl_len;
	u8 digest[SHA256_DIGEST_SIZE];
	u64 pgd_pa;
	u64 ident_pa;
	const char *sig_keyring;
	/* What sysfs shows. */
	const char *loader;
	u64 kernel_len;
	u64 initrd_len;
	u64 load;
	u64 initrd_pa;
	char *cmdline;
};

static struct lb_fast lb_fast;
static struct sys_off_handler *lb_fast_handler;
/* lb_reboot_prepare() passed and holds lb_mutex: the dumper may jump. */
static bool lb_fast_go;

static int lb_reboot_prepare(struct sys_off_data *data);
#if LB_HAVE_KMSG_DUMP_DETAIL
static void lb_reboot_jump(struct kmsg_dumper *dumper,
			   struct kmsg_dump_detail *detail);
#else
static void lb_reboot_jump(struct kmsg_dumper *dumper,
			   enum kmsg_dump_reason reason);
#endif

static struct kmsg_dumper lb_fast_dumper = {
	.dump = lb_reboot_jump,
	.max_reason = KMSG_DUMP_SHUTDOWN,
};

static void lb_fast_free(struct lb_fast *f)
{
	unsigned long i;

	for (i = 0; f->src && i < f->nr_src; i++)
		if (f->src[i])
			__free_page(f->src[i]);
	for (i = 0; f->lists && i < f->nr_lists; i++)
		if (f->lists[i])
			__free_page(f->lists[i]);
	if (f->ctl)
		__free_pages(f->ctl, f->ctl_order);
	kvfree(f->src);
	kvfree(f->lists);
	kfree(f->cmdline);
	memset(f, 0, sizeof(*f));
}

/* Is this CPU the boot processor? The APIC base MSR says, on family 6 and later. */
static bool lb_on_bsp(void)
{
	u64 base;

	if (boot_cpu_data.x86 < 6 || rdmsrl_safe(MSR_IA32_APICBASE, &base))
		return true;
	return base & MSR_IA32_APICBASE_BSP;
}

static void lb_on_bsp_fn(void *arg)
{
	*(bool *)arg = lb_on_bsp();
}

/*
 * What lb_boot_refusal() weighs. @cpu is the CPU that would jump: the
 * reboot CPU, the first online one (the dumper, which runs on it, asks
 * lb_on_bsp() itself).
 */
static void lb_fast_env(struct lb_boot_env *e, int cpu)
{
	bool bsp = true;

	e->cpus_online = num_online_cpus();
	e->cpus_present = num_present_cpus();
	e->hyper = LB_HYPER_NONE;
	if (x86_hyper_type == X86_HYPER_XEN_HVM ||
	    x86_hyper_type == X86_HYPER_XEN_PV)
		e->hyper = LB_HYPER_XEN;
	else if (x86_hyper_type == X86_HYPER_MS_HYPERV)
		e->hyper = LB_HYPER_HYPERV;
	e->mem_encrypt = cc_platform_has(CC_ATTR_MEM_ENCRYPT) ||
			 cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT);
	smp_call_function_single(cpu, lb_on_bsp_fn, &bsp, 1);
	e->off_bsp = !bsp;
}

static void lb_fast_digest(const struct lb_fast *f, u8 out[SHA256_DIGEST_SIZE])
{
	struct sha256_state st;
	unsigned long i;

	sha256_init(&st);
	sha256_update(&st, page_address(f->ctl), f->ctl_len);
	for (i = 0; i < f->nr_lists; i++)
		sha256_update(&st, page_address(f->lists[i]), PAGE_SIZE);
	for (i = 0; i < f->nr_src; i++)
		sha256_update(&st, page_address(f->src[i]), PAGE_SIZE);
	sha256_final(&st, out);
}

/* Pages the allocator offered where they cannot be used, held until the load ends. */
struct lb_rejects {
	struct list_head pages;
	unsigned long nr;
	unsigned long max;
};

static void lb_rejects_free(struct lb_rejects *r)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, &r->pages, lru) {
		list_del(&page->lru);
		__free_pages(page, page_private(page));
	}
	r->nr = 0;
}

/* 2^order pages the jump may use (lb_boot_page_ok()), or NULL. */
static struct page *lb_fast_alloc(const struct lb_boot_input *in,
				  const struct lb_boot_plan *p,
				  struct lb_rejects *r, unsigned int order)
{
	struct page *page;

	for (;;) {
		page = alloc_pages(GFP_KERNEL | __GFP_NOWARN | __GFP_ZERO, order);
		if (!page)
			return NULL;
		if (lb_boot_page_ok(in, p, page_to_phys(page), PAGE_SIZE << order))
			return page;
		set_page_private(page, order);
		list_add(&page->lru, &r->pages);
		if (++r->nr > r->max)
			return NULL;
	}
}

static int lb_range_cmp(const void *a, const void *b)
{
	const struct lb_mem_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * The window keeps out of the crashkernel region, and, in a capture
 * kernel, out of its own RAM, where the sources are: the RAM it dumped,
 * which the new kernel gets, lies outside it.
 */
static struct lb_mem_range *lb_fast_avoid(const struct lb_machine_facts *f,
					  unsigned int *nr)
{
	struct lb_mem_range *a;
	unsigned int i, n = 0;

	a = kvcalloc(f->nr_ranges + 1, sizeof(*a), GFP_KERNEL);
	if (!a)
		return NULL;
	if (lb_region.virt) {
		a[n].start = lb_region.start;
		a[n].end = lb_region.end;
		a[n++].type = LB_MEM_RESERVED;
	}
	for (i = 0; is_kdump_kernel() && i < f->nr_ranges; i++)
		if (f->ranges[i].type == LB_MEM_RAM && f->ranges[i].end > SZ_1M)
			a[n++] = f->ranges[i];
	sort(a, n, sizeof(*a), lb_range_cmp, NULL);
	*nr = n;
	return a;
}

static struct lb_mem_range *lb_fast_user_map(const struct lifeboat_reboot *req,
					     struct lb_err *err)
{
	struct lifeboat_range ur;
	struct lb_mem_range *map;
	u64 i;

	map = kvcalloc(req->nr_map, sizeof(*map), GFP_KERNEL);
	if (!map)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < req->nr_map; i++) {
		if (copy_from_user(&ur, u64_to_user_ptr(req->map + i * sizeof(ur)),
				   sizeof(ur))) {
			kvfree(map);
			return ERR_PTR(lb_err_set(err, EFAULT,
						  "cannot read the memory map from the caller"));
		}
		map[i].start = ur.start;
		map[i].end = ur.end;
		map[i].type = ur.type;
	}
	return map;
}

/* Fills the copy list: the kernel's pages to kernel_load, the initrd's after. */
static void lb_fast_list(struct lb_fast *f, const struct lb_boot_plan *p,
			 unsigned long nr_kernel)
{
	unsigned long li = 0, slot = 0, i;
	u64 *entry = page_address(f->lists[0]);

#define LB_PUT(v) do {							\
		if (slot == LB_LIST_SLOTS) {				\
			entry[slot] = page_to_phys(f->lists[++li]) |	\
				      LB_IND_INDIRECTION;		\
			entry = page_address(f->lists[li]);		\
			slot = 0;					\
		}							\
		entry[slot++] = (v);					\
	} while (0)

	LB_PUT(p->kernel_load | LB_IND_DESTINATION);
	for (i = 0; i < f->nr_src; i++) {
		if (i == nr_kernel)
			LB_PUT(p->initrd_pa | LB_IND_DESTINATION);
		LB_PUT(page_to_phys(f->src[i]) | LB_IND_SOURCE);
	}
	LB_PUT(LB_IND_DONE);
#undef LB_PUT
}

static int lb_fast_fill(struct lb_fast *f, const struct lb_boot_plan *p,
			const u8 *kernel, const struct lifeboat_reboot *req,
			unsigned long nr_kernel, struct lb_err *err)
{
	unsigned long i;
	u64 off, n;

	for (i = 0; i < nr_kernel; i++) {
		off = i * PAGE_SIZE;
		n = min_t(u64, PAGE_SIZE, p->pm_len - off);
		memcpy(page_address(f->src[i]), kernel + p->pm_off + off, n);
	}
	for (i = nr_kernel; i < f->nr_src; i++) {
		off = (i - nr_kernel) * PAGE_SIZE;
		n = min_t(u64, PAGE_SIZE, req->initrd_len - off);
		if (copy_from_user(page_address(f->src[i]),
				   u64_to_user_ptr(req->initrd + off), n))
			return lb_err_set(err, EFAULT, "cannot read the initramfs from the caller");
		cond_resched();
	}
	return 0;
}

static int lb_fast_build(struct lb_fast *f, const struct lb_boot_input *in,
			 const struct lb_boot_plan *p,
			 const struct lifeboat_reboot *req, struct lb_err *err)
{
	unsigned long nr_kernel = DIV_ROUND_UP(p->pm_len, PAGE_SIZE);
	unsigned long nr_initrd = DIV_ROUND_UP(req->initrd_len, PAGE_SIZE);
	unsigned long entries, i;
	struct lb_rejects r = { .pages = LIST_HEAD_INIT(r.pages) };
	int ret = -ENOMEM;

	f->nr_src = nr_kernel + nr_initrd;
	entries = 1 + f->nr_src + (nr_initrd ? 1 : 0) + 1;
	f->nr_lists = DIV_ROUND_UP(entries, LB_LIST_SLOTS);
	/* At worst the allocator offers every page of the window first. */
	r.max = ((p->window_end - p->window_start) >> PAGE_SHIFT) + 4096;

	f->src = kvcalloc(f->nr_src, sizeof(*f->src), GFP_KERNEL);
	f->lists = kvcalloc(f->nr_lists, sizeof(*f->lists), GFP_KERNEL);
	if (!f->src || !f->lists)
		goto out;
	f->ctl_len = p->ctl_len;
	f->ctl_order = get_order(p->ctl_len);
	f->ctl = lb_fast_alloc(in, p, &r, f->ctl_order);
	if (!f->ctl)
		goto out_nomem;
	for (i = 0; i < f->nr_lists; i++) {
		f->lists[i] = lb_fast_alloc(in, p, &r, 0);
		if (!f->lists[i])
			goto out_nomem;
	}
	for (i = 0; i < f->nr_src; i++) {
		f->src[i] = lb_fast_alloc(in, p, &r, 0);
		if (!f->src[i])
			goto out_nomem;
		if (!(i % 1024))
			cond_resched();
	}
	lb_rejects_free(&r);

	ret = lb_fast_fill(f, p, in->kernel, req, nr_kernel, err);
	if (ret)
		goto out;
	lb_fast_list(f, p, nr_kernel);
	ret = lb_boot_build(in, p, page_to_phys(f->ctl),
			    page_to_phys(f->lists[0]), page_address(f->ctl), err);
	if (ret)
		goto out;
	f->pgd_pa = page_to_phys(f->ctl) + p->pt_off;
	f->ident_pa = page_to_phys(f->ctl) + p->tramp_off +
		      (lb_tramp_ident - lb_tramp_start);
	lb_fast_digest(f, f->digest);
	return 0;

out_nomem:
	ret = lb_err_set(err, ENOMEM,
			 "not enough memory for %lu pages of kernel and initrd outside the window 0x%llx-0x%llx",
			 f->nr_src, p->window_start, p->window_end);
out:
	lb_rejects_free(&r);
	return ret;
}

static int lb_reboot_check(const struct lifeboat_reboot *req, struct lb_err *err)
{
	struct lb_boot_env env;

	if (req->version != LIFEBOAT_ABI_VERSION || req->flags)
		return lb_err_set(err, EINVAL, "unsupported request (ABI version %u, flags %#x)",
				  req->version, req->flags);
	if (!req->kernel_len || req->kernel_len > LB_KERNEL_MAX_LEN)
		return lb_err_set(err, EINVAL, "kernel image of %llu bytes: expected 1 to %d",
				  req->kernel_len, LB_KERNEL_MAX_LEN);
	if (req->initrd_len > (u64)totalram_pages() << PAGE_SHIFT >> 1)
		return lb_err_set(err, ENOMEM,
				  "an initramfs of %llu MiB is more than half of the RAM",
				  req->initrd_len >> 20);
	if (!req->cmdline_len || req->cmdline_len > PAGE_SIZE)
		return lb_err_set(err, E2BIG, "command line of %llu bytes: at most %lu",
				  req->cmdline_len, PAGE_SIZE - 1);
	if (req->nr_map > LIFEBOAT_REBOOT_MAX_RANGES)
		return lb_err_set(err, E2BIG, "a memory map of %llu ranges: at most %d",
				  req->nr_map, LIFEBOAT_REBOOT_MAX_RANGES);
	lb_fast_env(&env, cpumask_first(cpu_online_mask));
	return lb_boot_refusal(&env, err);
}

static void lb_fast_input(struct lb_boot_input *in, const struct lb_machine *m)
{
	in->la57 = m->la57;
	in->acpi_rsdp = m->acpi_rsdp;
	in->tramp_code = m->tramp_code;
	in->tramp_len = m->tramp_len;
	in->tramp_va = m->tramp_va;
	in->tramp_nmi_off = m->tramp_nmi_off;
	in->tramp_fault_off = m->tramp_fault_off;
}

static int lb_fast_register(struct lb_err *err)
{
	struct sys_off_handler *h;
	int ret;

	if (lb_fast_handler)
		return 0;
	ret = lb_quiesce_prepare(err);
	if (ret)
		return ret;
	ret = kmsg_dump_register(&lb_fast_dumper);
	if (ret) {
		lb_quiesce_release();
		return lb_err_set(err, -ret, "cannot register the kernel log dumper");
	}
	h = register_sys_off_handler(SYS_OFF_MODE_RESTART_PREPARE,
				     SYS_OFF_PRIO_DEFAULT, lb_reboot_prepare,
				     NULL);
	if (IS_ERR(h)) {
		kmsg_dump_unregister(&lb_fast_dumper);
		lb_quiesce_release();
		return lb_err_set(err, -PTR_ERR(h),
				  "cannot register the restart handler");
	}
	lb_fast_handler = h;
	return 0;
}

static void lb_fast_unregister(void)
{
	if (!lb_fast_handler)
		return;
	unregister_sys_off_handler(lb_fast_handler);
	lb_fast_handler = NULL;
	kmsg_dump_unregister(&lb_fast_dumper);
	lb_quiesce_release();
}

/**
 * lb_reboot_load() - load what the next restart boots
 * @req: the request, already copied from userspace
 * @err: the reason, on failure
 *
 * Context: process context; takes lb_mutex.
 * Return: 0, or a negative errno with @err filled and the previous fast
 * reboot, if any, left as it was.
 */
int lb_reboot_load(const struct lifeboat_reboot *req, struct lb_err *err)
{
	struct lb_machine_facts facts = { };
	struct lb_mem_range *map = NULL, *avoid = NULL;
	struct lb_boot_input in = { };
	struct lb_fast f = { };
	struct lb_boot_plan p;
	struct lb_err sig_why;
	const char *keyring;
	void *kernel = NULL;
	int ret, sig_ret;

	ret = lb_reboot_check(req, err);
	if (ret)
		return ret;
	kernel = lb_copy_user(req->kernel, req->kernel_len, err, "kernel image");
	if (IS_ERR(kernel))
		return PTR_ERR(kernel);
	f.cmdline = kzalloc(req->cmdline_len, GFP_KERNEL);
	ret = -ENOMEM;
	if (!f.cmdline)
		goto out;
	ret = -EFAULT;
	if (copy_from_user(f.cmdline, u64_to_user_ptr(req->cmdline), req->cmdline_len)) {
		lb_err_set(err, EFAULT, "cannot read the command line from the caller");
		goto out;
	}
	if (f.cmdline[req->cmdline_len - 1] != '\0') {
		ret = lb_err_set(err, EINVAL, "the command line is not NUL-terminated");
		goto out;
	}

	sig_ret = lb_sig_verify(kernel, req->kernel_len, &keyring, &sig_why);
	if (sig_ret && security_locked_down(LOCKDOWN_KEXEC)) {
		ret = lb_err_set(err, EPERM,
				 "the kernel is locked down and the new kernel's signature does not verify: %s",
				 sig_why.msg);
		goto out;
	}

	ret = lb_machine_facts_init(&facts, err);
	if (ret)
		goto out;
	lb_fast_input(&in, &facts.m);
	if (req->acpi_rsdp)
		in.acpi_rsdp = req->acpi_rsdp;
	if (req->nr_map) {
		map = lb_fast_user_map(req, err);
		if (IS_ERR(map)) {
			ret = PTR_ERR(map);
			map = NULL;
			goto out;
		}
		in.map = map;
		in.nr_map = req->nr_map;
	} else {
		in.map = facts.fw_ranges;
		in.nr_map = facts.nr_fw_ranges;
	}
	ret = -ENOMEM;
	avoid = lb_fast_avoid(&facts, &in.nr_avoid);
	if (!avoid)
		goto out;
	in.avoid = avoid;
	in.kernel = kernel;
	in.kernel_len = req->kernel_len;
	in.initrd_len = req->initrd_len;
	in.cmdline = f.cmdline;

	ret = lb_boot_plan(&in, &p, err);
	if (ret)
		goto out;
	ret = lb_fast_build(&f, &in, &p, req, err);
	if (ret)
		goto out;
	f.sig_keyring = sig_ret ? NULL : keyring;
	f.loader = p.loader;
	f.kernel_len = req->kernel_len;
	f.initrd_len = req->initrd_len;
	f.load = p.kernel_load;
	f.initrd_pa = p.initrd_pa;

	mutex_lock(&lb_mutex);
	ret = lb_fast_register(err);
	if (!ret) {
		swap(f, lb_fast);
		lb_fast.loaded = true;
		pr_info("fast reboot loaded: a %s kernel for 0x%llx, %llu MiB of kernel and initrd in %lu pages%s\n",
			lb_fast.loader, lb_fast.load,
			(lb_fast.kernel_len + lb_fast.initrd_len) >> 20,
			lb_fast.nr_src,
			lb_fast.sig_keyring ? ", signature verified" : "");
	}
	mutex_unlock(&lb_mutex);

out:
	lb_fast_free(&f);
	kvfree(avoid);
	kvfree(map);
	lb_machine_facts_deinit(&facts);
	if (!IS_ERR_OR_NULL(kernel))
		lb_buf_destroy(kernel);
	return ret;
}

/**
 * lb_reboot_cancel() - make the next restart a firmware one again
 * @err: the reason, on failure
 *
 * Context: process context; takes lb_mutex.
 * Return: 0, or -ENOENT if no fast reboot was loaded.
 */
int lb_reboot_cancel(struct lb_err *err)
{
	int ret = 0;

	mutex_lock(&lb_mutex);
	if (!lb_fast.loaded) {
		ret = lb_err_set(err, ENOENT, "no fast reboot is loaded");
	} else {
		lb_fast_unregister();
		lb_fast_free(&lb_fast);
		pr_info("fast reboot cancelled: the next reboot goes through the firmware\n");
	}
	mutex_unlock(&lb_mutex);
	return ret;
}

/*
 * Bus mastering off on every PCI function, bridges included, as kexec's
 * pci_device_shutdown() does for the functions it knows are powered; we
 * also take those whose power state the kernel never learnt (no driver),
 * and skip only a function whose configuration space does not answer.
 * Returns the number of functions that had it on.
 */
static unsigned int lb_pci_stop_dma(unsigned int *seen)
{
	struct pci_dev *pdev = NULL;
	unsigned int n = 0;
	u16 cmd;

	*seen = 0;
	for_each_pci_dev(pdev) {
		(*seen)++;
		if (pdev->current_state == PCI_D3cold ||
		    pci_read_config_word(pdev, PCI_COMMAND, &cmd) || cmd == 0xffff)
			continue;
		if (cmd & PCI_COMMAND_MASTER) {
			pci_clear_master(pdev);
			n++;
		}
	}
	return n;
}

static const char *lb_reboot_why_not(void)
{
	static struct lb_err why;
	struct lb_boot_env env;

	lb_fast_env(&env, cpumask_first(cpu_online_mask));
	if (lb_boot_refusal(&env, &why))
		return why.msg;
	if (!lb_fast.sig_keyring && security_locked_down(LOCKDOWN_KEXEC))
		return "the kernel is locked down and the new kernel's signature was not verified";
	return NULL;
}

/**
 * lb_reboot_prepare() - get the restart ready for the jump
 * @data: unused
 *
 * Context: kernel_restart(), after device_shutdown(), process context.
 * Return: NOTIFY_DONE. On success lb_mutex stays held and lb_fast_go set,
 * for lb_reboot_jump(); otherwise the firmware reboot follows.
 */
static int lb_reboot_prepare(struct sys_off_data *data)
{
	unsigned int functions, masters;
	const char *why;

	mutex_lock(&lb_mutex);
	if (!lb_fast.loaded) {
		mutex_unlock(&lb_mutex);
		return NOTIFY_DONE;
	}
	why = lb_reboot_why_not();
	if (why) {
		pr_emerg("fast reboot abandoned: %s; the firmware reboots the machine\n", why);
		mutex_unlock(&lb_mutex);
		return NOTIFY_DONE;
	}
	masters = lb_pci_stop_dma(&functions);
	pr_info("fast reboot: bus mastering was on for %u of %u PCI functions, now off\n",
		masters, functions);
	WRITE_ONCE(lb_fast_go, true);
	return NOTIFY_DONE;
}

/*
 * The kernel log dumper, called with KMSG_DUMP_SHUTDOWN by kernel_restart()
 * after the syscore shutdown, on the reboot CPU: take the restart to the
 * loaded kernel. Returns only to give up.
 */
static void lb_reboot_jump_body(void)
{
	u8 digest[SHA256_DIGEST_SIZE];
	const char *why;

	/* After bus mastering is off, no device writes into the pages any more. */
	lb_fast_digest(&lb_fast, digest);
	if (memcmp(digest, lb_fast.digest, sizeof(digest))) {
		why = "the image was damaged after it was loaded (digest mismatch)";
		goto out_abandon;
	}
	if (!lb_on_bsp()) {
		why = "the kernel restarts on a CPU that is not the boot processor (reboot_cpu=)";
		goto out_abandon;
	}
	/* While the console can still be written from here: on PREEMPT_RT not with IRQs off. */
	pr_emerg("fast reboot: jumping to the new kernel from CPU %u\n",
		 raw_smp_processor_id());
	local_irq_disable();
	smp_ops.stop_other_cpus(1);
	if (num_online_cpus() > 1) {
		local_irq_enable();
		why = "another CPU did not stop";
		goto out_abandon;
	}
	if (x86_platform.iommu_shutdown)
		x86_platform.iommu_shutdown();
	lb_quiesce_this_cpu();
	lb_quiesce_machine();
	lb_cet_disable();
	lb_tramp_jump(lb_fast.pgd_pa, lb_fast.ident_pa);
	unreachable();

out_abandon:
	pr_emerg("fast reboot abandoned: %s; the firmware reboots the machine\n", why);
}

#if LB_HAVE_KMSG_DUMP_DETAIL
static void lb_reboot_jump(struct kmsg_dumper *dumper,
			   struct kmsg_dump_detail *detail)
{
	enum kmsg_dump_reason reason = detail->reason;
#else
static void lb_reboot_jump(struct kmsg_dumper *dumper,
			   enum kmsg_dump_reason reason)
{
#endif
	/* The kernel's own kexec dumps at SYSTEM_RESTART too, but never prepared us. */
	if (reason != KMSG_DUMP_SHUTDOWN || system_state != SYSTEM_RESTART ||
	    !READ_ONCE(lb_fast_go))
		return;
	WRITE_ONCE(lb_fast_go, false);
	lb_reboot_jump_body();
	mutex_unlock(&lb_mutex);
}

/**
 * lb_reboot_show() - the fast_reboot attribute
 * @buf: the sysfs page
 *
 * Context: process context; takes lb_mutex.
 * Return: bytes written.
 */
ssize_t lb_reboot_show(char *buf)
{
	ssize_t n;

	mutex_lock(&lb_mutex);
	if (!lb_fast.loaded)
		n = sysfs_emit(buf, "none\n");
	else
		n = sysfs_emit(buf,
			       "loaded\nloader=%s\nkernel=%llu\ninitrd=%llu\nload=0x%llx\ninitrd_at=0x%llx\ncmdline=%s\npages=%lu\nfirst_page=0x%llx\nsigned=%s\n",
			       lb_fast.loader, lb_fast.kernel_len,
			       lb_fast.initrd_len, lb_fast.load,
			       lb_fast.initrd_pa, lb_fast.cmdline,
			       lb_fast.nr_src,
			       (u64)page_to_phys(lb_fast.src[0]),
			       lb_fast.sig_keyring ?: "no");
	mutex_unlock(&lb_mutex);
	return n;
}

/**
 * lb_reboot_exit() - forget the fast reboot at module unload
 *
 * Context: process context.
 */
void lb_reboot_exit(void)
{
	mutex_lock(&lb_mutex);
	lb_fast_unregister();
	lb_fast_free(&lb_fast);
	mutex_unlock(&lb_mutex);
}
