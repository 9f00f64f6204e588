/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stage_bench.c - cycles per packet of the packet-handling stages
 * (handling[] below: parse, peer, lookup, local, route, rewrite, output,
 * in PIPELINE_STAGES order) on bursts of 32 forwarded frames, timed with
 * rte_rdtsc around the stage calls only (the frame refill between bursts
 * is outside the window). One route, untagged in -> VLAN 100 out.
 *
 *   stage_bench [PACKETS] [EAL args...]   (default 10M packets)
 *   stage_bench --ab-local [ROUNDS]       (default 21 rounds)
 *   stage_bench --ab-tail [ROUNDS]        (default 21 rounds)
 *
 * --ab-local: the same stages over the same frames, by turns (burst by
 * burst) with stage_local's first pass over every packet (side A: the
 * burst's parsed_fast cleared after stage_parse, what stage_local did
 * before it skipped parse_fast's packets) and as pipeline_run runs it
 * (side B). Each burst is timed; per round and side the median burst,
 * and the median over the rounds of the per-round ratio B/A, so the
 * load of a shared machine moves both sides alike.
 *
 * --ab-tail: the same, with the tail as the two stage calls
 * (stage_rewrite, stage_output: what pipeline_run_observed runs, side A)
 * and as pipeline_run runs it, in one pass (pipeline_tail, side B).
 *
 * Runs without hugepages by default (--no-huge --no-shconf; DPDK 22.11
 * refuses --no-huge with --in-memory when linked dynamically here).
 *
 * Results: bench/README.md ("Per stage").
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "pipeline.h"
#include "tables.h"

/* The stages that handle every packet whatever the config enables; the
 * others (source validation, ACL, countries, policer) are features. */
static const bool handling[PIPELINE_N_STAGES] = {
	[PIPELINE_STAGE_PARSE] = true,	[PIPELINE_STAGE_PEER] = true,
	[PIPELINE_STAGE_LOOKUP] = true, [PIPELINE_STAGE_LOCAL] = true,
	[PIPELINE_STAGE_ROUTE] = true,	[PIPELINE_STAGE_REWRITE] = true,
	[PIPELINE_STAGE_OUTPUT] = true,
};

static uint8_t frame4[64], frame6[78];
static size_t len4, len6;

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* 64-byte UDP/IPv4 and 78-byte UDP/IPv6 frames from peer 1 to peer 2. */
static void
make_frames(void)
{
	static const uint8_t port0[6] = {2, 0, 0, 0, 0, 1};
	static const uint8_t peer1[6] = {2, 0, 0, 0, 1, 1};
	uint32_t s = 0;
	unsigned i;

	memcpy(frame4, port0, 6);
	memcpy(frame4 + 6, peer1, 6);
	put16(frame4 + 12, 0x0800);
	frame4[14] = 0x45;
	put16(frame4 + 16, 50);
	frame4[22] = 64;
	frame4[23] = 17;
	inet_pton(AF_INET, "198.51.100.1", frame4 + 26);
	inet_pton(AF_INET, "203.0.113.1", frame4 + 30);
	for (i = 0; i < 20; i += 2)
		s += (uint32_t)frame4[14 + i] << 8 | frame4[15 + i];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	put16(frame4 + 24, (uint16_t)~s);
	put16(frame4 + 34, 1234);
	put16(frame4 + 36, 53);
	put16(frame4 + 38, 30);
	len4 = 64;

	memcpy(frame6, port0, 6);
	memcpy(frame6 + 6, peer1, 6);
	put16(frame6 + 12, 0x86dd);
	frame6[14] = 0x60;
	put16(frame6 + 18, 24);
	frame6[20] = 17;
	frame6[21] = 64;
	inet_pton(AF_INET6, "2001:db8:1::1", frame6 + 22);
	inet_pton(AF_INET6, "2001:db8:2::1", frame6 + 38);
	put16(frame6 + 54, 1234);
	put16(frame6 + 56, 53);
	put16(frame6 + 58, 24);
	len6 = 78;
}

static struct tables *
make_tables(void)
{
	struct ixg_spec_port ports[2] = {
		{.id = 0, .mtu = 1500, .mac = {2, 0, 0, 0, 0, 1}},
		{.id = 1, .mtu = 1500, .mac = {2, 0, 0, 0, 0, 2}},
	};
	struct ixg_spec_peer peers[2] = {
		{.id = 1,
		 .port_id = 0,
		 .n_macs = 1,
		 .macs = {{2, 0, 0, 0, 1, 1}}},
		{.id = 2,
		 .port_id = 1,
		 .vlan = 100,
		 .n_macs = 1,
		 .macs = {{2, 0, 0, 0, 2, 1}}},
	};
	struct ixg_spec_route4 r4 = {
		.addr = 0xcb007100, .len = 24, .peer_id = 2};
	struct ixg_spec_route6 r6 = {.len = 48, .peer_id = 2};
	ixg_cc_t cc[1] = {IXG_CC('-', '-')};
	struct ixg_spec spec = {
		.n_ports = 2,
		.ports = ports,
		.n_peers = 2,
		.peers = peers,
		.n_routes4 = 1,
		.routes4 = &r4,
		.n_routes6 = 1,
		.routes6 = &r6,
		.n_countries = 1,
		.countries = cc,
	};
	char err[256] = "";
	struct tables *t;

	snprintf(ports[0].name, IXG_NAME_LEN, "p0");
	snprintf(ports[1].name, IXG_NAME_LEN, "p1");
	snprintf(peers[0].name, IXG_NAME_LEN, "a");
	snprintf(peers[1].name, IXG_NAME_LEN, "b");
	peers[0].sav_mode = IXG_SAV_OFF;
	peers[1].sav_mode = IXG_SAV_OFF;
	inet_pton(AF_INET6, "2001:db8:2::", r6.addr);
	t = tables_build(&spec, 1, 1, err, sizeof(err));
	if (t == NULL)
		fprintf(stderr, "tables_build: %s\n", err);
	return t;
}

/* Cycles per packet over `n` packets of `frame`. */
static double
run(struct pipeline_ctx *ctx, struct rte_mbuf **mb, const uint8_t *frame,
    size_t len, uint64_t n)
{
	static struct burst_out out_;
	static struct burst burst_;
	struct burst_out *out = &out_;
	struct burst *b = &burst_;
	uint64_t done, cycles = 0;
	unsigned i;

	for (done = 0; done < n; done += PIPELINE_BURST) {
		uint64_t t0;

		b->n = PIPELINE_BURST;
		b->port = 0;
		for (i = 0; i < PIPELINE_BURST; i++) {
			struct rte_mbuf *m = mb[i];

			rte_pktmbuf_reset(m);
			memcpy(rte_pktmbuf_append(m, (uint16_t)len), frame,
			       len);
			b->pkts[i] = m;
		}
		out->n[1] = 0;
		t0 = rte_rdtsc();
		/* The handling stages as pipeline_run calls them (the tail
		 * fused). */
#define X_HANDLING(id, name, args)                                             \
	if (handling[PIPELINE_STAGE_##id])                                     \
		PIPELINE_CALL(name, args);
		PIPELINE_HEAD_STAGES(X_HANDLING)
#undef X_HANDLING
		pipeline_tail(ctx, b, out);
		cycles += rte_rdtsc() - t0;
		if (out->n[1] != PIPELINE_BURST) {
			fprintf(stderr, "not forwarded: %u of %u\n", out->n[1],
				PIPELINE_BURST);
			exit(1);
		}
	}
	return (double)cycles / (double)done;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#define AB_BURSTS 20000 /* x 3: a side's bursts per round, a third IPv6 */
#define AB_MAX_ROUNDS 101

/*
 * --ab-local / --ab-tail: per round, AB_BURSTS bursts of each side, alternated, of
 * IPv4 frames then every third pair IPv6 (about the benchmarks' 70/30); writes the
 * median burst of each side (cycles a packet) of each round to a[] and
 * b[].
 */
enum ab_mode {
	AB_LOCAL, /* A: parsed_fast cleared after parse; B: as run */
	AB_TAIL, /* A: stage_rewrite, stage_output; B: pipeline_tail */
};

static void
ab_round(struct pipeline_ctx *ctx, struct rte_mbuf **mb, enum ab_mode mode,
	 double *side_a, double *side_b)
{
	static uint64_t w[2][3 * AB_BURSTS];
	static struct burst_out out_;
	static struct burst burst_;
	struct burst_out *out = &out_;
	struct burst *b = &burst_;
	unsigned k, i, n[2] = {0, 0};

	for (k = 0; k < 2 * 3 * AB_BURSTS; k++) {
		const int side = (int)(k & 1), v6 = (k / 2) % 3 == 2;
		const uint8_t *frame = v6 ? frame6 : frame4;
		const size_t len = v6 ? len6 : len4;
		uint64_t t0;

		b->n = PIPELINE_BURST;
		b->port = 0;
		for (i = 0; i < PIPELINE_BURST; i++) {
			struct rte_mbuf *m = mb[i];

			rte_pktmbuf_reset(m);
			memcpy(rte_pktmbuf_append(m, (uint16_t)len), frame,
			       len);
			b->pkts[i] = m;
		}
		out->n[1] = 0;
		t0 = rte_rdtsc();
#define X_AB(id, name, args)                                                   \
	if (handling[PIPELINE_STAGE_##id]) {                                   \
		PIPELINE_CALL(name, args);                                     \
		if (PIPELINE_STAGE_##id == PIPELINE_STAGE_PARSE &&             \
		    side == 0 && mode == AB_LOCAL)                             \
			b->parsed_fast = 0;                                    \
	}
#define X_AB_TAIL(id, name, args)                                              \
	if (handling[PIPELINE_STAGE_##id])                                     \
		PIPELINE_CALL(name, args);
		if (mode == AB_LOCAL) {
			PIPELINE_STAGES(X_AB)
		} else if (side == 0) {
			PIPELINE_HEAD_STAGES(X_AB)
			PIPELINE_TAIL_STAGES(X_AB_TAIL)
		} else {
			PIPELINE_HEAD_STAGES(X_AB)
			pipeline_tail(ctx, b, out);
		}
#undef X_AB_TAIL
#undef X_AB
		w[side][n[side]++] = rte_rdtsc() - t0;
		if (out->n[1] != PIPELINE_BURST) {
			fprintf(stderr, "not forwarded: %u of %u\n", out->n[1],
				PIPELINE_BURST);
			exit(1);
		}
	}
	qsort(w[0], n[0], sizeof(uint64_t), cmp_u64);
	qsort(w[1], n[1], sizeof(uint64_t), cmp_u64);
	*side_a = (double)w[0][n[0] / 2] / PIPELINE_BURST;
	*side_b = (double)w[1][n[1] / 2] / PIPELINE_BURST;
}

int
main(int argc, char **argv)
{
	char *eal[] = {argv[0],
		       "--no-huge",
		       "-m",
		       "512",
		       "--no-shconf",
		       "--no-pci",
		       "--no-telemetry",
		       "--log-level=*:error",
		       "-l",
		       "0",
		       "--file-prefix",
		       "stage_bench",
		       NULL};
	const int ab_tail = argc > 1 && strcmp(argv[1], "--ab-tail") == 0;
	const int ab = ab_tail ||
		       (argc > 1 && strcmp(argv[1], "--ab-local") == 0);
	uint64_t n = argc > 1 + ab ? strtoull(argv[1 + ab], NULL, 0)
		     : ab	   ? 21
				   : 10000000;
	struct rte_mbuf *mb[PIPELINE_BURST];
	struct rte_mempool *pool;
	struct pipeline_ctx ctx;
	struct tables *t;

	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	make_frames();
	t = make_tables();
	pool = rte_pktmbuf_pool_create(
		"bench", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (t == NULL || pool == NULL ||
	    rte_pktmbuf_alloc_bulk(pool, mb, PIPELINE_BURST) != 0)
		return 1;
	memset(&ctx, 0, sizeof(ctx));
	ctx.t = t;
	ctx.tsc_hz = rte_get_tsc_hz();
	ctx.ctr = rte_zmalloc("ctr", sizeof(*ctx.ctr), 64);
	if (ctx.ctr == NULL)
		return 1;

	printf("stages");
	for (unsigned st = 0; st < PIPELINE_N_STAGES; st++)
		if (handling[st])
			printf(" %s", pipeline_stage_name(st));
	printf("\n");
	run(&ctx, mb, frame4, len4, 1000000); /* warm caches and FIBs */
	if (ab) {
		double a[AB_MAX_ROUNDS], bb[AB_MAX_ROUNDS], q[AB_MAX_ROUNDS];
		unsigned r, rounds = n < 1		 ? 1
				     : n > AB_MAX_ROUNDS ? AB_MAX_ROUNDS
							 : (unsigned)n;

		for (r = 0; r < rounds; r++) {
			ab_round(&ctx, mb, ab_tail ? AB_TAIL : AB_LOCAL, &a[r],
				 &bb[r]);
			q[r] = bb[r] / a[r];
		}
		qsort(a, rounds, sizeof(double), cmp_dbl);
		qsort(bb, rounds, sizeof(double), cmp_dbl);
		qsort(q, rounds, sizeof(double), cmp_dbl);
		if (ab_tail)
			printf("--ab-tail, %u rounds x %u bursts a side (2/3 "
			       "IPv4): A (stage_rewrite, stage_output) %.1f, B "
			       "(pipeline_tail, fused) %.1f cycles/packet "
			       "(median burst); B/A %.3f [%.3f-%.3f]\n",
			       rounds, 3 * AB_BURSTS, a[rounds / 2],
			       bb[rounds / 2], q[rounds / 2], q[0],
			       q[rounds - 1]);
		else
			printf("--ab-local, %u rounds x %u bursts a side (2/3 "
			       "IPv4): A (local visits every packet) %.1f, B "
			       "(skips parse_fast's) %.1f cycles/packet "
			       "(median "
			       "burst); B/A %.3f [%.3f-%.3f]\n",
			       rounds, 3 * AB_BURSTS, a[rounds / 2],
			       bb[rounds / 2], q[rounds / 2], q[0],
			       q[rounds - 1]);
		rte_pktmbuf_free_bulk(mb, PIPELINE_BURST);
		tables_free(t);
		rte_eal_cleanup();
		return 0;
	}
	printf("stages parse..output, UDP/IPv4 64B, untagged -> VLAN: "
	       "%.1f cycles/packet\n",
	       run(&ctx, mb, frame4, len4, n));
	printf("stages parse..output, UDP/IPv6 78B, untagged -> VLAN: "
	       "%.1f cycles/packet\n",
	       run(&ctx, mb, frame6, len6, n));
	printf("tsc %" PRIu64 " Hz, %" PRIu64 " packets each\n",
	       rte_get_tsc_hz(), n);
	rte_pktmbuf_free_bulk(mb, PIPELINE_BURST);
	tables_free(t);
	rte_eal_cleanup();
	return 0;
}
