#!/bin/sh
# Build the libFuzzer targets with clang, ASan and UBSan (the libraries under
# test instrumented for coverage too) and run each for FUZZ_SECONDS (default
# 60) from the seed corpus in tests/fuzz/corpus. New inputs go to
# build-fuzz/corpus-*/ (not committed); crashes to build-fuzz/crash-*.
# Reproduce a crash: build-fuzz/tests/fuzz/fuzz_config build-fuzz/crash-...
set -eu
SECS=${FUZZ_SECONDS:-60}
B=build-fuzz
if [ ! -f $B/build.ninja ]; then
	CC=clang meson setup $B -Dfuzz=true -Dtests=false -Db_lundef=false \
		-Db_sanitize=address,undefined \
		-Dc_args=-fsanitize=fuzzer-no-link
fi
# Every target has a seed corpus, tests/fuzz/corpus/NAME for fuzz_NAME:
# that directory list is the list of targets (FUZZ_TARGETS narrows it).
TARGETS=${FUZZ_TARGETS:-$(ls tests/fuzz/corpus)}
# shellcheck disable=SC2086
ninja -C $B $(for t in $TARGETS; do printf 'tests/fuzz/fuzz_%s ' "$t"; done)
sh scripts/hugepages.sh >/dev/null 2>&1 || true
rc=0
for t in $TARGETS; do
	mkdir -p $B/corpus-$t
	echo "fuzz: $t for ${SECS}s"
	$B/tests/fuzz/fuzz_$t -max_total_time="$SECS" -max_len=4096 \
		-print_final_stats=1 -artifact_prefix=$B/crash-$t- \
		$B/corpus-$t tests/fuzz/corpus/$t 2>$B/fuzz-$t.log || rc=1
	grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|SUMMARY)" \
		$B/fuzz-$t.log || true
	[ $rc = 0 ] || { tail -40 $B/fuzz-$t.log; exit 1; }
done
