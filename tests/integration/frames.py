# SPDX-License-Identifier: BSD-3-Clause
# frames.py - the integration scripts' frame builders (import it): Ethernet,
# IPv4/IPv6 with valid checksums (unless asked otherwise), UDP, TCP, ICMP,
# ARP, Neighbor Solicitation, and a classic pcap writer. Plain struct
# packing: trace_frames.py, control_lib.sh's member_pcap and flows_pcap,
# test_replay_trace.sh's checks.
import socket
import struct

def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, vlan, etype):
    h = mac(dst) + mac(src)
    if vlan:
        h += struct.pack("!HH", 0x8100, vlan)
    return h + struct.pack("!H", etype)


def ipv4(src, dst, proto, payload, ttl=64, bad_csum=False):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, ttl,
                    proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    c = csum(h) ^ (0x1234 if bad_csum else 0)
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def pseudo4(src, dst, proto, l4):
    return (socket.inet_aton(src) + socket.inet_aton(dst) +
            struct.pack("!BBH", 0, proto, len(l4)))


def udp4(src, dst, sport, dport, data=b"ixgate-trace"):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    c = csum(pseudo4(src, dst, 17, u) + u) or 0xFFFF
    return ipv4(src, dst, 17, u[:6] + struct.pack("!H", c) + u[8:])


def tcp4(src, dst, sport, dport, ttl=64):
    t = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x02, 65535,
                    0, 0)
    c = csum(pseudo4(src, dst, 6, t) + t)
    return ipv4(src, dst, 6, t[:16] + struct.pack("!H", c) + t[18:], ttl)


def icmp4_echo(src, dst):
    i = struct.pack("!BBHHH", 8, 0, 0, 0x77, 1) + b"ping"
    c = csum(i)
    return ipv4(src, dst, 1, i[:2] + struct.pack("!H", c) + i[4:])


def ipv6(src, dst, nh, payload, hlim=64):
    return (struct.pack("!IHBB", 6 << 28, len(payload), nh, hlim) +
            socket.inet_pton(socket.AF_INET6, src) +
            socket.inet_pton(socket.AF_INET6, dst) + payload)


def pseudo6(src, dst, nh, l4):
    return (socket.inet_pton(socket.AF_INET6, src) +
            socket.inet_pton(socket.AF_INET6, dst) +
            struct.pack("!IxxxB", len(l4), nh))


def udp6(src, dst, sport, dport, data=b"ixgate-trace"):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    c = csum(pseudo6(src, dst, 17, u) + u) or 0xFFFF
    return ipv6(src, dst, 17, u[:6] + struct.pack("!H", c) + u[8:])


def ns6(src, target, src_mac):
    # RFC 4861 4.3: to the solicited-node multicast address, hop limit 255,
    # with the source link-layer address option.
    t = socket.inet_pton(socket.AF_INET6, target)
    dst = "ff02::1:ff%02x:%02x%02x" % (t[13], t[14], t[15])
    body = struct.pack("!BBHI", 135, 0, 0, 0) + t + b"\x01\x01" + mac(src_mac)
    c = csum(pseudo6(src, dst, 58, body) + body)
    body = body[:2] + struct.pack("!H", c) + body[4:]
    smac = "33:33:ff:%02x:%02x:%02x" % (t[13], t[14], t[15])
    return smac, ipv6(src, dst, 58, body, hlim=255)


def arp_request(src_mac, src_ip, target_ip):
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac(src_mac),
                       socket.inet_aton(src_ip), b"\0" * 6,
                       socket.inet_aton(target_ip))


def write_pcap(path, frames, sec=0):
    """A classic little-endian pcap of FRAMES, record i stamped sec.i us."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", sec, i, len(fr), len(fr)))
            f.write(fr)
