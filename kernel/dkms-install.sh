#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The DKMS steps of `make install` and `make uninstall` (kernel/dkms.mk).
#
#   kernel/dkms-install.sh install VERSION KVER KDIR
#	Puts the gathered tree (build/dkms/lifeboat-VERSION) under DKMS's source
#	tree, removes every lifeboat already in DKMS (the same version too: its
#	sources may have changed), adds this one and installs it for the running
#	kernel and for KVER (headers at KDIR). Later kernels get it from DKMS's
#	own hooks (`dkms autoinstall`), as their headers are installed.
#   kernel/dkms-install.sh remove
#	Removes every lifeboat version from DKMS and its sources.
#
# DKMS_SOURCE_TREE, DKMS_DKMS_TREE and DKMS_INSTALL_TREE (default /usr/src,
# /var/lib/dkms, /lib/modules) point dkms elsewhere, for a trial run;
# DKMS_OPTS adds options to every dkms call (--no-depmod, --verbose).
set -euo pipefail

cd "$(dirname "$0")/.." || exit 1
SRC=${DKMS_SOURCE_TREE:-/usr/src}
TREES=(--sourcetree "$SRC" --dkmstree "${DKMS_DKMS_TREE:-/var/lib/dkms}"
	--installtree "${DKMS_INSTALL_TREE:-/lib/modules}")
read -ra opts <<< "${DKMS_OPTS:-}"
TREES+=("${opts[@]}")

say() { printf 'lifeboat: %s\n' "$*" >&2; }

# Every lifeboat version DKMS knows, one a line.
versions() {
	dkms status -m lifeboat "${TREES[@]}" 2>/dev/null |
		sed -n 's|^lifeboat/\([^,:]*\)[,:].*|\1|p' | sort -u
}

remove_all() {
	local v
	for v in $(versions); do
		dkms remove -m lifeboat -v "$v" --all "${TREES[@]}"
	done
	for v in "$SRC"/lifeboat-*; do
		[ -f "$v/dkms.conf" ] && rm -rf "$v"
	done
	return 0
}

install() {	# version kver kdir
	local ver=$1 kver=$2 kdir=$3 k hdr running stale built=0
	running=$(uname -r)
	remove_all
	mkdir -p "$SRC"
	cp -R "build/dkms/lifeboat-$ver" "$SRC/"
	dkms add -m lifeboat -v "$ver" "${TREES[@]}"
	for k in $(printf '%s\n' "$running" "$kver" | sort -u); do
		hdr=/lib/modules/$k/build
		[ "$k" = "$kver" ] && hdr=$kdir
		if [ ! -d "$hdr" ]; then
			say "no headers for kernel $k ($hdr): install linux-headers-$k; DKMS builds lifeboat.ko for it then"
			continue
		fi
		# install-module's copy (kernel/kernel.mk) steps aside for DKMS's:
		# with two lifeboat.ko under updates/, modprobe may take either. It
		# comes back if DKMS cannot build, so the kernel keeps a module.
		stale=${DKMS_INSTALL_TREE:-/lib/modules}/$k/updates/lifeboat.ko
		[ ! -e "$stale" ] || mv "$stale" "$stale.old"
		if ! dkms install -m lifeboat -v "$ver" -k "$k" --kernelsourcedir "$hdr" "${TREES[@]}"; then
			[ ! -e "$stale.old" ] || mv "$stale.old" "$stale"
			say "DKMS could not build lifeboat.ko for kernel $k"
			return 1
		fi
		rm -f "$stale.old"
		built=$((built + 1))
	done
	[ "$built" -gt 0 ] || { say "lifeboat.ko was built for no kernel"; return 1; }
}

case ${1:-} in
install)
	[ $# -eq 4 ] || { echo "usage: $0 install VERSION KVER KDIR" >&2; exit 2; }
	install "$2" "$3" "$4"
	;;
remove)
	remove_all
	;;
*)
	echo "usage: $0 install VERSION KVER KDIR | remove" >&2
	exit 2
	;;
esac
