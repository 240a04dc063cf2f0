# SPDX-License-Identifier: GPL-2.0
#
# The portable image builder, as a host library (the Makefile's
# lb_library: plain, sanitized and for libFuzzer) for the command, the unit
# tests and the fuzzers. The module builds the same sources itself
# (kernel/kernel.mk).

BUILDER_SRCS := $(wildcard builder/lib/*.c)
BUILDER_INC := -Ibuilder/include -Ibuilder/lib $(COMMON_INC)

$(call lb_library,builder,$(BUILDER_SRCS),$(BUILDER_INC))

# Fuzzers: one per parser that takes outside input.
$(foreach f,$(wildcard builder/fuzz/*.c),$(call lb_fuzzer,$(f),builder common,$(BUILDER_INC)))
