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
 * sources, and the config's own routes4, routes6 and blackholes: of their
 * first n_conf4/n_conf6/n_conf_bh entries, those whose origin is not
 * RIB_ORIGIN_KERNEL (a merged spec, sorted or not, gives its config
 * entries back; a config route a kernel route beat with `precedence
 * kernel` is not in it, so re-basing on such a spec loses it). The
 * config's routes are kept (sorted) for the merges; those naming a
 * next-hop group of s (route blocks: IXG_NH_GROUP | the id in s's
 * nhgroups) name the registry's group of the same members and weights
 * instead (rib_nhg_ref_config), -EINVAL for a group s lacks. Every prefix held is
 * resolved again from store (its best route now); the next build is a
 * full one (rib_table_delta says -EAGAIN). s is only read during the
 * call. 0 or -ENOMEM (t then resolves against nothing until the next
 * call).
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
 * The merged tables (the full path, and the reference of rib_table_delta):
 * the config's routes as the last rib_table_set_basis kept them (n_conf4
 * and n_conf6 are not read), minus those a kernel route beats, and of
 * base's first n_conf_bh blackholes those not from the kernel; then every
 * merged kernel entry (origin RIB_ORIGIN_KERNEL), and the ECMP groups they
 * name (rib_table_merge_groups).
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
 * A running dataplane's groups v[0..n) (GET_IDS) give the ids of the
 * groups made from now on (rib_nhg_prefer); the next
 * rib_table_set_basis makes every group again with them. 0 or -ENOMEM.
 */
int rib_table_prefer_groups(struct rib_table *t,
			    const struct ixg_spec_nhgroup *v, uint32_t n);

/*
 * Source validation `feasible` (RFC 8704 s. 3.3): the sources of base with
 * every merged kernel route of a peer whose sav_mode (in base->peers) is
 * IXG_SAV_FEASIBLE added to that peer's, after the config's: the first
 * n_conf_src4 / n_conf_src6 entries of base's sources4 / sources6 whose
 * origin is not RIB_ORIGIN_KERNEL (kernel entries of an earlier merge are
 * dropped). New
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

/*
 * Route deltas (doc/routing.md, "Route deltas"): what changed since the
 * tables last went to the dataplane, as edits, in time proportional to
 * the changes. rib_table_apply remembers each prefix whose entry changed;
 * a basis (rib_table_set_basis), a clear, or a member shut out or let
 * back by max-prefix reaches beyond them and asks for a full merge.
 * Whoever changes an entry's kind or peer outside rib_table_apply and
 * rib_table_set_basis must call rib_table_mark_full.
 */
struct rib_delta {
	/* routes4 [0], routes6 [1]: struct ixg_delta_route4 / 6, sorted by
	 * prefix, one per prefix (malloc'd; NULL when none). */
	void *edits[2];
	uint64_t n_edits[2];
	uint32_t added[2], removed[2], changed[2];
	/* The blackholes (ids not given yet) and the sources, new arrays
	 * when they changed (else NULL, *_changed false). */
	bool blackholes_changed, sources_changed;
	struct ixg_spec_blackhole *blackholes;
	uint32_t n_blackholes;
	struct ixg_spec_route4 *sources4;
	struct ixg_spec_route6 *sources6;
	uint32_t n_sources4, n_sources6;
	/* The ECMP groups (rib_table_merge_groups), a new array when they
	 * differ from cur's (else NULL, nhgroups_changed false): the
	 * commit sends them whole with the edits, so no route names a
	 * group the dataplane lacks. */
	bool nhgroups_changed;
	struct ixg_spec_nhgroup *nhgroups;
	uint32_t n_nhgroups;
};

/*
 * The delta that brings cur to what rib_table_merge (and, with feasible
 * members, rib_table_feasible) would build now: cur's routes4 and routes6
 * are what the dataplane holds (sorted by prefix, one per prefix: the last
 * commit's), its blackholes, sources4/6 and peers the running ones. Each
 * changed prefix is resolved again and compared with what cur holds (a
 * prefix resolving to an ECMP group: the edit's value is the group's,
 * IXG_NH_GROUP | id); the tables are not walked (the blackholes and
 * sources are, when one of theirs changed: a feasible member's kernel
 * route before or after, a group's members included; the groups, at most
 * IXG_MAX_NHGROUPS, always, compared with cur's nhgroups). The sets equal the full merge's; the order of the
 * blackholes and sources may differ. On success the remembered prefixes
 * are consumed (after a failed commit, rib_table_mark_full). 0,
 * -EAGAIN (a full merge is needed, or is cheaper: over a quarter of the
 * table changed), -ENOSPC or -ENOMEM (out empty then). Loop thread.
 */
int rib_table_delta(struct rib_table *t, const struct ixg_spec *cur,
		    struct rib_delta *out);
void rib_delta_free(struct rib_delta *d);

/* The next build must be a full merge (and forget the changed prefixes). */
void rib_table_mark_full(struct rib_table *t);

/* A full merge went out: nothing to remember any more. */
void rib_table_synced(struct rib_table *t);

/* Prefixes remembered for the next delta; *full: a full merge needed. */
uint32_t rib_table_dirty(const struct rib_table *t, bool *full);

/*
 * Link-local gateways (doc/routing.md, "Gateways by link-local address"):
 * a kernel route's IPv6 gateway in fe80::/10 resolves to the member whose
 * configured `next-hop` it is, else whose MAC's modified EUI-64 it is
 * (RFC 4291 appendix A), else that the dataplane learned it from by ND
 * (neigh.h): the first of these that names it wins; two members at one
 * level resolve it to neither (logged).
 */
struct rib_lladdr {
	uint16_t peer; /* the member's id */
	uint8_t addr[16]; /* fe80::/10; others are ignored */
};

/*
 * Replace the learned pairs with v[0..n) (the dataplane's whole table;
 * an address two members taught: neither, logged once). When the mapping
 * changed, every prefix held is resolved again from store (its best
 * route now; NULL: none resolved again), each changed prefix remembered
 * for the next delta. Returns the prefixes whose entry changed (0 when
 * the mapping did not), or -ENOMEM (t unchanged). Loop thread.
 */
long rib_table_set_learned(struct rib_table *t, const struct rib_lladdr *v,
			   uint32_t n, const struct rtnl_store *store);

/*
 * The link-local gateways of the routes resolved since the last basis or
 * learned change that no config next hop nor EUI-64 gives (resolved by a
 * learned pair or not at all): what the dataplane should solicit and
 * keep fresh. Up to max into out; returns how many. A gateway whose
 * routes went since stays in the list until the next basis or learned
 * change. Loop thread.
 */
uint32_t rib_table_ll_wanted(const struct rib_table *t, uint8_t (*out)[16],
			     uint32_t max);

/* Who IPv6 gateway addr resolves to now (config next hop or EUI-64, else
 * learned): the peer id, -ENOENT (nobody), -EEXIST (two members). */
int rib_table_gateway(const struct rib_table *t, const uint8_t addr[16]);

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
