// SPDX-License-Identifier: GPL-2.0
/*
 * A bzImage unpacked at load time (lifeboat/unpacked.h): its payload found
 * through the setup header (payload_offset, payload_length), decompressed
 * with the library made for its format (xz, zstd, gzip), read as the ELF
 * vmlinux it is with libelf, and its loadable segments laid out at their
 * physical addresses relative to the first, as the kernel's decompressor
 * lays them out (arch/x86/boot/compressed/misc.c, parse_elf()). What the
 * decompressor appends for KASLR (the relocation table after the ELF file)
 * is not needed: the kernel keeps its link-time virtual address and
 * relocates itself physically.
 *
 * Everything comes from a file the user names, so every offset and size is
 * checked against what was read, and the output is bounded.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "decompress.h"
#include "lifeboat/image.h"
#include "lifeboat/le.h"
#include "lifeboat/unpacked.h"
#include "unpack.h"

/* The setup header's fields this needs (Documentation/arch/x86/boot.rst). */
enum {
	SETUP_SECTS = 0x1f1,
	HEADER = 0x202,
	VERSION = 0x206,
	PAYLOAD_OFFSET = 0x248,
	PAYLOAD_LENGTH = 0x24c,
	HDR_MIN = 0x250,		/* past payload_length */
	MIN_VERSION = 0x208,		/* 2.08: payload_offset and payload_length */
	WINDOW_MAX = 256 << 20,		/* the most a decoder may want */
};

/* Where a kernel can be linked: below the 46 bits of physical address 4-level paging maps. */
#define PADDR_MAX (1ULL << 46)

/* The decompressed ELF file, grown as the decoder hands it over, up to a bound. */
struct out_buf {
	uint8_t *data;
	size_t len, cap, max;
	struct lb_err *err;
};

static int out_sink(void *ctx, const uint8_t *p, size_t n)
{
	struct out_buf *o = ctx;
	size_t cap;
	uint8_t *d;

	if (!n)
		return 0;
	if (n > o->max - o->len)
		return lb_err_set(o->err, EFBIG, "kernel: the payload unpacks to more than %zu MiB",
				  o->max >> 20);
	if (o->len + n > o->cap) {
		cap = o->cap ? o->cap : 1 << 20;
		while (cap < o->len + n)
			cap *= 2;
		if (cap > o->max)
			cap = o->max;
		d = realloc(o->data, cap);
		if (!d)
			return lb_err_set(o->err, ENOMEM, "kernel: out of memory");
		o->data = d;
		o->cap = cap;
	}
	memcpy(o->data + o->len, p, n);
	o->len += n;
	return 0;
}

/* The payload: where it is, its format, decompressed into o. */
static int decompress_payload(const uint8_t *bz, size_t len, struct out_buf *o,
			      struct lb_unpack_info *info, struct lb_err *err)
{
	struct lb_unpacker u = {
		.sink = out_sink, .ctx = o, .what = "kernel", .where = "its payload",
		.max_window = WINDOW_MAX, .err = err,
	};
	size_t setup, off, plen, used = 0;
	uint64_t window = 0;
	const uint8_t *p;

	if (len < HDR_MIN || memcmp(bz + HEADER, "HdrS", 4))
		return lb_err_set(err, ENOEXEC, "kernel: not a bzImage (no \"HdrS\" setup header)");
	if ((bz[VERSION] | bz[VERSION + 1] << 8) < MIN_VERSION)
		return lb_err_set(err, ENOEXEC,
				  "kernel: boot protocol %u.%02u has no payload fields (2.08 and later have)",
				  bz[VERSION + 1], bz[VERSION]);
	setup = ((size_t)(bz[SETUP_SECTS] ? bz[SETUP_SECTS] : 4) + 1) * 512;
	off = lb_get32(bz + PAYLOAD_OFFSET);
	plen = lb_get32(bz + PAYLOAD_LENGTH);
	if (setup > len || off > len - setup || plen > len - setup - off)
		return lb_err_set(err, ENOEXEC,
				  "kernel: payload of %zu bytes at %zu past the setup (%zu bytes) runs beyond the file of %zu bytes",
				  plen, off, setup, len);
	if (plen < 8)
		return lb_err_set(err, ENOEXEC, "kernel: payload of %zu bytes: too short to be one",
				  plen);
	p = bz + setup + off;
	info->setup_len = setup;
	/* The build appends the unpacked size: the buffer starts that big, if it is sane. */
	if (lb_get32(p + plen - 4) <= o->max)
		o->cap = lb_get32(p + plen - 4);
	if (o->cap) {
		o->data = malloc(o->cap);
		if (!o->data)
			return lb_err_set(err, ENOMEM, "kernel: out of memory");
	}
	if (!memcmp(p, "\xfd" "7zXZ", 6)) {
		info->compression = "xz";
		return lb_unpack_xz(&u, p, plen, false, &used, &window);
	}
	if (!memcmp(p, "\x28\xb5\x2f\xfd", 4)) {
		info->compression = "zstd";
		return lb_unpack_zstd(&u, p, plen, &used, &window);
	}
	if (p[0] == 0x1f && (p[1] == 0x8b || p[1] == 0x9e)) {
		info->compression = "gzip";
		return lb_unpack_gzip(&u, p, plen, &used, &window);
	}
	return lb_err_set(err, EOPNOTSUPP,
			  "kernel: its payload is compressed in a format lifeboat does not unpack (it unpacks xz, zstd and gzip): load the bzImage as it is");
}

struct seg {
	uint64_t paddr, vaddr, filesz, memsz, offset;
};

static int seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

/* The ELF vmlinux's loadable segments, sorted by physical address and checked. */
static int read_segments(Elf *e, size_t file_len, struct seg **segs, size_t *nr, uint64_t *entry,
			 struct lb_err *err)
{
	GElf_Ehdr eh;
	GElf_Phdr ph;
	size_t n, i, k = 0;
	struct seg *s;
	int r = 0;

	if (!gelf_getehdr(e, &eh) || gelf_getclass(e) != ELFCLASS64)
		return lb_err_set(err, ENOEXEC, "kernel: the payload is not a 64-bit ELF file");
	if (eh.e_type != ET_EXEC || eh.e_machine != EM_X86_64)
		return lb_err_set(err, ENOEXEC,
				  "kernel: the payload is an ELF file of type %u for machine %u, not an x86_64 executable",
				  eh.e_type, eh.e_machine);
	if (elf_getphdrnum(e, &n) || !n || n > 64)
		return lb_err_set(err, ENOEXEC, "kernel: the payload has no usable program headers");
	s = calloc(n, sizeof(*s));
	if (!s)
		return lb_err_set(err, ENOMEM, "kernel: out of memory");
	for (i = 0; i < n && !r; i++) {
		if (!gelf_getphdr(e, (int)i, &ph)) {
			r = lb_err_set(err, ENOEXEC, "kernel: program header %zu cannot be read", i);
			break;
		}
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > file_len ||
		    ph.p_filesz > file_len - ph.p_offset || ph.p_paddr > PADDR_MAX ||
		    ph.p_memsz > PADDR_MAX) {
			r = lb_err_set(err, ENOEXEC,
				       "kernel: segment %zu (%llu bytes at 0x%llx, %llu in the file at %llu) is malformed",
				       i, (unsigned long long)ph.p_memsz,
				       (unsigned long long)ph.p_paddr,
				       (unsigned long long)ph.p_filesz,
				       (unsigned long long)ph.p_offset);
			break;
		}
		s[k].paddr = ph.p_paddr;
		s[k].vaddr = ph.p_vaddr;
		s[k].filesz = ph.p_filesz;
		s[k].memsz = ph.p_memsz;
		s[k].offset = ph.p_offset;
		k++;
	}
	if (!r && !k)
		r = lb_err_set(err, ENOEXEC, "kernel: the payload has no loadable segment");
	if (!r)
		qsort(s, k, sizeof(*s), seg_cmp);
	for (i = 1; !r && i < k; i++)
		if (s[i].paddr < s[i - 1].paddr + s[i - 1].memsz)
			r = lb_err_set(err, ENOEXEC, "kernel: segments at 0x%llx and 0x%llx overlap",
				       (unsigned long long)s[i - 1].paddr,
				       (unsigned long long)s[i].paddr);
	if (r) {
		free(s);
		return r;
	}
	*entry = eh.e_entry;
	*segs = s;
	*nr = k;
	return 0;
}

/*
 * Where the kernel proper ends (_end: the end of its other sections, page
 * aligned) when .init.scratch follows it: that section sits past _end, on
 * a 2 MiB boundary of its own, and only SME's in-place encryption of the
 * kernel at boot (mem_encrypt=on) uses it; the kernel does not reserve it,
 * and its memory is free RAM once the kernel runs. 0: no such section at
 * the end (then the segments' end is the kernel's end).
 */
static uint64_t scratch_start(Elf *e, uint64_t base, uint64_t vbase, uint64_t end)
{
	uint64_t start = 0, other = 0, a;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	const char *name;
	size_t shstrndx;

	if (elf_getshdrstrndx(e, &shstrndx))
		return 0;
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) || !sh.sh_size ||
		    sh.sh_addr < vbase)
			continue;
		a = sh.sh_addr - vbase + base;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (name && !strcmp(name, ".init.scratch"))
			start = a;
		else if (a + sh.sh_size > other)
			other = a + sh.sh_size;
	}
	if (!start || start < other || start >= end)
		return 0;
	return (other + 4095) & ~4095ULL;
}

bool lb_unpack_needs_scratch(const char *cmdline)
{
	const char *p = cmdline;
	const size_t n = strlen("mem_encrypt=on");

	while (p && (p = strstr(p, "mem_encrypt=on"))) {
		if ((p == cmdline || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return true;
		p += n;
	}
	return false;
}

int lb_unpack_bzimage(const void *bzimage, size_t len, uint8_t **ret, size_t *ret_len,
		      struct lb_unpack_info *info, struct lb_err *err)
{
	const uint8_t *bz = bzimage;
	struct out_buf o = { .max = LB_KERNEL_MAX_LEN, .err = err };
	uint64_t entry, base, top = 0, end = 0, image_off, cut;
	struct seg *segs = NULL;
	uint8_t *c = NULL, *img;
	size_t nr = 0, i, total;
	Elf *e = NULL;
	int r;

	*ret = NULL;
	*ret_len = 0;
	memset(info, 0, sizeof(*info));
	r = decompress_payload(bz, len, &o, info, err);
	if (r)
		goto out;
	info->unpacked_len = o.len;
	elf_version(EV_CURRENT);
	e = elf_memory((char *)o.data, o.len);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		r = lb_err_set(err, ENOEXEC, "kernel: the payload is not an ELF file");
		goto out;
	}
	r = read_segments(e, o.len, &segs, &nr, &entry, err);
	if (r)
		goto out;
	base = segs[0].paddr;
	for (i = 0; i < nr; i++) {
		if (segs[i].paddr + segs[i].memsz > end)
			end = segs[i].paddr + segs[i].memsz;
		if (segs[i].filesz && segs[i].paddr + segs[i].filesz > top)
			top = segs[i].paddr + segs[i].filesz;
	}
	/* The kernel's run-time room ends at _end; the unused scratch after it is left out. */
	cut = scratch_start(e, base, segs[0].vaddr, end);
	if (cut) {
		info->scratch = end - cut;
		end = cut;
		if (top > cut)
			top = cut;
	}
	/* x86_64 links e_entry to startup_64's physical address; a virtual one is turned back. */
	if (entry >= segs[0].vaddr && segs[0].vaddr > base && entry - segs[0].vaddr < end - base)
		entry = entry - segs[0].vaddr + base;
	if (base % (2 << 20) || entry < base || entry >= top || top <= base) {
		r = lb_err_set(err, ENOEXEC,
				  "kernel: linked at 0x%llx with its entry at 0x%llx: expected a 2 MiB aligned start and an entry inside its code",
				  (unsigned long long)base, (unsigned long long)entry);
		goto out;
	}
	if (end - base > LB_KERNEL_MAX_LEN) {
		r = lb_err_set(err, EFBIG, "kernel: its segments span %llu MiB, more than %d MiB",
			       (unsigned long long)((end - base) >> 20), LB_KERNEL_MAX_LEN >> 20);
		goto out;
	}
	image_off = (LB_UNPACKED_HDR_LEN + info->setup_len + 7) & ~7ULL;
	total = (size_t)(image_off + (top - base));
	c = calloc(1, total);
	if (!c) {
		r = lb_err_set(err, ENOMEM, "kernel: out of memory");
		goto out;
	}
	memcpy(c, LB_UNPACKED_MAGIC, LB_UNPACKED_MAGIC_LEN);
	lb_put32(c + LB_UNPACKED_OFF_HDR_LEN, LB_UNPACKED_HDR_LEN);
	lb_put32(c + LB_UNPACKED_OFF_SETUP_LEN, (uint32_t)info->setup_len);
	lb_put64(c + LB_UNPACKED_OFF_IMAGE_LEN, top - base);
	lb_put64(c + LB_UNPACKED_OFF_MEMSZ, end - base);
	lb_put64(c + LB_UNPACKED_OFF_ENTRY, entry - base);
	lb_put64(c + LB_UNPACKED_OFF_PADDR, base);
	memcpy(c + LB_UNPACKED_HDR_LEN, bz, info->setup_len);
	img = c + image_off;
	for (i = 0; i < nr; i++) {
		if (segs[i].paddr >= top)
			continue;
		memcpy(img + (segs[i].paddr - base), o.data + segs[i].offset,
		       segs[i].filesz < top - segs[i].paddr ? segs[i].filesz : top - segs[i].paddr);
	}
	info->image_len = top - base;
	info->memsz = end - base;
	info->entry = entry - base;
	info->paddr = base;
	*ret = c;
	*ret_len = total;
	c = NULL;
out:
	if (e)
		elf_end(e);
	free(segs);
	free(o.data);
	free(c);
	return r;
}
