#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 1,000 back-to-back small commits under sustained load lose nothing
# (issue 3, "never lose traffic").
#
# Dataplane: p0 = net_pcap replaying a generated demo capture from memory
# (infinite_rx) at full speed, p1 = net_null, one worker (-l 0,1), with
# ixgate-control in front. The operator's path is exercised 1,000 times:
# a prefix nobody sends to is added to, then removed from, a peer's list in
# a copy of config/, and `ixgatectl reload` each time (the daemon re-reads
# every file, diffs, sends routes4 + sources4, the dataplane rebuilds and
# swaps). `ixgate-apitool commit --only routes4` skips the daemon but saves
# only ~15% a commit here (the dataplane's build + RCU publish is most of
# it), and the daemon cannot stay connected meanwhile (one API client), so
# the test drives the real path.
#
# Checks, after stopping the dataplane:
# - the generation advanced by exactly 1,000 and the audit log has 1,000
#   "reload ... ok" lines;
# - rx == tx + local + sum(drops), overall and per port;
# - every counter EXACTLY equals the generator's expectation for what was
#   received: the replay delivers the capture in order, loop after loop, so
#   p0 received N whole copies plus the first R frames; the generator is a
#   stream (the first R frames of --count L are the frames of --count R,
#   checked below), so expected = N x expect(L) + expect(R), for rx, tx,
#   local, every drop reason (tx_full included: 0) and every peer's rx/tx;
# - the devices' imissed (telemetry /ixgate/ports) is 0 on both ports.
# A replayed capture cannot overflow RX (the device waits for the worker),
# so loss here would show as a wrong counter, not as imissed; imissed is
# checked because on a NIC that is where a stalled worker shows.
#
# IXG_STORM_COMMITS overrides 1,000 (for quick local runs only).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$GEN"
need_file "$CTLD"
need_file "$CTL"

COMMITS=${IXG_STORM_COMMITS:-1000}
COUNT=4096
# 64-byte frames: the highest packet rate, and few enough bits per second
# that no peer's policer (1-10 Gbit/s in demo.conf) meters red on a fast
# machine: the generator's expectation then holds at any speed.
timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count $COUNT \
	--seed 7 --port p0 --sizes 64 --expect "$TMP/expect.json" >/dev/null ||
	fail "ixgate-pcapgen"
copy_config "net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1" "net_null1,no-rx=1"

# The telemetry socket needs EAL's runtime directory: no --no-shconf or
# --in-memory here (control_lib's start_dp uses them), a unique prefix and
# the directory removed at exit.
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
	if [ "${IXG_HUGE:-0}" = 1 ] && [ "${free:-0}" -ge 512 ]; then
		echo "-m 1024 --huge-unlink"
	else
		echo "--no-huge -m 1024"
	fi
}

# shellcheck disable=SC2046 # word splitting of the EAL arguments
bg timeout 900 "$DP" -l 0,1 $(mem_args) --no-pci --file-prefix "$PREFIX" \
	--log-level='*:warning' -- --config "$CONF" --api-socket "$API_SOCK" \
	--json-out "$TMP/live.json" >>"$TMP/dp.out" 2>>"$TMP/dp.err"
DP_PID=$BG_PID
wait_for 30 test -S "$API_SOCK" ||
	{ tail -20 "$TMP/dp.err" >&2; fail "dataplane API socket never appeared"; }

# tel CMD: one telemetry answer as JSON on stdout.
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

p0_rx() {
	tel /ixgate/ports | python3 -c '
import json, sys
ports = json.load(sys.stdin)["/ixgate/ports"]["ports"]
print(next(p for p in ports.values() if p["name"] == "p0")["rx_packets"])'
}

start_ctld
wait_for 60 grep -qE '"result": "(ok|adopted)"' "$AUDIT" ||
	{ cat "$TMP/ctld.err" >&2; fail "no first commit"; }
wait_for 10 test -S "$TEL_SOCK" || fail "no telemetry socket at $TEL_SOCK"
g0=$(generation)
log "generation after start: $g0"

# The prefix sits inside 100.64.0.0/10, which demo.conf's ACL denies
# before any route lookup: no verdict of the generated traffic depends on
# it (test_control_reload.sh uses the same edit).
PEER_FILE=$CONF_DIR/peers.d/asean.conf
cp "$PEER_FILE" "$TMP/without.conf"
sed 's|^\t\t115.84.64.0/18;|\t\t115.84.64.0/18;\n\t\t100.127.254.0/24;|' \
	"$TMP/without.conf" >"$TMP/with.conf"
cmp -s "$TMP/without.conf" "$TMP/with.conf" && fail "could not edit asean.conf"

rx_before=$(p0_rx)
t0=$(date +%s%N)
for i in $(seq 1 "$COMMITS"); do
	if [ $((i % 2)) = 1 ]; then
		cp "$TMP/with.conf" "$PEER_FILE"
	else
		cp "$TMP/without.conf" "$PEER_FILE"
	fi
	ctl reload >"$TMP/reload.out" 2>&1 ||
		{ cat "$TMP/reload.out" >&2; fail "reload $i of $COMMITS"; }
	if [ $((i % 100)) = 0 ]; then
		log "$i commits, $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	fi
done
t1=$(date +%s%N)
rx_after=$(p0_rx)
ms=$(( (t1 - t0) / 1000000 ))
log "$COMMITS reloads in $ms ms ($((ms / COMMITS)) ms each, wall);" \
	"p0 received $((rx_after - rx_before)) packets meanwhile"
[ "$rx_after" -gt "$rx_before" ] || fail "no traffic during the commits"

assert_eq "generation after $COMMITS commits" $((g0 + COMMITS)) "$(generation)"
assert_eq "audit lines of successful reloads" "$COMMITS" \
	"$(grep -c '"action": "reload".*"result": "ok"' "$AUDIT")"
python3 - "$AUDIT" <<'EOF'
import json, sys
b, p = [], []
for line in open(sys.argv[1]):
    j = json.loads(line)
    if j.get("action") == "reload":
        b.append(j["build_ms"])
        p.append(j["publish_ms"])
b.sort()
p.sort()
q = lambda v, f: v[min(len(v) - 1, int(f * len(v)))]
print("# dataplane build ms p50 %.1f p99 %.1f max %.1f; publish ms p50 %.1f "
      "p99 %.1f max %.1f" % (q(b, .5), q(b, .99), b[-1], q(p, .5), q(p, .99), p[-1]))
EOF

tel /ixgate/ports >"$TMP/ports.json" || fail "telemetry /ixgate/ports"
python3 - "$TMP/ports.json" <<'EOF' || fail "device counters"
import json, sys
ports = {p["name"]: p for p in
         json.load(open(sys.argv[1]))["/ixgate/ports"]["ports"].values()}
bad = [(n, k, p[k]) for n, p in ports.items() for k in ("imissed", "oerrors")
       if p.get(k) != 0]
if bad or "imissed" not in ports["p0"]:
    sys.exit("FAIL: device counters not zero (or absent): %r" % (bad or ports))
print("# ok: imissed and oerrors 0 on %s (ipackets p0 %d)" %
      (", ".join(sorted(ports)), ports["p0"]["ipackets"]))
EOF

kill -TERM "$DP_PID"
wait "$DP_PID" || fail "dataplane exited non-zero"
check_invariant "$TMP/live.json"

compare_loops "$TMP/live.json" $COUNT "$TMP/expect.json" \
	"$COMMITS commits under load" --seed 7 --port p0 --sizes 64
assert_eq "tx_full drops" 0 "$(json_get "$TMP/live.json" drops.tx_full)"
python3 - "$TMP/live.json" "$TMP/expect.json" <<'EOF'
import json, sys
got, exp = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print("# drop reasons (share of rx, live vs one capture): " + ", ".join(
    "%s %.3f%%/%.3f%%" % (r, 100.0 * v / got["rx_packets"],
                          100.0 * exp["drops"][r] / exp["rx_packets"])
    for r, v in sorted(got["drops"].items()) if v))
EOF
echo "PASS"
