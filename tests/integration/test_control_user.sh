#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Least privilege (issue 13, item 10): ixgate-control started as root with
# --user 4242 --group 4242 --ctl-group 4243 (uids without passwd entries)
# opens what needs root (the CLI socket, the audit log, the state
# directory), then runs as uid/gid 4242 with no capability at all.
#
# - /proc says so: every uid and gid 4242, CapEff/CapPrm/CapAmb 0;
# - the CLI socket is root:4243 0660: the group may show, root may reload;
#   the audit log and the state directory belong to 4242, so `log reopen`
#   after rotation works without root;
# - the dataplane's API: when the dataplane lets a group in (--api-group),
#   the daemon connects as a member of it and commits; when it only lets
#   its own uid in, the daemon says why it cannot connect, once, and not
#   again every 500 ms (the reason repeats at most once a minute).
# Counters keep the invariant rx == tx + local + drops.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$GEN"
need_file "$CTLD"
need_file "$CTL"
command -v setpriv >/dev/null || skip "no setpriv (util-linux)"
[ "$(id -u)" = 0 ] || skip "needs root (to drop privileges)"

D_UID=4242
RO_GID=4243
chmod 0755 "$TMP"
timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count 4096 \
	--seed 7 --port p0 >/dev/null || fail "ixgate-pcapgen"
copy_config "net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1" "net_null1,no-rx=1"
chmod -R a+rX "$CONF_DIR"
mkdir -p "$TMP/log"
chown $D_UID:$D_UID "$TMP/log"
AUDIT=$TMP/log/audit.log

# --duration is a ceiling only: the test stops the dataplane (at 60 s a
# run under load could outlive it and find no dataplane).
api_group=false
"$DP" --help 2>&1 | grep -q -- '--api-group' && api_group=true
if $api_group; then
	start_dp 900 "$TMP/live.json" --api-group $D_UID
else
	start_dp 900 "$TMP/live.json"
fi
start_ctld --user $D_UID --group $D_UID --ctl-group $RO_GID
wait_for 60 grep -q "serving .*(uid $D_UID gid $D_UID)" "$TMP/ctld.err" ||
	{ cat "$TMP/ctld.err" >&2; fail "the daemon did not come up as $D_UID"; }

python3 - "$CTLD_PID" $D_UID <<'EOF' || fail "privileges not dropped"
import sys
pid, uid = sys.argv[1], sys.argv[2]
st = dict(l.split(":", 1) for l in open("/proc/%s/status" % pid))
ids = lambda k: st[k].split()
assert ids("Uid") == [uid] * 4, st["Uid"]
assert ids("Gid") == [uid] * 4, st["Gid"]
assert ids("Groups") == [uid], st["Groups"]
for k in ("CapEff", "CapPrm", "CapAmb", "CapInh"):
    assert int(st[k], 16) == 0, (k, st[k])
print("# ok: uid/gid %s everywhere, groups %s, no capability" % (uid, st["Groups"].strip()))
EOF
assert_eq "CLI socket owner, group, mode" "0 $RO_GID 660" "$(stat -c '%u %g %a' "$CTL_SOCK")"
assert_eq "audit log owner" "$D_UID" "$(stat -c '%u' "$AUDIT")"
assert_eq "state directory owner, mode" "$D_UID 750" "$(stat -c '%u %a' "$STATE")"
setpriv --reuid=4244 --regid=4244 --groups=$RO_GID "$CTL" --socket "$CTL_SOCK" status >"$TMP/st.out" 2>&1 ||
	{ cat "$TMP/st.out" >&2; fail "status from the CLI group"; }
assert_contains "status names the daemon's uid" "$TMP/st.out" "^ixgate-control +pid [0-9]+, uid $D_UID"

if $api_group; then
	wait_for 60 dp_is_connected || { tail "$TMP/ctld.err" >&2; fail "no connection as a member of the API group"; }
	wait_for 60 grep -qE '"result": "(ok|adopted)"' "$AUDIT" || fail "no commit as $D_UID"
	sed -i 's|^\t\t115.84.64.0/18;|\t\t115.84.64.0/18;\n\t\t100.127.254.0/24;|' "$CONF_DIR/peers.d/asean.conf"
	ctl reload >"$TMP/r.out" 2>&1 || { cat "$TMP/r.out" >&2; fail "reload through the unprivileged daemon"; }
	log "ok: connected and committed as uid $D_UID through the API group"
else
	log "this dataplane has no --api-group: only its own uid may connect"
	wait_for 60 grep -q "cannot reach the dataplane" "$TMP/ctld.err" || fail "no reason logged"
	sleep 3 # six more attempts
	assert_eq "the reason logged once, not every attempt" 1 "$(grep -c 'cannot reach the dataplane' "$TMP/ctld.err")"
	log "reason: $(grep -m1 'cannot reach the dataplane' "$TMP/ctld.err" | sed 's/.*ixgate-control: //')"
	ctl reload >"$TMP/r.out" 2>&1
	assert_eq "reload without a dataplane: exit" 1 $?
	assert_contains "reload says why" "$TMP/r.out" "dataplane not connected"
fi

mv "$AUDIT" "$AUDIT.1"
ctl log reopen >"$TMP/reopen.out" 2>&1 || { cat "$TMP/reopen.out" >&2; fail "log reopen as $D_UID"; }
assert_eq "new audit log owner" "$D_UID" "$(stat -c '%u' "$AUDIT")"

kill -TERM "$CTLD_PID"
wait "$CTLD_PID"
kill -TERM "$DP_PID"
wait "$DP_PID"
check_invariant "$TMP/live.json"
echo "PASS"
