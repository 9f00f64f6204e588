#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# ixgatectl --watch and CLI clients that misbehave, under traffic.
#
# 1. `ixgatectl --json --watch 1 --count 2 show peers` (and ports): two
#    JSON lines; the second's rates are the counters' deltas between the two
#    lines over the interval the daemon measured (rate * interval == delta),
#    that interval agrees with the gap between the lines' arrival here, and
#    the sending peers' rates are not zero. Human --watch prints frames;
#    --watch on a view without counters is a usage error.
# 2. Stalled clients do not block the daemon: one connects and sends
#    nothing, one sends a truncated request, one asks for a reply larger
#    than the socket buffer and does not read it; meanwhile
#    `ixgatectl reload` and `show generation` answer at once, the unread
#    reply is still whole when finally read, and the silent client is
#    closed by the daemon.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/control_lib.sh"
need_tools
need_file "$GEN"
need_file "$CTLD"
need_file "$CTL"

timeout 60 "$GEN" --config "$DEMO_CONF" --out "$TMP/in.pcap" --count 4096 \
	--seed 7 --port p0 >/dev/null || fail "ixgate-pcapgen"
copy_config "net_pcap0,rx_pcap=$TMP/in.pcap,infinite_rx=1" "net_null1,no-rx=1"
# 16,384 prefixes for lao-telecom inside 100.64.0.0/10 (the demo's ACL
# denies traffic there first, so no verdict moves), one /28 per /24 so none
# aggregate: `show peer lao-telecom --all` is then ~600 kB, more than a
# socket buffer holds.
python3 -c '
for i in range(16384):
    print("100.%d.%d.0/28" % (64 + i // 256, i % 256))' >"$CONF_DIR/data/big.txt"
sed -i '0,/^\tnext-hop 198.18.6.2;/s||\tnext-hop 198.18.6.2;\n\tannounce-file "../data/big.txt";|' \
	"$CONF_DIR/peers.d/asean.conf"
grep -q big.txt "$CONF_DIR/peers.d/asean.conf" || fail "edit"
# --duration is a ceiling only: the test stops the dataplane (at 60 s a
# run under load could outlive it and find no dataplane).
start_dp 900 "$TMP/live.json"
start_ctld
wait_for 60 grep -qE '"result": "(ok|adopted)"' "$AUDIT" || { cat "$TMP/ctld.err" >&2; fail "no first commit"; }
sleep 2 # the daemon's 1 s samples exist: the first frame has rates too

# ---- 1. --watch --count 2 --json: rates equal the deltas ----------------
python3 - "$CTL" "$CTL_SOCK" <<'EOF' || fail "--watch rates"
import json, subprocess, sys, time
ctl, sock = sys.argv[1], sys.argv[2]

def watch(*view):
    p = subprocess.Popen([ctl, "--socket", sock, "--json", "--watch", "1",
                          "--count", "2", "show", *view],
                         stdout=subprocess.PIPE, text=True)
    lines = []
    for line in p.stdout:
        lines.append((time.monotonic(), json.loads(line)))
    rc = p.wait(timeout=30)
    assert rc == 0, "exit %d" % rc
    assert len(lines) == 2, "expected 2 JSON lines, got %d" % len(lines)
    return lines

def check(view, rows, keys):
    (t1, f1), (t2, f2) = watch(*view)
    assert f1["watch_frame"] == 1 and f2["watch_frame"] == 2, (f1, f2)
    assert f1["dataplane_connected"] and f2["dataplane_connected"]
    dt = f2["rate_interval_s"]
    gap = t2 - t1
    # The daemon measures the interval between its two reads; the lines
    # arrive here that far apart, give or take scheduling: a fifth of the
    # interval itself.
    assert abs(dt - gap) <= 0.2 * gap, "daemon interval %.3f s, lines %.3f s apart" % (dt, gap)
    r1, r2 = rows(f1), rows(f2)
    nonzero = 0
    for name, row in r2.items():
        for count_key, rate_key, scale in keys:
            delta = row[count_key] - r1[name][count_key]
            rate = row[rate_key]
            assert rate is not None, "%s %s: no rate" % (name, rate_key)
            # rate * interval is the delta, up to the 3 decimals printed.
            want = scale * delta / dt
            assert abs(rate - want) <= 0.002 + 1e-9 * want, \
                "%s %s: %.3f, delta %d over %.3f s is %.3f" % (name, rate_key, rate, delta, dt, want)
            # Seen from here, over the gap between the lines: within the
            # same fifth.
            assert abs(scale * delta / gap - rate) <= 0.2 * rate + 1e-9, (name, rate_key)
            nonzero += rate > 0
    assert nonzero > 0, "every rate is zero under traffic"
    print("# %s: %d non-zero rates, each = delta / %.3f s (lines %.3f s apart)" % (" ".join(view), nonzero, dt, gap))

def peers(f):
    return {p["name"]: p for p in f["peers"]}

def ports(f):
    ps = f["ports"]
    return {p["name"]: p for p in (ps.values() if isinstance(ps, dict) else ps)}

check(["peers"], peers, [("rx_packets", "rx_pps", 1), ("rx_bytes", "rx_bps", 8),
                         ("tx_packets", "tx_pps", 1), ("tx_bytes", "tx_bps", 8)])
check(["ports"], ports, [("rx_packets", "rx_pps", 1), ("rx_bytes", "rx_bps", 8),
                         ("tx_packets", "tx_pps", 1)])
EOF

ctl --watch --count 2 show drops >"$TMP/watch.txt" || fail "human --watch"
assert_eq "human frames" 2 "$(grep -c 'every 1 s, frame [12], rates over the last' "$TMP/watch.txt")"
ctl --json --watch 1 --count 3 show matrix countries >"$TMP/watch.json" || fail "--watch matrix countries"
assert_eq "JSON lines" 3 "$(python3 -c '
import json, sys
print(sum(1 for l in open(sys.argv[1]) if "pairs" in json.loads(l) or "countries" in json.loads(l)))' "$TMP/watch.json")"
ctl show peers --watch --count 1 >/dev/null || fail "--watch after the command"
ctl --watch show routes >"$TMP/w.err" 2>&1
assert_eq "--watch on routes: usage" 2 "$?"
assert_contains "--watch on routes says why" "$TMP/w.err" "has no counters to watch"
ctl --count 2 show peers >"$TMP/w.err" 2>&1
assert_eq "--count without --watch: usage" 2 "$?"

# ---- 2. stalled clients ------------------------------------------------
python3 - "$CTL" "$CTL_SOCK" "$CONF_DIR/peers.d/asean.conf" <<'EOF' || fail "stalled clients"
import os, socket, struct, subprocess, sys, time
ctl, sock, asean = sys.argv[1:4]
MAGIC = 0x4c544358

def request(*argv, flags=0):
    body = b"".join(a.encode() + b"\0" for a in argv)
    return struct.pack("<IHHII", MAGIC, 1, flags, len(argv), 16 + len(body)) + body

def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sock)
    return s

def timed(*argv):
    t = time.monotonic()
    p = subprocess.run([ctl, "--socket", sock, *argv], capture_output=True, text=True, timeout=60)
    return time.monotonic() - t, p

def add_prefix(pfx):
    with open(asean) as f:
        text = f.read()
    with open(asean, "w") as f:
        f.write(text.replace("\t\t183.182.96.0/19;\n", "\t\t183.182.96.0/19;\n\t\t%s;\n" % pfx, 1))

# Latency of a reload with nobody in the way: one that commits a change,
# as the one measured below does. The first commit after start-up is not
# measured: without hugepages it faults in fresh memory for its tables
# (~1 s here); later ones reuse the pages the previous snapshot freed.
for pfx in ("100.127.252.0/24", "100.127.253.0/24"):
    add_prefix(pfx)
    base, p = timed("reload")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "live" in p.stdout, p.stdout

silent = connect()                       # sends nothing
half = connect()                         # a request cut short
msg = request("show", "peer", "lao-telecom", "--all")
half.send(msg[:len(msg) // 2])
big = connect()                          # asks, then does not read
big.send(msg)
time.sleep(0.5)                          # the daemon queues big's reply

# Changing something, so the reload commits a new generation.
add_prefix("100.127.254.0/24")
took, p = timed("reload")
assert p.returncode == 0, p.stdout + p.stderr
assert "live" in p.stdout, p.stdout
took2, p2 = timed("show", "generation")
assert p2.returncode == 0, p2.stderr
# The old daemon blocked up to 5 s in send() per chunk for `big`.
limit = max(1.0, 3 * base)
print("# reload alone %.3f s; beside 3 stalled clients: reload %.3f s, show %.3f s (limit %.3f s)" % (base, took, took2, limit))
assert took <= limit and took2 <= limit, "a stalled client slowed the daemon"

# The truncated request got an answer saying so, and was closed.
half.settimeout(5)
r = half.recv(65536)
assert b"malformed request" in r, r

# big's reply waited whole: every chunk, in order, to the last prefix.
big.settimeout(5)
text, n = b"", 0
while True:
    m = big.recv(65536)
    magic, flags, status, ln, _ = struct.unpack("<IHhII", m[:16])
    assert magic == MAGIC and ln == len(m), "bad chunk"
    text += m[16:]
    n += 1
    if flags & 1:
        break
assert status == 0 and b"100.127.255.0/28" in text and len(text) > 400000, text[-300:]
print("# unread reply: %d chunks, %d bytes, whole when read late" % (n, len(text)))

# The silent client is closed by the daemon (5 s without a request).
silent.settimeout(15)
t = time.monotonic()
assert silent.recv(100) == b"", "silent client got data"
print("# silent client closed by the daemon after %.1f s more" % (time.monotonic() - t))
EOF

kill -TERM "$DP_PID"
wait "$DP_PID"
check_invariant "$TMP/live.json"
echo "PASS"
