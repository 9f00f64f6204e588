/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route FIBs made from a delta's edits (route_table.c, tables.h
 * tables_route_edits_note; fibrec_splice*; lpm_patch*) against the full
 * path: generation after generation of random edits (adds, deletes, next
 * hops changed, nested prefixes, covering prefixes set and withdrawn, both
 * families, routes to ECMP groups, blackholes and local addresses on and
 * around route prefixes, some commits far past the patch break-even), each
 * applied with ixg_delta_apply, noted, checked (tables_validate by the
 * edits) and built on the previous snapshot. Every generation: the FIB
 * content (the pruned sorted prefix list with its next hops) equals the
 * one a fresh build of the same spec makes, element for element, and
 * every lookup at every prefix boundary (first and last address of every
 * route, blackhole and local address, old and new, and their neighbours)
 * equals the fresh FIB's and a brute-force longest match. A SET naming a
 * peer or group that does not exist is refused by the check by edits
 * with the full check's message.
 *
 * test_by_edits_countries runs the same with a country map of both
 * families (random nested prefixes in and around the routes), whose
 * countries the route FIBs' leaves hold (tables.h NH_COUNTRY_SHIFT), and
 * reloads of it between the deltas (entries moved, added, deleted; the
 * IPv6 map emptied and restored; some reloads alone, so both route FIBs
 * are made by the changed country prefixes' ranges, 16 generations):
 * every lookup's next hop and country
 * equal the brute-force route and country longest matches, on the FIBs
 * made by the edits (and by the changed country prefixes' ranges) and
 * the fresh ones, at every route and country prefix boundary
 * and at random addresses.
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
#include "tables_impl.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

#define NPEERS 7
#define NGROUPS 3

/* A next hop: a peer, or one of the ECMP groups (IXG_NH_GROUP | id). */
static uint16_t
rand_nh(void)
{
	return rnd() % 4 == 0 ? (uint16_t)(IXG_NH_GROUP | rnd() % NGROUPS)
			      : (uint16_t)(1 + rnd() % NPEERS);
}

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
	r.peer_id = rand_nh();
	/* from the kernel: the member's kernel hop (tbl_route_nh) */
	r.origin = rnd() % 2 == 0 ? IXG_ORIGIN_KERNEL : 0;
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
	r.peer_id = rand_nh();
	r.origin = rnd() % 2 == 0 ? IXG_ORIGIN_KERNEL : 0;
	return r;
}

/* Random edits against the sorted table base (family f): some of its
 * prefixes deleted or moved to another peer, some new ones set. */
static unsigned del_pct; /* more deletions (a withdraw) */

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

		if (r < 2 + del_pct)
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
			*peer = rand_nh();
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

/* ---- country maps ---------------------------------------------- */

#define NCOUNTRIES 12
static int with_countries;

static struct ixg_spec_country4
rand_country4(void)
{
	static const uint8_t lens[] = {8,  10, 12, 16, 18, 20,
				       22, 24, 24, 26, 30, 32};
	struct ixg_spec_country4 c;
	unsigned len = lens[rnd() % sizeof(lens)];

	memset(&c, 0, sizeof(c));
	c.addr = ((9u + rnd() % 5) << 24 | (rnd() & 0xffffff)) & mask4(len);
	c.len = (uint8_t)len;
	c.country = (uint16_t)(1 + rnd() % (NCOUNTRIES - 1));
	return c;
}

static struct ixg_spec_country6
rand_country6(void)
{
	static const uint8_t lens[] = {20, 29, 32, 36, 40, 48, 52, 64, 128};
	struct ixg_spec_country6 c;
	unsigned len = lens[rnd() % sizeof(lens)];

	memset(&c, 0, sizeof(c));
	c.addr[0] = 0x20;
	c.addr[1] = 0x01;
	c.addr[2] = 0x0d;
	c.addr[3] = (uint8_t)(0xb7 + rnd() % 3);
	for (unsigned i = 4; i < 16; i++)
		c.addr[i] = (uint8_t)rnd();
	for (unsigned b = len; b < 128; b++)
		c.addr[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
	c.len = (uint8_t)len;
	c.country = (uint16_t)(1 + rnd() % (NCOUNTRIES - 1));
	return c;
}

/* A reload of the country map of s into new arrays: some entries moved
 * to another country or deleted, some added (the order is the file's:
 * unsorted, duplicates possible). */
static void
reload_countries(struct ixg_spec *s, int empty6)
{
	struct ixg_spec_country4 *c4 = malloc((s->n_country4 + 64) *
					      sizeof(*c4));
	struct ixg_spec_country6 *c6 = malloc((s->n_country6 + 64 + 300) *
					      sizeof(*c6));
	uint32_t n4 = 0, n6 = 0;

	assert_non_null(c4);
	assert_non_null(c6);
	for (uint32_t i = 0; i < s->n_country4; i++) {
		unsigned r = rnd() % 100;

		if (r < 5)
			continue;
		c4[n4] = s->country4[i];
		if (r < 12)
			c4[n4].country = (uint16_t)(1 +
						    rnd() % (NCOUNTRIES - 1));
		n4++;
	}
	for (unsigned i = rnd() % 64; i > 0; i--)
		c4[n4++] = rand_country4();
	for (uint32_t i = 0; i < s->n_country6 && !empty6; i++) {
		unsigned r = rnd() % 100;

		if (r < 5)
			continue;
		c6[n6] = s->country6[i];
		if (r < 12)
			c6[n6].country = (uint16_t)(1 +
						    rnd() % (NCOUNTRIES - 1));
		n6++;
	}
	for (unsigned i = empty6 ? 0 : rnd() % 64; i > 0; i--)
		c6[n6++] = rand_country6();
	if (s->n_country6 == 0 && !empty6) /* restored */
		for (unsigned i = 0; i < 300; i++)
			c6[n6++] = rand_country6();
	s->country4 = c4;
	s->n_country4 = n4;
	s->country6 = c6;
	s->n_country6 = n6;
}

/* The country of a (host order) by brute force: the longest prefix, of
 * one prefix the last entry (as the build loads them). */
static uint32_t
model_cc4(const struct ixg_spec *s, uint32_t a)
{
	int best = -1;
	uint32_t v = IXG_COUNTRY_UNKNOWN;

	for (uint32_t i = 0; i < s->n_country4; i++) {
		const struct ixg_spec_country4 *c = &s->country4[i];

		if ((a & mask4(c->len)) == c->addr && c->len >= best) {
			best = c->len;
			v = c->country;
		}
	}
	return v;
}

static int covers6(const uint8_t *pfx, unsigned len, const uint8_t *a);

static uint32_t
model_cc6(const struct ixg_spec *s, const uint8_t *a)
{
	int best = -1;
	uint32_t v = IXG_COUNTRY_UNKNOWN;

	for (uint32_t i = 0; i < s->n_country6; i++) {
		const struct ixg_spec_country6 *c = &s->country6[i];

		if (covers6(c->addr, c->len, a) && c->len >= best) {
			best = c->len;
			v = c->country;
		}
	}
	return v;
}

/* ---- the reference: longest match over the spec ------------------- */

/* A route's value in the FIB (tables_impl.h tbl_route_nh): a group, the
 * member's kernel hop of the family for a route from the kernel, else the
 * member. */
static uint32_t
fib_nh(uint16_t v, uint32_t origin, unsigned family)
{
	if (v & IXG_NH_GROUP)
		return NH_GROUP | (v & ~IXG_NH_GROUP);
	if (origin == IXG_ORIGIN_KERNEL)
		return (family == 4 ? TBL_HOP_KERNEL4 : TBL_HOP_KERNEL6) + v;
	return v;
}

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
			v = fib_nh(s->routes4[i].peer_id, s->routes4[i].origin,
				   4);
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
			v = fib_nh(s->routes6[i].peer_id, s->routes6[i].origin,
				   6);
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

static void
add_group(struct ixg_spec *s, uint16_t id, uint16_t a, uint16_t b)
{
	struct ixg_spec_nhgroup *g;

	s->nhgroups = realloc(s->nhgroups,
			      (s->n_nhgroups + 1) * sizeof(*s->nhgroups));
	assert_non_null(s->nhgroups);
	g = &s->nhgroups[s->n_nhgroups++];
	memset(g, 0, sizeof(*g));
	g->id = id;
	g->n_members = 2;
	g->peer_id[0] = a;
	g->peer_id[1] = b;
	g->weight[0] = g->weight[1] = 1;
}

/* What a route FIB leaf must be: the route and the country LPMs (the
 * country part 0 without a country map). */
static void
look4(const struct ixg_spec *s, const struct tables *p, const struct tables *f,
      uint32_t a)
{
	uint32_t cc = model_cc4(s, a),
		 want = model4(s, a) | cc << NH_COUNTRY_SHIFT;

	if (lpm4_lookup(p->route4, a) != want ||
	    lpm4_lookup(f->route4, a) != want)
		fail_msg("IPv4 %08x: by edits %x, fresh %x, model %x", a,
			 lpm4_lookup(p->route4, a), lpm4_lookup(f->route4, a),
			 want);
	/* the country FIB (the sources' lookup) agrees */
	if ((p->country4 != NULL ? lpm4_lookup(p->country4, a) : 0) != cc)
		fail_msg("IPv4 %08x: country4 %u, model %u", a,
			 lpm4_lookup(p->country4, a), cc);
}

static void
look6(const struct ixg_spec *s, const struct tables *p, const struct tables *f,
      const uint8_t *a)
{
	uint32_t cc = model_cc6(s, a),
		 want = model6(s, a) | cc << NH_COUNTRY_SHIFT;

	if (lpm6_lookup(p->route6, a) != want ||
	    lpm6_lookup(f->route6, a) != want)
		fail_msg("IPv6 %02x%02x:%02x%02x:%02x%02x:%02x%02x::/%u: by "
			 "edits %x, fresh %x, model %x",
			 a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], 0,
			 lpm6_lookup(p->route6, a), lpm6_lookup(f->route6, a),
			 want);
	if ((p->country6 != NULL ? lpm6_lookup(p->country6, a) : 0) != cc)
		fail_msg("IPv6: country6 %u, model %u",
			 lpm6_lookup(p->country6, a), cc);
}

/* The first and last address of (a, len), and the one before and after. */
static void
bounds4(const struct ixg_spec *s, const struct tables *p,
	const struct tables *f, uint32_t a, unsigned len)
{
	uint32_t lo = a & mask4(len), hi = lo | ~mask4(len);

	look4(s, p, f, lo);
	look4(s, p, f, hi);
	look4(s, p, f, lo - 1);
	look4(s, p, f, hi + 1);
}

static void
step6(uint8_t *a, int up)
{
	for (int i = 15; i >= 0; i--) {
		a[i] = (uint8_t)(a[i] + (up ? 1 : -1));
		if (a[i] != (up ? 0 : 0xff))
			break;
	}
}

static void
bounds6(const struct ixg_spec *s, const struct tables *p,
	const struct tables *f, const uint8_t *addr, unsigned len)
{
	uint8_t lo[16], hi[16];

	for (unsigned b = 0; b < 128; b++) {
		unsigned byte = b / 8, m = 0x80 >> (b % 8);

		if (b < len) {
			lo[byte] = (uint8_t)(b % 8 == 0 ? 0 : lo[byte]);
			lo[byte] |= addr[byte] & m;
			hi[byte] = (uint8_t)(b % 8 == 0 ? 0 : hi[byte]);
			hi[byte] |= addr[byte] & m;
		} else {
			lo[byte] = (uint8_t)(b % 8 == 0 ? 0 : lo[byte]);
			hi[byte] = (uint8_t)(b % 8 == 0 ? 0 : hi[byte]);
			hi[byte] |= m;
		}
	}
	look6(s, p, f, lo);
	look6(s, p, f, hi);
	step6(lo, 0);
	step6(hi, 1);
	look6(s, p, f, lo);
	look6(s, p, f, hi);
}

/* Every prefix boundary of spec s and of the spec before it (ps). */
static void
check(const struct ixg_spec *s, const struct ixg_spec *ps,
      const struct tables *p, const struct tables *f)
{
	const struct ixg_spec *both[2] = {s, ps};

	for (unsigned w = 0; w < 2; w++) {
		const struct ixg_spec *x = both[w];

		for (uint32_t i = 0; i < x->n_routes4; i++)
			bounds4(s, p, f, x->routes4[i].addr, x->routes4[i].len);
		for (uint32_t i = 0; i < x->n_routes6; i++)
			bounds6(s, p, f, x->routes6[i].addr, x->routes6[i].len);
		for (uint32_t i = 0; i < x->n_country4; i++)
			bounds4(s, p, f, x->country4[i].addr,
				x->country4[i].len);
		for (uint32_t i = 0; i < x->n_country6; i++)
			bounds6(s, p, f, x->country6[i].addr,
				x->country6[i].len);
	}
	/* and random addresses around the tables */
	for (unsigned i = 0; i < (with_countries ? 400u : 0u); i++) {
		uint8_t a6[16] = {0x20, 0x01, 0x0d,
				  (uint8_t)(0xb7 + rnd() % 3)};

		look4(s, p, f, (9u + rnd() % 5) << 24 | (rnd() & 0xffffff));
		for (unsigned j = 4; j < 16; j++)
			a6[j] = (uint8_t)rnd();
		look6(s, p, f, a6);
	}
	for (uint32_t i = 0; i < s->n_blackholes; i++) {
		const struct ixg_spec_blackhole *h = &s->blackholes[i];
		uint32_t a;

		memcpy(&a, h->addr, 4);
		if (h->family == 4)
			bounds4(s, p, f, __builtin_bswap32(a), h->len);
		else
			bounds6(s, p, f, h->addr, h->len);
	}
	for (uint32_t i = 0; i < s->n_local_addrs; i++) {
		const struct ixg_spec_local_addr *l = &s->local_addrs[i];
		uint32_t a;

		memcpy(&a, l->addr, 4);
		if (l->family == 4)
			bounds4(s, p, f, __builtin_bswap32(a), 32);
		else
			bounds6(s, p, f, l->addr, 128);
	}
}

/* The FIB contents are the same lists (prefix and next hop). */
static void
same_content(const struct tables *p, const struct tables *f)
{
	const uint64_t *k1, *k2, *l1, *l2;
	const uint32_t *n1, *n2;
	const struct fib_pfx6 *p1, *p2;
	size_t a = fibrec_content4(p->fibs[FIB_ROUTE4], &k1, &n1, &l1);
	size_t b = fibrec_content4(f->fibs[FIB_ROUTE4], &k2, &n2, &l2);

	assert_int_equal(a, b);
	for (size_t i = 0; i < a; i++)
		if (k1[i] != k2[i] || n1[i] != n2[i])
			fail_msg("route4 content %zu: %016llx->%u, fresh "
				 "%016llx->%u",
				 i, (unsigned long long)k1[i], n1[i],
				 (unsigned long long)k2[i], n2[i]);
	a = fibrec_content6(p->fibs[FIB_ROUTE6], &p1, &l1);
	b = fibrec_content6(f->fibs[FIB_ROUTE6], &p2, &l2);
	assert_int_equal(a, b);
	for (size_t i = 0; i < a; i++)
		if (p1[i].len != p2[i].len ||
		    memcmp(p1[i].addr, p2[i].addr, 16) != 0 ||
		    p1[i].nh != p2[i].nh)
			fail_msg("route6 content %zu differs", i);
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

/* Apply random edits to table `table` of ns (from ps), noted. */
static void *
delta(unsigned table, const struct ixg_spec *ps, struct ixg_spec *ns)
{
	char err[IXG_WIRE_ERR_LEN];
	struct tables_route_edits note;
	uint32_t n_out, idx;
	uint64_t ne;
	void *edits, *out;
	const void *base = table == IXG_TBL_ROUTES4 ? (const void *)ps->routes4
						    : (const void *)ps->routes6;
	uint32_t n_base = table == IXG_TBL_ROUTES4 ? ps->n_routes4
						   : ps->n_routes6;

	edits = rand_edits(table, base, n_base, &ne);
	assert_int_equal(ixg_delta_apply(table, base, n_base, edits, ne, &out,
					 &n_out, &idx, err),
			 IXG_ST_OK);
	if (table == IXG_TBL_ROUTES4) {
		ns->routes4 = out;
		ns->n_routes4 = n_out;
	} else {
		ns->routes6 = out;
		ns->n_routes6 = n_out;
	}
	note = (struct tables_route_edits){.base = base,
					   .n_base = n_base,
					   .res = out,
					   .n_res = n_out,
					   .edits = edits,
					   .n_edits = ne};
	tables_route_edits_note(table, &note);
	return edits;
}

/* The check by edits refuses a SET to a peer or group that does not
 * exist exactly as the full check does. */
static void
check_refusal(const struct ixg_spec *ps)
{
	struct tables_validate_env env = {.running = ps};
	struct ixg_delta_route4 e[1];
	struct tables_route_edits note;
	struct tables_refusal r1, r2;
	struct ixg_spec ns = *ps;
	char err[IXG_WIRE_ERR_LEN];
	uint32_t n_out, idx;
	void *out;

	memset(e, 0, sizeof(e));
	e[0].op = IXG_DELTA_SET;
	e[0].r.addr = 0x0b0b0b00; /* 11.11.11.0/24 */
	e[0].r.len = 24;
	e[0].r.peer_id = rnd() % 2 ? 77 : (uint16_t)(IXG_NH_GROUP | 99);
	e[0].r.origin = 4242;
	assert_int_equal(ixg_delta_apply(IXG_TBL_ROUTES4, ps->routes4,
					 ps->n_routes4, e, 1, &out, &n_out,
					 &idx, err),
			 IXG_ST_OK);
	ns.routes4 = out;
	ns.n_routes4 = n_out;
	assert_int_not_equal(tables_validate(&ns, &env, &r1), 0);
	note = (struct tables_route_edits){.base = ps->routes4,
					   .n_base = ps->n_routes4,
					   .res = out,
					   .n_res = n_out,
					   .edits = e,
					   .n_edits = 1};
	tables_route_edits_note(IXG_TBL_ROUTES4, &note);
	assert_int_not_equal(tables_validate(&ns, &env, &r2), 0);
	tables_route_edits_note(IXG_TBL_ROUTES4, NULL);
	assert_int_equal(r1.table, r2.table);
	assert_int_equal(r1.index, r2.index);
	assert_int_equal(r1.origin, r2.origin);
	assert_string_equal(r1.msg, r2.msg);
	free(out);
}

/* Free the country arrays of p (a spec the test made) that neither ns
 * nor the first spec s hold. */
static void
free_countries(struct ixg_spec *p, const struct ixg_spec *ns,
	       const struct ixg_spec *s)
{
	if (p->country4 != ns->country4 && p->country4 != s->country4)
		free(p->country4);
	if (p->country6 != ns->country6 && p->country6 != s->country6)
		free(p->country6);
}

static void
by_edits(void)
{
	struct ixg_spec *s = dp_spec_new();
	struct ixg_spec *prev_spec;
	struct tables *prev;
	unsigned long e4 = tables_routes_by_edits(4),
		      e6 = tables_routes_by_edits(6);
	unsigned patched = 0;
	uint32_t n;

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	for (uint16_t p = 1; p <= NPEERS; p++) {
		char mac[32];

		snprintf(mac, sizeof(mac), "02:00:00:00:01:%02x", p);
		dp_spec_peer(s, p, 0, 0, mac, IXG_SAV_OFF);
	}
	for (uint16_t g = 0; g < NGROUPS; g++)
		add_group(s, g, (uint16_t)(1 + g), (uint16_t)(2 + g));
	dp_spec_local(s, 0, "10.1.2.3", 24);
	dp_spec_local(s, 0, "2001:db8:1::fe", 64);
	for (int i = 0; i < 1500; i++) {
		struct ixg_spec_route4 r = rand_route4();
		struct ixg_spec_route6 r6 = rand_route6();
		char a[64];

		snprintf(a, sizeof(a), "%u.%u.%u.%u", r.addr >> 24,
			 (r.addr >> 16) & 255, (r.addr >> 8) & 255,
			 r.addr & 255);
		dp_spec_route4(s, a, r.len, 1)->peer_id = r.peer_id;
		if (i < 1000)
			*dp_spec_route6(s, "2001:db8::", 32, 1) = r6;
	}
	/* covers of much of the table, and a blackhole on a route's own
	 * prefix (it wins over the route) */
	dp_spec_route4(s, "10.0.0.0", 8, 2);
	dp_spec_route4(s, "11.0.0.0", 8, 3);
	dp_spec_route6(s, "2001:db8::", 31, 4);
	dp_spec_blackhole(s, "10.1.0.0", 16, 0);
	dp_spec_blackhole(s, "11.2.3.0", 24, 0);
	dp_spec_blackhole(s, "2001:db8:2::", 48, 0);
	n = s->n_routes4;
	assert_int_equal(ixg_routes_sort(IXG_TBL_ROUTES4, s->routes4, &n), 0);
	s->n_routes4 = n;
	n = s->n_routes6;
	assert_int_equal(ixg_routes_sort(IXG_TBL_ROUTES6, s->routes6, &n), 0);
	s->n_routes6 = n;
	dp_spec_blackhole(s, "12.0.0.0", 8, 0);
	memcpy(s->blackholes[s->n_blackholes - 1].addr,
	       &(uint32_t){__builtin_bswap32(s->routes4[7].addr)}, 4);
	s->blackholes[s->n_blackholes - 1].len = s->routes4[7].len;
	for (uint32_t i = 0; i < s->n_blackholes; i++)
		s->blackholes[i].id = (uint16_t)i;
	if (with_countries) {
		char cc[3] = "A?";

		dp_spec_country(s, "--"); /* index 0: unknown */
		for (unsigned i = 1; i < NCOUNTRIES; i++) {
			cc[1] = (char)('A' + i);
			dp_spec_country(s, cc);
		}
		/* two covers of much of the tables, then random ones */
		dp_spec_country4(s, "10.0.0.0", 8, "AB");
		dp_spec_country6(s, "2001:db8::", 32, "AC");
		for (unsigned i = 0; i < 600; i++) {
			dp_spec_country4(s, "0.0.0.0", 0, "--");
			s->country4[s->n_country4 - 1] = rand_country4();
		}
		for (unsigned i = 0; i < 400; i++) {
			dp_spec_country6(s, "::", 0, "--");
			s->country6[s->n_country6 - 1] = rand_country6();
		}
	}

	fibrec_set_spares(true);
	prev = build(s, NULL, NULL, 1);
	{
		int rc, calls = 0;

		while ((rc = tables_warm_one(prev)) > 0 && calls++ < 16)
			;
		assert_int_equal(rc, 0);
	}
	prev_spec = s;
	/* the country variant shorter: its lookups scan the maps too */
	for (uint64_t gen = 2; gen < (with_countries ? 18u : 40u); gen++) {
		struct ixg_spec *ns = malloc(sizeof(*ns));
		struct tables_validate_env env = {.running = prev_spec};
		struct tables_refusal ref;
		struct tables *t, *fresh;
		void *ed4 = NULL, *ed6 = NULL;

		*ns = *prev_spec;
		/* a withdraw now and then: far past the break-even */
		del_pct = gen % 11 == 0 ? 60 : 0;
		if (gen % 3 != 0)
			ed4 = delta(IXG_TBL_ROUTES4, prev_spec, ns);
		if (gen % 2 == 0)
			ed6 = delta(IXG_TBL_ROUTES6, prev_spec, ns);
		/* a country reload, with a delta or alone; the IPv6 map
		 * emptied once and restored */
		if (with_countries && gen % 4 == 1)
			reload_countries(ns, gen == 9);
		if (tables_validate(ns, &env, &ref) != 0)
			fail_msg("validate: %s", ref.msg);
		t = build(ns, prev_spec, prev, gen);
		patched += t->fib_stat[FIB_ROUTE4].how == FIBREC_PATCHED;
		tables_route_edits_note(IXG_TBL_ROUTES4, NULL);
		tables_route_edits_note(IXG_TBL_ROUTES6, NULL);
		free(ed4);
		free(ed6);
		/* the reference: the full path, from scratch */
		fresh = build(ns, NULL, NULL, gen);
		same_content(t, fresh);
		check(ns, prev_spec, t, fresh);
		tables_free(fresh);
		tables_free(prev);
		if (prev_spec != s) {
			if (prev_spec->routes4 != ns->routes4)
				free(prev_spec->routes4);
			if (prev_spec->routes6 != ns->routes6)
				free(prev_spec->routes6);
			free_countries(prev_spec, ns, s);
			free(prev_spec);
		}
		prev = t;
		prev_spec = ns;
		if (gen % 7 == 0)
			check_refusal(prev_spec);
		/* idle time on two generations of three: the parked spare
		 * brought up by the ranges; else the next splice does it */
		if (gen % 3 != 1) {
			int rc, calls = 0;

			while ((rc = tables_warm_one(prev)) > 0 && calls++ < 16)
				;
			assert_int_equal(rc, 0);
		}
	}
	tables_free(prev);
	if (prev_spec != s) {
		if (prev_spec->routes4 != s->routes4)
			free(prev_spec->routes4);
		if (prev_spec->routes6 != s->routes6)
			free(prev_spec->routes6);
		free_countries(prev_spec, s, s);
		free(prev_spec);
	}
	dp_spec_free(s);
	fibrec_set_spares(false);
	assert_int_equal(fibrec_live(), 0);
	e4 = tables_routes_by_edits(4) - e4;
	e6 = tables_routes_by_edits(6) - e6;
	print_message("by edits%s: route4 %lu, route6 %lu; route4 patched "
		      "%u\n",
		      with_countries ? " (countries)" : "", e4, e6, patched);
	/* with countries: by ranges also on a reload of the map (its
	 * changed prefixes), but for the IPv6 map's emptying and return */
	assert_true(e4 >= (with_countries ? 11u : 22u));
	assert_true(e6 >= (with_countries ? 9u : 16u));
	assert_true(patched >= (with_countries ? 10u : 15u));
}

static void
test_by_edits(void **state)
{
	(void)state;
	with_countries = 0;
	by_edits();
}

static void
test_by_edits_countries(void **state)
{
	(void)state;
	with_countries = 1;
	by_edits();
}

/* The patch builds' range helpers (tables_impl.h), shared by
 * route_table.c and sav_table.c: against a linear scan and by hand. */
static void
test_range_keys(void **state)
{
	uint64_t k[64];
	uint32_t seed = 7;

	(void)state;
	assert_true(key4_after(0x0a000000, 8) == (uint64_t)0x0b000000 << 32);
	assert_true(key4_after(0xc0a80100, 24) == (uint64_t)0xc0a80200 << 32);
	assert_true(key4_after(0x0a000001, 32) == (uint64_t)0x0a000002 << 32);
	assert_true(key4_after(0, 0) == UINT64_MAX);
	assert_true(key4_after(0xffffff00, 24) == UINT64_MAX);
	assert_true(key4_after(0xffffffff, 32) == UINT64_MAX);
	for (unsigned i = 0; i < 64; i++) {
		seed = seed * 1103515245u + 12345u;
		k[i] = key4(seed & 0xfff00000u, (uint8_t)(8 + seed % 25),
			    PK_ROUTE, i);
	}
	assert_int_equal(sort_keys4(k, 64), 0);
	for (size_t n = 0; n <= 64; n += 7) {
		for (unsigned t = 0; t < 200; t++) {
			uint64_t x;
			size_t want = 0;

			seed = seed * 1103515245u + 12345u;
			/* half of the probes are keys of the array */
			x = t % 2 && n > 0 ? k[seed % n]
					   : (uint64_t)seed << 32 | t;
			while (want < n && k[want] < x)
				want++;
			assert_int_equal(keys_lower(k, n, x), want);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_keys),
		cmocka_unit_test(test_by_edits),
		cmocka_unit_test(test_by_edits_countries),
	};

	dp_test_eal_init("t_rtdelta", 1536);
	fibrec_set_spare_min(0);
	fibrec_set_patch_ratio(8);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
