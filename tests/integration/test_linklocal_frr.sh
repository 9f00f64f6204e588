#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_linklocal_frr.sh: a kernel route whose gateway is a member's IPv6
# link-local address that is NOT the EUI-64 of its MAC (doc/routing.md,
# "Gateways by link-local address"; doc/neighbours.md, "Link-local
# addresses"). FRR (zebra, bgpd) is the node's routing daemon; member 1
# (BIRD) has addr_gen_mode none and fe80::a1b2:c3d4:e5f6:1 on its LAN
# interface, as a router with stable-privacy (RFC 7217) or configured
# link-local addresses has, and announces 2001:db8:1::/48 over an IPv6
# eBGP session through the node's exception path. zebra installs the
# route via that link-local address (FRR's default, RFC 2545), which no
# config and no EUI-64 gives: ixgate-control asks the dataplane for it
# (GET_LLADDRS), the dataplane solicits it (multicast NS), member 1's NA
# teaches it, and the route goes live: member 2's ping6 to 2001:db8:1::1
# is forwarded by ixgate. `show neighbours` lists the learned address.
# Needs root, network namespaces, /dev/net/tun, frr and bird2.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/control_lib.sh"
source "$(dirname "$0")/bgp_lib.sh"
need_tools
need_file "$CTLD"
need_file "$CTL"
[ -x /usr/lib/frr/bgpd ] || skip "FRR not installed (frr)"

LL1=fe80::a1b2:c3d4:e5f6:1

e2e_node_ns
e2e_members 1 2
# Member 1: no EUI-64 link-local address, a configured one instead.
M1=$(member_ns 1)
ip -n "$M1" link set eth0 addrgenmode none ||
	skip "this kernel cannot set addrgenmode"
ip -n "$M1" -6 addr flush dev eth0 scope link
ip -n "$M1" addr add "$LL1/64" dev eth0 nodad || fail "link-local on member 1"
ip -n "$M1" -6 addr show dev eth0 scope link | grep -q "$LL1" ||
	fail "member 1 has no $LL1"
! ip -n "$M1" -6 addr show dev eth0 scope link | grep -q "ff:fee2" ||
	fail "member 1 still has its EUI-64 link-local address"
e2e_conf 254 bgp 1 2

log "dataplane: ports p0, p1 on net_af_packet, exception path on"
e2e_start_dp 900 1 2
log "ixgate-control, kernel-routes from table 254, protocol bgp"
e2e_start_ctld
log "node: FRR (zebra, staticd, bgpd; AS 65000)"
frr_start node "$BGP_NODE_NS" "$(e2e_frr_zebra 1 2)" "$(e2e_frr_bgpd 1 2)" \
	"$(e2e_frr_staticd)"
for n in 1 2; do
	bird_start "m$n" "$(member_ns "$n")" \
		"$(e2e_member_bird "$n" $((65000 + n)) none all)"
done
for n in 1 2; do
	frr_wait_established node "$(e2e_member6 "$n")" 40
done
log "ok: IPv6 eBGP sessions Established through the exception path"

wait_for 20 sh -c "ip -n $BGP_NODE_NS -6 route show $(e2e_net6 1) proto bgp |
	grep -q 'via $LL1 dev ixg-p0'" || {
	ip -n "$BGP_NODE_NS" -6 route show proto bgp >&2
	fail "$(e2e_net6 1): expected via $LL1 dev ixg-p0"
}
log "ok: zebra installed $(e2e_net6 1) via $LL1 (not an EUI-64)"

# Learned from ND, resolved, committed: forwarded to m1.
e2e_route_is 2001:db8:1::1 "forward to m1"
e2e_route_is 2001:db8:2::1 "forward to m2"
ctl --json show neighbours >"$TMP/neigh.json"
jq -e --arg a "$LL1" '.link_local[] | select(.address == $a and .peer == "m1"
	and .resolves_to == "m1" and .gateway != "-")' "$TMP/neigh.json" >/dev/null || {
	ctl show neighbours >&2
	fail "show neighbours: $LL1 not listed as m1's learned gateway"
}
jq -e '[.neighbours[] | select(.unreachable)] | length == 0' \
	"$TMP/neigh.json" >/dev/null || fail "show neighbours: a member unreachable"
grep -q "link-local address $LL1 is member m1's (learned from ND)" \
	"$TMP/ctld.err" || fail "ixgate-control did not log the learned address"
ctl show neighbours

# Real traffic: member 2 to member 1's network, through ixgate: 5
# requests (m2 -> m1, via the learned gateway) and 5 replies (m1 -> m2).
fwd0=$(e2e_series forwarded_packets_total)
e2e_ping 2 2001:db8:1::1 5 || {
	cat "$TMP/ping.out" >&2
	ctl show drops >&2
	fail "ping6 2001:db8:1::1 from member 2 not answered"
}
fwd=$(($(e2e_series forwarded_packets_total) - fwd0))
[ "$fwd" -ge 10 ] || fail "forwarded $fwd packets for 5 echo requests and replies"
log "ok: member 2's ping6 to 2001:db8:1::1 forwarded by ixgate via the learned gateway ($fwd packets)"
e2e_counters "$TMP/ctr.json"
e2e_invariant "$TMP/ctr.json"

for n in 1 2; do
	birdc_ "m$n" down >/dev/null 2>&1
done
e2e_stop_dp
echo "PASS: $TEST_NAME"
