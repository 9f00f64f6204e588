/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output_stage.h - stage_output's work in three parts, for its burst loop
 * (output_stage.c) and for pipeline_run's fused tail (pipeline.c), which
 * rewrites and counts each packet in one pass: output_begin once a burst,
 * output_one for each packet (after its last decision), output_end once a
 * burst. What is counted and where each packet goes: output_stage.c.
 */
#ifndef IXG_OUTPUT_STAGE_H
#define IXG_OUTPUT_STAGE_H

#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_mbuf.h>

#include <emmintrin.h>

#include "pipeline.h"
#include "sample.h"

/* What output_one sums over a burst, added once by output_end. */
struct output_acc {
	struct ixg_ctr_port *in; /* the ingress port's counters */
	uint64_t rx_bytes;
	uint32_t tag_fwd; /* out_tag_base(OUT_TAG_FORWARD, b->port) */
	/* The rest of the burst is forwarded. */
	unsigned n_drop, n_local, n_punt;
};

/*
 * out->at (pipeline.h) from out->n (output_begin) and back (output_end):
 * at[p] = n[p] + output_at_base[p], the index of out->pkts[p][n[p]] in
 * 8-byte words from out. Four 16-byte adds each way a burst; an append
 * (output_append) is then a load, a store and an add, where n[p] and
 * pkts[p][k] took the index from port and k and a copy of k.
 */
_Static_assert(offsetof(struct burst_out, pkts) % sizeof(void *) == 0 &&
		       sizeof(struct burst_out) / sizeof(void *) < 65536 &&
		       IXG_MAX_PORTS == 32 && PIPELINE_BURST == 32,
	       "burst_out.at: 16-bit word indices, four 16-byte vectors");
#define OUTPUT_AT(p)                                                           \
	(offsetof(struct burst_out, pkts) / sizeof(void *) + (p)*PIPELINE_BURST)
#define OUTPUT_AT8(p)                                                          \
	OUTPUT_AT(p), OUTPUT_AT(p + 1), OUTPUT_AT(p + 2), OUTPUT_AT(p + 3),    \
		OUTPUT_AT(p + 4), OUTPUT_AT(p + 5), OUTPUT_AT(p + 6),          \
		OUTPUT_AT(p + 7)
static const uint16_t output_at_base[IXG_MAX_PORTS] __rte_aligned(16) = {
	OUTPUT_AT8(0), OUTPUT_AT8(8), OUTPUT_AT8(16), OUTPUT_AT8(24)};

static __rte_always_inline void
output_at_begin(struct burst_out *out)
{
	for (unsigned v = 0; v < IXG_MAX_PORTS; v += 8)
		_mm_storeu_si128(
			(__m128i *)&out->at[v],
			_mm_add_epi16(
				_mm_loadu_si128((const __m128i *)&out->n[v]),
				_mm_load_si128(
					(const __m128i *)&output_at_base[v])));
}

static __rte_always_inline void
output_at_end(struct burst_out *out)
{
	for (unsigned v = 0; v < IXG_MAX_PORTS; v += 8)
		_mm_storeu_si128(
			(__m128i *)&out->n[v],
			_mm_sub_epi16(
				_mm_loadu_si128((const __m128i *)&out->at[v]),
				_mm_load_si128(
					(const __m128i *)&output_at_base[v])));
}

/* m to out->pkts[port], between output_begin and output_end. The store
 * may alias at[] for gcc, which then adds to it in memory. */
static __rte_always_inline void
output_append(struct burst_out *out, uint16_t port, struct rte_mbuf *m)
{
	((struct rte_mbuf **)out)[out->at[port]] = m;
	out->at[port]++;
}

#define PEER_PAIR_PROBES 8

/*
 * Peer-pair counters: open addressing over IXG_PEER_PAIR_SLOTS slots keyed
 * (in << 16) | out, linear probing up to PEER_PAIR_PROBES slots from the
 * home slot h. Slots are never freed (peer ids are stable), so a miss
 * after 8 probes is counted in peer_pair_overflow rather than searched
 * further. Only a new pair or a collision gets past the home slot.
 * A slot's counts are also its two peers' rx and tx (IXG_CTR_PEER): 1
 * when a slot took the packet, 0 on an overflow, whose peers the caller
 * counts directly (output_peers_direct).
 */
static __rte_always_inline int
output_peer_pair_walk(struct ixg_lcore_counters *c, uint32_t key, uint32_t h,
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
			return 1;
		}
	}
	c->peer_pair_overflow++;
	return 0;
}

/* output_peer_pair_walk out of line (output_stage.c). Worker thread. */
int output_peer_pair_probe(struct ixg_lcore_counters *c, uint32_t key,
			   uint32_t h, uint32_t bytes);

/*
 * A forwarded packet's peers counted without a pair slot: no ingress
 * peer (in_peer IXG_PEER_NONE), or its pair overflowed. Out of line:
 * rare. Worker thread.
 */
void output_peers_direct(struct ixg_lcore_counters *c, uint16_t in_peer,
			 uint16_t out_peer, uint32_t len);

/* The home slot of a peer pair's key (output_peer_pair_walk's h). */
static __rte_always_inline uint32_t
output_peer_pair_home(uint32_t key)
{
	return (key * 0x9e3779b1u) >> 16; /* Fibonacci hashing */
}

/* The home slot's byte offset in the table (output_peer_pair_home times
 * the slot's 32 bytes): the multiply's bits 16..31 at bits 5..20. */
static __rte_always_inline uint32_t
output_peer_pair_home_at(uint32_t key)
{
	_Static_assert(sizeof(struct ixg_ctr_peer_pair) == 32 &&
			       IXG_PEER_PAIR_SLOTS == 65536,
		       "a slot's offset: 16 bits of hash, 5 of slot");
	return (key * 0x9e3779b1u) >> 11 & ~31u;
}

/*
 * Peer-pair counters (output_peer_pair_walk), which are also the peers'
 * rx and tx: counted directly when no slot takes the packet. A pair seen
 * before is in its home slot unless it collided: that test comes first.
 * No slot holds a key of in IXG_PEER_NONE: such a packet counts its
 * peers directly.
 */
static inline void
output_peer_pair(struct ixg_lcore_counters *c, uint16_t in, uint16_t out,
		 uint32_t bytes)
{
	uint32_t key = ((uint32_t)in << 16) | out;
	uint32_t h = output_peer_pair_home(key);
	struct ixg_ctr_peer_pair *s =
		&c->peer_pair[h & (IXG_PEER_PAIR_SLOTS - 1)];

	/* Key 0 would match an empty slot. */
	if (unlikely(in == IXG_PEER_NONE)) {
		output_peers_direct(c, in, out, bytes);
		return;
	}
	if (likely(s->key == key)) {
		s->pb.packets++;
		s->pb.bytes += bytes;
		return;
	}
	if (!output_peer_pair_probe(c, key, h, bytes))
		output_peers_direct(c, in, out, bytes);
}

/*
 * output_one's packets that were not forwarded: LOCAL (to
 * out->pkts[in_port]), PUNT (to out->punt, with its port, VLAN and L2
 * length in the mbuf) or DROP (counted by reason, to dropped[]; its ICMP
 * error, if any, to out->pkts[in_port]). Its ingress peer's rx
 * (output_rx_peer) and ACL hit are counted by output_one. Inline: out of line, the burst's sums
 * would live on the stack (bench/README.md, helper rwout).
 */
static inline void
output_other(struct ixg_lcore_counters *c, struct burst *b,
	     struct burst_out *out, struct output_acc *a,
	     struct rte_mbuf **dropped, unsigned i)
{
	const struct pkt_meta *pm = &b->meta[i];
	struct rte_mbuf *m = b->pkts[i];
	uint16_t p;

	if (pm->verdict == VERDICT_LOCAL) {
		a->n_local++;
		p = pm->in_port;
		out_tag_set(m, OUT_TAG_LOCAL, pm);
		output_append(out, p, m);
		return;
	}
	if (pm->verdict == VERDICT_PUNT) {
		out_tag_set(m, OUT_TAG_NONE, pm);
		m->port = pm->in_port;
		m->vlan_tci = pm->vlan;
		m->l2_len = pm->l2_len;
		out->punt[a->n_punt++] = m;
		return;
	}
	/* VERDICT_DROP; a CONTINUE left over would be a stage bug, and is
	 * counted rather than leaked. */
	p = pm->verdict == VERDICT_DROP && pm->drop_reason < IXG_DROP_MAX
		    ? pm->drop_reason
		    : IXG_DROP_NO_ROUTE;
	c->drops[p]++;
	a->in->drops[p]++;
	if (pm->in_peer != IXG_PEER_NONE)
		c->peer[pm->in_peer].drops++;
	if ((p == IXG_DROP_POLICER_RED || p == IXG_DROP_POLICER_YELLOW) &&
	    pm->class_id < IXG_MAX_CLASSES && pm->colour <= 2)
		c->class_colour[pm->class_id][pm->colour]++;
	dropped[a->n_drop++] = m;
	if (unlikely(pm->gen)) {
		struct rte_mbuf *g = b->gen[i];

		p = pm->in_port;
		out_tag_set(g, OUT_TAG_GENERATED, pm);
		output_append(out, p, g);
		c->icmp_generated++;
		a->in->generated++;
	}
}

/* Start a burst's count (and out's appends: output_at_begin). */
static inline void
output_begin(struct pipeline_ctx *ctx, const struct burst *b,
	     struct burst_out *out, struct output_acc *a)
{
	output_at_begin(out);
	a->in = &ctx->ctr->port[b->port];
	a->rx_bytes = 0;
	a->tag_fwd = out_tag_base(OUT_TAG_FORWARD, b->port);
	a->n_drop = a->n_local = a->n_punt = 0;
}

/*
 * The TX tag of out_tag_set_at (pipeline.h) for a forwarded packet, as one
 * 64-bit word (lo, then hi): egress the bits of its out_peer and out_port
 * (tbl_egress.tx_tag), base out_tag_base(OUT_TAG_FORWARD, in_port). The
 * ids index counter arrays: within 12 and 5 bits, so the masks of
 * out_tag_set_at are not needed.
 */
static inline uint64_t
output_fwd_tag(uint64_t egress, uint32_t base, uint16_t in_peer, uint32_t len)
{
	return ((uint64_t)len < 0xfffff ? (uint64_t)len : 0xfffff) << 32 |
	       egress | base | in_peer;
}

/* Store a tag of output_fwd_tag into m (hash.fdir.lo, then .hi). */
static inline void
output_tag_store(struct rte_mbuf *m, uint64_t tag)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	memcpy(&m->hash.fdir, &tag, 8); /* lo, hi: one store */
#else
	m->hash.fdir.lo = (uint32_t)tag;
	m->hash.fdir.hi = (uint32_t)(tag >> 32);
#endif
}

/*
 * The counters of a forwarded packet but its ACL hit (output_rx): tx on
 * its port, the peer pair (its peers' rx and tx: output_peer_pair), the
 * country pair, the class and colour (the metadata's pm). in_peer,
 * out_peer, len: the metadata's; port: its out_port.
 */
static __rte_always_inline void
output_fwd_counts(struct ixg_lcore_counters *c, const struct pkt_meta *pm,
		  uint16_t in_peer, uint16_t out_peer, uint16_t port,
		  uint32_t len)
{
	const uint16_t sc = pm->src_country, dc = pm->dst_country;
	const uint16_t cls = pm->class_id;
	const uint8_t col = pm->colour;

	c->port[port].tx.packets++;
	c->port[port].tx.bytes += len;
	output_peer_pair(c, in_peer, out_peer, len);
	/* Both below IXG_MAX_COUNTRIES (256), one compare. */
	if ((sc | dc) < IXG_MAX_COUNTRIES) {
		struct ixg_ctr_pb *cp = &c->country_pair[sc][dc];

		cp->packets++;
		cp->bytes += len;
	}
	if (cls < IXG_MAX_CLASSES && col <= 2)
		c->class_colour[cls][col]++;
}

/*
 * Count and hand out packet i of b, forwarded out of out_port to
 * out_peer (its metadata's), with tx_tag their bits of the TX tag
 * (tbl_egress.tx_tag); in_peer, len: the metadata's. Its ACL hit is
 * counted by the caller. Every field of the metadata
 * is read into a local before the first store (see output_one).
 */
static __rte_always_inline void
output_fwd(struct ixg_lcore_counters *c, struct burst *b, struct burst_out *out,
	   const struct output_acc *a, unsigned i, uint64_t tx_tag,
	   uint16_t out_port, uint16_t in_peer, uint32_t len)
{
	const struct pkt_meta *pm = &b->meta[i];
	const uint16_t out_peer = pm->out_peer;
	struct rte_mbuf *m = b->pkts[i];

	output_tag_store(m, output_fwd_tag(tx_tag, a->tag_fwd, in_peer, len));
	output_append(out, out_port, m);
	output_fwd_counts(c, pm, in_peer, out_peer, out_port, len);
}

/* The rx of a packet that is not forwarded on its ingress peer (a
 * forwarded one's is in its pair slot: output_peer_pair). */
static __rte_always_inline void
output_rx_peer(struct ixg_lcore_counters *c, uint16_t in_peer, uint32_t len)
{
	if (in_peer != IXG_PEER_NONE) {
		c->peer[in_peer].rx.packets++;
		c->peer[in_peer].rx.bytes += len;
	}
}

/*
 * What every packet counts whatever its fate: its bytes (the port's rx,
 * summed by output_end), its ACL rule's hit.
 */
static __rte_always_inline void
output_rx(struct ixg_lcore_counters *c, struct output_acc *a, uint32_t len,
	  uint32_t rule)
{
	a->rx_bytes += len;
	/* Rule ids 1..IXG_MAX_ACL_RULES - 1 (0: none), one compare. */
	if (rule - 1u < IXG_MAX_ACL_RULES - 1u)
		c->acl_hits[rule]++;
}

/*
 * Count and dispatch packet i of b (its verdict final): see stage_output.
 * A dropped packet goes to dropped[] (freed by output_end). Every field
 * of the metadata is read into a local before the first store: the build
 * has -fno-strict-aliasing (DPDK's flags), so each counter store would
 * otherwise reload every field read after it.
 */
static inline void
output_one(struct ixg_lcore_counters *c, struct burst *b, struct burst_out *out,
	   struct output_acc *a, struct rte_mbuf **dropped, unsigned i)
{
	const struct pkt_meta *pm = &b->meta[i];
	const uint32_t len = pm->rx_len, rule = pm->acl_rule;
	const uint16_t in_peer = pm->in_peer, out_peer = pm->out_peer;
	const uint16_t out_port = pm->out_port;
	const uint8_t verdict = pm->verdict;

	output_rx(c, a, len, rule);
	if (unlikely(verdict != VERDICT_FORWARD)) {
		output_rx_peer(c, in_peer, len);
		output_other(c, b, out, a, dropped, i);
		return;
	}
	output_fwd(c, b, out, a, i,
		   (uint64_t)out_peer << 52 | (uint32_t)out_port << 20,
		   out_port, in_peer, len);
}

/*
 * End a burst's count: complete and publish its sample records (every
 * decision is made), add the sums, free the dropped packets.
 */
static inline void
output_end(struct pipeline_ctx *ctx, const struct burst *b,
	   struct burst_out *out, const struct output_acc *a,
	   struct rte_mbuf **dropped)
{
	struct ixg_lcore_counters *c = ctx->ctr;
	struct ixg_ctr_port *in = a->in;
	const unsigned n_pkts = b->n;
	const unsigned n_fwd = n_pkts - a->n_drop - a->n_local - a->n_punt;

	output_at_end(out);
	if (unlikely(ctx->sample_n != 0))
		sample_complete(ctx, b);
	in->rx.packets += n_pkts;
	in->rx.bytes += a->rx_bytes;
	in->fwd += n_fwd;
	in->local += a->n_local;
	in->punted += a->n_punt;
	c->rx_packets += n_pkts;
	c->tx_packets += n_fwd;
	c->local_packets += a->n_local;
	c->punted += a->n_punt;
	out->n_punt = (uint16_t)a->n_punt;
	if (a->n_drop > 0)
		rte_pktmbuf_free_bulk(dropped, a->n_drop);
}

#endif /* IXG_OUTPUT_STAGE_H */
