/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared fixtures of the image builder unit tests (test_capture_*.c): the
 * real guest kernel, a synthetic bzImage, machine maps in the crashkernel=
 * and memmap=SIZE$START styles, a trampoline blob, a VMCOREINFO note, and
 * a software page-table walker. Defined in test_capture_fixture.c.
 */
#ifndef LIFEBOAT_TEST_CAPTURE_FIXTURE_H
#define LIFEBOAT_TEST_CAPTURE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lifeboat/image.h"

#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

#define CAP_PAGE_OFFSET 0xffff9c8e40000000ULL
#define CAP_TRAMP_VA 0xffffffffc0a3d000ULL
#define CAP_TRAMP_NMI_OFF 0x40
#define CAP_TRAMP_FAULT_OFF 0x80
#define CAP_ACPI_RSDP 0xf5a60ULL
#define CAP_MAX_RANGES 256

/* The first bytes of the VMCOREINFO text of the fixture. */
#define CAP_VMCOREINFO_TEXT \
	"OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\nNUMBER(phys_base)=0\nKERNELOFFSET=1e000000\n"

struct cap_machine {
	struct lb_mem_range ranges[CAP_MAX_RANGES];
	struct lb_machine m;
	uint8_t tramp[256];
	uint8_t vmcoreinfo[256];
};

/* A machine with 6 GiB of RAM, ACPI/NVS below 2 GiB, an MMIO hole. */
void cap_machine_init(struct cap_machine *cm, bool la57);
/* crashkernel=256M: the region [688 MiB, 944 MiB) inside System RAM. */
void cap_machine_crashkernel(struct cap_machine *cm, bool la57);
/* memmap=256M$512M: the region is a RESERVED range between RAM ranges. */
void cap_machine_memmap(struct cap_machine *cm, bool la57);
/* Appends a range (the map must stay sorted). */
void cap_machine_add(struct cap_machine *cm, uint64_t start, uint64_t end,
		     uint32_t type);

/* The real guest kernel: fails the test loudly when it is not there. */
uint8_t *cap_read_kernel(size_t *len);
/* A minimal valid bzImage of len bytes (at least 0x1400). */
uint8_t *cap_fake_bzimage(size_t len, uint32_t init_size);

/* Builds with the given machine and kernel into a fresh meta buffer. */
struct cap_build {
	struct lb_image img;
	struct lb_err err;
	uint8_t *meta;
	uint64_t meta_len;
	int ret;
};
void cap_build(struct cap_build *b, const struct lb_machine *m,
	       const void *kernel, size_t kernel_len, const void *initrd,
	       size_t initrd_len, const char *cmdline);
void cap_build_free(struct cap_build *b);
/* Builds with a synthetic bzImage (0x3000 bytes, init_size 16 MiB), no initrd. */
void cap_build_fake(struct cap_build *b, const struct lb_machine *m);
/* The same, and fails the test when the build fails. */
void cap_build_fake_ok(struct cap_build *b, const struct lb_machine *m);

/* Metadata bytes at a physical address inside the block. */
uint8_t *cap_meta_at(const struct cap_build *b, uint64_t pa);

/*
 * Translates va through the tables of b (la57 gives the depth). Returns
 * false if not present; sets *pa and *flags (of the leaf) otherwise.
 */
bool cap_translate(const struct cap_build *b, bool la57, uint64_t va,
		   uint64_t *pa, uint64_t *flags, unsigned int *page_shift);

/* An interval [start, end) with a type: an E820 entry, or any range. */
struct cap_ival {
	uint64_t start, end;
	uint32_t type;
};

/* The capture kernel's E820 map, read back from boot_params; returns the count. */
unsigned int cap_read_e820(const struct cap_build *b, struct cap_ival *out);
/* got[0..nr) is exactly want[0..nr_want), start, end and type. */
void cap_check_e820_exact(const struct cap_ival *got, unsigned int nr,
			  const struct cap_ival *want, unsigned int nr_want);

/* A small xorshift generator, so that failures reproduce. */
uint64_t cap_rnd(uint64_t *s);

uint16_t cap_get16(const uint8_t *p);
uint32_t cap_get32(const uint8_t *p);
uint64_t cap_get64(const uint8_t *p);

#endif
