// SPDX-License-Identifier: GPL-2.0
/*
 * A capture kernel unpacked at load time (lifeboat/unpacked.h): the
 * unpacker (lib/unpack.c) on the real 6.1 (xz) and 6.12 (zstd) guest
 * kernels, checked against the payload decompressed here on its own with
 * liblzma or libzstd and read with libelf; the builder's "unpacked" loader
 * (builder/lib/unpacked.c) through lb_image_build() on the result; and
 * every refusal of both, with its errno and sentence, on a small synthetic
 * container, a synthetic bzImage wrapping a tiny gzip'd ELF, and damaged
 * copies of the real kernel.
 *
 * The 6.1 kernel is LIFEBOAT_KVMLINUZ; the 6.12 kernel (also in the "test"
 * set of tests/kernels.txt, which `make deps` unpacks) is found next to it,
 * in $CACHE/kernels/<release>/boot/vmlinuz-<release>. Like the bzImage
 * tests, these fail loudly when a kernel is not there.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include "data/capture_fixture.h"
#include "internal.h"
#include "lifeboat/le.h"
#include "lifeboat/unpacked.h"
#include "unit.h"
#include "unpack.h"

#define RELEASE_612 "6.12.117+deb12-amd64"
#define PAYLOAD_OFFSET 0x248
#define PAYLOAD_LENGTH 0x24c

static uint8_t *read_path(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	FILE *f;

	f = fopen(path, "rb");
	ck_assert_msg(f, "cannot open the guest kernel '%s' (run 'make deps')", path);
	ck_assert_int_eq(fstat(fileno(f), &st), 0);
	ck_assert_msg(st.st_size > 0x10000, "'%s' is too small to be a kernel", path);
	buf = malloc((size_t)st.st_size);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*len = (size_t)st.st_size;
	return buf;
}

/* The 6.12 kernel, in the same $CACHE/kernels as LIFEBOAT_KVMLINUZ. */
static uint8_t *read_kernel_612(size_t *len)
{
	const char *k = unit_kernel_image();
	const char *dir;
	char path[4096];

	ck_assert_msg(k && *k, "LIFEBOAT_KVMLINUZ is not set: the unpacker tests need the real guest kernels");
	dir = strstr(k, "/kernels/");
	ck_assert_msg(dir, "LIFEBOAT_KVMLINUZ '%s' is not in $CACHE/kernels/", k);
	snprintf(path, sizeof(path), "%.*s/kernels/%s/boot/vmlinuz-%s", (int)(dir - k), k,
		 RELEASE_612, RELEASE_612);
	return read_path(path, len);
}

/* Kernel i: 0 the 6.1 guest kernel (xz), 1 the 6.12 one (zstd). */
static uint8_t *read_kernel(int i, size_t *len)
{
	return i ? read_kernel_612(len) : cap_read_kernel(len);
}

static const char *const compressions[] = { "xz", "zstd" };

/* The payload, decompressed here without lib/decompress.c. */
static uint8_t *decompress_alone(const uint8_t *p, size_t plen, int kind, size_t *out_len)
{
	size_t cap = 256 << 20, len = 0;
	uint8_t *out = malloc(cap);

	ck_assert_ptr_nonnull(out);
	if (kind == 0) {
		lzma_stream s = LZMA_STREAM_INIT;
		lzma_ret r;

		ck_assert_int_eq(lzma_stream_decoder(&s, UINT64_MAX, 0), LZMA_OK);
		s.next_in = p;
		s.avail_in = plen;
		s.next_out = out;
		s.avail_out = cap;
		r = lzma_code(&s, LZMA_FINISH);
		/* The kernel appends the unpacked size after the stream. */
		ck_assert_msg(r == LZMA_STREAM_END, "xz: %d", (int)r);
		len = cap - s.avail_out;
		lzma_end(&s);
	} else {
		ZSTD_DStream *d = ZSTD_createDStream();
		ZSTD_inBuffer in = { p, plen, 0 };
		ZSTD_outBuffer o = { out, cap, 0 };
		size_t r;

		ck_assert_ptr_nonnull(d);
		ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 31);
		do {
			r = ZSTD_decompressStream(d, &o, &in);
			ck_assert_msg(!ZSTD_isError(r), "zstd: %s", ZSTD_getErrorName(r));
		} while (r && in.pos < in.size);
		ck_assert_uint_eq(r, 0);
		len = o.pos;
		ZSTD_freeDStream(d);
	}
	*out_len = len;
	return out;
}

static void check_header(const uint8_t *c, size_t clen, const struct lb_unpack_info *info)
{
	size_t image_off = (LB_UNPACKED_HDR_LEN + info->setup_len + 7) & ~(size_t)7;

	ck_assert_int_eq(memcmp(c, LB_UNPACKED_MAGIC, LB_UNPACKED_MAGIC_LEN), 0);
	ck_assert_uint_eq(cap_get32(c + LB_UNPACKED_OFF_HDR_LEN), LB_UNPACKED_HDR_LEN);
	ck_assert_uint_eq(cap_get32(c + LB_UNPACKED_OFF_SETUP_LEN), info->setup_len);
	ck_assert_uint_eq(cap_get64(c + LB_UNPACKED_OFF_IMAGE_LEN), info->image_len);
	ck_assert_uint_eq(cap_get64(c + LB_UNPACKED_OFF_MEMSZ), info->memsz);
	ck_assert_uint_eq(cap_get64(c + LB_UNPACKED_OFF_ENTRY), info->entry);
	ck_assert_uint_eq(cap_get64(c + LB_UNPACKED_OFF_PADDR), info->paddr);
	ck_assert_uint_eq(clen, image_off + info->image_len);
	/* The padding between the setup part and the image is zero. */
	for (size_t i = LB_UNPACKED_HDR_LEN + info->setup_len; i < image_off; i++)
		ck_assert_uint_eq(c[i], 0);
}

START_TEST(unpack_real_kernels)
{
	struct lb_unpack_info info;
	struct lb_err err = { "" };
	size_t len, clen, plen, off, elf_len, image_off, nph, nload = 0;
	uint8_t *bz = read_kernel(_i, &len), *c = NULL, *elf;
	const uint8_t *p, *img;
	GElf_Ehdr eh;
	GElf_Phdr ph;
	uint64_t entry, top = 0, end = 0;
	Elf *e;
	int ret;

	ret = lb_unpack_bzimage(bz, len, &c, &clen, &info, &err);
	ck_assert_msg(ret == 0, "unpack failed: %d %s", ret, err.msg);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(info.compression, compressions[_i]);
	ck_assert_uint_eq(info.setup_len, (size_t)(bz[0x1f1] + 1) * 512);
	ck_assert_uint_eq(info.setup_len, 0x5000);
	ck_assert_uint_eq(info.paddr, 0x1000000);
	ck_assert_uint_ge(info.memsz, info.image_len);
	ck_assert_uint_lt(info.entry, info.image_len);
	/* The kernel's own bound on its unpacked size: what it decompresses into. */
	ck_assert_uint_le(info.memsz, cap_get32(bz + 0x260));
	check_header(c, clen, &info);
	ck_assert_int_eq(memcmp(c + LB_UNPACKED_HDR_LEN, bz, info.setup_len), 0);

	/* The size the kernel's build appended to the payload. */
	off = info.setup_len + cap_get32(bz + PAYLOAD_OFFSET);
	plen = cap_get32(bz + PAYLOAD_LENGTH);
	ck_assert_uint_le(off + plen, len);
	p = bz + off;
	ck_assert_uint_eq(info.unpacked_len, cap_get32(p + plen - 4));

	/* Every PT_LOAD segment at p_paddr - paddr, its bss zero. */
	elf = decompress_alone(p, plen, _i, &elf_len);
	ck_assert_uint_eq(elf_len, info.unpacked_len);
	elf_version(EV_CURRENT);
	e = elf_memory((char *)elf, elf_len);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(gelf_getehdr(e, &eh));
	ck_assert_int_eq(elf_getphdrnum(e, &nph), 0);
	image_off = clen - info.image_len;
	img = c + image_off;
	for (size_t i = 0; i < nph; i++) {
		uint64_t rel, bss_end, filesz;

		ck_assert_ptr_nonnull(gelf_getphdr(e, (int)i, &ph));
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		nload++;
		if (ph.p_filesz && ph.p_paddr + ph.p_filesz > top)
			top = ph.p_paddr + ph.p_filesz;
		if (ph.p_paddr + ph.p_memsz > end)
			end = ph.p_paddr + ph.p_memsz;
		ck_assert_uint_ge(ph.p_paddr, info.paddr);
		rel = ph.p_paddr - info.paddr;
		/* Laid out up to _end: the .init.scratch after it is left out. */
		ck_assert_uint_le(rel + ph.p_memsz, info.memsz + info.scratch);
		ck_assert_uint_lt(rel, info.memsz);
		filesz = rel + ph.p_filesz > info.memsz ? info.memsz - rel : ph.p_filesz;
		ck_assert_uint_le(rel + filesz, info.image_len);
		ck_assert_msg(!memcmp(img + rel, elf + ph.p_offset, filesz),
			      "segment %zu (paddr 0x%llx) differs", i,
			      (unsigned long long)ph.p_paddr);
		bss_end = rel + ph.p_memsz < info.image_len ? rel + ph.p_memsz : info.image_len;
		for (uint64_t j = rel + filesz; j < bss_end; j++)
			if (img[j])
				ck_abort_msg("bss of segment %zu not zero at +0x%llx", i,
					     (unsigned long long)j);
	}
	ck_assert_uint_ge(nload, 2);
	/* x86_64 links e_entry to startup_64's physical address. */
	entry = eh.e_entry;
	ck_assert_uint_eq(entry - info.paddr, info.entry);
	/* The image ends with the last segment's file bytes, and startup_64 is code. */
	ck_assert_uint_eq((top < info.paddr + info.memsz ? top : info.paddr + info.memsz) - info.paddr,
			  info.image_len);
	ck_assert_uint_eq(end - info.paddr, info.memsz + info.scratch);
	/* Debian's kernels have AMD_MEM_ENCRYPT: .init.scratch, 2 MiB aligned past _end. */
	ck_assert_uint_gt(info.scratch, 0);
	ck_assert_uint_eq(info.memsz % 4096, 0);
	ck_assert_uint_eq((info.memsz + info.scratch) % (2 << 20), 0);
	ck_assert_uint_ne(cap_get64(img + info.entry), 0);
	elf_end(e);
	free(elf);
	free(c);
	free(bz);
}
END_TEST

START_TEST(unpacked_real_kernels_build)
{
	struct lb_unpack_info info;
	struct lb_err err = { "" };
	struct cap_machine cm;
	struct cap_build b;
	struct lb_kernel k;
	const char *loader = NULL;
	size_t len, clen, image_off;
	uint8_t *bz = read_kernel(_i, &len), *c = NULL, *bp;
	uint64_t hdr_end = 0x202 + bz[0x201];
	int ret;

	ret = lb_unpack_bzimage(bz, len, &c, &clen, &info, &err);
	ck_assert_msg(ret == 0, "unpack failed: %d %s", ret, err.msg);
	image_off = clen - info.image_len;

	cap_machine_crashkernel(&cm, false);
	ck_assert_ptr_eq(lb_loader_find(c, clen, &err), &lb_unpacked_loader);
	ret = lb_kernel_parse(c, clen, &cm.m, &k, &loader, &err);
	ck_assert_msg(ret == 0, "parse failed: %d %s", ret, err.msg);
	ck_assert_str_eq(loader, "unpacked");
	ck_assert_ptr_eq(k.image, c + image_off);
	ck_assert_uint_eq(k.image_len, info.image_len);
	ck_assert_uint_eq(k.entry_off, info.entry);
	ck_assert_uint_eq(k.init_size, LB_ALIGN_UP(info.memsz, 4096));
	ck_assert_uint_eq(k.hdr_end, hdr_end);
	ck_assert_uint_eq(k.pm_len, 0);

	for (int la57 = 0; la57 < 2; la57++) {
		cap_machine_crashkernel(&cm, la57);
		cap_build(&b, &cm.m, c, clen, "initrd", 6, "console=ttyS0");
		ck_assert_msg(b.ret == 0, "build failed: %d %s", b.ret, b.err.msg);
		ck_assert_str_eq(b.img.loader, "unpacked");
		ck_assert_uint_eq(b.img.kernel_load % MiB(2), 0);
		ck_assert_uint_ge(b.img.kernel_load, MiB(16));
		ck_assert_uint_eq(b.img.entry, b.img.kernel_load + info.entry);
		ck_assert_uint_eq(b.img.kernel_memsz, LB_ALIGN_UP(info.memsz, 4096));
		ck_assert_uint_eq(b.img.seg[LB_SEG_KERNEL].dest, b.img.kernel_load);
		ck_assert_ptr_eq(b.img.seg[LB_SEG_KERNEL].src, c + image_off);
		ck_assert_uint_eq(b.img.seg[LB_SEG_KERNEL].len, info.image_len);
		ck_assert_uint_ge(b.img.initrd_pa, b.img.kernel_load + b.img.kernel_memsz);
		ck_assert_uint_le(b.img.initrd_pa + 6, cm.m.region_end);
		/* boot_params: the bzImage's setup header, then what the builder sets. */
		bp = cap_meta_at(&b, b.img.boot_params_pa);
		ck_assert_int_eq(memcmp(bp + 0x1f1, bz + 0x1f1, 0x210 - 0x1f1), 0);
		ck_assert_uint_eq(bp[0x210], 0xff);		/* type_of_loader */
		ck_assert_uint_eq(bp[0x211], 0);		/* loadflags */
		ck_assert_int_eq(memcmp(bp + 0x212, bz + 0x212, 0x218 - 0x212), 0);
		ck_assert_int_eq(memcmp(bp + 0x230, bz + 0x230, 0x23c - 0x230), 0);
		ck_assert_int_eq(memcmp(bp + 0x260, bz + 0x260, hdr_end - 0x260), 0);
		ck_assert_uint_eq(cap_get32(bp + 0x218), (uint32_t)b.img.initrd_pa);
		ck_assert_uint_eq(cap_get32(bp + 0x21c), 6);
		ck_assert_uint_eq(cap_get32(bp + 0x228), (uint32_t)b.img.cmdline_pa);
		ck_assert_uint_eq(bp[0x1ef], 0);
		/* Nothing past the header was taken from the setup part. */
		for (uint64_t i = hdr_end; i < 0x290; i++)
			ck_assert_uint_eq(bp[i], 0);
		cap_build_free(&b);
	}
	free(c);
	free(bz);
}
END_TEST

/*
 * A small container: the synthetic bzImage's setup part (setup_sects 7:
 * 0x1000 bytes), then an image of image_len bytes of 0x90.
 */
struct box {
	uint32_t setup_len;	/* the header's; that many bytes of the setup are copied */
	uint64_t image_len;	/* the header's */
	uint64_t real_image;	/* bytes of image in the file */
	uint64_t memsz, entry, paddr;
	uint32_t hdr_len;
};

static const struct box good_box = {
	.setup_len = 0x1000, .image_len = 0x3000, .real_image = 0x3000,
	.memsz = 0x10123, .entry = 0x200, .paddr = 0x1000000, .hdr_len = LB_UNPACKED_HDR_LEN,
};

static uint8_t *make_box(const struct box *x, size_t *len)
{
	/* A setup_len past the fake bzImage is a lie of the header: 0x1000 are there. */
	uint32_t real_setup = x->setup_len > 0x2000 ? 0x1000 : x->setup_len;
	size_t image_off = (LB_UNPACKED_HDR_LEN + real_setup + 7) & ~(size_t)7;
	uint8_t *bz = cap_fake_bzimage(0x2000, 0x1000000), *c;

	*len = image_off + x->real_image;
	c = calloc(1, *len);
	ck_assert_ptr_nonnull(c);
	memcpy(c, LB_UNPACKED_MAGIC, LB_UNPACKED_MAGIC_LEN);
	lb_put32(c + LB_UNPACKED_OFF_HDR_LEN, x->hdr_len);
	lb_put32(c + LB_UNPACKED_OFF_SETUP_LEN, x->setup_len);
	lb_put64(c + LB_UNPACKED_OFF_IMAGE_LEN, x->image_len);
	lb_put64(c + LB_UNPACKED_OFF_MEMSZ, x->memsz);
	lb_put64(c + LB_UNPACKED_OFF_ENTRY, x->entry);
	lb_put64(c + LB_UNPACKED_OFF_PADDR, x->paddr);
	memcpy(c + LB_UNPACKED_HDR_LEN, bz, real_setup);
	memset(c + image_off, 0x90, x->real_image);
	free(bz);
	return c;
}

START_TEST(unpacked_small_box_builds)
{
	struct cap_machine cm;
	struct cap_build b;
	size_t len;
	uint8_t *c = make_box(&good_box, &len);

	cap_machine_memmap(&cm, false);
	cap_build(&b, &cm.m, c, len, NULL, 0, "console=ttyS0");
	ck_assert_msg(b.ret == 0, "build failed: %d %s", b.ret, b.err.msg);
	ck_assert_str_eq(b.img.loader, "unpacked");
	ck_assert_uint_eq(b.img.kernel_memsz, 0x11000);
	ck_assert_uint_eq(b.img.entry, b.img.kernel_load + 0x200);
	ck_assert_uint_eq(b.img.seg[LB_SEG_KERNEL].len, 0x3000);
	ck_assert_ptr_eq(b.img.seg[LB_SEG_KERNEL].src, c + LB_UNPACKED_HDR_LEN + 0x1000);
	ck_assert_uint_eq(b.img.kernel_load % MiB(2), 0);
	cap_build_free(&b);
	free(c);
}
END_TEST

struct box_case {
	const char *what;
	struct box x;
	size_t trunc;		/* 0: the whole file */
	size_t poke_off;	/* 0: none; else a byte of the file set to poke */
	uint8_t poke;
	const char *msg;
};

#define BOX(...) { .setup_len = 0x1000, .image_len = 0x3000, .real_image = 0x3000, \
		   .memsz = 0x10000, .entry = 0x200, .paddr = 0x1000000,          \
		   .hdr_len = LB_UNPACKED_HDR_LEN, __VA_ARGS__ }

/* BOX() overrides the defaults it starts with: that is the point. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static const struct box_case box_cases[] = {
	{ "truncated in the header", BOX(), 0x20, 0, 0,
	  "unknown kernel format: bzImage: file too short (32 bytes)" },
	{ "truncated in the setup", BOX(), 0x800, 0, 0,
	  "unpacked: setup of 4096 bytes and image of 12288 bytes do not make the file of 2048 bytes" },
	{ "truncated in the image", BOX(), 0x2000, 0, 0,
	  "unpacked: setup of 4096 bytes and image of 12288 bytes do not make the file of 8192 bytes" },
	{ "bad magic", BOX(), 0, 7, '2', "unknown kernel format: bzImage:" },
	{ "header length 0x38", BOX(.hdr_len = 0x38), 0, 0, 0,
	  "unpacked: header length 56, expected 48" },
	{ "header length 0", BOX(.hdr_len = 0), 0, 0, 0, "unpacked: header length 0, expected 48" },
	{ "setup_len above setup_sects", BOX(.setup_len = 0x1200), 0, 0, 0,
	  "unpacked: setup of 4608 bytes, but setup_sects 7 says 4096" },
	{ "setup_len below setup_sects", BOX(.setup_len = 0xe00), 0, 0, 0,
	  "unpacked: setup of 3584 bytes, but setup_sects 7 says 4096" },
	{ "setup_len 0", BOX(.setup_len = 0), 0, 0, 0, "bzImage: file too short (0 bytes)" },
	{ "setup_len huge", BOX(.setup_len = 0xfffffff8), 0, 0, 0,
	  "unpacked: setup of 4294967288 bytes and image of 12288 bytes do not make the file" },
	{ "image_len above the file", BOX(.image_len = 0x3008), 0, 0, 0,
	  "unpacked: setup of 4096 bytes and image of 12296 bytes do not make the file of 16432 bytes" },
	{ "image_len below the file", BOX(.image_len = 0x2ff8), 0, 0, 0,
	  "unpacked: setup of 4096 bytes and image of 12280 bytes do not make the file of 16432 bytes" },
	{ "image_len wraps", BOX(.image_len = 0xffffffffffffd000ULL), 0, 0, 0,
	  "do not make the file of 16432 bytes" },
	{ "empty image", BOX(.image_len = 0, .real_image = 0), 0, 0, 0,
	  "unpacked: image of 0 bytes in memsz 65536: memsz must hold it and be at most 1024 MiB" },
	{ "memsz below image_len", BOX(.memsz = 0x2fff), 0, 0, 0,
	  "unpacked: image of 12288 bytes in memsz 12287: memsz must hold it" },
	{ "memsz 0", BOX(.memsz = 0), 0, 0, 0, "unpacked: image of 12288 bytes in memsz 0" },
	{ "memsz above 1 GiB", BOX(.memsz = 0x40001000), 0, 0, 0,
	  "in memsz 1073745920: memsz must hold it and be at most 1024 MiB" },
	{ "memsz 2^64-1", BOX(.memsz = ~0ULL), 0, 0, 0, "in memsz 18446744073709551615" },
	{ "entry at image_len", BOX(.entry = 0x3000), 0, 0, 0,
	  "unpacked: entry at +0x3000, beyond the image of 12288 bytes" },
	{ "entry far out", BOX(.entry = ~0ULL), 0, 0, 0,
	  "unpacked: entry at +0xffffffffffffffff, beyond the image of 12288 bytes" },
	{ "paddr 16 MiB + 4 KiB", BOX(.paddr = 0x1001000), 0, 0, 0,
	  "unpacked: linked at 0x1001000, not a multiple of 2 MiB" },
	{ "paddr 1 MiB", BOX(.paddr = 0x100000), 0, 0, 0,
	  "unpacked: linked at 0x100000, not a multiple of 2 MiB" },
	{ "corrupted HdrS", BOX(), 0, LB_UNPACKED_HDR_LEN + 0x202, 'h',
	  "bzImage: no \"HdrS\" magic at 0x202" },
	{ "bad boot flag", BOX(), 0, LB_UNPACKED_HDR_LEN + 0x1fe, 0x00,
	  "bzImage: boot flag at 0x1fe is 0xaa00" },
	{ "not relocatable", BOX(), 0, LB_UNPACKED_HDR_LEN + 0x234, 0,
	  "relocatable_kernel is 0" },
	{ "no XLF_KERNEL_64", BOX(), 0, LB_UNPACKED_HDR_LEN + 0x236, 0x7e,
	  "lack XLF_KERNEL_64" },
	{ "alignment not power of 2", BOX(), 0, LB_UNPACKED_HDR_LEN + 0x232, 0x30,
	  "kernel_alignment 0x300000 is not a power of two" },
};
#pragma GCC diagnostic pop

START_TEST(unpacked_rejects_malformed)
{
	const struct box_case *bc = &box_cases[_i];
	struct cap_machine cm;
	struct cap_build b;
	struct lb_kernel k;
	struct lb_err err = { "" };
	size_t len;
	uint8_t *c = make_box(&bc->x, &len), *copy;
	int ret;

	if (bc->trunc)
		len = bc->trunc;
	if (bc->poke_off)
		c[bc->poke_off] = bc->poke;
	/* An exact-size copy, so that ASan catches any read past the end. */
	copy = malloc(len);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, c, len);
	free(c);

	ret = lb_kernel_parse(copy, len, NULL, &k, NULL, &err);
	ck_assert_msg(ret == -ENOEXEC, "%s: got %d (%s)", bc->what, ret, err.msg);
	ck_assert_msg(strstr(err.msg, bc->msg), "%s: message '%s' lacks '%s'", bc->what,
		      err.msg, bc->msg);

	/* The same through the builder, on a sane machine. */
	cap_machine_crashkernel(&cm, false);
	cap_build(&b, &cm.m, copy, len, NULL, 0, "console=ttyS0");
	ck_assert_msg(b.ret == -ENOEXEC, "%s: build got %d (%s)", bc->what, b.ret, b.err.msg);
	ck_assert_msg(strstr(b.err.msg, bc->msg), "%s: build message '%s' lacks '%s'", bc->what,
		      b.err.msg, bc->msg);
	cap_build_free(&b);
	free(copy);
}
END_TEST

/* A 5-level machine refuses a setup part without XLF_5LEVEL here too. */
START_TEST(unpacked_5level_needs_xlf_5level)
{
	struct cap_machine cm;
	struct lb_kernel k;
	struct lb_err err = { "" };
	size_t len;
	uint8_t *c = make_box(&good_box, &len);

	c[LB_UNPACKED_HDR_LEN + 0x236] &= (uint8_t)~0x20;
	cap_machine_crashkernel(&cm, false);
	ck_assert_int_eq(lb_kernel_parse(c, len, &cm.m, &k, NULL, &err), 0);
	cap_machine_crashkernel(&cm, true);
	ck_assert_int_eq(lb_kernel_parse(c, len, &cm.m, &k, NULL, &err), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(err.msg, "lack XLF_5LEVEL"));
	free(c);
}
END_TEST

/* A 1 GiB image does not fit in a 256 MiB region: -ENOSPC, no overflow. */
START_TEST(unpacked_memsz_too_big_for_region)
{
	struct box x = good_box;
	struct cap_machine cm;
	struct cap_build b;
	size_t len;
	uint8_t *c;

	x.memsz = 0x40000000;
	c = make_box(&x, &len);
	cap_machine_crashkernel(&cm, false);
	cap_build(&b, &cm.m, c, len, NULL, 0, "console=ttyS0");
	ck_assert_msg(b.ret == -ENOSPC, "got %d (%s)", b.ret, b.err.msg);
	ck_assert_ptr_nonnull(strstr(b.err.msg, "kernel 1024 MiB (memsz)"));
	cap_build_free(&b);
	free(c);
}
END_TEST

/*
 * A synthetic bzImage whose payload is a tiny ELF vmlinux, gzip'd here:
 * three PT_LOAD segments out of order, a gap, bss, and a PT_NOTE. Checks
 * the layout exactly, and the gzip path.
 */
struct mini_seg {
	uint32_t type;
	uint64_t paddr, vaddr, filesz, memsz;
	uint8_t fill;
};

#define KV 0xffffffff80000000ULL

static const struct mini_seg mini_segs[] = {
	{ PT_LOAD, 0x1200000, KV + 0x1200000, 0x300, 0x2000, 0xdd },	/* data and bss */
	{ PT_LOAD, 0x1000000, KV + 0x1000000, 0x1800, 0x1800, 0xcc },	/* text */
	{ PT_NOTE, 0x1000100, KV + 0x1000100, 0x40, 0x40, 0xee },
	{ PT_LOAD, 0x1100000, 0, 0x100, 0x1000, 0xbb },			/* percpu */
};

static uint8_t *mini_elf(size_t *len, uint64_t e_entry, uint16_t e_machine)
{
	size_t n = LB_ARRAY_SIZE(mini_segs), off = 0x1000, i;
	uint8_t *f;

	*len = off;
	for (i = 0; i < n; i++)
		*len += mini_segs[i].filesz;
	f = calloc(1, *len);
	ck_assert_ptr_nonnull(f);
	memcpy(f, ELFMAG, SELFMAG);
	f[EI_CLASS] = ELFCLASS64;
	f[EI_DATA] = ELFDATA2LSB;
	f[EI_VERSION] = EV_CURRENT;
	f[16] = ET_EXEC;
	f[18] = (uint8_t)e_machine;
	f[19] = (uint8_t)(e_machine >> 8);
	lb_put32(f + 20, EV_CURRENT);
	lb_put64(f + 24, e_entry);
	lb_put64(f + 32, 64);		/* e_phoff */
	f[52] = 64;			/* e_ehsize */
	f[54] = 56;			/* e_phentsize */
	f[56] = (uint8_t)n;		/* e_phnum */
	f[58] = 64;			/* e_shentsize */
	for (i = 0; i < n; i++) {
		uint8_t *ph = f + 64 + 56 * i;

		lb_put32(ph, mini_segs[i].type);
		lb_put32(ph + 4, 7);
		lb_put64(ph + 8, off);
		lb_put64(ph + 16, mini_segs[i].vaddr);
		lb_put64(ph + 24, mini_segs[i].paddr);
		lb_put64(ph + 32, mini_segs[i].filesz);
		lb_put64(ph + 40, mini_segs[i].memsz);
		lb_put64(ph + 48, 0x1000);
		memset(f + off, mini_segs[i].fill, mini_segs[i].filesz);
		off += mini_segs[i].filesz;
	}
	return f;
}

static uint8_t *gzip(const uint8_t *in, size_t len, size_t *out_len)
{
	z_stream z = { 0 };
	size_t cap = compressBound(len) + 64;
	uint8_t *out = malloc(cap);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (uint8_t *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

/* The synthetic bzImage (setup 0x1000) with payload at its protected-mode part + 0x10. */
static uint8_t *mini_bzimage(const uint8_t *payload, size_t plen, size_t *len)
{
	uint8_t *bz;

	*len = 0x1000 + 0x10 + plen + 4;
	if (*len < 0x1400)
		*len = 0x1400;
	bz = cap_fake_bzimage(*len, 0x1000000);
	bz[0x206] = 0x0f;
	lb_put32(bz + PAYLOAD_OFFSET, 0x10);
	lb_put32(bz + PAYLOAD_LENGTH, (uint32_t)plen);
	memcpy(bz + 0x1010, payload, plen);
	return bz;
}

START_TEST(unpack_mini_gzip_layout)
{
	struct lb_unpack_info info;
	struct lb_err err = { "" };
	struct cap_machine cm;
	struct cap_build b;
	size_t elf_len, gz_len, bz_len, clen, image_off;
	uint8_t *elf = mini_elf(&elf_len, 0x1000000, EM_X86_64);
	uint8_t *gz = gzip(elf, elf_len, &gz_len);
	uint8_t *bz = mini_bzimage(gz, gz_len, &bz_len), *c = NULL;
	const uint8_t *img;
	int ret;

	ret = lb_unpack_bzimage(bz, bz_len, &c, &clen, &info, &err);
	ck_assert_msg(ret == 0, "unpack failed: %d %s", ret, err.msg);
	ck_assert_str_eq(info.compression, "gzip");
	ck_assert_uint_eq(info.setup_len, 0x1000);
	ck_assert_uint_eq(info.unpacked_len, elf_len);
	ck_assert_uint_eq(info.paddr, 0x1000000);
	ck_assert_uint_eq(info.image_len, 0x200300);		/* to the data's last file byte */
	ck_assert_uint_eq(info.memsz, 0x202000);		/* to the end of its bss */
	ck_assert_uint_eq(info.entry, 0);
	check_header(c, clen, &info);
	ck_assert_int_eq(memcmp(c + LB_UNPACKED_HDR_LEN, bz, 0x1000), 0);
	image_off = clen - info.image_len;
	img = c + image_off;
	for (uint64_t i = 0; i < info.image_len; i++) {
		uint8_t want = 0;

		if (i < 0x1800)
			want = 0xcc;
		else if (i >= 0x100000 && i < 0x100100)
			want = 0xbb;
		else if (i >= 0x200000)
			want = 0xdd;
		if (img[i] != want)
			ck_abort_msg("image byte +0x%llx is 0x%02x, expected 0x%02x",
				     (unsigned long long)i, img[i], want);
	}

	/* And the builder takes it. */
	cap_machine_crashkernel(&cm, false);
	cap_build(&b, &cm.m, c, clen, NULL, 0, "console=ttyS0");
	ck_assert_msg(b.ret == 0, "build failed: %d %s", b.ret, b.err.msg);
	ck_assert_str_eq(b.img.loader, "unpacked");
	ck_assert_uint_eq(b.img.entry, b.img.kernel_load);
	ck_assert_uint_eq(b.img.kernel_memsz, 0x202000);
	ck_assert_uint_eq(b.img.seg[LB_SEG_KERNEL].len, 0x200300);
	cap_build_free(&b);
	free(c);
	free(bz);
	free(gz);
	free(elf);
}
END_TEST

/* A virtual e_entry is turned back into the image's offset. */
START_TEST(unpack_mini_virtual_entry)
{
	struct lb_unpack_info info;
	struct lb_err err = { "" };
	size_t elf_len, gz_len, bz_len, clen;
	uint8_t *elf = mini_elf(&elf_len, KV + 0x1000040, EM_X86_64);
	uint8_t *gz = gzip(elf, elf_len, &gz_len);
	uint8_t *bz = mini_bzimage(gz, gz_len, &bz_len), *c = NULL;
	int ret;

	ret = lb_unpack_bzimage(bz, bz_len, &c, &clen, &info, &err);
	ck_assert_msg(ret == 0, "unpack failed: %d %s", ret, err.msg);
	ck_assert_uint_eq(info.entry, 0x40);
	free(c);
	free(bz);
	free(gz);
	free(elf);
}
END_TEST

START_TEST(unpack_mini_refusals)
{
	struct lb_unpack_info info;
	struct lb_err err = { "" };
	size_t elf_len, gz_len, bz_len, clen;
	uint8_t *elf, *gz, *bz, *c = (uint8_t *)1;
	int ret;

	/* Not x86_64. */
	elf = mini_elf(&elf_len, 0x1000000, EM_AARCH64);
	gz = gzip(elf, elf_len, &gz_len);
	bz = mini_bzimage(gz, gz_len, &bz_len);
	ret = lb_unpack_bzimage(bz, bz_len, &c, &clen, &info, &err);
	ck_assert_int_eq(ret, -ENOEXEC);
	ck_assert_ptr_null(c);
	ck_assert_uint_eq(clen, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "not an x86_64 executable"));
	free(bz);
	free(gz);
	free(elf);

	/* An entry outside the code. */
	elf = mini_elf(&elf_len, 0x1300000, EM_X86_64);
	gz = gzip(elf, elf_len, &gz_len);
	bz = mini_bzimage(gz, gz_len, &bz_len);
	ret = lb_unpack_bzimage(bz, bz_len, &c, &clen, &info, &err);
	ck_assert_int_eq(ret, -ENOEXEC);
	ck_assert_msg(strstr(err.msg, "with its entry at 0x1300000: expected a 2 MiB aligned start"),
		      "%s", err.msg);
	free(bz);
	free(gz);

	/* Not an ELF file at all. */
	elf[0] = 'X';
	gz = gzip(elf, elf_len, &gz_len);
	bz = mini_bzimage(gz, gz_len, &bz_len);
	ret = lb_unpack_bzimage(bz, bz_len, &c, &clen, &info, &err);
	ck_assert_int_eq(ret, -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(err.msg, "the payload is not an ELF file"));
	free(bz);
	free(gz);
	free(elf);
}
END_TEST

/* Damage to a copy of the real 6.1 kernel; kind picks it. */
struct bz_case {
	const char *what;
	int kernel;		/* 0: 6.1 (xz), 1: 6.12 (zstd) */
	size_t trunc;		/* 0: the whole file */
	size_t off;		/* from the payload's start if payload, else the file's */
	bool payload;
	size_t nbytes;
	const uint8_t bytes[8];
	int err;
	const char *msg;
};

static const struct bz_case bz_cases[] = {
	{ "no HdrS", 0, 0, 0x202, false, 4, "HdrX", -ENOEXEC,
	  "kernel: not a bzImage (no \"HdrS\" setup header)" },
	{ "truncated before the header", 0, 0x200, 0, false, 0, "", -ENOEXEC,
	  "kernel: not a bzImage" },
	{ "boot protocol 2.07", 0, 0, 0x206, false, 2, { 0x07, 0x02 }, -ENOEXEC,
	  "boot protocol 2.07 has no payload fields" },
	{ "payload offset beyond the file", 0, 0, 0x248, false, 4, { 0, 0, 0, 0x10 }, -ENOEXEC,
	  "runs beyond the file of 8247232 bytes" },
	{ "payload length beyond the file", 0, 0, 0x24c, false, 4, { 0xff, 0xff, 0xff, 0x7f },
	  -ENOEXEC, "payload of 2147483647 bytes at 716 past the setup (20480 bytes) runs beyond" },
	{ "payload length 0", 0, 0, 0x24c, false, 4, { 0 }, -ENOEXEC, "payload of 0 bytes: too short to be one" },
	{ "truncated payload", 0, 0x100000, 0, false, 0, "", -ENOEXEC,
	  "runs beyond the file of 1048576 bytes" },
	{ "setup_sects 255", 0, 0, 0x1f1, false, 1, { 0xff }, -ENOEXEC,
	  "payload of 8122340 bytes at 716 past the setup (131072 bytes) runs beyond the file" },
	{ "lz4", 0, 0, 0, true, 4, { 0x02, 0x21, 0x4c, 0x18 }, -EOPNOTSUPP,
	  "kernel: its payload is compressed in a format lifeboat does not unpack (it unpacks xz, zstd and gzip)" },
	{ "lzma", 0, 0, 0, true, 3, { 0x5d, 0x00, 0x00 }, -EOPNOTSUPP, "does not unpack" },
	{ "bzip2", 0, 0, 0, true, 3, "BZh", -EOPNOTSUPP, "does not unpack" },
	{ "lzo", 0, 0, 0, true, 4, { 0x89, 'L', 'Z', 'O' }, -EOPNOTSUPP, "does not unpack" },
	{ "xz data corrupted", 0, 0, 0x200, true, 8, { 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef },
	  -EINVAL, "kernel:" },
	{ "xz stream header CRC", 0, 0, 8, true, 4, { 0xde, 0xad, 0xbe, 0xef }, -EINVAL, "kernel:" },
	{ "zstd data corrupted", 1, 0, 0x200, true, 8, { 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef },
	  -EINVAL, "kernel:" },
};

START_TEST(unpack_rejects_damaged_kernels)
{
	const struct bz_case *bc = &bz_cases[_i];
	struct lb_unpack_info info;
	struct lb_err err = { "" };
	size_t len, clen = 1, at;
	uint8_t *bz = read_kernel(bc->kernel, &len), *copy, *c = (uint8_t *)1;
	int ret;

	at = bc->off;
	if (bc->payload)
		at += (size_t)(bz[0x1f1] + 1) * 512 + cap_get32(bz + PAYLOAD_OFFSET);
	memcpy(bz + at, bc->bytes, bc->nbytes);
	if (bc->trunc)
		len = bc->trunc;
	copy = malloc(len);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, bz, len);
	free(bz);

	ret = lb_unpack_bzimage(copy, len, &c, &clen, &info, &err);
	ck_assert_msg(ret == bc->err, "%s: got %d, expected %d (%s)", bc->what, ret, bc->err,
		      err.msg);
	ck_assert_msg(strstr(err.msg, bc->msg), "%s: message '%s' lacks '%s'", bc->what, err.msg,
		      bc->msg);
	ck_assert_ptr_null(c);
	ck_assert_uint_eq(clen, 0);
	free(copy);
}
END_TEST

/* mem_encrypt=on as a parameter of its own, and nothing else, keeps the bzImage. */
START_TEST(unpack_sme_keeps_bzimage)
{
	ck_assert(lb_unpack_needs_scratch("mem_encrypt=on"));
	ck_assert(lb_unpack_needs_scratch("console=ttyS0 mem_encrypt=on nr_cpus=1"));
	ck_assert(lb_unpack_needs_scratch("a=mem_encrypt=on mem_encrypt=on"));
	ck_assert(!lb_unpack_needs_scratch("mem_encrypt=off"));
	ck_assert(!lb_unpack_needs_scratch("mem_encrypt=onx"));
	ck_assert(!lb_unpack_needs_scratch("xmem_encrypt=on"));
	ck_assert(!lb_unpack_needs_scratch(""));
	ck_assert(!lb_unpack_needs_scratch(NULL));
}
END_TEST

/* A few bytes that are no kernel at all, and a short buffer. */
START_TEST(unpack_rejects_junk)
{
	static const uint8_t junk[] = "MZ this is not a kernel";
	struct lb_unpack_info info;
	struct lb_err err = { "" };
	uint8_t *c;
	size_t clen;
	uint8_t *zero = calloc(1, 0x1000);

	ck_assert_int_eq(lb_unpack_bzimage(junk, sizeof(junk), &c, &clen, &info, &err), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a bzImage"));
	ck_assert_int_eq(lb_unpack_bzimage(zero, 0x1000, &c, &clen, &info, &err), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a bzImage"));
	ck_assert_int_eq(lb_unpack_bzimage(zero, 0, &c, &clen, &info, &err), -ENOEXEC);
	free(zero);
}
END_TEST

static Suite *capture_unpacked_suite(void)
{
	Suite *s = suite_create("capture_unpacked");
	TCase *tc = tcase_create("core");

	/* Two kernels decompressed twice each, on a busy machine. */
	tcase_set_timeout(tc, 240);
	tcase_add_loop_test(tc, unpack_real_kernels, 0, 2);
	tcase_add_loop_test(tc, unpacked_real_kernels_build, 0, 2);
	tcase_add_test(tc, unpacked_small_box_builds);
	tcase_add_loop_test(tc, unpacked_rejects_malformed, 0, (int)LB_ARRAY_SIZE(box_cases));
	tcase_add_test(tc, unpacked_5level_needs_xlf_5level);
	tcase_add_test(tc, unpacked_memsz_too_big_for_region);
	tcase_add_test(tc, unpack_mini_gzip_layout);
	tcase_add_test(tc, unpack_mini_virtual_entry);
	tcase_add_test(tc, unpack_sme_keeps_bzimage);
	tcase_add_test(tc, unpack_mini_refusals);
	tcase_add_loop_test(tc, unpack_rejects_damaged_kernels, 0, (int)LB_ARRAY_SIZE(bz_cases));
	tcase_add_test(tc, unpack_rejects_junk);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(capture_unpacked_suite)
