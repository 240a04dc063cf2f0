// SPDX-License-Identifier: GPL-2.0
/*
 * Filesystem superblocks, enough to find a dump target by UUID= or LABEL=
 * where there is no udev (the capture kernel, a minimal system) and to know
 * its type: ext2/3/4 and xfs (the targets the capture initramfs supports),
 * and btrfs so that it is named rather than unknown.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dumptools.h"

enum {
	EXT_SB = 1024,
	EXT_MAGIC_OFF = 56,
	EXT_COMPAT_OFF = 92,
	EXT_INCOMPAT_OFF = 96,
	EXT_RO_COMPAT_OFF = 100,
	EXT_UUID_OFF = 104,
	EXT_LABEL_OFF = 120,
	EXT_LABEL_LEN = 16,
	EXT_COMPAT_JOURNAL = 0x4,
	EXT_INCOMPAT_JOURNAL_DEV = 0x8,
	/* What ext3 understands; anything beyond it needs ext4 (as blkid decides). */
	EXT3_INCOMPAT_SUPP = 0x2 | 0x4 | 0x10,
	EXT3_RO_COMPAT_SUPP = 0x1 | 0x2 | 0x4,
	XFS_UUID_OFF = 32,
	XFS_LABEL_OFF = 108,
	XFS_LABEL_LEN = 12,
	BTRFS_SB = 0x10000,
	BTRFS_MAGIC_OFF = 0x40,
	BTRFS_UUID_OFF = 0x20,
	BTRFS_LABEL_OFF = 0x12b,
	BTRFS_LABEL_LEN = 256,
};

static unsigned int le16(const unsigned char *p)
{
	return p[0] | (unsigned int)p[1] << 8;
}

static unsigned int le32(const unsigned char *p)
{
	return p[0] | (unsigned int)p[1] << 8 | (unsigned int)p[2] << 16 | (unsigned int)p[3] << 24;
}

static void fmt_uuid(char *out, const unsigned char *u)
{
	snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

static void fmt_label(char *out, size_t size, const unsigned char *l, size_t n)
{
	lb_copy_printable(out, size, (const char *)l, strnlen((const char *)l, n));
}

int lb_fs_probe(const unsigned char *buf, size_t len, struct lb_fsinfo *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (len >= EXT_SB + 1024 && le16(buf + EXT_SB + EXT_MAGIC_OFF) == 0xef53) {
		const unsigned char *sb = buf + EXT_SB;
		unsigned int compat = le32(sb + EXT_COMPAT_OFF);
		unsigned int incompat = le32(sb + EXT_INCOMPAT_OFF);
		unsigned int ro_compat = le32(sb + EXT_RO_COMPAT_OFF);

		if (incompat & EXT_INCOMPAT_JOURNAL_DEV)
			return -ENOENT;	/* an external journal, not a filesystem */
		if ((incompat & ~EXT3_INCOMPAT_SUPP) || (ro_compat & ~EXT3_RO_COMPAT_SUPP))
			strcpy(ret->type, "ext4");
		else if (compat & EXT_COMPAT_JOURNAL)
			strcpy(ret->type, "ext3");
		else
			strcpy(ret->type, "ext2");
		fmt_uuid(ret->uuid, sb + EXT_UUID_OFF);
		fmt_label(ret->label, sizeof(ret->label), sb + EXT_LABEL_OFF, EXT_LABEL_LEN);
		return 0;
	}
	if (len >= 512 && !memcmp(buf, "XFSB", 4)) {
		strcpy(ret->type, "xfs");
		fmt_uuid(ret->uuid, buf + XFS_UUID_OFF);
		fmt_label(ret->label, sizeof(ret->label), buf + XFS_LABEL_OFF, XFS_LABEL_LEN);
		return 0;
	}
	if (len >= BTRFS_SB + 4096 && !memcmp(buf + BTRFS_SB + BTRFS_MAGIC_OFF, "_BHRfS_M", 8)) {
		strcpy(ret->type, "btrfs");
		fmt_uuid(ret->uuid, buf + BTRFS_SB + BTRFS_UUID_OFF);
		fmt_label(ret->label, sizeof(ret->label), buf + BTRFS_SB + BTRFS_LABEL_OFF,
			  BTRFS_LABEL_LEN);
		return 0;
	}
	return -ENOENT;
}

int lb_fs_matches(const struct lb_fsinfo *fs, const char *spec)
{
	if (!strncmp(spec, "UUID=", 5))
		return fs->uuid[0] && !strcasecmp(fs->uuid, spec + 5);
	if (!strncmp(spec, "LABEL=", 6))
		return fs->label[0] && !strcmp(fs->label, spec + 6);
	return 0;
}
