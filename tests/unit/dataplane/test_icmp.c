/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_icmp.c - the ICMP errors stage_rewrite builds and stage_output sends,
 * through pipeline_run over tables from tables_build:
 *   - Time Exceeded for IPv4 (RFC 792: header + 8 bytes quoted) and IPv6
 *     (RFC 4443 3.3: as much as fits 1280 bytes), byte for byte, with
 *     checksums, back to the sender's MAC with the VLAN stack as received,
 *     from the node's address on that port and VLAN;
 *   - Fragmentation Needed with the next-hop MTU (RFC 1191 4) for IPv4 with
 *     DF, none without DF; ICMPv6 Packet Too Big with the MTU (RFC 4443 3.2);
 *   - none about ICMP errors, ICMPv6 redirects, non-first fragments,
 *     multicast / broadcast destinations or frames, non-unicast sources
 *     (RFC 1812 4.3.2.7, RFC 4443 2.4(e)), nor without a local address;
 *   - the token bucket under a controlled clock;
 *   - the invariant rx == tx + local + drops with generated packets present,
 *     and pipeline_tx_failed on a generated packet.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp_test_util.h"
#include "frame_util.h"
#include "pipeline.h"

static const uint8_t vlan_peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x04};
static const uint8_t qinq_peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x06};
static const uint8_t port3_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x04};
static const uint8_t lonely_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x05};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

#define RATE 100 /* node.icmp_rate */

static struct tables *tbl;
static struct pipeline_ctx ctx;
static struct burst_out out;

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
assert_invariant(const struct ixg_lcore_counters *c)
{
	uint64_t drops = 0, pd;
	unsigned r, p;

	for (r = 0; r < IXG_DROP_MAX; r++)
		drops += c->drops[r];
	assert_int_equal(c->rx_packets,
			 c->tx_packets + c->local_packets + drops);
	for (p = 0; p < IXG_MAX_PORTS; p++) {
		for (pd = 0, r = 0; r < IXG_DROP_MAX; r++)
			pd += c->port[p].drops[r];
		assert_int_equal(c->port[p].rx.packets,
				 c->port[p].fwd + c->port[p].local + pd);
	}
}

/* Fresh counters and a full token bucket (a second has passed). */
static int
setup(void **state)
{
	(void)state;
	memset(ctx.ctr, 0, sizeof(*ctx.ctr));
	memset(&out, 0, sizeof(out));
	tbl->node.icmp_time_exceeded = 1;
	tbl->node.icmp_rate = RATE;
	ctx.tsc_hz = rte_get_tsc_hz();
	ctx.now_tsc += 2 * ctx.tsc_hz;
	ctx.pool = dp_test_pool();
	return 0;
}

static void
free_out(void)
{
	unsigned p, i;

	for (p = 0; p < IXG_MAX_PORTS; p++) {
		for (i = 0; i < out.n[p]; i++)
			rte_pktmbuf_free(out.pkts[p][i]);
		out.n[p] = 0;
	}
}

/*
 * Run one frame (len bytes of buf, padded with zeros to `pad` if larger)
 * received on `port` through the pipeline; it must be dropped for `reason`.
 * Returns what the node sent back on `port` (the ICMP error) or NULL; the
 * caller frees it.
 */
static struct rte_mbuf *
run1(const uint8_t *buf, size_t len, size_t pad, uint16_t port,
     enum ixg_drop_reason reason)
{
	uint8_t padded[MAX_FRAME] = {0};
	struct rte_mbuf *g = NULL;
	struct burst b;
	unsigned p;

	memcpy(padded, buf, len);
	dp_burst_init(&b, port);
	b.pkts[b.n++] = dp_test_mbuf(padded, len > pad ? len : pad, port);
	memset(&out, 0, sizeof(out));
	pipeline_run(&ctx, &b, &out);
	assert_int_equal(b.meta[0].verdict, VERDICT_DROP);
	assert_string_equal(ixg_drop_name(b.meta[0].drop_reason),
			    ixg_drop_name(reason));
	for (p = 0; p < IXG_MAX_PORTS; p++)
		if (p != port)
			assert_int_equal(out.n[p], 0);
	assert_true(out.n[port] <= 1);
	if (out.n[port] == 1) {
		g = out.pkts[port][0];
		out.n[port] = 0;
		assert_int_equal(b.meta[0].gen, 1);
	} else {
		assert_int_equal(b.meta[0].gen, 0);
	}
	assert_invariant(ctx.ctr);
	return g;
}

static struct rte_mbuf *
run_f(const struct fspec *f, enum ixg_drop_reason reason)
{
	uint8_t buf[MAX_FRAME];
	size_t len = build(f, buf);

	return run1(buf, len, 0, 0, reason);
}

/* Expected L2 header of an error about `rx` (l2 bytes): back to the
 * sender, from our port MAC, the rest as received. */
static void
expect_l2(uint8_t *exp, const uint8_t *rx, size_t l2, const uint8_t *our)
{
	memcpy(exp, rx + 6, 6);
	memcpy(exp + 6, our, 6);
	memcpy(exp + 12, rx + 12, l2 - 12);
}

/*
 * Expected IPv4 ICMP error about the IPv4 packet at rx + l2: from `src`,
 * type/code/word, quoting `quote` bytes. Returns the frame length.
 */
static size_t
expect4(uint8_t *exp, const uint8_t *rx, size_t l2, const uint8_t *our,
	const char *src, uint8_t type, uint8_t code, uint32_t word,
	size_t quote)
{
	uint8_t *ip = exp + l2, *icmp = ip + 20;

	memset(exp, 0, MAX_FRAME);
	expect_l2(exp, rx, l2, our);
	ip[0] = 0x45;
	ip[1] = 0xc0;
	put16(ip + 2, (uint16_t)(20 + 8 + quote));
	put16(ip + 6, 0x4000); /* DF, ID 0 */
	ip[8] = 64;
	ip[9] = 1;
	inet_pton(AF_INET, src, ip + 12);
	memcpy(ip + 16, rx + l2 + 12, 4); /* to the original source */
	put16(ip + 10, ref_cksum(ip, 20, 0));
	icmp[0] = type;
	icmp[1] = code;
	put16(icmp + 4, (uint16_t)(word >> 16));
	put16(icmp + 6, (uint16_t)word);
	memcpy(icmp + 8, rx + l2, quote);
	put16(icmp + 2, ref_cksum(icmp, 8 + quote, 0));
	return l2 + 20 + 8 + quote;
}

static size_t
expect6(uint8_t *exp, const uint8_t *rx, size_t l2, const uint8_t *our,
	const char *src, uint8_t type, uint8_t code, uint32_t word,
	size_t quote)
{
	uint8_t *ip = exp + l2, *icmp = ip + 40;

	memset(exp, 0, MAX_FRAME);
	expect_l2(exp, rx, l2, our);
	ip[0] = 0x6c; /* version 6, traffic class 0xc0 (CS6) */
	put16(ip + 4, (uint16_t)(8 + quote));
	ip[6] = 58;
	ip[7] = 64;
	inet_pton(AF_INET6, src, ip + 8);
	memcpy(ip + 24, rx + l2 + 8, 16);
	icmp[0] = type;
	icmp[1] = code;
	put16(icmp + 4, (uint16_t)(word >> 16));
	put16(icmp + 6, (uint16_t)word);
	memcpy(icmp + 8, rx + l2, quote);
	put16(icmp + 2, ref_cksum6(ip, icmp, 8 + quote, 58));
	return l2 + 40 + 8 + quote;
}

static void
assert_frame(const struct rte_mbuf *g, const uint8_t *exp, size_t len)
{
	assert_non_null(g);
	assert_int_equal(g->pkt_len, len);
	assert_int_equal(g->data_len, len);
	assert_memory_equal(rte_pktmbuf_mtod(g, const uint8_t *), exp, len);
}

/* The checksums of an IPv4 ICMP error verify (RFC 1071: sum to zero). */
static void
assert_cksums4(const struct rte_mbuf *g, size_t l2)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(g, const uint8_t *, l2);

	assert_int_equal(ref_cksum(ip, 20, 0), 0);
	assert_int_equal(ref_cksum(ip + 20, get16(ip + 2) - 20u, 0), 0);
}

static void
assert_cksum6(const struct rte_mbuf *g, size_t l2)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(g, const uint8_t *, l2);

	assert_int_equal(ref_cksum6(ip, ip + 40, get16(ip + 4), 58), 0);
}

/* RFC 792: type 11 code 0, unused word 0, the IP header (options too) and
 * the first 8 bytes of the data; counted as generated, not received. */
static void
test_time_exceeded_ipv4(void **state)
{
	struct fspec f = {.family = 4,
			  .proto = 17,
			  .ttl = 1,
			  .ihl = 7,
			  .dst = "203.0.113.5",
			  .payload = 100};
	uint8_t buf[MAX_FRAME], exp[MAX_FRAME];
	struct ixg_lcore_counters *c = ctx.ctr;
	unsigned in_use = rte_mempool_in_use_count(dp_test_pool());
	struct rte_mbuf *g;
	size_t len, elen;

	(void)state;
	f.dscp = 46;
	len = build(&f, buf);
	g = run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED);
	elen = expect4(exp, buf, 14, port_mac, "192.0.2.1", 11, 0, 0, 28 + 8);
	assert_frame(g, exp, elen);
	assert_cksums4(g, 14);
	assert_int_equal(c->icmp_generated, 1);
	assert_int_equal(c->port[0].generated, 1);
	assert_int_equal(c->drops[IXG_DROP_TTL_EXPIRED], 1);
	assert_int_equal(c->rx_packets, 1);
	assert_int_equal(c->tx_packets, 0);
	assert_int_equal(c->local_packets, 0);
	assert_int_equal(c->port[0].tx.packets, 0);
	rte_pktmbuf_free(g);

	/* TTL 0 as received, too. */
	buf[14 + 8] = 0;
	put16(buf + 24, 0);
	put16(buf + 24, ref_cksum(buf + 14, 28, 0));
	g = run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED);
	elen = expect4(exp, buf, 14, port_mac, "192.0.2.1", 11, 0, 0, 28 + 8);
	assert_frame(g, exp, elen);
	rte_pktmbuf_free(g);

	/* A packet shorter than header + 8, padded by Ethernet: the quote
	 * stops at the IP total length, not at the frame's end. */
	{
		struct fspec s = {.family = 4,
				  .proto = 1,
				  .icmp_type = 8,
				  .ttl = 1,
				  .dst = "203.0.113.9"};

		len = build(&s, buf);
		assert_int_equal(len, 14 + 28);
		g = run1(buf, len, 60, 0, IXG_DROP_TTL_EXPIRED);
		elen = expect4(exp, buf, 14, port_mac, "192.0.2.1", 11, 0, 0,
			       28);
		assert_frame(g, exp, elen);
		assert_cksums4(g, 14);
		rte_pktmbuf_free(g);
	}
	assert_int_equal(rte_mempool_in_use_count(dp_test_pool()), in_use);
}

/* RFC 4443 3.3: type 3 code 0 (hop limit exceeded in transit), quoting as
 * much of the packet as keeps the error within 1280 bytes (2.4(c)). */
static void
test_time_exceeded_ipv6(void **state)
{
	uint8_t buf[MAX_FRAME], exp[MAX_FRAME];
	struct rte_mbuf *g;
	size_t len, elen;

	(void)state;
	{
		struct fspec f = {.family = 6,
				  .proto = 6,
				  .ttl = 1,
				  .dst = "2001:db8:2::5",
				  .payload = 30};

		len = build(&f, buf);
		g = run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED);
		elen = expect6(exp, buf, 14, port_mac, "2001:db8::1", 3, 0, 0,
			       len - 14);
		assert_frame(g, exp, elen);
		assert_cksum6(g, 14);
		rte_pktmbuf_free(g);
	}
	{
		/* 1400 bytes of IPv6: 1232 quoted, 1280 in all. */
		struct fspec f = {.family = 6,
				  .proto = 17,
				  .ttl = 1,
				  .dst = "2001:db8:2::5",
				  .payload = 1400 - 48};

		len = build(&f, buf);
		assert_int_equal(len - 14, 1400);
		g = run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED);
		elen = expect6(exp, buf, 14, port_mac, "2001:db8::1", 3, 0, 0,
			       1232);
		assert_int_equal(elen - 14, 1280);
		assert_frame(g, exp, elen);
		assert_cksum6(g, 14);
		rte_pktmbuf_free(g);
	}
	assert_int_equal(ctx.ctr->icmp_generated, 2);
}

/* The error goes back with the tag stack as received (TPIDs, PCP, VIDs),
 * from the node's address on that VLAN. */
static void
test_vlan_stack_and_source(void **state)
{
	uint8_t buf[MAX_FRAME], exp[MAX_FRAME];
	struct rte_mbuf *g;
	size_t len, elen;

	(void)state;
	{
		struct fspec f = {.family = 4,
				  .proto = 6,
				  .ttl = 1,
				  .smac = vlan_peer_mac,
				  .n_vlans = 1,
				  .vid = {0xa000 | 10},
				  .dst = "203.0.113.5"};

		len = build(&f, buf);
		g = run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED);
		elen = expect4(exp, buf, 18, port_mac, "192.0.2.129", 11, 0, 0,
			       28);
		assert_frame(g, exp, elen);
		assert_int_equal(get16(rte_pktmbuf_mtod(g, uint8_t *) + 14),
				 0xa000 | 10);
		assert_cksums4(g, 18);
		rte_pktmbuf_free(g);
	}
	{
		struct fspec f = {.family = 6,
				  .proto = 17,
				  .ttl = 1,
				  .smac = qinq_peer_mac,
				  .n_vlans = 2,
				  .tpid = {0x88a8, 0x8100},
				  .vid = {20, 10},
				  .dst = "2001:db8:2::5"};

		len = build(&f, buf);
		g = run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED);
		elen = expect6(exp, buf, 22, port_mac, "2001:db8:10::1", 3, 0,
			       0, len - 22);
		assert_frame(g, exp, elen);
		assert_cksum6(g, 22);
		rte_pktmbuf_free(g);
	}
}

/* RFC 1191 4: DF set and too big -> type 3 code 4, next-hop MTU in the low
 * 16 bits of the second word; without DF nothing (no fragmentation). */
static void
test_frag_needed_ipv4(void **state)
{
	struct fspec f = {.family = 4,
			  .proto = 17,
			  .frag = 0x4000,
			  .dst = "198.18.0.5",
			  .payload = 1400 - 28};
	uint8_t buf[MAX_FRAME], exp[MAX_FRAME];
	struct ixg_lcore_counters *c = ctx.ctr;
	struct rte_mbuf *g;
	size_t len, elen;

	(void)state;
	len = build(&f, buf);
	g = run1(buf, len, 0, 0, IXG_DROP_MTU_EXCEEDED);
	elen = expect4(exp, buf, 14, port_mac, "192.0.2.1", 3, 4, 1280, 28);
	assert_frame(g, exp, elen);
	assert_int_equal(get16(rte_pktmbuf_mtod(g, uint8_t *) + 14 + 26), 1280);
	assert_cksums4(g, 14);
	rte_pktmbuf_free(g);

	/* Not gated by icmp_time_exceeded: path MTU discovery needs it. */
	tbl->node.icmp_time_exceeded = 0;
	g = run1(buf, len, 0, 0, IXG_DROP_MTU_EXCEEDED);
	assert_non_null(g);
	rte_pktmbuf_free(g);

	f.frag = 0;
	len = build(&f, buf);
	assert_null(run1(buf, len, 0, 0, IXG_DROP_MTU_EXCEEDED));
	assert_int_equal(c->drops[IXG_DROP_MTU_EXCEEDED], 3);
	assert_int_equal(c->icmp_generated, 2);
}

/* RFC 4443 3.2: type 2 code 0, the MTU as a 32-bit word. */
static void
test_packet_too_big_ipv6(void **state)
{
	struct fspec f = {.family = 6,
			  .proto = 17,
			  .dst = "2001:db8:3::5",
			  .payload = 1300 - 48};
	uint8_t buf[MAX_FRAME], exp[MAX_FRAME];
	struct rte_mbuf *g;
	size_t len, elen;

	(void)state;
	len = build(&f, buf);
	g = run1(buf, len, 0, 0, IXG_DROP_MTU_EXCEEDED);
	elen = expect6(exp, buf, 14, port_mac, "2001:db8::1", 2, 0, 1280, 1232);
	assert_frame(g, exp, elen);
	assert_cksum6(g, 14);
	rte_pktmbuf_free(g);

	/* RFC 4443 2.4(e.3): Packet Too Big is the exception, sent even for
	 * a multicast destination (multicast path MTU discovery); Time
	 * Exceeded for the same destination is not. */
	f.dst = "ff0e::5";
	len = build(&f, buf);
	g = run1(buf, len, 0, 0, IXG_DROP_MTU_EXCEEDED);
	assert_non_null(g);
	rte_pktmbuf_free(g);
	f.payload = 10;
	f.ttl = 1;
	len = build(&f, buf);
	assert_null(run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED));

	/* icmp_time_exceeded off: TTL expiry is silent. */
	tbl->node.icmp_time_exceeded = 0;
	f.dst = "2001:db8:2::5";
	len = build(&f, buf);
	assert_null(run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED));
	assert_int_equal(ctx.ctr->icmp_generated, 2);
	assert_int_equal(ctx.ctr->drops[IXG_DROP_TTL_EXPIRED], 2);
}

/* RFC 1812 4.3.2.7, RFC 4443 2.4(e): never an error about an error. */
static void
test_no_error_about_errors(void **state)
{
	static const uint8_t err4[] = {3, 4, 5, 11, 12, 1, 2, 7, 40, 255};
	static const uint8_t info4[] = {0, 8, 13};
	static const uint8_t err6[] = {1, 2, 3, 4, 127, 137};
	static const uint8_t info6[] = {128, 129, 135};
	struct rte_mbuf *g;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(err4); i++) {
		struct fspec f = {.family = 4,
				  .proto = 1,
				  .ttl = 1,
				  .icmp_type = err4[i],
				  .dst = "203.0.113.5"};

		assert_null(run_f(&f, IXG_DROP_TTL_EXPIRED));
	}
	for (i = 0; i < sizeof(info4); i++) {
		struct fspec f = {.family = 4,
				  .proto = 1,
				  .ttl = 1,
				  .icmp_type = info4[i],
				  .dst = "203.0.113.5"};

		g = run_f(&f, IXG_DROP_TTL_EXPIRED);
		assert_non_null(g);
		rte_pktmbuf_free(g);
	}
	for (i = 0; i < sizeof(err6); i++) {
		struct fspec f = {.family = 6,
				  .proto = 58,
				  .ttl = 1,
				  .icmp_type = err6[i],
				  .dst = "2001:db8:2::5"};

		assert_null(run_f(&f, IXG_DROP_TTL_EXPIRED));
	}
	for (i = 0; i < sizeof(info6); i++) {
		struct fspec f = {.family = 6,
				  .proto = 58,
				  .ttl = 1,
				  .icmp_type = info6[i],
				  .dst = "2001:db8:2::5"};

		g = run_f(&f, IXG_DROP_TTL_EXPIRED);
		assert_non_null(g);
		rte_pktmbuf_free(g);
	}
	/* An ICMPv6 error behind an extension header is still one. */
	{
		struct fspec f = {.family = 6,
				  .proto = 58,
				  .ttl = 1,
				  .icmp_type = 1,
				  .n_ext = 1,
				  .ext = {60},
				  .dst = "2001:db8:2::5"};

		assert_null(run_f(&f, IXG_DROP_TTL_EXPIRED));
	}
	assert_int_equal(ctx.ctr->icmp_generated,
			 sizeof(info4) + sizeof(info6));
}

/* Only the first fragment earns an error (it carries the L4 header). */
static void
test_fragments(void **state)
{
	struct rte_mbuf *g;

	(void)state;
	{
		struct fspec f = {.family = 4,
				  .proto = 17,
				  .ttl = 1,
				  .frag = 0x2000,
				  .dst = "203.0.113.5",
				  .payload = 64}; /* MF, offset 0 */

		g = run_f(&f, IXG_DROP_TTL_EXPIRED);
		assert_non_null(g);
		rte_pktmbuf_free(g);
		f.frag = 0x2000 | 100; /* MF, offset 800 */
		assert_null(run_f(&f, IXG_DROP_TTL_EXPIRED));
		f.frag = 100; /* last fragment */
		assert_null(run_f(&f, IXG_DROP_TTL_EXPIRED));
		/* a later fragment too big with DF is still silent */
		f.frag = 0x4000 | 100;
		f.ttl = 64;
		f.dst = "198.18.0.5";
		f.payload = 1400;
		assert_null(run_f(&f, IXG_DROP_MTU_EXCEEDED));
	}
	{
		struct fspec f = {.family = 6,
				  .proto = 17,
				  .ttl = 1,
				  .n_ext = 1,
				  .ext = {44},
				  .ext_frag = 1,
				  .dst = "2001:db8:2::5",
				  .payload = 64};

		g = run_f(&f, IXG_DROP_TTL_EXPIRED);
		assert_non_null(g);
		rte_pktmbuf_free(g);
		f.ext_frag = (uint16_t)(100 << 3); /* offset 800, last */
		assert_null(run_f(&f, IXG_DROP_TTL_EXPIRED));
		f.ext_frag |= 1;
		f.ttl = 64;
		f.dst = "2001:db8:3::5";
		f.payload = 1400;
		assert_null(run_f(&f, IXG_DROP_MTU_EXCEEDED));
	}
	assert_int_equal(ctx.ctr->icmp_generated, 2);
}

/* Multicast / broadcast destinations, link-layer broadcast, and sources
 * that do not name one host (RFC 1812 4.3.2.7, RFC 4443 2.4(e)). */
static void
test_multicast_broadcast_and_sources(void **state)
{
	uint8_t buf[MAX_FRAME];
	struct burst b;
	size_t len;

	(void)state;
	{
		struct fspec f = {
			.family = 4, .proto = 17, .ttl = 1, .dst = "232.1.2.3"};

		assert_null(run_f(&f, IXG_DROP_TTL_EXPIRED));
		f.frag = 0x4000;
		f.payload = 1400;
		f.ttl = 64;
		assert_null(run_f(&f, IXG_DROP_MTU_EXCEEDED));
	}
	{
		/* A frame sent to the link-layer broadcast address is not
		 * routed at all (RFC 1812 5.3.4), so its TTL never expires
		 * here and no error is sent about it. */
		struct fspec f = {.family = 4,
				  .proto = 17,
				  .ttl = 1,
				  .dmac = bcast,
				  .dst = "203.0.113.5"};

		assert_null(run_f(&f, IXG_DROP_L2_MULTICAST));
		f.family = 6;
		f.dst = "2001:db8:2::5";
		assert_null(run_f(&f, IXG_DROP_L2_MULTICAST));
	}
	{
		/* Source: the directed broadcast of our subnet 192.0.2.0/24
		 * on the port (RFC 1812 4.3.2.7). */
		struct fspec f = {.family = 4,
				  .proto = 17,
				  .ttl = 1,
				  .src = "192.0.2.255",
				  .dst = "203.0.113.5"};

		assert_null(run_f(&f, IXG_DROP_TTL_EXPIRED));
		f.src = "192.0.2.254"; /* a host of that subnet: answered */
		{
			struct rte_mbuf *g = run_f(&f, IXG_DROP_TTL_EXPIRED);

			assert_non_null(g);
			rte_pktmbuf_free(g);
		}
	}
	/*
	 * Sources parse already refuses (martians) must not earn an error
	 * even if they got this far: hand stage_rewrite a parsed packet with
	 * its source replaced.
	 */
	{
		static const char *const bad[] = {"ff02::1", "::", "::1"};
		struct fspec f = {.family = 6,
				  .proto = 17,
				  .ttl = 1,
				  .dst = "2001:db8:2::5"};
		size_t i;

		len = build(&f, buf);
		for (i = 0; i < 3; i++) {
			dp_burst_init(&b, 0);
			b.pkts[b.n++] = dp_test_mbuf(buf, len, 0);
			stage_parse(&ctx, &b);
			assert_int_equal(b.meta[0].verdict, VERDICT_CONTINUE);
			b.meta[0].in_peer = 1;
			b.meta[0].out_peer = 2;
			inet_pton(AF_INET6, bad[i], b.meta[0].src);
			stage_rewrite(&ctx, &b);
			assert_int_equal(b.meta[0].verdict, VERDICT_DROP);
			assert_int_equal(b.meta[0].gen, 0);
			rte_pktmbuf_free(b.pkts[0]);
		}
	}
	{
		static const char *const bad[] = {
			"0.1.2.3", "127.0.0.1", "224.1.1.1", "255.255.255.255"};
		struct fspec f = {.family = 4,
				  .proto = 17,
				  .ttl = 1,
				  .dst = "203.0.113.5"};
		size_t i;

		len = build(&f, buf);
		for (i = 0; i < 4; i++) {
			dp_burst_init(&b, 0);
			b.pkts[b.n++] = dp_test_mbuf(buf, len, 0);
			stage_parse(&ctx, &b);
			b.meta[0].in_peer = 1;
			b.meta[0].out_peer = 2;
			inet_pton(AF_INET, bad[i], b.meta[0].src);
			stage_rewrite(&ctx, &b);
			assert_int_equal(b.meta[0].verdict, VERDICT_DROP);
			assert_int_equal(b.meta[0].gen, 0);
			rte_pktmbuf_free(b.pkts[0]);
		}
	}
	assert_int_equal(ctx.ctr->icmp_generated, 1);
}

/* A port (or VLAN) where the node has no address of the family: no error,
 * the drop is still counted. */
static void
test_no_local_address(void **state)
{
	uint8_t buf[MAX_FRAME];
	size_t len;

	(void)state;
	{
		struct fspec f = {.family = 4,
				  .proto = 17,
				  .ttl = 1,
				  .dmac = port3_mac,
				  .smac = lonely_mac,
				  .dst = "203.0.113.5"};

		len = build(&f, buf);
		assert_null(run1(buf, len, 0, 3, IXG_DROP_TTL_EXPIRED));
		f.family = 6;
		f.dst = "2001:db8:2::5";
		len = build(&f, buf);
		assert_null(run1(buf, len, 0, 3, IXG_DROP_TTL_EXPIRED));
	}
	{
		/* On VLAN 30 the node has only fe80::30, which cannot
		 * reach an off-link source (RFC 4291 2.5.6). */
		struct fspec f = {.family = 6,
				  .proto = 17,
				  .ttl = 1,
				  .smac = lonely_mac,
				  .n_vlans = 1,
				  .vid = {30},
				  .dst = "2001:db8:2::5"};

		len = build(&f, buf);
		assert_null(run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED));
	}
	assert_int_equal(ctx.ctr->drops[IXG_DROP_TTL_EXPIRED], 3);
	assert_int_equal(ctx.ctr->icmp_generated, 0);
}

/* RFC 1812 4.3.2.8, RFC 4443 2.4(f): a token bucket of icmp_rate per
 * second holding one second's worth, on the burst's clock. */
static void
test_rate_limit(void **state)
{
	struct fspec f = {
		.family = 4, .proto = 17, .ttl = 1, .dst = "203.0.113.5"};
	struct ixg_lcore_counters *c = ctx.ctr;
	uint8_t buf[MAX_FRAME];
	size_t len = build(&f, buf);
	unsigned i, sent;
	struct burst b;

	(void)state;
	tbl->node.icmp_rate = 5;
	ctx.tsc_hz = 1000; /* a 1 kHz clock: 1 tick = 1 ms */
	ctx.now_tsc = 1000000;
	ctx.icmp_last_tsc = 0;
	ctx.icmp_tokens = 0;

	/* A full bucket: 5 of a burst of 8. */
	dp_burst_init(&b, 0);
	for (i = 0; i < 8; i++)
		b.pkts[b.n++] = dp_test_mbuf(buf, len, 0);
	memset(&out, 0, sizeof(out));
	pipeline_run(&ctx, &b, &out);
	for (sent = 0, i = 0; i < 8; i++) {
		assert_int_equal(b.meta[i].drop_reason, IXG_DROP_TTL_EXPIRED);
		sent += b.meta[i].gen;
	}
	assert_int_equal(sent, 5);
	assert_int_equal(out.n[0], 5);
	assert_int_equal(c->icmp_generated, 5);
	assert_int_equal(c->drops[IXG_DROP_TTL_EXPIRED], 8);
	free_out();

	/* Same instant: empty. 199 ms later: not yet one token (200 ms). */
	assert_null(run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED));
	ctx.now_tsc += 199;
	assert_null(run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED));
	ctx.now_tsc += 1;
	rte_pktmbuf_free(run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED));
	assert_int_equal(c->icmp_generated, 6);
	assert_null(run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED));

	/* 400 ms: two tokens. */
	ctx.now_tsc += 400;
	for (sent = 0, i = 0; i < 4; i++) {
		struct rte_mbuf *g = run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED);

		sent += g != NULL;
		rte_pktmbuf_free(g);
	}
	assert_int_equal(sent, 2);

	/* An hour idle still holds only one second's worth. */
	ctx.now_tsc += 3600 * 1000;
	for (sent = 0, i = 0; i < 10; i++) {
		struct rte_mbuf *g = run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED);

		sent += g != NULL;
		rte_pktmbuf_free(g);
	}
	assert_int_equal(sent, 5);

	/* A clock that goes back refills nothing. */
	ctx.now_tsc -= 5000;
	assert_null(run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED));

	/* icmp_rate 0: none at all. */
	tbl->node.icmp_rate = 0;
	ctx.now_tsc += 100000;
	assert_null(run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED));
	assert_int_equal(c->icmp_generated, 6 + 2 + 5);
	assert_invariant(c);
}

/* No mbuf for the error: the drop is counted, nothing leaks. */
static void
test_pool_exhausted(void **state)
{
	struct fspec f = {
		.family = 4, .proto = 17, .ttl = 1, .dst = "203.0.113.5"};
	struct rte_mempool *tiny;
	struct rte_mbuf *hold;
	uint8_t buf[MAX_FRAME];
	size_t len = build(&f, buf);

	(void)state;
	tiny = rte_pktmbuf_pool_create(
		"icmp_tiny", 1, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	assert_non_null(tiny);
	hold = rte_pktmbuf_alloc(tiny);
	assert_non_null(hold);
	ctx.pool = tiny;
	assert_null(run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED));
	assert_int_equal(ctx.ctr->icmp_generated, 0);
	rte_pktmbuf_free(hold);
	hold = run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED);
	assert_non_null(hold);
	assert_ptr_equal(hold->pool, tiny);
	rte_pktmbuf_free(hold);
	/* No pool in the ctx (replay without one, tests): no errors. */
	ctx.pool = NULL;
	assert_null(run1(buf, len, 0, 0, IXG_DROP_TTL_EXPIRED));
	ctx.pool = dp_test_pool();
	rte_mempool_free(tiny);
}

/*
 * A mixed burst with errors generated among forwarded packets: received
 * packets keep rx == tx + local + drops, generated ones are counted apart
 * and leave by the ingress port; a refused one moves to generated_dropped.
 * Nothing leaks.
 */
static void
test_invariant_with_generated(void **state)
{
	static const struct fspec mix[] = {
		{.family = 4, .proto = 17, .dst = "203.0.113.5"},
		{.family = 4, .proto = 17, .ttl = 1, .dst = "203.0.113.5"},
		{.family = 6, .proto = 17, .dst = "2001:db8:2::5"},
		{.family = 6, .proto = 17, .ttl = 1, .dst = "2001:db8:2::5"},
		{.family = 4, .proto = 1, .icmp_type = 8, .dst = "192.0.2.1"},
		{.family = 4,
		 .proto = 17,
		 .frag = 0x4000,
		 .payload = 1400,
		 .dst = "198.18.0.5"},
		{.family = 4, .proto = 17, .dst = "100.64.0.1"},
		{.family = 4,
		 .proto = 1,
		 .icmp_type = 11,
		 .ttl = 1,
		 .dst = "203.0.113.5"},
	};
	const unsigned n = sizeof(mix) / sizeof(mix[0]);
	unsigned in_use = rte_mempool_in_use_count(dp_test_pool());
	struct ixg_lcore_counters *c = ctx.ctr;
	uint8_t buf[MAX_FRAME];
	struct out_tag tag;
	struct burst b;
	unsigned i, gen = 0;

	(void)state;
	dp_burst_init(&b, 0);
	for (i = 0; i < n; i++)
		b.pkts[b.n++] = dp_test_mbuf(buf, build(&mix[i], buf), 0);
	memset(&out, 0, sizeof(out));
	pipeline_run(&ctx, &b, &out);
	for (i = 0; i < n; i++)
		gen += b.meta[i].gen;
	assert_int_equal(gen, 3);
	assert_int_equal(c->rx_packets, n);
	assert_int_equal(c->tx_packets, 2);
	assert_int_equal(c->local_packets, 1);
	assert_int_equal(c->icmp_generated, 3);
	assert_int_equal(c->port[0].generated, 3);
	assert_int_equal(c->port[0].rx.packets, n);
	assert_int_equal(out.n[1], 2);
	assert_int_equal(out.n[0], 1 + 3); /* echo reply + 3 errors */
	assert_invariant(c);
	/* everything dropped is back in the pool; what is out is ours */
	assert_int_equal(rte_mempool_in_use_count(dp_test_pool()),
			 in_use + 2 + 1 + 3);

	/* Port 0 gets them in burst order: error, error, echo reply,
	 * error. The TX queue refuses the last error, then the reply. */
	for (i = 0; i < 4; i++) {
		out_tag_get(out.pkts[0][i], &tag);
		assert_int_equal(tag.kind,
				 i == 2 ? OUT_TAG_LOCAL : OUT_TAG_GENERATED);
		assert_int_equal(tag.in_port, 0);
	}
	pipeline_tx_failed(&ctx, out.pkts[0][3]);
	assert_int_equal(c->icmp_generated, 2);
	assert_int_equal(c->port[0].generated, 2);
	assert_int_equal(c->generated_dropped, 1);
	assert_int_equal(c->drops[IXG_DROP_TX_FULL], 0);
	assert_int_equal(c->rx_packets, n);
	assert_invariant(c);
	pipeline_tx_failed(&ctx, out.pkts[0][2]);
	assert_int_equal(c->drops[IXG_DROP_TX_FULL], 1);
	assert_int_equal(c->local_packets, 0);
	assert_int_equal(c->icmp_generated, 2);
	assert_invariant(c);
	out.n[0] = 2;
	free_out();
	assert_int_equal(rte_mempool_in_use_count(dp_test_pool()), in_use);
}

/* A whole burst of expiring packets: 32 errors fit the port's slots. */
static void
test_full_burst_of_errors(void **state)
{
	struct fspec f = {
		.family = 6, .proto = 17, .ttl = 1, .dst = "2001:db8:2::5"};
	uint8_t buf[MAX_FRAME];
	size_t len = build(&f, buf);
	struct burst b;
	unsigned i;

	(void)state;
	tbl->node.icmp_rate = 1000;
	ctx.now_tsc += 2 * ctx.tsc_hz;
	dp_burst_init(&b, 0);
	for (i = 0; i < PIPELINE_BURST; i++)
		b.pkts[b.n++] = dp_test_mbuf(buf, len, 0);
	memset(&out, 0, sizeof(out));
	pipeline_run(&ctx, &b, &out);
	assert_int_equal(out.n[0], PIPELINE_BURST);
	for (i = 0; i < PIPELINE_BURST; i++)
		assert_ptr_equal(out.pkts[0][i], b.gen[i]);
	assert_int_equal(ctx.ctr->icmp_generated, PIPELINE_BURST);
	assert_invariant(ctx.ctr);
	free_out();
}

int
main(void)
{
	int rc;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_time_exceeded_ipv4, setup),
		cmocka_unit_test_setup(test_time_exceeded_ipv6, setup),
		cmocka_unit_test_setup(test_vlan_stack_and_source, setup),
		cmocka_unit_test_setup(test_frag_needed_ipv4, setup),
		cmocka_unit_test_setup(test_packet_too_big_ipv6, setup),
		cmocka_unit_test_setup(test_no_error_about_errors, setup),
		cmocka_unit_test_setup(test_fragments, setup),
		cmocka_unit_test_setup(test_multicast_broadcast_and_sources,
				       setup),
		cmocka_unit_test_setup(test_no_local_address, setup),
		cmocka_unit_test_setup(test_rate_limit, setup),
		cmocka_unit_test_setup(test_pool_exhausted, setup),
		cmocka_unit_test_setup(test_invariant_with_generated, setup),
		cmocka_unit_test_setup(test_full_burst_of_errors, setup),
	};
	struct ixg_spec_local_addr *la;
	struct ixg_spec_peer *pe;
	struct ixg_spec *s;

	dp_test_eal_init("test_icmp", 0);
	s = dp_spec_new();
	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_port(s, 1, "02:00:00:00:00:02");
	dp_spec_port(s, 2, "02:00:00:00:00:03")->mtu = 1280;
	dp_spec_port(s, 3, "02:00:00:00:00:04");
	/* senders on port 0: untagged, VLAN 10, QinQ 20/10, VLAN 30 */
	dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_OFF);
	dp_spec_peer(s, 4, 0, 10, "02:00:00:00:01:04", IXG_SAV_OFF);
	pe = dp_spec_peer(s, 6, 0, 10, "02:00:00:00:01:06", IXG_SAV_OFF);
	pe->outer_vlan = 20;
	dp_spec_peer(s, 7, 0, 30, "02:00:00:00:01:05", IXG_SAV_OFF);
	/* a sender on port 3, where the node has no address */
	dp_spec_peer(s, 5, 3, 0, "02:00:00:00:01:05", IXG_SAV_OFF);
	/* receivers: port 1 (MTU 1500, VLAN 100) and port 2 (MTU 1280) */
	dp_spec_peer(s, 2, 1, 100, "02:00:00:00:02:01", IXG_SAV_OFF);
	dp_spec_peer(s, 3, 2, 0, "02:00:00:00:03:01", IXG_SAV_OFF);
	dp_spec_route4(s, "203.0.113.0", 24, 2);
	dp_spec_route4(s, "232.0.0.0", 8, 3);
	dp_spec_route4(s, "198.18.0.0", 24, 3);
	dp_spec_route6(s, "2001:db8:2::", 48, 2);
	dp_spec_route6(s, "2001:db8:3::", 48, 3);
	dp_spec_route6(s, "ff0e::", 16, 3);
	dp_spec_local(s, 0, "192.0.2.1", 24);
	dp_spec_local(s, 0, "2001:db8::1", 64);
	la = dp_spec_local(s, 0, "192.0.2.129", 25);
	la->vlan = 10;
	la = dp_spec_local(s, 0, "fe80::10", 64);
	la->vlan = 10;
	la = dp_spec_local(s, 0, "2001:db8:10::1", 64);
	la->vlan = 10;
	la = dp_spec_local(s, 0, "fe80::30", 64);
	la->vlan = 30;
	s->node.icmp_time_exceeded = 1;
	s->node.icmp_rate = RATE;
	tbl = dp_tables_build(s);
	dp_spec_free(s);
	dp_ctx_init(&ctx, tbl);
	ctx.ctr = rte_zmalloc("ctr", sizeof(*ctx.ctr), 64);
	if (ctx.ctr == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	/* The harness's globals, so that LeakSanitizer sees none. */
	tables_free(tbl);
	rte_free(ctx.ctr);
	return rc;
}
