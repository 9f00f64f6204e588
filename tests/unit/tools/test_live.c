/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of ixgate-gen's measuring half (tools/live_stats.c): the signature
 * and its checksum fix-up on real generator frames (checked with a checksum
 * written here), the histogram's buckets and percentiles, the sequence
 * accounting (loss, reordering, duplicates, late) and the rate bins.
 * argv[1]: a config (config/demo.conf) the generator builds frames from.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen.h"
#include "ixg_conf.h"
#include "live_stats.h"

static const char *config_path;

/* ------------------------------------------------------------------ */
/* An independent frame walker and checksum */

static uint32_t
sum16(const uint8_t *b, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Whether the frame's L4 checksum verifies (sum over pseudo header and L4
 * is all ones). Returns -1 if the frame is not IP/TCP/UDP/ICMP. */
static int
l4_ok(const uint8_t *f, uint32_t len)
{
	uint32_t off = 12, l4, l4len, s = 0;
	uint16_t et = (uint16_t)(f[12] << 8 | f[13]);
	uint8_t proto;

	while (et == 0x8100 || et == 0x88a8) {
		off += 4;
		et = (uint16_t)(f[off] << 8 | f[off + 1]);
	}
	off += 2;
	if (et == 0x0800) {
		l4 = off + (f[off] & 0xfu) * 4;
		l4len = (uint32_t)(f[off + 2] << 8 | f[off + 3]) - (l4 - off);
		proto = f[off + 9];
		if (proto != 1)
			s = sum16(f + off + 12, 8, proto + l4len);
	} else if (et == 0x86dd) {
		l4 = off + 40;
		l4len = (uint32_t)(f[off + 4] << 8 | f[off + 5]);
		proto = f[off + 6];
		s = sum16(f + off + 8, 32, proto + l4len);
	} else {
		return -1;
	}
	assert_true(l4 + l4len <= len);
	if (proto != 6 && proto != 17 && proto != 1 && proto != 58)
		return -1;
	return fold(sum16(f + l4, l4len, s)) == 0xffff;
}

/* ------------------------------------------------------------------ */

static void
test_sig_roundtrip(void **state)
{
	struct live_sig a = {.stream = 513,
			     .expect = LIVE_EXP_LOCAL,
			     .seq = 0x0102030405060708ull,
			     .tsc = 0xfedcba9876543210ull},
			b;
	uint8_t room[LIVE_SIG_LEN];

	(void)state;
	live_sig_encode(room, &a);
	assert_int_equal(room[0], 'I');
	assert_int_equal(room[3], 'S');
	assert_int_equal(live_sig_decode(room, &b), 0);
	assert_int_equal(b.stream, 513);
	assert_int_equal(b.expect, LIVE_EXP_LOCAL);
	assert_true(b.seq == a.seq && b.tsc == a.tsc);
	room[1] ^= 1;
	assert_int_equal(live_sig_decode(room, &b), -EINVAL);
}

/*
 * Every frame of the demo config's traffic, with room reserved: the eligible
 * ones are stamped with random signatures and must still verify, and
 * live_sig_find must read the same signature back; the rest have no room.
 * Without sig_room the generator writes the same frames as before.
 */
static void
test_sig_on_generated_frames(void **state)
{
	struct ixg_spec spec;
	struct gen_opts o;
	struct gen *g, *g0;
	struct gen_sig_place sp;
	struct gen_pkt p;
	struct gen_verdict v;
	uint8_t buf[GEN_FRAME_MAX], buf0[GEN_FRAME_MAX];
	char err[256];
	unsigned i, signed_n = 0, udp = 0, tcp = 0, icmp = 0, fwd = 0;
	uint64_t rng = 42;

	(void)state;
	memset(&spec, 0, sizeof(spec));
	assert_int_equal(ixg_conf_load(config_path, &spec, stderr), 0);
	gen_opts_default(&o);
	o.now = 1800000000;
	o.size = 64;
	o.v6_frac = 0.5;
	g0 = gen_new(&spec, &o, err, sizeof(err));
	assert_non_null(g0);
	o.sig_room = LIVE_SIG_LEN;
	g = gen_new(&spec, &o, err, sizeof(err));
	assert_non_null(g);
	for (i = 0; i < 20000; i++) {
		uint64_t ts;
		uint32_t len = gen_next(g, buf, &ts, &p, &v);
		uint32_t len0 = gen_next(g0, buf0, &ts, NULL, NULL);
		struct live_sig s, r;
		bool reply;

		gen_last_sig(g, &sp);
		if (sp.off == 0) {
			/* Unsigned frames are the same bytes as pcapgen's. */
			assert_int_equal(len, len0);
			assert_memory_equal(buf, buf0, len);
			assert_int_not_equal(
				live_sig_find(buf, len, &r, &reply), 0);
			continue;
		}
		assert_true(len >= 60 && len >= len0);
		assert_int_equal(p.malformed, 0);
		assert_int_equal(sp.off % 2, sp.csum_off % 2);
		assert_int_equal(l4_ok(buf, len), 1);
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		s.stream = (uint16_t)(rng >> 48);
		s.expect = v.verdict;
		s.seq = rng;
		s.tsc = rng * 31 + i;
		live_sig_stamp(buf, sp.off, sp.csum_off, sp.udp, &s);
		assert_int_equal(l4_ok(buf, len), 1);
		assert_int_equal(live_sig_find(buf, len, &r, &reply), 0);
		assert_false(reply);
		assert_int_equal(r.stream, s.stream);
		assert_true(r.seq == s.seq && r.tsc == s.tsc);
		signed_n++;
		udp += p.proto == 17;
		tcp += p.proto == 6;
		icmp += p.proto == 1 || p.proto == 58;
		fwd += v.verdict == GEN_V_FORWARD;
	}
	print_message(
		"signed %u of 20000 (tcp %u udp %u icmp %u, %u forwarded)\n",
		signed_n, tcp, udp, icmp, fwd);
	assert_true(tcp > 1000 && udp > 1000 && icmp > 100);
	/* Every forwarded frame of a TCP/UDP/echo kind carries a signature:
	 * the counts of forwards match. */
	assert_int_equal(gen_counts(g)->tx, gen_counts(g0)->tx);
	assert_true(fwd == gen_counts(g)->tx);
	gen_free(g);
	gen_free(g0);
	ixg_spec_free(&spec);
}

/* The UDP special case: a stamp whose checksum comes out 0 is sent as
 * 0xffff, and the frame verifies. Built by hand: IPv4/UDP, the payload
 * tuned so the final sum is zero. */
static void
test_sig_udp_zero(void **state)
{
	uint8_t f[14 + 20 + 8 + LIVE_SIG_LEN];
	struct live_sig s = {.stream = 1, .expect = 1, .seq = 0, .tsc = 0};
	uint32_t sum;
	unsigned k;
	bool hit = false;

	(void)state;
	for (k = 0; k < 65536 && !hit; k++) {
		memset(f, 0, sizeof(f));
		f[12] = 0x08;
		f[14] = 0x45;
		f[14 + 3] = 20 + 8 + LIVE_SIG_LEN;
		f[14 + 9] = 17;
		f[14 + 12] = 10;
		f[14 + 16] = 10;
		f[14 + 19] = 1;
		f[34 + 5] = 8 + LIVE_SIG_LEN;
		/* Checksum with the room zeroed, as the generator writes it. */
		sum = fold(sum16(f + 34, 8 + LIVE_SIG_LEN,
				 sum16(f + 26, 8, 17 + 8 + LIVE_SIG_LEN)));
		sum = (uint16_t)~sum;
		f[34 + 6] = (uint8_t)(sum >> 8);
		f[34 + 7] = (uint8_t)sum;
		s.tsc = k;
		live_sig_stamp(f, 42, 40, true, &s);
		assert_int_equal(l4_ok(f, sizeof(f)), 1);
		hit = f[40] == 0xff && f[41] == 0xff;
	}
	assert_true(hit);
}

/* ------------------------------------------------------------------ */

static void
test_hist_buckets(void **state)
{
	uint64_t v;
	unsigned i;

	(void)state;
	for (v = 0; v < 64; v++) {
		assert_int_equal(live_hist_bucket(v), v);
		assert_true(live_hist_lo((unsigned)v) == v &&
			    live_hist_hi((unsigned)v) == v);
	}
	/* Contiguous, each bucket at most 1/32 of its value wide. */
	for (i = 0; i + 1 < LIVE_HIST_BUCKETS; i++) {
		assert_true(live_hist_hi(i) + 1 == live_hist_lo(i + 1));
		assert_int_equal(live_hist_bucket(live_hist_lo(i)), i);
		assert_int_equal(live_hist_bucket(live_hist_hi(i)), i);
		if (i >= 64)
			assert_true((live_hist_hi(i) - live_hist_lo(i) + 1) *
					    32 <=
				    live_hist_lo(i));
	}
	assert_int_equal(live_hist_bucket(UINT64_MAX), LIVE_HIST_BUCKETS - 1);
	assert_true(live_hist_hi(LIVE_HIST_BUCKETS - 1) == UINT64_MAX);
	assert_int_equal(live_hist_bucket(64), 64);
	assert_int_equal(live_hist_bucket(65), 64);
	assert_int_equal(live_hist_bucket(66), 65);
	assert_int_equal(live_hist_bucket(1000000), live_hist_bucket(1000001));
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Percentiles against the exact order statistic of the same values:
 * never below it, at most one bucket (3.1%) above. */
static void
test_hist_quantiles(void **state)
{
	static struct live_hist h;
	static uint64_t vals[100000];
	static const double qs[] = {0.01, 0.5, 0.9, 0.99, 0.999, 1.0};
	uint64_t rng = 7, exact, got;
	unsigned i, k, n = 100000;

	(void)state;
	live_hist_init(&h);
	assert_true(live_hist_quantile(&h, 0.5) == 0);
	for (i = 0; i < n; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		/* Log-uniform 1 us .. 10 ms, as latencies spread. */
		vals[i] = (uint64_t)(1000.0 *
				     __builtin_pow(
					     10000.0,
					     (double)(rng >> 11) /
						     (double)(1ull << 53)));
		live_hist_add(&h, vals[i]);
	}
	qsort(vals, n, sizeof(vals[0]), cmp_u64);
	assert_true(h.n == n && h.min == vals[0] && h.max == vals[n - 1]);
	for (k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		uint64_t rank = (uint64_t)(qs[k] * n + 0.999999);

		exact = vals[rank - 1];
		got = live_hist_quantile(&h, qs[k]);
		assert_true(got >= exact);
		assert_true((got - exact) * 32 <= exact);
	}
	assert_true(live_hist_quantile(&h, 1.0) == h.max);
	assert_true(live_hist_quantile(&h, 0.5) <=
		    live_hist_quantile(&h, 0.99));

	/* Small exact values: 1..100, p50 is 50 (64 and above is bucketed). */
	live_hist_init(&h);
	for (i = 1; i <= 100; i++)
		live_hist_add(&h, i);
	assert_true(live_hist_quantile(&h, 0.5) == 50);
	assert_true(live_hist_quantile(&h, 0.01) == 1);
	assert_true(live_hist_quantile(&h, 1.0) == 100);
	assert_true(h.sum == 5050);
}

static void
test_hist_merge(void **state)
{
	static struct live_hist a, b;

	(void)state;
	live_hist_init(&a);
	live_hist_init(&b);
	live_hist_add(&a, 10);
	live_hist_add(&b, 5000);
	live_hist_add(&b, 3);
	live_hist_merge(&a, &b);
	assert_true(a.n == 3 && a.min == 3 && a.max == 5000 && a.sum == 5013);
	assert_true(live_hist_quantile(&a, 0.5) == 10);
}

/* ------------------------------------------------------------------ */

static void
test_seq_in_order_and_loss(void **state)
{
	static struct live_seq q;
	uint64_t s;

	(void)state;
	live_seq_init(&q);
	q.tx = 1000;
	for (s = 0; s < 1000; s++)
		if (s % 10 != 3) /* lose 100 */
			assert_int_equal(live_seq_rx(&q, s), LIVE_RX_NEW);
	assert_true(q.rx == 900 && q.reordered == 0 && q.duplicates == 0);
	assert_true(live_seq_lost(&q) == 100);
}

static void
test_seq_reorder_dup_late(void **state)
{
	static struct live_seq q;
	uint64_t s;

	(void)state;
	live_seq_init(&q);
	q.tx = 10;
	assert_int_equal(live_seq_rx(&q, 0), LIVE_RX_NEW);
	assert_int_equal(live_seq_rx(&q, 2), LIVE_RX_NEW); /* gap */
	assert_int_equal(live_seq_rx(&q, 1), LIVE_RX_REORDERED);
	assert_int_equal(live_seq_rx(&q, 1), LIVE_RX_DUPLICATE);
	assert_int_equal(live_seq_rx(&q, 2), LIVE_RX_DUPLICATE);
	assert_int_equal(live_seq_rx(&q, 3), LIVE_RX_NEW);
	assert_true(q.rx == 4 && q.reordered == 1 && q.duplicates == 2);
	assert_true(live_seq_lost(&q) == 6);

	/* A window's worth ahead: the old slots are forgotten, 3 is now
	 * older than the window (late, not a duplicate). */
	assert_int_equal(live_seq_rx(&q, 3 + LIVE_WIN + 5), LIVE_RX_NEW);
	assert_int_equal(live_seq_rx(&q, 3), LIVE_RX_LATE);
	/* Inside the window, never seen: reordered, then duplicate. */
	assert_int_equal(live_seq_rx(&q, 3 + LIVE_WIN), LIVE_RX_REORDERED);
	assert_int_equal(live_seq_rx(&q, 3 + LIVE_WIN), LIVE_RX_DUPLICATE);
	assert_true(q.late == 1);

	/* Slots reused after a wrap must not report false duplicates. */
	live_seq_init(&q);
	for (s = 0; s < 3 * LIVE_WIN; s++)
		assert_int_equal(live_seq_rx(&q, s), LIVE_RX_NEW);
	assert_true(q.duplicates == 0 && q.rx == 3 * LIVE_WIN);
	/* More received than sent (duplicates excluded) never underflows. */
	q.tx = 1;
	assert_true(live_seq_lost(&q) == 0);
}

static void
test_bins(void **state)
{
	struct live_bins b;
	uint32_t idx, val, i;

	(void)state;
	assert_int_equal(live_bins_init(&b, 0, 0, 4), -EINVAL);
	assert_int_equal(live_bins_init(&b, 1000, 100, 10), 0);
	assert_int_equal(live_bins_min(&b, 0, 9, &idx, &val), -ENOENT);
	for (i = 0; i < 8; i++)
		live_bins_add(&b, 1000 + i * 100 + 50, i == 5 ? 2 : 10);
	live_bins_add(&b, 999, 1); /* before t0: first bin */
	live_bins_add(&b, 1000 + 10 * 100, 7); /* past the end */
	assert_true(b.used == 8 && b.c[0] == 11 && b.overflow == 7);
	assert_int_equal(live_bins_min(&b, 0, 100, &idx, &val), 0);
	assert_true(idx == 5 && val == 2);
	assert_int_equal(live_bins_min(&b, 6, 7, &idx, &val), 0);
	assert_true(idx == 6 && val == 10);
	assert_int_equal(live_bins_min(&b, 9, 12, &idx, &val), -ENOENT);
	assert_int_equal(live_bins_median(&b, 0, 7), 10);
	live_bins_free(&b);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sig_roundtrip),
		cmocka_unit_test(test_sig_on_generated_frames),
		cmocka_unit_test(test_sig_udp_zero),
		cmocka_unit_test(test_hist_buckets),
		cmocka_unit_test(test_hist_quantiles),
		cmocka_unit_test(test_hist_merge),
		cmocka_unit_test(test_seq_in_order_and_loss),
		cmocka_unit_test(test_seq_reorder_dup_late),
		cmocka_unit_test(test_bins),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: test_live CONFIG\n");
		return 2;
	}
	config_path = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
