# SPDX-License-Identifier: GPL-2.0
#
# The lifeboat command and the capture-side saver.

LIFEBOAT_SRCS := $(wildcard dumptools/*.c)
LIFEBOAT_HDRS := $(wildcard dumptools/*.h) $(wildcard kernel/uapi/*.h)
LIFEBOAT_INC := -Idumptools -Ikernel/uapi
LIFEBOAT_LIBS := -lelf

all: $(BUILD)/lifeboat

$(BUILD)/lifeboat: $(LIFEBOAT_SRCS) $(LIFEBOAT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LIFEBOAT_INC) -o $@ $(LIFEBOAT_SRCS) $(LIFEBOAT_LIBS)
