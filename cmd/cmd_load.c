// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat load / unload / arm / disarm: hand the capture image to the module
 * through /dev/lifeboat and switch the panic hooks on and off. The module
 * answers a refusal with a sentence, which we print as is.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "commands.h"
#include "lifeboat.h"

/*
 * What a capture kernel wants besides the consoles of this kernel: one CPU,
 * devices reset and interrupts polled (the dead kernel left them in any
 * state), a reboot 10 s after a panic of its own, no memory cgroup (it costs
 * memory the region is short of).
 */
static const char capture_params[] =
	"nr_cpus=1 irqpoll reset_devices panic=10 cgroup_disable=memory";

/*
 * Reads the kernel or the initramfs whole. No bound of our own: the module
 * judges the sizes and its refusal says why.
 */
static int read_input(const char *path, const char *what, void **buf, size_t *len)
{
	int ret = lb_read_file(path, SIZE_MAX / 2, (char **)buf, len);

	if (!ret)
		return 0;
	*buf = NULL;
	if (ret == -EISDIR)
		return lb_error("%s '%s' is not a regular file", what, path);
	if (ret == -ENOMEM)
		return lb_error("out of memory reading %s '%s'", what, path);
	return lb_error("cannot open %s '%s': %s", what, path, strerror(-ret));
}

int lb_capture_cmdline(char *buf, size_t len, const char *extra)
{
	char line[4096], *tok, *save = NULL;
	FILE *f = fopen("/proc/cmdline", "r");
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
	if (o < len)
		o += (size_t)snprintf(buf + o, len - o, "%s%s%s", capture_params,
				      extra && *extra ? " " : "", extra ? extra : "");
	return o < len ? 0 : -E2BIG;
}

/*
 * The lockdown level in force, from the lockdown LSM's "none [integrity]
 * confidentiality": the capture kernel gets the same, since it starts with
 * no Secure Boot state of its own. False when none, or when securityfs is
 * not mounted.
 */
static bool lockdown_level(char *level, size_t len)
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

/*
 * What to do when a locked-down kernel refuses the capture kernel, by the
 * errno of lifeboat.ko's sig.c; the module's sentence says what was wrong.
 */
static const char *lockdown_advice(int e)
{
	switch (e) {
	case ENODATA:
	case ENOKEY:
		return "use a kernel signed with a key this kernel trusts for kexec, such as the "
		       "distribution's own when booted with Secure Boot, or sign it with sbsign "
		       "and a key enrolled with mokutil";
	case EKEYREJECTED:
		return "use the file exactly as it was signed";
	case ENOPKG:
		return "sign it with a SHA-256 Authenticode signature, as sbsign does";
	case ELIBBAD:
	case EBADMSG:
		return "use a well-formed signed kernel image";
	default:
		return NULL;
	}
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

static int open_dev(int *fd)
{
	*fd = open(lb_dev_path, O_RDWR | O_CLOEXEC);
	if (*fd < 0)
		return lb_error("cannot open %s: %s%s", lb_dev_path, strerror(errno),
				errno == ENOENT ? " (is lifeboat.ko loaded?)" : "");
	return 0;
}

static int simple_request(unsigned long cmd, const char *what)
{
	char err[LIFEBOAT_ERR_LEN] = "";
	struct lifeboat_req req = {
		.version = LIFEBOAT_ABI_VERSION,
		.err = (uintptr_t)err,
	};
	int fd, ret;

	if (open_dev(&fd))
		return 1;
	ret = ioctl(fd, cmd, &req);
	if (ret < 0)
		ret = lb_error("cannot %s: %s", what, err[0] ? err : strerror(errno));
	close(fd);
	return ret ? 1 : 0;
}

int lb_capture_load(const char *kernel, const char *initrd, const char *append)
{
	char err[LIFEBOAT_ERR_LEN] = "", cmdline[2048], level[32], token[48];
	struct lifeboat_load req = { .version = LIFEBOAT_ABI_VERSION };
	void *kbuf = NULL, *ibuf = NULL;
	size_t klen = 0, ilen = 0, n;
	const char *hint;
	int fd, ret = 1;

	if (append) {
		if (strlen(append) >= sizeof(cmdline))
			return lb_error("the command line is longer than %zu characters",
					sizeof(cmdline) - 1);
		strcpy(cmdline, append);
	} else if (lb_capture_cmdline(cmdline, sizeof(cmdline), NULL)) {
		return lb_error("the default command line is longer than %zu characters",
				sizeof(cmdline) - 1);
	}
	/* lockdown= can only raise the level: the user's own cannot lower it. */
	if (lockdown_level(level, sizeof(level))) {
		snprintf(token, sizeof(token), "lockdown=%s", level);
		n = strlen(cmdline);
		if (!strstr(cmdline, token)) {
			if (n + 1 + strlen(token) >= sizeof(cmdline))
				return lb_error("the command line is too long to add '%s'", token);
			snprintf(cmdline + n, sizeof(cmdline) - n, "%s%s", n ? " " : "", token);
		}
	}
	if (read_input(kernel, "kernel", &kbuf, &klen))
		return 1;
	if (initrd && read_input(initrd, "initramfs", &ibuf, &ilen))
		goto out;
	if (open_dev(&fd))
		goto out;
	req.kernel = (uintptr_t)kbuf;
	req.kernel_len = klen;
	req.initrd = (uintptr_t)ibuf;
	req.initrd_len = ilen;
	req.cmdline = (uintptr_t)cmdline;
	req.cmdline_len = strlen(cmdline) + 1;
	req.crashing_cpu = crashing_cpu_addr();
	req.err = (uintptr_t)err;
	if (ioctl(fd, LIFEBOAT_IOC_LOAD, &req) < 0) {
		/* One line: the module's reason, then what to do about it. */
		hint = lockdown_advice(errno);
		lb_error("cannot load '%s': %s%s%s%s", kernel, err[0] ? err : strerror(errno),
			 hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
	} else {
		ret = 0;
	}
	close(fd);
out:
	free(ibuf);
	free(kbuf);
	return ret;
}

int lb_capture_unload(void)
{
	return simple_request(LIFEBOAT_IOC_UNLOAD, "unload");
}

int lb_capture_arm(void)
{
	return simple_request(LIFEBOAT_IOC_ARM, "arm");
}

int lb_capture_disarm(void)
{
	return simple_request(LIFEBOAT_IOC_DISARM, "disarm");
}

static void load_usage(FILE *out)
{
	fprintf(out,
		"usage: lifeboat load --kernel FILE [--initrd FILE] [--append STRING]\n\n"
		"Places the capture kernel, its initramfs and command line in the reserved\n"
		"region. A new load replaces the old image at once; a failed one changes\n"
		"nothing. Default command line: the console= of this kernel, then\n"
		"\"%s\".\n\n"
		"When this kernel is locked down (Secure Boot), the capture kernel must be\n"
		"signed with a key the kernel trusts for kexec, as for kexec_file_load, and\n"
		"lockdown=LEVEL is added to its command line.\n", capture_params);
}

int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kernel = NULL, *initrd = NULL, *append = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:i:a:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kernel = optarg;
			break;
		case 'i':
			initrd = optarg;
			break;
		case 'a':
			append = optarg;
			break;
		default:
			return lb_usage(c == 'h', load_usage);
		}
	}
	if (!kernel || optind != argc)
		return lb_usage(false, load_usage);
	return lb_capture_load(kernel, initrd, append);
}

static int no_args(int argc, char **argv, int (*fn)(void))
{
	if (argc > 1) {
		lb_error("'%s' takes no arguments", argv[0]);
		return 2;
	}
	return fn();
}

int cmd_unload(int argc, char **argv)
{
	return no_args(argc, argv, lb_capture_unload);
}

int cmd_arm(int argc, char **argv)
{
	return no_args(argc, argv, lb_capture_arm);
}

int cmd_disarm(int argc, char **argv)
{
	return no_args(argc, argv, lb_capture_disarm);
}
