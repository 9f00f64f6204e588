#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# test_ecmp_config.sh: a config route to several members (route block,
# doc/routing.md "ECMP") in the live dataplane, no kernel routes. ma
# replays 512 frames of 256 UDP flows to 203.0.113.0/24 for ever;
# configs/ecmp-config.conf routes it to mb, mc and md. Then:
#  - show routes names the three members and the route block's
#    file:line:col; each member's forwarded counter grows;
#  - the group's counters (ixgate_nhgroup_packets_total, labels group and
#    members) grow in `show counters` and in a Prometheus scrape;
#  - `ixgatectl reload` without md: md's counter stops, mb's and mc's grow,
#    a new group (new id) counts; and offline (--replay --trace, the same
#    pipeline) the flows that went to mb or mc before still go to the same
#    member: only md's flows moved;
#  - at the end (dataplane stopped): ma's frames = mb + mc + md forwarded,
#    nothing dropped, the groups' packets add up to them exactly, and
#    received = forwarded + local + punted + drops.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$CTLD"
need_file "$CTL"
command -v curl >/dev/null || skip "curl not installed"

flows_pcap "$TMP/in.pcap"

mkdir -p "$CONF_DIR"
CONF=$CONF_DIR/ixgate.conf
sed "s|DEV0|net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1|; s|DEV1|net_null1,no-rx=1|" \
	"$SRC/tests/integration/configs/ecmp-config.conf" >"$CONF"
# The same config for the offline replays (ports by name only).
sed "s|DEV0|net_ring0|; s|DEV1|net_ring1|" \
	"$SRC/tests/integration/configs/ecmp-config.conf" >"$TMP/before.conf"
chmod -R go-w "$CONF_DIR"
MPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# --duration is a ceiling only, not a clock the test races (at 240 s a
# run under ASan at load could outlive it): the test stops it (SIGTERM), and
# meson's timeout bounds the test.
start_dp 900 "$TMP/live.json"
start_ctld --metrics-listen "127.0.0.1:$MPORT"
wait_for 60 dp_is_connected || { cat "$TMP/ctld.err" >&2; fail "daemon never connected"; }

# group_ctr MEMBERS: the packets of the group whose members label is MEMBERS
group_ctr() {
	ctl --json show counters ixgate_nhgroup_packets_total |
		python3 -c '
import json, sys
v = [s["value"] for s in json.load(sys.stdin)["series"]
     if s["labels"]["members"] == sys.argv[1]]
print(v[0] if v else -1)' "$1"
}

ctl show routes 203.0.113.5 >"$TMP/routes.txt" || fail "show routes"
cat "$TMP/routes.txt"
assert_contains "show routes: the members" "$TMP/routes.txt" \
	"forward to one of mb, mc, md \(ECMP, by flow hash\)"
assert_contains "show routes: where the route came from" "$TMP/routes.txt" \
	"203\.0\.113\.0/24 +route +mb, mc, md +.*ixgate\.conf:44:7"
ctl --json show routes 203.0.113.5 >"$TMP/routes.json"
assert_contains "show routes --json: the group" "$TMP/routes.json" \
	'"ecmp":\{"group":0,"members":\[\{"peer":"mb","weight":1,"port":"p1"\},\{"peer":"mc","weight":1,"port":"p1"\},\{"peer":"md","weight":1,"port":"p1"\}\]\}'
for m in mb mc md; do
	grows peer_tx $m || fail "nothing forwarded to $m"
done
grows group_ctr "mb:1,mc:1,md:1" || fail "the group's counter does not grow"
log "spread: mb $(peer_tx mb), mc $(peer_tx mc), md $(peer_tx md); group $(group_ctr "mb:1,mc:1,md:1")"
curl -sS --max-time 10 "http://127.0.0.1:$MPORT/metrics" >"$TMP/metrics.txt" || fail "scrape"
assert_contains "scrape: the group's packets" "$TMP/metrics.txt" \
	'^ixgate_nhgroup_packets_total\{group="0",members="mb:1,mc:1,md:1"\} [1-9]'
assert_contains "scrape: the group's bytes" "$TMP/metrics.txt" \
	'^ixgate_nhgroup_bytes_total\{group="0",members="mb:1,mc:1,md:1"\} [1-9]'

log "reload without md"
g0=$(generation)
sed -i '/via md;/d' "$CONF"
grep -v 'via md;' "$TMP/before.conf" >"$TMP/after.conf"
ctl reload >"$TMP/reload.out" 2>&1 || { cat "$TMP/reload.out" >&2; fail "reload"; }
wait_for 60 test "$(generation)" -gt "$g0" || fail "the reload never went live"
ctl show routes 203.0.113.5 >"$TMP/routes2.txt" 2>&1
grep -q "forward to one of mb, mc (ECMP" "$TMP/routes2.txt" ||
	{ cat "$TMP/reload.out" "$TMP/routes2.txt" "$TMP/ctld.err" >&2; fail "the group without md is not live"; }
wait_for 10 still peer_tx md || fail "md still gets traffic"
grows peer_tx mb || fail "mb gets nothing after the reload"
grows peer_tx mc || fail "mc gets nothing after the reload"
grows group_ctr "mb:1,mc:1" || fail "the new group's counter does not grow"
ctl --json show counters ixgate_nhgroup_packets_total
ctl show counters ixgate_nhgroup_packets_total | grep -E 'members="?mb:1,mc:1' ||
	ctl show counters ixgate_nhgroup_packets_total

# Only md's flows moved: the same frames through the same pipeline offline,
# before and after, flow by flow (one trace line per frame).
for c in before after; do
	"$DP" --no-pci --no-huge --file-prefix "$(eal_prefix)-$c-$RANDOM" \
		--log-level='*:warning' -- --replay "$TMP/in.pcap" \
		--config "$TMP/$c.conf" --port p0 --trace \
		>"$TMP/$c.out" 2>"$TMP/$c.trace" || { tail "$TMP/$c.trace" >&2; fail "replay $c"; }
done
python3 - "$TMP/before.trace" "$TMP/after.trace" <<'PY' || fail "flows moved that were not md's"
import re, sys
def egress(path):
    out = {}
    for line in open(path):
        m = re.match(r"(\d+) p0 peer=ma fwd egress=(\S+) ", line)
        if m:
            out[int(m.group(1))] = m.group(2)
    return out
a, b = egress(sys.argv[1]), egress(sys.argv[2])
assert len(a) == 512 and len(b) == 512, (len(a), len(b))
moved = [k for k in a if a[k] != b[k]]
assert all(a[k] == "md" for k in moved), [(k, a[k], b[k]) for k in moved if a[k] != "md"]
assert all(b[k] != "md" for k in b)
md = sum(1 for k in a if a[k] == "md")
assert md > 0 and len(moved) == md, (md, len(moved))
print("# ok: %d of 512 frames went to md and moved, the others stayed: mb %d, mc %d"
      % (md, sum(1 for k in a if a[k] == "mb"), sum(1 for k in a if a[k] == "mc")))
PY

kill -TERM "$DP_PID"
wait "$DP_PID" || fail "dataplane exited non-zero"
check_invariant "$TMP/live.json"
python3 - "$TMP/live.json" <<'PY' || fail "counters not exact"
import json, sys
j = json.load(open(sys.argv[1]))
peers = j["peers"]
def pc(name, key):
    v = peers[name][key]
    return v["packets"] if isinstance(v, dict) else v
ma_rx = pc("ma", "rx_packets")
tx = {m: pc(m, "tx_packets") for m in ("mb", "mc", "md")}
drops = {k: v for k, v in j["drops"].items() if v}
assert all(tx.values()), tx
assert not drops, drops
assert ma_rx == sum(tx.values()), (ma_rx, tx)
groups = j["nhgroups"]
assert len(groups) == 2, groups
total = sum(g["packets"] for g in groups.values())
assert total == sum(tx.values()), (total, tx)
print("# ok: ma sent %d = mb %d + mc %d + md %d; groups %s"
      % (ma_rx, tx["mb"], tx["mc"], tx["md"],
         {k: g["packets"] for k, g in groups.items()}))
PY
echo "PASS"
