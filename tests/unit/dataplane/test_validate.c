/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_validate.c - tables_validate (every spec table's validate hook, in
 * IXG_SPEC_TABLES order) and the build's own defences: a refusal names the
 * table, index and origin of the object at fault; a spec that passes can
 * be built and run.
 *
 * Issue 13 item 1: a policer rate rte_meter cannot handle (its token-bucket
 * arithmetic overflows and leaves a period of 0 that the worker divides
 * by) is refused before anything runs, by the API's validation and by the
 * build, whatever the config validator let through.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <rte_cycles.h>

#include "dp_test_util.h"

/* 1475740 tbit/s, the rate of the issue, in bytes per second. */
#define OVERFLOW_RATE (1475740ull * 1000000000000ull / 8)

static struct ixg_spec *
base(void)
{
	struct ixg_spec *s = dp_spec_new();

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_OFF);
	dp_spec_peer(s, 2, 0, 0, "02:00:00:00:01:02", IXG_SAV_OFF);
	dp_spec_route4(s, "10.0.0.0", 8, 2);
	return s;
}

static int
validate(const struct ixg_spec *s, unsigned n_workers, struct tables_refusal *r)
{
	const struct tables_validate_env env = {.n_workers = n_workers};

	return tables_validate(s, &env, r);
}

/* A spec the validator accepts builds, and its meters take a burst of
 * packets at several clock readings without a fault. */
static void
assert_runs(const struct ixg_spec *s)
{
	struct tables_refusal r;
	struct pipeline_ctx ctx;
	struct tables *t;
	struct burst b;
	char err[256];

	assert_int_equal(validate(s, 1, &r), 0);
	t = tables_build(s, 1, 1, err, sizeof(err));
	if (t == NULL)
		fail_msg("tables_build: %s", err);
	dp_ctx_init(&ctx, t);
	for (unsigned round = 0; round < 4; round++) {
		dp_burst_init(&b, 0);
		for (unsigned i = 0; i < PIPELINE_BURST; i++) {
			unsigned k = dp_burst_add4(&b, 1, "10.1.1.1",
						   "10.2.2.2", 17, 1, 2);

			b.meta[k].l3_total = (uint16_t)(64 + 100 * i);
			b.meta[k].class_id = (uint16_t)(i % 2 ? 1 : 0);
		}
		ctx.now_tsc = rte_get_tsc_hz() * round * round;
		stage_policer(&ctx, &b);
	}
	tables_free(t);
}

static void
test_class_rate_overflow(void **state)
{
	struct ixg_spec *s = base();
	struct ixg_spec_class *c;
	struct tables_refusal r;
	char err[256];

	(void)state;
	dp_spec_class(s, 1, 1000000, 3000, 2000000, 6000);
	c = dp_spec_class(s, 2, OVERFLOW_RATE, 1 << 20, OVERFLOW_RATE, 1 << 20);
	snprintf(c->name, sizeof(c->name), "huge");
	c->origin = 41;
	assert_int_equal(validate(s, 1, &r), -1);
	assert_int_equal(r.status, IXG_ST_INVALID);
	assert_int_equal(r.table, IXG_TBL_CLASSES);
	assert_int_equal(r.index, 1);
	assert_int_equal(r.origin, 41);
	assert_non_null(strstr(r.msg, "class 2 'huge' (origin 41): rate "));
	/* The build refuses it too (the --config start-up path). */
	assert_null(tables_build(s, 1, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "class huge (origin 41): rate "));
	dp_spec_free(s);
}

static void
test_peer_rate_overflow(void **state)
{
	struct ixg_spec *s = base();
	struct tables_refusal r;
	char err[256];

	(void)state;
	s->peers[1].rate = OVERFLOW_RATE;
	s->peers[1].origin = 9;
	assert_int_equal(validate(s, 1, &r), -1);
	assert_int_equal(r.status, IXG_ST_INVALID);
	assert_int_equal(r.table, IXG_TBL_PEERS);
	assert_int_equal(r.index, 1);
	assert_int_equal(r.origin, 9);
	assert_non_null(strstr(r.msg, "peer 2 'peer2' (origin 9): rate "));
	assert_null(tables_build(s, 1, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "peer peer2 (origin 9): rate "));
	dp_spec_free(s);
}

/* The bounds themselves: IXG_RATE_MAX and IXG_BURST_MAX pass, one more
 * is refused; so is a rate that only overflows once shared over workers
 * would not (the check uses the per-worker share). */
static void
test_meter_bounds(void **state)
{
	struct ixg_spec *s = base();
	struct ixg_spec_class *c;
	struct tables_refusal r;

	(void)state;
	c = dp_spec_class(s, 1, IXG_RATE_MAX, IXG_BURST_MAX, IXG_RATE_MAX,
			  IXG_BURST_MAX);
	s->peers[0].rate = IXG_RATE_MAX;
	s->peers[0].burst = IXG_BURST_MAX;
	assert_runs(s);
	assert_int_equal(validate(s, 64, &r), 0);

	c->pir = IXG_RATE_MAX + 1;
	assert_int_equal(validate(s, 1, &r), -1);
	assert_int_equal(r.table, IXG_TBL_CLASSES);
	assert_non_null(strstr(r.msg, "above the most a meter takes"));
	c->pir = IXG_RATE_MAX;
	c->cbs = IXG_BURST_MAX + 1;
	assert_int_equal(validate(s, 1, &r), -1);
	assert_non_null(strstr(r.msg, "burst"));
	c->cbs = IXG_BURST_MAX;
	s->peers[0].burst = IXG_BURST_MAX + 1;
	assert_int_equal(validate(s, 1, &r), -1);
	assert_int_equal(r.table, IXG_TBL_PEERS);
	assert_int_equal(r.index, 0);
	s->peers[0].burst = 0; /* default burst: 100 ms of the rate */
	assert_int_equal(validate(s, 1, &r), 0);
	dp_spec_free(s);
}

/* The smallest rates and bursts a meter can be given still run. */
static void
test_meter_minimum(void **state)
{
	struct ixg_spec *s = base();

	(void)state;
	dp_spec_class(s, 1, 1, 1, 1, 1);
	s->peers[0].rate = 1;
	s->peers[0].burst = 1;
	assert_runs(s);
	dp_spec_free(s);
}

/* A class rte_meter refuses (peak below committed) is left to the build,
 * whose message is the one operators have seen so far. */
static void
test_meter_refused_by_dpdk(void **state)
{
	struct ixg_spec *s = base();
	struct tables_refusal r;
	char err[256];

	(void)state;
	dp_spec_class(s, 4, 2000, 1500, 1000, 3000)->origin = 77;
	assert_int_equal(validate(s, 1, &r), 0);
	assert_null(tables_build(s, 1, 1, err, sizeof(err)));
	assert_non_null(strstr(err, "class class4 (origin 77): "
				    "rte_meter_trtcm_profile_config"));
	dp_spec_free(s);
}

/* Cross references are checked in list order, naming the object. */
static void
test_cross_references(void **state)
{
	struct ixg_spec *s = base();
	struct ixg_spec_acl_rule *a;
	struct tables_refusal r;

	(void)state;
	assert_int_equal(validate(s, 1, &r), 0);
	s->routes4[0].peer_id = 9;
	s->routes4[0].origin = 5;
	assert_int_equal(validate(s, 1, &r), -1);
	assert_int_equal(r.table, IXG_TBL_ROUTES4);
	assert_int_equal(r.index, 0);
	assert_string_equal(r.msg, "route 0 (origin 5): peer 9 does not exist");
	s->routes4[0].peer_id = 2;
	a = dp_spec_acl(s, 3, 1, 4, IXG_ACL_CLASS);
	a->class_id = 7;
	a->origin = 8;
	assert_int_equal(validate(s, 1, &r), -1);
	assert_int_equal(r.table, IXG_TBL_ACL_RULES);
	assert_int_equal(r.origin, 8);
	assert_non_null(strstr(r.msg, "class 7 does not exist"));
	dp_spec_free(s);
}

/* Issue 13 item 11: a country table with NUL or non-letter codes is
 * refused, naming the index. */
static void
test_country_codes(void **state)
{
	static const ixg_cc_t bad[] = {0,
				       IXG_CC('C', 0),
				       IXG_CC('c', 'n'),
				       IXG_CC('-', 'N'),
				       IXG_CC('1', '2'),
				       IXG_CC(0xc3, 0x89)};
	struct ixg_spec *s = base();
	struct tables_refusal r;
	uint16_t vn;
	char want[32];

	(void)state;
	dp_spec_country(s, "--");
	dp_spec_country(s, "CN");
	vn = dp_spec_country(s, "VN");
	assert_int_equal(validate(s, 1, &r), 0);
	snprintf(want, sizeof(want), "country %u: code 0x", vn);
	for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		s->countries[vn] = bad[k];
		assert_int_equal(validate(s, 1, &r), -1);
		assert_int_equal(r.status, IXG_ST_INVALID);
		assert_int_equal(r.table, IXG_TBL_COUNTRIES);
		assert_int_equal(r.index, vn);
		assert_non_null(strstr(r.msg, want));
	}
	/* 256 NUL codes, as in the issue: the first index is named. */
	s->countries = realloc(s->countries, 256 * sizeof(*s->countries));
	assert_non_null(s->countries);
	memset(s->countries, 0, 256 * sizeof(*s->countries));
	s->n_countries = 256;
	assert_int_equal(validate(s, 1, &r), -1);
	assert_int_equal(r.index, 0);
	dp_spec_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class_rate_overflow),
		cmocka_unit_test(test_peer_rate_overflow),
		cmocka_unit_test(test_meter_bounds),
		cmocka_unit_test(test_meter_minimum),
		cmocka_unit_test(test_meter_refused_by_dpdk),
		cmocka_unit_test(test_cross_references),
		cmocka_unit_test(test_country_codes),
	};

	dp_test_eal_init("t_validate", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
