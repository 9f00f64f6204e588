/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * frame_util.h - the dataplane tests' frame builder: Ethernet with 0-3 VLAN
 * tags, IPv4 (options, fragments), IPv6 (extension headers, fragment
 * header), ARP, TCP/UDP/ICMP/ICMPv6 with correct checksums computed by a
 * reference implementation independent of the code under test.
 */
#ifndef IXG_FRAME_UTIL_H
#define IXG_FRAME_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define MAX_FRAME 2048

extern const uint8_t port_mac[6]; /* 02:00:00:00:00:01 */
extern const uint8_t peer_mac[6]; /* 02:00:00:00:01:01 */

struct fspec {
	const uint8_t *dmac; /* NULL: port_mac */
	const uint8_t *smac; /* NULL: peer_mac */
	unsigned n_vlans;
	uint16_t tpid[3]; /* 0: 0x8100 */
	uint16_t vid[3]; /* outermost first */
	uint16_t ethertype; /* 0: from family */
	int family; /* 4, 6, or 0 for ARP */
	uint8_t proto;
	const char *src, *dst;
	uint8_t ttl; /* 0: 64 */
	uint8_t dscp;
	unsigned ihl; /* 0: 5 */
	uint16_t frag; /* IPv4 flags and offset field, host order */
	unsigned n_ext;
	uint8_t ext[12]; /* IPv6 extension header types, in order */
	uint16_t ext_frag; /* fragment header offset|M field, host order */
	uint8_t icmp_type;
	uint16_t arp_op;
	unsigned payload; /* bytes after the L4 header */
};

/* Store v big-endian at p. */
void put16(uint8_t *p, uint16_t v);
/* RFC 1071 checksum of len bytes at p, starting from partial sum s. */
uint16_t ref_cksum(const uint8_t *p, size_t len, uint32_t s);
/* ICMPv6/TCP/UDP checksum over the IPv6 pseudo-header (RFC 8200 8.1). */
uint16_t ref_cksum6(const uint8_t *ip6, const uint8_t *l4, size_t len,
		    uint8_t nh);
/* Build the frame f describes into buf (MAX_FRAME bytes); its length. */
size_t build(const struct fspec *f, uint8_t *buf);

#endif /* IXG_FRAME_UTIL_H */
