/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pipeline.c - the stages run in PIPELINE_STAGES order (pipeline.h), and
 * the TX-refusal path.
 */
#include <rte_mbuf.h>

#include "output_stage.h"
#include "pipeline.h"
#include "rewrite_stage.h"

/* The output tag (pipeline.h) packs ports in 5 bits and peers in 12. */
_Static_assert(IXG_MAX_PORTS <= 32, "out_tag: 5 bits of port");
_Static_assert(IXG_MAX_PEERS <= 4096, "out_tag: 12 bits of peer");

static const char *const stage_names[PIPELINE_N_STAGES] = {
#define X_NAME(id, name, args) [PIPELINE_STAGE_##id] = #name,
	PIPELINE_STAGES(X_NAME)
#undef X_NAME
};

/*
 * Run every stage over b, in PIPELINE_STAGES order; see pipeline.h.
 * b->pkts, b->n and b->port are the input; the metadata is filled here.
 * Afterwards every mbuf of b is either in out (owned by the caller) or
 * freed. Worker thread (or replay/test), one ctx per thread.
 * Cost: bench/README.md ("Instructions per packet").
 */
void
pipeline_run(struct pipeline_ctx *ctx, struct burst *b, struct burst_out *out)
{
	pipeline_head(ctx, b);
#define X_RUN(id, name, args) PIPELINE_CALL(name, args);
	PIPELINE_MID_STAGES(X_RUN)
#undef X_RUN
	pipeline_tail(ctx, b, out);
}

/* pipeline_tail fuses exactly these two, in this order. */
#define X_TAIL_COUNT(id, name, args) +1
_Static_assert(0 PIPELINE_TAIL_STAGES(X_TAIL_COUNT) == 2 &&
		       PIPELINE_STAGE_REWRITE == PIPELINE_N_STAGES - 2 &&
		       PIPELINE_STAGE_OUTPUT == PIPELINE_N_STAGES - 1,
	       "pipeline_tail: rewrite then output, the last two stages");
#undef X_TAIL_COUNT

/*
 * See pipeline.h. Packet i's rewrite and count in one iteration give what
 * the two stages give: rewrite_one reads and writes only packet i (and the
 * ICMP token bucket and pool, in the same packet order), output_one only
 * reads the metadata and writes counters, out and the mbuf's tag; the
 * peer-pair slots fill in the same packet order; the sample records are
 * completed after the last decision (output_end), as stage_output does,
 * and the dropped mbufs freed in one call there. A packet rewrite_one
 * forwards is counted from the egress record it read (output_fwd: the
 * TX tag's bits and the port), the others by output_one. Worker thread.
 * Cost: 175.7 instructions a packet on the real table through the ports
 * (bench/ixgate-bench compare --callgrind, bench/callgrind_stages.py), 175.5
 * on pipeline_bench's 16 routes (the two burst loops there: 183.5).
 */
PIPELINE_NO_SLP void
pipeline_tail(struct pipeline_ctx *ctx, struct burst *b, struct burst_out *out)
{
	const unsigned n_pkts = b->n;
	const struct tables *t = ctx->t;
	struct ixg_lcore_counters *c = ctx->ctr;
	struct rte_mbuf *dropped[PIPELINE_BURST];
	struct output_acc a;
	unsigned i;

	output_begin(ctx, b, &a);
	for (i = 0; i < n_pkts; i++) {
		const struct pkt_meta *pm = &b->meta[i];
		const struct tbl_egress *eg;

		if (pm->verdict != VERDICT_CONTINUE ||
		    (eg = rewrite_one(ctx, t, b, i)) == NULL) {
			output_one(c, b, out, &a, dropped, i);
			continue;
		}
		/* Forwarded: output_one's count with the TX tag's bits and
		 * the port from the record rewrite read. */
		const uint32_t len = pm->rx_len;
		const uint16_t in_peer = pm->in_peer;

		output_rx(c, &a, in_peer, len, pm->acl_rule);
		output_fwd(c, b, out, &a, i, eg->tx_tag, eg->port_id, in_peer,
			   len);
	}
	output_end(ctx, b, out, &a, dropped);
}

/* See pipeline.h. Replay or test thread. */
void
pipeline_run_observed(struct pipeline_ctx *ctx, struct burst *b,
		      struct burst_out *out,
		      void (*after)(enum pipeline_stage stage,
				    const struct burst *b, void *arg),
		      void *arg)
{
#define X_RUN_OBSERVED(id, name, args)                                         \
	PIPELINE_CALL(name, args);                                             \
	after(PIPELINE_STAGE_##id, b, arg);
	PIPELINE_STAGES(X_RUN_OBSERVED)
#undef X_RUN_OBSERVED
}

/* See pipeline.h. */
const char *
pipeline_stage_name(unsigned stage)
{
	return stage < PIPELINE_N_STAGES ? stage_names[stage] : "unknown";
}

/*
 * m was handed out by stage_output and refused by its TX queue: move its
 * count from forwarded (or local) to drop tx_full at its ingress port and
 * peer, and free it. A refused ICMP error the node generated moves from
 * icmp_generated (and its port's generated) to generated_dropped: it was
 * never a received packet, so the rx invariant does not see it. Takes ownership of m. Same thread as the pipeline_run
 * that produced m. The traffic matrices (peer pair, country pair, class and
 * colour) keep the packet: they record what the pipeline decided.
 */
void
pipeline_tx_failed(struct pipeline_ctx *ctx, struct rte_mbuf *m)
{
	struct ixg_lcore_counters *c = ctx->ctr;
	struct out_tag tag;

	out_tag_get(m, &tag);
	switch (tag.kind) {
	case OUT_TAG_FORWARD:
		c->tx_packets--;
		c->port[tag.in_port].fwd--;
		c->port[tag.out_port].tx.packets--;
		c->port[tag.out_port].tx.bytes -= tag.rx_len;
		c->peer[tag.out_peer].tx.packets--;
		c->peer[tag.out_peer].tx.bytes -= tag.rx_len;
		break;
	case OUT_TAG_LOCAL:
		c->local_packets--;
		c->port[tag.in_port].local--;
		break;
	case OUT_TAG_GENERATED:
		c->icmp_generated--;
		c->port[tag.in_port].generated--;
		c->generated_dropped++;
		rte_pktmbuf_free(m);
		return;
	default:
		/* Not from stage_output: nothing was counted for it. */
		rte_pktmbuf_free(m);
		return;
	}
	c->drops[IXG_DROP_TX_FULL]++;
	c->port[tag.in_port].drops[IXG_DROP_TX_FULL]++;
	if (tag.in_peer != IXG_PEER_NONE)
		c->peer[tag.in_peer].drops++;
	rte_pktmbuf_free(m);
}

/* See pipeline.h. */
void
pipeline_punt_failed(struct pipeline_ctx *ctx, struct rte_mbuf *m)
{
	struct ixg_lcore_counters *c = ctx->ctr;
	struct out_tag tag;

	out_tag_get(m, &tag);
	c->punted--;
	c->port[tag.in_port].punted--;
	c->drops[IXG_DROP_PUNT_QUEUE_FULL]++;
	c->port[tag.in_port].drops[IXG_DROP_PUNT_QUEUE_FULL]++;
	if (tag.in_peer != IXG_PEER_NONE)
		c->peer[tag.in_peer].drops++;
	rte_pktmbuf_free(m);
}
