/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fibrec.c - prefix FIBs with recorded content and one warm spare per
 * slot (see fibrec.h).
 *
 * Measured on the real table (564,579 IPv4 + 167,903 IPv6 routes, 64
 * peers), one peer's prefix file changed by one /24: see
 * bench/README-reload.md ("incremental commits").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_fib.h>
#include <rte_fib6.h>

#include "fib6_compat.h"
#include "fibrec.h"

#define K4_ID_MASK (~((1ull << FIBREC_K4_CALLER_BITS) - 1))

struct fibrec {
	enum fib_slot slot;
	size_t bytes; /* rte_malloc heap taken by the FIB (tables + RIB) */
	uint8_t family;
	int req_nhsz; /* as asked by the caller, before widening */
	int nhsz;
	uint32_t max_routes, num_tbl8;
	void *fib;
	size_t n;
	uint64_t *k4; /* IPv4: identity bits only */
	uint32_t *nh4;
	struct fib_pfx6 *p6; /* IPv6 */
};

static struct fibrec *spare[FIB_SLOTS];
static bool spares_on;
/*
 * Smaller FIBs get no spare: building one from scratch takes milliseconds
 * (its fixed 64 MiB tbl24 costs a memset), while a spare would hold that
 * 64 MiB for nothing: config/demo.conf's six small FIBs are 352 MiB.
 */
static size_t spare_min = 4096;
static unsigned long n_live;
static unsigned name_seq;

static const char *const slot_names[FIB_SLOTS] = {
	[FIB_ROUTE4] = "route4",     [FIB_ROUTE6] = "route6",
	[FIB_SAV4] = "sav4",         [FIB_SAV6] = "sav6",
	[FIB_COUNTRY4] = "country4", [FIB_COUNTRY6] = "country6",
};

const char *
fibrec_slot_name(enum fib_slot slot)
{
	return (unsigned)slot < FIB_SLOTS ? slot_names[slot] : "?";
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
rec_free(struct fibrec *r)
{
	if (r == NULL)
		return;
	if (r->family == 4)
		rte_fib_free(r->fib);
	else
		rte_fib6_free(r->fib);
	free(r->k4);
	free(r->nh4);
	free(r->p6);
	free(r);
	n_live--;
}

/* Headroom of a fresh build for later patches: 1/16 more, at least 64. */
static uint32_t
with_room(size_t n)
{
	uint64_t v = (uint64_t)n + n / 16 + 64;

	return v > INT32_MAX ? INT32_MAX : (uint32_t)v;
}

/* Record the content (identity bits of IPv4 keys). 0 or -ENOMEM. */
static int
rec_set_content4(struct fibrec *r, const uint64_t *k, const uint32_t *nh,
		 size_t n)
{
	uint64_t *nk = malloc((n + 1) * sizeof(*nk));
	uint32_t *nn = malloc((n + 1) * sizeof(*nn));

	if (nk == NULL || nn == NULL) {
		free(nk);
		free(nn);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		nk[i] = k[i] & K4_ID_MASK;
	if (n > 0)
		memcpy(nn, nh, n * sizeof(*nn));
	free(r->k4);
	free(r->nh4);
	r->k4 = nk;
	r->nh4 = nn;
	r->n = n;
	return 0;
}

static int
rec_set_content6(struct fibrec *r, const struct fib_pfx6 *p, size_t n)
{
	struct fib_pfx6 *np = malloc((n + 1) * sizeof(*np));

	if (np == NULL)
		return -ENOMEM;
	if (n > 0)
		memcpy(np, p, n * sizeof(*np));
	free(r->p6);
	r->p6 = np;
	r->n = n;
	return 0;
}

static struct fibrec *
rec_new(enum fib_slot slot, uint8_t family, int req_nhsz)
{
	struct fibrec *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->slot = slot;
	r->family = family;
	r->req_nhsz = req_nhsz;
	n_live++;
	return r;
}

/* rte_malloc heap in use, all sockets: a FIB's size is the growth
 * across its creation (rte_fib does not say). */
static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats st;
	size_t sum = 0;

	for (int s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (rte_malloc_get_socket_stats(s, &st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

static void
fib_name(char *buf, size_t len, enum fib_slot slot)
{
	static const char *const tag[FIB_SLOTS] = { "r4", "r6", "s4",
						    "s6", "c4", "c6" };

	snprintf(buf, len, "%s_%u", tag[slot], ++name_seq);
}

/* ------------------------------------------------------------------ */
/* IPv4                                                               */

static inline uint32_t k4_addr(uint64_t k) { return (uint32_t)(k >> 32); }
static inline uint8_t k4_len(uint64_t k) { return (k >> 26) & 0x3f; }

/* Create the (empty) rte_fib of r with its max_routes, num_tbl8, nhsz. */
static int
open4(struct fibrec *r)
{
	struct rte_fib_conf conf = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = 0,
		.max_routes = (int)r->max_routes,
		.dir24_8 = {
			.nh_sz = (enum rte_fib_dir24_8_nh_sz)r->nhsz,
			.num_tbl8 = r->num_tbl8,
		},
	};
	char name[32];

	size_t h0 = heap_used();

	fib_name(name, sizeof(name), r->slot);
	r->fib = rte_fib_create(name, SOCKET_ID_ANY, &conf);
	r->bytes = heap_used() - h0;
	return r->fib == NULL ? -rte_errno : 0;
}

/* Size and create the rte_fib of a fresh IPv4 record. */
static int
create4(struct fibrec *r, size_t n, uint32_t tbl8_need)
{
	int nhsz = r->req_nhsz;

	r->max_routes = with_room(n);
	r->num_tbl8 = with_room(tbl8_need);
	/* A tbl8 group index lives in a next-hop entry (one bit marks it):
	 * 1- and 2-byte next hops cannot address more than 2^(8*sz-1) - 1
	 * groups, so widen the next hop when the table needs more. */
	while (nhsz < RTE_FIB_DIR24_8_4B &&
	       r->num_tbl8 >= (1u << ((8u << nhsz) - 1)))
		nhsz++;
	r->nhsz = nhsz;
	return open4(r);
}

/* Insert sorted content into an empty FIB; on failure *bad = index. */
static int
fill4(struct fibrec *r, const uint64_t *k, const uint32_t *nh, size_t n,
      size_t *bad)
{
	for (size_t i = 0; i < n; i++) {
		int rc = rte_fib_add(r->fib, k4_addr(k[i]), k4_len(k[i]), nh[i]);

		if (rc < 0) {
			*bad = i;
			return rc;
		}
	}
	return 0;
}

/* Operations to turn r's content into (k, nh, n): deletes and adds. */
static void
count_diff4(const struct fibrec *r, const uint64_t *k, const uint32_t *nh,
	    size_t n, uint32_t *adds, uint32_t *dels)
{
	size_t i = 0, j = 0;

	*adds = *dels = 0;
	while (i < r->n || j < n) {
		uint64_t a = i < r->n ? r->k4[i] : UINT64_MAX;
		uint64_t b = j < n ? k[j] & K4_ID_MASK : UINT64_MAX;

		if (i < r->n && (j >= n || a < b)) {
			(*dels)++;
			i++;
		} else if (j < n && (i >= r->n || b < a)) {
			(*adds)++;
			j++;
		} else {
			*adds += r->nh4[i] != nh[j];
			i++;
			j++;
		}
	}
}

/* Apply the diff: deletes first (they free tbl8 groups), then adds. */
static int
patch4(struct fibrec *r, const uint64_t *k, const uint32_t *nh, size_t n)
{
	size_t i = 0, j = 0;
	int rc;

	while (i < r->n) {
		uint64_t b = j < n ? k[j] & K4_ID_MASK : UINT64_MAX;

		if (j >= n || r->k4[i] < b) {
			rc = rte_fib_delete(r->fib, k4_addr(r->k4[i]),
					    k4_len(r->k4[i]));
			if (rc < 0)
				return rc;
			i++;
		} else if (b < r->k4[i]) {
			j++;
		} else {
			i++;
			j++;
		}
	}
	for (i = 0, j = 0; j < n;) {
		uint64_t b = k[j] & K4_ID_MASK;

		if (i < r->n && r->k4[i] < b) {
			i++;
			continue;
		}
		if (i >= r->n || b < r->k4[i] || r->nh4[i] != nh[j]) {
			rc = rte_fib_add(r->fib, k4_addr(b), k4_len(b), nh[j]);
			if (rc < 0)
				return rc;
		}
		if (i < r->n && r->k4[i] == b)
			i++;
		j++;
	}
	return 0;
}

/*
 * Patch when the difference is under half the new content. A patch
 * operation costs about 1.5 adds of a fresh build (RIB exact lookup first,
 * no sequential locality): on the 1.2M-route bench table, every next hop
 * changed took 331 ms patched vs 229 ms built fresh (commit_bench, CPU
 * time, route4), the fresh build including its 64 MiB tbl24 memset.
 */
static bool
worth_patching(uint32_t adds, uint32_t dels, size_t n)
{
	return 2 * ((uint64_t)adds + dels) < n;
}

static struct fibrec *
take_spare(enum fib_slot slot)
{
	struct fibrec *r = spare[slot];

	spare[slot] = NULL;
	return r;
}

struct fibrec *
fibrec_make4(enum fib_slot slot, int nhsz, const uint64_t *k,
	     const uint32_t *nh, size_t n, uint32_t tbl8_need,
	     struct fibrec_stat *st, size_t *bad, int *rc)
{
	uint64_t t0 = now_ns();
	struct fibrec_stat s = { .how = FIBREC_FRESH, .n = (uint32_t)n };
	struct fibrec *r = take_spare(slot);

	*bad = SIZE_MAX;
	if (r != NULL && r->family == 4 && r->req_nhsz == nhsz &&
	    r->max_routes >= n && r->num_tbl8 >= tbl8_need) {
		count_diff4(r, k, nh, n, &s.adds, &s.dels);
		if (worth_patching(s.adds, s.dels, n) &&
		    patch4(r, k, nh, n) == 0 &&
		    rec_set_content4(r, k, nh, n) == 0) {
			s.how = FIBREC_PATCHED;
			goto done;
		}
	}
	/* No usable spare, too different, or the patch failed half-way:
	 * the spare is dropped (never published) and we build fresh. */
	rec_free(r);
	s.adds = (uint32_t)n;
	s.dels = 0;
	r = rec_new(slot, 4, nhsz);
	if (r == NULL) {
		*rc = -ENOMEM;
		return NULL;
	}
	if ((*rc = create4(r, n, tbl8_need)) < 0 ||
	    (*rc = fill4(r, k, nh, n, bad)) < 0 ||
	    (*rc = rec_set_content4(r, k, nh, n)) < 0) {
		rec_free(r);
		return NULL;
	}
done:
	s.ns = now_ns() - t0;
	s.bytes = r->bytes;
	s.tbl8 = r->num_tbl8;
	if (st != NULL)
		*st = s;
	*rc = 0;
	return r;
}

/* ------------------------------------------------------------------ */
/* IPv6                                                               */

static int
cmp6(const struct fib_pfx6 *a, const struct fib_pfx6 *b)
{
	int c = memcmp(a->addr, b->addr, 16);

	if (c != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

static int
open6(struct fibrec *r)
{
	struct rte_fib6_conf conf = {
		.type = RTE_FIB6_TRIE,
		.default_nh = 0,
		.max_routes = (int)r->max_routes,
		.trie = {
			.nh_sz = (enum rte_fib_trie_nh_sz)r->nhsz,
			.num_tbl8 = r->num_tbl8,
		},
	};
	char name[32];

	size_t h0 = heap_used();

	fib_name(name, sizeof(name), r->slot);
	r->fib = rte_fib6_create(name, SOCKET_ID_ANY, &conf);
	r->bytes = heap_used() - h0;
	return r->fib == NULL ? -rte_errno : 0;
}

static int
create6(struct fibrec *r, size_t n, uint32_t tbl8_need)
{
	int nhsz = r->req_nhsz;

	r->max_routes = with_room(n);
	r->num_tbl8 = with_room(tbl8_need);
	/* As for IPv4: a 2-byte next hop addresses at most 2^15 - 1 tbl8
	 * groups (country data files have many long IPv6 prefixes). */
	if (nhsz == RTE_FIB6_TRIE_2B && r->num_tbl8 >= (1u << 15))
		nhsz = RTE_FIB6_TRIE_4B;
	r->nhsz = nhsz;
	return open6(r);
}

static int
fill6(struct fibrec *r, const struct fib_pfx6 *p, size_t n, size_t *bad)
{
	for (size_t i = 0; i < n; i++) {
		int rc = rte_fib6_add(r->fib, IXG_FIB6_ADDR(p[i].addr),
				      p[i].len, p[i].nh);

		if (rc < 0) {
			*bad = i;
			return rc;
		}
	}
	return 0;
}

static void
count_diff6(const struct fibrec *r, const struct fib_pfx6 *p, size_t n,
	    uint32_t *adds, uint32_t *dels)
{
	size_t i = 0, j = 0;

	*adds = *dels = 0;
	while (i < r->n || j < n) {
		int c = i >= r->n ? 1 : j >= n ? -1 : cmp6(&r->p6[i], &p[j]);

		if (c < 0) {
			(*dels)++;
			i++;
		} else if (c > 0) {
			(*adds)++;
			j++;
		} else {
			*adds += r->p6[i].nh != p[j].nh;
			i++;
			j++;
		}
	}
}

static int
patch6(struct fibrec *r, const struct fib_pfx6 *p, size_t n)
{
	size_t i = 0, j = 0;
	int rc;

	while (i < r->n) {
		int c = j >= n ? -1 : cmp6(&r->p6[i], &p[j]);

		if (c < 0) {
			rc = rte_fib6_delete(r->fib, IXG_FIB6_ADDR(r->p6[i].addr),
					     r->p6[i].len);
			if (rc < 0)
				return rc;
			i++;
		} else if (c > 0) {
			j++;
		} else {
			i++;
			j++;
		}
	}
	for (i = 0, j = 0; j < n;) {
		int c = i >= r->n ? 1 : cmp6(&r->p6[i], &p[j]);

		if (c < 0) {
			i++;
			continue;
		}
		if (c > 0 || r->p6[i].nh != p[j].nh) {
			rc = rte_fib6_add(r->fib, IXG_FIB6_ADDR(p[j].addr),
					  p[j].len, p[j].nh);
			if (rc < 0)
				return rc;
		}
		if (c == 0)
			i++;
		j++;
	}
	return 0;
}

struct fibrec *
fibrec_make6(enum fib_slot slot, int nhsz, const struct fib_pfx6 *p,
	     size_t n, uint32_t tbl8_need, struct fibrec_stat *st,
	     size_t *bad, int *rc)
{
	uint64_t t0 = now_ns();
	struct fibrec_stat s = { .how = FIBREC_FRESH, .n = (uint32_t)n };
	struct fibrec *r = take_spare(slot);

	*bad = SIZE_MAX;
	if (r != NULL && r->family == 6 && r->req_nhsz == nhsz &&
	    r->max_routes >= n && r->num_tbl8 >= tbl8_need) {
		count_diff6(r, p, n, &s.adds, &s.dels);
		if (worth_patching(s.adds, s.dels, n) && patch6(r, p, n) == 0 &&
		    rec_set_content6(r, p, n) == 0) {
			s.how = FIBREC_PATCHED;
			goto done;
		}
	}
	rec_free(r);
	s.adds = (uint32_t)n;
	s.dels = 0;
	r = rec_new(slot, 6, nhsz);
	if (r == NULL) {
		*rc = -ENOMEM;
		return NULL;
	}
	if ((*rc = create6(r, n, tbl8_need)) < 0 ||
	    (*rc = fill6(r, p, n, bad)) < 0 ||
	    (*rc = rec_set_content6(r, p, n)) < 0) {
		rec_free(r);
		return NULL;
	}
done:
	s.ns = now_ns() - t0;
	s.bytes = r->bytes;
	s.tbl8 = r->num_tbl8;
	if (st != NULL)
		*st = s;
	*rc = 0;
	return r;
}

/* ------------------------------------------------------------------ */

void *
fibrec_fib(const struct fibrec *r)
{
	return r == NULL ? NULL : r->fib;
}

void
fibrec_retire(struct fibrec *r)
{
	if (r == NULL)
		return;
	if (!spares_on || r->n < spare_min) {
		rec_free(r);
		return;
	}
	rec_free(spare[r->slot]);
	spare[r->slot] = r;
}

int
fibrec_warm(const struct fibrec *r)
{
	struct fibrec *c;
	size_t bad;
	int rc;

	if (r == NULL || !spares_on || r->n < spare_min ||
	    spare[r->slot] != NULL)
		return 0;
	c = rec_new(r->slot, r->family, r->req_nhsz);
	if (c == NULL)
		return -ENOMEM;
	/* Same capacity as r: whatever patch fits r fits the copy. */
	c->max_routes = r->max_routes;
	c->num_tbl8 = r->num_tbl8;
	c->nhsz = r->nhsz;
	if (r->family == 4) {
		if ((rc = open4(c)) == 0 &&
		    (rc = fill4(c, r->k4, r->nh4, r->n, &bad)) == 0)
			rc = rec_set_content4(c, r->k4, r->nh4, r->n);
	} else {
		if ((rc = open6(c)) == 0 &&
		    (rc = fill6(c, r->p6, r->n, &bad)) == 0)
			rc = rec_set_content6(c, r->p6, r->n);
	}
	if (rc < 0) {
		rec_free(c);
		return rc;
	}
	spare[r->slot] = c;
	return 1;
}

void
fibrec_set_spares(bool on)
{
	spares_on = on;
	if (!on)
		fibrec_drop_spares();
}

void
fibrec_set_spare_min(size_t n)
{
	spare_min = n;
}

bool
fibrec_spares_on(void)
{
	return spares_on;
}

unsigned
fibrec_spares(void)
{
	unsigned n = 0;

	for (unsigned s = 0; s < FIB_SLOTS; s++)
		n += spare[s] != NULL;
	return n;
}

void
fibrec_drop_spares(void)
{
	for (unsigned s = 0; s < FIB_SLOTS; s++) {
		rec_free(spare[s]);
		spare[s] = NULL;
	}
}

size_t
fibrec_spare_bytes(void)
{
	size_t sum = 0;

	for (unsigned s = 0; s < FIB_SLOTS; s++)
		sum += spare[s] != NULL ? spare[s]->bytes : 0;
	return sum;
}

unsigned long
fibrec_live(void)
{
	return n_live;
}
