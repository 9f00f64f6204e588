#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Measure ixgate's kernel route reader on the real table (issue 10).

usage (root): bench/rtnl_bench.py [--build DIR] [--data DIR]
          [--churn-seconds S] [--churn-rate R] [--churn-prefixes N]
          [--dumps N] [--no-bird] [--out FILE]

In a fresh network namespace:
 1. the real table (bench/fetch-data.sh, then tools/ixgate-mkconfig:
    564,579 IPv4 + 167,903 IPv6 prefixes, 64 peers) is installed into
    kernel table 100 with `ip -batch`, each peer's prefixes via its own
    gateway on a LAN, while `ixgate-rtnl watch` follows the table: the
    install rate and when the reader had every route;
 2. `ixgate-rtnl dump` of the full table, --dumps times: routes/s, RSS;
 3. churn: `ixgate-rtnl churn` writes --churn-rate changes/s (add, replace
    with another gateway, delete) for --churn-seconds on --churn-prefixes
    /24s beside the full table, each send stamped with CLOCK_MONOTONIC;
    the watching reader stamps its batches with the same clock: p50/p99/
    max from the change to the reader reading it and to the batch holding
    it, and the reader's CPU;
 4. the peers that own a third of the table withdraw everything, then
    announce it again, written by `ixgate-rtnl write` (256 netlink
    messages per send: as fast as the kernel takes them, faster than a
    routing daemon writes): when the reader's batches hold every change;
 5. the same third through BIRD 2: a member announces it over eBGP to
    the node's BIRD (kernel protocol, table 200), then the node drops the
    session: when the reader's batches hold every route, every withdrawal.
Prints a summary and writes it as JSON to --out (default
bench/results/rtnl-YYYYmmdd-HHMMSS.json). Timings depend on the load the
other users of the machine put on it: run it on a quiet machine.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)


def sh(*args, **kw):
    return subprocess.run(list(args), check=True, **kw)


def nsx(ns, *args, **kw):
    return sh("ip", "netns", "exec", ns, *args, **kw)


def now():
    return time.monotonic_ns()  # CLOCK_MONOTONIC, as the reader's stamps


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * len(values))) - 1))
    return values[k]


def proc_cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tck = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tck  # utime + stime


def proc_status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


class Watcher:
    """ixgate-rtnl watch in the namespace, --brief changes to a file."""

    def __init__(self, rtnl, ns, work, name, table=100, rcvbuf=0):
        self.changes = os.path.join(work, name + ".changes")
        self.state = os.path.join(work, name + ".state")
        self.ready = os.path.join(work, name + ".ready")
        self.log = open(os.path.join(work, name + ".log"), "w")
        self.p = subprocess.Popen(
            ["ip", "netns", "exec", ns, rtnl, "watch", "-t", str(table),
             "--brief", "--changes", self.changes, "--state", self.state,
             "--ready", self.ready] +
            (["--rcvbuf", str(rcvbuf)] if rcvbuf else []), stderr=self.log)
        deadline = time.time() + 60
        while not os.path.exists(self.ready):
            if time.time() > deadline or self.p.poll() is not None:
                raise SystemExit("watcher did not start")
            time.sleep(0.05)
        self.pos = 0

    def stats(self):
        """The counters (SIGUSR2: without the 733k routes)."""
        if os.path.exists(self.state):
            os.unlink(self.state)
        self.p.send_signal(12)
        deadline = time.time() + 60
        while not os.path.exists(self.state):
            if time.time() > deadline:
                raise SystemExit("watcher wrote no state")
            time.sleep(0.05)
        with open(self.state) as f:
            return json.load(f)

    def new_changes(self):
        """(op, prefix, first_ns, flush_ns) written since the last call."""
        out = []
        with open(self.changes) as f:
            f.seek(self.pos)
            for line in f:
                if not line.endswith("\n"):
                    break
                self.pos += len(line)
                w = line.split()
                if w[0] in "+-~" and len(w) == 4:
                    out.append((w[0], w[1], int(w[2]), int(w[3])))
        return out

    def wait_quiet(self, quiet_s=1.0, limit_s=600):
        """Until no batch for quiet_s; returns the changes meanwhile."""
        got, last = [], time.time()
        deadline = time.time() + limit_s
        while time.time() < deadline:
            c = self.new_changes()
            if c:
                got += c
                last = time.time()
            elif time.time() - last > quiet_s:
                return got
            time.sleep(0.1)
        raise SystemExit("watcher never went quiet")

    def stop(self):
        self.p.terminate()
        self.p.wait(timeout=60)


def load_table(build, data, work):
    """{peer: ([v4 prefixes], [v6 prefixes])} from ixgate-mkconfig."""
    out = os.path.join(work, "full")
    sh(os.path.join(build, "tools", "ixgate-mkconfig"), "--data", data,
       "--out", out, stdout=subprocess.DEVNULL)
    peers = {}
    pdir = os.path.join(out, "prefixes")
    for name in sorted(os.listdir(pdir)):
        v4, v6 = [], []
        with open(os.path.join(pdir, name)) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    (v6 if ":" in line else v4).append(line)
        peers[name[:-4]] = (v4, v6)
    return peers


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--churn-seconds", type=float, default=60)
    ap.add_argument("--churn-rate", type=int, default=10000)
    ap.add_argument("--churn-prefixes", type=int, default=50000)
    ap.add_argument("--dumps", type=int, default=3)
    ap.add_argument("--rcvbuf", type=int, default=0,
                    help="the reader's socket buffer (default: its own)")
    ap.add_argument("--skip-install-with-ip", action="store_true",
                    help="install the table with ixgate-rtnl write, not "
                    "ip -batch (minutes on a busy machine)")
    ap.add_argument("--no-bird", dest="bird", action="store_false",
                    help="skip the third announced and dropped by BIRD")
    ap.add_argument("--out")
    a = ap.parse_args()
    rtnl = os.path.join(a.build, "control", "routes", "ixgate-rtnl")
    if os.geteuid() != 0:
        raise SystemExit("rtnl_bench: needs root (network namespaces)")
    if not os.path.exists(os.path.join(a.data, "asn-ipv4.csv")):
        sh(os.path.join(HERE, "fetch-data.sh"), a.data)
    res = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
           "cpus": os.cpu_count(), "kernel": os.uname().release}
    ns = "ixg-rtbench-%d" % os.getpid()
    work = tempfile.mkdtemp(prefix="ixg-rtbench.")
    sh("ip", "netns", "add", ns)
    try:
        run(a, rtnl, ns, work, res)
    finally:
        subprocess.run(["ip", "netns", "del", ns])
    out = a.out or os.path.join(
        HERE, "results",
        "rtnl-%s.json" % datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    print("wrote %s" % out)


def run(a, rtnl, ns, work, res):
    peers = load_table(a.build, a.data, work)
    names = sorted(peers)
    n4 = sum(len(peers[p][0]) for p in names)
    n6 = sum(len(peers[p][1]) for p in names)
    res["routes4"], res["routes6"], res["peers"] = n4, n6, len(names)
    print("table: %d IPv4 + %d IPv6 prefixes from %d peers" %
          (n4, n6, len(names)))

    sh("ip", "-n", ns, "link", "set", "lo", "up")
    sh("ip", "-n", ns, "link", "add", "lan0", "type", "veth", "peer",
       "name", "lan1")
    for i in ("lan0", "lan1"):
        sh("ip", "-n", ns, "link", "set", i, "up")
    sh("ip", "-n", ns, "addr", "add", "100.64.0.1/16", "dev", "lan0")
    sh("ip", "-n", ns, "addr", "add", "fd00:64::1/64", "dev", "lan0",
       "nodad")
    gw = {p: ("100.64.%d.%d" % (i // 200, 10 + i % 200),
              "fd00:64::%x" % (16 + i)) for i, p in enumerate(names)}

    install = os.path.join(work, "install.batch")
    with open(install, "w") as f:
        for p in names:
            for fam in (0, 1):
                for pfx in peers[p][fam]:
                    if a.skip_install_with_ip:
                        f.write("+ %s %s\n" % (pfx, gw[p][fam]))
                    else:
                        f.write("route add %s via %s proto bird table "
                                "100\n" % (pfx, gw[p][fam]))

    # 1. install while the reader follows.
    w = Watcher(rtnl, ns, work, "main", rcvbuf=a.rcvbuf)
    res["rcvbuf"] = a.rcvbuf or "default"
    how = "ixgate-rtnl write" if a.skip_install_with_ip else "ip -batch"
    cpu0 = proc_cpu_s(w.p.pid)
    t0 = now()
    if a.skip_install_with_ip:
        sh("ip", "netns", "exec", ns, rtnl, "write", "-t", "100", "--file",
           install, stderr=subprocess.DEVNULL)
    else:
        sh("ip", "-n", ns, "-batch", install)
    t1 = now()
    wait_routes(w, n4 + n6)
    got = w.wait_quiet(quiet_s=1.0)
    cpu1 = proc_cpu_s(w.p.pid)
    t_last = max(c[3] for c in got)
    st = w.stats()
    r = {"how": how, "routes": n4 + n6, "write_s": (t1 - t0) / 1e9,
         "install_routes_per_s": (n4 + n6) / ((t1 - t0) / 1e9),
         "reader_done_s": (t_last - t0) / 1e9,
         "reader_lag_after_write_s": (t_last - t1) / 1e9,
         "reader_cpu_s": cpu1 - cpu0,
         "changes": len(got), "batches": st["stats"]["batches"],
         "overruns": st["stats"]["overruns"],
         "resyncs": st["stats"]["resyncs"],
         "reader_rss_bytes": proc_status(w.p.pid, "VmRSS"),
         "reader_routes": st["routes4"] + st["routes6"]}
    res["install"] = r
    print("install: %s %d routes in %.2f s (%.0f routes/s); the reader had "
          "them all %.2f s after the start (%.2f s after the writer), %.2f "
          "s of CPU, %d batches, %d overruns; reader RSS %.0f MiB" %
          (how, r["routes"], r["write_s"], r["install_routes_per_s"],
           r["reader_done_s"], r["reader_lag_after_write_s"],
           r["reader_cpu_s"], r["batches"], r["overruns"],
           r["reader_rss_bytes"] / 2**20))

    # 2. dumps of the full table.
    dumps = []
    for _ in range(a.dumps):
        p = subprocess.Popen(["ip", "netns", "exec", ns, rtnl, "dump", "-t",
                              "100"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        err = p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)  # this child's own rusage
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            raise SystemExit("ixgate-rtnl dump failed: " + err)
        line = err.strip().split("\n")[-1]
        secs = float(line.split(" in ")[1].split(" s")[0])
        dumps.append({"s": secs, "routes_per_s": (n4 + n6) / secs,
                      "maxrss_bytes": ru.ru_maxrss * 1024,
                      "cpu_s": ru.ru_utime + ru.ru_stime})
        print("dump: %s; %.2f s of CPU, max RSS %.0f MiB" %
              (line, dumps[-1]["cpu_s"], dumps[-1]["maxrss_bytes"] / 2**20))
    res["dump"] = dumps

    # 3. churn beside the full table.
    if a.churn_seconds > 0:
        clog = os.path.join(work, "churn.log")
        w.new_changes()
        cpu0, c0 = proc_cpu_s(w.p.pid), now()
        p = subprocess.run(
            ["ip", "netns", "exec", ns, rtnl, "churn", "-t", "100",
             "--prefixes", str(a.churn_prefixes), "--rate",
             str(a.churn_rate), "--seconds", str(a.churn_seconds),
             "--gw", "100.64.0.10", "--gw", "100.64.0.11", "--gw",
             "100.64.0.12", "--base", "10.0.0.0/8", "--log", clog],
            stderr=subprocess.PIPE, text=True)
        got = w.wait_quiet(quiet_s=1.0)
        cpu1, c1 = proc_cpu_s(w.p.pid), now()
        print(p.stderr.strip())
        res["churn"] = churn_latency(clog, got, a, cpu1 - cpu0,
                                     (c1 - c0) / 1e9, w.stats())

    # 4-5. the peers owning a third of the table withdraw everything, then
    # announce it again, written as fast as the kernel takes it.
    total, third = n4 + n6, []
    for p in sorted(names, key=lambda p: -(len(peers[p][0]) +
                                           len(peers[p][1]))):
        if sum(len(peers[q][0]) + len(peers[q][1]) for q in third) >= \
                total / 3:
            break
        third.append(p)
    gone = set()
    for p in third:
        gone.update(peers[p][0])
        gone.update(peers[p][1])
    for step, op in (("withdraw_third", "-"), ("announce_third", "+")):
        f_ops = os.path.join(work, step + ".ops")
        with open(f_ops, "w") as f:
            for p in third:
                for pfx in peers[p][0]:
                    f.write("%s %s %s\n" % (op, pfx, gw[p][0]))
                for pfx in peers[p][1]:
                    f.write("%s %s %s\n" % (op, pfx, gw[p][1]))
        w.new_changes()
        res[step] = bulk(rtnl, ns, w, f_ops, op, gone, len(third), total)

    if a.bird:
        res["bird"] = bird_third(a, rtnl, ns, work, peers, third, w)
    w.stop()


def wait_routes(w, expect, limit_s=300):
    """Until the reader holds `expect` routes and is not dumping."""
    deadline = time.time() + limit_s
    while True:
        st = w.stats()
        if not st["dumping"] and st["routes4"] + st["routes6"] == expect:
            return
        if time.time() > deadline:
            raise SystemExit("reader never reached %d routes" % expect)
        time.sleep(0.5)


def bulk(rtnl, ns, w, f_ops, op, prefixes, n_peers, total):
    """ixgate-rtnl write of f_ops; when the reader had every change (after
    a resync, if it overran: its batches say so only once the new dump is
    applied, so first wait for the count the change makes, and no dump)."""
    st = w.stats()
    before = st["routes4"] + st["routes6"]
    expect = before - len(prefixes) if op == "-" else before + len(prefixes)
    cpu0 = proc_cpu_s(w.p.pid)
    t0 = now()
    subprocess.run(["ip", "netns", "exec", ns, rtnl, "write", "-t", "100",
                    "--file", f_ops], stderr=subprocess.PIPE, text=True,
                   check=True)
    t1 = now()
    wait_routes(w, expect)
    got = w.wait_quiet(quiet_s=1.0)
    cpu1 = proc_cpu_s(w.p.pid)
    seen = [c for c in got if c[0] == op and c[1] in prefixes]
    t_last = max(c[3] for c in seen) if seen else t1
    st = w.stats()
    r = {"peers": n_peers, "routes": len(prefixes),
         "share": len(prefixes) / total, "write_s": (t1 - t0) / 1e9,
         "kernel_routes_per_s": len(prefixes) / ((t1 - t0) / 1e9),
         "changes_seen": len(seen), "reader_done_s": (t_last - t0) / 1e9,
         "reader_lag_after_write_s": (t_last - t1) / 1e9,
         "reader_cpu_s": cpu1 - cpu0,
         "reader_cpu_us_per_change": 1e6 * (cpu1 - cpu0) / len(prefixes),
         "overruns": st["stats"]["overruns"],
         "resyncs": st["stats"]["resyncs"], "drift": st["stats"]["drift"]}
    print("%s: %d routes of %d peers (%.0f%% of the table) written in %.2f "
          "s (%.0f/s); the reader had all %d changes %.2f s after the "
          "start (%.2f s after the writer), %.2f s of CPU (%.1f us a "
          "change); overruns %d, resyncs %d (counted since the start)" %
          ("withdraw" if op == "-" else "announce", r["routes"], n_peers,
           100 * r["share"], r["write_s"], r["kernel_routes_per_s"],
           r["changes_seen"], r["reader_done_s"],
           r["reader_lag_after_write_s"], r["reader_cpu_s"],
           r["reader_cpu_us_per_change"], r["overruns"], r["resyncs"]))
    return r


def bird_third(a, rtnl, ns, work, peers, third, w_main):
    """The same third through BIRD: a member announces it over eBGP to the
    node's BIRD, which writes kernel table 200; then the session drops."""
    mns = ns + "-m"
    sh("ip", "netns", "add", mns)
    procs = []
    try:
        sh("ip", "-n", mns, "link", "set", "lo", "up")
        sh("ip", "link", "add", "bgp0", "netns", ns, "type", "veth",
           "peer", "name", "bgp0", "netns", mns)
        sh("ip", "-n", ns, "link", "set", "bgp0", "up")
        sh("ip", "-n", mns, "link", "set", "bgp0", "up")
        sh("ip", "-n", ns, "addr", "add", "100.127.0.1/30", "dev", "bgp0")
        sh("ip", "-n", mns, "addr", "add", "100.127.0.2/30", "dev", "bgp0")
        sh("ip", "-n", ns, "addr", "add", "fd00:127::1/64", "dev", "bgp0",
           "nodad")
        sh("ip", "-n", mns, "addr", "add", "fd00:127::2/64", "dev", "bgp0",
           "nodad")
        v4 = [p for q in third for p in peers[q][0]]
        v6 = [p for q in third for p in peers[q][1]]
        with open(os.path.join(work, "m.conf"), "w") as f:
            f.write("router id 100.127.0.2;\nprotocol device {}\n")
            f.write("protocol static s4 { ipv4;\n")
            f.writelines("route %s unreachable;\n" % p for p in v4)
            f.write("}\nprotocol static s6 { ipv6;\n")
            f.writelines("route %s unreachable;\n" % p for p in v6)
            f.write("}\nprotocol bgp node { local as 65001; "
                    "neighbor 100.127.0.1 as 65000; "
                    "connect delay time 1; connect retry time 2;\n"
                    " ipv4 { import none; export all; next hop self; };\n"
                    " ipv6 { import none; export all; next hop address "
                    "fd00:127::2; }; }\n")
        with open(os.path.join(work, "n.conf"), "w") as f:
            f.write("router id 100.127.0.1;\nprotocol device {}\n"
                    "protocol kernel k4 { kernel table 200; "
                    "ipv4 { export all; import none; }; }\n"
                    "protocol kernel k6 { kernel table 200; "
                    "ipv6 { export all; import none; }; }\n"
                    "protocol bgp m { local as 65000; "
                    "neighbor 100.127.0.2 as 65001; disabled; "
                    "connect delay time 1; connect retry time 2;\n"
                    " ipv4 { import all; export none; };\n"
                    " ipv6 { import all; export none; }; }\n")
        for name, n in (("n", ns), ("m", mns)):
            procs.append(subprocess.Popen(
                ["ip", "netns", "exec", n, "bird", "-f", "-c",
                 os.path.join(work, name + ".conf"), "-s",
                 os.path.join(work, name + ".ctl")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for name in ("n", "m"):
            ctl = os.path.join(work, name + ".ctl")
            deadline = time.time() + 120
            while subprocess.run(["birdc", "-s", ctl, "show", "status"],
                                 capture_output=True).returncode != 0:
                if time.time() > deadline:
                    raise SystemExit("bird %s did not start" % name)
                time.sleep(0.2)
        w = Watcher(rtnl, ns, work, "bird", table=200)
        nctl = os.path.join(work, "n.ctl")
        prefixes = set(v4) | set(v6)
        r = {"routes": len(prefixes)}
        for step, cmd, op in (("session_up", "enable", "+"),
                              ("session_down", "disable", "-")):
            w.new_changes()
            t0 = now()
            sh("birdc", "-s", nctl, cmd, "m", stdout=subprocess.DEVNULL)
            got = w.wait_quiet(quiet_s=3.0, limit_s=1800)
            seen = [c for c in got if c[0] == op and c[1] in prefixes]
            t_last = max(c[3] for c in seen) if seen else t0
            t_first = min(c[3] for c in seen) if seen else t0
            st = w.stats()
            r[step] = {"changes_seen": len(seen),
                       "first_batch_s": (t_first - t0) / 1e9,
                       "reader_done_s": (t_last - t0) / 1e9,
                       "overruns": st["stats"]["overruns"]}
            print("bird %s: %d of %d routes through BIRD's kernel protocol "
                  "into table 200; the reader's first batch %.2f s, the "
                  "last %.2f s after `birdc %s`; overruns %d" %
                  (step.replace("_", " "), len(seen), len(prefixes),
                   r[step]["first_batch_s"], r[step]["reader_done_s"], cmd,
                   r[step]["overruns"]))
        w.stop()
        return r
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=60)
        subprocess.run(["ip", "netns", "del", mns])


def churn_latency(clog, changes, a, cpu_s, wall_s, st):
    """Each change the writer sent, matched to the first batch of its
    prefix stamped after it; a change followed by another on the same
    prefix before that batch may have cancelled out: left out, counted."""
    by_prefix = {}
    for op, pfx, first, flush in changes:
        by_prefix.setdefault(pfx, []).append((first, flush))
    sends = {}
    with open(clog) as f:
        for line in f:
            op, pfx, t = line.split()
            sends.setdefault(pfx, []).append(int(t))
    read_ms, batch_ms, unmatched, coalesced = [], [], 0, 0
    for pfx, ts in sends.items():
        cs = sorted(by_prefix.get(pfx, []), key=lambda c: c[1])
        for i, t in enumerate(ts):
            m = next((c for c in cs if c[1] >= t), None)
            if m is None:
                unmatched += 1
                continue
            if i + 1 < len(ts) and ts[i + 1] <= m[1]:
                coalesced += 1
                continue
            read_ms.append(max(0, m[0] - t) / 1e6)
            batch_ms.append((m[1] - t) / 1e6)
    n = sum(len(v) for v in sends.values())
    r = {"sent": n, "rate": a.churn_rate, "seconds": a.churn_seconds,
         "prefixes": a.churn_prefixes, "matched": len(batch_ms),
         "coalesced_or_ambiguous": coalesced, "unmatched": unmatched,
         "to_read_ms": {"p50": pct(read_ms, 50), "p99": pct(read_ms, 99),
                        "max": max(read_ms) if read_ms else None},
         "to_batch_ms": {"p50": pct(batch_ms, 50), "p99": pct(batch_ms, 99),
                         "max": max(batch_ms) if batch_ms else None},
         "reader_cpu_share": cpu_s / wall_s,
         "overruns": st["stats"]["overruns"],
         "batches": st["stats"]["batches"]}
    print("churn: %d changes at %d/s for %gs on %d prefixes; change -> "
          "read p50 %.2f ms p99 %.2f ms; change -> batch p50 %.2f ms p99 "
          "%.2f ms max %.2f ms; %d matched, %d left out (a later change "
          "before the batch), %d unmatched; reader CPU %.0f%% of one core, "
          "%d overruns" %
          (n, a.churn_rate, a.churn_seconds, a.churn_prefixes,
           r["to_read_ms"]["p50"], r["to_read_ms"]["p99"],
           r["to_batch_ms"]["p50"], r["to_batch_ms"]["p99"],
           r["to_batch_ms"]["max"] or 0, len(batch_ms), coalesced, unmatched,
           100 * r["reader_cpu_share"], r["overruns"]))
    return r


if __name__ == "__main__":
    main()
