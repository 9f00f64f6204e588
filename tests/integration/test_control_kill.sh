#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Either process dies, traffic does not: kill -9 of ixgate-control while
# traffic flows -> the dataplane keeps forwarding (counters still grow) and
# says it is headless; the restarted daemon adopts the running generation
# (no commit: the audit log only says "adopted"). Then the dataplane
# restarts on other files -> the daemon notices and re-commits the whole
# config as soon as the new dataplane answers (same SHA-256 back in the
# dataplane). Last, the dataplane restarts on the daemon's own files ->
# the daemon adopts what it bootstrapped (same digest), committing nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$GEN"
need_file "$CTLD"
need_file "$CTL"

timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count 4096 \
	--seed 7 --port p0 >/dev/null || fail "ixgate-pcapgen"
copy_config "net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1" "net_null1,no-rx=1"
start_dp 600 "$TMP/live1.json"
start_ctld
# The dataplane's own limit (600 s) is a ceiling only: the test stops it
# (SIGTERM) once it has seen what it waits for; every wait is a condition
# with a bound, so a loaded machine only makes the test slower.
wait_for 60 grep -qE '"result": "(ok|adopted)"' "$AUDIT" || { cat "$TMP/ctld.err" >&2; fail "no first commit"; }
g=$(generation)
sha=$(ctl --json show generation | python3 -c 'import json,sys; print(json.load(sys.stdin)["config_sha256"])')
log "generation $g, sha256 $sha"

rx_now() {
	ctl --json show ports | python3 -c '
import json, sys
j = json.load(sys.stdin)
ports = j["ports"]
if isinstance(ports, dict):
    ports = list(ports.values())
print(sum(p["rx_packets"] or 0 for p in ports))'
}

# ---- kill -9 the daemon under traffic ----------------------------------
kill -9 "$CTLD_PID"
wait "$CTLD_PID" 2>/dev/null
wait_for 30 grep -q "headless" "$TMP/dp.err" || fail "dataplane did not report headless"
lines_before=$(wc -l <"$AUDIT")
start_ctld
wait_for 60 dp_is_connected || fail "restarted daemon did not connect"
wait_for 30 grep -q '"result": "adopted"' "$AUDIT" || fail "no adoption"
assert_eq "generation after adoption" "$g" "$(generation)"
new_lines=$(tail -n +$((lines_before + 1)) "$AUDIT")
echo "$new_lines" | grep -v '"result": "adopted"' | grep -q . &&
	fail "restarted daemon committed: $new_lines"
log "ok: only an 'adopted' line in the audit log"
r1=$(rx_now)
grown() { [ "$(rx_now)" -gt "$r1" ]; }
wait_for 30 grown || fail "counters stopped: $r1 -> $(rx_now)"
log "ok: dataplane forwarding: rx $r1 -> $(rx_now)"

# ---- restart the dataplane ---------------------------------------------
kill -TERM "$DP_PID"
wait "$DP_PID"
check_invariant "$TMP/live1.json"
rm -f "$API_SOCK"
lines_before=$(wc -l <"$AUDIT")
# The new dataplane bootstraps other files (a comment more: another
# digest), so the daemon must commit its running configuration whole.
cp "$CONF" "$CONF_DIR/boot.conf"
echo "# bootstrap copy" >>"$CONF_DIR/boot.conf"
conns=$(grep -c "connected to the dataplane.*generation 1" "$TMP/ctld.err")
CONF=$CONF_DIR/boot.conf start_dp 600 "$TMP/live2.json"
t_ready=$(date +%s%N)
wait_for 30 sh -c "[ \$(grep -c 'connected to the dataplane.*generation 1' '$TMP/ctld.err') -gt $conns ]" ||
	fail "daemon did not reconnect"
t_conn=$(date +%s%N)
wait_for 60 sh -c "tail -n +$((lines_before + 1)) '$AUDIT' | grep -q '\"action\": \"recommit\".*\"result\": \"ok\"'" ||
	fail "no re-commit after the dataplane restart"
t_done=$(date +%s%N)
# Printed, not asserted (the daemon retries every 500 ms; a shared machine
# decides how long the rest takes).
log "dataplane ready -> daemon connected $(( (t_conn - t_ready) / 1000000 )) ms, -> re-commit live $(( (t_done - t_ready) / 1000000 )) ms (load $(cut -d' ' -f1 /proc/loadavg))"
sha2=$(ctl --json show generation | python3 -c 'import json,sys; print(json.load(sys.stdin)["config_sha256"])')
assert_eq "config sha256 back in the new dataplane" "$sha" "$sha2"
assert_eq "generation back" "2" "$(generation)"
kill -TERM "$DP_PID"
wait "$DP_PID"
check_invariant "$TMP/live2.json"

# ---- restart the dataplane on the daemon's own files ---------------------
rm -f "$API_SOCK"
lines_before=$(wc -l <"$AUDIT")
start_dp 600 "$TMP/live3.json"
wait_for 60 sh -c "tail -n +$((lines_before + 1)) '$AUDIT' | grep -q '\"result\": \"adopted\"'" ||
	fail "the daemon did not adopt a dataplane bootstrapped on its own files"
tail -n +$((lines_before + 1)) "$AUDIT" | grep -v '"result": "adopted"' | grep -q . &&
	fail "the daemon committed to a dataplane that runs its files"
assert_eq "generation after adopting the bootstrap" "1" "$(generation)"
sha3=$(ctl --json show generation | python3 -c 'import json,sys; print(json.load(sys.stdin)["dataplane_config_sha256"])')
assert_eq "the bootstrap's digest is the files'" "$sha" "$sha3"
kill -TERM "$DP_PID"
wait "$DP_PID"
check_invariant "$TMP/live3.json"
echo "PASS"
