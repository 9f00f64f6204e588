/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtnl_store.c - the mirror of the followed kernel tables (rtnl_store.h).
 *
 * Prefixes live in an open-addressing hash table (linear probing, backward
 * shift deletion) written here: the control plane links no DPDK (so no
 * rte_hash), none of its Debian libraries offers a hash keyed by bytes
 * that deletes, and a full table is 733k prefixes. Each prefix holds a
 * short list of entries (usually one) in the kernel's order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rtnl_store.h"

struct rt_entry {
	struct rt_entry *next;
	uint32_t refs; /* the prefix list, and a pending old_best */
	struct rtnl_route r; /* r.nh points at nh[] */
	struct rtnl_nexthop nh[];
};

struct rt_prefix {
	struct rt_entry *head;
	struct rt_entry *old_best; /* pending: best before the first change */
	uint64_t first_ns;
	uint32_t pending_idx; /* index + 1 in s->pending; 0: not pending */
	uint32_t hash;
	uint8_t family;
	uint8_t len;
	uint8_t dst[16];
};

struct rtnl_store {
	uint32_t *tables;
	unsigned n_tables;
	bool track; /* keep pending changes (a dump's shadow does not) */

	struct rt_prefix **slots;
	size_t cap; /* power of two */
	size_t used;

	struct rt_prefix **pending;
	uint32_t n_pending, cap_pending;

	uint64_t routes[2], prefixes[2]; /* [0] IPv4, [1] IPv6 */
	uint64_t batch_seq;
	struct rtnl_change *chg;
	uint32_t cap_chg;
};

#define FAM_IDX(f) ((f) == AF_INET6 ? 1 : 0)

static uint32_t
hash_key(uint8_t family, uint8_t len, const uint8_t *dst)
{
	uint64_t a, b, h;

	memcpy(&a, dst, 8);
	memcpy(&b, dst + 8, 8);
	h = a * 0x9e3779b97f4a7c15ull;
	h ^= (b + ((uint64_t)family << 8 | len)) * 0xc2b2ae3d27d4eb4full;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return (uint32_t)h;
}

static bool
key_eq(const struct rt_prefix *p, uint8_t family, uint8_t len,
       const uint8_t *dst)
{
	return p->family == family && p->len == len &&
	       memcmp(p->dst, dst, 16) == 0;
}

static size_t
find_slot(const struct rtnl_store *s, uint32_t h, uint8_t family, uint8_t len,
	  const uint8_t *dst)
{
	size_t mask = s->cap - 1, i = h & mask;

	while (s->slots[i] != NULL && !(s->slots[i]->hash == h &&
					key_eq(s->slots[i], family, len, dst)))
		i = (i + 1) & mask;
	return i;
}

static struct rt_prefix *
lookup(const struct rtnl_store *s, int family, const uint8_t *dst, unsigned len)
{
	uint8_t key[16] = {0};
	uint32_t h;

	memcpy(key, dst, family == AF_INET ? 4 : 16);
	h = hash_key((uint8_t)family, (uint8_t)len, key);
	return s->slots[find_slot(s, h, (uint8_t)family, (uint8_t)len, key)];
}

static int
grow(struct rtnl_store *s, size_t want_used)
{
	struct rt_prefix **old = s->slots, **slots;
	size_t cap = s->cap, i;

	while (want_used * 4 >= cap * 3)
		cap *= 2;
	if (cap == s->cap)
		return 0;
	slots = calloc(cap, sizeof(*slots));
	if (slots == NULL)
		return -ENOMEM;
	s->slots = slots;
	for (i = 0; i < s->cap; i++) {
		struct rt_prefix *p = old[i];

		if (p != NULL) {
			size_t j = p->hash & (cap - 1);

			while (slots[j] != NULL)
				j = (j + 1) & (cap - 1);
			slots[j] = p;
		}
	}
	s->cap = cap;
	free(old);
	return 0;
}

static void
hash_del(struct rtnl_store *s, struct rt_prefix *p)
{
	size_t mask = s->cap - 1;
	size_t i = find_slot(s, p->hash, p->family, p->len, p->dst), j = i;

	s->slots[i] = NULL;
	for (;;) {
		size_t k;

		j = (j + 1) & mask;
		if (s->slots[j] == NULL)
			break;
		k = s->slots[j]->hash & mask;
		/* Move slots[j] into the hole unless its home lies
		 * cyclically in (i, j]. */
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			s->slots[i] = s->slots[j];
			s->slots[j] = NULL;
			i = j;
		}
	}
	s->used--;
	s->prefixes[FAM_IDX(p->family)]--;
}

static void
entry_put(struct rt_entry *e)
{
	if (e != NULL && --e->refs == 0)
		free(e);
}

static struct rt_entry *
entry_new(const struct rtnl_route *r)
{
	struct rt_entry *e;

	e = malloc(sizeof(*e) + (size_t)r->n_nh * sizeof(e->nh[0]));
	if (e == NULL)
		return NULL;
	e->next = NULL;
	e->refs = 1;
	e->r = *r;
	if (r->n_nh > 0)
		memcpy(e->nh, r->nh, (size_t)r->n_nh * sizeof(e->nh[0]));
	e->r.nh = e->nh;
	return e;
}

/* Precedence rank of a table: its place in the followed list, or its id
 * when every table is followed. */
static uint32_t
table_rank(const struct rtnl_store *s, uint32_t table)
{
	unsigned i;

	if (s->n_tables == 0)
		return table;
	for (i = 0; i < s->n_tables; i++)
		if (s->tables[i] == table)
			return i;
	return UINT32_MAX;
}

/*
 * The kernel's order of the entries of one prefix, extended over tables
 * (rank first): IPv4 aliases by TOS descending then priority ascending
 * (fib_trie.c), IPv6 routes by source prefix then metric. Returns <0, 0
 * (same group: same key, order by arrival) or >0.
 */
static int
key_cmp(const struct rtnl_store *s, const struct rtnl_route *a,
	const struct rtnl_route *b)
{
	uint32_t ra = table_rank(s, a->table), rb = table_rank(s, b->table);
	int d;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (a->table != b->table)
		return a->table < b->table ? -1 : 1;
	if (a->family == AF_INET) {
		if (a->tos != b->tos)
			return a->tos > b->tos ? -1 : 1;
	} else {
		if (a->src_len != b->src_len)
			return a->src_len < b->src_len ? -1 : 1;
		d = memcmp(a->src, b->src, sizeof(a->src));
		if (d != 0)
			return d;
	}
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	return 0;
}

/* An IPv6 route that joins ECMP siblings (rt6_qualify_for_ecmp()): unicast
 * through gateways, without a nexthop object. */
static bool
v6_ecmp(const struct rtnl_route *r)
{
	unsigned i;

	if (r->family != AF_INET6 || r->type != RTN_UNICAST || r->n_nh == 0 ||
	    r->nh_id != 0)
		return false;
	for (i = 0; i < r->n_nh; i++)
		if (r->nh[i].gw_family == 0)
			return false;
	return true;
}

static bool
usable(const struct rtnl_route *r)
{
	unsigned i;

	if (r->tos != 0 || r->src_len != 0)
		return false;
	switch (r->type) {
	case RTN_BLACKHOLE:
	case RTN_UNREACHABLE:
	case RTN_PROHIBIT: return true;
	case RTN_UNICAST:
		for (i = 0; i < r->n_nh; i++)
			if (!(r->nh[i].flags & RTNH_F_DEAD))
				return true;
		return false; /* every next hop dead, or a nexthop object
			       * the kernel did not expand */
	default: return false;
	}
}

static struct rt_entry *
prefix_best(const struct rt_prefix *p)
{
	struct rt_entry *e;

	/* The list is in precedence order: the first usable entry wins. */
	for (e = p->head; e != NULL; e = e->next)
		if (usable(&e->r))
			return e;
	return NULL;
}

static int
touch(struct rtnl_store *s, struct rt_prefix *p, uint64_t now_ns)
{
	if (!s->track || p->pending_idx != 0)
		return 0;
	if (s->n_pending == s->cap_pending) {
		uint32_t cap = s->cap_pending ? s->cap_pending * 2 : 1024;
		struct rt_prefix **n = realloc(s->pending, cap * sizeof(*n));

		if (n == NULL)
			return -ENOMEM;
		s->pending = n;
		s->cap_pending = cap;
	}
	p->old_best = prefix_best(p);
	if (p->old_best != NULL)
		p->old_best->refs++;
	p->first_ns = now_ns;
	s->pending[s->n_pending++] = p;
	p->pending_idx = s->n_pending;
	return 0;
}

static void
prefix_maybe_free(struct rtnl_store *s, struct rt_prefix *p)
{
	if (p->head == NULL && p->pending_idx == 0) {
		hash_del(s, p);
		free(p);
	}
}

struct rtnl_store *
rtnl_store_new(const uint32_t *tables, unsigned n_tables)
{
	struct rtnl_store *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->track = true;
	s->cap = 1024;
	s->slots = calloc(s->cap, sizeof(*s->slots));
	if (n_tables > 0) {
		s->tables = malloc(n_tables * sizeof(*tables));
		if (s->tables != NULL)
			memcpy(s->tables, tables, n_tables * sizeof(*tables));
	}
	if (s->slots == NULL || (n_tables > 0 && s->tables == NULL)) {
		rtnl_store_free(s);
		errno = ENOMEM;
		return NULL;
	}
	s->n_tables = n_tables;
	return s;
}

void
rtnl_store_set_tracking(struct rtnl_store *s, bool track)
{
	s->track = track;
}

static void
prefix_free_entries(struct rtnl_store *s, struct rt_prefix *p)
{
	struct rt_entry *e = p->head, *n;

	for (; e != NULL; e = n) {
		n = e->next;
		s->routes[FAM_IDX(p->family)]--;
		entry_put(e);
	}
	p->head = NULL;
}

void
rtnl_store_free(struct rtnl_store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; s->slots != NULL && i < s->cap; i++) {
		struct rt_prefix *p = s->slots[i];

		if (p == NULL)
			continue;
		prefix_free_entries(s, p);
		if (p->pending_idx != 0)
			entry_put(p->old_best);
		free(p);
	}
	free(s->slots);
	free(s->pending);
	free(s->tables);
	free(s->chg);
	free(s);
}

bool
rtnl_store_follows(const struct rtnl_store *s, uint32_t table)
{
	return s->n_tables == 0 || table_rank(s, table) != UINT32_MAX;
}

static struct rt_prefix *
get_prefix(struct rtnl_store *s, const struct rtnl_route *r)
{
	struct rt_prefix *p;
	uint8_t key[16] = {0};
	uint32_t h;
	size_t i;

	memcpy(key, r->dst, r->family == AF_INET ? 4 : 16);
	h = hash_key(r->family, r->dst_len, key);
	i = find_slot(s, h, r->family, r->dst_len, key);
	if (s->slots[i] != NULL)
		return s->slots[i];
	if ((s->used + 1) * 4 >= s->cap * 3) {
		if (grow(s, s->used + 1) < 0)
			return NULL;
		i = find_slot(s, h, r->family, r->dst_len, key);
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->hash = h;
	p->family = r->family;
	p->len = r->dst_len;
	memcpy(p->dst, key, 16);
	s->slots[i] = p;
	s->used++;
	s->prefixes[FAM_IDX(r->family)]++;
	return p;
}

/* Insert e before the first entry of its group (or where the group would
 * start), or after the last one when `at_tail`. */
static void
insert(struct rtnl_store *s, struct rt_prefix *p, struct rt_entry *e,
       bool at_tail)
{
	struct rt_entry **pp = &p->head;

	while (*pp != NULL) {
		int d = key_cmp(s, &(*pp)->r, &e->r);

		if (d > 0 || (d == 0 && !at_tail))
			break;
		pp = &(*pp)->next;
	}
	e->next = *pp;
	*pp = e;
	s->routes[FAM_IDX(p->family)]++;
}

/* Put n in the place of the entry at *pp. */
static void
swap_in(struct rt_entry **pp, struct rt_entry *n)
{
	struct rt_entry *old = *pp;

	n->next = old->next;
	*pp = n;
	entry_put(old);
}

static void
unlink_at(struct rtnl_store *s, struct rt_prefix *p, struct rt_entry **pp)
{
	struct rt_entry *old = *pp;

	*pp = old->next;
	s->routes[FAM_IDX(p->family)]--;
	entry_put(old);
}

static struct rt_entry **
find_same(struct rt_prefix *p, const struct rtnl_route *r)
{
	struct rt_entry **pp;

	for (pp = &p->head; *pp != NULL; pp = &(*pp)->next)
		if (rtnl_route_same(&(*pp)->r, r))
			return pp;
	return NULL;
}

/* First entry of r's group; with `ecmp` >= 0, the first whose IPv6 ECMP
 * quality is `ecmp`; with `type` >= 0, of that type. */
static struct rt_entry **
find_group(struct rtnl_store *s, struct rt_prefix *p,
	   const struct rtnl_route *r, int ecmp, int type)
{
	struct rt_entry **pp;

	for (pp = &p->head; *pp != NULL; pp = &(*pp)->next) {
		const struct rtnl_route *x = &(*pp)->r;

		if (key_cmp(s, x, r) != 0)
			continue;
		if (ecmp >= 0 && (int)v6_ecmp(x) != ecmp)
			continue;
		if (type >= 0 && x->type != type)
			continue;
		return pp;
	}
	return NULL;
}

static bool
nh_same(const struct rtnl_nexthop *a, const struct rtnl_nexthop *b)
{
	return a->gw_family == b->gw_family && a->ifindex == b->ifindex &&
	       memcmp(a->gw, b->gw, sizeof(a->gw)) == 0;
}

/* The protocol an IPv6 ECMP route shows: its first sibling's. */
static void
first_sibling_proto(struct rtnl_route *r)
{
	unsigned i, first = 0;

	for (i = 1; i < r->n_nh; i++)
		if (r->nh[i].order < r->nh[first].order)
			first = i;
	if (r->n_nh > 0)
		r->protocol = r->nh[first].proto;
}

/* x without the next hops of r, or NULL (with *all set when r names every
 * next hop of x, *missing when r names one x does not have). */
static struct rt_entry *
without_nh(const struct rtnl_route *x, const struct rtnl_route *r, bool *all,
	   bool *missing, bool *nomem)
{
	struct rtnl_nexthop nh[RTNL_MAX_NH];
	struct rtnl_route t = *x;
	struct rt_entry *e;
	unsigned i, j, n = 0;

	*all = *missing = *nomem = false;
	for (j = 0; j < r->n_nh; j++) {
		for (i = 0; i < x->n_nh; i++)
			if (nh_same(&x->nh[i], &r->nh[j]))
				break;
		if (i == x->n_nh) {
			*missing = true;
			return NULL;
		}
	}
	for (i = 0; i < x->n_nh; i++) {
		for (j = 0; j < r->n_nh; j++)
			if (nh_same(&x->nh[i], &r->nh[j]))
				break;
		if (j == r->n_nh)
			nh[n++] = x->nh[i];
	}
	if (n == 0) {
		*all = true;
		return NULL;
	}
	t.nh = nh;
	t.n_nh = (uint16_t)n;
	if (n == 1)
		nh[0].weight = 1; /* a lone path has no weight */
	e = entry_new(&t);
	if (e == NULL)
		*nomem = true;
	else
		first_sibling_proto(&e->r);
	return e;
}

/*
 * A route joins the ECMP siblings of x: the kernel's notification lists
 * the newcomer first, then every sibling, under the newcomer's protocol
 * (fib6_add_rt2node(), rt6_fill_node()); the route keeps showing its first
 * sibling's. So: x's siblings in their order, then the new next hops (with
 * r's protocol), the weights and flags as r reports them. If r does not
 * list all of x's next hops, it is not a join: r as it is.
 */
static struct rt_entry *
v6_join(const struct rtnl_route *x, const struct rtnl_route *r)
{
	struct rtnl_nexthop nh[RTNL_MAX_NH];
	struct rtnl_route t = *x;
	struct rt_entry *e;
	unsigned i, j, n = 0, next = 0;

	for (i = 0; i < x->n_nh; i++) {
		for (j = 0; j < r->n_nh; j++)
			if (nh_same(&x->nh[i], &r->nh[j]))
				break;
		if (j == r->n_nh)
			return entry_new(r);
		nh[n] = r->nh[j];
		nh[n].proto = x->nh[i].proto;
		nh[n].order = x->nh[i].order;
		if (x->nh[i].order >= next)
			next = x->nh[i].order + 1u;
		n++;
	}
	for (j = 0; j < r->n_nh && n < RTNL_MAX_NH; j++) {
		for (i = 0; i < x->n_nh; i++)
			if (nh_same(&x->nh[i], &r->nh[j]))
				break;
		if (i < x->n_nh)
			continue;
		nh[n] = r->nh[j];
		nh[n].proto = r->protocol;
		nh[n].order = (uint8_t)(next < 255 ? next++ : 255);
		n++;
	}
	t.nh = nh;
	t.n_nh = (uint16_t)n;
	rtnl_route_sort_nh(&t);
	e = entry_new(&t);
	if (e != NULL)
		first_sibling_proto(&e->r);
	return e;
}

static enum rtnl_apply
apply_new(struct rtnl_store *s, struct rt_prefix *p, enum rtnl_op op,
	  uint16_t nl_flags, struct rt_entry *e, uint64_t now_ns)
{
	const struct rtnl_route *r = &e->r;
	struct rt_entry **pp;

	pp = find_same(p, r);
	if (pp != NULL) {
		if (rtnl_route_equal(&(*pp)->r, r)) {
			entry_put(e);
			return RTNL_UPDATED;
		}
		if (touch(s, p, now_ns) < 0)
			goto nomem;
		swap_in(pp, e);
		return RTNL_UPDATED;
	}
	if (touch(s, p, now_ns) < 0)
		goto nomem;
	if (op == RTNL_OP_DUMP) {
		insert(s, p, e, true);
		return RTNL_ADDED;
	}
	if (r->family == AF_INET) {
		/* fib_table_insert(): replace the first alias of the same
		 * (tos, priority); append after the last; else (add,
		 * prepend) before the first. */
		if (nl_flags & NLM_F_REPLACE) {
			pp = find_group(s, p, r, -1, -1);
			if (pp != NULL) {
				swap_in(pp, e);
				return RTNL_REPLACED;
			}
		}
		insert(s, p, e, (nl_flags & NLM_F_APPEND) != 0);
		return RTNL_ADDED;
	}
	/* fib6_add_rt2node(): a replace takes the first route of the same
	 * metric and the same ECMP quality; an ECMP-able route joins the
	 * siblings of its metric (the notification lists them all, so the
	 * message replaces the entry); anything else goes after the routes
	 * of its metric, whatever the flags. */
	if (nl_flags & NLM_F_REPLACE) {
		pp = find_group(s, p, r, v6_ecmp(r), -1);
		if (pp == NULL) /* else the first of the metric, any kind */
			pp = find_group(s, p, r, -1, -1);
	} else if (v6_ecmp(r)) {
		pp = find_group(s, p, r, 1, -1);
		if (pp != NULL) {
			struct rt_entry *j = v6_join(&(*pp)->r, r);

			if (j == NULL)
				goto nomem;
			entry_put(e);
			e = j;
		}
	} else {
		pp = NULL;
	}
	if (pp != NULL) {
		swap_in(pp, e);
		return RTNL_REPLACED;
	}
	insert(s, p, e, true);
	return RTNL_ADDED;
nomem:
	entry_put(e);
	return RTNL_NOMEM;
}

static enum rtnl_apply
apply_del(struct rtnl_store *s, struct rt_prefix *p, const struct rtnl_route *r,
	  uint64_t now_ns)
{
	struct rt_entry **pp;

	pp = find_same(p, r);
	if (pp != NULL) {
		if (touch(s, p, now_ns) < 0)
			return RTNL_NOMEM;
		unlink_at(s, p, pp);
		return RTNL_DELETED;
	}
	if (v6_ecmp(r)) {
		/* One sibling of an IPv6 ECMP route leaves: the message
		 * names that next hop only. */
		for (pp = &p->head; *pp != NULL; pp = &(*pp)->next) {
			struct rt_entry *n;
			bool all, missing, nomem;

			/* The message shows the leaving sibling's own
			 * protocol, not the route's: no match on it. */
			if (key_cmp(s, &(*pp)->r, r) != 0 ||
			    !v6_ecmp(&(*pp)->r))
				continue;
			n = without_nh(&(*pp)->r, r, &all, &missing, &nomem);
			if (missing)
				continue;
			if (nomem || touch(s, p, now_ns) < 0) {
				entry_put(n);
				return RTNL_NOMEM;
			}
			if (all) {
				unlink_at(s, p, pp);
				return RTNL_DELETED;
			}
			swap_in(pp, n);
			return RTNL_REPLACED;
		}
	}
	pp = find_group(s, p, r, -1, r->type);
	if (pp == NULL)
		return RTNL_DEL_MISSING;
	if (touch(s, p, now_ns) < 0)
		return RTNL_NOMEM;
	unlink_at(s, p, pp);
	return RTNL_DEL_INEXACT;
}

enum rtnl_apply
rtnl_store_apply(struct rtnl_store *s, enum rtnl_op op, uint16_t nl_flags,
		 const struct rtnl_route *r, uint64_t now_ns)
{
	struct rt_prefix *p;
	enum rtnl_apply res;

	if (r->n_nh > RTNL_MAX_NH ||
	    (r->family != AF_INET && r->family != AF_INET6))
		return RTNL_DEL_MISSING;
	if (op == RTNL_OP_DEL) {
		p = lookup(s, r->family, r->dst, r->dst_len);
		if (p == NULL)
			return RTNL_DEL_MISSING;
		res = apply_del(s, p, r, now_ns);
	} else {
		struct rt_entry *e;

		p = get_prefix(s, r);
		if (p == NULL)
			return RTNL_NOMEM;
		e = entry_new(r);
		if (e == NULL)
			res = RTNL_NOMEM;
		else
			res = apply_new(s, p, op, nl_flags, e, now_ns);
	}
	prefix_maybe_free(s, p);
	return res;
}

int
rtnl_store_replace_all(struct rtnl_store *s, struct rtnl_store *from,
		       uint64_t now_ns)
{
	size_t i, need = s->used + from->used;

	/* Reserve everything first: past this point nothing allocates, so
	 * a failure leaves s as it was. */
	if (grow(s, need) < 0)
		return -ENOMEM;
	if (s->track && s->cap_pending < need) {
		struct rt_prefix **n = realloc(s->pending, need * sizeof(*n));

		if (n == NULL)
			return -ENOMEM;
		s->pending = n;
		s->cap_pending = (uint32_t)need;
	}
	for (i = 0; i < s->cap; i++) {
		struct rt_prefix *p = s->slots[i];

		if (p != NULL) {
			touch(s, p, now_ns);
			prefix_free_entries(s, p);
		}
	}
	for (i = 0; i < from->cap; i++) {
		struct rt_prefix *q = from->slots[i], *p;
		struct rt_entry *e;
		size_t j;

		if (q == NULL)
			continue;
		from->slots[i] = NULL;
		if (q->pending_idx != 0)
			entry_put(q->old_best);
		j = find_slot(s, q->hash, q->family, q->len, q->dst);
		p = s->slots[j];
		if (p == NULL) {
			/* New here: the prefix node itself moves. */
			struct rt_entry *head = q->head;

			q->pending_idx = 0;
			q->old_best = NULL;
			s->slots[j] = q;
			s->used++;
			s->prefixes[FAM_IDX(q->family)]++;
			q->head = NULL; /* it had no route in s before */
			touch(s, q, now_ns);
			q->head = head;
			p = q;
		} else {
			p->head = q->head;
			free(q);
		}
		for (e = p->head; e != NULL; e = e->next)
			s->routes[FAM_IDX(p->family)]++;
	}
	from->used = 0;
	from->n_pending = 0;
	memset(from->routes, 0, sizeof(from->routes));
	memset(from->prefixes, 0, sizeof(from->prefixes));
	/* Prefixes of s that `from` does not have stay, empty, until the
	 * next flush reports them withdrawn. An untracked s frees them. */
	if (!s->track)
		for (i = 0; i < s->cap;) {
			struct rt_prefix *p = s->slots[i];

			if (p != NULL && p->head == NULL) {
				hash_del(s, p);
				free(p);
				continue; /* the shift may refill slot i */
			}
			i++;
		}
	return 0;
}

uint32_t
rtnl_store_pending(const struct rtnl_store *s)
{
	return s->n_pending;
}

uint64_t
rtnl_store_pending_since(const struct rtnl_store *s)
{
	/* Prefixes become pending in time order: the first is the
	 * oldest. */
	return s->n_pending > 0 ? s->pending[0]->first_ns : 0;
}

static bool
best_equal(const struct rt_entry *a, const struct rt_entry *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a == b || rtnl_route_equal(&a->r, &b->r);
}

int
rtnl_store_flush(struct rtnl_store *s, bool full, uint64_t now_ns,
		 rtnl_batch_cb cb, void *arg, uint32_t *coalesced)
{
	struct rtnl_batch b;
	uint32_t i, n = 0, same = 0;

	if (s->n_pending > s->cap_chg) {
		struct rtnl_change *c = realloc(s->chg,
						s->n_pending * sizeof(*c));

		if (c == NULL)
			return -ENOMEM;
		s->chg = c;
		s->cap_chg = s->n_pending;
	}
	for (i = 0; i < s->n_pending; i++) {
		struct rt_prefix *p = s->pending[i];
		struct rt_entry *nb = prefix_best(p);
		struct rtnl_change *c;

		if (best_equal(p->old_best, nb)) {
			same++;
			continue;
		}
		c = &s->chg[n++];
		c->family = p->family;
		c->len = p->len;
		memcpy(c->dst, p->dst, 16);
		c->old_best = p->old_best ? &p->old_best->r : NULL;
		c->new_best = nb ? &nb->r : NULL;
		c->first_ns = p->first_ns;
	}
	if ((n > 0 || full) && cb != NULL) {
		memset(&b, 0, sizeof(b));
		b.seq = ++s->batch_seq;
		b.full = full;
		b.n = n;
		b.changes = s->chg;
		b.open_ns = rtnl_store_pending_since(s);
		b.flush_ns = now_ns;
		cb(arg, &b);
	}
	for (i = 0; i < s->n_pending; i++) {
		struct rt_prefix *p = s->pending[i];

		entry_put(p->old_best);
		p->old_best = NULL;
		p->pending_idx = 0;
		prefix_maybe_free(s, p);
	}
	s->n_pending = 0;
	if (coalesced != NULL)
		*coalesced = same;
	return (int)n;
}

const struct rtnl_route *
rtnl_store_best(const struct rtnl_store *s, int family, const uint8_t *dst,
		unsigned len)
{
	struct rt_prefix *p;
	struct rt_entry *e;

	if (family != AF_INET && family != AF_INET6)
		return NULL;
	p = lookup(s, family, dst, len);
	if (p == NULL)
		return NULL;
	e = prefix_best(p);
	return e ? &e->r : NULL;
}

unsigned
rtnl_store_prefix(const struct rtnl_store *s, int family, const uint8_t *dst,
		  unsigned len,
		  void (*cb)(void *arg, const struct rtnl_route *r), void *arg)
{
	struct rt_prefix *p;
	struct rt_entry *e;
	unsigned n = 0;

	if (family != AF_INET && family != AF_INET6)
		return 0;
	p = lookup(s, family, dst, len);
	for (e = p ? p->head : NULL; e != NULL; e = e->next, n++)
		if (cb != NULL)
			cb(arg, &e->r);
	return n;
}

void
rtnl_store_walk(const struct rtnl_store *s,
		void (*cb)(void *arg, const struct rtnl_route *r), void *arg)
{
	size_t i;

	for (i = 0; i < s->cap; i++) {
		struct rt_entry *e;

		if (s->slots[i] == NULL)
			continue;
		for (e = s->slots[i]->head; e != NULL; e = e->next)
			cb(arg, &e->r);
	}
}

uint64_t
rtnl_store_routes(const struct rtnl_store *s, int family)
{
	return s->routes[FAM_IDX(family)];
}

uint64_t
rtnl_store_prefixes(const struct rtnl_store *s, int family)
{
	return s->prefixes[FAM_IDX(family)];
}

bool
rtnl_store_uses_ifindex(const struct rtnl_store *s, uint32_t ifindex)
{
	size_t i;

	for (i = 0; i < s->cap; i++) {
		struct rt_entry *e;
		unsigned k;

		if (s->slots[i] == NULL)
			continue;
		for (e = s->slots[i]->head; e != NULL; e = e->next)
			for (k = 0; k < e->r.n_nh; k++)
				if (e->r.nh[k].ifindex == ifindex)
					return true;
	}
	return false;
}

int
rtnl_store_check(const struct rtnl_store *s)
{
	uint64_t routes[2] = {0, 0}, prefixes[2] = {0, 0};
	size_t i, used = 0;
	uint32_t k;

	for (i = 0; i < s->cap; i++) {
		struct rt_prefix *p = s->slots[i];
		struct rt_entry *e, *prev = NULL;

		if (p == NULL)
			continue;
		used++;
		prefixes[FAM_IDX(p->family)]++;
		if (p->hash != hash_key(p->family, p->len, p->dst))
			return -1;
		if (lookup(s, p->family, p->dst, p->len) != p)
			return -2; /* unreachable by probing: a hole */
		if (p->head == NULL && p->pending_idx == 0)
			return -3; /* empty and not pending: leaked */
		if (p->pending_idx != 0 &&
		    (p->pending_idx > s->n_pending ||
		     s->pending[p->pending_idx - 1] != p))
			return -4;
		for (e = p->head; e != NULL; prev = e, e = e->next) {
			routes[FAM_IDX(p->family)]++;
			if (e->refs == 0 || e->r.nh != e->nh ||
			    e->r.family != p->family ||
			    e->r.dst_len != p->len ||
			    memcmp(e->r.dst, p->dst, 16) != 0)
				return -5;
			if (prev != NULL && key_cmp(s, &prev->r, &e->r) > 0)
				return -6; /* out of the kernel's order */
		}
	}
	if (used != s->used || routes[0] != s->routes[0] ||
	    routes[1] != s->routes[1] || prefixes[0] != s->prefixes[0] ||
	    prefixes[1] != s->prefixes[1])
		return -7;
	for (k = 0; k < s->n_pending; k++)
		if (s->pending[k]->pending_idx != k + 1)
			return -8;
	return 0;
}
