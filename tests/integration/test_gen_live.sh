#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# ixgate-gen against ixgate-dataplane over net_memif, both ports: the
# dataplane's p0 and p1 are memif servers, ixgate-gen is the client of both,
# sends the demo config's default mix (forwards, spoofed, blackholed,
# ACL-denied, local, TTL, malformed ...) into p0 at a modest rate and
# receives what comes back on p0 and p1.
#
# Checks:
#   - zero unexpected loss: every signed frame the model says is forwarded
#     came back (per stream, by sequence number), no duplicates, nothing the
#     model says is dropped came back, every echo request got its reply;
#   - the forwarded count equals the model's, on both sides: ixgate-gen's
#     signed forwards received and the dataplane's tx_packets;
#   - the dataplane received exactly what ixgate-gen sent, and its drop
#     counters equal, reason by reason, what the model expected for the
#     frames sent (so the signature room changed no verdict);
#   - latency percentiles present and ordered (min <= p50 <= p99 <= p99.9
#     <= max), one sample per forwarded frame.
# memif needs EAL's multi-process IPC: no --no-shconf, a unique
# --file-prefix per process, runtime directories removed at exit.
. "$(dirname "$0")/lib.sh"
need_tools
LGEN=$BUILD/tools/ixgate-gen
need_file "$LGEN"
need_file "$DEMO_CONF"

RATE=${GEN_LIVE_RATE:-50000}
COUNT=${GEN_LIVE_COUNT:-100000}
DP_PREFIX="$(eal_prefix)-dp"
GEN_PREFIX="$(eal_prefix)-gen"
S0=$TMP/m0.sock
S1=$TMP/m1.sock

runtime_dir() {
	if [ "$(id -u)" = 0 ]; then
		echo "/var/run/dpdk/$1"
	else
		echo "${XDG_RUNTIME_DIR:-/tmp}/dpdk/$1"
	fi
}
gen_cleanup() {
	ixg_cleanup
	rm -rf "$(runtime_dir "$DP_PREFIX")" "$(runtime_dir "$GEN_PREFIX")"
}
trap gen_cleanup EXIT

wait_for() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

dump_logs() {
	echo "--- dataplane stderr:" >&2
	tail -15 "$TMP/dp.err" >&2
	echo "--- ixgate-gen:" >&2
	tail -15 "$TMP/gen.out" "$TMP/gen.err" >&2
}

bg timeout 120 "$DP" -l 0,1 --no-huge -m 1024 --no-pci \
	--file-prefix "$DP_PREFIX" --log-level='*:warning' -- \
	--config "$DEMO_CONF" --no-api \
	--device "p0=net_memif0,role=server,id=0,socket=$S0,socket-abstract=no" \
	--device "p1=net_memif1,role=server,id=1,socket=$S1,socket-abstract=no" \
	--json-out "$TMP/dp.json" >"$TMP/dp.out" 2>"$TMP/dp.err"
DP_PID=$BG_PID
if ! wait_for 30 grep -q '^ixgate-dataplane: node' "$TMP/dp.err"; then
	if grep -qi 'cannot create runtime directory' "$TMP/dp.err"; then
		skip "no writable EAL runtime directory: memif needs EAL IPC"
	fi
	dump_logs
	fail "dataplane did not start"
fi

# The client makes the rings: rsize=12 (4096 slots) rides out the moments
# this shared machine takes the dataplane's core away. --hold-ms: the
# generator keeps its ports open, idle, after its report, and the
# dataplane is stopped first: DPDK 22.11's memif server can crash in its
# receive path when a client disconnects while it polls (seen here about
# once in ten runs; in l3fwd and testpmd too).
timeout 120 "$LGEN" -l 0 --no-huge -m 512 --no-pci \
	--file-prefix "$GEN_PREFIX" --log-level='*:warning' \
	--vdev "net_memif0,role=client,id=0,socket=$S0,socket-abstract=no,rsize=12" \
	--vdev "net_memif1,role=client,id=1,socket=$S1,socket-abstract=no,rsize=12" \
	-- --config "$DEMO_CONF" --ports p0,p1 --tx p0 --rate "$RATE" \
	--count "$COUNT" --duration 30 --seed 11 --drain-ms 1000 \
	--hold-ms 20000 --json "$TMP/gen.json" >"$TMP/gen.out" 2>"$TMP/gen.err" &
GEN_PID=$!
if ! wait_for 90 test -s "$TMP/gen.json"; then
	dump_logs
	fail "ixgate-gen wrote no results"
fi

kill -INT "$DP_PID"
wait "$DP_PID" || { dump_logs; fail "dataplane exited $?"; }
kill -INT "$GEN_PID" 2>/dev/null
wait "$GEN_PID" || { dump_logs; fail "ixgate-gen exited $?"; }
cat "$TMP/gen.out"
[ -s "$TMP/dp.json" ] || fail "no --json-out from the dataplane"

check_invariant "$TMP/dp.json"
python3 - "$TMP/gen.json" "$TMP/dp.json" "$COUNT" <<'EOF2' || { dump_logs; fail "ixgate-gen results"; }
import json, sys
g = json.load(open(sys.argv[1]))
d = json.load(open(sys.argv[2]))
count = int(sys.argv[3])
bad = []
def eq(what, want, got):
    if want != got:
        bad.append("%s: expected %s, got %s" % (what, want, got))
    else:
        print("# ok: %s = %s" % (what, got))
eq("packets sent", count, g["tx_packets"])
eq("dataplane rx = sent", g["tx_packets"], d["rx_packets"])
exp = g["expected"]
eq("dataplane tx = model's forwards", exp["forward"], d["tx_packets"])
eq("dataplane local = model's local", exp["local"], d["local_packets"])
for r, n in d["drops"].items():
    eq("drops." + r, exp["drops"].get(r, 0), n)
f = g["forward"]
eq("every forward is signed", exp["forward"], f["signed_sent"])
eq("forwards received", exp["forward"], f["received"])
eq("unexpected loss", 0, f["unexpected_loss"])
eq("duplicates", 0, f["duplicates"])
eq("unexpected forwards", 0, g["received"]["unexpected_forward"])
eq("foreign frames", 0, g["received"]["foreign"])
eq("echo replies", g["local"]["echo_sent"], g["local"]["echo_replies"])
if g["local"]["echo_sent"] == 0:
    bad.append("no echo request was sent: the mix lost its local kind")
lat = g["latency_ns"]
eq("latency samples", f["received"], lat["n"])
seq = [lat[k] for k in ("min", "p50", "p90", "p99", "p999", "max")]
if not (0 < seq[0] and all(a <= b for a, b in zip(seq, seq[1:]))):
    bad.append("latency percentiles not ordered: %s" % seq)
else:
    print("# ok: latency ns min %d p50 %d p99 %d p99.9 %d max %d" %
          (seq[0], seq[1], seq[3], seq[4], seq[5]))
if sum(b[2] for b in lat["buckets"]) != lat["n"]:
    bad.append("histogram buckets do not add up to n")
if sum(g["bins"]["tx"]) != g["tx_packets"]:
    bad.append("tx bins do not add up to tx_packets")
if bad:
    print("FAIL: %d problems" % len(bad))
    for b in bad:
        print("  " + b)
    sys.exit(1)
EOF2
echo "PASS"
