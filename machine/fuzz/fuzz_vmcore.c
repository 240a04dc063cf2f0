// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the saver's reader of /proc/vmcore (vmcore.c): the
 * ELF headers and notes a crashed kernel left, read with libelf from a file
 * as the saver reads them (a memfd here). Any input must be accepted or
 * refused with a sentence; when accepted, the facts must hold together.
 * Seeds: corpus/fuzz_vmcore/, made by mkseed.py.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmcore.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static int fd = -1;
	struct lb_vmcore_facts f;
	struct lb_err err = { "" };
	int ret;

	/* One file for every run: libelf reads it by offset, as /proc/vmcore. */
	if (fd < 0)
		fd = memfd_create("vmcore", MFD_CLOEXEC);
	check(fd >= 0);
	check(!ftruncate(fd, 0));
	check(pwrite(fd, data, size, 0) == (ssize_t)size);

	ret = lb_vmcore_read_fd(fd, "fuzz", &f, &err);
	check(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
	if (ret) {
		check(ret < 0 && err.msg[0]);
		return 0;
	}
	check(f.nr_loads > 0);
	check(memchr(f.info.release, '\0', sizeof(f.info.release)) != NULL);
	return 0;
}
