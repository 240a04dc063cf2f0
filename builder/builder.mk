# SPDX-License-Identifier: GPL-2.0
#
# The portable image builder, built for the host twice (plain and with
# AddressSanitizer + UndefinedBehaviorSanitizer) for the unit tests, and once
# with libFuzzer for the fuzzers. The module builds the same sources itself.

CAPTURE_SRCS := $(wildcard builder/lib/*.c)
CAPTURE_HDRS := $(wildcard builder/include/lifeboat/*.h builder/lib/*.h)
CAPTURE_INC := -Ibuilder/include -Ibuilder/lib

CAPTURE_OBJS := $(patsubst builder/lib/%.c,$(BUILD)/host/capture/%.o,$(CAPTURE_SRCS))
CAPTURE_SAN_OBJS := $(patsubst builder/lib/%.c,$(BUILD)/san/capture/%.o,$(CAPTURE_SRCS))

$(BUILD)/host/capture/%.o: builder/lib/%.c $(CAPTURE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CAPTURE_INC) -c -o $@ $<

$(BUILD)/san/capture/%.o: builder/lib/%.c $(CAPTURE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(CAPTURE_INC) -c -o $@ $<

$(BUILD)/host/libcapture.a: $(CAPTURE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/san/libcapture.a: $(CAPTURE_SAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

# Fuzzers: one per parser that takes outside input.
FUZZ_SRCS := $(wildcard builder/fuzz/*.c)
FUZZERS := $(patsubst builder/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

$(BUILD)/fuzz/%: builder/fuzz/%.c $(CAPTURE_SRCS) $(CAPTURE_HDRS)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) $(CAPTURE_INC) -o $@ $< $(CAPTURE_SRCS)

.PHONY: fuzzers
fuzzers: $(FUZZERS)
