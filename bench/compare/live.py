# SPDX-License-Identifier: BSD-3-Clause
"""ixgate-bench latency and ixgate-bench reload: DUTs fed live by ixgate-gen
over two net_memif ports (the DUT is the memif server of both, the
generator the client), on two cores. Method and results:
bench/README-compare.md (latency) and bench/README-reload.md (reload).

latency: testpmd io, l3fwd LPM and ixgate (--duts) on the real table of
`compare` (l3fwd routes from the rule files written beside it), each
started once and frozen while another is measured; per DUT the maximum
loss-free rate (a max-rate run, then rates stepping down from what it
achieved until a run loses nothing and reaches its target; every DUT's
step before the next step), then runs at 10%, 50% and 90% of it
(interleaved over the DUTs): loss and latency p50/p99/p99.9 per load.

reload: at 90% of ixgate's maximum loss-free rate (or --rate), while
traffic flows, drive ixgate-control through ixgatectl: a one-peer change
and N back-to-back small commits (on demo.conf, or with --full-table on
the real table, where full-table replaces follow); per scenario the
packets lost (ixgate-gen's unexpected loss), the reload wall time
(ixgatectl reload -> reply) and the worst 10 ms receive bin around the
reloads against the median bin.
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

import duts as D  # noqa: E402
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


def spawn_logged(argv, errpath):
    """Start argv in its own session, stdout and stderr to errpath."""
    with open(errpath, "w") as f:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=f,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)


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
    a("--config", default=None,
      help="ixgate config whose first two ports become memif servers "
      "(reload: config/demo.conf; latency: the real-data table of "
      "`compare`, which l3fwd's rule files come from; a --config of "
      "your own runs with --duts testpmd,ixgate)")
    a("--duration", "-d", type=float, default=5,
      help="seconds per generator run (5)")
    a("--sizes", default="64", help="64, imix or N (64)")
    a("--v6", default="0.3", help="IPv6 share (0.3)")
    a("--mix", default="clear,forward=1",
      help="ixgate-gen --mix (clear,forward=1)")
    a("--skew", action="store_true", help="skewed destinations")
    a("--seed", default="1", help="traffic seed (1)")
    a("--dp-cores", default="0,1",
      help="DUT lcores: main,forwarding (0,1)")
    a("--gen-core", default="0", help="generator lcore (0)")
    a("--rate", type=float, default=0,
      help="skip the search: use this as the maximum loss-free rate (pps)")
    a("--dp-mem", type=int, default=0,
      help="ixgate's EAL memory, MB (--no-huge -m; default 1024, 4096 "
      "for latency on the full table, 8192 for reload on the real table: "
      "two snapshots and the warm spare FIBs)")
    a("--ready-timeout", type=int, default=600,
      help="seconds the DUTs (and ixgate-control) may take to load "
      "and commit the tables (600)")
    a("--data", default="bench/data",
      help="real data (bench/fetch-data.sh)")
    a("--peers", type=int, default=64, help="real table: peers (64)")
    a("--acl-rules", type=int, default=10000,
      help="real table: ACL rules (10000)")
    a("--deaggregate", action="store_true",
      help="real table: 1.2M + 300k routes instead of the real 565k + 168k")
    if cmd == "latency":
        a("--duts", default=",".join(D.MEMIF_DUTS),
          help="DUTs, measured in this order, interleaved (%s)" %
          ",".join(D.MEMIF_DUTS))
        a("--table-routes", type=int, default=0,
          help="real table cut to N routes per family "
          "(ixgate-mkconfig --table-routes; 0: the full table)")
        a("--rounds", type=int, default=1,
          help="rounds of the 10/50/90%% loads over the DUTs (1)")
        a("--l3fwd", default="build-l3fwd/l3fwd",
          help="l3fwd binary, built by bench/l3fwd/build.sh if missing")
    if cmd == "reload":
        a("--commits", type=int, default=None,
          help="back-to-back small commits (100 on demo.conf, 20 with "
          "--full-table)")
        a("--full-table", action="store_true",
          help="on the real table (ixgate-mkconfig, bench/data) instead of "
          "demo.conf: the one-peer change, the back-to-back commits and "
          "full-table replaces, every peer renamed to the next one, so "
          "every route, source and per-peer ACL rule changes owner")
        a("--full-reloads", type=int, default=2,
          help="full-table replaces, alternating there and back (2)")
        a("--scenarios", default=None,
          help="comma list of one-peer, commits, full-replace (default: "
          "one-peer,commits; with --full-table all three)")
    o = p.parse_args(argv)
    full = getattr(o, "full_table", False)
    if cmd == "reload":
        if o.commits is None:
            o.commits = 20 if full else 100
        if o.scenarios is None:
            o.scenarios = "one-peer,commits" + (",full-replace" if full
                                                else "")
        o.scenarios = [x for x in o.scenarios.split(",") if x]
        for x in o.scenarios:
            if x not in ("one-peer", "commits", "full-replace"):
                p.error("--scenarios: unknown '%s' (one-peer, commits, "
                        "full-replace)" % x)
        if "full-replace" in o.scenarios and not full:
            p.error("--scenarios full-replace needs --full-table")
        if o.commits < 1 or o.full_reloads < 1:
            p.error("--commits and --full-reloads must be >= 1")
        if o.config is None and not full:
            o.config = "config/demo.conf"
    if cmd == "latency":
        o.duts = [d for d in o.duts.split(",") if d]
        for d in o.duts:
            if d not in D.MEMIF_DUTS:
                p.error("--duts: unknown DUT '%s' (%s)" % (
                    d, ", ".join(D.MEMIF_DUTS)))
        if not o.duts:
            p.error("--duts: none given")
        if o.config and "l3fwd-lpm" in o.duts:
            p.error("--config with l3fwd-lpm: l3fwd routes from the rule "
                    "files ixgate-mkconfig writes beside the real table; "
                    "leave --config out, or use --duts testpmd,ixgate")
        if o.table_routes < 0 or o.rounds < 1:
            p.error("--table-routes >= 0, --rounds >= 1")
    if not o.dp_mem:
        if cmd == "reload":
            o.dp_mem = 8192 if full else 1024
        else:
            o.dp_mem = 4096 if not o.config and not o.table_routes \
                else 1024
    for k in ("build", "out", "config", "data", "l3fwd"):
        v = getattr(o, k, None)
        if v and not os.path.isabs(v):
            setattr(o, k, os.path.join(TOP, v))
    if o.duration <= 0:
        p.error("--duration must be > 0")
    return o


def real_table(o, mk_extra=()):
    """The untagged real-data config of `compare` (same cache) and its
    l3fwd rule files, for ixgate-mkconfig --peers/--acl-rules/
    --deaggregate plus mk_extra. Returns setup.ensure_config's paths."""
    cbins = S.ensure_build(TOP, o.build, o.no_build)
    S.ensure_data(TOP, o.data)
    mk = ["--peers", str(o.peers), "--acl-rules", str(o.acl_rules)]
    if o.deaggregate:
        mk.append("--deaggregate")
    mk += list(mk_extra)
    return S.ensure_config(cbins, o.data, os.path.join(o.data, "compare"),
                           mk)


def config_ports(conf):
    """The names of the first two ports of a config file, in order."""
    names = re.findall(r"^port (\S+) \{", open(conf).read(), re.M)
    if len(names) < 2:
        die("%s: needs two ports (p0, p1)" % conf)
    return names[:2]


def exit_status(p):
    """A Popen's end, in words: 'status N' or 'signal NAME'."""
    rc = p.poll()
    if rc is not None and rc < 0:
        try:
            return "killed by %s" % signal.Signals(-rc).name
        except ValueError:
            return "signal %d" % -rc
    return "status %s" % rc


class Gen:
    """ixgate-gen runs, each a new process on o.gen_core, client of two
    net_memif sockets, sending o's traffic for `conf` into its first port
    and receiving on both."""

    def __init__(self, o, path, conf, ports, work, prefix, bins):
        self.o = o
        self.path = path
        self.conf = conf
        self.ports = ports
        self.work = work
        self.prefix = prefix
        self.bins = bins
        self.runs = 0

    def argv(self, socks, rate, duration, json_path):
        o = self.o
        devs = []
        for d in D.memif_devs(socks, "client"):
            devs += ["--vdev", d]
        self.runs += 1
        argv = [self.path, "-l", o.gen_core, "--no-huge", "-m",
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

    def start(self, socks, rate, duration, label, spawn):
        """Starts one run through spawn(argv, errpath) -> Popen; returns
        the handle for finish()."""
        path = os.path.join(self.work, "gen-%s.json" % label)
        err = os.path.join(self.work, "gen-%s.err" % label)
        p = spawn(self.argv(socks, rate, duration, path), err)
        return p, path, err, self.runs

    def finish(self, handle, timeout):
        """(ixgate-gen's JSON, None), or (None, why) if the run failed."""
        p, path, err, n = handle
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            rc = -9
        shutil.rmtree(runtime_dir("%s-gen%d" % (self.prefix, n)),
                      ignore_errors=True)
        if rc != 0 or not os.path.exists(path):
            return None, "ixgate-gen failed (exit %s)" % rc
        return json.load(open(path)), None

    def run(self, socks, rate, duration, label, spawn, alive=None):
        """start + finish, again (up to 5 tries, 2 s apart) when the memif
        server refused the connection: it had not yet dropped the previous
        run's (its control thread shares a busy core). Returns (JSON,
        None) or (None, why), and the last handle."""
        for attempt in range(5):
            h = self.start(socks, rate, duration, label, spawn)
            g, why = self.finish(h, duration + 120)
            if g is not None:
                return g, None, h
            try:
                refused = "Failed to connect socket" in open(h[2]).read()
            except OSError:
                refused = False
            if not refused or (alive and not alive()):
                break
            log("ixgate-gen: memif connection refused, again in 2 s")
            time.sleep(2)
        return None, why, h


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
        self.ports = config_ports(self.o.config)
        self.socks = [os.path.join(self.work, "m%d.sock" % i)
                      for i in range(2)]
        for n, dev in zip(self.ports, D.memif_devs(self.socks, "server")):
            text = re.sub(r"(^port %s \{.*?device \")[^\"]*(\";)" % n,
                          lambda m: m.group(1) + dev + m.group(2), text,
                          count=1, flags=re.M | re.S)
        open(conf, "w").write(text)
        return conf

    def start(self, paths):
        self.paths = paths
        self.gen = Gen(self.o, paths["gen"], self.conf, self.ports,
                       self.work, self.prefix, self.bins)
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
                              re.search(r'"result": "(ok|adopted)"',
                                        open(self.audit).read()),
                              self.o.ready_timeout):
                self.fail("ixgate-control made no first commit", err)

    def _spawn(self, argv, errpath):
        p = spawn_logged(argv, errpath)
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

    def gen_start(self, rate, duration, label):
        return self.gen.start(self.socks, rate, duration, label, self._spawn)

    def gen_finish(self, handle, timeout):
        g, why = self.gen.finish(handle, timeout)
        if self.dp.poll() is not None:
            self.fail("the dataplane exited (%s)" % exit_status(self.dp),
                      self.dp_err)
        if g is None:
            self.fail(why, handle[2])
        return g

    def gen_run(self, rate, duration, label):
        g, why, h = self.gen.run(self.socks, rate, duration, label,
                                 self._spawn,
                                 lambda: self.dp.poll() is None)
        if self.dp.poll() is not None:
            self.fail("the dataplane exited (%s)" % exit_status(self.dp),
                      self.dp_err)
        if g is None:
            self.fail(why, h[2])
        return g

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
        "loadavg": os.getloadavg()[0],
    }


def ok_run(s):
    """Loss-free and the generator reached 95% of its target."""
    return (s["unexpected_loss"] == 0 and s["unexpected_forward"] == 0 and
            (s["target_pps"] == 0 or s["sent_pps"] >= 0.95 * s["target_pps"]))


SEARCH_STEPS = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)


def search_max(keys, run, o, runs):
    """The maximum loss-free rate of each key (a DUT): a max-rate run,
    then 100, 90, 80, 70, 60, 50% of what it achieved until a run is ok.
    Interleaved: each step runs every key still searching before the next
    step, so a drift of the machine falls on every DUT alike. run(key,
    rate, label) -> summary. Returns {key: (rate, max-rate run pps or
    None, found)}; not found: 50% of the max-rate run, unverified."""
    if o.rate > 0:
        log("maximum loss-free rate given: %.0f pps" % o.rate)
        return {k: (o.rate, None, True) for k in keys}
    top = {}
    for k in keys:
        s = run(k, 0, "max")
        runs.append(dict(s, phase="max-rate", dut=k))
        top[k] = s["sent_pps"]
        log("%s max-rate run: sent %.3f Mpps, forwarded %.3f Mpps, loss %d"
            % (k, top[k] / 1e6, s["rx_pps"] / 1e6, s["unexpected_loss"]))
    out = {}
    for frac in SEARCH_STEPS:
        for k in keys:
            if k in out:
                continue
            rate = top[k] * frac
            s = run(k, rate, "search%d" % (frac * 100))
            runs.append(dict(s, phase="search", dut=k))
            log("%s %.3f Mpps: sent %.3f, loss %d -> %s" % (
                k, rate / 1e6, s["sent_pps"] / 1e6, s["unexpected_loss"],
                "ok" if ok_run(s) else "no"))
            if ok_run(s):
                out[k] = (rate, top[k], True)
    for k in keys:
        if k not in out:
            log("%s: no loss-free step down to 50%%; using 50%% of the "
                "max-rate run, unverified" % k)
            out[k] = (top[k] * 0.5, top[k], False)
    return out


def find_max(rig, o, runs):
    """search_max for the Rig's one dataplane: (rate, max-rate run)."""
    r = search_max(["ixgate"], lambda k, rate, label: summary(
        rig.gen_run(rate, o.duration, label)), o, runs)["ixgate"]
    return r[0], r[1]


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


# EAL memory of the reference DUTs (as in `compare`; ixgate: --dp-mem).
REF_MEM = {"testpmd": 256, "l3fwd-lpm": 1024}


class MemifDuts:
    """The DUTs of `latency`, each on its own pair of net_memif server
    sockets in a private work directory, started once and frozen
    (SIGSTOP) whenever another one is measured, so the DUT measured has
    its cores to itself, as in `compare`."""

    def __init__(self, o, paths, conf, ports, table):
        self.o = o
        pid = os.getpid()
        self.work = os.path.join("/tmp", "ixgb-lat-%d" % pid)
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        self.prefix = "ixgb-lat-%d" % pid
        self.gen = Gen(o, paths["gen"], conf, ports, self.work, self.prefix,
                       10)
        self.dpaths = {"dataplane": paths["dataplane"], "config": conf,
                       "ports": ports,
                       "testpmd": shutil.which("dpdk-testpmd"),
                       "l3fwd_rules": table["l3fwd"] if table else None}
        self.duts = {}
        self.skipped = {}
        self.gens = []
        self.restarts = {}

    def start(self):
        o = self.o
        for name in o.duts:
            if name == "testpmd" and not self.dpaths["testpmd"]:
                self.skipped[name] = "dpdk-testpmd not found (apt-get " \
                    "install dpdk)"
                continue
            if name == "l3fwd-lpm":
                self.dpaths["l3fwd"] = S.ensure_l3fwd(TOP, o.l3fwd)
                if not self.dpaths["l3fwd"]:
                    self.skipped[name] = "l3fwd not built and " \
                        "bench/l3fwd/build.sh failed"
                    continue
            socks = [os.path.join(self.work, "%s-m%d.sock" % (name, i))
                     for i in range(2)]
            prefix = "%s-%s" % (self.prefix, name)
            mem = o.dp_mem if name == "ixgate" else REF_MEM[name]
            d = D.Dut(name, D.memif_command(name, o, self.dpaths, prefix,
                                            mem, socks), prefix, self.work)
            d.ready_log = D.MEMIF_READY[name]
            d.socks = socks
            self.duts[name] = d
        for name, why in self.skipped.items():
            log("skipping %s: %s" % (name, why))
        for d in self.duts.values():
            d.start()
        log("loading %s (l3fwd: 1-3 min on the full table)" %
            ", ".join(self.duts))
        D.wait_ready(list(self.duts.values()), o.ready_timeout)
        for name, d in list(self.duts.items()):
            if d.error:
                self.skipped[name] = d.error
                del self.duts[name]
        if not self.duts:
            self.stop()
            die("no DUT could run (logs: %s)" % self.work)

    def _spawn(self, argv, errpath):
        p = spawn_logged(argv, errpath)
        self.gens.append(p)
        return p

    def run(self, name, rate, label):
        """One generator run against DUT `name` (thawed for it): its
        summary. A DUT that died during the run (DPDK 22.11's memif PMD
        can crash a server polling its rings while the client
        disconnects: bench/README-compare.md) is restarted and the run
        made again, up to MAX_RESTARTS times per DUT, counted in the
        JSON; any other failure ends the benchmark."""
        while True:
            d = self.duts[name]
            d.thaw()
            try:
                g, why, h = self.gen.run(d.socks, rate, self.o.duration,
                                         "%s-%s" % (name, label),
                                         self._spawn, d.alive)
            finally:
                d.freeze()
            if d.alive() and g is not None:
                break
            if not d.alive() and \
                    self.restarts.get(name, 0) < self.MAX_RESTARTS:
                self.restarts[name] = self.restarts.get(name, 0) + 1
                log("%s %s during run %s; restarting it (%d/%d)" % (
                    name, exit_status(d.proc), label, self.restarts[name],
                    self.MAX_RESTARTS))
                self.restart(name)
                continue
            try:
                tail = open(h[2], errors="replace").read()[-1500:]
            except OSError:
                tail = ""
            msg = ("%s: %s; generator log tail:\n%s\nDUT log tail (%s):\n%s"
                   % (name, why if d.alive() else "the DUT exited (%s)" %
                      exit_status(d.proc), tail, d.log_path, d.log_tail()))
            self.stop()
            die(msg)
        s = summary(g)
        s["dut"] = name
        return s

    MAX_RESTARTS = 3

    def restart(self, name):
        """A new process for DUT `name`, same command and sockets."""
        old = self.duts[name]
        old.stop()
        d = D.Dut(name, old.argv, old.prefix, self.work)
        d.ready_log = old.ready_log
        d.socks = old.socks
        d.log_path = "%s.restart%d" % (old.log_path, self.restarts[name])
        for sock in d.socks:
            if os.path.exists(sock):
                os.unlink(sock)
        self.duts[name] = d
        d.start()
        D.wait_ready([d], self.o.ready_timeout)
        if d.error:
            self.stop()
            die("%s: restart failed: %s\n%s" % (name, d.error,
                                                d.log_tail()))

    def stop(self):
        for p in self.gens:
            if p.poll() is None:
                p.kill()
                p.wait()
        for d in self.duts.values():
            d.stop()
        if os.environ.get("KEEP") != "1":
            shutil.rmtree(self.work, ignore_errors=True)


def latency_main(argv):
    o = parse_args("latency", argv)
    paths = build(o)
    table = None
    if o.config:
        conf = o.config
    else:
        table = real_table(o, ["--table-routes", str(o.table_routes)]
                           if o.table_routes else [])
        conf = table["config"]
    ports = config_ports(conf)
    bench = MemifDuts(o, paths, conf, ports, table)
    runs = []
    res = {}
    load0 = os.getloadavg()
    try:
        bench.start()
        names = list(bench.duts)
        mx = search_max(names, bench.run, o, runs)
        for n in names:
            res[n] = {"max_loss_free_pps": mx[n][0],
                      "max_rate_run_pps": mx[n][1],
                      "max_loss_free_verified": mx[n][2], "loads": []}
        # Loads interleaved: every DUT at 10%, then every DUT at 50%, ...
        for rnd in range(o.rounds):
            for pct in (10, 50, 90):
                for n in names:
                    s = bench.run(n, mx[n][0] * pct / 100,
                                  "load%d-r%d" % (pct, rnd + 1))
                    s.update({"load_pct": pct, "round": rnd + 1})
                    runs.append(dict(s, phase="load"))
                    res[n]["loads"].append(s)
                    log("%s %d%%: sent %.3f Mpps, lost %d, p50 %.1f us, "
                        "p99.9 %.1f us" % (
                            n, pct, s["sent_pps"] / 1e6,
                            s["unexpected_loss"],
                            s["latency_ns"]["p50"] / 1e3,
                            s["latency_ns"]["p999"] / 1e3))
    finally:
        bench.stop()
    what = (os.path.relpath(conf, TOP) if o.config else
            "real table%s, %d peers, %d ACL rules (%s)" % (
                " cut to %d routes per family" % o.table_routes
                if o.table_routes else "", o.peers, o.acl_rules,
                os.path.relpath(conf, TOP)))
    print("ixgate-bench latency: DUTs over two net_memif ports (lcores %s), "
          "ixgate-gen on lcore %s, %s" % (o.dp_cores, o.gen_core, what))
    print("traffic: --sizes %s --v6 %s --mix %s%s; load average %.2f at "
          "start" % (o.sizes, o.v6, o.mix, " --skew" if o.skew else "",
                     load0[0]))
    print("%-10s %11s %12s %5s %10s %10s %10s %6s %9s %9s %9s %9s %5s" % (
        "DUT", "max-rate", "loss-free", "load", "target pps", "sent pps",
        "fwd pkts", "lost", "p50 us", "p99 us", "p99.9 us", "max us",
        "ldavg"))
    for n, r in res.items():
        for i, s in enumerate(r["loads"]):
            first = i == 0
            print("%-10s %11s %12s %4d%% %10.0f %10.0f %10d %6d %s %5.1f" % (
                n if first else "",
                ("%.3f Mpps" % (r["max_rate_run_pps"] / 1e6)
                 if r["max_rate_run_pps"] else "--rate") if first else "",
                ("%.3f Mpps%s" % (r["max_loss_free_pps"] / 1e6,
                                  "" if r["max_loss_free_verified"]
                                  else "*")) if first else "",
                s["load_pct"], s["target_pps"], s["sent_pps"],
                s["forward_received"], s["unexpected_loss"], fmt_lat(s),
                s["loadavg"]))
    if any(not r["max_loss_free_verified"] for r in res.values()):
        print("* no step down to 50% was loss-free at 95% of its target: "
              "50% of the max-rate run, not verified")
    for n, why in bench.skipped.items():
        print("skipped %s: %s" % (n, why))
    for n, k in bench.restarts.items():
        print("%s died during a run and was restarted %d time(s); its "
              "runs were made again (see bench/README-compare.md)" % (n, k))
    write(o, "latency", {"command": "ixgate-bench latency " + " ".join(argv),
                         "machine": machine(), "options": vars(o),
                         "config": conf, "ports": ports,
                         "mkconfig_args": table["mkconfig_args"]
                         if table else None,
                         "method": "each DUT on two net_memif server ports, "
                         "started once, frozen (SIGSTOP) while another is "
                         "measured; one ixgate-gen process per run, "
                         "client of both sockets, sending into the first "
                         "port and receiving on both; loss and latency "
                         "per packet from the payload signature",
                         "loadavg_start": load0,
                         "loadavg_end": os.getloadavg(),
                         "duts": res, "skipped": bench.skipped,
                         "dut_restarts": bench.restarts,
                         "runs": runs})
    return 0


# The edit of test_control_storm.sh: 100.127.254.0/24 is inside
# 100.64.0.0/10, which demo.conf's ACL denies before any route lookup, so
# no verdict of the generated traffic depends on it.
PEER_FILE = "peers.d/asean.conf"
EDIT = ("\t\t115.84.64.0/18;\n", "\t\t115.84.64.0/18;\n\t\t100.127.254.0/24;\n")
# On the real table: the same prefix appended to the first peer's
# announce-file (bgpq4 form). The real data has no route in 100.64.0.0/10
# (RFC 6598 shared space, allocated to no network), and the generator
# aims only at routes of the config it loaded, so the change is that
# peer's routes and source-validation set, and no verdict of the traffic.
REAL_EDIT = "100.127.254.0/24\n"


def one_peer_edit(conf_dir):
    """(file, original text, edited text) of the one-peer change of the
    config in conf_dir: demo.conf's asean.conf, or the real table's first
    peer's prefix file."""
    pf = os.path.join(conf_dir, PEER_FILE)
    if os.path.exists(pf) and EDIT[0] in open(pf).read():
        orig = open(pf).read()
        return pf, orig, orig.replace(EDIT[0], EDIT[1], 1)
    for f in sorted(glob.glob(os.path.join(conf_dir, "peers.d", "*.conf"))):
        m = re.search(r'^\s*announce-file "([^"]+)";', open(f).read(), re.M)
        if not m:
            continue
        pf = os.path.normpath(os.path.join(os.path.dirname(f), m.group(1)))
        orig = open(pf).read()
        if REAL_EDIT in orig:
            die("%s: already has %s" % (pf, REAL_EDIT.strip()))
        return pf, orig, orig + REAL_EDIT
    die("%s: no one-peer edit (needs demo.conf's %s, or a peer with an "
        "announce-file)" % (conf_dir, PEER_FILE))


def reload_scenario(rig, o, rate, label, reloads, duration):
    """Traffic at rate; after ~2 s, `reloads` ixgatectl reloads
    alternating the one-peer edit. duration None: the generator runs
    until 2 s after the last reload (a table that takes long to load or
    commit). Returns the scenario's figures."""
    pf, orig, edited = one_peer_edit(os.path.dirname(rig.conf))

    def edit(i):
        with open(pf, "w") as f:
            f.write(edited if i % 2 == 0 else orig)

    def restore():
        with open(pf, "w") as f:
            f.write(orig)
    return under_load(rig, o, rate, label, reloads, edit, restore,
                      duration)


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
    # The memif server drops the previous run's connection first (see
    # Gen.run).
    time.sleep(1)
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
        # The real table of `compare` (same cache): the untagged form.
        o.config = real_table(o)["config"]
    rig = Rig(o, 10, with_control=True)
    runs = []
    scen = []
    try:
        rig.start(paths)
        mx, top = find_max(rig, o, runs)
        rate = 0.9 * mx
        log("reload scenarios at %.3f Mpps (90%% of %.3f)" % (rate / 1e6,
                                                              mx / 1e6))
        for name in o.scenarios:
            if name == "one-peer":
                # demo.conf: long enough for the commits at ~0.3 s each
                # here plus 2 s before and after; the real table: until
                # 2 s after the last reply.
                scen.append(reload_scenario(
                    rig, o, rate, "one-peer", 1,
                    None if o.full_table else max(o.duration, 4.5)))
            elif name == "commits":
                scen.append(reload_scenario(
                    rig, o, rate, "commits-%d" % o.commits, o.commits,
                    None if o.full_table else
                    max(o.duration, 4 + 0.5 * o.commits)))
            else:
                scen.append(full_table_scenario(rig, o, rate,
                                                o.full_reloads))
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
