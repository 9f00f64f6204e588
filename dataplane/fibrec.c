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

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_fib.h>
#include <rte_fib6.h>

#include "fib6_compat.h"
#include "fibrec.h"
#include "mono.h"

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

/*
 * The content a FIB is made to hold: IPv4 keys and next hops, or IPv6
 * records (fibrec.h); one flow below serves both families, the family
 * only decides how two entries compare and which rte_fib call applies.
 */
struct content {
	uint8_t family;
	size_t n;
	const uint64_t *k4; /* family 4: keys (caller bits ignored) */
	const uint32_t *nh4;
	const struct fib_pfx6 *p6; /* family 6 */
};

static inline uint32_t k4_addr(uint64_t k) { return (uint32_t)(k >> 32); }
static inline uint8_t k4_len(uint64_t k) { return (k >> 26) & 0x3f; }

static struct content
content_of(const struct fibrec *r)
{
	return (struct content){ .family = r->family, .n = r->n, .k4 = r->k4,
				 .nh4 = r->nh4, .p6 = r->p6 };
}

/* Order of r's entry i against c's entry j: identity only (prefix). */
static int
cmp_entry(const struct fibrec *r, size_t i, const struct content *c,
	  size_t j)
{
	if (r->family == 4) {
		uint64_t a = r->k4[i], b = c->k4[j] & K4_ID_MASK;

		return a < b ? -1 : a > b;
	} else {
		int d = memcmp(r->p6[i].addr, c->p6[j].addr, 16);

		if (d != 0)
			return d;
		return r->p6[i].len < c->p6[j].len ? -1 :
		       r->p6[i].len > c->p6[j].len;
	}
}

static bool
same_nh(const struct fibrec *r, size_t i, const struct content *c, size_t j)
{
	return r->family == 4 ? r->nh4[i] == c->nh4[j]
			      : r->p6[i].nh == c->p6[j].nh;
}

/* Insert c's entry j into r's FIB (or change its next hop). */
static int
fib_add(struct fibrec *r, const struct content *c, size_t j)
{
	if (r->family == 4)
		return rte_fib_add(r->fib, k4_addr(c->k4[j]), k4_len(c->k4[j]),
				   c->nh4[j]);
	return rte_fib6_add(r->fib, IXG_FIB6_ADDR(c->p6[j].addr),
			    c->p6[j].len, c->p6[j].nh);
}

/* Remove r's own entry i from its FIB. */
static int
fib_del(struct fibrec *r, size_t i)
{
	if (r->family == 4)
		return rte_fib_delete(r->fib, k4_addr(r->k4[i]),
				      k4_len(r->k4[i]));
	return rte_fib6_delete(r->fib, IXG_FIB6_ADDR(r->p6[i].addr),
			       r->p6[i].len);
}

/* Record c as r's content (identity bits of IPv4 keys). 0 or -ENOMEM. */
static int
set_content(struct fibrec *r, const struct content *c)
{
	size_t n = c->n;

	if (r->family == 4) {
		uint64_t *nk = malloc((n + 1) * sizeof(*nk));
		uint32_t *nn = malloc((n + 1) * sizeof(*nn));

		if (nk == NULL || nn == NULL) {
			free(nk);
			free(nn);
			return -ENOMEM;
		}
		for (size_t i = 0; i < n; i++)
			nk[i] = c->k4[i] & K4_ID_MASK;
		if (n > 0)
			memcpy(nn, c->nh4, n * sizeof(*nn));
		free(r->k4);
		free(r->nh4);
		r->k4 = nk;
		r->nh4 = nn;
	} else {
		struct fib_pfx6 *np = malloc((n + 1) * sizeof(*np));

		if (np == NULL)
			return -ENOMEM;
		if (n > 0)
			memcpy(np, c->p6, n * sizeof(*np));
		free(r->p6);
		r->p6 = np;
	}
	r->n = n;
	return 0;
}

/* Create the (empty) FIB of r with its max_routes, num_tbl8, nhsz. */
static int
fib_open(struct fibrec *r)
{
	size_t h0 = heap_used();
	char name[32];

	fib_name(name, sizeof(name), r->slot);
	if (r->family == 4) {
		struct rte_fib_conf conf = {
			.type = RTE_FIB_DIR24_8,
			.default_nh = 0,
			.max_routes = (int)r->max_routes,
			.dir24_8 = {
				.nh_sz = (enum rte_fib_dir24_8_nh_sz)r->nhsz,
				.num_tbl8 = r->num_tbl8,
			},
		};

		r->fib = rte_fib_create(name, SOCKET_ID_ANY, &conf);
	} else {
		struct rte_fib6_conf conf = {
			.type = RTE_FIB6_TRIE,
			.default_nh = 0,
			.max_routes = (int)r->max_routes,
			.trie = {
				.nh_sz = (enum rte_fib_trie_nh_sz)r->nhsz,
				.num_tbl8 = r->num_tbl8,
			},
		};

		r->fib = rte_fib6_create(name, SOCKET_ID_ANY, &conf);
	}
	r->bytes = heap_used() - h0;
	return r->fib == NULL ? -rte_errno : 0;
}

/* Size and create the FIB of a fresh record. */
static int
fib_create(struct fibrec *r, size_t n, uint32_t tbl8_need)
{
	int nhsz = r->req_nhsz;

	r->max_routes = with_room(n);
	r->num_tbl8 = with_room(tbl8_need);
	/* A tbl8 group index lives in a next-hop entry (one bit marks it):
	 * 1- and 2-byte next hops cannot address more than 2^(8*sz-1) - 1
	 * groups, so widen the next hop when the table needs more (country
	 * data files have many long IPv6 prefixes). */
	if (r->family == 4) {
		while (nhsz < RTE_FIB_DIR24_8_4B &&
		       r->num_tbl8 >= (1u << ((8u << nhsz) - 1)))
			nhsz++;
	} else if (nhsz == RTE_FIB6_TRIE_2B && r->num_tbl8 >= (1u << 15)) {
		nhsz = RTE_FIB6_TRIE_4B;
	}
	r->nhsz = nhsz;
	return fib_open(r);
}

/* Insert sorted content into an empty FIB; on failure *bad = index. */
static int
fill(struct fibrec *r, const struct content *c, size_t *bad)
{
	for (size_t j = 0; j < c->n; j++) {
		int rc = fib_add(r, c, j);

		if (rc < 0) {
			*bad = j;
			return rc;
		}
	}
	return 0;
}

/* Operations to turn r's content into c: deletes and adds. */
static void
count_diff(const struct fibrec *r, const struct content *c, uint32_t *adds,
	   uint32_t *dels)
{
	size_t i = 0, j = 0;

	*adds = *dels = 0;
	while (i < r->n || j < c->n) {
		int d = i >= r->n ? 1 : j >= c->n ? -1 : cmp_entry(r, i, c, j);

		if (d < 0) {
			(*dels)++;
			i++;
		} else if (d > 0) {
			(*adds)++;
			j++;
		} else {
			*adds += !same_nh(r, i, c, j);
			i++;
			j++;
		}
	}
}

/* Apply the diff: deletes first (they free tbl8 groups), then adds. */
static int
patch(struct fibrec *r, const struct content *c)
{
	size_t i = 0, j = 0;
	int rc;

	while (i < r->n) {
		int d = j >= c->n ? -1 : cmp_entry(r, i, c, j);

		if (d < 0 && (rc = fib_del(r, i)) < 0)
			return rc;
		i += d <= 0;
		j += d >= 0;
	}
	for (i = 0, j = 0; j < c->n;) {
		int d = i >= r->n ? 1 : cmp_entry(r, i, c, j);

		if (d < 0) {
			i++;
			continue;
		}
		if ((d > 0 || !same_nh(r, i, c, j)) &&
		    (rc = fib_add(r, c, j)) < 0)
			return rc;
		i += d == 0;
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

/* fibrec_make4 and fibrec_make6 (see fibrec.h). */
static struct fibrec *
make(enum fib_slot slot, int nhsz, const struct content *c,
     uint32_t tbl8_need, struct fibrec_stat *st, size_t *bad, int *rc)
{
	uint64_t t0 = ixg_mono_ns();
	struct fibrec_stat s = { .how = FIBREC_FRESH, .n = (uint32_t)c->n };
	struct fibrec *r = take_spare(slot);

	*bad = SIZE_MAX;
	if (r != NULL && r->family == c->family && r->req_nhsz == nhsz &&
	    r->max_routes >= c->n && r->num_tbl8 >= tbl8_need) {
		count_diff(r, c, &s.adds, &s.dels);
		if (worth_patching(s.adds, s.dels, c->n) && patch(r, c) == 0 &&
		    set_content(r, c) == 0) {
			s.how = FIBREC_PATCHED;
			goto done;
		}
	}
	/* No usable spare, too different, or the patch failed half-way:
	 * the spare is dropped (never published) and we build fresh. */
	rec_free(r);
	s.adds = (uint32_t)c->n;
	s.dels = 0;
	r = rec_new(slot, c->family, nhsz);
	if (r == NULL) {
		*rc = -ENOMEM;
		return NULL;
	}
	if ((*rc = fib_create(r, c->n, tbl8_need)) < 0 ||
	    (*rc = fill(r, c, bad)) < 0 || (*rc = set_content(r, c)) < 0) {
		rec_free(r);
		return NULL;
	}
done:
	s.ns = ixg_mono_ns() - t0;
	s.bytes = r->bytes;
	s.tbl8 = r->num_tbl8;
	if (st != NULL)
		*st = s;
	*rc = 0;
	return r;
}

struct fibrec *
fibrec_make4(enum fib_slot slot, int nhsz, const uint64_t *k,
	     const uint32_t *nh, size_t n, uint32_t tbl8_need,
	     struct fibrec_stat *st, size_t *bad, int *rc)
{
	struct content c = { .family = 4, .n = n, .k4 = k, .nh4 = nh };

	return make(slot, nhsz, &c, tbl8_need, st, bad, rc);
}

struct fibrec *
fibrec_make6(enum fib_slot slot, int nhsz, const struct fib_pfx6 *p,
	     size_t n, uint32_t tbl8_need, struct fibrec_stat *st,
	     size_t *bad, int *rc)
{
	struct content c = { .family = 6, .n = n, .p6 = p };

	return make(slot, nhsz, &c, tbl8_need, st, bad, rc);
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
	struct content c;
	struct fibrec *w;
	size_t bad;
	int rc;

	if (r == NULL || !spares_on || r->n < spare_min ||
	    spare[r->slot] != NULL)
		return 0;
	w = rec_new(r->slot, r->family, r->req_nhsz);
	if (w == NULL)
		return -ENOMEM;
	/* Same capacity as r: whatever patch fits r fits the copy. */
	w->max_routes = r->max_routes;
	w->num_tbl8 = r->num_tbl8;
	w->nhsz = r->nhsz;
	c = content_of(r);
	if ((rc = fib_open(w)) < 0 || (rc = fill(w, &c, &bad)) < 0 ||
	    (rc = set_content(w, &c)) < 0) {
		rec_free(w);
		return rc;
	}
	spare[r->slot] = w;
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
