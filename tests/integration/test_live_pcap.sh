#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The real dataplane (ports, a worker lcore, TX buffering) on virtual
# devices: p0 = net_pcap reading a finite generated capture and writing what
# it sends to a pcap file, p1 = net_null (no-rx=1: it would otherwise
# receive endless zero frames). After --duration 3 the final
# counters must equal offline replay's for the same capture (every drop
# reason, per-peer rx/tx), the invariant must hold, p0 must have received
# every packet of the capture, and the TX pcap must hold exactly what the
# counters say left through p0 (forwarded out of p0, answered on p0, ICMP
# errors generated).
. "$(dirname "$0")/lib.sh"
need_tools
need_file "$GEN"
need_file "$DEMO_CONF"

COUNT=4096
timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count $COUNT \
	--seed 7 --port p0 --expect "$TMP/expect.json" || fail "ixgate-pcapgen"

timeout 120 "$DP" --replay "$TMP/in.pcap" --config "$DEMO_CONF" --port p0 \
	>"$TMP/replay.out" 2>"$TMP/replay.err" ||
	{ cat "$TMP/replay.err" >&2; fail "replay"; }
extract_json "$TMP/replay.out"

# shellcheck disable=SC2046 # word splitting of the EAL memory arguments
timeout 60 "$DP" -l 0,1 $(eal_mem_args) --no-pci --file-prefix "$(eal_prefix)" \
	--log-level='*:warning' -- \
	--config "$DEMO_CONF" \
	--device "p0=net_pcap0,rx_pcap=$TMP/in.pcap,tx_pcap=$TMP/tx.pcap" \
	--device "p1=net_null1,no-rx=1" \
	--duration 3 --json-out "$TMP/live.json" \
	>"$TMP/live.out" 2>"$TMP/live.err"
rc=$?
if [ $rc -ne 0 ]; then
	tail -20 "$TMP/live.err" >&2
	if grep -qiE 'cannot (init|allocate) memory|no free hugepages' "$TMP/live.err"; then
		skip "EAL could not get memory"
	fi
	fail "dataplane exited $rc"
fi
[ -s "$TMP/live.json" ] || fail "no --json-out written"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/live.json" ||
	fail "live JSON is not valid"

check_invariant "$TMP/live.json"
assert_eq "p0 received every packet of the capture" $COUNT \
	"$(json_get "$TMP/live.json" ports.p0.rx_packets)"
compare_counters "$TMP/replay.out.json" "$TMP/live.json" "live vs replay"
compare_counters "$TMP/expect.json" "$TMP/live.json" "live vs generator"

sent=$(python3 - "$TMP/live.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
p = j["ports"]["p0"]
# ICMP errors the node generates leave through the ingress port, p0.
print(p["tx_packets"] + p["local_packets"] + j.get("icmp_generated", 0))
PY
)
assert_eq "frames in p0's TX pcap" "$sent" "$(pcap_count "$TMP/tx.pcap")"
echo "PASS"
