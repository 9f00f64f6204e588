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
 * first, and is marked in burst.parsed_fast; everything else,
 * and every drop, the general parser (parse_one), which
 * stage_parse_simple runs alone as the tests' reference.
 *
 * Cost: 141 instructions/packet on the real table through the ports
 * (compare --callgrind), 146 on pipeline_bench's 16-route one
 * (callgrind; bench/README.md, "Issue 12, the base pipeline (helper
 * stages)").
 */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "pipeline.h"
#include "pkt_bytes.h"

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
	[240 ... 255] = MARTIAN_SRC | MARTIAN_DST,
};

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
static inline int
ipv6_martian(const uint8_t *src, const uint8_t *dst)
{
	int s_low, d_low;
	uint64_t s8, d8;

	if (src[0] == 0xff)
		return 1;
	if (dst[0] == 0xff && (dst[1] & 0x0f) <= 1)
		return 1;
	/* ::, ::1 and ::ffff:0:0/96 share ten leading zero bytes. */
	memcpy(&s8, src, 8);
	memcpy(&d8, dst, 8);
	s_low = s8 == 0 && ld16(src + 8) == 0;
	d_low = d8 == 0 && ld16(dst + 8) == 0;
	if (s_low) {
		uint32_t w = ld_be32(src + 12);
		uint16_t m = ld_be16(src + 10);

		if (m == 0xffff || (m == 0 && w <= 1))
			return 1;
	}
	if (d_low) {
		uint32_t w = ld_be32(dst + 12);
		uint16_t m = ld_be16(dst + 10);

		if (m == 0xffff || (m == 0 && w <= 1))
			return 1;
	}
	return 0;
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
 * The transport header of parse_fast: TCP or UDP (ports), or the family's
 * ICMP (icmp_proto; its type), whole within l4avail bytes, as parse_l4
 * takes them. 0 for anything else.
 */
static __rte_always_inline int
fast_l4(uint8_t proto, const int icmp_ok, uint8_t icmp_proto, const uint8_t *l4,
	uint32_t l4avail, uint16_t *sport, uint16_t *dport, uint8_t *icmp)
{
	if (proto == IPPROTO_TCP) {
		if (l4avail < 20 || (l4[12] >> 4) < 5 ||
		    (uint32_t)(l4[12] >> 4) * 4 > l4avail)
			return 0;
	} else if (proto == IPPROTO_UDP) {
		if (l4avail < 8)
			return 0;
	} else if (icmp_ok && proto == icmp_proto && l4avail >= 8) {
		*sport = *dport = 0;
		*icmp = l4[0];
		return 1;
	} else {
		return 0;
	}
	*sport = ld_be16(l4);
	*dport = ld_be16(l4 + 2);
	*icmp = 0;
	return 1;
}

/*
 * The common case in one pass, checks first and stores after: a unicast
 * frame to the port's MAC (mac_lo, mac_hi: its first 4 and last 2 bytes as
 * stored), untagged or with one 802.1Q tag, carrying IPv4 without options
 * or fragmentation to a destination outside 224.0.0.0/4 and a whole TCP,
 * UDP or ICMP header, or IPv6 to a destination outside ff00::/8 with a
 * whole TCP or UDP header right after its own (ICMPv6 and multicast are
 * parse_one's, so stage_local may skip what this takes: struct burst,
 * parsed_fast). Returns 1 with pm filled
 * exactly as parse_one fills it for such a packet (pm zeroed but for
 * in_port and rx_len), or 0 without having written pm: anything else, valid or not, is parse_one's,
 * which decides it from the start. stage_parse_simple (parse_one alone)
 * is the reference the unit tests compare this with.
 */
static __rte_always_inline int
parse_fast(const struct rte_mbuf *m, const uint8_t *p, uint32_t mac_lo,
	   uint16_t mac_hi, struct pkt_meta *pm)
{
	const uint32_t len = m->data_len;
	uint32_t off = ETH_HDR_LEN, vlan = 0, avail, l4avail, tot;
	const uint8_t *ip, *l4;
	uint16_t et, sport, dport;
	uint8_t proto, icmp;

	/* The shortest frame taken here: Ethernet, IPv4, UDP. */
	if (unlikely(len < ETH_HDR_LEN + IPV4_MIN_HDR + 8) ||
	    ld_u32(p) != mac_lo || ld16(p + 4) != mac_hi)
		return 0;
	et = ld_be16(p + 12);
	if (et == ETHER_TYPE_VLAN) {
		vlan = ld_be16(p + 14) & 0x0fff;
		et = ld_be16(p + 16);
		off = ETH_HDR_LEN + VLAN_TAG_LEN;
	}
	ip = p + off;
	avail = len - off;
	if (likely(et == ETHER_TYPE_IPV4)) {
		const uint64_t ck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
		uint16_t ff;

		if (avail < IPV4_MIN_HDR + 8 || ip[0] != 0x45)
			return 0;
		tot = ld_be16(ip + 2);
		if (tot < IPV4_MIN_HDR || tot > m->pkt_len - off)
			return 0;
		if (ck == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
		    (ck != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
		     !ipv4_hdr20_sum_ok(ip)))
			return 0;
		if ((ipv4_martian_octet[ip[12]] & MARTIAN_SRC) |
		    (ipv4_martian_octet[ip[16]] & (MARTIAN_DST | MCAST_DST)))
			return 0;
		/* DF alone: neither MF nor an offset. */
		ff = ld_be16(ip + 6);
		if (ff & (IPV4_MF | IPV4_OFFSET_MASK))
			return 0;
		proto = ip[9];
		l4avail = RTE_MIN(avail, tot) - IPV4_MIN_HDR;
		l4 = ip + IPV4_MIN_HDR;
		if (!fast_l4(proto, 1, IPPROTO_ICMP, l4, l4avail, &sport,
			     &dport, &icmp))
			return 0;
		pm->l3 = L3_IPV4;
		pm->l3_len = IPV4_MIN_HDR;
		pm->dscp = ip[1] >> 2;
		pm->ttl = ip[8];
		memcpy(pm->src, ip + 12, 4);
		memcpy(pm->dst, ip + 16, 4);
	} else if (et == ETHER_TYPE_IPV6) {
		uint32_t plen;

		if (avail < IPV6_HDR_LEN + 8 || (ip[0] >> 4) != 6)
			return 0;
		plen = ld_be16(ip + 4);
		if (IPV6_HDR_LEN + plen > m->pkt_len - off ||
		    plen > UINT16_MAX - IPV6_HDR_LEN)
			return 0;
		proto = ip[6];
		tot = IPV6_HDR_LEN + plen;
		l4avail = RTE_MIN(avail, tot) - IPV6_HDR_LEN;
		l4 = ip + IPV6_HDR_LEN;
		/* ICMPv6 (ND among it) and multicast to parse_one: see
		 * struct burst's parsed_fast. A variant that took them here
		 * and left them unmarked cost more (bench/README.md, "Issue
		 * 12, the base pipeline (helper stages)"). */
		if (!fast_l4(proto, 0, IPPROTO_ICMPV6, l4, l4avail, &sport,
			     &dport, &icmp))
			return 0;
		if (ip[24] == 0xff || ipv6_martian(ip + 8, ip + 24))
			return 0;
		pm->l3 = L3_IPV6;
		pm->l3_len = IPV6_HDR_LEN;
		pm->dscp = (uint8_t)((ld_be16(ip) >> 6) & 0x3f);
		pm->ttl = ip[7];
		memcpy(pm->src, ip + 8, 16);
		memcpy(pm->dst, ip + 24, 16);
	} else {
		return 0;
	}
	pm->n_vlans = off != ETH_HDR_LEN;
	pm->vlan = (uint16_t)vlan;
	pm->l2_len = (uint16_t)off;
	pm->l3_total = (uint16_t)tot;
	pm->l4_proto = proto;
	pm->sport = sport;
	pm->dport = dport;
	pm->icmp_type = icmp;
	return 1;
}

/* stage_parse and stage_parse_simple: the same loop, with and without
 * parse_fast. */
static __rte_always_inline void
parse_burst(const struct tables *t, struct burst *b, const int use_fast)
{
	const unsigned n_pkts = b->n;
	const uint16_t port = b->port;
	uint32_t charged = 0, mac_lo = 0, took_fast = 0;
	uint16_t mac_hi = 0;
	int fast = 0;
	unsigned i;

	/* A port MAC with the I/G bit set (not a valid configuration) would
	 * make parse_one set l2_mcast where parse_fast does not. */
	if (use_fast && b->port < IXG_MAX_PORTS &&
	    !(t->ports[b->port].mac[0] & 1)) {
		mac_lo = ld_u32(t->ports[b->port].mac);
		mac_hi = ld16(t->ports[b->port].mac + 4);
		fast = 1;
	}
	for (i = 0; i < n_pkts && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(b->pkts[i], void *));
	for (i = 0; i < n_pkts; i++) {
		struct pkt_meta *pm = &b->meta[i];
		struct rte_mbuf *m = b->pkts[i];
		int r;

		if (i + PREFETCH_AHEAD < n_pkts)
			rte_prefetch0(rte_pktmbuf_mtod(
				b->pkts[i + PREFETCH_AHEAD], void *));
		meta_zero(pm);
		pm->in_port = port;
		pm->rx_len = m->pkt_len;
		if (likely(fast) &&
		    parse_fast(m, rte_pktmbuf_mtod(m, const uint8_t *), mac_lo,
			       mac_hi, pm)) {
			took_fast |= UINT32_C(1) << i;
			continue;
		}
		r = parse_one(t, m, pm);
		if (r != PARSE_OK) {
			pkt_drop(b, i, (enum ixg_drop_reason)r);
			/* What the member sent, with its L2 valid: charged to
			 * it once stage_peer knows it (doc/counters.md). */
			if (r == IXG_DROP_MARTIAN || r == IXG_DROP_L4_TRUNCATED)
				charged |= UINT32_C(1) << i;
		}
	}
	b->charged = charged;
	b->parsed_fast = took_fast;
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
