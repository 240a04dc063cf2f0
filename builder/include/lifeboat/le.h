/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Little-endian fields of the formats the builder reads and writes (boot
 * parameters, ELF, PE, the unpacked kernel's header), at any alignment:
 * for the builder, and for the userspace that writes what it reads.
 */
#ifndef LIFEBOAT_LE_H
#define LIFEBOAT_LE_H

#include "shim.h"

static inline lb_u16 lb_get16(const lb_u8 *p)
{
	return (lb_u16)(p[0] | (p[1] << 8));
}

static inline lb_u32 lb_get32(const lb_u8 *p)
{
	return (lb_u32)p[0] | ((lb_u32)p[1] << 8) | ((lb_u32)p[2] << 16) |
	       ((lb_u32)p[3] << 24);
}

static inline lb_u64 lb_get64(const lb_u8 *p)
{
	return (lb_u64)lb_get32(p) | ((lb_u64)lb_get32(p + 4) << 32);
}

static inline void lb_put16(lb_u8 *p, lb_u16 v)
{
	p[0] = (lb_u8)v;
	p[1] = (lb_u8)(v >> 8);
}

static inline void lb_put32(lb_u8 *p, lb_u32 v)
{
	lb_put16(p, (lb_u16)v);
	lb_put16(p + 2, (lb_u16)(v >> 16));
}

static inline void lb_put64(lb_u8 *p, lb_u64 v)
{
	lb_put32(p, (lb_u32)v);
	lb_put32(p + 4, (lb_u32)(v >> 32));
}

#endif /* LIFEBOAT_LE_H */
