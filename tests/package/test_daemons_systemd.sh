#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# What the systemd units rely on, without systemd as PID 1:
# - Type=notify: both daemons send READY=1 (with a STATUS=) to
#   $NOTIFY_SOCKET once they serve, and only then (their socket exists);
#   without $NOTIFY_SOCKET they run as before.
# - Logs: under the journal ($JOURNAL_STREAM names their stderr) every
#   ixgate-control line starts with a syslog priority "<6>" and has no
#   time of its own, and DPDK's EAL lines carry their priority; on a plain
#   file, ixgate-control's lines start with the UTC time, ISO 8601.
. "$SRC/tests/integration/lib.sh"
. "$SRC/tests/integration/control_lib.sh"
need_file "$CTLD"
need_tools

# recv_notify SOCK_TO_CHECK: a notify socket at $TMP/notify.sock whose
# messages go to $TMP/notify.out; returns when it is bound.
recv_notify() {
	rm -f "$TMP/notify.sock" "$TMP/notify.out"
	bg python3 "$SRC/tests/package/notify_recv.py" "$TMP/notify.sock" "$1" 60 \
		>"$TMP/notify.out"
	NOTIFY_PID=$BG_PID
	wait_for 10 grep -q bound "$TMP/notify.out" || fail "notify receiver did not start"
}

copy_config "net_null0,no-rx=1" "net_null1,no-rx=1"

# ---- ixgate-control: READY=1 when the CLI socket serves, journal lines --
recv_notify "$CTL_SOCK"
: >"$TMP/ctld.err"
jstream=$(stat -c '%d:%i' "$TMP/ctld.err")
NOTIFY_SOCKET=$TMP/notify.sock JOURNAL_STREAM=$jstream bg "$CTLD" \
	--config "$CONF" --api-socket "$API_SOCK" --ctl-socket "$CTL_SOCK" \
	>>"$TMP/ctld.out" 2>>"$TMP/ctld.err"
CTLD_PID=$BG_PID
wait "$NOTIFY_PID"
cat "$TMP/notify.out"
assert_contains "ixgate-control notified READY=1 with a status, socket serving" \
	"$TMP/notify.out" '^READY=1\|STATUS=serving sock=yes$'
ctl show generation >"$TMP/gen.out" || fail "ixgatectl after READY=1"
# A message through say(): the daemon logs the missing dataplane (retries)
# or its reload; ask for a check, which it logs, to have one for sure.
ctl reload >/dev/null 2>&1
wait_for 10 grep -q '^<6>ixgate-control: ' "$TMP/ctld.err" ||
	{ cat "$TMP/ctld.err"; fail "no '<6>ixgate-control: ' line in the journal stream"; }
if grep -Eq '^<[0-7]>[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$TMP/ctld.err"; then
	fail "a journal line carries its own time: $(grep -E '^<[0-7]>[0-9]{4}-' "$TMP/ctld.err" | head -1)"
fi
log "ok: ixgate-control's daemon lines in the journal: priority, no own time"
kill "$CTLD_PID"
wait "$CTLD_PID" 2>/dev/null

# Same daemon on a plain file: UTC ISO 8601 times, no priority prefix.
: >"$TMP/ctld2.err"
bg "$CTLD" --config "$CONF" --api-socket "$API_SOCK" --ctl-socket "$CTL_SOCK" \
	>>"$TMP/ctld.out" 2>>"$TMP/ctld2.err"
CTLD_PID=$BG_PID
wait_for 10 test -S "$CTL_SOCK" || fail "ixgate-control did not start"
ctl reload >/dev/null 2>&1
wait_for 10 grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z ixgate-control: ' \
	"$TMP/ctld2.err" || { cat "$TMP/ctld2.err"; fail "no UTC ISO 8601 line"; }
grep -q '^<[0-7]>' "$TMP/ctld2.err" && fail "priority prefix on a plain file"
log "ok: ixgate-control on a file: $(grep -E '^[0-9]{4}-' "$TMP/ctld2.err" | head -1)"
kill "$CTLD_PID"
wait "$CTLD_PID" 2>/dev/null

# ---- ixgate-dataplane: READY=1 when forwarding and the API listens -----
recv_notify "$API_SOCK"
: >"$TMP/dp.err"
jstream=$(stat -c '%d:%i' "$TMP/dp.err")
# shellcheck disable=SC2046 # word splitting of the EAL arguments
NOTIFY_SOCKET=$TMP/notify.sock JOURNAL_STREAM=$jstream bg timeout 60 "$DP" \
	-l 0,1 $(eal_mem_args) --no-pci --file-prefix "$(eal_prefix)" -- \
	--config "$CONF" --api-socket "$API_SOCK" --duration 30 \
	--json-out "$TMP/dp.json" >>"$TMP/dp.out" 2>>"$TMP/dp.err"
DP_PID=$BG_PID
wait "$NOTIFY_PID"
cat "$TMP/notify.out"
assert_contains "ixgate-dataplane notified READY=1 with a status, API listening" \
	"$TMP/notify.out" '^READY=1\|STATUS=forwarding sock=yes$'
kill "$DP_PID"
wait "$DP_PID" 2>/dev/null
# EAL's own lines, with their priority, once each (not again via syslog).
assert_contains "EAL lines carry a priority in the journal" "$TMP/dp.err" '^<[0-7]>EAL: '
if grep -q '^EAL: ' "$TMP/dp.err"; then
	fail "an EAL line without priority in the journal stream"
fi
log "ok: both daemons notify systemd and log for the journal"
