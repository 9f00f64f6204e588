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
"""
import re
import subprocess
import sys

STAGES = ["parse", "sample", "peer", "lookup", "local", "sav", "acl",
          "route", "country", "policer", "rewrite", "output"]


def main(dump):
    out = subprocess.run(
        ["callgrind_annotate", "--inclusive=yes", "--tree=calling",
         "--auto=no", "--threshold=100", dump],
        capture_output=True, text=True, check=True).stdout
    total = int(re.search(r"([\d,]+) \(100.0%\)\s+PROGRAM TOTALS",
                          out).group(1).replace(",", ""))
    incl, calls = {}, {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \([\d. ]+%\)\s+\*\s+(\S+)", line)
        if m:
            incl[m.group(2)] = int(m.group(1).replace(",", ""))
            continue
        m = re.match(r"\s*([\d,]+) \([\d. ]+%\)\s+>\s+(\S+) \(([\d,]+)x\)",
                     line)
        if m:
            calls[m.group(2)] = (calls.get(m.group(2), 0) +
                                 int(m.group(3).replace(",", "")))

    def find(*suffixes):
        for s in suffixes:
            v = [incl[k] for k in incl if k.endswith(s)]
            if v:
                return max(v)
        return 0

    # pipeline_run fuses parse, sample and peer (pipeline_head, one call
    # a burst) where it can, the stage calls otherwise.
    bursts = max([v for k, v in calls.items()
                  if k.endswith(":stage_parse") or
                  k.endswith(":pipeline_head")] or [0])
    if bursts == 0:
        sys.exit("%s: no call of stage_parse or pipeline_head" % dump)
    pk = bursts * 32
    print("%s\n%d instructions, %d bursts, %d packets: %.1f a packet"
          % (dump, total, bursts, pk, total / pk))
    ssum = 0
    # parse, sample and peer in one pass: one line, with the share of
    # the stage_sample it calls.
    head = find("parse_stage.c:pipeline_head")
    if head:
        ssum += head
        print("  %-10s %7.1f  (parse + sample + peer in one pass: of it "
              "stage_sample %.1f, peer_stage.h %.1f)"
              % ("head", head / pk, find("sample_stage.c:stage_sample") / pk,
                 find("peer_stage.h:pipeline_head") / pk))
    for s in STAGES:
        if head and s in ("parse", "sample", "peer"):
            continue
        f = "route_stage.c" if s in ("lookup", "route") else s + "_stage.c"
        v = find("%s:stage_%s" % (f, s))
        ssum += v
        print("  %-10s %7.1f" % (s, v / pk))
    # pipeline_run fuses rewrite and output (pipeline_tail): their own
    # lines are then rewrite_stage.h's and output_stage.h's (inlined), the
    # probe and the cold paths output_stage.c's and rewrite_stage.c's.
    tail = find("pipeline.c:pipeline_tail")
    if tail:
        ssum += tail
        print("  %-10s %7.1f  (rewrite + output in one pass: of it "
              "rewrite_stage.h %.1f, output_stage.h %.1f, pipeline.h %.1f)"
              % ("tail", tail / pk, find("rewrite_stage.h:pipeline_tail") / pk,
                 find("output_stage.h:pipeline_tail") / pk,
                 find("pipeline.h:pipeline_tail") / pk))
    print("  %-10s %7.1f" % ("stages", ssum / pk))
    wm = find("worker.c:worker_main", "worker.c:pipeline_run")
    rx = find("rte_ethdev.h:worker_main", "rte_ethdev.h:pipeline_run")
    tx = find("worker.c:worker_flush")
    print("  RX (rte_eth_rx_burst, net_pcap)       %7.1f" % (rx / pk))
    print("  TX (worker_flush, net_pcap/net_null)  %7.1f" % (tx / pk))
    print("  worker loop (the rest of worker_main) %7.1f"
          % ((wm - ssum - tx) / pk))
    print("  lpm6_lookup_bulk (every caller)       %7.1f"
          % (find("lpm.c:lpm6_lookup_bulk") / pk))
    print("  worker thread                         %7.1f" % ((wm + rx) / pk))
    print("  other threads (punt, main)            %7.1f"
          % ((total - wm - rx) / pk))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
