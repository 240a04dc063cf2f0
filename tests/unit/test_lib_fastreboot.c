// SPDX-License-Identifier: GPL-2.0
/*
 * The fast reboot's text (lib/fastreboot.c): E820 type names, the memory
 * map file, /sys/firmware/memmap entries, /etc/default/kexec, the reused
 * command line, the fast_reboot attribute; and machine/reboot.c's checks
 * that refuse bad files before any request (a fake memmap directory, files
 * that are missing, empty or malformed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fastreboot.h"
#include "reboot.h"
#include "sys.h"
#include "unit.h"

#define CAP 16

static int parse(const char *text, struct lb_mem_range *r, unsigned int *nr, struct lb_err *err)
{
	return lb_memmap_parse(text, strlen(text), "m", r, CAP, nr, err);
}

START_TEST(e820_names)
{
	static const uint32_t types[] = { 1, 2, 3, 4, 5, 7, 12, 0xefffffff };
	const char *name;
	uint32_t t;
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		name = lb_e820_type_name(types[i]);
		ck_assert_ptr_nonnull(name);
		ck_assert_int_eq(lb_e820_type_parse(name, strlen(name), &t), 0);
		ck_assert_uint_eq(t, types[i]);
	}
	ck_assert_str_eq(lb_e820_type_name(4), "ACPI Non-volatile Storage");
	ck_assert_str_eq(lb_e820_type_name(12), "Persistent Memory (legacy)");
	ck_assert_ptr_null(lb_e820_type_name(6));
	ck_assert_int_eq(lb_e820_type_parse("system ram", 10, &t), -EINVAL);
	ck_assert_int_eq(lb_e820_type_parse("System RAMx", 10, &t), 0);
	ck_assert_uint_eq(t, 1);
}
END_TEST

START_TEST(memmap_good)
{
	static const char text[] =
		"# saved\n"
		"\n"
		"0x100000 0xc0000000 System RAM\r\n"
		"  0x0\t0x9fc00   System RAM  \n"
		"0x9fc00 0x100000 Reserved\n"
		"0xFEC00000 0xFEC01000 ACPI Non-volatile Storage\n"
		"0x100000000 0x140000000 Soft Reserved";
	struct lb_mem_range r[CAP];
	struct lb_err err = { "" };
	unsigned int nr;

	ck_assert_int_eq(parse(text, r, &nr, &err), 0);
	ck_assert_uint_eq(nr, 5);
	ck_assert_uint_eq(r[0].start, 0);
	ck_assert_uint_eq(r[0].end, 0x9fc00);
	ck_assert_uint_eq(r[0].type, 1);
	ck_assert_uint_eq(r[1].type, 2);
	ck_assert_uint_eq(r[2].start, 0x100000);
	ck_assert_uint_eq(r[3].start, 0xfec00000);
	ck_assert_uint_eq(r[3].type, 4);
	ck_assert_uint_eq(r[4].type, 0xefffffff);
}
END_TEST

START_TEST(memmap_bad)
{
	struct lb_mem_range r[CAP];
	struct lb_err err = { "" };
	unsigned int nr;
	char big[CAP * 40 + 64];
	size_t o = 0;
	int i;

	ck_assert_int_eq(parse("0x0 0x1000 System RAM\n0x800 0x2000 Reserved\n", r, &nr, &err),
			 -EINVAL);
	ck_assert_str_eq(err.msg, "memory map 'm': [0x0, 0x1000) (System RAM) overlaps "
				  "[0x800, 0x2000) (Reserved)");
	ck_assert_int_eq(parse("0x0 0x1000 System RAM\n0x1000 0x1000 Reserved\n", r, &nr, &err),
			 -EINVAL);
	ck_assert_str_eq(err.msg, "memory map 'm' line 2: start 0x1000 is not below end 0x1000");
	ck_assert_int_eq(parse("0x0 0x1000 Sytem RAM\n", r, &nr, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "memory map 'm' line 1: unknown memory type 'Sytem RAM'");
	ck_assert_int_eq(parse("# x\n0 0x1000 System RAM\n", r, &nr, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "memory map 'm' line 2 is not '0x<start> 0x<end> <type>'");
	ck_assert_int_eq(parse("0x0 0x1000\n", r, &nr, &err), -EINVAL);
	ck_assert_int_eq(parse("0x0 0x1000 \n", r, &nr, &err), -EINVAL);
	ck_assert_int_eq(parse("0x0-0x1000 System RAM\n", r, &nr, &err), -EINVAL);
	ck_assert_int_eq(parse("0x0 0x10000000000000000 System RAM\n", r, &nr, &err), -EINVAL);
	ck_assert_int_eq(parse("0x0 0x1000 Reserved\n", r, &nr, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "memory map 'm' has no System RAM");
	ck_assert_int_eq(parse("# nothing\n\n", r, &nr, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "memory map 'm' has no ranges");
	for (i = 0; i <= CAP; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "0x%x 0x%x System RAM\n",
				      i * 0x1000, (i + 1) * 0x1000);
	ck_assert_int_eq(parse(big, r, &nr, &err), -E2BIG);
	ck_assert_str_eq(err.msg, "memory map 'm' has more than 16 ranges");
}
END_TEST

START_TEST(memmap_roundtrip)
{
	struct lb_mem_range in[3] = {
		{ 0, 0x9fc00, 1 }, { 0x9fc00, 0x100000, 2 }, { 0x100000000ULL, 0x640000000ULL, 7 },
	};
	struct lb_mem_range out[CAP];
	struct lb_err err = { "" };
	unsigned int nr, i;
	char buf[512];
	size_t len;

	len = lb_memmap_format(in, 3, buf, sizeof(buf));
	ck_assert_uint_gt(len, 0);
	ck_assert_uint_lt(len, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "\n0x100000000 0x640000000 Persistent Memory\n"));
	ck_assert_uint_eq(lb_memmap_format(in, 3, NULL, 0), len);
	ck_assert_int_eq(lb_memmap_parse(buf, len, "f", out, CAP, &nr, &err), 0);
	ck_assert_uint_eq(nr, 3);
	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(out[i].start, in[i].start);
		ck_assert_uint_eq(out[i].end, in[i].end);
		ck_assert_uint_eq(out[i].type, in[i].type);
	}
	in[1].type = 6;
	ck_assert_uint_eq(lb_memmap_format(in, 3, buf, sizeof(buf)), 0);
}
END_TEST

START_TEST(sysfs_entry)
{
	struct lb_mem_range r;
	struct lb_err err = { "" };

	ck_assert_int_eq(lb_memmap_sysfs_entry("0x9fc00\n", 8, "0xfffff\n", 8, "Reserved\n", 9, 1,
					       &r, &err), 0);
	ck_assert_uint_eq(r.start, 0x9fc00);
	ck_assert_uint_eq(r.end, 0x100000);
	ck_assert_uint_eq(r.type, 2);
	ck_assert_int_eq(lb_memmap_sysfs_entry("0x0", 3, "0x0", 3, "Unknown E820 type\n", 18, 0,
					       &r, &err), 0);
	ck_assert_uint_eq(r.end, 1);
	ck_assert_uint_eq(r.type, 2);
	ck_assert_int_eq(lb_memmap_sysfs_entry("9fc00", 5, "0xfffff", 7, "Reserved", 8, 3, &r,
					       &err), -EINVAL);
	ck_assert_str_eq(err.msg, "/sys/firmware/memmap/3/start is not a hexadecimal address");
	ck_assert_int_eq(lb_memmap_sysfs_entry("0x2000", 6, "0x1000", 6, "Reserved", 8, 4, &r,
					       &err), -EINVAL);
	ck_assert_int_eq(lb_memmap_sysfs_entry("0x0", 3, "0xffffffffffffffff", 18, "Reserved", 8,
					       4, &r, &err), -EINVAL);
	ck_assert_int_eq(lb_memmap_sysfs_entry("0x0", 3, "0x1000", 6, "Reserved Random", 15, 5,
					       &r, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "/sys/firmware/memmap/5: unknown memory type 'Reserved Random'");
}
END_TEST

static int defaults(const char *text, struct lb_kexec_defaults *d, struct lb_err *err)
{
	return lb_kexec_defaults_parse(text, strlen(text), "k", d, err);
}

START_TEST(kexec_defaults)
{
	static const char debian[] =
		"# Defaults for kexec initscript\n"
		"LOAD_KEXEC=true\n\n"
		"# Kernel and initrd image\n"
		"KERNEL_IMAGE=\"/vmlinuz\"\n"
		"INITRD=\"/initrd.img\"\n\n"
		"# If empty, use current /proc/cmdline\n"
		"APPEND=\"\"\n\n"
		"USE_GRUB_CONFIG=false\n";
	struct lb_kexec_defaults *d = malloc(sizeof(*d));
	struct lb_err err = { "" };

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(defaults(debian, d, &err), 0);
	ck_assert(d->has_kernel && d->has_initrd && d->has_append && !d->use_grub_config);
	ck_assert_str_eq(d->kernel, "/vmlinuz");
	ck_assert_str_eq(d->initrd, "/initrd.img");
	ck_assert_str_eq(d->append, "");

	ck_assert_int_eq(defaults("  export APPEND='root=/dev/sda1 \"q\"' # c\n"
				  "KERNEL_IMAGE=/boot/a\\ b\"-\"'x'\nKERNEL_IMAGE=/boot/v\n"
				  "APPEND=\"a \\\"b\\\" \\$c \\x\"", d, &err), 0);
	ck_assert(!d->has_initrd);
	ck_assert_str_eq(d->kernel, "/boot/v");
	ck_assert_str_eq(d->append, "a \"b\" $c \\x");
	ck_assert_int_eq(defaults("KERNEL_IMAGE=/boot/a\\ b\"-\"'x'\nUSE_GRUB_CONFIG=\"true\"\n", d,
				  &err), 0);
	ck_assert(d->use_grub_config);
	ck_assert_str_eq(d->kernel, "/boot/a b-x");

	ck_assert_int_eq(defaults("# x\nAPPEND=\"$(cat /proc/cmdline) quiet\"\n", d, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "'k' line 2: a shell expansion, which lifeboat does not evaluate");
	ck_assert_int_eq(defaults("KERNEL_IMAGE=$K\n", d, &err), -EINVAL);
	ck_assert_int_eq(defaults("APPEND='quiet\n", d, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "'k' line 1: a quote that does not close on its line");
	ck_assert_int_eq(defaults(". /etc/other\n", d, &err), -EINVAL);
	ck_assert_str_eq(err.msg,
			 "'k' line 1 is not a KEY=value assignment (lifeboat reads no other shell)");
	ck_assert_int_eq(defaults("INITRD=/a /b\n", d, &err), -EINVAL);
	ck_assert_str_eq(err.msg, "'k' line 1: words after the value");
	ck_assert_int_eq(defaults("INITRD=/a;reboot\n", d, &err), -EINVAL);
	ck_assert_int_eq(defaults("APPEND=a\\\n", d, &err), -EINVAL);
	free(d);
}
END_TEST

START_TEST(cmdline_reuse)
{
	static const char proc[] = "BOOT_IMAGE=/boot/vmlinuz-6.1.0-57-amd64 root=UUID=1 ro "
				   "foo=\"a  b\"   quiet BOOT_IMAGE=(hd0)/x crashkernel=256M\n";
	char buf[128];

	ck_assert_int_eq(lb_cmdline_reuse(proc, sizeof(proc) - 1, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "root=UUID=1 ro foo=\"a  b\" quiet crashkernel=256M");
	ck_assert_int_eq(lb_cmdline_reuse("\n", 1, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(lb_cmdline_reuse(proc, sizeof(proc) - 1, buf, 20), -E2BIG);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(lb_cmdline_reuse("ro\0quiet", 8, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "ro");
}
END_TEST

START_TEST(fast_reboot_attr)
{
	static const char loaded[] = "loaded\nloader=bzImage64\nkernel=8241024\ninitrd=0\n"
				     "load=0x1000000\ncmdline=root=/dev/vda ro quiet\n"
				     "pages=2013\nfirst_page=0x7f000000\nfuture=1\n";
	struct lb_fast_reboot *fr = malloc(sizeof(*fr));

	ck_assert_ptr_nonnull(fr);
	ck_assert_int_eq(lb_fast_reboot_parse("none\n", 5, fr), 0);
	ck_assert(!fr->loaded);
	ck_assert_int_eq(lb_fast_reboot_parse(loaded, sizeof(loaded) - 1, fr), 0);
	ck_assert(fr->loaded);
	ck_assert_str_eq(fr->loader, "bzImage64");
	ck_assert_uint_eq(fr->kernel_len, 8241024);
	ck_assert_uint_eq(fr->initrd_len, 0);
	ck_assert_uint_eq(fr->load, 0x1000000);
	ck_assert_str_eq(fr->cmdline, "root=/dev/vda ro quiet");
	ck_assert_uint_eq(fr->pages, 2013);
	ck_assert_uint_eq(fr->first_page, 0x7f000000);
	ck_assert_int_eq(lb_fast_reboot_parse("", 0, fr), -EINVAL);
	ck_assert_int_eq(lb_fast_reboot_parse("armed\n", 6, fr), -EINVAL);
	ck_assert_int_eq(lb_fast_reboot_parse("none\nkernel=1\n", 14, fr), -EINVAL);
	ck_assert_int_eq(lb_fast_reboot_parse("loaded\nkernel=x\n", 16, fr), -EINVAL);
	ck_assert_int_eq(lb_fast_reboot_parse("loaded\njunk\n", 12, fr), -EINVAL);
	free(fr);
}
END_TEST

/* ---- machine/reboot.c on files of a temporary directory ------------------ */

static char tmpdir[64];

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* A path in the temporary directory, kept until the test's end (tmp_teardown()). */
static char *paths[32];
static unsigned int nr_paths;

static const char *at(const char *name)
{
	char *p = malloc(256);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_lt(nr_paths, 32);
	snprintf(p, 256, "%s/%s", tmpdir, name);
	paths[nr_paths++] = p;
	return p;
}

static void tmp_setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/lb-fastreboot-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
	lb_rm_rf(tmpdir);
	while (nr_paths)
		free(paths[--nr_paths]);
}

START_TEST(memmap_read_dir)
{
	struct lb_mem_range r[CAP];
	struct lb_err err = { "" };
	unsigned int nr;
	char dir[128];

	snprintf(dir, sizeof(dir), "%s/memmap", tmpdir);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(mkdir(at("memmap/0"), 0755), 0);
	ck_assert_int_eq(mkdir(at("memmap/1"), 0755), 0);
	ck_assert_int_eq(mkdir(at("memmap/10"), 0755), 0);
	put("memmap/0/start", "0x0\n");
	put("memmap/0/end", "0x9fbff\n");
	put("memmap/0/type", "System RAM\n");
	put("memmap/1/start", "0x9fc00\n");
	put("memmap/1/end", "0xfffff\n");
	put("memmap/1/type", "Reserved\n");
	put("memmap/10/start", "0x100000\n");
	put("memmap/10/end", "0xbfffffff\n");
	put("memmap/10/type", "System RAM\n");
	ck_assert_int_eq(lb_memmap_read(dir, r, CAP, &nr, &err), 0);
	ck_assert_uint_eq(nr, 3);
	ck_assert_uint_eq(r[1].start, 0x9fc00);
	ck_assert_uint_eq(r[2].end, 0xc0000000);
	ck_assert_int_eq(lb_memmap_read(dir, r, 2, &nr, &err), -E2BIG);
	put("memmap/1/end", "0x100fff\n");
	ck_assert_int_eq(lb_memmap_read(dir, r, CAP, &nr, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "overlaps"));
	unlink(at("memmap/1/type"));
	ck_assert_int_eq(lb_memmap_read(dir, r, CAP, &nr, &err), -ENOENT);
	ck_assert_int_eq(lb_memmap_read(at("none"), r, CAP, &nr, &err), -ENOENT);
}
END_TEST

START_TEST(reboot_check_refuses)
{
	struct lb_reboot_plan plan;
	struct lb_reboot_files f = { 0 };
	struct lb_err err = { "" };
	char msg[300];

	put("kernel", "not really a kernel, but a file");
	put("empty", "");
	put("map", "0x0 0x100000 System RAM\n0x100000 0x200000 Reserved\n");
	put("badmap", "0x0 0x100000 System RAM\n0x80000 0x200000 Reserved\n");
	f.kernel = at("kernel");
	f.cmdline = "ro quiet";
	ck_assert_int_eq(lb_reboot_check(&f, &plan, &err), 0);
	ck_assert_uint_eq(plan.nr_map, 0);
	ck_assert_uint_eq(plan.initrd_len, 0);
	ck_assert_uint_eq(plan.kernel_len, 31);
	ck_assert_ptr_nonnull(strstr(plan.cmdline, "ro quiet"));
	f.memmap = at("map");
	ck_assert_int_eq(lb_reboot_check(&f, &plan, &err), 0);
	ck_assert_uint_eq(plan.nr_map, 2);
	ck_assert_uint_eq(plan.map_ram, 0x100000);

	/* Each bad file stops the load before any request: the sentence is the file's. */
	f.memmap = at("badmap");
	ck_assert_int_eq(lb_reboot_load(&f, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "overlaps"));
	f.memmap = at("nomap");
	ck_assert_int_eq(lb_reboot_load(&f, &err), -ENOENT);
	snprintf(msg, sizeof(msg), "cannot read memory map '%s': No such file or directory",
		 at("nomap"));
	ck_assert_str_eq(err.msg, msg);
	f.memmap = NULL;
	f.initrd = at("empty");
	ck_assert_int_eq(lb_reboot_load(&f, &err), -EINVAL);
	snprintf(msg, sizeof(msg), "initramfs '%s' is empty", at("empty"));
	ck_assert_str_eq(err.msg, msg);
	f.initrd = NULL;
	f.kernel = at("nokernel");
	ck_assert_int_eq(lb_reboot_load(&f, &err), -ENOENT);
	snprintf(msg, sizeof(msg), "cannot open kernel '%s': No such file or directory",
		 at("nokernel"));
	ck_assert_str_eq(err.msg, msg);
	f.kernel = tmpdir;
	ck_assert_int_eq(lb_reboot_check(&f, NULL, &err), -EINVAL);
}
END_TEST

START_TEST(reboot_choose)
{
	struct lb_reboot_opts o = { 0 };
	struct lb_reboot_choice *c = malloc(sizeof(*c));
	struct lb_err err = { "" };
	char text[512], note[512];

	ck_assert_ptr_nonnull(c);
	put("initrd", "x");
	snprintf(text, sizeof(text), "KERNEL_IMAGE=\"/boot/k\"\nINITRD=\"%s\"\nAPPEND=\"ro\"\n",
		 at("initrd"));
	put("kexec", text);
	ck_assert_int_eq(lb_reboot_choose(at("kexec"), &o, c, &err), 0);
	ck_assert_str_eq(c->kernel, "/boot/k");
	ck_assert_str_eq(c->initrd, at("initrd"));
	ck_assert_str_eq(c->cmdline, "ro");
	ck_assert_str_eq(c->note, "");

	o.kernel = "/k2";
	o.no_initrd = true;
	o.append = "quiet";
	ck_assert_int_eq(lb_reboot_choose(at("kexec"), &o, c, &err), 0);
	ck_assert_str_eq(c->kernel, "/k2");
	ck_assert_str_eq(c->initrd, "");
	ck_assert_str_eq(c->cmdline, "quiet");

	memset(&o, 0, sizeof(o));
	put("kexec", "INITRD=/nonexistent/initrd.img\nAPPEND=\"\"\n");
	ck_assert_int_eq(lb_reboot_choose(at("kexec"), &o, c, &err), 0);
	ck_assert_str_eq(c->kernel, "/vmlinuz");
	ck_assert_str_eq(c->initrd, "");
	snprintf(note, sizeof(note),
		 "no initramfs: '/nonexistent/initrd.img' (INITRD of %s) does not exist\n",
		 at("kexec"));
	ck_assert_str_eq(c->note, note);
	ck_assert_ptr_null(strstr(c->cmdline, "BOOT_IMAGE="));

	put("kexec", "USE_GRUB_CONFIG=true\nINITRD=\"\"\n");
	ck_assert_int_eq(lb_reboot_choose(at("kexec"), &o, c, &err), 0);
	snprintf(note, sizeof(note),
		 "USE_GRUB_CONFIG=true in '%s' is not followed: lifeboat reboot boots KERNEL_IMAGE, "
		 "or --kernel\nno initramfs: INITRD is empty in '%s'\n", at("kexec"), at("kexec"));
	ck_assert_str_eq(c->note, note);

	put("kexec", "APPEND=`cat /proc/cmdline`\n");
	ck_assert_int_eq(lb_reboot_choose(at("kexec"), &o, c, &err), -EINVAL);
	free(c);
}
END_TEST

static Suite *lib_fastreboot_suite(void)
{
	Suite *s = suite_create("lib-fastreboot");
	TCase *tc = tcase_create("text");
	TCase *files = tcase_create("machine");

	tcase_add_test(tc, e820_names);
	tcase_add_test(tc, memmap_good);
	tcase_add_test(tc, memmap_bad);
	tcase_add_test(tc, memmap_roundtrip);
	tcase_add_test(tc, sysfs_entry);
	tcase_add_test(tc, kexec_defaults);
	tcase_add_test(tc, cmdline_reuse);
	tcase_add_test(tc, fast_reboot_attr);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(files, tmp_setup, tmp_teardown);
	tcase_add_test(files, memmap_read_dir);
	tcase_add_test(files, reboot_check_refuses);
	tcase_add_test(files, reboot_choose);
	suite_add_tcase(s, files);
	return s;
}

UNIT_SUITE(lib_fastreboot_suite)
