// SPDX-License-Identifier: GPL-2.0
/*
 * Is the reserved region big enough for the capture kernel? Checked by
 * `lifeboat start` before it arms, so that the journal says why it did not
 * arm rather than leaving a capture kernel that runs out of memory.
 */
#include <errno.h>

#include "dumptools.h"

unsigned long long lb_capture_need(unsigned long long init_size, unsigned long long packed,
				   unsigned long long unpacked)
{
	return init_size + packed + unpacked + LB_CAPTURE_RUNTIME;
}

/* A crashkernel= size to suggest: the need plus a quarter, in 16 MiB steps. */
static unsigned long long suggest_mib(unsigned long long need)
{
	unsigned long long s = need + need / 4;

	return ((s + (16ULL << 20) - 1) >> 24) << 4;
}

int lb_region_check(unsigned long long region, unsigned long long init_size,
		    unsigned long long packed, unsigned long long unpacked, struct lb_err *err)
{
	unsigned long long need = lb_capture_need(init_size, packed, unpacked);

	if (!region)
		return lb_err_set(err, ENODEV, "no memory is reserved for the capture kernel: add crashkernel=%lluM to the kernel command line and reboot",
				  suggest_mib(need));
	if (region < need)
		return lb_err_set(err, ENOSPC, "the reserved region is too small: %llu MiB, the capture kernel needs about %llu MiB (%llu MiB for the kernel to unpack and run, %llu KiB of initramfs, %llu KiB unpacked, %llu MiB to work in): boot with crashkernel=%lluM",
				  region >> 20, (need + (1 << 20) - 1) >> 20, (init_size + (1 << 20) - 1) >> 20,
				    packed >> 10, unpacked >> 10, LB_CAPTURE_RUNTIME >> 20,
				    suggest_mib(need));
	return 0;
}
