#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# kill -9 of either process during a large commit (issue 13, "proof that
# runs in CI"), under traffic, on a synthetic full-size table (every route
# changes owner: the dataplane builds for seconds).
#
# 1. ixgate-control killed the moment it has sent TXN_COMMIT: the audit
#    log already holds the attempt (fsync'ed before the dataplane was
#    asked). The restarted daemon records what became of it ("went live"
#    or "not live", from the dataplane's HELLO), then adopts or commits
#    the files: in the end the dataplane runs the files' configuration,
#    and the audit log says how it got there.
# 2. ixgate-dataplane killed the moment TXN_COMMIT is out: the daemon says
#    the state is UNKNOWN, never "nothing changed" before it knows; the
#    dataplane restarts, and the daemon finds a new dataplane (its commit
#    is not live: said and audited as verified), then re-commits its
#    running configuration whole.
# Each dataplane that stops normally keeps the invariant rx == tx + local
# + drops, overall and per port.
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
# --duration is a ceiling only: each dataplane is killed or stopped here.
# The second one's former 60 s ended before the daemon's re-commit of the
# big table at load ~30 (then the test waited out its bounds: meson's
# 300 s).
start_dp 900 "$TMP/live1.json"
start_ctld --commit-timeout 60
wait_for 60 grep -qE '"result": "(ok|adopted)"' "$AUDIT" ||
	{ tail -20 "$TMP/ctld.err" >&2; fail "no first commit"; }
wait_for 10 dp_is_connected || fail "not connected"

commits_sent() { grep -c "tables sent, dataplane building" "$TMP/ctld.err"; }
# wait_commit_sent N: until the daemon has sent its Nth TXN_COMMIT.
wait_commit_sent() {
	wait_for 90 sh -c "[ \$(grep -c 'tables sent, dataplane building' '$TMP/ctld.err') -ge $1 ]"
}

# ---- 1. kill -9 ixgate-control ------------------------------------------
g0=$(generation)
big_to 198.18.7.2
n=$(commits_sent)
ctl reload >/dev/null 2>&1 &
wait_commit_sent $((n + 1)) || fail "no TXN_COMMIT"
kill -9 "$CTLD_PID"
wait "$CTLD_PID" 2>/dev/null
wait "$!" 2>/dev/null
last=$(tail -1 "$AUDIT")
echo "$last" | grep -q '"action": "reload".*"result": "attempt"' ||
	fail "the audit log does not end with the reload's attempt: $last"
attempt_sha=$(echo "$last" | sed 's/.*"sha256": "\([0-9a-f]*\)".*/\1/')
log "killed ixgate-control after TXN_COMMIT; the audit log ends with the attempt (sha256 ${attempt_sha:0:16})"
lines=$(wc -l <"$AUDIT")
start_ctld --commit-timeout 60
wait_for 60 sh -c "tail -n +$((lines + 1)) '$AUDIT' | grep -q 'found after a restart of ixgate-control'" ||
	{ tail "$TMP/ctld.err" >&2; fail "the dangling attempt was not resolved"; }
resolved=$(tail -n +$((lines + 1)) "$AUDIT" | grep 'found after a restart')
log "resolved: $(echo "$resolved" | sed 's/.*"result": "\([a-z]*\)".*"note": "\([^"]*\)".*/\1: \2/')"
# In the end the dataplane runs the files' config.
in_sync() { [ "$(gen_field in_sync)" = true ]; }
wait_for 60 in_sync || fail "the dataplane does not run the files' config after the restart"
sha_now=$(gen_field dataplane_config_sha256)
assert_eq "the dataplane runs the attempted config" "$attempt_sha" "$sha_now"
# What the dataplane did with the attempt: its log up to the restarted
# daemon's connection (what follows is that daemon's own commits).
sed -n "1,/control plane connected: pid $CTLD_PID/p" "$TMP/dp.err" >"$TMP/dp-before.err"
if echo "$resolved" | grep -q '"result": "ok"'; then
	grep -q "commit: generation $((g0 + 1)) live" "$TMP/dp-before.err" || fail "said live, the dataplane did not publish"
else
	grep -q "commit: generation $((g0 + 1)) live" "$TMP/dp-before.err" && fail "said not live, the dataplane published it"
	grep -q "transaction discarded" "$TMP/dp-before.err" || fail "said not live, the dataplane did not say it discarded it"
fi
log "ok: the attempt's outcome recorded as the dataplane saw it"

# ---- 2. kill -9 ixgate-dataplane ----------------------------------------
g1=$(generation)
big_to 198.18.6.2
n=$(commits_sent)
ctl reload >"$TMP/r2.out" 2>&1 &
RPID=$!
wait_commit_sent $((n + 1)) || fail "no TXN_COMMIT (2)"
kill -9 "$DP_REAL_PID"
wait "$DP_PID" 2>/dev/null
rm -f "$API_SOCK"
start_dp 900 "$TMP/live2.json"
wait "$RPID"
sed 's/^/# /' "$TMP/r2.out"
assert_contains "operator told UNKNOWN" "$TMP/r2.out" "dataplane connection lost; state UNKNOWN"
assert_contains "then the truth" "$TMP/r2.out" "not live: the dataplane restarted"
wait_for 90 grep -q '"note": "verified: the dataplane restarted' "$AUDIT" ||
	{ tail "$TMP/ctld.err" >&2; fail "the lost commit was not verified"; }
wait_for 90 sh -c "grep -q '\"action\": \"recommit\".*\"result\": \"ok\"' '$AUDIT'" ||
	{ tail "$TMP/ctld.err" >&2; fail "no re-commit to the restarted dataplane"; }
log "ok: verified (the dataplane restarted: not live), then re-committed"
kill -TERM "$DP_PID"
wait "$DP_PID"
check_invariant "$TMP/live2.json"
echo "PASS"
