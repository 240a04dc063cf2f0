// SPDX-License-Identifier: GPL-2.0
/*
 * Loading a capture image: check the caller's request and copy its files,
 * gather the machine's facts (machine.c), let the portable builder place
 * everything, then publish it into the region in one step (live.c).
 *
 * Everything that can fail happens before the publication, on private
 * copies, so a failed load leaves the previous image intact. A load may
 * take its region at run time (runtime.c) when the machine has none from
 * boot; it becomes the region at the publication, and the one it replaces,
 * or the one a failed load took, goes back to the page allocator. The
 * publication itself only copies bytes and computes the digest; the panic
 * path ignores the image while it runs (lb_live.valid is clear).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <asm/page.h>
#include <asm/pgtable.h>

#include "internal.h"
#include "live.h"
#include "uapi/lifeboat.h"

/* Serialises loads: a run-time one takes memory, builds into it and swaps. */
static DEFINE_MUTEX(lb_load_mutex);

/**
 * lb_copy_user() - copy the caller's buffer into one of ours
 * @uaddr: user address
 * @len: its length
 * @err: the reason, on failure
 * @what: what it is, for the sentence
 *
 * Context: process context.
 * Return: a buffer for lb_buf_destroy(), or an ERR_PTR().
 */
void *lb_copy_user(u64 uaddr, u64 len, struct lb_err *err, const char *what)
{
	void *buf;

	buf = lb_buf_create(len ? len : 1, false);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(buf, u64_to_user_ptr(uaddr), len)) {
		lb_buf_destroy(buf);
		return ERR_PTR(lb_err_set(err, EFAULT, "cannot read the %s from the caller",
					  what));
	}
	return buf;
}

static int lb_check_crashing_cpu(u64 addr, int **ret, struct lb_err *err)
{
	int val;

	*ret = NULL;
	if (!addr)
		return 0;
	/* A 4-byte int inside the kernel image that reads -1 as long as no one crashed. */
	if (addr < __START_KERNEL_map ||
	    addr >= __START_KERNEL_map + KERNEL_IMAGE_SIZE || addr & 3 ||
	    copy_from_kernel_nofault(&val, (void *)addr, sizeof(val)) || val != -1)
		return lb_err_set(err, EINVAL,
				  "0x%llx is not the address of crashing_cpu", addr);
	*ret = (int *)addr;
	return 0;
}

/* The caller's files, copied: the builder reads these, never user memory. */
struct lb_files {
	void *kernel;
	void *initrd;
	char *cmdline;
};

/*
 * What can be told from the request alone, before anything is copied:
 * a region to load into, the ABI, sizes, and the crashing_cpu address.
 */
static int lb_request_check(const struct lifeboat_load *req,
			    int **crashing_cpu, struct lb_err *err)
{
	bool runtime = req->flags & LIFEBOAT_LOAD_RUNTIME;
	u64 region_size = runtime ? req->region_size :
			  lb_region.end - lb_region.start;

	if (req->version != LIFEBOAT_ABI_VERSION ||
	    (req->flags & ~LIFEBOAT_LOAD_RUNTIME) ||
	    (!runtime && req->region_size))
		return lb_err_set(err, EINVAL, "unsupported request (ABI version %u, flags %#x)",
				  req->version, req->flags);
	if (runtime && lb_region.virt && !lb_region.rt)
		return lb_err_set(err, EEXIST,
				  "this machine has a boot-time region (%s, %llu MiB at %pa): load into it, without a run-time size",
				  lb_region.kind,
				  (u64)(lb_region.end - lb_region.start) >> 20,
				  &lb_region.start);
	if (runtime && (region_size < LB_MIN_RUNTIME_SMALL || region_size > SZ_1T))
		return lb_err_set(err, EINVAL,
				  "a run-time region of %llu MiB: expected %u MiB to 1 TiB",
				  region_size >> 20, LB_MIN_RUNTIME_SMALL >> 20);
	if (!runtime && (!lb_region.virt || lb_region.rt))
		return lb_err_set(err, ENODEV,
				  "no reserved region: boot with crashkernel=SIZE, or with memmap=SIZE$START and load the module with region=SIZE@START, or take one at run time ('lifeboat load --runtime SIZE')");
	/* The builder's bound, which the lifeboat command reads files with too. */
	if (!req->kernel_len || req->kernel_len > LB_KERNEL_MAX_LEN)
		return lb_err_set(err, EINVAL, "kernel image of %llu bytes: expected 1 to %d",
				  req->kernel_len, LB_KERNEL_MAX_LEN);
	if (req->initrd_len >= region_size)
		return lb_err_set(err, ENOSPC,
				  "the initramfs (%llu MiB) does not fit in the region (%llu MiB)",
				  req->initrd_len >> 20, region_size >> 20);
	if (!req->cmdline_len || req->cmdline_len > sizeof(lb_live.cmdline))
		return lb_err_set(err, E2BIG, "command line of %llu bytes: at most %zu",
				  req->cmdline_len, sizeof(lb_live.cmdline) - 1);
	return lb_check_crashing_cpu(req->crashing_cpu, crashing_cpu, err);
}

static void lb_files_destroy(struct lb_files *files)
{
	lb_buf_destroy(files->cmdline);
	lb_buf_destroy(files->initrd);
	lb_buf_destroy(files->kernel);
}

/* Copy the caller's files; on failure @files holds what was copied so far. */
static int lb_files_copy(const struct lifeboat_load *req,
			 struct lb_files *files, struct lb_err *err)
{
	void *buf;

	buf = lb_copy_user(req->kernel, req->kernel_len, err, "kernel image");
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	files->kernel = buf;
	buf = lb_copy_user(req->initrd, req->initrd_len, err, "initramfs");
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	files->initrd = buf;
	buf = lb_copy_user(req->cmdline, req->cmdline_len, err, "command line");
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	files->cmdline = buf;
	if (files->cmdline[req->cmdline_len - 1] != '\0')
		return lb_err_set(err, EINVAL, "the command line is not NUL-terminated");
	return 0;
}

/*
 * The region a run-time load goes into: the current one when it is of the
 * size asked and its first range holds the image, else a new one (*taken).
 */
static int lb_runtime_target(const struct lifeboat_load *req,
			     struct lb_machine_facts *f,
			     const struct lb_image_input *in,
			     struct lb_runtime **target,
			     struct lb_runtime **taken, struct lb_err *err)
{
	struct lb_runtime *cur = lb_region.rt, *rt;
	u64 contig, align;
	int ret;

	ret = lb_image_contig_need(&f->m, in, LB_MAX_EXTRA, &contig, &align,
				   err);
	if (ret)
		return ret;
	if (cur && cur->asked == ALIGN(req->region_size, PAGE_SIZE) &&
	    cur->end - cur->start >= contig && IS_ALIGNED(cur->start, align)) {
		*target = cur;
		return 0;
	}
	rt = lb_runtime_take(f->ranges, f->nr_ranges, contig, align,
			     req->region_size, err);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	*target = rt;
	*taken = rt;
	return 0;
}

/**
 * lb_load() - build a capture image from the caller's files and commit it
 * @req: the request, already copied from userspace
 * @err: the reason, on failure
 *
 * Context: process context; takes lb_load_mutex, then lb_mutex.
 * Return: 0, or a negative errno with @err filled and the previous image,
 * if any, left as it was (still armed if it was), and no memory taken.
 */
int lb_load(const struct lifeboat_load *req, struct lb_err *err)
{
	struct lb_runtime *target = NULL, *taken = NULL, *old = NULL;
	struct lb_image_input in = { };
	struct lb_machine_facts f = { };
	struct lb_files files = { };
	const char *sig_keyring;
	struct lb_err sig_why;
	int *crashing_cpu;
	struct lb_image img;
	void *meta = NULL;
	int ret, sig_ret;
	u64 meta_size;

	ret = lb_request_check(req, &crashing_cpu, err);
	if (ret)
		return ret;
	/* One load at a time: a run-time one takes memory, builds and swaps. */
	mutex_lock(&lb_load_mutex);
	ret = lb_files_copy(req, &files, err);
	if (ret)
		goto out_free;
	/* On our copy, the bytes that go into the region: no one can swap them. */
	sig_ret = lb_sig_verify(files.kernel, req->kernel_len, &sig_keyring,
				&sig_why);

	ret = lb_machine_facts_init(&f, err);
	if (ret)
		goto out_free;

	in.kernel = files.kernel;
	in.kernel_len = req->kernel_len;
	in.initrd = files.initrd;
	in.initrd_len = req->initrd_len;
	in.cmdline = files.cmdline;

	if (req->flags & LIFEBOAT_LOAD_RUNTIME) {
		ret = lb_runtime_target(req, &f, &in, &target, &taken, err);
		if (ret)
			goto out_free;
		f.m.region_start = target->start;
		f.m.region_end = target->end;
		f.m.extra = target->extra;
		f.m.nr_extra = target->nr_extra;
	}

	meta_size = lb_image_meta_size(&f.m);
	meta = lb_buf_create(meta_size, true);
	if (!meta) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = lb_image_build(&f.m, &in, &img, meta, meta_size, err);
	if (ret)
		goto out_free;

	mutex_lock(&lb_mutex);
	ret = lb_kdump_conflict(err);
	if (!ret)
		ret = lb_sig_allowed(sig_ret, &sig_why, err);
	if (!ret) {
		/* Nothing published points into the old region once this is done. */
		if (taken) {
			WRITE_ONCE(lb_live.valid, false);
			old = lb_region_use_runtime(taken);
			taken = NULL;
		}
		lb_live_publish(&img, crashing_cpu, f.m.nr_cpus, req, sig_keyring);
		pr_info("loaded a %s capture kernel%s%s%s: %llu MiB free for it in %llu MiB at %pa (%s)%s\n",
			img.loader, sig_keyring ? " signed with a key of the " : "",
			sig_keyring ?: "", sig_keyring ? " keyring" : "",
			img.free_ram >> 20,
			(u64)(lb_region.rt ? lb_region.rt->total :
			      lb_region.end - lb_region.start) >> 20,
			&lb_region.start, lb_region.kind,
			lb_armed ? "; still armed" : "");
	}
	mutex_unlock(&lb_mutex);

out_free:
	lb_runtime_give(taken);
	lb_runtime_give(old);
	mutex_unlock(&lb_load_mutex);
	lb_buf_destroy(meta);
	lb_machine_facts_deinit(&f);
	lb_files_destroy(&files);
	return ret;
}

/**
 * lb_unload() - forget the loaded image, disarming first
 * @err: the reason, on failure
 *
 * Context: process context; takes lb_load_mutex, then lb_mutex.
 * Return: 0, or -ENOENT if nothing is loaded.
 */
int lb_unload(struct lb_err *err)
{
	struct lb_runtime *rt = NULL;
	int ret = 0;

	/* Not while a load builds into the run-time region it would give back. */
	mutex_lock(&lb_load_mutex);
	mutex_lock(&lb_mutex);
	if (!lb_live.valid) {
		ret = lb_err_set(err, ENOENT, "no capture image is loaded");
	} else {
		lb_disarm();
		lb_live_clear();
		/* A region taken at run time lives as long as its image. */
		if (lb_region.rt)
			rt = lb_region_use_runtime(NULL);
		pr_info("capture image unloaded\n");
	}
	mutex_unlock(&lb_mutex);
	lb_runtime_give(rt);
	mutex_unlock(&lb_load_mutex);
	return ret;
}

/*
 * Memory added or removed makes a loaded image stale: its ELF core header
 * would miss the new RAM or point at RAM that is gone, and its region may
 * sit in memory that left. It is unloaded, which disarms, with a message;
 * `lifeboat start` loads it anew for the machine as it is now.
 */
static void lb_hotplug_fn(struct work_struct *work)
{
	struct lb_err err;

	if (!READ_ONCE(lb_live.valid))
		return;
	pr_warn("memory was added or removed: the capture image's memory map is stale; unloading it, so the machine is not armed; 'lifeboat start' loads it again\n");
	if (lb_unload(&err))
		pr_warn("%s\n", err.msg);
}

static DECLARE_WORK(lb_hotplug_work, lb_hotplug_fn);

static int lb_memory_event(struct notifier_block *nb, unsigned long action,
			   void *arg)
{
	if (action == MEM_ONLINE || action == MEM_OFFLINE)
		schedule_work(&lb_hotplug_work);
	return NOTIFY_OK;
}

static struct notifier_block lb_memory_nb = {
	.notifier_call = lb_memory_event,
};

/**
 * lb_load_init() - watch for memory hotplug, which makes an image stale
 *
 * Context: module init.
 * Return: 0, or the error of register_memory_notifier().
 */
int lb_load_init(void)
{
	return register_memory_notifier(&lb_memory_nb);
}

/**
 * lb_load_exit() - stop watching, with no unload left to run
 *
 * Context: module exit.
 */
void lb_load_exit(void)
{
	unregister_memory_notifier(&lb_memory_nb);
	cancel_work_sync(&lb_hotplug_work);
}
