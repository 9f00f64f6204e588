# SPDX-License-Identifier: BSD-3-Clause
"""ixgate-bench build: how fast the dataplane builds its tables.

Runs bench/commit_bench (the dataplane's own tables_build_from() on the
synthetic full-size table of bench/fullspec.c: 1.2M IPv4 + 300k IPv6
routes, 4,095 peers, strict source validation, 10k ACL rules, countries;
--small: 16 + 16 routes) with --json, and reports per step the build time
and the route install rate, (IPv4 + IPv6 routes) / build time: the install
(every FIB and the ACL from scratch), a one-peer change, and a full-table
replace (every route and source to another peer), with warm spare FIBs
(dataplane/fibrec.h: a changed FIB is patched by diff on its spare copy)
and without (rebuilt from scratch). The build time covers the whole
snapshot, not the route FIBs alone: routes, source-validation sets, ACL,
countries, whatever the step changes.
"""

import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import compare as C  # noqa: E402
from setup import die, log, run  # noqa: E402

TOP = C.TOP


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="ixgate-bench build",
        description="route install rate of the dataplane's table build "
        "(bench/commit_bench --json)")
    a = p.add_argument
    a("--build", default="build", help="meson build directory (build)")
    a("--no-build", action="store_true",
      help="run the commit_bench already built in --build, without ninja")
    a("--out", default="bench/results", help="where results go")
    a("--small", action="store_true",
      help="the 16-route table (a quick check that it runs)")
    a("--rounds", type=int, default=3,
      help="one-peer changes per pass (3)")
    a("--seed", type=int, default=1, help="table seed (1)")
    a("--mem", type=int, default=12288,
      help="EAL memory, MB (--no-huge -m; 12288: two snapshots and the "
      "spares of the full table)")
    a("--core", type=int, default=1, help="lcore to run on (1)")
    o = p.parse_args(argv)
    for k in ("build", "out"):
        v = getattr(o, k)
        if not os.path.isabs(v):
            setattr(o, k, os.path.join(TOP, v))
    if o.rounds < 1 or o.mem < 64:
        p.error("--rounds >= 1, --mem >= 64")
    return o


def summarise(j):
    """Per (step, spares): build times and routes/s. The install and the
    full replaces change every route, so their rate is a route install
    rate; a one-peer change touches one prefix, its rate would mean
    nothing (its time is what counts)."""
    routes = j["routes4"] + j["routes6"]
    steps = {}
    for s in j["steps"]:
        name = s["step"]
        if name.startswith("warm"):
            name = "warm spares"
        k = (name, s["spares"])
        steps.setdefault(k, []).append(s)
    out = []
    for (name, spares), ss in steps.items():
        ms = [s["build_ms"] for s in ss]
        rec = {"step": name, "spares": spares, "n": len(ms),
               "build_ms_median": statistics.median(ms),
               "build_ms_min": min(ms), "build_ms_max": max(ms),
               "heap_mib": ss[-1]["heap_mib"], "fibs": ss[-1]["fibs"]}
        if name in ("install", "full replace", "full replace back"):
            rec["routes_per_s"] = routes / (rec["build_ms_median"] / 1e3) \
                if rec["build_ms_median"] > 0 else None
            # The route FIBs alone, from the dataplane's own timing of
            # each FIB built from scratch in the step's description
            # ("route4 built N (+a -d, T ms)"): what a routing daemon's
            # bulk load would wait for. A FIB patched from its spare
            # changed only its diff: no install rate.
            n = t = 0.0
            for st in ss:
                for m in re.finditer(r"(route[46]) (built) (\d+) "
                                     r"\(\+\d+ -\d+, ([\d.]+) ms\)",
                                     st["fibs"]):
                    n += int(m.group(3))
                    t += float(m.group(4))
            rec["route_fib_ms"] = t / len(ss) if t else None
            rec["route_fib_routes_per_s"] = n / (t / 1e3) if t else None
        out.append(rec)
    return routes, out


def fmt_rate(rps):
    if rps is None:
        return "-"
    return "%.2fM" % (rps / 1e6) if rps >= 1e5 else "%.0f" % rps


def main(argv):
    o = parse_args(argv)
    exe = os.path.join(o.build, "bench", "commit_bench")
    if not o.no_build:
        run(["ninja", "-C", o.build, "bench/commit_bench"])
    elif not os.access(exe, os.X_OK):
        die("--no-build: %s is not built" % exe)
    prefix = "ixgb-build-%d" % os.getpid()
    cmd = [exe, "--json", "--rounds", str(o.rounds), "--seed", str(o.seed)]
    if o.small:
        cmd.append("--small")
    cmd += ["--", "commit_bench", "--no-huge", "-m", str(o.mem),
            "--no-shconf", "--no-pci", "--no-telemetry", "-l",
            str(o.core), "--file-prefix", prefix, "--log-level=*:error"]
    log("%s (the full table takes a few minutes here)" % " ".join(cmd))
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr[-3000:])
        die("commit_bench failed (exit %d)" % r.returncode)
    try:
        j = json.loads(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        sys.stderr.write(r.stdout[-2000:])
        die("commit_bench printed no JSON")
    routes, steps = summarise(j)
    return report(o, argv, cmd, j, r.stderr, routes, steps)


def report(o, argv, cmd, j, stderr, routes, steps):
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y%m%dT%H%M%SZ")
    res = {"tool": "ixgate-bench build", "date": stamp,
           "command": "bench/ixgate-bench build " + " ".join(argv),
           "commit_bench": " ".join(cmd), "machine": C.machine_info(),
           "loadavg_end": C.loadavg(), "table": {
               k: j[k] for k in ("routes4", "routes6", "sources4",
                                 "sources6", "acl_rules", "seed")},
           "steps": steps, "raw": j, "log": stderr.splitlines()[-40:]}
    os.makedirs(o.out, exist_ok=True)
    path = os.path.join(o.out, "build-%s.json" % stamp)
    with open(path, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    print("ixgate table build (commit_bench, tables_build_from): %d IPv4 + "
          "%d IPv6 routes, %d + %d source prefixes, %d ACL rules" % (
              j["routes4"], j["routes6"], j["sources4"], j["sources6"],
              j["acl_rules"]))
    print("| step | spares | n | build ms (median) | min - max | routes/s "
          "(snapshot) | route FIBs ms | routes/s (route FIBs) | heap MiB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for s in steps:
        rps = s.get("routes_per_s")
        print("| %s | %s | %d | %.1f | %.1f - %.1f | %s | %s | %s | %d |" % (
            s["step"], "on" if s["spares"] else "off", s["n"],
            s["build_ms_median"], s["build_ms_min"], s["build_ms_max"],
            fmt_rate(rps),
            "%.1f" % s["route_fib_ms"] if s.get("route_fib_ms") else "-",
            fmt_rate(s.get("route_fib_routes_per_s")), s["heap_mib"]))
    print("(routes/s (snapshot) = (IPv4 + IPv6 routes) / build time of the "
          "whole snapshot; (route FIBs) = routes / the route4 + route6 FIB "
          "times the dataplane logs for the step; issue 4's target: above "
          "1M/s for a bulk build)")
    print("result: %s" % os.path.relpath(path, TOP))
    return 0
