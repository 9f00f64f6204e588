/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stage_acl: priority order, prefixes, port ranges, ingress peer, DSCP,
 * fragments, and the deny / class / remark / permit actions.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dp_test_util.h"

static struct ixg_spec *
spec(void)
{
	struct ixg_spec *s = dp_spec_new();

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_OFF);
	dp_spec_peer(s, 2, 0, 0, "02:00:00:00:01:02", IXG_SAV_OFF);
	return s;
}

static void
set4(uint8_t out[16], const char *a)
{
	uint32_t v = htonl(dp_ip4(a));

	memcpy(out, &v, 4);
}

static void
run(const struct tables *t, struct burst *b)
{
	struct pipeline_ctx ctx;

	dp_ctx_init(&ctx, t);
	stage_acl(&ctx, b);
}

static void
expect_deny(const struct burst *b, unsigned i, uint32_t rule)
{
	assert_int_equal(b->meta[i].verdict, VERDICT_DROP);
	assert_int_equal(b->meta[i].drop_reason, IXG_DROP_ACL_DENY);
	assert_int_equal(b->meta[i].acl_rule, rule);
}

static void
expect_pass(const struct burst *b, unsigned i, uint32_t rule)
{
	assert_int_equal(b->meta[i].verdict, VERDICT_CONTINUE);
	assert_int_equal(b->meta[i].acl_rule, rule);
}

/* Lower priority number first, whatever the ids or the order given. */
static void
test_priority(void **state)
{
	struct ixg_spec *s = spec();
	struct ixg_spec_acl_rule *r;
	struct tables *t;
	struct burst b;

	(void)state;
	r = dp_spec_acl(s, 1, 100, 4, IXG_ACL_DENY); /* deny 10/8 */
	set4(r->src, "10.0.0.0");
	r->src_len = 8;
	r = dp_spec_acl(s, 2, 50, 4, IXG_ACL_PERMIT); /* permit 10.1/16 */
	set4(r->src, "10.1.0.0");
	r->src_len = 16;
	r = dp_spec_acl(s, 3, 200, 4, IXG_ACL_CLASS); /* catch-all */
	r->class_id = 9;
	dp_spec_class(s, 9, 0, 0, 0, 0);
	t = dp_tables_build(s);
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.1.2.3", "1.1.1.1", 6, 1000, 80);
	dp_burst_add4(&b, 1, "10.2.2.3", "1.1.1.1", 6, 1000, 80);
	dp_burst_add4(&b, 1, "11.2.2.3", "1.1.1.1", 6, 1000, 80);
	run(t, &b);
	expect_pass(&b, 0, 2);
	assert_int_equal(b.meta[0].class_id, 0);
	expect_deny(&b, 1, 1);
	expect_pass(&b, 2, 3);
	assert_int_equal(b.meta[2].class_id, 9);
	tables_free(t);

	/* Swap the priorities: the /8 deny now comes first. */
	s->acl_rules[0].priority = 10;
	t = dp_tables_build(s);
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.1.2.3", "1.1.1.1", 6, 1000, 80);
	run(t, &b);
	expect_deny(&b, 0, 1);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_ports_and_dst(void **state)
{
	struct ixg_spec *s = spec();
	struct ixg_spec_acl_rule *r;
	struct tables *t;
	struct burst b;

	(void)state;
	r = dp_spec_acl(s, 7, 1, 4, IXG_ACL_DENY);
	r->proto = 6;
	r->proto_mask = 0xff;
	r->dport_lo = 80;
	r->dport_hi = 90;
	r->sport_lo = 1024;
	set4(r->dst, "192.0.2.0");
	r->dst_len = 24;
	t = dp_tables_build(s);
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.0.0.1", "192.0.2.5", 6, 1024, 80);
	dp_burst_add4(&b, 1, "10.0.0.1", "192.0.2.5", 6, 2000, 90);
	dp_burst_add4(&b, 1, "10.0.0.1", "192.0.2.5", 6, 2000, 91);
	dp_burst_add4(&b, 1, "10.0.0.1", "192.0.2.5", 6, 1023, 85);
	dp_burst_add4(&b, 1, "10.0.0.1", "192.0.3.5", 6, 2000, 85);
	dp_burst_add4(&b, 1, "10.0.0.1", "192.0.2.5", 17, 2000, 85);
	run(t, &b);
	expect_deny(&b, 0, 7);
	expect_deny(&b, 1, 7);
	expect_pass(&b, 2, 0);
	expect_pass(&b, 3, 0);
	expect_pass(&b, 4, 0);
	expect_pass(&b, 5, 0);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_in_peer(void **state)
{
	struct ixg_spec *s = spec();
	struct ixg_spec_acl_rule *r;
	struct tables *t;
	struct burst b;

	(void)state;
	r = dp_spec_acl(s, 1, 1, 4, IXG_ACL_DENY);
	r->in_peer = 2;
	r = dp_spec_acl(s, 2, 2, 6, IXG_ACL_DENY);
	r->in_peer = 1;
	r = dp_spec_acl(s, 3, 3, 6, IXG_ACL_PERMIT); /* any peer */
	t = dp_tables_build(s);
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.0.0.1", "1.1.1.1", 6, 1, 2);
	dp_burst_add4(&b, 2, "10.0.0.1", "1.1.1.1", 6, 1, 2);
	dp_burst_add6(&b, 1, "2001:db8::1", "2001:db8::2", 6, 1, 2);
	dp_burst_add6(&b, 2, "2001:db8::1", "2001:db8::2", 6, 1, 2);
	run(t, &b);
	expect_pass(&b, 0, 0);
	expect_deny(&b, 1, 1);
	expect_deny(&b, 2, 2);
	expect_pass(&b, 3, 3);
	tables_free(t);
	dp_spec_free(s);
}

/*
 * Only first fragments carry the L4 header: a later fragment never matches
 * a rule with port ranges, but still matches "any port" rules.
 */
static void
test_fragments(void **state)
{
	struct ixg_spec *s = spec();
	struct ixg_spec_acl_rule *r;
	struct tables *t;
	struct burst b;

	(void)state;
	r = dp_spec_acl(s, 1, 1, 4, IXG_ACL_DENY); /* udp dport 53 */
	r->proto = 17;
	r->proto_mask = 0xff;
	r->dport_lo = r->dport_hi = 53;
	r = dp_spec_acl(s, 2, 2, 4, IXG_ACL_DENY); /* udp 0-1023 any src */
	r->proto = 17;
	r->proto_mask = 0xff;
	r->sport_lo = 0;
	r->sport_hi = 1023;
	set4(r->src, "172.16.0.0");
	r->src_len = 12;
	r = dp_spec_acl(s, 3, 3, 4, IXG_ACL_REMARK); /* any udp */
	r->proto = 17;
	r->proto_mask = 0xff;
	r->remark_dscp = 10;
	r = dp_spec_acl(s, 4, 1, 6, IXG_ACL_DENY); /* v6 udp dport 53 */
	r->proto = 17;
	r->proto_mask = 0xff;
	r->dport_lo = r->dport_hi = 53;
	t = dp_tables_build(s);
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.0.0.1", "1.1.1.1", 17, 5000, 53);
	b.meta[0].frag = FRAG_FIRST;
	dp_burst_add4(&b, 1, "10.0.0.1", "1.1.1.1", 17, 5000, 53);
	b.meta[1].frag = FRAG_LATER;
	/* ports 0 on a later fragment must not fall in 0-1023 */
	dp_burst_add4(&b, 1, "172.16.0.1", "1.1.1.1", 17, 0, 0);
	b.meta[2].frag = FRAG_LATER;
	dp_burst_add6(&b, 1, "2001:db8::1", "2001:db8::2", 17, 5000, 53);
	b.meta[3].frag = FRAG_LATER;
	dp_burst_add6(&b, 1, "2001:db8::1", "2001:db8::2", 17, 5000, 53);
	b.meta[4].frag = FRAG_FIRST;
	run(t, &b);
	expect_deny(&b, 0, 1);
	expect_pass(&b, 1, 3);
	assert_int_equal(b.meta[1].dscp, 10);
	assert_int_equal(b.meta[1].remark, 1);
	expect_pass(&b, 2, 3);
	expect_pass(&b, 3, 0);
	expect_deny(&b, 4, 4);
	tables_free(t);
	dp_spec_free(s);
}

/* Port-less protocols (ICMP) never match port-range rules. */
static void
test_portless_proto(void **state)
{
	struct ixg_spec *s = spec();
	struct ixg_spec_acl_rule *r;
	struct tables *t;
	struct burst b;

	(void)state;
	r = dp_spec_acl(s, 1, 1, 4, IXG_ACL_DENY);
	r->sport_hi = 1023;
	t = dp_tables_build(s);
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.0.0.1", "1.1.1.1", 1, 0, 0);
	dp_burst_add4(&b, 1, "10.0.0.1", "1.1.1.1", 6, 500, 80);
	run(t, &b);
	expect_pass(&b, 0, 0);
	expect_deny(&b, 1, 1);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_dscp_class_remark(void **state)
{
	struct ixg_spec *s = spec();
	struct ixg_spec_acl_rule *r;
	struct tables *t;
	struct burst b;

	(void)state;
	dp_spec_class(s, 5, 0, 0, 0, 0);
	r = dp_spec_acl(s, 11, 1, 4, IXG_ACL_CLASS); /* EF -> class 5 */
	r->dscp = 46;
	r->dscp_any = 0;
	r->class_id = 5;
	r = dp_spec_acl(s, 12, 2, 6, IXG_ACL_REMARK); /* v6 /48 -> AF11 */
	dp_ip6("2001:db8:1::", r->src);
	r->src_len = 48;
	r->remark_dscp = 10;
	t = dp_tables_build(s);
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.0.0.1", "1.1.1.1", 17, 1, 2);
	b.meta[0].dscp = 46;
	dp_burst_add4(&b, 1, "10.0.0.1", "1.1.1.1", 17, 1, 2);
	b.meta[1].dscp = 0;
	dp_burst_add6(&b, 1, "2001:db8:1:2::1", "2001:db8::2", 6, 1, 2);
	dp_burst_add6(&b, 1, "2001:db8:2::1", "2001:db8::2", 6, 1, 2);
	b.meta[3].dscp = 34;
	run(t, &b);
	expect_pass(&b, 0, 11);
	assert_int_equal(b.meta[0].class_id, 5);
	assert_int_equal(b.meta[0].remark, 0);
	expect_pass(&b, 1, 0);
	assert_int_equal(b.meta[1].class_id, 0);
	expect_pass(&b, 2, 12);
	assert_int_equal(b.meta[2].dscp, 10);
	assert_int_equal(b.meta[2].remark, 1);
	expect_pass(&b, 3, 0);
	assert_int_equal(b.meta[3].dscp, 34);
	assert_int_equal(b.meta[3].remark, 0);
	tables_free(t);
	dp_spec_free(s);
}

static void
test_no_rules(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t = dp_tables_build(s);
	struct burst b;

	(void)state;
	assert_null(t->acl);
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 1, "10.0.0.1", "1.1.1.1", 6, 1, 2);
	run(t, &b);
	expect_pass(&b, 0, 0);
	tables_free(t);
	dp_spec_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_ports_and_dst),
		cmocka_unit_test(test_in_peer),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_portless_proto),
		cmocka_unit_test(test_dscp_class_remark),
		cmocka_unit_test(test_no_rules),
	};

	dp_test_eal_init("t_acl", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
