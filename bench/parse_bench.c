/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * parse_bench.c - CPU cycles of stage_parse + stage_peer against the same
 * two stages as main had them before helper "parse" (commit eb95d54,
 * parse_ab_base.c), in one process, burst by burst by turns, so that the
 * load of a shared machine moves both sides alike.
 *
 *   parse_bench [--vlan] [--vrrp] [--head | --ab-head] [--aa] [ROUNDS]
 *   (ROUNDS: default 21)
 *
 * --head: side A is this tree's stage_parse, stage_sample and stage_peer
 * apart, side B the fused head, pipeline_head (the "parse alone" part
 * then runs stage_parse on both sides).
 * --ab-head: side A is main 380f375's pipeline_head (parse_ab_head.c, a
 * frozen copy), side B this tree's (the "parse alone" part: their
 * stage_parse); helper head6's A/B.
 * --aa: side B runs side A's code, the A/A beside an A/B: how far the
 * ratio strays from 1 with nothing to tell the sides apart.
 *
 * Traffic: 64 members on one port (untagged, or all on VLAN 100 with
 * --vlan), one MAC each (as ixgate-mkconfig writes them, 02:49:58:00:kk:01,
 * or with --vrrp differing in their last byte only, 00:00:5e:00:01:kk),
 * every frame from a member picked at random:
 * 70% IPv4 (64 B; UDP, TCP and ICMP echo 6:3:1), 30% IPv6 (UDP 78 B, TCP
 * 94 B, 2:1), random unicast addresses, correct IPv4 checksums and no RX
 * checksum flag (as net_pcap delivers them: the software sum runs).
 * Before timing, both sides run over every burst and their metadata must
 * match byte for byte (exit status 1 otherwise).
 *
 * Per round, AB_BURSTS bursts a side of both stages, then as many of
 * parse alone, each burst run by both sides, first one then the other
 * going first; each burst timed with rte_rdtsc; the median burst per side
 * and round, and the median over the rounds of the per-round ratio B/A
 * (and its range); the same of the ratio of the interquartile means
 * (iq_mean), finer than the medians on a VM's coarse TSC.
 * Results: bench/README.md, "Issue 12, parse and peer, second pass (helper
 * parse)" (and "... (helper parsepeer)" for the first, against 6a318f4;
 * --head: "Issue 12, the head of the pipeline (helper head2)").
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "parse_ab.h"
#include "pipeline.h"
#include "tables.h"

#define MEMBERS 64
#define N_FRAMES 1024 /* distinct frames, 32 bursts */
#define AB_BURSTS 20000 /* a side's bursts per round */
#define MAX_ROUNDS 101

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static const uint8_t port_mac[6] = {2, 0, 0, 0, 0, 1};

/* 0: as ixgate-mkconfig writes them (02:49:58:00:kk:01); 1: differing in
 * the last byte only, as VRRP's virtual MACs (00:00:5e:00:01:kk). */
static int vrrp_macs;

static void
member_mac(unsigned k, uint8_t *mac)
{
	static const uint8_t mk[6] = {2, 0x49, 0x58, 0, 0, 1};
	static const uint8_t vrrp[6] = {0, 0, 0x5e, 0, 1, 0};

	memcpy(mac, vrrp_macs ? vrrp : mk, 6);
	mac[vrrp_macs ? 5 : 4] = (uint8_t)(k + 1);
}

static struct tables *
make_tables(int vlan)
{
	static struct ixg_spec_peer peers[MEMBERS];
	struct ixg_spec_port port = {.id = 0, .mtu = 1500};
	struct ixg_spec spec = {
		.n_ports = 1,
		.ports = &port,
		.n_peers = MEMBERS,
		.peers = peers,
	};
	char err[256] = "";
	struct tables *t;
	unsigned k;

	memcpy(port.mac, port_mac, 6);
	snprintf(port.name, IXG_NAME_LEN, "p0");
	for (k = 0; k < MEMBERS; k++) {
		struct ixg_spec_peer *p = &peers[k];

		memset(p, 0, sizeof(*p));
		p->id = (uint16_t)(k + 1);
		p->port_id = 0;
		p->vlan = vlan ? 100 : IXG_VLAN_NONE;
		p->outer_vlan = IXG_VLAN_NONE;
		p->sav_mode = IXG_SAV_OFF;
		p->n_macs = 1;
		member_mac(k, p->macs[0]);
		snprintf(p->name, IXG_NAME_LEN, "m%u", k);
	}
	t = tables_build(&spec, 1, 1, err, sizeof(err));
	if (t == NULL)
		fprintf(stderr, "tables_build: %s\n", err);
	return t;
}

static void
ipv4_cksum(uint8_t *ip)
{
	uint32_t s = 0;
	unsigned i;

	put16(ip + 10, 0);
	for (i = 0; i < 20; i += 2)
		s += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	put16(ip + 10, (uint16_t)~s);
}

/* A unicast, non-martian first octet (1..223 but 127). */
static uint8_t
octet(void)
{
	uint8_t o = (uint8_t)(1 + rnd(223));

	return o == 127 ? 126 : o;
}

/* One frame from a random member into buf; its length. */
static size_t
make_frame(uint8_t *buf, int vlan)
{
	unsigned r = rnd(100), off = 14;
	uint8_t *ip, *l4;

	memset(buf, 0, 128);
	memcpy(buf, port_mac, 6);
	member_mac(rnd(MEMBERS), buf + 6);
	if (vlan) {
		put16(buf + 12, 0x8100);
		put16(buf + 14, 100);
		off = 18;
	}
	ip = buf + off;
	if (r < 70) {
		unsigned k = rnd(10);
		uint8_t proto = k < 6 ? 17 : k < 9 ? 6 : 1;
		unsigned l4len = proto == 6 ? 20 : 8;

		put16(ip - 2, 0x0800);
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + l4len));
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = proto;
		ip[12] = octet();
		ip[13] = (uint8_t)rnd(256);
		ip[14] = (uint8_t)rnd(256);
		ip[15] = (uint8_t)rnd(256);
		ip[16] = octet();
		ip[17] = (uint8_t)rnd(256);
		ip[18] = (uint8_t)rnd(256);
		ip[19] = (uint8_t)rnd(256);
		l4 = ip + 20;
		if (proto == 1) {
			l4[0] = 8;
		} else {
			put16(l4, (uint16_t)(1024 + rnd(60000)));
			put16(l4 + 2, (uint16_t)(1 + rnd(1024)));
			if (proto == 6)
				l4[12] = 5 << 4;
			else
				put16(l4 + 4, 8);
		}
		ipv4_cksum(ip);
		return off + 50 > 64 ? off + 50 : 64;
	} else {
		uint8_t proto = rnd(3) < 2 ? 17 : 6;
		unsigned l4len = proto == 6 ? 20 : 8, i;

		put16(ip - 2, 0x86dd);
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)(l4len + 16));
		ip[6] = proto;
		ip[7] = 64;
		put16(ip + 8, 0x2001);
		put16(ip + 24, 0x2a00);
		for (i = 10; i < 24; i++)
			ip[i] = (uint8_t)rnd(256);
		for (i = 26; i < 40; i++)
			ip[i] = (uint8_t)rnd(256);
		l4 = ip + 40;
		put16(l4, (uint16_t)(1024 + rnd(60000)));
		put16(l4 + 2, (uint16_t)(1 + rnd(1024)));
		if (proto == 6)
			l4[12] = 5 << 4;
		else
			put16(l4 + 4, (uint16_t)(l4len + 16));
		return off + 40 + l4len + 16;
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The mean of the middle half of n sorted burst times: finer than their
 * median, which moves in steps of the TSC's granularity on a VM (21 ticks
 * a burst here, 6% of one), and still blind to the slowest quarter (an
 * interrupt, a neighbour's burst).
 */
static double
iq_mean(const uint64_t *w, unsigned n)
{
	double s = 0;
	unsigned i;

	for (i = n / 4; i < n - n / 4; i++)
		s += (double)w[i];
	return s / (n - 2 * (n / 4));
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct burst bursts[2];

/* Burst j of the frames on side s (0: base, 1: this tree's stages). */
static void
load_burst(struct burst *b, struct rte_mbuf **mb, unsigned j)
{
	b->n = PIPELINE_BURST;
	b->port = 0;
	memcpy(b->pkts, &mb[(j * PIPELINE_BURST) % N_FRAMES],
	       PIPELINE_BURST * sizeof(mb[0]));
}

/* --head: side A this tree's stage_parse, stage_sample and stage_peer
 * apart, side B the fused head (pipeline_head; parse alone: stage_parse
 * on both sides). */
static int head_ab;
/* --ab-head: side A main 380f375's pipeline_head (parse alone: its
 * stage_parse), side B this tree's. */
static int head6_ab;
/* --aa: side 1 runs side 0's code. */
static int aa;

/* Side s (0: base, or with --head this tree's stages apart; 1: this
 * tree's stages, or with --head the fused head) over burst b: parse, and
 * peer unless parse_only. */
static int
run_side(struct pipeline_ctx *ctx, int side, struct burst *b, int parse_only)
{
	if (aa)
		side = 0;
	if (head6_ab) {
		if (parse_only)
			(side == 0 ? head5_stage_parse : stage_parse)(ctx, b);
		else
			(side == 0 ? head5_pipeline_head : pipeline_head)(ctx,
									  b);
		return 0;
	}
	if (head_ab) {
		if (side == 1 && !parse_only) {
			pipeline_head(ctx, b);
			return 0;
		}
		stage_parse(ctx, b);
		if (!parse_only) {
			stage_sample(ctx, b);
			stage_peer(ctx, b);
		}
		return 0;
	}
	if (side == 0) {
		if (base_parse(ctx->t, b) != 0)
			return -1;
		if (!parse_only)
			base_peer(ctx, b);
	} else {
		stage_parse(ctx, b);
		if (!parse_only)
			stage_peer(ctx, b);
	}
	return 0;
}

/* Both sides over every burst: the same metadata, all forwarded on. */
static int
check(struct pipeline_ctx *ctx, struct rte_mbuf **mb)
{
	for (unsigned j = 0; j < N_FRAMES / PIPELINE_BURST; j++) {
		for (int s = 0; s < 2; s++) {
			load_burst(&bursts[s], mb, j);
			if (run_side(ctx, s, &bursts[s], 0) != 0) {
				fprintf(stderr, "burst %u: base refused\n", j);
				return -1;
			}
		}
		for (unsigned i = 0; i < PIPELINE_BURST; i++) {
			const struct pkt_meta *a = &bursts[0].meta[i];

			if (memcmp(a, &bursts[1].meta[i], sizeof(*a)) != 0 ||
			    a->verdict != VERDICT_CONTINUE ||
			    a->in_peer == IXG_PEER_NONE) {
				fprintf(stderr, "burst %u packet %u differs\n",
					j, i);
				return -1;
			}
		}
		if (bursts[0].parsed_fast != bursts[1].parsed_fast)
			return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char *eal[] = {argv[0],
		       "--no-huge",
		       "-m",
		       "256",
		       "--no-shconf",
		       "--no-pci",
		       "--no-telemetry",
		       "--log-level=*:error",
		       "-l",
		       "0",
		       "--file-prefix",
		       "parse_bench",
		       NULL};
	static uint64_t w[2][AB_BURSTS], wp[2][AB_BURSTS];
	double a[MAX_ROUNDS], bb[MAX_ROUNDS], q[MAX_ROUNDS];
	double pa[MAX_ROUNDS], pb[MAX_ROUNDS], pq[MAX_ROUNDS];
	double mq[MAX_ROUNDS], pmq[MAX_ROUNDS];
	struct rte_mbuf *mb[N_FRAMES];
	struct rte_mempool *pool;
	struct pipeline_ctx ctx;
	struct tables *t;
	unsigned rounds = 21, r, i;
	int vlan = 0, ai = 1;

	for (; ai < argc && argv[ai][0] == '-'; ai++) {
		if (strcmp(argv[ai], "--vlan") == 0) {
			vlan = 1;
		} else if (strcmp(argv[ai], "--vrrp") == 0) {
			vrrp_macs = 1;
		} else if (strcmp(argv[ai], "--aa") == 0) {
			aa = 1;
		} else if (strcmp(argv[ai], "--head") == 0) {
			head_ab = 1;
		} else if (strcmp(argv[ai], "--ab-head") == 0) {
			head6_ab = 1;
		} else {
			fprintf(stderr, "usage: parse_bench [--vlan] [--vrrp] "
					"[--head | --ab-head] [--aa] "
					"[ROUNDS 1..101]\n");
			return 2;
		}
	}
	if (ai < argc) {
		rounds = (unsigned)strtoul(argv[ai], NULL, 0);
		if (rounds < 1 || rounds > MAX_ROUNDS) {
			fprintf(stderr, "usage: parse_bench [--vlan] [--vrrp] "
					"[--head | --ab-head] [--aa] "
					"[ROUNDS 1..101]\n");
			return 2;
		}
	}
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.t = t = make_tables(vlan);
	pool = rte_pktmbuf_pool_create("parse_bench", 2 * N_FRAMES - 1, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (ctx.t == NULL || pool == NULL ||
	    rte_pktmbuf_alloc_bulk(pool, mb, N_FRAMES) != 0)
		return 1;
	for (i = 0; i < N_FRAMES; i++) {
		uint8_t buf[128];
		size_t len = make_frame(buf, vlan);

		memcpy(rte_pktmbuf_append(mb[i], (uint16_t)len), buf, len);
	}
	if (check(&ctx, mb) != 0)
		return 1;
	for (r = 0; r < rounds; r++) {
		unsigned n[2] = {0, 0};

		/* parse and peer, then parse alone: each burst timed */
		for (unsigned k = 0; k < 4 * AB_BURSTS; k++) {
			/* each burst by both sides, which goes first
			 * taking turns: the second finds its frames
			 * in cache (an A/A read 0.83 with A always
			 * first) */
			const int side = (int)((k ^ k >> 1) & 1),
				  alone = k >= 2 * AB_BURSTS;
			struct burst *b = &bursts[side];
			uint64_t t0, t1;

			load_burst(b, mb, k / 2);
			t0 = rte_rdtsc();
			run_side(&ctx, side, b, alone);
			t1 = rte_rdtsc();
			if (alone)
				wp[side][n[side]++ - AB_BURSTS] = t1 - t0;
			else
				w[side][n[side]++] = t1 - t0;
		}
		n[0] = n[1] = AB_BURSTS;
		for (int s = 0; s < 2; s++) {
			qsort(w[s], n[s], sizeof(uint64_t), cmp_u64);
			qsort(wp[s], n[s], sizeof(uint64_t), cmp_u64);
		}
		a[r] = (double)w[0][n[0] / 2] / PIPELINE_BURST;
		bb[r] = (double)w[1][n[1] / 2] / PIPELINE_BURST;
		q[r] = bb[r] / a[r];
		mq[r] = iq_mean(w[1], n[1]) / iq_mean(w[0], n[0]);
		pa[r] = (double)wp[0][n[0] / 2] / PIPELINE_BURST;
		pb[r] = (double)wp[1][n[1] / 2] / PIPELINE_BURST;
		pq[r] = pb[r] / pa[r];
		pmq[r] = iq_mean(wp[1], n[1]) / iq_mean(wp[0], n[0]);
	}
	qsort(a, rounds, sizeof(double), cmp_dbl);
	qsort(bb, rounds, sizeof(double), cmp_dbl);
	qsort(q, rounds, sizeof(double), cmp_dbl);
	qsort(pa, rounds, sizeof(double), cmp_dbl);
	qsort(pb, rounds, sizeof(double), cmp_dbl);
	qsort(pq, rounds, sizeof(double), cmp_dbl);
	qsort(mq, rounds, sizeof(double), cmp_dbl);
	qsort(pmq, rounds, sizeof(double), cmp_dbl);
	printf("parse+peer, %s, %u members (%s MACs), %u rounds x %u bursts "
	       "a side: "
	       "A (%s) %.1f, B (%s) %.1f cycles/packet "
	       "(median burst); B/A %.3f [%.3f-%.3f]\n",
	       vlan ? "VLAN 100" : "untagged", MEMBERS,
	       vrrp_macs ? "VRRP-like" : "mkconfig", rounds, AB_BURSTS,
	       head6_ab	 ? "main 380f375's head"
	       : head_ab ? "apart"
			 : "main eb95d54",
	       a[rounds / 2],
	       head6_ab	 ? "this tree's head"
	       : head_ab ? "pipeline_head"
			 : "this tree",
	       bb[rounds / 2], q[rounds / 2], q[0], q[rounds - 1]);
	printf("  stage_parse alone: A %.1f, B %.1f; B/A %.3f [%.3f-%.3f]\n",
	       pa[rounds / 2], pb[rounds / 2], pq[rounds / 2], pq[0],
	       pq[rounds - 1]);
	printf("  interquartile means: B/A %.3f [%.3f-%.3f], stage_parse "
	       "alone %.3f [%.3f-%.3f]\n",
	       mq[rounds / 2], mq[0], mq[rounds - 1], pmq[rounds / 2], pmq[0],
	       pmq[rounds - 1]);
	rte_pktmbuf_free_bulk(mb, N_FRAMES);
	rte_mempool_free(pool);
	tables_free(t);
	rte_eal_cleanup();
	return 0;
}
