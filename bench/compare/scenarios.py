# SPDX-License-Identifier: BSD-3-Clause
"""ixgate-bench compare --scenarios: issue 4's scenario loops.

throughput: the DUTs (testpmd, l3fwd LPM, ixgate) on 64-byte and IMIX
frames, IPv4-only, IPv6-only and mixed traffic, the 16-route table against
the full one, uniform and skewed destinations.
features: ixgate alone, the full pipeline and one variant per stage
switched off (ACL, source validation, policer, countries, sampling), on the
same traffic, so that each stage's cost is the difference.

Scenarios run in phases: the DUTs of one phase are all loaded, frozen, and
measured in interleaved rounds (the method of `compare`), so that a ratio
between two scenarios of one phase (full / 16 routes, IPv6 / IPv4, a
feature variant / full) is taken inside each round, where the drift of a
shared machine cancels. A phase holds what fits in memory: ixgate on the
full table needs ~2.5 GiB, l3fwd ~1 GiB. Method and results:
bench/README-compare.md.
"""

import json
import os
import statistics
import subprocess
import tempfile
import time

import compare as C
import setup as S
from setup import die, log

TOP = C.TOP

# name: (set, description, extra ixgate-mkconfig args, pcapgen overrides)
SCENARIOS = {
    "base": ("throughput", "64 B, IPv4+IPv6 70/30, full table, uniform",
             [], {}),
    "small": ("throughput", "64 B, 70/30, 16+16 routes, uniform",
              ["--table-routes", "16"], {}),
    "skew": ("throughput", "64 B, 70/30, full table, skewed (10% of "
             "prefixes get 90%)", [], {"skew": True}),
    "v4": ("throughput", "64 B, IPv4 only, full table", [], {"v6": "0"}),
    "v6": ("throughput", "64 B, IPv6 only, full table", [], {"v6": "1"}),
    "imix": ("throughput", "IMIX 7:4:1 of 64/594/1518 B, 70/30, full "
             "table", [], {"sizes": "imix"}),
    "full": ("features", "full pipeline (ACL, SAV, policer, countries, "
             "sampling 1-in-1000)", [], {}),
    "no-acl": ("features", "no ACL rules", ["--acl-rules", "0"], {}),
    "no-sav": ("features", "source validation off for every peer",
               ["--sav", "off"], {}),
    "no-policer": ("features", "no peer rates, no classes",
                   ["--no-policer"], {}),
    "no-countries": ("features", "no country data", ["--no-countries"], {}),
    "no-sampling": ("features", "sampling off", ["--sampling", "0"], {}),
    "acl64k": ("features", "65,535 ACL rules (the most a config takes)",
               ["--acl-rules", "65535"], {}),
    "bare": ("features", "every feature off: no ACL rules, SAV off, no "
             "policer, no countries", ["--acl-rules", "0", "--sav", "off",
                                       "--no-policer", "--no-countries"],
             {}),
}

# Scenarios compared with each other share a phase (see the docstring).
PHASES = {
    "throughput": [["base", "small", "skew"], ["v4", "v6"], ["imix"]],
    "features": [["full", "no-acl", "acl64k"],
                 ["full", "no-sav", "no-countries"],
                 ["full", "no-policer", "no-sampling", "bare"]],
}

# Presets: phases whose scenarios name their own DUTs. issue12: every
# figure of issue 12's targets in two phases. The first holds the four
# engines on the base scenario (`compare`'s run), the 16-route table, IPv4
# and IPv6 only (l3fwd LPM beside ixgate in each) and ixgate with every
# feature off, so that each ratio of the targets is taken inside a round;
# the second ixgate's feature variants beside the full pipeline.
ALL4 = ["testpmd", "l3fwd-lpm", "l3fwd-acl", "ixgate"]
PRESETS = {
    "issue12": [
        ("mixed", ["base", "small", "v4", "v6", "bare"],
         {"base": ALL4, "small": ["l3fwd-lpm", "ixgate"],
          "v4": ["l3fwd-lpm", "ixgate"], "v6": ["l3fwd-lpm", "ixgate"],
          "bare": ["ixgate"]}),
        ("features", ["full", "no-acl", "acl64k", "no-sav", "no-policer",
                      "no-countries"], None),
    ],
}

# (numerator, denominator, what, target for ixgate or None)
PAIRS = [
    ("base", "small", "full table / 16 routes", 1.25),
    ("v6", "v4", "IPv6 only / IPv4 only (full table)", 1.3),
    ("skew", "base", "skewed / uniform destinations", None),
    ("imix", "base", "IMIX / 64 B (cost per packet)", None),
    ("acl64k", "full", "65,535 / 10,000 ACL rules (whole pipeline)", 1.1),
]

DEFAULT_DUTS = {"throughput": ["testpmd", "l3fwd-lpm", "ixgate"],
                "features": ["ixgate"]}


def plan(o):
    """[(set, [scenario names], {name: [DUTs]} or None)] phases to run,
    from --scenarios. None: the set's DUTs (DEFAULT_DUTS or --duts)."""
    want = []
    for w in o.scenarios.split(","):
        w = w.strip()
        if w == "all":
            want += ["throughput", "features"]
        elif w:
            want.append(w)
    out = []
    for w in want:
        if "+" in w:
            # a+b: one phase, so that their ratio is taken in-round
            names = [n for n in w.split("+") if n]
            sets = {SCENARIOS[n][0] for n in names if n in SCENARIOS}
            if len(sets) != 1 or any(n not in SCENARIOS for n in names):
                die("'%s': a phase takes scenarios of one set (%s)" % (
                    w, ", ".join(SCENARIOS)))
            out.append((sets.pop(), names, None))
        elif w in PHASES:
            out += [(w, list(ph), None) for ph in PHASES[w]]
        elif w in PRESETS:
            out += [(st, list(ph), dict(dm) if dm else None)
                    for st, ph, dm in PRESETS[w]]
        elif w in SCENARIOS:
            st = SCENARIOS[w][0]
            # A single feature variant is measured beside the full one.
            names = [w] if st == "throughput" or w == "full" else ["full", w]
            out.append((st, names, None))
        else:
            die("unknown scenario '%s' (%s, or a set: throughput, features, "
                "all, %s)" % (w, ", ".join(SCENARIOS), ", ".join(PRESETS)))
    return out


def list_scenarios():
    for st in ("throughput", "features"):
        print("%s (phases: %s):" % (st, " | ".join(
            ",".join(p) for p in PHASES[st])))
        for n, (s, desc, mk, gen) in SCENARIOS.items():
            if s == st:
                extra = " ".join(mk + ["--%s%s" % (k, "" if v is True else
                                                   " " + v)
                                       for k, v in gen.items()])
                print("  %-13s %s%s" % (n, desc,
                                        "  [%s]" % extra if extra else ""))
    for n, phases in PRESETS.items():
        print("%s (preset, phases: %s)" % (n, " | ".join(
            ",".join("%s%s" % (sc, "" if not dm else "[%s]" % "/".join(
                dm[sc])) for sc in names) for _, names, dm in phases)))


def prepare(o, bins, name, base_mk, base_gen, cache):
    """Table and traffic of a scenario: a dict of paths for D.command plus
    what produced them. A feature variant replays the full config's
    traffic (every frame forwardable under the full config is under each
    variant), so the variants differ by their config only."""
    st, desc, mk, gen_over = SCENARIOS[name]
    table = S.ensure_config(bins, o.data, cache, base_mk + mk)
    g = dict(base_gen)
    g.update(gen_over)
    gen = ["--count", str(o.packets), "--sizes", g["sizes"], "--v6", g["v6"],
           "--seed", o.seed]
    if o.mix != "default":
        gen += ["--mix", o.mix]
    if g.get("skew"):
        gen.append("--skew")
    src = table
    if st == "features" and name != "full":
        src = S.ensure_config(bins, o.data, cache, base_mk)
    pcap, expect = S.ensure_traffic(bins, src, gen)
    with open(expect) as f:
        e = json.load(f)
    return {"dataplane": bins["dataplane"], "config": table["config"],
            "l3fwd_rules": table["l3fwd"], "pcap": pcap,
            "testpmd": C.shutil.which("dpdk-testpmd"),
            "mkconfig_args": table["mkconfig_args"], "pcapgen_args": gen,
            "traffic_from": os.path.relpath(src["config"], TOP),
            "expected_forwarded": e.get("tx_packets"),
            "expected_packets": e.get("rx_packets"),
            "description": desc, "set": st}


def _med(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None


def summarise(runs, cg):
    """{scenario: {dut: medians}} over every run of that instance (a
    scenario in several phases is pooled); an instance counted by
    callgrind alone (--callgrind-only) has its instructions and None
    elsewhere."""
    out = {}
    for r in runs:
        out.setdefault(r["scenario"], {}).setdefault(r["dut"], []).append(r)
    for c in cg.values():
        if c.get("scenario") and c.get("dut"):
            out.setdefault(c["scenario"], {}).setdefault(c["dut"], [])
    summ = {}
    for sc, by in out.items():
        summ[sc] = {}
        for dut, rs in by.items():
            s = {k: _med([r[k] for r in rs]) for k in (
                "mpps", "gbps", "gbps_wire", "forwarded_pct",
                "cycles_per_packet", "cycles_per_packet_cpu", "core_share")}
            s["mpps_min"] = min(r["mpps"] for r in rs) if rs else None
            s["mpps_max"] = max(r["mpps"] for r in rs) if rs else None
            s["n"] = len(rs)
            ipps = [c["instructions_per_packet"] for k, c in cg.items()
                    if c.get("scenario") == sc and c.get("dut") == dut and
                    c.get("instructions_per_packet")]
            s["instructions_per_packet"] = _med(ipps)
            summ[sc][dut] = s
    return summ


def _round_ratios(runs, a, b, dut, key):
    """Per (phase, round) where both ran: a / b of key."""
    idx = {}
    for r in runs:
        if r["dut"] == dut and r.get(key):
            idx[(r["phase"], r["round"], r["scenario"])] = r[key]
    v = []
    for (ph, rd, sc), x in idx.items():
        if sc == a and (ph, rd, b) in idx:
            v.append(x / idx[(ph, rd, b)])
    return v


def _round_deltas(runs, a, b, dut, key):
    """Per (phase, round) where both ran: b - a of key (the cost a saves
    against b)."""
    idx = {(r["phase"], r["round"], r["scenario"]): r[key] for r in runs
           if r["dut"] == dut and r.get(key)}
    return [idx[(ph, rd, b)] - x for (ph, rd, sc), x in idx.items()
            if sc == a and (ph, rd, b) in idx]


def _stats(v):
    v = [x for x in v if x is not None]
    if not v:
        return None
    return {"median": statistics.median(v), "min": min(v), "max": max(v),
            "n": len(v)}


def ratios(runs, summ, duts):
    """The pairs of PAIRS that ran: per DUT, inside-round ratios of wall
    and CPU cycles per packet if both were in a phase, else the ratio of
    the medians (marked across_phases); instructions if counted."""
    out = []
    for a, b, what, target in PAIRS:
        if a not in summ or b not in summ:
            continue
        for dut in duts:
            if dut not in summ[a] or dut not in summ[b]:
                continue
            rec = {"pair": "%s/%s" % (a, b), "what": what, "dut": dut}
            same = across = False
            for key in ("cycles_per_packet", "cycles_per_packet_cpu"):
                st = _stats(_round_ratios(runs, a, b, dut, key))
                if st:
                    same = True
                elif summ[a][dut][key] and summ[b][dut][key]:
                    st = {"median": summ[a][dut][key] / summ[b][dut][key]}
                    across = True
                rec[key] = st
            rec["across_phases"] = across and not same
            ia = summ[a][dut]["instructions_per_packet"]
            ib = summ[b][dut]["instructions_per_packet"]
            rec["instructions"] = ia / ib if ia and ib else None
            rec["mpps"] = (summ[a][dut]["mpps"] / summ[b][dut]["mpps"]
                           if summ[a][dut]["mpps"] and summ[b][dut]["mpps"]
                           else None)
            if dut == "ixgate" and target:
                rec["target"] = target
                cpu = rec["cycles_per_packet_cpu"]
                rec["cpu_vs_target"] = (cpu["median"] / target) if cpu \
                    else None
            out.append(rec)
    return out


REFS = ("l3fwd-lpm", "l3fwd-acl", "testpmd")


def _ref_scenario(summ, sc, ref):
    """The scenario whose `ref` DUT ixgate's `sc` is compared with: sc
    itself, or for a feature variant without references `base` (the same
    routes and traffic: a variant replays the full config's pcap, which
    is base's)."""
    if ref in summ.get(sc, {}):
        return sc
    if sc in SCENARIOS and SCENARIOS[sc][0] == "features" and \
            ref in summ.get("base", {}):
        return "base"
    return None


def dut_ratios(runs, summ):
    """Per scenario, inside each round: ixgate / l3fwd-lpm, ixgate /
    l3fwd-acl and ixgate / testpmd in CPU cycles per packet, and in
    instructions (a feature variant against base's references, see
    _ref_scenario)."""
    out = {}
    for sc, by in summ.items():
        for ref in REFS:
            rsc = _ref_scenario(summ, sc, ref)
            if "ixgate" not in by or rsc is None:
                continue
            idx = {}
            for r in runs:
                if r["scenario"] in (sc, rsc) and \
                        r.get("cycles_per_packet_cpu"):
                    idx[(r["phase"], r["round"], r["scenario"],
                         r["dut"])] = r["cycles_per_packet_cpu"]
            v = [x / idx[(ph, rd, rsc, ref)]
                 for (ph, rd, s2, d), x in idx.items()
                 if s2 == sc and d == "ixgate" and
                 (ph, rd, rsc, ref) in idx]
            ia = by["ixgate"]["instructions_per_packet"]
            ib = summ[rsc][ref]["instructions_per_packet"]
            out.setdefault(sc, {})["ixgate/" + ref] = {
                "against": rsc,
                "cycles_per_packet_cpu": _stats(v),
                "instructions": ia / ib if ia and ib else None}
    return out


def acl_scaling(runs, summ):
    """ACL stage cost at 65,535 rules over its cost at 10,000, the stage
    cost being the pipeline's minus no-acl's, inside each round of a
    phase that ran all three (CPU and wall cycles) and in instructions."""
    rec = {}
    for key in ("cycles_per_packet", "cycles_per_packet_cpu"):
        idx = {(r["phase"], r["round"], r["scenario"]): r[key] for r in runs
               if r["dut"] == "ixgate" and r.get(key)}
        v = []
        for (ph, rd, sc), x in idx.items():
            if sc != "acl64k":
                continue
            f = idx.get((ph, rd, "full"))
            n = idx.get((ph, rd, "no-acl"))
            if f and n and f != n:
                v.append((x - n) / (f - n))
        rec[key] = _stats(v)
    ipp = {sc: summ.get(sc, {}).get("ixgate", {}).get(
        "instructions_per_packet") for sc in ("acl64k", "full", "no-acl")}
    if all(ipp.values()) and ipp["full"] != ipp["no-acl"]:
        rec["instructions"] = ((ipp["acl64k"] - ipp["no-acl"]) /
                               (ipp["full"] - ipp["no-acl"]))
        rec["instructions_stage"] = {"acl64k": ipp["acl64k"] - ipp["no-acl"],
                                     "full": ipp["full"] - ipp["no-acl"]}
    else:
        rec["instructions"] = None
    if not rec["cycles_per_packet_cpu"] and rec["instructions"] is None:
        return None
    return rec


def feature_costs(runs, summ, cg=None):
    """Per variant: what the stage it removes costs, as full - variant in
    CPU cycles (inside each round of the variant's phase) and in
    instructions per packet (against the full of the same phase when
    counted there). A phase without `full` uses `base`, the same config
    and traffic."""
    out = {}
    ipp = {(c.get("phase"), c.get("scenario")): c["instructions_per_packet"]
           for c in (cg or {}).values()
           if c.get("dut") == "ixgate" and c.get("instructions_per_packet")}
    full = summ.get("full", summ.get("base", {})).get("ixgate")
    for sc in summ:
        if sc in ("full", "acl64k") or SCENARIOS[sc][0] != "features" or \
                "ixgate" not in summ[sc]:
            continue
        v = summ[sc]["ixgate"]
        rec = {}
        for key in ("cycles_per_packet", "cycles_per_packet_cpu"):
            d = _round_deltas(runs, sc, "full", "ixgate", key) or \
                _round_deltas(runs, sc, "base", "ixgate", key)
            rec[key + "_saved"] = _stats(d)
        same = [(ipp.get((ph, "full")) or ipp[(ph, "base")]) - x
                for (ph, n), x in ipp.items()
                if n == sc and ((ph, "full") in ipp or (ph, "base") in ipp)]
        if same:
            rec["instructions_saved"] = statistics.median(same)
        elif full and full["instructions_per_packet"] and \
                v["instructions_per_packet"]:
            rec["instructions_saved"] = (full["instructions_per_packet"] -
                                         v["instructions_per_packet"])
        else:
            rec["instructions_saved"] = None
        out[sc] = rec
    return out


def _pick(st):
    return st["median"] if st else None


def targets(res):
    """Issue 12's targets that this run measured: rows of (target, limit,
    ixgate's ratio in CPU cycles {median, min, max} or None, in
    instructions or None, verdicts). Cycle verdicts read the in-round
    median."""
    rows = []
    dr = res.get("dut_ratios") or {}

    def row(what, limit, cyc, ins, note=""):
        if cyc is None and ins is None:
            return
        rows.append({
            "target": what, "limit": limit, "cycles": cyc,
            "instructions": ins, "note": note,
            "cycles_met": (cyc["median"] <= limit) if cyc and limit
            else None,
            "instructions_met": (ins <= limit) if ins and limit else None})
    for ref, lim in (("l3fwd-lpm", 1.5), ("l3fwd-acl", 0.75)):
        x = dr.get("base", {}).get("ixgate/" + ref)
        if x:
            row("ixgate / %s (base: real table, 64 B, 70/30)" % ref, lim,
                x["cycles_per_packet_cpu"], x["instructions"])
    for r in res.get("ratios") or []:
        if r["dut"] == "ixgate" and r.get("target"):
            row(r["what"], r["target"], r["cycles_per_packet_cpu"]
                if not r["across_phases"] else None, r["instructions"],
                "" if not r["across_phases"] else "across phases")
    a = res.get("acl_scaling")
    if a:
        row("ACL stage at 65,535 / 10,000 rules (pipeline - no-acl)", 1.1,
            a["cycles_per_packet_cpu"], a["instructions"])
    x = dr.get("bare", {}).get("ixgate/l3fwd-lpm")
    if x:
        row("ixgate, every feature off / l3fwd LPM (toward 1)", None,
            x["cycles_per_packet_cpu"], x["instructions"])
    return rows


def targets_text(rows, label=""):
    def st(x):
        if not x:
            return "-"
        return "%.2f [%.2f-%.2f]" % (x["median"], x["min"], x["max"])

    def verdict(met, val, limit):
        if met is None:
            return "-"
        return ("met" if met else "MISSED by %.0f%%" % (
            100.0 * (val / limit - 1)))
    out = ["| target%s | limit | CPU cycles, in round: median [range] | "
           "verdict | instructions | verdict |" % (
               " (%s)" % label if label else ""),
           "|---|---:|---:|---|---:|---|"]
    for r in rows:
        out.append("| %s | %s | %s | %s | %s | %s |" % (
            r["target"] + (" (%s)" % r["note"] if r["note"] else ""),
            "<= %.2fx" % r["limit"] if r["limit"] else "-",
            st(r["cycles"]),
            verdict(r["cycles_met"], _pick(r["cycles"]), r["limit"]),
            _f(r["instructions"], "%.3f"),
            verdict(r["instructions_met"], r["instructions"], r["limit"])))
    return "\n".join(out)


def _f(v, fmt):
    return fmt % v if v is not None else "-"


def text(res):
    s = res["summary"]
    m = res["machine"]
    out = ["ixgate-bench compare --scenarios %s  %s: %s, %d cores, DPDK %s, "
           "TSC %.3f GHz, commit %s%s" % (
               res["configuration"]["scenarios"], res["date"], m["cpu"],
               m["cores"], m["dpdk"], res["tsc_hz"] / 1e9,
               m["git_commit"][:10], "+dirty" if m["git_dirty"] else ""),
           "%d rounds x %g s (+%g s warm-up) per DUT and scenario, "
           "interleaved inside each phase; load average %.1f -> %.1f" % (
               res["configuration"]["rounds"],
               res["configuration"]["duration_s"],
               res["configuration"]["warmup_s"], res["loadavg_start"][0],
               res["loadavg_end"][0]), ""]
    out.append("| scenario | DUT | Mpps (median) | min - max | Gbps | fwd % "
               "| cyc/pkt | CPU cyc/pkt | core | instr/pkt |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for sc in res["order"]:
        for dut, d in s.get(sc, {}).items():
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |"
                       % (sc, dut, _f(d["mpps"], "%.2f"),
                          "%.2f - %.2f" % (d["mpps_min"], d["mpps_max"])
                          if d["n"] else "-",
                          _f(d["gbps"], "%.2f"),
                          _f(d["forwarded_pct"], "%.1f"),
                          _f(d["cycles_per_packet"], "%.0f"),
                          _f(d["cycles_per_packet_cpu"], "%.0f"),
                          _f(d["core_share"] and 100 * d["core_share"],
                             "%.0f%%"),
                          _f(d["instructions_per_packet"], "%.0f")))
    if res["ratios"]:
        out += ["", "Ratios of cost per packet (inside each round of a "
                "phase: median [min - max]; * = across phases, ratio of "
                "medians):"]
        for r in res["ratios"]:
            def st(x):
                if not x:
                    return "-"
                if "min" in x:
                    return "%.2f [%.2f-%.2f]" % (x["median"], x["min"],
                                                 x["max"])
                return "%.2f*" % x["median"]
            tgt = ""
            if r.get("target"):
                cv, iv = r["cpu_vs_target"], r["instructions"]
                tgt = "  target <= %.2f: cycles %s, instructions %s" % (
                    r["target"],
                    "-" if cv is None else "met" if cv <= 1 else "MISSED",
                    "-" if iv is None else "met" if iv <= r["target"]
                    else "MISSED")
            out.append("  %-44s %-9s cycles %-18s CPU cycles %-18s "
                       "instr %s%s" % (r["what"], r["dut"],
                                       st(r["cycles_per_packet"]),
                                       st(r["cycles_per_packet_cpu"]),
                                       _f(r["instructions"], "%.3f"), tgt))
    if res.get("dut_ratios"):
        out += ["", "ixgate against the references, per scenario (CPU "
                "cycles inside each round: median [min - max]; "
                "instructions):"]
        for sc in res["order"]:
            for k, v in res["dut_ratios"].get(sc, {}).items():
                c = v["cycles_per_packet_cpu"]
                k2 = k if v.get("against", sc) == sc else \
                    "%s (%s's)" % (k, v["against"])
                out.append("  %-13s %-27s CPU cycles %-18s instr %s" % (
                    sc, k2, "%.2f [%.2f-%.2f]" % (c["median"], c["min"],
                                                  c["max"]) if c else "-",
                    _f(v["instructions"], "%.2f")))
    if res["feature_costs"]:
        out += ["", "Feature cost (ixgate): full - variant, per packet "
                "(inside each round; median [min - max]):"]
        for sc, c in res["feature_costs"].items():
            def st(x):
                return "%.0f [%.0f..%.0f]" % (x["median"], x["min"],
                                              x["max"]) if x else "-"
            out.append("  %-13s %-40s cycles %-18s CPU cycles %-18s "
                       "instructions %s" % (
                           sc, SCENARIOS[sc][1],
                           st(c["cycles_per_packet_saved"]),
                           st(c["cycles_per_packet_cpu_saved"]),
                           _f(c["instructions_saved"], "%.0f")))
    a = res.get("acl_scaling")
    if a:
        c = a["cycles_per_packet_cpu"]
        out += ["", "ACL stage (pipeline - no-acl) at 65,535 rules / at "
                "10,000: CPU cycles %s, instructions %s%s" % (
                    "%.2f [%.2f-%.2f]" % (c["median"], c["min"], c["max"])
                    if c else "-", _f(a["instructions"], "%.2f"),
                    " (%.0f / %.0f a packet)" % (
                        a["instructions_stage"]["acl64k"],
                        a["instructions_stage"]["full"])
                    if a.get("instructions_stage") else "")]
    if res.get("targets"):
        out += ["", "Issue 12's targets (ixgate):", "",
                targets_text(res["targets"])]
    for k, why in res["skipped"].items():
        out.append("skipped %s: %s" % (k, why))
    return "\n".join(out)


def plot(res, png):
    """Cost per packet per scenario and DUT (CPU cycles, and instructions
    when counted), one panel; Mpps in a second. True if written."""
    s = res["summary"]
    duts = []
    for sc in res["order"]:
        for d in s.get(sc, {}):
            if d not in duts:
                duts.append(d)
    scen = [sc for sc in res["order"] if sc in s]
    if not scen:
        return False
    have_ipp = any(d["instructions_per_packet"] for sc in s.values()
                   for d in sc.values())
    with tempfile.TemporaryDirectory() as tmp:
        dat = os.path.join(tmp, "s.dat")
        with open(dat, "w") as f:
            for i, sc in enumerate(scen):
                row = ['%d "%s"' % (i, sc)]
                for d in duts:
                    x = s[sc].get(d)
                    row += ["%f" % ((x and x["mpps"]) or 0),
                            "%f" % ((x and x["cycles_per_packet_cpu"]) or 0),
                            "%f" % ((x and x["instructions_per_packet"]) or
                                    0)]
                f.write(" ".join(row) + "\n")
        w = 0.8 / len(duts)
        colours = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#aa3377"]

        def series(col_of):
            parts = []
            for j, d in enumerate(duts):
                x = "($1-0.4+%f)" % (w * (j + 0.5))
                parts.append("'%s' using %s:%d%s with boxes lc rgb \"%s\" "
                             "title \"%s\"" % (
                                 dat, x, col_of(j), ":xtic(2)" if j == 0
                                 else "", colours[j % len(colours)], d))
            return ", \\\n     ".join(parts)
        m = res["machine"]
        title = "ixgate-bench scenarios %s (%s, DPDK %s)" % (
            res["date"], m["cpu"], m["dpdk"])
        panels = [("Mpps, one core (median over rounds)",
                   series(lambda j: 3 + 3 * j)),
                  ("CPU cycles per packet (median)",
                   series(lambda j: 4 + 3 * j))]
        if have_ipp:
            panels.append(("instructions per packet (callgrind)",
                           series(lambda j: 5 + 3 * j)))
        fc = res.get("feature_costs") or {}
        if fc:
            # Absolute costs of variants measured in different phases
            # mislead on a shared machine: the in-round difference is
            # the figure.
            fdat = os.path.join(tmp, "f.dat")
            with open(fdat, "w") as f:
                for i, (sc, c) in enumerate(fc.items()):
                    x = c["cycles_per_packet_cpu_saved"] or \
                        {"median": 0, "min": 0, "max": 0}
                    f.write('%d "%s" %f %f %f\n' % (i, sc, x["median"],
                                                    x["min"], x["max"]))
            panels.append((
                "stage cost: full - variant, CPU cycles/pkt (in-round)",
                "'%s' using 1:3:xtic(2) with boxes lc rgb \"#aa3377\" "
                "notitle, '' using 1:3:4:5 with yerrorbars lc rgb "
                "\"black\" pt 0 notitle" % fdat))
        gp = ["set terminal png size %d,520 font \",10\"" %
              (520 * len(panels) + 100),
              "set output '%s'" % png,
              "set multiplot layout 1,%d title \"%s\"" % (len(panels), title),
              "set style fill solid 0.7 border -1",
              "set boxwidth %f" % w, "set grid ytics", "set yrange [0:*]",
              "set xtics rotate by -30", "set key top left"]
        for t, p in panels:
            gp += ["set title \"%s\"" % t,
                   "set boxwidth %f" % (0.6 if "in-round" in t else w),
                   "set yrange [%s:*]" % ("*" if "in-round" in t else "0"),
                   "plot " + p]
        gp.append("unset multiplot")
        r = subprocess.run(["gnuplot"], input="\n".join(gp) + "\n",
                           text=True, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        if r.returncode != 0:
            log("gnuplot failed: %s" % r.stdout.strip()[-500:])
            return False
    return os.path.exists(png)


def main(o, argv):
    if o.list_scenarios:
        list_scenarios()
        return 0
    phases = plan(o)
    ses = C.Session(o, "scenarios")
    stamp, json_path, png_path, logdir = (ses.stamp, ses.json_path,
                                          ses.png_path, ses.logdir)
    hz, t_begin, bins, base_mk = ses.hz, ses.t_begin, ses.bins, ses.mk
    base_gen = {"sizes": o.sizes, "v6": o.v6, "skew": o.skew}
    cache = os.path.join(o.data, "compare")
    def wanted(st, n, dm):
        """The DUTs of scenario n in a phase of set st (dm: the preset's
        own choice, which --duts narrows)."""
        if dm:
            return [d for d in dm[n] if not o.duts_given or d in o.duts]
        ds = o.duts if o.duts_given else DEFAULT_DUTS[st]
        if st == "features":
            ds = [d for d in ds if d == "ixgate"]
        return ds

    # Only what some DUT runs: a config of the real table takes 3-50 s.
    prepared = {}
    order = []
    for st, names, dm in phases:
        for n in names:
            if n not in prepared and wanted(st, n, dm):
                prepared[n] = prepare(o, bins, n, base_mk, base_gen, cache)
                order.append(n)
    phases = [(st, [n for n in names if n in prepared], dm)
              for st, names, dm in phases]
    phases = [ph for ph in phases if ph[1]]
    skipped = {}

    l3fwd = None
    if any(d.startswith("l3fwd") for st, names, dm in phases
           for n in names for d in wanted(st, n, dm)):
        l3fwd = S.ensure_l3fwd(TOP, o.l3fwd)
    for p in prepared.values():
        p["l3fwd"] = l3fwd

    def duts_of(st, n, dm):
        keep = []
        for d in wanted(st, n, dm):
            if d == "testpmd" and not C.shutil.which("dpdk-testpmd"):
                skipped[d] = "dpdk-testpmd not found (apt-get install dpdk)"
            elif d.startswith("l3fwd") and not l3fwd:
                skipped[d] = "l3fwd not built and bench/l3fwd/build.sh failed"
            else:
                keep.append(d)
        return keep

    runs = []
    cg = {}
    memory = {}
    load0 = ses.load0
    all_duts = []
    try:
        for pi, (st, names, dm) in enumerate(phases):
            entries = [(n, d, prepared[n]) for n in names
                       for d in duts_of(st, n, dm)]
            for _, d, _ in entries:
                if d not in all_duts:
                    all_duts.append(d)
            log("phase %d/%d (%s): %s" % (pi + 1, len(phases), st,
                                          ", ".join("%s/%s" % (n, d)
                                                    for n, d, _ in entries)))
            ph_runs, res, duts = C.measure_entries(
                o, ses, entries, "%s-p%d" % (ses.prefix, pi), skipped)
            for d in duts:
                if d.memory:
                    memory["p%d/%s" % (pi + 1, d.key)] = d.memory
            for r in ph_runs:
                r["phase"] = pi + 1
                runs.append(r)
            if res:
                for k, v in res.items():
                    sc, dut = k.split("/", 1)
                    v.update({"scenario": sc, "dut": dut, "phase": pi + 1})
                    cg["p%d/%s" % (pi + 1, k)] = v
    except KeyboardInterrupt:
        log("interrupted")
        raise SystemExit(130)
    if not runs and not cg:
        die("no DUT could run (logs: %s)" % logdir)

    summ = summarise(runs, cg)
    res = {
        "tool": "ixgate-bench compare --scenarios",
        "date": stamp,
        "command": "bench/ixgate-bench compare " + " ".join(argv),
        "machine": C.machine_info(),
        "tsc_hz": hz,
        "loadavg_start": load0,
        "loadavg_end": C.loadavg(),
        "elapsed_s": round(time.monotonic() - t_begin, 1),
        "configuration": {
            "scenarios": o.scenarios,
            "phases": [{"set": st, "scenarios": n, "duts": dm}
                       for st, n, dm in phases],
            "memory": "hugepages" if o.huge else "--no-huge (4 KiB pages)",
            "callgrind_only": o.callgrind_only,
            "duts": all_duts,
            "rounds": o.rounds, "duration_s": o.duration,
            "warmup_s": o.warmup, "forwarding_lcore": o.core,
            "main_lcore": o.main_core,
            "ports": "0: net_pcap rx_pcap=<traffic> infinite_rx=1, "
                     "1: net_null no-rx=1",
            "eal_memory_mb": {k: C.MEM[k] for k in all_duts},
            "scenarios_detail": {
                n: {k: (os.path.relpath(v, TOP) if k in (
                    "config", "l3fwd_rules", "pcap") else v)
                    for k, v in p.items()
                    if k not in ("dataplane", "testpmd", "l3fwd")}
                for n, p in prepared.items()},
        },
        "order": order,
        "skipped": skipped,
        "runs": runs,
        "callgrind": cg,
        "summary": summ,
        "dut_memory_mib": memory,
    }
    res["ratios"] = ratios(runs, summ, all_duts)
    res["feature_costs"] = feature_costs(runs, summ, cg)
    res["dut_ratios"] = dut_ratios(runs, summ)
    res["acl_scaling"] = acl_scaling(runs, summ)
    res["targets"] = targets(res)
    with open(json_path, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    print(text(res))
    if not o.no_plot and runs and S.ensure_gnuplot():
        if plot(res, png_path):
            print("plot:   %s" % os.path.relpath(png_path, TOP))
    print("result: %s" % os.path.relpath(json_path, TOP))
    print("logs:   %s" % os.path.relpath(logdir, TOP))
    return 0
