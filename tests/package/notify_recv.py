#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Stand in for systemd's notify socket (sd_notify(3)): bind a datagram
socket at PATH, then print every message received, one per line with \\n
as '|', followed by ' sock=yes' or ' sock=no' for whether SOCK existed when
it arrived. Stops after the first READY=1 message or TIMEOUT seconds."""
import os
import socket
import sys
import time

path, sock_path, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
deadline = time.monotonic() + timeout
# The caller waits for this line before starting the daemon.
print("bound", flush=True)
while time.monotonic() < deadline:
    s.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        msg = s.recv(4096).decode()
    except socket.timeout:
        break
    seen = "yes" if os.path.exists(sock_path) else "no"
    print(msg.replace("\n", "|") + " sock=" + seen, flush=True)
    if "READY=1" in msg.split("\n"):
        break
