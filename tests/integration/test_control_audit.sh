#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The audit log is a record (issue 13, item 6), on a 256 KiB tmpfs that
# the test fills up (in a mount namespace of its own: nothing outside sees
# it, and it goes with the test).
#
# 1. Every commit has an "attempt" record before its result record.
# 2. A full disk refuses the commit: the audit log's last page has 100
#    bytes left, less than a record, and the filesystem has no free page.
#    `ixgatectl reload` is refused with the reason (nothing committed, the
#    dataplane's generation unchanged), and the log is not torn: not one
#    byte of the refused record is in it, every line is one JSON object.
#    With room again, the same reload commits.
# 3. Rotation: the log is moved away, `ixgatectl log reopen` (then
#    SIGUSR1) opens a new one; the next records go there, the moved file
#    keeps its lines.
# Counters keep the invariant rx == tx + local + drops.
if [ "${IXG_AUDIT_NS:-0}" != 1 ]; then
	command -v unshare >/dev/null || { echo "SKIP: no unshare"; exit 77; }
	IXG_AUDIT_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
	echo "SKIP: cannot make a mount namespace (not root?)"
	exit 77
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$GEN"
need_file "$CTLD"
need_file "$CTL"

LOGFS=$TMP/logfs
mkdir -p "$LOGFS"
mount -t tmpfs -o size=256k,mode=0755 ixgate-audit-test "$LOGFS" ||
	skip "cannot mount a tmpfs"
trap 'umount -l "$LOGFS" 2>/dev/null; ixg_cleanup' EXIT
AUDIT=$LOGFS/audit.log

every_line_json() { # FILE
	python3 - "$1" <<'EOF' || fail "$1: not one JSON object per line"
import json, sys
data = open(sys.argv[1], "rb").read()
assert data == b"" or data.endswith(b"\n"), "last line not terminated: %r" % data[-80:]
n = 0
for line in data.split(b"\n")[:-1]:
    json.loads(line)
    n += 1
print("# ok: %s: %d lines, each one JSON object" % (sys.argv[1], n))
EOF
}

timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count 4096 \
	--seed 7 --port p0 >/dev/null || fail "ixgate-pcapgen"
copy_config "net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1" "net_null1,no-rx=1"
# --duration is a ceiling only: the test stops the dataplane (at 90 s a
# run under load could outlive it and find no dataplane).
start_dp 900 "$TMP/live.json"
start_ctld
wait_for 60 grep -qE '"result": "(ok|adopted)"' "$AUDIT" || { cat "$TMP/ctld.err" >&2; fail "no first commit"; }
g0=$(generation)

# ---- 1. attempt, then result --------------------------------------------
sed -i 's|^\t\t115.84.64.0/18;|\t\t115.84.64.0/18;\n\t\t100.127.254.0/24;|' "$CONF_DIR/peers.d/asean.conf"
ctl reload >"$TMP/r1.out" || fail "reload"
python3 - "$AUDIT" $((g0 + 1)) <<'EOF' || fail "attempt before result"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
gen = int(sys.argv[2])
i = next(i for i, r in enumerate(recs) if r["action"] == "reload" and r["result"] == "ok")
a = recs[i - 1]
assert a["result"] == "attempt" and a["action"] == "reload" and a["sha256"] == recs[i]["sha256"], a
assert a["generation"] == gen - 1 and recs[i]["generation"] == gen, (a, recs[i])
print("# ok: attempt record (generation %d) before the result (generation %d)" % (a["generation"], gen))
EOF

# ---- 2. full disk ------------------------------------------------------
# Pad the log with one JSON line so that its last page has 100 bytes left,
# then fill the filesystem.
python3 - "$AUDIT" <<'EOF' || fail "pad"
import json, os, sys
p = sys.argv[1]
size = os.path.getsize(p)
want = (size // 4096 + 2) * 4096 - 100
line = json.dumps({"pad": ""})
pad = want - size - len(line) - 1
assert pad > 0
with open(p, "a") as f:
    f.write(json.dumps({"pad": "x" * pad}) + "\n")
assert os.path.getsize(p) % 4096 == 4096 - 100
EOF
dd if=/dev/zero of="$LOGFS/filler" bs=4k 2>/dev/null
size_before=$(stat -c %s "$AUDIT")
df -k "$LOGFS" | tail -1 | sed 's/^/# /'
g1=$(generation)
sed -i 's|^\t\t100.127.254.0/24;|\t\t100.127.254.0/24;\n\t\t100.127.253.0/24;|' "$CONF_DIR/peers.d/asean.conf"
ctl reload >"$TMP/full.out" 2>&1
st=$?
sed 's/^/# /' "$TMP/full.out"
assert_eq "reload on a full disk: exit" 1 $st
assert_contains "the operator is told why" "$TMP/full.out" \
	"commit refused: the audit log $AUDIT cannot be written \(No space left on device\); nothing committed"
assert_eq "generation unchanged" "$g1" "$(generation)"
grep -q "commit: generation $((g1 + 1)) live" "$TMP/dp.err" && fail "the dataplane committed anyway"
assert_eq "not one byte of the refused record in the log" "$size_before" "$(stat -c %s "$AUDIT")"
every_line_json "$AUDIT"
ctl --json reload >"$TMP/full.json" 2>&1
python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert "audit log" in j["error"], j
print("# ok: --json: " + j["error"])' "$TMP/full.json" || fail "JSON refusal"
ctl status >"$TMP/status.out"
assert_contains "status names the audit failure" "$TMP/status.out" "^audit log .*last write failed: .*No space left on device"
rm -f "$LOGFS/filler"
ctl reload >"$TMP/room.out" 2>&1 || { cat "$TMP/room.out" >&2; fail "reload with room again"; }
assert_eq "generation with room again" $((g1 + 1)) "$(generation)"
every_line_json "$AUDIT"

# ---- 3. rotation ---------------------------------------------------------
mv "$AUDIT" "$AUDIT.1"
lines_old=$(wc -l <"$AUDIT.1")
ctl log reopen >"$TMP/reopen.out" || fail "log reopen"
assert_contains "log reopen says so" "$TMP/reopen.out" "audit log $AUDIT reopened"
sed -i 's|^\t\t100.127.253.0/24;|\t\t100.127.253.0/24;\n\t\t100.127.252.0/24;|' "$CONF_DIR/peers.d/asean.conf"
ctl reload >/dev/null || fail "reload after reopen"
assert_eq "records in the new log" 2 "$(wc -l <"$AUDIT")"
assert_eq "the rotated log untouched" "$lines_old" "$(wc -l <"$AUDIT.1")"
mv "$AUDIT" "$AUDIT.2"
kill -USR1 "$CTLD_PID"
wait_for 5 test -e "$AUDIT" || fail "SIGUSR1 did not reopen the log"
ctl rollback >/dev/null || fail "rollback after SIGUSR1"
assert_contains "rollback recorded in the new log" "$AUDIT" '"action": "rollback".*"result": "ok"'
every_line_json "$AUDIT"
every_line_json "$AUDIT.1"
every_line_json "$AUDIT.2"

kill -TERM "$DP_PID"
wait "$DP_PID"
check_invariant "$TMP/live.json"
echo "PASS"
