/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_rib_delta.c - the daemon's incremental route build (rib_table_delta,
 * doc/routing.md "Route deltas") against the full merge it replaces
 * (rib_table_merge + ixg_routes_sort + ixg_delta_diff, kept as the
 * reference): random batches of kernel routes (unicast through members or
 * unknown gateways, blackholes, withdrawals, prefixes shared with config
 * routes and config blackholes), members shut out and let back by
 * max-prefix, feasible members' sources, re-bases with other policies.
 * After every batch both ways must give the same routes4/routes6 (byte for
 * byte, sorted), the same edits (the delta sent), the same blackholes and
 * sources (as sets: their order may differ), and the tables the edits make
 * are those the dataplane would hold. Some routes are multipath (2 or 3
 * gateways, weights): ECMP groups (rib_nhg.h) made, shared, moved between
 * and dropped by both ways, the same groups sent (by id) whenever they
 * change, and no route to a group the same commit does not carry.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/rtnetlink.h>

#include "ixg_api.h"
#include "ixg_wire.h"
#include "rib_table.h"
#include "rib_test_util.h"
#include "rtnl_store.h"

#define N_PEERS 6

struct fx {
	struct rtnl_store *st;
	struct rib_table *t;
	struct ixg_spec s; /* the config, then the running state */
	struct ixg_spec_peer peers[N_PEERS];
	struct rib_policy pol;
	uint64_t rng;
	/* What the dataplane holds (sorted), and the running arrays. */
	struct ixg_spec_route4 *cur4;
	struct ixg_spec_route6 *cur6;
	uint32_t n_cur4, n_cur6;
	unsigned deltas, fulls, edits, bh_builds, src_builds;
	unsigned nhg_builds, group_routes;
};

static uint32_t
rnd(struct fx *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return (uint32_t)(f->rng >> 11);
}

/* A prefix of a small space, so that batches collide with config
 * routes, config blackholes, sources and each other. */
static void
pick(struct fx *f, int fam, uint8_t *dst, unsigned *len)
{
	memset(dst, 0, 16);
	if (fam == AF_INET) {
		dst[0] = 10;
		dst[1] = (uint8_t)(rnd(f) % 3);
		dst[2] = (uint8_t)(rnd(f) % 40);
		*len = rnd(f) % 5 == 0 ? 16 : 24;
		if (*len == 16)
			dst[2] = 0;
	} else {
		dst[0] = 0x20;
		dst[1] = 0x01;
		dst[2] = 0x0d;
		dst[3] = 0xb8;
		dst[5] = (uint8_t)(rnd(f) % 40);
		*len = 48;
	}
}

/* Member i (id i + 1): next hops 192.0.2.(i+1) and 2001:db8:ff::(i+1). */
static void
gw_of(int fam, unsigned i, uint8_t *gw)
{
	memset(gw, 0, 16);
	if (fam == AF_INET) {
		gw[0] = 192;
		gw[2] = 2;
		gw[3] = (uint8_t)(i + 1);
	} else {
		gw[0] = 0x20;
		gw[1] = 0x01;
		gw[2] = 0x0d;
		gw[3] = 0xb8;
		gw[4] = 0x00;
		gw[5] = 0xff;
		gw[15] = (uint8_t)(i + 1);
	}
}

/* A route via the members mem[0..n) (N_PEERS: a gateway that is
 * nobody's), weights w (NULL: 1 each): several make a multipath route,
 * an ECMP group when two or more members resolve. */
static void
route_mp(struct fx *f, enum rtnl_op op, int fam, const uint8_t *dst,
	 unsigned len, unsigned type, const unsigned *mem, const uint16_t *w,
	 unsigned n)
{
	struct rtnl_nexthop nh[N_PEERS + 1];

	memset(nh, 0, sizeof(nh));
	if (type != RTN_UNICAST)
		n = 0;
	for (unsigned i = 0; i < n; i++) {
		nh[i].gw_family = (uint8_t)fam;
		gw_of(fam, mem[i], nh[i].gw);
		nh[i].weight = w != NULL ? w[i] : 1;
	}
	rtu_apply(f->st, op, 1, fam, dst, len, type, RTPROT_BIRD, nh, n);
}

static void
route(struct fx *f, enum rtnl_op op, int fam, const uint8_t *dst, unsigned len,
      unsigned type, int member)
{
	unsigned m = (unsigned)member;

	route_mp(f, op, fam, dst, len, type, &m, NULL, 1);
}

static void
on_batch(void *arg, const struct rtnl_batch *b)
{
	struct fx *f = arg;

	assert_true(rib_table_apply(f->t, b) >= 0);
}

static void
flush(struct fx *f, bool full)
{
	assert_true(rtnl_store_flush(f->st, full, 3, on_batch, f, NULL) >= 0);
}

static void
route4(struct ixg_spec_route4 *r, uint8_t a, uint8_t b, uint8_t c, unsigned len,
       uint16_t peer, uint32_t origin)
{
	memset(r, 0, sizeof(*r));
	r->addr = (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8;
	r->len = (uint8_t)len;
	r->peer_id = peer;
	r->origin = origin;
}

/* The config: 6 members; sources 10.0.0.0/8 for 1-3, 10.1.0.0/16 for 4,
 * 2001:db8::/32 for 1-2; config routes (10.0.5/24, 10.1.0/16, twice
 * 10.2.7/24: the last counts, 2001:db8:0:3::/48... as 2001:db8:3::/48)
 * and config blackholes (10.0.9/24, 2001:db8:9::/48). */
static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint32_t tables[1] = {100};
	struct ixg_spec_route4 *r4, *s4;
	struct ixg_spec_route6 *r6, *s6;
	struct ixg_spec_blackhole *bh;

	assert_non_null(f);
	f->st = rtnl_store_new(tables, 1);
	f->t = rib_table_new();
	assert_non_null(f->st);
	assert_non_null(f->t);
	for (unsigned i = 0; i < N_PEERS; i++) {
		struct ixg_spec_peer *p = &f->peers[i];

		p->id = (uint16_t)(i + 1);
		snprintf(p->name, IXG_NAME_LEN, "m%u", i + 1);
		p->has_nh4 = 1;
		gw_of(AF_INET, i, p->nh4);
		p->has_nh6 = 1;
		gw_of(AF_INET6, i, p->nh6);
	}
	f->peers[0].sav_mode = IXG_SAV_FEASIBLE;
	f->peers[3].sav_mode = IXG_SAV_FEASIBLE;
	/* member 3 is shut out past 12 routes, back under 11 */
	f->peers[2].max_prefix = 12;
	r4 = calloc(8, sizeof(*r4));
	s4 = calloc(8, sizeof(*s4));
	r6 = calloc(4, sizeof(*r6));
	s6 = calloc(4, sizeof(*s6));
	bh = calloc(4, sizeof(*bh));
	assert_true(r4 && s4 && r6 && s6 && bh);
	route4(&r4[0], 10, 0, 5, 24, 2, 101);
	route4(&r4[1], 10, 1, 0, 16, 4, 102);
	route4(&r4[2], 10, 2, 7, 24, 5, 103);
	route4(&r4[3], 10, 2, 7, 24, 6, 104);
	f->s.n_routes4 = 4;
	inet_pton(AF_INET6, "2001:db8:3::", r6[0].addr);
	r6[0].len = 48;
	r6[0].peer_id = 2;
	r6[0].origin = 105;
	f->s.n_routes6 = 1;
	for (unsigned i = 0; i < 3; i++)
		route4(&s4[i], 10, 0, 0, 8, (uint16_t)(i + 1), 110 + i);
	s4[0].addr = 10u << 24;
	route4(&s4[3], 10, 1, 0, 16, 4, 113);
	f->s.n_sources4 = 4;
	for (unsigned i = 0; i < 2; i++) {
		inet_pton(AF_INET6, "2001:db8::", s6[i].addr);
		s6[i].len = 32;
		s6[i].peer_id = (uint16_t)(i + 1);
		s6[i].origin = 120 + i;
	}
	f->s.n_sources6 = 2;
	bh[0].family = 4;
	bh[0].len = 24;
	memcpy(bh[0].addr, (uint8_t[]){10, 0, 9, 0}, 4);
	bh[0].origin = 130;
	bh[1].family = 6;
	bh[1].len = 48;
	inet_pton(AF_INET6, "2001:db8:9::", bh[1].addr);
	bh[1].origin = 131;
	f->s.n_blackholes = 2;
	for (uint32_t i = 0; i < 4; i++)
		s4[i].addr &= s4[i].len == 8 ? 0xff000000u : 0xffff0000u;
	f->s.routes4 = r4;
	f->s.routes6 = r6;
	f->s.sources4 = s4;
	f->s.sources6 = s6;
	f->s.blackholes = bh;
	f->s.peers = f->peers;
	f->s.n_peers = N_PEERS;
	f->rng = 0x9e3779b97f4a7c15ull;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	rib_table_free(f->t);
	rtnl_store_free(f->st);
	free(f->s.routes4);
	free(f->s.routes6);
	free(f->s.sources4);
	free(f->s.sources6);
	free(f->s.blackholes);
	free(f->s.nhgroups);
	free(f->cur4);
	free(f->cur6);
	free(f);
	return 0;
}

static int
bh_order(const void *a, const void *b)
{
	const struct ixg_spec_blackhole *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if (memcmp(x->addr, y->addr, 16) != 0)
		return memcmp(x->addr, y->addr, 16);
	return (x->origin > y->origin) - (x->origin < y->origin);
}

static int
s4_order(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct ixg_spec_route4));
}

static int
s6_order(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct ixg_spec_route6));
}

/* Same elements, whatever their order (ids of blackholes aside). */
static void
same_set(const void *a, uint32_t na, const void *b, uint32_t nb, size_t size,
	 int (*cmp)(const void *, const void *), bool bh)
{
	void *x = malloc((size_t)na * size + 1),
	     *y = malloc((size_t)nb * size + 1);

	assert_int_equal(na, nb);
	memcpy(x, a, (size_t)na * size);
	memcpy(y, b, (size_t)nb * size);
	if (bh)
		for (uint32_t i = 0; i < na; i++) {
			((struct ixg_spec_blackhole *)x)[i].id = 0;
			((struct ixg_spec_blackhole *)y)[i].id = 0;
		}
	qsort(x, na, size, cmp);
	qsort(y, nb, size, cmp);
	assert_memory_equal(x, y, (size_t)na * size);
	free(x);
	free(y);
}

/* The reference: full merge, sorted; the tables, blackholes and sources
 * the state should hold now. */
static void
reference(struct fx *f, struct ixg_spec *m)
{
	memset(m, 0, sizeof(*m));
	assert_int_equal(rib_table_merge(f->t, &f->s, f->s.n_routes4,
					 f->s.n_routes6, f->s.n_blackholes, m),
			 0);
	assert_int_equal(
		ixg_routes_sort(IXG_TBL_ROUTES4, m->routes4, &m->n_routes4), 0);
	assert_int_equal(
		ixg_routes_sort(IXG_TBL_ROUTES6, m->routes6, &m->n_routes6), 0);
	assert_int_equal(rib_table_feasible(f->t, &f->s, f->s.n_sources4,
					    f->s.n_sources6, m),
			 0);
	assert_non_null(m->sources4);
}

/* Every group a route of m names is one of m's groups (the dataplane
 * refuses a route to a group it lacks); counts the group routes. */
static void
groups_named(struct fx *f, const struct ixg_spec *m)
{
	for (int fam = 0; fam < 2; fam++) {
		uint32_t n = fam == 0 ? m->n_routes4 : m->n_routes6;

		for (uint32_t i = 0; i < n; i++) {
			uint16_t p = fam == 0 ? m->routes4[i].peer_id
					      : m->routes6[i].peer_id;
			bool found = false;

			if (!(p & IXG_NH_GROUP))
				continue;
			f->group_routes++;
			for (uint32_t g = 0; g < m->n_nhgroups && !found; g++)
				found = m->nhgroups[g].id ==
					(p & ~IXG_NH_GROUP);
			assert_true(found);
		}
	}
}

/* One commit both ways: the reference state and edits, and the delta's
 * (when the table can give one); then the state moves on. */
static void
commit(struct fx *f)
{
	struct ixg_spec m, cur = f->s;
	struct rib_delta d;
	int rc;

	cur.routes4 = f->cur4;
	cur.n_routes4 = f->n_cur4;
	cur.routes6 = f->cur6;
	cur.n_routes6 = f->n_cur6;
	/* The delta first, as the daemon builds it (no merge before it to
	 * drop the groups no entry names any more), then the reference. */
	rc = rib_table_delta(f->t, &cur, &d);
	reference(f, &m);
	groups_named(f, &m);
	if (rc == -EAGAIN) {
		f->fulls++;
		rib_table_synced(f->t);
	} else {
		assert_int_equal(rc, 0);
		f->deltas++;
		for (int fam = 0; fam < 2; fam++) {
			unsigned k = fam == 0 ? IXG_TBL_ROUTES4
					      : IXG_TBL_ROUTES6;
			const void *held = fam == 0 ? (void *)f->cur4
						    : (void *)f->cur6;
			uint32_t n_held = fam == 0 ? f->n_cur4 : f->n_cur6;
			const void *want = fam == 0 ? (void *)m.routes4
						    : (void *)m.routes6;
			uint32_t n_want = fam == 0 ? m.n_routes4 : m.n_routes6;
			size_t es = ixg_table_elem_size(k);
			void *ref_edits, *out = NULL;
			uint64_t n_ref;
			uint32_t n_out = 0, ei;
			char err[IXG_WIRE_ERR_LEN];

			/* The same edits as the reference's diff... */
			assert_int_equal(ixg_delta_diff(k, held, n_held, want,
							n_want, &ref_edits,
							&n_ref),
					 0);
			assert_int_equal(d.n_edits[fam], n_ref);
			if (n_ref > 0)
				assert_memory_equal(
					d.edits[fam], ref_edits,
					n_ref * ixg_delta_edit_size(k));
			free(ref_edits);
			f->edits += (unsigned)n_ref;
			assert_int_equal(d.added[fam] + d.removed[fam] +
						 d.changed[fam],
					 n_ref);
			/* ...that the dataplane accepts, into the same
			 * table. */
			assert_int_equal(ixg_delta_apply(k, held, n_held,
							 d.edits[fam],
							 d.n_edits[fam], &out,
							 &n_out, &ei, err),
					 IXG_ST_OK);
			assert_int_equal(n_out, n_want);
			if (n_want > 0)
				assert_memory_equal(out, want,
						    (size_t)n_want * es);
			free(out);
		}
		/* Blackholes and sources: rebuilt when theirs changed, else
		 * the running ones are still right. */
		f->bh_builds += d.blackholes_changed;
		f->src_builds += d.sources_changed;
		if (d.blackholes_changed)
			same_set(d.blackholes, d.n_blackholes, m.blackholes,
				 m.n_blackholes, sizeof(*m.blackholes),
				 bh_order, true);
		else
			same_set(f->s.blackholes, f->s.n_blackholes,
				 m.blackholes, m.n_blackholes,
				 sizeof(*m.blackholes), bh_order, true);
		if (d.sources_changed) {
			same_set(d.sources4, d.n_sources4, m.sources4,
				 m.n_sources4, sizeof(*m.sources4), s4_order,
				 false);
			same_set(d.sources6, d.n_sources6, m.sources6,
				 m.n_sources6, sizeof(*m.sources6), s6_order,
				 false);
		} else {
			same_set(f->s.sources4, f->s.n_sources4, m.sources4,
				 m.n_sources4, sizeof(*m.sources4), s4_order,
				 false);
			same_set(f->s.sources6, f->s.n_sources6, m.sources6,
				 m.n_sources6, sizeof(*m.sources6), s6_order,
				 false);
		}
		/* The groups: sent whole when they changed, the same as
		 * the full merge's (by id), else the running ones are. */
		f->nhg_builds += d.nhgroups_changed;
		if (d.nhgroups_changed) {
			assert_int_equal(d.n_nhgroups, m.n_nhgroups);
			if (m.n_nhgroups > 0)
				assert_memory_equal(
					d.nhgroups, m.nhgroups,
					m.n_nhgroups * sizeof(*m.nhgroups));
		} else {
			assert_int_equal(f->s.n_nhgroups, m.n_nhgroups);
			if (m.n_nhgroups > 0)
				assert_memory_equal(
					f->s.nhgroups, m.nhgroups,
					m.n_nhgroups * sizeof(*m.nhgroups));
		}
		rib_delta_free(&d);
	}
	/* What the dataplane and the running config hold now. */
	free(f->s.nhgroups);
	f->s.nhgroups = m.nhgroups;
	f->s.n_nhgroups = m.n_nhgroups;
	free(f->cur4);
	free(f->cur6);
	f->cur4 = m.routes4;
	f->n_cur4 = m.n_routes4;
	f->cur6 = m.routes6;
	f->n_cur6 = m.n_routes6;
	free(f->s.blackholes);
	f->s.blackholes = m.blackholes;
	f->s.n_blackholes = m.n_blackholes;
	free(f->s.sources4);
	free(f->s.sources6);
	f->s.sources4 = m.sources4;
	f->s.n_sources4 = m.n_sources4;
	f->s.sources6 = m.sources6;
	f->s.n_sources6 = m.n_sources6;
}

/* A random batch of n changes. */
static void
batch(struct fx *f, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int fam = rnd(f) % 3 == 0 ? AF_INET6 : AF_INET;
		uint8_t dst[16];
		unsigned len, what = rnd(f) % 10;

		pick(f, fam, dst, &len);
		if (what < 3) {
			/* withdraw whatever the prefix has */
			route(f, RTNL_OP_DEL, fam, dst, len, RTN_UNICAST,
			      (int)(rnd(f) % (N_PEERS + 1)));
			route(f, RTNL_OP_DEL, fam, dst, len, RTN_BLACKHOLE, 0);
		} else if (what < 4) {
			route(f, RTNL_OP_DEL, fam, dst, len, RTN_BLACKHOLE, 0);
			route(f, RTNL_OP_NEW, fam, dst, len, RTN_BLACKHOLE, 0);
		} else {
			unsigned m = rnd(f) % (N_PEERS + 1);

			/* replace: the prefix's one route moves */
			for (unsigned p = 0; p <= N_PEERS; p++)
				route(f, RTNL_OP_DEL, fam, dst, len,
				      RTN_UNICAST, (int)p);
			route(f, RTNL_OP_DEL, fam, dst, len, RTN_BLACKHOLE, 0);
			if (what < 7) {
				route(f, RTNL_OP_NEW, fam, dst, len,
				      RTN_UNICAST, (int)m);
			} else {
				/* multipath: 2 or 3 distinct gateways, a
				 * few weights, so groups come, go, are
				 * shared and change under prefixes */
				unsigned mem[3], nm = 2 + rnd(f) % 2;
				uint16_t w[3];

				for (unsigned x = 0; x < nm; x++) {
					mem[x] = (m + x * (1 + rnd(f) % 3)) %
						 (N_PEERS + 1);
					for (unsigned j = 0; j < x; j++)
						if (mem[j] == mem[x]) {
							/* distinct: again */
							mem[x] = (mem[x] + 1) %
								 (N_PEERS + 1);
							j = (unsigned)-1;
						}
					w[x] = (uint16_t)(1 + rnd(f) % 3 / 2);
				}
				route_mp(f, RTNL_OP_NEW, fam, dst, len,
					 RTN_UNICAST, mem, w, nm);
			}
		}
	}
	flush(f, false);
}

static void
run(struct fx *f, uint64_t seed)
{
	f->rng = seed;
	assert_int_equal(rib_table_set_basis(f->t, &f->s, f->s.n_routes4,
					     f->s.n_routes6, f->s.n_blackholes,
					     &f->pol, f->st),
			 0);
	/* The first dump: a full build. */
	batch(f, 60);
	commit(f);
	assert_int_equal(f->fulls, 1);
	for (unsigned round = 0; round < 400; round++) {
		batch(f, 1 + rnd(f) % (round % 7 == 0 ? 40 : 6));
		if (round % 97 == 96) {
			/* The policy changes: a new basis, a full build. */
			f->pol.filter = !f->pol.filter;
			f->pol.precedence_kernel = rnd(f) % 2;
			assert_int_equal(rib_table_set_basis(f->t, &f->s,
							     f->s.n_routes4,
							     f->s.n_routes6,
							     f->s.n_blackholes,
							     &f->pol, f->st),
					 0);
		}
		commit(f);
	}
	print_message("%u delta builds (%u rebuilt the blackholes, %u the "
		      "sources, %u sent the groups), %u full, %u edits, %u "
		      "routes to a group committed\n",
		      f->deltas, f->bh_builds, f->src_builds, f->nhg_builds,
		      f->fulls, f->edits, f->group_routes);
	/* Both paths ran, with edits. */
	assert_true(f->deltas > 200);
	assert_true(f->fulls > 4);
	assert_true(f->edits > 400);
	assert_true(f->bh_builds > 20);
	assert_true(f->src_builds > 20);
	/* ECMP both ways: groups made and dropped by deltas. */
	assert_true(f->nhg_builds > 20);
	assert_true(f->group_routes > 1000);
}

static void
test_equivalence_config_wins(void **state)
{
	run(*state, 0x9e3779b97f4a7c15ull);
}

static void
test_equivalence_kernel_wins(void **state)
{
	struct fx *f = *state;

	f->pol.precedence_kernel = true;
	f->pol.filter = true;
	run(f, 0x243f6a8885a308d3ull);
}

/* After a failed commit the next build is a full one; a shut-out too. */
static void
test_full_when_needed(void **state)
{
	struct fx *f = *state;
	struct ixg_spec cur = f->s;
	struct rib_delta d;
	bool full;
	uint8_t dst[16] = {10, 0, 0, 0};

	assert_int_equal(rib_table_set_basis(f->t, &f->s, f->s.n_routes4,
					     f->s.n_routes6, f->s.n_blackholes,
					     &f->pol, f->st),
			 0);
	rib_table_dirty(f->t, &full);
	assert_true(full);
	assert_int_equal(rib_table_delta(f->t, &cur, &d), -EAGAIN);
	rib_table_synced(f->t);
	route(f, RTNL_OP_NEW, AF_INET, dst, 24, RTN_UNICAST, 0);
	flush(f, false);
	assert_int_equal(rib_table_dirty(f->t, &full), 1);
	assert_false(full);
	rib_table_mark_full(f->t);
	assert_int_equal(rib_table_delta(f->t, &cur, &d), -EAGAIN);
	rib_table_synced(f->t);
	/* member 3 past its max-prefix of 12: shut out, a full build */
	for (unsigned i = 0; i < 13; i++) {
		dst[2] = (uint8_t)(100 + i);
		route(f, RTNL_OP_NEW, AF_INET, dst, 24, RTN_UNICAST, 2);
	}
	flush(f, false);
	assert_true(rib_table_member(f->t, 3)->shut);
	rib_table_dirty(f->t, &full);
	assert_true(full);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_equivalence_config_wins,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_equivalence_kernel_wins,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_when_needed, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
