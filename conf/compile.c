/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * compile.c - validated config -> struct ixg_spec.
 *
 * Ids: ports 0..N-1, peers, classes and ACL rules 1..N, in declaration
 * order, unless a previous spec is given: then assign_ids() keeps the id of
 * every same-named object so counters survive reloads (issue 3).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf_impl.h"
#include "ixg_sort.h"
#include "ixg_wire.h"

struct compiler {
	const struct ixg_conf *c;
	struct ixg_diags *d;
	struct ixg_spec *s;
	const struct ixg_spec *prev; /* running spec: ids to keep, or NULL */
	uint16_t cc_index[26 * 26]; /* country code -> index, 0 = none */
	uint32_t cap_r4, cap_r6, cap_s4, cap_s6, cap_c4, cap_c6;
	/* Per-peer state while reading prefix files. */
	uint16_t peer_id;
	uint32_t n_added;
	int to_sources;
	uint32_t data_idx;
	int full; /* a capacity was exceeded (reported once) */
	struct conf_load L; /* the load's limits, counted on from the parse */
	struct ixg_conf_cache *cache; /* or NULL */
	struct stat st; /* of the data file open_data opened */
	int64_t t_open; /* CLOCK_REALTIME before that open */
};

static void origin_diag(struct compiler *C, enum diag_sev sev, uint32_t origin,
			const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
origin_diag(struct compiler *C, enum diag_sev sev, uint32_t origin,
	    const char *fmt, ...)
{
	uint32_t f;
	va_list ap;

	if (!(origin & ORIGIN_DATA)) {
		va_start(ap, fmt);
		conf_vdiag(C->c, C->d, sev, origin, fmt, ap);
		va_end(ap);
		return;
	}
	f = (origin & ~ORIGIN_DATA) >> ORIGIN_DATA_LINE_BITS;
	va_start(ap, fmt);
	diag_vfile(C->d, sev,
		   f < C->c->datafiles.n ? C->c->datafiles.v[f] : "?",
		   origin & ((1u << ORIGIN_DATA_LINE_BITS) - 1), 1, fmt, ap);
	va_end(ap);
}

static int
country_index(struct compiler *C, ixg_cc_t cc, uint16_t *idx)
{
	unsigned a = (cc >> 8) - 'A', b = (cc & 0xff) - 'A', k = a * 26 + b;
	ixg_cc_t *nv;

	if (a >= 26 || b >= 26)
		return -EINVAL;
	if (C->cc_index[k] != 0) {
		*idx = C->cc_index[k];
		return 0;
	}
	if (C->s->n_countries >= IXG_MAX_COUNTRIES)
		return -ENOSPC;
	nv = realloc(C->s->countries,
		     (C->s->n_countries + 1) * sizeof(*C->s->countries));
	if (nv == NULL)
		return -ENOMEM;
	C->s->countries = nv;
	nv[C->s->n_countries] = cc;
	C->cc_index[k] = (uint16_t)C->s->n_countries++;
	*idx = C->cc_index[k];
	return 0;
}

#define GROW(C, arr, n, cap)                                                   \
	((n) < (cap) ||                                                        \
	 ((arr) = vec_grow((arr), &(cap), (n) + 1, sizeof(*(arr)))) != NULL)

static int
add_route(struct compiler *C, const struct pfx *p, uint32_t origin)
{
	struct ixg_spec *s = C->s;

	if (p->fam == 4) {
		struct ixg_spec_route4 *r;

		if (C->to_sources) {
			if (!GROW(C, s->sources4, s->n_sources4, C->cap_s4))
				return -ENOMEM;
			r = &s->sources4[s->n_sources4++];
		} else {
			if (!GROW(C, s->routes4, s->n_routes4, C->cap_r4))
				return -ENOMEM;
			r = &s->routes4[s->n_routes4++];
		}
		r->addr = (uint32_t)p->addr[0] << 24 |
			  (uint32_t)p->addr[1] << 16 |
			  (uint32_t)p->addr[2] << 8 | p->addr[3];
		r->len = p->len;
		r->peer_id = C->peer_id;
		r->origin = origin;
	} else {
		struct ixg_spec_route6 *r;

		if (C->to_sources) {
			if (!GROW(C, s->sources6, s->n_sources6, C->cap_s6))
				return -ENOMEM;
			r = &s->sources6[s->n_sources6++];
		} else {
			if (!GROW(C, s->routes6, s->n_routes6, C->cap_r6))
				return -ENOMEM;
			r = &s->routes6[s->n_routes6++];
		}
		memcpy(r->addr, p->addr, 16);
		r->len = p->len;
		r->peer_id = C->peer_id;
		r->origin = origin;
	}
	C->n_added++;
	return 0;
}

/* A prefix from a file. Reading stops at the first prefix past a
 * capacity, counting a peer's repeats (dropped later): a 50M-line file is
 * refused after 2M lines, not read whole (issue 13 item 2). */
static int
file_prefix(void *ctx, const struct pfx *p, uint32_t line)
{
	struct compiler *C = ctx;
	const struct ixg_spec *s = C->s;
	uint32_t max_line = (1u << ORIGIN_DATA_LINE_BITS) - 1;
	uint32_t origin = ORIGIN_DATA | C->data_idx << ORIGIN_DATA_LINE_BITS |
			  (line > max_line ? max_line : line);
	uint32_t n = p->fam == 4
			     ? (C->to_sources ? s->n_sources4 : s->n_routes4)
			     : (C->to_sources ? s->n_sources6 : s->n_routes6);
	uint32_t cap = p->fam == 4 ? IXG_MAX_ROUTES4 : IXG_MAX_ROUTES6;

	if (n >= cap) {
		/* The line itself: origins saturate at 2^21 - 1. */
		diag_file(C->d, DIAG_ERROR, C->c->datafiles.v[C->data_idx],
			  line, 1,
			  "more than %u IPv%c %s (the capacity), counting "
			  "repeats; not reading further",
			  cap, p->fam == 4 ? '4' : '6',
			  C->to_sources ? "allowed sources" : "routes");
		C->full = 1;
		return -ENOSPC;
	}
	return add_route(C, p, origin);
}

/* The load's deadline, checked between files and phases. */
static int
compile_late(struct compiler *C, uint32_t loc)
{
	if (C->L.stop)
		return 1;
	if (!load_late(&C->L))
		return 0;
	if (loc != UINT32_MAX)
		conf_diag(C->c, C->d, DIAG_ERROR, loc,
			  "the load's deadline passed; stopped here");
	else
		diag_file(C->d, DIAG_ERROR, C->c->files.v[0].path, 0, 0,
			  "the load's deadline passed while compiling; "
			  "stopped");
	C->L.stop = 1;
	return 1;
}

/* Open a data file named at loc; the descriptor, or -1 after reporting. */
static int
open_data(struct compiler *C, const struct c_path *f, uint32_t loc)
{
	char err[512];
	int fd;

	if (compile_late(C, loc))
		return -1;
	C->t_open = cache_now_ns();
	fd = load_open(&C->L, f->path, &C->st, err, sizeof(err));
	if (fd < 0)
		conf_diag(C->c, C->d, DIAG_ERROR, loc, "cannot read \"%s\": %s",
			  f->path, err);
	return fd;
}

static int
read_prefix_files(struct compiler *C, const path_vec *files)
{
	uint32_t i;
	int bad = 0;

	for (i = 0; i < files->n && !C->L.stop; i++) {
		const struct c_path *f = &files->v[i];
		int fd = open_data(C, f, f->loc);
		int rc;

		if (fd < 0) {
			bad = 1;
			continue;
		}
		C->data_idx = f->data_idx;
		rc = cache_prefix_file(&C->L, C->cache, fd, &C->st, C->t_open,
				       f->path, file_prefix, C, C->d);
		close(fd);
		if (rc == -ENOMEM)
			return rc;
		if (rc == -ENOSPC || rc == -ETIMEDOUT)
			C->L.stop = 1; /* reported where it stopped */
		if (rc < 0)
			bad = 1;
	}
	return bad || C->L.stop ? -EINVAL : 0;
}

static int
compile_peer_prefixes(struct compiler *C, const struct c_peer *p, uint16_t id)
{
	struct ixg_spec *s = C->s;
	uint32_t i, r4 = s->n_routes4, r6 = s->n_routes6;
	int rc, bad = 0;

	C->peer_id = id;
	C->to_sources = 0;
	C->n_added = 0;
	for (i = 0; i < p->announce.n; i++)
		if (add_route(C, &p->announce.v[i], p->announce.v[i].loc) < 0)
			return -ENOMEM;
	rc = read_prefix_files(C, &p->announce_files);
	if (rc == -ENOMEM)
		return rc;
	bad |= rc < 0;
	if ((p->set & PEER_MAXPFX) && C->n_added > p->max_prefix) {
		conf_diag(C->c, C->d, DIAG_ERROR, p->locs[PEER_F_MAXPFX],
			  "peer '%s' announces %u prefixes, more than its "
			  "max-prefix %u",
			  p->name, C->n_added, p->max_prefix);
		bad = 1;
	}
	C->to_sources = 1;
	if (p->set & PEER_ALLOW) {
		for (i = 0; i < p->allow.n; i++)
			if (add_route(C, &p->allow.v[i], p->allow.v[i].loc) < 0)
				return -ENOMEM;
		rc = read_prefix_files(C, &p->allow_files);
		if (rc == -ENOMEM)
			return rc;
		bad |= rc < 0;
	}
	/* Default: a peer may source what it announces; feasible (RFC 8704)
	 * adds what it announces to its allowed prefixes (ixgate-control
	 * adds its kernel routes too). */
	if (!(p->set & PEER_ALLOW) || p->sav == IXG_SAV_FEASIBLE) {
		for (i = r4; i < s->n_routes4; i++) {
			if (!GROW(C, s->sources4, s->n_sources4, C->cap_s4))
				return -ENOMEM;
			s->sources4[s->n_sources4++] = s->routes4[i];
		}
		for (i = r6; i < s->n_routes6; i++) {
			if (!GROW(C, s->sources6, s->n_sources6, C->cap_s6))
				return -ENOMEM;
			s->sources6[s->n_sources6++] = s->routes6[i];
		}
	}
	return bad ? -EINVAL : 0;
}

/*
 * The route blocks (route PREFIX { via ...; }): each prefix a route whose
 * value is IXG_NH_GROUP | the block's index until compile_groups names
 * the group; under `source-validation feasible` (RFC 8704) each member
 * may source the prefix (strict and loose add nothing: doc/routing.md).
 * Not counted against a member's max-prefix (the operator's own lines).
 */
static int
compile_route_blocks(struct compiler *C)
{
	const struct ixg_conf *c = C->c;

	for (uint32_t i = 0; i < c->routes.n; i++) {
		const struct c_route *r = &c->routes.v[i];

		C->to_sources = 0;
		C->peer_id = (uint16_t)(IXG_NH_GROUP | i);
		if (add_route(C, &r->p, r->p.loc) < 0)
			return -ENOMEM;
		C->to_sources = 1;
		for (unsigned k = 0; k < r->n_via; k++) {
			uint32_t pi = r->via[k].peer_idx;

			if (pi >= c->peers.n ||
			    c->peers.v[pi].sav != IXG_SAV_FEASIBLE)
				continue;
			C->peer_id = (uint16_t)(pi + 1);
			if (add_route(C, &r->p, r->p.loc) < 0)
				return -ENOMEM;
		}
	}
	C->to_sources = 0;
	return 0;
}

static unsigned
gcd16(unsigned a, unsigned b)
{
	while (b != 0) {
		unsigned t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* g's members sorted by peer id and its weights divided by their greatest
 * common divisor (ixgate-control's groups are kept so: rib_nhg.c), the
 * rest zero: equal groups are equal bytes from id on. */
static void
group_canonical(struct ixg_spec_nhgroup *g)
{
	unsigned d = 0, n = g->n_members;

	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && g->peer_id[j - 1] > g->peer_id[j];
		     j--) {
			uint16_t p = g->peer_id[j], w = g->weight[j];

			g->peer_id[j] = g->peer_id[j - 1];
			g->weight[j] = g->weight[j - 1];
			g->peer_id[j - 1] = p;
			g->weight[j - 1] = w;
		}
	for (unsigned i = 0; i < n; i++)
		d = gcd16(d, g->weight[i]);
	for (unsigned i = 0; d > 1 && i < n; i++)
		g->weight[i] = (uint16_t)(g->weight[i] / d);
}

static bool
group_same(const struct ixg_spec_nhgroup *a, const struct ixg_spec_nhgroup *b)
{
	return a->n_members == b->n_members &&
	       memcmp(a->peer_id, b->peer_id, sizeof(a->peer_id)) == 0 &&
	       memcmp(a->weight, b->weight, sizeof(a->weight)) == 0;
}

/*
 * The spec table nhgroups of the route blocks, once the peers have their
 * ids: one group per distinct set of (member, weight), shared by every
 * block that names it (the kernel's ECMP routes share them too, in
 * ixgate-control: rib_table_set_basis). A group the running spec (prev)
 * has keeps its id; a new one takes the lowest id prev does not use (so
 * its counters start from zero), else the lowest free. The routes' values
 * become IXG_NH_GROUP | id.
 */
static int
compile_groups(struct compiler *C)
{
	const struct ixg_conf *c = C->c;
	const struct ixg_spec *prev = C->prev;
	struct ixg_spec *s = C->s;
	uint64_t used[IXG_MAX_NHGROUPS / 64] = {0},
					 prev_ids[IXG_MAX_NHGROUPS / 64] = {0};
	uint16_t *gidx;
	uint32_t n = 0;

	if (c->routes.n == 0)
		return 0;
	gidx = calloc(c->routes.n, sizeof(*gidx));
	s->nhgroups = calloc(c->routes.n, sizeof(*s->nhgroups));
	if (gidx == NULL || s->nhgroups == NULL) {
		free(gidx);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < c->routes.n; i++) {
		const struct c_route *r = &c->routes.v[i];
		struct ixg_spec_nhgroup g;
		uint32_t j;

		memset(&g, 0, sizeof(g));
		g.n_members = r->n_via;
		g.origin = r->p.loc;
		for (unsigned k = 0; k < r->n_via; k++) {
			g.peer_id[k] = s->peers[r->via[k].peer_idx].id;
			g.weight[k] = r->via[k].weight;
		}
		group_canonical(&g);
		for (j = 0; j < n && !group_same(&s->nhgroups[j], &g); j++)
			;
		if (j == n)
			s->nhgroups[n++] = g;
		gidx[i] = (uint16_t)j;
	}
	s->n_nhgroups = n;
	/* ids: prev's for the groups it has, then the lowest free */
	for (uint32_t j = 0; j < n; j++)
		s->nhgroups[j].id = UINT16_MAX;
	for (uint32_t k = 0; prev != NULL && k < prev->n_nhgroups; k++) {
		struct ixg_spec_nhgroup pg = prev->nhgroups[k];

		if (pg.id >= IXG_MAX_NHGROUPS ||
		    pg.n_members > IXG_NHG_MAX_MEMBERS)
			continue;
		prev_ids[pg.id / 64] |= 1ull << (pg.id % 64);
		group_canonical(&pg);
		for (uint32_t j = 0; j < n; j++)
			if (s->nhgroups[j].id == UINT16_MAX &&
			    !(used[pg.id / 64] >> (pg.id % 64) & 1) &&
			    group_same(&s->nhgroups[j], &pg)) {
				s->nhgroups[j].id = pg.id;
				used[pg.id / 64] |= 1ull << (pg.id % 64);
			}
	}
	for (uint32_t j = 0; j < n; j++) {
		unsigned id;

		if (s->nhgroups[j].id != UINT16_MAX)
			continue;
		for (id = 0;
		     id < IXG_MAX_NHGROUPS &&
		     ((used[id / 64] | prev_ids[id / 64]) >> (id % 64) & 1);
		     id++)
			;
		if (id == IXG_MAX_NHGROUPS)
			for (id = 0; used[id / 64] >> (id % 64) & 1; id++)
				;
		s->nhgroups[j].id = (uint16_t)id;
		used[id / 64] |= 1ull << (id % 64);
	}
	for (uint32_t i = 0; i < s->n_routes4; i++) {
		uint16_t v = s->routes4[i].peer_id;

		if (v & IXG_NH_GROUP)
			s->routes4[i].peer_id =
				(uint16_t)(IXG_NH_GROUP |
					   s->nhgroups[gidx[v & ~IXG_NH_GROUP]]
						   .id);
	}
	for (uint32_t i = 0; i < s->n_routes6; i++) {
		uint16_t v = s->routes6[i].peer_id;

		if (v & IXG_NH_GROUP)
			s->routes6[i].peer_id =
				(uint16_t)(IXG_NH_GROUP |
					   s->nhgroups[gidx[v & ~IXG_NH_GROUP]]
						   .id);
	}
	free(gidx);
	return 0;
}

/*
 * Duplicate detection: sort (prefix, position) keys, compare neighbours.
 * IPv4 keys are one 64-bit word, addr:32 | len:6 | position:26, sorted by
 * an LSD radix sort (radix_sort64): on the real table's 565k routes it
 * takes ~5-15 ms where qsort took ~150 ms (perf, 2-core VM).
 */
#define K4_POS_BITS 26

static uint64_t
dkey4(const struct ixg_spec_route4 *r, uint32_t i)
{
	return (uint64_t)r->addr << 32 | (uint64_t)r->len << K4_POS_BITS | i;
}

static uint32_t
dkey4_pos(uint64_t k)
{
	return (uint32_t)(k & ((1u << K4_POS_BITS) - 1));
}

struct key6 {
	const struct ixg_spec_route6 *r;
	uint32_t idx;
};

static int
key6_cmp(const void *a, const void *b)
{
	const struct key6 *x = a, *y = b;
	int r = memcmp(x->r->addr, y->r->addr, 16);

	if (r != 0)
		return r;
	if (x->r->len != y->r->len)
		return x->r->len < y->r->len ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * The sorted index of the last compile (dedup_memo, conf_impl.h): the
 * tables of a reload differ from the last ones in a middle part (one
 * member's prefixes), so the keys of the common head and tail are in the
 * memo's sorted index already, at positions shifted by the change in
 * length after the middle. Merging the middle's sorted keys into them
 * is one pass over the index instead of a sort of every key (on the
 * real table: ~1-2 ms against 8-15 ms per IPv4 table and ~30 ms per IPv6
 * one, perf); the order, and so every result and diagnostic, is the one
 * a sort gives (keys are unique: they end with the position).
 */

/* The common head and tail, in elements, of the table as read now
 * (v[0..n)) and the memo's; false when there is no memo or the middle is
 * more than an eighth of the table (a sort is then as cheap). */
static bool
memo_span(const struct dedup_memo *m, const void *v, uint32_t n, size_t es,
	  uint32_t *head, uint32_t *tail)
{
	const char *a = m != NULL ? m->v : NULL, *b = v;
	uint32_t lim, h = 0, t = 0;

	if (a == NULL || m->keys == NULL || m->n < 2)
		return false;
	lim = n < m->n ? n : m->n;
	while (h < lim) {
		uint32_t c = lim - h < 4096 ? lim - h : 4096;

		if (memcmp(a + (size_t)h * es, b + (size_t)h * es,
			   (size_t)c * es) == 0) {
			h += c;
			continue;
		}
		while (memcmp(a + (size_t)h * es, b + (size_t)h * es, es) == 0)
			h++;
		break;
	}
	lim -= h;
	while (t < lim) {
		uint32_t c = lim - t < 4096 ? lim - t : 4096;

		if (memcmp(a + (size_t)(m->n - t - c) * es,
			   b + (size_t)(n - t - c) * es, (size_t)c * es) == 0) {
			t += c;
			continue;
		}
		while (memcmp(a + (size_t)(m->n - t - 1) * es,
			      b + (size_t)(n - t - 1) * es, es) == 0)
			t++;
		break;
	}
	*head = h;
	*tail = t;
	return (uint64_t)(n - h - t) * 8 <= n;
}

/* Remember v[0..n) (as read) and its sorted keys; on failure the memo is
 * emptied (the next compile sorts). keys is taken over when own. */
static void
memo_keep(struct dedup_memo *m, const void *v, uint32_t n, size_t es,
	  void *keys, size_t ks, bool own)
{
	void *q;

	if (m == NULL) {
		if (own)
			free(keys);
		return;
	}
	m->n = 0;
	if (n == 0) {
		if (own)
			free(keys);
		return;
	}
	if ((size_t)n * es > m->cap_v) {
		q = realloc(m->v, (size_t)n * es);
		if (q == NULL)
			goto fail;
		m->v = q;
		m->cap_v = (size_t)n * es;
	}
	memcpy(m->v, v, (size_t)n * es);
	if (own) {
		free(m->keys);
		m->keys = keys;
		m->cap_keys = (size_t)n * ks;
		keys = NULL;
	} else {
		if ((size_t)n * ks > m->cap_keys) {
			q = realloc(m->keys, (size_t)n * ks);
			if (q == NULL)
				goto fail;
			m->keys = q;
			m->cap_keys = (size_t)n * ks;
		}
		memcpy(m->keys, keys, (size_t)n * ks);
	}
	m->n = n;
	return;
fail:
	if (own)
		free(keys);
	free(m->v);
	free(m->keys);
	memset(m, 0, sizeof(*m));
}

/* k[0..n): the sorted keys of v, merged from the memo; -1 when the memo
 * cannot give them (then sort). */
static int
sort4_from_memo(const struct dedup_memo *m, const struct ixg_spec_route4 *v,
		uint32_t n, uint64_t *k)
{
	const uint64_t *ko = m != NULL ? m->keys : NULL;
	uint32_t h, t, mid, end, i = 0, j = 0, o = 0;
	uint64_t *km, *tmp;
	int64_t delta;

	if (!memo_span(m, v, n, sizeof(*v), &h, &t))
		return -1;
	mid = n - h - t;
	end = m->n - t; /* the memo's middle is [h, end) */
	delta = (int64_t)n - (int64_t)m->n;
	km = malloc(((size_t)mid + 1) * sizeof(*km));
	tmp = malloc(((size_t)mid + 1) * sizeof(*tmp));
	if (km == NULL || tmp == NULL) {
		free(km);
		free(tmp);
		return -1;
	}
	for (uint32_t x = 0; x < mid; x++)
		km[x] = dkey4(&v[h + x], h + x);
	if (mid > 1 && ixg_radix_sort64(km, tmp, mid) < 0) {
		free(km);
		free(tmp);
		return -1;
	}
	free(tmp);
	while (i < m->n || j < mid) {
		uint64_t x;
		uint32_t p;

		if (i == m->n) {
			k[o++] = km[j++];
			continue;
		}
		p = dkey4_pos(ko[i]);
		if (p >= h && p < end) {
			i++;
			continue;
		}
		x = p >= end ? (uint64_t)((int64_t)ko[i] + delta) : ko[i];
		if (j < mid && km[j] < x) {
			k[o++] = km[j++];
		} else {
			k[o++] = x;
			i++;
		}
	}
	free(km);
	return o == n ? 0 : -1;
}

/* The same for IPv6: k[0..n) sorted as key6_cmp sorts. */
static int
sort6_from_memo(const struct dedup_memo *m, const struct ixg_spec_route6 *v,
		uint32_t n, struct key6 *k)
{
	const uint32_t *ko = m != NULL ? m->keys : NULL;
	uint32_t h, t, mid, end, i = 0, j = 0, o = 0;
	struct key6 *km;
	int64_t delta;

	if (!memo_span(m, v, n, sizeof(*v), &h, &t))
		return -1;
	mid = n - h - t;
	end = m->n - t;
	delta = (int64_t)n - (int64_t)m->n;
	km = malloc(((size_t)mid + 1) * sizeof(*km));
	if (km == NULL)
		return -1;
	for (uint32_t x = 0; x < mid; x++) {
		km[x].r = &v[h + x];
		km[x].idx = h + x;
	}
	qsort(km, mid, sizeof(*km), key6_cmp);
	while (i < m->n || j < mid) {
		struct key6 x;
		uint32_t p;

		if (i == m->n) {
			k[o++] = km[j++];
			continue;
		}
		p = ko[i];
		if (p >= h && p < end) {
			i++;
			continue;
		}
		x.idx = p >= end ? (uint32_t)((int64_t)p + delta) : p;
		x.r = &v[x.idx];
		if (j < mid && key6_cmp(&km[j], &x) < 0) {
			k[o++] = km[j++];
		} else {
			k[o++] = x;
			i++;
		}
	}
	free(km);
	return o == n ? 0 : -1;
}

/* Two owners of one prefix: two peers' announce lists, or a peer's and a
 * route block (whose routes carry IXG_NH_GROUP | block index until
 * compile_groups). */
static void
dup_error(struct compiler *C, const char *pfx, uint16_t first_peer,
	  uint32_t first_origin, uint16_t peer, uint32_t origin)
{
	char where[512];

	ixg_conf_origin(C->c, first_origin, where, sizeof(where));
	if ((peer & IXG_NH_GROUP) && (first_peer & IXG_NH_GROUP))
		origin_diag(C, DIAG_ERROR, origin,
			    "prefix %s of this route block is already routed "
			    "by another route block (at %s)",
			    pfx, where);
	else if (peer & IXG_NH_GROUP)
		origin_diag(C, DIAG_ERROR, origin,
			    "prefix %s of this route block is already "
			    "announced by peer '%s' (at %s)",
			    pfx, C->c->peers.v[first_peer - 1].name, where);
	else if (first_peer & IXG_NH_GROUP)
		origin_diag(C, DIAG_ERROR, origin,
			    "prefix %s announced by peer '%s' is already "
			    "routed by a route block (at %s)",
			    pfx, C->c->peers.v[peer - 1].name, where);
	else
		origin_diag(C, DIAG_ERROR, origin,
			    "prefix %s announced by peer '%s' is already "
			    "announced by peer '%s' (at %s)",
			    pfx, C->c->peers.v[peer - 1].name,
			    C->c->peers.v[first_peer - 1].name, where);
}

/* Same prefix from two peers: error. Same prefix twice from one peer:
 * dropped (prefix lists from IRR data overlap). Returns -EINVAL if any
 * error was reported. */
static int
dedup_routes4(struct compiler *C, struct ixg_spec_route4 *v, uint32_t *n,
	      int report, struct dedup_memo *m)
{
	uint64_t *k, *tmp;
	uint8_t *drop;
	uint32_t i, j, bad = 0;

	if (*n < 2) {
		memo_keep(m, v, 0, sizeof(*v), NULL, sizeof(*k), false);
		return 0;
	}
	if (*n >= 1u << K4_POS_BITS)
		return -ENOMEM; /* beyond any load's byte limit */
	k = malloc(*n * sizeof(*k));
	tmp = malloc(*n * sizeof(*tmp));
	drop = calloc(*n, 1);
	if (k == NULL || tmp == NULL || drop == NULL) {
		free(k);
		free(tmp);
		free(drop);
		return -ENOMEM;
	}
	if (sort4_from_memo(m, v, *n, k) == 0) {
		cache_dedup_merged(C->cache);
	} else {
		for (i = 0; i < *n; i++)
			k[i] = dkey4(&v[i], i);
		if (ixg_radix_sort64(k, tmp, *n) < 0) {
			free(k);
			free(tmp);
			free(drop);
			return -ENOMEM;
		}
	}
	free(tmp);
	for (i = 1; i < *n; i++) {
		const struct ixg_spec_route4 *a, *b;

		if (k[i] >> K4_POS_BITS != k[i - 1] >> K4_POS_BITS)
			continue;
		b = &v[dkey4_pos(k[i])];
		/* Keep comparing against the first of the run. */
		for (j = i - 1; j > 0 && drop[dkey4_pos(k[j])] &&
				k[j - 1] >> K4_POS_BITS == k[i] >> K4_POS_BITS;
		     j--)
			;
		a = &v[dkey4_pos(k[j])];
		if (a->peer_id == b->peer_id) {
			drop[dkey4_pos(k[i])] = 1;
		} else if (report) {
			char buf[64];
			struct pfx p;

			p.fam = 4;
			p.len = b->len;
			memset(p.addr, 0, 16);
			p.addr[0] = (uint8_t)(b->addr >> 24);
			p.addr[1] = (uint8_t)(b->addr >> 16);
			p.addr[2] = (uint8_t)(b->addr >> 8);
			p.addr[3] = (uint8_t)b->addr;
			pfx_format(&p, 1, buf, sizeof(buf));
			dup_error(C, buf, a->peer_id, a->origin, b->peer_id,
				  b->origin);
			drop[dkey4_pos(k[i])] = 1;
			bad++;
		} else {
			/* Sources: several peers may source one prefix. */
		}
	}
	memo_keep(m, v, *n, sizeof(*v), k, sizeof(*k), true);
	for (i = j = 0; i < *n; i++)
		if (!drop[i])
			v[j++] = v[i];
	*n = j;
	free(drop);
	return bad ? -EINVAL : 0;
}

static int
dedup_routes6(struct compiler *C, struct ixg_spec_route6 *v, uint32_t *n,
	      int report, struct dedup_memo *m)
{
	struct key6 *k;
	uint32_t *ix;
	uint8_t *drop;
	uint32_t i, j, bad = 0;

	if (*n < 2) {
		memo_keep(m, v, 0, sizeof(*v), NULL, sizeof(*ix), false);
		return 0;
	}
	k = malloc(*n * sizeof(*k));
	drop = calloc(*n, 1);
	if (k == NULL || drop == NULL) {
		free(k);
		free(drop);
		return -ENOMEM;
	}
	if (sort6_from_memo(m, v, *n, k) == 0) {
		cache_dedup_merged(C->cache);
	} else {
		for (i = 0; i < *n; i++) {
			k[i].r = &v[i];
			k[i].idx = i;
		}
		qsort(k, *n, sizeof(*k), key6_cmp);
	}
	for (i = 1; i < *n; i++) {
		const struct ixg_spec_route6 *a, *b = k[i].r;

		if (memcmp(k[i].r->addr, k[i - 1].r->addr, 16) != 0 ||
		    k[i].r->len != k[i - 1].r->len)
			continue;
		for (j = i - 1; j > 0 && drop[k[j].idx] &&
				memcmp(k[j - 1].r->addr, b->addr, 16) == 0 &&
				k[j - 1].r->len == b->len;
		     j--)
			;
		a = k[j].r;
		if (a->peer_id == b->peer_id) {
			drop[k[i].idx] = 1;
		} else if (report) {
			char buf[64];
			struct pfx p;

			p.fam = 6;
			p.len = b->len;
			memcpy(p.addr, b->addr, 16);
			pfx_format(&p, 1, buf, sizeof(buf));
			dup_error(C, buf, a->peer_id, a->origin, b->peer_id,
				  b->origin);
			drop[k[i].idx] = 1;
			bad++;
		}
	}
	ix = m != NULL ? malloc(*n * sizeof(*ix)) : NULL;
	if (ix != NULL)
		for (i = 0; i < *n; i++)
			ix[i] = k[i].idx;
	if (ix != NULL || m == NULL)
		memo_keep(m, v, *n, sizeof(*v), ix, sizeof(*ix), true);
	else
		memo_keep(m, v, 0, sizeof(*v), NULL, sizeof(*ix), false);
	for (i = j = 0; i < *n; i++)
		if (!drop[i])
			v[j++] = v[i];
	*n = j;
	free(k);
	free(drop);
	return bad ? -EINVAL : 0;
}

static int
cdata_prefix(void *ctx, const uint8_t addr[16], uint8_t fam, uint8_t len,
	     ixg_cc_t cc)
{
	struct compiler *C = ctx;
	struct ixg_spec *s = C->s;
	uint16_t idx;
	int rc = country_index(C, cc, &idx);

	if (rc < 0)
		return rc;
	if (fam == 4) {
		struct ixg_spec_country4 *e;

		if (s->n_country4 >= IXG_MAX_ROUTES4)
			return -ENOSPC;
		if (!GROW(C, s->country4, s->n_country4, C->cap_c4))
			return -ENOMEM;
		e = &s->country4[s->n_country4++];
		e->addr = (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
			  (uint32_t)addr[2] << 8 | addr[3];
		e->len = len;
		e->country = idx;
	} else {
		struct ixg_spec_country6 *e;

		if (s->n_country6 >= IXG_MAX_ROUTES6)
			return -ENOSPC;
		if (!GROW(C, s->country6, s->n_country6, C->cap_c6))
			return -ENOMEM;
		e = &s->country6[s->n_country6++];
		memcpy(e->addr, addr, 16);
		e->len = len;
		e->country = idx;
	}
	return 0;
}

static int
compile_cdata(struct compiler *C)
{
	uint32_t i;
	int bad = 0;

	for (i = 0; i < C->c->cdata.n && !C->L.stop; i++) {
		const struct c_cdata *cd = &C->c->cdata.v[i];
		int fd = open_data(C, &cd->path, cd->path.loc);
		int rc;

		if (fd < 0) {
			bad = 1;
			continue;
		}
		rc = cache_country_file(&C->L, C->cache, fd, &C->st, C->t_open,
					cd->path.path, cd->format, cdata_prefix,
					C, C->d);
		close(fd);
		if (rc == -ENOMEM)
			return rc;
		if (rc == -ENOSPC) {
			conf_diag(C->c, C->d, DIAG_ERROR, cd->path.loc,
				  "country data exceeds capacity (%d "
				  "countries, %u IPv4 and %u IPv6 prefixes)",
				  IXG_MAX_COUNTRIES, IXG_MAX_ROUTES4,
				  IXG_MAX_ROUTES6);
			return -EINVAL;
		}
		if (rc < 0)
			bad = 1;
	}
	return bad ? -EINVAL : 0;
}

/*
 * Stable ids. An object whose name (rules: name and family, or priority
 * and family when unnamed) was in `prev` keeps its id there, so its
 * counters keep their meaning across reloads; the rest get the lowest free
 * id. Objects are compiled with provisional ids (ports: index, others:
 * index + 1), so every reference is rewritten through the same map.
 */
struct id_alloc {
	uint8_t *used; /* [cap] */
	uint32_t cap, lo; /* ids lo..cap-1 */
};

static int
id_take(struct id_alloc *a, uint32_t want)
{
	if (want < a->lo || want >= a->cap || a->used[want])
		return -1;
	a->used[want] = 1;
	return (int)want;
}

/* The lowest free id, preferring one `held` (prev's ids) does not mark:
 * an id freed by this very commit is reused only when no other is left,
 * so that the dataplane (which zeroes the counters of an id the running
 * generation does not use) never hands a new object an old one's counts. */
static uint32_t
id_lowest(struct id_alloc *a, const uint8_t *held)
{
	uint32_t i;

	for (i = a->lo; held != NULL && i < a->cap; i++)
		if (!a->used[i] && !held[i]) {
			a->used[i] = 1;
			return i;
		}
	for (i = a->lo; i < a->cap; i++)
		if (!a->used[i]) {
			a->used[i] = 1;
			return i;
		}
	return 0; /* validate() capped the counts below the capacities */
}

/* Map `n` objects to ids: prev_id(i) is the id object i had in prev, or
 * -1; prev_at(prev, j) for j < prev_n(prev) are prev's ids. map[i]
 * receives the id. */

/* Each kind's ids in a spec, for map_ids. */
#define ID_LIST(kind, arr, n_field)                                            \
	static uint32_t kind##_n(const struct ixg_spec *p)                     \
	{                                                                      \
		return p->n_field;                                             \
	}                                                                      \
	static uint32_t kind##_at(const struct ixg_spec *p, uint32_t j)        \
	{                                                                      \
		return p->arr[j].id;                                           \
	}
ID_LIST(ports, ports, n_ports)
ID_LIST(peers, peers, n_peers)
ID_LIST(classes, classes, n_classes)
ID_LIST(rules, acl_rules, n_acl_rules)
#undef ID_LIST

static int
map_wanted(uint32_t n, uint32_t lo, uint32_t cap, uint32_t *map,
	   const int64_t *want, uint32_t (*prev_n)(const struct ixg_spec *),
	   uint32_t (*prev_at)(const struct ixg_spec *, uint32_t),
	   const struct ixg_spec *prev)
{
	struct id_alloc a = {calloc(cap, 1), cap, lo};
	uint8_t *held = prev != NULL ? calloc(cap, 1) : NULL;
	uint32_t i, j;

	if (a.used == NULL || (prev != NULL && held == NULL)) {
		free(a.used);
		free(held);
		return -ENOMEM;
	}
	for (j = 0; prev != NULL && j < prev_n(prev); j++) {
		uint32_t id = prev_at(prev, j);

		if (id < cap)
			held[id] = 1;
	}
	for (i = 0; i < n; i++) {
		map[i] = UINT32_MAX;
		if (want[i] >= 0 && id_take(&a, (uint32_t)want[i]) >= 0)
			map[i] = (uint32_t)want[i];
	}
	for (i = 0; i < n; i++)
		if (map[i] == UINT32_MAX)
			map[i] = id_lowest(&a, held);
	free(a.used);
	free(held);
	return 0;
}

static int
map_ids(uint32_t n, uint32_t lo, uint32_t cap, uint32_t *map,
	int64_t (*prev_id)(const struct ixg_spec *, const struct ixg_spec *,
			   uint32_t),
	uint32_t (*prev_n)(const struct ixg_spec *),
	uint32_t (*prev_at)(const struct ixg_spec *, uint32_t),
	const struct ixg_spec *s, const struct ixg_spec *prev)
{
	int64_t *want = malloc(((size_t)n + 1) * sizeof(*want));
	int rc;

	if (want == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		want[i] = prev != NULL ? prev_id(s, prev, i) : -1;
	rc = map_wanted(n, lo, cap, map, want, prev_n, prev_at, prev);
	free(want);
	return rc;
}

static int64_t
prev_port(const struct ixg_spec *s, const struct ixg_spec *prev, uint32_t i)
{
	uint32_t j;

	for (j = 0; j < prev->n_ports; j++)
		if (strcmp(prev->ports[j].name, s->ports[i].name) == 0)
			return prev->ports[j].id;
	return -1;
}

static int64_t
prev_peer(const struct ixg_spec *s, const struct ixg_spec *prev, uint32_t i)
{
	uint32_t j;

	for (j = 0; j < prev->n_peers; j++)
		if (strcmp(prev->peers[j].name, s->peers[i].name) == 0)
			return prev->peers[j].id;
	return -1;
}

static int64_t
prev_class(const struct ixg_spec *s, const struct ixg_spec *prev, uint32_t i)
{
	uint32_t j;

	for (j = 0; j < prev->n_classes; j++)
		if (strcmp(prev->classes[j].name, s->classes[i].name) == 0)
			return prev->classes[j].id;
	return -1;
}

static int
same_rule(const struct ixg_spec_acl_rule *a, const struct ixg_spec_acl_rule *b)
{
	if (a->family != b->family)
		return 0;
	if (a->name[0] != '\0' || b->name[0] != '\0')
		return strcmp(a->name, b->name) == 0;
	return a->priority == b->priority;
}

/* Rules by what same_rule compares (family, then name, or priority when
 * both are unnamed), for a binary search: the first of prev's rules that
 * matches, as the linear scan found it (ties keep prev's order). */
static int
rule_key_cmp(const struct ixg_spec_acl_rule *a,
	     const struct ixg_spec_acl_rule *b)
{
	int r;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((a->name[0] != '\0') != (b->name[0] != '\0'))
		return a->name[0] != '\0' ? 1 : -1;
	if (a->name[0] != '\0')
		return (r = strcmp(a->name, b->name)) < 0 ? -1 : r > 0;
	return a->priority < b->priority ? -1 : a->priority > b->priority;
}

static int
rule_ix_cmp(const void *x, const void *y, void *arg)
{
	const struct ixg_spec_acl_rule *r = arg;
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
	int c = rule_key_cmp(&r[i], &r[j]);

	return c != 0 ? c : i < j ? -1 : i > j;
}

/* want[i]: the id rule i of s had in prev (same_rule), or -1. Sorting
 * prev's rules once replaces a scan of all of them per rule (10k rules:
 * 50M comparisons, ~30 ms). */
static int
rules_wanted(const struct ixg_spec *s, const struct ixg_spec *prev,
	     int64_t *want)
{
	uint32_t *ix, np = prev != NULL ? prev->n_acl_rules : 0, i;

	for (i = 0; i < s->n_acl_rules; i++)
		want[i] = -1;
	if (np == 0)
		return 0;
	ix = malloc(np * sizeof(*ix));
	if (ix == NULL)
		return -ENOMEM;
	for (i = 0; i < np; i++)
		ix[i] = i;
	qsort_r(ix, np, sizeof(*ix), rule_ix_cmp, prev->acl_rules);
	for (i = 0; i < s->n_acl_rules; i++) {
		const struct ixg_spec_acl_rule *r = &s->acl_rules[i];
		uint32_t lo = 0, hi = np;

		/* The first index whose rule is not below r. */
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;

			if (rule_key_cmp(&prev->acl_rules[ix[mid]], r) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < np && same_rule(&prev->acl_rules[ix[lo]], r))
			want[i] = prev->acl_rules[ix[lo]].id;
	}
	free(ix);
	return 0;
}

/* Provisional id p (1-based index) -> final id, 0 stays 0. */
static uint16_t
remap16(const uint32_t *map, uint32_t n, uint16_t p)
{
	return p == 0 || p > n ? p : (uint16_t)map[p - 1];
}

/* Country indices too: country-pair counters are indexed by them. A code
 * in prev keeps its index, a new one takes the lowest free; holes left by
 * codes gone are "--" (never referenced). */
static int
assign_countries(struct compiler *C, const struct ixg_spec *prev)
{
	struct ixg_spec *s = C->s;
	uint16_t map[IXG_MAX_COUNTRIES];
	uint8_t used[IXG_MAX_COUNTRIES] = {1}; /* 0 is "unknown" */
	ixg_cc_t *nc;
	uint32_t i, j, n = 1;

	if (prev == NULL || prev->n_countries == 0)
		return 0;
	map[0] = 0;
	for (i = 1; i < s->n_countries; i++) {
		map[i] = 0;
		for (j = 1; j < prev->n_countries && j < IXG_MAX_COUNTRIES; j++)
			if (prev->countries[j] == s->countries[i] && !used[j]) {
				map[i] = (uint16_t)j;
				used[j] = 1;
				break;
			}
	}
	for (i = 1; i < s->n_countries; i++) {
		if (map[i] != 0)
			continue;
		/* An index prev gave another code only when no other is
		 * left (as id_lowest: its counters are not the new code's). */
		for (j = 1;
		     j < IXG_MAX_COUNTRIES &&
		     (used[j] || (j < prev->n_countries &&
				  prev->countries[j] != IXG_CC('-', '-')));
		     j++)
			;
		if (j == IXG_MAX_COUNTRIES)
			for (j = 1; j < IXG_MAX_COUNTRIES && used[j]; j++)
				;
		if (j == IXG_MAX_COUNTRIES) {
			diag_file(C->d, DIAG_ERROR, C->c->files.v[0].path, 0, 0,
				  "more than %d countries with the running "
				  "configuration's; reload twice or restart",
				  IXG_MAX_COUNTRIES - 1);
			return -ENOSPC;
		}
		map[i] = (uint16_t)j;
		used[j] = 1;
	}
	for (i = 0; i < s->n_countries; i++)
		if (map[i] + 1u > n)
			n = map[i] + 1u;
	nc = calloc(n, sizeof(*nc));
	if (nc == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		nc[i] = IXG_CC('-', '-');
	for (i = 0; i < s->n_countries; i++)
		nc[map[i]] = s->countries[i];
	for (i = 0; i < s->n_peers; i++)
		s->peers[i].country = map[s->peers[i].country];
	for (i = 0; i < s->n_country4; i++)
		s->country4[i].country = map[s->country4[i].country];
	for (i = 0; i < s->n_country6; i++)
		s->country6[i].country = map[s->country6[i].country];
	free(s->countries);
	s->countries = nc;
	s->n_countries = n;
	return 0;
}

static int
assign_ids(struct compiler *C, const struct ixg_spec *prev)
{
	struct ixg_spec *s = C->s;
	uint32_t *pm, *em, *km, *rm, i;
	int64_t *rw;
	int rc = -ENOMEM;

	pm = calloc(s->n_ports + 1, sizeof(*pm));
	em = calloc(s->n_peers + 1, sizeof(*em));
	km = calloc(s->n_classes + 1, sizeof(*km));
	rm = calloc(s->n_acl_rules + 1, sizeof(*rm));
	rw = calloc(s->n_acl_rules + 1, sizeof(*rw));
	if (pm == NULL || em == NULL || km == NULL || rm == NULL ||
	    rw == NULL || rules_wanted(s, prev, rw) < 0 ||
	    map_ids(s->n_ports, 0, IXG_MAX_PORTS, pm, prev_port, ports_n,
		    ports_at, s, prev) ||
	    map_ids(s->n_peers, 1, IXG_MAX_PEERS, em, prev_peer, peers_n,
		    peers_at, s, prev) ||
	    map_ids(s->n_classes, 1, IXG_MAX_CLASSES, km, prev_class, classes_n,
		    classes_at, s, prev) ||
	    map_wanted(s->n_acl_rules, 1, IXG_MAX_ACL_RULES, rm, rw, rules_n,
		       rules_at, prev))
		goto out;
	rc = assign_countries(C, prev);
	if (rc < 0)
		goto out;
	rc = -ENOMEM;

	for (i = 0; i < s->n_ports; i++)
		s->ports[i].id = (uint16_t)pm[i];
	for (i = 0; i < s->n_local_addrs; i++)
		s->local_addrs[i].port_id = (uint16_t)
			pm[s->local_addrs[i].port_id];
	for (i = 0; i < s->n_peers; i++) {
		s->peers[i].id = (uint16_t)em[i];
		s->peers[i].port_id = (uint16_t)pm[s->peers[i].port_id];
	}
	for (i = 0; i < s->n_classes; i++)
		s->classes[i].id = (uint16_t)km[i];
	for (i = 0; i < s->n_acl_rules; i++) {
		struct ixg_spec_acl_rule *r = &s->acl_rules[i];

		r->id = rm[i];
		r->in_peer = remap16(em, s->n_peers, r->in_peer);
		r->class_id = remap16(km, s->n_classes, r->class_id);
	}
	for (i = 0; i < s->n_routes4; i++)
		s->routes4[i].peer_id = remap16(em, s->n_peers,
						s->routes4[i].peer_id);
	for (i = 0; i < s->n_routes6; i++)
		s->routes6[i].peer_id = remap16(em, s->n_peers,
						s->routes6[i].peer_id);
	for (i = 0; i < s->n_sources4; i++)
		s->sources4[i].peer_id = remap16(em, s->n_peers,
						 s->sources4[i].peer_id);
	for (i = 0; i < s->n_sources6; i++)
		s->sources6[i].peer_id = remap16(em, s->n_peers,
						 s->sources6[i].peer_id);
	rc = 0;
out:
	free(pm);
	free(em);
	free(km);
	free(rm);
	free(rw);
	return rc;
}

static void
compile_rules(struct compiler *C)
{
	const struct ixg_conf *c = C->c;
	struct ixg_spec *s = C->s;
	uint32_t i, n = 0;
	unsigned f;

	for (i = 0; i < c->rules.n; i++) {
		const struct c_rule *r = &c->rules.v[i];

		for (f = 0; f < 2; f++) {
			struct ixg_spec_acl_rule *o;

			if (!(r->fams & (1u << f)))
				continue;
			o = &s->acl_rules[n++];
			o->priority = r->prio;
			o->family = f == 0 ? 4 : 6;
			if (r->set & RULE_PROTO) {
				o->proto = r->proto;
				o->proto_mask = 0xff;
			}
			o->dscp_any = !(r->set & RULE_DSCP);
			o->dscp = r->dscp;
			o->action = r->action;
			o->remark_dscp = r->remark_dscp;
			if (r->action == IXG_ACL_CLASS)
				o->class_id = (uint16_t)(r->class_idx + 1);
			if (r->set & RULE_FROM)
				o->in_peer = (uint16_t)(r->from_idx + 1);
			o->sport_hi = o->dport_hi = 65535;
			if (r->set & RULE_SPORT) {
				o->sport_lo = r->sport_lo;
				o->sport_hi = r->sport_hi;
			}
			if (r->set & RULE_DPORT) {
				o->dport_lo = r->dport_lo;
				o->dport_hi = r->dport_hi;
			}
			if (r->set & RULE_SRC) {
				o->src_len = r->src.len;
				memcpy(o->src, r->src.addr, 16);
			}
			if (r->set & RULE_DST) {
				o->dst_len = r->dst.len;
				memcpy(o->dst, r->dst.addr, 16);
			}
			o->origin = r->loc;
			snprintf(o->name, sizeof(o->name), "%s", r->name);
		}
	}
	s->n_acl_rules = n;
}

/* Burst when `rate` is given without one: 10 ms at the rate, at least
 * 64 KiB so a jumbo frame always fits. */
static uint64_t
default_burst(uint64_t bytes_per_s)
{
	uint64_t b = bytes_per_s / 100;

	return b < 65536 ? 65536 : b;
}

/*
 * The exception path (doc/exception-path.md): off unless `exception-path
 * on`; 1000 frames/s per port with a burst of 200 unless given; without
 * punt-allow, BGP (TCP 179), BFD (UDP 3784-3785 single hop and echo, 4784
 * multihop, RFC 5881 4, RFC 5883 5) and ICMP / ICMPv6.
 */
static void
compile_punt(const struct ixg_conf *c, struct ixg_spec_node *node)
{
	static const struct ixg_spec_punt_rule defaults[] = {
		{.proto = 6, .port_lo = 179, .port_hi = 179},
		{.proto = 17, .port_lo = 3784, .port_hi = 3785},
		{.proto = 17, .port_lo = 4784, .port_hi = 4784},
		{.proto = 1, .port_lo = 0, .port_hi = 65535},
		{.proto = 58, .port_lo = 0, .port_hi = 65535},
	};
	unsigned i;

	/* Off: the node table stays as it was before the exception path. */
	if (!c->node.punt)
		return;
	node->punt = 1;
	node->punt_rate = (c->node.set & NODE_PUNT_RATE) ? c->node.punt_rate
							 : 1000;
	node->punt_burst = (c->node.set & NODE_PUNT_BURST) ? c->node.punt_burst
							   : 200;
	if (c->node.set & NODE_PUNT_ALLOW) {
		node->n_punt_rules = c->node.n_punt_allow;
		for (i = 0; i < c->node.n_punt_allow; i++)
			node->punt_rules[i] = c->node.punt_allow[i];
	} else {
		node->n_punt_rules = (uint8_t)(sizeof(defaults) /
					       sizeof(defaults[0]));
		for (i = 0; i < (sizeof(defaults) / sizeof(defaults[0])); i++)
			node->punt_rules[i] = defaults[i];
	}
}

static int
compile_objects(struct compiler *C)
{
	const struct ixg_conf *c = C->c;
	struct ixg_spec *s = C->s;
	uint32_t i, j, n_rules = 0;
	uint16_t idx;

	s->node.home_country = c->node.country;
	snprintf(s->node.name, sizeof(s->node.name), "%s", c->node.name);
	s->node.icmp_time_exceeded = c->node.icmp_te;
	s->node.icmp_rate = (c->node.set & NODE_ICMP_RATE) ? c->node.icmp_rate
							   : 100;
	s->node.sample_rate = c->node.sampling;
	compile_punt(c, &s->node);
	s->node.arp_nd_rate = c->node.arp_nd_rate;

	s->ports = calloc(c->ports.n + 1, sizeof(*s->ports));
	for (i = 0; i < c->ports.n; i++)
		s->n_local_addrs += c->ports.v[i].addrs.n;
	s->local_addrs = calloc(s->n_local_addrs + 1, sizeof(*s->local_addrs));
	s->classes = calloc(c->classes.n + 1, sizeof(*s->classes));
	s->peers = calloc(c->peers.n + 1, sizeof(*s->peers));
	for (i = 0; i < c->rules.n; i++)
		n_rules += c->rules.v[i].fams == 3 ? 2 : 1;
	s->acl_rules = calloc(n_rules + 1, sizeof(*s->acl_rules));
	s->blackholes = calloc(c->blackholes.n + 1, sizeof(*s->blackholes));
	if (s->ports == NULL || s->local_addrs == NULL || s->classes == NULL ||
	    s->peers == NULL || s->acl_rules == NULL || s->blackholes == NULL)
		return -ENOMEM;

	s->n_local_addrs = 0;
	for (i = 0; i < c->ports.n; i++) {
		const struct c_port *p = &c->ports.v[i];
		struct ixg_spec_port *o = &s->ports[i];

		o->mtu = (p->set & PORT_MTU) ? p->mtu : 1500;
		o->rx_desc = (p->set & PORT_RXQ) ? p->rxq : 1024;
		o->tx_desc = (p->set & PORT_TXQ) ? p->txq : 1024;
		o->sample_rate = (p->set & PORT_SAMPLING) ? p->sampling
							  : c->node.sampling;
		memcpy(o->mac, p->mac, 6);
		o->origin = p->loc;
		snprintf(o->name, sizeof(o->name), "%s", p->name);
		snprintf(o->devargs, sizeof(o->devargs), "%s",
			 p->device ? p->device : "");
		for (j = 0; j < p->addrs.n; j++) {
			struct ixg_spec_local_addr *a =
				&s->local_addrs[s->n_local_addrs++];

			a->port_id = (uint16_t)i;
			a->vlan = p->addrs.v[j].vlan;
			a->family = p->addrs.v[j].fam;
			a->len = p->addrs.v[j].len;
			a->origin = p->addrs.v[j].loc;
			memcpy(a->addr, p->addrs.v[j].addr, 16);
		}
	}
	s->n_ports = c->ports.n;

	for (i = 0; i < c->classes.n; i++) {
		const struct c_class *k = &c->classes.v[i];
		struct ixg_spec_class *o = &s->classes[i];

		o->cir = k->cir_bits / 8;
		o->cbs = k->cbs;
		o->pir = (k->set & CLASS_PIR) ? k->pir_bits / 8 : o->cir;
		o->pbs = (k->set & CLASS_PBS) ? k->pbs : o->cbs;
		o->yellow_action = k->yellow;
		o->red_action = k->red;
		o->yellow_dscp = k->yellow_dscp;
		o->red_dscp = k->red_dscp;
		o->origin = k->loc;
		snprintf(o->name, sizeof(o->name), "%s", k->name);
	}
	s->n_classes = c->classes.n;

	for (i = 0; i < c->peers.n; i++) {
		const struct c_peer *p = &c->peers.v[i];
		struct ixg_spec_peer *o = &s->peers[i];

		o->port_id = (uint16_t)p->port_idx;
		o->vlan = p->vlan;
		o->outer_vlan = p->outer_vlan;
		o->asn = p->asn;
		o->country = 0;
		if ((p->set & PEER_COUNTRY) &&
		    country_index(C, p->country, &idx) == 0)
			o->country = idx;
		o->sav_mode = p->sav;
		o->neighbour = p->neigh;
		o->n_macs = p->n_macs;
		memcpy(o->macs, p->macs, sizeof(o->macs));
		o->has_nh4 = !!(p->set & PEER_NH4);
		o->has_nh6 = !!(p->set & PEER_NH6);
		memcpy(o->nh4, p->nh4, 4);
		memcpy(o->nh6, p->nh6, 16);
		o->max_prefix = (p->set & PEER_MAXPFX) ? p->max_prefix : 0;
		if (p->set & PEER_RATE) {
			o->rate = p->rate_bits / 8;
			o->burst = p->has_burst ? p->burst
						: default_burst(o->rate);
		}
		o->origin = p->loc;
		snprintf(o->name, sizeof(o->name), "%s", p->name);
	}
	s->n_peers = c->peers.n;

	compile_rules(C);

	for (i = 0; i < c->blackholes.n; i++) {
		const struct c_blackhole *b = &c->blackholes.v[i];
		struct ixg_spec_blackhole *o = &s->blackholes[i];

		o->family = b->p.fam;
		o->len = b->p.len;
		o->id = (uint16_t)i; /* ixgate-control keeps them stable */
		o->origin = b->loc;
		o->expires = b->expires;
		memcpy(o->addr, b->p.addr, 16);
	}
	s->n_blackholes = c->blackholes.n;
	return 0;
}

/* Allocate the prefix arrays at the sizes the last compile through the
 * cache read, with a little room: one allocation each, zeroed lazily by
 * the kernel, instead of doubling and copying. */
static int
reserve_prefixes(struct compiler *C)
{
	struct ixg_spec *s = C->s;
	uint32_t z[CACHE_SIZES];
	void **arr[CACHE_SIZES] = {
		(void **)&s->routes4,  (void **)&s->routes6,
		(void **)&s->sources4, (void **)&s->sources6,
		(void **)&s->country4, (void **)&s->country6,
	};
	uint32_t *cap[CACHE_SIZES] = {&C->cap_r4, &C->cap_r6, &C->cap_s4,
				      &C->cap_s6, &C->cap_c4, &C->cap_c6};
	const size_t size[CACHE_SIZES] = {
		sizeof(*s->routes4),  sizeof(*s->routes6),
		sizeof(*s->sources4), sizeof(*s->sources6),
		sizeof(*s->country4), sizeof(*s->country6),
	};

	cache_sizes_get(C->cache, z);
	for (unsigned i = 0; i < CACHE_SIZES; i++) {
		uint32_t n = z[i] + z[i] / 16 + 64;

		if (z[i] == 0 || *arr[i] != NULL)
			continue;
		*arr[i] = calloc(n, size[i]);
		if (*arr[i] == NULL)
			return -ENOMEM;
		*cap[i] = n;
	}
	return 0;
}

static int
compile_all(struct compiler *C)
{
	const struct ixg_conf *c = C->c;
	struct ixg_spec *s = C->s;
	uint32_t i;
	uint16_t idx;
	int rc, bad = 0;

	s->countries = calloc(1, sizeof(*s->countries));
	if (s->countries == NULL)
		return -ENOMEM;
	s->countries[0] = IXG_CC('-', '-');
	s->n_countries = 1;
	if (c->node.set & NODE_COUNTRY)
		country_index(C, c->node.country, &idx);
	rc = compile_objects(C);
	if (rc == 0)
		rc = reserve_prefixes(C);
	if (rc < 0)
		return rc;
	for (i = 0; i < c->peers.n; i++) {
		rc = compile_peer_prefixes(C, &c->peers.v[i],
					   (uint16_t)(i + 1));
		if (rc == -ENOMEM)
			return rc;
		bad |= rc < 0;
	}
	rc = compile_route_blocks(C);
	if (rc < 0)
		return rc;
	/* A capacity or the deadline stopped the reading: said where. */
	if (C->L.stop || compile_late(C, UINT32_MAX))
		return -EINVAL;
	{
		uint32_t z[CACHE_SIZES];

		cache_sizes_get(C->cache, z);
		z[0] = s->n_routes4;
		z[1] = s->n_routes6;
		z[2] = s->n_sources4;
		z[3] = s->n_sources6;
		cache_sizes_set(C->cache, z);
	}
	rc = dedup_routes4(C, s->routes4, &s->n_routes4, 1,
			   cache_dedup_memo(C->cache, DEDUP_ROUTES4));
	if (rc == -ENOMEM)
		return rc;
	bad |= rc < 0;
	rc = dedup_routes6(C, s->routes6, &s->n_routes6, 1,
			   cache_dedup_memo(C->cache, DEDUP_ROUTES6));
	if (rc == -ENOMEM)
		return rc;
	bad |= rc < 0;
	if (dedup_routes4(C, s->sources4, &s->n_sources4, 0,
			  cache_dedup_memo(C->cache, DEDUP_SOURCES4)) ==
		    -ENOMEM ||
	    dedup_routes6(C, s->sources6, &s->n_sources6, 0,
			  cache_dedup_memo(C->cache, DEDUP_SOURCES6)) ==
		    -ENOMEM)
		return -ENOMEM;
	if (s->n_routes4 > IXG_MAX_ROUTES4 || s->n_routes6 > IXG_MAX_ROUTES6) {
		diag_file(C->d, DIAG_ERROR, c->files.v[0].path, 0, 0,
			  "%u IPv4 and %u IPv6 routes, more than the capacity "
			  "(%u and %u)",
			  s->n_routes4, s->n_routes6, IXG_MAX_ROUTES4,
			  IXG_MAX_ROUTES6);
		bad = 1;
	}
	if (s->n_sources4 > IXG_MAX_ROUTES4 ||
	    s->n_sources6 > IXG_MAX_ROUTES6) {
		diag_file(C->d, DIAG_ERROR, c->files.v[0].path, 0, 0,
			  "%u IPv4 and %u IPv6 allowed sources, more than the "
			  "capacity (%u and %u)",
			  s->n_sources4, s->n_sources6, IXG_MAX_ROUTES4,
			  IXG_MAX_ROUTES6);
		bad = 1;
	}
	if (compile_late(C, UINT32_MAX))
		return -EINVAL;
	rc = compile_cdata(C);
	if (rc == -ENOMEM)
		return rc;
	bad |= rc < 0;
	if (rc == 0) {
		uint32_t z[CACHE_SIZES];

		cache_sizes_get(C->cache, z);
		z[4] = s->n_country4;
		z[5] = s->n_country6;
		cache_sizes_set(C->cache, z);
	}
	if (bad || compile_late(C, UINT32_MAX))
		return -EINVAL;
	rc = assign_ids(C, C->prev);
	if (rc == 0)
		rc = compile_groups(C);
	return rc;
}

/* Compile c into spec (see ixg_conf.h). Any thread; c is only read. */
int
ixg_conf_compile(const struct ixg_conf *c, struct ixg_spec *spec,
		 struct ixg_diags *d)
{
	return ixg_conf_compile_prev(c, NULL, spec, d);
}

/* Compile c into spec keeping prev's ids (see ixg_conf.h). Any thread;
 * c and prev are only read. */
int
ixg_conf_compile_prev(const struct ixg_conf *c, const struct ixg_spec *prev,
		      struct ixg_spec *spec, struct ixg_diags *d)
{
	return ixg_conf_compile_cache(c, prev, NULL, spec, d);
}

/* The same through a cache (see ixg_conf.h). Any thread; c and prev are
 * only read, cache is used by this call alone while it runs. */
int
ixg_conf_compile_cache(const struct ixg_conf *c, const struct ixg_spec *prev,
		       struct ixg_conf_cache *cache, struct ixg_spec *spec,
		       struct ixg_diags *d)
{
	struct compiler *C = calloc(1, sizeof(*C));
	struct ixg_spec s;
	char err[512];
	int rc;

	if (C == NULL) {
		diag_file(d, DIAG_ERROR, NULL, 0, 0, "out of memory");
		return -1;
	}
	diag_set_quote(d, !c->opts.no_quote);
	/* The same load as the parse: its limits go on counting. */
	if (load_begin(&C->L, &c->opts, c->files_read, c->bytes_read, err,
		       sizeof(err)) < 0) {
		diag_file(d, DIAG_ERROR, c->files.v[0].path, 0, 0, "%s", err);
		free(C);
		return -1;
	}
	memset(&s, 0, sizeof(s));
	C->c = c;
	C->d = d;
	C->s = &s;
	C->prev = prev;
	C->cache = cache;
	cache_compile_begin(cache);
	rc = compile_all(C);
	/* Complete: every data file was reached (errors or not). */
	cache_compile_end(cache, rc != -ENOMEM && !C->L.stop);
	if (rc == -ENOMEM)
		diag_file(d, DIAG_ERROR, c->files.v[0].path, 0, 0,
			  "out of memory compiling");
	load_end(&C->L);
	free(C);
	if (rc < 0) {
		ixg_spec_free(&s);
		return -1;
	}
	*spec = s;
	return 0;
}

/* Frees the arrays of spec and zeroes it. */
void
ixg_spec_free(struct ixg_spec *spec)
{
	ixg_spec_tables_free(spec); /* every table of IXG_SPEC_TABLES */
	memset(spec, 0, sizeof(*spec));
}
