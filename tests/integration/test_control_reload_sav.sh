#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_control_reload_sav.sh: one member's prefix file reloaded on a live
# dataplane changes the sources it may send from, and the dataplane patches
# its source-validation FIB from the running one over the changed prefix
# (doc/operations.md, "What a reload costs"). configs/reload_sav.conf:
# member ma (p0, strict) announces prefixes/ma.txt (198.51.100.0/24 and
# 1,000 other /24s); its replayed stream is sourced from 100.64.1.10
# towards mb's 203.0.113.5. Then:
#  - 100.64.1.0/24 not in ma's file: the stream drops source_invalid;
#  - the prefix appended, `ixgatectl reload`: the build line of that
#    generation says sav4 patched, mb receives the stream and
#    source_invalid stops growing (sources4 goes sorted by prefix and
#    peer: whole, since the dataplane booted the config itself and the
#    daemon adopted it, so the sav part finds the changed prefix by
#    comparing the sorted tables);
#  - the file put back (atomic rename), reload: sources4 sent as one
#    (prefix, peer) edit against the table the first reload sent
#    (TXN_DELTA), sav4 patched again, the stream drops source_invalid
#    again, mb receives nothing more.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_file "$CTLD"
need_file "$CTL"

member_pcap "$TMP/in.pcap" 100.64.1.10

rm -f "$API_SOCK" "$CTL_SOCK" "$AUDIT"
mkdir -p "$CONF_DIR/prefixes"
CONF=$CONF_DIR/reload_sav.conf
sed "s|DEV0|net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1|; s|DEV1|net_null1,no-rx=1|" \
	"$SRC/tests/integration/configs/reload_sav.conf" >"$CONF"
{
	echo "198.51.100.0/24"
	for i in $(seq 0 999); do echo "10.$((i / 256)).$((i % 256)).0/24"; done
} >"$CONF_DIR/prefixes/ma.txt"
cp "$CONF_DIR/prefixes/ma.txt" "$TMP/orig.txt"
chmod -R go-w "$CONF_DIR"

# --duration is a ceiling only, not a clock the test races (at 240 s a
# run under ASan at load could outlive it): the test stops it (SIGTERM), and
# meson's timeout bounds the test.
start_dp 900 "$TMP/live.json"
sleep 2.1 # the digest cache's racy rule: let the files' times age
start_ctld
wait_for 60 grep -qE '"result": "(ok|adopted)"' "$AUDIT" ||
	{ cat "$TMP/ctld.err" >&2; fail "no first commit"; }

# build_line GEN: the dataplane's build line of generation GEN
build_line() {
	grep "generation $1 built in" "$TMP/dp.err"
}

log "100.64.1.0/24 not ma's: source_invalid"
grows drops source_invalid || fail "ma's stream from 100.64.1.10 not dropped source_invalid"
still peer_tx mb || fail "mb receives ma's unvalidated stream"

log "100.64.1.0/24 appended to ma's file"
g0=$(generation)
echo "100.64.1.0/24" >>"$CONF_DIR/prefixes/ma.txt"
ctl reload >"$TMP/r1.out" 2>&1 || { cat "$TMP/r1.out" >&2; fail "reload (add)"; }
log "$(cat "$TMP/r1.out")"
assert_contains "only routes4 and sources4 sent" "$TMP/r1.out" \
	"; sent routes4 [^,]*, sources4 [^,]*$"
g1=$(generation)
assert_eq "generation after the edit" $((g0 + 1)) "$g1"
build_line "$g1" >"$TMP/b1.txt" || fail "no build line for generation $g1"
log "$(cat "$TMP/b1.txt")"
assert_contains "sav4 patched from the running FIB" "$TMP/b1.txt" "sav4 patched"
grows peer_tx mb || fail "ma's stream not forwarded once ma may source it"
wait_for 10 still drops source_invalid || fail "source_invalid still grows"

log "the file put back: source_invalid again"
cp "$TMP/orig.txt" "$CONF_DIR/prefixes/.ma.txt.new"
mv "$CONF_DIR/prefixes/.ma.txt.new" "$CONF_DIR/prefixes/ma.txt"
ctl reload >"$TMP/r2.out" 2>&1 || { cat "$TMP/r2.out" >&2; fail "reload (put back)"; }
log "$(cat "$TMP/r2.out")"
assert_contains "sources4 sent as one (prefix, peer) edit" "$TMP/r2.out" \
	"; sent routes4 [^,]*, sources4 as 1 edit"
g2=$(generation)
assert_eq "generation after the put-back" $((g0 + 2)) "$g2"
build_line "$g2" >"$TMP/b2.txt" || fail "no build line for generation $g2"
assert_contains "sav4 patched again" "$TMP/b2.txt" "sav4 patched"
grows drops source_invalid || fail "source_invalid does not grow after the put-back"
wait_for 10 still peer_tx mb || fail "mb still receives ma's stream"

kill -TERM "$DP_PID"
wait "$DP_PID" || fail "dataplane exited non-zero"
check_invariant "$TMP/live.json"
kill "$CTLD_PID" 2>/dev/null
wait "$CTLD_PID" 2>/dev/null
echo "PASS"
