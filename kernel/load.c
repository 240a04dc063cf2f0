// SPDX-License-Identifier: GPL-2.0
/*
 * Loading a capture image: gather the machine's facts, let the portable
 * builder place everything, then commit it into the region in one step.
 *
 * Everything that can fail happens before the commit, on private copies, so a
 * failed load leaves the previous image intact. The commit itself only copies
 * bytes and computes the digest; the panic path ignores the image while it
 * runs (lb_live.valid is clear).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crash_core.h>
#include <linux/efi.h>
#include <linux/ioport.h>
#include <linux/kexec.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/page.h>
#include <asm/pgtable.h>
#include <asm/special_insns.h>

#include "internal.h"
#include "lifeboat/ranges.h"
#include "uapi/lifeboat.h"

struct lb_live lb_live;

/* Most memory ranges we expect from a machine's iomem tree. */
#define LB_MAX_RANGES 1024
/* Largest kernel image we accept; the decompressor needs init_size anyway. */
#define LB_MAX_KERNEL (256UL << 20)

struct lb_range_walk {
	struct lb_mem_range *r;
	unsigned int nr;
	u32 type;
};

static int lb_range_cb(struct resource *res, void *arg)
{
	struct lb_range_walk *w = arg;

	if (w->nr == LB_MAX_RANGES)
		return -E2BIG;
	w->r[w->nr].start = res->start;
	w->r[w->nr].end = res->end + 1;
	w->r[w->nr].type = w->type;
	w->nr++;
	return 0;
}

static int lb_range_cmp(const void *a, const void *b)
{
	const struct lb_mem_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

/*
 * The machine's memory map as the builder wants it: System RAM, ACPI tables,
 * ACPI NVS and reserved ranges, sorted and without overlaps. Takes
 * resource_lock: load time only.
 */
static int lb_collect_ranges(struct lb_range_walk *w, struct lb_err *err)
{
	static const struct {
		unsigned long desc;
		unsigned long flags;
		u32 type;
	} kinds[] = {
		{ IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, LB_MEM_RAM },
		{ IORES_DESC_ACPI_TABLES, IORESOURCE_MEM | IORESOURCE_BUSY, LB_MEM_ACPI },
		{ IORES_DESC_ACPI_NV_STORAGE, IORESOURCE_MEM | IORESOURCE_BUSY, LB_MEM_NVS },
		{ IORES_DESC_RESERVED, IORESOURCE_MEM, LB_MEM_RESERVED },
	};
	unsigned int i, j;
	int ret;

	w->r = lb_buf_create(array_size(LB_MAX_RANGES, sizeof(*w->r)), false);
	if (!w->r)
		return -ENOMEM;
	w->nr = 0;
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		w->type = kinds[i].type;
		ret = walk_iomem_res_desc(kinds[i].desc, kinds[i].flags, 0, -1,
					  w, lb_range_cb);
		if (ret == -E2BIG)
			return lb_err_set(err, E2BIG,
					  "the memory map has more than %d ranges",
					  LB_MAX_RANGES);
	}
	sort(w->r, w->nr, sizeof(*w->r), lb_range_cmp, NULL);
	/* A range that starts inside its predecessor keeps only its tail. */
	for (i = 0, j = 0; i < w->nr; i++) {
		if (j && w->r[i].start < w->r[j - 1].end)
			w->r[i].start = w->r[j - 1].end;
		if (w->r[i].start < w->r[i].end)
			w->r[j++] = w->r[i];
	}
	w->nr = j;
	return 0;
}

/*
 * The firmware's memory map (lifeboat/ranges.h), for the builder to check
 * the region, the capture kernel's usable ranges and the dumped ranges
 * against: cut at the running kernel's ranges, every page of the region
 * asked about. Load time only.
 */
static int lb_collect_firmware(const struct lb_range_walk *w,
			       struct lb_mem_range **ret_map,
			       unsigned int *ret_nr, struct lb_err *err)
{
	struct lb_fwmap_query q = {
		.fn = lb_fw_query,
		.hints = w->r,
		.nr_hints = w->nr,
		.scan_start = lb_region.start,
		.scan_end = lb_region.end,
	};
	struct lb_mem_range *map;
	int ret;

	map = lb_buf_create(array_size(LB_MAX_RANGES, sizeof(*map)), false);
	if (!map)
		return -ENOMEM;
	/* The architectural limit of physical addresses: 2^52. */
	ret = lb_fwmap_rebuild(&q, 0, 1ULL << 52, map,
			       LB_MAX_RANGES, ret_nr, err);
	if (ret) {
		lb_buf_destroy(map);
		return ret;
	}
	*ret_map = map;
	return 0;
}

static u64 lb_acpi_rsdp(void)
{
	/*
	 * On EFI machines the firmware's configuration table gives it. On
	 * BIOS machines the capture kernel finds it by scanning low memory,
	 * as the first kernel did.
	 */
	if (!efi_enabled(EFI_BOOT))
		return 0;
	if (efi.acpi20 != EFI_INVALID_TABLE_ADDR)
		return efi.acpi20;
	if (efi.acpi != EFI_INVALID_TABLE_ADDR)
		return efi.acpi;
	return 0;
}

/**
 * lb_kdump_conflict() - is the kernel's own crash kernel in the way?
 * @err: the reason, if so
 *
 * Return: 0, or -EBUSY when a kdump image is loaded (it would take the panic
 * before us, and with crashkernel= it shares our region).
 */
int lb_kdump_conflict(struct lb_err *err)
{
	if (kexec_crash_loaded())
		return lb_err_set(err, EBUSY,
				  "the kernel's own crash kernel is loaded (kexec -p); unload it first with 'kexec -p -u'");
	return 0;
}

static void *lb_copy_user(u64 uaddr, u64 len, struct lb_err *err,
			  const char *what)
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

/* SHA-256 over the segments of lb_live, read from the region. */
void lb_digest(u8 out[SHA256_DIGEST_SIZE])
{
	struct sha256_state st;
	int i;

	sha256_init(&st);
	for (i = 0; i < LB_NR_SEGS; i++)
		sha256_update(&st, lb_live.seg[i].virt, lb_live.seg[i].len);
	sha256_final(&st, out);
}

/**
 * lb_verify() - is the image in the region still the one we loaded?
 * @err: the reason, if not; NULL on the panic path, where nothing is formatted
 *
 * Context: arming (lb_mutex held) or the panic path; the image is valid.
 * Return: 0, or -EBADMSG when the region no longer matches the digest taken
 * at load (something wrote into it, such as a kdump image loaded with
 * kexec -p into the same crashkernel= region).
 */
int lb_verify(struct lb_err *err)
{
	u8 digest[SHA256_DIGEST_SIZE];

	lb_digest(digest);
	if (memcmp(digest, lb_live.digest, sizeof(digest)))
		return lb_err_set(err, EBADMSG,
				  "the capture image in the region was overwritten since it was loaded: load it again");
	return 0;
}

static void *lb_region_ptr(u64 pa)
{
	return (u8 *)lb_region.virt + (pa - lb_region.start);
}

/*
 * Copy the built image into the region and publish it to the panic path.
 * Cannot fail. Caller holds lb_mutex.
 */
static void lb_commit(const struct lb_image *img, int *crashing_cpu,
		      unsigned int nr_cpus, const struct lifeboat_load *req,
		      const char *sig_keyring)
{
	int i;

	lb_live_lock();
	WRITE_ONCE(lb_live.valid, false);
	/* A panic from now on sees no image before it sees any half-copied byte. */
	smp_mb();
	for (i = 0; i < LB_NR_SEGS; i++)
		memcpy(lb_region_ptr(img->seg[i].dest), img->seg[i].src,
		       img->seg[i].len);

	lb_live.seg[LB_SEG_META].virt = lb_region_ptr(img->meta_pa);
	lb_live.seg[LB_SEG_META].len = img->meta_fixed_len;
	lb_live.seg[LB_SEG_KERNEL].virt = lb_region_ptr(img->seg[LB_SEG_KERNEL].dest);
	lb_live.seg[LB_SEG_KERNEL].len = img->seg[LB_SEG_KERNEL].len;
	lb_live.seg[LB_SEG_INITRD].virt = lb_region_ptr(img->seg[LB_SEG_INITRD].dest);
	lb_live.seg[LB_SEG_INITRD].len = img->seg[LB_SEG_INITRD].len;
	lb_live.notes = lb_region_ptr(img->notes_pa);
	lb_live.nr_cpus = nr_cpus;
	lb_live.vmcoreinfo = lb_region_ptr(img->vmcoreinfo_pa);
	lb_live.pgd_pa = img->pgd_pa;
	lb_live.tramp_ident_pa = img->tramp_pa + (lb_tramp_ident - lb_tramp_start);
	lb_live.crashing_cpu = crashing_cpu;
	lb_live.sig_keyring = sig_keyring;
	lb_live.img = *img;
	for (i = 0; i < LB_NR_SEGS; i++)
		lb_live.img.seg[i].src = NULL;
	lb_live.kernel_len = req->kernel_len;
	lb_live.initrd_len = req->initrd_len;
	/* The command line as the capture kernel will see it, elfcorehdr= included. */
	strscpy(lb_live.cmdline, lb_region_ptr(img->cmdline_pa), sizeof(lb_live.cmdline));
	lb_digest(lb_live.digest);
	/* Pairs with the smp_rmb() in lb_crash_body(): all of lb_live before valid. */
	smp_wmb();
	WRITE_ONCE(lb_live.valid, true);
	lb_live_unlock();
}

/**
 * lb_load() - build a capture image from the caller's files and commit it
 * @req: the request, already copied from userspace
 * @err: the reason, on failure
 *
 * Context: process context; takes lb_mutex.
 * Return: 0, or a negative errno with @err filled and the previous image,
 * if any, left as it was (still armed if it was).
 */
int lb_load(const struct lifeboat_load *req, struct lb_err *err)
{
	struct lb_image_input in = { };
	struct lb_machine m = { };
	struct lb_range_walk w = { };
	u64 region_size = lb_region.end - lb_region.start;
	void *kernel = NULL, *initrd = NULL, *meta = NULL;
	struct lb_mem_range *fw = NULL;
	unsigned int nr_fw;
	const char *sig_keyring;
	struct lb_err sig_why;
	char *cmdline = NULL;
	int *crashing_cpu;
	struct lb_image img;
	u64 meta_size;
	int ret, sig_ret;

	if (!lb_region.virt)
		return lb_err_set(err, ENODEV,
				  "no reserved region: boot with crashkernel=SIZE, or with memmap=SIZE$START and load the module with region=SIZE@START");
	if (req->version != LIFEBOAT_ABI_VERSION || req->flags)
		return lb_err_set(err, EINVAL, "unsupported request (ABI version %u, flags %#x)",
				  req->version, req->flags);
	if (!req->kernel_len || req->kernel_len > LB_MAX_KERNEL)
		return lb_err_set(err, EINVAL, "kernel image of %llu bytes: expected 1 to %lu",
				  req->kernel_len, LB_MAX_KERNEL);
	if (req->initrd_len >= region_size)
		return lb_err_set(err, ENOSPC,
				  "the initramfs (%llu MiB) does not fit in the region (%llu MiB)",
				  req->initrd_len >> 20, region_size >> 20);
	if (!req->cmdline_len || req->cmdline_len > sizeof(lb_live.cmdline))
		return lb_err_set(err, E2BIG, "command line of %llu bytes: at most %zu",
				  req->cmdline_len, sizeof(lb_live.cmdline) - 1);
	ret = lb_check_crashing_cpu(req->crashing_cpu, &crashing_cpu, err);
	if (ret)
		return ret;

	kernel = lb_copy_user(req->kernel, req->kernel_len, err, "kernel image");
	if (IS_ERR(kernel)) {
		ret = PTR_ERR(kernel);
		kernel = NULL;
		goto out_free;
	}
	initrd = lb_copy_user(req->initrd, req->initrd_len, err, "initramfs");
	if (IS_ERR(initrd)) {
		ret = PTR_ERR(initrd);
		initrd = NULL;
		goto out_free;
	}
	cmdline = lb_copy_user(req->cmdline, req->cmdline_len, err, "command line");
	if (IS_ERR(cmdline)) {
		ret = PTR_ERR(cmdline);
		cmdline = NULL;
		goto out_free;
	}
	if (cmdline[req->cmdline_len - 1] != '\0') {
		ret = lb_err_set(err, EINVAL, "the command line is not NUL-terminated");
		goto out_free;
	}
	/* On our copy, the bytes that go into the region: no one can swap them. */
	sig_ret = lb_sig_verify(kernel, req->kernel_len, &sig_keyring, &sig_why);

	ret = lb_collect_ranges(&w, err);
	if (ret)
		goto out_free;
	ret = lb_collect_firmware(&w, &fw, &nr_fw, err);
	if (ret)
		goto out_free;
	m.ranges = w.r;
	m.nr_ranges = w.nr;
	m.fw_ranges = fw;
	m.nr_fw_ranges = nr_fw;
	m.region_start = lb_region.start;
	m.region_end = lb_region.end;
	m.page_offset = page_offset_base;
	m.la57 = !!(__read_cr4() & X86_CR4_LA57);
	m.nr_cpus = nr_cpu_ids;
	m.acpi_rsdp = lb_acpi_rsdp();
	m.hardware_subarch = 0;
	m.tramp_code = lb_tramp_start;
	m.tramp_len = lb_tramp_end - lb_tramp_start;
	m.tramp_va = (u64)lb_tramp_start;
	m.tramp_nmi_off = lb_tramp_nmi - lb_tramp_start;
	m.tramp_fault_off = lb_tramp_fault - lb_tramp_start;
	m.vmcoreinfo = __va(paddr_vmcoreinfo_note());
	m.vmcoreinfo_len = VMCOREINFO_NOTE_SIZE;

	in.kernel = kernel;
	in.kernel_len = req->kernel_len;
	in.initrd = initrd;
	in.initrd_len = req->initrd_len;
	in.cmdline = cmdline;

	meta_size = lb_image_meta_size(&m);
	meta = lb_buf_create(meta_size, true);
	if (!meta) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = lb_image_build(&m, &in, &img, meta, meta_size, err);
	if (ret)
		goto out_free;

	mutex_lock(&lb_mutex);
	ret = lb_kdump_conflict(err);
	if (!ret)
		ret = lb_sig_allowed(sig_ret, &sig_why, err);
	if (!ret) {
		lb_commit(&img, crashing_cpu, m.nr_cpus, req, sig_keyring);
		pr_info("loaded a %s capture kernel%s%s%s: %llu MiB free for it in %llu MiB at %pa%s\n",
			img.loader, sig_keyring ? " signed with a key of the " : "",
			sig_keyring ?: "", sig_keyring ? " keyring" : "",
			img.free_ram >> 20, region_size >> 20,
			&lb_region.start, lb_armed ? "; still armed" : "");
	}
	mutex_unlock(&lb_mutex);

out_free:
	lb_buf_destroy(meta);
	lb_buf_destroy(fw);
	lb_buf_destroy(w.r);
	lb_buf_destroy(cmdline);
	lb_buf_destroy(initrd);
	lb_buf_destroy(kernel);
	return ret;
}

/**
 * lb_unload() - forget the loaded image, disarming first
 * @err: the reason, on failure
 *
 * Context: process context; takes lb_mutex.
 * Return: 0, or -ENOENT if nothing is loaded.
 */
int lb_unload(struct lb_err *err)
{
	int ret = 0;

	mutex_lock(&lb_mutex);
	if (!lb_live.valid) {
		ret = lb_err_set(err, ENOENT, "no capture image is loaded");
	} else {
		lb_disarm();
		WRITE_ONCE(lb_live.valid, false);
		/* The panic path stops trusting lb_live before it is wiped. */
		smp_mb();
		memset(&lb_live, 0, sizeof(lb_live));
		pr_info("capture image unloaded\n");
	}
	mutex_unlock(&lb_mutex);
	return ret;
}
