/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stage_policer: trTCM colours (RFC 2698 s. 3, colour-blind) with a
 * controlled clock, per (peer, class) and per worker, and the yellow / red
 * actions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_cycles.h>

#include "dp_test_util.h"
#include "policer_stage.h"

#define PKT 1000

static uint64_t hz;

static struct ixg_spec *
spec(void)
{
	struct ixg_spec *s = dp_spec_new();
	struct ixg_spec_class *c;

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_OFF);
	dp_spec_peer(s, 2, 0, 0, "02:00:00:00:01:02", IXG_SAV_OFF);
	/* CIR 1 MB/s, CBS 3000 B, PIR 2 MB/s, PBS 6000 B; red drops */
	c = dp_spec_class(s, 1, 1000000, 3000, 2000000, 6000);
	c->yellow_action = IXG_METER_PASS;
	c->red_action = IXG_METER_DROP;
	/* same rates; yellow drops, red remarked to CS1 */
	c = dp_spec_class(s, 2, 1000000, 3000, 2000000, 6000);
	c->yellow_action = IXG_METER_DROP;
	c->red_action = IXG_METER_REMARK;
	c->red_dscp = 8;
	return s;
}

/* One packet of PKT bytes from `peer` in `cls` at time `now`. */
static const struct pkt_meta *
send1(const struct tables *t, unsigned worker, uint16_t peer, uint16_t cls,
      uint64_t now, struct burst *b)
{
	struct pipeline_ctx ctx;

	dp_ctx_init(&ctx, t);
	ctx.worker = worker;
	ctx.now_tsc = now;
	dp_burst_init(b, 0);
	dp_burst_add4(b, peer, "10.0.0.1", "10.0.0.2", 17, 1, 2);
	b->meta[0].class_id = cls;
	b->meta[0].l3_total = PKT;
	stage_policer(&ctx, b);
	return &b->meta[0];
}

static uint8_t
colour(const struct tables *t, uint16_t peer, uint16_t cls, uint64_t now)
{
	struct burst b;

	return send1(t, 0, peer, cls, now, &b)->colour;
}

/*
 * RFC 2698 s. 3: buckets start full (Tc = CBS, Tp = PBS). A packet of B
 * bytes is red if Tp < B, else yellow if Tc < B (Tp -= B), else green
 * (both -= B). Tc fills at CIR, Tp at PIR.
 */
static void
test_trtcm_rfc2698(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t = dp_tables_build(s);
	/* well after the meters were configured, so the buckets are full */
	uint64_t t0 = rte_get_tsc_cycles() + 10 * hz;

	(void)state;
	/* Tc 3000 -> three greens; Tp 6000 - 3000 -> three yellows; red */
	for (int i = 0; i < 3; i++)
		assert_int_equal(colour(t, 1, 1, t0), COLOUR_GREEN);
	for (int i = 0; i < 3; i++)
		assert_int_equal(colour(t, 1, 1, t0), COLOUR_YELLOW);
	assert_int_equal(colour(t, 1, 1, t0), COLOUR_RED);
	assert_int_equal(colour(t, 1, 1, t0), COLOUR_RED);

	/* 1 ms later: Tc += 1000, Tp += 2000 -> green, yellow, red */
	t0 += hz / 1000;
	assert_int_equal(colour(t, 1, 1, t0), COLOUR_GREEN);
	assert_int_equal(colour(t, 1, 1, t0), COLOUR_YELLOW);
	assert_int_equal(colour(t, 1, 1, t0), COLOUR_RED);

	/* Half a millisecond: Tc +500 (< B), Tp +1000 -> yellow, then red */
	t0 += hz / 2000;
	assert_int_equal(colour(t, 1, 1, t0), COLOUR_YELLOW);
	assert_int_equal(colour(t, 1, 1, t0), COLOUR_RED);

	/* A second idle refills to CBS and PBS, not beyond. */
	t0 += hz;
	for (int i = 0; i < 3; i++)
		assert_int_equal(colour(t, 1, 1, t0), COLOUR_GREEN);
	for (int i = 0; i < 3; i++)
		assert_int_equal(colour(t, 1, 1, t0), COLOUR_YELLOW);
	assert_int_equal(colour(t, 1, 1, t0), COLOUR_RED);

	/* Peer 2's meter for class 1 is its own: still full. */
	assert_int_equal(colour(t, 2, 1, t0), COLOUR_GREEN);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_actions(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t = dp_tables_build(s);
	uint64_t t0 = rte_get_tsc_cycles() + 10 * hz;
	const struct pkt_meta *m;
	struct burst b;

	(void)state;
	/* class 1: red dropped (policer_red), yellow passed */
	for (int i = 0; i < 3; i++)
		colour(t, 1, 1, t0);
	m = send1(t, 0, 1, 1, t0, &b);
	assert_int_equal(m->colour, COLOUR_YELLOW);
	assert_int_equal(m->verdict, VERDICT_CONTINUE);
	assert_int_equal(m->remark, 0);
	colour(t, 1, 1, t0);
	colour(t, 1, 1, t0);
	m = send1(t, 0, 1, 1, t0, &b);
	assert_int_equal(m->colour, COLOUR_RED);
	assert_int_equal(m->verdict, VERDICT_DROP);
	assert_int_equal(m->drop_reason, IXG_DROP_POLICER_RED);

	/* class 2: yellow dropped (policer_yellow), red remarked */
	for (int i = 0; i < 3; i++)
		colour(t, 1, 2, t0);
	m = send1(t, 0, 1, 2, t0, &b);
	assert_int_equal(m->colour, COLOUR_YELLOW);
	assert_int_equal(m->verdict, VERDICT_DROP);
	assert_int_equal(m->drop_reason, IXG_DROP_POLICER_YELLOW);
	colour(t, 1, 2, t0);
	colour(t, 1, 2, t0);
	m = send1(t, 0, 1, 2, t0, &b);
	assert_int_equal(m->colour, COLOUR_RED);
	assert_int_equal(m->verdict, VERDICT_CONTINUE);
	assert_int_equal(m->dscp, 8);
	assert_int_equal(m->remark, 1);
	tables_free(t);
	dp_spec_free(s);
}

/* Class 0 uses the peer's committed rate: one rate, so green or red only. */
static void
test_peer_rate(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t;
	uint64_t t0;
	const struct pkt_meta *m;
	struct burst b;

	(void)state;
	s->peers[0].rate = 1000000;
	s->peers[0].burst = 2000;
	t = dp_tables_build(s);
	t0 = rte_get_tsc_cycles() + 10 * hz;
	assert_int_equal(colour(t, 1, 0, t0), COLOUR_GREEN);
	assert_int_equal(colour(t, 1, 0, t0), COLOUR_GREEN);
	m = send1(t, 0, 1, 0, t0, &b);
	assert_int_equal(m->colour, COLOUR_RED);
	assert_int_equal(m->drop_reason, IXG_DROP_POLICER_RED);
	/* 1 ms refills 1000 bytes */
	assert_int_equal(colour(t, 1, 0, t0 + hz / 1000), COLOUR_GREEN);
	/* peer 2 has no rate: not metered at all */
	for (int i = 0; i < 10; i++) {
		m = send1(t, 0, 2, 0, t0, &b);
		assert_int_equal(m->verdict, VERDICT_CONTINUE);
		assert_int_equal(m->colour, COLOUR_GREEN);
	}
	tables_free(t);
	dp_spec_free(s);
}

/*
 * Each worker meters with its own state and 1/N of the rates and bursts
 * (RSS spreads a peer over the workers): with 2 workers, CBS 3000 and PBS
 * 6000 become 1522 (one full frame at least) and 3000 per worker, so all
 * workers together pass what one meter with the configured values would.
 */
static void
test_per_worker(void **state)
{
	struct ixg_spec *s = spec();
	uint64_t t0 = rte_get_tsc_cycles() + 10 * hz;
	char err[256];
	struct tables *t = tables_build(s, 2, 4242, err, sizeof(err));
	struct burst b;
	unsigned w, i, passed[2] = {0, 0};

	(void)state;
	assert_non_null(t);
	for (w = 0; w < 2; w++)
		for (i = 0; i < 10; i++)
			if (send1(t, w, 1, 1, t0, &b)->colour != COLOUR_RED)
				passed[w]++;
	/* PBS share 3000 bytes: 3000 / PKT packets per worker, not red. */
	assert_int_equal(passed[0], 3000 / PKT);
	assert_int_equal(passed[1], 3000 / PKT);
	/* Together: the configured PBS, 6000 bytes. */
	assert_int_equal(passed[0] + passed[1], 6000 / PKT);
	tables_free(t);
	dp_spec_free(s);
}

/*
 * The old per-packet tests of stage_policer, the reference for
 * tables.meter_prof: the profile a (peer, class) is metered with, NULL
 * for none.
 */
static const struct rte_meter_trtcm_profile *
ref_profile(const struct tables *t, uint32_t peer, uint32_t c)
{
	if (peer == IXG_PEER_NONE || peer >= IXG_MAX_PEERS ||
	    c >= IXG_MAX_CLASSES || !t->peers[peer].configured)
		return NULL;
	if (c == 0)
		return t->peer_metered[peer] ? &t->peer_profiles[peer] : NULL;
	if (!t->metered[c] || t->peers[peer].meter_base + c >= t->n_meters)
		return NULL;
	return &t->profiles[c];
}

/*
 * One worker's meter line pm against the profile p it must hold (tables.h,
 * struct policer_meter): p and its C bucket's numbers, or for p NULL the
 * marks stage_policer's class-0 check relies on (period UINT64_MAX, 0
 * tokens, state all 0).
 */
/* A class-0 line (meters0) without a profile: no token, its deadline
 * 0 + UINT64_MAX (policer_stage.h). */
static const struct rte_meter_trtcm empty0 = {.time_tp = UINT64_MAX};

static void
check_line(const struct policer_meter *pm,
	   const struct rte_meter_trtcm_profile *p, int class0)
{
	static const struct rte_meter_trtcm zero;

	assert_ptr_equal(pm->prof, p);
	if (p != NULL) {
		assert_int_equal(pm->period, p->cir_period);
		assert_int_equal(pm->bytes_per_period, p->cir_bytes_per_period);
		assert_int_equal(pm->cbs, p->cbs);
		if (class0)
			assert_int_equal(pm->m.time_tp,
					 pm->m.time_tc + p->cir_period);
		return;
	}
	assert_int_equal(pm->period, UINT64_MAX);
	assert_int_equal(pm->bytes_per_period, 0);
	assert_int_equal(pm->cbs, 0);
	assert_memory_equal(&pm->m, class0 ? &empty0 : &zero, sizeof(zero));
}

/*
 * The policer tests' mixed configuration: peers 1 (rate r1, burst b1), 2
 * (no rate) and 5 (r5, b5), 3 and 4 not configured; classes 1 and 2
 * metered, 4 configured without a rate, 3 not configured. Checks every
 * worker's meter lines (check_line): class 0's, meters0[w][peer] for
 * every peer id, hold meter_prof's class-0 profile (none past the highest
 * peer), and the other classes' in meters[w] theirs, whose class-0 lines
 * hold none.
 */
static struct tables *
mixed_tables(struct ixg_spec **sp, uint64_t r1, uint32_t b1, uint64_t r5,
	     uint32_t b5)
{
	struct ixg_spec *s = spec();
	struct ixg_spec_peer *p5;
	struct tables *t;

	s->peers[0].rate = r1;
	s->peers[0].burst = b1;
	p5 = dp_spec_peer(s, 5, 0, 0, "02:00:00:00:01:05", IXG_SAV_OFF);
	p5->rate = r5;
	p5->burst = b5;
	dp_spec_class(s, 4, 0, 0, 0, 0);
	t = dp_tables_build(s);
	for (unsigned w = 0; w < t->n_workers; w++) {
		for (uint32_t p = 0; p < IXG_MAX_PEERS; p++) {
			const uint32_t i = p * t->meter_stride;

			check_line(&t->meters0[w][p],
				   i < t->n_meters ? t->meter_prof[i] : NULL,
				   1);
			/* the worker's clock: not below any time_tc */
			assert_true(t->meters0[w][POLICER_CLOCK].m.time_tc >=
				    t->meters0[w][p].m.time_tc);
		}
		for (uint32_t i = 0; i < t->n_meters; i++)
			check_line(&t->meters[w][i],
				   i % t->meter_stride == 0 ? NULL
							    : t->meter_prof[i],
				   0);
	}
	*sp = s;
	return t;
}

/*
 * tables.meter_prof (stage_policer's one lookup per packet) names the
 * profile the old tests chose for every (peer, class), configured or not,
 * IXG_PEER_NONE and ids past the highest included; and end to end, a
 * (peer, class) it leaves out is never coloured or dropped however much it
 * sends, while one it names turns red.
 */
static void
test_meter_prof(void **state)
{
	struct ixg_spec *s;
	uint64_t t0 = rte_get_tsc_cycles() + 10 * hz;
	struct tables *t = mixed_tables(&s, 1000000, 2000, 1000000, 2000);
	struct burst b;

	(void)state;
	assert_int_equal(t->meter_stride, 5);
	assert_int_equal(t->n_meters, 6 * 5);
	for (uint32_t peer = 0; peer < 8; peer++) {
		for (uint32_t c = 0; c < IXG_MAX_CLASSES; c++) {
			const struct rte_meter_trtcm_profile *got = NULL;
			uint32_t idx = peer * t->meter_stride + c;
			unsigned coloured = 0;

			if (c < t->meter_stride && idx < t->n_meters)
				got = t->meter_prof[idx];
			assert_ptr_equal(got, ref_profile(t, peer, c));
			for (int k = 0; k < 10; k++) {
				const struct pkt_meta *m = send1(
					t, 0, (uint16_t)peer, (uint16_t)c, t0,
					&b);

				if (m->colour != COLOUR_GREEN ||
				    m->verdict != VERDICT_CONTINUE)
					coloured++;
			}
			if (got == NULL)
				assert_int_equal(coloured, 0);
			else
				assert_true(coloured > 0);
		}
	}
	tables_free(t);
	dp_spec_free(s);
}

/*
 * Which packets stage_policer meters: VERDICT_CONTINUE IPv4 and IPv6
 * only, whatever the neighbouring bytes of the word it tests in one go
 * (drop_reason, n_vlans) and every other verdict and l3 value. Each
 * packet is longer than peer 1's burst: red and dropped if metered, else
 * left green and as it was.
 */
static void
test_metered_packets(void **state)
{
	static const uint8_t verdicts[] = {VERDICT_CONTINUE, VERDICT_FORWARD,
					   VERDICT_LOCAL,    VERDICT_DROP,
					   VERDICT_PUNT,     255};
	struct ixg_spec *s;
	struct tables *t = mixed_tables(&s, 1000000, 2000, 1000000, 2000);
	struct pipeline_ctx ctx;
	struct burst b;

	(void)state;
	dp_ctx_init(&ctx, t);
	ctx.now_tsc = rte_get_tsc_cycles() + hz;
	for (unsigned v = 0; v < sizeof(verdicts); v++) {
		for (unsigned l3 = 0; l3 < 256; l3++) {
			for (unsigned k = 0; k < 4; k++) {
				struct pkt_meta *m, want;
				int metered = verdicts[v] == VERDICT_CONTINUE &&
					      (l3 == L3_IPV4 || l3 == L3_IPV6);

				dp_burst_init(&b, 0);
				dp_burst_add4(&b, 1, "10.0.0.1", "10.0.0.2", 17,
					      1, 2);
				m = &b.meta[0];
				m->verdict = verdicts[v];
				m->l3 = (uint8_t)l3;
				m->drop_reason = k & 1 ? 255 : 0;
				m->n_vlans = k & 2 ? 255 : 0;
				m->l3_total = 60000;
				want = *m;
				stage_policer(&ctx, &b);
				if (!metered) {
					assert_memory_equal(m, &want,
							    sizeof(want));
					continue;
				}
				assert_int_equal(m->colour, COLOUR_RED);
				assert_int_equal(m->verdict, VERDICT_DROP);
				assert_int_equal(m->drop_reason,
						 IXG_DROP_POLICER_RED);
			}
		}
	}
	tables_free(t);
	dp_spec_free(s);
}

/* xorshift64*: the differential tests' own reproducible numbers. */
static uint64_t
rnd(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * UINT64_C(2685821657736338717);
}

/*
 * stage_policer's one-rate check (class 0, the peer's rate) against
 * rte_meter_trtcm_color_blind_check on the same profile: 200 profiles of
 * random rates (1 kB/s .. 1.25 TB/s, so both of rte_meter's period
 * shapes) and bursts, each with 400 packets of 40..9000 bytes at random
 * gaps (0 to a few periods, and long idle times), from the state
 * rte_meter_trtcm_config leaves: the same colour and the same C bucket
 * (time_tc, tc) after every packet; a time that is not below time_tc
 * takes the stage's shortcut (now < deadline), one below it (case 3's
 * wraps) the whole arithmetic. The P bucket is not compared: its time
 * holds class 0's deadline, and nothing reads its tokens.
 */
static void
test_one_rate_matches_rte_meter(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned red = 0, green = 0;

	(void)state;
	for (int k = 0; k < 200; k++) {
		struct rte_meter_trtcm_params prm;
		struct rte_meter_trtcm_profile prof;
		struct rte_meter_trtcm ref, own;
		uint64_t rate, burst, now;

		rate = 1000 + rnd(&x) % (k % 2 ? 2000000 : 1250000000000ull);
		burst = 1522 + rnd(&x) % (k % 3 ? 20000 : 64000000);
		prm = (struct rte_meter_trtcm_params){
			.cir = rate, .pir = rate, .cbs = burst, .pbs = burst};
		assert_int_equal(rte_meter_trtcm_profile_config(&prof, &prm),
				 0);
		assert_int_equal(rte_meter_trtcm_config(&ref, &prof), 0);
		own = ref;
		now = ref.time_tc;
		for (int i = 0; i < 400; i++) {
			uint32_t len = (uint32_t)(40 + rnd(&x) % 8961);
			enum rte_color a, b;

			switch (rnd(&x) % 5) {
			case 0: break; /* the same burst */
			case 1: now += rnd(&x) % (prof.cir_period + 1); break;
			case 2: now += rnd(&x) % (8 * prof.cir_period); break;
			case 3:
				/* idle for any time up to 2^64 cycles: the
				 * quotient of every size (a faster division
				 * must answer for all of them) */
				now += rnd(&x) >> (rnd(&x) % 64);
				break;
			default: now += rnd(&x) % (hz / 10 + 1); break;
			}
			a = rte_meter_trtcm_color_blind_check(&ref, &prof, now,
							      len);
			b = policer_one_rate_check(&own, &prof, now, len);
			assert_int_equal(a, b);
			assert_int_equal(ref.time_tc, own.time_tc);
			assert_int_equal(ref.tc, own.tc);
			red += a == RTE_COLOR_RED;
			green += a == RTE_COLOR_GREEN;
		}
	}
	/* both colours were reached */
	assert_true(red > 1000);
	assert_true(green > 1000);
}

/*
 * What one_rate_check relies on: class 0's profile (the peer's) has C and
 * P alike, and every worker's class-0 meter starts with both buckets in
 * step; the other classes keep rte_meter's check.
 */
static void
test_one_rate_profiles(void **state)
{
	struct ixg_spec *s = spec();
	char err[256];
	struct tables *t;
	unsigned n = 0;

	(void)state;
	s->peers[0].rate = 1000000;
	s->peers[0].burst = 2000;
	s->peers[1].rate = 12500000000ull;
	t = tables_build(s, 2, 4242, err, sizeof(err));
	assert_non_null(t);
	for (uint32_t p = 1; p * t->meter_stride < t->n_meters; p++) {
		const struct rte_meter_trtcm_profile *pr =
			t->meter_prof[p * t->meter_stride];

		if (pr == NULL)
			continue;
		n++;
		assert_true(pr->cir_period == pr->pir_period);
		assert_true(pr->cir_bytes_per_period ==
			    pr->pir_bytes_per_period);
		assert_true(pr->cbs == pr->pbs);
		for (unsigned w = 0; w < 2; w++) {
			const struct rte_meter_trtcm *m = &t->meters0[w][p].m;

			assert_true(m->time_tp == m->time_tc + pr->cir_period);
			assert_true(m->tc == m->tp);
		}
	}
	assert_int_equal(n, 2);
	tables_free(t);
	dp_spec_free(s);
}

/* Worker 0's meter of meter_prof[i] (peer i / stride, class i % stride):
 * class 0's in meters0. */
static const struct policer_meter *
meter_state(const struct tables *t, uint32_t i)
{
	if (i % t->meter_stride == 0)
		return &t->meters0[0][i / t->meter_stride];
	return &t->meters[0][i];
}

/*
 * What of worker 0's meter i (as meter_state) must equal rte_meter's
 * state ref: every field for classes 1 and up, for class 0 the C bucket
 * (time_tc, tc), the one its check keeps (policer_stage.c,
 * one_rate_check: the P bucket is not stored).
 */
static void
assert_meter_equal(const struct tables *t, uint32_t i,
		   const struct rte_meter_trtcm *ref)
{
	const struct rte_meter_trtcm *m = &meter_state(t, i)->m;

	if (i % t->meter_stride != 0) {
		assert_memory_equal(m, ref, sizeof(*ref));
		return;
	}
	assert_int_equal(policer0_time(m, meter_state(t, i)->period),
			 ref->time_tc);
	assert_int_equal(m->tc, ref->tc);
}

/*
 * stage_policer over random bursts against the reference it replaced: for
 * every packet in order, the old tests (ref_profile) and
 * rte_meter_trtcm_color_blind_check on a copy of the meters, then the
 * class's action. Peers 0..7 (none, configured with and without a rate,
 * unconfigured, past the highest), classes 0..6 (metered, configured
 * without a rate, unknown, past the highest), each verdict and family,
 * one now_tsc per burst (so a meter is hit several times in one), gaps
 * from none to a second, the clock now and then gone back (below meters'
 * times: stage_policer's loop for such a burst) and once past 2^64: the
 * same colour, verdict, drop reason, DSCP and remark for every packet,
 * and the same state in every meter after every burst (class 0's: the C
 * bucket, assert_meter_equal), the worker's clock (POLICER_CLOCK) not
 * below any class-0 time, and peers past the highest keep empty class-0
 * lines. Packets of 0 bytes now and then
 * (unmetered meters must not move). The meters' lines themselves:
 * mixed_tables.
 */
static void
test_stage_matches_reference(void **state)
{
	struct ixg_spec *s;
	struct tables *t = mixed_tables(&s, 200000, 3000, 400000, 4000);
	struct rte_meter_trtcm *ref;
	struct pipeline_ctx ctx;
	uint64_t x = 0x2545f4914f6cdd1dull, now;
	unsigned coloured[3] = {0, 0, 0}, empty = 0;
	struct burst b;

	(void)state;
	ref = calloc(t->n_meters, sizeof(*ref));
	assert_non_null(ref);
	for (uint32_t i = 0; i < t->n_meters; i++)
		ref[i] = meter_state(t, i)->m;
	dp_ctx_init(&ctx, t);
	now = rte_get_tsc_cycles() + hz;
	for (int k = 0; k < 3000; k++) {
		struct pkt_meta want[PIPELINE_BURST];
		const uint64_t step = rnd(&x) % 32;

		if (step == 0) /* a clock gone back (meters' times above it:
				* stage_policer's other loop) */
			now -= rnd(&x) % (hz / 1000 + 1);
		else if (step >= 24)
			now += rnd(&x) % (hz / 4 + 1);
		else if (step >= 16)
			now += rnd(&x) % (hz / 1000 + 1);
		/* and once past 2^64: times that wrap */
		if (k == 2000)
			now = UINT64_MAX - hz / 10;
		dp_burst_init(&b, 0);
		for (unsigned i = 0; i < PIPELINE_BURST; i++) {
			uint64_t r = rnd(&x);
			uint16_t peer = (uint16_t)(r % 8);
			struct pkt_meta *m;

			if ((r >> 8) % 4 == 0)
				dp_burst_add6(&b, peer, "2001:db8::1",
					      "2001:db8::2", 17, 1, 2);
			else
				dp_burst_add4(&b, peer, "10.0.0.1", "10.0.0.2",
					      17, 1, 2);
			m = &b.meta[i];
			/* mostly class 0, as on the wire */
			m->class_id = (uint16_t)((r >> 16) % 4 ? 0
							       : (r >> 20) % 7);
			/* now and then 0 bytes: an unmetered meter's check
			 * then finds it green and stores its 0 tokens back */
			m->l3_total = (r >> 58) % 16 == 0
					      ? 0
					      : (uint16_t)(40 +
							   (r >> 24) % 1461);
			empty += m->l3_total == 0;
			m->dscp = (uint8_t)((r >> 40) % 64);
			if ((r >> 48) % 16 == 0)
				m->verdict = VERDICT_DROP;
			else if ((r >> 48) % 16 == 1)
				m->l3 = (r >> 52) % 2 ? L3_ARP : L3_NONE;
		}
		/* bursts of 24 to 32 now and then: an odd last packet
		 * after the loop's pairs */
		if (k % 3 == 2)
			b.n = (uint16_t)(PIPELINE_BURST - rnd(&x) % 9);
		memcpy(want, b.meta, sizeof(want));
		for (unsigned i = 0; i < b.n; i++) {
			struct pkt_meta *m = &want[i];
			const struct rte_meter_trtcm_profile *p;
			const struct tbl_class *cls;
			enum rte_color col;
			uint8_t action, dscp;

			if (m->verdict != VERDICT_CONTINUE ||
			    (m->l3 != L3_IPV4 && m->l3 != L3_IPV6))
				continue;
			p = ref_profile(t, m->in_peer, m->class_id);
			if (p == NULL)
				continue;
			col = rte_meter_trtcm_color_blind_check(
				&ref[t->peers[m->in_peer].meter_base +
				     m->class_id],
				(struct rte_meter_trtcm_profile *)(uintptr_t)p,
				now, m->l3_total);
			coloured[col]++;
			if (col == RTE_COLOR_GREEN)
				continue;
			cls = &t->classes[m->class_id];
			m->colour = col == RTE_COLOR_YELLOW ? COLOUR_YELLOW
							    : COLOUR_RED;
			action = col == RTE_COLOR_YELLOW ? cls->yellow_action
							 : cls->red_action;
			dscp = col == RTE_COLOR_YELLOW ? cls->yellow_dscp
						       : cls->red_dscp;
			if (action == IXG_METER_DROP) {
				m->verdict = VERDICT_DROP;
				m->drop_reason =
					col == RTE_COLOR_YELLOW
						? IXG_DROP_POLICER_YELLOW
						: IXG_DROP_POLICER_RED;
			} else if (action == IXG_METER_REMARK) {
				m->dscp = dscp;
				m->remark = 1;
			}
		}
		ctx.now_tsc = now;
		/* every other burst by pipeline_bench --ab-deadline's other
		 * side: the same results */
		if (k % 2)
			stage_policer_period(&ctx, &b);
		else
			stage_policer(&ctx, &b);
		for (unsigned i = 0; i < b.n; i++) {
			assert_int_equal(b.meta[i].colour, want[i].colour);
			assert_int_equal(b.meta[i].verdict, want[i].verdict);
			assert_int_equal(b.meta[i].drop_reason,
					 want[i].drop_reason);
			assert_int_equal(b.meta[i].dscp, want[i].dscp);
			assert_int_equal(b.meta[i].remark, want[i].remark);
		}
		for (uint32_t i = 0; i < t->n_meters; i++)
			assert_meter_equal(t, i, &ref[i]);
		/* the worker's clock bounds class 0's times (what lets a
		 * burst take "now < deadline") */
		for (uint32_t p = 0; p < 8; p++)
			assert_true(policer0_time(&t->meters0[0][p].m,
						  t->meters0[0][p].period) <=
				    t->meters0[0][POLICER_CLOCK].m.time_tc);
		for (uint32_t p = t->n_meters / t->meter_stride; p < 8; p++)
			assert_memory_equal(&t->meters0[0][p].m, &empty0,
					    sizeof(empty0));
	}
	/* every colour was reached */
	assert_true(coloured[RTE_COLOR_GREEN] > 1000);
	assert_true(coloured[RTE_COLOR_YELLOW] > 10);
	assert_true(coloured[RTE_COLOR_RED] > 1000);
	assert_true(empty > 1000);
	free(ref);
	tables_free(t);
	dp_spec_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trtcm_rfc2698),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_peer_rate),
		cmocka_unit_test(test_per_worker),
		cmocka_unit_test(test_meter_prof),
		cmocka_unit_test(test_metered_packets),
		cmocka_unit_test(test_stage_matches_reference),
		cmocka_unit_test(test_one_rate_matches_rte_meter),
		cmocka_unit_test(test_one_rate_profiles),
	};

	dp_test_eal_init("t_policer", 0);
	hz = rte_get_tsc_hz();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
