#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# trace_frames.py OUT.pcap - the handcrafted frames of test_replay_trace.sh,
# for configs/trace.conf, one per verdict, in the order of the golden trace
# (golden/replay_trace.txt). Plain struct packing, valid checksums unless a
# frame is meant to be broken.
import socket
import struct
import sys

PORT0 = "02:00:00:00:00:01"
VIETTEL = "02:00:00:00:10:01"
VNPT = "02:00:00:00:11:01"


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


V4, V6, ARP = 0x0800, 0x86DD, 0x0806
frames = [
    # 1 forwarded VN -> CN, UDP
    eth(PORT0, VIETTEL, 10, V4) + udp4("14.160.1.1", "1.80.1.1", 40000, 53),
    # 2 forwarded, ACL class gold (TCP 443)
    eth(PORT0, VIETTEL, 10, V4) + tcp4("14.160.1.1", "1.80.1.2", 40001, 443),
    # 3 forwarded IPv6
    eth(PORT0, VIETTEL, 10, V6) + udp6("2402:800::1", "240e::1", 40002, 53),
    # 4 acl_deny (UDP 123)
    eth(PORT0, VIETTEL, 10, V4) + udp4("14.160.1.1", "1.80.1.3", 40003, 123),
    # 5 blackhole
    eth(PORT0, VIETTEL, 10, V4) + udp4("14.160.1.1", "1.84.0.1", 40004, 53),
    # 6 no_route
    eth(PORT0, VIETTEL, 10, V4) + udp4("14.160.1.1", "100.64.0.1", 40005, 53),
    # 7 source_invalid (China Telecom's address from Viettel)
    eth(PORT0, VIETTEL, 10, V4) + udp4("1.80.0.5", "1.80.1.1", 40006, 53),
    # 8 unknown_peer (unknown source MAC)
    eth(PORT0, "02:00:00:00:99:99", 10, V4) +
    udp4("14.160.1.1", "1.80.1.1", 40007, 53),
    # 9 ttl_expired
    eth(PORT0, VIETTEL, 10, V4) + tcp4("14.160.1.1", "1.80.1.1", 40008, 80,
                                       ttl=1),
    # 10 ARP request for the node -> reply
    eth("ff:ff:ff:ff:ff:ff", VIETTEL, 10, ARP) +
    arp_request(VIETTEL, "192.0.2.10", "192.0.2.1"),
    # 11 ping the node -> echo reply
    eth(PORT0, VIETTEL, 10, V4) + icmp4_echo("14.160.1.1", "192.0.2.1"),
    # 12 runt
    bytes(10),
    # 13 dmac_mismatch
    eth("02:00:00:00:00:99", VIETTEL, 10, V4) +
    udp4("14.160.1.1", "1.80.1.1", 40009, 53),
    # 14 ipv4_checksum
    eth(PORT0, VIETTEL, 10, V4) +
    ipv4("14.160.1.1", "1.80.1.1", 17, bytes(8), bad_csum=True),
    # 15 forwarded from the other VN peer
    eth(PORT0, VNPT, 11, V4) + udp4("113.160.1.1", "1.80.1.1", 40010, 53),
    # 16 hairpin (Viettel's own prefix)
    eth(PORT0, VIETTEL, 10, V4) + udp4("14.160.1.1", "14.160.2.2", 40011, 53),
    # 17 ethertype (LLDP)
    eth("01:80:c2:00:00:0e", VIETTEL, 0, 0x88CC) + bytes(46),
]
# 18 Neighbor Solicitation for the node's IPv6 address -> advertisement
_dmac, _pkt = ns6("fe80::10:1", "2001:db8:10::1", VIETTEL)
frames.append(eth(_dmac, VIETTEL, 10, V6) + _pkt)

with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i, fr in enumerate(frames):
        if len(fr) < 60 and i != 11:
            fr += bytes(60 - len(fr))  # Ethernet minimum, as a NIC delivers
        f.write(struct.pack("<IIII", 1767225600, i, len(fr), len(fr)))
        f.write(fr)
