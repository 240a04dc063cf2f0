// SPDX-License-Identifier: GPL-2.0
/*
 * Lifeboat: crash capture without the kernel's kexec.
 *
 * Module entry: creates /sys/kernel/lifeboat/ and tears it down again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/sysfs.h>

static struct kobject *lb_kobj;

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "empty\n");
}

static struct kobj_attribute state_attr = __ATTR_RO(state);

static struct attribute *lb_attrs[] = {
	&state_attr.attr,
	NULL,
};

static const struct attribute_group lb_attr_group = {
	.attrs = lb_attrs,
};

static int __init lb_init(void)
{
	int ret;

	lb_kobj = kobject_create_and_add("lifeboat", kernel_kobj);
	if (!lb_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(lb_kobj, &lb_attr_group);
	if (ret)
		goto out_put;
	pr_info("ready\n");
	return 0;

out_put:
	kobject_put(lb_kobj);
	return ret;
}

static void __exit lb_exit(void)
{
	sysfs_remove_group(lb_kobj, &lb_attr_group);
	kobject_put(lb_kobj);
}

module_init(lb_init);
module_exit(lb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Lifeboat crash capture");
