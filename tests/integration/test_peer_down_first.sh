#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_peer_down_first.sh: a member's session loss reaches the dataplane
# ahead of a commit already under way (doc/routing.md, "Session loss",
# "Ahead of queued commits").
#
# ixgate-control runs in a network namespace following its table 100
# (configs/rib.conf); member mb's next hop 192.0.2.130 is on the
# namespace's lo, and a TCP connection to its port 179 stands for the
# node's BGP session (sock_diag sees a kernel socket like BIRD's). A
# kernel route sends ma's replayed stream to mb. Then:
#  - the dataplane is stopped (SIGSTOP) and a reload (a config change)
#    started: its transaction waits on the dataplane (`show generation`:
#    "dataplane building the tables");
#  - the session is closed: ixgate-control sees mb down and queues a
#    PEER_DOWN behind the reload's request in flight;
#  - the dataplane resumes (SIGCONT): the PEER_DOWN is applied before the
#    reload's TXN_COMMIT is even sent (the daemon's log: the dataplane's
#    answer to PEER_DOWN comes before "tables sent"), the reload commits,
#    and the stream to mb drops `peer_down`.
# Needs root and network namespaces: skipped (77) otherwise.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
. "$(dirname "$0")/rib_lib.sh"
need_file "$CTLD"
need_file "$CTL"
command -v python3 >/dev/null || skip "python3 not installed"
rib_setup pdfirst 198.51.100.10 rib.conf
nsip addr add 192.0.2.130/32 dev lo
nsip route add 203.0.113.0/24 via 192.0.2.130 proto bird table 100

# The session: connected from the node's address to mb's port 179, held
# until $TMP/stop exists (at most 120 s; the cleanup ends it sooner).
ip netns exec "$NS" python3 - "$TMP/ready" "$TMP/stop" <<'PY' &
import os, socket, sys, time
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("192.0.2.130", 179))
l.listen(1)
c = socket.create_connection(("192.0.2.130", 179), source_address=("192.0.2.1", 0))
a, _ = l.accept()
open(sys.argv[1], "w").close()
for _ in range(1200):
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.1)
c.close()
a.close()
l.close()
PY
SESS_PID=$!
IXG_PIDS+=("$SESS_PID")
wait_for 10 test -e "$TMP/ready" || fail "no TCP session to mb's port 179"

# --duration is a ceiling only, not a clock the test races (at 240 s a
# run under ASan at load could outlive it): the test stops it (SIGTERM), and
# meson's timeout bounds the test.
start_dp 900 "$TMP/live.json"
rib_start_ctld

sess() { # the state of mb's IPv4 session, and whether the dataplane holds it
	ctl --json show sessions | python3 -c '
import json, sys
j = json.load(sys.stdin)
s = [r for r in j["sessions"] if r["peer"] == "mb" and r["family"] == "ipv4"]
print(s[0]["state"] if s else "none", j["dataplane_in_sync"])'
}
job() {
	ctl --json show generation | python3 -c 'import json,sys; print(json.load(sys.stdin)["commit_job"])'
}

wait_for 20 eq_now "up True" sess || { sess >&2; fail "mb's session never up"; }
grows peer_tx mb || fail "nothing forwarded to mb"

# A config change to commit: mc's max-prefix 3 -> 4.
sed -i 's/max-prefix 3;/max-prefix 4;/' "$CONF"
grep -q 'max-prefix 4;' "$CONF" || fail "config edit"

# SIGSTOP: the dataplane reads nothing until SIGCONT (resume on every
# failure below, or the cleanup waits 10 s for a stopped process).
resume() { kill -CONT "$DP_REAL_PID" 2>/dev/null; }
kill -STOP "$DP_REAL_PID"
ctl reload >"$TMP/reload.out" 2>&1 &
RELOAD_PID=$!
in_txn() { job | grep -q "dataplane building the tables"; }
wait_for 30 in_txn || { resume; job >&2; fail "the reload never reached the dataplane"; }
log "commit job: $(job)"

touch "$TMP/stop"
wait "$SESS_PID"
wait_for 10 eq_now "down False" sess || { resume; sess >&2; fail "mb's session not seen down"; }
resume

wait "$RELOAD_PID" || { cat "$TMP/reload.out" >&2; fail "reload failed"; }
wait_for 20 eq_now "down True" sess || { sess >&2; fail "the dataplane never took the session state"; }
grep -n "sessions: dataplane: peer_down: IPv4 1 down\|reload: tables sent" "$TMP/ctld.err" >"$TMP/order"
cat "$TMP/order" >&2
pd=$(grep -m1 -n "peer_down: IPv4 1 down" "$TMP/order" | cut -d: -f1)
ts=$(grep -n "reload: tables sent" "$TMP/order" | tail -1 | cut -d: -f1)
{ [ -n "$pd" ] && [ -n "$ts" ]; } || fail "log lines missing"
[ "$pd" -lt "$ts" ] || fail "PEER_DOWN applied after the reload's tables were sent"
log "PEER_DOWN applied before the reload's TXN_COMMIT was sent"
grows drops peer_down || fail "the stream to mb is not dropped peer_down"

kill -TERM "$DP_PID"
wait "$DP_PID"
check_invariant "$TMP/live.json"
echo "PASS"
