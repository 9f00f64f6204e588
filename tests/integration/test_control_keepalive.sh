#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# ixgate-control keeps its API connection to the dataplane alive: the
# dataplane gives the API of a client quiet for --api-idle-timeout to
# another client that asks (a stale control plane never locks it), so the
# daemon says GET_STATE three times within that timeout (every 20 s at
# most). With a 3 s timeout and 8 s of nothing to commit, another API
# client is still refused and the daemon never lost its connection.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$GEN"
need_file "$CTLD"
need_file "$CTL"
APITOOL=$BUILD/tools/ixgate-apitool
need_file "$APITOOL"

timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count 1024 \
	--seed 3 --port p0 >/dev/null || fail "ixgate-pcapgen"
copy_config "net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1" "net_null1,no-rx=1"
# --duration is a ceiling only: the test stops the dataplane (at 40 s a
# run under load could outlive it and find no dataplane).
start_dp 900 "$TMP/live.json" --api-idle-timeout 3
start_ctld
wait_for 60 grep -qE '"result": "(ok|adopted)"' "$AUDIT" ||
	{ cat "$TMP/ctld.err" >&2; fail "no first commit or adoption"; }
sleep 8
rc=0
"$APITOOL" --socket "$API_SOCK" state >"$TMP/other.out" 2>&1 || rc=$?
assert_contains "another client is refused: the daemon is not idle" \
	"$TMP/other.out" "^status busy"
grep -q "gives the API" "$TMP/dp.err" &&
	fail "the dataplane gave the daemon's API away: $(grep 'gives the API' "$TMP/dp.err")"
grep -q "dataplane disconnected" "$TMP/ctld.err" &&
	fail "the daemon lost its connection: $(grep 'dataplane disconnected' "$TMP/ctld.err")"
log "ok: 8 s with a 3 s idle timeout, the daemon kept the API"
assert_eq "connected" true "$(ctl --json show generation | python3 -c 'import json,sys; print(str(json.load(sys.stdin)["dataplane_connected"]).lower())')"
kill -TERM "$CTLD_PID"
wait "$CTLD_PID" 2>/dev/null
# Once the daemon is gone, another client gets the API: freed because the
# daemon left, not given away by the idle timeout (no "gives the API"
# line). Polled, not one try after a fixed 0.5 s: under load the
# dataplane's API thread may see the close later.
wait_for 10 "$APITOOL" --socket "$API_SOCK" state ||
	{ "$APITOOL" --socket "$API_SOCK" state >"$TMP/after.out" 2>&1
	  fail "the API is not free once the daemon left: $(cat "$TMP/after.out")"; }
grep -q "gives the API" "$TMP/dp.err" &&
	fail "the idle timeout gave the API away, the daemon's leaving did not free it: $(grep 'gives the API' "$TMP/dp.err")"
kill -TERM "$DP_PID"
wait "$DP_PID"
check_invariant "$TMP/live.json"
echo "PASS"
