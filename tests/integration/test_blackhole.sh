#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_blackhole.sh: per-blackhole counters of a kernel blackhole (issues
# 10 and 11). Set-up of test_rib_kernel.sh (configs/rib.conf: ixgate-control
# follows table 100 of its namespace; member ma replays 60-byte frames to
# 203.0.113.5 for ever). Then:
#  - `ip route add blackhole 203.0.113.4/30` under mb's and mc's allowed
#    prefix -> the stream drops as `blackhole`, counted under that prefix
#    (origin "kernel table 100") and under (prefix, ma);
#  - a more specific 203.0.113.5/32 via mc takes the stream off the
#    blackhole while it stays: at that quiescent point its counters are
#    exact: per blackhole == per (blackhole, ma) == every blackhole drop of
#    the node, bytes == 60 x packets, in `show blackholes`, in the
#    dataplane's /ixgate/series telemetry and in /metrics;
#  - the blackhole withdrawn, then announced again: its id is given anew
#    and its counters start from zero;
#  - ixgate-control's /metrics: the kernel-route families (counts, tables
#    sent, the netlink-to-live latency histogram) equal `show
#    kernel-routes`, and promtool accepts the scrape.
# Needs root and network namespaces: skipped (77) otherwise.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
. "$(dirname "$0")/rib_lib.sh"
need_file "$CTLD"
need_file "$CTL"
rib_setup bh 198.51.100.10 rib.conf

# A route before the daemon starts: the reader's first dump has it.
nsip route add 203.0.113.0/24 via 192.0.2.130 proto bird table 100

# --duration is a ceiling only, not a clock the test races (at 240 s a
# run under ASan at load could outlive it): the cleanup stops it, and
# meson's timeout bounds the test.
start_dp 900 "$TMP/live.json"
rib_start_ctld


bh_json() { ctl --json show blackholes; }
# bh_field PYEXPR: a value of `show blackholes --json` (j is the object).
bh_field() {
	bh_json | python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"
}
BH='[b for b in j["blackholes"] if b["prefix"] == "203.0.113.4/30"]'
bh_drops() { bh_field "$BH[0][\"dropped_packets\"]"; }

wait_for 20 eq_now True rib_synced || fail "reader never synced"
routes_has 203.0.113.5 "forward to mb" || fail "first dump's route not live"

log "blackhole 203.0.113.4/30 from the kernel"
nsip route add blackhole 203.0.113.4/30 proto bird table 100
routes_has 203.0.113.5 "drop: blackhole 203.0.113.4/30" || fail "blackhole not live"
wait_for 10 eq_now 1 bh_field "len($BH)" || fail "show blackholes does not list it"
assert_eq "origin" "kernel table 100" \
	"$(bh_field "$BH[0][\"where\"]")"
grows bh_drops || fail "the blackhole's counter does not grow"

log "a more specific route takes the stream off the blackhole"
nsip route add 203.0.113.5/32 via 192.0.2.131 proto bird table 100
routes_has 203.0.113.5 "forward to mc" || fail "/32 via mc not live"
wait_for 10 still bh_drops || fail "the blackhole's counter still moves"
ctl show blackholes
bh_json >"$TMP/bh.json"
python3 - "$TMP/bh.json" <<'PY' || fail "blackhole counters not exact"
import json, sys
j = json.load(open(sys.argv[1]))
b = [b for b in j["blackholes"] if b["prefix"] == "203.0.113.4/30"][0]
by = [p for p in j["by_peer"] if p["prefix"] == "203.0.113.4/30"]
n = b["dropped_packets"]
assert n > 0, b
assert b["dropped_bytes"] == 60 * n, b
assert len(by) == 1 and by[0]["peer"] == "ma", by
assert by[0]["packets"] == n and by[0]["bytes"] == 60 * n, (by, n)
# the only blackhole that ever dropped: every blackhole drop is its own
assert j["dropped_packets"] == n, (j["dropped_packets"], n)
print("blackhole 203.0.113.4/30 (id %d): %d packets, %d bytes, all from ma"
      % (b["id"], n, b["dropped_bytes"]))
PY
N=$(bh_drops)
ID=$(bh_field "$BH[0][\"id\"]")

log "the same counters in the dataplane's telemetry"
TSOCK=$(ls -d /var/run/dpdk/"$(eal_prefix)"-*/dpdk_telemetry.v2 2>/dev/null | head -1)
if [ -n "$TSOCK" ]; then
	python3 "$SRC/tests/integration/telemetry_client.py" "$TSOCK" \
		"/ixgate/series,blackhole_peer_dropped_packets_total" >"$TMP/tel.json" ||
		fail "telemetry /ixgate/series"
	python3 - "$TMP/tel.json" "$N" <<'PY' || { cat "$TMP/tel.json" >&2; fail "telemetry: blackhole series not $N from ma"; }
import json, sys
def series(o):
    if isinstance(o, dict):
        if o.get("prefix") == "203.0.113.4/30":
            yield o
        for v in o.values():
            yield from series(v)
for line in open(sys.argv[1]):
    s = list(series(json.loads(line)))
    assert len(s) == 1 and s[0]["peer"] == "ma", s
    assert s[0]["value"] == int(sys.argv[2]), s
PY
else
	log "no telemetry socket found: telemetry not checked"
fi

log "withdrawn, then announced again: counters from zero"
nsip route del blackhole 203.0.113.4/30 table 100
wait_for 10 eq_now 0 bh_field "len($BH)" || fail "withdrawal not live"
nsip route add blackhole 203.0.113.4/30 proto bird table 100
wait_for 10 eq_now 1 bh_field "len($BH)" || fail "second announcement not live"
assert_eq "counters of the blackhole announced again" 0 "$(bh_drops)"
assert_eq "its per-member counters" 0 \
	"$(bh_field "len([p for p in j['by_peer'] if p['prefix'] == '203.0.113.4/30'])")"

log "the kernel routes in /metrics agree with show kernel-routes"
# The exporter's copy is at most one 1 s tick old: quiet for 2.5 s first.
sleep 2.5
ip netns exec "$NS" curl -sS --max-time 10 -o "$TMP/metrics.txt" \
	http://127.0.0.1:9477/metrics || fail "scrape /metrics"
ctl --json show kernel-routes >"$TMP/kr.json"
if command -v promtool >/dev/null; then
	promtool check metrics <"$TMP/metrics.txt" >"$TMP/promtool.out" 2>&1 ||
		{ cat "$TMP/promtool.out" >&2; fail "promtool check metrics"; }
fi
python3 - "$TMP/metrics.txt" "$TMP/kr.json" <<'PY' || fail "/metrics and show kernel-routes differ"
import json, re, sys
m = {}
for line in open(sys.argv[1]):
    if line.startswith("#"):
        continue
    k, v = line.rsplit(" ", 1)
    m[k] = float(v)
kr = json.load(open(sys.argv[2]))
def eq(name, want):
    got = m.get(name)
    assert got == want, (name, got, want)
eq("ixgate_kernel_routes_synced", 1)
eq('ixgate_kernel_routes_installed{family="ipv4"}', kr["installed_v4"])
eq('ixgate_kernel_routes_installed{family="ipv6"}', kr["installed_v6"])
eq("ixgate_kernel_blackholes_installed", kr["installed_blackholes"])
eq("ixgate_kernel_blackholes_installed", 1)
for state, n in kr["prefixes"].items():
    got = m.get('ixgate_kernel_routes{family="ipv4",state="%s"}' % state, 0) + \
        m.get('ixgate_kernel_routes{family="ipv6",state="%s"}' % state, 0)
    assert got == n, (state, got, n)
sent = kr["route_tables_sent"]
eq('ixgate_kernel_route_tables_sent_total{as="delta"}', sent["as_delta"])
eq('ixgate_kernel_route_tables_sent_total{as="whole"}', sent["whole"])
eq("ixgate_kernel_route_deltas_refused_total", sent["deltas_refused"])
# the histogram: every change that went live, buckets cumulative
lat = kr["latency_ms"]
n = lat["count"]
assert n >= 4, lat  # the first dump's route, blackhole, /32, del, add
eq("ixgate_kernel_route_latency_seconds_count", n)
eq('ixgate_kernel_route_latency_seconds_bucket{le="+Inf"}', n)
b = sorted((float(re.search(r'le="([^"]+)"', k).group(1)), v) for k, v in m.items()
           if k.startswith("ixgate_kernel_route_latency_seconds_bucket") and "+Inf" not in k)
assert len(b) == 13 and all(b[i][1] <= b[i + 1][1] for i in range(12)), b
# le=x counts the changes of the 1 ms buckets below x ms in show's histogram
for le, v in b:
    want = sum(c for ms, c in lat["histogram"] if ms < le * 1000 - 1e-9)
    assert v == want, (le, v, want)
s = m["ixgate_kernel_route_latency_seconds_sum"]
assert 0 <= s <= n * (lat["max"] / 1000 + 1e-3), (s, lat)
print("kernel routes in /metrics: %d changes live, p50 <= %d ms, sum %.3f s"
      % (n, lat["p50"], s))
PY
log "ok: $N packets to blackhole id $ID, exact; id $(bh_field "$BH[0][\"id\"]") afresh"
