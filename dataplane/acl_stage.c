/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_stage.c - the operators' ACL, classified over the burst by the own
 * classifier (acl_class.h; why not rte_acl there): permit, deny, class,
 * DSCP remark. Rule hits are counted by stage_output from meta.acl_rule.
 *
 * Cost: 37.9 instructions a packet on the real table with 10k rules,
 * through the ports: bench/ixgate-bench compare --duts ixgate --callgrind
 * --rounds 1 -d 5, then bench/callgrind_stages.py (bench/README.md,
 * "Issue 12, ACL and policer, structurally (helper pol7)"); a test of one
 * pointer without rules.
 */
#include <stddef.h>
#include <string.h>

#include "acl_class.h"
#include "pipeline.h"

static inline void
apply(const struct tables *t, struct burst *b, unsigned i, uint32_t res)
{
	const struct tbl_acl_action *a;
	struct pkt_meta *m = &b->meta[i];

	if (res == 0 || res > t->n_acl_actions)
		return;
	a = &t->acl_actions[res - 1];
	m->acl_rule = a->rule_id;
	switch (a->action) {
	case IXG_ACL_DENY: pkt_drop(b, i, IXG_DROP_ACL_DENY); break;
	case IXG_ACL_CLASS: m->class_id = a->class_id; break;
	case IXG_ACL_REMARK:
		m->dscp = a->remark_dscp;
		m->remark = 1;
		break;
	default: break;
	}
}

/*
 * Key flags: the DSCP, and whether the packet is a later fragment, whose
 * ports are unknown (no L4 header: RFC 791 s. 3.2, RFC 8200 s. 4.5); the
 * classifier then matches it only against rules with "any" ports, as it
 * does a protocol without ports (acl_class.h).
 */
static inline uint8_t
key_flags(const struct pkt_meta *m)
{
	return (uint8_t)((m->dscp & 0x3f) |
			 (m->frag == FRAG_LATER ? ACL_CLASS_LATER_FRAG : 0));
}

/* The packet's (fragment kind, protocol) as acl_class_prefilter_meta
 * takes them: one 16-bit load where the bytes are in that order. */
_Static_assert(offsetof(struct pkt_meta, frag) ==
		       offsetof(struct pkt_meta, l4_proto) + 1,
	       "frag follows l4_proto");

static inline uint16_t
proto_frag(const struct pkt_meta *m)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint16_t v;

	memcpy(&v, &m->l4_proto, sizeof(v));
	return v;
#else
	return m->l4_proto | (uint32_t)m->frag << 8;
#endif
}

/* A 16-bit field's high and low bytes, read as bytes. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HI(f) (((const uint8_t *)&(f))[1])
#define LO(f) (((const uint8_t *)&(f))[0])
#else
#define HI(f) ((uint8_t)((f) >> 8))
#define LO(f) ((uint8_t)(f))
#endif

/* verdict and l3 (bytes 0 and 2) as one word: CONTINUE_IPV4 or
 * CONTINUE_IPV6 for a VERDICT_CONTINUE packet of that family. */
_Static_assert(offsetof(struct pkt_meta, verdict) == 0 &&
		       offsetof(struct pkt_meta, l3) == 2,
	       "verdict, l3 at bytes 0 and 2");
#define CONTINUE_IPV4 ((uint32_t)VERDICT_CONTINUE | (uint32_t)L3_IPV4 << 16)
#define CONTINUE_IPV6 ((uint32_t)VERDICT_CONTINUE | (uint32_t)L3_IPV6 << 16)

static inline uint32_t
verdict_l3(const struct pkt_meta *m)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint32_t w;

	memcpy(&w, m, sizeof(w));
	return w & 0xff00ffu;
#else
	return m->verdict | (uint32_t)m->l3 << 16;
#endif
}

/*
 * The prefilter of packet i (m): its mask appended to its family's (at*,
 * mk*, *n*) if not 0. `both`: the two families have rules (pf4 and pf6
 * not NULL), the common case, compiled without the tests.
 */
static inline __attribute__((always_inline)) void
prefilter_one(const struct pkt_meta *m, const unsigned i, const int both,
	      const uint64_t *pf4, const uint64_t *pf6, const uint64_t *s16,
	      uint64_t *mk4, uint8_t *at4, size_t *n4, uint64_t *mk6,
	      uint8_t *at6, size_t *n6)
{
	const uint32_t vl3 = verdict_l3(m);
	uint64_t mask;

	if (vl3 == CONTINUE_IPV4 && (both || pf4 != NULL)) {
		mask = acl_class_prefilter_meta(
			pf4, proto_frag(m), m->dscp, m->in_peer, HI(m->sport),
			LO(m->sport), HI(m->dport), LO(m->dport), m->src[0],
			m->dst[0]);
		mk4[*n4] = mask;
		at4[*n4] = (uint8_t)i;
		*n4 += mask != 0;
	} else if (vl3 == CONTINUE_IPV6 && (both || pf6 != NULL)) {
		mask = acl_class_prefilter_meta6(
			pf6, s16, proto_frag(m), m->dscp, m->in_peer,
			HI(m->sport), LO(m->sport), HI(m->dport), LO(m->dport),
			m->src, m->dst);
		mk6[*n6] = mask;
		at6[*n6] = (uint8_t)i;
		*n6 += mask != 0;
	}
}

/*
 * The prefilter over the burst: the packets it leaves a candidate group
 * for, with their masks, per family (at*, mk*, *n*), in order. Two
 * packets an iteration: the loop's count, pointer and test once for two
 * (gcc's own unrolling, #pragma GCC unroll 2, kept the per-packet
 * increments and lost the IPv6 reads' folded offsets).
 */
static inline __attribute__((always_inline)) void
prefilter_burst(const struct burst *b, const unsigned n_pkts, const int both,
		const uint64_t *pf4, const uint64_t *pf6, const uint64_t *s16,
		uint64_t *mk4, uint8_t *at4, unsigned *n4p, uint64_t *mk6,
		uint8_t *at6, unsigned *n6p)
{
	size_t n4 = 0, n6 = 0;
	unsigned i;

	for (i = 0; i + 1 < n_pkts; i += 2) {
		prefilter_one(&b->meta[i], i, both, pf4, pf6, s16, mk4, at4,
			      &n4, mk6, at6, &n6);
		prefilter_one(&b->meta[i + 1], i + 1, both, pf4, pf6, s16, mk4,
			      at4, &n4, mk6, at6, &n6);
	}
	if (i < n_pkts)
		prefilter_one(&b->meta[i], i, both, pf4, pf6, s16, mk4, at4,
			      &n4, mk6, at6, &n6);
	*n4p = (unsigned)n4;
	*n6p = (unsigned)n6;
}

/*
 * Classifies every VERDICT_CONTINUE IP packet against the family's rules,
 * sets meta.acl_rule and applies the first matching rule's action. The
 * classifier's prefilter runs here on the metadata, and only the packets
 * it leaves a candidate group for (13% of real traffic) go further: those
 * whose mask holds decided groups only (nearly all of them) are answered
 * here from the decided tables (acl_class_narrow4, acl_class_decided),
 * the others (a few in a thousand) get a key and the rest of the search
 * (acl_class_walk4/6): the same result as acl_class_classify4/6 on every
 * packet's key (stage_acl_simple, kept for the tests), without building
 * 32 keys a burst. Worker thread.
 */
void
stage_acl(struct pipeline_ctx *ctx, struct burst *b)
{
	const unsigned n_pkts = b->n;
	const struct tables *t = ctx->t;
	const struct acl_class *c = t->acl;
	const uint64_t *pf4, *pf6, *s16;
	struct acl_class_key4 k4[PIPELINE_BURST];
	struct acl_class_key6 k6[PIPELINE_BURST];
	uint64_t mk4[PIPELINE_BURST], mk6[PIPELINE_BURST];
	uint32_t r4[PIPELINE_BURST], r6[PIPELINE_BURST];
	uint8_t at4[PIPELINE_BURST], at6[PIPELINE_BURST];
	unsigned n4, n6;

	if (c == NULL)
		return;
	pf4 = acl_class_pf(c, 4);
	pf6 = acl_class_pf(c, 6);
	s16 = acl_class_fast(c, 6)->s16;
	if (pf4 != NULL && pf6 != NULL)
		prefilter_burst(b, n_pkts, 1, pf4, pf6, s16, mk4, at4, &n4, mk6,
				at6, &n6);
	else
		prefilter_burst(b, n_pkts, 0, pf4, pf6, s16, mk4, at4, &n4, mk6,
				at6, &n6);
	if (n4 > 0) {
		const struct acl_class_fast *f = acl_class_fast(c, 4);
		size_t nk = 0;

		for (unsigned j = 0; j < n4; j++) {
			const unsigned i = at4[j];
			const struct pkt_meta *m = &b->meta[i];
			const uint64_t mask = acl_class_narrow4(f, mk4[j],
								m->src, m->dst);
			struct acl_class_key4 *k = &k4[nk];

			if (likely((mask & f->walk_mask) == 0)) {
				apply(t, b, i,
				      acl_class_decided(f, mask, m->in_peer));
				continue;
			}
			memcpy(&k->src, m->src, 4);
			memcpy(&k->dst, m->dst, 4);
			k->sport = m->sport;
			k->dport = m->dport;
			k->in_peer = m->in_peer;
			k->proto = m->l4_proto;
			k->flags = key_flags(m);
			mk4[nk] = mask;
			at4[nk++] = (uint8_t)i;
		}
		if (nk > 0) {
			acl_class_walk4(c, k4, mk4, r4, (unsigned)nk);
			for (size_t j = 0; j < nk; j++)
				apply(t, b, at4[j], r4[j]);
		}
	}
	if (n6 > 0) {
		const struct acl_class_fast *f = acl_class_fast(c, 6);
		size_t nk = 0;

		for (unsigned j = 0; j < n6; j++) {
			const unsigned i = at6[j];
			const struct pkt_meta *m = &b->meta[i];
			const uint64_t mask = mk6[j];
			struct acl_class_key6 *k = &k6[nk];

			if (likely((mask & f->walk_mask) == 0)) {
				apply(t, b, i,
				      acl_class_decided(f, mask, m->in_peer));
				continue;
			}
			memcpy(k->src, m->src, 16);
			memcpy(k->dst, m->dst, 16);
			k->sport = m->sport;
			k->dport = m->dport;
			k->in_peer = m->in_peer;
			k->proto = m->l4_proto;
			k->flags = key_flags(m);
			mk6[nk] = mask;
			at6[nk++] = (uint8_t)i;
		}
		if (nk > 0) {
			acl_class_walk6(c, k6, mk6, r6, (unsigned)nk);
			for (size_t j = 0; j < nk; j++)
				apply(t, b, at6[j], r6[j]);
		}
	}
}

/*
 * What stage_acl did before the prefilter moved into it: a key for every
 * VERDICT_CONTINUE IP packet, one classifier call per family per burst.
 * The same verdicts, rule ids and metadata; kept for the differential
 * test (test_acl). Test thread.
 */
void
stage_acl_simple(struct pipeline_ctx *ctx, struct burst *b)
{
	const unsigned n_pkts = b->n;
	const struct tables *t = ctx->t;
	const struct acl_class *c = t->acl;
	struct acl_class_key4 k4[PIPELINE_BURST];
	struct acl_class_key6 k6[PIPELINE_BURST];
	uint32_t r4[PIPELINE_BURST], r6[PIPELINE_BURST];
	uint8_t at4[PIPELINE_BURST], at6[PIPELINE_BURST];
	unsigned n4 = 0, n6 = 0;
	int has4, has6;

	if (c == NULL)
		return;
	has4 = acl_class_has(c, 4);
	has6 = acl_class_has(c, 6);
	for (unsigned i = 0; i < n_pkts; i++) {
		const struct pkt_meta *m = &b->meta[i];

		if (m->verdict != VERDICT_CONTINUE)
			continue;
		if (m->l3 == L3_IPV4 && has4) {
			struct acl_class_key4 *k = &k4[n4];

			memcpy(&k->src, m->src, 4);
			memcpy(&k->dst, m->dst, 4);
			k->sport = m->sport;
			k->dport = m->dport;
			k->in_peer = m->in_peer;
			k->proto = m->l4_proto;
			k->flags = key_flags(m);
			at4[n4++] = (uint8_t)i;
		} else if (m->l3 == L3_IPV6 && has6) {
			struct acl_class_key6 *k = &k6[n6];

			memcpy(k->src, m->src, 16);
			memcpy(k->dst, m->dst, 16);
			k->sport = m->sport;
			k->dport = m->dport;
			k->in_peer = m->in_peer;
			k->proto = m->l4_proto;
			k->flags = key_flags(m);
			at6[n6++] = (uint8_t)i;
		}
	}
	if (n4 > 0) {
		acl_class_classify4(c, k4, r4, n4);
		for (unsigned j = 0; j < n4; j++)
			apply(t, b, at4[j], r4[j]);
	}
	if (n6 > 0) {
		acl_class_classify6(c, k6, r6, n6);
		for (unsigned j = 0; j < n6; j++)
			apply(t, b, at6[j], r6[j]);
	}
}
