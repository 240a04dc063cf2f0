#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs everything the build, the tests and the demo need, and caches the
# guest kernels of tests/kernels.txt (image, modules, headers, debug vmlinux)
# and the kernel source's style scripts outside the work tree.
# Safe to run twice: the second run only checks and returns.
#
# Writes $CACHE/kernels/<release>/env.mk for each kernel and $CACHE/env.mk
# (the default kernel's, the first of the list) with the paths the Makefile
# and the tests use. LIFEBOAT_KERNELS=all fetches the whole matrix.
set -euo pipefail

CACHE=${LIFEBOAT_CACHE:-/var/cache/lifeboat}
STAMP=$CACHE/deps.stamp
# Bump when the list below changes, so an old stamp does not hide new needs.
DEPS_VERSION=6
HERE=$(cd "$(dirname "$0")" && pwd)
KERNELS_TXT=$HERE/kernels.txt
# Which kernels of kernels.txt: "test" (default) or "all" (the whole matrix).
KERNEL_SET=${LIFEBOAT_KERNELS:-test}

PKGS=(
	build-essential clang llvm libclang-rt-14-dev
	qemu-system-x86 busybox-static makedumpfile crash
	python3-drgn libelf-dev e2fsprogs check kexec-tools cpio xz-utils
	zstd gzip dpkg-dev systemd file kmod
	zlib1g-dev liblzma-dev libzstd-dev
	dwarves gdb ovmf sbsigntool openssl shellcheck dkms
	flex bison bc libssl-dev
)

log() { printf 'deps: %s\n' "$*" >&2; }

# name release dbg, one line per kernel of the chosen set.
kernels() {
	awk -v set="$KERNEL_SET" '!/^#/ && NF >= 4 && (set == "all" || $3 == set) { print $1, $2, $4 }' \
		"$KERNELS_TXT"
}

# A kernel is ready when unpacked, with its debug vmlinux if kernels.txt wants it.
kernel_ready() {	# release dbg
	[ -f "$CACHE/kernels/$1/.ready" ] && { [ "$2" != dbg ] || [ -e "$CACHE/kernels/$1/vmlinux-dbg" ]; }
}

# The debug vmlinux carries a symbol index (gdb-add-index): crash and gdb
# then open it in 6 s instead of 13, and every dump check opens it.
vmlinux_indexed() {	# release dbg
	[ "$2" != dbg ] || [ -f "$CACHE/kernels/$1/.gdb-index" ]
}

index_vmlinux() {	# release dbg
	local v=$CACHE/kernels/$1/vmlinux-dbg
	vmlinux_indexed "$1" "$2" && return 0
	log "indexing the debug vmlinux of $1 for crash and gdb"
	gdb-add-index "$v" >&2
	readelf -S -W "$v" | grep -qE '\.(gdb_index|debug_names) ' ||
		{ log "gdb-add-index left no index in '$v'"; return 1; }
	touch "$CACHE/kernels/$1/.gdb-index"
}

all_ready() {
	local name kver dbg
	while read -r name kver dbg; do
		kernel_ready "$kver" "$dbg" && vmlinux_indexed "$kver" "$dbg" || return 1
	done < <(kernels)
	[ -e "$CACHE/linux-source/scripts/checkpatch.pl" ]
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$DEPS_VERSION" ] && [ -f "$CACHE/env.mk" ] && all_ready; then
	log "up to date ($CACHE)"
	exit 0
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

fetch_deb() {	# package -> path of the .deb in the cache
	local pkg=$1 deb
	deb=$(find "$CACHE/debs" -maxdepth 1 -name "${pkg}_*.deb" 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		mkdir -p "$CACHE/debs"
		(cd "$CACHE/debs" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2)
		deb=$(find "$CACHE/debs" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
	fi
	[ -n "$deb" ] || { log "could not download '$pkg'"; return 1; }
	echo "$deb"
}

# The packages a headers package needs beside it: its common headers and kbuild.
header_deps() {	# headers package
	apt-cache show "$1" | sed -n 's/^Depends: //p' | head -n 1 | tr ',|' '\n' |
		sed 's/^ *//; s/ .*//' | grep -E '^linux-(headers-.*-common.*|kbuild-.*)$'
}

# One kernel, unpacked without running any maintainer script: its image and
# modules (with modules.dep), System.map, headers to build modules against
# (their Makefile points into the cache, not /usr/src), and the debug vmlinux.
setup_kernel() {	# name release dbg
	local name=$1 kver=$2 dbg=$3 root tmp deb hdr
	root=$CACHE/kernels/$kver
	kernel_ready "$kver" "$dbg" && return 0
	log "kernel $name: $kver"
	apt-cache show "linux-image-$kver" > /dev/null 2>&1 || apt-get update -q >&2
	tmp=$root.tmp
	rm -rf "$tmp" && mkdir -p "$tmp"
	dpkg-deb -x "$(fetch_deb "linux-image-$kver")" "$tmp"
	hdr=linux-headers-$kver
	dpkg-deb -x "$(fetch_deb "$hdr")" "$tmp"
	for deb in $(header_deps "$hdr"); do
		dpkg-deb -x "$(fetch_deb "$deb")" "$tmp"
	done
	# The flavour's Makefile includes the common one by absolute path.
	sed -i "s|/usr/src/|$root/usr/src/|" "$tmp/usr/src/$hdr/Makefile"
	depmod -b "$tmp" "$kver"
	if [ "$dbg" = dbg ]; then
		log "extracting the debug vmlinux of $kver (about a minute)"
		deb=$(fetch_deb "linux-image-$kver-dbg")
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards "./usr/lib/debug/boot/vmlinux-$kver"
		mv "$tmp/usr/lib/debug/boot/vmlinux-$kver" "$tmp/vmlinux-dbg"
		rm -rf "$tmp/usr/lib/debug" "$deb"
	fi
	cat > "$tmp/env.mk" <<EOM
KNAME := $name
KVER := $kver
KDIR := $root/usr/src/$hdr
KROOT := $root
KVMLINUZ := $root/boot/vmlinuz-$kver
KMODDIR := $root/lib/modules/$kver
SYSTEM_MAP := $root/boot/System.map-$kver
VMLINUX_DBG := $([ "$dbg" = dbg ] && echo "$root/vmlinux-dbg")
EOM
	touch "$tmp/.ready"
	rm -rf "$root" && mv "$tmp" "$root"
}

first=
while read -r name kver dbg; do
	setup_kernel "$name" "$kver" "$dbg"
	index_vmlinux "$kver" "$dbg"
	[ -n "$first" ] || first=$kver
done < <(kernels)
[ -n "$first" ] || { log "no kernel in '$KERNELS_TXT'"; exit 1; }
KVER=$first
KSERIES=${KVER%%-*}

# checkpatch.pl and friends, from the kernel source of the same series.
KSRC=$CACHE/linux-source
if [ ! -e "$KSRC/scripts/checkpatch.pl" ]; then
	log "extracting checkpatch.pl from linux-source"
	series=${KSERIES%.*}
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

# The first kernel of the list is the default one; every kernel has its own
# env.mk under kernels/.
{
	cat "$CACHE/kernels/$KVER/env.mk"
	echo "KSRC := $KSRC"
	echo "KERNELS_DIR := $CACHE/kernels"
} > "$CACHE/env.mk.tmp"
mv "$CACHE/env.mk.tmp" "$CACHE/env.mk"
echo "$DEPS_VERSION" > "$STAMP"
log "ready ($CACHE)"
