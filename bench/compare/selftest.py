# SPDX-License-Identifier: BSD-3-Clause
"""Self-test of the harness's arithmetic (meson test harness_selftest):
the scenario plan, the in-round ratios and feature costs of
`compare --scenarios`, and the route install rates of `build`, on
made-up runs whose answers are known. No DPDK, no DUT is started."""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import compare  # noqa: E402
import live  # noqa: E402
import scenarios  # noqa: E402
import tablebuild  # noqa: E402

failures = []


def check(what, got, want, tol=1e-9):
    ok = (abs(got - want) <= tol) if isinstance(want, float) else got == want
    if not ok:
        failures.append("%s: got %r, want %r" % (what, got, want))


def run(sc, dut, phase, rnd, cpu, wall=None):
    return {"scenario": sc, "dut": dut, "phase": phase, "round": rnd,
            "cycles_per_packet_cpu": cpu,
            "cycles_per_packet": wall if wall else cpu, "mpps": 1000.0 / cpu,
            "gbps": 1.0, "gbps_wire": 1.0, "forwarded_pct": 100.0,
            "core_share": 1.0}


def main():
    o = compare.parse_args(["--scenarios", "throughput,no-acl,v4+v6"])
    check("defaults with --scenarios", (o.duration, o.warmup), (5, 1))
    check("plan", scenarios.plan(o),
          [("throughput", ["base", "small", "skew"], None),
           ("throughput", ["v4", "v6"], None), ("throughput", ["imix"], None),
           ("features", ["full", "no-acl"], None),
           ("throughput", ["v4", "v6"], None)])
    o = compare.parse_args(["--scenarios", "issue12", "--callgrind-only"])
    pl = scenarios.plan(o)
    check("issue12 preset phases", [(st, n) for st, n, _ in pl],
          [("mixed", ["base", "small", "v4", "v6", "bare"]),
           ("features", ["full", "no-acl", "acl64k", "no-sav", "no-policer",
                         "no-countries"])])
    check("issue12 base DUTs", pl[0][2]["base"],
          ["testpmd", "l3fwd-lpm", "l3fwd-acl", "ixgate"])
    check("--callgrind-only implies --callgrind", o.callgrind, True)
    o = compare.parse_args([])
    check("compare defaults", (o.duration, o.warmup, tuple(o.duts)),
          (10, 2, ("testpmd", "l3fwd-lpm", "l3fwd-acl", "ixgate")))

    # Two rounds where the machine's speed halves between rounds: the
    # in-round ratio stays 1.5 though the medians alone would mislead.
    runs = [run("base", "ixgate", 1, 1, 300), run("small", "ixgate", 1, 1, 200),
            run("base", "ixgate", 1, 2, 600), run("small", "ixgate", 1, 2, 400),
            run("base", "l3fwd-lpm", 1, 1, 120),
            run("small", "l3fwd-lpm", 1, 1, 100),
            run("v6", "ixgate", 2, 1, 520), run("v4", "ixgate", 2, 1, 400),
            run("imix", "ixgate", 3, 1, 900)]
    cg = {"p1/base/ixgate": {"scenario": "base", "dut": "ixgate",
                             "instructions_per_packet": 1500.0},
          "p1/small/ixgate": {"scenario": "small", "dut": "ixgate",
                              "instructions_per_packet": 1000.0}}
    summ = scenarios.summarise(runs, cg)
    check("median", summ["base"]["ixgate"]["cycles_per_packet_cpu"], 450.0)
    rat = {(r["pair"], r["dut"]): r for r in
           scenarios.ratios(runs, summ, ["ixgate", "l3fwd-lpm"])}
    r = rat[("base/small", "ixgate")]
    check("full/16 in round", r["cycles_per_packet_cpu"]["median"], 1.5)
    check("full/16 in round n", r["cycles_per_packet_cpu"]["n"], 2)
    check("full/16 instructions", r["instructions"], 1.5)
    check("full/16 target", r["cpu_vs_target"], 1.5 / 1.25)
    check("l3fwd full/16", rat[("base/small", "l3fwd-lpm")]
          ["cycles_per_packet_cpu"]["median"], 1.2)
    check("v6/v4", rat[("v6/v4", "ixgate")]["cycles_per_packet_cpu"]
          ["median"], 1.3)
    r = rat[("imix/base", "ixgate")]
    check("across phases flagged", r["across_phases"], True)
    check("across phases = ratio of medians",
          r["cycles_per_packet_cpu"]["median"], 2.0)
    dr = scenarios.dut_ratios(runs, summ)
    check("ixgate/l3fwd in round",
          dr["base"]["ixgate/l3fwd-lpm"]["cycles_per_packet_cpu"]["median"],
          2.5)

    # Feature cost: full - variant inside each round of the phase.
    runs = [run("full", "ixgate", 1, 1, 470), run("no-acl", "ixgate", 1, 1, 290),
            run("full", "ixgate", 1, 2, 940), run("no-acl", "ixgate", 1, 2, 750),
            run("full", "ixgate", 2, 1, 480),
            run("no-sampling", "ixgate", 2, 1, 470)]
    fc = scenarios.feature_costs(runs, scenarios.summarise(runs, {}))
    check("ACL cost", fc["no-acl"]["cycles_per_packet_cpu_saved"]["median"],
          185.0)
    check("ACL cost range", (fc["no-acl"]["cycles_per_packet_cpu_saved"]
                             ["min"], fc["no-acl"]
                             ["cycles_per_packet_cpu_saved"]["max"]),
          (180, 190))
    check("sampling cost", fc["no-sampling"]["cycles_per_packet_cpu_saved"]
          ["median"], 10.0)
    # Instructions: against the full of the variant's own phase.
    cg = {"p1/full/ixgate": {"phase": 1, "scenario": "full", "dut": "ixgate",
                             "instructions_per_packet": 1470.0},
          "p1/no-acl/ixgate": {"phase": 1, "scenario": "no-acl",
                               "dut": "ixgate",
                               "instructions_per_packet": 1027.0},
          "p2/full/ixgate": {"phase": 2, "scenario": "full", "dut": "ixgate",
                             "instructions_per_packet": 1460.0},
          "p2/no-sampling/ixgate": {"phase": 2, "scenario": "no-sampling",
                                    "dut": "ixgate",
                                    "instructions_per_packet": 1450.0}}
    fc2 = scenarios.feature_costs(runs, scenarios.summarise(runs, cg), cg)
    check("ACL instructions", fc2["no-acl"]["instructions_saved"], 443.0)
    check("sampling instructions", fc2["no-sampling"]["instructions_saved"],
          10.0)
    text = scenarios.text({
        "summary": {}, "order": [], "ratios": [], "feature_costs": fc,
        "skipped": {}, "machine": {"cpu": "x", "cores": 2, "dpdk": "22.11",
                                   "git_commit": "0" * 40,
                                   "git_dirty": False},
        "configuration": {"scenarios": "features", "rounds": 2,
                          "duration_s": 5, "warmup_s": 1},
        "date": "D", "tsc_hz": 2e9, "loadavg_start": [1], "loadavg_end": [1]})
    check("feature table", "no-acl" in text and "185" in text, True)

    # The issue12 preset: a feature variant in a phase without `full`
    # is costed against `base` (same config and traffic) and compared
    # with base's l3fwd; the ACL stage's scaling from 10k to 64k rules is
    # (acl64k - no-acl) / (full - no-acl) inside each round.
    runs = [run("base", "ixgate", 1, 1, 400), run("bare", "ixgate", 1, 1, 150),
            run("base", "l3fwd-lpm", 1, 1, 100),
            run("base", "l3fwd-acl", 1, 1, 200),
            run("base", "ixgate", 1, 2, 800), run("bare", "ixgate", 1, 2, 320),
            run("base", "l3fwd-lpm", 1, 2, 200),
            run("base", "l3fwd-acl", 1, 2, 400),
            run("full", "ixgate", 2, 1, 400), run("no-acl", "ixgate", 2, 1, 300),
            run("acl64k", "ixgate", 2, 1, 420),
            run("full", "ixgate", 2, 2, 800), run("no-acl", "ixgate", 2, 2, 600),
            run("acl64k", "ixgate", 2, 2, 860)]
    cg = {"p1/base/ixgate": {"phase": 1, "scenario": "base", "dut": "ixgate",
                             "instructions_per_packet": 1000.0},
          "p1/base/l3fwd-lpm": {"phase": 1, "scenario": "base",
                                "dut": "l3fwd-lpm",
                                "instructions_per_packet": 400.0},
          "p1/bare/ixgate": {"phase": 1, "scenario": "bare", "dut": "ixgate",
                             "instructions_per_packet": 600.0},
          "p2/full/ixgate": {"phase": 2, "scenario": "full", "dut": "ixgate",
                             "instructions_per_packet": 1000.0},
          "p2/no-acl/ixgate": {"phase": 2, "scenario": "no-acl",
                               "dut": "ixgate",
                               "instructions_per_packet": 900.0},
          "p2/acl64k/ixgate": {"phase": 2, "scenario": "acl64k",
                               "dut": "ixgate",
                               "instructions_per_packet": 1005.0}}
    summ = scenarios.summarise(runs, cg)
    fc = scenarios.feature_costs(runs, summ, cg)
    check("bare against base, cycles",
          fc["bare"]["cycles_per_packet_cpu_saved"]["median"], 365.0)
    check("bare against base, instructions",
          fc["bare"]["instructions_saved"], 400.0)
    check("acl64k is no feature variant", "acl64k" in fc, False)
    dr = scenarios.dut_ratios(runs, summ)
    check("bare / base's l3fwd-lpm", (dr["bare"]["ixgate/l3fwd-lpm"]
                                      ["cycles_per_packet_cpu"]["median"],
                                      dr["bare"]["ixgate/l3fwd-lpm"]
                                      ["against"],
                                      dr["bare"]["ixgate/l3fwd-lpm"]
                                      ["instructions"]), (1.55, "base", 1.5))
    check("ixgate / l3fwd-acl", dr["base"]["ixgate/l3fwd-acl"]
          ["cycles_per_packet_cpu"]["median"], 2.0)
    acl = scenarios.acl_scaling(runs, summ)
    check("ACL 64k/10k cycles", acl["cycles_per_packet_cpu"]["median"], 1.25)
    check("ACL 64k/10k instructions", acl["instructions"], 1.05)
    rat = scenarios.ratios(runs, summ, ["ixgate"])
    res = {"dut_ratios": dr, "ratios": rat, "acl_scaling": acl}
    tg = {r["target"]: r for r in scenarios.targets(res)}
    t = [r for k, r in tg.items() if k.startswith("ixgate / l3fwd-lpm")][0]
    check("LPM target: 4x missed", (t["cycles"]["median"], t["cycles_met"],
                                    t["instructions"],
                                    t["instructions_met"]),
          (4.0, False, 2.5, False))
    t = [r for k, r in tg.items() if k.startswith("65,535")][0]
    check("64k pipeline target", (round(t["cycles"]["median"], 6),
                                  t["cycles_met"], t["instructions_met"]),
          (1.0625, True, True))
    t = [r for k, r in tg.items() if k.startswith("ACL stage")][0]
    check("64k ACL stage target", (t["cycles_met"], t["instructions_met"]),
          (False, True))
    txt = scenarios.targets_text(scenarios.targets(res))
    check("targets text", "MISSED by 167%" in txt and "| met |" in txt,
          True)
    # --callgrind-only: instances known from callgrind alone.
    summ = scenarios.summarise([], {"p1/v4/ixgate": {
        "phase": 1, "scenario": "v4", "dut": "ixgate",
        "instructions_per_packet": 900.0}, "p1/v6/ixgate": {
        "phase": 1, "scenario": "v6", "dut": "ixgate",
        "instructions_per_packet": 1080.0}})
    r = scenarios.ratios([], summ, ["ixgate"])
    check("callgrind-only v6/v4", (r[0]["instructions"],
                                   r[0]["cycles_per_packet_cpu"]),
          (1.2, None))

    # Route install rates: routes / build time; FIBs built from scratch
    # only.
    j = {"routes4": 1000, "routes6": 500, "steps": [
        {"step": "install", "spares": True, "build_ms": 1000.0,
         "heap_mib": 1, "fibs": "route4 built 1000 (+1000 -0, 100.0 ms), "
                                "route6 built 500 (+500 -0, 50.0 ms)"},
        {"step": "full replace back", "spares": True, "build_ms": 10.0,
         "heap_mib": 1, "fibs": "route4 patched 1000 (+0 -0, 1.0 ms)"},
        {"step": "one-peer add", "spares": False, "build_ms": 5.0,
         "heap_mib": 1, "fibs": ""}]}
    routes, steps = tablebuild.summarise(j)
    st = {(s["step"], s["spares"]): s for s in steps}
    check("routes", routes, 1500)
    check("install routes/s", st[("install", True)]["routes_per_s"], 1500.0)
    check("install FIB routes/s",
          st[("install", True)]["route_fib_routes_per_s"], 10000.0)
    check("patched FIB: no rate",
          st[("full replace back", True)]["route_fib_routes_per_s"], None)
    check("one-peer: no rate", "routes_per_s" in st[("one-peer add", False)],
          False)
    check("rate format", (tablebuild.fmt_rate(1.5e6), tablebuild.fmt_rate(
        95291.0), tablebuild.fmt_rate(None)), ("1.50M", "95291", "-"))

    # latency's search: every DUT's step before the next step; a DUT
    # leaves the search at its first loss-free step reaching 95% of its
    # target; none found: 50% of its max-rate run, marked unverified.
    o = live.parse_args("latency", ["--duts", "testpmd,ixgate"])
    check("latency --duts", o.duts, ["testpmd", "ixgate"])
    top = {"testpmd": 1000.0, "ixgate": 400.0}
    order = []

    def fake(k, rate, label):
        order.append((k, label))
        sent = top[k] if rate == 0 else rate * (0.9 if k == "ixgate" else 1)
        lost = 1 if k == "testpmd" and rate > 850 else 0
        return {"target_pps": rate, "sent_pps": sent, "rx_pps": sent,
                "unexpected_loss": lost, "unexpected_forward": 0}
    runs = []
    got = live.search_max(["testpmd", "ixgate"], fake, o, runs)
    check("search order", order[:5],
          [("testpmd", "max"), ("ixgate", "max"), ("testpmd", "search100"),
           ("ixgate", "search100"), ("testpmd", "search90")])
    check("search testpmd", got["testpmd"], (800.0, 1000.0, True))
    check("search ixgate (never 95% of target)", got["ixgate"],
          (200.0, 400.0, False))
    check("search runs recorded", len(runs), len(order))
    o = live.parse_args("latency", ["--rate", "5000"])
    check("--rate skips the search", live.search_max(
        ["ixgate"], fake, o, []), {"ixgate": (5000.0, None, True)})

    for f in failures:
        print("FAIL " + f)
    print("harness selftest: %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
