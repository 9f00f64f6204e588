#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A full-table replace under sustained load loses nothing (issue 3, "never
# lose traffic"), on the real table: bench/data (bench/fetch-data.sh) ->
# ixgate-mkconfig --peers 64 (564k IPv4 + 168k IPv6 routes, 10k ACL rules;
# no --deaggregate, to keep the time sane).
#
# Config A is mkconfig's output. Config B is A with the 64 peer names
# rotated (peer i's block, prefixes and ACL "from" now carry peer i+1's
# name). Ids stay with names, so in B every peer has another MAC, VLAN and
# port, every route, source prefix and per-peer ACL rule another owner id:
# ixgate-control sends peers, acl_rules, routes4/6 and sources4/6 whole,
# with every object changed, and the dataplane builds a completely
# different snapshot. What a packet meets is the same in A and B (the MAC
# it comes from still owns the same prefixes, policies and rules), so every
# verdict is, and the counters can be checked exactly while the tables
# under the traffic are replaced. The daemon's startup commit (A over the
# dataplane's --config A) is a first full build under load; then A -> B.
#
# p0 = net_pcap replaying, from memory (infinite_rx), a capture generated
# for A; p1 = net_null; one worker. After stopping: rx == tx + local +
# drops; p0 received N whole copies of the capture plus its first R frames,
# and rx, tx, local and every drop reason (tx_full: 0) equal N x the
# generator's expectation + its expectation for R frames (per-peer counters
# move with the names, so they are not compared); the devices' imissed is 0;
# traffic was received while each commit was being built and published.
# Takes 4-6 minutes on a shared 2-core VM (two full builds on 4 KiB pages):
# suite "slow".
#
# Memory: hugepages when 4096 x 2 MiB are free, else --no-huge -m 8192: the
# real table's snapshot is ~2.2 GiB, its warm spare FIBs ~2 GiB more
# (dataplane/fibrec.h), and two snapshots are live during a swap.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$GEN"
need_file "$CTLD"
need_file "$CTL"
MKCONFIG=$BUILD/tools/ixgate-mkconfig
need_file "$MKCONFIG"

DATA=${IXG_BENCH_DATA:-$SRC/bench/data}
have_data() {
	local f
	for f in asn-ipv4.csv asn-ipv6.csv asn-country-ipv4.csv asn-country-ipv6.csv; do
		[ -s "$DATA/$f" ] || return 1
	done
}
if ! have_data; then
	log "no real data in $DATA: running bench/fetch-data.sh"
	timeout 600 "$SRC/bench/fetch-data.sh" "$DATA" >"$TMP/fetch.log" 2>&1 || true
	have_data || { cat "$TMP/fetch.log"; skip "no real data in $DATA and bench/fetch-data.sh failed: run bench/fetch-data.sh"; }
fi
DATA=$(cd "$DATA" && pwd)

COUNT=4096
t_start=$(date +%s)
timeout 120 "$MKCONFIG" --data "$DATA" --out "$TMP/A" --peers 64 >"$TMP/mkconfig.out" 2>&1 ||
	{ cat "$TMP/mkconfig.out"; fail "ixgate-mkconfig"; }

# B: the same directory with the peer names rotated, in the peer blocks and
# in the ACL's "from" (the only places a peer is named).
cp -r "$TMP/A" "$TMP/B"
python3 - "$TMP/A" "$TMP/B" <<'EOF' || fail "making config B"
import glob, os, re, sys
a, b = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(os.path.join(a, "peers.d", "*.conf")))
names = []
for f in files:
    names += re.findall(r"^peer (\S+) \{$", open(f).read(), re.M)
if len(names) != len(set(names)) or len(names) < 2:
    sys.exit("unexpected peer names: %r" % names)
rot = dict(zip(names, names[1:] + names[:1]))
for f in files:
    out = os.path.join(b, "peers.d", os.path.basename(f))
    open(out, "w").write(re.sub(r"^peer (\S+) \{$",
                                lambda m: "peer %s {" % rot[m.group(1)],
                                open(f).read(), flags=re.M))
acl = open(os.path.join(a, "acl.conf")).read()
acl, n = re.subn(r"^(\s+from )(\S+);$", lambda m: m.group(1) + rot[m.group(2)] + ";",
                 acl, flags=re.M)
open(os.path.join(b, "acl.conf"), "w").write(acl)
print("# config B: %d peers renamed, %d ACL rules re-targeted" % (len(names), n))
EOF

# The live directory: A with absolute country data paths and the test's
# devices (a commit may not change a port's device).
CONF_DIR=$TMP/conf
CONF=$CONF_DIR/ixgate.conf
cp -r "$TMP/A" "$CONF_DIR"
sed -i "s|^country-data \"[^\"]*/\(asn-country-ipv[46].csv\)\"|country-data \"$DATA/\1\"|; \
	s|device \"net_null0\";|device \"net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1\";|; \
	s|device \"net_null1\";|device \"net_null1,no-rx=1\";|" "$CONF"
grep -q "rx_pcap=" "$CONF" || fail "could not set p0's device"
chmod -R go-w "$CONF_DIR"

# 64-byte frames: the most packets per second, and bit rates far below the
# peers' 10-100 Gbit/s policers, so the expectation holds at any speed.
timeout 120 "$GEN" --config "$CONF" --out "$TMP/in.pcap" --count $COUNT \
	--seed 7 --port p0 --sizes 64 --expect "$TMP/expect.json" >/dev/null ||
	fail "ixgate-pcapgen"
log "configs and capture ready in $(($(date +%s) - t_start)) s"

PREFIX="$(eal_prefix)-$RANDOM"
if [ "$(id -u)" = 0 ]; then
	RUNDIR=/var/run/dpdk/$PREFIX
else
	RUNDIR=${XDG_RUNTIME_DIR:-/tmp}/dpdk/$PREFIX
fi
TEL_SOCK=$RUNDIR/dpdk_telemetry.v2
trap 'ixg_cleanup; rm -rf "$RUNDIR"' EXIT

mem_args() {
	local free
	free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo 2>/dev/null)
	if [ "${free:-0}" -ge 4096 ]; then
		echo "-m 8192 --huge-unlink"
	else
		echo "--no-huge -m 8192"
	fi
}

tel() {
	python3 - "$TEL_SOCK" "$1" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(10)
s.connect(sys.argv[1])
json.loads(s.recv(65536).decode())
s.send(sys.argv[2].encode())
print(json.dumps(json.loads(s.recv(1 << 20).decode())))
EOF
}

# sample_rx SECONDS OUT: p0's rx_packets every 50 ms ("unix_ns rx" lines).
# Runs as its own process (exec) so that killing BG_PID stops it; ends
# quietly when the dataplane stops answering.
sample_rx() {
	exec python3 - "$TEL_SOCK" "$1" "$2" <<'EOF'
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(10)
s.connect(sys.argv[1])
s.recv(65536)
end = time.time() + float(sys.argv[2])
with open(sys.argv[3], "w", buffering=1) as out:
    while time.time() < end:
        try:
            s.send(b"/ixgate/ports")
            ports = json.loads(s.recv(1 << 20).decode())["/ixgate/ports"]["ports"]
            p0 = next(p for p in ports.values() if p["name"] == "p0")
        except (OSError, ValueError, TypeError, KeyError):
            break
        out.write("%d %d\n" % (time.time_ns(), p0["rx_packets"]))
        time.sleep(0.05)
EOF
}

# rx_during SAMPLES T0 T1: packets received between the first sample after
# T0 and the last one before T1, and the longest gap without progress.
rx_during() {
	python3 - "$@" <<'EOF'
import sys
t0, t1 = int(sys.argv[2]), int(sys.argv[3])
s = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
w = [x for x in s if t0 <= x[0] <= t1]
if len(w) < 2:
    print("0 0")
    sys.exit()
stall, last = 0, w[0]
for x in w[1:]:
    if x[1] > last[1]:
        stall = max(stall, x[0] - last[0])
        last = x
stall = max(stall, w[-1][0] - last[0])
print(w[-1][1] - w[0][1], stall // 1000000)
EOF
}

# shellcheck disable=SC2046 # word splitting of the EAL arguments
bg timeout 900 "$DP" -l 0,1 $(mem_args) --no-pci --file-prefix "$PREFIX" \
	--log-level='*:warning' -- --config "$CONF" --api-socket "$API_SOCK" \
	--json-out "$TMP/live.json" >>"$TMP/dp.out" 2>>"$TMP/dp.err"
DP_PID=$BG_PID
wait_for 180 test -S "$API_SOCK" ||
	{ tail -20 "$TMP/dp.err" >&2; fail "dataplane API socket never appeared"; }
wait_for 10 test -S "$TEL_SOCK" || fail "no telemetry socket at $TEL_SOCK"
log "dataplane up with A's tables in $(($(date +%s) - t_start)) s"

start_ctld
wait_for 180 grep -qE '"result": "(ok|adopted)"' "$AUDIT" ||
	{ cat "$TMP/ctld.err" >&2; fail "no first commit"; }
g0=$(generation)
log "ixgate-control committed A: generation $g0," \
	"$(grep -o '"build_ms": [0-9.]*, "publish_ms": [0-9.]*' "$AUDIT" | tail -1)"

bg sample_rx 600 "$TMP/rx.samples"
SAMPLER_PID=$BG_PID
wait_for 10 test -s "$TMP/rx.samples" || fail "telemetry sampler"

# swap DIR LABEL: make the live directory's peers and ACL those of DIR,
# reload, check the reply and that p0 kept receiving while it ran.
swap() {
	cp "$1"/peers.d/*.conf "$CONF_DIR/peers.d/"
	cp "$1/acl.conf" "$CONF_DIR/acl.conf"
	local g t0 t1
	g=$(generation)
	t0=$(date +%s%N)
	ctl reload >"$TMP/swap-$2.out" 2>&1 ||
		{ cat "$TMP/swap-$2.out" >&2; fail "reload to $2"; }
	t1=$(date +%s%N)
	sleep 0.2
	log "reload to $2: $(( (t1 - t0) / 1000000 )) ms wall: $(cat "$TMP/swap-$2.out")"
	assert_eq "generation after the swap to $2" $((g + 1)) "$(generation)"
	python3 - "$AUDIT" <<'EOF' || fail "the swap to $2 was not a full replace"
import json, sys
j = json.loads(open(sys.argv[1]).readlines()[-1])
d = j["diff"]
assert j["action"] == "reload" and j["result"] == "ok", j
for t in ("peers", "routes4", "routes6", "sources4", "sources6", "acl_rules"):
    assert t in d, "%s not sent" % t
for t, least in (("peers", 60), ("routes4", 500000), ("routes6", 150000)):
    assert d[t]["changed"] >= least, "%s: only %r changed" % (t, d[t])
print("# ok: full replace: " + ", ".join("%s ~%d" % (t, d[t]["changed"])
      for t in ("peers", "acl_rules", "routes4", "routes6", "sources4", "sources6")))
EOF
	read -r got stall <<<"$(rx_during "$TMP/rx.samples" "$t0" "$t1")"
	log "p0 received $got packets during the reload (longest stall seen by" \
		"telemetry: $stall ms)"
	[ "$got" -gt 0 ] || fail "no packet received while the swap to $2 ran"
}

swap "$TMP/B" B

tel /ixgate/ports >"$TMP/ports.json" || fail "telemetry /ixgate/ports"
python3 - "$TMP/ports.json" <<'EOF' || fail "device counters"
import json, sys
ports = {p["name"]: p for p in
         json.load(open(sys.argv[1]))["/ixgate/ports"]["ports"].values()}
bad = [(n, k, p[k]) for n, p in ports.items() for k in ("imissed", "oerrors")
       if p.get(k) != 0]
if bad or "imissed" not in ports["p0"]:
    sys.exit("FAIL: device counters not zero (or absent): %r" % (bad or ports))
print("# ok: imissed and oerrors 0 on %s" % ", ".join(sorted(ports)))
EOF
kill "$SAMPLER_PID" 2>/dev/null
kill -TERM "$DP_PID"
wait "$DP_PID" || fail "dataplane exited non-zero"
check_invariant "$TMP/live.json"

rx=$(json_get "$TMP/live.json" ports.p0.rx_packets)
assert_eq "everything received came in on p0" "$rx" "$(json_get "$TMP/live.json" rx_packets)"
loops=$((rx / COUNT))
rest=$((rx % COUNT))
log "p0 received $rx = $loops x $COUNT + $rest"
[ "$loops" -ge 10 ] || fail "only $loops loops of the capture: no sustained load"
if [ "$rest" -gt 0 ]; then
	timeout 120 "$GEN" --config "$CONF" --out "$TMP/rest.pcap" \
		--count "$rest" --seed 7 --port p0 --sizes 64 \
		--expect "$TMP/expect_rest.json" >/dev/null || fail "ixgate-pcapgen (rest)"
	python3 - "$TMP/in.pcap" "$TMP/rest.pcap" <<'EOF' || fail "generator is not a stream"
import sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
if a[:len(b)] != b:
    sys.exit("FAIL: %s is not a prefix of %s" % (sys.argv[2], sys.argv[1]))
EOF
else
	echo '{"rx_packets": 0, "tx_packets": 0, "local_packets": 0}' >"$TMP/expect_rest.json"
fi
python3 - "$TMP/expect.json" "$TMP/expect_rest.json" "$loops" "$TMP/live.json" \
	"$TMP/expect_total.json" "$TMP/live_nopeers.json" <<'EOF' || fail "scaling the expectation"
import json, sys
full, rest, n = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
live = json.load(open(sys.argv[4]))
if full.get("approximate"):
    sys.exit("the capture has policed traffic: %r" % full["approximate"])
out = {k: n * full[k] + rest.get(k, 0) for k in ("rx_packets", "tx_packets", "local_packets")}
out["drops"] = {r: n * v + rest.get("drops", {}).get(r, 0) for r, v in full["drops"].items()}
json.dump(out, open(sys.argv[5], "w"))
# Per-peer counters follow the names, which the swap moved between MACs:
# compare their sums only.
got_p = sum(p["rx_packets"] for p in live["peers"].values())
exp_p = sum(n * p["rx_packets"] for p in full["peers"].values()) + \
        sum(p["rx_packets"] for p in rest.get("peers", {}).values())
if got_p != exp_p:
    sys.exit("FAIL: peers' rx_packets sum to %d, expected %d" % (got_p, exp_p))
print("# ok: peers' rx_packets sum to %d as expected" % got_p)
del live["peers"]
json.dump(live, open(sys.argv[6], "w"))
EOF
compare_counters "$TMP/expect_total.json" "$TMP/live_nopeers.json" \
	"full replace A->B under load vs $loops x generator + $rest"
assert_eq "tx_full drops" 0 "$(json_get "$TMP/live.json" drops.tx_full)"
log "whole test: $(($(date +%s) - t_start)) s"
echo "PASS"
