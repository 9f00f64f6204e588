#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Instructions per packet of each part of ixgate's worker, from a callgrind
dump of the ixgate DUT of `bench/ixgate-bench compare --callgrind` (or one
per-thread dump of --separate-threads=yes).

    bench/callgrind_stages.py bench/results/compare-<date>.callgrind/callgrind.out.ixgate.<pid>.1

Packets: the calls of stage_parse (one per burst) times 32. net_pcap with
infinite_rx hands out full bursts, which the execution count of any
once-per-packet line of stage_parse confirms (bursts x 32 exactly); the
telemetry count the harness divides by is known to ~1-5% only.

Each figure is a function's inclusive count (callgrind_annotate
--inclusive=yes). A function may be listed twice, under two spellings of
its file (absolute and build-relative), one of them a part of the other:
the larger is the function's. pipeline_run's fused tail (rewrite and
output, pipeline_tail) is one line, with the share of its inlined
headers. RX is listed apart from worker_main
(rte_eth_rx_burst inlined into it, attributed to rte_ethdev.h).

A dump with cache events (valgrind --tool=callgrind --cache-sim=yes) gets
two more columns, from the same inclusive counts: data misses a packet in
D1 (D1mr + D1mw) and in the last level (DLmr + DLmw). Any other events
are read and left out.

    bench/callgrind_stages.py --selftest   checks the arithmetic on two
                                           synthetic dumps (exit 77 without
                                           callgrind_annotate)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

STAGES = ["parse", "sample", "peer", "lookup", "local", "sav", "acl",
          "route", "country", "policer", "rewrite", "output"]

# The columns printed beside Ir when the dump has these events: a name and
# the events summed into it.
MISSES = [("D1 miss", ("D1mr", "D1mw")), ("LL miss", ("DLmr", "DLmw"))]


def dump_events(dump):
    """The events a callgrind dump recorded (its "events:" line)."""
    with open(dump, errors="replace") as f:
        for line in f:
            if line.startswith("events:"):
                return line.split()[1:]
    sys.exit("%s: no events line: not a callgrind dump" % dump)


def counts(text, n):
    """The N event counts of a callgrind_annotate row's left part
    ("1,234 (5.0%) 0 . ..."): "." (none recorded) is 0."""
    v = re.sub(r"\(\s*[\d.]+%\)", " ", text).split()
    if len(v) != n:
        return None
    return [0 if x == "." else int(x.replace(",", "")) for x in v]


def annotate(dump):
    """callgrind_annotate's inclusive counts of DUMP: (events, totals,
    {function: counts}, {callee: calls}), each counts a list in the order
    of events (Ir first: the dump's own order, Ir moved to the front)."""
    ev = dump_events(dump)
    if "Ir" not in ev:
        sys.exit("%s: no Ir event" % dump)
    ev = ["Ir"] + [e for e in ev if e != "Ir"]
    out = subprocess.run(
        ["callgrind_annotate", "--inclusive=yes", "--tree=calling",
         "--auto=no", "--threshold=100", "--show=" + ",".join(ev),
         "--sort=Ir", dump],
        capture_output=True, text=True, check=True).stdout
    total, incl, calls = None, {}, {}
    for line in out.splitlines():
        m = re.match(r"(.*\S)\s+PROGRAM TOTALS", line)
        if m:
            total = counts(m.group(1), len(ev))
            continue
        m = re.match(r"(.*?)\s+([*>])\s+(\S+)(?: \(([\d,]+)x\))?", line)
        if not m:
            continue
        c = counts(m.group(1), len(ev))
        if c is None:
            continue
        if m.group(2) == "*":
            incl[m.group(3)] = c
        elif m.group(4):
            calls[m.group(3)] = (calls.get(m.group(3), 0) +
                                 int(m.group(4).replace(",", "")))
    if total is None:
        sys.exit("%s: no PROGRAM TOTALS in callgrind_annotate's output"
                 % dump)
    return ev, total, incl, calls


def main(dump):
    ev, total, incl, calls = annotate(dump)
    # The extra columns: the events of each that the dump has.
    cols = [[ev.index(e) for e in es if e in ev] for _, es in MISSES]
    cols = [(name, ix) for (name, _), ix in zip(MISSES, cols) if ix]
    zero = [0] * len(ev)

    def find(*suffixes):
        for s in suffixes:
            v = [incl[k] for k in incl if k.endswith(s)]
            if v:
                return max(v)
        return zero

    def add(a, b):
        return [x + y for x, y in zip(a, b)]

    def sub(a, *bs):
        return [x - sum(b[i] for b in bs) for i, x in enumerate(a)]

    def fmt(v):
        """Ir a packet, then each miss column a packet."""
        return "%7.1f" % (v[0] / pk) + "".join(
            "  %7.3f" % (sum(v[i] for i in ix) / pk) for _, ix in cols)

    # pipeline_run fuses parse, sample and peer (pipeline_head, one call
    # a burst) where it can, the stage calls otherwise.
    bursts = max([v for k, v in calls.items()
                  if k.endswith(":stage_parse") or
                  k.endswith(":pipeline_head")] or [0])
    if bursts == 0:
        sys.exit("%s: no call of stage_parse or pipeline_head" % dump)
    pk = bursts * 32
    print("%s\n%d instructions, %d bursts, %d packets: %.1f a packet"
          % (dump, total[0], bursts, pk, total[0] / pk))
    if cols:
        print("  %-10s %7s%s" % ("", "Ir", "".join(
            "  %7s" % name for name, _ in cols)))
    ssum = zero
    # parse, sample and peer in one pass: one line, with the share of
    # the stage_sample it calls.
    head = find("parse_stage.c:pipeline_head")
    if head[0]:
        ssum = add(ssum, head)
        print("  %-10s %s  (parse + sample + peer in one pass: of it "
              "stage_sample %.1f, peer_stage.h %.1f)"
              % ("head", fmt(head), find("sample_stage.c:stage_sample")[0] / pk,
                 find("peer_stage.h:pipeline_head")[0] / pk))
    for s in STAGES:
        if head[0] and s in ("parse", "sample", "peer"):
            continue
        f = "route_stage.c" if s in ("lookup", "route") else s + "_stage.c"
        v = find("%s:stage_%s" % (f, s))
        ssum = add(ssum, v)
        print("  %-10s %s" % (s, fmt(v)))
    # pipeline_run fuses rewrite and output (pipeline_tail): their own
    # lines are then rewrite_stage.h's and output_stage.h's (inlined), the
    # probe and the cold paths output_stage.c's and rewrite_stage.c's.
    tail = find("pipeline.c:pipeline_tail")
    if tail[0]:
        ssum = add(ssum, tail)
        print("  %-10s %s  (rewrite + output in one pass: of it "
              "rewrite_stage.h %.1f, output_stage.h %.1f, pipeline.h %.1f)"
              % ("tail", fmt(tail),
                 find("rewrite_stage.h:pipeline_tail")[0] / pk,
                 find("output_stage.h:pipeline_tail")[0] / pk,
                 find("pipeline.h:pipeline_tail")[0] / pk))
    print("  %-10s %s" % ("stages", fmt(ssum)))
    wm = find("worker.c:worker_main", "worker.c:pipeline_run")
    rx = find("rte_ethdev.h:worker_main", "rte_ethdev.h:pipeline_run")
    tx = find("worker.c:worker_flush")
    if not wm[0]:
        # pipeline_bench --callgrind and the like: pipeline_run without a
        # worker around it.
        print("  lpm6_lookup_bulk (every caller)       %s"
              % fmt(find("lpm.c:lpm6_lookup_bulk")))
        print("  the rest (no worker_main here)        %s"
              % fmt(sub(total, ssum)))
        return
    print("  RX (rte_eth_rx_burst, net_pcap)       %s" % fmt(rx))
    print("  TX (worker_flush, net_pcap/net_null)  %s" % fmt(tx))
    print("  worker loop (the rest of worker_main) %s" % fmt(sub(wm, ssum, tx)))
    print("  lpm6_lookup_bulk (every caller)       %s"
          % fmt(find("lpm.c:lpm6_lookup_bulk")))
    print("  worker thread                         %s"
          % fmt(add(wm, rx)))
    print("  other threads (punt, main)            %s"
          % fmt(sub(total, wm, rx)))

# --selftest: one synthetic run of 4 bursts (128 packets). worker_main
# (10 Ir a packet of its own) calls pipeline_head (50), stage_acl (30),
# pipeline_tail (60) and worker_flush (20) 4 times each; main (the other
# threads, 5 of its own) calls worker_main. Per packet, D1 misses are Ir /
# 10 read + Ir / 20 written, LL misses Ir / 40 read + Ir / 80 written.
SELFTEST_FNS = [  # (file, function, Ir a packet of its own)
    ("/src/dataplane/parse_stage.c", "pipeline_head", 50),
    ("/src/dataplane/acl_stage.c", "stage_acl", 30),
    ("/src/dataplane/pipeline.c", "pipeline_tail", 60),
    ("/src/dataplane/worker.c", "worker_flush", 20),
]
SELFTEST_EVENTS = ["Ir", "D1mr", "D1mw", "DLmr", "DLmw"]
SELFTEST_WANT = {  # line: (Ir, D1 misses, LL misses) a packet
    "head": (50, 7.5, 1.875), "acl": (30, 4.5, 1.125), "lookup": (0, 0, 0),
    "tail": (60, 9, 2.25), "stages": (140, 21, 5.25),
    "TX": (20, 3, 0.75), "worker loop": (10, 1.5, 0.375),
    "worker thread": (170, 25.5, 6.375), "other threads": (5, 0.75, 0.1875),
}


def selftest_dump(path, events):
    pk = 128

    def cost(ir):
        c = {"Ir": ir * pk, "D1mr": ir * pk // 10, "D1mw": ir * pk // 20,
             "DLmr": ir * pk // 40, "DLmw": ir * pk // 80}
        return " ".join(str(c[e]) for e in events)

    # Ir a packet of (main, worker_main) inclusive
    wm = 10 + sum(ir for _, _, ir in SELFTEST_FNS)
    lines = ["version: 1", "creator: callgrind-3.19.0", "pid: 1",
             "cmd: selftest", "part: 1", "positions: line",
             "events: " + " ".join(events), "",
             "ob=(1) /selftest", "fl=(1) /src/dataplane/worker.c",
             "fn=(1) main", "1 " + cost(5),
             "cfn=(2) worker_main", "calls=1 10", "2 " + cost(wm), "",
             "fn=(2)", "10 " + cost(10)]
    for i, (fl, fn, ir) in enumerate(SELFTEST_FNS):
        lines += ["cfl=(%d) %s" % (i + 3, fl), "cfn=(%d) %s" % (i + 3, fn),
                  "calls=4 20", "%d %s" % (11 + i, cost(ir))]
    for i, (fl, fn, ir) in enumerate(SELFTEST_FNS):
        lines += ["", "fl=(%d)" % (i + 3), "fn=(%d)" % (i + 3),
                  "20 " + cost(ir)]
    tot = 5 + wm
    lines += ["", "totals: " + cost(tot)]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def selftest():
    if not shutil.which("callgrind_annotate"):
        print("SKIP: callgrind_annotate (valgrind) not installed")
        sys.exit(77)
    import contextlib
    import io
    bad = 0
    with tempfile.TemporaryDirectory() as d:
        for events in (["Ir"], SELFTEST_EVENTS):
            dump = os.path.join(d, "callgrind.out.%d" % len(events))
            selftest_dump(dump, events)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                main(dump)
            got = {}
            for line in out.getvalue().splitlines():
                m = re.match(r"\s+([a-zA-Z][a-zA-Z ]*?)(?: \([^)]*\))?\s+"
                             r"(-?[\d.]+)((?:\s+-?[\d.]+)*)(?:\s+\(|$)",
                             line)
                if m:
                    got[m.group(1).split(" (")[0]] = [
                        float(x) for x in [m.group(2)] + m.group(3).split()]
            if "128 packets: 175.0 a packet" not in out.getvalue():
                print("FAIL: %d events: packets or total:\n%s"
                      % (len(events), out.getvalue()))
                bad += 1
            for k, want in SELFTEST_WANT.items():
                want = list(want[:1 if len(events) == 1 else 3])
                if [round(x, 1) for x in got.get(k, [])] != \
                        [round(x, 1) for x in want]:
                    print("FAIL: %d events: %s: want %s, got %s\n%s"
                          % (len(events), k, want, got.get(k),
                             out.getvalue()))
                    bad += 1
            print("# %d event(s): %s" % (len(events), "FAIL" if bad else "ok"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--selftest":
        selftest()
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
