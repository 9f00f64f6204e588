#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_bgp_e2e_frr.sh: test_bgp_e2e_bird.sh with FRR 8.4 as the node's
# routing daemon (zebra, staticd, bgpd started directly), the members still
# BIRD: the same topology (three member namespaces on veths to ixgate's
# ports, eBGP sessions through the exception path) and the same scenario
# (bgp_lib.sh, e2e_scenario: forwarding by the learned routes, withdrawal,
# BLACKHOLE and its withdrawal, another member's BLACKHOLE refused, exact
# counters).
#
# What FRR needs here, found on this machine (doc/routing.md, "FRR"):
#  - zebra writes BGP routes into the main table of its namespace:
#    ixgate-control follows table 254, protocol bgp (the main table also
#    holds the TAPs' connected routes and staticd's discard routes);
#  - RFC 7999 by the RTBH next-hop trick: a member's route-map sets the
#    next hop of a 65535:666 route inside its own prefixes to a discard
#    address that staticd routes to `blackhole`, and zebra installs the BGP
#    route as a kernel blackhole (proto bgp);
#  - bgpd resets IPv6 sessions on an interface without an IPv6 link-local
#    address ("nexthop_set failed, resetting connection"): the dataplane
#    gives each exception-path interface one (the EUI-64 of the port's
#    MAC), answers its NSs and punts what is sent to it;
#  - IPv6 next hops are the member's link-local address (FRR's default on
#    a LAN, RFC 2545): zebra installs `via fe80::... dev ixg-pN`, and
#    ixgate-control resolves that gateway to the member whose MAC lock it
#    derives from (EUI-64); the test checks the kernel's routes say so.
# Needs root, network namespaces, /dev/net/tun, frr and bird2.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/control_lib.sh"
source "$(dirname "$0")/bgp_lib.sh"
need_tools
need_file "$CTLD"
need_file "$CTL"
[ -x /usr/lib/frr/bgpd ] || skip "FRR not installed (frr)"
[ "$(cat /proc/sys/net/ipv4/nexthop_compat_mode 2>/dev/null || echo 1)" = 1 ] ||
	skip "net.ipv4.nexthop_compat_mode is 0: routes would hide their next hops"

# The shipped example is valid FRR configuration.
vtysh --dryrun -f "$SRC/dist/frr/frr.conf" >"$TMP/example-frr.out" 2>&1 ||
	{ cat "$TMP/example-frr.out" >&2; fail "dist/frr/frr.conf: FRR refuses the example"; }

e2e_node_ns
e2e_members 1 2 3
e2e_conf 254 bgp 1 2 3

log "dataplane: ports p0..p2 on net_af_packet, exception path on"
e2e_start_dp 900 1 2 3
log "ixgate-control, kernel-routes from table 254, protocol bgp"
e2e_start_ctld
log "node: FRR (zebra, staticd, bgpd; AS 65000), six sessions over ixg-p0..2"
frr_start node "$BGP_NODE_NS" "$(e2e_frr_zebra 1 2 3)" "$(e2e_frr_bgpd 1 2 3)" \
	"$(e2e_frr_staticd)"
for n in 1 2 3; do
	bird_start "m$n" "$(member_ns "$n")" \
		"$(e2e_member_bird "$n" $((65000 + n)) all all)"
done
for n in 1 2 3; do
	frr_wait_established node "$(e2e_member4 "$n")"
	frr_wait_established node "$(e2e_member6 "$n")"
done
log "ok: six eBGP sessions Established through the exception path"
# Every IPv6 route learned from a member goes via its link-local address,
# the EUI-64 of its MAC (02:00:00:e2:0N:01 -> fe80::ff:fee2:N01), on its
# port's interface; e2e_scenario checks they are forwarded to it.
for n in 1 2 3; do
	ll="fe80::ff:fee2:${n}01"
	wait_for 20 sh -c "ip -n $BGP_NODE_NS -6 route show $(e2e_net6 "$n") proto bgp |
		grep -q 'via $ll dev ixg-p$((n - 1))'" || {
		ip -n "$BGP_NODE_NS" -6 route show proto bgp >&2
		fail "$(e2e_net6 "$n"): expected via $ll dev ixg-p$((n - 1))"
	}
done
log "ok: FRR's IPv6 routes go via the members' link-local addresses"

E2E_DAEMON=FRR
E2E_KTABLE=main
E2E_KTABLE_NAME=254
E2E_KPROTO=bgp
# bgpd logs every update it receives (debug bgp updates in) with
# microseconds, and every route its route-maps deny.
e2e_hook_import_time() {
	local t
	t=$(grep -m1 -E " $(e2e_member4 "$1")\(.*\) rcvd $2 IPv4 unicast" \
		"$TMP/node.frr/updates.log" | cut -d' ' -f1,2 | tr / -)
	[ -n "$t" ] && date -d "$t" +%s.%N
}
# Received (Adj-in, kept by soft-reconfiguration inbound) minus accepted.
e2e_hook_refused() {
	vtysh_ node -c "show bgp ipv4 unicast neighbors $(e2e_member4 "$1") prefix-counts json" |
		jq '.ribTableWalkCounters | .["Adj-in"] - .["PfxCt counted"]'
}
e2e_hook_refusal_logged() {
	grep -qE " $(e2e_member4 "$1")\(.*\) rcvd UPDATE about $2 IPv4 unicast -- DENIED" \
		"$TMP/node.frr/updates.log"
}
e2e_hook_stop_daemons() {
	local n
	for n in m1 m2 m3; do
		birdc_ "$n" down >/dev/null 2>&1
	done
}
e2e_scenario
echo "PASS: $TEST_NAME"
