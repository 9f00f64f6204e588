/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stage_sav: source_invalid for strict (prefix lists, covering prefixes,
 * multi-peer sets), loose (routed source), feasible (strict over the
 * sources the control plane extends) and off; stage_sav's prefetch of the
 * sets changes no result.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dp_test_util.h"

/*
 * Peers 1, 2 strict; 3 loose; 4 off.
 * Sources: 10.0.0.0/8 -> 1, 10.1.0.0/16 -> 2 (so {1,2} there),
 * 10.1.2.0/24 -> 3 (so {1,2,3}), 20.0.0.0/8 -> 1 and 2 ({1,2}),
 * 2001:db8::/32 -> 1, 2001:db8:1::/48 -> 2.
 * Routes: 30.0.0.0/8 -> 2, 2001:db8::/32 -> 1, blackhole 30.9.9.9/32.
 */
static struct tables *
build(struct ixg_spec **sp)
{
	struct ixg_spec *s = dp_spec_new();

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_STRICT);
	dp_spec_peer(s, 2, 0, 0, "02:00:00:00:01:02", IXG_SAV_STRICT);
	dp_spec_peer(s, 3, 0, 0, "02:00:00:00:01:03", IXG_SAV_LOOSE);
	dp_spec_peer(s, 4, 0, 0, "02:00:00:00:01:04", IXG_SAV_OFF);
	dp_spec_source4(s, "10.0.0.0", 8, 1);
	dp_spec_source4(s, "10.1.0.0", 16, 2);
	dp_spec_source4(s, "10.1.2.0", 24, 3);
	dp_spec_source4(s, "20.0.0.0", 8, 2);
	dp_spec_source4(s, "20.0.0.0", 8, 1);
	dp_spec_source6(s, "2001:db8::", 32, 1);
	dp_spec_source6(s, "2001:db8:1::", 48, 2);
	dp_spec_route4(s, "30.0.0.0", 8, 2);
	dp_spec_route6(s, "2001:db8::", 32, 1);
	dp_spec_blackhole(s, "30.9.9.9", 32, 0);
	*sp = s;
	return dp_tables_build(s);
}

static void
run(const struct tables *t, struct burst *b)
{
	struct pipeline_ctx ctx;

	dp_ctx_init(&ctx, t);
	stage_sav(&ctx, b);
}

static void
expect(const struct burst *b, unsigned i, int ok)
{
	if (ok) {
		assert_int_equal(b->meta[i].verdict, VERDICT_CONTINUE);
	} else {
		assert_int_equal(b->meta[i].verdict, VERDICT_DROP);
		assert_int_equal(b->meta[i].drop_reason,
				 IXG_DROP_SOURCE_INVALID);
	}
}

static void
test_strict_v4(void **state)
{
	struct ixg_spec *s;
	struct tables *t = build(&s);
	struct burst b;

	(void)state;
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.200.0.1", "1.1.1.1", 6, 1, 2); /* own /8 */
	dp_burst_add4(&b, 2, "10.200.0.1", "1.1.1.1", 6, 1, 2); /* not 2's */
	dp_burst_add4(&b, 2, "10.1.0.1", "1.1.1.1", 6, 1, 2); /* own /16 */
	/* covering prefix: peer 1 may still source inside 10.1.0.0/16 */
	dp_burst_add4(&b, 1, "10.1.0.1", "1.1.1.1", 6, 1, 2);
	/* three-deep: 10.1.2.0/24 set is {1,2,3}; peer 1 and 2 allowed */
	dp_burst_add4(&b, 1, "10.1.2.3", "1.1.1.1", 6, 1, 2);
	dp_burst_add4(&b, 2, "10.1.2.3", "1.1.1.1", 6, 1, 2);
	dp_burst_add4(&b, 1, "11.0.0.1", "1.1.1.1", 6, 1, 2); /* nobody's */
	/* multi-peer set on one prefix */
	dp_burst_add4(&b, 1, "20.1.1.1", "1.1.1.1", 6, 1, 2);
	dp_burst_add4(&b, 2, "20.1.1.1", "1.1.1.1", 6, 1, 2);
	run(t, &b);
	expect(&b, 0, 1);
	expect(&b, 1, 0);
	expect(&b, 2, 1);
	expect(&b, 3, 1);
	expect(&b, 4, 1);
	expect(&b, 5, 1);
	expect(&b, 6, 0);
	expect(&b, 7, 1);
	expect(&b, 8, 1);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_strict_v6(void **state)
{
	struct ixg_spec *s;
	struct tables *t = build(&s);
	struct burst b;

	(void)state;
	dp_burst_init(&b, 0);
	dp_burst_add6(&b, 1, "2001:db8:5::1", "2001:db8::9", 6, 1, 2);
	dp_burst_add6(&b, 2, "2001:db8:5::1", "2001:db8::9", 6, 1, 2);
	dp_burst_add6(&b, 2, "2001:db8:1:7::1", "2001:db8::9", 6, 1, 2);
	dp_burst_add6(&b, 1, "2001:db8:1:7::1", "2001:db8::9", 6, 1, 2);
	dp_burst_add6(&b, 1, "2001:db9::1", "2001:db8::9", 6, 1, 2);
	run(t, &b);
	expect(&b, 0, 1);
	expect(&b, 1, 0);
	expect(&b, 2, 1);
	expect(&b, 3, 1);
	expect(&b, 4, 0);
	tables_free(t);
	dp_spec_free(s);
}

/* Loose (RFC 3704 s. 2.4): any routed source, whatever the prefix lists. */
static void
test_loose(void **state)
{
	struct ixg_spec *s;
	struct tables *t = build(&s);
	struct burst b;

	(void)state;
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 3, "30.1.1.1", "1.1.1.1", 6, 1, 2); /* routed */
	dp_burst_add4(&b, 3, "10.200.0.1", "1.1.1.1", 6, 1, 2); /* not */
	dp_burst_add4(&b, 3, "30.9.9.9", "1.1.1.1", 6, 1, 2); /* blackhole */
	dp_burst_add6(&b, 3, "2001:db8:77::1", "2001:db8::9", 6, 1, 2);
	dp_burst_add6(&b, 3, "2001:db9::1", "2001:db8::9", 6, 1, 2);
	run(t, &b);
	expect(&b, 0, 1);
	expect(&b, 1, 0);
	expect(&b, 2, 0);
	expect(&b, 3, 1);
	expect(&b, 4, 0);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_off_and_skips(void **state)
{
	struct ixg_spec *s;
	struct tables *t = build(&s);
	struct burst b;

	(void)state;
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 4, "99.1.1.1", "1.1.1.1", 6, 1, 2);
	dp_burst_add6(&b, 4, "2001:db9::1", "2001:db8::9", 6, 1, 2);
	/* already dropped: reason left as it was */
	dp_burst_add4(&b, 1, "99.1.1.1", "1.1.1.1", 6, 1, 2);
	pkt_drop(&b, 2, IXG_DROP_MARTIAN);
	/* ARP: not validated */
	dp_burst_add4(&b, 1, "99.1.1.1", "1.1.1.1", 0, 0, 0);
	b.meta[3].l3 = L3_ARP;
	run(t, &b);
	expect(&b, 0, 1);
	expect(&b, 1, 1);
	assert_int_equal(b.meta[2].drop_reason, IXG_DROP_MARTIAN);
	expect(&b, 3, 1);
	tables_free(t);
	dp_spec_free(s);
}

/* No source prefixes at all: a strict peer may source nothing. */
static void
test_strict_empty(void **state)
{
	struct ixg_spec *s = dp_spec_new();
	struct tables *t;
	struct burst b;

	(void)state;
	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_STRICT);
	t = dp_tables_build(s);
	assert_null(t->sav4);
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.0.0.1", "1.1.1.1", 6, 1, 2);
	dp_burst_add6(&b, 1, "2001:db8::1", "2001:db8::9", 6, 1, 2);
	run(t, &b);
	expect(&b, 0, 0);
	expect(&b, 1, 0);
	tables_free(t);
	dp_spec_free(s);
}

/*
 * feasible (RFC 8704): the dataplane checks the peer's sources as strict
 * (ixgate-control puts the prefixes routed to the peer in them); the
 * routes themselves are not consulted. A mode past feasible is refused.
 */
static void
test_feasible(void **state)
{
	struct ixg_spec *s = dp_spec_new();
	struct tables *t;
	struct burst b;
	char err[256];

	(void)state;
	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_peer(s, 5, 0, 0, "02:00:00:00:01:05", IXG_SAV_FEASIBLE);
	dp_spec_peer(s, 6, 0, 0, "02:00:00:00:01:06", IXG_SAV_STRICT);
	dp_spec_source4(s, "40.0.0.0", 8, 5); /* allowed or announced */
	dp_spec_source6(s, "2001:db8:40::", 48, 5);
	dp_spec_route4(s, "50.0.0.0", 8, 5); /* routed, not in its sources */
	t = dp_tables_build(s);
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 5, "40.1.2.3", "1.1.1.1", 6, 1, 2);
	dp_burst_add4(&b, 5, "50.1.2.3", "1.1.1.1", 6, 1, 2);
	dp_burst_add4(&b, 6, "40.1.2.3", "1.1.1.1", 6, 1, 2);
	dp_burst_add6(&b, 5, "2001:db8:40::1", "2001:db8::1", 6, 1, 2);
	dp_burst_add6(&b, 5, "2001:db8:41::1", "2001:db8::1", 6, 1, 2);
	run(t, &b);
	expect(&b, 0, 1);
	expect(&b, 1, 0);
	expect(&b, 2, 0);
	expect(&b, 3, 1);
	expect(&b, 4, 0);
	tables_free(t);
	s->peers[0].sav_mode = IXG_SAV_FEASIBLE + 1;
	assert_null(tables_build(s, 1, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "bad sav mode 4"));
	dp_spec_free(s);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static unsigned
rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11) % n;
}

/*
 * stage_sav (which prefetches the multi-peer sets its strict lookups
 * answer before searching any) against stage_sav_simple (which does not):
 * 400 random bursts of 1..32 packets from peers 1..4 and none, both
 * families, sources in single-peer prefixes, in sets of two and three
 * peers and in none, ARP and already-dropped packets among them. The
 * bursts must come out byte for byte the same; both verdicts occur.
 */
static void
test_prefetch_matches_simple(void **state)
{
	static const char *const src4[] = {"10.9.9.9", "10.1.9.9", "10.1.2.3",
					   "20.1.2.3", "30.1.1.1", "40.0.0.1"};
	static const char *const src6[] = {"2001:db8::1", "2001:db8:1::1",
					   "2001:db9::1"};
	struct ixg_spec *s;
	struct tables *t = build(&s);
	struct pipeline_ctx ctx;
	unsigned drops = 0, kept = 0;

	(void)state;
	dp_ctx_init(&ctx, t);
	for (unsigned round = 0; round < 400; round++) {
		struct burst a, b;
		const unsigned n = 1 + rnd(PIPELINE_BURST);

		dp_burst_init(&a, 0);
		for (unsigned i = 0; i < n; i++) {
			uint16_t peer = (uint16_t)rnd(5);
			unsigned k;

			if (rnd(3))
				k = dp_burst_add4(&a, peer, src4[rnd(6)],
						  "30.0.0.1", 6, 1, 2);
			else
				k = dp_burst_add6(&a, peer, src6[rnd(3)],
						  "2001:db8::9", 17, 1, 2);
			if (peer == 0)
				a.meta[k].in_peer = IXG_PEER_NONE;
			if (rnd(16) == 0)
				a.meta[k].l3 = L3_ARP;
			if (rnd(10) == 0)
				pkt_drop(&a, k, IXG_DROP_NO_ROUTE);
		}
		b = a;
		stage_sav(&ctx, &a);
		stage_sav_simple(&ctx, &b);
		assert_memory_equal(&a, &b, sizeof(a));
		for (unsigned i = 0; i < n; i++) {
			drops += a.meta[i].drop_reason ==
				 IXG_DROP_SOURCE_INVALID;
			kept += a.meta[i].verdict == VERDICT_CONTINUE;
		}
	}
	assert_true(drops > 500);
	assert_true(kept > 500);
	tables_free(t);
	dp_spec_free(s);
}

/*
 * The same comparison over more sets than SAV_SETS_PREFETCH (sav_stage.c:
 * below it stage_sav does not prefetch): 50 strict peers, a /24 per pair
 * of them (1,225 sets of two), random bursts of 1..32 IPv4 and IPv6
 * packets from random peers with sources in random pairs' prefixes and
 * outside them.
 */
static void
test_prefetch_many_sets(void **state)
{
	struct ixg_spec *s = dp_spec_new();
	struct pipeline_ctx ctx;
	struct tables *t;
	unsigned drops = 0, kept = 0;
	char buf[64];

	(void)state;
	dp_spec_port(s, 0, "02:00:00:00:00:01");
	for (unsigned p = 1; p <= 50; p++) {
		snprintf(buf, sizeof(buf), "02:00:00:00:01:%02x", p);
		dp_spec_peer(s, (uint16_t)p, 0, 0, buf, IXG_SAV_STRICT);
	}
	for (unsigned a = 1; a <= 50; a++)
		for (unsigned c = a + 1; c <= 50; c++) {
			snprintf(buf, sizeof(buf), "10.%u.%u.0", a, c);
			dp_spec_source4(s, buf, 24, (uint16_t)a);
			dp_spec_source4(s, buf, 24, (uint16_t)c);
			snprintf(buf, sizeof(buf), "2001:db8:%x:%x::", a, c);
			dp_spec_source6(s, buf, 64, (uint16_t)a);
			dp_spec_source6(s, buf, 64, (uint16_t)c);
		}
	t = dp_tables_build(s);
	assert_true(t->n_sav_sets > 1024);
	dp_ctx_init(&ctx, t);
	for (unsigned round = 0; round < 300; round++) {
		struct burst a, b;
		const unsigned n = 1 + rnd(PIPELINE_BURST);

		dp_burst_init(&a, 0);
		for (unsigned i = 0; i < n; i++) {
			const uint16_t peer = (uint16_t)(1 + rnd(50));
			const unsigned x = 1 + rnd(51), y = 1 + rnd(51);

			if (rnd(3)) {
				snprintf(buf, sizeof(buf), "10.%u.%u.7", x, y);
				dp_burst_add4(&a, peer, buf, "30.0.0.1", 6, 1,
					      2);
			} else {
				snprintf(buf, sizeof(buf), "2001:db8:%x:%x::7",
					 x, y);
				dp_burst_add6(&a, peer, buf, "2001:db8::9", 17,
					      1, 2);
			}
		}
		b = a;
		stage_sav(&ctx, &a);
		stage_sav_simple(&ctx, &b);
		assert_memory_equal(&a, &b, sizeof(a));
		for (unsigned i = 0; i < n; i++) {
			drops += a.meta[i].verdict == VERDICT_DROP;
			kept += a.meta[i].verdict == VERDICT_CONTINUE;
		}
	}
	assert_true(drops > 500);
	assert_true(kept > 50);
	tables_free(t);
	dp_spec_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strict_v4),
		cmocka_unit_test(test_strict_v6),
		cmocka_unit_test(test_loose),
		cmocka_unit_test(test_off_and_skips),
		cmocka_unit_test(test_strict_empty),
		cmocka_unit_test(test_feasible),
		cmocka_unit_test(test_prefetch_matches_simple),
		cmocka_unit_test(test_prefetch_many_sets),
	};

	dp_test_eal_init("t_sav", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
