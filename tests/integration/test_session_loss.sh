#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_session_loss.sh: a member's BGP session going down stops its kernel
# routes at once, before (or without) the routing daemon's deletes (issue
# 10 (c), doc/routing.md "Session loss"), with the real BIRD 2 through
# ixgate (the set-up of test_bgp_e2e_bird.sh, members 1 and 2).
#
# ixgate-control watches the node's TCP sessions on port 179 to each
# member's next hops (sock_diag). Checked:
#  - both members' sessions are `up` in `show sessions`, the networks
#    forwarded;
#  - m2's BIRD killed while the node's BIRD does BGP graceful restart with
#    it: the node keeps m2's routes in kernel table 100 on purpose, yet
#    ixgate drops the traffic to them (IPv4 and IPv6) as `peer_down`,
#    exactly what was sent, while a config route to m2 (announce, a more
#    specific prefix) is still forwarded and m1 is untouched; m2's BIRD
#    started again: the sessions are `up`, forwarding resumes;
#  - `birdc disable` of m2's IPv4 session on the node: `show sessions`
#    says down at once, the datagrams sent then are dropped (peer_down
#    until the node's deletes are live, no_route after: every one counted),
#    IPv6 still forwarded; `birdc enable`: forwarded again;
#  - with `session-loss keep` (reload), the same kill withdraws nothing:
#    the kept routes forward (graceful restart as the operator wants it);
#  - received = forwarded + local + punted + drops, from `show counters`
#    and from the dataplane's final counters.
# Every wait is bounded. Needs root, network namespaces, /dev/net/tun,
# bird2: skipped (77) otherwise.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/control_lib.sh"
source "$(dirname "$0")/bgp_lib.sh"
need_tools
need_file "$CTLD"
need_file "$CTL"

e2e_node_ns
e2e_members 1 2
e2e_conf 100 bird 1 2
# A config route to m2 (more specific than its announced /24): session
# loss never touches it.
sed -i '/^peer m2 {/a\	announce {\n\t\t198.18.2.64/27;\n\t}' "$CONF"
grep -q '198.18.2.64/27' "$CONF" || fail "the config route for m2"

log "dataplane: ports p0, p1 on net_af_packet, exception path on"
e2e_start_dp 900 1 2
log "ixgate-control, kernel-routes from table 100"
e2e_start_ctld

# Graceful restart on both sides of m2's sessions: a killed member's
# routes stay in the node's kernel table (stale) on purpose.
node_conf=$(e2e_node_bird 100 1 2 |
	sed 's/debug { states, routes, filters };/&\n\tgraceful restart on;/')
member2_conf() {
	e2e_member_bird 2 65002 all all |
		sed 's/error wait time 1, 5;/&\n\tgraceful restart on;/'
}
log "node: BIRD (AS 65000), four sessions over ixg-p0, ixg-p1"
bird_start node "$BGP_NODE_NS" "$node_conf"
bird_start m1 "$(member_ns 1)" "$(e2e_member_bird 1 65001 all all)"
bird_start m2 "$(member_ns 2)" "$(member2_conf)"
for n in 1 2; do
	bird_wait_established node "m${n}v4"
	bird_wait_established node "m${n}v6"
done
log "ok: four eBGP sessions Established through the exception path"

# sess PEER FAMILY: its state in `show sessions`.
sess() {
	ctl --json show sessions |
		jq -r --arg p "$1" --arg f "$2" \
			'.sessions[] | select(.peer == $p and .family == $f) | .state'
}
sessions_are() {
	local want=$1 p f
	shift
	for p in "$@"; do
		for f in ipv4 ipv6; do
			e2e_until 10 "$want" sess "${p%/*}" "$f" || {
				ctl show sessions >&2
				fail "show sessions: $p $f not $want within 10 s"
			}
		done
	done
}
# drops_of REASON: the drop counter now.
drops_of() { e2e_series dropped_packets_total "reason=$1"; }

e2e_route_is 198.18.2.1 "forward to m2"
e2e_route_is 2001:db8:2::1 "forward to m2"
e2e_route_is 198.18.2.66 "forward to m2"
sessions_are up m1 m2
ctl show sessions
log "ok: every member's sessions up, networks forwarded"

log "m2's BIRD killed: the node keeps its routes (graceful restart)"
kill -KILL "$(cat "$TMP/m2.pid")" || fail "kill m2's BIRD"
sessions_are down m2
sessions_are up m1
ctl show sessions | tee "$TMP/sessions.txt"
ip -n "$BGP_NODE_NS" route show table 100 >"$TMP/ktable.out"
assert_contains "the node keeps m2's IPv4 route (stale)" "$TMP/ktable.out" \
	"^198\.18\.2\.0/24 via $(e2e_member4 2)"
e2e_route_is 198.18.2.1 "forward to m2"
grep -q 'sessions: m2 IPv4 .*DOWN' "$TMP/ctld.err" ||
	fail "no log line for m2's IPv4 session going down"

pd0=$(drops_of peer_down)
# (python starts in seconds on a loaded machine: start them all, then wait)
e2e_udp_recv_start 2 198.18.2.1 5000
e2e_udp_recv_start 2 2001:db8:2::1 5000
e2e_udp_recv_start 2 198.18.2.66 5001
e2e_udp_recv_start 1 198.18.1.1 5002
for a in 2/198.18.2.1 2/2001:db8:2::1 2/198.18.2.66 1/198.18.1.1; do
	e2e_udp_recv_wait "${a%%/*}" "${a#*/}"
done
e2e_udp_send 1 198.18.2.1 5000 100
e2e_udp_send 1 2001:db8:2::1 5000 50
e2e_udp_send 1 198.18.2.66 5001 50
e2e_until 5 150 e2e_delta dropped_packets_total reason=peer_down "$pd0"
assert_eq "datagrams to m2's kept kernel routes dropped peer_down" 150 \
	"$(($(drops_of peer_down) - pd0))"
assert_eq "datagrams received on 198.18.2.1" 0 "$(e2e_udp_count 2 198.18.2.1)"
assert_eq "datagrams received on 2001:db8:2::1" 0 "$(e2e_udp_count 2 2001:db8:2::1)"
e2e_until 5 50 e2e_udp_count 2 198.18.2.66
assert_eq "datagrams by the config route to m2 received" 50 \
	"$(e2e_udp_count 2 198.18.2.66)"
e2e_udp_send 2 198.18.1.1 5002 20
e2e_until 5 20 e2e_udp_count 1 198.18.1.1
assert_eq "datagrams m2 -> m1 (m1's routes untouched)" 20 \
	"$(e2e_udp_count 1 198.18.1.1)"
log "ok: m2's kernel routes dropped peer_down, its config route and m1 forwarded"

log "m2's BIRD started again"
bird_start m2 "$(member_ns 2)" "$(member2_conf)"
bird_wait_established node m2v4
bird_wait_established node m2v6
sessions_are up m2
e2e_udp_recv 2 198.18.2.1 5000
e2e_udp_send 1 198.18.2.1 5000 50
e2e_until 5 50 e2e_udp_count 2 198.18.2.1
assert_eq "datagrams to m2 after its sessions came back" 50 \
	"$(e2e_udp_count 2 198.18.2.1)"
log "ok: forwarding resumed"

log "the node disables m2's IPv4 session (birdc disable): BIRD deletes"
pd0=$(drops_of peer_down)
nr0=$(drops_of no_route)
birdc_ node disable m2v4 >/dev/null || fail "birdc disable m2v4"
e2e_until 10 down sess m2 ipv4 || fail "m2 ipv4 not down in show sessions"
assert_eq "m2's IPv6 session" up "$(sess m2 ipv6)"
e2e_udp_recv 2 198.18.2.1 5000
e2e_udp_send 1 198.18.2.1 5000 100
dropped_since() {
	echo $(($(drops_of peer_down) - pd0 + $(drops_of no_route) - nr0))
}
e2e_until 5 100 dropped_since || true
pd=$(($(drops_of peer_down) - pd0))
nr=$(($(drops_of no_route) - nr0))
log "dropped: $pd peer_down (before the deletes were live), $nr no_route"
assert_eq "every datagram to m2's IPv4 network dropped" 100 $((pd + nr))
assert_eq "datagrams received on 198.18.2.1" 0 "$(e2e_udp_count 2 198.18.2.1)"
e2e_route_is 198.18.2.1 "no route|198.18.2.64/27"
e2e_ping 1 2001:db8:2::1 || fail "m2's IPv6 network must still be forwarded"
birdc_ node enable m2v4 >/dev/null || fail "birdc enable m2v4"
bird_wait_established node m2v4
sessions_are up m2
e2e_route_is 198.18.2.1 "forward to m2"
e2e_ping 1 198.18.2.1 || fail "ping m2 after birdc enable"
log "ok: withdrawn, then forwarded again"

log "session-loss keep: the kill withdraws nothing"
sed -i 's/^\tfilter sources;/&\n\tsession-loss keep;/' "$CONF"
grep -q 'session-loss keep' "$CONF" || fail "session-loss keep in the config"
ctl reload >"$TMP/reload.out" 2>&1 || { cat "$TMP/reload.out" >&2; fail "reload"; }
e2e_until 10 keep sh -c "$CTL --socket $CTL_SOCK --json show sessions | jq -r .session_loss" ||
	fail "session-loss keep not running"
pd0=$(drops_of peer_down)
kill -KILL "$(cat "$TMP/m2.pid")" || fail "kill m2's BIRD"
sessions_are down m2
e2e_udp_recv 2 198.18.2.1 5000
e2e_udp_send 1 198.18.2.1 5000 50
e2e_until 5 50 e2e_udp_count 2 198.18.2.1
assert_eq "datagrams by the kept routes received (keep)" 50 \
	"$(e2e_udp_count 2 198.18.2.1)"
assert_eq "peer_down drops with session-loss keep" 0 \
	"$(($(drops_of peer_down) - pd0))"
log "ok: keep forwards by the kept routes"

log "counters (the daemons stopped: the node's retries to m2 would keep them moving)"
birdc_ node down >/dev/null 2>&1
birdc_ m1 down >/dev/null 2>&1
ctl --json show sessions >"$TMP/sessions.json"
assert_eq "session dump errors" 0 "$(jq -r .dump_errors "$TMP/sessions.json")"
[ "$(jq -r .down_events "$TMP/sessions.json")" -ge 3 ] ||
	fail "expected at least 3 down events: $(cat "$TMP/sessions.json")"
e2e_counters "$TMP/counters.json"
e2e_invariant "$TMP/counters.json"
for r in tx_full punt_queue_full punt_rate unknown_peer source_invalid; do
	assert_eq "drops $r" 0 "$(e2e_series dropped_packets_total reason=$r)"
done

log "stopping"
kill "$CTLD_PID" 2>/dev/null
wait "$CTLD_PID" 2>/dev/null
e2e_stop_dp
echo "PASS: $TEST_NAME"
