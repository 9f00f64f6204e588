#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# ixgate-control answers while a full-table commit runs (issue 9: a commit
# is a job, not a blocking call on the event loop).
#
# A synthetic full-size table: 1,048,576 IPv4 /30s in 100.64.0.0/10 and
# 300,000 IPv6 /48s in 3fff::/20 announced by one member (the demo's ACL
# denies both ranges before any route lookup, so no verdict of the demo
# traffic moves). The daemon commits it at start-up; then the two prefix
# files move to another member: every route and source prefix changes
# owner and `ixgatectl reload` replaces routes4/6 and sources4/6 whole (the
# daemon compiles 1.35M prefixes on a task thread, the dataplane rebuilds
# four FIBs). Meanwhile, from the moment the reload is sent until it
# answers:
# - `ixgatectl --json show generation` runs in a loop: answers must arrive
#   *during* the commit (started after the reload was sent, finished before
#   it answered) and say which step the commit job is in (not "idle");
# - `ixgatectl status` and `ixgatectl confirm` answer during the commit
#   (confirm: nothing awaits, a commit is in progress);
# - a second `ixgatectl reload` is queued, not refused, and answers after
#   the first ("no change": the files were read when its turn came).
# The latency of the answers is printed (not asserted: a shared VM). The
# traffic's counters keep the invariant rx == tx + local + drops.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$GEN"
need_file "$CTLD"
need_file "$CTL"

timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count 4096 \
	--seed 7 --port p0 >/dev/null || fail "ixgate-pcapgen"
copy_config "net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1" "net_null1,no-rx=1"
# The dataplane starts on the demo; the daemon's config has the big table.
# The dataplane's own limit (900 s) is a ceiling only: the test stops it
# (SIGTERM) at the end.
start_dp 900 "$TMP/live.json"
big_table
big_to 198.18.6.2
start_ctld
wait_for 180 grep -q '"action": "startup".*"result": "ok"' "$AUDIT" ||
	{ tail -20 "$TMP/ctld.err" >&2; fail "no start-up commit of the big table"; }
g0=$(generation)
log "start-up commit of the full table: $(grep 'startup: generation' "$TMP/ctld.err" | tail -1 | sed 's/.*ixgate-control: //')"

# Both files to mpt: every route changes owner.
big_to 198.18.7.2

python3 - "$CTL" "$CTL_SOCK" "$TMP" <<'EOF' || fail "answers during the commit"
import json, subprocess, sys, threading, time
ctl, sock, tmp = sys.argv[1:4]

def run(*argv):
    t0 = time.monotonic()
    p = subprocess.run([ctl, "--socket", sock, *argv], capture_output=True,
                       text=True, timeout=300)
    return t0, time.monotonic(), p

shows, stop = [], threading.Event()

def prober():
    while not stop.is_set():
        t0, t1, p = run("--json", "show", "generation")
        j = json.loads(p.stdout) if p.returncode == 0 else None
        shows.append((t0, t1, j))
        time.sleep(0.05)

th = threading.Thread(target=prober)
th.start()
time.sleep(0.3)
r0 = time.monotonic()
first = subprocess.Popen([ctl, "--socket", sock, "reload"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
# Until the daemon has the job (a probe names its step), at most 60 s: a
# loaded machine may take a while to start the reload's ixgatectl.
t_wait = time.monotonic() + 60
while time.monotonic() < t_wait and not any(
        j is not None and j.get("commit_job", "idle") != "idle" for _, _, j in list(shows)):
    time.sleep(0.05)
# While it commits: status and confirm answer, a second reload queues.
s0, s1, status = run("status")
c0, c1, confirm = run("confirm")
second = subprocess.Popen([ctl, "--socket", sock, "reload"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
out1 = first.communicate(timeout=300)[0]
r1 = time.monotonic()
out2 = second.communicate(timeout=300)[0]
r2 = time.monotonic()
stop.set()
th.join()

assert first.returncode == 0 and "live" in out1, out1
print("# reload: %.2f s: %s" % (r1 - r0, out1.strip()))
during = [(t0, t1, j) for t0, t1, j in shows if t0 > r0 and t1 < r1]
# The job is in the daemon from the first answer that names a step until
# the last: a loaded machine may start the reload's ixgatectl after the
# first probes, and end it after the job (the answers outside say idle,
# rightly). Inside, every answer must name a step.
def is_busy(j):
    return j is not None and j.get("commit_job", "idle") != "idle"
marks = [i for i, (_, _, j) in enumerate(during) if is_busy(j)]
during = during[marks[0]:marks[-1] + 1] if marks else []
busy = [j for _, _, j in during if is_busy(j)]
lat = sorted(t1 - t0 for t0, t1, _ in during)
assert len(during) >= 3, "only %d show answers during the %.2f s commit" % (len(during), r1 - r0)
assert len(busy) == len(during), "answers during the commit that say the job is idle: %s" % [
    (j or {}).get("commit_job") for _, _, j in during]
phases = sorted(set(j["commit_job"].split(" (")[0] for j in busy))
print("# %d show answers during the commit, latency p50 %.0f ms, p90 %.0f ms, max %.0f ms; job steps seen: %s"
      % (len(lat), 1000 * lat[len(lat) // 2], 1000 * lat[int(len(lat) * 0.9)], 1000 * lat[-1], "; ".join(phases)))
assert s1 < r1 and status.returncode == 0 and "commit job" in status.stdout, status.stdout
assert c1 < r1 and confirm.returncode == 1 and "a commit is in progress" in confirm.stdout, confirm.stdout
print("# status answered in %.0f ms and confirm in %.0f ms, during the commit" % (1000 * (s1 - s0), 1000 * (c1 - c0)))
assert second.returncode == 0 and "no change" in out2, out2
assert r2 >= r1
print("# second reload queued behind the first: %s" % out2.strip())
json.dump({"reload_s": r1 - r0, "show_latency_s": lat}, open(tmp + "/latency.json", "w"))
EOF
assert_eq "generation after the full-table reload" $((g0 + 1)) "$(generation)"
grep '"action": "reload".*"result": "ok"' "$AUDIT" | grep -q '"routes4": {"added": 0, "removed": 0, "changed": 1048576}' ||
	fail "the reload did not change every route's owner"

kill -TERM "$DP_PID"
wait "$DP_PID"
check_invariant "$TMP/live.json"
echo "PASS"
