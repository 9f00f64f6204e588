/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * policer_stage.c - trTCM (RFC 2698) per (ingress peer, class), colour-blind
 * mode: class 0 is metered at the peer's committed rate, other classes at
 * the class's rates. Each worker meters with its own state.
 *
 * Cost: 32.4 instructions a packet on the real table through the ports
 * (every packet metered, 93% in class 0): bench/ixgate-bench compare
 * --duts ixgate --callgrind --rounds 1 -d 5, then
 * bench/callgrind_stages.py (bench/README.md, "Issue 12, ACL and
 * policer, structurally (helper pol7)").
 */
#include <stddef.h>
#include <string.h>

#include "pipeline.h"
#include "policer_stage.h"

static inline void
act(struct burst *b, unsigned i, uint8_t action, uint8_t dscp,
    enum ixg_drop_reason reason)
{
	switch (action) {
	case IXG_METER_DROP: pkt_drop(b, i, reason); break;
	case IXG_METER_REMARK:
		b->meta[i].dscp = dscp;
		b->meta[i].remark = 1;
		break;
	default: break;
	}
}

/* verdict and l3 in one 32-bit word (bytes 0 and 2, little-endian). */
_Static_assert(offsetof(struct pkt_meta, verdict) == 0 &&
		       offsetof(struct pkt_meta, l3) == 2,
	       "verdict, l3 at bytes 0 and 2");
_Static_assert(VERDICT_CONTINUE == 0 && L3_IPV4 == 1 && L3_IPV6 == 2,
	       "continue_ip's constants");

/* VERDICT_CONTINUE and IPv4 or IPv6: verdict byte 0 and l3 byte 1 or 2,
 * i.e. minus 0x10000 the l3 byte is 0 or 1 (an l3 of 0 borrows and
 * becomes 0xff; bytes 1 and 3, drop_reason and n_vlans, are not looked
 * at). */
static inline int
continue_ip(const struct pkt_meta *m)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint32_t w;

	memcpy(&w, m, sizeof(w));
	return ((w - 0x10000u) & 0xfe00ffu) == 0;
#else
	return m->verdict == VERDICT_CONTINUE &&
	       (m->l3 == L3_IPV4 || m->l3 == L3_IPV6);
#endif
}

/*
 * The default class's check: rte_meter_trtcm_color_blind_check for a
 * profile whose two buckets are one (class 0 meters at the peer's rate:
 * build_policer configures C and P with the same rate and burst, and
 * rte_meter_trtcm_config fills both to the same size at the same time),
 * from the C bucket's numbers (period, bytes_per_period, cbs: the
 * profile's cir_period, cir_bytes_per_period, cbs). Both buckets then
 * hold the same tokens and times after every packet, so P's sums are
 * C's: red when the C bucket is short, else green (never yellow, which
 * needs Tc < B <= Tp), from one division instead of two. Only the C
 * bucket is stored, its time as the deadline time_tc + period
 * (policer_stage.h): the P bucket would hold the same numbers, and
 * nothing reads it (no exporter shows meter state, and class 0 never
 * calls rte_meter's check). test_policer's
 * test_one_rate_matches_rte_meter compares both: the colour and the C
 * bucket.
 *
 * one_rate_all: rte_meter's arithmetic whatever now is (a time_tc above
 * now, a clock gone back: diff wraps, as in rte_meter), with *tmax raised
 * to the time_tc it stores. n is 0 where no period has passed, and
 * stores back what is there (tc <= cbs always).
 */
static inline enum rte_color
one_rate_all(struct policer_meter *pm, uint64_t now, uint32_t len,
	     uint64_t *tmax)
{
	struct rte_meter_trtcm *mt = &pm->m;
	const uint64_t period = pm->period;
	uint64_t time = policer0_time(mt, period);
	const uint64_t n = (now - time) / period;
	uint64_t tc;

	time += n * period;
	tc = mt->tc + n * pm->bytes_per_period;
	if (tc > pm->cbs)
		tc = pm->cbs;
	mt->time_tp = time + period;
	if (time > *tmax)
		*tmax = time;
	if (tc < len) {
		mt->tc = tc;
		return RTE_COLOR_RED;
	}
	mt->tc = tc - len;
	return RTE_COLOR_GREEN;
}

/* A class-0 meter where no period has passed: rte_meter's refill would
 * add 0, so len's tokens are taken from tc as they are (green), or none
 * (red). */
static inline enum rte_color
one_rate_take(struct rte_meter_trtcm *mt, uint32_t len)
{
	const uint64_t tc = mt->tc;

	if (tc < len)
		return RTE_COLOR_RED;
	mt->tc = tc - len;
	return RTE_COLOR_GREEN;
}

/*
 * one_rate_all where the meter's time_tc is at most now (a burst not
 * below the worker's clock, POLICER_CLOCK): then "now < deadline" is
 * "now - time_tc < period" (a deadline that wrapped past 2^64 is below
 * time_tc, so below now, and goes to one_rate_all), and such a packet
 * (a second packet of the meter in one burst: one now_tsc) takes its
 * tokens with one compare of the clock, where rte_meter's refill would
 * add 0. The times it stores stay at most now.
 */
static inline enum rte_color
one_rate_check(struct policer_meter *pm, uint64_t now, uint32_t len)
{
	uint64_t unused = 0;

	if (now < pm->m.time_tp)
		return one_rate_take(&pm->m, len);
	return one_rate_all(pm, now, len, &unused);
}

/* one_rate_check as it was before the deadline (stage_policer_period):
 * the period test on time_tc, from the deadline, then the same. */
static inline enum rte_color
one_rate_period(struct policer_meter *pm, uint64_t now, uint32_t len)
{
	uint64_t unused = 0;

	if (now - policer0_time(&pm->m, pm->period) < pm->period)
		return one_rate_take(&pm->m, len);
	return one_rate_all(pm, now, len, &unused);
}

/* See policer_stage.h: one_rate_check or one_rate_all, for the test. */
enum rte_color
policer_one_rate_check(struct rte_meter_trtcm *mt,
		       const struct rte_meter_trtcm_profile *p, uint64_t now,
		       uint32_t len)
{
	struct policer_meter pm = {
		.m = *mt,
		.prof = p,
		.period = p->cir_period,
		.bytes_per_period = p->cir_bytes_per_period,
		.cbs = p->cbs,
	};
	uint64_t tmax = 0;
	enum rte_color col;

	pm.m.time_tp = mt->time_tc + p->cir_period;
	if (now >= mt->time_tc)
		col = one_rate_check(&pm, now, len);
	else
		col = one_rate_all(&pm, now, len, &tmax);
	mt->time_tc = policer0_time(&pm.m, p->cir_period);
	mt->tc = pm.m.tc;
	return col;
}

/* A packet the check coloured yellow or red: its colour and the class's
 * action for it. */
static inline void
not_green(const struct tables *t, struct burst *b, unsigned i, uint32_t c,
	  enum rte_color col)
{
	const struct tbl_class *cls = &t->classes[c];

	if (col == RTE_COLOR_YELLOW) {
		b->meta[i].colour = COLOUR_YELLOW;
		act(b, i, cls->yellow_action, cls->yellow_dscp,
		    IXG_DROP_POLICER_YELLOW);
	} else {
		b->meta[i].colour = COLOUR_RED;
		act(b, i, cls->red_action, cls->red_dscp, IXG_DROP_POLICER_RED);
	}
}

/*
 * Meters packet i (m) if it is VERDICT_CONTINUE IP and has a profile for
 * (in_peer, class): stage_policer's work for one packet. all: class 0 by
 * one_rate_all (1: a burst below the worker's clock), *tmax raised to
 * the times it stores; by one_rate_period (2: stage_policer_period).
 */
static inline __attribute__((always_inline)) void
police_one(const struct tables *t, struct burst *b, const unsigned i,
	   const uint64_t now, struct policer_meter *meters,
	   struct policer_meter *meters0, const uint32_t n_meters,
	   const uint32_t stride, const int all, uint64_t *tmax)
{
	const struct pkt_meta *m = &b->meta[i];
	const struct rte_meter_trtcm_profile *prof;
	struct policer_meter *pm;
	/* Read once: the meter's stores may alias them for the compiler
	 * (-fno-strict-aliasing). */
	const uint32_t peer = m->in_peer, c = m->class_id;
	uint32_t idx;
	enum rte_color col;

	/* A class above the highest metered one, a peer above the highest
	 * configured one (IXG_PEER_NONE is 0: its row is empty), an
	 * unconfigured peer or a (peer, class) without a rate: nothing to
	 * meter (tables.h, meter_prof, the meter's prof). Class 0's meter
	 * is meters0[peer], a line for every peer id (stage_peer writes ids
	 * below IXG_MAX_PEERS; the mask keeps any other value inside the
	 * array), and one without a profile is told apart only where the
	 * check would colour the packet (struct policer_meter: such a meter
	 * is never refilled and its tokens are 0, and a packet of length 0
	 * stores them back unchanged). The two paths keep their own
	 * lookups: a shared one would give class 0 (93% of the packets) the
	 * class bound and the profile test that rte_meter's check needs
	 * first. */
	if (!continue_ip(m))
		return;
	if (likely(c == 0)) {
		pm = &meters0[peer & (IXG_MAX_PEERS - 1)];
		if (all == 1)
			col = one_rate_all(pm, now, m->l3_total, tmax);
		else if (all == 2)
			col = one_rate_period(pm, now, m->l3_total);
		else
			col = one_rate_check(pm, now, m->l3_total);
		if (likely(col == RTE_COLOR_GREEN) || pm->prof == NULL)
			return;
	} else {
		if (c >= stride)
			return;
		idx = peer * stride + c;
		if (idx >= n_meters)
			return;
		pm = &meters[idx];
		prof = pm->prof;
		if (prof == NULL)
			return;
		col = rte_meter_trtcm_color_blind_check(
			&pm->m,
			(struct rte_meter_trtcm_profile *)(uintptr_t)prof, now,
			m->l3_total);
		if (likely(col == RTE_COLOR_GREEN))
			return;
	}
	not_green(t, b, i, c, col);
}

/*
 * Meters every VERDICT_CONTINUE IP packet that has a profile for (in_peer,
 * class) with ctx->now_tsc and the IP total length (RFC 2698 s. 3 meters
 * the IP packet), colours it yellow or red where the meter says so and
 * applies the class's action. A green packet keeps the colour stage_parse
 * gave every packet, COLOUR_GREEN (0), so nothing is stored for it.
 * Class 0 (the peer's one rate, most packets) is tested first and takes
 * one_rate_check (a burst below the worker's clock, POLICER_CLOCK:
 * one_rate_all); the others rte_meter's trTCM check. In order, two
 * packets an iteration (the loop's count and test once for two). Worker
 * thread; writes only this worker's meters. stage_policer's body;
 * period: class 0's no-refill test as stage_policer_period makes it.
 */
static inline __attribute__((always_inline)) void
policer_run(struct pipeline_ctx *ctx, struct burst *b, const int period)
{
	const unsigned n_pkts = b->n;
	const struct tables *t = ctx->t;
	const uint64_t now = ctx->now_tsc;
	const uint32_t n_meters = t->n_meters, stride = t->meter_stride;
	struct policer_meter *meters, *meters0;
	uint64_t *clock, tmax;
	unsigned i;

	if (ctx->worker >= t->n_workers || t->meters[ctx->worker] == NULL)
		return;
	meters = t->meters[ctx->worker];
	meters0 = t->meters0[ctx->worker];
	clock = &meters0[POLICER_CLOCK].m.time_tc;
	tmax = *clock;
	if (unlikely(now < tmax)) {
		/* Some class-0 time_tc may be above now: rte_meter's whole
		 * arithmetic for each, the clock raised to what it stores. */
		for (i = 0; i < n_pkts; i++)
			police_one(t, b, i, now, meters, meters0, n_meters,
				   stride, 1, &tmax);
		*clock = tmax;
		return;
	}
	/* Every class-0 time_tc is at most now, and stays so. */
	*clock = now;
	for (i = 0; i + 1 < n_pkts; i += 2) {
		police_one(t, b, i, now, meters, meters0, n_meters, stride,
			   period ? 2 : 0, NULL);
		police_one(t, b, i + 1, now, meters, meters0, n_meters, stride,
			   period ? 2 : 0, NULL);
	}
	if (i < n_pkts)
		police_one(t, b, i, now, meters, meters0, n_meters, stride,
			   period ? 2 : 0, NULL);
}

/* See policer_run. */
PIPELINE_NO_SLP void
stage_policer(struct pipeline_ctx *ctx, struct burst *b)
{
	policer_run(ctx, b, 0);
}

/* See pipeline.h. */
PIPELINE_NO_SLP void
stage_policer_period(struct pipeline_ctx *ctx, struct burst *b)
{
	policer_run(ctx, b, 1);
}
