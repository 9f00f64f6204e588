#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""telemetry_client.py SOCKET COMMAND... - ask a DPDK telemetry socket.

Prints one JSON document per command, one per line. Retries the connection
for 15 s (the dataplane may still be starting). Fails when a reply is not
JSON or is as long as the socket's max_output_len (DPDK cuts a reply that
does not fit: one that long may be cut).

    telemetry_client.py SOCKET --pages /ixgate/peers peers
follows the pages of a paged command (from=NEXT while the reply says
"next") and prints {"pages": N, "total": T, "items": {...every entry...},
"max_len": bytes of the longest reply}.
"""
import json
import socket
import sys
import time


def connect(path):
    deadline = time.time() + 15
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.settimeout(5)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.time() > deadline:
                sys.exit("telemetry socket %s never answered" % path)
            time.sleep(0.2)


def ask(s, cmd, max_len):
    s.send(cmd.encode())
    raw = s.recv(1 << 20)
    if len(raw) >= max_len:
        sys.exit("%s: reply of %d bytes reaches max_output_len %d "
                 "(may be cut)" % (cmd, len(raw), max_len))
    try:
        return json.loads(raw.decode()), len(raw)
    except ValueError as e:
        sys.exit("%s: reply is not JSON (%s): %r" % (cmd, e, raw[:200]))


def main():
    path, args = sys.argv[1], sys.argv[2:]
    s = connect(path)
    hello = json.loads(s.recv(1024).decode())
    max_len = hello["max_output_len"]
    if args and args[0] == "--pages":
        cmd, key = args[1], args[2]
        items, pages, total, longest = {}, 0, None, 0
        nxt = None
        while True:
            c = cmd if nxt is None else "%s,from=%d" % (cmd, nxt)
            reply, n = ask(s, c, max_len)
            longest = max(longest, n)
            # DPDK keys the reply by the command, parameters left out.
            body = reply[cmd.split(",")[0]]
            if body is None:
                sys.exit("%s: null reply (the command failed)" % c)
            pages += 1
            total = body["total"]
            if body["count"] != len(body[key]):
                sys.exit("%s: count %d but %d entries" %
                         (c, body["count"], len(body[key])))
            for k, v in body[key].items():
                if k in items:
                    sys.exit("%s: %s given twice" % (c, k))
                items[k] = v
            nxt = body.get("next")
            if nxt is None:
                break
            if pages > 1000:
                sys.exit("%s: more than 1000 pages" % cmd)
        print(json.dumps({"pages": pages, "total": total, "items": items,
                          "max_len": longest, "max_output_len": max_len}))
        return
    for cmd in args:
        reply, _ = ask(s, cmd, max_len)
        print(json.dumps(reply))


main()
