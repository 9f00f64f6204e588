#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# trace_frames.py OUT.pcap - the handcrafted frames of test_replay_trace.sh,
# for configs/trace.conf, one per verdict, in the order of the golden trace
# (golden/replay_trace.txt), built by frames.py: valid checksums unless a
# frame is meant to be broken.
import sys

from frames import (arp_request, eth, icmp4_echo, ipv4, ns6, tcp4, udp4, udp6,
                    write_pcap)

PORT0 = "02:00:00:00:00:01"
VIETTEL = "02:00:00:00:10:01"
VNPT = "02:00:00:00:11:01"
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

# Ethernet minimum, as a NIC delivers (not frame 12, the runt).
write_pcap(sys.argv[1], [fr + bytes(max(0, 60 - len(fr))) if i != 11 else fr
                         for i, fr in enumerate(frames)], sec=1767225600)
