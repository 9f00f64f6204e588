/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lpm (dataplane/lpm.h): every table answers as a naive reference model
 * does (a plain sorted list of prefixes, the longest match found by one
 * binary search per length, checked against a linear scan: nothing shared
 * with lpm.c's method), for both families:
 *  - hand-made lists at the level edges (IPv4 /24 /25 /31 /32, IPv6 /15
 *    /16 /17 /24 /25 /48 /64 /127 /128), /0, hosts, nested chains of
 *    every length, siblings, a nonzero default, value 0 and LPM_VALUE_MAX;
 *  - seeded random lists of a few thousand prefixes, lengths weighted like
 *    real tables and addresses clustered so that prefixes nest, probed at
 *    random addresses and at every prefix's first and last address and
 *    their neighbours;
 *  - lpm_update4/6 over random edit sequences (add, remove, change value,
 *    remove a parent under its children, add a parent over children,
 *    remove everything), equal after each step to the model and to a fresh
 *    build of the same list; no group left once the list is empty;
 *  - lpm_copy: equal and independent; bulk lookups equal single ones;
 *  - bad input refused with -EINVAL and the index of the bad entry.
 * "Equal to a fresh build" compares what the two tables answer for every
 * address (every root entry, every group entry reached), not their layout.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dp_test_util.h"
#include "lpm.h"

/* ------------------------------------------------------------------ */
/* Deterministic random numbers (splitmix64), reseeded by each test.   */

static uint64_t rng_s;

static void
rng_seed(uint64_t seed)
{
	rng_s = seed;
}

static uint64_t
rnd64(void)
{
	uint64_t z = (rng_s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0. */
static uint32_t
below(uint32_t n)
{
	return (uint32_t)(((rnd64() >> 32) * n) >> 32);
}

/* Values: mostly small (like peer ids), some 0, some LPM_VALUE_MAX. */
static uint32_t
rand_value(void)
{
	uint32_t r = below(100);

	if (r < 5)
		return 0;
	if (r < 10)
		return LPM_VALUE_MAX;
	if (r < 15)
		return (uint32_t)rnd64() & LPM_VALUE_MAX;
	return 1 + below(4000);
}

static void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	assert_non_null(p);
	return p;
}

/* ------------------------------------------------------------------ */
/* IPv4: the list and the model.                                       */

struct p4 {
	uint32_t addr;
	uint8_t len;
	uint32_t val;
};

struct list4 {
	struct p4 *p;
	size_t n, cap;
	uint64_t lens; /* bit l: a /l was pushed (the model's lengths) */
};

static uint32_t
mask4(unsigned len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

static void
l4_push(struct list4 *l, uint32_t addr, unsigned len, uint32_t val)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->p = realloc(l->p, l->cap * sizeof(*l->p));
		assert_non_null(l->p);
	}
	l->p[l->n++] = (struct p4){addr & mask4(len), (uint8_t)len, val};
	l->lens |= UINT64_C(1) << len;
}

static int
cmp_p4(const void *a, const void *b)
{
	const struct p4 *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (int)x->len - (int)y->len;
}

/* Sort by (address, length) and keep one entry of each prefix. */
static void
l4_normalise(struct list4 *l)
{
	size_t out = 0;

	qsort(l->p, l->n, sizeof(*l->p), cmp_p4);
	for (size_t i = 0; i < l->n; i++)
		if (out == 0 || cmp_p4(&l->p[out - 1], &l->p[i]) != 0)
			l->p[out++] = l->p[i];
	l->n = out;
}

static void
l4_copy(struct list4 *dst, const struct list4 *src)
{
	dst->n = src->n;
	dst->cap = src->n + 1;
	dst->p = xcalloc(dst->cap, sizeof(*dst->p));
	memcpy(dst->p, src->p, src->n * sizeof(*src->p));
	dst->lens = src->lens;
}

/* The reference by definition: the longest prefix holding ip, by a scan
 * of the whole list (def when none). */
static uint32_t
model4_scan(const struct list4 *l, uint32_t def, uint32_t ip)
{
	int best = -1;
	uint32_t v = def;

	for (size_t i = 0; i < l->n; i++)
		if ((int)l->p[i].len > best &&
		    ((ip ^ l->p[i].addr) & mask4(l->p[i].len)) == 0) {
			best = l->p[i].len;
			v = l->p[i].val;
		}
	return v;
}

/*
 * The same answer in a few dozen steps instead of n (the checks below
 * ask it 4n + a few thousand times; a scan each made test_lpm quadratic,
 * minutes under ASan): every list the tests check is sorted by (address,
 * length) without repeats (l4_normalise, or edits that keep the order),
 * so each length pushed, longest first, is one exact binary search.
 * check4_addr compares it with model4_scan every 16th call.
 */
static uint32_t
model4(const struct list4 *l, uint32_t def, uint32_t ip)
{
	if (l->n == 0)
		return def;
	for (int len = 32; len >= 0; len--) {
		struct p4 key = {ip & mask4((unsigned)len), (uint8_t)len, 0};
		const struct p4 *p;

		if (!(l->lens >> len & 1))
			continue;
		p = bsearch(&key, l->p, l->n, sizeof(*l->p), cmp_p4);
		if (p != NULL)
			return p->val;
	}
	return def;
}

/* The list as lpm_build4 takes it, with random caller bits (ignored). */
static void
l4_arrays(const struct list4 *l, uint64_t **k, uint32_t **v)
{
	*k = xcalloc(l->n, sizeof(**k));
	*v = xcalloc(l->n, sizeof(**v));
	for (size_t i = 0; i < l->n; i++) {
		(*k)[i] = LPM4_KEY(l->p[i].addr, l->p[i].len) |
			  (rnd64() & ~LPM4_KEY_ID_MASK);
		(*v)[i] = l->p[i].val;
	}
}

static struct lpm *
build4(const struct list4 *l, uint32_t def)
{
	struct lpm *t = NULL;
	uint64_t *k;
	uint32_t *v;
	size_t bad = SIZE_MAX;
	int rc;

	assert_int_equal(lpm_create(&t, 4, def), 0);
	assert_non_null(t);
	l4_arrays(l, &k, &v);
	rc = lpm_build4(t, k, v, l->n, &bad);
	if (rc != 0)
		fail_msg("lpm_build4 of %zu prefixes: %d, bad %zu", l->n, rc,
			 bad);
	free(k);
	free(v);
	return t;
}

static void
check4_addr(const struct lpm *t, const struct list4 *l, uint32_t def,
	    uint32_t ip)
{
	static unsigned calls;
	uint32_t got = lpm4_lookup(t, ip), want = model4(l, def, ip);

	if (++calls % 16 == 0 && want != model4_scan(l, def, ip))
		fail_msg("model4 %#x, model4_scan %#x at %#x", want,
			 model4_scan(l, def, ip), ip);

	if (got != want)
		fail_msg("IPv4 %u.%u.%u.%u: lpm %#x, model %#x (%zu prefixes)",
			 ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
			 ip & 0xff, got, want, l->n);
}

/* First and last address of the prefix and the addresses either side. */
static void
check4_edges(const struct lpm *t, const struct list4 *l, uint32_t def,
	     uint32_t addr, unsigned len)
{
	uint32_t first = addr & mask4(len), last = first | ~mask4(len);

	check4_addr(t, l, def, first);
	check4_addr(t, l, def, last);
	check4_addr(t, l, def, first - 1);
	check4_addr(t, l, def, last + 1);
}

/* Every prefix's edges and n_random random addresses. */
static void
check4_all(const struct lpm *t, const struct list4 *l, uint32_t def,
	   unsigned n_random)
{
	for (size_t i = 0; i < l->n; i++)
		check4_edges(t, l, def, l->p[i].addr, l->p[i].len);
	for (unsigned i = 0; i < n_random; i++)
		check4_addr(t, l, def, (uint32_t)rnd64());
}

/*
 * What an IPv4 table answers, as runs (first address, value) in address
 * order, read from its entries whatever its layout (a 16- or 24-bit root,
 * lpm.h): two tables answer alike for every address iff their runs are
 * equal.
 */
struct runs4 {
	uint32_t (*r)[2];
	size_t n, cap;
};

static void
runs4_push(struct runs4 *rs, uint32_t first, uint32_t v)
{
	if (rs->n > 0 && rs->r[rs->n - 1][1] == v)
		return;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 4096;
		rs->r = realloc(rs->r, rs->cap * sizeof(*rs->r));
		assert_non_null(rs->r);
	}
	rs->r[rs->n][0] = first;
	rs->r[rs->n++][1] = v;
}

/* Entry e covers the 2^bits addresses from first. */
static void
runs4_entry(const struct lpm *t, uint32_t e, uint32_t first, unsigned bits,
	    struct runs4 *rs)
{
	if (!(e & LPM_GROUP)) {
		runs4_push(rs, first, e);
		return;
	}
	if (bits < 8)
		fail_msg("IPv4 %#x: a group below the last byte", first);
	for (uint32_t j = 0; j < 256; j++)
		runs4_entry(t, t->grp[(size_t)(e & LPM_VALUE_MAX) << 8 | j],
			    first | j << (bits - 8), bits - 8, rs);
}

static void
runs4(const struct lpm *t, struct runs4 *rs)
{
	unsigned bits = 32 - t->root_bits;

	assert_true(t->root_bits == 16 || t->root_bits == 24);
	rs->n = 0;
	for (uint32_t i = 0; i < 1u << t->root_bits; i++)
		runs4_entry(t, t->root[i], i << bits, bits, rs);
}

/* a and b answer the same for every IPv4 address. */
static void
equal4(const struct lpm *a, const struct lpm *b)
{
	struct runs4 ra = {0}, rb = {0};

	assert_int_equal(a->def, b->def);
	runs4(a, &ra);
	runs4(b, &rb);
	for (size_t i = 0; i < ra.n || i < rb.n; i++) {
		uint32_t fa = i < ra.n ? ra.r[i][0] : ~0u;
		uint32_t fb = i < rb.n ? rb.r[i][0] : ~0u;
		uint32_t ip = fa < fb ? fa : fb;

		if (i >= ra.n || i >= rb.n || fa != fb ||
		    ra.r[i][1] != rb.r[i][1])
			fail_msg("IPv4 %u.%u.%u.%u: %#x (%u-bit root) vs %#x "
				 "(%u-bit root)",
				 ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
				 ip & 0xff, lpm4_lookup(a, ip), a->root_bits,
				 lpm4_lookup(b, ip), b->root_bits);
	}
	free(ra.r);
	free(rb.r);
}

/* Groups a table of root_bits can need for the list at most: one per
 * distinct (level edge b, first b bits) with b = root_bits, +8, .. below
 * a prefix longer than b. */
static uint32_t
group_bound4(const struct list4 *l, unsigned root_bits)
{
	uint32_t cnt = 0;

	for (unsigned b = root_bits; b < 32; b += 8) {
		uint32_t last = 0;
		int have = 0;

		for (size_t i = 0; i < l->n; i++) {
			if (l->p[i].len <= b)
				continue;
			if (!have || (l->p[i].addr & mask4(b)) != last)
				cnt++;
			last = l->p[i].addr & mask4(b);
			have = 1;
		}
	}
	return cnt;
}

/* Lengths weighted like a routing table, with some longer than /24. */
static unsigned
rand_len4(void)
{
	static const uint8_t lens[] = {
		8,  12, 14, 15, 16, 16, 16, 17, 18, 19, 19, 20, 20, 20,
		21, 21, 21, 22, 22, 22, 22, 22, 23, 23, 23, 23, 24, 24,
		24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24,
		25, 26, 27, 28, 29, 30, 31, 32, 32, 32, 0,
	};

	return lens[below(sizeof(lens))];
}

/* Random prefixes in a few /12 clusters; 40% more-specifics of a prefix
 * already in the list, so that chains and siblings form. */
static uint32_t clusters4[6];

static void
rand_clusters4(void)
{
	for (unsigned i = 0; i < 6; i++)
		clusters4[i] = (uint32_t)rnd64() & mask4(12);
}

static void
l4_add_random(struct list4 *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (l->n > 0 && below(100) < 40) {
			const struct p4 *p = &l->p[below((uint32_t)l->n)];
			unsigned len = p->len + 1 + below(8);

			if (len > 32)
				len = 32;
			l4_push(l,
				p->addr | ((uint32_t)rnd64() & ~mask4(p->len)),
				len, rand_value());
		} else {
			unsigned len = rand_len4();

			if (len == 0 && below(20) != 0)
				len = 24; /* a few /0s, not many */
			l4_push(l,
				clusters4[below(6)] |
					((uint32_t)rnd64() & ~mask4(12)),
				len, rand_value());
		}
	}
	l4_normalise(l);
}

static void
l4_random(struct list4 *l, size_t n)
{
	memset(l, 0, sizeof(*l));
	rand_clusters4();
	l4_add_random(l, n);
}

/* ------------------------------------------------------------------ */
/* IPv6: the list and the model (addresses as two host-order halves).  */

struct p6 {
	uint64_t hi, lo;
	uint8_t len;
	uint32_t val;
};

struct list6 {
	struct p6 *p;
	size_t n, cap;
	uint64_t lens[3]; /* bit l: a /l was pushed (the model's lengths) */
};

static void
mask6(unsigned len, uint64_t *mh, uint64_t *ml)
{
	*mh = len == 0 ? 0 : len >= 64 ? ~0ull : ~0ull << (64 - len);
	*ml = len <= 64 ? 0 : len >= 128 ? ~0ull : ~0ull << (128 - len);
}

static void
l6_push(struct list6 *l, uint64_t hi, uint64_t lo, unsigned len, uint32_t val)
{
	uint64_t mh, ml;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->p = realloc(l->p, l->cap * sizeof(*l->p));
		assert_non_null(l->p);
	}
	mask6(len, &mh, &ml);
	l->p[l->n++] = (struct p6){hi & mh, lo & ml, (uint8_t)len, val};
	l->lens[len / 64] |= UINT64_C(1) << (len % 64);
}

static int
cmp_p6(const void *a, const void *b)
{
	const struct p6 *x = a, *y = b;

	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (int)x->len - (int)y->len;
}

static void
l6_normalise(struct list6 *l)
{
	size_t out = 0;

	qsort(l->p, l->n, sizeof(*l->p), cmp_p6);
	for (size_t i = 0; i < l->n; i++)
		if (out == 0 || cmp_p6(&l->p[out - 1], &l->p[i]) != 0)
			l->p[out++] = l->p[i];
	l->n = out;
}

static void
l6_copy(struct list6 *dst, const struct list6 *src)
{
	dst->n = src->n;
	dst->cap = src->n + 1;
	dst->p = xcalloc(dst->cap, sizeof(*dst->p));
	memcpy(dst->p, src->p, src->n * sizeof(*src->p));
	memcpy(dst->lens, src->lens, sizeof(dst->lens));
}

static void
to_bytes6(uint64_t hi, uint64_t lo, uint8_t out[16])
{
	for (unsigned i = 0; i < 8; i++) {
		out[i] = (uint8_t)(hi >> (56 - 8 * i));
		out[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
	}
}

/* model4_scan for IPv6. */
static uint32_t
model6_scan(const struct list6 *l, uint32_t def, uint64_t hi, uint64_t lo)
{
	int best = -1;
	uint32_t v = def;

	for (size_t i = 0; i < l->n; i++) {
		const struct p6 *p = &l->p[i];
		uint64_t mh, ml;

		if ((int)p->len <= best)
			continue;
		mask6(p->len, &mh, &ml);
		if (((hi ^ p->hi) & mh) == 0 && ((lo ^ p->lo) & ml) == 0) {
			best = p->len;
			v = p->val;
		}
	}
	return v;
}

/* model4 for IPv6 (l6_normalise's order); check6_addr compares it with
 * model6_scan every 16th call. */
static uint32_t
model6(const struct list6 *l, uint32_t def, uint64_t hi, uint64_t lo)
{
	if (l->n == 0)
		return def;
	for (int len = 128; len >= 0; len--) {
		struct p6 key = {.len = (uint8_t)len};
		const struct p6 *p;
		uint64_t mh, ml;

		if (!(l->lens[len / 64] >> (len % 64) & 1))
			continue;
		mask6((unsigned)len, &mh, &ml);
		key.hi = hi & mh;
		key.lo = lo & ml;
		p = bsearch(&key, l->p, l->n, sizeof(*l->p), cmp_p6);
		if (p != NULL)
			return p->val;
	}
	return def;
}

static void
rec6(const struct p6 *p, struct fib_pfx6 *r)
{
	memset(r, 0, sizeof(*r));
	to_bytes6(p->hi, p->lo, r->addr);
	r->len = p->len;
	r->kind = (uint8_t)rnd64(); /* the caller's: ignored */
	r->idx = (uint32_t)rnd64();
	r->nh = p->val;
}

static struct fib_pfx6 *
l6_records(const struct list6 *l)
{
	struct fib_pfx6 *r = xcalloc(l->n, sizeof(*r));

	for (size_t i = 0; i < l->n; i++)
		rec6(&l->p[i], &r[i]);
	return r;
}

static struct lpm *
build6(const struct list6 *l, uint32_t def)
{
	struct lpm *t = NULL;
	struct fib_pfx6 *r = l6_records(l);
	size_t bad = SIZE_MAX;
	int rc;

	assert_int_equal(lpm_create(&t, 6, def), 0);
	assert_non_null(t);
	rc = lpm_build6(t, r, l->n, &bad);
	if (rc != 0)
		fail_msg("lpm_build6 of %zu prefixes: %d, bad %zu", l->n, rc,
			 bad);
	free(r);
	return t;
}

static void
fmt6(uint64_t hi, uint64_t lo, char *buf, size_t len)
{
	snprintf(buf, len, "%04x:%04x:%04x:%04x:%04x:%04x:%04x:%04x",
		 (unsigned)(hi >> 48), (unsigned)(hi >> 32) & 0xffff,
		 (unsigned)(hi >> 16) & 0xffff, (unsigned)hi & 0xffff,
		 (unsigned)(lo >> 48), (unsigned)(lo >> 32) & 0xffff,
		 (unsigned)(lo >> 16) & 0xffff, (unsigned)lo & 0xffff);
}

static void
check6_addr(const struct lpm *t, const struct list6 *l, uint32_t def,
	    uint64_t hi, uint64_t lo)
{
	static unsigned calls;
	uint8_t a[16];
	uint32_t got, want = model6(l, def, hi, lo);
	char s[48];

	if (++calls % 16 == 0 && want != model6_scan(l, def, hi, lo)) {
		fmt6(hi, lo, s, sizeof(s));
		fail_msg("IPv6 %s: model6 %#x, model6_scan %#x", s, want,
			 model6_scan(l, def, hi, lo));
	}
	to_bytes6(hi, lo, a);
	got = lpm6_lookup(t, a);
	if (got != want) {
		fmt6(hi, lo, s, sizeof(s));
		fail_msg("IPv6 %s: lpm %#x, model %#x (%zu prefixes)", s, got,
			 want, l->n);
	}
}

static void
check6_edges(const struct lpm *t, const struct list6 *l, uint32_t def,
	     uint64_t hi, uint64_t lo, unsigned len)
{
	uint64_t mh, ml, fh, fl, lh, ll;

	mask6(len, &mh, &ml);
	fh = hi & mh;
	fl = lo & ml;
	lh = fh | ~mh;
	ll = fl | ~ml;
	check6_addr(t, l, def, fh, fl);
	check6_addr(t, l, def, lh, ll);
	/* 128-bit -1 and +1 */
	check6_addr(t, l, def, fl == 0 ? fh - 1 : fh, fl - 1);
	check6_addr(t, l, def, ll == ~0ull ? lh + 1 : lh, ll + 1);
}

static void
check6_all(const struct lpm *t, const struct list6 *l, uint32_t def,
	   unsigned n_random)
{
	for (size_t i = 0; i < l->n; i++)
		check6_edges(t, l, def, l->p[i].hi, l->p[i].lo, l->p[i].len);
	for (unsigned i = 0; i < n_random; i++) {
		/* half anywhere, half inside a listed prefix's /16 */
		uint64_t hi = rnd64(), lo = rnd64();

		if (l->n > 0 && (i & 1)) {
			const struct p6 *p = &l->p[below((uint32_t)l->n)];
			uint64_t mh, ml;

			mask6(p->len, &mh, &ml);
			hi = p->hi | (hi & ~mh);
			lo = p->lo | (lo & ~ml);
		}
		check6_addr(t, l, def, hi, lo);
	}
}

/* Stands for "the 256 entries of a 24-bit root below path's first two
 * bytes" where a 16-bit root would name a group: no group has this number
 * (lpm.c's MAX_GROUPS). */
#define ROOT24_SLICE UINT32_MAX

/* The entry for byte j below entry e, reached by path[0..depth). */
static uint32_t
entry6(const struct lpm *t, uint32_t e, const uint8_t *path, unsigned depth,
       unsigned j)
{
	if (e == ROOT24_SLICE) {
		assert_int_equal(depth, 2);
		return t->root[(uint32_t)path[0] << 16 | path[1] << 8 | j];
	}
	return e & LPM_GROUP ? t->grp[(size_t)(e & LPM_VALUE_MAX) << 8 | j] : e;
}

/* Entries ea of a and eb of b (at byte `depth` of path) answer alike. */
static void
equal6_entry(const struct lpm *a, uint32_t ea, const struct lpm *b, uint32_t eb,
	     uint8_t path[16], unsigned depth)
{
	if (((ea | eb) & LPM_GROUP) == 0) {
		if (ea != eb) {
			char s[64];
			size_t o = 0;

			for (unsigned i = 0; i < depth && o < sizeof(s) - 4;
			     i++)
				o += (size_t)snprintf(s + o, sizeof(s) - o,
						      "%02x", path[i]);
			fail_msg("IPv6 %s.../%u: %#x vs %#x", s, depth * 8, ea,
				 eb);
		}
		return;
	}
	if (depth >= 16)
		fail_msg("IPv6: a group below byte 16");
	for (unsigned j = 0; j < 256; j++) {
		path[depth] = (uint8_t)j;
		equal6_entry(a, entry6(a, ea, path, depth, j), b,
			     entry6(b, eb, path, depth, j), path, depth + 1);
	}
}

/* a and b answer alike for every address, whatever their roots' widths. */
static void
equal6(const struct lpm *a, const struct lpm *b)
{
	uint8_t path[16] = {0};

	assert_int_equal(a->def, b->def);
	assert_true(a->root_bits == 16 || a->root_bits == 24);
	assert_true(b->root_bits == 16 || b->root_bits == 24);
	assert_int_equal(a->shift4, 32 - a->root_bits);
	assert_int_equal(b->shift4, 32 - b->root_bits);
	for (uint32_t i = 0; i < 1u << 16; i++) {
		path[0] = (uint8_t)(i >> 8);
		path[1] = (uint8_t)i;
		equal6_entry(a, a->root_bits == 24 ? ROOT24_SLICE : a->root[i],
			     b, b->root_bits == 24 ? ROOT24_SLICE : b->root[i],
			     path, 2);
	}
}

static int
cmp_node6(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	for (unsigned i = 0; i < 3; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

/* Groups the list can need at most: one per distinct (level edge b,
 * first b bits) with b in 16, 24, .., 120 below a prefix longer than b. */
static uint32_t
group_bound6(const struct list6 *l)
{
	uint64_t(*nodes)[3] = xcalloc(l->n * 14 + 1, sizeof(*nodes));
	size_t n = 0;
	uint32_t cnt = 0;

	for (size_t i = 0; i < l->n; i++)
		for (unsigned b = 16; b < l->p[i].len; b += 8) {
			uint64_t mh, ml;

			mask6(b, &mh, &ml);
			nodes[n][0] = b;
			nodes[n][1] = l->p[i].hi & mh;
			nodes[n++][2] = l->p[i].lo & ml;
		}
	qsort(nodes, n, sizeof(*nodes), cmp_node6);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || cmp_node6(nodes[i - 1], nodes[i]) != 0)
			cnt++;
	free(nodes);
	return cnt;
}

static unsigned
rand_len6(void)
{
	static const uint8_t lens[] = {
		15, 16, 17, 19, 20, 24,	 25,  28,  29,	29,  30,  32,
		32, 32, 32, 32, 33, 35,	 36,  36,  40,	40,  40,  44,
		44, 44, 45, 46, 47, 47,	 48,  48,  48,	48,  48,  48,
		48, 48, 48, 48, 48, 48,	 48,  48,  52,	56,  56,  60,
		64, 64, 64, 72, 96, 112, 120, 126, 127, 128, 128,
	};

	return lens[below(sizeof(lens))];
}

static uint64_t clusters6[6];

static void
rand_clusters6(void)
{
	for (unsigned i = 0; i < 6; i++)
		clusters6[i] = (0x2000ull << 48 | (rnd64() >> 3)) &
			       (~0ull << (64 - 20));
}

static void
l6_add_random(struct list6 *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t hi = rnd64(), lo = rnd64();

		if (l->n > 0 && below(100) < 40) {
			const struct p6 *p = &l->p[below((uint32_t)l->n)];
			unsigned len = p->len + 1 + below(16);
			uint64_t mh, ml;

			if (len > 128)
				len = 128;
			mask6(p->len, &mh, &ml);
			l6_push(l, p->hi | (hi & ~mh), p->lo | (lo & ~ml), len,
				rand_value());
		} else {
			unsigned len = rand_len6();

			l6_push(l, clusters6[below(6)] | (hi >> 20), lo, len,
				rand_value());
		}
	}
	l6_normalise(l);
}

static void
l6_random(struct list6 *l, size_t n)
{
	memset(l, 0, sizeof(*l));
	rand_clusters6();
	l6_add_random(l, n);
}

/* ------------------------------------------------------------------ */
/* Hand-made lists at the level edges.                                 */

static uint32_t
ip4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return a << 24 | b << 16 | c << 8 | d;
}

/* Defaults an empty table is filled with (0 and 1 differ in how a root
 * can be cleared; the largest value has every value bit set). */
static const uint32_t defs[] = {0, 1, 2, 0x01010101, LPM_VALUE_MAX};

static void
test_empty4(void **state)
{
	struct list4 l = {0};
	struct lpm *t;

	(void)state;
	rng_seed(1);
	t = build4(&l, 0);
	check4_all(t, &l, 0, 1000);
	assert_int_equal(lpm4_lookup(t, 0), 0);
	assert_int_equal(lpm_groups(t), 0);
	lpm_free(t);

	/* an empty table straight from lpm_create answers def too */
	for (unsigned i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		assert_int_equal(lpm_create(&t, 4, defs[i]), 0);
		assert_int_equal(lpm4_lookup(t, 0), defs[i]);
		assert_int_equal(lpm4_lookup(t, ~0u), defs[i]);
		assert_int_equal(lpm4_lookup(t, ip4(10, 1, 2, 3)), defs[i]);
		assert_int_equal(lpm4_lookup(t, (uint32_t)rnd64()), defs[i]);
		assert_int_equal(lpm_groups(t), 0);
		assert_true(lpm_bytes(t) >= (size_t)4 << t->root_bits);
		lpm_free(t);
	}

	/* default route */
	l4_push(&l, 0, 0, 5);
	t = build4(&l, 77);
	assert_int_equal(lpm4_lookup(t, 0), 5);
	assert_int_equal(lpm4_lookup(t, ~0u), 5);
	check4_all(t, &l, 77, 1000);
	lpm_free(t);
	free(l.p);
	lpm_free(NULL);
}

static void
test_edges4(void **state)
{
	const uint32_t def = 0x1234;
	struct list4 l = {0};
	struct lpm *t;

	(void)state;
	rng_seed(2);
	l4_push(&l, ip4(0, 0, 0, 0), 0, 1);
	l4_push(&l, ip4(0, 0, 0, 0), 32, 11);
	l4_push(&l, ip4(10, 0, 0, 0), 8, 2);
	l4_push(&l, ip4(10, 1, 0, 0), 16, 3);
	l4_push(&l, ip4(10, 1, 2, 0), 24, 4);
	l4_push(&l, ip4(10, 1, 2, 0), 32, 0);
	l4_push(&l, ip4(10, 1, 2, 128), 25, 5);
	l4_push(&l, ip4(10, 1, 2, 130), 31, 6);
	l4_push(&l, ip4(10, 1, 2, 131), 32, LPM_VALUE_MAX);
	l4_push(&l, ip4(10, 1, 3, 0), 25, 8); /* siblings, no parent /24 */
	l4_push(&l, ip4(10, 1, 3, 128), 25, 9);
	l4_push(&l, ip4(10, 1, 4, 0), 23, 12); /* a /23 over two /24 roots */
	l4_push(&l, ip4(10, 1, 5, 7), 32, 13);
	l4_push(&l, ip4(192, 0, 2, 0), 24, def); /* value equal to def */
	l4_push(&l, ip4(192, 0, 2, 1), 32, 14);
	l4_push(&l, ip4(255, 255, 255, 254), 31, 15);
	l4_push(&l, ip4(255, 255, 255, 255), 32, 16);
	l4_normalise(&l);
	assert_int_equal(l.n, 17);
	t = build4(&l, def);

	assert_int_equal(lpm4_lookup(t, ip4(0, 0, 0, 0)), 11);
	assert_int_equal(lpm4_lookup(t, ip4(0, 0, 0, 1)), 1);
	assert_int_equal(lpm4_lookup(t, ip4(9, 255, 255, 255)), 1);
	assert_int_equal(lpm4_lookup(t, ip4(10, 0, 0, 0)), 2);
	assert_int_equal(lpm4_lookup(t, ip4(10, 1, 1, 255)), 3);
	assert_int_equal(lpm4_lookup(t, ip4(10, 1, 2, 0)), 0);
	assert_int_equal(lpm4_lookup(t, ip4(10, 1, 2, 1)), 4);
	assert_int_equal(lpm4_lookup(t, ip4(10, 1, 2, 127)), 4);
	assert_int_equal(lpm4_lookup(t, ip4(10, 1, 2, 128)), 5);
	assert_int_equal(lpm4_lookup(t, ip4(10, 1, 2, 129)), 5);
	assert_int_equal(lpm4_lookup(t, ip4(10, 1, 2, 130)), 6);
	assert_int_equal(lpm4_lookup(t, ip4(10, 1, 2, 131)), LPM_VALUE_MAX);
	assert_int_equal(lpm4_lookup(t, ip4(10, 1, 2, 132)), 5);
	assert_int_equal(lpm4_lookup(t, ip4(10, 1, 2, 255)), 5);
	assert_int_equal(lpm4_lookup(t, ip4(10, 1, 3, 127)), 8);
	assert_int_equal(lpm4_lookup(t, ip4(10, 1, 3, 128)), 9);
	assert_int_equal(lpm4_lookup(t, ip4(10, 1, 4, 0)), 12);
	assert_int_equal(lpm4_lookup(t, ip4(10, 1, 5, 6)), 12);
	assert_int_equal(lpm4_lookup(t, ip4(10, 1, 5, 7)), 13);
	assert_int_equal(lpm4_lookup(t, ip4(10, 1, 6, 0)), 3);
	assert_int_equal(lpm4_lookup(t, ip4(192, 0, 2, 1)), 14);
	assert_int_equal(lpm4_lookup(t, ip4(192, 0, 2, 2)), def);
	assert_int_equal(lpm4_lookup(t, ip4(255, 255, 255, 253)), 1);
	assert_int_equal(lpm4_lookup(t, ip4(255, 255, 255, 254)), 15);
	assert_int_equal(lpm4_lookup(t, ip4(255, 255, 255, 255)), 16);
	check4_all(t, &l, def, 2000);
	assert_true(lpm_groups(t) <= group_bound4(&l, t->root_bits));
	lpm_free(t);

	/* without the default route: def around the prefixes */
	memmove(&l.p[0], &l.p[1], (l.n - 1) * sizeof(l.p[0]));
	l.n--;
	t = build4(&l, def);
	assert_int_equal(lpm4_lookup(t, ip4(0, 0, 0, 1)), def);
	assert_int_equal(lpm4_lookup(t, ip4(11, 0, 0, 0)), def);
	check4_all(t, &l, def, 2000);
	lpm_free(t);
	free(l.p);
}

/* A chain of every length 0..32 over one address, and over its
 * complement: every bit position is a boundary somewhere. */
static void
test_chain4(void **state)
{
	static const uint32_t base[] = {0xa5c3f00f, 0x5a3c0ff0, 0, ~0u};
	struct list4 l = {0};
	struct lpm *t;

	(void)state;
	rng_seed(3);
	for (unsigned b = 0; b < 4; b++) {
		l.n = 0;
		for (unsigned len = 0; len <= 32; len++)
			l4_push(&l, base[b], len, 100 + len);
		l4_normalise(&l);
		t = build4(&l, 9);
		for (unsigned len = 0; len <= 32; len++) {
			/* flipping bit `len` leaves the /len, not the /len+1 */
			uint32_t a = len < 32 ? base[b] ^ (1u << (31 - len))
					      : base[b];

			assert_int_equal(lpm4_lookup(t, a), 100 + len);
		}
		check4_all(t, &l, 9, 500);
		lpm_free(t);

		/* every other length only */
		l.n = 0;
		for (unsigned len = b & 1; len <= 32; len += 2)
			l4_push(&l, base[b], len, 200 + len);
		l4_normalise(&l);
		t = build4(&l, 9);
		check4_all(t, &l, 9, 500);
		lpm_free(t);
	}
	free(l.p);
}

static void
push6s(struct list6 *l, const char *s, unsigned len, uint32_t val)
{
	uint8_t a[16];
	uint64_t hi = 0, lo = 0;

	dp_ip6(s, a);
	for (unsigned i = 0; i < 8; i++) {
		hi = hi << 8 | a[i];
		lo = lo << 8 | a[8 + i];
	}
	l6_push(l, hi, lo, len, val);
}

static uint32_t
look6s(const struct lpm *t, const char *s)
{
	uint8_t a[16];

	dp_ip6(s, a);
	return lpm6_lookup(t, a);
}

static void
test_empty6(void **state)
{
	struct list6 l = {0};
	struct lpm *t;
	uint8_t a[16];

	(void)state;
	rng_seed(4);
	t = build6(&l, 0);
	check6_all(t, &l, 0, 1000);
	assert_int_equal(lpm_groups(t), 0);
	lpm_free(t);

	for (unsigned i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		assert_int_equal(lpm_create(&t, 6, defs[i]), 0);
		memset(a, 0, 16);
		assert_int_equal(lpm6_lookup(t, a), defs[i]);
		memset(a, 0xff, 16);
		assert_int_equal(lpm6_lookup(t, a), defs[i]);
		a[0] = 0x20;
		a[1] = 0x01;
		assert_int_equal(lpm6_lookup(t, a), defs[i]);
		assert_true(lpm_bytes(t) >= (size_t)4 << 16);
		lpm_free(t);
	}

	push6s(&l, "::", 0, 3);
	t = build6(&l, 77);
	assert_int_equal(look6s(t, "::"), 3);
	assert_int_equal(look6s(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
			 3);
	check6_all(t, &l, 77, 1000);
	lpm_free(t);
	free(l.p);
}

static void
test_edges6(void **state)
{
	const uint32_t def = 0x4321;
	struct list6 l = {0};
	struct lpm *t;

	(void)state;
	rng_seed(5);
	push6s(&l, "::", 0, 1);
	push6s(&l, "::", 128, 2);
	push6s(&l, "2000::", 3, 3);
	push6s(&l, "2400::", 15, 4); /* 2400::-2401:ffff:.. */
	push6s(&l, "2401::", 16, 5);
	push6s(&l, "2401:8000::", 17, 6);
	push6s(&l, "2401:8000::", 24, 7);
	push6s(&l, "2401:8080::", 25, 8);
	push6s(&l, "2401:8000:1::", 48, 9);
	push6s(&l, "2401:8000:1:2::", 64, 10);
	push6s(&l, "2401:8000:1:2::", 127, 11);
	push6s(&l, "2401:8000:1:2::1", 128, LPM_VALUE_MAX);
	push6s(&l, "2401:8000:1:2::2", 127, 0); /* sibling /127 */
	push6s(&l, "2401:8000:1:3::", 64, 12); /* sibling /64 */
	push6s(&l, "2001:db8::", 32, 13);
	push6s(&l, "2001:db8:0:1::", 64, def); /* value equal to def */
	push6s(&l, "2001:db8:0:1::1", 128, 14);
	push6s(&l, "3fff::", 16, 15);
	push6s(&l, "fe00::", 7, 16);
	push6s(&l, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 127, 17);
	push6s(&l, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128, 18);
	l6_normalise(&l);
	assert_int_equal(l.n, 21);
	t = build6(&l, def);

	assert_int_equal(look6s(t, "::"), 2);
	assert_int_equal(look6s(t, "::1"), 1);
	assert_int_equal(look6s(t, "2000::"), 3);
	assert_int_equal(look6s(t, "2400::1"), 4);
	assert_int_equal(look6s(t, "2401::"), 5);
	assert_int_equal(look6s(t, "2401:7fff::"), 5);
	assert_int_equal(look6s(t, "2401:8000::"), 7);
	assert_int_equal(look6s(t, "2401:807f:ffff::"), 7);
	assert_int_equal(look6s(t, "2401:80ff::"), 8);
	assert_int_equal(look6s(t, "2401:8100::"), 6);
	assert_int_equal(look6s(t, "2401:8080::"), 8);
	assert_int_equal(look6s(t, "2401:80ff:ffff::"), 8);
	assert_int_equal(look6s(t, "2401:8000:1::"), 9);
	assert_int_equal(look6s(t, "2401:8000:1:1::"), 9);
	assert_int_equal(look6s(t, "2401:8000:1:2::"), 11);
	assert_int_equal(look6s(t, "2401:8000:1:2::1"), LPM_VALUE_MAX);
	assert_int_equal(look6s(t, "2401:8000:1:2::2"), 0);
	assert_int_equal(look6s(t, "2401:8000:1:2::3"), 0);
	assert_int_equal(look6s(t, "2401:8000:1:2::4"), 10);
	assert_int_equal(look6s(t, "2401:8000:1:3::"), 12);
	assert_int_equal(look6s(t, "2401:8000:1:4::"), 9);
	assert_int_equal(look6s(t, "2401:ffff::"), 6);
	assert_int_equal(look6s(t, "2402::"), 3);
	assert_int_equal(look6s(t, "2001:db8:0:1::1"), 14);
	assert_int_equal(look6s(t, "2001:db8:0:1::2"), def);
	assert_int_equal(look6s(t, "2001:db8:0:2::"), 13);
	assert_int_equal(look6s(t, "3fff:1::"), 15);
	assert_int_equal(look6s(t, "4000::"), 1);
	assert_int_equal(look6s(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffd"),
			 16);
	assert_int_equal(look6s(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"),
			 17);
	assert_int_equal(look6s(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
			 18);
	check6_all(t, &l, def, 3000);
	assert_true(lpm_groups(t) <= group_bound6(&l));
	lpm_free(t);

	memmove(&l.p[0], &l.p[1], (l.n - 1) * sizeof(l.p[0]));
	l.n--;
	t = build6(&l, def);
	assert_int_equal(look6s(t, "::1"), def);
	assert_int_equal(look6s(t, "4000::"), def);
	check6_all(t, &l, def, 3000);
	lpm_free(t);
	free(l.p);
}

static void
test_chain6(void **state)
{
	static const uint64_t base[][2] = {
		{0x2401a5c3f00f1234ull, 0x5a3c0ff0deadbeefull},
		{0xdafe5a3c0ff0edcbull, 0xa5c3f00f21524110ull},
		{0, 0},
		{~0ull, ~0ull},
	};
	struct list6 l = {0};
	struct lpm *t;

	(void)state;
	rng_seed(6);
	for (unsigned b = 0; b < 4; b++) {
		l.n = 0;
		for (unsigned len = 0; len <= 128; len++)
			l6_push(&l, base[b][0], base[b][1], len, 1000 + len);
		l6_normalise(&l);
		t = build6(&l, 9);
		for (unsigned len = 0; len < 128; len++) {
			uint64_t hi = base[b][0], lo = base[b][1];
			uint8_t a[16];

			if (len < 64)
				hi ^= 1ull << (63 - len);
			else
				lo ^= 1ull << (127 - len);
			to_bytes6(hi, lo, a);
			assert_int_equal(lpm6_lookup(t, a), 1000 + len);
		}
		check6_all(t, &l, 9, 500);
		lpm_free(t);

		l.n = 0;
		for (unsigned len = 1 + b; len <= 128; len += 7)
			l6_push(&l, base[b][0], base[b][1], len, 2000 + len);
		l6_normalise(&l);
		t = build6(&l, 9);
		check6_all(t, &l, 9, 500);
		lpm_free(t);
	}
	free(l.p);
}

/* ------------------------------------------------------------------ */
/* Random lists.                                                       */

static void
test_random4(void **state)
{
	(void)state;
	for (uint64_t seed = 10; seed < 14; seed++) {
		struct list4 l;
		uint32_t def = seed & 1 ? 0 : 1 + (uint32_t)seed;
		struct lpm *t;

		rng_seed(seed);
		l4_random(&l, 4000);
		t = build4(&l, def);
		check4_all(t, &l, def, 20000);
		assert_int_equal(t->n_prefixes, l.n);
		assert_true(lpm_groups(t) <= group_bound4(&l, t->root_bits));
		assert_true(lpm_bytes(t) >=
			    ((size_t)4 << t->root_bits) +
				    (size_t)lpm_groups(t) * 1024);
		lpm_free(t);
		free(l.p);
	}
}

static void
test_random6(void **state)
{
	(void)state;
	for (uint64_t seed = 20; seed < 24; seed++) {
		struct list6 l;
		uint32_t def = seed & 1 ? 0 : 1 + (uint32_t)seed;
		struct lpm *t;

		rng_seed(seed);
		l6_random(&l, 3000);
		t = build6(&l, def);
		check6_all(t, &l, def, 20000);
		assert_int_equal(t->n_prefixes, l.n);
		assert_true(lpm_groups(t) <= group_bound6(&l));
		assert_true(lpm_bytes(t) >=
			    ((size_t)4 << 16) + (size_t)lpm_groups(t) * 1024);
		lpm_free(t);
		free(l.p);
	}
}

/* ------------------------------------------------------------------ */
/* Updates.                                                            */

enum edit {
	ED_ADD,
	ED_REMOVE,
	ED_CHANGE,
	ED_REMOVE_PARENT,
	ED_ADD_PARENT,
	ED_KINDS,
};

static const char *const edit_name[] = {
	"add", "remove", "change", "remove parent", "add parent",
};

/* Prefixes whose value differs between sorted lists a and b. */
static uint64_t *
diff4(const struct list4 *a, const struct list4 *b, size_t *n_out)
{
	uint64_t *ch = xcalloc(a->n + b->n, sizeof(*ch));
	size_t i = 0, j = 0, n = 0;

	while (i < a->n || j < b->n) {
		int c = i == a->n   ? 1
			: j == b->n ? -1
				    : cmp_p4(&a->p[i], &b->p[j]);

		if (c < 0) {
			ch[n++] = LPM4_KEY(a->p[i].addr, a->p[i].len);
			i++;
		} else if (c > 0) {
			ch[n++] = LPM4_KEY(b->p[j].addr, b->p[j].len);
			j++;
		} else {
			if (a->p[i].val != b->p[j].val)
				ch[n++] = LPM4_KEY(a->p[i].addr, a->p[i].len);
			i++;
			j++;
		}
	}
	/* any order, caller bits ignored: shuffle and scribble */
	for (size_t x = n; x > 1; x--) {
		size_t y = below((uint32_t)x);
		uint64_t tmp = ch[x - 1];

		ch[x - 1] = ch[y];
		ch[y] = tmp;
	}
	for (size_t x = 0; x < n; x++)
		ch[x] |= rnd64() & ~LPM4_KEY_ID_MASK;
	*n_out = n;
	return ch;
}

static void
update4(struct lpm *t, const struct list4 *old, const struct list4 *nw)
{
	size_t n_ch, bad = SIZE_MAX;
	uint64_t *ch = diff4(old, nw, &n_ch), *k;
	uint32_t *v;
	int rc;

	l4_arrays(nw, &k, &v);
	rc = lpm_update4(t, k, v, nw->n, ch, n_ch, &bad);
	if (rc != 0)
		fail_msg(
			"lpm_update4 to %zu prefixes, %zu changed: %d, bad %zu",
			nw->n, n_ch, rc, bad);
	free(k);
	free(v);
	free(ch);
}

/* Apply one random edit of `kind` touching about `size` prefixes. */
static void
edit4(struct list4 *l, enum edit kind, size_t size)
{
	size_t out = 0;

	switch (kind) {
	case ED_ADD: l4_add_random(l, size); return;
	case ED_REMOVE:
		for (size_t i = 0; i < l->n; i++)
			if (below((uint32_t)l->n) >= size)
				l->p[out++] = l->p[i];
		l->n = out;
		return;
	case ED_CHANGE:
		for (size_t i = 0; i < size && l->n > 0; i++) {
			struct p4 *p = &l->p[below((uint32_t)l->n)];
			uint32_t v = rand_value();

			p->val = v == p->val ? v ^ 1 : v;
		}
		return;
	case ED_REMOVE_PARENT:
		/* a prefix followed by one of its more-specifics has
		 * children; drop up to `size` of those */
		for (size_t i = 0; i < l->n; i++) {
			int parent = i + 1 < l->n &&
				     l->p[i + 1].len > l->p[i].len &&
				     ((l->p[i + 1].addr ^ l->p[i].addr) &
				      mask4(l->p[i].len)) == 0;

			if (parent && size > 0 && below(3) == 0) {
				size--;
				continue;
			}
			l->p[out++] = l->p[i];
		}
		l->n = out;
		return;
	case ED_ADD_PARENT:
		for (size_t i = 0, n0 = l->n; i < size && n0 > 0; i++) {
			const struct p4 *p = &l->p[below((uint32_t)n0)];
			unsigned up = 1 + below(10);

			l4_push(l, p->addr, p->len > up ? p->len - up : 0,
				rand_value());
		}
		l4_normalise(l);
		return;
	default: fail();
	}
}

/* After an update: the same answers as a fresh build and as the model
 * at the edges of every changed prefix, of some others and at random. */
static void
check4_update(const struct lpm *t, const struct list4 *old,
	      const struct list4 *nw, uint32_t def, int full)
{
	struct lpm *f = build4(nw, def);
	size_t n_ch;
	uint64_t *ch = diff4(old, nw, &n_ch);

	equal4(t, f);
	assert_int_equal(t->n_prefixes, nw->n);
	lpm_free(f);
	if (full) {
		check4_all(t, nw, def, 5000);
	} else {
		for (size_t i = 0; i < n_ch && i < 500; i++)
			check4_edges(t, nw, def, lpm4_key_addr(ch[i]),
				     lpm4_key_len(ch[i]));
		for (size_t i = 0; i < 300 && nw->n > 0; i++) {
			const struct p4 *p = &nw->p[below((uint32_t)nw->n)];

			check4_edges(t, nw, def, p->addr, p->len);
		}
		for (unsigned i = 0; i < 2000; i++)
			check4_addr(t, nw, def, (uint32_t)rnd64());
	}
	free(ch);
}

static void
test_update4(void **state)
{
	static const size_t sizes[] = {1, 10, 200};
	const uint32_t def = 42;
	struct list4 cur, nw, empty = {0};
	struct lpm *t;

	(void)state;
	rng_seed(30);
	l4_random(&cur, 2000);
	t = build4(&cur, def);
	for (unsigned step = 0; step < 40; step++) {
		enum edit kind = (enum edit)(step < ED_KINDS ? step
							     : below(ED_KINDS));

		l4_copy(&nw, &cur);
		edit4(&nw, kind, sizes[below(3)]);
		print_message("step %u: %s, %zu -> %zu prefixes\n", step,
			      edit_name[kind], cur.n, nw.n);
		update4(t, &cur, &nw);
		check4_update(t, &cur, &nw, def, step % 10 == 9);
		free(cur.p);
		cur = nw;
	}
	/* remove everything: every group folded back, def everywhere */
	update4(t, &cur, &empty);
	check4_update(t, &cur, &empty, def, 1);
	assert_int_equal(lpm_groups(t), 0);
	assert_int_equal(t->n_prefixes, 0);
	/* and a whole table again, from the free groups */
	l4_random(&nw, 2000);
	update4(t, &empty, &nw);
	check4_update(t, &empty, &nw, def, 1);
	assert_true(lpm_groups(t) <= group_bound4(&nw, t->root_bits));
	free(cur.p);
	free(nw.p);
	lpm_free(t);
}

static void
test_update4_nochange(void **state)
{
	struct list4 l;
	struct lpm *t;
	uint64_t *k;
	uint32_t *v;
	size_t bad = SIZE_MAX;

	(void)state;
	rng_seed(31);
	l4_random(&l, 1000);
	t = build4(&l, 0);
	l4_arrays(&l, &k, &v);
	/* nothing changed: nothing to repaint, same answers */
	assert_int_equal(lpm_update4(t, k, v, l.n, NULL, 0, &bad), 0);
	check4_all(t, &l, 0, 2000);
	free(k);
	free(v);
	free(l.p);
	lpm_free(t);
}

static struct fib_pfx6 *
diff6(const struct list6 *a, const struct list6 *b, size_t *n_out)
{
	struct fib_pfx6 *ch = xcalloc(a->n + b->n, sizeof(*ch));
	size_t i = 0, j = 0, n = 0;

	while (i < a->n || j < b->n) {
		int c = i == a->n   ? 1
			: j == b->n ? -1
				    : cmp_p6(&a->p[i], &b->p[j]);

		if (c < 0) {
			rec6(&a->p[i++], &ch[n++]);
		} else if (c > 0) {
			rec6(&b->p[j++], &ch[n++]);
		} else {
			if (a->p[i].val != b->p[j].val)
				rec6(&b->p[j], &ch[n++]);
			i++;
			j++;
		}
	}
	*n_out = n;
	return ch;
}

static void
update6(struct lpm *t, const struct list6 *old, const struct list6 *nw)
{
	size_t n_ch, bad = SIZE_MAX;
	struct fib_pfx6 *ch = diff6(old, nw, &n_ch), *r = l6_records(nw);
	int rc;

	rc = lpm_update6(t, r, nw->n, ch, n_ch, &bad);
	if (rc != 0)
		fail_msg(
			"lpm_update6 to %zu prefixes, %zu changed: %d, bad %zu",
			nw->n, n_ch, rc, bad);
	free(r);
	free(ch);
}

static void
edit6(struct list6 *l, enum edit kind, size_t size)
{
	size_t out = 0;

	switch (kind) {
	case ED_ADD: l6_add_random(l, size); return;
	case ED_REMOVE:
		for (size_t i = 0; i < l->n; i++)
			if (below((uint32_t)l->n) >= size)
				l->p[out++] = l->p[i];
		l->n = out;
		return;
	case ED_CHANGE:
		for (size_t i = 0; i < size && l->n > 0; i++) {
			struct p6 *p = &l->p[below((uint32_t)l->n)];
			uint32_t v = rand_value();

			p->val = v == p->val ? v ^ 1 : v;
		}
		return;
	case ED_REMOVE_PARENT:
		for (size_t i = 0; i < l->n; i++) {
			int parent = 0;

			if (i + 1 < l->n && l->p[i + 1].len > l->p[i].len) {
				uint64_t mh, ml;

				mask6(l->p[i].len, &mh, &ml);
				parent = ((l->p[i + 1].hi ^ l->p[i].hi) & mh) ==
						 0 &&
					 ((l->p[i + 1].lo ^ l->p[i].lo) & ml) ==
						 0;
			}
			if (parent && size > 0 && below(3) == 0) {
				size--;
				continue;
			}
			l->p[out++] = l->p[i];
		}
		l->n = out;
		return;
	case ED_ADD_PARENT:
		for (size_t i = 0, n0 = l->n; i < size && n0 > 0; i++) {
			const struct p6 *p = &l->p[below((uint32_t)n0)];
			unsigned up = 1 + below(20);

			l6_push(l, p->hi, p->lo, p->len > up ? p->len - up : 0,
				rand_value());
		}
		l6_normalise(l);
		return;
	default: fail();
	}
}

static void
check6_update(const struct lpm *t, const struct list6 *old,
	      const struct list6 *nw, uint32_t def, int full)
{
	struct lpm *f = build6(nw, def);
	size_t n_ch;
	struct fib_pfx6 *ch = diff6(old, nw, &n_ch);

	equal6(t, f);
	assert_int_equal(t->n_prefixes, nw->n);
	lpm_free(f);
	if (full) {
		check6_all(t, nw, def, 5000);
	} else {
		for (size_t i = 0; i < n_ch && i < 500; i++) {
			uint64_t hi = 0, lo = 0;

			for (unsigned b = 0; b < 8; b++) {
				hi = hi << 8 | ch[i].addr[b];
				lo = lo << 8 | ch[i].addr[8 + b];
			}
			check6_edges(t, nw, def, hi, lo, ch[i].len);
		}
		for (size_t i = 0; i < 300 && nw->n > 0; i++) {
			const struct p6 *p = &nw->p[below((uint32_t)nw->n)];

			check6_edges(t, nw, def, p->hi, p->lo, p->len);
		}
		for (unsigned i = 0; i < 2000; i++)
			check6_addr(t, nw, def, rnd64(), rnd64());
	}
	free(ch);
}

static void
test_update6(void **state)
{
	static const size_t sizes[] = {1, 10, 200};
	const uint32_t def = 43;
	struct list6 cur, nw, empty = {0};
	struct lpm *t;

	(void)state;
	rng_seed(40);
	l6_random(&cur, 2000);
	t = build6(&cur, def);
	for (unsigned step = 0; step < 40; step++) {
		enum edit kind = (enum edit)(step < ED_KINDS ? step
							     : below(ED_KINDS));

		l6_copy(&nw, &cur);
		edit6(&nw, kind, sizes[below(3)]);
		print_message("step %u: %s, %zu -> %zu prefixes\n", step,
			      edit_name[kind], cur.n, nw.n);
		update6(t, &cur, &nw);
		check6_update(t, &cur, &nw, def, step % 10 == 9);
		free(cur.p);
		cur = nw;
	}
	update6(t, &cur, &empty);
	check6_update(t, &cur, &empty, def, 1);
	assert_int_equal(lpm_groups(t), 0);
	assert_int_equal(t->n_prefixes, 0);
	l6_random(&nw, 2000);
	update6(t, &empty, &nw);
	check6_update(t, &empty, &nw, def, 1);
	assert_true(lpm_groups(t) <= group_bound6(&nw));
	free(cur.p);
	free(nw.p);
	lpm_free(t);
}

/* ------------------------------------------------------------------ */
/* Copies.                                                             */

static void
test_copy4(void **state)
{
	struct list4 l, l2;
	struct lpm *t, *c = NULL, *f;

	(void)state;
	rng_seed(50);
	l4_random(&l, 3000);
	t = build4(&l, 5);
	assert_int_equal(lpm_copy(&c, t), 0);
	assert_non_null(c);
	assert_ptr_not_equal(c->root, t->root);
	equal4(c, t);
	assert_int_equal(lpm_groups(c), lpm_groups(t));
	check4_all(c, &l, 5, 2000);

	/* update the copy: the original still answers the old list */
	l4_copy(&l2, &l);
	edit4(&l2, ED_REMOVE_PARENT, 200);
	edit4(&l2, ED_ADD, 200);
	edit4(&l2, ED_CHANGE, 200);
	update4(c, &l, &l2);
	check4_update(c, &l, &l2, 5, 1);
	f = build4(&l, 5);
	equal4(t, f);
	lpm_free(f);
	check4_all(t, &l, 5, 2000);

	/* and the copy outlives its source */
	lpm_free(t);
	check4_all(c, &l2, 5, 2000);

	/* a copy of a table holding free groups hands them out again */
	update4(c, &l2, &(struct list4){0});
	assert_true(c->n_free > 0);
	assert_int_equal(lpm_copy(&t, c), 0);
	lpm_free(c);
	update4(t, &(struct list4){0}, &l);
	check4_update(t, &(struct list4){0}, &l, 5, 1);
	lpm_free(t);
	free(l.p);
	free(l2.p);
}

static void
test_copy6(void **state)
{
	struct list6 l, l2;
	struct lpm *t, *c = NULL, *f;

	(void)state;
	rng_seed(51);
	l6_random(&l, 3000);
	t = build6(&l, 6);
	assert_int_equal(lpm_copy(&c, t), 0);
	assert_non_null(c);
	assert_ptr_not_equal(c->root, t->root);
	equal6(c, t);
	check6_all(c, &l, 6, 2000);

	l6_copy(&l2, &l);
	edit6(&l2, ED_REMOVE_PARENT, 200);
	edit6(&l2, ED_ADD, 200);
	edit6(&l2, ED_CHANGE, 200);
	update6(c, &l, &l2);
	check6_update(c, &l, &l2, 6, 1);
	f = build6(&l, 6);
	equal6(t, f);
	lpm_free(f);
	check6_all(t, &l, 6, 2000);

	lpm_free(t);
	check6_all(c, &l2, 6, 2000);

	update6(c, &l2, &(struct list6){0});
	assert_true(c->n_free > 0);
	assert_int_equal(lpm_copy(&t, c), 0);
	lpm_free(c);
	update6(t, &(struct list6){0}, &l);
	check6_update(t, &(struct list6){0}, &l, 6, 1);
	lpm_free(t);
	free(l.p);
	free(l2.p);
}

/* More groups than the heap holds (EAL -m 1024; 200k random /128s need
 * ~2.7M groups, 2.7 GiB): -ENOMEM from a build and from an update, and
 * the table can still be freed. */
static void
test_nomem6(void **state)
{
	struct list6 big = {0}, small = {0};
	struct fib_pfx6 *r;
	struct lpm *t;
	size_t bad = 0;
	int rc;

	(void)state;
	rng_seed(70);
	for (unsigned i = 0; i < 200000; i++)
		l6_push(&big, rnd64(), rnd64(), 128, 1 + i % 1000);
	l6_normalise(&big);
	r = l6_records(&big);
	assert_int_equal(lpm_create(&t, 6, 0), 0);
	rc = lpm_build6(t, r, big.n, &bad);
	assert_int_equal(rc, -ENOMEM);
	lpm_free(t);

	l6_push(&small, 0x2001ull << 48, 0, 48, 1);
	t = build6(&small, 0);
	{
		size_t n_ch;
		struct fib_pfx6 *ch = diff6(&small, &big, &n_ch);

		rc = lpm_update6(t, r, big.n, ch, n_ch, &bad);
		free(ch);
	}
	assert_int_equal(rc, -ENOMEM);
	lpm_free(t);

	/* the heap is whole again: a table builds */
	t = build6(&small, 0);
	check6_all(t, &small, 0, 100);
	lpm_free(t);
	free(r);
	free(big.p);
	free(small.p);
}

/*
 * Big and small IPv4 tables: a list with prefixes under most /16s makes
 * the build take the 24-bit root (lpm.h), a small one the 16-bit root;
 * updates between the two, copies and bulk lookups give the same answers
 * as a fresh build and the model whatever the layouts.
 */
static void
l4_spread(struct list4 *l, size_t n)
{
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < n; i++) {
		unsigned r = below(100);
		unsigned len = r < 70	? 24
			       : r < 95 ? 17 + below(7)
					: 25 + below(8);

		l4_push(l, (uint32_t)rnd64(), len, rand_value());
	}
	l4_normalise(l);
}

/* The model on a sample: the edges of `n_pfx` random prefixes of l and
 * `n_random` random addresses (the linear scan model4 is checked against
 * every 16th call costs 100k steps here). */
static void
check4_sample(const struct lpm *t, const struct list4 *l, uint32_t def,
	      unsigned n_pfx, unsigned n_random)
{
	for (unsigned i = 0; i < n_pfx && l->n > 0; i++) {
		const struct p4 *p = &l->p[below((uint32_t)l->n)];

		check4_edges(t, l, def, p->addr, p->len);
	}
	for (unsigned i = 0; i < n_random; i++)
		check4_addr(t, l, def, (uint32_t)rnd64());
}

static void
test_big4(void **state)
{
	struct list4 big, small, empty = {0};
	struct lpm *t, *f, *c = NULL;
	uint32_t ip[256], v[256];
	/* def 1: neither the zeroed nor an arbitrary fill of a new root */

	(void)state;
	rng_seed(80);
	l4_spread(&big, 120000);
	l4_random(&small, 100);

	t = build4(&big, 1);
	assert_int_equal(t->root_bits, 24);
	assert_true(lpm_groups(t) <= group_bound4(&big, 24));
	check4_sample(t, &big, 1, 1000, 2000);
	for (unsigned i = 0; i < 256; i++)
		ip[i] = i % 2 ? (uint32_t)rnd64()
			      : big.p[below((uint32_t)big.n)].addr | (i & 0xff);
	lpm4_lookup_bulk(t, ip, v, 256);
	for (unsigned i = 0; i < 256; i++)
		assert_int_equal(v[i], lpm4_lookup(t, ip[i]));
	assert_int_equal(lpm_copy(&c, t), 0);
	equal4(c, t);
	lpm_free(c);
	lpm_free(t);

	t = build4(&small, 1);
	assert_int_equal(t->root_bits, 16);
	check4_all(t, &small, 1, 2000);

	/* small -> big -> small -> nothing, one table throughout */
	update4(t, &small, &big);
	f = build4(&big, 1);
	equal4(t, f);
	lpm_free(f);
	check4_sample(t, &big, 1, 1000, 2000);
	lpm4_lookup_bulk(t, ip, v, 256);
	for (unsigned i = 0; i < 256; i++)
		assert_int_equal(v[i], lpm4_lookup(t, ip[i]));

	update4(t, &big, &small);
	check4_update(t, &big, &small, 1, 1);
	update4(t, &small, &empty);
	check4_update(t, &small, &empty, 1, 1);
	assert_int_equal(lpm_groups(t), 0);
	lpm_free(t);
	free(big.p);
	free(small.p);
}

/*
 * Big and small IPv6 tables, as test_big4: /48s (and some /32-/40s, and
 * more-specifics below them) at random in 2000::/3, each with its own
 * chain of groups, make the build take the 24-bit root; a list of 300 the
 * 16-bit one. The model on samples, bulk lookups (both ways: chains and
 * levels) against lpm6_lookup, a copy, updates between the layouts and
 * repaints inside the 24-bit one against fresh builds.
 */
static void
l6_spread(struct list6 *l, size_t n)
{
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < n; i++) {
		uint64_t hi = 0x2000ull << 48 | rnd64() >> 3, lo = rnd64();
		unsigned r = below(100);
		unsigned len = r < 70	? 48
			       : r < 85 ? 32 + below(9)
			       : r < 92 ? 17 + below(8)
					: 49 + below(80);
		uint64_t mh, ml;

		mask6(len, &mh, &ml);
		l6_push(l, hi & mh, lo & ml, len, rand_value());
	}
	l6_normalise(l);
}

static void
check6_sample(const struct lpm *t, const struct list6 *l, uint32_t def,
	      unsigned n_pfx, unsigned n_random)
{
	for (unsigned i = 0; i < n_pfx && l->n > 0; i++) {
		const struct p6 *p = &l->p[below((uint32_t)l->n)];

		check6_edges(t, l, def, p->hi, p->lo, p->len);
	}
	for (unsigned i = 0; i < n_random; i++)
		check6_addr(t, l, def, 0x2000ull << 48 | rnd64() >> 3, rnd64());
}

static void
bulk6_same(const struct lpm *t, const struct list6 *l)
{
	static const unsigned sizes[] = {1, 5, 16, 17, 256};
	uint8_t a[256][16];
	uint32_t v[256];

	for (unsigned i = 0; i < 256; i++) {
		const struct p6 *p = &l->p[below((uint32_t)l->n)];
		uint64_t hi = rnd64(), lo = rnd64(), mh, ml;

		mask6(p->len, &mh, &ml);
		if (i % 4 != 0) {
			hi = p->hi | (hi & ~mh);
			lo = p->lo | (lo & ~ml);
		}
		to_bytes6(hi, lo, a[i]);
	}
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		lpm6_lookup_bulk(t, (const uint8_t(*)[16])a, v, sizes[s]);
		for (unsigned i = 0; i < sizes[s]; i++)
			if (v[i] != lpm6_lookup(t, a[i]))
				fail_msg("bulk of %u, [%u]: %#x vs %#x",
					 sizes[s], i, v[i],
					 lpm6_lookup(t, a[i]));
	}
}

static void
test_big6(void **state)
{
	struct list6 big, small, nw, empty = {0};
	struct lpm *t, *f, *c = NULL;

	(void)state;
	rng_seed(81);
	l6_spread(&big, 12000);
	l6_random(&small, 300);

	t = build6(&big, 1);
	assert_int_equal(t->root_bits, 24);
	assert_int_equal(t->shift4, 8);
	assert_true(lpm_groups(t) <= group_bound6(&big));
	check6_sample(t, &big, 1, 1000, 2000);
	bulk6_same(t, &big);
	assert_int_equal(lpm_copy(&c, t), 0);
	equal6(c, t);
	lpm_free(c);
	/* the same table in the 16-bit layout (the benchmarks' side A) */
	assert_int_equal(lpm_copy_root16(&c, t), 0);
	assert_int_equal(c->root_bits, 16);
	assert_int_equal(c->shift4, 16);
	assert_true(lpm_groups(c) > lpm_groups(t));
	equal6(c, t);
	bulk6_same(c, &big);
	check6_sample(c, &big, 1, 200, 500);
	lpm_free(c);

	/* repaints inside the 24-bit layout, each kind of edit */
	for (unsigned step = 0; step < ED_KINDS; step++) {
		l6_copy(&nw, &big);
		edit6(&nw, (enum edit)step, 200);
		update6(t, &big, &nw);
		check6_update(t, &big, &nw, 1, 0);
		assert_int_equal(t->root_bits, 24);
		free(big.p);
		big = nw;
	}
	lpm_free(t);

	t = build6(&small, 1);
	assert_int_equal(t->root_bits, 16);
	check6_all(t, &small, 1, 2000);

	/* small -> big -> small -> nothing, one table throughout */
	update6(t, &small, &big);
	f = build6(&big, 1);
	assert_int_equal(t->root_bits, 16);
	assert_int_equal(f->root_bits, 24);
	equal6(t, f);
	lpm_free(f);
	check6_sample(t, &big, 1, 500, 1000);
	bulk6_same(t, &big);
	update6(t, &big, &small);
	check6_update(t, &big, &small, 1, 1);
	update6(t, &small, &empty);
	check6_update(t, &small, &empty, 1, 1);
	assert_int_equal(lpm_groups(t), 0);
	lpm_free(t);
	free(big.p);
	free(small.p);
}

/* ------------------------------------------------------------------ */
/* Bad input.                                                          */

/* Build (or update an empty table) with (k, v, n): -EINVAL at `want`. */
static void
refuse4(const uint64_t *k, const uint32_t *v, size_t n, size_t want)
{
	struct lpm *t;
	size_t bad = SIZE_MAX;
	uint64_t ch = k[(want + 1) % n]; /* a valid prefix */

	assert_int_equal(lpm_create(&t, 4, 0), 0);
	assert_int_equal(lpm_build4(t, k, v, n, &bad), -EINVAL);
	assert_int_equal(bad, want);
	lpm_free(t);

	assert_int_equal(lpm_create(&t, 4, 0), 0);
	assert_int_equal(lpm_build4(t, NULL, NULL, 0, &bad), 0);
	bad = SIZE_MAX;
	assert_int_equal(lpm_update4(t, k, v, n, &ch, 1, &bad), -EINVAL);
	assert_int_equal(bad, want);
	lpm_free(t);
}

static void
test_bad4(void **state)
{
	uint64_t k[4];
	uint32_t v[4] = {1, 2, 3, 4};
	struct lpm *t = (struct lpm *)1;

	(void)state;
	k[0] = LPM4_KEY(ip4(10, 0, 0, 0), 8);
	k[1] = LPM4_KEY(ip4(12, 0, 0, 0), 8);
	k[2] = LPM4_KEY(ip4(11, 0, 0, 0), 8);
	k[3] = LPM4_KEY(ip4(13, 0, 0, 0), 8);
	refuse4(k, v, 4, 2); /* unsorted */
	k[2] = LPM4_KEY(ip4(12, 0, 0, 0), 4 + 4); /* same prefix as k[1] */
	refuse4(k, v, 4, 2);
	k[2] = LPM4_KEY(ip4(12, 0, 0, 0), 8) | 5; /* caller bits differ */
	k[1] |= 3;
	refuse4(k, v, 4, 2);
	k[1] = LPM4_KEY(ip4(12, 0, 0, 0), 7); /* sorted by length second */
	k[2] = LPM4_KEY(ip4(12, 0, 0, 0), 6);
	refuse4(k, v, 4, 2);
	k[1] = LPM4_KEY(ip4(11, 0, 0, 0), 8);
	k[2] = LPM4_KEY(ip4(12, 0, 0, 1), 8); /* host bits */
	refuse4(k, v, 4, 2);
	k[2] = LPM4_KEY(ip4(12, 0, 0, 0), 33); /* too long */
	refuse4(k, v, 4, 2);
	k[2] = LPM4_KEY(ip4(12, 0, 0, 0), 8);
	k[0] = LPM4_KEY(ip4(10, 0, 0, 0), 0); /* host bits of a /0 */
	refuse4(k, v, 4, 0);
	k[0] = LPM4_KEY(ip4(10, 0, 0, 0), 8);
	v[3] = LPM_VALUE_MAX + 1; /* value */
	refuse4(k, v, 4, 3);
	v[3] = LPM_VALUE_MAX;
	v[1] = ~0u;
	refuse4(k, v, 4, 1);

	/* a bad changed prefix: its index after the list's */
	{
		uint64_t ch[3] = {k[1], LPM4_KEY(ip4(12, 0, 0, 1), 24), k[0]};
		size_t bad = 0;

		v[1] = 2;
		assert_int_equal(lpm_create(&t, 4, 0), 0);
		assert_int_equal(lpm_build4(t, k, v, 4, &bad), 0);
		assert_int_equal(lpm_update4(t, k, v, 4, ch, 3, &bad), -EINVAL);
		assert_int_equal(bad, 4 + 1);
		lpm_free(t);
		ch[1] = LPM4_KEY(ip4(12, 0, 0, 0), 40);
		assert_int_equal(lpm_create(&t, 4, 0), 0);
		assert_int_equal(lpm_build4(t, k, v, 4, &bad), 0);
		assert_int_equal(lpm_update4(t, k, v, 4, ch, 3, &bad), -EINVAL);
		assert_int_equal(bad, 4 + 1);
		lpm_free(t);
	}

	assert_int_equal(lpm_create(&t, 5, 0), -EINVAL);
	assert_int_equal(lpm_create(&t, 0, 0), -EINVAL);
	assert_int_equal(lpm_create(&t, 4, LPM_VALUE_MAX + 1), -EINVAL);
	assert_int_equal(lpm_create(&t, 4, LPM_VALUE_MAX), 0);
	lpm_free(t);
}

static void
refuse6(const struct fib_pfx6 *p, size_t n, size_t want)
{
	struct lpm *t;
	size_t bad = SIZE_MAX;

	assert_int_equal(lpm_create(&t, 6, 0), 0);
	assert_int_equal(lpm_build6(t, p, n, &bad), -EINVAL);
	assert_int_equal(bad, want);
	lpm_free(t);

	assert_int_equal(lpm_create(&t, 6, 0), 0);
	assert_int_equal(lpm_build6(t, NULL, 0, &bad), 0);
	bad = SIZE_MAX;
	assert_int_equal(lpm_update6(t, p, n, &p[(want + 1) % n], 1, &bad),
			 -EINVAL);
	assert_int_equal(bad, want);
	lpm_free(t);
}

static void
set6(struct fib_pfx6 *r, const char *s, unsigned len, uint32_t nh)
{
	memset(r, 0, sizeof(*r));
	dp_ip6(s, r->addr);
	r->len = (uint8_t)len;
	r->nh = nh;
}

static void
test_bad6(void **state)
{
	struct fib_pfx6 p[4];
	struct lpm *t = (struct lpm *)1;

	(void)state;
	set6(&p[0], "2001:db8::", 32, 1);
	set6(&p[1], "2001:db9::", 32, 2);
	set6(&p[2], "2001:db8:1::", 48, 3);
	set6(&p[3], "2001:dba::", 32, 4);
	refuse6(p, 4, 2); /* unsorted */
	set6(&p[2], "2001:db9::", 32, 3);
	p[2].kind = 1; /* the caller's fields do not make it another prefix */
	p[2].idx = 99;
	refuse6(p, 4, 2);
	set6(&p[1], "2001:db9::", 33, 2);
	set6(&p[2], "2001:db9::", 32, 3); /* shorter after longer */
	refuse6(p, 4, 2);
	set6(&p[1], "2001:db8:1::", 48, 2);
	set6(&p[2], "2001:db9::1", 32, 3); /* host bits */
	refuse6(p, 4, 2);
	set6(&p[2], "2001:db9::", 129, 3); /* too long */
	refuse6(p, 4, 2);
	set6(&p[2], "2001:db9::", 32, LPM_VALUE_MAX + 1); /* value */
	refuse6(p, 4, 2);
	set6(&p[2], "2001:db9::", 32, 3);
	set6(&p[0], "2001:db8::", 0, 1); /* host bits of a /0 */
	refuse6(p, 4, 0);
	set6(&p[0], "2001:db8::", 32, 1);
	set6(&p[3], "2001:dba::8000", 128, 0);
	p[3].addr[15] = 0x80;
	p[3].len = 120; /* last byte's host bits */
	refuse6(p, 4, 3);

	/* a bad changed prefix: its index after the list's */
	set6(&p[3], "2001:dba::", 32, 4);
	{
		struct fib_pfx6 ch[2];
		size_t bad = 0;

		ch[0] = p[1];
		set6(&ch[1], "2001:dbb::1", 32, 0); /* host bits */
		assert_int_equal(lpm_create(&t, 6, 0), 0);
		assert_int_equal(lpm_build6(t, p, 4, &bad), 0);
		assert_int_equal(lpm_update6(t, p, 4, ch, 2, &bad), -EINVAL);
		assert_int_equal(bad, 4 + 1);
		lpm_free(t);
		set6(&ch[1], "2001:dbb::", 129, 0);
		assert_int_equal(lpm_create(&t, 6, 0), 0);
		assert_int_equal(lpm_build6(t, p, 4, &bad), 0);
		assert_int_equal(lpm_update6(t, p, 4, ch, 2, &bad), -EINVAL);
		assert_int_equal(bad, 4 + 1);
		lpm_free(t);
	}

	assert_int_equal(lpm_create(&t, 5, 0), -EINVAL);
	assert_int_equal(lpm_create(&t, 6, LPM_VALUE_MAX + 1), -EINVAL);
}

/* ------------------------------------------------------------------ */
/* Bulk lookups.                                                       */

static void
test_bulk4(void **state)
{
	static const unsigned sizes[] = {0, 1, 3, 31, 32, 33, 64, 100, 4096};
	struct list4 l;
	struct lpm *t;
	uint32_t *ip, *v;
	const unsigned n = 4096;

	(void)state;
	rng_seed(60);
	l4_random(&l, 3000);
	t = build4(&l, 7);
	ip = xcalloc(n + 1, sizeof(*ip));
	v = xcalloc(n + 1, sizeof(*v));
	for (unsigned i = 0; i < n; i++) {
		const struct p4 *p = &l.p[below((uint32_t)l.n)];

		ip[i] = i % 3 == 0 ? (uint32_t)rnd64()
				   : p->addr | ((uint32_t)rnd64() &
						~mask4(p->len));
	}
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		v[sizes[s]] = 0xdeadbeef; /* must stay: one past the batch */
		lpm4_lookup_bulk(t, ip, v, sizes[s]);
		for (unsigned i = 0; i < sizes[s]; i++)
			if (v[i] != lpm4_lookup(t, ip[i]))
				fail_msg("bulk of %u, [%u]: %#x vs %#x",
					 sizes[s], i, v[i],
					 lpm4_lookup(t, ip[i]));
		assert_int_equal(v[sizes[s]], 0xdeadbeef);
	}
	for (unsigned i = 0; i < n; i++)
		v[i] = 0xdeadbeef;
	lpm4_lookup_bulk(NULL, ip, v, n);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(v[i], 0);
	lpm_free(t);
	free(ip);
	free(v);
	free(l.p);
}

static void
test_bulk6(void **state)
{
	/* Up to 16 (LPM6_CHAINS_MAX): the four-at-a-time walk, each length
	 * of its tail; 17 and more: level by level. */
	static const unsigned sizes[] = {0,  1,	 3,  4,	 5,  6,	 7,  8,	  9,
					 15, 16, 17, 31, 32, 33, 64, 100, 4096};
	struct list6 l;
	struct lpm *t;
	uint8_t(*a)[16];
	uint32_t *v;
	const unsigned n = 4096;

	(void)state;
	rng_seed(61);
	l6_random(&l, 3000);
	t = build6(&l, 8);
	a = xcalloc(n + 1, sizeof(*a));
	v = xcalloc(n + 1, sizeof(*v));
	for (unsigned i = 0; i < n; i++) {
		const struct p6 *p = &l.p[below((uint32_t)l.n)];
		uint64_t hi = rnd64(), lo = rnd64(), mh, ml;

		if (i % 3 != 0) {
			mask6(p->len, &mh, &ml);
			hi = p->hi | (hi & ~mh);
			lo = p->lo | (lo & ~ml);
		}
		to_bytes6(hi, lo, a[i]);
	}
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		v[sizes[s]] = 0xdeadbeef;
		lpm6_lookup_bulk(t, (const uint8_t(*)[16])a, v, sizes[s]);
		for (unsigned i = 0; i < sizes[s]; i++)
			if (v[i] != lpm6_lookup(t, a[i]))
				fail_msg("bulk of %u, [%u]: %#x vs %#x",
					 sizes[s], i, v[i],
					 lpm6_lookup(t, a[i]));
		assert_int_equal(v[sizes[s]], 0xdeadbeef);
	}
	for (unsigned i = 0; i < n; i++)
		v[i] = 0xdeadbeef;
	lpm6_lookup_bulk(NULL, (const uint8_t(*)[16])a, v, n);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(v[i], 0);
	lpm_free(t);
	free(a);
	free(v);
	free(l.p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty4),
		cmocka_unit_test(test_edges4),
		cmocka_unit_test(test_chain4),
		cmocka_unit_test(test_empty6),
		cmocka_unit_test(test_edges6),
		cmocka_unit_test(test_chain6),
		cmocka_unit_test(test_random4),
		cmocka_unit_test(test_random6),
		cmocka_unit_test(test_update4),
		cmocka_unit_test(test_update4_nochange),
		cmocka_unit_test(test_update6),
		cmocka_unit_test(test_copy4),
		cmocka_unit_test(test_copy6),
		cmocka_unit_test(test_big4),
		cmocka_unit_test(test_big6),
		cmocka_unit_test(test_bad4),
		cmocka_unit_test(test_bad6),
		cmocka_unit_test(test_bulk4),
		cmocka_unit_test(test_bulk6),
		cmocka_unit_test(test_nomem6),
	};

	/* three IPv4 tables at once (64 MiB of root each) plus groups */
	dp_test_eal_init("test_lpm", 1024);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
