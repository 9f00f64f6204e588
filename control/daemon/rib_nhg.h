/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rib_nhg.h - ECMP next-hop groups of the kernel routes (doc/routing.md,
 * "ECMP"): one group per distinct set of (member, weight), shared by every
 * prefix whose best route resolves to that set, counted by the entries
 * that name it (rib_table.c), numbered with a stable id while it lives,
 * and sent to the dataplane as the spec table nhgroups (a route's peer_id
 * IXG_NH_GROUP | id).
 *
 * A group is kept while an entry names it and dropped at the next
 * rib_nhg_emit after the last one left (so an entry that comes back to
 * the same set before then finds the same id). Weights are stored
 * divided by their greatest common divisor: 2:2 and 1:1 are one group.
 *
 * Plain C, no I/O; the owner of the rib_table (ixgate-control's loop
 * thread, or a unit test) calls everything.
 */
#ifndef IXG_RIB_NHG_H
#define IXG_RIB_NHG_H

#include <stdbool.h>
#include <stdint.h>

#include "ixg_api.h"

struct rib_nhg_member {
	uint16_t peer; /* peer id, 1..IXG_MAX_PEERS-1 */
	uint16_t weight; /* 1..256 */
};

/* Whether a route's next-hop value names a group (else a peer id). */
static inline bool
rib_nh_is_group(uint16_t nh)
{
	return (nh & IXG_NH_GROUP) != 0;
}

struct rib_nhg;

/* An empty registry; NULL with errno set. */
struct rib_nhg *rib_nhg_new(void);
void rib_nhg_free(struct rib_nhg *g);

/*
 * The id of the group of members m[0..n) (n 2..IXG_NHG_MAX_MEMBERS,
 * distinct peers, any order; weights 1..256), made (with no reference) if
 * there is none: the lowest free id (or a preferred one: rib_nhg_prefer).
 * Returns the id, or -ENOSPC when IXG_MAX_NHGROUPS groups live, -EINVAL
 * for a bad set.
 */
int rib_nhg_find(struct rib_nhg *g, const struct rib_nhg_member *m, unsigned n);

/* One more (sign > 0) or one fewer (sign < 0) entry naming group id. */
void rib_nhg_ref(struct rib_nhg *g, uint16_t id, int sign);

/*
 * One more config route (a route block of the config, doc/routing.md
 * "ECMP") naming group id; the first one's origin (its file:line:col)
 * becomes the group's. A group a config route names stays while it does
 * and keeps every member in rib_nhg_emit (config routes are not shut out
 * by max-prefix); kernel routes resolving to the same members and
 * weights share it.
 */
void rib_nhg_ref_config(struct rib_nhg *g, uint16_t id, uint32_t origin);

/* Config routes naming group id (0: none, or no such group). */
uint32_t rib_nhg_config_refs(const struct rib_nhg *g, uint16_t id);

/*
 * Prefer the ids a running dataplane gives its groups v[0..n) (from
 * GET_IDS, when ixgate-control adopts a dataplane it did not configure):
 * a set of members and weights found in v is made with v's id while that
 * id is free, and a set v lacks takes the lowest id v does not use while
 * there is one, so routes keep the values the dataplane runs and the
 * group counters keep their labels. The groups made before are dropped at
 * the next rib_nhg_unref_all (the caller then resolves every entry again),
 * so they are made again with these ids. v's invalid elements are
 * skipped; one call replaces the previous one's preferences. 0 or
 * -ENOMEM (nothing changed).
 */
int rib_nhg_prefer(struct rib_nhg *g, const struct ixg_spec_nhgroup *v,
		   uint32_t n);

/* Every group named by no entry and no config route (before every entry
 * is counted again); after rib_nhg_prefer, no group at all. */
void rib_nhg_unref_all(struct rib_nhg *g);

/* Group id's members into out (room for IXG_NHG_MAX_MEMBERS), sorted by
 * peer id; returns how many (0: no such group). */
unsigned rib_nhg_members(const struct rib_nhg *g, uint16_t id,
			 struct rib_nhg_member *out);

/* Entries naming group id (0: none, or no such group). */
uint32_t rib_nhg_refs(const struct rib_nhg *g, uint16_t id);

/* Groups alive (named by an entry or not dropped yet). */
uint32_t rib_nhg_count(const struct rib_nhg *g);

/*
 * Drop the groups no entry and no config route names, then write the
 * others as spec elements, by id, leaving out the members for which
 * usable(arg, peer) is false (a member shut out by its max-prefix) unless
 * a config route names the group (then every member stays, and the
 * element's origin is the config's); a group with no usable member is
 * left out (no merged route names it). A new malloc'd array into *out
 * (NULL when none) and its count into *n. 0 or -ENOMEM.
 */
int rib_nhg_emit(struct rib_nhg *g,
		 bool (*usable)(const void *arg, uint16_t peer),
		 const void *arg, struct ixg_spec_nhgroup **out, uint32_t *n);

/*
 * `show kernel-routes`' ECMP part: JSON "nhgroups", an array of {id,
 * prefixes, members: [{peer, weight, installed}]} (installed false: the
 * member is shut out by its max-prefix, so left out of the dataplane's
 * group), and, when there are groups, a text line for each. t's groups,
 * peer names from s (NULL: ids). Loop thread.
 */
struct view;
struct rib_table;
void rib_nhg_view(struct view *v, const struct rib_table *t,
		  const struct ixg_spec *s);

#endif /* IXG_RIB_NHG_H */
