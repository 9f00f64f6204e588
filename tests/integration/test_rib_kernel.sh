#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_rib_kernel.sh: kernel routes reaching the live dataplane (issue 10).
# ixgate-control runs in a fresh network namespace and follows its table
# 100 (configs/rib.conf: kernel-routes { table 100; filter sources; });
# the dataplane forwards a replayed stream from member ma (p0) towards
# 203.0.113.5. `ip route ... table 100` then:
#  - a route present before the daemon starts (first dump) -> forwarded to
#    mb, `show routes` names "kernel table 100" and mb's TX grows;
#  - replaced via mc's next hop -> mc's TX grows, mb's stops;
#  - a kernel blackhole 203.0.113.5/32 -> dropped as `blackhole`; its
#    withdrawal restores forwarding;
#  - a blackhole nobody's sources cover -> refused; a route of mb outside
#    its sources -> filtered; an unknown gateway -> unresolved (counted);
#  - mc over its max-prefix 3 -> all of mc's kernel routes withdrawn (the
#    stream drops no_route), then back under 90% -> forwarded again;
#  - an IPv6 route via mb's IPv6 next hop -> installed;
#  - every route change is a `routes` commit sending only route tables:
#    no audit record, the config not recompiled, and nothing but
#    no_route/blackhole ever dropped (no tx_full, no other reason).
# Needs root and network namespaces: skipped (77) otherwise.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
. "$(dirname "$0")/rib_lib.sh"
need_file "$CTLD"
need_file "$CTL"
rib_setup rib 198.51.100.10 rib.conf

# A route before the daemon starts: the reader's first dump has it.
nsip route add 203.0.113.0/24 via 192.0.2.130 proto bird table 100

# The dataplane's --duration is a ceiling only (the cleanup stops it): at
# 240 s a run at load ~30 outlived it, and the last `show drops` found no
# dataplane (null counters).
start_dp 900 "$TMP/live.json"
rib_start_ctld

# Route deltas, step by step: after the first dump (sent whole), each step
# below that changes a route table (and waits until it is live) must have
# sent at least one route table, every one as a delta. Counted from the
# daemon's view (`route_tables_sent`), so coalesced commits under load
# change nothing.
SENT_DELTA=0 SENT_WHOLE=0
sent_mark() { # sent_mark: the counts now, as the next step's start
	read -r SENT_DELTA SENT_WHOLE < <(kr_field \
		'j["route_tables_sent"]["as_delta"], j["route_tables_sent"]["whole"]' | tr -d '(),')
}
sent_deltas() { # sent_deltas STEP: since sent_mark, deltas only, >= 1
	local d w
	read -r d w < <(kr_field \
		'j["route_tables_sent"]["as_delta"], j["route_tables_sent"]["whole"]' | tr -d '(),')
	[ "$w" = "$SENT_WHOLE" ] || fail "$1: $((w - SENT_WHOLE)) route tables sent whole"
	[ "$d" -gt "$SENT_DELTA" ] || fail "$1: no route table sent as a delta"
	STEP_DELTAS=$((STEP_DELTAS + 1))
	SENT_DELTA=$d SENT_WHOLE=$w
}
STEP_DELTAS=0

wait_for 20 eq_now True kr_field 'j["synced"]' || fail "reader never synced"
routes_has 203.0.113.5 "forward to mb" || fail "first dump's route not live"
routes_has 203.0.113.5 '"where":"kernel table 100 proto bird metric 0 via 192.0.2.130 dev lan0"' --json ||
	fail "show routes does not say where the route comes from"
grows peer_tx mb || fail "nothing forwarded to mb"
log "first dump live: $(grep 'first dump is live' "$TMP/ctld.err" | tail -1)"
sent_mark

log "replace: via mc"
nsip route replace 203.0.113.0/24 via 192.0.2.131 proto bird table 100
routes_has 203.0.113.5 "forward to mc" || fail "replace not live"
grows peer_tx mc || fail "nothing forwarded to mc"
still peer_tx mb || fail "mb still receives"
sent_deltas replace

log "blackhole 203.0.113.5/32"
nsip route add blackhole 203.0.113.5/32 proto bird table 100
routes_has 203.0.113.5 "drop: blackhole 203.0.113.5/32" || fail "blackhole not live"
grows drops blackhole || fail "blackhole does not drop"
still peer_tx mc || fail "mc still receives under the blackhole"
nsip route del blackhole 203.0.113.5/32 table 100
routes_has 203.0.113.5 "forward to mc" || fail "blackhole withdrawal not live"
grows peer_tx mc || fail "forwarding not restored after the blackhole"

log "refused, filtered, unresolved"
nsip route add blackhole 8.8.8.8/32 proto bird table 100
nsip route add 10.9.0.0/16 via 192.0.2.130 proto bird table 100
nsip route add 10.10.0.0/16 via 192.0.2.99 proto bird table 100
wait_for 10 eq_now 1 kr_field 'j["prefixes"]["blackhole_refused"]' ||
	fail "blackhole outside every member's sources not refused"
wait_for 10 eq_now 1 kr_field 'j["prefixes"]["filtered"]' ||
	fail "mb's route outside its sources not filtered"
wait_for 10 eq_now 1 kr_field 'j["prefixes"]["unresolved"]' ||
	fail "route via an unknown gateway not counted"
routes_has 8.8.8.8 "no route" || fail "refused blackhole installed"
routes_has 10.9.1.1 "no route" || fail "filtered route installed"
assert_eq "mb's filtered routes" 1 \
	"$(kr_field '[m for m in j["members"] if m["peer"] == "mb"][0]["filtered"]')"

log "max-prefix: mc has 1 route, limit 3"
for i in 1 2 3; do nsip route add 100.100.$i.0/24 via 192.0.2.131 proto bird table 100; done
routes_has 203.0.113.5 "no route" || fail "mc over max-prefix still installed"
grows drops no_route || fail "no_route drops do not grow while mc is shut out"
wait_for 5 grep -q "member mc has 4 kernel routes, more than its max-prefix 3" "$TMP/ctld.err" ||
	fail "shut-out not logged"
sent_deltas "max-prefix shut-out"
routes_has 203.0.113.0/24 '"kernel":"kernel table 100 proto bird metric 0 via 192.0.2.131 dev lan0 \(not installed: beaten by a config route, or the member is over its max-prefix\)"' --json ||
	fail "show routes does not say why"
for i in 1 2 3; do nsip route del 100.100.$i.0/24 table 100; done
routes_has 203.0.113.5 "forward to mc" || fail "mc not back under 90%"
grows peer_tx mc || fail "forwarding to mc not restored"
sent_deltas "max-prefix return"

log "IPv6"
nsip -6 route add 2001:db8:ff::/48 via 2001:db8:1::2 proto bird table 100
routes_has 2001:db8:ff::1 "forward to mb" || fail "IPv6 kernel route not live"
sent_deltas IPv6

log "reload: mc's next hop moves away; the kernel routes stay"
sed -i 's|next-hop 192.0.2.131;|next-hop 192.0.2.132;|' "$CONF"
ctl reload >"$TMP/reload.out" 2>&1 || { cat "$TMP/reload.out" >&2; fail "reload"; }
cat "$TMP/reload.out"
routes_has 203.0.113.5 "no route" || fail "route via mc's old next hop still installed"
routes_has 2001:db8:ff::1 "forward to mb" || fail "kernel route lost by the reload"
assert_eq "unresolved after the reload" 2 "$(kr_field 'j["prefixes"]["unresolved"]')"
sent_mark # the reload's own tables: as deltas or whole, either is right
nsip route replace 203.0.113.0/24 via 192.0.2.132 proto bird table 100
routes_has 203.0.113.5 "forward to mc" || fail "route via mc's new next hop not live"
sent_deltas "replace after the reload"

log "commits"
ctl show kernel-routes >"$TMP/kr.txt"
cat "$TMP/kr.txt"
commits=$(kr_field 'j["commits"]')
[ "$commits" -ge 8 ] || fail "only $commits route commits"
assert_eq "failed route commits" 0 "$(kr_field 'j["commits_failed"]')"
# Route commits are not configurations: the audit log has only the
# start-up (the dataplane runs the same files: adopted) and the reload's
# attempt and result.
assert_eq "audit records of route commits" 0 "$(grep -c '"action": "routes"' "$AUDIT")"
assert_eq "audit records" 3 "$(grep -c . "$AUDIT")"
gen=$(generation)
# Each change that moved the tables is a generation (the refused and
# filtered ones change nothing: their jobs send no table).
[ "$gen" -ge 9 ] || fail "generation $gen after $commits route commits"
for r in tx_full unknown_peer source_invalid dmac_mismatch; do
	assert_eq "drops $r" 0 "$(drops $r)"
done
# Route deltas: after the first dump (sent whole, sorted), the route
# commits carry only their edits; the reload's tables went whole (its
# candidate's routes changed) and the next route commit is a delta again.
deltas=$(kr_field 'j["route_tables_sent"]["as_delta"]')
# Each step checked above sent its route tables as deltas (sent_deltas):
# at least one per step, however the commits coalesced.
[ "$deltas" -ge "$STEP_DELTAS" ] || fail "only $deltas route tables sent as deltas for $STEP_DELTAS steps"
# Built from the changed prefixes, without a merge of the whole table: at
# least the replace, the blackhole and its withdrawal, the IPv6 route (the
# first dump, the max-prefix shut-out and return and the commit after the
# reload merge the whole table: doc/routing.md, "Route deltas").
from_changes=$(kr_field 'j["route_builds"]["from_changes"]')
[ "$from_changes" -ge 4 ] || fail "only $from_changes route commits built from the changed prefixes"
edits=$(kr_field 'j["route_tables_sent"]["delta_edits"]')
[ "$edits" -ge "$deltas" ] || fail "$deltas deltas but $edits edits"
assert_eq "deltas refused" 0 "$(kr_field 'j["route_tables_sent"]["deltas_refused"]')"
grep -q "txn_delta\|delta refused" "$TMP/ctld.err" &&
	fail "a delta was refused: $(grep 'delta refused' "$TMP/ctld.err")"
log "ok: $commits route commits ($from_changes built from the changed prefixes), generation $gen, $deltas route deltas ($edits edits)"
