# SPDX-License-Identifier: GPL-2.0
#
# make test: dependencies, build, host unit tests (plain and under
# ASan+UBSan), fuzzers for a short while, kernel style, then the VM tests.
# tests/run-all.sh runs the stages and prints the closing tally.

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_HDRS := $(wildcard tests/unit/*.h)
UNIT_LIBS := $(shell pkg-config --libs check libelf 2>/dev/null)

$(BUILD)/tests/unit: $(UNIT_SRCS) $(UNIT_HDRS) $(BUILD)/host/libcapture.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CAPTURE_INC) -Itests/unit -o $@ $(UNIT_SRCS) $(BUILD)/host/libcapture.a $(UNIT_LIBS)

$(BUILD)/tests/unit-san: $(UNIT_SRCS) $(UNIT_HDRS) $(BUILD)/san/libcapture.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) $(CAPTURE_INC) -Itests/unit -o $@ $(UNIT_SRCS) $(BUILD)/san/libcapture.a $(UNIT_LIBS)

.PHONY: unit-bins
unit-bins: $(BUILD)/tests/unit $(BUILD)/tests/unit-san

test: deps
	$(MAKE) all unit-bins fuzzers
	tests/run-all.sh

# Only the host tests, for a quick loop while developing.
test-unit: unit-bins
	CK_FORK=yes $(BUILD)/tests/unit
	CK_FORK=no $(BUILD)/tests/unit-san

demo: deps
	$(MAKE) all
	$(PYTHON) tests/vm/demo.py
