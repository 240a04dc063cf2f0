// SPDX-License-Identifier: GPL-2.0
/*
 * The crashkernel= boot parameter, written the Debian way: a drop-in in
 * /etc/default/grub.d/ that update-grub sources after /etc/default/grub
 * (grub-mkconfig reads the *.cfg there in name order), appending to
 * GRUB_CMDLINE_LINUX_DEFAULT. Lifeboat owns lifeboat.cfg and rewrites it
 * whole; other files' crashkernel= settings are only reported.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dumptools.h"
#include "reserve.h"

/* A plain size the kernel reads as crashkernel=SIZE: digits and a K/M/G/T suffix. */
static bool plain_size(const char *size)
{
	size_t n = strlen(size), used;
	uint64_t v;

	if (!n || n > 24 || size[0] < '1' || size[0] > '9')
		return false;
	if (lb_size_parse(size, n, &v, &used) || used != n)
		return false;
	/* What the builder could ever place: at least 16 MiB, below 2^47. */
	return v >= (16ULL << 20) && v < (1ULL << 47);
}

int lb_grub_dropin_text(const char *size, char *buf, size_t len)
{
	int n;

	if (!plain_size(size))
		return -EINVAL;
	n = snprintf(buf, len,
		     "# Written by 'lifeboat reserve': memory kept at boot for Lifeboat's\n"
		     "# capture kernel. The next 'lifeboat reserve' rewrites this file; to drop\n"
		     "# the reservation, remove it and run update-grub.\n"
		     "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=%s\"\n",
		     size);
	return n;
}

unsigned int lb_grub_find_crashkernel(const char *text, size_t len, char *found,
				      size_t found_len, unsigned int max)
{
	static const char key[] = "crashkernel=";
	size_t pos = 0, eol, i, v;
	unsigned int line = 0, nr = 0;

	while (pos < len) {
		line++;
		for (eol = pos; eol < len && text[eol] != '\n'; eol++)
			;
		for (i = pos; i < eol && (text[i] == ' ' || text[i] == '\t'); i++)
			;
		if (i < eol && text[i] == '#') {
			pos = eol + 1;
			continue;
		}
		for (; i + sizeof(key) - 1 <= eol; i++) {
			if (memcmp(text + i, key, sizeof(key) - 1))
				continue;
			/* A word of its own: "xcrashkernel=" is not it. */
			if (i > pos && text[i - 1] != ' ' && text[i - 1] != '"' &&
			    text[i - 1] != '\'' && text[i - 1] != '\t')
				continue;
			for (v = i + sizeof(key) - 1; v < eol && text[v] != ' ' && text[v] != '"' &&
			     text[v] != '\'' && text[v] != '\t'; v++)
				;
			if (nr < max && found_len) {
				char *out = found + (size_t)nr * found_len;
				size_t k, o;

				o = (size_t)snprintf(out, found_len, "line %u: ", line);
				for (k = i; k < v && o + 1 < found_len; k++)
					out[o++] = (text[k] >= 0x20 && text[k] < 0x7f) ? text[k] : '?';
				if (o < found_len)
					out[o] = '\0';
			}
			nr++;
			i = v - 1;
		}
		pos = eol + 1;
	}
	return nr;
}

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
