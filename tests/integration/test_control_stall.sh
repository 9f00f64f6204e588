#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# "Nothing changed" must be true (issue 13, item 7): a stalled dataplane
# past the commit timeout (SIGSTOP / SIGCONT), with --commit-timeout 3.
#
# 1. Stalled before the transaction: the dataplane is stopped, then
#    `ixgatectl reload`. TXN_BEGIN gets no reply within 3 s: the daemon
#    drops the connection and says nothing changed, because the
#    transaction was never committed (a dataplane discards an open
#    transaction whose client has gone). After SIGCONT the dataplane still
#    runs the old generation, and the daemon reconnects.
# 2. Stalled while it builds: a full-table reload (every route changes
#    owner); the dataplane is stopped the moment the daemon has sent
#    TXN_COMMIT, for longer than the commit timeout and the re-check after
#    it. The operator is told the state is UNKNOWN, then that it is still
#    unknown; `show generation`, `status` answer meanwhile and another
#    reload is refused (nothing may commit before the truth). After
#    SIGCONT the daemon finds out what is live and says so, in its log and
#    its audit log; what it says is what the dataplane did (its own log
#    says whether it published the generation), and `show generation`
#    agrees. (A dataplane that drops a transaction whose client went says
#    "still live"; one that publishes it anyway says "went live": either
#    way the daemon's word is the truth.)
# Counters keep the invariant rx == tx + local + drops throughout.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$GEN"
need_file "$CTLD"
need_file "$CTL"

timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count 4096 \
	--seed 7 --port p0 >/dev/null || fail "ixgate-pcapgen"
copy_config "net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1" "net_null1,no-rx=1"
big_table
big_to 198.18.6.2
# The dataplane's own limit (900 s) is a ceiling only: the test stops it
# (SIGTERM) at the end.
start_dp 900 "$TMP/live.json"
start_ctld --commit-timeout 3
wait_for 120 grep -qE '"result": "(ok|adopted)"' "$AUDIT" ||
	{ tail -20 "$TMP/ctld.err" >&2; fail "no first commit"; }
wait_for 60 dp_is_connected || fail "daemon not connected"
g0=$(generation)
log "generation $g0 after start-up"

# ---- 1. stalled before the transaction ---------------------------------
# An ACL change: quick to build, so only the stop makes it time out.
sed -i 's|destination-port 23;|destination-port 2323;|' "$CONF"
grep -q 2323 "$CONF" || fail "edit"
kill -STOP "$DP_REAL_PID"
ctl reload >"$TMP/r1.out" 2>&1
st=$?
kill -CONT "$DP_REAL_PID"
cat "$TMP/r1.out" | sed 's/^/# /'
assert_eq "reload against a stopped dataplane: exit" 1 $st
# The reason is the commit timeout, or, when the daemon's own check of a
# silent connection fires first (a loaded machine may delay the reload
# past it), the connection it dropped: either way the transaction never
# began and the old generation is live.
assert_contains "says the transaction never committed" "$TMP/r1.out" \
	"TXN_BEGIN: (no answer within the commit timeout|dataplane connection lost); nothing changed \(generation $g0 still live\)"
wait_for 60 dp_is_connected || fail "no reconnection after SIGCONT"
assert_eq "generation after the stalled reload" "$g0" "$(generation)"
grep -q "commit: generation $((g0 + 1)) live" "$TMP/dp.err" &&
	fail "the dataplane published a transaction whose client had gone"
log "ok: nothing changed, and it is true"
# The same change again. At load ~30 an ASan dataplane can take longer
# than --commit-timeout 3 to answer this TXN_COMMIT too (it failed so
# once): the daemon then says UNKNOWN, re-checks and audits its verdict.
# Wait for that verdict; if the generation did not go live, reload again.
alines1=$(wc -l <"$AUDIT")
if ! ctl reload >"$TMP/r1b.out" 2>&1; then
	sed 's/^/# /' "$TMP/r1b.out"
	grep -q "is still UNKNOWN" "$TMP/r1b.out" || fail "reload after SIGCONT"
	log "the commit outlived --commit-timeout 3: waiting for the daemon's verdict"
	wait_for 120 sh -c "tail -n +$((alines1 + 1)) '$AUDIT' | grep -q '\"note\": \"verified'" ||
		{ tail "$TMP/ctld.err" >&2; fail "reload after SIGCONT: never verified"; }
	wait_for 60 dp_is_connected || fail "no reconnection after the verdict"
	if ! grep -q "commit: generation $((g0 + 1)) live" "$TMP/dp.err"; then
		ctl reload >"$TMP/r1b.out" 2>&1 ||
			{ cat "$TMP/r1b.out" >&2; fail "reload after SIGCONT (again)"; }
	fi
fi
g1=$(generation)
assert_eq "the same change, committed now" $((g0 + 1)) "$g1"

# ---- 2. stalled while it builds ----------------------------------------
# Only this part's audit records: part 1's reload after SIGCONT can also
# time out at load ~30 (--commit-timeout 3) and be verified, and its
# records must not answer for this one.
alines=$(wc -l <"$AUDIT") clines=$(wc -l <"$TMP/ctld.err")
audit_now() { tail -n +$((alines + 1)) "$AUDIT"; }
big_to 198.18.7.2
before=$(grep -c "tables sent, dataplane building" "$TMP/ctld.err")
ctl reload >"$TMP/r2.out" 2>&1 &
RPID=$!
# Stop it the moment TXN_COMMIT is out (the build takes seconds).
wait_for 60 sh -c "[ \$(grep -c 'tables sent, dataplane building' '$TMP/ctld.err') -gt $before ]" ||
	fail "the daemon never sent TXN_COMMIT"
kill -STOP "$DP_REAL_PID"
t_stop=$(date +%s)
wait "$RPID"
st=$?
cat "$TMP/r2.out" | sed 's/^/# /'
assert_eq "reload stalled past the timeout: exit" 1 $st
assert_contains "operator told UNKNOWN" "$TMP/r2.out" "state UNKNOWN, re-checking what the dataplane runs"
assert_contains "operator told still unknown" "$TMP/r2.out" "is still UNKNOWN"
if grep -q "nothing changed" "$TMP/r2.out"; then
	fail "said 'nothing changed' without knowing"
fi
ctl show generation >"$TMP/gen.out" || fail "show generation while stalled"
ctl status >"$TMP/status.out" || fail "status while stalled"
assert_contains "status names the re-check" "$TMP/status.out" "re-checking with the dataplane"
ctl reload >"$TMP/r3.out" 2>&1 && fail "a reload was accepted before the truth was known"
assert_contains "reload refused meanwhile" "$TMP/r3.out" "still unknown"
audit_now >"$TMP/audit2"
assert_contains "audit: unknown" "$TMP/audit2" '"result": "unknown"'
log "stopped for $(($(date +%s) - t_stop)) s; continuing"
kill -CONT "$DP_REAL_PID"
wait_for 120 sh -c "tail -n +$((alines + 1)) '$AUDIT' | grep -q '\"note\": \"verified'" ||
	{ tail "$TMP/ctld.err" >&2; fail "never verified"; }
verdict=$(audit_now | grep '"note": "verified' | tail -1)
log "audit: $(echo "$verdict" | sed 's/.*"result": "\([a-z]*\)".*"note": "\([^"]*\)".*/\1: \2/')"
wait_for 60 dp_is_connected || fail "no reconnection"
g2=$(generation)
if grep -q "commit: generation $((g1 + 1)) live" "$TMP/dp.err"; then
	echo "$verdict" | grep -q '"result": "ok"' || fail "the dataplane published, the daemon says otherwise: $verdict"
	echo "$verdict" | grep -q "went live" || fail "verdict: $verdict"
	assert_eq "generation shown" $((g1 + 1)) "$g2"
	log "ok: the dataplane published after the timeout, and the daemon says so"
else
	echo "$verdict" | grep -q '"result": "failed"' || fail "nothing was published, the daemon says otherwise: $verdict"
	echo "$verdict" | grep -q "still live" || fail "verdict: $verdict"
	assert_eq "generation shown" "$g1" "$g2"
	log "ok: the dataplane did not publish, and the daemon says so"
fi
tail -n +$((clines + 1)) "$TMP/ctld.err" >"$TMP/ctld2.err"
assert_contains "the daemon's log says what is live" "$TMP/ctld2.err" "verified after .*(went|still) live"

kill -TERM "$DP_PID"
wait "$DP_PID"
check_invariant "$TMP/live.json"
echo "PASS"
