/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt_bytes.h - loads, stores and Internet checksums on packet bytes, for
 * every stage: multi-byte fields are read and written with memcpy, so no
 * alignment is assumed anywhere in a frame.
 *
 * Checksums are one's complement sums (RFC 1071); they are byte-order
 * independent (RFC 1071 2.(B)), so the 16-bit words below are taken as
 * stored in the packet, not swapped.
 */
#ifndef IXG_PKT_BYTES_H
#define IXG_PKT_BYTES_H

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

/* A 16-bit word as stored (no byte swap). */
static inline uint16_t
ld16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void
st16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* A 32-bit word as stored. */
static inline uint32_t
ld_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A 64-bit word as stored. */
static inline uint64_t
ld_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Network byte order to host, and back. With the compiler's byte swap, not
 * rte_be_to_cpu_16/32: on x86 those are `asm volatile` (xchgb, bswap) for
 * a non-constant, which the compiler can neither schedule, merge nor fold
 * into a compare against a constant (et == ETHER_TYPE_IPV4 becomes a
 * compare of the stored word), and xchgb pins the value to a/b/c/d
 * registers. Callgrind, pipeline_bench's 16-route scenario: stage_parse
 * 146.1 -> 144.1 instructions a packet (bench/README.md, "Issue 12, the
 * base pipeline (helper stages)").
 */
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
#define PKT_BE16(x) __builtin_bswap16(x)
#define PKT_BE32(x) __builtin_bswap32(x)
#else
#define PKT_BE16(x) (x)
#define PKT_BE32(x) (x)
#endif

static inline uint16_t
ld_be16(const uint8_t *p)
{
	return PKT_BE16(ld16(p));
}

static inline uint32_t
ld_be32(const uint8_t *p)
{
	return PKT_BE32(ld_u32(p));
}

static inline void
st_be16(uint8_t *p, uint16_t v)
{
	st16(p, PKT_BE16(v));
}

/* A 32-bit one's complement sum folded to 16 bits (end-around carry),
 * not complemented. */
static inline uint16_t
cksum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/*
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), the checksum after one 16-bit
 * word changed from m to m'; all three as stored in the packet.
 */
static inline uint16_t
cksum_adjust(uint16_t hc, uint16_t m, uint16_t m_new)
{
	return (uint16_t)~cksum_fold((uint32_t)(uint16_t)~hc + (uint16_t)~m +
				     m_new);
}

/*
 * One's complement sum of the IPv6 pseudo-header (RFC 8200 8.1: source,
 * destination, upper-layer length, next header 58) and of the ICMPv6
 * message l4[0..len), folded, not complemented. A message carrying a
 * correct checksum sums to 0xffff (RFC 4443 2.3); the checksum to store is
 * the complement of the sum taken with the checksum field zero.
 */
static inline uint16_t
icmp6_sum(const uint8_t *ip6, const uint8_t *l4, uint32_t len)
{
	uint32_t be_len = rte_cpu_to_be_32(len);
	uint32_t be_nh = rte_cpu_to_be_32(IPPROTO_ICMPV6);
	uint32_t s;

	s = rte_raw_cksum(ip6 + 8, 32);
	s += rte_raw_cksum(&be_len, 4);
	s += rte_raw_cksum(&be_nh, 4);
	s += rte_raw_cksum(l4, len);
	return cksum_fold(s);
}

#endif /* IXG_PKT_BYTES_H */
