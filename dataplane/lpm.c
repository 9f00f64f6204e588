/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lpm.c - longest-prefix-match tables painted from sorted prefix lists
 * (see lpm.h).
 *
 * One engine for both families: a prefix is its address bytes in network
 * order and a length; the root consumes root_bits (16 or 24), each group
 * level the next 8. Painting a prefix writes its value over every entry of
 * its range at the level where its length ends, freeing the groups it
 * covers, and creates the groups on its way down (a new group starts as a
 * copy of the entry it replaces, so the covering value stays around it).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "lpm.h"

#define GRP_ENTRIES 256u
#define LPM4_BIG_GROUPS 4096u /* see build() */
#define LPM6_BIG_GROUPS 32768u
#define ROOT UINT32_MAX /* "parent" of a root entry */
/* Group numbers live in 31 bits and index grp[] shifted by 8. */
#define MAX_GROUPS (UINT32_C(1) << 23)
_Static_assert(MAX_GROUPS <= LPM_GROUP_INDEX_MAX,
	       "lpm_group_index: a group's index fits 32 bits");

struct pfx {
	uint8_t a[16];
	uint8_t len;
};

static unsigned
max_len(const struct lpm *t)
{
	return t->family == 4 ? 32 : 128;
}

static uint32_t
root_index(const struct lpm *t, const uint8_t *a)
{
	uint32_t i = (uint32_t)a[0] << 16 | (uint32_t)a[1] << 8 | a[2];

	return i >> (24 - t->root_bits);
}

static inline uint32_t *
grp_at(const struct lpm *t, uint32_t g)
{
	return &t->grp[(size_t)g << 8];
}

/* Entry idx of the root (parent ROOT) or of group parent. */
static inline uint32_t *
entry(const struct lpm *t, uint32_t parent, uint32_t idx)
{
	return parent == ROOT ? &t->root[idx] : &grp_at(t, parent)[idx];
}

/* A root of 2^bits entries, all t->def, replacing t's. 0 or -ENOMEM. */
static int
set_root(struct lpm *t, unsigned bits)
{
	size_t n = (size_t)1 << bits;
	uint32_t *r = rte_malloc_socket("ixg_lpm_root", n * 4,
					RTE_CACHE_LINE_SIZE, SOCKET_ID_ANY);

	if (r == NULL)
		return -ENOMEM;
	if (t->def == 0) {
		memset(r, 0, n * 4);
	} else {
		for (size_t i = 0; i < n; i++)
			r[i] = t->def;
	}
	rte_free(t->root);
	t->root = r;
	t->root_bits = (uint8_t)bits;
	t->shift4 = (uint8_t)(32 - bits);
	return 0;
}

/* Room for `cnt` groups at least (the pool only grows). 0 or -ENOMEM. */
static int
reserve(struct lpm *t, uint64_t cnt)
{
	void *p;

	if (cnt <= t->cap_groups)
		return 0;
	if (cnt > MAX_GROUPS)
		return -ENOMEM;
	p = rte_realloc(t->grp, (size_t)cnt * GRP_ENTRIES * 4,
			RTE_CACHE_LINE_SIZE);
	if (p == NULL)
		return -ENOMEM;
	t->grp = p;
	t->cap_groups = (uint32_t)cnt;
	return 0;
}

static int
grp_alloc(struct lpm *t, uint32_t fill, uint32_t *out)
{
	uint32_t g, *e;

	if (t->n_free > 0) {
		g = t->free_head;
		t->free_head = grp_at(t, g)[0];
		t->n_free--;
	} else {
		if (t->n_groups == t->cap_groups) {
			/* updates only: a build reserves the exact count */
			uint64_t cap = t->cap_groups < 64
					       ? 64
					       : (uint64_t)t->cap_groups * 3 /
							 2;
			int rc = reserve(t,
					 cap < MAX_GROUPS ? cap : MAX_GROUPS);

			if (rc < 0 || t->n_groups == t->cap_groups)
				return -ENOMEM;
		}
		g = t->n_groups++;
	}
	e = grp_at(t, g);
	for (unsigned i = 0; i < GRP_ENTRIES; i++)
		e[i] = fill;
	*out = g;
	return 0;
}

/* Free group g and every group below it. Never reallocates grp. */
static void
grp_free(struct lpm *t, uint32_t g)
{
	uint32_t *e = grp_at(t, g);

	for (unsigned i = 0; i < GRP_ENTRIES; i++)
		if (e[i] & LPM_GROUP)
			grp_free(t, e[i] & LPM_VALUE_MAX);
	e[0] = t->free_head;
	t->free_head = g;
	t->n_free++;
}

static void
fill_range(struct lpm *t, uint32_t *e, uint32_t cnt, uint32_t v)
{
	for (uint32_t i = 0; i < cnt; i++) {
		if (unlikely(e[i] & LPM_GROUP))
			grp_free(t, e[i] & LPM_VALUE_MAX);
		e[i] = v;
	}
}

/* Write v over p's whole range. 0 or -ENOMEM. */
static int
paint(struct lpm *t, const struct pfx *p, uint32_t v)
{
	uint32_t parent = ROOT, idx = root_index(t, p->a);
	unsigned end = t->root_bits; /* bits consumed after this level */

	for (;;) {
		uint32_t *e, g;
		int rc;

		if (p->len <= end) {
			unsigned span = end - p->len;

			fill_range(t,
				   entry(t, parent, idx & ~((1u << span) - 1)),
				   1u << span, v);
			return 0;
		}
		e = entry(t, parent, idx);
		if (*e & LPM_GROUP) {
			g = *e & LPM_VALUE_MAX;
		} else {
			if ((rc = grp_alloc(t, *e, &g)) < 0)
				return rc;
			/* grp may have moved: find the entry again */
			*entry(t, parent, idx) = LPM_GROUP | g;
		}
		parent = g;
		idx = p->a[end / 8];
		end += 8;
	}
}

/*
 * Fold the groups on p's path that the last repaint left uniform back
 * into their parents, deepest first; stop at the first that is not.
 */
static void
collapse(struct lpm *t, const struct pfx *p)
{
	uint32_t par[16], idx[16];
	unsigned depth = 0, end = t->root_bits;
	uint32_t parent = ROOT, i = root_index(t, p->a);

	while (p->len > end) {
		uint32_t e = *entry(t, parent, i);

		if (!(e & LPM_GROUP))
			break;
		par[depth] = parent;
		idx[depth++] = i;
		parent = e & LPM_VALUE_MAX;
		i = p->a[end / 8];
		end += 8;
	}
	while (depth-- > 0) {
		uint32_t *pe = entry(t, par[depth], idx[depth]);
		uint32_t g = *pe & LPM_VALUE_MAX;
		const uint32_t *e = grp_at(t, g);
		uint32_t v = e[0];

		if (v & LPM_GROUP)
			return;
		for (unsigned k = 1; k < GRP_ENTRIES; k++)
			if (e[k] != v)
				return;
		*pe = v;
		grp_free(t, g);
	}
}

/* ---- prefix lists ------------------------------------------------- */

/* A list of either family, seen through one interface. */
struct list {
	uint8_t family;
	size_t n;
	const uint64_t *k; /* IPv4 */
	const uint32_t *v;
	const struct fib_pfx6 *p; /* IPv6 */
};

static void
pfx4(struct pfx *x, uint64_t k)
{
	uint32_t a = lpm4_key_addr(k);

	memset(x, 0, sizeof(*x));
	x->a[0] = (uint8_t)(a >> 24);
	x->a[1] = (uint8_t)(a >> 16);
	x->a[2] = (uint8_t)(a >> 8);
	x->a[3] = (uint8_t)a;
	x->len = lpm4_key_len(k);
}

static void
pfx6(struct pfx *x, const struct fib_pfx6 *r)
{
	memcpy(x->a, r->addr, 16);
	x->len = r->len;
}

static void
list_get(const struct list *l, size_t i, struct pfx *x, uint32_t *v)
{
	if (l->family == 4) {
		pfx4(x, l->k[i]);
		*v = l->v != NULL ? l->v[i] : 0; /* changed keys carry none */
	} else {
		pfx6(x, &l->p[i]);
		*v = l->p[i].nh;
	}
}

static int
pfx_cmp(const struct pfx *a, const struct pfx *b)
{
	int d = memcmp(a->a, b->a, 16);

	return d != 0 ? d : (a->len > b->len) - (a->len < b->len);
}

/* The bits of address byte i inside a prefix of length len. */
static inline uint8_t
keep_bits(unsigned len, unsigned i)
{
	if (len >= 8 * i + 8)
		return 0xff;
	if (len <= 8 * i)
		return 0;
	return (uint8_t)(0xff00u >> (len - 8 * i));
}

/* A valid prefix: length in range, no bit set past it. */
static bool
pfx_ok(const struct pfx *x, unsigned maxlen)
{
	if (x->len > maxlen)
		return false;
	for (unsigned i = 0; i < 16; i++)
		if (x->a[i] & (uint8_t)~keep_bits(x->len, i))
			return false;
	return true;
}

static void
pfx_mask(struct pfx *x, unsigned len)
{
	for (unsigned i = 0; i < 16; i++)
		x->a[i] &= keep_bits(len, i);
	x->len = (uint8_t)len;
}

/* Is address a inside x's range? */
static bool
pfx_holds(const struct pfx *x, const uint8_t *a)
{
	for (unsigned i = 0; i < 16 && 8 * i < x->len; i++)
		if ((x->a[i] ^ a[i]) & keep_bits(x->len, i))
			return false;
	return true;
}

/*
 * Check a list (sorted, no duplicates, valid prefixes and values) and note
 * the lengths it holds (lens: bit l of word l / 64). -EINVAL, *bad = index.
 */
static int
list_check(const struct lpm *t, const struct list *l, uint64_t lens[3],
	   size_t *bad)
{
	lens[0] = lens[1] = lens[2] = 0;
	if (l->family == 4) {
		/* keys compare as (address, length): integer work only */
		uint64_t prev = 0;

		for (size_t i = 0; i < l->n; i++) {
			uint64_t k = l->k[i] & LPM4_KEY_ID_MASK;
			unsigned len = lpm4_key_len(k);
			uint32_t host = len == 0    ? UINT32_MAX
					: len >= 32 ? 0
						    : UINT32_MAX >> len;

			if (len > 32 || (lpm4_key_addr(k) & host) != 0 ||
			    l->v[i] > LPM_VALUE_MAX || (i > 0 && k <= prev)) {
				*bad = i;
				return -EINVAL;
			}
			lens[0] |= UINT64_C(1) << len;
			prev = k;
		}
		return 0;
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct fib_pfx6 *r = &l->p[i];
		struct pfx x;

		pfx6(&x, r);
		if (!pfx_ok(&x, max_len(t)) || r->nh > LPM_VALUE_MAX ||
		    (i > 0 && (memcmp(r[-1].addr, r->addr, 16) > 0 ||
			       (memcmp(r[-1].addr, r->addr, 16) == 0 &&
				r[-1].len >= r->len)))) {
			*bad = i;
			return -EINVAL;
		}
		lens[x.len / 64] |= UINT64_C(1) << (x.len % 64);
	}
	return 0;
}

/*
 * Groups a fresh build of the (checked) list creates: the distinct
 * (level, address bits above it) nodes its prefixes pass through. The list
 * is sorted by address, so each level's nodes come in order and a node is
 * new when it differs from the last one seen at its level.
 */
static uint64_t
count_groups(unsigned root_bits, const struct list *l)
{
	uint8_t last[16][16];
	bool have[16] = {false};
	uint64_t cnt = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct pfx x;
		uint32_t v;

		list_get(l, i, &x, &v);
		for (unsigned d = 0, end = root_bits; x.len > end;
		     d++, end += 8) {
			unsigned nb = end / 8; /* bytes naming the node */

			if (have[d] && memcmp(last[d], x.a, nb) == 0)
				continue;
			memcpy(last[d], x.a, nb);
			have[d] = true;
			cnt++;
		}
	}
	return cnt;
}

/* First index of l whose prefix is >= x. */
static size_t
lower_bound(const struct list *l, const struct pfx *x)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct pfx m;
		uint32_t v;

		list_get(l, mid, &m, &v);
		if (pfx_cmp(&m, x) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The value l gives p's range before its more-specifics: the longest
 * prefix of l covering p (p itself included), else the default. */
static uint32_t
cover_value(const struct lpm *t, const struct list *l, const uint64_t lens[3],
	    const struct pfx *p)
{
	for (int len = p->len; len >= 0; len--) {
		struct pfx c = *p, m;
		uint32_t v;
		size_t i;

		if (!(lens[len / 64] & (UINT64_C(1) << (len % 64))))
			continue;
		pfx_mask(&c, (unsigned)len);
		i = lower_bound(l, &c);
		if (i < l->n) {
			list_get(l, i, &m, &v);
			if (pfx_cmp(&m, &c) == 0)
				return v;
		}
	}
	return t->def;
}

static int
build(struct lpm *t, const struct list *l, size_t *bad)
{
	uint64_t lens[3], groups;
	int rc;

	*bad = SIZE_MAX;
	if (l->family != t->family)
		return -EINVAL;
	if ((rc = list_check(t, l, lens, bad)) < 0)
		return rc;
	groups = count_groups(t->root_bits, l);
	/* The 24-bit root (64 MiB, one read per lookup for /24 and
	 * shorter) once the 16-bit layout needs over LPM4_BIG_GROUPS /
	 * LPM6_BIG_GROUPS groups. IPv4 (DIR-24-8): the 16-bit layout's
	 * second read then misses the cache like the 24-bit root's one
	 * read, and costs ~1.5x (real table: 18.9 vs 12.1 TSC cycles per
	 * address, lpm_bench). IPv6: the 24-bit root's entries a lookup
	 * reads are those the 16-bit layout's first group level holds (the
	 * same /24 entries, 1 KiB a /16), so every walk past a /16 takes
	 * one read fewer for the same lines; but that read mostly hits the
	 * cache, so the 64 MiB pay only where the groups are already tens
	 * of MiB (real table: route6 and sav6, 39k groups, walked for every
	 * IPv6 packet; country6, 17.7k, keeps its 16 bits). A smaller table
	 * keeps 256 KiB of root and its few groups in cache instead of 64
	 * MiB to fill (seconds of page faults without hugepages, at every
	 * commit of a demo-sized table). */
	if (groups > (t->family == 4 ? LPM4_BIG_GROUPS : LPM6_BIG_GROUPS)) {
		if ((rc = set_root(t, 24)) < 0)
			return rc;
		groups = count_groups(24, l);
	}
	/* one allocation of the exact size: growing by doubling copied
	 * and faulted in the pool several times (a 300k-route IPv6 table
	 * has ~220k groups) */
	if ((rc = reserve(t, groups)) < 0)
		return rc;
	/* Sorted by (address, length): a prefix is painted before every
	 * prefix inside it, so the longest match is painted last. */
	for (size_t i = 0; i < l->n; i++) {
		struct pfx x;
		uint32_t v;

		list_get(l, i, &x, &v);
		if ((rc = paint(t, &x, v)) < 0) {
			*bad = i;
			return rc;
		}
	}
	t->n_prefixes = (uint32_t)l->n;
	return 0;
}

/* Rewrite p's range from l: its cover, then l's prefixes inside it. */
static int
repaint(struct lpm *t, const struct list *l, const uint64_t lens[3],
	const struct pfx *p)
{
	int rc = paint(t, p, cover_value(t, l, lens, p));

	for (size_t i = lower_bound(l, p); rc == 0 && i < l->n; i++) {
		struct pfx x;
		uint32_t v;

		list_get(l, i, &x, &v);
		if (!pfx_holds(p, x.a))
			break;
		if (x.len > p->len)
			rc = paint(t, &x, v);
	}
	if (rc == 0)
		collapse(t, p);
	return rc;
}

/* update()'s repaint, also for a list the caller made sorted and valid
 * (no pass over it): only the changed prefixes are checked; lens as
 * list_check's, a superset will do. */
static int
patch_trusted(struct lpm *t, const struct list *l, const uint64_t lens[3],
	      const struct list *ch, size_t *bad)
{
	int rc;

	*bad = SIZE_MAX;
	if (l->family != t->family)
		return -EINVAL;
	for (size_t i = 0; i < ch->n; i++) {
		struct pfx x;
		uint32_t v;

		list_get(ch, i, &x, &v);
		if (!pfx_ok(&x, max_len(t))) {
			*bad = l->n + i;
			return -EINVAL;
		}
		if ((rc = repaint(t, l, lens, &x)) < 0)
			return rc;
	}
	t->n_prefixes = (uint32_t)l->n;
	return 0;
}

static int
update(struct lpm *t, const struct list *l, const struct list *ch, size_t *bad)
{
	uint64_t lens[3];
	int rc;

	*bad = SIZE_MAX;
	if (l->family != t->family)
		return -EINVAL;
	if ((rc = list_check(t, l, lens, bad)) < 0)
		return rc;
	return patch_trusted(t, l, lens, ch, bad);
}

/* ---- public ------------------------------------------------------- */

int
lpm_create(struct lpm **out, int family, uint32_t def)
{
	struct lpm *t;

	*out = NULL;
	if ((family != 4 && family != 6) || def > LPM_VALUE_MAX)
		return -EINVAL;
	t = rte_zmalloc_socket("ixg_lpm", sizeof(*t), RTE_CACHE_LINE_SIZE,
			       SOCKET_ID_ANY);
	if (t == NULL)
		return -ENOMEM;
	t->family = (uint8_t)family;
	t->def = def;
	/* 16 bits to start with; the build of a big table widens it */
	if (set_root(t, 16) < 0) {
		rte_free(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

void
lpm_free(struct lpm *t)
{
	if (t == NULL)
		return;
	rte_free(t->root);
	rte_free(t->grp);
	rte_free(t);
}

int
lpm_build4(struct lpm *t, const uint64_t *k, const uint32_t *v, size_t n,
	   size_t *bad)
{
	struct list l = {.family = 4, .n = n, .k = k, .v = v};

	return build(t, &l, bad);
}

int
lpm_build6(struct lpm *t, const struct fib_pfx6 *p, size_t n, size_t *bad)
{
	struct list l = {.family = 6, .n = n, .p = p};

	return build(t, &l, bad);
}

int
lpm_update4(struct lpm *t, const uint64_t *k, const uint32_t *v, size_t n,
	    const uint64_t *ch, size_t n_ch, size_t *bad)
{
	struct list l = {.family = 4, .n = n, .k = k, .v = v};
	struct list c = {.family = 4, .n = n_ch, .k = ch};

	return update(t, &l, &c, bad);
}

int
lpm_update6(struct lpm *t, const struct fib_pfx6 *p, size_t n,
	    const struct fib_pfx6 *ch, size_t n_ch, size_t *bad)
{
	struct list l = {.family = 6, .n = n, .p = p};
	struct list c = {.family = 6, .n = n_ch, .p = ch};

	return update(t, &l, &c, bad);
}

int
lpm_patch4(struct lpm *t, const uint64_t *k, const uint32_t *v, size_t n,
	   const uint64_t lens[3], const uint64_t *ch, size_t n_ch, size_t *bad)
{
	struct list l = {.family = 4, .n = n, .k = k, .v = v};
	struct list c = {.family = 4, .n = n_ch, .k = ch};

	return patch_trusted(t, &l, lens, &c, bad);
}

int
lpm_patch6(struct lpm *t, const struct fib_pfx6 *p, size_t n,
	   const uint64_t lens[3], const struct fib_pfx6 *ch, size_t n_ch,
	   size_t *bad)
{
	struct list l = {.family = 6, .n = n, .p = p};
	struct list c = {.family = 6, .n = n_ch, .p = ch};

	return patch_trusted(t, &l, lens, &c, bad);
}

int
lpm_copy(struct lpm **out, const struct lpm *src)
{
	struct lpm *t;
	size_t rootsz = ((size_t)1 << src->root_bits) * 4;
	size_t grpsz = (size_t)src->cap_groups * GRP_ENTRIES * 4;

	*out = NULL;
	t = rte_malloc_socket("ixg_lpm", sizeof(*t), RTE_CACHE_LINE_SIZE,
			      SOCKET_ID_ANY);
	if (t == NULL)
		return -ENOMEM;
	*t = *src;
	t->grp = NULL;
	t->root = rte_malloc_socket("ixg_lpm_root", rootsz, RTE_CACHE_LINE_SIZE,
				    SOCKET_ID_ANY);
	if (grpsz > 0)
		t->grp = rte_malloc_socket("ixg_lpm_grp", grpsz,
					   RTE_CACHE_LINE_SIZE, SOCKET_ID_ANY);
	if (t->root == NULL || (grpsz > 0 && t->grp == NULL)) {
		lpm_free(t);
		return -ENOMEM;
	}
	memcpy(t->root, src->root, rootsz);
	if (grpsz > 0)
		memcpy(t->grp, src->grp, grpsz);
	*out = t;
	return 0;
}

int
lpm_copy_root16(struct lpm **out, const struct lpm *src)
{
	struct lpm *t;
	uint32_t extra = 0, g;
	int rc;

	*out = NULL;
	if ((rc = lpm_copy(&t, src)) < 0)
		return rc;
	if (src->root_bits == 16) {
		*out = t;
		return 0;
	}
	/* a group for each /16 whose 256 /24 entries are not one value */
	for (uint32_t i = 0; i < 1u << 16; i++) {
		const uint32_t *e = &src->root[(size_t)i << 8];

		for (unsigned j = 0; j < GRP_ENTRIES; j++)
			if (e[j] != e[0] || (e[j] & LPM_GROUP)) {
				extra++;
				break;
			}
	}
	rte_free(t->root);
	t->root = NULL;
	if (reserve(t, (uint64_t)t->n_groups + extra) < 0 ||
	    set_root(t, 16) < 0) {
		lpm_free(t);
		return -ENOMEM;
	}
	g = t->n_groups;
	for (uint32_t i = 0; i < 1u << 16; i++) {
		const uint32_t *e = &src->root[(size_t)i << 8];
		unsigned j = 0;

		while (j < GRP_ENTRIES && e[j] == e[0] && !(e[j] & LPM_GROUP))
			j++;
		if (j == GRP_ENTRIES) {
			t->root[i] = e[0];
			continue;
		}
		memcpy(grp_at(t, g), e, GRP_ENTRIES * 4);
		t->root[i] = LPM_GROUP | g++;
	}
	t->n_groups = g;
	*out = t;
	return 0;
}

size_t
lpm_bytes(const struct lpm *t)
{
	if (t == NULL)
		return 0;
	return sizeof(*t) + ((size_t)1 << t->root_bits) * 4 +
	       (size_t)t->cap_groups * GRP_ENTRIES * 4;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

size_t
lpm_heap_warm(size_t bytes)
{
	enum { BLOCK = 64 << 20, PAGE = 4096, MAX_BLOCKS = 256 };
	void *blk[MAX_BLOCKS];
	size_t done = 0;
	unsigned n = 0;

	if (rte_eal_has_hugepages())
		return 0;
	while (done < bytes && n < MAX_BLOCKS) {
		size_t sz = RTE_MIN((size_t)BLOCK, bytes - done);
		volatile char *p = rte_malloc_socket("ixg_lpm_warm", sz, PAGE,
						     SOCKET_ID_ANY);

		if (p == NULL)
			break;
		if (madvise((void *)p, sz, MADV_POPULATE_WRITE) != 0)
			for (size_t o = 0; o < sz; o += PAGE)
				p[o] = 0;
		blk[n++] = (void *)p;
		done += sz;
	}
	while (n > 0)
		rte_free(blk[--n]);
	return done;
}

uint32_t
lpm_groups(const struct lpm *t)
{
	return t == NULL ? 0 : t->n_groups - t->n_free;
}

/*
 * Two ways, by the batch's size. Up to LPM6_CHAINS_MAX addresses (the
 * pipeline's: ~10 IPv6 addresses in a burst of the 70/30 mix): four at a
 * time, each walked to its end, the four chains interleaved, the tail one
 * by one. More: level by level across the batch while nearly every
 * address is still in a group (the root, then LPM6_BULK_LEVELS group
 * levels: a /32 ends there below a 16-bit root, a /40 below a 24-bit
 * one), then each address that goes deeper on its
 * own; the reads of the whole batch overlap. On the real route6
 * (bench/README.md, "Issue 12, the worker alone"): the chains cost 42
 * instructions a lookup, the levels 57 (60 before the group index by
 * shift); lpm_bench's cycles, the two in one process, loaded machine:
 * equal within 1% on batches of 10, the levels 1.2-1.4x faster on
 * batches of 32 (more misses in flight). The table pointers are locals:
 * the project builds with -fno-strict-aliasing, and every v[i] store
 * would otherwise reload them.
 */
#define LPM6_BULK_LEVELS 2
#define LPM6_CHAINS_MAX 16

/* One level: the entry for byte b of the group e names, if e names one. */
#define LPM6_STEP(e, a, b)                                                     \
	do {                                                                   \
		if ((e)&LPM_GROUP)                                             \
			(e) = grp[lpm_group_index(e) | (a)[b]];                \
	} while (0)

/* s: the root's shift (lpm.shift4), b0 = (32 - s) / 8 the first byte
 * below it; both constants where inlined. */
static inline __attribute__((always_inline)) void
lpm6_lookup_chains(const uint32_t *root, const uint32_t *grp,
		   const uint8_t (*a)[16], uint32_t *v, unsigned n,
		   const unsigned s)
{
	const unsigned b0 = (32 - s) / 8;
	unsigned i = 0;

	for (; i + 4 <= n; i += 4) {
		const uint8_t *a0 = a[i], *a1 = a[i + 1], *a2 = a[i + 2],
			      *a3 = a[i + 3];
		uint32_t e0 = root[lpm6_root_index(a0, s)];
		uint32_t e1 = root[lpm6_root_index(a1, s)];
		uint32_t e2 = root[lpm6_root_index(a2, s)];
		uint32_t e3 = root[lpm6_root_index(a3, s)];

		for (unsigned b = b0; (e0 | e1 | e2 | e3) & LPM_GROUP; b++) {
			LPM6_STEP(e0, a0, b);
			LPM6_STEP(e1, a1, b);
			LPM6_STEP(e2, a2, b);
			LPM6_STEP(e3, a3, b);
		}
		v[i] = e0;
		v[i + 1] = e1;
		v[i + 2] = e2;
		v[i + 3] = e3;
	}
	for (; i < n; i++) {
		uint32_t e = root[lpm6_root_index(a[i], s)];

		for (unsigned b = b0; e & LPM_GROUP; b++)
			LPM6_STEP(e, a[i], b);
		v[i] = e;
	}
}

static inline __attribute__((always_inline)) void
lpm6_lookup_levels(const uint32_t *root, const uint32_t *grp,
		   const uint8_t (*a)[16], uint32_t *v, unsigned n,
		   const unsigned s)
{
	const unsigned b0 = (32 - s) / 8;
	uint32_t any = 0;

	for (unsigned i = 0; i < n; i++) {
		v[i] = root[lpm6_root_index(a[i], s)];
		any |= v[i];
	}
	for (unsigned b = b0; b < b0 + LPM6_BULK_LEVELS && (any & LPM_GROUP);
	     b++) {
		any = 0;
		for (unsigned i = 0; i < n; i++) {
			uint32_t e = v[i];

			LPM6_STEP(e, a[i], b);
			v[i] = e;
			any |= e;
		}
	}
	if (!(any & LPM_GROUP))
		return;
	for (unsigned i = 0; i < n; i++) {
		uint32_t e = v[i];

		for (unsigned b = b0 + LPM6_BULK_LEVELS; e & LPM_GROUP; b++)
			LPM6_STEP(e, a[i], b);
		v[i] = e;
	}
}

void
lpm6_lookup_bulk(const struct lpm *t, const uint8_t (*a)[16], uint32_t *v,
		 unsigned n)
{
	const uint32_t *root, *grp;

	if (t == NULL) {
		memset(v, 0, n * sizeof(*v));
		return;
	}
	root = t->root;
	grp = t->grp;
	/* each way twice, the root's shift a constant in each copy */
	if (n <= LPM6_CHAINS_MAX) {
		if (t->shift4 == 8)
			lpm6_lookup_chains(root, grp, a, v, n, 8);
		else
			lpm6_lookup_chains(root, grp, a, v, n, 16);
	} else {
		if (t->shift4 == 8)
			lpm6_lookup_levels(root, grp, a, v, n, 8);
		else
			lpm6_lookup_levels(root, grp, a, v, n, 16);
	}
}
