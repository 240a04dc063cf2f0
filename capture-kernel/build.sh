#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds Lifeboat's own capture kernel: Debian's linux-source (the release
# pinned below) configured by `make tinyconfig` plus capture.config, with the
# storage and filesystem drivers as modules. The result is cached outside
# the work tree under $CACHE/capture-kernel/<key>/, where <key> is a digest
# of the pinned source, the configuration and this script, so a second run
# with the same inputs only checks and returns:
#
#   vmlinuz                     the bzImage (a PE/COFF file, signable)
#   root/lib/modules/<release>/ the modules, stripped, with modules.dep
#   config, System.map, release
#
# It prints the folder on its last line. Builds are reproducible as far as
# the kernel's build allows: fixed time stamp, user, host and build number.
set -euo pipefail

CACHE=${LIFEBOAT_CACHE:-/var/cache/lifeboat}
HERE=$(cd "$(dirname "$0")" && pwd)
# The source: Debian's package, pinned by version so that a new upload does
# not change the kernel the tests run.
SRC_PKG=linux-source-6.1
SRC_VERSION=6.1.192-3
SRC_TAR=usr/src/linux-source-6.1.tar.xz
# A fixed build time stamp, so that two builds give the same bytes.
BUILD_STAMP="2025-12-01 00:00:00 UTC"
JOBS=${LIFEBOAT_JOBS:-$(nproc)}

log() { printf 'capture-kernel: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

for tool in flex bison bc gcc make depmod; do
	command -v "$tool" > /dev/null || die "'$tool' is missing: run 'make deps'"
done
[ -e /usr/include/libelf.h ] || die "libelf-dev is missing: run 'make deps'"

key=$( { echo "$SRC_PKG $SRC_VERSION"; cat "$HERE/capture.config" "$HERE/build.sh"; } |
	sha256sum | cut -c1-16)
top=$CACHE/capture-kernel
out=$top/$key
if [ -f "$out/.ready" ]; then
	log "up to date ($out)"
	echo "$out"
	exit 0
fi
mkdir -p "$top" "$CACHE/debs"

# The source package, from the cache or Debian's archive.
deb=$CACHE/debs/${SRC_PKG}_${SRC_VERSION}_all.deb
if [ ! -f "$deb" ]; then
	log "downloading $SRC_PKG $SRC_VERSION"
	(cd "$CACHE/debs" && apt-get download -q -o APT::Sandbox::User=root \
		"$SRC_PKG=$SRC_VERSION" >&2) ||
		die "cannot download $SRC_PKG=$SRC_VERSION; if the archive no longer has it, pin the version it has in $0"
fi
src=$top/src-$SRC_VERSION
if [ ! -f "$src/.extracted" ]; then
	log "extracting $SRC_PKG $SRC_VERSION"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -O "./$SRC_TAR" | tar -xJ -C "$src.tmp" --strip-components=1
	touch "$src.tmp/.extracted"
	mv "$src.tmp" "$src"
fi

build=$top/build-$key
rm -rf "$build" "$out.tmp"
mkdir -p "$build"
kmake() {
	make -s -C "$src" O="$build" ARCH=x86_64 LOCALVERSION=-lifeboat \
		KBUILD_BUILD_TIMESTAMP="$BUILD_STAMP" KBUILD_BUILD_USER=lifeboat \
		KBUILD_BUILD_HOST=lifeboat KBUILD_BUILD_VERSION=1 "$@"
}

log "configuring (tinyconfig + capture.config)"
kmake tinyconfig > /dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" \
	"$HERE/capture.config" > "$build/merge.log"
kmake olddefconfig
# Every option asked for must have survived olddefconfig.
lost=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) grep -qxF "$line" "$build/.config" || { log "dropped: $line"; lost=1; } ;;
	"# CONFIG_"*" is not set") grep -q "^${line#\# }" "$build/.config" ||
		grep -qxF "$line" "$build/.config" || { log "dropped: $line"; lost=1; } ;;
	esac
done < "$HERE/capture.config"
[ "$lost" = 0 ] || die "the kernel dropped options of capture.config (a dependency is missing)"

log "building with $JOBS jobs (a few minutes on two cores)"
start=$(date +%s)
kmake -j"$JOBS" bzImage modules
mkdir -p "$out.tmp/root"
kmake INSTALL_MOD_PATH="$out.tmp/root" INSTALL_MOD_STRIP=1 modules_install > /dev/null
release=$(kmake kernelrelease)
rm -f "$out.tmp/root/lib/modules/$release/build" "$out.tmp/root/lib/modules/$release/source"
cp "$build/arch/x86/boot/bzImage" "$out.tmp/vmlinuz"
cp "$build/.config" "$out.tmp/config"
cp "$build/System.map" "$out.tmp/System.map"
echo "$release" > "$out.tmp/release"
echo "$SRC_PKG $SRC_VERSION" > "$out.tmp/source"
touch "$out.tmp/.ready"
rm -rf "$out"
mv "$out.tmp" "$out"
# The tree stays for modules built against it (lifeboat.ko for fast-reboot).
ln -sfn "$build" "$out/build"
log "built $release in $(( $(date +%s) - start )) s: $(stat -c %s "$out/vmlinuz") bytes"
echo "$out"
