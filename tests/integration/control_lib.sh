# SPDX-License-Identifier: BSD-3-Clause
# control_lib.sh - helpers for the ixgate-control integration tests (source
# after lib.sh): a private copy of config/ with real devices, and starting
# the dataplane, the daemon and ixgatectl on sockets in $TMP.
CTLD=$BUILD/control/ixgate-control
CTL=$BUILD/control/ixgatectl
CONF_DIR=$TMP/conf
CONF=$CONF_DIR/demo.conf
API_SOCK=$TMP/dp.sock
CTL_SOCK=$TMP/ctl.sock
AUDIT=$TMP/audit.log
STATE=$TMP/state

# copy_config P0_DEVICE P1_DEVICE: config/ to $CONF_DIR with the ports'
# devices replaced (a commit may not change a port's device).
copy_config() {
	mkdir -p "$CONF_DIR"
	cp -r "$SRC"/config/* "$CONF_DIR/"
	chmod -R go-w "$CONF_DIR"
	sed -i "s|device \"net_ring0\";|device \"$1\";|; s|device \"net_ring1\";|device \"$2\";|" "$CONF"
	grep -q "$1" "$CONF" || fail "could not set p0's device"
}

# start_dp DURATION JSON_OUT: the dataplane on $CONF, API on $API_SOCK.
start_dp() {
	# shellcheck disable=SC2046 # word splitting of the EAL arguments
	bg timeout $(($1 + 30)) "$DP" -l 0,1 $(eal_mem_args) --no-pci \
		--file-prefix "$(eal_prefix)-$RANDOM" --log-level='*:warning' -- \
		--config "$CONF" --api-socket "$API_SOCK" --duration "$1" \
		--json-out "$2" >>"$TMP/dp.out" 2>>"$TMP/dp.err"
	DP_PID=$BG_PID
	wait_for 20 test -S "$API_SOCK" ||
		{ tail -20 "$TMP/dp.err" >&2; fail "dataplane API socket never appeared"; }
}

# start_ctld [OPTION...]: ixgate-control on $CONF, its sockets, audit log
# and state directory in $TMP, with the extra options given.
start_ctld() {
	bg "$CTLD" --config "$CONF" --api-socket "$API_SOCK" \
		--ctl-socket "$CTL_SOCK" --audit-log "$AUDIT" \
		--state-dir "$STATE" "$@" \
		>>"$TMP/ctld.out" 2>>"$TMP/ctld.err"
	CTLD_PID=$BG_PID
	wait_for 10 test -S "$CTL_SOCK" ||
		{ cat "$TMP/ctld.err" >&2; fail "ixgate-control socket never appeared"; }
}

ctl() {
	"$CTL" --socket "$CTL_SOCK" "$@"
}

# wait_for SECONDS CMD...: poll CMD every 100 ms.
wait_for() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# The running generation as ixgatectl shows it.
generation() {
	ctl --json show generation | python3 -c '
import json, sys
j = json.load(sys.stdin)
g = j.get("generation")
print(g["running"] if isinstance(g, dict) else g)'
}

dp_is_connected() {
	ctl show generation | grep -q "^dataplane *connected"
}
