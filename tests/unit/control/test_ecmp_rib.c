/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ecmp_rib.c - ECMP next-hop groups in ixgate-control (rib_table.c's
 * resolve, rib_nhg.c): a multipath kernel route to several members becomes
 * a route to a group, shared by every prefix of the same members and
 * weights, counted by the entries that name it and dropped after the
 * last; dead, link-down and non-member gateways left out, one member left
 * a plain route; weights; max-prefix counting an ECMP route for each
 * member and leaving a shut member out of the groups sent; filter
 * sources per member; feasible sources for each member; re-resolution;
 * the config's route blocks' groups shared with the kernel's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/rtnetlink.h>

#include "ixg_api.h"
#include "rib_nhg.h"
#include "rib_table.h"
#include "rib_test_util.h"
#include "rtnl_store.h"

#define G(id) ((uint16_t)(IXG_NH_GROUP | (id)))

struct fx {
	struct rtnl_store *st;
	struct rib_table *t;
	struct ixg_spec s;
	struct ixg_spec_peer peers[4];
	struct ixg_spec_route4 sources4[4];
	struct rib_policy pol;
};

#define h4 rtu_h4

/* Members 1..4 ("m1".."m4"), next hops 192.0.2.N and 2001:db8::N; 1..3
 * may source 198.51.100.0/22, 4 nothing. */
static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	uint32_t tables[1] = {100};

	assert_non_null(f);
	f->st = rtnl_store_new(tables, 1);
	f->t = rib_table_new();
	assert_non_null(f->st);
	assert_non_null(f->t);
	for (unsigned i = 0; i < 4; i++) {
		struct ixg_spec_peer *p = &f->peers[i];
		char a[64];

		p->id = (uint16_t)(i + 1);
		snprintf(p->name, IXG_NAME_LEN, "m%u", i + 1);
		p->has_nh4 = p->has_nh6 = 1;
		snprintf(a, sizeof(a), "192.0.2.%u", i + 1);
		inet_pton(AF_INET, a, p->nh4);
		snprintf(a, sizeof(a), "2001:db8::%u", i + 1);
		inet_pton(AF_INET6, a, p->nh6);
		if (i < 3)
			f->sources4[i] = (struct ixg_spec_route4){
				h4("198.51.100.0"), 22, 0, (uint16_t)(i + 1),
				0};
	}
	f->s.peers = f->peers;
	f->s.n_peers = 4;
	f->s.sources4 = f->sources4;
	f->s.n_sources4 = 3;
	assert_int_equal(
		rib_table_set_basis(f->t, &f->s, 0, 0, 0, &f->pol, f->st), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	rib_table_free(f->t);
	rtnl_store_free(f->st);
	free(f);
	return 0;
}

/* A route of table 100 via gws[0..n) (weights w, flags fl; NULL: 1, 0),
 * added or (del) deleted. */
static void
route(struct fx *f, bool del, const char *pfx, unsigned len,
      const char *const *gws, const uint16_t *w, const uint8_t *fl, unsigned n)
{
	rtu_route(f->st, del ? RTNL_OP_DEL : RTNL_OP_NEW, 1, pfx, len,
		  RTN_UNICAST, RTPROT_BIRD, gws, w, fl, n);
}

static void
on_batch(void *arg, const struct rtnl_batch *b)
{
	struct fx *f = arg;

	assert_true(rib_table_apply(f->t, b) >= 0);
}

static void
flush(struct fx *f)
{
	assert_true(rtnl_store_flush(f->st, false, 3, on_batch, f, NULL) >= 0);
}

static void
expect(struct fx *f, const char *pfx, unsigned len, int kind, uint16_t peer,
       bool merged)
{
	rtu_expect(f->t, pfx, len, kind, peer, merged);
}

static struct ixg_spec
merge(struct fx *f)
{
	struct ixg_spec m;

	memset(&m, 0, sizeof(m));
	assert_int_equal(rib_table_merge(f->t, &f->s, 0, 0, 0, &m), 0);
	return m;
}

#define spec_arrays_free rtu_spec_arrays_free

static const struct ixg_spec_nhgroup *
group_of(const struct ixg_spec *m, uint16_t id)
{
	for (uint32_t i = 0; i < m->n_nhgroups; i++)
		if (m->nhgroups[i].id == id)
			return &m->nhgroups[i];
	return NULL;
}

static const char *const GW12[] = {"192.0.2.1", "192.0.2.2"};
static const char *const GW21[] = {"192.0.2.2", "192.0.2.1"};
static const char *const GW13[] = {"192.0.2.1", "192.0.2.3"};
static const char *const GW123[] = {"192.0.2.1", "192.0.2.2", "192.0.2.3"};

static void
test_group_shared(void **state)
{
	struct fx *f = *state;
	struct ixg_spec m;
	const struct ixg_spec_nhgroup *g;
	const struct rib_nhg *reg = rib_table_groups(f->t);

	route(f, false, "198.51.100.0", 24, GW12, NULL, NULL, 2);
	route(f, false, "198.51.101.0", 24, GW21, NULL, NULL, 2);
	route(f, false, "198.51.102.0", 24, GW13, NULL, NULL, 2);
	route(f, false, "198.51.103.0", 24, GW12, NULL, NULL, 1);
	flush(f);
	expect(f, "198.51.100.0", 24, 0, G(0), true);
	expect(f, "198.51.101.0", 24, 0, G(0), true);
	expect(f, "198.51.102.0", 24, 0, G(1), true);
	expect(f, "198.51.103.0", 24, 0, 1, true);
	assert_int_equal(rib_nhg_refs(reg, 0), 2);
	assert_int_equal(rib_nhg_refs(reg, 1), 1);
	/* max-prefix counts: an ECMP route for each member */
	assert_int_equal(rib_table_member(f->t, 1)->routes, 4);
	assert_int_equal(rib_table_member(f->t, 2)->routes, 2);
	assert_int_equal(rib_table_member(f->t, 3)->routes, 1);
	m = merge(f);
	assert_int_equal(m.n_routes4, 4);
	assert_int_equal(m.n_nhgroups, 2);
	g = group_of(&m, 0);
	assert_non_null(g);
	assert_int_equal(g->n_members, 2);
	assert_int_equal(g->peer_id[0], 1);
	assert_int_equal(g->peer_id[1], 2);
	assert_int_equal(g->weight[0], 1);
	assert_int_equal(g->weight[1], 1);
	assert_int_equal(g->peer_id[2], 0);
	assert_int_equal(g->origin, IXG_ORIGIN_KERNEL);
	for (uint32_t i = 0; i < m.n_routes4; i++)
		if (m.routes4[i].addr == h4("198.51.101.0"))
			assert_int_equal(m.routes4[i].peer_id, G(0));
	spec_arrays_free(&m);

	/* the last route of group 1 leaves: dropped at the next merge,
	 * its id the first one a new group takes */
	route(f, false, "198.51.102.0", 24, GW13, NULL, NULL, 1);
	route(f, true, "198.51.102.0", 24, GW13, NULL, NULL, 2);
	flush(f);
	expect(f, "198.51.102.0", 24, 0, 1, true);
	assert_int_equal(rib_nhg_refs(reg, 1), 0);
	assert_int_equal(rib_table_member(f->t, 3)->routes, 0);
	m = merge(f);
	assert_int_equal(m.n_nhgroups, 1);
	assert_int_equal(rib_nhg_count(reg), 1);
	spec_arrays_free(&m);
	route(f, false, "198.51.100.128", 25, GW123, NULL, NULL, 3);
	flush(f);
	expect(f, "198.51.100.128", 25, 0, G(1), true);
	/* a prefix gone: its group's count follows */
	route(f, true, "198.51.101.0", 24, GW21, NULL, NULL, 2);
	flush(f);
	assert_int_equal(rib_nhg_refs(reg, 0), 1);
	assert_int_equal(rib_table_member(f->t, 2)->routes, 2);
}

static void
test_weights(void **state)
{
	struct fx *f = *state;
	static const uint16_t w13[] = {1, 3}, w22[] = {2, 2}, w26[] = {2, 6};
	struct ixg_spec m;
	const struct ixg_spec_nhgroup *g;

	route(f, false, "198.51.100.0", 24, GW12, NULL, NULL, 2);
	route(f, false, "198.51.101.0", 24, GW12, w22, NULL, 2);
	route(f, false, "198.51.102.0", 24, GW12, w13, NULL, 2);
	route(f, false, "198.51.103.0", 24, GW12, w26, NULL, 2);
	flush(f);
	/* 2:2 is 1:1, 2:6 is 1:3 */
	expect(f, "198.51.100.0", 24, 0, G(0), true);
	expect(f, "198.51.101.0", 24, 0, G(0), true);
	expect(f, "198.51.102.0", 24, 0, G(1), true);
	expect(f, "198.51.103.0", 24, 0, G(1), true);
	m = merge(f);
	g = group_of(&m, 1);
	assert_non_null(g);
	assert_int_equal(g->weight[0], 1);
	assert_int_equal(g->weight[1], 3);
	spec_arrays_free(&m);
}

static void
test_dead_and_strangers(void **state)
{
	struct fx *f = *state;
	static const char *const gw[] = {"192.0.2.1", "192.0.2.2",
					 "192.0.2.99"};
	static const uint8_t dead1[] = {RTNH_F_DEAD, 0, 0};
	static const uint8_t down1[] = {RTNH_F_LINKDOWN, 0, 0};
	static const uint8_t alldead[] = {RTNH_F_DEAD, RTNH_F_LINKDOWN, 0};
	static const char *const six[] = {"2001:db8::1", "2001:db8::3"};

	route(f, false, "198.51.100.0", 24, gw, NULL, NULL, 3);
	route(f, false, "198.51.101.0", 24, gw, NULL, dead1, 3);
	route(f, false, "198.51.102.0", 24, gw, NULL, down1, 3);
	route(f, false, "198.51.103.0", 24, gw, NULL, alldead, 3);
	/* IPv6 siblings, and an IPv4 route via IPv6 gateways (RFC 8950) */
	route(f, false, "2001:db8:100::", 48, six, NULL, NULL, 2);
	route(f, false, "198.51.100.64", 26, six, NULL, NULL, 2);
	flush(f);
	expect(f, "198.51.100.0", 24, 0, G(0), true);
	expect(f, "198.51.101.0", 24, 0, 2, true);
	expect(f, "198.51.102.0", 24, 0, 2, true);
	expect(f, "198.51.103.0", 24, RIB_K_UNRESOLVED, 0, false);
	expect(f, "2001:db8:100::", 48, 0, G(1), true);
	expect(f, "198.51.100.64", 26, 0, G(1), true);
}

/* Two gateways of one member: one member, the weights added. */
static void
test_one_member_twice(void **state)
{
	struct fx *f = *state;
	static const char *const gw[] = {"192.0.2.1", "2001:db8::1",
					 "192.0.2.2"};
	struct ixg_spec m;

	route(f, false, "198.51.100.0", 24, gw, NULL, NULL, 2);
	route(f, false, "198.51.101.0", 24, gw, NULL, NULL, 3);
	flush(f);
	expect(f, "198.51.100.0", 24, 0, 1, true);
	expect(f, "198.51.101.0", 24, 0, G(0), true);
	m = merge(f);
	assert_int_equal(m.nhgroups[0].weight[0], 2);
	assert_int_equal(m.nhgroups[0].weight[1], 1);
	spec_arrays_free(&m);
}

/* m1 over its max-prefix: out of every group sent, its plain routes not
 * merged; a group of m1 alone (with m2 shut too) not merged. */
static void
test_max_prefix(void **state)
{
	struct fx *f = *state;
	struct ixg_spec m;
	const struct ixg_spec_nhgroup *g;

	f->peers[0].max_prefix = 2;
	assert_int_equal(
		rib_table_set_basis(f->t, &f->s, 0, 0, 0, &f->pol, f->st), 0);
	route(f, false, "198.51.100.0", 24, GW12, NULL, NULL, 2);
	route(f, false, "198.51.101.0", 24, GW12, NULL, NULL, 2);
	flush(f);
	assert_false(rib_table_member(f->t, 1)->shut);
	route(f, false, "198.51.102.0", 24, GW12, NULL, NULL, 1);
	flush(f);
	assert_true(rib_table_member(f->t, 1)->shut);
	expect(f, "198.51.100.0", 24, 0, G(0), true);
	expect(f, "198.51.102.0", 24, 0, 1, false);
	m = merge(f);
	assert_int_equal(m.n_routes4, 2);
	g = group_of(&m, 0);
	assert_non_null(g);
	assert_int_equal(g->n_members, 1);
	assert_int_equal(g->peer_id[0], 2);
	spec_arrays_free(&m);
	/* back under 90%: m1 in the group again */
	route(f, true, "198.51.102.0", 24, GW12, NULL, NULL, 1);
	route(f, true, "198.51.101.0", 24, GW12, NULL, NULL, 2);
	flush(f);
	assert_false(rib_table_member(f->t, 1)->shut);
	m = merge(f);
	g = group_of(&m, 0);
	assert_int_equal(g->n_members, 2);
	spec_arrays_free(&m);
}

/* filter sources: m4 may source nothing, so it is left out of a group;
 * a route to m4 alone is filtered. */
static void
test_filter(void **state)
{
	struct fx *f = *state;
	static const char *const gw[] = {"192.0.2.1", "192.0.2.2", "192.0.2.4"};
	static const char *const gw4[] = {"192.0.2.4", "192.0.2.99"};

	f->pol.filter = true;
	assert_int_equal(
		rib_table_set_basis(f->t, &f->s, 0, 0, 0, &f->pol, f->st), 0);
	route(f, false, "198.51.100.0", 24, gw, NULL, NULL, 3);
	route(f, false, "198.51.101.0", 24, gw + 1, NULL, NULL, 2);
	route(f, false, "198.51.102.0", 24, gw4, NULL, NULL, 2);
	flush(f);
	expect(f, "198.51.100.0", 24, 0, G(0), true);
	expect(f, "198.51.101.0", 24, 0, 2, true);
	expect(f, "198.51.102.0", 24, RIB_K_FILTERED, 4, false);
	assert_int_equal(rib_table_member(f->t, 4)->filtered, 1);
	assert_int_equal(rib_table_member(f->t, 4)->routes, 0);
}

/* feasible: an ECMP prefix is a source of each feasible member. */
static void
test_feasible(void **state)
{
	struct fx *f = *state;
	struct ixg_spec m;
	unsigned of1 = 0, of2 = 0;

	f->peers[0].sav_mode = IXG_SAV_FEASIBLE;
	f->peers[1].sav_mode = IXG_SAV_FEASIBLE;
	route(f, false, "203.0.113.0", 24, GW123, NULL, NULL, 3);
	flush(f);
	memset(&m, 0, sizeof(m));
	assert_int_equal(rib_table_feasible(f->t, &f->s, 3, 0, &m), 0);
	assert_int_equal(m.n_sources4, 5);
	for (uint32_t i = 3; i < m.n_sources4; i++) {
		assert_int_equal(m.sources4[i].addr, h4("203.0.113.0"));
		of1 += m.sources4[i].peer_id == 1;
		of2 += m.sources4[i].peer_id == 2;
	}
	assert_int_equal(of1, 1);
	assert_int_equal(of2, 1);
	spec_arrays_free(&m);
}

/* A new basis without m2: its groups' routes are re-resolved (one
 * member left: a plain route), the groups counted again. */
static void
test_rebasis(void **state)
{
	struct fx *f = *state;
	struct ixg_spec m;

	route(f, false, "198.51.100.0", 24, GW12, NULL, NULL, 2);
	route(f, false, "198.51.101.0", 24, GW123, NULL, NULL, 3);
	flush(f);
	expect(f, "198.51.100.0", 24, 0, G(0), true);
	expect(f, "198.51.101.0", 24, 0, G(1), true);
	assert_int_equal(
		rib_table_set_basis(f->t, &f->s, 0, 0, 0, &f->pol, f->st), 0);
	expect(f, "198.51.100.0", 24, 0, G(0), true);
	expect(f, "198.51.101.0", 24, 0, G(1), true);
	assert_int_equal(rib_nhg_refs(rib_table_groups(f->t), 0), 1);
	f->peers[1].has_nh4 = 0;
	assert_int_equal(
		rib_table_set_basis(f->t, &f->s, 0, 0, 0, &f->pol, f->st), 0);
	expect(f, "198.51.100.0", 24, 0, 1, true);
	expect(f, "198.51.101.0", 24, 0, G(2), true);
	m = merge(f);
	assert_int_equal(m.n_nhgroups, 1);
	assert_int_equal(m.nhgroups[0].id, 2);
	assert_int_equal(m.nhgroups[0].peer_id[1], 3);
	assert_int_equal(rib_table_member(f->t, 1)->routes, 2);
	assert_int_equal(rib_table_member(f->t, 2)->routes, 0);
	spec_arrays_free(&m);
}

/* Adopting a dataplane (rib_table_prefer_groups): the groups learned
 * before it (ids 0, 1) are made again at the next basis with the ids the
 * dataplane runs (7 and 3), a set it lacks takes the lowest id it does
 * not use, and the merge names those ids. */
static void
test_adopted_ids(void **state)
{
	struct fx *f = *state;
	struct ixg_spec_nhgroup run[2];
	struct ixg_spec m;

	route(f, false, "198.51.100.0", 24, GW12, NULL, NULL, 2);
	route(f, false, "198.51.101.0", 24, GW123, NULL, NULL, 3);
	flush(f);
	expect(f, "198.51.100.0", 24, 0, G(0), true);
	expect(f, "198.51.101.0", 24, 0, G(1), true);
	memset(run, 0, sizeof(run));
	run[0] = (struct ixg_spec_nhgroup){
		.id = 7, .n_members = 2, .peer_id = {2, 1}, .weight = {1, 1}};
	run[1] = (struct ixg_spec_nhgroup){.id = 3,
					   .n_members = 3,
					   .peer_id = {1, 2, 3},
					   .weight = {1, 1, 1}};
	assert_int_equal(rib_table_prefer_groups(f->t, run, 2), 0);
	assert_int_equal(
		rib_table_set_basis(f->t, &f->s, 0, 0, 0, &f->pol, f->st), 0);
	expect(f, "198.51.100.0", 24, 0, G(7), true);
	expect(f, "198.51.101.0", 24, 0, G(3), true);
	assert_int_equal(rib_nhg_refs(rib_table_groups(f->t), 7), 1);
	assert_int_equal(rib_nhg_refs(rib_table_groups(f->t), 0), 0);
	route(f, false, "198.51.102.0", 24, GW13, NULL, NULL, 2);
	flush(f);
	expect(f, "198.51.102.0", 24, 0, G(0), true);
	m = merge(f);
	assert_int_equal(m.n_nhgroups, 3);
	assert_non_null(group_of(&m, 0));
	assert_non_null(group_of(&m, 3));
	assert_non_null(group_of(&m, 7));
	assert_int_equal(group_of(&m, 7)->n_members, 2);
	for (uint32_t i = 0; i < m.n_routes4; i++)
		if (m.routes4[i].addr == h4("198.51.100.0"))
			assert_int_equal(m.routes4[i].peer_id, G(7));
	spec_arrays_free(&m);
	/* the next basis keeps them */
	assert_int_equal(
		rib_table_set_basis(f->t, &f->s, 0, 0, 0, &f->pol, f->st), 0);
	expect(f, "198.51.100.0", 24, 0, G(7), true);
	expect(f, "198.51.102.0", 24, 0, G(0), true);
}

/* Config routes to a group (route blocks): their group (the compiler's
 * id 9) joins the registry, a kernel route of the same members and
 * weights shares it, the merge names the registry's id and the config's
 * origin; a member shut out by max-prefix stays in it; a re-basis on the
 * merged spec keeps the ids; a config group no kernel route names stays
 * while the config names it. */
static void
test_config_groups(void **state)
{
	struct fx *f = *state;
	struct ixg_spec_route4 conf4[2] = {
		{h4("203.0.113.0"), 24, 0, G(9), 1234},
		{h4("203.0.114.0"), 24, 0, G(9), 1240},
	};
	struct ixg_spec_nhgroup cg;
	const struct rib_nhg *reg = rib_table_groups(f->t);
	const struct ixg_spec_nhgroup *g;
	struct ixg_spec m, m2;
	uint16_t kid = 0, cid = 0;

	/* a kernel group first: id 0 */
	route(f, false, "198.51.101.0", 24, GW13, NULL, NULL, 2);
	flush(f);
	expect(f, "198.51.101.0", 24, 0, G(0), true);
	memset(&cg, 0, sizeof(cg));
	cg.id = 9;
	cg.n_members = 2;
	cg.origin = 1234;
	cg.peer_id[0] = 2;
	cg.peer_id[1] = 1;
	cg.weight[0] = 1;
	cg.weight[1] = 1;
	f->s.routes4 = conf4;
	f->s.n_routes4 = 2;
	f->s.nhgroups = &cg;
	f->s.n_nhgroups = 1;
	f->peers[0].max_prefix = 2;
	assert_int_equal(
		rib_table_set_basis(f->t, &f->s, 2, 0, 0, &f->pol, f->st), 0);
	/* the config's group: a new registry id, 1 */
	assert_int_equal(rib_nhg_config_refs(reg, 1), 2);
	assert_int_equal(rib_nhg_refs(reg, 1), 0);
	/* a kernel route via m1 and m2 shares it */
	route(f, false, "198.51.100.0", 24, GW21, NULL, NULL, 2);
	flush(f);
	expect(f, "198.51.100.0", 24, 0, G(1), true);
	assert_int_equal(rib_nhg_refs(reg, 1), 1);
	m = merge(f);
	assert_int_equal(m.n_routes4, 4);
	assert_int_equal(m.n_nhgroups, 2);
	for (uint32_t i = 0; i < m.n_routes4; i++) {
		if (m.routes4[i].addr == h4("203.0.113.0") ||
		    m.routes4[i].addr == h4("203.0.114.0"))
			cid = m.routes4[i].peer_id;
		if (m.routes4[i].addr == h4("198.51.100.0"))
			kid = m.routes4[i].peer_id;
	}
	assert_int_equal(cid, G(1));
	assert_int_equal(kid, G(1));
	g = group_of(&m, 1);
	assert_non_null(g);
	assert_int_equal(g->origin, 1234); /* the config's */
	assert_int_equal(g->n_members, 2);
	assert_int_equal(group_of(&m, 0)->origin, IXG_ORIGIN_KERNEL);
	spec_arrays_free(&m);
	/* m1 over its max-prefix (2): the config's group keeps it */
	route(f, false, "198.51.102.0", 24, GW12, NULL, NULL, 1);
	flush(f);
	assert_true(rib_table_member(f->t, 1)->shut);
	m = merge(f);
	assert_int_equal(group_of(&m, 1)->n_members, 2);
	assert_int_equal(group_of(&m, 0)->n_members, 1); /* m3 alone */
	/* a re-basis on the merged spec: the same ids */
	route(f, true, "198.51.102.0", 24, GW12, NULL, NULL, 1);
	flush(f);
	m.peers = f->s.peers; /* the rest of the spec, as a merged one has */
	m.n_peers = f->s.n_peers;
	assert_int_equal(rib_table_set_basis(f->t, &m, m.n_routes4, 0, 0,
					     &f->pol, f->st),
			 0);
	assert_int_equal(rib_nhg_config_refs(reg, 1), 2);
	expect(f, "198.51.100.0", 24, 0, G(1), true);
	/* the kernel route leaves: the group stays for the config */
	route(f, true, "198.51.100.0", 24, GW21, NULL, NULL, 2);
	flush(f);
	memset(&m2, 0, sizeof(m2));
	assert_int_equal(rib_table_merge(f->t, &m, 0, 0, 0, &m2), 0);
	assert_non_null(group_of(&m2, 1));
	assert_int_equal(group_of(&m2, 1)->n_members, 2);
	spec_arrays_free(&m2);
	spec_arrays_free(&m);
	f->s.routes4 = NULL;
	f->s.n_routes4 = 0;
	f->s.nhgroups = NULL;
	f->s.n_nhgroups = 0;
}

static void
test_registry(void **state)
{
	struct rib_nhg *g = rib_nhg_new();
	struct rib_nhg_member a[2] = {{3, 1}, {1, 1}}, b[2] = {{1, 4}, {3, 4}};
	struct rib_nhg_member bad[2] = {{1, 1}, {1, 1}}, out[16];
	struct ixg_spec_nhgroup *e;
	uint32_t n;

	(void)state;
	assert_non_null(g);
	assert_int_equal(rib_nhg_find(g, a, 2), 0);
	assert_int_equal(rib_nhg_find(g, b, 2), 0);
	assert_int_equal(rib_nhg_find(g, bad, 2), -EINVAL);
	assert_int_equal(rib_nhg_find(g, a, 1), -EINVAL);
	assert_int_equal(rib_nhg_members(g, 0, out), 2);
	assert_int_equal(out[0].peer, 1);
	assert_int_equal(out[1].peer, 3);
	/* not named by anything: gone at the emit */
	assert_int_equal(rib_nhg_emit(g, NULL, NULL, &e, &n), 0);
	assert_null(e);
	assert_int_equal(n, 0);
	assert_int_equal(rib_nhg_count(g), 0);
	/* full */
	for (unsigned i = 0; i < IXG_MAX_NHGROUPS; i++) {
		struct rib_nhg_member m[2] = {{1, 1},
					      {2, (uint16_t)(1 + i % 256)}};

		m[0].peer = (uint16_t)(1 + i / 256);
		m[1].peer = 4000;
		assert_int_equal(rib_nhg_find(g, m, 2), (int)i);
		rib_nhg_ref(g, (uint16_t)i, 1);
	}
	assert_int_equal(
		rib_nhg_find(g, (struct rib_nhg_member[2]){{5, 1}, {6, 1}}, 2),
		-ENOSPC);
	assert_int_equal(rib_nhg_emit(g, NULL, NULL, &e, &n), 0);
	assert_int_equal(n, IXG_MAX_NHGROUPS);
	assert_int_equal(e[IXG_MAX_NHGROUPS - 1].id, IXG_MAX_NHGROUPS - 1);
	free(e);
	rib_nhg_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_group_shared, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_weights, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_and_strangers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_one_member_twice, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_max_prefix, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feasible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebasis, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopted_ids, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_config_groups, setup,
						teardown),
		cmocka_unit_test(test_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
