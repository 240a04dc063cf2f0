// SPDX-License-Identifier: GPL-2.0
/*
 * Lifeboat: crash capture without the kernel's kexec.
 *
 * Module entry: the region, /dev/lifeboat (load, unload, arm, disarm by
 * ioctl, with a sentence back on failure) and /sys/kernel/lifeboat/:
 *
 *   armed    0 or 1; writing 1 arms the loaded image, 0 disarms
 *   state    empty, loaded or armed
 *   region   start end size kind, or "none: <why>"; for a region taken
 *            at run time (kind runtime), its first range
 *   runtime  "none", or for a region taken at run time "total=<bytes>
 *            ranges=<n> took_ms=<ms> attempts=<n>" and one line per
 *            range, "0x<start> 0x<end>", the first range first
 *   image    the loaded image: loader, where its pieces are, its digest
 *   cmdline  the capture kernel's command line
 *   memory   what the module holds from the kernel's allocators: the working
 *            copies of a load under way, the I/O mappings of an armed
 *            image and a region taken at run time, each as a count and
 *            bytes; all 0 when idle
 *   last_jump  "time=<secs> cpu=<n>": the jump stamp the panic path left in
 *            the region before a jump to a capture kernel, found at load
 *            and cleared there; "none" without one
 *   fast_reboot  "none", or "loaded" and key=value lines: what the next
 *            restart boots without the firmware (reboot.c); root only,
 *            as it gives physical addresses
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "internal.h"
#include "live.h"
#include "uapi/lifeboat.h"

/* Serialises load, unload, arm and disarm; never taken on the panic path. */
DEFINE_MUTEX(lb_mutex);

static char *region;
module_param(region, charp, 0444);
MODULE_PARM_DESC(region, "SIZE@START of a memmap=SIZE$START region (default: the crashkernel= region)");

static struct kobject *lb_kobj;
static struct lb_err lb_region_err;	/* why there is no region */
/* The jump stamp found in the region at load; valid when it was there. */
static struct lb_jump_stamp lb_last_jump;

static struct {
	atomic_long_t nr;
	atomic_long_t bytes;
} lb_held[LB_HELD_NR];

/**
 * lb_held_get() - count something the module now holds
 * @kind: what it is
 * @bytes: its size
 *
 * Context: any.
 */
void lb_held_get(enum lb_held_kind kind, size_t bytes)
{
	atomic_long_inc(&lb_held[kind].nr);
	atomic_long_add(bytes, &lb_held[kind].bytes);
}

/**
 * lb_held_put() - count something the module gave back
 * @kind: what it was
 * @bytes: its size, as given to lb_held_get()
 *
 * Context: any.
 */
void lb_held_put(enum lb_held_kind kind, size_t bytes)
{
	atomic_long_dec(&lb_held[kind].nr);
	atomic_long_sub(bytes, &lb_held[kind].bytes);
}

/* A counted buffer: its size sits just before the bytes the caller gets. */
struct lb_buf {
	size_t size;
	u8 data[] __aligned(16);
};

/**
 * lb_buf_create() - a buffer of a load, counted in `memory`
 * @size: bytes wanted
 * @zero: whether they start as zeroes
 *
 * Context: process context; may sleep.
 * Return: the buffer, or NULL. Give it back with lb_buf_destroy().
 */
void *lb_buf_create(size_t size, bool zero)
{
	struct lb_buf *b;
	size_t total = struct_size(b, data, size);

	b = zero ? vzalloc(total) : vmalloc(total);
	if (!b)
		return NULL;
	b->size = size;
	lb_held_get(LB_HELD_BUF, size);
	return b->data;
}

/**
 * lb_buf_destroy() - give back a buffer of lb_buf_create()
 * @buf: the buffer, or NULL
 *
 * Context: process context.
 */
void lb_buf_destroy(void *buf)
{
	struct lb_buf *b;

	if (!buf)
		return;
	b = container_of(buf, struct lb_buf, data);
	lb_held_put(LB_HELD_BUF, b->size);
	vfree(b);
}

static const char *lb_state(void)
{
	if (!READ_ONCE(lb_live.valid))
		return "empty";
	return READ_ONCE(lb_armed) ? "armed" : "loaded";
}

/*
 * Under lb_mutex: a load that replaces an armed image clears lb_live.valid
 * while it copies, and without the mutex the state would read "empty"
 * meanwhile although the machine stays armed.
 */
static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	ssize_t n;

	mutex_lock(&lb_mutex);
	n = sysfs_emit(buf, "%s\n", lb_state());
	mutex_unlock(&lb_mutex);
	return n;
}

static ssize_t armed_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(lb_armed));
}

static int lb_do_arm(bool arm, struct lb_err *err)
{
	int ret = 0;

	mutex_lock(&lb_mutex);
	if (arm)
		ret = lb_arm(err);
	else
		lb_disarm();
	mutex_unlock(&lb_mutex);
	return ret;
}

static ssize_t armed_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	struct lb_err err = { };
	bool arm;
	int ret;

	ret = kstrtobool(buf, &arm);
	if (ret)
		return ret;
	ret = lb_do_arm(arm, &err);
	if (ret) {
		pr_err("cannot arm: %s\n", err.msg);
		return ret;
	}
	return count;
}

/* Under lb_mutex: a load may swap a run-time region meanwhile. */
static ssize_t region_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	ssize_t n;

	mutex_lock(&lb_mutex);
	if (!lb_region.virt)
		n = sysfs_emit(buf, "none: %s\n", lb_region_err.msg);
	else
		n = sysfs_emit(buf, "0x%llx 0x%llx %llu %s\n",
			       (u64)lb_region.start, (u64)lb_region.end,
			       (u64)(lb_region.end - lb_region.start),
			       lb_region.kind);
	mutex_unlock(&lb_mutex);
	return n;
}

static ssize_t runtime_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	const struct lb_runtime *rt;
	unsigned int i;
	ssize_t n;

	mutex_lock(&lb_mutex);
	rt = lb_region.rt;
	if (!rt) {
		n = sysfs_emit(buf, "none\n");
	} else {
		n = sysfs_emit(buf,
			       "total=%llu ranges=%u took_ms=%llu attempts=%u\n0x%llx 0x%llx\n",
			       rt->total, rt->nr_extra + 1, rt->took_ms,
			       rt->attempts, (u64)rt->start, (u64)rt->end);
		for (i = 0; i < rt->nr_extra; i++)
			n += sysfs_emit_at(buf, n, "0x%llx 0x%llx\n",
					   rt->extra[i].start, rt->extra[i].end);
	}
	mutex_unlock(&lb_mutex);
	return n;
}

static ssize_t image_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	const struct lb_image *img = &lb_live.img;
	ssize_t n;

	mutex_lock(&lb_mutex);
	if (!lb_live.valid) {
		n = sysfs_emit(buf, "none\n");
	} else {
		n = sysfs_emit(buf,
			       "loader=%s kernel=%llu@0x%llx initrd=%llu@0x%llx elfcorehdr=0x%llx free=%llu signed=%s sha256=%*phN\n",
			       img->loader, lb_live.kernel_len, img->kernel_load,
			       lb_live.initrd_len, img->initrd_pa,
			       img->elfcorehdr_pa, img->free_ram,
			       lb_live.sig_keyring ?: "no",
			       (int)sizeof(lb_live.digest), lb_live.digest);
	}
	mutex_unlock(&lb_mutex);
	return n;
}

static ssize_t cmdline_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	ssize_t n;

	mutex_lock(&lb_mutex);
	n = sysfs_emit(buf, "%s\n", lb_live.valid ? lb_live.cmdline : "");
	mutex_unlock(&lb_mutex);
	return n;
}

static ssize_t memory_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf,
			  "buffers=%ld buffer_bytes=%ld mappings=%ld mapping_bytes=%ld regions=%ld region_bytes=%ld\n",
			  atomic_long_read(&lb_held[LB_HELD_BUF].nr),
			  atomic_long_read(&lb_held[LB_HELD_BUF].bytes),
			  atomic_long_read(&lb_held[LB_HELD_MAP].nr),
			  atomic_long_read(&lb_held[LB_HELD_MAP].bytes),
			  atomic_long_read(&lb_held[LB_HELD_REGION].nr),
			  atomic_long_read(&lb_held[LB_HELD_REGION].bytes));
}

static ssize_t last_jump_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	if (!lb_jump_stamp_valid(&lb_last_jump))
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "time=%llu cpu=%u\n", lb_last_jump.time,
			  lb_last_jump.cpu);
}

/*
 * The jump stamp a panic left at the region's start (lifeboat/stamp.h),
 * before anything writes into the region: kept for last_jump, then cleared
 * there so that it is told once.
 */
static void lb_take_jump_stamp(void)
{
	struct lb_jump_stamp *stamp = lb_region.virt;

	memcpy(&lb_last_jump, stamp, sizeof(lb_last_jump));
	if (!lb_jump_stamp_valid(&lb_last_jump)) {
		memset(&lb_last_jump, 0, sizeof(lb_last_jump));
		return;
	}
	memset(stamp, 0, sizeof(*stamp));
	pr_info("a panic at %llu (seconds since the epoch) jumped from CPU %u to a capture kernel\n",
		lb_last_jump.time, lb_last_jump.cpu);
}

static ssize_t fast_reboot_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return lb_reboot_show(buf);
}

static struct kobj_attribute state_attr = __ATTR_RO(state);
static struct kobj_attribute armed_attr = __ATTR_RW_MODE(armed, 0644);
static struct kobj_attribute region_attr = __ATTR_RO(region);
static struct kobj_attribute runtime_attr = __ATTR_RO_MODE(runtime, 0400);
static struct kobj_attribute image_attr = __ATTR_RO(image);
static struct kobj_attribute cmdline_attr = __ATTR_RO(cmdline);
static struct kobj_attribute memory_attr = __ATTR_RO(memory);
static struct kobj_attribute last_jump_attr = __ATTR_RO(last_jump);
static struct kobj_attribute fast_reboot_attr = __ATTR_RO_MODE(fast_reboot, 0400);

static struct attribute *lb_attrs[] = {
	&state_attr.attr,
	&armed_attr.attr,
	&region_attr.attr,
	&runtime_attr.attr,
	&image_attr.attr,
	&cmdline_attr.attr,
	&memory_attr.attr,
	&last_jump_attr.attr,
	&fast_reboot_attr.attr,
	NULL,
};

static const struct attribute_group lb_attr_group = {
	.attrs = lb_attrs,
};

static int lb_put_err(u64 uaddr, const struct lb_err *err)
{
	if (!uaddr)
		return 0;
	if (copy_to_user(u64_to_user_ptr(uaddr), err->msg,
			 min_t(size_t, sizeof(err->msg), LIFEBOAT_ERR_LEN)))
		return -EFAULT;
	return 0;
}

static long lb_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct lb_err err = { };
	struct lifeboat_reboot reboot;
	struct lifeboat_load load;
	struct lifeboat_req req;
	u64 err_addr;
	long ret;

	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	if (cmd == LIFEBOAT_IOC_LOAD) {
		if (copy_from_user(&load, (void __user *)arg, sizeof(load)))
			return -EFAULT;
		err_addr = load.err;
		ret = lb_load(&load, &err);
	} else if (cmd == LIFEBOAT_IOC_REBOOT_LOAD) {
		if (copy_from_user(&reboot, (void __user *)arg, sizeof(reboot)))
			return -EFAULT;
		err_addr = reboot.err;
		ret = lb_reboot_load(&reboot, &err);
	} else {
		if (copy_from_user(&req, (void __user *)arg, sizeof(req)))
			return -EFAULT;
		err_addr = req.err;
		if (req.version != LIFEBOAT_ABI_VERSION || req.flags)
			ret = lb_err_set(&err, EINVAL, "unsupported request");
		else if (cmd == LIFEBOAT_IOC_UNLOAD)
			ret = lb_unload(&err);
		else if (cmd == LIFEBOAT_IOC_ARM)
			ret = lb_do_arm(true, &err);
		else if (cmd == LIFEBOAT_IOC_DISARM)
			ret = lb_do_arm(false, &err);
		else if (cmd == LIFEBOAT_IOC_REBOOT_CANCEL)
			ret = lb_reboot_cancel(&err);
		else
			return -ENOTTY;
	}
	if (ret && lb_put_err(err_addr, &err))
		return -EFAULT;
	return ret;
}

static const struct file_operations lb_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = lb_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice lb_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "lifeboat",
	.fops = &lb_fops,
	.mode = 0600,
};

static int __init lb_init(void)
{
	int ret;

	ret = lb_region_init(region, &lb_region_err);
	if (ret) {
		/* A wrong region= is the administrator's mistake: refuse to load. */
		if (region && *region) {
			pr_err("%s\n", lb_region_err.msg);
			return ret;
		}
		pr_warn("%s\n", lb_region_err.msg);
	} else {
		pr_info("region %pa-%pa (%llu MiB, %s)\n", &lb_region.start,
			&lb_region.end,
			(u64)(lb_region.end - lb_region.start) >> 20,
			lb_region.kind);
		lb_take_jump_stamp();
	}

	lb_kobj = kobject_create_and_add("lifeboat", kernel_kobj);
	if (!lb_kobj) {
		ret = -ENOMEM;
		goto out_region;
	}
	ret = sysfs_create_group(lb_kobj, &lb_attr_group);
	if (ret)
		goto out_put;
	ret = lb_load_init();
	if (ret)
		goto out_group;
	ret = misc_register(&lb_misc);
	if (ret)
		goto out_load;
	return 0;

out_load:
	lb_load_exit();
out_group:
	sysfs_remove_group(lb_kobj, &lb_attr_group);
out_put:
	kobject_put(lb_kobj);
out_region:
	lb_region_exit();
	return ret;
}

static void __exit lb_exit(void)
{
	misc_deregister(&lb_misc);
	lb_load_exit();
	sysfs_remove_group(lb_kobj, &lb_attr_group);
	kobject_put(lb_kobj);
	lb_reboot_exit();
	mutex_lock(&lb_mutex);
	lb_disarm();
	WRITE_ONCE(lb_live.valid, false);
	mutex_unlock(&lb_mutex);
	lb_region_exit();
}

module_init(lb_init);
module_exit(lb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Lifeboat: crash capture into a preloaded capture kernel");
