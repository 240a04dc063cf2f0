# SPDX-License-Identifier: GPL-2.0
#
# The module is built out of tree, one folder per kernel: build/k/KVER/kmod
# gets a fresh copy of the kernel sources and of the portable image builder
# from builder/ at every build (so that kbuild writes nothing into the
# source folders and no file of an earlier build lingers), and the module
# lands in build/k/KVER/lifeboat.ko. build/lifeboat.ko is the one for the
# kernel the top Makefile picks (KVER, KDIR).
#
# Any kernel: make $(BUILD)/k/KVER/lifeboat.ko KVER=KVER KDIR=/its/headers
# (the path absolute, as $(BUILD) is).
#
# A build that warns fails: compiler, objtool and modpost warnings are
# printed and the module is not produced.

KMOD_SRCS := $(wildcard kernel/*.c kernel/*.h kernel/*.S kernel/Kbuild kernel/uapi/*.h)
KMOD_CAPTURE_SRCS := $(wildcard builder/lib/*.c builder/lib/*.h builder/include/lifeboat/*.h)

# The headers for kernel $(1): KDIR, which must be given for that kernel.
lb_kdir = $(if $(filter $(1),$(KVER)),$(KDIR),$(error $(BUILD)/k/$(1): run make with KVER=$(1) KDIR=<its headers>))

# Run kbuild's 'modules' in folder $(1) against the headers in $(2); fail,
# printing them, on warnings. The whole output stays in $(1)/build.log.
define lb_kbuild
	@test -d $(2) || { echo "no kernel headers at '$(2)': run 'make deps'" >&2; exit 1; }
	@echo "  KBUILD  $(1) ($(2))"
	@$(MAKE) -C $(2) M=$(1) modules > $(1)/build.log 2>&1 || \
		{ cat $(1)/build.log >&2; exit 1; }
	@if grep -i 'warning:' $(1)/build.log >&2; then \
		echo "$(1): the build warned (full output: $(1)/build.log)" >&2; exit 1; fi
endef

all: $(BUILD)/lifeboat.ko

$(BUILD)/lifeboat.ko: $(BUILD)/k/$(KVER)/lifeboat.ko
	cp $< $@

# The module's source tree in folder $(1), as kbuild here and DKMS
# (kernel/dkms.mk) build it: the kernel/ files, uapi/, and the portable
# image builder in capture/ and include/lifeboat/. Made anew each time.
define lb_gather
	@rm -rf $(1)
	@mkdir -p $(1)/capture $(1)/include/lifeboat $(1)/uapi
	@cp $(filter-out kernel/uapi/%,$(filter kernel/%,$(KMOD_SRCS))) $(1)/
	@cp $(filter kernel/uapi/%,$(KMOD_SRCS)) $(1)/uapi/
	@cp $(filter builder/lib/%,$(KMOD_CAPTURE_SRCS)) $(1)/capture/
	@cp $(filter builder/include/%,$(KMOD_CAPTURE_SRCS)) $(1)/include/lifeboat/
endef

$(BUILD)/k/%/lifeboat.ko: $(KMOD_SRCS) $(KMOD_CAPTURE_SRCS) kernel/kernel.mk
	$(call lb_gather,$(@D)/kmod)
	$(call lb_kbuild,$(@D)/kmod,$(call lb_kdir,$*))
	cp $(@D)/kmod/lifeboat.ko $@

# Into the modules of the kernel it was built for, where 'modprobe lifeboat'
# (which 'lifeboat start' runs) finds it.
.PHONY: install-module
install-module: $(BUILD)/lifeboat.ko
	install -D -m 0644 $(BUILD)/lifeboat.ko $(DESTDIR)/lib/modules/$(KVER)/updates/lifeboat.ko
	test -n "$(DESTDIR)" || depmod -a $(KVER)

# Kernel coding style, with the checkpatch.pl of the same kernel series.
check: check-kernel
.PHONY: check-kernel
check-kernel:
	$(CACHE)/linux-source/scripts/checkpatch.pl --no-tree --strict --quiet \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f $(filter-out kernel/Kbuild kernel/compat.h,$(KMOD_SRCS))
	@# compat.h alone asks which kernel it is (checkpatch also takes
	@# LINUX_VERSION_CODE for a constant on the wrong side of a comparison).
	$(CACHE)/linux-source/scripts/checkpatch.pl --no-tree --strict --quiet \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,LINUX_VERSION_CODE,CONSTANT_COMPARISON -f kernel/compat.h
	@if grep -n LINUX_VERSION_CODE $(filter-out kernel/Kbuild kernel/compat.h,$(KMOD_SRCS)); then \
		echo "only kernel/compat.h may test LINUX_VERSION_CODE" >&2; exit 1; fi
	@# The portable builder also builds on the host: C11's _Static_assert, the
	@# shim's uint*_t and __attribute__((format)) are what it must use there.
	$(CACHE)/linux-source/scripts/checkpatch.pl --no-tree --strict --quiet \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,CAMELCASE,PREFER_KERNEL_TYPES \
		--ignore PREFER_DEFINED_ATTRIBUTE_MACRO,MACRO_ARG_REUSE -f $(KMOD_CAPTURE_SRCS)
