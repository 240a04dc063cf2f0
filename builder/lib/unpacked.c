// SPDX-License-Identifier: GPL-2.0
/*
 * The unpacked loader: a capture kernel that `lifeboat load` decompressed
 * (lifeboat/unpacked.h). Its setup part is a bzImage's, checked as the
 * bzImage loader checks it; its image goes at the load address as it is,
 * with memsz of room, and is entered at startup_64, the kernel's own entry
 * past its decompressor: in 64-bit mode, on identity tables, with %rsi
 * pointing at boot_params, at a 2 MiB aligned address (the kernel
 * relocates itself physically, as it does after its decompressor when
 * KASLR leaves its virtual address alone). Every field comes from the
 * caller, so every length is checked against the buffer.
 */
#include "internal.h"
#include "lifeboat/unpacked.h"

/* The kernel image, bss and all, beyond this is not a kernel: KERNEL_IMAGE_SIZE is 1 GiB. */
#define LB_UNPACKED_MEMSZ_MAX	LB_SZ_1G

static int unpacked_probe(const lb_u8 *buf, lb_u64 len, struct lb_err *err)
{
	if (!buf || len < LB_UNPACKED_HDR_LEN ||
	    memcmp(buf, LB_UNPACKED_MAGIC, LB_UNPACKED_MAGIC_LEN))
		return lb_err_set(err, ENOEXEC,
				  "unpacked: no \"%s\" header: not an unpacked kernel",
				  LB_UNPACKED_MAGIC);
	return 0;
}

static int unpacked_parse(const lb_u8 *buf, lb_u64 len,
			  const struct lb_machine *m, struct lb_kernel *k,
			  struct lb_err *err)
{
	lb_u64 setup_len, image_off, image_len, memsz, entry, paddr;
	int ret;

	ret = unpacked_probe(buf, len, err);
	if (ret)
		return ret;
	if (lb_get32(buf + LB_UNPACKED_OFF_HDR_LEN) != LB_UNPACKED_HDR_LEN)
		return lb_err_set(err, ENOEXEC,
				  "unpacked: header length %u, expected %d",
				  lb_get32(buf + LB_UNPACKED_OFF_HDR_LEN),
				  LB_UNPACKED_HDR_LEN);
	setup_len = lb_get32(buf + LB_UNPACKED_OFF_SETUP_LEN);
	image_len = lb_get64(buf + LB_UNPACKED_OFF_IMAGE_LEN);
	memsz = lb_get64(buf + LB_UNPACKED_OFF_MEMSZ);
	entry = lb_get64(buf + LB_UNPACKED_OFF_ENTRY);
	paddr = lb_get64(buf + LB_UNPACKED_OFF_PADDR);
	image_off = LB_ALIGN_UP(LB_UNPACKED_HDR_LEN + setup_len, 8);
	if (image_off > len || image_len != len - image_off)
		return lb_err_set(err, ENOEXEC,
				  "unpacked: setup of %llu bytes and image of %llu bytes do not make the file of %llu bytes",
				  (unsigned long long)setup_len,
				  (unsigned long long)image_len,
				  (unsigned long long)len);
	ret = lb_setup_parse(buf + LB_UNPACKED_HDR_LEN, setup_len, m, k, err);
	if (ret)
		return ret;
	if (k->pm_off != setup_len)
		return lb_err_set(err, ENOEXEC,
				  "unpacked: setup of %llu bytes, but setup_sects %u says %llu",
				  (unsigned long long)setup_len, k->setup_sects,
				  (unsigned long long)k->pm_off);
	if (!image_len || memsz < image_len || memsz > LB_UNPACKED_MEMSZ_MAX)
		return lb_err_set(err, ENOEXEC,
				  "unpacked: image of %llu bytes in memsz %llu: memsz must hold it and be at most %llu MiB",
				  (unsigned long long)image_len,
				  (unsigned long long)memsz,
				  LB_MIB(LB_UNPACKED_MEMSZ_MAX));
	if (entry >= image_len)
		return lb_err_set(err, ENOEXEC,
				  "unpacked: entry at +0x%llx, beyond the image of %llu bytes",
				  (unsigned long long)entry,
				  (unsigned long long)image_len);
	/* startup_64 refuses to run off a 2 MiB boundary of its link address. */
	if (paddr % LB_SZ_2M)
		return lb_err_set(err, ENOEXEC,
				  "unpacked: linked at 0x%llx, not a multiple of 2 MiB",
				  (unsigned long long)paddr);
	k->pm_len = 0;
	k->image = buf + image_off;
	k->image_len = image_len;
	k->entry_off = entry;
	k->init_size = (lb_u32)LB_ALIGN_UP(memsz, LB_PAGE_SIZE);
	k->room = "memsz";
	return 0;
}

const struct lb_loader lb_unpacked_loader = {
	.name = "unpacked",
	.probe = unpacked_probe,
	.parse = unpacked_parse,
};
