// SPDX-License-Identifier: GPL-2.0
/*
 * The table of kernel formats. Each loader's probe() is asked in turn; the
 * first that recognises the file parses it. A new format is one more file
 * with its struct lb_loader and one more line in the table.
 */
#include "internal.h"

static const struct lb_loader *const lb_loaders[] = {
	&lb_bzimage_loader,
	&lb_unpacked_loader,
};

/**
 * lb_loader_find() - Find the loader that recognises a kernel image.
 * @buf: the kernel file
 * @len: its length in bytes
 * @err: error context, may be NULL
 *
 * Context: any; no allocation.
 * Return: the loader, or NULL with @err saying what the first loader objected.
 */
const struct lb_loader *lb_loader_find(const lb_u8 *buf, lb_u64 len,
				       struct lb_err *err)
{
	struct lb_err first;
	unsigned int i;

	first.msg[0] = '\0';
	for (i = 0; i < LB_ARRAY_SIZE(lb_loaders); i++) {
		if (!lb_loaders[i]->probe(buf, len, i ? NULL : &first))
			return lb_loaders[i];
	}
	/* The first loader's objection is the one worth reading. */
	lb_err_set(err, ENOEXEC, "unknown kernel format: %s", first.msg);
	return NULL;
}

/**
 * lb_kernel_parse() - Recognise and validate a kernel image.
 * @buf: the kernel file
 * @len: its length in bytes
 * @m: the machine it will run on (for the paging depth)
 * @k: filled with what the loader found
 * @loader: set to the name of the loader that took the file
 * @err: error context, may be NULL
 *
 * Context: any; no allocation.
 * Return: 0, or -ENOEXEC when no loader takes the file or it is malformed.
 */
int lb_kernel_parse(const void *buf, lb_u64 len, const struct lb_machine *m,
		    struct lb_kernel *k, const char **loader,
		    struct lb_err *err)
{
	const struct lb_loader *l;
	int ret;

	memset(k, 0, sizeof(*k));
	l = lb_loader_find(buf, len, err);
	if (!l)
		return -ENOEXEC;
	ret = l->parse(buf, len, m, k, err);
	if (ret)
		return ret;
	if (loader)
		*loader = l->name;
	return 0;
}
