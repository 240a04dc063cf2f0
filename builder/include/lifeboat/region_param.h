/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module parameter region=SIZE@START, which names a region the
 * administrator kept from the kernel with memmap=SIZE$START: parsed and
 * checked for its shape here, checked against the machine's memory maps by
 * the module (kernel/region.c). The numbers are read as the kernel's
 * memparse() reads them: C's base prefixes (0x, 0), then an optional K, M,
 * G, T, P or E.
 *
 * Pure computation, no allocation: built into the module and on the host.
 */
#ifndef LIFEBOAT_REGION_PARAM_H
#define LIFEBOAT_REGION_PARAM_H

#include "lifeboat/err.h"
#include "shim.h"

/*
 * Reads a number as the kernel's memparse(): an unsigned integer in base
 * 16 (0x), 8 (a leading 0) or 10, wrapping on overflow, multiplied by the
 * suffix K, M, G, T, P or E (either case) if one follows. *end is where
 * reading stopped: s itself when neither a digit nor a suffix was read.
 */
lb_u64 lb_memparse(const char *s, const char **end);

/*
 * Parses region=SIZE@START (a trailing newline allowed) into *start and
 * *size, both non-zero multiples of 4 KiB, the range not wrapping past
 * 2^64. Returns 0, or -EINVAL with err naming what is wrong.
 */
int lb_region_param_parse(const char *param, lb_u64 *start, lb_u64 *size,
			  struct lb_err *err);

#endif /* LIFEBOAT_REGION_PARAM_H */
