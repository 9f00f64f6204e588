/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fibrec.h - prefix FIBs that remember what they hold, so that the next
 * commit can bring a spare copy to the new content with a diff instead of
 * painting it again.
 *
 * A snapshot is immutable once published (tables.h), so a changed prefix
 * list needs a FIB that no worker reads. Painting one from the sorted
 * content (lpm.h) is cheap: 24-36 ms for 1.2M IPv4 prefixes, 20-55 ms for
 * 300k IPv6 ones (CPU time, bench/commit_bench and bench/lpm_bench). With
 * spares on (the dataplane's --fib-spares), each FIB kind ("slot") also
 * keeps one warm spare: the FIB the previous generation used, parked when
 * its last snapshot is freed (so no worker can still read it: the RCU
 * grace period has passed), or a copy made after start-up. A commit then
 * takes the slot's spare, diffs the content it holds against the new
 * content (both sorted), and repaints only the changed prefixes (4-10 ms
 * for a one-peer change on the full table). The running FIB is never
 * touched; the result is published with the rest of the snapshot by one
 * pointer store. Any failure while patching frees the spare and falls
 * back to a fresh build, so the outcome never depends on the path taken.
 *
 * The cost of spares is memory: each FIB exists twice in steady state.
 * They are off by default: a full table is painted in tens of
 * milliseconds, so a spare saves 20-60 ms of a commit but costs 64 MiB
 * or more per FIB for good.
 *
 * All functions: control thread only (they allocate and build).
 */
#ifndef IXG_FIBREC_H
#define IXG_FIBREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lpm.h"

/* What a FIB is for; one warm spare per slot. */
enum fib_slot {
	FIB_ROUTE4,
	FIB_ROUTE6,
	FIB_SAV4,
	FIB_SAV6,
	FIB_COUNTRY4,
	FIB_COUNTRY6,
	FIB_SLOTS
};

/*
 * IPv4 content: 64-bit keys as lpm.h's LPM4_KEY (address, length; the low
 * FIBREC_K4_CALLER_BITS bits are the caller's and ignored) and next hops
 * in a parallel array. IPv6 content: struct fib_pfx6 records (lpm.h).
 * Both sorted by (address, length) and without duplicates of one prefix.
 */
#define FIBREC_K4_CALLER_BITS 26

/* How a FIB of a new snapshot was made. */
enum fibrec_how {
	FIBREC_NONE, /* no FIB (empty table) or shared with the last snapshot */
	FIBREC_FRESH, /* built from scratch */
	FIBREC_PATCHED, /* the slot's spare, brought up to date by a diff */
};

struct fibrec_stat {
	uint8_t how; /* enum fibrec_how */
	uint32_t n; /* prefixes held */
	uint32_t adds, dels; /* prefixes added (incl. changed) and removed */
	uint64_t ns; /* time to make it */
	size_t bytes; /* its size in the rte_malloc heap */
	uint32_t groups; /* 256-entry groups in use (lpm.h) */
};

struct fibrec;

/*
 * Make a FIB of `slot` holding exactly the n sorted entries: patched from
 * the slot's spare when there is one and the difference is small
 * (lpm_update*: only the changed prefixes' ranges are repainted),
 * otherwise painted fresh (lpm_build*). Returns the record, or NULL with
 * a negative errno in *rc and, for a bad entry, its index in *bad (else
 * SIZE_MAX). `st` (may be NULL) receives how it was made.
 */
struct fibrec *fibrec_make4(enum fib_slot slot, const uint64_t *k,
			    const uint32_t *nh, size_t n,
			    struct fibrec_stat *st, size_t *bad, int *rc);
struct fibrec *fibrec_make6(enum fib_slot slot, const struct fib_pfx6 *p,
			    size_t n, struct fibrec_stat *st, size_t *bad,
			    int *rc);

/*
 * Make a FIB of `slot` holding the sorted content (k, nh, n) / (p, n),
 * which the caller built from prev's content (fibrec_content*) by
 * replacing what lies inside the prefixes ch[0..n_ch) (sorted, none
 * inside another; any other entry is prev's): the slot's spare, when it
 * holds prev's content (or the one prev was spliced from), is repainted
 * over those ranges only (lpm_patch*: no pass over the content, no
 * diff), else the FIB is painted fresh (also beyond the patch
 * break-even). Takes the arrays k, nh / p (malloc'd, sorted and valid:
 * not checked again on the patch path; freed on failure); lens: the
 * lengths they may hold (a superset). The record remembers the ranges,
 * so fibrec_warm brings the parked FIB of prev to it by them. Returns as
 * fibrec_make*.
 */
struct fibrec *fibrec_splice4(enum fib_slot slot, const struct fibrec *prev,
			      uint64_t *k, uint32_t *nh, size_t n,
			      const uint64_t lens[3], const uint64_t *ch,
			      size_t n_ch, struct fibrec_stat *st, size_t *bad,
			      int *rc);
struct fibrec *fibrec_splice6(enum fib_slot slot, const struct fibrec *prev,
			      struct fib_pfx6 *p, size_t n,
			      const uint64_t lens[3], const struct fib_pfx6 *ch,
			      size_t n_ch, struct fibrec_stat *st, size_t *bad,
			      int *rc);

/* The content r holds (read-only, valid while r lives) and the lengths
 * it may hold; its size, or SIZE_MAX if r is NULL or of the other
 * family. */
size_t fibrec_content4(const struct fibrec *r, const uint64_t **k,
		       const uint32_t **nh, const uint64_t **lens);
size_t fibrec_content6(const struct fibrec *r, const struct fib_pfx6 **p,
		       const uint64_t **lens);

/*
 * The prefixes in which the contents of p and n differ (in one only, or
 * with another next hop), sorted: IPv4 keys / IPv6 records (p's where
 * both hold one) into *out, malloc'd (NULL when none), their count into
 * *n_out. A NULL record or one of the other family counts as empty.
 * 0 or -ENOMEM.
 */
int fibrec_diff4(const struct fibrec *p, const struct fibrec *n, uint64_t **out,
		 size_t *n_out);
int fibrec_diff6(const struct fibrec *p, const struct fibrec *n,
		 struct fib_pfx6 **out, size_t *n_out);

/* The table inside r; NULL for NULL. */
const struct lpm *fibrec_lpm(const struct fibrec *r);

/*
 * r is no longer read by any worker (its last snapshot is freed after the
 * grace period): keep it as its slot's spare (replacing an older spare) if
 * spares are on, else free it. NULL is a no-op.
 */
void fibrec_retire(struct fibrec *r);

/*
 * If spares are on and r's slot has none, build a copy of r as the spare,
 * so the first change after start-up is patched too; if the slot's spare
 * holds another content than r (the FIB of the generation before r's,
 * parked after the grace period), patch it to r's content, so the next
 * commit patches only its own changes (by r's ranges alone when r was
 * spliced from the spare's content, fibrec_splice*; a copy when patching
 * is not worth it; the content arrays are shared, not copied). 1 if a spare was made or brought up, 0 if none was needed, negative
 * errno on failure (nothing kept).
 */
int fibrec_warm(const struct fibrec *r);

/* Spares on or off (default off; the live dataplane turns them on).
 * Turning them off frees the parked ones. */
void fibrec_set_spares(bool on);

/* FIBs holding fewer than n prefixes get no spare (default 4096: they are
 * rebuilt in milliseconds; tests lower it). */
void fibrec_set_spare_min(size_t n);
bool fibrec_spares_on(void);

/* A spare is patched when the change is at most 64 prefixes or under
 * n / r of the n prefixes (default r = 64, measured; 0 restores it;
 * tests lower it to patch small tables), else the FIB is built fresh. */
void fibrec_set_patch_ratio(unsigned r);

/*
 * Heap bytes the spares fibrec_warm would still copy for the live FIBs
 * r[0..n) (NULLs skipped): of those a spare is kept for whose slot has
 * none. 0 with spares off.
 */
size_t fibrec_spare_need(struct fibrec *const *r, unsigned n);

/* Spares parked now, their heap bytes, and free them all. */
unsigned fibrec_spares(void);
size_t fibrec_spare_bytes(void);
void fibrec_drop_spares(void);

/* FIBs (records) alive now, spares included: a leak check for tests. */
unsigned long fibrec_live(void);

/* Short name of a slot ("route4", ...). */
const char *fibrec_slot_name(enum fib_slot slot);

#endif /* IXG_FIBREC_H */
