/* SPDX-License-Identifier: BSD-3-Clause */
/* The rtnetlink route parser on messages crafted byte by byte as the kernel
 * sends them (unicast, multipath with weights, blackhole with IPv6's "dev
 * lo", RFC 8950 via, big table ids), and on every kind of malformed one
 * (each refused with its reason, attribute and offset); the encoder
 * round-trips through it; the text form reads like `ip route`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtnl.h"
#include "rtnl_test_util.h"

static struct rtnl_nexthop nh[RTNL_MAX_NH];

static void
unicast_v4(void **state)
{
	struct rtnl_route r;
	struct rtnl_parse_error err;
	struct msg m;
	uint8_t want[16];

	(void)state;
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, "10.1.0.0/16", 100,
		  RTN_UNICAST, RTPROT_BIRD, 32, "192.0.2.2", 3);
	assert_int_equal(parse_msg(&m, &r, nh, RTNL_MAX_NH, &err), 0);
	assert_int_equal(r.family, AF_INET);
	assert_int_equal(r.dst_len, 16);
	addr16(AF_INET, "10.1.0.0", want);
	assert_memory_equal(r.dst, want, 16);
	assert_int_equal(r.table, 100);
	assert_int_equal(r.type, RTN_UNICAST);
	assert_int_equal(r.protocol, RTPROT_BIRD);
	assert_int_equal(r.priority, 32);
	assert_int_equal(r.n_nh, 1);
	assert_int_equal(r.nh[0].gw_family, AF_INET);
	addr16(AF_INET, "192.0.2.2", want);
	assert_memory_equal(r.nh[0].gw, want, 16);
	assert_int_equal(r.nh[0].ifindex, 3);
	assert_int_equal(r.nh[0].weight, 1);
}

static void
multipath_weights_sorted(void **state)
{
	const struct mp_nh hops[] = {
		{"2001:db8:2::2", 5, 3, 0},
		{"2001:db8:1::2", 4, 1, RTNH_F_ONLINK},
	};
	struct rtnl_route r;
	struct rtnl_parse_error err;
	struct msg m;
	uint8_t want[16];

	(void)state;
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET6, "2001:db8:100::/48", 100,
		  RTN_UNICAST, RTPROT_BGP, 1024, "", 0);
	msg_multipath(&m, AF_INET6, hops, 2);
	assert_int_equal(parse_msg(&m, &r, nh, RTNL_MAX_NH, &err), 0);
	assert_int_equal(r.n_nh, 2);
	/* Canonical order: by gateway, whatever the message's order. */
	addr16(AF_INET6, "2001:db8:1::2", want);
	assert_memory_equal(r.nh[0].gw, want, 16);
	assert_int_equal(r.nh[0].weight, 1);
	assert_int_equal(r.nh[0].ifindex, 4);
	assert_int_equal(r.nh[0].flags, RTNH_F_ONLINK);
	assert_int_equal(r.nh[1].weight, 3);
	assert_int_equal(r.nh[1].ifindex, 5);
	assert_int_equal(r.nh[0].proto, RTPROT_BGP);
	/* The sibling order of the message is kept beside the sort. */
	assert_int_equal(r.nh[0].order, 1);
	assert_int_equal(r.nh[1].order, 0);
}

static void
blackhole_v6_dev_lo(void **state)
{
	struct rtnl_route r;
	struct rtnl_parse_error err;
	struct msg m;

	(void)state;
	/* IPv6 says "blackhole ... dev lo": the device means nothing. */
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET6, "2001:db8:bad::/48", 100,
		  RTN_BLACKHOLE, RTPROT_BIRD, 1024, "", 1);
	assert_int_equal(parse_msg(&m, &r, nh, RTNL_MAX_NH, &err), 0);
	assert_int_equal(r.type, RTN_BLACKHOLE);
	assert_int_equal(r.n_nh, 0);
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, "203.0.113.7/32", 100,
		  RTN_UNREACHABLE, RTPROT_STATIC, 0, "", 0);
	assert_int_equal(parse_msg(&m, &r, nh, RTNL_MAX_NH, &err), 0);
	assert_int_equal(r.type, RTN_UNREACHABLE);
	assert_int_equal(r.dst_len, 32);
	assert_int_equal(r.n_nh, 0);
}

static void
table_from_rtm_and_attr(void **state)
{
	struct rtnl_route r;
	struct rtnl_parse_error err;
	struct msg m;

	(void)state;
	/* Without RTA_TABLE: rtm_table. With it: the 32-bit id. */
	msg_start(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, 8, 100, RTPROT_BIRD,
		  RTN_PROHIBIT);
	msg_addr(&m, RTA_DST, AF_INET, "10.0.0.0");
	assert_int_equal(parse_msg(&m, &r, nh, RTNL_MAX_NH, &err), 0);
	assert_int_equal(r.table, 100);
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, "10.0.0.0/8", 100000,
		  RTN_PROHIBIT, RTPROT_BIRD, 0, "", 0);
	assert_int_equal(msg_rtm(&m)->rtm_table, RT_TABLE_COMPAT);
	assert_int_equal(parse_msg(&m, &r, nh, RTNL_MAX_NH, &err), 0);
	assert_int_equal(r.table, 100000);
}

static void
via_ipv6_gateway_and_default(void **state)
{
	uint8_t via[18] = {0}, want[16];
	uint16_t fam = AF_INET6;
	struct rtnl_route r;
	struct rtnl_parse_error err;
	struct msg m;

	(void)state;
	/* RFC 8950: an IPv4 route through an IPv6 next hop (RTA_VIA). */
	memcpy(via, &fam, 2);
	addr16(AF_INET6, "fe80::1", via + 2);
	msg_start(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, 0, 100, RTPROT_BIRD,
		  RTN_UNICAST);
	msg_attr(&m, RTA_VIA, via, sizeof(via));
	msg_u32(&m, RTA_OIF, 7);
	assert_int_equal(parse_msg(&m, &r, nh, RTNL_MAX_NH, &err), 0);
	assert_int_equal(r.dst_len, 0); /* the default route, no RTA_DST */
	assert_int_equal(r.n_nh, 1);
	assert_int_equal(r.nh[0].gw_family, AF_INET6);
	addr16(AF_INET6, "fe80::1", want);
	assert_memory_equal(r.nh[0].gw, want, 16);
	assert_int_equal(r.nh[0].ifindex, 7);
}

static void
fuzz_finds(void **state)
{
	uint8_t via[18] = {0}, want[16];
	uint16_t fam = AF_INET6;
	struct rtnl_route r;
	struct rtnl_parse_error err;
	struct msg m;

	(void)state;
	/* An IPv6 RTA_VIA, then an IPv4 RTA_GATEWAY: the gateway is the
	 * IPv4 one, without the IPv6 address's tail. */
	memcpy(via, &fam, 2);
	addr16(AF_INET6, "2001:db8::2", via + 2);
	msg_start(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, 0, 100, 0, RTN_UNICAST);
	msg_attr(&m, RTA_VIA, via, sizeof(via));
	msg_addr(&m, RTA_GATEWAY, AF_INET, "192.0.2.9");
	assert_int_equal(parse_msg(&m, &r, nh, RTNL_MAX_NH, &err), 0);
	addr16(AF_INET, "192.0.2.9", want);
	assert_int_equal(r.nh[0].gw_family, AF_INET);
	assert_memory_equal(r.nh[0].gw, want, 16);
	/* RTA_OIF 0 and no gateway: no next hop at all. */
	msg_start(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, 0, 100, 0, RTN_UNICAST);
	msg_u32(&m, RTA_OIF, 0);
	assert_int_equal(parse_msg(&m, &r, nh, RTNL_MAX_NH, &err), 0);
	assert_int_equal(r.n_nh, 0);
}

static void
cloned_flag_and_nhid(void **state)
{
	struct rtnl_route r;
	struct rtnl_parse_error err;
	struct msg m;

	(void)state;
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, "10.1.0.0/16", 100,
		  RTN_UNICAST, RTPROT_BGP, 20, "", 0);
	msg_rtm(&m)->rtm_flags = RTM_F_CLONED | RTNH_F_ONLINK;
	msg_u32(&m, RTA_NH_ID, 42);
	assert_int_equal(parse_msg(&m, &r, nh, RTNL_MAX_NH, &err), 0);
	assert_true(r.flags & RTM_F_CLONED);
	assert_int_equal(r.flags & 0xff, 0); /* next-hop bits go to nh */
	assert_int_equal(r.nh_id, 42);
	assert_int_equal(r.n_nh, 0); /* not expanded */
}

/* Malformed messages: each refused with its reason. */
static void
expect_err(const struct msg *m, size_t len, enum rtnl_err reason, int attr)
{
	struct rtnl_route r;
	struct rtnl_parse_error err;
	char text[160];

	memset(&err, 0xaa, sizeof(err));
	assert_int_equal(rtnl_parse_route((const struct nlmsghdr *)m->buf, len,
					  &r, nh, 4, &err),
			 -1);
	rtnl_parse_error_str(&err, text, sizeof(text));
	if (err.reason != reason || err.attr != attr)
		fail_msg("expected %s attr %d, got '%s'", rtnl_err_name(reason),
			 attr, text);
	assert_non_null(strstr(text, rtnl_err_name(reason)));
}

static void
malformed(void **state)
{
	const struct mp_nh five[] = {
		{"10.0.0.1", 1, 1, 0}, {"10.0.0.2", 1, 1, 0},
		{"10.0.0.3", 1, 1, 0}, {"10.0.0.4", 1, 1, 0},
		{"10.0.0.5", 1, 1, 0},
	};
	struct msg m;
	struct nlattr *a;
	uint8_t three[3] = {1, 2, 3}, via_bad[6] = {0};

	(void)state;
	/* Shorter than nlmsghdr + rtmsg; a buffer shorter than nlmsg_len. */
	msg_start(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, 0, 100, 0, RTN_UNICAST);
	m.nlh->nlmsg_len = NLMSG_HDRLEN + 4;
	expect_err(&m, m.len, RTNL_ERR_SHORT, -1);
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, "10.1.0.0/16", 100,
		  RTN_UNICAST, 0, 0, "192.0.2.2", 3);
	expect_err(&m, m.len - 4, RTNL_ERR_SHORT, -1);
	expect_err(&m, 3, RTNL_ERR_SHORT, -1);

	/* Unknown family; prefix length past the address. */
	msg_start(&m, RTM_NEWROUTE, 0, 0, 0, AF_BRIDGE, 0, 100, 0, 0);
	expect_err(&m, m.len, RTNL_ERR_FAMILY, -1);
	msg_start(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, 33, 100, 0, 0);
	expect_err(&m, m.len, RTNL_ERR_PREFIX_LEN, -1);
	msg_start(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET6, 129, 100, 0, 0);
	expect_err(&m, m.len, RTNL_ERR_PREFIX_LEN, -1);

	/* An attribute shorter than its header; one running past the
	 * message (truncated). */
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, "10.1.0.0/16", 100,
		  RTN_UNICAST, 0, 0, "192.0.2.2", 3);
	a = (struct nlattr *)(m.buf + m.len - 8); /* RTA_OIF */
	a->nla_len = 2;
	expect_err(&m, m.len, RTNL_ERR_ATTR_LEN, RTA_OIF);
	a->nla_len = 40;
	expect_err(&m, m.len, RTNL_ERR_ATTR_LEN, RTA_OIF);
	/* Two stray bytes after the last attribute. */
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, "10.1.0.0/16", 100,
		  RTN_UNICAST, 0, 0, "", 0);
	m.nlh->nlmsg_len += 2;
	m.len += 4;
	expect_err(&m, m.len, RTNL_ERR_ATTR_LEN, -1);

	/* Wrong sizes: a 3-byte RTA_DST, a 16-byte IPv4 gateway, a 3-byte
	 * RTA_PRIORITY. */
	msg_start(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, 16, 100, 0, RTN_UNICAST);
	msg_attr(&m, RTA_DST, three, 3);
	expect_err(&m, m.len, RTNL_ERR_ATTR_SIZE, RTA_DST);
	msg_start(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, 0, 100, 0, RTN_UNICAST);
	msg_addr(&m, RTA_GATEWAY, AF_INET6, "2001:db8::1");
	expect_err(&m, m.len, RTNL_ERR_ATTR_SIZE, RTA_GATEWAY);
	msg_start(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, 0, 100, 0, RTN_UNICAST);
	msg_attr(&m, RTA_PRIORITY, three, 3);
	expect_err(&m, m.len, RTNL_ERR_ATTR_SIZE, RTA_PRIORITY);

	/* A prefix length without RTA_DST; host bits set. */
	msg_start(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, 24, 100, 0, RTN_UNICAST);
	expect_err(&m, m.len, RTNL_ERR_NO_DST, RTA_DST);
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, "10.1.2.3/16", 100,
		  RTN_UNICAST, 0, 0, "", 0);
	expect_err(&m, m.len, RTNL_ERR_HOST_BITS, RTA_DST);

	/* Multipath: an entry shorter than struct rtnexthop, one longer
	 * than the attribute, more next hops than allowed (4 here). */
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, "10.1.0.0/16", 100,
		  RTN_UNICAST, 0, 0, "", 0);
	msg_multipath(&m, AF_INET, five, 1);
	/* RTA_MULTIPATH: 4-byte header, rtnexthop (8), RTA_GATEWAY (8). */
	((struct rtnexthop *)(m.buf + m.len - 16))->rtnh_len = 4;
	expect_err(&m, m.len, RTNL_ERR_MULTIPATH, RTA_MULTIPATH);
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, "10.1.0.0/16", 100,
		  RTN_UNICAST, 0, 0, "", 0);
	msg_multipath(&m, AF_INET, five, 1);
	((struct rtnexthop *)(m.buf + m.len - 16))->rtnh_len = 200;
	expect_err(&m, m.len, RTNL_ERR_MULTIPATH, RTA_MULTIPATH);
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, "10.1.0.0/16", 100,
		  RTN_UNICAST, 0, 0, "", 0);
	msg_multipath(&m, AF_INET, five, 5);
	expect_err(&m, m.len, RTNL_ERR_TOO_MANY_NH, RTA_MULTIPATH);

	/* RTA_VIA of an unknown family. */
	via_bad[0] = 99;
	msg_start(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, 0, 100, 0, RTN_UNICAST);
	msg_attr(&m, RTA_VIA, via_bad, sizeof(via_bad));
	expect_err(&m, m.len, RTNL_ERR_VIA, RTA_VIA);
}

static void
encoder_round_trip(void **state)
{
	struct rtnl_nexthop in_nh[3] = {0}, out_nh[RTNL_MAX_NH];
	struct rtnl_route in = {0}, out;
	struct rtnl_parse_error err;
	uint8_t buf[1024];
	size_t len;

	(void)state;
	in.family = AF_INET6;
	in.dst_len = 48;
	addr16(AF_INET6, "2001:db8:7::", in.dst);
	in.type = RTN_UNICAST;
	in.protocol = RTPROT_BIRD;
	in.table = 4242;
	in.priority = 20;
	addr16(AF_INET6, "2001:db8::1", in.prefsrc);
	in.nh = in_nh;
	in.n_nh = 3;
	addr16(AF_INET6, "2001:db8:1::2", in_nh[0].gw);
	addr16(AF_INET6, "2001:db8:1::3", in_nh[1].gw);
	addr16(AF_INET6, "2001:db8:1::4", in_nh[2].gw);
	for (int i = 0; i < 3; i++) {
		in_nh[i].gw_family = AF_INET6;
		in_nh[i].ifindex = (uint32_t)(10 + i);
		in_nh[i].weight = (uint16_t)(i + 1);
		in_nh[i].proto = RTPROT_BIRD;
		in_nh[i].order = (uint8_t)i;
	}
	len = rtnl_build_route(buf, sizeof(buf), RTM_NEWROUTE, NLM_F_REPLACE, 7,
			       &in);
	assert_true(len > 0);
	assert_int_equal(rtnl_parse_route((const struct nlmsghdr *)buf, len,
					  &out, out_nh, RTNL_MAX_NH, &err),
			 0);
	assert_true(rtnl_route_equal(&in, &out));
	/* Too small a buffer: 0, never an overflow. */
	assert_int_equal(rtnl_build_route(buf, 40, RTM_NEWROUTE, 0, 7, &in), 0);
	assert_int_equal(
		rtnl_build_route(buf, len - 4, RTM_NEWROUTE, 0, 7, &in), 0);
}

static void
identity_ignores_volatile_flags(void **state)
{
	struct rtnl_nexthop a_nh = {0}, b_nh = {0};
	struct rtnl_route a = {0}, b;

	(void)state;
	a.family = AF_INET;
	a.dst_len = 24;
	a.type = RTN_UNICAST;
	a.table = 100;
	a.nh = &a_nh;
	a.n_nh = 1;
	a_nh.gw_family = AF_INET;
	a_nh.weight = 1;
	b = a;
	b_nh = a_nh;
	b.nh = &b_nh;
	b_nh.flags = RTNH_F_LINKDOWN | RTNH_F_DEAD;
	assert_true(rtnl_route_same(&a, &b));
	assert_false(rtnl_route_equal(&a, &b));
	b_nh.flags = RTNH_F_ONLINK;
	assert_false(rtnl_route_same(&a, &b));
	b_nh.flags = 0;
	b.priority = 10;
	assert_false(rtnl_route_same(&a, &b));
}

static void
text_form(void **state)
{
	const struct mp_nh hops[] = {
		{"192.0.2.2", 3, 2, 0},
		{"198.51.100.2", 4, 1, 0},
	};
	struct rtnl_route r;
	struct rtnl_parse_error err;
	struct msg m;
	char line[256];

	(void)state;
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, "10.1.0.0/16", 100,
		  RTN_UNICAST, RTPROT_BIRD, 32, "192.0.2.2", 3);
	assert_int_equal(parse_msg(&m, &r, nh, RTNL_MAX_NH, &err), 0);
	rtnl_route_format(&r, line, sizeof(line), NULL);
	assert_string_equal(line, "10.1.0.0/16 via 192.0.2.2 dev if3 proto "
				  "bird metric 32 table 100");
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET6, "2001:db8::/32", 100,
		  RTN_BLACKHOLE, 196, 1024, "", 1);
	assert_int_equal(parse_msg(&m, &r, nh, RTNL_MAX_NH, &err), 0);
	rtnl_route_format(&r, line, sizeof(line), NULL);
	assert_string_equal(line, "blackhole 2001:db8::/32 proto static "
				  "metric 1024 table 100");
	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, AF_INET, "0.0.0.0/0", 7,
		  RTN_UNICAST, 77, 0, "", 0);
	msg_multipath(&m, AF_INET, hops, 2);
	assert_int_equal(parse_msg(&m, &r, nh, RTNL_MAX_NH, &err), 0);
	rtnl_route_format(&r, line, sizeof(line), NULL);
	assert_string_equal(line, "default proto 77 table 7 nexthop via "
				  "192.0.2.2 dev if3 weight 2 nexthop via "
				  "198.51.100.2 dev if4 weight 1");
	/* A short buffer: truncated, NUL-terminated, full length told. */
	assert_true(rtnl_route_format(&r, line, 10, NULL) > 10);
	assert_int_equal(strlen(line), 9);
}

static void
error_names(void **state)
{
	(void)state;
	assert_string_equal(rtnl_err_name(RTNL_ERR_ATTR_SIZE),
			    "bad_attribute_size");
	assert_string_equal(rtnl_err_name(RTNL_ERR_MAX), "unknown");
	assert_string_equal(rtnl_attr_name(RTA_GATEWAY), "RTA_GATEWAY");
	assert_string_equal(rtnl_attr_name(9999), "RTA_?");
	assert_int_equal(rtnl_proto_parse("bird"), RTPROT_BIRD);
	assert_int_equal(rtnl_proto_parse("bgp"), RTPROT_BGP);
	assert_int_equal(rtnl_proto_parse("196"), 196);
	assert_int_equal(rtnl_proto_parse("256"), -1);
	assert_int_equal(rtnl_proto_parse("birdd"), -1);
	assert_int_equal(rtnl_proto_parse(""), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unicast_v4),
		cmocka_unit_test(multipath_weights_sorted),
		cmocka_unit_test(blackhole_v6_dev_lo),
		cmocka_unit_test(table_from_rtm_and_attr),
		cmocka_unit_test(via_ipv6_gateway_and_default),
		cmocka_unit_test(cloned_flag_and_nhid),
		cmocka_unit_test(fuzz_finds),
		cmocka_unit_test(malformed),
		cmocka_unit_test(encoder_round_trip),
		cmocka_unit_test(identity_ignores_volatile_flags),
		cmocka_unit_test(text_form),
		cmocka_unit_test(error_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
