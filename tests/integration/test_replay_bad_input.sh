#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Command-line and input mistakes: a usage message or an error naming the
# file, and the right exit status; never a crash.
#   not a pcap, truncated pcap record, missing pcap  -> exit 1, names the file
#   missing config, config with an error             -> exit 1, file:line:col
#   unknown flag, missing argument, unknown port     -> usage, exit 2 (port: 1)
. "$(dirname "$0")/lib.sh"
need_tools
need_file "$DEMO_CONF"
HERE=$SRC/tests/integration
python3 "$HERE/trace_frames.py" "$TMP/good.pcap" || fail "building frames"

# run NAME EXPECTED_RC PATTERN ARGS...: exit status and a stderr line.
run() {
	local name=$1 want=$2 pat=$3 rc
	shift 3
	rc=0
	timeout 60 "$DP" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || rc=$?
	if [ "$rc" -ge 124 ]; then
		cat "$TMP/$name.err" >&2
		fail "$name: crashed or hung (exit $rc)"
	fi
	assert_eq "$name: exit status" "$want" "$rc"
	assert_contains "$name: message" "$TMP/$name.err" "$pat"
	if grep -q '^{' "$TMP/$name.out"; then
		fail "$name: printed counters although it failed"
	fi
}

echo "this is not a capture" >"$TMP/text.pcap"
run not_pcap 1 "text\.pcap" --replay "$TMP/text.pcap" --config "$DEMO_CONF"

run missing_pcap 1 "nonexistent\.pcap" \
	--replay "$TMP/nonexistent.pcap" --config "$DEMO_CONF"

# A capture cut in the middle of its third record.
head -c $((24 + 2 * (16 + 60) + 16 + 10)) "$TMP/good.pcap" >"$TMP/cut.pcap"
run truncated 1 "cut\.pcap.*(record|3)" \
	--replay "$TMP/cut.pcap" --config "$CONFIGS/trace.conf"

run missing_config 1 "nonexistent\.conf" \
	--replay "$TMP/good.pcap" --config "$TMP/nonexistent.conf"

run bad_config 1 "bad\.conf:10:[0-9]+: error" \
	--replay "$TMP/good.pcap" --config "$CONFIGS/bad.conf"

run unknown_flag 2 "[Uu]sage" --replay "$TMP/good.pcap" \
	--config "$DEMO_CONF" --no-such-flag
run missing_arg 2 "[Uu]sage" --replay "$TMP/good.pcap" --config
run no_config 2 "[Uu]sage|--config" --replay "$TMP/good.pcap"

run unknown_port 1 "no port named 'p9'" --replay "$TMP/good.pcap" \
	--config "$CONFIGS/trace.conf" --port p9

# --out into a directory that does not exist.
run bad_out 1 "nope/out\.pcap" --replay "$TMP/good.pcap" \
	--config "$CONFIGS/trace.conf" --out "$TMP/nope/out.pcap"
echo "PASS"
