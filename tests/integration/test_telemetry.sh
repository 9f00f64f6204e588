#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_telemetry.sh: a running dataplane answers dpdk-telemetry.py's
# /ixgate/ commands and lets dpdk-dumpcap capture.
#
# p0 = net_pcap replaying a finite generated capture once, p1 = net_null
# (its RX makes an endless stream of zeroed frames, dropped as
# dmac_mismatch: traffic for dpdk-dumpcap to capture). The telemetry answers
# must show exactly what the generator says p0's traffic does, and a
# blackhole's expiry must publish a new tables generation.
# Needs hugepages (a secondary process, dpdk-dumpcap, must share memory
# with the primary and the telemetry socket lives under /var/run/dpdk).
source "$(dirname "$0")/lib.sh"

need_tools
need_file "$GEN"
[ "$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)" -gt 0 ] ||
	skip "no hugepages reserved (dpdk-dumpcap needs shared memory)"
[ -w /var/run ] || skip "cannot create the EAL runtime directory"

CONF=$SRC/tests/integration/configs/telemetry.conf
PREFIX=$(eal_prefix)
RUNDIR=/var/run/dpdk/$PREFIX
SOCK=$RUNDIR/dpdk_telemetry.v2

# The dataplane runs the config plus a blackhole, on a prefix the traffic
# never goes to, that expires a few seconds after the start: the node must
# rebuild its tables then (generation 2) and say so.
EXPIRES=$(date -u -d '+6 seconds' +%Y-%m-%dT%H:%M:%SZ)
{ cat "$CONF"; echo "blackhole 192.88.99.0/24 expires \"$EXPIRES\";"; } >"$TMP/run.conf"

"$GEN" --config "$CONF" --out "$TMP/in.pcap" --count 2000 --seed 11 \
	--port p0 --expect "$TMP/expect.json" >/dev/null 2>&1 ||
	fail "ixgate-pcapgen failed"

cleanup_rundir() { rm -rf "$RUNDIR"; }
trap 'ixg_cleanup; cleanup_rundir' EXIT

log "starting the dataplane (prefix $PREFIX)"
bg timeout 60 "$DP" -l 0,1 -m 256 --no-pci --log-level='*:error' \
	--file-prefix="$PREFIX" -- --config "$TMP/run.conf" \
	--device "p0=net_pcap0,rx_pcap=$TMP/in.pcap,tx_pcap=$TMP/out.pcap" \
	--device "p1=net_null0" \
	--duration 20 --json-out "$TMP/final.json" \
	>"$TMP/dp.out" 2>"$TMP/dp.err"
DP_PID=$BG_PID

# Ask the telemetry socket: each argument is a command; prints one JSON
# document per line. Retries the connection until the socket exists.
tel() {
	python3 - "$SOCK" "$@" <<'EOF'
import json, socket, sys, time
path = sys.argv[1]
deadline = time.time() + 15
while True:
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(5)
        s.connect(path)
        break
    except OSError:
        s.close()
        if time.time() > deadline:
            sys.exit("telemetry socket %s never answered" % path)
        time.sleep(0.2)
json.loads(s.recv(65536).decode())  # greeting: version, pid, max_output_len
for cmd in sys.argv[2:]:
    s.send(cmd.encode())
    print(json.dumps(json.loads(s.recv(1 << 20).decode())))
EOF
}

# Wait until the whole capture went through p0's pipeline.
want_rx=$(json_get "$TMP/expect.json" rx_packets)
got=0
for _ in $(seq 1 75); do
	kill -0 "$DP_PID" 2>/dev/null || { cat "$TMP/dp.err" >&2; fail "dataplane exited early"; }
	got=$(tel /ixgate/ports 2>/dev/null | python3 -c '
import json, sys
print(json.load(sys.stdin)["/ixgate/ports"]["p0"]["rx_packets"])' 2>/dev/null || echo 0)
	[ "$got" = "$want_rx" ] && break
	sleep 0.2
done
assert_eq "p0 rx_packets seen by telemetry" "$want_rx" "$got"

tel /ixgate/info /ixgate/counters /ixgate/peers /ixgate/drops /ixgate/ports \
	"/ixgate/peers,west" / >"$TMP/tel.out" || fail "telemetry queries failed"

python3 - "$TMP/tel.out" "$TMP/expect.json" <<'EOF' || fail "telemetry answers wrong"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
ans = {}
for d in lines[:5] + lines[6:]:
    ans.update(d)
west_only = lines[5]["/ixgate/peers"]
exp = json.load(open(sys.argv[2]))
bad = []
def eq(what, e, g):
    if e != g:
        bad.append("%s: expected %r, got %r" % (what, e, g))

info = ans["/ixgate/info"]
eq("info.node", "telemetry-test", info["node"])
if info["generation"] not in (1, 2):
    bad.append("info.generation: expected 1 (or 2 once the blackhole "
               "expired), got %r" % info["generation"])
eq("info.workers", 1, info["workers"])
eq("info.ports", 2, info["ports"])
if not 0 <= info["uptime_s"] < 60:
    bad.append("info.uptime_s out of range: %r" % info["uptime_s"])

for cmd in ("/ixgate/info", "/ixgate/counters", "/ixgate/peers",
            "/ixgate/drops", "/ixgate/ports"):
    if cmd not in ans["/"]:
        bad.append("%s not listed by /" % cmd)

ports = ans["/ixgate/ports"]
p0 = ports["p0"]
eq("ports.p0.rx_packets", exp["rx_packets"], p0["rx_packets"])
eq("ports.p0.fwd", exp["tx_packets"], p0["fwd"])
eq("ports.p0.local", exp["local_packets"], p0["local"])
eq("ports.p0.drops", sum(exp["drops"].values()), p0["drops"])
eq("ports.p0.ipackets (device)", exp["rx_packets"], p0["ipackets"])
# What leaves p0: the answers to received frames, plus the ICMP errors the
# node originated (time exceeded, packet too big), which are not answers.
eq("ports.p0.opackets (device) = local answers + generated ICMP",
   exp["local_packets"] + p0["generated"], p0["opackets"])
if p0["generated"] > exp["drops"].get("ttl_expired", 0) + exp["drops"].get("mtu_exceeded", 0):
    bad.append("ports.p0.generated: %r ICMP errors for %r expired/too big"
               % (p0["generated"], exp["drops"].get("ttl_expired", 0) +
                  exp["drops"].get("mtu_exceeded", 0)))
eq("ports.p1.tx_packets", exp["tx_packets"], ports["p1"]["tx_packets"])
eq("ports.p1.opackets (device)", exp["tx_packets"], ports["p1"]["opackets"])
if ports["p1"]["rx_packets"] <= 0:
    bad.append("ports.p1.rx_packets: expected net_null traffic")

peers = ans["/ixgate/peers"]
for name in ("west", "east"):
    for k in ("rx_packets", "tx_packets"):
        eq("peers.%s.%s" % (name, k), exp["peers"][name][k], peers[name][k])
eq("peers.west.asn", 64501, peers["west"]["asn"])
eq("/ixgate/peers,west", {"west": peers["west"]}, west_only)

# Every reason is listed; p0's drops are all in; p1's zero frames are
# dmac_mismatch (never a reason p0's traffic has here).
drops = ans["/ixgate/drops"]
cdrops = ans["/ixgate/counters"]["drops"]
eq("drop reasons listed", sorted(drops), sorted(cdrops))
if len(drops) < 20:
    bad.append("drops: only %d reasons listed" % len(drops))
for r, n in exp["drops"].items():
    if r in exp.get("approximate", []):
        continue
    if r == "dmac_mismatch":
        continue
    # p1's all-zero frames land in one or two reasons of their own; p0's
    # count is a lower bound for the total.
    if drops.get(r, -1) < n:
        bad.append("drops.%s: expected at least %d, got %r" % (r, n, drops.get(r)))
if drops.get("dmac_mismatch", 0) <= 0:
    bad.append("drops.dmac_mismatch: expected p1's frames")
c = ans["/ixgate/counters"]
eq("counters.tx_packets", exp["tx_packets"], c["tx_packets"])
eq("counters.local_packets", exp["local_packets"], c["local_packets"])
if bad:
    print("\n".join(bad))
    sys.exit(1)
print("# ok: telemetry answers match the generated traffic")
EOF

log "waiting for the blackhole to expire ($EXPIRES)"
gen=0
for _ in $(seq 1 100); do
	gen=$(tel /ixgate/info | python3 -c '
import json, sys
print(json.load(sys.stdin)["/ixgate/info"]["generation"])' 2>/dev/null || echo 0)
	[ "$gen" = 2 ] && break
	sleep 0.2
done
assert_eq "generation after the blackhole expired" 2 "$gen"
assert_contains "expiry reported" "$TMP/dp.err" "blackhole expired: tables generation 2"

if command -v dpdk-dumpcap >/dev/null; then
	log "capturing 10 packets on net_null0 with dpdk-dumpcap"
	timeout 20 dpdk-dumpcap --file-prefix "$PREFIX" -i net_null0 -c 10 \
		-w "$TMP/cap.pcapng" >"$TMP/dumpcap.out" 2>&1 ||
		{ cat "$TMP/dumpcap.out" >&2; fail "dpdk-dumpcap failed"; }
	n=$(python3 - "$TMP/cap.pcapng" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
off = n = 0
bo = "<"
while off + 12 <= len(data):
    btype = struct.unpack_from(bo + "I", data, off)[0]
    if btype == 0x0A0D0D0A:  # section header: byte order from its magic
        bo = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
    blen = struct.unpack_from(bo + "I", data, off + 4)[0]
    if blen < 12:
        break
    if btype in (6, 3):  # enhanced / simple packet block
        n += 1
    off += blen
print(n)
EOF
)
	# dumpcap stops after the burst that reaches -c: at least 10.
	[ "$n" -ge 10 ] || fail "dpdk-dumpcap captured $n packets, expected >= 10"
	log "ok: dpdk-dumpcap captured $n packets"
else
	log "dpdk-dumpcap not installed: capture not tested"
fi

log "stopping the dataplane with SIGINT"
kill -INT "$DP_PID"
for _ in $(seq 1 100); do
	kill -0 "$DP_PID" 2>/dev/null || break
	sleep 0.1
done
rc=0
wait "$DP_PID" || rc=$?
assert_eq "exit status after SIGINT" 0 "$rc"
assert_contains "invariant line" "$TMP/dp.err" "invariant rx == tx \+ local \+ drops: .*: ok"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/final.json" ||
	fail "final JSON invalid"
log "ok: final counters written"
echo "PASS"
