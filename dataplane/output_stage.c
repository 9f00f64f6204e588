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
 * into their records here and are published after the counting loop.
 *
 * The ingress port's counters are summed over the burst (every packet of a
 * burst came in on one port) and added once; the per-packet ones read the
 * metadata into locals first.
 *
 * Under pipeline_run it is fused with stage_rewrite (pipeline_tail,
 * pipeline.c, whose common forwarded packet does not come here): the
 * cost of the two is pipeline_tail's.
 */
#include <stdint.h>

#include <rte_mbuf.h>

#include "output_stage.h"

/*
 * The probe past a peer pair's home slot (output_peer_pair_walk), out of
 * line: only a new pair or a collision gets here. Worker thread.
 */
__rte_noinline int
output_peer_pair_probe(struct ixg_lcore_counters *c, uint32_t key, uint32_t h,
		       uint32_t bytes)
{
	return output_peer_pair_walk(c, key, h, bytes);
}

/* See output_stage.h. Worker thread. */
__rte_noinline void
output_peers_direct(struct ixg_lcore_counters *c, uint16_t in_peer,
		    uint16_t out_peer, uint32_t len)
{
	output_rx_peer(c, in_peer, len);
	c->peer[out_peer].tx.packets++;
	c->peer[out_peer].tx.bytes += len;
}

/*
 * Count and dispatch every packet of b: rx on the ingress port and peer
 * (a forwarded packet's peers in its peer pair's slot: IXG_CTR_PEER);
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
 * published after the count (sample_complete). out->n[]
 * must be zeroed by the caller; ownership of the handed-out mbufs passes to
 * the caller. Worker thread; writes ctx->ctr (this lcore's block), the
 * the records stage_sample reserved (as the ring's one producer).
 */
PIPELINE_NO_SLP void
stage_output(struct pipeline_ctx *ctx, struct burst *b, struct burst_out *out)
{
	const unsigned n_pkts = b->n;
	struct ixg_lcore_counters *c = ctx->ctr;
	struct rte_mbuf *dropped[PIPELINE_BURST];
	struct output_acc a;
	unsigned i;

	output_begin(ctx, b, out, &a);
	for (i = 0; i < n_pkts; i++)
		output_one(c, b, out, &a, dropped, i);
	output_end(ctx, b, out, &a, dropped);
}
