# SPDX-License-Identifier: BSD-3-Clause
# rib_lib.sh - the set-up shared by the tests of kernel routes in the live
# dataplane (test_rib_kernel, test_blackhole, test_sav_feasible, test_ecmp,
# test_rib_fallback, test_peer_down_first). Source it after lib.sh and
# control_lib.sh.
#
# rib_setup NAME SRC_IP CONFIG: a network namespace ixg-NAME-$$ ($NS,
# removed at exit) with lo up and a veth lan0 on the peering LAN
# (192.0.2.1/24, 2001:db8:1::1/64), so `ip route ... via` finds its
# gateways; nsip runs `ip -n $NS`. $TMP/in.pcap holds 64 UDP frames from
# member ma (MAC 02:00:00:00:0a:01) sourced from SRC_IP (dotted quad) to
# 203.0.113.5; $CONF is tests/integration/configs/CONFIG with p0 replaying
# them for ever and p1 a net_null. Skips (77) without root, iproute2 or
# network namespaces.
#
# rib_start_ctld: ixgate-control on $CONF inside $NS (where it reads the
# namespace's routing tables), waiting for its CLI socket and first commit.

rib_setup() {
	local name=$1 src=$2 config=$3

	[ "$(id -u)" = 0 ] || skip "not root"
	command -v ip >/dev/null || skip "iproute2 not installed"
	NS=ixg-$name-$$
	ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace"
	trap 'ixg_cleanup; ip netns del "$NS" 2>/dev/null' EXIT
	nsip link set lo up
	nsip link add lan0 type veth peer name lan1
	nsip link set lan0 up
	nsip link set lan1 up
	nsip addr add 192.0.2.1/24 dev lan0
	nsip -6 addr add 2001:db8:1::1/64 dev lan0 nodad

	member_pcap "$TMP/in.pcap" "$src"

	mkdir -p "$CONF_DIR"
	CONF=$CONF_DIR/$config
	sed "s|DEV0|net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1|; s|DEV1|net_null1,no-rx=1|" \
		"$SRC/tests/integration/configs/$config" >"$CONF"
	chmod -R go-w "$CONF_DIR"
}

rib_start_ctld() {
	bg ip netns exec "$NS" "$CTLD" --config "$CONF" --api-socket "$API_SOCK" \
		--ctl-socket "$CTL_SOCK" --audit-log "$AUDIT" --state-dir "$STATE" \
		>>"$TMP/ctld.out" 2>>"$TMP/ctld.err"
	CTLD_PID=$BG_PID
	# Bounds for a loaded machine (control_lib.sh's): met at once when idle.
	wait_for 60 test -S "$CTL_SOCK" || { cat "$TMP/ctld.err" >&2; fail "no CLI socket"; }
	wait_for 60 grep -qE '"result": "(ok|adopted)"' "$AUDIT" ||
		{ cat "$TMP/ctld.err" >&2; fail "no first commit"; }
}

nsip() { ip -n "$NS" "$@" || fail "ip $*"; }

# A condition for wait_for that is read again at every try (wait_for 10
# test "$(cmd)" = x would compare the value read once, before the wait).
# eq_now EXPECTED CMD...: CMD prints EXPECTED now.
eq_now() {
	local want=$1
	shift
	[ "$("$@" 2>/dev/null)" = "$want" ]
}

# rib_synced: ixgate-control's reader has its first dump.
rib_synced() {
	ctl --json show kernel-routes |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["synced"])'
}

kr() { ctl --json show kernel-routes; }
# kr_field PYEXPR: a value of `show kernel-routes --json` (j is the object).
kr_field() {
	kr | python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"
}

# routes_has ADDR REGEX [--json]: `ixgatectl show routes ADDR` prints a
# line matching REGEX within 10 s (the route is live); else it shows what
# it printed and fails.
routes_has() {
	local i
	for i in $(seq 1 100); do
		ctl ${3:-} show routes "$1" >"$TMP/routes.out" 2>&1
		grep -qE "$2" "$TMP/routes.out" && return 0
		sleep 0.1
	done
	cat "$TMP/routes.out" >&2
	return 1
}
