#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# run_pipeline_bench.sh - build bench/pipeline_bench, run it, keep the JSON
# result in bench/results/pipeline-<UTC date>.json and print a table.
#
#   bench/run_pipeline_bench.sh [pipeline_bench options] [-- EAL args]
#
# Environment:
#   BUILD_DIR=build       meson build directory (set up if missing)
#   CALLGRIND=1           also count instructions per packet under
#                         valgrind --tool=callgrind (slow: minutes)
#   CALLGRIND_PACKETS=N   packets per scenario under callgrind (200000)
#   CALLGRIND_SCENARIOS=L scenarios under callgrind (all)
#
# With CALLGRIND=1 the profiles land in bench/results/pipeline-<date>.callgrind/
# (callgrind.out.<scenario> for kcachegrind, top-<scenario>.txt).
#
# Examples:
#   bench/run_pipeline_bench.sh                      # 20M packets, 5 rounds
#   bench/run_pipeline_bench.sh --packets 5000000 --scenarios full,small
#   CALLGRIND=1 bench/run_pipeline_bench.sh --memory
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
build=${BUILD_DIR:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
results=$here/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$results/pipeline-$stamp.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

need() {
	command -v "$1" >/dev/null 2>&1 || {
		echo "run_pipeline_bench: '$1' not found (apt-get install $2)" >&2
		exit 1
	}
}
need meson meson
need ninja ninja-build
need python3 python3

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$top" >/dev/null
fi
ninja -C "$build" bench/pipeline_bench >/dev/null
bin=$build/bench/pipeline_bench
mkdir -p "$results"

echo "== pipeline_bench $*" >&2
"$bin" "$@" >"$tmp/tsc.json"

if [ "${CALLGRIND:-0}" = 1 ]; then
	need valgrind valgrind
	cg_args="--callgrind --no-stages --packets ${CALLGRIND_PACKETS:-200000}"
	if [ -n "${CALLGRIND_SCENARIOS:-}" ]; then
		cg_args="$cg_args --scenarios $CALLGRIND_SCENARIOS"
	fi
	echo "== valgrind --tool=callgrind pipeline_bench $cg_args" >&2
	# --fair-sched=yes: without it DPDK apps hang at start under valgrind.
	# --collect-atstart=no --toggle-collect=pipeline_run: only what runs
	# inside pipeline_run() is counted; the bench zeroes the counts before
	# each scenario's timed pass and dumps them after it, named after it.
	# shellcheck disable=SC2086
	valgrind --tool=callgrind --fair-sched=yes --collect-atstart=no \
		--toggle-collect=pipeline_run \
		--callgrind-out-file="$tmp/cg.out" \
		"$bin" $cg_args >"$tmp/cg.json" 2>"$tmp/cg.log" || {
		tail -20 "$tmp/cg.log" >&2
		echo "run_pipeline_bench: callgrind run failed" >&2
		exit 1
	}
	# Keep the profiles (functions by instructions, exclusive) beside
	# the result.
	prof=$results/pipeline-$stamp.callgrind
	mkdir -p "$prof"
	for f in "$tmp"/cg.out.*; do
		[ -e "$f" ] || continue
		name=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
		[ -n "$name" ] || continue
		cp "$f" "$prof/callgrind.out.$name"
		callgrind_annotate --inclusive=no --threshold=100 "$f" \
			2>/dev/null | grep -v 'libc-start\|below main\|ld-linux' |
			sed -n '/file:function/,/^$/p' |
			head -40 >"$prof/top-$name.txt" || true
	done
fi

python3 - "$tmp" "$out" <<'EOF'
import glob, json, os, re, sys

tmp, out = sys.argv[1], sys.argv[2]
res = json.load(open(os.path.join(tmp, "tsc.json")))

cg_path = os.path.join(tmp, "cg.json")
if os.path.exists(cg_path):
    cg = json.load(open(cg_path))
    ir = {}
    for f in sorted(glob.glob(os.path.join(tmp, "cg.out*"))):
        name = total = None
        for line in open(f, errors="replace"):
            m = re.match(r"desc: Trigger: Client Request: (\S+)", line)
            if m:
                name = m.group(1)
            m = re.match(r"(?:totals|summary): (\d+)", line)
            if m:
                total = int(m.group(1))
        if name and total is not None:
            ir[name] = total
    for name, sc in cg.get("scenarios", {}).items():
        if name in ir and sc["packets"]:
            res["scenarios"].setdefault(name, {})[
                "instructions_per_packet"] = ir[name] / sc["packets"]
            res["scenarios"][name]["callgrind_packets"] = sc["packets"]
    ipp = {n: s.get("instructions_per_packet")
           for n, s in res["scenarios"].items()}
    r = res.setdefault("ratios_instructions", {})
    for key, a, b in (("full_vs_small", "full", "small"),
                      ("full_noacl_vs_small", "full_noacl", "small"),
                      ("v6_vs_v4", "full_v6", "full_v4"),
                      ("full_vs_noacl", "full", "full_noacl")):
        if ipp.get(a) and ipp.get(b):
            r[key] = ipp[a] / ipp[b]

with open(out, "w") as f:
    json.dump(res, f, indent=1, sort_keys=False)
    f.write("\n")

m = res["machine"]
print("pipeline_bench %s  %s  %s, %d cpus, TSC %.2f GHz  %s" % (
    res["date"], res["dpdk"], m["cpu"], m["cpus"], m["tsc_hz"] / 1e9,
    res["eal"]))
for name, b in res.get("build", {}).items():
    if b["ok"]:
        print("build %-11s %8d routes %7.2f s %6.2f Mroutes/s  heap %7.1f MiB"
              % (name, b["routes"], b["seconds"], b["routes_per_s"] / 1e6,
                 b["heap_bytes"] / 2**20))
    else:
        print("build %-11s FAILED after %.2f s: %s" % (
            name, b["seconds"], b.get("error", "")))
if "memory" in res:
    print("memory of the full tables by part (MiB): " + ", ".join(
        "%s %.1f" % (k, v["heap_bytes"] / 2**20)
        for k, v in res["memory"].items()))
print()
print("%-11s %8s %8s %8s %7s %7s %6s %6s" % (
    "scenario", "cyc/pkt", "min", "by-sub", "Mpps", "fwd%", "bytes",
    "instr"))
for name, s in res["scenarios"].items():
    if "cycles_per_packet" not in s:
        continue
    ipp = s.get("instructions_per_packet")
    print("%-11s %8.1f %8.1f %8.1f %7.2f %7.2f %6.1f %6s" % (
        name, s["cycles_per_packet"], s["cycles_per_packet_min"],
        s.get("cycles_per_packet_by_subtraction", 0), s["mpps"],
        s["forwarded_pct"], s["avg_frame_bytes"],
        "%.0f" % ipp if ipp else "-"))
stages = [(n, s["stages"]) for n, s in res["scenarios"].items()
          if "stages" in s]
if stages:
    keys = [k for k in stages[0][1] if k != "sum"]
    print()
    print("%-11s " % "cycles/pkt" + " ".join("%7s" % k[:7] for k in keys)
          + " %7s" % "sum")
    for n, st in stages:
        print("%-11s " % n + " ".join("%7.1f" % st[k] for k in keys)
              + " %7.1f" % st["sum"])
for label, key in (("ratios (cycles, medians)", "ratios"),
                   ("ratios (cycles, best rounds)", "ratios_min"),
                   ("ratios (instructions)", "ratios_instructions")):
    if res.get(key):
        print("%s: " % label + ", ".join(
            "%s %.2f" % kv for kv in res[key].items()))
print("\nresult: %s" % out)
EOF
