/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_parse.c - stage_parse on fake mbufs: every drop reason it owns, the
 * fields it fills, and a truncation sweep that runs every prefix of valid
 * frames at the very end of a page followed by a PROT_NONE page, so any
 * read past the frame crashes the test.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_mbuf.h>

#include "dp_test_util.h"
#include "frame_util.h"
#include "pipeline.h"

static struct tables *tbl;
static struct pipeline_ctx ctx;

static struct pkt_meta
parse_mbuf(struct rte_mbuf *m)
{
	struct burst b;

	dp_burst_init(&b, 0);
	b.pkts[0] = m;
	b.n = 1;
	stage_parse(&ctx, &b);
	return b.meta[0];
}

static struct pkt_meta
parse_bytes(const uint8_t *buf, size_t len)
{
	struct rte_mbuf *m = dp_test_mbuf(buf, len, 0);
	struct pkt_meta pm = parse_mbuf(m);

	rte_pktmbuf_free(m);
	return pm;
}

static struct pkt_meta
parse_spec(const struct fspec *f)
{
	uint8_t buf[MAX_FRAME];

	return parse_bytes(buf, build(f, buf));
}

#define assert_reason(pm, reason)                                              \
	do {                                                                   \
		assert_int_equal((pm).verdict, VERDICT_DROP);                  \
		assert_string_equal(ixg_drop_name((pm).drop_reason),           \
				    ixg_drop_name(reason));                    \
	} while (0)

#define assert_ok(pm) assert_int_equal((pm).verdict, VERDICT_CONTINUE)

static void
drop_bytes(const uint8_t *buf, size_t len, enum ixg_drop_reason r)
{
	struct pkt_meta pm = parse_bytes(buf, len);

	assert_reason(pm, r);
}

/* ---- valid frames and the fields they fill ---- */

static void
test_tcp4_fields(void **state)
{
	struct fspec f = {
		.family = 4, .proto = 6, .ttl = 17, .dscp = 46, .payload = 100};
	uint8_t buf[MAX_FRAME];
	size_t len = build(&f, buf);
	struct pkt_meta pm = parse_bytes(buf, len);
	uint8_t a[4];

	(void)state;
	assert_ok(pm);
	assert_int_equal(pm.l3, L3_IPV4);
	assert_int_equal(pm.n_vlans, 0);
	assert_int_equal(pm.l2_len, 14);
	assert_int_equal(pm.l3_len, 20);
	assert_int_equal(pm.l3_total, 20 + 20 + 100);
	assert_int_equal(pm.l4_proto, 6);
	assert_int_equal(pm.sport, 1234);
	assert_int_equal(pm.dport, 80);
	assert_int_equal(pm.ttl, 17);
	assert_int_equal(pm.dscp, 46);
	assert_int_equal(pm.frag, FRAG_NONE);
	assert_int_equal(pm.rx_len, len);
	assert_int_equal(pm.in_port, 0);
	assert_int_equal(pm.in_peer, IXG_PEER_NONE);
	inet_pton(AF_INET, "198.51.100.1", a);
	assert_memory_equal(pm.src, a, 4);
	inet_pton(AF_INET, "203.0.113.1", a);
	assert_memory_equal(pm.dst, a, 4);
}

static void
test_udp6_ext_fields(void **state)
{
	struct fspec f = {.family = 6,
			  .proto = 17,
			  .ttl = 9,
			  .dscp = 10,
			  .n_ext = 3,
			  .ext = {0, 60, 43},
			  .payload = 5};
	struct pkt_meta pm = parse_spec(&f);
	uint8_t a[16];

	(void)state;
	assert_ok(pm);
	assert_int_equal(pm.l3, L3_IPV6);
	assert_int_equal(pm.l3_len, 40 + 24);
	assert_int_equal(pm.l3_total, 40 + 24 + 8 + 5);
	assert_int_equal(pm.l4_proto, 17);
	assert_int_equal(pm.sport, 5353);
	assert_int_equal(pm.dport, 53);
	assert_int_equal(pm.ttl, 9);
	assert_int_equal(pm.dscp, 10);
	inet_pton(AF_INET6, "2001:db8:2::1", a);
	assert_memory_equal(pm.dst, a, 16);
}

static void
test_icmp_fields(void **state)
{
	struct fspec f4 = {.family = 4, .proto = 1, .icmp_type = 8};
	struct fspec f6 = {.family = 6, .proto = 58, .icmp_type = 128};
	/* ESP ends the walk without an L4 header to check. */
	struct fspec esp = {.family = 6, .proto = 50, .n_ext = 1, .ext = {60}};
	struct pkt_meta pm;

	(void)state;
	pm = parse_spec(&f4);
	assert_ok(pm);
	assert_int_equal(pm.icmp_type, 8);
	pm = parse_spec(&f6);
	assert_ok(pm);
	assert_int_equal(pm.icmp_type, 128);
	pm = parse_spec(&esp);
	assert_ok(pm);
	assert_int_equal(pm.l4_proto, 50);
	assert_int_equal(pm.l3_len, 48);
}

static void
test_vlan_fields(void **state)
{
	struct fspec one = {.family = 4,
			    .proto = 17,
			    .n_vlans = 1,
			    .vid = {0xe000 | 100}}; /* PCP 7 ignored */
	struct fspec qinq = {.family = 6,
			     .proto = 6,
			     .n_vlans = 2,
			     .tpid = {0x88a8, 0x8100},
			     .vid = {300, 42}};
	struct fspec old = {.family = 4,
			    .proto = 6,
			    .n_vlans = 2,
			    .tpid = {0x9100, 0x8100},
			    .vid = {7, 8}};
	struct pkt_meta pm;

	(void)state;
	pm = parse_spec(&one);
	assert_ok(pm);
	assert_int_equal(pm.n_vlans, 1);
	assert_int_equal(pm.vlan, 100);
	assert_int_equal(pm.outer_vlan, 0);
	assert_int_equal(pm.l2_len, 18);
	assert_int_equal(pm.dport, 53);
	pm = parse_spec(&qinq);
	assert_ok(pm);
	assert_int_equal(pm.n_vlans, 2);
	assert_int_equal(pm.outer_vlan, 300);
	assert_int_equal(pm.vlan, 42);
	assert_int_equal(pm.l2_len, 22);
	assert_int_equal(pm.dport, 80);
	pm = parse_spec(&old);
	assert_ok(pm);
	assert_int_equal(pm.outer_vlan, 7);
	assert_int_equal(pm.vlan, 8);
}

static void
test_arp_fields(void **state)
{
	struct fspec f = {.family = 0,
			  .dmac = (const uint8_t *)"\xff\xff\xff\xff\xff\xff"};
	struct pkt_meta pm = parse_spec(&f);
	uint8_t a[4];

	(void)state;
	assert_ok(pm);
	assert_int_equal(pm.l3, L3_ARP);
	inet_pton(AF_INET, "192.0.2.1", a);
	assert_memory_equal(pm.dst, a, 4);
	inet_pton(AF_INET, "192.0.2.2", a);
	assert_memory_equal(pm.src, a, 4);
}

/* Ethernet pads frames to 60 bytes: bytes past the IP total length. */
static void
test_ethernet_padding_allowed(void **state)
{
	struct fspec f = {.family = 4, .proto = 17};
	uint8_t buf[MAX_FRAME];
	size_t len = build(&f, buf);
	struct pkt_meta pm;

	(void)state;
	assert_int_equal(len, 42);
	pm = parse_bytes(buf, 60);
	assert_ok(pm);
	assert_int_equal(pm.l3_total, 28);
	assert_int_equal(pm.rx_len, 60);
}

static void
test_ipv4_options_allowed(void **state)
{
	struct fspec f = {.family = 4, .proto = 6, .ihl = 15};
	struct pkt_meta pm = parse_spec(&f);

	(void)state;
	assert_ok(pm);
	assert_int_equal(pm.l3_len, 60);
	assert_int_equal(pm.sport, 1234);
}

/* ---- one test per drop reason ---- */

static void
test_runt(void **state)
{
	uint8_t buf[MAX_FRAME];
	struct fspec f = {.family = 4, .proto = 6};
	size_t len;

	(void)state;
	build(&f, buf);
	for (len = 0; len < 14; len++)
		drop_bytes(buf, len, IXG_DROP_RUNT);
}

static void
test_dmac_mismatch(void **state)
{
	static const uint8_t other[6] = {0x02, 0, 0, 0, 0, 0x99};
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t mcast6[6] = {0x33, 0x33, 0xff, 0, 0, 1};
	struct fspec f = {.family = 4, .proto = 6, .dmac = other};
	struct pkt_meta pm;

	(void)state;
	pm = parse_spec(&f);
	assert_reason(pm, IXG_DROP_DMAC);
	/* Broadcast and multicast frames pass parse, marked so stage_route
	 * never forwards them (RFC 1812 5.3.4); unicast ones are not. */
	f.dmac = bcast;
	pm = parse_spec(&f);
	assert_ok(pm);
	assert_int_equal(pm.l2_mcast, 1);
	f.dmac = mcast6;
	pm = parse_spec(&f);
	assert_ok(pm);
	assert_int_equal(pm.l2_mcast, 1);
	f.dmac = NULL;
	pm = parse_spec(&f);
	assert_ok(pm);
	assert_int_equal(pm.l2_mcast, 0);
}

static void
test_vlan_stack(void **state)
{
	struct fspec three = {.family = 4,
			      .proto = 6,
			      .n_vlans = 3,
			      .tpid = {0x88a8, 0x8100, 0x8100},
			      .vid = {1, 2, 3}};
	uint8_t buf[MAX_FRAME];
	struct pkt_meta pm;

	(void)state;
	pm = parse_spec(&three);
	assert_reason(pm, IXG_DROP_VLAN_STACK);
	/* A tag cut short: TPID present, TCI or inner ethertype missing. */
	build(&three, buf);
	drop_bytes(buf, 14, IXG_DROP_VLAN_STACK);
	drop_bytes(buf, 16, IXG_DROP_VLAN_STACK);
	drop_bytes(buf, 17, IXG_DROP_VLAN_STACK);
	drop_bytes(buf, 21, IXG_DROP_VLAN_STACK);
}

static void
test_ethertype(void **state)
{
	struct fspec f = {.family = 4, .proto = 6, .ethertype = 0x88cc};
	struct pkt_meta pm;

	(void)state;
	pm = parse_spec(&f);
	assert_reason(pm, IXG_DROP_ETHERTYPE);
	f.ethertype = 0x8847; /* MPLS: not on the allow-list */
	f.n_vlans = 1;
	pm = parse_spec(&f);
	assert_reason(pm, IXG_DROP_ETHERTYPE);
}

static void
test_arp_invalid(void **state)
{
	struct fspec f = {.family = 0};
	uint8_t buf[MAX_FRAME];
	size_t len = build(&f, buf);

	(void)state;
	assert_ok(parse_bytes(buf, len));
	drop_bytes(buf, len - 1, IXG_DROP_ARP_INVALID);
	buf[15] = 6; /* htype 6 (IEEE 802) */
	drop_bytes(buf, len, IXG_DROP_ARP_INVALID);
	buf[15] = 1;
	buf[16] = 0x86; /* ptype IPv6 */
	buf[17] = 0xdd;
	drop_bytes(buf, len, IXG_DROP_ARP_INVALID);
	buf[16] = 0x08;
	buf[17] = 0x00;
	buf[18] = 8; /* hlen */
	drop_bytes(buf, len, IXG_DROP_ARP_INVALID);
	buf[18] = 6;
	buf[19] = 16; /* plen */
	drop_bytes(buf, len, IXG_DROP_ARP_INVALID);
}

/* Fix the IPv4 header checksum after editing a field. */
static void
fix_ip4_cksum(uint8_t *ip)
{
	put16(ip + 10, 0);
	put16(ip + 10, ref_cksum(ip, (size_t)(ip[0] & 15) * 4, 0));
}

static void
test_ipv4_header(void **state)
{
	struct fspec f = {.family = 4, .proto = 6, .payload = 20};
	uint8_t buf[MAX_FRAME], *ip = buf + 14;
	size_t len;

	(void)state;
	/* truncated below 20 bytes */
	len = build(&f, buf);
	drop_bytes(buf, 14 + 19, IXG_DROP_IPV4_HEADER);
	/* version */
	ip[0] = 0x65;
	fix_ip4_cksum(ip);
	drop_bytes(buf, len, IXG_DROP_IPV4_HEADER);
	/* IHL < 5 */
	build(&f, buf);
	ip[0] = 0x44;
	drop_bytes(buf, len, IXG_DROP_IPV4_HEADER);
	/* IHL beyond the frame: 60 bytes of header in a 34-byte packet */
	f.payload = 0;
	f.proto = 200;
	len = build(&f, buf);
	ip[0] = 0x4f;
	drop_bytes(buf, len, IXG_DROP_IPV4_HEADER);
	/* total length lies short: less than the header */
	f.proto = 6;
	f.payload = 20;
	len = build(&f, buf);
	put16(ip + 2, 19);
	fix_ip4_cksum(ip);
	drop_bytes(buf, len, IXG_DROP_IPV4_HEADER);
	/* total length lies long: more than the frame holds */
	put16(ip + 2, (uint16_t)(len - 14 + 1));
	fix_ip4_cksum(ip);
	drop_bytes(buf, len, IXG_DROP_IPV4_HEADER);
	/* the same frame with the exact length is fine */
	put16(ip + 2, (uint16_t)(len - 14));
	fix_ip4_cksum(ip);
	assert_ok(parse_bytes(buf, len));
}

static void
test_ipv4_checksum(void **state)
{
	struct fspec f = {.family = 4, .proto = 17};
	uint8_t buf[MAX_FRAME];
	size_t len = build(&f, buf);
	struct rte_mbuf *m;
	struct pkt_meta pm;

	(void)state;
	buf[14 + 10] ^= 0x01;
	drop_bytes(buf, len, IXG_DROP_IPV4_CHECKSUM);
	/* A NIC that verified the checksum is trusted either way. */
	m = dp_test_mbuf(buf, len, 0);
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	pm = parse_mbuf(m);
	assert_ok(pm);
	rte_pktmbuf_free(m);
	buf[14 + 10] ^= 0x01;
	m = dp_test_mbuf(buf, len, 0);
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
	pm = parse_mbuf(m);
	assert_reason(pm, IXG_DROP_IPV4_CHECKSUM);
	rte_pktmbuf_free(m);
}

static void
test_ipv4_fragments(void **state)
{
	struct fspec f = {.family = 4, .proto = 6, .frag = 0x2000};
	struct pkt_meta pm;

	(void)state;
	pm = parse_spec(&f);
	assert_ok(pm);
	assert_int_equal(pm.frag, FRAG_FIRST);
	assert_int_equal(pm.dport, 80);
	/* A later fragment carries no L4 header: 3 bytes are fine. */
	f.frag = 0x2000 | 185;
	f.proto = 200;
	f.payload = 3;
	pm = parse_spec(&f);
	assert_ok(pm);
	assert_int_equal(pm.frag, FRAG_LATER);
	assert_int_equal(pm.sport, 0);
	/* RFC 1858 3.4: TCP at fragment offset 1 (8 bytes) can only
	 * overwrite the first fragment's TCP header: a malformed header, not
	 * a truncated transport header (a later fragment has none). */
	f.frag = 1;
	f.proto = 6;
	f.payload = 0;
	pm = parse_spec(&f);
	assert_reason(pm, IXG_DROP_IPV4_HEADER);
	/* The same offset without TCP is a fragment like any other. */
	f.proto = 17;
	f.payload = 3;
	pm = parse_spec(&f);
	assert_ok(pm);
	assert_int_equal(pm.frag, FRAG_LATER);
	/* RFC 791 3.1: a fragment ending past 65,535 bytes ("ping of
	 * death"): offset 8191 (65,528 bytes) leaves room for 7. */
	f.frag = 8191;
	f.proto = 200;
	f.payload = 7;
	pm = parse_spec(&f);
	assert_ok(pm);
	f.payload = 8;
	pm = parse_spec(&f);
	assert_reason(pm, IXG_DROP_IPV4_HEADER);
	f.frag = 0x2000 | 8000;
	f.payload = 1600;
	pm = parse_spec(&f);
	assert_reason(pm, IXG_DROP_IPV4_HEADER);
}

/* An IPv4 header of 32 bytes (3 words of options) whose option bytes are
 * opt[0..12), checksum made right. */
static struct pkt_meta
parse_options(const uint8_t opt[12])
{
	struct fspec f = {.family = 4, .proto = 17, .ihl = 8};
	uint8_t buf[MAX_FRAME];
	size_t len = build(&f, buf);
	uint8_t *ip = buf + 14;

	memcpy(ip + 20, opt, 12);
	put16(ip + 10, 0);
	put16(ip + 10, ref_cksum(ip, 32, 0));
	return parse_bytes(buf, len);
}

/* RFC 791 3.1 option formats; RFC 1812 5.2.2: a header that cannot be
 * made sense of is discarded (ipv4_header), with or without checksum
 * offload. */
static void
test_ipv4_options_malformed(void **state)
{
	static const uint8_t good[][12] = {
		{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, /* NOPs */
		{0, 0xff, 0xff, 0xff}, /* EOL: the rest is padding */
		{1, 7, 2, 0, 0, 0, 0, 0}, /* NOP, record route of 2 */
		{0x94, 4, 0, 0, 0x44, 8, 5, 0}, /* router alert, timestamp */
		{1, 1, 0x83, 10, 0, 0, 0, 0, 0, 0}, /* ends at byte 32 */
	};
	static const uint8_t bad[][12] = {
		{0x07, 0}, /* length 0 */
		{1, 0x83, 1}, /* length 1 */
		{1, 1, 0x83, 11}, /* ends at byte 33 */
		{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0x44}, /* no length octet */
		{0x94, 4, 0, 0, 0x82, 200}, /* far past the header */
	};
	struct pkt_meta pm;

	(void)state;
	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		pm = parse_options(good[i]);
		assert_ok(pm);
		assert_int_equal(pm.l3_len, 32);
	}
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fspec f = {.family = 4, .proto = 17, .ihl = 8};
		uint8_t buf[MAX_FRAME];
		size_t len = build(&f, buf);
		struct rte_mbuf *m;

		pm = parse_options(bad[i]);
		assert_reason(pm, IXG_DROP_IPV4_HEADER);
		/* The NIC vouched for the checksum: options still checked. */
		memcpy(buf + 14 + 20, bad[i], 12);
		m = dp_test_mbuf(buf, len, 0);
		m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
		pm = parse_mbuf(m);
		assert_reason(pm, IXG_DROP_IPV4_HEADER);
		rte_pktmbuf_free(m);
	}
}

static void
test_ipv6_header(void **state)
{
	struct fspec f = {.family = 6, .proto = 17, .payload = 4};
	uint8_t buf[MAX_FRAME];
	size_t len = build(&f, buf);

	(void)state;
	drop_bytes(buf, 14 + 39, IXG_DROP_IPV6_HEADER);
	buf[14] = 0x40;
	drop_bytes(buf, len, IXG_DROP_IPV6_HEADER);
	buf[14] = 0x60;
	put16(buf + 14 + 4, (uint16_t)(len - 14 - 40 + 1));
	drop_bytes(buf, len, IXG_DROP_IPV6_HEADER);
	put16(buf + 14 + 4, (uint16_t)(len - 14 - 40));
	assert_ok(parse_bytes(buf, len));
}

static void
test_ipv6_ext_chain(void **state)
{
	struct fspec f = {.family = 6, .proto = 6, .n_ext = 2, .ext = {0, 60}};
	uint8_t buf[MAX_FRAME], *ip = buf + 14;
	size_t len, i;
	struct pkt_meta pm;

	(void)state;
	/* truncated: the payload length ends inside an extension header */
	len = build(&f, buf);
	put16(ip + 4, 12);
	drop_bytes(buf, len, IXG_DROP_IPV6_EXT_CHAIN);
	/* truncated by the frame */
	f.proto = 59;
	len = build(&f, buf);
	drop_bytes(buf, len - 1, IXG_DROP_IPV6_HEADER);
	put16(ip + 4, 12);
	drop_bytes(buf, 14 + 52, IXG_DROP_IPV6_EXT_CHAIN);
	/* eight headers are walked, nine are too many */
	f.proto = 17;
	f.n_ext = 8;
	for (i = 0; i < 8; i++)
		f.ext[i] = 60;
	assert_ok(parse_spec(&f));
	f.n_ext = 9;
	f.ext[8] = 60;
	pm = parse_spec(&f);
	assert_reason(pm, IXG_DROP_IPV6_EXT_CHAIN);
	/* too many bytes: one destination options header of 264 bytes */
	f.n_ext = 1;
	f.payload = 300;
	len = build(&f, buf);
	ip[40 + 1] = 32; /* (32 + 1) * 8 = 264 */
	drop_bytes(buf, len, IXG_DROP_IPV6_EXT_CHAIN);
	/* endless chain: every header names another, filling the frame */
	f.n_ext = 0;
	f.proto = 60;
	f.payload = 0;
	len = build(&f, buf);
	for (i = 0; i < 150; i++)
		buf[len + i * 8] = 60;
	len += 150 * 8;
	put16(ip + 4, (uint16_t)(len - 14 - 40));
	drop_bytes(buf, len, IXG_DROP_IPV6_EXT_CHAIN);
	/* hop-by-hop anywhere but first (RFC 8200 4.1) */
	f.n_ext = 2;
	f.ext[0] = 60;
	f.ext[1] = 0;
	f.proto = 17;
	pm = parse_spec(&f);
	assert_reason(pm, IXG_DROP_IPV6_EXT_CHAIN);
}

static void
test_ipv6_fragments(void **state)
{
	struct fspec f = {.family = 6,
			  .proto = 6,
			  .n_ext = 1,
			  .ext = {44},
			  .ext_frag = 1};
	struct pkt_meta pm;

	(void)state;
	pm = parse_spec(&f);
	assert_ok(pm);
	assert_int_equal(pm.frag, FRAG_FIRST);
	assert_int_equal(pm.l4_proto, 6);
	assert_int_equal(pm.dport, 80);
	/* later fragment: no L4 header needed */
	f.ext_frag = (uint16_t)(100 << 3);
	f.proto = 200;
	f.payload = 2;
	pm = parse_spec(&f);
	assert_ok(pm);
	assert_int_equal(pm.frag, FRAG_LATER);
	assert_int_equal(pm.l4_proto, 200);
	assert_int_equal(pm.l3_len, 48);
	/* atomic fragment (RFC 6946): a whole packet */
	f.ext_frag = 0;
	f.proto = 17;
	pm = parse_spec(&f);
	assert_ok(pm);
	assert_int_equal(pm.frag, FRAG_NONE);
}

static void
test_l4_truncated(void **state)
{
	static const struct {
		int family;
		uint8_t proto;
		size_t hdr;
	} c[] = {{4, 6, 20}, {4, 17, 8}, {4, 1, 8},
		 {6, 6, 20}, {6, 17, 8}, {6, 58, 8}};
	uint8_t buf[MAX_FRAME];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct fspec f = {.family = c[i].family, .proto = c[i].proto};
		uint8_t *ip = buf + 14;

		len = build(&f, buf);
		/* the IP length says one byte less: header cut short */
		if (f.family == 4) {
			put16(ip + 2, (uint16_t)(len - 14 - 1));
			fix_ip4_cksum(ip);
		} else {
			put16(ip + 4, (uint16_t)(c[i].hdr - 1));
		}
		drop_bytes(buf, len - 1, IXG_DROP_L4_TRUNCATED);
		/* a first fragment must carry the whole header (RFC 1858) */
		if (f.family == 4) {
			put16(ip + 6, 0x2000);
			fix_ip4_cksum(ip);
			drop_bytes(buf, len - 1, IXG_DROP_L4_TRUNCATED);
		}
	}
	/* TCP data offset below 5, and beyond the segment */
	{
		struct fspec f = {.family = 4, .proto = 6};

		len = build(&f, buf);
		buf[14 + 20 + 12] = 4 << 4;
		drop_bytes(buf, len, IXG_DROP_L4_TRUNCATED);
		buf[14 + 20 + 12] = 6 << 4;
		drop_bytes(buf, len, IXG_DROP_L4_TRUNCATED);
	}
}

static void
test_martian(void **state)
{
	static const char *const bad4[][2] = {
		{"0.1.2.3", "203.0.113.1"},
		{"127.0.0.1", "203.0.113.1"},
		{"224.0.0.5", "203.0.113.1"},
		{"240.0.0.1", "203.0.113.1"},
		{"255.255.255.255", "203.0.113.1"},
		{"198.51.100.1", "0.0.0.0"},
		{"198.51.100.1", "127.1.1.1"},
		{"198.51.100.1", "255.255.255.255"},
		{"198.51.100.1", "250.1.2.3"},
	};
	static const char *const bad6[][2] = {
		{"::", "2001:db8::1"},
		{"::1", "2001:db8::1"},
		{"ff02::1", "2001:db8::1"},
		{"::ffff:192.0.2.1", "2001:db8::1"},
		{"2001:db8::1", "::"},
		{"2001:db8::1", "::1"},
		{"2001:db8::1", "::ffff:10.0.0.1"},
		{"2001:db8::1", "ff01::1"},
		{"2001:db8::1", "ff00::1"},
	};
	static const char *const good[][2] = {
		{"198.51.100.1", "224.0.0.5"}, /* multicast dst: not martian */
		{"10.0.0.1", "192.168.1.1"},   {"2001:db8::1", "ff02::1"},
		{"fe80::1", "2001:db8::2"},    {"::2", "2001:db8::2"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad4) / sizeof(bad4[0]); i++) {
		struct fspec f = {.family = 4,
				  .proto = 17,
				  .src = bad4[i][0],
				  .dst = bad4[i][1]};
		struct pkt_meta pm = parse_spec(&f);

		assert_reason(pm, IXG_DROP_MARTIAN);
	}
	for (i = 0; i < sizeof(bad6) / sizeof(bad6[0]); i++) {
		struct fspec f = {.family = 6,
				  .proto = 17,
				  .src = bad6[i][0],
				  .dst = bad6[i][1]};
		struct pkt_meta pm = parse_spec(&f);

		assert_reason(pm, IXG_DROP_MARTIAN);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct fspec f = {.family = strchr(good[i][0], ':') ? 6 : 4,
				  .proto = 17,
				  .src = good[i][0],
				  .dst = good[i][1]};

		assert_ok(parse_spec(&f));
	}
}

/* Headers that span two segments are not parsed: only the first segment
 * is, and a header cut by it is dropped under that header's reason. */
static void
test_multiseg_header_split(void **state)
{
	struct fspec f = {.family = 4, .proto = 6, .payload = 40};
	uint8_t buf[MAX_FRAME];
	size_t len = build(&f, buf);
	struct rte_mbuf *m = dp_test_mbuf(buf, 14 + 30, 0);
	struct rte_mbuf *m2 = dp_test_mbuf(buf + 44, len - 44, 0);
	struct pkt_meta pm;

	(void)state;
	assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
	assert_int_equal(m->pkt_len, len);
	pm = parse_mbuf(m);
	assert_reason(pm, IXG_DROP_L4_TRUNCATED);
	rte_pktmbuf_free(m);
	/* split inside the IP header */
	m = dp_test_mbuf(buf, 14 + 10, 0);
	m2 = dp_test_mbuf(buf + 24, len - 24, 0);
	assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
	pm = parse_mbuf(m);
	assert_reason(pm, IXG_DROP_IPV4_HEADER);
	rte_pktmbuf_free(m);
	/* split after the headers: parsed, lengths from the whole packet */
	m = dp_test_mbuf(buf, 14 + 40 + 5, 0);
	m2 = dp_test_mbuf(buf + 59, len - 59, 0);
	assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
	pm = parse_mbuf(m);
	assert_ok(pm);
	assert_int_equal(pm.l3_total, len - 14);
	rte_pktmbuf_free(m);
}

/* ---- truncation sweep over a guard page ---- */

static void
test_truncation_sweep(void **state)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	const struct fspec frames[] = {
		{.family = 4, .proto = 6, .payload = 10},
		{.family = 4, .proto = 17, .payload = 3},
		{.family = 4, .proto = 1, .icmp_type = 8, .payload = 16},
		{.family = 4, .proto = 6, .ihl = 15},
		{.family = 4, .proto = 6, .frag = 0x2000},
		{.family = 6, .proto = 6, .payload = 1},
		{.family = 6, .proto = 17},
		{.family = 6, .proto = 58, .icmp_type = 135, .payload = 16},
		{.family = 6, .proto = 17, .n_ext = 4, .ext = {0, 43, 51, 60}},
		{.family = 6,
		 .proto = 6,
		 .n_ext = 2,
		 .ext = {60, 44},
		 .ext_frag = 1},
		{.family = 6, .proto = 59, .n_ext = 1, .ext = {0}},
		{.family = 4, .proto = 6, .n_vlans = 1, .vid = {10}},
		{.family = 6,
		 .proto = 17,
		 .n_vlans = 2,
		 .tpid = {0x88a8, 0x8100},
		 .vid = {20, 30}},
		{.family = 0, .dmac = bcast},
		{.family = 0,
		 .n_vlans = 2,
		 .tpid = {0x9100, 0x8100},
		 .vid = {1, 2},
		 .dmac = bcast},
	};
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *area, *guard, buf[MAX_FRAME];
	size_t i, len, cut;

	(void)state;
	area = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(area != MAP_FAILED);
	guard = area + pg;
	assert_int_equal(mprotect(guard, (size_t)pg, PROT_NONE), 0);
	for (i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		len = build(&frames[i], buf);
		assert_true(len <= (size_t)pg);
		for (cut = 0; cut <= len; cut++) {
			/* A stack mbuf whose data ends at the guard page. */
			struct rte_mbuf m;
			struct pkt_meta pm;

			memset(&m, 0, sizeof(m));
			memcpy(guard - cut, buf, cut);
			m.buf_addr = guard - cut;
			m.data_off = 0;
			m.data_len = (uint16_t)cut;
			m.pkt_len = (uint32_t)cut;
			m.nb_segs = 1;
			pm = parse_mbuf(&m);
			if (cut == len) {
				assert_ok(pm);
			} else {
				assert_int_equal(pm.verdict, VERDICT_DROP);
				assert_true(pm.drop_reason < IXG_DROP_MAX);
			}
		}
	}
	munmap(area, (size_t)pg * 2);
}

/* A full burst mixing verdicts: each packet keeps its own result. */
static void
test_burst_mixed(void **state)
{
	struct fspec ok4 = {.family = 4, .proto = 6};
	struct fspec bad = {.family = 4, .proto = 6, .ethertype = 0x88cc};
	uint8_t buf[MAX_FRAME];
	struct burst b;
	unsigned i;

	(void)state;
	dp_burst_init(&b, 0);
	for (i = 0; i < PIPELINE_BURST; i++) {
		size_t len = build(i % 3 ? &ok4 : &bad, buf);

		b.pkts[b.n++] = dp_test_mbuf(buf, len, 0);
	}
	stage_parse(&ctx, &b);
	for (i = 0; i < PIPELINE_BURST; i++) {
		if (i % 3)
			assert_int_equal(b.meta[i].verdict, VERDICT_CONTINUE);
		else
			assert_reason(b.meta[i], IXG_DROP_ETHERTYPE);
		rte_pktmbuf_free(b.pkts[i]);
	}
}

/* ---- the fast path against the general parser ---- */

/* xorshift64*: a fixed sequence, so a failure repeats. */
static uint64_t
rng_next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dull;
}

/*
 * stage_parse (parse_fast for the common case) and stage_parse_simple (the
 * general parser for every packet) on the same bursts give byte-identical
 * metadata and charged masks, and parsed_fast marks no packet stage_local
 * must look at: valid frames of every shape parse_fast
 * takes or refuses, each also with a few random bytes of its headers
 * changed, a random length cut and a random RX checksum flag.
 */
static void
test_fast_path_matches_simple(void **state)
{
	static const struct fspec shapes[] = {
		{.family = 4, .proto = 6, .payload = 6},
		{.family = 4, .proto = 17},
		{.family = 4, .proto = 6, .n_vlans = 1, .vid = {7}},
		{.family = 4, .proto = 17, .n_vlans = 2, .vid = {7, 9}},
		{.family = 4, .proto = 1, .icmp_type = 8},
		{.family = 4, .proto = 6, .ihl = 6},
		{.family = 4, .proto = 17, .frag = 0x2000},
		{.family = 4, .proto = 17, .frag = 0x4000},
		{.family = 4, .proto = 47},
		{.family = 6, .proto = 6},
		{.family = 6, .proto = 17, .n_vlans = 1, .vid = {300}},
		{.family = 6, .proto = 58, .icmp_type = 128},
		{.family = 6, .proto = 17, .n_ext = 1, .ext = {0}},
		{.family = 6, .proto = 6, .src = "::1"},
		{.family = 4, .proto = 6, .dst = "127.0.0.1"},
		{.family = 0, .arp_op = 1},
		/* multicast destinations: parse_one's (burst.parsed_fast) */
		{.family = 4, .proto = 17, .dst = "224.0.0.9"},
		{.family = 4, .proto = 17, .dst = "239.1.2.3"},
		{.family = 6, .proto = 17, .dst = "ff02::9"},
		{.family = 6, .proto = 6, .dst = "ff0e::1"},
	};
	static const uint64_t ck[] = {
		0,
		RTE_MBUF_F_RX_IP_CKSUM_GOOD,
		RTE_MBUF_F_RX_IP_CKSUM_BAD,
		RTE_MBUF_F_RX_IP_CKSUM_NONE,
	};
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned round, i;

	(void)state;
	for (round = 0; round < 400; round++) {
		struct burst fast, simple;

		dp_burst_init(&fast, 0);
		dp_burst_init(&simple, 0);
		for (i = 0; i < PIPELINE_BURST; i++) {
			const struct fspec *f =
				&shapes[rng_next(&x) % RTE_DIM(shapes)];
			uint8_t buf[MAX_FRAME];
			size_t len = build(f, buf);
			uint64_t r = rng_next(&x);
			unsigned k, flips = (unsigned)(r % 4);
			struct rte_mbuf *m;

			/* One packet in four as built; the others with up to
			 * three header bytes set at random, or cut short. */
			for (k = 0; k < flips && (r & 3) != 0; k++) {
				uint64_t v = rng_next(&x);

				buf[v % RTE_MIN(len, (size_t)80)] =
					(uint8_t)(v >> 32);
			}
			if ((r >> 8) % 8 == 0)
				len = (size_t)((r >> 16) % (len + 1));
			m = dp_test_mbuf(buf, len, 0);
			m->ol_flags = ck[(r >> 24) % RTE_DIM(ck)];
			fast.pkts[i] = m;
			simple.pkts[i] = m;
		}
		fast.n = simple.n = PIPELINE_BURST;
		stage_parse(&ctx, &fast);
		stage_parse_simple(&ctx, &simple);
		for (i = 0; i < PIPELINE_BURST; i++) {
			assert_memory_equal(&fast.meta[i], &simple.meta[i],
					    sizeof(fast.meta[i]));
			rte_pktmbuf_free(fast.pkts[i]);
		}
		assert_int_equal(fast.charged, simple.charged);
		/* parsed_fast: only what stage_local's first pass would
		 * leave as it is (no ARP, Neighbor Discovery or
		 * multicast). */
		assert_int_equal(simple.parsed_fast, 0);
		for (i = 0; i < PIPELINE_BURST; i++) {
			const struct pkt_meta *pm = &fast.meta[i];

			if (!(fast.parsed_fast >> i & 1))
				continue;
			assert_int_equal(pm->verdict, VERDICT_CONTINUE);
			if (pm->l3 == L3_IPV4) {
				assert_true(pm->dst[0] < 224);
			} else {
				assert_int_equal(pm->l3, L3_IPV6);
				assert_int_not_equal(pm->dst[0], 0xff);
				assert_false(pm->l4_proto == 58 &&
					     pm->icmp_type >= 133 &&
					     pm->icmp_type <= 137);
			}
		}
	}
}

/*
 * One frame (len bytes of buf in the segment, pkt_len in all, RX
 * checksum flags) through stage_parse and stage_parse_simple: the same
 * metadata and charged mask, and burst.peer_smac the frame's bytes 6..13
 * where stage_peer reads it. Returns whether parse_fast took the frame.
 */
static int
fast_matches_simple(const uint8_t *buf, size_t len, uint32_t pkt_len,
		    uint64_t flags)
{
	static struct burst fast, simple;
	struct rte_mbuf *m = dp_test_mbuf(buf, len, 0);
	int took;

	m->pkt_len = pkt_len;
	m->ol_flags = flags;
	dp_burst_init(&fast, 0);
	dp_burst_init(&simple, 0);
	fast.pkts[0] = simple.pkts[0] = m;
	fast.n = simple.n = 1;
	stage_parse(&ctx, &fast);
	stage_parse_simple(&ctx, &simple);
	assert_memory_equal(&fast.meta[0], &simple.meta[0],
			    sizeof(fast.meta[0]));
	assert_int_equal(fast.charged, simple.charged);
	if (fast.meta[0].verdict == VERDICT_CONTINUE || fast.charged != 0)
		assert_memory_equal(&fast.peer_smac[0], buf + 6, 8);
	took = (int)(fast.parsed_fast & 1);
	rte_pktmbuf_free(m);
	return took;
}

/*
 * ICMPv6 to a unicast destination is parse_fast's, and marked in
 * burst.parsed_fast (stage_local's first pass skips it) for every type
 * but Neighbor Discovery's, 133..137 (RFC 4861 4), which stage_local
 * reads: every type, tagged and untagged, with the general parser's
 * metadata; the ND types (and only they) unmarked.
 */
static void
test_fast_path_icmp6_types(void **state)
{
	unsigned type, marked = 0;

	(void)state;
	for (type = 0; type < 256; type++) {
		for (unsigned tagged = 0; tagged < 2; tagged++) {
			struct fspec f = {.family = 6,
					  .proto = 58,
					  .icmp_type = (uint8_t)type,
					  .payload = 16,
					  .n_vlans = tagged,
					  .vid = {300}};
			uint8_t buf[MAX_FRAME];
			size_t len = build(&f, buf);
			const int nd = type >= 133 && type <= 137;
			const int took = fast_matches_simple(buf, len,
							     (uint32_t)len, 0);

			assert_int_equal(took, !nd);
			marked += (unsigned)took;
		}
	}
	assert_int_equal(marked, 2 * (256 - 5));
}

/* The IPv4 header checksum of the header at ip, recomputed. */
static void
fix_cksum4(uint8_t *ip)
{
	put16(ip + 10, 0);
	put16(ip + 10, ref_cksum(ip, 20, 0));
}

/*
 * parse_fast's header sum adds the 20 bytes as two 64-bit words and one
 * 32-bit word with end-around carry: headers whose words carry out of 64
 * bits (high TTL, identification, TOS, address bytes) and random ones,
 * each with its checksum right (taken by parse_fast) and off by one
 * either way (not taken, dropped ipv4_checksum by both parsers), and the
 * same metadata as the general parser in every case.
 */
static void
test_fast_path_sum_carries(void **state)
{
	struct fspec f = {.family = 4, .proto = 17, .payload = 18};
	uint8_t buf[MAX_FRAME];
	uint64_t r = 0x2545f4914f6cdd1dull;
	size_t len;
	unsigned k;

	(void)state;
	len = build(&f, buf);
	for (k = 0; k < 4000; k++) {
		uint8_t *ip = buf + 14;
		uint16_t c;

		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		/* the first 1000: every byte a sum may carry out of high */
		ip[1] = k < 1000 ? 0xfc : (uint8_t)r;
		put16(ip + 4, k < 1000 ? 0xffff : (uint16_t)(r >> 8));
		ip[6] = k & 1 ? 0x40 : 0; /* DF or not; no offset */
		ip[7] = 0;
		ip[8] = k < 1000 ? 0xff : (uint8_t)(r >> 24) | 1;
		/* unicast, not martian: first octets 1..126, 128..223 */
		ip[12] = (uint8_t)(1 + (r >> 32) % 223);
		ip[16] = (uint8_t)(1 + (r >> 40) % 223);
		if (ip[12] == 127)
			ip[12] = 126;
		if (ip[16] == 127)
			ip[16] = 128;
		for (unsigned j = 13; j < 20; j++)
			if (j != 16)
				ip[j] = k < 1000 ? 0xff
						 : (uint8_t)(r >> (j * 3 % 56));
		fix_cksum4(ip);
		assert_true(fast_matches_simple(buf, len, (uint32_t)len, 0));
		c = (uint16_t)(ip[10] << 8 | ip[11]);
		put16(ip + 10, (uint16_t)(c + 1));
		if (c + 1 != 0x10000) /* 0xffff + 1: the other zero, right */
			assert_false(fast_matches_simple(buf, len,
							 (uint32_t)len, 0));
		put16(ip + 10, (uint16_t)(c - 1));
		if (c != 0) /* 0 - 1: 0xffff, as right as 0 */
			assert_false(fast_matches_simple(buf, len,
							 (uint32_t)len, 0));
	}
}

/*
 * parse_fast's edges, one field at a time, against the general parser:
 * every cut of each frame (pkt_len the cut or the whole), every IPv4
 * total length and IPv6 payload length around the frame's, every TCP data
 * offset byte, every first octet of the IPv4 and IPv6 addresses and
 * every first byte of the IP header, every IPv4 checksum field value (one taken, or
 * two where 0 and 0xffff both sum right), the flags and offset word, the
 * RX checksum flags with right and wrong sums, IPv6 martians and the
 * destination MAC's bits; untagged and 802.1Q-tagged.
 */
static void
test_fast_path_edges(void **state)
{
	static const struct fspec shapes[] = {
		{.family = 4, .proto = 17, .payload = 18},
		{.family = 4, .proto = 6, .payload = 6},
		{.family = 4, .proto = 1, .icmp_type = 8, .payload = 18},
		{.family = 6, .proto = 17, .payload = 8},
		{.family = 6, .proto = 6},
		/* parsed by parse_fast, left unmarked (stage_local's) */
		{.family = 6, .proto = 58, .icmp_type = 128, .payload = 8},
	};
	static const uint64_t ck[] = {
		0,
		RTE_MBUF_F_RX_IP_CKSUM_GOOD,
		RTE_MBUF_F_RX_IP_CKSUM_BAD,
		RTE_MBUF_F_RX_IP_CKSUM_NONE,
	};
	static const uint16_t frags[] = {0,	 0x4000, 0x8000, 0x2000,
					 0x0001, 0x1fff, 0x6000, 0xc000};
	static const char *const v6addr[] = {
		"::",	      "::1",	     "::2",	   "::ffff:1.2.3.4",
		"::fffe:0:1", "::1:0:0:1",   "ff02::1",	   "ff01::1",
		"fe80::1",    "2001:db8::1", "::ffff:0:0", "0:0:0:0:1::",
	};
	unsigned sh, tag, v, taken = 0;

	(void)state;
	for (sh = 0; sh < RTE_DIM(shapes); sh++)
		for (tag = 0; tag < 2; tag++) {
			struct fspec f = shapes[sh];
			uint8_t buf[MAX_FRAME], w[MAX_FRAME];
			const unsigned off = tag ? 18 : 14;
			const int v4 = f.family == 4;
			uint8_t *ip = w + off;
			size_t len;

			f.n_vlans = tag;
			f.vid[0] = 7;
			len = build(&f, buf);
			/* as built: taken (marked, but Neighbor
			 * Discovery) */
			assert_int_equal(
				fast_matches_simple(buf, len, (uint32_t)len, 0),
				f.proto != 58 || f.icmp_type < 133 ||
					f.icmp_type > 137);
			for (v = 0; v <= len; v++) {
				taken += fast_matches_simple(buf, v,
							     (uint32_t)v, 0);
				taken += fast_matches_simple(buf, v,
							     (uint32_t)len, 0);
			}
			for (v = 0; v < len + 10; v++) {
				memcpy(w, buf, len);
				put16(ip + (v4 ? 2 : 4), (uint16_t)v);
				if (v4)
					fix_cksum4(ip);
				taken += fast_matches_simple(w, len,
							     (uint32_t)len, 0);
				taken += fast_matches_simple(
					w, len, (uint32_t)len + 8,
					RTE_MBUF_F_RX_IP_CKSUM_GOOD);
			}
			if (f.proto == 6)
				for (v = 0; v < 256; v++) {
					memcpy(w, buf, len);
					ip[(v4 ? 20 : 40) + 12] = (uint8_t)v;
					taken += fast_matches_simple(
						w, len, (uint32_t)len, 0);
				}
			for (v = 0; v < 256; v++) {
				memcpy(w, buf, len);
				ip[0] = (uint8_t)v;
				if (v4)
					fix_cksum4(ip);
				taken += fast_matches_simple(w, len,
							     (uint32_t)len, 0);
				if (!v4)
					continue;
				for (unsigned a = 12; a <= 16; a += 4) {
					memcpy(w, buf, len);
					ip[a] = (uint8_t)v;
					fix_cksum4(ip);
					taken += fast_matches_simple(
						w, len, (uint32_t)len, 0);
				}
			}
			for (v = 0; v < 8; v++) {
				memcpy(w, buf, len);
				/* a bit of the destination MAC flipped */
				w[v % 6] ^= (uint8_t)(1u << v);
				assert_false(fast_matches_simple(
					w, len, (uint32_t)len, 0));
			}
			if (v4) {
				unsigned ok = 0;

				for (v = 0; v < RTE_DIM(frags); v++) {
					memcpy(w, buf, len);
					put16(ip + 6, frags[v]);
					fix_cksum4(ip);
					taken += fast_matches_simple(
						w, len, (uint32_t)len, 0);
				}
				for (v = 0; v < 4 * RTE_DIM(ck); v++) {
					memcpy(w, buf, len);
					ip[10] ^= (uint8_t)(v >> 2); /* wrong */
					taken += fast_matches_simple(
						w, len, (uint32_t)len,
						ck[v % RTE_DIM(ck)]);
				}
				memcpy(w, buf, len);
				for (v = 0; v <= 0xffff; v++) {
					put16(ip + 10, (uint16_t)v);
					ok += fast_matches_simple(
						w, len, (uint32_t)len, 0);
				}
				assert_true(ok == 1 || ok == 2);
			} else {
				for (v = 0; v < 2 * RTE_DIM(v6addr); v++) {
					memcpy(w, buf, len);
					assert_int_equal(
						inet_pton(
							AF_INET6, v6addr[v / 2],
							ip + (v & 1 ? 24 : 8)),
						1);
					taken += fast_matches_simple(
						w, len, (uint32_t)len, 0);
				}
				/* every first octet of either address, the
				 * rest as built or as ::1 and ::ffff:0:1
				 * (fast_ipv6's ipv6_look_octet) */
				for (v = 0; v < 6 * 256; v++) {
					uint8_t *a = ip + (v & 256 ? 24 : 8);

					memcpy(w, buf, len);
					if (v >= 4 * 256) {
						memset(a, 0, 16);
						a[10] = a[11] = 0xff;
						a[15] = 1;
					} else if (v >= 2 * 256) {
						memset(a, 0, 16);
						a[15] = 1;
					}
					a[0] = (uint8_t)v;
					taken += fast_matches_simple(
						w, len, (uint32_t)len, 0);
				}
			}
		}
	/* both outcomes well exercised */
	print_message("fast path edges: %u taken\n", taken);
	assert_true(taken > 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp4_fields),
		cmocka_unit_test(test_udp6_ext_fields),
		cmocka_unit_test(test_icmp_fields),
		cmocka_unit_test(test_vlan_fields),
		cmocka_unit_test(test_arp_fields),
		cmocka_unit_test(test_ethernet_padding_allowed),
		cmocka_unit_test(test_ipv4_options_allowed),
		cmocka_unit_test(test_runt),
		cmocka_unit_test(test_dmac_mismatch),
		cmocka_unit_test(test_vlan_stack),
		cmocka_unit_test(test_ethertype),
		cmocka_unit_test(test_arp_invalid),
		cmocka_unit_test(test_ipv4_header),
		cmocka_unit_test(test_ipv4_checksum),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv4_options_malformed),
		cmocka_unit_test(test_ipv6_header),
		cmocka_unit_test(test_ipv6_ext_chain),
		cmocka_unit_test(test_ipv6_fragments),
		cmocka_unit_test(test_l4_truncated),
		cmocka_unit_test(test_martian),
		cmocka_unit_test(test_multiseg_header_split),
		cmocka_unit_test(test_truncation_sweep),
		cmocka_unit_test(test_burst_mixed),
		cmocka_unit_test(test_fast_path_matches_simple),
		cmocka_unit_test(test_fast_path_edges),
		cmocka_unit_test(test_fast_path_sum_carries),
		cmocka_unit_test(test_fast_path_icmp6_types),
	};

	dp_test_eal_init("test_parse", 0);
	tbl = calloc(1, sizeof(*tbl));
	if (tbl == NULL)
		return 1;
	memcpy(tbl->ports[0].mac, port_mac, 6);
	tbl->ports[0].configured = 1;
	dp_ctx_init(&ctx, tbl);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
