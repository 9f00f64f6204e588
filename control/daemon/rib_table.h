/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rib_table.h - kernel routes as the dataplane gets them: every prefix
 * whose best kernel route (rtnl_store.h) the reader reported, resolved to
 * an action against the running configuration, and merged with the
 * config's own routes into the spec tables routes4, routes6 and
 * blackholes (doc/routing.md, "From a kernel route to the fast path").
 *
 * Resolution of a prefix's best kernel route:
 *   blackhole, unreachable, prohibit  an RFC 7999 blackhole, if some
 *        member's allowed prefixes (its sources: allow-source, else
 *        announce) cover the prefix ("only a member allowed to announce
 *        the covering prefix may blackhole it"), else refused;
 *   unicast   the members whose `next-hop` is a live gateway of the
 *        route (IPv4 or IPv6 gateway, RFC 8950 included), else
 *        unresolved; with `filter sources`, those whose sources do not
 *        cover the prefix are left out (all of them: refused). Several
 *        members: an ECMP group of them (rib_nhg.h), shared by every
 *        prefix with the same members and weights.
 * A member whose accepted kernel routes pass its max-prefix is shut out:
 * none of its kernel routes is merged until the count falls below 90% of
 * the limit. Same prefix in config and kernel: a blackhole from either
 * wins (both are merged; the dataplane's FIB keeps a blackhole over a
 * route); otherwise config wins, or kernel with `precedence kernel`.
 *
 * Plain C, no I/O: ixgate-control's loop thread owns one (rib.c), the
 * unit tests drive it with batches of their own store.
 */
#ifndef IXG_RIB_TABLE_H
#define IXG_RIB_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ixg_api.h"
#include "rtnl_store.h"

/* The origin of a merged kernel entry: never a config location
 * (ixg_conf_origin fails on it); `show routes` asks the rib instead. */
#define RIB_ORIGIN_KERNEL IXG_ORIGIN_KERNEL

/* What became of a prefix's best kernel route. */
#define RIB_KINDS(X)                                                           \
	X(ROUTE, "route", "forwarded to the member its gateway resolves to")   \
	X(BLACKHOLE, "blackhole", "an RFC 7999 blackhole")                     \
	X(UNRESOLVED, "unresolved",                                            \
	  "unicast route whose gateway is no member's next-hop")               \
	X(FILTERED, "filtered",                                                \
	  "refused: outside the member's allowed prefixes (filter sources)")   \
	X(BH_REFUSED, "blackhole_refused",                                     \
	  "blackhole refused: no member's allowed prefixes cover it")

enum rib_kind {
#define RIB_KIND_ENUM(e, n, d) RIB_K_##e,
	RIB_KINDS(RIB_KIND_ENUM)
#undef RIB_KIND_ENUM
		RIB_K_MAX
};

const char *rib_kind_name(unsigned k);
const char *rib_kind_desc(unsigned k);

struct rib_policy {
	bool filter; /* filter sources */
	bool precedence_kernel;
};

/* One member's kernel routes. */
struct rib_member {
	uint32_t routes; /* accepted (kind ROUTE), shut out or not */
	uint32_t filtered; /* refused by the filter now */
	uint64_t filtered_total; /* refusals since start */
	uint32_t max_prefix; /* 0: none */
	bool shut; /* over max-prefix: none merged */
	uint64_t shut_events; /* times shut out */
};

struct rib_table;

/* A table resolving against nothing yet (no member: every unicast route
 * is unresolved). NULL with errno set. */
struct rib_table *rib_table_new(void);
void rib_table_free(struct rib_table *t);

/* Log lines (max-prefix shut-outs and returns) go to log(arg, line). */
void rib_table_set_log(struct rib_table *t,
		       void (*log)(void *arg, const char *line), void *arg);

/*
 * Resolve against spec s from now on: its peers (next hops, max-prefix),
 * sources, and its first n_conf4/n_conf6/n_conf_bh routes4, routes6 and
 * blackholes, which are the config's own (the rest are kernel entries a
 * previous merge appended). Every prefix held is resolved again from
 * store (its best route now). s is only read during the call. 0 or
 * -ENOMEM (t then resolves against nothing until the next call).
 */
int rib_table_set_basis(struct rib_table *t, const struct ixg_spec *s,
			uint32_t n_conf4, uint32_t n_conf6, uint32_t n_conf_bh,
			const struct rib_policy *p,
			const struct rtnl_store *store);

/*
 * Apply a reader batch (each change's new best route; a `full` batch
 * replaces every prefix held: those it does not list are dropped).
 * Returns the number of prefixes whose merged entry changed, or -ENOMEM.
 */
long rib_table_apply(struct rib_table *t, const struct rtnl_batch *b);

/* Drop every prefix. */
void rib_table_clear(struct rib_table *t);

/* Prefixes held. */
uint32_t rib_table_size(const struct rib_table *t);

/*
 * The merged tables: the first n_conf* entries of base's routes4,
 * routes6 and blackholes (the config's), minus config routes a kernel
 * route beats, then every merged kernel entry (origin RIB_ORIGIN_KERNEL),
 * and the ECMP groups they name (rib_table_merge_groups).
 * New malloc'd arrays into out->routes4/routes6/blackholes/nhgroups and
 * their counts (the other fields of out are not touched). 0, -ENOSPC past a
 * capacity, or -ENOMEM.
 */
int rib_table_merge(const struct rib_table *t, const struct ixg_spec *base,
		    uint32_t n_conf4, uint32_t n_conf6, uint32_t n_conf_bh,
		    struct ixg_spec *out);

/*
 * The ECMP next-hop groups the merged routes name (rib_nhg.h; a route's
 * peer_id IXG_NH_GROUP | id), members over max-prefix left out, after
 * dropping the groups no entry names any more: a new malloc'd array into
 * out->nhgroups and its count (NULL, 0 when none). rib_table_merge calls
 * it (its out gets the groups too). 0 or -ENOMEM.
 */
int rib_table_merge_groups(const struct rib_table *t, struct ixg_spec *out);

/* The groups themselves, for `show` (read only). */
struct rib_nhg;
const struct rib_nhg *rib_table_groups(const struct rib_table *t);

/*
 * Source validation `feasible` (RFC 8704 s. 3.3): the sources of base with
 * every merged kernel route of a peer whose sav_mode (in base->peers) is
 * IXG_SAV_FEASIBLE added to that peer's, after the first n_conf_src4 /
 * n_conf_src6 entries of base's sources4 / sources6 (the config's; those
 * after them, kernel entries of an earlier merge, are dropped). New
 * malloc'd arrays into out->sources4/sources6 and their counts; when no
 * peer is feasible, nothing is allocated: out's arrays are NULL and 0 is
 * returned. 0, -ENOSPC past a capacity, or -ENOMEM.
 */
int rib_table_feasible(const struct rib_table *t, const struct ixg_spec *base,
		       uint32_t n_conf_src4, uint32_t n_conf_src6,
		       struct ixg_spec *out);

/*
 * Give each of the n blackholes of `next` its id (struct
 * ixg_spec_blackhole: what its counters are kept under): a prefix that
 * `prev` (the n_prev blackholes the dataplane runs, ids set) has keeps its
 * id; a new one takes the lowest id neither prev nor next uses (an id freed
 * by this very change only when no other is left), so its counters start
 * from zero (runtime.c). Duplicate prefixes in next get ids of their own.
 * 0, -ENOSPC (more than IXG_MAX_BLACKHOLES), -ENOMEM. Any thread; touches
 * only next's ids.
 */
int rib_blackhole_ids(struct ixg_spec_blackhole *next, uint32_t n,
		      const struct ixg_spec_blackhole *prev, uint32_t n_prev);

/* Counts: prefixes by kind (per family 4/6 in [0]/[1]), and those merged
 * (not shut out nor beaten by config). */
struct rib_counts {
	uint64_t kind[2][RIB_K_MAX];
	uint64_t merged4, merged6, merged_bh;
	uint64_t shadowed; /* kernel routes a config route beats */
	uint64_t shut_routes; /* routes of members shut out */
};
void rib_table_counts(const struct rib_table *t, struct rib_counts *c);

/* Member id's state (NULL for an id out of range). */
const struct rib_member *rib_table_member(const struct rib_table *t,
					  uint16_t id);

/* Prefix (family 4 or 6, dst in network order)'s entry: 0 with its kind
 * and member id (0: none), or -ENOENT. *merged: in the merged tables. */
int rib_table_lookup(const struct rib_table *t, int family, const uint8_t *dst,
		     unsigned len, uint8_t *kind, uint16_t *peer, bool *merged);

#endif /* IXG_RIB_TABLE_H */
