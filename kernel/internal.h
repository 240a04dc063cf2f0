/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lifeboat module internals, shared by the files of kernel/.
 *
 * Object lifetime: the region is found at module init and kept until exit
 * (region.c). An image is loaded into it (load.c, with the machine's facts
 * from machine.c), which publishes lb_live, the one structure the panic
 * path reads (live.h, live.c). Arming (hooks.c) installs the hooks that
 * lead to lb_crash() (panic.c). lb_mutex serialises load, unload, arm and
 * disarm, and the sysfs files that show more than one field. The panic path
 * waits for no one: it tries lb_live_busy, which a load's commit and a
 * disarm hold while they change what it reads, steps aside if that fails,
 * and trusts lb_live only while lb_live.valid is set.
 */
#ifndef LIFEBOAT_INTERNAL_H
#define LIFEBOAT_INTERNAL_H

#include <linux/mutex.h>
#include <linux/types.h>

#include "lifeboat/image.h"

struct pt_regs;

/* A region taken at run time (runtime.c): its first range and the others. */
struct lb_runtime {
	phys_addr_t start;	/* the first range: the capture kernel's image */
	phys_addr_t end;
	struct lb_mem_range extra[LB_MAX_EXTRA];	/* sorted */
	unsigned int nr_extra;
	u64 total;		/* bytes in all */
	u64 asked;		/* bytes the load asked for: total, or a little less */
	unsigned int attempts;	/* of alloc_contig_range() */
	u64 took_ms;
};

/*
 * The reserved region [start, end) and its kernel mapping; with a region
 * taken at run time, its first range, and rt the rest.
 */
struct lb_region {
	phys_addr_t start;
	phys_addr_t end;
	void *virt;
	const char *kind;	/* "crashkernel", "memmap" or "runtime" */
	struct resource *claim;	/* our request_mem_region, memmap kind only */
	struct lb_runtime *rt;	/* runtime kind only */
};

/* What the module holds from the kernel's allocators (main.c, sysfs `memory`). */
enum lb_held_kind {
	LB_HELD_BUF,	/* a load's working copies: lb_buf_create() */
	LB_HELD_MAP,	/* I/O mappings of an armed image: quiesce.c */
	LB_HELD_REGION,	/* a region taken at run time: runtime.c */
	LB_HELD_NR,
};

extern struct lb_region lb_region;
extern struct mutex lb_mutex;
extern bool lb_armed;

/* main.c */
void lb_held_get(enum lb_held_kind kind, size_t bytes);
void lb_held_put(enum lb_held_kind kind, size_t bytes);
void *lb_buf_create(size_t size, bool zero);
void lb_buf_destroy(void *buf);

/* region.c */
int lb_region_init(const char *param, struct lb_err *err);
void lb_region_exit(void);
bool lb_fw_query(void *ctx, u64 start, u64 end, u32 type);
struct lb_runtime *lb_region_use_runtime(struct lb_runtime *rt);

/* runtime.c */
struct lb_runtime *lb_runtime_take(const struct lb_mem_range *ram,
				   unsigned int nr_ram, u64 contig, u64 align,
				   u64 total, struct lb_err *err);
void lb_runtime_give(struct lb_runtime *rt);

/* machine.c: the facts the builder needs, gathered at load time. */
struct lb_machine_facts {
	struct lb_machine m;		/* for lb_image_build() */
	struct lb_mem_range *ranges;	/* the running kernel's map: m.ranges */
	unsigned int nr_ranges;
	struct lb_mem_range *fw_ranges;	/* the firmware's map: m.fw_ranges */
	unsigned int nr_fw_ranges;
};

int lb_machine_facts_init(struct lb_machine_facts *f, struct lb_err *err);
void lb_machine_facts_deinit(struct lb_machine_facts *f);
int lb_kdump_conflict(struct lb_err *err);

/* load.c */
struct lifeboat_load;
void *lb_copy_user(u64 uaddr, u64 len, struct lb_err *err, const char *what);
int lb_load(const struct lifeboat_load *req, struct lb_err *err);
int lb_unload(struct lb_err *err);
int lb_load_init(void);
void lb_load_exit(void);

/* sig.c: the capture kernel's signature under lockdown. */
int lb_sig_verify(const void *kernel, u64 len, const char **keyring,
		  struct lb_err *err);
int lb_sig_allowed(int verify_ret, const struct lb_err *why, struct lb_err *err);
int lb_sig_arm_check(struct lb_err *err);

/* reboot.c: the fast reboot. */
struct lifeboat_reboot;
int lb_reboot_load(const struct lifeboat_reboot *req, struct lb_err *err);
int lb_reboot_cancel(struct lb_err *err);
ssize_t lb_reboot_show(char *buf);
void lb_reboot_exit(void);

/* hooks.c */
int lb_arm(struct lb_err *err);
void lb_disarm(void);

/* quiesce.c: interrupt controllers and devices the capture kernel must find quiet. */
int lb_quiesce_prepare(struct lb_err *err);
void lb_quiesce_release(void);
void lb_quiesce_this_cpu(void);
void lb_quiesce_machine(void);

/* panic.c */
void lb_crash(struct pt_regs *regs);
int lb_nmi_handler(unsigned int type, struct pt_regs *regs);
void lb_oops_save(struct pt_regs *regs);

/* entry.S: smp_ops hooks that record the caller's registers, then call C. */
void lb_stop_other_cpus_entry(int wait);
void lb_crash_stop_other_cpus_entry(void);
void lb_stop_other_cpus(int wait, struct pt_regs *regs);
void lb_crash_stop_other_cpus(struct pt_regs *regs);

/*
 * tramp.S: the page that switches to the identity tables and enters the
 * kernel. lb_tramp_jump() never returns; callers say so with unreachable()
 * after the call rather than with __noreturn here, because that also tells
 * objtool, which on kernels that check one object at a time cannot look
 * into tramp.S.
 */
extern const u8 lb_tramp_start[];
extern const u8 lb_tramp_nmi[];
extern const u8 lb_tramp_fault[];
extern const u8 lb_tramp_ident[];
extern const u8 lb_tramp_end[];
void lb_tramp_jump(u64 cr3, u64 ident_pa);

#endif /* LIFEBOAT_INTERNAL_H */
