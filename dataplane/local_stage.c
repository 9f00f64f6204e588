/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * local_stage.c - what the node answers itself, in place in the received
 * mbuf: ARP requests (RFC 826) and IPv6 Neighbor Solicitations (RFC 4861)
 * for its own addresses on the ingress port and VLAN, and ICMP / ICMPv6
 * echo requests (RFC 792, RFC 4443) to any of its addresses. Answers keep
 * the VLAN tags as received and leave by the ingress port (VERDICT_LOCAL).
 * Anything else addressed to the node, or to link-local multicast, is
 * dropped local_unhandled; ARP that is not a request for one of our
 * addresses is dropped arp_invalid ("not for us").
 *
 * With the exception path on (node.punt, doc/exception-path.md), what the
 * node does not answer itself goes to its Linux side (VERDICT_PUNT) when
 * it arrived on a (port, VLAN) where the node has an address, untagged or
 * with one tag: ARP replies to our addresses (Linux resolving its own
 * neighbours), and packets routed to us that the allow-list lets through
 * (punt_denied otherwise), within the port's rate (punt_rate otherwise).
 * An ARP reply or NA claiming an address other than the sending member's
 * next hop is dropped arp_nd_spoofed rather than punted. With
 * node.arp_nd_rate, ARP requests and NSs answered beyond the port's rate
 * are dropped arp_nd_rate.
 *
 * With a learning member (neigh.h, doc/neighbours.md), the sender of every
 * ARP frame, Neighbor Solicitation and Advertisement heard (dropped
 * unknown_peer included: a member without a MAC lock) goes to the
 * worker's ring to the neighbour table; its verdict stays as above.
 *
 * A packet is addressed to the node when stage_lookup, just before, found
 * its route NH_LOCAL (b->nh_local). The node's addresses include, with the
 * exception path on, a link-local one per link (route_table.c): its NSs
 * are answered here and the rest punted like the configured addresses'.
 * fe80::/10 is NH_LOCAL too (NH_LINK_LOCAL): a link-local destination that
 * is not the node's on the ingress link is dropped link_local, never
 * routed nor source-validated (RFC 4291 2.5.6).
 *
 * Cost: 0.3 instructions/packet on the real table through the ports
 * (compare --callgrind, packets counted exactly): a burst parse_fast took
 * whole, none of it routed to the node, is one test (bench/README.md,
 * "Issue 12, the head and the small stages (helper head5)").
 */
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include <rte_branch_prediction.h>

#include "neigh.h"
#include "pipeline.h"
#include "pkt_bytes.h"
#include "punt.h"

#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ND_ROUTER_ADVERT 134
#define ND_RA_LEN 16 /* type .. retrans timer, RFC 4861 4.2 */
#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT 136
#define ND_NS_LEN 24 /* type .. target address, RFC 4861 4.3 */
#define ND_NA_LEN 32 /* NA + target link-layer address option (8 bytes) */
#define ND_OPT_SOURCE_LLADDR 1
#define ND_OPT_TARGET_LLADDR 2
#define ND_NA_FLAG_ROUTER 0x80
#define ND_NA_FLAG_SOLICITED 0x40
#define ND_NA_FLAG_OVERRIDE 0x20
#define ND_HOP_LIMIT 255 /* RFC 4861 7.1.1: proof the sender is on-link */
#define REPLY_TTL 64
#define IPV6_HDR_LEN 40

/* Index of our address `addr` of `family` on (port, vlan), or -1. */
static int
local_addr_find(const struct tables *t, uint8_t family, const uint8_t *addr,
		uint16_t port, uint16_t vlan)
{
	unsigned alen = family == 4 ? 4 : 16;
	uint32_t i;

	for (i = 0; i < t->n_local_addrs; i++) {
		const struct tbl_local_addr *a = &t->local_addrs[i];

		if (a->family == family && a->port_id == port &&
		    a->vlan == vlan && memcmp(a->addr, addr, alen) == 0)
			return (int)i;
	}
	return -1;
}

/* Whether the node has an address on (port, vlan): a Linux interface
 * there takes punted frames. */
static int
local_on_link(const struct tables *t, uint16_t port, uint16_t vlan)
{
	uint32_t i;

	for (i = 0; i < t->n_local_addrs; i++)
		if (t->local_addrs[i].port_id == port &&
		    t->local_addrs[i].vlan == vlan)
			return 1;
	return 0;
}

/*
 * Packet i is for the node and the fast path does not answer it: to Linux
 * if the exception path is on, the frame came in on a link where the node
 * has an address and `allowed`, within the port's rate; dropped otherwise.
 */
static void
punt_or_drop(struct pipeline_ctx *ctx, const struct tables *t, struct burst *b,
	     unsigned i, int allowed, enum ixg_drop_reason otherwise)
{
	struct pkt_meta *pm = &b->meta[i];

	if (!t->node.punt || pm->n_vlans > 1 ||
	    !local_on_link(t, pm->in_port, pm->vlan)) {
		pkt_drop(b, i, otherwise);
		return;
	}
	if (!allowed) {
		pkt_drop(b, i, IXG_DROP_PUNT_DENIED);
		return;
	}
	if (!punt_take_token(ctx, t, pm->in_port)) {
		pkt_drop(b, i, IXG_DROP_PUNT_RATE);
		return;
	}
	pm->verdict = VERDICT_PUNT;
}

/* The reply goes back to the sender, from our MAC on the port. */
static inline void
swap_macs(uint8_t *eth, const uint8_t *our_mac)
{
	uint8_t to[6];

	memcpy(to, eth + 6, sizeof(to));
	memcpy(eth, to, sizeof(to));
	memcpy(eth + 6, our_mac, 6);
}

static inline void
answer(struct burst *b, unsigned i)
{
	b->meta[i].verdict = VERDICT_LOCAL;
	b->meta[i].out_port = b->meta[i].in_port;
}

/*
 * RFC 826 "Packet Reception": for a request whose target protocol address
 * is ours, swap sender and target fields, put our hardware address in the
 * sender field, set the opcode to reply and send it back.
 */
static void
handle_arp(struct pipeline_ctx *ctx, const struct tables *t, struct burst *b,
	   unsigned i)
{
	struct pkt_meta *pm = &b->meta[i];
	uint8_t *eth = rte_pktmbuf_mtod(b->pkts[i], uint8_t *);
	uint8_t *arp = eth + pm->l2_len;
	const uint8_t *mac = t->ports[pm->in_port].mac;
	uint8_t our_ip[4];

	if (local_addr_find(t, 4, arp + 24, pm->in_port, pm->vlan) < 0) {
		pkt_drop(b, i, IXG_DROP_ARP_INVALID);
		return;
	}
	if (ld16(arp + 6) != rte_cpu_to_be_16(ARP_OP_REQUEST)) {
		/* A reply to our address answers Linux's own request; the
		 * member may only claim its own next hop (anti-spoofing:
		 * Linux's neighbour cache must not learn another's). */
		if (t->node.punt &&
		    ld16(arp + 6) == rte_cpu_to_be_16(ARP_OP_REPLY) &&
		    !punt_claim_ok(t, pm, 4, arp + 14)) {
			pkt_drop(b, i, IXG_DROP_NEIGH_SPOOFED);
			return;
		}
		punt_or_drop(ctx, t, b, i,
			     ld16(arp + 6) == rte_cpu_to_be_16(ARP_OP_REPLY),
			     IXG_DROP_ARP_INVALID);
		if (pm->verdict == VERDICT_DROP &&
		    pm->drop_reason == IXG_DROP_PUNT_DENIED)
			pkt_drop(b, i, IXG_DROP_ARP_INVALID);
		return;
	}
	if (!arp_nd_take_token(ctx, t, pm->in_port)) {
		pkt_drop(b, i, IXG_DROP_NEIGH_ANSWER_RATE);
		return;
	}
	memcpy(our_ip, arp + 24, 4);
	st16(arp + 6, rte_cpu_to_be_16(ARP_OP_REPLY));
	memcpy(arp + 18, arp + 8, 6); /* target hw <- requester's */
	memcpy(arp + 24, arp + 14, 4); /* target ip <- requester's */
	memcpy(arp + 8, mac, 6);
	memcpy(arp + 14, our_ip, 4);
	swap_macs(eth, mac);
	answer(b, i);
}

/* Is packet i a Neighbor Solicitation we must answer (RFC 4861 7.1.1 and
 * 7.2.3)? Returns 1 if so, after checking it whole. */
static int
ns_for_us(const struct tables *t, const struct burst *b, unsigned i)
{
	const struct pkt_meta *pm = &b->meta[i];
	const struct rte_mbuf *m = b->pkts[i];
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *,
						    pm->l2_len);
	const uint8_t *icmp = ip + pm->l3_len;
	uint32_t len = (uint32_t)pm->l3_total - pm->l3_len;

	if (pm->l4_proto != IPPROTO_ICMPV6 || pm->frag != FRAG_NONE ||
	    pm->icmp_type != ND_NEIGHBOR_SOLICIT)
		return 0;
	/* Answered in place only without extension headers. */
	if (pm->l3_len != IPV6_HDR_LEN || len < ND_NS_LEN ||
	    (uint32_t)pm->l2_len + pm->l3_total > m->data_len ||
	    !rte_pktmbuf_is_contiguous(m))
		return 0;
	if (pm->ttl != ND_HOP_LIMIT || icmp[1] != 0 || icmp[8] == 0xff ||
	    icmp6_sum(ip, icmp, len) != 0xffff)
		return 0;
	return local_addr_find(t, 6, icmp + 8, pm->in_port, pm->vlan) >= 0;
}

/*
 * RFC 4861 7.2.4: a solicited Neighbor Advertisement to the solicitation's
 * source, from the target address, flags Router (the node forwards),
 * Solicited and Override, with a target link-layer address option carrying
 * our MAC. Reuses the frame: the target address is already in place.
 * Returns 0, or -1 if the frame cannot take the answer's length.
 */
static int
make_na(const struct tables *t, struct burst *b, unsigned i)
{
	struct pkt_meta *pm = &b->meta[i];
	struct rte_mbuf *m = b->pkts[i];
	uint32_t need = (uint32_t)pm->l2_len + IPV6_HDR_LEN + ND_NA_LEN;
	const uint8_t *mac = t->ports[pm->in_port].mac;
	uint8_t *eth, *ip, *icmp;

	if (m->data_len > need)
		rte_pktmbuf_trim(m, (uint16_t)(m->data_len - need));
	else if (m->data_len < need &&
		 rte_pktmbuf_append(m, (uint16_t)(need - m->data_len)) == NULL)
		return -1;
	eth = rte_pktmbuf_mtod(m, uint8_t *);
	ip = eth + pm->l2_len;
	icmp = ip + IPV6_HDR_LEN;

	ip[0] = 0x60;
	ip[1] = ip[2] = ip[3] = 0;
	st16(ip + 4, rte_cpu_to_be_16(ND_NA_LEN));
	ip[7] = ND_HOP_LIMIT;
	memcpy(ip + 24, ip + 8, 16); /* to the solicitation's source */
	memcpy(ip + 8, icmp + 8, 16); /* from the target */
	icmp[0] = ND_NEIGHBOR_ADVERT;
	icmp[1] = 0;
	st16(icmp + 2, 0);
	icmp[4] = ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED |
		  ND_NA_FLAG_OVERRIDE;
	icmp[5] = icmp[6] = icmp[7] = 0;
	icmp[24] = ND_OPT_TARGET_LLADDR;
	icmp[25] = 1; /* in units of 8 bytes */
	memcpy(icmp + 26, mac, 6);
	st16(icmp + 2, (uint16_t)~icmp6_sum(ip, icmp, ND_NA_LEN));
	swap_macs(eth, mac);
	return 0;
}

/*
 * Echo request to one of our addresses -> echo reply in place: swap the
 * addresses, fresh TTL / hop limit, type request -> reply with the ICMP
 * checksum adjusted for that one word (RFC 1624; the pseudo-header sum of
 * ICMPv6 does not change when source and destination swap). Returns 0, or
 * -1 if it is not an echo request we answer (fragmented, cut across
 * segments, bad code or checksum).
 */
static int
make_echo_reply(const struct tables *t, struct burst *b, unsigned i)
{
	struct pkt_meta *pm = &b->meta[i];
	struct rte_mbuf *m = b->pkts[i];
	uint8_t *eth = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *ip = eth + pm->l2_len, *icmp = ip + pm->l3_len;
	uint32_t len = (uint32_t)pm->l3_total - pm->l3_len;
	uint8_t tmp[16];
	uint16_t old;

	if (pm->frag != FRAG_NONE || !rte_pktmbuf_is_contiguous(m) ||
	    (uint32_t)pm->l3_total < (uint32_t)pm->l3_len + 8 ||
	    (uint32_t)pm->l2_len + pm->l3_total > m->data_len)
		return -1;
	if (pm->l3 == L3_IPV4) {
		/* Options would need processing (RFC 1122 3.2.2.6: reverse a
		 * source route, update record route / timestamp): requests
		 * with options are not answered. */
		if (pm->l3_len != 20 || pm->l4_proto != IPPROTO_ICMP ||
		    pm->icmp_type != ICMP_ECHO_REQUEST || icmp[1] != 0 ||
		    rte_raw_cksum(icmp, len) != 0xffff)
			return -1;
		old = ld16(icmp);
		icmp[0] = ICMP_ECHO_REPLY;
		st16(icmp + 2, cksum_adjust(ld16(icmp + 2), old, ld16(icmp)));
		memcpy(tmp, ip + 12, 4);
		memcpy(ip + 12, ip + 16, 4);
		memcpy(ip + 16, tmp, 4);
		ip[8] = REPLY_TTL;
		st16(ip + 10, 0);
		st16(ip + 10, (uint16_t)~rte_raw_cksum(ip, pm->l3_len));
	} else {
		if (pm->l4_proto != IPPROTO_ICMPV6 ||
		    pm->icmp_type != ICMP6_ECHO_REQUEST || icmp[1] != 0 ||
		    pm->l3_len != IPV6_HDR_LEN ||
		    icmp6_sum(ip, icmp, len) != 0xffff)
			return -1;
		old = ld16(icmp);
		icmp[0] = ICMP6_ECHO_REPLY;
		st16(icmp + 2, cksum_adjust(ld16(icmp + 2), old, ld16(icmp)));
		memcpy(tmp, ip + 8, 16);
		memcpy(ip + 8, ip + 24, 16);
		memcpy(ip + 24, tmp, 16);
		ip[7] = REPLY_TTL;
	}
	swap_macs(eth, t->ports[pm->in_port].mac);
	return 0;
}

/* A Neighbor Advertisement whose target is not the sending member's next
 * hop (or that cannot be read whole): not for Linux's neighbour cache. */
static int
na_spoofed(const struct tables *t, const struct burst *b, unsigned i)
{
	const struct pkt_meta *pm = &b->meta[i];
	const struct rte_mbuf *m = b->pkts[i];
	const uint8_t *icmp;

	if (pm->l3 != L3_IPV6 || pm->l4_proto != IPPROTO_ICMPV6 ||
	    pm->icmp_type != ND_NEIGHBOR_ADVERT || pm->frag != FRAG_NONE)
		return 0;
	if ((uint32_t)pm->l3_total < (uint32_t)pm->l3_len + ND_NS_LEN ||
	    (uint32_t)pm->l2_len + pm->l3_total > m->data_len)
		return 1;
	icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *,
				       pm->l2_len + pm->l3_len);
	return !punt_claim_ok(t, pm, 6, icmp + 8);
}

/*
 * The link-layer address option of `type` in the ND options at opt[0..len)
 * (RFC 4861 4.6: type, length in units of 8 bytes, never 0), or NULL.
 */
static const uint8_t *
nd_lladdr(const uint8_t *opt, uint32_t len, uint8_t type)
{
	while (len >= 8) {
		uint32_t olen = (uint32_t)opt[1] * 8;

		if (olen == 0 || olen > len)
			return NULL;
		if (opt[0] == type)
			return opt + 2;
		opt += olen;
		len -= olen;
	}
	return NULL;
}

/*
 * Tell the neighbour table (neigh.h) who sent packet i, if it is an ARP
 * frame (sender MAC and address), a Neighbor Solicitation with a source
 * link-layer address (RFC 4861 7.2.3), a Neighbor Advertisement (7.2.5:
 * solicited confirms, override may replace) or a Router Advertisement
 * from a link-local source (4.2: for the link-local table), checked
 * whole. The verdict does not change. Cold: ARP only with a learning
 * member, ND only (nd_snooped).
 */
static __rte_noinline void
neigh_snoop(struct pipeline_ctx *ctx, const struct tables *t,
	    const struct burst *b, unsigned i)
{
	const struct pkt_meta *pm = &b->meta[i];
	const struct rte_mbuf *m = b->pkts[i];
	const uint8_t *eth = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *ip, *icmp, *ll;
	struct neigh_obs o;
	uint32_t len;

	memset(&o, 0, sizeof(o));
	o.port = pm->in_port;
	o.vlan = pm->vlan;
	o.outer_vlan = pm->outer_vlan;
	o.in_peer = pm->in_peer;
	o.override = 1;
	memcpy(o.src, eth + 6, 6);
	if (pm->l3 == L3_ARP) {
		const uint8_t *arp = eth + pm->l2_len;

		if ((uint32_t)pm->l2_len + 28 > m->data_len)
			return;
		o.family = 4;
		memcpy(o.mac, arp + 8, 6);
		memcpy(o.addr, arp + 14, 4);
		o.kind = ld16(arp + 6) == rte_cpu_to_be_16(ARP_OP_REPLY) &&
					 local_addr_find(t, 4, arp + 24,
							 pm->in_port,
							 pm->vlan) >= 0
				 ? NEIGH_OBS_REPLY
				 : NEIGH_OBS_HINT;
		neigh_obs_push(ctx->neigh_obs, &o);
		return;
	}
	if (pm->l3 != L3_IPV6 || pm->l4_proto != IPPROTO_ICMPV6 ||
	    pm->frag != FRAG_NONE || pm->ttl != ND_HOP_LIMIT ||
	    (pm->icmp_type != ND_NEIGHBOR_SOLICIT &&
	     pm->icmp_type != ND_NEIGHBOR_ADVERT &&
	     pm->icmp_type != ND_ROUTER_ADVERT))
		return;
	len = (uint32_t)pm->l3_total - pm->l3_len;
	if (pm->l3_len != IPV6_HDR_LEN ||
	    len < (pm->icmp_type == ND_ROUTER_ADVERT ? ND_RA_LEN : ND_NS_LEN) ||
	    (uint32_t)pm->l2_len + pm->l3_total > m->data_len ||
	    !rte_pktmbuf_is_contiguous(m))
		return;
	ip = eth + pm->l2_len;
	icmp = ip + IPV6_HDR_LEN;
	if (icmp[1] != 0 || icmp6_sum(ip, icmp, len) != 0xffff)
		return;
	o.family = 6;
	if (pm->icmp_type == ND_ROUTER_ADVERT) {
		/* RFC 4861 6.1.2: a router advertises from its link-local
		 * address; the option may be left out (then its source). */
		if (!tbl_ip6_link_local(ip + 8))
			return;
		ll = nd_lladdr(icmp + ND_RA_LEN, len - ND_RA_LEN,
			       ND_OPT_SOURCE_LLADDR);
		if (ll == NULL)
			ll = eth + 6;
		memcpy(o.addr, ip + 8, 16);
		o.kind = NEIGH_OBS_RA;
	} else if (pm->icmp_type == ND_NEIGHBOR_SOLICIT) {
		static const uint8_t unspec[16];

		/* The solicitation's source and its link-layer address; none
		 * from duplicate address detection (source ::). */
		ll = nd_lladdr(icmp + ND_NS_LEN, len - ND_NS_LEN,
			       ND_OPT_SOURCE_LLADDR);
		if (ll == NULL || memcmp(ip + 8, unspec, 16) == 0)
			return;
		memcpy(o.addr, ip + 8, 16);
		o.kind = NEIGH_OBS_HINT;
	} else {
		ll = nd_lladdr(icmp + ND_NS_LEN, len - ND_NS_LEN,
			       ND_OPT_TARGET_LLADDR);
		if (ll == NULL)
			ll = eth + 6; /* a unicast answer may leave it out */
		memcpy(o.addr, icmp + 8, 16);
		o.kind = (icmp[4] & ND_NA_FLAG_SOLICITED) ? NEIGH_OBS_REPLY
							  : NEIGH_OBS_HINT;
		o.override = (icmp[4] & ND_NA_FLAG_OVERRIDE) != 0;
	}
	memcpy(o.mac, ll, 6);
	neigh_obs_push(ctx->neigh_obs, &o);
}

/* Whether packet i goes to neigh_snoop: ARP with a learning member; the
 * ND messages it reads (RA, NS, NA) whenever the table is there, for the
 * members' link-local addresses (neigh.h). */
static inline int
nd_snooped(const struct pkt_meta *pm, int learn_arp)
{
	if (pm->l3 == L3_ARP)
		return learn_arp;
	return pm->l3 == L3_IPV6 && pm->l4_proto == IPPROTO_ICMPV6 &&
	       pm->icmp_type >= ND_ROUTER_ADVERT &&
	       pm->icmp_type <= ND_NEIGHBOR_ADVERT;
}

/*
 * A packet stage_lookup found local, to an IPv6 link-local address that is
 * not the node's on its ingress (port, VLAN): covered only by fe80::/10
 * (NH_LINK_LOCAL), or the node's link-local on another link. RFC 4291
 * 2.5.6: a link-local address means something on its link only, and a
 * router never forwards a packet to one.
 */
static inline int
foreign_link_local(const struct tables *t, const struct pkt_meta *pm)
{
	if (pm->l3 != L3_IPV6 || !tbl_ip6_link_local(pm->dst))
		return 0;
	return pm->route_nh == NH_LINK_LOCAL ||
	       local_addr_find(t, 6, pm->dst, pm->in_port, pm->vlan) < 0;
}

/* Link-local multicast never crosses the node (RFC 5771 224.0.0.0/24,
 * RFC 4291 2.7 ff02::/16): it is for the node or for nobody. */
static inline int
link_local_mcast(const struct pkt_meta *pm)
{
	if (pm->l3 == L3_IPV4)
		return pm->dst[0] == 224 && pm->dst[1] == 0 && pm->dst[2] == 0;
	return pm->dst[0] == 0xff && (pm->dst[1] & 0x0f) == 2;
}

/*
 * Packet i of stage_local's first pass: ARP, a Neighbor Solicitation for
 * us or link-local multicast answered or dropped; with `snoop`, what its
 * ARP (with `learn_arp`) or ND says about a neighbour heard first
 * (nd_snooped).
 */
static inline void
local_one(struct pipeline_ctx *ctx, const struct tables *t, struct burst *b,
	  unsigned i, const int snoop, const int learn_arp)
{
	struct pkt_meta *pm = &b->meta[i];

	if (pm->verdict != VERDICT_CONTINUE) {
		/* A learning member without a MAC lock answers from a MAC
		 * no member has. */
		if (unlikely(snoop) &&
		    pm->drop_reason == IXG_DROP_UNKNOWN_PEER &&
		    nd_snooped(pm, learn_arp))
			neigh_snoop(ctx, t, b, i);
		return;
	}
	if (unlikely(snoop) && pm->l3 != L3_IPV4 && nd_snooped(pm, learn_arp))
		neigh_snoop(ctx, t, b, i);
	if (pm->l3 == L3_ARP) {
		handle_arp(ctx, t, b, i);
	} else if (pm->l3 == L3_IPV6 && ns_for_us(t, b, i)) {
		if (!arp_nd_take_token(ctx, t, pm->in_port))
			pkt_drop(b, i, IXG_DROP_NEIGH_ANSWER_RATE);
		else if (make_na(t, b, i) == 0)
			answer(b, i);
		else
			pkt_drop(b, i, IXG_DROP_LOCAL_UNHANDLED);
	} else if (link_local_mcast(pm)) {
		pkt_drop(b, i, IXG_DROP_LOCAL_UNHANDLED);
	}
}

/*
 * stage_local's two passes over the packets of `scan` (those parse_fast
 * did not take) and of b->nh_local. Out of line: the common burst has
 * neither, and stage_local returns before saving a register.
 */
static __rte_noinline void
local_burst(struct pipeline_ctx *ctx, struct burst *b, uint32_t scan)
{
	const struct tables *t = ctx->t;
	const int snoop = ctx->neigh_obs != NULL;
	const int learn_arp = t->n_neigh_learn != 0;
	uint32_t local;
	unsigned i;

	for (; scan != 0; scan &= scan - 1)
		local_one(ctx, t, b, (unsigned)__builtin_ctz(scan), snoop,
			  learn_arp);

	/* Only packets routed to the node (NH_LOCAL) are visited: those
	 * stage_lookup found, less those answered or dropped above. */
	for (local = b->nh_local; local != 0; local &= local - 1) {
		i = (unsigned)__builtin_ctz(local);
		if (b->meta[i].verdict != VERDICT_CONTINUE)
			continue;
		if (unlikely(foreign_link_local(t, &b->meta[i])))
			pkt_drop(b, i, IXG_DROP_LINK_LOCAL);
		else if (make_echo_reply(t, b, i) == 0)
			answer(b, i);
		else if (t->node.punt && na_spoofed(t, b, i))
			pkt_drop(b, i, IXG_DROP_NEIGH_SPOOFED);
		else
			punt_or_drop(ctx, t, b, i,
				     punt_allowed(&t->node, &b->meta[i]),
				     IXG_DROP_LOCAL_UNHANDLED);
	}
}

/*
 * Answer or drop what is addressed to the node (see the file comment):
 * ARP, Neighbor Solicitations for our addresses and link-local multicast,
 * then the packets stage_lookup found routed to us (b->nh_local); with a
 * learning member, what ARP/ND says goes to ctx->neigh_obs. Worker
 * thread; reads ctx->t, writes the burst's metadata and answered frames
 * and its own neighbour ring.
 */
void
stage_local(struct pipeline_ctx *ctx, struct burst *b)
{
	const unsigned n_pkts = b->n;
	uint32_t scan;

	/* What parse_fast took (unicast TCP, UDP, ICMPv4, ICMPv6 but
	 * Neighbor Discovery: never ARP or multicast, nothing nd_snooped
	 * hears) is none of the first pass's (struct burst, parsed_fast):
	 * only the others are visited. */
	scan = n_pkts >= 32 ? UINT32_MAX : (UINT32_C(1) << n_pkts) - 1;
	scan &= ~b->parsed_fast;
	if (likely((scan | b->nh_local) == 0))
		return;
	local_burst(ctx, b, scan);
}
