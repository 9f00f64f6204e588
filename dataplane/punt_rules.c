/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * punt_rules.c - the fast-path half of the exception path
 * (doc/exception-path.md): which frames addressed to the node may reach its
 * Linux side (the node's allow-list, ixg_spec_node.punt_rules), the
 * per-port token bucket that limits them, and the checks of those fields
 * in a committed spec. stage_local calls the first two; the punt thread
 * (punt.c) does the Linux side.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "pipeline.h"
#include "punt.h"
#include "tables_impl.h"

#define ND_NEIGHBOR_ADVERT 136

/* See punt.h. */
int
punt_validate(struct spec_check *c)
{
	const struct ixg_spec_node *n = &c->s->node;
	unsigned i;

	if (n->punt > 1)
		return spec_refuse(c, IXG_TBL_NODE, 0, 0,
				   "exception path: punt %u is not 0 or 1",
				   n->punt);
	if (n->n_punt_rules > IXG_MAX_PUNT_RULES)
		return spec_refuse(c, IXG_TBL_NODE, 0, 0,
				   "exception path: %u allow-list rules, at "
				   "most %u",
				   n->n_punt_rules, IXG_MAX_PUNT_RULES);
	if (n->punt && (n->punt_rate == 0 || n->punt_burst == 0))
		return spec_refuse(c, IXG_TBL_NODE, 0, 0,
				   "exception path: rate %u / burst %u: both "
				   "must be above 0",
				   n->punt_rate, n->punt_burst);
	for (i = 0; i < n->n_punt_rules; i++)
		if (n->punt_rules[i].port_lo > n->punt_rules[i].port_hi)
			return spec_refuse(c, IXG_TBL_NODE, 0, 0,
					   "exception path: allow-list rule "
					   "%u: port range %u-%u is empty",
					   i + 1, n->punt_rules[i].port_lo,
					   n->punt_rules[i].port_hi);
	return 0;
}

/* See punt.h. */
int
punt_allowed(const struct ixg_spec_node *n, const struct pkt_meta *pm)
{
	unsigned i;

	/* Linux resolves its own neighbours (RFC 4861 7.2.5): the answers to
	 * its solicitations pass whatever the list says. */
	if (pm->l4_proto == IPPROTO_ICMPV6 &&
	    pm->icmp_type == ND_NEIGHBOR_ADVERT && pm->frag == FRAG_NONE)
		return 1;
	for (i = 0; i < n->n_punt_rules; i++) {
		const struct ixg_spec_punt_rule *r = &n->punt_rules[i];

		if (r->proto != pm->l4_proto)
			continue;
		if (r->port_lo == 0 && r->port_hi == UINT16_MAX)
			return 1;
		/* Either port: the node's side of a session may be the one
		 * that connected (BGP replies come from port 179). */
		if (pm->frag != FRAG_LATER &&
		    ((pm->dport >= r->port_lo && pm->dport <= r->port_hi) ||
		     (pm->sport >= r->port_lo && pm->sport <= r->port_hi)))
			return 1;
	}
	return 0;
}

/* Take a token of pb: `rate` frames/s and `burst` frames over the whole
 * node, a share of each per worker (at least 1), refilled from
 * ctx->now_tsc. 1, or 0 over the rate. */
static int
bucket_take(struct pipeline_ctx *ctx, struct punt_bucket *pb, uint64_t rate,
	    uint64_t burst, unsigned n_workers)
{
	uint64_t hz = ctx->tsc_hz, elapsed, full;
	unsigned nw = n_workers > 0 ? n_workers : 1;

	if (hz == 0)
		return 0;
	/* Each worker holds a share of the port's rate and burst (RSS
	 * spreads the members' sessions over them). */
	rate /= nw;
	burst /= nw;
	if (rate == 0)
		rate = 1;
	if (burst == 0)
		burst = 1;
	full = burst * hz;
	/* A clock that went back refills nothing; an idle bucket fills up to
	 * the burst, never beyond. */
	elapsed = ctx->now_tsc > pb->last_tsc ? ctx->now_tsc - pb->last_tsc : 0;
	if (elapsed > full / rate)
		elapsed = full / rate;
	pb->last_tsc = ctx->now_tsc;
	pb->tokens += elapsed * rate;
	if (pb->tokens > full)
		pb->tokens = full;
	if (pb->tokens < hz)
		return 0;
	pb->tokens -= hz;
	return 1;
}

/* See punt.h. */
int
punt_take_token(struct pipeline_ctx *ctx, const struct tables *t, uint16_t port)
{
	return bucket_take(ctx, &ctx->punt[port], t->node.punt_rate,
			   t->node.punt_burst, t->n_workers);
}

/* See punt.h. */
int
arp_nd_take_token(struct pipeline_ctx *ctx, const struct tables *t,
		  uint16_t port)
{
	uint32_t rate = t->node.arp_nd_rate;

	if (rate == 0)
		return 1;
	return bucket_take(ctx, &ctx->arp_nd[port], rate, rate, t->n_workers);
}

/* Whether the link-local addr is one of the node's (any link). */
static int
node_link_local(const struct tables *t, const uint8_t *addr)
{
	for (uint32_t i = 0; i < t->n_local_addrs; i++)
		if (t->local_addrs[i].family == 6 &&
		    memcmp(t->local_addrs[i].addr, addr, 16) == 0)
			return 1;
	return 0;
}

/* See punt.h. */
int
punt_claim_ok(const struct tables *t, const struct pkt_meta *pm, int family,
	      const uint8_t *addr)
{
	const struct tbl_peer *p;

	if (pm->in_peer == IXG_PEER_NONE || pm->in_peer >= IXG_MAX_PEERS)
		return 0;
	p = &t->peers[pm->in_peer];
	if (family == 4)
		return p->has_nh4 && memcmp(p->nh4, addr, 4) == 0;
	/* A member's link-local address is in no config: it may claim one
	 * for the MAC it sends from (its lock), never one of the node's. */
	if (tbl_ip6_link_local(addr))
		return !node_link_local(t, addr);
	return p->has_nh6 && memcmp(p->nh6, addr, 16) == 0;
}
