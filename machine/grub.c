// SPDX-License-Identifier: GPL-2.0
/*
 * Writes Lifeboat's GRUB drop-in, /etc/default/grub.d/lifeboat.cfg, whose
 * text lib/grub.c makes: through a temporary file and a rename, so that
 * update-grub never reads half of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sizing.h"

int lb_grub_dropin_write(const char *dir, const char *size, bool *changed, struct lb_err *err)
{
	char text[1024], path[4096], tmp[4096], *old = NULL;
	size_t old_len = 0;
	struct stat st;
	ssize_t w;
	int n, fd, r;

	*changed = false;
	n = lb_grub_dropin_text(size, text, sizeof(text));
	if (n < 0)
		return lb_err_set(err, EINVAL,
				  "'%s' is not a size for crashkernel= (a number of bytes with K, M or G, at least 16M)",
				  size);
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return lb_err_set(err, ENOENT,
				  "'%s' does not exist: this does not look like a system booted by GRUB the Debian way; nothing was changed",
				  dir);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, LB_GRUB_DROPIN) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, LB_GRUB_DROPIN) >= sizeof(tmp))
		return lb_err_set(err, ENAMETOOLONG, "the path '%s' is too long", dir);
	r = lb_read_file(path, 1 << 20, &old, &old_len);
	if (!r && old_len == (size_t)n && !memcmp(old, text, old_len)) {
		free(old);
		return 0;
	}
	free(old);
	if (r && r != -ENOENT)
		return lb_err_set(err, -r, "cannot read '%s': %s", path, strerror(-r));

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return lb_err_set(err, errno, "cannot write '%s': %s", tmp, strerror(errno));
	w = write(fd, text, (size_t)n);
	if (w != n || fsync(fd)) {
		r = w < 0 || w == n ? errno : ENOSPC;
		close(fd);
		unlink(tmp);
		return lb_err_set(err, r, "cannot write '%s': %s", tmp, strerror(r));
	}
	if (close(fd) || rename(tmp, path)) {
		r = errno;
		unlink(tmp);
		return lb_err_set(err, r, "cannot write '%s': %s", path, strerror(r));
	}
	/* The rename itself must reach the disk before update-grub reads it. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	*changed = true;
	return 0;
}
