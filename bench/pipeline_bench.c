/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pipeline_bench.c - cycles per packet of the whole pipeline (pipeline_run:
 * parse .. output, every stage, every counter) on a full-size table
 * (bench/fullspec.c: 1.2M IPv4 + 300k IPv6 routes, 4,095 peers, strict
 * source validation, 10k ACL rules, countries, policers), on one core,
 * without ports: frames are copied into mbufs from templates and handed to
 * pipeline_run() in bursts of 32, as a worker would after rte_eth_rx_burst.
 *
 *   pipeline_bench [options] [-- EAL args]
 *     --packets N     timed packets per scenario, over all rounds
 *                     (default 20M; 200k with --callgrind)
 *     --frames N      distinct template frames, multiple of 32 (8192)
 *     --seed N        spec and traffic seed (1)
 *     --scenarios L   comma list of full,full_v4,full_v6,full_noacl,small
 *     --rounds N      interleaved rounds, medians reported (5)
 *     --mem MB        EAL memory without hugepages (default 3072)
 *     --memory        also build each part of the full tables alone and
 *                     report its memory (rte_malloc heap growth)
 *     --no-stages     skip the per-stage breakdown
 *     --callgrind     one round, a callgrind dump per scenario: run under
 *                     valgrind --tool=callgrind --fair-sched=yes
 *                     --collect-atstart=no --toggle-collect=pipeline_run
 *     --selftest      small spec, correctness checks, exit status (meson)
 *     --ab-prefetch   per round, also a pass of the stages called one
 *                     after the other, by turns with stage_sav_simple
 *                     (A) and stage_sav (B, its prefetch of the
 *                     multi-peer SAV sets) on alternate bursts, each
 *                     burst timed; per side the median burst (a burst
 *                     the scheduler interrupted is an outlier); reports
 *                     both and the median of the rounds' B/A ratios
 *     --ab-root6      the same A/B, side A on a copy of the tables whose
 *                     IPv6 route and SAV FIBs have 16-bit roots
 *                     (lpm_copy_root16), side B on the tables as built
 *                     (24-bit roots past 32,768 groups); both run
 *                     stage_sav. --ab-root6 --ab-same: both sides on the
 *                     tables as built (A/A)
 *     --root16        every pass on side A's tables (the 16-bit IPv6
 *                     roots): for callgrind / cachegrind runs of the
 *                     layout before
 *     --ab-walk6      the same A/B, side A calling stage_lookup_chained
 *                     (each IPv6 packet's group levels walked one packet
 *                     after the other), side B stage_lookup (the first
 *                     level taken by the gather, across the burst); both
 *                     stage_sav.
 *                     --ab-walk6 --ab-same: stage_lookup both (A/A)
 *     --ab-tailpf     the same A/B on pipeline_run's calls, side A's
 *                     tail pipeline_tail, side B's
 *                     pipeline_tail_prefetch (each packet's peer pair
 *                     slot and country pair cell prefetched 4 packets
 *                     ahead). --ab-tailpf --ab-same: pipeline_tail both
 *     --ab-deadline   the same A/B, side A calling stage_policer_period
 *                     (class 0's period test on time_tc), side B
 *                     stage_policer (now < deadline).
 *                     --ab-deadline --ab-same: stage_policer both (A/A)
 *
 * Without EAL args after "--" it runs on anonymous memory:
 *   --no-huge -m MB --no-shconf --no-pci --no-telemetry -l 0
 * (DPDK 22.11 as packaged here refuses --no-huge together with
 * --in-memory; --no-shconf gives the same "no files, no other process").
 *
 * Timing: rte_rdtsc() right before and after pipeline_run() for each burst
 * (the frame copy and the freeing of forwarded mbufs, which TX would do,
 * stay outside); the cost of one rdtsc pair is measured and subtracted.
 * As a cross-check the whole loop is also timed and the refill-only loop
 * subtracted from it. The per-stage pass calls the stages one by one in
 * pipeline_run's order with an rdtsc between each.
 *
 * Scenarios run interleaved, round by round (a noisy neighbour on this
 * shared VM then hits them all alike); each figure is the median of the
 * rounds. Prints a human table on stderr and one JSON line on stdout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_version.h>

#ifdef IXG_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

#include "benchutil.h"
#include "fullspec.h"
#include "pipeline.h"
#include "tables.h"

#define FRAME_MAX 128
#define MIN_FRAME 64 /* bytes in the mbuf, FCS excluded (RFC 2544 size) */
#define N_PORTS 2
#define MAX_ROUNDS 32
#define N_MEM 8 /* parts in the memory breakdown */

struct frame {
	uint16_t len;
	uint16_t port;
	uint8_t family;
	uint8_t data[FRAME_MAX];
};

/* The per-stage breakdown follows PIPELINE_STAGES (pipeline.h). */
#define ST_N PIPELINE_N_STAGES

struct scenario {
	const char *name;
	const char *descr;
	int small; /* 16-route tables instead of the full ones */
	int no_acl; /* the full tables with the ACL left out */
	unsigned v4_pct; /* share of IPv4 frames */
	int selected;
	/* while running */
	struct frame *frames;
	const struct tables *t;
	struct tables *view16; /* --ab-root6, --root16: side A's tables */
	const struct tables *built; /* the tables view16 copies */
	struct tables *view; /* full_noacl: the snapshot minus its ACL */
	double r_cpp[MAX_ROUNDS], r_raw[MAX_ROUNDS], r_sub[MAX_ROUNDS];
	double r_refill[MAX_ROUNDS], r_stage[ST_N][MAX_ROUNDS];
	double r_ab[2][MAX_ROUNDS]; /* --ab-prefetch: simple, prefetch */
	/* results: medians over the rounds */
	int ran;
	uint64_t packets; /* timed, all rounds */
	double cpp; /* pipeline_run, rdtsc pair subtracted */
	double cpp_min; /* the best round */
	double cpp_raw; /* as measured */
	double cpp_sub; /* (whole loop - refill loop) / packets */
	double refill_cpp; /* alloc + copy + free per packet */
	double stage[ST_N];
	double stage_sum;
	double ab[2], ab_ratio; /* --ab-prefetch medians, prefetch / simple */
	double avg_len;
	struct ixg_lcore_counters *ctr; /* counters of the timed pass */
};

static struct scenario scenarios[] = {
	{"full", "full table, full pipeline, 70% IPv4 / 30% IPv6", 0, 0, 70},
	{"full_v4", "full table, full pipeline, IPv4 only", 0, 0, 100},
	{"full_v6", "full table, full pipeline, IPv6 only", 0, 0, 0},
	{"full_noacl", "full table, ACL left out, 70/30", 0, 1, 70},
	{"small", "16+16 routes, 4 peers, no ACL, 70/30", 1, 0, 70},
};

#define N_SCEN (sizeof(scenarios) / sizeof(scenarios[0]))

struct build_result {
	int done;
	double seconds;
	uint64_t prefixes;
	size_t heap_bytes;
	long long rss_bytes; /* process RSS growth, --no-huge memory included */
	char error[512];
};

static struct {
	uint64_t packets;
	unsigned frames;
	uint64_t seed;
	unsigned mem_mb;
	unsigned rounds;
	int memory;
	int stages;
	int callgrind;
	int selftest;
	int ab_prefetch; /* any A/B: --ab-prefetch or --ab-root6 */
	int ab_root6, ab_same, root16;
	int ab_walk6; /* --ab-walk6 */
	int ab_tailpf; /* --ab-tailpf */
	int ab_deadline; /* --ab-deadline */
	double spec_seconds;
	double tsc_overhead;
	struct build_result b_routes, b_full, b_small;
	struct ixg_spec full, small;
	char eal_line[512];
	int mem_done;
	const char *mem_names[N_MEM];
	size_t mem_part[N_MEM];
	double mem_secs[N_MEM];
} opt = {
	.rounds = 5,
	.packets = 0,
	.frames = 8192,
	.seed = 1,
	.mem_mb = 3072,
	.stages = 1,
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t
heap_used(void)
{
	size_t sum = 0;

	for (unsigned i = 0; i < rte_socket_count(); i++) {
		struct rte_malloc_socket_stats st;

		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) ==
		    0)
			sum += st.heap_allocsz_bytes;
	}
	return sum;
}

static size_t
rss_now(void)
{
	unsigned long size = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &rss) != 2)
		rss = 0;
	fclose(f);
	return (size_t)rss * (size_t)sysconf(_SC_PAGESIZE);
}

static struct tables *
build_tables(const struct ixg_spec *spec, uint64_t gen, struct build_result *r)
{
	size_t h0 = heap_used(), m0 = rss_now();
	double t0 = now_s();
	struct tables *t;

	t = tables_build(spec, 1, gen, r->error, sizeof(r->error));
	r->seconds = now_s() - t0;
	r->prefixes = (uint64_t)spec->n_routes4 + spec->n_routes6;
	r->heap_bytes = heap_used() - h0;
	r->rss_bytes = (long long)rss_now() - (long long)m0;
	r->done = t != NULL;
	if (t == NULL)
		fprintf(stderr,
			"tables_build (%" PRIu64 " routes): %s "
			"(errno %d: %s), %.2f s\n",
			r->prefixes, r->error, errno, strerror(errno),
			r->seconds);
	else
		fprintf(stderr,
			"tables_build: %" PRIu64 " routes in %.2f s "
			"(%.2f M routes/s), heap %.1f MiB, RSS %+.1f MiB\n",
			r->prefixes, r->seconds,
			(double)r->prefixes / r->seconds / 1e6,
			(double)r->heap_bytes / 1048576.0,
			(double)r->rss_bytes / 1048576.0);
	return t;
}

/* ------------------------------------------------------------------ */
/* Frames.                                                             */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
ipv4_cksum(const uint8_t *h)
{
	uint32_t s = 0;

	for (unsigned i = 0; i < 20; i += 2)
		s += (uint32_t)h[i] << 8 | h[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/*
 * Destination port mix of exchange traffic: mostly HTTPS and HTTP, some
 * DNS, the rest spread over the port space.
 */
static uint16_t
pick_dport(struct fullspec_rng *r)
{
	uint32_t u = fullspec_rng_below(r, 100);

	if (u < 40)
		return 443;
	if (u < 55)
		return 80;
	if (u < 60)
		return 53;
	return (uint16_t)(1 + fullspec_rng_below(r, 65535));
}

static const struct ixg_spec_peer *
spec_peer(const struct ixg_spec *s, uint16_t id)
{
	/* fullspec gives peer id i + 1 to peers[i]. */
	return id >= 1 && id <= s->n_peers ? &s->peers[id - 1] : NULL;
}

/*
 * One frame: from a peer on `port` whose allowed sources hold the source,
 * to a destination drawn uniformly over the routed prefixes of the family
 * that the FIB sends to another peer (no hairpin, blackhole or local
 * address). Returns 0, or -1 if no such frame was found.
 */
static int
make_frame(const struct ixg_spec *s, const struct tables *t,
	   struct fullspec_rng *r, uint16_t port, int fam, struct frame *f)
{
	const struct ixg_spec_peer *pe = NULL;
	uint32_t n_src = fam == 4 ? s->n_sources4 : s->n_sources6;
	uint32_t n_dst = fam == 4 ? s->n_routes4 : s->n_routes6;
	uint8_t src[16] = {0}, dst[16] = {0};
	uint8_t *p = f->data, *ip, proto;
	unsigned tries, l2, l4len, iplen;
	uint16_t in_peer = 0;

	if (n_src == 0 || n_dst == 0)
		return -1;
	/* Ingress peer weighted by its number of allowed prefixes. */
	for (tries = 0; tries < 1000; tries++) {
		uint32_t i = fullspec_rng_below(r, n_src);

		if (fam == 4) {
			const struct ixg_spec_route4 *sp = &s->sources4[i];
			uint32_t a = htonl(
				fullspec_addr4_in(r, sp->addr, sp->len));

			in_peer = sp->peer_id;
			memcpy(src, &a, 4);
		} else {
			const struct ixg_spec_route6 *sp = &s->sources6[i];

			in_peer = sp->peer_id;
			fullspec_addr6_in(r, sp->addr, sp->len, src);
		}
		pe = spec_peer(s, in_peer);
		if (pe != NULL && pe->port_id == port)
			break;
	}
	if (tries == 1000)
		return -1;
	for (tries = 0; tries < 1000; tries++) {
		uint64_t nh = 0;

		if (fam == 4) {
			const struct ixg_spec_route4 *rt =
				&s->routes4[fullspec_rng_below(r, n_dst)];
			uint32_t a = fullspec_addr4_in(r, rt->addr, rt->len);
			uint32_t an = htonl(a);

			nh = tbl_leaf_nh(lpm4_lookup(t->route4, a));
			memcpy(dst, &an, 4);
		} else {
			const struct ixg_spec_route6 *rt =
				&s->routes6[fullspec_rng_below(r, n_dst)];
			uint8_t a6[1][16];

			fullspec_addr6_in(r, rt->addr, rt->len, a6[0]);
			nh = tbl_leaf_nh(lpm6_lookup(t->route6, a6[0]));
			memcpy(dst, a6[0], 16);
		}
		if (nh != NH_NONE && nh < IXG_MAX_PEERS && nh != in_peer)
			break;
	}
	if (tries == 1000)
		return -1;

	memset(f, 0, sizeof(*f));
	f->port = port;
	f->family = (uint8_t)fam;
	memcpy(p, s->ports[port].mac, 6);
	memcpy(p + 6, pe->macs[fullspec_rng_below(r, pe->n_macs)], 6);
	l2 = 12;
	if (pe->outer_vlan != IXG_VLAN_NONE) {
		put16(p + l2, 0x88a8);
		put16(p + l2 + 2, pe->outer_vlan);
		l2 += 4;
	}
	if (pe->vlan != IXG_VLAN_NONE) {
		put16(p + l2, 0x8100);
		put16(p + l2 + 2, pe->vlan);
		l2 += 4;
	}
	put16(p + l2, fam == 4 ? 0x0800 : 0x86dd);
	l2 += 2;
	proto = fullspec_rng_below(r, 100) < 60 ? 6 : 17;
	l4len = proto == 6 ? 20 : 8;
	iplen = fam == 4 ? 20 : 40;
	f->len = (uint16_t)(l2 + iplen + l4len);
	if (f->len < MIN_FRAME)
		f->len = MIN_FRAME;
	ip = p + l2;
	if (fam == 4) {
		ip[0] = 0x45;
		ip[1] = fullspec_rng_below(r, 100) < 5 ? 46 << 2 : 0;
		put16(ip + 2, (uint16_t)(f->len - l2));
		put16(ip + 4, (uint16_t)fullspec_rng_next(r));
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		put16(ip + 10, ipv4_cksum(ip));
	} else {
		uint8_t tc = fullspec_rng_below(r, 100) < 5 ? 46 << 2 : 0;
		uint32_t flow = (uint32_t)fullspec_rng_next(r) & 0xfffff;

		ip[0] = (uint8_t)(0x60 | tc >> 4);
		ip[1] = (uint8_t)(tc << 4 | flow >> 16);
		put16(ip + 2, (uint16_t)flow);
		put16(ip + 4, (uint16_t)(f->len - l2 - 40));
		ip[6] = proto;
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
	}
	ip += iplen;
	put16(ip, (uint16_t)(1024 + fullspec_rng_below(r, 64512)));
	put16(ip + 2, pick_dport(r));
	if (proto == 17) {
		put16(ip + 4, (uint16_t)(f->len - l2 - iplen));
	} else {
		put16(ip + 4, (uint16_t)fullspec_rng_next(r));
		ip[12] = 5 << 4; /* data offset */
		ip[13] = 0x10; /* ACK */
		put16(ip + 14, 65535);
	}
	return 0;
}

/*
 * nf frames (multiple of PIPELINE_BURST), each burst of 32 from one port
 * (alternating), v4_pct% IPv4. Deterministic in seed.
 */
static struct frame *
make_frames(const struct ixg_spec *s, const struct tables *t, unsigned nf,
	    unsigned v4_pct, uint64_t seed, double *avg_len)
{
	struct fullspec_rng r;
	struct frame *f = calloc(nf, sizeof(*f));
	uint64_t bytes = 0;

	if (f == NULL)
		return NULL;
	fullspec_rng_seed(&r, seed ^ 0x5eed0f7a11u);
	for (unsigned i = 0; i < nf; i++) {
		uint16_t port = (uint16_t)((i / PIPELINE_BURST) % N_PORTS);
		int fam = fullspec_rng_below(&r, 100) < v4_pct ? 4 : 6;

		if (make_frame(s, t, &r, port, fam, &f[i]) < 0 &&
		    make_frame(s, t, &r, port, 10 - fam, &f[i]) < 0) {
			fprintf(stderr,
				"cannot make a forwardable frame from "
				"port %u\n",
				port);
			free(f);
			return NULL;
		}
		bytes += f[i].len;
	}
	*avg_len = (double)bytes / nf;
	return f;
}

/* ------------------------------------------------------------------ */
/* The measured loops.                                                 */

enum pass_mode {
	PASS_PIPELINE, /* pipeline_run timed per burst */
	PASS_STAGES, /* each stage timed */
	PASS_REFILL, /* alloc + copy + free only */
	PASS_AB, /* the stages in order, stage_sav_simple or stage_sav by
		  * turns, each burst timed (--ab-prefetch) */
};

struct pass_result {
	uint64_t window; /* sum of the timed windows */
	/* PASS_AB: each burst's window by side (0 simple, 1 stage_sav),
	 * n_ab[side] of them; NULL otherwise */
	uint32_t *ab[2];
	uint64_t n_ab[2];
	uint64_t total; /* the whole loop */
	uint64_t stage[ST_N];
	uint64_t bursts;
};

static void
free_out(struct burst_out *out)
{
	for (unsigned p = 0; p < N_PORTS; p++) {
		if (out->n[p] > 0)
			rte_pktmbuf_free_bulk(out->pkts[p], out->n[p]);
		out->n[p] = 0;
	}
}

/* PASS_AB with --ab-root6: the tables of side A and B (NULL: the
 * --ab-prefetch A/B, both on ctx->t). */
static const struct tables *ab_t[2];

static int
run_pass(struct pipeline_ctx *ctx, struct rte_mempool *pool,
	 const struct frame *frames, unsigned nf, uint64_t packets,
	 enum pass_mode mode, struct pass_result *res)
{
	static struct burst burst_;
	static struct burst_out out_;
	struct burst *b = &burst_;
	struct burst_out *out = &out_;
	uint64_t n_bursts = packets / PIPELINE_BURST, start;
	unsigned next = 0;
	/* PASS_AB's arrays, the caller's */
	uint32_t *ab0 = mode == PASS_AB ? res->ab[0] : NULL;
	uint32_t *ab1 = mode == PASS_AB ? res->ab[1] : NULL;

	memset(res, 0, sizeof(*res));
	res->ab[0] = ab0;
	res->ab[1] = ab1;
	memset(out, 0, sizeof(*out));
	start = rte_rdtsc();
	for (uint64_t k = 0; k < n_bursts; k++) {
		const struct frame *f = &frames[next];
		uint64_t t[ST_N + 1];

		if (rte_pktmbuf_alloc_bulk(pool, b->pkts, PIPELINE_BURST) != 0)
			return -ENOMEM;
		for (unsigned i = 0; i < PIPELINE_BURST; i++) {
			struct rte_mbuf *m = b->pkts[i];

			memcpy(rte_pktmbuf_mtod(m, uint8_t *), f[i].data,
			       f[i].len);
			m->data_len = f[i].len;
			m->pkt_len = f[i].len;
			m->port = f[i].port;
		}
		b->n = PIPELINE_BURST;
		b->port = f[0].port;
		next = (next + PIPELINE_BURST) % nf;
		ctx->now_tsc = rte_rdtsc();

		switch (mode) {
		case PASS_PIPELINE:
			t[0] = rte_rdtsc();
			pipeline_run(ctx, b, out);
			t[1] = rte_rdtsc();
			res->window += t[1] - t[0];
			break;
		case PASS_STAGES: {
			/* Each stage as pipeline_run calls it, an rdtsc
			 * after each. */
			unsigned s = 0;

			t[0] = rte_rdtsc();
#define X_TIMED(id, name, args)                                                \
	PIPELINE_CALL(name, args);                                             \
	t[++s] = rte_rdtsc();
			PIPELINE_STAGES(X_TIMED)
#undef X_TIMED
			for (s = 0; s < ST_N; s++)
				res->stage[s] += t[s + 1] - t[s];
			break;
		}
		case PASS_REFILL:
			rte_pktmbuf_free_bulk(b->pkts, PIPELINE_BURST);
			break;
		case PASS_AB: {
			/* pipeline_run's calls with stage_sav_simple (side
			 * 0) or stage_sav (1): alternate bursts, the
			 * parity flipped on each pass over the frames so
			 * both sides see every frame. */
			const unsigned side =
				(unsigned)(k + k / (nf / PIPELINE_BURST)) & 1;
			const int simple = side == 0 && ab_t[0] == NULL &&
					   !opt.ab_walk6 && !opt.ab_deadline;
			const int chained = opt.ab_walk6 && side == 0 &&
					    !opt.ab_same;
			const int pol_a = opt.ab_deadline && side == 0 &&
					  !opt.ab_same;

			if (opt.ab_tailpf) {
				/* --ab-tailpf: pipeline_run's calls, the tail
				 * pipeline_tail (A) or pipeline_tail_prefetch
				 * (B; A with --ab-same). */
				t[0] = rte_rdtsc();
				pipeline_head(ctx, b);
#define X_AB_MID(id, name, args) PIPELINE_CALL(name, args);
				PIPELINE_MID_STAGES(X_AB_MID)
#undef X_AB_MID
				if (side == 1 && !opt.ab_same)
					pipeline_tail_prefetch(ctx, b, out);
				else
					pipeline_tail(ctx, b, out);
				t[1] = rte_rdtsc();
				res->ab[side][res->n_ab[side]++] = (uint32_t)
					RTE_MIN(t[1] - t[0], UINT32_MAX);
				break;
			}
			if (ab_t[0] != NULL)
				ctx->t = ab_t[side];
			t[0] = rte_rdtsc();
#define X_AB(id, name, args)                                                   \
	if (PIPELINE_STAGE_##id == PIPELINE_STAGE_SAV && simple)               \
		stage_sav_simple(ctx, b);                                      \
	else if (PIPELINE_STAGE_##id == PIPELINE_STAGE_LOOKUP && chained)      \
		stage_lookup_chained(ctx, b);                                  \
	else if (PIPELINE_STAGE_##id == PIPELINE_STAGE_POLICER && pol_a)       \
		stage_policer_period(ctx, b);                                  \
	else                                                                   \
		PIPELINE_CALL(name, args);
			PIPELINE_STAGES(X_AB)
#undef X_AB
			t[1] = rte_rdtsc();
			res->ab[side][res->n_ab[side]++] = (uint32_t)RTE_MIN(
				t[1] - t[0], UINT32_MAX);
			break;
		}
		}
		free_out(out);
	}
	res->total = rte_rdtsc() - start;
	res->bursts = n_bursts;
	return 0;
}

/* Average cost of the rdtsc pair that brackets a window. */
static double
tsc_overhead(void)
{
	uint64_t sum = 0;
	const unsigned n = 100000;

	for (unsigned i = 0; i < n; i++) {
		uint64_t a = rte_rdtsc();
		uint64_t b = rte_rdtsc();

		sum += b - a;
	}
	return (double)sum / n;
}

static uint64_t
drops_total(const struct ixg_lcore_counters *c)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < IXG_DROP_MAX; i++)
		n += c->drops[i];
	return n;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Counters of the warm-up, refill and per-stage passes: not reported. */
static struct ixg_lcore_counters *scratch_ctr;

static void
ctx_init(struct pipeline_ctx *ctx, const struct scenario *sc,
	 struct ixg_lcore_counters *ctr, struct rte_mempool *pool)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->t = sc->t;
	ctx->ctr = ctr;
	ctx->worker = 0;
	ctx->tsc_hz = rte_get_tsc_hz();
	ctx->now_unix = (int64_t)time(NULL);
	ctx->pool = pool;
}

/* Frames for sc, its view of the tables, and a warm-up over every frame
 * twice (FIB lines, ACL tries, meters, mbufs). */
static int
scenario_prepare(struct scenario *sc, const struct ixg_spec *spec,
		 const struct tables *t, struct rte_mempool *pool)
{
	struct pipeline_ctx ctx;
	struct pass_result pr;

	sc->frames = make_frames(spec, t, opt.frames, sc->v4_pct, opt.seed,
				 &sc->avg_len);
	if (sc->frames == NULL)
		return -1;
	sc->t = t;
	if (sc->no_acl) {
		/* The same snapshot without its ACL: a copy of the struct, so
		 * FIBs, peers and meters are the very same memory. */
		sc->view = rte_malloc("noacl", sizeof(*sc->view),
				      RTE_CACHE_LINE_SIZE);
		if (sc->view == NULL)
			return -1;
		memcpy(sc->view, t, sizeof(*sc->view));
		sc->view->acl = NULL;
		sc->t = sc->view;
	}
	if (opt.ab_root6 || opt.root16) {
		struct lpm *r6 = NULL, *s6 = NULL;

		sc->view16 = rte_malloc("root16", sizeof(*sc->view16),
					RTE_CACHE_LINE_SIZE);
		if (sc->view16 == NULL)
			return -1;
		memcpy(sc->view16, sc->t, sizeof(*sc->view16));
		if (!opt.ab_same &&
		    ((sc->t->route6 != NULL &&
		      lpm_copy_root16(&r6, sc->t->route6) < 0) ||
		     (sc->t->sav6 != NULL &&
		      lpm_copy_root16(&s6, sc->t->sav6) < 0)))
			return -1;
		if (r6 != NULL)
			sc->view16->route6 = r6;
		if (s6 != NULL)
			sc->view16->sav6 = s6;
		sc->built = sc->t;
		fprintf(stderr,
			"%s --ab-root6: side A route6/sav6 root bits %u/%u, "
			"side B %u/%u\n",
			sc->name,
			sc->view16->route6 ? sc->view16->route6->root_bits : 0,
			sc->view16->sav6 ? sc->view16->sav6->root_bits : 0,
			sc->t->route6 ? sc->t->route6->root_bits : 0,
			sc->t->sav6 ? sc->t->sav6->root_bits : 0);
		if (opt.root16)
			sc->t = sc->view16;
	}
	ctx_init(&ctx, sc, scratch_ctr, pool);
	if (run_pass(&ctx, pool, sc->frames, opt.frames,
		     (opt.callgrind ? 1 : 2) * (uint64_t)opt.frames,
		     PASS_PIPELINE, &pr) < 0)
		return -1;
	memset(sc->ctr, 0, sizeof(*sc->ctr));
	return 0;
}

/* One round of sc: the timed pipeline pass (counted in sc->ctr), then the
 * refill-only and per-stage passes. */
static int
scenario_round(struct scenario *sc, unsigned r, uint64_t pkts,
	       struct rte_mempool *pool)
{
	struct pipeline_ctx ctx;
	struct pass_result pr, rf, st;
	double pk;

	if (!opt.callgrind) {
		/* Re-warm after the other scenarios' rounds. */
		ctx_init(&ctx, sc, scratch_ctr, pool);
		if (run_pass(&ctx, pool, sc->frames, opt.frames, opt.frames,
			     PASS_PIPELINE, &pr) < 0)
			return -1;
	}
	ctx_init(&ctx, sc, sc->ctr, pool);
	if (opt.callgrind)
		CALLGRIND_ZERO_STATS;
	if (run_pass(&ctx, pool, sc->frames, opt.frames, pkts, PASS_PIPELINE,
		     &pr) < 0)
		return -1;
	if (opt.callgrind)
		CALLGRIND_DUMP_STATS_AT(sc->name);
	pk = (double)pr.bursts * PIPELINE_BURST;
	sc->packets += pr.bursts * PIPELINE_BURST;
	sc->r_raw[r] = (double)pr.window / pk;
	sc->r_cpp[r] = ((double)pr.window -
			opt.tsc_overhead * (double)pr.bursts) /
		       pk;
	if (opt.callgrind)
		return 0;
	ctx.ctr = scratch_ctr;
	if (run_pass(&ctx, pool, sc->frames, opt.frames, pkts, PASS_REFILL,
		     &rf) < 0)
		return -1;
	sc->r_refill[r] = (double)rf.total / pk;
	sc->r_sub[r] = ((double)pr.total - (double)rf.total) / pk;
	if (opt.ab_prefetch) {
		/* Per side, the median burst: a burst the scheduler
		 * interrupted (load 10-30 on this VM) is an outlier the sum
		 * would keep. */
		uint64_t nb = pkts / PIPELINE_BURST;

		st.ab[0] = malloc((nb / 2 + 1) * sizeof(uint32_t));
		st.ab[1] = malloc((nb / 2 + 1) * sizeof(uint32_t));
		ab_t[0] = opt.ab_root6 ? sc->view16 : NULL;
		ab_t[1] = opt.ab_root6 ? sc->t : NULL;
		if (st.ab[0] == NULL || st.ab[1] == NULL ||
		    run_pass(&ctx, pool, sc->frames, opt.frames, pkts, PASS_AB,
			     &st) < 0) {
			free(st.ab[0]);
			free(st.ab[1]);
			return -1;
		}
		for (unsigned k = 0; k < 2; k++) {
			qsort(st.ab[k], st.n_ab[k], sizeof(uint32_t), cmp_u32);
			sc->r_ab[k][r] = ((double)st.ab[k][st.n_ab[k] / 2] -
					  opt.tsc_overhead) /
					 PIPELINE_BURST;
			free(st.ab[k]);
		}
	}
	if (!opt.stages)
		return 0;
	if (run_pass(&ctx, pool, sc->frames, opt.frames, pkts, PASS_STAGES,
		     &st) < 0)
		return -1;
	for (unsigned s = 0; s < ST_N; s++)
		sc->r_stage[s][r] = ((double)st.stage[s] -
				     opt.tsc_overhead * (double)st.bursts) /
				    pk;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(const double *v, unsigned n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void
scenario_finish(struct scenario *sc, unsigned rounds)
{
	sc->cpp = median(sc->r_cpp, rounds);
	sc->cpp_raw = median(sc->r_raw, rounds);
	sc->cpp_sub = median(sc->r_sub, rounds);
	sc->refill_cpp = median(sc->r_refill, rounds);
	sc->cpp_min = sc->r_cpp[0];
	for (unsigned r = 1; r < rounds; r++)
		if (sc->r_cpp[r] < sc->cpp_min)
			sc->cpp_min = sc->r_cpp[r];
	sc->stage_sum = 0;
	for (unsigned s = 0; s < ST_N; s++) {
		sc->stage[s] = median(sc->r_stage[s], rounds);
		sc->stage_sum += sc->stage[s];
	}
	if (opt.ab_prefetch) {
		double q[MAX_ROUNDS];

		for (unsigned r = 0; r < rounds; r++)
			q[r] = sc->r_ab[1][r] / sc->r_ab[0][r];
		sc->ab[0] = median(sc->r_ab[0], rounds);
		sc->ab[1] = median(sc->r_ab[1], rounds);
		sc->ab_ratio = median(q, rounds);
	}
	sc->ran = 1;
}

static void
scenario_release(struct scenario *sc)
{
	rte_free(sc->view);
	sc->view = NULL;
	if (sc->view16 != NULL) {
		if (sc->view16->route6 != sc->built->route6)
			lpm_free((struct lpm *)sc->view16->route6);
		if (sc->view16->sav6 != sc->built->sav6)
			lpm_free((struct lpm *)sc->view16->sav6);
		rte_free(sc->view16);
		sc->view16 = NULL;
	}
	free(sc->frames);
	sc->frames = NULL;
}

/* ------------------------------------------------------------------ */
/* Output.                                                             */

static void
cpu_model(char *buf, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, len, "unknown");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *c = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && c != NULL) {
			snprintf(buf, len, "%s", c + 2);
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

static void
print_table(void)
{
	double hz = (double)rte_get_tsc_hz();

	fprintf(stderr, "\n%-11s %8s %8s %8s %7s %6s %6s  %s\n", "scenario",
		"cyc/pkt", "by-sub", "refill", "Mpps", "fwd%", "bytes",
		"per stage (cycles/packet)");
	for (size_t i = 0; i < N_SCEN; i++) {
		const struct scenario *sc = &scenarios[i];
		double fwd;

		if (!sc->ran)
			continue;
		fwd = 100.0 * (double)sc->ctr->tx_packets /
		      (double)sc->ctr->rx_packets;
		fprintf(stderr, "%-11s %8.1f %8.1f %8.1f %7.2f %6.2f %6.1f ",
			sc->name, sc->cpp, sc->cpp_sub, sc->refill_cpp,
			hz / sc->cpp / 1e6, fwd, sc->avg_len);
		for (unsigned s = 0; s < ST_N && opt.stages && !opt.callgrind;
		     s++)
			fprintf(stderr, " %s %.1f", pipeline_stage_name(s),
				sc->stage[s]);
		fprintf(stderr, "\n");
		if (opt.ab_tailpf)
			fprintf(stderr,
				"%13s --ab-tailpf%s: A (pipeline_tail) %.1f, B "
				"(%s) %.1f cycles/packet (median burst), B/A "
				"%.3f (median of the rounds' ratios)\n",
				"", opt.ab_same ? " --ab-same" : "", sc->ab[0],
				opt.ab_same ? "pipeline_tail"
					    : "pipeline_tail_prefetch",
				sc->ab[1], sc->ab_ratio);
		else if (opt.ab_deadline)
			fprintf(stderr,
				"%13s --ab-deadline%s: A (%s) %.1f, B "
				"(stage_policer) %.1f cycles/packet (median "
				"burst), B/A %.3f (median of the rounds' "
				"ratios)\n",
				"", opt.ab_same ? " --ab-same" : "",
				opt.ab_same ? "stage_policer"
					    : "stage_policer_period",
				sc->ab[0], sc->ab[1], sc->ab_ratio);
		else if (opt.ab_walk6)
			fprintf(stderr,
				"%13s --ab-walk6%s: A (%s) %.1f, B "
				"(stage_lookup) "
				"%.1f cycles/packet (median burst), B/A %.3f "
				"(median of the rounds' ratios)\n",
				"", opt.ab_same ? " --ab-same" : "",
				opt.ab_same ? "stage_lookup" : "chained",
				sc->ab[0], sc->ab[1], sc->ab_ratio);
		else if (opt.ab_root6)
			fprintf(stderr,
				"%13s --ab-root6%s: A (%s) %.1f, B (as built) "
				"%.1f cycles/packet (median burst), B/A %.3f "
				"(median of the rounds' ratios)\n",
				"", opt.ab_same ? " --ab-same" : "",
				opt.ab_same ? "as built" : "16-bit IPv6 roots",
				sc->ab[0], sc->ab[1], sc->ab_ratio);
		else if (opt.ab_prefetch)
			fprintf(stderr,
				"%13s --ab-prefetch: simple %.1f, prefetch "
				"%.1f "
				"cycles/packet (median burst), prefetch/simple "
				"%.3f (median of the rounds' ratios)\n",
				"", sc->ab[0], sc->ab[1], sc->ab_ratio);
		for (unsigned d = 0; d < IXG_DROP_MAX; d++)
			if (sc->ctr->drops[d] > 0)
				fprintf(stderr, "%13s drop %s: %" PRIu64 "\n",
					"", ixg_drop_name(d),
					sc->ctr->drops[d]);
	}
}

static const struct scenario *
find_scen(const char *name)
{
	for (size_t i = 0; i < N_SCEN; i++)
		if (strcmp(scenarios[i].name, name) == 0 && scenarios[i].ran)
			return &scenarios[i];
	return NULL;
}

static void
json_build(FILE *o, const char *name, const struct build_result *b, int *first)
{
	if (!b->done && b->error[0] == '\0')
		return;
	fprintf(o,
		"%s\"%s\":{\"ok\":%s,\"seconds\":%.3f,\"routes\":%" PRIu64
		",\"routes_per_s\":%.0f,\"heap_bytes\":%zu,\"rss_bytes\":%lld",
		*first ? "" : ",", name, b->done ? "true" : "false", b->seconds,
		b->prefixes,
		b->seconds > 0 ? (double)b->prefixes / b->seconds : 0.0,
		b->heap_bytes, b->rss_bytes);
	if (!b->done) {
		fprintf(o, ",\"error\":\"");
		for (const char *c = b->error; *c; c++)
			fprintf(o, *c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
		fprintf(o, "\"");
	}
	fprintf(o, "}");
	*first = 0;
}

static void
json_spec(FILE *o, const char *name, const struct ixg_spec *s)
{
	fprintf(o,
		"\"%s\":{\"routes4\":%" PRIu32 ",\"routes6\":%" PRIu32
		",\"sources4\":%" PRIu32 ",\"sources6\":%" PRIu32
		",\"peers\":%" PRIu32 ",\"acl_rules\":%" PRIu32
		",\"classes\":%" PRIu32 ",\"blackholes\":%" PRIu32
		",\"countries\":%" PRIu32 ",\"country4\":%" PRIu32
		",\"country6\":%" PRIu32 "}",
		name, s->n_routes4, s->n_routes6, s->n_sources4, s->n_sources6,
		s->n_peers, s->n_acl_rules, s->n_classes, s->n_blackholes,
		s->n_countries, s->n_country4, s->n_country6);
}

static void
json_ratio(FILE *o, const char *name, const char *a, const char *b, int use_min,
	   int *first)
{
	const struct scenario *sa = find_scen(a), *sb = find_scen(b);
	double x, y;

	if (sa == NULL || sb == NULL)
		return;
	x = use_min ? sa->cpp_min : sa->cpp;
	y = use_min ? sb->cpp_min : sb->cpp;
	if (y <= 0)
		return;
	fprintf(o, "%s\"%s\":%.3f", *first ? "" : ",", name, x / y);
	*first = 0;
}

/* The ratios issue 4 sets targets for, from medians or from best rounds. */
static void
json_ratios(FILE *o, int use_min)
{
	int first = 1;

	fprintf(o, ",\"%s\":{", use_min ? "ratios_min" : "ratios");
	json_ratio(o, "full_vs_small", "full", "small", use_min, &first);
	json_ratio(o, "full_noacl_vs_small", "full_noacl", "small", use_min,
		   &first);
	json_ratio(o, "v6_vs_v4", "full_v6", "full_v4", use_min, &first);
	json_ratio(o, "full_vs_noacl", "full", "full_noacl", use_min, &first);
	fprintf(o, "}");
}

static void
print_json(FILE *o)
{
	char cpu[128], date[32];
	time_t now = time(NULL);
	int first = 1;

	cpu_model(cpu, sizeof(cpu));
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(o,
		"{\"bench\":\"pipeline\",\"version\":1,\"date\":\"%s\","
		"\"mode\":\"%s\",\"machine\":{\"cpu\":\"%s\",\"cpus\":%ld,"
		"\"tsc_hz\":%" PRIu64 "},\"dpdk\":\"%s\",\"compiler\":\"%s\","
		"\"eal\":\"%s\",\"seed\":%" PRIu64 ",\"frames\":%u,"
		"\"burst\":%u,\"tsc_pair_cycles\":%.1f,\"spec_seconds\":%.2f,",
		date, opt.callgrind ? "callgrind" : "tsc", cpu,
		sysconf(_SC_NPROCESSORS_ONLN), rte_get_tsc_hz(), rte_version(),
		__VERSION__, opt.eal_line, opt.seed, opt.frames, PIPELINE_BURST,
		opt.tsc_overhead, opt.spec_seconds);
	fprintf(o, "\"spec\":{");
	json_spec(o, "full", &opt.full);
	fprintf(o, ",");
	json_spec(o, "small", &opt.small);
	fprintf(o, "},\"build\":{");
	json_build(o, "routes_only", &opt.b_routes, &first);
	json_build(o, "full", &opt.b_full, &first);
	json_build(o, "small", &opt.b_small, &first);
	fprintf(o, "}");
	if (opt.mem_done) {
		fprintf(o, ",\"memory\":{");
		for (unsigned k = 0; k < N_MEM; k++)
			fprintf(o,
				"%s\"%s\":{\"heap_bytes\":%zu,\"build_s\":"
				"%.3f}",
				k ? "," : "", opt.mem_names[k], opt.mem_part[k],
				opt.mem_secs[k]);
		fprintf(o, "}");
	}
	fprintf(o,
		",\"rounds\":%u,\"packets_per_round\":%" PRIu64
		",\"scenarios\":{",
		opt.rounds, opt.packets / opt.rounds);
	first = 1;
	for (size_t i = 0; i < N_SCEN; i++) {
		const struct scenario *sc = &scenarios[i];
		const struct ixg_lcore_counters *c = sc->ctr;

		if (!sc->ran)
			continue;
		fprintf(o,
			"%s\"%s\":{\"descr\":\"%s\",\"packets\":%" PRIu64
			",\"ipv4_pct\":%u,\"avg_frame_bytes\":%.1f,"
			"\"cycles_per_packet\":%.2f,\"cycles_per_packet_min\":"
			"%.2f,\"cycles_per_packet_raw\":%.2f,\"mpps\":%.3f,"
			"\"rounds\":[",
			first ? "" : ",", sc->name, sc->descr, sc->packets,
			sc->v4_pct, sc->avg_len, sc->cpp, sc->cpp_min,
			sc->cpp_raw, (double)rte_get_tsc_hz() / sc->cpp / 1e6);
		for (unsigned r = 0; r < opt.rounds; r++)
			fprintf(o, "%s%.2f", r ? "," : "", sc->r_cpp[r]);
		fprintf(o, "]");
		if (!opt.callgrind)
			fprintf(o,
				",\"cycles_per_packet_by_subtraction\":%.2f,"
				"\"refill_cycles_per_packet\":%.2f",
				sc->cpp_sub, sc->refill_cpp);
		fprintf(o,
			",\"rx\":%" PRIu64 ",\"forwarded\":%" PRIu64
			",\"local\":%" PRIu64 ",\"dropped\":%" PRIu64
			",\"forwarded_pct\":%.3f,\"drops\":{",
			c->rx_packets, c->tx_packets, c->local_packets,
			drops_total(c),
			100.0 * (double)c->tx_packets /
				(double)(c->rx_packets ? c->rx_packets : 1));
		for (unsigned d = 0, f = 1; d < IXG_DROP_MAX; d++) {
			if (c->drops[d] == 0)
				continue;
			fprintf(o, "%s\"%s\":%" PRIu64, f ? "" : ",",
				ixg_drop_name(d), c->drops[d]);
			f = 0;
		}
		fprintf(o, "}");
		if (!opt.callgrind && opt.stages) {
			fprintf(o, ",\"stages\":{");
			for (unsigned s = 0; s < ST_N; s++)
				fprintf(o, "%s\"%s\":%.2f", s ? "," : "",
					pipeline_stage_name(s), sc->stage[s]);
			fprintf(o, ",\"sum\":%.2f}", sc->stage_sum);
		}
		fprintf(o, "}");
		first = 0;
	}
	fprintf(o, "}");
	json_ratios(o, 0);
	json_ratios(o, 1);
	fprintf(o, "}\n");
}

/* ------------------------------------------------------------------ */
/* Self-test: the spec's invariants and a short run (meson test).      */

static int fails;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                          \
			fprintf(stderr, "\n");                                 \
			fails++;                                               \
		}                                                              \
	} while (0)

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
selftest_spec(const struct fullspec_params *p, const struct ixg_spec *s)
{
	struct ixg_spec again;
	uint64_t *k = malloc(s->n_routes4 * sizeof(*k));
	unsigned n24 = 0;
	uint8_t seen[IXG_MAX_PEERS] = {0};

	CHECK(s->n_routes4 == p->n_routes4 && s->n_routes6 == p->n_routes6,
	      "route counts %u/%u", s->n_routes4, s->n_routes6);
	CHECK(s->n_peers == p->n_peers && s->n_acl_rules == p->n_acl_rules &&
		      s->n_blackholes == p->n_blackholes &&
		      s->n_country4 == p->n_country4 &&
		      s->n_country6 == p->n_country6,
	      "object counts");
	CHECK(s->n_sources4 >= s->n_routes4 && s->n_sources6 >= s->n_routes6,
	      "sources cover announcements");
	for (uint32_t i = 0; k != NULL && i < s->n_routes4; i++) {
		const struct ixg_spec_route4 *r = &s->routes4[i];
		uint32_t m = r->len ? 0xffffffffu << (32 - r->len) : 0;
		uint8_t o = (uint8_t)(r->addr >> 24);

		CHECK((r->addr & ~m) == 0, "route4 %u not masked", i);
		CHECK(r->len >= 8 && r->len <= 24, "route4 %u len %u", i,
		      r->len);
		CHECK(o != 0 && o != 10 && o != 127 && o < 224,
		      "route4 %u in special space %08x", i, r->addr);
		CHECK(spec_peer(s, r->peer_id) != NULL, "route4 %u peer", i);
		seen[r->peer_id] = 1;
		n24 += r->len == 24;
		k[i] = (uint64_t)r->addr << 8 | r->len;
	}
	if (k != NULL) {
		qsort(k, s->n_routes4, sizeof(*k), cmp_u64);
		for (uint32_t i = 1; i < s->n_routes4; i++)
			CHECK(k[i] != k[i - 1], "duplicate route4 %016" PRIx64,
			      k[i]);
	}
	free(k);
	/* The DFZ shape: /24 is about 62% of the table. */
	CHECK(n24 * 100 >= s->n_routes4 * 55 && n24 * 100 <= s->n_routes4 * 70,
	      "/24 share %u of %u", n24, s->n_routes4);
	CHECK(seen[1], "the largest peer announces something");
	for (uint32_t i = 0; i < s->n_routes6; i++)
		CHECK((s->routes6[i].addr[0] & 0xe0) == 0x20 &&
			      s->routes6[i].len <= 48,
		      "route6 %u outside 2000::/3 or too long", i);
	for (uint32_t i = 0; i < s->n_acl_rules; i++)
		CHECK(s->acl_rules[i].id == i + 1 &&
			      (s->acl_rules[i].family == 4 ||
			       s->acl_rules[i].family == 6),
		      "acl rule %u", i);
	/* Deterministic: the same parameters give the same spec. */
	if (fullspec_build(p, &again) == 0) {
		CHECK(memcmp(again.routes4, s->routes4,
			     s->n_routes4 * sizeof(*s->routes4)) == 0 &&
			      memcmp(again.routes6, s->routes6,
				     s->n_routes6 * sizeof(*s->routes6)) == 0 &&
			      memcmp(again.acl_rules, s->acl_rules,
				     s->n_acl_rules * sizeof(*s->acl_rules)) ==
				      0 &&
			      memcmp(again.peers, s->peers,
				     s->n_peers * sizeof(*s->peers)) == 0,
		      "same seed, different spec");
		fullspec_free(&again);
	} else {
		CHECK(0, "second build failed");
	}
}

static void
selftest_run(const struct scenario *sc)
{
	const struct ixg_lcore_counters *c = sc->ctr;

	CHECK(sc->ran, "%s did not run", sc->name);
	if (!sc->ran)
		return;
	CHECK(c->rx_packets == sc->packets, "%s: rx %" PRIu64 " of %" PRIu64,
	      sc->name, c->rx_packets, sc->packets);
	CHECK(c->rx_packets ==
		      c->tx_packets + c->local_packets + drops_total(c),
	      "%s: rx != tx + local + drops", sc->name);
	/* Frames are drawn to be forwardable: only ACL denies may drop. */
	CHECK(c->tx_packets * 100 >= c->rx_packets * 97,
	      "%s: only %" PRIu64 " of %" PRIu64 " forwarded", sc->name,
	      c->tx_packets, c->rx_packets);
	CHECK(drops_total(c) == c->drops[IXG_DROP_ACL_DENY],
	      "%s: drops other than acl_deny", sc->name);
	CHECK(sc->cpp > 0 && sc->cpp < 1e6, "%s: %.1f cycles/packet", sc->name,
	      sc->cpp);
}

/* ------------------------------------------------------------------ */

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--packets N] [--frames N] [--seed N] "
		"[--scenarios full,full_v4,full_v6,full_noacl,small]\n"
		"       [--rounds N] [--mem MB] [--memory] [--no-stages] "
		"[--callgrind] [--selftest] [--ab-prefetch]\n"
		"       [--ab-root6 [--ab-same]] [--root16]\n"
		"       [--ab-walk6 [--ab-same]] [--ab-tailpf [--ab-same]]\n"
		"       [--ab-deadline [--ab-same]]\n"
		"       [-- EAL args]\n",
		prog);
}

static int
select_scenarios(char *list)
{
	for (size_t i = 0; i < N_SCEN; i++)
		scenarios[i].selected = 0;
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		size_t i;

		for (i = 0; i < N_SCEN; i++)
			if (strcmp(tok, scenarios[i].name) == 0)
				break;
		if (i == N_SCEN) {
			fprintf(stderr, "unknown scenario '%s'\n", tok);
			return -1;
		}
		scenarios[i].selected = 1;
	}
	return 0;
}

static int
parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{"packets", required_argument, NULL, 'n'},
		{"frames", required_argument, NULL, 'f'},
		{"seed", required_argument, NULL, 's'},
		{"scenarios", required_argument, NULL, 'S'},
		{"mem", required_argument, NULL, 'm'},
		{"no-stages", no_argument, NULL, 'N'},
		{"rounds", required_argument, NULL, 'r'},
		{"memory", no_argument, NULL, 'M'},
		{"callgrind", no_argument, NULL, 'c'},
		{"selftest", no_argument, NULL, 't'},
		{"acl-alg", required_argument, NULL, 'A'},
		{"ab-prefetch", no_argument, NULL, 'B'},
		{"ab-root6", no_argument, NULL, '6'},
		{"ab-same", no_argument, NULL, 'Q'},
		{"root16", no_argument, NULL, 'W'},
		{"ab-walk6", no_argument, NULL, 'K'},
		{"ab-tailpf", no_argument, NULL, 'T'},
		{"ab-deadline", no_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	for (size_t i = 0; i < N_SCEN; i++)
		scenarios[i].selected = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		char *end = NULL;

		switch (c) {
		case 'n': opt.packets = strtoull(optarg, &end, 0); break;
		case 'f':
			opt.frames = (unsigned)strtoul(optarg, &end, 0);
			if (opt.frames == 0 || opt.frames % PIPELINE_BURST) {
				fprintf(stderr, "--frames: a multiple of %u\n",
					PIPELINE_BURST);
				return -1;
			}
			break;
		case 's': opt.seed = strtoull(optarg, &end, 0); break;
		case 'S':
			if (select_scenarios(optarg) < 0)
				return -1;
			break;
		case 'm':
			opt.mem_mb = (unsigned)strtoul(optarg, &end, 0);
			break;
		case 'N': opt.stages = 0; break;
		case 'r':
			opt.rounds = (unsigned)strtoul(optarg, &end, 0);
			if (opt.rounds < 1 || opt.rounds > MAX_ROUNDS) {
				fprintf(stderr, "--rounds: 1..%u\n",
					MAX_ROUNDS);
				return -1;
			}
			break;
		case 'M': opt.memory = 1; break;
		case 'c': opt.callgrind = 1; break;
		case 't': opt.selftest = 1; break;
		case 'B': opt.ab_prefetch = 1; break;
		case '6': opt.ab_root6 = opt.ab_prefetch = 1; break;
		case 'Q': opt.ab_same = 1; break;
		case 'W': opt.root16 = 1; break;
		case 'K': opt.ab_walk6 = opt.ab_prefetch = 1; break;
		case 'T': opt.ab_tailpf = opt.ab_prefetch = 1; break;
		case 'D': opt.ab_deadline = opt.ab_prefetch = 1; break;
		default: usage(argv[0]); return -1;
		}
		if (end != NULL && *end != '\0') {
			fprintf(stderr, "bad number '%s'\n", optarg);
			return -1;
		}
	}
	if (optind < argc) {
		usage(argv[0]);
		return -1;
	}
	if (opt.packets == 0)
		opt.packets = opt.selftest    ? 65536
			      : opt.callgrind ? 200000
					      : 20000000;
	if (opt.callgrind)
		opt.rounds = 1; /* one callgrind dump per scenario */
	if (opt.packets < (uint64_t)PIPELINE_BURST * opt.rounds)
		opt.packets = (uint64_t)PIPELINE_BURST * opt.rounds;
	return 0;
}

static int
eal_start(int argc, char **argv, int split)
{
	char mem[16], prefix[40];
	char *def[] = {argv[0],
		       "--no-huge",
		       "-m",
		       mem,
		       "--no-shconf",
		       "--no-pci",
		       "--no-telemetry",
		       "--log-level=*:error",
		       "-l",
		       "0",
		       "--file-prefix",
		       prefix,
		       NULL};
	char **eargv = def;
	int eargc = (int)(sizeof(def) / sizeof(def[0])) - 1;
	size_t off = 0;

	snprintf(mem, sizeof(mem), "%u", opt.mem_mb);
	snprintf(prefix, sizeof(prefix), "pipeline_bench_%ld", (long)getpid());
	if (split < argc) {
		/* argv[split] is "--": EAL gets argv[0] and what follows. */
		argv[split] = argv[0];
		eargv = &argv[split];
		eargc = argc - split;
	}
	for (int i = 1; i < eargc && off < sizeof(opt.eal_line); i++)
		off += (size_t)snprintf(opt.eal_line + off,
					sizeof(opt.eal_line) - off, "%s%s",
					i > 1 ? " " : "", eargv[i]);
	if (rte_eal_init(eargc, eargv) < 0) {
		fprintf(stderr, "EAL init (%s): %s\n", opt.eal_line,
			rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static int
any_selected(int small)
{
	for (size_t i = 0; i < N_SCEN; i++)
		if (scenarios[i].selected && scenarios[i].small == small)
			return 1;
	return 0;
}

/*
 * Memory of each part of the full tables: the spec reduced to ports and
 * peers (the base: peer hash, meters, the empty FIBs' fixed tables is NOT
 * in it, since a FIB with no prefixes is not created), then the base plus
 * one part at a time; a part's size is its build minus the base.
 */
static void
memory_breakdown(const struct ixg_spec *full)
{
	static const char *const parts[N_MEM] = {
		"base",	    "routes4", "routes6",  "sources4",
		"sources6", "acl",     "country4", "country6",
	};
	size_t base = 0;

	for (unsigned k = 0; k < N_MEM; k++) {
		struct ixg_spec s = *full;
		struct build_result br = {0};

		s.n_routes4 = k == 1 ? full->n_routes4 : 0;
		s.n_routes6 = k == 2 ? full->n_routes6 : 0;
		s.n_sources4 = k == 3 ? full->n_sources4 : 0;
		s.n_sources6 = k == 4 ? full->n_sources6 : 0;
		s.n_acl_rules = k == 5 ? full->n_acl_rules : 0;
		s.n_country4 = k == 6 ? full->n_country4 : 0;
		s.n_country6 = k == 7 ? full->n_country6 : 0;
		s.n_blackholes = s.n_local_addrs = 0;
		fprintf(stderr, "memory: %s: ", parts[k]);
		tables_free(build_tables(&s, 100 + k, &br));
		opt.mem_part[k] = br.done ? br.heap_bytes - (k ? base : 0) : 0;
		opt.mem_secs[k] = br.seconds;
		if (k == 0)
			base = br.heap_bytes;
		opt.mem_names[k] = parts[k];
	}
	opt.mem_done = 1;
}

int
main(int argc, char **argv)
{
	struct fullspec_params pf, ps;
	struct rte_mempool *pool;
	struct tables *tf = NULL, *tsm = NULL;
	int split, rc = 0;
	uint64_t per_round;
	double t0;

	split = bench_eal_split(argc, argv);
	if (parse_args(split, argv) < 0)
		return 2;
	if (eal_start(argc, argv, split) < 0)
		return 1;
	opt.tsc_overhead = tsc_overhead();

	fullspec_params_full(&pf, opt.seed);
	fullspec_params_small(&ps, opt.seed);
	if (opt.selftest) {
		/* One fiftieth of the full size: seconds, not minutes. */
		pf.n_routes4 /= 50;
		pf.n_routes6 /= 50;
		pf.n_peers = 200;
		pf.n_acl_rules /= 20;
		pf.n_blackholes /= 10;
		pf.n_country4 /= 50;
		pf.n_country6 /= 50;
		pf.n_countries = 50;
	}
	scratch_ctr = rte_zmalloc("scratch", sizeof(*scratch_ctr),
				  RTE_CACHE_LINE_SIZE);
	for (size_t i = 0; i < N_SCEN; i++) {
		scenarios[i].ctr = rte_zmalloc("ctr", sizeof(*scenarios[i].ctr),
					       RTE_CACHE_LINE_SIZE);
		if (scenarios[i].ctr == NULL || scratch_ctr == NULL) {
			fprintf(stderr, "no memory for counters\n");
			return 1;
		}
	}
	pool = rte_pktmbuf_pool_create("bench", 4095, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "mbuf pool: %s\n", rte_strerror(rte_errno));
		return 1;
	}

	if (any_selected(0)) {
		t0 = now_s();
		if (fullspec_build(&pf, &opt.full) < 0) {
			fprintf(stderr, "fullspec_build: out of memory\n");
			return 1;
		}
		opt.spec_seconds = now_s() - t0;
		fprintf(stderr,
			"spec: %u+%u routes, %u+%u sources, %u peers, "
			"%u ACL rules, %u+%u country prefixes (%.2f s)\n",
			opt.full.n_routes4, opt.full.n_routes6,
			opt.full.n_sources4, opt.full.n_sources6,
			opt.full.n_peers, opt.full.n_acl_rules,
			opt.full.n_country4, opt.full.n_country6,
			opt.spec_seconds);
		if (opt.selftest)
			selftest_spec(&pf, &opt.full);
		if (opt.memory)
			memory_breakdown(&opt.full);
		if (!opt.callgrind) {
			/* Routes alone: the bulk install rate. */
			struct ixg_spec ro = opt.full;

			ro.n_sources4 = ro.n_sources6 = 0;
			ro.n_acl_rules = ro.n_blackholes = 0;
			ro.n_country4 = ro.n_country6 = 0;
			ro.n_local_addrs = 0;
			fprintf(stderr, "routes only: ");
			tables_free(build_tables(&ro, 1, &opt.b_routes));
		}
		fprintf(stderr, "full: ");
		tf = build_tables(&opt.full, 2, &opt.b_full);
		if (tf == NULL) {
			rc = 1;
		}
	}
	if (any_selected(1)) {
		if (fullspec_build(&ps, &opt.small) < 0) {
			fprintf(stderr, "fullspec_build: out of memory\n");
			return 1;
		}
		fprintf(stderr, "small: ");
		tsm = build_tables(&opt.small, 3, &opt.b_small);
		if (tsm == NULL)
			rc = 1;
	}

	/* Every selected scenario whose tables exist, interleaved round by
	 * round so that a noisy neighbour hits them all alike. */
	for (size_t i = 0; i < N_SCEN; i++) {
		struct scenario *sc = &scenarios[i];
		struct tables *t = sc->small ? tsm : tf;

		if (!sc->selected || t == NULL)
			continue;
		if (scenario_prepare(sc, sc->small ? &opt.small : &opt.full, t,
				     pool) < 0) {
			fprintf(stderr, "%s: cannot prepare\n", sc->name);
			scenario_release(sc);
			sc->selected = 0;
			rc = 1;
		}
	}
	per_round = opt.packets / opt.rounds;
	for (unsigned r = 0; r < opt.rounds; r++) {
		fprintf(stderr, "round %u/%u:", r + 1, opt.rounds);
		for (size_t i = 0; i < N_SCEN; i++) {
			struct scenario *sc = &scenarios[i];

			if (sc->frames == NULL)
				continue;
			if (scenario_round(sc, r, per_round, pool) < 0) {
				fprintf(stderr, "%s: mbuf pool empty\n",
					sc->name);
				return 1;
			}
			fprintf(stderr, " %s %.1f", sc->name, sc->r_cpp[r]);
		}
		fprintf(stderr, "\n");
	}
	for (size_t i = 0; i < N_SCEN; i++) {
		if (scenarios[i].frames == NULL)
			continue;
		scenario_finish(&scenarios[i], opt.rounds);
		scenario_release(&scenarios[i]);
	}
	tables_free(tf);
	tables_free(tsm);

	print_table();
	print_json(stdout);
	if (opt.selftest) {
		for (size_t i = 0; i < N_SCEN; i++)
			if (scenarios[i].selected)
				selftest_run(&scenarios[i]);
		CHECK(rc == 0, "a build or a run failed");
		fprintf(stderr, "selftest: %s (%d failures)\n",
			fails ? "FAIL" : "ok", fails);
		rc = fails ? 1 : 0;
	}
	fullspec_free(&opt.full);
	fullspec_free(&opt.small);
	for (size_t i = 0; i < N_SCEN; i++)
		rte_free(scenarios[i].ctr);
	rte_free(scratch_ctr);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return rc;
}
