# SPDX-License-Identifier: GPL-2.0
#
# Lifeboat: `make` builds the module and the tools into build/,
# `make test` runs every test, `make demo` crashes a VM and shows the dump.
# Each folder adds its own rules through its *.mk file.

CACHE ?= /var/cache/lifeboat
BUILD := $(CURDIR)/build
PYTHON := /usr/bin/python3

# The kernel the module is built for by default: the first kernel of
# tests/kernels.txt, pinned by release and unpacked by `make deps`, whose
# paths (KVER, KDIR, KVMLINUZ...) `make deps` writes to $(CACHE)/env.mk;
# without that, the running kernel. KVER= and KDIR= on the command line
# choose another; LB_ENV=$(CACHE)/kernels/RELEASE/env.mk another unpacked
# kernel (modules-all does). That file is read here and nowhere else:
# scripts ask `make -s print-env` for its NAME=value lines.
LB_ENV ?= $(CACHE)/env.mk
LB_VARS_BEFORE := $(.VARIABLES)
-include $(LB_ENV)
LB_ENV_VARS := $(sort KVER KDIR $(filter-out $(LB_VARS_BEFORE) LB_VARS_BEFORE,$(.VARIABLES)))
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

# Every kernel `make test` covers (tests/kernels.txt, set "test"); the whole
# matrix with LIFEBOAT_KERNELS=all.
LIFEBOAT_KERNELS ?= test
TEST_KVERS = $(shell awk -v set=$(LIFEBOAT_KERNELS) '!/^\#/ && NF >= 4 && (set == "all" || $$3 == set) { print $$2 }' tests/kernels.txt)

CC := gcc
WARN := -Wall -Wextra -Werror -Wshadow -Wvla -Wformat=2 -Wformat-security \
	-Wimplicit-fallthrough -Wmissing-prototypes -Wstrict-prototypes \
	-Wpointer-arith -Wwrite-strings -fno-common
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=address,undefined \
	-fno-omit-frame-pointer
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined

.PHONY: all deps test test-unit demo bench clean check install fuzzers print-fuzzers print-env
all:

# Host code is built three ways, each into its own tree: plain (build/host:
# the commands and the unit tests), with ASan+UBSan (build/san: the unit
# tests again) and instrumented for libFuzzer (build/libfuzzer: the
# fuzzers). A source file foo/bar.c becomes build/VARIANT/foo/bar.o, with
# its header dependencies in bar.d beside it; the include flags are the
# object's LB_INC, set by the rules that name it (lb_library, lb_fuzzer).
LB_VARIANTS := host san libfuzzer
host_CC = $(CC)
host_CFLAGS = $(ALL_CFLAGS)
san_CC = $(CC)
san_CFLAGS = $(ALL_CFLAGS) $(SAN_FLAGS)
libfuzzer_CC = clang
libfuzzer_CFLAGS = $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link
LB_DEPFILES :=

define lb_variant_rule
$(BUILD)/$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$$($(1)_CC) $$($(1)_CFLAGS) -MMD -MP $$(LB_INC) -c -o $$@ $$<
endef
$(foreach v,$(LB_VARIANTS),$(eval $(call lb_variant_rule,$(v))))

# lb_objs VARIANT, SOURCES: their objects in that variant's tree.
lb_objs = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

# Objects $(2) of variant $(1) compile with include flags $(3).
define lb_objects
$(call lb_objs,$(1),$(2)): LB_INC := $(3)
LB_DEPFILES += $(patsubst %.c,$(BUILD)/$(1)/%.d,$(2))
endef

define lb_archive
$(BUILD)/$(2)/lib$(1).a: $(call lb_objs,$(2),$(3))
	@rm -f $$@
	ar rcs $$@ $$^
$(call lb_objects,$(2),$(3),$(4))
endef

# lb_library NAME, SOURCES, INCLUDES: build/VARIANT/libNAME.a for every variant.
lb_library = $(foreach v,$(LB_VARIANTS),$(eval $(call lb_archive,$(1),$(v),$(2),$(3))))

# lb_fuzzer HARNESS, LIBRARIES, INCLUDES, LDLIBS: build/fuzz/NAME, a libFuzzer
# binary from the harness NAME.c and the libFuzzer variant of the libraries
# (in link order). tests/run-all.sh runs every build/fuzz/*; `make -s
# print-fuzzers` lists them.
define lb_fuzzer_rules
FUZZERS += $(BUILD)/fuzz/$(basename $(notdir $(1)))
$(BUILD)/fuzz/$(basename $(notdir $(1))): $(call lb_objs,libfuzzer,$(1)) \
		$(foreach l,$(2),$(BUILD)/libfuzzer/lib$(l).a)
	@mkdir -p $$(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $$@ $$^ $(4)
$(call lb_objects,libfuzzer,$(1),$(3))
endef
lb_fuzzer = $(eval $(call lb_fuzzer_rules,$(1),$(2),$(3),$(4)))
FUZZERS :=

# Userspace in layers, each a folder and a library, each using only those
# below it: cmd/ (the commands) -> machine/ (files, processes, sysfs, the
# dump target) -> lib/ (pure logic) -> builder/ (the image builder) ->
# common/ (the error type, include/lifeboat/err.h).
include common/common.mk
include builder/builder.mk
include lib/lib.mk
include machine/machine.mk
include cmd/cmd.mk
include capture-kernel/capture-kernel.mk
include kernel/kernel.mk
include kernel/dkms.mk
include initramfs/initramfs.mk
include tests/tests.mk
include check.mk

fuzzers: $(FUZZERS)

# The fuzzers `make fuzzers` builds, one path a line.
print-fuzzers:
	@printf '%s\n' $(FUZZERS)

# What $(LB_ENV) says, as NAME=value lines a shell can read.
print-env:
	@$(foreach v,$(LB_ENV_VARS),printf '%s=%s\n' '$(v)' '$($(v))';)

deps:
	@tests/deps.sh

# Figures side by side with Linux's own kdump, in the same run (tests/vm/bench_*.py).
BENCH_RUNS ?= 3
bench: deps
	$(MAKE) all
	@for b in tests/vm/bench_*.py; do $(PYTHON) $$b --runs $(BENCH_RUNS) || exit 1; done

# The module, the command, the capture side's files, the unit and the
# example configuration (kept if one exists).
install: install-module install-dumptools

clean:
	rm -rf $(BUILD)

# The module and the crasher for every kernel `make test` covers, each into
# build/k/<release>/ (kernel/kernel.mk, tests/tests.mk).
.PHONY: modules-all
modules-all:
	@for k in $(TEST_KVERS); do \
		test -f $(CACHE)/kernels/$$k/env.mk || { echo "kernel $$k is not unpacked: run 'make deps'" >&2; exit 1; }; \
		$(MAKE) --no-print-directory LB_ENV=$(CACHE)/kernels/$$k/env.mk \
			$(BUILD)/k/$$k/lifeboat.ko $(BUILD)/k/$$k/crasher.ko || exit 1; \
	done

.PHONY: print-test-kvers
print-test-kvers:
	@for k in $(TEST_KVERS); do echo $$k; done

-include $(LB_DEPFILES)
