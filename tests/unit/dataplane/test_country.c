/* SPDX-License-Identifier: BSD-3-Clause */
/* stage_country: source and destination country, IPv4 and IPv6; from
 * the addresses stage_lookup gathered and from its own gather. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dp_test_util.h"

static void
run(const struct tables *t, struct burst *b)
{
	struct pipeline_ctx ctx;

	dp_ctx_init(&ctx, t);
	stage_country(&ctx, b);
}

static void
test_country(void **state)
{
	struct ixg_spec *s = dp_spec_new();
	struct tables *t;
	struct burst b;
	uint16_t cn, vn, sg;

	(void)state;
	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_OFF);
	dp_spec_country4(s, "1.0.0.0", 8, "CN");
	dp_spec_country4(s, "1.2.0.0", 16, "VN"); /* more specific wins */
	dp_spec_country4(s, "14.160.0.0", 11, "VN");
	dp_spec_country4(s, "8.8.8.0", 24, "SG");
	dp_spec_country6(s, "2400:da00::", 32, "CN");
	dp_spec_country6(s, "2405:4800::", 32, "VN");
	dp_spec_country6(s, "2405:4800:1::", 48, "SG");
	cn = dp_spec_country(s, "CN");
	vn = dp_spec_country(s, "VN");
	sg = dp_spec_country(s, "SG");
	t = dp_tables_build(s);
	assert_int_equal(t->n_countries, 4);
	assert_int_equal(t->countries[vn], IXG_CC('V', 'N'));
	assert_int_equal(t->countries[0], IXG_CC('-', '-'));

	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "1.1.1.1", "14.161.0.1", 6, 1, 2);
	dp_burst_add4(&b, 1, "1.2.3.4", "8.8.8.8", 6, 1, 2);
	dp_burst_add4(&b, 1, "192.0.2.1", "1.9.9.9", 6, 1, 2);
	dp_burst_add6(&b, 1, "2400:da00::1", "2405:4800:2::1", 6, 1, 2);
	dp_burst_add6(&b, 1, "2405:4800:1:5::1", "2001:db8::1", 6, 1, 2);
	dp_burst_add4(&b, 1, "1.1.1.1", "1.1.1.2", 6, 1, 2);
	pkt_drop(&b, 5, IXG_DROP_NO_ROUTE); /* not looked up */
	run(t, &b);
	assert_int_equal(b.meta[0].src_country, cn);
	assert_int_equal(b.meta[0].dst_country, vn);
	assert_int_equal(b.meta[1].src_country, vn);
	assert_int_equal(b.meta[1].dst_country, sg);
	assert_int_equal(b.meta[2].src_country, IXG_COUNTRY_UNKNOWN);
	assert_int_equal(b.meta[2].dst_country, cn);
	assert_int_equal(b.meta[3].src_country, cn);
	assert_int_equal(b.meta[3].dst_country, vn);
	assert_int_equal(b.meta[4].src_country, sg);
	assert_int_equal(b.meta[4].dst_country, IXG_COUNTRY_UNKNOWN);
	assert_int_equal(b.meta[5].src_country, 0);
	assert_int_equal(b.meta[5].dst_country, 0);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(b.meta[i].verdict, VERDICT_CONTINUE);
	tables_free(t);
	dp_spec_free(s);
}

/* IPv4 data only: IPv6 packets get "unknown", no lookup in a NULL FIB. */
static void
test_one_family(void **state)
{
	struct ixg_spec *s = dp_spec_new();
	struct tables *t;
	struct burst b;

	(void)state;
	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_country4(s, "1.0.0.0", 8, "CN");
	t = dp_tables_build(s);
	assert_null(t->country6);
	dp_burst_init(&b, 0);
	dp_burst_add6(&b, 1, "2400:da00::1", "2405:4800:2::1", 6, 1, 2);
	b.meta[0].src_country = 77;
	dp_burst_add4(&b, 1, "1.1.1.1", "2.2.2.2", 6, 1, 2);
	run(t, &b);
	assert_int_equal(b.meta[0].src_country, IXG_COUNTRY_UNKNOWN);
	assert_int_equal(b.meta[1].src_country, 1);
	assert_int_equal(b.meta[1].dst_country, IXG_COUNTRY_UNKNOWN);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_bad_country_index(void **state)
{
	struct ixg_spec *s = dp_spec_new();
	char err[256];

	(void)state;
	dp_spec_country4(s, "1.0.0.0", 8, "CN");
	s->country4[0].country = 9;
	assert_null(tables_build(s, 1, 500, err, sizeof(err)));
	assert_string_equal(err, "country prefix 1.0.0.0/8 (entry 0): bad "
				 "length or country index 9");
	dp_spec_free(s);
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t
rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11) % n;
}

static const char *const addrs4[] = {"1.1.1.1",	   "1.2.3.4",	"14.161.0.1",
				     "8.8.8.8",	   "192.0.2.1", "1.9.9.9",
				     "14.200.0.1", "8.8.9.1"};
static const char *const addrs6[] = {"2400:da00::1", "2405:4800:2::1",
				     "2405:4800:1:5::1", "2001:db8::1",
				     "2405:4800:1::ff"};

/* The copy of a burst after stage_lookup as a burst it did not see:
 * stage_lookup wrote the destinations' countries into the packets. */
static void
unset_countries(struct burst *b)
{
	for (unsigned i = 0; i < b->n; i++)
		b->meta[i].src_country = b->meta[i].dst_country = 0;
}

/*
 * stage_country on what stage_lookup gathered against its own gather
 * (burst.gathered cleared): 300 random bursts of both families, ARP and
 * already-dropped packets among them, and packets dropped between the two
 * stages (as sav, acl or route would), with country data for both
 * families, IPv4 only and IPv6 only. The bursts must come out byte for
 * byte the same, with countries set.
 */
static void
test_gathered_matches_own_gather(void **state)
{
	unsigned set = 0;

	(void)state;
	for (unsigned fams = 0; fams < 3; fams++) {
		struct ixg_spec *s = dp_spec_new();
		struct pipeline_ctx ctx;
		struct tables *t;

		dp_spec_port(s, 0, "02:00:00:00:00:01");
		dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_OFF);
		if (fams != 2) {
			dp_spec_country4(s, "1.0.0.0", 8, "CN");
			dp_spec_country4(s, "1.2.0.0", 16, "VN");
			dp_spec_country4(s, "14.160.0.0", 11, "VN");
			dp_spec_country4(s, "8.8.8.0", 24, "SG");
		}
		if (fams != 1) {
			dp_spec_country6(s, "2400:da00::", 32, "CN");
			dp_spec_country6(s, "2405:4800::", 32, "VN");
			dp_spec_country6(s, "2405:4800:1::", 48, "SG");
		}
		t = dp_tables_build(s);
		dp_ctx_init(&ctx, t);
		for (unsigned round = 0; round < 100; round++) {
			struct burst a, b;
			const unsigned n = 1 + rnd(PIPELINE_BURST);

			dp_burst_init(&a, 0);
			for (unsigned i = 0; i < n; i++) {
				unsigned k;

				if (rnd(2))
					k = dp_burst_add4(&a, 1, addrs4[rnd(8)],
							  addrs4[rnd(8)], 6, 1,
							  2);
				else
					k = dp_burst_add6(&a, 1, addrs6[rnd(5)],
							  addrs6[rnd(5)], 17, 1,
							  2);
				if (rnd(16) == 0)
					a.meta[k].l3 = L3_ARP;
				if (rnd(8) == 0)
					pkt_drop(&a, k, IXG_DROP_NO_ROUTE);
			}
			stage_lookup(&ctx, &a);
			assert_int_equal(a.gathered, 1);
			for (unsigned i = 0; i < n; i++)
				if (a.meta[i].verdict == VERDICT_CONTINUE &&
				    rnd(6) == 0)
					pkt_drop(&a, i, IXG_DROP_ACL_DENY);
			b = a;
			b.gathered = 0;
			unset_countries(&b);
			stage_country(&ctx, &a);
			stage_country(&ctx, &b);
			b.gathered = 1;
			assert_memory_equal(&a, &b, sizeof(a));
			for (unsigned i = 0; i < n; i++)
				set += a.meta[i].src_country != 0;
		}
		tables_free(t);
		dp_spec_free(s);
	}
	assert_true(set > 1000);
}

/*
 * The source checks and countries from the SAV FIB's leaves (stage_lookup
 * walks them and judges, stage_sav applies: burst.sav_*) against
 * stage_sav's and stage_country's own gathers: peers strict, loose, off
 * and feasible, packets of no peer, a multi-peer set, routes for the
 * loose check; 300 random bursts over country data of both families,
 * IPv4 only and IPv6 only, with packets dropped before stage_lookup,
 * between it and stage_sav (as stage_local would) and between
 * stage_sav and stage_country. Verdicts, drop reasons and countries must
 * come out byte for byte the same.
 */
static void
test_sav_leaves_match_own_gather(void **state)
{
	static const uint8_t modes[] = {IXG_SAV_STRICT, IXG_SAV_LOOSE,
					IXG_SAV_OFF, IXG_SAV_FEASIBLE};
	unsigned set = 0, dropped = 0;

	(void)state;
	for (unsigned fams = 0; fams < 3; fams++) {
		struct ixg_spec *s = dp_spec_new();
		struct pipeline_ctx ctx;
		struct tables *t;

		dp_spec_port(s, 0, "02:00:00:00:00:01");
		for (uint16_t p = 1; p <= 4; p++) {
			char mac[32];

			snprintf(mac, sizeof(mac), "02:00:00:00:01:%02x", p);
			dp_spec_peer(s, p, 0, p, mac, modes[p - 1]);
		}
		dp_spec_source4(s, "1.0.0.0", 8, 1);
		dp_spec_source4(s, "14.160.0.0", 11, 4);
		dp_spec_source4(s, "8.8.8.0", 24, 1);
		dp_spec_source4(s, "8.8.8.0", 24, 4);
		dp_spec_source6(s, "2400:da00::", 32, 1);
		dp_spec_source6(s, "2405:4800:1::", 48, 4);
		dp_spec_source6(s, "2405:4800:1::", 48, 1);
		dp_spec_route4(s, "1.2.0.0", 16, 2);
		dp_spec_route4(s, "8.8.0.0", 16, 3);
		dp_spec_route6(s, "2405:4800::", 32, 3);
		if (fams != 2) {
			dp_spec_country4(s, "1.0.0.0", 8, "CN");
			dp_spec_country4(s, "1.2.0.0", 16, "VN");
			dp_spec_country4(s, "14.160.0.0", 11, "VN");
			dp_spec_country4(s, "8.8.8.0", 24, "SG");
		}
		if (fams != 1) {
			dp_spec_country6(s, "2400:da00::", 32, "CN");
			dp_spec_country6(s, "2405:4800::", 32, "VN");
			dp_spec_country6(s, "2405:4800:1::", 48, "SG");
		}
		t = dp_tables_build(s);
		dp_ctx_init(&ctx, t);
		for (unsigned round = 0; round < 100; round++) {
			struct burst a, b;
			const unsigned n = 1 + rnd(PIPELINE_BURST);
			uint32_t later = 0;

			dp_burst_init(&a, 0);
			for (unsigned i = 0; i < n; i++) {
				uint16_t peer = (uint16_t)rnd(5);
				unsigned k;

				if (rnd(2))
					k = dp_burst_add4(
						&a, peer, addrs4[rnd(8)],
						addrs4[rnd(8)], 6, 1, 2);
				else
					k = dp_burst_add6(
						&a, peer, addrs6[rnd(5)],
						addrs6[rnd(5)], 17, 1, 2);
				if (rnd(16) == 0)
					a.meta[k].l3 = L3_ARP;
				if (rnd(8) == 0)
					pkt_drop(&a, k, IXG_DROP_NO_ROUTE);
				if (rnd(6) == 0)
					later |= UINT32_C(1) << k;
			}
			stage_lookup(&ctx, &a);
			/* decided between stage_lookup's checks and stage_sav
			 * (as stage_local would): not judged by stage_sav */
			for (unsigned i = 0; i < n; i++)
				if (a.meta[i].verdict == VERDICT_CONTINUE &&
				    rnd(8) == 0)
					pkt_drop(&a, i,
						 IXG_DROP_LOCAL_UNHANDLED);
			b = a;
			b.gathered = 0;
			unset_countries(&b);
			stage_sav(&ctx, &a);
			stage_sav(&ctx, &b);
			for (unsigned i = 0; i < n; i++) {
				if (!(later >> i & 1))
					continue;
				if (a.meta[i].verdict == VERDICT_CONTINUE)
					pkt_drop(&a, i, IXG_DROP_ACL_DENY);
				if (b.meta[i].verdict == VERDICT_CONTINUE)
					pkt_drop(&b, i, IXG_DROP_ACL_DENY);
			}
			stage_country(&ctx, &a);
			stage_country(&ctx, &b);
			b.gathered = a.gathered;
			assert_memory_equal(&a, &b, sizeof(a));
			for (unsigned i = 0; i < n; i++) {
				set += a.meta[i].src_country != 0;
				dropped += a.meta[i].drop_reason ==
					   IXG_DROP_SOURCE_INVALID;
			}
		}
		tables_free(t);
		dp_spec_free(s);
	}
	assert_true(set > 500);
	assert_true(dropped > 300);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_country),
		cmocka_unit_test(test_one_family),
		cmocka_unit_test(test_bad_country_index),
		cmocka_unit_test(test_gathered_matches_own_gather),
		cmocka_unit_test(test_sav_leaves_match_own_gather),
	};

	dp_test_eal_init("t_country", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
