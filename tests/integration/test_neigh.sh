#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_neigh.sh: next hops resolved by ARP and ND, not typed
# (doc/neighbours.md).
#
# Three network namespaces: the node's (the dataplane, ports p0 and p1 on
# net_af_packet over two veth ends), member a's (static: its MAC in the
# config) and member b's (`neighbour learn`, no MAC in the config at all:
# its Linux kernel answers ARP and ND with whatever MAC its veth has).
# Checks:
#   - before b has its addresses, its next hops are INCOMPLETE/FAILED with
#     probes sent, and pings from a to b are dropped `unresolved`;
#   - once b has them, the node learns b's MAC for IPv4 (ARP) and IPv6 (ND):
#     REACHABLE in `ixgatectl show neighbours`, and a's pings reach b's
#     kernel (which takes only frames to its own MAC: proof of the MAC);
#   - b's MAC changes: what b sends next (ARP request, NS) moves the entry
#     to the new MAC and traffic follows it (mac_changes counted);
#   - the neighbour families reach `show counters` and the stats JSON;
#   - counters stay exact: rx == tx + local + punted + drops.
# Needs root and network namespaces: skipped (77) otherwise.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/control_lib.sh"

need_tools
[ "$(id -u)" = 0 ] || skip "not root"
command -v ip >/dev/null || skip "iproute2 not installed"
command -v ping >/dev/null || skip "ping not installed"
need_file "$CTLD"
need_file "$CTL"

NSN=ixg-neigh-n-$$
NSA=ixg-neigh-a-$$
NSB=ixg-neigh-b-$$
VNA=na$$
VA=va$$
VNB=nb$$
VB=vb$$
NODE_MAC0=02:00:00:00:77:01
NODE_MAC1=02:00:00:00:77:02
A_MAC=02:00:00:00:aa:01
B_MAC1=02:00:00:00:bb:01
B_MAC2=02:00:00:00:bb:02

ip netns add "$NSN" 2>/dev/null || skip "cannot create a network namespace"
ip netns add "$NSA" || { ip netns del "$NSN"; skip "cannot create a second namespace"; }
ip netns add "$NSB" || { ip netns del "$NSN"; ip netns del "$NSA"; skip "no third namespace"; }
trap 'ixg_cleanup; ip netns del "$NSN" 2>/dev/null; ip netns del "$NSA" 2>/dev/null; ip netns del "$NSB" 2>/dev/null' EXIT
nsn() { ip netns exec "$NSN" "$@"; }
nsa() { ip netns exec "$NSA" "$@"; }
nsb() { ip netns exec "$NSB" "$@"; }

ip link add "$VNA" netns "$NSN" type veth peer name "$VA" netns "$NSA" || fail "veth a"
ip link add "$VNB" netns "$NSN" type veth peer name "$VB" netns "$NSB" || fail "veth b"
nsn ip link set lo up
for v in "$VNA" "$VNB"; do
	# The node's kernel stays out of the peering LAN: no IPv6 (no
	# solicitations of its own), its MACs not the ports'.
	nsn sysctl -qw "net.ipv6.conf.$v.disable_ipv6=1"
	nsn ip link set "$v" up
done
nsa ip link set lo up
nsa ip link set "$VA" address "$A_MAC"
nsa ip addr add 192.0.2.2/24 dev "$VA"
nsa ip -6 addr add 2001:db8:a::2/64 dev "$VA" nodad
nsa ip link set "$VA" up
nsa ip route add 198.51.100.0/24 via 192.0.2.1
nsa ip -6 route add 2001:db8:b::/64 via 2001:db8:a::1
nsb ip link set lo up
nsb sysctl -qw "net.ipv6.conf.$VB.keep_addr_on_down=1"
nsb ip link set "$VB" address "$B_MAC1"
nsb ip link set "$VB" up
# b has no address yet: nobody answers for its next hops.

mkdir -p "$CONF_DIR"
cat >"$CONF" <<EOF
node {
	name neigh-test;
	country SG;
}

port p0 {
	device "net_af_packet0,iface=$VNA";
	mac $NODE_MAC0;
	address 192.0.2.1/24;
	address 2001:db8:a::1/64;
}

port p1 {
	device "net_af_packet1,iface=$VNB";
	mac $NODE_MAC1;
	address 198.51.100.1/24;
	address 2001:db8:b::1/64;
}

peer a {
	asn 64501;
	country SG;
	port p0;
	mac $A_MAC;
	next-hop 192.0.2.2;
	next-hop 2001:db8:a::2;
	source-validation off;
	announce {
		203.0.113.0/24;
	}
}

peer b {
	asn 64502;
	country SG;
	port p1;
	neighbour learn;
	next-hop 198.51.100.2;
	next-hop 2001:db8:b::2;
	source-validation off;
	announce {
		198.51.100.0/24;
		2001:db8:b::/64;
	}
}
EOF
chmod -R go-w "$CONF_DIR"

log "starting the dataplane in $NSN (p0, p1 on net_af_packet)"
# --duration and the timeout around it are ceilings only: the test stops
# the dataplane itself (SIGTERM). Under ASan at load ~30 the former 120 s
# ended it before the last `show neighbours` (null fields). The waits are
# bounded by their conditions, met at once when idle.
# shellcheck disable=SC2046 # word splitting of the EAL arguments
bg timeout 900 ip netns exec "$NSN" "$DP" -l 0,1 $(eal_mem_args) --no-pci \
	--file-prefix "$(eal_prefix)" --log-level='*:warning' -- \
	--config "$CONF" --api-socket "$API_SOCK" --duration 900 \
	--json-out "$TMP/final.json" >"$TMP/dp.out" 2>"$TMP/dp.err"
DP_PID=$BG_PID
wait_for 120 grep -q "worker(s)" "$TMP/dp.err" ||
	{ cat "$TMP/dp.err" >&2; fail "dataplane did not start"; }
start_ctld
wait_for 60 dp_is_connected || { cat "$TMP/ctld.err" >&2; fail "control plane never connected"; }

# neigh_field ADDRESS KEY: a field of the address's row of
# `ixgatectl --json show neighbours`.
neigh_field() {
	ctl --json show neighbours | python3 -c '
import json, sys
for n in json.load(sys.stdin)["neighbours"]:
    if n["address"] == sys.argv[1]:
        print(n[sys.argv[2]])' "$1" "$2"
}
neigh_is() { # neigh_is ADDRESS STATE [MAC]
	[ "$(neigh_field "$1" state)" = "$2" ] &&
		{ [ -z "${3:-}" ] || [ "$(neigh_field "$1" mac)" = "$3" ]; }
}
neigh_probed() { [ "$(neigh_field "$1" probes_sent)" -ge 1 ]; }
drops_of() { # drops_of REASON
	ctl --json show drops | python3 -c '
import json, sys
print(sum(d["packets"] for d in json.load(sys.stdin)["drops"] if d["reason"] == sys.argv[1]))' "$1"
}
# icmp_in_echos NS FAMILY: echo requests the namespace's kernel took.
icmp_in_echos() {
	if [ "$2" = 4 ]; then
		ip netns exec "$1" awk '$1 == "Icmp:" {
			if (!h) { for (i = 2; i <= NF; i++) if ($i == "InEchos") c = i; h = 1 }
			else print $c }' /proc/net/snmp
	else
		ip netns exec "$1" awk '$1 == "Icmp6InEchos" { print $2 }' /proc/net/snmp6
	fi
}

ctl show neighbours >"$TMP/neigh0.txt" || fail "show neighbours"
cat "$TMP/neigh0.txt"
assert_contains "a's next hop is PERMANENT with its MAC" "$TMP/neigh0.txt" \
	"^192\.0\.2\.2 +p0 +$A_MAC +PERMANENT +a "
wait_for 30 neigh_probed 198.51.100.2 || fail "no ARP request for 198.51.100.2"
wait_for 30 neigh_probed 2001:db8:b::2 || fail "no NS for 2001:db8:b::2"
st=$(neigh_field 198.51.100.2 state)
case "$st" in INCOMPLETE | FAILED) log "ok: 198.51.100.2 $st before b answers" ;;
*) fail "198.51.100.2 is $st before b has the address" ;; esac

log "a pings b before b is resolved: dropped unresolved"
nsa ping -c 4 -i 0.2 -W 1 198.51.100.2 >/dev/null 2>&1
nsa ping -6 -c 3 -i 0.2 -W 1 2001:db8:b::2 >/dev/null 2>&1
wait_for 20 ge_now 7 drops_of unresolved ||
	fail "unresolved drops: $(drops_of unresolved), expected >= 7"
UNRESOLVED=$(drops_of unresolved)
log "ok: $UNRESOLVED dropped unresolved"

log "b takes its addresses: the node learns $B_MAC1 by ARP and ND"
nsb ip addr add 198.51.100.2/24 dev "$VB"
nsb ip -6 addr add 2001:db8:b::2/64 dev "$VB" nodad
wait_for 20 neigh_is 198.51.100.2 REACHABLE "$B_MAC1" ||
	{ ctl show neighbours; fail "198.51.100.2 not learned"; }
wait_for 20 neigh_is 2001:db8:b::2 REACHABLE "$B_MAC1" ||
	{ ctl show neighbours; fail "2001:db8:b::2 not learned"; }
ctl show neighbours >"$TMP/neigh1.txt"
cat "$TMP/neigh1.txt"
assert_contains "b's IPv4 next hop learned" "$TMP/neigh1.txt" \
	"^198\.51\.100\.2 +p1 +$B_MAC1 +REACHABLE +b "

log "a pings b: forwarded to the learned MAC"
e4=$(icmp_in_echos "$NSB" 4)
e6=$(icmp_in_echos "$NSB" 6)
nsa ping -c 5 -i 0.2 -W 1 198.51.100.2 >/dev/null 2>&1
nsa ping -6 -c 5 -i 0.2 -W 1 2001:db8:b::2 >/dev/null 2>&1
wait_for 20 ge_now $((e4 + 5)) icmp_in_echos "$NSB" 4 ||
	fail "b's kernel took $(($(icmp_in_echos "$NSB" 4) - e4)) IPv4 echo requests, not 5"
wait_for 20 ge_now $((e6 + 5)) icmp_in_echos "$NSB" 6 ||
	fail "b's kernel took $(($(icmp_in_echos "$NSB" 6) - e6)) IPv6 echo requests, not 5"
log "ok: 5 + 5 echo requests reached b"
assert_eq "no more unresolved drops once learned" "$UNRESOLVED" "$(drops_of unresolved)"

log "b's MAC changes to $B_MAC2; what b sends next teaches it"
nsb ip link set "$VB" down
nsb ip link set "$VB" address "$B_MAC2"
nsb ip link set "$VB" up
nsb ip neigh flush dev "$VB" 2>/dev/null
# b asks for the node (ARP request, NS with its link-layer address): its
# answers cannot come back (b has no MAC lock the node knows), but the
# questions carry the new MAC.
nsb ping -c 1 -W 1 198.51.100.1 >/dev/null 2>&1
nsb ping -6 -c 1 -W 1 2001:db8:b::1 >/dev/null 2>&1
neigh_mac_is() { [ "$(neigh_field "$1" mac)" = "$2" ]; }
wait_for 20 neigh_mac_is 198.51.100.2 "$B_MAC2" ||
	{ ctl show neighbours; fail "198.51.100.2 did not move to $B_MAC2"; }
wait_for 20 neigh_mac_is 2001:db8:b::2 "$B_MAC2" ||
	{ ctl show neighbours; fail "2001:db8:b::2 did not move to $B_MAC2"; }
e4=$(icmp_in_echos "$NSB" 4)
e6=$(icmp_in_echos "$NSB" 6)
nsa ping -c 5 -i 0.2 -W 1 198.51.100.2 >/dev/null 2>&1
nsa ping -6 -c 5 -i 0.2 -W 1 2001:db8:b::2 >/dev/null 2>&1
wait_for 20 ge_now $((e4 + 5)) icmp_in_echos "$NSB" 4 ||
	fail "after the MAC change b took $(($(icmp_in_echos "$NSB" 4) - e4)) IPv4 echo requests"
wait_for 20 ge_now $((e6 + 5)) icmp_in_echos "$NSB" 6 ||
	fail "after the MAC change b took $(($(icmp_in_echos "$NSB" 6) - e6)) IPv6 echo requests"
log "ok: traffic follows the new MAC"
ctl show neighbours >"$TMP/neigh2.txt"
cat "$TMP/neigh2.txt"
[ "$(neigh_field 198.51.100.2 mac_changes)" -ge 1 ] || fail "IPv4 mac_changes not counted"
[ "$(neigh_field 2001:db8:b::2 mac_changes)" -ge 1 ] || fail "IPv6 mac_changes not counted"

ctl --json show counters --all >"$TMP/counters.json" || fail "show counters"
python3 - "$TMP/counters.json" <<'PY' || fail "neighbour families in show counters"
import json, sys
series = json.load(open(sys.argv[1]))["series"]
def one(name, addr):
    v = [s["value"] for s in series if s["name"] == name
         and s["labels"].get("address") == addr]
    assert len(v) == 1, (name, addr, v)
    return v[0]
assert one("ixgate_neighbour_state", "198.51.100.2") in (2, 3, 4), "state"
assert one("ixgate_neighbour_state", "192.0.2.2") == 6, "a is PERMANENT"
assert one("ixgate_neighbour_probes_sent_total", "198.51.100.2") >= 1
assert one("ixgate_neighbour_replies_total", "198.51.100.2") >= 1
assert one("ixgate_neighbour_replies_total", "2001:db8:b::2") >= 1
assert one("ixgate_neighbour_mac_changes_total", "198.51.100.2") >= 1
print("# ok: the neighbour families in show counters")
PY

log "stopping the dataplane with SIGTERM"
kill "$CTLD_PID" 2>/dev/null
wait "$CTLD_PID" 2>/dev/null
kill -TERM "$(pgrep -P "$DP_PID" | head -1)" 2>/dev/null
rc=0
wait "$DP_PID" || rc=$?
assert_eq "exit status after SIGTERM" 0 "$rc"
assert_contains "invariant line" "$TMP/dp.err" \
	"invariant rx == tx \+ local \+ punted \+ drops: .*: ok"
check_invariant "$TMP/final.json"
python3 - "$TMP/final.json" "$UNRESOLVED" <<'PY' || fail "final counters"
import json, sys
j = json.load(open(sys.argv[1]))
n = j["neighbours"]
ok = True
def need(what, cond):
    global ok
    print("# %s: %s" % ("ok" if cond else "FAIL", what))
    ok = ok and cond
need("drops.unresolved %d == %s" % (j["drops"]["unresolved"], sys.argv[2]),
     j["drops"]["unresolved"] == int(sys.argv[2]))
need("ports.p0 unresolved (a's pings dropped at egress of b)",
     j["ports"]["p0"]["drops"]["unresolved"] == int(sys.argv[2]))
need("peers.b.tx_packets %d >= 20" % j["peers"]["b"]["tx_packets"],
     j["peers"]["b"]["tx_packets"] >= 20)
need("neighbours.b/198.51.100.2 replies >= 1",
     n["b/198.51.100.2"]["replies"] >= 1)
need("neighbours.b/2001:db8:b::2 probes_sent >= 1",
     n["b/2001:db8:b::2"]["probes_sent"] >= 1)
need("punt_injected %d >= probes sent" % j["punt_injected"],
     j["punt_injected"] >= sum(v["probes_sent"] for v in n.values()))
sys.exit(0 if ok else 1)
PY
echo "PASS"
