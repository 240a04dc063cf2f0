// SPDX-License-Identifier: GPL-2.0
/*
 * lifeboat reboot: a fast reboot, the next kernel entered without the
 * firmware. It chooses the files as Debian's kexec-tools does
 * (machine/reboot.c:lb_reboot_choose), hands them to the module
 * (lb_reboot_load()), says what the next reboot boots, then reboots the
 * normal way, so that every service stops as in any reboot. --cold cancels
 * a loaded fast reboot and reboots through the firmware.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "commands.h"
#include "reboot.h"

static void reboot_usage(FILE *out)
{
	fprintf(out,
		"usage: lifeboat reboot [--kernel FILE] [--initrd FILE | --no-initrd]\n"
		"                       [--append STRING | --reuse-cmdline] [--memmap FILE]\n"
		"                       [--dry-run] [--now]\n"
		"       lifeboat reboot --cold [--dry-run] [--now]\n"
		"       lifeboat reboot --save-memmap FILE\n\n"
		"Reboots into a kernel without the firmware (a fast reboot): lifeboat.ko\n"
		"keeps the kernel, its initramfs and command line, and the next restart of\n"
		"this kernel enters the new one directly instead of resetting the machine.\n"
		"Then 'systemctl reboot' runs, so services stop as in any reboot. Once\n"
		"loaded, every reboot is a fast one ('systemctl reboot', 'reboot') until\n"
		"'lifeboat reboot --cold'; anything that fails on the way means a firmware\n"
		"reboot.\n\n"
		"Defaults, as Debian's kexec-tools takes them: KERNEL_IMAGE, INITRD and\n"
		"APPEND of %s when it exists, else /vmlinuz, /initrd.img\n"
		"(none when it does not exist) and this kernel's command line\n"
		"(/proc/cmdline without BOOT_IMAGE=), which an empty APPEND also means.\n\n"
		"  --kernel FILE       the kernel, a bzImage\n"
		"  --initrd FILE       its initramfs\n"
		"  --no-initrd         no initramfs\n"
		"  --append STRING     the whole command line, in place of the default\n"
		"  --reuse-cmdline     this kernel's command line, whatever APPEND says\n"
		"  --memmap FILE       the memory map the new kernel gets, one range a line\n"
		"                      (\"0x<start> 0x<end> <type>\", end exclusive, types as\n"
		"                      /sys/firmware/memmap names them); default: this\n"
		"                      machine's firmware map\n"
		"  --dry-run           check and show what would be loaded; change nothing\n"
		"  --now               no 'systemctl reboot': sync, then reboot(2) at once,\n"
		"                      as 'reboot -f' (services are not stopped)\n"
		"  --cold              cancel a loaded fast reboot, then reboot through the\n"
		"                      firmware\n"
		"  --save-memmap FILE  write this machine's firmware memory map to FILE, for\n"
		"                      --memmap, and do nothing else\n\n"
		"A kernel locked down (Secure Boot) hands lockdown=LEVEL on, and its module\n"
		"refuses a kernel whose signature it cannot verify. 'systemctl kexec' is the\n"
		"kernel's own kexec, not Lifeboat: while a kexec image is loaded\n"
		"(/sys/kernel/kexec_loaded), lifeboat reboot refuses.\n",
		lb_kexec_defaults_path);
}

/*
 * The reboot itself: 'systemctl reboot', or reboot(2) at once with now.
 * Return: 1 when it did not happen (systemctl missing or failing; reboot(2)
 * returns only on failure).
 */
static int do_reboot(bool now, const char *left)
{
	const char *const argv[] = { "systemctl", "reboot", NULL };
	char path[256];
	int ret;

	if (now) {
		sync();
		reboot(RB_AUTOBOOT);
		return lb_error("reboot(2) failed: %s; %s", strerror(errno), left);
	}
	if (lb_find_exe("systemctl", path, sizeof(path)))
		return lb_error("no systemctl to reboot with; %s: reboot as this system does, or "
				"'lifeboat reboot --now'", left);
	ret = lb_run(argv, NULL, 0, 0);
	if (ret < 0)
		return lb_error("cannot run 'systemctl reboot': %s; %s", strerror(-ret), left);
	if (ret)
		return lb_error("'systemctl reboot' failed (status %d); %s", ret, left);
	return 0;
}

static int cold(bool dry_run, bool now)
{
	struct lb_err err = { "" };
	int ret;

	if (dry_run) {
		printf("would cancel any fast reboot, then reboot through the firmware (%s)\n",
		       now ? "reboot(2)" : "systemctl reboot");
		return 0;
	}
	ret = lb_reboot_cancel(&err);
	if (ret == -ENOENT)
		printf("no fast reboot to cancel: %s\n", err.msg);
	else if (ret)
		return lb_error("cannot cancel the fast reboot: %s", err.msg);
	else
		printf("fast reboot cancelled: the next reboot goes through the firmware\n");
	fflush(stdout);
	return do_reboot(now, ret ? "nothing was changed" : "the fast reboot stays cancelled");
}

static int save_memmap(const char *path)
{
	struct lb_err err = { "" };

	if (lb_memmap_save(path, &err))
		return lb_error("%s", err.msg);
	printf("this machine's firmware memory map is in '%s'\n", path);
	return 0;
}

static void show(bool dry_run, const struct lb_reboot_choice *c, const char *memmap,
		 const struct lb_reboot_plan *plan)
{
	char k[32], i[32], ram[32];

	lb_mib_format(k, sizeof(k), plan->kernel_len);
	lb_mib_format(i, sizeof(i), plan->initrd_len);
	printf("%s\n", dry_run ? "would load, for the next reboot to boot without the firmware:" :
	       "fast reboot loaded: the next reboot boots, without the firmware:");
	printf("  kernel:     %s (%s)\n", c->kernel, k);
	if (c->initrd[0])
		printf("  initramfs:  %s (%s)\n", c->initrd, i);
	else
		printf("  initramfs:  none\n");
	printf("  cmdline:    %s\n", plan->cmdline);
	if (memmap) {
		lb_mib_format(ram, sizeof(ram), plan->map_ram);
		printf("  memory map: %s (%u ranges, %s of System RAM)\n", memmap, plan->nr_map,
		       ram);
	} else {
		printf("  memory map: this machine's firmware map\n");
	}
	if (plan->acpi_rsdp)
		printf("  ACPI RSDP:  %#llx (from this kernel's boot_params)\n",
		       (unsigned long long)plan->acpi_rsdp);
}

/* What the module says it holds (/sys/kernel/lifeboat/fast_reboot), when it says it. */
static void show_module(void)
{
	struct lb_fast_reboot fr;
	char buf[8192];

	if (lb_sysfs_read("fast_reboot", buf, sizeof(buf)) ||
	    lb_fast_reboot_parse(buf, strlen(buf), &fr) || !fr.loaded)
		return;
	printf("  module:     %s, loads at %#llx, holds %llu pages from %#llx\n",
	       fr.loader[0] ? fr.loader : "?", (unsigned long long)fr.load,
	       (unsigned long long)fr.pages, (unsigned long long)fr.first_page);
}

int cmd_reboot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "no-initrd", no_argument, NULL, 'I' },
		{ "append", required_argument, NULL, 'a' },
		{ "reuse-cmdline", no_argument, NULL, 'r' },
		{ "memmap", required_argument, NULL, 'm' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "now", no_argument, NULL, 'N' },
		{ "cold", no_argument, NULL, 'c' },
		{ "save-memmap", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lb_reboot_opts o = { 0 };
	struct lb_reboot_choice choice;
	struct lb_reboot_plan plan;
	struct lb_reboot_files f;
	struct lb_err err = { "" };
	const char *memmap = NULL, *save = NULL;
	char *line, *tok_save = NULL;
	bool dry_run = false, now = false, is_cold = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			o.kernel = optarg;
			break;
		case 'i':
			o.initrd = optarg;
			break;
		case 'I':
			o.no_initrd = true;
			break;
		case 'a':
			o.append = optarg;
			break;
		case 'r':
			o.reuse_cmdline = true;
			break;
		case 'm':
			memmap = optarg;
			break;
		case 'n':
			dry_run = true;
			break;
		case 'N':
			now = true;
			break;
		case 'c':
			is_cold = true;
			break;
		case 's':
			save = optarg;
			break;
		default:
			return lb_usage(c == 'h', reboot_usage);
		}
	}
	if (optind != argc || (o.initrd && o.no_initrd) || (o.append && o.reuse_cmdline))
		return lb_usage(false, reboot_usage);
	if ((is_cold || save) && (o.kernel || o.initrd || o.no_initrd || o.append ||
				  o.reuse_cmdline || memmap))
		return lb_usage(false, reboot_usage);
	if (save && (is_cold || dry_run || now))
		return lb_usage(false, reboot_usage);
	if (save)
		return save_memmap(save);
	if (is_cold)
		return cold(dry_run, now);

	if (lb_reboot_choose(lb_kexec_defaults_path, &o, &choice, &err))
		return lb_error("%s", err.msg);
	for (line = strtok_r(choice.note, "\n", &tok_save); line;
	     line = strtok_r(NULL, "\n", &tok_save))
		lb_error("%s", line);
	/* systemctl kexec and a SysV 'shutdown -r' would boot that image, not ours. */
	if (lb_kexec_loaded())
		return lb_error("the kernel's own kexec image is loaded: 'systemctl kexec' would use "
				"it; unload it with 'kexec -u' first");
	f = (struct lb_reboot_files) {
		.kernel = choice.kernel,
		.initrd = choice.initrd[0] ? choice.initrd : NULL,
		.cmdline = choice.cmdline,
		.memmap = memmap,
	};
	if (lb_reboot_check(&f, &plan, &err))
		return lb_error("%s", err.msg);
	if (dry_run) {
		show(true, &choice, memmap, &plan);
		return 0;
	}
	if (lb_module_ensure(&err))
		return lb_error("%s", err.msg);
	if (lb_reboot_load(&f, &err))
		return lb_error("cannot load the fast reboot of '%s': %s", choice.kernel, err.msg);
	show(false, &choice, memmap, &plan);
	show_module();
	fflush(stdout);
	return do_reboot(now, "the fast reboot stays loaded ('lifeboat reboot --cold' cancels it)");
}
