# SPDX-License-Identifier: GPL-2.0
#
# machine/: the thin layer that touches this machine (files, processes,
# sysfs, the dump target, /proc/vmcore through libelf, the fast reboot's
# files and requests in reboot.c), a library
# (libmachine.a) over lib/.

MACHINE_SRCS := $(wildcard machine/*.c)
MACHINE_INC := -Imachine -Ikernel/uapi $(LIB_INC)
MACHINE_LDLIBS := -lelf $(LIB_LDLIBS)

$(call lb_library,machine,$(MACHINE_SRCS),$(MACHINE_INC))

# The reader of /proc/vmcore takes what a crashed machine left.
$(foreach f,$(wildcard machine/fuzz/*.c),\
	$(call lb_fuzzer,$(f),machine lifeboat builder common,$(MACHINE_INC),$(MACHINE_LDLIBS)))
