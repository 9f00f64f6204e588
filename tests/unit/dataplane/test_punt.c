/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_punt.c - the fast-path half of the exception path (punt_rules.c,
 * stage_local, stage_output): what reaches the node's Linux side with the
 * exception path on (allow-list, either port, ND advertisements and ARP
 * replies to our addresses), what the fast path keeps answering, the
 * per-port token bucket, the counts (punted, punt_denied, punt_rate,
 * punt_queue_full) and the invariant rx == tx + local + punted + drops,
 * the spec checks; and that nothing changes with the exception path off.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
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
#include "punt.h"
#include "tables_impl.h"

static struct tables *tbl_off, *tbl_on, *tbl_ssh;
static struct pipeline_ctx ctx;
static struct ixg_lcore_counters *ctr;
/* TSC ticks run_on lets pass before each frame: a second (a full bucket)
 * unless a test counts tokens. */
static uint64_t step;

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t peer4_mac[6] = {0x02, 0, 0, 0, 0x02, 0x01};
static const uint8_t port1_mac[6] = {0x02, 0, 0, 0, 0, 0x02};

/* TCP or UDP ports of a frame frame_util built (untagged IPv4 or IPv6,
 * no options): transport checksums are not checked by the stages. */
static void
set_ports(uint8_t *buf, int family, uint16_t sport, uint16_t dport)
{
	uint8_t *l4 = buf + 14 + (family == 4 ? 20 : 40);

	put16(l4, sport);
	put16(l4 + 2, dport);
}

/* A Neighbor Advertisement from the member (2001:db8::2) to the node for
 * `target`, its ICMPv6 checksum right. Its length. */
static size_t
build_na(uint8_t *buf, const char *target)
{
	struct fspec f = {.family = 6,
			  .proto = IPPROTO_ICMPV6,
			  .icmp_type = 136,
			  .ttl = 255,
			  .payload = 16,
			  .src = "2001:db8::2",
			  .dst = "2001:db8::1"};
	size_t len = build(&f, buf);
	uint8_t *ip = buf + 14, *icmp = ip + 40;

	memset(icmp + 4, 0, 4); /* flags, reserved */
	assert_int_equal(inet_pton(AF_INET6, target, icmp + 8), 1);
	put16(icmp + 2, 0);
	put16(icmp + 2, ref_cksum6(ip, icmp, 24, 58));
	return len;
}

/* parse .. local over `t` on `port`; the verdict and reason of packet 0,
 * its mbuf freed. */
static struct pkt_meta
run_on(const struct tables *t, uint16_t port, const uint8_t *buf, size_t len)
{
	struct burst b;
	struct pkt_meta pm;

	ctx.t = t;
	ctx.now_tsc += step;
	dp_burst_init(&b, port);
	b.pkts[0] = dp_test_mbuf(buf, len, port);
	b.n = 1;
	stage_parse(&ctx, &b);
	stage_peer(&ctx, &b);
	stage_lookup(&ctx, &b);
	stage_local(&ctx, &b);
	pm = b.meta[0];
	rte_pktmbuf_free(b.pkts[0]);
	return pm;
}

static struct pkt_meta
run_tcp(const struct tables *t, int family, const char *dst, uint16_t sport,
	uint16_t dport)
{
	struct fspec f = {.family = family,
			  .proto = IPPROTO_TCP,
			  .src = family == 4 ? "192.0.2.2" : "2001:db8::2",
			  .dst = dst};
	uint8_t buf[MAX_FRAME];
	size_t len = build(&f, buf);

	set_ports(buf, family, sport, dport);
	return run_on(t, 0, buf, len);
}

#define assert_reason(pm, reason)                                              \
	do {                                                                   \
		assert_int_equal((pm).verdict, VERDICT_DROP);                  \
		assert_string_equal(ixg_drop_name((pm).drop_reason),           \
				    ixg_drop_name(reason));                    \
	} while (0)

static int
reset(void **state)
{
	(void)state;
	dp_ctx_init(&ctx, tbl_on);
	memset(ctr, 0, sizeof(*ctr));
	ctx.ctr = ctr;
	ctx.now_tsc = 1000 * ctx.tsc_hz;
	step = ctx.tsc_hz;
	return 0;
}

/* Off (the default): everything the fast path does not answer is dropped
 * local_unhandled, as before the exception path existed. */
static void
test_off_unchanged(void **state)
{
	struct pkt_meta pm;

	(void)state;
	pm = run_tcp(tbl_off, 4, "192.0.2.1", 40000, 179);
	assert_reason(pm, IXG_DROP_LOCAL_UNHANDLED);
	pm = run_tcp(tbl_off, 4, "192.0.2.1", 40000, 22);
	assert_reason(pm, IXG_DROP_LOCAL_UNHANDLED);
	pm = run_tcp(tbl_off, 6, "2001:db8::1", 179, 40000);
	assert_reason(pm, IXG_DROP_LOCAL_UNHANDLED);
}

/* The default list: BGP either way, BFD, ICMP / ICMPv6 other than echo. */
static void
test_default_allow_list(void **state)
{
	struct fspec bfd = {.family = 4,
			    .proto = IPPROTO_UDP,
			    .src = "192.0.2.2",
			    .dst = "192.0.2.1"};
	struct fspec unreach = {.family = 4,
				.proto = IPPROTO_ICMP,
				.icmp_type = 3,
				.src = "192.0.2.2",
				.dst = "192.0.2.1"};
	struct fspec unreach6 = {.family = 6,
				 .proto = IPPROTO_ICMPV6,
				 .icmp_type = 1,
				 .src = "2001:db8::2",
				 .dst = "2001:db8::1"};
	uint8_t buf[MAX_FRAME];
	size_t len;
	struct pkt_meta pm;

	(void)state;
	pm = run_tcp(tbl_on, 4, "192.0.2.1", 40000, 179);
	assert_int_equal(pm.verdict, VERDICT_PUNT);
	/* The node connected out: the member answers from port 179. */
	pm = run_tcp(tbl_on, 4, "192.0.2.1", 179, 40000);
	assert_int_equal(pm.verdict, VERDICT_PUNT);
	pm = run_tcp(tbl_on, 6, "2001:db8::1", 40000, 179);
	assert_int_equal(pm.verdict, VERDICT_PUNT);
	len = build(&bfd, buf);
	set_ports(buf, 4, 49152, 3784);
	pm = run_on(tbl_on, 0, buf, len);
	assert_int_equal(pm.verdict, VERDICT_PUNT);
	set_ports(buf, 4, 49152, 4784);
	pm = run_on(tbl_on, 0, buf, len);
	assert_int_equal(pm.verdict, VERDICT_PUNT);
	set_ports(buf, 4, 49152, 4785);
	pm = run_on(tbl_on, 0, buf, len);
	assert_reason(pm, IXG_DROP_PUNT_DENIED);
	pm = run_on(tbl_on, 0, buf, build(&unreach, buf));
	assert_int_equal(pm.verdict, VERDICT_PUNT);
	pm = run_on(tbl_on, 0, buf, build(&unreach6, buf));
	assert_int_equal(pm.verdict, VERDICT_PUNT);
}

/* What no rule allows is dropped with its own reason. */
static void
test_disallowed_denied(void **state)
{
	struct pkt_meta pm;

	(void)state;
	pm = run_tcp(tbl_on, 4, "192.0.2.1", 40000, 22);
	assert_reason(pm, IXG_DROP_PUNT_DENIED);
	pm = run_tcp(tbl_on, 6, "2001:db8::1", 40000, 80);
	assert_reason(pm, IXG_DROP_PUNT_DENIED);
	/* An operator's list replaces the defaults: ssh, no BGP. */
	pm = run_tcp(tbl_ssh, 4, "192.0.2.1", 40000, 22);
	assert_int_equal(pm.verdict, VERDICT_PUNT);
	pm = run_tcp(tbl_ssh, 4, "192.0.2.1", 40000, 179);
	assert_reason(pm, IXG_DROP_PUNT_DENIED);
}

/* ARP, ND and echo stay in the fast path; ARP replies to our addresses
 * (Linux's own resolution) and NAs to us go to Linux whatever the list. */
static void
test_fast_path_keeps_arp_nd_echo(void **state)
{
	struct fspec req = {.family = 0,
			    .dmac = bcast,
			    .src = "192.0.2.2",
			    .dst = "192.0.2.1"};
	struct fspec rep = {.family = 0,
			    .arp_op = 2,
			    .src = "192.0.2.2",
			    .dst = "192.0.2.1"};
	struct fspec rep_other = {.family = 0,
				  .arp_op = 2,
				  .src = "192.0.2.2",
				  .dst = "192.0.2.77"};
	struct fspec echo = {.family = 4,
			     .proto = IPPROTO_ICMP,
			     .icmp_type = 8,
			     .src = "192.0.2.2",
			     .dst = "192.0.2.1"};
	uint8_t buf[MAX_FRAME];
	struct pkt_meta pm;
	size_t na_len;

	(void)state;
	pm = run_on(tbl_on, 0, buf, build(&req, buf));
	assert_int_equal(pm.verdict, VERDICT_LOCAL);
	pm = run_on(tbl_on, 0, buf, build(&echo, buf));
	assert_int_equal(pm.verdict, VERDICT_LOCAL);
	pm = run_on(tbl_on, 0, buf, build(&rep, buf));
	assert_int_equal(pm.verdict, VERDICT_PUNT);
	pm = run_on(tbl_ssh, 0, buf, build(&rep, buf));
	assert_int_equal(pm.verdict, VERDICT_PUNT);
	pm = run_on(tbl_off, 0, buf, build(&rep, buf));
	assert_reason(pm, IXG_DROP_ARP_INVALID);
	pm = run_on(tbl_on, 0, buf, build(&rep_other, buf));
	assert_reason(pm, IXG_DROP_ARP_INVALID);
	na_len = build_na(buf, "2001:db8::2");
	pm = run_on(tbl_ssh, 0, buf, na_len);
	assert_int_equal(pm.verdict, VERDICT_PUNT);
}

/* A member may claim only its own next hop in what reaches Linux's
 * neighbour cache: ARP replies and NAs for other addresses are refused
 * arp_nd_spoofed (exception path on; off, nothing changes). */
static void
test_spoofed_claims_refused(void **state)
{
	struct fspec rep = {.family = 0,
			    .arp_op = 2,
			    .src = "192.0.2.9",
			    .dst = "192.0.2.1"};
	uint8_t buf[MAX_FRAME];
	struct pkt_meta pm;
	size_t len;

	(void)state;
	len = build(&rep, buf);
	pm = run_on(tbl_on, 0, buf, len);
	assert_reason(pm, IXG_DROP_NEIGH_SPOOFED);
	pm = run_on(tbl_off, 0, buf, len);
	assert_reason(pm, IXG_DROP_ARP_INVALID);
	len = build_na(buf, "2001:db8::9");
	pm = run_on(tbl_on, 0, buf, len);
	assert_reason(pm, IXG_DROP_NEIGH_SPOOFED);
	pm = run_on(tbl_off, 0, buf, len);
	assert_reason(pm, IXG_DROP_LOCAL_UNHANDLED);
	len = build_na(buf, "2001:db8::2");
	pm = run_on(tbl_on, 0, buf, len);
	assert_int_equal(pm.verdict, VERDICT_PUNT);
}

/* The node's link-local on port 0 (MAC 02:00:00:00:00:01, modified
 * EUI-64: RFC 4291 appendix A) and member 1's (02:00:00:00:01:01). */
#define NODE_LL "fe80::ff:fe00:1"
#define PEER_LL "fe80::ff:fe00:101"

/* A frame from member 1 to `dst` with source `src`: TCP to port 179, or
 * (ns_target != NULL) a Neighbor Solicitation for ns_target to its
 * solicited-node address, with the member's link-layer address. */
static size_t
build_ll(uint8_t *buf, const char *src, const char *dst, const char *ns_target)
{
	static const uint8_t sn_mcast[6] = {0x33, 0x33, 0xff, 0, 0, 0x01};
	static const uint8_t peer1_mac[6] = {0x02, 0, 0, 0, 0x01, 0x01};
	struct fspec f = {
		.family = 6, .proto = IPPROTO_TCP, .src = src, .dst = dst};
	uint8_t *ip = buf + 14, *icmp = ip + 40;
	size_t len;

	if (ns_target == NULL) {
		len = build(&f, buf);
		set_ports(buf, 6, 40000, 179);
		return len;
	}
	f.proto = IPPROTO_ICMPV6;
	f.icmp_type = 135;
	f.ttl = 255;
	f.payload = 24;
	f.dmac = sn_mcast;
	len = build(&f, buf);
	memset(icmp + 4, 0, 4);
	assert_int_equal(inet_pton(AF_INET6, ns_target, icmp + 8), 1);
	icmp[24] = 1; /* source link-layer address */
	icmp[25] = 1;
	memcpy(icmp + 26, peer1_mac, 6);
	put16(icmp + 2, 0);
	put16(icmp + 2, ref_cksum6(ip, icmp, 32, 58));
	return len;
}

/*
 * With the exception path on, the node has a link-local address on each
 * link where it has IPv6 addresses, derived from the port's MAC like
 * Linux's: its NSs are answered in the fast path and BGP to it is
 * punted; off, it does not exist. A link-local destination that is not
 * the node's on the ingress link is dropped link_local (fe80::/10 is never
 * routed, RFC 4291 2.5.6), default route or not, exception path or not.
 */
static void
test_link_local(void **state)
{
	uint8_t buf[MAX_FRAME], ll[16];
	const struct tbl_local_addr *a;
	struct pkt_meta pm;
	size_t len;

	(void)state;
	assert_int_equal(tbl_off->n_local_addrs, 2);
	assert_int_equal(tbl_on->n_local_addrs, 3);
	assert_int_equal(tbl_on->n_spec_local_addrs, 2);
	a = &tbl_on->local_addrs[2];
	assert_int_equal(inet_pton(AF_INET6, NODE_LL, ll), 1);
	assert_memory_equal(a->addr, ll, 16);
	assert_int_equal(a->family, 6);
	assert_int_equal(a->len, 64);
	assert_int_equal(a->port_id, 0);
	assert_int_equal(a->vlan, 0);

	/* NS for it, from the member's global or link-local address */
	len = build_ll(buf, "2001:db8::2", "ff02::1:ff00:1", NODE_LL);
	pm = run_on(tbl_on, 0, buf, len);
	assert_int_equal(pm.verdict, VERDICT_LOCAL);
	len = build_ll(buf, PEER_LL, "ff02::1:ff00:1", NODE_LL);
	pm = run_on(tbl_on, 0, buf, len);
	assert_int_equal(pm.verdict, VERDICT_LOCAL);
	pm = run_on(tbl_off, 0, buf, len);
	assert_reason(pm, IXG_DROP_LOCAL_UNHANDLED);

	/* BGP to it: punted; off, it is no address of the node's */
	len = build_ll(buf, PEER_LL, NODE_LL, NULL);
	pm = run_on(tbl_on, 0, buf, len);
	assert_int_equal(pm.verdict, VERDICT_PUNT);
	pm = run_on(tbl_off, 0, buf, len);
	assert_reason(pm, IXG_DROP_LINK_LOCAL);

	/* Someone else's link-local: never routed, under ::/0 to member 4 */
	len = build_ll(buf, "2001:db8::2", "fe80::99", NULL);
	pm = run_on(tbl_on, 0, buf, len);
	assert_reason(pm, IXG_DROP_LINK_LOCAL);
	pm = run_on(tbl_off, 0, buf, len);
	assert_reason(pm, IXG_DROP_LINK_LOCAL);
	len = build_ll(buf, "2001:db8::2", "febf:ffff::1", NULL);
	pm = run_on(tbl_on, 0, buf, len);
	assert_reason(pm, IXG_DROP_LINK_LOCAL);
	len = build_ll(buf, "2001:db8::2", "fec0::1", NULL);
	pm = run_on(tbl_on, 0, buf, len);
	assert_int_equal(pm.verdict, VERDICT_CONTINUE);
	assert_int_equal(pm.route_nh, 4);

	/* The node's link-local of port 0, from member 4 on port 1 */
	{
		struct fspec f = {.family = 6,
				  .proto = IPPROTO_TCP,
				  .dmac = port1_mac,
				  .smac = peer4_mac,
				  .src = "2001:db8:4::2",
				  .dst = NODE_LL};

		len = build(&f, buf);
		set_ports(buf, 6, 40000, 179);
		pm = run_on(tbl_on, 1, buf, len);
		assert_reason(pm, IXG_DROP_LINK_LOCAL);
	}

	/* An NA for the member's own link-local reaches Linux; one for the
	 * node's link-local is refused */
	len = build_na(buf, PEER_LL);
	pm = run_on(tbl_on, 0, buf, len);
	assert_int_equal(pm.verdict, VERDICT_PUNT);
	len = build_na(buf, NODE_LL);
	pm = run_on(tbl_on, 0, buf, len);
	assert_reason(pm, IXG_DROP_NEIGH_SPOOFED);
}

static void spec_base(struct ixg_spec *s);
static void punt_on(struct ixg_spec *s);

/* Configured link-local addresses are the node's; none is derived where
 * the config has one. */
static void
test_link_local_configured(void **state)
{
	struct ixg_spec *s = dp_spec_new();
	struct tables *t;
	struct ixg_spec_local_addr *la;
	uint8_t buf[MAX_FRAME];
	struct pkt_meta pm;

	(void)state;
	spec_base(s);
	punt_on(s);
	dp_spec_local(s, 0, "fe80::1", 64);
	la = dp_spec_local(s, 0, "2001:db8:20::1", 64);
	la->vlan = 20;
	t = dp_tables_build(s);
	assert_non_null(t);
	/* port 0 untagged has fe80::1; VLAN 20 gets the derived one */
	assert_int_equal(t->n_local_addrs, 5);
	assert_int_equal(t->local_addrs[4].vlan, 20);
	pm = run_on(t, 0, buf, build_ll(buf, PEER_LL, "fe80::1", NULL));
	assert_int_equal(pm.verdict, VERDICT_PUNT);
	pm = run_on(t, 0, buf, build_ll(buf, PEER_LL, NODE_LL, NULL));
	assert_reason(pm, IXG_DROP_LINK_LOCAL);
	tables_free(t);
	dp_spec_free(s);
}

/* arp-nd-rate 2: two answers at once, the third refused, one more a
 * second later; no rate (the default): every request answered. */
static void
test_arp_answer_rate(void **state)
{
	struct fspec req = {.family = 0,
			    .dmac = bcast,
			    .src = "192.0.2.2",
			    .dst = "192.0.2.1"};
	uint8_t buf[MAX_FRAME];
	size_t len = build(&req, buf);
	unsigned i, answered = 0;
	struct pkt_meta pm;

	(void)state;
	step = 0;
	for (i = 0; i < 3; i++)
		answered += run_on(tbl_ssh, 0, buf, len).verdict ==
			    VERDICT_LOCAL;
	assert_int_equal(answered, 2);
	pm = run_on(tbl_ssh, 0, buf, len);
	assert_reason(pm, IXG_DROP_NEIGH_ANSWER_RATE);
	ctx.now_tsc += ctx.tsc_hz;
	pm = run_on(tbl_ssh, 0, buf, len);
	assert_int_equal(pm.verdict, VERDICT_LOCAL);
	for (i = 0; i < 10; i++)
		assert_int_equal(run_on(tbl_on, 0, buf, len).verdict,
				 VERDICT_LOCAL);
}

/* Only where the node has an address on the ingress (port, VLAN) is there
 * a Linux interface to punt to; QinQ frames never are. */
static void
test_only_links_with_addresses(void **state)
{
	struct fspec f = {.family = 4,
			  .proto = IPPROTO_TCP,
			  .dmac = port1_mac,
			  .smac = peer4_mac,
			  .src = "192.0.2.2",
			  .dst = "192.0.2.1"};
	uint8_t buf[MAX_FRAME];
	size_t len = build(&f, buf);
	struct pkt_meta pm;

	(void)state;
	set_ports(buf, 4, 40000, 179);
	pm = run_on(tbl_on, 1, buf, len);
	assert_reason(pm, IXG_DROP_LOCAL_UNHANDLED);
}

/* punt-rate 10/s, burst 3, one worker: 3 at once, then one per 100 ms. */
static void
test_rate_limit(void **state)
{
	struct pkt_meta pm;
	unsigned i, punted = 0, limited = 0;

	(void)state;
	step = 0;
	for (i = 0; i < 5; i++) {
		pm = run_tcp(tbl_on, 4, "192.0.2.1", 40000, 179);
		if (pm.verdict == VERDICT_PUNT)
			punted++;
		else if (pm.drop_reason == IXG_DROP_PUNT_RATE)
			limited++;
	}
	assert_int_equal(punted, 3);
	assert_int_equal(limited, 2);
	ctx.now_tsc += ctx.tsc_hz / 10;
	pm = run_tcp(tbl_on, 4, "192.0.2.1", 40000, 179);
	assert_int_equal(pm.verdict, VERDICT_PUNT);
	pm = run_tcp(tbl_on, 4, "192.0.2.1", 40000, 179);
	assert_reason(pm, IXG_DROP_PUNT_RATE);
	/* An idle second refills the burst, never more. */
	ctx.now_tsc += 10 * ctx.tsc_hz;
	for (i = 0, punted = 0; i < 5; i++)
		punted += run_tcp(tbl_on, 4, "192.0.2.1", 40000, 179).verdict ==
			  VERDICT_PUNT;
	assert_int_equal(punted, 3);
}

static void
sum_drops(const struct ixg_lcore_counters *c, uint64_t *node, uint64_t *port0)
{
	*node = *port0 = 0;
	for (unsigned r = 0; r < IXG_DROP_MAX; r++) {
		*node += c->drops[r];
		*port0 += c->port[0].drops[r];
	}
}

/* The whole pipeline: punted frames are counted, handed out in out->punt
 * with what the punt thread needs, and the invariant holds; a frame the
 * ring refuses moves to punt_queue_full. */
static void
test_output_counts_and_invariant(void **state)
{
	static struct burst b;
	static struct burst_out out;
	const uint16_t dports[] = {179, 22, 179, 179, 179};
	uint8_t buf[MAX_FRAME];
	uint64_t d, pd;
	unsigned i;

	(void)state;
	ctx.t = tbl_on;
	dp_burst_init(&b, 0);
	for (i = 0; i < 5; i++) {
		struct fspec f = {.family = 4,
				  .proto = IPPROTO_TCP,
				  .src = "192.0.2.2",
				  .dst = "192.0.2.1"};
		size_t len = build(&f, buf);

		set_ports(buf, 4, 40000, dports[i]);
		b.pkts[i] = dp_test_mbuf(buf, len, 0);
	}
	b.n = 5;
	memset(out.n, 0, sizeof(out.n));
	pipeline_run(&ctx, &b, &out);
	/* 179 x4: three within the burst, one over; 22 denied. */
	assert_int_equal(out.n_punt, 3);
	assert_int_equal(ctr->punted, 3);
	assert_int_equal(ctr->port[0].punted, 3);
	assert_int_equal(ctr->drops[IXG_DROP_PUNT_DENIED], 1);
	assert_int_equal(ctr->drops[IXG_DROP_PUNT_RATE], 1);
	assert_int_equal(ctr->peer[1].drops, 2);
	for (i = 0; i < out.n_punt; i++) {
		assert_int_equal(out.punt[i]->port, 0);
		assert_int_equal(out.punt[i]->vlan_tci, 0);
		assert_int_equal(out.punt[i]->l2_len, 14);
	}
	sum_drops(ctr, &d, &pd);
	assert_int_equal(ctr->rx_packets, ctr->tx_packets + ctr->local_packets +
						  ctr->punted + d);
	assert_int_equal(ctr->port[0].rx.packets,
			 ctr->port[0].fwd + ctr->port[0].local +
				 ctr->port[0].punted + pd);

	/* The worker's ring took two; the third is refused. */
	rte_pktmbuf_free(out.punt[0]);
	rte_pktmbuf_free(out.punt[1]);
	pipeline_punt_failed(&ctx, out.punt[2]);
	assert_int_equal(ctr->punted, 2);
	assert_int_equal(ctr->port[0].punted, 2);
	assert_int_equal(ctr->drops[IXG_DROP_PUNT_QUEUE_FULL], 1);
	assert_int_equal(ctr->port[0].drops[IXG_DROP_PUNT_QUEUE_FULL], 1);
	assert_int_equal(ctr->peer[1].drops, 3);
	sum_drops(ctr, &d, &pd);
	assert_int_equal(ctr->rx_packets, ctr->tx_packets + ctr->local_packets +
						  ctr->punted + d);
	assert_int_equal(ctr->port[0].rx.packets,
			 ctr->port[0].fwd + ctr->port[0].local +
				 ctr->port[0].punted + pd);
}

/* A committed spec's exception-path fields are checked. */
static void
test_validate(void **state)
{
	struct ixg_spec *s = dp_spec_new();
	struct tables_validate_env env;
	struct tables_refusal r;

	(void)state;
	memset(&env, 0, sizeof(env));
	dp_spec_port(s, 0, "02:00:00:00:00:01");
	s->node.punt = 1;
	s->node.punt_rate = 10;
	s->node.punt_burst = 3;
	assert_int_equal(tables_validate(s, &env, &r), 0);
	s->node.punt = 2;
	assert_int_equal(tables_validate(s, &env, &r), -1);
	assert_non_null(strstr(r.msg, "punt 2"));
	s->node.punt = 1;
	s->node.punt_rate = 0;
	assert_int_equal(tables_validate(s, &env, &r), -1);
	assert_non_null(strstr(r.msg, "rate 0"));
	s->node.punt_rate = 10;
	s->node.n_punt_rules = IXG_MAX_PUNT_RULES + 1;
	assert_int_equal(tables_validate(s, &env, &r), -1);
	assert_non_null(strstr(r.msg, "allow-list rules"));
	s->node.n_punt_rules = 1;
	s->node.punt_rules[0] = (struct ixg_spec_punt_rule){
		.proto = 6, .port_lo = 200, .port_hi = 100};
	assert_int_equal(tables_validate(s, &env, &r), -1);
	assert_non_null(strstr(r.msg, "200-100 is empty"));
	assert_int_equal(r.table, IXG_TBL_NODE);
	dp_spec_free(s);
}

static void
spec_base(struct ixg_spec *s)
{
	struct ixg_spec_peer *p1;

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_port(s, 1, "02:00:00:00:00:02");
	p1 = dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_OFF);
	p1->has_nh4 = p1->has_nh6 = 1;
	assert_int_equal(inet_pton(AF_INET, "192.0.2.2", p1->nh4), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::2", p1->nh6), 1);
	dp_spec_peer(s, 4, 1, 0, "02:00:00:00:02:01", IXG_SAV_OFF);
	dp_spec_local(s, 0, "192.0.2.1", 24);
	dp_spec_local(s, 0, "2001:db8::1", 64);
	dp_spec_route6(s, "::", 0, 4);
}

static void
punt_on(struct ixg_spec *s)
{
	static const struct ixg_spec_punt_rule defaults[] = {
		{.proto = 6, .port_lo = 179, .port_hi = 179},
		{.proto = 17, .port_lo = 3784, .port_hi = 3785},
		{.proto = 17, .port_lo = 4784, .port_hi = 4784},
		{.proto = 1, .port_lo = 0, .port_hi = 65535},
		{.proto = 58, .port_lo = 0, .port_hi = 65535},
	};

	s->node.punt = 1;
	s->node.punt_rate = 10;
	s->node.punt_burst = 3;
	s->node.n_punt_rules = 5;
	memcpy(s->node.punt_rules, defaults, sizeof(defaults));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_off_unchanged, reset),
		cmocka_unit_test_setup(test_default_allow_list, reset),
		cmocka_unit_test_setup(test_disallowed_denied, reset),
		cmocka_unit_test_setup(test_fast_path_keeps_arp_nd_echo, reset),
		cmocka_unit_test_setup(test_only_links_with_addresses, reset),
		cmocka_unit_test_setup(test_spoofed_claims_refused, reset),
		cmocka_unit_test_setup(test_link_local, reset),
		cmocka_unit_test_setup(test_link_local_configured, reset),
		cmocka_unit_test_setup(test_arp_answer_rate, reset),
		cmocka_unit_test_setup(test_rate_limit, reset),
		cmocka_unit_test_setup(test_output_counts_and_invariant, reset),
		cmocka_unit_test_setup(test_validate, reset),
	};
	struct ixg_spec *off, *on, *ssh;
	int rc;

	dp_test_eal_init("test_punt", 0);
	ctr = calloc(1, sizeof(*ctr));
	off = dp_spec_new();
	spec_base(off);
	tbl_off = dp_tables_build(off);
	on = dp_spec_new();
	spec_base(on);
	punt_on(on);
	tbl_on = dp_tables_build(on);
	ssh = dp_spec_new();
	spec_base(ssh);
	punt_on(ssh);
	ssh->node.punt_rate = 1000;
	ssh->node.arp_nd_rate = 2;
	ssh->node.n_punt_rules = 1;
	ssh->node.punt_rules[0] = (struct ixg_spec_punt_rule){
		.proto = 6, .port_lo = 22, .port_hi = 22};
	tbl_ssh = dp_tables_build(ssh);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tables_free(tbl_off);
	tables_free(tbl_on);
	tables_free(tbl_ssh);
	dp_spec_free(off);
	dp_spec_free(on);
	dp_spec_free(ssh);
	free(ctr);
	return rc;
}
