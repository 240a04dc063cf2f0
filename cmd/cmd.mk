# SPDX-License-Identifier: GPL-2.0
#
# cmd/: the lifeboat command (lifeboat.c and one cmd_*.c per subcommand)
# and the capture-side saver, `lifeboat save` alone (saver.c), over the
# machine layer and lib/.

CMD_INC := -Icmd $(MACHINE_INC)
CMD_ARCHIVES = $(foreach l,machine lifeboat builder common,$(BUILD)/host/lib$(l).a)

LIFEBOAT_SRCS := $(filter-out cmd/saver.c,$(wildcard cmd/*.c))
# The saver alone, for the capture initramfs: the image stays small without
# the libraries the rest of the command links (zlib, liblzma, libzstd).
SAVER_SRCS := cmd/saver.c cmd/cmd_save.c cmd/cmdutil.c

$(eval $(call lb_objects,host,$(wildcard cmd/*.c),$(CMD_INC)))

all: $(BUILD)/lifeboat $(BUILD)/lifeboat-save

$(BUILD)/lifeboat: $(call lb_objs,host,$(LIFEBOAT_SRCS)) $(CMD_ARCHIVES)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(MACHINE_LDLIBS)

$(BUILD)/lifeboat-save: $(call lb_objs,host,$(SAVER_SRCS)) $(CMD_ARCHIVES)
	$(CC) $(ALL_CFLAGS) -Wl,--strip-debug -o $@ $^ -lelf

# Installs the command, the capture initramfs' builder and /init, the unit
# and an example configuration under DESTDIR (the VM tests build their
# guest's root filesystem with it).
PREFIX ?= /usr
.PHONY: install-dumptools
install-dumptools: $(BUILD)/lifeboat $(BUILD)/lifeboat-save
	install -D -m 0755 $(BUILD)/lifeboat $(DESTDIR)$(PREFIX)/sbin/lifeboat
	install -D -m 0755 $(BUILD)/lifeboat-save $(DESTDIR)$(PREFIX)/lib/lifeboat/lifeboat-save
	install -D -m 0755 initramfs/lb-initramfs $(DESTDIR)$(PREFIX)/lib/lifeboat/lb-initramfs
	install -D -m 0755 initramfs/capture-init $(DESTDIR)$(PREFIX)/lib/lifeboat/capture-init
	install -D -m 0644 dumptools/systemd/lifeboat.service \
		$(DESTDIR)/lib/systemd/system/lifeboat.service
	install -D -m 0644 dumptools/README.md $(DESTDIR)$(PREFIX)/share/doc/lifeboat/capture-side.md
	test -e $(DESTDIR)/etc/lifeboat.conf || \
		install -D -m 0644 dumptools/lifeboat.conf $(DESTDIR)/etc/lifeboat.conf
	install -d -m 0755 $(DESTDIR)/var/lib/lifeboat $(DESTDIR)/var/crash
