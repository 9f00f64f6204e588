/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pipeline.h - the worker's per-burst pipeline.
 *
 * A burst goes through a fixed sequence of stages (PIPELINE_STAGES below,
 * the one place that orders them), each a function over the whole burst
 * that reads and writes the per-packet metadata (struct pkt_meta) and sets
 * a verdict. Stages skip packets whose verdict is no longer
 * VERDICT_CONTINUE. Only the last stage (stage_output) frees dropped
 * packets and counts; every other stage only records a drop reason.
 *
 * Hot path rules: no syscall, log, allocation, lock or shared write here.
 * The same stages run under the workers, under offline replay (--replay) and
 * under the unit tests on fake mbufs.
 */
#ifndef IXG_PIPELINE_H
#define IXG_PIPELINE_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "ixg_api.h"
#include "tables.h"

#define PIPELINE_BURST 32

/*
 * On a stage function whose loop adds to counters: gcc 12 -O2 would pack
 * a counter's packets and bytes adds into SSE loads, inserts and a 16-byte
 * store (SLP vectorisation), 6 instructions where two adds to memory do
 * (callgrind: stage_output 119 -> 136 instructions per packet with it).
 */
#if defined(__GNUC__) && !defined(__clang__)
#define PIPELINE_NO_SLP __attribute__((optimize("no-tree-slp-vectorize")))
#else
#define PIPELINE_NO_SLP
#endif

enum verdict {
	VERDICT_CONTINUE = 0, /* still going through the stages */
	VERDICT_FORWARD, /* rewritten, to be sent out of out_port */
	VERDICT_LOCAL, /* answered in place, to be sent back out of in_port */
	VERDICT_DROP, /* drop_reason says why */
	VERDICT_PUNT, /* for the node's Linux side (exception path, punt.h) */
};

enum l3_kind {
	L3_NONE = 0,
	L3_IPV4,
	L3_IPV6,
	L3_ARP,
};

enum frag_kind {
	FRAG_NONE = 0,
	FRAG_FIRST, /* offset 0, more fragments: L4 header present */
	FRAG_LATER, /* offset > 0: no L4 header, ACL port fields not matched */
};

enum colour {
	COLOUR_GREEN = 0,
	COLOUR_YELLOW = 1,
	COLOUR_RED = 2,
};

/*
 * What the stages learn about one packet. Filled by parse, read by all.
 * Several readers load fields as words and assert their offsets (grep
 * offsetof(struct pkt_meta): bytes 0..3, 14..15, 22..37, 80..87); the
 * fast parser writes it as 16-byte words (parse_stage.c, fast_store).
 */
struct pkt_meta {
	uint8_t verdict; /* enum verdict */
	uint8_t drop_reason; /* enum ixg_drop_reason, valid if VERDICT_DROP */
	uint8_t l3; /* enum l3_kind */
	/* Free, zero: a byte parse could store with the first word's
	 * (n_vlans moved to byte 38 for it). */
	uint8_t spare3;
	uint16_t vlan; /* inner (or only) VLAN id, 0 if untagged */
	uint16_t outer_vlan; /* QinQ outer VLAN id, 0 if single or none */
	uint16_t l2_len; /* Ethernet + VLAN tags */
	uint16_t l3_len; /* IPv4 IHL * 4, or IPv6 40 + extension headers */
	uint16_t l3_total; /* IP total length from the header */
	uint8_t l4_proto; /* IPPROTO_*, after the IPv6 extension walk */
	uint8_t frag; /* enum frag_kind */
	uint8_t dscp;
	uint8_t ttl; /* TTL or hop limit as received */
	uint16_t sport, dport; /* host order, 0 if none */
	uint8_t icmp_type; /* ICMP/ICMPv6 type if l4 present, else 0 */
	uint8_t colour; /* enum colour, after the policer */

	uint16_t in_port;
	uint16_t out_port;
	uint16_t in_peer; /* IXG_PEER_NONE until the peer stage finds it */
	uint16_t out_peer;
	uint16_t class_id; /* 0: default class */
	uint16_t src_country, dst_country;
	uint8_t n_vlans; /* 0, 1 or 2 */
	uint32_t acl_rule; /* matching rule id, 0 if none */
	uint32_t route_nh; /* destination FIB result (NH_* encoding) */

	/* Addresses, network byte order. IPv4 uses the first 4 bytes. */
	uint8_t src[16];
	uint8_t dst[16];

	uint32_t rx_len; /* pkt_len as received: what every byte counter adds */

	/*
	 * 1: an ACL or policer action changed meta.dscp; stage_rewrite writes
	 * it into the IP header (IPv4: incremental checksum, RFC 1624).
	 */
	uint8_t remark;
	/* Received as link-layer broadcast or multicast (I/G bit): answered
	 * locally if it is ARP/ND/echo for us, never forwarded. */
	uint8_t l2_mcast;
	/*
	 * 1: stage_rewrite built an ICMP error about this (dropped) packet in
	 * burst.gen[i]; stage_output sends it back out of in_port.
	 */
	uint8_t gen;
};

/*
 * A burst and its metadata, all received on one port. Stages read b->n
 * once into a local (n_pkts): every store through a uint8_t or uint16_t
 * metadata field may alias it, so the compiler would reload it each
 * iteration (~2 instructions per packet per loop under callgrind).
 */
struct burst {
	uint16_t n;
	uint16_t port;
	/* Bit i: stage_lookup found pkts[i] routed to the node itself
	 * (NH_LOCAL), for stage_local. */
	uint32_t nh_local;
	struct rte_mbuf *pkts[PIPELINE_BURST];
	struct pkt_meta meta[PIPELINE_BURST];
	/* gen[i]: the packet the node originated about pkts[i] (an ICMP
	 * error), valid only where meta[i].gen is 1; owned by the burst until
	 * stage_output hands it out. */
	struct rte_mbuf *gen[PIPELINE_BURST];
	/* Bit i: stage_parse dropped pkts[i] for what its sender put in it
	 * (martian, l4_truncated), with its Ethernet header and tags valid:
	 * stage_peer names the sender, so the drop is charged to it. */
	uint32_t charged;
	/*
	 * Bit i: stage_parse took pkts[i] by its fast path (parse_fast): IPv4
	 * to a destination outside 224.0.0.0/4, or IPv6 to one outside
	 * ff00::/8 carrying TCP, UDP or ICMPv6 but Neighbor Discovery (types
	 * 133..137); stage_local's pass over ARP, Neighbor
	 * Solicitations and link-local multicast would leave such a packet as
	 * it is, and skips it (unless it hears neighbours for a learning
	 * member). 0 (a burst stage_parse did not see): every packet is
	 * looked at.
	 */
	uint32_t parsed_fast;
	/*
	 * 1: stage_lookup has looked up this burst (every packet that was
	 * VERDICT_CONTINUE IPv4 or IPv6 then): stage_parse clears it,
	 * stage_lookup sets it; a burst that skipped it (a test of one
	 * stage) has it 0 and is gathered by stage_sav and stage_country
	 * themselves. stage_lookup also wrote both countries into those
	 * packets (from the route and SAV FIBs' leaves, tables.h) and what
	 * the following masks say (bit i: pkts[i]). route_todo: the
	 * packets it left to stage_route (every gathered packet it did not
	 * route to a member at once). For stage_sav, which applies them to
	 * the packets still VERDICT_CONTINUE: sav_bad, a strict or feasible
	 * member's packet whose source's leaf names one other peer;
	 * sav_set, one whose leaf names a multi-peer set (SAV_SET + set in
	 * sav_set_nh[i]); sav_loose, a loose member's packet (its source to
	 * look up in the route FIB).
	 */
	uint8_t gathered;
	uint32_t route_todo;
	uint32_t sav_bad, sav_set, sav_loose;
	uint32_t sav_set_nh[PIPELINE_BURST];
	/* peer_smac[i]: the 8 bytes at offset 6 of pkts[i] (its source MAC,
	 * then 2 more) as stage_parse read them, for stage_peer: valid for
	 * every packet parse left CONTINUE or marked in `charged` (after
	 * pipeline_head, which looks the peer up at once: in `charged`). */
	uint64_t peer_smac[PIPELINE_BURST];
};

/*
 * Where stage_output puts packets. out[p] holds the packets to transmit on
 * port p (forwarded, local answers and generated ICMP errors; each received
 * packet yields at most one of them, so PIPELINE_BURST slots per port
 * suffice). Dropped packets are freed by
 * stage_output. The caller (worker, replay, test) transmits and calls
 * pipeline_tx_failed() for any packet the TX queue refused.
 */
struct burst_out {
	uint16_t n[IXG_MAX_PORTS];
	struct rte_mbuf *pkts[IXG_MAX_PORTS][PIPELINE_BURST];
	/*
	 * Frames for the node's Linux side (VERDICT_PUNT), counted punted:
	 * stage_output sets n_punt itself. Each carries its ingress port in
	 * m->port, its VLAN in m->vlan_tci, its L2 header length in m->l2_len
	 * and an out tag (kind OUT_TAG_NONE) naming its ingress peer. The
	 * caller queues them for the punt thread (punt.h) and hands those it
	 * cannot to pipeline_punt_failed().
	 */
	uint16_t n_punt;
	struct rte_mbuf *punt[PIPELINE_BURST];
	/*
	 * stage_output's (and pipeline_tail's) scratch from output_begin to
	 * output_end (output_stage.h): at[p] is where port p's next packet
	 * goes, as an index of 8-byte words from the start of the struct
	 * (n[p] + p * PIPELINE_BURST + the offset of pkts in words), so an
	 * append is a load, a store and an add; n[] is written back at the
	 * end. Meaningless outside a stage_output or pipeline_tail call.
	 */
	uint16_t at[IXG_MAX_PORTS];
};

struct ixg_sample_ring; /* ixg_api.h, the sample channel */
struct neigh_obs_ring; /* neigh.h */
struct ixg_sample_cursor;

/* One port's share of the exception-path rate in one worker (punt.h):
 * tokens in units of 1/tsc_hz of a frame. */
struct punt_bucket {
	uint64_t tokens;
	uint64_t last_tsc;
};

/* Per worker context: read-mostly, owned by one lcore. */
struct pipeline_ctx {
	const struct tables *t; /* current snapshot, loaded once per burst */
	struct ixg_lcore_counters *ctr; /* this lcore's counters */
	unsigned worker; /* index into per-worker state (meters) */
	uint64_t now_tsc; /* rte_rdtsc() at the start of the burst */
	uint64_t tsc_hz;
	int64_t now_unix; /* wall clock seconds (blackhole expiry) */
	uint64_t icmp_tokens; /* rate limit for generated ICMP errors */
	uint64_t icmp_last_tsc;
	struct rte_mempool *pool; /* for generated packets (ICMP errors) */
	/*
	 * Packet sampling (sample.h): this worker's ring and the cursor its
	 * consumer moves, NULL for no sampling in this ctx; per ingress port
	 * the countdown to the next sample (0: not drawn) and the rate it was
	 * drawn for; the PRNG state (0: not seeded yet); the records
	 * stage_sample reserved in this burst and the packets they are of.
	 */
	struct ixg_sample_ring *samples;
	const struct ixg_sample_cursor *sample_cursor;
	uint64_t sample_rng;
	uint32_t sample_skip[IXG_MAX_PORTS];
	uint32_t sample_skip_rate[IXG_MAX_PORTS];
	uint32_t sample_n;
	uint8_t sample_at[PIPELINE_BURST];
	/* Exception-path rate limit, per ingress port (punt_take_token). */
	struct punt_bucket punt[IXG_MAX_PORTS];
	/* ARP/ND answer rate limit, per ingress port (arp_nd_take_token). */
	struct punt_bucket arp_nd[IXG_MAX_PORTS];
	/* This worker's ring to the neighbour table (neigh.h): what
	 * stage_local hears in ARP/ND; NULL: nothing is learned. */
	struct neigh_obs_ring *neigh_obs;
};

/*
 * The stages, in order, declared once: pipeline_run() calls them straight
 * (no function pointer per burst; the last two, the tail, fused into one
 * pass: pipeline_tail), the benchmarks time them, replay's --trace-stages
 * and telemetry name them (pipeline_stage_name). Each is
 * stage_NAME() in NAME_stage.c (lookup: route_stage.c), reads the tables
 * named here and writes only the burst (output: the counters too).
 *
 *   X(ID, NAME, ARGS)         reads                 decides
 */
/* The front, which pipeline_run runs fused (pipeline_head). */
#define PIPELINE_FRONT_STAGES(X)                                               \
	/* headers, once per packet  ports (DMAC)        runt .. martian */    \
	X(PARSE, parse, BURST)                                                 \
	/* 1-in-N per port, copy    ports (sampling)    (sample records) */    \
	X(SAMPLE, sample, BURST)                                               \
	/* (port, VLANs, source MAC) peer_* tables      unknown_peer */        \
	X(PEER, peer, BURST)
#define PIPELINE_MID_STAGES(X)                                                 \
	/* both FIBs, both addresses route4/6, sav4/6   (route_nh, egress) */  \
	X(LOOKUP, lookup, BURST)                                               \
	/* ARP, ND, echo to us       local_addrs         local, arp_invalid */ \
	X(LOCAL, local, BURST)                                                 \
	/* lookup's source checks    sav sets, route4/6  source_invalid */     \
	X(SAV, sav, BURST)                                                     \
	/* ACL classifier (acl_class) acl                acl_deny, class */    \
	X(ACL, acl, BURST)                                                     \
	/* route_nh's meaning        peers               no_route .. */        \
	X(ROUTE, route, BURST)                                                 \
	/* the leaves' countries     (lookup's)          (countries) */        \
	X(COUNTRY, country, BURST)                                             \
	/* trTCM per (peer, class)   profiles, meters    policer_* */          \
	X(POLICER, policer, BURST)
#define PIPELINE_HEAD_STAGES(X) PIPELINE_FRONT_STAGES(X) PIPELINE_MID_STAGES(X)
/* The tail, which pipeline_run runs fused (pipeline_tail). */
#define PIPELINE_TAIL_STAGES(X)                                                \
	/* TTL, DSCP, MACs, VLANs    egress (ports)      ttl, mtu; ICMP */     \
	X(REWRITE, rewrite, BURST)                                             \
	/* count, publish samples,  -                   (out, counters) */     \
	X(OUTPUT, output, OUT)
#define PIPELINE_STAGES(X) PIPELINE_HEAD_STAGES(X) PIPELINE_TAIL_STAGES(X)

enum pipeline_stage {
#define PIPELINE_X_ENUM(id, name, args) PIPELINE_STAGE_##id,
	PIPELINE_STAGES(PIPELINE_X_ENUM)
#undef PIPELINE_X_ENUM
		PIPELINE_N_STAGES
};

/* A stage's call, as pipeline_run makes it: with ctx, b (and out) in
 * scope. For code that iterates PIPELINE_STAGES (benchmarks, tests). */
#define PIPELINE_CALL_BURST(name) stage_##name(ctx, b)
#define PIPELINE_CALL_OUT(name) stage_##name(ctx, b, out)
#define PIPELINE_CALL(name, args) PIPELINE_CALL_##args(name)

#define PIPELINE_DECL_BURST(name)                                              \
	void stage_##name(struct pipeline_ctx *ctx, struct burst *b);
#define PIPELINE_DECL_OUT(name)                                                \
	void stage_##name(struct pipeline_ctx *ctx, struct burst *b,           \
			  struct burst_out *out);
#define PIPELINE_X_DECL(id, name, args) PIPELINE_DECL_##args(name)
PIPELINE_STAGES(PIPELINE_X_DECL)
#undef PIPELINE_X_DECL

_Static_assert(PIPELINE_BURST <= 32,
	       "burst.nh_local, burst.charged: 32-bit masks");

/*
 * stage_parse without its fast path (parse_fast): every packet through the
 * general parser, the reference the unit tests compare stage_parse with.
 * Same arguments and result as stage_parse.
 */
void stage_parse_simple(struct pipeline_ctx *ctx, struct burst *b);

/*
 * stage_acl with a key and a classifier pass for every packet (what it did
 * before the prefilter moved into the stage), the reference test_acl
 * compares stage_acl with. Same arguments and result as stage_acl.
 */
void stage_acl_simple(struct pipeline_ctx *ctx, struct burst *b);

/*
 * stage_policer with class 0's "no period has passed" tested as now -
 * time_tc < period (what it did before the deadline compare): the same
 * results; the other side of pipeline_bench --ab-deadline.
 */
void stage_policer_period(struct pipeline_ctx *ctx, struct burst *b);

/*
 * stage_lookup with each FIB walked over an array of the gathered
 * addresses (lpm4_lookup_bulk, lpm6_lookup_bulk), not from the gather
 * itself: the reference test_route compares stage_lookup with. Same
 * arguments and result as stage_lookup.
 */
void stage_lookup_simple(struct pipeline_ctx *ctx, struct burst *b);

/*
 * stage_lookup with every IPv6 group level walked one packet after the
 * other, the first one not taken by the gather across the burst: the
 * same results; the other side of pipeline_bench --ab-walk6.
 */
void stage_lookup_chained(struct pipeline_ctx *ctx, struct burst *b);

/*
 * stage_sav without its prefetch of the multi-peer sets (prefetch_sets):
 * the same results, the other side of the benchmarks' A/B (pipeline_bench
 * --ab-prefetch) and test_sav's reference. Same arguments as stage_sav.
 */
void stage_sav_simple(struct pipeline_ctx *ctx, struct burst *b);

/* Run every stage over b. out->n[] must be zeroed by the caller. */
void pipeline_run(struct pipeline_ctx *ctx, struct burst *b,
		  struct burst_out *out);

/*
 * The front stages (PIPELINE_FRONT_STAGES: stage_parse, stage_sample,
 * stage_peer) in one pass over b: stage_sample's per-burst draw, then each
 * packet parsed and at once its ingress peer looked up. The same
 * metadata, burst fields, sample records and counters as the three stage
 * calls; what pipeline_run calls first. Worker (replay, test) thread.
 */
void pipeline_head(struct pipeline_ctx *ctx, struct burst *b);

/*
 * The tail stages (PIPELINE_TAIL_STAGES: stage_rewrite then stage_output)
 * in one pass over b: each packet rewritten (rewrite_one) and at once
 * counted and dispatched (output_one). The same metadata, frames,
 * counters, sample records and out as the two stage calls; what
 * pipeline_run calls after the head stages. Worker (replay, test) thread.
 */
void pipeline_tail(struct pipeline_ctx *ctx, struct burst *b,
		   struct burst_out *out);

/*
 * pipeline_tail with each packet's peer pair slot and country pair cell
 * prefetched a few packets ahead (pipeline.c, tail_prefetch): the same
 * results; the other side of pipeline_bench --ab-tailpf.
 */
void pipeline_tail_prefetch(struct pipeline_ctx *ctx, struct burst *b,
			    struct burst_out *out);

/*
 * pipeline_run with `after(stage, b, arg)` called after each stage, for
 * replay's --trace-stages and tests: the same stages in the same order,
 * each over the whole burst (the tail not fused), to the same results;
 * not for the workers. After the last stage (output) the burst's mbufs
 * belong to out or are freed: `after` may read b->meta only.
 */
void pipeline_run_observed(struct pipeline_ctx *ctx, struct burst *b,
			   struct burst_out *out,
			   void (*after)(enum pipeline_stage stage,
					 const struct burst *b, void *arg),
			   void *arg);

/* Name of a stage ("parse", "lookup"...), "unknown" out of range. Static
 * storage, any thread. */
const char *pipeline_stage_name(unsigned stage);

/*
 * stage_output tags each mbuf it hands out, so that pipeline_tx_failed() can
 * undo the count of a packet a TX queue refuses without its metadata:
 *   m->hash.fdir.lo = kind << 30 | in_port << 25 | out_port << 20 | in_peer
 *   m->hash.fdir.hi = out_peer << 20 | min(rx_len, 0xfffff)
 * The tag is only meaningful between stage_output and the TX call.
 */
enum out_tag_kind {
	OUT_TAG_NONE = 0,
	OUT_TAG_FORWARD = 1,
	OUT_TAG_LOCAL = 2,
	OUT_TAG_GENERATED = 3, /* an ICMP error leaving by in_port */
};

struct out_tag {
	uint8_t kind; /* enum out_tag_kind */
	uint16_t in_port, out_port;
	uint16_t in_peer, out_peer;
	uint32_t rx_len;
};

/* The tag's kind and ingress port bits, for out_tag_set_at: the same for
 * every packet of a burst of one kind. */
static inline uint32_t
out_tag_base(enum out_tag_kind kind, uint16_t in_port)
{
	return (uint32_t)kind << 30 | (uint32_t)(in_port & 0x1f) << 25;
}

/* out_tag_set with out_tag_base(kind, pm->in_port) computed by the caller
 * (stage_output: once per burst). */
static inline void
out_tag_set_at(struct rte_mbuf *m, uint32_t base, const struct pkt_meta *pm)
{
	m->hash.fdir.lo = base | (uint32_t)(pm->out_port & 0x1f) << 20 |
			  (pm->in_peer & 0xfffu);
	m->hash.fdir.hi = (uint32_t)(pm->out_peer & 0xfffu) << 20 |
			  (pm->rx_len < 0xfffff ? pm->rx_len : 0xfffff);
}

static inline void
out_tag_set(struct rte_mbuf *m, enum out_tag_kind kind,
	    const struct pkt_meta *pm)
{
	out_tag_set_at(m, out_tag_base(kind, pm->in_port), pm);
}

static inline void
out_tag_get(const struct rte_mbuf *m, struct out_tag *tag)
{
	uint32_t lo = m->hash.fdir.lo, hi = m->hash.fdir.hi;

	tag->kind = (uint8_t)(lo >> 30);
	tag->in_port = (uint16_t)((lo >> 25) & 0x1f);
	tag->out_port = (uint16_t)((lo >> 20) & 0x1f);
	tag->in_peer = (uint16_t)(lo & 0xfff);
	tag->out_peer = (uint16_t)(hi >> 20);
	tag->rx_len = hi & 0xfffff;
}

/* Count a packet a TX queue refused (drop tx_full, or generated_dropped for
 * an ICMP error the node originated) and free it. */
void pipeline_tx_failed(struct pipeline_ctx *ctx, struct rte_mbuf *m);

/* A frame of out->punt (stage_output) the caller could not queue to the
 * punt thread: its count moves from punted to the drop punt_queue_full,
 * and it is freed. Worker thread (its own ctx). */
void pipeline_punt_failed(struct pipeline_ctx *ctx, struct rte_mbuf *m);

/* Mark packet i dropped for `reason` (stages call this; no counting here). */
static inline void
pkt_drop(struct burst *b, unsigned i, enum ixg_drop_reason reason)
{
	b->meta[i].verdict = VERDICT_DROP;
	b->meta[i].drop_reason = (uint8_t)reason;
}

#endif /* IXG_PIPELINE_H */
