/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_stage.c - the operators' ACL, classified over the burst by the own
 * classifier (acl_class.h; why not rte_acl there): permit, deny, class,
 * DSCP remark. Rule hits are counted by stage_output from meta.acl_rule.
 *
 * Cost: 94 instructions/packet on the real table with 10k rules, through
 * the ports (compare --callgrind, packets counted exactly; bench/README.md,
 * "Per stage"); a test of one pointer without rules.
 */
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

/*
 * Classifies every VERDICT_CONTINUE IP packet against the family's rules,
 * sets meta.acl_rule and applies the first matching rule's action. The
 * classifier's prefilter runs here on the metadata, and only the packets
 * it leaves a candidate group for (a few percent of real traffic, which
 * mostly matches no rule) get a key and the rule walk: the same result as
 * acl_class_classify4/6 on every packet's key (stage_acl_simple, kept for
 * the tests), without building 32 keys a burst. Worker thread.
 */
void
stage_acl(struct pipeline_ctx *ctx, struct burst *b)
{
	const unsigned n_pkts = b->n;
	const struct tables *t = ctx->t;
	const struct acl_class *c = t->acl;
	const uint64_t *pf4, *pf6;
	struct acl_class_key4 k4[PIPELINE_BURST];
	struct acl_class_key6 k6[PIPELINE_BURST];
	uint64_t mk4[PIPELINE_BURST], mk6[PIPELINE_BURST];
	uint32_t r4[PIPELINE_BURST], r6[PIPELINE_BURST];
	uint8_t at4[PIPELINE_BURST], at6[PIPELINE_BURST];
	unsigned n4 = 0, n6 = 0;

	if (c == NULL)
		return;
	pf4 = acl_class_pf(c, 4);
	pf6 = acl_class_pf(c, 6);
	for (unsigned i = 0; i < n_pkts; i++) {
		const struct pkt_meta *m = &b->meta[i];
		const uint8_t l3 = m->l3;
		uint64_t mask;

		if (m->verdict != VERDICT_CONTINUE)
			continue;
		if (l3 == L3_IPV4 && pf4 != NULL) {
			const uint32_t fl = key_flags(m);
			struct acl_class_key4 *k;

			mask = acl_class_prefilter(
				pf4, m->l4_proto, fl, m->in_peer, m->sport,
				m->dport, m->src[0], m->dst[0]);
			if (mask == 0)
				continue;
			k = &k4[n4];
			memcpy(&k->src, m->src, 4);
			memcpy(&k->dst, m->dst, 4);
			k->sport = m->sport;
			k->dport = m->dport;
			k->in_peer = m->in_peer;
			k->proto = m->l4_proto;
			k->flags = (uint8_t)fl;
			mk4[n4] = mask;
			at4[n4++] = (uint8_t)i;
		} else if (l3 == L3_IPV6 && pf6 != NULL) {
			const uint32_t fl = key_flags(m);
			struct acl_class_key6 *k;

			mask = acl_class_prefilter6(pf6, m->l4_proto, fl,
						    m->in_peer, m->sport,
						    m->dport, m->src, m->dst);
			if (mask == 0)
				continue;
			k = &k6[n6];
			memcpy(k->src, m->src, 16);
			memcpy(k->dst, m->dst, 16);
			k->sport = m->sport;
			k->dport = m->dport;
			k->in_peer = m->in_peer;
			k->proto = m->l4_proto;
			k->flags = (uint8_t)fl;
			mk6[n6] = mask;
			at6[n6++] = (uint8_t)i;
		}
	}
	if (n4 > 0) {
		acl_class_walk4(c, k4, mk4, r4, n4);
		for (unsigned j = 0; j < n4; j++)
			apply(t, b, at4[j], r4[j]);
	}
	if (n6 > 0) {
		acl_class_walk6(c, k6, mk6, r6, n6);
		for (unsigned j = 0; j < n6; j++)
			apply(t, b, at6[j], r6[j]);
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
