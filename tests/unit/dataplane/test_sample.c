/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sample.c - the sample channel (ixg_api.h, common/ixg_samples.c,
 * dataplane/sample.h) and 1-in-N sampling (stage_sample, sample_complete).
 *
 * The ring: FIFO order, full and empty, index wrap-around, a cursor a bad
 * reader wrote (treated as a full ring, never a write outside it), the
 * layout in a counters region and its checks, one producer thread against
 * one consumer (every record whole, in order). Sampling: per-port rates
 * (a port that does not sample costs nothing and counts nothing), the
 * 1-in-N count over 100k packets within a binomial bound, geometric gaps
 * (mean N, variance (1-p)/p^2, gaps beyond 2N), the same packets sampled
 * however the stream is cut into bursts, what a record holds (the frame
 * as received even if a later stage rewrites it, the fate, the port's
 * pool), a full ring counted in sample_dropped (node and port).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
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

#include "dp_test_util.h"
#include "ixg_samples.h"
#include "pipeline.h"
#include "sample.h"

static struct tables *tbl;
static struct pipeline_ctx ctx;
static struct burst_out out;
static struct ixg_sample_ring *ring;
static struct ixg_sample_cursor cursor;

static void
set_rate(uint16_t port, uint32_t rate)
{
	tbl->ports[port].sample_rate = rate;
}

static int
setup(void **state)
{
	(void)state;
	memset(ctx.ctr, 0, sizeof(*ctx.ctr));
	memset(&out, 0, sizeof(out));
	ixg_sample_ring_init(ring);
	memset(&cursor, 0, sizeof(cursor));
	ctx.samples = ring;
	ctx.sample_cursor = &cursor;
	memset(ctx.sample_skip, 0, sizeof(ctx.sample_skip));
	ctx.sample_rng = 0;
	ctx.sample_n = 0;
	for (unsigned p = 0; p < IXG_MAX_PORTS; p++)
		set_rate((uint16_t)p, 0);
	return 0;
}

static void
push(uint32_t seq)
{
	struct ixg_sample_record *rec = sample_ring_reserve(ring, &cursor, 0);

	assert_non_null(rec);
	rec->frame_len = seq;
	rec->verdict = IXG_SAMPLE_DROP;
	sample_ring_commit(ring, 1);
}

static int
pop(struct ixg_sample_record *rec)
{
	return ixg_samples_pop(ring, &cursor, rec);
}

static void
test_ring_fifo(void **state)
{
	struct ixg_sample_record rec, peek[4];
	uint32_t i;

	(void)state;
	assert_int_equal(pop(&rec), -EAGAIN);
	assert_int_equal(ixg_samples_peek(ring, peek, 4), 0);
	assert_int_equal(ixg_samples_waiting(ring, &cursor), 0);
	for (i = 0; i < 3; i++)
		push(100 + i);
	assert_int_equal(ixg_samples_waiting(ring, &cursor), 3);
	/* peek: newest first, nothing consumed */
	assert_int_equal(ixg_samples_peek(ring, peek, 4), 3);
	assert_int_equal(peek[0].frame_len, 102);
	assert_int_equal(peek[2].frame_len, 100);
	for (i = 0; i < 3; i++) {
		assert_int_equal(pop(&rec), 0);
		assert_int_equal(rec.frame_len, 100 + i);
		assert_int_equal(rec.seq, i + 1);
	}
	assert_int_equal(pop(&rec), -EAGAIN);
}

/* IXG_SAMPLE_RING_SIZE records fit, the next does not; a pop frees one. */
static void
test_ring_full(void **state)
{
	struct ixg_sample_record rec;
	uint32_t i;

	(void)state;
	for (i = 0; i < IXG_SAMPLE_RING_SIZE; i++)
		push(i);
	assert_int_equal(ixg_samples_waiting(ring, &cursor),
			 IXG_SAMPLE_RING_SIZE);
	assert_null(sample_ring_reserve(ring, &cursor, 0));
	assert_int_equal(pop(&rec), 0);
	assert_int_equal(rec.frame_len, 0);
	push(IXG_SAMPLE_RING_SIZE);
	assert_null(sample_ring_reserve(ring, &cursor, 0));
	for (i = 1; i <= IXG_SAMPLE_RING_SIZE; i++) {
		assert_int_equal(pop(&rec), 0);
		assert_int_equal(rec.frame_len, i);
	}
	assert_int_equal(pop(&rec), -EAGAIN);
	/* discard frees everything waiting */
	push(1);
	push(2);
	assert_int_equal(ixg_samples_discard(ring, &cursor), 2);
	assert_int_equal(pop(&rec), -EAGAIN);
}

/* Free-running 32-bit indices wrap without losing order or capacity. */
static void
test_ring_wrap(void **state)
{
	struct ixg_sample_record rec;
	uint32_t i, start = UINT32_MAX - 5;

	(void)state;
	ring->head = start;
	ring->tail_cache = start;
	cursor.tail = start;
	for (i = 0; i < IXG_SAMPLE_RING_SIZE; i++)
		push(i);
	assert_null(sample_ring_reserve(ring, &cursor, 0));
	for (i = 0; i < IXG_SAMPLE_RING_SIZE; i++) {
		assert_int_equal(pop(&rec), 0);
		assert_int_equal(rec.frame_len, i);
	}
	assert_int_equal(pop(&rec), -EAGAIN);
	assert_true(ring->head < start);
}

/* A reader that writes garbage into its cursor: the producer treats the
 * ring as full (never writes outside it, never waits); the reader's own
 * resume puts the cursor back in range. */
static void
test_bad_cursor(void **state)
{
	struct ixg_sample_record rec;

	(void)state;
	push(1);
	/* (the producer reads the cursor when its cached tail runs out) */
	cursor.tail = 0x80000000u;
	ring->tail_cache = ring->head - IXG_SAMPLE_RING_SIZE;
	assert_null(sample_ring_reserve(ring, &cursor, 0));
	assert_int_equal(ixg_samples_waiting(ring, &cursor), 0);
	assert_int_equal(pop(&rec), -EAGAIN); /* reset to head */
	assert_int_equal(cursor.tail, ring->head);
	push(2);
	assert_int_equal(pop(&rec), 0);
	assert_int_equal(rec.frame_len, 2);
	/* ahead of the producer */
	cursor.tail = ring->head + 5;
	ring->tail_cache = ring->head - IXG_SAMPLE_RING_SIZE;
	assert_null(sample_ring_reserve(ring, &cursor, 0));
	assert_int_equal(ixg_samples_resume(ring, &cursor), 0);
	push(3);
	assert_int_equal(pop(&rec), 0);
	assert_int_equal(rec.frame_len, 3);
	/* records out of range are refused by the check */
	rec.in_port = IXG_MAX_PORTS;
	assert_int_equal(ixg_sample_record_check(&rec), -EINVAL);
	rec.in_port = 0;
	rec.hdr_len = IXG_SAMPLE_HDR_MAX + 1;
	assert_int_equal(ixg_sample_record_check(&rec), -EINVAL);
	rec.hdr_len = 0;
	rec.drop_reason = IXG_DROP_MAX;
	assert_int_equal(ixg_sample_record_check(&rec), -EINVAL);
	rec.drop_reason = 0;
	assert_int_equal(ixg_sample_record_check(&rec), 0);
}

/* The channel in a counters region: laid out after the port info, found
 * and checked by a reader; a region too small or of another layout is
 * refused. */
static void
test_layout(void **state)
{
	const unsigned n_blocks = 3, n_rings = 2;
	size_t size = ixg_samples_end(n_blocks, n_rings);
	struct ixg_samples_view v;
	uint8_t *region = aligned_alloc(64, (size + 63) & ~(size_t)63);

	(void)state;
	assert_non_null(region);
	memset(region, 0, size);
	assert_int_equal(ixg_samples_view(region, size, n_blocks, &v), -ENOENT);
	assert_int_equal(
		ixg_samples_layout(region, size - 1, n_blocks, n_rings),
		-ENOSPC);
	assert_int_equal(ixg_samples_layout(region, size, n_blocks, n_rings),
			 0);
	assert_int_equal(ixg_samples_rings_offset(n_blocks) % 64, 0);
	assert_int_equal(ixg_samples_view(region, size, n_blocks, &v), 0);
	assert_int_equal(v.n_rings, n_rings);
	assert_non_null(ixg_samples_ring(&v, 1));
	assert_null(ixg_samples_ring(&v, 2));
	assert_int_equal(ixg_samples_consumer(&v), 0);
	assert_int_equal(ixg_samples_view(region, size - 1, n_blocks, &v),
			 -EPROTO);
	((struct ixg_sample_ring *)(void *)(region +
					    ixg_samples_rings_offset(n_blocks)))
		->record_size++;
	assert_int_equal(ixg_samples_view(region, size, n_blocks, &v), -EPROTO);
	free(region);
}

#define THREAD_RECORDS 300000u

static void *
producer(void *arg)
{
	uint32_t seq;

	(void)arg;
	for (seq = 0; seq < THREAD_RECORDS; seq++) {
		struct ixg_sample_record *rec;

		while ((rec = sample_ring_reserve(ring, &cursor, 0)) == NULL)
			;
		rec->frame_len = seq;
		rec->verdict = IXG_SAMPLE_FORWARD;
		/* the whole record is published, not just one field */
		memset(rec->hdr, (int)(seq & 0xff), sizeof(rec->hdr));
		sample_ring_commit(ring, 1);
	}
	return NULL;
}

/* One producer thread, one consumer: every record arrives once, in order,
 * whole. */
static void
test_ring_threads(void **state)
{
	struct ixg_sample_record rec;
	pthread_t th;
	uint32_t next = 0;
	unsigned k;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, producer, NULL), 0);
	while (next < THREAD_RECORDS) {
		int rc = pop(&rec);

		if (rc == -EAGAIN)
			continue;
		assert_int_equal(rc, 0);
		assert_int_equal(rec.frame_len, next);
		for (k = 0; k < sizeof(rec.hdr); k++)
			if (rec.hdr[k] != (next & 0xff))
				fail_msg("record %u torn at byte %u", next, k);
		next++;
	}
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(pop(&rec), -EAGAIN);
}

/* ---- sampling in the pipeline ---- */

static uint8_t frame[2048];

/* A packet of `len` bytes (frame[0..len)) with the verdict given; its
 * sequence number rides in meta.acl_rule (copied to the record). */
static unsigned
add(struct burst *b, uint8_t verdict, uint32_t len, uint32_t seq)
{
	unsigned i = b->n++;
	struct pkt_meta *pm = &b->meta[i];

	b->pkts[i] = dp_test_mbuf(frame, len, b->port);
	memset(pm, 0, sizeof(*pm));
	pm->verdict = verdict;
	pm->drop_reason = verdict == VERDICT_DROP ? IXG_DROP_NO_ROUTE : 0;
	pm->in_port = b->port;
	pm->in_peer = 1;
	pm->out_peer = verdict == VERDICT_FORWARD ? 2 : 0;
	pm->out_port = verdict == VERDICT_FORWARD ? 1 : 0;
	pm->rx_len = len;
	pm->acl_rule = seq;
	return i;
}

static void
free_out(void)
{
	unsigned p, i;

	for (p = 0; p < IXG_MAX_PORTS; p++) {
		for (i = 0; i < out.n[p]; i++)
			rte_pktmbuf_free(out.pkts[p][i]);
		out.n[p] = 0;
	}
}

/* What pipeline_run does around the stages sampling lives in. */
static void
run(struct burst *b)
{
	stage_sample(&ctx, b);
	memset(&out, 0, sizeof(out));
	stage_output(&ctx, b, &out);
	free_out();
}

static void
assert_invariant(const struct ixg_lcore_counters *c)
{
	uint64_t drops = 0;
	unsigned r;

	for (r = 0; r < IXG_DROP_MAX; r++)
		drops += c->drops[r];
	assert_int_equal(c->rx_packets,
			 c->tx_packets + c->local_packets + c->punted + drops);
}

/*
 * N = 100 over 100k packets of every verdict. Each packet is sampled with
 * probability 1/N independently, so the count is binomial(100000, 0.01):
 * within 4 standard deviations (sqrt(100000 * 0.01 * 0.99) ~ 31.5) of
 * 1000. The gaps are geometric: mean N, variance (1 - p) / p^2 = 9900
 * (within 30%), a share (1 - p)^N ~ e^-1 longer than N, and some beyond
 * 2N (a uniform skip never goes there).
 */
static void
test_rate_statistics(void **state)
{
	const uint32_t n_pkts = 100000, rate = 100;
	static uint32_t seqs[4096];
	uint32_t seq = 0, n_samples = 0, i, longer = 0, beyond = 0;
	unsigned verdicts[4] = {0};
	double mean, var = 0, expect_var = (1 - 0.01) / (0.01 * 0.01);
	struct ixg_sample_record rec;
	struct burst b;

	(void)state;
	set_rate(0, rate);
	while (seq < n_pkts) {
		dp_burst_init(&b, 0);
		for (i = 0; i < PIPELINE_BURST; i++, seq++)
			add(&b, (uint8_t)(VERDICT_FORWARD + seq % 3), 64, seq);
		run(&b);
		while (pop(&rec) == 0) {
			assert_true(n_samples < 4096);
			assert_int_equal(ixg_sample_record_check(&rec), 0);
			assert_int_equal(rec.rate, rate);
			assert_int_equal(rec.verdict,
					 VERDICT_FORWARD + rec.acl_rule % 3);
			verdicts[rec.verdict]++;
			seqs[n_samples++] = rec.acl_rule;
		}
	}
	assert_int_equal(ctx.ctr->sampled, n_samples);
	assert_int_equal(ctx.ctr->sample_dropped, 0);
	assert_int_equal(ctx.ctr->rx_packets, seq);
	assert_int_equal(ctx.ctr->port[0].sample_pool, seq);
	assert_invariant(ctx.ctr);
	assert_in_range(n_samples, 1000 - 126, 1000 + 126);
	/* every verdict is sampled (ingress sampling, sFlow style) */
	for (i = IXG_SAMPLE_FORWARD; i <= IXG_SAMPLE_DROP; i++)
		assert_in_range(verdicts[i], n_samples / 3 - 80,
				n_samples / 3 + 80);

	mean = (double)(seqs[n_samples - 1] - seqs[0]) / (n_samples - 1);
	for (i = 1; i < n_samples; i++) {
		uint32_t gap = seqs[i] - seqs[i - 1];
		double d = (double)gap - mean;

		assert_true(gap >= 1);
		var += d * d;
		longer += gap > rate;
		beyond += gap > 2 * rate;
	}
	var /= n_samples - 2;
	assert_true(mean > 0.9 * rate && mean < 1.1 * rate);
	assert_true(var > 0.7 * expect_var && var < 1.3 * expect_var);
	/* e^-1 of ~1000 gaps: 366 +- 4 sd (15) */
	assert_in_range(longer, 366 - 62, 366 + 62);
	/* e^-2: ~135 */
	assert_in_range(beyond, 135 - 50, 135 + 50);
}

/*
 * Sequence numbers of the packets sampled from n_pkts packets cut into
 * bursts of the sizes in `cuts` (cycled, 0 included), from a fresh
 * sampling state.
 */
static uint32_t
sampled_seqs(uint32_t rate, uint32_t n_pkts, const unsigned *cuts,
	     unsigned n_cuts, uint32_t *seqs, uint32_t max)
{
	struct ixg_sample_record rec;
	uint32_t seq = 0, n = 0, k = 0;
	struct burst b;

	setup(NULL);
	set_rate(0, rate);
	while (seq < n_pkts) {
		unsigned want = cuts[k++ % n_cuts];

		dp_burst_init(&b, 0);
		for (; b.n < want && seq < n_pkts; seq++)
			add(&b, VERDICT_FORWARD, 64, seq);
		run(&b);
		while (pop(&rec) == 0) {
			assert_true(n < max);
			seqs[n++] = rec.acl_rule;
		}
	}
	assert_int_equal(ctx.ctr->sampled, n);
	return n;
}

/*
 * Which packets are sampled depends only on their order and the drawn
 * gaps, never on how they were cut into bursts: stage_sample finds the
 * sampled packets of a burst by arithmetic, and must land exactly where a
 * packet-by-packet countdown would (bursts of 1 are that countdown).
 * Rates 1, 2, 3 and 100; bursts of 0..32 packets.
 */
static void
test_burst_cuts(void **state)
{
	static const unsigned ones[] = {1};
	static const unsigned full[] = {PIPELINE_BURST};
	static const unsigned mixed[] = {7, 0, 32, 1, 31, 2, 16, 0, 5, 32};
	static const uint32_t rates[] = {1, 2, 3, 100};
	static uint32_t a[20000], bb[20000], c[20000];
	unsigned r;

	(void)state;
	for (r = 0; r < RTE_DIM(rates); r++) {
		uint32_t n_pkts = rates[r] == 100 ? 20000 : 3000;
		uint32_t na, nb, nc;

		na = sampled_seqs(rates[r], n_pkts, ones, 1, a, RTE_DIM(a));
		nb = sampled_seqs(rates[r], n_pkts, full, 1, bb, RTE_DIM(bb));
		nc = sampled_seqs(rates[r], n_pkts, mixed, RTE_DIM(mixed), c,
				  RTE_DIM(c));
		assert_true(na > 0);
		assert_int_equal(na, nb);
		assert_int_equal(na, nc);
		assert_memory_equal(a, bb, na * sizeof(a[0]));
		assert_memory_equal(a, c, na * sizeof(a[0]));
		if (rates[r] == 1)
			assert_int_equal(na, n_pkts);
	}
}

/* Rate 1: every packet. The record is the frame as received (even when a
 * later stage rewrites it in place), its length, port and pool, and the
 * fate stage_output saw. */
static void
test_record_content(void **state)
{
	struct ixg_sample_record rec;
	struct burst b;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 13 + 5);
	set_rate(3, 1);
	ctx.now_tsc = 123456789;
	ctx.now_unix = 1700000000;
	dp_burst_init(&b, 3);
	i = add(&b, VERDICT_FORWARD, 300, 7);
	b.meta[i].src_country = 4;
	b.meta[i].dst_country = 5;
	b.meta[i].class_id = 6;
	i = add(&b, VERDICT_DROP, 60, 8);
	b.meta[i].drop_reason = IXG_DROP_ACL_DENY;
	add(&b, VERDICT_LOCAL, 128, 9);
	stage_sample(&ctx, &b);
	assert_int_equal(ctx.sample_n, 3);
	/* a rewrite after sampling does not reach the record */
	memset(rte_pktmbuf_mtod(b.pkts[0], uint8_t *), 0xee, 20);
	memset(&out, 0, sizeof(out));
	stage_output(&ctx, &b, &out);
	free_out();
	assert_int_equal(ctx.ctr->sampled, 3);
	assert_int_equal(ctx.ctr->port[3].sample_pool, 3);
	assert_int_equal(ixg_samples_waiting(ring, &cursor), 3);

	assert_int_equal(pop(&rec), 0);
	assert_int_equal(rec.verdict, IXG_SAMPLE_FORWARD);
	assert_int_equal(rec.hdr_len, IXG_SAMPLE_HDR_MAX);
	assert_memory_equal(rec.hdr, frame, IXG_SAMPLE_HDR_MAX);
	assert_int_equal(rec.frame_len, 300);
	assert_int_equal(rec.in_port, 3);
	assert_int_equal(rec.out_port, 1);
	assert_int_equal(rec.in_peer, 1);
	assert_int_equal(rec.out_peer, 2);
	assert_int_equal(rec.src_country, 4);
	assert_int_equal(rec.dst_country, 5);
	assert_int_equal(rec.class_id, 6);
	assert_int_equal(rec.acl_rule, 7);
	assert_int_equal(rec.tsc, 123456789);
	assert_int_equal(rec.unix_s, 1700000000);
	assert_int_equal(rec.rate, 1);
	assert_int_equal(rec.pool, 3);
	assert_int_equal(rec.drops, 0);

	assert_int_equal(pop(&rec), 0);
	assert_int_equal(rec.verdict, IXG_SAMPLE_DROP);
	assert_int_equal(rec.drop_reason, IXG_DROP_ACL_DENY);
	assert_int_equal(rec.hdr_len, 60);
	assert_memory_equal(rec.hdr, frame, 60);
	assert_int_equal(rec.out_peer, 0);
	assert_int_equal(rec.out_port, 0);

	assert_int_equal(pop(&rec), 0);
	assert_int_equal(rec.verdict, IXG_SAMPLE_LOCAL);
	assert_int_equal(rec.drop_reason, 0);
	assert_int_equal(rec.hdr_len, 128);

	/* A frame in two segments (50 + 100 bytes): the header is read
	 * across them. */
	{
		struct rte_mbuf *m1 = dp_test_mbuf(frame, 50, 3);
		struct rte_mbuf *m2 = dp_test_mbuf(frame + 50, 100, 3);

		assert_int_equal(rte_pktmbuf_chain(m1, m2), 0);
		dp_burst_init(&b, 3);
		b.pkts[0] = m1;
		b.n = 1;
		memset(&b.meta[0], 0, sizeof(b.meta[0]));
		b.meta[0].verdict = VERDICT_DROP;
		b.meta[0].in_port = 3;
		b.meta[0].rx_len = 150;
		run(&b);
		assert_int_equal(pop(&rec), 0);
		assert_int_equal(rec.hdr_len, 128);
		assert_int_equal(rec.frame_len, 150);
		assert_memory_equal(rec.hdr, frame, 128);
	}
}

/* A consumer that falls behind: the ring keeps the oldest samples, the
 * rest are counted in sample_dropped (node and port); room after a pop.
 * 140 bursts of 32 > IXG_SAMPLE_RING_SIZE. */
static void
test_ring_full_in_stage(void **state)
{
	struct ixg_sample_record rec;
	struct burst b;
	unsigned k, i;

	(void)state;
	set_rate(2, 1);
	for (k = 0; k < 140; k++) {
		dp_burst_init(&b, 2);
		for (i = 0; i < PIPELINE_BURST; i++)
			add(&b, VERDICT_DROP, 64, k * PIPELINE_BURST + i);
		run(&b);
	}
	assert_int_equal(ctx.ctr->sampled, IXG_SAMPLE_RING_SIZE);
	assert_int_equal(ctx.ctr->sample_dropped,
			 140 * PIPELINE_BURST - IXG_SAMPLE_RING_SIZE);
	assert_int_equal(ctx.ctr->port[2].sample_dropped,
			 140 * PIPELINE_BURST - IXG_SAMPLE_RING_SIZE);
	assert_int_equal(ctx.ctr->port[2].sample_pool, 140 * PIPELINE_BURST);
	assert_int_equal(ctx.ctr->rx_packets, 140 * PIPELINE_BURST);
	assert_invariant(ctx.ctr);
	for (i = 0; i < 10; i++) {
		assert_int_equal(pop(&rec), 0);
		assert_int_equal(rec.acl_rule, i); /* the oldest were kept */
	}
	dp_burst_init(&b, 2);
	for (i = 0; i < PIPELINE_BURST; i++)
		add(&b, VERDICT_DROP, 64, 5000 + i);
	run(&b);
	assert_int_equal(ctx.ctr->sampled, IXG_SAMPLE_RING_SIZE + 10);
	assert_int_equal(ctx.ctr->sample_dropped,
			 140 * PIPELINE_BURST - IXG_SAMPLE_RING_SIZE + 22);
}

/* Rates are per port: a port at 0 samples nothing and counts no pool; no
 * ring in the ctx (replay): nothing either; a port switched on later
 * starts; a rate change is honoured at once. */
static void
test_per_port(void **state)
{
	struct ixg_sample_record rec;
	struct burst b;
	unsigned k, i, n5 = 0;

	(void)state;
	set_rate(4, 0);
	set_rate(5, 1);
	for (k = 0; k < 10; k++) {
		dp_burst_init(&b, k % 2 ? 5 : 4);
		for (i = 0; i < PIPELINE_BURST; i++)
			add(&b, VERDICT_DROP, 64, i);
		run(&b);
	}
	assert_int_equal(ctx.ctr->port[4].sample_pool, 0);
	assert_int_equal(ctx.ctr->port[5].sample_pool, 5 * PIPELINE_BURST);
	while (pop(&rec) == 0) {
		assert_int_equal(rec.in_port, 5);
		n5++;
	}
	assert_int_equal(n5, 5 * PIPELINE_BURST);

	ctx.samples = NULL;
	dp_burst_init(&b, 5);
	add(&b, VERDICT_DROP, 64, 0);
	run(&b);
	assert_int_equal(ctx.ctr->sampled, 5 * PIPELINE_BURST);
	ctx.samples = ring;

	set_rate(4, 2);
	dp_burst_init(&b, 4);
	for (i = 0; i < PIPELINE_BURST; i++)
		add(&b, VERDICT_DROP, 64, i);
	run(&b);
	assert_int_equal(ctx.ctr->port[4].sample_pool, PIPELINE_BURST);
	assert_in_range(ixg_samples_waiting(ring, &cursor), 3,
			PIPELINE_BURST - 3);
	while (pop(&rec) == 0)
		assert_int_equal(rec.rate, 2);
	set_rate(4, 1);
	dp_burst_init(&b, 4);
	for (i = 0; i < PIPELINE_BURST; i++)
		add(&b, VERDICT_DROP, 64, i);
	run(&b);
	assert_int_equal(ixg_samples_waiting(ring, &cursor), PIPELINE_BURST);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ring_fifo, setup),
		cmocka_unit_test_setup(test_ring_full, setup),
		cmocka_unit_test_setup(test_ring_wrap, setup),
		cmocka_unit_test_setup(test_bad_cursor, setup),
		cmocka_unit_test_setup(test_layout, setup),
		cmocka_unit_test_setup(test_ring_threads, setup),
		cmocka_unit_test_setup(test_rate_statistics, setup),
		cmocka_unit_test_setup(test_record_content, setup),
		cmocka_unit_test_setup(test_burst_cuts, setup),
		cmocka_unit_test_setup(test_ring_full_in_stage, setup),
		cmocka_unit_test_setup(test_per_port, setup),
	};

	dp_test_eal_init("test_sample", 0);
	tbl = calloc(1, sizeof(*tbl));
	ring = aligned_alloc(64, sizeof(*ring));
	if (tbl == NULL || ring == NULL)
		return 1;
	dp_ctx_init(&ctx, tbl);
	ctx.ctr = rte_zmalloc("ctr", sizeof(*ctx.ctr), 64);
	if (ctx.ctr == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
