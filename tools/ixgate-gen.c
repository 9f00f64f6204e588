/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixgate-gen - live traffic generator: the frames of ixgate-pcapgen (same
 * builder, same reference model, same options) sent over DPDK ports at a
 * target rate, each well-formed TCP/UDP/echo frame carrying a signature
 * (stream, sequence, TSC timestamp) in its payload; what the DUT sends back
 * is received on every port and measured: loss against the model's
 * verdicts, reordering, duplicates, latency percentiles, receive rate in
 * fixed bins. See doc/traffic-generator.md.
 *
 * One lcore (the main one) both sends and receives, so the TSC stamped at
 * send and read at receive is the same core's clock.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "gen.h"
#include "ixg_conf.h"
#include "ixg_json.h"
#include "ixg_version.h"
#include "live_stats.h"

#define MAX_GEN_PORTS 8
#define BURST_MAX 64
#define RX_BURST 64
#define NB_MBUF 32767
#define STREAM_NONE 0xffffu

/* One precomputed frame of a TX port's pool. */
struct frame {
	uint32_t off; /* into the pool's byte buffer */
	uint16_t len;
	uint16_t sig_off; /* 0: unsigned */
	uint16_t csum_off;
	uint16_t stream; /* STREAM_NONE if unsigned */
	uint8_t udp;
	uint8_t verdict; /* enum gen_verdict_kind */
	uint8_t reason; /* drop reason */
	uint8_t metered;
};

struct pool {
	uint8_t *bytes;
	size_t size, cap;
	struct frame *f;
	uint32_t n, next;
};

/* A stream: one TX port's frames of one expectation (forward to one
 * egress peer, metered or not; answered locally; dropped). */
struct stream {
	uint16_t txp;
	uint16_t out_peer;
	uint8_t expect; /* enum live_expect */
	uint8_t metered;
	uint64_t seq_next; /* next sequence number to stamp */
	struct live_seq q;
	uint64_t lat_n, lat_sum, lat_max;
};

struct txport {
	uint16_t dpdk_port;
	uint16_t cfg_port;
	struct pool pool;
	struct rte_mbuf *pend[BURST_MAX];
	uint32_t pend_frame[BURST_MAX];
	uint32_t n_pend;
	double tokens;
	uint64_t tx_packets, tx_bytes, tx_full;
};

struct opts {
	const char *config, *json;
	const char *ports_arg, *tx_arg;
	struct gen_opts g;
	double rate; /* total, pps; 0: as fast as possible */
	double duration;
	uint64_t count; /* 0: no limit */
	uint32_t pool, burst;
	double drain_ms, bin_ms, link_timeout;
	double hold_ms;
	bool quiet;
};

static struct stream *streams;
static uint32_t n_streams;
static uint16_t *stream_of_key;
static volatile sig_atomic_t stop_sending;

static struct {
	uint64_t fwd, local, drop, metered_fwd;
	uint64_t drops[IXG_DROP_MAX];
} expect_sent;

static struct {
	uint64_t packets, bytes;
	uint64_t signed_fwd, echo_replies, unsigned_rx, foreign;
	uint64_t unexpected_fwd; /* signed frames the model says drop */
} rxc;

static void
on_signal(int sig)
{
	(void)sig;
	stop_sending = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: ixgate-gen [EAL options] -- --config FILE --ports "
		"NAMES "
		"[options]\n"
		"  --ports P0[,P1..]  config port each DPDK port faces, in "
		"DPDK "
		"port order\n"
		"  --tx NAMES         ports that send (default: the first)\n"
		"  --rate PPS         total send rate, 0 = as fast as possible "
		"(default 100000)\n"
		"  --duration S       send for S seconds (default 10)\n"
		"  --count N          stop after N packets (default: no "
		"limit)\n"
		"  --pool N           distinct frames per sending port "
		"(default "
		"65536)\n"
		"  --burst N          frames per TX burst, 1..%d (default 32)\n"
		"  --drain-ms MS      receive this long after the last send "
		"(default 500)\n"
		"  --hold-ms MS       after the report, keep the ports open "
		"this long\n"
		"                     without polling them (default 0), so "
		"the\n"
		"                     DUT can be stopped before this client "
		"leaves\n"
		"                     (DPDK 22.11's memif server can crash in "
		"its\n"
		"                     receive path when a client disconnects)\n"
		"  --bin-ms MS        width of the rate bins (default 10)\n"
		"  --link-timeout S   wait this long for links up (default "
		"10)\n"
		"  --json FILE        write the results as JSON\n"
		"  --quiet            no human summary\n"
		"traffic (as ixgate-pcapgen; kinds: ixgate-pcapgen "
		"--list-kinds):\n" GEN_TRAFFIC_USAGE,
		BURST_MAX);
}

static int
bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "ixgate-gen: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	usage(stderr);
	return 2;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"ports", required_argument, NULL, 'P'},
		{"tx", required_argument, NULL, 't'},
		{"rate", required_argument, NULL, 'r'},
		{"duration", required_argument, NULL, 'd'},
		{"count", required_argument, NULL, 'n'},
		{"pool", required_argument, NULL, 'o'},
		{"burst", required_argument, NULL, 'b'},
		{"drain-ms", required_argument, NULL, 'D'},
		{"bin-ms", required_argument, NULL, 'B'},
		{"hold-ms", required_argument, NULL, 'H'},
		{"link-timeout", required_argument, NULL, 'l'},
		{"json", required_argument, NULL, 'j'},
		{"quiet", no_argument, NULL, 'q'},
		GEN_TRAFFIC_LONGOPTS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char err[256];
	uint64_t u;
	int c;

	memset(o, 0, sizeof(*o));
	gen_opts_default(&o->g);
	o->g.now = (int64_t)time(NULL);
	o->g.sig_room = LIVE_SIG_LEN;
	o->rate = 100000;
	o->duration = 10;
	o->pool = 65536;
	o->burst = 32;
	o->drain_ms = 500;
	o->bin_ms = 10;
	o->link_timeout = 10;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'P': o->ports_arg = optarg; break;
		case 't': o->tx_arg = optarg; break;
		case 'j': o->json = optarg; break;
		case 'q': o->quiet = true; break;
		case 'r':
			if (gen_parse_double(optarg, &o->rate) < 0 ||
			    o->rate < 0)
				return bad_usage(
					"bad --rate '%s': want packets/s >= 0 "
					"(0: as fast as possible)",
					optarg);
			break;
		case 'd':
			if (gen_parse_double(optarg, &o->duration) < 0 ||
			    !(o->duration > 0) || o->duration > 86400)
				return bad_usage(
					"bad --duration '%s' (0 < S <= "
					"86400)",
					optarg);
			break;
		case 'n':
			if (gen_parse_u64(optarg, &o->count) < 0)
				return bad_usage("bad --count '%s': want a "
						 "whole number >= 0",
						 optarg);
			break;
		case 'o':
			if (gen_parse_u64(optarg, &u) < 0 || u < 1 ||
			    u > 1 << 22)
				return bad_usage("bad --pool '%s' (1..4194304)",
						 optarg);
			o->pool = (uint32_t)u;
			break;
		case 'b':
			if (gen_parse_u64(optarg, &u) < 0 || u < 1 ||
			    u > BURST_MAX)
				return bad_usage("bad --burst '%s': want 1..64",
						 optarg);
			o->burst = (uint32_t)u;
			break;
		case 'D':
			if (gen_parse_double(optarg, &o->drain_ms) < 0 ||
			    o->drain_ms < 0 || o->drain_ms > 60000)
				return bad_usage(
					"bad --drain-ms '%s': want 0..60000",
					optarg);
			break;
		case 'H':
			if (gen_parse_double(optarg, &o->hold_ms) < 0 ||
			    o->hold_ms < 0 || o->hold_ms > 600000)
				return bad_usage(
					"bad --hold-ms '%s': want 0..600000",
					optarg);
			break;
		case 'B':
			if (gen_parse_double(optarg, &o->bin_ms) < 0 ||
			    !(o->bin_ms >= 0.1))
				return bad_usage("bad --bin-ms '%s' (>= 0.1)",
						 optarg);
			break;
		case 'l':
			if (gen_parse_double(optarg, &o->link_timeout) < 0 ||
			    o->link_timeout < 0)
				return bad_usage("bad --link-timeout '%s': "
						 "want seconds >= 0",
						 optarg);
			break;
		case 'h': usage(stdout); exit(0);
		default:
			if (c >= GEN_OPT_FIRST && c < GEN_OPT_END) {
				if (gen_opt_apply(&o->g, c, optarg, err,
						  sizeof(err)) < 0)
					return bad_usage("%s", err);
				break;
			}
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		return bad_usage("unexpected argument '%s'", argv[optind]);
	if (o->config == NULL || o->ports_arg == NULL)
		return bad_usage("%s", "--config and --ports are required");
	return 0;
}

static int
port_id_by_name(const struct ixg_spec *s, const char *name)
{
	const struct ixg_spec_port *p = ixg_spec_port_by_name(s, name);

	return p != NULL ? p->id : -1;
}

/* Split a comma list of config port names into ids; -1 with a message. */
static int
port_list(const struct ixg_spec *s, const char *config, const char *what,
	  const char *arg, uint16_t *ids, unsigned *n)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	int rc = 0, id;

	*n = 0;
	if (copy == NULL)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		id = port_id_by_name(s, tok);
		if (id < 0) {
			fprintf(stderr,
				"ixgate-gen: %s '%s': %s has no port "
				"named '%s'\n",
				what, arg, config, tok);
			rc = -1;
			break;
		}
		if (*n == MAX_GEN_PORTS) {
			fprintf(stderr,
				"ixgate-gen: %s '%s': more than %d "
				"ports\n",
				what, arg, MAX_GEN_PORTS);
			rc = -1;
			break;
		}
		ids[(*n)++] = (uint16_t)id;
	}
	free(copy);
	if (rc == 0 && *n == 0) {
		fprintf(stderr, "ixgate-gen: %s '%s': no port named\n", what,
			arg);
		rc = -1;
	}
	return rc;
}

/* Stream index for (TX port, expectation, egress peer, metered), created
 * on first use; STREAM_NONE when the 16-bit id space is full. */
static uint16_t
stream_get(uint16_t txp, uint8_t expect, uint16_t out_peer, bool metered)
{
	size_t key = (size_t)txp * (2 * IXG_MAX_PEERS + 2);
	struct stream *s;

	if (expect == LIVE_EXP_FORWARD)
		key += (size_t)out_peer * 2 + metered;
	else
		key += 2 * IXG_MAX_PEERS + (expect == LIVE_EXP_LOCAL ? 0 : 1);
	if (stream_of_key[key] != STREAM_NONE)
		return stream_of_key[key];
	if (n_streams >= STREAM_NONE)
		return STREAM_NONE;
	s = &streams[n_streams];
	memset(s, 0, sizeof(*s));
	s->txp = txp;
	s->out_peer = expect == LIVE_EXP_FORWARD ? out_peer : 0;
	s->expect = expect;
	s->metered = metered;
	live_seq_init(&s->q);
	stream_of_key[key] = (uint16_t)n_streams;
	return (uint16_t)n_streams++;
}

/* Precompute pool p of o->pool frames for config port cfg_port. */
static int
pool_build(const struct ixg_spec *spec, const struct opts *o, uint16_t txp,
	   uint16_t cfg_port, struct pool *p)
{
	struct gen_opts go = o->g;
	uint8_t buf[GEN_FRAME_MAX];
	struct gen_sig_place sp;
	struct gen_verdict v;
	char err[512];
	struct gen *g;
	uint32_t i;

	go.port_id = cfg_port;
	go.seed = o->g.seed + txp;
	go.count = o->pool;
	if (o->rate > 0)
		go.rate_pps = o->rate;
	g = gen_new(spec, &go, err, sizeof(err));
	if (g == NULL) {
		fprintf(stderr, "ixgate-gen: %s: %s\n", o->config, err);
		return -1;
	}
	memset(p, 0, sizeof(*p));
	p->f = calloc(o->pool, sizeof(*p->f));
	p->cap = (size_t)o->pool * 256;
	p->bytes = malloc(p->cap);
	if (p->f == NULL || p->bytes == NULL)
		goto nomem;
	for (i = 0; i < o->pool; i++) {
		struct frame *f = &p->f[i];
		uint64_t ts;
		uint32_t len = gen_next(g, buf, &ts, NULL, &v);
		uint8_t exp;

		if (p->size + len > p->cap) {
			uint8_t *nb = realloc(p->bytes, p->cap * 2);

			if (nb == NULL)
				goto nomem;
			p->bytes = nb;
			p->cap *= 2;
		}
		gen_last_sig(g, &sp);
		f->off = (uint32_t)p->size;
		f->len = (uint16_t)len;
		memcpy(p->bytes + p->size, buf, len);
		p->size += len;
		f->verdict = v.verdict;
		f->reason = v.verdict == GEN_V_DROP ? v.reason : 0;
		f->metered = v.verdict == GEN_V_FORWARD && v.policed;
		f->stream = STREAM_NONE;
		if (sp.off != 0) {
			exp = v.verdict == GEN_V_FORWARD ? LIVE_EXP_FORWARD
			      : v.verdict == GEN_V_LOCAL ? LIVE_EXP_LOCAL
							 : LIVE_EXP_DROP;
			f->stream = stream_get(txp, exp, v.out_peer,
					       f->metered);
			if (f->stream != STREAM_NONE) {
				f->sig_off = sp.off;
				f->csum_off = sp.csum_off;
				f->udp = sp.udp;
			}
		}
	}
	p->n = o->pool;
	gen_free(g);
	return 0;
nomem:
	fprintf(stderr, "ixgate-gen: out of memory for a pool of %u frames\n",
		o->pool);
	gen_free(g);
	return -1;
}

static int
port_setup(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nrx = 1024, ntx = 1024;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(port, &info);
	if (rc < 0)
		return rc;
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc < 0)
		return rc;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrx, &ntx);
	if (rc < 0)
		return rc;
	rc = rte_eth_rx_queue_setup(port, 0, nrx, rte_eth_dev_socket_id(port),
				    NULL, mp);
	if (rc < 0)
		return rc;
	rc = rte_eth_tx_queue_setup(port, 0, ntx, rte_eth_dev_socket_id(port),
				    NULL);
	if (rc < 0)
		return rc;
	rc = rte_eth_dev_start(port);
	if (rc < 0)
		return rc;
	/* Virtual devices may not support it; the frames carry the DUT's
	 * and peers' MACs, not this port's. */
	(void)rte_eth_promiscuous_enable(port);
	return 0;
}

static bool
links_up(const uint16_t *ports, unsigned n)
{
	struct rte_eth_link l;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (rte_eth_link_get_nowait(ports[i], &l) < 0 ||
		    l.link_status != RTE_ETH_LINK_UP)
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* The loop */

struct run {
	struct txport tx[MAX_GEN_PORTS];
	unsigned n_tx;
	uint16_t rx_ports[MAX_GEN_PORTS];
	unsigned n_rx;
	struct rte_mempool *mp;
	struct live_hist lat, lat_fwd_unmetered;
	struct live_bins tx_bins, rx_bins;
	uint64_t hz, t_start, t_send_end, t_end;
	uint64_t sent, alloc_fail;
	struct timespec wall_start;
};

static void
rx_one(struct run *r, struct rte_mbuf *m, uint64_t now)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	struct live_sig s;
	struct stream *st;
	bool reply;
	uint64_t ns;

	rxc.packets++;
	rxc.bytes += m->pkt_len;
	if (live_sig_find(d, m->data_len, &s, &reply) < 0) {
		rxc.unsigned_rx++;
		return;
	}
	if (s.stream >= n_streams || streams[s.stream].expect != s.expect) {
		rxc.foreign++;
		return;
	}
	st = &streams[s.stream];
	if (s.expect == LIVE_EXP_DROP ||
	    (s.expect == LIVE_EXP_LOCAL && !reply)) {
		rxc.unexpected_fwd++;
		return;
	}
	if (s.expect == LIVE_EXP_LOCAL)
		rxc.echo_replies++;
	else
		rxc.signed_fwd++;
	if (live_seq_rx(&st->q, s.seq) == LIVE_RX_DUPLICATE)
		return;
	ns = now > s.tsc ? (now - s.tsc) * UINT64_C(1000000000) / r->hz : 0;
	st->lat_n++;
	st->lat_sum += ns;
	if (ns > st->lat_max)
		st->lat_max = ns;
	if (s.expect == LIVE_EXP_FORWARD) {
		live_hist_add(&r->lat, ns);
		if (!st->metered)
			live_hist_add(&r->lat_fwd_unmetered, ns);
	}
}

static void
rx_poll(struct run *r)
{
	struct rte_mbuf *m[RX_BURST];
	unsigned i;
	uint16_t n, k;
	uint64_t now;

	for (i = 0; i < r->n_rx; i++) {
		n = rte_eth_rx_burst(r->rx_ports[i], 0, m, RX_BURST);
		if (n == 0)
			continue;
		now = rte_rdtsc();
		for (k = 0; k < n; k++)
			rx_one(r, m[k], now);
		live_bins_add(&r->rx_bins, now, n);
		rte_pktmbuf_free_bulk(m, n);
	}
}

/* Fill the pending burst of t with up to want stamped frames. */
static void
tx_fill(struct run *r, struct txport *t, uint32_t want, uint64_t now)
{
	struct rte_mbuf *m[BURST_MAX];
	uint32_t i, n;

	n = want;
	if (n > BURST_MAX - t->n_pend)
		n = BURST_MAX - t->n_pend;
	if (n == 0)
		return;
	if (rte_pktmbuf_alloc_bulk(r->mp, m, n) != 0) {
		r->alloc_fail++;
		return;
	}
	for (i = 0; i < n; i++) {
		struct pool *p = &t->pool;
		uint32_t fi = p->next;
		const struct frame *f = &p->f[fi];
		uint8_t *d = rte_pktmbuf_mtod(m[i], uint8_t *);

		p->next = fi + 1 == p->n ? 0 : fi + 1;
		rte_memcpy(d, p->bytes + f->off, f->len);
		m[i]->data_len = f->len;
		m[i]->pkt_len = f->len;
		if (f->stream != STREAM_NONE) {
			struct stream *st = &streams[f->stream];
			struct live_sig s = {
				.stream = f->stream,
				.expect = st->expect,
				.seq = st->seq_next++,
				.tsc = now,
			};

			live_sig_stamp(d, f->sig_off, f->csum_off, f->udp, &s);
		}
		t->pend[t->n_pend] = m[i];
		t->pend_frame[t->n_pend] = fi;
		t->n_pend++;
	}
}

/* Send what is pending on t; account what the device took. */
static void
tx_flush(struct run *r, struct txport *t, uint64_t now)
{
	uint16_t n, i;

	if (t->n_pend == 0)
		return;
	n = rte_eth_tx_burst(t->dpdk_port, 0, t->pend, (uint16_t)t->n_pend);
	for (i = 0; i < n; i++) {
		const struct frame *f = &t->pool.f[t->pend_frame[i]];

		t->tx_bytes += f->len;
		if (f->stream != STREAM_NONE)
			streams[f->stream].q.tx++;
		switch (f->verdict) {
		case GEN_V_FORWARD:
			expect_sent.fwd++;
			expect_sent.metered_fwd += f->metered;
			break;
		case GEN_V_LOCAL: expect_sent.local++; break;
		default:
			expect_sent.drop++;
			expect_sent.drops[f->reason]++;
			break;
		}
	}
	t->tx_packets += n;
	r->sent += n;
	if (n)
		live_bins_add(&r->tx_bins, now, n);
	if (n < t->n_pend) {
		t->tx_full++;
		memmove(t->pend, t->pend + n,
			(t->n_pend - n) * sizeof(t->pend[0]));
		memmove(t->pend_frame, t->pend_frame + n,
			(t->n_pend - n) * sizeof(t->pend_frame[0]));
	}
	t->n_pend -= n;
}

static uint64_t
pending_total(const struct run *r)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < r->n_tx; i++)
		n += r->tx[i].n_pend;
	return n;
}

static void
run_loop(struct run *r, const struct opts *o)
{
	double per_port = o->rate > 0 ? o->rate / r->n_tx : 0;
	/* 10 ms of credit: a scheduler time slice lost to another task on a
	 * shared core is made up for (the average rate holds), while a longer
	 * stall does not turn into an unbounded burst. */
	double depth = per_port * 10e-3;
	uint64_t last, now, budget, drain_end, pending;
	unsigned i;

	if (depth < 2.0 * o->burst)
		depth = 2.0 * o->burst;
	r->t_start = rte_rdtsc();
	clock_gettime(CLOCK_REALTIME, &r->wall_start);
	/* Bins count from the start of sending. */
	r->tx_bins.t0 = r->rx_bins.t0 = r->t_start;
	r->t_send_end = r->t_start + (uint64_t)(o->duration * (double)r->hz);
	last = r->t_start;
	for (i = 0; i < r->n_tx; i++)
		r->tx[i].tokens = o->burst;
	for (;;) {
		now = rte_rdtsc();
		if (stop_sending || now >= r->t_send_end ||
		    (o->count && r->sent >= o->count))
			break;
		for (i = 0; i < r->n_tx; i++) {
			struct txport *t = &r->tx[i];
			uint32_t want = o->burst;

			if (per_port > 0) {
				t->tokens += (double)(now - last) * per_port /
					     (double)r->hz;
				if (t->tokens > depth)
					t->tokens = depth;
				if (t->tokens < want)
					want = (uint32_t)t->tokens;
			}
			if (o->count) {
				budget = o->count - r->sent;
				pending = pending_total(r);
				budget = budget > pending ? budget - pending
							  : 0;
				if (want > t->n_pend + budget)
					want = t->n_pend + (uint32_t)budget;
			}
			if (want > t->n_pend)
				tx_fill(r, t, want - t->n_pend, now);
			if (per_port > 0) {
				uint64_t before = t->tx_packets;

				tx_flush(r, t, now);
				t->tokens -= (double)(t->tx_packets - before);
			} else {
				tx_flush(r, t, now);
			}
		}
		last = now;
		rx_poll(r);
	}
	/* Frames stamped but not taken by the device: retry briefly, then
	 * give up on them (never counted as sent). */
	drain_end = rte_rdtsc() + r->hz / 10;
	for (;;) {
		bool any = false;

		now = rte_rdtsc();
		for (i = 0; i < r->n_tx; i++) {
			tx_flush(r, &r->tx[i], now);
			any |= r->tx[i].n_pend != 0;
		}
		rx_poll(r);
		if (!any || now > drain_end)
			break;
	}
	for (i = 0; i < r->n_tx; i++) {
		rte_pktmbuf_free_bulk(r->tx[i].pend, r->tx[i].n_pend);
		r->tx[i].n_pend = 0;
	}
	r->t_send_end = rte_rdtsc();
	drain_end = r->t_send_end + (uint64_t)(o->drain_ms * 1e-3 * r->hz);
	while (rte_rdtsc() < drain_end)
		rx_poll(r);
	r->t_end = rte_rdtsc();
}

/* ------------------------------------------------------------------ */
/* Results */

struct totals {
	uint64_t fwd_tx, fwd_rx, fwd_lost, fwd_lost_metered;
	uint64_t local_tx, local_rx, local_lost;
	uint64_t reordered, duplicates, late;
};

static void
totals(struct totals *t)
{
	uint32_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < n_streams; i++) {
		const struct stream *s = &streams[i];
		uint64_t lost = live_seq_lost(&s->q);

		if (s->expect == LIVE_EXP_FORWARD) {
			t->fwd_tx += s->q.tx;
			t->fwd_rx += s->q.rx;
			t->fwd_lost += lost;
			if (s->metered)
				t->fwd_lost_metered += lost;
		} else if (s->expect == LIVE_EXP_LOCAL) {
			t->local_tx += s->q.tx;
			t->local_rx += s->q.rx;
			t->local_lost += lost;
		}
		t->reordered += s->q.reordered;
		t->duplicates += s->q.duplicates;
		t->late += s->q.late;
	}
}

static const char *
peer_name(const struct ixg_spec *spec, uint16_t id)
{
	uint32_t i;

	for (i = 0; i < spec->n_peers; i++)
		if (spec->peers[i].id == id)
			return spec->peers[i].name;
	return "?";
}

static const char *
port_name(const struct ixg_spec *spec, uint16_t id)
{
	uint32_t i;

	for (i = 0; i < spec->n_ports; i++)
		if (spec->ports[i].id == id)
			return spec->ports[i].name;
	return "?";
}

static double
secs(const struct run *r, uint64_t a, uint64_t b)
{
	return (double)(b - a) / (double)r->hz;
}

static void
json_hist(FILE *f, const struct live_hist *h)
{
	unsigned i;
	bool first = true;

	fprintf(f,
		"{\"n\":%" PRIu64 ",\"min\":%" PRIu64 ",\"mean\":%.1f,"
		"\"p50\":%" PRIu64 ",\"p90\":%" PRIu64 ",\"p99\":%" PRIu64
		",\"p999\":%" PRIu64 ",\"max\":%" PRIu64 ",\"buckets\":[",
		h->n, h->n ? h->min : 0, h->n ? (double)h->sum / h->n : 0.0,
		live_hist_quantile(h, 0.5), live_hist_quantile(h, 0.9),
		live_hist_quantile(h, 0.99), live_hist_quantile(h, 0.999),
		h->max);
	for (i = 0; i < LIVE_HIST_BUCKETS; i++) {
		if (h->b[i] == 0)
			continue;
		fprintf(f, "%s[%" PRIu64 ",%" PRIu64 ",%" PRIu64 "]",
			first ? "" : ",", live_hist_lo(i), live_hist_hi(i),
			h->b[i]);
		first = false;
	}
	fputs("]}", f);
}

static void
json_bins(FILE *f, const struct live_bins *b)
{
	uint32_t i;

	fputc('[', f);
	for (i = 0; i < b->used; i++)
		fprintf(f, "%s%u", i ? "," : "", b->c[i]);
	fputc(']', f);
}

static int
write_json(const char *path, const struct run *r, const struct opts *o,
	   const struct ixg_spec *spec)
{
	FILE *f = fopen(path, "w");
	struct rte_eth_stats es;
	struct totals t;
	double tx_s = secs(r, r->t_start, r->t_send_end);
	uint64_t tx_full = 0;
	uint32_t i;
	bool first;

	if (f == NULL)
		return -errno;
	for (i = 0; i < r->n_tx; i++)
		tx_full += r->tx[i].tx_full;
	totals(&t);
	fputs("{\"tool\":\"ixgate-gen\",\"config\":", f);
	ixg_json_quote(f, o->config); /* a path: may hold anything */
	fputc(',', f);
	fprintf(f,
		"\"options\":{\"rate_pps\":%.0f,\"duration_s\":%.3f,"
		"\"count\":%" PRIu64
		",\"pool\":%u,\"burst\":%u,\"seed\":%" PRIu64
		",\"v6\":%.3f,\"sizes\":\"%s\",\"skew\":%s,\"bin_ms\":%.3f,"
		"\"drain_ms\":%.0f},",
		o->rate, o->duration, o->count, o->pool, o->burst, o->g.seed,
		o->g.v6_frac,
		o->g.size == GEN_SIZE_IMIX ? "imix"
		: o->g.size == 64	   ? "64"
					   : "fixed",
		o->g.skew ? "true" : "false", o->bin_ms, o->drain_ms);
	fprintf(f,
		"\"tsc_hz\":%" PRIu64 ",\"start_unix_ns\":%" PRIu64
		",\"send_seconds\":%.6f,\"total_seconds\":%.6f,",
		r->hz,
		(uint64_t)r->wall_start.tv_sec * UINT64_C(1000000000) +
			(uint64_t)r->wall_start.tv_nsec,
		tx_s, secs(r, r->t_start, r->t_end));
	fprintf(f,
		"\"tx_packets\":%" PRIu64
		",\"tx_pps\":%.1f,\"tx_full\":%" PRIu64
		",\"mbuf_alloc_fail\":%" PRIu64 ",",
		r->sent, tx_s > 0 ? r->sent / tx_s : 0.0, tx_full,
		r->alloc_fail);
	fprintf(f,
		"\"expected\":{\"forward\":%" PRIu64
		",\"forward_metered\":%" PRIu64 ",\"local\":%" PRIu64
		",\"drop\":%" PRIu64 ",\"drops\":{",
		expect_sent.fwd, expect_sent.metered_fwd, expect_sent.local,
		expect_sent.drop);
	for (first = true, i = 0; i < IXG_DROP_MAX; i++) {
		if (expect_sent.drops[i] == 0)
			continue;
		fprintf(f, "%s\"%s\":%" PRIu64, first ? "" : ",",
			ixg_drop_name(i), expect_sent.drops[i]);
		first = false;
	}
	fprintf(f, "}},");
	fprintf(f,
		"\"received\":{\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64
		",\"forwarded_signed\":%" PRIu64 ",\"echo_replies\":%" PRIu64
		",\"unsigned\":%" PRIu64 ",\"foreign\":%" PRIu64
		",\"unexpected_forward\":%" PRIu64 "},",
		rxc.packets, rxc.bytes, rxc.signed_fwd, rxc.echo_replies,
		rxc.unsigned_rx, rxc.foreign, rxc.unexpected_fwd);
	fprintf(f,
		"\"forward\":{\"signed_sent\":%" PRIu64 ",\"received\":%" PRIu64
		",\"unexpected_loss\":%" PRIu64 ",\"loss_on_metered\":%" PRIu64
		",\"reordered\":%" PRIu64 ",\"duplicates\":%" PRIu64
		",\"late\":%" PRIu64 "},",
		t.fwd_tx, t.fwd_rx, t.fwd_lost, t.fwd_lost_metered, t.reordered,
		t.duplicates, t.late);
	fprintf(f,
		"\"local\":{\"echo_sent\":%" PRIu64 ",\"echo_replies\":%" PRIu64
		",\"lost\":%" PRIu64 "},",
		t.local_tx, t.local_rx, t.local_lost);
	fputs("\"latency_ns\":", f);
	json_hist(f, &r->lat);
	fputs(",\"latency_ns_unmetered\":", f);
	json_hist(f, &r->lat_fwd_unmetered);
	fprintf(f, ",\"bins\":{\"width_ms\":%.3f,\"tx\":", o->bin_ms);
	json_bins(f, &r->tx_bins);
	fputs(",\"rx\":", f);
	json_bins(f, &r->rx_bins);
	fputs("},\"streams\":[", f);
	for (i = 0; i < n_streams; i++) {
		const struct stream *s = &streams[i];

		fprintf(f,
			"%s{\"id\":%u,\"tx_port\":\"%s\",\"expect\":\"%s\","
			"\"egress_peer\":\"%s\",\"metered\":%s,\"tx\":%" PRIu64
			",\"rx\":%" PRIu64 ",\"lost\":%" PRIu64
			",\"reordered\":%" PRIu64 ",\"duplicates\":%" PRIu64
			",\"late\":%" PRIu64 ",\"latency_mean_ns\":%.0f,"
			"\"latency_max_ns\":%" PRIu64 "}",
			i ? "," : "", i,
			port_name(spec, r->tx[s->txp].cfg_port),
			s->expect == LIVE_EXP_FORWARD ? "forward"
			: s->expect == LIVE_EXP_LOCAL ? "local"
						      : "drop",
			s->expect == LIVE_EXP_FORWARD
				? peer_name(spec, s->out_peer)
				: "-",
			s->metered ? "true" : "false", s->q.tx, s->q.rx,
			live_seq_lost(&s->q), s->q.reordered, s->q.duplicates,
			s->q.late,
			s->lat_n ? (double)s->lat_sum / s->lat_n : 0.0,
			s->lat_max);
	}
	fputs("],\"ports\":[", f);
	for (i = 0; i < r->n_rx; i++) {
		memset(&es, 0, sizeof(es));
		rte_eth_stats_get(r->rx_ports[i], &es);
		fprintf(f,
			"%s{\"dpdk_port\":%u,\"ipackets\":%" PRIu64
			",\"opackets\":%" PRIu64 ",\"imissed\":%" PRIu64
			",\"ierrors\":%" PRIu64 ",\"oerrors\":%" PRIu64
			",\"rx_nombuf\":%" PRIu64 "}",
			i ? "," : "", r->rx_ports[i], es.ipackets, es.opackets,
			es.imissed, es.ierrors, es.oerrors, es.rx_nombuf);
	}
	fputs("]}\n", f);
	if (fclose(f) != 0)
		return -errno;
	return 0;
}

static void
print_summary(const struct run *r, const struct opts *o)
{
	struct totals t;
	double tx_s = secs(r, r->t_start, r->t_send_end);
	const struct live_hist *h = &r->lat;

	totals(&t);
	printf("ixgate-gen: sent %" PRIu64 " packets in %.3f s (%.3f Mpps, "
	       "target %s)\n",
	       r->sent, tx_s, tx_s > 0 ? r->sent / tx_s / 1e6 : 0.0,
	       o->rate > 0 ? "rate-limited" : "max rate");
	printf("  model: %" PRIu64 " to forward (%" PRIu64 " metered), %" PRIu64
	       " answered by the node, %" PRIu64 " dropped on purpose\n",
	       expect_sent.fwd, expect_sent.metered_fwd, expect_sent.local,
	       expect_sent.drop);
	printf("  received %" PRIu64 " packets: %" PRIu64
	       " forwarded (signed), "
	       "%" PRIu64 " echo replies, %" PRIu64 " unsigned (ARP/ND "
	       "answers, ICMP errors), %" PRIu64 " unexpected forwards\n",
	       rxc.packets, rxc.signed_fwd, rxc.echo_replies, rxc.unsigned_rx,
	       rxc.unexpected_fwd);
	printf("  forward: signed sent %" PRIu64 ", received %" PRIu64
	       ", UNEXPECTED LOSS %" PRIu64 " (%.4f%%; %" PRIu64
	       " of it on metered flows), reordered %" PRIu64
	       ", duplicates %" PRIu64 "\n",
	       t.fwd_tx, t.fwd_rx, t.fwd_lost,
	       t.fwd_tx ? 100.0 * t.fwd_lost / t.fwd_tx : 0.0,
	       t.fwd_lost_metered, t.reordered + t.late, t.duplicates);
	printf("  local echo: sent %" PRIu64 ", replies %" PRIu64
	       ", lost %" PRIu64 "\n",
	       t.local_tx, t.local_rx, t.local_lost);
	printf("  latency (ns, %" PRIu64 " packets): min %" PRIu64
	       " p50 %" PRIu64 " p99 %" PRIu64 " p99.9 %" PRIu64 " max %" PRIu64
	       "\n",
	       h->n, h->n ? h->min : 0, live_hist_quantile(h, 0.5),
	       live_hist_quantile(h, 0.99), live_hist_quantile(h, 0.999),
	       h->max);
}

int
main(int argc, char **argv)
{
	static struct run r;
	struct ixg_spec spec;
	struct opts o;
	uint16_t cfg_ports[MAX_GEN_PORTS], tx_cfg[MAX_GEN_PORTS];
	unsigned n_cfg, n_txc, i, j;
	uint64_t deadline;
	uint32_t nbins;
	int rc, eal;

	if (ixg_version_requested(argc, argv))
		return ixg_version_print("ixgate-gen", stdout);
	/* EAL would answer --help with its own usage: give ours (which says
	 * where the EAL options go) wherever --help is. */
	for (i = 1; i < (unsigned)argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
	eal = rte_eal_init(argc, argv);
	if (eal < 0) {
		fprintf(stderr, "ixgate-gen: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= eal;
	argv += eal;
	rc = parse_args(argc, argv, &o);
	if (rc != 0) {
		rte_eal_cleanup();
		return rc;
	}
	memset(&spec, 0, sizeof(spec));
	if (ixg_conf_load(o.config, &spec, stderr) < 0) {
		rte_eal_cleanup();
		return 1;
	}
	if (port_list(&spec, o.config, "--ports", o.ports_arg, cfg_ports,
		      &n_cfg) < 0 ||
	    port_list(&spec, o.config, "--tx",
		      o.tx_arg ? o.tx_arg : spec.ports[0].name, tx_cfg,
		      &n_txc) < 0)
		goto fail;
	if (o.tx_arg == NULL) {
		tx_cfg[0] = cfg_ports[0];
		n_txc = 1;
	}
	if (rte_eth_dev_count_avail() < n_cfg) {
		fprintf(stderr,
			"ixgate-gen: --ports names %u ports but EAL "
			"has %u (give one --vdev or device per port)\n",
			n_cfg, rte_eth_dev_count_avail());
		goto fail;
	}
	streams = calloc(STREAM_NONE, sizeof(*streams));
	stream_of_key = malloc((size_t)n_txc * (2 * IXG_MAX_PEERS + 2) *
			       sizeof(*stream_of_key));
	if (streams == NULL || stream_of_key == NULL) {
		fprintf(stderr, "ixgate-gen: out of memory\n");
		goto fail;
	}
	memset(stream_of_key, 0xff,
	       (size_t)n_txc * (2 * IXG_MAX_PEERS + 2) *
		       sizeof(*stream_of_key));
	r.n_tx = n_txc;
	for (i = 0; i < n_txc; i++) {
		for (j = 0; j < n_cfg && cfg_ports[j] != tx_cfg[i]; j++)
			;
		if (j == n_cfg) {
			fprintf(stderr,
				"ixgate-gen: --tx port '%s' is not in "
				"--ports '%s'\n",
				port_name(&spec, tx_cfg[i]), o.ports_arg);
			goto fail;
		}
		r.tx[i].dpdk_port = (uint16_t)j;
		r.tx[i].cfg_port = tx_cfg[i];
		if (pool_build(&spec, &o, (uint16_t)i, tx_cfg[i],
			       &r.tx[i].pool) < 0)
			goto fail;
	}
	r.n_rx = n_cfg;
	for (i = 0; i < n_cfg; i++)
		r.rx_ports[i] = (uint16_t)i;
	r.mp = rte_pktmbuf_pool_create("gen_pool", NB_MBUF, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (r.mp == NULL) {
		fprintf(stderr, "ixgate-gen: mbuf pool: %s\n",
			rte_strerror(rte_errno));
		goto fail;
	}
	for (i = 0; i < n_cfg; i++) {
		rc = port_setup((uint16_t)i, r.mp);
		if (rc < 0) {
			fprintf(stderr,
				"ixgate-gen: DPDK port %u (%s): set-up "
				"failed: %s\n",
				i, port_name(&spec, cfg_ports[i]),
				strerror(-rc));
			goto fail;
		}
	}
	r.hz = rte_get_tsc_hz();
	deadline = rte_rdtsc() + (uint64_t)(o.link_timeout * (double)r.hz);
	while (!links_up(r.rx_ports, r.n_rx)) {
		if (rte_rdtsc() > deadline) {
			fprintf(stderr,
				"ixgate-gen: links not up after %.0f s "
				"(is the DUT running?)\n",
				o.link_timeout);
			goto fail;
		}
		rte_delay_ms(10);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	live_hist_init(&r.lat);
	live_hist_init(&r.lat_fwd_unmetered);
	nbins = (uint32_t)((o.duration * 1e3 + o.drain_ms + 200) / o.bin_ms) +
		2;
	if (live_bins_init(&r.tx_bins, 0, (uint64_t)(o.bin_ms * 1e-3 * r.hz),
			   nbins) < 0 ||
	    live_bins_init(&r.rx_bins, 0, (uint64_t)(o.bin_ms * 1e-3 * r.hz),
			   nbins) < 0) {
		fprintf(stderr, "ixgate-gen: out of memory for %u bins\n",
			nbins);
		goto fail;
	}
	run_loop(&r, &o);
	if (!o.quiet)
		print_summary(&r, &o);
	rc = 0;
	if (o.json != NULL && (rc = write_json(o.json, &r, &o, &spec)) < 0) {
		fprintf(stderr, "ixgate-gen: %s: %s\n", o.json, strerror(-rc));
		rc = 1;
	}
	/* --hold-ms: idle (no polling) until the time is up or a signal */
	for (double left = o.hold_ms; left > 0 && !stop_sending; left -= 10) {
		struct timespec ts = {0, 10 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	for (i = 0; i < n_cfg; i++) {
		rte_eth_dev_stop((uint16_t)i);
		rte_eth_dev_close((uint16_t)i);
	}
	live_bins_free(&r.tx_bins);
	live_bins_free(&r.rx_bins);
	ixg_spec_free(&spec);
	rte_eal_cleanup();
	return rc;
fail:
	ixg_spec_free(&spec);
	rte_eal_cleanup();
	return 1;
}
