/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stage_lookup + stage_route: longest-prefix match to the egress
 * peer, no_route, blackhole (its expiry semantics, its counters per
 * blackhole and per ingress peer, ids unique), hairpin, local.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dp_test_util.h"

static struct ixg_spec *
spec(void)
{
	struct ixg_spec *s = dp_spec_new();

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_port(s, 3, "02:00:00:00:00:04");
	dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_OFF);
	dp_spec_peer(s, 2, 3, 0, "02:00:00:00:01:02", IXG_SAV_OFF);
	dp_spec_peer(s, 3, 0, 0, "02:00:00:00:01:03", IXG_SAV_OFF);
	dp_spec_route4(s, "10.0.0.0", 8, 1);
	dp_spec_route4(s, "10.1.0.0", 16, 2);
	dp_spec_route4(s, "10.1.1.0", 24, 3);
	dp_spec_route4(s, "10.1.1.200", 30, 2);
	dp_spec_route6(s, "2001:db8::", 32, 1);
	dp_spec_route6(s, "2001:db8:aa::", 48, 2);
	dp_spec_route6(s, "2001:db8:aa:bb::", 64, 3);
	return s;
}

/* The counters block stage_route writes (blackholes), zeroed per test. */
static struct ixg_lcore_counters *ctr;

static void
run(const struct tables *t, struct burst *b, int64_t now)
{
	struct pipeline_ctx ctx;

	dp_ctx_init(&ctx, t);
	ctx.ctr = ctr;
	ctx.now_unix = now;
	stage_lookup(&ctx, b);
	stage_route(&ctx, b);
}

static void
expect_fwd(const struct tables *t, const struct burst *b, unsigned i,
	   uint16_t peer)
{
	assert_int_equal(b->meta[i].verdict, VERDICT_CONTINUE);
	assert_int_equal(b->meta[i].out_peer, peer);
	assert_int_equal(b->meta[i].out_port, t->peers[peer].port_id);
}

static void
expect_drop(const struct burst *b, unsigned i, enum ixg_drop_reason r)
{
	assert_int_equal(b->meta[i].verdict, VERDICT_DROP);
	assert_int_equal(b->meta[i].drop_reason, r);
}

static int
ctr_setup(void **state)
{
	(void)state;
	memset(ctr, 0, sizeof(*ctr));
	return 0;
}

static int
ctr_teardown(void **state)
{
	(void)state;
	return 0;
}

static void
test_lpm_v4(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t = dp_tables_build(s);
	struct burst b;

	(void)state;
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 3, "1.1.1.1", "10.200.0.1", 6, 1, 2); /* /8 */
	dp_burst_add4(&b, 1, "1.1.1.1", "10.1.200.1", 6, 1, 2); /* /16 */
	dp_burst_add4(&b, 1, "1.1.1.1", "10.1.1.199", 6, 1, 2); /* /24 */
	dp_burst_add4(&b, 1, "1.1.1.1", "10.1.1.201", 6, 1, 2); /* /30 */
	dp_burst_add4(&b, 1, "1.1.1.1", "10.1.1.204", 6, 1, 2); /* /24 */
	run(t, &b, 0);
	expect_fwd(t, &b, 0, 1);
	expect_fwd(t, &b, 1, 2);
	assert_int_equal(b.meta[1].out_port, 3);
	expect_fwd(t, &b, 2, 3);
	expect_fwd(t, &b, 3, 2);
	expect_fwd(t, &b, 4, 3);
	assert_int_equal(b.meta[0].route_nh, 1);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_lpm_v6(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t = dp_tables_build(s);
	struct burst b;

	(void)state;
	dp_burst_init(&b, 0);
	dp_burst_add6(&b, 3, "2001:db8:1::1", "2001:db8:ff::1", 17, 1, 2);
	dp_burst_add6(&b, 1, "2001:db8:1::1", "2001:db8:aa:1::1", 17, 1, 2);
	dp_burst_add6(&b, 1, "2001:db8:1::1", "2001:db8:aa:bb::1", 17, 1, 2);
	/* an IPv4 packet in the same burst goes to its own FIB */
	dp_burst_add4(&b, 3, "1.1.1.1", "10.9.9.9", 6, 1, 2);
	run(t, &b, 0);
	expect_fwd(t, &b, 0, 1);
	expect_fwd(t, &b, 1, 2);
	expect_fwd(t, &b, 2, 3);
	expect_fwd(t, &b, 3, 1);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_no_route(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t = dp_tables_build(s);
	struct burst b;

	(void)state;
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.0.0.1", "192.0.2.1", 6, 1, 2);
	dp_burst_add6(&b, 1, "2001:db8::1", "2001:db9::1", 6, 1, 2);
	dp_burst_add4(&b, 1, "10.0.0.1", "10.1.0.1", 6, 1, 2);
	run(t, &b, 0);
	expect_drop(&b, 0, IXG_DROP_NO_ROUTE);
	expect_drop(&b, 1, IXG_DROP_NO_ROUTE);
	expect_fwd(t, &b, 2, 2);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_hairpin(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t = dp_tables_build(s);
	struct burst b;

	(void)state;
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 2, "10.0.0.1", "10.1.0.1", 6, 1, 2);
	dp_burst_add6(&b, 3, "2001:db8::1", "2001:db8:aa:bb::1", 6, 1, 2);
	dp_burst_add4(&b, 3, "10.0.0.1", "10.1.0.1", 6, 1, 2);
	run(t, &b, 0);
	expect_drop(&b, 0, IXG_DROP_HAIRPIN);
	expect_drop(&b, 1, IXG_DROP_HAIRPIN);
	expect_fwd(t, &b, 2, 2);
	tables_free(t);
	dp_spec_free(s);
}

/* RFC 1812 5.3.4: unicast IP received as link-layer broadcast or multicast
 * is not routed, even with a route. */
static void
test_l2_multicast_not_routed(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t = dp_tables_build(s);
	struct burst b;

	(void)state;
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 3, "10.0.0.1", "10.1.0.1", 6, 1, 2);
	dp_burst_add6(&b, 3, "2001:db8::1", "2001:db8:aa:bb::1", 6, 1, 2);
	dp_burst_add4(&b, 3, "10.0.0.1", "10.1.0.1", 6, 1, 2);
	b.meta[0].l2_mcast = 1;
	b.meta[1].l2_mcast = 1;
	run(t, &b, 0);
	expect_drop(&b, 0, IXG_DROP_L2_MULTICAST);
	expect_drop(&b, 1, IXG_DROP_L2_MULTICAST);
	expect_fwd(t, &b, 2, 2);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_blackhole(void **state)
{
	struct ixg_spec *s = spec();
	int64_t now = (int64_t)time(NULL);
	struct tables *t;
	struct burst b;

	(void)state;
	dp_spec_blackhole(s, "10.1.1.66", 32, 0);
	dp_spec_blackhole(s, "2001:db8:aa::", 56, 0);
	t = dp_tables_build(s);
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.0.0.1", "10.1.1.66", 6, 1, 2);
	dp_burst_add4(&b, 1, "10.0.0.1", "10.1.1.67", 6, 1, 2);
	dp_burst_add6(&b, 1, "2001:db8::1", "2001:db8:aa:ff::1", 6, 1, 2);
	/* the /64 route under the /56 blackhole is longer: it still wins */
	dp_burst_add6(&b, 1, "2001:db8::1", "2001:db8:aa:bb::1", 6, 1, 2);
	run(t, &b, now);
	expect_drop(&b, 0, IXG_DROP_BLACKHOLE);
	expect_fwd(t, &b, 1, 3);
	expect_drop(&b, 2, IXG_DROP_BLACKHOLE);
	expect_fwd(t, &b, 3, 3);
	tables_free(t);
	dp_spec_free(s);
}

/*
 * Expiry: a blackhole already expired at build time is not installed (the
 * covering route forwards). One that expires after the build keeps dropping
 * until the rebuild the owner schedules at tables.next_expiry.
 */
static void
test_blackhole_expiry(void **state)
{
	struct ixg_spec *s = spec();
	int64_t now = (int64_t)time(NULL);
	struct tables *t;
	struct burst b;

	(void)state;
	dp_spec_blackhole(s, "10.1.1.66", 32, now - 1);
	dp_spec_blackhole(s, "10.1.1.77", 32, now + 100);
	t = dp_tables_build(s);
	assert_int_equal(t->next_expiry, now + 100);
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.0.0.1", "10.1.1.66", 6, 1, 2);
	dp_burst_add4(&b, 1, "10.0.0.1", "10.1.1.77", 6, 1, 2);
	run(t, &b, now + 200); /* clock past the second expiry */
	expect_fwd(t, &b, 0, 3);
	expect_drop(&b, 1, IXG_DROP_BLACKHOLE);
	tables_free(t);

	/* The rebuild after the expiry forwards it via the covering /24. */
	s->blackholes[1].expires = now - 1;
	t = dp_tables_build(s);
	assert_int_equal(t->next_expiry, 0);
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.0.0.1", "10.1.1.77", 6, 1, 2);
	run(t, &b, now);
	expect_fwd(t, &b, 0, 3);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_local_and_skips(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t;
	struct burst b;

	(void)state;
	dp_spec_local(s, 0, "10.1.1.1", 24);
	dp_spec_local(s, 0, "2001:db8:aa:bb::1", 64);
	t = dp_tables_build(s);
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.0.0.1", "10.1.1.1", 6, 1, 2);
	dp_burst_add6(&b, 1, "2001:db8::1", "2001:db8:aa:bb::1", 6, 1, 2);
	dp_burst_add4(&b, 1, "10.0.0.1", "192.0.2.1", 6, 1, 2);
	b.meta[2].verdict = VERDICT_LOCAL; /* not CONTINUE: left alone */
	dp_burst_add4(&b, 1, "10.0.0.1", "10.1.1.2", 6, 1, 2);
	b.meta[3].l3 = L3_ARP;
	{
		struct pipeline_ctx ctx;

		dp_ctx_init(&ctx, t);
		stage_lookup(&ctx, &b);
	}
	assert_int_equal(b.nh_local, 0x3);
	assert_int_equal(b.meta[0].route_nh, NH_LOCAL | 0);
	assert_int_equal(b.meta[1].route_nh, NH_LOCAL | 1);
	assert_int_equal(b.meta[2].route_nh, 0);
	assert_int_equal(b.meta[3].route_nh, 0);
	run(t, &b, 0);
	/* Local packets stage_local did not answer end here. */
	expect_drop(&b, 0, IXG_DROP_LOCAL_UNHANDLED);
	expect_drop(&b, 1, IXG_DROP_LOCAL_UNHANDLED);
	assert_int_equal(b.meta[2].verdict, VERDICT_LOCAL);
	assert_int_equal(b.meta[3].verdict, VERDICT_CONTINUE);
	tables_free(t);
	dp_spec_free(s);
}

/* A full burst of mixed families keeps every packet's own result. */
static void
test_full_burst(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t = dp_tables_build(s);
	struct burst b;

	(void)state;
	dp_burst_init(&b, 0);
	for (unsigned i = 0; i < PIPELINE_BURST; i++) {
		if (i % 3 == 0)
			dp_burst_add4(&b, 1, "10.0.0.1", "10.1.5.5", 6, 1, 2);
		else if (i % 3 == 1)
			dp_burst_add6(&b, 1, "2001:db8::1", "2001:db8:aa:bb::9",
				      6, 1, 2);
		else
			dp_burst_add4(&b, 1, "10.0.0.1", "11.0.0.1", 6, 1, 2);
	}
	run(t, &b, 0);
	for (unsigned i = 0; i < PIPELINE_BURST; i++) {
		if (i % 3 == 0)
			expect_fwd(t, &b, i, 2);
		else if (i % 3 == 1)
			expect_fwd(t, &b, i, 3);
		else
			expect_drop(&b, i, IXG_DROP_NO_ROUTE);
	}
	tables_free(t);
	dp_spec_free(s);
}

/* The blackhole x peer slot of (id, peer) in c, or NULL. */
static const struct ixg_ctr_bh_peer *
bh_peer(const struct ixg_lcore_counters *c, uint16_t id, uint16_t peer)
{
	for (unsigned k = 0; k < IXG_BH_PEER_SLOTS; k++)
		if (c->blackhole_peer[k].key == IXG_BH_PEER_KEY(id, peer))
			return &c->blackhole_peer[k];
	return NULL;
}

/*
 * Issue 10: a blackhole's drops are counted per blackhole (its id, not its
 * index in the spec) and per member that sent them, packets and bytes; a
 * packet the blackhole does not cover counts nowhere.
 */
static void
test_blackhole_counters(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t;
	struct burst b;
	const struct ixg_ctr_bh_peer *p;
	uint64_t slots = 0;

	(void)state;
	dp_spec_blackhole(s, "10.1.1.66", 32, 0)->id = 7;
	dp_spec_blackhole(s, "2001:db8:aa::", 56, 0)->id = 3;
	t = dp_tables_build(s);
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.0.0.1", "10.1.1.66", 6, 1, 2);
	dp_burst_add4(&b, 3, "10.0.0.1", "10.1.1.66", 6, 1, 2);
	dp_burst_add4(&b, 3, "10.0.0.1", "10.1.1.66", 6, 1, 2);
	dp_burst_add6(&b, 1, "2001:db8::1", "2001:db8:aa:ff::1", 6, 1, 2);
	dp_burst_add4(&b, 1, "10.0.0.1", "10.1.1.67", 6, 1, 2); /* routed */
	b.meta[0].rx_len = 100;
	b.meta[1].rx_len = 200;
	b.meta[2].rx_len = 300;
	b.meta[3].rx_len = 1000;
	b.meta[4].rx_len = 5000;
	run(t, &b, 0);
	expect_drop(&b, 0, IXG_DROP_BLACKHOLE);
	expect_drop(&b, 3, IXG_DROP_BLACKHOLE);
	expect_fwd(t, &b, 4, 3);
	assert_int_equal(ctr->blackhole[7].packets, 3);
	assert_int_equal(ctr->blackhole[7].bytes, 600);
	assert_int_equal(ctr->blackhole[3].packets, 1);
	assert_int_equal(ctr->blackhole[3].bytes, 1000);
	assert_int_equal(ctr->blackhole[0].packets, 0);
	assert_int_equal(ctr->blackhole[1].packets, 0);
	p = bh_peer(ctr, 7, 1);
	assert_non_null(p);
	assert_int_equal(p->pb.packets, 1);
	assert_int_equal(p->pb.bytes, 100);
	p = bh_peer(ctr, 7, 3);
	assert_non_null(p);
	assert_int_equal(p->pb.packets, 2);
	assert_int_equal(p->pb.bytes, 500);
	p = bh_peer(ctr, 3, 1);
	assert_non_null(p);
	assert_int_equal(p->pb.packets, 1);
	for (unsigned k = 0; k < IXG_BH_PEER_SLOTS; k++)
		slots += ctr->blackhole_peer[k].key != 0;
	assert_int_equal(slots, 3);
	assert_int_equal(ctr->blackhole_peer_overflow, 0);
	tables_free(t);
	dp_spec_free(s);
}

/* A full slot table: the blackhole still counts the packet, its peer's
 * share goes to blackhole_peer_overflow (the totals stay exact). */
static void
test_blackhole_peer_overflow(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t;
	struct burst b;

	(void)state;
	dp_spec_blackhole(s, "10.1.1.66", 32, 0);
	t = dp_tables_build(s);
	for (unsigned k = 0; k < IXG_BH_PEER_SLOTS; k++)
		ctr->blackhole_peer[k].key = IXG_BH_PEER_KEY(9, 2);
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.0.0.1", "10.1.1.66", 6, 1, 2);
	b.meta[0].rx_len = 64;
	run(t, &b, 0);
	expect_drop(&b, 0, IXG_DROP_BLACKHOLE);
	assert_int_equal(ctr->blackhole[0].packets, 1);
	assert_int_equal(ctr->blackhole[0].bytes, 64);
	assert_int_equal(ctr->blackhole_peer_overflow, 1);
	assert_null(bh_peer(ctr, 0, 1));
	tables_free(t);
	dp_spec_free(s);
}

/* Two blackholes of one spec never share an id (their counters): the
 * build is refused, naming the second. */
static void
test_blackhole_duplicate_id(void **state)
{
	struct ixg_spec *s = spec();
	const struct tables_validate_env env = {.n_workers = 1};
	struct tables_refusal r;

	(void)state;
	dp_spec_blackhole(s, "10.1.1.66", 32, 0)->id = 5;
	dp_spec_blackhole(s, "10.1.1.77", 32, 0)->id = 6;
	assert_int_equal(tables_validate(s, &env, &r), 0);
	s->blackholes[1].id = 5;
	assert_int_equal(tables_validate(s, &env, &r), -1);
	assert_int_equal(r.table, IXG_TBL_BLACKHOLES);
	assert_int_equal(r.index, 1);
	assert_int_equal(r.origin, s->blackholes[1].origin);
	assert_string_equal(r.msg, "blackhole 10.1.1.77/32 (origin 2002): id "
				   "5 is another blackhole's");
	dp_spec_free(s);
}

/* ---- stage_lookup deciding route's common case ------------------------ */

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t
rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11) % n;
}

/*
 * stage_lookup gives a packet routed to a member it may go to its
 * out_peer and out_port, and leaves only the others to stage_route
 * (burst.route_todo): against stage_route over every packet (the burst
 * copied after stage_lookup, burst.gathered cleared, the egress fields
 * cleared) on 300 random bursts of both families, routes to members, to
 * the ingress member (hairpin), to an ECMP group, to a blackhole, to the
 * node, no route, L2 multicast, ARP, packets dropped before stage_lookup
 * and between it and stage_route (as local, sav or acl would): the same
 * verdicts and drop reasons, the same egress of every packet still
 * VERDICT_CONTINUE, the same counters (blackholes, groups).
 */
static void
test_lookup_decides_as_route(void **state)
{
	static const char *const dst4[] = {
		"10.0.0.1",   "10.1.2.3",  "10.1.1.5",	 "10.1.1.201",
		"11.0.0.1",   "10.1.1.66", "10.1.1.1",	 "172.16.9.9",
		"10.200.0.1", "10.1.0.1",  "172.16.0.1", "10.1.1.202"};
	static const char *const dst6[] = {
		"2001:db8::1",	  "2001:db8:aa::1",    "2001:db8:aa:bb::5",
		"2001:db9::1",	  "2001:db8:aa:cc::1", "2001:db8:aa:bb::1",
		"2001:db8:ec::1", "2001:db8:ec::2",    "2001:db8:1::1"};
	struct ixg_spec *s = spec();
	struct ixg_lcore_counters *c2 = calloc(1, sizeof(*c2));
	struct ixg_spec_nhgroup *g;
	unsigned decided = 0, left = 0;
	struct tables *t;

	(void)state;
	assert_non_null(c2);
	memset(ctr, 0, sizeof(*ctr));
	dp_spec_blackhole(s, "10.1.1.66", 32, 0);
	dp_spec_blackhole(s, "2001:db8:aa:cc::", 64, 0);
	dp_spec_local(s, 0, "10.1.1.1", 24);
	dp_spec_local(s, 0, "2001:db8:aa:bb::1", 64);
	dp_spec_route4(s, "172.16.0.0", 12, IXG_NH_GROUP | 7);
	dp_spec_route6(s, "2001:db8:ec::", 48, IXG_NH_GROUP | 7);
	s->nhgroups = calloc(1, sizeof(*s->nhgroups));
	assert_non_null(s->nhgroups);
	s->n_nhgroups = 1;
	g = &s->nhgroups[0];
	g->id = 7;
	g->n_members = 2;
	g->peer_id[0] = 1;
	g->peer_id[1] = 2;
	g->weight[0] = g->weight[1] = 1;
	t = dp_tables_build(s);
	for (unsigned round = 0; round < 300; round++) {
		struct pipeline_ctx ca, cb;
		struct burst a, b;
		const unsigned n = 1 + rnd(PIPELINE_BURST);

		dp_ctx_init(&ca, t);
		dp_ctx_init(&cb, t);
		ca.ctr = ctr;
		cb.ctr = c2;
		dp_burst_init(&a, 0);
		for (unsigned i = 0; i < n; i++) {
			const uint16_t peer = (uint16_t)(1 + rnd(3));
			unsigned k;

			if (rnd(3))
				k = dp_burst_add4(&a, peer, "192.0.2.1",
						  dst4[rnd(12)], 6,
						  (uint16_t)rnd(65536), 80);
			else
				k = dp_burst_add6(&a, peer, "2001:db8:f::1",
						  dst6[rnd(9)], 17,
						  (uint16_t)rnd(65536), 53);
			a.meta[k].rx_len = 64 + rnd(1400);
			if (rnd(8) == 0)
				a.meta[k].l2_mcast = 1;
			if (rnd(16) == 0)
				a.meta[k].l3 = L3_ARP;
			if (rnd(10) == 0)
				pkt_drop(&a, k, IXG_DROP_UNKNOWN_PEER);
		}
		stage_lookup(&ca, &a);
		assert_int_equal(a.gathered, 1);
		for (unsigned i = 0; i < n; i++) {
			if (a.meta[i].verdict != VERDICT_CONTINUE)
				continue;
			if (a.route_todo >> i & 1)
				left++;
			else
				decided++;
			if (rnd(6) == 0)
				pkt_drop(&a, i, IXG_DROP_ACL_DENY);
		}
		b = a;
		b.gathered = 0;
		for (unsigned i = 0; i < n; i++)
			b.meta[i].out_peer = b.meta[i].out_port = 0;
		stage_route(&ca, &a);
		stage_route(&cb, &b);
		for (unsigned i = 0; i < n; i++) {
			assert_int_equal(a.meta[i].verdict, b.meta[i].verdict);
			assert_int_equal(a.meta[i].drop_reason,
					 b.meta[i].drop_reason);
			if (a.meta[i].verdict != VERDICT_CONTINUE)
				continue;
			assert_int_equal(a.meta[i].out_peer,
					 b.meta[i].out_peer);
			assert_int_equal(a.meta[i].out_port,
					 b.meta[i].out_port);
		}
	}
	assert_memory_equal(ctr, c2, sizeof(*ctr));
	assert_true(decided > 1000);
	assert_true(left > 1000);
	free(c2);
	tables_free(t);
	dp_spec_free(s);
}

/* ---- stage_lookup against stage_lookup_simple --------------------------- */

/* A random prefix of length len, host bits clear. */
static uint32_t
rnd_pfx4(uint8_t len)
{
	uint32_t a = rnd(1u << 16) << 16 | rnd(1u << 16);

	return len == 0 ? 0 : a & ~(uint32_t)((UINT64_C(1) << (32 - len)) - 1);
}

static void
rnd_pfx6(uint8_t len, uint8_t a[16])
{
	for (unsigned k = 0; k < 16; k++)
		a[k] = (uint8_t)rnd(256);
	/* most under two /16s, so that the walks go deep */
	if (rnd(4) != 0) {
		a[0] = 0x20;
		a[1] = rnd(2) ? 0x01 : 0x2a;
	}
	for (unsigned k = 0; k < 16; k++) {
		const unsigned bits = len > 8 * k ? len - 8 * k : 0;

		if (bits < 8)
			a[k] &= (uint8_t)(0xff00u >> bits);
	}
}

static const char *
str4(uint32_t a, char *buf)
{
	uint32_t n = htonl(a);

	return inet_ntop(AF_INET, &n, buf, INET6_ADDRSTRLEN);
}

static const char *
str6(const uint8_t a[16], char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

struct pfx_list {
	uint32_t a4[6000];
	uint8_t l4[6000];
	uint8_t a6[12000][16];
	uint8_t l6[12000];
	unsigned n4, n6;
};

/* n4 (n6) new prefixes of lengths lo4..32 (lo6..128), none twice in l. */
static void
pfx_fill(struct pfx_list *l, unsigned n4, uint8_t lo4, unsigned n6, uint8_t lo6)
{
	l->n4 = l->n6 = 0;
	while (l->n4 < n4) {
		const uint8_t len = (uint8_t)(lo4 + rnd(33u - lo4));
		const uint32_t a = rnd_pfx4(len);
		unsigned k = 0;

		while (k < l->n4 && !(l->a4[k] == a && l->l4[k] == len))
			k++;
		if (k < l->n4)
			continue;
		l->a4[l->n4] = a;
		l->l4[l->n4++] = len;
	}
	while (l->n6 < n6) {
		const uint8_t len = (uint8_t)(lo6 + rnd(129u - lo6));
		uint8_t a[16];
		unsigned k = 0;

		rnd_pfx6(len, a);
		while (k < l->n6 &&
		       !(memcmp(l->a6[k], a, 16) == 0 && l->l6[k] == len))
			k++;
		if (k < l->n6)
			continue;
		memcpy(l->a6[l->n6], a, 16);
		l->l6[l->n6++] = len;
	}
}

/* An address inside a random prefix of l (or anywhere, one time in 8). */
static uint32_t
addr4_in(const struct pfx_list *l)
{
	uint32_t a = rnd_pfx4(32);
	unsigned k;

	if (l->n4 == 0 || rnd(8) == 0)
		return a;
	k = rnd(l->n4);
	if (l->l4[k] == 0)
		return a;
	return l->a4[k] |
	       (a & (uint32_t)((UINT64_C(1) << (32 - l->l4[k])) - 1));
}

static void
addr6_in(const struct pfx_list *l, uint8_t out[16])
{
	unsigned k, len;

	rnd_pfx6(128, out);
	if (l->n6 == 0 || rnd(8) == 0)
		return;
	k = rnd(l->n6);
	len = l->l6[k];
	for (unsigned j = 0; j < 16; j++) {
		const unsigned bits = len > 8 * j ? len - 8 * j : 0;
		const uint8_t keep = bits >= 8 ? 0xff
					       : (uint8_t)(0xff00u >> bits);

		out[j] = (uint8_t)((l->a6[k][j] & keep) | (out[j] & ~keep));
	}
}

enum lookup_cfg {
	CFG_SMALL, /* 16-bit IPv4 roots: every IPv4 walk goes into groups */
	CFG_DIR24, /* both IPv4 FIBs DIR-24-8, both IPv6 FIBs 24-bit roots
		    * (the full table's layout) */
	CFG_NO_SAV, /* no SAV FIB walked (no strict peer, no country map);
		     * a 24-bit IPv6 route root beside the zero root's 16 */
	CFG_DIR24_SMALL6, /* DIR-24-8 IPv4, 16-bit IPv6 roots */
};

static struct tables *
lookup_tables(enum lookup_cfg cfg, struct pfx_list *routes,
	      struct pfx_list *srcs, struct ixg_spec **out)
{
	static const uint8_t modes[] = {IXG_SAV_STRICT, IXG_SAV_FEASIBLE,
					IXG_SAV_LOOSE, IXG_SAV_OFF};
	struct ixg_spec *s = dp_spec_new();
	char buf[INET6_ADDRSTRLEN];
	const int dir24 = cfg == CFG_DIR24 || cfg == CFG_DIR24_SMALL6;
	const unsigned n4 = dir24 ? 6000 : 400;
	/* > 32,768 IPv6 groups (lpm.c's LPM6_BIG_GROUPS): 24-bit root;
	 * /40../128 for a margin (more groups a prefix) */
	const int big6 = cfg == CFG_DIR24 || cfg == CFG_NO_SAV;
	const unsigned n6 = big6 ? 12000 : 1200;
	const uint8_t lo6 = big6 ? 40 : 16;

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_port(s, 3, "02:00:00:00:00:04");
	for (uint16_t p = 1; p <= 4; p++) {
		char mac[32];

		snprintf(mac, sizeof(mac), "02:00:00:00:01:%02x", p);
		dp_spec_peer(s, p, p % 2 ? 0 : 3, 0, mac,
			     cfg == CFG_NO_SAV
				     ? (p % 2 ? IXG_SAV_OFF : IXG_SAV_LOOSE)
				     : modes[p - 1]);
	}
	/* long IPv4 prefixes in many /16s: > 4,096 groups, DIR-24-8 */
	pfx_fill(routes, n4, dir24 ? 17 : 8, n6, lo6);
	for (unsigned k = 0; k < routes->n4; k++) {
		const char *a = str4(routes->a4[k], buf);

		if (k % 50 == 1)
			dp_spec_blackhole(s, a, routes->l4[k], 0);
		else
			dp_spec_route4(s, a, routes->l4[k],
				       (uint16_t)(1 + rnd(4)));
	}
	for (unsigned k = 0; k < routes->n6; k++) {
		const char *a = str6(routes->a6[k], buf);

		if (k % 50 == 1)
			dp_spec_blackhole(s, a, routes->l6[k], 0);
		else
			dp_spec_route6(s, a, routes->l6[k],
				       (uint16_t)(1 + rnd(4)));
	}
	dp_spec_local(s, 0, "10.1.1.1", 24);
	dp_spec_local(s, 0, "2001:db8:aa:bb::1", 64);
	pfx_fill(srcs, n4, dir24 ? 17 : 8, n6, lo6);
	if (cfg != CFG_NO_SAV) {
		for (unsigned k = 0; k < srcs->n4; k++) {
			const char *a = str4(srcs->a4[k], buf);
			const uint16_t p = (uint16_t)(1 + rnd(4));

			dp_spec_source4(s, a, srcs->l4[k], p);
			if (rnd(8) == 0) /* a multi-peer set */
				dp_spec_source4(s, a, srcs->l4[k],
						(uint16_t)(p % 4 + 1));
		}
		for (unsigned k = 0; k < srcs->n6; k++) {
			const char *a = str6(srcs->a6[k], buf);
			const uint16_t p = (uint16_t)(1 + rnd(4));

			dp_spec_source6(s, a, srcs->l6[k], p);
			if (rnd(8) == 0)
				dp_spec_source6(s, a, srcs->l6[k],
						(uint16_t)(p % 4 + 1));
		}
		for (unsigned k = 0; k < 300; k++) {
			uint8_t a6[16];
			const uint8_t len = (uint8_t)(8 + rnd(25));

			dp_spec_country4(s, str4(rnd_pfx4(len), buf), len,
					 k % 3 ? "DE" : "FR");
			rnd_pfx6(k % 64 + 16, a6);
			dp_spec_country6(s, str6(a6, buf),
					 (uint8_t)(k % 64 + 16),
					 k % 2 ? "NL" : "GB");
		}
	}
	*out = s;
	return dp_tables_build(s);
}

/* Group levels an IPv6 walk of address a reads in t (lpm6_lookup's). */
static unsigned
groups6(const struct lpm *t, const uint8_t *a)
{
	uint32_t e = t->root[lpm6_root_index(a, t->shift4)];
	unsigned n = 0;

	for (unsigned i = t->root_bits / 8; e & LPM_GROUP; i++, n++)
		e = t->grp[(size_t)lpm_group_index(e) | a[i]];
	return n;
}

/*
 * stage_lookup (the walks started from the gather, read from the
 * metadata, the leaves scattered by one pass) leaves every burst exactly
 * as stage_lookup_simple (the addresses gathered into arrays, each FIB
 * walked over its array by lpm4/6_lookup_bulk, the old pass over the
 * leaves): random tables of three layouts (16-bit IPv4 roots, both IPv4
 * FIBs DIR-24-8, no SAV FIB), IPv6 prefixes down to /128, multi-peer
 * source sets, countries, blackholes, the node's addresses; random
 * bursts of both families, ARP, packets dropped before, L2 multicast,
 * every SAV mode, ingress peers none, unknown and beyond the peer table
 * (stage_lookup's source check reads the peer's mode at the id's low
 * bits). The whole burst is compared, byte for byte; and so is
 * stage_lookup_chained's (the IPv6 walks' first group level in walk6,
 * not in the gather). One burst in eight is 32 IPv6 packets, none
 * dropped before: every slot of the walks' IPv6 array (walk.g6), the
 * 32nd packet's walk going below the gather's group level.
 */
static void
test_lookup_equals_simple(void **state)
{
	static struct pfx_list routes, srcs;
	unsigned seen_set = 0, seen_bad = 0, seen_todo = 0, seen_group4 = 0;
	unsigned seen_far = 0, seen_deep = 0;

	(void)state;
	for (unsigned cfg = CFG_SMALL; cfg <= CFG_DIR24_SMALL6; cfg++) {
		struct ixg_spec *s;
		struct tables *t = lookup_tables(cfg, &routes, &srcs, &s);
		const struct lpm *sav4 = t->sav_checks || t->country4 != NULL
						 ? t->sav4
						 : NULL;

		if (cfg == CFG_DIR24) {
			assert_int_equal(t->route4->shift4, 8);
			assert_non_null(sav4);
			assert_int_equal(sav4->shift4, 8);
			assert_int_equal(t->route6->shift4, 8);
			assert_int_equal(t->sav6->shift4, 8);
		} else if (cfg == CFG_DIR24_SMALL6) {
			assert_int_equal(t->route4->shift4, 8);
			assert_non_null(sav4);
			assert_int_equal(sav4->shift4, 8);
			assert_int_equal(t->route6->shift4, 16);
			assert_int_equal(t->sav6->shift4, 16);
		} else if (cfg == CFG_SMALL) {
			assert_int_equal(t->route4->shift4, 16);
			assert_int_equal(t->route6->shift4, 16);
		} else {
			assert_null(sav4);
			assert_int_equal(t->route6->shift4, 8);
		}
		for (unsigned round = 0; round < 400; round++) {
			struct pipeline_ctx ctx;
			struct burst a, b, c;
			const int all6 = round % 8 == 0;
			const unsigned n = all6 ? PIPELINE_BURST
						: 1 + rnd(PIPELINE_BURST);

			dp_ctx_init(&ctx, t);
			ctx.ctr = ctr;
			dp_burst_init(&a, 0);
			for (unsigned i = 0; i < n; i++) {
				const uint16_t peer = (uint16_t)rnd(6);
				char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN];
				unsigned k;

				if (!all6 && rnd(10) < 7) {
					k = dp_burst_add4(
						&a, peer,
						str4(addr4_in(&srcs), sa),
						str4(addr4_in(&routes), da), 6,
						(uint16_t)rnd(65536), 80);
				} else {
					uint8_t x[16], y[16];

					addr6_in(&srcs, x);
					addr6_in(&routes, y);
					k = dp_burst_add6(&a, peer, str6(x, sa),
							  str6(y, da), 17,
							  (uint16_t)rnd(65536),
							  53);
				}
				if (rnd(8) == 0)
					a.meta[k].l2_mcast = 1;
				/* ids beyond the peer table, aliasing a
				 * strict member's (1, 5) and none's (0) in
				 * their low 12 bits: never checked */
				if (rnd(16) == 0) {
					static const uint16_t far[] = {
						IXG_MAX_PEERS + 1,
						IXG_MAX_PEERS + 5,
						2 * IXG_MAX_PEERS, 0xffff};

					a.meta[k].in_peer = far[rnd(4)];
					seen_far++;
				}
				if (!all6 && rnd(16) == 0)
					a.meta[k].l3 = L3_ARP;
				if (!all6 && rnd(10) == 0)
					pkt_drop(&a, k, IXG_DROP_UNKNOWN_PEER);
			}
			b = a;
			c = a;
			if (cfg == CFG_DIR24 && all6 &&
			    groups6(t->route6, a.meta[n - 1].dst) > 1)
				seen_deep++;
			stage_lookup(&ctx, &a);
			stage_lookup_simple(&ctx, &b);
			assert_memory_equal(&a, &b, sizeof(a));
			stage_lookup_chained(&ctx, &c);
			assert_memory_equal(&c, &b, sizeof(c));
			seen_set += a.sav_set != 0;
			seen_bad += a.sav_bad != 0;
			seen_todo += a.route_todo != 0;
		}
		if (cfg == CFG_DIR24)
			seen_group4 = lpm_groups(t->route4); /* /25../32 */
		tables_free(t);
		dp_spec_free(s);
	}
	/* the cases the bursts were to reach */
	assert_true(seen_set > 50);
	assert_true(seen_bad > 50);
	assert_true(seen_todo > 300);
	assert_true(seen_group4 > 1000); /* DIR-24-8 walks that go on */
	assert_true(seen_far > 100);
	/* the 32nd IPv6 packet's walk below the gather's level */
	assert_true(seen_deep > 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lpm_v4),
		cmocka_unit_test(test_lpm_v6),
		cmocka_unit_test(test_no_route),
		cmocka_unit_test(test_hairpin),
		cmocka_unit_test(test_l2_multicast_not_routed),
		cmocka_unit_test(test_blackhole),
		cmocka_unit_test(test_blackhole_expiry),
		cmocka_unit_test_setup_teardown(test_blackhole_counters,
						ctr_setup, ctr_teardown),
		cmocka_unit_test_setup_teardown(test_blackhole_peer_overflow,
						ctr_setup, ctr_teardown),
		cmocka_unit_test(test_blackhole_duplicate_id),
		cmocka_unit_test(test_local_and_skips),
		cmocka_unit_test(test_full_burst),
		cmocka_unit_test(test_lookup_decides_as_route),
		cmocka_unit_test(test_lookup_equals_simple),
	};

	int rc;

	dp_test_eal_init("t_route", 0);
	ctr = calloc(1, sizeof(*ctr));
	if (ctr == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(ctr);
	return rc;
}
