/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output_stage.c - the one place that counts and frees: every packet of the
 * burst is counted received, then forwarded, answered locally or dropped by
 * reason; forwarded and local packets are handed to the caller per port,
 * dropped ones are freed in one bulk call. An ICMP error built about a
 * dropped packet (burst.gen) leaves by the ingress port, counted apart from
 * the received packets.
 *
 * Byte counters add meta.rx_len (the frame as received), so rx, tx and the
 * traffic matrices agree whatever rewrite did to the frame's length.
 *
 * Sampled packets (stage_sample, sample_stage.c) get their fate written
 * into their records here and are published before the counting loop.
 *
 * Cost: 136 instructions/packet on the full table, 134 on the 16-route
 * one (callgrind; bench/README.md, "Per stage"); 140 on the 16-route one
 * with the exception path's verdict (doc/exception-path.md).
 */
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "pipeline.h"
#include "sample.h"

#define PEER_PAIR_PROBES 8

/*
 * Peer-pair counters: open addressing over IXG_PEER_PAIR_SLOTS slots keyed
 * (in << 16) | out, linear probing up to PEER_PAIR_PROBES slots. Slots are
 * never freed (peer ids are stable), so a miss after 8 probes is counted in
 * peer_pair_overflow rather than searched further.
 */
static inline void
count_peer_pair(struct ixg_lcore_counters *c, uint16_t in, uint16_t out,
		uint32_t bytes)
{
	uint32_t key = ((uint32_t)in << 16) | out;
	uint32_t h = (key * 0x9e3779b1u) >> 16; /* Fibonacci hashing */
	unsigned k;

	for (k = 0; k < PEER_PAIR_PROBES; k++) {
		struct ixg_ctr_peer_pair *s =
			&c->peer_pair[(h + k) & (IXG_PEER_PAIR_SLOTS - 1)];

		if (s->key == 0)
			s->key = key;
		if (s->key == key) {
			s->pb.packets++;
			s->pb.bytes += bytes;
			return;
		}
	}
	c->peer_pair_overflow++;
}

static inline void
count_forward(struct ixg_lcore_counters *c, const struct pkt_meta *pm)
{
	uint32_t len = pm->rx_len;

	c->port[pm->in_port].fwd++;
	c->port[pm->out_port].tx.packets++;
	c->port[pm->out_port].tx.bytes += len;
	c->peer[pm->out_peer].tx.packets++;
	c->peer[pm->out_peer].tx.bytes += len;
	if (pm->in_peer != IXG_PEER_NONE)
		count_peer_pair(c, pm->in_peer, pm->out_peer, len);
	if (pm->src_country < IXG_MAX_COUNTRIES &&
	    pm->dst_country < IXG_MAX_COUNTRIES) {
		struct ixg_ctr_pb *cp =
			&c->country_pair[pm->src_country][pm->dst_country];

		cp->packets++;
		cp->bytes += len;
	}
}

/*
 * Count and dispatch every packet of b: rx on the ingress port and peer;
 * FORWARD goes to out->pkts[out_port], LOCAL to out->pkts[in_port], PUNT
 * to out->punt (counted punted; see struct burst_out), DROP is
 * counted by reason (node, ingress port, ingress peer) and freed. Packets
 * that matched an ACL rule count a hit whatever their fate; packets that
 * were metered (forwarded, or dropped by the policer) count their class and
 * colour. A dropped packet with meta.gen set has its ICMP error (b->gen[i])
 * handed to out->pkts[in_port], counted in icmp_generated and the port's
 * generated, not in rx/tx/local. Each packet handed to out is tagged
 * (out_tag_set, pipeline.h) so pipeline_tx_failed() can undo its count.
 * The records stage_sample reserved for this burst are completed and
 * published first (sample_complete). out->n[]
 * must be zeroed by the caller; ownership of the handed-out mbufs passes to
 * the caller. Worker thread; writes ctx->ctr (this lcore's block), the
 * the records stage_sample reserved (as the ring's one producer).
 */
void
stage_output(struct pipeline_ctx *ctx, struct burst *b, struct burst_out *out)
{
	const unsigned n_pkts = b->n;
	struct ixg_lcore_counters *c = ctx->ctr;
	struct rte_mbuf *dropped[PIPELINE_BURST];
	unsigned i, n_drop = 0, n_fwd = 0, n_local = 0, n_punt = 0;

	if (unlikely(ctx->sample_n != 0))
		sample_complete(ctx, b);
	for (i = 0; i < n_pkts; i++) {
		const struct pkt_meta *pm = &b->meta[i];
		struct rte_mbuf *m = b->pkts[i];
		struct ixg_ctr_port *in = &c->port[pm->in_port];
		uint16_t p;

		in->rx.packets++;
		in->rx.bytes += pm->rx_len;
		if (pm->in_peer != IXG_PEER_NONE) {
			c->peer[pm->in_peer].rx.packets++;
			c->peer[pm->in_peer].rx.bytes += pm->rx_len;
		}
		if (pm->acl_rule != 0 && pm->acl_rule < IXG_MAX_ACL_RULES)
			c->acl_hits[pm->acl_rule]++;

		switch (pm->verdict) {
		case VERDICT_FORWARD:
			n_fwd++;
			count_forward(c, pm);
			if (pm->class_id < IXG_MAX_CLASSES && pm->colour <= 2)
				c->class_colour[pm->class_id][pm->colour]++;
			p = pm->out_port;
			out_tag_set(m, OUT_TAG_FORWARD, pm);
			out->pkts[p][out->n[p]++] = m;
			break;
		case VERDICT_LOCAL:
			n_local++;
			in->local++;
			p = pm->in_port;
			out_tag_set(m, OUT_TAG_LOCAL, pm);
			out->pkts[p][out->n[p]++] = m;
			break;
		default:
			/* Not a case of its own: the switch of the common
			 * verdicts stays a compare chain (callgrind). */
			if (unlikely(pm->verdict == VERDICT_PUNT)) {
				in->punted++;
				out_tag_set(m, OUT_TAG_NONE, pm);
				m->port = pm->in_port;
				m->vlan_tci = pm->vlan;
				m->l2_len = pm->l2_len;
				out->punt[n_punt++] = m;
				break;
			}
			/* VERDICT_DROP; a CONTINUE left over would be a stage
			 * bug, and is counted rather than leaked. */
			p = pm->verdict == VERDICT_DROP &&
					    pm->drop_reason < IXG_DROP_MAX
				    ? pm->drop_reason
				    : IXG_DROP_NO_ROUTE;
			c->drops[p]++;
			in->drops[p]++;
			if (pm->in_peer != IXG_PEER_NONE)
				c->peer[pm->in_peer].drops++;
			if ((p == IXG_DROP_POLICER_RED ||
			     p == IXG_DROP_POLICER_YELLOW) &&
			    pm->class_id < IXG_MAX_CLASSES && pm->colour <= 2)
				c->class_colour[pm->class_id][pm->colour]++;
			dropped[n_drop++] = m;
			if (unlikely(pm->gen)) {
				struct rte_mbuf *g = b->gen[i];

				p = pm->in_port;
				out_tag_set(g, OUT_TAG_GENERATED, pm);
				out->pkts[p][out->n[p]++] = g;
				c->icmp_generated++;
				in->generated++;
			}
			break;
		}
	}
	c->rx_packets += n_pkts;
	c->tx_packets += n_fwd;
	c->local_packets += n_local;
	c->punted += n_punt;
	out->n_punt = (uint16_t)n_punt;
	if (n_drop > 0)
		rte_pktmbuf_free_bulk(dropped, n_drop);
}
