// SPDX-License-Identifier: GPL-2.0
/*
 * The crashkernel= boot parameter, written the Debian way: a drop-in in
 * /etc/default/grub.d/ that update-grub sources after /etc/default/grub
 * (grub-mkconfig reads the *.cfg there in name order), appending to
 * GRUB_CMDLINE_LINUX_DEFAULT. Lifeboat owns lifeboat.cfg and rewrites it
 * whole (machine/grub.c writes it); other files' crashkernel= settings are
 * only reported.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

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
