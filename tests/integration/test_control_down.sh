#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Clear messages when a process is missing, for every ixgatectl command,
# human and --json: no ixgate-control -> "ixgate-control is not running"
# (stderr, exit 1; JSON: one {"error": ...} object on stdout); the daemon
# without a dataplane -> show commands say so and show counters as '-' /
# null, reload says nothing was committed, generation names the state.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_file "$CTLD"
need_file "$CTL"
command -v python3 >/dev/null || skip "python3 not installed"

COMMANDS=("show peers" "show peer china-telecom" "show routes" "show acl"
	"show classes" "show blackholes" "show countries" "show matrix peers"
	"show matrix countries" "show drops" "show ports" "show generation"
	"show config" "reload" "reload --confirm-within 60" "confirm"
	"rollback" "check")

is_json_error() { # FILE: exactly one JSON object with an "error" string
	python3 -c '
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert len(lines) == 1, lines
j = json.loads(lines[0])
assert isinstance(j.get("error"), str) and j["error"], j
print(j["error"])' "$1"
}

# ---- no daemon ---------------------------------------------------------
for c in "${COMMANDS[@]}" "show peers --watch --count 2"; do
	# shellcheck disable=SC2086 # the command's words
	ctl $c >"$TMP/out" 2>"$TMP/err"
	assert_eq "'$c' without daemon: exit" 1 "$?"
	assert_contains "'$c' without daemon says so" "$TMP/err" \
		"^ixgatectl: ixgate-control is not running \(no socket at $CTL_SOCK\)"
	[ -s "$TMP/out" ] && fail "'$c': output on stdout: $(cat "$TMP/out")"
	# shellcheck disable=SC2086
	ctl --json $c >"$TMP/out" 2>"$TMP/err"
	assert_eq "'--json $c' without daemon: exit" 1 "$?"
	msg=$(is_json_error "$TMP/out") || fail "'--json $c': not one JSON error: $(cat "$TMP/out")"
	case "$msg" in *"ixgate-control is not running"*) ;; *) fail "'--json $c': $msg" ;; esac
done
log "ok: ${#COMMANDS[@]} commands + --watch, human and JSON, without ixgate-control"

# ---- daemon, no dataplane ----------------------------------------------
copy_config "net_null0,no-rx=1" "net_null1,no-rx=1"
start_ctld
for c in "${COMMANDS[@]}"; do
	# shellcheck disable=SC2086
	ctl $c >"$TMP/out" 2>&1
	st=$?
	case "$c" in
	show\ generation)
		assert_eq "'$c' exit" 0 $st
		assert_contains "'$c' says not connected" "$TMP/out" "^dataplane *not connected" ;;
	show\ routes | show\ config)
		assert_eq "'$c' exit" 0 $st ;; # configuration only: no counters
	show*)
		assert_eq "'$c' exit" 0 $st
		assert_contains "'$c' says so" "$TMP/out" "^dataplane not connected: counters shown as '-'" ;;
	reload*)
		assert_eq "'$c' exit" 1 $st
		assert_contains "'$c' says so" "$TMP/out" "dataplane not connected \(headless daemon\): .* not committed" ;;
	confirm)
		assert_eq "'$c' exit" 1 $st
		assert_contains "'$c'" "$TMP/out" "nothing awaits confirmation" ;;
	rollback)
		assert_eq "'$c' exit" 1 $st
		assert_contains "'$c'" "$TMP/out" "no previous configuration" ;;
	check)
		assert_eq "'$c' exit" 0 $st ;;
	esac
	# shellcheck disable=SC2086
	ctl --json $c >"$TMP/out.json" 2>"$TMP/err"
	python3 - "$TMP/out.json" "$c" <<'PY' || fail "'--json $c': $(cat "$TMP/out.json")"
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert len(lines) == 1, "one JSON object"
j = json.loads(lines[0])
cmd = sys.argv[2]
if cmd.startswith("reload"):
    assert "dataplane not connected" in j["error"], j
elif cmd in ("confirm", "rollback"):
    assert j["error"], j
elif cmd.startswith("show") and cmd not in ("show routes", "show config", "show generation"):
    assert j["dataplane_connected"] is False, j
PY
done
# Counters are null, not 0, in JSON; --watch works and says it too.
ctl --json show peers | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert all(p["rx_packets"] is None and p["rx_pps"] is None for p in j["peers"]), j' ||
	fail "counters not null without a dataplane"
ctl --json --watch 1 --count 2 show ports >"$TMP/w.json" || fail "--watch without dataplane"
assert_eq "--watch frames without dataplane" 2 "$(python3 -c '
import json, sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["dataplane_connected"] is False))' "$TMP/w.json")"
log "ok: ${#COMMANDS[@]} commands, human and JSON, without a dataplane"

# ---- the daemon goes away mid-watch -------------------------------------
ctl --watch 1 show drops >"$TMP/w.out" 2>"$TMP/w.err" &
WPID=$!
sleep 1.5
kill -TERM "$CTLD_PID"
wait "$CTLD_PID"
wait "$WPID"
assert_eq "watch exit when the daemon stops" 1 "$?"
assert_contains "watch says the daemon went away" "$TMP/w.err" "ixgate-control closed the connection"
echo "PASS"
