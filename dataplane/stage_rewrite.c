/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stage_rewrite.c - make a routed packet ready to leave: TTL / hop limit,
 * DSCP remark, IPv4 checksum (incrementally, RFC 1624), egress MTU, MACs and
 * the egress peer's VLAN tag stack. Sets VERDICT_FORWARD.
 */
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "pipeline.h"

#define ETH_ADDRS_LEN 12
#define VLAN_TAG_LEN 4
#define TPID_CTAG 0x8100 /* 802.1Q: the only tag, or the inner one */
#define TPID_STAG 0x88a8 /* 802.1ad: the outer tag of QinQ */
#define DEFAULT_MTU 1500 /* RFC 894, if a port has none configured */

/*
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for one 16-bit word changing
 * from m to m'. The three values are taken as stored in the packet (network
 * order); one's complement sums are byte-order independent (RFC 1071 2.B).
 */
static inline uint16_t
cksum_adjust(uint16_t hc, uint16_t m, uint16_t m_new)
{
	uint32_t s = (uint32_t)(uint16_t)~hc + (uint16_t)~m + m_new;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

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

static inline void
st_be16(uint8_t *p, uint16_t v)
{
	st16(p, rte_cpu_to_be_16(v));
}

/* TTL - 1 and, if meta.dscp differs from the header's, the new DSCP (ECN
 * bits kept). The checksum follows each changed word (RFC 1624). */
static inline void
rewrite_ipv4(uint8_t *ip, uint8_t dscp)
{
	uint16_t ck = ld16(ip + 10), old;

	old = ld16(ip + 8);
	ip[8]--;
	ck = cksum_adjust(ck, old, ld16(ip + 8));
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
	uint8_t tc = (uint8_t)(((ip[0] & 0x0f) << 4) | (ip[1] >> 4));

	ip[7]--;
	if ((tc >> 2) != dscp) {
		tc = (uint8_t)((dscp << 2) | (tc & 3));
		ip[0] = (uint8_t)(0x60 | (tc >> 4));
		ip[1] = (uint8_t)((tc << 4) | (ip[1] & 0x0f));
	}
}

/*
 * Turn the L2 header from the ingress tag stack (pm->n_vlans tags) into the
 * egress peer's, writing both MACs. The ethertype of the payload stays where
 * it is: adding tags moves the frame start back (prepend), removing them
 * moves it forward (adj), and everything before the ethertype is rewritten.
 * Returns 0, or -1 if the mbuf has no headroom for the tags.
 */
static inline int
rewrite_l2(struct rte_mbuf *m, struct pkt_meta *pm, const struct tbl_peer *peer,
	   const uint8_t *src_mac)
{
	unsigned n_out = peer->vlan == IXG_VLAN_NONE ? 0 :
			 peer->outer_vlan == IXG_VLAN_NONE ? 1 : 2;
	uint8_t *p;

	if (n_out > pm->n_vlans) {
		p = (uint8_t *)rte_pktmbuf_prepend(
			m, (uint16_t)((n_out - pm->n_vlans) * VLAN_TAG_LEN));
		if (p == NULL)
			return -1;
	} else if (n_out < pm->n_vlans) {
		p = (uint8_t *)rte_pktmbuf_adj(
			m, (uint16_t)((pm->n_vlans - n_out) * VLAN_TAG_LEN));
	} else {
		p = rte_pktmbuf_mtod(m, uint8_t *);
	}
	memcpy(p, peer->dmac, 6);
	memcpy(p + 6, src_mac, 6);
	/* PCP and DEI 0: the node does not carry priorities across peers. */
	if (n_out == 1) {
		st_be16(p + 12, TPID_CTAG);
		st_be16(p + 14, peer->vlan);
	} else if (n_out == 2) {
		st_be16(p + 12, TPID_STAG);
		st_be16(p + 14, peer->outer_vlan);
		st_be16(p + 16, TPID_CTAG);
		st_be16(p + 18, peer->vlan);
	}
	pm->l2_len = (uint16_t)(ETH_ADDRS_LEN + n_out * VLAN_TAG_LEN + 2);
	return 0;
}

/*
 * Rewrite every packet still CONTINUE for its egress peer (meta.out_peer,
 * set by the route stage): drop ttl_expired if the TTL / hop limit arrived
 * as 0 or 1 (RFC 1812 5.3.1, RFC 8200 3), drop mtu_exceeded if the L3
 * packet is larger than the egress port's MTU (no fragmentation), else
 * decrement it, remark DSCP to meta.dscp, set MACs and VLAN tags, set
 * out_port and VERDICT_FORWARD. Worker thread; writes only the burst.
 */
void
stage_rewrite(struct pipeline_ctx *ctx, struct burst *b)
{
	const struct tables *t = ctx->t;
	unsigned i;

	for (i = 0; i < b->n; i++) {
		struct pkt_meta *pm = &b->meta[i];
		struct rte_mbuf *m = b->pkts[i];
		const struct tbl_peer *peer;
		const struct tbl_port *port;
		uint8_t *ip;
		uint16_t mtu;

		if (pm->verdict != VERDICT_CONTINUE)
			continue;
		/* Only IP reaches here: ARP ends in stage_local. */
		if ((pm->l3 != L3_IPV4 && pm->l3 != L3_IPV6) ||
		    pm->out_peer == IXG_PEER_NONE ||
		    pm->out_peer >= IXG_MAX_PEERS) {
			pkt_drop(b, i, IXG_DROP_NO_ROUTE);
			continue;
		}
		if (pm->ttl <= 1) {
			pkt_drop(b, i, IXG_DROP_TTL_EXPIRED);
			continue;
		}
		peer = &t->peers[pm->out_peer];
		port = &t->ports[peer->port_id];
		mtu = port->mtu ? port->mtu : DEFAULT_MTU;
		if (pm->l3_total > mtu) {
			pkt_drop(b, i, IXG_DROP_MTU_EXCEEDED);
			continue;
		}
		ip = rte_pktmbuf_mtod_offset(m, uint8_t *, pm->l2_len);
		if (pm->l3 == L3_IPV4)
			rewrite_ipv4(ip, pm->dscp);
		else
			rewrite_ipv6(ip, pm->dscp);
		if (rewrite_l2(m, pm, peer, port->mac) < 0) {
			/* Cannot grow the frame for the egress tags. */
			pkt_drop(b, i, IXG_DROP_MTU_EXCEEDED);
			continue;
		}
		pm->out_port = peer->port_id;
		pm->verdict = VERDICT_FORWARD;
	}
}
