// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat mkinitramfs: builds the capture initramfs for the configuration
 * (see machine/capture.c for what it holds) and says how big it is. `lifeboat start`
 * does the same when the kernel or the configuration changed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "commands.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lifeboat mkinitramfs [--config FILE] [--out FILE] [--kver RELEASE]\n"
		"                            [--modroot DIR] [--compress xz|zstd|gzip|none]\n"
		"                            [--offline] [--show]\n\n"
		"Builds the capture initramfs for the configuration (default %s):\n"
		"busybox, makedumpfile, the saver, the modules the dump target needs, and\n"
		"the configuration. Default output: %s/initramfs-RELEASE.img.\n"
		"  --kver, --modroot  modules of that release, under DIR/lib/modules\n"
		"  --offline          look at nothing on this machine: the configuration gives\n"
		"                     target, fstype, and the disk drivers in extra_modules\n"
		"  --show             print what would go in, build nothing\n",
		LB_CONF_PATH, LB_STATE_DIR);
}

int cmd_mkinitramfs(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "kver", required_argument, NULL, 'k' },
		{ "modroot", required_argument, NULL, 'm' },
		{ "compress", required_argument, NULL, 'z' },
		{ "offline", no_argument, NULL, 'f' },
		{ "show", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = LB_CONF_PATH, *out = NULL, *kver = NULL, *modroot = NULL;
	const char *compress = NULL;
	unsigned long long packed, unpacked;
	char def_out[512], text[4096], a[32], b[32];
	struct lb_plan *p;
	struct lb_conf conf;
	struct lb_err err;
	int opt, offline = 0, show = 0, ret;
	uint64_t digest;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:o:k:m:z:fsh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			conf_path = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'k':
			kver = optarg;
			break;
		case 'm':
			modroot = optarg;
			break;
		case 'z':
			compress = optarg;
			break;
		case 'f':
			offline = 1;
			break;
		case 's':
			show = 1;
			break;
		default:
			return lb_usage(opt == 'h', usage);
		}
	}
	if (optind != argc)
		return lb_usage(false, usage);
	if (lb_conf_load(conf_path, strcmp(conf_path, LB_CONF_PATH) != 0, &conf, &err))
		return lb_error("%s", err.msg);
	p = calloc(1, sizeof(*p));
	if (!p)
		return lb_error("out of memory");
	ret = lb_plan_make(&conf, kver, modroot, compress, offline, p, &err);
	if (ret) {
		free(p);
		return lb_error("%s", err.msg);
	}
	if (show) {
		lb_plan_conf_text(p, text, sizeof(text));
		printf("release: %s\nmodules: %s\ncompress: %s\n", p->kver, p->modules, p->compress);
		if (p->fast)
			printf("fast reboot after a dump: %s, initramfs %s, lifeboat.ko %s\n"
			       "  command line: %s\n", p->ret.kernel,
			       p->ret.initrd[0] ? p->ret.initrd : "none", p->ret.kmod, p->ret.cmdline);
		else if (p->fast_off[0])
			printf("fast reboot after a dump: off, the firmware reboots: %s\n", p->fast_off);
		printf("/etc/lifeboat.conf:\n%s", text);
		free(p);
		return 0;
	}
	if (!out) {
		ret = lb_mkdir_p(LB_STATE_DIR, 0755);
		if (ret) {
			free(p);
			return lb_error("cannot create '%s': %s", LB_STATE_DIR, strerror(-ret));
		}
		lb_initramfs_path(def_out, sizeof(def_out), p->kver);
		out = def_out;
	}
	ret = lb_plan_digest(p, &digest, &err);
	if (!ret)
		ret = lb_plan_build(p, out, &packed, &unpacked, &err);
	if (ret) {
		free(p);
		return lb_error("%s", err.msg);
	}
	ret = lb_stamp_write(out, digest, p, packed, unpacked);
	if (ret)
		lb_error("cannot write '%s.inputs': %s", out, strerror(-ret));
	lb_mib_format(a, sizeof(a), packed);
	lb_mib_format(b, sizeof(b), unpacked);
	printf("capture initramfs: %s\n", out);
	printf("  size:    %s, %llu bytes (%s unpacked, %s)\n", a, packed, b, p->compress);
	printf("  target:  %s (%s%s%s), path %s\n", p->conf.target, p->conf.fstype,
	       p->dev[0] ? " on " : "", p->dev, p->conf.path);
	printf("  modules: %s\n", p->modules);
	if (p->fast_off[0])
		lb_error("warning: final_action = fast-reboot, but %s: after a dump the machine reboots through the firmware",
			 p->fast_off);
	if (p->fast)
		printf("  returns: %s%s%s, lifeboat.ko %s\n", p->ret.kernel,
		       p->ret.initrd[0] ? " with " : " without an initramfs", p->ret.initrd,
		       p->ret.kmod);
	printf("  saves:   makedumpfile %s -d %u, then %s (%s on failure)\n",
	       lb_compression_flag(p->conf.compression) ? lb_compression_flag(p->conf.compression) :
	       "(no compression)", p->conf.dump_level, lb_action_name(p->conf.final_action),
	       lb_action_name(p->conf.failure_action));
	free(p);
	return ret ? 1 : 0;
}
