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
 * The ingress port's counters are summed over the burst (every packet of a
 * burst came in on one port) and added once; the per-packet ones read the
 * metadata into locals first.
 *
 * Cost: 102 instructions/packet on the real table through the ports
 * (compare --callgrind, packets counted exactly), 103 on pipeline_bench's
 * 16-route one
 * (callgrind; bench/README.md, "Per stage").
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
/* The probe loop of count_peer_pair past the home slot: out of line, only
 * a new pair or a collision gets here. */
static __rte_noinline void
count_peer_pair_probe(struct ixg_lcore_counters *c, uint32_t key, uint32_t h,
		      uint32_t bytes)
{
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

/*
 * Peer-pair counters: open addressing over IXG_PEER_PAIR_SLOTS slots keyed
 * (in << 16) | out, linear probing up to PEER_PAIR_PROBES slots. Slots are
 * never freed (peer ids are stable), so a miss after 8 probes is counted in
 * peer_pair_overflow rather than searched further. A pair seen before is
 * in its home slot unless it collided: that test comes first.
 */
static inline void
count_peer_pair(struct ixg_lcore_counters *c, uint16_t in, uint16_t out,
		uint32_t bytes)
{
	uint32_t key = ((uint32_t)in << 16) | out;
	uint32_t h = (key * 0x9e3779b1u) >> 16; /* Fibonacci hashing */
	struct ixg_ctr_peer_pair *s =
		&c->peer_pair[h & (IXG_PEER_PAIR_SLOTS - 1)];

	if (likely(s->key == key)) {
		s->pb.packets++;
		s->pb.bytes += bytes;
		return;
	}
	count_peer_pair_probe(c, key, h, bytes);
}

/*
 * The forwarded packet's egress and matrix counters; the ingress port's
 * (fwd) are summed per burst by stage_output. The metadata is read once
 * into locals: the build has -fno-strict-aliasing (DPDK's flags), so each
 * counter store would otherwise reload every field read after it.
 */
static inline void
count_forward(struct ixg_lcore_counters *c, const struct pkt_meta *pm)
{
	const uint32_t len = pm->rx_len;
	const uint16_t out_port = pm->out_port, in_peer = pm->in_peer;
	const uint16_t out_peer = pm->out_peer;
	const uint16_t sc = pm->src_country, dc = pm->dst_country;
	const uint16_t cls = pm->class_id;
	const uint8_t col = pm->colour;

	c->port[out_port].tx.packets++;
	c->port[out_port].tx.bytes += len;
	c->peer[out_peer].tx.packets++;
	c->peer[out_peer].tx.bytes += len;
	if (in_peer != IXG_PEER_NONE)
		count_peer_pair(c, in_peer, out_peer, len);
	if (sc < IXG_MAX_COUNTRIES && dc < IXG_MAX_COUNTRIES) {
		struct ixg_ctr_pb *cp = &c->country_pair[sc][dc];

		cp->packets++;
		cp->bytes += len;
	}
	if (cls < IXG_MAX_CLASSES && col <= 2)
		c->class_colour[cls][col]++;
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
PIPELINE_NO_SLP void
stage_output(struct pipeline_ctx *ctx, struct burst *b, struct burst_out *out)
{
	const unsigned n_pkts = b->n;
	struct ixg_lcore_counters *c = ctx->ctr;
	/* Every packet of b came in on b->port (meta.in_port, set by parse):
	 * its port counters are summed over the burst and added once. */
	struct ixg_ctr_port *in = &c->port[b->port];
	struct rte_mbuf *dropped[PIPELINE_BURST];
	unsigned i, n_drop = 0, n_fwd = 0, n_local = 0, n_punt = 0;
	uint64_t rx_bytes = 0;
	const uint32_t tag_fwd = out_tag_base(OUT_TAG_FORWARD, b->port);

	if (unlikely(ctx->sample_n != 0))
		sample_complete(ctx, b);
	for (i = 0; i < n_pkts; i++) {
		const struct pkt_meta *pm = &b->meta[i];
		struct rte_mbuf *m = b->pkts[i];
		const uint32_t len = pm->rx_len, rule = pm->acl_rule;
		const uint16_t in_peer = pm->in_peer;
		const uint8_t verdict = pm->verdict;
		uint16_t p;

		rx_bytes += len;
		if (in_peer != IXG_PEER_NONE) {
			c->peer[in_peer].rx.packets++;
			c->peer[in_peer].rx.bytes += len;
		}
		if (rule != 0 && rule < IXG_MAX_ACL_RULES)
			c->acl_hits[rule]++;

		switch (verdict) {
		case VERDICT_FORWARD:
			n_fwd++;
			p = pm->out_port;
			out_tag_set_at(m, tag_fwd, pm);
			count_forward(c, pm);
			out->pkts[p][out->n[p]++] = m;
			break;
		case VERDICT_LOCAL:
			n_local++;
			p = pm->in_port;
			out_tag_set(m, OUT_TAG_LOCAL, pm);
			out->pkts[p][out->n[p]++] = m;
			break;
		default:
			/* Not a case of its own: the switch of the common
			 * verdicts stays a compare chain (callgrind). */
			if (unlikely(pm->verdict == VERDICT_PUNT)) {
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
	in->rx.packets += n_pkts;
	in->rx.bytes += rx_bytes;
	in->fwd += n_fwd;
	in->local += n_local;
	in->punted += n_punt;
	c->rx_packets += n_pkts;
	c->tx_packets += n_fwd;
	c->local_packets += n_local;
	c->punted += n_punt;
	out->n_punt = (uint16_t)n_punt;
	if (n_drop > 0)
		rte_pktmbuf_free_bulk(dropped, n_drop);
}
