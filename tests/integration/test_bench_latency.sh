#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# `ixgate-bench latency` with two DUTs, testpmd io and ixgate, each on its
# own two net_memif server ports, fed by ixgate-gen in turn (each DUT frozen
# while the other is measured), on demo.conf at a fixed --rate (no search:
# a few seconds per run).
#
# Checks, from the JSON result:
#   - both DUTs measured, at 10, 50 and 90% of the given rate, in the
#     interleaved order (testpmd 10%, ixgate 10%, testpmd 50%, ...);
#   - for each run: every frame sent came back, by sequence number (zero
#     unexpected loss, no duplicate, nothing unexpected forwarded), and
#     the latency percentiles are present and ordered;
#   - the DUT processes and their memif sockets are gone afterwards.
# l3fwd is left out: its routes come from the real data (bench/data),
# which a test does not fetch.
. "$(dirname "$0")/lib.sh"
need_tools
need_file "$BUILD/tools/ixgate-gen"
need_file "$DEMO_CONF"
TESTPMD=$(command -v dpdk-testpmd) || skip "dpdk-testpmd not installed"
[ -n "$TESTPMD" ] || skip "dpdk-testpmd not installed"

RATE=${BENCH_LATENCY_RATE:-20000}
OUT=$TMP/results

# The harness builds nothing here (--no-build) and needs ixgate-control and
# ixgatectl only for `reload`: the binaries of $BUILD.
python3 "$SRC/bench/ixgate-bench" latency --build "$BUILD" --no-build \
	--out "$OUT" --config "$DEMO_CONF" --duts testpmd,ixgate \
	--rate "$RATE" -d 1 --ready-timeout 60 >"$TMP/bench.out" 2>&1 &
BENCH=$!
wait $BENCH ||
	{ tail -40 "$TMP/bench.out" >&2; fail "ixgate-bench latency failed"; }
cat "$TMP/bench.out"
RES=$(ls "$OUT"/latency-*.json 2>/dev/null | head -1)
[ -n "$RES" ] || fail "no latency JSON in $OUT"

python3 - "$RES" "$RATE" <<'EOF' || fail "latency result checks"
import json, sys
r = json.load(open(sys.argv[1]))
rate = float(sys.argv[2])
bad = []
if sorted(r["duts"]) != ["ixgate", "testpmd"]:
    bad.append("DUTs measured: %s" % sorted(r["duts"]))
order = [(x["dut"], x["load_pct"]) for x in r["runs"] if x["phase"] == "load"]
want = [(d, p) for p in (10, 50, 90) for d in ("testpmd", "ixgate")]
if order != want:
    bad.append("load order %s, want %s" % (order, want))
for name, d in r["duts"].items():
    if d["max_loss_free_pps"] != rate:
        bad.append("%s: max loss-free %s, want the given %s" % (
            name, d["max_loss_free_pps"], rate))
    for s in d["loads"]:
        what = "%s at %d%%" % (name, s["load_pct"])
        if s["sent"] == 0 or s["forward_expected"] != s["sent"]:
            bad.append("%s: sent %d, model forwards %d" % (
                what, s["sent"], s["forward_expected"]))
        if s["forward_received"] != s["forward_expected"]:
            bad.append("%s: received %d of %d" % (
                what, s["forward_received"], s["forward_expected"]))
        for k in ("unexpected_loss", "duplicates", "unexpected_forward"):
            if s[k] != 0:
                bad.append("%s: %s %d" % (what, k, s[k]))
        l = s["latency_ns"]
        if not (0 < l["min"] <= l["p50"] <= l["p99"] <= l["p999"] <=
                l["max"]):
            bad.append("%s: latency not ordered: %s" % (what, l))
print("\n".join(bad) if bad else "all checks passed")
sys.exit(1 if bad else 0)
EOF

# Every DUT stopped, its sockets and EAL runtime directories removed.
sleep 0.5
if pgrep -f "ixgb-lat-$BENCH-" >/dev/null; then
	pgrep -af "ixgb-lat-$BENCH-" >&2
	fail "DUT or generator processes left running"
fi
[ ! -e "/tmp/ixgb-lat-$BENCH" ] || fail "work directory /tmp/ixgb-lat-$BENCH left"
log "ixgate-bench latency: testpmd and ixgate over memif, 0 loss at 10/50/90%"
