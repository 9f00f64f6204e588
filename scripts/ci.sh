#!/bin/sh
# The checks CI runs beyond `make test` (which .ci/run calls first, gcc with
# warnings as errors). Each step is timed; the first failure stops the run.
#
#   format   every tracked C file is as .clang-format prints it
#   clang    clang build, warnings as errors, unit + config suites
#   asan     clang ASan+UBSan build (leak detection on): the suites in
#            ASAN_SUITES (default: unit config integration)
#   fuzz     every libFuzzer target for FUZZ_SECONDS (default 10) from the
#            committed corpus
#
# Usage: sh scripts/ci.sh [STEP...]   (default: every step, in that order)
# Build directories: build-clang, build-asan, build-fuzz (reused if present).
set -eu
cd "$(dirname "$0")/.."

steps=${*:-format clang asan fuzz}
start_all=$(date +%s)

step_format() {
	# shellcheck disable=SC2046
	bad=$(clang-format --dry-run $(git ls-files '*.c' '*.h') 2>&1 |
		sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: warning: code should be.*/\1/p' |
		sort -u)
	if [ -n "$bad" ]; then
		echo "format: not as .clang-format prints them (clang-format -i FILE):"
		echo "$bad" | sed 's/^/  /'
		return 1
	fi
}

step_clang() {
	[ -f build-clang/build.ninja ] ||
		CC=clang meson setup build-clang -Dwerror=true >/dev/null
	ninja -C build-clang >/dev/null
	meson test -C build-clang --print-errorlogs --num-processes 2 \
		--suite unit --suite config
}

step_asan() {
	[ -f build-asan/build.ninja ] ||
		CC=clang meson setup build-asan -Dwerror=true \
			-Db_sanitize=address,undefined -Db_lundef=false \
			>/dev/null
	ninja -C build-asan >/dev/null
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --print-errorlogs --num-processes 2 \
		$(for s in ${ASAN_SUITES:-unit config integration}; do
			printf -- '--suite %s ' "$s"; done)
}

step_fuzz() {
	FUZZ_SECONDS=${FUZZ_SECONDS:-10} sh scripts/fuzz.sh
}

for s in $steps; do
	t0=$(date +%s)
	echo "ci: $s"
	if ! "step_$s"; then
		echo "ci: $s FAILED after $(($(date +%s) - t0)) s"
		exit 1
	fi
	echo "ci: $s ok in $(($(date +%s) - t0)) s"
done
echo "ci: all steps ok in $(($(date +%s) - start_all)) s"
