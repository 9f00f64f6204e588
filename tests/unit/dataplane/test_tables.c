/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tables_build: what each table holds after a build from a small spec, and
 * errors that name the failing object.
 */
#include <errno.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dp_test_util.h"

static struct ixg_spec *
base_spec(void)
{
	struct ixg_spec *s = dp_spec_new();

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_port(s, 1, "02:00:00:00:00:02");
	dp_spec_peer(s, 1, 0, 100, "02:00:00:00:01:01", IXG_SAV_STRICT);
	dp_spec_peer(s, 2, 0, 100, "02:00:00:00:01:02", IXG_SAV_STRICT);
	dp_spec_peer(s, 7, 1, 0, "02:00:00:00:01:07", IXG_SAV_LOOSE);
	return s;
}

static void
test_ports_peers(void **state)
{
	struct ixg_spec *s = base_spec();
	struct tables *t;
	uint8_t mac[6];

	(void)state;
	s->peers[2].n_macs = 2;
	dp_mac("02:00:00:00:02:07", s->peers[2].macs[1]);
	t = dp_tables_build(s);
	assert_true(t->ports[0].configured);
	assert_true(t->ports[1].configured);
	assert_false(t->ports[2].configured);
	assert_int_equal(t->ports[1].mac[5], 2);
	assert_int_equal(t->ports[1].mtu, 1500);
	assert_true(t->peers[7].configured);
	assert_false(t->peers[3].configured);
	assert_int_equal(t->peers[7].port_id, 1);
	assert_int_equal(t->peers[7].sav_mode, IXG_SAV_LOOSE);
	assert_int_equal(t->peers[2].vlan, 100);
	assert_string_equal(t->peers[2].name, "peer2");
	assert_int_equal(t->peers[2].dmac[5], 2);

	dp_mac("02:00:00:00:01:02", mac);
	assert_int_equal(dp_peer_direct(t, 0, 0, 100, mac), 2);
	/* Same MAC, other VLAN: not that peer. */
	assert_int_equal(dp_peer_direct(t, 0, 0, 101, mac), IXG_PEER_NONE);
	/* Second MAC of peer 7 on port 1 untagged. */
	dp_mac("02:00:00:00:02:07", mac);
	assert_int_equal(dp_peer_direct(t, 1, 0, 0, mac), 7);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_routes_lpm(void **state)
{
	struct ixg_spec *s = base_spec();
	struct tables *t;

	(void)state;
	dp_spec_route4(s, "10.0.0.0", 8, 1);
	dp_spec_route4(s, "10.1.0.0", 16, 2);
	dp_spec_route4(s, "10.1.2.128", 25, 7);
	dp_spec_route4(s, "0.0.0.0", 0, 7);
	dp_spec_route6(s, "2001:db8::", 32, 1);
	dp_spec_route6(s, "2001:db8:1::", 48, 2);
	dp_spec_route6(s, "2001:db8:1:2:3::", 80, 7);
	/* Redundant (same peer as the cover): pruned, lookups unchanged. */
	dp_spec_route4(s, "10.1.2.0", 24, 2);
	dp_spec_route4(s, "10.1.2.192", 26, 7);
	/* Not redundant: its cover, the /25, goes to 7. */
	dp_spec_route4(s, "10.1.2.128", 26, 2);
	dp_spec_route6(s, "2001:db8:1:2::", 64, 2);
	dp_spec_route6(s, "2001:db8:1:2:3:4::", 96, 2);
	t = dp_tables_build(s);
	assert_int_equal(dp_lookup4(t->route4, "10.1.2.5"), 2);
	assert_int_equal(dp_lookup4(t->route4, "10.1.2.130"), 2);
	assert_int_equal(dp_lookup4(t->route4, "10.1.2.200"), 7);
	assert_int_equal(dp_lookup6(t->route6, "2001:db8:1:2:3:4::1"), 2);
	assert_int_equal(dp_lookup6(t->route6, "2001:db8:1:2:3:5::1"), 7);
	assert_int_equal(dp_lookup6(t->route6, "2001:db8:1:2:4::1"), 2);
	assert_int_equal(dp_lookup4(t->route4, "10.2.3.4"), 1);
	assert_int_equal(dp_lookup4(t->route4, "10.1.3.4"), 2);
	assert_int_equal(dp_lookup4(t->route4, "10.1.2.127"), 2);
	assert_int_equal(dp_lookup4(t->route4, "10.1.2.255"), 7);
	assert_int_equal(dp_lookup4(t->route4, "192.0.2.1"), 7);
	assert_int_equal(dp_lookup6(t->route6, "2001:db8:2::1"), 1);
	assert_int_equal(dp_lookup6(t->route6, "2001:db8:1:5::1"), 2);
	assert_int_equal(dp_lookup6(t->route6, "2001:db8:1:2:3::9"), 7);
	assert_int_equal(dp_lookup6(t->route6, "2001:db9::1"), NH_NONE);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_local_and_blackholes(void **state)
{
	struct ixg_spec *s = base_spec();
	int64_t now = (int64_t)time(NULL);
	struct tables *t;

	(void)state;
	dp_spec_route4(s, "192.0.2.0", 24, 1);
	dp_spec_route6(s, "2001:db8::", 32, 1);
	dp_spec_local(s, 0, "192.0.2.10", 24);
	dp_spec_local(s, 0, "2001:db8::10", 64);
	dp_spec_blackhole(s, "192.0.2.66", 32, 0);
	dp_spec_blackhole(s, "192.0.2.67", 32, now - 10); /* expired */
	dp_spec_blackhole(s, "192.0.2.68", 32, now + 3600);
	dp_spec_blackhole(s, "192.0.2.69", 32, now + 600);
	dp_spec_blackhole(s, "2001:db8::bad", 128, 0);
	t = dp_tables_build(s);
	assert_int_equal(dp_lookup4(t->route4, "192.0.2.10"), NH_LOCAL | 0);
	/* Only the address itself is local, not the subnet. */
	assert_int_equal(dp_lookup4(t->route4, "192.0.2.11"), 1);
	assert_int_equal(dp_lookup6(t->route6, "2001:db8::10"), NH_LOCAL | 1);
	assert_int_equal(dp_lookup6(t->route6, "2001:db8::11"), 1);
	assert_int_equal(dp_lookup4(t->route4, "192.0.2.66"), NH_BLACKHOLE | 0);
	assert_int_equal(dp_lookup4(t->route4, "192.0.2.67"), 1);
	assert_int_equal(dp_lookup4(t->route4, "192.0.2.68"), NH_BLACKHOLE | 2);
	assert_int_equal(dp_lookup6(t->route6, "2001:db8::bad"),
			 NH_BLACKHOLE | 4);
	assert_int_equal(t->n_blackholes, 5);
	assert_int_equal(t->blackholes[2].expires, now + 3600);
	assert_int_equal(t->next_expiry, now + 600);
	assert_int_equal(t->n_local_addrs, 2);
	tables_free(t);
	dp_spec_free(s);
}

/* The allowed-peer set of a prefix includes its covering prefixes' peers. */
static void
test_sav_sets(void **state)
{
	struct ixg_spec *s = base_spec();
	struct tables *t;
	uint64_t nh;
	const struct tbl_sav_set *set;

	(void)state;
	dp_spec_source4(s, "10.0.0.0", 8, 1);
	dp_spec_source4(s, "10.1.0.0", 16, 2);
	dp_spec_source4(s, "10.1.1.0", 24, 2); /* same set as its cover */
	dp_spec_source4(s, "10.2.0.0", 16, 1); /* duplicate peer of cover */
	dp_spec_source4(s, "11.0.0.0", 8, 7);
	dp_spec_source4(s, "11.0.0.0", 8, 2);
	dp_spec_source6(s, "2001:db8::", 32, 7);
	dp_spec_source6(s, "2001:db8:1::", 48, 1);
	dp_spec_source6(s, "2001:db8:1::", 48, 2);
	t = dp_tables_build(s);

	assert_int_equal(dp_lookup4(t->sav4, "10.9.9.9"), 1);
	assert_int_equal(dp_lookup4(t->sav4, "10.2.0.1"), 1);
	assert_int_equal(dp_lookup4(t->sav4, "12.0.0.1"), 0);
	nh = dp_lookup4(t->sav4, "10.1.0.1");
	assert_true(nh >= SAV_SET);
	set = &t->sav_sets[nh - SAV_SET];
	assert_int_equal(set->n, 2);
	assert_int_equal(t->sav_set_peers[set->first], 1);
	assert_int_equal(t->sav_set_peers[set->first + 1], 2);
	/* {1,2} under 10.1.1.0/24 is deduplicated with 10.1.0.0/16's. */
	assert_int_equal(dp_lookup4(t->sav4, "10.1.1.1"), nh);
	nh = dp_lookup4(t->sav4, "11.0.0.1");
	assert_true(nh >= SAV_SET);
	set = &t->sav_sets[nh - SAV_SET];
	assert_int_equal(set->n, 2);
	assert_int_equal(t->sav_set_peers[set->first], 2);
	assert_int_equal(t->sav_set_peers[set->first + 1], 7);

	assert_int_equal(dp_lookup6(t->sav6, "2001:db8:2::1"), 7);
	nh = dp_lookup6(t->sav6, "2001:db8:1::1");
	assert_true(nh >= SAV_SET);
	set = &t->sav_sets[nh - SAV_SET];
	assert_int_equal(set->n, 3);
	assert_int_equal(t->sav_set_peers[set->first], 1);
	assert_int_equal(t->sav_set_peers[set->first + 1], 2);
	assert_int_equal(t->sav_set_peers[set->first + 2], 7);
	assert_int_equal(t->n_sav_sets, 3);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_meters_layout(void **state)
{
	struct ixg_spec *s = base_spec();
	struct tables *t;
	char err[256];

	(void)state;
	dp_spec_class(s, 3, 1000, 1500, 2000, 3000);
	dp_spec_class(s, 5, 0, 0, 0, 0); /* no rates: not metered */
	s->peers[1].rate = 125000;
	s->peers[1].burst = 10000;
	t = tables_build(s, 2, 99, err, sizeof(err));
	assert_non_null(t);
	assert_int_equal(t->n_meters, (7 + 1) * (5 + 1));
	assert_int_equal(t->peers[7].meter_base, 7 * 6);
	assert_true(t->metered[3]);
	assert_false(t->metered[5]);
	assert_true(t->peer_metered[2]);
	assert_false(t->peer_metered[1]);
	assert_true(t->classes[3].configured);
	assert_true(t->classes[0].configured);
	assert_non_null(t->meters[0]);
	assert_non_null(t->meters[1]);
	assert_null(t->meters[2]);
	assert_int_equal(t->generation, 99);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_error_names_object(void **state)
{
	struct ixg_spec *s = base_spec();
	struct ixg_spec_route4 *r;
	struct tables *t;
	char err[256];

	(void)state;
	dp_spec_route4(s, "10.0.0.0", 8, 1);
	r = dp_spec_route4(s, "10.0.0.0", 9, 42); /* peer 42: not configured */
	r->origin = 17;
	errno = 0;
	t = tables_build(s, 1, 1000, err, sizeof(err));
	assert_null(t);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(err, "route 10.0.0.0/9 (origin 17): peer not "
				 "configured");

	/* Duplicate MAC between two peers on the same port/VLAN. */
	s->n_routes4 = 0;
	memcpy(s->peers[1].macs[0], s->peers[0].macs[0], 6);
	t = tables_build(s, 1, 1001, err, sizeof(err));
	assert_null(t);
	assert_int_equal(errno, EEXIST);
	assert_string_equal(err, "peer peer2 (origin 1002): MAC 0 already "
				 "belongs to peer peer1 on this port/VLAN");
	/* The same MAC on another VLAN, or twice in QinQ under other outer
	 * tags, is another key. */
	s->peers[1].vlan = 101;
	t = tables_build(s, 1, 1001, err, sizeof(err));
	assert_non_null(t);
	tables_free(t);
	s->peers[1].vlan = s->peers[0].vlan;
	s->peers[0].outer_vlan = 7;
	s->peers[1].outer_vlan = 8;
	t = tables_build(s, 1, 1001, err, sizeof(err));
	assert_non_null(t);
	tables_free(t);
	/* A peer giving one MAC twice collides with itself. */
	s->peers[1].outer_vlan = 0;
	s->peers[0].n_macs = 2;
	memcpy(s->peers[0].macs[1], s->peers[0].macs[0], 6);
	t = tables_build(s, 1, 1001, err, sizeof(err));
	assert_null(t);
	assert_int_equal(errno, EEXIST);
	assert_string_equal(err, "peer peer1 (origin 1001): MAC 1 already "
				 "belongs to peer peer1 on this port/VLAN");
	dp_spec_free(s);

	/* A class whose trTCM parameters DPDK refuses (pir < cir). */
	s = base_spec();
	dp_spec_class(s, 4, 2000, 1500, 1000, 3000)->origin = 77;
	t = tables_build(s, 1, 1002, err, sizeof(err));
	assert_null(t);
	assert_non_null(strstr(err, "class class4 (origin 77)"));
	assert_non_null(strstr(err, "rte_meter_trtcm_profile_config"));
	dp_spec_free(s);
}

static void
test_error_acl_and_blackhole(void **state)
{
	struct ixg_spec *s = base_spec();
	struct ixg_spec_acl_rule *r;
	struct ixg_spec_blackhole *h;
	struct tables *t;
	char err[256];

	(void)state;
	dp_spec_acl(s, 4, 10, 4, IXG_ACL_PERMIT);
	r = dp_spec_acl(s, 5, 20, 6, IXG_ACL_CLASS);
	r->class_id = 99; /* > IXG_MAX_CLASSES */
	r->origin = 42;
	snprintf(r->name, sizeof(r->name), "web");
	t = tables_build(s, 1, 2000, err, sizeof(err));
	assert_null(t);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "acl rule 5 'web' (origin 42)"));
	dp_spec_free(s);

	s = base_spec();
	h = dp_spec_blackhole(s, "2001:db8::", 129, 0);
	h->origin = 8;
	t = tables_build(s, 1, 2001, err, sizeof(err));
	assert_null(t);
	assert_string_equal(err, "blackhole 2001:db8::/129 (origin 8): bad "
				 "family 6 or length 129");
	dp_spec_free(s);

	/* A route longer than /32 names the route. */
	s = base_spec();
	dp_spec_route4(s, "10.0.0.0", 33, 1)->origin = 3;
	t = tables_build(s, 1, 2002, err, sizeof(err));
	assert_null(t);
	assert_string_equal(err, "route 10.0.0.0/33 (origin 3): bad length");
	dp_spec_free(s);

	/* Workers out of range. */
	s = base_spec();
	assert_null(tables_build(s, 0, 2003, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_null(
		tables_build(s, IXG_MAX_WORKERS + 1, 2003, err, sizeof(err)));
	dp_spec_free(s);
}

/* Two snapshots coexist during a reload, also of one generation: nothing
 * a build makes is named after its generation. */
static void
test_two_generations(void **state)
{
	struct ixg_spec *s = base_spec();
	struct tables *a, *b, *c;
	char err[256];

	(void)state;
	dp_spec_route4(s, "10.0.0.0", 8, 1);
	dp_spec_acl(s, 1, 1, 4, IXG_ACL_DENY);
	a = tables_build(s, 1, 3000, err, sizeof(err));
	assert_non_null(a);
	s->routes4[0].peer_id = 2;
	b = tables_build(s, 1, 3001, err, sizeof(err));
	assert_non_null(b);
	assert_int_equal(dp_lookup4(a->route4, "10.1.1.1"), 1);
	assert_int_equal(dp_lookup4(b->route4, "10.1.1.1"), 2);
	c = tables_build(s, 1, 3001, err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(dp_lookup4(c->route4, "10.1.1.1"), 2);
	assert_true(c->acl != b->acl);
	tables_free(a);
	tables_free(b);
	tables_free(c);
	tables_free(NULL);
	dp_spec_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports_peers),
		cmocka_unit_test(test_routes_lpm),
		cmocka_unit_test(test_local_and_blackholes),
		cmocka_unit_test(test_sav_sets),
		cmocka_unit_test(test_meters_layout),
		cmocka_unit_test(test_error_names_object),
		cmocka_unit_test(test_error_acl_and_blackhole),
		cmocka_unit_test(test_two_generations),
	};

	dp_test_eal_init("t_tables", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
