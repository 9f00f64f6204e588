/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_local.c - stage_local on fake mbufs over tables built by
 * tables_build: ARP replies (RFC 826), Neighbor Advertisements (RFC 4861
 * flags, option, RFC 4443 checksum), echo replies (RFC 792 / RFC 4443
 * checksums against a full recompute), and what is dropped arp_invalid or
 * local_unhandled.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_mbuf.h>

#include "dp_test_util.h"
#include "frame_util.h"
#include "pipeline.h"

static struct tables *tbl;
static struct pipeline_ctx ctx;

#define assert_reason(pm, reason)                                              \
	do {                                                                   \
		assert_int_equal((pm).verdict, VERDICT_DROP);                  \
		assert_string_equal(ixg_drop_name((pm).drop_reason),           \
				    ixg_drop_name(reason));                    \
	} while (0)

/* parse -> peer -> local on port 0; the mbuf is returned for inspection. */
static struct rte_mbuf *
run(const uint8_t *buf, size_t len, struct pkt_meta *pm)
{
	struct burst b;

	dp_burst_init(&b, 0);
	b.pkts[0] = dp_test_mbuf(buf, len, 0);
	b.n = 1;
	stage_parse(&ctx, &b);
	stage_peer(&ctx, &b);
	assert_int_equal(b.meta[0].verdict, VERDICT_CONTINUE);
	stage_lookup(&ctx, &b);
	stage_local(&ctx, &b);
	*pm = b.meta[0];
	return b.pkts[0];
}

static void
expect_drop(const struct fspec *f, enum ixg_drop_reason r)
{
	uint8_t buf[MAX_FRAME];
	struct pkt_meta pm;
	struct rte_mbuf *m = run(buf, build(f, buf), &pm);

	assert_reason(pm, r);
	rte_pktmbuf_free(m);
}

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t sn_mcast[6] = {0x33, 0x33, 0xff, 0x00, 0x00, 0x01};

static void
ip(int af, const char *s, uint8_t *out)
{
	assert_int_equal(inet_pton(af, s, out), 1);
}

static void
test_arp_reply_rfc826(void **state)
{
	struct fspec f = {.family = 0,
			  .dmac = bcast,
			  .src = "192.0.2.2",
			  .dst = "192.0.2.1"};
	uint8_t buf[MAX_FRAME], a[4];
	struct pkt_meta pm;
	struct rte_mbuf *m;
	const uint8_t *p, *arp;
	size_t len = build(&f, buf);

	(void)state;
	m = run(buf, len, &pm);
	assert_int_equal(pm.verdict, VERDICT_LOCAL);
	assert_int_equal(pm.out_port, 0);
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	arp = p + 14;
	assert_memory_equal(p, peer_mac, 6);
	assert_memory_equal(p + 6, port_mac, 6);
	assert_int_equal(p[12] << 8 | p[13], 0x0806);
	assert_memory_equal(arp, buf + 14, 6); /* htype, ptype, hlen, plen */
	assert_int_equal(arp[6] << 8 | arp[7], 2); /* ares_op$REPLY */
	assert_memory_equal(arp + 8, port_mac, 6);
	ip(AF_INET, "192.0.2.1", a);
	assert_memory_equal(arp + 14, a, 4);
	assert_memory_equal(arp + 18, peer_mac, 6);
	ip(AF_INET, "192.0.2.2", a);
	assert_memory_equal(arp + 24, a, 4);
	assert_int_equal(m->pkt_len, len);
	rte_pktmbuf_free(m);
}

static void
test_arp_tagged_reply_keeps_vlan(void **state)
{
	struct fspec f = {.family = 0,
			  .dmac = bcast,
			  .src = "192.0.2.66",
			  .dst = "198.18.0.1",
			  .n_vlans = 1,
			  .vid = {10},
			  .smac = (const uint8_t *)"\x02\x00\x00\x00\x01\x0a"};
	uint8_t buf[MAX_FRAME];
	struct pkt_meta pm;
	struct rte_mbuf *m = run(buf, build(&f, buf), &pm);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	(void)state;
	assert_int_equal(pm.verdict, VERDICT_LOCAL);
	assert_int_equal(p[12] << 8 | p[13], 0x8100);
	assert_int_equal(p[14] << 8 | p[15], 10);
	assert_int_equal(p[18 + 7], 2);
	rte_pktmbuf_free(m);
}

static void
test_arp_invalid_not_for_us(void **state)
{
	struct fspec other = {.family = 0, .dmac = bcast, .dst = "192.0.2.99"};
	struct fspec reply = {.family = 0, .arp_op = 2};
	/* our address, but on VLAN 10 only: not answered untagged */
	struct fspec wrong_vlan = {
		.family = 0, .dmac = bcast, .dst = "198.18.0.1"};
	/* gratuitous: sender == target, not ours */
	struct fspec grat = {.family = 0,
			     .dmac = bcast,
			     .src = "192.0.2.2",
			     .dst = "192.0.2.2"};

	(void)state;
	expect_drop(&other, IXG_DROP_ARP_INVALID);
	expect_drop(&reply, IXG_DROP_ARP_INVALID);
	expect_drop(&wrong_vlan, IXG_DROP_ARP_INVALID);
	expect_drop(&grat, IXG_DROP_ARP_INVALID);
}

/* A Neighbor Solicitation for `target`, optionally with a source
 * link-layer address option; hop limit `hlim`. */
static size_t
make_ns(uint8_t *buf, const char *target, int with_opt, uint8_t hlim)
{
	struct fspec f = {.family = 6,
			  .proto = 58,
			  .icmp_type = 135,
			  .dmac = sn_mcast,
			  .src = "2001:db8::2",
			  .dst = "ff02::1:ff00:1",
			  .ttl = hlim,
			  .payload = with_opt ? 24 : 16};
	size_t len = build(&f, buf);
	uint8_t *ip6 = buf + 14, *icmp = ip6 + 40;

	memset(icmp + 4, 0, 4);
	ip(AF_INET6, target, icmp + 8);
	if (with_opt) {
		icmp[24] = 1; /* source link-layer address */
		icmp[25] = 1;
		memcpy(icmp + 26, peer_mac, 6);
	}
	put16(icmp + 2, 0);
	put16(icmp + 2, ref_cksum6(ip6, icmp, len - 54, 58));
	return len;
}

static void
check_na(struct rte_mbuf *m, const char *target)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *ip6 = p + 14, *icmp = ip6 + 40;
	uint8_t a[16];

	assert_int_equal(m->pkt_len, 14 + 40 + 32);
	assert_int_equal(m->data_len, 14 + 40 + 32);
	assert_memory_equal(p, peer_mac, 6);
	assert_memory_equal(p + 6, port_mac, 6);
	assert_int_equal(ip6[0] >> 4, 6);
	assert_int_equal(ip6[4] << 8 | ip6[5], 32);
	assert_int_equal(ip6[6], 58);
	assert_int_equal(ip6[7], 255); /* RFC 4861 7.1.2 */
	ip(AF_INET6, target, a);
	assert_memory_equal(ip6 + 8, a, 16); /* from the target */
	ip(AF_INET6, "2001:db8::2", a);
	assert_memory_equal(ip6 + 24, a, 16); /* to the solicitor */
	assert_int_equal(icmp[0], 136);
	assert_int_equal(icmp[1], 0);
	/* Router, Solicited, Override (RFC 4861 4.4) */
	assert_int_equal(icmp[4], 0xe0);
	assert_int_equal(icmp[5] | icmp[6] | icmp[7], 0);
	ip(AF_INET6, target, a);
	assert_memory_equal(icmp + 8, a, 16);
	assert_int_equal(icmp[24], 2); /* target link-layer address */
	assert_int_equal(icmp[25], 1);
	assert_memory_equal(icmp + 26, port_mac, 6);
	/* RFC 4443 2.3: the checksum over pseudo-header and message */
	assert_int_equal(ref_cksum6(ip6, icmp, 32, 58), 0);
}

static void
test_ns_to_na_rfc4861(void **state)
{
	uint8_t buf[MAX_FRAME];
	struct pkt_meta pm;
	struct rte_mbuf *m;

	(void)state;
	m = run(buf, make_ns(buf, "2001:db8::1", 1, 255), &pm);
	assert_int_equal(pm.verdict, VERDICT_LOCAL);
	assert_int_equal(pm.out_port, 0);
	check_na(m, "2001:db8::1");
	rte_pktmbuf_free(m);
	/* without an option the frame grows by 8 bytes */
	m = run(buf, make_ns(buf, "2001:db8::1", 0, 255), &pm);
	assert_int_equal(pm.verdict, VERDICT_LOCAL);
	check_na(m, "2001:db8::1");
	rte_pktmbuf_free(m);
}

static void
test_ns_not_answered(void **state)
{
	uint8_t buf[MAX_FRAME];
	struct pkt_meta pm;
	struct rte_mbuf *m;
	size_t len;

	(void)state;
	/* RFC 4861 7.1.1: hop limit must be 255 */
	m = run(buf, make_ns(buf, "2001:db8::1", 1, 254), &pm);
	assert_reason(pm, IXG_DROP_LOCAL_UNHANDLED);
	rte_pktmbuf_free(m);
	/* bad ICMPv6 checksum */
	len = make_ns(buf, "2001:db8::1", 1, 255);
	buf[14 + 40 + 3] ^= 0x40;
	m = run(buf, len, &pm);
	assert_reason(pm, IXG_DROP_LOCAL_UNHANDLED);
	rte_pktmbuf_free(m);
	/* a target that is not ours */
	m = run(buf, make_ns(buf, "2001:db8::77", 1, 255), &pm);
	assert_reason(pm, IXG_DROP_LOCAL_UNHANDLED);
	rte_pktmbuf_free(m);
}

static void
test_echo4_reply_rfc792(void **state)
{
	struct fspec f = {.family = 4,
			  .proto = 1,
			  .icmp_type = 8,
			  .src = "192.0.2.2",
			  .dst = "192.0.2.1",
			  .ttl = 9,
			  .payload = 57};
	uint8_t buf[MAX_FRAME], a[4];
	size_t len = build(&f, buf);
	struct pkt_meta pm;
	struct rte_mbuf *m = run(buf, len, &pm);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *ip4 = p + 14, *icmp = ip4 + 20;
	uint8_t copy[MAX_FRAME];

	(void)state;
	assert_int_equal(pm.verdict, VERDICT_LOCAL);
	assert_memory_equal(p, peer_mac, 6);
	assert_memory_equal(p + 6, port_mac, 6);
	ip(AF_INET, "192.0.2.1", a);
	assert_memory_equal(ip4 + 12, a, 4);
	ip(AF_INET, "192.0.2.2", a);
	assert_memory_equal(ip4 + 16, a, 4);
	assert_int_equal(ip4[8], 64);
	assert_int_equal(ref_cksum(ip4, 20, 0), 0);
	assert_int_equal(icmp[0], 0);
	assert_int_equal(icmp[1], 0);
	/* identifier, sequence and data echoed */
	assert_memory_equal(icmp + 4, buf + 14 + 20 + 4, len - 14 - 20 - 4);
	/* incremental checksum == full recompute */
	memcpy(copy, icmp, len - 34);
	put16(copy + 2, 0);
	assert_int_equal(icmp[2] << 8 | icmp[3], ref_cksum(copy, len - 34, 0));
	rte_pktmbuf_free(m);
}

static void
test_echo6_reply_rfc4443(void **state)
{
	struct fspec f = {.family = 6,
			  .proto = 58,
			  .icmp_type = 128,
			  .src = "2001:db8::2",
			  .dst = "2001:db8::1",
			  .ttl = 3,
			  .payload = 33};
	uint8_t buf[MAX_FRAME], a[16];
	size_t len = build(&f, buf);
	struct pkt_meta pm;
	struct rte_mbuf *m = run(buf, len, &pm);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *ip6 = p + 14, *icmp = ip6 + 40;
	uint8_t copy[MAX_FRAME];

	(void)state;
	assert_int_equal(pm.verdict, VERDICT_LOCAL);
	assert_memory_equal(p, peer_mac, 6);
	assert_memory_equal(p + 6, port_mac, 6);
	ip(AF_INET6, "2001:db8::1", a);
	assert_memory_equal(ip6 + 8, a, 16);
	ip(AF_INET6, "2001:db8::2", a);
	assert_memory_equal(ip6 + 24, a, 16);
	assert_int_equal(ip6[7], 64);
	assert_int_equal(icmp[0], 129);
	assert_int_equal(ref_cksum6(ip6, icmp, len - 54, 58), 0);
	memcpy(copy, icmp, len - 54);
	put16(copy + 2, 0);
	assert_int_equal(icmp[2] << 8 | icmp[3],
			 ref_cksum6(ip6, copy, len - 54, 58));
	rte_pktmbuf_free(m);
}

static void
test_local_unhandled(void **state)
{
	const struct fspec cases[] = {
		/* UDP / TCP to our addresses */
		{.family = 4,
		 .proto = 17,
		 .src = "192.0.2.2",
		 .dst = "192.0.2.1"},
		{.family = 6,
		 .proto = 6,
		 .src = "2001:db8::2",
		 .dst = "2001:db8::1"},
		/* an echo reply, and a fragmented echo request, to us */
		{.family = 4,
		 .proto = 1,
		 .icmp_type = 0,
		 .src = "192.0.2.2",
		 .dst = "192.0.2.1"},
		{.family = 4,
		 .proto = 1,
		 .icmp_type = 8,
		 .src = "192.0.2.2",
		 .dst = "192.0.2.1",
		 .frag = 0x2000},
		/* link-local multicast: OSPF hello, router solicitation */
		{.family = 4,
		 .proto = 89,
		 .src = "192.0.2.2",
		 .dst = "224.0.0.5",
		 .dmac = (const uint8_t *)"\x01\x00\x5e\x00\x00\x05"},
		{.family = 6,
		 .proto = 58,
		 .icmp_type = 133,
		 .src = "fe80::2",
		 .dst = "ff02::2",
		 .ttl = 255,
		 .dmac = (const uint8_t *)"\x33\x33\x00\x00\x00\x02"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_drop(&cases[i], IXG_DROP_LOCAL_UNHANDLED);
}

/* Transit traffic passes untouched, with its route looked up. */
static void
test_transit_continues(void **state)
{
	struct fspec f = {.family = 4,
			  .proto = 17,
			  .src = "192.0.2.2",
			  .dst = "203.0.113.9"};
	uint8_t buf[MAX_FRAME];
	size_t len = build(&f, buf);
	struct pkt_meta pm;
	struct rte_mbuf *m = run(buf, len, &pm);

	(void)state;
	assert_int_equal(pm.verdict, VERDICT_CONTINUE);
	assert_int_equal(pm.route_nh, 2);
	assert_memory_equal(rte_pktmbuf_mtod(m, uint8_t *), buf, len);
	rte_pktmbuf_free(m);
}

/*
 * stage_local skips what parse_fast took (struct burst, parsed_fast): one
 * burst of everything this file sends, to us and through, run with
 * parsed_fast as stage_parse left it and with it cleared (every packet
 * visited): the same metadata and the same frames, byte for byte. ARP,
 * Neighbor Discovery and multicast destinations are never marked; TCP,
 * UDP, ICMP and ICMPv6 echo to unicast destinations are, ours among
 * them.
 */
static void
test_parsed_fast_skip(void **state)
{
	const struct fspec cases[] = {
		{.family = 0,
		 .dmac = bcast,
		 .src = "192.0.2.2",
		 .dst = "192.0.2.1"},
		{.family = 4,
		 .proto = 17,
		 .src = "192.0.2.2",
		 .dst = "192.0.2.1"},
		{.family = 4,
		 .proto = 1,
		 .icmp_type = 8,
		 .src = "192.0.2.2",
		 .dst = "192.0.2.1"},
		{.family = 6,
		 .proto = 58,
		 .icmp_type = 128,
		 .src = "2001:db8::2",
		 .dst = "2001:db8::1"},
		{.family = 4,
		 .proto = 89,
		 .src = "192.0.2.2",
		 .dst = "224.0.0.5",
		 .dmac = (const uint8_t *)"\x01\x00\x5e\x00\x00\x05"},
		{.family = 4,
		 .proto = 17,
		 .src = "192.0.2.2",
		 .dst = "224.0.0.9",
		 .dmac = (const uint8_t *)"\x01\x00\x5e\x00\x00\x09"},
		{.family = 6,
		 .proto = 17,
		 .src = "fe80::2",
		 .dst = "ff02::9",
		 .dmac = (const uint8_t *)"\x33\x33\x00\x00\x00\x09"},
		{.family = 6, .proto = 17, .src = "fe80::2", .dst = "ff02::9"},
		{.family = 6,
		 .proto = 58,
		 .icmp_type = 133,
		 .src = "fe80::2",
		 .dst = "ff02::2",
		 .ttl = 255,
		 .dmac = (const uint8_t *)"\x33\x33\x00\x00\x00\x02"},
		{.family = 6,
		 .proto = 58,
		 .icmp_type = 128,
		 .src = "2001:db8::2",
		 .dst = "2001:db8:9::9"},
		{.family = 4,
		 .proto = 17,
		 .src = "192.0.2.2",
		 .dst = "203.0.113.9"},
		{.family = 4,
		 .proto = 6,
		 .src = "192.0.2.2",
		 .dst = "203.0.113.9"},
		{.family = 6,
		 .proto = 17,
		 .src = "2001:db8::2",
		 .dst = "2001:db8:9::9"},
		{.family = 6,
		 .proto = 6,
		 .src = "2001:db8::2",
		 .dst = "2001:db8:9::9"},
	};
	/* parse_fast's: IPv4 UDP, echo and IPv6 echo to us (1, 2, 3:
	 * stage_local's second pass, by b->nh_local), IPv6 echo through (9)
	 * and the last four (transit) */
	const unsigned n = sizeof(cases) / sizeof(cases[0]);
	const uint32_t fast = ((UINT32_C(1) << 4) - 1) << (n - 4) | 1u << 9 |
			      0xe;
	static struct burst b[2];
	uint8_t buf[MAX_FRAME], ns[MAX_FRAME];
	size_t lens[PIPELINE_BURST];
	struct pipeline_ctx saved = ctx;
	unsigned i, k;

	(void)state;
	for (k = 0; k < 2; k++) {
		dp_burst_init(&b[k], 0);
		for (i = 0; i < n; i++) {
			lens[i] = build(&cases[i], buf);
			b[k].pkts[i] = dp_test_mbuf(buf, lens[i], 0);
		}
		/* and a Neighbor Solicitation for us */
		lens[n] = make_ns(ns, "2001:db8::1", 1, 255);
		b[k].pkts[n] = dp_test_mbuf(ns, lens[n], 0);
		b[k].n = (uint16_t)(n + 1);
		ctx = saved;
		stage_parse(&ctx, &b[k]);
		assert_int_equal(b[k].parsed_fast, fast);
		stage_peer(&ctx, &b[k]);
		stage_lookup(&ctx, &b[k]);
		if (k == 1)
			b[k].parsed_fast = 0;
		stage_local(&ctx, &b[k]);
	}
	ctx = saved;
	assert_memory_equal(b[0].meta, b[1].meta, sizeof(b[0].meta));
	assert_int_equal(b[0].meta[0].verdict, VERDICT_LOCAL); /* ARP */
	assert_int_equal(b[0].meta[n].verdict, VERDICT_LOCAL); /* NS */
	assert_int_equal(b[0].meta[n - 1].verdict, VERDICT_CONTINUE);
	for (i = 0; i <= n; i++) {
		const struct rte_mbuf *m0 = b[0].pkts[i], *m1 = b[1].pkts[i];

		assert_int_equal(m0->pkt_len, m1->pkt_len);
		assert_memory_equal(rte_pktmbuf_mtod(m0, const uint8_t *),
				    rte_pktmbuf_mtod(m1, const uint8_t *),
				    m0->data_len);
	}
	for (k = 0; k < 2; k++)
		for (i = 0; i <= n; i++)
			rte_pktmbuf_free(b[k].pkts[i]);
}

/*
 * What stage_local answers, punts or drops has the countries stage_lookup
 * wrote for it unset by stage_country: echo requests to us (IPv4, IPv6), ARP, an NS
 * for us, other traffic to us, transit; stage_country on the gathered
 * burst against its own gather (burst.gathered cleared, countries unset
 * first): the same metadata byte for byte, the answered packets' countries
 * unset, the transit ones' kept.
 */
static void
test_answered_countries_unset(void **state)
{
	const struct fspec cases[] = {
		{.family = 4,
		 .proto = 1,
		 .icmp_type = 8,
		 .src = "203.0.113.7",
		 .dst = "192.0.2.1"},
		{.family = 6,
		 .proto = 58,
		 .icmp_type = 128,
		 .src = "2001:db8::2",
		 .dst = "2001:db8::1"},
		{.family = 0,
		 .dmac = bcast,
		 .src = "192.0.2.2",
		 .dst = "192.0.2.1"},
		{.family = 4,
		 .proto = 17,
		 .src = "203.0.113.7",
		 .dst = "192.0.2.1"},
		{.family = 4,
		 .proto = 17,
		 .src = "192.0.2.2",
		 .dst = "203.0.113.9"},
		{.family = 6,
		 .proto = 6,
		 .src = "2001:db8::2",
		 .dst = "2001:db8:9::9"},
	};
	const unsigned n = sizeof(cases) / sizeof(cases[0]);
	static struct burst a, b;
	uint8_t buf[MAX_FRAME];
	uint16_t cc_before[PIPELINE_BURST];
	unsigned i;

	(void)state;
	dp_burst_init(&a, 0);
	for (i = 0; i < n; i++)
		a.pkts[i] = dp_test_mbuf(buf, build(&cases[i], buf), 0);
	a.pkts[n] = dp_test_mbuf(buf, make_ns(buf, "2001:db8::1", 1, 255), 0);
	a.n = (uint16_t)(n + 1);
	stage_parse(&ctx, &a);
	stage_peer(&ctx, &a);
	stage_lookup(&ctx, &a);
	assert_int_equal(a.gathered, 1);
	for (i = 0; i <= n; i++)
		cc_before[i] = a.meta[i].src_country;
	stage_local(&ctx, &a);
	b = a;
	b.gathered = 0;
	for (i = 0; i < b.n; i++)
		b.meta[i].src_country = b.meta[i].dst_country = 0;
	stage_country(&ctx, &a);
	stage_country(&ctx, &b);
	assert_memory_equal(a.meta, b.meta, sizeof(a.meta));
	/* the echoes to us had countries from stage_lookup, answered */
	assert_int_not_equal(cc_before[0], 0);
	assert_int_not_equal(cc_before[1], 0);
	for (i = 0; i <= n; i++) {
		const struct pkt_meta *pm = &a.meta[i];

		if (i == 4 || i == 5) {
			assert_int_equal(pm->verdict, VERDICT_CONTINUE);
			assert_int_not_equal(pm->src_country, 0);
			assert_int_not_equal(pm->dst_country, 0);
			continue;
		}
		assert_int_not_equal(pm->verdict, VERDICT_CONTINUE);
		assert_int_equal(pm->src_country, 0);
		assert_int_equal(pm->dst_country, 0);
	}
	assert_int_equal(a.meta[0].verdict, VERDICT_LOCAL);
	assert_int_equal(a.meta[1].verdict, VERDICT_LOCAL);
	assert_int_equal(a.meta[n].verdict, VERDICT_LOCAL);
	for (i = 0; i <= n; i++)
		rte_pktmbuf_free(a.pkts[i]);
}

int
main(void)
{
	int rc;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_reply_rfc826),
		cmocka_unit_test(test_arp_tagged_reply_keeps_vlan),
		cmocka_unit_test(test_arp_invalid_not_for_us),
		cmocka_unit_test(test_ns_to_na_rfc4861),
		cmocka_unit_test(test_ns_not_answered),
		cmocka_unit_test(test_echo4_reply_rfc792),
		cmocka_unit_test(test_echo6_reply_rfc4443),
		cmocka_unit_test(test_local_unhandled),
		cmocka_unit_test(test_transit_continues),
		cmocka_unit_test(test_parsed_fast_skip),
		cmocka_unit_test(test_answered_countries_unset),
	};
	struct ixg_spec *s;

	dp_test_eal_init("test_local", 0);
	s = dp_spec_new();
	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_OFF);
	dp_spec_peer(s, 2, 0, 0, "02:00:00:00:01:02", IXG_SAV_OFF);
	dp_spec_peer(s, 3, 0, 10, "02:00:00:00:01:0a", IXG_SAV_OFF);
	dp_spec_route4(s, "203.0.113.0", 24, 2);
	dp_spec_local(s, 0, "192.0.2.1", 24);
	dp_spec_local(s, 0, "2001:db8::1", 64);
	dp_spec_local(s, 0, "198.18.0.1", 24)->vlan = 10;
	/* countries for test_answered_countries_unset */
	dp_spec_country4(s, "192.0.2.0", 24, "VN");
	dp_spec_country4(s, "203.0.113.0", 24, "SG");
	dp_spec_country6(s, "2001:db8::", 32, "CN");
	tbl = dp_tables_build(s);
	dp_ctx_init(&ctx, tbl);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	/* The harness's globals, so that LeakSanitizer sees none. */
	tables_free(tbl);
	dp_spec_free(s);
	return rc;
}
