// SPDX-License-Identifier: GPL-2.0
/*
 * final_action = fast-reboot: once the dump is saved, may the capture kernel
 * boot the production kernel directly, or must the machine go through the
 * firmware's reset? The decision, from facts the saver gathered (the dump's
 * state, the dumps on the target, the dead kernel's log), so that it is
 * tested anywhere. The firmware's reset wins when:
 *
 *   - the dump is not complete (failure_action applies, as before);
 *   - the dead kernel died of the hardware (a machine check, a bus or memory
 *     error NMI): the reset retrains memory and clears the error state, which
 *     a direct boot would carry over;
 *   - the capture kernel does not run on the firmware's boot CPU (the crash
 *     came from another): the production kernel booted from here would do
 *     without that CPU (Linux 6.9 and later) or send it INIT, which resets
 *     some machines;
 *   - the machine is in a crash loop: this crash is the crash_loop_count-th
 *     within crash_loop_minutes (s390's dump_reipl warns of the same loop).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dumptools.h"

/* Lines of a log that only the hardware makes the kernel print. */
static const char *const hw_markers[] = {
	"[Hardware Error]",		/* arch/x86/kernel/cpu/mce: any logged machine check */
	"NMI: PCI system error",	/* pci_serr_error() */
	"NMI: IOCK error",		/* io_check_error() */
};

static bool has_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (!strncasecmp(s + i, needle, k))
			return true;
	return false;
}

bool lb_dmesg_hardware_error(const char *text, size_t len, const char *panic, char *what,
			     size_t wlen)
{
	const char *line = text, *end = text + len;
	size_t i;

	if (wlen)
		what[0] = '\0';
	if (panic && has_ci(panic, strlen(panic), "machine check")) {
		lb_copy_printable(what, wlen, panic, strlen(panic));
		return true;
	}
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);

		for (i = 0; i < sizeof(hw_markers) / sizeof(hw_markers[0]); i++) {
			if (memmem(line, n, hw_markers[i], strlen(hw_markers[i]))) {
				lb_copy_printable(what, wlen, line, n);
				return true;
			}
		}
		line += n + 1;
	}
	return false;
}

unsigned int lb_crashes_within(const char *const *names, size_t nr, long long now,
			       unsigned int minutes)
{
	long long from = now - (long long)minutes * 60;
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < nr; i++) {
		long long t = lb_dump_name_time(names[i]);

		/* A dump's name is its crash time: a later one (a clock set back)
		 * counts too, within the tolerance the jump stamp allows. */
		if (t >= 0 && t >= from && t <= now + LB_JUMP_TOLERANCE)
			n++;
	}
	return n;
}

bool lb_fast_return(const struct lb_return_facts *f, char *why, size_t len)
{
	unsigned int n;

	if (len)
		why[0] = '\0';
	if (!f->complete) {
		snprintf(why, len, "the dump is not complete");
		return false;
	}
	if (f->hardware[0]) {
		snprintf(why, len, "the kernel died of a hardware error ('%.160s')", f->hardware);
		return false;
	}
	n = lb_crashes_within(f->names, f->nr, f->now, f->loop_minutes);
	if (f->loop_count && n >= f->loop_count) {
		snprintf(why, len, "crash loop: %u crashes within %u minutes (crash_loop = %u/%u)",
			 n, f->loop_minutes, f->loop_count, f->loop_minutes);
		return false;
	}
	return true;
}
