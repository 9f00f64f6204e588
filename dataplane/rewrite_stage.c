/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rewrite_stage.c - make a routed packet ready to leave: TTL / hop limit,
 * DSCP remark, IPv4 checksum (incrementally, RFC 1624), egress MTU, MACs and
 * the egress peer's VLAN tag stack. Sets VERDICT_FORWARD.
 *
 * A packet it cannot forward for TTL / hop limit or size may also earn its
 * sender an ICMP error, built here in a fresh mbuf (burst.gen[i]) and sent
 * by stage_output back out of the ingress port:
 *   - Time Exceeded (RFC 792 type 11, RFC 4443 3.3 type 3), code 0, when
 *     node.icmp_time_exceeded is set;
 *   - IPv4 Destination Unreachable "fragmentation needed" (RFC 792 type 3
 *     code 4) with the next-hop MTU (RFC 1191 4) for a packet with DF set,
 *     and ICMPv6 Packet Too Big (RFC 4443 3.2) with the MTU. Path MTU
 *     discovery depends on them (RFC 1191 4: the router "is required to
 *     return" it; RFC 4443 3.2: "MUST be sent"), so they do not depend on
 *     node.icmp_time_exceeded. The node does not fragment: IPv4 without
 *     DF is only dropped mtu_exceeded.
 * The IPv4 quote is the minimum RFC 792 asks for (header + 8 bytes), not
 * RFC 1812 4.3.2.3's "as much as fits 576 bytes". Both kinds share one
 * per-worker token bucket of node.icmp_rate per second (RFC 1812 4.3.2.8,
 * RFC 4443 2.4(f)); icmp_rate 0 sends none.
 *
 * Cost: under pipeline_run, fused with stage_output (pipeline_tail,
 * pipeline.c, whose common forwarded packet does not come here), the two
 * 115.8 instructions a packet on the real table through the ports
 * (bench/README.md, "Issue 12, the tail, fourth pass (helper tail3)").
 */
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "rewrite_stage.h"

#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define ICMP_HDR_LEN 8 /* type, code, checksum, 4 type-specific bytes */
#define ICMP_UNREACH 3
#define ICMP_UNREACH_NEEDFRAG 4 /* RFC 1191 4 */
#define ICMP_TIME_EXCEEDED 11
#define ICMP6_PACKET_TOO_BIG 2
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_INFO_MIN 128 /* RFC 4443 2.1: types 0..127 are errors */
#define ND_REDIRECT 137
/* RFC 792: the invoking header plus the first 64 bits of its data. */
#define ICMP4_QUOTE_DATA 8
/* RFC 4443 2.4(c): the whole ICMPv6 packet within the minimum IPv6 MTU. */
#define ICMP6_MAX_PACKET 1280
#define ICMP_ERR_TTL 64
/* RFC 1812 4.3.2.5: precedence 6 (internetwork control) for errors; the
 * same class (CS6) for ICMPv6. */
#define ICMP_ERR_TOS 0xc0
/* A per-worker rate above this is no limit at all; it also keeps
 * rate * tsc_hz within 64 bits. */
#define ICMP_RATE_MAX (1u << 20)

/*
 * RFC 1812 4.3.2.7 and RFC 4443 2.4(e) list the packets that must not
 * earn an ICMP error: ICMP errors themselves (and ICMPv6 Redirects), non-
 * initial fragments, packets to a multicast or broadcast address or sent as
 * link-layer multicast or broadcast, and packets whose source does not name
 * one host (unspecified, loopback, multicast, class E, broadcast). RFC 4443
 * 2.4(e.3)/(e.4) exempt Packet Too Big from the multicast rules, so that
 * path MTU discovery works for multicast.
 */
static inline int
icmp4_is_error_or_unknown(uint8_t type)
{
	/* Informational types of RFC 792 / 950: echo reply, echo, router
	 * advertisement / solicitation (RFC 1256), timestamp, information and
	 * address mask request / reply. Anything else may be an error. */
	switch (type) {
	case 0:
	case 8:
	case 9:
	case 10:
	case 13:
	case 14:
	case 15:
	case 16:
	case 17:
	case 18: return 0;
	default: return 1;
	}
}

/* Is dst the directed broadcast of one of our IPv4 subnets on the port? */
static int
ipv4_directed_bcast(const struct tables *t, uint16_t port, const uint8_t *dst)
{
	uint32_t d, a, mask, i;

	memcpy(&d, dst, 4);
	d = rte_be_to_cpu_32(d);
	for (i = 0; i < t->n_local_addrs; i++) {
		const struct tbl_local_addr *la = &t->local_addrs[i];

		/* /31 (RFC 3021) and /32 have no broadcast address. */
		if (la->family != 4 || la->port_id != port || la->len > 30 ||
		    la->len == 0)
			continue;
		memcpy(&a, la->addr, 4);
		a = rte_be_to_cpu_32(a);
		mask = ~0u << (32 - la->len);
		if ((d & mask) == (a & mask) && (d | mask) == ~0u)
			return 1;
	}
	return 0;
}

static int
icmp_allowed(const struct tables *t, const struct rte_mbuf *m,
	     const struct pkt_meta *pm, enum icmp_err_kind kind)
{
	const uint8_t *eth = rte_pktmbuf_mtod(m, const uint8_t *);
	int mcast_ok = pm->l3 == L3_IPV6 && kind == ICMP_ERR_TOO_BIG;

	if (pm->frag == FRAG_LATER)
		return 0;
	/* Link-layer multicast or broadcast: the I/G bit of the DMAC. */
	if ((eth[0] & 1) && !mcast_ok)
		return 0;
	if (pm->l3 == L3_IPV4) {
		if (pm->l4_proto == IPPROTO_ICMP &&
		    icmp4_is_error_or_unknown(pm->icmp_type))
			return 0;
		/* 224/4 multicast, 240/4 reserved and 255.255.255.255. */
		if (pm->dst[0] >= 224 ||
		    ipv4_directed_bcast(t, pm->in_port, pm->dst))
			return 0;
		if (pm->src[0] == 0 || pm->src[0] == 127 || pm->src[0] >= 224 ||
		    ipv4_directed_bcast(t, pm->in_port, pm->src))
			return 0;
		return 1;
	}
	if (pm->l4_proto == IPPROTO_ICMPV6 &&
	    (pm->icmp_type < ICMP6_INFO_MIN || pm->icmp_type == ND_REDIRECT))
		return 0;
	if (pm->dst[0] == 0xff && !mcast_ok)
		return 0;
	if (pm->src[0] == 0xff)
		return 0;
	{
		static const uint8_t zero15[15];

		/* :: and ::1 */
		if (memcmp(pm->src, zero15, 15) == 0 && pm->src[15] <= 1)
			return 0;
	}
	return 1;
}

/*
 * The node's own address to send the error from: the first of `family` on
 * the ingress port and VLAN. For IPv6, a link-local address (fe80::/10)
 * cannot reach an off-link source (RFC 4291 2.5.6), so only a wider one is
 * taken. NULL: none, and no error is sent.
 */
static const uint8_t *
icmp_src_addr(const struct tables *t, const struct pkt_meta *pm)
{
	uint8_t family = pm->l3 == L3_IPV4 ? 4 : 6;
	uint32_t i;

	for (i = 0; i < t->n_local_addrs; i++) {
		const struct tbl_local_addr *la = &t->local_addrs[i];

		if (la->family != family || la->port_id != pm->in_port ||
		    la->vlan != pm->vlan)
			continue;
		if (family == 6 && la->addr[0] == 0xfe &&
		    (la->addr[1] & 0xc0) == 0x80)
			continue;
		return la->addr;
	}
	return NULL;
}

/*
 * Token bucket of node.icmp_rate errors per second, holding at most one
 * second's worth (at least 1). Tokens are kept in units of 1/tsc_hz, so the
 * refill is exact integer arithmetic on the burst's TSC. Returns 1 and takes
 * a token, or 0.
 */
static int
icmp_take_token(struct pipeline_ctx *ctx, uint32_t rate)
{
	uint64_t hz = ctx->tsc_hz, elapsed, full;

	if (rate == 0 || hz == 0)
		return 0;
	if (rate > ICMP_RATE_MAX)
		rate = ICMP_RATE_MAX;
	full = (uint64_t)rate * hz;
	/* A clock that went back (another clock source, a replay restart)
	 * refills nothing. One second refills the whole bucket. */
	elapsed = ctx->now_tsc > ctx->icmp_last_tsc
			  ? ctx->now_tsc - ctx->icmp_last_tsc
			  : 0;
	if (elapsed > hz)
		elapsed = hz;
	ctx->icmp_last_tsc = ctx->now_tsc;
	ctx->icmp_tokens += elapsed * rate;
	if (ctx->icmp_tokens > full)
		ctx->icmp_tokens = full;
	if (ctx->icmp_tokens < hz)
		return 0;
	ctx->icmp_tokens -= hz;
	return 1;
}

/*
 * Build the ICMP error of `kind` about packet pm/m in a new mbuf from
 * ctx->pool: the received L2 header turned around (to the sender's MAC,
 * from ours, the VLAN tags as received), an IP header from `src` to the
 * packet's source, the ICMP header and the quote of the invoking packet as
 * received. Returns the mbuf, or NULL (no mbuf, or the quote would not
 * fit it).
 */
static struct rte_mbuf *
icmp_build(struct pipeline_ctx *ctx, const struct rte_mbuf *m,
	   const struct pkt_meta *pm, enum icmp_err_kind kind,
	   const uint8_t *src, uint16_t mtu)
{
	const uint8_t *rx = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t l3hdr = pm->l3 == L3_IPV4 ? IPV4_HDR_LEN : IPV6_HDR_LEN;
	uint32_t quote, len;
	struct rte_mbuf *g;
	uint8_t *p, *ip, *icmp;
	const void *q;

	if (pm->l3 == L3_IPV4)
		quote = RTE_MIN((uint32_t)pm->l3_total,
				(uint32_t)pm->l3_len + ICMP4_QUOTE_DATA);
	else
		quote = RTE_MIN((uint32_t)pm->l3_total,
				(uint32_t)(ICMP6_MAX_PACKET - IPV6_HDR_LEN -
					   ICMP_HDR_LEN));
	len = pm->l2_len + l3hdr + ICMP_HDR_LEN + quote;

	g = rte_pktmbuf_alloc(ctx->pool);
	if (g == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(g, (uint16_t)len);
	if (p == NULL)
		goto fail;
	ip = p + pm->l2_len;
	icmp = ip + l3hdr;
	/* The quote may span segments of m; read it whole. */
	q = rte_pktmbuf_read(m, pm->l2_len, quote, icmp + ICMP_HDR_LEN);
	if (q == NULL)
		goto fail;
	if (q != icmp + ICMP_HDR_LEN)
		memcpy(icmp + ICMP_HDR_LEN, q, quote);

	/* The tag stack (and ethertype) as received; parse checked that the
	 * whole L2 header is in the first segment. */
	memcpy(p, rx + 6, 6);
	memcpy(p + 6, ctx->t->ports[pm->in_port].mac, 6);
	memcpy(p + 12, rx + 12, pm->l2_len - 12u);

	memset(icmp, 0, ICMP_HDR_LEN);
	if (pm->l3 == L3_IPV4) {
		ip[0] = 0x45;
		ip[1] = ICMP_ERR_TOS;
		st_be16(ip + 2,
			(uint16_t)(IPV4_HDR_LEN + ICMP_HDR_LEN + quote));
		/* RFC 6864 4.1: an atomic datagram (DF, not a fragment) may
		 * carry any ID; the error is short enough for any path. */
		st_be16(ip + 4, 0);
		st_be16(ip + 6, (uint16_t)IPV4_DF << 8);
		ip[8] = ICMP_ERR_TTL;
		ip[9] = IPPROTO_ICMP;
		st16(ip + 10, 0);
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, pm->src, 4);
		st16(ip + 10, (uint16_t)~rte_raw_cksum(ip, IPV4_HDR_LEN));
		if (kind == ICMP_ERR_TIME_EXCEEDED) {
			icmp[0] = ICMP_TIME_EXCEEDED;
		} else {
			icmp[0] = ICMP_UNREACH;
			icmp[1] = ICMP_UNREACH_NEEDFRAG;
			st_be16(icmp + 6, mtu); /* RFC 1191 4 */
		}
		st16(icmp + 2,
		     (uint16_t)~rte_raw_cksum(icmp, ICMP_HDR_LEN + quote));
	} else {
		/* Version 6, traffic class CS6, flow label 0. */
		ip[0] = (uint8_t)(0x60 | (ICMP_ERR_TOS >> 4));
		ip[1] = (uint8_t)((ICMP_ERR_TOS & 0x0f) << 4);
		ip[2] = ip[3] = 0;
		st_be16(ip + 4, (uint16_t)(ICMP_HDR_LEN + quote));
		ip[6] = IPPROTO_ICMPV6;
		ip[7] = ICMP_ERR_TTL;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, pm->src, 16);
		if (kind == ICMP_ERR_TIME_EXCEEDED) {
			icmp[0] = ICMP6_TIME_EXCEEDED; /* code 0: hop limit */
		} else {
			uint32_t be_mtu = rte_cpu_to_be_32(mtu);

			icmp[0] = ICMP6_PACKET_TOO_BIG;
			memcpy(icmp + 4, &be_mtu, 4); /* RFC 4443 3.2 */
		}
		st16(icmp + 2,
		     (uint16_t)~icmp6_sum(ip, icmp, ICMP_HDR_LEN + quote));
	}
	g->port = m->port;
	return g;
fail:
	rte_pktmbuf_free(g);
	return NULL;
}

/*
 * Packet i was just dropped for TTL or size: send its source an ICMP error
 * of `kind` if the rules above, an address of ours on the ingress port and
 * VLAN, the rate limit and the mempool allow. Cold: only dropped packets get
 * here.
 */
__rte_noinline void
rewrite_icmp_error(struct pipeline_ctx *ctx, struct burst *b, unsigned i,
		   enum icmp_err_kind kind, uint16_t mtu)
{
	struct pkt_meta *pm = &b->meta[i];
	const uint8_t *src;
	struct rte_mbuf *g;

	if (ctx->pool == NULL || !icmp_allowed(ctx->t, b->pkts[i], pm, kind))
		return;
	src = icmp_src_addr(ctx->t, pm);
	if (src == NULL || !icmp_take_token(ctx, ctx->t->node.icmp_rate))
		return;
	g = icmp_build(ctx, b->pkts[i], pm, kind, src, mtu);
	if (g == NULL)
		return;
	b->gen[i] = g;
	pm->gen = 1;
}

/*
 * Rewrite every packet still CONTINUE for its egress peer (meta.out_peer,
 * set by the route stage): drop ttl_expired if the TTL / hop limit arrived
 * as 0 or 1 (RFC 1812 5.3.1, RFC 8200 3), drop mtu_exceeded if the L3
 * packet is larger than the egress port's MTU (no fragmentation), drop
 * unresolved if the peer's egress MAC of the family is not known (a
 * learning member, neigh.h), else decrement it, remark DSCP to meta.dscp, set MACs and VLAN tags, set
 * out_port and VERDICT_FORWARD. A dropped packet may get an ICMP error in
 * b->gen[i] (meta.gen = 1; see the file comment), allocated from ctx->pool
 * and owned by the burst until stage_output hands it out. Worker thread;
 * writes the burst and the ctx's ICMP token bucket.
 */
PIPELINE_NO_SLP void
stage_rewrite(struct pipeline_ctx *ctx, struct burst *b)
{
	const unsigned n_pkts = b->n;
	const struct tables *t = ctx->t;
	unsigned i;

	for (i = 0; i < n_pkts; i++)
		if (b->meta[i].verdict == VERDICT_CONTINUE)
			rewrite_one(ctx, t, b, i);
}
