// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the unpacked loader (lifeboat/unpacked.h,
 * builder/lib/unpacked.c) through lb_image_build() on a fixed, sane
 * machine (4- and 5-level paging). The first byte picks how the rest
 * becomes a kernel file:
 *
 *   0  "LBUNPK01" followed by the rest as it is: any header, setup, image
 *   1  the rest as it is (the probe, and the bzImage loader, see it too)
 *   2  a well-formed container: a sane setup part (setup_sects 7) whose
 *      setup header is XORed with the input's next bytes, header fields
 *      from the input (each either sane or raw), the rest as the image
 *
 * It must never crash, hang or touch memory outside its buffers; when the
 * build succeeds with the unpacked loader, what the loader promised is
 * checked and a violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lifeboat/image.h"
#include "lifeboat/le.h"
#include "lifeboat/unpacked.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define MIB(x) ((lb_u64)(x) << 20)
#define SETUP_LEN 0x1000
#define MAX_INPUT (1 << 20)

static const struct lb_mem_range ranges[] = {
	{ 0, 0x9fc00, LB_MEM_RAM },
	{ 0x9fc00, 0xa0000, LB_MEM_RESERVED },
	{ 0xf0000, 0x100000, LB_MEM_RESERVED },
	{ 0x100000, 0xbffd0000, LB_MEM_RAM },
	{ 0xbffd0000, 0xbffe0000, LB_MEM_ACPI },
	{ 0xbffe0000, 0xc0000000, LB_MEM_NVS },
	{ 0xfffc0000, 0x100000000, LB_MEM_RESERVED },
	{ 0x100000000, 0x140000000, LB_MEM_RAM },
};

static const char vmcoreinfo_text[] =
	"OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\nNUMBER(phys_base)=0\n";

static void check(int cond)
{
	if (!cond)
		abort();
}

/* The setup part of a sane bzImage: setup_sects 7, protocol 2.15, header to 0x26c. */
static void sane_setup(lb_u8 *s)
{
	memset(s, 0, SETUP_LEN);
	s[0x1f1] = 7;
	s[0x1fe] = 0x55;
	s[0x1ff] = 0xaa;
	s[0x200] = 0xeb;
	s[0x201] = 0x6a;
	memcpy(s + 0x202, "HdrS", 4);
	s[0x206] = 0x0f;
	s[0x207] = 0x02;
	s[0x211] = 0x01;
	lb_put32(s + 0x230, 0x200000);
	s[0x234] = 1;
	s[0x236] = 0x7f;
	lb_put32(s + 0x238, 0x7ff);
	lb_put32(s + 0x260, 0x1000000);
}

/* A value from the input: sane (near the right one) or, when the flag says, raw. */
static lb_u64 field(const lb_u8 **p, size_t *n, lb_u64 sane, int raw)
{
	lb_u64 v;

	if (*n < 8)
		return sane;
	v = lb_get64(*p);
	*p += 8;
	*n -= 8;
	return raw ? v : sane + (v & 0xfff);
}

static void build(const lb_u8 *file, size_t size, int la57, const lb_u8 *note, lb_u64 note_len)
{
	static const lb_u8 tramp[128] = { 0xfa, 0xf4 };
	static const lb_u8 initrd[5000];
	struct lb_machine m = {
		.ranges = ranges,
		.nr_ranges = LB_ARRAY_SIZE(ranges),
		.region_start = MIB(1024),
		.region_end = MIB(2560),
		.page_offset = 0xffff888000000000ULL,
		.la57 = la57,
		.nr_cpus = 3,
		.acpi_rsdp = 0xf5a60,
		.tramp_code = tramp,
		.tramp_len = sizeof(tramp),
		.tramp_va = 0xffffffffc0000000ULL,
		.tramp_nmi_off = 0x10,
		.tramp_fault_off = 0x20,
		.vmcoreinfo = note,
		.vmcoreinfo_len = note_len,
	};
	struct lb_image_input in = {
		.kernel = file,
		.kernel_len = size,
		.initrd = initrd,
		.initrd_len = sizeof(initrd),
		.cmdline = "console=ttyS0",
	};
	struct lb_image img;
	struct lb_err err;
	lb_u64 len = lb_image_meta_size(&m), setup_len, image_off, image_len, memsz, entry;
	lb_u8 *meta;
	int ret;

	check(len > 0);
	meta = malloc(len);
	check(!!meta);
	ret = lb_image_build(&m, &in, &img, meta, len, &err);
	if (ret) {
		check(ret == -ENOEXEC || ret == -ENOSPC || ret == -E2BIG);
		check(!!memchr(err.msg, '\0', sizeof(err.msg)));
	} else if (!strcmp(img.loader, "unpacked")) {
		check(size >= LB_UNPACKED_HDR_LEN);
		check(!memcmp(file, LB_UNPACKED_MAGIC, LB_UNPACKED_MAGIC_LEN));
		setup_len = file[0x0c] | file[0x0d] << 8 | file[0x0e] << 16 |
			    (lb_u64)file[0x0f] << 24;
		image_off = (LB_UNPACKED_HDR_LEN + setup_len + 7) & ~7ULL;
		image_len = lb_get64(file + LB_UNPACKED_OFF_IMAGE_LEN);
		memsz = lb_get64(file + LB_UNPACKED_OFF_MEMSZ);
		entry = lb_get64(file + LB_UNPACKED_OFF_ENTRY);
		check(image_off <= size && image_len == size - image_off);
		check(image_len > 0 && memsz >= image_len && memsz <= (1ULL << 30));
		check(entry < image_len);
		check(lb_get64(file + LB_UNPACKED_OFF_PADDR) % MIB(2) == 0);
		check(img.kernel_load >= MIB(16) && img.kernel_load % MIB(2) == 0);
		check(img.kernel_load >= img.meta_pa + img.meta_len);
		check(img.kernel_memsz == ((memsz + 4095) & ~4095ULL));
		check(img.kernel_load + img.kernel_memsz <= img.initrd_pa);
		check(img.initrd_pa + sizeof(initrd) <= m.region_end);
		check(img.entry == img.kernel_load + entry);
		check(img.seg[LB_SEG_KERNEL].dest == img.kernel_load);
		check((const lb_u8 *)img.seg[LB_SEG_KERNEL].src == file + image_off);
		check(img.seg[LB_SEG_KERNEL].len == image_len);
		check(meta[img.boot_params_pa - img.meta_pa + 0x1ef] == 0);
		/* The setup header went into boot_params, the loader's fields apart. */
		check(!memcmp(meta + (img.boot_params_pa - img.meta_pa) + 0x1f1,
			      file + LB_UNPACKED_HDR_LEN + 0x1f1, 0x210 - 0x1f1));
		check(img.free_ram >= lb_min_runtime(img.kernel_memsz));
	} else {
		check(!strcmp(img.loader, "bzImage"));
	}
	free(meta);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static lb_u8 note[24 + sizeof(vmcoreinfo_text) + 12];
	lb_u32 descsz = sizeof(vmcoreinfo_text) - 1;
	const lb_u8 *p;
	lb_u8 *file, flags;
	size_t n, len, i, xor_len, image_len;

	if (!size || size > MAX_INPUT)
		return 0;
	note[0] = 11;
	memcpy(note + 4, &descsz, 4);
	memcpy(note + 12, "VMCOREINFO", 11);
	memcpy(note + 24, vmcoreinfo_text, descsz);
	p = data + 1;
	n = size - 1;
	switch (data[0] % 3) {
	case 0:
		len = LB_UNPACKED_MAGIC_LEN + n;
		file = malloc(len);
		check(!!file);
		memcpy(file, LB_UNPACKED_MAGIC, LB_UNPACKED_MAGIC_LEN);
		memcpy(file + LB_UNPACKED_MAGIC_LEN, p, n);
		break;
	case 1:
		len = n;
		file = malloc(len ? len : 1);
		check(!!file);
		memcpy(file, p, n);
		break;
	default:
		flags = n ? *p : 0;
		if (n) {
			p++;
			n--;
		}
		/* Up to 0xa0 bytes XORed into the setup header, as the next byte says. */
		xor_len = n ? *p % 0xa0 : 0;
		if (n) {
			p++;
			n--;
		}
		{
			lb_u64 setup_len = field(&p, &n, SETUP_LEN, flags & 1) & 0xffffffff;
			lb_u64 memsz = field(&p, &n, 0x200000, flags & 2);
			lb_u64 entry = field(&p, &n, 0, flags & 4);
			lb_u64 paddr = field(&p, &n, 0x1000000, flags & 8) & ~0xfffULL;
			lb_u32 hdr_len = flags & 16 ? (lb_u32)(flags >> 5) << 3 : LB_UNPACKED_HDR_LEN;
			lb_u64 setup_room = setup_len <= SETUP_LEN ? setup_len : SETUP_LEN;
			lb_u64 image_off = (LB_UNPACKED_HDR_LEN + setup_room + 7) & ~7ULL;
			lb_u8 setup[SETUP_LEN];

			if (!(flags & 8))
				paddr &= ~(MIB(2) - 1);
			if (xor_len > n)
				xor_len = n;
			sane_setup(setup);
			for (i = 0; i < xor_len; i++)
				setup[0x1f1 + i] ^= p[i];
			p += xor_len;
			n -= xor_len;
			image_len = n;
			len = image_off + n;
			file = calloc(1, len);
			check(!!file);
			memcpy(file, LB_UNPACKED_MAGIC, LB_UNPACKED_MAGIC_LEN);
			lb_put32(file + LB_UNPACKED_OFF_HDR_LEN, hdr_len);
			lb_put32(file + LB_UNPACKED_OFF_SETUP_LEN, (lb_u32)setup_len);
			lb_put64(file + LB_UNPACKED_OFF_IMAGE_LEN,
			      flags & 128 ? image_len ^ (flags & 0x48) : image_len);
			lb_put64(file + LB_UNPACKED_OFF_MEMSZ, memsz);
			lb_put64(file + LB_UNPACKED_OFF_ENTRY, entry);
			lb_put64(file + LB_UNPACKED_OFF_PADDR, paddr);
			memcpy(file + LB_UNPACKED_HDR_LEN, setup, setup_room);
			memcpy(file + image_off, p, n);
		}
		break;
	}
	build(file, len, 0, note, sizeof(note));
	build(file, len, 1, note, sizeof(note));
	free(file);
	return 0;
}
