// SPDX-License-Identifier: GPL-2.0
/*
 * The capture kernel's zero page (struct boot_params) and command line, as
 * the 64-bit boot protocol wants them (Documentation/x86/boot.rst and
 * zero-page.rst) and as kexec_file's bzImage loader fills them
 * (arch/x86/kernel/kexec-bzimage64.c): a zeroed page, the kernel's setup
 * header copied in, then the fields a loader owns. The sentinel at 0x1ef
 * stays 0, or the kernel would wipe the fields it does not know we set.
 */
#include "internal.h"

/**
 * lb_cmdline_build() - Write the capture kernel's command line.
 * @k: the kernel, for its cmdline_size
 * @elfcorehdr_pa: physical address of the ELF core header
 * @user: the user's command line, NUL-terminated, or NULL
 * @buf: a zeroed page for the result
 * @len: set to the length of the result, without its NUL
 * @err: error context, may be NULL
 *
 * The result is "elfcorehdr=0x<addr> " followed by @user.
 *
 * Context: any; no allocation.
 * Return: 0, or -E2BIG if the result is longer than the kernel's
 * cmdline_size or than the page.
 */
int lb_cmdline_build(const struct lb_kernel *k, lb_u64 elfcorehdr_pa,
		     const char *user, char *buf, lb_u64 *len,
		     struct lb_err *err)
{
	lb_u64 head, user_len = user ? strnlen(user, LB_PAGE_SIZE) : 0;
	lb_u64 limit = lb_min(k->cmdline_size, LB_CMDLINE_MAX);

	head = (lb_u64)snprintf(buf, LB_PAGE_SIZE, "elfcorehdr=0x%llx ",
				(unsigned long long)elfcorehdr_pa);
	if (head + user_len > limit)
		return lb_err_set(err, E2BIG,
				  "command line of %llu bytes (with \"%.*s\") exceeds the %llu the kernel accepts",
				  (unsigned long long)(head + user_len),
				  (int)head - 1, buf,
				  (unsigned long long)limit);
	if (user_len)
		memcpy(buf + head, user, user_len);
	buf[head + user_len] = '\0';
	*len = head + user_len;
	return 0;
}

/* ext_mem_k and alt_mem_k from the RAM entry that spans 1 MiB, as kexec. */
void lb_bootparams_mem_k(lb_u8 *bp, unsigned int nr)
{
	const lb_u8 *e = bp + LB_BP_E820_TABLE;
	lb_u64 start, last, mem_k;
	unsigned int i;

	for (i = 0; i < nr; i++, e += LB_E820_ENTRY_SIZE) {
		if (lb_get32(e + 16) != LB_MEM_RAM)
			continue;
		start = lb_get64(e);
		last = start + lb_get64(e + 8) - 1;
		if (start > LB_SZ_1M || last <= LB_SZ_1M)
			continue;
		mem_k = (last >> 10) - (LB_SZ_1M >> 10);
		lb_put16(bp + LB_BP_EXT_MEM_K,
			 (lb_u16)lb_min(mem_k, 0xfc00));
		lb_put32(bp + LB_BP_ALT_MEM_K,
			 (lb_u32)lb_min(mem_k, 0xffffffffULL));
	}
}

/**
 * lb_bootparams_setup() - Fill a zero page but for its memory map.
 * @k: the parsed kernel, whose setup header is copied
 * @subarch: hardware_subarch
 * @acpi_rsdp: the RSDP's physical address, 0 to let the kernel search
 * @cmdline_pa: physical address of the command line
 * @initrd_pa: physical address of the initrd, 0 for none
 * @initrd_len: its length
 * @bp: the zeroed page
 *
 * Context: any; no allocation.
 */
void lb_bootparams_setup(const struct lb_kernel *k, lb_u32 subarch,
			 lb_u64 acpi_rsdp, lb_u64 cmdline_pa, lb_u64 initrd_pa,
			 lb_u64 initrd_len, lb_u8 *bp)
{
	memcpy(bp + LB_BP_HDR, k->file + LB_BP_HDR, k->hdr_end - LB_BP_HDR);
	bp[LB_BP_TYPE_OF_LOADER] = LB_TYPE_OF_LOADER;
	bp[LB_BP_LOADFLAGS] = 0;
	lb_put64(bp + LB_BP_SETUP_DATA, 0);
	lb_put64(bp + LB_BP_HARDWARE_SUBARCH_DATA, 0);
	lb_put32(bp + LB_BP_HARDWARE_SUBARCH, subarch);
	lb_put64(bp + LB_BP_ACPI_RSDP_ADDR, acpi_rsdp);

	lb_put32(bp + LB_BP_CMD_LINE_PTR, (lb_u32)cmdline_pa);
	lb_put32(bp + LB_BP_EXT_CMD_LINE_PTR, (lb_u32)(cmdline_pa >> 32));
	lb_put32(bp + LB_BP_RAMDISK_IMAGE, (lb_u32)initrd_pa);
	lb_put32(bp + LB_BP_EXT_RAMDISK_IMAGE, (lb_u32)(initrd_pa >> 32));
	lb_put32(bp + LB_BP_RAMDISK_SIZE, (lb_u32)initrd_len);
	lb_put32(bp + LB_BP_EXT_RAMDISK_SIZE, (lb_u32)(initrd_len >> 32));
}

/**
 * lb_bootparams_build() - Fill the capture kernel's boot_params.
 * @m: the machine, checked by lb_machine_check()
 * @k: the kernel, for its setup header
 * @img: the placement
 * @bp: the zeroed boot_params page
 * @err: error context, may be NULL
 *
 * Copies the setup header, then sets type_of_loader, loadflags, the command
 * line and initrd addresses (low and ext_ halves), the memory map,
 * acpi_rsdp_addr, hardware_subarch and the legacy memory sizes. The header's
 * setup_data and hardware_subarch_data pointers are cleared: we pass no
 * setup_data, and a file cannot be trusted to point anywhere.
 *
 * Context: any; no allocation.
 * Return: 0, or the error of lb_memmap_build().
 */
int lb_bootparams_build(const struct lb_machine *m, const struct lb_kernel *k,
			const struct lb_image *img, lb_u8 *bp,
			struct lb_err *err)
{
	unsigned int nr;
	int ret;

	lb_bootparams_setup(k, m->hardware_subarch, m->acpi_rsdp,
			    img->cmdline_pa, img->initrd_pa,
			    img->seg[LB_SEG_INITRD].len, bp);
	ret = lb_memmap_build(m, img->meta_len, bp + LB_BP_E820_TABLE,
			      LB_MAX_E820, &nr, err);
	if (ret)
		return ret;
	bp[LB_BP_E820_ENTRIES] = (lb_u8)nr;
	lb_bootparams_mem_k(bp, nr);
	return 0;
}
