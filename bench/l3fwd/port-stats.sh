#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# port-stats.sh - read the port counters of any running DPDK primary (l3fwd,
# testpmd, ixgate-dataplane) over its telemetry socket, the same way for
# every DUT. The process must run with a shared config (no --no-shconf, no
# --in-memory; --no-huge is fine) and --file-prefix PREFIX.
#
# usage: bench/l3fwd/port-stats.sh PREFIX PORT...
# prints one line per port: "port N ipackets X opackets Y imissed Z
# ierrors A oerrors B rx_nombuf C"
set -eu

[ $# -ge 2 ] || { echo "usage: $0 FILE_PREFIX PORT..." >&2; exit 2; }
prefix=$1
shift
command -v dpdk-telemetry.py >/dev/null ||
	{ echo "port-stats: dpdk-telemetry.py not found (apt-get install dpdk)" >&2; exit 1; }
for port in "$@"; do
	out=$(echo "/ethdev/stats,$port" | dpdk-telemetry.py -f "$prefix" 2>&1) ||
		{ echo "port-stats: telemetry of '$prefix' unreachable" >&2; exit 1; }
	printf '%s\n' "$out" | python3 -c '
import json, sys
text = sys.stdin.read()
if "/ethdev/stats" not in text:
    sys.exit("port-stats: telemetry: " + (text.strip().splitlines() or ["no answer"])[0])
doc = json.loads(text[text.index("{", text.index("/ethdev/stats") - 2):])
s = doc["/ethdev/stats"]
if not isinstance(s, dict):
    sys.exit("port-stats: no stats for port " + sys.argv[1])
print("port", sys.argv[1], " ".join("%s %d" % (k, s[k]) for k in
      ("ipackets", "opackets", "imissed", "ierrors", "oerrors", "rx_nombuf")))
' "$port"
done
