/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sample_stage.c - 1-in-N packet sampling of the frames each port
 * receives (sFlow v5, "Packet Flow Sampling"), on the workers.
 *
 * Which packets: every frame received on a port whose `sampling` is
 * 1-in-N is sampled with probability 1/N, independently of every other
 * frame. Instead of a draw per frame, the worker draws the gap to the next
 * sampled frame from the geometric distribution of that process,
 *     P(skip = k) = (1 - p)^(k-1) p,  p = 1/N,  k >= 1,
 * by inversion: skip = 1 + floor(ln U / ln(1 - p)), U uniform in (0, 1]
 * from 53 bits of a per-worker xoshiro256** stream. Each frame is then
 * sampled with probability exactly 1/N whatever came before it (the
 * geometric law is memoryless), so samples x N is an unbiased estimate of
 * the frames, and the count of samples out of F frames is binomial(F, 1/N)
 * (what the integration test's bound rests on). A countdown is kept per
 * (worker, port) and drawn again when the port's rate changes; a burst
 * comes from one port, so the countdown is found by arithmetic, not per
 * packet.
 *
 * What: the frame as received, before any stage rewrites it (VLAN tags,
 * MACs and TTL as they came in; up to IXG_SAMPLE_HDR_MAX bytes), its
 * length, the port, and, completed by stage_output, what the pipeline
 * decided (sample_complete). Records go to the worker's ring (sample.h);
 * a record that finds no room is counted, never waited for.
 *
 * Cost: sample_pool is one add per burst; a burst with no sample costs a
 * compare (sample_quick, inlined into stage_sample and the fused head).
 * Measured in bench/README.md ("Sampling").
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "pipeline.h"
#include "sample.h"
#include "sample_stage.h"

#define SAMPLE_SEED 0x9e3779b97f4a7c15ull /* 2^64 / golden ratio */

_Static_assert((int)IXG_SAMPLE_FORWARD == (int)VERDICT_FORWARD &&
		       (int)IXG_SAMPLE_LOCAL == (int)VERDICT_LOCAL &&
		       (int)IXG_SAMPLE_DROP == (int)VERDICT_DROP,
	       "sample verdicts are the pipeline's");
_Static_assert(PIPELINE_BURST <= UINT8_MAX, "sample_at holds a burst index");

/* splitmix64 (Steele, Lea, Flood 2014): a seed into well-mixed bits. */
static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * A uniform double in (0, 1]: 53 bits of xorshift64* (Vigna 2016, its
 * upper bits pass BigCrush), plus one, times 2^-53. One 64-bit state per
 * worker, seeded from the worker index through splitmix64 so workers do
 * not draw in lockstep; 0 (xorshift's fixed point) is never a seed.
 */
static double
uniform_open0(struct pipeline_ctx *ctx)
{
	uint64_t x = ctx->sample_rng;

	if (unlikely(x == 0)) {
		uint64_t s = SAMPLE_SEED + ctx->worker;

		x = splitmix64(&s) | 1;
	}
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	ctx->sample_rng = x;
	return (double)(((x * 0x2545f4914f6cdd1dull) >> 11) + 1) * 0x1p-53;
}

/* The gap to the next sampled frame for 1-in-rate sampling: geometric on
 * {1, 2, ...} with mean rate (see the file comment), capped to 2^32 - 1. */
static uint32_t
sample_draw(struct pipeline_ctx *ctx, uint32_t rate)
{
	double k;

	if (rate <= 1)
		return 1;
	k = floor(log(uniform_open0(ctx)) / log1p(-1.0 / rate));
	return k >= (double)(UINT32_MAX - 1) ? UINT32_MAX : (uint32_t)k + 1;
}

/* Reserve a record for packet i of b and copy its frame into it; a full
 * ring counts the sample lost (node and port). */
static __rte_noinline void
sample_take(struct pipeline_ctx *ctx, const struct burst *b, unsigned i,
	    uint32_t rate)
{
	struct ixg_lcore_counters *c = ctx->ctr;
	const struct rte_mbuf *m = b->pkts[i];
	struct ixg_sample_record *r;
	uint32_t len;
	const void *h;

	r = sample_ring_reserve(ctx->samples, ctx->sample_cursor,
				ctx->sample_n);
	if (r == NULL) {
		c->sample_dropped++;
		c->port[b->port].sample_dropped++;
		return;
	}
	len = RTE_MIN(m->pkt_len, (uint32_t)IXG_SAMPLE_HDR_MAX);
	h = rte_pktmbuf_read(m, 0, len, r->hdr);
	if (h == NULL)
		len = 0;
	else if (h != r->hdr)
		memcpy(r->hdr, h, len);
	r->hdr_len = (uint8_t)len;
	r->frame_len = m->pkt_len;
	r->unix_s = ctx->now_unix;
	r->tsc = ctx->now_tsc;
	r->rate = rate;
	r->in_port = b->port;
	r->pool = c->port[b->port].sample_pool;
	r->drops = (uint32_t)c->port[b->port].sample_dropped;
	ctx->sample_at[ctx->sample_n++] = (uint8_t)i;
}

/* See sample_stage.h. */
void
sample_burst(struct pipeline_ctx *ctx, const struct burst *b, uint32_t rate)
{
	const unsigned n = b->n;
	const uint16_t port = b->port;
	uint32_t skip = ctx->sample_skip[port];
	unsigned pos = 0;

	if (unlikely(skip == 0 || ctx->sample_skip_rate[port] != rate)) {
		skip = sample_draw(ctx, rate);
		ctx->sample_skip_rate[port] = rate;
	}
	while (skip <= n - pos) {
		unsigned i = pos + skip - 1;

		sample_take(ctx, b, i, rate);
		pos = i + 1;
		skip = sample_draw(ctx, rate);
	}
	ctx->sample_skip[port] = skip - (n - pos);
}

/*
 * Draw the sampled packets of b (all received on b->port) and copy their
 * frames into reserved records (ctx->sample_n of them, completed and
 * published by stage_output). No-op when ctx has no ring or the port does
 * not sample. Worker thread; writes ctx's sampling state, this lcore's
 * counters (sample_pool, sample_dropped) and the reserved records.
 */
void
stage_sample(struct pipeline_ctx *ctx, struct burst *b)
{
	const uint32_t rate = sample_quick(ctx, b);

	if (unlikely(rate != 0))
		sample_burst(ctx, b, rate);
}

/* See sample.h. Worker thread. */
void
sample_complete(struct pipeline_ctx *ctx, const struct burst *b)
{
	struct ixg_sample_ring *ring = ctx->samples;
	uint32_t head = __atomic_load_n(&ring->head, __ATOMIC_RELAXED);
	unsigned k;

	for (k = 0; k < ctx->sample_n; k++) {
		struct ixg_sample_record *r =
			&ring->rec[(head + k) & SAMPLE_MASK];
		const struct pkt_meta *pm = &b->meta[ctx->sample_at[k]];
		/* Punted frames are the node's own traffic, as local
		 * answers. */
		uint8_t v = pm->verdict == VERDICT_FORWARD ? IXG_SAMPLE_FORWARD
			    : pm->verdict == VERDICT_LOCAL ||
					    pm->verdict == VERDICT_PUNT
				    ? IXG_SAMPLE_LOCAL
				    : IXG_SAMPLE_DROP;

		r->verdict = v;
		r->drop_reason = v == IXG_SAMPLE_DROP &&
						 pm->drop_reason < IXG_DROP_MAX
					 ? pm->drop_reason
					 : 0;
		r->out_port = v == IXG_SAMPLE_FORWARD ? pm->out_port : 0;
		r->in_peer = pm->in_peer == IXG_PEER_NONE ? 0 : pm->in_peer;
		r->out_peer = v == IXG_SAMPLE_FORWARD ? pm->out_peer : 0;
		r->src_country = pm->src_country < IXG_MAX_COUNTRIES
					 ? pm->src_country
					 : 0;
		r->dst_country = pm->dst_country < IXG_MAX_COUNTRIES
					 ? pm->dst_country
					 : 0;
		r->class_id = pm->class_id;
		r->acl_rule = pm->acl_rule;
		memset(r->_pad, 0, sizeof(r->_pad));
	}
	sample_ring_commit(ring, ctx->sample_n);
	ctx->ctr->sampled += ctx->sample_n;
	ctx->sample_n = 0;
}
