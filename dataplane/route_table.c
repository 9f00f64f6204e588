/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * route_table.c - what the destination lookup and stage_route
 * (route_stage.c) read: the route FIBs route4 and route6, painted from the
 * routes, the live blackholes and the node's own addresses (tables.h, the
 * NH_* next hops), and the arrays of local addresses (also read by
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

static int
routes4_validate(struct spec_check *c)
{
	const struct ixg_spec *s = c->s;
	uint64_t groups[IXG_MAX_NHGROUPS / 64];

	spec_nhg_ids(s, groups);
	for (uint32_t i = 0; i < s->n_routes4; i++)
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
	uint64_t groups[IXG_MAX_NHGROUPS / 64];

	spec_nhg_ids(s, groups);
	for (uint32_t i = 0; i < s->n_routes6; i++)
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

/* Whether the destination FIB of `family` can be taken from b->prev. */
static bool
route_inputs_same(const struct tbl_build *b, uint8_t family)
{
	const struct ixg_spec *s = b->spec;

	if (b->prev == NULL || b->prev_spec == NULL)
		return false;
	if (family == 4 ? !tbl_same(b, IXG_TBL_ROUTES4)
			: !tbl_same(b, IXG_TBL_ROUTES6))
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

static int
build_route4(struct tbl_build *b)
{
	const struct ixg_spec *s = b->spec;
	size_t n = 0,
	       cap = (size_t)s->n_routes4 + s->n_blackholes + s->n_local_addrs;
	uint64_t *k;
	int rc;

	if (s->n_routes4 > IXG_MAX_ROUTES4)
		return tbl_fail(b, -ENOSPC, "IPv4 routes: %" PRIu32 " > %u",
				s->n_routes4, IXG_MAX_ROUTES4);
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
	b->t->route4 = fib4_build(b, FIB_ROUTE4, k, n, route_nh4, NULL, &rc);
	free(k);
	return rc;
}

static int
build_route6(struct tbl_build *b)
{
	const struct ixg_spec *s = b->spec;
	const struct tables *t = b->t;
	size_t n = 0, cap = (size_t)s->n_routes6 + s->n_blackholes +
			    t->n_local_addrs + 1;
	struct fib_pfx6 *p;
	int rc;

	if (s->n_routes6 > IXG_MAX_ROUTES6)
		return tbl_fail(b, -ENOSPC, "IPv6 routes: %" PRIu32 " > %u",
				s->n_routes6, IXG_MAX_ROUTES6);
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
	b->t->route6 = fib6_build(b, FIB_ROUTE6, p, n, &rc);
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
