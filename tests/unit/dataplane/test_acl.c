/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stage_acl: priority order, prefixes, port ranges, ingress peer, DSCP,
 * fragments, and the deny / class / remark / permit actions; stage_acl
 * against stage_acl_simple on random rules and bursts.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "acl_class.h"
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
	/* Every fragment byte, as stage_acl's protocol table takes it
	 * unmasked: only FRAG_LATER (2) is a later fragment. */
	for (unsigned v = 0; v < 256; v++) {
		dp_burst_init(&b, 0);
		dp_burst_add4(&b, 1, "10.0.0.1", "1.1.1.1", 17, 5000, 53);
		dp_burst_add6(&b, 1, "2001:db8::1", "2001:db8::2", 17, 5000,
			      53);
		b.meta[0].frag = b.meta[1].frag = (uint8_t)v;
		run(t, &b);
		if (v == FRAG_LATER) {
			expect_pass(&b, 0, 3);
			expect_pass(&b, 1, 0);
		} else {
			expect_deny(&b, 0, 1);
			expect_deny(&b, 1, 4);
		}
	}
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

/* xorshift64: the random rules and packets below, same every run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11) % n;
}

static const uint8_t protos[] = {6, 17, 1, 58, 132, 47};
static const uint16_t ports[] = {53, 80, 123, 443, 1900, 3478, 11211, 0};

/* An address near the few the rules are made of, so packets hit them;
 * each byte random with probability 1/noise. */
static void
rnd_addr(uint8_t a[16], int family, uint32_t noise)
{
	static const uint8_t first[] = {10, 192, 0x20, 0xfc, 203, 100};

	for (unsigned i = 0; i < 16; i++)
		a[i] = (uint8_t)(rnd(noise) == 0 ? rnd(256) : (i * 17) & 0xff);
	a[0] = rnd(noise) == 0 ? (uint8_t)rnd(256) : first[rnd(sizeof(first))];
	if (family == 6 && rnd(2))
		a[1] = 0x01;
}

/*
 * stage_acl (the prefilter on the metadata, keys for the survivors only)
 * against stage_acl_simple (a key and a classifier pass for every packet):
 * on 300 random rules of both families (protocols, ports, peers, DSCP,
 * prefixes of every length, each action) and 400 random bursts, some
 * packets already dropped, fragments, non-IP, peer ids and fragment bytes
 * out of range, the whole burst must come out byte for byte the same.
 */
static void
test_matches_simple_version(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t;
	struct pipeline_ctx ctx;
	unsigned matched = 0, denied = 0, passed = 0;

	(void)state;
	dp_spec_peer(s, 3, 0, 0, "02:00:00:00:01:03", IXG_SAV_OFF);
	dp_spec_class(s, 7, 0, 0, 0, 0);
	for (uint32_t id = 1; id <= 300; id++) {
		const uint8_t fam = rnd(3) ? 4 : 6;
		const uint8_t act[] = {IXG_ACL_DENY, IXG_ACL_PERMIT,
				       IXG_ACL_CLASS, IXG_ACL_REMARK};
		struct ixg_spec_acl_rule *r = dp_spec_acl(s, id, rnd(1000), fam,
							  act[rnd(4)]);
		const unsigned max_len = fam == 4 ? 32 : 128;

		r->class_id = r->action == IXG_ACL_CLASS ? 7 : 0;
		r->remark_dscp = 10;
		if (rnd(2)) {
			r->proto = protos[rnd(sizeof(protos))];
			r->proto_mask = 0xff;
		}
		if (r->proto_mask && (r->proto == 6 || r->proto == 17) &&
		    rnd(2)) {
			if (rnd(2))
				r->sport_lo = r->sport_hi =
					ports[rnd(sizeof(ports) / 2 - 1)];
			else {
				r->dport_lo = ports[rnd(sizeof(ports) / 2 - 1)];
				r->dport_hi = (uint16_t)(r->dport_lo + rnd(20));
			}
		}
		if (rnd(4) == 0) {
			r->dscp_any = 0;
			r->dscp = rnd(2) ? 46 : 0;
		}
		if (rnd(3) == 0)
			r->in_peer = (uint16_t)(1 + rnd(3));
		else
			r->in_peer = IXG_PEER_NONE;
		/* Mostly prefixes of 4 bits or more; a few catch-alls. */
		if (rnd(4)) {
			rnd_addr(r->src, fam, 4);
			r->src_len = (uint8_t)(4 + rnd(max_len - 3));
		}
		if (rnd(4)) {
			rnd_addr(r->dst, fam, 4);
			r->dst_len = (uint8_t)(4 + rnd(max_len - 3));
		}
		if (r->src_len == 0 && r->dst_len == 0) { /* EF only */
			r->dscp_any = 0;
			r->dscp = 46;
		}
	}
	t = dp_tables_build(s);
	dp_ctx_init(&ctx, t);
	for (unsigned round = 0; round < 400; round++) {
		struct burst a, b;

		dp_burst_init(&a, 0);
		for (unsigned i = 0; i < PIPELINE_BURST; i++) {
			const int fam = rnd(3) ? 4 : 6;
			const uint8_t proto = protos[rnd(sizeof(protos))];
			unsigned k = fam == 4 ? dp_burst_add4(&a, 0, "0.0.0.0",
							      "0.0.0.0", proto,
							      0, 0)
					      : dp_burst_add6(&a, 0,
							      "::", "::", proto,
							      0, 0);
			struct pkt_meta *m = &a.meta[k];

			m->in_peer = (uint16_t)rnd(5); /* 0 is IXG_PEER_NONE */
			m->sport = rnd(2) ? ports[rnd(sizeof(ports) / 2)]
					  : (uint16_t)rnd(65536);
			m->dport = rnd(2) ? (uint16_t)(ports[rnd(sizeof(ports) /
								 2)] +
						       rnd(3))
					  : (uint16_t)rnd(65536);
			m->dscp = rnd(3) == 0 ? 46 : 0;
			m->frag = (uint8_t)(rnd(8) == 0	  ? FRAG_LATER
					    : rnd(8) == 0 ? FRAG_FIRST
							  : FRAG_NONE);
			/* now and then a peer id and a fragment byte the
			 * pipeline never writes: the prefilter's tables
			 * take every 16-bit id and every byte unmasked */
			if (rnd(16) == 0)
				m->in_peer = (uint16_t)(IXG_MAX_PEERS +
							rnd(65536 -
							    IXG_MAX_PEERS));
			if (rnd(16) == 0)
				m->frag = (uint8_t)rnd(256);
			rnd_addr(m->src, fam, 2);
			rnd_addr(m->dst, fam, 2);
			if (rnd(16) == 0)
				m->verdict = VERDICT_DROP;
			if (rnd(32) == 0)
				m->l3 = rnd(2) ? L3_ARP : L3_NONE;
		}
		/* a burst of any length now and then: an odd last packet
		 * after the prefilter's pairs */
		if (round % 4 == 3)
			a.n = (uint16_t)(1 + rnd(PIPELINE_BURST));
		b = a;
		stage_acl(&ctx, &a);
		stage_acl_simple(&ctx, &b);
		for (unsigned i = 0; i < a.n; i++) {
			if (memcmp(&a.meta[i], &b.meta[i], sizeof(a.meta[i])))
				fail_msg("round %u, packet %u: stage_acl "
					 "rule %u verdict %u, simple rule %u "
					 "verdict %u",
					 round, i, a.meta[i].acl_rule,
					 a.meta[i].verdict, b.meta[i].acl_rule,
					 b.meta[i].verdict);
			matched += a.meta[i].acl_rule != 0;
			denied += a.meta[i].drop_reason == IXG_DROP_ACL_DENY;
			passed += a.meta[i].acl_rule == 0 &&
				  a.meta[i].verdict == VERDICT_CONTINUE;
		}
		assert_memory_equal(&a, &b, sizeof(a));
	}
	print_message("%u matched, %u denied, %u passed\n", matched, denied,
		      passed);
	/* Not vacuous: both outcomes, and denies, occur often. */
	assert_true(matched > 1000);
	assert_true(denied > 100);
	assert_true(passed > 1000);
	tables_free(t);
	dp_spec_free(s);
}

/*
 * The paths the real filter sets take: groups of prefix-less class rules
 * per peer (answered from the decided tables, no walk) among global and
 * per-peer prefix rules (bogon-like sources and destinations of /4../24,
 * so the two-byte address tables narrow them), on 400 random bursts with
 * every fragment kind (3 included), DSCP bytes above 63, and ingress peers
 * past the rules' (4096 + n aliases peer n in the prefilter): stage_acl
 * against stage_acl_simple, byte for byte, and most packets answered by
 * a decided group.
 */
static void
test_decided_matches_simple(void **state)
{
	static const uint16_t pk_peers[] = {0, 1, 2,	3,    5,
					    7, 8, 4097, 4101, 65535};
	struct ixg_spec *s = spec();
	struct tables *t;
	struct pipeline_ctx ctx;
	struct acl_class_stats st;
	unsigned matched = 0, classed = 0;
	uint32_t id = 1;

	(void)state;
	for (uint16_t p = 3; p <= 7; p++) {
		char mac[32];

		snprintf(mac, sizeof(mac), "02:00:00:00:01:%02x", p);
		dp_spec_peer(s, p, 0, 0, mac, IXG_SAV_OFF);
	}
	dp_spec_class(s, 7, 0, 0, 0, 0);
	dp_spec_class(s, 8, 0, 0, 0, 0);
	for (unsigned k = 0; k < 240; k++, id++) {
		const uint8_t fam = rnd(3) ? 4 : 6;
		const unsigned kind = rnd(6);
		struct ixg_spec_acl_rule *r;

		r = dp_spec_acl(s, id, kind < 3 ? rnd(200) : 100 + rnd(300),
				fam,
				kind < 3 ? IXG_ACL_CLASS
				: rnd(3) ? IXG_ACL_DENY
					 : IXG_ACL_REMARK);
		r->class_id = kind < 3 ? (uint16_t)(7 + rnd(2)) : 0;
		r->remark_dscp = 10;
		r->in_peer = rnd(5) ? (uint16_t)(1 + rnd(7)) : IXG_PEER_NONE;
		if (kind < 3) { /* class rules: protocol and ports only */
			r->proto = kind == 1 ? 17 : 6;
			r->proto_mask = 0xff;
			r->dport_lo = kind == 0 ? 443 : kind == 1 ? 3478 : 80;
			r->dport_hi = (uint16_t)(r->dport_lo +
						 (kind == 1) * 19);
			if (rnd(8) == 0) {
				r->dscp_any = 0;
				r->dscp = 46;
			}
		} else if (kind == 3) { /* anti-reflection */
			r->proto = 17;
			r->proto_mask = 0xff;
			r->sport_lo = r->sport_hi = rnd(2) ? 123 : 11211;
			rnd_addr(r->dst, fam, 4);
			r->dst_len = (uint8_t)(8 + rnd(fam == 4 ? 17 : 41));
		} else { /* bogon-like sources or destinations */
			uint8_t *a = kind == 4 ? r->src : r->dst;
			uint8_t *len = kind == 4 ? &r->src_len : &r->dst_len;

			rnd_addr(a, fam, 4);
			*len = (uint8_t)(4 + rnd(fam == 4 ? 21 : 45));
		}
	}
	t = dp_tables_build(s);
	acl_class_stats(t->acl, &st);
	assert_true(st.decided[0] >= 3);
	assert_true(st.decided[1] >= 3);
	dp_ctx_init(&ctx, t);
	for (unsigned round = 0; round < 400; round++) {
		struct burst a, b;

		dp_burst_init(&a, 0);
		for (unsigned i = 0; i < PIPELINE_BURST; i++) {
			const int fam = rnd(3) ? 4 : 6;
			const uint8_t proto =
				rnd(4) ? (rnd(2) ? 6 : 17)
				       : protos[rnd(sizeof(protos))];
			unsigned k = fam == 4 ? dp_burst_add4(&a, 0, "0.0.0.0",
							      "0.0.0.0", proto,
							      0, 0)
					      : dp_burst_add6(&a, 0,
							      "::", "::", proto,
							      0, 0);
			struct pkt_meta *m = &a.meta[k];

			m->in_peer = pk_peers[rnd(sizeof(pk_peers) /
						  sizeof(pk_peers[0]))];
			m->sport = rnd(3) ? (uint16_t)(1024 + rnd(64512))
					  : ports[rnd(sizeof(ports) / 2)];
			m->dport = rnd(2) ? (uint16_t)(rnd(3) == 0 ? 443
						       : rnd(2) ? 3478 + rnd(21)
								: 80)
					  : (uint16_t)rnd(65536);
			m->dscp = (uint8_t)(rnd(4) == 0 ? 46 + 64 * rnd(4)
							: rnd(256));
			m->frag = (uint8_t)(rnd(4) == 0 ? rnd(4) : FRAG_NONE);
			rnd_addr(m->src, fam, 2);
			rnd_addr(m->dst, fam, 2);
			if (rnd(16) == 0)
				m->verdict = VERDICT_DROP;
		}
		b = a;
		stage_acl(&ctx, &a);
		stage_acl_simple(&ctx, &b);
		for (unsigned i = 0; i < a.n; i++) {
			if (memcmp(&a.meta[i], &b.meta[i], sizeof(a.meta[i])))
				fail_msg("round %u, packet %u: stage_acl "
					 "rule %u verdict %u, simple rule %u "
					 "verdict %u",
					 round, i, a.meta[i].acl_rule,
					 a.meta[i].verdict, b.meta[i].acl_rule,
					 b.meta[i].verdict);
			matched += a.meta[i].acl_rule != 0;
			classed += a.meta[i].class_id != 0;
		}
		assert_memory_equal(&a, &b, sizeof(a));
	}
	print_message("%u matched, %u classed\n", matched, classed);
	assert_true(matched > 2000);
	assert_true(classed > 1000);
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
		cmocka_unit_test(test_matches_simple_version),
		cmocka_unit_test(test_decided_matches_simple),
	};

	dp_test_eal_init("t_acl", 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
