/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * country_table.c - what stage_country (country_stage.c) reads: the
 * country FIBs country4 and country6 (address -> country index) and the
 * countries' codes.
 * Hooks (tables_impl.h): the spec tables "countries", "country4" and
 * "country6", the part "country".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tables_impl.h"

/* ------------------------------------------------------------------ */
/* Checks and names.                                                  */

static bool
cc_letter(unsigned ch)
{
	return ch >= 'A' && ch <= 'Z';
}

/*
 * Every code is two upper-case letters ("CN", ixg_api.h's ixg_cc_t), or
 * "--" for "unknown" (index 0, and the holes the compiler leaves). A NUL
 * or any other byte would reach names in counters, traces and telemetry.
 */
static int
countries_validate(struct spec_check *c)
{
	const struct ixg_spec *s = c->s;

	for (uint32_t i = 0; i < s->n_countries; i++) {
		unsigned a = s->countries[i] >> 8, b = s->countries[i] & 0xff;

		if ((cc_letter(a) && cc_letter(b)) || (a == '-' && b == '-'))
			continue;
		return spec_refuse(c, IXG_TBL_COUNTRIES, i, 0,
				   "country %" PRIu32 ": code 0x%04x is not "
				   "two letters A-Z (or \"--\")",
				   i, (unsigned)s->countries[i]);
	}
	return 0;
}

static int
country4_validate(struct spec_check *c)
{
	const struct ixg_spec *s = c->s;
	uint32_t i;

	for (i = 0; i < s->n_country4; i++)
		if (s->country4[i].country >= s->n_countries) {
			spec_refuse(c, IXG_TBL_COUNTRY4, i, 0,
				    "IPv4 country prefix %" PRIu32
				    ": country index "
				    "%u, only %" PRIu32 " countries",
				    i, s->country4[i].country, s->n_countries);
			return -1;
		}
	return 0;
}

static int
country6_validate(struct spec_check *c)
{
	const struct ixg_spec *s = c->s;
	uint32_t i;

	for (i = 0; i < s->n_country6; i++)
		if (s->country6[i].country >= s->n_countries) {
			spec_refuse(c, IXG_TBL_COUNTRY6, i, 0,
				    "IPv6 country prefix %" PRIu32
				    ": country index "
				    "%u, only %" PRIu32 " countries",
				    i, s->country6[i].country, s->n_countries);
			return -1;
		}
	return 0;
}

static void
countries_describe(const struct ixg_spec *s, uint32_t i, char *buf, size_t len)
{
	snprintf(buf, len, "country %" PRIu32 " '%c%c'", i,
		 (char)(s->countries[i] >> 8), (char)(s->countries[i] & 0xff));
}

static void
country4_describe(const struct ixg_spec *s, uint32_t i, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	tbl_fmt_addr4h(a, sizeof(a), s->country4[i].addr);
	snprintf(buf, len, "country prefix %s/%u (entry %" PRIu32 ")", a,
		 s->country4[i].len, i);
}

static void
country6_describe(const struct ixg_spec *s, uint32_t i, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	tbl_fmt_addr(a, sizeof(a), 6, s->country6[i].addr);
	snprintf(buf, len, "country prefix %s/%u (entry %" PRIu32 ")", a,
		 s->country6[i].len, i);
}

const struct spec_table_ops spec_table_countries = {
	.validate = countries_validate,
	.describe = countries_describe,
};

const struct spec_table_ops spec_table_country4 = {
	.validate = country4_validate,
	.describe = country4_describe,
};

const struct spec_table_ops spec_table_country6 = {
	.validate = country6_validate,
	.describe = country6_describe,
};

/* ------------------------------------------------------------------ */
/* The part "country".                                                */

static uint32_t
country_nh4(const struct tbl_build *b, uint64_t k)
{
	return b->spec->country4[key4_idx(k)].country;
}

static int
build_country(struct tbl_build *b)
{
	const struct ixg_spec *s = b->spec;
	struct tables *t = b->t;
	int rc = 0;

	if (s->n_countries > IXG_MAX_COUNTRIES)
		return tbl_fail(b, -ENOSPC, "countries: %" PRIu32 " > %u",
				s->n_countries, IXG_MAX_COUNTRIES);
	for (uint32_t i = 0; i < s->n_countries; i++)
		t->countries[i] = s->countries[i];
	t->n_countries = s->n_countries;
	if (s->n_country4 > 0) {
		uint64_t *k;

		if (s->n_country4 > K4_IDX_MAX)
			return tbl_fail(b, -ENOSPC,
					"IPv4 country prefixes: %" PRIu32,
					s->n_country4);
		k = malloc(s->n_country4 * sizeof(*k));
		if (k == NULL)
			return tbl_fail(b, -ENOMEM, "countries: out of memory");
		for (uint32_t i = 0; i < s->n_country4; i++) {
			const struct ixg_spec_country4 *c = &s->country4[i];

			if (c->len > 32 || c->country >= s->n_countries) {
				char what[128];

				country4_describe(s, i, what, sizeof(what));
				free(k);
				return tbl_fail(b, -EINVAL,
						"%s: bad length or "
						"country index %u",
						what, c->country);
			}
			k[i] = key4(c->addr, c->len, PK_COUNTRY, i);
		}
		if ((rc = sort_keys4(k, s->n_country4)) == 0) {
			t->country4 = fib4_build(b, FIB_COUNTRY4, k,
						 s->n_country4, country_nh4,
						 NULL, &rc);
		} else {
			rc = tbl_fail(b, rc, "countries: out of memory");
		}
		free(k);
		if (rc < 0)
			return rc;
	}
	if (s->n_country6 > 0) {
		struct fib_pfx6 *p = calloc(s->n_country6, sizeof(*p));

		if (p == NULL)
			return tbl_fail(b, -ENOMEM, "countries: out of memory");
		for (uint32_t i = 0; i < s->n_country6; i++) {
			const struct ixg_spec_country6 *c = &s->country6[i];

			if (c->len > 128 || c->country >= s->n_countries) {
				char what[128];

				country6_describe(s, i, what, sizeof(what));
				free(p);
				return tbl_fail(b, -EINVAL,
						"%s: bad length or "
						"country index %u",
						what, c->country);
			}
			mask6(p[i].addr, c->addr, c->len);
			p[i].len = c->len;
			p[i].kind = PK_COUNTRY;
			p[i].idx = i;
			p[i].nh = c->country;
		}
		if (sort_pfx6(p, s->n_country6) < 0) {
			free(p);
			return tbl_fail(b, -ENOMEM, "countries: out of memory");
		}
		t->country6 = fib6_build(b, FIB_COUNTRY6, p, s->n_country6,
					 &rc);
		free(p);
	}
	return rc;
}

static bool
country_same(const struct tbl_build *b)
{
	return tbl_same(b, IXG_TBL_COUNTRIES) &&
	       tbl_same(b, IXG_TBL_COUNTRY4) && tbl_same(b, IXG_TBL_COUNTRY6);
}

/* The codes too: with the same inputs they are the previous ones. */
static void
country_share(struct tables *t, const struct tables *o)
{
	memcpy(t->countries, o->countries, sizeof(t->countries));
	t->n_countries = o->n_countries;
	t->country4 = o->country4;
	t->country6 = o->country6;
	t->fibs[FIB_COUNTRY4] = o->fibs[FIB_COUNTRY4];
	t->fibs[FIB_COUNTRY6] = o->fibs[FIB_COUNTRY6];
}

static void
country_free(struct tables *t)
{
	fibrec_retire(t->fibs[FIB_COUNTRY4]);
	fibrec_retire(t->fibs[FIB_COUNTRY6]);
}

const struct tbl_part_ops tbl_part_country = {
	.build = build_country,
	.same = country_same,
	.share = country_share,
	.free = country_free,
};
