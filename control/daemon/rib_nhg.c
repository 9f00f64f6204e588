/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rib_nhg.c - ECMP next-hop groups of the kernel routes (rib_nhg.h).
 *
 * Groups are few (one per distinct member set, at most IXG_MAX_NHGROUPS):
 * an array by id, found by a linear scan over the live ones with a 64-bit
 * signature of the set compared first. The preferred ids of
 * rib_nhg_prefer are a second such list, scanned only when a group is
 * made.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <inttypes.h>
#include <stdio.h>

#include "rib_nhg.h"
#include "rib_table.h"
#include "view.h"

struct grp {
	uint8_t live;
	uint8_t n;
	uint32_t refs;
	uint32_t cfg; /* config routes naming it (rib_nhg_ref_config) */
	uint32_t origin; /* the first config route's group origin */
	uint64_t sig;
	struct rib_nhg_member m[IXG_NHG_MAX_MEMBERS]; /* sorted by peer */
};

/* A running dataplane's group (rib_nhg_prefer). */
struct pref {
	uint16_t id;
	uint8_t n;
	uint64_t sig;
	struct rib_nhg_member m[IXG_NHG_MAX_MEMBERS]; /* canonical */
};

struct rib_nhg {
	struct grp g[IXG_MAX_NHGROUPS];
	uint16_t live_ids[IXG_MAX_NHGROUPS];
	uint32_t n_live;
	struct pref *pref; /* n_pref of them, distinct ids */
	uint32_t n_pref;
	uint64_t pref_ids[IXG_MAX_NHGROUPS / 64];
	bool renumber; /* drop every group at the next unref_all */
};

struct rib_nhg *
rib_nhg_new(void)
{
	return calloc(1, sizeof(struct rib_nhg));
}

void
rib_nhg_free(struct rib_nhg *g)
{
	if (g != NULL)
		free(g->pref);
	free(g);
}

static unsigned
gcd(unsigned a, unsigned b)
{
	while (b != 0) {
		unsigned r = a % b;

		a = b;
		b = r;
	}
	return a;
}

/* m sorted by peer, weights divided by their gcd, into out; false for a
 * bad set. */
static bool
canonical(const struct rib_nhg_member *m, unsigned n,
	  struct rib_nhg_member *out)
{
	unsigned d = 0;

	if (n < 2 || n > IXG_NHG_MAX_MEMBERS)
		return false;
	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;

		if (m[i].peer == 0 || m[i].peer >= IXG_MAX_PEERS ||
		    m[i].weight < 1 || m[i].weight > 256)
			return false;
		/* insertion by peer id */
		while (j > 0 && out[j - 1].peer > m[i].peer) {
			out[j] = out[j - 1];
			j--;
		}
		if (j > 0 && out[j - 1].peer == m[i].peer)
			return false;
		out[j] = m[i];
		d = gcd(d, m[i].weight);
	}
	for (unsigned i = 0; i < n; i++)
		out[i].weight = (uint16_t)(out[i].weight / d);
	return true;
}

static uint64_t
signature(const struct rib_nhg_member *m, unsigned n)
{
	uint64_t h = n;

	for (unsigned i = 0; i < n; i++) {
		h ^= (uint64_t)m[i].peer << 16 | m[i].weight;
		h *= 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return h;
}

int
rib_nhg_find(struct rib_nhg *g, const struct rib_nhg_member *m, unsigned n)
{
	struct rib_nhg_member c[IXG_NHG_MAX_MEMBERS];
	uint64_t sig;
	unsigned id;

	if (!canonical(m, n, c))
		return -EINVAL;
	sig = signature(c, n);
	for (uint32_t i = 0; i < g->n_live; i++) {
		const struct grp *x = &g->g[g->live_ids[i]];

		if (x->sig == sig && x->n == n &&
		    memcmp(x->m, c, n * sizeof(*c)) == 0)
			return g->live_ids[i];
	}
	id = IXG_MAX_NHGROUPS;
	/* the id a running dataplane gives this set, if free; else the
	 * lowest free id it does not use for another set; else any */
	for (uint32_t i = 0; i < g->n_pref; i++) {
		const struct pref *p = &g->pref[i];

		if (p->sig == sig && p->n == n &&
		    memcmp(p->m, c, n * sizeof(*c)) == 0) {
			if (!g->g[p->id].live)
				id = p->id;
			break;
		}
	}
	for (unsigned k = 0; id == IXG_MAX_NHGROUPS && k < IXG_MAX_NHGROUPS;
	     k++)
		if (!g->g[k].live && !(g->pref_ids[k / 64] >> (k % 64) & 1))
			id = k;
	for (unsigned k = 0; id == IXG_MAX_NHGROUPS && k < IXG_MAX_NHGROUPS;
	     k++)
		if (!g->g[k].live)
			id = k;
	if (id == IXG_MAX_NHGROUPS)
		return -ENOSPC;
	memset(&g->g[id], 0, sizeof(g->g[id]));
	g->g[id].live = 1;
	g->g[id].n = (uint8_t)n;
	g->g[id].sig = sig;
	memcpy(g->g[id].m, c, n * sizeof(*c));
	g->live_ids[g->n_live++] = (uint16_t)id;
	return (int)id;
}

void
rib_nhg_ref(struct rib_nhg *g, uint16_t id, int sign)
{
	struct grp *x;

	if (id >= IXG_MAX_NHGROUPS || !g->g[id].live)
		return;
	x = &g->g[id];
	if (sign > 0)
		x->refs++;
	else if (x->refs > 0)
		x->refs--;
}

void
rib_nhg_ref_config(struct rib_nhg *g, uint16_t id, uint32_t origin)
{
	if (id >= IXG_MAX_NHGROUPS || !g->g[id].live)
		return;
	if (g->g[id].cfg++ == 0)
		g->g[id].origin = origin;
}

uint32_t
rib_nhg_config_refs(const struct rib_nhg *g, uint16_t id)
{
	return id < IXG_MAX_NHGROUPS && g->g[id].live ? g->g[id].cfg : 0;
}

int
rib_nhg_prefer(struct rib_nhg *g, const struct ixg_spec_nhgroup *v, uint32_t n)
{
	struct pref *p = n > 0 ? calloc(n, sizeof(*p)) : NULL;
	uint32_t k = 0;

	if (n > 0 && p == NULL)
		return -ENOMEM;
	free(g->pref);
	memset(g->pref_ids, 0, sizeof(g->pref_ids));
	for (uint32_t i = 0; i < n; i++) {
		struct rib_nhg_member m[IXG_NHG_MAX_MEMBERS];
		unsigned nm = v[i].n_members;

		if (v[i].id >= IXG_MAX_NHGROUPS || nm > IXG_NHG_MAX_MEMBERS ||
		    g->pref_ids[v[i].id / 64] >> (v[i].id % 64) & 1)
			continue;
		for (unsigned j = 0; j < nm; j++) {
			m[j].peer = v[i].peer_id[j];
			m[j].weight = v[i].weight[j];
		}
		if (!canonical(m, nm, p[k].m))
			continue; /* a group of one member left: no set */
		p[k].id = v[i].id;
		p[k].n = (uint8_t)nm;
		p[k].sig = signature(p[k].m, nm);
		g->pref_ids[v[i].id / 64] |= 1ull << (v[i].id % 64);
		k++;
	}
	g->pref = p;
	g->n_pref = k;
	g->renumber = true;
	return 0;
}

void
rib_nhg_unref_all(struct rib_nhg *g)
{
	if (g->renumber) {
		/* every entry is resolved again next: the groups are made
		 * again, with the preferred ids */
		for (uint32_t i = 0; i < g->n_live; i++)
			g->g[g->live_ids[i]].live = 0;
		g->n_live = 0;
		g->renumber = false;
		return;
	}
	for (uint32_t i = 0; i < g->n_live; i++) {
		g->g[g->live_ids[i]].refs = 0;
		g->g[g->live_ids[i]].cfg = 0;
	}
}

unsigned
rib_nhg_members(const struct rib_nhg *g, uint16_t id,
		struct rib_nhg_member *out)
{
	if (id >= IXG_MAX_NHGROUPS || !g->g[id].live)
		return 0;
	memcpy(out, g->g[id].m, g->g[id].n * sizeof(*out));
	return g->g[id].n;
}

uint32_t
rib_nhg_refs(const struct rib_nhg *g, uint16_t id)
{
	return id < IXG_MAX_NHGROUPS && g->g[id].live ? g->g[id].refs : 0;
}

uint32_t
rib_nhg_count(const struct rib_nhg *g)
{
	return g->n_live;
}

static int
cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return (x > y) - (x < y);
}

int
rib_nhg_emit(struct rib_nhg *g, bool (*usable)(const void *arg, uint16_t peer),
	     const void *arg, struct ixg_spec_nhgroup **out, uint32_t *n)
{
	struct ixg_spec_nhgroup *a;
	uint32_t k = 0, j = 0;

	/* the groups no entry names go; their ids are free again */
	for (uint32_t i = 0; i < g->n_live; i++) {
		uint16_t id = g->live_ids[i];

		if (g->g[id].refs == 0 && g->g[id].cfg == 0)
			g->g[id].live = 0;
		else
			g->live_ids[j++] = id;
	}
	g->n_live = j;
	qsort(g->live_ids, g->n_live, sizeof(g->live_ids[0]), cmp_u16);
	*out = NULL;
	*n = 0;
	if (g->n_live == 0)
		return 0;
	a = calloc(g->n_live, sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < g->n_live; i++) {
		const struct grp *x = &g->g[g->live_ids[i]];
		struct ixg_spec_nhgroup *e = &a[k];

		memset(e, 0, sizeof(*e));
		for (unsigned m = 0; m < x->n; m++) {
			/* a config route's group keeps every member: config
			 * routes are not shut out by max-prefix */
			if (x->cfg == 0 && usable != NULL &&
			    !usable(arg, x->m[m].peer))
				continue;
			e->peer_id[e->n_members] = x->m[m].peer;
			e->weight[e->n_members++] = x->m[m].weight;
		}
		if (e->n_members == 0)
			continue;
		e->id = g->live_ids[i];
		e->origin = x->cfg > 0 ? x->origin : IXG_ORIGIN_KERNEL;
		k++;
	}
	if (k == 0) {
		free(a);
		return 0;
	}
	*out = a;
	*n = k;
	return 0;
}

static const char *
peer_name(const struct ixg_spec *s, uint16_t id, char *buf, size_t len)
{
	for (uint32_t i = 0; s != NULL && i < s->n_peers; i++)
		if (s->peers[i].id == id)
			return s->peers[i].name;
	snprintf(buf, len, "peer %u", id);
	return buf;
}

void
rib_nhg_view(struct view *v, const struct rib_table *t,
	     const struct ixg_spec *s)
{
	const struct rib_nhg *g = rib_table_groups(t);
	uint16_t ids[IXG_MAX_NHGROUPS];
	uint32_t n = 0;

	for (uint32_t i = 0; i < g->n_live; i++)
		if (g->g[g->live_ids[i]].refs > 0 ||
		    g->g[g->live_ids[i]].cfg > 0)
			ids[n++] = g->live_ids[i];
	qsort(ids, n, sizeof(ids[0]), cmp_u16);
	view_arr(v, "nhgroups");
	if (n > 0)
		view_text(v, "  next-hop groups (ECMP): %" PRIu32 "\n", n);
	for (uint32_t i = 0; i < n; i++) {
		const struct grp *x = &g->g[ids[i]];

		view_obj(v, NULL);
		view_json(v, "id", V_U64(ids[i]));
		view_json(v, "prefixes", V_U64(x->refs));
		if (x->cfg > 0)
			view_json(v, "config_routes", V_U64(x->cfg));
		view_arr(v, "members");
		view_text(v, "    group %-5u %8" PRIu32 " prefixes", ids[i],
			  x->refs);
		if (x->cfg > 0)
			view_text(v, " and %" PRIu32 " config routes", x->cfg);
		view_text(v, ":");
		for (unsigned k = 0; k < x->n; k++) {
			const struct rib_member *m = rib_table_member(
				t, x->m[k].peer);
			bool in = m == NULL || !m->shut;
			char nb[32];
			const char *name = peer_name(s, x->m[k].peer, nb,
						     sizeof(nb));

			view_obj(v, NULL);
			view_json(v, "peer", V_STR(name));
			view_json(v, "weight", V_U64(x->m[k].weight));
			view_json(v, "installed", V_BOOL(in));
			view_end(v);
			view_text(v, "%s %s weight %u%s", k ? "," : "", name,
				  x->m[k].weight,
				  in ? "" : " (shut out: not installed)");
		}
		view_text(v, "\n");
		view_end(v);
		view_end(v);
	}
	view_end(v);
}
