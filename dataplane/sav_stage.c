/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sav_stage.c - source address validation per ingress peer (BCP 38,
 * RFC 3704). strict: the source must be in the prefixes the peer may source,
 * an ingress access list built from its prefix lists (RFC 3704 s. 2.1; the
 * exchange has no reverse path of its own to check, so not s. 2.2 uRPF);
 * loose: the source must be routed to some peer (RFC 3704 s. 2.4); off: no
 * check; feasible (RFC 8704 s. 3.3, enhanced feasible-path uRPF): strict
 * over sources the control plane extends with every prefix routed to the
 * peer.
 *
 * Cost: 4.6 instructions/packet on the real table through the ports
 * (compare --callgrind): stage_lookup walks the SAV FIB and judges the
 * single-peer leaves, this stage applies that (bench/README.md, "Issue
 * 12, the FIB stages, fewer passes (helper fib)").
 * The sets' prefetch (prefetch_sets): on pipeline_bench's full table
 * 4-6% fewer cycles for the whole pipeline (--ab-prefetch; bench/README.md,
 * "Issue 12, where the FIB walks miss").
 */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_prefetch.h>

#include "pipeline.h"
#include "pkt_bytes.h"

enum { SAV_STRICT_IDX, SAV_LOOSE_IDX, SAV_N };

struct sav_batch {
	uint32_t ip4[PIPELINE_BURST];
	uint8_t ip6[PIPELINE_BURST][16];
	uint32_t nh4[PIPELINE_BURST], nh6[PIPELINE_BURST];
	uint8_t at4[PIPELINE_BURST], at6[PIPELINE_BURST];
	unsigned n4, n6;
};

/* A multi-peer set (nh >= SAV_SET): binary search of its sorted peers. */
static __rte_noinline int
in_set_many(const struct tables *t, uint32_t nh, uint16_t peer)
{
	const struct tbl_sav_set *s;
	const uint16_t *p;
	unsigned lo = 0, hi;

	if (nh - SAV_SET >= t->n_sav_sets)
		return 0;
	s = &t->sav_sets[nh - SAV_SET];
	p = &t->sav_set_peers[s->first];
	hi = s->n;
	while (lo < hi) { /* sets are sorted */
		unsigned mid = (lo + hi) / 2;

		if (p[mid] == peer)
			return 1;
		if (p[mid] < peer)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Most prefixes have one allowed peer: that test inline, sets out of line. */
static inline int
in_set(const struct tables *t, uint32_t nh, uint16_t peer)
{
	if (likely(nh < SAV_SET))
		return nh == peer && peer != IXG_PEER_NONE;
	return in_set_many(t, nh, peer);
}

/* Loose: routed to a peer or an ECMP group of peers (not unrouted,
 * blackholed or the node itself); leaf: the route FIB's (tables.h). */
static int
routed(uint32_t leaf)
{
	const uint32_t nh = tbl_leaf_nh(leaf);

	return nh != NH_NONE &&
	       ((nh & NH_KIND_MASK) == 0 || (nh & NH_KIND_MASK) == NH_GROUP);
}

static void
lookup(const struct lpm *f4, const struct lpm *f6, struct sav_batch *s)
{
	if (s->n4 > 0)
		lpm4_lookup_bulk(f4, s->ip4, s->nh4, s->n4);
	if (s->n6 > 0)
		lpm6_lookup_bulk(f6, (const uint8_t(*)[16])s->ip6, s->nh6,
				 s->n6);
}

/*
 * The multi-peer sets the strict lookups answered, in two passes over the
 * batch before any is searched: start the load of every set's record,
 * then of the middle of every set's peers (in_set_many's first probe). A
 * set is two dependent misses after its lookup (record, then peers), and
 * the binary search's branches stop the core from running ahead to the
 * next packet's, so without this they queue, packet after packet.
 */
#define SAV_SETS_PREFETCH 1024u /* fewer: a few KiB, in cache */
static void
prefetch_sets(const struct tables *t, const uint32_t *nh, unsigned n)
{
	const struct tbl_sav_set *sets = t->sav_sets;
	const uint16_t *peers = t->sav_set_peers;
	const uint32_t n_sets = t->n_sav_sets;
	uint32_t idx[PIPELINE_BURST];
	unsigned m = 0;

	if (n_sets == 0)
		return;
	/* Branch-free: a batch mixes single peers and sets unpredictably. */
	for (unsigned j = 0; j < n; j++) {
		const uint32_t k = tbl_sav_leaf_peers(nh[j]) - SAV_SET;
		const int set = k < n_sets;

		rte_prefetch0(&sets[set ? k : 0]);
		idx[m] = k;
		m += (unsigned)set;
	}
	for (unsigned q = 0; q < m; q++) {
		const struct tbl_sav_set *st = &sets[idx[q]];

		rte_prefetch0(&peers[st->first + st->n / 2]);
	}
}

/* stage_sav on a burst stage_lookup did not gather (a test of one
 * stage): its own gather of the packets to check, by mode. */
static inline __attribute__((always_inline)) void
sav_own_gather(struct pipeline_ctx *ctx, struct burst *b, int prefetch)
{
	const unsigned n_pkts = b->n;
	const struct tables *t = ctx->t;
	struct sav_batch batch[SAV_N];

	batch[SAV_STRICT_IDX].n4 = batch[SAV_STRICT_IDX].n6 = 0;
	batch[SAV_LOOSE_IDX].n4 = batch[SAV_LOOSE_IDX].n6 = 0;
	for (unsigned i = 0; i < n_pkts; i++) {
		const struct pkt_meta *m = &b->meta[i];
		struct sav_batch *s;

		if (m->verdict != VERDICT_CONTINUE ||
		    m->in_peer == IXG_PEER_NONE || m->in_peer >= IXG_MAX_PEERS)
			continue;
		switch (t->peers[m->in_peer].sav_mode) {
		case IXG_SAV_STRICT:
		case IXG_SAV_FEASIBLE: s = &batch[SAV_STRICT_IDX]; break;
		case IXG_SAV_LOOSE: s = &batch[SAV_LOOSE_IDX]; break;
		default: continue;
		}
		if (m->l3 == L3_IPV4) {
			s->ip4[s->n4] = ld_be32(m->src);
			s->at4[s->n4++] = (uint8_t)i;
		} else if (m->l3 == L3_IPV6) {
			memcpy(s->ip6[s->n6], m->src, 16);
			s->at6[s->n6++] = (uint8_t)i;
		}
	}

	lookup(t->sav4, t->sav6, &batch[SAV_STRICT_IDX]);
	lookup(t->route4, t->route6, &batch[SAV_LOOSE_IDX]);
	if (prefetch && t->n_sav_sets > SAV_SETS_PREFETCH) {
		prefetch_sets(t, batch[SAV_STRICT_IDX].nh4,
			      batch[SAV_STRICT_IDX].n4);
		prefetch_sets(t, batch[SAV_STRICT_IDX].nh6,
			      batch[SAV_STRICT_IDX].n6);
	}

	for (unsigned k = 0; k < SAV_N; k++) {
		const struct sav_batch *s = &batch[k];

		for (unsigned j = 0; j < s->n4; j++) {
			unsigned i = s->at4[j];
			uint32_t nh = k == SAV_STRICT_IDX
					      ? tbl_sav_leaf_peers(s->nh4[j])
					      : s->nh4[j];

			if (k == SAV_STRICT_IDX
				    ? !in_set(t, nh, b->meta[i].in_peer)
				    : !routed(nh))
				pkt_drop(b, i, IXG_DROP_SOURCE_INVALID);
		}
		for (unsigned j = 0; j < s->n6; j++) {
			unsigned i = s->at6[j];
			uint32_t nh = k == SAV_STRICT_IDX
					      ? tbl_sav_leaf_peers(s->nh6[j])
					      : s->nh6[j];

			if (k == SAV_STRICT_IDX
				    ? !in_set(t, nh, b->meta[i].in_peer)
				    : !routed(nh))
				pkt_drop(b, i, IXG_DROP_SOURCE_INVALID);
		}
	}
}

/*
 * stage_sav on a burst stage_lookup gathered: it walked the SAV FIB for
 * every source and judged what the leaf answers (burst.sav_*); here
 * those judgements are applied to the packets still VERDICT_CONTINUE
 * (stage_local decides before this stage): the sources it found invalid,
 * the multi-peer sets searched (after their prefetch over the batch),
 * the loose members' sources looked up in the route FIB.
 */
static inline __attribute__((always_inline)) void
sav_gathered(const struct tables *t, struct burst *b, int prefetch)
{
	uint32_t bad = b->sav_bad;

	if (unlikely(b->sav_set != 0)) {
		uint32_t nh[PIPELINE_BURST];
		uint8_t at[PIPELINE_BURST];
		unsigned n = 0;

		for (uint32_t m = b->sav_set; m != 0; m &= m - 1) {
			const unsigned i = (unsigned)__builtin_ctz(m);

			if (b->meta[i].verdict != VERDICT_CONTINUE)
				continue;
			nh[n] = b->sav_set_nh[i];
			at[n++] = (uint8_t)i;
		}
		if (prefetch && t->n_sav_sets > SAV_SETS_PREFETCH)
			prefetch_sets(t, nh, n);
		for (unsigned q = 0; q < n; q++)
			if (!in_set_many(t, nh[q], b->meta[at[q]].in_peer))
				bad |= UINT32_C(1) << at[q];
	}
	if (unlikely(b->sav_loose != 0)) {
		uint32_t ip4[PIPELINE_BURST], r4[PIPELINE_BURST];
		uint32_t r6[PIPELINE_BURST];
		uint8_t ip6[PIPELINE_BURST][16];
		uint8_t at4[PIPELINE_BURST], at6[PIPELINE_BURST];
		unsigned n4 = 0, n6 = 0;

		for (uint32_t m = b->sav_loose; m != 0; m &= m - 1) {
			const unsigned i = (unsigned)__builtin_ctz(m);
			const struct pkt_meta *pm = &b->meta[i];

			if (pm->verdict != VERDICT_CONTINUE)
				continue;
			if (pm->l3 == L3_IPV4) {
				ip4[n4] = ld_be32(pm->src);
				at4[n4++] = (uint8_t)i;
			} else {
				memcpy(ip6[n6], pm->src, 16);
				at6[n6++] = (uint8_t)i;
			}
		}
		if (n4 > 0)
			lpm4_lookup_bulk(t->route4, ip4, r4, n4);
		if (n6 > 0)
			lpm6_lookup_bulk(t->route6, (const uint8_t(*)[16])ip6,
					 r6, n6);
		for (unsigned q = 0; q < n4; q++)
			if (!routed(r4[q]))
				bad |= UINT32_C(1) << at4[q];
		for (unsigned q = 0; q < n6; q++)
			if (!routed(r6[q]))
				bad |= UINT32_C(1) << at6[q];
	}
	for (; bad != 0; bad &= bad - 1) {
		const unsigned i = (unsigned)__builtin_ctz(bad);

		if (b->meta[i].verdict == VERDICT_CONTINUE)
			pkt_drop(b, i, IXG_DROP_SOURCE_INVALID);
	}
}

/* stage_sav, with (prefetch 1) or without prefetch_sets. */
static inline __attribute__((always_inline)) void
sav(struct pipeline_ctx *ctx, struct burst *b, int prefetch)
{
	if (b->gathered)
		sav_gathered(ctx->t, b, prefetch);
	else
		sav_own_gather(ctx, b, prefetch);
}

/*
 * Drops (source_invalid) every VERDICT_CONTINUE IP packet whose source the
 * ingress peer may not send, by the peer's mode. On a burst stage_lookup
 * gathered (burst.gathered) it walked the SAV FIB once per source (the
 * leaf gives the source's country too) and judged the single-peer
 * leaves: this stage applies that, searches the multi-peer sets and
 * looks the loose members' sources up in the route FIB; else only
 * packets that need a lookup are gathered and looked up, in bulk per
 * FIB. The multi-peer sets the lookups answer are prefetched over the
 * batch before any is searched. Worker thread.
 */
void
stage_sav(struct pipeline_ctx *ctx, struct burst *b)
{
	sav(ctx, b, 1);
}

void
stage_sav_simple(struct pipeline_ctx *ctx, struct burst *b)
{
	sav(ctx, b, 0);
}
