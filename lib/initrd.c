// SPDX-License-Identifier: GPL-2.0
/*
 * What an initramfs takes once the capture kernel has unpacked it: walks
 * the image as init/initramfs.c does (plain cpio "newc" archives and
 * compressed segments one after the other, zero padding between them),
 * decompressing in a small buffer and counting the files and what they
 * occupy in the kernel's tmpfs (whole pages per file, plus an inode and a
 * dentry per entry). Nothing is unpacked to disk and nothing of the image
 * is trusted: every length is checked against what is left.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decompress.h"
#include "reserve.h"

enum {
	CPIO_HDR = 110,
	CPIO_NAME_MAX = 4096,		/* PATH_MAX: the kernel skips longer names */
	PAGE = 4096,
};

#define S_TYPE_MASK 0170000u
#define S_TYPE_REG 0100000u
#define S_TYPE_DIR 0040000u

enum cpio_state { ST_HDR, ST_NAME, ST_SKIP, ST_RESET };

/* The cpio walker, fed in pieces; off counts bytes from the segment start. */
struct cpio {
	enum cpio_state state;
	uint64_t off;
	uint64_t next;			/* ST_SKIP: offset of the next header */
	uint32_t mode, name_len;
	uint64_t body_len;
	unsigned int have;		/* bytes collected in hdr or name */
	char hdr[CPIO_HDR];
	char name[CPIO_NAME_MAX];
	bool trailer;			/* the entry being skipped is TRAILER!!! */
	bool one_archive;		/* stop after the first archive's trailer */
	bool done;			/* one_archive: the trailer and its padding are read */
	struct lb_initrd_info *info;
	uint64_t max_unpacked;
	const char *where;		/* "at byte N of the image" context */
	struct lb_err *err;
};

/* The kernel's N_ALIGN: the name is padded so that header + name is 4-aligned. */
static uint64_t name_align(uint64_t len)
{
	return ((len + 1) & ~3ULL) + 2;
}

static int parse_hdr(struct cpio *c)
{
	uint32_t f[13];
	unsigned int i, j;
	int d;

	if (memcmp(c->hdr, "070701", 6) && memcmp(c->hdr, "070702", 6))
		return lb_err_set(c->err, EINVAL, "initramfs: no cpio \"newc\" magic at byte %llu of %s%s",
				  (unsigned long long)(c->off - CPIO_HDR), c->where,
				  memcmp(c->hdr, "070707", 6) ? "" : " (an old cpio format: use -H newc)");
	for (i = 0; i < 13; i++) {
		f[i] = 0;
		for (j = 0; j < 8; j++) {
			char ch = c->hdr[6 + i * 8 + j];

			d = (ch >= '0' && ch <= '9') ? ch - '0' :
			    (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10 :
			    (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10 : -1;
			if (d < 0)
				return lb_err_set(c->err, EINVAL,
						  "initramfs: cpio header at byte %llu of %s has a field that is not hex",
						  (unsigned long long)(c->off - CPIO_HDR), c->where);
			f[i] = f[i] << 4 | (uint32_t)d;
		}
	}
	c->mode = f[1];
	c->body_len = f[6];
	c->name_len = f[11];
	if (!c->name_len || c->name_len > CPIO_NAME_MAX)
		return lb_err_set(c->err, EINVAL,
				  "initramfs: cpio entry at byte %llu of %s has a name of %u bytes",
				  (unsigned long long)(c->off - CPIO_HDR), c->where, c->name_len);
	/* off is just past the header, as the kernel's this_header. */
	c->next = (c->off + name_align(c->name_len) + c->body_len + 3) & ~3ULL;
	return 0;
}

static void count_entry(struct cpio *c)
{
	struct lb_initrd_info *in = c->info;

	in->entries++;
	in->rootfs += LB_ROOTFS_ENTRY_COST;
	if ((c->mode & S_TYPE_MASK) == S_TYPE_REG) {
		in->files++;
		in->file_bytes += c->body_len;
		in->rootfs += (c->body_len + PAGE - 1) / PAGE * PAGE;
	}
}

/* Feeds n bytes; *used gets how many were taken (fewer only when done). */
static int cpio_feed(struct cpio *c, const uint8_t *p, size_t n, size_t *used)
{
	size_t i = 0, take;
	int r;

	while (i < n && !c->done) {
		switch (c->state) {
		case ST_HDR:
			take = CPIO_HDR - c->have;
			if (take > n - i)
				take = n - i;
			memcpy(c->hdr + c->have, p + i, take);
			c->have += (unsigned int)take;
			i += take;
			c->off += take;
			if (c->have < CPIO_HDR)
				break;
			c->have = 0;
			r = parse_hdr(c);
			if (r)
				return r;
			c->state = ST_NAME;
			break;
		case ST_NAME:
			take = c->name_len - c->have;
			if (take > n - i)
				take = n - i;
			memcpy(c->name + c->have, p + i, take);
			c->have += (unsigned int)take;
			i += take;
			c->off += take;
			if (c->have < c->name_len)
				break;
			c->have = 0;
			if (c->name[c->name_len - 1] != '\0')
				return lb_err_set(c->err, EINVAL,
						  "initramfs: cpio name without its NUL at byte %llu of %s",
						  (unsigned long long)c->off, c->where);
			c->state = ST_SKIP;
			c->trailer = !strcmp(c->name, "TRAILER!!!");
			if (!c->trailer)
				count_entry(c);
			break;
		case ST_SKIP:
			if (c->off + (n - i) < c->next) {
				c->off += n - i;
				i = n;
				break;
			}
			i += (size_t)(c->next - c->off);
			c->off = c->next;
			c->state = c->trailer ? ST_RESET : ST_HDR;
			break;
		case ST_RESET:
			/* Between archives: zeros, then a new one on a 4-byte boundary. */
			while (i < n && !p[i]) {
				i++;
				c->off++;
			}
			if (i == n)
				break;
			if (c->off & 3)
				return lb_err_set(c->err, EINVAL,
						  "initramfs: broken padding at byte %llu of %s",
						  (unsigned long long)c->off, c->where);
			if (c->one_archive) {
				c->done = true;
				break;
			}
			if (p[i] != '0')
				return lb_err_set(c->err, EINVAL,
						  "initramfs: junk after a cpio archive at byte %llu of %s",
						  (unsigned long long)c->off, c->where);
			c->state = ST_HDR;
			break;
		}
	}
	*used = i;
	c->info->unpacked += i;
	if (c->info->unpacked > c->max_unpacked)
		return lb_err_set(c->err, EFBIG, "initramfs: unpacks to more than %llu MiB",
				  (unsigned long long)(c->max_unpacked >> 20));
	return 0;
}

static void cpio_init(struct cpio *c, struct lb_initrd_info *info, uint64_t max_unpacked,
		      bool one_archive, const char *where, struct lb_err *err)
{
	memset(c, 0, sizeof(*c));
	c->state = ST_HDR;
	c->info = info;
	c->max_unpacked = max_unpacked;
	c->one_archive = one_archive;
	c->where = where;
	c->err = err;
}

/* A compressed segment must hold whole archives. */
static int cpio_end(struct cpio *c)
{
	if (c->state == ST_RESET)
		return 0;
	return lb_err_set(c->err, EINVAL, "initramfs: the cpio archive in %s is truncated", c->where);
}

/* The decompressors' sink: everything to the walker. */
static int feed_all(void *ctx, const uint8_t *p, size_t n)
{
	struct cpio *c = ctx;
	size_t used;
	int r = cpio_feed(c, p, n, &used);

	if (!r && used < n)	/* only a one_archive walker stops early */
		r = lb_err_set(c->err, EINVAL, "initramfs: junk after a cpio archive in %s", c->where);
	return r;
}

static const struct {
	const char *name;
	const uint8_t magic[6];
	unsigned int len;
} formats[] = {
	{ "gzip", { 0x1f, 0x8b }, 2 },
	{ "gzip", { 0x1f, 0x9e }, 2 },		/* the old gzip magic the kernel also takes */
	{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6 },
	{ "lzma", { 0x5d, 0x00, 0x00 }, 3 },
	{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
	{ "bzip2", { 'B', 'Z', 'h' }, 3 },
	{ "lz4", { 0x02, 0x21 }, 2 },
	{ "lzo", { 0x89, 0x4c, 0x5a, 0x4f }, 4 },
};

static void add_format(struct lb_initrd_info *info, const char *name)
{
	size_t n = strlen(info->compression);

	/* Each name once, in order of appearance: "none+xz". */
	if (strstr(info->compression, name))
		return;
	snprintf(info->compression + n, sizeof(info->compression) - n, "%s%s", n ? "+" : "", name);
}

int lb_initrd_measure(const void *buf, size_t len, uint64_t max_unpacked, uint64_t max_window,
		      struct lb_initrd_info *ret, struct lb_err *err)
{
	struct lb_unpacker u = {
		.sink = feed_all, .what = "initramfs", .max_window = max_window, .err = err,
	};
	const uint8_t *p = buf;
	uint64_t off = 0, window;
	size_t used, k;
	struct cpio *c;
	char where[64];
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	ret->packed = len;
	if (!len)
		return lb_err_set(err, EINVAL, "initramfs: the file is empty");
	c = malloc(sizeof(*c));
	if (!c)
		return lb_err_set(err, ENOMEM, "initramfs: out of memory");
	while (off < len && !r) {
		if (p[off] == '0' && !(off & 3)) {
			/* A plain archive, such as the early microcode one. */
			cpio_init(c, ret, max_unpacked, true, "the image", err);
			c->off = off;
			r = cpio_feed(c, p + off, len - off, &used);
			if (!r && !c->done && c->state != ST_RESET)
				r = lb_err_set(err, EINVAL, "initramfs: the cpio archive at byte %llu ends early",
					       (unsigned long long)off);
			add_format(ret, "none");
			off += used;
			continue;
		}
		if (!p[off]) {
			off++;
			continue;
		}
		for (k = 0; k < sizeof(formats) / sizeof(formats[0]); k++)
			if (len - off >= formats[k].len && !memcmp(p + off, formats[k].magic, formats[k].len))
				break;
		if (k == sizeof(formats) / sizeof(formats[0])) {
			r = lb_err_set(err, EINVAL,
				       "initramfs: unknown data at byte %llu: neither cpio nor a compression the kernel reads",
				       (unsigned long long)off);
			break;
		}
		snprintf(where, sizeof(where), "the %s segment at byte %llu", formats[k].name,
			 (unsigned long long)off);
		cpio_init(c, ret, max_unpacked, false, where, err);
		u.ctx = c;
		u.where = where;
		used = 0;
		window = 0;
		if (!strcmp(formats[k].name, "gzip"))
			r = lb_unpack_gzip(&u, p + off, len - off, &used, &window);
		else if (!strcmp(formats[k].name, "xz") || !strcmp(formats[k].name, "lzma"))
			r = lb_unpack_xz(&u, p + off, len - off, formats[k].name[0] == 'l', &used,
					 &window);
		else if (!strcmp(formats[k].name, "zstd"))
			r = lb_unpack_zstd(&u, p + off, len - off, &used, &window);
		else
			r = lb_err_set(err, EOPNOTSUPP,
				       "initramfs: the segment at byte %llu is %s-compressed, which lifeboat cannot measure: use xz, zstd or gzip",
				       (unsigned long long)off, formats[k].name);
		if (!r)
			r = cpio_end(c);
		if (!r && !used)
			r = lb_err_set(err, EINVAL, "initramfs: empty %s segment at byte %llu",
				       formats[k].name, (unsigned long long)off);
		add_format(ret, formats[k].name);
		if (window > ret->window)
			ret->window = window;
		off += used;
	}
	free(c);
	if (!r && !ret->entries)
		r = lb_err_set(err, EINVAL, "initramfs: no files in it");
	return r;
}
