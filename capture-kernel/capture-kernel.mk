# SPDX-License-Identifier: GPL-2.0
#
# The portable image builder, built for the host twice (plain and with
# AddressSanitizer + UndefinedBehaviorSanitizer) for the unit tests, and once
# with libFuzzer for the fuzzers. The module builds the same sources itself.

CAPTURE_SRCS := $(wildcard capture-kernel/lib/*.c)
CAPTURE_HDRS := $(wildcard capture-kernel/include/lifeboat/*.h capture-kernel/lib/*.h)
CAPTURE_INC := -Icapture-kernel/include -Icapture-kernel/lib

CAPTURE_OBJS := $(patsubst capture-kernel/lib/%.c,$(BUILD)/host/capture/%.o,$(CAPTURE_SRCS))
CAPTURE_SAN_OBJS := $(patsubst capture-kernel/lib/%.c,$(BUILD)/san/capture/%.o,$(CAPTURE_SRCS))

$(BUILD)/host/capture/%.o: capture-kernel/lib/%.c $(CAPTURE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CAPTURE_INC) -c -o $@ $<

$(BUILD)/san/capture/%.o: capture-kernel/lib/%.c $(CAPTURE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(CAPTURE_INC) -c -o $@ $<

$(BUILD)/host/libcapture.a: $(CAPTURE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/san/libcapture.a: $(CAPTURE_SAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

# Fuzzers: one per parser that takes outside input.
FUZZ_SRCS := $(wildcard capture-kernel/fuzz/*.c)
FUZZERS := $(patsubst capture-kernel/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

$(BUILD)/fuzz/%: capture-kernel/fuzz/%.c $(CAPTURE_SRCS) $(CAPTURE_HDRS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) $(CAPTURE_INC) -o $@ $< $(CAPTURE_SRCS)

.PHONY: fuzzers
fuzzers: $(FUZZERS)
