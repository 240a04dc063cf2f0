// SPDX-License-Identifier: GPL-2.0
/*
 * The module's files: its attributes under /sys/kernel/lifeboat and its
 * load device, /dev/lifeboat, with what a load hands it besides the files
 * (the capture kernel's command line, crashing_cpu's address). The module
 * answers a refusal with a sentence, which err carries as it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lifeboat.h"
#include "sys.h"

const char lb_sysfs_dir[] = "/sys/kernel/lifeboat";
const char lb_dev_path[] = "/dev/lifeboat";

int lb_sysfs_read(const char *attr, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", lb_sysfs_dir, attr);
	return lb_read_line(path, buf, len);
}

int lb_sysfs_write(const char *attr, const char *val)
{
	char path[256];
	size_t len = strlen(val);
	ssize_t n;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", lb_sysfs_dir, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

/*
 * What a capture kernel wants besides the consoles of this kernel: one CPU,
 * devices reset and interrupts polled (the dead kernel left them in any
 * state), a reboot 10 s after a panic of its own, and nothing that costs
 * memory the region is short of: no memory cgroup, and no tracefs, whose
 * files for every trace event 6.1 creates at boot (8.3 MiB of inodes and
 * dentries in the capture kernel, measured under QEMU; 6.12 creates them
 * when listed, and the initcall is the same).
 */
const char lb_capture_params[] =
	"nr_cpus=1 irqpoll reset_devices panic=10 cgroup_disable=memory "
	"initcall_blacklist=tracer_init_tracefs";

/* struct boot_params' acpi_rsdp_addr (Documentation/arch/x86/zero-page.rst). */
#define LB_BP_ACPI_RSDP 0x070

uint64_t lb_boot_params_rsdp(void)
{
	uint64_t v = 0;
	size_t len, i;
	char *data;

	if (lb_read_file("/sys/kernel/boot_params/data", 1 << 16, &data, &len))
		return 0;
	if (len >= LB_BP_ACPI_RSDP + 8)
		for (i = 0; i < 8; i++)
			v |= (uint64_t)(unsigned char)data[LB_BP_ACPI_RSDP + i] << (8 * i);
	free(data);
	return v;
}

int lb_capture_cmdline(char *buf, size_t len, const char *extra)
{
	char line[4096], *tok, *save = NULL;
	FILE *f = fopen("/proc/cmdline", "r");
	unsigned long long rsdp;
	size_t o = 0;

	buf[0] = '\0';
	if (f && fgets(line, sizeof(line), f)) {
		/* The consoles of this kernel, so the capture kernel talks where it does. */
		for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
			if (strncmp(tok, "console=", 8) && strncmp(tok, "earlyprintk=", 12) &&
			    strncmp(tok, "earlycon", 8))
				continue;
			o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s ", tok);
		}
	}
	if (f)
		fclose(f);
	/*
	 * A kernel booted BIOS-style on a UEFI machine (by a fast reboot) has
	 * no EFI configuration table: the module cannot tell its capture
	 * kernel where the ACPI tables are, so the command line does.
	 */
	rsdp = lb_boot_params_rsdp();
	if (rsdp && access("/sys/firmware/efi", F_OK) && o < len)
		o += (size_t)snprintf(buf + o, len - o, "acpi_rsdp=0x%llx ",
				      (unsigned long long)rsdp);
	if (o < len)
		o += (size_t)snprintf(buf + o, len - o, "%s%s%s", lb_capture_params,
				      extra && *extra ? " " : "", extra ? extra : "");
	return o < len ? 0 : -E2BIG;
}

/*
 * The lockdown level in force, from the lockdown LSM's "none [integrity]
 * confidentiality": the capture kernel gets the same, since it starts with
 * no Secure Boot state of its own. False when none, or when securityfs is
 * not mounted.
 */
bool lb_lockdown_level(char *level, size_t len)
{
	char line[128], *open_br, *close_br;
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");
	bool found = false;

	if (!f)
		return false;
	if (fgets(line, sizeof(line), f)) {
		open_br = strchr(line, '[');
		close_br = open_br ? strchr(open_br, ']') : NULL;
		if (close_br && (size_t)(close_br - open_br) <= len) {
			*close_br = '\0';
			snprintf(level, len, "%s", open_br + 1);
			found = strcmp(level, "none") != 0;
		}
	}
	fclose(f);
	return found;
}

/* Address of crashing_cpu from /proc/kallsyms; 0 if hidden or absent. */
static uint64_t crashing_cpu_addr(void)
{
	char line[512], name[256], type;
	unsigned long long addr;
	uint64_t found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 &&
		    !strcmp(name, "crashing_cpu") && (type == 'd' || type == 'D' ||
						      type == 'b' || type == 'B')) {
			found = addr;
			break;
		}
	}
	fclose(f);
	return found;
}

int lb_module_open(struct lb_err *err)
{
	int fd = open(lb_dev_path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return lb_err_set(err, errno, "cannot open %s: %s%s", lb_dev_path, strerror(errno),
				  errno == ENOENT ? " (is lifeboat.ko loaded?)" : "");
	return fd;
}

int lb_module_request(int fd, unsigned long cmd, struct lb_err *err)
{
	char msg[LIFEBOAT_ERR_LEN] = "";
	struct lifeboat_req req = {
		.version = LIFEBOAT_ABI_VERSION,
		.err = (uintptr_t)msg,
	};

	if (ioctl(fd, cmd, &req) < 0)
		return lb_err_set(err, errno, "%s", msg[0] ? msg : strerror(errno));
	return 0;
}

int lb_module_load(int fd, const void *kernel, size_t klen, const void *initrd, size_t ilen,
		   const char *cmdline, uint64_t runtime, struct lb_err *err)
{
	char msg[LIFEBOAT_ERR_LEN] = "";
	struct lifeboat_load req = {
		.version = LIFEBOAT_ABI_VERSION,
		.flags = runtime ? LIFEBOAT_LOAD_RUNTIME : 0,
		.region_size = runtime,
		.kernel = (uintptr_t)kernel,
		.kernel_len = klen,
		.initrd = (uintptr_t)initrd,
		.initrd_len = ilen,
		.cmdline = (uintptr_t)cmdline,
		.cmdline_len = strlen(cmdline) + 1,
		.err = (uintptr_t)msg,
	};

	req.crashing_cpu = crashing_cpu_addr();
	if (ioctl(fd, LIFEBOAT_IOC_LOAD, &req) < 0)
		return lb_err_set(err, errno, "%s", msg[0] ? msg : strerror(errno));
	return 0;
}

int lb_load_cmdline(const char *append, char *buf, size_t len, struct lb_err *err)
{
	char level[32], token[48];
	size_t n;

	if (append) {
		if (strlen(append) >= len)
			return lb_err_set(err, E2BIG, "the command line is longer than %zu characters",
					  len - 1);
		snprintf(buf, len, "%s", append);
	} else if (lb_capture_cmdline(buf, len, NULL)) {
		return lb_err_set(err, E2BIG,
				  "the default command line is longer than %zu characters", len - 1);
	}
	/* lockdown= can only raise the level: the user's own cannot lower it. */
	if (lb_lockdown_level(level, sizeof(level))) {
		snprintf(token, sizeof(token), "lockdown=%s", level);
		n = strlen(buf);
		if (!strstr(buf, token)) {
			if (n + 1 + strlen(token) >= len)
				return lb_err_set(err, E2BIG, "the command line is too long to add '%s'",
						  token);
			snprintf(buf + n, len - n, "%s%s", n ? " " : "", token);
		}
	}
	return 0;
}

bool lb_kdump_loaded(void)
{
	char state[8];

	return !lb_read_line("/sys/kernel/kexec_crash_loaded", state, sizeof(state)) &&
	       !strcmp(state, "1");
}

/* A child's output, for a one-line message: trailing newlines and blanks dropped. */
static const char *chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

int lb_module_ensure(struct lb_err *err)
{
	const char *argv[] = { "modprobe", "lifeboat", NULL };
	struct lb_kmod km;
	char out[4096];
	int ret;

	if (!access(lb_sysfs_dir, F_OK))
		return 0;
	ret = lb_kmod_find(&km, err);
	if (ret)
		return ret;
	ret = lb_run(argv, out, sizeof(out), 0);
	if (ret || access(lb_sysfs_dir, F_OK))
		return lb_err_set(err, ENOENT,
				  "lifeboat.ko is not loaded and 'modprobe lifeboat' failed (status %d): %s",
				  ret, chomp(out));
	return 0;
}
