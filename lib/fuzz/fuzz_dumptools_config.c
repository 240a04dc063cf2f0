// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for /etc/lifeboat.conf: any input is parsed; when it is
 * accepted, what lb_conf_format() writes must parse back to the same values,
 * and every string must be NUL-terminated within its field.
 */
#include <stdlib.h>
#include <string.h>

#include "dumptools.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct lb_conf a, b;
	struct lb_err err;
	char buf[8192];
	size_t n;

	lb_conf_defaults(&a);
	if (lb_conf_parse(&a, (const char *)data, size, "fuzz", &err)) {
		check(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
		return 0;
	}
	check(memchr(a.target, '\0', sizeof(a.target)) && memchr(a.path, '\0', sizeof(a.path)));
	check(memchr(a.append, '\0', sizeof(a.append)) && memchr(a.kernel, '\0', sizeof(a.kernel)));
	check(memchr(a.return_kernel, '\0', sizeof(a.return_kernel)) &&
	      memchr(a.return_initrd, '\0', sizeof(a.return_initrd)));
	check(a.dump_level <= 31 && a.threads <= LB_CONF_MAX_THREADS && a.keep <= LB_CONF_MAX_KEEP);
	check(a.failure_action != LB_ACTION_FAST_REBOOT);
	check(a.crash_loop_count >= 1 && a.crash_loop_count <= LB_CONF_MAX_LOOP &&
	      a.crash_loop_minutes >= 1 && a.crash_loop_minutes <= LB_CONF_MAX_LOOP_MINUTES);
	n = lb_conf_format(&a, buf, sizeof(buf));
	check(n < sizeof(buf));
	lb_conf_defaults(&b);
	check(lb_conf_parse(&b, buf, n, "formatted", &err) == 0);
	check(!memcmp(&a, &b, sizeof(a)));
	return 0;
}
