/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * parse_ab_base.c - side A of parse_bench's A/B: the fast paths of
 * stage_parse and stage_peer as main had them before helper "parsepeer"
 * (commit 6a318f4: parse_fast zeroing the metadata then storing each
 * field, the peer lookup in two passes with a prefetch), copied here
 * unchanged but for names, so that one process can time both. Not the
 * dataplane's code: only the frames parse_fast takes (base_parse fails on
 * any other), no charged drops.
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
#define ETHER_TYPE_IPV4 0x0800
#define ETHER_TYPE_IPV6 0x86dd
#define ETHER_TYPE_VLAN 0x8100
#define IPV4_MIN_HDR 20
#define IPV4_MF 0x2000
#define IPV4_OFFSET_MASK 0x1fff
#define IPV6_HDR_LEN 40
#define PREFETCH_AHEAD 3
#define MAC48_MASK 0xffffffffffffull

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

static inline int
ipv4_hdr20_sum_ok(const uint8_t *p)
{
	uint64_t s = (uint64_t)ld_u32(p) + ld_u32(p + 4) + ld_u32(p + 8) +
		     ld_u32(p + 12) + ld_u32(p + 16);

	return s != 0 && s % 0xffff == 0;
}

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

/*
 * parse_burst of 6a318f4 with use_fast 1, for bursts whose every packet
 * parse_fast takes: 0, or -1 at the first it refuses.
 */
int
base_parse(const struct tables *t, struct burst *b)
{
	const unsigned n_pkts = b->n;
	const uint16_t port = b->port;
	uint32_t mac_lo, took_fast = 0;
	uint16_t mac_hi;
	unsigned i;

	mac_lo = ld_u32(t->ports[b->port].mac);
	mac_hi = ld16(t->ports[b->port].mac + 4);
	for (i = 0; i < n_pkts && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(b->pkts[i], void *));
	for (i = 0; i < n_pkts; i++) {
		struct pkt_meta *pm = &b->meta[i];
		struct rte_mbuf *m = b->pkts[i];

		if (i + PREFETCH_AHEAD < n_pkts)
			rte_prefetch0(rte_pktmbuf_mtod(
				b->pkts[i + PREFETCH_AHEAD], void *));
		meta_zero(pm);
		pm->in_port = port;
		pm->rx_len = m->pkt_len;
		if (!parse_fast(m, rte_pktmbuf_mtod(m, const uint8_t *), mac_lo,
				mac_hi, pm))
			return -1;
		took_fast |= UINT32_C(1) << i;
	}
	b->charged = 0;
	b->parsed_fast = took_fast;
	b->gathered = 0;
	return 0;
}

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
		e = macs[p];
	} while (e != 0 && ((e ^ key) << 16) != 0);
	return e;
}

/* stage_peer of 6a318f4, without the charged drops (none here). */
void
base_peer(struct pipeline_ctx *ctx, struct burst *b)
{
	const unsigned n_pkts = b->n;
	const struct tables *t = ctx->t;
	const uint64_t *macs = t->peer_macs;
	const uint16_t *row;
	uint64_t key[PIPELINE_BURST];
	uint32_t pos[PIPELINE_BURST], mask[PIPELINE_BURST];
	uint8_t idx[PIPELINE_BURST];
	unsigned i, n = 0;

	if (unlikely(b->port >= IXG_MAX_PORTS)) {
		for (i = 0; i < n_pkts; i++)
			if (b->meta[i].verdict == VERDICT_CONTINUE)
				pkt_drop(b, i, IXG_DROP_UNKNOWN_PEER);
		return;
	}
	row = &t->peer_vlan_slot[b->port * TBL_VLANS];

	/* Pass 1: slot and home entry of each packet, prefetched. */
	for (i = 0; i < n_pkts; i++) {
		const struct pkt_meta *pm = &b->meta[i];
		const struct tbl_peer_slot *ps;
		uint32_t slot;
		uint64_t w;

		if (pm->verdict != VERDICT_CONTINUE)
			continue;
		memcpy(&w, rte_pktmbuf_mtod(b->pkts[i], const uint8_t *) + 6,
		       sizeof(w));
		w = rte_le_to_cpu_64(w) & MAC48_MASK;
		if (likely(pm->outer_vlan == 0))
			slot = row[pm->vlan & (TBL_VLANS - 1)];
		else
			slot = qinq_slot(t, b->port, pm->outer_vlan, pm->vlan);
		ps = &t->peer_slots[slot];
		key[n] = w;
		mask[n] = ps->mask;
		pos[n] = ps->first + (tbl_peer_hash(w) & ps->mask);
		rte_prefetch0(&macs[pos[n]]);
		idx[n++] = (uint8_t)i;
	}

	/* Pass 2: the home entry, probing on collisions. */
	for (i = 0; i < n; i++) {
		uint64_t e = macs[pos[i]];

		if (unlikely(e != 0 && ((e ^ key[i]) << 16) != 0))
			e = probe(macs, pos[i], mask[i], key[i]);
		if (e != 0)
			b->meta[idx[i]].in_peer = (uint16_t)(e >> 48);
		else
			pkt_drop(b, idx[i], IXG_DROP_UNKNOWN_PEER);
	}
}
