/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nhg_table.c - ECMP next-hop groups (doc/routing.md, "ECMP"): what
 * stage_route (route_stage.c) reads when a route's FIB value is
 * NH_GROUP | id. Each group of the spec (struct ixg_spec_nhgroup: members
 * and weights) is expanded into IXG_NHG_SLOTS hash slots, each slot given
 * to one member by weighted rendezvous hashing (highest random weight,
 * Thaler and Ravishankar; the weighted form of Schindelhauer and
 * Schomaker): slot s goes to the member m with the lowest
 * -ln(u(s, m)) / weight(m), u uniform in (0, 1) from a fixed hash of (s,
 * m). A member's expected share is its weight over the sum, and the
 * choice of a slot depends only on the members present: a member leaving
 * gives up its own slots and no other slot changes owner, one joining
 * takes only slots from the others. Balance is statistical (1024 slots:
 * a member's share is within a few percent of its weight's; test_ecmp
 * measures it). Nothing here depends on the order of
 * the members nor on the group's id, so two groups of the same members
 * spread alike.
 * A group's slots are kept per family and name hop values
 * (tables.h, TBL_HOPS), so a member whose BGP session of a family is down
 * leaves that family's slots to the others (nhg_repaint, at once, when
 * the control plane says so: hop_table.c).
 * Hooks (tables_impl.h): the spec table "nhgroups", the part "nhg".
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "tables_impl.h"

_Static_assert((IXG_NHG_SLOTS & (IXG_NHG_SLOTS - 1)) == 0,
	       "stage_route takes the slot from the hash's top bits");
_Static_assert(IXG_MAX_NHGROUPS <= NH_INDEX_MASK + 1,
	       "a group id fits the FIB's next-hop index");
_Static_assert(IXG_MAX_PEERS <= IXG_NH_GROUP,
	       "a route's peer id and group bit do not overlap");

/* ------------------------------------------------------------------ */
/* Checks and names.                                                  */

static void
nhgroups_describe(const struct ixg_spec *s, uint32_t i, char *buf, size_t len)
{
	snprintf(buf, len, "next-hop group %u (origin %" PRIu32 ")",
		 s->nhgroups[i].id, s->nhgroups[i].origin);
}

/* Ids unique and in range; members configured peers, distinct, weighted
 * 1..256; what is past n_members zero (so equal groups are equal bytes). */
static int
nhgroups_validate(struct spec_check *c)
{
	const struct ixg_spec *s = c->s;
	uint64_t seen[IXG_MAX_NHGROUPS / 64] = {0};

	for (uint32_t i = 0; i < s->n_nhgroups; i++) {
		const struct ixg_spec_nhgroup *g = &s->nhgroups[i];
		char what[96];

		nhgroups_describe(s, i, what, sizeof(what));
		if (g->id >= IXG_MAX_NHGROUPS)
			return spec_refuse(c, IXG_TBL_NHGROUPS, i, g->origin,
					   "%s: id past %u", what,
					   IXG_MAX_NHGROUPS - 1);
		if (spec_id_has(seen, g->id))
			return spec_refuse(c, IXG_TBL_NHGROUPS, i, g->origin,
					   "%s: id %u is another group's", what,
					   g->id);
		spec_id_add(seen, g->id);
		if (g->n_members == 0 || g->n_members > IXG_NHG_MAX_MEMBERS ||
		    g->_pad != 0)
			return spec_refuse(c, IXG_TBL_NHGROUPS, i, g->origin,
					   "%s: %u members (1..%u)", what,
					   g->n_members, IXG_NHG_MAX_MEMBERS);
		for (unsigned k = 0; k < IXG_NHG_MAX_MEMBERS; k++) {
			uint16_t p = g->peer_id[k], w = g->weight[k];

			if (k >= g->n_members) {
				if (p != 0 || w != 0)
					return spec_refuse(
						c, IXG_TBL_NHGROUPS, i,
						g->origin,
						"%s: member %u past its %u "
						"members is not zero",
						what, k, g->n_members);
				continue;
			}
			if (!spec_peer_exists(c, p))
				return spec_refuse(c, IXG_TBL_NHGROUPS, i,
						   g->origin,
						   "%s: member %u: peer %u "
						   "does not exist",
						   what, k, p);
			if (w < 1 || w > 256)
				return spec_refuse(c, IXG_TBL_NHGROUPS, i,
						   g->origin,
						   "%s: member %u: weight %u "
						   "(1..256)",
						   what, k, w);
			for (unsigned j = 0; j < k; j++)
				if (g->peer_id[j] == p)
					return spec_refuse(
						c, IXG_TBL_NHGROUPS, i,
						g->origin,
						"%s: peer %u is a member "
						"twice",
						what, p);
		}
	}
	return 0;
}

const struct spec_table_ops spec_table_nhgroups = {
	.validate = nhgroups_validate,
	.describe = nhgroups_describe,
};

/* See tables_impl.h. */
void
spec_nhg_ids(const struct ixg_spec *s, uint64_t ids[IXG_MAX_NHGROUPS / 64])
{
	memset(ids, 0, IXG_MAX_NHGROUPS / 8);
	for (uint32_t i = 0; i < s->n_nhgroups; i++)
		if (s->nhgroups[i].id < IXG_MAX_NHGROUPS)
			spec_id_add(ids, s->nhgroups[i].id);
}

/* ------------------------------------------------------------------ */
/* The part "nhg".                                                    */

/* splitmix64's finaliser: a fixed, well-mixed hash of (slot, peer). */
static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* See tables_impl.h. */
uint16_t
nhg_slot_owner(const struct ixg_spec_nhgroup *g, unsigned slot)
{
	double best = INFINITY;
	uint16_t owner = 0;

	for (unsigned k = 0; k < g->n_members && k < IXG_NHG_MAX_MEMBERS; k++) {
		uint64_t h = mix64((uint64_t)slot << 16 | g->peer_id[k]);
		/* u in (0, 1): 53 bits and a half step off zero */
		double u = ((double)(h >> 11) + 0.5) * 0x1p-53;
		double score = -log(u) / (double)g->weight[k];

		if (score < best || (score == best && g->peer_id[k] < owner)) {
			best = score;
			owner = g->peer_id[k];
		}
	}
	return owner;
}

/*
 * The slots of group g for family f (0 IPv4, 1 IPv6) into slot[]: each
 * the hop value (TBL_HOP_KERNEL4/6 + member) of its owner among the
 * members whose session of f is up in t; among all of them when none is
 * (then each slot keeps its own member, dropped peer_down). Rendezvous
 * hashing: a member going down gives up only its own slots. With
 * `atomic`, slots already published: each one that changes is written
 * with one atomic store (workers read them relaxed), and the count of
 * those is returned.
 */
static unsigned
nhg_paint(const struct tables *t, const struct ixg_spec_nhgroup *g, unsigned f,
	  uint16_t *slot, bool atomic)
{
	const unsigned base = f == 0 ? TBL_HOP_KERNEL4 : TBL_HOP_KERNEL6;
	struct ixg_spec_nhgroup up = *g;
	unsigned n = 0, changed = 0;

	for (unsigned k = 0; k < g->n_members && k < IXG_NHG_MAX_MEMBERS; k++)
		if (!tables_peer_is_down(t, f, g->peer_id[k])) {
			up.peer_id[n] = g->peer_id[k];
			up.weight[n++] = g->weight[k];
		}
	if (n > 0)
		up.n_members = (uint8_t)n;
	else
		up = *g;
	for (unsigned sl = 0; sl < IXG_NHG_SLOTS; sl++) {
		uint16_t v = (uint16_t)(base + nhg_slot_owner(&up, sl));

		if (!atomic) {
			slot[sl] = v;
		} else if (__atomic_load_n(&slot[sl], __ATOMIC_RELAXED) != v) {
			__atomic_store_n(&slot[sl], v, __ATOMIC_RELAXED);
			changed++;
		}
	}
	return changed;
}

static int
nhg_build(struct tbl_build *b)
{
	const struct ixg_spec *s = b->spec;
	struct tables *t = b->t;
	uint32_t n = 0;

	for (uint32_t i = 0; i < s->n_nhgroups; i++)
		if (s->nhgroups[i].id >= n)
			n = s->nhgroups[i].id + 1u;
	if (n == 0)
		return 0;
	if (n > IXG_MAX_NHGROUPS)
		return tbl_fail(b, -ENOSPC, "next-hop groups: id %" PRIu32,
				n - 1);
	t->nhg = rte_zmalloc("nhg", n * sizeof(*t->nhg), 64);
	if (t->nhg == NULL)
		return tbl_fail(b, -ENOMEM, "next-hop groups: out of memory");
	t->n_nhg = n;
	for (uint32_t i = 0; i < s->n_nhgroups; i++) {
		const struct ixg_spec_nhgroup *g = &s->nhgroups[i];
		struct tbl_nhg *tg = &t->nhg[g->id];

		for (unsigned k = 0; k < g->n_members; k++)
			if (k >= IXG_NHG_MAX_MEMBERS ||
			    !tbl_peer_ok(b, g->peer_id[k])) {
				char what[96];

				nhgroups_describe(s, i, what, sizeof(what));
				return tbl_fail(b, -EINVAL,
						"%s: member %u not configured",
						what, k);
			}
		for (unsigned f = 0; f < 2; f++)
			nhg_paint(t, g, f, tg->slot[f], false);
		tg->n_members = g->n_members;
	}
	return 0;
}

/* See tables_impl.h. */
void
nhg_repaint(struct tables *t, const struct ixg_spec *spec,
	    const uint64_t changed[2][IXG_MAX_PEERS / 64], unsigned *groups,
	    unsigned *slots)
{
	*groups = *slots = 0;
	if (t->nhg == NULL)
		return;
	for (uint32_t i = 0; i < spec->n_nhgroups; i++) {
		const struct ixg_spec_nhgroup *g = &spec->nhgroups[i];
		bool hit = false;

		if (g->id >= t->n_nhg)
			continue;
		for (unsigned f = 0; f < 2; f++) {
			bool fam = false;

			for (unsigned k = 0;
			     k < g->n_members && k < IXG_NHG_MAX_MEMBERS; k++) {
				uint16_t p = g->peer_id[k];

				if (p < IXG_MAX_PEERS &&
				    (changed[f][p / 64] >> (p % 64) & 1u))
					fam = true;
			}
			if (!fam)
				continue;
			hit = true;
			*slots += nhg_paint(t, g, f, t->nhg[g->id].slot[f],
					    true);
		}
		*groups += hit;
	}
}

/* The slots depend on the groups and nothing else (their members are
 * checked configured by the validation): a route commit that leaves the
 * groups alone shares them. */
static bool
nhg_same(const struct tbl_build *b)
{
	return b->prev != NULL && tbl_same(b, IXG_TBL_NHGROUPS) &&
	       tbl_same_peer_ids(b);
}

static void
nhg_share(struct tables *t, const struct tables *from)
{
	t->nhg = from->nhg;
	t->n_nhg = from->n_nhg;
}

static void
nhg_free(struct tables *t)
{
	rte_free(t->nhg);
}

const struct tbl_part_ops tbl_part_nhg = {
	.build = nhg_build,
	.same = nhg_same,
	.share = nhg_share,
	.free = nhg_free,
};
