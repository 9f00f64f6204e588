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
log() { echo "# $(date +%T.%N | cut -c1-12) $*"; }
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
e2e_start_dp 200 1 2 3
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

for n in 1 2 3; do
	e2e_route_is "198.18.$n.1" "forward to m$n"
	e2e_route_is "2001:db8:$n::1" "forward to m$n"
done
e2e_route_is 198.18.2.1 "kernel table 100 proto bird"
log "ok: every member's network is routed to it, learned from BIRD"

for pair in "1 198.18.2.1" "1 198.18.3.1" "2 198.18.3.1" "3 2001:db8:1::1" \
	"2 2001:db8:3::1"; do
	# shellcheck disable=SC2086 # two words: member, address
	set -- $pair
	e2e_ping "$1" "$2" || { cat "$TMP/ping.out" >&2; fail "ping from m$1 to $2"; }
	log "ok: ping m$1 -> $2"
done

log "UDP: 200 datagrams m1 -> m3 (IPv4), 200 m3 -> m1 (IPv6)"
e2e_udp_recv 3 198.18.3.1 5000
e2e_udp_recv 1 2001:db8:1::1 5000
e2e_udp_send 1 198.18.3.1 5000 200
e2e_udp_send 3 2001:db8:1::1 5000 200
e2e_until 5 200 e2e_udp_count 3 198.18.3.1
assert_eq "datagrams m1 -> m3 received" 200 "$(e2e_udp_count 3 198.18.3.1)"
e2e_until 5 200 e2e_udp_count 1 2001:db8:1::1
assert_eq "datagrams m3 -> m1 received" 200 "$(e2e_udp_count 1 2001:db8:1::1)"
assert_eq "forwarded m1 -> m3 (peer pair counter)" 200 \
	"$(($(e2e_series peer_pair_packets_total src_peer=m1,dst_peer=m3) - 6))"

log "m2 withdraws 198.18.2.0/24 (IPv4 exports nothing)"
bird_configure m2 "$(e2e_member_bird 2 65002 none all)"
e2e_route_is 198.18.2.1 "no route"
e2e_udp_recv 2 198.18.2.1 5000
nr0=$(e2e_series dropped_packets_total reason=no_route)
e2e_udp_send 1 198.18.2.1 5000 100
e2e_until 5 100 e2e_delta dropped_packets_total reason=no_route "$nr0"
assert_eq "datagrams to the withdrawn network dropped no_route" 100 \
	"$(($(e2e_series dropped_packets_total reason=no_route) - nr0))"
assert_eq "datagrams to the withdrawn network received" 0 "$(e2e_udp_count 2 198.18.2.1)"
e2e_route_is 2001:db8:2::1 "forward to m2"
log "m2 announces it again"
bird_configure m2 "$(e2e_member_bird 2 65002 all all)"
e2e_route_is 198.18.2.1 "forward to m2"
e2e_ping 1 198.18.2.1 || { cat "$TMP/ping.out" >&2; fail "ping after re-announcing"; }
log "ok: forwarding restored"

BH4="route 198.18.2.66/32 blackhole { bgp_community.add((65535, 666)); };"
BH6="route 2001:db8:2::66/128 blackhole { bgp_community.add((65535, 666)); };"
log "m2 announces BLACKHOLE 198.18.2.66/32 while m1 sends it 200 datagrams/s"
e2e_udp_recv 2 198.18.2.66 5001
bh0=$(e2e_series dropped_packets_total reason=blackhole)
pd0=$(e2e_series peer_dropped_packets_total peer=m1)
bg timeout 60 ip netns exec "$(member_ns 1)" python3 "$E2E_UDP_PY" \
	send 198.18.1.1 198.18.2.66 5001 1600 200
SENDER=$BG_PID
e2e_until 5 yes sh -c "[ \$(grep -c . $TMP/udp-2-198.18.2.66) -ge 200 ] && echo yes" ||
	fail "the stream to 198.18.2.66 is not forwarded"
bird_configure m2 "$(e2e_member_bird 2 65002 all all "$BH4" "$BH6")"
e2e_route_is 198.18.2.66 "drop: blackhole 198.18.2.66/32"
ip -n "$BGP_NODE_NS" route show table 100 >"$TMP/t100.out"
assert_contains "kernel table 100 has the blackhole" "$TMP/t100.out" \
	"^blackhole 198\.18\.2\.66 proto bird"
wait "$SENDER" || fail "the UDP sender in m1"
rx=$(e2e_udp_count 2 198.18.2.66)
bh=$(e2e_delta dropped_packets_total reason=blackhole "$bh0")
log "m2 received $rx datagrams, $bh dropped as blackhole"
[ "$bh" -gt 0 ] || fail "no datagram dropped as blackhole"
assert_eq "every datagram of the stream received or dropped blackhole" 1600 $((rx + bh))
# Per member that sent it: m1's drops grew by the blackholed datagrams
# (and whatever else m1's kernel sent meanwhile that the node drops, e.g.
# IPv6 multicast listener reports: local_unhandled).
pd=$(e2e_delta peer_dropped_packets_total peer=m1 "$pd0")
[ "$pd" -ge "$bh" ] || fail "m1's drops grew by $pd, less than the $bh blackholed"
log "ok: m1's drops grew by $pd (>= $bh blackholed)"
# The cut is clean: datagrams 0..rx-1 went through, none after. And how
# long after the announcement reached the node's BIRD (the route's import
# time, `timeformat route iso long ms`) the dataplane dropped the first
# datagram (sent 5 ms after the last one that went through: one clock,
# every namespace shares it).
python3 - "$TMP/udp-2-198.18.2.66" "$rx" "$TMP/node.out" <<'PY' || fail "the blackhole's cut"
import datetime, re, sys
lines = [l.split() for l in open(sys.argv[1]) if l.strip()]
seqs = [int(l[0]) for l in lines]
n = int(sys.argv[2])
if seqs != list(range(n)):
    sys.exit("FAIL: received datagrams are not 0..%d in order: a gap" % (n - 1))
# The node's BIRD logs the import (debug routes), `timeformat log` in us.
m = re.search(r"^(\S+ \S+) <TRACE> m2v4\.ipv4 > added .*198\.18\.2\.66/32",
              open(sys.argv[3]).read(), re.M)
if not m:
    sys.exit("FAIL: the node's BIRD did not log the BLACKHOLE's import")
imported = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
first_drop = float(lines[-1][1]) + 1 / 200
print("# measured: BLACKHOLE imported by the node's BIRD at %s; first datagram dropped "
      "%.0f ms later (sent at 200/s: +-5 ms)" % (m.group(1), (first_drop - imported) * 1e3))
PY
e2e_route_is 2001:db8:2::66 "drop: blackhole 2001:db8:2::66/128"
e2e_udp_recv 2 2001:db8:2::66 5001
bh0=$(e2e_series dropped_packets_total reason=blackhole)
e2e_udp_send 1 2001:db8:2::66 5001 50
e2e_until 5 50 e2e_delta dropped_packets_total reason=blackhole "$bh0"
assert_eq "IPv6 datagrams to the blackholed host dropped" 50 \
	"$(($(e2e_series dropped_packets_total reason=blackhole) - bh0))"
assert_eq "IPv6 datagrams to the blackholed host received" 0 "$(e2e_udp_count 2 2001:db8:2::66)"
e2e_ping 1 198.18.2.1 || fail "the rest of m2's network must still be forwarded"

log "m2 withdraws the BLACKHOLEs"
bird_configure m2 "$(e2e_member_bird 2 65002 all all)"
e2e_route_is 198.18.2.66 "forward to m2"
e2e_route_is 2001:db8:2::66 "forward to m2"
e2e_udp_recv 2 198.18.2.66 5001
e2e_udp_send 1 198.18.2.66 5001 50
e2e_until 5 50 e2e_udp_count 2 198.18.2.66
assert_eq "datagrams after the BLACKHOLE's withdrawal received" 50 "$(e2e_udp_count 2 198.18.2.66)"

log "m3 announces BLACKHOLE 198.18.2.77/32 and 198.18.2.0/25: m2's, refused"
bird_configure m3 "$(e2e_member_bird 3 65003 all all \
	"route 198.18.2.77/32 blackhole { bgp_community.add((65535, 666)); };
	route 198.18.2.0/25 unreachable;")"
filtered() {
	birdc_ node show protocols all m3v4 |
		awk '/Import updates:/ {print $5}'
}
e2e_until 10 2 filtered ||
	{ birdc_ node show protocols all m3v4 >&2; fail "the node's BIRD did not refuse m3's two routes"; }
log "ok: the node's BIRD counts m3's two routes as filtered"
assert_contains "the refusal is logged" "$TMP/node.out" \
	"ixgate: m3v4: refused 198\.18\.2\.77/32"
ip -n "$BGP_NODE_NS" route show table 100 >"$TMP/t100.out"
if grep -q "198\.18\.2\.77\|198\.18\.2\.0/25" "$TMP/t100.out"; then
	cat "$TMP/t100.out" >&2
	fail "m3's refused routes reached the kernel table"
fi
e2e_route_is 198.18.2.77 "forward to m2"
e2e_udp_recv 2 198.18.2.77 5002
e2e_udp_send 1 198.18.2.77 5002 50
e2e_until 5 50 e2e_udp_count 2 198.18.2.77
assert_eq "datagrams to 198.18.2.77 still forwarded to m2" 50 "$(e2e_udp_count 2 198.18.2.77)"

log "counters"
ctl show kernel-routes | tee "$TMP/kr.txt"
assert_eq "failed route commits" 0 "$(e2e_kr_field .commits_failed)"
assert_eq "kernel routes refused by ixgate (BIRD filtered them)" 0 \
	"$(e2e_kr_field '.prefixes.filtered + .prefixes.blackhole_refused')"
e2e_counters "$TMP/counters.json"
e2e_invariant "$TMP/counters.json"
for r in tx_full punt_queue_full punt_rate unknown_peer source_invalid; do
	assert_eq "drops $r" 0 "$(e2e_series dropped_packets_total reason=$r)"
done

log "stopping"
for n in node m1 m2 m3; do
	birdc_ "$n" down >/dev/null 2>&1
done
kill "$CTLD_PID" 2>/dev/null
wait "$CTLD_PID" 2>/dev/null
e2e_stop_dp
echo "PASS: $TEST_NAME"
