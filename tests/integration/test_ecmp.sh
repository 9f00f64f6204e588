#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_ecmp.sh: an ECMP kernel route in the live dataplane (issue 10).
# Set-up of test_rib_kernel.sh (configs/rib.conf: ixgate-control follows
# table 100 of its namespace), with member ma replaying 512 frames of 256
# UDP flows (sources 198.51.100.1..254, many ports) to 203.0.113.0/24 for
# ever. Then:
#  - `ip route add 203.0.113.0/24 nexthop via mb nexthop via mc` (before
#    the daemon starts: its first dump) -> one route to an ECMP group of
#    mb and mc: `show routes` names both, `show kernel-routes` counts it
#    for both members, and both members' forwarded counters grow;
#  - `ip route replace` with mb alone -> a plain route: mc's counter stops,
#    mb's grows;
#  - the same route with weights (mb 1, mc 3) -> the group's weights;
#  - at the end (dataplane stopped): the counters are exact: what ma sent
#    = forwarded to mb + forwarded to mc + dropped no_route (the frames
#    before the first route commit), nothing else dropped; received =
#    forwarded + local + punted + drops for the node and every port.
# Needs root and network namespaces: skipped (77) otherwise.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
. "$(dirname "$0")/rib_lib.sh"
need_file "$CTLD"
need_file "$CTL"
rib_setup ecmp 198.51.100.10 rib.conf

# Many flows instead of rib_setup's one.
flows_pcap "$TMP/in.pcap"

# The ECMP route before the daemon starts: the reader's first dump has it.
nsip route add 203.0.113.0/24 proto bird table 100 \
	nexthop via 192.0.2.130 nexthop via 192.0.2.131

# --duration is a ceiling only, not a clock the test races (at 240 s a
# run under ASan at load could outlive it): the test stops it (SIGTERM), and
# meson's timeout bounds the test.
start_dp 900 "$TMP/live.json"
rib_start_ctld


wait_for 20 test "$(kr_field 'j["synced"]')" = True || fail "reader never synced"
routes_has 203.0.113.5 "forward to one of mb, mc \(ECMP, by flow hash\)" ||
	fail "the ECMP route is not live"
ctl show routes 203.0.113.5
routes_has 203.0.113.5 '"ecmp":\{"group":0,"members":\[\{"peer":"mb","weight":1,"port":"p1"\},\{"peer":"mc","weight":1,"port":"p1"\}\]\}' --json ||
	fail "show routes --json: no ecmp members"
routes_has 203.0.113.5 '"where":"kernel table 100 proto bird metric 0 via 192.0.2.130 dev lan0 weight 1, via 192.0.2.131 dev lan0 weight 1"' --json ||
	fail "show routes: the kernel route's gateways"
# max-prefix counts an ECMP route for each member
assert_eq "mb's kernel routes" 1 "$(kr_field '[m for m in j["members"] if m["peer"] == "mb"][0]["routes"]')"
assert_eq "mc's kernel routes" 1 "$(kr_field '[m for m in j["members"] if m["peer"] == "mc"][0]["routes"]')"
assert_eq "show kernel-routes: the group" "0 1 mb 1 True mc 1 True" \
	"$(kr_field '" ".join(str(x) for g in j["nhgroups"] for x in [g["id"], g["prefixes"]] + [y for m in g["members"] for y in (m["peer"], m["weight"], m["installed"])])')"
grows peer_tx mb || fail "nothing forwarded to mb"
grows peer_tx mc || fail "nothing forwarded to mc"
log "both members forward: mb $(peer_tx mb), mc $(peer_tx mc)"

log "weights: mb 1, mc 3"
nsip route replace 203.0.113.0/24 proto bird table 100 \
	nexthop via 192.0.2.130 weight 1 nexthop via 192.0.2.131 weight 3
routes_has 203.0.113.5 "forward to one of mb weight 1, mc weight 3" ||
	fail "weights not live"
ctl show kernel-routes | grep -E "next-hop groups|group " ||
	fail "show kernel-routes: no group lines"
a_mb=$(peer_tx mb)
a_mc=$(peer_tx mc)
sleep 2
d_mb=$(($(peer_tx mb) - a_mb))
d_mc=$(($(peer_tx mc) - a_mc))
log "in 2 s with weights 1:3: mb +$d_mb, mc +$d_mc"
[ "$d_mc" -gt "$d_mb" ] || fail "mc (weight 3) got no more than mb (weight 1)"

log "mc's gateway removed: everything to mb"
nsip route replace 203.0.113.0/24 via 192.0.2.130 proto bird table 100
routes_has 203.0.113.5 "forward to mb" || fail "the plain route is not live"
wait_for 10 still peer_tx mc || fail "mc still gets traffic"
grows peer_tx mb || fail "mb gets nothing"
assert_eq "mc's kernel routes" 0 "$(kr_field '[m for m in j["members"] if m["peer"] == "mc"][0]["routes"]')"
assert_eq "groups left" 0 "$(kr_field 'len(j["nhgroups"])')"
# The weight change (a new group) and the removal (group to mb) were route
# commits built from the changed prefixes, the groups sent with the edits
# (doc/routing.md "Route deltas"), none refused by the dataplane.
[ "$(kr_field 'j["route_builds"]["from_changes"]')" -ge 2 ] ||
	fail "ECMP changes not built from the changed prefixes"
assert_eq "deltas refused" 0 "$(kr_field 'j["route_tables_sent"]["deltas_refused"]')"
ctl show kernel-routes
assert_eq "failed route commits" 0 "$(kr_field 'j["commits_failed"]')"

kill -TERM "$DP_PID"
wait "$DP_PID" || fail "dataplane exited non-zero"
check_invariant "$TMP/live.json"
python3 - "$TMP/live.json" <<'PY' || fail "counters not exact"
import json, sys
j = json.load(open(sys.argv[1]))
peers = j["peers"]
def pc(name, key):
    p = peers[name]
    v = p[key]
    return v["packets"] if isinstance(v, dict) else v
ma_rx = pc("ma", "rx_packets")
mb_tx, mc_tx = pc("mb", "tx_packets"), pc("mc", "tx_packets")
drops = {k: v for k, v in j["drops"].items() if v}
assert mb_tx > 0 and mc_tx > 0, (mb_tx, mc_tx)
assert set(drops) <= {"no_route"}, drops
assert ma_rx == mb_tx + mc_tx + drops.get("no_route", 0), \
    (ma_rx, mb_tx, mc_tx, drops)
assert j["tx_packets"] == mb_tx + mc_tx, (j["tx_packets"], mb_tx, mc_tx)
print("# ok: ma sent %d = %d to mb + %d to mc + %d no_route (before the "
      "first route commit)" % (ma_rx, mb_tx, mc_tx, drops.get("no_route", 0)))
PY
