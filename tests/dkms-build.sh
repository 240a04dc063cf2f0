#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS builds the packaged module (kernel/dkms.mk's tree, as `make install`
# puts it in /usr/src) for one kernel, in private trees under build/: the
# system's DKMS tree, its modules and its key are not touched.
#
#   tests/dkms-build.sh KVER KDIR
#
# Checks that dkms add and dkms build succeed, that the module is there, that
# its vermagic is KVER and that DKMS signed it with the key it was given (a
# throw-away one, made here; DKMS would otherwise make /var/lib/dkms/mok.key).
# Exit 0 pass, 1 fail, 99 setup error.
set -uo pipefail

[ $# -eq 2 ] || { echo "usage: $0 KVER KDIR" >&2; exit 99; }
KVER=$1 KDIR=$2
cd "$(dirname "$0")/.." || exit 99
VER=$(cat VERSION)
WORK=$PWD/build/dkms-test/$KVER
CN="Lifeboat DKMS test key"

fail() { echo "FAIL: $*" >&2; exit 1; }

command -v dkms >/dev/null || { echo "dkms is not installed: run 'make deps'" >&2; exit 99; }
[ -d "$KDIR" ] || { echo "no kernel headers at '$KDIR'" >&2; exit 99; }
make --no-print-directory -s dkms-tree || exit 99

rm -rf "$WORK"
mkdir -p "$WORK/src" "$WORK/dkms" "$WORK/modules/$KVER" "$WORK/key"
cp -R "build/dkms/lifeboat-$VER" "$WORK/src/"
openssl req -new -x509 -nodes -days 1 -subj "/CN=$CN" -newkey rsa:2048 \
	-keyout "$WORK/key/mok.key" -outform DER -out "$WORK/key/mok.pub" 2>/dev/null ||
	{ echo "openssl could not make a key" >&2; exit 99; }

# dkms reads these if /etc/dkms/framework.conf does not set them; the
# kernel's own sign-file, for a kernel that is not installed here.
export mok_signing_key=$WORK/key/mok.key mok_certificate=$WORK/key/mok.pub
export sign_file=$KDIR/scripts/sign-file
trees=(--sourcetree "$WORK/src" --dkmstree "$WORK/dkms" --installtree "$WORK/modules")

dkms add -m lifeboat -v "$VER" "${trees[@]}" || fail "dkms add"
if ! dkms build -m lifeboat -v "$VER" -k "$KVER" --kernelsourcedir "$KDIR" "${trees[@]}"; then
	log=$WORK/dkms/lifeboat/$VER/build/make.log
	[ -f "$log" ] && tail -n 40 "$log" >&2
	fail "dkms build for $KVER"
fi

ko=$(find "$WORK/dkms/lifeboat/$VER/$KVER" -path '*/module/lifeboat.ko*' | head -n 1)
[ -n "$ko" ] || fail "no lifeboat.ko under $WORK/dkms/lifeboat/$VER/$KVER"
echo "built $ko"
vermagic=$(modinfo -F vermagic "$ko") || fail "modinfo cannot read $ko"
[ "${vermagic%% *}" = "$KVER" ] || fail "vermagic '$vermagic' is not for $KVER"
echo "vermagic: $vermagic"
signer=$(modinfo -F signer "$ko")
[ "$signer" = "$CN" ] || fail "$ko is signed by '$signer', not by the key DKMS was given ('$CN')"
echo "signer: $signer"
dkms status -m lifeboat "${trees[@]}"
