# SPDX-License-Identifier: GPL-2.0
#
# The lifeboat command and the capture-side saver.
#
# dumptools/lib/ is the capture side's logic without I/O (configuration,
# dump names and pruning, free space, metadata, dmesg reading, superblocks):
# linked into the command, into the unit tests (plain and sanitized
# archives, as builder/ does) and into the fuzzers under
# dumptools/fuzz/. Its errors are the image builder's struct lb_err
# (builder/include/lifeboat/err.h, builder/lib/err.c): the
# command links libcapture.a, the saver and the fuzzers compile err.c, the
# unit tests link libcapture.a after libdumptools.a.

DT_LIB_SRCS := $(wildcard dumptools/lib/*.c)
DT_LIB_HDRS := $(wildcard dumptools/lib/*.h) builder/include/lifeboat/err.h
DT_INC := -Idumptools/lib -Ibuilder/include
DT_ERR_SRC := builder/lib/err.c

LIFEBOAT_SRCS := $(wildcard dumptools/*.c) $(DT_LIB_SRCS)
LIFEBOAT_HDRS := $(wildcard dumptools/*.h) $(DT_LIB_HDRS) $(wildcard kernel/uapi/*.h)
LIFEBOAT_INC := -Idumptools -Ikernel/uapi -Ibuilder/include
LIFEBOAT_LIBS := $(BUILD)/host/libcapture.a -lelf

all: $(BUILD)/lifeboat $(BUILD)/lifeboat-save

$(BUILD)/lifeboat: $(LIFEBOAT_SRCS) $(LIFEBOAT_HDRS) $(BUILD)/host/libcapture.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LIFEBOAT_INC) -o $@ $(LIFEBOAT_SRCS) $(LIFEBOAT_LIBS)

# The saver alone, for the capture initramfs: `lifeboat save` without the
# libraries the rest of the command links (the image stays small).
SAVER_SRCS := dumptools/saver/main.c dumptools/cmd_save.c dumptools/cmdutil.c dumptools/sys.c \
	dumptools/target.c dumptools/vmcore.c $(DT_LIB_SRCS) $(DT_ERR_SRC)

$(BUILD)/lifeboat-save: $(SAVER_SRCS) $(wildcard dumptools/*.h) $(DT_LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Idumptools -Ibuilder/include -Wl,--strip-debug -o $@ $(SAVER_SRCS) -lelf

DT_OBJS := $(patsubst dumptools/lib/%.c,$(BUILD)/host/dumptools/%.o,$(DT_LIB_SRCS))
DT_SAN_OBJS := $(patsubst dumptools/lib/%.c,$(BUILD)/san/dumptools/%.o,$(DT_LIB_SRCS))

$(BUILD)/host/dumptools/%.o: dumptools/lib/%.c $(DT_LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DT_INC) -c -o $@ $<

$(BUILD)/san/dumptools/%.o: dumptools/lib/%.c $(DT_LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(DT_INC) -c -o $@ $<

$(BUILD)/host/libdumptools.a: $(DT_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/san/libdumptools.a: $(DT_SAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

# Fuzzers for the parsers of outside input: the configuration file, and what
# `lifeboat report` and the saver read from a dead kernel (dmesg, metadata,
# VMCOREINFO, makedumpfile's output). tests/run-all.sh runs every build/fuzz/*.
DT_FUZZ_SRCS := $(wildcard dumptools/fuzz/*.c)
DT_FUZZERS := $(patsubst dumptools/fuzz/%.c,$(BUILD)/fuzz/%,$(DT_FUZZ_SRCS))

$(DT_FUZZERS): $(BUILD)/fuzz/%: dumptools/fuzz/%.c $(DT_LIB_SRCS) $(DT_LIB_HDRS) $(DT_ERR_SRC)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) $(DT_INC) -o $@ $< $(DT_LIB_SRCS) $(DT_ERR_SRC)

fuzzers: $(DT_FUZZERS)

# Installs the command, the capture initramfs' builder and /init, the unit
# and an example configuration under DESTDIR (the VM tests build their
# guest's root filesystem with it).
PREFIX ?= /usr
.PHONY: install-dumptools
install-dumptools: $(BUILD)/lifeboat $(BUILD)/lifeboat-save
	install -D -m 0755 $(BUILD)/lifeboat $(DESTDIR)$(PREFIX)/sbin/lifeboat
	install -D -m 0755 $(BUILD)/lifeboat-save $(DESTDIR)$(PREFIX)/lib/lifeboat/lifeboat-save
	install -D -m 0755 initramfs/lb-initramfs $(DESTDIR)$(PREFIX)/lib/lifeboat/lb-initramfs
	install -D -m 0755 initramfs/capture-init $(DESTDIR)$(PREFIX)/lib/lifeboat/capture-init
	install -D -m 0644 dumptools/systemd/lifeboat.service \
		$(DESTDIR)/lib/systemd/system/lifeboat.service
	install -D -m 0644 dumptools/README.md $(DESTDIR)$(PREFIX)/share/doc/lifeboat/capture-side.md
	test -e $(DESTDIR)/etc/lifeboat.conf || \
		install -D -m 0644 dumptools/lifeboat.conf $(DESTDIR)/etc/lifeboat.conf
	install -d -m 0755 $(DESTDIR)/var/lib/lifeboat $(DESTDIR)/var/crash
