#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_tap.sh: the node answers ARP, Neighbor Discovery and ping on a real
# kernel link. The dataplane runs one port on net_tap (kernel interface
# ixgtap0); the interface is moved into a fresh network namespace where it
# plays the configured peer "nspeer" (its MAC and addresses), and the
# kernel's own ping must get answers for the node's IPv4 and IPv6 addresses
# (RFC 826 ARP, RFC 4861 ND, RFC 792 / RFC 4443 echo), all from the pipeline.
# Needs root, network namespaces and /dev/net/tun: skipped (77) otherwise.
source "$(dirname "$0")/lib.sh"

need_tools
[ "$(id -u)" = 0 ] || skip "not root"
command -v ip >/dev/null || skip "iproute2 not installed"
command -v ping >/dev/null || skip "ping not installed"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
ip link show ixgtap0 >/dev/null 2>&1 && skip "ixgtap0 already exists (another run?)"

CONF=$SRC/tests/integration/configs/tap.conf
NS=ixg-tap-$$
IFACE=ixgtap0
PEER_MAC=02:00:00:00:77:02
NODE4=192.0.2.1
NODE6=2001:db8:77::1

ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace"
trap 'ixg_cleanup; ip netns del "$NS" 2>/dev/null' EXIT

log "starting the dataplane on net_tap ($IFACE)"
# --duration is a ceiling only: the test stops the dataplane with SIGTERM
# (at 60 s a run under load could outlive it and stop answering the pings).
bg timeout 930 "$DP" -l 0,1 --no-huge -m 512 --no-shconf --no-pci \
	--log-level='*:error' --file-prefix="$(eal_prefix)" -- \
	--config "$CONF" --duration 900 --json-out "$TMP/final.json" \
	>"$TMP/dp.out" 2>"$TMP/dp.err"
DP_PID=$BG_PID

# Bounds for a loaded machine (an ASan dataplane at load 30 took more than
# 20 s to start): met at once when idle.
for _ in $(seq 1 1200); do
	ip link show "$IFACE" >/dev/null 2>&1 && break
	kill -0 "$DP_PID" 2>/dev/null || { cat "$TMP/dp.err" >&2; fail "dataplane exited early"; }
	sleep 0.1
done
ip link show "$IFACE" >/dev/null 2>&1 || fail "$IFACE never appeared"
# Wait for the workers: the dataplane prints this once they run.
for _ in $(seq 1 1200); do
	grep -q "worker(s)" "$TMP/dp.err" && break
	sleep 0.1
done
grep -q "worker(s)" "$TMP/dp.err" || { cat "$TMP/dp.err" >&2; fail "dataplane did not start"; }

nsx() { ip netns exec "$NS" "$@"; }
ip link set "$IFACE" netns "$NS" || fail "cannot move $IFACE into $NS"
nsx ip link set lo up
nsx ip link set "$IFACE" address "$PEER_MAC" || fail "set peer MAC"
nsx ip addr add 192.0.2.2/24 dev "$IFACE" || fail "add IPv4 address"
# nodad: the address is usable at once (no 1 s duplicate address detection).
nsx ip -6 addr add 2001:db8:77::2/64 dev "$IFACE" nodad || fail "add IPv6 address"
nsx ip link set "$IFACE" up || fail "link up"

log "ping $NODE4 from the peer's namespace"
timeout 20 ip netns exec "$NS" ping -c 3 -W 1 "$NODE4" >"$TMP/ping4.out" 2>&1 ||
	{ cat "$TMP/ping4.out" >&2; fail "IPv4 ping to the node failed"; }
assert_contains "3 IPv4 echo replies" "$TMP/ping4.out" "3 received"
nsx ip neigh show "$NODE4" dev "$IFACE" >"$TMP/neigh4.out"
assert_contains "ARP resolved the node's MAC" "$TMP/neigh4.out" "02:00:00:00:77:01"

log "ping -6 $NODE6 from the peer's namespace"
timeout 20 ip netns exec "$NS" ping -6 -c 3 -W 1 "$NODE6" >"$TMP/ping6.out" 2>&1 ||
	{ cat "$TMP/ping6.out" >&2; fail "IPv6 ping to the node failed"; }
assert_contains "3 IPv6 echo replies" "$TMP/ping6.out" "3 received"
nsx ip -6 neigh show "$NODE6" dev "$IFACE" >"$TMP/neigh6.out"
assert_contains "ND resolved the node's MAC" "$TMP/neigh6.out" "02:00:00:00:77:01"

log "stopping the dataplane with SIGTERM"
kill -TERM "$DP_PID"
rc=0
for _ in $(seq 1 100); do
	kill -0 "$DP_PID" 2>/dev/null || break
	sleep 0.1
done
wait "$DP_PID" || rc=$?
assert_eq "exit status after SIGTERM" 0 "$rc"
assert_contains "invariant line" "$TMP/dp.err" "invariant rx == tx \+ local \+ punted \+ drops: .*: ok"

local_pkts=$(json_get "$TMP/final.json" local_packets)
# 1 ARP + 3 echo (IPv4), at least 1 NS + 3 echo (IPv6).
[ "$local_pkts" -ge 8 ] || fail "local_packets: expected >= 8, got $local_pkts"
log "ok: local_packets = $local_pkts"
peer_rx=$(json_get "$TMP/final.json" peers.nspeer.rx_packets)
[ "$peer_rx" -ge 8 ] || fail "peers.nspeer.rx_packets: expected >= 8, got $peer_rx"
log "ok: peers.nspeer.rx_packets = $peer_rx"
echo "PASS"
