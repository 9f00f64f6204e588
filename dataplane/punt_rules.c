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

/* See punt.h. */
int
punt_take_token(struct pipeline_ctx *ctx, const struct tables *t, uint16_t port)
{
	uint64_t hz = ctx->tsc_hz, elapsed, full, rate, burst;
	unsigned nw = t->n_workers > 0 ? t->n_workers : 1;
	struct punt_bucket *pb = &ctx->punt[port];

	if (hz == 0)
		return 0;
	/* Each worker holds a share of the port's rate and burst (RSS
	 * spreads the members' sessions over them). */
	rate = t->node.punt_rate / nw;
	burst = t->node.punt_burst / nw;
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
