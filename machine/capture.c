// SPDX-License-Identifier: GPL-2.0
/*
 * The capture initramfs. Its content follows from the configuration and
 * from this machine:
 *
 *   /init                     initramfs/capture-init: loads the modules, runs the saver
 *   /usr/sbin/lifeboat-save   the saver ("lifeboat save" alone), with its libraries
 *   /usr/bin/makedumpfile     with its libraries
 *   /bin/busybox              the rest of the userland
 *   /lib/modules/<kver>/...   exactly what the dump target needs: the drivers
 *                             between the disk and the bus (from sysfs), the
 *                             filesystem, and extra_modules, with dependencies
 *   /etc/lifeboat.conf        the configuration with the target resolved to
 *                             a UUID, its fstype, and path within it
 *   /etc/lifeboat/state       the filesystem holding /var/lib/lifeboat, when
 *                             it is not the target (same keys): where the
 *                             saver says why when the target cannot be mounted
 *   /lib/lifeboat/return/     with final_action = fast-reboot: the production
 *                             kernel, its initramfs, command line and release,
 *                             the firmware's memory map and lifeboat.ko for
 *                             the capture kernel (fastreturn.c)
 *
 * initramfs/lb-initramfs packs it reproducibly: the same inputs give the same
 * bytes, so a digest of the inputs tells `lifeboat start` whether the image
 * it has is still the one it would build.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "capture.h"
#include "kmod.h"
#include "lifeboat.h"
#include "reboot.h"
#include "sizing.h"

void lb_kernel_path(char *buf, size_t len, const char *kver)
{
	snprintf(buf, len, "/boot/vmlinuz-%s", kver);
}

void lb_initramfs_path(char *buf, size_t len, const char *kver)
{
	snprintf(buf, len, "%s/initramfs-%s.img", LB_STATE_DIR, kver);
}

int lb_kernel_info(const char *path, char *release, size_t rlen, struct lb_err *err)
{
	struct lb_reserve_kernel k;
	struct lb_err why;
	size_t len;
	char *h;
	int ret;

	ret = lb_read_file(path, LB_KERNEL_MAX_LEN, &h, &len);
	if (ret)
		return lb_err_set(err, -ret, "cannot read the capture kernel '%s': %s", path,
				  strerror(-ret));
	/* The image builder's loader, as `lifeboat load` and `lifeboat estimate`
	 * use it (the paging depth is checked when the region is sized). */
	ret = lb_reserve_kernel(h, len, false, &k, &why);
	free(h);
	if (ret)
		return lb_err_set(err, -ret, "'%s' is not a kernel lifeboat can load: %s", path,
				  why.msg);
	if (!k.release[0])
		return lb_err_set(err, EINVAL, "'%s' does not say its release", path);
	snprintf(release, rlen, "%s", k.release);
	return 0;
}

int lb_own_kernel_dir(char *out, size_t len)
{
	const char *env = getenv("LIFEBOAT_CAPTURE_KERNEL");
	char self[PATH_MAX], dir[PATH_MAX];
	int ret;

	if (env && *env) {
		snprintf(out, len, "%s", env);
		return 0;
	}
	ret = lb_self_exe(self, sizeof(self));
	if (ret)
		return ret;
	snprintf(dir, sizeof(dir), "%s", dirname(self));
	if ((size_t)snprintf(out, len, "%s/../lib/lifeboat/capture-kernel", dir) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int lb_kernel_pick(const struct lb_conf *conf, struct lb_kpick *k, struct lb_err *err)
{
	bool own = !strcmp(conf->kernel, LB_KERNEL_OWN);
	char dir[PATH_MAX - 32], real[PATH_MAX];
	struct utsname u;

	memset(k, 0, sizeof(*k));
	if (uname(&u))
		return lb_err_set(err, errno, "uname: %s", strerror(errno));
	if (conf->kernel[0] == '/') {
		snprintf(k->kernel, sizeof(k->kernel), "%s", conf->kernel);
		snprintf(k->modroot, sizeof(k->modroot), "/");
		return lb_kernel_info(k->kernel, k->kver, sizeof(k->kver), err);
	}
	/* The fast reboot needs lifeboat.ko in the capture kernel: ours has
	 * none, so unset means the stock kernel there. */
	if (own || (!conf->kernel[0] && conf->final_action != LB_ACTION_FAST_REBOOT)) {
		if (lb_own_kernel_dir(dir, sizeof(dir)))
			dir[0] = '\0';
		snprintf(k->kernel, sizeof(k->kernel), "%s/vmlinuz", dir);
		if (dir[0] && !access(k->kernel, R_OK) && realpath(dir, real) &&
		    strlen(real) < sizeof(k->kernel) - 8) {
			snprintf(k->kernel, sizeof(k->kernel), "%.4000s/vmlinuz", real);
			snprintf(k->modroot, sizeof(k->modroot), "%s", real);
			k->own = true;
			return lb_kernel_info(k->kernel, k->kver, sizeof(k->kver), err);
		}
		if (own)
			return lb_err_set(err, ENOENT,
					  "kernel = lifeboat, but Lifeboat's capture kernel is not installed at '%s' (make capture-kernel install)",
					  dir);
	}
	lb_kernel_path(k->kernel, sizeof(k->kernel), u.release);
	snprintf(k->kver, sizeof(k->kver), "%s", u.release);
	snprintf(k->modroot, sizeof(k->modroot), "/");
	return 0;
}

/* ---- final_action = fast-reboot: what the capture kernel boots after the dump ---- */

static int file_len(const char *path, const char *what, uint64_t *len, struct lb_err *err)
{
	struct stat st;

	if (stat(path, &st))
		return lb_err_set(err, errno, "fast-reboot: cannot find the production %s '%s': %s",
				  what, path, strerror(errno));
	*len = (uint64_t)st.st_size;
	return 0;
}

/* lifeboat.ko of kver, as modprobe finds it under modroot. */
static int find_kmod(const char *kver, const char *modroot, char *out, size_t len,
		     struct lb_err *err)
{
	const char *root = strcmp(modroot, "/") ? modroot : "";
	char dir[PATH_MAX], dep[PATH_MAX + 16], rel[PATH_MAX];
	size_t n;
	char *text;
	int ret;

	snprintf(dir, sizeof(dir), "%s/lib/modules/%s", root, kver);
	snprintf(dep, sizeof(dep), "%s/modules.dep", dir);
	ret = lb_read_file(dep, 64 << 20, &text, &n);
	if (ret)
		return lb_err_set(err, -ret, "fast-reboot: cannot read '%s': %s", dep,
				  strerror(-ret));
	ret = lb_modules_dep_find(text, n, "lifeboat", rel, sizeof(rel));
	free(text);
	if (ret)
		return lb_err_set(err, ENOENT,
				  "fast-reboot: the capture kernel %s has no lifeboat module in '%s': run 'dkms autoinstall -k %s'",
				  kver, dep, kver);
	if ((rel[0] == '/' ? snprintf(out, len, "%s%s", root, rel) :
	     snprintf(out, len, "%s/%s", dir, rel)) >= (int)len)
		return lb_err_set(err, ENAMETOOLONG, "fast-reboot: the path of lifeboat.ko is too long");
	return 0;
}

int lb_return_plan(const struct lb_conf *conf, const char *capture_kver, const char *modroot,
		   struct lb_return *r, struct lb_err *err)
{
	struct lb_reboot_files f;
	struct utsname u;
	size_t n;
	char *text;
	int ret;

	memset(r, 0, sizeof(*r));
	if (uname(&u))
		return lb_err_set(err, errno, "uname: %s", strerror(errno));
	if (conf->return_kernel[0]) {
		snprintf(r->kernel, sizeof(r->kernel), "%s", conf->return_kernel);
		ret = lb_kernel_info(r->kernel, r->release, sizeof(r->release), err);
		if (ret)
			return ret;
	} else {
		snprintf(r->release, sizeof(r->release), "%s", u.release);
		lb_kernel_path(r->kernel, sizeof(r->kernel), u.release);
	}
	if (!strcmp(conf->return_initrd, "none"))
		r->initrd[0] = '\0';
	else if (conf->return_initrd[0])
		snprintf(r->initrd, sizeof(r->initrd), "%s", conf->return_initrd);
	else
		snprintf(r->initrd, sizeof(r->initrd), "/boot/initrd.img-%s", r->release);
	ret = file_len(r->kernel, "kernel", &r->kernel_len, err);
	if (!ret && r->initrd[0]) {
		ret = file_len(r->initrd, "initramfs", &r->initrd_len, err);
		if (ret && !conf->return_initrd[0])
			lb_err_set(err, -ret, "fast-reboot: no initramfs at '%s' for the production kernel: set return_initrd (or return_initrd = none)",
				   r->initrd);
	}
	if (ret)
		return ret;

	ret = lb_read_file("/proc/cmdline", 1 << 20, &text, &n);
	if (ret)
		return lb_err_set(err, -ret, "cannot read /proc/cmdline: %s", strerror(-ret));
	ret = lb_cmdline_reuse(text, n, r->cmdline, sizeof(r->cmdline));
	free(text);
	if (ret)
		return lb_err_set(err, -ret, "fast-reboot: /proc/cmdline is too long to reuse");

	ret = find_kmod(capture_kver, modroot, r->kmod, sizeof(r->kmod), err);
	if (ret)
		return ret;
	/* What the capture kernel's load will check, checked now. */
	f = (struct lb_reboot_files) {
		.kernel = r->kernel, .initrd = r->initrd[0] ? r->initrd : NULL,
		.cmdline = r->cmdline, .memmap = NULL,
	};
	ret = lb_reboot_check(&f, NULL, err);
	if (ret)
		return ret;
	return 0;
}

/* lb-initramfs and capture-init: installed beside the program, or in the source tree. */
static int find_libdir(char *out, size_t len, const char *self, struct lb_err *err)
{
	const char *env = getenv("LIFEBOAT_LIBDIR");
	static const char *const rel[] = { "../lib/lifeboat", "../initramfs" };
	char dir[PATH_MAX], try[PATH_MAX * 2], real[PATH_MAX], copy[PATH_MAX];
	size_t i;

	if (env && *env) {
		snprintf(try, sizeof(try), "%s/lb-initramfs", env);
		if (access(try, X_OK))
			return lb_err_set(err, ENOENT, "LIFEBOAT_LIBDIR='%s' has no lb-initramfs", env);
		snprintf(out, len, "%s", env);
		return 0;
	}
	snprintf(copy, sizeof(copy), "%s", self);
	snprintf(dir, sizeof(dir), "%s", dirname(copy));
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(try, sizeof(try), "%s/%s/lb-initramfs", dir, rel[i]);
		if (access(try, X_OK))
			continue;
		snprintf(try, sizeof(try), "%s/%s", dir, rel[i]);
		if (!realpath(try, real))
			continue;
		snprintf(out, len, "%s", real);
		return 0;
	}
	return lb_err_set(err, ENOENT, "cannot find lb-initramfs in %s/../lib/lifeboat (is lifeboat installed?)",
			  dir);
}

/* lifeboat-save: in the library directory when installed, beside this program in the build tree. */
static int find_saver(char *out, size_t len, const char *libdir, const char *self,
		      struct lb_err *err)
{
	char copy[PATH_MAX];

	if (snprintf(out, len, "%s/lifeboat-save", libdir) < (int)len && !access(out, X_OK))
		return 0;
	snprintf(copy, sizeof(copy), "%s", self);
	if (snprintf(out, len, "%s/lifeboat-save", dirname(copy)) < (int)len && !access(out, X_OK))
		return 0;
	return lb_err_set(err, ENOENT, "cannot find lifeboat-save in %s (is lifeboat installed?)",
			  libdir);
}

static const char *fs_module(const char *fstype)
{
	if (!strcmp(fstype, "ext2") || !strcmp(fstype, "ext3") || !strcmp(fstype, "ext4"))
		return "ext4";
	return fstype;
}

static int add_module(char *list, size_t len, const char *name)
{
	size_t n = strlen(name), o = strlen(list);
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 0;
		p += n;
	}
	if (o + n + 2 > len)
		return -ENOSPC;
	if (o)
		list[o++] = ' ';
	memcpy(list + o, name, n + 1);
	return 0;
}

/* makedumpfile -v lists "lzo\tenabled", "zstd\tdisabled"...: refuse what it cannot do. */
static int check_compression(const struct lb_plan *p, struct lb_err *err)
{
	const char *name = lb_compression_name(p->conf.compression), *line;
	const char *argv[] = { p->makedumpfile, "-v", NULL };
	char out[4096];
	int ret;

	if (p->conf.compression == LB_COMP_ZLIB || p->conf.compression == LB_COMP_NONE)
		return 0;
	ret = lb_run(argv, out, sizeof(out), 0);
	if (ret < 0)
		return lb_err_set(err, -ret, "cannot run '%s': %s", p->makedumpfile,
				  strerror(-ret));
	for (line = out; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		size_t n = strlen(name);

		if (!strncmp(line, name, n) && (line[n] == '\t' || line[n] == ' ')) {
			if (strstr(line, "enabled") && strstr(line, "enabled") < strchrnul(line, '\n'))
				return 0;
			break;
		}
	}
	return lb_err_set(err, ENOTSUP, "%s cannot compress with %s (makedumpfile -v says so): set compression = lzo or zlib",
			  p->makedumpfile, name);
}

static int resolve_target(struct lb_plan *p, int offline, char *drivers, size_t dlen,
			  struct lb_err *err)
{
	struct lb_conf *c = &p->conf;
	struct lb_fsinfo fs = { 0 };
	char mnt[PATH_MAX], fstype[32], mnt_dev[256];
	int ret;

	if (offline) {
		if (!c->target[0])
			return lb_err_set(err, EINVAL, "offline, the configuration must name the target (UUID=, LABEL= or a device)");
		if (!c->fstype[0])
			return lb_err_set(err, EINVAL, "offline, the configuration must give the target's fstype");
		return 0;
	}
	if (!c->target[0]) {
		/* The filesystem that holds path here: by UUID, path made relative to it. */
		ret = lb_fs_of_path(c->path, p->dev, sizeof(p->dev), mnt, sizeof(mnt), fstype,
				    sizeof(fstype), err);
		if (ret)
			return ret;
		snprintf(mnt_dev, sizeof(mnt_dev), "%s", p->dev);
		if (!lb_target_find(mnt_dev, p->dev, sizeof(p->dev), &fs, err) && fs.uuid[0]) {
			snprintf(c->target, sizeof(c->target), "UUID=%s", fs.uuid);
		} else {
			fprintf(stderr, "lifeboat: warning: cannot read the UUID of %s; the capture kernel will look for the dump target by that name\n",
				p->dev);
			snprintf(c->target, sizeof(c->target), "%s", p->dev);
		}
		if (strcmp(mnt, "/")) {
			char rel[LB_CONF_STR];

			snprintf(rel, sizeof(rel), "%s", c->path + strlen(mnt));
			snprintf(c->path, sizeof(c->path), "%s", rel[0] ? rel : "/");
		}
		if (!c->fstype[0])
			snprintf(c->fstype, sizeof(c->fstype), "%s", fs.type[0] ? fs.type : fstype);
	} else {
		ret = lb_target_find(c->target, p->dev, sizeof(p->dev), &fs, err);
		if (ret)
			return ret;
		/* Device names move between boots; UUIDs do not. */
		if (!strncmp(c->target, "/dev/", 5) && fs.uuid[0])
			snprintf(c->target, sizeof(c->target), "UUID=%s", fs.uuid);
		if (!c->fstype[0]) {
			if (!fs.type[0])
				return lb_err_set(err, EINVAL, "cannot tell the filesystem on %s: set fstype in the configuration",
						  p->dev);
			snprintf(c->fstype, sizeof(c->fstype), "%s", fs.type);
		}
	}
	return lb_block_modules(p->dev, drivers, dlen, err);
}

/*
 * The filesystem of the state directory, when it is another than the
 * target's: its modules go in too. Nothing when it cannot be told (a
 * machine without one is not refused for it).
 */
static void resolve_state(struct lb_plan *p)
{
	char found[256], dev[256], mnt[PATH_MAX], fstype[32], mods[LB_CONF_LONG], *tok, *save;
	struct lb_fsinfo fs = { 0 };
	struct lb_err err;
	const char *rel;

	if (lb_fs_of_path(LB_STATE_DIR, found, sizeof(found), mnt, sizeof(mnt), fstype,
			  sizeof(fstype), &err) ||
	    lb_target_find(found, dev, sizeof(dev), &fs, &err) || !fs.uuid[0] ||
	    (!strncasecmp(p->conf.target, "UUID=", 5) && !strcasecmp(p->conf.target + 5, fs.uuid)) ||
	    !strcmp(p->dev, dev) || lb_block_modules(dev, mods, sizeof(mods), &err))
		return;
	rel = strcmp(mnt, "/") ? &LB_STATE_DIR[strlen(mnt)] : LB_STATE_DIR;
	snprintf(p->state, sizeof(p->state), "target = UUID=%s\nfstype = %s\npath = %s\n",
		 fs.uuid, fs.type[0] ? fs.type : fstype, rel[0] ? rel : "/");
	for (tok = strtok_r(mods, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		add_module(p->modules, sizeof(p->modules), tok);
	add_module(p->modules, sizeof(p->modules), fs_module(fs.type[0] ? fs.type : fstype));
}

int lb_plan_make(const struct lb_conf *conf, const char *kver, const char *modroot,
		 const char *compress, int offline, struct lb_plan *p, struct lb_err *err)
{
	char drivers[LB_CONF_LONG] = "", extra[LB_CONF_LONG], *tok, *save, self[PATH_MAX];
	struct lb_kpick k;
	int ret;

	memset(p, 0, sizeof(*p));
	p->conf = *conf;
	snprintf(p->compress, sizeof(p->compress), "%s", compress ? compress : LB_INITRAMFS_COMPRESS);
	if (strcmp(p->compress, "xz") && strcmp(p->compress, "zstd") &&
	    strcmp(p->compress, "gzip") && strcmp(p->compress, "none"))
		return lb_err_set(err, EINVAL, "unknown initramfs compression '%s' (xz, zstd, gzip or none)",
				  p->compress);
	snprintf(p->modroot, sizeof(p->modroot), "%s", modroot ? modroot : "/");

	if (kver && !conf->kernel[0]) {
		/* A release named on the command line: its stock kernel. */
		lb_kernel_path(p->kernel, sizeof(p->kernel), kver);
		snprintf(p->kver, sizeof(p->kver), "%s", kver);
	} else {
		ret = lb_kernel_pick(conf, &k, err);
		if (ret)
			return ret;
		snprintf(p->kernel, sizeof(p->kernel), "%s", k.kernel);
		snprintf(p->kver, sizeof(p->kver), "%s", kver ? kver : k.kver);
		if (!modroot)
			snprintf(p->modroot, sizeof(p->modroot), "%s", k.modroot);
		p->own = k.own;
	}

	ret = lb_self_exe(self, sizeof(self));
	if (ret)
		return lb_err_set(err, -ret, "cannot find this program: %s", strerror(-ret));
	ret = find_libdir(p->libdir, sizeof(p->libdir), self, err);
	if (ret)
		return ret;
	ret = find_saver(p->saver, sizeof(p->saver), p->libdir, self, err);
	if (ret)
		return ret;
	if (lb_find_exe("makedumpfile", p->makedumpfile, sizeof(p->makedumpfile)))
		return lb_err_set(err, ENOENT, "makedumpfile is not installed (apt-get install makedumpfile)");
	if (!access("/bin/busybox", X_OK))
		snprintf(p->busybox, sizeof(p->busybox), "/bin/busybox");
	else if (lb_find_exe("busybox", p->busybox, sizeof(p->busybox)))
		return lb_err_set(err, ENOENT, "busybox is not installed (apt-get install busybox-static)");
	ret = check_compression(p, err);
	if (ret)
		return ret;

	ret = resolve_target(p, offline, drivers, sizeof(drivers), err);
	if (ret)
		return ret;
	snprintf(p->modules, sizeof(p->modules), "%s", drivers);
	if (add_module(p->modules, sizeof(p->modules), fs_module(p->conf.fstype)))
		return lb_err_set(err, ENOSPC, "too many modules");
	snprintf(extra, sizeof(extra), "%s", conf->extra_modules);
	for (tok = strtok_r(extra, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (add_module(p->modules, sizeof(p->modules), tok))
			return lb_err_set(err, ENOSPC, "too many modules");
	if (!offline)
		resolve_state(p);
	if (p->conf.final_action == LB_ACTION_FAST_REBOOT) {
		struct lb_err why;

		/*
		 * The memory map and command line are this machine's, as it runs.
		 * What is missing for the fast reboot does not stop the capture
		 * being armed: the saver then reboots through the firmware.
		 */
		if (offline)
			snprintf(p->fast_off, sizeof(p->fast_off),
				 "offline, this machine's kernel and memory map are not recorded");
		else if (p->own)
			snprintf(p->fast_off, sizeof(p->fast_off),
				 "Lifeboat's own capture kernel carries no lifeboat.ko to boot the production kernel with (kernel = stock for the fast reboot)");
		else if (lb_return_plan(conf, p->kver, p->modroot, &p->ret, &why))
			snprintf(p->fast_off, sizeof(p->fast_off), "%s", why.msg);
		else
			p->fast = true;
	}
	return 0;
}

static int hash_file(uint64_t *h, const char *path, struct lb_err *err);

/* The firmware's memory map as the capture kernel will get it, for the digest. */
static int hash_memmap(uint64_t *h, struct lb_err *err)
{
	struct lb_mem_range ranges[LIFEBOAT_REBOOT_MAX_RANGES];
	unsigned int nr;
	char text[LIFEBOAT_REBOOT_MAX_RANGES * 64 + 128];
	size_t n;
	int ret;

	ret = lb_memmap_read("/sys/firmware/memmap", ranges, LIFEBOAT_REBOOT_MAX_RANGES, &nr, err);
	if (ret)
		return ret;
	n = lb_memmap_format(ranges, nr, text, sizeof(text));
	if (!n || n >= sizeof(text))
		return lb_err_set(err, E2BIG, "the firmware's memory map does not fit a memory map file");
	*h = lb_fnv1a(*h, text, n);
	return 0;
}

/* What the fast return records, in the digest: a new kernel or map, a new image. */
static int hash_return(uint64_t *h, const struct lb_plan *p, struct lb_err *err)
{
	int rc;

	*h = lb_fnv1a(*h, p->ret.cmdline, strlen(p->ret.cmdline) + 1);
	*h = lb_fnv1a(*h, p->ret.release, strlen(p->ret.release) + 1);
	rc = hash_file(h, p->ret.kernel, err);
	if (!rc && p->ret.initrd[0])
		rc = hash_file(h, p->ret.initrd, err);
	if (!rc)
		rc = hash_file(h, p->ret.kmod, err);
	if (!rc)
		rc = hash_memmap(h, err);
	return rc;
}

size_t lb_plan_conf_text(const struct lb_plan *p, char *buf, size_t len)
{
	return lb_conf_format(&p->conf, buf, len);
}

static int hash_file(uint64_t *h, const char *path, struct lb_err *err)
{
	char buf[65536];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lb_err_set(err, errno, "cannot read '%s': %s", path, strerror(errno));
	*h = lb_fnv1a(*h, path, strlen(path) + 1);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		*h = lb_fnv1a(*h, buf, (size_t)n);
	close(fd);
	return n < 0 ? lb_err_set(err, EIO, "cannot read '%s'", path) : 0;
}

int lb_plan_digest(const struct lb_plan *p, uint64_t *ret, struct lb_err *err)
{
	char conf[4096], path[PATH_MAX * 2];
	const char *files[6];
	uint64_t h = LB_FNV_INIT;
	size_t n, i;
	int rc;

	n = lb_plan_conf_text(p, conf, sizeof(conf));
	if (n >= sizeof(conf))
		return lb_err_set(err, E2BIG, "configuration too long");
	h = lb_fnv1a(h, conf, n);
	h = lb_fnv1a(h, p->kver, strlen(p->kver) + 1);
	h = lb_fnv1a(h, p->modules, strlen(p->modules) + 1);
	h = lb_fnv1a(h, p->compress, strlen(p->compress) + 1);
	h = lb_fnv1a(h, p->state, strlen(p->state) + 1);
	files[0] = p->saver;
	files[1] = p->makedumpfile;
	files[2] = p->busybox;
	for (i = 0; i < 3; i++) {
		rc = hash_file(&h, files[i], err);
		if (rc)
			return rc;
	}
	snprintf(path, sizeof(path), "%s/lb-initramfs", p->libdir);
	rc = hash_file(&h, path, err);
	if (!rc) {
		snprintf(path, sizeof(path), "%s/capture-init", p->libdir);
		rc = hash_file(&h, path, err);
	}
	/* A kernel update under the same release changes modules.dep or the image. */
	if (!rc) {
		snprintf(path, sizeof(path), "%s/lib/modules/%s/modules.dep",
			 strcmp(p->modroot, "/") ? p->modroot : "", p->kver);
		rc = hash_file(&h, path, err);
	}
	if (!rc && !access(p->kernel, R_OK))
		rc = hash_file(&h, p->kernel, err);
	if (!rc && p->fast)
		rc = hash_return(&h, p, err);
	if (!rc)
		*ret = h;
	return rc;
}

/*
 * The fast return's files as lb-initramfs file specs (an empty spec ends
 * the list): the command line, release and memory map written into tmpdir,
 * the rest as they are on this machine. The kernel and its initramfs are
 * compressed already: they go in the archive that is not compressed again
 * (--raw-file; zstd -19 over them tripled the build's time, for nothing).
 * The first two specs are those.
 */
static int return_files(const struct lb_plan *p, const char *tmpdir,
			char specs[6][PATH_MAX * 2 + 64], struct lb_err *err)
{
	char path[PATH_MAX], text[LB_KEXEC_CMDLINE + 2];
	const char *base = strrchr(p->ret.kmod, '/');
	int i = 0, ret;

	memset(specs, 0, 6 * sizeof(specs[0]));
	snprintf(specs[i++], sizeof(specs[0]), "%s:%s/vmlinuz", p->ret.kernel, LB_RETURN_DIR);
	if (p->ret.initrd[0])
		snprintf(specs[i++], sizeof(specs[0]), "%s:%s/initrd.img", p->ret.initrd,
			 LB_RETURN_DIR);
	/* lifeboat.ko keeps its name: a compressed one says so by its suffix. */
	snprintf(specs[i++], sizeof(specs[0]), "%s:%s/%s", p->ret.kmod, LB_RETURN_DIR,
		 base ? base + 1 : p->ret.kmod);

	snprintf(path, sizeof(path), "%s/cmdline", tmpdir);
	snprintf(text, sizeof(text), "%s\n", p->ret.cmdline);
	ret = lb_write_file(path, text, strlen(text));
	if (ret)
		return lb_err_set(err, -ret, "cannot write '%s': %s", path, strerror(-ret));
	snprintf(specs[i++], sizeof(specs[0]), "%s:%s/cmdline", path, LB_RETURN_DIR);

	snprintf(path, sizeof(path), "%s/release", tmpdir);
	snprintf(text, sizeof(text), "%s\n", p->ret.release);
	ret = lb_write_file(path, text, strlen(text));
	if (ret)
		return lb_err_set(err, -ret, "cannot write '%s': %s", path, strerror(-ret));
	snprintf(specs[i++], sizeof(specs[0]), "%s:%s/release", path, LB_RETURN_DIR);

	/* The capture kernel knows only its region: the whole map comes from here. */
	snprintf(path, sizeof(path), "%s/memmap", tmpdir);
	ret = lb_memmap_save(path, err);
	if (ret)
		return ret;
	snprintf(specs[i++], sizeof(specs[0]), "%s:%s/memmap", path, LB_RETURN_DIR);
	return 0;
}

int lb_plan_build(const struct lb_plan *p, const char *out, unsigned long long *packed,
		  unsigned long long *unpacked, struct lb_err *err)
{
	char tmpdir[] = "/tmp/lifeboat-mkinitramfs.XXXXXX", conf_path[PATH_MAX];
	char tool[PATH_MAX + 16], init[PATH_MAX + 16], tmp_out[PATH_MAX], self_spec[PATH_MAX + 32];
	char conf_spec[PATH_MAX + 32], state_path[PATH_MAX], state_spec[PATH_MAX + 32], text[4096], modules[sizeof(p->modules)], *tok, *save;
	const char *argv[128];
	char ret_specs[6][PATH_MAX * 2 + 64];
	char log[4096];
	struct lb_initrd_info info;
	struct lb_err why;
	void *image;
	size_t n;
	int ac = 0, ret;

	n = lb_plan_conf_text(p, text, sizeof(text));
	if (n >= sizeof(text))
		return lb_err_set(err, E2BIG, "configuration too long");
	if (!mkdtemp(tmpdir))
		return lb_err_set(err, errno, "cannot create a temporary directory: %s",
				  strerror(errno));
	snprintf(conf_path, sizeof(conf_path), "%s/lifeboat.conf", tmpdir);
	ret = lb_write_file(conf_path, text, n);
	if (ret) {
		lb_err_set(err, -ret, "cannot write '%s': %s", conf_path, strerror(-ret));
		goto out_rm;
	}
	if (p->state[0]) {
		snprintf(state_path, sizeof(state_path), "%s/state", tmpdir);
		ret = lb_write_file(state_path, p->state, strlen(p->state));
		if (ret) {
			lb_err_set(err, -ret, "cannot write '%s': %s", state_path, strerror(-ret));
			goto out_rm;
		}
		snprintf(state_spec, sizeof(state_spec), "%s:/etc/lifeboat/state", state_path);
	}
	snprintf(tool, sizeof(tool), "%s/lb-initramfs", p->libdir);
	snprintf(init, sizeof(init), "%s/capture-init", p->libdir);
	snprintf(tmp_out, sizeof(tmp_out), "%s.tmp", out);
	snprintf(self_spec, sizeof(self_spec), "%s:/usr/sbin/lifeboat-save", p->saver);
	snprintf(conf_spec, sizeof(conf_spec), "%s:/etc/lifeboat.conf", conf_path);
	argv[ac++] = tool;
	argv[ac++] = "--out";
	argv[ac++] = tmp_out;
	argv[ac++] = "--init";
	argv[ac++] = init;
	argv[ac++] = "--busybox";
	argv[ac++] = p->busybox;
	argv[ac++] = "--compress";
	argv[ac++] = p->compress;
	argv[ac++] = "--no-applet-links";
	argv[ac++] = "--kver";
	argv[ac++] = p->kver;
	argv[ac++] = "--modroot";
	argv[ac++] = p->modroot;
	argv[ac++] = "--bin";
	argv[ac++] = p->makedumpfile;
	argv[ac++] = "--bin";
	argv[ac++] = self_spec;
	argv[ac++] = "--file";
	argv[ac++] = conf_spec;
	if (p->state[0]) {
		argv[ac++] = "--file";
		argv[ac++] = state_spec;
	}
	if (p->fast) {
		ret = return_files(p, tmpdir, ret_specs, err);
		if (ret)
			goto out_rm;
		for (n = 0; n < 6 && ret_specs[n][0]; n++) {
			argv[ac++] = n < (p->ret.initrd[0] ? 2u : 1u) ? "--raw-file" : "--file";
			argv[ac++] = ret_specs[n];
		}
	}
	snprintf(modules, sizeof(modules), "%s", p->modules);
	for (tok = strtok_r(modules, " ", &save); tok && ac < 124; tok = strtok_r(NULL, " ", &save)) {
		argv[ac++] = "--module";
		argv[ac++] = tok;
	}
	argv[ac] = NULL;
	ret = lb_run(argv, log, sizeof(log), 0);
	if (ret) {
		n = strlen(log);
		while (n && log[n - 1] == '\n')
			log[--n] = '\0';
		ret = lb_err_set(err, EIO, "lb-initramfs failed (status %d): %s", ret, log);
		unlink(tmp_out);
		goto out_rm;
	}
	if (access(tmp_out, F_OK)) {
		ret = lb_err_set(err, errno, "lb-initramfs wrote no '%s'", tmp_out);
		goto out_rm;
	}
	/* Walking it as the capture kernel will unpack it (as `lifeboat estimate`
	 * does) checks it and measures what the capture kernel's RAM must hold. */
	ret = lb_initrd_read(tmp_out, &image, &n, &info, &why);
	free(image);
	if (ret) {
		lb_err_set(err, -ret, "the new image does not unpack: %s", why.msg);
		unlink(tmp_out);
		goto out_rm;
	}
	*packed = info.packed;
	*unpacked = info.unpacked;
	ret = lb_fsync_path(tmp_out);
	if (!ret && rename(tmp_out, out))
		ret = -errno;
	if (ret) {
		lb_err_set(err, -ret, "cannot write '%s': %s", out, strerror(-ret));
		unlink(tmp_out);
	}
out_rm:
	lb_rm_rf(tmpdir);
	return ret;
}

static void stamp_path(char *buf, size_t len, const char *img)
{
	snprintf(buf, len, "%s.inputs", img);
}

int lb_stamp_read(const char *img, uint64_t *digest, unsigned long long *packed,
		  unsigned long long *unpacked)
{
	char path[PATH_MAX + 16], *text, *l;
	size_t len;
	int ret, have = 0;

	stamp_path(path, sizeof(path), img);
	ret = lb_read_file(path, 65536, &text, &len);
	if (ret)
		return ret;
	for (l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		unsigned long long v;

		if (sscanf(l, "digest=%llx", &v) == 1) {
			*digest = v;
			have |= 1;
		} else if (sscanf(l, "packed=%llu", &v) == 1) {
			*packed = v;
			have |= 2;
		} else if (sscanf(l, "unpacked=%llu", &v) == 1) {
			*unpacked = v;
			have |= 4;
		}
	}
	free(text);
	return have == 7 ? 0 : -EINVAL;
}

int lb_stamp_write(const char *img, uint64_t digest, const struct lb_plan *p,
		   unsigned long long packed, unsigned long long unpacked)
{
	char path[PATH_MAX + 16], text[8192];
	int n;

	stamp_path(path, sizeof(path), img);
	n = snprintf(text, sizeof(text),
		     "# what lifeboat built %s from; 'lifeboat start' rebuilds it when this changes\n"
		     "digest=%016llx\npacked=%llu\nunpacked=%llu\nkver=%s\nkernel=%s\n"
		     "target=%s\nfstype=%s\npath=%s\nmodules=%s\ncompress=%s\n",
		     img, (unsigned long long)digest, packed, unpacked, p->kver, p->kernel,
		     p->conf.target, p->conf.fstype, p->conf.path, p->modules, p->compress);
	if (n < 0 || n >= (int)sizeof(text))
		return -E2BIG;
	return lb_write_file(path, text, (size_t)n);
}

int lb_plan_update(const struct lb_plan *p, const char *img, int rebuild,
		   struct lb_plan_update *ret, struct lb_err *err)
{
	unsigned long long sp, su;
	uint64_t digest, old = 0;
	struct stat st;
	int r, have_stamp;

	memset(ret, 0, sizeof(*ret));
	have_stamp = !lb_stamp_read(img, &old, &sp, &su);
	r = lb_plan_digest(p, &digest, err);
	if (r)
		return r;
	if (!rebuild && have_stamp && old == digest && !stat(img, &st) &&
	    (unsigned long long)st.st_size == sp) {
		ret->packed = sp;
		ret->unpacked = su;
		return 0;
	}
	/* old is 0 without a record of inputs: a first build. */
	ret->had_stamp = old != 0;
	r = lb_mkdir_p(LB_STATE_DIR, 0755);
	if (r)
		return lb_err_set(err, -r, "cannot create '%s': %s", LB_STATE_DIR, strerror(-r));
	r = lb_plan_build(p, img, &ret->packed, &ret->unpacked, err);
	if (r)
		return r;
	r = lb_stamp_write(img, digest, p, ret->packed, ret->unpacked);
	if (r)
		return lb_err_set(err, -r, "cannot write '%s.inputs': %s", img, strerror(-r));
	ret->built = true;
	return 0;
}
