/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tables_build_from: a snapshot shares with the previous one the components
 * whose inputs did not change, rebuilds the others, answers lookups as a
 * full build would, and frees shared components exactly once whatever the
 * order the snapshots are freed in.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "acl_class.h"
#include "dp_test_util.h"
#include "fibrec.h"

static void *
dup_array(const void *p, uint32_t n, size_t sz)
{
	void *q;

	if (n == 0 || p == NULL)
		return NULL;
	q = malloc(n * sz);
	assert_non_null(q);
	memcpy(q, p, n * sz);
	return q;
}

/* A deep copy: equal contents, no array shared with s. */
static struct ixg_spec *
spec_dup(const struct ixg_spec *s)
{
	struct ixg_spec *d = malloc(sizeof(*d));

	assert_non_null(d);
	*d = *s;
#define DUP(f, n) d->f = dup_array(s->f, s->n, sizeof(*s->f))
	DUP(ports, n_ports);
	DUP(local_addrs, n_local_addrs);
	DUP(peers, n_peers);
	DUP(classes, n_classes);
	DUP(acl_rules, n_acl_rules);
	DUP(routes4, n_routes4);
	DUP(routes6, n_routes6);
	DUP(sources4, n_sources4);
	DUP(sources6, n_sources6);
	DUP(blackholes, n_blackholes);
	DUP(countries, n_countries);
	DUP(country4, n_country4);
	DUP(country6, n_country6);
#undef DUP
	return d;
}

static struct ixg_spec *
full_spec(void)
{
	struct ixg_spec *s = dp_spec_new();

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_port(s, 1, "02:00:00:00:00:02");
	dp_spec_peer(s, 1, 0, 100, "02:00:00:00:01:01", IXG_SAV_STRICT);
	dp_spec_peer(s, 2, 0, 100, "02:00:00:00:01:02", IXG_SAV_STRICT);
	dp_spec_peer(s, 7, 1, 0, "02:00:00:00:01:07", IXG_SAV_LOOSE);
	dp_spec_local(s, 0, "192.0.2.254", 24);
	dp_spec_local(s, 0, "2001:db8:ffff::fe", 64);
	dp_spec_route4(s, "10.0.0.0", 8, 1);
	dp_spec_route4(s, "10.1.0.0", 16, 2);
	dp_spec_route4(s, "10.1.2.128", 25, 7);
	dp_spec_route6(s, "2001:db8::", 32, 1);
	dp_spec_route6(s, "2001:db8:1::", 48, 2);
	dp_spec_source4(s, "10.0.0.0", 8, 1);
	dp_spec_source4(s, "10.1.0.0", 16, 2);
	dp_spec_source6(s, "2001:db8::", 32, 1);
	dp_spec_blackhole(s, "10.9.9.0", 24, 0);
	dp_spec_acl(s, 1, 1, 4, IXG_ACL_DENY);
	dp_spec_acl(s, 2, 2, 6, IXG_ACL_DENY);
	dp_spec_country4(s, "10.0.0.0", 8, "CN");
	dp_spec_country6(s, "2001:db8::", 32, "HK");
	return s;
}

static struct tables *
build_from(const struct ixg_spec *s, const struct ixg_spec *ps,
	   const struct tables *prev, uint64_t gen)
{
	char err[256];
	struct tables *t = tables_build_from(s, ps, prev, 2, gen, err,
					     sizeof(err));

	if (t == NULL)
		fail_msg("tables_build_from: %s (errno %d)", err, errno);
	return t;
}

/* The answers every snapshot of full_spec() gives, shared or rebuilt. */
static void
check_answers(const struct tables *t)
{
	assert_int_equal(dp_route4(t->route4, "10.2.3.4"), 1);
	assert_int_equal(dp_route4(t->route4, "10.1.3.4"), 2);
	assert_int_equal(dp_route4(t->route4, "10.1.2.200"), 7);
	assert_int_equal(dp_route4(t->route4, "10.9.9.1"), NH_BLACKHOLE | 0);
	assert_int_equal(dp_route4(t->route4, "192.0.2.254"), NH_LOCAL | 0);
	assert_int_equal(dp_route4(t->route4, "192.0.3.1"), NH_NONE);
	assert_int_equal(dp_route6(t->route6, "2001:db8:1::1"), 2);
	assert_int_equal(dp_route6(t->route6, "2001:db8:2::1"), 1);
	assert_int_equal(dp_route6(t->route6, "2001:db8:ffff::fe"),
			 NH_LOCAL | 1);
	assert_int_equal(
		tbl_sav_leaf_peers((uint32_t)dp_lookup4(t->sav4, "10.2.0.1")),
		1);
	assert_int_equal(
		tbl_sav_leaf_peers((uint32_t)dp_lookup4(t->sav4, "10.1.0.1")) &
			SAV_SET,
		SAV_SET);
	assert_int_equal(tbl_sav_leaf_peers(
				 (uint32_t)dp_lookup6(t->sav6, "2001:db8::1")),
			 1);
	assert_int_equal(dp_lookup4(t->country4, "10.5.5.5"), 1);
	assert_int_equal(dp_lookup6(t->country6, "2001:db8::1"), 2);
	assert_true(acl_class_has(t->acl, 4));
	assert_true(acl_class_has(t->acl, 6));
	assert_int_equal(t->n_acl_actions, 2);
	assert_int_equal(t->acl_actions[0].rule_id, 1);
}

static void
assert_shared(const struct tables *a, const struct tables *b, int route4,
	      int route6, int rest)
{
	assert_int_equal(a->route4 == b->route4, route4);
	assert_int_equal(a->route6 == b->route6, route6);
	assert_int_equal(a->sav4 == b->sav4, rest);
	assert_int_equal(a->sav6 == b->sav6, rest);
	assert_int_equal(a->sav_sets == b->sav_sets, rest);
	assert_int_equal(a->acl == b->acl, rest);
	assert_int_equal(a->acl_actions == b->acl_actions, rest);
	assert_int_equal(a->country4 == b->country4, rest);
	assert_int_equal(a->country6 == b->country6, rest);
}

/* Names and rates of peers changed (new peers array, equal contents
 * elsewhere): every FIB, the SAV sets and the ACL are shared. */
static void
test_peer_change_shares_all(void **state)
{
	unsigned long base = tables_parts_live();
	struct ixg_spec *s = full_spec(), *n = spec_dup(s);
	struct tables *a, *b;

	(void)state;
	snprintf(n->peers[0].name, sizeof(n->peers[0].name), "renamed");
	n->peers[1].rate = 1000000;
	a = build_from(s, NULL, NULL, 100);
	assert_int_equal(tables_parts_live(), base + tables_shared_parts());
	b = build_from(n, s, a, 101);
	assert_int_equal(tables_parts_live(), base + tables_shared_parts());
	assert_shared(a, b, 1, 1, 1);
	assert_string_equal(b->peers[1].name, "renamed");
	assert_true(b->peer_metered[2]);
	assert_false(a->peer_metered[2]);
	check_answers(b);
	tables_free(a);
	assert_int_equal(tables_parts_live(), base + tables_shared_parts());
	check_answers(b);
	tables_free(b);
	assert_int_equal(tables_parts_live(), base);
	dp_spec_free(n);
	dp_spec_free(s);
}

/* One route changed: route4 alone is rebuilt; the old snapshot keeps its
 * answers; freed newest first. */
static void
test_route_change_rebuilds_route4(void **state)
{
	unsigned long base = tables_parts_live();
	struct ixg_spec *s = full_spec(), *n = spec_dup(s);
	struct tables *a, *b;

	(void)state;
	n->routes4[0].peer_id = 7;
	a = build_from(s, NULL, NULL, 200);
	b = build_from(n, s, a, 201);
	assert_shared(a, b, 0, 1, 1);
	assert_int_equal(tables_parts_live(), base + tables_shared_parts() + 1);
	assert_int_equal(dp_route4(a->route4, "10.2.3.4"), 1);
	assert_int_equal(dp_route4(b->route4, "10.2.3.4"), 7);
	assert_int_equal(dp_route4(b->route4, "10.1.3.4"), 2);
	tables_free(b);
	assert_int_equal(tables_parts_live(), base + tables_shared_parts());
	check_answers(a);
	tables_free(a);
	assert_int_equal(tables_parts_live(), base);
	dp_spec_free(n);
	dp_spec_free(s);
}

/* The IPv4 country map changed: the route4 FIB, whose leaves hold the
 * destination's country (tables.h NH_COUNTRY_SHIFT), is rebuilt with the
 * country part; route6 and the rest but the country FIBs are shared. */
static void
test_country_change_rebuilds_route4(void **state)
{
	unsigned long base = tables_parts_live();
	struct ixg_spec *s = full_spec(), *n = spec_dup(s);
	uint16_t hk = dp_spec_country(s, "HK"), cn = dp_spec_country(s, "CN");
	struct tables *a, *b;

	(void)state;
	n->country4[0].country = hk;
	a = build_from(s, NULL, NULL, 250);
	b = build_from(n, s, a, 251);
	assert_true(a->route4 != b->route4);
	assert_true(a->route6 == b->route6);
	assert_true(a->country4 != b->country4);
	/* the SAV leaves hold the sources' countries too (tables.h) */
	assert_true(a->sav4 != b->sav4 && a->sav6 == b->sav6);
	assert_true(a->acl == b->acl);
	check_answers(a);
	assert_int_equal(dp_lookup4(a->route4, "10.1.3.4"),
			 2 | (uint32_t)cn << NH_COUNTRY_SHIFT);
	assert_int_equal(dp_lookup4(b->route4, "10.1.3.4"),
			 2 | (uint32_t)hk << NH_COUNTRY_SHIFT);
	assert_int_equal(dp_lookup4(b->route4, "10.9.9.1"),
			 NH_BLACKHOLE | (uint32_t)hk << NH_COUNTRY_SHIFT);
	/* no country prefix: country 0, the leaf is the next hop alone */
	assert_int_equal(dp_lookup4(b->route4, "192.0.2.254"), NH_LOCAL | 0);
	assert_int_equal(dp_lookup4(b->country4, "10.1.3.4"), hk);
	tables_free(a);
	assert_int_equal(dp_route4(b->route4, "10.1.3.4"), 2);
	assert_int_equal(dp_route4(b->route4, "10.1.2.200"), 7);
	assert_int_equal(dp_route6(b->route6, "2001:db8:1::1"), 2);
	tables_free(b);
	assert_int_equal(tables_parts_live(), base);
	dp_spec_free(n);
	dp_spec_free(s);
}

/* Arrays shared by pointer (what a transaction's shadow spec does), a
 * chain of three snapshots freed oldest first, middle first and newest
 * first. */
static void
test_chain_free_orders(void **state)
{
	static const int orders[3][3] = {{0, 1, 2}, {1, 0, 2}, {2, 1, 0}};
	unsigned long base = tables_parts_live();
	struct ixg_spec *s = full_spec();

	(void)state;
	for (unsigned o = 0; o < 3; o++) {
		struct ixg_spec n1 = *s, n2;
		struct tables *t[3];

		n1.acl_rules = dup_array(s->acl_rules, s->n_acl_rules,
					 sizeof(*s->acl_rules));
		n1.acl_rules[0].action = IXG_ACL_PERMIT;
		n2 = n1;
		n2.routes6 = dup_array(s->routes6, s->n_routes6,
				       sizeof(*s->routes6));
		n2.routes6[1].peer_id = 7;
		t[0] = build_from(s, NULL, NULL, 300 + 10 * o);
		t[1] = build_from(&n1, s, t[0], 301 + 10 * o);
		t[2] = build_from(&n2, &n1, t[1], 302 + 10 * o);
		assert_true(t[1]->acl != t[0]->acl);
		assert_true(t[1]->route4 == t[0]->route4);
		assert_true(t[2]->route4 == t[0]->route4);
		assert_true(t[2]->acl == t[1]->acl);
		assert_true(t[2]->route6 != t[1]->route6);
		assert_true(t[2]->sav4 == t[0]->sav4);
		assert_int_equal(t[1]->acl_actions[0].action, IXG_ACL_PERMIT);
		assert_int_equal(dp_route6(t[2]->route6, "2001:db8:1::1"), 7);
		assert_int_equal(tables_parts_live(),
				 base + tables_shared_parts() + 2);
		for (unsigned i = 0; i < 3; i++) {
			tables_free(t[orders[o][i]]);
			for (unsigned j = i + 1; j < 3; j++)
				assert_int_equal(
					dp_route4(t[orders[o][j]]->route4,
						  "10.2.3.4"),
					1);
		}
		assert_int_equal(tables_parts_live(), base);
		free(n1.acl_rules);
		free(n2.routes6);
	}
	dp_spec_free(s);
}

/* A refused build drops the references it took; the previous snapshot
 * stays whole. A removed peer still used by a route is refused even with
 * the routes unchanged. */
static void
test_refused_build_keeps_prev(void **state)
{
	unsigned long base = tables_parts_live();
	struct ixg_spec *s = full_spec(), *n = spec_dup(s);
	struct tables *a;
	char err[256];

	(void)state;
	a = build_from(s, NULL, NULL, 400);
	n->acl_rules[1].action = 200;
	assert_null(tables_build_from(n, s, a, 2, 401, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "acl rule 2"));
	assert_int_equal(tables_parts_live(), base + tables_shared_parts());
	n->acl_rules[1].action = IXG_ACL_DENY;
	n->n_peers = 2;
	assert_null(tables_build_from(n, s, a, 2, 402, err, sizeof(err)));
	assert_non_null(strstr(err, "peer not configured"));
	assert_int_equal(tables_parts_live(), base + tables_shared_parts());
	check_answers(a);
	tables_free(a);
	assert_int_equal(tables_parts_live(), base);
	dp_spec_free(n);
	dp_spec_free(s);
}

/* The same spec once a blackhole expired (the main loop's rebuild): the
 * destination FIB is rebuilt without it, the rest is shared. */
static void
test_blackhole_expiry_rebuilds_route4(void **state)
{
	unsigned long base = tables_parts_live();
	struct ixg_spec *s = full_spec();
	struct tables *a, *b;

	(void)state;
	dp_spec_blackhole(s, "10.3.0.0", 16, (int64_t)time(NULL) + 2);
	a = build_from(s, NULL, NULL, 500);
	assert_int_equal(dp_route4(a->route4, "10.3.0.1"), NH_BLACKHOLE | 1);
	b = build_from(s, s, a, 501);
	assert_shared(a, b, 1, 1, 1);
	tables_free(a);
	while (time(NULL) <= b->next_expiry)
		usleep(100000);
	a = build_from(s, s, b, 502);
	assert_shared(a, b, 0, 1, 1);
	assert_int_equal(dp_route4(a->route4, "10.3.0.1"), 1);
	assert_int_equal(dp_route4(a->route4, "10.9.9.1"), NH_BLACKHOLE | 0);
	assert_int_equal(a->next_expiry, 0);
	tables_free(a);
	tables_free(b);
	assert_int_equal(tables_parts_live(), base);
	dp_spec_free(s);
}

/*
 * With warm spares (fibrec.h): a changed prefix list patches the spare
 * instead of building a FIB (only the difference is applied), the SAV sets
 * keep their numbers so unchanged sources keep their next hops, the
 * published snapshot is untouched, and the retired FIB becomes the spare
 * for the next change.
 */
static void
test_prefix_change_patches_spare(void **state)
{
	unsigned long base = tables_parts_live(), fibs0 = fibrec_live();
	struct ixg_spec *s = full_spec(), *n, *m;
	struct tables *a, *b, *c;
	int rc;

	(void)state;
	fibrec_set_spares(true);
	dp_spec_source4(s, "10.3.0.0", 16, 7); /* set {1, 7} */
	n = spec_dup(s);
	dp_spec_route4(n, "10.4.0.0", 16, 2);
	dp_spec_source4(n, "10.4.0.0", 16, 2); /* set {1, 2} again */
	a = build_from(s, NULL, NULL, 300);
	assert_int_equal(a->fib_stat[FIB_ROUTE4].how, FIBREC_FRESH);
	while ((rc = tables_warm_one(a)) == 1)
		;
	assert_int_equal(rc, 0);
	assert_int_equal(fibrec_spares(), FIB_SLOTS);

	b = build_from(n, s, a, 301);
	assert_int_equal(b->fib_stat[FIB_ROUTE4].how, FIBREC_PATCHED);
	assert_int_equal(b->fib_stat[FIB_ROUTE4].adds, 1);
	assert_int_equal(b->fib_stat[FIB_ROUTE4].dels, 0);
	assert_int_equal(b->fib_stat[FIB_ROUTE6].how, FIBREC_NONE);
	assert_ptr_equal(b->route6, a->route6);
	assert_int_equal(b->fib_stat[FIB_SAV4].how, FIBREC_PATCHED);
	assert_int_equal(b->fib_stat[FIB_SAV4].adds, 1);
	/* sources6 did not change: sav6 is kept, not even patched */
	assert_int_equal(b->fib_stat[FIB_SAV6].how, FIBREC_NONE);
	assert_ptr_equal(b->sav6, a->sav6);
	/* the sets kept their numbers */
	assert_int_equal(b->n_sav_sets, a->n_sav_sets);
	assert_int_equal(
		tbl_sav_leaf_peers((uint32_t)dp_lookup4(b->sav4, "10.1.0.1")),
		tbl_sav_leaf_peers((uint32_t)dp_lookup4(a->sav4, "10.1.0.1")));
	assert_int_equal(
		tbl_sav_leaf_peers((uint32_t)dp_lookup4(b->sav4, "10.4.0.1")),
		tbl_sav_leaf_peers((uint32_t)dp_lookup4(a->sav4, "10.1.0.1")));
	assert_int_equal(
		tbl_sav_leaf_peers((uint32_t)dp_lookup4(b->sav4, "10.3.0.1")) &
			SAV_SET,
		SAV_SET);
	assert_int_equal(dp_route4(b->route4, "10.4.1.1"), 2);
	assert_int_equal(dp_route4(a->route4, "10.4.1.1"), 1);
	check_answers(a);
	check_answers(b);

	/* a's FIBs become the spares; going back to s patches nothing: the
	 * spare already holds s's content */
	tables_free(a);
	m = spec_dup(s);
	c = build_from(m, n, b, 302);
	assert_int_equal(c->fib_stat[FIB_ROUTE4].how, FIBREC_PATCHED);
	assert_int_equal(
		c->fib_stat[FIB_ROUTE4].adds + c->fib_stat[FIB_ROUTE4].dels, 0);
	assert_int_equal(dp_route4(c->route4, "10.4.1.1"), 1);
	assert_int_equal(dp_route4(b->route4, "10.4.1.1"), 2);
	check_answers(c);
	tables_free(b);
	tables_free(c);
	assert_int_equal(tables_parts_live(), base);
	fibrec_set_spares(false);
	assert_int_equal(fibrec_live(), fibs0);
	dp_spec_free(m);
	dp_spec_free(n);
	dp_spec_free(s);
}

/* A spec with 80 peers and one source /24 per pair of them (3,160
 * two-peer sets), or, with `single`, every /24 from peer 1 (no sets). */
static struct ixg_spec *
pairs_spec(int single)
{
	struct ixg_spec *s = dp_spec_new();
	unsigned k = 0;

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	for (uint16_t id = 1; id <= 80; id++) {
		char mac[32];

		snprintf(mac, sizeof(mac), "02:00:00:00:02:%02x", id);
		dp_spec_peer(s, id, 0, 100, mac, IXG_SAV_STRICT);
	}
	for (uint16_t a = 1; a <= 80; a++)
		for (uint16_t b = a + 1; b <= 80; b++, k++) {
			char pfx[32];

			snprintf(pfx, sizeof(pfx), "10.%u.%u.0", k / 256,
				 k % 256);
			dp_spec_source4(s, pfx, 24, single ? 1 : a);
			dp_spec_source4(s, pfx, 24, single ? 1 : b);
		}
	return s;
}

/* Sets no prefix uses are carried (stable numbers) until they outnumber
 * the used ones by more than 1,024; the build after that numbers afresh. */
static void
test_sav_sets_compacted(void **state)
{
	struct ixg_spec *s = pairs_spec(0), *one = pairs_spec(1),
			*one2 = pairs_spec(1);
	struct tables *a, *b, *c;

	(void)state;
	a = build_from(s, NULL, NULL, 400);
	assert_int_equal(a->n_sav_sets, 3160);
	assert_int_equal(a->n_sav_sets_used, 3160);
	b = build_from(one, s, a, 401);
	assert_int_equal(b->n_sav_sets, 3160); /* kept for their numbers */
	assert_int_equal(b->n_sav_sets_used, 0);
	assert_int_equal(
		tbl_sav_leaf_peers((uint32_t)dp_lookup4(b->sav4, "10.0.5.1")),
		1);
	one2->sources4[0].len = 23; /* any change of the sources */
	c = build_from(one2, one, b, 402);
	assert_int_equal(c->n_sav_sets, 0); /* numbered afresh */
	assert_int_equal(
		tbl_sav_leaf_peers((uint32_t)dp_lookup4(c->sav4, "10.0.5.1")),
		1);
	tables_free(a);
	tables_free(b);
	tables_free(c);
	dp_spec_free(s);
	dp_spec_free(one);
	dp_spec_free(one2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_change_shares_all),
		cmocka_unit_test(test_route_change_rebuilds_route4),
		cmocka_unit_test(test_country_change_rebuilds_route4),
		cmocka_unit_test(test_chain_free_orders),
		cmocka_unit_test(test_refused_build_keeps_prev),
		cmocka_unit_test(test_blackhole_expiry_rebuilds_route4),
		cmocka_unit_test(test_prefix_change_patches_spare),
		cmocka_unit_test(test_sav_sets_compacted),
	};

	dp_test_eal_init("t_reuse", 1536);
	fibrec_set_spare_min(0); /* spares for the small test tables too */
	fibrec_set_patch_ratio(2); /* and patches for their bigger changes */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
