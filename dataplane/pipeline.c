/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pipeline.c - the stages run in PIPELINE_STAGES order (pipeline.h), and
 * the TX-refusal path.
 */
#include <stddef.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include <emmintrin.h>
#include <smmintrin.h> /* SSE4.1 ptest: -march=corei7 and up */

#include "output_stage.h"
#include "pipeline.h"
#include "rewrite_stage.h"

/* The output tag (pipeline.h) packs ports in 5 bits and peers in 12. */
_Static_assert(IXG_MAX_PORTS <= 32, "out_tag: 5 bits of port");
_Static_assert(IXG_MAX_PEERS <= 4096, "out_tag: 12 bits of peer");

static const char *const stage_names[PIPELINE_N_STAGES] = {
#define X_NAME(id, name, args) [PIPELINE_STAGE_##id] = #name,
	PIPELINE_STAGES(X_NAME)
#undef X_NAME
};

/*
 * Run every stage over b, in PIPELINE_STAGES order; see pipeline.h.
 * b->pkts, b->n and b->port are the input; the metadata is filled here.
 * Afterwards every mbuf of b is either in out (owned by the caller) or
 * freed. Worker thread (or replay/test), one ctx per thread.
 * Cost: bench/README.md ("Instructions per packet").
 */
void
pipeline_run(struct pipeline_ctx *ctx, struct burst *b, struct burst_out *out)
{
	pipeline_head(ctx, b);
#define X_RUN(id, name, args) PIPELINE_CALL(name, args);
	PIPELINE_MID_STAGES(X_RUN)
#undef X_RUN
	pipeline_tail(ctx, b, out);
}

/* pipeline_tail fuses exactly these two, in this order. */
#define X_TAIL_COUNT(id, name, args) +1
_Static_assert(0 PIPELINE_TAIL_STAGES(X_TAIL_COUNT) == 2 &&
		       PIPELINE_STAGE_REWRITE == PIPELINE_N_STAGES - 2 &&
		       PIPELINE_STAGE_OUTPUT == PIPELINE_N_STAGES - 1,
	       "pipeline_tail: rewrite then output, the last two stages");
#undef X_TAIL_COUNT

/*
 * The upper bound of each byte of pkt_meta's bytes 22..37 in a packet
 * tail_forward takes, tested at once (every byte at most its bound: a
 * saturating subtraction leaves 0): the colour (enum colour), out_peer
 * below IXG_MAX_PEERS (its high byte), class_id below IXG_MAX_CLASSES,
 * both countries below IXG_MAX_COUNTRIES (their high bytes 0). What
 * output_fwd_counts tests a packet at a time, before any store: the
 * counts then add without a test, and the rest goes to tail_other.
 */
#define TAIL_LIM_AT 22
#define TAIL_SRC_HI_AT 33 /* class_id's high byte, src_country's low */
_Static_assert(offsetof(struct pkt_meta, class_id) + 1 == TAIL_SRC_HI_AT &&
		       offsetof(struct pkt_meta, src_country) ==
			       TAIL_SRC_HI_AT + 1,
	       "tail_send: src_country << 8 in the 16 bits at byte 33");
_Static_assert(offsetof(struct pkt_meta, icmp_type) == 22 &&
		       offsetof(struct pkt_meta, colour) == 23 &&
		       offsetof(struct pkt_meta, in_port) == 24 &&
		       offsetof(struct pkt_meta, out_port) == 26 &&
		       offsetof(struct pkt_meta, in_peer) == 28 &&
		       offsetof(struct pkt_meta, out_peer) == 30 &&
		       offsetof(struct pkt_meta, class_id) == 32 &&
		       offsetof(struct pkt_meta, src_country) == 34 &&
		       offsetof(struct pkt_meta, dst_country) == 36 &&
		       sizeof(struct pkt_meta) >= TAIL_LIM_AT + 16,
	       "tail_limits: the metadata's bytes 22..37");
_Static_assert(IXG_MAX_PEERS % 256 == 0 && IXG_MAX_PEERS <= 65536 &&
		       IXG_MAX_CLASSES <= 256 && IXG_MAX_COUNTRIES == 256 &&
		       RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN,
	       "tail_limits: one byte bounds each id");
_Static_assert(offsetof(struct pkt_meta, rx_len) == 80 &&
		       offsetof(struct pkt_meta, remark) == 84 &&
		       offsetof(struct pkt_meta, l2_mcast) == 85 &&
		       offsetof(struct pkt_meta, gen) == 86 &&
		       sizeof(struct pkt_meta) == 88,
	       "tail_forward: rx_len, remark, l2_mcast, gen and the padding "
	       "(zeroed by stage_parse) in one word");
/*
 * Bytes 0..3 of a packet tail_forward takes, as one little-endian word:
 * VERDICT_CONTINUE, drop_reason 0, the family, spare3 0 (what stage_parse
 * leaves a packet it passes); any other word goes to tail_other. One
 * compare where the verdict's and the family's took a load and two.
 */
_Static_assert(offsetof(struct pkt_meta, verdict) == 0 &&
		       offsetof(struct pkt_meta, drop_reason) == 1 &&
		       offsetof(struct pkt_meta, l3) == 2 &&
		       offsetof(struct pkt_meta, spare3) == 3 &&
		       VERDICT_CONTINUE == 0,
	       "tail_send: bytes 0..3 as one word");
#define TAIL_HEAD_IPV4 ((uint32_t)L3_IPV4 << 16)
#define TAIL_HEAD_IPV6 ((uint32_t)L3_IPV6 << 16)

static const uint8_t tail_limits[16] __rte_aligned(16) = {
	0xff, /* icmp_type */
	COLOUR_RED, /* colour */
	0xff, /* in_port */
	0xff,
	0xff, /* out_port */
	0xff,
	0xff, /* in_peer */
	0xff,
	0xff, /* out_peer */
	IXG_MAX_PEERS / 256 - 1,
	IXG_MAX_CLASSES - 1, /* class_id */
	0,
	0xff, /* src_country */
	0,
	0xff, /* dst_country */
	0,
};

/*
 * Whether rewrite_l2 can turn pm's tag stack into eg's (they differ):
 * room in the mbuf's headroom for more tags (rte_pktmbuf_prepend's
 * test), bytes in its first segment for fewer (rte_pktmbuf_adj's).
 */
static __rte_always_inline int
tail_retag_fits(const struct rte_mbuf *m, const struct pkt_meta *pm,
		const struct tbl_egress *eg)
{
	const unsigned n_in = pm->n_vlans, n_out = eg->tags;

	if (n_out > n_in)
		return (n_out - n_in) * VLAN_TAG_LEN <= rte_pktmbuf_headroom(m);
	return (n_in - n_out) * VLAN_TAG_LEN <= m->data_len;
}

/*
 * rewrite_l2's prepend or adj for eg's tag stack where pm's came in
 * (tail_retag_fits said it fits), and l2_len its new length: returns the
 * frame's new start.
 */
static __rte_always_inline uint8_t *
tail_retag(struct rte_mbuf *m, struct pkt_meta *pm, const struct tbl_egress *eg)
{
	const unsigned n_in = pm->n_vlans, n_out = eg->tags;
	char *p;

	if (n_out > n_in)
		p = rte_pktmbuf_prepend(
			m, (uint16_t)((n_out - n_in) * VLAN_TAG_LEN));
	else
		p = rte_pktmbuf_adj(m,
				    (uint16_t)((n_in - n_out) * VLAN_TAG_LEN));
	pm->l2_len = (uint16_t)(ETH_ADDRS_LEN / 2 + eg->len);
	return (uint8_t *)p;
}

/*
 * The 64-bit words at byte off of c, from word i: gcc makes the address
 * of a counter pair one lea (c, the constant, the index), where
 * &country_pair[0][0] + i took a spilled base.
 */
static __rte_always_inline uint64_t *
tail_words(struct ixg_lcore_counters *c, size_t off, size_t i)
{
	return (uint64_t *)((char *)c + off) + i;
}

/*
 * pm's cell of the country pair matrix, [src][dst] as src << 8 | dst: the
 * 16 bits at byte 33 are src << 8, class_id's high byte being 0
 * (tail_limits, which tail_send's packets passed; a prefetch may take
 * any metadata).
 */
static __rte_always_inline size_t
tail_country_cell(const struct pkt_meta *pm)
{
	uint16_t src_hi;

	memcpy(&src_hi, (const uint8_t *)pm + TAIL_SRC_HI_AT, sizeof(src_hi));
	return (size_t)src_hi | (uint8_t)pm->dst_country;
}

/* A peer pair slot as words: the key in the low half of the first
 * (little-endian), packets, bytes. */
_Static_assert(offsetof(struct ixg_ctr_peer_pair, key) == 0 &&
		       offsetof(struct ixg_ctr_peer_pair, pb) == 8 &&
		       RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN,
	       "tail_send: a pair slot's words");

#define TAIL_PEER_WORDS (sizeof(struct ixg_ctr_peer) / sizeof(uint64_t))
_Static_assert(sizeof(struct ixg_ctr_peer) % sizeof(uint64_t) == 0 &&
		       offsetof(struct ixg_ctr_pb, bytes) == sizeof(uint64_t),
	       "tail_words: peers in words, packets then bytes");

/*
 * The home slot of key (output_peer_pair_home) for a walk past it: the
 * product computed again (the empty asm hides key's value), so the
 * common case keeps no copy of it for the walk.
 */
static __rte_always_inline uint32_t
tail_rehash(uint32_t key)
{
	__asm__("" : "+r"(key));
	return output_peer_pair_home(key);
}

/*
 * tail_forward's packet pm/m to eg's member, past the tests of its
 * metadata, the MTU and (retag: another tag stack out than in) the
 * room for its tags: its family and MAC tested, then rewritten, handed
 * out and counted (1), or left untouched (0). retag is a constant: two
 * copies, the common one without its code.
 */
static __rte_always_inline int
tail_send(struct ixg_lcore_counters *c, const struct tbl_egress *eg,
	  struct burst_out *out, struct pkt_meta *pm, struct rte_mbuf *m,
	  uint64_t len, uint64_t tag_base, uint64_t *rx_bytes, const int v6,
	  const int retag)
{
	uint8_t *base, *ip;
	uint64_t dmac;

	/* The family's MAC (the neighbour table may store a learned one at
	 * any time: one relaxed load) and header words: each family its
	 * own code (v6 a constant), their offsets constants. The L2 header
	 * first, then the IP header, which stays where it is. With the tag
	 * stack as deep as the received one, l2_len (stage_parse's 14 + 4
	 * per tag) is what rewrite_l2 would write, 6 + eg->len: the IP
	 * header is there. */
	base = rte_pktmbuf_mtod(m, uint8_t *);
	dmac = __atomic_load_n(&eg->mac[v6], __ATOMIC_RELAXED);
	if (unlikely(dmac == 0))
		return 0;
	ip = retag ? base + pm->l2_len : base + ETH_ADDRS_LEN / 2 + eg->len;
	if (retag)
		base = tail_retag(m, pm, eg);
	rewrite_l2_at(base, eg, dmac, v6);
	if (v6)
		rewrite_ipv6_hl(ip);
	else
		rewrite_ipv4_ttl(ip);
	/* Handed out, then counted (the frame's stores may alias the
	 * metadata for the compiler: its fields are read after them). What
	 * more than one count uses is read once, the rest where it is used
	 * (after counter stores that may alias it: one load each). ids:
	 * in_peer, then out_peer (little-endian, tail_limits). len is the
	 * word at rx_len (tail_forward: rx_len, the rest 0), read before
	 * the stores: no reload after them. */
	{
		const uint16_t port = eg->port_id;

		output_append(out, port, m);
		pm->out_port = port;
		c->port[port].tx.packets++;
		c->port[port].tx.bytes += len;
	}

	uint32_t ids;

	memcpy(&ids, &pm->in_peer, sizeof(ids));

	const uint16_t in_peer = (uint16_t)ids;
	const uint16_t out_peer = (uint16_t)(ids >> 16);

	/* output_fwd_tag: len is below 0xfffff (tested above). */
	output_tag_store(m, len << 32 | eg->tx_tag | tag_base | in_peer);
	*rx_bytes += len;
	{
		/* (in << 16) | out: the ids word turned by 16 bits. The pair
		 * slot's counts are also the ingress peer's rx and the
		 * egress peer's tx (IXG_CTR_PEER): a packet a slot takes
		 * writes no peer line. No slot holds a key of in_peer
		 * IXG_PEER_NONE (the walk is never called for one) nor key
		 * 0 (out_peer is not 0 here: peer 0's egress record has no
		 * MAC), nor a flagged key, so a packet without an ingress
		 * peer (which stage_peer drops) misses the home slot, and
		 * is tested for only then. */
		const uint32_t key = ids << 16 | ids >> 16;
		/* The home slot's byte offset (output_peer_pair_home << 5):
		 * a shift and a mask, then one lea, where the index took a
		 * shift, a copy and two lea. */
		const uint32_t home = output_peer_pair_home_at(key);
		uint64_t *s = tail_words(
			c, offsetof(struct ixg_lcore_counters, peer_pair),
			home / sizeof(uint64_t));

		if (likely((uint32_t)s[0] == key)) {
			s[1]++;
			s[2] += len;
		} else if (in_peer == IXG_PEER_NONE ||
			   !output_peer_pair_walk(c, key, tail_rehash(key),
						  (uint32_t)len)) {
			/* output_peers_direct, inline: a call in the loop
			 * would spill two of its values (+2 a packet). */
			uint64_t *rx = tail_words(
				c,
				offsetof(struct ixg_lcore_counters, peer[0].rx),
				(size_t)in_peer * TAIL_PEER_WORDS);
			uint64_t *tx = tail_words(
				c,
				offsetof(struct ixg_lcore_counters, peer[0].tx),
				(size_t)out_peer * TAIL_PEER_WORDS);

			if (in_peer != IXG_PEER_NONE) {
				rx[0]++;
				rx[1] += len;
			}
			tx[0]++;
			tx[1] += len;
		}
	}
	{
		const uint32_t rule = pm->acl_rule;

		/* Rule ids 1..IXG_MAX_ACL_RULES - 1 (0: none). */
		if (rule - 1u < IXG_MAX_ACL_RULES - 1u)
			c->acl_hits[rule]++;
	}
	{
		uint64_t *cp = tail_words(
			c, offsetof(struct ixg_lcore_counters, country_pair),
			tail_country_cell(pm) *
				(sizeof(struct ixg_ctr_pb) / sizeof(uint64_t)));

		cp[0]++;
		cp[1] += len;
	}
	c->class_colour[pm->class_id][pm->colour]++;
	pm->verdict = VERDICT_FORWARD;
	return 1;
}

/*
 * Packet i of b through rewrite_one (if still VERDICT_CONTINUE) and
 * counted: the packets tail_forward leaves. A packet rewrite_one forwards
 * is counted from the egress record it read (output_fwd: the TX tag's
 * bits and the port), the others by output_one. Out of line: the fused
 * loop then makes no call.
 */
static __rte_noinline void
tail_other(struct pipeline_ctx *ctx, struct burst *b, struct burst_out *out,
	   struct output_acc *a, struct rte_mbuf **dropped, unsigned i)
{
	struct ixg_lcore_counters *c = ctx->ctr;
	const struct pkt_meta *pm = &b->meta[i];
	const struct tbl_egress *eg;

	if (pm->verdict != VERDICT_CONTINUE ||
	    (eg = rewrite_one(ctx, ctx->t, b, i)) == NULL) {
		output_one(c, b, out, a, dropped, i);
		return;
	}
	const uint32_t len = pm->rx_len;
	const uint16_t in_peer = pm->in_peer;

	output_rx(c, a, len, pm->acl_rule);
	output_fwd(c, b, out, a, i, eg->tx_tag, eg->port_id, in_peer, len);
}

/*
 * The fused tail's common case: packet pm/m, VERDICT_CONTINUE, IP, its
 * ids within the tables' ranges (tail_limits), to a member with a
 * resolved MAC, within the TTL and the MTU, with room in the mbuf for
 * the egress tag stack. Rewritten and counted at once, as rewrite_one
 * and output_rx + output_fwd would, every test made before the first
 * store; 0 (nothing written) for any other packet, which the caller
 * hands to them (tail_other). rx_bytes: the burst's received bytes. No
 * call: the burst loop's values stay in registers.
 */
static __rte_always_inline int
tail_family(struct ixg_lcore_counters *c, const struct tbl_egress *egress,
	    struct burst_out *out, struct pkt_meta *pm, struct rte_mbuf *m,
	    uint64_t tag_base, uint64_t *rx_bytes, const int v6)
{
	const size_t out_peer = pm->out_peer;
	const struct tbl_egress *eg;

	/* Peer 0 (IXG_PEER_NONE) has a record without a MAC (tbl_egress):
	 * the MAC test below leaves it to rewrite_one's no_route. */
	const __m128i lim = _mm_loadu_si128(
		(const __m128i *)((const uint8_t *)pm + TAIL_LIM_AT));
	const __m128i over = _mm_subs_epu8(
		lim, _mm_load_si128((const __m128i *)tail_limits));
	uint64_t len_word;

	/* rx_len within the TX tag's 20 bits and no remark (the DSCP as
	 * received: tail_send leaves it; a remarked packet goes to
	 * rewrite_one), l2_mcast and gen 0 (what a packet still
	 * VERDICT_CONTINUE has): the word at rx_len below 2^20, which is
	 * then rx_len. */
	memcpy(&len_word, &pm->rx_len, sizeof(len_word));
	if (unlikely(!_mm_testz_si128(over, over) || pm->ttl <= 1 ||
		     len_word > 0xfffff))
		return 0;
	eg = &egress[out_peer];
	if (unlikely(pm->l3_total > eg->mtu))
		return 0;
	/* Another tag stack out than in: the frame grows or shrinks at its
	 * start (rewrite_l2), unless the mbuf has no room for it (left to
	 * rewrite_one's mtu_exceeded). */
	if (likely(eg->tags == pm->n_vlans))
		return tail_send(c, eg, out, pm, m, len_word, tag_base,
				 rx_bytes, v6, 0);
	if (!tail_retag_fits(m, pm, eg))
		return 0;
	return tail_send(c, eg, out, pm, m, len_word, tag_base, rx_bytes, v6,
			 1);
}

/*
 * The fused tail's common case: packet pm/m, VERDICT_CONTINUE, IP, its
 * ids within the tables' ranges (tail_limits), to a member with a
 * resolved MAC, within the TTL and the MTU, with room in the mbuf for
 * the egress tag stack. Rewritten and counted at once, as rewrite_one
 * and output_rx + output_fwd would, every test made before the first
 * store; 0 (nothing written) for any other packet, which the caller
 * hands to them (tail_other). rx_bytes: the burst's received bytes. No
 * call: the burst loop's values stay in registers. The verdict and the
 * family first, as one word (TAIL_HEAD_IPV4, _IPV6): each family its
 * own copy of the rest (tail_family).
 */
static __rte_always_inline int
tail_forward(struct ixg_lcore_counters *c, const struct tbl_egress *egress,
	     struct burst_out *out, struct pkt_meta *pm, struct rte_mbuf *m,
	     uint64_t tag_base, uint64_t *rx_bytes)
{
	uint32_t head;

	memcpy(&head, pm, sizeof(head));
	if (likely(head == TAIL_HEAD_IPV4))
		return tail_family(c, egress, out, pm, m, tag_base, rx_bytes,
				   0);
	if (head == TAIL_HEAD_IPV6)
		return tail_family(c, egress, out, pm, m, tag_base, rx_bytes,
				   1);
	return 0;
}

/*
 * pipeline_tail_prefetch's look ahead: packet q's peer pair home slot and
 * country pair cell (as tail_send finds them) prefetched TAIL_PF_AHEAD
 * packets before tail_send counts it. Any metadata: a prefetch does not
 * fault.
 */
#define TAIL_PF_AHEAD 4
static __rte_always_inline void
tail_prefetch(const struct ixg_lcore_counters *c, const struct pkt_meta *q)
{
	uint32_t ids;

	memcpy(&ids, &q->in_peer, sizeof(ids));
	rte_prefetch0((const char *)c +
		      offsetof(struct ixg_lcore_counters, peer_pair) +
		      output_peer_pair_home_at(ids << 16 | ids >> 16));
	rte_prefetch0((const char *)c +
		      offsetof(struct ixg_lcore_counters, country_pair) +
		      tail_country_cell(q) * sizeof(struct ixg_ctr_pb));
}

/* Where tail_run stopped, and the bytes its packets were received with:
 * returned in two registers (a pointer to the sum would hold a third
 * through the loop). */
struct tail_stop {
	struct pkt_meta *pm;
	uint64_t rx_bytes;
};

/*
 * tail_forward over pm[0..end), pp the packets, until a packet it leaves
 * (returned; end if none), with the bytes received of those it took. Out
 * of line, with only these values live in its loop: they stay in
 * registers.
 */
static __rte_always_inline struct tail_stop
tail_loop(struct ixg_lcore_counters *c, const struct tbl_egress *egress,
	  struct burst_out *out, struct pkt_meta *pm, struct pkt_meta *end,
	  struct rte_mbuf **pp, uint64_t tag_base, const int pf)
{
	uint64_t rx = 0;

	for (; pm < end; pm++, pp++) {
		if (pf && pm + TAIL_PF_AHEAD < end)
			tail_prefetch(c, pm + TAIL_PF_AHEAD);
		if (unlikely(!tail_forward(c, egress, out, pm, *pp, tag_base,
					   &rx)))
			break;
	}
	return (struct tail_stop){pm, rx};
}

static __rte_noinline PIPELINE_NO_SLP struct tail_stop
tail_run(struct ixg_lcore_counters *c, const struct tbl_egress *egress,
	 struct burst_out *out, struct pkt_meta *pm, struct pkt_meta *end,
	 struct rte_mbuf **pp, uint64_t tag_base)
{
	return tail_loop(c, egress, out, pm, end, pp, tag_base, 0);
}

/* tail_run with tail_prefetch, for pipeline_tail_prefetch. */
static __rte_noinline PIPELINE_NO_SLP struct tail_stop
tail_run_pf(struct ixg_lcore_counters *c, const struct tbl_egress *egress,
	    struct burst_out *out, struct pkt_meta *pm, struct pkt_meta *end,
	    struct rte_mbuf **pp, uint64_t tag_base)
{
	return tail_loop(c, egress, out, pm, end, pp, tag_base, 1);
}

/*
 * See pipeline.h. Packet i's rewrite and count in one iteration give what
 * the two stages give: rewrite_one reads and writes only packet i (and the
 * ICMP token bucket and pool, in the same packet order), output_one only
 * reads the metadata and writes counters, out and the mbuf's tag; the
 * peer-pair slots fill in the same packet order; the sample records are
 * completed after the last decision (output_end), as stage_output does,
 * and the dropped mbufs freed in one call there. The common forwarded
 * packet takes tail_forward, the others tail_other. Worker thread.
 * Cost: 96.7 instructions a packet on the real table through the ports
 * (bench/ixgate-bench compare --callgrind, bench/callgrind_stages.py), 96.5
 * on pipeline_bench's 16 routes (bench/README.md, "Issue 12, the tail,
 * structurally (helper tail6)").
 */
static __rte_always_inline void
tail_burst(struct pipeline_ctx *ctx, struct burst *b, struct burst_out *out,
	   const int pf)
{
	const unsigned n_pkts = b->n;
	const struct tbl_egress *const egress = ctx->t->egress;
	struct ixg_lcore_counters *const c = ctx->ctr;
	struct rte_mbuf *dropped[PIPELINE_BURST];
	struct output_acc a;
	uint64_t rx_bytes = 0, tag_base;
	struct pkt_meta *pm = b->meta;
	struct pkt_meta *const end = pm + n_pkts;

	output_begin(ctx, b, out, &a);
	tag_base = a.tag_fwd;
	for (;;) {
		const struct tail_stop st = (pf ? tail_run_pf : tail_run)(
			c, egress, out, pm, end, &b->pkts[pm - b->meta],
			tag_base);

		pm = st.pm;
		rx_bytes += st.rx_bytes;
		if (pm >= end)
			break;
		tail_other(ctx, b, out, &a, dropped, (unsigned)(pm - b->meta));
		pm++;
	}
	a.rx_bytes += rx_bytes;
	output_end(ctx, b, out, &a, dropped);
}

PIPELINE_NO_SLP void
pipeline_tail(struct pipeline_ctx *ctx, struct burst *b, struct burst_out *out)
{
	tail_burst(ctx, b, out, 0);
}

/* See pipeline.h. */
PIPELINE_NO_SLP void
pipeline_tail_prefetch(struct pipeline_ctx *ctx, struct burst *b,
		       struct burst_out *out)
{
	tail_burst(ctx, b, out, 1);
}

/* See pipeline.h. Replay or test thread. */
void
pipeline_run_observed(struct pipeline_ctx *ctx, struct burst *b,
		      struct burst_out *out,
		      void (*after)(enum pipeline_stage stage,
				    const struct burst *b, void *arg),
		      void *arg)
{
#define X_RUN_OBSERVED(id, name, args)                                         \
	PIPELINE_CALL(name, args);                                             \
	after(PIPELINE_STAGE_##id, b, arg);
	PIPELINE_STAGES(X_RUN_OBSERVED)
#undef X_RUN_OBSERVED
}

/* See pipeline.h. */
const char *
pipeline_stage_name(unsigned stage)
{
	return stage < PIPELINE_N_STAGES ? stage_names[stage] : "unknown";
}

/*
 * m was handed out by stage_output and refused by its TX queue: move its
 * count from forwarded (or local) to drop tx_full at its ingress port and
 * peer, and free it. A refused ICMP error the node generated moves from
 * icmp_generated (and its port's generated) to generated_dropped: it was
 * never a received packet, so the rx invariant does not see it. Takes ownership of m. Same thread as the pipeline_run
 * that produced m. The traffic matrices (peer pair, country pair, class and
 * colour) keep the packet: they record what the pipeline decided.
 */
void
pipeline_tx_failed(struct pipeline_ctx *ctx, struct rte_mbuf *m)
{
	struct ixg_lcore_counters *c = ctx->ctr;
	struct out_tag tag;

	out_tag_get(m, &tag);
	switch (tag.kind) {
	case OUT_TAG_FORWARD:
		c->tx_packets--;
		c->port[tag.in_port].fwd--;
		c->port[tag.out_port].tx.packets--;
		c->port[tag.out_port].tx.bytes -= tag.rx_len;
		c->peer[tag.out_peer].tx.packets--;
		c->peer[tag.out_peer].tx.bytes -= tag.rx_len;
		break;
	case OUT_TAG_LOCAL:
		c->local_packets--;
		c->port[tag.in_port].local--;
		break;
	case OUT_TAG_GENERATED:
		c->icmp_generated--;
		c->port[tag.in_port].generated--;
		c->generated_dropped++;
		rte_pktmbuf_free(m);
		return;
	default:
		/* Not from stage_output: nothing was counted for it. */
		rte_pktmbuf_free(m);
		return;
	}
	c->drops[IXG_DROP_TX_FULL]++;
	c->port[tag.in_port].drops[IXG_DROP_TX_FULL]++;
	if (tag.in_peer != IXG_PEER_NONE)
		c->peer[tag.in_peer].drops++;
	rte_pktmbuf_free(m);
}

/* See pipeline.h. */
void
pipeline_punt_failed(struct pipeline_ctx *ctx, struct rte_mbuf *m)
{
	struct ixg_lcore_counters *c = ctx->ctr;
	struct out_tag tag;

	out_tag_get(m, &tag);
	c->punted--;
	c->port[tag.in_port].punted--;
	c->drops[IXG_DROP_PUNT_QUEUE_FULL]++;
	c->port[tag.in_port].drops[IXG_DROP_PUNT_QUEUE_FULL]++;
	if (tag.in_peer != IXG_PEER_NONE)
		c->peer[tag.in_peer].drops++;
	rte_pktmbuf_free(m);
}
