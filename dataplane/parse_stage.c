/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * parse_stage.c - the one parse of each packet: Ethernet, up to two VLAN
 * tags, IPv4 / IPv6 (with the extension-header walk) / ARP, and the L4 ports
 * or ICMP type. Everything later stages need lands in struct pkt_meta.
 *
 * What is parseable: only the first segment of an mbuf (data_len bytes from
 * rte_pktmbuf_mtod). Length fields are checked against the whole packet
 * (pkt_len), but every header the parser reads must lie in the first
 * segment; a header that spans segments is treated as cut short and dropped
 * under the reason of that header (ipv4_header, l4_truncated, ...). Every
 * multi-byte field is loaded with memcpy, so no alignment is assumed.
 *
 * The common case (unicast to the port, untagged or one 802.1Q tag, IPv4
 * without options or fragments to a non-multicast destination with TCP,
 * UDP or ICMP, IPv6 without extension headers to a non-multicast
 * destination with TCP or UDP) takes parse_fast, one pass with checks
 * first, and is marked in burst.parsed_fast; so does IPv6 with ICMPv6,
 * marked but for Neighbor Discovery (stage_local's), and a martian IPv6 frame of those shapes is
 * dropped there as parse_one would. Everything else, and every other
 * drop, the general parser (parse_one), which stage_parse_simple runs
 * alone as the tests' reference. The workers run stage_parse's loop
 * with stage_peer's step in it (pipeline_head, at the end of this file);
 * stage_parse alone runs under pipeline_run_observed.
 *
 * Cost: stage_parse alone 69.1 instructions/packet on parse_bench's
 * traffic (callgrind; bench/README.md, "Issue 12, the head,
 * structurally").
 */
#include <stddef.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#ifdef __SSE4_1__
#include <smmintrin.h>
#endif

#include "peer_stage.h"
#include "pipeline.h"
#include "pkt_bytes.h"
#include "sample_stage.h"

#define ETH_HDR_LEN 14
#define VLAN_TAG_LEN 4
#define MAX_VLANS 2

#define ETHER_TYPE_IPV4 0x0800
#define ETHER_TYPE_IPV6 0x86dd
#define ETHER_TYPE_ARP 0x0806
#define ETHER_TYPE_VLAN 0x8100 /* 802.1Q C-tag */
#define ETHER_TYPE_QINQ 0x88a8 /* 802.1ad S-tag */
#define ETHER_TYPE_QINQ_OLD 0x9100 /* pre-802.1ad S-tag, still seen */

#define IPV4_MIN_HDR 20
#define IPV4_OPT_EOL 0 /* End of Option List, RFC 791 3.1 */
#define IPV4_OPT_NOP 1 /* No Operation */
#define IPV4_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff
#define IPV6_HDR_LEN 40
#define ARP_LEN 28 /* Ethernet/IPv4 ARP, RFC 826 */

/*
 * Limits of the IPv6 extension-header walk: a chain longer than this is
 * dropped (ipv6_ext_chain) rather than walked, so a crafted endless chain
 * costs a bounded amount of work. RFC 7112 requires the whole chain in the
 * first fragment; RFC 8504 5.3 lets a node limit chains it will process.
 */
#define IPV6_EXT_MAX_HDRS 8
#define IPV6_EXT_MAX_BYTES 256

#define PREFETCH_AHEAD 3

_Static_assert(sizeof(struct pkt_meta) >= 16, "meta_zero: one 16-byte store");

/* The parse helpers return a drop reason, or PARSE_OK (reason 0 is runt). */
#define PARSE_OK IXG_DROP_MAX

/*
 * Zero one pkt_meta with 16-byte stores: memset of its 88 bytes compiles
 * to `rep stosq` here (gcc 12 -O2, -march=corei7), whose start-up costs
 * tens of cycles per packet.
 */
static inline void
meta_zero(struct pkt_meta *pm)
{
#ifdef __SSE2__
	__m128i z = _mm_setzero_si128();
	uint8_t *d = (uint8_t *)pm;
	size_t o;

	for (o = 0; o + 16 <= sizeof(*pm); o += 16)
		_mm_storeu_si128((__m128i *)(void *)(d + o), z);
	if (o < sizeof(*pm)) /* the tail, overlapping the last store */
		_mm_storeu_si128((__m128i *)(void *)(d + sizeof(*pm) - 16), z);
#else
	memset(pm, 0, sizeof(*pm));
#endif
}

static inline int
is_vlan_tpid(uint16_t et)
{
	return et == ETHER_TYPE_VLAN || et == ETHER_TYPE_QINQ ||
	       et == ETHER_TYPE_QINQ_OLD;
}

/*
 * IPv4 martians (host order): never valid as source (s) or destination (d)
 * of a packet crossing the node.
 *   0.0.0.0/8        s d  "this network", RFC 1122 3.2.1.3 (a)(b), RFC 6890
 *   127.0.0.0/8      s d  loopback, RFC 1122 3.2.1.3 (g)
 *   224.0.0.0/4      s    multicast is never a source, RFC 1122 3.2.1.3,
 *                         RFC 1112 4
 *   240.0.0.0/4      s d  class E reserved, RFC 1112 4, RFC 6890 (includes
 *                         255.255.255.255, limited broadcast, RFC 1122
 *                         3.2.1.3 (c): never a source, never forwarded,
 *                         RFC 1812 5.3.5.1)
 * Multicast destinations are not martian: link-local ones go to stage_local
 * (local_unhandled), others find no route.
 */
#define MARTIAN_SRC 1
#define MARTIAN_DST 2
/* Not martian: a multicast destination, which parse_fast leaves to
 * parse_one (see struct burst's parsed_fast). */
#define MCAST_DST 4
/* The table above by first octet: two loads instead of six compares. */
static const uint8_t ipv4_martian_octet[256] = {
	[0] = MARTIAN_SRC | MARTIAN_DST,
	[127] = MARTIAN_SRC | MARTIAN_DST,
	[224 ... 239] = MARTIAN_SRC | MCAST_DST,
	[240 ... 254] = MARTIAN_SRC | MARTIAN_DST,
	[255] = MARTIAN_SRC | MARTIAN_DST,
};

/*
 * 1 under an IPv6 address's first octet 0 or 0xff, the only ones under
 * which ipv6_martian can hold or a destination be multicast: fast_ipv6
 * tests both addresses' and looks closer only where one is set. A table
 * of its own (not a bit of ipv4_martian_octet's), so that the OR of the
 * two loads is the test.
 */
static const uint8_t ipv6_look_octet[256] = {[0] = 1, [255] = 1};

static inline int
ipv4_martian(uint32_t src, uint32_t dst)
{
	return (ipv4_martian_octet[src >> 24] & MARTIAN_SRC) |
	       (ipv4_martian_octet[dst >> 24] & MARTIAN_DST);
}

/*
 * IPv6 martians:
 *   ::/128             s d  unspecified: never forwarded, RFC 4291 2.5.2
 *                           (so DAD probes are not answered either)
 *   ::1/128            s d  loopback, RFC 4291 2.5.3
 *   ::ffff:0:0/96      s d  IPv4-mapped, never on the wire, RFC 4291
 *                           2.5.5.2, RFC 6890
 *   ff00::/8           s    multicast is never a source, RFC 4291 2.7
 *   ff00::/16 ff01::/16  d  reserved and interface-local multicast scopes
 *                           never leave a node, RFC 4291 2.7
 */
/* ::, ::1 or ::ffff:0:0/96: they share ten leading zero bytes. */
static __rte_always_inline int
ipv6_low_martian(const uint8_t *a)
{
	uint16_t m;

	if (ld_u64(a) != 0 || ld16(a + 8) != 0)
		return 0;
	m = ld_be16(a + 10);
	return m == 0xffff || (m == 0 && ld_be32(a + 12) <= 1);
}

static inline int
ipv6_martian(const uint8_t *src, const uint8_t *dst)
{
	if (src[0] == 0xff)
		return 1;
	if (dst[0] == 0xff && (dst[1] & 0x0f) <= 1)
		return 1;
	return ipv6_low_martian(src) || ipv6_low_martian(dst);
}

/*
 * L4 header at p with `avail` bytes inside both the first segment and the
 * IP packet. Returns PARSE_OK or a drop reason. Not called for later
 * fragments.
 * RFC 1858 / RFC 7112: a first fragment must carry the whole transport
 * header, so a short one is l4_truncated like an unfragmented packet.
 */
static inline int
parse_l4(const uint8_t *p, uint32_t avail, struct pkt_meta *pm)
{
	switch (pm->l4_proto) {
	case IPPROTO_TCP:
		if (avail < 20 || (p[12] >> 4) < 5 ||
		    (uint32_t)(p[12] >> 4) * 4 > avail)
			return IXG_DROP_L4_TRUNCATED;
		pm->sport = ld_be16(p);
		pm->dport = ld_be16(p + 2);
		return PARSE_OK;
	case IPPROTO_UDP:
		if (avail < 8)
			return IXG_DROP_L4_TRUNCATED;
		pm->sport = ld_be16(p);
		pm->dport = ld_be16(p + 2);
		return PARSE_OK;
	case IPPROTO_ICMP:
		if (pm->l3 != L3_IPV4)
			return PARSE_OK;
		goto icmp;
	case IPPROTO_ICMPV6:
		if (pm->l3 != L3_IPV6)
			return PARSE_OK;
	icmp:
		/* Type, code, checksum and 4 more bytes: the shortest ICMP
		 * (RFC 792) or ICMPv6 (RFC 4443 2.1) message we act on. */
		if (avail < 8)
			return IXG_DROP_L4_TRUNCATED;
		pm->icmp_type = p[0];
		return PARSE_OK;
	default: return PARSE_OK;
	}
}

/*
 * rte_raw_cksum(p, 20) == 0xffff for an option-less IPv4 header, in five
 * 32-bit adds instead of rte_raw_cksum's generic loop (~40 instructions
 * under callgrind against ~15). A 32-bit word hi:lo is congruent to
 * hi + lo modulo 0xffff, so the 64-bit sum s of the five words is
 * congruent to the 16-bit one's complement sum of the ten 16-bit words
 * (RFC 1071 2.(B), byte-order independence; 2.(C), deferred carries).
 * Folding with end-around carry maps 0 to 0 and any other multiple of
 * 0xffff to 0xffff, so the folded sum is 0xffff exactly when s is a
 * non-zero multiple of 0xffff: one remainder by a constant (a multiply
 * and shifts) instead of four folds.
 */
static inline int
ipv4_hdr20_sum_ok(const uint8_t *p)
{
	uint64_t s = (uint64_t)ld_u32(p) + ld_u32(p + 4) + ld_u32(p + 8) +
		     ld_u32(p + 12) + ld_u32(p + 16);

	return s != 0 && s % 0xffff == 0;
}

/*
 * For a header whose first byte is 0x45 (parse_fast's) the sum is not 0,
 * so divisibility by 0xffff alone decides, tested as a multiply by
 * 0xffff's inverse modulo 2^64 and one compare (Granlund and Montgomery;
 * Hacker's Delight 10-17): s is a multiple of 0xffff exactly when s *
 * inverse, wrapped, is at most (2^64 - 1) / 0xffff. Written out, because
 * gcc makes `s % 0xffff == 0` a `div` in code it deems cold (the tagged
 * copies of fast_ipv4), tens of cycles. ipv4_hdr20_sum_ok_fast below.
 */
#define CKSUM_INV 0xfffefffefffeffffull /* 0xffff * this == 1 mod 2^64 */
#define CKSUM_LIM 0x0001000100010001ull /* (2^64 - 1) / 0xffff */
_Static_assert((uint64_t)(0xffffull * CKSUM_INV) == 1 &&
		       CKSUM_LIM == UINT64_MAX / 0xffff,
	       "ipv4_hdr20_sum_ok_fast: the inverse");

/*
 * Whether the options of an IPv4 header (bytes 20..ihl) are well formed
 * (RFC 791 3.1): End of Option List ends them, No Operation is one byte,
 * every other option has a length octet that counts the type and length
 * octets, so it is at least 2 and ends inside the header. A router
 * discards a header it cannot make sense of (RFC 1812 5.2.2, 4.2.2.1):
 * 0 here is a drop ipv4_header. Only headers with options get here.
 */
static __rte_noinline int
ipv4_options_ok(const uint8_t *p, uint32_t ihl)
{
	uint32_t i = IPV4_MIN_HDR;

	while (i < ihl) {
		uint8_t type = p[i];

		if (type == IPV4_OPT_EOL)
			return 1;
		if (type == IPV4_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= ihl || p[i + 1] < 2 || i + p[i + 1] > ihl)
			return 0;
		i += p[i + 1];
	}
	return 1;
}

static inline int
parse_ipv4(const uint8_t *p, uint32_t avail, uint32_t total_avail,
	   uint64_t ol_flags, struct pkt_meta *pm)
{
	uint32_t ihl, tot, src, dst;
	uint16_t ff;

	if (avail < IPV4_MIN_HDR || (p[0] >> 4) != 4)
		return IXG_DROP_IPV4_HEADER;
	ihl = (uint32_t)(p[0] & 0x0f) * 4;
	if (ihl < IPV4_MIN_HDR || ihl > avail)
		return IXG_DROP_IPV4_HEADER;
	tot = ld_be16(p + 2);
	/* Ethernet pads short frames: bytes beyond tot are allowed. */
	if (tot < ihl || tot > total_avail)
		return IXG_DROP_IPV4_HEADER;

	/* The checksum, then the options if there are any: the test of an
	 * option-less header is the one the checksum makes anyway. */
	switch (ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
	case RTE_MBUF_F_RX_IP_CKSUM_GOOD:
		if (unlikely(ihl != IPV4_MIN_HDR) && !ipv4_options_ok(p, ihl))
			return IXG_DROP_IPV4_HEADER;
		break;
	case RTE_MBUF_F_RX_IP_CKSUM_BAD: return IXG_DROP_IPV4_CHECKSUM;
	default:
		/* RFC 1071: the one's complement sum over a correct header,
		 * checksum included, is all ones. */
		if (likely(ihl == IPV4_MIN_HDR)) {
			if (!ipv4_hdr20_sum_ok(p))
				return IXG_DROP_IPV4_CHECKSUM;
		} else if (rte_raw_cksum(p, ihl) != 0xffff) {
			return IXG_DROP_IPV4_CHECKSUM;
		} else if (!ipv4_options_ok(p, ihl)) {
			return IXG_DROP_IPV4_HEADER;
		}
	}

	src = ld_be32(p + 12);
	dst = ld_be32(p + 16);
	if (ipv4_martian(src, dst))
		return IXG_DROP_MARTIAN;

	pm->l3 = L3_IPV4;
	pm->l3_len = (uint16_t)ihl;
	pm->l3_total = (uint16_t)tot;
	pm->dscp = p[1] >> 2;
	pm->ttl = p[8];
	pm->l4_proto = p[9];
	memcpy(pm->src, p + 12, 4);
	memcpy(pm->dst, p + 16, 4);

	ff = ld_be16(p + 6);
	if (ff & IPV4_OFFSET_MASK) {
		uint32_t off = (uint32_t)(ff & IPV4_OFFSET_MASK) * 8;

		pm->frag = FRAG_LATER;
		/* RFC 791 3.1: no datagram is longer than 65,535 bytes, so
		 * no fragment of one ends past that (offset 8191 with more
		 * than 7 bytes: the "ping of death"). RFC 1858 3.4: a TCP
		 * fragment at offset 8 bytes can only serve to overwrite the
		 * first fragment's TCP header. Both are malformed headers
		 * (RFC 1812 5.2.2), not truncated transport headers: the
		 * fragment carries none. */
		if (off + (tot - ihl) > UINT16_MAX ||
		    (off == 8 && pm->l4_proto == IPPROTO_TCP))
			return IXG_DROP_IPV4_HEADER;
		return PARSE_OK;
	}
	if (ff & IPV4_MF)
		pm->frag = FRAG_FIRST;
	return parse_l4(p + ihl, RTE_MIN(avail, tot) - ihl, pm);
}

static inline int
parse_ipv6(const uint8_t *p, uint32_t avail, uint32_t total_avail,
	   struct pkt_meta *pm)
{
	uint32_t plen, end, off, n;
	uint8_t nh;

	if (avail < IPV6_HDR_LEN || (p[0] >> 4) != 6)
		return IXG_DROP_IPV6_HEADER;
	plen = ld_be16(p + 4);
	/* l3_total is 16 bits: a payload over 65,495 bytes (only possible in
	 * a chained mbuf) would wrap it. Larger than any port MTU anyway. */
	if (IPV6_HDR_LEN + plen > total_avail ||
	    plen > UINT16_MAX - IPV6_HDR_LEN)
		return IXG_DROP_IPV6_HEADER;
	if (ipv6_martian(p + 8, p + 24))
		return IXG_DROP_MARTIAN;

	pm->l3 = L3_IPV6;
	pm->l3_total = (uint16_t)(IPV6_HDR_LEN + plen);
	pm->dscp = (uint8_t)((ld_be16(p) >> 6) & 0x3f);
	pm->ttl = p[7];
	memcpy(pm->src, p + 8, 16);
	memcpy(pm->dst, p + 24, 16);

	/* Headers must lie inside both the segment and the payload. */
	end = RTE_MIN(avail, IPV6_HDR_LEN + plen);
	nh = p[6];
	off = IPV6_HDR_LEN;
	for (n = 0;; n++) {
		uint32_t hlen;
		uint16_t fo;

		switch (nh) {
		case IPPROTO_HOPOPTS:
			/* RFC 8200 4.1: only right after the IPv6 header. */
			if (n != 0)
				return IXG_DROP_IPV6_EXT_CHAIN;
			/* fall through */
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_AH:
		case IPPROTO_FRAGMENT: break;
		default:
			/* ESP (50), no next header (59), or an upper layer. */
			goto walked;
		}
		if (n >= IPV6_EXT_MAX_HDRS || off + 8 > end)
			return IXG_DROP_IPV6_EXT_CHAIN;
		if (nh == IPPROTO_FRAGMENT) {
			hlen = 8;
			fo = ld_be16(p + off + 2);
			if (fo & 0xfff8) {
				/* A later fragment: what follows is payload. */
				pm->frag = FRAG_LATER;
				pm->l4_proto = p[off];
				pm->l3_len = (uint16_t)(off + hlen);
				return PARSE_OK;
			}
			/* RFC 6946: offset 0 without M is an atomic
			 * fragment, processed as a whole packet. */
			if (fo & 1)
				pm->frag = FRAG_FIRST;
		} else if (nh == IPPROTO_AH) {
			hlen = ((uint32_t)p[off + 1] + 2) *
			       4; /* RFC 4302 2.2 */
		} else {
			hlen = ((uint32_t)p[off + 1] + 1) *
			       8; /* RFC 8200 4.3 */
		}
		if (off + hlen > end ||
		    off + hlen > IPV6_HDR_LEN + IPV6_EXT_MAX_BYTES)
			return IXG_DROP_IPV6_EXT_CHAIN;
		nh = p[off];
		off += hlen;
	}
walked:
	pm->l4_proto = nh;
	pm->l3_len = (uint16_t)off;
	return parse_l4(p + off, end - off, pm);
}

static inline int
parse_arp(const uint8_t *p, uint32_t avail, struct pkt_meta *pm)
{
	/* RFC 826: htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4. */
	if (avail < ARP_LEN || ld_be16(p) != 1 ||
	    ld_be16(p + 2) != ETHER_TYPE_IPV4 || p[4] != 6 || p[5] != 4)
		return IXG_DROP_ARP_INVALID;
	pm->l3 = L3_ARP;
	pm->l3_len = ARP_LEN;
	pm->l3_total = ARP_LEN;
	memcpy(pm->src, p + 14, 4); /* sender protocol address */
	memcpy(pm->dst, p + 24, 4); /* target protocol address */
	return PARSE_OK;
}

/* Returns PARSE_OK for a valid packet, or the drop reason. */
static inline int
parse_one(const struct tables *t, const struct rte_mbuf *m, struct pkt_meta *pm)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = m->data_len, off, n;
	uint16_t et;

	if (len < ETH_HDR_LEN)
		return IXG_DROP_RUNT;
	/* I/G bit set: broadcast or multicast, accepted here (ARP, ND);
	 * stage_route refuses to forward them (RFC 1812 5.3.4). */
	pm->l2_mcast = p[0] & 1;
	if (!pm->l2_mcast && memcmp(p, t->ports[pm->in_port].mac, 6) != 0)
		return IXG_DROP_DMAC;

	off = 12;
	et = ld_be16(p + off);
	/* Untagged IP skips the three TPID compares. */
	n = 0;
	if (et == ETHER_TYPE_IPV4 || et == ETHER_TYPE_IPV6)
		goto tags_done;
	for (; is_vlan_tpid(et); n++) {
		uint16_t vid;

		if (n == MAX_VLANS || off + VLAN_TAG_LEN + 2 > len)
			return IXG_DROP_VLAN_STACK;
		vid = ld_be16(p + off + 2) & 0x0fff;
		pm->outer_vlan = pm->vlan;
		pm->vlan = vid;
		off += VLAN_TAG_LEN;
		et = ld_be16(p + off);
	}
tags_done:
	off += 2;
	pm->n_vlans = (uint8_t)n;
	pm->l2_len = (uint16_t)off;

	switch (et) {
	case ETHER_TYPE_IPV4:
		return parse_ipv4(p + off, len - off, m->pkt_len - off,
				  m->ol_flags, pm);
	case ETHER_TYPE_IPV6:
		return parse_ipv6(p + off, len - off, m->pkt_len - off, pm);
	case ETHER_TYPE_ARP: return parse_arp(p + off, len - off, pm);
	default: return IXG_DROP_ETHERTYPE;
	}
}

/*
 * parse_fast writes struct pkt_meta as words at these offsets (little
 * endian: a field at byte k of a word is its value << 8k). A field added
 * at the end of the struct (pipeline.h) is zeroed first, in meta_tail.
 */
#define PM_BASE_SIZE 88 /* up to and including `gen`, padded */
_Static_assert(offsetof(struct pkt_meta, verdict) == 0 &&
		       offsetof(struct pkt_meta, drop_reason) == 1 &&
		       offsetof(struct pkt_meta, l3) == 2 &&
		       offsetof(struct pkt_meta, spare3) == 3 &&
		       offsetof(struct pkt_meta, vlan) == 4 &&
		       offsetof(struct pkt_meta, outer_vlan) == 6,
	       "parse_fast: word 0");
_Static_assert(offsetof(struct pkt_meta, l2_len) == 8 &&
		       offsetof(struct pkt_meta, l3_len) == 10 &&
		       offsetof(struct pkt_meta, l3_total) == 12 &&
		       offsetof(struct pkt_meta, l4_proto) == 14 &&
		       offsetof(struct pkt_meta, frag) == 15,
	       "parse_fast: word 1");
_Static_assert(offsetof(struct pkt_meta, dscp) == 16 &&
		       offsetof(struct pkt_meta, ttl) == 17 &&
		       offsetof(struct pkt_meta, sport) == 18 &&
		       offsetof(struct pkt_meta, dport) == 20 &&
		       offsetof(struct pkt_meta, icmp_type) == 22 &&
		       offsetof(struct pkt_meta, colour) == 23,
	       "parse_fast: word 2");
_Static_assert(offsetof(struct pkt_meta, in_port) == 24 &&
		       offsetof(struct pkt_meta, out_peer) == 30 &&
		       offsetof(struct pkt_meta, class_id) == 32 &&
		       offsetof(struct pkt_meta, n_vlans) == 38 &&
		       offsetof(struct pkt_meta, route_nh) == 44 &&
		       offsetof(struct pkt_meta, src) == 48 &&
		       offsetof(struct pkt_meta, dst) == 64 &&
		       offsetof(struct pkt_meta, rx_len) == 80 &&
		       offsetof(struct pkt_meta, gen) == 86 &&
		       sizeof(struct pkt_meta) >= PM_BASE_SIZE,
	       "parse_fast: the rest");

_Static_assert(offsetof(struct pkt_meta, l3_total) == 12 &&
		       offsetof(struct pkt_meta, l4_proto) == 14 &&
		       offsetof(struct pkt_meta, dscp) == 16 &&
		       offsetof(struct pkt_meta, ttl) == 17 &&
		       offsetof(struct pkt_meta, sport) == 18 &&
		       offsetof(struct pkt_meta, dport) == 20 &&
		       offsetof(struct pkt_meta, icmp_type) == 22 &&
		       offsetof(struct pkt_meta, in_port) == 24,
	       "fast_ipv4, fast_ipv6: the inserts and shuffles (sh_l4, sh6)");

#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN && defined(__SSE4_1__) &&              \
	defined(__x86_64__)
#define PARSE_FAST 1
#else
#define PARSE_FAST 0 /* the word stores assume x86-64: parse_one for all */
#endif

/* Stored to a frame's bytes as one word: a 16-bit constant as a frame
 * holds it (network order) for comparing with ld16(). */
#define FRAME16(x) PKT_BE16((uint16_t)(x))

/* The shortest frame parse_fast takes: Ethernet, IPv4, UDP. */
#define FAST_MIN_LEN (ETH_HDR_LEN + IPV4_MIN_HDR + 8)

/* An IPv4 header's bytes 6..9 as ld_u32 reads them (little endian, as
 * PARSE_FAST is), under FAST_FP_MASK: the flags and fragment offset but
 * DF, and the protocol (not the TTL); FAST_FP(proto), those of a packet
 * with DF alone, neither MF nor an offset (fast_ipv4). */
#define FAST_FP_MASK                                                           \
	((uint32_t)FRAME16(IPV4_MF | IPV4_OFFSET_MASK) | UINT32_C(0xff) << 24)
#define FAST_FP(proto) ((uint32_t)(proto) << 24)

#if PARSE_FAST
_Static_assert(RTE_MBUF_F_RX_IP_CKSUM_MASK < 0x100,
	       "fast_ipv4: the checksum flags in ol_flags' first byte");

static __rte_always_inline void
pm_st64(struct pkt_meta *pm, size_t off, uint64_t v)
{
	memcpy((uint8_t *)pm + off, &v, sizeof(v));
}

static __rte_always_inline void
pm_st128(struct pkt_meta *pm, size_t off, __m128i v)
{
	_mm_storeu_si128((__m128i *)(void *)((uint8_t *)pm + off), v);
}

/* Zero the fields added after PM_BASE_SIZE, if any (compile time): with
 * 16-byte stores, the last one ending at the struct's end, so it may
 * overlap the addresses and rx_len: called before they are stored. */
static __rte_always_inline void
meta_tail(struct pkt_meta *pm)
{
	size_t o;

	for (o = PM_BASE_SIZE; o < sizeof(*pm); o += 16)
		pm_st128(pm, o + 16 <= sizeof(*pm) ? o : sizeof(*pm) - 16,
			 _mm_setzero_si128());
}

/*
 * What every packet parse_fast takes stores alike (after meta_tail and the
 * addresses, the caller's), each 16 bytes once, built in registers: bytes
 * 0..15 as `head` (verdict and drop_reason 0, l3, spare3 0, VLANs 0,
 * l2_len, l3_len, l3_total, l4_proto, frag 0: the protocol's fast_const
 * template with the caller's insert of l3_total) with the VLAN id
 * inserted if tagged, bytes 16..31
 * as `mid` (dscp .. colour, the caller's; in_port, out_port 0, in_peer
 * IXG_PEER_NONE, out_peer 0: struct fast_ctx's pw ORed in by the caller),
 * class_id .. route_nh zero but n_vlans (1 if tagged), rx_len with
 * remark, l2_mcast and gen 0. off:
 * the Ethernet header's length, a constant (ETH_HDR_LEN, or one tag more:
 * its VLAN id is read here).
 */
static __rte_always_inline void
fast_store(const uint8_t *p, const uint32_t off, uint64_t pkt_len,
	   struct pkt_meta *pm, __m128i head, __m128i mid)
{
	if (off != ETH_HDR_LEN)
		head = _mm_insert_epi16(head, ld_be16(p + ETH_HDR_LEN) & 0x0fff,
					2);
	pm_st128(pm, 0, head);
	pm_st128(pm, 16, mid);
	/* n_vlans (byte 38) 1 if tagged */
	pm_st128(pm, 32,
		 off == ETH_HDR_LEN ? _mm_setzero_si128()
				    : _mm_set_epi64x(0, (int64_t)1 << 48));
	pm_st64(pm, 80, pkt_len);
}

/*
 * The header checksum test of ipv4_hdr20_sum_ok for a header of parse_fast's
 * (first byte 0x45) with three loads: the
 * 20 bytes as two 64-bit words and one 32-bit word, added with end-around
 * carry (RFC 1071 2.(B), 2.(C): 2^64 and 2^32 are both 1 modulo 0xffff,
 * so the sum keeps its remainder; the last carry never overflows, the
 * total being under 2^65 - 1), then divisibility by 0xffff as a multiply
 * by its inverse and one compare, inv and lim (CKSUM_INV, CKSUM_LIM) held
 * in registers by the caller.
 */
static __rte_always_inline int
ipv4_hdr20_sum_ok_fast(const uint8_t *p, uint64_t inv, uint64_t lim)
{
	uint64_t s = ld_u64(p);

	/* gcc 12 spills _addcarry_u64's and __int128's sums to the stack */
	__asm__("addq %1, %0\n\tadcq %2, %0\n\tadcq $0, %0"
		: "+r"(s)
		: "r"(ld_u64(p + 8)), "r"((uint64_t)ld_u32(p + 16))
		: "cc");
	return s * inv <= lim;
}

/* What parse_fast's copies keep in registers across a burst: the port's. */
struct fast_ctx {
	__m128i tmpl; /* the port's MAC, then (byte 12) 08 00 45 */
	__m128i pw; /* bytes 16..31 of pkt_meta: in_port, the rest 0 */
	uint64_t inv, lim; /* CKSUM_INV, CKSUM_LIM */
};

/* A vector constant from its two 64-bit halves (a constant expression,
 * unlike _mm_set_epi64x: static storage, read as memory operands). */
#define V128(lo, hi)                                                           \
	{                                                                      \
		(long long)(lo), (long long)(hi)                               \
	}
#define B8(a, b, c, d, e, f, g, h)                                             \
	((uint64_t)(uint8_t)(a) | (uint64_t)(uint8_t)(b) << 8 |                \
	 (uint64_t)(uint8_t)(c) << 16 | (uint64_t)(uint8_t)(d) << 24 |         \
	 (uint64_t)(uint8_t)(e) << 32 | (uint64_t)(uint8_t)(f) << 40 |         \
	 (uint64_t)(uint8_t)(g) << 48 | (uint64_t)(uint8_t)(h) << 56)
#define V128B(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p)                  \
	V128(B8(a, b, c, d, e, f, g, h), B8(i, j, k, l, m, n, o, p))

/* bytes 12..14 as one frame holds them, from bit 32 of the high half:
 * 08 00 45, 86 dd 60 */
#define FAST_ET4                                                               \
	((uint64_t)FRAME16(ETHER_TYPE_IPV4) << 32 | (uint64_t)0x45 << 48)
#define FAST_ET6                                                               \
	((uint64_t)FRAME16(ETHER_TYPE_IPV6) << 32 | (uint64_t)0x60 << 48)
#define FAST_MAC6 0xffffffffffffull

/* bytes 0..15 of struct pkt_meta as fast_store starts them (offsets
 * asserted above), VLAN id and l3_total 0 */
#define FAST_HEAD(l3, l2_len, l3_len, proto)                                   \
	V128((uint64_t)(l3) << 16, (uint64_t)(l2_len) |                        \
					   (uint64_t)(l3_len) << 16 |          \
					   (uint64_t)(proto) << 48)
/* FAST_HEAD for IPv4 or IPv6 (v: 4 or 6) after an Ethernet header of
 * l2_len bytes: the three transport protocols parse_fast takes, in the
 * order of enum fast_l4 */
#define FAST_HEADS(v, l2_len)                                                  \
	{                                                                      \
		FAST_HEAD(L3_IPV##v, l2_len, IPV##v##_HDR_MIN, IPPROTO_UDP),   \
			FAST_HEAD(L3_IPV##v, l2_len, IPV##v##_HDR_MIN,         \
				  IPPROTO_TCP),                                \
			FAST_HEAD(L3_IPV##v, l2_len, IPV##v##_HDR_MIN,         \
				  v == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6),     \
	}
#define IPV4_HDR_MIN IPV4_MIN_HDR
#define IPV6_HDR_MIN IPV6_HDR_LEN

/* The transport protocols parse_fast takes, as struct fast_const's
 * templates are indexed: UDP, TCP, ICMP (IPv4) or ICMPv6 (IPv6). */
enum fast_l4 { FAST_UDP, FAST_TCP, FAST_ICMP, FAST_N_L4 };

/* parse_fast's constants, the same for every port: in .rodata, so that
 * no burst copies them to the stack (as a struct fast_ctx member of each
 * would be). */
static const struct fast_const {
	__m128i m_v4; /* bytes 0..5 and 12..14 of tmpl: MAC, IPv4, IHL 5 */
	__m128i d46; /* tmpl xor the same for IPv6 (86 dd 6x) */
	__m128i m_v6; /* MAC, IPv6 and version 6 */
	__m128i m_mac; /* bytes 0..5: the MAC */
	/* bytes 0..15 of struct pkt_meta for IPv4 and IPv6, untagged and
	 * 802.1Q-tagged (fast_store), by transport protocol (enum fast_l4):
	 * l4_proto in the template, not inserted */
	__m128i head4[FAST_N_L4], head6[FAST_N_L4], head4t[FAST_N_L4],
		head6t[FAST_N_L4];
	/* fast_ipv4: bytes 16..31 of pkt_meta from bytes 8..23 of the
	 * IPv4 header without options (ttl; for TCP and UDP sport and
	 * dport, for ICMP icmp_type), the rest zero */
	__m128i sh_l4, sh_icmp;
	/* fast_ipv6: the same from the header's bytes 28..43 (the ports or
	 * the ICMPv6 type; not the hop limit) */
	__m128i sh6, sh6_icmp;
	/* bytes 0..15 of a martian drop (fast_martian), untagged and
	 * tagged */
	__m128i mart, mart_t;
	/* a tagged frame's bytes 4..19 (parse_fast): 81 00 at 12, then 08 00
	 * 45 at 16 (IPv4, IHL 5); the bytes tested; their xor with IPv6's
	 * (86 dd 6x); IPv6's bytes tested */
	__m128i tag4, m_tag4, d46t, m_tag6;
} fast_k = {
	.m_v4 = V128(FAST_MAC6, 0xffffff00000000),
	.d46 = V128(0, FAST_ET4 ^ FAST_ET6),
	.m_v6 = V128(FAST_MAC6, 0xf0ffff00000000), /* the version */
	.m_mac = V128(FAST_MAC6, 0),
	.head4 = FAST_HEADS(4, ETH_HDR_LEN),
	.head6 = FAST_HEADS(6, ETH_HDR_LEN),
	.head4t = FAST_HEADS(4, ETH_HDR_LEN + VLAN_TAG_LEN),
	.head6t = FAST_HEADS(6, ETH_HDR_LEN + VLAN_TAG_LEN),
	/* pkt_meta byte 16 + k from header byte 8 (IPv6: 28) + sh[k] (-1:
	 * zero) */
	.sh_l4 = V128B(-1, 0, 13, 12, 15, 14, -1, -1, -1, -1, -1, -1, -1, -1,
		       -1, -1),
	.sh_icmp = V128B(-1, 0, -1, -1, -1, -1, 12, -1, -1, -1, -1, -1, -1, -1,
			 -1, -1),
	.sh6 = V128B(-1, -1, 13, 12, 15, 14, -1, -1, -1, -1, -1, -1, -1, -1, -1,
		     -1),
	.sh6_icmp = V128B(-1, -1, -1, -1, -1, -1, 12, -1, -1, -1, -1, -1, -1,
			  -1, -1, -1),
	.mart = V128(VERDICT_DROP | IXG_DROP_MARTIAN << 8, ETH_HDR_LEN),
	.mart_t = V128(VERDICT_DROP | IXG_DROP_MARTIAN << 8,
		       ETH_HDR_LEN + VLAN_TAG_LEN),
	.tag4 = V128(0,
		     (uint64_t)FRAME16(ETHER_TYPE_VLAN) | FAST_ET4 >> 32 << 32),
	.m_tag4 = V128(0, 0xffffff0000ffffull),
	.d46t = V128(0, (FAST_ET4 ^ FAST_ET6) >> 32 << 32),
	.m_tag6 = V128(0, 0xf0ffff0000ffffull),
};

/*
 * A TCP header's data offset byte `doff` (RFC 9293 3.1: words in its high
 * nibble) is at least 5 words and fits the room `len - hdr` bytes (len <
 * 2^16, hdr a constant): 0x50 <= (doff & 0xf0) <= 4 * room in one
 * compare, the left side unsigned (below 0x50 it wraps above any right
 * side), the right signed (negative for a room under 20 bytes).
 */
static __rte_always_inline int
tcp_doff_ok(uint8_t doff, uint32_t len, const uint32_t hdr)
{
	return (int64_t)(uint32_t)((doff & 0xf0u) - 0x50) <=
	       (int64_t)len * 4 - (int64_t)(4 * hdr + 0x50);
}

/*
 * fast_ipv6's look at addresses whose first octet is 0 or 0xff
 * (ipv6_look_octet), of the IPv6 header at p + off: 0 for a destination
 * parse_one takes (ff00::/8: multicast, or a martian scope), 1 for a
 * martian (ipv6_martian), 2 for neither. Out of line; the frame and the
 * offset as the caller has them, so that it computes no address for the
 * call on its common path.
 */
static __rte_noinline int
fast6_look(const uint8_t *p, uint32_t off)
{
	const uint8_t *ip = p + off;

	if (ip[24] == 0xff)
		return 0;
	if (ip[8] == 0xff || ipv6_low_martian(ip + 8) ||
	    ipv6_low_martian(ip + 24))
		return 1;
	return 2;
}

/* An ICMPv6 type of Neighbor Discovery's (RFC 4861 4: router
 * solicitation 133 .. redirect 137), the range stage_local's first pass
 * reads (nd_snooped, ns_for_us): a type outside it leaves the packet to
 * burst.parsed_fast. */
static __rte_always_inline int
fast6_nd(uint8_t type)
{
	return (uint8_t)(type - 133) <= 137 - 133;
}

/* m->pkt_len zero-extended by its load: gcc 12 loads it 32-bit and copies
 * it to extend it before the 64-bit store of rx_len (fast_store). */
static __rte_always_inline uint64_t
mbuf_pkt_len64(const struct rte_mbuf *m)
{
	uint64_t v;

	__asm__("movl %1, %k0" : "=r"(v) : "m"(m->pkt_len));
	return v;
}

/* A big-endian 16-bit field as a 32-bit value: gcc 12 zero-extends the
 * result of its 16-bit rotate again (ld_be16), one instruction more. */
static __rte_always_inline uint32_t
ld_be16_zx(const uint8_t *p)
{
	uint32_t v;

	__asm__("movzwl %1, %0\n\trolw $8, %w0"
		: "=r"(v)
		: "m"(*(const struct { uint8_t b[2]; } *)p)
		: "cc");
	return v;
}

/*
 * parse_fast's IPv4 after an Ethernet header of `off` bytes (a constant:
 * each caller gets its own copy), version 4 and IHL 5 already seen, in a
 * frame of len >= off + 28 bytes in its first segment. 1 + tag (0 or
 * PARSE_TAGGED, a constant) with pm written, or 0 with pm untouched.
 */
static __rte_always_inline int
fast_ipv4(const struct rte_mbuf *m, const uint8_t *p, const uint32_t off,
	  uint32_t len, const struct fast_ctx *fc, struct pkt_meta *pm,
	  const int tag)
{
	const uint8_t *ip = p + off;
	const uint64_t pkt_len = mbuf_pkt_len64(m);
	const __m128i *heads = off == ETH_HDR_LEN ? fast_k.head4
						  : fast_k.head4t;
	__m128i x, h;
	uint32_t t20, fp;

	/*
	 * 28 <= tot <= len - off in one compare, signed so that a frame
	 * shorter than off + 28 fails it too (a tagged one: parse_fast has
	 * only seen len >= FAST_MIN_LEN): every packet this takes is at
	 * least 28 bytes and lies whole in the first segment (len <=
	 * pkt_len), so its UDP or ICMP header does and the transport
	 * header's room is t20.
	 */
	t20 = ld_be16_zx(ip + 2) - IPV4_MIN_HDR;
	if ((int64_t)(uint32_t)(t20 - 8) >
	    (int64_t)len - (int64_t)(off + IPV4_MIN_HDR + 8))
		return 0;
	/* No flag: the sum. GOOD: none. BAD, or NONE (both bits):
	 * parse_one's. The flags' first byte (little endian, as PARSE_FAST
	 * is), so that the test reads it from memory: no register kept. */
	if (unlikely(*(const uint8_t *)&m->ol_flags &
		     RTE_MBUF_F_RX_IP_CKSUM_MASK)) {
		if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) !=
		    RTE_MBUF_F_RX_IP_CKSUM_GOOD)
			return 0;
	} else if (!ipv4_hdr20_sum_ok_fast(ip, fc->inv, fc->lim)) {
		return 0;
	}
	/* Every non-zero entry is a martian source, and a martian or
	 * multicast destination: parse_fast refuses all of them. */
	if (ipv4_martian_octet[ip[12]] | ipv4_martian_octet[ip[16]])
		return 0;
	/* DF alone (neither MF nor an offset) and the protocol in one
	 * compare each: bytes 6..9 of the header, the TTL masked off.
	 * Each protocol's own template (fast_k.head4), l4_proto in it. */
	fp = ld_u32(ip + 6) & FAST_FP_MASK;
	x = _mm_loadu_si128((const void *)(ip + 8));
	if (likely(fp == FAST_FP(IPPROTO_UDP))) {
		x = _mm_shuffle_epi8(x, fast_k.sh_l4);
		h = heads[FAST_UDP];
	} else if (fp == FAST_FP(IPPROTO_TCP)) {
		if (!tcp_doff_ok(ip[IPV4_MIN_HDR + 12], t20 + IPV4_MIN_HDR,
				 IPV4_MIN_HDR))
			return 0;
		x = _mm_shuffle_epi8(x, fast_k.sh_l4);
		h = heads[FAST_TCP];
	} else if (fp == FAST_FP(IPPROTO_ICMP)) {
		x = _mm_shuffle_epi8(x, fast_k.sh_icmp);
		h = heads[FAST_ICMP];
	} else {
		return 0;
	}
	/* first: its last store may overlap the addresses */
	meta_tail(pm);
	pm_st128(pm, 48, _mm_cvtsi32_si128((int)ld_u32(ip + 12)));
	pm_st128(pm, 64, _mm_cvtsi32_si128((int)ld_u32(ip + 16)));
	/*
	 * Bytes 0..15 of pm: the protocol's template with l3_total
	 * inserted. Bytes 16..31 from the header's bytes 8..23 (ttl, the
	 * transport header's first 4) by one shuffle (sh_l4 or sh_icmp),
	 * in_port ORed in, dscp inserted.
	 */
	h = _mm_insert_epi16(h, (int)(t20 + IPV4_MIN_HDR), 6);
	x = _mm_or_si128(x, fc->pw);
	x = _mm_insert_epi8(x, ip[1] >> 2, 0);
	fast_store(p, off, pkt_len, pm, h, x);
	return 1 + tag;
}

/*
 * The metadata parse_general leaves for a frame fast_ipv6 would take but
 * for its martian source or destination: parse_one drops it (martian) once
 * it has the Ethernet header's fields, before any IPv6 one. Returns 3:
 * dropped, charged to the sender (burst.charged), not parse_fast's.
 */
static __rte_noinline int
fast_martian(const uint8_t *p, const uint32_t off, uint64_t pkt_len,
	     const struct fast_ctx *fc, struct pkt_meta *pm)
{
	const __m128i z = _mm_setzero_si128();

	meta_tail(pm);
	pm_st128(pm, 48, z);
	pm_st128(pm, 64, z);
	fast_store(p, off, pkt_len, pm,
		   off == ETH_HDR_LEN ? fast_k.mart : fast_k.mart_t, fc->pw);
	return 3;
}

/*
 * fast_ipv6's test of the addresses: ipv6_martian, only under a first
 * octet 0 or 0xff (ipv6_look_octet); the destination's ff first
 * (multicast, or a martian scope: parse_one's). -1 for neither (the
 * common case), else what fast_ipv6 returns: 0 (parse_one's), or
 * fast_martian's with pm written.
 */
static __rte_always_inline int
fast6_look_addrs(const uint8_t *p, const uint32_t off, uint64_t pkt_len,
		 const struct fast_ctx *fc, struct pkt_meta *pm, const int tag)
{
	const uint8_t *ip = p + off;
	int look;

	if (likely(!(ipv6_look_octet[ip[8]] | ipv6_look_octet[ip[24]])))
		return -1;
	look = fast6_look(p, off);
	if (look == 0)
		return 0;
	if (look == 1)
		return fast_martian(p, off, pkt_len, fc, pm) + tag;
	return -1;
}

/*
 * An IPv6 header's DSCP (the traffic class's high 6 bits: bits 4..9 of
 * its first 16-bit word) as a 32-bit value whose upper bits are zero:
 * gcc 12 would zero-extend its 16-bit rotate and shift again before the
 * insert into pkt_meta's word.
 */
static __rte_always_inline uint32_t
fast6_dscp(const uint8_t *ip)
{
	uint32_t v;

	__asm__("movzwl %1, %0\n\trorw $4, %w0\n\tshrw $10, %w0"
		: "=r"(v)
		: "m"(*(const struct { uint8_t b[2]; } *)ip)
		: "cc");
	return v;
}

/*
 * fast_ipv6's stores for a packet it takes (after meta_tail, the
 * addresses): as fast_ipv4's, the ports (or ICMPv6 type) from the
 * header's bytes 28..43 by one shuffle (sh: sh6, sh6_icmp), bytes 0..15
 * from the protocol's template h (fast_k.head6), the rest inserted.
 */
static __rte_always_inline void
fast6_store(const uint8_t *p, const uint32_t off, uint64_t pkt_len,
	    const struct fast_ctx *fc, struct pkt_meta *pm, uint32_t plen,
	    __m128i h, const __m128i sh)
{
	const uint8_t *ip = p + off;
	__m128i x;

	meta_tail(pm); /* first: its last store may overlap the addresses */
	pm_st128(pm, 48, _mm_loadu_si128((const void *)(ip + 8)));
	pm_st128(pm, 64, _mm_loadu_si128((const void *)(ip + 24)));
	h = _mm_insert_epi16(h, (int)(IPV6_HDR_LEN + plen), 6);
	x = _mm_shuffle_epi8(_mm_loadu_si128((const void *)(ip + 28)), sh);
	x = _mm_or_si128(x, fc->pw);
	x = _mm_insert_epi8(x, (int)fast6_dscp(ip), 0);
	x = _mm_insert_epi8(x, ip[7], 1);
	fast_store(p, off, pkt_len, pm, h, x);
}

/* parse_fast's IPv6, as fast_ipv4 (version 6 seen; len >= off + 28);
 * tag added to the result, as there. */
static __rte_always_inline int
fast_ipv6(const struct rte_mbuf *m, const uint8_t *p, const uint32_t off,
	  uint32_t len, const struct fast_ctx *fc, struct pkt_meta *pm,
	  const int tag)
{
	const uint8_t *ip = p + off;
	const uint64_t pkt_len = mbuf_pkt_len64(m);
	const __m128i *heads = off == ETH_HDR_LEN ? fast_k.head6
						  : fast_k.head6t;
	__m128i h;
	uint32_t plen;
	uint8_t proto;
	int r;

	/* 8 <= plen <= len - off - 40, signed as fast_ipv4's (a frame
	 * shorter than off + 48 fails it): the packet whole in the first
	 * segment (len <= pkt_len; l3_total then fits its 16 bits), its UDP
	 * header too, the transport header's room plen */
	plen = ld_be16_zx(ip + 4);
	if ((int64_t)(uint32_t)(plen - 8) >
	    (int64_t)len - (int64_t)(off + IPV6_HDR_LEN + 8))
		return 0;
	proto = ip[6];
	/* Multicast to parse_one; Neighbor Discovery (ICMPv6 types 133..137,
	 * RFC 4861 4) parsed here but not marked (returns 2), so stage_local
	 * looks at it: struct burst's parsed_fast. Each protocol's own
	 * template (fast_k.head6), l4_proto in it. */
	if (likely(proto == IPPROTO_UDP)) {
		h = heads[FAST_UDP];
	} else if (proto == IPPROTO_TCP) {
		if (!tcp_doff_ok(ip[IPV6_HDR_LEN + 12], plen, 0))
			return 0;
		h = heads[FAST_TCP];
	} else if (proto == IPPROTO_ICMPV6) {
		/* its own copy of the look and the stores, so that UDP and
		 * TCP take no test of the protocol after them */
		r = fast6_look_addrs(p, off, pkt_len, fc, pm, tag);
		if (unlikely(r >= 0))
			return r;
		fast6_store(p, off, pkt_len, fc, pm, plen, heads[FAST_ICMP],
			    fast_k.sh6_icmp);
		return (fast6_nd(ip[IPV6_HDR_LEN]) ? 2 : 1) + tag;
	} else {
		return 0;
	}
	r = fast6_look_addrs(p, off, pkt_len, fc, pm, tag);
	if (unlikely(r >= 0))
		return r;
	fast6_store(p, off, pkt_len, fc, pm, plen, h, fast_k.sh6);
	return 1 + tag;
}

/*
 * The common case in one pass, checks first and stores after: a unicast
 * frame of at least FAST_MIN_LEN bytes to the port's MAC (mac_sh: its 6
 * bytes as tbl_mac48 reads them, shifted left 16), untagged or with one
 * 802.1Q tag, carrying IPv4 without options or fragmentation to a
 * destination outside 224.0.0.0/4 and a whole TCP, UDP or ICMP header, or
 * IPv6 to a destination outside ff00::/8 with a whole TCP, UDP or ICMPv6
 * header right after its own (multicast is parse_one's, so stage_local
 * may skip what this takes: struct burst, parsed_fast).
 * Returns 1 with every byte of pm written as meta_zero, in_port = port,
 * rx_len and parse_one would leave them for such a packet, but 2 for one
 * whose ICMPv6 type is Neighbor Discovery's (fast6_nd), which the caller
 * leaves out of burst.parsed_fast; 3 with pm
 * written so for such an IPv6 packet but for a martian address, which
 * parse_one drops (fast_martian: the caller charges it to its sender); or
 * 0 without having written pm: anything else, valid or not, is
 * parse_one's, which decides it from the start. stage_parse_simple
 * (parse_one alone) is the reference the unit tests compare this with.
 * *smac: the frame's bytes 6..13 (burst.peer_smac), for every result
 * but 0. tag: 0, or PARSE_TAGGED (the fused head's), added to the result
 * of a frame it took with an 802.1Q tag.
 *
 * The metadata goes out as words (offsets asserted above; fast_store),
 * each replacing a zeroing store and a field's own; untagged and tagged
 * frames have their own copies of the IPv4 and IPv6 code, with the header
 * lengths as constants.
 */
static __rte_always_inline int
parse_fast(const struct rte_mbuf *m, const uint8_t *p,
	   const struct fast_ctx *fc, struct pkt_meta *pm, uint64_t *smac,
	   const int tag)
{
	const uint32_t len = m->data_len;
	const uint32_t tagged = ETH_HDR_LEN + VLAN_TAG_LEN;
	__m128i x, y;

	if (unlikely(len < FAST_MIN_LEN))
		return 0;
	/* stage_peer's (burst.peer_smac): written for a refused frame too,
	 * which parse_general then writes again */
	*smac = ld_u64(p + 6);
	/* the destination MAC, the ethertype and version/IHL at once */
	x = _mm_xor_si128(_mm_loadu_si128((const void *)p), fc->tmpl);
	if (likely(_mm_testz_si128(x, fast_k.m_v4)))
		return fast_ipv4(m, p, ETH_HDR_LEN, len, fc, pm, 0);
	if (likely(_mm_testz_si128(_mm_xor_si128(x, fast_k.d46), fast_k.m_v6)))
		return fast_ipv6(m, p, ETH_HDR_LEN, len, fc, pm, 0);
	if (!_mm_testz_si128(x, fast_k.m_mac))
		return 0;
	/* bytes 4..19: the 802.1Q TPID, then the ethertype and the IP
	 * header's first byte after the tag, at once (the length is
	 * fast_ipv4's and fast_ipv6's test) */
	y = _mm_xor_si128(_mm_loadu_si128((const void *)(p + 4)), fast_k.tag4);
	if (likely(_mm_testz_si128(y, fast_k.m_tag4)))
		return fast_ipv4(m, p, tagged, len, fc, pm, tag);
	if (_mm_testz_si128(_mm_xor_si128(y, fast_k.d46t), fast_k.m_tag6))
		return fast_ipv6(m, p, tagged, len, fc, pm, tag);
	return 0;
}

/* fast_ctx for port `port` whose MAC is mac. */
static inline void
fast_ctx_init(struct fast_ctx *fc, const uint8_t *mac, uint16_t port)
{
	fc->tmpl = _mm_set_epi64x((int64_t)FAST_ET4, (int64_t)tbl_mac48(mac));
	fc->pw = _mm_set_epi64x(port, 0);
	fc->inv = CKSUM_INV;
	fc->lim = CKSUM_LIM;
	/* constants the compiler would otherwise rebuild per packet */
	__asm__("" : "+r"(fc->inv), "+r"(fc->lim));
}
#endif /* PARSE_FAST */

/*
 * The general parser for packet i of b: the metadata afresh (in_port,
 * rx_len), parse_one, the drop if any. Returns the packet's bit of
 * burst.charged.
 */
static __rte_always_inline uint32_t
parse_general(const struct tables *t, struct burst *b, unsigned i,
	      uint16_t port)
{
	struct pkt_meta *pm = &b->meta[i];
	const struct rte_mbuf *m = b->pkts[i];
	int r;

	meta_zero(pm);
	pm->in_port = port;
	pm->rx_len = m->pkt_len;
	/* what stage_peer reads: an Ethernet header for every frame parse
	 * leaves CONTINUE or charges (burst.peer_smac) */
	b->peer_smac[i] =
		m->data_len >= ETH_HDR_LEN
			? ld_u64(rte_pktmbuf_mtod(m, const uint8_t *) + 6)
			: 0;
	r = parse_one(t, m, pm);
	if (r == PARSE_OK)
		return 0;
	pkt_drop(b, i, (enum ixg_drop_reason)r);
	/* What the member sent, with its L2 valid: charged to it once
	 * stage_peer knows it (doc/counters.md). */
	return r == IXG_DROP_MARTIAN || r == IXG_DROP_L4_TRUNCATED
		       ? UINT32_C(1) << i
		       : 0;
}

/* parse_general out of line, for parse_fast's refusals. */
static __rte_noinline uint32_t
parse_refused(const struct tables *t, struct burst *b, unsigned i,
	      uint16_t port)
{
	return parse_general(t, b, i, port);
}

#if PARSE_FAST
/* Added to parse_fast's result for a frame with an 802.1Q tag, when the
 * fused head asks (its VLAN id then names the peer slot). */
#define PARSE_TAGGED 4

/*
 * The fused head's peer state across a burst (pipeline_head): the slot
 * table (base0, mask0) of the port's untagged frames, and that (base,
 * mask) of the VLAN id `vid` last seen on a tagged frame parse_fast took,
 * as stage_peer keeps it.
 */
struct head_peer {
	const struct tbl_peer_slot *slots;
	const uint64_t *macs;
	const uint16_t *row;
	const uint64_t *base0;
	uint64_t mask0;
	const uint64_t *base;
	uint64_t mask;
	uint32_t vid;
};

static inline void
head_peer_init(struct head_peer *hp, const struct tables *t, uint16_t port)
{
	const struct tbl_peer_slot *ps;

	hp->slots = t->peer_slots;
	hp->macs = t->peer_macs;
	hp->row = &t->peer_vlan_slot[port * TBL_VLANS];
	ps = &hp->slots[hp->row[0]];
	hp->base0 = hp->base = hp->macs + ps->first;
	hp->mask0 = hp->mask = ps->mask;
	hp->vid = 0;
}

/* stage_peer's step for packet i, CONTINUE, which parse_fast took with an
 * 802.1Q tag (no outer tag) and source MAC word smac. */
static __rte_always_inline void
head_peer_tagged(struct head_peer *hp, struct burst *b, size_t i, uint64_t smac)
{
	const uint32_t vid = b->meta[i].vlan;

	if (vid != hp->vid) {
		const struct tbl_peer_slot *ps = &hp->slots[hp->row[vid]];

		hp->base = hp->macs + ps->first;
		hp->mask = ps->mask;
		hp->vid = vid;
	}
	peer_at(b, i, hp->base, hp->mask, peer_key(smac));
}

/*
 * Packet i of b through parse_fast, or through the general parser where
 * parse_fast refuses it: bit i set in *refused, and in *charged where the
 * drop is its sender's. With `fused` (a constant), then stage_peer's step
 * for it if it is still CONTINUE (hp), and burst.peer_smac left unwritten
 * for a frame parse_fast took (stage_peer's alone reads it).
 * parse_fast_burst's two loops' body (inlined: the masks stay in registers).
 */
static __rte_always_inline void
parse_fast_at(const struct tables *t, struct burst *b, size_t i, uint16_t port,
	      const struct fast_ctx *fc, uint32_t *refused, uint32_t *charged,
	      const int fused, struct head_peer *hp)
{
	struct rte_mbuf *m = b->pkts[i];
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint64_t smac;
	int r = parse_fast(m, p, fc, &b->meta[i], &smac,
			   fused ? PARSE_TAGGED : 0);

	if (likely(r == 1)) {
		if (fused)
			peer_at(b, i, hp->base0, hp->mask0, peer_key(smac));
		else
			b->peer_smac[i] = smac;
		return;
	}
	if (fused && r == 1 + PARSE_TAGGED) {
		head_peer_tagged(hp, b, i, smac);
		return;
	}
	if (r == 0) {
		*refused |= UINT32_C(1) << i;
		/* parse_general writes peer_smac */
		*charged |= parse_refused(t, b, i, port);
		if (fused && b->meta[i].verdict == VERDICT_CONTINUE)
			peer_one(t, b, i, port);
		return;
	}
	b->peer_smac[i] = smac;
	if (fused && r > PARSE_TAGGED) {
		r -= PARSE_TAGGED;
		if (r == 2)
			head_peer_tagged(hp, b, i, smac);
	} else if (fused && r == 2) {
		peer_at(b, i, hp->base0, hp->mask0, peer_key(smac));
	}
	*refused |= UINT32_C(1) << i;
	*charged |= (uint32_t)(r == 3) << i;
}
#endif

/* Prefetch the first PREFETCH_AHEAD frames of a burst of n_pkts (the
 * loops prefetch each one PREFETCH_AHEAD on): written out for a burst of
 * at least that many (gcc keeps the loop). */
_Static_assert(PREFETCH_AHEAD == 3, "prefetch_first: three frames");
static __rte_always_inline void
prefetch_first(struct rte_mbuf *const *pkts, const unsigned n_pkts)
{
	unsigned i;

	if (likely(n_pkts >= PREFETCH_AHEAD)) {
		rte_prefetch0(rte_pktmbuf_mtod(pkts[0], void *));
		rte_prefetch0(rte_pktmbuf_mtod(pkts[1], void *));
		rte_prefetch0(rte_pktmbuf_mtod(pkts[2], void *));
		return;
	}
	for (i = 0; i < n_pkts; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
}

#if PARSE_FAST
/*
 * stage_parse's loop with parse_fast, over the burst's n_pkts packets
 * received on `port` (b->n and b->port, read once by the caller: a store
 * through the metadata may alias them) < IXG_MAX_PORTS, whose MAC has the
 * I/G bit clear (the caller's test: parse_one would set l2_mcast where
 * parse_fast does not); with `fused` (a constant), pipeline_head's, with
 * stage_peer's step for each packet as it is parsed.
 */
static __rte_always_inline void
parse_fast_burst(const struct tables *t, struct burst *b, const unsigned n_pkts,
		 const uint16_t port, const int fused)
{
	struct fast_ctx fc;
	struct head_peer hp;
	uint32_t refused = 0, charged = 0;
	size_t k;

	prefetch_first(b->pkts, n_pkts);
	fast_ctx_init(&fc, t->ports[port].mac, port);
	if (fused)
		head_peer_init(&hp, t, port);
	/* Two copies of the loop, so that the first alone tests for a
	 * packet to prefetch: the frame PREFETCH_AHEAD on, at the headroom's
	 * end, where PMDs put what they receive. */
	for (k = 0; k + PREFETCH_AHEAD < n_pkts; k++) {
		rte_prefetch0((uint8_t *)b->pkts[k + PREFETCH_AHEAD]->buf_addr +
			      RTE_PKTMBUF_HEADROOM);
		parse_fast_at(t, b, k, port, &fc, &refused, &charged, fused,
			      &hp);
	}
	for (; k < n_pkts; k++)
		parse_fast_at(t, b, k, port, &fc, &refused, &charged, fused,
			      &hp);
	b->charged = charged;
	b->parsed_fast = ~refused & (uint32_t)((UINT64_C(1) << n_pkts) - 1);
	b->gathered = 0;
	if (fused && unlikely(charged != 0))
		peer_charge_parse_drops(t, b);
}

/* Whether parse_fast_burst may take a burst received on port. */
static __rte_always_inline int
parse_fast_port(const struct tables *t, const uint16_t port)
{
	return port < IXG_MAX_PORTS && !(t->ports[port].mac[0] & 1);
}
#endif

/*
 * stage_parse and stage_parse_simple: the same loop, with and without
 * parse_fast (parse_fast_burst, for a port it may take).
 */
static __rte_always_inline void
parse_burst(const struct tables *t, struct burst *b, const int use_fast)
{
	const unsigned n_pkts = b->n;
	const uint16_t port = b->port;
	uint32_t charged = 0;
	unsigned i;

#if PARSE_FAST
	if (use_fast && parse_fast_port(t, port)) {
		parse_fast_burst(t, b, n_pkts, port, 0);
		return;
	}
#else
	(void)use_fast;
#endif
	prefetch_first(b->pkts, n_pkts);
	for (i = 0; i < n_pkts; i++) {
		if (i + PREFETCH_AHEAD < n_pkts)
			rte_prefetch0(rte_pktmbuf_mtod(
				b->pkts[i + PREFETCH_AHEAD], void *));
		charged |= parse_general(t, b, i, port);
	}
	b->charged = charged;
	b->parsed_fast = 0;
	b->gathered = 0;
}

/*
 * Fill b->meta[i] for every packet of the burst from its headers: verdict
 * CONTINUE with l2/l3/l4 fields, or DROP with the reason, b->charged
 * with the drops stage_peer charges to their sender and b->parsed_fast
 * with the packets parse_fast took. Starts the metadata
 * afresh (in_port = b->port, everything else zero). Worker thread
 * (or replay/test); reads ctx->t, writes only the burst.
 */
PIPELINE_NO_SLP void
stage_parse(struct pipeline_ctx *ctx, struct burst *b)
{
	parse_burst(ctx->t, b, 1);
}

/*
 * stage_parse without its fast path: every packet through the general
 * parser. The same result by contract; the unit tests compare the two.
 * Any thread with its own burst.
 */
void
stage_parse_simple(struct pipeline_ctx *ctx, struct burst *b)
{
	parse_burst(ctx->t, b, 0);
}

/*
 * See pipeline.h: stage_sample first (its start inlined, sample_quick,
 * sample_stage.h, and sample_burst called only for a burst that samples
 * a frame; it reads the frames and the counters, which parse and peer
 * leave alone, and writes neither the metadata nor the burst), then stage_parse's loop with stage_peer's step
 * for each packet parse leaves CONTINUE (peer_at, the slot table of the
 * last VLAN id kept in registers), then the charged drops' peers: the
 * three stages' results, as each looks up or writes only its own
 * packet's. A port the fast path does not take runs the three stages.
 * Worker thread (or replay/test).
 * Cost: 82.5 instructions a packet on the real table through the ports
 * (bench/README.md, "Issue 12, the head, structurally"), 79.1 on
 * parse_bench --head's traffic, 102.9 with --vlan.
 */
PIPELINE_NO_SLP void
pipeline_head(struct pipeline_ctx *ctx, struct burst *b)
{
	const struct tables *t = ctx->t;
	const unsigned n_pkts = b->n;
	const uint16_t port = b->port;
	const uint32_t sample_rate = sample_quick(ctx, b);

	if (unlikely(sample_rate != 0))
		sample_burst(ctx, b, sample_rate);
#if PARSE_FAST
	if (likely(parse_fast_port(t, port))) {
		parse_fast_burst(t, b, n_pkts, port, 1);
		return;
	}
#endif
	(void)t;
	(void)n_pkts;
	(void)port;
	stage_parse(ctx, b);
	stage_peer(ctx, b);
}

/* pipeline_head fuses exactly these three, in this order, first. */
#define X_FRONT_COUNT(id, name, args) +1
_Static_assert(0 PIPELINE_FRONT_STAGES(X_FRONT_COUNT) == 3 &&
		       PIPELINE_STAGE_PARSE == 0 &&
		       PIPELINE_STAGE_SAMPLE == 1 && PIPELINE_STAGE_PEER == 2,
	       "pipeline_head: parse, sample, peer, the first three stages");
#undef X_FRONT_COUNT
