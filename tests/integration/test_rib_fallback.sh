#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_rib_fallback.sh: a route commit the dataplane refuses, and the
# daemon's fallback to whole route tables (doc/routing.md, "Route
# deltas").
#
# The refusal is provoked honestly: the config has a blackhole that
# expires a few seconds after the start; the dataplane then publishes a
# generation of its own (same configuration), so the next route commit's
# base generation is stale. The daemon must ask the dataplane which
# generation it runs, commit on that one, and send the route tables whole
# (its delta bases belong to generations it made); the next commit is a
# delta again. Checked: the route in the fast path (show routes, and the
# replayed stream reaching the new member), and the daemon's counters
# exactly (one failed route commit, two tables whole, none refused as a
# delta, then one delta). Needs root and network namespaces: skipped (77)
# otherwise.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
. "$(dirname "$0")/rib_lib.sh"
need_file "$CTLD"
need_file "$CTL"
rib_setup ribfb 198.51.100.10 rib.conf
EXP=$(date -u -d '+10 seconds' +%Y-%m-%dT%H:%M:%SZ)
chmod u+w "$CONF_DIR" "$CONF"
printf 'blackhole 198.18.0.0/15 expires "%s";\n' "$EXP" >>"$CONF"
chmod -R go-w "$CONF_DIR"

nsip route add 203.0.113.0/24 via 192.0.2.130 proto bird table 100
# --duration is a ceiling only, not a clock the test races (at 240 s a
# run under ASan at load could outlive it): the cleanup stops it, and
# meson's timeout bounds the test.
start_dp 900 "$TMP/live.json"
rib_start_ctld

# counts: failed commits, tables sent as deltas, whole, deltas refused
counts() {
	kr_field 'j["commits_failed"], j["route_tables_sent"]["as_delta"], j["route_tables_sent"]["whole"], j["route_tables_sent"]["deltas_refused"]' |
		tr -d '(),'
}
idle() { # no route commit queued, running or waiting
	test "$(kr_field 'int(j["job"]) + j["pending"] + j["in_flight"]')" = 0
}

wait_for 20 eq_now True kr_field 'j["synced"]' || fail "reader never synced"
routes_has 203.0.113.5 "forward to mb" || fail "first dump's route not live"
grows peer_tx mb || fail "nothing forwarded to mb"

log "the config's blackhole expires: the dataplane publishes on its own"
wait_for 60 grep -q "blackhole expired" "$TMP/dp.err" || fail "the blackhole never expired"
grep "blackhole expired" "$TMP/dp.err"
wait_for 10 idle || fail "route commits still running"
read -r F0 D0 W0 R0 < <(counts)

log "a route change on the stale base: refused, then sent whole"
nsip route replace 203.0.113.0/24 via 192.0.2.131 proto bird table 100
routes_has 203.0.113.5 "forward to mc" || fail "the change never went live"
grows peer_tx mc || fail "nothing forwarded to mc"
wait_for 10 idle || fail "route commits still running"
read -r F1 D1 W1 R1 < <(counts)
assert_eq "failed route commits (the stale one)" 1 $((F1 - F0))
assert_eq "route tables sent whole (routes4, routes6)" 2 $((W1 - W0))
assert_eq "route tables sent as deltas meanwhile" 0 $((D1 - D0))
assert_eq "deltas refused" 0 $((R1 - R0))
grep -q "published generation [0-9]* of our configuration on its own" "$TMP/ctld.err" ||
	fail "the daemon did not say why it took the dataplane's generation"

log "the next change: a delta again"
nsip route add 203.0.113.128/25 via 192.0.2.130 proto bird table 100
routes_has 203.0.113.200 "forward to mb" || fail "the next change never went live"
wait_for 10 idle || fail "route commits still running"
read -r F2 D2 W2 R2 < <(counts)
assert_eq "failed route commits after" 0 $((F2 - F1))
assert_eq "route tables sent as deltas after" 1 $((D2 - D1))
assert_eq "route tables sent whole after" 0 $((W2 - W1))
ctl show kernel-routes
log "ok"
