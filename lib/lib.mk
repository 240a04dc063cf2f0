# SPDX-License-Identifier: GPL-2.0
#
# lib/: userspace logic that touches no file and no process (see
# README.md), a library (liblifeboat.a) over the image builder. The
# initramfs walker and the kernel unpacker need zlib, liblzma and libzstd,
# the unpacker libelf.

LIB_SRCS := $(wildcard lib/*.c)
LIB_INC := -Ilib $(BUILDER_INC)
LIB_LDLIBS := -lelf -lz -llzma -lzstd

$(call lb_library,lifeboat,$(LIB_SRCS),$(LIB_INC))

# Fuzzers for the parsers of outside input: the configuration file, what
# `lifeboat report` and the saver read from a dead kernel (dmesg, metadata,
# VMCOREINFO, makedumpfile's output), /proc/iomem, the command line, the
# region attribute, CPU lists and sizes, the initramfs walker, and the fast
# reboot's text (its memory map file, /etc/default/kexec, /sys/firmware/memmap,
# the module's fast_reboot attribute).
$(foreach f,$(wildcard lib/fuzz/*.c),$(call lb_fuzzer,$(f),lifeboat builder common,$(LIB_INC),$(LIB_LDLIBS)))
