#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The stages of `make test`, each counted once, ending with the tally line
# "N passed, N failed, N skipped": stages and VM tests that passed and
# failed, and the dump checks the VM tests could not run (run.py's
# "skip - " lines). A stage that lacks a tool fails, and so does a fuzzer
# that `make print-fuzzers` lists and the build lacks. Expects
# `make all unit-bins fuzzers` to have run. The benchmarks are not a stage:
# `make bench` runs them.
#
#   FUZZ_SECONDS   time given to each fuzzer (default 10)
#   VM_TESTS       -k filters passed to tests/vm/run.py (default: all)
#   STAGES         the stages to run, of: unit fuzz style dkms vm (default: all)
#   LIFEBOAT_BUILD the build directory (default: build)
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
BUILD=${LIFEBOAT_BUILD:-$PWD/build}
STAGES=${STAGES:-unit fuzz style dkms vm}
for s in $STAGES; do
	case $s in
	unit | fuzz | style | dkms | vm) ;;
	*) echo "run-all: unknown stage '$s' in STAGES (unit fuzz style dkms vm)" >&2; exit 2 ;;
	esac
done
CACHE=${LIFEBOAT_CACHE:-/var/cache/lifeboat}
FUZZ_SECONDS=${FUZZ_SECONDS:-10}
# The default kernel's paths, as the Makefile reads them ($CACHE/env.mk).
env_lines=$(make --no-print-directory -s print-env CACHE="$CACHE") || exit 1
while IFS='=' read -r k v; do export "$k=$v"; done <<< "$env_lines"
export LIFEBOAT_KVMLINUZ=$KVMLINUZ

passed=0 failed=0 skipped=0 failures=()
wanted() { [[ " $STAGES " == *" $1 "* ]]; }
stage() {	# name command...
	local name=$1 t0 rc
	shift
	echo "=== $name"
	t0=$(date +%s)
	"$@"
	rc=$?
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		echo "=== $name: passed ($(($(date +%s) - t0)) s)"
	else
		failed=$((failed + 1))
		failures+=("$name")
		echo "=== $name: FAILED (status $rc, $(($(date +%s) - t0)) s)"
	fi
}

if wanted unit; then
	stage "unit tests" env CK_FORK=yes "$BUILD/tests/unit"
	stage "unit tests under ASan+UBSan" env CK_FORK=no ASAN_OPTIONS=detect_leaks=1 "$BUILD/tests/unit-san"
fi

fuzz() {	# fuzzer binary
	local corpus name
	name=$(basename "$1")
	corpus=$BUILD/fuzz/corpus-$name
	mkdir -p "$corpus"
	for seeds in builder/fuzz/corpus lib/fuzz/corpus machine/fuzz/corpus; do
		[ -d "$seeds/$name" ] && cp -n "$seeds/$name"/* "$corpus"/ 2>/dev/null
	done
	# A crashing input lands in build/fuzz/artifacts/, named in the output.
	mkdir -p "$BUILD/fuzz/artifacts"
	"$1" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
		-artifact_prefix="$BUILD/fuzz/artifacts/$name-" "$corpus" 2>&1 | tail -n 4
	return "${PIPESTATUS[0]}"
}
fail_stage() {	# sentence
	echo "=== $1"
	failed=$((failed + 1))
	failures+=("$1")
}
# The fuzzers the build must hold, one per line from `make print-fuzzers`
# (a path, build/ being $BUILD, or a name in $BUILD/fuzz/): a missing one
# fails its stage.
if wanted fuzz; then
	if ! fuzzers=$(make --no-print-directory -s print-fuzzers BUILD="$BUILD") || [ -z "$fuzzers" ]; then
		fail_stage "fuzzers: 'make print-fuzzers' listed no fuzzer"
	else
		while read -r f; do
			[ -n "$f" ] || continue
			case $f in
			/*) ;;
			build/*) f=$BUILD/${f#build/} ;;
			*/*) f=$PWD/$f ;;
			*) f=$BUILD/fuzz/$f ;;
			esac
			name=$(basename "$f")
			if [ -x "$f" ] && [ -f "$f" ]; then
				stage "fuzzer $name (${FUZZ_SECONDS} s)" fuzz "$f"
			else
				fail_stage "fuzzer $name is not built: no executable '$f' ('make fuzzers' builds it)"
			fi
		done <<< "$fuzzers"
	fi
fi

if wanted style; then
	# make check, one stage per check (check.mk).
	stage "kernel style (checkpatch.pl)" make --no-print-directory check-kernel
	stage "kernel-doc" make --no-print-directory check-kernel-doc
	stage "module built with W=1" make --no-print-directory check-w1
	stage "shell scripts (shellcheck)" make --no-print-directory check-shell
	stage "docs/design.md names code that exists" make --no-print-directory check-design
fi
# The packaged module as DKMS builds it, in private trees (kernel/dkms.mk).
if wanted dkms; then
	while read -r kver; do
		kdir=$(make --no-print-directory -s print-env LB_ENV="$KERNELS_DIR/$kver/env.mk" | sed -n 's/^KDIR=//p')
		stage "DKMS build for $kver" tests/dkms-build.sh "$kver" "$kdir"
	done < <(make --no-print-directory -s print-test-kvers)
fi

if wanted vm; then
	vm_args=()
	for k in ${VM_TESTS:-}; do vm_args+=(-k "$k"); done
	vm_log=$BUILD/vm-tests.log
	mkdir -p "$BUILD"
	/usr/bin/python3 tests/vm/run.py "${vm_args[@]}" | tee "$vm_log"
	vm_rc=${PIPESTATUS[0]}
	vm_passed=$(grep -c '^ok - ' "$vm_log")
	vm_failed=$(grep -c '^not ok - ' "$vm_log")
	passed=$((passed + vm_passed))
	failed=$((failed + vm_failed))
	if [ "$vm_rc" -ne 0 ] && [ "$vm_failed" -eq 0 ]; then
		failed=$((failed + 1))
		failures+=("VM test runner (status $vm_rc)")
	fi
	while read -r line; do failures+=("${line#not ok - }"); done < <(grep '^not ok - ' "$vm_log")
	# Dump checks a VM test could not run: counted as skipped, never as passed.
	skipped=$((skipped + $(grep -c '^skip - ' "$vm_log")))
fi

echo
for f in "${failures[@]+"${failures[@]}"}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
