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
ninja -C $B tests/fuzz/fuzz_config tests/fuzz/fuzz_packet tests/fuzz/fuzz_api \
	tests/fuzz/fuzz_lpm tests/fuzz/fuzz_rtnl tests/fuzz/fuzz_acl
sh scripts/hugepages.sh >/dev/null 2>&1 || true
rc=0
for t in config packet api lpm rtnl acl; do
	mkdir -p $B/corpus-$t
	echo "fuzz: $t for ${SECS}s"
	$B/tests/fuzz/fuzz_$t -max_total_time="$SECS" -max_len=4096 \
		-print_final_stats=1 -artifact_prefix=$B/crash-$t- \
		$B/corpus-$t tests/fuzz/corpus/$t 2>$B/fuzz-$t.log || rc=1
	grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|SUMMARY)" \
		$B/fuzz-$t.log || true
	[ $rc = 0 ] || { tail -40 $B/fuzz-$t.log; exit 1; }
done
