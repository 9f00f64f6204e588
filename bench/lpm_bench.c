/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lpm_bench.c - what the dataplane's own longest-prefix-match tables
 * (dataplane/lpm.h) cost against DPDK's rte_fib DIR24_8 / rte_fib6 TRIE
 * holding the same prefix list: build time and routes/s, memory, update
 * of 0 (the fixed cost of a call) / 1 / 100 / 10k changed prefixes, and
 * lookup cycles per address (bulk of 32) for IPv4 and IPv6, full table and
 * a 16-route table, on uniform random and on table-derived addresses.
 *
 *   lpm_bench [--seed N] [--scale F] [--config FILE] [--no-synthetic]
 *             [--rounds N] [--addrs N] [--no-rte-fib] [--family 4|6]
 *             [--callgrind] [--json FILE] [-- EAL args]
 *
 * Tables: the synthetic full-size routes of bench/fullspec.c (1.2M IPv4 +
 * 300k IPv6, --scale F keeps a fraction) and, with --config, the routes of
 * a real config loaded with the config library (ixgate-mkconfig --out
 * /tmp/full: 565k + 168k); values are the routes' peer ids. The 16-route
 * tables are fullspec's small spec. Each family is measured on its own and
 * freed before the next, so the peak is one family's tables.
 *
 * Lookups: N addresses (--addrs, default 1M) per set: "uniform" is uniform
 * over the IPv4 space / over 2000::/3, "table" picks a prefix of the list
 * uniformly and random host bits inside it. Variants: lpm4/6_lookup_bulk,
 * lpm4/6_lookup one address at a time, rte_fib(6)_lookup_bulk, and a
 * bench-local loop over the lpm table ("bench loop": IPv4 prefetching the
 * 32 root entries first, IPv6 level by level over only the addresses
 * still in a group; checked against lpm4/6_lookup before timing), to see
 * what the layout allows. Variants run interleaved,
 * round by round (--rounds, default 5), each pass preceded by an untimed
 * pass over the same addresses; cycles per address = rte_rdtsc() over the
 * pass / N, median over the rounds. Before timing, every address of every
 * set is looked up in both lpm and rte_fib and the answers must be equal
 * (the bench exits 1 otherwise). Ratios are within this run only: on a
 * shared VM absolute cycles move with the neighbours' load (the load
 * average is printed before and after).
 *
 * Builds and updates: CLOCK_MONOTONIC and the thread's CPU time, median of
 * --rounds builds (rte_fib: 1 build). Update of m changed prefixes: half
 * get another value, a quarter are withdrawn, a quarter are new
 * more-specifics of listed prefixes; lpm_update (the diff handed over as
 * lpm.h asks) against rte_fib_add/rte_fib_delete of the same diff (what
 * fibrec did), then the reverse update; after each, lpm and rte_fib must
 * still agree on every table-derived address. --rounds different changes
 * of each size, medians.
 *
 * --callgrind: one pass of --addrs lookups per variant (default 200k)
 * between CALLGRIND_ZERO_STATS and CALLGRIND_DUMP_STATS_AT(variant), no
 * updates, one build; run as
 *   valgrind --tool=callgrind --fair-sched=yes build/bench/lpm_bench \
 *       --callgrind --scale 0.1 -- --no-huge -m 2048 --no-shconf ...
 * and read each dump's "summary:" (instructions) / addresses.
 *
 * Without EAL args after "--": --in-memory --no-pci --no-telemetry -l 0
 * (hugepages, allocated as needed).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#ifdef IXG_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

#include "benchutil.h"
#include "fullspec.h"
#include "ixg_conf.h"
#include "lpm.h"

/* rte_fib6 takes IPv6 addresses as uint8_t[16] in DPDK 22.11 and as
 * struct rte_ipv6_addr (the same 16 bytes) from 24.11; meson probes the
 * type (bench/meson.build), not the version. */
#ifdef IXG_HAVE_RTE_IPV6_ADDR
#include <rte_ip6.h>
#define IXG_FIB6_ADDRS(a) ((const struct rte_ipv6_addr *)(const void *)(a))
#define IXG_FIB6_ADDR(a) ((const struct rte_ipv6_addr *)(const void *)(a))
#else
#define IXG_FIB6_ADDRS(a) ((uint8_t(*)[RTE_FIB6_IPV6_ADDR_SIZE])(void *)(a))
#define IXG_FIB6_ADDR(a) ((const uint8_t *)(a))
#endif

#define BULK 32
#define MAX_ROUNDS 64

static struct {
	uint64_t seed;
	double scale;
	const char *config;
	int synthetic, rte_fib, callgrind, family;
	FILE *json;
	unsigned rounds;
	uint32_t addrs;
} opt = {.seed = 1, .scale = 1.0, .synthetic = 1, .rte_fib = 1, .rounds = 5};

/* ------------------------------------------------------------------ */
/* Clocks, heap, load.                                                 */

static void
print_load(const char *when)
{
	char buf[128] = "?";
	FILE *f = fopen("/proc/loadavg", "r");

	if (f != NULL) {
		if (fgets(buf, sizeof(buf), f) == NULL)
			snprintf(buf, sizeof(buf), "?\n");
		fclose(f);
	}
	printf("load average %s: %s", when, buf);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, unsigned n)
{
	double tmp[MAX_ROUNDS];

	if (n == 0)
		return 0;
	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL) {
		fprintf(stderr, "lpm_bench: out of memory (%zu bytes)\n", n);
		exit(1);
	}
	return p;
}

/* ------------------------------------------------------------------ */
/* Prefix lists from a spec: sorted, one entry per prefix (the last).  */

struct list {
	int family;
	size_t n;
	uint64_t *k; /* IPv4: LPM4_KEY, value in the caller bits too */
	uint32_t *v;
	struct fib_pfx6 *p; /* IPv6 */
};

static uint32_t
mask4(unsigned len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_pfx6(const void *a, const void *b)
{
	const struct fib_pfx6 *x = a, *y = b;
	int c = memcmp(x->addr, y->addr, 16);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx; /* load order */
}

static void
mask6(uint8_t a[16], unsigned len)
{
	for (unsigned i = 0; i < 16; i++)
		if (len <= 8 * i)
			a[i] = 0;
		else if (len < 8 * i + 8)
			a[i] &= (uint8_t)(0xff00u >> (len - 8 * i));
}

/* Sort keys carrying their value in the caller bits; keep the last of
 * one prefix; split the values out. */
static void
list4_finish(struct list *l)
{
	size_t out = 0;

	qsort(l->k, l->n, sizeof(*l->k), cmp_u64);
	for (size_t i = 0; i < l->n; i++) {
		if (out > 0 && l->k[out - 1] >> 26 == l->k[i] >> 26)
			out--;
		l->k[out++] = l->k[i];
	}
	l->n = out;
	free(l->v);
	l->v = xmalloc((l->n + 1) * sizeof(*l->v));
	for (size_t i = 0; i < l->n; i++)
		l->v[i] = (uint32_t)(l->k[i] & ~LPM4_KEY_ID_MASK);
}

static void
list6_finish(struct list *l)
{
	size_t out = 0;

	qsort(l->p, l->n, sizeof(*l->p), cmp_pfx6);
	for (size_t i = 0; i < l->n; i++) {
		if (out > 0 && l->p[out - 1].len == l->p[i].len &&
		    memcmp(l->p[out - 1].addr, l->p[i].addr, 16) == 0)
			out--;
		l->p[out++] = l->p[i];
	}
	l->n = out;
}

static void
list_from_spec(const struct ixg_spec *s, int family, struct list *l)
{
	memset(l, 0, sizeof(*l));
	l->family = family;
	if (family == 4) {
		l->k = xmalloc((s->n_routes4 + 1) * sizeof(*l->k));
		for (uint32_t i = 0; i < s->n_routes4; i++) {
			const struct ixg_spec_route4 *r = &s->routes4[i];

			l->k[i] = LPM4_KEY(r->addr & mask4(r->len), r->len) |
				  r->peer_id;
		}
		l->n = s->n_routes4;
		list4_finish(l);
	} else {
		l->p = xmalloc((s->n_routes6 + 1) * sizeof(*l->p));
		for (uint32_t i = 0; i < s->n_routes6; i++) {
			const struct ixg_spec_route6 *r = &s->routes6[i];
			struct fib_pfx6 *p = &l->p[i];

			memset(p, 0, sizeof(*p));
			memcpy(p->addr, r->addr, 16);
			mask6(p->addr, r->len);
			p->len = r->len;
			p->idx = i;
			p->nh = r->peer_id;
		}
		l->n = s->n_routes6;
		list6_finish(l);
	}
}

static void
list_free(struct list *l)
{
	free(l->k);
	free(l->v);
	free(l->p);
	memset(l, 0, sizeof(*l));
}

static void
list_copy(struct list *d, const struct list *s)
{
	*d = *s;
	d->k = NULL;
	d->v = NULL;
	d->p = NULL;
	if (s->family == 4) {
		d->k = xmalloc((s->n + 1) * sizeof(*d->k));
		d->v = xmalloc((s->n + 1) * sizeof(*d->v));
		memcpy(d->k, s->k, s->n * sizeof(*d->k));
		memcpy(d->v, s->v, s->n * sizeof(*d->v));
	} else {
		d->p = xmalloc((s->n + 1) * sizeof(*d->p));
		memcpy(d->p, s->p, s->n * sizeof(*d->p));
	}
}

static unsigned
plen(const struct list *l, size_t i)
{
	return l->family == 4 ? lpm4_key_len(l->k[i]) : l->p[i].len;
}

/* ------------------------------------------------------------------ */
/* The tables: lpm and rte_fib of one list.                            */

struct tabs {
	struct lpm *lpm;
	void *fib; /* struct rte_fib * or struct rte_fib6 * */
	size_t lpm_heap, fib_heap;
	double lpm_ms, lpm_cpu, lpm_create_ms, fib_ms, fib_cpu;
	int fib_err;
};

static int
lpm_make(const struct list *l, struct lpm **out, double *create_ms)
{
	size_t bad;
	double t0 = bench_now_ms();
	int rc = lpm_create(out, l->family, 0);

	if (rc < 0)
		return rc;
	*create_ms = bench_now_ms() - t0;
	rc = l->family == 4 ? lpm_build4(*out, l->k, l->v, l->n, &bad)
			    : lpm_build6(*out, l->p, l->n, &bad);
	if (rc < 0) {
		fprintf(stderr, "lpm_build%d: %s at entry %zu\n", l->family,
			strerror(-rc), bad);
		lpm_free(*out);
		*out = NULL;
	}
	return rc;
}

/* tbl8 groups rte_fib needs for the list (DIR24_8: /24s holding a longer
 * prefix; TRIE: its per-prefix reservation, as tables.c counted it). */
static uint32_t
tbl8_need(const struct list *l)
{
	uint64_t cnt = 0;

	if (l->family == 4) {
		uint32_t last = 0;
		int have = 0;

		for (size_t i = 0; i < l->n; i++) {
			uint32_t a24 = lpm4_key_addr(l->k[i]) >> 8;

			if (lpm4_key_len(l->k[i]) <= 24)
				continue;
			if (!have || a24 != last)
				cnt++;
			last = a24;
			have = 1;
		}
	} else {
		const struct fib_pfx6 *st[129];
		size_t depth = 0;

		for (size_t i = 0; i < l->n; i++) {
			const struct fib_pfx6 *p = &l->p[i];
			unsigned cover = 24;

			while (depth > 0) {
				uint8_t a[16];

				memcpy(a, p->addr, 16);
				mask6(a, st[depth - 1]->len);
				if (st[depth - 1]->len <= p->len &&
				    memcmp(a, st[depth - 1]->addr, 16) == 0)
					break;
				depth--;
			}
			if (depth > 0 && st[depth - 1]->len > cover)
				cover = st[depth - 1]->len;
			if (p->len > 24)
				cnt += (((p->len + 7u) & ~7u) -
					((cover + 7u) & ~7u)) /
				       8;
			st[depth++] = p;
		}
	}
	return (uint32_t)(cnt + 16);
}

static void *
fib_make(const struct list *l, int *err)
{
	static unsigned seq;
	char name[32];

	snprintf(name, sizeof(name), "lpmb%u", seq++);
	if (l->family == 4) {
		struct rte_fib_conf c = {
			.type = RTE_FIB_DIR24_8,
			.default_nh = 0,
			.max_routes = (int)l->n + 16,
			.dir24_8 = {.nh_sz = RTE_FIB_DIR24_8_4B,
				    .num_tbl8 = tbl8_need(l)},
		};
		struct rte_fib *f = rte_fib_create(name, SOCKET_ID_ANY, &c);

		if (f == NULL) {
			*err = -rte_errno;
			return NULL;
		}
		for (size_t i = 0; i < l->n; i++) {
			int rc = rte_fib_add(f, lpm4_key_addr(l->k[i]),
					     lpm4_key_len(l->k[i]), l->v[i]);

			if (rc < 0) {
				*err = rc;
				rte_fib_free(f);
				return NULL;
			}
		}
		return f;
	} else {
		struct rte_fib6_conf c = {
			.type = RTE_FIB6_TRIE,
			.default_nh = 0,
			.max_routes = (int)l->n + 16,
			.trie = {.nh_sz = RTE_FIB6_TRIE_4B,
				 .num_tbl8 = tbl8_need(l)},
		};
		struct rte_fib6 *f = rte_fib6_create(name, SOCKET_ID_ANY, &c);

		if (f == NULL) {
			*err = -rte_errno;
			return NULL;
		}
		for (size_t i = 0; i < l->n; i++) {
			int rc = rte_fib6_add(f, IXG_FIB6_ADDR(l->p[i].addr),
					      l->p[i].len, l->p[i].nh);

			if (rc < 0) {
				*err = rc;
				rte_fib6_free(f);
				return NULL;
			}
		}
		return f;
	}
}

static void
fib_free(int family, void *f)
{
	if (f == NULL)
		return;
	if (family == 4)
		rte_fib_free(f);
	else
		rte_fib6_free(f);
}

/* Build lpm `rounds` times (keeping the last) and rte_fib once. */
static void
tabs_make(struct tabs *t, const struct list *l, unsigned rounds)
{
	double ms[MAX_ROUNDS], cpu[MAX_ROUNDS], cr[MAX_ROUNDS];

	memset(t, 0, sizeof(*t));
	for (unsigned r = 0; r < rounds; r++) {
		size_t h;
		double t0, c0;
		int rc;

		lpm_free(t->lpm);
		t->lpm = NULL;
		h = bench_heap_bytes();
		t0 = bench_now_ms();
		c0 = bench_cpu_ms();
		rc = lpm_make(l, &t->lpm, &cr[r]);
		ms[r] = bench_now_ms() - t0;
		cpu[r] = bench_cpu_ms() - c0;
		if (rc < 0) {
			fprintf(stderr, "lpm IPv%d build: %s\n", l->family,
				strerror(-rc));
			exit(1);
		}
		t->lpm_heap = bench_heap_bytes() - h;
	}
	t->lpm_ms = median(ms, rounds);
	t->lpm_cpu = median(cpu, rounds);
	t->lpm_create_ms = median(cr, rounds);
	if (opt.rte_fib) {
		size_t h = bench_heap_bytes();
		double t0 = bench_now_ms(), c0 = bench_cpu_ms();

		t->fib = fib_make(l, &t->fib_err);
		t->fib_ms = bench_now_ms() - t0;
		t->fib_cpu = bench_cpu_ms() - c0;
		t->fib_heap = bench_heap_bytes() - h;
		if (t->fib == NULL)
			fprintf(stderr,
				"rte_fib%s of %zu routes: %s (heap free for "
				"more? rerun with -- --no-huge -m 4096 ...)\n",
				l->family == 4 ? "" : "6", l->n,
				strerror(-t->fib_err));
	}
}

static void
tabs_free(struct tabs *t, int family)
{
	lpm_free(t->lpm);
	fib_free(family, t->fib);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------------ */
/* Addresses.                                                          */

struct addrs {
	uint32_t n;
	uint32_t *ip4;
	uint8_t (*ip6)[16];
};

static void
addrs_make(struct addrs *a, const struct list *l, int uniform, uint32_t n,
	   uint64_t seed)
{
	struct fullspec_rng r;

	fullspec_rng_seed(&r, seed);
	a->n = n;
	a->ip4 = NULL;
	a->ip6 = NULL;
	if (l->family == 4)
		a->ip4 = xmalloc((size_t)n * sizeof(*a->ip4) + 64);
	else
		a->ip6 = xmalloc((size_t)n * sizeof(*a->ip6) + 64);
	for (uint32_t i = 0; i < n; i++) {
		if (l->family == 4) {
			if (uniform || l->n == 0) {
				a->ip4[i] = (uint32_t)fullspec_rng_next(&r);
			} else {
				size_t j = fullspec_rng_below(&r,
							      (uint32_t)l->n);

				a->ip4[i] = fullspec_addr4_in(
					&r, lpm4_key_addr(l->k[j]),
					lpm4_key_len(l->k[j]));
			}
		} else if (uniform || l->n == 0) {
			static const uint8_t g[16] = {0x20};

			fullspec_addr6_in(&r, g, 3, a->ip6[i]);
		} else {
			size_t j = fullspec_rng_below(&r, (uint32_t)l->n);

			fullspec_addr6_in(&r, l->p[j].addr, l->p[j].len,
					  a->ip6[i]);
		}
	}
}

static void
addrs_free(struct addrs *a)
{
	free(a->ip4);
	free(a->ip6);
}

/* ------------------------------------------------------------------ */
/* Lookup passes. Each variant is its own function so that a profile    */
/* names it.                                                            */

static volatile uint64_t sink;

/*
 * Every value of a batch feeds the sink: with only some of them read, the
 * compiler drops the inlined lookups of the others (dead loads), and the
 * inline variants looked faster than they are.
 */
static inline uint64_t
fold(const uint32_t *v)
{
	uint64_t s = 0;

	for (unsigned j = 0; j < BULK; j++)
		s += v[j];
	return s;
}

/* fold() for rte_fib's 8-byte next hops (an external call: nothing to
 * drop, summed the same way for the same loop cost). */
static inline uint64_t
fold64(const uint64_t *v)
{
	uint64_t s = 0;

	for (unsigned j = 0; j < BULK; j++)
		s += v[j];
	return s;
}

static __rte_noinline void
pass_lpm4_bulk(const struct lpm *t, const struct addrs *a)
{
	uint32_t v[BULK];
	uint64_t s = 0;

	for (uint32_t i = 0; i + BULK <= a->n; i += BULK) {
		lpm4_lookup_bulk(t, &a->ip4[i], v, BULK);
		s += fold(v);
	}
	sink += s;
}

static __rte_noinline void
pass_lpm4_one(const struct lpm *t, const struct addrs *a)
{
	uint32_t v[BULK];
	uint64_t s = 0;

	for (uint32_t i = 0; i + BULK <= a->n; i += BULK) {
		for (unsigned j = 0; j < BULK; j++)
			v[j] = lpm4_lookup(t, a->ip4[i + j]);
		s += fold(v);
	}
	sink += s;
}

/*
 * Not lpm.c's code, to see what the layout allows (the "bench loop"
 * variant). IPv4: all 32 root entries prefetched first, as rte_fib's
 * DIR24_8 bulk lookup prefetches ahead, then one address after the other.
 * IPv6: level by level like lpm6_lookup_bulk, but each level visits only
 * the addresses still in a group (a list carried from level to level), so
 * a /128 in the batch no longer makes 14 passes over all 32.
 */
static inline void
batch4_local(const struct lpm *t, const uint32_t *ip, uint32_t *v)
{
	const uint32_t *root = t->root, *grp = t->grp;
	const unsigned shift = t->shift4;

	for (unsigned j = 0; j < BULK; j++)
		rte_prefetch0(&root[ip[j] >> shift]);
	for (unsigned j = 0; j < BULK; j++) {
		unsigned sh = shift;
		uint32_t e = root[ip[j] >> sh];

		while (unlikely(e & LPM_GROUP)) {
			sh -= 8;
			e = grp[(size_t)(e & LPM_VALUE_MAX) << 8 |
				((ip[j] >> sh) & 0xff)];
		}
		v[j] = e;
	}
}

static inline void
batch6_local(const struct lpm *t, const uint8_t (*a)[16], uint32_t *v)
{
	const uint32_t *root = t->root, *grp = t->grp;
	uint8_t idx[BULK];
	unsigned m = 0;

	for (unsigned j = 0; j < BULK; j++) {
		v[j] = root[lpm6_root_index(a[j], t->shift4)];
		idx[m] = (uint8_t)j;
		m += v[j] >> 31; /* still in a group */
	}
	for (unsigned b = t->root_bits / 8; m > 0 && b < 16; b++) {
		unsigned m2 = 0;

		for (unsigned k = 0; k < m; k++) {
			unsigned j = idx[k];
			uint32_t e = grp[(size_t)(v[j] & LPM_VALUE_MAX) << 8 |
					 a[j][b]];

			v[j] = e;
			idx[m2] = (uint8_t)j;
			m2 += e >> 31;
		}
		m = m2;
	}
}

static __rte_noinline void
pass_lpm4_local(const struct lpm *t, const struct addrs *a)
{
	uint32_t v[BULK];
	uint64_t s = 0;

	for (uint32_t i = 0; i + BULK <= a->n; i += BULK) {
		batch4_local(t, &a->ip4[i], v);
		s += fold(v);
	}
	sink += s;
}

static __rte_noinline void
pass_lpm6_local(const struct lpm *t, const struct addrs *a)
{
	uint32_t v[BULK];
	uint64_t s = 0;

	for (uint32_t i = 0; i + BULK <= a->n; i += BULK) {
		batch6_local(t, (const uint8_t(*)[16]) & a->ip6[i], v);
		s += fold(v);
	}
	sink += s;
}

/* The bench loops answer as lpm4/6_lookup for every address of a:
 * the number of disagreements. */
static size_t
check_local(int family, const struct lpm *t, const struct addrs *a)
{
	uint32_t v[BULK];
	size_t bad = 0;

	for (uint32_t i = 0; i + BULK <= a->n; i += BULK) {
		if (family == 4)
			batch4_local(t, &a->ip4[i], v);
		else
			batch6_local(t, (const uint8_t(*)[16]) & a->ip6[i], v);
		for (unsigned j = 0; j < BULK; j++)
			bad += v[j] !=
			       (family == 4 ? lpm4_lookup(t, a->ip4[i + j])
					    : lpm6_lookup(t, a->ip6[i + j]));
	}
	return bad;
}

static __rte_noinline void
pass_fib4_bulk(struct rte_fib *f, const struct addrs *a)
{
	uint64_t v[BULK], s = 0;

	for (uint32_t i = 0; i + BULK <= a->n; i += BULK) {
		rte_fib_lookup_bulk(f, &a->ip4[i], v, BULK);
		s += fold64(v);
	}
	sink += s;
}

static __rte_noinline void
pass_lpm6_bulk(const struct lpm *t, const struct addrs *a)
{
	uint32_t v[BULK];
	uint64_t s = 0;

	for (uint32_t i = 0; i + BULK <= a->n; i += BULK) {
		lpm6_lookup_bulk(t, (const uint8_t(*)[16]) & a->ip6[i], v,
				 BULK);
		s += fold(v);
	}
	sink += s;
}

static __rte_noinline void
pass_lpm6_one(const struct lpm *t, const struct addrs *a)
{
	uint32_t v[BULK];
	uint64_t s = 0;

	for (uint32_t i = 0; i + BULK <= a->n; i += BULK) {
		for (unsigned j = 0; j < BULK; j++)
			v[j] = lpm6_lookup(t, a->ip6[i + j]);
		s += fold(v);
	}
	sink += s;
}

static __rte_noinline void
pass_fib6_bulk(struct rte_fib6 *f, const struct addrs *a)
{
	uint64_t v[BULK], s = 0;

	for (uint32_t i = 0; i + BULK <= a->n; i += BULK) {
		rte_fib6_lookup_bulk(f, IXG_FIB6_ADDRS(&a->ip6[i]), v, BULK);
		s += fold64(v);
	}
	sink += s;
}

enum engine { E_LPM_BULK, E_LPM_ONE, E_LPM_PF, E_FIB_BULK, E_N };
static const char *const engine_name[E_N] = {"lpm bulk", "lpm single",
					     "bench loop", "rte_fib bulk"};

struct variant {
	char name[48];
	int family, full, uniform;
	enum engine e;
	const struct lpm *lpm;
	void *fib;
	const struct addrs *a;
	double cyc[MAX_ROUNDS];
	double med;
	int done;
};

static void
variant_pass(const struct variant *v)
{
	switch (v->e) {
	case E_LPM_BULK:
		if (v->family == 4)
			pass_lpm4_bulk(v->lpm, v->a);
		else
			pass_lpm6_bulk(v->lpm, v->a);
		break;
	case E_LPM_ONE:
		if (v->family == 4)
			pass_lpm4_one(v->lpm, v->a);
		else
			pass_lpm6_one(v->lpm, v->a);
		break;
	case E_LPM_PF:
		if (v->family == 4)
			pass_lpm4_local(v->lpm, v->a);
		else
			pass_lpm6_local(v->lpm, v->a);
		break;
	default:
		if (v->family == 4)
			pass_fib4_bulk(v->fib, v->a);
		else
			pass_fib6_bulk(v->fib, v->a);
		break;
	}
}

/* Every address of a answers the same in lpm and rte_fib; returns the
 * number of disagreements (the first few printed). */
static size_t
cross_check(int family, const struct lpm *t, void *fib, const struct addrs *a,
	    const char *what)
{
	uint32_t v[BULK];
	uint64_t w[BULK];
	size_t bad = 0;

	if (fib == NULL)
		return 0;
	for (uint32_t i = 0; i + BULK <= a->n; i += BULK) {
		if (family == 4) {
			lpm4_lookup_bulk(t, &a->ip4[i], v, BULK);
			rte_fib_lookup_bulk(fib, &a->ip4[i], w, BULK);
		} else {
			lpm6_lookup_bulk(t, (const uint8_t(*)[16]) & a->ip6[i],
					 v, BULK);
			rte_fib6_lookup_bulk(fib, IXG_FIB6_ADDRS(&a->ip6[i]), w,
					     BULK);
		}
		for (unsigned j = 0; j < BULK; j++) {
			if (v[j] == w[j] || ++bad > 5)
				continue;
			if (family == 4)
				fprintf(stderr,
					"%s: %u.%u.%u.%u lpm %u rte_fib "
					"%" PRIu64 "\n",
					what, a->ip4[i + j] >> 24,
					(a->ip4[i + j] >> 16) & 0xff,
					(a->ip4[i + j] >> 8) & 0xff,
					a->ip4[i + j] & 0xff, v[j], w[j]);
			else
				fprintf(stderr,
					"%s: IPv6 #%u lpm %u rte_fib %" PRIu64
					"\n",
					what, i + j, v[j], w[j]);
		}
	}
	return bad;
}

/* ------------------------------------------------------------------ */
/* Updates.                                                            */

/* A changed list: m/2 values changed, m/4 withdrawn, m/4 new
 * more-specifics (IPv4 down to /24 at most, IPv6 to /64). */
static void
list_change(const struct list *l, struct list *out, size_t m, uint64_t seed)
{
	struct fullspec_rng r;
	size_t n_add = m / 4, n_del = m / 4, n_chg = m - n_add - n_del;
	unsigned maxlen = l->family == 4 ? 24 : 64;

	fullspec_rng_seed(&r, seed);
	if (m <= 1) {
		n_chg = m;
		n_add = n_del = 0;
	}
	list_copy(out, l);
	if (l->family == 4) {
		out->k = realloc(out->k, (l->n + n_add + 1) * sizeof(*out->k));
		if (out->k == NULL)
			exit(1);
		for (size_t i = 0; i < l->n; i++) /* values back in the key */
			out->k[i] = (out->k[i] & LPM4_KEY_ID_MASK) | out->v[i];
	} else {
		out->p = realloc(out->p, (l->n + n_add + 1) * sizeof(*out->p));
		if (out->p == NULL)
			exit(1);
	}
	for (size_t c = 0; c < n_chg; c++) {
		size_t j = fullspec_rng_below(&r, (uint32_t)l->n);

		if (l->family == 4)
			out->k[j] = (out->k[j] & LPM4_KEY_ID_MASK) |
				    ((out->k[j] & 0xffff) % 4095 + 1);
		else
			out->p[j].nh = out->p[j].nh % 4095 + 1;
	}
	for (size_t c = 0, tries = 0; c < n_add && tries < 100 * m; tries++) {
		size_t j = fullspec_rng_below(&r, (uint32_t)l->n);
		unsigned len = plen(l, j), nl;

		if (len >= maxlen)
			continue;
		nl = len + 1 + fullspec_rng_below(&r, 4);
		if (nl > maxlen)
			nl = maxlen;
		if (l->family == 4) {
			uint32_t a = fullspec_addr4_in(&r,
						       lpm4_key_addr(l->k[j]),
						       (uint8_t)len) &
				     mask4(nl);

			out->k[out->n++] = LPM4_KEY(a, nl) |
					   (1 + fullspec_rng_below(&r, 4095));
		} else {
			struct fib_pfx6 *p = &out->p[out->n++];

			*p = l->p[j];
			fullspec_addr6_in(&r, l->p[j].addr, (uint8_t)len,
					  p->addr);
			mask6(p->addr, nl);
			p->len = (uint8_t)nl;
			p->idx = UINT32_MAX; /* wins over an existing one */
			p->nh = 1 + fullspec_rng_below(&r, 4095);
		}
		c++;
	}
	/* withdrawals: mark, then squeeze out after the sort */
	for (size_t c = 0; c < n_del; c++) {
		size_t j = fullspec_rng_below(&r, (uint32_t)l->n);

		if (l->family == 4)
			out->k[j] |= 1u << 25;
		else
			out->p[j].kind = 1;
	}
	if (l->family == 4) {
		size_t o = 0;

		list4_finish(out);
		for (size_t i = 0; i < out->n; i++)
			if (!(out->k[i] & (1u << 25))) {
				out->k[o] = out->k[i];
				out->v[o++] = out->v[i];
			}
		out->n = o;
	} else {
		size_t o = 0;

		list6_finish(out);
		for (size_t i = 0; i < out->n; i++)
			if (out->p[i].kind == 0)
				out->p[o++] = out->p[i];
		out->n = o;
	}
}

/* Prefixes whose value differs between sorted a and b (as lpm.h asks):
 * IPv4 keys into *k4 or IPv6 records into *p6; returns the count. */
static size_t
list_diff(const struct list *a, const struct list *b, uint64_t **k4,
	  struct fib_pfx6 **p6)
{
	size_t i = 0, j = 0, n = 0;

	if (a->family == 4)
		*k4 = xmalloc((a->n + b->n + 1) * sizeof(**k4));
	else
		*p6 = xmalloc((a->n + b->n + 1) * sizeof(**p6));
	while (i < a->n || j < b->n) {
		int c;

		if (i == a->n)
			c = 1;
		else if (j == b->n)
			c = -1;
		else if (a->family == 4)
			c = cmp_u64(&(uint64_t){a->k[i] >> 26},
				    &(uint64_t){b->k[j] >> 26});
		else {
			c = memcmp(a->p[i].addr, b->p[j].addr, 16);
			if (c == 0)
				c = (int)a->p[i].len - (int)b->p[j].len;
		}
		if (c < 0) {
			if (a->family == 4)
				(*k4)[n++] = a->k[i];
			else
				(*p6)[n++] = a->p[i];
			i++;
		} else if (c > 0) {
			if (a->family == 4)
				(*k4)[n++] = b->k[j];
			else
				(*p6)[n++] = b->p[j];
			j++;
		} else {
			uint32_t va = a->family == 4 ? a->v[i] : a->p[i].nh;
			uint32_t vb = a->family == 4 ? b->v[j] : b->p[j].nh;

			if (va != vb) {
				if (a->family == 4)
					(*k4)[n++] = b->k[j];
				else
					(*p6)[n++] = b->p[j];
			}
			i++;
			j++;
		}
	}
	return n;
}

/* Index of prefix (k4 or p6) in sorted l, or SIZE_MAX. */
static size_t
list_find(const struct list *l, uint64_t k4, const struct fib_pfx6 *p6)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c;

		if (l->family == 4)
			c = cmp_u64(&(uint64_t){l->k[mid] >> 26},
				    &(uint64_t){k4 >> 26});
		else {
			c = memcmp(l->p[mid].addr, p6->addr, 16);
			if (c == 0)
				c = (int)l->p[mid].len - (int)p6->len;
		}
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

struct upd_result {
	size_t m, n_ch;
	double lpm_ms[2][MAX_ROUNDS], lpm_cpu[2][MAX_ROUNDS];
	double fib_ms[2][MAX_ROUNDS], fib_cpu[2][MAX_ROUNDS];
	int fib_ok;
};

/* Bring lpm (and rte_fib) from `from` to `to`; times into [d][r]. */
static void
apply_update(struct tabs *t, const struct list *from, const struct list *to,
	     struct upd_result *u, int d, unsigned r)
{
	uint64_t *k4 = NULL;
	struct fib_pfx6 *p6 = NULL;
	size_t n_ch = list_diff(from, to, &k4, &p6), bad;
	double t0, c0;
	int rc;

	u->n_ch = n_ch;
	t0 = bench_now_ms();
	c0 = bench_cpu_ms();
	if (to->family == 4)
		rc = lpm_update4(t->lpm, to->k, to->v, to->n, k4, n_ch, &bad);
	else
		rc = lpm_update6(t->lpm, to->p, to->n, p6, n_ch, &bad);
	u->lpm_ms[d][r] = bench_now_ms() - t0;
	u->lpm_cpu[d][r] = bench_cpu_ms() - c0;
	if (rc < 0) {
		fprintf(stderr, "lpm_update%d of %zu changes: %s (bad %zu)\n",
			to->family, n_ch, strerror(-rc), bad);
		exit(1);
	}
	if (t->fib != NULL) {
		t0 = bench_now_ms();
		c0 = bench_cpu_ms();
		for (size_t i = 0; i < n_ch; i++) {
			size_t j = list_find(to, to->family == 4 ? k4[i] : 0,
					     to->family == 4 ? NULL : &p6[i]);

			if (to->family == 4)
				rc = j != SIZE_MAX
					     ? rte_fib_add(t->fib,
							   lpm4_key_addr(k4[i]),
							   lpm4_key_len(k4[i]),
							   to->v[j])
					     : rte_fib_delete(
						       t->fib,
						       lpm4_key_addr(k4[i]),
						       lpm4_key_len(k4[i]));
			else
				rc = j != SIZE_MAX
					     ? rte_fib6_add(t->fib,
							    IXG_FIB6_ADDR(
								    p6[i].addr),
							    p6[i].len,
							    to->p[j].nh)
					     : rte_fib6_delete(
						       t->fib,
						       IXG_FIB6_ADDR(
							       p6[i].addr),
						       p6[i].len);
			if (rc < 0) {
				fprintf(stderr, "rte_fib update: %s\n",
					strerror(-rc));
				exit(1);
			}
		}
		u->fib_ms[d][r] = bench_now_ms() - t0;
		u->fib_cpu[d][r] = bench_cpu_ms() - c0;
		u->fib_ok = 1;
	}
	free(k4);
	free(p6);
}

/* ------------------------------------------------------------------ */
/* One family of one table set.                                        */

static int first_json = 1;

/* Medians of the last run_family per family, for the IPv6/IPv4 ratios:
 * [family 4/6][engine lpm bulk / rte_fib bulk][uniform]. */
static double fam_med[2][2][2];

static void
json_sep(void)
{
	if (!first_json)
		fprintf(opt.json, ",\n");
	first_json = 0;
}

static int
run_family(const char *set, const struct list *full, const struct list *small)
{
	const int fam = full->family;
	struct tabs tf, ts;
	struct addrs a[2][2]; /* [full][uniform] */
	struct variant var[2 * 2 * E_N];
	unsigned nv = 0, rounds = opt.callgrind ? 1 : opt.rounds;
	static const size_t upd_sizes[] = {0, 1, 100, 10000};
	struct upd_result upd[4];
	unsigned n_upd = 0;
	size_t bad = 0;
	char fam_s[8];

	snprintf(fam_s, sizeof(fam_s), "IPv%d", fam);
	tabs_make(&tf, full, opt.callgrind ? 1 : rounds);
	tabs_make(&ts, small, 1);
	printf("\n== %s %s: %zu prefixes (16-route table: %zu)\n", set, fam_s,
	       full->n, small->n);
	printf("build   lpm     %8.1f ms (cpu %8.1f; lpm_create %.1f ms), "
	       "%6.2f M routes/s; %.1f MiB (lpm_bytes %.1f MiB, %u-bit root, "
	       "%u groups)\n",
	       tf.lpm_ms, tf.lpm_cpu, tf.lpm_create_ms,
	       full->n / tf.lpm_ms / 1e3, tf.lpm_heap / 1048576.0,
	       lpm_bytes(tf.lpm) / 1048576.0, tf.lpm->root_bits,
	       lpm_groups(tf.lpm));
	if (tf.fib != NULL)
		printf("build   rte_fib %8.1f ms (cpu %8.1f), %6.2f M "
		       "routes/s; "
		       "%.1f MiB; lpm/rte_fib: build time %.3f, memory %.3f\n",
		       tf.fib_ms, tf.fib_cpu, full->n / tf.fib_ms / 1e3,
		       tf.fib_heap / 1048576.0, tf.lpm_ms / tf.fib_ms,
		       (double)tf.lpm_heap / (double)tf.fib_heap);
	printf("16 routes: lpm %.1f MiB (%u-bit root), rte_fib %.1f MiB\n",
	       ts.lpm_heap / 1048576.0, ts.lpm->root_bits,
	       ts.fib_heap / 1048576.0);

	for (int f = 0; f < 2; f++)
		for (int u = 0; u < 2; u++)
			addrs_make(&a[f][u], f ? full : small, u, opt.addrs,
				   opt.seed * 4 + (uint64_t)(f * 2 + u));
	for (int f = 0; f < 2; f++)
		for (int u = 0; u < 2; u++) {
			struct tabs *t = f ? &tf : &ts;
			char what[64];

			snprintf(what, sizeof(what), "%s %s %s", fam_s,
				 f ? "full" : "16 routes",
				 u ? "uniform" : "table");
			bad += cross_check(fam, t->lpm, t->fib, &a[f][u], what);
			bad += check_local(fam, t->lpm, &a[f][u]);
			for (int e = 0; e < E_N; e++) {
				struct variant *v = &var[nv];

				if (e == E_FIB_BULK && t->fib == NULL)
					continue;
				memset(v, 0, sizeof(*v));
				snprintf(v->name, sizeof(v->name),
					 "%s %s %s %s", engine_name[e], fam_s,
					 f ? "full" : "16",
					 u ? "uniform" : "table");
				v->family = fam;
				v->full = f;
				v->uniform = u;
				v->e = (enum engine)e;
				v->lpm = t->lpm;
				v->fib = t->fib;
				v->a = &a[f][u];
				nv++;
			}
		}
	if (bad > 0) {
		fprintf(stderr,
			"lpm_bench: %s %s: lpm, rte_fib and the bench "
			"loop disagree on %zu addresses\n",
			set, fam_s, bad);
		return -1;
	}

	print_load("before lookups");
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned i = 0; i < nv; i++) {
			struct variant *v = &var[i];
			uint64_t t0;

			if (opt.callgrind) {
				CALLGRIND_ZERO_STATS;
				variant_pass(v);
				CALLGRIND_DUMP_STATS_AT(v->name);
				continue;
			}
			variant_pass(v); /* warm: table lines, addresses */
			t0 = rte_rdtsc();
			variant_pass(v);
			v->cyc[r] = (double)(rte_rdtsc() - t0) /
				    (v->a->n / BULK * BULK);
		}
	print_load("after lookups ");
	if (!opt.callgrind) {
		printf("lookup cycles/address (bulk %u, %u addresses, median "
		       "of %u rounds):\n",
		       BULK, opt.addrs, rounds);
		printf("  %-14s %10s %10s %10s %10s\n", "", "full tbl",
		       "full unif", "16r tbl", "16r unif");
		for (int e = 0; e < E_N; e++) {
			double m[2][2] = {{0}};

			for (unsigned i = 0; i < nv; i++)
				if (var[i].e == (enum engine)e) {
					var[i].med = median(var[i].cyc, rounds);
					m[var[i].full][var[i].uniform] =
						var[i].med;
				}
			if (e == E_LPM_BULK || e == E_FIB_BULK)
				for (int u = 0; u < 2; u++)
					fam_med[fam == 6][e == E_FIB_BULK][u] =
						m[1][u];
			if (m[1][0] == 0 && m[0][0] == 0)
				continue; /* not run for this family */
			printf("  %-14s %10.1f %10.1f %10.1f %10.1f\n",
			       engine_name[e], m[1][0], m[1][1], m[0][0],
			       m[0][1]);
		}
		for (unsigned i = 0; i < nv; i++)
			for (unsigned j = 0; j < nv; j++) {
				const struct variant *x = &var[i], *y = &var[j];

				if (x->e != E_LPM_BULK ||
				    x->uniform != y->uniform)
					continue;
				if (y->e == E_FIB_BULK && x->full == y->full)
					printf("  ratio lpm/rte_fib %s %-8s "
					       "%.3f\n",
					       x->full ? "full" : "16r ",
					       x->uniform ? "uniform" : "table",
					       x->med / y->med);
				if (y->e == E_LPM_BULK && x->full && !y->full)
					printf("  ratio full/16 routes (lpm) "
					       "%-8s %.3f\n",
					       x->uniform ? "uniform" : "table",
					       x->med / y->med);
			}
	}

	/* updates: forward to a changed list, then back; `rounds` different
	 * changes of each size, medians */
	for (unsigned s = 0; s < 4 && !opt.callgrind; s++) {
		struct upd_result *u = &upd[n_upd];
		double m[8];

		if (upd_sizes[s] > full->n / 4 + 1)
			continue;
		memset(u, 0, sizeof(*u));
		u->m = upd_sizes[s];
		for (unsigned r = 0; r < rounds; r++) {
			struct list nw;

			list_change(full, &nw, upd_sizes[s],
				    opt.seed * 1000 + s * 100 + r);
			apply_update(&tf, full, &nw, u, 0, r);
			bad += cross_check(fam, tf.lpm, tf.fib, &a[1][0],
					   "after update");
			apply_update(&tf, &nw, full, u, 1, r);
			bad += cross_check(fam, tf.lpm, tf.fib, &a[1][0],
					   "after reverse update");
			list_free(&nw);
		}
		m[0] = median(u->lpm_ms[0], rounds);
		m[1] = median(u->lpm_cpu[0], rounds);
		m[2] = median(u->lpm_ms[1], rounds);
		m[3] = median(u->fib_ms[0], rounds);
		m[4] = median(u->fib_cpu[0], rounds);
		m[5] = median(u->fib_ms[1], rounds);
		printf("update %5zu prefixes (diff %5zu): lpm %8.3f ms "
		       "(cpu %8.3f), back %8.3f",
		       u->m, u->n_ch, m[0], m[1], m[2]);
		if (u->fib_ok)
			printf("; rte_fib %8.3f ms (cpu %8.3f), back %8.3f; "
			       "lpm/rte_fib cpu %.2f",
			       m[3], m[4], m[5], m[1] / m[4]);
		printf("\n");
		n_upd++;
	}
	if (bad > 0) {
		fprintf(stderr,
			"lpm_bench: %s %s: lpm and rte_fib disagree "
			"after updates on %zu addresses\n",
			set, fam_s, bad);
		return -1;
	}
	printf("after updates: lpm %u groups, %.1f MiB, %u-bit root\n",
	       lpm_groups(tf.lpm), lpm_bytes(tf.lpm) / 1048576.0,
	       tf.lpm->root_bits);

	if (opt.json) {
		json_sep();
		fprintf(opt.json,
			"{\"set\": \"%s\", \"family\": %d, \"prefixes\": %zu, "
			"\"lpm_build_ms\": %.2f, \"lpm_build_cpu_ms\": %.2f, "
			"\"lpm_mib\": %.2f, \"lpm_groups\": %u, "
			"\"rte_fib_build_ms\": %.2f, \"rte_fib_mib\": %.2f, "
			"\"lookups\": {",
			set, fam, full->n, tf.lpm_ms, tf.lpm_cpu,
			tf.lpm_heap / 1048576.0, lpm_groups(tf.lpm), tf.fib_ms,
			tf.fib_heap / 1048576.0);
		for (unsigned i = 0; i < nv; i++)
			fprintf(opt.json, "%s\"%s\": %.2f", i ? ", " : "",
				var[i].name, var[i].med);
		fprintf(opt.json, "}, \"updates\": [");
		for (unsigned i = 0; i < n_upd; i++)
			fprintf(opt.json,
				"%s{\"prefixes\": %zu, \"diff\": %zu, "
				"\"lpm_ms\": %.3f, \"lpm_back_ms\": %.3f, "
				"\"rte_fib_ms\": %.3f, \"rte_fib_back_ms\": "
				"%.3f}",
				i ? ", " : "", upd[i].m, upd[i].n_ch,
				median(upd[i].lpm_ms[0], rounds),
				median(upd[i].lpm_ms[1], rounds),
				median(upd[i].fib_ms[0], rounds),
				median(upd[i].fib_ms[1], rounds));
		fprintf(opt.json, "]}");
	}

	for (int f = 0; f < 2; f++)
		for (int u = 0; u < 2; u++)
			addrs_free(&a[f][u]);
	tabs_free(&tf, fam);
	tabs_free(&ts, fam);
	return 0;
}

/* The per-family medians the summary compares across families. */
static int
run_set(const char *set, const struct ixg_spec *full,
	const struct ixg_spec *small)
{
	memset(fam_med, 0, sizeof(fam_med));
	for (int fam = 4; fam <= 6; fam += 2) {
		struct list lf, ls;
		int rc;

		if (opt.family != 0 && opt.family != fam)
			continue;
		list_from_spec(full, fam, &lf);
		list_from_spec(small, fam, &ls);
		rc = run_family(set, &lf, &ls);
		list_free(&lf);
		list_free(&ls);
		if (rc < 0)
			return rc;
	}
	if (opt.family == 0 && !opt.callgrind) {
		printf("\n%s: IPv6/IPv4 cycles, full table, bulk:", set);
		for (int e = 0; e < 2; e++)
			for (int u = 0; u < 2; u++)
				if (fam_med[0][e][u] > 0 &&
				    fam_med[1][e][u] > 0)
					printf("  %s %s %.3f",
					       e ? "rte_fib" : "lpm",
					       u ? "uniform" : "table",
					       fam_med[1][e][u] /
						       fam_med[0][e][u]);
		printf("\n");
	}
	return 0;
}

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [--seed N] [--scale F] [--config FILE] "
		"[--no-synthetic] [--rounds N] [--addrs N] [--no-rte-fib] "
		"[--family 4|6] [--callgrind] [--json FILE] [-- EAL args]\n",
		prog);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"seed", required_argument, NULL, 's'},
		{"scale", required_argument, NULL, 'x'},
		{"config", required_argument, NULL, 'c'},
		{"no-synthetic", no_argument, NULL, 'S'},
		{"rounds", required_argument, NULL, 'r'},
		{"addrs", required_argument, NULL, 'a'},
		{"no-rte-fib", no_argument, NULL, 'F'},
		{"callgrind", no_argument, NULL, 'g'},
		{"json", required_argument, NULL, 'j'},
		{"family", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *def[] = {argv[0],
		       "--in-memory",
		       "--no-pci",
		       "--no-telemetry",
		       "-l",
		       "0",
		       "--log-level=*:error",
		       NULL};
	struct fullspec_params p;
	struct ixg_spec full, small;
	int split, c, rc = 0;

	split = bench_eal_split(argc, argv);
	while ((c = getopt_long(split, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's': opt.seed = strtoull(optarg, NULL, 0); break;
		case 'x':
			opt.scale = strtod(optarg, NULL);
			if (!(opt.scale > 0 && opt.scale <= 1)) {
				fprintf(stderr, "--scale wants (0, 1]\n");
				return 2;
			}
			break;
		case 'c': opt.config = optarg; break;
		case 'S': opt.synthetic = 0; break;
		case 'r':
			opt.rounds = (unsigned)strtoul(optarg, NULL, 0);
			if (opt.rounds < 1 || opt.rounds > MAX_ROUNDS) {
				fprintf(stderr, "--rounds wants 1..%d\n",
					MAX_ROUNDS);
				return 2;
			}
			break;
		case 'a':
			opt.addrs = (uint32_t)strtoul(optarg, NULL, 0);
			if (opt.addrs < BULK) {
				fprintf(stderr, "--addrs wants at least %d\n",
					BULK);
				return 2;
			}
			break;
		case 'F': opt.rte_fib = 0; break;
		case 'g': opt.callgrind = 1; break;
		case 'j':
			opt.json = fopen(optarg, "w");
			if (opt.json == NULL) {
				perror(optarg);
				return 2;
			}
			break;
		case 'f':
			opt.family = atoi(optarg);
			if (opt.family != 4 && opt.family != 6) {
				fprintf(stderr, "--family wants 4 or 6\n");
				return 2;
			}
			break;
		default:
			usage(c == 'h' ? stdout : stderr, argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (opt.addrs == 0)
		opt.addrs = opt.callgrind ? 200000 : 1000000;
	if (bench_eal_init(argc, argv, split, def) < 0)
		return 1;
	printf("lpm_bench: seed %" PRIu64 ", scale %g, %u rounds, %u addresses"
	       " per set, TSC %" PRIu64 " Hz%s\n",
	       opt.seed, opt.scale, opt.rounds, opt.addrs, rte_get_tsc_hz(),
	       opt.callgrind ? ", callgrind mode" : "");
	print_load("at start");
	if (opt.json)
		fprintf(opt.json,
			"{\"bench\": \"lpm\", \"seed\": %" PRIu64
			", \"scale\": %g, \"rounds\": %u, \"addrs\": %u, "
			"\"tsc_hz\": %" PRIu64 ", \"runs\": [\n",
			opt.seed, opt.scale, opt.rounds, opt.addrs,
			rte_get_tsc_hz());

	fullspec_params_small(&p, opt.seed);
	if ((rc = fullspec_build(&p, &small)) < 0) {
		fprintf(stderr, "fullspec_build (small): %s\n", strerror(-rc));
		return 1;
	}
	if (opt.synthetic) {
		fullspec_params_full(&p, opt.seed);
		p.n_routes4 = (uint32_t)(p.n_routes4 * opt.scale);
		p.n_routes6 = (uint32_t)(p.n_routes6 * opt.scale);
		if ((rc = fullspec_build(&p, &full)) < 0) {
			fprintf(stderr, "fullspec_build: %s\n", strerror(-rc));
			return 1;
		}
		rc = run_set("synthetic", &full, &small);
		fullspec_free(&full);
	}
	if (rc == 0 && opt.config != NULL) {
		struct ixg_spec real;
		double t0 = bench_now_ms();

		if (ixg_conf_load(opt.config, &real, stderr) < 0)
			return 1;
		printf("\n%s: loaded in %.0f ms\n", opt.config,
		       bench_now_ms() - t0);
		rc = run_set(opt.config, &real, &small);
		ixg_spec_free(&real);
	}
	if (opt.json) {
		fprintf(opt.json, "\n]}\n");
		fclose(opt.json);
	}
	fullspec_free(&small);
	rte_eal_cleanup();
	return rc < 0 ? 1 : 0;
}
