#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The management plane holds against its own users (issue 13, items 5, 9,
# 10): a read-only user is uid 4242, in the CLI group 4243 (--ctl-group),
# neither with a passwd entry (setpriv runs its commands).
#
# 1. A flood of idle connections from the read-only user: 64 at once. At
#    most --ctl-max-per-uid (8) are kept; every other one is refused with
#    the refusal text actually delivered (the request is read before the
#    close, so the kernel does not reset the reply away), and logged.
#    Meanwhile root's `reload`, `reload --confirm-within` + `confirm` and
#    `show` succeed; the read-only user's own ixgatectl is refused with the
#    text; the idle ones are closed by the daemon after 5 s.
# 2. Who may do what: the read-only user may show and status, not reload
#    ("permission denied"); a uid outside the group cannot connect at all.
# 3. `ixgatectl check FILE` from the read-only user: nothing outside the
#    config directory (/etc/shadow, a ../ path, a symlink in the config
#    directory pointing out), and no line of a file in the config
#    directory that the user could not read (a root-only file with a
#    secret is checked: its errors are counted, not shown); a file the
#    user can read is diagnosed in full. A FIFO in the config directory
#    does not hang the daemon: the check gives up after --compile-timeout
#    while show answers.
# 4. ixgatectl --timeout: a socket that accepts and never answers makes
#    ixgatectl give up, with a message, after the timeout.
# 5. --ctl-socket naming a regular file: the daemon refuses to start and
#    the file is untouched.
# Counters keep the invariant rx == tx + local + drops.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$GEN"
need_file "$CTLD"
need_file "$CTL"
command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
[ "$(id -u)" = 0 ] || skip "needs root (another uid for the read-only user)"

RO_UID=4242
RO_GID=4243
OUT_UID=4244
as_ro() { setpriv --reuid=$RO_UID --regid=$RO_UID --groups=$RO_GID "$@"; }
as_out() { setpriv --reuid=$OUT_UID --regid=$OUT_UID --clear-groups "$@"; }
chmod 0755 "$TMP" # the read-only user reaches the socket and the config
RO_DIR=$TMP/ro # where the read-only user writes
mkdir "$RO_DIR" && chown $RO_UID "$RO_DIR"

timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count 4096 \
	--seed 7 --port p0 >/dev/null || fail "ixgate-pcapgen"
copy_config "net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1" "net_null1,no-rx=1"
chmod -R a+rX "$CONF_DIR"
# --duration is a ceiling only: the test stops the dataplane (at 120 s a
# run under load could outlive it and find no dataplane).
start_dp 900 "$TMP/live.json"
start_ctld --ctl-group $RO_GID --compile-timeout 3
wait_for 60 grep -qE '"result": "(ok|adopted)"' "$AUDIT" || { cat "$TMP/ctld.err" >&2; fail "no first commit"; }
assert_eq "CLI socket group and mode" "$RO_GID 660" "$(stat -c '%g %a' "$CTL_SOCK")"

# ---- 1. a flood of idle connections ---------------------------------------
as_ro /usr/bin/python3 - "$CTL_SOCK" "$RO_DIR/flood.json" "$CTL" <<'EOF' &
import json, socket, struct, subprocess, sys, time
sock, out, ctl = sys.argv[1:4]
conns, refused, accepted, idle = [], [], 0, []
for i in range(64):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sock)
    conns.append(s)
time.sleep(1.0)
for s in conns:
    s.settimeout(0.2)
    try:
        m = s.recv(65536)
    except socket.timeout:
        accepted += 1          # kept, idle: no reply
        idle.append(s)
        continue
    except ConnectionResetError:
        refused.append("RESET")
        continue
    magic, flags, status, ln, _ = struct.unpack("<IHhII", m[:16])
    refused.append(m[16:].decode())
# This user's own ixgatectl, while its 8 are held.
p = subprocess.run([ctl, "--socket", sock, "show", "generation"],
                   capture_output=True, text=True, timeout=30)
json.dump({"accepted": accepted, "refused": refused, "own_rc": p.returncode,
           "own_err": p.stdout + p.stderr}, open(out + ".tmp", "w"))
import os
os.rename(out + ".tmp", out)
# Hold them while root works; the daemon closes the idle ones after 5 s.
t0 = time.monotonic()
closed = 0
for s in idle:
    s.settimeout(max(0.1, 9 - (time.monotonic() - t0)))
    try:
        if s.recv(65536) == b"":
            closed += 1
    except (socket.timeout, ConnectionResetError, OSError):
        pass
json.dump({"closed_by_daemon": closed}, open(out + ".closed", "w"))
EOF
FLOOD=$!
wait_for 10 test -e "$RO_DIR/flood.json" || fail "flood did not run"
python3 - "$RO_DIR/flood.json" <<'EOF' || fail "flood"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["accepted"] == 8, j["accepted"]
assert len(j["refused"]) == 56, len(j["refused"])
bad = [r for r in j["refused"] if "too many CLI connections from uid 4242" not in r]
assert not bad, bad[:3]
print("# ok: 8 idle connections kept, 56 refused, each with the refusal text: %s" % j["refused"][0].strip())
assert j["own_rc"] == 1 and "too many CLI connections from uid 4242" in j["own_err"], j
print("# ok: the flooding user's own ixgatectl is refused with the text: %s" % j["own_err"].strip())
EOF
# Root, meanwhile.
sed -i 's|^\t\t115.84.64.0/18;|\t\t115.84.64.0/18;\n\t\t100.127.254.0/24;|' "$CONF_DIR/peers.d/asean.conf"
ctl reload >"$TMP/r.out" 2>&1 || { cat "$TMP/r.out" >&2; fail "root's reload during the flood"; }
sed -i 's|^\t\t100.127.254.0/24;|\t\t100.127.254.0/24;\n\t\t100.127.253.0/24;|' "$CONF_DIR/peers.d/asean.conf"
ctl reload --confirm-within 60 >"$TMP/r.out" 2>&1 || { cat "$TMP/r.out" >&2; fail "root's reload --confirm-within during the flood"; }
ctl confirm >"$TMP/c.out" 2>&1 || { cat "$TMP/c.out" >&2; fail "root's confirm during the flood"; }
ctl show generation >/dev/null || fail "root's show during the flood"
log "ok: root's reload, reload --confirm-within, confirm and show during the flood"
assert_contains "refusals logged" "$TMP/ctld.err" "CLI: refused a connection from uid $RO_UID gid $RO_UID .*: too many CLI connections from uid $RO_UID"
wait "$FLOOD"
python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["closed_by_daemon"] == 8, j
print("# ok: the 8 idle connections closed by the daemon")' "$RO_DIR/flood.json.closed" || fail "idle connections not closed"
ctl status >"$TMP/status.out"
assert_contains "status counts refusals" "$TMP/status.out" "^CLI +[0-9]+ connections? open, (5[7-9]|[6-9][0-9]) refused"

# ---- 2. who may do what ---------------------------------------------------
as_ro "$CTL" --socket "$CTL_SOCK" show peers >/dev/null || fail "read-only show"
as_ro "$CTL" --socket "$CTL_SOCK" status >/dev/null || fail "read-only status"
as_ro "$CTL" --socket "$CTL_SOCK" reload >"$TMP/ro.out" 2>&1
assert_eq "read-only reload: exit" 1 $?
assert_contains "read-only reload refused" "$TMP/ro.out" "reload: permission denied: only root or uid 0"
as_ro "$CTL" --socket "$CTL_SOCK" log reopen >"$TMP/ro.out" 2>&1
assert_eq "read-only log reopen: exit" 1 $?
as_out "$CTL" --socket "$CTL_SOCK" show generation >"$TMP/out.out" 2>&1
assert_eq "a uid outside the group: exit" 1 $?
assert_contains "... cannot connect" "$TMP/out.out" "permission denied on $CTL_SOCK"

# ---- 3. check FILE ----------------------------------------------------------
ro_check() { # FILE -> $TMP/check.out, status in $cs
	as_ro "$CTL" --socket "$CTL_SOCK" check "$1" >"$TMP/check.out" 2>&1
	cs=$?
}
ro_check /etc/shadow
assert_eq "check /etc/shadow: exit" 1 $cs
assert_contains "check /etc/shadow: refused" "$TMP/check.out" "outside the config directory"
grep -q '^root:' "$TMP/check.out" && fail "check /etc/shadow quoted it"
ro_check "$CONF_DIR/peers.d/../../../../../../etc/shadow"
assert_eq "check ../etc/shadow: exit" 1 $cs
assert_contains "check ../ refused" "$TMP/check.out" "outside the config directory"
ln -s /etc/shadow "$CONF_DIR/evil.conf"
ro_check "$CONF_DIR/evil.conf"
assert_eq "check of a symlink out: exit" 1 $cs
assert_contains "check of a symlink out: refused" "$TMP/check.out" "outside the config directory"
rm "$CONF_DIR/evil.conf"
printf 'peer x {\n\troot:$6$SECRETSALT$SECRETHASH:19000:0:99999:7:::\n}\n' >"$CONF_DIR/secret.conf"
chmod 0600 "$CONF_DIR/secret.conf"
ro_check "$CONF_DIR/secret.conf"
sed 's/^/# /' "$TMP/check.out"
assert_eq "check of a root-only file: exit" 1 $cs
grep -q SECRET "$TMP/check.out" && fail "a line of a root-only file was shown"
grep -q 'root' "$TMP/check.out" && fail "a token of a root-only file was shown"
assert_contains "its diagnostics counted, not shown" "$TMP/check.out" "diagnostics? in files uid $RO_UID cannot read (is|are) not shown"
ctl check "$CONF_DIR/secret.conf" >"$TMP/check.out" 2>&1
assert_contains "root sees them" "$TMP/check.out" "SECRET"
chmod 0644 "$CONF_DIR/secret.conf"
ro_check "$CONF_DIR/secret.conf"
assert_contains "a readable file is diagnosed in full" "$TMP/check.out" "secret.conf:2:[0-9]+: error: .*"
rm "$CONF_DIR/secret.conf"
ro_check "$CONF"
assert_eq "check of the config: exit" 0 $cs
assert_contains "check of the config" "$TMP/check.out" "^configuration OK"
mkfifo "$CONF_DIR/fifo.conf"
t0=$(date +%s)
as_ro "$CTL" --socket "$CTL_SOCK" check "$CONF_DIR/fifo.conf" >"$TMP/check.out" 2>&1 &
CPID=$!
sleep 1
ctl show generation >/dev/null || fail "show while a check reads a FIFO"
wait "$CPID"
assert_eq "check of a FIFO: exit" 1 $?
log "FIFO check answered after $(($(date +%s) - t0)) s: $(head -1 "$TMP/check.out")"
rm "$CONF_DIR/fifo.conf"

# ---- 4. ixgatectl --timeout -----------------------------------------------
python3 - "$TMP/mute.sock" <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(sys.argv[1])
s.listen(4)
c, _ = s.accept()
time.sleep(8)
EOF
MUTE=$!
wait_for 5 test -S "$TMP/mute.sock" || fail "mute server"
t0=$(date +%s%N)
"$CTL" --socket "$TMP/mute.sock" --timeout 1 show generation >"$TMP/mute.out" 2>&1
st=$?
t1=$(date +%s%N)
assert_eq "ixgatectl against a mute daemon: exit" 1 $st
assert_contains "... says so" "$TMP/mute.out" "no answer from ixgate-control for 1 s"
log "ixgatectl --timeout 1 gave up after $(( (t1 - t0) / 1000000 )) ms"
kill "$MUTE" 2>/dev/null
wait "$MUTE" 2>/dev/null

# ---- 5. --ctl-socket naming a regular file ---------------------------------
echo "precious" >"$TMP/not-a-socket"
"$CTLD" --config "$CONF" --api-socket "$API_SOCK" --ctl-socket "$TMP/not-a-socket" \
	--state-dir "$STATE" >"$TMP/ns.out" 2>&1
assert_eq "--ctl-socket on a regular file: exit" 1 $?
assert_contains "... says why" "$TMP/ns.out" "exists and is not a socket; not replacing it"
assert_eq "the file untouched" "precious" "$(cat "$TMP/not-a-socket")"

kill -TERM "$DP_PID"
wait "$DP_PID"
check_invariant "$TMP/live.json"
echo "PASS"
