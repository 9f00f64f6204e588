/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fibrec: a FIB patched from its slot's spare answers every lookup as the
 * content says (checked against a brute-force longest match), over many
 * generations of random changes used the way the dataplane uses them
 * (two FIBs alternating: the published one and the spare); a spare that
 * cannot take the change is dropped for a fresh build; nothing leaks.
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
#include "fibrec.h"
#include "ixg_heap.h"
#include "lpm.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint32_t
mask4(unsigned len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

/* ---------------- IPv4 content: sorted keys + next hops -------------- */

struct c4 {
	uint64_t *k;
	uint32_t *nh;
	size_t n, cap;
};

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t
rand_key4(void)
{
	/* lengths like a routing table: mostly /16../24, some longer */
	static const uint8_t lens[] = {8,  12, 16, 19, 20, 21, 22, 23,
				       24, 24, 24, 24, 25, 28, 32};
	unsigned len = lens[rnd() % sizeof(lens)];
	/* a few /8s of address space so prefixes nest and share tbl8s */
	uint32_t a = (10u + rnd() % 4) << 24 | (rnd() & 0xffffff);

	return (uint64_t)(a & mask4(len)) << 32 | (uint64_t)len << 26;
}

/* Sort, keep one of each prefix, next hops 1..200. */
static void
c4_normalise(struct c4 *c)
{
	size_t out = 0;

	qsort(c->k, c->n, sizeof(*c->k), cmp_u64);
	for (size_t i = 0; i < c->n; i++)
		if (out == 0 || c->k[out - 1] != c->k[i])
			c->k[out++] = c->k[i];
	c->n = out;
}

static void
c4_init(struct c4 *c, size_t n)
{
	c->cap = n * 2 + 64;
	c->k = calloc(c->cap, sizeof(*c->k));
	c->nh = calloc(c->cap, sizeof(*c->nh));
	assert_non_null(c->k);
	assert_non_null(c->nh);
	for (size_t i = 0; i < n; i++)
		c->k[i] = rand_key4();
	c->n = n;
	c4_normalise(c);
	for (size_t i = 0; i < c->n; i++)
		c->nh[i] = 1 + rnd() % 200;
}

/* Change about `pct` percent: deletes, new prefixes, new next hops. */
static void
c4_mutate(struct c4 *c, unsigned pct)
{
	size_t changes = c->n * pct / 100 + 1, out = 0;
	uint64_t *k2 = calloc(c->cap, sizeof(*k2));
	uint32_t *nh2 = calloc(c->cap, sizeof(*nh2));

	assert_non_null(k2);
	assert_non_null(nh2);
	for (size_t i = 0; i < c->n; i++) {
		uint32_t r = rnd() % 1000;

		if (r < pct * 10 / 3)
			continue; /* deleted */
		k2[out] = c->k[i];
		nh2[out++] = r < pct * 20 / 3 ? 1 + rnd() % 200 : c->nh[i];
	}
	/* added: tag new keys with their next hop in the caller bits, so the
	 * pairing survives the sort; then move it to the nh array */
	for (size_t i = 0; i < changes / 3 + 1 && out < c->cap; i++)
		k2[out++] = rand_key4() | (1 + rnd() % 200);
	for (size_t i = 0; i < out; i++)
		if (k2[i] & 0x3ffffff)
			nh2[i] = (uint32_t)(k2[i] & 0x3ffffff);
	/* sort pairs: pack nh in the low bits temporarily */
	for (size_t i = 0; i < out; i++)
		k2[i] = (k2[i] & ~0x3ffffffull) | nh2[i];
	qsort(k2, out, sizeof(*k2), cmp_u64);
	c->n = 0;
	for (size_t i = 0; i < out; i++) {
		uint64_t id = k2[i] & ~0x3ffffffull;

		if (c->n > 0 && c->k[c->n - 1] == id)
			continue;
		c->k[c->n] = id;
		c->nh[c->n++] = (uint32_t)(k2[i] & 0x3ffffff);
	}
	free(k2);
	free(nh2);
}

static uint32_t
ref4(const struct c4 *c, uint32_t a)
{
	int best = -1;
	uint32_t nh = 0;

	for (size_t i = 0; i < c->n; i++) {
		uint32_t p = (uint32_t)(c->k[i] >> 32);
		int len = (int)((c->k[i] >> 26) & 0x3f);

		if ((a & mask4((unsigned)len)) == p && len > best) {
			best = len;
			nh = c->nh[i];
		}
	}
	return nh;
}

static void
check4(const struct fibrec *r, const struct c4 *c)
{
	const struct lpm *fib = fibrec_lpm(r);

	assert_non_null(fib);
	for (unsigned i = 0; i < 3000; i++) {
		uint32_t a;
		uint32_t nh;

		if (i % 3 == 0 && c->n > 0) {
			/* first or last address of a held prefix */
			uint64_t k = c->k[rnd() % c->n];
			unsigned len = (k >> 26) & 0x3f;

			a = (uint32_t)(k >> 32) | (i % 2 ? ~mask4(len) : 0);
		} else {
			a = (10u + rnd() % 5) << 24 | (rnd() & 0xffffff);
		}
		nh = lpm4_lookup(fib, a);
		if (nh != ref4(c, a))
			fail_msg("%u.%u.%u.%u: fib %u, content %u", a >> 24,
				 (a >> 16) & 255, (a >> 8) & 255, a & 255, nh,
				 ref4(c, a));
	}
}

static size_t
diff4(const struct c4 *a, const struct c4 *b)
{
	size_t i = 0, j = 0, ops = 0;

	while (i < a->n || j < b->n) {
		if (j >= b->n || (i < a->n && a->k[i] < b->k[j])) {
			ops++;
			i++;
		} else if (i >= a->n || b->k[j] < a->k[i]) {
			ops++;
			j++;
		} else {
			ops += a->nh[i] != b->nh[j];
			i++;
			j++;
		}
	}
	return ops;
}

static void
c4_copy(struct c4 *d, const struct c4 *s)
{
	d->cap = s->cap;
	d->k = calloc(d->cap, sizeof(*d->k));
	d->nh = calloc(d->cap, sizeof(*d->nh));
	assert_non_null(d->k);
	assert_non_null(d->nh);
	memcpy(d->k, s->k, s->n * sizeof(*d->k));
	memcpy(d->nh, s->nh, s->n * sizeof(*d->nh));
	d->n = s->n;
}

static void
c4_free(struct c4 *c)
{
	free(c->k);
	free(c->nh);
}

static struct fibrec *
make4(const struct c4 *c, struct fibrec_stat *st)
{
	size_t bad;
	int rc = 0;
	struct fibrec *r = fibrec_make4(FIB_ROUTE4, c->k, c->nh, c->n, st, &bad,
					&rc);

	assert_int_equal(rc, 0);
	assert_non_null(r);
	return r;
}

/* Published / spare alternating over 40 generations of 2% changes. */
static void
test_generations4(void **state)
{
	struct c4 cur, prev;
	struct fibrec *live, *old;
	struct fibrec_stat st;
	unsigned long live0 = fibrec_live();
	unsigned patched = 0;

	(void)state;
	fibrec_set_spares(true);
	c4_init(&cur, 4000);
	live = make4(&cur, &st);
	assert_int_equal(st.how, FIBREC_FRESH);
	check4(live, &cur);
	assert_int_equal(fibrec_warm(live), 1); /* start-up copy */
	assert_int_equal(fibrec_spares(), 1);
	for (unsigned g = 0; g < 40; g++) {
		/* the spare holds the content of two generations ago (or the
		 * warm copy of the first one) */
		c4_copy(&prev, &cur);
		c4_mutate(&cur, 2);
		old = live;
		live = make4(&cur, &st);
		assert_int_equal(st.how, FIBREC_PATCHED);
		assert_int_equal(st.n, cur.n);
		patched++;
		check4(live, &cur);
		/* the published one was not touched */
		check4(old, &prev);
		c4_free(&prev);
		fibrec_retire(old); /* grace period over: becomes the spare */
		assert_int_equal(fibrec_spares(), 1);
	}
	assert_int_equal(patched, 40);
	fibrec_retire(live);
	fibrec_drop_spares();
	assert_int_equal(fibrec_live(), live0);
	c4_free(&cur);
	fibrec_set_spares(false);
}

/* The patch applies exactly the difference, as counted independently. */
static void
test_patch_counts4(void **state)
{
	struct c4 a, b;
	struct fibrec *r;
	struct fibrec_stat st;

	(void)state;
	fibrec_set_spares(true);
	c4_init(&a, 3000);
	r = make4(&a, &st);
	fibrec_retire(r);
	c4_copy(&b, &a);
	c4_mutate(&b, 5);
	r = make4(&b, &st);
	assert_int_equal(st.how, FIBREC_PATCHED);
	assert_int_equal((size_t)st.adds + st.dels, diff4(&a, &b));
	assert_true(st.dels > 0);
	assert_true(st.adds > 0);
	check4(r, &b);
	/* same content again: nothing to do */
	fibrec_retire(r);
	r = make4(&b, &st);
	assert_int_equal(st.how, FIBREC_PATCHED);
	assert_int_equal(st.adds + st.dels, 0);
	check4(r, &b);
	fibrec_retire(r);
	fibrec_set_spares(false);
	assert_int_equal(fibrec_spares(), 0);
	c4_free(&a);
	c4_free(&b);
}

/* A change bigger than the patch threshold: fresh build, same answers;
 * a bad entry: refused with its index, nothing kept. */
static void
test_fresh_fallbacks4(void **state)
{
	struct c4 a, b;
	struct fibrec *r;
	struct fibrec_stat st;
	unsigned long live0;
	size_t bad;
	int rc;

	(void)state;
	fibrec_set_spares(true);
	c4_init(&a, 2000);
	r = make4(&a, &st);
	fibrec_retire(r);
	c4_init(&b, 2000); /* unrelated content */
	r = make4(&b, &st);
	assert_int_equal(st.how, FIBREC_FRESH);
	check4(r, &b);
	fibrec_retire(r);
	live0 = fibrec_live();
	/* swap two keys: unsorted content */
	{
		uint64_t k = b.k[10];

		b.k[10] = b.k[11];
		b.k[11] = k;
	}
	r = fibrec_make4(FIB_ROUTE4, b.k, b.nh, b.n, &st, &bad, &rc);
	assert_null(r);
	assert_int_equal(rc, -EINVAL);
	assert_int_equal(bad, 11);
	/* the spare was used up by the failed attempt, nothing leaked */
	assert_true(fibrec_live() <= live0);
	fibrec_set_spares(false);
	c4_free(&a);
	c4_free(&b);
}

/* With spares off a retired FIB is freed, and nothing is parked. */
static void
test_spares_off(void **state)
{
	struct c4 a;
	struct fibrec *r;
	struct fibrec_stat st;
	unsigned long live0 = fibrec_live();

	(void)state;
	fibrec_set_spares(false);
	c4_init(&a, 500);
	r = make4(&a, &st);
	assert_int_equal(fibrec_live(), live0 + 1);
	assert_int_equal(fibrec_warm(r), 0);
	fibrec_retire(r);
	assert_int_equal(fibrec_spares(), 0);
	assert_int_equal(fibrec_live(), live0);
	c4_free(&a);
}

/* ---------------- IPv6 ------------------------------------------------ */

struct c6 {
	struct fib_pfx6 *p;
	size_t n, cap;
};

static int
cmp6(const void *pa, const void *pb)
{
	const struct fib_pfx6 *a = pa, *b = pb;
	int c = memcmp(a->addr, b->addr, 16);

	return c != 0 ? c : (a->len > b->len) - (a->len < b->len);
}

static void
mask6(uint8_t *a, unsigned len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len > i * 8 ? len - i * 8 : 0;

		a[i] = bits >= 8 ? a[i] : a[i] & (uint8_t)(0xff00 >> bits);
	}
}

static void
rand_pfx6(struct fib_pfx6 *p)
{
	static const uint8_t lens[] = {19, 24, 28, 29, 32, 32, 36, 40,
				       44, 48, 48, 48, 56, 64, 128};

	memset(p, 0, sizeof(*p));
	p->addr[0] = 0x20;
	p->addr[1] = 0x01;
	p->addr[2] = (uint8_t)(rnd() % 4);
	for (unsigned i = 3; i < 16; i++)
		p->addr[i] = (uint8_t)rnd();
	p->len = lens[rnd() % sizeof(lens)];
	mask6(p->addr, p->len);
	p->nh = 1 + rnd() % 200;
}

static void
c6_dedupe(struct c6 *c)
{
	size_t out = 0;

	qsort(c->p, c->n, sizeof(*c->p), cmp6);
	for (size_t i = 0; i < c->n; i++)
		if (out == 0 || cmp6(&c->p[out - 1], &c->p[i]) != 0)
			c->p[out++] = c->p[i];
	c->n = out;
}

static void
c6_init(struct c6 *c, size_t n)
{
	c->cap = n * 2 + 64;
	c->p = calloc(c->cap, sizeof(*c->p));
	assert_non_null(c->p);
	for (size_t i = 0; i < n; i++)
		rand_pfx6(&c->p[i]);
	c->n = n;
	c6_dedupe(c);
}

static void
c6_mutate(struct c6 *c, unsigned pct)
{
	size_t out = 0, adds = c->n * pct / 300 + 1;

	for (size_t i = 0; i < c->n; i++) {
		uint32_t r = rnd() % 1000;

		if (r < pct * 10 / 3)
			continue;
		c->p[out] = c->p[i];
		if (r < pct * 20 / 3)
			c->p[out].nh = 1 + rnd() % 200;
		out++;
	}
	for (size_t i = 0; i < adds && out < c->cap; i++)
		rand_pfx6(&c->p[out++]);
	c->n = out;
	c6_dedupe(c);
}

static uint32_t
ref6(const struct c6 *c, const uint8_t a[16])
{
	int best = -1;
	uint32_t nh = 0;

	for (size_t i = 0; i < c->n; i++) {
		uint8_t m[16];

		memcpy(m, a, 16);
		mask6(m, c->p[i].len);
		if (memcmp(m, c->p[i].addr, 16) == 0 && c->p[i].len > best) {
			best = c->p[i].len;
			nh = c->p[i].nh;
		}
	}
	return nh;
}

static void
check6(const struct fibrec *r, const struct c6 *c)
{
	const struct lpm *fib = fibrec_lpm(r);

	assert_non_null(fib);
	for (unsigned i = 0; i < 2000; i++) {
		uint8_t a[1][16];

		if (i % 2 == 0 && c->n > 0) {
			const struct fib_pfx6 *p = &c->p[rnd() % c->n];

			memcpy(a[0], p->addr, 16);
			for (unsigned b = p->len; b < 128; b++)
				if (rnd() & 1)
					a[0][b / 8] |= (uint8_t)(0x80 >>
								 (b % 8));
		} else {
			struct fib_pfx6 q;

			rand_pfx6(&q);
			memcpy(a[0], q.addr, 16);
			a[0][15] ^= (uint8_t)rnd();
		}
		assert_int_equal(lpm6_lookup(fib, a[0]), ref6(c, a[0]));
	}
}

static struct fibrec *
make6(const struct c6 *c, struct fibrec_stat *st)
{
	size_t bad;
	int rc = 0;
	struct fibrec *r = fibrec_make6(FIB_ROUTE6, c->p, c->n, st, &bad, &rc);

	assert_int_equal(rc, 0);
	assert_non_null(r);
	return r;
}

static void
test_generations6(void **state)
{
	struct c6 cur, prev;
	struct fibrec *live, *old;
	struct fibrec_stat st;
	unsigned long live0 = fibrec_live();

	(void)state;
	fibrec_set_spares(true);
	c6_init(&cur, 2000);
	live = make6(&cur, &st);
	assert_int_equal(st.how, FIBREC_FRESH);
	check6(live, &cur);
	assert_int_equal(fibrec_warm(live), 1);
	for (unsigned g = 0; g < 30; g++) {
		prev.cap = cur.cap;
		prev.n = cur.n;
		prev.p = malloc(cur.cap * sizeof(*prev.p));
		assert_non_null(prev.p);
		memcpy(prev.p, cur.p, cur.n * sizeof(*prev.p));
		c6_mutate(&cur, 3);
		old = live;
		live = make6(&cur, &st);
		assert_int_equal(st.how, FIBREC_PATCHED);
		check6(live, &cur);
		check6(old, &prev);
		free(prev.p);
		fibrec_retire(old);
	}
	fibrec_retire(live);
	fibrec_drop_spares();
	assert_int_equal(fibrec_live(), live0);
	free(cur.p);
	fibrec_set_spares(false);
}

/*
 * The heap the spares will be copied into, mapped ahead (4 KiB pages):
 * fibrec_spare_need says how much, lpm_heap_warm maps it, and the copy
 * then takes under a quarter of the page faults of a copy into fresh
 * memory (a fault a page). First in the run: the heap has no holes yet, so
 * the allocations go where the warm-up went (the end of the free heap).
 */
static void
test_spare_heap_warm(void **state)
{
	struct c4 a;
	struct fibrec *r;
	struct fibrec_stat st;
	struct lpm *x = NULL, *y = NULL;
	size_t need, pages;
	long f, warm;

	(void)state;
	fibrec_set_spares(true);
	c4_init(&a, 6000);
	r = make4(&a, &st);
	need = fibrec_spare_need(&r, 1);
	assert_int_equal(need, lpm_bytes(fibrec_lpm(r)));
	pages = need / 4096;
	assert_true(pages > 256);
	assert_true(lpm_heap_warm(need) >= need);
	warm = ixg_thread_minflt();
	assert_int_equal(lpm_copy(&x, fibrec_lpm(r)), 0);
	warm = ixg_thread_minflt() - warm;
	/* the same copy into memory not mapped ahead: a fault a page (and
	 * under ASan, both copies fault in their shadow too) */
	f = ixg_thread_minflt();
	assert_int_equal(lpm_copy(&y, fibrec_lpm(r)), 0);
	f = ixg_thread_minflt() - f;
	assert_true((size_t)f > pages / 2);
	assert_true(warm * 4 < f);
	lpm_free(x);
	lpm_free(y);
	/* spare made: nothing left to copy; spares off: nothing either */
	assert_int_equal(fibrec_warm(r), 1);
	assert_int_equal(fibrec_spare_need(&r, 1), 0);
	fibrec_set_spares(false);
	fibrec_retire(r);
	fibrec_set_spares(true);
	r = make4(&a, &st);
	fibrec_set_spares(false);
	assert_int_equal(fibrec_spare_need(&r, 1), 0);
	fibrec_retire(r);
	c4_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spare_heap_warm),
		cmocka_unit_test(test_generations4),
		cmocka_unit_test(test_patch_counts4),
		cmocka_unit_test(test_fresh_fallbacks4),
		cmocka_unit_test(test_spares_off),
		cmocka_unit_test(test_generations6),
	};

	dp_test_eal_init("test_fibrec", 1024);
	fibrec_set_spare_min(0); /* spares for the small test tables too */
	fibrec_set_patch_ratio(2); /* and patches for their bigger changes */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
