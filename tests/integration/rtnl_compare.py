#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compare what ixgate-rtnl holds with what the kernel shows.

usage: rtnl_compare.py READER.json KERNEL4.json KERNEL6.json [PROTO]

READER.json is ixgate-rtnl's --state file ({"routes": [...]}) or its
`dump --json` output (a list); KERNEL4/6.json are `ip -j route show table
N` and `ip -j -6 route show table N`. Routes are compared per (family,
destination, source prefix) in the kernel's order (which entry of a prefix
comes first decides which one the kernel uses), next hops as a set (the
kernel lists ECMP siblings in different orders in dumps and
notifications), ignoring the flags the kernel flips by itself (dead,
linkdown, offload, trap). Exit 0 and "same: N routes" when equal, 1 and
the differences otherwise. PROTO: the protocol of the kernel's routes
when `ip` was asked for one (`ip route show ... proto bgp` leaves it out).
"""
import json
import sys

NO_NEXTHOP_TYPES = {"blackhole", "unreachable", "prohibit", "throw"}
ONLINK = 4  # RTNH_F_ONLINK


def key_of(fam, dst, src):
    # ip prints host routes without their length
    if dst != "default" and "/" not in dst:
        dst += "/32" if fam == 4 else "/128"
    if src and "/" not in src:
        src += "/32" if fam == 4 else "/128"
    return (fam, dst, src or "")


def norm_nh(gw, dev, weight, onlink):
    return (gw or "", dev or "", int(weight), bool(onlink))


def from_kernel(routes, fam, default_proto="boot"):
    out = {}
    for r in routes:
        rtype = r.get("type", "unicast")
        nhs = []
        if rtype not in NO_NEXTHOP_TYPES:
            if "nexthops" in r:
                for n in r["nexthops"]:
                    gw = n.get("gateway") or (n.get("via") or {}).get("host")
                    nhs.append(norm_nh(gw, n.get("dev"), n.get("weight", 1),
                                       "onlink" in n.get("flags", [])))
            elif "gateway" in r or "dev" in r or "via" in r:
                gw = r.get("gateway") or (r.get("via") or {}).get("host")
                nhs.append(norm_nh(gw, r.get("dev"), 1,
                                   "onlink" in r.get("flags", [])))
        if len(nhs) == 1:
            nhs = [nhs[0][:2] + (1,) + nhs[0][3:]]
        entry = (rtype, r.get("protocol", default_proto),
                 int(r.get("metric", 0)),
                 int(r.get("tos", "0"), 16) if isinstance(r.get("tos"), str)
                 else int(r.get("tos", 0)),
                 r.get("prefsrc", ""), tuple(sorted(nhs)))
        out.setdefault(key_of(fam, r["dst"], r.get("from")), []).append(entry)
    return out


def from_reader(routes):
    out = {}
    for r in routes:
        nhs = [norm_nh(n.get("gateway"), n.get("dev"), n.get("weight", 1),
                       n.get("flags", 0) & ONLINK) for n in r["nexthops"]]
        if len(nhs) == 1:
            nhs = [nhs[0][:2] + (1,) + nhs[0][3:]]
        fam = r["family"]
        dst = r["dst"]
        entry = (r["type"], r["protocol"], r["metric"], r["tos"],
                 r.get("prefsrc", ""), tuple(sorted(nhs)))
        out.setdefault(key_of(fam, dst, r.get("src")), []).append(entry)
    return out


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__.strip().split("\n")[2], file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        reader = json.load(f)
    if isinstance(reader, dict):
        reader = reader["routes"]
    kernel = {}
    for fam, path in ((4, sys.argv[2]), (6, sys.argv[3])):
        with open(path) as f:
            text = f.read().strip()
        kernel.update(from_kernel(json.loads(text) if text else [], fam,
                                  sys.argv[4] if len(sys.argv) > 4
                                  else "boot"))
    mine = from_reader(reader)
    bad = 0
    for k in sorted(set(kernel) | set(mine), key=str):
        a, b = kernel.get(k, []), mine.get(k, [])
        if a != b:
            bad += 1
            if bad <= 20:
                print("differs: %s %s%s" % (
                    "ipv%d" % k[0], k[1], " from " + k[2] if k[2] else ""))
                print("  kernel: %s" % a)
                print("  reader: %s" % b)
    if bad:
        print("%d prefixes differ" % bad)
        return 1
    print("same: %d routes" % sum(len(v) for v in kernel.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
