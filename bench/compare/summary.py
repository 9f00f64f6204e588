# SPDX-License-Identifier: BSD-3-Clause
"""Issue 12's cycle figures from the runs of bench/quiet.sh: the targets
of `compare --scenarios issue12` on 2 MiB hugepages and on 4 KiB pages
side by side, each feature's cost, and two workers against one.

usage: python3 bench/compare/summary.py [--out FILE.json]
           [--scenarios MEMORY=RESULT.json ...] [--scale RESULT.json ...]

MEMORY is a column label (hugepages, 4k). --scale takes `compare --duts
ixgate --workers N` results (any number, both N). Prints Markdown tables.
"""

import argparse
import json
import os
import statistics
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import scenarios as SC  # noqa: E402


def _st(x, fmt="%.2f"):
    if not x:
        return "-"
    if "min" in x:
        return (fmt + " [" + fmt + "-" + fmt + "]") % (x["median"], x["min"],
                                                       x["max"])
    return fmt % x["median"]


def _verdict(met, val, limit):
    if met is None:
        return "-"
    return "met" if met else "MISSED by %.0f%%" % (100.0 * (val / limit - 1))


def targets_table(cols):
    """cols: [(label, scenarios result)]. One row per target, for each
    column the in-round CPU cycle ratio and its verdict; the instructions
    of any column that counted them."""
    rows, order = {}, []
    for label, res in cols:
        for t in res.get("targets") or SC.targets(res):
            if t["target"] not in rows:
                rows[t["target"]] = {"limit": t["limit"]}
                order.append(t["target"])
            rows[t["target"]][label] = t
    hdr = "| target | limit |" + "".join(
        " CPU cycles, %s: median [range] | verdict |" % label
        for label, _ in cols) + " instructions |"
    out = [hdr, "|---|---:|" + "---:|---|" * len(cols) + "---:|"]
    for name in order:
        r = rows[name]
        line = "| %s | %s |" % (name, "<= %.2fx" % r["limit"] if r["limit"]
                                else "-")
        ins = None
        for label, _ in cols:
            t = r.get(label)
            if not t:
                line += " - | - |"
                continue
            ins = ins or t["instructions"]
            line += " %s | %s |" % (_st(t["cycles"]), _verdict(
                t["cycles_met"], t["cycles"] and t["cycles"]["median"],
                r["limit"]))
        line += " %s |" % ("%.3f" % ins if ins else "-")
        out.append(line)
    return "\n".join(out)


def features_table(cols):
    names = []
    for _, res in cols:
        for n in res.get("feature_costs") or {}:
            if n not in names:
                names.append(n)
    out = ["| variant | what it turns off |" + "".join(
        " CPU cycles saved, %s |" % label for label, _ in cols) +
        " instructions saved |",
        "|---|---|" + "---:|" * (len(cols) + 1)]
    for n in names:
        line = "| %s | %s |" % (n, SC.SCENARIOS[n][1])
        ins = None
        for _, res in cols:
            c = (res.get("feature_costs") or {}).get(n)
            line += " %s |" % (_st(c and c["cycles_per_packet_cpu_saved"],
                                   "%.0f") if c else "-")
            if c and c.get("instructions_saved") is not None:
                ins = c["instructions_saved"]
        line += " %s |" % ("%.0f" % ins if ins is not None else "-")
        out.append(line)
    return "\n".join(out)


def absolute_table(cols):
    """CPU cycles per packet of each scenario and DUT, per column."""
    keys = []
    for _, res in cols:
        for sc in res["order"]:
            for dut in res["summary"].get(sc, {}):
                if (sc, dut) not in keys:
                    keys.append((sc, dut))
    out = ["| scenario | DUT |" + "".join(
        " Mpps, %s | CPU cycles/pkt, %s |" % (label, label)
        for label, _ in cols) + " instr/pkt |",
        "|---|---|" + "---:|---:|" * len(cols) + "---:|"]
    for sc, dut in keys:
        line = "| %s | %s |" % (sc, dut)
        ins = None
        for _, res in cols:
            d = res["summary"].get(sc, {}).get(dut)
            if not d:
                line += " - | - |"
                continue
            ins = ins or d.get("instructions_per_packet")
            line += " %s | %s |" % (
                "%.2f" % d["mpps"] if d.get("mpps") else "-",
                "%.0f" % d["cycles_per_packet_cpu"]
                if d.get("cycles_per_packet_cpu") else "-")
        line += " %s |" % ("%.0f" % ins if ins else "-")
        out.append(line)
    return "\n".join(out)


def scaling(results):
    """Two workers against one: Mpps of every round of each, the ratio of
    the medians."""
    by = {}
    for res in results:
        w = res["configuration"].get("workers", 1)
        for r in res["runs"]:
            if r["dut"] == "ixgate":
                by.setdefault(w, []).append(r["mpps"])
    if 1 not in by or 2 not in by:
        return None, None
    m1, m2 = statistics.median(by[1]), statistics.median(by[2])
    rec = {"mpps_1": by[1], "mpps_2": by[2], "median_1": m1, "median_2": m2,
           "ratio": m2 / m1 if m1 else None}
    text = ("| workers | Mpps, each round | median |\n|---|---|---:|\n"
            "| 1 | %s | %.2f |\n| 2 | %s | %.2f |\n\n"
            "Two workers / one: **%.2fx** (target 2x: %s)" % (
                ", ".join("%.2f" % x for x in by[1]), m1,
                ", ".join("%.2f" % x for x in by[2]), m2, rec["ratio"],
                "met" if rec["ratio"] >= 1.9 else "MISSED"))
    return rec, text


def main(argv):
    p = argparse.ArgumentParser(prog="summary.py")
    p.add_argument("--scenarios", action="append", default=[],
                   metavar="LABEL=RESULT.json")
    p.add_argument("--scale", action="append", default=[],
                   metavar="RESULT.json")
    p.add_argument("--out", help="also write the summary as JSON here")
    o = p.parse_args(argv)
    cols = []
    for a in o.scenarios:
        label, _, path = a.partition("=")
        if not path:
            p.error("--scenarios LABEL=RESULT.json")
        with open(path) as f:
            cols.append((label, json.load(f)))
    scale = []
    for path in o.scale:
        with open(path) as f:
            scale.append(json.load(f))
    out = []
    if cols:
        loads = ", ".join("%s %.1f -> %.1f" % (label, r["loadavg_start"][0],
                                               r["loadavg_end"][0])
                          for label, r in cols)
        c = cols[0][1]["configuration"]
        out += ["Issue 12's targets, ixgate, %d rounds x %g s per DUT and "
                "scenario, ratios inside each round (load average: %s)" % (
                    c["rounds"], c["duration_s"], loads), "",
                targets_table(cols), "", "Each feature's cost (full - "
                "variant, inside each round):", "", features_table(cols), "",
                "Every scenario and DUT (medians over the rounds):", "",
                absolute_table(cols)]
    rec, text = scaling(scale)
    if text:
        out += ["", "Two workers against one (2 MiB hugepages):", "", text]
    print("\n".join(out))
    if o.out:
        with open(o.out, "w") as f:
            json.dump({
                "sources": {"scenarios": o.scenarios, "scale": o.scale},
                "targets": {label: res.get("targets") or SC.targets(res)
                            for label, res in cols},
                "feature_costs": {label: res.get("feature_costs")
                                  for label, res in cols},
                "scaling": rec}, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
