// SPDX-License-Identifier: GPL-2.0
/*
 * modules.dep lookup, for `lifeboat status` and `lifeboat start` to tell a
 * kernel with no Lifeboat module from one whose module is only not loaded.
 * See kmod.h.
 */
#include <errno.h>
#include <string.h>

#include "kmod.h"

static const char *const ko_suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };

/* Is file (n bytes, a path) name + one of ko_suffixes in some folder? */
static int names_module(const char *file, size_t n, const char *name)
{
	size_t nl = strlen(name), i, base = n;

	while (base && file[base - 1] != '/')
		base--;
	if (n - base <= nl || memcmp(file + base, name, nl))
		return 0;
	for (i = 0; i < sizeof(ko_suffixes) / sizeof(ko_suffixes[0]); i++) {
		size_t sl = strlen(ko_suffixes[i]);

		if (n - base - nl == sl && !memcmp(file + base + nl, ko_suffixes[i], sl))
			return 1;
	}
	return 0;
}

int lb_modules_dep_find(const char *dep, size_t len, const char *name, char *path,
			size_t pathlen)
{
	size_t pos = 0;

	while (pos < len) {
		const char *line = dep + pos, *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		const char *colon = memchr(line, ':', ll);

		pos += ll + 1;
		if (!colon || !names_module(line, (size_t)(colon - line), name))
			continue;
		if ((size_t)(colon - line) >= pathlen)
			return -ENAMETOOLONG;
		memcpy(path, line, (size_t)(colon - line));
		path[colon - line] = '\0';
		return 0;
	}
	return -ENOENT;
}
