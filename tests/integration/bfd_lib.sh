#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# bfd_lib.sh: the body of test_bfd_bird.sh and test_bfd_frr.sh, one test
# with the node's routing daemon as its parameter (doc/routing.md, "A link
# that fails silently: BFD"). Sourced after lib.sh, control_lib.sh and
# bgp_lib.sh; `bfd_test bird|frr` runs it.
#
# The node's daemon and the members' BIRD 2 run BFD (RFC 5880/5881: UDP
# 3784, TTL 255, through ixgate's exception path both ways) on their BGP
# sessions, 100 ms x 3 (detection 300 ms). Checked:
#  - the node's BFD sessions are up (its control packets reached Linux
#    through the exception path and left through the port);
#  - m2 goes silent: its egress queue drops every frame (`pfifo limit 0` on
#    its eth0: what it receives still arrives, nothing it sends leaves, so
#    no FIN or RST reaches the node) while m1 sends it a UDP stream; the
#    node's daemon sees BFD down and closes the sessions (their sockets
#    wait in FIN_WAIT1: no destroy notification), ixgate-control sees them
#    leave ESTABLISHED (at the daemon's first deletion, or the periodic
#    dump) and the dataplane drops m2's kernel routes `peer_down` (or
#    `no_route` once the daemon's deletes are live). Printed: from the
#    silence to BIRD's BFD down (BIRD only), to `show sessions` down, to
#    the last datagram m2 received. Asserted (bounded waits, no time): down
#    within 20 s (the hold timers are 180-240 s, so only BFD can do it),
#    every datagram received or dropped, none sent after the down state
#    reached m2, m1 untouched;
#  - m2 speaks again: BFD and BGP come back, the sessions are `up`,
#    forwarding resumes;
#  - received = forwarded + local + punted + drops.
# Every wait is bounded. Needs root, network namespaces, /dev/net/tun,
# bird2, tc (pfifo), and for `frr` FRR with bfdd: skipped (77) otherwise.

BFD_PROTO='protocol bfd {
	interface "*" {
		min rx interval 100 ms;
		min tx interval 100 ms;
		multiplier 3;
	};
}'
BFDD_CONF='hostname node
bfd
 profile fast
  detect-multiplier 3
  receive-interval 100
  transmit-interval 100
 exit
exit'

# bfd_member_conf N: member N's BIRD, BFD on its sessions.
bfd_member_conf() {
	e2e_member_bird "$1" $((65000 + $1)) all all |
		sed 's/error wait time 1, 5;/&\n\tbfd on;/'
	printf '%s\n' "$BFD_PROTO"
}

# bfd_node_start: the node's daemon ($BFD_DAEMON) with BFD on every session.
bfd_node_start() {
	local conf
	if [ "$BFD_DAEMON" = bird ]; then
		conf=$(e2e_node_bird 100 1 2 |
			sed 's/debug { states, routes, filters };/debug { states, routes, filters, events };\n\tbfd on;/')
		grep -q 'bfd on' <<<"$conf" || fail "bfd on in the node's BIRD config"
		log "node: BIRD (AS 65000) with BFD, four sessions over ixg-p0, ixg-p1"
		bird_start node "$BGP_NODE_NS" "$conf
$BFD_PROTO"
	else
		conf=$(e2e_frr_bgpd 1 2 | sed -E \
			's/^ neighbor ([^ ]+) remote-as .*/&\n neighbor \1 bfd\n neighbor \1 bfd profile fast/')
		grep -q 'bfd profile fast' <<<"$conf" || fail "bfd in the node's bgpd config"
		log "node: FRR (zebra, staticd, bfdd, bgpd; AS 65000), four sessions with BFD"
		frr_start node "$BGP_NODE_NS" "$(e2e_frr_zebra 1 2)" "$conf" \
			"$(e2e_frr_staticd)" "$BFDD_CONF"
	fi
}

# bfd_established N: the node's sessions to member N are Established.
bfd_established() {
	if [ "$BFD_DAEMON" = bird ]; then
		bird_wait_established node "m$1v4"
		bird_wait_established node "m$1v6"
	else
		frr_wait_established node "$(e2e_member4 "$1")"
		frr_wait_established node "$(e2e_member6 "$1")"
	fi
}

# bfd_up ADDR: the node's BFD session to ADDR is up.
bfd_up() {
	if [ "$BFD_DAEMON" = bird ]; then
		birdc_ node show bfd sessions 2>/dev/null |
			awk -v a="$1" '$1 == a && $3 == "Up" { f = 1 } END { exit !f }'
	else
		vtysh_ node -c "show bfd peer $1 json" 2>/dev/null |
			jq -e '.status == "up"' >/dev/null
	fi
}

bfd_show() {
	if [ "$BFD_DAEMON" = bird ]; then
		birdc_ node show bfd sessions
	else
		vtysh_ node -c "show bfd peers brief"
	fi
}

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
# ms_since EPOCH_SECONDS: milliseconds from the silence to it.
ms_since() { awk -v a="$1" -v b="$t_silent" 'BEGIN { printf "%.0f", (a - b) * 1000 }'; }

# bfd_test bird|frr: the whole test.
bfd_test() {
	BFD_DAEMON=$1
	need_tools
	need_file "$CTLD"
	need_file "$CTL"
	command -v tc >/dev/null || skip "no tc"
	if [ "$BFD_DAEMON" = frr ]; then
		[ -x /usr/lib/frr/bgpd ] && [ -x /usr/lib/frr/bfdd ] ||
			skip "FRR with bfdd not installed"
		[ "$(cat /proc/sys/net/ipv4/nexthop_compat_mode 2>/dev/null || echo 1)" = 1 ] ||
			skip "net.ipv4.nexthop_compat_mode is 0: routes would hide their next hops"
	fi

	e2e_node_ns
	e2e_members 1 2
	if [ "$BFD_DAEMON" = bird ]; then
		e2e_conf 100 bird 1 2
	else
		e2e_conf 254 bgp 1 2
	fi
	log "dataplane: ports p0, p1 on net_af_packet, exception path on"
	e2e_start_dp 900 1 2
	log "ixgate-control, kernel-routes from the node daemon's table"
	e2e_start_ctld

	bfd_node_start
	bird_start m1 "$(member_ns 1)" "$(bfd_member_conf 1)"
	bird_start m2 "$(member_ns 2)" "$(bfd_member_conf 2)"
	bfd_established 1
	bfd_established 2
	for a in "$(e2e_member4 1)" "$(e2e_member6 1)" "$(e2e_member4 2)" \
		"$(e2e_member6 2)"; do
		wait_for 20 bfd_up "$a" || {
			bfd_show >&2
			fail "the node's BFD session to $a not up within 20 s"
		}
	done
	bfd_show
	log "ok: four eBGP sessions Established, their BFD sessions up, through the exception path"

	for p in m1 m2; do
		for f in ipv4 ipv6; do
			e2e_until 10 up sess "$p" "$f" || fail "$p $f not up in show sessions"
		done
	done
	e2e_route_is 198.18.2.1 "forward to m2"
	e2e_route_is 2001:db8:2::1 "forward to m2"

	local pd0 nr0 send_pid t_bfd t_down t_last m_bfd m_down m_last pd nr rx late f
	pd0=$(drops_of peer_down)
	nr0=$(drops_of no_route)
	e2e_udp_recv_start 2 198.18.2.1 5000
	e2e_udp_recv_wait 2 198.18.2.1
	# 100 datagrams a second for 12 s to m2's network, in the background.
	timeout 60 ip netns exec "$(member_ns 1)" python3 "$E2E_UDP_PY" \
		send 198.18.1.1 198.18.2.1 5000 1200 100 &
	send_pid=$!
	wait_for 10 test -s "$TMP/udp-2-198.18.2.1" || fail "the stream never reached m2"
	sleep 1
	log "m2 goes silent (its eth0 sends nothing: pfifo limit 0)"
	t_silent=$(date +%s.%N)
	ip netns exec "$(member_ns 2)" tc qdisc replace dev eth0 root pfifo limit 0 ||
		skip "tc pfifo unavailable"
	for f in ipv4 ipv6; do
		e2e_until 20 down sess m2 "$f" || {
			ctl show sessions >&2
			bfd_show >&2
			fail "m2 $f not down within 20 s of the silence (BFD did not end the session)"
		}
	done
	wait "$send_pid" || fail "UDP sender in member 1"
	e2e_until 5 up sess m1 ipv4 || fail "m1 ipv4 affected"

	# What happened when (epoch seconds).
	m_bfd=""
	if [ "$BFD_DAEMON" = bird ]; then
		t_bfd=$(grep -m1 -E "m2v[46].*BFD session down" "$TMP/node.out" |
			awk '{ print $1 " " $2 }')
		m_bfd="BIRD's BFD down (not in BIRD's log), "
		[ -n "$t_bfd" ] &&
			m_bfd="BIRD's BFD down $(ms_since "$(date -d "$t_bfd" +%s.%N)") ms, "
	fi
	t_down=$(sess_changed_ms m2 ipv4)
	t_last=$(tail -1 "$TMP/udp-2-198.18.2.1" | awk '{ print $3 }')
	m_down=$(ms_since "$(awk -v m="$t_down" 'BEGIN { printf "%.3f", m / 1000 }')")
	m_last=$(ms_since "$t_last")
	log "measured (load $(cut -d' ' -f1-3 /proc/loadavg)): from m2's silence to" \
		"${m_bfd}show sessions down $m_down ms," \
		"the last datagram m2 received $m_last ms"
	grep -q 'sessions: m2 IPv4 .*DOWN' "$TMP/ctld.err" ||
		fail "no log line for m2's IPv4 session going down"
	pd=$(($(drops_of peer_down) - pd0))
	nr=$(($(drops_of no_route) - nr0))
	rx=$(e2e_udp_count 2 198.18.2.1)
	log "the stream: $rx datagrams received by m2, $pd dropped peer_down," \
		"$nr no_route (the daemon's deletes, a few routes, can be live first)"
	assert_eq "1200 datagrams sent: received by m2 + peer_down + no_route" 1200 \
		$((rx + pd + nr))
	# Nothing sent after the dataplane held the state reached m2 (send
	# times in the datagrams; 50 ms for the datagram in flight).
	late=$(awk -v d="$t_down" '$2 * 1000 > d + 50' "$TMP/udp-2-198.18.2.1" | wc -l)
	assert_eq "datagrams sent after m2's sessions were seen down and received" 0 "$late"
	log "ok: BFD ended m2's sessions, its kernel routes stopped"

	log "m2 speaks again"
	ip netns exec "$(member_ns 2)" tc qdisc del dev eth0 root ||
		fail "tc qdisc del"
	bfd_established 2
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
	[ "$BFD_DAEMON" = bird ] && birdc_ node down >/dev/null 2>&1
	birdc_ m1 down >/dev/null 2>&1
	birdc_ m2 down >/dev/null 2>&1
	ctl --json show sessions >"$TMP/sessions.json"
	assert_eq "session dump errors" 0 "$(jq -r .dump_errors "$TMP/sessions.json")"
	# With BIRD stopped the counters settle and are checked here too; FRR
	# keeps sending (bfdd), so its run has the final counters' check only.
	if [ "$BFD_DAEMON" = bird ]; then
		e2e_counters "$TMP/counters.json"
		e2e_invariant "$TMP/counters.json"
	fi
	for r in tx_full punt_queue_full punt_rate unknown_peer; do
		assert_eq "drops $r" 0 "$(e2e_series dropped_packets_total reason=$r)"
	done

	log "stopping (the invariant on the final counters)"
	kill "$CTLD_PID" 2>/dev/null
	wait "$CTLD_PID" 2>/dev/null
	e2e_stop_dp
	echo "PASS: $TEST_NAME"
}
