/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The little the image builder needs from its surroundings: fixed-width
 * types, memcpy/memset, errno values and vsnprintf. The same sources build
 * inside the module (with __KERNEL__) and on the host for tests and fuzzers.
 */
#ifndef LIFEBOAT_SHIM_H
#define LIFEBOAT_SHIM_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/stdarg.h>
#include <linux/string.h>
#include <linux/types.h>
typedef u8 lb_u8;
typedef u16 lb_u16;
typedef u32 lb_u32;
typedef u64 lb_u64;
#else
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
typedef uint8_t lb_u8;
typedef uint16_t lb_u16;
typedef uint32_t lb_u32;
typedef uint64_t lb_u64;
#endif

#define LB_ALIGN_UP(x, a)   (((x) + ((lb_u64)(a) - 1)) & ~((lb_u64)(a) - 1))
#define LB_ALIGN_DOWN(x, a) ((x) & ~((lb_u64)(a) - 1))
#define LB_ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))

#endif /* LIFEBOAT_SHIM_H */
