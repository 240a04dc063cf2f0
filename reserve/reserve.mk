# SPDX-License-Identifier: GPL-2.0
#
# Sizing and boot-parameter helpers: `lifeboat estimate` and `lifeboat
# reserve`. reserve/*.c but cmd_*.c is a library without process I/O (the
# parsers, the initramfs walker, the arithmetic, the GRUB drop-in), linked
# into the lifeboat command, the unit tests and the fuzzers; cmd_*.c are
# the two subcommands. The image builder (builder/lib, as
# build/host/libcapture.a) reads the kernel header and sizes the metadata
# block for them. Files are read with dumptools/lib's lb_read_file(). The
# initramfs walker needs zlib, liblzma and libzstd.
#
# This file is included after dumptools/dumptools.mk and before
# tests/tests.mk: it appends to the lifeboat command's variables, and adds
# its library to the unit-test binaries with target-specific values (the
# unit rules expand UNIT_LIBS and ALL_CFLAGS when they run).

RESERVE_LIB_SRCS := $(filter-out reserve/cmd_%.c,$(wildcard reserve/*.c))
RESERVE_CMD_SRCS := $(wildcard reserve/cmd_*.c)
RESERVE_HDRS := $(wildcard reserve/*.h)
RESERVE_INC := -Ireserve -Idumptools/lib
# What the library uses of dumptools/lib (the fuzzers compile it).
RESERVE_DT_SRCS := dumptools/lib/readfile.c
RESERVE_LIBS := -lz -llzma -lzstd

# The lifeboat command (rule in dumptools/dumptools.mk).
LIFEBOAT_SRCS += $(RESERVE_LIB_SRCS) $(RESERVE_CMD_SRCS)
# The command links libcapture.a already (dumptools/dumptools.mk).
LIFEBOAT_INC += $(RESERVE_INC) -Ibuilder/lib
LIFEBOAT_LIBS += $(RESERVE_LIBS)
$(BUILD)/lifeboat: $(RESERVE_LIB_SRCS) $(RESERVE_CMD_SRCS) $(RESERVE_HDRS)

RESERVE_OBJS := $(patsubst reserve/%.c,$(BUILD)/host/reserve/%.o,$(RESERVE_LIB_SRCS))
RESERVE_SAN_OBJS := $(patsubst reserve/%.c,$(BUILD)/san/reserve/%.o,$(RESERVE_LIB_SRCS))

$(BUILD)/host/reserve/%.o: reserve/%.c $(RESERVE_HDRS) $(CAPTURE_HDRS) $(DT_LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(RESERVE_INC) $(CAPTURE_INC) -c -o $@ $<

$(BUILD)/san/reserve/%.o: reserve/%.c $(RESERVE_HDRS) $(CAPTURE_HDRS) $(DT_LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(RESERVE_INC) $(CAPTURE_INC) -c -o $@ $<

$(BUILD)/host/libreserve.a: $(RESERVE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/san/libreserve.a: $(RESERVE_SAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

# The unit tests (tests/unit/test_reserve_*.c). libdumptools and libcapture
# come again after libreserve, which needs them.
$(BUILD)/tests/unit: $(BUILD)/host/libreserve.a $(RESERVE_HDRS)
$(BUILD)/tests/unit: UNIT_LIBS += $(BUILD)/host/libreserve.a $(BUILD)/host/libdumptools.a \
	$(BUILD)/host/libcapture.a $(RESERVE_LIBS)
$(BUILD)/tests/unit: ALL_CFLAGS += $(RESERVE_INC)
$(BUILD)/tests/unit-san: $(BUILD)/san/libreserve.a $(RESERVE_HDRS)
$(BUILD)/tests/unit-san: UNIT_LIBS += $(BUILD)/san/libreserve.a $(BUILD)/san/libdumptools.a \
	$(BUILD)/san/libcapture.a $(RESERVE_LIBS)
$(BUILD)/tests/unit-san: ALL_CFLAGS += $(RESERVE_INC)

# Fuzzers for the parsers of outside input: /proc/iomem, the command line,
# the region attribute, CPU lists and sizes (fuzz_reserve_text), and the
# initramfs walker with its decompressors (fuzz_reserve_initrd).
# tests/run-all.sh runs every build/fuzz/*.
RESERVE_FUZZ_SRCS := $(wildcard reserve/fuzz/*.c)
RESERVE_FUZZERS := $(patsubst reserve/fuzz/%.c,$(BUILD)/fuzz/%,$(RESERVE_FUZZ_SRCS))

$(RESERVE_FUZZERS): $(BUILD)/fuzz/%: reserve/fuzz/%.c $(RESERVE_LIB_SRCS) $(RESERVE_HDRS) $(CAPTURE_SRCS) $(CAPTURE_HDRS) $(RESERVE_DT_SRCS) $(DT_LIB_HDRS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) $(RESERVE_INC) $(CAPTURE_INC) -o $@ $< $(RESERVE_LIB_SRCS) $(RESERVE_DT_SRCS) $(CAPTURE_SRCS) $(RESERVE_LIBS)

fuzzers: $(RESERVE_FUZZERS)
