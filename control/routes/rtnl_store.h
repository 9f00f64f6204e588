/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtnl_store.h - a mirror of the kernel routing tables ixgate follows, the
 * best route of every prefix, and the changes of that best route gathered
 * into batches.
 *
 * Per prefix (family, destination, length) the store keeps every kernel
 * entry of every followed table, in the kernel's own order, applying
 * RTM_NEWROUTE/RTM_DELROUTE with the kernel's semantics (replace, append,
 * prepend; IPv6 ECMP siblings that join and leave one entry; several
 * metrics for one prefix). Every operation is idempotent, so events that
 * arrived during a dump can be replayed on the dump's result.
 *
 * The best route of a prefix (what ixgate forwards with): among the
 * entries with no TOS and no source prefix, of type unicast (with at
 * least one live next hop), blackhole, unreachable or prohibit, the one
 * of the first table in the followed list, then of the lowest metric, then
 * the first in the kernel's order (the one the kernel itself would use).
 *
 * A change batch lists each prefix whose best route changed since the last
 * batch once, with the best route before the first change and the best
 * route now: add-then-delete inside one batch cancels out.
 *
 * Not thread-safe: one thread (ixgate-control's loop) owns a store.
 */
#ifndef IXG_RTNL_STORE_H
#define IXG_RTNL_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "rtnl.h"

struct rtnl_store;

/* What rtnl_store_apply() did. */
enum rtnl_apply {
	RTNL_ADDED, /* a new entry */
	RTNL_REPLACED, /* an entry replaced (NLM_F_REPLACE, an IPv6 ECMP
			* sibling joining or leaving) */
	RTNL_UPDATED, /* the same entry again (its volatile flags may
		       * differ): a replayed or duplicated message */
	RTNL_DELETED, /* the entry the message names, removed */
	RTNL_DEL_INEXACT, /* no exact match: the first entry of the same
			   * key and type was removed */
	RTNL_DEL_MISSING, /* nothing to delete */
	RTNL_NOMEM,
};

/* How a message applies: an event (RTM_NEWROUTE with its nlmsg_flags, or
 * RTM_DELROUTE) or one route of a dump (appended in the kernel's order). */
enum rtnl_op {
	RTNL_OP_NEW,
	RTNL_OP_DEL,
	RTNL_OP_DUMP,
};

/* One prefix whose best route changed. The routes belong to the store
 * and are valid during the batch callback only. */
struct rtnl_change {
	uint8_t family;
	uint8_t len;
	uint8_t dst[16];
	const struct rtnl_route *old_best; /* NULL: no usable route before */
	const struct rtnl_route *new_best; /* NULL: none now (withdrawn) */
	uint64_t first_ns; /* when the first message that touched the
			    * prefix in this batch was read */
};

struct rtnl_batch {
	uint64_t seq; /* 1, 2, ... */
	bool full; /* the first batch after start: every prefix, old_best
		    * NULL (build the tables, not a delta) */
	uint32_t n;
	const struct rtnl_change *changes;
	uint64_t open_ns; /* first pending change */
	uint64_t flush_ns; /* when the batch was cut */
};

/*
 * A store that keeps the routes of `tables` (n_tables, in precedence
 * order: the first table that has a usable route for a prefix gives its
 * best route); n_tables 0 keeps every table (lower id first). NULL with
 * errno set on failure. Loop thread (any single thread).
 */
struct rtnl_store *rtnl_store_new(const uint32_t *tables, unsigned n_tables);

/* Free s, its entries and its pending changes. NULL is fine. */
void rtnl_store_free(struct rtnl_store *s);

/* Whether s keeps pending changes for batches (the default). A dump's
 * shadow store, which only ever replaces another store's content, does
 * not need them (rtnl_reader.c). */
void rtnl_store_set_tracking(struct rtnl_store *s, bool track);

/* True if routes of `table` are kept. */
bool rtnl_store_follows(const struct rtnl_store *s, uint32_t table);

/*
 * Apply one parsed route (copied; r is not kept). `nl_flags` are the
 * message's nlmsg_flags (NLM_F_REPLACE, NLM_F_APPEND) for RTNL_OP_NEW.
 * A prefix whose entries change becomes pending (its best route before
 * the change is kept for the next batch) with first_ns `now_ns`.
 * Routes of tables the store does not follow are the caller's to skip.
 */
enum rtnl_apply rtnl_store_apply(struct rtnl_store *s, enum rtnl_op op,
				 uint16_t nl_flags, const struct rtnl_route *r,
				 uint64_t now_ns);

/*
 * Move every route of `from` into s, as the new content of s (a resync:
 * `from` was filled by a dump). Prefixes of either become pending, so the
 * next batch lists exactly the prefixes whose best route differs. `from`
 * is left empty. Returns 0 or -ENOMEM (s unchanged then).
 */
int rtnl_store_replace_all(struct rtnl_store *s, struct rtnl_store *from,
			   uint64_t now_ns);

/* Prefixes pending for the next batch, and when the oldest became so
 * (0 if none). */
uint32_t rtnl_store_pending(const struct rtnl_store *s);
uint64_t rtnl_store_pending_since(const struct rtnl_store *s);

typedef void (*rtnl_batch_cb)(void *arg, const struct rtnl_batch *b);

/*
 * Cut a batch of the pending prefixes whose best route changed and hand it
 * to cb (not called when nothing changed, the pending prefixes all
 * cancelling out, unless `full`: the first, complete batch, even empty).
 * Returns the number of changes, or -ENOMEM (pending kept). *coalesced
 * (may be NULL) gets the pending prefixes that changed nothing.
 */
int rtnl_store_flush(struct rtnl_store *s, bool full, uint64_t now_ns,
		     rtnl_batch_cb cb, void *arg, uint32_t *coalesced);

/* Best route of a prefix (see above), NULL if none. */
const struct rtnl_route *rtnl_store_best(const struct rtnl_store *s, int family,
					 const uint8_t *dst, unsigned len);

/* Entries of a prefix in the kernel's order, through cb; returns how
 * many. */
unsigned rtnl_store_prefix(const struct rtnl_store *s, int family,
			   const uint8_t *dst, unsigned len,
			   void (*cb)(void *arg, const struct rtnl_route *r),
			   void *arg);

/* Every entry (prefix by prefix, each prefix's entries in the kernel's
 * order; prefixes in no particular order). */
void rtnl_store_walk(const struct rtnl_store *s,
		     void (*cb)(void *arg, const struct rtnl_route *r),
		     void *arg);

/* Entries and prefixes held, per family (AF_INET, AF_INET6). */
uint64_t rtnl_store_routes(const struct rtnl_store *s, int family);
uint64_t rtnl_store_prefixes(const struct rtnl_store *s, int family);

/* True if some entry has a next hop through ifindex. */
bool rtnl_store_uses_ifindex(const struct rtnl_store *s, uint32_t ifindex);

/* Check the store's invariants (hash, counts, order, refcounts): 0 or a
 * negative number naming the first broken one. For tests and fuzzers. */
int rtnl_store_check(const struct rtnl_store *s);

#endif /* IXG_RTNL_STORE_H */
