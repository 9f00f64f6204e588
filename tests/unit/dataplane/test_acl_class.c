/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_class (the dataplane's own ACL classifier): every semantic corner of
 * the rule model, build errors, the merge paths (more signatures than
 * groups, more length pairs than tuples, crowded buckets), and a
 * differential check against rte_acl set up as tables.c does and against
 * a naive linear scan, on random rule sets and packets drawn around the
 * rules' edges.
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

#include "acl_class.h"
#include "dp_test_util.h"
#include "test_acl_class_ref.h"

#define MAXR 4096

static struct ixg_spec_acl_rule rules[MAXR];
static uint32_t n_rules;

static struct ixg_spec_acl_rule *
rule(uint32_t id, uint32_t prio, uint8_t family)
{
	struct ixg_spec_acl_rule *r = &rules[n_rules++];

	memset(r, 0, sizeof(*r));
	r->id = id;
	r->priority = prio;
	r->family = family;
	r->dscp_any = 1;
	r->sport_hi = r->dport_hi = 65535;
	return r;
}

static void
pfx4(uint8_t out[16], const char *a, uint8_t *len, uint8_t l)
{
	uint32_t v = htonl(dp_ip4(a));

	memcpy(out, &v, 4);
	*len = l;
}

static void
pfx6(uint8_t out[16], const char *a, uint8_t *len, uint8_t l)
{
	dp_ip6(a, out);
	*len = l;
}

static struct acl_class_key4
key4(const char *src, const char *dst, uint8_t proto, uint16_t sp, uint16_t dp)
{
	struct acl_class_key4 k = {
		.src = htonl(dp_ip4(src)),
		.dst = htonl(dp_ip4(dst)),
		.sport = sp,
		.dport = dp,
		.in_peer = 1,
		.proto = proto,
	};
	return k;
}

static struct acl_class_key6
key6(const char *src, const char *dst, uint8_t proto, uint16_t sp, uint16_t dp)
{
	struct acl_class_key6 k = {
		.sport = sp, .dport = dp, .in_peer = 1, .proto = proto};

	dp_ip6(src, k.src);
	dp_ip6(dst, k.dst);
	return k;
}

static struct acl_class *
build(void)
{
	struct acl_class *c = NULL;
	struct acl_class_error err;
	int rc = acl_class_build(rules, n_rules, NULL, &c, &err);

	if (rc != 0)
		fail_msg("acl_class_build: %d rule %lld: %s", rc,
			 (long long)err.rule, err.msg);
	return c;
}

/*
 * The classifier's answer for one key, checked against the naive model
 * and the single-key and burst paths against each other.
 */
static uint32_t
c4(const struct acl_class *c, struct acl_class_key4 k)
{
	struct acl_naive m;
	uint32_t r[3];
	struct acl_class_key4 ks[3] = {k, k, k};

	ks[0].dst ^= htonl(1); /* neighbours in the burst */
	acl_class_classify4(c, ks, r, 3);
	assert_int_equal(acl_naive_init(&m, rules, n_rules), 0);
	assert_int_equal(r[1], acl_naive4(&m, &k));
	acl_naive_free(&m);
	return r[1];
}

static uint32_t
c6(const struct acl_class *c, struct acl_class_key6 k)
{
	struct acl_naive m;
	uint32_t r;

	acl_class_classify6(c, &k, &r, 1);
	assert_int_equal(acl_naive_init(&m, rules, n_rules), 0);
	assert_int_equal(r, acl_naive6(&m, &k));
	acl_naive_free(&m);
	return r;
}

static int
setup(void **state)
{
	(void)state;
	n_rules = 0;
	return 0;
}

/* Lower priority number first; equal priority: lower id; equal (priority,
 * id): earlier in the spec. The result is the spec index + 1. */
static void
test_priority_order(void **state)
{
	struct acl_class *c;

	(void)state;
	rule(9, 50, 4); /* index 0 */
	rule(3, 20, 4)->proto_mask = 0xff; /* index 1, proto 0 only */
	rule(7, 30, 4); /* index 2 */
	rule(5, 30, 4); /* index 3: same priority as 2, lower id */
	rule(5, 30, 4); /* index 4: same (priority, id) as 3, later */
	c = build();
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 0, 1, 2)), 2);
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 6, 1, 2)), 4);
	acl_class_free(c);
}

/* Port ranges need a protocol with ports and a first fragment; "any"
 * ports match anything, later fragments and port-less protocols
 * included, and a 0-0 range is not "any". */
static void
test_ports_ok(void **state)
{
	struct acl_class *c;
	static const uint8_t with[] = {6, 17, 33, 132, 136};
	static const uint8_t without[] = {1, 0, 47, 50, 58, 255};
	struct acl_class_key4 k;

	(void)state;
	rule(1, 10, 4)->dport_lo = 53; /* index 0: dport 53-65535 */
	rules[0].dport_lo = rules[0].dport_hi = 53;
	rule(2, 20, 4)->sport_hi = 0; /* index 1: sport 0-0 */
	rule(3, 30, 4); /* index 2: any */
	c = build();
	for (unsigned i = 0; i < sizeof(with); i++) {
		assert_int_equal(
			c4(c, key4("1.0.0.1", "2.0.0.1", with[i], 9, 53)), 1);
		assert_int_equal(
			c4(c, key4("1.0.0.1", "2.0.0.1", with[i], 0, 54)), 2);
		k = key4("1.0.0.1", "2.0.0.1", with[i], 9, 53);
		k.flags = ACL_CLASS_LATER_FRAG;
		assert_int_equal(c4(c, k), 3);
		k.sport = 0;
		assert_int_equal(c4(c, k), 3);
	}
	for (unsigned i = 0; i < sizeof(without); i++) {
		/* whatever the key's port fields hold */
		assert_int_equal(
			c4(c, key4("1.0.0.1", "2.0.0.1", without[i], 9, 53)),
			3);
		assert_int_equal(
			c4(c, key4("1.0.0.1", "2.0.0.1", without[i], 0, 0)), 3);
	}
	acl_class_free(c);
}

/* A first fragment (offset 0) carries the L4 header: ports match. */
static void
test_first_fragment_ports(void **state)
{
	struct acl_class *c;
	struct acl_class_key6 k;

	(void)state;
	rule(1, 10, 6)->sport_lo = 123;
	rules[0].sport_hi = 123;
	rules[0].proto = 17;
	rules[0].proto_mask = 0xff;
	c = build();
	k = key6("2001:db8::1", "2001:db8::2", 17, 123, 4000);
	assert_int_equal(c6(c, k), 1);
	k.flags = ACL_CLASS_LATER_FRAG | 10;
	assert_int_equal(c6(c, k), 0);
	k = key6("2001:db8::1", "2001:db8::2", 6, 123, 4000);
	assert_int_equal(c6(c, k), 0);
	acl_class_free(c);
}

/* proto_mask 0 is any protocol, 0xff one protocol, and another mask
 * compares the masked bits. */
static void
test_proto_mask(void **state)
{
	struct acl_class *c;
	struct ixg_spec_acl_rule *r;

	(void)state;
	r = rule(1, 10, 4);
	r->proto = 17, r->proto_mask = 0xff;
	r = rule(2, 20, 4);
	r->proto = 0x35, r->proto_mask = 0xf0; /* 0x30..0x3f */
	rule(3, 30, 4)->proto = 6; /* mask 0: any, the 6 is ignored */
	c = build();
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 17, 1, 1)), 1);
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 0x30, 1, 1)), 2);
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 0x3f, 1, 1)), 2);
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 0x40, 1, 1)), 3);
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 6, 1, 1)), 3);
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 255, 1, 1)), 3);
	acl_class_free(c);
}

/* dscp_any matches every DSCP; otherwise dscp & 0x3f must equal. */
static void
test_dscp(void **state)
{
	struct acl_class *c;
	struct acl_class_key4 k = key4("1.1.1.1", "2.2.2.2", 6, 1, 1);
	struct ixg_spec_acl_rule *r;

	(void)state;
	r = rule(1, 10, 4);
	r->dscp_any = 0, r->dscp = 46;
	r = rule(2, 20, 4);
	r->dscp_any = 0, r->dscp = 64 + 10; /* the compiler never does it */
	rule(3, 30, 4);
	c = build();
	for (unsigned d = 0; d < 64; d++) {
		k.flags = (uint8_t)d;
		assert_int_equal(c4(c, k), d == 46 ? 1 : d == 10 ? 2 : 3);
	}
	acl_class_free(c);
}

/* in_peer 0 is any peer; packets from peer 0 or from ids past the table
 * match only those. */
static void
test_in_peer(void **state)
{
	struct acl_class *c;
	struct acl_class_key4 k = key4("1.1.1.1", "2.2.2.2", 6, 1, 1);

	(void)state;
	rule(1, 10, 4)->in_peer = 7;
	rule(2, 20, 4)->in_peer = IXG_MAX_PEERS - 1;
	rule(3, 30, 4);
	c = build();
	k.in_peer = 7;
	assert_int_equal(c4(c, k), 1);
	k.in_peer = IXG_MAX_PEERS - 1;
	assert_int_equal(c4(c, k), 2);
	k.in_peer = 8;
	assert_int_equal(c4(c, k), 3);
	k.in_peer = 0;
	assert_int_equal(c4(c, k), 3);
	k.in_peer = IXG_MAX_PEERS + 7;
	assert_int_equal(c4(c, k), 3);
	k.in_peer = 0xffff;
	assert_int_equal(c4(c, k), 3);
	acl_class_free(c);
}

/* /0, /1, /31, /32 in IPv4; host bits of a rule's address ignored. */
static void
test_prefixes4(void **state)
{
	struct acl_class *c;
	struct ixg_spec_acl_rule *r;

	(void)state;
	r = rule(1, 10, 4);
	pfx4(r->dst, "10.0.0.1", &r->dst_len, 32);
	r = rule(2, 20, 4);
	pfx4(r->dst, "10.0.0.2", &r->dst_len, 31); /* 10.0.0.2-3 */
	r = rule(3, 30, 4);
	pfx4(r->src, "192.0.2.77", &r->src_len, 24); /* host bits set */
	r = rule(4, 40, 4);
	pfx4(r->src, "128.0.0.0", &r->src_len, 1);
	r = rule(5, 50, 4);
	pfx4(r->dst, "255.255.255.255", &r->dst_len, 0);
	c = build();
	assert_int_equal(c4(c, key4("1.1.1.1", "10.0.0.1", 6, 1, 1)), 1);
	assert_int_equal(c4(c, key4("1.1.1.1", "10.0.0.0", 6, 1, 1)), 5);
	assert_int_equal(c4(c, key4("1.1.1.1", "10.0.0.3", 6, 1, 1)), 2);
	assert_int_equal(c4(c, key4("1.1.1.1", "10.0.0.4", 6, 1, 1)), 5);
	assert_int_equal(c4(c, key4("192.0.2.0", "9.9.9.9", 6, 1, 1)), 3);
	assert_int_equal(c4(c, key4("192.0.2.255", "9.9.9.9", 6, 1, 1)), 3);
	assert_int_equal(c4(c, key4("192.0.3.0", "9.9.9.9", 6, 1, 1)), 4);
	assert_int_equal(c4(c, key4("127.255.255.255", "9.9.9.9", 6, 1, 1)), 5);
	acl_class_free(c);
}

/* /0, /64, /127, /128 in IPv6, across the 64-bit word boundary. */
static void
test_prefixes6(void **state)
{
	struct acl_class *c;
	struct ixg_spec_acl_rule *r;

	(void)state;
	r = rule(1, 10, 6);
	pfx6(r->dst, "2001:db8::1", &r->dst_len, 128);
	r = rule(2, 20, 6);
	pfx6(r->dst, "2001:db8::2", &r->dst_len, 127);
	r = rule(3, 30, 6);
	pfx6(r->src, "2001:db8:0:1:ffff::", &r->src_len, 64);
	r = rule(4, 40, 6);
	pfx6(r->src, "2001:db8:0:1::", &r->src_len, 65);
	rule(5, 50, 6);
	c = build();
	assert_int_equal(c6(c, key6("::1", "2001:db8::1", 6, 1, 1)), 1);
	assert_int_equal(c6(c, key6("::1", "2001:db8::", 6, 1, 1)), 5);
	assert_int_equal(c6(c, key6("::1", "2001:db8::3", 6, 1, 1)), 2);
	assert_int_equal(c6(c, key6("2001:db8:0:1::5", "::", 6, 1, 1)), 3);
	assert_int_equal(c6(c, key6("2001:db8:0:2::5", "::", 6, 1, 1)), 5);
	acl_class_free(c);
	n_rules = 0;
	r = rule(4, 40, 6);
	pfx6(r->src, "2001:db8:0:1::", &r->src_len, 65);
	rule(5, 50, 6);
	c = build();
	assert_int_equal(c6(c, key6("2001:db8:0:1:7fff::", "::", 6, 1, 1)), 1);
	assert_int_equal(c6(c, key6("2001:db8:0:1:8000::", "::", 6, 1, 1)), 2);
	acl_class_free(c);
}

/* A rule of one family never matches a packet of the other. */
static void
test_families(void **state)
{
	struct acl_class *c;

	(void)state;
	rule(1, 10, 6);
	c = build();
	assert_true(acl_class_has(c, 6));
	assert_false(acl_class_has(c, 4));
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 6, 1, 1)), 0);
	assert_int_equal(c6(c, key6("::1", "::2", 6, 1, 1)), 1);
	acl_class_free(c);
}

/* Overlapping port ranges: the best-ranked range holding both ports. */
static void
test_overlapping_ranges(void **state)
{
	struct acl_class *c;
	struct ixg_spec_acl_rule *r;

	(void)state;
	r = rule(1, 10, 4);
	r->proto = 17, r->proto_mask = 0xff;
	r->dport_lo = 1000, r->dport_hi = 2000;
	r->sport_lo = 5, r->sport_hi = 5;
	r = rule(2, 20, 4);
	r->dport_lo = 1500, r->dport_hi = 3000;
	r = rule(3, 30, 4);
	r->dport_lo = 0, r->dport_hi = 1500;
	r = rule(4, 40, 4);
	r->sport_lo = 65535, r->sport_hi = 65535;
	c = build();
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 17, 5, 1000)), 1);
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 17, 5, 2000)), 1);
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 17, 5, 2001)), 2);
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 6, 5, 1500)), 2);
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 6, 5, 1499)), 3);
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 6, 65535, 3001)), 4);
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 6, 65534, 3001)), 0);
	acl_class_free(c);
}

/* Rules that an earlier prefix-less rule of the same signature catches
 * are left out; the answers stay those of the naive scan. A peer's
 * catch-all shadows only that peer's later rules, and rules of another
 * signature (here: naming a peer) are never shadowed across groups. */
static void
test_shadowed(void **state)
{
	struct acl_class *c;
	struct acl_class_stats st;
	struct acl_class_key4 k = key4("1.1.1.1", "10.1.2.3", 17, 9, 53);
	struct ixg_spec_acl_rule *r;

	(void)state;
	r = rule(1, 5, 4); /* index 0: kept, before the catch-all */
	r->proto = 17, r->proto_mask = 0xff, r->dport_lo = r->dport_hi = 53;
	pfx4(r->dst, "10.1.0.0", &r->dst_len, 16);
	r = rule(2, 10, 4); /* index 1: the catch-all of (UDP, dport 53) */
	r->proto = 17, r->proto_mask = 0xff, r->dport_lo = r->dport_hi = 53;
	r = rule(3, 20, 4); /* index 2: shadowed by index 1 */
	r->proto = 17, r->proto_mask = 0xff, r->dport_lo = r->dport_hi = 53;
	pfx4(r->dst, "10.0.0.0", &r->dst_len, 8);
	r = rule(4, 30, 4); /* index 3: names a peer: another group, kept */
	r->proto = 17, r->proto_mask = 0xff, r->dport_lo = r->dport_hi = 53;
	r->in_peer = 3;
	r = rule(5, 40, 4); /* index 4: peer 4's catch-all for dport 123 */
	r->proto = 17, r->proto_mask = 0xff, r->dport_lo = r->dport_hi = 123;
	r->in_peer = 4;
	r = rule(6, 50, 4); /* index 5: shadowed by index 4 */
	r->proto = 17, r->proto_mask = 0xff, r->dport_lo = r->dport_hi = 123;
	r->in_peer = 4;
	pfx4(r->src, "1.1.1.0", &r->src_len, 24);
	r = rule(7, 60, 4); /* index 6: another peer, kept */
	r->proto = 17, r->proto_mask = 0xff, r->dport_lo = r->dport_hi = 123;
	r->in_peer = 5;
	pfx4(r->src, "1.1.1.0", &r->src_len, 24);
	c = build();
	acl_class_stats(c, &st);
	assert_int_equal(st.rules[0], 7);
	assert_int_equal(st.shadowed[0], 2);
	assert_int_equal(c4(c, k), 1);
	k.dst = htonl(dp_ip4("10.2.0.1"));
	assert_int_equal(c4(c, k), 2);
	k.in_peer = 3;
	assert_int_equal(c4(c, k), 2);
	k.dport = 123;
	k.in_peer = 4;
	assert_int_equal(c4(c, k), 5);
	k.in_peer = 5;
	assert_int_equal(c4(c, k), 7);
	acl_class_free(c);
}

/* An empty set answers 0 for everything. */
static void
test_empty(void **state)
{
	struct acl_class *c;
	struct acl_class_stats st;

	(void)state;
	c = build();
	assert_false(acl_class_has(c, 4));
	assert_int_equal(c4(c, key4("1.1.1.1", "2.2.2.2", 6, 1, 1)), 0);
	assert_int_equal(c6(c, key6("::1", "::2", 6, 1, 1)), 0);
	acl_class_stats(c, &st);
	assert_true(st.bytes > 0);
	acl_class_free(c);
	acl_class_free(NULL);
}

static uint64_t
xs64(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * What stage_acl reads without a call: acl_class_pf (the head of the
 * classifier: NULL for a family without rules and for no classifier), the
 * port blocks (pointers into the classifier's own block, each to 256
 * masks, and the port's mask the one its range gives), and the IPv6 index
 * (below 256, a function of the first three bytes only).
 */
static void
test_prefilter_tables(void **state)
{
	struct acl_class *c;
	struct acl_class_stats st;
	struct ixg_spec_acl_rule *r;
	uint64_t x = 88172645463325252ull;

	(void)state;
	c = build();
	assert_null(acl_class_pf(c, 4));
	assert_null(acl_class_pf(c, 6));
	assert_null(acl_class_pf(NULL, 4));
	acl_class_free(c);

	r = rule(1, 10, 6);
	r->proto = 17;
	r->proto_mask = 0xff;
	r->sport_lo = r->sport_hi = 53;
	c = build();
	assert_null(acl_class_pf(c, 4));
	assert_non_null(acl_class_pf(c, 6));
	acl_class_free(c);

	r = rule(2, 20, 4);
	r->proto = 6;
	r->proto_mask = 0xff;
	r->dport_lo = 6881;
	r->dport_hi = 6889;
	r = rule(3, 30, 4);
	r->proto = 17;
	r->proto_mask = 0xff;
	r->sport_lo = 1000;
	r->sport_hi = 1300; /* across a high byte */
	c = build();
	acl_class_stats(c, &st);
	for (int fam = 4; fam <= 6; fam += 2) {
		const uint64_t *pf = acl_class_pf(c, fam);
		const uint64_t *const *blk =
			(const uint64_t *const
				 *)(const void *)(pf + ACL_CLASS_PF_BLK);

		assert_non_null(pf);
		for (unsigned i = 0; i < 512; i++) {
			assert_true((const char *)blk[i] >= (const char *)c);
			assert_true((const char *)(blk[i] + 256) <=
				    (const char *)c + st.bytes);
			assert_true(blk[i] >= pf + ACL_CLASS_PF_PORTS);
		}
	}
	{
		const uint64_t *pf = acl_class_pf(c, 4);

		/* TCP to 6881..6889 and UDP from 1000..1300 reach their
		 * rules' groups, ports just outside do not */
		for (uint32_t v = 0; v < 65536; v++) {
			int in_d = v >= 6881 && v <= 6889;
			int in_s = v >= 1000 && v <= 1300;

			assert_int_equal(acl_class_prefilter(pf, 6, 0, 1, 7, v,
							     1, 2) != 0,
					 in_d);
			assert_int_equal(acl_class_prefilter(pf, 17, 0, 1, v, 7,
							     1, 2) != 0,
					 in_s);
		}
	}
	acl_class_free(c);

	for (int i = 0; i < 100000; i++) {
		uint8_t a[16], b[16];
		size_t ia;

		for (int k = 0; k < 16; k++)
			a[k] = (uint8_t)(xs64(&x) >> 32);
		memcpy(b, a, 3);
		for (int k = 3; k < 16; k++)
			b[k] = (uint8_t)(xs64(&x) >> 32);
		ia = acl_class_addr_index6(a);
		assert_true(ia < 256);
		assert_int_equal(ia, acl_class_addr_index6(b));
	}
}

static void
expect_error(int want, int64_t idx, const char *text)
{
	struct acl_class *c = (struct acl_class *)(uintptr_t)1;
	struct acl_class_error err;
	int rc = acl_class_build(rules, n_rules, NULL, &c, &err);

	assert_int_equal(rc, want);
	assert_null(c);
	assert_int_equal(err.rule, idx);
	if (strstr(err.msg, text) == NULL)
		fail_msg("error '%s' lacks '%s'", err.msg, text);
}

/* Each bad rule is named by its spec index, the first in spec order. */
static void
test_build_errors(void **state)
{
	(void)state;
	rule(1, 10, 4);
	rule(2, 5, 5); /* index 1 */
	rule(3, 1, 4)->dst_len = 33;
	expect_error(-EINVAL, 1, "family 5");
	rules[1].family = 6;
	expect_error(-EINVAL, 2, "prefix length /33 over /32");
	rules[2].dst_len = 32;
	rules[1].src_len = 129;
	expect_error(-EINVAL, 1, "/129 over /128");
	rules[1].src_len = 128;
	rules[2].dport_lo = 9, rules[2].dport_hi = 8;
	expect_error(-EINVAL, 2, "destination port range 9-8 is empty");
	rules[2].dport_lo = 0;
	rules[0].sport_lo = 2;
	rules[0].sport_hi = 1;
	expect_error(-EINVAL, 0, "source port range 2-1 is empty");
	rules[0].sport_lo = 0;
	rules[1].in_peer = IXG_MAX_PEERS;
	expect_error(-EINVAL, 1, "ingress peer 4096 out of range");
	rules[1].in_peer = IXG_MAX_PEERS - 1;
	{
		struct acl_class *c = build();

		acl_class_free(c);
	}
}

/* More than 65536 rules of one family: -ENOSPC naming the first one over;
 * exactly 65536 builds (and a spec may hold both families' maximum). */
static void
test_too_many(void **state)
{
	uint32_t n = ACL_CLASS_MAX_RULES + 1;
	struct ixg_spec_acl_rule *big = calloc(n, sizeof(*big));
	struct acl_class *c = NULL;
	struct acl_class_error err;
	struct acl_class_key4 k = key4("1.1.1.1", "2.2.2.2", 6, 1, 1);
	uint32_t res;

	(void)state;
	assert_non_null(big);
	for (uint32_t i = 0; i < n; i++) {
		big[i].id = i + 1;
		big[i].priority = n - i; /* the last one is evaluated first */
		big[i].family = 4;
		big[i].dscp_any = 1;
		big[i].sport_hi = big[i].dport_hi = 65535;
		big[i].in_peer = (uint16_t)(i % IXG_MAX_PEERS);
	}
	assert_int_equal(acl_class_build(big, n, NULL, &c, &err), -ENOSPC);
	assert_int_equal(err.rule, ACL_CLASS_MAX_RULES);
	assert_non_null(strstr(err.msg, "more than 65536 IPv4 rules"));
	assert_int_equal(acl_class_build(big, n - 1, NULL, &c, &err), 0);
	/* rank 0 is big[n-2] (priority 2), peer (n-2) % 4096 */
	k.in_peer = (uint16_t)((n - 2) % IXG_MAX_PEERS);
	acl_class_classify4(c, &k, &res, 1);
	assert_int_equal(res, n - 1);
	k.in_peer = 0;
	acl_class_classify4(c, &k, &res, 1);
	assert_int_equal(res, (n - 2) / IXG_MAX_PEERS * IXG_MAX_PEERS + 1);
	acl_class_free(c);
	free(big);
}

/* Allocation through the caller's functions; the block size reported. */
static size_t mem_live;

static void *
hook_alloc(size_t size, void *arg)
{
	assert_ptr_equal(arg, &mem_live);
	mem_live += size;
	return aligned_alloc(64, (size + 63) & ~(size_t)63);
}

static void
hook_free(void *p, void *arg)
{
	assert_ptr_equal(arg, &mem_live);
	mem_live = 0;
	free(p);
}

static void
test_memory_hooks(void **state)
{
	struct acl_class_mem mem = {hook_alloc, hook_free, &mem_live};
	struct acl_class *c;
	struct acl_class_stats st;

	(void)state;
	for (unsigned i = 0; i < 100; i++)
		rule(i + 1, i, i % 2 ? 4 : 6)->in_peer = (uint16_t)i;
	assert_int_equal(acl_class_build(rules, n_rules, &mem, &c, NULL), 0);
	acl_class_stats(c, &st);
	assert_int_equal(st.bytes, mem_live);
	assert_int_equal(st.rules[0], 50);
	assert_int_equal(st.rules[1], 50);
	acl_class_free(c);
	assert_int_equal(mem_live, 0);
}

/* The keys around the rules must hit rules (else the comparison proves
 * little): at least 1% of them when the family has rules. */
static void
expect_hits(const uint32_t *r, unsigned nk, int has_rules)
{
	unsigned hits = 0, winners = 0;
	uint8_t *won = calloc(MAXR + 1, 1);

	assert_non_null(won);
	for (unsigned i = 0; i < nk; i++) {
		hits += r[i] != 0;
		if (r[i] != 0 && r[i] <= MAXR && !won[r[i]]) {
			won[r[i]] = 1;
			winners++;
		}
	}
	free(won);
	if (getenv("ACL_TEST_VERBOSE") != NULL)
		printf("  %u of %u keys hit a rule, %u rules won\n", hits, nk,
		       winners);
	if (has_rules && hits < nk / 100)
		fail_msg("%u of %u keys hit a rule", hits, nk);
}

/*
 * What stage_acl answers without a key or a call (acl_class_fast): for
 * every key whose prefilter mask (IPv4 narrowed by acl_class_narrow4)
 * holds decided groups only, acl_class_decided must give r[i], the
 * classifier's answer. Returns how many keys it answered.
 */
static unsigned
fast_check(const struct acl_class *c, int fam, const void *keys,
	   const uint32_t *r, unsigned nk)
{
	const struct acl_class_fast *f = acl_class_fast(c, fam);
	unsigned n_fast = 0;

	if (f->pf == NULL)
		return 0;
	for (unsigned i = 0; i < nk; i++) {
		uint64_t m;
		uint32_t peer;

		if (fam == 4) {
			const struct acl_class_key4 *k =
				(const struct acl_class_key4 *)keys + i;
			uint8_t sa[4], da[4];

			memcpy(sa, &k->src, 4);
			memcpy(da, &k->dst, 4);
			m = acl_class_narrow4(
				f,
				acl_class_prefilter(f->pf, k->proto, k->flags,
						    k->in_peer, k->sport,
						    k->dport, sa[0], da[0]),
				sa, da);
			peer = k->in_peer;
		} else {
			const struct acl_class_key6 *k =
				(const struct acl_class_key6 *)keys + i;

			m = acl_class_prefilter6(f->pf, k->proto, k->flags,
						 k->in_peer, k->sport, k->dport,
						 k->src, k->dst);
			peer = k->in_peer;
		}
		if ((m & f->walk_mask) != 0)
			continue;
		n_fast++;
		if (acl_class_decided(f, m, peer) != r[i])
			fail_msg("IPv%d key %u: decided %u, classifier %u", fam,
				 i, acl_class_decided(f, m, peer), r[i]);
	}
	return n_fast;
}

/* Compare the classifier with the naive model and rte_acl on `nk` keys
 * around the current rules, both families. */
static void
differential(uint64_t *rng, unsigned nk, int with_rte)
{
	struct acl_class *c = build();
	struct acl_class_key4 *k4 = calloc(nk, sizeof(*k4));
	struct acl_class_key6 *k6 = calloc(nk, sizeof(*k6));
	uint32_t *r = calloc(nk, sizeof(*r)), *q = calloc(nk, sizeof(*q));
	struct acl_naive m;
	struct acl_ref ref;
	static unsigned seq;
	char name[32];

	assert_true(k4 && k6 && r && q);
	assert_int_equal(acl_naive_init(&m, rules, n_rules), 0);
	if (with_rte) {
		snprintf(name, sizeof(name), "acd%u_", seq++);
		assert_int_equal(acl_ref_build(&ref, name, rules, n_rules), 0);
	}
	acl_keys_near4(rng, rules, n_rules, k4, nk);
	acl_keys_near6(rng, rules, n_rules, k6, nk);
	acl_class_classify4(c, k4, r, nk);
	for (unsigned i = 0; i < nk; i++)
		if (r[i] != acl_naive4(&m, &k4[i]))
			fail_msg("IPv4 key %u: classifier %u, naive %u", i,
				 r[i], acl_naive4(&m, &k4[i]));
	expect_hits(r, nk, acl_class_has(c, 4));
	fast_check(c, 4, k4, r, nk);
	if (with_rte) {
		acl_ref_classify4(&ref, k4, q, nk, 0);
		assert_memory_equal(r, q, nk * sizeof(*r));
	}
	acl_class_classify6(c, k6, r, nk);
	for (unsigned i = 0; i < nk; i++)
		if (r[i] != acl_naive6(&m, &k6[i]))
			fail_msg("IPv6 key %u: classifier %u, naive %u", i,
				 r[i], acl_naive6(&m, &k6[i]));
	expect_hits(r, nk, acl_class_has(c, 6));
	fast_check(c, 6, k6, r, nk);
	if (with_rte) {
		acl_ref_classify6(&ref, k6, q, nk, 0);
		assert_memory_equal(r, q, nk * sizeof(*r));
		acl_ref_free(&ref);
	}
	acl_naive_free(&m);
	acl_class_free(c);
	free(k4);
	free(k6);
	free(r);
	free(q);
}

static uint32_t
rbelow(uint64_t *s, uint32_t n)
{
	return (uint32_t)(acl_rng(s) % n);
}

/*
 * A random rule in the ixgate model, drawn from small value sets so rules
 * overlap and share keys. Config-like (proto mask 0 or 0xff, unique
 * priorities) unless `wild` (equal priorities and ids, any proto mask).
 * With `specific_first`, rules with fewer wildcards and longer prefixes
 * get the better priorities, as operators write them (otherwise broad
 * rules would shadow most of the set and few rules could ever win).
 */
static void
random_rule(uint64_t *s, uint32_t i, int wild, int specific_first)
{
	static const uint8_t protos[] = {6, 17, 1, 58, 132, 47};
	static const uint16_t ports[] = {0,	1,     19,    53,   80,
					 123,	443,   1023,  1024, 5060,
					 16384, 32767, 65534, 65535};
	uint8_t fam = rbelow(s, 3) == 0 ? 6 : 4;
	struct ixg_spec_acl_rule *r = rule(i + 1, 0, fam);
	unsigned max = fam == 4 ? 32 : 128, broad = 0;

	if (wild && rbelow(s, 4) == 0)
		r->id = 1 + rbelow(s, 20);
	if (rbelow(s, 2)) {
		r->proto = protos[rbelow(s, sizeof(protos))];
		r->proto_mask = 0xff;
	} else {
		broad += 8;
	}
	if (wild && rbelow(s, 8) == 0) {
		r->proto = (uint8_t)acl_rng(s);
		r->proto_mask = (uint8_t)acl_rng(s);
	}
	if (rbelow(s, 4) == 0) {
		r->dscp_any = 0;
		r->dscp = (uint8_t)(rbelow(s, 2) ? 46 : rbelow(s, 64));
	} else {
		broad += 8;
	}
	if (rbelow(s, 2))
		r->in_peer = (uint16_t)(1 + rbelow(s, 6));
	else
		broad += 8;
	for (unsigned p = 0; p < 2; p++) {
		uint16_t *lo = p ? &r->dport_lo : &r->sport_lo;
		uint16_t *hi = p ? &r->dport_hi : &r->sport_hi;

		if (rbelow(s, 3) == 0) {
			uint16_t a = ports[rbelow(s, sizeof(ports) / 2)];
			uint16_t b =
				rbelow(s, 2)
					? a
					: ports[rbelow(s, sizeof(ports) / 2)];

			*lo = a < b ? a : b;
			*hi = a < b ? b : a;
		} else {
			broad += 8;
		}
	}
	for (unsigned a = 0; a < 2; a++) {
		uint8_t *addr = a ? r->dst : r->src;
		uint8_t *len = a ? &r->dst_len : &r->src_len;

		if (rbelow(s, 4) == 0) {
			broad += 16;
			continue;
		}
		/* few distinct networks so prefixes nest */
		memset(addr, 0, 16);
		addr[0] = fam == 4 ? 10 : 0x20;
		addr[1] = (uint8_t)rbelow(s, 16);
		addr[2] = (uint8_t)rbelow(s, 4);
		addr[fam == 4 ? 3 : 15] = (uint8_t)rbelow(s, 4);
		*len = (uint8_t)(rbelow(s, 4) == 0 ? rbelow(s, max + 1)
				 : fam == 4	   ? 8 + 8 * rbelow(s, 4)
						   : 16 + 16 * rbelow(s, 8));
		broad += 16 - *len * 16 / max;
	}
	if (wild)
		r->priority = rbelow(s, 50);
	else
		r->priority = (specific_first ? broad * 100000 : 0) + 10 * i +
			      rbelow(s, 10);
}

/*
 * An exchange's class rules (one signature per family, a rule per peer:
 * decided groups) among bogon and per-peer prefix rules: keys of peers
 * with and without a class rule, past the rules' peers and past 4095,
 * class ports and others, bogon and other addresses. Every key the fast
 * path takes (mask of decided groups only) gets the classifier's answer
 * (fast_check), and a quarter or more of the keys take it.
 */
static void
test_decided_fast(void **state)
{
	struct ixg_spec_acl_rule *r;
	struct acl_class *c;
	struct acl_class_stats st;
	struct acl_class_key4 k4[4000];
	struct acl_class_key6 k6[4000];
	uint32_t res[4000];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	uint32_t id = 1;
	unsigned fast4, fast6;

	(void)state;
	r = rule(id++, 10, 4);
	pfx4(r->dst, "192.168.0.0", &r->dst_len, 16);
	r = rule(id++, 11, 4);
	pfx4(r->src, "10.0.0.0", &r->src_len, 8);
	r = rule(id++, 12, 6);
	pfx6(r->dst, "2001:db8::", &r->dst_len, 32);
	for (uint16_t peer = 1; peer <= 6; peer++) {
		r = rule(id++, 100 + peer, 4);
		r->in_peer = peer;
		r->proto = 6;
		r->proto_mask = 0xff;
		r->dport_lo = r->dport_hi = 443;
		r = rule(id++, 200 + peer, peer % 2 ? 4 : 6);
		r->in_peer = peer;
		r->proto = 17;
		r->proto_mask = 0xff;
		r->dport_lo = 3478;
		r->dport_hi = 3497;
		r = rule(id++, 300 + peer, 6);
		r->in_peer = peer;
		r->proto = 6;
		r->proto_mask = 0xff;
		r->dport_lo = r->dport_hi = 443;
		r = rule(id++, 400 + peer, 4); /* a per-peer prefix rule */
		r->in_peer = peer;
		pfx4(r->src, "198.51.100.0", &r->src_len, 24);
	}
	c = build();
	acl_class_stats(c, &st);
	assert_true(st.decided[0] > 0 && st.decided[1] > 0);
	for (unsigned i = 0; i < 4000; i++) {
		static const uint16_t dports[] = {443, 3480, 80, 3497, 53};
		static const char *const src4[] = {"10.1.2.3", "198.51.100.7",
						   "203.0.113.9",
						   "192.168.1.1"};
		static const char *const dst4[] = {"192.168.3.4", "8.8.8.8",
						   "198.51.100.1", "1.1.1.1"};
		static const char *const a6[] = {"2001:db8::1", "2a00::1",
						 "2001:db9::1", "2600::1"};
		uint64_t v = acl_rng(&x);
		uint8_t proto = v % 3 == 0 ? 17 : v % 3 == 1 ? 6 : 1;
		uint16_t dp = dports[(v >> 8) % 5];
		uint16_t peer = (uint16_t)((v >> 16) % 10);

		if ((v >> 24) % 16 == 0)
			peer = (uint16_t)(4096 + peer); /* aliases */
		k4[i] = key4(src4[(v >> 32) % 4], dst4[(v >> 36) % 4], proto,
			     1234, dp);
		k6[i] = key6(a6[(v >> 40) % 4], a6[(v >> 44) % 4], proto, 1234,
			     dp);
		k4[i].in_peer = k6[i].in_peer = peer;
		k4[i].flags = k6[i].flags =
			(uint8_t)((v >> 48) % 8 == 0 ? ACL_CLASS_LATER_FRAG
						     : (v >> 52) % 64);
	}
	acl_class_classify4(c, k4, res, 4000);
	expect_hits(res, 4000, 1);
	fast4 = fast_check(c, 4, k4, res, 4000);
	acl_class_classify6(c, k6, res, 4000);
	expect_hits(res, 4000, 1);
	fast6 = fast_check(c, 6, k6, res, 4000);
	if (getenv("ACL_TEST_VERBOSE") != NULL)
		printf("  fast path: %u and %u of 4000 keys\n", fast4, fast6);
	assert_true(fast4 > 1000 && fast6 > 1000);
	acl_class_free(c);
}

/* Random config-like sets, checked against rte_acl and the naive model. */
static void
test_differential_random(void **state)
{
	uint64_t rng = 12;

	(void)state;
	for (unsigned round = 0; round < 12; round++) {
		uint32_t n = 1 + rbelow(&rng, round < 6 ? 40 : 600);

		n_rules = 0;
		for (uint32_t i = 0; i < n; i++)
			random_rule(&rng, i, 0, round % 3 != 0);
		differential(&rng, 20000, 1);
	}
}

/* Sets outside what the config compiler makes (equal priorities and ids,
 * odd protocol masks), same check. */
static void
test_differential_wild(void **state)
{
	uint64_t rng = 99;

	(void)state;
	for (unsigned round = 0; round < 8; round++) {
		uint32_t n = 1 + rbelow(&rng, 300);

		n_rules = 0;
		for (uint32_t i = 0; i < n; i++)
			random_rule(&rng, i, 1, 0);
		differential(&rng, 20000, 1);
	}
}

/* More small-field signatures than groups: 300 distinct destination port
 * ranges, with and without peers, and DSCP conditions. */
static void
test_merged_groups(void **state)
{
	uint64_t rng = 7;
	struct acl_class *c;
	struct acl_class_stats st;

	(void)state;
	for (uint32_t i = 0; i < 300; i++) {
		struct ixg_spec_acl_rule *r = rule(i + 1, i, i % 3 ? 4 : 6);

		r->proto = i % 2 ? 6 : 17;
		r->proto_mask = 0xff;
		r->dport_lo = (uint16_t)(i * 200);
		r->dport_hi = (uint16_t)(i * 200 + rbelow(&rng, 400));
		if (i % 5 == 0)
			r->in_peer = (uint16_t)(1 + i % 4);
		if (i % 7 == 0) {
			r->dscp_any = 0;
			r->dscp = (uint8_t)(i % 64);
		}
	}
	c = build();
	acl_class_stats(c, &st);
	assert_int_equal(st.merged[0], 1);
	assert_true(st.signatures[0] > ACL_CLASS_MAX_GROUPS);
	assert_true(st.groups[0] <= ACL_CLASS_MAX_GROUPS);
	acl_class_free(c);
	differential(&rng, 40000, 1);
}

/* More length pairs than tuples in one group: address-only rules of every
 * source length /0../32 and destination lengths /0../32. */
static void
test_merged_tuples(void **state)
{
	uint64_t rng = 8;
	struct acl_class *c;
	struct acl_class_stats st;

	(void)state;
	/* longer prefixes first, so most rules can win */
	for (uint32_t i = 0; i < 33 * 4; i++) {
		struct ixg_spec_acl_rule *r = rule(i + 1, 0, 4);
		uint32_t a = htonl(0x0a000000u |
				   (uint32_t)(acl_rng(&rng) & 0xffff));

		memcpy(i % 2 ? r->src : r->dst, &a, 4);
		if (i % 2)
			r->src_len = (uint8_t)(i % 33);
		else
			r->dst_len = (uint8_t)((i / 2) % 33);
		r->priority = (64u - r->src_len - r->dst_len) * 1000 + i;
	}
	for (uint32_t i = 0; i < 129; i++) {
		struct ixg_spec_acl_rule *r = rule(1000 + i, 0, 6);

		r->src[0] = 0x20;
		r->src[(i / 8) % 16] ^= (uint8_t)acl_rng(&rng);
		r->src_len = (uint8_t)i;
		r->dst[0] = 0x20;
		r->dst_len = (uint8_t)((i * 7) % 129);
		r->priority = (256u - r->src_len - r->dst_len) * 1000 + i;
	}
	c = build();
	acl_class_stats(c, &st);
	/* source-only, destination-only and prefix-less rules: three
	 * groups, each with more length pairs than tuples */
	assert_true(st.groups[0] <= 3 && st.groups[1] <= 3);
	assert_true(st.tuples[0] <= st.groups[0] * ACL_CLASS_MAX_TUPLES);
	assert_true(st.tuples[1] <= st.groups[1] * ACL_CLASS_MAX_TUPLES);
	acl_class_free(c);
	differential(&rng, 40000, 1);
}

/* Many rules with the same hash key land in one bucket, in rank order. */
static void
test_crowded_bucket(void **state)
{
	uint64_t rng = 9;
	struct acl_class *c;
	struct acl_class_stats st;

	(void)state;
	for (uint32_t i = 0; i < 200; i++) {
		struct ixg_spec_acl_rule *r = rule(i + 1,
						   (9 - i % 9) * 1000 + i, 4);

		r->in_peer = 3;
		pfx4(r->dst, "10.1.2.0", &r->dst_len, 24);
		r->proto = 17, r->proto_mask = 0xff;
		r->sport_lo = r->sport_hi = 53;
		r->src_len = (uint8_t)(24 + i % 9); /* one tuple after merge */
		{
			uint32_t a = htonl(0xc0000200u + i);

			memcpy(r->src, &a, 4);
		}
	}
	c = build();
	acl_class_stats(c, &st);
	assert_true(st.max_bucket[0] >= 2);
	acl_class_free(c);
	differential(&rng, 40000, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_priority_order, setup),
		cmocka_unit_test_setup(test_ports_ok, setup),
		cmocka_unit_test_setup(test_first_fragment_ports, setup),
		cmocka_unit_test_setup(test_proto_mask, setup),
		cmocka_unit_test_setup(test_dscp, setup),
		cmocka_unit_test_setup(test_in_peer, setup),
		cmocka_unit_test_setup(test_prefixes4, setup),
		cmocka_unit_test_setup(test_prefixes6, setup),
		cmocka_unit_test_setup(test_families, setup),
		cmocka_unit_test_setup(test_overlapping_ranges, setup),
		cmocka_unit_test_setup(test_shadowed, setup),
		cmocka_unit_test_setup(test_empty, setup),
		cmocka_unit_test_setup(test_prefilter_tables, setup),
		cmocka_unit_test_setup(test_decided_fast, setup),
		cmocka_unit_test_setup(test_build_errors, setup),
		cmocka_unit_test_setup(test_too_many, setup),
		cmocka_unit_test_setup(test_memory_hooks, setup),
		cmocka_unit_test_setup(test_differential_random, setup),
		cmocka_unit_test_setup(test_differential_wild, setup),
		cmocka_unit_test_setup(test_merged_groups, setup),
		cmocka_unit_test_setup(test_merged_tuples, setup),
		cmocka_unit_test_setup(test_crowded_bucket, setup),
	};

	dp_test_eal_init("test_acl_class", 1024);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
