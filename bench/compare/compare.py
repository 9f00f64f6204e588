# SPDX-License-Identifier: BSD-3-Clause
"""ixgate-bench compare: testpmd io, l3fwd LPM, l3fwd ACL and ixgate side by
side, in one run, interleaved rounds, same virtual devices, same traffic.
Method and results: bench/README-compare.md.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import duts as D  # noqa: E402
import report  # noqa: E402
import setup as S  # noqa: E402
from setup import die, log  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

# EAL memory (--no-huge: only what is touched is used). The real table's
# LPM6 tbl8 groups alone are 256 MiB in l3fwd; ixgate's tables need ~2 GiB
# of address space (source-validation and country FIBs beside the routes).
MEM = {"testpmd": 256, "l3fwd-lpm": 1024, "l3fwd-acl": 1024, "ixgate": 4096,
       "ovs": 1024}


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="ixgate-bench compare",
        description="testpmd io, l3fwd LPM/ACL and ixgate in interleaved "
        "rounds on the same virtual devices and traffic (net_pcap "
        "infinite_rx -> net_null, one forwarding core).")
    a = p.add_argument
    a("--scenarios", default=None, metavar="LIST",
      help="scenario loops instead of one comparison: 'throughput' "
      "(64B/IMIX, IPv4-only/IPv6-only/mixed, 16 routes vs full table, "
      "uniform vs skewed), 'features' (ixgate with each stage toggled), "
      "'all', scenario names (--list-scenarios), or a+b to run "
      "scenarios in one phase")
    a("--list-scenarios", action="store_true",
      help="print the scenarios and exit")
    a("--duration", "-d", type=float, default=None,
      help="measured window per DUT per round, seconds (10; 5 with "
      "--scenarios)")
    a("--rounds", "-r", type=int, default=3, help="rounds (3)")
    a("--huge", action="store_true",
      help="run every DUT on 2 MiB hugepages instead of --no-huge "
      "(reserve ~1,400 first: echo 1400 > /proc/sys/vm/nr_hugepages)")
    a("--warmup", type=float, default=None,
      help="seconds a thawed DUT runs before the window (2; 1 with "
      "--scenarios)")
    a("--duts", default=None,
      help="comma list, run in this order each round (%s; with "
      "--scenarios: testpmd,l3fwd-lpm,ixgate for throughput, ixgate for "
      "features)" % ",".join(D.ORDER))
    a("--build", default="build", help="meson build directory (build)")
    a("--no-build", action="store_true",
      help="run the programs already built in --build, without ninja")
    a("--l3fwd", default="build-l3fwd/l3fwd",
      help="l3fwd binary, built by bench/l3fwd/build.sh if missing")
    a("--data", default="bench/data", help="real data (bench/fetch-data.sh)")
    a("--out", default="bench/results", help="where results go")
    a("--core", type=int, default=1, help="forwarding lcore (1)")
    a("--main-core", type=int, default=0,
      help="main lcore of testpmd and ixgate (0)")
    a("--workers", type=int, default=1,
      help="ixgate's workers (1): with 2, net_pcap gives p0 two RX queues "
      "(the same capture, replayed by each) and the workers run on --core "
      "and --main-core, the main lcore sharing the latter (ixgate only)")
    # Table: ixgate-mkconfig's arguments.
    a("--deaggregate", action="store_true",
      help="1.2M + 300k routes (real prefixes + more-specifics) instead of "
      "the real 565k + 168k; l3fwd then loads for ~3+ minutes")
    a("--peers", type=int, default=64, help="peers (64)")
    a("--acl-rules", type=int, default=10000, help="ixgate ACL rules (10000)")
    a("--mkconfig-arg", action="append", default=[],
      help="extra ixgate-mkconfig argument (repeatable)")
    # Traffic: ixgate-pcapgen's arguments.
    a("--packets", type=int, default=4096, help="frames in the pcap (4096)")
    a("--sizes", default="64", help="64, imix or N (64)")
    a("--v6", default="0.3", help="IPv6 share (0.3)")
    a("--mix", default="clear,forward=1",
      help="pcapgen --mix (clear,forward=1: every frame forwardable by "
      "every DUT; 'default' for pcapgen's realistic mix with drops)")
    a("--skew", action="store_true", help="skewed destinations")
    a("--seed", default="1", help="traffic seed (1)")
    # Instructions per packet.
    a("--callgrind", action="store_true",
      help="also count instructions per packet under callgrind")
    a("--callgrind-only", action="store_true",
      help="with --scenarios: instructions per packet only, no timed "
      "rounds (a loaded machine's cycles are noise; saves a table load "
      "per phase)")
    a("--callgrind-seconds", type=float, default=20,
      help="callgrind window per DUT, seconds (20)")
    a("--callgrind-packets", type=int, default=1000000,
      help="and at least this many packets (1000000)")
    a("--ready-timeout", type=int, default=600,
      help="seconds a DUT may take to load its tables (600)")
    a("--no-plot", action="store_true", help="no gnuplot PNG")
    a("--tsc-hz", type=float, default=0,
      help="TSC frequency (default: from dmesg or /proc/cpuinfo)")
    o = p.parse_args(argv)
    if o.duration is None:
        o.duration = 5 if o.scenarios else 10
    if o.warmup is None:
        o.warmup = 1 if o.scenarios else 2
    o.duts_given = o.duts is not None
    if o.duts is None:
        o.duts = ",".join(D.ORDER)
    o.duts = [d for d in o.duts.split(",") if d]
    for d in o.duts:
        if d not in D.ORDER + D.OPTIONAL:
            p.error("unknown DUT '%s' (%s)" % (d, ", ".join(D.ORDER +
                                                           D.OPTIONAL)))
    if not 1 <= o.workers <= 2:
        p.error("--workers 1 or 2")
    if o.workers > 1 and (o.duts != ["ixgate"] or o.scenarios):
        p.error("--workers applies to ixgate alone: add --duts ixgate")
    if o.callgrind_only:
        if not o.scenarios:
            p.error("--callgrind-only applies to --scenarios")
        o.callgrind = True
    if o.duration <= 0 or o.rounds < 1 or o.warmup < 0:
        p.error("--duration > 0, --rounds >= 1, --warmup >= 0")
    for k in ("build", "l3fwd", "data", "out"):
        v = getattr(o, k)
        if not os.path.isabs(v):
            setattr(o, k, os.path.join(TOP, v))
    return o


def sh(argv):
    try:
        return subprocess.run(argv, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True,
                              cwd=TOP).stdout.strip()
    except OSError:
        return ""


def tsc_hz():
    """The TSC frequency the kernel measured, else the nominal CPU MHz."""
    text = sh(["dmesg"])
    m = re.findall(r"tsc: (?:Refined TSC clocksource calibration|Detected)"
                   r":? ([0-9.]+) MHz", text)
    if m:
        return float(m[-1]) * 1e6
    with open("/proc/cpuinfo") as f:
        m = re.search(r"cpu MHz\s*:\s*([0-9.]+)", f.read())
    return float(m.group(1)) * 1e6 if m else 0.0


def machine_info():
    with open("/proc/cpuinfo") as f:
        cpuinfo = f.read()
    m = re.search(r"model name\s*:\s*(.*)", cpuinfo)
    return {
        "cpu": m.group(1).strip() if m else platform.processor(),
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "os": sh(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
        "dpdk": sh(["pkg-config", "--modversion", "libdpdk"]),
        "gcc": sh(["gcc", "-dumpfullversion"]),
        "valgrind": sh(["valgrind", "--version"]),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") *
                            os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "git_commit": sh(["git", "rev-parse", "HEAD"]),
        "git_dirty": bool(sh(["git", "status", "--porcelain",
                              "--untracked-files=no"])),
    }


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def measure(d, o, hz):
    """One round of DUT d: thaw, warm up, window, freeze. Returns the run's
    record."""
    d.thaw()
    time.sleep(o.warmup)
    cpu0 = d.thread_cpu_ns()
    t0, s0 = d.tel.port_stats(d.ports)
    time.sleep(o.duration)
    t1, s1 = d.tel.port_stats(d.ports)
    cpu1 = d.thread_cpu_ns()
    d.freeze()
    wall = t1 - t0

    def delta(key, ports=None):
        return sum(s1[p][key] - s0[p][key] for p in (ports or d.ports))
    rx = delta("ipackets")
    tx = delta("opackets")
    # The forwarding threads are the ones that used the most CPU in the
    # window (one per worker).
    used = sorted((cpu1[t] - cpu0.get(t, 0) for t in cpu1), reverse=True)
    busy = sum(used[:getattr(o, "workers", 1)]) / 1e9
    r = {
        "dut": d.name,
        "window_s": wall,
        "rx_packets": rx,
        "tx_packets": tx,
        "rx_bytes": delta("ibytes"),
        "imissed": delta("imissed"),
        "rx_nombuf": delta("rx_nombuf"),
        "oerrors": delta("oerrors"),
        "mpps": rx / wall / 1e6,
        "tx_mpps": tx / wall / 1e6,
        "gbps": delta("ibytes") * 8 / wall / 1e9,
        # + 24 bytes a frame on the wire: FCS, preamble, inter-frame gap.
        "gbps_wire": (delta("ibytes") + 24 * rx) * 8 / wall / 1e9,
        "forwarded_pct": 100.0 * tx / rx if rx else 0.0,
        "fwd_thread_cpu_s": busy,
        "core_share": busy / wall,
        "cycles_per_packet": hz * wall / rx if rx else None,
        "cycles_per_packet_cpu": hz * busy / rx if rx else None,
        "loadavg": loadavg()[0],
    }
    if d.scenario:
        r["scenario"] = d.scenario
    return r


def start_duts(o, entries, prefix_base, logdir, skipped, cg_dir=None):
    """Starts one process per entry (scenario or None, DUT name, paths),
    natively or under callgrind (cg_dir), and waits until each forwards
    (then frozen) or fails (recorded in skipped). Returns the live ones."""
    duts = []
    for sc, name, paths in entries:
        key = "%s/%s" % (sc, name) if sc else name
        tag = key.replace("/", "--")
        if cg_dir is None:
            prefix = "%s-%s" % (prefix_base, tag)
            d = D.Dut(name, D.command(name, o, paths, prefix, MEM[name]),
                      prefix, logdir, scenario=sc)
        else:
            prefix = "%s-cg-%s" % (prefix_base, tag)
            mem = 256 if name == "testpmd" else MEM[name]
            argv = ["valgrind", "--tool=callgrind", "--fair-sched=yes",
                    "--instr-atstart=no",
                    # %p: the pid, so the "full" DUT of each phase of
                    # --scenarios features keeps its own dump
                    "--callgrind-out-file=%s/callgrind.out.%s.%%p" % (cg_dir,
                                                                    tag)
                    ] + D.command(name, o, paths, prefix, mem)
            d = D.Dut(name, argv, prefix, logdir, scenario=sc)
            d.log_path = os.path.join(logdir, tag + ".callgrind.log")
        if name == "ovs":
            d.ready_file = os.path.join(D.ovs_rundir(prefix), "ready")
        duts.append(d)
    try:
        for d in duts:
            d.start()
        log("loading %s%s" % (", ".join(d.key for d in duts),
                              " under valgrind" if cg_dir else ""))
        D.wait_ready(duts, o.ready_timeout * (4 if cg_dir else 1))
    except BaseException:
        for d in duts:
            d.stop()
        raise
    for d in duts:
        if d.error:
            skipped[d.key] = d.error
        else:
            d.read_memory()
    return duts


def run_rounds(o, hz, duts, skipped):
    """o.rounds interleaved rounds over the live DUTs (in list order).
    Returns the runs."""
    runs = []
    live = [d for d in duts if not d.error]
    for r in range(o.rounds):
        for d in live:
            if not d.alive():
                if d.key not in skipped:
                    skipped[d.key] = "died during round %d" % (r + 1)
                    log("%s died: %s" % (d.key, d.log_tail()))
                continue
            rec = measure(d, o, hz)
            rec["round"] = r + 1
            runs.append(rec)
            log("round %d/%d %-22s %7.2f Mpps  %6.1f cyc/pkt  %6.1f CPU "
                "cyc/pkt  core %3.0f%%  fwd %5.1f%%" % (
                    r + 1, o.rounds, d.key, rec["mpps"],
                    rec["cycles_per_packet"] or 0,
                    rec["cycles_per_packet_cpu"] or 0,
                    100 * rec["core_share"], rec["forwarded_pct"]))
    return runs


# A function each DUT calls once per packet, or once per full burst of
# 32 (the traffic is replayed from memory: every non-empty burst is
# full), so that the packets of a callgrind window are counted by
# callgrind itself, over exactly the instructions it counted. The
# telemetry counters before and after the window only bound that count
# (callgrind_control acts some time after it is asked), by +-2-15% under
# load. testpmd has no symbol to count: bounds only.
PACKET_COUNTERS = {
    "ixgate": ("pipeline_head", 32),
    "l3fwd-lpm": ("l3fwd_lpm_process_packets", 32),
    "l3fwd-acl": ("l3fwd_acl_prepare_one_packet", 1),
}


def dump_calls(path, names):
    """{function: calls} of the named functions in a callgrind dump (every
    call site summed)."""
    ids, calls, cfn = {}, {}, None
    with open(path) as f:
        for line in f:
            if line.startswith(("fn=", "cfn=")):
                m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line.rstrip("\n"))
                if m and m.group(2):
                    ids[m.group(1)] = m.group(2)
                if line.startswith("cfn=") and m:
                    cfn = ids.get(m.group(1))
            elif line.startswith("calls=") and cfn in names:
                calls[cfn] = calls.get(cfn, 0) + int(line.split()[0][6:])
    return calls


def callgrind_window(o, d, cgdir):
    """Instructions per packet of a frozen DUT running under callgrind:
    thaw, instrumentation on, zero, a window, dump, freeze."""
    pid = str(d.proc.pid)
    tag = d.key.replace("/", "--")

    def ctl(*args):
        subprocess.run(["callgrind_control"] + list(args) + [pid],
                       stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
    d.thaw()
    ctl("--instr=on")
    time.sleep(2)
    _, a = d.tel.port_stats([0])
    ctl("--zero")
    _, b = d.tel.port_stats(d.ports)
    t_end = time.monotonic() + o.callgrind_seconds
    while True:
        time.sleep(1)
        _, c = d.tel.port_stats(d.ports)
        if (time.monotonic() >= t_end and
                c[0]["ipackets"] - b[0]["ipackets"] >= o.callgrind_packets):
            break
        if time.monotonic() > t_end + 600:
            break
    ctl("--dump=window")
    _, e = d.tel.port_stats([0])
    d.freeze()
    inner = c[0]["ipackets"] - b[0]["ipackets"]
    outer = e[0]["ipackets"] - a[0]["ipackets"]
    dumps = sorted(f for f in os.listdir(cgdir)
                   if f.startswith("callgrind.out.%s.%s." % (tag, pid)))
    ir = None
    if dumps:
        with open(os.path.join(cgdir, dumps[-1])) as f:
            for line in f:
                m = re.match(r"(?:summary|totals): (\d+)", line)
                if m:
                    ir = int(m.group(1))
    if ir is None or inner <= 0:
        log("callgrind %s: no result" % d.key)
        return {"error": "no callgrind dump or no packets"}
    pk = (inner + outer) / 2
    counted = None
    if d.name in PACKET_COUNTERS:
        fn, per = PACKET_COUNTERS[d.name]
        n = dump_calls(os.path.join(cgdir, dumps[-1]), {fn}).get(fn, 0) * per
        if inner <= n <= outer:
            pk, counted = float(n), "%s calls x %d" % (fn, per)
        else:
            log("callgrind %s: %s x %d = %d packets, outside the bounds "
                "%d-%d: the midpoint is used" % (d.key, fn, per, n, inner,
                                                 outer))
    sent = sum(c[p]["opackets"] - b[p]["opackets"] for p in d.ports)
    log("callgrind %s: %.1f instructions/packet (%s; bounds %.0f-%.0f) "
        "over %.2fM packets, %.1f%% forwarded" % (
            d.key, ir / pk, "exact: " + counted if counted else "midpoint",
            ir / outer, ir / inner, pk / 1e6, 100.0 * sent / inner))
    return {
        "instructions": ir,
        "packets": pk,
        "instructions_per_packet": ir / pk,
        "instructions_per_packet_low": ir / outer,
        "instructions_per_packet_high": ir / inner,
        # how packets were counted: callgrind's count of a per-packet (or
        # per-burst) function, or None for the midpoint of the bounds
        "packets_counted_by": counted,
        # what share of the window's packets left: a variant must forward
        # what the full config forwards, or it measures cheaper drops
        "forwarded_pct": 100.0 * sent / inner,
        "dump": os.path.relpath(os.path.join(cgdir, dumps[-1]), TOP),
    }


def callgrind_entries(o, entries, prefix_base, logdir, cgdir):
    """Instructions per packet of each entry: the DUTs start under
    valgrind with instrumentation off (near native speed while they load
    their tables), are frozen once forwarding, then one at a time measured
    by callgrind_window. Returns {key: result}."""
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        log("valgrind not installed (apt-get install valgrind): "
            "no instructions per packet")
        return {}
    os.makedirs(cgdir, exist_ok=True)
    out = {}
    skipped = {}
    duts = start_duts(o, entries, prefix_base, logdir, skipped, cg_dir=cgdir)
    try:
        for d in duts:
            out[d.key] = ({"error": d.error} if d.error else
                          callgrind_window(o, d, cgdir))
    finally:
        for d in duts:
            d.stop()
    # The final dumps valgrind writes at exit are not the window: drop them.
    for d in duts:
        p = os.path.join(cgdir, "callgrind.out.%s.%d" %
                         (d.key.replace("/", "--"), d.proc.pid))
        if os.path.exists(p):
            os.remove(p)
    return out


class Session:
    """What every `compare` run sets up first: its result paths
    (OUT/KIND-DATE.json, .png, .logs/, .callgrind/), the TSC rate, SIGTERM
    ending the DUTs as Ctrl-C does, the programs built, the real data and
    the base ixgate-mkconfig arguments (mk)."""

    def __init__(self, o, kind):
        self.stamp = datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y%m%dT%H%M%SZ")
        os.makedirs(o.out, exist_ok=True)
        base = os.path.join(o.out, "%s-%s" % (kind, self.stamp))
        self.json_path = base + ".json"
        self.png_path = base + ".png"
        self.logdir = base + ".logs"
        self.cg_dir = base + ".callgrind"
        os.makedirs(self.logdir)
        self.hz = o.tsc_hz or tsc_hz()
        if not self.hz:
            die("TSC frequency unknown: pass --tsc-hz")

        def on_term(signum, frame):
            raise KeyboardInterrupt
        signal.signal(signal.SIGTERM, on_term)
        self.t_begin = time.monotonic()
        self.bins = S.ensure_build(TOP, o.build, o.no_build)
        S.ensure_data(TOP, o.data)
        self.mk = ["--peers", str(o.peers), "--acl-rules", str(o.acl_rules)]
        if o.deaggregate:
            self.mk.append("--deaggregate")
        self.mk += o.mkconfig_arg
        self.prefix = "ixgb-%d" % os.getpid()
        self.load0 = loadavg()


def measure_entries(o, ses, entries, prefix, skipped):
    """The DUT set-up and round loop of `compare` and of each scenario
    phase: start every entry (scenario or None, DUT name, paths), o.rounds
    interleaved rounds over those that forward, stop them all; then, with
    --callgrind, instructions per packet of each one that ran
    (--callgrind-only: no rounds, every entry under callgrind). Returns
    (runs, {key: callgrind result}, the Dut objects of the rounds)."""
    runs, duts = [], []
    if not getattr(o, "callgrind_only", False):
        duts = start_duts(o, entries, prefix, ses.logdir, skipped)
        try:
            live = [d for d in duts if not d.error]
            runs = run_rounds(o, ses.hz, live, skipped) if live else []
        finally:
            for d in duts:
                d.stop()
        if not runs:
            return runs, {}, duts
    cg = {}
    if o.callgrind:
        cg = callgrind_entries(
            o, [e for e in entries
                if (e[1] if e[0] is None else "%s/%s" % (e[0], e[1]))
                not in skipped], prefix, ses.logdir, ses.cg_dir)
    return runs, cg, duts


def main(argv):
    o = parse_args(argv)
    D.HUGE = o.huge
    if o.scenarios or o.list_scenarios:
        import scenarios
        return scenarios.main(o, argv)
    ses = Session(o, "compare")
    stamp, json_path, png_path, logdir = (ses.stamp, ses.json_path,
                                          ses.png_path, ses.logdir)
    hz, t_begin, bins, mk = ses.hz, ses.t_begin, ses.bins, ses.mk
    table = S.ensure_config(bins, o.data, os.path.join(o.data, "compare"), mk)
    gen = ["--count", str(o.packets), "--sizes", o.sizes, "--v6", o.v6,
           "--seed", o.seed]
    if o.mix != "default":
        gen += ["--mix", o.mix]
    if o.skew:
        gen.append("--skew")
    pcap, expect = S.ensure_traffic(bins, table, gen)

    paths = {"dataplane": bins["dataplane"], "config": table["config"],
             "l3fwd_rules": table["l3fwd"], "pcap": pcap,
             "testpmd": shutil.which("dpdk-testpmd"), "runnable": set()}
    skipped = {}
    for name in o.duts:
        if name == "testpmd" and not paths["testpmd"]:
            skipped[name] = "dpdk-testpmd not found (apt-get install dpdk)"
        elif name == "ovs" and not (os.access(D.OVS_VSWITCHD, os.X_OK) and
                                    shutil.which("ovsdb-server")):
            skipped[name] = ("%s not found (apt-get install "
                             "openvswitch-switch-dpdk)" % D.OVS_VSWITCHD)
        elif name.startswith("l3fwd"):
            if "l3fwd" not in paths:
                paths["l3fwd"] = S.ensure_l3fwd(TOP, o.l3fwd)
            if not paths["l3fwd"]:
                skipped[name] = "l3fwd not built and bench/l3fwd/build.sh " \
                    "failed"
    for name, why in skipped.items():
        log("skipping %s: %s" % (name, why))

    load0 = ses.load0
    try:
        log("l3fwd takes 1-3 min to load a full table")
        runs, cg, duts = measure_entries(
            o, ses, [(None, n, paths) for n in o.duts if n not in skipped],
            ses.prefix, skipped)
        if not runs:
            die("no DUT could run (logs: %s)" % logdir)
    except KeyboardInterrupt:
        log("interrupted")
        raise SystemExit(130)

    res = {
        "tool": "ixgate-bench compare",
        "date": stamp,
        "command": "bench/ixgate-bench compare " + " ".join(argv),
        "machine": machine_info(),
        "tsc_hz": hz,
        "loadavg_start": load0,
        "loadavg_end": loadavg(),
        "elapsed_s": round(time.monotonic() - t_begin, 1),
        "configuration": {
            "duts": o.duts,
            "rounds": o.rounds,
            "duration_s": o.duration,
            "warmup_s": o.warmup,
            "forwarding_lcore": o.core,
            "workers": o.workers,
            "memory": "hugepages" if o.huge else "--no-huge (4 KiB pages)",
            "main_lcore": o.main_core,
            "ports": "0: net_pcap rx_pcap=<traffic> infinite_rx=1, "
                     "1: net_null no-rx=1",
            "eal": "--no-huge -m MEM --no-pci --file-prefix <per run>",
            "eal_memory_mb": {k: MEM[k] for k in o.duts},
            "mbufs": {"testpmd": D.MBUFS, "l3fwd-lpm": D.MBUFS,
                      "l3fwd-acl": D.MBUFS,
                      "ixgate": "own sizing (see its log)",
                      "ovs": "own sizing (see its log)"},
            "mkconfig_args": mk,
            "pcapgen_args": gen,
            "traffic": os.path.relpath(pcap, TOP),
            "traffic_expectation": json.load(open(expect)),
            "config": os.path.relpath(table["config"], TOP),
            "l3fwd_rules": os.path.relpath(table["l3fwd"], TOP),
            "method": "each DUT loads once and is frozen (SIGSTOP) while "
                      "the others run; per round it is thawed for warmup + "
                      "window; port counters over the telemetry socket "
                      "(/ethdev/stats); cycles/packet = TSC Hz x window / "
                      "packets received (cycles_per_packet) and TSC Hz x "
                      "CPU time of the forwarding thread / packets "
                      "(cycles_per_packet_cpu)",
        },
        "skipped": skipped,
        "dut_start_s": {d.name: d.ready_s for d in duts if d.ready_s},
        "dut_memory_mib": {d.name: d.memory for d in duts if d.memory},
        "runs": runs,
        "callgrind": cg,
    }
    res["summary"], res["ratios"] = report.summarise(o.duts, runs, cg)
    for d in duts:
        pool = re.search(r"mempool socket 0: (\d+) mbufs", d.log_tail(200))
        if d.name == "ixgate" and pool:
            res["configuration"]["mbufs"]["ixgate"] = int(pool.group(1))
    with open(json_path, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    print(report.table(res))
    if not o.no_plot and runs and S.ensure_gnuplot():
        if report.plot(res, png_path):
            print("plot:   %s" % os.path.relpath(png_path, TOP))
    print("result: %s" % os.path.relpath(json_path, TOP))
    print("logs:   %s" % os.path.relpath(logdir, TOP))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
