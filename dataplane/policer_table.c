/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * policer_table.c - what stage_policer (policer_stage.c) reads: the
 * classes and their actions, one trTCM profile (RFC 2698) per metered
 * class and per peer with a committed rate, and each worker's meters
 * (tables.h, "Policer").
 * Hooks (tables_impl.h): the spec table "classes", the part "policer".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "policer_stage.h"
#include "tables_impl.h"

/* ------------------------------------------------------------------ */
/* Checks and names.                                                  */

/*
 * One worker's share of a rate or burst. Meters are per worker (a shared
 * meter would be a shared write on the hot path) and RSS spreads a peer's
 * flows over the workers, so each worker meters 1/N of the configured rate
 * and burst: exact for traffic spread evenly; one flow alone is held to 1/N.
 * A burst share never drops below one full-size frame (or the whole burst,
 * if that is smaller), so a worker can always pass a frame.
 */
static uint64_t
share(uint64_t v, unsigned n_workers, uint64_t floor)
{
	uint64_t s = (v + n_workers - 1) / n_workers;

	if (floor > v)
		floor = v;
	return s < floor ? floor : s;
}

#define BURST_FLOOR 1522 /* one 1500-byte frame with Ethernet and a tag */

/* A peer with a rate and no burst: 100 ms of the rate, at least 2 frames. */
static uint64_t
peer_burst(const struct ixg_spec_peer *p)
{
	if (p->burst != 0)
		return p->burst;
	return p->rate / 10 > 3028 ? p->rate / 10 : 3028;
}

/*
 * Why a trTCM profile (cir, cbs, pir, pbs: the configured rates in bytes
 * per second and bursts in bytes) cannot meter safely once each of
 * n_workers workers gets its share, written to why; 0 if it can. A rate or
 * burst outside IXG_RATE_MAX / IXG_BURST_MAX, or a token-bucket period of
 * 0: rte_meter_get_tb_params overflows 64 bits for rates near 2^64 / 100
 * bytes per second, still succeeds, and the worker's meter would divide
 * by that 0 (SIGFPE). A profile rte_meter refuses outright is left to the
 * build, whose message names it.
 */
static int
meter_trouble(uint64_t cir, uint64_t cbs, uint64_t pir, uint64_t pbs,
	      unsigned n_workers, char *why, size_t len)
{
	struct rte_meter_trtcm_params prm;
	struct rte_meter_trtcm_profile prof;

	if (n_workers == 0)
		n_workers = 1;
	if (cir > IXG_RATE_MAX || pir > IXG_RATE_MAX) {
		snprintf(why, len,
			 "rate %" PRIu64 " bytes/s above the most a meter "
			 "takes (%llu bytes/s, 10 Tbit/s)",
			 cir > IXG_RATE_MAX ? cir : pir, IXG_RATE_MAX);
		return -1;
	}
	if (cbs > IXG_BURST_MAX || pbs > IXG_BURST_MAX) {
		snprintf(why, len,
			 "burst %" PRIu64 " bytes above the most a meter "
			 "takes (%llu bytes)",
			 cbs > IXG_BURST_MAX ? cbs : pbs, IXG_BURST_MAX);
		return -1;
	}
	prm = (struct rte_meter_trtcm_params){
		.cir = share(cir, n_workers, 0),
		.cbs = share(cbs, n_workers, BURST_FLOOR),
		.pir = share(pir, n_workers, 0),
		.pbs = share(pbs, n_workers, BURST_FLOOR),
	};
	if (rte_meter_trtcm_profile_config(&prof, &prm) < 0)
		return 0;
	if (prof.cir_period == 0 || prof.pir_period == 0) {
		snprintf(why, len,
			 "rate %" PRIu64 " bytes/s per worker gives rte_meter "
			 "a token-bucket period of 0",
			 prof.cir_period == 0 ? prm.cir : prm.pir);
		return -1;
	}
	return 0;
}

/* See tables_impl.h. */
int
policer_check_peer(struct spec_check *c, uint32_t i)
{
	const struct ixg_spec_peer *p = &c->s->peers[i];
	uint64_t burst = peer_burst(p);
	char why[160];

	if (p->rate == 0 ||
	    meter_trouble(p->rate, burst, p->rate, burst, c->env->n_workers,
			  why, sizeof(why)) == 0)
		return 0;
	return spec_refuse(c, IXG_TBL_PEERS, i, p->origin,
			   "peer %u '%s' (origin %" PRIu32 "): %s", p->id,
			   p->name, p->origin, why);
}

static int
classes_validate(struct spec_check *c)
{
	const struct ixg_spec *s = c->s;
	char why[160];
	uint32_t i;

	for (i = 0; i < s->n_classes; i++) {
		const struct ixg_spec_class *k = &s->classes[i];

		if (k->id == 0 || k->id >= IXG_MAX_CLASSES) {
			spec_refuse(
				c, IXG_TBL_CLASSES, i, k->origin,
				"class %u '%s' (origin %" PRIu32 "): id out of "
				"range 1..%u",
				k->id, k->name, k->origin, IXG_MAX_CLASSES - 1);
			return -1;
		}
		if (spec_id_has(c->classes, k->id)) {
			spec_refuse(c, IXG_TBL_CLASSES, i, k->origin,
				    "class %u '%s' (origin %" PRIu32
				    "): duplicate "
				    "id",
				    k->id, k->name, k->origin);
			return -1;
		}
		spec_id_add(c->classes, k->id);
		if (k->cir > 0 &&
		    meter_trouble(k->cir, k->cbs, k->pir, k->pbs,
				  c->env->n_workers, why, sizeof(why)) < 0)
			return spec_refuse(c, IXG_TBL_CLASSES, i, k->origin,
					   "class %u '%s' (origin %" PRIu32
					   "): %s",
					   k->id, k->name, k->origin, why);
	}
	return 0;
}

static void
classes_describe(const struct ixg_spec *s, uint32_t i, char *buf, size_t len)
{
	snprintf(buf, len, "class %s (origin %" PRIu32 ")", s->classes[i].name,
		 s->classes[i].origin);
}

const struct spec_table_ops spec_table_classes = {
	.validate = classes_validate,
	.describe = classes_describe,
};

/* ------------------------------------------------------------------ */
/* The part "policer".                                                */

static int
profile(struct tbl_build *b, struct rte_meter_trtcm_profile *p, uint64_t cir,
	uint64_t cbs, uint64_t pir, uint64_t pbs, const char *what)
{
	struct rte_meter_trtcm_params prm = {
		.cir = cir,
		.pir = pir,
		.cbs = cbs,
		.pbs = pbs,
	};
	int r = rte_meter_trtcm_profile_config(p, &prm);

	if (r < 0)
		return tbl_fail(
			b, r,
			"%s: rte_meter_trtcm_profile_config (cir %" PRIu64
			" cbs %" PRIu64 " pir %" PRIu64 " pbs %" PRIu64 "): %s",
			what, cir, cbs, pir, pbs, strerror(-r));
	return 0;
}

/* A meter line's profile and its copy of the C bucket's numbers
 * (tables.h, struct policer_meter). */
static void
meter_line(struct policer_meter *pm, const struct rte_meter_trtcm_profile *pp)
{
	pm->prof = pp;
	pm->period = pp != NULL ? pp->cir_period : UINT64_MAX;
	pm->bytes_per_period = pp != NULL ? pp->cir_bytes_per_period : 0;
	pm->cbs = pp != NULL ? pp->cbs : 0;
}

static int
build_policer(struct tbl_build *b)
{
	const struct ixg_spec *s = b->spec;
	struct tables *t = b->t;
	unsigned n_workers = t->n_workers, max_peer = 0, max_class = 0;
	char what[96], why[160];
	int rc;

	/* Class 0, the default: the peer's committed rate; red drops. */
	t->classes[0].configured = 1;
	t->classes[0].yellow_action = IXG_METER_PASS;
	t->classes[0].red_action = IXG_METER_DROP;
	snprintf(t->classes[0].name, sizeof(t->classes[0].name), "default");
	for (uint32_t i = 0; i < s->n_classes; i++) {
		const struct ixg_spec_class *c = &s->classes[i];
		struct tbl_class *tc;

		snprintf(what, sizeof(what), "class %s (origin %" PRIu32 ")",
			 c->name, c->origin);
		if (c->id == 0 || c->id >= IXG_MAX_CLASSES ||
		    t->classes[c->id].configured ||
		    c->yellow_action > IXG_METER_DROP ||
		    c->red_action > IXG_METER_DROP)
			return tbl_fail(b, -EINVAL,
					"%s: bad or duplicate id %u, "
					"or bad action",
					what, c->id);
		tc = &t->classes[c->id];
		tc->configured = 1;
		tc->yellow_action = c->yellow_action;
		tc->red_action = c->red_action;
		tc->yellow_dscp = c->yellow_dscp & 0x3f;
		tc->red_dscp = c->red_dscp & 0x3f;
		snprintf(tc->name, sizeof(tc->name), "%s", c->name);
		if (c->cir > 0 &&
		    meter_trouble(c->cir, c->cbs, c->pir, c->pbs, n_workers,
				  why, sizeof(why)) < 0)
			return tbl_fail(b, -EINVAL, "%s: %s", what, why);
		if (c->cir > 0) {
			rc = profile(b, &t->profiles[c->id],
				     share(c->cir, n_workers, 0),
				     share(c->cbs, n_workers, BURST_FLOOR),
				     share(c->pir, n_workers, 0),
				     share(c->pbs, n_workers, BURST_FLOOR),
				     what);
			if (rc < 0)
				return rc;
			t->metered[c->id] = 1;
		}
		if (c->id > max_class)
			max_class = c->id;
	}

	t->peer_profiles = rte_zmalloc(
		"peer_profiles", IXG_MAX_PEERS * sizeof(*t->peer_profiles), 0);
	t->peer_metered = rte_zmalloc("peer_metered", IXG_MAX_PEERS, 0);
	if (t->peer_profiles == NULL || t->peer_metered == NULL)
		return tbl_fail(b, -ENOMEM, "policer: out of memory");
	for (uint32_t i = 0; i < s->n_peers; i++) {
		const struct ixg_spec_peer *p = &s->peers[i];
		uint64_t burst = peer_burst(p);

		if (p->id > max_peer)
			max_peer = p->id;
		if (p->rate == 0)
			continue;
		snprintf(what, sizeof(what), "peer %s (origin %" PRIu32 ")",
			 p->name, p->origin);
		if (meter_trouble(p->rate, burst, p->rate, burst, n_workers,
				  why, sizeof(why)) < 0)
			return tbl_fail(b, -EINVAL, "%s: %s", what, why);
		/* One rate: C and P buckets equal, so green or red only. */
		rc = profile(b, &t->peer_profiles[p->id],
			     share(p->rate, n_workers, 0),
			     share(burst, n_workers, BURST_FLOOR),
			     share(p->rate, n_workers, 0),
			     share(burst, n_workers, BURST_FLOOR), what);
		if (rc < 0)
			return rc;
		t->peer_metered[p->id] = 1;
	}

	t->n_meters = (max_peer + 1) * (max_class + 1);
	t->meter_stride = max_class + 1;
	for (uint32_t p = 0; p <= max_peer; p++)
		t->peers[p].meter_base = p * (max_class + 1);
	t->meter_prof = rte_zmalloc("meter_prof",
				    t->n_meters * sizeof(*t->meter_prof),
				    RTE_CACHE_LINE_SIZE);
	if (t->meter_prof == NULL)
		return tbl_fail(b, -ENOMEM, "policer: out of memory");
	for (uint32_t p = 1; p <= max_peer; p++) {
		const struct rte_meter_trtcm_profile **row =
			&t->meter_prof[t->peers[p].meter_base];

		if (!t->peers[p].configured)
			continue;
		if (t->peer_metered[p])
			row[0] = &t->peer_profiles[p];
		for (unsigned c = 1; c <= max_class; c++)
			if (t->metered[c])
				row[c] = &t->profiles[c];
	}
	for (unsigned w = 0; w < n_workers; w++) {
		struct policer_meter *m, *m0;

		m = rte_zmalloc("meters", t->n_meters * sizeof(*m),
				RTE_CACHE_LINE_SIZE);
		m0 = rte_zmalloc("meters0", POLICER_METERS0 * sizeof(*m0),
				 RTE_CACHE_LINE_SIZE);
		t->meters[w] = m;
		t->meters0[w] = m0;
		if (m == NULL || m0 == NULL)
			return tbl_fail(b, -ENOMEM,
					"meters for worker %u: out of "
					"memory",
					w);
		for (uint32_t p = 1; p <= max_peer; p++) {
			if (!t->peers[p].configured)
				continue;
			if (t->peer_metered[p])
				rte_meter_trtcm_config(&m0[p].m,
						       &t->peer_profiles[p]);
			for (unsigned c = 1; c <= max_class; c++)
				if (t->metered[c])
					rte_meter_trtcm_config(
						&m[t->peers[p].meter_base + c]
							 .m,
						&t->profiles[c]);
		}
		/* Class 0's lines in m stay unmetered: stage_policer reads
		 * class 0 from m0. */
		for (uint32_t i = 0; i < t->n_meters; i++)
			meter_line(&m[i], i % t->meter_stride == 0
						  ? NULL
						  : t->meter_prof[i]);
		/* Class 0's: the deadline in the P bucket's time, and the
		 * worker's clock above every time_tc (policer_stage.h). */
		for (uint32_t p = 0; p < IXG_MAX_PEERS; p++) {
			meter_line(&m0[p],
				   p <= max_peer
					   ? t->meter_prof[p * t->meter_stride]
					   : NULL);
			m0[p].m.time_tp = m0[p].m.time_tc + m0[p].period;
			if (m0[p].m.time_tc > m0[POLICER_CLOCK].m.time_tc)
				m0[POLICER_CLOCK].m.time_tc = m0[p].m.time_tc;
		}
	}
	return 0;
}

static void
policer_free(struct tables *t)
{
	rte_free(t->peer_profiles);
	rte_free(t->peer_metered);
	rte_free(t->meter_prof);
	for (unsigned w = 0; w < IXG_MAX_WORKERS; w++) {
		rte_free(t->meters[w]);
		rte_free(t->meters0[w]);
	}
}

const struct tbl_part_ops tbl_part_policer = {
	.build = build_policer,
	.free = policer_free,
};
