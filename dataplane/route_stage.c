/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * route_stage.c - two stages over the destination FIBs (route_table.c):
 * stage_lookup, the lookup itself (lpm.h: a 24-bit root then 8-bit groups
 * for big tables of either family, IPv4's DIR-24-8; 16-8-8.. otherwise),
 * and stage_route, what its result means: egress peer, blackhole, no
 * route, or a route back to the ingress peer.
 *
 * Cost: lookup 82.6 instructions/packet, route 0.6, on the real table
 * through the ports (compare --callgrind): lookup's gather starts every
 * walk (both root reads of each packet, and below 24-bit IPv6 roots each
 * IPv6 walk's first group level, so the burst's misses there overlap),
 * the IPv6 walks go on from the metadata, and one pass over the leaves
 * writes both countries, judges the single-peer source checks for
 * stage_sav and routes the packets to members, which leaves stage_route
 * the rest (a route to an ECMP group: 105.7 in stage_route,
 * bench/ecmp_bench.c); bench/README.md, "Issue 12, the FIBs' misses
 * (helper fib7)".
 */
#include <stddef.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>

#include "pipeline.h"
#include "pkt_bytes.h"

_Static_assert(TBL_HOPS - 1 < NH_BLACKHOLE, "hops are next hops of kind 0");

/* A gathered packet: its metadata, destination and source leaves. */
struct walk {
	struct pkt_meta *m;
	uint32_t nh, sv;
};

/* Both countries in one store: src_country, then dst_country. */
_Static_assert(offsetof(struct pkt_meta, dst_country) ==
		       offsetof(struct pkt_meta, src_country) + 2,
	       "the countries are adjacent");

/* The 32-bit word whose store writes src_country, then dst_country. */
static inline uint32_t
cc_pair(uint32_t src, uint32_t dst)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	return src | dst << 16;
#else
	return dst | src << 16;
#endif
}

/* The index in b of the packet whose metadata is m (rare paths: a
 * division by the metadata's size). */
static inline unsigned
pkt_at(const struct burst *b, const struct pkt_meta *m)
{
	return (unsigned)(m - b->meta);
}

/* The source check of a strict or feasible member's packet i whose SAV
 * leaf's peers sp are not its own: a set, or another peer. */
static inline __attribute__((always_inline)) void
sav_other(struct burst *b, unsigned i, uint32_t sp)
{
	if (sp >= SAV_SET) {
		b->sav_set |= UINT32_C(1) << i;
		b->sav_set_nh[i] = sp;
	} else {
		b->sav_bad |= UINT32_C(1) << i;
	}
}

/*
 * The source check of packet m (ingress peer in, SAV leaf sl) when the
 * common case (a strict member whose own source it is) does not hold:
 * by the peer's mode, as scatter_simple.
 */
static inline __attribute__((always_inline)) void
sav_check(const struct tbl_peer *peers, struct burst *b,
	  const struct pkt_meta *m, unsigned in, uint32_t sl)
{
	uint8_t mode;

	if ((unsigned)in - 1u >= IXG_MAX_PEERS - 1u)
		return;
	mode = peers[in].sav_mode;
	if (mode == IXG_SAV_STRICT || mode == IXG_SAV_FEASIBLE) {
		if ((sl ^ in) & SAV_VALUE_MASK)
			sav_other(b, pkt_at(b, m), tbl_sav_leaf_peers(sl));
	} else if (mode == IXG_SAV_LOOSE) {
		b->sav_loose |= UINT32_C(1) << pkt_at(b, m);
	}
}

_Static_assert(IXG_SAV_STRICT == 0, "strict is the zero mode");
_Static_assert((IXG_MAX_PEERS & (IXG_MAX_PEERS - 1)) == 0,
	       "peer ids mask to the table");

/*
 * The leaves of n gathered packets of one family (g[j]: the packet's
 * metadata, its destination's route leaf and its source's SAV leaf),
 * into the packets: route_nh and dst_country; src_country; route's
 * common case decided at once (a member's hop whose session is up, not
 * the ingress member, the packet not received as L2 multicast: out_peer
 * and out_port, as to_hop below sets them), every other packet's bit in
 * the mask returned, for stage_route, and in b->nh_local if it is
 * routed to the node; the source check of a strict or feasible member's
 * packet against a single-peer leaf (b->sav_bad), the other checks left
 * to stage_sav (b->sav_set, b->sav_loose), which applies them to the
 * packets still VERDICT_CONTINUE then (stage_local decides before it).
 * The rare masks go straight into b.
 *
 * The source check's common case is one test: the leaf's peer XOR the
 * ingress peer, ORed with that peer's mode (strict is 0), is 0. The
 * peer's record is read at in & (IXG_MAX_PEERS - 1), with no range
 * test: where in is out of range (0, or above the table) sav_check
 * leaves the packet alone, so passing the test there is right whatever
 * the record read says. Two packets an iteration (unrolled): one loop
 * test for both.
 */
static inline __attribute__((always_inline)) uint32_t
scatter_run(const struct tbl_peer *const peers, const uint32_t *const hop,
	    struct burst *b, const struct walk *g, unsigned n)
{
	uint32_t todo = 0;

#pragma GCC unroll 2
	for (unsigned j = 0; j < n; j++) {
		struct pkt_meta *const m = g[j].m;
		const uint32_t l = g[j].nh, sl = g[j].sv;
		const uint32_t nh = tbl_leaf_nh(l);
		const uint32_t cc = cc_pair(tbl_sav_leaf_country(sl),
					    tbl_leaf_country(l));
		const unsigned in = m->in_peer;

		m->route_nh = nh;
		memcpy(&m->src_country, &cc, sizeof(cc));
		if (unlikely(((sl ^ in) & SAV_VALUE_MASK) |
			     peers[in & (IXG_MAX_PEERS - 1)].sav_mode))
			sav_check(peers, b, m, in, sl);
		if (likely(nh - 1 < TBL_HOPS - 1) && likely(!m->l2_mcast)) {
			const uint32_t h = __atomic_load_n(&hop[nh],
							   __ATOMIC_RELAXED);
			const uint16_t peer = (uint16_t)h;

			if (likely(peer != 0 && peer != (uint16_t)in)) {
				m->out_peer = peer;
				m->out_port = (uint16_t)(h >> 16);
				continue;
			}
		}
		todo |= UINT32_C(1) << pkt_at(b, m);
		if ((nh & NH_KIND_MASK) == NH_LOCAL)
			b->nh_local |= UINT32_C(1) << pkt_at(b, m);
	}
	return todo;
}

/*
 * Both families' leaves (the walks' g4 and g6), in one call. Not
 * inlined: in stage_lookup gcc held the gather's and the walks' values
 * through it and spilled its own.
 */
static __attribute__((noinline)) uint32_t
scatter(const struct tables *t, struct burst *b, const struct walk *g4,
	unsigned n4, const struct walk *g6, unsigned n6)
{
	return scatter_run(t->peers, t->hop, b, g4, n4) |
	       scatter_run(t->peers, t->hop, b, g6, n6);
}

/* stage_lookup_simple's pass over the leaves (scatter's results). */
struct sav_masks {
	uint32_t bad, set, loose;
};

static inline __attribute__((always_inline)) uint32_t
scatter_simple(const struct tables *t, struct burst *b, const uint8_t *at,
	       const uint32_t *leaf, const uint32_t *sleaf, unsigned n,
	       uint32_t *local, struct sav_masks *sv)
{
	uint32_t todo = 0, loc = 0, bad = 0, set = 0, loose = 0;

	for (unsigned j = 0; j < n; j++) {
		const unsigned i = at[j];
		const uint32_t bit = UINT32_C(1) << i;
		struct pkt_meta *m = &b->meta[i];
		const uint32_t nh = tbl_leaf_nh(leaf[j]);
		const uint32_t sl = sleaf[j];
		const uint16_t in = m->in_peer;

		m->route_nh = nh;
		m->dst_country = (uint16_t)tbl_leaf_country(leaf[j]);
		m->src_country = (uint16_t)tbl_sav_leaf_country(sl);
		if (likely((unsigned)in - 1u < IXG_MAX_PEERS - 1u)) {
			const uint8_t mode = t->peers[in].sav_mode;

			if (likely(mode == IXG_SAV_STRICT) ||
			    mode == IXG_SAV_FEASIBLE) {
				const uint32_t sp = tbl_sav_leaf_peers(sl);

				if (unlikely(sp != in)) {
					if (sp >= SAV_SET) {
						set |= bit;
						b->sav_set_nh[i] = sp;
					} else {
						bad |= bit;
					}
				}
			} else if (mode == IXG_SAV_LOOSE) {
				loose |= bit;
			}
		}
		if (likely(nh - 1 < TBL_HOPS - 1) && likely(!m->l2_mcast)) {
			const uint32_t h = __atomic_load_n(&t->hop[nh],
							   __ATOMIC_RELAXED);
			const uint16_t peer = (uint16_t)h;

			if (likely(peer != 0 && peer != in)) {
				m->out_peer = peer;
				m->out_port = (uint16_t)(h >> 16);
				continue;
			}
		}
		todo |= bit;
		if ((nh & NH_KIND_MASK) == NH_LOCAL)
			loc |= bit;
	}
	*local |= loc;
	sv->bad |= bad;
	sv->set |= set;
	sv->loose |= loose;
	return todo;
}

/* The SAV FIB stage_lookup walks for family v6's sources: NULL (zeros,
 * no walk) when no peer is strict or feasible (tables.sav_checks) and
 * the family has no country map, which the SAV leaves hold. */
static inline const struct lpm *
sav_fib(const struct tables *t, int v6)
{
	if (!t->sav_checks && (v6 ? t->country6 : t->country4) == NULL)
		return NULL;
	return v6 ? t->sav6 : t->sav4;
}

/*
 * A FIB as the gather walks it: its root, groups and root shift (lpm.h:
 * 8 or 16, IPv4 and IPv6 alike). For no FIB (sav_fib's NULL) a root of zeros indexed by the
 * address's top 16 bits, so that every address reads a 0 entry: no test
 * per address. Never written; in .bss, so its pages are the zero page
 * until read.
 */
struct fib_view {
	const uint32_t *root, *grp;
	unsigned shift;
};

static uint32_t zero_root[1u << 16];

static inline void
fib_view(const struct lpm *f, struct fib_view *v)
{
	if (f == NULL) {
		v->root = zero_root;
		v->grp = NULL;
		v->shift = 16;
		return;
	}
	v->root = f->root;
	v->grp = f->grp;
	v->shift = f->shift4;
}

/*
 * The IPv6 walks below the root, both addresses of each gathered packet
 * (destination in the route FIB, g[j].nh; source in the SAV FIB,
 * g[j].sv; each holding its root entry already), the address bytes read
 * from the metadata: a packet's two walks side by side while both go on
 * (no test of a finished walk at every level of the other), then the one
 * that goes deeper alone. Walks of one packet, not four chains of two
 * packets (lpm6_lookup_bulk): on the real table the deepest of four
 * walks is ~6.6 levels below the root where the average walk is ~2.4,
 * and every chain was stepped (tested) to the deepest one's end.
 */
static inline __attribute__((always_inline)) void
walk6(const struct fib_view *r6, const struct fib_view *s6, struct walk *g,
      unsigned n, const unsigned kd, const unsigned ks)
{
	const uint32_t *const rg = r6->grp, *const sg = s6->grp;

	for (unsigned j = 0; j < n; j++) {
		/* kd, ks: the first address byte below each root (3 for a
		 * 24-bit root, 2 for a 16-bit one) */
		const uint8_t *const d = g[j].m->dst + kd, *const s =
								   g[j].m->src +
								   ks;
		uint32_t e0 = g[j].nh, e1 = g[j].sv;
		size_t k = 0;

		while (e0 & e1 & LPM_GROUP) {
			e0 = rg[lpm_group_index(e0) | d[k]];
			e1 = sg[lpm_group_index(e1) | s[k]];
			k++;
		}
		for (size_t q = k; e0 & LPM_GROUP; q++)
			e0 = rg[lpm_group_index(e0) | d[q]];
		for (; e1 & LPM_GROUP; k++)
			e1 = sg[lpm_group_index(e1) | s[k]];
		g[j].nh = e0;
		g[j].sv = e1;
	}
}

/*
 * A burst's walks: the FIBs' roots and IPv4 root shifts (in), the
 * gathered packets by family (g4, g6: n4 and n6 of them) with their
 * destination leaves and source SAV leaves (struct walk).
 * One struct, so the gather's loop holds one pointer to all of them.
 * The packets by their metadata's address, not their index: no
 * multiplication by its size where they are used.
 */
struct walks {
	const uint32_t *r4root, *s4root, *r6root, *s6root;
	const uint32_t *r6grp, *s6grp; /* gather_24s's first group level */
	unsigned rs, ss, r6s, s6s;
	unsigned n4, n6;
	struct walk g4[PIPELINE_BURST], g6[PIPELINE_BURST];
};

/*
 * A packet's verdict and l3 (the first and third bytes of its metadata)
 * from one load, as VERDICT_L3 makes them of a pair: the gather's two
 * tests per packet in one compare.
 */
_Static_assert(offsetof(struct pkt_meta, verdict) == 0 &&
		       offsetof(struct pkt_meta, l3) == 2,
	       "verdict and l3 in the first 32-bit word");
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
#define VERDICT_L3(v, l3) ((uint32_t)(v) | (uint32_t)(l3) << 16)
#else
#define VERDICT_L3(v, l3) ((uint32_t)(v) << 24 | (uint32_t)(l3) << 8)
#endif

static inline uint32_t
verdict_l3(const struct pkt_meta *m)
{
	uint32_t w;

	memcpy(&w, m, sizeof(w));
	return w & VERDICT_L3(0xff, 0xff);
}

/*
 * The gather, which starts every walk: both root reads of each
 * VERDICT_CONTINUE IP packet, so the burst's misses overlap (the core
 * runs ahead over the packets: ~22 instructions each); an IPv4 walk that
 * goes on into groups (prefixes longer than the root: few on a full
 * table) goes on at once, the IPv6 ones (nearly every address) in walk6.
 * rs, ss: w's IPv4 root shifts, constants in the common case (DIR-24-8
 * both: no shift count to keep in a register, and the one group level
 * indexed by the address's last byte read from the metadata,
 * lpm4_descend24, so no host-order copy of the address stays live).
 *
 * step: each IPv6 walk's first group level here too, from its root
 * entry (w->r6grp, w->s6grp), so those loads of the whole burst overlap
 * as the root reads do. In walk6's loop a packet's walk ends on a
 * branch that waits for its last load (mispredicted where the depths
 * vary), so the next packet's loads issue only then: one chain of
 * misses through the burst. On the 24-bit IPv6 roots that first level
 * is the /32 entries, the first cold one (bench/README.md, "Issue 12,
 * the FIBs' misses").
 */
static inline __attribute__((always_inline)) void
gather(const struct tables *t, struct burst *b, struct walks *w,
       const unsigned rs, const unsigned ss, const unsigned r6s,
       const unsigned s6s, const int step)
{
	const unsigned n_pkts = b->n;
	const uint32_t *const r4root = w->r4root, *const s4root = w->s4root;
	const uint32_t *const r6root = w->r6root, *const s6root = w->s6root;
	struct walk *g4 = w->g4, *g6 = w->g6;

	for (unsigned i = 0; i < n_pkts; i++) {
		struct pkt_meta *m = &b->meta[i];
		const uint32_t k = verdict_l3(m);

		if (k == VERDICT_L3(VERDICT_CONTINUE, L3_IPV4)) {
			uint32_t e = r4root[ld_be32(m->dst) >> rs];
			uint32_t f = s4root[ld_be32(m->src) >> ss];

			/* (a FIB's groups only here: fewer registers held
			 * through the loop; no FIB, no group entry) */
			if (unlikely((e | f) & LPM_GROUP)) {
				if (!(e & LPM_GROUP))
					;
				else if (rs == 8)
					e = lpm4_descend24(t->route4->grp, e,
							   m->dst);
				else
					e = lpm4_descend(t->route4->grp, e,
							 ld_be32(m->dst), rs);
				if (!(f & LPM_GROUP))
					;
				else if (ss == 8)
					f = lpm4_descend24(sav_fib(t, 0)->grp,
							   f, m->src);
				else
					f = lpm4_descend(sav_fib(t, 0)->grp, f,
							 ld_be32(m->src), ss);
			}
			g4->m = m;
			g4->nh = e;
			g4->sv = f;
			g4++;
		} else if (k == VERDICT_L3(VERDICT_CONTINUE, L3_IPV6)) {
			uint32_t e = r6root[lpm6_root_index(m->dst, r6s)];
			uint32_t f = s6root[lpm6_root_index(m->src, s6s)];

			if (step) {
				if (e & LPM_GROUP)
					e = w->r6grp[lpm_group_index(e) |
						     m->dst[(32 - r6s) / 8]];
				if (f & LPM_GROUP)
					f = w->s6grp[lpm_group_index(f) |
						     m->src[(32 - s6s) / 8]];
			}
			g6->m = m;
			g6->nh = e;
			g6->sv = f;
			g6++;
		}
	}
	w->n4 = (unsigned)(g4 - w->g4);
	w->n6 = (unsigned)(g6 - w->g6);
}

/* The gather on its own (not inlined): in stage_lookup, gcc held the
 * later passes' values in registers through it and spilled the loop's.
 * gather_24: all four FIBs with 24-bit roots (the full table's);
 * gather_24v4: both IPv4 FIBs DIR-24-8, the IPv6 ones not (a small or no
 * IPv6 table: the IPv4 walks as before the 24-bit IPv6 roots). */
static __attribute__((noinline)) PIPELINE_NO_SLP void
gather_24(const struct tables *t, struct burst *b, struct walks *w)
{
	gather(t, b, w, 8, 8, 8, 8, 0);
}

/* gather_24 that also takes each IPv6 walk's first group level (the
 * address's fourth byte) */
static __attribute__((noinline)) PIPELINE_NO_SLP void
gather_24s(const struct tables *t, struct burst *b, struct walks *w)
{
	gather(t, b, w, 8, 8, 8, 8, 1);
}

static __attribute__((noinline)) PIPELINE_NO_SLP void
gather_24v4(const struct tables *t, struct burst *b, struct walks *w)
{
	gather(t, b, w, 8, 8, w->r6s, w->s6s, 0);
}

static __attribute__((noinline)) PIPELINE_NO_SLP void
gather_any(const struct tables *t, struct burst *b, struct walks *w)
{
	gather(t, b, w, w->rs, w->ss, w->r6s, w->s6s, 0);
}

/* walk6 with the bytes below both IPv6 roots constants in the two common
 * cases (both 24-bit: the full table's; both 16-bit: small tables). */
static __attribute__((noinline)) void
walk6_any(const struct fib_view *r6, const struct fib_view *s6, struct walk *g,
	  unsigned n)
{
	if (r6->shift == 16 && s6->shift == 16)
		walk6(r6, s6, g, n, 2, 2);
	else
		walk6(r6, s6, g, n, (32 - r6->shift) / 8, (32 - s6->shift) / 8);
}

/* stage_lookup; step: where all four FIBs are 24-bit, the gather takes
 * the IPv6 walks' first group level too (gather_24s), else walk6 does */
static inline __attribute__((always_inline)) void
lookup_run(struct pipeline_ctx *ctx, struct burst *b, const unsigned step)
{
	const struct tables *t = ctx->t;
	struct walks w;
	struct fib_view r4, s4, r6, s6;

	fib_view(t->route4, &r4);
	fib_view(sav_fib(t, 0), &s4);
	fib_view(t->route6, &r6);
	fib_view(sav_fib(t, 1), &s6);
	w.r4root = r4.root;
	w.s4root = s4.root;
	w.r6root = r6.root;
	w.s6root = s6.root;
	w.rs = r4.shift;
	w.ss = s4.shift;
	w.r6s = r6.shift;
	w.s6s = s6.shift;
	w.r6grp = r6.grp;
	w.s6grp = s6.grp;
	if (likely((w.rs | w.ss | w.r6s | w.s6s) == 8)) {
		if (step)
			gather_24s(t, b, &w);
		else
			gather_24(t, b, &w);
	} else if ((w.rs | w.ss) == 8)
		gather_24v4(t, b, &w);
	else
		gather_any(t, b, &w);
	b->gathered = 1;
	if (w.n6 > 0) {
		if (likely((r6.shift | s6.shift) == 8))
			walk6(&r6, &s6, w.g6, w.n6, 3 + step, 3 + step);
		else
			walk6_any(&r6, &s6, w.g6, w.n6);
	}
	b->sav_bad = b->sav_set = b->sav_loose = 0;
	b->nh_local = 0;
	b->route_todo = scatter(t, b, w.g4, w.n4, w.g6, w.n6);
}

/* PIPELINE_NO_SLP: walk6's two leaf stores, else packed into an SSE
 * register first (movd, pinsrd, movq: 2 instructions more a packet). */
PIPELINE_NO_SLP void
stage_lookup(struct pipeline_ctx *ctx, struct burst *b)
{
	lookup_run(ctx, b, 1);
}

/* stage_lookup with every IPv6 group level in walk6 (no gather_24s):
 * the benchmarks' other side, and test_route's. */
PIPELINE_NO_SLP void
stage_lookup_chained(struct pipeline_ctx *ctx, struct burst *b)
{
	lookup_run(ctx, b, 0);
}

/*
 * stage_lookup as it was before its walks started from the gather
 * (bench/README.md, "Issue 12, the FIB walks, second pass"): the
 * addresses gathered into arrays, then each FIB walked over its array
 * (lpm4_lookup_bulk, lpm6_lookup_bulk), then the leaves scattered. The
 * same results; test_route's reference and the benchmarks' other side.
 */
void
stage_lookup_simple(struct pipeline_ctx *ctx, struct burst *b)
{
	const unsigned n_pkts = b->n;
	const struct tables *t = ctx->t;
	/* Locals: every store through b would otherwise make gcc reload b's
	 * fields (-fno-strict-aliasing). */
	uint32_t src4[PIPELINE_BURST], dst4[PIPELINE_BURST];
	uint8_t src6[PIPELINE_BURST][16], dst6[PIPELINE_BURST][16];
	uint8_t at4[PIPELINE_BURST], at6[PIPELINE_BURST];
	uint32_t nh4[PIPELINE_BURST], nh6[PIPELINE_BURST];
	uint32_t sv4[PIPELINE_BURST], sv6[PIPELINE_BURST];
	struct sav_masks sv = {0, 0, 0};
	unsigned n4 = 0, n6 = 0;
	uint32_t local = 0, todo = 0;

	for (unsigned i = 0; i < n_pkts; i++) {
		const struct pkt_meta *m = &b->meta[i];
		const uint8_t l3 = m->l3;

		if (m->verdict != VERDICT_CONTINUE)
			continue;
		if (l3 == L3_IPV4) {
			src4[n4] = ld_be32(m->src);
			dst4[n4] = ld_be32(m->dst);
			at4[n4++] = (uint8_t)i;
		} else if (l3 == L3_IPV6) {
			memcpy(src6[n6], m->src, 16);
			memcpy(dst6[n6], m->dst, 16);
			at6[n6++] = (uint8_t)i;
		}
	}
	b->gathered = 1;
	if (n4 > 0) {
		lpm4_lookup_bulk(t->route4, dst4, nh4, n4);
		lpm4_lookup_bulk(sav_fib(t, 0), src4, sv4, n4);
		todo |= scatter_simple(t, b, at4, nh4, sv4, n4, &local, &sv);
	}
	if (n6 > 0) {
		lpm6_lookup_bulk(t->route6, (const uint8_t(*)[16])dst6, nh6,
				 n6);
		lpm6_lookup_bulk(sav_fib(t, 1), (const uint8_t(*)[16])src6, sv6,
				 n6);
		todo |= scatter_simple(t, b, at6, nh6, sv6, n6, &local, &sv);
	}
	b->nh_local = local;
	b->route_todo = todo;
	b->sav_bad = sv.bad;
	b->sav_set = sv.set;
	b->sav_loose = sv.loose;
}

/*
 * A packet dropped by blackhole `id`: its counters, and those of the
 * blackhole and the peer that sent it (open addressing over
 * IXG_BH_PEER_SLOTS slots keyed IXG_BH_PEER_KEY, linear probing up to
 * BH_PEER_PROBES slots; a miss is counted in blackhole_peer_overflow).
 * Slots are never freed: a blackhole id is reused for a new prefix (the
 * lowest free), so the keys in use stay bounded by the blackholes live at
 * once times the peers that send to them. Drop path only.
 */
#define BH_PEER_PROBES 8
_Static_assert(IXG_BH_PEER_SLOTS == 1u << 14, "the hash takes 14 bits");

static void
count_blackhole(struct ixg_lcore_counters *c, uint16_t id,
		const struct pkt_meta *m)
{
	uint32_t key = IXG_BH_PEER_KEY(id, m->in_peer % IXG_MAX_PEERS);
	uint32_t h = (key * 0x9e3779b1u) >> 18; /* Fibonacci hashing, 14 bits */

	c->blackhole[id].packets++;
	c->blackhole[id].bytes += m->rx_len;
	for (unsigned k = 0; k < BH_PEER_PROBES; k++) {
		struct ixg_ctr_bh_peer *s =
			&c->blackhole_peer[(h + k) & (IXG_BH_PEER_SLOTS - 1)];

		if (s->key == 0)
			s->key = key;
		if (s->key == key) {
			s->pb.packets++;
			s->pb.bytes += m->rx_len;
			return;
		}
	}
	c->blackhole_peer_overflow++;
}

/*
 * The flow hash that picks an ECMP group's member (doc/routing.md,
 * "ECMP"): source and destination addresses, the protocol, and the ports
 * when the packet is not a fragment. Every fragment of a datagram (the
 * first one too, which has ports) hashes without them, so they all take
 * one member; a fragmented datagram may take another member than the
 * unfragmented packets of its flow (Linux's fib_multipath_hash does the
 * same). No seed: every worker, and the next snapshot, picks alike.
 */
static inline uint64_t
flow_hash(const struct pkt_meta *m)
{
	uint64_t a, d, h;
	uint32_t ports = m->frag == FRAG_NONE
				 ? (uint32_t)m->sport << 16 | m->dport
				 : 0;

	if (m->l3 == L3_IPV4) {
		a = ld_be32(m->src);
		d = ld_be32(m->dst);
	} else {
		uint64_t x[4];

		memcpy(x, m->src, 16);
		memcpy(x + 2, m->dst, 16);
		a = x[0] ^ (x[1] * 0xc2b2ae3d27d4eb4full);
		d = x[2] ^ (x[3] * 0xc2b2ae3d27d4eb4full);
	}
	h = a * 0x9e3779b97f4a7c15ull;
	h ^= d * 0xbf58476d1ce4e5b9ull;
	h ^= ((uint64_t)ports << 8 | m->l4_proto) * 0x94d049bb133111ebull;
	h ^= h >> 31;
	h *= 0xd6e8feb86659fd93ull;
	return h ^ (h >> 32);
}

/* The hop (tables.h, TBL_HOPS) of group g (NH_INDEX_MASK bits of the FIB
 * value) for m's flow: the slot the hash's top bits name, in the table of
 * the packet's family; NH_NONE if the snapshot has no such group. */
static inline uint32_t
nhg_member(const struct tables *t, uint32_t g, const struct pkt_meta *m)
{
	if (unlikely(g >= t->n_nhg))
		return NH_NONE;
	return __atomic_load_n(
		&t->nhg[g].slot[m->l3 != L3_IPV4][flow_hash(m) >> (64 - 10)],
		__ATOMIC_RELAXED);
}
_Static_assert(IXG_NHG_SLOTS == 1 << 10, "the slot is the hash's top 10 bits");

/* Why hop value nh (1..TBL_HOPS-1) forwards nothing: a member's kernel
 * next hop while its session of that family is down, or a member not
 * configured. Drop path only. */
static enum ixg_drop_reason
hop_drop(const struct tables *t, uint32_t nh)
{
	if (nh >= TBL_HOP_KERNEL4 && t->peers[nh % IXG_MAX_PEERS].configured)
		return IXG_DROP_PEER_DOWN;
	return IXG_DROP_NO_ROUTE;
}

/*
 * To hop nh (1..TBL_HOPS-1): its word says the member and its port, or 0
 * when packets do not go to it (hop_drop says why). Loaded relaxed: a
 * member's session state is written into the published snapshot
 * (tables_peer_down).
 */
static inline void
to_hop(const struct tables *t, struct burst *b, unsigned i, uint32_t nh)
{
	struct pkt_meta *m = &b->meta[i];
	uint32_t h = __atomic_load_n(&t->hop[nh], __ATOMIC_RELAXED);
	uint16_t peer = (uint16_t)h;

	if (unlikely(peer == 0)) {
		pkt_drop(b, i, hop_drop(t, nh));
	} else if (unlikely(peer == m->in_peer)) {
		pkt_drop(b, i, IXG_DROP_HAIRPIN);
	} else {
		m->out_peer = peer;
		m->out_port = (uint16_t)(h >> 16);
	}
}

/*
 * Interprets meta.route_nh of packet i (VERDICT_CONTINUE or not).
 */
static inline __attribute__((always_inline)) void
route_one(struct pipeline_ctx *ctx, const struct tables *t, struct burst *b,
	  unsigned i)
{
	struct pkt_meta *m = &b->meta[i];
	uint32_t nh = m->route_nh;

	if (m->verdict != VERDICT_CONTINUE ||
	    (m->l3 != L3_IPV4 && m->l3 != L3_IPV6))
		return;
	/* RFC 1812 5.3.4: a router does not forward a packet it got as
	 * link-layer broadcast or multicast (a member's L2 flood must not
	 * become routed traffic to every other member). */
	if (m->l2_mcast) {
		pkt_drop(b, i, IXG_DROP_L2_MULTICAST);
		return;
	}
	/* The common case first: a member's hop (kind 0, not NH_NONE); its
	 * session state is in the word read anyway. */
	if (likely(nh - 1 < TBL_HOPS - 1)) {
		to_hop(t, b, i, nh);
		return;
	}
	switch (nh & NH_KIND_MASK) {
	case NH_BLACKHOLE:
		count_blackhole(ctx->ctr, t->blackholes[nh & NH_INDEX_MASK].id,
				m);
		pkt_drop(b, i, IXG_DROP_BLACKHOLE);
		return;
	case NH_LOCAL:
		/* stage_local answers what it can; the rest ends here */
		pkt_drop(b, i, IXG_DROP_LOCAL_UNHANDLED);
		return;
	case NH_GROUP: {
		/* ECMP: the member for this flow, then as a hop; counted by
		 * the group when it goes to one (g < t->n_nhg <=
		 * IXG_MAX_NHGROUPS, else NH_NONE) */
		const uint32_t g = nh & NH_INDEX_MASK;

		nh = nhg_member(t, g, m);
		if (likely(nh - 1 < TBL_HOPS - 1)) {
			to_hop(t, b, i, nh);
			if (likely(m->verdict == VERDICT_CONTINUE)) {
				ctx->ctr->nhgroup[g].packets++;
				ctx->ctr->nhgroup[g].bytes += m->rx_len;
			}
			return;
		}
		break;
	}
	default: break;
	}
	if (nh - 1 < TBL_HOPS - 1)
		to_hop(t, b, i, nh);
	else
		pkt_drop(b, i, IXG_DROP_NO_ROUTE);
}

/*
 * Interprets meta.route_nh, filled by stage_lookup: on a burst it
 * gathered (burst.gathered) only the packets it left to this stage
 * (burst.route_todo: not routed to a member it could send them to at
 * once), else every packet. Worker thread; writes this lcore's blackhole
 * and group counters (ctx->ctr).
 *
 * Blackhole expiry: the snapshot is immutable, so an expired blackhole cannot
 * fall back to its covering route here. tables_build() leaves expired
 * blackholes out and records the next expiry in tables.next_expiry; the
 * owner rebuilds then. Until that rebuild is published an expired blackhole
 * still drops: expiry is honoured within one rebuild latency.
 */
void
stage_route(struct pipeline_ctx *ctx, struct burst *b)
{
	const unsigned n_pkts = b->n;
	const struct tables *t = ctx->t;

	if (b->gathered) {
		for (uint32_t todo = b->route_todo; todo != 0; todo &= todo - 1)
			route_one(ctx, t, b, (unsigned)__builtin_ctz(todo));
		return;
	}
	for (unsigned i = 0; i < n_pkts; i++)
		route_one(ctx, t, b, i);
}
