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
#include <stdlib.h>
#include <string.h>

#include "diff.h"

#define NO_ORIGIN SIZE_MAX

typedef int (*key_cmp)(const void *a, const void *b);

struct tdesc {
	const char *name;
	size_t size;
	size_t origin; /* offset of the origin field, NO_ORIGIN if none */
	key_cmp cmp; /* natural key order */
};

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
key_port(const void *a, const void *b)
{
	return strcmp(((const struct ixg_spec_port *)a)->name,
		      ((const struct ixg_spec_port *)b)->name);
}

static int
key_local(const void *a, const void *b)
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
key_peer(const void *a, const void *b)
{
	return strcmp(((const struct ixg_spec_peer *)a)->name,
		      ((const struct ixg_spec_peer *)b)->name);
}

static int
key_class(const void *a, const void *b)
{
	return strcmp(((const struct ixg_spec_class *)a)->name,
		      ((const struct ixg_spec_class *)b)->name);
}

static int
key_rule(const void *a, const void *b)
{
	return cmp_u32(((const struct ixg_spec_acl_rule *)a)->id,
		       ((const struct ixg_spec_acl_rule *)b)->id);
}

static int
key_route4(const void *a, const void *b)
{
	const struct ixg_spec_route4 *x = a, *y = b;
	int r = cmp_u32(x->addr, y->addr);

	return r != 0 ? r : cmp_u32(x->len, y->len);
}

static int
key_route6(const void *a, const void *b)
{
	const struct ixg_spec_route6 *x = a, *y = b;
	int r = memcmp(x->addr, y->addr, 16);

	return r != 0 ? r : cmp_u32(x->len, y->len);
}

/* Sources: one prefix may be allowed for several peers. */
static int
key_source4(const void *a, const void *b)
{
	int r = key_route4(a, b);

	return r != 0 ? r
		      : cmp_u32(((const struct ixg_spec_route4 *)a)->peer_id,
				((const struct ixg_spec_route4 *)b)->peer_id);
}

static int
key_source6(const void *a, const void *b)
{
	int r = key_route6(a, b);

	return r != 0 ? r
		      : cmp_u32(((const struct ixg_spec_route6 *)a)->peer_id,
				((const struct ixg_spec_route6 *)b)->peer_id);
}

static int
key_blackhole(const void *a, const void *b)
{
	const struct ixg_spec_blackhole *x = a, *y = b;
	int r;

	if ((r = cmp_u32(x->family, y->family)) != 0 ||
	    (r = memcmp(x->addr, y->addr, 16)) != 0)
		return r;
	return cmp_u32(x->len, y->len);
}

static int
key_cc(const void *a, const void *b)
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

#define T(n, type, o, k)                                                       \
	{                                                                      \
		n, sizeof(type), o, k                                          \
	}
#define O(type) offsetof(type, origin)
static const struct tdesc tables[IXG_TBL_MAX] = {
	[IXG_TBL_NODE] = T("node", struct ixg_spec_node, NO_ORIGIN, key_node),
	[IXG_TBL_PORTS] = T("ports", struct ixg_spec_port,
			    O(struct ixg_spec_port), key_port),
	[IXG_TBL_LOCAL_ADDRS] = T("local_addrs", struct ixg_spec_local_addr,
				  O(struct ixg_spec_local_addr), key_local),
	[IXG_TBL_PEERS] = T("peers", struct ixg_spec_peer,
			    O(struct ixg_spec_peer), key_peer),
	[IXG_TBL_CLASSES] = T("classes", struct ixg_spec_class,
			      O(struct ixg_spec_class), key_class),
	[IXG_TBL_ACL_RULES] = T("acl_rules", struct ixg_spec_acl_rule,
				O(struct ixg_spec_acl_rule), key_rule),
	[IXG_TBL_ROUTES4] = T("routes4", struct ixg_spec_route4,
			      O(struct ixg_spec_route4), key_route4),
	[IXG_TBL_ROUTES6] = T("routes6", struct ixg_spec_route6,
			      O(struct ixg_spec_route6), key_route6),
	[IXG_TBL_SOURCES4] = T("sources4", struct ixg_spec_route4,
			       O(struct ixg_spec_route4), key_source4),
	[IXG_TBL_SOURCES6] = T("sources6", struct ixg_spec_route6,
			       O(struct ixg_spec_route6), key_source6),
	[IXG_TBL_BLACKHOLES] = T("blackholes", struct ixg_spec_blackhole,
				 O(struct ixg_spec_blackhole), key_blackhole),
	[IXG_TBL_COUNTRIES] = T("countries", ixg_cc_t, NO_ORIGIN, key_cc),
	[IXG_TBL_COUNTRY4] = T("country4", struct ixg_spec_country4, NO_ORIGIN,
			       key_country4),
	[IXG_TBL_COUNTRY6] = T("country6", struct ixg_spec_country6, NO_ORIGIN,
			       key_country6),
};
#undef T
#undef O

/* Operator's table name (see diff.h). Any thread. */
const char *
ctl_table_name(unsigned table)
{
	return table > 0 && table < IXG_TBL_MAX ? tables[table].name
						: "unknown";
}

/* Element count of a spec table (see diff.h). Any thread. */
uint64_t
ctl_spec_count(const struct ixg_spec *s, unsigned table)
{
	switch (table) {
	case IXG_TBL_NODE: return 1;
	case IXG_TBL_PORTS: return s->n_ports;
	case IXG_TBL_LOCAL_ADDRS: return s->n_local_addrs;
	case IXG_TBL_PEERS: return s->n_peers;
	case IXG_TBL_CLASSES: return s->n_classes;
	case IXG_TBL_ACL_RULES: return s->n_acl_rules;
	case IXG_TBL_ROUTES4: return s->n_routes4;
	case IXG_TBL_ROUTES6: return s->n_routes6;
	case IXG_TBL_SOURCES4: return s->n_sources4;
	case IXG_TBL_SOURCES6: return s->n_sources6;
	case IXG_TBL_BLACKHOLES: return s->n_blackholes;
	case IXG_TBL_COUNTRIES: return s->n_countries;
	case IXG_TBL_COUNTRY4: return s->n_country4;
	case IXG_TBL_COUNTRY6: return s->n_country6;
	default: return 0;
	}
}

/* Array of a spec table (see diff.h). Any thread. */
const void *
ctl_spec_data(const struct ixg_spec *s, unsigned table)
{
	switch (table) {
	case IXG_TBL_NODE: return &s->node;
	case IXG_TBL_PORTS: return s->ports;
	case IXG_TBL_LOCAL_ADDRS: return s->local_addrs;
	case IXG_TBL_PEERS: return s->peers;
	case IXG_TBL_CLASSES: return s->classes;
	case IXG_TBL_ACL_RULES: return s->acl_rules;
	case IXG_TBL_ROUTES4: return s->routes4;
	case IXG_TBL_ROUTES6: return s->routes6;
	case IXG_TBL_SOURCES4: return s->sources4;
	case IXG_TBL_SOURCES6: return s->sources6;
	case IXG_TBL_BLACKHOLES: return s->blackholes;
	case IXG_TBL_COUNTRIES: return s->countries;
	case IXG_TBL_COUNTRY4: return s->country4;
	case IXG_TBL_COUNTRY6: return s->country6;
	default: return NULL;
	}
}

/* Origin of one element (see diff.h). Any thread. */
uint32_t
ctl_spec_origin(const struct ixg_spec *s, unsigned table, uint32_t index)
{
	const struct tdesc *t;
	uint32_t o;

	if (table == 0 || table >= IXG_TBL_MAX)
		return UINT32_MAX;
	t = &tables[table];
	if (t->origin == NO_ORIGIN || index >= ctl_spec_count(s, table))
		return UINT32_MAX;
	memcpy(&o,
	       (const char *)ctl_spec_data(s, table) + index * t->size +
		       t->origin,
	       sizeof(o));
	return o;
}

/* Same content: every byte but the origin. */
static bool
elem_equal(const struct tdesc *t, const void *a, const void *b)
{
	const char *x = a, *y = b;

	if (t->origin == NO_ORIGIN)
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
	if (t->origin == NO_ORIGIN)
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

static int
count_by_key(const struct tdesc *t, const void *ov, uint64_t on, const void *nv,
	     uint64_t nn, struct ctl_diff_count *out)
{
	const char *oc = ov, *nc = nv;
	uint64_t i = 0, j = 0, lo = 0, hi = 0;
	char *o, *n;

	/* A reload usually changes one place of a table (a peer's list):
	 * the elements before and after it are equal pair by pair and
	 * cancel out, so only the middle is sorted (on the real table that
	 * saves sorting 2 x 565k routes per reload). */
	while (lo < on && lo < nn &&
	       elem_equal(t, oc + lo * t->size, nc + lo * t->size))
		lo++;
	while (hi < on - lo && hi < nn - lo &&
	       elem_equal(t, oc + (on - 1 - hi) * t->size,
			  nc + (nn - 1 - hi) * t->size))
		hi++;
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
		const struct tdesc *t = &tables[k];
		uint64_t nn = ctl_spec_count(new, k);
		uint64_t on = old != NULL ? ctl_spec_count(old, k) : 0;
		const void *nv = ctl_spec_data(new, k);
		const void *ov = old != NULL ? ctl_spec_data(old, k) : NULL;

		if (old == NULL) {
			d->changed_tables |= 1u << k;
			d->t[k].added = (uint32_t)nn;
			continue;
		}
		if (table_equal(t, ov, on, nv, nn))
			continue;
		d->changed_tables |= 1u << k;
		if (count_by_key(t, ov, on, nv, nn, &d->t[k]) < 0)
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
			sep, tables[k].name, d->t[k].added, d->t[k].removed,
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
		fprintf(out, "%s%s +%u -%u ~%u", sep, tables[k].name,
			d->t[k].added, d->t[k].removed, d->t[k].changed);
		sep = ", ";
	}
	if (*sep == '\0')
		fputs("no change", out);
}
