# SPDX-License-Identifier: BSD-3-Clause
"""ixgate-bench latency and ixgate-bench reload: ixgate-dataplane fed live by
ixgate-gen over two net_memif ports (the dataplane is the memif server of
both, the generator the client), on two cores. Method and results:
bench/README-compare.md.

latency: the maximum loss-free rate (a max-rate run, then rates stepping
down from what it achieved until a run loses nothing and reaches its
target), then runs at 10%, 50% and 90% of it: loss and latency
p50/p99/p99.9 per load.

reload: at 90% of that rate (or --rate), while traffic flows, drive
ixgate-control through ixgatectl: a one-peer change, and N back-to-back
small commits (or, with --full-table, full-table replaces of the real
table); per scenario the packets lost (ixgate-gen's unexpected loss), the
reload wall time (ixgatectl reload -> reply) and the worst 10 ms receive
bin around the reloads against the median bin.
"""

import argparse
import datetime
import glob
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import setup as S  # noqa: E402
from setup import die, log, run  # noqa: E402
from telemetry import runtime_dir, try_connect  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

TARGETS = {
    "dataplane": "dataplane/ixgate-dataplane",
    "gen": "tools/ixgate-gen",
    "control": "control/ixgate-control",
    "ctl": "control/ixgatectl",
}


def parse_args(cmd, argv):
    p = argparse.ArgumentParser(
        prog="ixgate-bench " + cmd,
        description=__doc__.strip().split("\n\n")[1 if cmd == "latency"
                                                   else 2])
    a = p.add_argument
    a("--build", default="build", help="meson build directory (build)")
    a("--no-build", action="store_true",
      help="run the programs already built in --build, without ninja")
    a("--out", default="bench/results", help="where results go")
    a("--config", default="config/demo.conf",
      help="ixgate config (config/demo.conf); its p0 and p1 become memif "
      "servers")
    a("--duration", "-d", type=float, default=5,
      help="seconds per generator run (5)")
    a("--sizes", default="64", help="64, imix or N (64)")
    a("--v6", default="0.3", help="IPv6 share (0.3)")
    a("--mix", default="clear,forward=1",
      help="ixgate-gen --mix (clear,forward=1)")
    a("--skew", action="store_true", help="skewed destinations")
    a("--seed", default="1", help="traffic seed (1)")
    a("--dp-cores", default="0,1",
      help="dataplane lcores: main,worker (0,1)")
    a("--gen-core", default="0", help="generator lcore (0)")
    a("--rate", type=float, default=0,
      help="skip the search: use this as the maximum loss-free rate (pps)")
    a("--dp-mem", type=int, default=0,
      help="dataplane EAL memory, MB (--no-huge -m; default 1024, 8192 "
      "with --full-table: two snapshots and the warm spare FIBs)")
    a("--ready-timeout", type=int, default=600,
      help="seconds the dataplane and ixgate-control may take to load "
      "and commit the tables (600)")
    if cmd == "reload":
        a("--commits", type=int, default=100,
          help="back-to-back small commits (100)")
        a("--full-table", action="store_true",
          help="instead of the demo scenarios: full-table replaces of the "
          "real table (ixgate-mkconfig, bench/data), every peer renamed "
          "to the next one, so every route, source and per-peer ACL rule "
          "changes owner")
        a("--full-reloads", type=int, default=2,
          help="full-table replaces, alternating there and back (2)")
        a("--data", default="bench/data",
          help="real data (bench/fetch-data.sh)")
        a("--peers", type=int, default=64, help="peers (64)")
        a("--acl-rules", type=int, default=10000,
          help="ACL rules (10000)")
        a("--deaggregate", action="store_true",
          help="1.2M + 300k routes instead of the real 565k + 168k")
    o = p.parse_args(argv)
    if not o.dp_mem:
        o.dp_mem = 8192 if getattr(o, "full_table", False) else 1024
    if getattr(o, "full_table", False):
        o.data = os.path.join(TOP, o.data) if not os.path.isabs(o.data) \
            else o.data
    for k in ("build", "out", "config"):
        v = getattr(o, k)
        if not os.path.isabs(v):
            setattr(o, k, os.path.join(TOP, v))
    if o.duration <= 0:
        p.error("--duration must be > 0")
    return o


class Rig:
    """The dataplane (memif servers), optionally ixgate-control, and
    ixgate-gen runs against them, in a private work directory."""

    def __init__(self, o, bins, with_control):
        self.o = o
        self.bins = bins
        self.work = os.path.join("/tmp", "ixgb-live-%d" % os.getpid())
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        self.prefix = "ixgb-live-%d" % os.getpid()
        self.procs = []
        self.runs = 0
        self.conf = self._copy_config()
        self.with_control = with_control

    def _copy_config(self):
        src = os.path.dirname(self.o.config)
        dst = os.path.join(self.work, "conf")
        shutil.copytree(src, dst)
        os.chmod(dst, 0o755)
        for root, dirs, files in os.walk(dst):
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)
        conf = os.path.join(dst, os.path.basename(self.o.config))
        text = open(conf).read()
        # Paths relative to the source config would break in the copy.
        text = re.sub(r'(country-data ")([^"/][^"]*)"',
                      lambda m: '%s%s"' % (m.group(1), os.path.normpath(
                          os.path.join(src, m.group(2)))), text)
        names = re.findall(r"^port (\S+) \{", text, re.M)
        if len(names) < 2:
            die("%s: needs two ports (p0, p1)" % self.o.config)
        self.ports = names[:2]
        for i, n in enumerate(self.ports):
            sock = os.path.join(self.work, "m%d.sock" % i)
            dev = ("net_memif%d,role=server,id=%d,socket=%s,"
                   "socket-abstract=no" % (i, i, sock))
            text = re.sub(r"(^port %s \{.*?device \")[^\"]*(\";)" % n,
                          lambda m: m.group(1) + dev + m.group(2), text,
                          count=1, flags=re.M | re.S)
        open(conf, "w").write(text)
        return conf

    def start(self, paths):
        self.paths = paths
        argv = [paths["dataplane"], "-l", self.o.dp_cores, "--no-huge",
                "-m", str(self.o.dp_mem), "--no-pci", "--file-prefix",
                self.prefix + "-dp", "--log-level=*:warning", "--",
                "--config", self.conf, "--json-out",
                os.path.join(self.work, "dp.json")]
        if self.with_control:
            argv += ["--api-socket", os.path.join(self.work, "dp.sock")]
        else:
            argv += ["--no-api"]
        self.dp_err = os.path.join(self.work, "dp.err")
        self.dp = self._spawn(argv, self.dp_err)
        if not self._wait(lambda: "ixgate-dataplane: node" in
                          open(self.dp_err).read(), self.o.ready_timeout):
            self.fail("the dataplane did not start", self.dp_err)
        if self.with_control:
            self.ctl_sock = os.path.join(self.work, "ctl.sock")
            self.audit = os.path.join(self.work, "audit.log")
            err = os.path.join(self.work, "ctld.err")
            self.ctld = self._spawn(
                [paths["control"], "--config", self.conf, "--api-socket",
                 os.path.join(self.work, "dp.sock"), "--ctl-socket",
                 self.ctl_sock, "--audit-log", self.audit], err)
            if not self._wait(lambda: os.path.exists(self.audit) and
                              '"result": "ok"' in open(self.audit).read(),
                              self.o.ready_timeout):
                self.fail("ixgate-control made no first commit", err)

    def _spawn(self, argv, errpath):
        f = open(errpath, "w")
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=f,
                             stderr=subprocess.STDOUT,
                             start_new_session=True)
        self.procs.append(p)
        return p

    @staticmethod
    def _wait(pred, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                if pred():
                    return True
            except OSError:
                pass
            time.sleep(0.1)
        return False

    def fail(self, msg, path):
        try:
            tail = open(path, errors="replace").read()[-2000:]
        except OSError:
            tail = ""
        self.stop()
        die("%s; log tail (%s):\n%s" % (msg, path, tail))

    def gen_argv(self, rate, duration, json_path):
        o = self.o
        devs = []
        for i in range(2):
            sock = os.path.join(self.work, "m%d.sock" % i)
            devs += ["--vdev", "net_memif%d,role=client,id=%d,socket=%s,"
                     "socket-abstract=no,rsize=12" % (i, i, sock)]
        self.runs += 1
        argv = [self.paths["gen"], "-l", o.gen_core, "--no-huge", "-m",
                "512", "--no-pci", "--file-prefix",
                "%s-gen%d" % (self.prefix, self.runs),
                "--log-level=*:warning"] + devs + [
            "--", "--config", self.conf, "--ports", ",".join(self.ports),
            "--tx", self.ports[0], "--rate", "%.0f" % rate,
            "--duration", str(duration), "--json", json_path,
            "--sizes", o.sizes, "--v6", o.v6, "--mix", o.mix,
            "--seed", o.seed, "--bin-ms", str(self.bins), "--quiet"]
        if o.skew:
            argv.append("--skew")
        return argv

    def gen_start(self, rate, duration, label):
        path = os.path.join(self.work, "gen-%s.json" % label)
        err = os.path.join(self.work, "gen-%s.err" % label)
        p = self._spawn(self.gen_argv(rate, duration, path), err)
        return p, path, err

    def gen_finish(self, handle, timeout):
        p, path, err = handle
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            rc = -9
        shutil.rmtree(runtime_dir("%s-gen%d" % (self.prefix, self.runs)),
                      ignore_errors=True)
        if rc != 0 or not os.path.exists(path):
            self.fail("ixgate-gen failed (exit %s)" % rc, err)
        if self.dp.poll() is not None:
            self.fail("the dataplane exited", self.dp_err)
        return json.load(open(path))

    def gen_run(self, rate, duration, label):
        return self.gen_finish(self.gen_start(rate, duration, label),
                               duration + 60)

    def wait_traffic(self, timeout):
        """Until the dataplane's port 0 receives (the generator loaded its
        config and sends); False on timeout."""
        tel = None
        end = time.monotonic() + timeout
        first = None
        try:
            while time.monotonic() < end:
                if tel is None:
                    tel = try_connect(self.prefix + "-dp")
                if tel is not None:
                    try:
                        n = tel.port_stats([0])[1][0]["ipackets"]
                    except (OSError, ValueError):
                        n = None
                    if n is not None:
                        if first is None:
                            first = n
                        elif n > first:
                            return True
                time.sleep(0.1)
        finally:
            if tel is not None:
                tel.close()
        return False

    def ctl(self, *args):
        return subprocess.run([self.paths["ctl"], "--socket", self.ctl_sock]
                              + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGINT if p is getattr(self, "dp", None)
                              else signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(runtime_dir(self.prefix + "-dp"), ignore_errors=True)
        if os.environ.get("KEEP") != "1":
            shutil.rmtree(self.work, ignore_errors=True)


def summary(g):
    """One run's figures from ixgate-gen's JSON."""
    f = g["forward"]
    lat = g["latency_ns"]
    sent = g["tx_packets"]
    return {
        "target_pps": g["options"]["rate_pps"],
        "sent_pps": round(g["tx_pps"]),
        "sent": sent,
        "forward_expected": g["expected"]["forward"],
        "forward_received": f["received"],
        "unexpected_loss": f["unexpected_loss"],
        "loss_on_metered": f["loss_on_metered"],
        "loss_pct": (100.0 * f["unexpected_loss"] / f["signed_sent"]
                     if f["signed_sent"] else 0.0),
        "reordered": f["reordered"] + f["late"],
        "duplicates": f["duplicates"],
        "unexpected_forward": g["received"]["unexpected_forward"],
        "latency_ns": {k: lat[k] for k in ("min", "p50", "p90", "p99",
                                           "p999", "max")},
        "rx_pps": (f["received"] / g["send_seconds"]
                   if g["send_seconds"] else 0),
        "tx_full": g["tx_full"],
    }


def ok_run(s):
    """Loss-free and the generator reached 95% of its target."""
    return (s["unexpected_loss"] == 0 and s["unexpected_forward"] == 0 and
            (s["target_pps"] == 0 or s["sent_pps"] >= 0.95 * s["target_pps"]))


def find_max(rig, o, runs):
    """The maximum loss-free rate: a max-rate run, then 100, 90, 80, 70,
    60, 50% of what it achieved until a run is ok."""
    if o.rate > 0:
        log("maximum loss-free rate given: %.0f pps" % o.rate)
        return o.rate, None
    g = rig.gen_run(0, o.duration, "max")
    s = summary(g)
    runs.append(dict(s, phase="max-rate"))
    top = s["sent_pps"]
    log("max-rate run: sent %.3f Mpps, forwarded %.3f Mpps, loss %d" %
        (top / 1e6, s["rx_pps"] / 1e6, s["unexpected_loss"]))
    for frac in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5):
        rate = top * frac
        s = summary(rig.gen_run(rate, o.duration, "search%d" % (frac * 100)))
        runs.append(dict(s, phase="search"))
        log("  %.3f Mpps: sent %.3f, loss %d -> %s" % (
            rate / 1e6, s["sent_pps"] / 1e6, s["unexpected_loss"],
            "ok" if ok_run(s) else "no"))
        if ok_run(s):
            return rate, top
    return top * 0.5, top


def build(o):
    out = {k: os.path.join(o.build, v) for k, v in TARGETS.items()}
    if o.no_build:
        for p in out.values():
            if not os.access(p, os.X_OK):
                die("--no-build: %s is not built" % p)
        return out
    run(["ninja", "-C", o.build] + list(TARGETS.values()))
    return out


def machine():
    import platform
    return {"kernel": platform.release(), "cores": os.cpu_count(),
            "loadavg": os.getloadavg(),
            "git_commit": subprocess.run(
                ["git", "rev-parse", "HEAD"], cwd=TOP, text=True,
                stdout=subprocess.PIPE).stdout.strip()}


def write(o, cmd, result):
    os.makedirs(o.out, exist_ok=True)
    date = datetime.datetime.utcnow().strftime("%Y%m%dT%H%M%SZ")
    path = os.path.join(o.out, "%s-%s.json" % (cmd, date))
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
    log("results: %s" % path)


def fmt_lat(s):
    l = s["latency_ns"]
    return "%9.1f %9.1f %9.1f %9.1f" % (l["p50"] / 1e3, l["p99"] / 1e3,
                                        l["p999"] / 1e3, l["max"] / 1e3)


def latency_main(argv):
    o = parse_args("latency", argv)
    paths = build(o)
    rig = Rig(o, 10, with_control=False)
    runs = []
    try:
        rig.start(paths)
        mx, top = find_max(rig, o, runs)
        loads = []
        for pct in (10, 50, 90):
            s = summary(rig.gen_run(mx * pct / 100, o.duration, "load%d" % pct))
            s["load_pct"] = pct
            runs.append(dict(s, phase="load"))
            loads.append(s)
    finally:
        rig.stop()
    print("ixgate over net_memif, ixgate-gen on lcore %s: maximum loss-free "
          "rate %.3f Mpps (max-rate run: %s)" % (
              o.gen_core, mx / 1e6,
              "%.3f Mpps" % (top / 1e6) if top else "skipped, --rate"))
    print("%5s %10s %10s %10s %8s %9s %9s %9s %9s" % (
        "load", "target", "sent", "forwarded", "lost", "p50 us", "p99 us",
        "p99.9 us", "max us"))
    for s in loads:
        print("%4d%% %10.0f %10.0f %10d %8d %s" % (
            s["load_pct"], s["target_pps"], s["sent_pps"],
            s["forward_received"], s["unexpected_loss"], fmt_lat(s)))
    write(o, "latency", {"command": "ixgate-bench latency " + " ".join(argv),
                         "machine": machine(), "options": vars(o),
                         "max_loss_free_pps": mx, "max_rate_run_pps": top,
                         "loads": loads, "runs": runs})
    return 0


# The edit of test_control_storm.sh: 100.127.254.0/24 is inside
# 100.64.0.0/10, which demo.conf's ACL denies before any route lookup, so
# no verdict of the generated traffic depends on it.
PEER_FILE = "peers.d/asean.conf"
EDIT = ("\t\t115.84.64.0/18;\n", "\t\t115.84.64.0/18;\n\t\t100.127.254.0/24;\n")


def reload_scenario(rig, o, rate, label, reloads):
    """Traffic at rate for long enough; after 2 s, `reloads` ixgatectl
    reloads alternating the edit. Returns the scenario's figures."""
    pf = os.path.join(os.path.dirname(rig.conf), PEER_FILE)
    orig = open(pf).read()
    if EDIT[0] not in orig:
        die("%s: the one-peer edit needs demo.conf's asean.conf" % pf)
    edited = orig.replace(EDIT[0], EDIT[1], 1)

    def edit(i):
        with open(pf, "w") as f:
            f.write(edited if i % 2 == 0 else orig)

    def restore():
        with open(pf, "w") as f:
            f.write(orig)
    # Long enough for the commits at ~0.3 s each on this machine, plus
    # 2 s before and 2 s after.
    return under_load(rig, o, rate, label, reloads, edit, restore,
                      max(o.duration, 4 + 0.5 * reloads))


def rotated_files(conf_dir):
    """{relative path: (original text, rotated text)} of the files a
    full-table replace rewrites: every peer block gets the next peer's name
    (peer i's MACs, VLAN and prefixes now belong to the name of peer i+1)
    and the ACL's `from` follows, so the ids of every peer, route, source
    prefix and per-peer ACL rule change while the traffic stays valid (the
    rotation of bench/reload_bench.sh)."""
    peers = sorted(glob.glob(os.path.join(conf_dir, "peers.d", "*.conf")))
    names = []
    for f in peers:
        names += re.findall(r"^peer (\S+) \{$", open(f).read(), re.M)
    if len(names) < 2:
        die("%s: a full-table replace needs two peers or more" % conf_dir)
    rot = dict(zip(names, names[1:] + names[:1]))
    out = {}
    for f in peers:
        t = open(f).read()
        out[os.path.relpath(f, conf_dir)] = (t, re.sub(
            r"^peer (\S+) \{$", lambda m: "peer %s {" % rot[m.group(1)], t,
            flags=re.M))
    for f in glob.glob(os.path.join(conf_dir, "*.conf")):
        t = open(f).read()
        r = re.sub(r"^(\s+from )(\S+);$",
                   lambda m: m.group(1) + rot.get(m.group(2), m.group(2)) +
                   ";", t, flags=re.M)
        if r != t:
            out[os.path.relpath(f, conf_dir)] = (t, r)
    return out


def full_table_scenario(rig, o, rate, reloads):
    """Traffic at rate; after ~2 s, `reloads` full-table replaces, there
    and back. The generator runs until 2 s after the last reply (SIGINT
    ends its sending), however long the commits take."""
    conf_dir = os.path.dirname(rig.conf)
    files = rotated_files(conf_dir)

    def write(which):
        for rel, texts in files.items():
            with open(os.path.join(conf_dir, rel), "w") as f:
                f.write(texts[which])
    return under_load(rig, o, rate, "full-replace", reloads,
                      lambda i: write(1 - i % 2), lambda: write(0), None)


def last_audit(rig):
    """The audit log's last entry (the dataplane's build and publish
    times of the last commit), or {}."""
    try:
        lines = [l for l in open(rig.audit) if l.strip()]
        return json.loads(lines[-1]) if lines else {}
    except (OSError, ValueError):
        return {}


def under_load(rig, o, rate, label, reloads, edit, restore, duration):
    """The generator at `rate`; after 2.5 s, `reloads` times: edit(i),
    ixgatectl reload, timed; then restore() (and one more reload if the
    config is not back to the original). duration None: the generator
    runs until 2 s after the last reload. Returns the figures: loss,
    latency, reload wall times, the dataplane's build/publish times from
    the audit log, and the worst 10 ms receive bin around the reloads."""
    stop_early = duration is None
    if stop_early:
        duration = 3600
    h = rig.gen_start(rate, duration, label)
    if stop_early:
        # A full-table config takes the generator seconds to load.
        if not rig.wait_traffic(120):
            rig.fail("no traffic from ixgate-gen after 120 s", h[2])
        time.sleep(2)
    else:
        time.sleep(2.5)  # EAL start-up and links, then ~2 s of traffic
    walls, events, audits = [], [], []
    t_first = time.time()
    for i in range(reloads):
        edit(i)
        t0 = time.time()
        r = rig.ctl("reload")
        t1 = time.time()
        if r.returncode != 0:
            rig.fail("ixgatectl reload %d failed: %s" % (i + 1, r.stdout),
                     rig.dp_err)
        walls.append((t1 - t0) * 1e3)
        events.append((t0, t1))
        a = last_audit(rig)
        audits.append({k: a.get(k) for k in ("generation", "result",
                                             "build_ms", "publish_ms",
                                             "diff") if k in a})
        log("%s: reload %d/%d in %.0f ms" % (label, i + 1, reloads,
                                            walls[-1]))
    t_last = time.time()
    restore()
    if reloads % 2 == 1:
        r = rig.ctl("reload")  # back to the original for the next scenario
    if stop_early:
        time.sleep(max(0.0, t_last + 2 - time.time()))
        h[0].send_signal(signal.SIGINT)
    g = rig.gen_finish(h, duration + 60)
    s = summary(g)
    # The dip: bins from one before the first reload to two after the last,
    # against the median bin of the whole send time.
    width = g["bins"]["width_ms"] / 1e3
    start = g["start_unix_ns"] / 1e9
    rx = g["bins"]["rx"]
    tx = g["bins"]["tx"]
    n_send = int(g["send_seconds"] / width)
    steady = rx[1:max(n_send - 1, 2)]
    med = statistics.median(steady) if steady else 0
    lo = max(int((t_first - start) / width) - 1, 0)
    hi = min(int((t_last - start) / width) + 2, n_send - 1)
    win = rx[lo:hi + 1]
    worst = min(win) if win else 0
    wi = lo + win.index(worst) if win else 0
    # The same measure over the ~2 s of traffic before the first reload:
    # what this machine's scheduling alone does to a 10 ms bin.
    pre = rx[1:lo]
    base = min(pre) if pre else med
    # Time spent below 50% of the median bin between the first request and
    # two bins after the last reply (a stall of the worker shows here).
    low = sum(1 for x in win if med and x < 0.5 * med) * width * 1e3
    s.update({
        "scenario": label, "reloads": reloads,
        "rx_bin_worst_before_reloads": base,
        "dip_before_reloads_pct": (100.0 * (med - base) / med) if med else 0.0,
        "reload_wall_ms": {"median": statistics.median(walls),
                           "max": max(walls), "min": min(walls),
                           "total": (t_last - t_first) * 1e3,
                           "each": walls},
        "audit": audits,
        "rx_bin_median": med, "rx_bin_worst": worst,
        "tx_bin_at_worst": tx[wi] if wi < len(tx) else 0,
        "worst_dip_pct": (100.0 * (med - worst) / med) if med else 0.0,
        "worst_bin_offset_ms": (wi * width - (t_first - start)) * 1e3,
        "ms_below_half_median": low,
        "bin_ms": width * 1e3,
    })
    return s


def reload_main(argv):
    o = parse_args("reload", argv)
    paths = build(o)
    if o.full_table:
        # The real table of `compare` (same cache), tagged as a real
        # exchange is not needed here: the untagged form serves both.
        cbins = S.ensure_build(TOP, o.build, o.no_build)
        S.ensure_data(TOP, o.data)
        mk = ["--peers", str(o.peers), "--acl-rules", str(o.acl_rules)]
        if o.deaggregate:
            mk.append("--deaggregate")
        table = S.ensure_config(cbins, o.data,
                                os.path.join(o.data, "compare"), mk)
        o.config = table["config"]
    rig = Rig(o, 10, with_control=True)
    runs = []
    scen = []
    try:
        rig.start(paths)
        mx, top = find_max(rig, o, runs)
        rate = 0.9 * mx
        log("reload scenarios at %.3f Mpps (90%% of %.3f)" % (rate / 1e6,
                                                              mx / 1e6))
        if o.full_table:
            scen.append(full_table_scenario(rig, o, rate, o.full_reloads))
        else:
            scen.append(reload_scenario(rig, o, rate, "one-peer", 1))
            scen.append(reload_scenario(rig, o, rate,
                                        "commits-%d" % o.commits, o.commits))
    finally:
        rig.stop()
    print("ixgate reload under load: %.3f Mpps offered (90%% of the maximum "
          "loss-free %.3f Mpps), %s" % (rate / 1e6, mx / 1e6,
                                         os.path.basename(o.config)))
    print("%-12s %7s %10s %9s %14s %14s %10s %12s %10s %11s" % (
        "scenario", "reloads", "forwarded", "LOST", "reload ms med",
        "reload ms max", "worst dip", "dip before", "ms < 50%",
        "p99.9 us"))
    for s in scen:
        print("%-12s %7d %10d %9d %14.1f %14.1f %9.0f%% %11.0f%% %10.0f "
              "%11.1f" % (
                  s["scenario"], s["reloads"], s["forward_received"],
                  s["unexpected_loss"], s["reload_wall_ms"]["median"],
                  s["reload_wall_ms"]["max"], s["worst_dip_pct"],
                  s["dip_before_reloads_pct"], s["ms_below_half_median"],
                  s["latency_ns"]["p999"] / 1e3))
        for i, a in enumerate(s["audit"][:4]):
            if a.get("build_ms") is not None:
                print("  reload %d: generation %s, dataplane build %s ms, "
                      "publish %s ms" % (i + 1, a.get("generation"),
                                         a.get("build_ms"),
                                         a.get("publish_ms")))
    print("(worst dip: lowest %g ms receive bin from one bin before the "
          "first reload to two after the last, against the median bin; "
          "dip before: the same over the ~2 s before the first reload, "
          "what scheduling on this machine does without any reload; "
          "tx_bin_at_worst in the JSON tells a generator stall from a DUT "
          "dip)" % scen[0]["bin_ms"])
    write(o, "reload", {"command": "ixgate-bench reload " + " ".join(argv),
                        "machine": machine(), "options": vars(o),
                        "max_loss_free_pps": mx, "rate_pps": rate,
                        "scenarios": scen, "runs": runs})
    return 0 if all(s["unexpected_loss"] == 0 for s in scen) else 1
