/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rib_table.c - kernel routes resolved against the running configuration
 * and merged with the config's routes (rib_table.h).
 *
 * Prefixes, next hops, sources and config prefixes are found through one
 * small open-addressing hash of fixed 20-byte keys (family, length, tag,
 * address), written here rather than taken from a library because the
 * daemon links no hash library and the keys are fixed-size (a full table
 * is 732k prefixes: one record of 24 bytes each, plus 32 bytes of entry).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "ixg_wire.h"
#include "rib_nhg.h"
#include "rib_table.h"

static const char *const kind_names[] = {
#define RIB_KIND_NAME(e, n, d) n,
	RIB_KINDS(RIB_KIND_NAME)
#undef RIB_KIND_NAME
};
static const char *const kind_descs[] = {
#define RIB_KIND_DESC(e, n, d) d,
	RIB_KINDS(RIB_KIND_DESC)
#undef RIB_KIND_DESC
};

const char *
rib_kind_name(unsigned k)
{
	return k < RIB_K_MAX ? kind_names[k] : "unknown";
}

const char *
rib_kind_desc(unsigned k)
{
	return k < RIB_K_MAX ? kind_descs[k] : "";
}

/* ------------------------------------------------------------------ */
/* The hash.                                                          */

struct key {
	uint8_t fam; /* 4 or 6 */
	uint8_t len;
	uint16_t tag; /* what the record is about (a peer id, a kind) */
	uint8_t addr[16]; /* network order, host bits zero */
};

struct rec {
	struct key k;
	uint32_t val; /* UINT32_MAX: empty slot */
};

struct ktab {
	struct rec *r;
	uint32_t mask, n;
};

static uint64_t
khash(const struct key *k)
{
	uint64_t a, b, h;
	uint32_t c;

	memcpy(&a, k, 8);
	memcpy(&b, (const char *)k + 8, 8);
	memcpy(&c, (const char *)k + 16, 4);
	h = a * 0x9e3779b97f4a7c15ull;
	h ^= (b * 0xc2b2ae3d27d4eb4full) >> 7 | (b * 0xc2b2ae3d27d4eb4full)
							<< 57;
	h ^= c * 0x165667b19e3779f9ull;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return h;
}

static int
ktab_init(struct ktab *t, uint32_t cap)
{
	uint32_t n = 64;

	while (n < cap * 2 && n < (1u << 30))
		n <<= 1;
	t->r = malloc((size_t)n * sizeof(*t->r));
	if (t->r == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		t->r[i].val = UINT32_MAX;
	t->mask = n - 1;
	t->n = 0;
	return 0;
}

static void
ktab_free(struct ktab *t)
{
	free(t->r);
	memset(t, 0, sizeof(*t));
}

static struct rec *
ktab_find(const struct ktab *t, const struct key *k)
{
	if (t->r == NULL)
		return NULL;
	for (uint32_t i = (uint32_t)khash(k) & t->mask;;
	     i = (i + 1) & t->mask) {
		struct rec *r = &t->r[i];

		if (r->val == UINT32_MAX)
			return NULL;
		if (memcmp(&r->k, k, sizeof(*k)) == 0)
			return r;
	}
}

static int ktab_put(struct ktab *t, const struct key *k, uint32_t val);

static int
ktab_grow(struct ktab *t)
{
	struct ktab n;

	if (ktab_init(&n, (t->mask + 1)) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; t->r != NULL && i <= t->mask; i++)
		if (t->r[i].val != UINT32_MAX)
			ktab_put(&n, &t->r[i].k, t->r[i].val);
	free(t->r);
	*t = n;
	return 0;
}

/* Insert or overwrite. 0 or -ENOMEM. */
static int
ktab_put(struct ktab *t, const struct key *k, uint32_t val)
{
	if ((t->r == NULL || (t->n + 1) * 4 > (t->mask + 1) * 3) &&
	    ktab_grow(t) < 0)
		return -ENOMEM;
	for (uint32_t i = (uint32_t)khash(k) & t->mask;;
	     i = (i + 1) & t->mask) {
		struct rec *r = &t->r[i];

		if (r->val == UINT32_MAX) {
			r->k = *k;
			r->val = val;
			t->n++;
			return 0;
		}
		if (memcmp(&r->k, k, sizeof(*k)) == 0) {
			r->val = val;
			return 0;
		}
	}
}

/* Remove (backward-shift deletion: no tombstones). */
static void
ktab_del(struct ktab *t, struct rec *r)
{
	uint32_t i = (uint32_t)(r - t->r), j = i;

	for (;;) {
		uint32_t h;

		j = (j + 1) & t->mask;
		if (t->r[j].val == UINT32_MAX)
			break;
		h = (uint32_t)khash(&t->r[j].k) & t->mask;
		/* Move j into the hole at i unless its home lies in (i, j]. */
		if ((j > i && (h <= i || h > j)) ||
		    (j < i && h <= i && h > j)) {
			t->r[i] = t->r[j];
			i = j;
		}
	}
	t->r[i].val = UINT32_MAX;
	t->n--;
}

static void
key_make(struct key *k, int fam, unsigned len, uint16_t tag,
	 const uint8_t *addr)
{
	unsigned bytes = fam == 4 ? 4 : 16;

	memset(k, 0, sizeof(*k));
	k->fam = (uint8_t)fam;
	k->len = (uint8_t)len;
	k->tag = tag;
	for (unsigned i = 0; i < bytes && i * 8 < len; i++) {
		unsigned left = len - i * 8;

		k->addr[i] = left >= 8 ? addr[i]
				       : (uint8_t)(addr[i] & (0xff00u >> left));
	}
}

/* ------------------------------------------------------------------ */
/* The table.                                                         */

struct ent {
	struct key k; /* tag 0 */
	uint8_t kind; /* enum rib_kind; UINT8_MAX: free */
	uint8_t _pad;
	uint16_t peer;
	uint32_t gen;
};

enum { TAG_ANY = 0, TAG_CONF_ROUTE = 1, TAG_CONF_BH = 2 };

/* A link-local gateway two members claim (at one level: two members'
 * EUI-64s, or two learned pairs): resolves to neither. */
#define NH_CONFLICT UINT16_MAX
/* At most this many link-local gateways are remembered for the wanted
 * list (beyond: resolved all the same, not solicited). */
#define LLGW_MAX 4096u

struct rib_table {
	struct ent *e;
	uint32_t n_e, cap_e;
	uint32_t *free_idx;
	uint32_t n_free, cap_free;
	struct ktab prefixes; /* key -> index in e */
	struct ktab nexthops; /* (fam, 0, 0, gw) -> peer id */
	struct ktab sources; /* (fam, len, peer or TAG_ANY, addr) */
	struct ktab conf; /* (fam, len, TAG_CONF_*, addr) */
	/* Link-local gateways (doc/routing.md, "Gateways by link-local
	 * address"): the pairs the dataplane learned from ND, (6, 0, 0, gw)
	 * -> peer id or NH_CONFLICT (rib_table_set_learned), and the
	 * link-local gateways resolve() met that no config next hop nor
	 * EUI-64 gives (value unused): what the dataplane is asked to
	 * solicit and keep fresh (rib_table_ll_wanted). */
	struct ktab learned;
	struct ktab llgw;
	uint8_t src_lens[2][129]; /* source lengths present, per family */
	struct rib_policy pol;
	uint32_t gen;
	struct rib_member m[IXG_MAX_PEERS];
	void (*log)(void *arg, const char *line);
	void *log_arg;
	char names[IXG_MAX_PEERS][IXG_NAME_LEN];
	struct rib_nhg *nhg; /* ECMP groups the entries name (rib_nhg.h) */
	/* The config's own routes (set_basis), sorted by prefix, one per
	 * prefix: what a prefix falls back to when no kernel route beats
	 * it (both paths read these, never the running arrays, which lose
	 * beaten config routes). */
	struct ixg_spec_route4 *conf4;
	struct ixg_spec_route6 *conf6;
	uint32_t n_conf4, n_conf6;
	/* Route deltas: prefixes whose merged entry may have changed since
	 * the last rib_table_delta (tag DIRTY_BH: a blackhole before or
	 * after); need_full when a change reaches beyond them (a basis, a
	 * member shut out or back). */
	struct key *dirty;
	uint32_t n_dirty, cap_dirty;
	bool need_full;
};

#define DIRTY_BH 1u

static void
mark_dirty(struct rib_table *t, const struct key *k, bool bh)
{
	if (t->need_full)
		return;
	if (t->n_dirty == t->cap_dirty) {
		uint32_t cap = t->cap_dirty ? t->cap_dirty * 2 : 1024;
		struct key *d = realloc(t->dirty, (size_t)cap * sizeof(*d));

		if (d == NULL) {
			/* Cannot remember it: the next commit merges all. */
			t->need_full = true;
			t->n_dirty = 0;
			return;
		}
		t->dirty = d;
		t->cap_dirty = cap;
	}
	t->dirty[t->n_dirty] = *k;
	t->dirty[t->n_dirty].tag = bh ? DIRTY_BH : 0;
	t->n_dirty++;
}

static void tlog(struct rib_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
tlog(struct rib_table *t, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (t->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	t->log(t->log_arg, line);
}

struct rib_table *
rib_table_new(void)
{
	struct rib_table *t = calloc(1, sizeof(*t));

	if (t != NULL && (t->nhg = rib_nhg_new()) == NULL) {
		free(t);
		return NULL;
	}
	if (t != NULL)
		t->need_full = true;
	return t;
}

void
rib_table_free(struct rib_table *t)
{
	if (t == NULL)
		return;
	free(t->e);
	free(t->free_idx);
	ktab_free(&t->prefixes);
	ktab_free(&t->nexthops);
	ktab_free(&t->sources);
	ktab_free(&t->conf);
	ktab_free(&t->learned);
	ktab_free(&t->llgw);
	rib_nhg_free(t->nhg);
	free(t->conf4);
	free(t->conf6);
	free(t->dirty);
	free(t);
}

void
rib_table_set_log(struct rib_table *t, void (*log)(void *arg, const char *line),
		  void *arg)
{
	t->log = log;
	t->log_arg = arg;
}

static bool
covered(const struct rib_table *t, uint16_t tag, int fam, const uint8_t *dst,
	unsigned len)
{
	const uint8_t *lens = t->src_lens[fam == 4 ? 0 : 1];
	struct key k;

	for (unsigned l = 0; l <= len; l++) {
		if (!lens[l])
			continue;
		key_make(&k, fam, l, tag, dst);
		if (ktab_find(&t->sources, &k) != NULL)
			return true;
	}
	return false;
}

/* Remember link-local gateway k for the wanted list (LLGW_MAX at most;
 * no memory: not remembered). */
static void
llgw_note(struct rib_table *t, const struct key *k)
{
	if (t->llgw.r == NULL && ktab_init(&t->llgw, 64) < 0)
		return;
	if (t->llgw.n >= LLGW_MAX || ktab_find(&t->llgw, k) != NULL)
		return;
	(void)ktab_put(&t->llgw, k, 0);
}

/*
 * What the best route r of (fam, dst, len) becomes. A unicast route's
 * next hops are its live gateways (not RTNH_F_DEAD nor RTNH_F_LINKDOWN)
 * that are a member's next hop, each member once (two gateways of one
 * member: their weights add up), minus those `filter sources` refuses
 * for the prefix; none left: unresolved, or filtered (naming the first
 * member refused); one: a route to it; more: a route to the ECMP group of
 * the first IXG_NHG_MAX_MEMBERS of them with their weights (rib_nhg.h),
 * *peer IXG_NH_GROUP | its id. Members over max-prefix are left out when
 * merged, not here (ent_merged, rib_nhg_emit). No group left to make: a
 * route to the first member.
 */
static void
resolve(struct rib_table *t, const struct rtnl_route *r, int fam,
	const uint8_t *dst, unsigned len, uint8_t *kind, uint16_t *peer)
{
	struct rib_nhg_member m[IXG_NHG_MAX_MEMBERS];
	unsigned n = 0;
	uint16_t refused = 0;
	int id;

	*peer = 0;
	if (r->type == RTN_BLACKHOLE || r->type == RTN_UNREACHABLE ||
	    r->type == RTN_PROHIBIT) {
		*kind = covered(t, TAG_ANY, fam, dst, len) ? RIB_K_BLACKHOLE
							   : RIB_K_BH_REFUSED;
		return;
	}
	*kind = RIB_K_UNRESOLVED;
	for (unsigned i = 0; i < r->n_nh; i++) {
		const struct rtnl_nexthop *nh = &r->nh[i];
		struct key k;
		const struct rec *rec;
		uint16_t p;
		unsigned j;

		if (nh->flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN))
			continue;
		if (nh->gw_family != AF_INET && nh->gw_family != AF_INET6)
			continue;
		key_make(&k, nh->gw_family == AF_INET ? 4 : 6,
			 nh->gw_family == AF_INET ? 32 : 128, 0, nh->gw);
		k.len = 0;
		rec = ktab_find(&t->nexthops, &k);
		if (rec == NULL && k.fam == 6 && k.addr[0] == 0xfe &&
		    (k.addr[1] & 0xc0) == 0x80) {
			/* Config and EUI-64 first, then what ND taught. */
			llgw_note(t, &k);
			rec = ktab_find(&t->learned, &k);
		}
		if (rec == NULL || rec->val == NH_CONFLICT)
			continue;
		p = (uint16_t)rec->val;
		if (t->pol.filter && !covered(t, p, fam, dst, len)) {
			if (refused == 0)
				refused = p;
			continue;
		}
		for (j = 0; j < n && m[j].peer != p; j++)
			;
		if (j < n) {
			unsigned w = m[j].weight +
				     (nh->weight ? nh->weight : 1);

			m[j].weight = (uint16_t)(w > 256 ? 256 : w);
		} else if (n < IXG_NHG_MAX_MEMBERS) {
			m[n].peer = p;
			m[n++].weight = nh->weight ? nh->weight : 1;
		}
	}
	if (n == 0) {
		if (refused != 0) {
			*kind = RIB_K_FILTERED;
			*peer = refused;
		}
		return;
	}
	*kind = RIB_K_ROUTE;
	*peer = m[0].peer;
	if (n > 1 && (id = rib_nhg_find(t->nhg, m, n)) >= 0)
		*peer = (uint16_t)(IXG_NH_GROUP | id);
}

/* Whether entry value nh (a peer, or a group: all its members) is shut
 * out by max-prefix. */
static bool
nh_shut(const struct rib_table *t, uint16_t nh)
{
	struct rib_nhg_member m[IXG_NHG_MAX_MEMBERS];
	unsigned n;

	if (!rib_nh_is_group(nh))
		return t->m[nh % IXG_MAX_PEERS].shut;
	n = rib_nhg_members(t->nhg, nh & ~IXG_NH_GROUP, m);
	for (unsigned i = 0; i < n; i++)
		if (!t->m[m[i].peer].shut)
			return false;
	return true;
}

/* Member bookkeeping: entry (kind, peer) counted with sign. */
static void
count(struct rib_table *t, uint8_t kind, uint16_t peer, int sign)
{
	struct rib_member *m = &t->m[peer % IXG_MAX_PEERS];

	if (rib_nh_is_group(peer)) {
		/* an ECMP route counts for each member (max-prefix) */
		struct rib_nhg_member g[IXG_NHG_MAX_MEMBERS];
		unsigned n = rib_nhg_members(t->nhg, peer & ~IXG_NH_GROUP, g);

		for (unsigned i = 0; i < n; i++)
			count(t, kind, g[i].peer, sign);
		rib_nhg_ref(t->nhg, peer & ~IXG_NH_GROUP, sign);
		return;
	}
	if (peer == 0)
		return;
	if (kind == RIB_K_ROUTE)
		m->routes += (uint32_t)sign;
	else if (kind == RIB_K_FILTERED) {
		m->filtered += (uint32_t)sign;
		if (sign > 0)
			m->filtered_total++;
	}
}

/* Shut out or let back a member after its count changed. */
static void
check_member(struct rib_table *t, uint16_t id)
{
	struct rib_member *m = &t->m[id % IXG_MAX_PEERS];

	if (rib_nh_is_group(id)) {
		struct rib_nhg_member g[IXG_NHG_MAX_MEMBERS];
		unsigned n = rib_nhg_members(t->nhg, id & ~IXG_NH_GROUP, g);

		for (unsigned i = 0; i < n; i++)
			check_member(t, g[i].peer);
		return;
	}

	if (m->max_prefix == 0) {
		if (m->shut)
			t->need_full = true;
		if (m->shut)
			tlog(t,
			     "kernel routes: member %s has no max-prefix any "
			     "more: its %u kernel routes are back",
			     t->names[id], m->routes);
		m->shut = false;
		return;
	}
	if (!m->shut && m->routes > m->max_prefix) {
		m->shut = true;
		m->shut_events++;
		t->need_full = true;
		tlog(t,
		     "kernel routes: member %s has %u kernel routes, more "
		     "than its max-prefix %u: all of them are withdrawn from "
		     "the dataplane until fewer than %u",
		     t->names[id], m->routes, m->max_prefix,
		     (uint32_t)((uint64_t)m->max_prefix * 9 / 10));
	} else if (m->shut &&
		   (uint64_t)m->routes * 10 < (uint64_t)m->max_prefix * 9) {
		m->shut = false;
		t->need_full = true;
		tlog(t,
		     "kernel routes: member %s is back under 90%% of its "
		     "max-prefix %u (%u kernel routes): they are installed "
		     "again",
		     t->names[id], m->max_prefix, m->routes);
	}
}

static int
ent_alloc(struct rib_table *t, uint32_t *idx)
{
	if (t->n_free > 0) {
		*idx = t->free_idx[--t->n_free];
		return 0;
	}
	if (t->n_e == t->cap_e) {
		uint32_t cap = t->cap_e ? t->cap_e * 2 : 1024;
		struct ent *e = realloc(t->e, (size_t)cap * sizeof(*e));

		if (e == NULL)
			return -ENOMEM;
		t->e = e;
		t->cap_e = cap;
	}
	*idx = t->n_e++;
	return 0;
}

static int
ent_release(struct rib_table *t, uint32_t idx)
{
	if (t->n_free == t->cap_free) {
		uint32_t cap = t->cap_free ? t->cap_free * 2 : 1024;
		uint32_t *f = realloc(t->free_idx, (size_t)cap * sizeof(*f));

		if (f == NULL)
			return -ENOMEM;
		t->free_idx = f;
		t->cap_free = cap;
	}
	t->e[idx].kind = UINT8_MAX;
	t->free_idx[t->n_free++] = idx;
	return 0;
}

static void
ent_delete(struct rib_table *t, struct rec *r)
{
	uint32_t idx = r->val;
	struct ent *e = &t->e[idx];

	mark_dirty(t, &e->k, e->kind == RIB_K_BLACKHOLE);
	count(t, e->kind, e->peer, -1);
	if (e->peer != 0)
		check_member(t, e->peer);
	ktab_del(&t->prefixes, r);
	/* Without room on the free list the slot is simply not reused. */
	if (ent_release(t, idx) < 0)
		e->kind = UINT8_MAX;
}

void
rib_table_clear(struct rib_table *t)
{
	for (uint32_t i = 0; i < t->n_e; i++)
		t->e[i].kind = UINT8_MAX;
	t->n_e = 0;
	t->n_free = 0;
	t->n_dirty = 0;
	t->need_full = true;
	ktab_free(&t->prefixes);
	ktab_free(&t->llgw);
	for (unsigned i = 0; i < IXG_MAX_PEERS; i++) {
		t->m[i].routes = 0;
		t->m[i].filtered = 0;
		t->m[i].shut = false;
	}
	rib_nhg_unref_all(t->nhg);
}

uint32_t
rib_table_size(const struct rib_table *t)
{
	return t->prefixes.n;
}

long
rib_table_apply(struct rib_table *t, const struct rtnl_batch *b)
{
	long changed = 0;

	if (b->full)
		t->gen++;
	for (uint32_t i = 0; i < b->n; i++) {
		const struct rtnl_change *c = &b->changes[i];
		int fam = c->family == AF_INET ? 4 : 6;
		struct key k;
		struct rec *r;
		uint8_t kind;
		uint16_t peer;

		key_make(&k, fam, c->len, 0, c->dst);
		r = ktab_find(&t->prefixes, &k);
		if (c->new_best == NULL) {
			if (r != NULL) {
				ent_delete(t, r);
				changed++;
			}
			continue;
		}
		resolve(t, c->new_best, fam, k.addr, c->len, &kind, &peer);
		if (r != NULL) {
			struct ent *e = &t->e[r->val];

			e->gen = t->gen;
			if (e->kind == kind && e->peer == peer)
				continue;
			mark_dirty(t, &k,
				   e->kind == RIB_K_BLACKHOLE ||
					   kind == RIB_K_BLACKHOLE);
			count(t, e->kind, e->peer, -1);
			if (e->peer != 0 && e->peer != peer)
				check_member(t, e->peer);
			e->kind = kind;
			e->peer = peer;
		} else {
			uint32_t idx;
			struct ent *e;

			if (ent_alloc(t, &idx) < 0)
				return -ENOMEM;
			e = &t->e[idx];
			e->k = k;
			e->kind = kind;
			e->peer = peer;
			e->gen = t->gen;
			if (ktab_put(&t->prefixes, &k, idx) < 0) {
				ent_release(t, idx);
				return -ENOMEM;
			}
			mark_dirty(t, &k, kind == RIB_K_BLACKHOLE);
		}
		count(t, kind, peer, +1);
		if (peer != 0)
			check_member(t, peer);
		changed++;
	}
	if (b->full) {
		/* Prefixes the full batch did not list are gone. */
		for (uint32_t i = 0; i < t->n_e; i++) {
			struct ent *e = &t->e[i];
			struct rec *r;

			if (e->kind == UINT8_MAX || e->gen == t->gen)
				continue;
			r = ktab_find(&t->prefixes, &e->k);
			if (r != NULL) {
				ent_delete(t, r);
				changed++;
			}
		}
	}
	return changed;
}

/*
 * The members' IPv6 link-local next hops, after their configured ones
 * (which win: called once those are in t->nexthops). A kernel route's IPv6
 * gateway on a LAN is the member's link-local address unless its BGP
 * session is told otherwise (RFC 2545; FRR and BIRD both do it), and that
 * address is the modified EUI-64 of the MAC the member sends from (RFC
 * 4291 appendix A), which Linux, BIRD's and FRR's hosts, and most router
 * OSes derive unless configured otherwise: each MAC of a member's lock
 * gives one. An address two members' MACs give (one MAC on two ports or
 * VLANs) resolves to neither: logged. A link-local address that is no
 * member's EUI-64 stays unresolved (doc/routing.md, "Gateways by
 * link-local address"). 0 or -ENOMEM.
 */
static int
nexthops_link_local(struct rib_table *t, const struct ixg_spec *s)
{
	struct ktab ll;
	struct key k;
	uint32_t n = 0;
	int rc = 0;

	for (uint32_t i = 0; i < s->n_peers; i++)
		n += s->peers[i].n_macs;
	if (n == 0)
		return 0;
	if (ktab_init(&ll, n) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < s->n_peers; i++) {
		const struct ixg_spec_peer *pe = &s->peers[i];
		uint16_t id = pe->id % IXG_MAX_PEERS;

		for (unsigned m = 0; m < pe->n_macs && m < IXG_MAX_PEER_MACS;
		     m++) {
			const uint8_t *mac = pe->macs[m];
			uint8_t a[16] = {0xfe,	 0x80,	 [8] = mac[0] ^ 0x02,
					 mac[1], mac[2], 0xff,
					 0xfe,	 mac[3], mac[4],
					 mac[5]};
			struct rec *r;

			key_make(&k, 6, 128, 0, a);
			k.len = 0;
			r = ktab_find(&ll, &k);
			if (r == NULL && ktab_put(&ll, &k, id) < 0)
				rc = -ENOMEM;
			else if (r != NULL && r->val != id)
				r->val = UINT16_MAX; /* two members */
		}
	}
	for (uint32_t i = 0; rc == 0 && i <= ll.mask; i++) {
		const struct rec *r = &ll.r[i];
		char a[INET6_ADDRSTRLEN];

		if (r->val == UINT32_MAX ||
		    ktab_find(&t->nexthops, &r->k) != NULL)
			continue;
		if (r->val == UINT16_MAX) {
			inet_ntop(AF_INET6, r->k.addr, a, sizeof(a));
			tlog(t,
			     "kernel routes: gateway %s is the link-local "
			     "address of more than one member's MAC: not "
			     "resolved",
			     a);
			/* Kept, so no learned pair resolves it either. */
			if (ktab_put(&t->nexthops, &r->k, NH_CONFLICT) < 0)
				rc = -ENOMEM;
			continue;
		}
		if (ktab_put(&t->nexthops, &r->k, r->val) < 0)
			rc = -ENOMEM;
	}
	ktab_free(&ll);
	return rc;
}

/*
 * The config's routes to next-hop groups (route blocks, doc/routing.md
 * "ECMP"): each group of s a config route names is found or made in the
 * registry by its members and weights, so a kernel ECMP route to the same
 * set shares it, and the kept config routes name the registry's id (s's
 * ids are the compiler's, or, in a merged spec, the registry's already).
 * 0, -EINVAL for a config route naming a group s lacks, -ENOSPC.
 */
static int
conf_groups(struct rib_table *t, const struct ixg_spec *s)
{
	static const uint16_t none = UINT16_MAX;
	uint16_t *map;
	int rc = 0;

	if (s->n_nhgroups == 0)
		return 0;
	map = malloc(IXG_MAX_NHGROUPS * sizeof(*map));
	if (map == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < IXG_MAX_NHGROUPS; i++)
		map[i] = none;
	for (uint32_t i = 0; i < t->n_conf4 + t->n_conf6; i++) {
		uint16_t *nh = i < t->n_conf4
				       ? &t->conf4[i].peer_id
				       : &t->conf6[i - t->n_conf4].peer_id;
		uint16_t old = *nh & (uint16_t)~IXG_NH_GROUP;
		const struct ixg_spec_nhgroup *g = NULL;

		if (!rib_nh_is_group(*nh) || old >= IXG_MAX_NHGROUPS)
			continue;
		if (map[old] == none) {
			struct rib_nhg_member m[IXG_NHG_MAX_MEMBERS];
			int id;

			for (uint32_t k = 0; k < s->n_nhgroups && g == NULL;
			     k++)
				if (s->nhgroups[k].id == old)
					g = &s->nhgroups[k];
			if (g == NULL || g->n_members > IXG_NHG_MAX_MEMBERS) {
				rc = -EINVAL;
				continue;
			}
			for (unsigned k = 0; k < g->n_members; k++) {
				m[k].peer = g->peer_id[k];
				m[k].weight = g->weight[k];
			}
			id = rib_nhg_find(t->nhg, m, g->n_members);
			if (id < 0) {
				rc = id;
				continue;
			}
			map[old] = (uint16_t)id;
			rib_nhg_ref_config(t->nhg, (uint16_t)id, g->origin);
		} else {
			rib_nhg_ref_config(t->nhg, map[old], 0);
		}
		*nh = (uint16_t)(IXG_NH_GROUP | map[old]);
	}
	free(map);
	return rc;
}

int
rib_table_set_basis(struct rib_table *t, const struct ixg_spec *s,
		    uint32_t n_conf4, uint32_t n_conf6, uint32_t n_conf_bh,
		    const struct rib_policy *p, const struct rtnl_store *store)
{
	struct key k;
	bool was_shut[IXG_MAX_PEERS];
	int rc = 0;

	ktab_free(&t->nexthops);
	ktab_free(&t->sources);
	ktab_free(&t->conf);
	ktab_free(&t->llgw); /* met again by the walk below */
	free(t->conf4);
	free(t->conf6);
	t->conf4 = NULL;
	t->conf6 = NULL;
	t->n_conf4 = t->n_conf6 = 0;
	t->need_full = true;
	t->n_dirty = 0;
	memset(t->src_lens, 0, sizeof(t->src_lens));
	t->pol = p != NULL ? *p : (struct rib_policy){0};
	for (unsigned i = 0; i < IXG_MAX_PEERS; i++) {
		was_shut[i] = t->m[i].shut;
		t->m[i].routes = 0;
		t->m[i].filtered = 0;
		t->m[i].max_prefix = 0;
		t->names[i][0] = '\0';
	}
	if (s == NULL)
		goto resolve_all;
	if (ktab_init(&t->nexthops, 2 * s->n_peers) < 0 ||
	    ktab_init(&t->sources, s->n_sources4 * 2 + s->n_sources6 * 2) < 0 ||
	    ktab_init(&t->conf, n_conf4 + n_conf6 + n_conf_bh) < 0) {
		rc = -ENOMEM;
		goto resolve_all;
	}
	for (uint32_t i = 0; i < s->n_peers; i++) {
		const struct ixg_spec_peer *pe = &s->peers[i];
		uint16_t id = pe->id % IXG_MAX_PEERS;

		t->m[id].max_prefix = pe->max_prefix;
		snprintf(t->names[id], sizeof(t->names[id]), "%s", pe->name);
		if (pe->has_nh4) {
			key_make(&k, 4, 32, 0, pe->nh4);
			k.len = 0;
			if (ktab_find(&t->nexthops, &k) == NULL &&
			    ktab_put(&t->nexthops, &k, id) < 0)
				rc = -ENOMEM;
		}
		if (pe->has_nh6) {
			key_make(&k, 6, 128, 0, pe->nh6);
			k.len = 0;
			if (ktab_find(&t->nexthops, &k) == NULL &&
			    ktab_put(&t->nexthops, &k, id) < 0)
				rc = -ENOMEM;
		}
	}
	if (nexthops_link_local(t, s) < 0)
		rc = -ENOMEM;
	for (uint32_t i = 0; i < s->n_sources4; i++) {
		const struct ixg_spec_route4 *r = &s->sources4[i];
		uint32_t a = htonl(r->addr);

		/* A feasible member's routes do not cover themselves. */
		if (r->origin == RIB_ORIGIN_KERNEL)
			continue;

		t->src_lens[0][r->len & 63] = 1;
		key_make(&k, 4, r->len, r->peer_id, (const uint8_t *)&a);
		if (ktab_put(&t->sources, &k, 0) < 0)
			rc = -ENOMEM;
		k.tag = TAG_ANY;
		if (ktab_put(&t->sources, &k, 0) < 0)
			rc = -ENOMEM;
	}
	for (uint32_t i = 0; i < s->n_sources6; i++) {
		const struct ixg_spec_route6 *r = &s->sources6[i];

		if (r->origin == RIB_ORIGIN_KERNEL)
			continue;

		t->src_lens[1][r->len <= 128 ? r->len : 128] = 1;
		key_make(&k, 6, r->len, r->peer_id, r->addr);
		if (ktab_put(&t->sources, &k, 0) < 0)
			rc = -ENOMEM;
		k.tag = TAG_ANY;
		if (ktab_put(&t->sources, &k, 0) < 0)
			rc = -ENOMEM;
	}
	if (n_conf4 > s->n_routes4)
		n_conf4 = s->n_routes4;
	if (n_conf6 > s->n_routes6)
		n_conf6 = s->n_routes6;
	t->conf4 = malloc(((size_t)n_conf4 + 1) * sizeof(*t->conf4));
	t->conf6 = malloc(((size_t)n_conf6 + 1) * sizeof(*t->conf6));
	if (t->conf4 == NULL || t->conf6 == NULL) {
		rc = -ENOMEM;
		goto resolve_all;
	}
	for (uint32_t i = 0; i < n_conf4; i++) {
		uint32_t a = htonl(s->routes4[i].addr);

		if (s->routes4[i].origin == RIB_ORIGIN_KERNEL)
			continue;
		t->conf4[t->n_conf4++] = s->routes4[i];
		key_make(&k, 4, s->routes4[i].len, TAG_CONF_ROUTE,
			 (const uint8_t *)&a);
		if (ktab_put(&t->conf, &k, 0) < 0)
			rc = -ENOMEM;
	}
	for (uint32_t i = 0; i < n_conf6; i++) {
		if (s->routes6[i].origin == RIB_ORIGIN_KERNEL)
			continue;
		t->conf6[t->n_conf6++] = s->routes6[i];
		key_make(&k, 6, s->routes6[i].len, TAG_CONF_ROUTE,
			 s->routes6[i].addr);
		if (ktab_put(&t->conf, &k, 0) < 0)
			rc = -ENOMEM;
	}
	/* Sorted, one per prefix (the last, as the dataplane keeps it). */
	if (rc == 0 &&
	    (ixg_routes_sort(IXG_TBL_ROUTES4, t->conf4, &t->n_conf4) < 0 ||
	     ixg_routes_sort(IXG_TBL_ROUTES6, t->conf6, &t->n_conf6) < 0))
		rc = -ENOMEM;
	for (uint32_t i = 0; i < n_conf_bh && i < s->n_blackholes; i++) {
		const struct ixg_spec_blackhole *h = &s->blackholes[i];

		if (h->origin == RIB_ORIGIN_KERNEL)
			continue;

		key_make(&k, h->family == 4 ? 4 : 6, h->len, TAG_CONF_BH,
			 h->addr);
		if (ktab_put(&t->conf, &k, 0) < 0)
			rc = -ENOMEM;
	}
resolve_all:
	if (rc < 0) {
		ktab_free(&t->nexthops);
		ktab_free(&t->sources);
		ktab_free(&t->conf);
		free(t->conf4);
		free(t->conf6);
		t->conf4 = NULL;
		t->conf6 = NULL;
		t->n_conf4 = t->n_conf6 = 0;
	}
	rib_nhg_unref_all(t->nhg); /* counted again below */
	if (rc == 0 && s != NULL)
		rc = conf_groups(t, s);
	for (uint32_t i = 0; i < t->n_e; i++) {
		struct ent *e = &t->e[i];
		const struct rtnl_route *best;

		if (e->kind == UINT8_MAX)
			continue;
		best = store != NULL ? rtnl_store_best(store,
						       e->k.fam == 4 ? AF_INET
								     : AF_INET6,
						       e->k.addr, e->k.len)
				     : NULL;
		if (best == NULL) {
			struct rec *r = ktab_find(&t->prefixes, &e->k);

			if (r != NULL) {
				ktab_del(&t->prefixes, r);
				ent_release(t, i);
			}
			continue;
		}
		resolve(t, best, e->k.fam, e->k.addr, e->k.len, &e->kind,
			&e->peer);
		count(t, e->kind, e->peer, +1);
	}
	for (unsigned i = 1; i < IXG_MAX_PEERS; i++) {
		struct rib_member *m = &t->m[i];

		/* The state before the new limits, then the usual rule. */
		m->shut = was_shut[i] && m->max_prefix != 0;
		check_member(t, (uint16_t)i);
	}
	return rc;
}

/* Whether two link-local tables map the same gateways to the same
 * values. */
static bool
ktab_same(const struct ktab *a, const struct ktab *b)
{
	if (a->n != b->n)
		return false;
	for (uint32_t i = 0; a->r != NULL && i <= a->mask; i++) {
		const struct rec *r = &a->r[i], *o;

		if (r->val == UINT32_MAX)
			continue;
		o = ktab_find(b, &r->k);
		if (o == NULL || o->val != r->val)
			return false;
	}
	return true;
}

long
rib_table_set_learned(struct rib_table *t, const struct rib_lladdr *v,
		      uint32_t n, const struct rtnl_store *store)
{
	struct ktab nl;
	long changed = 0;

	if (ktab_init(&nl, n) < 0)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct key k;
		struct rec *r;

		if (v[i].peer == 0 || v[i].peer >= IXG_MAX_PEERS ||
		    v[i].addr[0] != 0xfe || (v[i].addr[1] & 0xc0) != 0x80)
			continue;
		key_make(&k, 6, 128, 0, v[i].addr);
		k.len = 0;
		r = ktab_find(&nl, &k);
		if (r == NULL) {
			if (ktab_put(&nl, &k, v[i].peer) < 0) {
				ktab_free(&nl);
				return -ENOMEM;
			}
		} else if (r->val != v[i].peer) {
			r->val = NH_CONFLICT;
		}
	}
	if (ktab_same(&nl, &t->learned)) {
		ktab_free(&nl);
		return 0;
	}
	for (uint32_t i = 0; i <= nl.mask; i++) {
		const struct rec *r = &nl.r[i], *o;
		char a[INET6_ADDRSTRLEN];

		if (r->val == UINT32_MAX)
			continue;
		o = ktab_find(&t->learned, &r->k);
		if (o != NULL && o->val == r->val)
			continue; /* said before */
		inet_ntop(AF_INET6, r->k.addr, a, sizeof(a));
		o = ktab_find(&t->nexthops, &r->k);
		if (r->val == NH_CONFLICT)
			tlog(t,
			     "kernel routes: link-local address %s was "
			     "learned from more than one member: not "
			     "resolved",
			     a);
		else if (o != NULL && o->val != r->val)
			tlog(t,
			     "kernel routes: link-local address %s learned "
			     "from member %s, but %s: that wins",
			     a, t->names[r->val % IXG_MAX_PEERS],
			     o->val == NH_CONFLICT
				     ? "it is two members' EUI-64"
				     : "another member's next-hop or EUI-64 "
				       "gives it");
		else if (o == NULL)
			tlog(t,
			     "kernel routes: link-local address %s is member "
			     "%s's (learned from ND)",
			     a, t->names[r->val % IXG_MAX_PEERS]);
	}
	ktab_free(&t->learned);
	t->learned = nl;
	/* Every prefix is resolved again (an IPv4 one may have an IPv6
	 * gateway, RFC 8950; the gateways met are remembered afresh): a
	 * learned change is rare, the walk that of a reload's basis. */
	ktab_free(&t->llgw);
	for (uint32_t i = 0; i < t->n_e; i++) {
		struct ent *e = &t->e[i];
		const struct rtnl_route *best;
		uint8_t kind;
		uint16_t peer;

		if (e->kind == UINT8_MAX || store == NULL)
			continue;
		best = rtnl_store_best(store,
				       e->k.fam == 4 ? AF_INET : AF_INET6,
				       e->k.addr, e->k.len);
		if (best == NULL)
			continue; /* its removal is a batch of its own */
		resolve(t, best, e->k.fam, e->k.addr, e->k.len, &kind, &peer);
		if (kind == e->kind && peer == e->peer)
			continue;
		mark_dirty(t, &e->k,
			   e->kind == RIB_K_BLACKHOLE ||
				   kind == RIB_K_BLACKHOLE);
		count(t, e->kind, e->peer, -1);
		if (e->peer != 0 && e->peer != peer)
			check_member(t, e->peer);
		e->kind = kind;
		e->peer = peer;
		count(t, kind, peer, +1);
		if (peer != 0)
			check_member(t, peer);
		changed++;
	}
	return changed;
}

uint32_t
rib_table_ll_wanted(const struct rib_table *t, uint8_t (*out)[16], uint32_t max)
{
	uint32_t n = 0;

	for (uint32_t i = 0; t->llgw.r != NULL && i <= t->llgw.mask && n < max;
	     i++)
		if (t->llgw.r[i].val != UINT32_MAX)
			memcpy(out[n++], t->llgw.r[i].k.addr, 16);
	return n;
}

int
rib_table_gateway(const struct rib_table *t, const uint8_t addr[16])
{
	struct key k;
	const struct rec *r;

	key_make(&k, 6, 128, 0, addr);
	k.len = 0;
	r = ktab_find(&t->nexthops, &k);
	if (r != NULL)
		return r->val == NH_CONFLICT ? -EEXIST : (int)r->val;
	r = ktab_find(&t->learned, &k);
	if (r != NULL)
		return r->val == NH_CONFLICT ? -EEXIST : (int)r->val;
	return -ENOENT;
}

static bool
ent_merged(const struct rib_table *t, const struct ent *e)
{
	struct key k = e->k;

	if (e->kind == RIB_K_BLACKHOLE) {
		k.tag = TAG_CONF_BH;
		return ktab_find(&t->conf, &k) == NULL;
	}
	if (e->kind != RIB_K_ROUTE || nh_shut(t, e->peer))
		return false;
	if (t->pol.precedence_kernel)
		return true;
	k.tag = TAG_CONF_ROUTE;
	return ktab_find(&t->conf, &k) == NULL;
}

/* The members of a ROUTE entry: its peer, or its group's members (those
 * over max-prefix too). Returns how many, into g. */
static unsigned
ent_members(const struct rib_table *t, const struct ent *e,
	    struct rib_nhg_member *g)
{
	if (rib_nh_is_group(e->peer))
		return rib_nhg_members(t->nhg, e->peer & ~IXG_NH_GROUP, g);
	g[0].peer = e->peer % IXG_MAX_PEERS;
	g[0].weight = 1;
	return 1;
}

/* A config route that a merged kernel route beats (precedence kernel). */
static bool
conf_beaten(const struct rib_table *t, int fam, unsigned len,
	    const uint8_t *addr)
{
	struct key k;
	const struct rec *r;

	if (!t->pol.precedence_kernel)
		return false;
	key_make(&k, fam, len, 0, addr);
	r = ktab_find(&t->prefixes, &k);
	return r != NULL && t->e[r->val].kind == RIB_K_ROUTE &&
	       !nh_shut(t, t->e[r->val].peer);
}

/* A group member in the dataplane: not shut out by its max-prefix. */
static bool
member_usable(const void *arg, uint16_t peer)
{
	const struct rib_table *t = arg;

	return !t->m[peer % IXG_MAX_PEERS].shut;
}

/* See rib_table.h. */
int
rib_table_merge_groups(const struct rib_table *t, struct ixg_spec *out)
{
	return rib_nhg_emit(t->nhg, member_usable, t, &out->nhgroups,
			    &out->n_nhgroups);
}

/* See rib_table.h. */
const struct rib_nhg *
rib_table_groups(const struct rib_table *t)
{
	return t->nhg;
}

/* See rib_table.h. */
int
rib_table_prefer_groups(struct rib_table *t, const struct ixg_spec_nhgroup *v,
			uint32_t n)
{
	return rib_nhg_prefer(t->nhg, v, n);
}

int
rib_table_merge(const struct rib_table *t, const struct ixg_spec *base,
		uint32_t n_conf4, uint32_t n_conf6, uint32_t n_conf_bh,
		struct ixg_spec *out)
{
	struct rib_counts c;
	struct ixg_spec_route4 *r4;
	struct ixg_spec_route6 *r6;
	struct ixg_spec_blackhole *bh;
	uint32_t n4 = 0, n6 = 0, nb = 0;

	/* The config's routes are the basis's (base's may lack beaten ones). */
	(void)n_conf4;
	(void)n_conf6;
	n_conf4 = t->n_conf4;
	n_conf6 = t->n_conf6;
	if (n_conf_bh > base->n_blackholes)
		n_conf_bh = base->n_blackholes;
	rib_table_counts(t, &c);
	if (n_conf4 + c.merged4 > IXG_MAX_ROUTES4 ||
	    n_conf6 + c.merged6 > IXG_MAX_ROUTES6 ||
	    n_conf_bh + c.merged_bh > IXG_MAX_BLACKHOLES)
		return -ENOSPC;
	r4 = malloc((n_conf4 + c.merged4 + 1) * sizeof(*r4));
	r6 = malloc((n_conf6 + c.merged6 + 1) * sizeof(*r6));
	bh = malloc((n_conf_bh + c.merged_bh + 1) * sizeof(*bh));
	if (r4 == NULL || r6 == NULL || bh == NULL) {
		free(r4);
		free(r6);
		free(bh);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n_conf4; i++) {
		uint32_t a = htonl(t->conf4[i].addr);

		if (!conf_beaten(t, 4, t->conf4[i].len, (const uint8_t *)&a))
			r4[n4++] = t->conf4[i];
	}
	for (uint32_t i = 0; i < n_conf6; i++)
		if (!conf_beaten(t, 6, t->conf6[i].len, t->conf6[i].addr))
			r6[n6++] = t->conf6[i];
	for (uint32_t i = 0; i < n_conf_bh; i++)
		if (base->blackholes[i].origin != RIB_ORIGIN_KERNEL)
			bh[nb++] = base->blackholes[i];
	for (uint32_t i = 0; i < t->n_e; i++) {
		const struct ent *e = &t->e[i];

		if (e->kind == UINT8_MAX || !ent_merged(t, e))
			continue;
		if (e->kind == RIB_K_BLACKHOLE) {
			struct ixg_spec_blackhole *h = &bh[nb++];

			memset(h, 0, sizeof(*h));
			h->family = e->k.fam;
			h->len = e->k.len;
			h->origin = RIB_ORIGIN_KERNEL;
			memcpy(h->addr, e->k.addr, 16);
		} else if (e->k.fam == 4) {
			struct ixg_spec_route4 *r = &r4[n4++];
			uint32_t a;

			memset(r, 0, sizeof(*r));
			memcpy(&a, e->k.addr, 4);
			r->addr = ntohl(a);
			r->len = e->k.len;
			r->peer_id = e->peer;
			r->origin = RIB_ORIGIN_KERNEL;
		} else {
			struct ixg_spec_route6 *r = &r6[n6++];

			memset(r, 0, sizeof(*r));
			memcpy(r->addr, e->k.addr, 16);
			r->len = e->k.len;
			r->peer_id = e->peer;
			r->origin = RIB_ORIGIN_KERNEL;
		}
	}
	out->routes4 = r4;
	out->n_routes4 = n4;
	out->routes6 = r6;
	out->n_routes6 = n6;
	out->blackholes = bh;
	out->n_blackholes = nb;
	return rib_table_merge_groups(t, out);
}

/* See rib_table.h. */
int
rib_table_feasible(const struct rib_table *t, const struct ixg_spec *base,
		   uint32_t n_conf_src4, uint32_t n_conf_src6,
		   struct ixg_spec *out)
{
	uint8_t feasible[IXG_MAX_PEERS] = {0};
	struct ixg_spec_route4 *s4;
	struct ixg_spec_route6 *s6;
	uint32_t n4, n6, k4 = 0, k6 = 0;
	bool any = false;

	out->sources4 = NULL;
	out->sources6 = NULL;
	out->n_sources4 = out->n_sources6 = 0;
	for (uint32_t i = 0; i < base->n_peers; i++)
		if (base->peers[i].sav_mode == IXG_SAV_FEASIBLE &&
		    base->peers[i].id < IXG_MAX_PEERS) {
			feasible[base->peers[i].id] = 1;
			any = true;
		}
	if (!any)
		return 0;
	n4 = n_conf_src4 < base->n_sources4 ? n_conf_src4 : base->n_sources4;
	n6 = n_conf_src6 < base->n_sources6 ? n_conf_src6 : base->n_sources6;
	for (uint32_t i = 0; i < t->n_e; i++) {
		const struct ent *e = &t->e[i];
		struct rib_nhg_member g[IXG_NHG_MAX_MEMBERS];
		unsigned ng;

		if (e->kind != RIB_K_ROUTE || !ent_merged(t, e))
			continue;
		ng = ent_members(t, e, g);
		for (unsigned j = 0; j < ng; j++) {
			if (!feasible[g[j].peer])
				continue;
			if (e->k.fam == 4)
				k4++;
			else
				k6++;
		}
	}
	if (n4 + k4 > IXG_MAX_ROUTES4 || n6 + k6 > IXG_MAX_ROUTES6)
		return -ENOSPC;
	s4 = malloc((n4 + k4 + 1) * sizeof(*s4));
	s6 = malloc((n6 + k6 + 1) * sizeof(*s6));
	if (s4 == NULL || s6 == NULL) {
		free(s4);
		free(s6);
		return -ENOMEM;
	}
	{
		uint32_t c4 = 0, c6 = 0;

		/* The config's: entries of an earlier merge are dropped. */
		for (uint32_t i = 0; i < n4; i++)
			if (base->sources4[i].origin != RIB_ORIGIN_KERNEL)
				s4[c4++] = base->sources4[i];
		for (uint32_t i = 0; i < n6; i++)
			if (base->sources6[i].origin != RIB_ORIGIN_KERNEL)
				s6[c6++] = base->sources6[i];
		n4 = c4;
		n6 = c6;
	}
	for (uint32_t i = 0; i < t->n_e; i++) {
		const struct ent *e = &t->e[i];
		struct rib_nhg_member g[IXG_NHG_MAX_MEMBERS];
		unsigned ng;

		if (e->kind != RIB_K_ROUTE || !ent_merged(t, e))
			continue;
		/* an ECMP route: a source of each feasible member */
		ng = ent_members(t, e, g);
		for (unsigned j = 0; j < ng; j++) {
			if (!feasible[g[j].peer])
				continue;
			if (e->k.fam == 4) {
				struct ixg_spec_route4 *r = &s4[n4++];
				uint32_t a;

				memset(r, 0, sizeof(*r));
				memcpy(&a, e->k.addr, 4);
				r->addr = ntohl(a);
				r->len = e->k.len;
				r->peer_id = g[j].peer;
				r->origin = RIB_ORIGIN_KERNEL;
			} else {
				struct ixg_spec_route6 *r = &s6[n6++];

				memset(r, 0, sizeof(*r));
				memcpy(r->addr, e->k.addr, 16);
				r->len = e->k.len;
				r->peer_id = g[j].peer;
				r->origin = RIB_ORIGIN_KERNEL;
			}
		}
	}
	out->sources4 = s4;
	out->n_sources4 = n4;
	out->sources6 = s6;
	out->n_sources6 = n6;
	return 0;
}

void
rib_table_counts(const struct rib_table *t, struct rib_counts *c)
{
	memset(c, 0, sizeof(*c));
	for (uint32_t i = 0; i < t->n_e; i++) {
		const struct ent *e = &t->e[i];

		if (e->kind == UINT8_MAX)
			continue;
		c->kind[e->k.fam == 4 ? 0 : 1][e->kind]++;
		if (ent_merged(t, e)) {
			if (e->kind == RIB_K_BLACKHOLE)
				c->merged_bh++;
			else if (e->k.fam == 4)
				c->merged4++;
			else
				c->merged6++;
		} else if (e->kind == RIB_K_ROUTE) {
			if (nh_shut(t, e->peer))
				c->shut_routes++;
			else
				c->shadowed++;
		}
	}
}

const struct rib_member *
rib_table_member(const struct rib_table *t, uint16_t id)
{
	return id < IXG_MAX_PEERS ? &t->m[id] : NULL;
}

int
rib_table_lookup(const struct rib_table *t, int family, const uint8_t *dst,
		 unsigned len, uint8_t *kind, uint16_t *peer, bool *merged)
{
	struct key k;
	const struct rec *r;

	key_make(&k, family, len, 0, dst);
	r = ktab_find(&t->prefixes, &k);
	if (r == NULL)
		return -ENOENT;
	*kind = t->e[r->val].kind;
	*peer = t->e[r->val].peer;
	*merged = ent_merged(t, &t->e[r->val]);
	return 0;
}

/* ------------------------------------------------------ route deltas */

void
rib_table_mark_full(struct rib_table *t)
{
	t->need_full = true;
	t->n_dirty = 0;
}

void
rib_table_synced(struct rib_table *t)
{
	t->need_full = false;
	t->n_dirty = 0;
}

uint32_t
rib_table_dirty(const struct rib_table *t, bool *full)
{
	*full = t->need_full;
	return t->n_dirty;
}

/* Prefix order of the route tables (ixg_wire.c's route_cmp): family,
 * then address (network order bytes compare as the host-order integer),
 * then length; the tag is not part of it. */
static int
key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int d;

	if (x->fam != y->fam)
		return x->fam < y->fam ? -1 : 1;
	d = memcmp(x->addr, y->addr, 16);
	if (d != 0)
		return d;
	return (x->len > y->len) - (x->len < y->len);
}

static void
key_to4(const struct key *k, struct ixg_spec_route4 *r)
{
	uint32_t a;

	memset(r, 0, sizeof(*r));
	memcpy(&a, k->addr, 4);
	r->addr = ntohl(a);
	r->len = k->len;
}

static void
key_to6(const struct key *k, struct ixg_spec_route6 *r)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->addr, k->addr, 16);
	r->len = k->len;
}

static int
r4_cmp(const void *a, const void *b)
{
	const struct ixg_spec_route4 *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (x->len > y->len) - (x->len < y->len);
}

static int
r6_cmp(const void *a, const void *b)
{
	const struct ixg_spec_route6 *x = a, *y = b;
	int d = memcmp(x->addr, y->addr, 16);

	if (d != 0)
		return d;
	return (x->len > y->len) - (x->len < y->len);
}

/* Index of the element of the sorted a[0..n) with r's prefix, or -1. */
static int64_t
find4(const struct ixg_spec_route4 *a, uint32_t n,
      const struct ixg_spec_route4 *r)
{
	const struct ixg_spec_route4 *f;

	if (n == 0) /* a may be NULL: bsearch's arguments are nonnull */
		return -1;
	f = bsearch(r, a, n, sizeof(*a), r4_cmp);
	return f != NULL ? f - a : -1;
}

static int64_t
find6(const struct ixg_spec_route6 *a, uint32_t n,
      const struct ixg_spec_route6 *r)
{
	const struct ixg_spec_route6 *f;

	if (n == 0) /* a may be NULL: bsearch's arguments are nonnull */
		return -1;
	f = bsearch(r, a, n, sizeof(*a), r6_cmp);
	return f != NULL ? f - a : -1;
}

/* The kernel entry of k, if it is merged as a route (not a blackhole). */
static const struct ent *
merged_route(const struct rib_table *t, const struct key *k)
{
	struct key q = *k;
	const struct rec *r;
	const struct ent *e;

	q.tag = 0;
	r = ktab_find(&t->prefixes, &q);
	if (r == NULL)
		return NULL;
	e = &t->e[r->val];
	return e->kind == RIB_K_ROUTE && ent_merged(t, e) ? e : NULL;
}

/* What the full merge puts in routes4/routes6 for prefix k: the kernel's
 * route, the config's, or nothing (*have false). */
static void
want_route(const struct rib_table *t, const struct key *k, void *elem,
	   bool *have)
{
	const struct ent *e = merged_route(t, k);
	int64_t i;

	*have = true;
	if (k->fam == 4) {
		struct ixg_spec_route4 *r = elem;

		key_to4(k, r);
		if (e != NULL) {
			r->peer_id = e->peer;
			r->origin = RIB_ORIGIN_KERNEL;
			return;
		}
		i = find4(t->conf4, t->n_conf4, r);
		/* A merged kernel route beats it (precedence kernel) or
		 * config wins: e NULL either way here. */
		if (i >= 0 && !conf_beaten(t, 4, k->len, k->addr)) {
			*r = t->conf4[i];
			return;
		}
	} else {
		struct ixg_spec_route6 *r = elem;

		key_to6(k, r);
		if (e != NULL) {
			r->peer_id = e->peer;
			r->origin = RIB_ORIGIN_KERNEL;
			return;
		}
		i = find6(t->conf6, t->n_conf6, r);
		if (i >= 0 && !conf_beaten(t, 6, k->len, k->addr)) {
			*r = t->conf6[i];
			return;
		}
	}
	*have = false;
}

static int
edits_push(void **edits, uint64_t *n, uint64_t *cap, size_t size, uint8_t op,
	   const void *elem)
{
	char *e;

	if (*n == *cap) {
		uint64_t c = *cap ? *cap * 2 : 256;
		void *p = realloc(*edits, (size_t)c * size);

		if (p == NULL)
			return -ENOMEM;
		*edits = p;
		*cap = c;
	}
	e = (char *)*edits + (size_t)*n * size;
	memset(e, 0, 4);
	e[0] = (char)op;
	memcpy(e + 4, elem, size - 4);
	(*n)++;
	return 0;
}

/* Whether the sorted keys d[0..n) hold k's prefix (tag ignored). */
static bool
keys_have(const struct key *d, uint32_t n, const struct key *k)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(&d[mid], k);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

void
rib_delta_free(struct rib_delta *d)
{
	free(d->edits[0]);
	free(d->edits[1]);
	free(d->blackholes);
	free(d->sources4);
	free(d->sources6);
	free(d->nhgroups);
	memset(d, 0, sizeof(*d));
}

/* The blackholes: cur's but the kernel's of the changed prefixes, then
 * those prefixes' merged kernel blackholes. */
static int
delta_blackholes(const struct rib_table *t, const struct ixg_spec *cur,
		 const struct key *bk, uint32_t nb, struct rib_delta *out)
{
	struct ixg_spec_blackhole *h;
	uint32_t n = 0;

	h = malloc(((size_t)cur->n_blackholes + nb + 1) * sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < cur->n_blackholes; i++) {
		const struct ixg_spec_blackhole *x = &cur->blackholes[i];
		struct key k;

		if (x->origin == RIB_ORIGIN_KERNEL) {
			key_make(&k, x->family == 4 ? 4 : 6, x->len, 0,
				 x->addr);
			if (keys_have(bk, nb, &k))
				continue;
		}
		h[n++] = *x;
	}
	for (uint32_t i = 0; i < nb; i++) {
		struct key q = bk[i];
		const struct rec *r;
		const struct ent *e;
		struct ixg_spec_blackhole *x;

		q.tag = 0;
		r = ktab_find(&t->prefixes, &q);
		if (r == NULL)
			continue;
		e = &t->e[r->val];
		if (e->kind != RIB_K_BLACKHOLE || !ent_merged(t, e))
			continue;
		x = &h[n++];
		memset(x, 0, sizeof(*x));
		x->family = e->k.fam;
		x->len = e->k.len;
		x->origin = RIB_ORIGIN_KERNEL;
		memcpy(x->addr, e->k.addr, 16);
	}
	if (n > IXG_MAX_BLACKHOLES) {
		free(h);
		return -ENOSPC;
	}
	out->blackholes = h;
	out->n_blackholes = n;
	out->blackholes_changed = true;
	return 0;
}

/* Feasible members' sources: cur's but the kernel's of the changed
 * prefixes, then those prefixes' merged kernel routes of feasible
 * members. */
static int
delta_sources(const struct rib_table *t, const struct ixg_spec *cur,
	      const uint8_t *feasible, const struct key *dk, uint32_t nd,
	      struct rib_delta *out)
{
	struct ixg_spec_route4 *s4;
	struct ixg_spec_route6 *s6;
	uint32_t n4 = 0, n6 = 0;

	/* An ECMP route: a source for each feasible member (as
	 * rib_table_feasible), so up to IXG_NHG_MAX_MEMBERS per prefix. */
	s4 = malloc(((size_t)cur->n_sources4 +
		     (size_t)nd * IXG_NHG_MAX_MEMBERS + 1) *
		    sizeof(*s4));
	s6 = malloc(((size_t)cur->n_sources6 +
		     (size_t)nd * IXG_NHG_MAX_MEMBERS + 1) *
		    sizeof(*s6));
	if (s4 == NULL || s6 == NULL) {
		free(s4);
		free(s6);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < cur->n_sources4; i++) {
		const struct ixg_spec_route4 *x = &cur->sources4[i];
		struct key k;

		if (x->origin == RIB_ORIGIN_KERNEL) {
			uint32_t a = htonl(x->addr);

			key_make(&k, 4, x->len, 0, (const uint8_t *)&a);
			if (keys_have(dk, nd, &k))
				continue;
		}
		s4[n4++] = *x;
	}
	for (uint32_t i = 0; i < cur->n_sources6; i++) {
		const struct ixg_spec_route6 *x = &cur->sources6[i];
		struct key k;

		if (x->origin == RIB_ORIGIN_KERNEL) {
			key_make(&k, 6, x->len, 0, x->addr);
			if (keys_have(dk, nd, &k))
				continue;
		}
		s6[n6++] = *x;
	}
	for (uint32_t i = 0; i < nd; i++) {
		const struct ent *e = merged_route(t, &dk[i]);
		struct rib_nhg_member g[IXG_NHG_MAX_MEMBERS];
		unsigned ng;

		if (e == NULL)
			continue;
		ng = ent_members(t, e, g);
		for (unsigned j = 0; j < ng; j++) {
			if (!feasible[g[j].peer % IXG_MAX_PEERS])
				continue;
			if (e->k.fam == 4) {
				key_to4(&e->k, &s4[n4]);
				s4[n4].peer_id = g[j].peer;
				s4[n4++].origin = RIB_ORIGIN_KERNEL;
			} else {
				key_to6(&e->k, &s6[n6]);
				s6[n6].peer_id = g[j].peer;
				s6[n6++].origin = RIB_ORIGIN_KERNEL;
			}
		}
	}
	if (n4 > IXG_MAX_ROUTES4 || n6 > IXG_MAX_ROUTES6) {
		free(s4);
		free(s6);
		return -ENOSPC;
	}
	out->sources4 = s4;
	out->n_sources4 = n4;
	out->sources6 = s6;
	out->n_sources6 = n6;
	out->sources_changed = true;
	return 0;
}

/* The groups the merged routes name now (rib_table_merge_groups, which
 * drops those no entry names), kept in out when they differ from cur's. */
static int
delta_groups(const struct rib_table *t, const struct ixg_spec *cur,
	     struct rib_delta *out)
{
	struct ixg_spec out_g;
	int rc;

	memset(&out_g, 0, sizeof(out_g));
	rc = rib_table_merge_groups(t, &out_g);
	if (rc < 0)
		return rc;
	if (out_g.n_nhgroups == cur->n_nhgroups &&
	    (out_g.n_nhgroups == 0 ||
	     memcmp(out_g.nhgroups, cur->nhgroups,
		    (size_t)out_g.n_nhgroups * sizeof(*out_g.nhgroups)) == 0)) {
		free(out_g.nhgroups);
		return 0;
	}
	out->nhgroups = out_g.nhgroups;
	out->n_nhgroups = out_g.n_nhgroups;
	out->nhgroups_changed = true;
	return 0;
}

/* Whether the route element elem (family index f; NULL: none) is a
 * kernel route of a feasible member: to it, or to an ECMP group with it
 * among the members (a group t no longer knows: assumed so). */
static bool
feasible_kernel(const struct rib_table *t, const uint8_t *feasible, int f,
		const void *elem)
{
	struct rib_nhg_member g[IXG_NHG_MAX_MEMBERS];
	uint16_t peer;
	uint32_t origin;
	unsigned n;

	if (elem == NULL)
		return false;
	if (f == 0) {
		peer = ((const struct ixg_spec_route4 *)elem)->peer_id;
		origin = ((const struct ixg_spec_route4 *)elem)->origin;
	} else {
		peer = ((const struct ixg_spec_route6 *)elem)->peer_id;
		origin = ((const struct ixg_spec_route6 *)elem)->origin;
	}
	if (origin != RIB_ORIGIN_KERNEL)
		return false;
	if (!rib_nh_is_group(peer))
		return feasible[peer % IXG_MAX_PEERS];
	n = rib_nhg_members(t->nhg, peer & ~IXG_NH_GROUP, g);
	if (n == 0)
		return true;
	for (unsigned i = 0; i < n; i++)
		if (feasible[g[i].peer % IXG_MAX_PEERS])
			return true;
	return false;
}

/* See rib_table.h. */
int
rib_table_delta(struct rib_table *t, const struct ixg_spec *cur,
		struct rib_delta *out)
{
	uint8_t feasible[IXG_MAX_PEERS] = {0};
	bool any_feasible = false, src = false;
	struct key *bk = NULL;
	uint32_t nu = 0, nb = 0;
	uint64_t cap[2] = {0, 0};
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (t->need_full)
		return -EAGAIN;
	/* Past a quarter of the table, the full merge is the cheaper. */
	if (t->n_dirty > 4096 &&
	    (uint64_t)t->n_dirty * 4 >
		    (uint64_t)cur->n_routes4 + cur->n_routes6)
		return -EAGAIN;
	for (uint32_t i = 0; i < cur->n_peers; i++)
		if (cur->peers[i].sav_mode == IXG_SAV_FEASIBLE &&
		    cur->peers[i].id < IXG_MAX_PEERS) {
			feasible[cur->peers[i].id] = 1;
			any_feasible = true;
		}
	/* One key per prefix, in the tables' order; a blackhole mark on
	 * any of a prefix's keys stays. */
	qsort(t->dirty, t->n_dirty, sizeof(*t->dirty), key_cmp);
	for (uint32_t i = 0; i < t->n_dirty; i++) {
		if (nu > 0 && key_cmp(&t->dirty[nu - 1], &t->dirty[i]) == 0) {
			t->dirty[nu - 1].tag |= t->dirty[i].tag;
			continue;
		}
		t->dirty[nu++] = t->dirty[i];
	}
	t->n_dirty = nu;
	bk = malloc(((size_t)nu + 1) * sizeof(*bk));
	if (bk == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < nu && rc == 0; i++) {
		const struct key *k = &t->dirty[i];
		int f = k->fam == 4 ? 0 : 1;
		union {
			struct ixg_spec_route4 r4;
			struct ixg_spec_route6 r6;
		} want, probe;
		const void *held = NULL;
		bool have;
		int64_t at;

		if (k->tag & DIRTY_BH)
			bk[nb++] = *k;
		want_route(t, k, &want, &have);
		if (f == 0) {
			key_to4(k, &probe.r4);
			at = find4(cur->routes4, cur->n_routes4, &probe.r4);
			held = at >= 0 ? &cur->routes4[at] : NULL;
		} else {
			key_to6(k, &probe.r6);
			at = find6(cur->routes6, cur->n_routes6, &probe.r6);
			held = at >= 0 ? &cur->routes6[at] : NULL;
		}
		/* A feasible member's kernel route before or after: its
		 * sources change with it. */
		if (any_feasible && !src)
			src = feasible_kernel(t, feasible, f, held) ||
			      (have && feasible_kernel(t, feasible, f, &want));
		if (have &&
		    (held == NULL ||
		     memcmp(held, &want,
			    f == 0 ? sizeof(want.r4) : sizeof(want.r6)) != 0)) {
			rc = edits_push(
				&out->edits[f], &out->n_edits[f], &cap[f],
				f == 0 ? sizeof(struct ixg_delta_route4)
				       : sizeof(struct ixg_delta_route6),
				IXG_DELTA_SET, &want);
			if (held == NULL)
				out->added[f]++;
			else
				out->changed[f]++;
		} else if (!have && held != NULL) {
			rc = edits_push(
				&out->edits[f], &out->n_edits[f], &cap[f],
				f == 0 ? sizeof(struct ixg_delta_route4)
				       : sizeof(struct ixg_delta_route6),
				IXG_DELTA_DEL, held);
			out->removed[f]++;
		}
	}
	if (rc == 0 && nb > 0)
		rc = delta_blackholes(t, cur, bk, nb, out);
	if (rc == 0 && src)
		rc = delta_sources(t, cur, feasible, t->dirty, nu, out);
	/* The ECMP groups last (the checks above read the members of
	 * groups cur's routes name, which this drops when unnamed now):
	 * sent whole when they differ, with the edits that name them. */
	if (rc == 0)
		rc = delta_groups(t, cur, out);
	free(bk);
	if (rc < 0) {
		rib_delta_free(out);
		return rc;
	}
	t->n_dirty = 0;
	return 0;
}

/* ------------------------------------------------------ blackhole ids */

static int
bh_cmp(const void *a, const void *b)
{
	const struct ixg_spec_blackhole *x = *(
		const struct ixg_spec_blackhole *const *)a;
	const struct ixg_spec_blackhole *y = *(
		const struct ixg_spec_blackhole *const *)b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->addr, y->addr, x->family == 6 ? 16 : 4);
}

/* By prefix, then id (duplicates of a prefix: the lowest id first). */
static int
bh_cmp_id(const void *a, const void *b)
{
	const struct ixg_spec_blackhole *x = *(
		const struct ixg_spec_blackhole *const *)a;
	const struct ixg_spec_blackhole *y = *(
		const struct ixg_spec_blackhole *const *)b;
	int c = bh_cmp(a, b);

	return c != 0 ? c : (x->id > y->id) - (x->id < y->id);
}

/* See rib_table.h. */
int
rib_blackhole_ids(struct ixg_spec_blackhole *next, uint32_t n,
		  const struct ixg_spec_blackhole *prev, uint32_t n_prev)
{
	const struct ixg_spec_blackhole **byp;
	uint8_t *in_prev, *in_next, *given;
	uint32_t lo = 0, lo_any = 0;
	int rc = 0;

	if (n > IXG_MAX_BLACKHOLES)
		return -ENOSPC;
	if (n_prev > IXG_MAX_BLACKHOLES)
		n_prev = 0; /* not a spec the dataplane runs */
	byp = malloc((n_prev + 1) * sizeof(*byp));
	in_prev = calloc(IXG_MAX_BLACKHOLES, 1);
	in_next = calloc(IXG_MAX_BLACKHOLES, 1);
	given = calloc(n + 1, 1);
	if (byp == NULL || in_prev == NULL || in_next == NULL ||
	    given == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < n_prev; i++) {
		byp[i] = &prev[i];
		in_prev[prev[i].id] = 1;
	}
	qsort(byp, n_prev, sizeof(*byp), bh_cmp_id);
	/* Prefixes that stay keep their id (the first of duplicates). */
	for (uint32_t i = 0; i < n; i++) {
		const struct ixg_spec_blackhole *key = &next[i], **p;

		p = n_prev > 0
			    ? bsearch(&key, byp, n_prev, sizeof(*byp), bh_cmp)
			    : NULL;
		/* The first of its duplicates not given yet. */
		while (p != NULL && p > byp && bh_cmp(p - 1, p) == 0)
			p--;
		while (p != NULL && p < byp + n_prev && bh_cmp(p, &key) == 0 &&
		       in_next[(*p)->id])
			p++;
		if (p != NULL && p < byp + n_prev && bh_cmp(p, &key) == 0) {
			next[i].id = (*p)->id;
			in_next[(*p)->id] = 1;
			given[i] = 1;
		}
	}
	/* New prefixes: the lowest id free in both, else in next alone. */
	for (uint32_t i = 0; i < n; i++) {
		if (given[i])
			continue;
		while (lo < IXG_MAX_BLACKHOLES && (in_prev[lo] || in_next[lo]))
			lo++;
		if (lo < IXG_MAX_BLACKHOLES) {
			next[i].id = (uint16_t)lo;
			in_next[lo] = 1;
			continue;
		}
		while (lo_any < IXG_MAX_BLACKHOLES && in_next[lo_any])
			lo_any++;
		if (lo_any == IXG_MAX_BLACKHOLES) {
			rc = -ENOSPC;
			goto out;
		}
		next[i].id = (uint16_t)lo_any;
		in_next[lo_any] = 1;
	}
out:
	free(byp);
	free(in_prev);
	free(in_next);
	free(given);
	return rc;
}
