#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# net_ring on the dataplane's second port. A net_ring vdev without
# arguments is one rte_ring used as both its TX and RX queue (DPDK
# drivers/net/ring: eth_dev_ring_create, "ETH_RXTX<q>_<name>"), so what the
# dataplane transmits on it comes back as received there. Nothing outside
# the process can reach an in-memory ring, so the traffic enters on p0
# (net_pcap, finite generated capture) and the test checks the round trip:
#   - every frame forwarded out of p1 is received back on p1 (rx == tx),
#     i.e. TX buffering, draining and the ring PMD lost nothing;
#   - those frames, addressed to the peers' MACs, are dropped at p1 as
#     dmac_mismatch, never forwarded again (no loop);
#   - p1 transmitted exactly what offline replay says leaves through p1;
#   - the invariant rx == tx + local + drops holds overall and per port.
. "$(dirname "$0")/lib.sh"
need_tools
need_file "$GEN"
need_file "$DEMO_CONF"

COUNT=4096
timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count $COUNT \
	--seed 11 --port p0 || fail "ixgate-pcapgen"
timeout 120 "$DP" --replay "$TMP/in.pcap" --config "$DEMO_CONF" --port p0 \
	>"$TMP/replay.out" 2>"$TMP/replay.err" ||
	{ cat "$TMP/replay.err" >&2; fail "replay"; }
extract_json "$TMP/replay.out"
want_p1=$(json_get "$TMP/replay.out.json" ports.p1.tx_packets)
[ "$want_p1" -gt 0 ] || fail "the generated traffic sends nothing to p1"

# shellcheck disable=SC2046 # word splitting of the EAL memory arguments
timeout 60 "$DP" -l 0,1 $(eal_mem_args) --no-pci --file-prefix "$(eal_prefix)" \
	--log-level='*:warning' -- \
	--config "$DEMO_CONF" \
	--device "p0=net_pcap0,rx_pcap=$TMP/in.pcap,tx_pcap=$TMP/tx0.pcap" \
	--device "p1=net_ring0" \
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
J=$TMP/live.json
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$J" ||
	fail "live JSON is not valid"
check_invariant "$J"
assert_eq "p0 received the capture" $COUNT "$(json_get "$J" ports.p0.rx_packets)"
assert_eq "p1 transmitted what replay forwards to p1" "$want_p1" \
	"$(json_get "$J" ports.p1.tx_packets)"
assert_eq "p1 received back every frame it sent" "$want_p1" \
	"$(json_get "$J" ports.p1.rx_packets)"
assert_eq "looped frames dropped as dmac_mismatch at p1" "$want_p1" \
	"$(json_get "$J" ports.p1.drops.dmac_mismatch)"
assert_eq "nothing forwarded from p1" 0 "$(json_get "$J" ports.p1.fwd_packets)"
echo "PASS"
