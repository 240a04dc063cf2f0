/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The jump stamp: what the panic path leaves at the start of the region
 * just before it jumps, so that the next boot knows a capture kernel was
 * started even when that kernel died before its saver ran.
 *
 * It sits at offset 0 of the metadata block, that is at the region's first
 * byte, in a page of its own (LB_JUMP_STAMP_AREA) that the builder leaves
 * zero, that the digest does not cover and that the capture kernel's memory
 * map keeps reserved with the rest of the block. The module reads it at
 * load, before anything writes into the region, and clears it. It survives
 * a warm reset only where the firmware leaves RAM alone (SeaBIOS and OVMF
 * under QEMU do) and is found only if the next boot's region starts where
 * this one did (crashkernel= can move when KASLR puts the kernel where it
 * was); otherwise it is simply gone.
 *
 * Writing it is plain stores and arithmetic: no allocation, no locks.
 */
#ifndef LIFEBOAT_STAMP_H
#define LIFEBOAT_STAMP_H

#include "shim.h"

#define LB_JUMP_STAMP_MAGIC	0x534a424cU	/* "LBJS", little-endian */
#define LB_JUMP_STAMP_VERSION	1U

/* The page at the metadata block's start that holds the stamp. */
#define LB_JUMP_STAMP_AREA	4096ULL

struct lb_jump_stamp {
	lb_u32 magic;		/* LB_JUMP_STAMP_MAGIC */
	lb_u32 version;		/* LB_JUMP_STAMP_VERSION */
	lb_u64 time;		/* the panic, in seconds since the epoch */
	lb_u32 cpu;		/* the CPU that jumped */
	lb_u32 reserved;	/* 0 */
	lb_u64 cookie;		/* random, chosen when the image was loaded */
	lb_u64 sum;		/* lb_jump_stamp_sum() of the fields above */
};

_Static_assert(sizeof(struct lb_jump_stamp) == 40, "struct lb_jump_stamp layout");
_Static_assert(sizeof(struct lb_jump_stamp) <= LB_JUMP_STAMP_AREA,
	       "the jump stamp fits in its page");

static inline lb_u64 lb_jump_stamp_mix(lb_u64 h, lb_u64 v)
{
	h ^= v;
	h *= 0x100000001b3ULL;
	return h ^ (h >> 29);
}

/* A checksum of every field but sum: a stamp of random bytes does not pass. */
static inline lb_u64 lb_jump_stamp_sum(const struct lb_jump_stamp *s)
{
	lb_u64 h = 0xcbf29ce484222325ULL;

	h = lb_jump_stamp_mix(h, s->magic | (lb_u64)s->version << 32);
	h = lb_jump_stamp_mix(h, s->time);
	h = lb_jump_stamp_mix(h, s->cpu | (lb_u64)s->reserved << 32);
	return lb_jump_stamp_mix(h, s->cookie);
}

/* Fills a stamp. The caller writes it where it belongs. */
static inline void lb_jump_stamp_fill(struct lb_jump_stamp *s, lb_u64 time,
				      lb_u32 cpu, lb_u64 cookie)
{
	s->magic = LB_JUMP_STAMP_MAGIC;
	s->version = LB_JUMP_STAMP_VERSION;
	s->time = time;
	s->cpu = cpu;
	s->reserved = 0;
	s->cookie = cookie;
	s->sum = lb_jump_stamp_sum(s);
}

/* Is this a stamp the panic path wrote, whole? */
static inline bool lb_jump_stamp_valid(const struct lb_jump_stamp *s)
{
	return s->magic == LB_JUMP_STAMP_MAGIC &&
	       s->version == LB_JUMP_STAMP_VERSION && !s->reserved &&
	       s->sum == lb_jump_stamp_sum(s);
}

#endif /* LIFEBOAT_STAMP_H */
