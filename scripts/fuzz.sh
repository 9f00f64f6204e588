#!/bin/sh
# Build the libFuzzer targets with clang + ASan/UBSan and run each for
# FUZZ_SECONDS (default 60) from the seed corpus in tests/fuzz/corpus.
# New inputs go to build-fuzz/corpus-*/ (not committed); crashes to
# build-fuzz/crash-*.
set -eu
SECS=${FUZZ_SECONDS:-60}
B=build-fuzz
if [ ! -f $B/build.ninja ]; then
	CC=clang meson setup $B -Dfuzz=true -Dtests=false -Db_lundef=false
fi
ninja -C $B tests/fuzz/fuzz_config tests/fuzz/fuzz_packet
sh scripts/hugepages.sh >/dev/null 2>&1 || true
for t in config packet; do
	mkdir -p $B/corpus-$t
	echo "fuzz: $t for ${SECS}s"
	$B/tests/fuzz/fuzz_$t -max_total_time="$SECS" -max_len=4096 \
		-artifact_prefix=$B/crash-$t- $B/corpus-$t tests/fuzz/corpus/$t
done
