#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_neigh_down.sh: a member whose next hop stops answering ARP is
# unreachable: its kernel routes stop forwarding and its share of an ECMP
# group moves to the other members, like a lost BGP session; it answers
# again, and it is back (doc/neighbours.md, "A neighbour that stops
# answering"; doc/routing.md, "Session loss").
#
# The node and members 1..3 of test_session_loss.sh, with no routing
# daemon: a kernel route written by hand into table 100,
# 198.18.9.0/24 via m2 and m3 (ECMP); m2 and m3 with `neighbour learn`
# (their MACs by ARP), the dataplane with --neigh-reachable-ms 4000 (a
# confirmed neighbour is probed again 1 s after its last answer). Checked:
#  - m2 and m3 REACHABLE; 300 UDP flows from m1 to the prefix spread over
#    both (the members' transmitted counters);
#  - m2's eth0 `arp off` (its kernel answers neither ARP nor ND: no
#    answer to the probes): its IPv4 (and IPv6) neighbour fails its
#    refresh, the dataplane logs it UNREACHABLE, and the same 300 flows
#    all go to m3, none dropped;
#    printed: the time from `arp off` to that;
#  - `arp on`: the node's broadcast requests are answered, the entry is
#    REACHABLE, logged back, and the 300 flows split exactly as at first
#    (rendezvous hashing: only m2's own flows moved, and back);
#  - received = forwarded + local + punted + drops (the final counters).
# Every wait is bounded. Needs root, network namespaces, /dev/net/tun:
# skipped (77) otherwise.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/control_lib.sh"
source "$(dirname "$0")/bgp_lib.sh"
need_tools
need_file "$CTLD"
need_file "$CTL"

e2e_node_ns
e2e_members 1 2 3
e2e_conf 100 bird 1 2 3
# One prefix via two members: no member's allowed prefixes cover it.
sed -i '/^\tfilter sources;/d' "$CONF"
for n in 2 3; do
	sed -i "/^peer m$n {/a\\	neighbour learn;" "$CONF"
done
[ "$(grep -c 'neighbour learn' "$CONF")" = 2 ] || fail "neighbour learn in the config"

log "dataplane: ports p0..p2 on net_af_packet, --neigh-reachable-ms 4000"
E2E_DP_ARGS="--neigh-reachable-ms 4000" e2e_start_dp 900 1 2 3
e2e_start_ctld
ip -n "$BGP_NODE_NS" route add 198.18.9.0/24 table 100 proto bird \
	nexthop via "$(e2e_member4 2)" nexthop via "$(e2e_member4 3)" ||
	fail "the ECMP kernel route"
e2e_route_is 198.18.9.1 "ECMP"

# neigh_unreachable ADDRESS: true or false, its member's `unreachable` in
# `show neighbours`.
neigh_unreachable() {
	ctl --json show neighbours |
		jq -r --arg a "$1" '.neighbours[] | select(.address == $a) | .unreachable'
}

# neigh_state ADDRESS: its state in `show neighbours`.
neigh_state() {
	ctl --json show neighbours |
		jq -r --arg a "$1" '.neighbours[] | select(.address == $a) | .state'
}
for n in 2 3; do
	e2e_until 20 REACHABLE neigh_state "$(e2e_member4 "$n")" || {
		ctl show neighbours >&2
		fail "m$n's IPv4 next hop not REACHABLE within 20 s"
	}
done
ctl show neighbours

# flows TAG: 300 UDP datagrams from m1, one per flow (source ports
# 20000..20299) to 198.18.9.1; the members' transmitted deltas into
# TX2[TAG], TX3[TAG], the drops into DROPS[TAG], once all 300 are
# counted somewhere.
declare -A TX2 TX3 DROPS
tx_of() { e2e_series peer_transmitted_packets_total "peer=$1"; }
# drops_all: what a datagram to the prefix can be dropped as.
drops_all() {
	echo $(($(e2e_series dropped_packets_total reason=peer_down) +
		$(e2e_series dropped_packets_total reason=unresolved) +
		$(e2e_series dropped_packets_total reason=no_route)))
}
flows() {
	local a2 a3 d0 _
	a2=$(tx_of m2)
	a3=$(tx_of m3)
	d0=$(drops_all)
	timeout 60 ip netns exec "$(member_ns 1)" python3 - <<'PY' || fail "UDP flows from m1"
import socket, time
for p in range(20000, 20300):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("198.18.1.1", p))
    s.sendto(b"x", ("198.18.9.1", 9))
    s.close()
    time.sleep(0.002)
PY
	for _ in $(seq 1 50); do
		[ $(($(tx_of m2) - a2 + $(tx_of m3) - a3 + $(drops_all) - d0)) -ge 300 ] && break
		sleep 0.1
	done
	TX2[$1]=$(($(tx_of m2) - a2))
	TX3[$1]=$(($(tx_of m3) - a3))
	DROPS[$1]=$(($(drops_all) - d0))
}

flows up
log "both reachable: m2 ${TX2[up]}, m3 ${TX3[up]}, dropped ${DROPS[up]}"
assert_eq "flows forwarded (both reachable)" 300 $((TX2[up] + TX3[up]))
[ "${TX2[up]}" -gt 0 ] && [ "${TX3[up]}" -gt 0 ] || fail "the flows did not spread over m2 and m3"

log "m2 stops answering ARP and ND (arp off on its eth0)"
t0=$(date +%s.%N)
ip -n "$(member_ns 2)" link set eth0 arp off || fail "arp off"
wait_for 30 grep -qE "IPv4 next hop( [0-9.]+)?: UNREACHABLE" "$TMP/dp.err" || {
	ctl show neighbours >&2
	fail "m2's next hop never became unreachable"
}
t1=$(date +%s.%N)
log "measured (load $(cut -d' ' -f1-3 /proc/loadavg)): arp off to the" \
	"dataplane's UNREACHABLE $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) * 1000 }') ms" \
	"(--neigh-reachable-ms 4000, 3 probes 1 s apart)"
grep "neighbours:" "$TMP/dp.err"
state=$(neigh_state "$(e2e_member4 2)")
case $state in INCOMPLETE | FAILED) ;; *) fail "m2's IPv4 next hop is $state" ;; esac
# ixgate-control shows it (the dataplane's state, polled every 500 ms).
e2e_until 5 true neigh_unreachable "$(e2e_member4 2)" || {
	ctl show neighbours >&2
	fail "show neighbours: m2 not shown unreachable"
}
ctl show neighbours | grep -E "^$(e2e_member4 2) .* UNREACHABLE$" ||
	fail "show neighbours: no UNREACHABLE in m2's row"
assert_eq "m3 shown unreachable" false "$(neigh_unreachable "$(e2e_member4 3)")"

flows down
log "m2 unreachable: m2 ${TX2[down]}, m3 ${TX3[down]}, dropped ${DROPS[down]}"
assert_eq "flows to m2 while it is unreachable" 0 "${TX2[down]}"
assert_eq "flows moved to m3" 300 "${TX3[down]}"
assert_eq "flows dropped while m2 is unreachable" 0 "${DROPS[down]}"

log "m2 answers ARP again"
ip -n "$(member_ns 2)" link set eth0 arp on || fail "arp on"
e2e_until 30 REACHABLE neigh_state "$(e2e_member4 2)" || {
	ctl show neighbours >&2
	fail "m2's IPv4 next hop not REACHABLE again within 30 s"
}
wait_for 10 grep -qE "IPv4 next hop( [0-9.]+)?: answers again" "$TMP/dp.err" ||
	fail "no log line for m2 answering again"
e2e_until 5 false neigh_unreachable "$(e2e_member4 2)" ||
	fail "show neighbours: m2 still shown unreachable"
flows back
log "m2 back: m2 ${TX2[back]}, m3 ${TX3[back]}, dropped ${DROPS[back]}"
assert_eq "flows to m2 once it answers (as at first)" "${TX2[up]}" "${TX2[back]}"
assert_eq "flows to m3 once m2 answers (as at first)" "${TX3[up]}" "${TX3[back]}"

# (The probes, every second per neighbour here, keep the live counters
# moving: the invariant is checked on the dataplane's final counters, by
# e2e_stop_dp.)
log "counters"
ctl show drops
for r in tx_full peer_down unresolved unknown_peer; do
	assert_eq "drops $r" 0 "$(e2e_series dropped_packets_total reason=$r)"
done

log "stopping"
kill "$CTLD_PID" 2>/dev/null
wait "$CTLD_PID" 2>/dev/null
e2e_stop_dp
echo "PASS: $TEST_NAME"
