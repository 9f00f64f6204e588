/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_peer.c - stage_peer over tables built by tables_build: the ingress
 * peer from (port, outer VLAN, VLAN, source MAC), misses dropped
 * unknown_peer (ARP and ND included). stage_peer uses the direct tables
 * (peer_vlan_slot, peer_qinq, peer_slots, peer_macs); a scan of the spec's
 * peers is the reference it must agree with. The fused head
 * (pipeline_head) must leave what stage_parse, stage_sample and
 * stage_peer leave (test_head_equals_stages).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dp_test_util.h"
#include "frame_util.h"
#include "pipeline.h"
#include "sample.h"

static struct tables *tbl;
static struct ixg_spec *spec;
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

#define assert_unknown(pm)                                                     \
	do {                                                                   \
		assert_int_equal((pm).verdict, VERDICT_DROP);                  \
		assert_string_equal(ixg_drop_name((pm).drop_reason),           \
				    "unknown_peer");                           \
	} while (0)

static void
test_known_peers(void **state)
{
	const struct fspec f[] = {
		{.family = 4, .proto = 6, .smac = mac_a},
		{.family = 4,
		 .proto = 6,
		 .smac = mac_b,
		 .n_vlans = 1,
		 .vid = {100}},
		{.family = 6,
		 .proto = 17,
		 .smac = mac_c,
		 .n_vlans = 2,
		 .tpid = {0x88a8, 0x8100},
		 .vid = {2000, 200}},
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
		{.family = 4,
		 .proto = 6,
		 .smac = mac_a,
		 .n_vlans = 1,
		 .vid = {100}},
		{.family = 4, .proto = 6, .smac = mac_b},
		/* QinQ peer with the wrong outer tag, or single-tagged */
		{.family = 4,
		 .proto = 6,
		 .smac = mac_c,
		 .n_vlans = 2,
		 .tpid = {0x88a8, 0x8100},
		 .vid = {2001, 200}},
		{.family = 4,
		 .proto = 6,
		 .smac = mac_c,
		 .n_vlans = 1,
		 .vid = {200}},
		/* ARP and ND from strangers: an IX node only talks to
		 * members */
		{.family = 0,
		 .smac = stranger,
		 .dmac = (const uint8_t *)"\xff\xff\xff\xff\xff\xff"},
		{.family = 6,
		 .proto = 58,
		 .icmp_type = 135,
		 .ttl = 255,
		 .smac = stranger,
		 .src = "2001:db8::66",
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

/*
 * Issue 13 item 12: a martian or a cut-short transport header is the
 * sending member's doing: the peer stage names the member whose MAC sent
 * it, so the drop is charged to it; the reason stays what parse said, and
 * a stranger's frame stays martian (not unknown_peer). Other parse drops
 * (a bad checksum) are not looked up.
 */
static void
test_parse_drops_charged(void **state)
{
	struct fspec f[] = {
		{.family = 4, .proto = 17, .smac = mac_a, .src = "127.0.0.1"},
		{.family = 6, .proto = 17, .smac = mac_a, .src = "::1"},
		{.family = 4,
		 .proto = 17,
		 .smac = mac_b,
		 .n_vlans = 1,
		 .vid = {100},
		 .dst = "0.1.2.3"},
		{.family = 4, .proto = 6, .smac = mac_a},
		{.family = 4,
		 .proto = 17,
		 .smac = stranger,
		 .src = "127.0.0.1"},
		{.family = 4, .proto = 6, .smac = mac_a},
	};
	static const int want_reason[] = {
		IXG_DROP_MARTIAN,      IXG_DROP_MARTIAN, IXG_DROP_MARTIAN,
		IXG_DROP_L4_TRUNCATED, IXG_DROP_MARTIAN, IXG_DROP_IPV4_CHECKSUM,
	};
	static const uint16_t want_peer[] = {
		1, 1, 2, 1, IXG_PEER_NONE, IXG_PEER_NONE};
	const unsigned n = sizeof(f) / sizeof(f[0]);
	uint8_t buf[MAX_FRAME];
	struct burst b;
	unsigned i;

	(void)state;
	dp_burst_init(&b, 0);
	for (i = 0; i < n; i++) {
		size_t len;

		f[i].dmac = tbl->ports[0].mac;
		len = build(&f[i], buf);
		if (i == 3) { /* IP total length: 10 bytes of TCP header */
			put16(buf + 14 + 2, 30);
			put16(buf + 14 + 10, 0);
			put16(buf + 14 + 10, ref_cksum(buf + 14, 20, 0));
		}
		if (i == 5)
			buf[14 + 10] ^= 1; /* checksum broken */
		b.pkts[b.n++] = dp_test_mbuf(buf, len, 0);
	}
	stage_parse(&ctx, &b);
	stage_peer(&ctx, &b);
	for (i = 0; i < n; i++) {
		assert_int_equal(b.meta[i].verdict, VERDICT_DROP);
		assert_string_equal(ixg_drop_name(b.meta[i].drop_reason),
				    ixg_drop_name((unsigned)want_reason[i]));
		assert_int_equal(b.meta[i].in_peer, want_peer[i]);
		rte_pktmbuf_free(b.pkts[i]);
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
	memcpy(rte_pktmbuf_mtod(b.pkts[0], uint8_t *), tbl->ports[1].mac, 6);
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

/* Frames on `port` (destination MAC: the port's own) through parse and
 * peer. */
static void
run_port(struct fspec *f, unsigned n, uint16_t port, struct burst *b)
{
	uint8_t buf[MAX_FRAME];
	unsigned i;

	dp_burst_init(b, port);
	for (i = 0; i < n; i++) {
		if (f[i].dmac == NULL)
			f[i].dmac = tbl->ports[port].mac;
		b->pkts[b->n++] = dp_test_mbuf(buf, build(&f[i], buf), port);
	}
	stage_parse(&ctx, b);
	for (i = 0; i < n; i++)
		assert_int_equal(b->meta[i].verdict, VERDICT_CONTINUE);
	stage_peer(&ctx, b);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(b->pkts[i]);
}

static void
assert_peer(const struct pkt_meta *pm, uint16_t peer)
{
	if (peer == IXG_PEER_NONE) {
		assert_unknown(*pm);
		assert_int_equal(pm->in_peer, IXG_PEER_NONE);
	} else {
		assert_int_equal(pm->verdict, VERDICT_CONTINUE);
		assert_int_equal(pm->in_peer, peer);
	}
}

static const uint8_t mac_d[6] = {0x02, 0, 0, 0, 0x0d, 0x01};
static const uint8_t mac_e[6] = {0x02, 0, 0, 0, 0x0e, 0x01};
static const uint8_t mac_f[6] = {0x02, 0, 0, 0, 0x0f, 0x01};
static const uint8_t mac_g[6] = {0x02, 0, 0, 0, 0x10, 0x01};
static const uint8_t mac_h[6] = {0x02, 0, 0, 0, 0x10, 0x02};

/* The public peering LAN: MANY_N peers on VLAN 400 of port 0, ids
 * MANY_FIRST.., one MAC each, every 7th with IXG_MAX_PEER_MACS. */
#define MANY_FIRST 100
#define MANY_N 600
#define MANY_VLAN 400

static void
many_mac(unsigned k, unsigned m, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = (uint8_t)(0x40 + m);
	mac[2] = 0;
	mac[3] = 0;
	mac[4] = (uint8_t)(k >> 8);
	mac[5] = (uint8_t)k;
}

static unsigned
many_n_macs(unsigned k)
{
	return k % 7 == 0 ? IXG_MAX_PEER_MACS : 1;
}

/* One MAC on two VLANs of the same port: two peers, by VLAN. */
static void
test_same_mac_two_vlans(void **state)
{
	struct fspec f[] = {
		{.family = 4,
		 .proto = 6,
		 .smac = mac_d,
		 .n_vlans = 1,
		 .vid = {300}},
		{.family = 6,
		 .proto = 6,
		 .smac = mac_d,
		 .n_vlans = 1,
		 .vid = {301}},
		{.family = 4,
		 .proto = 6,
		 .smac = mac_d,
		 .n_vlans = 1,
		 .vid = {302}},
		{.family = 4, .proto = 6, .smac = mac_d},
		{.family = 4,
		 .proto = 6,
		 .smac = mac_d,
		 .n_vlans = 2,
		 .tpid = {0x88a8, 0x8100},
		 .vid = {2000, 300}},
	};
	struct burst b;

	(void)state;
	run_port(f, 5, 0, &b);
	assert_peer(&b.meta[0], 4);
	assert_peer(&b.meta[1], 5);
	assert_peer(&b.meta[2], IXG_PEER_NONE);
	assert_peer(&b.meta[3], IXG_PEER_NONE);
	assert_peer(&b.meta[4], IXG_PEER_NONE);
}

/*
 * QinQ: the outer and the inner VLAN both select the peer, and a QinQ
 * peer is not the single-tagged peer of its inner VLAN (nor the reverse).
 */
static void
test_qinq(void **state)
{
	struct fspec f[] = {
		{.family = 4,
		 .proto = 6,
		 .smac = mac_c,
		 .n_vlans = 2,
		 .tpid = {0x88a8, 0x8100},
		 .vid = {2000, 200}},
		{.family = 4,
		 .proto = 6,
		 .smac = mac_c,
		 .n_vlans = 2,
		 .tpid = {0x88a8, 0x8100},
		 .vid = {2000, 201}},
		{.family = 4,
		 .proto = 6,
		 .smac = mac_e,
		 .n_vlans = 2,
		 .tpid = {0x88a8, 0x8100},
		 .vid = {2001, 200}},
		/* peer 8 is single-tagged on VLAN 200 */
		{.family = 4,
		 .proto = 6,
		 .smac = mac_e,
		 .n_vlans = 1,
		 .vid = {200}},
		{.family = 4,
		 .proto = 6,
		 .smac = mac_e,
		 .n_vlans = 2,
		 .tpid = {0x88a8, 0x8100},
		 .vid = {2000, 200}},
		{.family = 4,
		 .proto = 6,
		 .smac = mac_c,
		 .n_vlans = 2,
		 .tpid = {0x88a8, 0x8100},
		 .vid = {2001, 201}},
		{.family = 4,
		 .proto = 6,
		 .smac = mac_c,
		 .n_vlans = 2,
		 .tpid = {0x88a8, 0x8100},
		 .vid = {2002, 200}},
		/* 802.1Q-in-802.1Q (0x8100 outer) is QinQ as well */
		{.family = 6,
		 .proto = 17,
		 .smac = mac_c,
		 .n_vlans = 2,
		 .vid = {2000, 201}},
	};
	const uint16_t want[] = {3, 6, 7, 8, 0, 0, 0, 6};
	unsigned i, n = sizeof(f) / sizeof(f[0]);
	struct burst b;

	(void)state;
	run_port(f, n, 0, &b);
	for (i = 0; i < n; i++)
		assert_peer(&b.meta[i], want[i]);
	/* Two outer VLANs with QinQ peers on port 0: at least 4 map slots. */
	assert_non_null(tbl->peer_qinq);
	assert_true(tbl->peer_qinq_mask + 1 >= 2 * 3);
}

/*
 * A VLAN with hundreds of peers, some with IXG_MAX_PEER_MACS MACs: every
 * MAC finds its peer (probing past colliding entries), strangers miss.
 */
static void
test_many_macs_one_vlan(void **state)
{
	struct fspec f[PIPELINE_BURST];
	uint8_t mac[PIPELINE_BURST][6];
	uint16_t want[PIPELINE_BURST];
	unsigned k, m, i, n = 0, hits = 0;
	uint16_t slot;
	struct burst b;

	(void)state;
	for (k = MANY_FIRST; k < MANY_FIRST + MANY_N; k++) {
		for (m = 0; m < many_n_macs(k); m++) {
			memset(&f[n], 0, sizeof(f[n]));
			many_mac(k, m, mac[n]);
			f[n].family = (k + m) % 2 ? 4 : 6;
			f[n].proto = 17;
			f[n].smac = mac[n];
			f[n].n_vlans = 1;
			f[n].vid[0] = MANY_VLAN;
			want[n++] = (uint16_t)k;
			if (k % 5 == 0 && m == 0) {
				/* A stranger in the same MAC space. */
				memset(&f[n], 0, sizeof(f[n]));
				many_mac(k, IXG_MAX_PEER_MACS + 1, mac[n]);
				f[n].family = 4;
				f[n].proto = 6;
				f[n].smac = mac[n];
				f[n].n_vlans = 1;
				f[n].vid[0] = MANY_VLAN;
				want[n++] = IXG_PEER_NONE;
			}
			if (n + 2 > PIPELINE_BURST ||
			    (k == MANY_FIRST + MANY_N - 1 &&
			     m + 1 == many_n_macs(k))) {
				run_port(f, n, 0, &b);
				for (i = 0; i < n; i++) {
					assert_peer(&b.meta[i], want[i]);
					hits += want[i] != IXG_PEER_NONE;
				}
				n = 0;
			}
		}
	}
	for (k = MANY_FIRST, n = 0; k < MANY_FIRST + MANY_N; k++)
		n += many_n_macs(k);
	assert_int_equal(hits, n);
	/* The slot holds all of them at half load at most. */
	slot = tbl->peer_vlan_slot[0 * TBL_VLANS + MANY_VLAN];
	assert_int_not_equal(slot, 0);
	assert_true(tbl->peer_slots[slot].mask + 1 >= 2 * hits);
}

/* Untagged and priority-tagged (VID 0, 802.1Q) frames are VLAN 0. */
static void
test_untagged(void **state)
{
	struct fspec f[] = {
		{.family = 4, .proto = 6, .smac = mac_a},
		{.family = 4,
		 .proto = 6,
		 .smac = mac_a,
		 .n_vlans = 1,
		 .vid = {0}},
		{.family = 0,
		 .smac = mac_a,
		 .dmac = (const uint8_t *)"\xff\xff\xff\xff\xff\xff"},
		/* a tagged peer's MAC, untagged */
		{.family = 4, .proto = 6, .smac = mac_g},
		{.family = 4,
		 .proto = 6,
		 .smac = mac_a,
		 .n_vlans = 1,
		 .vid = {1}},
	};
	const uint16_t want[] = {1, 1, 1, 0, 0};
	unsigned i, n = sizeof(f) / sizeof(f[0]);
	struct burst b;

	(void)state;
	run_port(f, n, 0, &b);
	for (i = 0; i < n; i++)
		assert_peer(&b.meta[i], want[i]);
}

/* Both MACs of a two-MAC peer, interleaved with its VLAN neighbour. */
static void
test_peer_with_two_macs(void **state)
{
	struct fspec f[] = {
		{.family = 4,
		 .proto = 6,
		 .smac = mac_g,
		 .n_vlans = 1,
		 .vid = {100}},
		{.family = 4,
		 .proto = 6,
		 .smac = mac_b,
		 .n_vlans = 1,
		 .vid = {100}},
		{.family = 6,
		 .proto = 6,
		 .smac = mac_h,
		 .n_vlans = 1,
		 .vid = {100}},
	};
	struct burst b;

	(void)state;
	run_port(f, 3, 0, &b);
	assert_peer(&b.meta[0], 10);
	assert_peer(&b.meta[1], 2);
	assert_peer(&b.meta[2], 10);
}

/* A configured port with no peer: every frame is from a stranger. */
static void
test_port_without_peers(void **state)
{
	struct fspec f[] = {
		{.family = 4, .proto = 6, .smac = mac_a},
		{.family = 4, .proto = 6, .smac = mac_f},
		{.family = 4,
		 .proto = 6,
		 .smac = mac_b,
		 .n_vlans = 1,
		 .vid = {100}},
		{.family = 4,
		 .proto = 6,
		 .smac = mac_c,
		 .n_vlans = 2,
		 .tpid = {0x88a8, 0x8100},
		 .vid = {2000, 200}},
	};
	unsigned i, n = sizeof(f) / sizeof(f[0]);
	struct burst b;

	(void)state;
	run_port(f, n, 2, &b);
	for (i = 0; i < n; i++)
		assert_peer(&b.meta[i], IXG_PEER_NONE);
	for (i = 0; i < TBL_VLANS; i++)
		assert_int_equal(tbl->peer_vlan_slot[2 * TBL_VLANS + i], 0);
}

/* A peer's MAC arriving on another port is not that peer. */
static void
test_mac_of_another_port(void **state)
{
	struct fspec f0[] = {
		{.family = 4, .proto = 6, .smac = mac_f},
		{.family = 4, .proto = 6, .smac = mac_a},
	};
	struct fspec f1[] = {
		{.family = 4, .proto = 6, .smac = mac_f},
		{.family = 4, .proto = 6, .smac = mac_a},
		{.family = 4,
		 .proto = 6,
		 .smac = NULL,
		 .n_vlans = 1,
		 .vid = {MANY_VLAN}},
	};
	uint8_t mac[6];
	struct burst b;

	(void)state;
	run_port(f0, 2, 0, &b);
	assert_peer(&b.meta[0], IXG_PEER_NONE);
	assert_peer(&b.meta[1], 1);
	many_mac(MANY_FIRST, 0, mac);
	f1[2].smac = mac;
	run_port(f1, 3, 1, &b);
	assert_peer(&b.meta[0], 9);
	assert_peer(&b.meta[1], IXG_PEER_NONE);
	/* Peer MANY_FIRST's MAC on port 1 VLAN 400 is peer 11. */
	assert_peer(&b.meta[2], 11);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/*
 * Random (port, tags, MAC) frames: stage_peer's verdicts equal a scan of
 * the spec's peers for the same keys (the reference).
 */
static void
test_agrees_with_spec(void **state)
{
	/* {outer, vlan}: every configured pair, and some that are not */
	static const uint16_t tags[][2] = {
		{0, 0},	     {0, 100},	  {2000, 200}, {0, 300},       {0, 301},
		{2000, 201}, {2001, 200}, {0, 200},    {0, MANY_VLAN}, {0, 101},
		{2000, 100}, {2001, 201}, {0, 4095},   {4095, 4095},
	};
	const uint8_t *known[] = {mac_a, mac_b, mac_c, mac_d,	mac_e,
				  mac_f, mac_g, mac_h, stranger};
	unsigned round, i, hits = 0, total = 0;

	(void)state;
	for (round = 0; round < 200; round++) {
		uint16_t port = (uint16_t)(rnd(4) + 1) / 2; /* 0 0 1 2 */
		struct fspec f[PIPELINE_BURST];
		uint8_t mac[PIPELINE_BURST][6];
		uint16_t want[PIPELINE_BURST];
		struct burst b;

		for (i = 0; i < PIPELINE_BURST; i++) {
			unsigned t = rnd(sizeof(tags) / sizeof(tags[0]));
			const struct ixg_spec_peer *sp =
				&spec->peers[rnd(spec->n_peers)];
			struct {
				uint16_t outer_vlan, vlan;
			} key = {tags[t][0], tags[t][1]};

			if (sp->port_id == port && rnd(2)) {
				/* a configured key, as the peer sends it */
				key.outer_vlan = sp->outer_vlan;
				key.vlan = sp->vlan;
				memcpy(mac[i], sp->macs[rnd(sp->n_macs)], 6);
			} else if (rnd(2))
				memcpy(mac[i], known[rnd(9)], 6);
			else
				many_mac(MANY_FIRST + rnd(MANY_N + 10),
					 rnd(IXG_MAX_PEER_MACS + 1), mac[i]);
			memset(&f[i], 0, sizeof(f[i]));
			f[i].family = rnd(2) ? 4 : 6;
			f[i].proto = 17;
			f[i].smac = mac[i];
			f[i].n_vlans = key.outer_vlan ? 2
				       : key.vlan     ? 1
						      : rnd(2);
			f[i].vid[0] = key.outer_vlan ? key.outer_vlan
						     : key.vlan;
			f[i].vid[1] = key.vlan;
			want[i] = dp_peer_by_spec(spec, port, key.outer_vlan,
						  key.vlan, mac[i]);
			assert_int_equal(dp_peer_direct(tbl, port,
							key.outer_vlan,
							key.vlan, mac[i]),
					 want[i]);
		}
		run_port(f, PIPELINE_BURST, port, &b);
		for (i = 0; i < PIPELINE_BURST; i++) {
			assert_peer(&b.meta[i], want[i]);
			hits += want[i] != IXG_PEER_NONE;
			total++;
		}
	}
	/* Both outcomes well exercised. */
	assert_true(hits > total / 20);
	assert_true(hits < total - total / 20);
}

/*
 * stage_peer keeps the last (outer VLAN, VLAN) slot across a burst's
 * packets: runs of one slot broken by frames that share only the inner
 * VLAN, only the outer one, only the MAC, or that parse dropped (which
 * keep their verdict and no peer) on the cached VLAN; each packet's peer
 * as a scan of the spec finds it.
 */
static void
test_slot_runs(void **state)
{
	static const struct {
		uint16_t outer, vlan;
		const uint8_t *mac;
		uint16_t ethertype; /* 0: IPv4; else parse drops it */
	} seq[] = {
		{0, 200, mac_e, 0},	 {2000, 200, mac_c, 0},
		{2001, 200, mac_e, 0},	 {0, 200, mac_e, 0},
		{2000, 201, mac_c, 0},	 {2000, 200, mac_c, 0},
		{0, 100, mac_b, 0},	 {0, 100, mac_g, 0},
		{0, 100, stranger, 0},	 {0, 0, mac_a, 0},
		{0, 0, mac_b, 0},	 {0, 100, mac_b, 0},
		{0, 100, mac_b, 0x1234}, {0, 100, mac_g, 0},
		{0, 0, mac_a, 0x1234},	 {0, 0, mac_a, 0},
		{2000, 200, mac_e, 0},	 {2001, 200, mac_e, 0},
		{0, 200, mac_c, 0},	 {0, 200, mac_e, 0},
	};
	const unsigned n_seq = sizeof(seq) / sizeof(seq[0]);
	struct fspec f[PIPELINE_BURST];
	uint8_t buf[MAX_FRAME];
	struct burst b;
	unsigned i, hits = 0;

	(void)state;
	for (unsigned round = 0; round < 50; round++) {
		dp_burst_init(&b, 0);
		for (i = 0; i < PIPELINE_BURST; i++) {
			/* the sequence first, then random runs of it */
			unsigned k = round == 0 && i < n_seq ? i
				     : i > 0 && rnd(3)	     ? (unsigned)-1
							     : rnd(n_seq);

			if (k == (unsigned)-1) {
				f[i] = f[i - 1];
			} else {
				memset(&f[i], 0, sizeof(f[i]));
				f[i].family = 4;
				f[i].proto = 17;
				f[i].smac = seq[k].mac;
				f[i].ethertype = seq[k].ethertype;
				f[i].n_vlans = seq[k].outer  ? 2
					       : seq[k].vlan ? 1
							     : 0;
				f[i].vid[0] = seq[k].outer ? seq[k].outer
							   : seq[k].vlan;
				f[i].vid[1] = seq[k].vlan;
			}
			b.pkts[b.n++] = dp_test_mbuf(buf, build(&f[i], buf), 0);
		}
		stage_parse(&ctx, &b);
		stage_peer(&ctx, &b);
		for (i = 0; i < PIPELINE_BURST; i++) {
			const struct pkt_meta *pm = &b.meta[i];
			uint16_t outer = f[i].n_vlans == 2 ? f[i].vid[0] : 0,
				 vlan = f[i].n_vlans
						? f[i].vid[f[i].n_vlans - 1]
						: 0;

			if (f[i].ethertype != 0) {
				assert_int_equal(pm->verdict, VERDICT_DROP);
				assert_string_equal(
					ixg_drop_name(pm->drop_reason),
					"ethertype");
				assert_int_equal(pm->in_peer, IXG_PEER_NONE);
			} else {
				uint16_t want = dp_peer_by_spec(
					spec, 0, outer, vlan, f[i].smac);

				assert_peer(pm, want);
				hits += want != IXG_PEER_NONE;
			}
			rte_pktmbuf_free(b.pkts[i]);
		}
	}
	assert_true(hits > 500);
}

/* One slot per (port, VLAN) or QinQ triple that has peers. */
static void
test_slots(void **state)
{
	(void)state;
	/* slot 0; port 0: untagged, 100, 300, 301, 200, 400, QinQ
	 * 2000/200, 2000/201, 2001/200; port 1: untagged, 400; port 3:
	 * 500 (VRRP) */
	assert_int_equal(tbl->n_peer_slots, 13);
	assert_int_equal(tbl->peer_slots[0].mask, 0);
	assert_int_equal(tbl->peer_macs[tbl->peer_slots[0].first], 0);
	assert_int_not_equal(tbl->peer_vlan_slot[100], 0);
	assert_int_equal(tbl->peer_vlan_slot[101], 0);
	assert_int_not_equal(tbl->peer_vlan_slot[100],
			     tbl->peer_vlan_slot[TBL_VLANS + 0]);
}

/* VRRP_N peers on VLAN VRRP_VLAN of port 3 whose MACs differ in their last
 * byte only, as VRRP's virtual MACs (00:00:5e:00:01:xx) do. */
#define VRRP_FIRST 800
#define VRRP_N 64
#define VRRP_VLAN 500

/*
 * Every slot's MACs sit near their home entries: the hash (tbl_peer_hash)
 * spreads keys that differ in any byte, the last one included. The mean
 * displacement of a linear probe at load <= 1/4 is about 1/6 with a good
 * hash; before the hash folded the key's top bits in, the VRRP slot's 64
 * MACs shared one home entry (displacement up to 63, mean 31.5).
 */
static void
test_probe_spread(void **state)
{
	uint64_t sum = 0, n = 0, vrrp_max = 0;
	const uint32_t vrrp_slot =
		tbl->peer_vlan_slot[3 * TBL_VLANS + VRRP_VLAN];

	(void)state;
	assert_int_not_equal(vrrp_slot, 0);
	for (uint32_t i = 1; i < tbl->n_peer_slots; i++) {
		const struct tbl_peer_slot *ps = &tbl->peer_slots[i];

		for (uint32_t j = 0; j <= ps->mask; j++) {
			uint64_t e = tbl->peer_macs[ps->first + j];
			uint32_t home, d;

			if (e == 0)
				continue;
			home = tbl_peer_hash(e >> 16) & ps->mask;
			d = (j - home) & ps->mask;
			sum += d;
			n++;
			if (i == vrrp_slot && d > vrrp_max)
				vrrp_max = d;
		}
	}
	print_message("probe spread: %" PRIu64 " MACs, mean displacement "
		      "%.2f, VRRP slot max %" PRIu64 "\n",
		      n, (double)sum / (double)n, vrrp_max);
	assert_true(n > MANY_N + VRRP_N);
	assert_true(4 * sum <= n); /* mean <= 1/4: tables 4x their MACs */
	assert_true(vrrp_max <= 4);
}

/* One side of test_head_equals_stages: a context with its own counters
 * and sample ring on the shared tables. */
struct head_side {
	struct pipeline_ctx ctx;
	struct ixg_sample_ring *ring;
	struct ixg_sample_cursor cursor;
	struct burst b;
};

static void
head_side_init(struct head_side *sd)
{
	memset(sd, 0, sizeof(*sd));
	dp_ctx_init(&sd->ctx, tbl);
	sd->ctx.ctr = rte_zmalloc("ctr", sizeof(*sd->ctx.ctr), 64);
	sd->ring = aligned_alloc(64, sizeof(*sd->ring));
	assert_non_null(sd->ctx.ctr);
	assert_non_null(sd->ring);
	ixg_sample_ring_init(sd->ring);
	sd->ctx.samples = sd->ring;
	sd->ctx.sample_cursor = &sd->cursor;
}

static void
head_side_free(struct head_side *sd)
{
	rte_free(sd->ctx.ctr);
	free(sd->ring);
}

/*
 * A random frame for test_head_equals_stages: a known or unknown source
 * MAC on a configured or unconfigured (outer VLAN, VLAN) of `port`, IPv4,
 * IPv6 or ARP, UDP, TCP or ICMP, sometimes to a martian or multicast
 * address, from a martian source, cut short, with IPv4 options or a
 * fragment, or to another MAC: every way out of parse_fast and of the
 * peer lookup.
 */
static size_t
head_frame(uint16_t port, uint8_t *buf)
{
	static const uint16_t tags[][2] = {
		{0, 0},		{0, 100},    {2000, 200}, {0, 300},
		{0, 301},	{2000, 201}, {2001, 200}, {0, 200},
		{0, MANY_VLAN}, {0, 4095},
	};
	static const char *const src4[] = {"192.0.2.7", "198.51.100.1",
					   "127.0.0.1", "10.1.2.3"};
	static const char *const dst4[] = {"203.0.113.5", "8.8.8.8",
					   "224.0.0.5", "0.1.2.3", "240.0.0.1"};
	static const char *const src6[] = {"2001:db8:1::7", "2001:db8:5::1",
					   "::1", "ff02::1"};
	static const char *const dst6[] = {"2001:db8:2::9", "2a00::1",
					   "ff02::1", "::ffff:1.2.3.4",
					   "ff01::2"};
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	const uint8_t *known[] = {mac_a, mac_b, mac_c, mac_d,	mac_e,
				  mac_f, mac_g, mac_h, stranger};
	static uint8_t mac[6];
	unsigned t = rnd(sizeof(tags) / sizeof(tags[0]));
	const struct ixg_spec_peer *sp = &spec->peers[rnd(spec->n_peers)];
	uint16_t outer = tags[t][0], vlan = tags[t][1];
	struct fspec f;
	unsigned k = rnd(10);
	size_t len;

	memset(&f, 0, sizeof(f));
	if (sp->port_id == port && rnd(4) != 0) {
		outer = sp->outer_vlan;
		vlan = sp->vlan;
		memcpy(mac, sp->macs[rnd(sp->n_macs)], 6);
	} else {
		memcpy(mac, known[rnd(9)], 6);
	}
	f.smac = mac;
	f.dmac = rnd(20) == 0	? bcast
		 : rnd(30) == 0 ? mac_a
				: tbl->ports[port].mac;
	f.n_vlans = outer ? 2 : vlan ? 1 : rnd(3) == 0;
	f.vid[0] = outer ? outer : vlan;
	f.vid[1] = vlan;
	f.family = k < 6 ? 4 : k < 9 ? 6 : 0;
	f.proto = rnd(4) == 0 ? 6 : rnd(5) == 0 ? (f.family == 4 ? 1 : 58) : 17;
	f.icmp_type = 8;
	f.arp_op = 1;
	if (f.family == 4) {
		f.src = rnd(6) ? src4[0] : src4[rnd(4)];
		f.dst = rnd(5) ? dst4[rnd(2)] : dst4[rnd(5)];
		if (rnd(20) == 0)
			f.ihl = 6;
		if (rnd(20) == 0)
			f.frag = 0x2000;
	} else if (f.family == 6) {
		f.src = rnd(6) ? src6[0] : src6[rnd(4)];
		f.dst = rnd(5) ? dst6[rnd(2)] : dst6[rnd(5)];
	} else {
		f.src = "192.0.2.7";
		f.dst = "192.0.2.1";
	}
	f.payload = rnd(3) * 7;
	len = build(&f, buf);
	/* cut short: parse_one's, dropped (charged or not) */
	if (rnd(15) == 0)
		len -= 1 + rnd((unsigned)len < 20 ? (unsigned)len : 20);
	return len;
}

/*
 * pipeline_head (what pipeline_run runs) against stage_parse,
 * stage_sample and stage_peer apart (pipeline_run_observed's), over random
 * bursts on ports 0..2, each sampling 1-in-3, 1-in-40, 1-in-1000, not at
 * all or every frame, its rate changed every 300 bursts (pipeline_head
 * and stage_sample share sample_quick, inlined in each): every byte of
 * the metadata, the burst's charged, parsed_fast and gathered, the charged
 * drops' source MAC words, the sampling state and records, the counters.
 */
static void
test_head_equals_stages(void **state)
{
	static const uint32_t rates[] = {3, 40, 1000, 0, 1};
	static struct head_side a, o;
	uint8_t buf[MAX_FRAME];
	unsigned round, i, p, fast = 0, peers = 0, dropped = 0, charged = 0;
	unsigned unsampled = 0;

	(void)state;
	head_side_init(&a);
	head_side_init(&o);
	for (round = 0; round < 3000; round++) {
		uint16_t port = (uint16_t)rnd(3);
		unsigned n = rnd(PIPELINE_BURST + 1);

		if (round % 300 == 0)
			for (p = 0; p < 3; p++)
				tbl->ports[p].sample_rate =
					rates[(round / 300 + p) % 5];

		dp_burst_init(&a.b, port);
		dp_burst_init(&o.b, port);
		for (i = 0; i < n; i++) {
			size_t len = head_frame(port, buf);

			a.b.pkts[a.b.n++] = dp_test_mbuf(buf, len, port);
			o.b.pkts[o.b.n++] = dp_test_mbuf(buf, len, port);
		}
		pipeline_head(&a.ctx, &a.b);
		stage_parse(&o.ctx, &o.b);
		stage_sample(&o.ctx, &o.b);
		stage_peer(&o.ctx, &o.b);
		for (i = 0; i < n; i++) {
			const struct pkt_meta *pm = &a.b.meta[i];

			assert_memory_equal(pm, &o.b.meta[i], sizeof(*pm));
			/* the charged drops' MACs, which peer_charge_parse_drops
			 * reads after the loop (the others: read at once) */
			if (o.b.charged >> i & 1)
				assert_memory_equal(&a.b.peer_smac[i],
						    &o.b.peer_smac[i], 8);
			peers += pm->in_peer != IXG_PEER_NONE;
			dropped += pm->verdict == VERDICT_DROP;
			rte_pktmbuf_free(a.b.pkts[i]);
			rte_pktmbuf_free(o.b.pkts[i]);
		}
		assert_int_equal(a.b.charged, o.b.charged);
		assert_int_equal(a.b.parsed_fast, o.b.parsed_fast);
		assert_int_equal(a.b.gathered, o.b.gathered);
		fast += (unsigned)__builtin_popcount(a.b.parsed_fast);
		charged += (unsigned)__builtin_popcount(a.b.charged);
		assert_int_equal(a.ctx.sample_n, o.ctx.sample_n);
		assert_memory_equal(a.ctx.sample_at, o.ctx.sample_at,
				    a.ctx.sample_n);
		unsampled += n > 0 && a.ctx.sample_n == 0 &&
			     tbl->ports[port].sample_rate > 1;
		/* what stage_output would do with the records */
		sample_complete(&a.ctx, &a.b);
		sample_complete(&o.ctx, &o.b);
		a.cursor.tail = a.ring->head;
		o.cursor.tail = o.ring->head;
	}
	assert_int_equal(a.ctx.sample_rng, o.ctx.sample_rng);
	assert_memory_equal(a.ctx.sample_skip, o.ctx.sample_skip,
			    sizeof(a.ctx.sample_skip));
	assert_memory_equal(a.ctx.ctr, o.ctx.ctr, sizeof(*a.ctx.ctr));
	assert_int_equal(a.ring->head, o.ring->head);
	for (i = 0; i < IXG_SAMPLE_RING_SIZE; i++)
		assert_memory_equal(&a.ring->rec[i], &o.ring->rec[i],
				    sizeof(a.ring->rec[i]));
	/* The mix reached the fast path, the peers, the drops. */
	assert_true(a.ring->head > 1000);
	assert_true(fast > 10000 && peers > 10000 && dropped > 5000);
	assert_true(charged > 100);
	assert_true(unsampled > 500);
	for (p = 0; p < 3; p++)
		tbl->ports[p].sample_rate = 0;
	head_side_free(&a);
	head_side_free(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_peers),
		cmocka_unit_test(test_unknown_peer),
		cmocka_unit_test(test_port_is_part_of_key),
		cmocka_unit_test(test_parse_drops_charged),
		cmocka_unit_test(test_full_burst),
		cmocka_unit_test(test_same_mac_two_vlans),
		cmocka_unit_test(test_qinq),
		cmocka_unit_test(test_many_macs_one_vlan),
		cmocka_unit_test(test_untagged),
		cmocka_unit_test(test_peer_with_two_macs),
		cmocka_unit_test(test_port_without_peers),
		cmocka_unit_test(test_mac_of_another_port),
		cmocka_unit_test(test_agrees_with_spec),
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_probe_spread),
		cmocka_unit_test(test_slot_runs),
		cmocka_unit_test(test_head_equals_stages),
	};
	struct ixg_spec_peer *p;
	struct ixg_spec *s;
	char mac[24];
	int rc;

	dp_test_eal_init("test_peer", 0);
	s = dp_spec_new();
	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_port(s, 1, "02:00:00:00:00:02");
	dp_spec_port(s, 2, "02:00:00:00:00:03");
	dp_spec_port(s, 3, "02:00:00:00:00:04");
	dp_spec_peer(s, 1, 0, 0, "02:00:00:00:0a:01", IXG_SAV_OFF);
	dp_spec_peer(s, 2, 0, 100, "02:00:00:00:0b:01", IXG_SAV_OFF);
	dp_spec_peer(s, 3, 0, 200, "02:00:00:00:0c:01", IXG_SAV_OFF)
		->outer_vlan = 2000;
	dp_spec_peer(s, 4, 0, 300, "02:00:00:00:0d:01", IXG_SAV_OFF);
	dp_spec_peer(s, 5, 0, 301, "02:00:00:00:0d:01", IXG_SAV_OFF);
	dp_spec_peer(s, 6, 0, 201, "02:00:00:00:0c:01", IXG_SAV_OFF)
		->outer_vlan = 2000;
	dp_spec_peer(s, 7, 0, 200, "02:00:00:00:0e:01", IXG_SAV_OFF)
		->outer_vlan = 2001;
	dp_spec_peer(s, 8, 0, 200, "02:00:00:00:0e:01", IXG_SAV_OFF);
	dp_spec_peer(s, 9, 1, 0, "02:00:00:00:0f:01", IXG_SAV_OFF);
	p = dp_spec_peer(s, 10, 0, 100, "02:00:00:00:10:01", IXG_SAV_OFF);
	p->n_macs = 2;
	dp_mac("02:00:00:00:10:02", p->macs[1]);
	dp_spec_peer(s, 11, 1, MANY_VLAN, "02:40:00:00:00:64", IXG_SAV_OFF);
	for (unsigned k = MANY_FIRST; k < MANY_FIRST + MANY_N; k++) {
		snprintf(mac, sizeof(mac), "02:40:00:00:%02x:%02x", k >> 8,
			 k & 0xff);
		p = dp_spec_peer(s, (uint16_t)k, 0, MANY_VLAN, mac,
				 IXG_SAV_OFF);
		p->n_macs = (uint8_t)many_n_macs(k);
		for (unsigned m = 1; m < p->n_macs; m++)
			many_mac(k, m, p->macs[m]);
	}
	for (unsigned k = 0; k < VRRP_N; k++) {
		snprintf(mac, sizeof(mac), "00:00:5e:00:01:%02x", k + 1);
		dp_spec_peer(s, (uint16_t)(VRRP_FIRST + k), 3, VRRP_VLAN, mac,
			     IXG_SAV_OFF);
	}
	dp_spec_local(s, 0, "2001:db8::1", 64);
	spec = s;
	tbl = dp_tables_build(s);
	dp_ctx_init(&ctx, tbl);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tables_free(tbl);
	dp_spec_free(s);
	return rc;
}
