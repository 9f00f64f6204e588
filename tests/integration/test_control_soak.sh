#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Soak (issue 13, "proof that runs in CI"; suite 'slow'): 10 minutes of a
# reload every second (a prefix added, then removed again), a counters
# read (`ixgatectl --json show peers`) every 100 ms and a Prometheus scrape
# (GET /metrics) every 100 ms, under traffic.
#
# Checks:
# - every reload commits (the generation advances by exactly their number)
#   and every read answers with one JSON object; every scrape answers 200
#   with the whole exposition, and the received-packets counter never goes
#   backwards from one scrape to the next;
# - memory is flat: the resident size of ixgate-control and of
#   ixgate-dataplane, sampled every 10 s, grows by at most 4 MiB (control)
#   and 8 MiB (dataplane) between the first and the last third of the run
#   (after a minute of warm-up);
# - the counters are exact at the end: every counter equals the
#   generator's expectation for what p0 received (N copies of the capture
#   plus its first R frames), and rx == tx + local + drops.
# IXG_SOAK_SECONDS overrides the 600 s (for quick local runs only).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$GEN"
need_file "$CTLD"
need_file "$CTL"

SECONDS_RUN=${IXG_SOAK_SECONDS:-600}
COUNT=4096
# 64-byte frames: no policer meters red at any speed (test_control_storm).
timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count $COUNT \
	--seed 7 --port p0 --sizes 64 --expect "$TMP/expect.json" >/dev/null ||
	fail "ixgate-pcapgen"
copy_config "net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1" "net_null1,no-rx=1"
start_dp $((SECONDS_RUN + 120)) "$TMP/live.json"
METRICS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_ctld --metrics-listen "127.0.0.1:$METRICS_PORT"
wait_for 60 grep -qE '"result": "(ok|adopted)"' "$AUDIT" ||
	{ cat "$TMP/ctld.err" >&2; fail "no first commit"; }
g0=$(generation)

PEER_FILE=$CONF_DIR/peers.d/asean.conf
cp "$PEER_FILE" "$TMP/without.conf"
sed 's|^\t\t115.84.64.0/18;|\t\t115.84.64.0/18;\n\t\t100.127.254.0/24;|' \
	"$TMP/without.conf" >"$TMP/with.conf"
cmp -s "$TMP/without.conf" "$TMP/with.conf" && fail "could not edit asean.conf"

python3 - "$CTL" "$CTL_SOCK" "$PEER_FILE" "$TMP" "$SECONDS_RUN" \
	"$CTLD_PID" "$DP_REAL_PID" "$METRICS_PORT" <<'EOF' || fail "soak"
import json, re, shutil, subprocess, sys, threading, time, urllib.request
ctl, sock, peer_file, tmp, run_s, ctld_pid, dp_pid, mport = sys.argv[1:9]
run_s = int(run_s)
scrapes = {"ok": 0, "bad": [], "lat": []}

def scraper():
    last = -1
    url = "http://127.0.0.1:%s/metrics" % mport
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            body = urllib.request.urlopen(url, timeout=30).read().decode()
            m = re.search(r"^ixgate_received_packets_total (\d+)$", body, re.M)
            assert m, "no ixgate_received_packets_total"
            v = int(m.group(1))
            assert v >= last, "received went backwards: %d -> %d" % (last, v)
            last = v
            scrapes["ok"] += 1
        except Exception as e:
            scrapes["bad"].append(str(e))
        dt = time.monotonic() - t0
        scrapes["lat"].append(dt)
        time.sleep(max(0, 0.1 - dt))

def rss_kib(pid):
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS for %s" % pid)

stop = threading.Event()
reads = {"ok": 0, "bad": 0, "lat": []}

def reader():
    while not stop.is_set():
        t0 = time.monotonic()
        p = subprocess.run([ctl, "--socket", sock, "--json", "show", "peers"],
                           capture_output=True, text=True, timeout=30)
        dt = time.monotonic() - t0
        try:
            j = json.loads(p.stdout)
            assert p.returncode == 0 and len(j["peers"]) == 10
            reads["ok"] += 1
        except Exception:
            reads["bad"] += 1
        reads["lat"].append(dt)
        time.sleep(max(0, 0.1 - dt))

th = threading.Thread(target=reader)
th.start()
ths = threading.Thread(target=scraper)
ths.start()
samples, reloads, failed = [], 0, []
t_start = time.monotonic()
next_sample = t_start
while time.monotonic() - t_start < run_s:
    t0 = time.monotonic()
    shutil.copy(tmp + ("/with.conf" if reloads % 2 == 0 else "/without.conf"), peer_file)
    p = subprocess.run([ctl, "--socket", sock, "reload"], capture_output=True,
                       text=True, timeout=60)
    reloads += 1
    if p.returncode != 0 or "live" not in p.stdout:
        failed.append(p.stdout + p.stderr)
    if time.monotonic() >= next_sample:
        samples.append((time.monotonic() - t_start, rss_kib(ctld_pid), rss_kib(dp_pid)))
        next_sample += 10
    time.sleep(max(0, 1 - (time.monotonic() - t0)))
stop.set()
th.join()
ths.join()
json.dump({"reloads": reloads, "samples": samples, "reads": reads["ok"]},
          open(tmp + "/soak.json", "w"))
assert not failed, "%d reloads failed, first: %s" % (len(failed), failed[0])
assert reads["bad"] == 0, "%d counter reads failed" % reads["bad"]
assert not scrapes["bad"], "%d scrapes failed, first: %s" % (len(scrapes["bad"]), scrapes["bad"][0])
assert scrapes["ok"] > 0, "no scrape"
sl = sorted(scrapes["lat"])
print("# %d scrapes (p50 %.0f ms, p99 %.0f ms, max %.0f ms)" % (
    scrapes["ok"], 1000 * sl[len(sl) // 2], 1000 * sl[int(len(sl) * .99)], 1000 * sl[-1]))
lat = sorted(reads["lat"])
print("# %d reloads, %d counter reads (p50 %.0f ms, p99 %.0f ms, max %.0f ms)" % (
    reloads, reads["ok"], 1000 * lat[len(lat) // 2], 1000 * lat[int(len(lat) * .99)], 1000 * lat[-1]))
warm = [s for s in samples if s[0] >= min(60, run_s / 3)]
third = max(1, len(warm) // 3)
first, last = warm[:third], warm[-third:]
for i, (name, limit) in enumerate((("ixgate-control", 4096), ("ixgate-dataplane", 8192))):
    a, b = max(s[i + 1] for s in first), max(s[i + 1] for s in last)
    print("# %s RSS: first third max %d KiB, last third max %d KiB (growth %+d KiB, limit %d)" % (
        name, a, b, b - a, limit))
    assert b - a <= limit, "%s grows: %d -> %d KiB" % (name, a, b)
EOF
n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["reloads"])' "$TMP/soak.json")
assert_eq "generation after $n reloads" $((g0 + n)) "$(generation)"

kill -TERM "$DP_PID"
wait "$DP_PID" || fail "dataplane exited non-zero"
check_invariant "$TMP/live.json"
compare_loops "$TMP/live.json" $COUNT "$TMP/expect.json" \
	"$n reloads and a counters read every 100 ms" --seed 7 --port p0 --sizes 64
echo "PASS"
