/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_pipeline.c - pipeline_run over tables built by tables_build with a
 * mixed burst (forwarded, answered locally, dropped for many reasons):
 * every packet ends where it should and, per port and in total,
 *     rx == tx + local + sum(drops)
 * also after pipeline_tx_failed() moves refused packets to tx_full.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "counters.h"
#include "dp_test_util.h"
#include "frame_util.h"
#include "pipeline.h"
#include "sample.h"
#include "stats.h"

static struct tables *tbl;
static struct pipeline_ctx ctx;

static const uint8_t stranger[6] = {0x02, 0, 0, 0, 0x66, 0x66};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void
assert_invariant(const struct ixg_lcore_counters *c)
{
	uint64_t drops = 0, pd;
	unsigned r, p;

	for (r = 0; r < IXG_DROP_MAX; r++)
		drops += c->drops[r];
	assert_int_equal(c->rx_packets,
			 c->tx_packets + c->local_packets + c->punted + drops);
	for (p = 0; p < IXG_MAX_PORTS; p++) {
		for (pd = 0, r = 0; r < IXG_DROP_MAX; r++)
			pd += c->port[p].drops[r];
		assert_int_equal(c->port[p].rx.packets,
				 c->port[p].fwd + c->port[p].local +
					 c->port[p].punted + pd);
	}
}

/* A peer's value of family f as readers show it (its pair slots' counts
 * added: IXG_CTR_PEER). */
static uint64_t
peer_shown(const struct ixg_lcore_counters *c, unsigned f, uint16_t id)
{
	struct ixg_ctr_src src;

	ixg_ctr_src_one(&src, c);
	return ixg_ctr_value(&src, f, id, 0);
}

/* What each frame of the mixed burst is and where it must end. */
struct expect {
	struct fspec f;
	size_t cut; /* 0: whole frame, else only this many bytes */
	int verdict; /* VERDICT_FORWARD, VERDICT_LOCAL or a drop reason */
};

#define FWD (-1)
#define LOC (-2)

static const struct expect mix[] = {
	{{.family = 4, .proto = 6, .dst = "203.0.113.5", .payload = 60},
	 0,
	 FWD},
	{{.family = 6, .proto = 17, .dst = "2001:db8:2::9"}, 0, FWD},
	{{.family = 4, .proto = 1, .icmp_type = 8, .dst = "203.0.113.7"},
	 0,
	 FWD},
	{{.family = 0, .dmac = bcast, .dst = "192.0.2.1"}, 0, LOC},
	{{.family = 4, .proto = 1, .icmp_type = 8, .dst = "192.0.2.1"}, 0, LOC},
	{{.family = 6, .proto = 58, .icmp_type = 128, .dst = "2001:db8::1"},
	 0,
	 LOC},
	{{.family = 4, .proto = 6}, 10, IXG_DROP_RUNT},
	{{.family = 4, .proto = 6, .ethertype = 0x88cc}, 0, IXG_DROP_ETHERTYPE},
	{{.family = 4, .proto = 6, .smac = stranger}, 0, IXG_DROP_UNKNOWN_PEER},
	{{.family = 4, .proto = 6, .dst = "100.64.0.1"}, 0, IXG_DROP_NO_ROUTE},
	{{.family = 4, .proto = 6, .dst = "203.0.113.5", .ttl = 1},
	 0,
	 IXG_DROP_TTL_EXPIRED},
	{{.family = 6, .proto = 6, .dst = "2001:db8:2::1", .ttl = 1},
	 0,
	 IXG_DROP_TTL_EXPIRED},
	{{.family = 4, .proto = 17, .src = "127.0.0.1"}, 0, IXG_DROP_MARTIAN},
	{{.family = 4, .proto = 6, .payload = 20},
	 14 + 30,
	 IXG_DROP_IPV4_HEADER},
	{{.family = 4, .proto = 17, .dst = "192.0.2.1"},
	 0,
	 IXG_DROP_LOCAL_UNHANDLED},
	{{.family = 4, .proto = 6, .dst = "203.0.113.5", .payload = 1500},
	 0,
	 IXG_DROP_MTU_EXCEEDED},
	{{.family = 6, .proto = 6, .n_vlans = 3, .vid = {1, 2, 3}},
	 0,
	 IXG_DROP_VLAN_STACK},
};

static void
test_mixed_burst_invariant(void **state)
{
	const unsigned n = sizeof(mix) / sizeof(mix[0]);
	unsigned in_use = rte_mempool_in_use_count(dp_test_pool());
	static struct burst_out out;
	struct ixg_lcore_counters *c = ctx.ctr;
	unsigned i, fwd = 0, loc = 0, peer_drops = 0;
	uint8_t buf[MAX_FRAME];
	struct burst b;

	(void)state;
	assert_true(n <= PIPELINE_BURST);
	dp_burst_init(&b, 0);
	for (i = 0; i < n; i++) {
		size_t len = build(&mix[i].f, buf);

		if (mix[i].cut)
			len = mix[i].cut;
		b.pkts[b.n++] = dp_test_mbuf(buf, len, 0);
	}
	memset(&out, 0, sizeof(out));
	pipeline_run(&ctx, &b, &out);

	for (i = 0; i < n; i++) {
		if (mix[i].verdict == FWD) {
			assert_int_equal(b.meta[i].verdict, VERDICT_FORWARD);
			fwd++;
		} else if (mix[i].verdict == LOC) {
			assert_int_equal(b.meta[i].verdict, VERDICT_LOCAL);
			loc++;
		} else {
			assert_int_equal(b.meta[i].verdict, VERDICT_DROP);
			assert_string_equal(
				ixg_drop_name(b.meta[i].drop_reason),
				ixg_drop_name((unsigned)mix[i].verdict));
			assert_int_equal(c->drops[mix[i].verdict] > 0, 1);
			/* dropped after the peer stage, or martian: counted
			 * for peer 1 */
			peer_drops += b.meta[i].in_peer == 1;
		}
	}
	assert_int_equal(c->rx_packets, n);
	assert_int_equal(c->tx_packets, fwd);
	assert_int_equal(c->local_packets, loc);
	assert_int_equal(out.n[1], fwd);
	assert_int_equal(out.n[0], loc);
	assert_int_equal(
		peer_shown(c, IXG_CF_peer_transmitted_packets_total, 2), fwd);
	assert_int_equal(c->port[1].tx.packets, fwd);
	assert_invariant(c);
	/* dropped frames are already back in the pool */
	assert_int_equal(rte_mempool_in_use_count(dp_test_pool()),
			 in_use + fwd + loc);

	/* The TX queues refuse one forwarded and one local frame. */
	pipeline_tx_failed(&ctx, out.pkts[1][0]);
	pipeline_tx_failed(&ctx, out.pkts[0][0]);
	assert_int_equal(c->drops[IXG_DROP_TX_FULL], 2);
	assert_int_equal(c->port[0].drops[IXG_DROP_TX_FULL], 2);
	assert_int_equal(c->tx_packets, fwd - 1);
	assert_int_equal(c->local_packets, loc - 1);
	assert_int_equal(c->port[1].tx.packets, fwd - 1);
	assert_int_equal(
		peer_shown(c, IXG_CF_peer_transmitted_packets_total, 2),
		fwd - 1);
	assert_int_equal(c->port[0].fwd, fwd - 1);
	assert_int_equal(c->port[0].local, loc - 1);
	assert_int_equal(peer_drops, 6);
	assert_int_equal(c->peer[1].drops, peer_drops + 2);
	assert_invariant(c);
	for (i = 1; i < out.n[1]; i++)
		rte_pktmbuf_free(out.pkts[1][i]);
	for (i = 1; i < out.n[0]; i++)
		rte_pktmbuf_free(out.pkts[0][i]);
	assert_int_equal(rte_mempool_in_use_count(dp_test_pool()), in_use);
}

struct observed {
	unsigned calls;
	enum pipeline_stage order[PIPELINE_N_STAGES];
	uint8_t decided[PIPELINE_BURST];
};

static void
observe(enum pipeline_stage stage, const struct burst *b, void *arg)
{
	struct observed *o = arg;

	assert_true(o->calls < PIPELINE_N_STAGES);
	o->order[o->calls++] = stage;
	for (unsigned i = 0; i < b->n; i++)
		if (o->decided[i] == PIPELINE_N_STAGES &&
		    b->meta[i].verdict != VERDICT_CONTINUE)
			o->decided[i] = (uint8_t)stage;
}

/* The stages are declared once: pipeline_run and pipeline_run_observed run
 * them in the same order to the same verdicts, and every one has a name. */
static void
test_stages_declared_once(void **state)
{
	const unsigned n = sizeof(mix) / sizeof(mix[0]);
	static struct burst_out out1, out2;
	struct observed o = {0};
	uint8_t buf[MAX_FRAME];
	struct burst b1, b2;
	unsigned i, j;

	(void)state;
	for (i = 0; i < PIPELINE_N_STAGES; i++) {
		assert_string_not_equal(pipeline_stage_name(i), "unknown");
		for (j = 0; j < i; j++)
			assert_string_not_equal(pipeline_stage_name(i),
						pipeline_stage_name(j));
	}
	assert_string_equal(pipeline_stage_name(PIPELINE_N_STAGES), "unknown");
	assert_string_equal(pipeline_stage_name(0), "parse");
	assert_string_equal(pipeline_stage_name(PIPELINE_N_STAGES - 1),
			    "output");
	assert_true(PIPELINE_STAGE_LOOKUP < PIPELINE_STAGE_LOCAL);

	dp_burst_init(&b1, 0);
	dp_burst_init(&b2, 0);
	for (i = 0; i < n; i++) {
		size_t len = build(&mix[i].f, buf);

		if (mix[i].cut)
			len = mix[i].cut;
		b1.pkts[b1.n++] = dp_test_mbuf(buf, len, 0);
		b2.pkts[b2.n++] = dp_test_mbuf(buf, len, 0);
	}
	memset(&out1, 0, sizeof(out1));
	memset(&out2, 0, sizeof(out2));
	memset(o.decided, PIPELINE_N_STAGES, sizeof(o.decided));
	pipeline_run(&ctx, &b1, &out1);
	pipeline_run_observed(&ctx, &b2, &out2, observe, &o);
	assert_int_equal(o.calls, PIPELINE_N_STAGES);
	for (i = 0; i < PIPELINE_N_STAGES; i++)
		assert_int_equal(o.order[i], i);
	for (i = 0; i < n; i++) {
		assert_int_equal(b1.meta[i].verdict, b2.meta[i].verdict);
		assert_int_equal(b1.meta[i].drop_reason,
				 b2.meta[i].drop_reason);
		assert_true(o.decided[i] < PIPELINE_N_STAGES);
	}
	/* A runt ends in parse, an unknown MAC in peer, a forward in
	 * rewrite, an echo to us in local. */
	assert_int_equal(o.decided[6], PIPELINE_STAGE_PARSE);
	assert_int_equal(o.decided[8], PIPELINE_STAGE_PEER);
	assert_int_equal(o.decided[0], PIPELINE_STAGE_REWRITE);
	assert_int_equal(o.decided[4], PIPELINE_STAGE_LOCAL);
	for (unsigned p = 0; p < IXG_MAX_PORTS; p++) {
		assert_int_equal(out1.n[p], out2.n[p]);
		for (i = 0; i < out1.n[p]; i++) {
			rte_pktmbuf_free(out1.pkts[p][i]);
			rte_pktmbuf_free(out2.pkts[p][i]);
		}
	}
}

/* tx_full alone: a refused forward is a drop at the ingress port, and the
 * bytes leave the egress port's and peer's tx counts. */
static void
test_tx_full(void **state)
{
	struct fspec f = {
		.family = 4, .proto = 17, .dst = "203.0.113.5", .payload = 100};
	struct ixg_lcore_counters *c = ctx.ctr;
	static struct burst_out out;
	uint8_t buf[MAX_FRAME];
	struct burst b;
	uint64_t tx_bytes;

	(void)state;
	dp_burst_init(&b, 0);
	b.pkts[b.n++] = dp_test_mbuf(buf, build(&f, buf), 0);
	memset(&out, 0, sizeof(out));
	tx_bytes = c->port[1].tx.bytes;
	pipeline_run(&ctx, &b, &out);
	assert_int_equal(out.n[1], 1);
	assert_int_equal(c->port[1].tx.bytes, tx_bytes + 14 + 28 + 100);
	pipeline_tx_failed(&ctx, out.pkts[1][0]);
	assert_int_equal(c->port[1].tx.bytes, tx_bytes);
	assert_int_equal(c->drops[IXG_DROP_TX_FULL], 3);
	assert_invariant(c);
}

/* ---- pipeline_run's fused tail against the stages one by one ---------- */

/*
 * Two of everything the pipeline writes, so that pipeline_run (the tail
 * fused, pipeline_tail) and pipeline_run_observed (each stage over the
 * whole burst) see the same state: tables built twice from one spec (the
 * meters are in them), counter blocks, sample rings and cursors.
 */
struct side {
	struct tables *t;
	struct pipeline_ctx ctx;
	struct ixg_sample_ring *ring;
	struct ixg_sample_cursor cursor;
	struct burst b;
	struct burst_out out;
};

static uint64_t rnd_state = 0x2545f4914f6cdd1dull;

static uint32_t
rnd(uint32_t n)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (uint32_t)((rnd_state * 0x2545f4914f6cdd1dull) >> 33) % n;
}

static struct ixg_spec *
tail_spec(void)
{
	struct ixg_spec *s = dp_spec_new();
	struct ixg_spec_acl_rule *r;

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_port(s, 1, "02:00:00:00:00:02")->mtu = 1200;
	dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_OFF);
	dp_spec_peer(s, 2, 1, 100, "02:00:00:00:02:01", IXG_SAV_OFF);
	dp_spec_peer(s, 3, 1, 0, "02:00:00:00:03:01", IXG_SAV_OFF);
	dp_spec_peer(s, 4, 0, 0, "02:00:00:00:04:01", IXG_SAV_OFF);
	dp_spec_route4(s, "203.0.113.0", 24, 2);
	dp_spec_route4(s, "198.51.100.0", 24, 3);
	dp_spec_route4(s, "100.64.0.0", 24, 4); /* back out of port 0 */
	dp_spec_route6(s, "2001:db8:2::", 48, 2);
	dp_spec_route6(s, "2001:db8:3::", 48, 3);
	dp_spec_local(s, 0, "192.0.2.1", 24);
	dp_spec_local(s, 0, "2001:db8::1", 64);
	dp_spec_country4(s, "203.0.113.0", 25, "NL");
	dp_spec_country4(s, "198.51.100.0", 24, "DE");
	dp_spec_country4(s, "192.0.2.0", 24, "FR");
	dp_spec_country6(s, "2001:db8:2::", 48, "NL");
	/* UDP metered in class 1 (some yellow, some red), anything to
	 * 100.64.0.4/30 denied, other TCP remarked to DSCP 46. */
	dp_spec_class(s, 1, 20000, 1500, 40000, 3000);
	r = dp_spec_acl(s, 1, 10, 4, IXG_ACL_CLASS);
	r->proto = 17, r->proto_mask = 0xff, r->class_id = 1;
	r = dp_spec_acl(s, 2, 10, 6, IXG_ACL_CLASS);
	r->proto = 17, r->proto_mask = 0xff, r->class_id = 1;
	r = dp_spec_acl(s, 3, 20, 4, IXG_ACL_DENY);
	r->dst_len = 30;
	inet_pton(AF_INET, "100.64.0.4", r->dst);
	r = dp_spec_acl(s, 4, 30, 4, IXG_ACL_REMARK);
	r->proto = 6, r->proto_mask = 0xff, r->remark_dscp = 46;
	r = dp_spec_acl(s, 5, 30, 6, IXG_ACL_REMARK);
	r->proto = 6, r->proto_mask = 0xff, r->remark_dscp = 46;
	return s;
}

static void
side_init(struct side *sd, const struct ixg_spec *s)
{
	sd->t = dp_tables_build(s);
	sd->t->node.icmp_time_exceeded = 1;
	sd->t->node.icmp_rate = 1000;
	sd->t->ports[0].sample_rate = 3;
	/* Peer 3's IPv6 next hop unresolved (a learning member's). */
	sd->t->egress[3].mac[1] = 0;
	dp_ctx_init(&sd->ctx, sd->t);
	sd->ctx.ctr = rte_zmalloc("ctr", sizeof(*sd->ctx.ctr), 64);
	sd->ring = aligned_alloc(64, sizeof(*sd->ring));
	assert_non_null(sd->ctx.ctr);
	assert_non_null(sd->ring);
	ixg_sample_ring_init(sd->ring);
	memset(&sd->cursor, 0, sizeof(sd->cursor));
	sd->ctx.samples = sd->ring;
	sd->ctx.sample_cursor = &sd->cursor;
	sd->ctx.pool = dp_test_pool();
	sd->ctx.now_tsc = 2 * sd->ctx.tsc_hz;
}

static void
side_free(struct side *sd)
{
	rte_free(sd->ctx.ctr);
	free(sd->ring);
	tables_free(sd->t);
}

/* A random frame from peer 1 (or a stranger) on port 0: forwarded, local,
 * punted or dropped at every stage, tagged or not out, ICMP errors. */
static size_t
random_frame(uint8_t *buf)
{
	static const char *const dst4[] = {
		"203.0.113.5", "203.0.113.200", "198.51.100.9", "100.64.0.7",
		"10.9.9.9",    "192.0.2.1",	"224.0.0.5",	"192.0.2.255"};
	static const char *const dst6[] = {"2001:db8:2::9", "2001:db8:3::7",
					   "2001:db8:9::1", "2001:db8::1",
					   "ff02::5"};
	static const char *const src4[] = {"192.0.2.7", "198.51.100.77",
					   "127.0.0.1", "0.0.0.0"};
	static const char *const src6[] = {"2001:db8::7", "2001:db8:2::77",
					   "::"};
	static const uint8_t protos[] = {6, 17, 1, 58};
	static const unsigned payloads[] = {0, 18, 60, 1100, 1300};
	static const uint8_t ttls[] = {64, 64, 64, 2, 1, 0};
	struct fspec f = {0};

	f.family = rnd(10) == 0 ? 0 : rnd(10) < 7 ? 4 : 6;
	if (f.family == 0) {
		f.dmac = bcast;
		f.dst = "192.0.2.1";
		f.src = "192.0.2.7";
		f.arp_op = 1;
		return build(&f, buf);
	}
	if (rnd(20) == 0)
		f.smac = stranger;
	if (rnd(20) == 0)
		f.dmac = bcast;
	if (rnd(8) == 0) {
		f.n_vlans = 1;
		f.vid[0] = 7;
	}
	f.proto = protos[rnd(f.family == 4 ? 3 : 4)];
	if (f.family == 6 && f.proto == 1)
		f.proto = 58;
	f.icmp_type = f.family == 4 ? (rnd(2) ? 8 : 3) : (rnd(2) ? 128 : 1);
	if (f.family == 4) {
		f.dst = dst4[rnd(8)];
		f.src = src4[rnd(5) < 4 ? rnd(2) : 2 + rnd(2)];
		if (rnd(2))
			f.frag = 0x4000; /* DF */
	} else {
		f.dst = dst6[rnd(5)];
		f.src = src6[rnd(6) < 5 ? rnd(2) : 2];
	}
	f.ttl = ttls[rnd(6)];
	f.dscp = rnd(3) == 0 ? 10 : 0;
	f.payload = payloads[rnd(5)];
	return build(&f, buf);
}

static void
no_op_after(enum pipeline_stage stage, const struct burst *b, void *arg)
{
	(void)stage;
	(void)b;
	(*(unsigned *)arg)++;
}

static void
assert_same_mbuf(const struct rte_mbuf *x, const struct rte_mbuf *y)
{
	assert_int_equal(x->pkt_len, y->pkt_len);
	assert_int_equal(x->data_len, y->data_len);
	assert_int_equal(x->hash.fdir.lo, y->hash.fdir.lo);
	assert_int_equal(x->hash.fdir.hi, y->hash.fdir.hi);
	assert_int_equal(x->port, y->port);
	assert_memory_equal(rte_pktmbuf_mtod(x, const void *),
			    rte_pktmbuf_mtod(y, const void *), x->data_len);
}

/*
 * pipeline_run (rewrite and output fused, pipeline_tail) and
 * pipeline_run_observed (each stage over the burst) on 300 random bursts
 * of 1-32 frames: the same metadata, the same frames out (bytes, length,
 * TX tag), the same punts and ICMP errors, the same counter blocks byte
 * for byte, the same sample records; every mbuf back in the pool.
 */
/* One random burst of 1..PIPELINE_BURST frames into both sides (the same
 * frames), their outputs cleared and their clocks 1 ms on: the number of
 * packets. */
static unsigned
twin_bursts(struct side *a, struct side *o)
{
	unsigned n = 1 + rnd(PIPELINE_BURST);
	uint8_t buf[MAX_FRAME];

	dp_burst_init(&a->b, 0);
	dp_burst_init(&o->b, 0);
	for (unsigned i = 0; i < n; i++) {
		size_t len = random_frame(buf);

		a->b.pkts[a->b.n++] = dp_test_mbuf(buf, len, 0);
		o->b.pkts[o->b.n++] = dp_test_mbuf(buf, len, 0);
	}
	memset(&a->out, 0, sizeof(a->out));
	memset(&o->out, 0, sizeof(o->out));
	a->ctx.now_tsc = o->ctx.now_tsc += a->ctx.tsc_hz / 1000;
	return n;
}

/* Both sides sent the same frames to every port and punted the same ones
 * (with the same tag and L2 length); every one freed. The punts' number. */
static unsigned
same_out(struct side *a, struct side *o)
{
	for (unsigned p = 0; p < IXG_MAX_PORTS; p++) {
		assert_int_equal(a->out.n[p], o->out.n[p]);
		for (unsigned i = 0; i < a->out.n[p]; i++) {
			assert_same_mbuf(a->out.pkts[p][i], o->out.pkts[p][i]);
			rte_pktmbuf_free(a->out.pkts[p][i]);
			rte_pktmbuf_free(o->out.pkts[p][i]);
		}
	}
	assert_int_equal(a->out.n_punt, o->out.n_punt);
	for (unsigned i = 0; i < a->out.n_punt; i++) {
		assert_same_mbuf(a->out.punt[i], o->out.punt[i]);
		assert_int_equal(a->out.punt[i]->vlan_tci,
				 o->out.punt[i]->vlan_tci);
		assert_int_equal(a->out.punt[i]->l2_len,
				 o->out.punt[i]->l2_len);
		rte_pktmbuf_free(a->out.punt[i]);
		rte_pktmbuf_free(o->out.punt[i]);
	}
	return a->out.n_punt;
}

static void
test_tail_fused_equals_stages(void **state)
{
	static struct side a, o;
	struct ixg_spec *s = tail_spec();
	unsigned in_use = rte_mempool_in_use_count(dp_test_pool());
	unsigned round, i, calls = 0, fwd = 0, gen = 0, punt = 0;
	uint64_t drops = 0;

	(void)state;
	side_init(&a, s);
	side_init(&o, s);
	for (round = 0; round < 300; round++) {
		unsigned n = twin_bursts(&a, &o);

		pipeline_run(&a.ctx, &a.b, &a.out);
		pipeline_run_observed(&o.ctx, &o.b, &o.out, no_op_after,
				      &calls);
		for (i = 0; i < n; i++) {
			assert_memory_equal(&a.b.meta[i], &o.b.meta[i],
					    sizeof(a.b.meta[i]));
			fwd += a.b.meta[i].verdict == VERDICT_FORWARD;
			drops += a.b.meta[i].verdict == VERDICT_DROP;
			gen += a.b.meta[i].gen;
		}
		punt += same_out(&a, &o);
	}
	assert_int_equal(calls, 300 * PIPELINE_N_STAGES);
	assert_memory_equal(a.ctx.ctr, o.ctx.ctr, sizeof(*a.ctx.ctr));
	assert_int_equal(a.ctx.icmp_tokens, o.ctx.icmp_tokens);
	assert_int_equal(a.ring->head, o.ring->head);
	assert_true(a.ring->head > 0);
	for (i = 0; i < a.ring->head; i++)
		assert_memory_equal(&a.ring->rec[i], &o.ring->rec[i],
				    sizeof(a.ring->rec[i]));
	/* The mix reached every path of the tail. */
	assert_true(fwd > 0 && gen > 0 && punt + 1 > 0);
	assert_true(a.ctx.ctr->drops[IXG_DROP_TTL_EXPIRED] > 0);
	assert_true(a.ctx.ctr->drops[IXG_DROP_MTU_EXCEEDED] > 0);
	assert_true(a.ctx.ctr->drops[IXG_DROP_UNRESOLVED] > 0);
	assert_true(a.ctx.ctr->drops[IXG_DROP_NO_ROUTE] > 0);
	assert_true(a.ctx.ctr->drops[IXG_DROP_ACL_DENY] > 0);
	assert_true(a.ctx.ctr->drops[IXG_DROP_POLICER_RED] > 0);
	assert_true(a.ctx.ctr->local_packets > 0);
	assert_true(a.ctx.ctr->class_colour[1][COLOUR_YELLOW] > 0);
	assert_true(a.ctx.ctr->acl_hits[4] > 0);
	assert_true(drops > 0);
	assert_invariant(a.ctx.ctr);
	side_free(&a);
	side_free(&o);
	dp_spec_free(s);
	assert_int_equal(rte_mempool_in_use_count(dp_test_pool()), in_use);
}

/* The head stages, as pipeline_run calls them. */
static void
run_head(struct pipeline_ctx *hctx, struct burst *b)
{
	struct pipeline_ctx *const ctx_ = hctx;

#define X_HEAD(id, name, args) stage_##name(ctx_, b);
	PIPELINE_HEAD_STAGES(X_HEAD)
#undef X_HEAD
}

/*
 * What a head stage might leave that the tables do not allow: ids out of
 * range (countries, class, colour, the egress peer, the ACL rule), no
 * peer, a length past the TX tag's 20 bits, bytes 0..3 that are not
 * stage_parse's. Returns 1 if it changed pm.
 */
static int
perturb(struct pkt_meta *pm)
{
	switch (rnd(24)) {
	case 0: pm->src_country = (uint16_t)(256 + rnd(2) * rnd(1000)); break;
	case 1: pm->dst_country = rnd(2) ? 256 : 65535; break;
	case 2:
		pm->class_id = (uint16_t)(IXG_MAX_CLASSES + rnd(2) * rnd(1000));
		break;
	case 3: pm->colour = (uint8_t)(3 + rnd(2) * rnd(253)); break;
	case 4:
		pm->out_peer = (uint16_t)(IXG_MAX_PEERS + rnd(2) * rnd(60000));
		break;
	case 5: pm->out_peer = IXG_PEER_NONE; break;
	case 6: pm->acl_rule = IXG_MAX_ACL_RULES + rnd(3); break;
	case 7: pm->rx_len = 0xfffff + rnd(3); break;
	case 8: pm->in_peer = IXG_PEER_NONE; break;
	case 9: pm->class_id = IXG_MAX_CLASSES - 1, pm->colour = 2; break;
	case 10: pm->src_country = pm->dst_country = 255; break;
	case 11: /* remarked, maybe to the DSCP it came with */
		pm->dscp = (uint8_t)(rnd(2) ? pm->dscp : rnd(64));
		pm->remark = 1;
		break;
	case 12: pm->dscp = (uint8_t)rnd(64); break; /* remark 0: kept */
	case 13: pm->spare3 = (uint8_t)(1 + rnd(255)); break;
	case 14: pm->drop_reason = (uint8_t)(1 + rnd(IXG_DROP_MAX - 1)); break;
	default: return 0;
	}
	return 1;
}

/*
 * pipeline_tail (its fast path, tail_forward, and the rest; on odd rounds
 * pipeline_tail_prefetch) against stage_rewrite then stage_output on any
 * metadata: the head stages over
 * 300 random bursts, then ids out of range written into some packets
 * (perturb), the same on both sides; the same metadata, frames, tags,
 * counter blocks and sample records after the tail.
 */
static void
test_tail_any_metadata(void **state)
{
	static struct side a, o;
	struct ixg_spec *s = tail_spec();
	unsigned in_use = rte_mempool_in_use_count(dp_test_pool());
	unsigned round, i, changed = 0, fwd = 0;

	(void)state;
	side_init(&a, s);
	side_init(&o, s);
	for (round = 0; round < 300; round++) {
		unsigned n = twin_bursts(&a, &o);

		run_head(&a.ctx, &a.b);
		run_head(&o.ctx, &o.b);
		for (i = 0; i < n; i++) {
			assert_memory_equal(&a.b.meta[i], &o.b.meta[i],
					    sizeof(a.b.meta[i]));
			if (perturb(&a.b.meta[i])) {
				o.b.meta[i] = a.b.meta[i];
				changed++;
			}
		}
		/* Odd rounds: the prefetching copy (--ab-tailpf's B). */
		if (round & 1)
			pipeline_tail_prefetch(&a.ctx, &a.b, &a.out);
		else
			pipeline_tail(&a.ctx, &a.b, &a.out);
		stage_rewrite(&o.ctx, &o.b);
		stage_output(&o.ctx, &o.b, &o.out);
		for (i = 0; i < n; i++) {
			assert_memory_equal(&a.b.meta[i], &o.b.meta[i],
					    sizeof(a.b.meta[i]));
			fwd += a.b.meta[i].verdict == VERDICT_FORWARD;
		}
		same_out(&a, &o);
		assert_memory_equal(a.ctx.ctr, o.ctx.ctr, sizeof(*a.ctx.ctr));
	}
	assert_int_equal(a.ctx.icmp_tokens, o.ctx.icmp_tokens);
	assert_int_equal(a.ring->head, o.ring->head);
	for (i = 0; i < a.ring->head; i++)
		assert_memory_equal(&a.ring->rec[i], &o.ring->rec[i],
				    sizeof(a.ring->rec[i]));
	assert_true(changed > 1000 && fwd > 300);
	/* Some ids out of range reached the counts, and stayed out. */
	assert_true(a.ctx.ctr->drops[IXG_DROP_NO_ROUTE] > 0);
	assert_true(a.ctx.ctr->class_colour[IXG_MAX_CLASSES - 1][2] > 0);
	assert_true(a.ctx.ctr->country_pair[255][255].packets > 0);
	side_free(&a);
	side_free(&o);
	dp_spec_free(s);
	assert_int_equal(rte_mempool_in_use_count(dp_test_pool()), in_use);
}

/*
 * Two bursts into one burst_out, not cleared between them (as a caller
 * may): the second's packets go after the first's on every port
 * (output_begin turns out->n into burst_out.at, output_end back), the
 * first's stay where they were, n[] counts both; pipeline_run and the
 * stages one by one (pipeline_run_observed) agree. 100 pairs of bursts
 * of 1..16 frames, to both ports (local answers and ICMP errors to port
 * 0 among them).
 */
static void
test_tail_appends_after_n(void **state)
{
	static struct side a, o;
	struct ixg_spec *s = tail_spec();
	unsigned in_use = rte_mempool_in_use_count(dp_test_pool());
	unsigned calls = 0, both = 0;
	uint8_t buf[MAX_FRAME];

	(void)state;
	side_init(&a, s);
	side_init(&o, s);
	for (unsigned round = 0; round < 100; round++) {
		uint16_t n1[IXG_MAX_PORTS];
		struct rte_mbuf *first[IXG_MAX_PORTS][PIPELINE_BURST];

		memset(&a.out, 0, sizeof(a.out));
		memset(&o.out, 0, sizeof(o.out));
		for (unsigned k = 0; k < 2; k++) {
			unsigned n = 1 + rnd(PIPELINE_BURST / 2);

			dp_burst_init(&a.b, 0);
			dp_burst_init(&o.b, 0);
			for (unsigned i = 0; i < n; i++) {
				size_t len = random_frame(buf);

				a.b.pkts[a.b.n++] = dp_test_mbuf(buf, len, 0);
				o.b.pkts[o.b.n++] = dp_test_mbuf(buf, len, 0);
			}
			a.ctx.now_tsc = o.ctx.now_tsc += a.ctx.tsc_hz / 1000;
			if (k == 1) {
				memcpy(n1, a.out.n, sizeof(n1));
				memcpy(first, a.out.pkts, sizeof(first));
			}
			/* Punts are not in out->pkts: handed back each time. */
			a.out.n_punt = o.out.n_punt = 0;
			pipeline_run(&a.ctx, &a.b, &a.out);
			pipeline_run_observed(&o.ctx, &o.b, &o.out, no_op_after,
					      &calls);
			for (unsigned i = 0; i < a.out.n_punt; i++) {
				rte_pktmbuf_free(a.out.punt[i]);
				rte_pktmbuf_free(o.out.punt[i]);
			}
			a.out.n_punt = o.out.n_punt = 0;
		}
		for (unsigned p = 0; p < IXG_MAX_PORTS; p++) {
			assert_true(a.out.n[p] >= n1[p]);
			for (unsigned i = 0; i < n1[p]; i++)
				assert_ptr_equal(a.out.pkts[p][i], first[p][i]);
			for (unsigned i = 0; i < a.out.n[p]; i++)
				for (unsigned j = 0; j < i; j++)
					assert_ptr_not_equal(a.out.pkts[p][i],
							     a.out.pkts[p][j]);
		}
		both += a.out.n[0] > n1[0] && n1[0] > 0 && a.out.n[1] > n1[1] &&
			n1[1] > 0;
		same_out(&a, &o);
	}
	assert_memory_equal(a.ctx.ctr, o.ctx.ctr, sizeof(*a.ctx.ctr));
	/* Both bursts reached both ports in some rounds. */
	assert_true(both > 5);
	side_free(&a);
	side_free(&o);
	dp_spec_free(s);
	assert_int_equal(rte_mempool_in_use_count(dp_test_pool()), in_use);
}

/*
 * What a reader shows does not depend on the counters' layout: 400
 * random bursts (random_frame, a fixed seed) through pipeline_run on
 * tail_spec's tables, every 5th burst's last frame out of port 1 refused
 * (pipeline_tx_failed), then the block summed (stats_sum) and printed as
 * the stats JSON (stats_print_json: every family through the counter
 * walk, as ixgatectl and the exporter read them). Its FNV-1a digest is
 * the one main's layout gave at 845c7af (40-byte peers, 24-byte pair
 * slots, three colours a class; EXPORT_DIGEST): a layout change that
 * loses, moves or double-counts a value changes the text. The JSON is
 * printed when it differs.
 */
#define EXPORT_DIGEST 0xc1249a2b669c6289ull
static void
test_counters_exported_unchanged(void **state)
{
	static struct side a;
	struct ixg_spec *s = tail_spec();
	struct ixg_lcore_counters *total = calloc(1, sizeof(*total));
	unsigned in_use = rte_mempool_in_use_count(dp_test_pool());
	uint64_t saved = rnd_state, digest = 0xcbf29ce484222325ull;
	uint8_t buf[MAX_FRAME];
	char *text = NULL;
	size_t text_len = 0;
	FILE *f;

	(void)state;
	assert_non_null(total);
	rnd_state = 0x9e3779b97f4a7c15ull;
	side_init(&a, s);
	for (unsigned round = 0; round < 400; round++) {
		unsigned n = 1 + rnd(PIPELINE_BURST);

		dp_burst_init(&a.b, 0);
		for (unsigned i = 0; i < n; i++) {
			size_t len = random_frame(buf);

			a.b.pkts[a.b.n++] = dp_test_mbuf(buf, len, 0);
		}
		memset(&a.out, 0, sizeof(a.out));
		a.ctx.now_tsc += a.ctx.tsc_hz / 1000;
		pipeline_run(&a.ctx, &a.b, &a.out);
		if (round % 5 == 0 && a.out.n[1] > 0)
			pipeline_tx_failed(&a.ctx, a.out.pkts[1][--a.out.n[1]]);
		for (unsigned p = 0; p < IXG_MAX_PORTS; p++)
			for (unsigned i = 0; i < a.out.n[p]; i++)
				rte_pktmbuf_free(a.out.pkts[p][i]);
		for (unsigned i = 0; i < a.out.n_punt; i++)
			rte_pktmbuf_free(a.out.punt[i]);
	}
	stats_sum(&a.ctx.ctr, 1, total);
	/* The mix reached the families a layout change moves. */
	assert_true(total->peer[1].rx.packets > 0);
	assert_true(total->peer[2].tx.packets > 0);
	assert_true(total->peer[4].tx.packets > 0);
	assert_true(a.ctx.ctr->class_colour[1][COLOUR_RED] > 0);
	assert_true(a.ctx.ctr->drops[IXG_DROP_TX_FULL] > 0);
	f = open_memstream(&text, &text_len);
	assert_non_null(f);
	stats_print_json(total, s, f);
	assert_int_equal(fclose(f), 0);
	for (size_t i = 0; i < text_len; i++)
		digest = (digest ^ (uint8_t)text[i]) * 0x100000001b3ull;
	if (digest != EXPORT_DIGEST)
		fprintf(stderr, "digest 0x%016llxull of:\n%s\n",
			(unsigned long long)digest, text);
	assert_true(digest == EXPORT_DIGEST);
	free(text);
	free(total);
	side_free(&a);
	dp_spec_free(s);
	rnd_state = saved;
	assert_int_equal(rte_mempool_in_use_count(dp_test_pool()), in_use);
}

/*
 * The egress records (tables.egress, tbl_peer_egress) as the build makes
 * them, for every peer id: port, MTU (the port's, or 1500 for none), the
 * TX tag's bits as out_tag_set_at writes them, the static MAC for both
 * families, the L2 header after the destination MAC (port MAC, 802.1ad
 * and 802.1Q tags, ethertype); an id no peer has: port 0 and its MTU, no
 * MAC (stage_rewrite then drops unresolved, as before the records).
 */
static void
test_egress_records(void **state)
{
	struct ixg_spec *s = tail_spec();
	struct ixg_spec_peer *qinq;
	struct tables *t;

	(void)state;
	dp_spec_port(s, 2, "02:00:00:00:00:03")->mtu = 0;
	qinq = dp_spec_peer(s, 5, 2, 300, "02:00:00:00:05:01", IXG_SAV_OFF);
	qinq->outer_vlan = 3000;
	t = dp_tables_build(s);
	assert_non_null(t);
	for (unsigned id = 0; id < IXG_MAX_PEERS; id++) {
		const struct tbl_egress *e = &t->egress[id];
		const struct tbl_peer *tp = &t->peers[id];
		const uint16_t port = tp->configured ? tp->port_id : 0;
		const uint16_t mtu = t->ports[port].mtu ? t->ports[port].mtu
							: 1500;
		const unsigned tags = !tp->configured || tp->vlan == 0 ? 0
				      : tp->outer_vlan == 0	       ? 1
								       : 2;
		struct pkt_meta pm = {.out_port = port,
				      .out_peer = (uint16_t)id};
		struct rte_mbuf m;
		uint64_t want_mac = 0;

		memset(&m, 0, sizeof(m));
		out_tag_set_at(&m, 0, &pm);
		assert_int_equal(e->port_id, port);
		assert_int_equal(e->mtu, mtu);
		assert_int_equal(e->tx_tag, (uint64_t)m.hash.fdir.hi << 32 |
						    m.hash.fdir.lo);
		assert_int_equal(e->tags, tags);
		assert_int_equal(e->len, 8 + 4 * tags);
		for (unsigned k = 0; k < s->n_peers; k++)
			if (s->peers[k].id == id)
				want_mac = tbl_mac48(s->peers[k].macs[0]) |
					   TBL_MAC_VALID;
		for (unsigned f = 0; f < 2; f++) {
			uint8_t want[16] = {0};
			unsigned o = 6;

			assert_int_equal(e->mac[f], want_mac);
			memcpy(want, t->ports[port].mac, 6);
			if (tags == 2) {
				want[o++] = 0x88, want[o++] = 0xa8;
				want[o++] = (uint8_t)(tp->outer_vlan >> 8);
				want[o++] = (uint8_t)tp->outer_vlan;
			}
			if (tags >= 1) {
				want[o++] = 0x81, want[o++] = 0x00;
				want[o++] = (uint8_t)(tp->vlan >> 8);
				want[o++] = (uint8_t)tp->vlan;
			}
			want[o++] = f == 0 ? 0x08 : 0x86;
			want[o] = f == 0 ? 0x00 : 0xdd;
			assert_memory_equal(e->hdr[f], want, 16);
		}
	}
	/* The cases above were all there. */
	assert_int_equal(t->egress[5].tags, 2);
	assert_int_equal(t->egress[5].mtu, 1500);
	assert_int_equal(t->egress[2].tags, 1);
	assert_int_equal(t->egress[2].mtu, 1200);
	assert_int_equal(t->egress[9].mac[0], 0);
	tables_free(t);
	dp_spec_free(s);
}

int
main(void)
{
	int rc;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mixed_burst_invariant),
		cmocka_unit_test(test_tx_full),
		cmocka_unit_test(test_stages_declared_once),
		cmocka_unit_test(test_tail_fused_equals_stages),
		cmocka_unit_test(test_tail_any_metadata),
		cmocka_unit_test(test_tail_appends_after_n),
		cmocka_unit_test(test_egress_records),
		cmocka_unit_test(test_counters_exported_unchanged),
	};
	struct ixg_spec *s;

	dp_test_eal_init("test_pipeline", 0);
	s = dp_spec_new();
	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_port(s, 1, "02:00:00:00:00:02");
	dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_OFF);
	dp_spec_peer(s, 2, 1, 100, "02:00:00:00:02:01", IXG_SAV_OFF);
	dp_spec_route4(s, "203.0.113.0", 24, 2);
	dp_spec_route6(s, "2001:db8:2::", 48, 2);
	dp_spec_local(s, 0, "192.0.2.1", 24);
	dp_spec_local(s, 0, "2001:db8::1", 64);
	tbl = dp_tables_build(s);
	dp_ctx_init(&ctx, tbl);
	ctx.ctr = rte_zmalloc("ctr", sizeof(*ctx.ctr), 64);
	if (ctx.ctr == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	/* The harness's globals, so that LeakSanitizer sees none. */
	tables_free(tbl);
	dp_spec_free(s);
	rte_free(ctx.ctr);
	return rc;
}
