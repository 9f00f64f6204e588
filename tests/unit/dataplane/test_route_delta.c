/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route deltas in the dataplane: generation after generation of random
 * edits applied to sorted route tables the way TXN_DELTA applies them
 * (ixg_delta_apply), each snapshot built from the previous one with warm
 * spares (route FIBs patched, the sorted route lists not sorted again,
 * the blackholes and local addresses merged in; every other generation
 * the parked spare is first brought up to the live FIB, as the main loop
 * does at idle times): every lookup of the
 * patched FIBs equals a FIB built fresh from the same spec and a
 * brute-force longest match over the spec; the patch path is taken.
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

#include "dp_test_util.h"
#include "fibrec.h"
#include "ixg_wire.h"
#include "lpm.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint32_t
mask4(unsigned len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

#define NPEERS 7

static struct ixg_spec_route4
rand_route4(void)
{
	static const uint8_t lens[] = {8,  12, 16, 20, 22, 23,
				       24, 24, 24, 28, 32};
	struct ixg_spec_route4 r;
	unsigned len = lens[rnd() % sizeof(lens)];

	memset(&r, 0, sizeof(r));
	r.addr = ((10u + rnd() % 3) << 24 | (rnd() & 0xffffff)) & mask4(len);
	r.len = (uint8_t)len;
	r.peer_id = (uint16_t)(1 + rnd() % NPEERS);
	return r;
}

static struct ixg_spec_route6
rand_route6(void)
{
	static const uint8_t lens[] = {24, 32, 40, 44, 48, 48, 48, 56, 64};
	struct ixg_spec_route6 r;
	unsigned len = lens[rnd() % sizeof(lens)];

	memset(&r, 0, sizeof(r));
	r.addr[0] = 0x20;
	r.addr[1] = 0x01;
	r.addr[2] = 0x0d;
	r.addr[3] = (uint8_t)(0xb8 + rnd() % 2);
	for (unsigned i = 4; i < 8; i++)
		r.addr[i] = (uint8_t)rnd();
	for (unsigned b = len; b < 128; b++)
		r.addr[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
	r.len = (uint8_t)len;
	r.peer_id = (uint16_t)(1 + rnd() % NPEERS);
	return r;
}

/* Random edits against the sorted table base (family f): some of its
 * prefixes deleted or moved to another peer, some new ones set. */
static void *
rand_edits(unsigned table, const void *base, uint32_t n_base, uint64_t *n)
{
	size_t es = ixg_table_elem_size(table);
	uint32_t n_new = n_base + 64;
	char *nw = malloc((n_new + 1) * es);
	uint32_t k = 0;
	void *edits;

	for (uint32_t i = 0; i < n_base; i++) {
		const char *e = (const char *)base + (size_t)i * es;
		unsigned r = rnd() % 100;

		if (r < 2)
			continue; /* deleted */
		memcpy(nw + (size_t)k * es, e, es);
		if (r < 4) { /* another peer */
			uint16_t *peer =
				table == IXG_TBL_ROUTES4
					? &((struct ixg_spec_route4
						     *)(void *)(nw +
								(size_t)k * es))
						   ->peer_id
					: &((struct ixg_spec_route6
						     *)(void *)(nw +
								(size_t)k * es))
						   ->peer_id;
			*peer = (uint16_t)(1 + (*peer % NPEERS));
		}
		k++;
	}
	for (unsigned i = rnd() % 64; i > 0; i--, k++) {
		if (table == IXG_TBL_ROUTES4) {
			struct ixg_spec_route4 r = rand_route4();

			memcpy(nw + (size_t)k * es, &r, es);
		} else {
			struct ixg_spec_route6 r = rand_route6();

			memcpy(nw + (size_t)k * es, &r, es);
		}
	}
	assert_int_equal(ixg_routes_sort(table, nw, &k), 0);
	assert_int_equal(ixg_delta_diff(table, base, n_base, nw, k, &edits, n),
			 0);
	free(nw);
	return edits;
}

/* ---- the reference: longest match over the spec ------------------- */

static int
covers4(uint32_t pfx, unsigned len, uint32_t a)
{
	return (a & mask4(len)) == pfx;
}

static int
covers6(const uint8_t *pfx, unsigned len, const uint8_t *a)
{
	for (unsigned b = 0; b < len; b++) {
		unsigned m = 0x80 >> (b % 8);

		if ((pfx[b / 8] & m) != (a[b / 8] & m))
			return 0;
	}
	return 1;
}

/* What route4 answers for a (host order), by brute force. */
static uint32_t
model4(const struct ixg_spec *s, uint32_t a)
{
	int best = -1, rank = -1;
	uint32_t v = NH_NONE;

	for (uint32_t i = 0; i < s->n_routes4; i++)
		if (covers4(s->routes4[i].addr, s->routes4[i].len, a) &&
		    s->routes4[i].len > best) {
			best = s->routes4[i].len;
			rank = 0;
			v = s->routes4[i].peer_id;
		}
	for (uint32_t i = 0; i < s->n_blackholes; i++) {
		const struct ixg_spec_blackhole *h = &s->blackholes[i];
		uint32_t p;

		if (h->family != 4)
			continue;
		memcpy(&p, h->addr, 4);
		p = __builtin_bswap32(p);
		if (covers4(p & mask4(h->len), h->len, a) &&
		    (h->len > best || (h->len == best && rank < 1))) {
			best = h->len;
			rank = 1;
			v = NH_BLACKHOLE | i;
		}
	}
	for (uint32_t i = 0; i < s->n_local_addrs; i++) {
		const struct ixg_spec_local_addr *l = &s->local_addrs[i];
		uint32_t p;

		if (l->family != 4)
			continue;
		memcpy(&p, l->addr, 4);
		if (__builtin_bswap32(p) == a)
			v = NH_LOCAL | i; /* a /32: nothing is longer */
	}
	return v;
}

static uint32_t
model6(const struct ixg_spec *s, const uint8_t *a)
{
	int best = -1, rank = -1;
	uint32_t v = NH_NONE;

	for (uint32_t i = 0; i < s->n_routes6; i++)
		if (covers6(s->routes6[i].addr, s->routes6[i].len, a) &&
		    s->routes6[i].len > best) {
			best = s->routes6[i].len;
			rank = 0;
			v = s->routes6[i].peer_id;
		}
	for (uint32_t i = 0; i < s->n_blackholes; i++) {
		const struct ixg_spec_blackhole *h = &s->blackholes[i];

		if (h->family != 6)
			continue;
		if (covers6(h->addr, h->len, a) &&
		    (h->len > best || (h->len == best && rank < 1))) {
			best = h->len;
			rank = 1;
			v = NH_BLACKHOLE | i;
		}
	}
	for (uint32_t i = 0; i < s->n_local_addrs; i++)
		if (s->local_addrs[i].family == 6 &&
		    memcmp(s->local_addrs[i].addr, a, 16) == 0)
			v = NH_LOCAL | i;
	return v;
}

/* Every route's first and last address and random ones: the patched
 * snapshot, the fresh one and the model agree. */
static void
check(const struct ixg_spec *s, const struct tables *p, const struct tables *f)
{
	for (uint32_t i = 0; i < s->n_routes4 + 300; i++) {
		uint32_t a =
			i < s->n_routes4
				? s->routes4[i].addr |
					  (rnd() % 2 ? ~mask4(s->routes4[i].len)
						     : 0)
				: (10u + rnd() % 3) << 24 | (rnd() & 0xffffff);
		uint32_t want = model4(s, a);

		if (lpm4_lookup(p->route4, a) != want ||
		    lpm4_lookup(f->route4, a) != want)
			fail_msg("IPv4 %08x: patched %u fresh %u model %u", a,
				 lpm4_lookup(p->route4, a),
				 lpm4_lookup(f->route4, a), want);
	}
	for (uint32_t i = 0; i < s->n_routes6 + 300; i++) {
		uint8_t a[16];
		uint32_t want;

		if (i < s->n_routes6) {
			memcpy(a, s->routes6[i].addr, 16);
			a[15] |= (uint8_t)(rnd() % 2);
		} else {
			struct ixg_spec_route6 r = rand_route6();

			memcpy(a, r.addr, 16);
			a[8] = (uint8_t)rnd();
		}
		want = model6(s, a);
		if (lpm6_lookup(p->route6, a) != want ||
		    lpm6_lookup(f->route6, a) != want)
			fail_msg("IPv6 route %u: patched %u fresh %u model %u",
				 i, lpm6_lookup(p->route6, a),
				 lpm6_lookup(f->route6, a), want);
	}
}

static struct tables *
build(const struct ixg_spec *s, const struct ixg_spec *ps,
      const struct tables *prev, uint64_t gen)
{
	char err[256];
	struct tables *t = tables_build_from(s, ps, prev, 1, gen, err,
					     sizeof(err));

	if (t == NULL)
		fail_msg("tables_build_from: %s (errno %d)", err, errno);
	return t;
}

static void
test_delta_generations(void **state)
{
	struct ixg_spec *s = dp_spec_new();
	struct ixg_spec *prev_spec;
	struct tables *prev;
	unsigned patched4 = 0, patched6 = 0;
	uint32_t n;

	(void)state;
	dp_spec_port(s, 0, "02:00:00:00:00:01");
	for (uint16_t p = 1; p <= NPEERS; p++) {
		char mac[32];

		snprintf(mac, sizeof(mac), "02:00:00:00:01:%02x", p);
		dp_spec_peer(s, p, 0, 0, mac, IXG_SAV_OFF);
	}
	dp_spec_local(s, 0, "10.1.2.3", 24);
	dp_spec_local(s, 0, "2001:db8:1::fe", 64);
	/* route tables of a few thousand prefixes, sorted as the daemon
	 * sends them; blackholes load after them (the unsorted tail) */
	for (int i = 0; i < 4000; i++) {
		struct ixg_spec_route4 r = rand_route4();
		struct ixg_spec_route6 r6 = rand_route6();
		char a[64];

		snprintf(a, sizeof(a), "%u.%u.%u.%u", r.addr >> 24,
			 (r.addr >> 16) & 255, (r.addr >> 8) & 255,
			 r.addr & 255);
		dp_spec_route4(s, a, r.len, r.peer_id);
		if (i < 2500) {
			struct ixg_spec_route6 *x = dp_spec_route6(
				s, "2001:db8::", 32, 1);

			*x = r6;
		}
	}
	dp_spec_blackhole(s, "10.1.0.0", 16, 0);
	dp_spec_blackhole(s, "11.2.3.0", 24, 0);
	dp_spec_blackhole(s, "2001:db8:2::", 48, 0);
	n = s->n_routes4;
	assert_int_equal(ixg_routes_sort(IXG_TBL_ROUTES4, s->routes4, &n), 0);
	s->n_routes4 = n;
	n = s->n_routes6;
	assert_int_equal(ixg_routes_sort(IXG_TBL_ROUTES6, s->routes6, &n), 0);
	s->n_routes6 = n;
	for (uint32_t i = 0; i < s->n_routes4; i++)
		s->routes4[i].origin = i;

	fibrec_set_spares(true);
	prev = build(s, NULL, NULL, 1);
	{ /* warm spares, one FIB a call, as the main loop does */
		int rc, calls = 0;

		while ((rc = tables_warm_one(prev)) > 0 && calls++ < 16)
			;
		assert_int_equal(rc, 0);
	}
	prev_spec = s;
	for (uint64_t gen = 2; gen < 40; gen++) {
		struct ixg_spec *ns = malloc(sizeof(*ns));
		struct tables *t, *fresh;
		char err[IXG_WIRE_ERR_LEN];
		uint64_t ne;
		void *edits, *out;
		uint32_t n_out, idx;

		*ns = *prev_spec;
		/* one family or both changes, as a route commit does */
		if (gen % 3 != 0) {
			edits = rand_edits(IXG_TBL_ROUTES4, prev_spec->routes4,
					   prev_spec->n_routes4, &ne);
			assert_int_equal(ixg_delta_apply(IXG_TBL_ROUTES4,
							 prev_spec->routes4,
							 prev_spec->n_routes4,
							 edits, ne, &out,
							 &n_out, &idx, err),
					 IXG_ST_OK);
			ns->routes4 = out;
			ns->n_routes4 = n_out;
			free(edits);
		} else {
			ns->routes4 = malloc((prev_spec->n_routes4 + 1) *
					     sizeof(*ns->routes4));
			memcpy(ns->routes4, prev_spec->routes4,
			       prev_spec->n_routes4 * sizeof(*ns->routes4));
		}
		if (gen % 2 == 0) {
			edits = rand_edits(IXG_TBL_ROUTES6, prev_spec->routes6,
					   prev_spec->n_routes6, &ne);
			assert_int_equal(ixg_delta_apply(IXG_TBL_ROUTES6,
							 prev_spec->routes6,
							 prev_spec->n_routes6,
							 edits, ne, &out,
							 &n_out, &idx, err),
					 IXG_ST_OK);
			ns->routes6 = out;
			ns->n_routes6 = n_out;
			free(edits);
		} else {
			ns->routes6 = malloc((prev_spec->n_routes6 + 1) *
					     sizeof(*ns->routes6));
			memcpy(ns->routes6, prev_spec->routes6,
			       prev_spec->n_routes6 * sizeof(*ns->routes6));
		}
		t = build(ns, prev_spec, prev, gen);
		patched4 += t->fib_stat[FIB_ROUTE4].how == FIBREC_PATCHED;
		patched6 += t->fib_stat[FIB_ROUTE6].how == FIBREC_PATCHED;
		/* no spare left for this slot now: a fresh build */
		fresh = build(ns, NULL, NULL, gen);
		check(ns, t, fresh);
		tables_free(fresh);
		tables_free(prev);
		if (prev_spec != s) {
			free(prev_spec->routes4);
			free(prev_spec->routes6);
			free(prev_spec);
		}
		prev = t;
		prev_spec = ns;
		/* idle time, as the main loop: the parked spare (the FIB of
		 * the generation before) is brought up to the live one, on
		 * odd generations only, so both paths are checked */
		if (gen % 2 == 1) {
			int rc, calls = 0;

			while ((rc = tables_warm_one(prev)) > 0 && calls++ < 16)
				;
			assert_int_equal(rc, 0);
		}
	}
	tables_free(prev);
	if (prev_spec != s) {
		free(prev_spec->routes4);
		free(prev_spec->routes6);
		free(prev_spec);
	}
	dp_spec_free(s);
	fibrec_set_spares(false);
	assert_int_equal(fibrec_live(), 0);
	print_message("route4 patched %u times, route6 %u times\n", patched4,
		      patched6);
	/* the spares were patched, not repainted */
	assert_true(patched4 >= 5);
	assert_true(patched6 >= 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delta_generations),
	};

	dp_test_eal_init("t_rdelta", 1536);
	fibrec_set_spare_min(0);
	fibrec_set_patch_ratio(8);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
