// SPDX-License-Identifier: GPL-2.0
/*
 * Ranges against typed memory maps (builder/lib/ranges.c): the first
 * offender of a region or range, by table, on the maps QEMU's SeaBIOS and
 * OVMF give a 1 GiB guest; the firmware's map rebuilt from yes-or-no
 * questions, as the module asks e820__mapped_raw_any(); and the builder
 * refusing a region, a dumped range or a usable range that the firmware's
 * map does not call usable RAM.
 */
#include <stdlib.h>
#include <string.h>

#include "data/capture_fixture.h"
#include "lifeboat/ranges.h"
#include "unit.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* /sys/firmware/memmap of a 1 GiB i440fx guest under SeaBIOS (QEMU 7.2), with a virtio disk. */
static const struct lb_mem_range seabios_1g[] = {
	{ 0, 0x9fc00, LB_MEM_RAM },
	{ 0x9fc00, 0xa0000, LB_MEM_RESERVED },
	{ 0xf0000, 0x100000, LB_MEM_RESERVED },
	{ 0x100000, 0x3ffdd000, LB_MEM_RAM },
	{ 0x3ffdd000, 0x40000000, LB_MEM_RESERVED },
	{ 0xfeffc000, 0xff000000, LB_MEM_RESERVED },
	{ 0xfffc0000, 0x100000000, LB_MEM_RESERVED },
	{ 0xfd00000000, 0x10000000000, LB_MEM_RESERVED },
};

/* The same guest without a disk: SeaBIOS's ACPI area is smaller. */
static const struct lb_mem_range seabios_1g_nodisk[] = {
	{ 0, 0x9fc00, LB_MEM_RAM },
	{ 0x9fc00, 0xa0000, LB_MEM_RESERVED },
	{ 0xf0000, 0x100000, LB_MEM_RESERVED },
	{ 0x100000, 0x3ffe0000, LB_MEM_RAM },
	{ 0x3ffe0000, 0x40000000, LB_MEM_RESERVED },
	{ 0xfffc0000, 0x100000000, LB_MEM_RESERVED },
	{ 0xfd00000000, 0x10000000000, LB_MEM_RESERVED },
};

/* The same guest under OVMF: ACPI tables and NVS in the last MiBs, NVS at 8 MiB. */
static const struct lb_mem_range ovmf_1g[] = {
	{ 0, 0xa0000, LB_MEM_RAM },
	{ 0x100000, 0x800000, LB_MEM_RAM },
	{ 0x800000, 0x808000, LB_MEM_NVS },
	{ 0x808000, 0x80b000, LB_MEM_RAM },
	{ 0x80b000, 0x80c000, LB_MEM_NVS },
	{ 0x80c000, 0x810000, LB_MEM_RAM },
	{ 0x810000, 0x900000, LB_MEM_NVS },
	{ 0x900000, 0x3eea5000, LB_MEM_RAM },
	{ 0x3eea5000, 0x3ef66000, LB_MEM_RESERVED },
	{ 0x3ef66000, 0x3f8ed000, LB_MEM_RAM },
	{ 0x3f8ed000, 0x3fb6d000, LB_MEM_RESERVED },
	{ 0x3fb6d000, 0x3fb7f000, LB_MEM_ACPI },
	{ 0x3fb7f000, 0x3fbff000, LB_MEM_NVS },
	{ 0x3fbff000, 0x3ff50000, LB_MEM_RAM },
	{ 0x3ff50000, 0x3ff70000, LB_MEM_RESERVED },
	{ 0x3ff70000, 0x40000000, LB_MEM_NVS },
};

/* Every other shape: touching RAM, holes, the rarer types, above 4 GiB. */
static const struct lb_mem_range odd_map[] = {
	{ 0, 0x9f000, LB_MEM_RAM },
	{ MiB(1), MiB(64), LB_MEM_RAM },
	{ MiB(64), MiB(128), LB_MEM_RAM },	/* touches: still one RAM */
	{ MiB(128), MiB(129), LB_MEM_UNUSABLE },
	{ MiB(129), MiB(256), LB_MEM_RAM },
	{ MiB(260), MiB(512), LB_MEM_RAM },	/* a 4 MiB hole before */
	{ MiB(512), MiB(513), 6 },		/* a type the kernel does not know */
	{ MiB(513), GiB(1), LB_MEM_RAM },
	{ GiB(4), GiB(5), LB_MEM_PMEM },
	{ GiB(5), GiB(6), LB_MEM_SOFT_RESERVED },
	{ GiB(6), GiB(7), LB_MEM_PRAM },
	{ GiB(7), GiB(8), LB_MEM_RAM },
};

struct find_case {
	const char *name;
	const struct lb_mem_range *map;
	unsigned int nr;
	uint64_t start, end;
	bool found;
	struct lb_mem_range bad;
};

#define MAP(m) m, ARRAY_LEN(m)

static const struct find_case find_cases[] = {
	/* The defect: memmap=256M$0x30000000 runs over SeaBIOS's ACPI area. */
	{ "seabios-to-1g", MAP(seabios_1g), 0x30000000, 0x40000000, true,
	  { 0x3ffdd000, 0x40000000, LB_MEM_RESERVED } },
	{ "seabios-nodisk-to-1g", MAP(seabios_1g_nodisk), 0x30000000, 0x40000000, true,
	  { 0x3ffe0000, 0x40000000, LB_MEM_RESERVED } },
	{ "seabios-nodisk-top-64k", MAP(seabios_1g_nodisk), 0x3fff0000, 0x40000000, true,
	  { 0x3fff0000, 0x40000000, LB_MEM_RESERVED } },
	{ "seabios-ok", MAP(seabios_1g), 0x20000000, 0x30000000, false, { 0 } },
	{ "seabios-ends-at-ram-end", MAP(seabios_1g), 0x2ffdd000, 0x3ffdd000, false, { 0 } },
	{ "seabios-one-page-over", MAP(seabios_1g), 0x2ffde000, 0x3ffde000, true,
	  { 0x3ffdd000, 0x3ffde000, LB_MEM_RESERVED } },
	{ "seabios-above-ram", MAP(seabios_1g), 0x40000000, 0x50000000, true,
	  { 0x40000000, 0x50000000, LB_MEM_NONE } },
	{ "seabios-straddles-1g", MAP(seabios_1g), 0x3ff00000, 0x40100000, true,
	  { 0x3ffdd000, 0x40000000, LB_MEM_RESERVED } },
	{ "seabios-ebda", MAP(seabios_1g), 0x9f000, 0xa0000, true,
	  { 0x9fc00, 0xa0000, LB_MEM_RESERVED } },
	{ "seabios-vga-hole", MAP(seabios_1g), 0xa0000, 0xf0000, true,
	  { 0xa0000, 0xf0000, LB_MEM_NONE } },
	{ "seabios-bios-rom", MAP(seabios_1g), 0xfffc0000, 0x100000000, true,
	  { 0xfffc0000, 0x100000000, LB_MEM_RESERVED } },
	{ "ovmf-to-1g", MAP(ovmf_1g), 0x30000000, 0x40000000, true,
	  { 0x3eea5000, 0x3ef66000, LB_MEM_RESERVED } },
	{ "ovmf-ok", MAP(ovmf_1g), 0x20000000, 0x30000000, false, { 0 } },
	{ "ovmf-acpi", MAP(ovmf_1g), 0x3fb6d000, 0x3fb7f000, true,
	  { 0x3fb6d000, 0x3fb7f000, LB_MEM_ACPI } },
	{ "ovmf-clipped", MAP(ovmf_1g), 0x3fb00000, 0x3fc00000, true,
	  { 0x3fb00000, 0x3fb6d000, LB_MEM_RESERVED } },
	{ "ovmf-2m-at-7m", MAP(ovmf_1g), 0x700000, 0x900000, true,
	  { 0x800000, 0x808000, LB_MEM_NVS } },
	{ "ovmf-top-64k", MAP(ovmf_1g), 0x3fff0000, 0x40000000, true,
	  { 0x3fff0000, 0x40000000, LB_MEM_NVS } },
	{ "ovmf-nvs-8m", MAP(ovmf_1g), 0x800000, 0x900000, true,
	  { 0x800000, 0x808000, LB_MEM_NVS } },
	{ "ovmf-last-ram", MAP(ovmf_1g), 0x3fbff000, 0x3ff50000, false, { 0 } },
	{ "ovmf-above", MAP(ovmf_1g), 0x3ff4f000, 0x3ff51000, true,
	  { 0x3ff50000, 0x3ff51000, LB_MEM_RESERVED } },
	{ "touching-ram", MAP(odd_map), MiB(32), MiB(96), false, { 0 } },
	{ "unusable", MAP(odd_map), MiB(96), MiB(160), true,
	  { MiB(128), MiB(129), LB_MEM_UNUSABLE } },
	{ "hole-inside", MAP(odd_map), MiB(200), MiB(300), true,
	  { MiB(256), MiB(260), LB_MEM_NONE } },
	{ "starts-in-hole", MAP(odd_map), MiB(258), MiB(300), true,
	  { MiB(258), MiB(260), LB_MEM_NONE } },
	{ "unknown-type", MAP(odd_map), MiB(400), MiB(600), true,
	  { MiB(512), MiB(513), 6 } },
	{ "pmem", MAP(odd_map), GiB(4), GiB(4) + 4096, true,
	  { GiB(4), GiB(4) + 4096, LB_MEM_PMEM } },
	{ "soft-reserved", MAP(odd_map), GiB(5) + MiB(1), GiB(6), true,
	  { GiB(5) + MiB(1), GiB(6), LB_MEM_SOFT_RESERVED } },
	{ "pram", MAP(odd_map), GiB(6), GiB(8), true,
	  { GiB(6), GiB(7), LB_MEM_PRAM } },
	{ "high-ram", MAP(odd_map), GiB(7), GiB(8), false, { 0 } },
	{ "past-the-end", MAP(odd_map), GiB(7), GiB(9), true,
	  { GiB(8), GiB(9), LB_MEM_NONE } },
	{ "empty-map", NULL, 0, MiB(1), MiB(2), true, { MiB(1), MiB(2), LB_MEM_NONE } },
	{ "empty-range", MAP(seabios_1g), 0x3ffdd000, 0x3ffdd000, false, { 0 } },
	{ "want-reserved", MAP(seabios_1g), 0x3ffdd000, 0x40000000, false, { 0 } },
};

START_TEST(ranges_find_first_offender)
{
	const struct find_case *c = &find_cases[_i];
	uint32_t want = strcmp(c->name, "want-reserved") ? LB_MEM_RAM : LB_MEM_RESERVED;
	struct lb_mem_range bad = { 1, 2, 3 };
	bool found;

	found = lb_map_find_other(c->map, c->nr, c->start, c->end, want, &bad);
	ck_assert_msg(found == c->found, "%s: found %d, want %d", c->name, found, c->found);
	if (!found)
		return;
	ck_assert_msg(bad.start == c->bad.start && bad.end == c->bad.end &&
		      bad.type == c->bad.type,
		      "%s: [0x%llx, 0x%llx) type %u, want [0x%llx, 0x%llx) type %u", c->name,
		      (unsigned long long)bad.start, (unsigned long long)bad.end, bad.type,
		      (unsigned long long)c->bad.start, (unsigned long long)c->bad.end,
		      c->bad.type);
}
END_TEST

START_TEST(ranges_sentence)
{
	struct lb_err err = { "" };

	ck_assert_int_eq(lb_ranges_require_ram(MAP(seabios_1g), 0x30000000, 0x40000000,
					       "region=256M@0x30000000",
					       "the firmware's memory map", &err), -EINVAL);
	ck_assert_str_eq(err.msg,
			 "region=256M@0x30000000 [0x30000000, 0x40000000) overlaps [0x3ffdd000, 0x40000000), which is reserved in the firmware's memory map");
	ck_assert_int_eq(lb_ranges_require_ram(MAP(seabios_1g), 0x40000000, 0x50000000,
					       "the region", "the firmware's memory map",
					       &err), -EINVAL);
	ck_assert_str_eq(err.msg,
			 "the region [0x40000000, 0x50000000) overlaps [0x40000000, 0x50000000), which is missing in the firmware's memory map");
	ck_assert_int_eq(lb_ranges_require_ram(MAP(ovmf_1g), 0x3fb6d000, 0x3fb7e000, "x", "y",
					       &err), -EINVAL);
	ck_assert(strstr(err.msg, "which is ACPI tables in y"));
	ck_assert_int_eq(lb_ranges_require_ram(MAP(ovmf_1g), 0x800000, 0x801000, "x", "y",
					       &err), -EINVAL);
	ck_assert(strstr(err.msg, "which is ACPI NVS in y"));
	ck_assert_int_eq(lb_ranges_require_ram(MAP(ovmf_1g), MiB(16), MiB(32), "x", "y",
					       NULL), 0);
	ck_assert_str_eq(lb_mem_type_name(LB_MEM_UNUSABLE), "unusable");
	ck_assert_str_eq(lb_mem_type_name(LB_MEM_PMEM), "persistent memory");
	ck_assert_str_eq(lb_mem_type_name(LB_MEM_PRAM), "persistent memory (legacy)");
	ck_assert_str_eq(lb_mem_type_name(LB_MEM_SOFT_RESERVED), "soft reserved");
	ck_assert_str_eq(lb_mem_type_name(6), "of an unknown type");
}
END_TEST

/* A firmware table behind the question e820__mapped_raw_any() answers. */
struct fake_fw {
	const struct lb_mem_range *map;
	unsigned int nr;
	unsigned long queries;
};

static bool fake_query(void *ctx, uint64_t start, uint64_t end, uint32_t type)
{
	struct fake_fw *fw = ctx;
	unsigned int i;

	fw->queries++;
	for (i = 0; i < fw->nr; i++) {
		if (type && fw->map[i].type != type)
			continue;
		if (fw->map[i].start >= end || fw->map[i].end <= start)
			continue;
		return true;
	}
	return false;
}

/* Types the rebuild cannot name come back as LB_MEM_OTHER. */
static uint32_t known(uint32_t type)
{
	switch (type) {
	case LB_MEM_RAM: case LB_MEM_RESERVED: case LB_MEM_ACPI: case LB_MEM_NVS:
	case LB_MEM_UNUSABLE: case LB_MEM_PMEM: case LB_MEM_PRAM: case LB_MEM_SOFT_RESERVED:
		return type;
	default:
		return LB_MEM_OTHER;
	}
}

/*
 * Rebuilds the table map and compares with want (map itself when NULL);
 * hinted: the running kernel's map has the same holes.
 */
static void check_rebuild(const char *name, const struct lb_mem_range *map, unsigned int nr,
			  const struct lb_mem_range *want, unsigned int nr_want, bool hinted,
			  uint64_t scan_start, uint64_t scan_end)
{
	struct fake_fw fw = { map, nr, 0 };
	struct lb_mem_range out[256];
	struct lb_err err = { "" };
	unsigned int got, i;

	struct lb_fwmap_query q = {
		.fn = fake_query, .ctx = &fw, .scan_start = scan_start, .scan_end = scan_end,
		.hints = hinted ? map : NULL, .nr_hints = hinted ? nr : 0,
	};

	ck_assert_int_eq(lb_fwmap_rebuild(&q, 0, 1ULL << 52, out, ARRAY_LEN(out), &got, &err), 0);
	if (!want) {
		want = map;
		nr_want = nr;
	}
	map = want;
	ck_assert_msg(got == nr_want, "%s: %u ranges, want %u", name, got, nr_want);
	for (i = 0; i < nr_want; i++)
		ck_assert_msg(out[i].start == map[i].start && out[i].end == map[i].end &&
			      out[i].type == known(map[i].type),
			      "%s: range %u is [0x%llx, 0x%llx) %u, want [0x%llx, 0x%llx) %u",
			      name, i, (unsigned long long)out[i].start,
			      (unsigned long long)out[i].end, out[i].type,
			      (unsigned long long)map[i].start, (unsigned long long)map[i].end,
			      known(map[i].type));
	/* A few hundred questions per boundary, plus two per page scanned. */
	ck_assert_msg(fw.queries < 2000 * (nr + 1) + 2 * ((scan_end - scan_start) >> 12),
		      "%s: %lu questions", name, fw.queries);
}

START_TEST(ranges_rebuild_firmware_maps)
{
	/* odd_map's touching RAM ranges are one range in a sanitized table. */
	static const struct lb_mem_range odd_merged[] = {
		{ 0, 0x9f000, LB_MEM_RAM },
		{ MiB(1), MiB(128), LB_MEM_RAM },
		{ MiB(128), MiB(129), LB_MEM_UNUSABLE },
		{ MiB(129), MiB(256), LB_MEM_RAM },
		{ MiB(260), MiB(512), LB_MEM_RAM },
		{ MiB(512), MiB(513), 6 },
		{ MiB(513), GiB(1), LB_MEM_RAM },
		{ GiB(4), GiB(5), LB_MEM_PMEM },
		{ GiB(5), GiB(6), LB_MEM_SOFT_RESERVED },
		{ GiB(6), GiB(7), LB_MEM_PRAM },
		{ GiB(7), GiB(8), LB_MEM_RAM },
	};

	/* Reserved, a hole, reserved: one reserved run without the page scan. */
	static const struct lb_mem_range seabios_unscanned[] = {
		{ 0, 0x9fc00, LB_MEM_RAM },
		{ 0x9fc00, 0xa0000, LB_MEM_RESERVED },
		{ 0xf0000, 0x100000, LB_MEM_RESERVED },
		{ 0x100000, 0x3ffdd000, LB_MEM_RAM },
		{ 0x3ffdd000, 0x40000000, LB_MEM_RESERVED },
		{ 0xfeffc000, 0x100000000, LB_MEM_RESERVED },
		{ 0xfd00000000, 0x10000000000, LB_MEM_RESERVED },
	};

	check_rebuild("seabios", MAP(seabios_1g), MAP(seabios_unscanned), false, 0, 0);
	check_rebuild("seabios-scanned", MAP(seabios_1g), NULL, 0, false, 0, GiB(4));
	check_rebuild("seabios-nodisk", MAP(seabios_1g_nodisk), NULL, 0, false, 0, 0);
	check_rebuild("seabios-hinted", MAP(seabios_1g), NULL, 0, true, 0, 0);
	check_rebuild("ovmf-scanned", MAP(ovmf_1g), NULL, 0, false, 0, GiB(1));
	/* RAM, a hole or an unknown type, RAM: only the page scan sees them. */
	check_rebuild("odd", MAP(odd_merged), NULL, 0, true, MiB(200), MiB(600));
}
END_TEST

START_TEST(ranges_rebuild_same_type_hole)
{
	static const struct lb_mem_range map[] = {
		{ MiB(1), MiB(2), LB_MEM_RAM },
		{ MiB(3), MiB(4), LB_MEM_RAM },
	};
	struct fake_fw fw = { map, 2, 0 };
	struct lb_fwmap_query q = { .fn = fake_query, .ctx = &fw };
	struct lb_mem_range out[8];
	unsigned int nr;

	/* Without a scan or a hint the hole cannot be told from RAM... */
	ck_assert_int_eq(lb_fwmap_rebuild(&q, 0, GiB(1), out, 8, &nr, NULL), 0);
	ck_assert_uint_eq(nr, 1);
	ck_assert(out[0].start == MiB(1) && out[0].end == MiB(4) && out[0].type == LB_MEM_RAM);
	/* ...in the scan window it is a hole again, and a region over it is refused... */
	q.scan_start = MiB(1);
	q.scan_end = MiB(4);
	ck_assert_int_eq(lb_fwmap_rebuild(&q, 0, GiB(1), out, 8, &nr, NULL), 0);
	ck_assert_uint_eq(nr, 2);
	ck_assert(out[0].end == MiB(2) && out[1].start == MiB(3));
	ck_assert(lb_ranges_require_ram(out, nr, MiB(1), MiB(4), "r", "m", NULL) == -EINVAL);
	/* ...and so it is where the running kernel's map has the hole too. */
	q.scan_start = q.scan_end = 0;
	q.hints = map;
	q.nr_hints = 2;
	ck_assert_int_eq(lb_fwmap_rebuild(&q, 0, GiB(1), out, 8, &nr, NULL), 0);
	ck_assert_uint_eq(nr, 2);
	ck_assert(out[0].end == MiB(2) && out[1].start == MiB(3));
	/* An empty span, and a table with nothing in it. */
	ck_assert_int_eq(lb_fwmap_rebuild(&q, MiB(8), MiB(8), out, 8, &nr, NULL), 0);
	ck_assert_uint_eq(nr, 0);
	fw.nr = 0;
	q.scan_end = GiB(1);
	ck_assert_int_eq(lb_fwmap_rebuild(&q, 0, GiB(1), out, 8, &nr, NULL), 0);
	ck_assert_uint_eq(nr, 0);
}
END_TEST

/* OVMF's RAM, hole, RAM below 1 MiB: one RAM run, unless the hints cut it. */
START_TEST(ranges_rebuild_hints)
{
	/* The running kernel's map: what lb_collect_ranges() finds in iomem. */
	static const struct lb_mem_range running[] = {
		{ 0x1000, 0xa0000, LB_MEM_RAM },
		{ 0x100000, 0x800000, LB_MEM_RAM },
		{ 0x800000, 0x900000, LB_MEM_NVS },
		{ 0x900000, 0x3eea5000, LB_MEM_RAM },
		{ 0x3eea5000, 0x3ef66000, LB_MEM_RESERVED },
		{ 0x3ef66000, 0x40000000, LB_MEM_RAM },
	};
	struct fake_fw fw = { ovmf_1g, ARRAY_LEN(ovmf_1g), 0 };
	struct lb_fwmap_query q = { .fn = fake_query, .ctx = &fw };
	struct lb_mem_range out[32];
	unsigned int nr, i;

	ck_assert_int_eq(lb_fwmap_rebuild(&q, 0, 1ULL << 52, out, 32, &nr, NULL), 0);
	ck_assert_uint_eq(nr, ARRAY_LEN(ovmf_1g) - 1);
	ck_assert(out[0].start == 0 && out[0].end == 0x800000 && out[0].type == LB_MEM_RAM);
	q.hints = running;
	q.nr_hints = ARRAY_LEN(running);
	ck_assert_int_eq(lb_fwmap_rebuild(&q, 0, 1ULL << 52, out, 32, &nr, NULL), 0);
	ck_assert_uint_eq(nr, ARRAY_LEN(ovmf_1g));
	for (i = 0; i < nr; i++)
		ck_assert(out[i].start == ovmf_1g[i].start && out[i].end == ovmf_1g[i].end &&
			  out[i].type == ovmf_1g[i].type);
}
END_TEST

START_TEST(ranges_rebuild_too_many)
{
	struct fake_fw fw = { ovmf_1g, ARRAY_LEN(ovmf_1g), 0 };
	struct lb_fwmap_query q = { .fn = fake_query, .ctx = &fw };
	struct lb_mem_range out[4];
	struct lb_err err = { "" };
	unsigned int nr = 99;

	ck_assert_int_eq(lb_fwmap_rebuild(&q, 0, GiB(2), out, 4, &nr, &err), -E2BIG);
	ck_assert_uint_eq(nr, 0);
	ck_assert_str_eq(err.msg, "the firmware's memory map has more than 4 ranges");
}
END_TEST

/* A table the kernel sanitized never overlaps; one that does is refused at once. */
START_TEST(ranges_rebuild_overlap)
{
	static const struct lb_mem_range map[] = {
		{ MiB(1), MiB(512), LB_MEM_RAM },
		{ MiB(256), MiB(257), LB_MEM_ACPI },
	};
	struct fake_fw fw = { map, 2, 0 };
	struct lb_fwmap_query q = { .fn = fake_query, .ctx = &fw };
	struct lb_mem_range out[8];
	struct lb_err err = { "" };
	unsigned int nr = 99;

	ck_assert_int_eq(lb_fwmap_rebuild(&q, 0, GiB(1), out, 8, &nr, &err), -EINVAL);
	ck_assert_uint_eq(nr, 0);
	ck_assert_str_eq(err.msg, "the firmware's memory map has overlapping entries at 0x10000000");
	ck_assert_uint_lt(fw.queries, 1000);
}
END_TEST

/* Random sanitized tables, scanned throughout: rebuilt exactly. */
START_TEST(ranges_rebuild_random)
{
	static const uint32_t types[] = { 1, 1, 2, 3, 4, 5, 7, 12, 0xefffffff, 9 };
	struct lb_mem_range map[64];
	uint64_t seed = 0x2545f4914f6cdd1dULL, cur;
	unsigned int iter, nr;
	uint32_t t;

	for (iter = 0; iter < 200; iter++) {
		nr = 0;
		cur = (cap_rnd(&seed) % 16) * 4096;
		while (nr < 1 + cap_rnd(&seed) % 40 && nr < ARRAY_LEN(map)) {
			t = types[cap_rnd(&seed) % ARRAY_LEN(types)];
			/* A sanitized table merges touching ranges of one type. */
			if (nr && map[nr - 1].end == cur && map[nr - 1].type == t)
				continue;
			map[nr].start = cur;
			map[nr].end = cur + (1 + cap_rnd(&seed) % 256) * 4096;
			map[nr].type = t;
			cur = map[nr].end + (cap_rnd(&seed) % 2 ? 0 : (1 + cap_rnd(&seed) % 64) * 4096);
			nr++;
		}
		/* An unknown type next to another unknown type is one range to us. */
		{
			unsigned int i, j;
			bool mergeable = false;

			for (i = 0, j = 1; j < nr; i++, j++)
				if (map[i].end == map[j].start && known(map[i].type) == known(map[j].type))
					mergeable = true;
			if (mergeable)
				continue;
		}
		check_rebuild("random", map, nr, NULL, 0, false, 0, cur);
	}
}
END_TEST

/* The builder with a firmware map: the region, the dump, the usable ranges. */
static void build_with_fw(struct cap_build *b, struct cap_machine *cm,
			  const struct lb_mem_range *fw, unsigned int nr)
{
	uint8_t *k = cap_fake_bzimage(0x3000, (uint32_t)MiB(16));

	cm->m.fw_ranges = fw;
	cm->m.nr_fw_ranges = nr;
	cap_build(b, &cm->m, k, 0x3000, NULL, 0, "");
	free(k);
}

/* The fixture's memmap machine as its firmware saw it: the region was RAM. */
static unsigned int fw_of_memmap(struct lb_mem_range *fw)
{
	struct cap_machine cm;
	unsigned int i, n = 0;

	cap_machine_init(&cm, false);
	for (i = 0; i < cm.m.nr_ranges; i++)
		fw[n++] = cm.ranges[i];
	return n;
}

START_TEST(ranges_builder_checks)
{
	struct lb_mem_range fw[CAP_MAX_RANGES];
	struct cap_machine cm;
	struct cap_build b;
	unsigned int nr, i;

	nr = fw_of_memmap(fw);
	cap_machine_memmap(&cm, false);
	build_with_fw(&b, &cm, fw, nr);
	ck_assert_msg(b.ret == 0, "build failed: %s", b.err.msg);
	cap_build_free(&b);

	/* The region's last 8 MiB are the firmware's ACPI tables. */
	for (i = 0; fw[i].end != 0x7ffd0000; i++)
		;
	memmove(&fw[i + 2], &fw[i], (nr - i) * sizeof(fw[0]));
	fw[i].end = MiB(760);
	fw[i + 1].start = MiB(760);
	fw[i + 1].end = MiB(768);
	fw[i + 1].type = LB_MEM_ACPI;
	fw[i + 2].start = MiB(768);
	nr += 2;
	cap_machine_memmap(&cm, false);
	build_with_fw(&b, &cm, fw, nr);
	ck_assert_int_eq(b.ret, -EINVAL);
	ck_assert_str_eq(b.err.msg,
			 "the region [0x20000000, 0x30000000) overlaps [0x2f800000, 0x30000000), which is ACPI tables in the firmware's memory map");
	cap_build_free(&b);

	/* RAM this kernel has (memmap=SIZE@START) that the firmware reserved. */
	nr = fw_of_memmap(fw);
	for (i = 0; fw[i].start != GiB(4); i++)
		;
	fw[i].start = GiB(4) + MiB(1);
	memmove(&fw[i + 1], &fw[i], (nr - i) * sizeof(fw[0]));
	fw[i].start = GiB(4);
	fw[i].end = GiB(4) + MiB(1);
	fw[i].type = LB_MEM_RESERVED;
	nr++;
	cap_machine_memmap(&cm, false);
	build_with_fw(&b, &cm, fw, nr);
	ck_assert_int_eq(b.ret, -EINVAL);
	ck_assert_str_eq(b.err.msg,
			 "the dump's RAM range [0x100000000, 0x200000000) overlaps [0x100000000, 0x100100000), which is reserved in the firmware's memory map");
	cap_build_free(&b);

	/* Low RAM the capture kernel would get that the firmware reserved. */
	nr = fw_of_memmap(fw);
	memmove(&fw[1], &fw[0], nr * sizeof(fw[0]));
	fw[0].start = 0;
	fw[0].end = 0x1000;
	fw[0].type = LB_MEM_RESERVED;
	fw[1].start = 0x1000;
	nr++;
	cap_machine_crashkernel(&cm, false);
	build_with_fw(&b, &cm, fw, nr);
	ck_assert_int_eq(b.ret, -EINVAL);
	ck_assert_str_eq(b.err.msg,
			 "the capture kernel's usable range [0x0, 0x9fc00) overlaps [0x0, 0x1000), which is reserved in the firmware's memory map");
	cap_build_free(&b);

	/* A firmware map out of order is refused as such. */
	nr = fw_of_memmap(fw);
	fw[1].start = 0;
	cap_machine_crashkernel(&cm, false);
	build_with_fw(&b, &cm, fw, nr);
	ck_assert_int_eq(b.ret, -EINVAL);
	ck_assert(strstr(b.err.msg, "firmware memory range 1"));
	cap_build_free(&b);
}
END_TEST

static Suite *capture_ranges_suite(void)
{
	Suite *s = suite_create("capture_ranges");
	TCase *tc = tcase_create("ranges");

	tcase_add_loop_test(tc, ranges_find_first_offender, 0, (int)ARRAY_LEN(find_cases));
	tcase_add_test(tc, ranges_sentence);
	tcase_add_test(tc, ranges_rebuild_firmware_maps);
	tcase_add_test(tc, ranges_rebuild_same_type_hole);
	tcase_add_test(tc, ranges_rebuild_hints);
	tcase_add_test(tc, ranges_rebuild_too_many);
	tcase_add_test(tc, ranges_rebuild_overlap);
	tcase_add_test(tc, ranges_rebuild_random);
	tcase_add_test(tc, ranges_builder_checks);
	suite_add_tcase(s, tc);
	return s;
}
UNIT_SUITE(capture_ranges_suite)
