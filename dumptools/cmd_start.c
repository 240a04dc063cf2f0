// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat start / stop: what the boot-time unit runs
 * (dumptools/systemd/lifeboat.service). start:
 *
 *   1. reads /etc/lifeboat.conf;
 *   2. on the dump target, removes dumps beyond `keep` and tells, once, about
 *      a dump saved since the last start (the machine crashed);
 *   3. refuses to arm beside Linux's own kdump;
 *   4. finds the reserved region;
 *   5. rebuilds the capture initramfs when its inputs changed (the kernel,
 *      the configuration, the tools), and checks that kernel and initramfs
 *      fit in the region;
 *   6. loads and arms, in one call: arm_capture().
 *
 * Every refusal says why on stderr, which the journal keeps. stop disarms
 * and unloads.
 *
 * LIFEBOAT_TEST_ARM_WITH=kexec, for the VM tests only, makes arm_capture()
 * load the same kernel, initramfs and command line with Linux's own kdump
 * (kexec -p) instead of Lifeboat's module, and the region is then the
 * kernel's crashkernel= region. Nothing else changes.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "commands.h"

#define TEST_ARM_ENV "LIFEBOAT_TEST_ARM_WITH"
#define LAST_DUMP LB_STATE_DIR "/last-dump"

enum arm_mode { ARM_LIFEBOAT, ARM_KEXEC };

static int test_mode(enum arm_mode *mode)
{
	const char *v = getenv(TEST_ARM_ENV);

	*mode = ARM_LIFEBOAT;
	if (!v || !*v)
		return 0;
	if (strcmp(v, "kexec"))
		return lb_error("%s='%s': the only test mode is 'kexec'", TEST_ARM_ENV, v);
	*mode = ARM_KEXEC;
	return 0;
}

/* A child's output, for a one-line message: trailing newlines and blanks dropped. */
static const char *chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static int read_attr(const char *path, char *buf, size_t len)
{
	char *text;
	size_t n;
	int ret;

	ret = lb_read_file(path, 65536, &text, &n);
	if (ret)
		return ret;
	while (n && text[n - 1] == '\n')
		text[--n] = '\0';
	snprintf(buf, len, "%s", text);
	free(text);
	return 0;
}

static int arm_with_kexec(const char *kernel, const char *initrd, const char *cmdline)
{
	char initrd_arg[PATH_MAX + 16], append_arg[LB_CONF_LONG * 2 + 16], out[4096], state[8];
	const char *argv[] = { "kexec", "-p", kernel, initrd_arg, append_arg, NULL };
	int ret;

	snprintf(initrd_arg, sizeof(initrd_arg), "--initrd=%s", initrd);
	snprintf(append_arg, sizeof(append_arg), "--append=%s", cmdline);
	ret = lb_run(argv, out, sizeof(out), 0);
	if (ret)
		return lb_error("cannot arm: kexec -p failed (status %d): %s", ret, chomp(out));
	if (read_attr("/sys/kernel/kexec_crash_loaded", state, sizeof(state)) || strcmp(state, "1"))
		return lb_error("cannot arm: kexec -p returned but no crash kernel is loaded");
	return 0;
}

static int disarm_kexec(void)
{
	const char *argv[] = { "kexec", "-p", "-u", NULL };
	char out[4096];
	int ret = lb_run(argv, out, sizeof(out), 0);

	return ret ? lb_error("kexec -p -u failed (status %d): %s", ret, chomp(out)) : 0;
}

/* The arming step: everything before it is the same whichever way the capture kernel is entered. */
static int arm_capture(enum arm_mode mode, const char *kernel, const char *initrd,
		       const char *cmdline)
{
	if (mode == ARM_KEXEC)
		return arm_with_kexec(kernel, initrd, cmdline);
	if (lb_do_load(kernel, initrd, cmdline))
		return 1;
	return lb_do_arm();
}

/* The bytes reserved for the capture kernel, 0 for none; why sets the reason for none. */
static int region_size(enum arm_mode mode, unsigned long long *size, char *why, size_t len)
{
	char text[256], out[4096];
	int ret;

	*size = 0;
	why[0] = '\0';
	if (mode == ARM_KEXEC) {
		ret = read_attr("/sys/kernel/kexec_crash_size", text, sizeof(text));
		if (ret)
			return lb_error("cannot arm: cannot read /sys/kernel/kexec_crash_size: %s",
					strerror(-ret));
		*size = strtoull(text, NULL, 10);
		return 0;
	}
	if (access(lb_sysfs_dir, F_OK)) {
		const char *argv[] = { "modprobe", "lifeboat", NULL };

		ret = lb_run(argv, out, sizeof(out), 0);
		if (ret || access(lb_sysfs_dir, F_OK))
			return lb_error("cannot arm: lifeboat.ko is not loaded and 'modprobe lifeboat' failed (status %d): %s",
					ret, chomp(out));
	}
	ret = lb_sysfs_read("region", text, sizeof(text));
	if (ret)
		return lb_error("cannot arm: cannot read %s/region: %s", lb_sysfs_dir, strerror(-ret));
	if (!strncmp(text, "none", 4)) {
		snprintf(why, len, "%s", text[4] == ':' ? text + 5 + (text[5] == ' ') : text);
		return 0;
	}
	/* "start end size kind" */
	if (sscanf(text, "%*s %*s %llu", size) != 1)
		return lb_error("cannot arm: cannot read %s/region: '%s'", lb_sysfs_dir, text);
	return 0;
}

/* Prunes, and tells once about the newest dump. Trouble here does not stop the arming. */
static void look_at_dumps(const struct lb_conf *conf)
{
	char **names = NULL, last[LB_DUMP_NAME_LEN + 16] = "", path[PATH_MAX + 64], *text;
	char when[64];
	struct lb_target t;
	struct lb_err err;
	struct lb_meta meta;
	size_t nr = 0, len;
	const char *newest;
	int ret;

	if (lb_target_open(conf, 1, &t, &err)) {
		lb_error("cannot look at the dumps: %s", err.msg);
		return;
	}
	if (conf->keep && lb_prune_dumps(t.dir, conf->keep, NULL, &err) < 0)
		lb_error("%s", err.msg);
	ret = lb_list_dumps(t.dir, &names, &nr);
	if (ret || !nr)
		goto out;
	newest = names[nr - 1];
	read_attr(LAST_DUMP, last, sizeof(last));
	if (!strcmp(last, newest))
		goto out;
	lb_meta_init(&meta);
	snprintf(path, sizeof(path), "%s/%s/%s", t.dir, newest, LB_META_FILE);
	if (!lb_read_file(path, 1 << 20, &text, &len)) {
		lb_meta_parse(&meta, text, len);
		free(text);
	}
	if (meta.crash_time >= 0) {
		time_t tt = (time_t)meta.crash_time;
		struct tm tm;

		gmtime_r(&tt, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	} else {
		snprintf(when, sizeof(when), "an unknown time");
	}
	printf("lifeboat: the system crashed at %s: %s\n", when,
	       meta.panic[0] ? meta.panic : "(no panic message saved)");
	printf("lifeboat: dump %s/%s (%s%s%s); 'lifeboat report' shows it\n", conf->path, newest,
	       lb_dump_kind(newest) == LB_DUMP_INCOMPLETE ? "incomplete" :
	       meta.status[0] ? meta.status : "no metadata",
	       meta.reason[0] ? ": " : "", meta.reason);
	if (!lb_mkdir_p(LB_STATE_DIR, 0755))
		lb_write_file(LAST_DUMP, newest, strlen(newest));
out:
	lb_free_names(names, nr);
	lb_target_close(&t);
}

static int start(const char *conf_path, int rebuild)
{
	char img[PATH_MAX], why[256], cmdline[LB_CONF_LONG * 2], kver[65], a[32], b[32];
	unsigned long long region, init_size, packed = 0, unpacked = 0, sp, su;
	uint64_t digest, old = 0;
	enum arm_mode mode;
	struct lb_plan *p;
	struct lb_conf conf;
	struct lb_err err;
	struct stat st;
	int ret, have_stamp;

	if (test_mode(&mode))
		return 1;
	if (lb_conf_load(conf_path, strcmp(conf_path, LB_CONF_PATH) != 0, &conf, &err))
		return lb_error("cannot arm: %s", err.msg);
	look_at_dumps(&conf);

	if (mode == ARM_LIFEBOAT && !read_attr("/sys/kernel/kexec_crash_loaded", why, sizeof(why)) &&
	    !strcmp(why, "1"))
		return lb_error("cannot arm: Linux's own kdump is loaded (/sys/kernel/kexec_crash_loaded is 1) and would take the panic first; disable it (systemctl disable --now kdump-tools) or unload it (kexec -p -u)");
	if (region_size(mode, &region, why, sizeof(why)))
		return 1;
	if (!region && why[0])
		return lb_error("cannot arm: no reserved region: %s", why);

	p = calloc(1, sizeof(*p));
	if (!p)
		return lb_error("out of memory");
	ret = lb_plan_make(&conf, NULL, NULL, NULL, 0, p, &err);
	if (ret)
		goto out_err;
	ret = lb_kernel_info(p->kernel, kver, sizeof(kver), &init_size, &err);
	if (ret)
		goto out_err;
	if (strcmp(kver, p->kver))
		fprintf(stderr, "lifeboat: warning: '%s' says it is %s, the modules are for %s\n",
			p->kernel, kver, p->kver);

	snprintf(img, sizeof(img), "%s/initramfs-%s.img", LB_STATE_DIR, p->kver);
	have_stamp = !lb_stamp_read(img, &old, &sp, &su);
	/* No region: say so before building anything (sizes from the last build, or typical). */
	if (!region) {
		ret = lb_region_check(0, init_size, have_stamp ? sp : 4ULL << 20,
				      have_stamp ? su : 12ULL << 20, &err);
		goto out_err;
	}
	ret = lb_plan_digest(p, &digest, &err);
	if (ret)
		goto out_err;
	if (!rebuild && have_stamp && old == digest && !stat(img, &st) &&
	    (unsigned long long)st.st_size == sp) {
		packed = sp;
		unpacked = su;
		lb_mib_format(a, sizeof(a), packed);
		printf("lifeboat: capture initramfs %s is up to date (%s)\n", img, a);
	} else {
		ret = lb_mkdir_p(LB_STATE_DIR, 0755);
		if (ret) {
			ret = lb_err_set(&err, -ret, "cannot create '%s': %s", LB_STATE_DIR,
					 strerror(-ret));
			goto out_err;
		}
		ret = lb_plan_build(p, img, &packed, &unpacked, &err);
		if (ret)
			goto out_err;
		ret = lb_stamp_write(img, digest, p, packed, unpacked);
		if (ret) {
			ret = lb_err_set(&err, -ret, "cannot write '%s.inputs': %s", img,
					 strerror(-ret));
			goto out_err;
		}
		lb_mib_format(a, sizeof(a), packed);
		lb_mib_format(b, sizeof(b), unpacked);
		printf("lifeboat: built the capture initramfs %s: %s (%s unpacked; %s, modules %s)\n",
		       img, a, b, rebuild ? "as asked" : old ? "its inputs changed" : "first build",
		       p->modules);
	}

	ret = lb_region_check(region, init_size, packed, unpacked, &err);
	if (ret)
		goto out_err;
	ret = lb_capture_cmdline(cmdline, sizeof(cmdline), conf.append);
	if (ret) {
		lb_err_set(&err, -ret, "the capture command line is too long");
		goto out_err;
	}
	if (arm_capture(mode, p->kernel, img, cmdline)) {
		free(p);
		return 1;
	}
	lb_mib_format(a, sizeof(a), region);
	printf("lifeboat: armed%s: capture kernel %s, initramfs %s, %s reserved; dumps go to %s:%s\n",
	       mode == ARM_KEXEC ? " (test mode: Linux's kdump, kexec -p)" : "", p->kernel, img, a,
	       p->conf.target, p->conf.path);
	free(p);
	return 0;
out_err:
	free(p);
	return lb_error("cannot arm: %s", err.msg);
}

static void start_usage(FILE *out)
{
	fprintf(out,
		"usage: lifeboat start [--config FILE] [--rebuild]\n\n"
		"What the boot-time unit runs: prunes old dumps and tells about a new one,\n"
		"rebuilds the capture initramfs when the kernel or the configuration\n"
		"(default %s) changed, then loads and arms. Says why when it cannot.\n",
		LB_CONF_PATH);
}

static void stop_usage(FILE *out)
{
	fprintf(out, "usage: lifeboat stop\n\nDisarms and unloads the capture kernel.\n");
}

int cmd_start(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "rebuild", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = LB_CONF_PATH;
	int opt, rebuild = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:rh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			conf_path = optarg;
			break;
		case 'r':
			rebuild = 1;
			break;
		default:
			return lb_usage(opt == 'h', start_usage);
		}
	}
	if (optind != argc)
		return lb_usage(false, start_usage);
	return start(conf_path, rebuild);
}

int cmd_stop(int argc, char **argv)
{
	enum arm_mode mode;

	if (argc > 1)
		return lb_usage(!strcmp(argv[1], "--help"), stop_usage);
	if (test_mode(&mode))
		return 1;
	if (mode == ARM_KEXEC)
		return disarm_kexec();
	if (lb_do_disarm())
		return 1;
	return lb_do_unload();
}
