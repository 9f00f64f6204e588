/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fibrec.h - prefix FIBs that remember what they hold, so that the next
 * commit can bring a spare copy to the new content with a diff instead of
 * building it again.
 *
 * A snapshot is immutable once published (tables.h), so a changed prefix
 * list needs a FIB that no worker reads. Building one from scratch costs
 * the whole table (565k routes: ~1 s of rte_fib_add plus 64 MiB of tbl24 to
 * zero). Instead each FIB kind ("slot") keeps one warm spare: the FIB the
 * previous generation used, parked when its last snapshot is freed (so no
 * worker can still read it: the RCU grace period has passed), or a copy
 * made after start-up. A commit takes the slot's spare, diffs the content
 * it holds against the new content (both sorted), and applies only the
 * difference with rte_fib_delete/rte_fib_add: a one-peer change on a full
 * table becomes a few hundred operations. The running FIB is never
 * touched; the result is published with the rest of the snapshot by one
 * pointer store. Any failure while patching (tbl8 groups exhausted, RIB
 * full) frees the spare and falls back to a fresh build, so the outcome
 * never depends on the path taken.
 *
 * The cost is memory: with spares on, each FIB exists twice in steady
 * state (a commit that builds from scratch needs two copies anyway while
 * the old snapshot is still live). `fibrec_set_spares(false)` (the
 * dataplane's --no-fib-spares) keeps one copy and rebuilds on change.
 *
 * All functions: control thread only (they allocate and build).
 */
#ifndef IXG_FIBREC_H
#define IXG_FIBREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
 * IPv4 content: 64-bit keys, address in bits 63..32 (host order, host bits
 * clear), prefix length in bits 31..26; the low 26 bits are the caller's
 * (fibrec ignores them) and next hops in a parallel array. IPv6 content:
 * records, ordered by (address, length). Both sorted and without
 * duplicates of one prefix.
 */
#define FIBREC_K4_CALLER_BITS 26

struct fib_pfx6 {
	uint8_t addr[16];
	uint8_t len;
	uint8_t kind; /* the caller's */
	uint16_t _pad;
	uint32_t idx; /* the caller's */
	uint32_t nh;
};

/* How a FIB of a new snapshot was made. */
enum fibrec_how {
	FIBREC_NONE,    /* no FIB (empty table) or shared with the last snapshot */
	FIBREC_FRESH,   /* built from scratch */
	FIBREC_PATCHED, /* the slot's spare, brought up to date by a diff */
};

struct fibrec_stat {
	uint8_t how;        /* enum fibrec_how */
	uint32_t n;         /* prefixes held */
	uint32_t adds, dels; /* rte_fib operations applied (adds incl. changes) */
	uint64_t ns;        /* time to make it */
	size_t bytes;       /* its size in the rte_malloc heap */
	uint32_t tbl8;      /* tbl8 groups it has room for */
};

struct fibrec;

/*
 * Make a FIB of `slot` holding exactly the n sorted entries: patched from
 * the slot's spare when it exists, is compatible (next-hop size, room for
 * `tbl8_need` groups and n routes) and the difference is under n / 2;
 * otherwise built from scratch with some headroom for later patches.
 * `nhsz` is an enum rte_fib_dir24_8_nh_sz (IPv4) or rte_fib_trie_nh_sz
 * (IPv6); it is widened when the tbl8 groups need more bits. Returns the
 * record, or NULL with a negative errno in *rc and, when one entry failed
 * to insert in a fresh build, its index in *bad (else SIZE_MAX).
 * `st` (may be NULL) receives how it was made.
 */
struct fibrec *fibrec_make4(enum fib_slot slot, int nhsz, const uint64_t *k,
			    const uint32_t *nh, size_t n, uint32_t tbl8_need,
			    struct fibrec_stat *st, size_t *bad, int *rc);
struct fibrec *fibrec_make6(enum fib_slot slot, int nhsz,
			    const struct fib_pfx6 *p, size_t n,
			    uint32_t tbl8_need, struct fibrec_stat *st,
			    size_t *bad, int *rc);

/* The rte_fib (IPv4) or rte_fib6 (IPv6) inside r; NULL for NULL. */
void *fibrec_fib(const struct fibrec *r);

/*
 * r is no longer read by any worker (its last snapshot is freed after the
 * grace period): keep it as its slot's spare (replacing an older spare) if
 * spares are on, else free it. NULL is a no-op.
 */
void fibrec_retire(struct fibrec *r);

/*
 * If spares are on and r's slot has none, build a copy of r as the spare,
 * so the first change after start-up is patched too. 1 if a copy was made,
 * 0 if none was needed, negative errno on failure (nothing kept).
 */
int fibrec_warm(const struct fibrec *r);

/* Spares on or off (default off; the live dataplane turns them on).
 * Turning them off frees the parked ones. */
void fibrec_set_spares(bool on);

/* FIBs holding fewer than n prefixes get no spare (default 4096: they are
 * rebuilt in milliseconds; tests lower it). */
void fibrec_set_spare_min(size_t n);
bool fibrec_spares_on(void);

/* Spares parked now, their heap bytes, and free them all. */
unsigned fibrec_spares(void);
size_t fibrec_spare_bytes(void);
void fibrec_drop_spares(void);

/* FIBs (records) alive now, spares included: a leak check for tests. */
unsigned long fibrec_live(void);

/* Short name of a slot ("route4", ...). */
const char *fibrec_slot_name(enum fib_slot slot);

#endif /* IXG_FIBREC_H */
