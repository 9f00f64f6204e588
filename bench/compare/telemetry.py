# SPDX-License-Identifier: BSD-3-Clause
"""DPDK telemetry (v2 socket) client: the port counters of any DPDK primary.

Reads /ethdev/stats,PORT exactly as bench/l3fwd/port-stats.sh does with
dpdk-telemetry.py, but over one connection kept open, so that a snapshot of
several ports costs a few hundred microseconds and its timestamp means
something. The process must run with a shared config (--file-prefix NAME,
no --in-memory, no --no-shconf; --no-huge is fine).
"""

import json
import os
import socket
import time

STAT_KEYS = ("ipackets", "opackets", "ibytes", "obytes", "imissed",
             "ierrors", "oerrors", "rx_nombuf")


def runtime_dir(prefix):
    """EAL's runtime directory for a file prefix (rte_eal_get_runtime_dir)."""
    if os.geteuid() == 0:
        base = "/var/run/dpdk"
    else:
        base = os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk")
    return os.path.join(base, prefix)


class Telemetry:
    """One connection to a DPDK process's telemetry socket."""

    def __init__(self, prefix, timeout=2.0):
        path = os.path.join(runtime_dir(prefix), "dpdk_telemetry.v2")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(path)
            info = json.loads(self.sock.recv(1024).decode())
        except (OSError, ValueError):
            self.sock.close()
            raise
        self.max_len = int(info.get("max_output_len", 16384))

    def query(self, cmd):
        """Sends one command, returns the decoded value of its answer."""
        self.sock.send(cmd.encode())
        reply = json.loads(self.sock.recv(self.max_len).decode())
        return reply.get(cmd.split(",", 1)[0])

    def port_stats(self, ports):
        """{port: {stat: value}} for the given ports, plus the time of the
        snapshot (midpoint of the queries, time.monotonic())."""
        t0 = time.monotonic()
        out = {}
        for p in ports:
            s = self.query("/ethdev/stats,%d" % p)
            if not isinstance(s, dict):
                raise OSError("no stats for port %d" % p)
            out[p] = {k: int(s.get(k, 0)) for k in STAT_KEYS}
        t1 = time.monotonic()
        return (t0 + t1) / 2, out

    def close(self):
        self.sock.close()


def try_connect(prefix):
    """A Telemetry, or None if the socket is not (yet) there."""
    try:
        return Telemetry(prefix)
    except (OSError, ValueError):
        return None
