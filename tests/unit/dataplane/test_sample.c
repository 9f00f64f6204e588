/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sample.c - the sample ring (sample.h) on its own: FIFO order, full
 * and empty, index wrap-around, layout check, and one producer thread
 * against one consumer; and sampling in stage_output: the 1-in-N rate over
 * 100k packets within a binomial tolerance, skips drawn around N and not
 * periodic, the same packets sampled however the stream is cut into bursts, what a sample records (summary and first 128 bytes, across
 * segments too), a full ring counted in sample_dropped, sampling off.
 */
#include <errno.h>
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
#include "pipeline.h"
#include "sample.h"

static struct tables *tbl;
static struct pipeline_ctx ctx;
static struct burst_out out;
static struct sample_ring *ring;

static int
setup(void **state)
{
	(void)state;
	memset(ctx.ctr, 0, sizeof(*ctx.ctr));
	memset(&out, 0, sizeof(out));
	assert_int_equal(sample_ring_init(ring), 0);
	ctx.samples = ring;
	ctx.sample_skip = 0;
	ctx.sample_rng = 0;
	tbl->node.sample_rate = 0;
	return 0;
}

static void
push(struct sample_ring *r, uint32_t seq)
{
	struct sample_record *rec = sample_ring_reserve(r);

	assert_non_null(rec);
	rec->rx_len = seq;
	sample_ring_commit(r);
}

static void
test_ring_fifo(void **state)
{
	struct sample_record rec;
	uint32_t i;

	(void)state;
	assert_int_equal(sample_ring_check(ring), 0);
	assert_int_equal(sample_ring_memsize(), sizeof(struct sample_ring));
	assert_int_equal(sample_ring_memsize() % 64, 0);
	assert_int_equal(sample_ring_init(NULL), -EINVAL);
	assert_int_equal(sample_ring_check(NULL), -EINVAL);
	assert_int_equal(sample_ring_pop(ring, &rec), -EAGAIN);
	assert_int_equal(sample_ring_count(ring), 0);
	for (i = 0; i < 3; i++)
		push(ring, 100 + i);
	assert_int_equal(sample_ring_count(ring), 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(sample_ring_pop(ring, &rec), 0);
		assert_int_equal(rec.rx_len, 100 + i);
	}
	assert_int_equal(sample_ring_pop(ring, &rec), -EAGAIN);

	/* A ring of another layout is refused. */
	ring->record_size++;
	assert_int_equal(sample_ring_check(ring), -EPROTO);
	ring->record_size--;
	ring->magic ^= 1;
	assert_int_equal(sample_ring_check(ring), -EPROTO);
}

/* SAMPLE_RING_SIZE records fit, the next does not; a pop frees a slot. */
static void
test_ring_full(void **state)
{
	struct sample_record rec;
	uint32_t i;

	(void)state;
	for (i = 0; i < SAMPLE_RING_SIZE; i++)
		push(ring, i);
	assert_int_equal(sample_ring_count(ring), SAMPLE_RING_SIZE);
	assert_null(sample_ring_reserve(ring));
	assert_int_equal(sample_ring_pop(ring, &rec), 0);
	assert_int_equal(rec.rx_len, 0);
	push(ring, SAMPLE_RING_SIZE);
	assert_null(sample_ring_reserve(ring));
	for (i = 1; i <= SAMPLE_RING_SIZE; i++) {
		assert_int_equal(sample_ring_pop(ring, &rec), 0);
		assert_int_equal(rec.rx_len, i);
	}
	assert_int_equal(sample_ring_pop(ring, &rec), -EAGAIN);
}

/* Free-running 32-bit indices wrap without losing order or capacity. */
static void
test_ring_wrap(void **state)
{
	struct sample_record rec;
	uint32_t i, start = UINT32_MAX - 5;

	(void)state;
	atomic_store(&ring->head, start);
	atomic_store(&ring->tail, start);
	ring->tail_cache = start;
	for (i = 0; i < SAMPLE_RING_SIZE; i++)
		push(ring, i);
	assert_null(sample_ring_reserve(ring));
	assert_int_equal(sample_ring_count(ring), SAMPLE_RING_SIZE);
	for (i = 0; i < SAMPLE_RING_SIZE; i++) {
		assert_int_equal(sample_ring_pop(ring, &rec), 0);
		assert_int_equal(rec.rx_len, i);
	}
	assert_int_equal(sample_ring_pop(ring, &rec), -EAGAIN);
	assert_true(atomic_load(&ring->head) < start);
}

#define THREAD_RECORDS 300000u

static void *
producer(void *arg)
{
	struct sample_ring *r = arg;
	uint32_t seq;

	for (seq = 0; seq < THREAD_RECORDS; seq++) {
		struct sample_record *rec;

		while ((rec = sample_ring_reserve(r)) == NULL)
			;
		rec->rx_len = seq;
		/* the whole record is published, not just one field */
		memset(rec->hdr, (int)(seq & 0xff), sizeof(rec->hdr));
		sample_ring_commit(r);
	}
	return NULL;
}

/* One producer thread, one consumer: every record arrives once, in order,
 * whole. */
static void
test_ring_threads(void **state)
{
	struct sample_record rec;
	pthread_t th;
	uint32_t next = 0;
	unsigned k;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, producer, ring), 0);
	while (next < THREAD_RECORDS) {
		if (sample_ring_pop(ring, &rec) != 0)
			continue;
		assert_int_equal(rec.rx_len, next);
		for (k = 0; k < sizeof(rec.hdr); k++)
			if (rec.hdr[k] != (next & 0xff))
				fail_msg("record %u torn at byte %u", next, k);
		next++;
	}
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(sample_ring_pop(ring, &rec), -EAGAIN);
}

/* ---- sampling in stage_output ---- */

static uint8_t frame[2048];

/* A packet of `len` bytes (frame[0..len)) with the verdict given. */
static unsigned
add(struct burst *b, uint8_t verdict, uint32_t len, uint32_t rx_len)
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
	pm->rx_len = rx_len;
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
 * N = 100 over 100k packets of every verdict. The count of samples is
 * within 4 binomial standard deviations of 1000 (sqrt(100000 * 0.01 *
 * 0.99) ~ 31.5); the gaps between samples are the drawn skips: all in
 * [1, 2N - 1], mean N, spread like a uniform (variance ((2N-1)^2 - 1)/12),
 * taking many values, so sampling is not periodic.
 */
static void
test_rate_statistics(void **state)
{
	const uint32_t n_pkts = 100000, rate = 100;
	static uint32_t seqs[4096];
	uint32_t seq = 0, n_samples = 0, i;
	unsigned verdicts[4] = {0}, distinct = 0;
	static uint8_t seen[2 * 100];
	double mean, var = 0, expect_var;
	uint32_t gmin = UINT32_MAX, gmax = 0;
	struct sample_record rec;
	struct burst b;

	(void)state;
	tbl->node.sample_rate = rate;
	while (seq < n_pkts) {
		dp_burst_init(&b, 0);
		for (i = 0; i < PIPELINE_BURST; i++, seq++)
			add(&b, (uint8_t)(VERDICT_FORWARD + seq % 3), 64, seq);
		memset(&out, 0, sizeof(out));
		stage_output(&ctx, &b, &out);
		free_out();
		while (sample_ring_pop(ring, &rec) == 0) {
			assert_true(n_samples < 4096);
			assert_int_equal(rec.rate, rate);
			assert_int_equal(rec.verdict,
					 VERDICT_FORWARD + rec.rx_len % 3);
			verdicts[rec.verdict]++;
			seqs[n_samples++] = rec.rx_len;
		}
	}
	assert_int_equal(ctx.ctr->sampled, n_samples);
	assert_int_equal(ctx.ctr->sample_dropped, 0);
	assert_int_equal(ctx.ctr->rx_packets, seq);
	assert_invariant(ctx.ctr);
	assert_in_range(n_samples, 1000 - 126, 1000 + 126);
	/* every verdict is sampled (ingress sampling, sFlow style) */
	for (i = SAMPLE_FORWARD; i <= SAMPLE_DROP; i++)
		assert_in_range(verdicts[i], n_samples / 3 - 80,
				n_samples / 3 + 80);

	for (i = 1; i < n_samples; i++) {
		uint32_t gap = seqs[i] - seqs[i - 1];

		assert_in_range(gap, 1, 2 * rate - 1);
		gmin = gap < gmin ? gap : gmin;
		gmax = gap > gmax ? gap : gmax;
		if (!seen[gap]) {
			seen[gap] = 1;
			distinct++;
		}
	}
	mean = (double)(seqs[n_samples - 1] - seqs[0]) / (n_samples - 1);
	for (i = 1; i < n_samples; i++) {
		double d = (double)(seqs[i] - seqs[i - 1]) - mean;

		var += d * d;
	}
	var /= n_samples - 2;
	expect_var = ((2.0 * rate - 1) * (2.0 * rate - 1) - 1) / 12;
	assert_true(mean > 0.9 * rate && mean < 1.1 * rate);
	assert_true(var > 0.7 * expect_var && var < 1.3 * expect_var);
	assert_true(gmin < 10 && gmax > 2 * rate - 10);
	assert_true(distinct > 150);
}

/*
 * Sequence numbers (rx_len) of the packets sampled from n_pkts packets cut
 * into bursts of the sizes in `cuts` (cycled, 0 included), from a fresh
 * sampling state.
 */
static uint32_t
sampled_seqs(uint32_t rate, uint32_t n_pkts, const unsigned *cuts,
	     unsigned n_cuts, uint32_t *seqs, uint32_t max)
{
	struct sample_record rec;
	uint32_t seq = 0, n = 0, k = 0;
	struct burst b;

	memset(ctx.ctr, 0, sizeof(*ctx.ctr));
	assert_int_equal(sample_ring_init(ring), 0);
	ctx.sample_skip = 0;
	ctx.sample_rng = 0;
	tbl->node.sample_rate = rate;
	while (seq < n_pkts) {
		unsigned want = cuts[k++ % n_cuts];

		dp_burst_init(&b, 0);
		for (; b.n < want && seq < n_pkts; seq++)
			add(&b, VERDICT_FORWARD, 64, seq);
		memset(&out, 0, sizeof(out));
		stage_output(&ctx, &b, &out);
		free_out();
		while (sample_ring_pop(ring, &rec) == 0) {
			assert_true(n < max);
			seqs[n++] = rec.rx_len;
		}
	}
	assert_int_equal(ctx.ctr->sampled, n);
	return n;
}

/*
 * Which packets are sampled depends only on their order and the drawn
 * skips, never on how they were cut into bursts: stage_output finds the
 * sampled packet of a burst by arithmetic, and must land exactly where a
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

/* Rate 1: every packet. The record is the packet's summary and its first
 * bytes: as sent for forwarded / local ones, as received for drops. */
static void
test_record_content(void **state)
{
	struct sample_record rec;
	struct burst b;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 13 + 5);
	tbl->node.sample_rate = 1;
	ctx.now_tsc = 123456789;
	ctx.now_unix = 1700000000;
	dp_burst_init(&b, 3);
	i = add(&b, VERDICT_FORWARD, 300, 300);
	b.meta[i].src_country = 4;
	b.meta[i].dst_country = 5;
	b.meta[i].class_id = 6;
	b.meta[i].acl_rule = 77;
	i = add(&b, VERDICT_DROP, 60, 60);
	b.meta[i].drop_reason = IXG_DROP_ACL_DENY;
	add(&b, VERDICT_LOCAL, 128, 128);
	stage_output(&ctx, &b, &out);
	free_out();
	assert_int_equal(ctx.ctr->sampled, 3);
	assert_int_equal(sample_ring_count(ring), 3);

	assert_int_equal(sample_ring_pop(ring, &rec), 0);
	assert_int_equal(rec.verdict, SAMPLE_FORWARD);
	assert_int_equal(rec.flags, SAMPLE_F_HDR_TX);
	assert_int_equal(rec.hdr_len, SAMPLE_HDR_MAX);
	assert_memory_equal(rec.hdr, frame, SAMPLE_HDR_MAX);
	assert_int_equal(rec.rx_len, 300);
	assert_int_equal(rec.in_port, 3);
	assert_int_equal(rec.out_port, 1);
	assert_int_equal(rec.in_peer, 1);
	assert_int_equal(rec.out_peer, 2);
	assert_int_equal(rec.src_country, 4);
	assert_int_equal(rec.dst_country, 5);
	assert_int_equal(rec.class_id, 6);
	assert_int_equal(rec.acl_rule, 77);
	assert_int_equal(rec.tsc, 123456789);
	assert_int_equal(rec.unix_s, 1700000000);
	assert_int_equal(rec.rate, 1);

	assert_int_equal(sample_ring_pop(ring, &rec), 0);
	assert_int_equal(rec.verdict, SAMPLE_DROP);
	assert_int_equal(rec.drop_reason, IXG_DROP_ACL_DENY);
	assert_int_equal(rec.flags, 0);
	assert_int_equal(rec.hdr_len, 60);
	assert_memory_equal(rec.hdr, frame, 60);
	assert_int_equal(rec.out_peer, 0);

	assert_int_equal(sample_ring_pop(ring, &rec), 0);
	assert_int_equal(rec.verdict, SAMPLE_LOCAL);
	assert_int_equal(rec.drop_reason, 0);
	assert_int_equal(rec.hdr_len, 128);

	/* A frame in two segments (50 + 100 bytes): the header is read
	 * across them. */
	{
		struct rte_mbuf *m1 = dp_test_mbuf(frame, 50, 0);
		struct rte_mbuf *m2 = dp_test_mbuf(frame + 50, 100, 0);

		assert_int_equal(rte_pktmbuf_chain(m1, m2), 0);
		dp_burst_init(&b, 0);
		b.pkts[0] = m1;
		b.n = 1;
		memset(&b.meta[0], 0, sizeof(b.meta[0]));
		b.meta[0].verdict = VERDICT_DROP;
		b.meta[0].rx_len = 150;
		stage_output(&ctx, &b, &out);
		assert_int_equal(sample_ring_pop(ring, &rec), 0);
		assert_int_equal(rec.hdr_len, 128);
		assert_memory_equal(rec.hdr, frame, 128);
	}
}

/* A consumer that falls behind: the ring keeps the oldest 1024 samples,
 * the rest are counted in sample_dropped; room again after a pop. */
static void
test_ring_full_in_stage(void **state)
{
	struct sample_record rec;
	struct burst b;
	unsigned k, i;

	(void)state;
	tbl->node.sample_rate = 1;
	for (k = 0; k < 40; k++) {
		dp_burst_init(&b, 0);
		for (i = 0; i < PIPELINE_BURST; i++)
			add(&b, VERDICT_DROP, 64, k * PIPELINE_BURST + i);
		stage_output(&ctx, &b, &out);
	}
	assert_int_equal(ctx.ctr->sampled, SAMPLE_RING_SIZE);
	assert_int_equal(ctx.ctr->sample_dropped,
			 40 * PIPELINE_BURST - SAMPLE_RING_SIZE);
	assert_int_equal(ctx.ctr->rx_packets, 40 * PIPELINE_BURST);
	assert_invariant(ctx.ctr);
	for (i = 0; i < 10; i++) {
		assert_int_equal(sample_ring_pop(ring, &rec), 0);
		assert_int_equal(rec.rx_len, i); /* the oldest were kept */
	}
	dp_burst_init(&b, 0);
	for (i = 0; i < PIPELINE_BURST; i++)
		add(&b, VERDICT_DROP, 64, 5000 + i);
	stage_output(&ctx, &b, &out);
	assert_int_equal(ctx.ctr->sampled, SAMPLE_RING_SIZE + 10);
	assert_int_equal(ctx.ctr->sample_dropped,
			 40 * PIPELINE_BURST - SAMPLE_RING_SIZE + 22);
}

/* No ring in the ctx, or rate 0: nothing sampled, nothing counted. */
static void
test_sampling_off(void **state)
{
	struct burst b;
	unsigned k, i;

	(void)state;
	for (k = 0; k < 2; k++) {
		tbl->node.sample_rate = k == 0 ? 1 : 0;
		ctx.samples = k == 0 ? NULL : ring;
		dp_burst_init(&b, 0);
		for (i = 0; i < PIPELINE_BURST; i++)
			add(&b, VERDICT_DROP, 64, i);
		stage_output(&ctx, &b, &out);
	}
	assert_int_equal(ctx.ctr->sampled, 0);
	assert_int_equal(ctx.ctr->sample_dropped, 0);
	assert_int_equal(sample_ring_count(ring), 0);
	/* switched on later: sampling starts */
	tbl->node.sample_rate = 2;
	dp_burst_init(&b, 0);
	for (i = 0; i < PIPELINE_BURST; i++)
		add(&b, VERDICT_DROP, 64, i);
	stage_output(&ctx, &b, &out);
	assert_in_range(ctx.ctr->sampled, 5, PIPELINE_BURST - 1);
	assert_int_equal(sample_ring_count(ring), ctx.ctr->sampled);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ring_fifo, setup),
		cmocka_unit_test_setup(test_ring_full, setup),
		cmocka_unit_test_setup(test_ring_wrap, setup),
		cmocka_unit_test_setup(test_ring_threads, setup),
		cmocka_unit_test_setup(test_rate_statistics, setup),
		cmocka_unit_test_setup(test_record_content, setup),
		cmocka_unit_test_setup(test_burst_cuts, setup),
		cmocka_unit_test_setup(test_ring_full_in_stage, setup),
		cmocka_unit_test_setup(test_sampling_off, setup),
	};

	dp_test_eal_init("test_sample", 0);
	tbl = calloc(1, sizeof(*tbl));
	ring = aligned_alloc(64, sample_ring_memsize());
	if (tbl == NULL || ring == NULL)
		return 1;
	dp_ctx_init(&ctx, tbl);
	ctx.ctr = rte_zmalloc("ctr", sizeof(*ctx.ctr), 64);
	if (ctx.ctr == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
