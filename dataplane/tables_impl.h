/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tables_impl.h - what the dataplane's table files share: the build
 * context, the hooks each feature registers (per snapshot part and per
 * spec table), and the prefix-list painting every FIB uses (fib_build.c).
 * Private to dataplane/: the rest of the tree uses tables.h.
 *
 * A feature is a pair of files beside each other, NAME_stage.c (what the
 * workers run) and NAME_table.c (what the control thread builds for it);
 * NAME_table.c defines:
 *   - `const struct tbl_part_ops tbl_part_NAME` for each part it lists in
 *     TBL_PARTS (tables.h): how the part is built, shared and freed;
 *   - `const struct spec_table_ops spec_table_FIELD` for each spec table
 *     it owns in IXG_SPEC_TABLES (ixg_api.h): how an element is checked
 *     and named.
 * The lists reference these by name, so a missing hook is a link error.
 * Everything here runs on the control thread (it allocates).
 */
#ifndef IXG_TABLES_IMPL_H
#define IXG_TABLES_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fibrec.h"
#include "ixg_wire.h"
#include "tables.h"

/* ------------------------------------------------------------------ */
/* Building a snapshot.                                               */

/* One build in progress (tables_build_from). */
struct tbl_build {
	const struct ixg_spec *spec;
	const struct ixg_spec *prev_spec; /* NULL: build everything */
	const struct tables *prev; /* built from prev_spec, or NULL */
	struct tables *t; /* the snapshot being built */
	char *err;
	size_t errlen;
	int64_t now; /* unix seconds blackholes are judged at */
};

/* Write the message to b->err; return rc if negative, else -EINVAL. */
int tbl_fail(struct tbl_build *b, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Whether spec table `table` has the same content in b->spec as in
 * b->prev_spec (same array, or byte-equal elements); false without a
 * previous build. */
bool tbl_same(const struct tbl_build *b, unsigned table);

/* Whether b->t configures the same peer ids as b->prev (the peers part is
 * built first, so builders that check their peers judge every id alike). */
bool tbl_same_peer_ids(const struct tbl_build *b);

/* Whether peer id `peer` is configured in the snapshot being built. */
static inline bool
tbl_peer_ok(const struct tbl_build *b, uint16_t peer)
{
	return peer != IXG_PEER_NONE && peer < IXG_MAX_PEERS &&
	       b->t->peers[peer].configured;
}

/*
 * A route's next hop as the FIB holds it: for a peer id configured in the
 * snapshot being built, the member's hop (tables.h, TBL_HOPS): the peer id
 * itself, or TBL_HOP_KERNEL4/6 + id for a route of family 4/6 from the
 * kernel (origin IXG_ORIGIN_KERNEL), whose forwarding follows the member's
 * BGP session; NH_GROUP | id for IXG_NH_GROUP | id when the group part
 * built that group; NH_NONE for anything else.
 */
static inline uint32_t
tbl_route_nh(const struct tbl_build *b, uint16_t v, uint32_t origin,
	     unsigned family)
{
	if (v & IXG_NH_GROUP) {
		uint32_t g = v & ~IXG_NH_GROUP;

		return g < b->t->n_nhg && b->t->nhg[g].n_members > 0
			       ? NH_GROUP | g
			       : NH_NONE;
	}
	if (!tbl_peer_ok(b, v))
		return NH_NONE;
	if (origin != IXG_ORIGIN_KERNEL)
		return v;
	return (family == 4 ? TBL_HOP_KERNEL4 : TBL_HOP_KERNEL6) + (uint32_t)v;
}

/* The owner of hash slot `slot` of group g: the member of the lowest
 * weighted rendezvous score (nhg_table.c). */
uint16_t nhg_slot_owner(const struct ixg_spec_nhgroup *g, unsigned slot);

/*
 * Repaint the published slots of t's ECMP groups (spec: what t was built
 * from) of which a member changed session state in a family (bit p of
 * changed[f]) for that family, over t->peer_down (hop_table.c,
 * tables_peer_down). The groups repainted and the slots that changed
 * owner into *groups and *slots. Main thread.
 */
void nhg_repaint(struct tables *t, const struct ixg_spec *spec,
		 const uint64_t changed[2][IXG_MAX_PEERS / 64],
		 unsigned *groups, unsigned *slots);

/* "route 10.0.0.0/8 (origin 17)": element i of spec table `table`, as a
 * message names it (the table's describe hook). */
void tbl_describe(const struct ixg_spec *s, unsigned table, uint32_t i,
		  char *buf, size_t len);

/*
 * How one part of a snapshot (TBL_PARTS) is made. A part with a `same`
 * hook is shared by reference with the previous snapshot when `same` says
 * its inputs did not change (tables.c then calls `share` instead of
 * `build` and counts the reference); a part without one is built every
 * time. `free` releases the part's members when the last snapshot
 * holding it goes.
 */
struct tbl_part_ops {
	int (*build)(struct tbl_build *b); /* 0 or a negative errno, with
					    * tbl_fail's message */
	bool (*same)(const struct tbl_build *b); /* NULL: never shared */
	void (*share)(struct tables *t, const struct tables *from);
	void (*free)(struct tables *t);
};

#define TBL_X_PART_DECL(id, name)                                              \
	extern const struct tbl_part_ops tbl_part_##name;
TBL_PARTS(TBL_X_PART_DECL)
#undef TBL_X_PART_DECL

/* ------------------------------------------------------------------ */
/* Checking a spec before anything is built (tables_validate).        */

/*
 * The check in progress. Tables are checked in IXG_SPEC_TABLES order, so
 * each table's hook finds the ids of the tables before it recorded here
 * (ports, then peers, then classes). The first refusal stops the check.
 */
struct spec_check {
	const struct ixg_spec *s; /* the spec under check */
	const struct tables_validate_env *env;
	uint64_t ports[(IXG_MAX_PORTS + 63) / 64];
	uint64_t peers[IXG_MAX_PEERS / 64];
	uint64_t classes[IXG_MAX_CLASSES / 64];
	struct tables_refusal *r;
};

/* Record the refusal of element `index` of `table` (origin: the element's,
 * 0 if none) with IXG_ST_INVALID and the message; returns -1. */
int spec_refuse(struct spec_check *c, unsigned table, uint32_t index,
		uint32_t origin, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static inline bool
spec_id_has(const uint64_t *set, unsigned i)
{
	return (set[i / 64] >> (i % 64)) & 1;
}

static inline void
spec_id_add(uint64_t *set, unsigned i)
{
	set[i / 64] |= 1ull << (i % 64);
}

/* Whether peer id `id` was defined by the peers table. */
static inline bool
spec_peer_exists(const struct spec_check *c, uint16_t id)
{
	return id != IXG_PEER_NONE && id < IXG_MAX_PEERS &&
	       spec_id_has(c->peers, id);
}

/* Every prefix of r[0..n) (routes or sources, spec table `table`) names
 * a peer of the spec (route_table.c); 0 or -1 after spec_refuse. */
int spec_check_prefix_peers4(struct spec_check *c,
			     const struct ixg_spec_route4 *r, uint32_t n,
			     unsigned table);
int spec_check_prefix_peers6(struct spec_check *c,
			     const struct ixg_spec_route6 *r, uint32_t n,
			     unsigned table);

/* The group ids of spec s (its nhgroups' ids in range) as a bit set,
 * for checking the routes that name them (nhg_table.c). */
void spec_nhg_ids(const struct ixg_spec *s,
		  uint64_t ids[IXG_MAX_NHGROUPS / 64]);

/* Peer i's default-class meter (rate, burst) checked the way the policer
 * part will configure it (policer_table.c); 0 or -1 after spec_refuse. */
int policer_check_peer(struct spec_check *c, uint32_t i);

/* The hooks of one spec table (IXG_SPEC_TABLES). */
struct spec_table_ops {
	/* Check every element (ranges, cross references); 0, or -1 after
	 * spec_refuse. NULL: nothing to check. */
	int (*validate)(struct spec_check *c);
	/* Name element i for a message ("peer viettel (origin 4)"). */
	void (*describe)(const struct ixg_spec *s, uint32_t i, char *buf,
			 size_t len);
};

#define TBL_X_SPEC_DECL(id, wire, field, ...)                                  \
	extern const struct spec_table_ops spec_table_##field;
IXG_SPEC_TABLES(TBL_X_SPEC_DECL, IXG_SPEC_NO_STR)
#undef TBL_X_SPEC_DECL

/* ------------------------------------------------------------------ */
/* Prefix lists into FIBs (fib_build.c).                              */

/*
 * What a prefix in a FIB build stands for. The order is precedence: of
 * several entries for one prefix, the last kind wins (a local address over
 * a blackhole over a route).
 */
enum pfx_kind {
	PK_ROUTE,
	PK_BLACKHOLE,
	PK_LOCAL,
	PK_SOURCE,
	PK_COUNTRY,
};

/* The spec table an entry of `kind` and `family` (4, 6) indexes. */
unsigned pfx_table(enum pfx_kind kind, int family);

void tbl_fmt_addr(char *buf, size_t len, int family, const void *addr);
void tbl_fmt_addr4h(char *buf, size_t len, uint32_t host);

/* IPv4 prefixes as sortable keys: addr:32 | len:6 | kind:3 | idx:23. */
#define K4_IDX_BITS 23
#define K4_IDX_MAX ((1u << K4_IDX_BITS) - 1)

static inline uint32_t
mask4(uint8_t len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

static inline uint64_t
key4(uint32_t addr, uint8_t len, enum pfx_kind kind, uint32_t idx)
{
	return (uint64_t)(addr & mask4(len)) << 32 | (uint64_t)len << 26 |
	       (uint64_t)kind << K4_IDX_BITS | idx;
}

static inline uint32_t
key4_addr(uint64_t k)
{
	return (uint32_t)(k >> 32);
}

static inline uint8_t
key4_len(uint64_t k)
{
	return (k >> 26) & 0x3f;
}

static inline enum pfx_kind
key4_kind(uint64_t k)
{
	return (enum pfx_kind)((k >> K4_IDX_BITS) & 7);
}

static inline uint32_t
key4_idx(uint64_t k)
{
	return k & K4_IDX_MAX;
}

/* Key of the first address after prefix (a, len): UINT64_MAX past the
 * end of the address space. */
static inline uint64_t
key4_after(uint32_t a, uint8_t len)
{
	uint64_t last = (uint64_t)(a | ~mask4(len));

	return last == UINT32_MAX ? UINT64_MAX : (last + 1) << 32;
}

/* First index of the sorted keys k[0..n) not before key x (route_table.c
 * and sav_table.c: the patch builds' ranges). */
static inline size_t
keys_lower(const uint64_t *k, size_t n, uint64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Sort IPv4 keys (LSD radix, linear time). 0 or -ENOMEM. */
int sort_keys4(uint64_t *k, size_t n);

/* Next hop of a sorted key (from its kind and index). */
typedef uint32_t (*nh4_fn)(const struct tbl_build *b, uint64_t k);

/*
 * Make the IPv4 table of `slot` holding the sorted keys k[0..n), by
 * patching the slot's spare or from scratch (fibrec.h): the next hop of
 * k[i] is nhs[i] if nhs is not NULL, else nh(k[i]). Keys that change no
 * lookup are left out first. Sets b->t->fibs[slot] and returns the table,
 * or NULL with the error written (naming the prefix) and *rc set.
 */
const struct lpm *fib4_build(struct tbl_build *b, enum fib_slot slot,
			     const uint64_t *k, size_t n, nh4_fn nh,
			     const uint32_t *nhs, int *rc);

/*
 * fib4_build for a FIB whose leaves also hold a country: the pruned keys
 * folded with the content of `fold` (the snapshot's country FIB of that
 * family; NULL: none, as fib4_build) by fold4, the country at bit `shift`
 * of the leaf and the other part in the bits below it (route FIBs:
 * NH_COUNTRY_SHIFT; SAV FIBs: SAV_COUNTRY_SHIFT, tables.h).
 */
const struct lpm *fib4_build_fold(struct tbl_build *b, enum fib_slot slot,
				  const uint64_t *k, size_t n, nh4_fn nh,
				  const uint32_t *nhs,
				  const struct fibrec *fold, unsigned shift,
				  int *rc);

/*
 * The union of two sorted, duplicate-free prefix lists inside one span:
 * route keys rk (NH_* values rv) and country keys ck (country indexes
 * cv), every prefix valued route LPM | country LPM << shift at that
 * prefix, where `cover` (a folded value) is what holds around the span
 * (NH_NONE for the whole address space), pruned as prune4 does (nothing
 * whose value is its nearest kept cover's). For any address of the span
 * the longest prefix of the union gives both LPMs exactly (every shorter
 * prefix of either list around the address is around that prefix too).
 * Key of an output entry: the route's (caller bits included) where the
 * prefix is a route's, else the country's. Writes ok/ov (room for rn +
 * cn), returns how many.
 */
size_t fold4(const uint64_t *rk, const uint32_t *rv, size_t rn,
	     const uint64_t *ck, const uint32_t *cv, size_t cn, uint32_t cover,
	     unsigned shift, uint64_t *ok, uint32_t *ov);

/* out = in with the bits past len cleared. */
void mask6(uint8_t out[16], const uint8_t in[16], uint8_t len);

/* Sort IPv6 records by (address, length), stable. 0 or -ENOMEM. */
int sort_pfx6(struct fib_pfx6 *p, size_t n);

static inline int
same_prefix6(const struct fib_pfx6 *a, const struct fib_pfx6 *b)
{
	return a->len == b->len && memcmp(a->addr, b->addr, 16) == 0;
}

/*
 * Copy n spec IPv6 prefixes (routes or sources, `kind`) into records at
 * out, host bits cleared, next hop = the peer id. A bad length or a peer
 * the snapshot does not configure fails naming the prefix. 0 or a negative
 * errno.
 */
int load_pfx6(struct tbl_build *b, const struct ixg_spec_route6 *r, uint32_t n,
	      enum pfx_kind kind, struct fib_pfx6 *out);

/* fib4_build for sorted IPv6 records (pruned in place). */
const struct lpm *fib6_build(struct tbl_build *b, enum fib_slot slot,
			     struct fib_pfx6 *p, size_t n, int *rc);

/* fib4_build_fold for sorted IPv6 records (pruned in place, then folded
 * with the content of `fold` by fold6 into new memory). */
const struct lpm *fib6_build_fold(struct tbl_build *b, enum fib_slot slot,
				  struct fib_pfx6 *p, size_t n,
				  const struct fibrec *fold, unsigned shift,
				  int *rc);

/* fold4 for IPv6 records (the route's record where the prefix is a
 * route's, else the country's; nh the folded value). */
size_t fold6(const struct fib_pfx6 *rp, size_t rn, const struct fib_pfx6 *cp,
	     size_t cn, uint32_t cover, unsigned shift, struct fib_pfx6 *out);

#endif /* IXG_TABLES_IMPL_H */
