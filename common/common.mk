# SPDX-License-Identifier: GPL-2.0
#
# common/: what every layer shares, the module included: lb_err_set() for
# the error type of include/lifeboat/err.h. On the host it is libcommon.a,
# linked last; the module gets common/*.c gathered beside the builder
# (kernel/kernel.mk).

COMMON_SRCS := $(wildcard common/*.c)
COMMON_INC := -Iinclude

$(call lb_library,common,$(COMMON_SRCS),$(COMMON_INC))
