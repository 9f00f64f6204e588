/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_peer.c - stage_peer over tables built by tables_build: the ingress
 * peer from (port, outer VLAN, VLAN, source MAC), misses dropped
 * unknown_peer (ARP and ND included), in one bulk lookup per burst.
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
#include "pipeline.h"

/* ---- frame builder (test-local) ---- */
#define MAX_FRAME 2048

static const uint8_t port_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x01};

struct fspec {
	const uint8_t *dmac; /* NULL: port_mac */
	const uint8_t *smac; /* NULL: peer_mac */
	unsigned n_vlans;
	uint16_t tpid[3]; /* 0: 0x8100 */
	uint16_t vid[3]; /* outermost first */
	uint16_t ethertype; /* 0: from family */
	int family; /* 4, 6, or 0 for ARP */
	uint8_t proto;
	const char *src, *dst;
	uint8_t ttl; /* 0: 64 */
	uint8_t dscp;
	unsigned ihl; /* 0: 5 */
	uint16_t frag; /* IPv4 flags and offset field, host order */
	unsigned n_ext;
	uint8_t ext[12]; /* IPv6 extension header types, in order */
	uint16_t ext_frag; /* fragment header offset|M field, host order */
	uint8_t icmp_type;
	uint16_t arp_op;
	unsigned payload; /* bytes after the L4 header */
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
sum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Full (reference) checksums, straight from RFC 1071. */
static uint16_t
ref_cksum(const uint8_t *p, size_t len, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return (uint16_t)~sum_fold(s);
}

static uint16_t
ref_cksum6(const uint8_t *ip6, const uint8_t *l4, size_t len, uint8_t nh)
{
	uint32_t s = 0;
	size_t i;

	for (i = 8; i < 40; i += 2)
		s += (uint32_t)ip6[i] << 8 | ip6[i + 1];
	s += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + nh;
	return ref_cksum(l4, len, s);
}

/* Builds the frame into buf; returns its length. */
static size_t
build(const struct fspec *f, uint8_t *buf)
{
	uint8_t *p = buf, *ip, *l4;
	size_t l4len = 0, l3hdr, i;
	uint8_t nh;

	memset(buf, 0, MAX_FRAME);
	memcpy(p, f->dmac ? f->dmac : port_mac, 6);
	memcpy(p + 6, f->smac ? f->smac : peer_mac, 6);
	p += 12;
	for (i = 0; i < f->n_vlans; i++) {
		put16(p, f->tpid[i] ? f->tpid[i] : 0x8100);
		put16(p + 2, f->vid[i]);
		p += 4;
	}
	put16(p, f->ethertype ? f->ethertype :
		 f->family == 4 ? 0x0800 : f->family == 6 ? 0x86dd : 0x0806);
	p += 2;
	ip = p;
	if (f->family == 0) {
		put16(p, 1);
		put16(p + 2, 0x0800);
		p[4] = 6;
		p[5] = 4;
		put16(p + 6, f->arp_op ? f->arp_op : 1);
		memcpy(p + 8, f->smac ? f->smac : peer_mac, 6);
		inet_pton(AF_INET, f->src ? f->src : "192.0.2.2", p + 14);
		inet_pton(AF_INET, f->dst ? f->dst : "192.0.2.1", p + 24);
		return (size_t)(p + 28 - buf);
	}
	if (f->family == 4) {
		unsigned ihl = f->ihl ? f->ihl : 5;

		l3hdr = ihl * 4;
		for (i = 20; i < l3hdr; i++)
			ip[i] = 1; /* NOP options */
		nh = f->proto;
	} else {
		l3hdr = 40;
		nh = f->n_ext ? f->ext[0] : f->proto;
		for (i = 0; i < f->n_ext; i++) {
			uint8_t *e = ip + l3hdr;

			e[0] = i + 1 < f->n_ext ? f->ext[i + 1] : f->proto;
			e[1] = 0; /* 8 bytes for every type, AH included */
			if (f->ext[i] == 44)
				put16(e + 2, f->ext_frag);
			l3hdr += 8;
		}
	}
	l4 = ip + l3hdr;
	switch (f->proto) {
	case 6:
		put16(l4, 1234);
		put16(l4 + 2, 80);
		l4[12] = 5 << 4;
		l4len = 20;
		break;
	case 17:
		put16(l4, 5353);
		put16(l4 + 2, 53);
		l4len = 8;
		break;
	case 1:
	case 58:
		l4[0] = f->icmp_type;
		put16(l4 + 4, 0x4242);
		put16(l4 + 6, 7);
		l4len = 8;
		break;
	}
	for (i = 0; i < f->payload; i++)
		l4[l4len + i] = (uint8_t)(i * 7 + 1);
	if (f->proto == 17)
		put16(l4 + 4, (uint16_t)(8 + f->payload));
	l4len += f->payload;
	if (f->family == 4) {
		ip[0] = (uint8_t)(0x40 | (l3hdr / 4));
		ip[1] = (uint8_t)(f->dscp << 2);
		put16(ip + 2, (uint16_t)(l3hdr + l4len));
		put16(ip + 6, f->frag);
		ip[8] = f->ttl ? f->ttl : 64;
		ip[9] = nh;
		inet_pton(AF_INET, f->src ? f->src : "198.51.100.1", ip + 12);
		inet_pton(AF_INET, f->dst ? f->dst : "203.0.113.1", ip + 16);
		put16(ip + 10, ref_cksum(ip, l3hdr, 0));
		if (f->proto == 1)
			put16(l4 + 2, ref_cksum(l4, l4len, 0));
	} else {
		ip[0] = (uint8_t)(0x60 | (f->dscp >> 2));
		ip[1] = (uint8_t)(f->dscp << 6);
		put16(ip + 4, (uint16_t)(l3hdr - 40 + l4len));
		ip[6] = nh;
		ip[7] = f->ttl ? f->ttl : 64;
		inet_pton(AF_INET6, f->src ? f->src : "2001:db8:1::1", ip + 8);
		inet_pton(AF_INET6, f->dst ? f->dst : "2001:db8:2::1", ip + 24);
		if (f->proto == 58)
			put16(l4 + 2, ref_cksum6(ip, l4, l4len, 58));
	}
	return (size_t)(l4 + l4len - buf);
}
/* ---- end of frame builder ---- */

static struct tables *tbl;
static struct pipeline_ctx ctx;

static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0x0a, 0x01};
static const uint8_t mac_b[6] = {0x02, 0, 0, 0, 0x0b, 0x01};
static const uint8_t mac_c[6] = {0x02, 0, 0, 0, 0x0c, 0x01};
static const uint8_t stranger[6] = {0x02, 0, 0, 0, 0x66, 0x66};

/* Runs parse and peer over frames built from f[0..n) on port 0. */
static void
run(const struct fspec *f, unsigned n, struct burst *b)
{
	uint8_t buf[MAX_FRAME];
	unsigned i;

	dp_burst_init(b, 0);
	for (i = 0; i < n; i++)
		b->pkts[b->n++] = dp_test_mbuf(buf, build(&f[i], buf), 0);
	stage_parse(&ctx, b);
	stage_peer(&ctx, b);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(b->pkts[i]);
}

#define assert_unknown(pm)                                                  \
	do {                                                                \
		assert_int_equal((pm).verdict, VERDICT_DROP);               \
		assert_string_equal(ixg_drop_name((pm).drop_reason),       \
				    "unknown_peer");                        \
	} while (0)

static void
test_known_peers(void **state)
{
	const struct fspec f[] = {
		{.family = 4, .proto = 6, .smac = mac_a},
		{.family = 4, .proto = 6, .smac = mac_b, .n_vlans = 1,
		 .vid = {100}},
		{.family = 6, .proto = 17, .smac = mac_c, .n_vlans = 2,
		 .tpid = {0x88a8, 0x8100}, .vid = {2000, 200}},
	};
	struct burst b;

	(void)state;
	run(f, 3, &b);
	assert_int_equal(b.meta[0].verdict, VERDICT_CONTINUE);
	assert_int_equal(b.meta[0].in_peer, 1);
	assert_int_equal(b.meta[1].verdict, VERDICT_CONTINUE);
	assert_int_equal(b.meta[1].in_peer, 2);
	assert_int_equal(b.meta[2].verdict, VERDICT_CONTINUE);
	assert_int_equal(b.meta[2].in_peer, 3);
}

static void
test_unknown_peer(void **state)
{
	const struct fspec f[] = {
		/* unknown MAC */
		{.family = 4, .proto = 6, .smac = stranger},
		/* known MAC, wrong VLAN */
		{.family = 4, .proto = 6, .smac = mac_a, .n_vlans = 1,
		 .vid = {100}},
		{.family = 4, .proto = 6, .smac = mac_b},
		/* QinQ peer with the wrong outer tag, or single-tagged */
		{.family = 4, .proto = 6, .smac = mac_c, .n_vlans = 2,
		 .tpid = {0x88a8, 0x8100}, .vid = {2001, 200}},
		{.family = 4, .proto = 6, .smac = mac_c, .n_vlans = 1,
		 .vid = {200}},
		/* ARP and ND from strangers: an IX node only talks to
		 * members */
		{.family = 0, .smac = stranger,
		 .dmac = (const uint8_t *)"\xff\xff\xff\xff\xff\xff"},
		{.family = 6, .proto = 58, .icmp_type = 135, .ttl = 255,
		 .smac = stranger, .src = "2001:db8::66",
		 .dst = "ff02::1:ff00:1",
		 .dmac = (const uint8_t *)"\x33\x33\xff\x00\x00\x01"},
	};
	unsigned i, n = sizeof(f) / sizeof(f[0]);
	struct burst b;

	(void)state;
	run(f, n, &b);
	for (i = 0; i < n; i++) {
		assert_unknown(b.meta[i]);
		assert_int_equal(b.meta[i].in_peer, IXG_PEER_NONE);
	}
}

/* The same MAC on another port is another peer (or none). */
static void
test_port_is_part_of_key(void **state)
{
	const struct fspec f = {.family = 4, .proto = 6, .smac = mac_a};
	uint8_t buf[MAX_FRAME];
	struct burst b;

	(void)state;
	dp_burst_init(&b, 1);
	b.pkts[b.n++] = dp_test_mbuf(buf, build(&f, buf), 1);
	memcpy(rte_pktmbuf_mtod(b.pkts[0], uint8_t *),
	       tbl->ports[1].mac, 6);
	stage_parse(&ctx, &b);
	assert_int_equal(b.meta[0].verdict, VERDICT_CONTINUE);
	stage_peer(&ctx, &b);
	assert_unknown(b.meta[0]);
	rte_pktmbuf_free(b.pkts[0]);
}

/* A full burst: hits and misses interleaved, drops from parse skipped. */
static void
test_full_burst(void **state)
{
	struct fspec f[PIPELINE_BURST];
	struct burst b;
	unsigned i;

	(void)state;
	for (i = 0; i < PIPELINE_BURST; i++) {
		memset(&f[i], 0, sizeof(f[i]));
		f[i].family = 4;
		f[i].proto = 17;
		f[i].smac = i % 2 ? mac_a : stranger;
		if (i % 5 == 0)
			f[i].ethertype = 0x88cc;
	}
	run(f, PIPELINE_BURST, &b);
	for (i = 0; i < PIPELINE_BURST; i++) {
		if (i % 5 == 0) {
			assert_string_equal(
				ixg_drop_name(b.meta[i].drop_reason),
				"ethertype");
		} else if (i % 2) {
			assert_int_equal(b.meta[i].verdict, VERDICT_CONTINUE);
			assert_int_equal(b.meta[i].in_peer, 1);
		} else {
			assert_unknown(b.meta[i]);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_peers),
		cmocka_unit_test(test_unknown_peer),
		cmocka_unit_test(test_port_is_part_of_key),
		cmocka_unit_test(test_full_burst),
	};
	struct ixg_spec *s;

	dp_test_eal_init("test_peer", 0);
	s = dp_spec_new();
	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_port(s, 1, "02:00:00:00:00:02");
	dp_spec_peer(s, 1, 0, 0, "02:00:00:00:0a:01", IXG_SAV_OFF);
	dp_spec_peer(s, 2, 0, 100, "02:00:00:00:0b:01", IXG_SAV_OFF);
	dp_spec_peer(s, 3, 0, 200, "02:00:00:00:0c:01", IXG_SAV_OFF)
		->outer_vlan = 2000;
	dp_spec_local(s, 0, "2001:db8::1", 64);
	tbl = dp_tables_build(s);
	dp_ctx_init(&ctx, tbl);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
