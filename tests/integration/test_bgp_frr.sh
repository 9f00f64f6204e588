#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_bgp_frr.sh: the same as test_bgp_bird.sh with FRR 8.4 as the node's
# routing daemon (zebra, staticd, bgpd started directly, no frrinit.sh or
# watchfrr), the members still BIRD.
#
# What FRR 8.4 can do here, found on this machine (doc/routing.md):
#  - zebra has no `table N` command any more: BGP routes go to the main
#    table (254) of the namespace zebra runs in, or to a VRF's table (a
#    VRF device needs the kernel's vrf module, absent here). So the node's
#    FRR runs in its own namespace and ixgate-rtnl follows table 254 with
#    --proto bgp (the main table also holds connected routes);
#  - no route-map action makes a route a blackhole, but the RTBH next-hop
#    trick does: a route-map matching 65535:666 sets the next hop to a
#    discard address (192.0.2.1; IPv6 100::1, RFC 6666's discard prefix)
#    that staticd routes to `blackhole`, and zebra installs the BGP route
#    as a kernel blackhole (proto bgp). `disable-connected-check` lets the
#    single-hop eBGP route keep that non-connected next hop;
#  - IPv6 next hops are the member's link-local address unless the
#    route-map says `set ipv6 next-hop prefer-global`;
#  - ECMP needs `maximum-paths` and `bgp bestpath as-path multipath-relax`
#    (different member ASes); zebra installs it through a nexthop object
#    (nhid), which the kernel expands in its messages
#    (net.ipv4.nexthop_compat_mode=1, the default).
# Needs root, network namespaces, frr and bird2.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/rtnl_lib.sh"
source "$(dirname "$0")/bgp_lib.sh"
need_file "$RTNL"
[ -x /usr/lib/frr/bgpd ] || skip "FRR not installed (frr)"
[ "$(cat /proc/sys/net/ipv4/nexthop_compat_mode 2>/dev/null || echo 1)" = 1 ] ||
	skip "net.ipv4.nexthop_compat_mode is 0: routes would hide their next hops"

ZEBRA="hostname node"
STATICD="hostname node
! RTBH discard next hops: routes whose next hop is one of these are
! installed as blackholes.
ip route 192.0.2.1/32 blackhole
ipv6 route 100::1/128 blackhole"
BGPD="hostname node
bgp community-list standard RFC7999 permit 65535:666
route-map FROM-MEMBERS4 permit 10
 match community RFC7999
 set ip next-hop 192.0.2.1
route-map FROM-MEMBERS4 permit 20
route-map FROM-MEMBERS6 permit 10
 match community RFC7999
 set ipv6 next-hop global 100::1
 set ipv6 next-hop prefer-global
route-map FROM-MEMBERS6 permit 20
 set ipv6 next-hop prefer-global
router bgp 65000
 bgp router-id $BGP_NODE4
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 bgp bestpath as-path multipath-relax
 neighbor LAN peer-group
 neighbor LAN disable-connected-check
 neighbor LAN timers connect 1
 neighbor $(member4 1) remote-as 65001
 neighbor $(member4 1) peer-group LAN
 neighbor $(member6 1) remote-as 65001
 neighbor $(member6 1) peer-group LAN
 neighbor $(member4 2) remote-as 65002
 neighbor $(member4 2) peer-group LAN
 neighbor $(member6 2) remote-as 65002
 neighbor $(member6 2) peer-group LAN
 address-family ipv4 unicast
  maximum-paths 8
  neighbor $(member4 1) activate
  neighbor $(member4 1) route-map FROM-MEMBERS4 in
  neighbor $(member4 2) activate
  neighbor $(member4 2) route-map FROM-MEMBERS4 in
 exit-address-family
 address-family ipv6 unicast
  maximum-paths 8
  neighbor $(member6 1) activate
  neighbor $(member6 1) route-map FROM-MEMBERS6 in
  neighbor $(member6 2) activate
  neighbor $(member6 2) route-map FROM-MEMBERS6 in
 exit-address-family"

bgp_lan_setup
NODE=$BGP_NODE_NS
RTNL_IP_FILTER="proto bgp"

log "node: FRR (zebra, staticd, bgpd), and ixgate-rtnl on table 254, proto bgp"
frr_start node "$NODE" "$ZEBRA" "$BGPD" "$STATICD"
rtnl_start rd "$NODE" 254 --proto bgp
rtnl_wait_ready rd
bgp_lan_members_start
for p in "$(member4 1)" "$(member6 1)" "$(member4 2)" "$(member6 2)"; do
	frr_wait_established node "$p"
done
log "ok: four eBGP sessions Established"

bgp_hook_sessions() { # down|up N
	local no=""
	[ "$1" = up ] && no="no "
	vtysh_ node -c "configure terminal" -c "router bgp 65000" \
		-c "${no}neighbor $(member4 "$2") shutdown" \
		-c "${no}neighbor $(member6 "$2") shutdown" >/dev/null ||
		fail "vtysh: ${no}neighbor shutdown"
	if [ "$1" = up ]; then
		frr_wait_established node "$(member4 "$2")"
		frr_wait_established node "$(member6 "$2")"
	fi
}
BGP_TABLE=254
BGP_PROTO=bgp
BGP_OTHER_PROTOCOLS=1
bgp_rtnl_scenario
rtnl_stop rd
echo "PASS: $TEST_NAME"
