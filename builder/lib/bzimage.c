// SPDX-License-Identifier: GPL-2.0
/*
 * The bzImage loader: recognises an x86 bzImage and checks that it can be
 * entered through the 64-bit boot protocol anywhere in the region
 * (Documentation/x86/boot.rst). Every field comes from a file the user gave
 * us, so every offset and size is checked against the file before use.
 */
#include "internal.h"

/* init_size beyond this is not a kernel: KERNEL_IMAGE_SIZE is 1 GiB. */
#define LB_INIT_SIZE_MAX	LB_SZ_1G

static int bzimage_probe(const lb_u8 *buf, lb_u64 len, struct lb_err *err)
{
	if (!buf || len < LB_BP_HDR_MIN_END)
		return lb_err_set(err, ENOEXEC,
				  "bzImage: file too short (%llu bytes): the setup header alone runs to 0x%x",
				  (unsigned long long)len, LB_BP_HDR_MIN_END);
	if (memcmp(buf + LB_BP_HEADER, "HdrS", 4))
		return lb_err_set(err, ENOEXEC,
				  "bzImage: no \"HdrS\" magic at 0x%x: not a bzImage",
				  LB_BP_HEADER);
	if (lb_get16(buf + LB_BP_BOOT_FLAG) != LB_BOOT_FLAG)
		return lb_err_set(err, ENOEXEC,
				  "bzImage: boot flag at 0x%x is 0x%04x, not 0xaa55: no x86 boot sector",
				  LB_BP_BOOT_FLAG, lb_get16(buf + LB_BP_BOOT_FLAG));
	return 0;
}

static int bzimage_check_flags(const lb_u8 *buf, const struct lb_machine *m,
			       struct lb_err *err)
{
	lb_u16 version = lb_get16(buf + LB_BP_VERSION);
	lb_u8 loadflags = buf[LB_BP_LOADFLAGS];
	lb_u16 xlf = lb_get16(buf + LB_BP_XLOADFLAGS);

	if (version < LB_MIN_VERSION)
		return lb_err_set(err, ENOEXEC,
				  "bzImage: boot protocol version %u.%02u is too old: the 64-bit entry needs 2.12 or later",
				  version >> 8, version & 0xff);
	if (!(loadflags & LB_LOADED_HIGH))
		return lb_err_set(err, ENOEXEC,
				  "bzImage: loadflags 0x%02x lack LOADED_HIGH: a zImage, not a bzImage",
				  loadflags);
	if (!(xlf & LB_XLF_KERNEL_64))
		return lb_err_set(err, ENOEXEC,
				  "bzImage: xloadflags 0x%04x lack XLF_KERNEL_64: no 64-bit entry point",
				  xlf);
	if (!(xlf & LB_XLF_CAN_BE_LOADED_ABOVE_4G))
		return lb_err_set(err, ENOEXEC,
				  "bzImage: xloadflags 0x%04x lack XLF_CAN_BE_LOADED_ABOVE_4G",
				  xlf);
	if (m && m->la57 && !(xlf & LB_XLF_5LEVEL))
		return lb_err_set(err, ENOEXEC,
				  "bzImage: the machine uses 5-level paging but xloadflags 0x%04x lack XLF_5LEVEL",
				  xlf);
	/*
	 * A kernel built without CONFIG_RELOCATABLE decompresses itself at
	 * 16 MiB whatever the load address, on top of the memory we dump.
	 */
	if (!buf[LB_BP_RELOCATABLE_KERNEL])
		return lb_err_set(err, ENOEXEC,
				  "bzImage: relocatable_kernel is 0: it would decompress at 16 MiB, outside the region");
	return 0;
}

/* The setup header's extent, which both loaders check. */
static int setup_check_header(const lb_u8 *buf, lb_u64 len,
			      struct lb_kernel *k, struct lb_err *err)
{
	lb_u64 hdr_end = LB_BP_HEADER + (lb_u64)buf[LB_BP_JUMP + 1];
	lb_u32 sects = buf[LB_BP_SETUP_SECTS];

	if (hdr_end < LB_BP_HDR_MIN_END)
		return lb_err_set(err, ENOEXEC,
				  "bzImage: setup header ends at 0x%llx, before init_size at 0x%x",
				  (unsigned long long)hdr_end, LB_BP_INIT_SIZE);
	if (hdr_end > len)
		return lb_err_set(err, ENOEXEC,
				  "bzImage: setup header ends at 0x%llx, beyond the end of the file (%llu bytes)",
				  (unsigned long long)hdr_end,
				  (unsigned long long)len);
	if (hdr_end > LB_BP_HDR_MAX_END)
		return lb_err_set(err, ENOEXEC,
				  "bzImage: setup header ends at 0x%llx, past the 0x%x boot_params has room for",
				  (unsigned long long)hdr_end, LB_BP_HDR_MAX_END);
	if (!sects)
		sects = 4;
	k->hdr_end = hdr_end;
	k->setup_sects = sects;
	k->pm_off = ((lb_u64)sects + 1) * 512;
	return 0;
}

/* The protected-mode part: the decompressor, entered at its 64-bit entry. */
static int bzimage_check_pm(lb_u64 len, struct lb_kernel *k,
			    struct lb_err *err)
{
	if (k->pm_off > len)
		return lb_err_set(err, ENOEXEC,
				  "bzImage: setup_sects %u puts the protected-mode part at 0x%llx, beyond the end of the file (%llu bytes)",
				  k->setup_sects, (unsigned long long)k->pm_off,
				  (unsigned long long)len);
	if (k->pm_off == len)
		return lb_err_set(err, ENOEXEC,
				  "bzImage: the protected-mode part is empty (setup_sects %u, file of %llu bytes)",
				  k->setup_sects, (unsigned long long)len);
	if (len - k->pm_off <= LB_ENTRY64_OFF)
		return lb_err_set(err, ENOEXEC,
				  "bzImage: the protected-mode part (%llu bytes) ends before the 64-bit entry at +0x%x",
				  (unsigned long long)(len - k->pm_off), LB_ENTRY64_OFF);
	k->pm_len = len - k->pm_off;
	return 0;
}

/**
 * lb_setup_parse() - Check a bzImage's setup header and read what it says.
 * @buf: the bzImage, or its setup part alone
 * @len: its length
 * @m: the machine it will run on (for the paging depth), or NULL
 * @k: its setup fields filled: file, hdr_end, setup_sects, pm_off,
 *     kernel_alignment, cmdline_size, version, xloadflags, release_off
 * @err: error context, may be NULL
 *
 * What both loaders rely on: the magic, the 64-bit boot protocol, a
 * relocatable kernel, a header boot_params has room for, a power-of-two
 * alignment.
 *
 * Context: any; no allocation.
 * Return: 0 or -ENOEXEC.
 */
int lb_setup_parse(const lb_u8 *buf, lb_u64 len, const struct lb_machine *m,
		   struct lb_kernel *k, struct lb_err *err)
{
	lb_u32 align;
	int ret;

	ret = bzimage_probe(buf, len, err);
	if (ret)
		return ret;
	ret = bzimage_check_flags(buf, m, err);
	if (ret)
		return ret;
	ret = setup_check_header(buf, len, k, err);
	if (ret)
		return ret;
	align = lb_get32(buf + LB_BP_KERNEL_ALIGNMENT);
	if (!align || (align & (align - 1)))
		return lb_err_set(err, ENOEXEC,
				  "bzImage: kernel_alignment 0x%x is not a power of two",
				  align);
	k->file = buf;
	k->file_len = len;
	k->kernel_alignment = align;
	k->cmdline_size = lb_get32(buf + LB_BP_CMDLINE_SIZE);
	k->version = lb_get16(buf + LB_BP_VERSION);
	k->xloadflags = lb_get16(buf + LB_BP_XLOADFLAGS);
	/* Only for telling the user which kernel this is: a bad one is no error. */
	k->release_off = lb_get16(buf + LB_BP_KERNEL_VERSION);
	if (k->release_off)
		k->release_off += 0x200;
	if (k->release_off >= len)
		k->release_off = 0;
	return 0;
}

static int bzimage_parse(const lb_u8 *buf, lb_u64 len,
			 const struct lb_machine *m, struct lb_kernel *k,
			 struct lb_err *err)
{
	lb_u32 init_size;
	int ret;

	ret = lb_setup_parse(buf, len, m, k, err);
	if (ret)
		return ret;
	ret = bzimage_check_pm(len, k, err);
	if (ret)
		return ret;
	init_size = lb_get32(buf + LB_BP_INIT_SIZE);
	if (!init_size)
		return lb_err_set(err, ENOEXEC, "bzImage: init_size is 0");
	if (init_size > LB_INIT_SIZE_MAX)
		return lb_err_set(err, ENOEXEC,
				  "bzImage: init_size 0x%x (%llu MiB) is absurd: more than %llu MiB",
				  init_size, LB_MIB_UP((lb_u64)init_size),
				  LB_MIB(LB_INIT_SIZE_MAX));
	if (k->pm_len > init_size)
		return lb_err_set(err, ENOEXEC,
				  "bzImage: the protected-mode part (%llu bytes) is larger than init_size (%u bytes)",
				  (unsigned long long)k->pm_len, init_size);
	k->init_size = init_size;
	k->room = "init_size";
	k->image = buf + k->pm_off;
	k->image_len = k->pm_len;
	k->entry_off = LB_ENTRY64_OFF;
	return 0;
}

const struct lb_loader lb_bzimage_loader = {
	.name = "bzImage",
	.probe = bzimage_probe,
	.parse = bzimage_parse,
};
