#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_bfd_bird.sh: a member whose link fails silently (no FIN, no RST)
# stops being forwarded to after BFD's detection time, not BGP's hold
# timer (issue 10, doc/routing.md "Session loss", "BFD"), with the real
# BIRD 2 through ixgate (the set-up of test_session_loss.sh, members 1
# and 2).
#
# The node's BIRD and the members' run BFD (RFC 5880/5881: UDP 3784,
# TTL 255, through ixgate's exception path both ways) on their BGP
# sessions (`bfd on`), 100 ms x 3. Checked:
#  - the BFD sessions are Up on the node (its control packets reached
#    Linux through the exception path and left through the port);
#  - m2 goes silent: its egress queue drops every frame (`pfifo limit 0`
#    on its eth0: what it receives still arrives, nothing it sends leaves,
#    so no FIN or RST reaches the node) while m1 sends it a UDP stream;
#    the node's BIRD sees BFD down and closes the sessions (their sockets
#    wait in FIN_WAIT1: no destroy notification), ixgate-control sees them
#    leave ESTABLISHED (at BIRD's first deletion, or the periodic dump)
#    and the dataplane drops m2's kernel routes `peer_down` (or `no_route`
#    once BIRD's deletes are live). Printed: from the silence to BIRD's
#    BFD down, to `show sessions` down, to the last datagram m2 received.
#    Asserted (bounded waits, no time): down within 20 s (BIRD's hold
#    timer is 240 s, so only BFD can do it), every datagram received or
#    dropped, none sent after the down state reached m2, m1 untouched;
#  - m2 speaks again: BFD and BGP come back, the sessions are `up`,
#    forwarding resumes;
#  - received = forwarded + local + punted + drops.
# Every wait is bounded. Needs root, network namespaces, /dev/net/tun,
# bird2, tc (pfifo): skipped (77) otherwise.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/control_lib.sh"
source "$(dirname "$0")/bgp_lib.sh"
need_tools
need_file "$CTLD"
need_file "$CTL"
command -v tc >/dev/null || skip "no tc"

e2e_node_ns
e2e_members 1 2
e2e_conf 100 bird 1 2

log "dataplane: ports p0, p1 on net_af_packet, exception path on"
e2e_start_dp 200 1 2
log "ixgate-control, kernel-routes from table 100"
e2e_start_ctld

# BFD on every BGP session, both ends: 100 ms x 3 (detection 300 ms).
BFD_PROTO='protocol bfd {
	interface "*" {
		min rx interval 100 ms;
		min tx interval 100 ms;
		multiplier 3;
	};
}'
node_conf=$(e2e_node_bird 100 1 2 |
	sed 's/debug { states, routes, filters };/debug { states, routes, filters, events };\n\tbfd on;/')
node_conf="$node_conf
$BFD_PROTO"
member_conf() {
	e2e_member_bird "$1" $((65000 + $1)) all all |
		sed 's/error wait time 1, 5;/&\n\tbfd on;/'
	printf '%s\n' "$BFD_PROTO"
}
grep -q 'bfd on' <<<"$node_conf" || fail "bfd on in the node's BIRD config"
log "node: BIRD (AS 65000) with BFD, four sessions over ixg-p0, ixg-p1"
bird_start node "$BGP_NODE_NS" "$node_conf"
bird_start m1 "$(member_ns 1)" "$(member_conf 1)"
bird_start m2 "$(member_ns 2)" "$(member_conf 2)"
for n in 1 2; do
	bird_wait_established node "m${n}v4"
	bird_wait_established node "m${n}v6"
done
# bfd_up ADDR: the node's BFD session to ADDR is Up.
bfd_up() {
	birdc_ node show bfd sessions 2>/dev/null |
		awk -v a="$1" '$1 == a && $3 == "Up" { f = 1 } END { exit !f }'
}
for a in "$(e2e_member4 1)" "$(e2e_member6 1)" "$(e2e_member4 2)" \
	"$(e2e_member6 2)"; do
	wait_for 20 bfd_up "$a" || {
		birdc_ node show bfd sessions >&2
		fail "the node's BFD session to $a not Up within 20 s"
	}
done
birdc_ node show bfd sessions
log "ok: four eBGP sessions Established, their BFD sessions Up, through the exception path"

sess() {
	ctl --json show sessions |
		jq -r --arg p "$1" --arg f "$2" \
			'.sessions[] | select(.peer == $p and .family == $f) | .state'
}
sess_changed_ms() {
	ctl --json show sessions |
		jq -r --arg p "$1" --arg f "$2" \
			'.sessions[] | select(.peer == $p and .family == $f) | .changed_unix_ms'
}
drops_of() { e2e_series dropped_packets_total "reason=$1"; }
for p in m1 m2; do
	for f in ipv4 ipv6; do
		e2e_until 10 up sess "$p" "$f" || fail "$p $f not up in show sessions"
	done
done
e2e_route_is 198.18.2.1 "forward to m2"
e2e_route_is 2001:db8:2::1 "forward to m2"

pd0=$(drops_of peer_down)
nr0=$(drops_of no_route)
e2e_udp_recv_start 2 198.18.2.1 5000
e2e_udp_recv_wait 2 198.18.2.1
# 100 datagrams a second for 12 s to m2's network, in the background.
timeout 60 ip netns exec "$(member_ns 1)" python3 "$E2E_UDP_PY" \
	send 198.18.1.1 198.18.2.1 5000 1200 100 &
SEND_PID=$!
wait_for 10 test -s "$TMP/udp-2-198.18.2.1" || fail "the stream never reached m2"
sleep 1
log "m2 goes silent (its eth0 sends nothing: pfifo limit 0)"
t_silent=$(date +%s.%N)
ip netns exec "$(member_ns 2)" tc qdisc replace dev eth0 root pfifo limit 0 ||
	skip "tc pfifo unavailable"
for f in ipv4 ipv6; do
	e2e_until 20 down sess m2 "$f" || {
		ctl show sessions >&2
		birdc_ node show bfd sessions >&2
		fail "m2 $f not down within 20 s of the silence (BFD did not end the session)"
	}
done
wait "$SEND_PID" || fail "UDP sender in member 1"
e2e_until 5 up sess m1 ipv4 || fail "m1 ipv4 affected"

# What happened when (epoch seconds).
t_bfd=$(grep -m1 -E "m2v[46].*BFD session down" "$TMP/node.out" |
	awk '{ print $1 " " $2 }')
[ -n "$t_bfd" ] && t_bfd=$(date -d "$t_bfd" +%s.%N)
t_down=$(sess_changed_ms m2 ipv4)
t_last=$(tail -1 "$TMP/udp-2-198.18.2.1" | awk '{ print $3 }')
# ms_since EPOCH_SECONDS: milliseconds from the silence to it.
ms_since() { awk -v a="$1" -v b="$t_silent" 'BEGIN { printf "%.0f", (a - b) * 1000 }'; }
m_bfd="(not in BIRD's log)"
[ -n "$t_bfd" ] && m_bfd="$(ms_since "$t_bfd") ms"
m_down=$(ms_since "$(awk -v m="$t_down" 'BEGIN { printf "%.3f", m / 1000 }')")
m_last=$(ms_since "$t_last")
log "measured (load $(cut -d' ' -f1-3 /proc/loadavg)): from m2's silence to" \
	"BIRD's BFD down $m_bfd, to show sessions down $m_down ms," \
	"to the last datagram m2 received $m_last ms"
grep -q 'sessions: m2 IPv4 .*DOWN' "$TMP/ctld.err" ||
	fail "no log line for m2's IPv4 session going down"
pd=$(($(drops_of peer_down) - pd0))
nr=$(($(drops_of no_route) - nr0))
rx=$(e2e_udp_count 2 198.18.2.1)
log "the stream: $rx datagrams received by m2, $pd dropped peer_down," \
	"$nr no_route (BIRD's deletes, a few routes, can be live first)"
assert_eq "1200 datagrams sent: received by m2 + peer_down + no_route" 1200 \
	$((rx + pd + nr))
# Nothing sent after the dataplane held the state reached m2 (send times
# in the datagrams; 50 ms for the datagram in flight).
late=$(awk -v d="$t_down" '$2 * 1000 > d + 50' "$TMP/udp-2-198.18.2.1" | wc -l)
assert_eq "datagrams sent after m2's sessions were seen down and received" 0 "$late"
log "ok: BFD ended m2's sessions, its kernel routes stopped"

log "m2 speaks again"
ip netns exec "$(member_ns 2)" tc qdisc del dev eth0 root ||
	fail "tc qdisc del"
bird_wait_established node m2v4
bird_wait_established node m2v6
for f in ipv4 ipv6; do
	e2e_until 20 up sess m2 "$f" || fail "m2 $f not up again"
done
e2e_route_is 198.18.2.1 "forward to m2"
e2e_udp_recv 2 198.18.2.1 5000
e2e_udp_send 1 198.18.2.1 5000 50
e2e_until 5 50 e2e_udp_count 2 198.18.2.1
assert_eq "datagrams to m2 after BFD and BGP came back" 50 \
	"$(e2e_udp_count 2 198.18.2.1)"
log "ok: forwarding resumed"

log "counters"
birdc_ node down >/dev/null 2>&1
birdc_ m1 down >/dev/null 2>&1
birdc_ m2 down >/dev/null 2>&1
ctl --json show sessions >"$TMP/sessions.json"
assert_eq "session dump errors" 0 "$(jq -r .dump_errors "$TMP/sessions.json")"
e2e_counters "$TMP/counters.json"
e2e_invariant "$TMP/counters.json"
for r in tx_full punt_queue_full punt_rate unknown_peer; do
	assert_eq "drops $r" 0 "$(e2e_series dropped_packets_total reason=$r)"
done

log "stopping"
kill "$CTLD_PID" 2>/dev/null
wait "$CTLD_PID" 2>/dev/null
e2e_stop_dp
echo "PASS: $TEST_NAME"
