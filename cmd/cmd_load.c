// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat load / unload / arm / disarm: hand the capture image to the module
 * through /dev/lifeboat (machine/module.c) and switch the panic hooks on and
 * off. The module answers a refusal with a sentence, which we print as is,
 * with what to do about it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "lifeboat.h"
#include "unpack.h"

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

/*
 * The capture kernel decompressed now (lib/unpack.c), for the unpacked
 * loader: replaces *buf. Not under lockdown, where only the signed file as
 * it was signed is taken.
 */
static int unpack_kernel(const char *kernel, void **buf, size_t *len)
{
	struct lb_unpack_info info;
	struct lb_err err = { "" };
	char level[32];
	uint8_t *out;
	size_t n;

	if (lb_lockdown_level(level, sizeof(level)))
		return lb_error("cannot load '%s' unpacked: this kernel is locked down (%s) and takes only a kernel as it was signed; load it without --unpack",
				kernel, level);
	if (lb_unpack_bzimage(*buf, *len, &out, &n, &info, &err))
		return lb_error("cannot unpack '%s': %s", kernel, err.msg);
	free(*buf);
	*buf = out;
	*len = n;
	return 0;
}

int lb_capture_load_image(const char *kernel, const void *kbuf, size_t klen, const char *initrd,
			  const char *append, uint64_t runtime)
{
	char cmdline[2048];
	void *ibuf = NULL;
	size_t ilen = 0;
	struct lb_err err = { "" };
	const char *hint;
	int fd, ret = 1;

	if (lb_load_cmdline(append, cmdline, sizeof(cmdline), &err))
		return lb_error("%s", err.msg);
	if (initrd && read_input(initrd, "initramfs", &ibuf, &ilen))
		goto out;
	fd = lb_module_open(&err);
	if (fd < 0) {
		lb_error("%s", err.msg);
		goto out;
	}
	ret = lb_module_load(fd, kbuf, klen, ibuf, ilen, cmdline, runtime, &err);
	close(fd);
	if (ret) {
		/* One line: the module's reason, then what to do about it. */
		hint = lockdown_advice(-ret);
		ret = lb_error("cannot load '%s': %s%s%s%s", kernel, err.msg, hint ? " (" : "",
			       hint ? hint : "", hint ? ")" : "");
	}
out:
	free(ibuf);
	return ret;
}

int lb_capture_load(const char *kernel, const char *initrd, const char *append,
		    uint64_t runtime, bool unpack)
{
	void *kbuf = NULL;
	size_t klen = 0;
	int ret = 1;

	if (unpack && append && lb_unpack_needs_scratch(append))
		return lb_error("cannot load '%s' unpacked: its command line asks mem_encrypt=on, and SME encrypts the kernel at boot in the room past its end that an unpacked kernel leaves out; load it without --unpack",
				kernel);
	if (read_input(kernel, "kernel", &kbuf, &klen))
		return 1;
	if (!unpack || !unpack_kernel(kernel, &kbuf, &klen))
		ret = lb_capture_load_image(kernel, kbuf, klen, initrd, append, runtime);
	free(kbuf);
	return ret;
}

/* Unload, arm, disarm: one request each, answered with the module's sentence. */
static int simple_request(unsigned long cmd, const char *what)
{
	struct lb_err err = { "" };
	int fd, ret;

	fd = lb_module_open(&err);
	if (fd < 0)
		return lb_error("%s", err.msg);
	ret = lb_module_request(fd, cmd, &err);
	close(fd);
	return ret ? lb_error("cannot %s: %s", what, err.msg) : 0;
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
		"usage: lifeboat load --kernel FILE [--initrd FILE] [--append STRING]\n"
		"                     [--runtime SIZE] [--unpack]\n\n"
		"Places the capture kernel, its initramfs and command line in the reserved\n"
		"region. A new load replaces the old image at once; a failed one changes\n"
		"nothing. Default command line: the console= of this kernel, then\n"
		"\"%s\".\n\n"
		"--runtime SIZE: on a machine booted without crashkernel= or memmap=, the\n"
		"module takes SIZE bytes of memory now (such as 256M, as 'lifeboat\n"
		"estimate' gives it) and loads into them; unload gives them back.\n\n"
		"--unpack: decompress the kernel now and place it ready to run, so that\n"
		"nothing is decompressed after a panic (not on a locked-down kernel).\n\n"
		"When this kernel is locked down (Secure Boot), the capture kernel must be\n"
		"signed with a key the kernel trusts for kexec, as for kexec_file_load, and\n"
		"lockdown=LEVEL is added to its command line.\n", lb_capture_params);
}

int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "runtime", required_argument, NULL, 'r' },
		{ "unpack", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kernel = NULL, *initrd = NULL, *append = NULL;
	unsigned long long runtime = 0;
	bool unpack = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:i:a:r:uh", opts, NULL)) != -1) {
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
		case 'u':
			unpack = true;
			break;
		case 'r':
			if (lb_parse_size(optarg, &runtime) || !runtime) {
				lb_error("--runtime '%s': expected a size such as 256M", optarg);
				return 2;
			}
			break;
		default:
			return lb_usage(c == 'h', load_usage);
		}
	}
	if (!kernel || optind != argc)
		return lb_usage(false, load_usage);
	return lb_capture_load(kernel, initrd, append, runtime, unpack);
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
