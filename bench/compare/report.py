# SPDX-License-Identifier: BSD-3-Clause
"""Summary, ratios, table and plot of an `ixgate-bench compare` result."""

import os
import statistics
import subprocess
import tempfile

from duts import LABELS

FLOOR = "testpmd"
REFS = ("l3fwd-lpm", "l3fwd-acl")


def _stats(values):
    v = [x for x in values if x is not None]
    if not v:
        return None
    return {"median": statistics.median(v), "min": min(v), "max": max(v),
            "n": len(v)}


def summarise(order, runs, cg):
    """Per DUT: medians and ranges over the rounds. Ratios: computed inside
    each round (the DUTs of a round ran minutes apart at most, so the
    machine's drift cancels), then the median and range over the rounds;
    instruction ratios from the callgrind counts."""
    summary = {}
    for name in order:
        mine = [r for r in runs if r["dut"] == name]
        if not mine:
            continue
        s = {k: _stats([r[k] for r in mine]) for k in (
            "mpps", "tx_mpps", "gbps", "gbps_wire", "forwarded_pct",
            "cycles_per_packet", "cycles_per_packet_cpu", "core_share")}
        ipp = cg.get(name, {}).get("instructions_per_packet")
        s["instructions_per_packet"] = ipp
        summary[name] = s

    rounds = sorted({r["round"] for r in runs})

    def per_round(name, key):
        return {r["round"]: r[key] for r in runs if r["dut"] == name}

    ratios = {}
    for key in ("cycles_per_packet", "cycles_per_packet_cpu"):
        cyc = {n: per_round(n, key) for n in summary}
        pairs = [("ixgate", ref) for ref in REFS] + \
                [(ref, FLOOR) for ref in REFS] + [("ixgate", FLOOR)] + \
                [("ovs", ref) for ref in REFS] + [("ovs", FLOOR),
                                                  ("ixgate", "ovs")]
        for x, y in pairs:
            if x not in cyc or y not in cyc:
                continue
            v = [cyc[x][r] / cyc[y][r] for r in rounds
                 if cyc[x].get(r) and cyc[y].get(r)]
            st = _stats(v)
            if st:
                ratios["%s/%s %s" % (x, y, key)] = st
        if FLOOR in cyc:
            for ref in REFS:
                if "ixgate" not in cyc or ref not in cyc:
                    continue
                v = []
                for r in rounds:
                    f = cyc[FLOOR].get(r)
                    a = cyc["ixgate"].get(r)
                    b = cyc[ref].get(r)
                    if f and a and b and b != f:
                        v.append((a - f) / (b - f))
                st = _stats(v)
                if st:
                    ratios["(ixgate-%s)/(%s-%s) %s" % (FLOOR, ref, FLOOR,
                                                       key)] = st
    ipp = {n: s["instructions_per_packet"] for n, s in summary.items()
           if s["instructions_per_packet"]}
    for ref in REFS:
        if "ixgate" in ipp and ref in ipp:
            ratios["ixgate/%s instructions" % ref] = ipp["ixgate"] / ipp[ref]
            if FLOOR in ipp and ipp[ref] != ipp[FLOOR]:
                ratios["(ixgate-%s)/(%s-%s) instructions" % (
                    FLOOR, ref, FLOOR)] = (ipp["ixgate"] - ipp[FLOOR]) / (
                    ipp[ref] - ipp[FLOOR])
    return summary, ratios


def _f(v, fmt):
    return fmt % v if v is not None else "-"


def table(res):
    """The result as text: machine line, one row per DUT, the ratios."""
    m = res["machine"]
    c = res["configuration"]
    out = []
    out.append("ixgate-bench compare %s: %s, %d cores, kernel %s, DPDK %s, "
               "TSC %.3f GHz, commit %s%s" % (
                   res["date"], m["cpu"], m["cores"], m["kernel"], m["dpdk"],
                   res["tsc_hz"] / 1e9, m["git_commit"][:10],
                   "+dirty" if m["git_dirty"] else ""))
    out.append("%d rounds x %g s (+%g s warm-up) per DUT, interleaved; "
               "traffic %s (%s); load average %.1f -> %.1f" % (
                   c["rounds"], c["duration_s"], c["warmup_s"],
                   c["traffic"], " ".join(c["pcapgen_args"]),
                   res["loadavg_start"][0], res["loadavg_end"][0]))
    out.append("")
    s = res["summary"]
    lpm = s.get("l3fwd-lpm", {}).get("cycles_per_packet")
    floor = s.get(FLOOR, {}).get("cycles_per_packet")
    hdr = ("| DUT | Mpps (median) | min - max | fwd % | cyc/pkt | "
           "cyc/pkt (CPU) | core | instr/pkt | cost / l3fwd LPM | "
           "(x - floor)/(LPM - floor) |")
    out.append(hdr)
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, d in s.items():
        cyc = d["cycles_per_packet"]
        rel = frel = None
        if lpm and cyc:
            rel = cyc["median"] / lpm["median"]
            if floor and lpm["median"] != floor["median"]:
                frel = (cyc["median"] - floor["median"]) / (
                    lpm["median"] - floor["median"])
        out.append("| %s | %.2f | %.2f - %.2f | %.1f | %s | %s | %.0f%% | "
                   "%s | %s | %s |" % (
                       LABELS.get(name, name), d["mpps"]["median"],
                       d["mpps"]["min"], d["mpps"]["max"],
                       d["forwarded_pct"]["median"],
                       _f(cyc and cyc["median"], "%.0f"),
                       _f(d["cycles_per_packet_cpu"] and
                          d["cycles_per_packet_cpu"]["median"], "%.0f"),
                       100 * d["core_share"]["median"],
                       _f(d["instructions_per_packet"], "%.0f"),
                       _f(rel, "%.2fx"), _f(frel, "%.2f")))
    out.append("")
    out.append("Ratios inside each round (median [min - max] over rounds); "
               "cost = cycles per packet:")
    for k, v in res["ratios"].items():
        if isinstance(v, dict):
            out.append("  %-62s %.2f [%.2f - %.2f]" % (k, v["median"],
                                                      v["min"], v["max"]))
        else:
            out.append("  %-62s %.2f" % (k, v))
    for name, why in res["skipped"].items():
        out.append("skipped %s: %s" % (name, why))
    return "\n".join(out)


def plot(res, png):
    """A PNG with two panels: Mpps (median, min-max over rounds) and cost
    per packet (cycles; instructions if counted). True if written."""
    s = res["summary"]
    with tempfile.TemporaryDirectory() as tmp:
        dat = os.path.join(tmp, "compare.dat")
        with open(dat, "w") as f:
            for i, (name, d) in enumerate(s.items()):
                cyc = d["cycles_per_packet"] or {"median": 0}
                cpu = d["cycles_per_packet_cpu"] or {"median": 0}
                f.write('%d "%s" %f %f %f %f %f %f\n' % (
                    i, LABELS.get(name, name).replace(" (I/O floor)", ""),
                    d["mpps"]["median"], d["mpps"]["min"], d["mpps"]["max"],
                    cyc["median"], cpu["median"],
                    d["instructions_per_packet"] or 0))
        have_ipp = any(d["instructions_per_packet"] for d in s.values())
        m = res["machine"]
        title = "ixgate-bench compare %s  (%s, DPDK %s, %d x %gs rounds)" % (
            res["date"], m["cpu"], m["dpdk"],
            res["configuration"]["rounds"],
            res["configuration"]["duration_s"])
        gp = """
set terminal png size 1100,520 font ",10"
set output '%(png)s'
set multiplot layout 1,2 title "%(title)s"
set style fill solid 0.6 border -1
set boxwidth 0.6
set grid ytics
set yrange [0:*]
set xtics rotate by -20
set title "Mpps, one core (median, min-max over rounds)"
plot '%(dat)s' using 1:3:xtic(2) with boxes lc rgb "#4477aa" notitle, \\
     '' using 1:3:4:5 with yerrorbars lc rgb "black" pt 0 notitle, \\
     '' using 1:3:(sprintf("%%.2f", $3)) with labels offset 0,1 notitle
set title "cost per packet (medians)"
set boxwidth 0.25
plot '%(dat)s' using ($1-0.27):6:xtic(2) with boxes lc rgb "#ee6677" \\
         title "TSC cycles (window)", \\
     '' using 1:7 with boxes lc rgb "#ccbb44" title "cycles (thread CPU)"%(ipp)s
unset multiplot
""" % {"png": png, "dat": dat, "title": title,
       "ipp": (", \\\n     '' using ($1+0.27):8 with boxes lc rgb "
               "\"#228833\" title \"instructions (callgrind)\"")
       if have_ipp else ""}
        r = subprocess.run(["gnuplot"], input=gp, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            print("compare: gnuplot failed: %s" % r.stdout.strip()[-500:])
            return False
    return os.path.exists(png)
