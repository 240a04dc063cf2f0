// SPDX-License-Identifier: GPL-2.0
/*
 * The dump target on this machine: finding a filesystem by UUID or label
 * without udev (the capture kernel has none), the mount that holds a path,
 * the kernel modules that drive a block device, and mounting the target
 * when nobody else did. See sys.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sys.h"

static int probe_dev(const char *dev, struct lb_fsinfo *fs)
{
	unsigned char *buf;
	ssize_t n;
	int fd, ret;

	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = calloc(1, LB_PROBE_LEN);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	n = pread(fd, buf, LB_PROBE_LEN, 0);
	ret = n < 0 ? -errno : lb_fs_probe(buf, (size_t)n, fs);
	free(buf);
	close(fd);
	return ret;
}

/* The device node of a block device number, from its uevent in sysfs. */
static int dev_node(dev_t rdev, char *out, size_t len)
{
	char path[128], *buf, *name;
	size_t n;
	int ret;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", major(rdev), minor(rdev));
	ret = lb_read_file(path, 65536, &buf, &n);
	if (ret)
		return ret;
	name = strstr(buf, "DEVNAME=");
	if (!name) {
		free(buf);
		return -ENOENT;
	}
	name += 8;
	name[strcspn(name, "\n")] = '\0';
	ret = snprintf(out, len, "/dev/%s", name) >= (int)len ? -ENAMETOOLONG : 0;
	free(buf);
	return ret;
}

/* udev's links first, then every block device the kernel lists. */
static int find_by_spec(const char *spec, char *dev, size_t devlen, struct lb_fsinfo *fs)
{
	char path[PATH_MAX], line[256], name[128];
	const char *by = !strncmp(spec, "UUID=", 5) ? "uuid" : "label";
	const char *val = strchr(spec, '=') + 1;
	FILE *f;

	snprintf(path, sizeof(path), "/dev/disk/by-%s/%s", by, val);
	if (!strchr(val, '/') && realpath(path, dev) && strlen(dev) < devlen &&
	    !probe_dev(dev, fs) && lb_fs_matches(fs, spec))
		return 0;

	f = fopen("/proc/partitions", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned int maj, min;
		unsigned long long blocks;

		if (sscanf(line, " %u %u %llu %127s", &maj, &min, &blocks, name) != 4)
			continue;
		if (snprintf(path, sizeof(path), "/dev/%s", name) >= (int)sizeof(path))
			continue;
		if (probe_dev(path, fs) || !lb_fs_matches(fs, spec))
			continue;
		fclose(f);
		return snprintf(dev, devlen, "%s", path) >= (int)devlen ? -ENAMETOOLONG : 0;
	}
	fclose(f);
	return -ENOENT;
}

int lb_target_find(const char *spec, char *dev, size_t devlen, struct lb_fsinfo *fs,
		   struct lb_err *err)
{
	struct stat st;
	int ret;

	if (!strncmp(spec, "/dev/", 5)) {
		if (stat(spec, &st))
			return lb_err_set(err, errno, "dump target '%s' not found: %s", spec,
					  strerror(errno));
		if (!S_ISBLK(st.st_mode))
			return lb_err_set(err, ENOTBLK, "dump target '%s' is not a block device",
					  spec);
		ret = probe_dev(spec, fs);
		if (ret == -ENOENT)
			memset(fs, 0, sizeof(*fs));
		else if (ret)
			return lb_err_set(err, -ret, "cannot read dump target '%s': %s", spec,
					  strerror(-ret));
		return snprintf(dev, devlen, "%s", spec) >= (int)devlen ?
			lb_err_set(err, ENAMETOOLONG, "device name too long") : 0;
	}
	if (strncmp(spec, "UUID=", 5) && strncmp(spec, "LABEL=", 6))
		return lb_err_set(err, EINVAL, "dump target '%s': expected UUID=, LABEL= or /dev/",
				  spec);
	ret = find_by_spec(spec, dev, devlen, fs);
	if (ret == -ENOENT)
		return lb_err_set(err, ENOENT, "dump target '%s' not found: no block device holds a filesystem with that %s",
				  spec, spec[0] == 'U' ? "UUID" : "label");
	if (ret)
		return lb_err_set(err, -ret, "cannot look for dump target '%s': %s", spec,
				  strerror(-ret));
	return 0;
}

/* Undoes mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

struct mount_entry {
	unsigned int maj, min;
	char root[PATH_MAX];
	char mnt[PATH_MAX];
	char fstype[64];
};

/*
 * Calls fn for each line of /proc/self/mountinfo until it returns non-zero.
 * Returns what fn returned, 0 at the end, or -errno.
 */
static int for_each_mount(int (*fn)(const struct mount_entry *m, void *arg), void *arg)
{
	struct mount_entry *m;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int ret = 0;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	m = malloc(sizeof(*m));
	if (!m) {
		fclose(f);
		return -ENOMEM;
	}
	while (getline(&line, &cap, f) > 0) {
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*u %*u %u:%u %4095s %4095s", &m->maj, &m->min, m->root,
				   m->mnt) != 4)
			continue;
		if (sscanf(sep + 3, "%63s", m->fstype) != 1)
			continue;
		unescape(m->root);
		unescape(m->mnt);
		ret = fn(m, arg);
		if (ret)
			break;
	}
	free(line);
	free(m);
	fclose(f);
	return ret;
}

struct find_mount {
	dev_t dev;
	const char *path;	/* the mount point must be a prefix of it; NULL: any */
	char mnt[PATH_MAX];
	char fstype[64];
	size_t best;
};

static int is_prefix_dir(const char *mnt, const char *path)
{
	size_t n = strlen(mnt);

	if (!strcmp(mnt, "/"))
		return 1;
	return !strncmp(mnt, path, n) && (path[n] == '/' || path[n] == '\0');
}

static int match_mount(const struct mount_entry *m, void *arg)
{
	struct find_mount *fm = arg;
	size_t n = strlen(m->mnt);

	/* Bind mounts of a subdirectory (root other than "/") would misplace paths. */
	if (makedev(m->maj, m->min) != fm->dev || strcmp(m->root, "/"))
		return 0;
	if (fm->path && !is_prefix_dir(m->mnt, fm->path))
		return 0;
	/* The last (most recent) of equally long mount points wins, as the kernel's view. */
	if (fm->mnt[0] && n < fm->best)
		return 0;
	snprintf(fm->mnt, sizeof(fm->mnt), "%s", m->mnt);
	snprintf(fm->fstype, sizeof(fm->fstype), "%s", m->fstype);
	fm->best = n;
	return 0;
}

int lb_fs_of_path(const char *path, char *dev, size_t devlen, char *mnt, size_t mntlen,
		  char *fstype, size_t fslen, struct lb_err *err)
{
	char existing[PATH_MAX], real[PATH_MAX];
	struct find_mount *fm;
	struct stat st;
	int ret;

	if (snprintf(existing, sizeof(existing), "%s", path) >= (int)sizeof(existing))
		return lb_err_set(err, ENAMETOOLONG, "path too long");
	while (stat(existing, &st)) {
		char *slash = strrchr(existing, '/');

		if (errno != ENOENT || !slash)
			return lb_err_set(err, errno, "cannot look at '%s': %s", existing,
					  strerror(errno));
		if (slash == existing)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (!realpath(existing, real))
		return lb_err_set(err, errno, "cannot resolve '%s': %s", existing,
				  strerror(errno));
	fm = calloc(1, sizeof(*fm));
	if (!fm)
		return lb_err_set(err, ENOMEM, "out of memory");
	fm->dev = st.st_dev;
	fm->path = real;
	ret = for_each_mount(match_mount, fm);
	if (ret < 0 || !fm->mnt[0]) {
		free(fm);
		return lb_err_set(err, ENOENT, "cannot find the mount holding '%s' in /proc/self/mountinfo",
				  real);
	}
	ret = dev_node(st.st_dev, dev, devlen);
	if (ret) {
		ret = lb_err_set(err, ENODEV, "'%s' is on %s (%s), which is not a block device; set 'target' in the configuration",
				 path, fm->mnt, fm->fstype);
		free(fm);
		return ret;
	}
	snprintf(mnt, mntlen, "%s", fm->mnt);
	snprintf(fstype, fslen, "%s", fm->fstype);
	free(fm);
	return 0;
}

int lb_block_modules(const char *dev, char *out, size_t len, struct lb_err *err)
{
	char sys[PATH_MAX], path[PATH_MAX], link[PATH_MAX], names[16][64];
	struct stat st;
	DIR *slaves;
	size_t nr = 0, o = 0, i;
	char *slash;

	out[0] = '\0';
	if (stat(dev, &st) || !S_ISBLK(st.st_mode))
		return lb_err_set(err, ENOTBLK, "'%s' is not a block device", dev);
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev));
	if (!realpath(path, sys))
		return lb_err_set(err, errno, "cannot resolve '%s': %s", path, strerror(errno));

	if (snprintf(path, sizeof(path), "%s/slaves", sys) >= (int)sizeof(path))
		return lb_err_set(err, ENAMETOOLONG, "sysfs path too long");
	slaves = opendir(path);
	if (slaves) {
		struct dirent *de;
		int stacked = 0;

		while ((de = readdir(slaves)))
			if (de->d_name[0] != '.')
				stacked = 1;
		closedir(slaves);
		if (stacked)
			return lb_err_set(err, EOPNOTSUPP, "'%s' is stacked on other devices (device-mapper, md): the capture initramfs cannot assemble it; choose a plain partition or disk as the target",
					  dev);
	}
	/* A partition: its disk is the parent directory. */
	if (snprintf(path, sizeof(path), "%s/partition", sys) < (int)sizeof(path) &&
	    !access(path, F_OK)) {
		slash = strrchr(sys, '/');
		if (slash)
			*slash = '\0';
	}
	/* Walk up the device tree; every driver that is a module is needed. */
	while (strlen(sys) > strlen("/sys/devices") && nr < 16) {
		ssize_t n;

		n = -1;
		if (snprintf(path, sizeof(path), "%s/driver/module", sys) < (int)sizeof(path))
			n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			const char *base;
			int dup = 0;

			link[n] = '\0';
			base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
			for (i = 0; i < nr; i++)
				if (!strcmp(names[i], base))
					dup = 1;
			if (!dup && strlen(base) < sizeof(names[0]))
				strcpy(names[nr++], base);
		}
		slash = strrchr(sys, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	for (i = nr; i-- > 0;) {
		size_t n = strlen(names[i]);

		if (o + n + 2 > len)
			return lb_err_set(err, ENOSPC, "too many modules");
		if (o)
			out[o++] = ' ';
		memcpy(out + o, names[i], n + 1);
		o += n;
	}
	return 0;
}

static int mounted_at(const char *dev, char *mnt, size_t len)
{
	struct find_mount *fm;
	struct stat st;
	int found;

	if (stat(dev, &st))
		return -errno;
	fm = calloc(1, sizeof(*fm));
	if (!fm)
		return -ENOMEM;
	fm->dev = st.st_rdev;
	for_each_mount(match_mount, fm);
	found = fm->mnt[0] != '\0' && snprintf(mnt, len, "%s", fm->mnt) < (int)len;
	free(fm);
	return found ? 0 : -ENOENT;
}

static int target_open(const struct lb_conf *conf, int rw, const char *at, struct lb_target *t,
		       struct lb_err *err)
{
	const char *type;
	int ret;

	memset(t, 0, sizeof(*t));
	if (!conf->target[0]) {
		snprintf(t->mnt, sizeof(t->mnt), "/");
		snprintf(t->dir, sizeof(t->dir), "%s", conf->path);
		return 0;
	}
	ret = lb_target_find(conf->target, t->dev, sizeof(t->dev), &t->fs, err);
	if (ret)
		return ret;
	if (mounted_at(t->dev, t->mnt, sizeof(t->mnt))) {
		type = conf->fstype[0] ? conf->fstype : t->fs.type;
		if (!type[0])
			return lb_err_set(err, EINVAL, "cannot tell the filesystem type of '%s': set 'fstype' in the configuration",
					  t->dev);
		ret = lb_mkdir_p(at, 0700);
		if (ret)
			return lb_err_set(err, -ret, "cannot create '%s': %s", at, strerror(-ret));
		if (mount(t->dev, at, type, rw ? 0 : MS_RDONLY, NULL) &&
		    !((errno == ENODEV || errno == EINVAL) && !strncmp(type, "ext", 3) &&
		      !mount(t->dev, at, "ext4", rw ? 0 : MS_RDONLY, NULL)))
			return lb_err_set(err, errno, "cannot mount %s (%s, %s) on %s: %s%s",
					  conf->target, t->dev, type, at, strerror(errno),
					  errno == EBADMSG ? " (a checksum of its metadata does not match: the filesystem is damaged, fsck it)" :
					  errno == EUCLEAN ? " (the filesystem is damaged, fsck it)" : "");
		snprintf(t->mnt, sizeof(t->mnt), "%s", at);
		t->we_mounted = 1;
	}
	if (snprintf(t->dir, sizeof(t->dir), "%s%s", strcmp(t->mnt, "/") ? t->mnt : "",
		     conf->path) >= (int)sizeof(t->dir)) {
		lb_target_close(t);
		return lb_err_set(err, ENAMETOOLONG, "the dump directory's path is too long");
	}
	return 0;
}

int lb_target_open(const struct lb_conf *conf, int rw, struct lb_target *t, struct lb_err *err)
{
	return target_open(conf, rw, LB_TARGET_MNT, t, err);
}

int lb_target_open_at(const struct lb_conf *conf, const char *at, struct lb_target *t,
		      struct lb_err *err)
{
	return target_open(conf, 1, at, t, err);
}

void lb_target_close(struct lb_target *t)
{
	if (t->we_mounted) {
		sync();
		if (umount(t->mnt))
			umount2(t->mnt, MNT_DETACH);
		t->we_mounted = 0;
	}
}
