# SPDX-License-Identifier: GPL-2.0
#
# make test: dependencies, build, host unit tests (plain and under
# ASan+UBSan), fuzzers for a short while, kernel style, then the VM tests.
# tests/run-all.sh runs the stages and prints the closing tally.

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_INC := -Itests/unit $(MACHINE_INC) $(shell pkg-config --cflags check 2>/dev/null)
UNIT_LDLIBS := $(shell pkg-config --libs check 2>/dev/null) $(MACHINE_LDLIBS)
# Every layer, in link order: the tests call each directly.
lb_unit_archives = $(foreach l,machine lifeboat builder common,$(BUILD)/$(1)/lib$(l).a)

$(eval $(call lb_objects,host,$(UNIT_SRCS),$(UNIT_INC)))
$(eval $(call lb_objects,san,$(UNIT_SRCS),$(UNIT_INC)))

$(BUILD)/tests/unit: $(call lb_objs,host,$(UNIT_SRCS)) $(call lb_unit_archives,host)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(UNIT_LDLIBS)

$(BUILD)/tests/unit-san: $(call lb_objs,san,$(UNIT_SRCS)) $(call lb_unit_archives,san)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(UNIT_LDLIBS)

.PHONY: unit-bins
unit-bins: $(BUILD)/tests/unit $(BUILD)/tests/unit-san

# The crasher module the VM tests kill their guests with, built like the
# module itself (kernel/kernel.mk): for kernel KVER from a fresh copy in
# build/k/KVER/crasher-kmod into build/k/KVER/crasher.ko, failing on any
# warning; build/crasher.ko is the default kernel's.
CRASHER_SRCS := $(wildcard tests/crasher/*.c tests/crasher/Kbuild)

$(BUILD)/crasher.ko: $(BUILD)/k/$(KVER)/crasher.ko
	cp $< $@

$(BUILD)/k/%/crasher.ko: $(CRASHER_SRCS) tests/tests.mk kernel/kernel.mk
	@rm -rf $(@D)/crasher-kmod
	@mkdir -p $(@D)/crasher-kmod
	@cp $(CRASHER_SRCS) $(@D)/crasher-kmod/
	$(call lb_kbuild,$(@D)/crasher-kmod,$(call lb_kdir,$*))
	cp $(@D)/crasher-kmod/crasher.ko $@

# What the VM tests need beyond `make all`.
.PHONY: vm-bins check-crasher
vm-bins: $(BUILD)/crasher.ko

# AVOID_BUG is ignored: calling BUG() is what the crasher is for.
check-kernel: check-crasher
check-crasher:
	$(CACHE)/linux-source/scripts/checkpatch.pl --no-tree --strict --quiet \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,AVOID_BUG -f $(filter-out tests/crasher/Kbuild,$(CRASHER_SRCS))

test: deps
	$(MAKE) all unit-bins vm-bins modules-all fuzzers capture-kernel
	tests/run-all.sh

# Only the host tests, for a quick loop while developing. The bzImage tests
# read the guest kernel that tests/deps.sh cached.
test-unit: unit-bins
	@test -n "$(KVMLINUZ)" || { echo "no KVMLINUZ in $(LB_ENV): run 'make deps'" >&2; exit 1; }
	LIFEBOAT_KVMLINUZ=$(KVMLINUZ) CK_FORK=yes $(BUILD)/tests/unit
	LIFEBOAT_KVMLINUZ=$(KVMLINUZ) CK_FORK=no $(BUILD)/tests/unit-san

demo: deps
	$(MAKE) all
	$(PYTHON) tests/vm/demo.py

# The whole matrix: every kernel of tests/kernels.txt (the rt and cloud
# flavours too) under SeaBIOS and OVMF, with the death scenarios
# (tests/vm/test_platforms.py MATRIX) and the planned fast reboot
# (tests/vm/test_fast_reboot.py MATRIX). Not part of `make test`: it takes
# hours under TCG.
.PHONY: test-kernels
test-kernels:
	LIFEBOAT_KERNELS=all tests/deps.sh
	$(MAKE) all vm-bins
	$(MAKE) modules-all LIFEBOAT_KERNELS=all
	LIFEBOAT_MATRIX=1 $(PYTHON) tests/vm/run.py -k test_platforms -k test_concurrency_612 -k test_fast_reboot

# The whole VM suite with Lifeboat's own capture kernel in place of the
# stock one wherever Lifeboat's chains load a capture kernel (make test runs
# tests/vm/test_capture_kernel.py's share of it). Not part of `make test`.
.PHONY: test-capture-kernel
test-capture-kernel: deps
	$(MAKE) all vm-bins modules-all capture-kernel
	LIFEBOAT_CAPTURE_KERNEL=lifeboat $(PYTHON) tests/vm/run.py

# The long unattended soak: SOAK_CYCLES crash cycles (default 20) through the
# boot unit, every dump checked (tests/vm/soak.py). Not part of `make test`.
# SOAK_FAST_RETURN=1: final_action = fast-reboot, every cycle back without
# the firmware.
SOAK_CYCLES ?= 20
SOAK_FAST_RETURN ?= 0
.PHONY: soak
soak: deps
	$(MAKE) all vm-bins modules-all
	SOAK_CYCLES=$(SOAK_CYCLES) SOAK_FAST_RETURN=$(SOAK_FAST_RETURN) $(PYTHON) tests/vm/soak.py
