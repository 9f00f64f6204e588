/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_stage.c - the operators' ACL, classified with rte_acl over the burst:
 * permit, deny, class, DSCP remark. Rule hits are counted by stage_output
 * from meta.acl_rule.
 *
 * Cost: 353 instructions/packet on the full table (callgrind, AVX2 path;
 * bench/README.md, "Per stage"); 1 without rules.
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>

#include "acl_key.h"
#include "pipeline.h"

#ifndef IPPROTO_DCCP
#define IPPROTO_DCCP 33
#endif
#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif

/*
 * Protocols whose first 4 L4 bytes are source and destination ports (TCP,
 * UDP, SCTP, DCCP, UDP-Lite), as a 256-bit set: one bit test per packet
 * instead of five compares.
 */
#define PROTO_BIT(p) ((uint64_t)1 << ((p)&63))
static const uint64_t ports_protos[4] = {
	[IPPROTO_TCP >> 6] = PROTO_BIT(IPPROTO_TCP) | PROTO_BIT(IPPROTO_UDP) |
			     PROTO_BIT(IPPROTO_DCCP),
	[IPPROTO_SCTP >> 6] = PROTO_BIT(IPPROTO_SCTP) |
			      PROTO_BIT(IPPROTO_UDPLITE),
};
_Static_assert(ACL_PORTS_OK == 1 << 8, "ports_ok is bit 8 of dscp_l4");
_Static_assert(IPPROTO_TCP >> 6 == 0 && IPPROTO_UDP >> 6 == 0 &&
		       IPPROTO_DCCP >> 6 == 0 && IPPROTO_SCTP >> 6 == 2 &&
		       IPPROTO_UDPLITE >> 6 == 2,
	       "ports_protos: word of each protocol");

static inline int
has_ports(uint8_t proto)
{
	return (int)((ports_protos[proto >> 6] >> (proto & 63)) & 1);
}

/*
 * Common key part. A later fragment has no L4 header (RFC 791 s. 3.2,
 * RFC 8200 s. 4.5), so its ports are unknown: ports_ok = 0 and ports 0,
 * which only rules with "any" ports match (see acl_key.h). Branch-free:
 * the port mask is all ones or zero.
 */
static inline void
key_common(const struct pkt_meta *m, uint8_t *proto, uint16_t *dscp_l4,
	   uint16_t *in_peer, uint16_t *sport, uint16_t *dport)
{
	uint32_t ports_ok = (uint32_t)(m->frag != FRAG_LATER) &
			    (uint32_t)has_ports(m->l4_proto);
	uint16_t pmask = (uint16_t)-ports_ok;

	*proto = m->l4_proto;
	*dscp_l4 = rte_cpu_to_be_16(
		(uint16_t)((ports_ok << 8) | (m->dscp & 0x3f)));
	*in_peer = rte_cpu_to_be_16(m->in_peer);
	*sport = rte_cpu_to_be_16(m->sport & pmask);
	*dport = rte_cpu_to_be_16(m->dport & pmask);
}

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
 * Classifies every VERDICT_CONTINUE IP packet against the family's rules
 * (one rte_acl_classify per family per burst), sets meta.acl_rule and
 * applies the first matching rule's action. Worker thread.
 */
void
stage_acl(struct pipeline_ctx *ctx, struct burst *b)
{
	const unsigned n_pkts = b->n;
	const struct tables *t = ctx->t;
	struct acl_key4 k4[PIPELINE_BURST];
	struct acl_key6 k6[PIPELINE_BURST];
	const uint8_t *d4[PIPELINE_BURST], *d6[PIPELINE_BURST];
	uint32_t r4[PIPELINE_BURST], r6[PIPELINE_BURST];
	uint8_t at4[PIPELINE_BURST], at6[PIPELINE_BURST];
	unsigned n4 = 0, n6 = 0;

	if (t->acl4 == NULL && t->acl6 == NULL)
		return;
	for (unsigned i = 0; i < n_pkts; i++) {
		const struct pkt_meta *m = &b->meta[i];

		if (m->verdict != VERDICT_CONTINUE)
			continue;
		if (m->l3 == L3_IPV4 && t->acl4 != NULL) {
			struct acl_key4 *k = &k4[n4];

			key_common(m, &k->proto, &k->dscp_l4, &k->in_peer,
				   &k->sport, &k->dport);
			memcpy(&k->src, m->src, 4);
			memcpy(&k->dst, m->dst, 4);
			d4[n4] = &k->proto;
			at4[n4++] = (uint8_t)i;
		} else if (m->l3 == L3_IPV6 && t->acl6 != NULL) {
			struct acl_key6 *k = &k6[n6];

			key_common(m, &k->proto, &k->dscp_l4, &k->in_peer,
				   &k->sport, &k->dport);
			memcpy(k->src, m->src, 16);
			memcpy(k->dst, m->dst, 16);
			d6[n6] = &k->proto;
			at6[n6++] = (uint8_t)i;
		}
	}
	if (n4 > 0 && rte_acl_classify(t->acl4, d4, r4, n4, 1) == 0)
		for (unsigned j = 0; j < n4; j++)
			apply(t, b, at4[j], r4[j]);
	if (n6 > 0 && rte_acl_classify(t->acl6, d6, r6, n6, 1) == 0)
		for (unsigned j = 0; j < n6; j++)
			apply(t, b, at6[j], r6[j]);
}
