// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a whole file into memory: configuration and metadata files, /proc
 * and /sys files (whose size stat() reports as 0), capture kernels and
 * initramfs images, and small files whose one line is wanted
 * (lb_read_line()): every reader of whole files in userspace.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys.h"

int lb_read_file(const char *path, size_t max, char **buf, size_t *len)
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
	if ((unsigned long long)st.st_size > max) {
		ret = -EFBIG;
		goto out_close;
	}
	/* Room for the file and a byte more, to read its end in one go. */
	cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
	b = malloc(cap + 1);
	if (!b) {
		ret = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				ret = -EFBIG;
				goto out_free;
			}
			cap = cap > max / 2 ? max + 1 : cap * 2;
			nb = realloc(b, cap + 1);
			if (!nb) {
				ret = -ENOMEM;
				goto out_free;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto out_free;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		ret = -EFBIG;
		goto out_free;
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

int lb_read_line(const char *path, char *buf, size_t len)
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
