# SPDX-License-Identifier: GPL-2.0
#
# make check: every static check, each run for real and failing on what it
# finds; a missing tool or script fails too.
#
#   check-kernel      kernel coding style: checkpatch.pl --strict on the
#                     module, the portable builder and the crasher
#                     (tests/tests.mk); only kernel/compat.h may ask which
#                     kernel it is
#   check-kernel-doc  kernel-doc on the module's and the builder's sources,
#                     warnings as errors
#   check-w1          the module built with W=1 for every kernel `make test`
#                     covers, from a fresh tree (build/k/RELEASE/kmod-w1);
#                     any warning fails, as in the normal build
#   check-shell       shellcheck on the shell scripts
#   check-design      every file:function docs/design.md names exists
#
# checkpatch.pl and kernel-doc come from the kernel source of the default
# kernel's series, which `make deps` unpacks into $(CACHE)/linux-source.

KSCRIPTS := $(CACHE)/linux-source/scripts
CHECKPATCH := $(KSCRIPTS)/checkpatch.pl --no-tree --strict --quiet
# The module's and the builder's C sources and headers.
CHECK_C_SRCS = $(filter %.c %.h,$(KMOD_SRCS) $(KMOD_CAPTURE_SRCS))
# Every shell script of the project.
SHELL_SCRIPTS := tests/deps.sh tests/run-all.sh initramfs/lb-initramfs \
	initramfs/capture-init .ci/run tests/dkms-build.sh kernel/dkms-install.sh \
	capture-kernel/build.sh

.PHONY: check check-kernel check-kernel-doc check-w1 check-w1-one check-shell check-design
check: check-kernel check-kernel-doc check-w1 check-shell check-design

check-kernel:
	$(CHECKPATCH) --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
		-f $(filter-out kernel/Kbuild kernel/compat.h,$(KMOD_SRCS))
	@# compat.h alone asks which kernel it is (checkpatch also takes
	@# LINUX_VERSION_CODE for a constant on the wrong side of a comparison).
	$(CHECKPATCH) --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,LINUX_VERSION_CODE,CONSTANT_COMPARISON \
		-f kernel/compat.h
	@if grep -n LINUX_VERSION_CODE $(filter-out kernel/Kbuild kernel/compat.h,$(KMOD_SRCS)); then \
		echo "only kernel/compat.h may test LINUX_VERSION_CODE" >&2; exit 1; fi
	@# The portable builder also builds on the host: C11's _Static_assert, the
	@# shim's uint*_t and __attribute__((format)) are what it must use there.
	$(CHECKPATCH) --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,CAMELCASE,PREFER_KERNEL_TYPES \
		--ignore PREFER_DEFINED_ATTRIBUTE_MACRO,MACRO_ARG_REUSE -f $(KMOD_CAPTURE_SRCS)

check-kernel-doc:
	$(KSCRIPTS)/kernel-doc -none -Werror $(CHECK_C_SRCS)

# One kernel at a time, as modules-all builds them.
check-w1:
	@for k in $(TEST_KVERS); do \
		test -f $(CACHE)/kernels/$$k/env.mk || { echo "kernel $$k is not unpacked: run 'make deps'" >&2; exit 1; }; \
		$(MAKE) --no-print-directory LB_ENV=$(CACHE)/kernels/$$k/env.mk check-w1-one || exit 1; \
	done

# W=1 for kernel KVER (headers KDIR).
check-w1-one:
	$(call lb_gather,$(BUILD)/k/$(KVER)/kmod-w1)
	$(call lb_kbuild,$(BUILD)/k/$(KVER)/kmod-w1,$(KDIR),W=1)

check-shell:
	shellcheck -x $(SHELL_SCRIPTS)

# Every `file:function` docs/design.md names: the file exists and defines
# (or declares, or labels) the function.
check-design:
	@refs=$$(grep -oE '`[A-Za-z0-9_./-]+\.[chS]:[A-Za-z_][A-Za-z0-9_]*`' docs/design.md | tr -d '`' | sort -u); \
	test -n "$$refs" || { echo "docs/design.md names no file:function" >&2; exit 1; }; \
	bad=0; for r in $$refs; do \
		f=$${r%%:*}; fn=$${r##*:}; \
		grep -Eq "^[^[:space:]#/*].*[^A-Za-z0-9_]$$fn[(,)]|^$$fn\(" "$$f" 2>/dev/null || \
			{ echo "docs/design.md: $$r: no such function in $$f" >&2; bad=1; }; \
	done; exit $$bad
