/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_output.c - stage_output on fake mbufs with metadata set by hand:
 * what it counts for forwarded, local and dropped packets, that it frees
 * exactly the dropped ones, the peer-pair open addressing and its overflow,
 * the invariant rx == fwd + local + sum(drops) per port, and the counters
 * and tags of random bursts against the simple per-packet version.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "counters.h"
#include "dp_test_util.h"
#include "pipeline.h"
#include "stats.h"

static struct tables *tbl;
static struct pipeline_ctx ctx;
static struct burst_out out;

/* A peer's value of family f as readers show it (its pair slots' counts
 * added: IXG_CTR_PEER). */
static uint64_t
peer_shown(const struct ixg_lcore_counters *c, unsigned f, uint16_t id)
{
	struct ixg_ctr_src src;

	ixg_ctr_src_one(&src, c);
	return ixg_ctr_value(&src, f, id, 0);
}

static int
setup(void **state)
{
	(void)state;
	memset(ctx.ctr, 0, sizeof(*ctx.ctr));
	memset(&out, 0, sizeof(out));
	return 0;
}

/* One packet of `len` bytes with the verdict and metadata given. */
static unsigned
add(struct burst *b, uint8_t verdict, uint8_t reason, uint16_t in_peer,
    uint16_t out_peer, uint16_t out_port, uint32_t len)
{
	static uint8_t zeros[2048];
	unsigned i = b->n++;
	struct pkt_meta *pm = &b->meta[i];

	b->pkts[i] = dp_test_mbuf(zeros, len, b->port);
	memset(pm, 0, sizeof(*pm));
	pm->verdict = verdict;
	pm->drop_reason = reason;
	pm->in_port = b->port;
	pm->in_peer = in_peer;
	pm->out_peer = out_peer;
	pm->out_port = out_port;
	pm->rx_len = len;
	return i;
}

static uint64_t
port_drops(const struct ixg_ctr_port *p)
{
	uint64_t s = 0;
	unsigned r;

	for (r = 0; r < IXG_DROP_MAX; r++)
		s += p->drops[r];
	return s;
}

static void
assert_invariant(const struct ixg_lcore_counters *c)
{
	uint64_t drops = 0;
	unsigned r, p;

	for (r = 0; r < IXG_DROP_MAX; r++)
		drops += c->drops[r];
	assert_int_equal(c->rx_packets,
			 c->tx_packets + c->local_packets + c->punted + drops);
	for (p = 0; p < IXG_MAX_PORTS; p++)
		assert_int_equal(c->port[p].rx.packets,
				 c->port[p].fwd + c->port[p].local +
					 c->port[p].punted +
					 port_drops(&c->port[p]));
}

static const struct ixg_ctr_peer_pair *
find_pair(const struct ixg_lcore_counters *c, uint16_t in, uint16_t outp)
{
	uint32_t key = (uint32_t)in << 16 | outp;
	unsigned s;

	for (s = 0; s < IXG_PEER_PAIR_SLOTS; s++)
		if (c->peer_pair[s].key == key)
			return &c->peer_pair[s];
	return NULL;
}

static void
test_counts_and_dispatch(void **state)
{
	struct ixg_lcore_counters *c = ctx.ctr;
	const struct ixg_ctr_peer_pair *pp;
	unsigned in_use, f, l, d;
	struct burst b;

	(void)state;
	in_use = rte_mempool_in_use_count(dp_test_pool());
	dp_burst_init(&b, 3);
	f = add(&b, VERDICT_FORWARD, 0, 7, 8, 5, 100);
	b.meta[f].src_country = 2;
	b.meta[f].dst_country = 3;
	b.meta[f].class_id = 4;
	b.meta[f].colour = COLOUR_YELLOW;
	b.meta[f].acl_rule = 1234;
	l = add(&b, VERDICT_LOCAL, 0, 7, 0, 3, 60);
	d = add(&b, VERDICT_DROP, IXG_DROP_NO_ROUTE, 7, 0, 0, 70);
	add(&b, VERDICT_DROP, IXG_DROP_UNKNOWN_PEER, 0, 0, 0, 80);
	add(&b, VERDICT_DROP, IXG_DROP_ACL_DENY, 7, 0, 0, 90);
	b.meta[4].acl_rule = 99;
	add(&b, VERDICT_FORWARD, 0, 7, 8, 5, 200);
	assert_int_equal(rte_mempool_in_use_count(dp_test_pool()), in_use + 6);

	stage_output(&ctx, &b, &out);

	/* dropped mbufs freed, the others handed out */
	assert_int_equal(rte_mempool_in_use_count(dp_test_pool()), in_use + 3);
	assert_int_equal(out.n[5], 2);
	assert_ptr_equal(out.pkts[5][0], b.pkts[f]);
	assert_ptr_equal(out.pkts[5][1], b.pkts[5]);
	assert_int_equal(out.n[3], 1);
	assert_ptr_equal(out.pkts[3][0], b.pkts[l]);
	(void)d;

	assert_int_equal(c->rx_packets, 6);
	assert_int_equal(c->tx_packets, 2);
	assert_int_equal(c->local_packets, 1);
	assert_int_equal(c->drops[IXG_DROP_NO_ROUTE], 1);
	assert_int_equal(c->drops[IXG_DROP_UNKNOWN_PEER], 1);
	assert_int_equal(c->drops[IXG_DROP_ACL_DENY], 1);
	assert_int_equal(c->port[3].rx.packets, 6);
	assert_int_equal(c->port[3].rx.bytes, 100 + 60 + 70 + 80 + 90 + 200);
	assert_int_equal(c->port[3].fwd, 2);
	assert_int_equal(c->port[3].local, 1);
	assert_int_equal(c->port[3].drops[IXG_DROP_NO_ROUTE], 1);
	assert_int_equal(c->port[5].tx.packets, 2);
	assert_int_equal(c->port[5].tx.bytes, 300);
	assert_int_equal(c->port[5].rx.packets, 0);
	assert_int_equal(peer_shown(c, IXG_CF_peer_received_packets_total, 7),
			 5);
	assert_int_equal(peer_shown(c, IXG_CF_peer_received_bytes_total, 7),
			 100 + 60 + 70 + 90 + 200);
	assert_int_equal(c->peer[7].drops, 2);
	assert_int_equal(
		peer_shown(c, IXG_CF_peer_transmitted_packets_total, 8), 2);
	assert_int_equal(peer_shown(c, IXG_CF_peer_transmitted_bytes_total, 8),
			 300);
	assert_int_equal(peer_shown(c, IXG_CF_peer_received_packets_total, 0),
			 0);
	/* The forwarded packets' peers are in their pair's slot alone. */
	assert_int_equal(c->peer[8].tx.packets, 0);
	assert_int_equal(c->peer[7].rx.packets, 3);
	pp = find_pair(c, 7, 8);
	assert_non_null(pp);
	assert_int_equal(pp->pb.packets, 2);
	assert_int_equal(pp->pb.bytes, 300);
	assert_int_equal(c->peer_pair_overflow, 0);
	assert_int_equal(c->country_pair[2][3].packets, 1);
	assert_int_equal(c->country_pair[2][3].bytes, 100);
	assert_int_equal(c->country_pair[0][0].packets, 1);
	assert_int_equal(c->class_colour[4][COLOUR_YELLOW], 1);
	assert_int_equal(c->class_colour[0][COLOUR_GREEN], 1);
	assert_int_equal(c->acl_hits[1234], 1);
	assert_int_equal(c->acl_hits[99], 1); /* a deny is a hit too */
	assert_invariant(c);

	rte_pktmbuf_free(out.pkts[5][0]);
	rte_pktmbuf_free(out.pkts[5][1]);
	rte_pktmbuf_free(out.pkts[3][0]);
	assert_int_equal(rte_mempool_in_use_count(dp_test_pool()), in_use);
}

/* Every drop reason is counted under its own name, at node and port. */
static void
test_every_drop_reason_counted(void **state)
{
	struct ixg_lcore_counters *c = ctx.ctr;
	unsigned r, in_use = rte_mempool_in_use_count(dp_test_pool());
	struct burst b;

	(void)state;
	dp_burst_init(&b, 1);
	for (r = 0; r < IXG_DROP_MAX; r++)
		add(&b, VERDICT_DROP, (uint8_t)r, 0, 0, 0, 64);
	stage_output(&ctx, &b, &out);
	for (r = 0; r < IXG_DROP_MAX; r++) {
		assert_int_equal(c->drops[r], 1);
		assert_int_equal(c->port[1].drops[r], 1);
	}
	assert_int_equal(c->rx_packets, IXG_DROP_MAX);
	assert_int_equal(rte_mempool_in_use_count(dp_test_pool()), in_use);
	assert_invariant(c);
}

/* Many distinct pairs land in distinct slots; a full neighbourhood
 * overflows into peer_pair_overflow instead of probing on. */
static void
test_peer_pairs(void **state)
{
	struct ixg_lcore_counters *c = ctx.ctr;
	struct burst b;
	unsigned i, k;

	(void)state;
	for (k = 0; k < 40; k++) {
		dp_burst_init(&b, 0);
		for (i = 0; i < PIPELINE_BURST; i++)
			add(&b, VERDICT_FORWARD, 0, (uint16_t)(1 + k),
			    (uint16_t)(1 + i), 1, 64);
		stage_output(&ctx, &b, &out);
		for (i = 0; i < out.n[1]; i++)
			rte_pktmbuf_free(out.pkts[1][i]);
		out.n[1] = 0;
	}
	for (k = 0; k < 40; k++)
		for (i = 0; i < PIPELINE_BURST; i++) {
			const struct ixg_ctr_peer_pair *pp = find_pair(
				c, (uint16_t)(1 + k), (uint16_t)(1 + i));

			assert_non_null(pp);
			assert_int_equal(pp->pb.packets, 1);
		}
	assert_int_equal(c->peer_pair_overflow, 0);

	/* Fill every slot with another key: the next new pair overflows,
	 * while its packet is still forwarded and counted. */
	for (i = 0; i < IXG_PEER_PAIR_SLOTS; i++)
		if (c->peer_pair[i].key == 0)
			c->peer_pair[i].key = 0xfffffffe;
	dp_burst_init(&b, 0);
	add(&b, VERDICT_FORWARD, 0, 4000, 4001, 1, 64);
	stage_output(&ctx, &b, &out);
	assert_int_equal(c->peer_pair_overflow, 1);
	assert_int_equal(c->peer[4001].tx.packets, 1);
	assert_int_equal(c->peer[4000].rx.packets, 1);
	assert_int_equal(
		peer_shown(c, IXG_CF_peer_transmitted_packets_total, 4001), 1);
	assert_null(find_pair(c, 4000, 4001));
	rte_pktmbuf_free(out.pkts[1][0]);
	out.n[1] = 0;
	assert_invariant(c);
}

/* ---- stage_output against the simple per-packet version ---- */

/*
 * The counting of stage_output as first written, one packet at a time,
 * every counter added per packet (no per-burst sums): the reference the
 * optimised stage must match counter for counter. Records the tag each
 * handed-out packet should carry in want_lo/want_hi; frees nothing.
 */
static void
ref_pair(struct ixg_lcore_counters *c, uint16_t in, uint16_t o, uint32_t len)
{
	uint32_t key = ((uint32_t)in << 16) | o;
	uint32_t h = (key * 0x9e3779b1u) >> 16;
	unsigned k;

	for (k = 0; k < 8; k++) {
		struct ixg_ctr_peer_pair *sl =
			&c->peer_pair[(h + k) & (IXG_PEER_PAIR_SLOTS - 1)];

		if (sl->key == 0)
			sl->key = key;
		if (sl->key == key) {
			sl->pb.packets++;
			sl->pb.bytes += len;
			return;
		}
	}
	c->peer_pair_overflow++;
}

static void
ref_output(struct ixg_lcore_counters *c, const struct burst *b,
	   uint32_t *want_lo, uint32_t *want_hi)
{
	unsigned i;

	for (i = 0; i < b->n; i++) {
		const struct pkt_meta *pm = &b->meta[i];
		struct ixg_ctr_port *in = &c->port[pm->in_port];
		struct rte_mbuf tag;
		unsigned r;

		c->rx_packets++;
		in->rx.packets++;
		in->rx.bytes += pm->rx_len;
		if (pm->in_peer != IXG_PEER_NONE) {
			c->peer[pm->in_peer].rx.packets++;
			c->peer[pm->in_peer].rx.bytes += pm->rx_len;
		}
		if (pm->acl_rule != 0 && pm->acl_rule < IXG_MAX_ACL_RULES)
			c->acl_hits[pm->acl_rule]++;
		switch (pm->verdict) {
		case VERDICT_FORWARD:
			c->tx_packets++;
			in->fwd++;
			c->port[pm->out_port].tx.packets++;
			c->port[pm->out_port].tx.bytes += pm->rx_len;
			c->peer[pm->out_peer].tx.packets++;
			c->peer[pm->out_peer].tx.bytes += pm->rx_len;
			if (pm->in_peer != IXG_PEER_NONE)
				ref_pair(c, pm->in_peer, pm->out_peer,
					 pm->rx_len);
			if (pm->src_country < IXG_MAX_COUNTRIES &&
			    pm->dst_country < IXG_MAX_COUNTRIES) {
				c->country_pair[pm->src_country]
					       [pm->dst_country]
						       .packets++;
				c->country_pair[pm->src_country]
					       [pm->dst_country]
						       .bytes += pm->rx_len;
			}
			if (pm->class_id < IXG_MAX_CLASSES && pm->colour <= 2)
				c->class_colour[pm->class_id][pm->colour]++;
			out_tag_set(&tag, OUT_TAG_FORWARD, pm);
			break;
		case VERDICT_LOCAL:
			c->local_packets++;
			in->local++;
			out_tag_set(&tag, OUT_TAG_LOCAL, pm);
			break;
		case VERDICT_PUNT:
			c->punted++;
			in->punted++;
			out_tag_set(&tag, OUT_TAG_NONE, pm);
			break;
		default:
			r = pm->verdict == VERDICT_DROP &&
					    pm->drop_reason < IXG_DROP_MAX
				    ? pm->drop_reason
				    : IXG_DROP_NO_ROUTE;
			c->drops[r]++;
			in->drops[r]++;
			if (pm->in_peer != IXG_PEER_NONE)
				c->peer[pm->in_peer].drops++;
			if ((r == IXG_DROP_POLICER_RED ||
			     r == IXG_DROP_POLICER_YELLOW) &&
			    pm->class_id < IXG_MAX_CLASSES && pm->colour <= 2)
				c->class_colour[pm->class_id][pm->colour]++;
			tag.hash.fdir.lo = tag.hash.fdir.hi = 0;
			break;
		}
		want_lo[i] = tag.hash.fdir.lo;
		want_hi[i] = tag.hash.fdir.hi;
	}
}

static uint64_t
rng_next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dull;
}

/*
 * c's peers' rx and tx as every reader shows them (ixg_ctr_value scanning
 * the slots, with ixg_ctr_src_fold, a walk's value, stats_sum's total)
 * equal ref's, which counts them per packet as first written (every
 * forwarded packet on both peers, besides its pair); then, those set to
 * ref's, c is ref byte for byte. sum: also through stats_sum.
 */
static void
assert_peers_as_ref(const struct ixg_lcore_counters *c,
		    const struct ixg_lcore_counters *ref, bool sum)
{
	static const unsigned fams[4] = {
		IXG_CF_peer_received_packets_total,
		IXG_CF_peer_received_bytes_total,
		IXG_CF_peer_transmitted_packets_total,
		IXG_CF_peer_transmitted_bytes_total,
	};
	struct ixg_lcore_counters *tmp = malloc(sizeof(*tmp));
	struct ixg_lcore_counters *total = sum ? calloc(1, sizeof(*tmp)) : NULL;
	struct ixg_ctr_src src, folded, summed;
	struct ixg_ctr_walk *w;

	assert_non_null(tmp);
	ixg_ctr_src_one(&src, c);
	ixg_ctr_src_one(&folded, c);
	assert_int_equal(ixg_ctr_src_fold(&folded), 0);
	w = ixg_ctr_walk_new(&src, NULL, 0, 0);
	assert_non_null(w);
	if (sum) {
		struct ixg_lcore_counters *blk = (struct ixg_lcore_counters *)c;

		assert_non_null(total);
		stats_sum(&blk, 1, total);
		ixg_ctr_src_one(&summed, total);
	}
	memcpy(tmp, c, sizeof(*tmp));
	for (uint16_t id = 0; id < 8; id++) {
		const uint64_t *want = &ref->peer[id].rx.packets;
		uint64_t *word = &tmp->peer[id].rx.packets;

		for (unsigned k = 0; k < 4; k++) {
			assert_int_equal(ixg_ctr_value(&src, fams[k], id, 0),
					 want[k]);
			assert_int_equal(ixg_ctr_value(&folded, fams[k], id, 0),
					 want[k]);
			assert_int_equal(ixg_ctr_walk_value(w, fams[k], id, 0),
					 want[k]);
			if (sum)
				assert_int_equal(
					ixg_ctr_value(&summed, fams[k], id, 0),
					want[k]);
			word[k] = want[k];
		}
	}
	assert_memory_equal(tmp, ref, sizeof(*ref));
	ixg_ctr_walk_free(w);
	ixg_ctr_src_unfold(&folded);
	free(total);
	free(tmp);
}

/*
 * Random bursts (every verdict, drop reasons in and out of range, peers
 * with and without an ingress peer, countries and classes in and out of
 * range, ACL rules, lengths) through stage_output and ref_output: the
 * counter blocks are the same after every burst (assert_peers_as_ref:
 * the peers as readers show them), and every packet handed out is where
 * the reference puts it with the tag it computes. From round 200 the
 * pair table is full (every empty slot given a flagged key, which no
 * packet matches and no reader counts): new pairs overflow, their peers
 * counted directly.
 */
static void
test_matches_simple_version(void **state)
{
	struct ixg_lcore_counters *ref;
	uint64_t x = 0x2545f4914f6cdd1dull;
	unsigned round, i;

	(void)state;
	ref = rte_zmalloc("ref", sizeof(*ref), 64);
	assert_non_null(ref);
	for (round = 0; round < 300; round++) {
		uint32_t want_lo[PIPELINE_BURST], want_hi[PIPELINE_BURST];
		uint16_t want_n[IXG_MAX_PORTS] = {0};
		struct rte_mbuf *want[IXG_MAX_PORTS][PIPELINE_BURST];
		unsigned n_punt = 0, p;
		struct burst b;

		dp_burst_init(&b, (uint16_t)(rng_next(&x) % 4));
		b.n = (uint16_t)(1 + rng_next(&x) % PIPELINE_BURST);
		for (i = 0; i < b.n; i++) {
			struct pkt_meta *pm = &b.meta[i];
			uint64_t r = rng_next(&x), v = rng_next(&x);
			static const uint8_t verdicts[] = {
				VERDICT_FORWARD, VERDICT_FORWARD,
				VERDICT_FORWARD, VERDICT_LOCAL,
				VERDICT_DROP,	 VERDICT_PUNT,
				VERDICT_CONTINUE};
			static uint8_t zeros[128];

			memset(pm, 0, sizeof(*pm));
			pm->verdict = verdicts[r % RTE_DIM(verdicts)];
			pm->drop_reason = (uint8_t)((r >> 8) %
						    (IXG_DROP_MAX + 2));
			pm->in_port = b.port;
			pm->out_port = (uint16_t)((r >> 16) % 4);
			pm->in_peer = (uint16_t)((r >> 20) % 6);
			pm->out_peer = (uint16_t)(1 + (r >> 24) % 5);
			/* Later rounds: new pairs, which overflow. */
			if (round >= 200 && (r >> 28) % 3 == 0)
				pm->in_peer = 6, pm->out_peer = 7;
			pm->src_country = (uint16_t)((v % 5) * 100);
			pm->dst_country = (uint16_t)((v >> 8) % 300);
			pm->class_id = (uint16_t)((v >> 16) % 70);
			pm->colour = (uint8_t)((v >> 24) % 4);
			pm->acl_rule = (uint32_t)((v >> 32) % 3 == 0
							  ? 0
							  : (v >> 34) % 5000);
			pm->rx_len = (uint32_t)(60 + (v >> 48) % 1500);
			b.pkts[i] = dp_test_mbuf(zeros, 60, b.port);
		}
		if (round == 200)
			for (i = 0; i < IXG_PEER_PAIR_SLOTS; i++)
				if (ref->peer_pair[i].key == 0)
					ref->peer_pair[i].key =
						ctx.ctr->peer_pair[i].key =
							IXG_PEER_PAIR_NO_IN |
							IXG_PEER_PAIR_NO_OUT |
							(uint32_t)i;
		ref_output(ref, &b, want_lo, want_hi);
		for (i = 0; i < b.n; i++) {
			const struct pkt_meta *pm = &b.meta[i];

			if (pm->verdict == VERDICT_FORWARD)
				want[pm->out_port][want_n[pm->out_port]++] =
					b.pkts[i];
			else if (pm->verdict == VERDICT_LOCAL)
				want[pm->in_port][want_n[pm->in_port]++] =
					b.pkts[i];
		}
		memset(&out, 0, sizeof(out));
		stage_output(&ctx, &b, &out);
		assert_peers_as_ref(ctx.ctr, ref, round % 50 == 49);
		for (p = 0; p < IXG_MAX_PORTS; p++) {
			assert_int_equal(out.n[p], want_n[p]);
			for (i = 0; i < out.n[p]; i++)
				assert_ptr_equal(out.pkts[p][i], want[p][i]);
		}
		for (i = 0; i < b.n; i++) {
			const struct pkt_meta *pm = &b.meta[i];

			if (pm->verdict != VERDICT_FORWARD &&
			    pm->verdict != VERDICT_LOCAL &&
			    pm->verdict != VERDICT_PUNT)
				continue; /* freed by stage_output */
			assert_int_equal(b.pkts[i]->hash.fdir.lo, want_lo[i]);
			assert_int_equal(b.pkts[i]->hash.fdir.hi, want_hi[i]);
			if (pm->verdict == VERDICT_PUNT)
				n_punt++;
			rte_pktmbuf_free(b.pkts[i]);
		}
		assert_int_equal(out.n_punt, n_punt);
	}
	assert_true(ref->peer_pair_overflow > 0);
	rte_free(ref);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_counts_and_dispatch, setup),
		cmocka_unit_test_setup(test_every_drop_reason_counted, setup),
		cmocka_unit_test_setup(test_peer_pairs, setup),
		cmocka_unit_test_setup(test_matches_simple_version, setup),
	};

	dp_test_eal_init("test_output", 0);
	tbl = calloc(1, sizeof(*tbl));
	if (tbl == NULL)
		return 1;
	dp_ctx_init(&ctx, tbl);
	ctx.ctr = rte_zmalloc("ctr", sizeof(*ctx.ctr), 64);
	if (ctx.ctr == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
