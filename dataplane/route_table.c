/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * route_table.c - what the destination lookup and stage_route
 * (route_stage.c) read: the route FIBs route4 and route6, painted from the
 * routes, the live blackholes and the node's own addresses (tables.h, the
 * NH_* next hops) and folded with the country map of the family (the
 * leaf's country: tables.h NH_COUNTRY_SHIFT; a change of the map
 * repaints them over the changed country prefixes), and the arrays of
 * local addresses (also read by
 * stage_local and stage_rewrite) and blackholes they point into.
 * Hooks (tables_impl.h): the spec tables "local_addrs", "routes4",
 * "routes6", "blackholes"; the parts "addrs", "route4", "route6".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "tables_impl.h"

/* The edits of the open transaction's route deltas (tables.h); [0]
 * routes4, [1] routes6; base NULL: none. */
static struct tables_route_edits route_edits[2];
static unsigned long by_edits[2]; /* route FIBs made from edits */

/* See tables.h. */
unsigned long
tables_routes_by_edits(int family)
{
	return by_edits[family == 6];
}

/* See tables.h. Control thread. */
void
tables_route_edits_note(unsigned table, const struct tables_route_edits *e)
{
	unsigned f = table == IXG_TBL_ROUTES6;

	if (table != IXG_TBL_ROUTES4 && table != IXG_TBL_ROUTES6)
		return;
	if (e != NULL)
		route_edits[f] = *e;
	else
		memset(&route_edits[f], 0, sizeof(route_edits[f]));
}

/* The noted edits that made `arr` (n elements) of family f from `base`,
 * or NULL. */
static const struct tables_route_edits *
edits_for(unsigned f, const void *base, uint32_t n_base, const void *arr,
	  uint32_t n)
{
	const struct tables_route_edits *e = &route_edits[f];

	if (e->base == NULL || base == NULL || e->base != base ||
	    e->n_base != n_base || e->res != arr || e->n_res != n)
		return NULL;
	return e;
}

/* ------------------------------------------------------------------ */
/* Checks and names.                                                  */

static int
local_addrs_validate(struct spec_check *c)
{
	const struct ixg_spec *s = c->s;
	uint32_t i;

	for (i = 0; i < s->n_local_addrs; i++) {
		const struct ixg_spec_local_addr *a = &s->local_addrs[i];

		if (a->port_id >= IXG_MAX_PORTS ||
		    !spec_id_has(c->ports, a->port_id)) {
			spec_refuse(c, IXG_TBL_LOCAL_ADDRS, i, a->origin,
				    "local address %" PRIu32 " (origin %" PRIu32
				    "): port %u does not exist",
				    i, a->origin, a->port_id);
			return -1;
		}
	}
	return 0;
}

/* See tables_impl.h. */
int
spec_check_prefix_peers4(struct spec_check *c, const struct ixg_spec_route4 *r,
			 uint32_t n, unsigned table)
{
	for (uint32_t i = 0; i < n; i++)
		if (!spec_peer_exists(c, r[i].peer_id))
			return spec_refuse(
				c, table, i, r[i].origin,
				"%s %" PRIu32 " (origin %" PRIu32 "): "
				"peer %u does not exist",
				table == IXG_TBL_ROUTES4 ? "route" : "source",
				i, r[i].origin, r[i].peer_id);
	return 0;
}

/* See tables_impl.h. */
int
spec_check_prefix_peers6(struct spec_check *c, const struct ixg_spec_route6 *r,
			 uint32_t n, unsigned table)
{
	for (uint32_t i = 0; i < n; i++)
		if (!spec_peer_exists(c, r[i].peer_id))
			return spec_refuse(
				c, table, i, r[i].origin,
				"%s %" PRIu32 " (origin %" PRIu32 "): "
				"peer %u does not exist",
				table == IXG_TBL_ROUTES6 ? "route6" : "source6",
				i, r[i].origin, r[i].peer_id);
	return 0;
}

/* A route's next hop: a peer of the spec, or one of its ECMP groups
 * (ids: spec_nhg_ids; the groups' own checks come after the routes'). */
static bool
route_nh_exists(const struct spec_check *c, const uint64_t *groups, uint16_t v)
{
	if (v & IXG_NH_GROUP)
		return (v & ~IXG_NH_GROUP) < IXG_MAX_NHGROUPS &&
		       spec_id_has(groups, v & ~IXG_NH_GROUP);
	return spec_peer_exists(c, v);
}

/*
 * Whether the check of route table `table` of c->s may look at the edits
 * only: the running spec's table checked already, the noted edits made
 * this one from it, and the peers and next-hop groups are the running
 * ones (so every route the edits kept still names what exists).
 */
static const struct tables_route_edits *
check_by_edits(const struct spec_check *c, unsigned table)
{
	const struct ixg_spec *s = c->s,
			      *r = c->env != NULL ? c->env->running : NULL;
	unsigned f = table == IXG_TBL_ROUTES6;

	if (r == NULL || s->peers != r->peers || s->n_peers != r->n_peers ||
	    s->nhgroups != r->nhgroups || s->n_nhgroups != r->n_nhgroups)
		return NULL;
	return f == 0 ? edits_for(0, r->routes4, r->n_routes4, s->routes4,
				  s->n_routes4)
		      : edits_for(1, r->routes6, r->n_routes6, s->routes6,
				  s->n_routes6);
}

/* Index of the route of prefix (addr, len) in the sorted r[0..n). */
static uint32_t
route4_index(const struct ixg_spec_route4 *r, uint32_t n, uint32_t addr,
	     uint8_t len)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (r[mid].addr < addr ||
		    (r[mid].addr == addr && r[mid].len < len))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
route6_cmp(const struct ixg_spec_route6 *a, const uint8_t *addr, uint8_t len)
{
	int d = memcmp(a->addr, addr, 16);

	return d != 0 ? d : (a->len > len) - (a->len < len);
}

static uint32_t
route6_index(const struct ixg_spec_route6 *r, uint32_t n, const uint8_t *addr,
	     uint8_t len)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (route6_cmp(&r[mid], addr, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
routes4_validate(struct spec_check *c)
{
	const struct ixg_spec *s = c->s;
	const struct tables_route_edits *e = check_by_edits(c, IXG_TBL_ROUTES4);
	uint64_t groups[IXG_MAX_NHGROUPS / 64];

	spec_nhg_ids(s, groups);
	for (uint64_t k = 0; e != NULL && k < e->n_edits; k++) {
		const struct ixg_delta_route4 *d = &(
			(const struct ixg_delta_route4 *)e->edits)[k];
		uint32_t i;

		if (d->op != IXG_DELTA_SET ||
		    route_nh_exists(c, groups, d->r.peer_id))
			continue;
		i = route4_index(s->routes4, s->n_routes4, d->r.addr, d->r.len);
		return spec_refuse(
			c, IXG_TBL_ROUTES4, i, d->r.origin,
			"route %" PRIu32 " (origin %" PRIu32
			"): %s %u does not exist",
			i, d->r.origin,
			d->r.peer_id & IXG_NH_GROUP ? "next-hop group" : "peer",
			d->r.peer_id & ~IXG_NH_GROUP);
	}
	for (uint32_t i = 0; e == NULL && i < s->n_routes4; i++)
		if (!route_nh_exists(c, groups, s->routes4[i].peer_id))
			return spec_refuse(
				c, IXG_TBL_ROUTES4, i, s->routes4[i].origin,
				"route %" PRIu32 " (origin %" PRIu32 "): %s %u "
				"does not exist",
				i, s->routes4[i].origin,
				s->routes4[i].peer_id & IXG_NH_GROUP
					? "next-hop group"
					: "peer",
				s->routes4[i].peer_id & ~IXG_NH_GROUP);
	return 0;
}

static int
routes6_validate(struct spec_check *c)
{
	const struct ixg_spec *s = c->s;
	const struct tables_route_edits *e = check_by_edits(c, IXG_TBL_ROUTES6);
	uint64_t groups[IXG_MAX_NHGROUPS / 64];

	spec_nhg_ids(s, groups);
	for (uint64_t k = 0; e != NULL && k < e->n_edits; k++) {
		const struct ixg_delta_route6 *d = &(
			(const struct ixg_delta_route6 *)e->edits)[k];
		uint32_t i;

		if (d->op != IXG_DELTA_SET ||
		    route_nh_exists(c, groups, d->r.peer_id))
			continue;
		i = route6_index(s->routes6, s->n_routes6, d->r.addr, d->r.len);
		return spec_refuse(
			c, IXG_TBL_ROUTES6, i, d->r.origin,
			"route6 %" PRIu32 " (origin %" PRIu32
			"): %s %u does not exist",
			i, d->r.origin,
			d->r.peer_id & IXG_NH_GROUP ? "next-hop group" : "peer",
			d->r.peer_id & ~IXG_NH_GROUP);
	}
	for (uint32_t i = 0; e == NULL && i < s->n_routes6; i++)
		if (!route_nh_exists(c, groups, s->routes6[i].peer_id))
			return spec_refuse(
				c, IXG_TBL_ROUTES6, i, s->routes6[i].origin,
				"route6 %" PRIu32 " (origin %" PRIu32 "): %s "
				"%u does not exist",
				i, s->routes6[i].origin,
				s->routes6[i].peer_id & IXG_NH_GROUP
					? "next-hop group"
					: "peer",
				s->routes6[i].peer_id & ~IXG_NH_GROUP);
	return 0;
}

static void
local_addrs_describe(const struct ixg_spec *s, uint32_t i, char *buf,
		     size_t len)
{
	const struct ixg_spec_local_addr *l = &s->local_addrs[i];
	char a[INET6_ADDRSTRLEN];

	tbl_fmt_addr(a, sizeof(a), l->family == 6 ? 6 : 4, l->addr);
	snprintf(buf, len, "local address %s (origin %" PRIu32 ")", a,
		 l->origin);
}

static void
routes4_describe(const struct ixg_spec *s, uint32_t i, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	tbl_fmt_addr4h(a, sizeof(a), s->routes4[i].addr);
	snprintf(buf, len, "route %s/%u (origin %" PRIu32 ")", a,
		 s->routes4[i].len, s->routes4[i].origin);
}

static void
routes6_describe(const struct ixg_spec *s, uint32_t i, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	tbl_fmt_addr(a, sizeof(a), 6, s->routes6[i].addr);
	snprintf(buf, len, "route %s/%u (origin %" PRIu32 ")", a,
		 s->routes6[i].len, s->routes6[i].origin);
}

static void
blackholes_describe(const struct ixg_spec *s, uint32_t i, char *buf, size_t len)
{
	const struct ixg_spec_blackhole *h = &s->blackholes[i];
	char a[INET6_ADDRSTRLEN];

	tbl_fmt_addr(a, sizeof(a), h->family == 6 ? 6 : 4, h->addr);
	snprintf(buf, len, "blackhole %s/%u (origin %" PRIu32 ")", a, h->len,
		 h->origin);
}

const struct spec_table_ops spec_table_local_addrs = {
	.validate = local_addrs_validate,
	.describe = local_addrs_describe,
};

const struct spec_table_ops spec_table_routes4 = {
	.validate = routes4_validate,
	.describe = routes4_describe,
};

const struct spec_table_ops spec_table_routes6 = {
	.validate = routes6_validate,
	.describe = routes6_describe,
};

/* Ids name counters: two blackholes of a spec never share one. Family
 * and length are checked when built. */
static int
blackholes_validate(struct spec_check *c)
{
	const struct ixg_spec *s = c->s;
	uint8_t *used = calloc(IXG_MAX_BLACKHOLES / 8, 1);
	int rc = 0;

	if (used == NULL)
		return spec_refuse(c, IXG_TBL_BLACKHOLES, 0, 0,
				   "blackholes: out of memory");
	for (uint32_t i = 0; i < s->n_blackholes && rc == 0; i++) {
		const struct ixg_spec_blackhole *h = &s->blackholes[i];
		uint8_t bit = (uint8_t)(1u << (h->id % 8));

		if (used[h->id / 8] & bit) {
			char what[128];

			blackholes_describe(s, i, what, sizeof(what));
			rc = spec_refuse(c, IXG_TBL_BLACKHOLES, i, h->origin,
					 "%s: id %u is another blackhole's",
					 what, h->id);
		}
		used[h->id / 8] |= bit;
	}
	free(used);
	return rc;
}

const struct spec_table_ops spec_table_blackholes = {
	.validate = blackholes_validate,
	.describe = blackholes_describe,
};

/* ------------------------------------------------------------------ */
/* The part "addrs": local addresses and blackholes.                  */

/* Whether t has a link-local address on (port, vlan). */
static bool
has_link_local(const struct tables *t, uint16_t port, uint16_t vlan)
{
	for (uint32_t i = 0; i < t->n_local_addrs; i++) {
		const struct tbl_local_addr *a = &t->local_addrs[i];

		if (a->family == 6 && a->port_id == port && a->vlan == vlan &&
		    tbl_ip6_link_local(a->addr))
			return true;
	}
	return false;
}

/*
 * With the exception path on, every (port, VLAN) where the node has IPv6
 * addresses gets an IPv6 link-local one (RFC 4291 2.5.6: every IPv6
 * interface has one; FRR's bgpd resets IPv6 sessions on an interface
 * without) unless the config gives one: the modified EUI-64 of the
 * port's MAC, as Linux would derive it for the TAP, which carries that
 * MAC (doc/exception-path.md). Appended after the spec's addresses, at
 * most one per spec address.
 */
static void
derive_link_locals(struct tables *t)
{
	static const uint8_t zero_mac[6];
	uint32_t n = t->n_local_addrs;

	for (uint32_t i = 0; i < n; i++) {
		const struct tbl_local_addr *a = &t->local_addrs[i];
		struct tbl_local_addr *ll;

		if (a->family != 6 || a->port_id >= IXG_MAX_PORTS ||
		    memcmp(t->ports[a->port_id].mac, zero_mac, 6) == 0 ||
		    has_link_local(t, a->port_id, a->vlan))
			continue;
		ll = &t->local_addrs[t->n_local_addrs++];
		ll->port_id = a->port_id;
		ll->vlan = a->vlan;
		ll->family = 6;
		ll->len = 64;
		tbl_eui64_link_local(t->ports[a->port_id].mac, ll->addr);
	}
}

static int
build_locals(struct tbl_build *b)
{
	const struct ixg_spec *s = b->spec;

	if (s->n_local_addrs > IXG_MAX_LOCAL_ADDRS)
		return tbl_fail(b, -ENOSPC, "local addresses: %" PRIu32 " > %u",
				s->n_local_addrs, IXG_MAX_LOCAL_ADDRS);
	for (uint32_t i = 0; i < s->n_local_addrs; i++) {
		const struct ixg_spec_local_addr *sl = &s->local_addrs[i];
		struct tbl_local_addr *tl = &b->t->local_addrs[i];

		if (sl->family != 4 && sl->family != 6)
			return tbl_fail(b, -EINVAL,
					"local address (origin %" PRIu32
					"): family %u",
					sl->origin, sl->family);
		tl->port_id = sl->port_id;
		tl->vlan = sl->vlan;
		tl->family = sl->family;
		tl->len = sl->len;
		memcpy(tl->addr, sl->addr, 16);
	}
	b->t->n_local_addrs = s->n_local_addrs;
	b->t->n_spec_local_addrs = s->n_local_addrs;
	if (b->t->node.punt)
		derive_link_locals(b->t);
	return 0;
}

static int
build_blackholes(struct tbl_build *b)
{
	const struct ixg_spec *s = b->spec;
	struct tables *t = b->t;

	if (s->n_blackholes > NH_INDEX_MASK + 1)
		return tbl_fail(b, -ENOSPC, "blackholes: %" PRIu32 " > %u",
				s->n_blackholes, NH_INDEX_MASK + 1);
	t->blackholes = rte_zmalloc(
		"blackholes", (s->n_blackholes + 1) * sizeof(*t->blackholes),
		0);
	if (t->blackholes == NULL)
		return tbl_fail(b, -ENOMEM, "blackholes: out of memory");
	for (uint32_t i = 0; i < s->n_blackholes; i++) {
		const struct ixg_spec_blackhole *sb = &s->blackholes[i];
		struct tbl_blackhole *tb = &t->blackholes[i];

		if ((sb->family != 4 || sb->len > 32) &&
		    (sb->family != 6 || sb->len > 128)) {
			char what[128];

			tbl_describe(s, IXG_TBL_BLACKHOLES, i, what,
				     sizeof(what));
			return tbl_fail(b, -EINVAL,
					"%s: bad family %u or length "
					"%u",
					what, sb->family, sb->len);
		}
		tb->family = sb->family;
		tb->len = sb->len;
		tb->id = sb->id;
		tb->expires = sb->expires;
		memcpy(tb->addr, sb->addr, 16);
		if (sb->expires > b->now &&
		    (t->next_expiry == 0 || sb->expires < t->next_expiry))
			t->next_expiry = sb->expires;
	}
	t->n_blackholes = s->n_blackholes;
	return 0;
}

/* Local addresses first: blackholes and routes may cover them. */
static int
addrs_build(struct tbl_build *b)
{
	int rc = build_locals(b);

	return rc == 0 ? build_blackholes(b) : rc;
}

static void
addrs_free(struct tables *t)
{
	rte_free(t->blackholes);
}

const struct tbl_part_ops tbl_part_addrs = {
	.build = addrs_build,
	.free = addrs_free,
};

/* ------------------------------------------------------------------ */
/* The parts "route4" and "route6".                                   */

/* Whether blackhole i of spec s is in the FIBs at time now. */
static bool
blackhole_live_at(const struct ixg_spec *s, uint32_t i, int64_t now)
{
	int64_t e = s->blackholes[i].expires;

	return e == 0 || e > now;
}

/* Whether every input of the destination FIB of `family` but its routes
 * is b->prev's: blackholes (and which are live), local addresses, peers,
 * the country prefixes of the family. */
static bool route_others_same_but_countries(const struct tbl_build *b,
					    uint8_t family);

static bool
route_others_same(const struct tbl_build *b, uint8_t family)
{
	/* The leaves hold the destination's country (tables.h). */
	return route_others_same_but_countries(b, family) &&
	       tbl_same(b, family == 4 ? IXG_TBL_COUNTRY4 : IXG_TBL_COUNTRY6);
}

/* route_others_same but the country map. */
static bool
route_others_same_but_countries(const struct tbl_build *b, uint8_t family)
{
	const struct ixg_spec *s = b->spec;

	if (b->prev == NULL || b->prev_spec == NULL)
		return false;
	if (!tbl_same(b, IXG_TBL_BLACKHOLES) ||
	    !tbl_same(b, IXG_TBL_LOCAL_ADDRS) || !tbl_same_peer_ids(b))
		return false;
	/* The derived link-locals follow the ports' MACs and node.punt. */
	if (b->t->n_local_addrs != b->prev->n_local_addrs ||
	    memcmp(b->t->local_addrs, b->prev->local_addrs,
		   b->t->n_local_addrs * sizeof(b->t->local_addrs[0])) != 0)
		return false;
	for (uint32_t i = 0; i < s->n_blackholes; i++)
		if (s->blackholes[i].family == family &&
		    blackhole_live_at(s, i, b->now) !=
			    blackhole_live_at(s, i, b->prev->built_at))
			return false;
	return true;
}

/* Whether the destination FIB of `family` can be taken from b->prev. */
static bool
route_inputs_same(const struct tbl_build *b, uint8_t family)
{
	if (b->prev == NULL || b->prev_spec == NULL)
		return false;
	if (family == 4 ? !tbl_same(b, IXG_TBL_ROUTES4)
			: !tbl_same(b, IXG_TBL_ROUTES6))
		return false;
	return route_others_same(b, family);
}

/* Blackholes whose expiry has passed are left out of the FIBs. */
static bool
blackhole_live(const struct tbl_build *b, uint32_t i)
{
	return blackhole_live_at(b->spec, i, b->now);
}

static uint32_t
route_nh4(const struct tbl_build *b, uint64_t k)
{
	uint32_t idx = key4_idx(k);

	switch (key4_kind(k)) {
	case PK_ROUTE:
		return tbl_route_nh(b, b->spec->routes4[idx].peer_id,
				    b->spec->routes4[idx].origin, 4);
	case PK_BLACKHOLE: return NH_BLACKHOLE | idx;
	case PK_LOCAL: return NH_LOCAL | idx;
	default: return NH_NONE;
	}
}

/* ------------------------------------------------------------------ */
/* Route FIBs made from the previous one and a delta's edits.         */

/* What made the route4 FIB of a build differ from b->prev's: the noted
 * edits (NULL: the routes are b->prev's), and the country prefixes whose
 * country changed (sorted keys, malloc'd; none: the same map). */
struct route4_change {
	const struct tables_route_edits *e;
	uint64_t *cch;
	size_t n_cch;
};

/* How many entries r's recorded content holds (0: none, or not
 * recorded). */
static size_t
fibrec_count(const struct fibrec *r, unsigned f)
{
	const struct fib_pfx6 *x;
	const uint64_t *k, *l;
	const uint32_t *v;
	size_t n = f ? fibrec_content6(r, &x, &l)
		     : fibrec_content4(r, &k, &v, &l);

	return n == SIZE_MAX ? 0 : n;
}

/*
 * Whether the route FIB of family f (0: route4, 1: route6) of b can be
 * made from b->prev's by repainting ranges (route4_by_edits,
 * route6_by_edits): every input but the routes and the country map the
 * same, the next-hop groups shared, b->prev's FIB recorded; the routes
 * b->prev's or changed by noted edits (into *e; NULL: b->prev's); the
 * country map b->prev's or, both folded, changed in a few prefixes (into
 * *cch, n_cch: sorted keys, or records for IPv6; malloc'd, the caller's
 * to free). Past an eighth of the table the whole build is cheaper.
 */
static bool
build_by_ranges(const struct tbl_build *b, unsigned f,
		const struct tables_route_edits **e, void **cch, size_t *n_cch)
{
	const struct ixg_spec *s = b->spec, *ps = b->prev_spec;
	const struct fibrec *pc, *nc;
	uint64_t *ck = NULL;
	struct fib_pfx6 *cp = NULL;
	size_t pn, nn;
	int rc;

	*e = NULL;
	*cch = NULL;
	*n_cch = 0;
	if (b->prev == NULL || ps == NULL ||
	    !route_others_same_but_countries(b, f ? 6 : 4) ||
	    b->t->part_refs[TBL_PART_NHG] == NULL ||
	    b->t->part_refs[TBL_PART_NHG] != b->prev->part_refs[TBL_PART_NHG] ||
	    b->prev->fibs[f ? FIB_ROUTE6 : FIB_ROUTE4] == NULL)
		return false;
	if (!tbl_same(b, f ? IXG_TBL_ROUTES6 : IXG_TBL_ROUTES4)) {
		uint32_t n = f ? s->n_routes6 : s->n_routes4;

		*e = f ? edits_for(1, ps->routes6, ps->n_routes6, s->routes6,
				   s->n_routes6)
		       : edits_for(0, ps->routes4, ps->n_routes4, s->routes4,
				   s->n_routes4);
		if (*e == NULL || (*e)->n_edits > (uint64_t)n / 8 + 4096)
			return false;
	}
	if (tbl_same(b, f ? IXG_TBL_COUNTRY6 : IXG_TBL_COUNTRY4))
		return *e != NULL;
	/* folded on both sides, or on neither */
	pc = b->prev->fibs[f ? FIB_COUNTRY6 : FIB_COUNTRY4];
	nc = b->t->fibs[f ? FIB_COUNTRY6 : FIB_COUNTRY4];
	pn = fibrec_count(pc, f);
	nn = fibrec_count(nc, f);
	if ((pn > 0) != (nn > 0))
		return false;
	rc = f ? fibrec_diff6(pc, nc, &cp, n_cch)
	       : fibrec_diff4(pc, nc, &ck, n_cch);
	if (rc != 0)
		return false;
	*cch = f ? (void *)cp : (void *)ck;
	if (*n_cch > nn / 8 + 4096 || (*e == NULL && *n_cch == 0)) {
		free(*cch);
		*cch = NULL;
		return false;
	}
	return true;
}

static bool
build_by_ranges4(const struct tbl_build *b, struct route4_change *c)
{
	void *cch;
	bool yes;

	memset(c, 0, sizeof(*c));
	yes = build_by_ranges(b, 0, &c->e, &cch, &c->n_cch);
	c->cch = cch;
	return yes;
}

/*
 * The route4 FIB of b from b->prev's and what changed, c
 * (build_by_ranges4: a delta's edits, the country prefixes whose country
 * changed, or both): the content (fibrec.h: pruned keys and next hops)
 * is b->prev's with, inside each outermost changed prefix ("range"), its
 * entries made again from the new routes and the unchanged blackholes
 * and local addresses, pruned against the range's cover (which no change
 * touched); the FIB is the spare repainted over the ranges
 * (fibrec_splice4). With a country map the range's entries are folded
 * with the country prefixes inside it (fold4, around the cover's route
 * and country). What costs the whole table is one copy of the content;
 * everything else is the ranges (binary searches, and the prefixes
 * inside them). The result is the content build_route4 makes of the same
 * spec, so the same lookups.
 */
static int
route4_by_edits(struct tbl_build *b, const struct route4_change *chg)
{
	const struct ixg_spec *s = b->spec;
	const struct ixg_delta_route4 *ed = chg->e != NULL ? chg->e->edits
							   : NULL;
	const uint64_t n_ed = chg->e != NULL ? chg->e->n_edits : 0;
	size_t ci = 0;
	const struct fibrec *prev = b->prev->fibs[FIB_ROUTE4];
	const uint64_t *pk, *plens;
	const uint32_t *pnh;
	size_t pn = fibrec_content4(prev, &pk, &pnh, &plens);
	size_t n_ov = 0, n_rg = 0, cap, m = 0, at = 0, bad, tcap = 1;
	uint64_t *ov = NULL, *rg = NULL, *nk = NULL, *tk = NULL, lens[3];
	uint32_t *nnh = NULL, *tv = NULL;
	/* the country content folded into the leaves (b->prev's too:
	 * build_by_edits) */
	const uint64_t *ck = NULL, *clens;
	const uint32_t *cv = NULL;
	size_t cn = fibrec_content4(b->t->fibs[FIB_COUNTRY4], &ck, &cv, &clens);
	const bool fold = cn != SIZE_MAX && cn > 0;
	struct fibrec *r;
	int rc = -ENOMEM;

	memcpy(lens, plens, sizeof(lens));
	/* the blackholes and local addresses, sorted (a few) */
	ov = malloc(((size_t)s->n_blackholes + s->n_local_addrs + 1) *
		    sizeof(*ov));
	rg = malloc((n_ed + chg->n_cch + 1) * sizeof(*rg));
	if (ov == NULL || rg == NULL)
		goto fail;
	for (uint32_t i = 0; i < s->n_blackholes; i++) {
		const struct ixg_spec_blackhole *h = &s->blackholes[i];
		uint32_t a;

		if (h->family != 4 || !blackhole_live(b, i))
			continue;
		memcpy(&a, h->addr, 4);
		ov[n_ov++] = key4(ntohl(a), h->len, PK_BLACKHOLE, i);
	}
	for (uint32_t i = 0; i < s->n_local_addrs; i++) {
		const struct ixg_spec_local_addr *l = &s->local_addrs[i];
		uint32_t a;

		if (l->family != 4)
			continue;
		memcpy(&a, l->addr, 4);
		ov[n_ov++] = key4(ntohl(a), 32, PK_LOCAL, i);
	}
	if (sort_keys4(ov, n_ov) < 0)
		goto fail;
	/* the ranges: edited prefixes and changed country prefixes (both
	 * sorted, merged) inside no other of them */
	for (uint64_t k = 0; k < n_ed || ci < chg->n_cch;) {
		uint64_t x = k < n_ed ? key4(ed[k].r.addr, ed[k].r.len,
					     PK_ROUTE, 0)
				      : UINT64_MAX;

		if (ci < chg->n_cch && chg->cch[ci] < x)
			x = chg->cch[ci++];
		else
			k++;
		if (n_rg > 0 && x < key4_after(key4_addr(rg[n_rg - 1]),
					       key4_len(rg[n_rg - 1])))
			continue; /* inside the last range */
		rg[n_rg++] = x;
	}
	/* room: the content, plus what the ranges hold now */
	cap = pn + 1;
	for (size_t g = 0; g < n_rg; g++) {
		uint32_t a = key4_addr(rg[g]);
		uint8_t len = key4_len(rg[g]);
		uint64_t end = key4_after(a, len);

		size_t in = route4_index(s->routes4, s->n_routes4,
					 end == UINT64_MAX ? UINT32_MAX
							   : key4_addr(end),
					 end == UINT64_MAX ? 33 : 0) -
			    route4_index(s->routes4, s->n_routes4, a, len);

		in += keys_lower(ov, n_ov, end) - keys_lower(ov, n_ov, rg[g]);
		cap += in;
		if (in + 1 > tcap)
			tcap = in + 1;
		if (fold)
			cap += keys_lower(ck, cn, end) -
			       keys_lower(ck, cn, rg[g]);
	}
	nk = malloc(cap * sizeof(*nk));
	nnh = malloc(cap * sizeof(*nnh));
	if (nk == NULL || nnh == NULL)
		goto fail;
	if (fold) {
		tk = malloc(tcap * sizeof(*tk));
		tv = malloc(tcap * sizeof(*tv));
		if (tk == NULL || tv == NULL)
			goto fail;
	}
	for (size_t g = 0; g < n_rg; g++) {
		uint32_t a = key4_addr(rg[g]), cover = NH_NONE;
		uint8_t len = key4_len(rg[g]);
		uint64_t end = key4_after(a, len);
		size_t lo = keys_lower(pk, pn, rg[g]),
		       hi = keys_lower(pk, pn, end);
		uint32_t ri = route4_index(s->routes4, s->n_routes4, a, len);
		size_t oi = keys_lower(ov, n_ov, rg[g]);
		struct {
			uint32_t addr;
			uint8_t len;
			uint32_t nh;
		} st[33];
		size_t depth = 0, rn = 0;
		uint64_t *rk;
		uint32_t *rv, rcover;

		/* the cover: the longest kept prefix around the range */
		for (int l = len - 1; l >= 0; l--) {
			uint64_t c = key4(a, (uint8_t)l, PK_ROUTE, 0);
			size_t i;

			if (!(lens[0] >> l & 1))
				continue;
			i = keys_lower(pk, pn, c);
			if (i < pn && pk[i] == c) {
				cover = pnh[i];
				break;
			}
		}
		memcpy(nk + m, pk + at, (lo - at) * sizeof(*nk));
		memcpy(nnh + m, pnh + at, (lo - at) * sizeof(*nnh));
		m += lo - at;
		at = hi;
		/* the routes' entries: folded with the countries' below, or
		 * the content itself */
		rk = fold ? tk : nk + m;
		rv = fold ? tv : nnh + m;
		rcover = fold ? tbl_leaf_nh(cover) : cover;
		/* routes and overlay inside the range, merged by prefix; of
		 * one prefix the last (route, blackhole, local) wins */
		for (;;) {
			uint64_t kr = UINT64_MAX, ko = UINT64_MAX, x, id;
			uint32_t v;

			if (ri < s->n_routes4) {
				const struct ixg_spec_route4 *rt =
					&s->routes4[ri];

				kr = key4(rt->addr, rt->len, PK_ROUTE, ri);
				if ((kr & LPM4_KEY_ID_MASK) >= end)
					kr = UINT64_MAX;
			}
			if (oi < n_ov && (ov[oi] & LPM4_KEY_ID_MASK) < end)
				ko = ov[oi];
			if (kr == UINT64_MAX && ko == UINT64_MAX)
				break;
			x = kr <= ko ? kr : ko;
			id = x & LPM4_KEY_ID_MASK;
			if (x == kr)
				ri++;
			else
				oi++;
			/* a later entry of the same prefix wins */
			if ((ri < s->n_routes4 &&
			     (key4(s->routes4[ri].addr, s->routes4[ri].len,
				   PK_ROUTE, 0) &
			      LPM4_KEY_ID_MASK) == id) ||
			    (oi < n_ov && (ov[oi] & LPM4_KEY_ID_MASK) == id))
				continue;
			if (key4_kind(x) == PK_ROUTE) {
				const struct ixg_spec_route4 *rt =
					&s->routes4[key4_idx(x)];

				v = tbl_route_nh(b, rt->peer_id, rt->origin, 4);
				if (rt->len > 32 || v == NH_NONE) {
					char what[128];

					routes4_describe(s, key4_idx(x), what,
							 sizeof(what));
					rc = tbl_fail(
						b, -EINVAL, "%s: %s", what,
						rt->len > 32 ? "bad length"
							     : "peer not "
							       "configured");
					goto fail;
				}
			} else {
				v = route_nh4(b, x);
			}
			while (depth > 0 &&
			       (st[depth - 1].len > key4_len(x) ||
				(key4_addr(x) & mask4(st[depth - 1].len)) !=
					st[depth - 1].addr))
				depth--;
			if (v == (depth > 0 ? st[depth - 1].nh : rcover))
				continue;
			st[depth].addr = key4_addr(x);
			st[depth].len = key4_len(x);
			st[depth++].nh = v;
			lens[0] |= UINT64_C(1) << key4_len(x);
			rk[rn] = id;
			rv[rn++] = v;
		}
		if (fold) {
			size_t clo = keys_lower(ck, cn, rg[g]),
			       chi = keys_lower(ck, cn, end),
			       fn = fold4(tk, tv, rn, ck + clo, cv + clo,
					  chi - clo, cover, NH_COUNTRY_SHIFT,
					  nk + m, nnh + m);

			for (size_t i = m; i < m + fn; i++)
				lens[0] |= UINT64_C(1) << key4_len(nk[i]);
			m += fn;
		} else {
			m += rn;
		}
	}
	memcpy(nk + m, pk + at, (pn - at) * sizeof(*nk));
	memcpy(nnh + m, pnh + at, (pn - at) * sizeof(*nnh));
	m += pn - at;
	free(ov);
	ov = NULL;
	free(tk);
	free(tv);
	tk = NULL;
	tv = NULL;
	r = fibrec_splice4(FIB_ROUTE4, prev, nk, nnh, m, lens, rg, n_rg,
			   &b->t->fib_stat[FIB_ROUTE4], &bad, &rc);
	nk = NULL; /* fibrec_splice4's now, freed or kept */
	nnh = NULL;
	free(rg);
	if (r == NULL)
		return tbl_fail(b, rc, "route4 (%zu prefixes): %s", m,
				strerror(-rc));
	b->t->fibs[FIB_ROUTE4] = r;
	b->t->route4 = fibrec_lpm(r);
	by_edits[0]++;
	return 1;
fail:
	free(ov);
	free(rg);
	free(nk);
	free(nnh);
	free(tk);
	free(tv);
	return rc == -ENOMEM ? tbl_fail(b, rc, "IPv4 routes: out of memory")
			     : rc;
}

static int
build_route4(struct tbl_build *b)
{
	const struct ixg_spec *s = b->spec;
	size_t n = 0,
	       cap = (size_t)s->n_routes4 + s->n_blackholes + s->n_local_addrs;
	struct route4_change ch;
	uint64_t *k;
	int rc;

	if (s->n_routes4 > IXG_MAX_ROUTES4)
		return tbl_fail(b, -ENOSPC, "IPv4 routes: %" PRIu32 " > %u",
				s->n_routes4, IXG_MAX_ROUTES4);
	if (build_by_ranges4(b, &ch)) {
		rc = route4_by_edits(b, &ch);
		free(ch.cch);
		return rc < 0 ? rc : 0;
	}
	k = malloc((cap + 1) * sizeof(*k));
	if (k == NULL)
		return tbl_fail(b, -ENOMEM, "IPv4 routes: out of memory");
	for (uint32_t i = 0; i < s->n_routes4; i++) {
		const struct ixg_spec_route4 *r = &s->routes4[i];

		if (r->len > 32 ||
		    tbl_route_nh(b, r->peer_id, r->origin, 4) == NH_NONE) {
			char what[128];

			routes4_describe(s, i, what, sizeof(what));
			free(k);
			return tbl_fail(b, -EINVAL, "%s: %s", what,
					r->len > 32 ? "bad length"
						    : "peer not configured");
		}
		k[n++] = key4(r->addr, r->len, PK_ROUTE, i);
	}
	for (uint32_t i = 0; i < s->n_blackholes; i++) {
		const struct ixg_spec_blackhole *h = &s->blackholes[i];
		uint32_t a;

		if (h->family != 4 || !blackhole_live(b, i))
			continue;
		memcpy(&a, h->addr, 4);
		k[n++] = key4(ntohl(a), h->len, PK_BLACKHOLE, i);
	}
	for (uint32_t i = 0; i < s->n_local_addrs; i++) {
		const struct ixg_spec_local_addr *l = &s->local_addrs[i];
		uint32_t a;

		if (l->family != 4)
			continue;
		memcpy(&a, l->addr, 4);
		k[n++] = key4(ntohl(a), 32, PK_LOCAL, i);
	}
	if ((rc = sort_keys4(k, n)) < 0) {
		free(k);
		return tbl_fail(b, rc, "IPv4 routes: out of memory");
	}
	b->t->route4 = fib4_build_fold(b, FIB_ROUTE4, k, n, route_nh4, NULL,
				       b->t->fibs[FIB_COUNTRY4],
				       NH_COUNTRY_SHIFT, &rc);
	free(k);
	return rc;
}

static int
pfx6_cmp(const struct fib_pfx6 *a, const uint8_t *addr, uint8_t len)
{
	int d = memcmp(a->addr, addr, 16);

	return d != 0 ? d : (a->len > len) - (a->len < len);
}

/* First index of the sorted records p[0..n) not before (addr, len). */
static size_t
pfx6_lower(const struct fib_pfx6 *p, size_t n, const uint8_t *addr, uint8_t len)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pfx6_cmp(&p[mid], addr, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Is address a inside prefix (pa, len)? */
static bool
inside6(const uint8_t *pa, uint8_t len, const uint8_t *a)
{
	uint8_t m[16];

	mask6(m, a, len);
	return memcmp(m, pa, 16) == 0;
}

/* struct route4_change for IPv6: the changed country prefixes as
 * records. */
struct route6_change {
	const struct tables_route_edits *e;
	struct fib_pfx6 *cch;
	size_t n_cch;
};

static bool
build_by_ranges6(const struct tbl_build *b, struct route6_change *c)
{
	void *cch;
	bool yes;

	memset(c, 0, sizeof(*c));
	yes = build_by_ranges(b, 1, &c->e, &cch, &c->n_cch);
	c->cch = cch;
	return yes;
}

/* route4_by_edits for IPv6 (records instead of keys; what changed:
 * build_by_ranges6). */
static int
route6_by_edits(struct tbl_build *b, const struct route6_change *chg)
{
	const struct ixg_spec *s = b->spec;
	const struct tables *t = b->t;
	const struct ixg_delta_route6 *ed = chg->e != NULL ? chg->e->edits
							   : NULL;
	const uint64_t n_ed = chg->e != NULL ? chg->e->n_edits : 0;
	size_t ci = 0;
	const struct fibrec *prev = b->prev->fibs[FIB_ROUTE6];
	const struct fib_pfx6 *pp;
	const uint64_t *plens;
	size_t pn = fibrec_content6(prev, &pp, &plens);
	size_t n_ov = 0, n_rg = 0, cap, m = 0, at = 0, bad, tcap = 1;
	struct fib_pfx6 *ov = NULL, *rg = NULL, *np = NULL, *tp = NULL;
	uint64_t lens[3];
	/* the country content folded into the leaves, as route4_by_edits */
	const struct fib_pfx6 *cp = NULL;
	const uint64_t *clens;
	size_t cn = fibrec_content6(b->t->fibs[FIB_COUNTRY6], &cp, &clens);
	const bool fold = cn != SIZE_MAX && cn > 0;
	struct fibrec *r;
	int rc = -ENOMEM;

	memcpy(lens, plens, sizeof(lens));
	ov = calloc((size_t)s->n_blackholes + t->n_local_addrs + 2,
		    sizeof(*ov));
	rg = calloc(n_ed + chg->n_cch + 1, sizeof(*rg));
	if (ov == NULL || rg == NULL)
		goto fail;
	/* as build_route6 loads them after the routes */
	for (uint32_t i = 0; i < s->n_blackholes; i++) {
		const struct ixg_spec_blackhole *h = &s->blackholes[i];

		if (h->family != 6 || !blackhole_live(b, i))
			continue;
		mask6(ov[n_ov].addr, h->addr, h->len);
		ov[n_ov].len = h->len;
		ov[n_ov].kind = PK_BLACKHOLE;
		ov[n_ov].idx = i;
		ov[n_ov++].nh = NH_BLACKHOLE | i;
	}
	for (uint32_t i = 0; i < t->n_local_addrs; i++) {
		const struct tbl_local_addr *l = &t->local_addrs[i];

		if (i < s->n_local_addrs && s->local_addrs[i].family != 6)
			continue;
		memcpy(ov[n_ov].addr,
		       i < s->n_local_addrs ? s->local_addrs[i].addr : l->addr,
		       16);
		ov[n_ov].len = 128;
		ov[n_ov].kind = PK_LOCAL;
		ov[n_ov].idx = i;
		ov[n_ov++].nh = NH_LOCAL | i;
	}
	memset(ov[n_ov].addr, 0, 16);
	ov[n_ov].addr[0] = 0xfe;
	ov[n_ov].addr[1] = 0x80;
	ov[n_ov].len = 10;
	ov[n_ov].kind = PK_LOCAL;
	ov[n_ov].idx = UINT32_MAX;
	ov[n_ov++].nh = NH_LINK_LOCAL;
	if (sort_pfx6(ov, n_ov) < 0)
		goto fail;
	/* the ranges: edited prefixes and changed country prefixes (both
	 * sorted, merged) inside no other of them */
	for (uint64_t k = 0; k < n_ed || ci < chg->n_cch;) {
		struct fib_pfx6 x;

		memset(&x, 0, sizeof(x));
		if (k < n_ed) {
			mask6(x.addr, ed[k].r.addr, ed[k].r.len);
			x.len = ed[k].r.len;
		}
		if (ci < chg->n_cch &&
		    (k >= n_ed || pfx6_cmp(&chg->cch[ci], x.addr, x.len) < 0))
			x = chg->cch[ci++];
		else
			k++;
		if (n_rg > 0 &&
		    inside6(rg[n_rg - 1].addr, rg[n_rg - 1].len, x.addr) &&
		    x.len >= rg[n_rg - 1].len)
			continue;
		memset(&rg[n_rg], 0, sizeof(rg[n_rg]));
		memcpy(rg[n_rg].addr, x.addr, 16);
		rg[n_rg++].len = x.len;
	}
	cap = pn + 1;
	for (size_t g = 0; g < n_rg; g++) {
		const struct fib_pfx6 *x = &rg[g];
		size_t i, in = 0;

		for (i = route6_index(s->routes6, s->n_routes6, x->addr,
				      x->len);
		     i < s->n_routes6 &&
		     inside6(x->addr, x->len, s->routes6[i].addr);
		     i++)
			in++;
		for (i = pfx6_lower(ov, n_ov, x->addr, x->len);
		     i < n_ov && inside6(x->addr, x->len, ov[i].addr); i++)
			in++;
		cap += in;
		if (in + 1 > tcap)
			tcap = in + 1;
		for (i = fold ? pfx6_lower(cp, cn, x->addr, x->len) : cn;
		     i < cn && inside6(x->addr, x->len, cp[i].addr); i++)
			cap++;
	}
	np = malloc(cap * sizeof(*np));
	if (np == NULL)
		goto fail;
	if (fold && (tp = malloc(tcap * sizeof(*tp))) == NULL)
		goto fail;
	for (size_t g = 0; g < n_rg; g++) {
		const struct fib_pfx6 *x = &rg[g];
		uint32_t cover = NH_NONE;
		size_t lo = pfx6_lower(pp, pn, x->addr, x->len), hi = lo;
		uint32_t ri = route6_index(s->routes6, s->n_routes6, x->addr,
					   x->len);
		size_t oi = pfx6_lower(ov, n_ov, x->addr, x->len);
		struct fib_pfx6 st[129], cur, *rp;
		size_t depth = 0, rn = 0;
		uint32_t rcover;

		while (hi < pn && inside6(x->addr, x->len, pp[hi].addr))
			hi++;
		for (int l = x->len - 1; l >= 0; l--) {
			uint8_t a[16];
			size_t i;

			if (!(lens[l / 64] >> (l % 64) & 1))
				continue;
			mask6(a, x->addr, (uint8_t)l);
			i = pfx6_lower(pp, pn, a, (uint8_t)l);
			if (i < pn && pfx6_cmp(&pp[i], a, (uint8_t)l) == 0) {
				cover = pp[i].nh;
				break;
			}
		}
		memcpy(np + m, pp + at, (lo - at) * sizeof(*np));
		m += lo - at;
		at = hi;
		rp = fold ? tp : np + m;
		rcover = fold ? tbl_leaf_nh(cover) : cover;
		for (;;) {
			bool has_r = ri < s->n_routes6 &&
				     inside6(x->addr, x->len,
					     s->routes6[ri].addr),
			     has_o = oi < n_ov &&
				     inside6(x->addr, x->len, ov[oi].addr);
			const struct fib_pfx6 *nx;

			if (!has_r && !has_o)
				break;
			if (has_r) {
				const struct ixg_spec_route6 *rt =
					&s->routes6[ri];

				memset(&cur, 0, sizeof(cur));
				mask6(cur.addr, rt->addr, rt->len);
				cur.len = rt->len;
				cur.kind = PK_ROUTE;
				cur.idx = ri;
			}
			/* the route first on one prefix: loaded first */
			if (has_r && (!has_o || pfx6_cmp(&ov[oi], cur.addr,
							 cur.len) >= 0)) {
				const struct ixg_spec_route6 *rt =
					&s->routes6[ri];

				cur.nh = tbl_route_nh(b, rt->peer_id,
						      rt->origin, 6);
				if (rt->len > 128 || cur.nh == NH_NONE) {
					char what[128];

					routes6_describe(s, ri, what,
							 sizeof(what));
					rc = tbl_fail(
						b, -EINVAL, "%s: %s", what,
						rt->len > 128 ? "bad length"
							      : "peer not "
								"configured");
					goto fail;
				}
				ri++;
			} else {
				cur = ov[oi++];
			}
			/* a later entry of the same prefix wins */
			nx = oi < n_ov ? &ov[oi] : NULL;
			if (nx != NULL && same_prefix6(nx, &cur))
				continue;
			if (ri < s->n_routes6 &&
			    route6_cmp(&s->routes6[ri], cur.addr, cur.len) == 0)
				continue;
			while (depth > 0 &&
			       !(st[depth - 1].len <= cur.len &&
				 inside6(st[depth - 1].addr, st[depth - 1].len,
					 cur.addr)))
				depth--;
			if (cur.nh == (depth > 0 ? st[depth - 1].nh : rcover))
				continue;
			st[depth++] = cur;
			lens[cur.len / 64] |= UINT64_C(1) << (cur.len % 64);
			rp[rn++] = cur;
		}
		if (fold) {
			size_t clo = pfx6_lower(cp, cn, x->addr, x->len),
			       chi = clo, fn;

			while (chi < cn &&
			       inside6(x->addr, x->len, cp[chi].addr))
				chi++;
			fn = fold6(tp, rn, cp + clo, chi - clo, cover,
				   NH_COUNTRY_SHIFT, np + m);
			for (size_t i = m; i < m + fn; i++)
				lens[np[i].len / 64] |= UINT64_C(1)
							<< (np[i].len % 64);
			m += fn;
		} else {
			m += rn;
		}
	}
	memcpy(np + m, pp + at, (pn - at) * sizeof(*np));
	m += pn - at;
	free(ov);
	free(tp);
	tp = NULL;
	r = fibrec_splice6(FIB_ROUTE6, prev, np, m, lens, rg, n_rg,
			   &b->t->fib_stat[FIB_ROUTE6], &bad, &rc);
	free(rg);
	if (r == NULL)
		return tbl_fail(b, rc, "route6 (%zu prefixes): %s", m,
				strerror(-rc));
	b->t->fibs[FIB_ROUTE6] = r;
	b->t->route6 = fibrec_lpm(r);
	by_edits[1]++;
	return 1;
fail:
	free(ov);
	free(rg);
	free(np);
	free(tp);
	return rc == -ENOMEM ? tbl_fail(b, rc, "IPv6 routes: out of memory")
			     : rc;
}

static int
build_route6(struct tbl_build *b)
{
	const struct ixg_spec *s = b->spec;
	const struct tables *t = b->t;
	size_t n = 0, cap = (size_t)s->n_routes6 + s->n_blackholes +
			    t->n_local_addrs + 1;
	struct route6_change ch;
	struct fib_pfx6 *p;
	int rc;

	if (s->n_routes6 > IXG_MAX_ROUTES6)
		return tbl_fail(b, -ENOSPC, "IPv6 routes: %" PRIu32 " > %u",
				s->n_routes6, IXG_MAX_ROUTES6);
	if (build_by_ranges6(b, &ch)) {
		rc = route6_by_edits(b, &ch);
		free(ch.cch);
		return rc < 0 ? rc : 0;
	}
	p = calloc(cap + 1, sizeof(*p));
	if (p == NULL)
		return tbl_fail(b, -ENOMEM, "IPv6 routes: out of memory");
	rc = load_pfx6(b, s->routes6, s->n_routes6, PK_ROUTE, p);
	if (rc < 0) {
		free(p);
		return rc;
	}
	n = s->n_routes6;
	for (uint32_t i = 0; i < s->n_blackholes; i++) {
		const struct ixg_spec_blackhole *h = &s->blackholes[i];

		if (h->family != 6 || !blackhole_live(b, i))
			continue;
		mask6(p[n].addr, h->addr, h->len);
		p[n].len = h->len;
		p[n].kind = PK_BLACKHOLE;
		p[n].idx = i;
		p[n++].nh = NH_BLACKHOLE | i;
	}
	for (uint32_t i = 0; i < s->n_local_addrs; i++) {
		const struct ixg_spec_local_addr *l = &s->local_addrs[i];

		if (l->family != 6)
			continue;
		memcpy(p[n].addr, l->addr, 16);
		p[n].len = 128;
		p[n].kind = PK_LOCAL;
		p[n].idx = i;
		p[n++].nh = NH_LOCAL | i;
	}
	/* The derived link-locals (build_locals), and fe80::/10 to the node:
	 * no link-local destination is ever routed (RFC 4291 2.5.6), whatever
	 * route covers it; stage_local takes ours and drops the others. */
	for (uint32_t i = s->n_local_addrs; i < t->n_local_addrs; i++) {
		memcpy(p[n].addr, t->local_addrs[i].addr, 16);
		p[n].len = 128;
		p[n].kind = PK_LOCAL;
		p[n].idx = i;
		p[n++].nh = NH_LOCAL | i;
	}
	memset(p[n].addr, 0, 16);
	p[n].addr[0] = 0xfe;
	p[n].addr[1] = 0x80;
	p[n].len = 10;
	p[n].kind = PK_LOCAL;
	p[n].idx = UINT32_MAX;
	p[n++].nh = NH_LINK_LOCAL;
	if (sort_pfx6(p, n) < 0) {
		free(p);
		return tbl_fail(b, -ENOMEM, "IPv6 routes: out of memory");
	}
	b->t->route6 = fib6_build_fold(b, FIB_ROUTE6, p, n,
				       b->t->fibs[FIB_COUNTRY6],
				       NH_COUNTRY_SHIFT, &rc);
	free(p);
	return rc;
}

static bool
route4_same(const struct tbl_build *b)
{
	return route_inputs_same(b, 4);
}

static bool
route6_same(const struct tbl_build *b)
{
	return route_inputs_same(b, 6);
}

static void
route4_share(struct tables *t, const struct tables *from)
{
	t->route4 = from->route4;
	t->fibs[FIB_ROUTE4] = from->fibs[FIB_ROUTE4];
}

static void
route6_share(struct tables *t, const struct tables *from)
{
	t->route6 = from->route6;
	t->fibs[FIB_ROUTE6] = from->fibs[FIB_ROUTE6];
}

/* A FIB nobody reads any more becomes its slot's spare (fibrec.h). */
static void
route4_free(struct tables *t)
{
	fibrec_retire(t->fibs[FIB_ROUTE4]);
}

static void
route6_free(struct tables *t)
{
	fibrec_retire(t->fibs[FIB_ROUTE6]);
}

const struct tbl_part_ops tbl_part_route4 = {
	.build = build_route4,
	.same = route4_same,
	.share = route4_share,
	.free = route4_free,
};

const struct tbl_part_ops tbl_part_route6 = {
	.build = build_route6,
	.same = route6_same,
	.share = route6_share,
	.free = route6_free,
};
