# SPDX-License-Identifier: GPL-2.0
#
# Lifeboat: `make` builds the module and the tools into build/,
# `make test` runs every test, `make demo` crashes a VM and shows the dump.
# Each folder adds its own rules through its *.mk file.

CACHE ?= /var/cache/lifeboat
BUILD := $(CURDIR)/build
PYTHON := /usr/bin/python3

# The kernel the module is built for by default: the first kernel of
# tests/kernels.txt, pinned by release and unpacked by `make deps` (its paths
# are in $(CACHE)/env.mk); without that, the running kernel. KVER= and KDIR=
# on the command line choose another.
-include $(CACHE)/env.mk
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

.PHONY: all deps test test-unit test-vm demo bench clean check style install
all:

include builder/builder.mk
include kernel/kernel.mk
include kernel/dkms.mk
include dumptools/dumptools.mk
include reserve/reserve.mk
include initramfs/initramfs.mk
include tests/tests.mk
include check.mk

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
		kdir=$$(sed -n 's/^KDIR := //p' $(CACHE)/kernels/$$k/env.mk); \
		test -n "$$kdir" || { echo "kernel $$k is not unpacked: run 'make deps'" >&2; exit 1; }; \
		$(MAKE) --no-print-directory KVER=$$k KDIR=$$kdir \
			$(BUILD)/k/$$k/lifeboat.ko $(BUILD)/k/$$k/crasher.ko || exit 1; \
	done

.PHONY: print-test-kvers
print-test-kvers:
	@for k in $(TEST_KVERS); do echo $$k; done
