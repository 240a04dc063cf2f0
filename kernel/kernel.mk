# SPDX-License-Identifier: GPL-2.0
#
# The module is built out of tree, one folder per kernel: build/k/KVER/kmod
# gets a fresh copy of the kernel sources and of the portable image builder
# from builder/ at every build (so that kbuild writes nothing into the
# source folders and no file of an earlier build lingers), and the module
# lands in build/k/KVER/lifeboat.ko. build/lifeboat.ko is the one for the
# kernel the top Makefile picks (KVER, KDIR). A source added or deleted
# rebuilds it too (build/kmod-sources.txt, the list of sources, changes).
#
# Any kernel: make $(BUILD)/k/KVER/lifeboat.ko KVER=KVER KDIR=/its/headers
# (the path absolute, as $(BUILD) is).
#
# A build that warns fails: compiler, objtool and modpost warnings are
# printed and the module is not produced.

KMOD_SRCS := $(wildcard kernel/*.c kernel/*.h kernel/*.S kernel/Kbuild kernel/uapi/*.h)
# The image builder and what it shares with userspace (the error type).
KMOD_CAPTURE_SRCS := $(wildcard builder/lib/*.c builder/lib/*.h builder/include/lifeboat/*.h \
	common/*.c include/lifeboat/*.h)

# The names of the module's sources, rewritten only when they change: a
# deleted file's module is rebuilt without it, though no remaining source
# is newer than the module.
KMOD_LIST := $(BUILD)/kmod-sources.txt
.PHONY: lb_kmod_list_check
$(KMOD_LIST): lb_kmod_list_check
	@mkdir -p $(@D)
	@echo '$(sort $(KMOD_SRCS) $(KMOD_CAPTURE_SRCS))' | cmp -s - $@ || \
		echo '$(sort $(KMOD_SRCS) $(KMOD_CAPTURE_SRCS))' > $@

# The headers for kernel $(1): KDIR, which must be given for that kernel.
lb_kdir = $(if $(filter $(1),$(KVER)),$(KDIR),$(error $(BUILD)/k/$(1): run make with KVER=$(1) KDIR=<its headers>))

# Run kbuild's 'modules' in folder $(1) against the headers in $(2), with
# kbuild's variables $(3) if any (W=1); fail, printing them, on warnings.
# The whole output stays in $(1)/build.log.
define lb_kbuild
	@test -d $(2) || { echo "no kernel headers at '$(2)': run 'make deps'" >&2; exit 1; }
	@echo "  KBUILD  $(1) ($(2))$(if $(3), $(3))"
	@+$(MAKE) -C $(2) M=$(1) $(3) modules > $(1)/build.log 2>&1 || \
		{ cat $(1)/build.log >&2; exit 1; }
	@if grep -i 'warning:' $(1)/build.log >&2; then \
		echo "$(1): the build warned (full output: $(1)/build.log)" >&2; exit 1; fi
endef

all: $(BUILD)/lifeboat.ko

$(BUILD)/lifeboat.ko: $(BUILD)/k/$(KVER)/lifeboat.ko
	cp $< $@

# The module's source tree in folder $(1), as kbuild here and DKMS
# (kernel/dkms.mk) build it: the kernel/ files, uapi/, and the portable
# image builder with common/err.c in capture/, its headers and
# include/lifeboat/err.h in include/lifeboat/. Made anew each time, so
# it holds exactly the current sources; a copy that fails stops the build.
define lb_gather
	@rm -rf $(1)
	@mkdir -p $(1)/capture $(1)/include/lifeboat $(1)/uapi
	@cp $(filter-out kernel/uapi/%,$(filter kernel/%,$(KMOD_SRCS))) $(1)/
	@cp $(filter kernel/uapi/%,$(KMOD_SRCS)) $(1)/uapi/
	@cp $(filter builder/lib/% common/%,$(KMOD_CAPTURE_SRCS)) $(1)/capture/
	@cp $(filter builder/include/% include/%,$(KMOD_CAPTURE_SRCS)) $(1)/include/lifeboat/
endef

$(BUILD)/k/%/lifeboat.ko: $(KMOD_SRCS) $(KMOD_CAPTURE_SRCS) $(KMOD_LIST) kernel/kernel.mk
	$(call lb_gather,$(@D)/kmod)
	$(call lb_kbuild,$(@D)/kmod,$(call lb_kdir,$*))
	cp $(@D)/kmod/lifeboat.ko $@

# Into the modules of the kernel it was built for, where 'modprobe lifeboat'
# (which 'lifeboat start' runs) finds it.
.PHONY: install-module
install-module: $(BUILD)/lifeboat.ko
	install -D -m 0644 $(BUILD)/lifeboat.ko $(DESTDIR)/lib/modules/$(KVER)/updates/lifeboat.ko
	test -n "$(DESTDIR)" || depmod -a $(KVER)
