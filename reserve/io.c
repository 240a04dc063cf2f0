// SPDX-License-Identifier: GPL-2.0
/*
 * Reading whole files for the estimate: capture kernels and initramfs
 * images, and /proc and /sys files, whose size stat() reports as 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reserve.h"

int lb_read_whole(const char *path, size_t max, char **buf, size_t *len)
{
	size_t cap, n = 0;
	struct stat st;
	char *b, *nb;
	ssize_t r;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out_close;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		goto out_close;
	}
	if ((uint64_t)st.st_size > max) {
		ret = -EFBIG;
		goto out_close;
	}
	cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 65536;
	b = malloc(cap);
	if (!b) {
		ret = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		if (n + 1 == cap) {
			if (cap > max) {
				ret = -EFBIG;
				goto out_free;
			}
			nb = realloc(b, cap * 2);
			if (!nb) {
				ret = -ENOMEM;
				goto out_free;
			}
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto out_free;
		}
		if (!r)
			break;
		n += (size_t)r;
		if (n > max) {
			ret = -EFBIG;
			goto out_free;
		}
	}
	b[n] = '\0';
	close(fd);
	*buf = b;
	*len = n;
	return 0;
out_free:
	free(b);
out_close:
	close(fd);
	return ret;
}
