# SPDX-License-Identifier: GPL-2.0
#
# The module is built out of tree in build/kmod, where the kernel sources and
# the portable image builder from capture-kernel/ are gathered, so that
# kbuild writes nothing into the source folders.

KMOD_DIR := $(BUILD)/kmod
KMOD_SRCS := $(wildcard kernel/*.c kernel/*.h kernel/*.S kernel/Kbuild kernel/uapi/*.h)
KMOD_CAPTURE_SRCS := $(wildcard capture-kernel/lib/*.c capture-kernel/lib/*.h capture-kernel/include/lifeboat/*.h)

all: $(BUILD)/lifeboat.ko

$(BUILD)/lifeboat.ko: $(KMOD_SRCS) $(KMOD_CAPTURE_SRCS) kernel/kernel.mk
	@test -d $(KDIR) || { echo "no kernel headers at '$(KDIR)': run 'make deps'" >&2; exit 1; }
	@mkdir -p $(KMOD_DIR)/capture $(KMOD_DIR)/include/lifeboat $(KMOD_DIR)/uapi
	@cp -u $(filter-out kernel/uapi/%,$(filter kernel/%,$(KMOD_SRCS))) $(KMOD_DIR)/
	@cp -u $(filter kernel/uapi/%,$(KMOD_SRCS)) $(KMOD_DIR)/uapi/
	@cp -u $(filter capture-kernel/lib/%,$(KMOD_CAPTURE_SRCS)) $(KMOD_DIR)/capture/ 2>/dev/null || true
	@cp -u $(filter capture-kernel/include/%,$(KMOD_CAPTURE_SRCS)) $(KMOD_DIR)/include/lifeboat/ 2>/dev/null || true
	$(MAKE) -C $(KDIR) M=$(KMOD_DIR) modules
	cp $(KMOD_DIR)/lifeboat.ko $@

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
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f $(filter-out kernel/Kbuild,$(KMOD_SRCS))
	@# The portable builder also builds on the host: C11's _Static_assert, the
	@# shim's uint*_t and __attribute__((format)) are what it must use there.
	$(CACHE)/linux-source/scripts/checkpatch.pl --no-tree --strict --quiet \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,CAMELCASE,PREFER_KERNEL_TYPES \
		--ignore PREFER_DEFINED_ATTRIBUTE_MACRO,MACRO_ARG_REUSE -f $(KMOD_CAPTURE_SRCS)
