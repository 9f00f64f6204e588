#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# control_job_bench.sh - what ixgate-control's commits cost and whether it
# answers meanwhile, on the demo config and on a synthetic full-size table
# (1,048,576 IPv4 /30s and 300,000 IPv6 /48s on one member: the
# integration tests' big_table).
#
# usage: bench/control_job_bench.sh [BUILD_DIR] [ROUNDS]
#        PROBE=0 bench/control_job_bench.sh ...   (no show loop: the
#        reloads alone, for their cost without other processes)
#
# For each config: ROUNDS (default 20) one-prefix reloads (a /24 added to
# and removed from a member, alternately), then 3 full-table reloads (the
# big table moves to another member: every route changes owner), each
# with `ixgatectl --json show generation` in a loop beside it. Prints, as
# JSON lines and a summary: the wall time of `ixgatectl reload`, the
# daemon's own "total" (compile + diff + transaction), the dataplane's
# build and publish, and the latency of every show answered while a
# reload ran, and the daemon's peak resident size (VmHWM). Run it with the
# build of two commits to compare them (BUILD_DIR=... of each).
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
ROUNDS=${2:-20}
export SRC BUILD
TEST_NAME=control_job_bench
. "$SRC/tests/integration/lib.sh"
. "$SRC/tests/integration/control_lib.sh"
# Old daemons have no --state-dir: the bench passes what each knows.
"$CTLD" --help 2>&1 | grep -q -- --state-dir || start_ctld() {
	bg "$CTLD" --config "$CONF" --api-socket "$API_SOCK" \
		--ctl-socket "$CTL_SOCK" --audit-log "$AUDIT" "$@" \
		>>"$TMP/ctld.out" 2>>"$TMP/ctld.err"
	CTLD_PID=$BG_PID
	wait_for 10 test -S "$CTL_SOCK" || fail "no CLI socket"
}

run() { # LABEL BIG(0|1)
	local label=$1 big=$2
	rm -rf "$CONF_DIR" "$AUDIT" "$API_SOCK" "$CTL_SOCK"
	copy_config "net_null0,no-rx=1" "net_null1,no-rx=1"
	if [ "$big" = 1 ]; then
		big_table
		big_to 198.18.6.2
	fi
	start_dp 900 "$TMP/live-$label.json"
	start_ctld
	wait_for 120 grep -qE '"result": "(ok|adopted)"' "$AUDIT" || fail "no first commit ($label)"
	python3 - "$CTL" "$CTL_SOCK" "$CONF_DIR" "$ROUNDS" "$big" "$label" "$CTLD_PID" "${PROBE:-1}" <<'EOF'
import json, os, re, shutil, subprocess, sys, threading, time
ctl, sock, conf, rounds, big, label, pid, probe_on = sys.argv[1:9]
probe_on = probe_on != "0"
rounds, big = int(rounds), big == "1"
# Older ixgatectl has no --timeout (and never gave up).
help_text = subprocess.run([ctl, "--help"], capture_output=True, text=True).stdout
wait = ["--timeout", "600"] if "--timeout" in help_text else []
asean = conf + "/peers.d/asean.conf"
base = open(asean).read()
files = '\tannounce-file "../data/big4.txt";\n\tannounce-file "../data/big6.txt";\n'

def cpu_ms():
    # utime + stime of every thread of the daemon, in clock ticks
    f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) * 1000 / os.sysconf("SC_CLK_TCK")

def reload_with_probe():
    lat, stop = [], threading.Event()
    def probe():
        while not stop.is_set():
            t0 = time.monotonic()
            subprocess.run([ctl, "--socket", sock, "--json", "show", "generation"],
                           capture_output=True, timeout=300)
            lat.append((t0, time.monotonic()))
            time.sleep(0.02)
    th = threading.Thread(target=probe)
    if probe_on:
        th.start()
        time.sleep(0.1)
    c0 = cpu_ms()
    t0 = time.monotonic()
    p = subprocess.run([ctl, "--socket", sock, *wait, "reload"],
                       capture_output=True, text=True, timeout=900)
    t1 = time.monotonic()
    c1 = cpu_ms()
    stop.set()
    if probe_on:
        th.join()
    assert p.returncode == 0 and "live" in p.stdout, p.stdout + p.stderr
    m = re.search(r"build ([0-9.]+) ms, publish ([0-9.]+) ms, total ([0-9]+) ms", p.stdout)
    during = [b - a for a, b in lat if a > t0 and a < t1]
    ph = re.search(r"\(compile ([0-9]+), compare ([0-9]+), audit ([0-9]+), dataplane ([0-9]+)\)", p.stdout)
    return {"wall_ms": 1000 * (t1 - t0), "cpu_ms": c1 - c0, "total_ms": int(m.group(3)),
            "phases_ms": [int(x) for x in ph.groups()] if ph else None,
            "build_ms": float(m.group(1)), "publish_ms": float(m.group(2)),
            "shows_during": len(during), "show_ms": [1000 * d for d in during]}

def q(v, f):
    v = sorted(v)
    return v[min(len(v) - 1, int(f * len(v)))] if v else float("nan")

def summary(kind, rs):
    walls = [r["wall_ms"] for r in rs]
    tot = [r["total_ms"] for r in rs]
    shows = [s for r in rs for s in r["show_ms"]]
    print("%s %s: %d reloads: daemon CPU p50 %.0f ms (min %.0f); wall p50 %.0f ms (min %.0f, max %.0f); daemon total p50 %.0f ms; "
          "dataplane build p50 %.1f ms; %d shows answered during the reloads "
          "(p50 %.0f ms, p90 %.0f ms, max %.0f ms)" % (
              label, kind, len(rs), q([r["cpu_ms"] for r in rs], .5), min(r["cpu_ms"] for r in rs),
              q(walls, .5), min(walls), max(walls), q(tot, .5),
              q([r["build_ms"] for r in rs], .5), len(shows), q(shows, .5), q(shows, .9),
              max(shows) if shows else float("nan")))
    if all(r["phases_ms"] for r in rs):
        print("%s %s: daemon steps p50: compile %.0f ms, compare %.0f ms, audit %.0f ms, dataplane %.0f ms" % (
            label, kind, *[q([r["phases_ms"][k] for r in rs], .5) for k in range(4)]))
    print(json.dumps({"config": label, "kind": kind, "reloads": rs}))

one = []
for i in range(rounds):
    t = base if i % 2 else base.replace("\t\t115.84.64.0/18;\n", "\t\t115.84.64.0/18;\n\t\t100.127.254.0/24;\n", 1)
    open(asean, "w").write(t)
    one.append(reload_with_probe())
summary("one-prefix", one[1:])
if big:
    full = []
    for i in range(3):
        t = open(asean).read().replace(files, "")
        nh = "\tnext-hop 198.18.7.2;\n" if i % 2 == 0 else "\tnext-hop 198.18.6.2;\n"
        open(asean, "w").write(t.replace(nh, nh + files, 1))
        full.append(reload_with_probe())
    summary("full-table", full)
for l in open("/proc/%s/status" % pid):
    if l.startswith("VmHWM"):
        print("%s ixgate-control peak RSS: %s" % (label, l.split(":")[1].strip()))
EOF
	kill "$CTLD_PID" 2>/dev/null
	wait "$CTLD_PID" 2>/dev/null
	kill "$DP_PID" 2>/dev/null
	wait "$DP_PID" 2>/dev/null
}

run demo 0
run big 1
