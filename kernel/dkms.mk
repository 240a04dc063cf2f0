# SPDX-License-Identifier: GPL-2.0
#
# DKMS packaging: the module's sources, gathered by kernel/kernel.mk's
# lb_gather as for its own build (capture/, include/lifeboat/, uapi/ beside
# the kernel/ files), plus a dkms.conf, make a self-contained tree,
# build/dkms/lifeboat-VERSION. `make install` puts it in /usr/src and has
# DKMS build and install the module for the running kernel and for KVER, in
# place of install-module's copy of build/lifeboat.ko; DKMS rebuilds it for
# every kernel installed later and signs it with its own key. With DESTDIR
# (a package being staged), or without dkms, the tree is only copied, beside
# install-module's copy. tests/dkms-build.sh builds the tree with dkms in
# private trees.

LIFEBOAT_VERSION := $(shell cat VERSION)
DKMS_TREE := $(BUILD)/dkms/lifeboat-$(LIFEBOAT_VERSION)
# Where dkms keeps sources, builds and installed modules: other folders for a
# trial run (make install DKMS_SOURCE_TREE=... DKMS_DKMS_TREE=... DKMS_INSTALL_TREE=...).
DKMS_SOURCE_TREE ?= /usr/src
DKMS_DKMS_TREE ?= /var/lib/dkms
DKMS_INSTALL_TREE ?= /lib/modules
DKMS_ENV = DKMS_SOURCE_TREE=$(DKMS_SOURCE_TREE) DKMS_DKMS_TREE=$(DKMS_DKMS_TREE) \
	DKMS_INSTALL_TREE=$(DKMS_INSTALL_TREE) DKMS_OPTS="$(DKMS_OPTS)"
# Non-empty when `make install` hands the module to DKMS.
DKMS_USED := $(if $(DESTDIR),,$(shell command -v dkms))

.PHONY: dkms-tree install-dkms uninstall-module
# After install-module, whose copy for KVER alone DKMS's builds replace.
install: install-dkms
install-dkms: install-module
dkms-tree: $(DKMS_TREE)/dkms.conf

# dkms.conf last: a tree with one is whole.
$(DKMS_TREE)/dkms.conf: $(KMOD_SRCS) $(KMOD_CAPTURE_SRCS) $(KMOD_LIST) kernel/dkms.conf.in VERSION \
		kernel/dkms.mk kernel/kernel.mk
	$(call lb_gather,$(DKMS_TREE))
	sed 's/@VERSION@/$(LIFEBOAT_VERSION)/' kernel/dkms.conf.in > $@.tmp
	mv $@.tmp $@

install-dkms: dkms-tree
ifneq ($(DKMS_USED),)
	$(DKMS_ENV) kernel/dkms-install.sh install $(LIFEBOAT_VERSION) $(KVER) $(KDIR)
else
	rm -rf $(DESTDIR)$(DKMS_SOURCE_TREE)/lifeboat-$(LIFEBOAT_VERSION)
	mkdir -p $(DESTDIR)$(DKMS_SOURCE_TREE)
	cp -R $(DKMS_TREE) $(DESTDIR)$(DKMS_SOURCE_TREE)/
	@test -n "$(DESTDIR)" || echo "lifeboat: dkms not found: lifeboat.ko is installed for $(KVER) only and will not follow kernel upgrades (apt-get install dkms, then make install)" >&2
endif

# DKMS forgets every lifeboat version and its builds; the sources go too.
uninstall-module:
ifneq ($(DKMS_USED),)
	$(DKMS_ENV) kernel/dkms-install.sh remove
endif
	rm -rf $(DESTDIR)$(DKMS_SOURCE_TREE)/lifeboat-$(LIFEBOAT_VERSION)
	@# A module `make install` copied without DKMS.
	if [ -e $(DESTDIR)/lib/modules/$(KVER)/updates/lifeboat.ko ]; then \
		rm -f $(DESTDIR)/lib/modules/$(KVER)/updates/lifeboat.ko; \
		test -n "$(DESTDIR)" || depmod -a $(KVER); \
	fi
