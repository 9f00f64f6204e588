#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_rtnl from what a real kernel sends.

usage (root): tests/fuzz/rtnl_seeds.py [OUT_DIR]   (default tests/fuzz/corpus/rtnl)

In a fresh network namespace, fills table 100 with every kind of route
(unicast, multipath with weights, blackhole, unreachable, prohibit, IPv4
via an IPv6 gateway, metrics, TOS, a source-specific IPv6 route), records
the kernel's dump of it and the notifications of further changes (add,
append, replace, partial and full deletes, a link going down, an address
removed), and writes fuzz_rtnl inputs: records [op][u16 len][bytes] (see
tests/fuzz/fuzz_rtnl.c). Dump replies are rewritten to the sequence
numbers and port id the fuzzed reader uses (seq 1.. per request, port 1).
The seeds are committed; rerun this only to refresh them. The
regress_* files beside them are inputs the fuzzer found (a gateway that kept
another family's bytes, a next hop with neither gateway nor interface, a
dump error of INT_MIN, a 2 GiB nlmsg_len), written by hand: keep them.
"""
import os
import socket
import struct
import subprocess
import sys

NETLINK_GET_STRICT_CHK = 12
SOL_NETLINK = 270
RTM_GETROUTE = 26
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_DUMP = 1, 2, 0x300
NLMSG_DONE = 3
RTA_TABLE = 15
GROUPS = (1 << (1 - 1)) | (1 << (5 - 1)) | (1 << (7 - 1)) | (1 << (11 - 1))
NS = "ixg-seeds-%d" % os.getpid()


def ip(*args, check=True):
    # Runs inside the namespace (see main()).
    subprocess.run(["ip"] + list(args), check=check,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def record(op, data=b""):
    return struct.pack("<BH", op, len(data)) + data


def dump(family, table):
    """The kernel's reply datagrams to a dump of (family, table)."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    s.setsockopt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1)
    s.bind((0, 0))
    rtm = struct.pack("BBBBBBBBI", family, 0, 0, 0, 0, 0, 0, 0, 0)
    attr = struct.pack("HHI", 8, RTA_TABLE, table)
    body = rtm + attr
    s.send(struct.pack("IHHII", 16 + len(body), RTM_GETROUTE,
                       NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + body)
    out = []
    while True:
        d = s.recv(65536)
        out.append(d)
        if struct.unpack_from("H", d, 4)[0] == NLMSG_DONE or \
                b"" == d:
            break
        # the last message of a datagram may be DONE
        off, done = 0, False
        while off + 16 <= len(d):
            ln, typ = struct.unpack_from("IH", d, off)
            if typ == NLMSG_DONE:
                done = True
            off += (ln + 3) & ~3
        if done:
            break
    s.close()
    return out


def reseq(datagrams, seq, pid=1):
    """Rewrite every message's seq and pid."""
    out = []
    for d in datagrams:
        b = bytearray(d)
        off = 0
        while off + 16 <= len(b):
            ln = struct.unpack_from("I", b, off)[0]
            if ln < 16:
                break
            struct.pack_into("II", b, off + 8, seq, pid)
            off += (ln + 3) & ~3
        out.append(bytes(b))
    return out


def done(seq, err=0, flags=NLM_F_MULTI):
    return struct.pack("IHHIIi", 20, NLMSG_DONE, flags, seq, 1, err)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus/rtnl"
    os.makedirs(out_dir, exist_ok=True)
    # Everything happens inside a fresh namespace: the script runs itself
    # there.
    subprocess.run(["ip", "netns", "add", NS], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", NS, sys.executable,
                        os.path.abspath(__file__), "--inner",
                        os.path.abspath(out_dir)], check=True)
    finally:
        subprocess.run(["ip", "netns", "del", NS])


def inner(out_dir):
    if True:
        ip("link", "set", "lo", "up")
        ip("link", "add", "d0", "type", "veth", "peer", "name", "e0")
        ip("link", "add", "d1", "type", "veth", "peer", "name", "e1")
        for i in ("d0", "e0", "d1", "e1"):
            ip("link", "set", i, "up")
        ip("addr", "add", "192.0.2.1/24", "dev", "d0")
        ip("addr", "add", "198.51.100.1/24", "dev", "d1")
        ip("-6", "addr", "add", "2001:db8:1::1/64", "dev", "d0", "nodad")
        ip("-6", "addr", "add", "2001:db8:2::1/64", "dev", "d1", "nodad")
        t = ["table", "100"]
        ip("route", "add", "10.1.0.0/16", "via", "192.0.2.2", "proto",
           "bird", *t)
        ip("route", "add", "10.2.0.0/16", "proto", "bgp", "metric", "20", *t,
           "nexthop", "via", "192.0.2.2", "weight", "3",
           "nexthop", "via", "198.51.100.2")
        ip("route", "add", "blackhole", "10.3.0.0/24", *t)
        ip("route", "add", "unreachable", "10.4.0.0/16", *t)
        ip("route", "add", "prohibit", "10.5.0.0/16", "metric", "7", *t)
        ip("route", "add", "10.6.0.0/16", "via", "inet6", "2001:db8:1::2",
           "dev", "d0", *t)
        ip("route", "add", "10.7.0.0/16", "tos", "0x10", "via", "192.0.2.3",
           *t)
        ip("route", "add", "default", "via", "192.0.2.9", "src",
           "192.0.2.1", *t)
        ip("-6", "route", "add", "2001:db8:100::/48", *t, "nexthop", "via",
           "2001:db8:1::2", "weight", "2", "nexthop", "via", "2001:db8:2::2")
        ip("-6", "route", "add", "blackhole", "2001:db8:bad::/48", *t)
        ip("-6", "route", "add", "2001:db8:400::/48", "from",
           "2001:db8:77::/48", "via", "2001:db8:1::2", *t)
        d4 = reseq(dump(socket.AF_INET, 100), 1)
        d6 = reseq(dump(socket.AF_INET6, 100), 3)

        ev = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                           socket.NETLINK_ROUTE)
        ev.bind((0, GROUPS))
        ip("route", "replace", "10.1.0.0/16", "via", "198.51.100.2", "proto",
           "bird", *t)
        ip("route", "append", "10.1.0.0/16", "via", "192.0.2.5", *t)
        ip("route", "del", "10.3.0.0/24", *t)
        ip("-6", "route", "append", "2001:db8:100::/48", "via",
           "2001:db8:1::3", *t)
        ip("-6", "route", "del", "2001:db8:100::/48", "via", "2001:db8:2::2",
           *t)
        ip("route", "add", "10.9.0.0/16", "via", "192.0.2.2", "table", "254")
        ip("addr", "del", "198.51.100.1/24", "dev", "d1")
        ip("link", "set", "d0", "down")
        ev.setblocking(False)
        events = []
        while True:
            try:
                events.append(ev.recv(65536))
            except BlockingIOError:
                break
        ev.close()

    sync = b"".join(record(0, d) for d in d4) + record(0, done(2, -2)) + \
        b"".join(record(0, d) for d in d6) + record(0, done(4, -2))
    seeds = {
        "dump_v4": b"".join(record(0, d) for d in d4),
        "sync": sync,
        "sync_events": sync + b"".join(record(0, e) for e in events) +
        record(1, struct.pack("<H", 0)[:0]) + record(1, b"\x00" * 30),
        "events_during_dump": b"".join(record(0, e) for e in events) + sync,
        "overrun": sync + record(2) + b"".join(record(0, d) for d in
                                               reseq(d4, 5)),
        "intr": b"".join(record(0, d) for d in d4[:-1]) +
        record(0, done(1, 0, NLM_F_MULTI | 0x10)),
        "send_fails": record(4) + sync + record(3) + record(4) + record(1, b"\x00" * 250),
        "events_only": b"".join(record(0, e) for e in events),
    }
    for name, data in seeds.items():
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s (%d events, %d+%d dump datagrams)" % (
        len(seeds), out_dir, len(events), len(d4), len(d6)))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--inner":
        inner(sys.argv[2])
    else:
        main()
