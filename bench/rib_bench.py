#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Kernel routes into the live dataplane, on the real table (issue 10).

usage (root): bench/rib_bench.py [--build DIR] [--data DIR]
          [--churn-seconds S] [--churn-rate R] [--churn-prefixes N]
          [--dp-mem MB] [--out FILE]

In a fresh network namespace, ixgate-control (config: 64 members on p1,
each with its next hop on the namespace's LAN, and `kernel-routes { table
100; }`) follows kernel table 100 and commits to ixgate-dataplane (p0:
net_pcap replaying frames from member `src` to a config route of member
m00 for ever; p1: net_null). Then:
 (a) install: the real table (bench/fetch-data.sh + ixgate-mkconfig:
     564,579 IPv4 + 167,903 IPv6 prefixes, each via its peer's gateway)
     written into table 100 by `ixgate-rtnl write` (256 routes per
     netlink send); time from the first write until `show kernel-routes`
     says every route is in the dataplane's tables and no change waits;
     then ixgate-control restarted on the full table: its first dump
     live (from its log);
 (b) churn: `ixgate-rtnl churn` at --churn-rate changes/s for
     --churn-seconds on /24s of 10.0.0.0/8 beside the full table; the
     daemon's own histogram of each change from the reader reading its
     netlink message to the commit that holds it answered live (read
     before and after, subtracted): p50, p99, max;
 (c) withdraw: the peers owning a third of the table withdraw everything
     (ixgate-rtnl write); time until the dataplane's tables hold the rest
     and nothing waits;
 (c) with --session, the same withdraw as a BGP session loss (doc/
     routing.md, "Session loss"): real TCP sessions on port 179 (IPv4 and
     IPv6) between the node's namespace and the member's next hops (in a
     namespace of their own, behind the LAN's veth), up before; the
     node's end is closed (as the routing daemon closes a session) and the
     deletions written right after, as the daemon writes them. Measured:
     the close -> ixgate-control seeing the session down (`show sessions`,
     changed_unix_ms) -> the dataplane holding the down state (its reply,
     dataplane_applied_unix_ms), checked on the traffic: p0 then also
     replays frames to an address of that member's kernel routes, whose
     forwarded counter stops and whose `peer_down` drops start; then the
     tables' convergence as without it;
and through all of it the stream from p0 must be forwarded whole: p0's
drops stay 0 (every reason) while its rx grows (with --session: every
drop is of the frames to the withdrawn member, peer_down or no_route).
Prints a summary and writes JSON to --out (default
bench/results/rib-YYYYmmdd-HHMMSS.json).
"""
import argparse
import datetime
import importlib.util
import json
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
_spec = importlib.util.spec_from_file_location(
    "rtnl_bench", os.path.join(HERE, "rtnl_bench.py"))
rb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rb)


def gw_of(i):
    # rtnl_bench.py's gateways: peer i on the namespace's LAN.
    return ("100.64.%d.%d" % (i // 200, 10 + i % 200), "fd00:64::%x" % (16 + i))


def write_config(path, names, pcap):
    lines = ["node {\n\tname rib-bench;\n\tcountry SG;\n}\n",
             "kernel-routes {\n\ttable 100;\n\tbatch-ms 20;\n}\n",
             "port p0 {\n\tdevice \"net_pcap0,rx_pcap=%s,infinite_rx=1\";\n"
             "\tmac 02:00:00:00:00:01;\n\taddress 192.0.2.1/24;\n}\n" % pcap,
             "port p1 {\n\tdevice \"net_null1,no-rx=1\";\n"
             "\tmac 02:00:00:00:00:02;\n\taddress 100.64.0.1/16;\n"
             "\taddress fd00:64::1/64;\n}\n",
             "peer src {\n\tasn 64999;\n\tcountry SG;\n\tport p0;\n"
             "\tmac 02:00:00:00:0a:01;\n\tallow-source {\n"
             "\t\t198.51.100.0/24;\n\t}\n}\n"]
    for i, n in enumerate(names):
        g4, g6 = gw_of(i)
        lines.append(
            "peer m%02d {\n\tasn %d;\n\tcountry SG;\n\tport p1;\n"
            "\tmac 02:00:00:01:%02x:%02x;\n\tnext-hop %s;\n\tnext-hop %s;\n"
            "%s}\n" % (i, 65000 + i, i >> 8, i & 255, g4, g6,
                       "\tannounce {\n\t\t203.0.113.0/24;\n\t}\n"
                       if i == 0 else ""))
    with open(path, "w") as f:
        f.write("\n".join(lines))


def write_pcap(path, dst2=None):
    def csum(b):
        s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        return (~s) & 0xffff
    def frame_to(dst):
        eth = bytes.fromhex("020000000001" "020000000a01" "0800")
        ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 46, 1, 0, 64,
                                   17, 0, bytes([198, 51, 100, 10]),
                                   bytes(dst)))
        ip[10:12] = struct.pack("!H", csum(bytes(ip)))
        return eth + bytes(ip) + struct.pack("!HHHH", 4000, 5000, 26, 0) + \
            b"x" * 18
    frames = [frame_to([203, 0, 113, 5])]
    if dst2 is not None:
        # half the frames to dst2 (a kernel route of the member whose
        # session --session drops)
        frames.append(frame_to(dst2))
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(256):
            frame = frames[i % len(frames)]
            f.write(struct.pack("<IIII", 0, i, len(frame), len(frame)) +
                    frame)


class Node:
    def __init__(self, a, ns, work):
        self.a, self.ns, self.work = a, ns, work
        self.ctl_sock = os.path.join(work, "ctl.sock")
        self.api_sock = os.path.join(work, "dp.sock")
        self.ctld = None

    def start_dp(self, conf):
        self.dp_err = open(os.path.join(self.work, "dp.err"), "w")
        self.dp = subprocess.Popen(
            [os.path.join(self.a.build, "dataplane", "ixgate-dataplane"),
             "-l", "0,1", "--no-huge", "-m", str(self.a.dp_mem), "--no-pci",
             "--no-shconf", "--file-prefix", "ixg-ribbench-%d" % os.getpid(),
             "--log-level=*:warning", "--", "--config", conf,
             "--api-socket", self.api_sock, "--fib-spares"],
            stdout=subprocess.DEVNULL, stderr=self.dp_err)
        deadline = time.time() + 120
        while not os.path.exists(self.api_sock):
            if time.time() > deadline or self.dp.poll() is not None:
                raise SystemExit("dataplane did not start (see %s)" %
                                 self.dp_err.name)
            time.sleep(0.1)

    def start_ctld(self, conf):
        if os.path.exists(self.ctl_sock):
            os.unlink(self.ctl_sock)
        self.ctld_log = os.path.join(self.work, "ctld.err")
        self.ctld = subprocess.Popen(
            ["ip", "netns", "exec", self.ns,
             os.path.join(self.a.build, "control", "ixgate-control"),
             "--config", conf, "--api-socket", self.api_sock,
             "--ctl-socket", self.ctl_sock,
             "--audit-log", os.path.join(self.work, "audit.log"),
             "--state-dir", os.path.join(self.work, "state")],
            stdout=subprocess.DEVNULL, stderr=open(self.ctld_log, "a"))
        deadline = time.time() + 60
        while not os.path.exists(self.ctl_sock):
            if time.time() > deadline:
                raise SystemExit("ixgate-control did not start")
            time.sleep(0.1)

    def stop_ctld(self):
        self.ctld.send_signal(signal.SIGTERM)
        self.ctld.wait(timeout=60)

    def ctl(self, *args):
        p = subprocess.run(
            [os.path.join(self.a.build, "control", "ixgatectl"), "--socket",
             self.ctl_sock, "--json"] + list(args),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            timeout=120)
        return json.loads(p.stdout)

    def kr(self):
        return self.ctl("show", "kernel-routes")

    def series(self, name, want):
        """The sum of the counter ixgate_NAME's series with those labels."""
        d = self.ctl("show", "counters", name, "--all")
        return sum(s["value"] for s in d["series"]
                   if s["name"] == "ixgate_" + name and
                   all(s["labels"].get(k) == v for k, v in want.items()))

    def drops_by_reason(self):
        d = self.ctl("show", "counters", "dropped_packets_total", "--all")
        return {s["labels"]["reason"]: s["value"] for s in d["series"]
                if s["name"] == "ixgate_dropped_packets_total" and
                s["value"] > 0}

    def p0(self):
        for p in self.ctl("show", "ports")["ports"]:
            if p.get("name", p.get("port")) == "p0":
                return p
        raise SystemExit("no port p0 in show ports")

    def wait_installed(self, n, limit_s=600, t0=None):
        """Until the dataplane's tables hold n kernel routes and nothing
        waits; returns when that was first seen (monotonic s)."""
        deadline = time.time() + limit_s
        while time.time() < deadline:
            k = self.kr()
            got = k["installed_v4"] + k["installed_v6"]
            if got == n and k["pending"] == 0 and k["in_flight"] == 0 \
                    and not k["job"]:
                return time.monotonic(), k
            time.sleep(0.05)
        raise SystemExit("the dataplane never held %d kernel routes (last "
                         "%d)" % (n, got))


def thread_cpu_s(pid, skip_prefix=()):
    """CPU seconds of pid's threads, without those whose name starts with
    one of skip_prefix (the dataplane's busy-polling workers)."""
    tck, tot = os.sysconf("SC_CLK_TCK"), 0.0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                st = f.read()
        except OSError:
            continue
        name = st[st.index("(") + 1:st.rindex(")")]
        if name.startswith(tuple(skip_prefix)):
            continue
        fields = st.rsplit(")", 1)[1].split()
        tot += (int(fields[11]) + int(fields[12])) / tck
    return tot


def cpu(node):
    """(ixgate-control, the dataplane's threads other than its workers).
    DPDK 22.11 names its worker threads rte-worker-N (older ones
    lcore-worker-N): a worker polls all the time it is given, which on a
    shared machine is most of the dataplane's CPU."""
    return (thread_cpu_s(node.ctld.pid),
            thread_cpu_s(node.dp.pid, ("lcore-", "rte-worker-")))


def hist_delta(before, after):
    b = {ms: c for ms, c in before["latency_ms"]["histogram"]}
    out = []
    for ms, c in after["latency_ms"]["histogram"]:
        d = c - b.get(ms, 0)
        if d > 0:
            out.append((ms, d))
    return out


def hist_pct(h, q):
    n = sum(c for _, c in h)
    want, seen = max(1, int(q * n + 0.999999)), 0
    for ms, c in h:
        seen += c
        if seen >= want:
            return ms + 1
    return float("nan")


def drops_of(p):
    d = p.get("drops_total", p.get("drops"))
    if isinstance(d, dict):
        return sum(d.values())
    if isinstance(d, list):
        return sum(x.get("packets", 0) for x in d)
    return d


def sent(k):
    # route tables sent as deltas / whole so far, and how the route
    # commits were built (`show kernel-routes`)
    t = k.get("route_tables_sent", {})
    b = k.get("route_builds", {})
    return (t.get("as_delta", 0), t.get("whole", 0), t.get("delta_edits", 0),
            t.get("deltas_refused", 0), b.get("from_changes", 0),
            b.get("full_merge", 0))


def sent_delta(before, after):
    b, a = sent(before), sent(after)
    return {"as_delta": a[0] - b[0], "whole": a[1] - b[1],
            "delta_edits": a[2] - b[2], "deltas_refused": a[3] - b[3],
            "built_from_changes": a[4] - b[4],
            "built_by_full_merge": a[5] - b[5]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(SRC, "build"))
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--churn-seconds", type=float, default=60)
    ap.add_argument("--churn-rate", type=int, default=10000)
    ap.add_argument("--churn-prefixes", type=int, default=50000)
    ap.add_argument("--dp-mem", type=int, default=4096)
    ap.add_argument("--session", action="store_true",
                    help="phase (c) as a BGP session loss (see above)")
    ap.add_argument("--out")
    a = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("rib_bench: needs root (network namespaces)")
    if not os.path.exists(os.path.join(a.data, "asn-ipv4.csv")):
        rb.sh(os.path.join(HERE, "fetch-data.sh"), a.data)
    res = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
           "cpus": os.cpu_count(), "kernel": os.uname().release,
           "loadavg_start": os.getloadavg()}
    ns = "ixg-ribbench-%d" % os.getpid()
    work = tempfile.mkdtemp(prefix="ixg-ribbench.")
    rb.sh("ip", "netns", "add", ns)
    node = None
    try:
        node = run(a, ns, work, res)
    finally:
        if node is not None:
            for p in (node.ctld, node.dp):
                if p is not None and p.poll() is None:
                    p.send_signal(signal.SIGTERM)
                    try:
                        p.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        p.kill()
        subprocess.run(["ip", "netns", "del", ns])
        subprocess.run(["ip", "netns", "del", ns + "-m"],
                       stderr=subprocess.DEVNULL)
    res["loadavg_end"] = os.getloadavg()
    out = a.out or os.path.join(
        HERE, "results",
        "rib-%s.json" % datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    print("wrote %s (work files in %s)" % (out, work))


def run(a, ns, work, res):
    rtnl = os.path.join(a.build, "control", "routes", "ixgate-rtnl")
    peers = rb.load_table(a.build, a.data, work)
    names = sorted(peers)
    n4 = sum(len(peers[p][0]) for p in names)
    n6 = sum(len(peers[p][1]) for p in names)
    res["routes4"], res["routes6"], res["peers"] = n4, n6, len(names)
    print("table: %d IPv4 + %d IPv6 prefixes from %d peers" %
          (n4, n6, len(names)))
    # the peers owning a third of the table: phase (c) withdraws them
    total, third = n4 + n6, []
    for p in sorted(names, key=lambda p: -(len(peers[p][0]) +
                                           len(peers[p][1]))):
        if sum(len(peers[q][0]) + len(peers[q][1]) for q in third) >= \
                total / 3:
            break
        third.append(p)
    mns = ns + "-m"
    rb.sh("ip", "-n", ns, "link", "set", "lo", "up")
    rb.sh("ip", "-n", ns, "link", "add", "lan0", "type", "veth", "peer",
          "name", "lan1")
    if a.session:
        # the member's end of the LAN in a namespace of its own, with its
        # next hops: the BGP sessions' far end
        rb.sh("ip", "netns", "add", mns)
        rb.sh("ip", "-n", ns, "link", "set", "lan1", "netns", mns)
        rb.sh("ip", "-n", mns, "link", "set", "lo", "up")
        rb.sh("ip", "-n", mns, "link", "set", "lan1", "up")
        g4, g6 = gw_of(names.index(third[0]))
        rb.sh("ip", "-n", mns, "addr", "add", g4 + "/16", "dev", "lan1")
        rb.sh("ip", "-n", mns, "addr", "add", g6 + "/64", "dev", "lan1",
              "nodad")
        rb.sh("ip", "-n", ns, "link", "set", "lan0", "up")
    else:
        for i in ("lan0", "lan1"):
            rb.sh("ip", "-n", ns, "link", "set", i, "up")
    rb.sh("ip", "-n", ns, "addr", "add", "100.64.0.1/16", "dev", "lan0")
    rb.sh("ip", "-n", ns, "addr", "add", "fd00:64::1/64", "dev", "lan0",
          "nodad")

    pcap = os.path.join(work, "in.pcap")
    conf = os.path.join(work, "rib.conf")
    dst2 = None
    if a.session:
        net = peers[third[0]][0][0].split("/")[0]
        dst2 = [int(x) for x in net.split(".")]
        dst2[3] += 1
        res["session_dst"] = ".".join(str(x) for x in dst2)
    write_pcap(pcap, dst2)
    write_config(conf, names, pcap)
    rb.sh(os.path.join(a.build, "conf", "ixgate-conf"), "check", conf)
    node = Node(a, ns, work)
    node.start_dp(conf)
    node.start_ctld(conf)
    deadline = time.time() + 60
    while not node.kr().get("synced"):
        if time.time() > deadline:
            raise SystemExit("reader never synced")
        time.sleep(0.2)
    p0_start = node.p0()

    # (a) install while the daemon follows.
    install = os.path.join(work, "install.ops")
    with open(install, "w") as f:
        for i, p in enumerate(names):
            for fam in (0, 1):
                for pfx in peers[p][fam]:
                    f.write("+ %s %s\n" % (pfx, gw_of(i)[fam]))
    cpu0 = cpu(node)
    k0 = node.kr()
    la0 = os.getloadavg()
    t0 = time.monotonic()
    rb.sh("ip", "netns", "exec", ns, rtnl, "write", "-t", "100", "--file",
          install, stderr=subprocess.DEVNULL)
    t1 = time.monotonic()
    t2, k = node.wait_installed(n4 + n6)
    cpu1 = cpu(node)
    r = {"loadavg_start": la0, "loadavg_end": os.getloadavg(),
         "tables_sent": sent_delta(k0, k),
         "routes": n4 + n6, "write_s": t1 - t0, "live_s": t2 - t0,
         "live_after_write_s": t2 - t1, "commits": k["commits"],
         "last_build_ms": k["last_build_ms"],
         "last_publish_ms": k["last_publish_ms"],
         "control_cpu_s": cpu1[0] - cpu0[0],
         "dataplane_cpu_s": cpu1[1] - cpu0[1]}
    res["install"] = r
    print("(a) install: %d routes written in %.2f s; all live in the "
          "dataplane %.2f s after the first write (%.2f s after the "
          "writer), %d route commits so far, last build %.0f ms publish "
          "%.0f ms; CPU: ixgate-control %.2f s, dataplane (not workers) "
          "%.2f s" % (r["routes"], r["write_s"], r["live_s"],
                      r["live_after_write_s"], r["commits"],
                      r["last_build_ms"], r["last_publish_ms"],
                      r["control_cpu_s"], r["dataplane_cpu_s"]))
    print("    route tables sent %s; load average %s -> %s" %
          (r["tables_sent"], r["loadavg_start"], r["loadavg_end"]))

    # (a') ixgate-control restarted on the full table.
    node.stop_ctld()
    node.start_ctld(conf)
    deadline = time.time() + 300
    first = None
    while time.time() < deadline and first is None:
        with open(node.ctld_log) as f:
            m = re.findall(r"first dump is live in generation \d+, "
                           r"([0-9.]+) s after", f.read())
        if len(m) >= 2:
            first = float(m[-1])
        time.sleep(0.2)
    res["restart_first_dump_live_s"] = first
    print("(a') ixgate-control restarted: its first dump of %d routes live "
          "%.2f s after its reader started" % (n4 + n6, first or -1))
    node.wait_installed(n4 + n6)

    # (b) churn beside the full table.
    if a.churn_seconds > 0:
        before = node.kr()
        cpu0 = cpu(node)
        la0 = os.getloadavg()
        c0 = time.monotonic()
        p = subprocess.run(
            ["ip", "netns", "exec", ns, rtnl, "churn", "-t", "100",
             "--prefixes", str(a.churn_prefixes), "--rate",
             str(a.churn_rate), "--seconds", str(a.churn_seconds),
             "--gw", gw_of(0)[0], "--gw", gw_of(1)[0], "--gw", gw_of(2)[0],
             "--base", "10.0.0.0/8"],
            stderr=subprocess.PIPE, text=True)
        c1 = time.monotonic()
        # Settle: wait until nothing waits (the churn's prefixes stay).
        deadline = time.time() + 120
        while time.time() < deadline:
            k = node.kr()
            if k["pending"] == 0 and k["in_flight"] == 0 and not k["job"]:
                break
            time.sleep(0.1)
        after = node.kr()
        cpu1 = cpu(node)
        h = hist_delta(before, after)
        r = {"loadavg_start": la0, "loadavg_end": os.getloadavg(),
             "tables_sent": sent_delta(before, after),
             "rate": a.churn_rate, "seconds": a.churn_seconds,
             "writer": p.stderr.strip(), "wall_s": c1 - c0,
             "changes": sum(c for _, c in h),
             "commits": after["commits"] - before["commits"],
             "p50_ms": hist_pct(h, 0.5), "p99_ms": hist_pct(h, 0.99),
             "max_ms": max((ms + 1 for ms, _ in h), default=0),
             "failed": after["commits_failed"] - before["commits_failed"],
             "last_build_ms": after["last_build_ms"],
             "last_publish_ms": after["last_publish_ms"],
             "control_cpu_s": cpu1[0] - cpu0[0],
             "dataplane_cpu_s": cpu1[1] - cpu0[1]}
        ncom = max(1, r["commits"])
        r["control_cpu_ms_per_commit"] = r["control_cpu_s"] * 1e3 / ncom
        r["dataplane_cpu_ms_per_commit"] = r["dataplane_cpu_s"] * 1e3 / ncom
        res["churn"] = r
        print("(b) churn: %s; %d changes in %d route commits, netlink -> "
              "live p50 <= %s ms, p99 <= %s ms, max <= %s ms, %d failed "
              "commits; CPU per commit: ixgate-control %.0f ms, dataplane "
              "%.0f ms" % (r["writer"], r["changes"], r["commits"],
                           r["p50_ms"], r["p99_ms"], r["max_ms"],
                           r["failed"], r["control_cpu_ms_per_commit"],
                           r["dataplane_cpu_ms_per_commit"]))
        print("    route tables sent %s; load average %s -> %s" %
              (r["tables_sent"], r["loadavg_start"], r["loadavg_end"]))
        installed = after["installed_v4"] + after["installed_v6"]
    else:
        installed = n4 + n6

    # (c) the peers owning a third of the table withdraw everything.
    gone = sum(len(peers[p][0]) + len(peers[p][1]) for p in third)
    ops = os.path.join(work, "withdraw.ops")
    with open(ops, "w") as f:
        for p in third:
            i = names.index(p)
            for fam in (0, 1):
                for pfx in peers[p][fam]:
                    f.write("- %s %s\n" % (pfx, gw_of(i)[fam]))
    sess = None
    if a.session:
        sess = session_open(a, node, ns, mns, names.index(third[0]))
    before = node.kr()
    cpu0 = cpu(node)
    la0 = os.getloadavg()
    if sess is not None:
        t_close = session_close(sess)
    t0 = time.monotonic()
    wr = subprocess.Popen(["ip", "netns", "exec", ns, rtnl, "write", "-t",
                           "100", "--file", ops], stderr=subprocess.DEVNULL)
    if sess is not None:
        # while the deletions are being written, as a daemon's are
        res["session"] = session_measure(node, sess["peer"], t_close, sess)
    if wr.wait() != 0:
        raise SystemExit("ixgate-rtnl write failed")
    t1 = time.monotonic()
    t2, k = node.wait_installed(installed - gone)
    cpu1 = cpu(node)
    r = {"loadavg_start": la0, "loadavg_end": os.getloadavg(),
         "tables_sent": sent_delta(before, k),
         "peers": len(third), "routes": gone, "write_s": t1 - t0,
         "live_s": t2 - t0, "live_after_write_s": t2 - t1,
         "commits": k["commits"] - before["commits"],
         "control_cpu_s": cpu1[0] - cpu0[0],
         "dataplane_cpu_s": cpu1[1] - cpu0[1]}
    res["withdraw_third"] = r
    print("(c) withdraw: %d peers, %d routes written in %.2f s; live %.2f "
          "s after the first delete (%.2f s after the writer), %d route "
          "commits; CPU: ixgate-control %.2f s, dataplane %.2f s" %
          (r["peers"], r["routes"], r["write_s"], r["live_s"],
           r["live_after_write_s"], r["commits"], r["control_cpu_s"],
           r["dataplane_cpu_s"]))
    print("    route tables sent %s; load average %s -> %s" %
          (r["tables_sent"], r["loadavg_start"], r["loadavg_end"]))

    p0_end = node.p0()
    res["p0_start"], res["p0_end"] = p0_start, p0_end
    rx = p0_end["rx_packets"] - p0_start["rx_packets"]
    dr = drops_of(p0_end) - drops_of(p0_start)
    res["traffic"] = {"rx_packets": rx, "drops": dr}
    if a.session:
        res["traffic"]["drops_by_reason"] = node.drops_by_reason()
        print("traffic: p0 received %d frames during the run, %d dropped: "
              "%s (half the frames go to the withdrawn member)" %
              (rx, dr, res["traffic"]["drops_by_reason"]))
    else:
        print("traffic: p0 received %d frames during the run, %d dropped" %
              (rx, dr))
    return node


SESSION_PY = r"""
import socket, sys, time
role, a4, a6 = sys.argv[1], sys.argv[2], sys.argv[3]
if role == "listen":
    ls = []
    for fam, a in ((socket.AF_INET, a4), (socket.AF_INET6, a6)):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((a, 179))
        s.listen(4)
        ls.append(s)
    print("listening", flush=True)
    conns = [l.accept()[0] for l in ls]
    # the member closes its end when the node's FIN comes (a BGP
    # speaker does)
    for c in conns:
        c.recv(1)
        c.close()
    time.sleep(1)
else:
    cs = []
    for fam, a in ((socket.AF_INET, a4), (socket.AF_INET6, a6)):
        c = socket.socket(fam, socket.SOCK_STREAM)
        c.connect((a, 179))
        cs.append(c)
    print("up", flush=True)
    sys.stdin.readline()
    t = time.time()
    for c in cs:
        c.close()
    print("%.6f" % t, flush=True)
    time.sleep(1)
"""


def session_open(a, node, ns, mns, i):
    """TCP sessions on port 179 from the node's namespace to member i's
    next hops (IPv4 and IPv6), ESTABLISHED and seen up by ixgate-control."""
    g4, g6 = gw_of(i)
    lst = subprocess.Popen(["ip", "netns", "exec", mns, "python3", "-c",
                            SESSION_PY, "listen", g4, g6],
                           stdout=subprocess.PIPE, text=True)
    if lst.stdout.readline().strip() != "listening":
        raise SystemExit("session listener did not start")
    con = subprocess.Popen(["ip", "netns", "exec", ns, "python3", "-c",
                            SESSION_PY, "connect", g4, g6],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           text=True)
    if con.stdout.readline().strip() != "up":
        raise SystemExit("sessions did not connect")
    name = "m%02d" % i
    deadline = time.time() + 30
    while time.time() < deadline:
        st = {(s["peer"], s["family"]): s["state"]
              for s in node.ctl("show", "sessions")["sessions"]}
        if st.get((name, "ipv4")) == "up" and st.get((name, "ipv6")) == "up":
            return {"lst": lst, "con": con, "peer": name}
        time.sleep(0.05)
    raise SystemExit("ixgate-control never saw %s's sessions up" % name)


def session_close(sess):
    """Close the node's ends; the time of the close (unix s)."""
    sess["con"].stdin.write("close\n")
    sess["con"].stdin.flush()
    return float(sess["con"].stdout.readline())


def session_measure(node, peer, t_close, sess):
    """From the close: ixgate-control's detection, the dataplane's down
    state, and the fast path's counters for the member."""
    deadline = time.time() + 30
    s = None
    while time.time() < deadline:
        s = node.ctl("show", "sessions")
        st = {(x["peer"], x["family"]): x for x in s["sessions"]}
        v4, v6 = st[(peer, "ipv4")], st[(peer, "ipv6")]
        applied = s.get("dataplane_applied_unix_ms") or 0
        if v4["state"] == "down" and v6["state"] == "down" and \
                s["dataplane_in_sync"] and \
                applied >= max(v4["changed_unix_ms"], v6["changed_unix_ms"]):
            break
        time.sleep(0.01)
    else:
        raise SystemExit("the session loss never reached the dataplane")
    # the fast path: the member's forwarded frames stop, peer_down starts
    fw = [node.series("peer_pair_packets_total",
                      {"src_peer": "src", "dst_peer": peer})]
    pd = [node.series("dropped_packets_total", {"reason": "peer_down"})]
    time.sleep(0.5)
    fw.append(node.series("peer_pair_packets_total",
                          {"src_peer": "src", "dst_peer": peer}))
    pd.append(node.series("dropped_packets_total", {"reason": "peer_down"}))
    for p in (sess["con"], sess["lst"]):
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
    r = {"peer": peer, "close_unix": t_close,
         "detected_ms": {f: st[(peer, f)]["changed_unix_ms"] -
                         t_close * 1e3 for f in ("ipv4", "ipv6")},
         "dataplane_applied_ms": applied - t_close * 1e3,
         "destroy_events": s["destroy_events"],
         "forwarded_to_member_after_applied": fw[1] - fw[0],
         "peer_down_drops_in_500ms_after": pd[1] - pd[0]}
    print("(c) session loss: %s's sessions closed; ixgate-control saw them "
          "down %.1f ms (IPv4) / %.1f ms (IPv6) after the close, the "
          "dataplane held it %.1f ms after; in the 500 ms after: %d frames "
          "forwarded to it, %d dropped peer_down" %
          (peer, r["detected_ms"]["ipv4"], r["detected_ms"]["ipv6"],
           r["dataplane_applied_ms"], r["forwarded_to_member_after_applied"],
           r["peer_down_drops_in_500ms_after"]))
    return r


if __name__ == "__main__":
    main()
