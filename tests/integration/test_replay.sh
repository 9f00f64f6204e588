#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Offline replay of generated cross-border traffic under config/demo.conf:
# the dataplane's counters must equal what the generator's independent
# reference model says the config implies (rx, tx, local, every drop reason,
# per-peer rx/tx), for the traffic of each port, and the invariant
# rx == tx + local + sum(drops) must hold.
. "$(dirname "$0")/lib.sh"
need_tools
need_file "$GEN"
need_file "$DEMO_CONF"

for port in p0 p1; do
	log "port $port"
	timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/$port.pcap" \
		--count 4096 --seed 42 --port "$port" \
		--expect "$TMP/$port.expect.json" ||
		fail "ixgate-pcapgen for $port"
	n=$(pcap_count "$TMP/$port.pcap")
	assert_eq "$port: generated packets" 4096 "$n"

	timeout 120 "$DP" --replay "$TMP/$port.pcap" --config "$DEMO_CONF" \
		--port "$port" >"$TMP/$port.out" 2>"$TMP/$port.err" ||
		{ cat "$TMP/$port.err" >&2; fail "replay of $port failed"; }
	extract_json "$TMP/$port.out"
	check_invariant "$TMP/$port.out.json"
	compare_counters "$TMP/$port.expect.json" "$TMP/$port.out.json" \
		"replay $port"
	assert_eq "$port: rx_packets" 4096 \
		"$(json_get "$TMP/$port.out.json" rx_packets)"
	assert_eq "$port: rx at port $port" 4096 \
		"$(json_get "$TMP/$port.out.json" "ports.$port.rx_packets")"
	# Real-shaped traffic: most of it crosses the exchange.
	python3 - "$TMP/$port.out.json" <<'PY' || fail "$port: traffic shape"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["tx_packets"] > j["rx_packets"] // 2, "less than half forwarded"
assert len(j["country_pairs"]) >= 2, "fewer than 2 country pairs"
assert len(j["peer_pairs"]) >= 2, "fewer than 2 peer pairs"
print("# ok: %d forwarded, %d country pairs, %d peer pairs" %
      (j["tx_packets"], len(j["country_pairs"]), len(j["peer_pairs"])))
PY
done

# The same capture replayed twice gives the same bytes (deterministic).
timeout 120 "$DP" --replay "$TMP/p0.pcap" --config "$DEMO_CONF" --port p0 \
	>"$TMP/again.out" 2>/dev/null || fail "second replay"
extract_json "$TMP/again.out"
cmp -s "$TMP/p0.out.json" "$TMP/again.out.json" ||
	fail "two replays of the same capture printed different counters"
log "ok: replay is deterministic"

# pcapng (what dpdk-dumpcap, Wireshark and tshark write): the same capture
# converted by editcap replays to the same counters, byte for byte.
if command -v editcap >/dev/null; then
	editcap -F pcapng "$TMP/p0.pcap" "$TMP/p0.pcapng" ||
		fail "editcap -F pcapng"
	timeout 120 "$DP" --replay "$TMP/p0.pcapng" --config "$DEMO_CONF" \
		--port p0 >"$TMP/ng.out" 2>"$TMP/ng.err" ||
		{ cat "$TMP/ng.err" >&2; fail "replay of the pcapng capture"; }
	extract_json "$TMP/ng.out"
	cmp -s "$TMP/p0.out.json" "$TMP/ng.out.json" ||
		fail "the pcapng capture replayed to other counters"
	log "ok: the capture as pcapng replays to the same counters"
else
	log "editcap not installed: pcapng replay not tested"
fi
echo "PASS"
