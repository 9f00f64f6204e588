/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lpm.h - longest-prefix-match tables built from sorted prefix lists.
 *
 * One multibit trie serves both families: a directly indexed root and
 * 256-entry groups for each further 8 bits, allocated only where a longer
 * prefix needs one. The IPv4 root has 24 bits (the DIR-24-8 layout: 64
 * MiB, at most 2 reads per lookup) once a 16-bit root would need more
 * than 4,096 groups below it, 16 bits before (small tables: 256 KiB, at
 * most 3 reads, all in cache). The IPv6 root too: 24 bits past 32,768
 * groups (/24 in one read, /32 2, /48 4), else 16 (/32 3, /48 5). An
 * entry is either a value (bit 31 clear) or LPM_GROUP | group number, so
 * a lookup is one root read plus one read per group level. Either family
 * indexes the root by its first four address bytes (big-endian) shifted
 * right by shift4, and an IPv6 walk goes on at byte root_bits / 8.
 *
 * Why not rte_fib / rte_fib6: they keep a RIB beside the table (~400 B per
 * route of capacity), add prefixes one by one through it, and rte_fib6
 * reserves a 1 KiB group per prefix longer than its root: the real table's
 * six FIBs took 2.06 GiB (bench/README-memory.md). The dataplane already
 * holds every table's content sorted (fibrec.h), so the RIB is redundant:
 * a table is painted from the sorted list in one pass (a prefix always
 * sorts before its more-specifics, so painting in order leaves the longest
 * match on top) and a change repaints only the ranges of the prefixes that
 * changed, from the new list.
 *
 * Threads: lookups from any thread on a table no writer touches (a
 * published snapshot); everything else from the control thread, on a table
 * no worker reads (a new table, or a spare whose last reader is gone).
 */
#ifndef IXG_LPM_H
#define IXG_LPM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>

#define LPM_GROUP 0x80000000u /* entry flag: the low bits number a group */
#define LPM_VALUE_MAX 0x7fffffffu /* largest value a table can hold */

/*
 * IPv4 keys of a prefix list (also fibrec.h's content): address in bits
 * 63..32 (host order, host bits clear), length in bits 31..26; the low 26
 * bits are the caller's and ignored here. Sorted by key means sorted by
 * (address, length).
 */
#define LPM4_KEY(addr, len) ((uint64_t)(addr) << 32 | (uint64_t)(len) << 26)
#define LPM4_KEY_ID_MASK (~((UINT64_C(1) << 26) - 1))

static inline uint32_t
lpm4_key_addr(uint64_t k)
{
	return (uint32_t)(k >> 32);
}
static inline uint8_t
lpm4_key_len(uint64_t k)
{
	return (k >> 26) & 0x3f;
}

/* An IPv6 prefix of a list, sorted by (addr, len); `kind` and `idx` are
 * the caller's and ignored here. */
struct fib_pfx6 {
	uint8_t addr[16];
	uint8_t len;
	uint8_t kind;
	uint16_t _pad;
	uint32_t idx;
	uint32_t nh; /* the value, <= LPM_VALUE_MAX */
};

struct lpm {
	uint32_t *root; /* [1 << root_bits] */
	uint32_t *grp; /* [cap_groups * 256] */
	uint8_t family; /* 4 or 6 */
	uint8_t root_bits; /* 16, or 24 (big tables) */
	uint8_t shift4; /* 32 - root_bits */
	uint32_t def; /* value of an address no prefix covers */
	uint32_t n_groups; /* groups handed out, free ones included */
	uint32_t cap_groups;
	uint32_t free_head; /* free groups, chained through entry 0 */
	uint32_t n_free;
	uint32_t n_prefixes; /* of the last list built or updated to */
};

/*
 * An empty table of `family` (4 or 6) answering `def` (<= LPM_VALUE_MAX)
 * for every address. Memory from the rte_malloc heap (hugepages), any
 * socket: a 256 KiB root (the build of a big table replaces it with a
 * 64 MiB 24-bit root), then 1 KiB per group.
 * Returns 0, -EINVAL or -ENOMEM.
 */
int lpm_create(struct lpm **out, int family, uint32_t def);

/* Free a table (NULL is a no-op). */
void lpm_free(struct lpm *t);

/*
 * Make the empty table t hold exactly the sorted prefix list (keys k[i]
 * with values v[i], or the IPv6 records p[i]). On a bad entry (unsorted or
 * duplicate prefix, length over 32/128, host bits set, value over
 * LPM_VALUE_MAX) returns -EINVAL with its index in *bad; -ENOMEM when the
 * groups do not fit; t is then unusable (free it). t not read by any
 * worker.
 */
int lpm_build4(struct lpm *t, const uint64_t *k, const uint32_t *v, size_t n,
	       size_t *bad);
int lpm_build6(struct lpm *t, const struct fib_pfx6 *p, size_t n, size_t *bad);

/*
 * Bring t to the sorted list (k, v, n) / (p, n), given every prefix whose
 * value differs between the list t was last brought to and the new one
 * (added, removed, or with another value): their keys ch[0..n_ch) for
 * IPv4 (caller bits ignored; any order), their records for IPv6. Only the
 * address ranges of those prefixes are rewritten, each from the new list;
 * a group left uniform is folded back into its parent. Same errors as the
 * build, and -EINVAL with *bad = n + i for a bad changed prefix ch[i]; on
 * failure t is unusable (free it). t not read by any worker.
 */
int lpm_update4(struct lpm *t, const uint64_t *k, const uint32_t *v, size_t n,
		const uint64_t *ch, size_t n_ch, size_t *bad);
int lpm_update6(struct lpm *t, const struct fib_pfx6 *p, size_t n,
		const struct fib_pfx6 *ch, size_t n_ch, size_t *bad);

/*
 * lpm_update4/6 for a list the caller built sorted and valid itself (from
 * checked pieces: fibrec_splice*): no pass over the whole list, so the
 * cost is the changed prefixes' ranges only. lens: the prefix lengths the
 * list may hold (bit l of lens[l / 64]; a superset is fine). The changed
 * prefixes are still checked (-EINVAL, *bad = n + i). t not read by any
 * worker; on failure t is unusable (free it).
 */
int lpm_patch4(struct lpm *t, const uint64_t *k, const uint32_t *v, size_t n,
	       const uint64_t lens[3], const uint64_t *ch, size_t n_ch,
	       size_t *bad);
int lpm_patch6(struct lpm *t, const struct fib_pfx6 *p, size_t n,
	       const uint64_t lens[3], const struct fib_pfx6 *ch, size_t n_ch,
	       size_t *bad);

/* A copy of src in new memory: 0 or -ENOMEM. */
int lpm_copy(struct lpm **out, const struct lpm *src);

/*
 * A copy of src with a 16-bit root (src's own layout when it has one):
 * a 24-bit root's /16s become groups, each holding its 256 entries (a
 * /16 whose entries are one value, its root entry). The same value for
 * every address; for benchmarks and tests, to compare the layouts. 0 or
 * -ENOMEM.
 */
int lpm_copy_root16(struct lpm **out, const struct lpm *src);

/* Heap bytes t holds (root, group pool incl. free groups, struct). */
size_t lpm_bytes(const struct lpm *t);

/*
 * Map `bytes` more of the rte_malloc heap ahead of the FIBs that will be
 * allocated there, where that heap is 4 KiB pages (--no-huge: the EAL
 * maps its memory at start-up without touching it, so a page faults on
 * its first write, 11-25 us each on the shared 2-vCPU VM under load; on
 * hugepages it is mapped at start-up and this does nothing): allocated
 * in 64 MiB blocks, populated (MADV_POPULATE_WRITE: one call, no fault
 * per page; else one write per page), freed. --no-huge memory is never
 * unmapped and DPDK hands out the end of a free element, so the next
 * allocations of as many bytes take these pages. Returns the bytes
 * mapped. Control thread; holds the memory a moment.
 */
size_t lpm_heap_warm(size_t bytes);

/* Groups in use (handed out and not free). */
uint32_t lpm_groups(const struct lpm *t);

/*
 * The index in grp[] of the first entry of the group entry e names: the
 * group number times 256. lpm.c never hands out a group number of
 * LPM_GROUP_INDEX_MAX or more (its MAX_GROUPS, checked there), so the
 * product fits 31 bits and a 32-bit shift drops the LPM_GROUP flag: one
 * instruction instead of a mask and a 64-bit shift.
 */
#define LPM_GROUP_INDEX_MAX (UINT32_C(1) << 23)
static inline uint32_t
lpm_group_index(uint32_t e)
{
	return e << 8;
}

/* The value for IPv4 address ip (host order). Any thread. */
static inline uint32_t
lpm4_lookup(const struct lpm *t, uint32_t ip)
{
	unsigned s = t->shift4;
	uint32_t e = t->root[ip >> s];

	while (unlikely(e & LPM_GROUP)) {
		s -= 8;
		e = t->grp[(size_t)(e & LPM_VALUE_MAX) << 8 |
			   ((ip >> s) & 0xff)];
	}
	return e;
}

/*
 * The rest of an IPv4 walk from root entry e of address a (host order)
 * in a table whose root takes a's top 32 - s bits (s: lpm.shift4): the
 * group levels, while e names a group. Any thread.
 */
static inline uint32_t
lpm4_descend(const uint32_t *grp, uint32_t e, uint32_t a, unsigned s)
{
	while (e & LPM_GROUP) {
		s -= 8;
		e = grp[lpm_group_index(e) | ((a >> s) & 0xff)];
	}
	return e;
}

/*
 * lpm4_descend in a DIR-24-8 table (root_bits 24, shift4 8): one group
 * level, indexed by the address's last byte a[3] (a: network order),
 * and no more (a group entry there would be a prefix longer than 32
 * bits). The byte read from memory, not taken from the host-order word
 * that indexed the root: the caller then needs no copy of that word
 * kept for this rare step. Any thread.
 */
static inline uint32_t
lpm4_descend24(const uint32_t *grp, uint32_t e, const uint8_t *a)
{
	return grp[lpm_group_index(e) | a[3]];
}

/* The root index of IPv6 address a (network order) in a table whose root
 * takes its top 32 - s bits (s: lpm.shift4, 16 or 8). */
static inline uint32_t
lpm6_root_index(const uint8_t *a, unsigned s)
{
	uint32_t w;

	memcpy(&w, a, sizeof(w)); /* one load and a byte swap */
	return rte_be_to_cpu_32(w) >> s;
}

/* The value for IPv6 address a (network order). Any thread. The
 * reference walk: test_lpm compares every other one with it. */
static inline uint32_t
lpm6_lookup(const struct lpm *t, const uint8_t *a)
{
	uint32_t e = t->root[lpm6_root_index(a, t->shift4)];

	for (unsigned i = t->root_bits / 8; e & LPM_GROUP; i++)
		e = t->grp[(size_t)(e & LPM_VALUE_MAX) << 8 | a[i]];
	return e;
}

/*
 * Values of n addresses into v[0..n): level by level over the whole batch,
 * so the reads of different addresses overlap. t may be NULL (every value
 * 0). Any thread.
 */
void lpm6_lookup_bulk(const struct lpm *t, const uint8_t (*a)[16], uint32_t *v,
		      unsigned n);

static inline void
lpm4_lookup_bulk(const struct lpm *t, const uint32_t *ip, uint32_t *v,
		 unsigned n)
{
	if (t == NULL) {
		for (unsigned i = 0; i < n; i++)
			v[i] = 0;
		return;
	}
	/*
	 * One lookup after the other: the out-of-order core overlaps the
	 * root reads of consecutive addresses by itself. lpm_bench on the
	 * real table (bulk of 32, addresses inside its prefixes): 8.3-8.5
	 * TSC cycles per address, rte_fib's bulk lookup 13.6-14.3; the
	 * variants tried are in bench/README.md ("History"). The table's
	 * fields are locals: with -fno-strict-aliasing every v[i] store
	 * would otherwise reload them (lpm4_lookup's loop, per address).
	 */
	const uint32_t *root = t->root, *grp = t->grp;
	const unsigned shift = t->shift4;

	for (unsigned i = 0; i < n; i++) {
		const uint32_t a = ip[i];
		unsigned s = shift;
		uint32_t e = root[a >> s];

		while (unlikely(e & LPM_GROUP)) {
			s -= 8;
			e = grp[lpm_group_index(e) | ((a >> s) & 0xff)];
		}
		v[i] = e;
	}
}

#endif /* IXG_LPM_H */
