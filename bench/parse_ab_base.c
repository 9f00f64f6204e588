/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * parse_ab_base.c - side A of parse_bench's A/B: the fast paths of
 * stage_parse and stage_peer as main had them at eb95d54 (before helper
 * "parse", second pass), copied here unchanged but for names and two
 * things the tables changed under them: the peer MAC tables' entry
 * layout (tbl_peer_entry: MAC << 16 | peer) and their hash
 * (tbl_peer_hash), which both sides read from this tree's tables.h.
 * Not the dataplane's code: only the frames parse_fast takes (base_parse
 * fails on any other), no charged drops.
 */
#include <stddef.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <emmintrin.h>

#include "parse_ab.h"
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

#define PREFETCH_AHEAD 3

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

/*
 * ipv4_hdr20_sum_ok for a header whose first byte is 0x45 (parse_fast's):
 * its sum is not 0, so divisibility by 0xffff alone decides, tested as a
 * multiply by 0xffff's inverse modulo 2^64 and one compare (Granlund and
 * Montgomery; Hacker's Delight 10-17): s is a multiple of 0xffff exactly
 * when s * inverse, wrapped, is at most (2^64 - 1) / 0xffff. Written out,
 * because gcc makes `s % 0xffff == 0` a `div` in code it deems cold (the
 * tagged copies of fast_ipv4), tens of cycles.
 */
#define CKSUM_INV 0xfffefffefffeffffull /* 0xffff * this == 1 mod 2^64 */
#define CKSUM_LIM 0x0001000100010001ull /* (2^64 - 1) / 0xffff */
_Static_assert((uint64_t)(0xffffull * CKSUM_INV) == 1 &&
		       CKSUM_LIM == UINT64_MAX / 0xffff,
	       "ipv4_hdr20_sum_ok_v4: the inverse");

static __rte_always_inline int
ipv4_hdr20_sum_ok_v4(const uint8_t *p)
{
	uint64_t s = (uint64_t)ld_u32(p) + ld_u32(p + 4) + ld_u32(p + 8) +
		     ld_u32(p + 12) + ld_u32(p + 16);

	return s * CKSUM_INV <= CKSUM_LIM;
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
		       offsetof(struct pkt_meta, route_nh) == 44 &&
		       offsetof(struct pkt_meta, src) == 48 &&
		       offsetof(struct pkt_meta, dst) == 64 &&
		       offsetof(struct pkt_meta, rx_len) == 80 &&
		       offsetof(struct pkt_meta, gen) == 86 &&
		       sizeof(struct pkt_meta) >= PM_BASE_SIZE,
	       "parse_fast: the rest");

/* Stored to a frame's bytes as one word: a 16-bit constant as a frame
 * holds it (network order) for comparing with ld16(). */
#define FRAME16(x) PKT_BE16((uint16_t)(x))

/* The shortest frame parse_fast takes: Ethernet, IPv4, UDP. */
#define FAST_MIN_LEN (ETH_HDR_LEN + IPV4_MIN_HDR + 8)

static __rte_always_inline void
pm_st16(struct pkt_meta *pm, size_t off, uint16_t v)
{
	memcpy((uint8_t *)pm + off, &v, sizeof(v));
}

static __rte_always_inline void
pm_st32(struct pkt_meta *pm, size_t off, uint32_t v)
{
	memcpy((uint8_t *)pm + off, &v, sizeof(v));
}

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
 * addresses, the caller's): word 0 (verdict,
 * drop_reason 0, l3, spare3, vlan, outer_vlan 0), l2_len and l3_len,
 * l3_total, l4_proto and frag 0, dscp, ttl, sport and dport (from the
 * TCP/UDP ports word as stored; 0 for ICMP), icmp_type and colour 0,
 * in_port and out_port, in_peer (IXG_PEER_NONE), out_peer 0 as one word,
 * class_id .. route_nh zero but n_vlans, rx_len with remark, l2_mcast and
 * gen 0. off: the Ethernet header's length, a
 * constant (ETH_HDR_LEN, or one tag more: its VLAN id is read here).
 */
static __rte_always_inline void
fast_store(const uint8_t *p, const uint32_t off, uint32_t pkt_len,
	   struct pkt_meta *pm, uint8_t l3, uint32_t l3_len, uint32_t tot,
	   uint8_t proto, uint8_t dscp, uint8_t ttl, uint32_t ports,
	   uint8_t icmp, uint16_t port)
{
	pm_st64(pm, 0, (uint64_t)l3 << 16);
	if (off != ETH_HDR_LEN)
		pm_st16(pm, 4, ld_be16(p + ETH_HDR_LEN) & 0x0fff);
	pm_st32(pm, 8, off | l3_len << 16);
	pm_st16(pm, 12, (uint16_t)tot);
	pm_st16(pm, 14, proto);
	pm->dscp = dscp;
	pm->ttl = ttl;
	/* host order: the swapped word with its halves exchanged */
	ports = PKT_BE32(ports);
	pm_st32(pm, 18, ports >> 16 | ports << 16);
	pm_st16(pm, 22, icmp);
	pm_st64(pm, 24, port);
	pm_st128(pm, 32, _mm_setzero_si128());
	/* n_vlans, outside word 0 (byte 38) */
	pm->n_vlans = off != ETH_HDR_LEN;
	pm_st64(pm, 80, pkt_len);
}

/*
 * parse_fast's IPv4 after an Ethernet header of `off` bytes (a constant:
 * each caller gets its own copy), version 4 and IHL 5 already seen, in a
 * frame of len >= off + 28 bytes in its first segment. 1 with pm written,
 * or 0 with pm untouched.
 */
static __rte_always_inline int
fast_ipv4(const struct rte_mbuf *m, const uint8_t *p, const uint32_t off,
	  uint32_t len, uint16_t port, struct pkt_meta *pm)
{
	const uint8_t *ip = p + off;
	const uint32_t pkt_len = m->pkt_len;
	const uint64_t ol = m->ol_flags;
	uint32_t t20, lim, ports = 0;
	uint8_t proto, icmp = 0;

	/* 20 <= tot <= pkt_len - off in one unsigned compare (pkt_len >=
	 * data_len >= off + 28) */
	t20 = (uint32_t)ld_be16(ip + 2) - IPV4_MIN_HDR;
	if (t20 > pkt_len - off - IPV4_MIN_HDR)
		return 0;
	/* BAD, or NONE (both bits): parse_one's. GOOD: no sum. */
	if (ol & RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return 0;
	if (!(ol & RTE_MBUF_F_RX_IP_CKSUM_GOOD) && !ipv4_hdr20_sum_ok_v4(ip))
		return 0;
	/* Every non-zero entry is a martian source, and a martian or
	 * multicast destination: parse_fast refuses all of them. */
	if (ipv4_martian_octet[ip[12]] | ipv4_martian_octet[ip[16]])
		return 0;
	/* DF alone: neither MF nor an offset. */
	if (ld16(ip + 6) & FRAME16(IPV4_MF | IPV4_OFFSET_MASK))
		return 0;
	proto = ip[9];
	lim = RTE_MIN(len - off - IPV4_MIN_HDR, t20);
	if (proto == IPPROTO_TCP) {
		uint32_t hl;

		if (lim < 20)
			return 0;
		/* the data offset in bytes */
		hl = (uint32_t)(ip[IPV4_MIN_HDR + 12] >> 4) * 4;
		if (hl < 20 || hl > lim)
			return 0;
		ports = ld_u32(ip + IPV4_MIN_HDR);
	} else if (proto == IPPROTO_UDP) {
		if (lim < 8)
			return 0;
		ports = ld_u32(ip + IPV4_MIN_HDR);
	} else if (proto == IPPROTO_ICMP && lim >= 8) {
		icmp = ip[IPV4_MIN_HDR];
	} else {
		return 0;
	}
	/* first: its last store may overlap the addresses */
	meta_tail(pm);
	pm_st128(pm, 48, _mm_cvtsi32_si128((int)ld_u32(ip + 12)));
	pm_st128(pm, 64, _mm_cvtsi32_si128((int)ld_u32(ip + 16)));
	fast_store(p, off, pkt_len, pm, L3_IPV4, IPV4_MIN_HDR,
		   t20 + IPV4_MIN_HDR, proto, ip[1] >> 2, ip[8], ports, icmp,
		   port);
	return 1;
}

/* parse_fast's IPv6, as fast_ipv4 (version 6 seen; len >= off + 28). */
static __rte_always_inline int
fast_ipv6(const struct rte_mbuf *m, const uint8_t *p, const uint32_t off,
	  uint32_t len, uint16_t port, struct pkt_meta *pm)
{
	const uint8_t *ip = p + off;
	const uint32_t pkt_len = m->pkt_len;
	uint32_t plen, lim;
	uint8_t proto;

	if (len < off + IPV6_HDR_LEN + 8)
		return 0;
	/* 40 + plen within the packet; l3_total is 16 bits */
	plen = ld_be16(ip + 4);
	if (plen > RTE_MIN(pkt_len - off - IPV6_HDR_LEN,
			   (uint32_t)UINT16_MAX - IPV6_HDR_LEN))
		return 0;
	proto = ip[6];
	lim = RTE_MIN(len - off - IPV6_HDR_LEN, plen);
	/* ICMPv6 (ND among it) and multicast to parse_one: see struct
	 * burst's parsed_fast. A variant that took them here and left them
	 * unmarked cost more (bench/README.md, "Issue 12, the base pipeline
	 * (helper stages)"). */
	if (proto == IPPROTO_TCP) {
		uint32_t hl;

		if (lim < 20)
			return 0;
		hl = (uint32_t)(ip[IPV6_HDR_LEN + 12] >> 4) * 4;
		if (hl < 20 || hl > lim)
			return 0;
	} else if (proto != IPPROTO_UDP || lim < 8) {
		return 0;
	}
	/* ipv6_martian, the destination's ff first (multicast) */
	if (ip[24] == 0xff || ip[8] == 0xff || ipv6_low_martian(ip + 8) ||
	    ipv6_low_martian(ip + 24))
		return 0;
	meta_tail(pm); /* first: its last store may overlap the addresses */
	pm_st128(pm, 48, _mm_loadu_si128((const void *)(ip + 8)));
	pm_st128(pm, 64, _mm_loadu_si128((const void *)(ip + 24)));
	fast_store(p, off, pkt_len, pm, L3_IPV6, IPV6_HDR_LEN,
		   IPV6_HDR_LEN + plen, proto,
		   (uint8_t)((ld_be16(ip) >> 6) & 0x3f), ip[7],
		   ld_u32(ip + IPV6_HDR_LEN), 0, port);
	return 1;
}

/* The ethertype and the IP header's first byte as one word holds them
 * (ld_u32 at the ethertype), and the masks that select them. */
#define ET_V4 (FRAME16(ETHER_TYPE_IPV4) | 0x45u << 16) /* IHL 5 */
#define ET_V4_MASK 0x00ffffffu
#define ET_V6 (FRAME16(ETHER_TYPE_IPV6) | 0x60u << 16)
#define ET_V6_MASK 0x00f0ffffu
#define ET_MASK 0x0000ffffu

/*
 * The common case in one pass, checks first and stores after: a unicast
 * frame of at least FAST_MIN_LEN bytes to the port's MAC (mac_sh: its 6
 * bytes as tbl_mac48 reads them, shifted left 16), untagged or with one
 * 802.1Q tag, carrying IPv4 without options or fragmentation to a
 * destination outside 224.0.0.0/4 and a whole TCP, UDP or ICMP header, or
 * IPv6 to a destination outside ff00::/8 with a whole TCP or UDP header
 * right after its own (ICMPv6 and multicast are parse_one's, so
 * stage_local may skip what this takes: struct burst, parsed_fast).
 * Returns 1 with every byte of pm written as meta_zero, in_port = port,
 * rx_len and parse_one would leave them for such a packet, or 0 without
 * having written pm: anything else, valid or not, is parse_one's, which
 * decides it from the start. stage_parse_simple (parse_one alone) is the
 * reference the unit tests compare this with.
 *
 * The metadata goes out as words (offsets asserted above; fast_store),
 * each replacing a zeroing store and a field's own; untagged and tagged
 * frames have their own copies of the IPv4 and IPv6 code, with the header
 * lengths as constants.
 */
static __rte_always_inline int
parse_fast(const struct rte_mbuf *m, const uint8_t *p, uint64_t mac_sh,
	   uint16_t port, struct pkt_meta *pm, uint64_t *smac)
{
	const uint32_t len = m->data_len;
	const uint32_t tagged = ETH_HDR_LEN + VLAN_TAG_LEN;
	uint32_t w;

	if (unlikely(len < FAST_MIN_LEN) || (ld_u64(p) << 16) != mac_sh)
		return 0;
	/* stage_peer's (burst.peer_smac): written for a refused frame too,
	 * which parse_general then writes again */
	*smac = ld_u64(p + 6);
	w = ld_u32(p + 12);
	if (likely((w & ET_V4_MASK) == ET_V4))
		return fast_ipv4(m, p, ETH_HDR_LEN, len, port, pm);
	if ((w & ET_V6_MASK) == ET_V6)
		return fast_ipv6(m, p, ETH_HDR_LEN, len, port, pm);
	if ((w & ET_MASK) != FRAME16(ETHER_TYPE_VLAN) ||
	    len < FAST_MIN_LEN + VLAN_TAG_LEN)
		return 0;
	w = ld_u32(p + 16);
	if ((w & ET_V4_MASK) == ET_V4)
		return fast_ipv4(m, p, tagged, len, port, pm);
	if ((w & ET_V6_MASK) == ET_V6)
		return fast_ipv6(m, p, tagged, len, port, pm);
	return 0;
}

/* stage_parse of eb95d54 for a burst parse_fast takes whole. */
int
base_parse(const struct tables *t, struct burst *b)
{
	const unsigned n_pkts = b->n;
	const uint16_t port = b->port;
	const uint64_t mac_sh = tbl_mac48(t->ports[port].mac) << 16;
	unsigned i;

	for (i = 0; i < n_pkts && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(b->pkts[i], void *));
	for (i = 0; i < n_pkts; i++) {
		struct rte_mbuf *m = b->pkts[i];

		if (i + PREFETCH_AHEAD < n_pkts)
			rte_prefetch0(rte_pktmbuf_mtod(
				b->pkts[i + PREFETCH_AHEAD], void *));
		if (!parse_fast(m, rte_pktmbuf_mtod(m, const uint8_t *), mac_sh,
				port, &b->meta[i], &b->peer_smac[i]))
			return -1;
	}
	b->charged = 0;
	b->parsed_fast = (uint32_t)((UINT64_C(1) << n_pkts) - 1);
	b->gathered = 0;
	return 0;
}

/* An entry of this tree's tables (MAC << 16 | peer) as eb95d54 laid
 * them out (peer << 48 | MAC): one rotate. */
static __rte_always_inline uint64_t
eb_entry(uint64_t e)
{
	return e >> 16 | e << 48;
}

#define MAC48_MASK 0xffffffffffffull

/* The slot of a QinQ (port, outer VLAN, VLAN), 0 if no peer has it. */
static inline uint32_t
qinq_slot(const struct tables *t, uint16_t port, uint16_t outer, uint16_t vlan)
{
	uint64_t key = tbl_qinq_key(port, outer, vlan);
	uint32_t mask = t->peer_qinq_mask, h;

	if (t->peer_qinq == NULL)
		return 0;
	for (h = tbl_peer_hash(key) & mask;; h = (h + 1) & mask) {
		uint64_t e = t->peer_qinq[h];

		if (e == 0)
			return 0;
		if ((e & MAC48_MASK) == key)
			return (uint32_t)(e >> 48);
	}
}

/* Entry of a slot table after a home-entry miss: linear probe, wrapping
 * inside the slot's table (aligned to its size, tables.h). */
static inline uint64_t
probe(const uint64_t *macs, uint32_t p, uint32_t mask, uint64_t key)
{
	uint64_t e;

	do {
		p = (p & ~mask) | ((p + 1) & mask);
		e = eb_entry(macs[p]);
	} while (e != 0 && ((e ^ key) << 16) != 0);
	return e;
}

_Static_assert(offsetof(struct pkt_meta, outer_vlan) ==
		       offsetof(struct pkt_meta, vlan) + 2,
	       "peer_entry: vlan and outer_vlan as one 32-bit word");

/*
 * The slot of (port, the VLANs of pm). vlan and outer_vlan are read as one
 * word (on a little-endian host outer_vlan is its high half): a word of
 * at most 0xffff is a frame without an outer tag, whose slot is in the
 * port's row; anything else goes through the QinQ map.
 */
static __rte_always_inline uint32_t
peer_slot(const struct tables *t, const uint16_t *row, uint16_t port,
	  const struct pkt_meta *pm)
{
	uint32_t tags;

	memcpy(&tags, &pm->vlan, sizeof(tags));
	if (likely(tags <= UINT16_MAX && RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN))
		return row[tags & (TBL_VLANS - 1)];
	if (pm->outer_vlan == 0)
		return row[pm->vlan & (TBL_VLANS - 1)];
	return qinq_slot(t, port, pm->outer_vlan, pm->vlan);
}

/*
 * The entry of source MAC w in slot ps after its home entry e (at pos)
 * did not hold it: the probe's entry, or 0 for none. An empty entry (0)
 * differs from every MAC but 00:00:00:00:00:00, which it matches with
 * peer 0: none as well.
 */
static __rte_always_inline uint64_t
peer_probe(const uint64_t *macs, const struct tbl_peer_slot *ps, uint32_t pos,
	   uint64_t e, uint64_t w)
{
	if (e == 0 || ((e ^ w) << 16) == 0)
		return e;
	return probe(macs, pos, ps->mask, w);
}

/* The source MAC of b->pkts[i] as the low 48 bits (tbl_mac48), from what
 * stage_parse read (burst.peer_smac). */
static __rte_always_inline uint64_t
src_mac(const struct burst *b, unsigned i)
{
	return rte_le_to_cpu_64(b->peer_smac[i]) & MAC48_MASK;
}

/*
 * Set b->meta[i].in_peer for every packet still CONTINUE, from the direct
 * tables of ctx->t (tables.h: peer_vlan_slot, peer_qinq, peer_slots,
 * peer_macs); a miss is dropped unknown_peer. The frames in b->charged
 * (dropped by parse) get their peer too, their verdict unchanged. Runs
 * after stage_parse,
 * which set meta.in_port to b->port, masked VLAN ids to 12 bits and
 * recorded each CONTINUE or charged frame's source MAC in
 * b->peer_smac[i]: the frames are not read here. Worker thread; reads
 * ctx->t, writes only the burst.
 */
void
base_peer(struct pipeline_ctx *ctx, struct burst *b)
{
	const unsigned n_pkts = b->n;
	const uint16_t port = b->port;
	const struct tables *t = ctx->t;
	const struct tbl_peer_slot *slots = t->peer_slots;
	const uint64_t *macs = t->peer_macs;
	const uint16_t *row;
	unsigned i;

	if (unlikely(port >= IXG_MAX_PORTS)) {
		for (i = 0; i < n_pkts; i++)
			if (b->meta[i].verdict == VERDICT_CONTINUE)
				pkt_drop(b, i, IXG_DROP_UNKNOWN_PEER);
		return;
	}
	row = &t->peer_vlan_slot[port * TBL_VLANS];

	/* One pass: the home entry of a 64-member table is in L1, so a
	 * first pass to prefetch it did not pay (bench/README.md,
	 * "parsepeer"). */
	for (i = 0; i < n_pkts; i++) {
		struct pkt_meta *pm = &b->meta[i];
		const struct tbl_peer_slot *ps;
		uint64_t w, e;
		uint32_t pos;

		if (pm->verdict != VERDICT_CONTINUE)
			continue;
		w = src_mac(b, i);
		ps = &slots[peer_slot(t, row, port, pm)];
		pos = ps->first + (tbl_peer_hash(w) & ps->mask);
		e = eb_entry(macs[pos]);
		/* the home entry holds the MAC, and a peer */
		if (likely(((e ^ w) << 16) == 0 && (e >> 48) != 0)) {
			pm->in_peer = (uint16_t)(e >> 48);
			continue;
		}
		e = peer_probe(macs, ps, pos, e, w);
		if (e >> 48 != 0)
			pm->in_peer = (uint16_t)(e >> 48);
		else
			pkt_drop(b, i, IXG_DROP_UNKNOWN_PEER);
	}
}
