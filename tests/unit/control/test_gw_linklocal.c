/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_gw_linklocal.c - kernel routes whose gateway is a member's IPv6
 * link-local address (RFC 2545 next hops, FRR's and BIRD's default on a
 * LAN) resolved to the member (control/daemon/rib_table.c,
 * nexthops_link_local): the EUI-64 of each MAC of its lock, after the
 * configured next hops (which win), never an address two members' MACs
 * give, again when the members change. Through a real rtnl_store, as in
 * the daemon.
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
	struct ixg_spec_peer peers[4];
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

static void
peer(struct fx *f, unsigned i, uint16_t id, const char *name, uint8_t mac_a,
     uint8_t mac_b)
{
	struct ixg_spec_peer *p = &f->peers[i];

	p->id = id;
	snprintf(p->name, IXG_NAME_LEN, "%s", name);
	p->n_macs = 1;
	memcpy(p->macs[0], (uint8_t[]){0x02, 0, 0, 0, mac_a, mac_b}, 6);
}

/*
 * vn (1): MAC 02:00:00:00:04:01 (fe80::ff:fe00:401);
 * th (2): 02:00:00:00:05:01 and :05:02 (fe80::ff:fe00:501, :502);
 * dup (3) and dup2 (4): both 02:00:00:00:06:01 (two ports), and dup2's
 * configured next hop is vn's link-local address.
 */
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
	peer(f, 0, 1, "vn", 0x04, 0x01);
	peer(f, 1, 2, "th", 0x05, 0x01);
	f->peers[1].n_macs = 2;
	memcpy(f->peers[1].macs[1], (uint8_t[]){0x02, 0, 0, 0, 0x05, 0x02}, 6);
	peer(f, 2, 3, "dup", 0x06, 0x01);
	peer(f, 3, 4, "dup2", 0x06, 0x01);
	f->peers[3].has_nh6 = 1;
	assert_int_equal(
		inet_pton(AF_INET6, "fe80::ff:fe00:401", f->peers[3].nh6), 1);
	f->s.peers = f->peers;
	f->s.n_peers = 4;
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

/* A kernel route of table 100 from BGP via the IPv6 gateway gw. */
static void
add_route(struct fx *f, int fam, const char *pfx, unsigned len, const char *gw)
{
	(void)fam;
	rtu_route(f->st, RTNL_OP_NEW, 1, pfx, len, RTN_UNICAST, RTPROT_BGP, &gw,
		  NULL, NULL, 1);
}

static void
on_batch(void *arg, const struct rtnl_batch *b)
{
	struct fx *f = arg;

	assert_true(rib_table_apply(f->t, b) >= 0);
}

static void
expect(struct fx *f, int fam, const char *pfx, unsigned len, int kind,
       uint16_t want_peer)
{
	uint8_t k;
	uint16_t p;
	bool m;
	uint8_t a[16] = {0};

	assert_int_equal(inet_pton(fam, pfx, a), 1);
	assert_int_equal(rib_table_lookup(f->t, fam == AF_INET ? 4 : 6, a, len,
					  &k, &p, &m),
			 0);
	assert_int_equal(k, kind);
	assert_int_equal(p, want_peer);
}

static void
test_link_local_gateways(void **state)
{
	struct fx *f = *state;

	add_route(f, AF_INET6, "2001:db8:4::", 48, "fe80::ff:fe00:501");
	add_route(f, AF_INET6, "2001:db8:5::", 48, "fe80::ff:fe00:502");
	/* RFC 8950: an IPv4 route via the member's link-local address */
	add_route(f, AF_INET, "198.18.5.0", 24, "fe80::ff:fe00:501");
	/* vn's link-local is dup2's configured next hop: dup2's */
	add_route(f, AF_INET6, "2001:db8:1::", 48, "fe80::ff:fe00:401");
	/* the MAC of two members: neither */
	add_route(f, AF_INET6, "2001:db8:6::", 48, "fe80::ff:fe00:601");
	/* no member's EUI-64 */
	add_route(f, AF_INET6, "2001:db8:9::", 48, "fe80::1");
	assert_true(rtnl_store_flush(f->st, true, 3, on_batch, f, NULL) >= 0);
	expect(f, AF_INET6, "2001:db8:4::", 48, RIB_K_ROUTE, 2);
	expect(f, AF_INET6, "2001:db8:5::", 48, RIB_K_ROUTE, 2);
	expect(f, AF_INET, "198.18.5.0", 24, RIB_K_ROUTE, 2);
	expect(f, AF_INET6, "2001:db8:1::", 48, RIB_K_ROUTE, 4);
	expect(f, AF_INET6, "2001:db8:6::", 48, RIB_K_UNRESOLVED, 0);
	expect(f, AF_INET6, "2001:db8:9::", 48, RIB_K_UNRESOLVED, 0);
	assert_non_null(strstr(f->log, "gateway fe80::ff:fe00:601 is the "
				       "link-local address of more than one "
				       "member's MAC: not resolved"));
}

/* The members change: routes follow their MACs at once. */
static void
test_members_change(void **state)
{
	struct fx *f = *state;

	add_route(f, AF_INET6, "2001:db8:4::", 48, "fe80::ff:fe00:501");
	add_route(f, AF_INET6, "2001:db8:1::", 48, "fe80::ff:fe00:401");
	assert_true(rtnl_store_flush(f->st, true, 3, on_batch, f, NULL) >= 0);
	expect(f, AF_INET6, "2001:db8:4::", 48, RIB_K_ROUTE, 2);
	expect(f, AF_INET6, "2001:db8:1::", 48, RIB_K_ROUTE, 4);
	/* th's first MAC goes to vn; dup2 loses its next hop */
	f->peers[1].n_macs = 1;
	memcpy(f->peers[1].macs[0], (uint8_t[]){0x02, 0, 0, 0, 0x05, 0x02}, 6);
	memcpy(f->peers[0].macs[0], (uint8_t[]){0x02, 0, 0, 0, 0x05, 0x01}, 6);
	f->peers[3].has_nh6 = 0;
	assert_int_equal(
		rib_table_set_basis(f->t, &f->s, 0, 0, 0, &f->pol, f->st), 0);
	expect(f, AF_INET6, "2001:db8:4::", 48, RIB_K_ROUTE, 1);
	expect(f, AF_INET6, "2001:db8:1::", 48, RIB_K_UNRESOLVED, 0);
}

static struct rib_lladdr
pair(uint16_t peer, const char *addr)
{
	struct rib_lladdr l = {.peer = peer};

	assert_int_equal(inet_pton(AF_INET6, addr, l.addr), 1);
	return l;
}

static bool
wanted(struct fx *f, const char *addr)
{
	uint8_t w[64][16], a[16];
	uint32_t n = rib_table_ll_wanted(f->t, w, 64);

	assert_int_equal(inet_pton(AF_INET6, addr, a), 1);
	for (uint32_t i = 0; i < n; i++)
		if (memcmp(w[i], a, 16) == 0)
			return true;
	return false;
}

/*
 * Learned pairs (the dataplane's ND, neigh.h) come last: a configured
 * next hop wins, then an EUI-64, then what was learned; an unresolved
 * route becomes live when its pair is learned, and unresolved again when
 * the pair goes; IPv4 routes via a link-local gateway (RFC 8950) too.
 */
static void
test_learned_resolution_order(void **state)
{
	struct fx *f = *state;
	struct rib_lladdr v[4];
	bool full;

	/* stable-privacy address of th: no EUI-64 */
	add_route(f, AF_INET6, "2001:db8:9::", 48, "fe80::a1b2:c3d4:e5f6:1");
	add_route(f, AF_INET, "198.18.9.0", 24, "fe80::a1b2:c3d4:e5f6:1");
	/* vn's EUI-64 and dup2's configured next hop */
	add_route(f, AF_INET6, "2001:db8:4::", 48, "fe80::ff:fe00:501");
	add_route(f, AF_INET6, "2001:db8:1::", 48, "fe80::ff:fe00:401");
	assert_true(rtnl_store_flush(f->st, true, 3, on_batch, f, NULL) >= 0);
	expect(f, AF_INET6, "2001:db8:9::", 48, RIB_K_UNRESOLVED, 0);
	expect(f, AF_INET, "198.18.9.0", 24, RIB_K_UNRESOLVED, 0);
	/* The unresolved one is what the dataplane is asked for; an
	 * EUI-64 or configured one is not. */
	assert_true(wanted(f, "fe80::a1b2:c3d4:e5f6:1"));
	assert_false(wanted(f, "fe80::ff:fe00:501"));
	assert_false(wanted(f, "fe80::ff:fe00:401"));
	rib_table_synced(f->t);

	/* Learned from th (2): live, as a delta of the two prefixes. */
	v[0] = pair(2, "fe80::a1b2:c3d4:e5f6:1");
	/* Learned from vn (1), but th's EUI-64: th's EUI-64 wins. */
	v[1] = pair(1, "fe80::ff:fe00:501");
	/* Learned from th, but dup2's configured next hop: dup2's. */
	v[2] = pair(2, "fe80::ff:fe00:401");
	assert_int_equal(rib_table_set_learned(f->t, v, 3, f->st), 2);
	expect(f, AF_INET6, "2001:db8:9::", 48, RIB_K_ROUTE, 2);
	expect(f, AF_INET, "198.18.9.0", 24, RIB_K_ROUTE, 2);
	expect(f, AF_INET6, "2001:db8:4::", 48, RIB_K_ROUTE, 2);
	expect(f, AF_INET6, "2001:db8:1::", 48, RIB_K_ROUTE, 4);
	assert_int_equal(rib_table_dirty(f->t, &full), 2);
	assert_false(full);
	assert_int_equal(rib_table_gateway(f->t, v[0].addr), 2);
	assert_int_equal(rib_table_gateway(f->t, v[1].addr), 2);
	assert_true(wanted(f, "fe80::a1b2:c3d4:e5f6:1"));
	assert_non_null(strstr(f->log, "fe80::ff:fe00:501 learned from member "
				       "vn, but another member's next-hop or "
				       "EUI-64 gives it: that wins"));
	/* The same set again: nothing to do. */
	assert_int_equal(rib_table_set_learned(f->t, v, 3, f->st), 0);

	/* A route learned later resolves at once. */
	rtu_route(f->st, RTNL_OP_NEW, 1, "2001:db8:a::", 48, RTN_UNICAST,
		  RTPROT_BGP, (const char *[]){"fe80::a1b2:c3d4:e5f6:1"}, NULL,
		  NULL, 1);
	assert_true(rtnl_store_flush(f->st, false, 4, on_batch, f, NULL) >= 0);
	expect(f, AF_INET6, "2001:db8:a::", 48, RIB_K_ROUTE, 2);

	/* The pair goes (expired, member gone): unresolved again. */
	assert_int_equal(rib_table_set_learned(f->t, &v[1], 2, f->st), 3);
	expect(f, AF_INET6, "2001:db8:9::", 48, RIB_K_UNRESOLVED, 0);
	expect(f, AF_INET, "198.18.9.0", 24, RIB_K_UNRESOLVED, 0);
	expect(f, AF_INET6, "2001:db8:a::", 48, RIB_K_UNRESOLVED, 0);
	expect(f, AF_INET6, "2001:db8:4::", 48, RIB_K_ROUTE, 2);
}

/* An address two members taught resolves to neither, logged; an
 * address two members' EUI-64s give is not resolved by a learned pair
 * either (EUI-64 comes first); a config reload keeps what was learned. */
static void
test_learned_conflicts(void **state)
{
	struct fx *f = *state;
	struct rib_lladdr v[3];

	add_route(f, AF_INET6, "2001:db8:9::", 48, "fe80::9");
	add_route(f, AF_INET6, "2001:db8:6::", 48, "fe80::ff:fe00:601");
	add_route(f, AF_INET6, "2001:db8:7::", 48, "fe80::7");
	assert_true(rtnl_store_flush(f->st, true, 3, on_batch, f, NULL) >= 0);
	v[0] = pair(1, "fe80::9");
	v[1] = pair(2, "fe80::9");
	v[2] = pair(1, "fe80::ff:fe00:601");
	assert_int_equal(rib_table_set_learned(f->t, v, 3, f->st), 0);
	expect(f, AF_INET6, "2001:db8:9::", 48, RIB_K_UNRESOLVED, 0);
	expect(f, AF_INET6, "2001:db8:6::", 48, RIB_K_UNRESOLVED, 0);
	assert_int_equal(rib_table_gateway(f->t, v[0].addr), -EEXIST);
	assert_int_equal(rib_table_gateway(f->t, v[2].addr), -EEXIST);
	assert_non_null(strstr(f->log, "link-local address fe80::9 was "
				       "learned from more than one member: "
				       "not resolved"));
	/* One of them stops claiming it: the other's. */
	v[1] = pair(3, "fe80::7");
	assert_int_equal(rib_table_set_learned(f->t, v, 2, f->st), 2);
	expect(f, AF_INET6, "2001:db8:9::", 48, RIB_K_ROUTE, 1);
	expect(f, AF_INET6, "2001:db8:7::", 48, RIB_K_ROUTE, 3);
	/* A reload (same members) keeps the learned pairs. */
	assert_int_equal(
		rib_table_set_basis(f->t, &f->s, 0, 0, 0, &f->pol, f->st), 0);
	expect(f, AF_INET6, "2001:db8:9::", 48, RIB_K_ROUTE, 1);
	expect(f, AF_INET6, "2001:db8:7::", 48, RIB_K_ROUTE, 3);
	/* Bad pairs are ignored: peer 0, not link-local. */
	v[0] = pair(0, "fe80::9");
	v[1] = pair(1, "2001:db8::9");
	assert_int_equal(rib_table_set_learned(f->t, v, 2, f->st), 2);
	expect(f, AF_INET6, "2001:db8:9::", 48, RIB_K_UNRESOLVED, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_link_local_gateways, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_members_change, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_learned_resolution_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_learned_conflicts, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
