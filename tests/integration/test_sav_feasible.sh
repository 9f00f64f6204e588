#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_sav_feasible.sh: source validation `feasible` (RFC 8704) following
# the kernel's routes (issue 10). configs/sav_feasible.conf: member ma
# (p0) may source 198.51.100.0/24 (allow-source) plus whatever is routed
# to it; its replayed stream is sourced from 100.64.1.10 towards
# 203.0.113.5, routed to mb by a kernel route of table 100. Then:
#  - nothing routes 100.64.1.0/24 to ma: the stream drops source_invalid;
#  - `ip route add 100.64.1.0/24 via` ma's next hop: ma announced it, so it
#    may source it: the stream reaches mb, source_invalid stops growing;
#  - the route withdrawn: source_invalid again, mb receives nothing more;
#  - the sources travel in `routes` commits (no audit record, no reload),
#    and the dataplane patches its IPv4 source FIB with them.
# Needs root and network namespaces: skipped (77) otherwise.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
. "$(dirname "$0")/rib_lib.sh"
need_file "$CTLD"
need_file "$CTL"
rib_setup sav 100.64.1.10 sav_feasible.conf

# A route before the daemon starts: the reader's first dump has it.
nsip route add 203.0.113.0/24 via 192.0.2.130 proto bird table 100

# --duration is a ceiling only, not a clock the test races (at 240 s a
# run under ASan at load could outlive it): the cleanup stops it, and
# meson's timeout bounds the test.
start_dp 900 "$TMP/live.json"
rib_start_ctld




wait_for 20 eq_now True rib_synced || fail "reader never synced"
routes_has 203.0.113.5 "forward to mb" || fail "first dump's route not live"
ctl show peer ma | grep -q "feasible" || { ctl show peer ma >&2; fail "show peer ma does not say feasible"; }

log "100.64.1.0/24 not ma's: source_invalid"
grows drops source_invalid || fail "ma's stream from 100.64.1.10 not dropped source_invalid"
still peer_tx mb || fail "mb receives ma's unvalidated stream"

log "ma announces 100.64.1.0/24 (kernel route via its next hop)"
nsip route add 100.64.1.0/24 via 192.0.2.10 proto bird table 100
routes_has 100.64.1.10 "forward to ma" || fail "ma's route not live"
grows peer_tx mb || fail "ma's stream not forwarded once ma announces its source"
wait_for 10 still drops source_invalid || fail "source_invalid still grows"
# The route commit changed ma's sources in one place: the dataplane
# patched sav4 from the running one (sav_table.c), not built it whole.
grep -q "built in .*sav4 patched" "$TMP/dp.err" ||
	{ grep "built in" "$TMP/dp.err" >&2; fail "sav4 not patched by the route commit"; }

log "withdrawn: source_invalid again"
nsip route del 100.64.1.0/24 via 192.0.2.10 table 100
routes_has 100.64.1.10 "no route" || fail "withdrawal not live"
grows drops source_invalid || fail "no source_invalid after the withdrawal"
wait_for 10 still peer_tx mb || fail "mb still receives after the withdrawal"

assert_eq "audit records of route commits" 0 "$(grep -c '"action": "routes"' "$AUDIT")"
for r in tx_full unknown_peer dmac_mismatch blackhole; do
	assert_eq "drops $r" 0 "$(drops $r)"
done
log "ok: generation $(generation)"
