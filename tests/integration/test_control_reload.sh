#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# An operator's reload under traffic: dataplane (net_pcap replaying a
# capture, net_null) + ixgate-control + ixgatectl. A prefix added to a peer
# nobody sends to -> new generation, shown by `ixgatectl show generation`,
# only routes4/sources4 sent, audit line; a typo -> refused with
# file:line:col, generation unchanged; reload --confirm-within without
# confirm rolls back (and says so: the files still hold the rolled-back
# change, kept in the state directory; `show generation` and `status`
# say the files differ; a plain reload refuses those files, `reload
# --reapply` commits them), with confirm stays. Then a finite capture: the final
# counters equal the generator's expectation (no packet lost or
# misclassified across the reloads), rx == tx + local + drops.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$GEN"
need_file "$CTLD"
need_file "$CTL"

COUNT=4096
timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count $COUNT \
	--seed 7 --port p0 --expect "$TMP/expect.json" >/dev/null || fail "ixgate-pcapgen"

# Peer with a prefix inside 100.64.0.0/10: the demo's ACL denies traffic to
# it before any route lookup, so no verdict of the generated traffic moves.
edit_add_prefix() {
	sed -i 's|^\t\t115.84.64.0/18;|\t\t115.84.64.0/18;\n\t\t100.127.254.0/24;|' \
		"$CONF_DIR/peers.d/asean.conf"
	grep -q 100.127.254.0/24 "$CONF_DIR/peers.d/asean.conf" || fail "edit"
}

run_phase() { # $1: p0 device, $2: duration, $3: json out
	rm -f "$API_SOCK" "$CTL_SOCK" "$AUDIT"
	rm -rf "$CONF_DIR"
	copy_config "$1" "net_null1,no-rx=1"
	start_dp "$2" "$3"
	start_ctld
	# condition-bounded waits, sized for a loaded machine
	wait_for 60 dp_is_connected || { cat "$TMP/ctld.err" >&2; fail "daemon never connected"; }
	wait_for 60 grep -qE '"result": "(ok|adopted)"' "$AUDIT" || fail "no first commit"
}

# Each phase stops its dataplane itself (SIGTERM): --duration is a ceiling
# only. A run at load ~30 outlived phase 1's former 90 s, and phase 2's 12 s
# could end before its reload.
# ---- phase 1: infinite_rx at full speed --------------------------------
run_phase "net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1" 900 "$TMP/live1.json"
g0=$(generation)
log "generation after start: $g0"

edit_add_prefix
t0=$(date +%s%N)
ctl reload >"$TMP/reload.out" 2>&1 || { cat "$TMP/reload.out" >&2; fail "reload"; }
t1=$(date +%s%N)
log "reload (one-peer change) took $(( (t1 - t0) / 1000000 )) ms: $(cat "$TMP/reload.out")"
assert_contains "reload reply names routes4 and sources4" "$TMP/reload.out" \
	'routes4 \+1 -0 ~0, sources4 \+1 -0 ~0'
# The start-up's warm-up (commit_job.c, start_warm) ran once, before this
# reload, and gave the compile cache back: no data file read again.
assert_eq "warm-ups after start-up" 1 "$(grep -c 'warmed the next reload' "$TMP/ctld.err")"
assert_contains "the first reload reused every data file" "$TMP/ctld.err" \
	'reload: [0-9]+ config files? parsed, 0 data files compiled, [1-9][0-9]* reused'
g1=$(generation)
assert_eq "generation after reload" $((g0 + 1)) "$g1"
assert_contains "audit line for the reload" "$AUDIT" \
	"\"action\": \"reload\".*\"generation\": $g1, \"result\": \"ok\""
if grep '"action": "reload"' "$AUDIT" | grep -q '"peers"'; then
	fail "peers table sent for a prefix-only change"
fi

# A typo: refused with file:line:col, nothing changes.
sed -i '0,/announce {/s//anounce {/' "$CONF_DIR/peers.d/asean.conf"
ctl reload >"$TMP/typo.out" 2>&1 && fail "reload with a typo succeeded"
assert_contains "typo refused at file:line:col" "$TMP/typo.out" \
	'peers.d/asean.conf:[0-9]+:[0-9]+: error: '
assert_contains "operator told nothing changed" "$TMP/typo.out" \
	'running configuration unchanged'
assert_eq "generation after refused reload" "$g1" "$(generation)"
ctl --json reload >"$TMP/typo.json" 2>&1
assert_contains "JSON error with where" "$TMP/typo.json" '"where": ".*asean.conf:[0-9]+:[0-9]+"'
sed -i '0,/anounce {/s//announce {/' "$CONF_DIR/peers.d/asean.conf"

# ixgatectl check (daemon side) and ixgate-control check (offline).
ctl check >"$TMP/check.out" || fail "ixgatectl check"
assert_contains "ixgatectl check" "$TMP/check.out" '^configuration OK'

# Commit-confirmed, not confirmed: rolled back to g1's configuration.
sed -i 's|^\t\t100.127.254.0/24;|\t\t100.127.254.0/24;\n\t\t100.127.253.0/24;|' \
	"$CONF_DIR/peers.d/asean.conf"
# What went live is read from the audit log: `show generation` after the
# reply could already see the rollback (2 s later) on a loaded machine.
ctl reload --confirm-within 2 >"$TMP/cc.out" || fail "reload --confirm-within"
assert_contains "confirmable reload live" "$AUDIT" \
	"\"action\": \"reload\".*\"generation\": $((g1 + 1)), \"result\": \"ok\""
wait_for 60 grep -q '"action": "rollback-unconfirmed".*"result": "ok"' "$AUDIT" ||
	fail "no rollback after the confirm deadline"
assert_eq "generation after rollback" $((g1 + 2)) "$(generation)"
grep '"action": "rollback-unconfirmed"' "$AUDIT" | grep -q '"removed": 1' ||
	fail "rollback did not remove the unconfirmed prefix"
# The files still hold the rolled-back prefix: said, kept, and not
# re-applied by a plain reload.
ctl show generation >"$TMP/gen.out" || fail "show generation"
assert_contains "show generation: files differ" "$TMP/gen.out" \
	"files differ from the running config: they hold generation $((g1 + 1))"
ctl status >"$TMP/status.out" || fail "status"
assert_contains "status: files differ" "$TMP/status.out" "^files +files differ from the running config"
copy=$STATE/rolled-back/generation-$((g1 + 1))
grep -q 100.127.253.0/24 "$copy/peers.d/asean.conf" ||
	fail "no copy of the rolled-back files in $copy"
assert_contains "checksums of the copy" "$copy/SHA256SUMS" " peers.d/asean.conf$"
ctl reload >"$TMP/held.out" 2>&1 && fail "reload re-applied the rolled-back files"
assert_contains "reload refuses the held files" "$TMP/held.out" \
	"the files hold the configuration of generation $((g1 + 1)).*rolled back"
assert_eq "generation after the refused re-apply" $((g1 + 2)) "$(generation)"
# ... and confirmed: stays (the operator re-applies on purpose).
# A deadline no loaded machine misses before `confirm`; once confirmed
# there is no deadline left, so no rollback can come (daemon.c's tick rolls
# back only past a deadline): checked instead of sleeping past it.
ctl reload --reapply --confirm-within 120 >"$TMP/cc2.out" || fail "reload --reapply --confirm-within"
ctl show generation >"$TMP/gen.out" || fail "show generation"
grep -q "files differ" "$TMP/gen.out" && fail "files still said to differ after --reapply"
[ "$(gen_field confirm_deadline_unix)" != null ] || fail "no confirm deadline after --confirm-within"
ctl confirm >"$TMP/confirm.out" || fail "confirm"
assert_eq "confirm deadline after confirm" null "$(gen_field confirm_deadline_unix)"
assert_eq "generation stays after confirm" $((g1 + 3)) "$(generation)"
assert_eq "rollbacks in the audit log" 1 "$(grep -c '"action": "rollback.*"result": "ok"' "$AUDIT")"
ctl rollback >"$TMP/rb.out" || fail "rollback"
assert_eq "generation after manual rollback" $((g1 + 4)) "$(generation)"
# The manual rollback holds the files back too, also across a restart of
# the daemon: it commits nothing over the dataplane.
kill -TERM "$CTLD_PID"
wait "$CTLD_PID"
lines=$(wc -l <"$AUDIT")
start_ctld
wait_for 60 grep -q "not committing .*which was rolled back" "$TMP/ctld.err" ||
	{ tail "$TMP/ctld.err" >&2; fail "the restarted daemon did not hold the rolled-back files back"; }
assert_eq "generation after the restart" $((g1 + 4)) "$(generation)"
tail -n +$((lines + 1)) "$AUDIT" | grep -q '"result": "ok"' && fail "the restarted daemon committed"
ctl show generation >"$TMP/gen.out" || fail "show generation"
assert_contains "restarted: files differ" "$TMP/gen.out" "files differ from the running config: they hold generation $((g1 + 3))"

kill -TERM "$DP_PID"
wait "$DP_PID" || fail "dataplane exited non-zero"
check_invariant "$TMP/live1.json"
python3 - "$TMP/live1.json" <<'PY' || fail "traffic did not flow"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["rx_packets"] > 100000, j["rx_packets"]
assert j["drops"].get("tx_full", 0) == 0, "tx_full drops"
print("# ok: %d packets through the reloads" % j["rx_packets"])
PY
kill "$CTLD_PID" 2>/dev/null; wait "$CTLD_PID" 2>/dev/null

# ---- phase 2: a finite capture, then reloads: counters exact -------------
run_phase "net_pcap0,rx_pcap=$TMP/in.pcap" 900 "$TMP/live2.json"
edit_add_prefix
ctl reload >"$TMP/reload2.out" || { cat "$TMP/reload2.out" >&2; fail "reload (2)"; }
# Stopped once it has received the whole capture (and the reload is live).
all_received() {
	[ "$(ctl --json show drops | python3 -c 'import json,sys; print(json.load(sys.stdin)["rx_packets"])')" = $COUNT ]
}
wait_for 120 all_received || fail "the capture was not received whole"
kill -TERM "$DP_PID"
wait "$DP_PID" || fail "dataplane exited non-zero (2)"
check_invariant "$TMP/live2.json"
assert_eq "p0 received every packet" $COUNT "$(json_get "$TMP/live2.json" ports.p0.rx_packets)"
compare_counters "$TMP/expect.json" "$TMP/live2.json" "live vs generator"
echo "PASS"
