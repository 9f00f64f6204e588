#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# reload_bench.sh - what a reload costs under load (issue 3): time from
# `ixgatectl reload` to the new tables live, the dataplane's build and
# publish times (audit log), the bulk route install rate, and how much the
# worker slows down while a commit is built and swapped in.
#
# usage: bench/reload_bench.sh [--mem huge|nohuge|both] [--scenarios LIST]
#                              [--reloads N] [--full-reloads N]
#                              [--hugepages N]
#   --mem         EAL memory: hugepages (-m MB --huge-unlink), 4 KiB pages
#                 (--no-huge -m MB), or one run of each (default: both)
#   --scenarios   any of demo,real,deagg (default: all three)
#                   demo   (a) one-peer change on config/demo.conf
#                   real   (b) one-peer change on the real table, then
#                          (c) full-table replaces on it
#                   deagg  (d) the 1.2M + 300k deaggregated table: its
#                          install, then a full-table replace
#   --reloads     one-peer changes per scenario (default 20 demo, 3 real)
#   --full-reloads full-table replaces (default 2 real, 1 deagg)
#   --hugepages N raise vm.nr_hugepages to N for the run (scripts/
#                 hugepages.sh) and put the old value back at the end
# Environment: BUILD_DIR (default build), DATA (default bench/data),
# KEEP=1 keeps the work directory, DP_ARGS: more ixgate-dataplane options
# (after --, e.g. DP_ARGS=--fib-spares), recorded in the JSON.
#
# Set-up per scenario: ixgate-dataplane (-l 0,1: one worker) with p0 =
# net_pcap replaying a generated capture from memory (infinite_rx, 64-byte
# frames, the config's p0 peers) and p1 = net_null, started on a "ports
# only" copy of the config (node, ports, classes) so that ixgate-control's
# startup commit is the table install being measured; ixgate-control in
# front; a telemetry reader sampling /ixgate/ports every 100 ms. Reloads
# are 3 s apart (2 s after the previous one is live) so that each has its
# own steady state before it.
#
# A one-peer change adds (then removes) 100.127.254.0/24 in one peer's
# prefix list (routes4 + sources4 change by one). A full-table replace
# rotates the peer names (peer i's block and ACL "from" get peer i+1's
# name): ids follow names, so every peer, route, source prefix and per-peer
# ACL rule changes owner (see tests/integration/test_control_fullswap.sh).
#
# Output: a table on stdout, and bench/results/reload-<UTC date>.json.
# These are measurements, not assertions: the script fails only when a
# step does not work.
set -u
set -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$here/.." && pwd)
BUILD=$(cd "$SRC" && mkdir -p "${BUILD_DIR:-build}" && cd "${BUILD_DIR:-build}" && pwd)
DATA=${DATA:-$SRC/bench/data}
MEM=both
SCENARIOS=demo,real,deagg
RELOADS=
FULL_RELOADS=
HUGEPAGES=
ARGS="$*${DP_ARGS:+ (DP_ARGS=$DP_ARGS)}"

usage() {
	sed -n '/^# usage:/,/^# KEEP=1/p' "$0" | sed 's/^# \{0,1\}//'
	exit "${1:-2}"
}

while [ $# -gt 0 ]; do
	case $1 in
	--mem) MEM=$2; shift ;;
	--scenarios) SCENARIOS=$2; shift ;;
	--reloads) RELOADS=$2; shift ;;
	--full-reloads) FULL_RELOADS=$2; shift ;;
	--hugepages) HUGEPAGES=$2; shift ;;
	-h|--help) usage 0 ;;
	*) echo "reload_bench: unknown option $1" >&2; usage ;;
	esac
	shift
done
case $MEM in
huge|nohuge) MODES=$MEM ;;
both) MODES="huge nohuge" ;;
*) echo "reload_bench: --mem huge|nohuge|both" >&2; exit 2 ;;
esac

die() { echo "reload_bench: $*" >&2; exit 1; }
log() { echo "# $*" >&2; }

DP=$BUILD/dataplane/ixgate-dataplane
CTLD=$BUILD/control/ixgate-control
CTL=$BUILD/control/ixgatectl
GEN=$BUILD/tools/ixgate-pcapgen
MKCONFIG=$BUILD/tools/ixgate-mkconfig
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" "$SRC" >/dev/null || die "meson setup $BUILD failed"
fi
ninja -C "$BUILD" dataplane/ixgate-dataplane control/ixgate-control \
	control/ixgatectl tools/ixgate-pcapgen tools/ixgate-mkconfig >/dev/null ||
	die "build failed"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ixg-reload-bench.XXXXXX")
: >"$WORK/results.jsonl"
PIDS=()
OLD_HUGEPAGES=
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf /var/run/dpdk/ixg-rb-$$-* 2>/dev/null
	if [ -n "$OLD_HUGEPAGES" ]; then
		echo "$OLD_HUGEPAGES" >/proc/sys/vm/nr_hugepages 2>/dev/null
	fi
	if [ "${KEEP:-0}" = 1 ]; then
		log "kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'log "interrupted: reporting what was measured"; report; exit 130' INT TERM

if [ -n "$HUGEPAGES" ]; then
	OLD_HUGEPAGES=$(cat /proc/sys/vm/nr_hugepages)
	have=$(IXG_HUGEPAGES=$HUGEPAGES sh "$SRC/scripts/hugepages.sh")
	log "hugepages: $have reserved (was $OLD_HUGEPAGES)"
fi

wait_for() { # SECONDS CMD...
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# ---------------------------------------------------------------- configs
have_data() {
	local f
	for f in asn-ipv4.csv asn-ipv6.csv asn-country-ipv4.csv asn-country-ipv6.csv; do
		[ -s "$DATA/$f" ] || return 1
	done
}

# mk_real NAME MKCONFIG_ARGS...: a real-data config in $WORK/NAME (once).
mk_real() {
	local name=$1
	shift
	[ -f "$WORK/$name/ixgate.conf" ] && return 0
	have_data || "$SRC/bench/fetch-data.sh" "$DATA" >&2 ||
		die "no real data: run bench/fetch-data.sh"
	log "ixgate-mkconfig $* -> $name"
	"$MKCONFIG" --data "$DATA" --out "$WORK/$name" "$@" >"$WORK/$name.mkconfig" 2>&1 ||
		die "ixgate-mkconfig $*: $(tail -3 "$WORK/$name.mkconfig")"
	# Absolute country data paths: the directory gets copied.
	sed -i "s|^country-data \"[^\"]*/\(asn-country-ipv[46].csv\)\"|country-data \"$(cd "$DATA" && pwd)/\1\"|" \
		"$WORK/$name/ixgate.conf"
}

# rotate SRC DST: DST = SRC with the peer names rotated (full replace).
rotate() {
	rm -rf "$2"
	cp -r "$1" "$2"
	python3 - "$1" "$2" <<'EOF' || die "rotate $1"
import glob, os, re, sys
a, b = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(os.path.join(a, "peers.d", "*.conf")))
names = []
for f in files:
    names += re.findall(r"^peer (\S+) \{$", open(f).read(), re.M)
rot = dict(zip(names, names[1:] + names[:1]))
for f in files:
    open(os.path.join(b, "peers.d", os.path.basename(f)), "w").write(
        re.sub(r"^peer (\S+) \{$", lambda m: "peer %s {" % rot[m.group(1)],
               open(f).read(), flags=re.M))
for f in glob.glob(os.path.join(a, "*.conf")):
    t = open(f).read()
    t = re.sub(r"^(\s+from )(\S+);$", lambda m: m.group(1) + rot.get(m.group(2), m.group(2)) + ";",
               t, flags=re.M)
    open(os.path.join(b, os.path.basename(f)), "w").write(t)
EOF
}

# --------------------------------------------------------------- one run
# A run: the live config directory $RUN/conf (ROOT inside it), dataplane
# on its ports-only copy, daemon, sampler.
start_run() { # RUN_DIR SRC_CONF_DIR ROOT_FILE CAPTURE MEM_MODE MB ports|full
	RUN=$1
	DP_PID='' CTLD_PID='' SAMPLER_PID=''
	local src=$2 root=$3 mode=$5 mb=$6 start_conf eal
	mkdir -p "$RUN"
	rm -rf "$RUN/conf"
	cp -r "$src" "$RUN/conf"
	CONF=$RUN/conf/$root
	# p1 first: p0's new device string ends in "1" too.
	sed -i "s|device \"[^\"]*1\";|device \"net_null1,no-rx=1\";|; \
		s|device \"[^\"]*0\";|device \"net_pcap0,rx_pcap=$4,infinite_rx=1\";|" "$CONF"
	chmod -R go-w "$RUN/conf"
	# Ports only: the dataplane needs its ports at start; the tables come
	# with the daemon's startup commit.
	# (demo.conf's inline ACL names peers: that one starts "full".)
	start_conf=$CONF
	if [ "$7" = ports ]; then
		start_conf=$RUN/conf/ports-only.conf
		grep -v '^\s*include\|^country-data\|^blackhole' "$CONF" >"$start_conf"
	fi
	if [ "$mode" = huge ]; then
		eal="-m $mb --huge-unlink"
	else
		eal="--no-huge -m $mb"
	fi
	PREFIX=ixg-rb-$$-$RANDOM
	TEL_SOCK=/var/run/dpdk/$PREFIX/dpdk_telemetry.v2
	[ "$(id -u)" = 0 ] || TEL_SOCK=${XDG_RUNTIME_DIR:-/tmp}/dpdk/$PREFIX/dpdk_telemetry.v2
	rm -f "$RUN/dp.sock" "$RUN/ctl.sock" "$RUN/audit.log"
	# shellcheck disable=SC2086 # EAL arguments, DP_ARGS
	"$DP" -l 0,1 $eal --no-pci --file-prefix "$PREFIX" --log-level='*:warning' -- \
		--config "$start_conf" --api-socket "$RUN/dp.sock" \
		--json-out "$RUN/final.json" ${DP_ARGS:-} >"$RUN/dp.out" 2>"$RUN/dp.err" &
	DP_PID=$!
	PIDS+=("$DP_PID")
	wait_for 120 test -S "$RUN/dp.sock" ||
		{ tail -5 "$RUN/dp.err" >&2; return 1; }
	wait_for 10 test -S "$TEL_SOCK" || { log "no telemetry socket"; return 1; }
	python3 "$WORK/sampler.py" "$TEL_SOCK" "$RUN/samples" &
	SAMPLER_PID=$!
	PIDS+=("$SAMPLER_PID")
	: >"$RUN/events"
	local t0
	t0=$(date +%s%N)
	"$CTLD" --config "$CONF" --api-socket "$RUN/dp.sock" --ctl-socket "$RUN/ctl.sock" \
		--audit-log "$RUN/audit.log" >"$RUN/ctld.out" 2>"$RUN/ctld.err" &
	CTLD_PID=$!
	PIDS+=("$CTLD_PID")
	# The audit log records each attempt before its outcome: wait for
	# the outcome.
	wait_for 900 grep -qE '"result": "(ok|adopted|failed|refused|unknown)"' "$RUN/audit.log" ||
		{ tail -5 "$RUN/ctld.err" >&2; return 1; }
	grep -qE '"result": "(ok|adopted)"' "$RUN/audit.log" ||
		{ tail -1 "$RUN/audit.log" >&2; return 1; }
	echo "install $t0 $(date +%s%N) -1" >>"$RUN/events"
	sleep 3
}

stop_run() {
	local p
	for p in "$CTLD_PID" "$DP_PID" "$SAMPLER_PID"; do
		[ -n "$p" ] || continue
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$(dirname "$TEL_SOCK")"
}

# cpu_ms PID: the process's user + system CPU time so far, in ms.
cpu_ms() {
	awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' \
		"/proc/$1/stat" 2>/dev/null || echo 0
}

# minflt PID: the process's minor page faults so far.
minflt() {
	awk '{ print $10 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# reload LABEL: ixgatectl reload, timed; an event line "LABEL t0 t1
# wall_ms ctld_cpu_ms dp_cpu_ms ctld_faults dp_faults" (CPU time and
# minor page faults each process had meanwhile) and the reply kept in
# $RUN/replies.
reload() {
	local t0 t1 c0 c1 d0 d1 f0 f1 g0 g1
	c0=$(cpu_ms "$CTLD_PID")
	d0=$(cpu_ms "$DP_PID")
	f0=$(minflt "$CTLD_PID")
	g0=$(minflt "$DP_PID")
	t0=$(date +%s%N)
	"$CTL" --socket "$RUN/ctl.sock" reload >"$RUN/reload.out" 2>&1 ||
		{ cat "$RUN/reload.out" >&2; return 1; }
	t1=$(date +%s%N)
	c1=$(cpu_ms "$CTLD_PID")
	d1=$(cpu_ms "$DP_PID")
	f1=$(minflt "$CTLD_PID")
	g1=$(minflt "$DP_PID")
	echo "$1 $t0 $t1 $(( (t1 - t0) / 1000000 )) $((c1 - c0)) $((d1 - d0))" \
		"$((f1 - f0)) $((g1 - g0))" >>"$RUN/events"
	{ echo "== $1"; cat "$RUN/reload.out"; } >>"$RUN/replies"
	log "$1: $(cat "$RUN/reload.out")"
	sleep 2
}

# one_peer_changes N FILE: N reloads alternately adding and removing
# 100.127.254.0/24 at the end of FILE (a peer's prefix list or block).
one_peer_changes() {
	local i f=$2
	cp "$f" "$RUN/one-peer.orig"
	for i in $(seq 1 "$1"); do
		if [ $((i % 2)) = 1 ]; then
			if [ "${f%.txt}" != "$f" ]; then
				{ cat "$RUN/one-peer.orig"; echo "100.127.254.0/24"; } >"$f"
			else
				sed 's|^\t\t115.84.64.0/18;|\t\t115.84.64.0/18;\n\t\t100.127.254.0/24;|' \
					"$RUN/one-peer.orig" >"$f"
			fi
		else
			cp "$RUN/one-peer.orig" "$f"
		fi
		reload one-peer || return 1
	done
	cp "$RUN/one-peer.orig" "$f"
}

# full_replaces N A_DIR B_DIR: N reloads alternating B's and A's peers/ACL.
full_replaces() {
	local i from
	for i in $(seq 1 "$1"); do
		if [ $((i % 2)) = 1 ]; then from=$3; else from=$2; fi
		cp "$from"/peers.d/*.conf "$RUN/conf/peers.d/"
		cp "$from/acl.conf" "$RUN/conf/acl.conf"
		reload full-replace || return 1
	done
}

cat >"$WORK/sampler.py" <<'EOF'
# p0's rx_packets from telemetry every 100 ms: "unix_ns rx" lines.
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(10)
s.connect(sys.argv[1])
s.recv(65536)
with open(sys.argv[2], "w", buffering=1) as out:
    nxt = time.monotonic()
    while True:
        try:
            s.send(b"/ixgate/ports")
            p0 = json.loads(s.recv(1 << 20).decode())["/ixgate/ports"]["p0"]
        except (OSError, ValueError, TypeError, KeyError):
            break
        out.write("%d %d\n" % (time.time_ns(), p0["rx_packets"]))
        nxt += 0.1
        time.sleep(max(0.0, nxt - time.monotonic()))
EOF

# analyse RUN SCENARIO MODE: one JSON object per event kind on stdout
# (appended to $WORK/results.jsonl). Routes: what the startup commit added.
analyse() {
	python3 - "$1/events" "$1/audit.log" "$1/samples" "$2" "$3" "$1/replies" "$1/dp.err" <<'EOF'
import json, os, re, statistics, sys
events = [l.split() for l in open(sys.argv[1]) if l.strip()]
# Per reload, from its reply: the daemon's steps ("total N ms (compile,
# compare, audit, dataplane)"), what the load read and its steps ("parse,
# compile, digest" wall and thread CPU ms), what was sent; and the
# dataplane's per-part build times ("generation N built in ...").
replies = []
if os.path.exists(sys.argv[6]):
    for block in open(sys.argv[6]).read().split("== ")[1:]:
        r = {}
        m = re.search(r"total (\d+) ms \(compile (\d+), compare (\d+), audit (\d+), dataplane (\d+)\)", block)
        if m:
            r["daemon_ms"] = dict(zip(("total", "compile", "compare", "audit", "dataplane"), map(int, m.groups())))
        m = re.search(r"generation (\d+) live", block)
        if m:
            r["generation"] = int(m.group(1))
        m = re.search(r"(\d+) config files? parsed, (\d+) data files? compiled, (\d+) reused unread \((\d+) verified", block)
        if m:
            r["files"] = dict(zip(("parsed", "compiled", "reused", "verified"), map(int, m.groups())))
        m = re.search(r"parse ([\d.]+) ms, compile ([\d.]+) ms, digest ([\d.]+) ms \(cpu ([\d.]+), ([\d.]+), ([\d.]+)\), compare cpu ([\d.]+) ms(?: \(diff ([\d.]+), routes ([\d.]+), tables ([\d.]+)\))?; sent (.*)", block)
        if m:
            v = list(map(float, m.groups()[:7]))
            r["load_ms"] = dict(zip(("parse", "compile", "digest"), v[:3]))
            r["load_cpu_ms"] = dict(zip(("parse", "compile", "digest"), v[3:6]))
            r["compare_cpu_ms"] = v[6]
            if m.group(8) is not None:
                r["compare_parts_cpu_ms"] = dict(zip(
                    ("diff", "routes", "tables"),
                    map(float, m.groups()[7:10])))
            r["sent"] = m.group(11).strip()
        replies.append(r)
built = {}
if os.path.exists(sys.argv[7]):
    for l in open(sys.argv[7]):
        m = re.search(r"generation (\d+) built in ([\d.]+) ms: (.*?) ms;", l)
        if m:
            parts = m.group(3).split()
            built[int(m.group(1))] = {"build_ms": float(m.group(2)),
                                      "parts_ms": {parts[i]: float(parts[i + 1]) for i in range(0, len(parts) - 1, 2)},
                                      "line": l.strip()}
audit = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
samples = [tuple(map(int, l.split())) for l in open(sys.argv[3]) if l.strip()]
scenario, mode = sys.argv[4], sys.argv[5]
ok = [a for a in audit if a.get("result") == "ok"]
routes = sum(ok[0]["diff"].get(t, {}).get("added", 0) +
             ok[0]["diff"].get(t, {}).get("unchanged", 0)
             for t in ("routes4", "routes6")) if ok else 0
# 100 ms windows: (start, end, Mpps)
win = []
for a, b in zip(samples, samples[1:]):
    if b[0] > a[0]:
        win.append((a[0], b[0], (b[1] - a[1]) / ((b[0] - a[0]) / 1e3)))
def steady_before(t0):
    w = [m for s, e, m in win if t0 - 2.0e9 <= s and e <= t0]
    return statistics.median(w) if w else None
out = {}
for i, ev in enumerate(events):
    kind, t0, t1 = ev[0], int(ev[1]), int(ev[2])
    wall = (t1 - t0) / 1e6
    a = ok[i] if i < len(ok) else {}
    during = [(s, e, m) for s, e, m in win if e > t0 and s < t1 + 0.2e9]
    st = steady_before(t0)
    worst = min((m for _, _, m in during), default=None)
    slow_ms = sum((e - s) / 1e6 for s, e, m in during if st and m < 0.9 * st)
    r = out.setdefault(kind, {"n": 0, "wall_ms": [], "build_ms": [],
                              "publish_ms": [], "steady_mpps": [],
                              "worst_window_mpps": [], "slowed_ms": [],
                              "ctld_cpu_ms": [], "dp_cpu_ms": [],
                              "ctld_faults": [], "dp_faults": [],
                              "phases": []})
    r["n"] += 1
    r["ctld_cpu_ms"].append(int(ev[4]) if len(ev) > 4 else None)
    r["dp_cpu_ms"].append(int(ev[5]) if len(ev) > 5 else None)
    r["ctld_faults"].append(int(ev[6]) if len(ev) > 6 else None)
    r["dp_faults"].append(int(ev[7]) if len(ev) > 7 else None)
    ph = replies[i - 1] if kind != "install" and 0 < i <= len(replies) else {}
    if ph.get("generation") in built:
        ph = dict(ph, dataplane=built[ph["generation"]])
    r["phases"].append(ph)
    r["wall_ms"].append(round(wall, 1))
    r["build_ms"].append(a.get("build_ms"))
    r["publish_ms"].append(a.get("publish_ms"))
    r["steady_mpps"].append(round(st, 3) if st else None)
    r["worst_window_mpps"].append(round(worst, 3) if worst is not None else None)
    r["slowed_ms"].append(round(slow_ms))
for kind, r in out.items():
    med = lambda k: statistics.median([v for v in r[k] if v is not None]) if any(v is not None for v in r[k]) else None
    r.update(scenario=scenario, mem=mode, kind=kind, routes=routes)
    for k in ("wall_ms", "build_ms", "publish_ms", "steady_mpps", "slowed_ms",
              "ctld_cpu_ms", "dp_cpu_ms"):
        r[k + "_median"] = med(k)
    ws = [v for v in r["worst_window_mpps"] if v is not None]
    r["worst_window_mpps_min"] = min(ws) if ws else None
    if kind in ("install", "full-replace") and r["build_ms_median"]:
        r["routes_per_s"] = round(routes / (r["build_ms_median"] / 1e3))
    print(json.dumps(r))
EOF
}

capture() { # CONF OUT: 4096 64-byte frames from the config's p0 peers
	"$GEN" --config "$1" --out "$2" --count 4096 --seed 7 --port p0 \
		--sizes 64 >/dev/null 2>&1 || die "ixgate-pcapgen on $1"
}

# ---------------------------------------------------------------- report
# report: the table and the JSON file from what was measured so far.
report() {
	local date out
	mkdir -p "$SRC/bench/results"
	date=$(date -u +%Y%m%dT%H%M%SZ)
	out=$SRC/bench/results/reload-$date.json
	python3 - "$WORK/results.jsonl" "$out" "$ARGS" <<'EOF'
import json, os, platform, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
doc = {
    "date": os.path.basename(sys.argv[2])[7:-5],
    "machine": {"nproc": os.cpu_count(), "kernel": platform.release(),
                "loadavg": open("/proc/loadavg").read().split()[:3]},
    "command": "bench/reload_bench.sh " + sys.argv[3],
    "note": "wall_ms: ixgatectl reload -> reply (new tables live); build_ms, "
            "publish_ms: the dataplane's (audit log); routes_per_s: IPv4+IPv6 "
            "routes / build_ms (the build is the whole snapshot: routes, "
            "sources, ACL, countries); steady_mpps: median 100 ms window in "
            "the 2 s before; worst_window_mpps: slowest 100 ms window from "
            "the request to 200 ms after the reply; slowed_ms: time in "
            "windows below 90% of steady; ctld_cpu_ms, dp_cpu_ms: CPU time "
            "(user + system) ixgate-control and ixgate-dataplane used from "
            "the request to the reply (the dataplane's includes its worker "
            "polling: ~1 core); ctld_faults, dp_faults: their minor page "
            "faults over the same time; phases[]: per reload, the daemon's steps "
            "(daemon_ms: total, compile, compare, audit, dataplane), what "
            "the load read (files: parsed, compiled, reused, verified) and "
            "its steps (load_ms, load_cpu_ms: parse, compile, digest), the "
            "compare step's CPU time (compare_cpu_ms: diff and the tables "
            "written for the dataplane), the tables sent, and the "
            "dataplane's build per part",
    "results": rows,
}
json.dump(doc, open(sys.argv[2], "w"), indent=1)
f = lambda v, d=1: "-" if v is None else ("%.*f" % (d, v))
print("%-6s %-7s %-13s %3s %9s %10s %10s %10s %8s %8s %9s %9s %9s" % (
    "table", "mem", "change", "n", "routes", "wall ms", "build ms",
    "publish ms", "Mpps", "worst", "slowed ms", "ctld cpu", "dp cpu"))
for r in rows:
    print("%-6s %-7s %-13s %3d %9d %10s %10s %10s %8s %8s %9s %9s %9s" % (
        r["scenario"], r["mem"], r["kind"], r["n"], r["routes"],
        f(r["wall_ms_median"]), f(r["build_ms_median"]),
        f(r["publish_ms_median"]), f(r["steady_mpps_median"], 2),
        f(r["worst_window_mpps_min"], 2), f(r["slowed_ms_median"], 0),
        f(r.get("ctld_cpu_ms_median"), 0), f(r.get("dp_cpu_ms_median"), 0)))
for r in rows:
    for i, ph in enumerate(r.get("phases", [])):
        if not ph.get("daemon_ms"):
            continue
        d, fl = ph["daemon_ms"], ph.get("files", {})
        lc = ph.get("load_cpu_ms", {})
        dp = ph.get("dataplane", {}).get("parts_ms", {})
        fa = (r.get("ctld_faults") or [None] * (i + 1))[i], (r.get("dp_faults") or [None] * (i + 1))[i]
        print("  %s/%s %s #%d: total %d ms = compile %d + compare %d + audit %d + dataplane %d; "
              "files %s parsed, %s compiled, %s reused; cpu parse %.0f compile %.0f digest %.0f compare %.0f ms%s; "
              "dataplane build %s; page faults ctld %s dp %s" % (
                  r["scenario"], r["mem"], r["kind"], i + 1, d["total"], d["compile"], d["compare"],
                  d["audit"], d["dataplane"], fl.get("parsed", "-"), fl.get("compiled", "-"),
                  fl.get("reused", "-"), lc.get("parse", 0), lc.get("compile", 0), lc.get("digest", 0),
                  ph.get("compare_cpu_ms", 0),
                  " (diff %.0f, routes %.0f, tables %.0f)" % tuple(
                      ph["compare_parts_cpu_ms"][x] for x in ("diff", "routes", "tables"))
                  if "compare_parts_cpu_ms" in ph else "",
                  " ".join("%s %.0f" % kv for kv in dp.items() if kv[1] >= 1) or "-",
                  "-" if fa[0] is None else fa[0], "-" if fa[1] is None else fa[1]))
for r in rows:
    if r.get("routes_per_s"):
        print("install rate %s/%s/%s: %.2f M routes/s (build of the whole "
              "snapshot)" % (r["scenario"], r["mem"], r["kind"], r["routes_per_s"] / 1e6))
print("(medians; worst = slowest 100 ms window; written to %s)" % sys.argv[2])
EOF
}

# ------------------------------------------------------------- scenarios
has() { case ",$SCENARIOS," in *",$1,"*) return 0 ;; esac; return 1; }
free_pages() { awk '/HugePages_Free/ {print $2}' /proc/meminfo; }
mem_ok() { # MODE MB
	[ "$1" = nohuge ] && return 0
	[ "$(free_pages)" -ge $(($2 / 2)) ] && return 0
	log "skipped ($1, $2 MiB): only $(free_pages) free hugepages (--hugepages N)"
	return 1
}

for mode in $MODES; do
	if has demo && mem_ok "$mode" 1024; then
		log "== (a) demo.conf, one-peer change, $mode"
		capture "$SRC/config/demo.conf" "$WORK/demo.pcap"
		run=$WORK/demo-$mode
		if start_run "$run" "$SRC/config" demo.conf "$WORK/demo.pcap" "$mode" 1024 full &&
			one_peer_changes "${RELOADS:-20}" "$run/conf/peers.d/asean.conf"; then
			stop_run
			analyse "$run" demo "$mode" >>"$WORK/results.jsonl"
		else
			stop_run
			log "demo ($mode) failed"
		fi
	fi
	if has real && mem_ok "$mode" 2048; then
		log "== (b, c) real table (mkconfig --peers 64), $mode"
		mk_real real --peers 64
		rotate "$WORK/real" "$WORK/real-rot"
		capture "$WORK/real/ixgate.conf" "$WORK/real.pcap"
		run=$WORK/real-$mode
		peer_file=$(find "$WORK/real/prefixes" -name '*.txt' | sort | head -1)
		if start_run "$run" "$WORK/real" ixgate.conf "$WORK/real.pcap" "$mode" 2048 ports &&
			one_peer_changes "${RELOADS:-3}" "$run/conf/prefixes/$(basename "$peer_file")" &&
			full_replaces "${FULL_RELOADS:-2}" "$WORK/real" "$WORK/real-rot"; then
			stop_run
			analyse "$run" real "$mode" >>"$WORK/results.jsonl"
		else
			stop_run
			log "real ($mode) failed"
		fi
	fi
	if has deagg && mem_ok "$mode" 8192; then
		log "== (d) deaggregated table (mkconfig --deaggregate), $mode"
		mk_real deagg --peers 64 --deaggregate
		rotate "$WORK/deagg" "$WORK/deagg-rot"
		capture "$WORK/deagg/ixgate.conf" "$WORK/deagg.pcap"
		run=$WORK/deagg-$mode
		if start_run "$run" "$WORK/deagg" ixgate.conf "$WORK/deagg.pcap" "$mode" 8192 ports &&
			full_replaces "${FULL_RELOADS:-1}" "$WORK/deagg" "$WORK/deagg-rot"; then
			stop_run
			analyse "$run" deagg "$mode" >>"$WORK/results.jsonl"
		else
			stop_run
			log "deagg ($mode) failed"
		fi
	fi
done

report
