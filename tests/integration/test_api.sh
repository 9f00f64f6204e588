#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_api.sh: the dataplane's API socket, driven by ixgate-apitool while
# traffic flows.
#
# p0 = net_pcap replaying a generated capture forever (infinite_rx), p1 =
# net_null. Steps: hello (capacities, generation 1, counters memfd), a
# commit of the same config (generation 2), refused commits (a bad object,
# a port change: INVALID, generation unchanged), malformed messages (the
# dataplane answers or hangs up, and survives), a second client (BUSY),
# headless in telemetry while nobody is connected. Forwarding must go on
# through all of it, and the counter invariant hold at the end.
source "$(dirname "$0")/lib.sh"

need_tools
need_file "$GEN"
APITOOL=$BUILD/tools/ixgate-apitool
need_file "$APITOOL"
[ -w /var/run ] || skip "cannot create the EAL runtime directory"

CONF=$SRC/tests/integration/configs/telemetry.conf
PREFIX=$(eal_prefix)
RUNDIR=/var/run/dpdk/$PREFIX
TEL_SOCK=$RUNDIR/dpdk_telemetry.v2
API=$TMP/run/ixgate/dataplane.sock # directory created by the dataplane

"$GEN" --config "$CONF" --out "$TMP/in.pcap" --count 500 --seed 5 \
	--port p0 --expect "$TMP/expect.json" >/dev/null 2>&1 ||
	fail "ixgate-pcapgen failed"

cleanup_rundir() { rm -rf "$RUNDIR"; }
trap 'ixg_cleanup; cleanup_rundir' EXIT

log "starting the dataplane (API on $API)"
# timeout(1) is a ceiling only: the test stops the dataplane (at 120 s a
# run under load could outlive it).
# shellcheck disable=SC2046
bg timeout 900 "$DP" -l 0,1 $(eal_mem_args) --no-pci --log-level='*:error' \
	--file-prefix="$PREFIX" -- --config "$CONF" \
	--device "p0=net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1" \
	--device "p1=net_null0" \
	--api-socket "$API" --json-out "$TMP/final.json" \
	>"$TMP/dp.out" 2>"$TMP/dp.err"
DP_PID=$BG_PID

for _ in $(seq 1 150); do
	[ -S "$API" ] && break
	kill -0 "$DP_PID" 2>/dev/null || { cat "$TMP/dp.err" >&2; fail "dataplane exited early"; }
	sleep 0.2
done
[ -S "$API" ] || fail "API socket $API never appeared"
assert_eq "socket mode" "600" "$(stat -c %a "$API")"
assert_eq "socket directory mode" "700" "$(stat -c %a "$(dirname "$API")")"

api() { "$APITOOL" --socket "$API" "$@"; }
# field FILE KEY: the value of "KEY value" in an apitool output
field() { awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$1"; }

# Telemetry /ixgate/info field, or "" if the socket does not answer.
tel_info() {
	python3 - "$TEL_SOCK" "$1" <<'EOF' 2>/dev/null
import json, socket, sys, time
deadline = time.time() + 10
while True:
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(5)
        s.connect(sys.argv[1])
        break
    except OSError:
        s.close()
        if time.time() > deadline:
            sys.exit(1)
        time.sleep(0.2)
json.loads(s.recv(65536).decode())
s.send(b"/ixgate/info")
print(json.loads(s.recv(1 << 20).decode())["/ixgate/info"][sys.argv[2]])
EOF
}

# Forwarded packets so far, read through the counters memfd the hello hands
# over: must keep growing between steps.
forwarded() {
	api hello >"$TMP/h.out" || fail "hello failed"
	field "$TMP/h.out" counters_rx_packets
}
LAST_RX=0
assert_traffic_flows() {
	local now
	sleep 0.5
	now=$(forwarded)
	[ "$now" -gt "$LAST_RX" ] || fail "$1: rx counters stuck at $now"
	log "ok: traffic flows after $1 (rx $LAST_RX -> $now)"
	LAST_RX=$now
}

log "1. hello"
api hello >"$TMP/hello.out" || fail "hello failed"
assert_eq "hello status" ok "$(field "$TMP/hello.out" status)"
assert_eq "generation at start" 1 "$(field "$TMP/hello.out" generation)"
assert_eq "was_headless on the first connection" 0 "$(field "$TMP/hello.out" was_headless)"
# The bootstrap runs --config: its digest is that of its files (one here),
# as ixgate-control computes it, so a control plane on them adopts.
assert_eq "bootstrap sha256 (the --config file's)" "$(sha256sum <"$CONF" | cut -d' ' -f1)" "$(field "$TMP/hello.out" config_sha256)"
assert_eq "cap.peers" 4096 "$(field "$TMP/hello.out" cap.peers)"
assert_eq "cap.routes4" 2097152 "$(field "$TMP/hello.out" cap.routes4)"
assert_eq "cap.routes6" 524288 "$(field "$TMP/hello.out" cap.routes6)"
assert_eq "cap.acl_rules" 65536 "$(field "$TMP/hello.out" cap.acl_rules)"
assert_eq "counters memfd" mapped "$(field "$TMP/hello.out" counters_fd)"
assert_eq "counter blocks (1 worker + control)" 2 "$(field "$TMP/hello.out" counters_blocks)"
assert_traffic_flows "hello"

log "2. commit the same config again"
api commit "$CONF" >"$TMP/commit1.out" || { cat "$TMP/commit1.out"; fail "commit failed"; }
assert_eq "commit status" ok "$(field "$TMP/commit1.out" status)"
assert_eq "generation after commit" 2 "$(field "$TMP/commit1.out" generation)"
api state >"$TMP/state.out" || fail "state failed"
assert_eq "state generation" 2 "$(field "$TMP/state.out" generation)"
assert_eq "state sha256 = the config's" \
	"$(sha256sum "$CONF" | cut -d' ' -f1)" "$(field "$TMP/state.out" config_sha256)"
api hello >"$TMP/hello2.out"
assert_eq "was_headless after a previous client left" 1 "$(field "$TMP/hello2.out" was_headless)"
assert_traffic_flows "commit"

log "3. a commit with a bad object is refused, nothing changes"
rc=0
api commit "$CONF" --break peer-port >"$TMP/bad.out" || rc=$?
assert_eq "apitool exit on refusal" 1 "$rc"
assert_eq "bad commit status" invalid "$(field "$TMP/bad.out" status)"
assert_eq "bad commit generation (unchanged)" 2 "$(field "$TMP/bad.out" generation)"
assert_eq "bad commit err_table" peers "$(field "$TMP/bad.out" err_table)"
assert_eq "bad commit err_index" 0 "$(field "$TMP/bad.out" err_index)"
assert_contains "message names the peer and the port" "$TMP/bad.out" \
	"^message peer [0-9]+ 'west' \(origin [0-9]+\): port 31 does not exist"

rc=0
api commit "$CONF" --break route-peer >"$TMP/bad2.out" || rc=$?
assert_eq "route to a missing peer" invalid "$(field "$TMP/bad2.out" status)"
assert_eq "route error table" routes4 "$(field "$TMP/bad2.out" err_table)"

# A port change needs a restart in this increment.
sed 's/mac 02:00:00:00:88:02;/mac 02:00:00:00:88:02;\n\tmtu 9000;/' "$CONF" >"$TMP/mtu.conf"
rc=0
api commit "$TMP/mtu.conf" >"$TMP/bad3.out" || rc=$?
assert_eq "port change status" invalid "$(field "$TMP/bad3.out" status)"
assert_eq "port change table" ports "$(field "$TMP/bad3.out" err_table)"
assert_contains "port change message" "$TMP/bad3.out" "port 1 'p1'.*MTU changed: needs a dataplane restart"
api state >"$TMP/state2.out"
assert_eq "generation after refusals" 2 "$(field "$TMP/state2.out" generation)"
assert_traffic_flows "refused commits"

log "4. malformed messages"
# The header's version field (16 bits, little-endian) as this build speaks it.
APIV=$(awk '/#define IXG_API_VERSION/ { print $3; exit }' "$SRC/common/ixg_api.h")
V=$(printf '%02x%02x' $((APIV & 255)) $((APIV >> 8)))
BADV=$(printf '%02x%02x' $(((APIV + 1) & 255)) $(((APIV + 1) >> 8)))
{
	echo "# bad magic"
	echo "deadbeef $V 0900 10000000 01000000"
	echo "# header says 99 bytes, 16 sent"
	echo "49584741 $V 0900 63000000 02000000"
	echo "# wrong version"
	echo "49584741 $BADV 0900 10000000 03000000"
	echo "# unknown type 77, then a good get_state on the same connection"
	echo "49584741 $V 4d00 10000000 04000000"
	echo "49584741 $V 0900 10000000 05000000"
	echo "# commit without a transaction"
	echo "49584741 $V 0600 10000000 06000000"
	echo "# 5 bytes"
	echo "4958474101"
} >"$TMP/raw.hex"
# Each line on its own connection: framing errors make the dataplane hang up.
grep -v '^#' "$TMP/raw.hex" | while read -r line; do
	echo "$line" >"$TMP/one.hex"
	api send-raw "$TMP/one.hex" >>"$TMP/raw.out" 2>&1
done
cat "$TMP/raw.out"
[ "$(grep -c '^status bad_message' "$TMP/raw.out")" -ge 3 ] ||
	fail "expected bad_message for bad magic, lying length and 5 bytes"
assert_contains "wrong version" "$TMP/raw.out" "^status bad_version"
assert_contains "unknown type" "$TMP/raw.out" "^status unknown_type"
assert_contains "commit without txn" "$TMP/raw.out" "^status no_txn"
# unknown type keeps the connection: the next message is answered
grep -v '^#' "$TMP/raw.hex" | sed -n '4,5p' >"$TMP/two.hex"
api send-raw "$TMP/two.hex" >"$TMP/two.out"
assert_contains "connection kept after an unknown type" "$TMP/two.out" "^reply state"
# a message longer than IXG_MSG_MAX
python3 -c 'import sys; print("49584741 " + sys.argv[1] + " 0100 10200000 07000000" + "00" * 8192)' "$V" >"$TMP/big.hex"
api send-raw "$TMP/big.hex" >"$TMP/big.out" 2>&1
assert_contains "oversized message" "$TMP/big.out" "^status bad_message|^closed"
kill -0 "$DP_PID" 2>/dev/null || fail "dataplane died on malformed input"
api state >"$TMP/state3.out" || fail "no answer after malformed input"
assert_eq "generation after malformed input" 2 "$(field "$TMP/state3.out" generation)"
assert_traffic_flows "malformed messages"

log "5. one client at a time; headless when none"
# The holder stays until killed (not a fixed time a loaded machine could
# outlast before the checks below).
"$APITOOL" --socket "$API" hold 60 >"$TMP/hold.out" &
HOLD=$!
for _ in $(seq 1 100); do
	grep -q "^status ok" "$TMP/hold.out" && break
	sleep 0.1
done
grep -q "^status ok" "$TMP/hold.out" || fail "the holder got no HELLO answer"
rc=0
api state >"$TMP/busy.out" 2>&1 || rc=$?
assert_contains "second client is refused" "$TMP/busy.out" "^status busy"
assert_eq "headless while a client holds the API" 0 "$(tel_info headless)"
kill "$HOLD"
wait "$HOLD" 2>/dev/null
sleep 0.3
assert_eq "headless once it left" 1 "$(tel_info headless)"
assert_contains "headless logged" "$TMP/dp.err" \
	"control plane disconnected: headless, forwarding with generation 2"
assert_traffic_flows "disconnect"

log "stopping the dataplane"
kill -INT "$DP_PID"
rc=0
wait "$DP_PID" || rc=$?
assert_eq "exit status" 0 "$rc"
[ -e "$API" ] && fail "socket $API left behind"
assert_contains "invariant" "$TMP/dp.err" "invariant rx == tx \+ local \+ punted \+ drops: .*: ok"
extract_json "$TMP/final.json"
check_invariant "$TMP/final.json.json"
echo "PASS"
