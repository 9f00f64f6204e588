#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_punt.sh: the exception path end to end (doc/exception-path.md).
#
# Two network namespaces joined by a veth: the node's (the dataplane runs
# there, its port p0 on net_af_packet over the veth end, so its TAP
# "ixg-p0" appears there too) and a member's (the other end, with the
# member's MAC and addresses). Checks:
#   - ixg-p0 carries the port's MAC and the node's addresses, and its
#     IPv6 link-local address (the EUI-64 of the port's MAC);
#   - the member pings that link-local address (NS and echo answered in the
#     fast path) and connects to it on port 179 (punted); its echo requests
#     to another link-local address are dropped link_local;
#   - a TCP connection from the member to 192.0.2.1:179 and to
#     [2001:db8:88::1]:179 reaches a listener on the node's Linux side and
#     the answer comes back (SYN punted, SYN-ACK injected, ARP/ND answers
#     for Linux's own resolution punted);
#   - a TCP port outside the allow-list (22) never connects: punt_denied;
#   - a UDP flood to BFD's port is cut to punt-rate: punt_rate counted;
#   - a reload that gives the node an address on VLAN 20 adds ixg-p0.20
#     without a restart, and removing it removes the interface;
#   - counters stay exact: rx == tx + local + punted + drops.
# Needs root, network namespaces, /dev/net/tun: skipped (77) otherwise.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/control_lib.sh"

need_tools
[ "$(id -u)" = 0 ] || skip "not root"
command -v ip >/dev/null || skip "iproute2 not installed"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
need_file "$CTLD"

NSN=ixg-punt-n-$$
NSM=ixg-punt-m-$$
VN=pn$$
VM=pm$$
NODE_MAC=02:00:00:00:88:01
MEM_MAC=02:00:00:00:88:02

ip netns add "$NSN" 2>/dev/null || skip "cannot create a network namespace"
ip netns add "$NSM" || { ip netns del "$NSN"; skip "cannot create a second namespace"; }
trap 'ixg_cleanup; ip netns del "$NSN" 2>/dev/null; ip netns del "$NSM" 2>/dev/null' EXIT
nsn() { ip netns exec "$NSN" "$@"; }
nsm() { ip netns exec "$NSM" "$@"; }

ip link add "$VN" netns "$NSN" type veth peer name "$VM" netns "$NSM" ||
	fail "veth pair"
nsn ip link set lo up
nsn sysctl -qw "net.ipv6.conf.$VN.disable_ipv6=1"
nsn ip link set "$VN" up
nsm ip link set lo up
nsm ip link set "$VM" address "$MEM_MAC"
nsm ip addr add 192.0.2.2/24 dev "$VM"
nsm ip -6 addr add 2001:db8:88::2/64 dev "$VM" nodad
nsm ip link set "$VM" up
# A veth leaves transport checksums to be filled in "by the NIC", which
# net_af_packet on the other end never does: the member's kernel must
# compute them, as a real member's NIC would (ETHTOOL_STXCSUM off).
nsm python3 - "$VM" <<'PY' || fail "tx checksum offload off"
import array, fcntl, socket, struct, sys
data = array.array("B", struct.pack("II", 0x17, 0))  # ETHTOOL_STXCSUM, off
ifr = struct.pack("16sP", sys.argv[1].encode(), data.buffer_info()[0])
s = socket.socket()
fcntl.ioctl(s.fileno(), 0x8946, ifr)  # SIOCETHTOOL
PY

# PUNT_MEASURE=N: N TCP connections through the exception path and N over
# a plain veth, connect time percentiles (doc/exception-path.md), with the
# rate limit out of the way; the checks of the limit are skipped.
MEASURE=${PUNT_MEASURE:-0}
PUNT_RATE=50
PUNT_BURST=20
if [ "$MEASURE" -gt 0 ]; then
	PUNT_RATE=1000000
	PUNT_BURST=100000
fi
mkdir -p "$CONF_DIR"
CONF=$CONF_DIR/punt.conf
write_conf() { # write_conf [VLAN_BLOCK]
	cat >"$CONF" <<EOF
node {
	name punt-test;
	country SG;
	exception-path on;
	punt-rate $PUNT_RATE;
	punt-burst $PUNT_BURST;
}

port p0 {
	device "net_af_packet0,iface=$VN";
	mac $NODE_MAC;
	address 192.0.2.1/24;
	address 2001:db8:88::1/64;
$1}

peer m1 {
	asn 64501;
	country SG;
	port p0;
	mac $MEM_MAC;
	next-hop 192.0.2.2;
	next-hop 2001:db8:88::2;
}
EOF
}
write_conf ""
chmod -R go-w "$CONF_DIR"

log "starting the dataplane in $NSN (port p0 on net_af_packet over $VN)"
# Every wait below is bounded by its condition (met at once when idle; the
# bounds are for an ASan build at load ~30), never by a clock another
# process runs: --duration and the timeouts around the dataplane and the
# listener are ceilings only, the test stops both itself.
# shellcheck disable=SC2046 # word splitting of the EAL arguments
bg timeout 900 ip netns exec "$NSN" "$DP" -l 0,1 $(eal_mem_args) --no-pci \
	--file-prefix "$(eal_prefix)" --log-level='*:warning' -- \
	--config "$CONF" --api-socket "$API_SOCK" --duration 900 \
	--json-out "$TMP/final.json" >"$TMP/dp.out" 2>"$TMP/dp.err"
DP_PID=$BG_PID
wait_for 120 grep -q "worker(s)" "$TMP/dp.err" ||
	{ cat "$TMP/dp.err" >&2; fail "dataplane did not start"; }
wait_for 30 nsn ip link show ixg-p0 || { cat "$TMP/dp.err" >&2; fail "ixg-p0 never appeared"; }
# The node's kernel must not see the port's frames (a NIC bound to DPDK):
# net_af_packet gave $VN the port's MAC, so the kernel would take the
# member's frames to 192.0.2.1 there itself. Another MAC (the dataplane is
# promiscuous) and no IP on $VN make it ignore them.
nsn ip link set "$VN" address 02:00:00:00:99:99
nsn sysctl -qw "net.ipv4.conf.$VN.arp_ignore=1" "net.ipv4.conf.$VN.rp_filter=1"

nsn ip -o link show ixg-p0 >"$TMP/link.out"
assert_contains "ixg-p0 has the port's MAC" "$TMP/link.out" "link/ether $NODE_MAC"
assert_contains "ixg-p0 is up" "$TMP/link.out" "UP"
nsn ip -o addr show dev ixg-p0 >"$TMP/addr.out"
assert_contains "ixg-p0 has 192.0.2.1/24" "$TMP/addr.out" "inet 192\.0\.2\.1/24"
assert_contains "ixg-p0 has 2001:db8:88::1/64" "$TMP/addr.out" "inet6 2001:db8:88::1/64"
# 02:00:00:00:88:01 -> modified EUI-64 (RFC 4291 appendix A)
NODE_LL=fe80::ff:fe00:8801
assert_contains "ixg-p0 has its link-local $NODE_LL/64" "$TMP/addr.out" "inet6 $NODE_LL/64"
assert_eq "ixg-p0 has one link-local address" 1 "$(grep -c 'inet6 fe80::' "$TMP/addr.out")"

# A TCP echo server on the node's Linux side: uppercases what it gets.
# It accepts until the test stops it (no clock of its own: at load ~30
# the clients came after its former 70 s).
cat >"$TMP/server.py" <<'PY'
import socket, sys, threading
def serve(family, addr):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(socket.getaddrinfo(addr, 179, family, socket.SOCK_STREAM)[0][4])
    s.listen(4)
    while True:
        c, _ = s.accept()
        c.settimeout(60)
        try:
            c.sendall(c.recv(100).upper())
        except OSError:
            pass
        c.close()
for fam, a in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8:88::1"),
               (socket.AF_INET6, sys.argv[2])):
    threading.Thread(target=serve, args=(fam, a), daemon=True).start()
open(sys.argv[1], "w").write("ready\n")
threading.Event().wait()
PY
cat >"$TMP/client.py" <<'PY'
import socket, sys
addr, port = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(float(sys.argv[3]))
try:
    s.connect(socket.getaddrinfo(addr, port, fam, socket.SOCK_STREAM)[0][4])
    s.sendall(b"hello punt")
    print(s.recv(100).decode())
except OSError as e:
    print("error: %s" % e)
    sys.exit(1)
PY
bg timeout 900 ip netns exec "$NSN" python3 "$TMP/server.py" "$TMP/server.ready" \
	"$NODE_LL%ixg-p0"
SERVER_PID=$BG_PID
wait_for 30 test -s "$TMP/server.ready" || fail "listener did not start"

log "TCP from the member to 192.0.2.1:179 through the exception path"
timeout 90 ip netns exec "$NSM" python3 "$TMP/client.py" 192.0.2.1 179 60 >"$TMP/tcp4.out" 2>&1 ||
	{ cat "$TMP/tcp4.out" "$TMP/dp.err" >&2; fail "IPv4 TCP to the node's Linux side failed"; }
assert_contains "IPv4 answer from the listener" "$TMP/tcp4.out" "^HELLO PUNT$"
log "TCP from the member to [2001:db8:88::1]:179"
timeout 90 ip netns exec "$NSM" python3 "$TMP/client.py" 2001:db8:88::1 179 60 >"$TMP/tcp6.out" 2>&1 ||
	{ cat "$TMP/tcp6.out" >&2; fail "IPv6 TCP to the node's Linux side failed"; }
assert_contains "IPv6 answer from the listener" "$TMP/tcp6.out" "^HELLO PUNT$"
log "the node's link-local address: ping (fast path), TCP to port 179 (punted)"
nsm ping -6 -n -q -c 3 -i 0.2 -W 10 "$NODE_LL%$VM" >"$TMP/ping_ll.out" 2>&1 ||
	{ cat "$TMP/ping_ll.out" >&2; fail "ping to the node's link-local address"; }
timeout 90 ip netns exec "$NSM" python3 "$TMP/client.py" "$NODE_LL%$VM" 179 60 \
	>"$TMP/tcp_ll.out" 2>&1 ||
	{ cat "$TMP/tcp_ll.out" >&2; fail "TCP to the node's link-local address failed"; }
assert_contains "answer from the listener on the link-local address" "$TMP/tcp_ll.out" \
	"^HELLO PUNT$"
# Another link-local address, resolved to the node's MAC by hand: the
# echo requests reach the dataplane, which never routes them.
nsm ip -6 neigh replace fe80::99 lladdr "$NODE_MAC" dev "$VM" nud permanent
if nsm ping -6 -n -q -c 3 -i 0.2 -W 1 "fe80::99%$VM" >"$TMP/ping_other.out" 2>&1; then
	fail "fe80::99 answered: $(cat "$TMP/ping_other.out")"
fi
nsn ip neigh show dev ixg-p0 >"$TMP/neigh.out"
assert_contains "Linux learned the member's MAC (ARP reply punted)" "$TMP/neigh.out" \
	"192\.0\.2\.2 lladdr $MEM_MAC"
kill "$SERVER_PID" 2>/dev/null
wait "$SERVER_PID" 2>/dev/null

if [ "$MEASURE" -gt 0 ]; then
	cat >"$TMP/measure.py" <<'PY'
import socket, sys, time
mode, addr, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "serve":
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 179))
    s.listen(64)
    s.settimeout(60)
    open(sys.argv[4], "w").write("ready\n")
    for _ in range(n):
        s.accept()[0].close()
    sys.exit(0)
ts = []
for _ in range(n):
    c = socket.socket()
    c.settimeout(5)
    t0 = time.perf_counter()
    c.connect((addr, 179))
    ts.append(time.perf_counter() - t0)
    c.close()
ts.sort()
print("%s: %d connects, p50 %.0f us, p90 %.0f us, p99 %.0f us" % (
    sys.argv[4], n, ts[n // 2] * 1e6, ts[n * 9 // 10] * 1e6, ts[n * 99 // 100] * 1e6))
PY
	bg timeout 60 ip netns exec "$NSN" python3 "$TMP/measure.py" serve 192.0.2.1 "$MEASURE" "$TMP/m1.ready"
	wait_for 10 test -s "$TMP/m1.ready" || fail "measure listener"
	nsm python3 "$TMP/measure.py" connect 192.0.2.1 "$MEASURE" "through ixgate's exception path" ||
		fail "measure through the node"
	ip netns add "$NSN-b" && ip netns add "$NSM-b" || fail "baseline namespaces"
	ip link add b$$ netns "$NSN-b" type veth peer name c$$ netns "$NSM-b"
	ip netns exec "$NSN-b" ip link set b$$ up
	ip netns exec "$NSN-b" ip addr add 192.0.2.1/24 dev b$$
	ip netns exec "$NSM-b" ip link set c$$ up
	ip netns exec "$NSM-b" ip addr add 192.0.2.2/24 dev c$$
	bg timeout 60 ip netns exec "$NSN-b" python3 "$TMP/measure.py" serve 192.0.2.1 "$MEASURE" "$TMP/m2.ready"
	wait_for 10 test -s "$TMP/m2.ready" || fail "baseline listener"
	ip netns exec "$NSM-b" python3 "$TMP/measure.py" connect 192.0.2.1 "$MEASURE" "plain veth, no ixgate" ||
		fail "measure over a plain veth"
	ip netns del "$NSN-b"
	ip netns del "$NSM-b"
	echo "PASS (measurement only)"
	exit 0
fi

log "TCP to port 22 (not allowed) must not connect"
if timeout 60 ip netns exec "$NSM" python3 "$TMP/client.py" 192.0.2.1 22 2 >"$TMP/tcp22.out" 2>&1; then
	fail "port 22 reached the node's Linux side: $(cat "$TMP/tcp22.out")"
fi
assert_contains "port 22 timed out (dropped, not refused by Linux)" "$TMP/tcp22.out" "timed out"

log "a burst of 400 UDP datagrams to BFD's port 3784 (punt-rate 50, burst 20)"
nsm python3 - <<'PY' || fail "UDP burst"
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(400):
    s.sendto(b"x" * 24, ("192.0.2.1", 3784))
PY

log "reload: an address on VLAN 20 adds ixg-p0.20"
start_ctld
wait_for 60 dp_is_connected || { cat "$TMP/ctld.err" >&2; fail "control plane never connected"; }
chmod u+w "$CONF"
write_conf "	vlan 20 {
		address 198.18.20.1/24;
	}
"
chmod go-w "$CONF"
ctl reload >"$TMP/reload.out" 2>&1 || { cat "$TMP/reload.out" "$TMP/ctld.err" >&2; fail "reload"; }
wait_for 30 nsn ip link show ixg-p0.20 || { cat "$TMP/dp.err" >&2; fail "ixg-p0.20 never appeared"; }
nsn ip -o addr show dev ixg-p0.20 >"$TMP/addr20.out"
assert_contains "ixg-p0.20 has 198.18.20.1/24" "$TMP/addr20.out" "inet 198\.18\.20\.1/24"
assert_contains "ixg-p0 still there" <(nsn ip -o link show ixg-p0) "ixg-p0"
log "reload: the VLAN address removed removes ixg-p0.20"
chmod u+w "$CONF"
write_conf ""
chmod go-w "$CONF"
ctl reload >"$TMP/reload2.out" 2>&1 || { cat "$TMP/reload2.out" >&2; fail "second reload"; }
wait_for 30 sh -c "! ip netns exec $NSN ip link show ixg-p0.20" ||
	fail "ixg-p0.20 still there after the reload"
log "ok: ixg-p0.20 removed"
kill "$CTLD_PID" 2>/dev/null
wait "$CTLD_PID" 2>/dev/null

log "stopping the dataplane with SIGTERM"
kill -TERM "$(pgrep -P "$DP_PID" | head -1)" 2>/dev/null
rc=0
wait "$DP_PID" || rc=$?
assert_eq "exit status after SIGTERM" 0 "$rc"
assert_contains "invariant line" "$TMP/dp.err" \
	"invariant rx == tx \+ local \+ punted \+ drops: .*: ok"
check_invariant "$TMP/final.json"

python3 - "$TMP/final.json" <<'PY' || fail "exception-path counters"
import json, sys
j = json.load(open(sys.argv[1]))
d, p = j["drops"], j["ports"]["p0"]
def need(what, ok):
    print("# %s: %s" % ("ok" if ok else "FAIL", what))
    return ok
ok = all([
    need("punted_packets %d >= 6 (SYNs, ACKs, data, ARP/NA)" % j["punted_packets"],
         j["punted_packets"] >= 6),
    need("ports.p0.punted_packets == punted_packets",
         p["punted_packets"] == j["punted_packets"]),
    need("punt_injected %d >= 4 (SYN-ACKs, data, ARP/NS)" % j["punt_injected"],
         j["punt_injected"] >= 4),
    need("ports.p0.injected_packets == punt_injected",
         p["injected_packets"] == j["punt_injected"]),
    need("drops.punt_denied %d >= 1 (port 22)" % d["punt_denied"], d["punt_denied"] >= 1),
    need("drops.punt_rate %d >= 300 (400 datagrams at 50/s, burst 20)" % d["punt_rate"],
         d["punt_rate"] >= 300),
    need("drops.punt_queue_full %d == 0" % d["punt_queue_full"], d["punt_queue_full"] == 0),
    need("drops.link_local %d == 3 (echo requests to fe80::99)" % d["link_local"],
         d["link_local"] == 3),
    need("drops.source_invalid %d == 0" % d["source_invalid"], d["source_invalid"] == 0),
])
sys.exit(0 if ok else 1)
PY
echo "PASS"
