#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The demo (`make demo`): ixgate-dataplane runs config/demo.conf on two
# virtual ports that replay generated, real-shaped exchange traffic from
# memory, shows what it counts every second, stops by itself and prints a
# summary. ixgate-control runs beside it (adopting what the dataplane
# runs) and serves Prometheus metrics on http://127.0.0.1:9477/metrics
# (DEMO_METRICS=ADDR:PORT elsewhere, DEMO_METRICS=none for no control plane).
#
#   scripts/demo.sh [BUILD_DIR]        (default: build)
#   DEMO_SECONDS=N     how long it runs (default 20)
#   DEMO_PACKETS=N     packets generated per port (default 4096)
#   DEMO_CONF=FILE     another config with ports p0 and p1
#
# Ports: p0 and p1 are net_pcap devices with infinite_rx=1 (the PMD loads
# the capture into mbufs once and replays it at full speed). They have no
# tx_pcap: net_pcap then drops what it is given, like net_null, so the
# measurement is the pipeline's (tx_pcap=/dev/null measured ~10% slower on
# this kind of machine: writing pcap records, not forwarding, costs that).
set -eu

BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
DP=$BUILD/dataplane/ixgate-dataplane
GEN=$BUILD/tools/ixgate-pcapgen
CTLD=$BUILD/control/ixgate-control
METRICS=${DEMO_METRICS:-127.0.0.1:9477}
CONF=${DEMO_CONF:-$SRC/config/demo.conf}
SECONDS_=${DEMO_SECONDS:-20}
PACKETS=${DEMO_PACKETS:-4096}
OUT=$BUILD/demo

for f in "$DP" "$GEN"; do
	if [ ! -x "$f" ]; then
		echo "demo: $f not built (run make first)" >&2
		exit 1
	fi
done
mkdir -p "$OUT"

echo "demo: generating $PACKETS packets per port for $CONF"
for port in p0 p1; do
	seed=1
	[ "$port" = p1 ] && seed=2
	"$GEN" --config "$CONF" --out "$OUT/$port.pcap" --count "$PACKETS" \
		--seed "$seed" --port "$port" --expect "$OUT/$port.expect.json"
done

# Memory: hugepages when we can get enough (dpdk-dumpcap can then attach
# with --file-prefix ixgate-demo; the demo config needs ~61 pages),
# otherwise plain memory.
have=$(sh "$SRC/scripts/hugepages.sh" 2>/dev/null || echo 0)
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)
if [ "${have:-0}" -gt 0 ] && [ "${free:-0}" -ge 128 ] && [ "$(id -u)" = 0 ]; then
	MEM="--file-prefix ixgate-demo"
	echo "demo: using hugepages ($free x 2 MiB free)"
else
	MEM="--no-huge -m 1024 --no-shconf --file-prefix ixgate-demo-$$"
	echo "demo: no hugepages available, running with --no-huge -m 1024"
fi

# Two lcores: the main thread (live view, clock) and one worker. On a
# one-CPU machine both lcores share CPU 0.
if [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ]; then
	LCORES="-l 0,1"
else
	LCORES="--lcores=0@0,1@0"
fi

# The control plane: ixgate-control on the same config (its ports' devices
# set to the demo's, since a commit may not change a port's device), API
# and CLI sockets in $OUT, metrics on $METRICS. It connects to the
# dataplane as it starts and commits the same configuration.
API="--no-api"
CTLD_PID=""
if [ "$METRICS" != none ] && [ -x "$CTLD" ]; then
	rm -rf "$OUT/conf" "$OUT/dp.sock" "$OUT/ctl.sock" "$OUT/metrics.txt"
	mkdir -p "$OUT/conf"
	cp -r "$(dirname "$CONF")"/. "$OUT/conf/"
	chmod -R go-w "$OUT/conf"
	CONF=$OUT/conf/$(basename "$CONF")
	sed -i "s|device \"net_ring0\";|device \"net_pcap0,rx_pcap=$OUT/p0.pcap,infinite_rx=1\";|; s|device \"net_ring1\";|device \"net_pcap1,rx_pcap=$OUT/p1.pcap,infinite_rx=1\";|" "$CONF"
	API="--api-socket $OUT/dp.sock"
	"$CTLD" --config "$CONF" --api-socket "$OUT/dp.sock" \
		--ctl-socket "$OUT/ctl.sock" --metrics-listen "$METRICS" \
		>"$OUT/control.log" 2>&1 &
	CTLD_PID=$!
	trap 'kill $CTLD_PID 2>/dev/null' EXIT
	echo "demo: ixgate-control serves http://$METRICS/metrics" \
		"(log: $OUT/control.log; ixgatectl --socket $OUT/ctl.sock show peers)"
	# One scrape half way through, kept for the summary.
	(sleep $((SECONDS_ / 2 + 1)); curl -s --max-time 5 -o "$OUT/metrics.txt" \
		"http://$METRICS/metrics" 2>/dev/null) &
fi

echo "demo: running ixgate-dataplane for $SECONDS_ s"
rc=0
# shellcheck disable=SC2086
"$DP" $LCORES $MEM --no-pci --log-level='*:error' -- \
	--config "$CONF" \
	--device "p0=net_pcap0,rx_pcap=$OUT/p0.pcap,infinite_rx=1" \
	--device "p1=net_pcap1,rx_pcap=$OUT/p1.pcap,infinite_rx=1" \
	$API --stats-interval 1 --duration "$SECONDS_" \
	--json-out "$OUT/final.json" || rc=$?
if [ -s "$OUT/metrics.txt" ]; then
	echo "demo: Prometheus metrics scraped from http://$METRICS/metrics" \
		"mid-run: $(grep -vc '^#' "$OUT/metrics.txt") samples in $OUT/metrics.txt" \
		"(scrape config: doc/monitoring.md; Grafana dashboard:" \
		"dist/grafana/ixgate-exchange.json)"
elif [ -n "$CTLD_PID" ]; then
	echo "demo: no metrics scraped from http://$METRICS/metrics (see $OUT/control.log)"
fi
if [ "$rc" != 0 ]; then
	echo "demo: ixgate-dataplane failed (exit $rc)" >&2
	exit "$rc"
fi

python3 - "$OUT/final.json" "$SECONDS_" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
secs = float(sys.argv[2])
rx, tx, loc = j["rx_packets"], j["tx_packets"], j["local_packets"]
drops = {r: n for r, n in j["drops"].items() if n}
nd = sum(drops.values())
def m(n):
    return "%8.2f Mpps" % (n / secs / 1e6)
print()
print("=== ixgate demo: %g s on %s ===" % (secs, sys.argv[1]))
print("  received        %14d  %s" % (rx, m(rx)))
print("  forwarded       %14d  %s" % (tx, m(tx)))
print("  answered (local)%14d  %s" % (loc, m(loc)))
print("  dropped         %14d  %s" % (nd, m(nd)))
for r, n in sorted(drops.items(), key=lambda x: -x[1]):
    print("    %-18s %12d  %5.1f%%" % (r, n, 100.0 * n / rx if rx else 0))
ok = rx == tx + loc + nd
print("  rx == tx + local + drops: %s" % ("ok" if ok else "VIOLATED"))
print("  throughput: %.2f Mpps through the full pipeline" % (rx / secs / 1e6))
sys.exit(0 if ok else 1)
EOF
