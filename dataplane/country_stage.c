/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * country_stage.c - country of the source and destination addresses, for
 * the per-country-pair counters.
 *
 * Cost: 1.4 instructions/packet on the real table through the ports
 * (compare --callgrind): stage_lookup wrote both countries from the
 * leaves it walked; the verdicts are ORed, and only a burst with a
 * packet decided since has those unset (bench/README.md, "Issue 12, the
 * head and the small stages (helper head5)").
 */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>

#include "pipeline.h"
#include "pkt_bytes.h"

/*
 * Zero the countries of every packet no longer VERDICT_CONTINUE: the
 * leaves stage_lookup walked gave every gathered packet its countries,
 * but a packet dropped (or answered) before this stage keeps none, as
 * when this stage wrote the continuing packets only. Most bursts have
 * none: the verdicts ORed first (VERDICT_CONTINUE is 0), one OR from
 * memory a packet, a whole burst unrolled; only a burst with one is
 * passed again.
 */
_Static_assert(VERDICT_CONTINUE == 0, "country_unset_decided: the OR");
static void
country_unset_decided(struct burst *b)
{
	const unsigned n_pkts = b->n;
	struct pkt_meta *const meta = b->meta;
	uint8_t any = 0;
	unsigned i;

	if (likely(n_pkts == PIPELINE_BURST)) {
#pragma GCC unroll 32
		for (i = 0; i < PIPELINE_BURST; i++)
			any |= meta[i].verdict;
	} else {
		for (i = 0; i < n_pkts; i++)
			any |= meta[i].verdict;
	}
	if (likely(any == 0))
		return;
	for (i = 0; i < n_pkts; i++) {
		if (meta[i].verdict != VERDICT_CONTINUE) {
			meta[i].src_country = IXG_COUNTRY_UNKNOWN;
			meta[i].dst_country = IXG_COUNTRY_UNKNOWN;
		}
	}
}

/*
 * The burst's own gather: every VERDICT_CONTINUE IP packet's addresses,
 * one bulk lookup per family for both. The path of a burst stage_lookup
 * did not see, and the reference of test_country's differential test.
 */
static void
country_gather(const struct tables *t, struct burst *b, int has4, int has6)
{
	const unsigned n_pkts = b->n;
	uint32_t ip4[2 * PIPELINE_BURST];
	uint8_t ip6[2 * PIPELINE_BURST][16];
	uint32_t nh4[2 * PIPELINE_BURST], nh6[2 * PIPELINE_BURST];
	uint8_t at4[PIPELINE_BURST], at6[PIPELINE_BURST];
	unsigned n4 = 0, n6 = 0;

	for (unsigned i = 0; i < n_pkts; i++) {
		struct pkt_meta *m = &b->meta[i];
		const uint8_t l3 = m->l3;

		if (m->verdict != VERDICT_CONTINUE)
			continue;
		/* Where a table is there, its lookup below writes both. */
		if (l3 == L3_IPV4) {
			if (!has4) {
				m->src_country = IXG_COUNTRY_UNKNOWN;
				m->dst_country = IXG_COUNTRY_UNKNOWN;
				continue;
			}
			ip4[2 * n4] = ld_be32(m->src);
			ip4[2 * n4 + 1] = ld_be32(m->dst);
			at4[n4++] = (uint8_t)i;
		} else if (l3 == L3_IPV6) {
			if (!has6) {
				m->src_country = IXG_COUNTRY_UNKNOWN;
				m->dst_country = IXG_COUNTRY_UNKNOWN;
				continue;
			}
			memcpy(ip6[2 * n6], m->src, 16);
			memcpy(ip6[2 * n6 + 1], m->dst, 16);
			at6[n6++] = (uint8_t)i;
		}
	}
	if (n4 > 0) {
		lpm4_lookup_bulk(t->country4, ip4, nh4, 2 * n4);
		for (unsigned j = 0; j < n4; j++) {
			b->meta[at4[j]].src_country = (uint16_t)nh4[2 * j];
			b->meta[at4[j]].dst_country = (uint16_t)nh4[2 * j + 1];
		}
	}
	if (n6 > 0) {
		lpm6_lookup_bulk(t->country6, (const uint8_t(*)[16])ip6, nh6,
				 2 * n6);
		for (unsigned j = 0; j < n6; j++) {
			b->meta[at6[j]].src_country = (uint16_t)nh6[2 * j];
			b->meta[at6[j]].dst_country = (uint16_t)nh6[2 * j + 1];
		}
	}
}

/*
 * Sets meta.src_country / dst_country (IXG_COUNTRY_UNKNOWN when not in the
 * country map) for every VERDICT_CONTINUE IP packet, and leaves them
 * IXG_COUNTRY_UNKNOWN on every other packet: on a burst stage_lookup
 * gathered (burst.gathered) it wrote both from the leaves it walked (the
 * route FIB's and the SAV FIB's hold the countries, tables.h), and this
 * stage only unsets those of the packets decided since; else gathered
 * and looked up here. Worker thread.
 */
void
stage_country(struct pipeline_ctx *ctx, struct burst *b)
{
	const struct tables *t = ctx->t;
	const int has4 = t->country4 != NULL, has6 = t->country6 != NULL;

	if (!has4 && !has6)
		return;
	if (b->gathered)
		country_unset_decided(b);
	else
		country_gather(t, b, has4, has6);
}
