/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_rib.c - kernel routes resolved and merged (control/daemon/
 * rib_table.c): gateways to members by next-hop, blackholes and who may
 * ask for them, the filter on members' sources, max-prefix shut-outs and
 * returns, precedence of config and kernel routes for one prefix, full
 * batches that replace, re-resolution when the members change. The routes
 * go through a real rtnl_store (the reader's mirror), as in the daemon.
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
#include "rib_table.h"
#include "rib_test_util.h"
#include "rtnl_store.h"

struct fx {
	struct rtnl_store *st;
	struct rib_table *t;
	struct ixg_spec s;
	struct ixg_spec_peer peers[3];
	struct ixg_spec_route4 routes4[2], sources4[4];
	struct ixg_spec_route6 sources6[1];
	struct ixg_spec_blackhole bh[1];
	struct rib_policy pol;
	char log[4096];
};

static void
on_log(void *arg, const char *line)
{
	struct fx *f = arg;
	size_t l = strlen(f->log);

	snprintf(f->log + l, sizeof(f->log) - l, "%s\n", line);
}

#define h4 rtu_h4

/* Two members (ids 1 "vn", 2 "th") with next hops 192.0.2.1/2 and
 * 2001:db8::2; vn may source 27.64.0.0/12, th 1.0.0.0/8 and 2402::/16;
 * one config route 10.0.0.0/8 -> vn, one config blackhole 198.18.0.0/15. */
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
	rib_table_set_log(f->t, on_log, f);
	f->peers[0].id = 1;
	snprintf(f->peers[0].name, IXG_NAME_LEN, "vn");
	f->peers[0].has_nh4 = 1;
	memcpy(f->peers[0].nh4, (uint8_t[]){192, 0, 2, 1}, 4);
	f->peers[1].id = 2;
	snprintf(f->peers[1].name, IXG_NAME_LEN, "th");
	f->peers[1].has_nh4 = 1;
	memcpy(f->peers[1].nh4, (uint8_t[]){192, 0, 2, 2}, 4);
	f->peers[1].has_nh6 = 1;
	inet_pton(AF_INET6, "2001:db8::2", f->peers[1].nh6);
	f->routes4[0] = (struct ixg_spec_route4){h4("10.0.0.0"), 8, 0, 1, 7};
	f->sources4[0] = (struct ixg_spec_route4){h4("27.64.0.0"), 12, 0, 1, 8};
	f->sources4[1] = (struct ixg_spec_route4){h4("1.0.0.0"), 8, 0, 2, 9};
	inet_pton(AF_INET6, "2402::", f->sources6[0].addr);
	f->sources6[0].len = 16;
	f->sources6[0].peer_id = 2;
	f->bh[0].family = 4;
	f->bh[0].len = 15;
	memcpy(f->bh[0].addr, (uint8_t[]){198, 18, 0, 0}, 4);
	f->s.peers = f->peers;
	f->s.n_peers = 2;
	f->s.routes4 = f->routes4;
	f->s.n_routes4 = 1;
	f->s.sources4 = f->sources4;
	f->s.n_sources4 = 2;
	f->s.sources6 = f->sources6;
	f->s.n_sources6 = 1;
	f->s.blackholes = f->bh;
	f->s.n_blackholes = 1;
	assert_int_equal(
		rib_table_set_basis(f->t, &f->s, 1, 0, 1, &f->pol, f->st), 0);
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

/* Add or delete a kernel route of table 100 (gw NULL: none, for the
 * blackhole types); fam is pfx's family. */
static void
add_route(struct fx *f, int fam, const char *pfx, unsigned len, unsigned type,
	  const char *gw)
{
	(void)fam;
	rtu_route(f->st, RTNL_OP_NEW, 1, pfx, len, type, RTPROT_BIRD, &gw, NULL,
		  NULL, gw != NULL ? 1 : 0);
}

static void
del_route(struct fx *f, int fam, const char *pfx, unsigned len, unsigned type,
	  const char *gw)
{
	(void)fam;
	rtu_route(f->st, RTNL_OP_DEL, 2, pfx, len, type, RTPROT_BIRD, &gw, NULL,
		  NULL, gw != NULL ? 1 : 0);
}

struct flush_ctx {
	struct fx *f;
	long changed;
};

static void
on_batch(void *arg, const struct rtnl_batch *b)
{
	struct flush_ctx *c = arg;

	c->changed = rib_table_apply(c->f->t, b);
}

/* Deliver the store's pending changes to the table; returns how many
 * merged entries changed. */
static long
flush(struct fx *f, bool full)
{
	struct flush_ctx c = {f, 0};

	assert_true(rtnl_store_flush(f->st, full, 3, on_batch, &c, NULL) >= 0);
	assert_true(c.changed >= 0);
	return c.changed;
}

static void
expect(struct fx *f, int fam, const char *pfx, unsigned len, int kind,
       uint16_t peer, bool merged)
{
	(void)fam;
	rtu_expect(f->t, pfx, len, kind, peer, merged);
}

static struct ixg_spec
merge(struct fx *f)
{
	struct ixg_spec m;

	memset(&m, 0, sizeof(m));
	assert_int_equal(rib_table_merge(f->t, &f->s, 1, 0, 1, &m), 0);
	return m;
}

#define spec_arrays_free rtu_spec_arrays_free

static void
test_resolution(void **state)
{
	struct fx *f = *state;
	struct ixg_spec m;

	add_route(f, AF_INET, "27.64.1.0", 24, RTN_UNICAST, "192.0.2.1");
	add_route(f, AF_INET, "1.2.0.0", 16, RTN_UNICAST, "192.0.2.2");
	add_route(f, AF_INET, "5.5.0.0", 16, RTN_UNICAST, "192.0.2.77");
	add_route(f, AF_INET6, "2402:800::", 32, RTN_UNICAST, "2001:db8::2");
	/* RFC 8950: an IPv4 route via the member's IPv6 next hop. */
	add_route(f, AF_INET, "1.9.0.0", 16, RTN_UNICAST, "2001:db8::2");
	add_route(f, AF_INET, "27.64.66.1", 32, RTN_BLACKHOLE, NULL);
	add_route(f, AF_INET, "8.8.8.8", 32, RTN_UNREACHABLE, NULL);
	add_route(f, AF_INET6, "2402:800::66", 128, RTN_PROHIBIT, NULL);
	assert_int_equal(flush(f, true), 8);
	expect(f, AF_INET, "27.64.1.0", 24, RIB_K_ROUTE, 1, true);
	expect(f, AF_INET, "1.2.0.0", 16, RIB_K_ROUTE, 2, true);
	expect(f, AF_INET, "5.5.0.0", 16, RIB_K_UNRESOLVED, 0, false);
	expect(f, AF_INET6, "2402:800::", 32, RIB_K_ROUTE, 2, true);
	expect(f, AF_INET, "1.9.0.0", 16, RIB_K_ROUTE, 2, true);
	/* Covered by vn's sources: a blackhole; 8.8.8.8 by nobody's. */
	expect(f, AF_INET, "27.64.66.1", 32, RIB_K_BLACKHOLE, 0, true);
	expect(f, AF_INET, "8.8.8.8", 32, RIB_K_BH_REFUSED, 0, false);
	expect(f, AF_INET6, "2402:800::66", 128, RIB_K_BLACKHOLE, 0, true);

	m = merge(f);
	/* Config first (10/8), then the kernel's three IPv4 routes. */
	assert_int_equal(m.n_routes4, 4);
	assert_int_equal(m.routes4[0].addr, h4("10.0.0.0"));
	assert_int_equal(m.routes4[0].origin, 7);
	for (unsigned i = 1; i < 4; i++)
		assert_int_equal(m.routes4[i].origin, RIB_ORIGIN_KERNEL);
	assert_int_equal(m.n_routes6, 1);
	assert_int_equal(m.routes6[0].peer_id, 2);
	assert_int_equal(m.n_blackholes, 3);
	assert_int_equal(m.blackholes[1].origin, RIB_ORIGIN_KERNEL);
	assert_int_equal(m.blackholes[1].expires, 0);
	spec_arrays_free(&m);

	/* A withdrawal removes it; a changed gateway moves it. */
	del_route(f, AF_INET, "1.2.0.0", 16, RTN_UNICAST, "192.0.2.2");
	del_route(f, AF_INET, "27.64.1.0", 24, RTN_UNICAST, "192.0.2.1");
	add_route(f, AF_INET, "27.64.1.0", 24, RTN_UNICAST, "192.0.2.2");
	assert_int_equal(flush(f, false), 2);
	expect(f, AF_INET, "27.64.1.0", 24, RIB_K_ROUTE, 2, true);
	m = merge(f);
	assert_int_equal(m.n_routes4, 3);
	spec_arrays_free(&m);
}

static void
test_precedence(void **state)
{
	struct fx *f = *state;
	struct ixg_spec m;

	/* Same prefix as the config's route 10/8, and a kernel route for
	 * the config's blackhole 198.18/15. */
	add_route(f, AF_INET, "10.0.0.0", 8, RTN_UNICAST, "192.0.2.2");
	add_route(f, AF_INET, "198.18.0.0", 15, RTN_UNICAST, "192.0.2.2");
	add_route(f, AF_INET, "1.0.0.0", 8, RTN_BLACKHOLE, NULL);
	flush(f, true);
	/* precedence config: the kernel's 10/8 is not merged. */
	expect(f, AF_INET, "10.0.0.0", 8, RIB_K_ROUTE, 2, false);
	m = merge(f);
	assert_int_equal(m.n_routes4, 2);
	assert_int_equal(m.routes4[0].peer_id, 1);
	assert_int_equal(m.routes4[0].origin, 7);
	assert_int_equal(m.routes4[1].addr, h4("198.18.0.0"));
	/* Both blackholes and the route under one: the FIB keeps the
	 * blackhole. */
	assert_int_equal(m.n_blackholes, 2);
	spec_arrays_free(&m);

	/* precedence kernel: the config's 10/8 gives way. */
	f->pol.precedence_kernel = true;
	assert_int_equal(
		rib_table_set_basis(f->t, &f->s, 1, 0, 1, &f->pol, f->st), 0);
	expect(f, AF_INET, "10.0.0.0", 8, RIB_K_ROUTE, 2, true);
	m = merge(f);
	assert_int_equal(m.n_routes4, 2);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(m.routes4[i].peer_id, 2);
	spec_arrays_free(&m);
}

static void
test_filter(void **state)
{
	struct fx *f = *state;
	const struct rib_member *vn;
	struct ixg_spec m;

	f->pol.filter = true;
	assert_int_equal(
		rib_table_set_basis(f->t, &f->s, 1, 0, 1, &f->pol, f->st), 0);
	add_route(f, AF_INET, "27.64.9.0", 24, RTN_UNICAST, "192.0.2.1");
	add_route(f, AF_INET, "27.0.0.0", 8, RTN_UNICAST, "192.0.2.1");
	add_route(f, AF_INET, "1.2.3.0", 24, RTN_UNICAST, "192.0.2.1");
	flush(f, true);
	expect(f, AF_INET, "27.64.9.0", 24, RIB_K_ROUTE, 1, true);
	/* Less specific than vn's 27.64/12, and th's space: refused. */
	expect(f, AF_INET, "27.0.0.0", 8, RIB_K_FILTERED, 1, false);
	expect(f, AF_INET, "1.2.3.0", 24, RIB_K_FILTERED, 1, false);
	vn = rib_table_member(f->t, 1);
	assert_int_equal(vn->routes, 1);
	assert_int_equal(vn->filtered, 2);
	assert_int_equal(vn->filtered_total, 2);
	m = merge(f);
	assert_int_equal(m.n_routes4, 2); /* config 10/8 + 27.64.9/24 */
	spec_arrays_free(&m);
	/* Withdrawn: the gauge goes down, the total stays. */
	del_route(f, AF_INET, "1.2.3.0", 24, RTN_UNICAST, "192.0.2.1");
	flush(f, false);
	assert_int_equal(vn->filtered, 1);
	assert_int_equal(vn->filtered_total, 2);
}

static void
test_max_prefix(void **state)
{
	struct fx *f = *state;
	const struct rib_member *th;
	struct rib_counts c;
	struct ixg_spec m;
	char p[32];

	f->peers[1].max_prefix = 10;
	assert_int_equal(
		rib_table_set_basis(f->t, &f->s, 1, 0, 1, &f->pol, f->st), 0);
	add_route(f, AF_INET, "27.64.1.0", 24, RTN_UNICAST, "192.0.2.1");
	for (unsigned i = 0; i < 10; i++) {
		snprintf(p, sizeof(p), "1.%u.0.0", i);
		add_route(f, AF_INET, p, 16, RTN_UNICAST, "192.0.2.2");
	}
	flush(f, true);
	th = rib_table_member(f->t, 2);
	assert_int_equal(th->routes, 10);
	assert_false(th->shut);
	/* The 11th: th is shut out, vn and config stay. */
	add_route(f, AF_INET, "1.10.0.0", 16, RTN_UNICAST, "192.0.2.2");
	flush(f, false);
	assert_true(th->shut);
	assert_int_equal(th->shut_events, 1);
	assert_non_null(strstr(f->log, "member th has 11 kernel routes"));
	rib_table_counts(f->t, &c);
	assert_int_equal(c.shut_routes, 11);
	m = merge(f);
	assert_int_equal(m.n_routes4, 2);
	assert_int_equal(m.routes4[1].peer_id, 1);
	spec_arrays_free(&m);
	/* Down to 9: still over 90% of 10 (needs fewer than 9). */
	for (unsigned i = 9; i < 11; i++) {
		snprintf(p, sizeof(p), "1.%u.0.0", i);
		del_route(f, AF_INET, p, 16, RTN_UNICAST, "192.0.2.2");
	}
	flush(f, false);
	assert_true(th->shut);
	del_route(f, AF_INET, "1.8.0.0", 16, RTN_UNICAST, "192.0.2.2");
	flush(f, false);
	assert_false(th->shut);
	assert_non_null(strstr(f->log, "member th is back"));
	m = merge(f);
	assert_int_equal(m.n_routes4, 2 + 8);
	spec_arrays_free(&m);
}

static void
test_full_batch_replaces_and_rebasis(void **state)
{
	struct fx *f = *state;
	struct rtnl_store *old = f->st;
	uint32_t tables[1] = {100};
	uint8_t a[16] = {0}, k;
	uint16_t p;
	bool mg;

	add_route(f, AF_INET, "1.1.0.0", 16, RTN_UNICAST, "192.0.2.2");
	add_route(f, AF_INET, "1.3.0.0", 16, RTN_UNICAST, "192.0.2.2");
	flush(f, true);
	/* A new reader (tables changed) dumps only 1.3/16 and 1.4/16. */
	f->st = rtnl_store_new(tables, 1);
	add_route(f, AF_INET, "1.3.0.0", 16, RTN_UNICAST, "192.0.2.2");
	add_route(f, AF_INET, "1.4.0.0", 16, RTN_UNICAST, "192.0.2.1");
	flush(f, true);
	rtnl_store_free(old);
	inet_pton(AF_INET, "1.1.0.0", a);
	assert_int_equal(rib_table_lookup(f->t, 4, a, 16, &k, &p, &mg),
			 -ENOENT);
	expect(f, AF_INET, "1.4.0.0", 16, RIB_K_ROUTE, 1, true);
	/* vn's next hop changes to th's old one: re-resolved. */
	memcpy(f->peers[0].nh4, (uint8_t[]){192, 0, 2, 9}, 4);
	assert_int_equal(
		rib_table_set_basis(f->t, &f->s, 1, 0, 1, &f->pol, f->st), 0);
	expect(f, AF_INET, "1.4.0.0", 16, RIB_K_UNRESOLVED, 0, false);
	expect(f, AF_INET, "1.3.0.0", 16, RIB_K_ROUTE, 2, true);
	assert_int_equal(rib_table_member(f->t, 1)->routes, 0);
	assert_int_equal(rib_table_member(f->t, 2)->routes, 1);
}

/* Many prefixes: the hash grows, deletes keep every other key findable. */
static void
test_many(void **state)
{
	struct fx *f = *state;
	struct rib_counts c;
	char p[32];

	for (unsigned i = 0; i < 20000; i++) {
		snprintf(p, sizeof(p), "1.%u.%u.0", (i >> 8) & 255, i & 255);
		add_route(f, AF_INET, p, 24, RTN_UNICAST, "192.0.2.2");
	}
	flush(f, true);
	for (unsigned i = 0; i < 20000; i += 2) {
		snprintf(p, sizeof(p), "1.%u.%u.0", (i >> 8) & 255, i & 255);
		del_route(f, AF_INET, p, 24, RTN_UNICAST, "192.0.2.2");
	}
	assert_int_equal(flush(f, false), 10000);
	for (unsigned i = 1; i < 20000; i += 2) {
		snprintf(p, sizeof(p), "1.%u.%u.0", (i >> 8) & 255, i & 255);
		expect(f, AF_INET, p, 24, RIB_K_ROUTE, 2, true);
	}
	rib_table_counts(f->t, &c);
	assert_int_equal(c.merged4, 10000);
	assert_int_equal(rib_table_member(f->t, 2)->routes, 10000);
}

/*
 * Source validation feasible (RFC 8704): a feasible member's sources are
 * its config sources plus every kernel route resolved to it, in both
 * families, following each change; a strict member's do not move; with no
 * feasible member nothing is built.
 */
static void
test_feasible(void **state)
{
	struct fx *f = *state;
	struct ixg_spec m;

	add_route(f, AF_INET, "27.64.1.0", 24, RTN_UNICAST, "192.0.2.1");
	add_route(f, AF_INET, "1.2.0.0", 16, RTN_UNICAST, "192.0.2.2");
	add_route(f, AF_INET6, "2402:800::", 32, RTN_UNICAST, "2001:db8::2");
	flush(f, true);
	memset(&m, 0, sizeof(m));
	/* nobody feasible: nothing */
	assert_int_equal(rib_table_feasible(f->t, &f->s, 2, 1, &m), 0);
	assert_null(m.sources4);
	assert_null(m.sources6);
	/* th (id 2) feasible: its kernel routes join its sources */
	f->peers[1].sav_mode = IXG_SAV_FEASIBLE;
	assert_int_equal(rib_table_feasible(f->t, &f->s, 2, 1, &m), 0);
	assert_int_equal(m.n_sources4, 3);
	assert_memory_equal(m.sources4, f->sources4, 2 * sizeof(*m.sources4));
	assert_int_equal(m.sources4[2].addr, h4("1.2.0.0"));
	assert_int_equal(m.sources4[2].len, 16);
	assert_int_equal(m.sources4[2].peer_id, 2);
	assert_int_equal(m.sources4[2].origin, RIB_ORIGIN_KERNEL);
	assert_int_equal(m.n_sources6, 2);
	assert_int_equal(m.sources6[1].len, 32);
	assert_int_equal(m.sources6[1].peer_id, 2);
	free(m.sources4);
	free(m.sources6);
	/* the route withdrawn: gone from the sources with the next merge;
	 * entries past the config's count are the earlier merge's, dropped */
	del_route(f, AF_INET, "1.2.0.0", 16, RTN_UNICAST, "192.0.2.2");
	flush(f, false);
	assert_int_equal(rib_table_feasible(f->t, &f->s, 2, 1, &m), 0);
	assert_int_equal(m.n_sources4, 2);
	assert_int_equal(m.n_sources6, 2);
	free(m.sources4);
	free(m.sources6);
	assert_int_equal(rib_table_feasible(f->t, &f->s, 1, 0, &m), 0);
	assert_int_equal(m.n_sources4, 1);
	assert_int_equal(m.n_sources6, 1);
	free(m.sources4);
	free(m.sources6);
}

/* A blackhole 10.0.N.0/24 (IPv4) or 2001:db8:N::/48. */
static struct ixg_spec_blackhole
bh(int fam, unsigned n, uint16_t id)
{
	struct ixg_spec_blackhole h = {.family = (uint8_t)fam, .id = id};

	if (fam == 4) {
		h.len = 24;
		h.addr[0] = 10;
		h.addr[2] = (uint8_t)n;
	} else {
		h.len = 48;
		h.addr[0] = 0x20;
		h.addr[1] = 0x01;
		h.addr[2] = 0x0d;
		h.addr[3] = 0xb8;
		h.addr[5] = (uint8_t)n;
	}
	return h;
}

/*
 * Blackhole ids (issue 11, counters per blackhole): a prefix that stays
 * keeps its id wherever it moves in the array; a new one takes the lowest
 * id free in both the running and the new set, so an id freed by this very
 * change is not handed out while others are free; duplicates get their own
 * id; past the capacity, -ENOSPC.
 */
static void
test_blackhole_ids(void **state)
{
	struct ixg_spec_blackhole prev[3] = {bh(4, 1, 0), bh(6, 1, 1),
					     bh(4, 2, 2)};
	struct ixg_spec_blackhole next[5] = {
		bh(4, 3, 99), /* new */
		bh(4, 2, 99), /* stays: 2 */
		bh(6, 1, 99), /* stays: 1 */
		bh(4, 2, 99), /* duplicate of a staying one: new */
		bh(6, 3, 99), /* new */
	};
	struct ixg_spec_blackhole *big;

	(void)state;
	/* 10.0.1.0/24 (id 0) goes: 0 is not reused while 3, 4, 5 are free */
	assert_int_equal(rib_blackhole_ids(next, 5, prev, 3), 0);
	assert_int_equal(next[0].id, 3);
	assert_int_equal(next[1].id, 2);
	assert_int_equal(next[2].id, 1);
	assert_int_equal(next[3].id, 4);
	assert_int_equal(next[4].id, 5);
	/* the next change: 0 is free in both now, the lowest */
	{
		struct ixg_spec_blackhole again[2] = {bh(4, 9, 7), next[1]};

		assert_int_equal(rib_blackhole_ids(again, 2, next, 5), 0);
		assert_int_equal(again[0].id, 0);
		assert_int_equal(again[1].id, 2);
	}
	/* nothing before: 0, 1, 2... in order */
	assert_int_equal(rib_blackhole_ids(prev, 3, NULL, 0), 0);
	assert_int_equal(prev[0].id, 0);
	assert_int_equal(prev[2].id, 2);
	/* a full set replacing a full set: the freed ids are reused */
	big = calloc(2 * IXG_MAX_BLACKHOLES, sizeof(*big));
	assert_non_null(big);
	for (uint32_t i = 0; i < 2 * IXG_MAX_BLACKHOLES; i++) {
		big[i] = bh(6, 0, 0);
		big[i].len = 128;
		memcpy(&big[i].addr[12], &i, 4);
	}
	assert_int_equal(rib_blackhole_ids(big, IXG_MAX_BLACKHOLES, NULL, 0),
			 0);
	assert_int_equal(rib_blackhole_ids(big + IXG_MAX_BLACKHOLES,
					   IXG_MAX_BLACKHOLES, big,
					   IXG_MAX_BLACKHOLES),
			 0);
	assert_int_equal(big[IXG_MAX_BLACKHOLES + 5].id, 5);
	assert_int_equal(
		rib_blackhole_ids(big, IXG_MAX_BLACKHOLES + 1, NULL, 0),
		-ENOSPC);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resolution, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_precedence, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_prefix, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_full_batch_replaces_and_rebasis, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feasible, setup, teardown),
		cmocka_unit_test(test_blackhole_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
