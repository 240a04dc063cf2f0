# SPDX-License-Identifier: GPL-2.0
#
# Lifeboat: `make` builds the module and the tools into build/,
# `make test` runs every test, `make demo` crashes a VM and shows the dump.
# Each folder adds its own rules through its *.mk file.

CACHE ?= /var/cache/lifeboat
BUILD := $(CURDIR)/build
PYTHON := /usr/bin/python3

# The guest kernel the tests boot: the newest linux-headers-*-amd64 installed.
KVER ?= $(shell find /usr/src -maxdepth 1 -name 'linux-headers-*-amd64' -printf '%f\n' 2>/dev/null | \
	sed 's/^linux-headers-//' | sort -V | tail -n 1)
KDIR ?= /usr/src/linux-headers-$(KVER)

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

include capture-kernel/capture-kernel.mk
include kernel/kernel.mk
include kernel/dkms.mk
include dumptools/dumptools.mk
include reserve/reserve.mk
include initramfs/initramfs.mk
include tests/tests.mk

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
