// SPDX-License-Identifier: GPL-2.0
/*
 * The fast reboot on this machine (reboot.h): the kernel, initrd and memory
 * map file read and checked, then handed to the module in one request
 * (LIFEBOAT_IOC_REBOOT_LOAD), as machine/module.c hands it a capture image;
 * its cancellation; the firmware's memory map read from /sys/firmware/memmap
 * and saved as a file. The format is ../lib/fastreboot.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lifeboat.h"
#include "reboot.h"
#include "sys.h"

/* A memory map file is a few lines a range: this is far beyond any. */
#define LB_MEMMAP_FILE_MAX (1 << 20)

/* A file mapped read-only: the module copies from it, so it is never copied here. */
struct mapped {
	void *addr;
	size_t len;
};

static int map_file(const char *path, const char *what, struct mapped *m, struct lb_err *err)
{
	struct stat st;
	int fd, ret = 0;

	m->addr = NULL;
	m->len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lb_err_set(err, errno, "cannot open %s '%s': %s", what, path,
				  strerror(errno));
	if (fstat(fd, &st)) {
		ret = lb_err_set(err, errno, "cannot stat %s '%s': %s", what, path,
				 strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = lb_err_set(err, EINVAL, "%s '%s' is not a regular file", what, path);
		goto out_close;
	}
	if (!st.st_size) {
		ret = lb_err_set(err, EINVAL, "%s '%s' is empty", what, path);
		goto out_close;
	}
	m->addr = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m->addr == MAP_FAILED) {
		m->addr = NULL;
		ret = lb_err_set(err, errno, "cannot map %s '%s': %s", what, path,
				 strerror(errno));
		goto out_close;
	}
	m->len = (size_t)st.st_size;
out_close:
	close(fd);
	return ret;
}

static void unmap_file(struct mapped *m)
{
	if (m->addr)
		munmap(m->addr, m->len);
	m->addr = NULL;
}

/* Everything a request hands over, read and checked. */
struct prepared {
	struct mapped kernel, initrd;
	struct lifeboat_range map[LIFEBOAT_REBOOT_MAX_RANGES];
	unsigned int nr_map;
	uint64_t map_ram;
	uint64_t acpi_rsdp;
	char cmdline[LB_KEXEC_CMDLINE];
};

static int read_memmap(const char *path, struct prepared *p, struct lb_err *err)
{
	struct lb_mem_range ranges[LIFEBOAT_REBOOT_MAX_RANGES];
	unsigned int i, nr;
	size_t len;
	char *text;
	int ret;

	ret = lb_read_file(path, LB_MEMMAP_FILE_MAX, &text, &len);
	if (ret == -EFBIG)
		return lb_err_set(err, EFBIG, "memory map '%s' is larger than %d bytes", path,
				  LB_MEMMAP_FILE_MAX);
	if (ret)
		return lb_err_set(err, -ret, "cannot read memory map '%s': %s", path,
				  strerror(-ret));
	ret = lb_memmap_parse(text, len, path, ranges, LIFEBOAT_REBOOT_MAX_RANGES, &nr, err);
	free(text);
	if (ret)
		return ret;
	p->map_ram = 0;
	for (i = 0; i < nr; i++) {
		p->map[i].start = ranges[i].start;
		p->map[i].end = ranges[i].end;
		p->map[i].type = ranges[i].type;
		p->map[i].pad = 0;
		if (ranges[i].type == LB_MEM_RAM)
			p->map_ram += ranges[i].end - ranges[i].start;
	}
	p->nr_map = nr;
	return 0;
}

static void release(struct prepared *p)
{
	unmap_file(&p->initrd);
	unmap_file(&p->kernel);
}

static int prepare(const struct lb_reboot_files *f, struct prepared *p, struct lb_err *err)
{
	int ret;

	memset(p, 0, sizeof(*p));
	if (!f->kernel)
		return lb_err_set(err, EINVAL, "no kernel to boot");
	/* lb_load_cmdline() with a command line of its own only adds lockdown=. */
	ret = lb_load_cmdline(f->cmdline ? f->cmdline : "", p->cmdline, sizeof(p->cmdline), err);
	if (ret)
		return ret;
	ret = map_file(f->kernel, "kernel", &p->kernel, err);
	if (ret)
		return ret;
	if (f->initrd) {
		ret = map_file(f->initrd, "initramfs", &p->initrd, err);
		if (ret)
			goto out_release;
	}
	if (f->memmap) {
		ret = read_memmap(f->memmap, p, err);
		if (ret)
			goto out_release;
	}
	p->acpi_rsdp = lb_boot_params_rsdp();
	return 0;
out_release:
	release(p);
	return ret;
}

int lb_reboot_check(const struct lb_reboot_files *f, struct lb_reboot_plan *ret,
		    struct lb_err *err)
{
	struct prepared *p = malloc(sizeof(*p));
	int r;

	if (!p)
		return lb_err_set(err, ENOMEM, "out of memory");
	r = prepare(f, p, err);
	if (!r && ret) {
		ret->kernel_len = p->kernel.len;
		ret->initrd_len = p->initrd.len;
		ret->nr_map = p->nr_map;
		ret->map_ram = p->map_ram;
		ret->acpi_rsdp = p->acpi_rsdp;
		snprintf(ret->cmdline, sizeof(ret->cmdline), "%s", p->cmdline);
	}
	if (!r)
		release(p);
	free(p);
	return r;
}

int lb_reboot_load(const struct lb_reboot_files *f, struct lb_err *err)
{
	char msg[LIFEBOAT_ERR_LEN] = "";
	struct lifeboat_reboot req;
	struct prepared *p = malloc(sizeof(*p));
	int fd, ret;

	if (!p)
		return lb_err_set(err, ENOMEM, "out of memory");
	ret = prepare(f, p, err);
	if (ret)
		goto out_free;
	fd = lb_module_open(err);
	if (fd < 0) {
		ret = fd;
		goto out_release;
	}
	req = (struct lifeboat_reboot) {
		.version = LIFEBOAT_ABI_VERSION,
		.kernel = (uintptr_t)p->kernel.addr,
		.kernel_len = p->kernel.len,
		.initrd = (uintptr_t)p->initrd.addr,
		.initrd_len = p->initrd.len,
		.cmdline = (uintptr_t)p->cmdline,
		.cmdline_len = strlen(p->cmdline) + 1,
		.map = p->nr_map ? (uintptr_t)p->map : 0,
		.nr_map = p->nr_map,
		.acpi_rsdp = p->acpi_rsdp,
		.err = (uintptr_t)msg,
	};
	if (ioctl(fd, LIFEBOAT_IOC_REBOOT_LOAD, &req) < 0)
		ret = lb_err_set(err, errno, "%s", msg[0] ? msg : strerror(errno));
	close(fd);
out_release:
	release(p);
out_free:
	free(p);
	return ret;
}

int lb_reboot_cancel(struct lb_err *err)
{
	char msg[LIFEBOAT_ERR_LEN] = "";
	struct lifeboat_req req = {
		.version = LIFEBOAT_ABI_VERSION,
		.err = (uintptr_t)msg,
	};
	int fd, ret = 0;

	if (access(lb_sysfs_dir, F_OK))
		return lb_err_set(err, ENOENT, "lifeboat.ko is not loaded");
	fd = lb_module_open(err);
	if (fd < 0)
		return fd;
	if (ioctl(fd, LIFEBOAT_IOC_REBOOT_CANCEL, &req) < 0) {
		if (errno == ENOENT && !msg[0])
			ret = lb_err_set(err, ENOENT, "no fast reboot is loaded");
		else
			ret = lb_err_set(err, errno, "%s", msg[0] ? msg : strerror(errno));
	}
	close(fd);
	return ret;
}

/* One attribute of an entry, whole (a line and its newline). */
static int read_attr(const char *dir, const char *entry, const char *attr, char **text,
		     size_t *len, struct lb_err *err)
{
	char path[PATH_MAX];
	int ret;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, entry, attr);
	ret = lb_read_file(path, 4096, text, len);
	if (ret)
		return lb_err_set(err, -ret, "cannot read %s: %s", path, strerror(-ret));
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int lb_memmap_read(const char *dir, struct lb_mem_range *ranges, unsigned int cap,
		   unsigned int *nr, struct lb_err *err)
{
	char *start = NULL, *end = NULL, *type = NULL, what[PATH_MAX + 64];
	size_t slen, elen, tlen;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	*nr = 0;
	d = opendir(dir);
	if (!d)
		return lb_err_set(err, errno, "cannot read the firmware's memory map %s: %s%s", dir,
				  strerror(errno),
				  errno == ENOENT ? " (a kernel without CONFIG_FIRMWARE_MEMMAP)" : "");
	while ((de = readdir(d))) {
		if (!all_digits(de->d_name))
			continue;
		if (*nr == cap) {
			ret = lb_err_set(err, E2BIG, "the firmware's memory map %s has more than %u entries",
					 dir, cap);
			break;
		}
		ret = read_attr(dir, de->d_name, "start", &start, &slen, err);
		if (!ret)
			ret = read_attr(dir, de->d_name, "end", &end, &elen, err);
		if (!ret)
			ret = read_attr(dir, de->d_name, "type", &type, &tlen, err);
		if (!ret)
			ret = lb_memmap_sysfs_entry(start, slen, end, elen, type, tlen,
						    (unsigned int)strtoul(de->d_name, NULL, 10),
						    &ranges[*nr], err);
		free(start);
		free(end);
		free(type);
		start = end = type = NULL;
		if (ret)
			break;
		(*nr)++;
	}
	closedir(d);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "the firmware's memory map %s", dir);
	return lb_memmap_check(ranges, *nr, what, err);
}

int lb_memmap_save(const char *path, struct lb_err *err)
{
	struct lb_mem_range ranges[LIFEBOAT_REBOOT_MAX_RANGES];
	unsigned int nr;
	size_t len;
	char *text;
	int ret;

	ret = lb_memmap_read("/sys/firmware/memmap", ranges, LIFEBOAT_REBOOT_MAX_RANGES, &nr, err);
	if (ret)
		return ret;
	len = lb_memmap_format(ranges, nr, NULL, 0);
	if (!len)
		return lb_err_set(err, EINVAL, "the firmware's memory map holds a type with no name");
	text = malloc(len + 1);
	if (!text)
		return lb_err_set(err, ENOMEM, "out of memory");
	lb_memmap_format(ranges, nr, text, len + 1);
	ret = lb_write_file(path, text, len);
	free(text);
	if (ret)
		return lb_err_set(err, -ret, "cannot write memory map '%s': %s", path,
				  strerror(-ret));
	return 0;
}

const char lb_kexec_defaults_path[] = "/etc/default/kexec";

static int proc_cmdline(char *buf, size_t len, struct lb_err *err)
{
	size_t n;
	char *text;
	int ret;

	ret = lb_read_file("/proc/cmdline", 65536, &text, &n);
	if (ret)
		return lb_err_set(err, -ret, "cannot read /proc/cmdline: %s", strerror(-ret));
	ret = lb_cmdline_reuse(text, n, buf, len);
	free(text);
	if (ret)
		return lb_err_set(err, E2BIG, "this kernel's command line is longer than %zu bytes",
				  len - 1);
	return 0;
}

static int copy_choice(char *dst, size_t len, const char *src, const char *what,
		       struct lb_err *err)
{
	if (strlen(src) >= len)
		return lb_err_set(err, E2BIG, "the %s is longer than %zu bytes", what, len - 1);
	snprintf(dst, len, "%s", src);
	return 0;
}

int lb_reboot_choose(const char *defaults_path, const struct lb_reboot_opts *o,
		     struct lb_reboot_choice *ret, struct lb_err *err)
{
	struct lb_kexec_defaults *d = calloc(1, sizeof(*d));
	const char *initrd = NULL, *from = NULL;
	size_t len;
	char *text;
	int r;

	if (!d)
		return lb_err_set(err, ENOMEM, "out of memory");
	memset(ret, 0, sizeof(*ret));
	r = lb_read_file(defaults_path, 1 << 20, &text, &len);
	if (!r) {
		r = lb_kexec_defaults_parse(text, len, defaults_path, d, err);
		free(text);
	} else if (r == -ENOENT) {
		r = 0;
	} else {
		r = lb_err_set(err, -r, "cannot read '%s': %s", defaults_path, strerror(-r));
	}
	if (r)
		goto out;
	if (d->use_grub_config && !o->kernel)
		snprintf(ret->note, sizeof(ret->note),
			 "USE_GRUB_CONFIG=true in '%s' is not followed: lifeboat reboot boots "
			 "KERNEL_IMAGE, or --kernel\n", defaults_path);

	if (o->kernel)
		r = copy_choice(ret->kernel, sizeof(ret->kernel), o->kernel, "kernel's path", err);
	else
		r = copy_choice(ret->kernel, sizeof(ret->kernel),
				d->has_kernel && d->kernel[0] ? d->kernel : "/vmlinuz",
				"kernel's path", err);
	if (r)
		goto out;

	if (o->no_initrd) {
		initrd = NULL;
	} else if (o->initrd) {
		initrd = o->initrd;
	} else if (d->has_initrd) {
		initrd = d->initrd;
		from = " (INITRD of ";
		if (!initrd[0])
			lb_append(ret->note, sizeof(ret->note), strlen(ret->note),
				  "no initramfs: INITRD is empty in '%s'\n", defaults_path);
	} else {
		initrd = "/initrd.img";
	}
	/* Debian's kexec-load passes INITRD as it is; a missing file would fail the load. */
	if (initrd && initrd[0] && !o->initrd && access(initrd, F_OK)) {
		lb_append(ret->note, sizeof(ret->note), strlen(ret->note),
			  "no initramfs: '%s'%s%s%s does not exist\n", initrd, from ? from : "",
			  from ? defaults_path : "", from ? ")" : "");
		initrd = NULL;
	}
	if (initrd && initrd[0]) {
		r = copy_choice(ret->initrd, sizeof(ret->initrd), initrd, "initramfs' path", err);
		if (r)
			goto out;
	}

	if (o->append)
		r = copy_choice(ret->cmdline, sizeof(ret->cmdline), o->append, "command line", err);
	else if (!o->reuse_cmdline && d->has_append && d->append[0])
		r = copy_choice(ret->cmdline, sizeof(ret->cmdline), d->append, "command line", err);
	else
		r = proc_cmdline(ret->cmdline, sizeof(ret->cmdline), err);
out:
	free(d);
	return r;
}

bool lb_kexec_loaded(void)
{
	char state[8];

	return !lb_read_line("/sys/kernel/kexec_loaded", state, sizeof(state)) &&
	       !strcmp(state, "1");
}
