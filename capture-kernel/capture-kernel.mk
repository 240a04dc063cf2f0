# SPDX-License-Identifier: GPL-2.0
#
# Lifeboat's own capture kernel (capture-kernel/README.md). `make
# capture-kernel` builds it once into the cache (capture-kernel/build.sh)
# and points build/capture-kernel at it; `make install` installs it under
# PREFIX/lib/lifeboat/capture-kernel, where `lifeboat start` finds it, and
# signs it for Secure Boot with DKMS's key when that key exists.
# CAPTURE_KERNEL=no leaves it out of `make install`.

CAPTURE_KERNEL ?= yes
CAPTURE_KERNEL_LINK := $(BUILD)/capture-kernel
CAPTURE_KERNEL_DEST = $(DESTDIR)$(PREFIX)/lib/lifeboat/capture-kernel
# The key DKMS signs modules with; MOK-enrolled on a Secure Boot machine.
MOK_KEY ?= /var/lib/dkms/mok.key
MOK_CERT ?= /var/lib/dkms/mok.pub

.PHONY: capture-kernel install-capture-kernel uninstall-capture-kernel
capture-kernel:
	@mkdir -p $(BUILD)
	@dir=$$(capture-kernel/build.sh) && ln -sfn "$$dir" $(CAPTURE_KERNEL_LINK) && \
		echo "capture kernel: $$(cat $$dir/release) in $$dir"

ifeq ($(CAPTURE_KERNEL),yes)
install: install-capture-kernel
endif
install-capture-kernel: capture-kernel
	rm -rf $(CAPTURE_KERNEL_DEST).tmp
	mkdir -p $(CAPTURE_KERNEL_DEST).tmp
	cp -R $(CAPTURE_KERNEL_LINK)/root/lib $(CAPTURE_KERNEL_DEST).tmp/
	install -m 0644 $(CAPTURE_KERNEL_LINK)/release $(CAPTURE_KERNEL_LINK)/config \
		$(CAPTURE_KERNEL_LINK)/System.map $(CAPTURE_KERNEL_DEST).tmp/
	@if [ -r "$(MOK_KEY)" ] && [ -r "$(MOK_CERT)" ]; then \
		command -v sbsign > /dev/null || { echo "lifeboat: $(MOK_KEY) exists but sbsign does not (apt-get install sbsigntool): the capture kernel would not load under Secure Boot" >&2; exit 1; }; \
		openssl x509 -inform DER -in "$(MOK_CERT)" -out $(CAPTURE_KERNEL_DEST).tmp/cert.pem 2>/dev/null || \
			cp "$(MOK_CERT)" $(CAPTURE_KERNEL_DEST).tmp/cert.pem; \
		sbsign --key "$(MOK_KEY)" --cert $(CAPTURE_KERNEL_DEST).tmp/cert.pem \
			--output $(CAPTURE_KERNEL_DEST).tmp/vmlinuz $(CAPTURE_KERNEL_LINK)/vmlinuz && \
		rm -f $(CAPTURE_KERNEL_DEST).tmp/cert.pem && \
		echo "lifeboat: the capture kernel is signed with $(MOK_KEY)"; \
	else \
		install -m 0644 $(CAPTURE_KERNEL_LINK)/vmlinuz $(CAPTURE_KERNEL_DEST).tmp/vmlinuz; \
	fi
	rm -rf $(CAPTURE_KERNEL_DEST)
	mv $(CAPTURE_KERNEL_DEST).tmp $(CAPTURE_KERNEL_DEST)

uninstall-capture-kernel:
	rm -rf $(CAPTURE_KERNEL_DEST)
