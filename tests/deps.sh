#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs everything the build, the tests and the demo need, and caches the
# guest kernel, its debug vmlinux and the kernel source outside the work tree.
# Safe to run twice: the second run only checks and returns.
#
# Writes $CACHE/env.mk with the paths the Makefile and the tests use.
set -euo pipefail

CACHE=${LIFEBOAT_CACHE:-/var/cache/lifeboat}
STAMP=$CACHE/deps.stamp
# Bump when the list below changes, so an old stamp does not hide new needs.
DEPS_VERSION=3

PKGS=(
	build-essential clang llvm libclang-rt-14-dev
	qemu-system-x86 linux-headers-amd64 busybox-static makedumpfile crash
	python3-drgn libelf-dev e2fsprogs check kexec-tools cpio xz-utils
	zstd gzip dpkg-dev systemd file kmod
	zlib1g-dev liblzma-dev libzstd-dev
)

log() { printf 'deps: %s\n' "$*" >&2; }

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$DEPS_VERSION" ] && [ -f "$CACHE/env.mk" ]; then
	# shellcheck disable=SC1090
	. <(sed -n 's/^\([A-Z_]*\) *:= *\(.*\)$/\1=\2/p' "$CACHE/env.mk")
	if [ -e "$KVMLINUZ" ] && [ -e "$VMLINUX_DBG" ] && [ -d "$KDIR" ]; then
		log "up to date ($CACHE)"
		exit 0
	fi
fi

[ "$(id -u)" = 0 ] || { log "must run as root to install packages"; exit 1; }
mkdir -p "$CACHE"

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The guest kernel is the newest linux-headers-*-amd64 installed; take the
# image of the same version, unpacked without running its maintainer scripts.
KVER=$(find /usr/src -maxdepth 1 -name 'linux-headers-*-amd64' -printf '%f\n' |
	sed 's/^linux-headers-//' | sort -V | tail -n 1)
[ -n "$KVER" ] || { log "no linux-headers-*-amd64 installed"; exit 1; }
KDIR=/usr/src/linux-headers-$KVER
log "guest kernel $KVER"

fetch_deb() {	# package -> path of the .deb in the cache
	local pkg=$1 deb
	deb=$(find "$CACHE/debs" -maxdepth 1 -name "${pkg}_*.deb" 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		mkdir -p "$CACHE/debs"
		(cd "$CACHE/debs" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2)
		deb=$(find "$CACHE/debs" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
	fi
	echo "$deb"
}

KROOT=$CACHE/kernel-$KVER
if [ ! -e "$KROOT/boot/vmlinuz-$KVER" ]; then
	log "unpacking linux-image-$KVER"
	rm -rf "$KROOT.tmp"
	dpkg-deb -x "$(fetch_deb "linux-image-$KVER")" "$KROOT.tmp"
	rm -rf "$KROOT" && mv "$KROOT.tmp" "$KROOT"
fi
# modules.dep for resolving the guest's module dependencies (modprobe -d).
[ -e "$KROOT/lib/modules/$KVER/modules.dep" ] || depmod -b "$KROOT" "$KVER"

VMLINUX_DBG=$CACHE/vmlinux-$KVER
if [ ! -e "$VMLINUX_DBG" ]; then
	log "extracting the debug vmlinux (about a minute)"
	deb=$(fetch_deb "linux-image-$KVER-dbg")
	tmp=$(mktemp -d "$CACHE/dbg.XXXXXX")
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards "./usr/lib/debug/boot/vmlinux-$KVER"
	mv "$tmp/usr/lib/debug/boot/vmlinux-$KVER" "$VMLINUX_DBG"
	rm -rf "$tmp" "$deb"
fi

# checkpatch.pl and friends, from the kernel source of the same series.
KSRC=$CACHE/linux-source
if [ ! -e "$KSRC/scripts/checkpatch.pl" ]; then
	log "extracting checkpatch.pl from linux-source"
	series=${KVER%%-*}; series=${series%.*}
	deb=$(fetch_deb "linux-source-$series")
	tmp=$(mktemp -d "$CACHE/src.XXXXXX")
	dpkg-deb -x "$deb" "$tmp"
	tar -xf "$tmp"/usr/src/linux-source-"$series".tar.xz -C "$tmp" \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' '*/scripts/kernel-doc' '*/.clang-format'
	rm -rf "$KSRC" && mkdir -p "$KSRC"
	cp -r "$tmp"/linux-source-"$series"/. "$KSRC"/
	rm -rf "$tmp"
fi

cat > "$CACHE/env.mk.tmp" <<EOM
KVER := $KVER
KDIR := $KDIR
KROOT := $KROOT
KVMLINUZ := $KROOT/boot/vmlinuz-$KVER
KMODDIR := $KROOT/lib/modules/$KVER
VMLINUX_DBG := $VMLINUX_DBG
KSRC := $KSRC
EOM
mv "$CACHE/env.mk.tmp" "$CACHE/env.mk"
echo "$DEPS_VERSION" > "$STAMP"
log "ready ($CACHE)"
