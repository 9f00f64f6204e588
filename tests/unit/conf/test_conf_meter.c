/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Issue 13 item 1: every policer rate a config may hold (CONF_RATE_MIN ..
 * CONF_RATE_MAX, conf_fields.h) gives DPDK's meter a period above zero on
 * any TSC up to 10 GHz and any worker count, and the config library refuses
 * the rate that crashed the dataplane.
 *
 * tb_params() is DPDK 22.11's rte_meter_get_tb_params()
 * (lib/meter/rte_meter.c), with the product that can wrap computed in 128
 * bits so the test sees the wrap instead of suffering it. The dataplane
 * gives each of N workers ceil(rate / N) (dataplane/tables.c, share()).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf_impl.h"

#define TB_PERIOD_MIN 100 /* RTE_METER_TB_PERIOD_MIN */

__extension__ typedef unsigned __int128 u128;

struct tb {
	uint64_t period, bytes_per_period;
	int wrapped; /* hz * bytes_per_period did not fit in 64 bits */
};

static struct tb
tb_params(uint64_t hz, uint64_t rate)
{
	double period = (double)hz / (double)rate;
	struct tb t = {0, 0, 0};

	if (period >= TB_PERIOD_MIN) {
		t.bytes_per_period = 1;
		t.period = (uint64_t)period;
	} else {
		u128 prod;

		t.bytes_per_period = (uint64_t)ceil(TB_PERIOD_MIN / period);
		prod = (u128)hz * t.bytes_per_period;
		t.wrapped = (prod >> 64) != 0;
		t.period = (uint64_t)prod / rate; /* what 64-bit C computes */
	}
	return t;
}

static const uint64_t tsc_hz[] = {
	1000000000ull, 2100000000ull,  3500000000ull,
	5000000000ull, 10000000000ull,
};
static const unsigned workers[] = {1, 2, 3, 7, 64, 128};

/* The rate that killed the dataplane wraps in the model (so the model is
 * the bug), and the config library refuses it. */
static void
test_crash_rate_wraps(void **state)
{
	uint64_t bits = 1475740ull * 1000000000000ull;
	struct tb t = tb_params(10000000000ull, bits / 8);

	(void)state;
	assert_true(t.wrapped);
	assert_int_equal(t.period, 0);
	assert_true(bits > CONF_RATE_MAX);
}

/* Every rate in range, on every TSC and worker count: period > 0, no wrap,
 * at least one byte per period. */
static void
test_bounds_safe(void **state)
{
	const uint64_t rates[] = {CONF_RATE_MIN, 64000, 1000000000ull,
				  400000000000ull, CONF_RATE_MAX};
	unsigned h, r, w;

	(void)state;
	for (h = 0; h < sizeof(tsc_hz) / sizeof(tsc_hz[0]); h++)
		for (r = 0; r < sizeof(rates) / sizeof(rates[0]); r++)
			for (w = 0; w < sizeof(workers) / sizeof(workers[0]);
			     w++) {
				uint64_t bytes = rates[r] / 8;
				uint64_t share = (bytes + workers[w] - 1) /
						 workers[w];
				struct tb t = tb_params(tsc_hz[h], share);

				assert_true(share >= 1);
				assert_false(t.wrapped);
				assert_true(t.period >= 1);
				assert_true(t.bytes_per_period >= 1);
			}
}

/* The margin stated in conf_fields.h: at the top rate and 10 GHz the
 * product stays below 1.3e14, and the wrap comes only past 1475739 tbit. */
static void
test_margin(void **state)
{
	struct tb t = tb_params(10000000000ull, CONF_RATE_MAX / 8);
	struct tb edge = tb_params(10000000000ull,
				   1475739ull * 1000000000000ull / 8);

	(void)state;
	assert_true((u128)10000000000ull * t.bytes_per_period <
		    130000000000000ull);
	assert_false(edge.wrapped);
	assert_true(edge.period > 0);
}

static struct ixg_conf *
parse(const char *text, struct ixg_diags *d)
{
	return ixg_conf_parse_string("t.conf", text, strlen(text), d);
}

#define HEAD                                                                   \
	"node { name n; country SG; }\n"                                       \
	"port p0 { device \"net_null0\"; }\n"

/* The library accepts exactly [CONF_RATE_MIN, CONF_RATE_MAX]. */
static void
test_library_range(void **state)
{
	static const struct {
		const char *rate;
		int ok;
	} cases[] = {
		{"8bit", 1},	    {"7bit", 0},
		{"10tbit", 1},	    {"10001gbit", 0},
		{"1475740tbit", 0}, {"10000000000000bit", 1},
		{"0bit", 0},	    {"18446744073709551615tbit", 0},
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512];
		struct ixg_diags *d = ixg_diags_new();
		struct ixg_conf *c;

		snprintf(text, sizeof(text),
			 HEAD "class k { committed-rate %s; committed-burst "
			      "1m; }\n"
			      "peer a { asn 1; port p0; mac "
			      "02:00:00:00:00:01; rate %s; }\n",
			 cases[i].rate, cases[i].rate);
		c = parse(text, d);
		if (cases[i].ok) {
			if (c == NULL)
				ixg_diags_print(d, stderr);
			assert_non_null(c);
		} else {
			assert_null(c);
			assert_int_equal(ixg_diags_errors(d), 2);
		}
		ixg_conf_free(c);
		ixg_diags_free(d);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crash_rate_wraps),
		cmocka_unit_test(test_bounds_safe),
		cmocka_unit_test(test_margin),
		cmocka_unit_test(test_library_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
