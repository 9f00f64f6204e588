# SPDX-License-Identifier: BSD-3-Clause
# rtnl_lib.sh - helpers for the tests that run ixgate's kernel route reader
# (ixgate-rtnl watch) against real kernel tables in a network namespace.
# Source it after lib.sh.
#
# Provides: $RTNL (the tool), rtnl_start NAME NS TABLE [ARGS...] (a watcher
# in namespace NS, its files in $TMP/NAME.*), rtnl_wait_ready NAME,
# rtnl_state NAME (ask for and wait for a fresh state file), rtnl_converge
# NAME NS TABLE WHAT (the reader's mirror equals `ip route show table`
# within a deadline), rtnl_stat NAME FIELD.

RTNL=$BUILD/control/routes/ixgate-rtnl
RTNL_COMPARE=$SRC/tests/integration/rtnl_compare.py
declare -A RTNL_PID

# rtnl_start NAME NS TABLE [ARGS...]
rtnl_start() {
	local name=$1 ns=$2 table=$3
	shift 3
	rm -f "$TMP/$name.ready" "$TMP/$name.state"
	bg ip netns exec "$ns" "$RTNL" watch -t "$table" \
		--state "$TMP/$name.state" --changes "$TMP/$name.changes" \
		--ready "$TMP/$name.ready" "$@" 2>"$TMP/$name.log"
	RTNL_PID[$name]=$BG_PID
}

# rtnl_wait_ready NAME: the first dump is applied (30 s at most).
rtnl_wait_ready() {
	local name=$1 i
	for i in $(seq 1 300); do
		[ -e "$TMP/$name.ready" ] && return 0
		kill -0 "${RTNL_PID[$name]}" 2>/dev/null ||
			{ cat "$TMP/$name.log" >&2; fail "$name exited"; }
		sleep 0.1
	done
	cat "$TMP/$name.log" >&2
	fail "$name: no complete dump in 30 s"
}

# rtnl_state NAME: a state file written after this call (10 s at most).
rtnl_state() {
	local name=$1 i
	rm -f "$TMP/$name.state"
	kill -USR1 "${RTNL_PID[$name]}" || fail "$name is not running"
	for i in $(seq 1 100); do
		[ -s "$TMP/$name.state" ] && return 0
		sleep 0.1
	done
	fail "$name wrote no state in 10 s"
}

# rtnl_kernel_json NS TABLE: `ip -j route show table` into $TMP/k4.json and
# $TMP/k6.json ("[]" for a table the kernel does not have yet).
# $RTNL_IP_FILTER (e.g. "proto bgp") narrows what `ip` shows, as the
# reader's --proto does.
RTNL_IP_FILTER=${RTNL_IP_FILTER:-}
rtnl_kernel_json() {
	# shellcheck disable=SC2086 # the filter is words
	ip -n "$1" -j route show table "$2" $RTNL_IP_FILTER \
		>"$TMP/k4.json" 2>/dev/null || echo '[]' >"$TMP/k4.json"
	# shellcheck disable=SC2086
	ip -n "$1" -j -6 route show table "$2" $RTNL_IP_FILTER \
		>"$TMP/k6.json" 2>/dev/null || echo '[]' >"$TMP/k6.json"
}

# rtnl_converge NAME NS TABLE WHAT [SECONDS]: the reader's mirror of TABLE
# equals the kernel's within SECONDS (default 20); fails with the
# differences otherwise.
rtnl_converge() {
	local name=$1 ns=$2 table=$3 what=$4 secs=${5:-20} i
	for i in $(seq 1 $((secs * 4))); do
		rtnl_state "$name"
		rtnl_kernel_json "$ns" "$table"
		# shellcheck disable=SC2086 # "proto X" -> X
		if python3 "$RTNL_COMPARE" "$TMP/$name.state" "$TMP/k4.json" \
			"$TMP/k6.json" ${RTNL_IP_FILTER#proto } \
			>"$TMP/$name.cmp"; then
			log "ok: $name converged ($what): $(cat "$TMP/$name.cmp")"
			return 0
		fi
		sleep 0.25
	done
	cat "$TMP/$name.cmp" >&2
	tail -20 "$TMP/$name.log" >&2
	fail "$name did not converge to table $table ($what) in ${secs} s"
}

# rtnl_stat NAME FIELD: a counter from the last state file.
rtnl_stat() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stats"][sys.argv[2]])' \
		"$TMP/$1.state" "$2"
}

# rtnl_stop NAME: SIGTERM, wait (10 s at most).
rtnl_stop() {
	local pid=${RTNL_PID[$1]} i
	kill "$pid" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.1
	done
	fail "$1 did not stop"
}

# rtnl_expect NAME DST WHAT [SECONDS]: within SECONDS (default 20), the
# reader's best route for DST is WHAT: "absent", "blackhole",
# "unreachable", "prohibit", or "via GW[,GW...]" (the set of gateways of
# a unicast route). Fails with what it holds otherwise.
rtnl_expect() {
	local name=$1 dst=$2 what=$3 secs=${4:-20} i
	for i in $(seq 1 $((secs * 4))); do
		rtnl_state "$name"
		if python3 - "$TMP/$name.state" "$dst" "$what" >"$TMP/$name.exp" <<'PY'
import json, sys
state, dst, what = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
# The best route: lowest metric, first in the kernel's order.
rs = [r for r in state["routes"] if r["dst"] == dst and r["tos"] == 0
      and "src" not in r and r["type"] in
      ("unicast", "blackhole", "unreachable", "prohibit")]
rs.sort(key=lambda r: r["metric"])
have = "absent"
if rs:
    r = rs[0]
    if r["type"] == "unicast":
        have = "via " + ",".join(sorted(n.get("gateway", "-")
                                        for n in r["nexthops"]))
    else:
        have = r["type"]
want = what
if want.startswith("via "):
    want = "via " + ",".join(sorted(want[4:].split(",")))
print(have)
sys.exit(0 if have == want else 1)
PY
		then
			log "ok: $name: $dst is $what"
			return 0
		fi
		sleep 0.25
	done
	fail "$name: $dst is '$(cat "$TMP/$name.exp")', expected '$what' (after ${secs} s)"
}

# rtnl_change_seen NAME PATTERN: a line of the batches (--changes) matches
# PATTERN (grep -E).
rtnl_change_seen() {
	grep -Eq -- "$2" "$TMP/$1.changes" ||
		{ tail -20 "$TMP/$1.changes" >&2; fail "$1: no change matching '$2'"; }
	log "ok: $1 delivered a change matching '$2'"
}
