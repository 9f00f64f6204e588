/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Config routes with several next hops (route PREFIX { via MEMBER [weight
 * N]; }): what they compile into (the spec table nhgroups, routes naming
 * IXG_NH_GROUP | id, shared groups, ids kept across compiles, feasible
 * sources, max-prefix), the canonical print, and every error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ixg_conf.h"

#define HEAD                                                                   \
	"node { name n1; country SG; }\nport p0 { device \"net_ring0\"; }\n"   \
	"peer a { asn 1; port p0; mac 02:00:00:00:00:01; }\n"                  \
	"peer b { asn 2; port p0; mac 02:00:00:00:00:02; }\n"                  \
	"peer c { asn 3; port p0; mac 02:00:00:00:00:03; }\n"

static struct ixg_conf *
parse(const char *text, struct ixg_diags *d)
{
	return ixg_conf_parse_string("t.conf", text, strlen(text), d);
}

static char *
diags_text(const struct ixg_diags *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ixg_diags_print(d, f);
	fclose(f);
	return buf;
}

/* Parse + compile (against prev, may be NULL) that must succeed. */
static void
compile_ok(const char *text, const struct ixg_spec *prev, struct ixg_spec *s)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c = parse(text, d);

	if (c == NULL)
		ixg_diags_print(d, stderr);
	assert_non_null(c);
	assert_int_equal(ixg_conf_compile_prev(c, prev, s, d), 0);
	assert_int_equal(ixg_diags_errors(d), 0);
	ixg_conf_free(c);
	ixg_diags_free(d);
}

/* Parse (+ compile when it parses) that must fail with `want` among its
 * diagnostics, and `n` errors in all. */
static void
fails_with(const char *text, const char *want, unsigned n)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c = parse(text, d);
	char *t;

	if (c != NULL) {
		struct ixg_spec s;

		memset(&s, 0, sizeof(s));
		assert_int_equal(ixg_conf_compile(c, &s, d), -1);
		ixg_conf_free(c);
	}
	t = diags_text(d);
	if (strstr(t, want) == NULL || ixg_diags_errors(d) != n)
		fprintf(stderr, "wanted (%u errors) %s\ngot:\n%s", n, want, t);
	assert_non_null(strstr(t, want));
	assert_int_equal(ixg_diags_errors(d), n);
	free(t);
	ixg_diags_free(d);
}

static const struct ixg_spec_nhgroup *
group_of(const struct ixg_spec *s, uint16_t nh)
{
	assert_true(nh & IXG_NH_GROUP);
	for (uint32_t i = 0; i < s->n_nhgroups; i++)
		if (s->nhgroups[i].id == (nh & ~IXG_NH_GROUP))
			return &s->nhgroups[i];
	fail_msg("route names group %u, not in the spec", nh & ~IXG_NH_GROUP);
	return NULL;
}

static uint16_t
peer_id(const struct ixg_spec *s, const char *name)
{
	for (uint32_t i = 0; i < s->n_peers; i++)
		if (strcmp(s->peers[i].name, name) == 0)
			return s->peers[i].id;
	fail_msg("no peer %s", name);
	return 0;
}

static void
test_compile_groups(void **state)
{
	struct ixg_spec s;
	const struct ixg_spec_nhgroup *g;
	uint16_t a, b;

	(void)state;
	compile_ok(HEAD "route 198.51.100.0/24 { via b weight 6; via a weight "
			"2; }\n"
			"route 2001:db8:1::/48 { via a; via b weight 3; }\n"
			"route 203.0.113.0/24 { via a; via b; via c; }\n",
		   NULL, &s);
	a = peer_id(&s, "a");
	b = peer_id(&s, "b");
	assert_int_equal(s.n_routes4, 2);
	assert_int_equal(s.n_routes6, 1);
	/* 2:6 is 1:3: one group for the first two blocks */
	assert_int_equal(s.n_nhgroups, 2);
	g = group_of(&s, s.routes6[0].peer_id);
	assert_int_equal(g->n_members, 2);
	assert_int_equal(g->peer_id[0], a); /* sorted by peer id */
	assert_int_equal(g->weight[0], 1);
	assert_int_equal(g->peer_id[1], b);
	assert_int_equal(g->weight[1], 3);
	assert_int_equal(g->peer_id[2], 0); /* the rest zero */
	for (uint32_t i = 0; i < s.n_routes4; i++) {
		const struct ixg_spec_nhgroup *x = group_of(
			&s, s.routes4[i].peer_id);

		if (s.routes4[i].addr == 0xc6336400u) /* 198.51.100.0 */
			assert_ptr_equal(x, g);
		else
			assert_int_equal(x->n_members, 3);
	}
	/* ids distinct, from 0 */
	assert_true(s.nhgroups[0].id != s.nhgroups[1].id);
	assert_true(s.nhgroups[0].id < 2 && s.nhgroups[1].id < 2);
	/* strict members source nothing of it */
	assert_int_equal(s.n_sources4, 0);
	assert_int_equal(s.n_sources6, 0);
	ixg_spec_free(&s);
}

static void
test_origin_and_print(void **state)
{
	const char *text = HEAD "route 198.51.100.0/24 {\n"
				"\tvia a;\n"
				"\tvia b weight 3;\n"
				"}\n";
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c = parse(text, d), *c2;
	struct ixg_spec s;
	char buf[128], *p1 = NULL, *p2 = NULL;
	size_t l1 = 0, l2 = 0;
	FILE *f;

	(void)state;
	assert_non_null(c);
	assert_int_equal(ixg_conf_compile(c, &s, d), 0);
	assert_int_equal(
		ixg_conf_origin(c, s.routes4[0].origin, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "t.conf:6:7");
	assert_int_equal(
		ixg_conf_origin(c, s.nhgroups[0].origin, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "t.conf:6:7");
	f = open_memstream(&p1, &l1);
	ixg_conf_print(c, f);
	fclose(f);
	assert_non_null(strstr(p1, "route 198.51.100.0/24 {\n\tvia a;\n\tvia b "
				   "weight 3;\n}\n"));
	c2 = ixg_conf_parse_string("p.conf", p1, l1, d);
	assert_non_null(c2);
	f = open_memstream(&p2, &l2);
	ixg_conf_print(c2, f);
	fclose(f);
	assert_string_equal(p1, p2); /* fixed point */
	free(p1);
	free(p2);
	ixg_spec_free(&s);
	ixg_conf_free(c);
	ixg_conf_free(c2);
	ixg_diags_free(d);
}

/* A group the running spec has keeps its id; a new one takes an id the
 * running spec does not use (its counters start from zero). */
static void
test_ids_kept(void **state)
{
	struct ixg_spec s1, s2;
	uint16_t g_ab, g_bc;

	(void)state;
	compile_ok(HEAD "route 10.1.0.0/16 { via a; via b; }\n"
			"route 10.2.0.0/16 { via b; via c; }\n",
		   NULL, &s1);
	g_ab = s1.routes4[0].peer_id;
	g_bc = s1.routes4[1].peer_id;
	assert_int_not_equal(g_ab, g_bc);
	/* a new group first in the file; the old ones keep their ids */
	compile_ok(HEAD "route 10.3.0.0/16 { via a; via c; }\n"
			"route 10.2.0.0/16 { via c; via b; }\n"
			"route 10.1.0.0/16 { via b; via a; }\n",
		   &s1, &s2);
	assert_int_equal(s2.n_nhgroups, 3);
	for (uint32_t i = 0; i < s2.n_routes4; i++) {
		uint16_t v = s2.routes4[i].peer_id;

		switch (s2.routes4[i].addr >> 16) {
		case 0x0a01: assert_int_equal(v, g_ab); break;
		case 0x0a02: assert_int_equal(v, g_bc); break;
		default:
			assert_true(v & IXG_NH_GROUP);
			assert_int_equal(v & ~IXG_NH_GROUP, 2);
		}
	}
	ixg_spec_free(&s1);
	ixg_spec_free(&s2);
}

/* Through a compile cache, as ixgate-control compiles a reload: a route
 * block that loses a member is still there, naming its new group. */
static void
test_cache_reload(void **state)
{
	struct ixg_conf_cache *cache = ixg_conf_cache_new();
	struct ixg_diags *d = ixg_diags_new();
	const char *t1 = HEAD "route 10.1.0.0/16 { via a; via b; via c; }\n";
	const char *t2 = HEAD "route 10.1.0.0/16 { via a; via b; }\n";
	struct ixg_conf *c1 = parse(t1, d), *c2 = parse(t2, d);
	struct ixg_spec s1, s2;

	(void)state;
	assert_non_null(cache);
	assert_non_null(c1);
	assert_non_null(c2);
	assert_int_equal(ixg_conf_compile_cache(c1, NULL, cache, &s1, d), 0);
	assert_int_equal(ixg_conf_compile_cache(c2, &s1, cache, &s2, d), 0);
	assert_int_equal(s2.n_routes4, 1);
	assert_int_equal(s2.n_nhgroups, 1);
	assert_int_equal(s2.nhgroups[0].n_members, 2);
	assert_int_equal(s2.nhgroups[0].id, 1); /* not prev's 0 */
	assert_int_equal(s2.routes4[0].peer_id, IXG_NH_GROUP | 1);
	ixg_spec_free(&s1);
	ixg_spec_free(&s2);
	ixg_conf_free(c1);
	ixg_conf_free(c2);
	ixg_diags_free(d);
	ixg_conf_cache_free(cache);
}

/* feasible members may source the prefix, strict and loose do not get it
 * as a source; max-prefix counts announce lists only. */
static void
test_sources_and_max_prefix(void **state)
{
	struct ixg_spec s;
	uint16_t a, b;

	(void)state;
	compile_ok("node { name n1; country SG; }\n"
		   "port p0 { device \"net_ring0\"; }\n"
		   "peer a { asn 1; port p0; mac 02:00:00:00:00:01;"
		   " source-validation feasible; max-prefix 1;"
		   " announce { 192.0.2.0/24; } }\n"
		   "peer b { asn 2; port p0; mac 02:00:00:00:00:02;"
		   " source-validation loose; }\n"
		   "route 198.51.100.0/24 { via a; via b; }\n"
		   "route 2001:db8::/32 { via a; via b; }\n",
		   NULL, &s);
	a = peer_id(&s, "a");
	b = peer_id(&s, "b");
	(void)b;
	assert_int_equal(s.n_routes4, 2);
	assert_int_equal(s.n_sources4, 2); /* a: its announce + the route */
	assert_int_equal(s.n_sources6, 1);
	for (uint32_t i = 0; i < s.n_sources4; i++)
		assert_int_equal(s.sources4[i].peer_id, a);
	assert_int_equal(s.sources6[0].peer_id, a);
	assert_int_equal(s.sources6[0].len, 32);
	ixg_spec_free(&s);
}

static void
test_errors(void **state)
{
	(void)state;
	fails_with(HEAD "route 10.0.0.0/8 { via a; via d; }\n",
		   "t.conf:6:31: error: unknown peer 'd'; did you mean 'a'?",
		   1);
	fails_with(HEAD "route 10.0.0.0/8 { via a weight 0; via b; }\n",
		   "t.conf:6:33: error: weight 0 out of range (1..256)", 1);
	fails_with(HEAD "route 10.0.0.0/8 { via a; via b weight 257; }\n",
		   "t.conf:6:40: error: weight 257 out of range (1..256)", 1);
	fails_with(HEAD "route 10.0.0.0/8 { via a; via b weight x; }\n",
		   "t.conf:6:40: error: expected weight, got 'x'", 1);
	fails_with(HEAD "route 10.0.0.0/8 { via a; via b; via a weight 2; }\n",
		   "t.conf:6:38: error: member 'a' given twice in this route "
		   "(first at t.conf:6:24)",
		   1);
	fails_with(HEAD "route 10.0.0.0/8 { via a; }\n",
		   "t.conf:6:1: error: a route needs at least two 'via' "
		   "members, got 1 (a prefix of one member goes in its "
		   "'announce')",
		   1);
	fails_with(
		HEAD "route 10.0.0.1/8 { via a; via b; }\n",
		"t.conf:6:7: error: prefix 10.0.0.1/8 has host bits set; did "
		"you mean 10.0.0.0/8?",
		1);
	fails_with(HEAD "route 10.0.0.0/8 { via a; vai b; }\n",
		   "t.conf:6:27: error: unknown keyword 'vai'; did you mean "
		   "'via'?",
		   1);
	fails_with(HEAD "route 10.0.0.0/8 { via a; via b; }\n"
			"route 10.0.0.0/8 { via b; via c; }\n",
		   "t.conf:7:7: error: route given twice (first at t.conf:6:7)",
		   1);
	fails_with(HEAD "route 10.0.0.0/8;\n",
		   "t.conf:6:17: error: expected '{' after the route's prefix, "
		   "got ';'",
		   1);
	/* the same prefix in a route block and a member's announce */
	fails_with(
		"node { name n1; country SG; }\n"
		"port p0 { device \"net_ring0\"; }\n"
		"peer a { asn 1; port p0; mac 02:00:00:00:00:01;"
		" announce { 10.0.0.0/8; } }\n"
		"peer b { asn 2; port p0; mac 02:00:00:00:00:02; }\n"
		"route 10.0.0.0/8 { via a; via b; }\n",
		"t.conf:5:7: error: prefix 10.0.0.0/8 of this route block is "
		"already announced by peer 'a' (at t.conf:3:60)",
		1);
}

static void
test_too_many_members(void **state)
{
	char text[4096];
	size_t l;

	(void)state;
	l = (size_t)snprintf(text, sizeof(text),
			     "node { name n1; country SG; }\n"
			     "port p0 { device \"net_ring0\"; }\n");
	for (unsigned i = 1; i <= IXG_NHG_MAX_MEMBERS + 1; i++)
		l += (size_t)snprintf(text + l, sizeof(text) - l,
				      "peer m%u { asn %u; port p0; mac "
				      "02:00:00:00:01:%02x; }\n",
				      i, 64500 + i, i);
	l += (size_t)snprintf(text + l, sizeof(text) - l, "route 10.0.0.0/8 {");
	for (unsigned i = 1; i <= IXG_NHG_MAX_MEMBERS + 1; i++)
		l += (size_t)snprintf(text + l, sizeof(text) - l, " via m%u;",
				      i);
	snprintf(text + l, sizeof(text) - l, " }\n");
	fails_with(text,
		   "error: more than 16 'via' members (a next-hop group holds "
		   "at most 16)",
		   1);
	/* 16 is fine */
	{
		struct ixg_spec s;
		char *cut = strstr(text, " via m17;");

		memcpy(cut, " }\n", 4);
		compile_ok(text, NULL, &s);
		assert_int_equal(s.n_nhgroups, 1);
		assert_int_equal(s.nhgroups[0].n_members, 16);
		ixg_spec_free(&s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compile_groups),
		cmocka_unit_test(test_origin_and_print),
		cmocka_unit_test(test_ids_kept),
		cmocka_unit_test(test_cache_reload),
		cmocka_unit_test(test_sources_and_max_prefix),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_too_many_members),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
