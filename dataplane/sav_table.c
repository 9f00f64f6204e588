/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sav_table.c - what stage_sav (sav_stage.c) reads: the source-validation
 * FIBs sav4 and sav6, mapping a source address to the set of peers that
 * may send it (tables.h, SAV_SET), and the peer sets. Per prefix, the set
 * is the prefix's own peers and those of every covering prefix,
 * deduplicated, so the longest match alone decides.
 * Hooks (tables_impl.h): the spec tables "sources4" and "sources6", the
 * part "sav".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <rte_malloc.h>

#include "tables_impl.h"

/* ------------------------------------------------------------------ */
/* Checks and names.                                                  */

static int
sources4_validate(struct spec_check *c)
{
	return spec_check_prefix_peers4(c, c->s->sources4, c->s->n_sources4,
					IXG_TBL_SOURCES4);
}

static int
sources6_validate(struct spec_check *c)
{
	return spec_check_prefix_peers6(c, c->s->sources6, c->s->n_sources6,
					IXG_TBL_SOURCES6);
}

static void
sources4_describe(const struct ixg_spec *s, uint32_t i, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	tbl_fmt_addr4h(a, sizeof(a), s->sources4[i].addr);
	snprintf(buf, len, "source prefix %s/%u (origin %" PRIu32 ")", a,
		 s->sources4[i].len, s->sources4[i].origin);
}

static void
sources6_describe(const struct ixg_spec *s, uint32_t i, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	tbl_fmt_addr(a, sizeof(a), 6, s->sources6[i].addr);
	snprintf(buf, len, "source prefix %s/%u (origin %" PRIu32 ")", a,
		 s->sources6[i].len, s->sources6[i].origin);
}

const struct spec_table_ops spec_table_sources4 = {
	.validate = sources4_validate,
	.describe = sources4_describe,
};

const struct spec_table_ops spec_table_sources6 = {
	.validate = sources6_validate,
	.describe = sources6_describe,
};

/* ------------------------------------------------------------------ */
/* The part "sav".                                                    */

struct sav_builder {
	/* distinct multi-peer sets */
	struct tbl_sav_set *sets;
	uint32_t n_sets, cap_sets;
	uint16_t *peers;
	uint32_t n_peers, cap_peers;
	/* open-addressing index of sets: slot = set index + 1, 0 empty */
	uint32_t *slots;
	uint32_t n_slots;
	/* the covering-prefix stack; each entry's set lives in `scratch` */
	uint16_t *scratch;
	size_t n_scratch, cap_scratch;
	/* used[i]: set i is some prefix's next hop (sets seeded from the
	 * previous snapshot may no longer be) */
	uint8_t *used;
	uint32_t n_used;
	uint32_t last; /* the set sav_step interned or found last */
};

struct sav_frame {
	uint8_t addr[16];
	uint8_t len;
	size_t mark; /* scratch length before this frame: restored on pop */
	size_t off, n; /* the set in scratch (may be the parent's) */
	int64_t nh; /* its FIB next hop */
};

/*
 * One family's FIB (sav4 or sav6) with the sets its next hops name, so a
 * build whose other family's sources changed can keep it (build_sav):
 * reference-counted apart from the part, freed with the last snapshot
 * holding it.
 */
struct sav_fam {
	unsigned refs;
	/* Every source of the family sorted by prefix, as the walk read
	 * them (IPv4: key4 with PK_SOURCE and the index in the spec's
	 * sources4; IPv6: records with the index): the next build patches
	 * from them (sav_patch4/6) instead of sorting the table again.
	 * NULL when not kept. */
	uint64_t *k4;
	struct fib_pfx6 *p6;
	size_t n_src;
	uint32_t n_sets;
	uint32_t sets[]; /* distinct set indices the FIB's next hops use */
};

/* Families made by sav_patch4 / sav_patch6 since start (tables.h). */
static unsigned long sav_patched[2];

/* See tables.h. */
unsigned long
tables_sav_patched(int family)
{
	return sav_patched[family == 6];
}

/* The distinct sets (next hops >= SAV_SET) among nh[0..n), as a new
 * sav_fam with one reference; NULL when out of memory. */
static struct sav_fam *
fam_make(const uint32_t *nh, size_t n, size_t stride, uint32_t n_sets)
{
	uint8_t *seen = calloc((size_t)n_sets + 1, 1);
	uint32_t k = 0;
	struct sav_fam *f;

	if (seen == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		uint32_t v = tbl_sav_leaf_peers(
			*(const uint32_t *)((const char *)nh + i * stride));

		if (v >= SAV_SET && v - SAV_SET < n_sets &&
		    !seen[v - SAV_SET]) {
			seen[v - SAV_SET] = 1;
			k++;
		}
	}
	f = malloc(sizeof(*f) + ((size_t)k + 1) * sizeof(f->sets[0]));
	if (f != NULL) {
		f->refs = 1;
		f->k4 = NULL;
		f->p6 = NULL;
		f->n_src = 0;
		f->n_sets = 0;
		for (uint32_t s = 0; s < n_sets; s++)
			if (seen[s])
				f->sets[f->n_sets++] = s;
	}
	free(seen);
	return f;
}

static uint32_t
set_hash(const uint16_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	/* The multiplications only carry low bits upwards, and the index is
	 * the low bits: without this final mix (MurmurHash3's fmix32) sets
	 * of small peer ids with equal low bits all probe one cluster (with
	 * the full bench table's 4,095 peers, 13% of a commit). */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static int
sav_rehash(struct sav_builder *sb, uint32_t n_slots)
{
	uint32_t *slots = calloc(n_slots, sizeof(*slots));

	if (slots == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < sb->n_sets; i++) {
		const struct tbl_sav_set *st = &sb->sets[i];
		uint32_t h = set_hash(&sb->peers[st->first], st->n);

		while (slots[h & (n_slots - 1)] != 0)
			h++;
		slots[h & (n_slots - 1)] = i + 1;
	}
	free(sb->slots);
	sb->slots = slots;
	sb->n_slots = n_slots;
	return 0;
}

/* Index of the set equal to p[0..n), adding it if new; negative errno. */
static int64_t
sav_intern(struct sav_builder *sb, const uint16_t *p, size_t n)
{
	uint32_t h;

	if (sb->n_sets * 2 >= sb->n_slots &&
	    sav_rehash(sb, sb->n_slots ? sb->n_slots * 2 : 1024) < 0)
		return -ENOMEM;
	h = set_hash(p, n);
	for (;; h++) {
		uint32_t s = sb->slots[h & (sb->n_slots - 1)];
		const struct tbl_sav_set *st;

		if (s == 0)
			break;
		st = &sb->sets[s - 1];
		if (st->n == n &&
		    memcmp(&sb->peers[st->first], p, n * sizeof(*p)) == 0)
			return s - 1;
	}
	/* SAV_SET + index must stay in the leaf's bits below the source's
	 * country (tables.h, SAV_VALUE_MASK) */
	if (sb->n_sets >= SAV_SET_MAX || sb->n_peers + n >= (1u << 31))
		return -ENOSPC;
	if (sb->n_sets == sb->cap_sets) {
		uint32_t c = sb->cap_sets ? sb->cap_sets * 2 : 64;
		void *q = realloc(sb->sets, c * sizeof(*sb->sets));

		if (q == NULL)
			return -ENOMEM;
		sb->sets = q;
		q = realloc(sb->used, c);
		if (q == NULL)
			return -ENOMEM;
		sb->used = q;
		sb->cap_sets = c;
	}
	if (sb->n_peers + n > sb->cap_peers) {
		/* 64-bit: cap_peers + n may be just under 2^31, and twice that
		 * must not wrap to a small buffer. */
		uint64_t c = ((uint64_t)sb->cap_peers + n) * 2;
		void *q;

		if (c > (1u << 31))
			c = 1u << 31;
		q = realloc(sb->peers, (size_t)c * sizeof(*sb->peers));

		if (q == NULL)
			return -ENOMEM;
		sb->peers = q;
		sb->cap_peers = (uint32_t)c;
	}
	memcpy(&sb->peers[sb->n_peers], p, n * sizeof(*p));
	sb->sets[sb->n_sets].first = sb->n_peers;
	sb->sets[sb->n_sets].n = (uint16_t)n;
	sb->n_peers += (uint32_t)n;
	sb->slots[h & (sb->n_slots - 1)] = sb->n_sets + 1;
	sb->used[sb->n_sets] = 0;
	return sb->n_sets++;
}

static int
scratch_reserve(struct sav_builder *sb, size_t more)
{
	if (sb->n_scratch + more > sb->cap_scratch) {
		size_t c = (sb->cap_scratch + more) * 2;
		void *q = realloc(sb->scratch, c * sizeof(*sb->scratch));

		if (q == NULL)
			return -ENOMEM;
		sb->scratch = q;
		sb->cap_scratch = c;
	}
	return 0;
}

static int
cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static int
covers(const struct sav_frame *f, const uint8_t *addr, uint8_t len)
{
	uint8_t m[16];

	if (f->len > len)
		return 0;
	mask6(m, addr, f->len);
	return memcmp(m, f->addr, 16) == 0;
}

/*
 * One step of the covering-prefix walk. The group's own peers are
 * grp[0..ng) (any order, may repeat); the frame stack is popped to the
 * nearest cover, the new frame pushed with the sorted union, and the FIB
 * next hop for the group returned (or a negative errno).
 */
/* Whether every element of sorted grp[0..ng) is in sorted up[0..nu). */
static int
sav_subset(const uint16_t *grp, size_t ng, const uint16_t *up, size_t nu)
{
	size_t i = 0;

	for (size_t j = 0; j < ng; j++) {
		while (i < nu && up[i] < grp[j])
			i++;
		if (i == nu || up[i] != grp[j])
			return 0;
	}
	return 1;
}

static int64_t
sav_step(struct sav_builder *sb, struct sav_frame *stack, size_t *depth,
	 const uint8_t addr[16], uint8_t len, uint16_t *grp, size_t ng)
{
	const uint16_t *up = NULL;
	size_t nu = 0, off, n = 0, i = 0, j = 0;
	struct sav_frame *f, *top = NULL;
	int64_t set;

	while (*depth > 0 && !covers(&stack[*depth - 1], addr, len))
		sb->n_scratch = stack[--(*depth)].mark;
	if (*depth > 0) {
		top = &stack[*depth - 1];
		up = &sb->scratch[top->off];
		nu = top->n;
	}
	if (ng > 1)
		qsort(grp, ng, sizeof(*grp), cmp_u16);
	f = &stack[(*depth)++];
	memcpy(f->addr, addr, 16);
	f->len = len;
	f->mark = sb->n_scratch;
	/* Most prefixes add no peer to their cover's set (a more-specific
	 * announced by a peer already allowed above it): same set, same
	 * next hop, nothing to merge or intern. */
	if (top != NULL && sav_subset(grp, ng, up, nu)) {
		f->off = top->off;
		f->n = top->n;
		f->nh = top->nh;
		return f->nh;
	}
	if (scratch_reserve(sb, nu + ng) < 0)
		return -ENOMEM;
	if (top != NULL) /* scratch may have moved */
		up = &sb->scratch[top->off];
	off = sb->n_scratch;
	while (i < nu || j < ng) {
		uint16_t v;

		if (j >= ng || (i < nu && up[i] <= grp[j]))
			v = up[i++];
		else
			v = grp[j++];
		if (n == 0 || sb->scratch[off + n - 1] != v)
			sb->scratch[off + n++] = v;
	}
	sb->n_scratch = off + n;
	f->off = off;
	f->n = n;
	if (n == 1) {
		f->nh = sb->scratch[off];
		return f->nh;
	}
	/* Siblings under one cover often make the same union: try the set
	 * interned last before hashing (a cache miss or three). */
	if (sb->n_sets > 0 && sb->sets[sb->last].n == n &&
	    memcmp(&sb->peers[sb->sets[sb->last].first], &sb->scratch[off],
		   n * sizeof(uint16_t)) == 0) {
		set = sb->last;
	} else {
		set = sav_intern(sb, &sb->scratch[off], n);
		if (set < 0) {
			(*depth)--;
			return set;
		}
		sb->last = (uint32_t)set;
	}
	sb->n_used += !sb->used[set];
	sb->used[set] = 1;
	f->nh = SAV_SET + set;
	return f->nh;
}

static int
build_sav4(struct tbl_build *b, struct sav_builder *sb)
{
	const struct ixg_spec *s = b->spec;
	struct sav_frame stack[33];
	uint16_t grp[IXG_MAX_PEERS];
	size_t depth = 0, n = s->n_sources4, out = 0;
	uint64_t *k, *all;
	uint32_t *nhs;
	int rc;

	/* the FIB holds the countries of the sources too (tables.h) */
	if (n == 0 && b->t->fibs[FIB_COUNTRY4] == NULL)
		return 0;
	if (n > K4_IDX_MAX)
		return tbl_fail(b, -ENOSPC, "IPv4 source prefixes: %zu", n);
	k = malloc((n + 1) * sizeof(*k));
	nhs = malloc((n + 1) * sizeof(*nhs));
	if (k == NULL || nhs == NULL) {
		free(k);
		free(nhs);
		return tbl_fail(b, -ENOMEM, "IPv4 sources: out of memory");
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct ixg_spec_route4 *r = &s->sources4[i];

		if (r->len > 32 || !tbl_peer_ok(b, r->peer_id)) {
			char what[128];

			sources4_describe(s, i, what, sizeof(what));
			free(k);
			free(nhs);
			return tbl_fail(b, -EINVAL, "%s: %s", what,
					r->len > 32 ? "bad length"
						    : "peer not configured");
		}
		k[i] = key4(r->addr, r->len, PK_SOURCE, i);
	}
	if ((rc = sort_keys4(k, n)) < 0 ||
	    (all = malloc((n + 1) * sizeof(*all))) == NULL) {
		free(k);
		free(nhs);
		return tbl_fail(b, -ENOMEM, "IPv4 sources: out of memory");
	}
	memcpy(all, k, n * sizeof(*all)); /* for the next build's patch */
	/* Replace each group of equal prefixes by one key holding its nh. */
	for (size_t i = 0; i < n;) {
		uint8_t a[16] = {0};
		uint32_t an = htonl(key4_addr(k[i]));
		size_t ng = 0, g = i;
		int64_t nh;

		while (g < n && k[g] >> 26 == k[i] >> 26) {
			if (ng < IXG_MAX_PEERS)
				grp[ng++] = s->sources4[key4_idx(k[g])].peer_id;
			g++;
		}
		memcpy(a, &an, 4);
		nh = sav_step(sb, stack, &depth, a, key4_len(k[i]), grp, ng);
		if (nh < 0) {
			char what[128];

			sources4_describe(s, key4_idx(k[i]), what,
					  sizeof(what));
			free(k);
			free(nhs);
			free(all);
			return tbl_fail(b, (int)nh, "%s: peer sets: %s", what,
					strerror((int)-nh));
		}
		nhs[out] = (uint32_t)nh;
		k[out++] = k[i];
		i = g;
	}
	b->t->sav_fam[0] = fam_make(nhs, out, sizeof(*nhs), sb->n_sets);
	if (b->t->sav_fam[0] == NULL) {
		free(all);
		rc = tbl_fail(b, -ENOMEM, "IPv4 sources: out of memory");
	} else {
		b->t->sav_fam[0]->k4 = all;
		b->t->sav_fam[0]->n_src = n;
		b->t->sav4 = fib4_build_fold(b, FIB_SAV4, k, out, NULL, nhs,
					     b->t->fibs[FIB_COUNTRY4],
					     SAV_COUNTRY_SHIFT, &rc);
	}
	free(k);
	free(nhs);
	return rc;
}

static int
build_sav6(struct tbl_build *b, struct sav_builder *sb)
{
	const struct ixg_spec *s = b->spec;
	struct sav_frame stack[129];
	uint16_t grp[IXG_MAX_PEERS];
	size_t depth = 0, n = s->n_sources6, out = 0;
	struct fib_pfx6 *p, *all;
	int rc = 0;

	if (n == 0 && b->t->fibs[FIB_COUNTRY6] == NULL)
		return 0;
	p = calloc(n + 1, sizeof(*p));
	if (p == NULL)
		return tbl_fail(b, -ENOMEM, "IPv6 sources: out of memory");
	rc = load_pfx6(b, s->sources6, s->n_sources6, PK_SOURCE, p);
	if (rc < 0) {
		free(p);
		return rc;
	}
	if (sort_pfx6(p, n) < 0 ||
	    (all = malloc((n + 1) * sizeof(*all))) == NULL) {
		free(p);
		return tbl_fail(b, -ENOMEM, "IPv6 sources: out of memory");
	}
	memcpy(all, p, n * sizeof(*all)); /* for the next build's patch */
	for (size_t i = 0; i < n;) {
		size_t ng = 0, g = i;
		int64_t nh;

		while (g < n && same_prefix6(&p[g], &p[i])) {
			if (ng < IXG_MAX_PEERS)
				grp[ng++] = s->sources6[p[g].idx].peer_id;
			g++;
		}
		nh = sav_step(sb, stack, &depth, p[i].addr, p[i].len, grp, ng);
		if (nh < 0) {
			char what[128];

			sources6_describe(s, p[i].idx, what, sizeof(what));
			free(p);
			free(all);
			return tbl_fail(b, (int)nh, "%s: peer sets: %s", what,
					strerror((int)-nh));
		}
		p[out] = p[i];
		p[out++].nh = (uint32_t)nh;
		i = g;
	}
	/* Before fib6_build prunes p in place. */
	b->t->sav_fam[1] = fam_make(&p[0].nh, out, sizeof(*p), sb->n_sets);
	if (b->t->sav_fam[1] == NULL) {
		free(all);
		rc = tbl_fail(b, -ENOMEM, "IPv6 sources: out of memory");
	} else {
		b->t->sav_fam[1]->p6 = all;
		b->t->sav_fam[1]->n_src = n;
		b->t->sav6 = fib6_build_fold(b, FIB_SAV6, p, out,
					     b->t->fibs[FIB_COUNTRY6],
					     SAV_COUNTRY_SHIFT, &rc);
	}
	free(p);
	return rc;
}

/*
 * Start the peer sets with the previous snapshot's, at the same indices, so
 * that a prefix whose set did not change keeps its next hop and a patched
 * FIB (fibrec.h) changes only where the sets did. Sets no prefix uses any
 * more are carried along until they outnumber the used ones (plus 1024);
 * then this build numbers the sets afresh (and the FIBs are likely rebuilt).
 */
static int
sav_seed(struct tbl_build *b, struct sav_builder *sb)
{
	const struct tables *o = b->prev;
	uint32_t ns, np;

	if (o == NULL)
		return 0;
	if (o->n_sav_sets == 0)
		return 1; /* no set to number: the numbers are kept */
	if (o->sav_slots == NULL ||
	    o->n_sav_sets > 2 * (uint64_t)o->n_sav_sets_used + 1024)
		return 0;
	/* Copy the sets and their hash index as they are (~10 MB for the
	 * bench table's 495k sets) rather than interning each again: half a
	 * million cache-missing probes per commit. */
	ns = o->n_sav_sets;
	np = o->n_sav_set_peers;
	sb->sets = malloc((size_t)ns * sizeof(*sb->sets));
	sb->used = calloc(ns, 1);
	sb->peers = malloc(((size_t)np + 1) * sizeof(*sb->peers));
	sb->slots = malloc((size_t)o->n_sav_slots * sizeof(*sb->slots));
	if (sb->sets == NULL || sb->used == NULL || sb->peers == NULL ||
	    sb->slots == NULL)
		return tbl_fail(b, -ENOMEM, "sav sets: out of memory");
	memcpy(sb->sets, o->sav_sets, (size_t)ns * sizeof(*sb->sets));
	memcpy(sb->peers, o->sav_set_peers, (size_t)np * sizeof(*sb->peers));
	memcpy(sb->slots, o->sav_slots,
	       (size_t)o->n_sav_slots * sizeof(*sb->slots));
	sb->n_sets = sb->cap_sets = ns;
	sb->n_peers = np;
	sb->cap_peers = np + 1;
	sb->n_slots = o->n_sav_slots;
	return 1;
}

/* ------------------------------------------------------------------ */
/* A family patched from the running snapshot's (sav_patch4/6).       */

/*
 * A one-member change touches a few prefixes of a table of 565k: the
 * family is then made from the running snapshot's instead of walked whole.
 * The sources that changed are the middle of the spec array that differs
 * from the previous spec's (the same elements before and after it, pair
 * by pair, origins aside: the compiler emits a member's prefixes
 * together), so the sorted sources are the previous ones without the old
 * middle, renumbered, merged with the new middle sorted; the FIB content
 * is the previous one but inside each outermost changed prefix ("range"),
 * where it is walked again from the range's cover (whose peer set no
 * change touched: it is the longest previous entry above the range) as
 * build_sav4/6 would walk it, and the FIB is spliced over the ranges
 * (fibrec_splice4/6). Same peer sets, same numbers (sav_seed), so the
 * same answers as a whole build of the spec (test_sav_delta).
 */

static bool sav_take(struct tbl_build *b, struct sav_builder *sb, int f);

/* Up to this many changed sources in one middle, the middle is merged;
 * past it, a table sent sorted is compared prefix by prefix
 * (sav_sorted), which finds the prefixes whose peers changed among
 * the middle's moved ones. */
#define SAV_MIDDLE_SMALL 64

/* Sources a memcmp of the equal ends of two tables covers. */
#define SAV_SCAN_BLOCK 1024u

/* Past this many changed sources (old and new middles) the whole build
 * is cheaper than merging and splicing. */
static bool
sav_patch_worth(size_t changed, size_t n)
{
	return changed <= n / 8 + 4096;
}

static bool
same_src4(const void *x, const void *y)
{
	const struct ixg_spec_route4 *a = x, *b = y;

	return a->addr == b->addr && a->len == b->len &&
	       a->peer_id == b->peer_id;
}

static bool
same_src6(const void *x, const void *y)
{
	const struct ixg_spec_route6 *a = x, *b = y;

	return a->len == b->len && a->peer_id == b->peer_id &&
	       memcmp(a->addr, b->addr, 16) == 0;
}

/*
 * The equal ends of the old and new sources o[0..on) and nw[0..nn) (esz
 * bytes each; same() compares two): *lo sources at the start, *hi at the
 * end, not overlapping. A block per memcmp while the bytes are equal
 * (origins too), then source by source. Inlined with the family's
 * constants (sav_patch4/6).
 */
static inline __attribute__((always_inline)) void
sav_equal_ends(const void *o, uint32_t on, const void *nw, uint32_t nn,
	       size_t esz, bool (*same)(const void *, const void *),
	       uint32_t *lo_out, uint32_t *hi_out)
{
	const char *a = o, *b = nw;
	uint32_t lo = 0, hi = 0;

	while (lo + SAV_SCAN_BLOCK <= on && lo + SAV_SCAN_BLOCK <= nn &&
	       memcmp(a + lo * esz, b + lo * esz, SAV_SCAN_BLOCK * esz) == 0)
		lo += SAV_SCAN_BLOCK;
	while (lo < on && lo < nn && same(a + lo * esz, b + lo * esz))
		lo++;
	while (hi + SAV_SCAN_BLOCK <= on - lo &&
	       hi + SAV_SCAN_BLOCK <= nn - lo &&
	       memcmp(a + (on - hi - SAV_SCAN_BLOCK) * esz,
		      b + (nn - hi - SAV_SCAN_BLOCK) * esz,
		      SAV_SCAN_BLOCK * esz) == 0)
		hi += SAV_SCAN_BLOCK;
	while (hi < on - lo && hi < nn - lo &&
	       same(a + (on - 1 - hi) * esz, b + (nn - 1 - hi) * esz))
		hi++;
	*lo_out = lo;
	*hi_out = hi;
}

/*
 * The country prefixes of family f (0: IPv4 keys into *c4, 1: IPv6
 * records into *c6; malloc'd) whose country differs between b->prev's and
 * b's country map (folded into the SAV leaves, tables.h), their count in
 * *n; cn: the new map's prefixes. 1 to go on patching (none when the map
 * is the same), 0 when the whole build must make the family (folded on
 * one side only, or over an eighth of the map changed), negative errno
 * (tbl_fail's message).
 */
static int
sav_country_changes(struct tbl_build *b, int f, size_t cn, uint64_t **c4,
		    struct fib_pfx6 **c6, size_t *n)
{
	enum fib_slot slot = f == 0 ? FIB_COUNTRY4 : FIB_COUNTRY6;
	const struct fibrec *pc = b->prev->fibs[slot], *nc = b->t->fibs[slot];
	int rc;

	*n = 0;
	if (tbl_same(b, f == 0 ? IXG_TBL_COUNTRY4 : IXG_TBL_COUNTRY6))
		return 1;
	if ((pc != NULL) != (nc != NULL))
		return 0;
	rc = f == 0 ? fibrec_diff4(pc, nc, c4, n) : fibrec_diff6(pc, nc, c6, n);
	if (rc < 0)
		return tbl_fail(b, -ENOMEM, "IPv%d sources: out of memory",
				f == 0 ? 4 : 6);
	if (*n > cn / 8 + 4096) {
		free(f == 0 ? (void *)*c4 : (void *)*c6);
		*n = 0;
		return 0;
	}
	return 1;
}

/* A copy of the sorted sources src[0..n) (esz bytes each) with room for
 * one more, malloc'd: the sources of a commit that changed the country
 * map alone. NULL when out of memory. */
static void *
sav_same_sources(const void *src, size_t n, size_t esz)
{
	void *ka = malloc((n + 1) * esz);

	if (ka != NULL)
		memcpy(ka, src, n * esz);
	return ka;
}

static int
sav_pfx6_cmp(const struct fib_pfx6 *a, const uint8_t *addr, uint8_t len)
{
	int d = memcmp(a->addr, addr, 16);

	return d != 0 ? d : (a->len > len) - (a->len < len);
}

static size_t
sav_pfx6_lower(const struct fib_pfx6 *p, size_t n, const uint8_t *addr,
	       uint8_t len)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sav_pfx6_cmp(&p[mid], addr, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Is address a inside prefix (pa, len)? */
static bool
sav_inside6(const uint8_t *pa, uint8_t len, const uint8_t *a)
{
	uint8_t m[16];

	mask6(m, a, len);
	return memcmp(m, pa, 16) == 0;
}

/*
 * Sources sent sorted (ixgate-control sends them sorted by prefix, then
 * peer, and changes them by (prefix, peer) edits: ixg_api.h, source
 * deltas). When no single middle of the spec array holds the changes (a
 * member's edits spread over the sorted table, or the first sorted table
 * after the compiler's order of a --config bootstrap), the changed
 * prefixes are those whose set of peers differs between the running
 * family's sorted sources and the new table: one merge of the two sorted
 * sequences, prefix group by prefix group.
 */

/* Sort p[0..n) (insertion: a prefix's peers are a handful) and drop
 * repeats; the count left. */
static size_t
peers_uniq(uint16_t *p, size_t n)
{
	size_t m = 0;

	for (size_t i = 1; i < n; i++) {
		uint16_t v = p[i];
		size_t j = i;

		while (j > 0 && p[j - 1] > v) {
			p[j] = p[j - 1];
			j--;
		}
		p[j] = v;
	}
	for (size_t i = 0; i < n; i++)
		if (m == 0 || p[m - 1] != p[i])
			p[m++] = p[i];
	return m;
}

static bool
same_peers(uint16_t *a, size_t na, uint16_t *b, size_t nb)
{
	na = peers_uniq(a, na);
	nb = peers_uniq(b, nb);
	return na == nb && memcmp(a, b, na * sizeof(*a)) == 0;
}

/*
 * The new sources nw[0..nn) (struct ixg_spec_route4 or 6, as v6 says)
 * sorted by prefix (else 0: not this path), merged against of's sorted
 * sources (peers from o, the running spec's sources): *ka the new sorted
 * keys (IPv4: PK_SOURCE keys, index into nw; IPv6: records as load_pfx6
 * loads them), *ch the changed prefixes (IPv4: PK_ROUTE keys; IPv6:
 * records, addr and len), sorted, both malloc'd, and 1; 0 when it does
 * not apply (not sorted, no set changed, or more changes than a patch is
 * worth: the whole build); a negative errno with tbl_fail's message. One
 * body for both families (inlined into sav_patch_open, v6 a constant
 * there).
 */
static inline __attribute__((always_inline)) int
sav_sorted(struct tbl_build *b, const struct sav_fam *of, const void *o,
	   const void *nw, size_t nn, void **ka_out, void **ch_out,
	   size_t *n_ch, const bool v6)
{
	const struct ixg_spec_route4 *o4 = o, *n4 = nw;
	const struct ixg_spec_route6 *o6 = o, *n6 = nw;
	size_t limit = nn / 8 + 4096, c = 0, i = 0, j = 0;
	uint16_t *gp = malloc(2 * IXG_MAX_PEERS * sizeof(*gp)), *gq;
	uint64_t *k4 = NULL, *ch4 = NULL;
	struct fib_pfx6 *k6 = NULL, *ch6 = NULL;
	int rc = 0;

	if (v6) {
		k6 = calloc(nn + 1, sizeof(*k6));
		ch6 = calloc(limit + 1, sizeof(*ch6));
	} else {
		k4 = malloc((nn + 1) * sizeof(*k4));
		ch4 = malloc((limit + 1) * sizeof(*ch4));
	}
	if (gp == NULL ||
	    (v6 ? k6 == NULL || ch6 == NULL : k4 == NULL || ch4 == NULL)) {
		rc = tbl_fail(b, -ENOMEM, "IPv%d sources: out of memory",
			      v6 ? 6 : 4);
		goto out;
	}
	gq = gp + IXG_MAX_PEERS;
	for (i = 0; i < nn; i++) {
		/* A bad length: the whole build says which. Not sorted: the
		 * middle or the whole. */
		if (v6) {
			if (n6[i].len > 128)
				goto out;
			mask6(k6[i].addr, n6[i].addr, n6[i].len);
			k6[i].len = n6[i].len;
			k6[i].kind = PK_SOURCE;
			k6[i].idx = (uint32_t)i;
			k6[i].nh = n6[i].peer_id;
			if (i > 0 &&
			    sav_pfx6_cmp(&k6[i - 1], k6[i].addr, k6[i].len) > 0)
				goto out;
		} else {
			if (n4[i].len > 32)
				goto out;
			k4[i] = key4(n4[i].addr, n4[i].len, PK_SOURCE,
				     (uint32_t)i);
			if (i > 0 && k4[i] < k4[i - 1])
				goto out;
		}
	}
	for (i = 0; i < of->n_src || j < nn;) {
		/* This prefix group: the running one's (d < 0), the new
		 * one's (d > 0) or both (d == 0). */
		uint64_t po = 0, pw = 0, p4 = 0;
		const struct fib_pfx6 *p6 = NULL;
		size_t gi = i, gj = j, no = 0, nq = 0;
		int d;

		if (v6) {
			if (i >= of->n_src)
				d = 1;
			else if (j >= nn)
				d = -1;
			else
				d = sav_pfx6_cmp(&of->p6[i], k6[j].addr,
						 k6[j].len);
			p6 = d <= 0 ? &of->p6[i] : &k6[j];
		} else {
			po = i < of->n_src ? of->k4[i] >> 26 : UINT64_MAX;
			pw = j < nn ? k4[j] >> 26 : UINT64_MAX;
			d = po < pw ? -1 : po > pw;
			p4 = d <= 0 ? po : pw;
		}
		while (gi < of->n_src && d <= 0 &&
		       (v6 ? same_prefix6(&of->p6[gi], p6)
			   : of->k4[gi] >> 26 == p4)) {
			if (no < IXG_MAX_PEERS)
				gp[no++] =
					v6 ? o6[of->p6[gi].idx].peer_id
					   : o4[key4_idx(of->k4[gi])].peer_id;
			gi++;
		}
		while (gj < nn && d >= 0 &&
		       (v6 ? same_prefix6(&k6[gj], p6) : k4[gj] >> 26 == p4)) {
			if (nq < IXG_MAX_PEERS)
				gq[nq++] = v6 ? n6[gj].peer_id : n4[gj].peer_id;
			gj++;
		}
		if (d != 0 || !same_peers(gp, no, gq, nq)) {
			if (c >= limit)
				goto out;
			for (size_t x = j; x < gj; x++)
				if (!tbl_peer_ok(b, v6 ? n6[x].peer_id
						       : n4[x].peer_id)) {
					char what[128];

					if (v6)
						sources6_describe(
							b->spec, (uint32_t)x,
							what, sizeof(what));
					else
						sources4_describe(
							b->spec, (uint32_t)x,
							what, sizeof(what));
					rc = tbl_fail(b, -EINVAL,
						      "%s: peer not configured",
						      what);
					goto out;
				}
			if (v6) {
				memcpy(ch6[c].addr, p6->addr, 16);
				ch6[c++].len = p6->len;
			} else {
				/* key4(addr, len, PK_ROUTE, 0) */
				ch4[c++] = p4 << 26;
			}
		}
		i = gi;
		j = gj;
	}
	if (c > 0) {
		*ka_out = v6 ? (void *)k6 : (void *)k4;
		*ch_out = v6 ? (void *)ch6 : (void *)ch4;
		*n_ch = c;
		k4 = ch4 = NULL;
		k6 = ch6 = NULL;
		rc = 1;
	}
out:
	free(gp);
	free(k4);
	free(ch4);
	free(k6);
	free(ch6);
	return rc;
}

/*
 * Put the cover (address a masked to len cl, FIB next hop nh: 0 none, a
 * peer id, or SAV_SET + set) as the bottom frame of the walk of a range,
 * its peers at the start of the scratch. The depth after it into *depth.
 */
static int
sav_cover_frame(struct sav_builder *sb, struct sav_frame *stack, size_t *depth,
		const uint8_t a[16], int cl, uint32_t nh)
{
	const uint16_t *p;
	uint16_t one;
	size_t n;

	sb->n_scratch = 0;
	*depth = 0;
	if (nh == 0)
		return 0;
	if (nh < SAV_SET) {
		one = (uint16_t)nh;
		p = &one;
		n = 1;
	} else {
		if (nh - SAV_SET >= sb->n_sets)
			return -EINVAL; /* not the seeded numbers */
		p = &sb->peers[sb->sets[nh - SAV_SET].first];
		n = sb->sets[nh - SAV_SET].n;
	}
	if (scratch_reserve(sb, n) < 0)
		return -ENOMEM;
	memcpy(sb->scratch, p, n * sizeof(*p));
	sb->n_scratch = n;
	mask6(stack[0].addr, a, (uint8_t)cl);
	stack[0].len = (uint8_t)cl;
	stack[0].mark = 0;
	stack[0].off = 0;
	stack[0].n = n;
	stack[0].nh = nh;
	*depth = 1;
	return 0;
}

/* Mark the sets of fam used (its FIB names them). */
static void
sav_mark_fam(struct sav_builder *sb, const struct sav_fam *fam)
{
	for (uint32_t i = 0; i < fam->n_sets; i++) {
		uint32_t s = fam->sets[i];

		if (s < sb->n_sets) {
			sb->n_used += !sb->used[s];
			sb->used[s] = 1;
		}
	}
}

/*
 * The parts of sav_patch4 and sav_patch6 that do not depend on how a
 * family holds its prefixes, one body for both (inlined into the
 * two, v6 a constant there): IPv4 sources are sorted keys (key4: address,
 * length, PK_SOURCE, index) with the FIB's next hops in arrays beside
 * them, IPv6 sources records (struct fib_pfx6, next hop inside).
 */

/*
 * The running family's sorted sources old[0..n_old) without the old
 * middle of the spec array (indices [lo, on - hi)), the later ones
 * renumbered (+ nn - on), merged with the new middle's sorted entries
 * mid[0..mn): the sorted sources of the new spec into ka (room for
 * n_old + mn). Returns how many.
 */
static inline __attribute__((always_inline)) size_t
sav_merge_middle(void *ka, const void *old, size_t n_old, const void *mid,
		 size_t mn, uint32_t lo, uint32_t on, uint32_t hi, uint32_t nn,
		 const bool v6)
{
	const uint64_t *o4 = old, *m4 = mid;
	const struct fib_pfx6 *o6 = old, *m6 = mid;
	uint64_t *k4 = ka;
	struct fib_pfx6 *k6 = ka;
	size_t i = 0, j = 0, na = 0;

	while (i < n_old || j < mn) {
		uint64_t x4 = UINT64_MAX;
		struct fib_pfx6 x6 = {0};
		bool take_mid;

		if (i < n_old) {
			uint32_t idx = v6 ? o6[i].idx : key4_idx(o4[i]);

			if (idx >= lo && idx < on - hi) {
				i++;
				continue;
			}
			if (v6) {
				x6 = o6[i];
				if (idx >= lo)
					x6.idx = idx - on + nn;
			} else {
				x4 = idx < lo
					     ? o4[i]
					     : (o4[i] & ~(uint64_t)K4_IDX_MAX) |
						       (idx - on + nn);
			}
		}
		take_mid = j < mn &&
			   (i >= n_old ||
			    (v6 ? sav_pfx6_cmp(&m6[j], x6.addr, x6.len) < 0
				: m4[j] < x4));
		if (take_mid) {
			if (v6)
				k6[na++] = m6[j++];
			else
				k4[na++] = m4[j++];
		} else {
			if (v6)
				k6[na++] = x6;
			else
				k4[na++] = x4;
			i++;
		}
	}
	return na;
}

/*
 * The changed prefixes *ch[0..*n_ch) with the changed country prefixes
 * cch[0..n_cch) added (the array grown), sorted again; then the ranges
 * the patch repaints, the changed prefixes inside no other changed one,
 * moved to the front. Returns how many ranges, or -ENOMEM (*ch still the
 * caller's to free).
 */
static inline __attribute__((always_inline)) ssize_t
sav_ranges(void **ch, size_t *n_ch, const void *cch, size_t n_cch,
	   const bool v6)
{
	size_t esz = v6 ? sizeof(struct fib_pfx6) : sizeof(uint64_t);
	size_t n_rg = 0;
	uint64_t *c4;
	struct fib_pfx6 *c6;

	if (n_cch > 0) {
		void *c2 = realloc(*ch, (*n_ch + n_cch + 1) * esz);

		if (c2 == NULL)
			return -ENOMEM;
		*ch = c2;
		memcpy((char *)c2 + *n_ch * esz, cch, n_cch * esz);
		*n_ch += n_cch;
		if ((v6 ? sort_pfx6(c2, *n_ch) : sort_keys4(c2, *n_ch)) < 0)
			return -ENOMEM;
	}
	c4 = *ch;
	c6 = *ch;
	for (size_t i = 0; i < *n_ch; i++) {
		/* sorted: inside the last range iff before its end */
		if (n_rg > 0 &&
		    (v6 ? sav_inside6(c6[n_rg - 1].addr, c6[n_rg - 1].len,
				      c6[i].addr) &&
				     c6[i].len >= c6[n_rg - 1].len
			: c4[i] < key4_after(key4_addr(c4[n_rg - 1]),
					     key4_len(c4[n_rg - 1]))))
			continue;
		if (v6)
			c6[n_rg++] = c6[i];
		else
			c4[n_rg++] = c4[i];
	}
	return (ssize_t)n_rg;
}

/*
 * The walk of one range from its cover's frame (the stack as
 * sav_cover_frame left it; cover_nh the FIB next hop around the range):
 * the new sorted sources ka[*ki..na) inside the range (IPv4: keys before
 * end4; IPv6: records inside the prefix rg6), prefix group by prefix
 * group, their peers from the spec's sources nw. Each group whose next
 * hop differs from its nearest written cover's goes out (IPv4: keys tk,
 * next hops tv; IPv6: records tp). *ki moved past the range. Returns how
 * many went out, or a negative errno with tbl_fail's message.
 */
static inline __attribute__((always_inline)) int64_t
sav_walk_range(struct tbl_build *b, struct sav_builder *sb,
	       struct sav_frame *stack, size_t *depth, const void *ka,
	       size_t na, size_t *ki, uint64_t end4, const struct fib_pfx6 *rg6,
	       uint32_t cover_nh, const void *nw, uint64_t *tk, uint32_t *tv,
	       struct fib_pfx6 *tp, const bool v6)
{
	const uint64_t *k4 = ka;
	const struct fib_pfx6 *k6 = ka;
	const struct ixg_spec_route4 *n4 = nw;
	const struct ixg_spec_route6 *n6 = nw;
	uint16_t grp[IXG_MAX_PEERS];
	/* the written groups around the current one */
	struct {
		uint8_t addr[16];
		uint8_t len;
		uint32_t nh;
	} st[129];
	size_t sd = 0, rn = 0;

	while (*ki < na && (v6 ? sav_inside6(rg6->addr, rg6->len, k6[*ki].addr)
			       : (k4[*ki] & LPM4_KEY_ID_MASK) < end4)) {
		size_t gi = *ki, ng = 0;
		uint8_t xb[16] = {0}, xl;
		uint32_t idx;
		int64_t nh;

		if (v6) {
			memcpy(xb, k6[gi].addr, 16);
			xl = k6[gi].len;
			idx = k6[gi].idx;
			for (; gi < na && same_prefix6(&k6[gi], &k6[*ki]); gi++)
				if (ng < IXG_MAX_PEERS)
					grp[ng++] = n6[k6[gi].idx].peer_id;
		} else {
			uint32_t xan = htonl(key4_addr(k4[gi]));

			memcpy(xb, &xan, 4);
			xl = key4_len(k4[gi]);
			idx = key4_idx(k4[gi]);
			for (; gi < na && k4[gi] >> 26 == k4[*ki] >> 26; gi++)
				if (ng < IXG_MAX_PEERS)
					grp[ng++] =
						n4[key4_idx(k4[gi])].peer_id;
		}
		nh = sav_step(sb, stack, depth, xb, xl, grp, ng);
		if (nh < 0) {
			char what[128];

			if (v6)
				sources6_describe(b->spec, idx, what,
						  sizeof(what));
			else
				sources4_describe(b->spec, idx, what,
						  sizeof(what));
			return tbl_fail(b, (int)nh, "%s: peer sets: %s", what,
					strerror((int)-nh));
		}
		while (sd > 0 &&
		       !(st[sd - 1].len <= xl &&
			 sav_inside6(st[sd - 1].addr, st[sd - 1].len, xb)))
			sd--;
		if ((uint32_t)nh != (sd > 0 ? st[sd - 1].nh : cover_nh)) {
			memcpy(st[sd].addr, xb, 16);
			st[sd].len = xl;
			st[sd++].nh = (uint32_t)nh;
			if (v6) {
				tp[rn] = k6[*ki];
				tp[rn++].nh = (uint32_t)nh;
			} else {
				tk[rn] = k4[*ki] & LPM4_KEY_ID_MASK;
				tv[rn++] = (uint32_t)nh;
			}
		}
		*ki = gi;
	}
	return (int64_t)rn;
}

/* What sav_patch_open found: how sav_patch4/6 make the family. */
enum sav_open {
	SAV_OPEN_WHOLE, /* not worth a patch: the whole build makes it */
	SAV_OPEN_TAKE, /* the origins alone changed: the running family */
	SAV_OPEN_RANGES, /* the sources and changed prefixes made: ranges */
	SAV_OPEN_MIDDLE, /* a small middle: merged into the sources */
};

/*
 * The opening of sav_patch4 and sav_patch6 (inlined into the two, v6 a
 * constant there), after the country prefixes that changed (n_cch): the
 * spec arrays' equal ends (*lo, *hi) and how to patch. SAV_OPEN_RANGES
 * with *ka, the new sorted sources (*na of them), and *ch, the changed
 * prefixes (*n_ch), both malloc'd for the caller: the country map alone
 * changed (the running sources, no prefix), or the table was sent sorted
 * (sav_sorted). A negative errno with tbl_fail's message on failure.
 */
static inline __attribute__((always_inline)) int
sav_patch_open(struct tbl_build *b, const struct sav_fam *of, const void *o,
	       uint32_t on, const void *nw, uint32_t nn, size_t n_cch,
	       uint32_t *lo, uint32_t *hi, void **ka, void **ch, size_t *n_ch,
	       size_t *na, const bool v6)
{
	size_t ksz = v6 ? sizeof(struct fib_pfx6) : sizeof(uint64_t);
	size_t mo, mn;
	int rc;

	sav_equal_ends(o, on, nw, nn,
		       v6 ? sizeof(struct ixg_spec_route6)
			  : sizeof(struct ixg_spec_route4),
		       v6 ? same_src6 : same_src4, lo, hi);
	mo = on - *lo - *hi;
	mn = nn - *lo - *hi;
	if (mo + mn == 0 && n_cch == 0)
		return SAV_OPEN_TAKE;
	if (mo + mn == 0) {
		/* the country map alone: the same sources, the ranges of the
		 * changed country prefixes */
		*ka = sav_same_sources(v6 ? (const void *)of->p6
					  : (const void *)of->k4,
				       of->n_src, ksz);
		*ch = malloc(ksz);
		*na = of->n_src;
		if (*ka == NULL || *ch == NULL) {
			free(*ka);
			free(*ch);
			*ka = *ch = NULL;
			return tbl_fail(b, -ENOMEM,
					"IPv%d sources: out of memory",
					v6 ? 6 : 4);
		}
		return SAV_OPEN_RANGES;
	}
	if (mo + mn > SAV_MIDDLE_SMALL || !sav_patch_worth(mo + mn, nn)) {
		/* sent sorted: the prefixes whose peers changed */
		rc = sav_sorted(b, of, o, nw, nn, ka, ch, n_ch, v6);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			*na = nn;
			return SAV_OPEN_RANGES;
		}
		if (!sav_patch_worth(mo + mn, nn))
			return SAV_OPEN_WHOLE;
	}
	return SAV_OPEN_MIDDLE;
}

/*
 * sav4 of b from b->prev's when worth it (see above): 1 when made, 0 when
 * the whole build must make it (nothing changed in b), negative errno
 * with tbl_fail's message on failure.
 */
static int
sav_patch4(struct tbl_build *b, struct sav_builder *sb)
{
	const struct ixg_spec *s = b->spec, *ps = b->prev_spec;
	const struct sav_fam *of = b->prev->sav_fam[0];
	const struct fibrec *prev = b->prev->fibs[FIB_SAV4];
	const struct ixg_spec_route4 *o = ps->sources4, *nw = s->sources4;
	uint32_t on = ps->n_sources4, nn = s->n_sources4, lo = 0, hi = 0;
	const uint64_t *pk, *plens;
	const uint32_t *pnh, *cnh;
	size_t pn, mo, mn, na = 0, n_ch = 0, n_rg = 0, m = 0, at = 0, bad;
	size_t i;
	ssize_t rg;
	uint64_t *ka = NULL, *mid = NULL, *ch = NULL, *nk = NULL, *tk = NULL;
	void *vka = NULL, *vch = NULL;
	uint64_t lens[3];
	uint32_t *nnh = NULL, *tv = NULL;
	/* the country content folded into the leaves (tables.h) */
	const uint64_t *ck = NULL, *clens;
	const uint32_t *cv = NULL;
	size_t cn = fibrec_content4(b->t->fibs[FIB_COUNTRY4], &ck, &cv, &clens);
	uint64_t *cch = NULL; /* the country prefixes whose country changed */
	size_t n_cch = 0;
	struct sav_frame stack[34];
	struct sav_fam *fam;
	struct fibrec *r;
	int rc = -ENOMEM;

	if (of == NULL || of->k4 == NULL || prev == NULL || nn == 0 ||
	    nn > K4_IDX_MAX || of->n_src != on)
		return 0;
	cn = cn == SIZE_MAX ? 0 : cn;
	pn = fibrec_content4(prev, &pk, &pnh, &plens);
	if (pn == SIZE_MAX)
		return 0;
	if ((rc = sav_country_changes(b, 0, cn, &cch, NULL, &n_cch)) <= 0)
		return rc;
	rc = sav_patch_open(b, of, o, on, nw, nn, n_cch, &lo, &hi, &vka, &vch,
			    &n_ch, &na, false);
	if (rc == SAV_OPEN_TAKE)
		return sav_take(b, sb, 0) ? 1 : 0;
	if (rc <= 0) { /* failed, or SAV_OPEN_WHOLE */
		free(cch);
		return rc;
	}
	ka = vka;
	ch = vch;
	mo = on - lo - hi;
	mn = nn - lo - hi;
	memcpy(lens, plens, sizeof(lens));
	if (rc == SAV_OPEN_RANGES) {
		rc = -ENOMEM;
		goto ranges;
	}
	rc = -ENOMEM;
	ka = malloc((of->n_src + mn + 1) * sizeof(*ka));
	mid = malloc((mn + 1) * sizeof(*mid));
	ch = malloc((mo + mn + 1) * sizeof(*ch));
	if (ka == NULL || mid == NULL || ch == NULL)
		goto fail;
	for (i = lo; i < nn - hi; i++) {
		const struct ixg_spec_route4 *x = &nw[i];

		if (x->len > 32 || !tbl_peer_ok(b, x->peer_id)) {
			char what[128];

			sources4_describe(s, (uint32_t)i, what, sizeof(what));
			rc = tbl_fail(b, -EINVAL, "%s: %s", what,
				      x->len > 32 ? "bad length"
						  : "peer not configured");
			goto fail;
		}
		mid[i - lo] = key4(x->addr, x->len, PK_SOURCE, (uint32_t)i);
		ch[n_ch++] = key4(x->addr, x->len, PK_ROUTE, 0);
	}
	for (i = lo; i < on - hi; i++)
		ch[n_ch++] = key4(o[i].addr, o[i].len, PK_ROUTE, 0);
	if (sort_keys4(mid, mn) < 0 || sort_keys4(ch, n_ch) < 0)
		goto fail;
	na = sav_merge_middle(ka, of->k4, of->n_src, mid, mn, lo, on, hi, nn,
			      false);
	free(mid);
	mid = NULL;
ranges:
	rg = sav_ranges((void **)&ch, &n_ch, cch, n_cch, false);
	if (rg < 0)
		goto fail;
	n_rg = (size_t)rg;
	free(cch);
	cch = NULL;
	nk = malloc((pn + na + cn + 1) * sizeof(*nk));
	nnh = malloc((pn + na + cn + 1) * sizeof(*nnh));
	tk = malloc((na + 1) * sizeof(*tk));
	tv = malloc((na + 1) * sizeof(*tv));
	if (nk == NULL || nnh == NULL || tk == NULL || tv == NULL)
		goto fail;
	for (size_t g = 0; g < n_rg; g++) {
		uint32_t a = key4_addr(ch[g]), cover = 0, an;
		uint8_t len = key4_len(ch[g]), ab[16] = {0};
		uint64_t end = key4_after(a, len);
		size_t plo = keys_lower(pk, pn, ch[g]),
		       phi = keys_lower(pk, pn, end),
		       ki = keys_lower(ka, na, ch[g]), depth;
		int cl = 0;
		size_t fn;
		int64_t rn;

		/* the cover: the longest previous entry above the range (its
		 * peers for the walk, both parts for the fold) */
		for (int l = len - 1; l >= 0; l--) {
			uint64_t c = key4(a, (uint8_t)l, PK_ROUTE, 0);
			size_t x;

			if (!(lens[0] >> l & 1))
				continue;
			x = keys_lower(pk, pn, c);
			if (x < pn && pk[x] == c) {
				cover = pnh[x];
				cl = l;
				break;
			}
		}
		an = htonl(a);
		memcpy(ab, &an, 4);
		rc = sav_cover_frame(sb, stack, &depth, ab, cl,
				     tbl_sav_leaf_peers(cover));
		if (rc < 0)
			goto fail;
		memcpy(nk + m, pk + at, (plo - at) * sizeof(*nk));
		memcpy(nnh + m, pnh + at, (plo - at) * sizeof(*nnh));
		m += plo - at;
		at = phi;
		rn = sav_walk_range(b, sb, stack, &depth, ka, na, &ki, end,
				    NULL, tbl_sav_leaf_peers(cover), nw, tk, tv,
				    NULL, false);
		if (rn < 0) {
			rc = (int)rn;
			goto fail;
		}
		/* with the country prefixes inside the range, around the
		 * cover's peers and country */
		{
			size_t clo = keys_lower(ck, cn, ch[g]),
			       chi = keys_lower(ck, cn, end);

			/* (no pointer arithmetic on a NULL map) */
			fn = fold4(tk, tv, (size_t)rn, cn > 0 ? ck + clo : NULL,
				   cn > 0 ? cv + clo : NULL, chi - clo, cover,
				   SAV_COUNTRY_SHIFT, nk + m, nnh + m);
		}
		for (size_t q = m; q < m + fn; q++)
			lens[0] |= UINT64_C(1) << key4_len(nk[q]);
		m += fn;
	}
	free(tk);
	free(tv);
	tk = NULL;
	tv = NULL;
	memcpy(nk + m, pk + at, (pn - at) * sizeof(*nk));
	memcpy(nnh + m, pnh + at, (pn - at) * sizeof(*nnh));
	m += pn - at;
	r = fibrec_splice4(FIB_SAV4, prev, nk, nnh, m, lens, ch, n_rg,
			   &b->t->fib_stat[FIB_SAV4], &bad, &rc);
	nk = NULL; /* fibrec_splice4's now, freed or kept */
	nnh = NULL;
	free(ch);
	ch = NULL;
	if (r == NULL) {
		free(ka);
		return tbl_fail(b, rc, "sav4 (%zu prefixes): %s", m,
				strerror(-rc));
	}
	b->t->fibs[FIB_SAV4] = r;
	b->t->sav4 = fibrec_lpm(r);
	fibrec_content4(r, &pk, &cnh, &plens);
	fam = fam_make(cnh, m, sizeof(*cnh), sb->n_sets);
	if (fam == NULL) {
		free(ka);
		return tbl_fail(b, -ENOMEM, "IPv4 sources: out of memory");
	}
	fam->k4 = ka;
	fam->n_src = na;
	b->t->sav_fam[0] = fam;
	sav_mark_fam(sb, fam);
	sav_patched[0]++;
	b->t->sav_patched |= 1;
	return 1;
fail:
	free(ka);
	free(mid);
	free(ch);
	free(nk);
	free(nnh);
	free(tk);
	free(tv);
	free(cch);
	return rc == -ENOMEM ? tbl_fail(b, rc, "IPv4 sources: out of memory")
			     : rc;
}

/* sav_patch4 for IPv6 (records instead of keys). */
static int
sav_patch6(struct tbl_build *b, struct sav_builder *sb)
{
	const struct ixg_spec *s = b->spec, *ps = b->prev_spec;
	const struct sav_fam *of = b->prev->sav_fam[1];
	const struct fibrec *prev = b->prev->fibs[FIB_SAV6];
	const struct ixg_spec_route6 *o = ps->sources6, *nw = s->sources6;
	uint32_t on = ps->n_sources6, nn = s->n_sources6, lo = 0, hi = 0;
	const struct fib_pfx6 *pp;
	const uint64_t *plens;
	size_t pn, mo, mn, na = 0, n_ch = 0, n_rg = 0, m = 0, at = 0, bad;
	size_t i;
	ssize_t rg;
	struct fib_pfx6 *ka = NULL, *mid = NULL, *ch = NULL, *np = NULL;
	struct fib_pfx6 *tp = NULL;
	void *vka = NULL, *vch = NULL;
	uint64_t lens[3];
	/* the country content folded into the leaves (tables.h) */
	const struct fib_pfx6 *cp = NULL;
	const uint64_t *clens;
	size_t cn = fibrec_content6(b->t->fibs[FIB_COUNTRY6], &cp, &clens);
	struct fib_pfx6 *cch = NULL; /* the country prefixes changed */
	size_t n_cch = 0;
	struct sav_frame stack[130];
	struct sav_fam *fam;
	struct fibrec *r;
	int rc = -ENOMEM;

	if (of == NULL || of->p6 == NULL || prev == NULL || nn == 0 ||
	    of->n_src != on)
		return 0;
	cn = cn == SIZE_MAX ? 0 : cn;
	pn = fibrec_content6(prev, &pp, &plens);
	if (pn == SIZE_MAX)
		return 0;
	if ((rc = sav_country_changes(b, 1, cn, NULL, &cch, &n_cch)) <= 0)
		return rc;
	rc = sav_patch_open(b, of, o, on, nw, nn, n_cch, &lo, &hi, &vka, &vch,
			    &n_ch, &na, true);
	if (rc == SAV_OPEN_TAKE)
		return sav_take(b, sb, 1) ? 1 : 0;
	if (rc <= 0) { /* failed, or SAV_OPEN_WHOLE */
		free(cch);
		return rc;
	}
	ka = vka;
	ch = vch;
	mo = on - lo - hi;
	mn = nn - lo - hi;
	memcpy(lens, plens, sizeof(lens));
	if (rc == SAV_OPEN_RANGES) {
		rc = -ENOMEM;
		goto ranges;
	}
	rc = -ENOMEM;
	ka = malloc((of->n_src + mn + 1) * sizeof(*ka));
	mid = calloc(mn + 1, sizeof(*mid));
	ch = calloc(mo + mn + 1, sizeof(*ch));
	if (ka == NULL || mid == NULL || ch == NULL)
		goto fail;
	for (i = 0; i < mn; i++) { /* as load_pfx6 loads them */
		const struct ixg_spec_route6 *x = &nw[lo + i];

		if (x->len > 128 || !tbl_peer_ok(b, x->peer_id)) {
			char what[128];

			sources6_describe(s, (uint32_t)(lo + i), what,
					  sizeof(what));
			rc = tbl_fail(b, -EINVAL, "%s: %s", what,
				      x->len > 128 ? "bad length"
						   : "peer not configured");
			goto fail;
		}
		mask6(mid[i].addr, x->addr, x->len);
		mid[i].len = x->len;
		mid[i].kind = PK_SOURCE;
		mid[i].idx = (uint32_t)(lo + i);
		mid[i].nh = x->peer_id;
		ch[n_ch] = mid[i];
		ch[n_ch++].idx = 0;
	}
	for (i = lo; i < on - hi; i++) {
		mask6(ch[n_ch].addr, o[i].addr, o[i].len);
		ch[n_ch++].len = o[i].len;
	}
	if (sort_pfx6(mid, mn) < 0 || sort_pfx6(ch, n_ch) < 0)
		goto fail;
	na = sav_merge_middle(ka, of->p6, of->n_src, mid, mn, lo, on, hi, nn,
			      true);
	free(mid);
	mid = NULL;
ranges:
	rg = sav_ranges((void **)&ch, &n_ch, cch, n_cch, true);
	if (rg < 0)
		goto fail;
	n_rg = (size_t)rg;
	free(cch);
	cch = NULL;
	np = malloc((pn + na + cn + 1) * sizeof(*np));
	tp = malloc((na + 1) * sizeof(*tp));
	if (np == NULL || tp == NULL)
		goto fail;
	for (size_t g = 0; g < n_rg; g++) {
		const struct fib_pfx6 *x = &ch[g];
		uint32_t cover = 0;
		size_t plo = sav_pfx6_lower(pp, pn, x->addr, x->len), phi = plo,
		       ki = sav_pfx6_lower(ka, na, x->addr, x->len), depth, fn,
		       clo = sav_pfx6_lower(cp, cn, x->addr, x->len), chi = clo;
		int cl = 0;
		int64_t rn;

		while (phi < pn && sav_inside6(x->addr, x->len, pp[phi].addr))
			phi++;
		for (int l = x->len - 1; l >= 0; l--) {
			uint8_t a[16];
			size_t y;

			if (!(lens[l / 64] >> (l % 64) & 1))
				continue;
			mask6(a, x->addr, (uint8_t)l);
			y = sav_pfx6_lower(pp, pn, a, (uint8_t)l);
			if (y < pn &&
			    sav_pfx6_cmp(&pp[y], a, (uint8_t)l) == 0) {
				cover = pp[y].nh;
				cl = l;
				break;
			}
		}
		rc = sav_cover_frame(sb, stack, &depth, x->addr, cl,
				     tbl_sav_leaf_peers(cover));
		if (rc < 0)
			goto fail;
		rc = -ENOMEM;
		memcpy(np + m, pp + at, (plo - at) * sizeof(*np));
		m += plo - at;
		at = phi;
		rn = sav_walk_range(b, sb, stack, &depth, ka, na, &ki, 0, x,
				    tbl_sav_leaf_peers(cover), nw, NULL, NULL,
				    tp, true);
		if (rn < 0) {
			rc = (int)rn;
			goto fail;
		}
		/* with the country prefixes inside the range, around the
		 * cover's peers and country */
		while (chi < cn && sav_inside6(x->addr, x->len, cp[chi].addr))
			chi++;
		fn = fold6(tp, (size_t)rn, cn > 0 ? cp + clo : NULL, chi - clo,
			   cover, SAV_COUNTRY_SHIFT, np + m);
		for (size_t q = m; q < m + fn; q++)
			lens[np[q].len / 64] |= UINT64_C(1) << (np[q].len % 64);
		m += fn;
	}
	free(tp);
	tp = NULL;
	memcpy(np + m, pp + at, (pn - at) * sizeof(*np));
	m += pn - at;
	r = fibrec_splice6(FIB_SAV6, prev, np, m, lens, ch, n_rg,
			   &b->t->fib_stat[FIB_SAV6], &bad, &rc);
	np = NULL;
	free(ch);
	ch = NULL;
	if (r == NULL) {
		free(ka);
		return tbl_fail(b, rc, "sav6 (%zu prefixes): %s", m,
				strerror(-rc));
	}
	b->t->fibs[FIB_SAV6] = r;
	b->t->sav6 = fibrec_lpm(r);
	fibrec_content6(r, &pp, &plens);
	fam = fam_make(&pp[0].nh, m, sizeof(*pp), sb->n_sets);
	if (fam == NULL) {
		free(ka);
		return tbl_fail(b, -ENOMEM, "IPv6 sources: out of memory");
	}
	fam->p6 = ka;
	fam->n_src = na;
	b->t->sav_fam[1] = fam;
	sav_mark_fam(sb, fam);
	sav_patched[1]++;
	b->t->sav_patched |= 2;
	return 1;
fail:
	free(ka);
	free(mid);
	free(ch);
	free(np);
	free(tp);
	free(cch);
	return rc == -ENOMEM ? tbl_fail(b, rc, "IPv6 sources: out of memory")
			     : rc;
}

/*
 * Keep family f (0: sav4, 1: sav6) of the running snapshot when its
 * sources did not change and the sets kept their numbers: the same walk
 * would intern the same unions at the same indices and paint the same
 * FIB. Its sets are marked used as its walk would have marked them.
 */
static bool
sav_keep(struct tbl_build *b, struct sav_builder *sb, int f, bool numbered)
{
	const struct tables *o = b->prev;

	if (!numbered || o == NULL || o->sav_fam[f] == NULL ||
	    !tbl_same(b, f == 0 ? IXG_TBL_SOURCES4 : IXG_TBL_SOURCES6) ||
	    !tbl_same(b, f == 0 ? IXG_TBL_COUNTRY4 : IXG_TBL_COUNTRY6) ||
	    !tbl_same_peer_ids(b))
		return false;
	return sav_take(b, sb, f);
}

/* Family f of b->prev as it is (its sources are the same but for
 * origins, and the sets kept their numbers). */
static bool
sav_take(struct tbl_build *b, struct sav_builder *sb, int f)
{
	const struct tables *o = b->prev;
	struct sav_fam *fam = o->sav_fam[f];
	enum fib_slot slot = f == 0 ? FIB_SAV4 : FIB_SAV6;

	for (uint32_t i = 0; i < fam->n_sets; i++) {
		uint32_t s = fam->sets[i];

		if (s >= sb->n_sets)
			return false; /* cannot happen: numbers kept */
	}
	for (uint32_t i = 0; i < fam->n_sets; i++) {
		uint32_t s = fam->sets[i];

		sb->n_used += !sb->used[s];
		sb->used[s] = 1;
	}
	fam->refs++;
	b->t->sav_fam[f] = fam;
	b->t->fibs[slot] = o->fibs[slot];
	if (f == 0)
		b->t->sav4 = o->sav4;
	else
		b->t->sav6 = o->sav6;
	return true;
}

/* Whether a configured peer of t is strict or feasible (the peers part,
 * built before this one, may change while this part is shared). */
static uint8_t
sav_checks(const struct tables *t)
{
	for (unsigned p = 1; p < IXG_MAX_PEERS; p++)
		if (t->peers[p].configured &&
		    (t->peers[p].sav_mode == IXG_SAV_STRICT ||
		     t->peers[p].sav_mode == IXG_SAV_FEASIBLE))
			return 1;
	return 0;
}

static int
build_sav(struct tbl_build *b)
{
	struct sav_builder sb = {0};
	struct tables *t = b->t;
	bool numbered, patch;
	int rc;

	t->sav_checks = sav_checks(t);
	if ((rc = sav_seed(b, &sb)) < 0)
		goto out;
	numbered = rc == 1;
	/* each family kept, patched (same numbers, same peer ids) or built */
	patch = numbered && b->prev != NULL && b->prev_spec != NULL &&
		tbl_same_peer_ids(b);
	rc = sav_keep(b, &sb, 0, numbered) ? 0 : patch ? sav_patch4(b, &sb) : 0;
	if (rc == 0 && b->t->sav_fam[0] == NULL)
		rc = build_sav4(b, &sb);
	sb.n_scratch = 0;
	if (rc >= 0 && !sav_keep(b, &sb, 1, numbered)) {
		rc = patch ? sav_patch6(b, &sb) : 0;
		sb.n_scratch = 0;
		if (rc == 0)
			rc = build_sav6(b, &sb);
	}
	rc = rc < 0 ? rc : 0;
	if (rc == 0) {
		t->n_sav_sets = sb.n_sets;
		t->sav_sets = rte_zmalloc(
			"sav_sets", (sb.n_sets + 1) * sizeof(*sb.sets), 0);
		t->sav_set_peers = rte_zmalloc(
			"sav_set_peers", (sb.n_peers + 1) * sizeof(uint16_t),
			0);
		if (t->sav_sets == NULL || t->sav_set_peers == NULL) {
			rc = tbl_fail(b, -ENOMEM, "sav sets: out of memory");
		} else {
			/* the index, for the next build's sav_seed */
			t->sav_slots = sb.slots;
			t->n_sav_slots = sb.n_slots;
			t->n_sav_set_peers = sb.n_peers;
			sb.slots = NULL;
			if (sb.n_sets)
				memcpy(t->sav_sets, sb.sets,
				       sb.n_sets * sizeof(*sb.sets));
			if (sb.n_peers)
				memcpy(t->sav_set_peers, sb.peers,
				       sb.n_peers * sizeof(uint16_t));
		}
	}
	t->n_sav_sets_used = sb.n_used;
out:
	free(sb.sets);
	free(sb.peers);
	free(sb.slots);
	free(sb.scratch);
	free(sb.used);
	return rc;
}

static bool
sav_same(const struct tbl_build *b)
{
	/* the leaves hold the sources' countries (tables.h) */
	return tbl_same(b, IXG_TBL_SOURCES4) && tbl_same(b, IXG_TBL_SOURCES6) &&
	       tbl_same_peer_ids(b) && tbl_same(b, IXG_TBL_COUNTRY4) &&
	       tbl_same(b, IXG_TBL_COUNTRY6);
}

static void
sav_share(struct tables *t, const struct tables *o)
{
	t->sav4 = o->sav4;
	t->sav6 = o->sav6;
	t->fibs[FIB_SAV4] = o->fibs[FIB_SAV4];
	t->fibs[FIB_SAV6] = o->fibs[FIB_SAV6];
	t->n_sav_sets = o->n_sav_sets;
	t->n_sav_sets_used = o->n_sav_sets_used;
	t->sav_slots = o->sav_slots;
	t->n_sav_slots = o->n_sav_slots;
	t->n_sav_set_peers = o->n_sav_set_peers;
	t->sav_sets = o->sav_sets;
	t->sav_set_peers = o->sav_set_peers;
	t->sav_fam[0] = o->sav_fam[0]; /* the part's reference */
	t->sav_fam[1] = o->sav_fam[1];
	t->sav_checks = sav_checks(t);
}

static void
sav_free(struct tables *t)
{
	for (int f = 0; f < 2; f++) {
		struct sav_fam *fam = t->sav_fam[f];
		enum fib_slot slot = f == 0 ? FIB_SAV4 : FIB_SAV6;

		/* A FIB kept by the next build is freed with its last
		 * holder (a failed build may leave one without its fam). */
		if (fam != NULL && --fam->refs > 0)
			continue;
		if (fam != NULL) {
			free(fam->k4);
			free(fam->p6);
		}
		free(fam);
		fibrec_retire(t->fibs[slot]);
	}
	rte_free(t->sav_sets);
	rte_free(t->sav_set_peers);
	free(t->sav_slots);
}

const struct tbl_part_ops tbl_part_sav = {
	.build = build_sav,
	.same = sav_same,
	.share = sav_share,
	.free = sav_free,
};
