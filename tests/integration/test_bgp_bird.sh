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

bgp_lan_setup
NODE=$BGP_NODE_NS

log "node: BIRD, and ixgate-rtnl on table 100"
bird_start node "$NODE" "$NODE_BIRD"
rtnl_start rd "$NODE" 100
rtnl_wait_ready rd
bgp_lan_members_start
for p in m1v4 m1v6 m2v4 m2v6; do
	bird_wait_established node "$p"
done
log "ok: four eBGP sessions Established"

bgp_hook_sessions() { # down|up N
	local v
	for v in v4 v6; do
		birdc_ node "$([ "$1" = down ] && echo disable || echo enable)" \
			"m$2$v" >/dev/null
	done
	if [ "$1" = up ]; then
		bird_wait_established node "m$2v4"
		bird_wait_established node "m$2v6"
	fi
}
BGP_TABLE=100
BGP_PROTO=bird
BGP_SESSION_DOWN_CHANGE='^~ 203\.0\.113\.128/25 .*nexthop via .* \| 203\.0\.113\.128/25 via '
bgp_rtnl_scenario
rtnl_stop rd
echo "PASS: $TEST_NAME"
