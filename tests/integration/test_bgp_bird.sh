#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_bgp_bird.sh: routes from real BGP sessions, through BIRD 2 on the
# node, into a kernel table, into ixgate's route reader.
#
# Two member namespaces run BIRD and announce prefixes (IPv4 and IPv6) over
# eBGP to the node namespace's BIRD across a bridge (the peering LAN; no
# ixgate in between yet). The node's BIRD exports what it learns into
# kernel table 100 with its `kernel` protocol (`merge paths on`: ECMP), and
# turns an RFC 7999 BLACKHOLE announcement (community 65535:666) into a
# kernel blackhole route with the import filter doc/routing.md shows.
# ixgate-rtnl follows table 100 in the node namespace and must:
#  - converge to the table (entry for entry) after every step;
#  - hold each member's prefixes via that member's address on the LAN, and
#    the prefix both announce via both (ECMP);
#  - deliver a withdrawal (a member stops announcing a prefix), a BLACKHOLE
#    announcement (a blackhole record) and its withdrawal, and a session
#    drop (every route of that member, ECMP down to one path) as changes;
#  - count no malformed message and no overrun.
# Every wait is bounded. Needs root, network namespaces, bird2.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/rtnl_lib.sh"
source "$(dirname "$0")/bgp_lib.sh"
need_file "$RTNL"

NODE_BIRD="router id $BGP_NODE4;
protocol device {}
# RFC 7999: a member's BLACKHOLE announcement becomes a kernel blackhole.
filter from_members {
	if (65535, 666) ~ bgp_community then dest = RTD_BLACKHOLE;
	accept;
}
protocol kernel k4 {
	kernel table 100; merge paths on;
	ipv4 { export all; import none; };
}
protocol kernel k6 {
	kernel table 100; merge paths on;
	ipv6 { export all; import none; };
}
template bgp peer_lan {
	local as 65000;
	connect delay time 1; connect retry time 2; error wait time 1, 5;
}
template bgp lan4 from peer_lan {
	source address $BGP_NODE4;
	ipv4 { import filter from_members; export none; };
}
template bgp lan6 from peer_lan {
	source address $BGP_NODE6;
	ipv6 { import filter from_members; export none; };
}
protocol bgp m1v4 from lan4 { neighbor $(member4 1) as 65001; }
protocol bgp m1v6 from lan6 { neighbor $(member6 1) as 65001; }
protocol bgp m2v4 from lan4 { neighbor $(member4 2) as 65002; }
protocol bgp m2v6 from lan6 { neighbor $(member6 2) as 65002; }"

# Member 1: its own prefixes, and a prefix member 2 announces too.
M1_4="route 203.0.113.0/25 unreachable; route 203.0.113.128/25 unreachable;"
M1_6="route 2001:db8:1100::/40 unreachable;
	route 2001:db8:f00::/48 unreachable;"
M2_4="route 198.18.0.0/15 unreachable; route 203.0.113.128/25 unreachable;"
M2_6="route 2001:db8:1200::/40 unreachable;
	route 2001:db8:f00::/48 unreachable;"
# Member 2 asks for a blackhole inside its own prefix (RFC 7999).
BH_4="route 198.18.0.66/32 unreachable { bgp_community.add((65535, 666)); };"
BH_6="route 2001:db8:1200::66/128 unreachable { bgp_community.add((65535, 666)); };"

bgp_node_ns
bgp_member_ns 1
bgp_member_ns 2
NODE=$BGP_NODE_NS

log "node: BIRD, and ixgate-rtnl on table 100"
bird_start node "$NODE" "$NODE_BIRD"
rtnl_start rd "$NODE" 100
rtnl_wait_ready rd
log "members: BIRD in AS 65001 and AS 65002"
bird_start m1 "$(member_ns 1)" "$(bgp_member_bird 1 65001 65000 "$M1_4" "$M1_6")"
bird_start m2 "$(member_ns 2)" "$(bgp_member_bird 2 65002 65000 "$M2_4" "$M2_6")"
for p in m1v4 m1v6 m2v4 m2v6; do
	bird_wait_established node "$p"
done
log "ok: four eBGP sessions Established"

rtnl_expect rd 203.0.113.0/25 "via $(member4 1)"
rtnl_expect rd 198.18.0.0/15 "via $(member4 2)"
rtnl_expect rd 2001:db8:1100::/40 "via $(member6 1)"
rtnl_expect rd 2001:db8:1200::/40 "via $(member6 2)"
rtnl_expect rd 203.0.113.128/25 "via $(member4 1),$(member4 2)"
rtnl_expect rd 2001:db8:f00::/48 "via $(member6 1),$(member6 2)"
rtnl_converge rd "$NODE" 100 "routes learned"

log "member 1 withdraws 203.0.113.0/25"
bird_configure m1 "$(bgp_member_bird 1 65001 65000 \
	"route 203.0.113.128/25 unreachable;" "$M1_6")"
rtnl_expect rd 203.0.113.0/25 absent
rtnl_change_seen rd '^- 203\.0\.113\.0/25 '
rtnl_converge rd "$NODE" 100 "withdrawal"

log "member 2 announces BLACKHOLE 198.18.0.66/32 and 2001:db8:1200::66/128"
bird_configure m2 "$(bgp_member_bird 2 65002 65000 "$M2_4 $BH_4" "$M2_6 $BH_6")"
rtnl_expect rd 198.18.0.66/32 blackhole
rtnl_expect rd 2001:db8:1200::66/128 blackhole
rtnl_change_seen rd '^\+ 198\.18\.0\.66/32 .*\| blackhole 198\.18\.0\.66/32 proto bird'
rtnl_change_seen rd '^\+ 2001:db8:1200::66/128 .*\| blackhole 2001:db8:1200::66/128 proto bird'
rtnl_converge rd "$NODE" 100 "blackhole"

log "member 2 withdraws the blackholes"
bird_configure m2 "$(bgp_member_bird 2 65002 65000 "$M2_4" "$M2_6")"
rtnl_expect rd 198.18.0.66/32 absent
rtnl_expect rd 2001:db8:1200::66/128 absent
rtnl_change_seen rd '^- 198\.18\.0\.66/32 '

log "the node drops member 2's sessions"
birdc_ node disable m2v4 >/dev/null
birdc_ node disable m2v6 >/dev/null
rtnl_expect rd 198.18.0.0/15 absent
rtnl_expect rd 2001:db8:1200::/40 absent
rtnl_expect rd 203.0.113.128/25 "via $(member4 1)"
rtnl_expect rd 2001:db8:f00::/48 "via $(member6 1)"
rtnl_change_seen rd '^~ 203\.0\.113\.128/25 .*nexthop via .* \| 203\.0\.113\.128/25 via '
rtnl_converge rd "$NODE" 100 "session down"

log "and brings them back"
birdc_ node enable m2v4 >/dev/null
birdc_ node enable m2v6 >/dev/null
bird_wait_established node m2v4
bird_wait_established node m2v6
rtnl_expect rd 203.0.113.128/25 "via $(member4 1),$(member4 2)"
rtnl_expect rd 198.18.0.0/15 "via $(member4 2)"
rtnl_converge rd "$NODE" 100 "session up"

rtnl_state rd
assert_eq "rd: malformed messages" 0 "$(rtnl_stat rd malformed)"
assert_eq "rd: overruns" 0 "$(rtnl_stat rd overruns)"
assert_eq "rd: deletes of a route it did not have" 0 "$(rtnl_stat rd del_missing)"
rtnl_stop rd
echo "PASS: $TEST_NAME"
