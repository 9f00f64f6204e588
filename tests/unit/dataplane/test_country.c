/* SPDX-License-Identifier: BSD-3-Clause */
/* stage_country: source and destination country, IPv4 and IPv6. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_country),
		cmocka_unit_test(test_one_family),
		cmocka_unit_test(test_bad_country_index),
	};

	dp_test_eal_init("t_country", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
