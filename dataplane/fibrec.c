/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fibrec.c - prefix FIBs with recorded content and one warm spare per
 * slot (see fibrec.h).
 *
 * Measured on the real table (564,579 IPv4 + 167,903 IPv6 routes, 64
 * peers), one peer's prefix file changed by one /24: see
 * bench/README-reload.md ("Painted FIBs").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fibrec.h"
#include "lpm.h"
#include "mono.h"

#define K4_ID_MASK LPM4_KEY_ID_MASK

struct fibrec {
	enum fib_slot slot;
	uint8_t family;
	struct lpm *lpm;
	/* The content (fibrec.h), never changed once set: records holding
	 * the same arrays share them (refs counts them). */
	size_t n;
	uint64_t *k4; /* IPv4: identity bits only */
	uint32_t *nh4;
	struct fib_pfx6 *p6; /* IPv6 */
	unsigned *refs;
	uint64_t lens[3]; /* lengths the content may hold (a superset) */
	/* Which content: a spare brought up to a live FIB's content takes
	 * its serial, so it is not brought up again. */
	uint64_t serial;
	/* Made by fibrec_splice* from the content of serial from_serial by
	 * repainting the ranges ch[0..n_ch) (keys or records): the FIB of
	 * that serial, parked as the spare, is brought here by the same
	 * ranges (fibrec_warm), without a diff of the contents. */
	uint64_t from_serial;
	void *ch;
	size_t n_ch;
};

static struct fibrec *spare[FIB_SLOTS];
static uint64_t next_serial;
static bool spares_on;
/*
 * Smaller FIBs get no spare: building one from scratch takes milliseconds
 * (its fixed 64 MiB tbl24 costs a memset), while a spare would hold that
 * 64 MiB for nothing: config/demo.conf's six small FIBs are 352 MiB.
 */
static size_t spare_min = 4096;
static unsigned long n_live;

static const char *const slot_names[FIB_SLOTS] = {
	[FIB_ROUTE4] = "route4",     [FIB_ROUTE6] = "route6",
	[FIB_SAV4] = "sav4",	     [FIB_SAV6] = "sav6",
	[FIB_COUNTRY4] = "country4", [FIB_COUNTRY6] = "country6",
};

const char *
fibrec_slot_name(enum fib_slot slot)
{
	return (unsigned)slot < FIB_SLOTS ? slot_names[slot] : "?";
}

/* Let go of r's content arrays (freed with their last record). */
static void
content_release(struct fibrec *r)
{
	if (r->refs != NULL && --*r->refs == 0) {
		free(r->k4);
		free(r->nh4);
		free(r->p6);
		free(r->refs);
	}
	r->refs = NULL;
	r->k4 = NULL;
	r->nh4 = NULL;
	r->p6 = NULL;
	r->n = 0;
}

/* r holds the content of src from now on (shared, not copied). */
static void
content_share(struct fibrec *r, const struct fibrec *src)
{
	content_release(r);
	r->n = src->n;
	r->k4 = src->k4;
	r->nh4 = src->nh4;
	r->p6 = src->p6;
	r->refs = src->refs;
	memcpy(r->lens, src->lens, sizeof(r->lens));
	if (r->refs != NULL)
		(*r->refs)++;
}

static void
forget_ranges(struct fibrec *r)
{
	free(r->ch);
	r->ch = NULL;
	r->n_ch = 0;
	r->from_serial = 0;
}

static void
rec_free(struct fibrec *r)
{
	if (r == NULL)
		return;
	lpm_free(r->lpm);
	content_release(r);
	forget_ranges(r);
	free(r);
	n_live--;
}

static struct fibrec *
rec_new(enum fib_slot slot, uint8_t family)
{
	struct fibrec *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->slot = slot;
	r->family = family;
	n_live++;
	return r;
}

/*
 * The content a FIB is made to hold: IPv4 keys and next hops, or IPv6
 * records (fibrec.h); one flow below serves both families, the family
 * only decides how two entries compare and which lpm call applies.
 */
struct content {
	uint8_t family;
	size_t n;
	const uint64_t *k4; /* family 4: keys (caller bits ignored) */
	const uint32_t *nh4;
	const struct fib_pfx6 *p6; /* family 6 */
};

static struct content
content_of(const struct fibrec *r)
{
	return (struct content){.family = r->family,
				.n = r->n,
				.k4 = r->k4,
				.nh4 = r->nh4,
				.p6 = r->p6};
}

/* Order of r's entry i against c's entry j: identity only (prefix). */
static int
cmp_entry(const struct fibrec *r, size_t i, const struct content *c, size_t j)
{
	if (r->family == 4) {
		uint64_t a = r->k4[i], b = c->k4[j] & K4_ID_MASK;

		return a < b ? -1 : a > b;
	} else {
		int d = memcmp(r->p6[i].addr, c->p6[j].addr, 16);

		if (d != 0)
			return d;
		return r->p6[i].len < c->p6[j].len
			       ? -1
			       : r->p6[i].len > c->p6[j].len;
	}
}

static bool
same_nh(const struct fibrec *r, size_t i, const struct content *c, size_t j)
{
	return r->family == 4 ? r->nh4[i] == c->nh4[j]
			      : r->p6[i].nh == c->p6[j].nh;
}

/* Record c as r's content (identity bits of IPv4 keys), in arrays of
 * its own. 0 or -ENOMEM. */
static int
set_content(struct fibrec *r, const struct content *c)
{
	size_t n = c->n;
	unsigned *refs = malloc(sizeof(*refs));
	uint64_t lens[3] = {0, 0, 0};

	if (refs == NULL)
		return -ENOMEM;
	if (r->family == 4) {
		uint64_t *nk = malloc((n + 1) * sizeof(*nk));
		uint32_t *nn = malloc((n + 1) * sizeof(*nn));

		if (nk == NULL || nn == NULL) {
			free(nk);
			free(nn);
			free(refs);
			return -ENOMEM;
		}
		for (size_t i = 0; i < n; i++) {
			nk[i] = c->k4[i] & K4_ID_MASK;
			lens[0] |= UINT64_C(1) << lpm4_key_len(nk[i]);
		}
		if (n > 0)
			memcpy(nn, c->nh4, n * sizeof(*nn));
		content_release(r);
		r->k4 = nk;
		r->nh4 = nn;
	} else {
		struct fib_pfx6 *np = malloc((n + 1) * sizeof(*np));

		if (np == NULL) {
			free(refs);
			return -ENOMEM;
		}
		if (n > 0)
			memcpy(np, c->p6, n * sizeof(*np));
		for (size_t i = 0; i < n; i++)
			lens[np[i].len / 64 % 3] |= UINT64_C(1)
						    << (np[i].len % 64);
		content_release(r);
		r->p6 = np;
	}
	*refs = 1;
	r->refs = refs;
	r->n = n;
	memcpy(r->lens, lens, sizeof(lens));
	return 0;
}

/* A fresh table holding c. 0 or negative errno (*bad: failing entry). */
static int
fresh(struct fibrec *r, const struct content *c, size_t *bad)
{
	int rc = lpm_create(&r->lpm, r->family, 0);

	if (rc < 0)
		return rc;
	if (r->family == 4)
		return lpm_build4(r->lpm, c->k4, c->nh4, c->n, bad);
	return lpm_build6(r->lpm, c->p6, c->n, bad);
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

/*
 * Apply the diff: every prefix added, removed or given another next hop
 * is repainted from c (lpm_update*). The changed prefixes are gathered
 * first (n_ch of them, counted by count_diff).
 */
static int
patch(struct fibrec *r, const struct content *c, size_t n_ch)
{
	uint64_t *ck = NULL;
	struct fib_pfx6 *cp = NULL;
	size_t i = 0, j = 0, m = 0, bad;
	int rc;

	if (r->family == 4)
		ck = malloc((n_ch + 1) * sizeof(*ck));
	else
		cp = malloc((n_ch + 1) * sizeof(*cp));
	if (ck == NULL && cp == NULL)
		return -ENOMEM;
	while ((i < r->n || j < c->n) && m < n_ch) {
		int d = i >= r->n ? 1 : j >= c->n ? -1 : cmp_entry(r, i, c, j);

		if (d < 0) { /* removed: r's entry i */
			if (ck != NULL)
				ck[m++] = r->k4[i];
			else
				cp[m++] = r->p6[i];
		} else if (d > 0 || !same_nh(r, i, c, j)) { /* c's entry j */
			if (ck != NULL)
				ck[m++] = c->k4[j];
			else
				cp[m++] = c->p6[j];
		}
		i += d <= 0;
		j += d >= 0;
	}
	if (ck != NULL)
		rc = lpm_update4(r->lpm, c->k4, c->nh4, c->n, ck, m, &bad);
	else
		rc = lpm_update6(r->lpm, c->p6, c->n, cp, m, &bad);
	free(ck);
	free(cp);
	return rc;
}

/*
 * Patch when the difference is small against the content. A patch
 * repaints each changed prefix's range from the new content after finding
 * its cover (one binary search per prefix length present), ~2-3 us per
 * prefix; a fresh build paints every prefix once plus the root fill:
 * lpm_bench on the synthetic table, CPU time, 1.2M IPv4 prefixes built in
 * 36 ms vs 10k changed ones patched in 18 ms; 300k IPv6 built in 54 ms vs
 * 10k patched in 34 ms. Patching pays up to about n / 64 changes.
 */
static unsigned patch_ratio = 64;

static bool
worth_patching(uint32_t adds, uint32_t dels, size_t n)
{
	uint64_t ops = (uint64_t)adds + dels;

	return ops <= 64 || ops * patch_ratio < n;
}

void
fibrec_set_patch_ratio(unsigned r)
{
	patch_ratio = r > 0 ? r : 64;
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
make(enum fib_slot slot, const struct content *c, struct fibrec_stat *st,
     size_t *bad, int *rc)
{
	uint64_t t0 = ixg_mono_ns();
	struct fibrec_stat s = {.how = FIBREC_FRESH, .n = (uint32_t)c->n};
	struct fibrec *r = take_spare(slot);

	*bad = SIZE_MAX;
	if (r != NULL && r->family == c->family) {
		count_diff(r, c, &s.adds, &s.dels);
		if (worth_patching(s.adds, s.dels, c->n) &&
		    patch(r, c, (size_t)s.adds + s.dels) == 0 &&
		    set_content(r, c) == 0) {
			s.how = FIBREC_PATCHED;
			forget_ranges(r);
			goto done;
		}
	}
	/* No spare, too different, or the patch failed half-way: the spare
	 * is dropped (never published) and we build fresh. */
	rec_free(r);
	s.adds = (uint32_t)c->n;
	s.dels = 0;
	r = rec_new(slot, c->family);
	if (r == NULL) {
		*rc = -ENOMEM;
		return NULL;
	}
	if ((*rc = fresh(r, c, bad)) < 0 || (*rc = set_content(r, c)) < 0) {
		rec_free(r);
		return NULL;
	}
done:
	r->serial = ++next_serial;
	s.ns = ixg_mono_ns() - t0;
	s.bytes = lpm_bytes(r->lpm);
	s.groups = lpm_groups(r->lpm);
	if (st != NULL)
		*st = s;
	*rc = 0;
	return r;
}

struct fibrec *
fibrec_make4(enum fib_slot slot, const uint64_t *k, const uint32_t *nh,
	     size_t n, struct fibrec_stat *st, size_t *bad, int *rc)
{
	struct content c = {.family = 4, .n = n, .k4 = k, .nh4 = nh};

	return make(slot, &c, st, bad, rc);
}

struct fibrec *
fibrec_make6(enum fib_slot slot, const struct fib_pfx6 *p, size_t n,
	     struct fibrec_stat *st, size_t *bad, int *rc)
{
	struct content c = {.family = 6, .n = n, .p6 = p};

	return make(slot, &c, st, bad, rc);
}

/* Repaint r's FIB by the ranges ch[0..n_ch) from the content c holds
 * (lens: its lengths). 0 or a negative errno (r's FIB then unusable). */
static int
repaint_ranges(struct fibrec *r, const struct fibrec *c, const void *ch,
	       size_t n_ch, size_t *bad)
{
	if (r->family == 4)
		return lpm_patch4(r->lpm, c->k4, c->nh4, c->n, c->lens, ch,
				  n_ch, bad);
	return lpm_patch6(r->lpm, c->p6, c->n, c->lens, ch, n_ch, bad);
}

/*
 * If w holds the content r was spliced from, bring w to r's content by
 * r's ranges (no diff of the contents) and share r's arrays. 1 if done,
 * 0 if w is not r's origin, negative errno on failure (w unusable).
 */
static int
by_ranges(struct fibrec *w, const struct fibrec *r)
{
	size_t bad;
	int rc;

	if (r->ch == NULL || w->family != r->family ||
	    w->serial != r->from_serial)
		return 0;
	if ((rc = repaint_ranges(w, r, r->ch, r->n_ch, &bad)) < 0)
		return rc;
	content_share(w, r);
	forget_ranges(w);
	w->serial = r->serial;
	return 1;
}

/* fibrec_splice4 and fibrec_splice6 (see fibrec.h). */
static struct fibrec *
splice(enum fib_slot slot, const struct fibrec *prev, struct fibrec *c,
       const void *ch, size_t n_ch, size_t ch_elem, struct fibrec_stat *st,
       size_t *bad, int *rc)
{
	uint64_t t0 = ixg_mono_ns();
	struct fibrec_stat s = {.how = FIBREC_FRESH, .n = (uint32_t)c->n};
	struct fibrec *r = take_spare(slot);
	void *chc = malloc(n_ch * ch_elem + 1);

	*bad = SIZE_MAX;
	*rc = 0;
	if (chc == NULL) {
		*rc = -ENOMEM;
		goto fail;
	}
	if (n_ch > 0)
		memcpy(chc, ch, n_ch * ch_elem);
	if (r != NULL && prev != NULL && r->family == c->family &&
	    worth_patching((uint32_t)n_ch, 0, c->n)) {
		int x = 0;

		/* a spare one commit behind (not warmed since) first takes
		 * the previous commit's ranges */
		if (r->serial != prev->serial)
			x = by_ranges(r, prev);
		if (x >= 0 && r->serial == prev->serial &&
		    repaint_ranges(r, c, ch, n_ch, bad) == 0) {
			s.how = FIBREC_PATCHED;
			s.adds = (uint32_t)n_ch;
			goto own;
		}
	}
	rec_free(r);
	r = rec_new(slot, c->family);
	if (r == NULL) {
		*rc = -ENOMEM;
		goto fail;
	}
	*bad = SIZE_MAX;
	if ((*rc = lpm_create(&r->lpm, r->family, 0)) < 0 ||
	    (*rc = r->family == 4 ? lpm_build4(r->lpm, c->k4, c->nh4, c->n, bad)
				  : lpm_build6(r->lpm, c->p6, c->n, bad)) < 0)
		goto fail;
	s.adds = (uint32_t)c->n;
own:
	content_release(r);
	r->n = c->n;
	r->k4 = c->k4;
	r->nh4 = c->nh4;
	r->p6 = c->p6;
	r->refs = c->refs;
	memcpy(r->lens, c->lens, sizeof(r->lens));
	c->refs = NULL; /* the arrays are r's now */
	forget_ranges(r);
	r->from_serial = prev != NULL ? prev->serial : 0;
	r->ch = chc;
	r->n_ch = n_ch;
	r->serial = ++next_serial;
	s.ns = ixg_mono_ns() - t0;
	s.bytes = lpm_bytes(r->lpm);
	s.groups = lpm_groups(r->lpm);
	if (st != NULL)
		*st = s;
	return r;
fail:
	rec_free(r);
	free(chc);
	free(c->k4);
	free(c->nh4);
	free(c->p6);
	free(c->refs);
	c->refs = NULL;
	return NULL;
}

struct fibrec *
fibrec_splice4(enum fib_slot slot, const struct fibrec *prev, uint64_t *k,
	       uint32_t *nh, size_t n, const uint64_t lens[3],
	       const uint64_t *ch, size_t n_ch, struct fibrec_stat *st,
	       size_t *bad, int *rc)
{
	struct fibrec c = {.family = 4, .n = n, .k4 = k, .nh4 = nh};

	memcpy(c.lens, lens, sizeof(c.lens));
	c.refs = malloc(sizeof(*c.refs));
	if (c.refs == NULL) {
		free(k);
		free(nh);
		*bad = SIZE_MAX;
		*rc = -ENOMEM;
		return NULL;
	}
	*c.refs = 1;
	return splice(slot, prev, &c, ch, n_ch, sizeof(*ch), st, bad, rc);
}

struct fibrec *
fibrec_splice6(enum fib_slot slot, const struct fibrec *prev,
	       struct fib_pfx6 *p, size_t n, const uint64_t lens[3],
	       const struct fib_pfx6 *ch, size_t n_ch, struct fibrec_stat *st,
	       size_t *bad, int *rc)
{
	struct fibrec c = {.family = 6, .n = n, .p6 = p};

	memcpy(c.lens, lens, sizeof(c.lens));
	c.refs = malloc(sizeof(*c.refs));
	if (c.refs == NULL) {
		free(p);
		*bad = SIZE_MAX;
		*rc = -ENOMEM;
		return NULL;
	}
	*c.refs = 1;
	return splice(slot, prev, &c, ch, n_ch, sizeof(*ch), st, bad, rc);
}

size_t
fibrec_content4(const struct fibrec *r, const uint64_t **k, const uint32_t **nh,
		const uint64_t **lens)
{
	if (r == NULL || r->family != 4)
		return SIZE_MAX;
	*k = r->k4;
	*nh = r->nh4;
	*lens = r->lens;
	return r->n;
}

size_t
fibrec_content6(const struct fibrec *r, const struct fib_pfx6 **p,
		const uint64_t **lens)
{
	if (r == NULL || r->family != 6)
		return SIZE_MAX;
	*p = r->p6;
	*lens = r->lens;
	return r->n;
}

/*
 * The merge behind fibrec_diff4/6: two sorted arrays of es-byte
 * elements (order: cmp), each with a 32-bit value vs bytes apart from
 * the previous one's (av, bv); the elements of one only, or of both with
 * another value (a's copy), into out. Inline, so each family's merge is
 * compiled with its own compare.
 */
static inline __attribute__((always_inline)) size_t
diff_merge(const char *a, const char *av, size_t an, const char *b,
	   const char *bv, size_t bn, size_t es, size_t vs,
	   int (*cmp)(const void *, const void *), char *out)
{
	size_t i = 0, j = 0, o = 0;

	while (i < an || j < bn) {
		const int d = i >= an	? 1
			      : j >= bn ? -1
					: cmp(a + i * es, b + j * es);

		if (d < 0) {
			memcpy(out + o++ * es, a + i++ * es, es);
		} else if (d > 0) {
			memcpy(out + o++ * es, b + j++ * es, es);
		} else {
			if (memcmp(av + i * vs, bv + j * vs, 4) != 0)
				memcpy(out + o++ * es, a + i * es, es);
			i++;
			j++;
		}
	}
	return o;
}

static int
cmp_k4(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int
cmp_p6(const void *a, const void *b)
{
	const struct fib_pfx6 *x = a, *y = b;
	int d = memcmp(x->addr, y->addr, 16);

	return d != 0 ? d : (x->len > y->len) - (x->len < y->len);
}

/* See fibrec.h. */
int
fibrec_diff4(const struct fibrec *p, const struct fibrec *n, uint64_t **out,
	     size_t *n_out)
{
	const uint64_t *pk = NULL, *nk = NULL, *l;
	const uint32_t *pv = NULL, *nv = NULL;
	size_t pn = fibrec_content4(p, &pk, &pv, &l),
	       nn = fibrec_content4(n, &nk, &nv, &l);
	uint64_t *d;

	pn = pn == SIZE_MAX ? 0 : pn;
	nn = nn == SIZE_MAX ? 0 : nn;
	*out = NULL;
	*n_out = 0;
	if ((d = malloc((pn + nn + 1) * sizeof(*d))) == NULL)
		return -ENOMEM;
	*n_out = diff_merge((const char *)pk, (const char *)pv, pn,
			    (const char *)nk, (const char *)nv, nn, sizeof(*d),
			    sizeof(*pv), cmp_k4, (char *)d);
	if (*n_out == 0)
		free(d);
	else
		*out = d;
	return 0;
}

/* See fibrec.h. */
int
fibrec_diff6(const struct fibrec *p, const struct fibrec *n,
	     struct fib_pfx6 **out, size_t *n_out)
{
	const struct fib_pfx6 *pp = NULL, *np = NULL;
	const uint64_t *l;
	size_t pn = fibrec_content6(p, &pp, &l),
	       nn = fibrec_content6(n, &np, &l);
	struct fib_pfx6 *d;

	pn = pn == SIZE_MAX ? 0 : pn;
	nn = nn == SIZE_MAX ? 0 : nn;
	*out = NULL;
	*n_out = 0;
	if ((d = malloc((pn + nn + 1) * sizeof(*d))) == NULL)
		return -ENOMEM;
	*n_out = diff_merge((const char *)pp, pn ? (const char *)&pp[0].nh : "",
			    pn, (const char *)np,
			    nn ? (const char *)&np[0].nh : "", nn, sizeof(*d),
			    sizeof(*d), cmp_p6, (char *)d);
	if (*n_out == 0)
		free(d);
	else
		*out = d;
	return 0;
}

/* ------------------------------------------------------------------ */

const struct lpm *
fibrec_lpm(const struct fibrec *r)
{
	return r == NULL ? NULL : r->lpm;
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

/*
 * Bring the slot's spare w, parked with an older generation's content, to
 * r's content (the one live now), by patching when worth it. 1 if done,
 * 0 if not worth patching, negative errno if the patch failed (w is then
 * unusable).
 */
static int
catch_up(struct fibrec *w, const struct fibrec *r)
{
	struct content c = content_of(r);
	uint32_t adds, dels;
	int rc;

	count_diff(w, &c, &adds, &dels);
	if (!worth_patching(adds, dels, c.n))
		return 0;
	if ((rc = patch(w, &c, (size_t)adds + dels)) < 0)
		return rc;
	content_share(w, r);
	forget_ranges(w);
	w->serial = r->serial;
	return 1;
}

int
fibrec_warm(const struct fibrec *r)
{
	struct fibrec *w;
	int rc;

	if (r == NULL || !spares_on || r->n < spare_min)
		return 0;
	w = spare[r->slot];
	if (w != NULL) {
		if (w->serial == r->serial)
			return 0;
		/* The spare of a route commit is the FIB of the generation
		 * before the live one: brought to the live content now, at
		 * an idle time, the next commit patches one batch, not two. */
		if (w->family == r->family &&
		    (by_ranges(w, r) == 1 || catch_up(w, r) == 1))
			return 1;
		spare[r->slot] = NULL;
		rec_free(w);
	}
	w = rec_new(r->slot, r->family);
	if (w == NULL)
		return -ENOMEM;
	if ((rc = lpm_copy(&w->lpm, r->lpm)) < 0) {
		rec_free(w);
		return rc;
	}
	content_share(w, r);
	w->serial = r->serial;
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
fibrec_spare_need(struct fibrec *const *r, unsigned n)
{
	size_t sum = 0;

	for (unsigned i = 0; i < n; i++)
		if (r[i] != NULL && spares_on && r[i]->n >= spare_min &&
		    spare[r[i]->slot] == NULL)
			sum += lpm_bytes(r[i]->lpm);
	return sum;
}

size_t
fibrec_spare_bytes(void)
{
	size_t sum = 0;

	for (unsigned s = 0; s < FIB_SLOTS; s++)
		sum += spare[s] != NULL ? lpm_bytes(spare[s]->lpm) : 0;
	return sum;
}

unsigned long
fibrec_live(void)
{
	return n_live;
}
