/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * diff.c - which tables changed and how (see diff.h).
 *
 * Each table is compared twice: first as a whole, content only (bytes
 * outside `origin`), which decides whether it is sent; then, only if it
 * differs, by natural key: both sides are copied, sorted by key and merged.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "ixg_sort.h"
#include "ixg_wire.h"

typedef int (*key_cmp)(const void *a, const void *b);

static int
cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

static int
key_node(const void *a, const void *b)
{
	(void)a;
	(void)b;
	return 0;
}

static int
key_ports(const void *a, const void *b)
{
	return strcmp(((const struct ixg_spec_port *)a)->name,
		      ((const struct ixg_spec_port *)b)->name);
}

static int
key_local_addrs(const void *a, const void *b)
{
	const struct ixg_spec_local_addr *x = a, *y = b;
	int r;

	if ((r = cmp_u32(x->port_id, y->port_id)) != 0 ||
	    (r = cmp_u32(x->vlan, y->vlan)) != 0 ||
	    (r = cmp_u32(x->family, y->family)) != 0 ||
	    (r = memcmp(x->addr, y->addr, 16)) != 0)
		return r;
	return cmp_u32(x->len, y->len);
}

static int
key_peers(const void *a, const void *b)
{
	return strcmp(((const struct ixg_spec_peer *)a)->name,
		      ((const struct ixg_spec_peer *)b)->name);
}

static int
key_classes(const void *a, const void *b)
{
	return strcmp(((const struct ixg_spec_class *)a)->name,
		      ((const struct ixg_spec_class *)b)->name);
}

static int
key_acl_rules(const void *a, const void *b)
{
	return cmp_u32(((const struct ixg_spec_acl_rule *)a)->id,
		       ((const struct ixg_spec_acl_rule *)b)->id);
}

static int
key_routes4(const void *a, const void *b)
{
	const struct ixg_spec_route4 *x = a, *y = b;
	int r = cmp_u32(x->addr, y->addr);

	return r != 0 ? r : cmp_u32(x->len, y->len);
}

static int
key_routes6(const void *a, const void *b)
{
	const struct ixg_spec_route6 *x = a, *y = b;
	int r = memcmp(x->addr, y->addr, 16);

	return r != 0 ? r : cmp_u32(x->len, y->len);
}

/* Sources: one prefix may be allowed for several peers. */
static int
key_sources4(const void *a, const void *b)
{
	int r = key_routes4(a, b);

	return r != 0 ? r
		      : cmp_u32(((const struct ixg_spec_route4 *)a)->peer_id,
				((const struct ixg_spec_route4 *)b)->peer_id);
}

static int
key_sources6(const void *a, const void *b)
{
	int r = key_routes6(a, b);

	return r != 0 ? r
		      : cmp_u32(((const struct ixg_spec_route6 *)a)->peer_id,
				((const struct ixg_spec_route6 *)b)->peer_id);
}

static int
key_blackholes(const void *a, const void *b)
{
	const struct ixg_spec_blackhole *x = a, *y = b;
	int r;

	if ((r = cmp_u32(x->family, y->family)) != 0 ||
	    (r = memcmp(x->addr, y->addr, 16)) != 0)
		return r;
	return cmp_u32(x->len, y->len);
}

static int
key_countries(const void *a, const void *b)
{
	return cmp_u32(*(const ixg_cc_t *)a, *(const ixg_cc_t *)b);
}

static int
key_country4(const void *a, const void *b)
{
	const struct ixg_spec_country4 *x = a, *y = b;
	int r = cmp_u32(x->addr, y->addr);

	return r != 0 ? r : cmp_u32(x->len, y->len);
}

static int
key_country6(const void *a, const void *b)
{
	const struct ixg_spec_country6 *x = a, *y = b;
	int r = memcmp(x->addr, y->addr, 16);

	return r != 0 ? r : cmp_u32(x->len, y->len);
}

static int
key_nhgroups(const void *a, const void *b)
{
	return cmp_u32(((const struct ixg_spec_nhgroup *)a)->id,
		       ((const struct ixg_spec_nhgroup *)b)->id);
}

/* Each table's natural key, by the naming rule key_<field>: a table added
 * to IXG_SPEC_TABLES without its comparator here does not compile. */
static const key_cmp keys[IXG_TBL_MAX] = {
#define X_KEY(id, wire, field, ...) [IXG_TBL_##id] = key_##field,
	IXG_SPEC_TABLES(X_KEY, IXG_SPEC_NO_STR)
#undef X_KEY
};

/* What the comparison needs of a table: its codec descriptor and key. */
struct tdesc {
	size_t size; /* element size */
	size_t origin; /* offset of the origin, IXG_NO_ORIGIN if none */
	key_cmp cmp; /* natural key order */
};

static struct tdesc
tdesc(unsigned table)
{
	const struct ixg_table_info *info = ixg_table_info(table);

	return (struct tdesc){info->elem_size, info->origin_off, keys[table]};
}

/* Same content: every byte but the origin. */
static bool
elem_equal(const struct tdesc *t, const void *a, const void *b)
{
	const char *x = a, *y = b;

	/* Routes and sources (565k and 168k on the real table, compared
	 * whole at every reload): their content is the bytes before the
	 * origin, compared with a constant size (inlined, no call). */
	if (t->size == sizeof(struct ixg_spec_route4) &&
	    t->origin == offsetof(struct ixg_spec_route4, origin))
		return memcmp(x, y, offsetof(struct ixg_spec_route4, origin)) ==
		       0;
	if (t->size == sizeof(struct ixg_spec_route6) &&
	    t->origin == offsetof(struct ixg_spec_route6, origin))
		return memcmp(x, y, offsetof(struct ixg_spec_route6, origin)) ==
		       0;
	if (t->origin == IXG_NO_ORIGIN)
		return memcmp(x, y, t->size) == 0;
	return memcmp(x, y, t->origin) == 0 &&
	       memcmp(x + t->origin + 4, y + t->origin + 4,
		      t->size - t->origin - 4) == 0;
}

static bool
table_equal(const struct tdesc *t, const char *a, uint64_t na, const char *b,
	    uint64_t nb)
{
	uint64_t i;

	if (na != nb)
		return false;
	if (a == b) /* the same array (a routes job shares the rest) */
		return true;
	if (t->origin == IXG_NO_ORIGIN)
		return na == 0 || memcmp(a, b, na * t->size) == 0;
	for (i = 0; i < na; i++)
		if (!elem_equal(t, a + i * t->size, b + i * t->size))
			return false;
	return true;
}

static int
qsort_cmp(const void *a, const void *b, void *arg)
{
	return ((const struct tdesc *)arg)->cmp(a, b);
}

static char *
sorted_copy(const struct tdesc *t, const void *v, uint64_t n)
{
	char *c = malloc(n * t->size + 1);

	if (c == NULL)
		return NULL;
	if (n > 0)
		memcpy(c, v, n * t->size);
	qsort_r(c, n, t->size, qsort_cmp, (void *)t);
	return c;
}

/*
 * IPv4 routes and sources (struct ixg_spec_route4) as one word each:
 * addr:32 | len:6 | peer:16, all their content but the origin. Sorted
 * with an LSD radix sort instead of qsort_r and a
 * comparator call per step: on a full replace of the real table (565k
 * sources on each side, every one changing owner) this was the bulk of
 * the comparison.
 */
static uint64_t
route4_word(const struct ixg_spec_route4 *r)
{
	return (uint64_t)r->addr << 32 | (uint64_t)(r->len & 63) << 16 |
	       r->peer_id;
}

/* count_by_key's merge for the middle of routes4 (natural key addr, len:
 * the word's upper 48 bits) or sources4 (the whole word). */
static int
count_route4(bool sources, const struct ixg_spec_route4 *o, uint64_t on,
	     const struct ixg_spec_route4 *n, uint64_t nn,
	     struct ctl_diff_count *out)
{
	uint64_t *a = malloc((on + 1) * sizeof(*a));
	uint64_t *b = malloc((nn + 1) * sizeof(*b));
	uint64_t *tmp = malloc(((on > nn ? on : nn) + 1) * sizeof(*tmp));
	const unsigned shift = sources ? 0 : 16;
	uint64_t i, j;

	if (a == NULL || b == NULL || tmp == NULL) {
		free(a);
		free(b);
		free(tmp);
		return -ENOMEM;
	}
	for (i = 0; i < on; i++)
		a[i] = route4_word(&o[i]);
	for (j = 0; j < nn; j++)
		b[j] = route4_word(&n[j]);
	if (ixg_radix_sort64(a, tmp, on) < 0 ||
	    ixg_radix_sort64(b, tmp, nn) < 0) {
		free(a);
		free(b);
		free(tmp);
		return -ENOMEM;
	}
	free(tmp);
	for (i = j = 0; i < on || j < nn;) {
		uint64_t x = i < on ? a[i] >> shift : UINT64_MAX;
		uint64_t y = j < nn ? b[j] >> shift : UINT64_MAX;

		if (j == nn || (i < on && x < y)) {
			out->removed++;
			i++;
		} else if (i == on || y < x) {
			out->added++;
			j++;
		} else {
			if (a[i] != b[j])
				out->changed++;
			i++;
			j++;
		}
	}
	free(a);
	free(b);
	return 0;
}

static int
count_by_key(const struct tdesc *t, const void *ov, uint64_t on, const void *nv,
	     uint64_t nn, struct ctl_diff_count *out, unsigned table)
{
	const char *oc = ov, *nc = nv;
	uint64_t i = 0, j = 0, lo = 0, hi = 0;
	char *o, *n;

	/* A reload usually changes one place of a table (a peer's list):
	 * the elements before and after it have the same keys pair by pair
	 * (the same objects, changed or not), so only the middle is sorted
	 * (on the real table that saves sorting 2 x 565k routes per reload;
	 * a full replace that only renames the peers keeps every route in
	 * place and sorts nothing). */
	/* Equal content means equal keys (every key is content): the key
	 * is compared only where the content differs. */
	while (lo < on && lo < nn) {
		const char *x = oc + lo * t->size, *y = nc + lo * t->size;

		if (!elem_equal(t, x, y)) {
			if (t->cmp(x, y) != 0)
				break;
			out->changed++;
		}
		lo++;
	}
	while (hi < on - lo && hi < nn - lo) {
		const char *x = oc + (on - 1 - hi) * t->size;
		const char *y = nc + (nn - 1 - hi) * t->size;

		if (!elem_equal(t, x, y)) {
			if (t->cmp(x, y) != 0)
				break;
			out->changed++;
		}
		hi++;
	}
	if (table == IXG_TBL_ROUTES4 || table == IXG_TBL_SOURCES4)
		return count_route4(
			table == IXG_TBL_SOURCES4,
			(const struct ixg_spec_route4 *)(oc + lo * t->size),
			on - lo - hi,
			(const struct ixg_spec_route4 *)(nc + lo * t->size),
			nn - lo - hi, out);
	o = sorted_copy(t, oc + lo * t->size, on - lo - hi);
	n = sorted_copy(t, nc + lo * t->size, nn - lo - hi);
	on -= lo + hi;
	nn -= lo + hi;

	if (o == NULL || n == NULL) {
		free(o);
		free(n);
		return -ENOMEM;
	}
	while (i < on || j < nn) {
		int r = i == on	  ? 1
			: j == nn ? -1
				  : t->cmp(o + i * t->size, n + j * t->size);

		if (r < 0) {
			out->removed++;
			i++;
		} else if (r > 0) {
			out->added++;
			j++;
		} else {
			if (!elem_equal(t, o + i * t->size, n + j * t->size))
				out->changed++;
			i++;
			j++;
		}
	}
	free(o);
	free(n);
	return 0;
}

/* Diff two specs (see diff.h). Any thread. */
int
ctl_diff(const struct ixg_spec *old, const struct ixg_spec *new,
	 struct ctl_diff *d)
{
	unsigned k;

	memset(d, 0, sizeof(*d));
	for (k = 1; k < IXG_TBL_MAX; k++) {
		const struct tdesc td = tdesc(k), *t = &td;
		uint64_t nn = ixg_spec_table_count(new, k);
		uint64_t on = old != NULL ? ixg_spec_table_count(old, k) : 0;
		const void *nv = ixg_spec_table_data(new, k);
		const void *ov = old != NULL ? ixg_spec_table_data(old, k)
					     : NULL;

		if (old == NULL) {
			d->changed_tables |= 1u << k;
			d->t[k].added = (uint32_t)nn;
			continue;
		}
		if (table_equal(t, ov, on, nv, nn))
			continue;
		d->changed_tables |= 1u << k;
		if (count_by_key(t, ov, on, nv, nn, &d->t[k], k) < 0)
			return -ENOMEM;
	}
	return 0;
}

static bool
any(const struct ctl_diff_count *c)
{
	return c->added || c->removed || c->changed;
}

/* Diff as JSON (see diff.h). Any thread. */
void
ctl_diff_json(const struct ctl_diff *d, FILE *out)
{
	const char *sep = "";
	unsigned k;

	fputc('{', out);
	for (k = 1; k < IXG_TBL_MAX; k++) {
		if (!any(&d->t[k]))
			continue;
		fprintf(out,
			"%s\"%s\": {\"added\": %u, \"removed\": %u, "
			"\"changed\": %u}",
			sep, ixg_table_name(k), d->t[k].added, d->t[k].removed,
			d->t[k].changed);
		sep = ", ";
	}
	fputc('}', out);
}

/* Diff for operators (see diff.h). Any thread. */
void
ctl_diff_text(const struct ctl_diff *d, FILE *out)
{
	const char *sep = "";
	unsigned k;

	for (k = 1; k < IXG_TBL_MAX; k++) {
		if (!any(&d->t[k]))
			continue;
		fprintf(out, "%s%s +%u -%u ~%u", sep, ixg_table_name(k),
			d->t[k].added, d->t[k].removed, d->t[k].changed);
		sep = ", ";
	}
	if (*sep == '\0')
		fputs("no change", out);
}
