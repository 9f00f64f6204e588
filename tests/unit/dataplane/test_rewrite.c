/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_rewrite.c - stage_rewrite on fake mbufs: ttl_expired, mtu_exceeded,
 * the RFC 1624 incremental checksum against a full recompute over many
 * random headers, DSCP remark (IPv4 and IPv6), and every VLAN transition
 * (add, remove, replace, QinQ) between ingress and egress tag stacks.
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
#include "rewrite_stage.h"

static const uint8_t port1_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t peer_dmac[6] = {0x02, 0x00, 0x00, 0x00, 0x02, 0x02};

/* Egress peers: 1 untagged, 2 VLAN 200, 3 QinQ 3000/300 (port 1, MTU
 * 1500), 4 untagged on port 2 (MTU 1280). */
enum { PEER_UNTAGGED = 1, PEER_VLAN = 2, PEER_QINQ = 3, PEER_SMALL = 4 };

static struct tables *tbl;
static struct pipeline_ctx ctx;

static void
add_peer(uint16_t id, uint16_t port, uint16_t vlan, uint16_t outer)
{
	struct tbl_peer *p = &tbl->peers[id];

	p->configured = 1;
	p->port_id = port;
	p->vlan = vlan;
	p->outer_vlan = outer;
	memcpy(p->dmac, peer_dmac, 6);
	p->dmac[5] = (uint8_t)id;
	/* A static member's egress MAC slot, as peer_table.c builds it. */
	tbl->egress[id].mac[0] = tbl->egress[id].mac[1] = tbl_mac48(p->dmac) |
							  TBL_MAC_VALID;
	/* Its egress record, as peer_table.c builds it. */
	tbl_peer_egress(tbl, id);
}

/* Parse the frame on port 0, route it to out_peer, rewrite it. */
static struct rte_mbuf *
run(const uint8_t *buf, size_t len, uint16_t out_peer, struct pkt_meta *pm)
{
	struct burst b;

	dp_burst_init(&b, 0);
	b.pkts[0] = dp_test_mbuf(buf, len, 0);
	b.n = 1;
	stage_parse(&ctx, &b);
	assert_int_equal(b.meta[0].verdict, VERDICT_CONTINUE);
	b.meta[0].in_peer = 9;
	b.meta[0].out_peer = out_peer;
	stage_rewrite(&ctx, &b);
	*pm = b.meta[0];
	return b.pkts[0];
}

#define assert_reason(pm, reason)                                              \
	do {                                                                   \
		assert_int_equal((pm).verdict, VERDICT_DROP);                  \
		assert_string_equal(ixg_drop_name((pm).drop_reason),           \
				    ixg_drop_name(reason));                    \
	} while (0)

static void
test_ttl_expired(void **state)
{
	static const uint8_t ttls[] = {0, 1};
	uint8_t buf[MAX_FRAME];
	struct pkt_meta pm;
	struct rte_mbuf *m;
	size_t i, len;
	int fam;

	(void)state;
	for (fam = 4; fam <= 6; fam += 2) {
		for (i = 0; i < sizeof(ttls); i++) {
			struct fspec f = {
				.family = fam, .proto = 17, .ttl = ttls[i]};

			len = build(&f, buf);
			if (ttls[i] == 0) /* the builder maps 0 to 64 */
				buf[14 + (fam == 4 ? 8 : 7)] = 0;
			if (ttls[i] == 0 && fam == 4) {
				put16(buf + 24, 0);
				put16(buf + 24, ref_cksum(buf + 14, 20, 0));
			}
			m = run(buf, len, PEER_UNTAGGED, &pm);
			assert_reason(pm, IXG_DROP_TTL_EXPIRED);
			rte_pktmbuf_free(m);
		}
		{
			struct fspec f = {.family = fam, .proto = 17, .ttl = 2};

			len = build(&f, buf);
			m = run(buf, len, PEER_UNTAGGED, &pm);
			assert_int_equal(pm.verdict, VERDICT_FORWARD);
			assert_int_equal(
				rte_pktmbuf_mtod(
					m, uint8_t *)[14 + (fam == 4 ? 8 : 7)],
				1);
			rte_pktmbuf_free(m);
		}
	}
}

static void
test_mtu_exceeded(void **state)
{
	uint8_t buf[MAX_FRAME];
	struct pkt_meta pm;
	struct rte_mbuf *m;
	size_t len;

	(void)state;
	{
		/* 1281 bytes of IPv4 to a 1280 MTU port: dropped */
		struct fspec f = {
			.family = 4, .proto = 17, .payload = 1281 - 28};

		len = build(&f, buf);
		m = run(buf, len, PEER_SMALL, &pm);
		assert_reason(pm, IXG_DROP_MTU_EXCEEDED);
		rte_pktmbuf_free(m);
		f.payload--;
		len = build(&f, buf);
		m = run(buf, len, PEER_SMALL, &pm);
		assert_int_equal(pm.verdict, VERDICT_FORWARD);
		assert_int_equal(pm.out_port, 2);
		rte_pktmbuf_free(m);
	}
	{
		struct fspec f = {
			.family = 6, .proto = 17, .payload = 1281 - 48};

		len = build(&f, buf);
		m = run(buf, len, PEER_SMALL, &pm);
		assert_reason(pm, IXG_DROP_MTU_EXCEEDED);
		rte_pktmbuf_free(m);
		/* the same packet fits the 1500 port */
		m = run(buf, len, PEER_UNTAGGED, &pm);
		assert_int_equal(pm.verdict, VERDICT_FORWARD);
		rte_pktmbuf_free(m);
	}
}

/*
 * RFC 1624: the incrementally updated checksum must equal a full
 * recompute, for random headers (with options), random TTLs and random
 * DSCP remarks, including the 0x0000 / 0xffff corner cases eqn. 3 exists
 * for.
 */
static void
test_rfc1624_incremental_vs_full(void **state)
{
	uint8_t before[60], *ip;
	struct burst b;
	unsigned iter, ihl, k;

	(void)state;
	srand(1624);
	for (iter = 0; iter < 20000; iter++) {
		struct rte_mbuf *m;
		uint8_t frame[14 + 60] = {0};
		uint8_t dscp;

		ihl = 5 + (unsigned)rand() % 11;
		for (k = 0; k < 14 + ihl * 4; k++)
			frame[k] = (uint8_t)rand();
		ip = frame + 14;
		ip[0] = (uint8_t)(0x40 | ihl);
		if (iter % 4 == 0) { /* force sums close to 0xffff */
			memset(ip + 12, 0xff, ihl * 4 - 12);
			ip[1] = 0xff;
		}
		if (ip[8] < 2)
			ip[8] = 2;
		put16(ip + 10, 0);
		put16(ip + 10, ref_cksum(ip, ihl * 4, 0));
		memcpy(before, ip, ihl * 4);
		dscp = iter % 3 == 0 ? (uint8_t)(ip[1] >> 2)
				     : (uint8_t)(rand() & 0x3f);

		m = dp_test_mbuf(frame, 14 + ihl * 4, 0);
		dp_burst_init(&b, 0);
		b.pkts[0] = m;
		b.n = 1;
		b.meta[0].l3 = L3_IPV4;
		b.meta[0].l2_len = 14;
		b.meta[0].l3_len = (uint16_t)(ihl * 4);
		b.meta[0].l3_total = (uint16_t)(ihl * 4);
		b.meta[0].ttl = before[8];
		b.meta[0].dscp = dscp;
		/* An action's remark (maybe to the DSCP received), or none
		 * (the header's DSCP in meta.dscp, as stage_parse reads it). */
		b.meta[0].remark = iter % 3 != 0 || iter % 2 != 0;
		b.meta[0].in_port = 0;
		b.meta[0].out_peer = PEER_UNTAGGED;
		stage_rewrite(&ctx, &b);
		assert_int_equal(b.meta[0].verdict, VERDICT_FORWARD);

		ip = rte_pktmbuf_mtod_offset(m, uint8_t *, 14);
		assert_int_equal(ip[8], before[8] - 1);
		assert_int_equal(ip[1] >> 2, dscp);
		assert_int_equal(ip[1] & 3, before[1] & 3); /* ECN kept */
		/* the header verifies, and the field equals a recompute */
		assert_int_equal(ref_cksum(ip, ihl * 4, 0), 0);
		{
			uint8_t copy[60];

			memcpy(copy, ip, ihl * 4);
			put16(copy + 10, 0);
			assert_int_equal((ip[10] << 8) | ip[11],
					 ref_cksum(copy, ihl * 4, 0));
		}
		assert_memory_equal(ip + 12, before + 12, ihl * 4 - 12);
		rte_pktmbuf_free(m);
	}
}

/*
 * cksum_ttl_dec (the checksum after the TTL drops by one, without reading
 * the TTL word), and rewrite_ipv4 with it on a header whose DSCP stays,
 * against RFC 1624 eqn. 3 itself (cksum_adjust) for every stored
 * checksum, with (TTL, protocol) words from TTL 2 to 255.
 */
static void
test_cksum_ttl_dec_every_checksum(void **state)
{
	static const uint8_t ttls[] = {2, 3, 64, 128, 254, 255};
	static const uint8_t protos[] = {0, 1, 6, 17, 255};
	unsigned t, p, bad = 0;
	uint32_t ck;

	(void)state;
	for (t = 0; t < RTE_DIM(ttls); t++)
		for (p = 0; p < RTE_DIM(protos); p++) {
			const uint8_t w[2] = {ttls[t], protos[p]};
			const uint8_t w1[2] = {(uint8_t)(ttls[t] - 1),
					       protos[p]};

			for (ck = 0; ck <= 0xffff; ck++) {
				const uint16_t want = cksum_adjust(
					(uint16_t)ck, ld16(w), ld16(w1));
				/* rewrite_ipv4 on a header of that TTL,
				 * protocol and checksum, DSCP kept. */
				uint8_t ip[20] = {0x45, 0x28};

				ip[8] = ttls[t];
				ip[9] = protos[p];
				st16(ip + 10, (uint16_t)ck);
				rewrite_ipv4(ip, 0x28 >> 2);
				bad += cksum_ttl_dec((uint16_t)ck) != want;
				bad += ld16(ip + 10) != want ||
				       ip[8] != ttls[t] - 1 ||
				       ip[9] != protos[p] || ip[1] != 0x28;
				/* rewrite_ipv4_ttl (no remark): the same. */
				ip[8] = ttls[t];
				st16(ip + 10, (uint16_t)ck);
				rewrite_ipv4_ttl(ip);
				bad += ld16(ip + 10) != want ||
				       ip[8] != ttls[t] - 1 ||
				       ip[9] != protos[p] || ip[1] != 0x28;
			}
		}
	assert_int_equal(bad, 0);
}

static void
test_ipv6_hop_limit_and_dscp(void **state)
{
	struct fspec f = {.family = 6, .proto = 6, .ttl = 100, .dscp = 10};
	uint8_t buf[MAX_FRAME], *ip;
	struct burst b;
	size_t len;

	(void)state;
	len = build(&f, buf);
	/* traffic class = DSCP 10 | ECN 01, flow label 0x5.... */
	buf[14] = 0x60 | (((10 << 2) | 1) >> 4);
	buf[14 + 1] = (uint8_t)((((10 << 2) | 1) << 4) | 0x5);
	dp_burst_init(&b, 0);
	b.pkts[0] = dp_test_mbuf(buf, len, 0);
	b.n = 1;
	stage_parse(&ctx, &b);
	assert_int_equal(b.meta[0].verdict, VERDICT_CONTINUE);
	assert_int_equal(b.meta[0].dscp, 10);
	b.meta[0].dscp = 46; /* remarked by the ACL or the policer */
	b.meta[0].remark = 1;
	b.meta[0].out_peer = PEER_UNTAGGED;
	stage_rewrite(&ctx, &b);
	assert_int_equal(b.meta[0].verdict, VERDICT_FORWARD);
	ip = rte_pktmbuf_mtod_offset(b.pkts[0], uint8_t *, 14);
	assert_int_equal(ip[0] >> 4, 6);
	assert_int_equal((((ip[0] & 0xf) << 4) | (ip[1] >> 4)) >> 2, 46);
	assert_int_equal((ip[1] >> 4) & 3, 1); /* ECN kept */
	assert_int_equal(ip[1] & 0xf, 5); /* flow label kept */
	assert_int_equal(ip[7], 99);
	rte_pktmbuf_free(b.pkts[0]);
}

/*
 * meta.dscp goes into the header only when an action remarked it
 * (pkt_meta.remark): a packet with remark 0 leaves with the DSCP (and
 * IPv4 checksum) it came with, whatever meta.dscp says; both families.
 */
static void
test_dscp_only_when_remarked(void **state)
{
	(void)state;
	for (unsigned k = 0; k < 4; k++) {
		const unsigned fam = k & 1 ? 6 : 4, remark = k >> 1;
		struct fspec f = {
			.family = fam, .proto = 17, .ttl = 9, .dscp = 10};
		uint8_t buf[MAX_FRAME], *ip;
		unsigned got;
		struct burst b;
		size_t len;

		len = build(&f, buf);
		dp_burst_init(&b, 0);
		b.pkts[0] = dp_test_mbuf(buf, len, 0);
		b.n = 1;
		stage_parse(&ctx, &b);
		assert_int_equal(b.meta[0].dscp, 10);
		b.meta[0].dscp = 46;
		b.meta[0].remark = (uint8_t)remark;
		b.meta[0].out_peer = PEER_UNTAGGED;
		stage_rewrite(&ctx, &b);
		assert_int_equal(b.meta[0].verdict, VERDICT_FORWARD);
		ip = rte_pktmbuf_mtod_offset(b.pkts[0], uint8_t *, 14);
		got = fam == 4 ? ip[1] >> 2
			       : (((ip[0] & 0xfu) << 4) | (ip[1] >> 4)) >> 2;
		assert_int_equal(got, remark ? 46 : 10);
		if (fam == 4) {
			assert_int_equal(ip[8], 8);
			assert_int_equal(ref_cksum(ip, 20, 0), 0);
		} else {
			assert_int_equal(ip[7], 8);
		}
		rte_pktmbuf_free(b.pkts[0]);
	}
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * Every ingress tag stack (none, 802.1Q, QinQ 802.1ad and 0x9100) to every
 * egress one: MACs, TPIDs and TCIs (PCP 0) as the egress peer wants, the
 * L3 packet intact behind them (but for TTL and checksum).
 */
static void
test_vlan_transitions(void **state)
{
	static const struct {
		unsigned n;
		uint16_t tpid[2], vid[2];
	} in[] = {
		{0, {0}, {0}},
		{1, {0x8100}, {0xe000 | 77}},
		{2, {0x88a8, 0x8100}, {1000, 77}},
		{2, {0x9100, 0x8100}, {1001, 78}},
	};
	static const uint16_t out_peers[] = {PEER_UNTAGGED, PEER_VLAN,
					     PEER_QINQ};
	uint8_t buf[MAX_FRAME];
	size_t i, j, len;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		for (j = 0; j < 3; j++) {
			struct fspec f = {.family = 4,
					  .proto = 6,
					  .payload = 33,
					  .n_vlans = in[i].n};
			const struct tbl_peer *peer = &tbl->peers[out_peers[j]];
			unsigned l2_in = 14 + 4 * in[i].n, l2_out = 14 + 4 * j;
			struct pkt_meta pm;
			struct rte_mbuf *m;
			uint8_t *p, *ip, *oip;

			memcpy(f.tpid, in[i].tpid, sizeof(in[i].tpid));
			memcpy(f.vid, in[i].vid, sizeof(in[i].vid));
			len = build(&f, buf);
			m = run(buf, len, out_peers[j], &pm);
			assert_int_equal(pm.verdict, VERDICT_FORWARD);
			assert_int_equal(pm.out_port, 1);
			assert_int_equal(pm.rx_len, len);
			assert_int_equal(m->pkt_len, len - l2_in + l2_out);
			assert_int_equal(m->data_len, m->pkt_len);
			p = rte_pktmbuf_mtod(m, uint8_t *);
			assert_memory_equal(p, peer->dmac, 6);
			assert_memory_equal(p + 6, port1_mac, 6);
			if (j == 1) {
				assert_int_equal(get16(p + 12), 0x8100);
				assert_int_equal(get16(p + 14), 200);
			} else if (j == 2) {
				assert_int_equal(get16(p + 12), 0x88a8);
				assert_int_equal(get16(p + 14), 3000);
				assert_int_equal(get16(p + 16), 0x8100);
				assert_int_equal(get16(p + 18), 300);
			}
			assert_int_equal(get16(p + l2_out - 2), 0x0800);
			ip = p + l2_out;
			oip = buf + l2_in;
			assert_int_equal(ip[8], oip[8] - 1);
			assert_int_equal(ref_cksum(ip, 20, 0), 0);
			assert_memory_equal(ip, oip, 8);
			assert_memory_equal(ip + 12, oip + 12,
					    len - l2_in - 12);
			rte_pktmbuf_free(m);
		}
	}
}

/* The egress L2 header as stage_rewrite wrote it before the egress records:
 * destination, source, the peer's tags (802.1ad outer, 802.1Q inner),
 * the ethertype. Returns its length. */
static size_t
ref_l2(const struct tbl_peer *peer, const uint8_t *dmac, const uint8_t *smac,
       uint16_t ethertype, uint8_t *h)
{
	size_t o = 12;

	memcpy(h, dmac, 6);
	memcpy(h + 6, smac, 6);
	if (peer->vlan != IXG_VLAN_NONE && peer->outer_vlan != IXG_VLAN_NONE) {
		h[o++] = 0x88;
		h[o++] = 0xa8;
		h[o++] = (uint8_t)(peer->outer_vlan >> 8);
		h[o++] = (uint8_t)peer->outer_vlan;
	}
	if (peer->vlan != IXG_VLAN_NONE) {
		h[o++] = 0x81;
		h[o++] = 0x00;
		h[o++] = (uint8_t)(peer->vlan >> 8);
		h[o++] = (uint8_t)peer->vlan;
	}
	h[o++] = (uint8_t)(ethertype >> 8);
	h[o++] = (uint8_t)ethertype;
	return o;
}

/* Rewrite a frame of `family` from in_vlans tags to out_peer and compare
 * its L2 header with ref_l2's and its payload with the frame's. */
static void
check_l2(unsigned family, unsigned in_vlans, uint16_t out_peer,
	 const uint8_t *dmac, const uint8_t *smac)
{
	/* QinQ in: 802.1ad outer; tpid 0 is 802.1Q. */
	struct fspec f = {.family = (int)family,
			  .proto = 17,
			  .payload = 40,
			  .n_vlans = in_vlans,
			  .tpid = {in_vlans == 2 ? 0x88a8 : 0, 0},
			  .vid = {10, 20}};
	uint8_t buf[MAX_FRAME], want[32];
	size_t len = build(&f, buf), l2_in = 14 + 4 * in_vlans, l2_out;
	struct pkt_meta pm;
	struct rte_mbuf *m;
	uint8_t *p;

	l2_out = ref_l2(&tbl->peers[out_peer], dmac, smac,
			family == 4 ? 0x0800 : 0x86dd, want);
	m = run(buf, len, out_peer, &pm);
	assert_int_equal(pm.verdict, VERDICT_FORWARD);
	assert_int_equal(pm.l2_len, l2_out);
	assert_int_equal(m->pkt_len, len - l2_in + l2_out);
	p = rte_pktmbuf_mtod(m, uint8_t *);
	assert_memory_equal(p, want, l2_out);
	/* The payload past the hop limit / TTL and checksum: untouched. */
	assert_memory_equal(p + l2_out + 12, buf + l2_in + 12,
			    len - l2_in - 12);
	rte_pktmbuf_free(m);
}

/*
 * The egress record (tbl_egress.hdr, tbl_peer_egress): for both families,
 * every tag count in and out, the frame's L2 header is the one the
 * per-field writes made; a MAC the neighbour table stores into its mac
 * reaches the next frame without a rebuild; a new port MAC or VLAN reaches
 * it once tbl_peer_egress rebuilds the peer's header (the peers part of a
 * new snapshot).
 */
static void
test_egress_header(void **state)
{
	static const uint16_t out_peers[] = {PEER_UNTAGGED, PEER_VLAN,
					     PEER_QINQ};
	static const uint8_t learned[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
	static const uint8_t new_port_mac[6] = {0x02, 0x11, 0x22,
						0x33, 0x44, 0x55};
	struct tbl_peer *peer = &tbl->peers[PEER_VLAN];
	struct tbl_egress *eg = &tbl->egress[PEER_VLAN];
	const uint64_t saved = eg->mac[1];

	(void)state;
	for (unsigned fam = 4; fam <= 6; fam += 2)
		for (unsigned in = 0; in <= 2; in++)
			for (unsigned j = 0; j < 3; j++)
				check_l2(fam, in, out_peers[j],
					 tbl->peers[out_peers[j]].dmac,
					 port1_mac);

	/* The neighbour table learns a new MAC for IPv6 (neigh.c: one
	 * atomic store): IPv6 frames carry it, IPv4 ones the old one. */
	__atomic_store_n(&eg->mac[1], tbl_mac48(learned) | TBL_MAC_VALID,
			 __ATOMIC_RELAXED);
	check_l2(6, 0, PEER_VLAN, learned, port1_mac);
	check_l2(6, 2, PEER_VLAN, learned, port1_mac);
	check_l2(4, 1, PEER_VLAN, peer->dmac, port1_mac);
	eg->mac[1] = saved;

	/* A new port MAC and VLAN: the header follows its rebuild. */
	memcpy(tbl->ports[1].mac, new_port_mac, 6);
	peer->vlan = 201;
	tbl_peer_egress(tbl, PEER_VLAN);
	check_l2(4, 0, PEER_VLAN, peer->dmac, new_port_mac);
	check_l2(6, 2, PEER_VLAN, peer->dmac, new_port_mac);
	memcpy(tbl->ports[1].mac, port1_mac, 6);
	peer->vlan = 200;
	tbl_peer_egress(tbl, PEER_VLAN);
	check_l2(4, 0, PEER_VLAN, peer->dmac, port1_mac);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ttl_expired),
		cmocka_unit_test(test_mtu_exceeded),
		cmocka_unit_test(test_rfc1624_incremental_vs_full),
		cmocka_unit_test(test_cksum_ttl_dec_every_checksum),
		cmocka_unit_test(test_ipv6_hop_limit_and_dscp),
		cmocka_unit_test(test_dscp_only_when_remarked),
		cmocka_unit_test(test_vlan_transitions),
		cmocka_unit_test(test_egress_header),
	};

	dp_test_eal_init("test_rewrite", 0);
	tbl = calloc(1, sizeof(*tbl));
	if (tbl == NULL)
		return 1;
	memcpy(tbl->ports[0].mac, port_mac, 6);
	memcpy(tbl->ports[1].mac, port1_mac, 6);
	tbl->ports[0].mtu = 1500;
	tbl->ports[1].mtu = 1500;
	tbl->ports[2].mtu = 1280;
	add_peer(PEER_UNTAGGED, 1, 0, 0);
	add_peer(PEER_VLAN, 1, 200, 0);
	add_peer(PEER_QINQ, 1, 300, 3000);
	add_peer(PEER_SMALL, 2, 0, 0);
	dp_ctx_init(&ctx, tbl);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
