/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rewrite_stage.h - stage_rewrite's work on one packet (rewrite_one), for
 * its burst loop (rewrite_stage.c) and for pipeline_run's fused tail
 * (pipeline.c), which rewrites and counts each packet in one pass. What it
 * does, and the ICMP errors it may send: rewrite_stage.c.
 */
#ifndef IXG_REWRITE_STAGE_H
#define IXG_REWRITE_STAGE_H

#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "pipeline.h"
#include "pkt_bytes.h"

#define ETH_ADDRS_LEN 12
#define VLAN_TAG_LEN 4

#define IPV4_DF 0x40 /* in the first byte of the flags/offset field */

/* tbl_egress.mac and hdr are indexed by l3 - L3_IPV4 (stage_rewrite). */
_Static_assert(L3_IPV6 == L3_IPV4 + 1, "egress mac[0] IPv4, [1] IPv6");

enum icmp_err_kind {
	ICMP_ERR_TIME_EXCEEDED,
	ICMP_ERR_TOO_BIG,
};

/*
 * The IPv4 header checksum ck (as stored) after the TTL drops by one, by
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). The TTL is at least 2 here, so
 * the stored (TTL, protocol) word m drops by exactly TTL_DEC (1 on a
 * little-endian load: TTL is the low byte; 0x100 big-endian) and ~m + m'
 * is 0xffff - TTL_DEC whatever m is. With x = ~HC, x + 0xffff - TTL_DEC
 * folds (one end-around carry, at most 0x1fffe) to x - TTL_DEC when x >
 * TTL_DEC, else to x + 0xffff - TTL_DEC: HC' is HC + TTL_DEC, less 0xffff
 * when that reaches 0xffff (so HC' is never 0xffff, as eqn. 3 gives).
 * Checked against cksum_adjust for every HC (test_rewrite).
 */
#define TTL_DEC (RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN ? 1u : 0x100u)

static __rte_always_inline uint16_t
cksum_ttl_dec(uint16_t ck)
{
	const uint32_t s = (uint32_t)ck + TTL_DEC;

	/* s + 1 is at most 0x10100: bit 16 of it says s reached 0xffff,
	 * where one more is less 0xffff in 16 bits. */
	return (uint16_t)(s + ((s + 1) >> 16));
}

/* TTL - 1 and its checksum (RFC 1624), the DSCP as received: what
 * rewrite_ipv4 does to a packet no action remarked (pkt_meta.remark 0,
 * meta.dscp the header's, as stage_parse read it). */
static __rte_always_inline void
rewrite_ipv4_ttl(uint8_t *ip)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	/* Bytes 8..11 as one word w: (TTL, protocol) low, the checksum
	 * high. w + 0xffff is the TTL less one (at least 2: no borrow) and
	 * the checksum plus one (the low half's carry); cksum_ttl_dec's
	 * end-around one more where the checksum is 0xfffe or 0xffff, its
	 * carry out of the word dropped. */
	uint32_t w;

	memcpy(&w, ip + 8, sizeof(w));
	w += w >= 0xfffe0000u ? 0x1ffffu : 0xffffu;
	memcpy(ip + 8, &w, sizeof(w));
#else
	const uint16_t ck = cksum_ttl_dec(ld16(ip + 10));

	ip[8]--;
	st16(ip + 10, ck);
#endif
}

/* Hop limit - 1, the traffic class as received: rewrite_ipv6 on a packet
 * no action remarked (see rewrite_ipv4_ttl). */
static __rte_always_inline void
rewrite_ipv6_hl(uint8_t *ip)
{
	ip[7]--;
}

/* TTL - 1 and, if meta.dscp differs from the header's, the new DSCP (ECN
 * bits kept). The checksum follows each changed word (RFC 1624). */
static inline void
rewrite_ipv4(uint8_t *ip, uint8_t dscp)
{
	uint16_t ck = cksum_ttl_dec(ld16(ip + 10)), old;

	ip[8]--;
	if ((ip[1] >> 2) != dscp) {
		old = ld16(ip);
		ip[1] = (uint8_t)((dscp << 2) | (ip[1] & 3));
		ck = cksum_adjust(ck, old, ld16(ip));
	}
	st16(ip + 10, ck);
}

/* Hop limit - 1 and the traffic class's DSCP bits; IPv6 has no header
 * checksum (RFC 8200 8.1 notes the upper-layer one excludes both). */
static inline void
rewrite_ipv6(uint8_t *ip, uint8_t dscp)
{
	/* Version, traffic class, the flow label's first 4 bits. */
	const unsigned w = ld_be16(ip);
	uint8_t tc;

	ip[7]--;
	if (((w >> 6) & 0x3f) != dscp) {
		tc = (uint8_t)((dscp << 2) | ((w >> 4) & 3));
		ip[0] = (uint8_t)(0x60 | (tc >> 4));
		ip[1] = (uint8_t)((tc << 4) | (ip[1] & 0x0f));
	}
}

/*
 * The L2 header of the frame at p, its payload where it is: the
 * destination MAC in one 8-byte store, then the rest from the peer's
 * egress record (tbl_egress.hdr: source MAC, tags, ethertype; 8, 12 or 16
 * bytes) as two 8-byte copies, its first and its last 8 bytes, which
 * overlap by 0 to 8 bytes. Its length: ETH_ADDRS_LEN / 2 + eg->len.
 */
static __rte_always_inline void
rewrite_l2_at(uint8_t *p, const struct tbl_egress *eg, uint64_t dst_mac,
	      unsigned fam)
{
	const unsigned len = eg->len;
	const uint8_t *h = eg->hdr[fam];
	uint64_t w0, w1;

	memcpy(&w0, h, 8);
	memcpy(&w1, h + len - 8, 8);
	/* tbl_mac48: byte 0 lowest; its last 2 bytes are the source MAC's,
	 * written next. */
	dst_mac = rte_cpu_to_le_64(dst_mac);
	memcpy(p, &dst_mac, 8);
	memcpy(p + 6, &w0, 8);
	memcpy(p + 6 + len - 8, &w1, 8);
}

/*
 * Turn the L2 header from the ingress tag stack (pm->n_vlans tags) into the
 * egress peer's, writing both MACs (rewrite_l2_at). The ethertype of the
 * payload stays where it is: adding tags moves the frame start back
 * (prepend), removing them moves it forward (adj), and everything before
 * the payload is rewritten. Returns 0, or -1 if the mbuf has no headroom
 * for the tags.
 */
static inline int
rewrite_l2(struct rte_mbuf *m, struct pkt_meta *pm, const struct tbl_egress *eg,
	   uint64_t dst_mac, unsigned fam)
{
	const unsigned n_out = eg->tags;
	const unsigned n_in = pm->n_vlans;
	uint8_t *p;

	if (likely(n_out == n_in)) {
		p = rte_pktmbuf_mtod(m, uint8_t *);
	} else if (n_out > n_in) {
		p = (uint8_t *)rte_pktmbuf_prepend(
			m, (uint16_t)((n_out - n_in) * VLAN_TAG_LEN));
		if (p == NULL)
			return -1;
	} else {
		p = (uint8_t *)rte_pktmbuf_adj(
			m, (uint16_t)((n_in - n_out) * VLAN_TAG_LEN));
	}
	pm->l2_len = (uint16_t)(ETH_ADDRS_LEN / 2 + eg->len);
	rewrite_l2_at(p, eg, dst_mac, fam);
	return 0;
}

/*
 * Packet i of b was just dropped for TTL or size: send its source an ICMP
 * error of `kind` (rewrite_stage.c). Worker thread; cold.
 */
void rewrite_icmp_error(struct pipeline_ctx *ctx, struct burst *b, unsigned i,
			enum icmp_err_kind kind, uint16_t mtu);

/*
 * stage_rewrite on packet i of b, whose verdict is VERDICT_CONTINUE (the
 * caller tests it): the drop (returns NULL), or the rewritten frame with
 * out_port and VERDICT_FORWARD (returns its egress record, for the fused
 * tail's count); see stage_rewrite. t is ctx->t, read once by the caller
 * (a store into the frame may alias it).
 */
static inline const struct tbl_egress *
rewrite_one(struct pipeline_ctx *ctx, const struct tables *t, struct burst *b,
	    unsigned i)
{
	struct pkt_meta *pm = &b->meta[i];
	struct rte_mbuf *m = b->pkts[i];
	const struct tbl_egress *eg;
	uint16_t mtu, out_peer, port_id;
	uint8_t *ip, l3;
	uint64_t dmac;

	l3 = pm->l3;
	out_peer = pm->out_peer;
	/* Only IP reaches here: ARP ends in stage_local. */
	if ((l3 != L3_IPV4 && l3 != L3_IPV6) || out_peer == IXG_PEER_NONE ||
	    out_peer >= IXG_MAX_PEERS) {
		pkt_drop(b, i, IXG_DROP_NO_ROUTE);
		return NULL;
	}
	if (pm->ttl <= 1) {
		pkt_drop(b, i, IXG_DROP_TTL_EXPIRED);
		if (t->node.icmp_time_exceeded)
			rewrite_icmp_error(ctx, b, i, ICMP_ERR_TIME_EXCEEDED,
					   0);
		return NULL;
	}
	eg = &t->egress[out_peer];
	mtu = eg->mtu;
	port_id = eg->port_id;
	ip = rte_pktmbuf_mtod_offset(m, uint8_t *, pm->l2_len);
	if (pm->l3_total > mtu) {
		pkt_drop(b, i, IXG_DROP_MTU_EXCEEDED);
		/* No fragmentation here: IPv4 without DF is dropped
		 * alone (RFC 1191 4 asks for the error with DF). */
		if (l3 == L3_IPV6 || (ip[6] & IPV4_DF))
			rewrite_icmp_error(ctx, b, i, ICMP_ERR_TOO_BIG, mtu);
		return NULL;
	}
	/* The neighbour table may store a learned MAC at any time
	 * (tables.h): one relaxed 64-bit load. */
	dmac = __atomic_load_n(&eg->mac[l3 - L3_IPV4], __ATOMIC_RELAXED);
	if (unlikely(dmac == 0)) {
		pkt_drop(b, i, IXG_DROP_UNRESOLVED);
		return NULL;
	}
	/* meta.dscp differs from the header's only where an action remarked
	 * it (pkt_meta.remark; stage_parse read it from the header). */
	if (l3 == L3_IPV4 && !pm->remark)
		rewrite_ipv4_ttl(ip);
	else if (l3 == L3_IPV4)
		rewrite_ipv4(ip, pm->dscp);
	else if (!pm->remark)
		rewrite_ipv6_hl(ip);
	else
		rewrite_ipv6(ip, pm->dscp);
	if (rewrite_l2(m, pm, eg, dmac, l3 - L3_IPV4) < 0) {
		/* Cannot grow the frame for the egress tags. */
		pkt_drop(b, i, IXG_DROP_MTU_EXCEEDED);
		return NULL;
	}
	pm->out_port = port_id;
	pm->verdict = VERDICT_FORWARD;
	return eg;
}

#endif /* IXG_REWRITE_STAGE_H */
