#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_bgp_e2e_bird.sh: BGP through ixgate, end to end, with BIRD 2 (issue
# 10, "Proof with real daemons" and "Blackholing a member can trigger").
#
# Three member namespaces, each with a veth to one of ixgate's ports
# (net_af_packet), run BIRD and announce their networks (on the
# interface: 198.18.N.0/24, 2001:db8:N::/48) over eBGP to the node's BIRD.
# The sessions run THROUGH the dataplane: the members' segments to the
# node's addresses are punted to the exception-path TAPs ixg-p0..2, where
# the node's BIRD listens, and its answers are injected back out. The node's
# BIRD writes what it accepts into kernel table 100 (dist/bird/
# ixgate-rfc7999.conf's import policy: a member's own prefixes only, RFC
# 7999 BLACKHOLE as a blackhole route); ixgate-control follows table 100
# (kernel-routes) and commits the routes to the dataplane. Then:
#  - ping and UDP between the members' networks (IPv4 and IPv6) are
#    forwarded by ixgate by the learned routes (members' MACs from the
#    config's `mac`), every datagram received;
#  - a member withdrawing its network stops forwarding to it (no_route);
#    announcing it again restores it;
#  - a member's BLACKHOLE announcement for a host of its own network drops
#    a running UDP stream to it (`blackhole`, counted per blackhole), the
#    time from the node's BIRD holding the route to the dataplane dropping
#    printed; its withdrawal restores forwarding;
#  - another member's BLACKHOLE (and a more specific route) for that
#    network is refused by the node's import policy, counted in BIRD's
#    import statistics, and changes nothing in the dataplane;
#  - counters stay exact: received = forwarded + local + punted + drops,
#    node and per port, from `ixgatectl show counters --json` at a quiescent
#    moment, and again from the dataplane's final counters.
# Every wait is bounded. Needs root, network namespaces, /dev/net/tun,
# bird2: skipped (77) otherwise.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/control_lib.sh"
source "$(dirname "$0")/bgp_lib.sh"
need_tools
need_file "$CTLD"
need_file "$CTL"

# The shipped example parses (with its include from the source tree).
sed "s|/etc/bird/ixgate-rfc7999.conf|$SRC/dist/bird/ixgate-rfc7999.conf|" \
	"$SRC/dist/bird/bird.conf" >"$TMP/example-bird.conf"
bird -p -c "$TMP/example-bird.conf" ||
	fail "dist/bird/bird.conf: BIRD refuses the example"

e2e_node_ns
e2e_members 1 2 3
e2e_conf 100 bird 1 2 3

log "dataplane: ports p0..p2 on net_af_packet, exception path on"
e2e_start_dp 900 1 2 3
log "ixgate-control, kernel-routes from table 100"
e2e_start_ctld
log "node: BIRD (AS 65000), six sessions over ixg-p0..2"
bird_start node "$BGP_NODE_NS" "$(e2e_node_bird 100 1 2 3)"
for n in 1 2 3; do
	bird_start "m$n" "$(member_ns "$n")" \
		"$(e2e_member_bird "$n" $((65000 + n)) all all)"
done
for n in 1 2 3; do
	bird_wait_established node "m${n}v4"
	bird_wait_established node "m${n}v6"
done
log "ok: six eBGP sessions Established through the exception path"

E2E_DAEMON=BIRD
E2E_KTABLE=100
E2E_KTABLE_NAME=100
E2E_KPROTO=bird
# The node's BIRD logs every import (debug routes, filters) with
# microseconds, and its import policy prints what it refuses.
e2e_hook_import_time() {
	local t
	t=$(grep -m1 -E "<TRACE> m$1v4\.ipv4 > added .*$2 " "$TMP/node.out" |
		cut -d' ' -f1,2)
	[ -n "$t" ] && date -d "$t" +%s.%N
}
e2e_hook_refused() {
	birdc_ node show protocols all "m$1v4" | awk '/Import updates:/ {print $5}'
}
e2e_hook_refusal_logged() {
	grep -q "ixgate: m$1v4: refused $2" "$TMP/node.out"
}
e2e_hook_stop_daemons() {
	local n
	for n in node m1 m2 m3; do
		birdc_ "$n" down >/dev/null 2>&1
	done
}
e2e_scenario
echo "PASS: $TEST_NAME"
