/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the whole pipeline: every input is a burst of frames
 * run through pipeline_run() under one of N_VARIANTS configs: the routes,
 * peers, ACL and countries of config/demo.conf (or IXG_FUZZ_CONFIG), with
 * its numeric fields set to the extremes the validation lets through:
 * meter rates and bursts from 1 to IXG_RATE_MAX / IXG_BURST_MAX (and
 * none), port MTUs from 0 (the default) through 68 to 65535, ICMP errors
 * on with icmp-rate 0, 1 or 2^32-1, sampling off, 1-in-1 or 1-in-2^32-1.
 * Every variant must pass tables_validate and build; a spec past the bounds
 * (the rate of issue 13 item 1) must be refused, checked at start-up.
 * Beyond "no crash, no over-read (ASan), no UB", after every input:
 *     rx_packets == tx_packets + local_packets + sum(drops)
 * and every mbuf is back in the pool.
 *
 * Input format: byte 0 selects the ingress port (bit 0), the number of
 * frames (bits 1-3, 1..8) and the config variant (bits 4-6); the rest is
 * split into that many frames at two-byte big-endian length prefixes (a
 * short tail is one frame).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ixg_conf.h"
#include "pipeline.h"
#include "sample.h"
#include "tables.h"

#ifndef IXG_SRC_DIR
#define IXG_SRC_DIR "."
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_VARIANTS 8

/* The numeric fields of one variant. */
struct variant {
	uint64_t rate, burst; /* every peer's; 0: unmetered */
	uint64_t cir, bs; /* every metered class's C and P (0: unmetered) */
	uint16_t mtu; /* every port's */
	uint8_t icmp_time_exceeded;
	uint32_t icmp_rate, sample_rate;
};

static const struct variant variants[N_VARIANTS] = {
	{0}, /* the config's own values: filled at start-up */
	{1, 1, 1, 1, 68, 1, 1, 1},
	{IXG_RATE_MAX, IXG_BURST_MAX, IXG_RATE_MAX, IXG_BURST_MAX, 65535, 1,
	 UINT32_MAX, UINT32_MAX},
	{0, 0, 0, 0, 0, 1, 0, 0},
	{IXG_RATE_MAX, 1, 1, IXG_BURST_MAX, 1280, 1, 1, 2},
	{1, IXG_BURST_MAX, IXG_RATE_MAX, 1, 9000, 0, UINT32_MAX,
	 UINT32_C(1) << 31},
	/* peers without a burst: the default, 100 ms of the rate */
	{IXG_RATE_MAX, 0, 125000, 1, 1500, 1, 100, 1000},
	{1000, 1, IXG_RATE_MAX, IXG_BURST_MAX, 65535, 1, 1, 1},
};

static struct rte_mempool *pool;
static struct tables *tables[N_VARIANTS];
static struct ixg_spec spec;
static struct ixg_lcore_counters *ctr;
static struct ixg_sample_ring *ring;
static struct ixg_sample_cursor cursor;

/* Apply variant v to a copy of the config's spec (arrays copied). */
static void
variant_spec(const struct variant *v, struct ixg_spec *out, void **owned)
{
	struct ixg_spec_port *ports;
	struct ixg_spec_peer *peers;
	struct ixg_spec_class *classes;

	ports = malloc(spec.n_ports * sizeof(*ports) + 1);
	peers = malloc(spec.n_peers * sizeof(*peers) + 1);
	classes = malloc(spec.n_classes * sizeof(*classes) + 1);
	if (ports == NULL || peers == NULL || classes == NULL)
		abort();
	memcpy(ports, spec.ports, spec.n_ports * sizeof(*ports));
	memcpy(peers, spec.peers, spec.n_peers * sizeof(*peers));
	memcpy(classes, spec.classes, spec.n_classes * sizeof(*classes));
	for (uint32_t i = 0; i < spec.n_ports; i++) {
		ports[i].mtu = v->mtu;
		ports[i].sample_rate = v->sample_rate;
	}
	for (uint32_t i = 0; i < spec.n_peers; i++) {
		peers[i].rate = v->rate;
		peers[i].burst = v->burst;
	}
	for (uint32_t i = 0; i < spec.n_classes; i++) {
		classes[i].cir = classes[i].pir = v->cir;
		classes[i].cbs = classes[i].pbs = v->bs;
	}
	*out = spec;
	out->ports = ports;
	out->peers = peers;
	out->classes = classes;
	out->node.icmp_time_exceeded = v->icmp_time_exceeded;
	out->node.icmp_rate = v->icmp_rate;
	out->node.sample_rate = v->sample_rate;
	owned[0] = ports;
	owned[1] = peers;
	owned[2] = classes;
}

static struct tables *
variant_build(const struct ixg_spec *s, unsigned k)
{
	const struct tables_validate_env env = {.n_workers = 1};
	struct tables_refusal r;
	struct tables *t;
	char err[256];

	if (tables_validate(s, &env, &r) < 0) {
		fprintf(stderr, "variant %u refused: %s\n", k, r.msg);
		abort();
	}
	t = tables_build(s, 1, 1 + k, err, sizeof(err));
	if (t == NULL) {
		fprintf(stderr, "variant %u: tables_build: %s\n", k, err);
		abort();
	}
	return t;
}

/* A rate past the bounds, and the one that overflowed rte_meter, are
 * refused by the validation and by the build. */
static void
check_refused(uint64_t rate)
{
	const struct tables_validate_env env = {.n_workers = 1};
	struct variant v = variants[1];
	struct tables_refusal r;
	struct ixg_spec s;
	void *owned[3];
	char err[256];

	v.rate = rate;
	variant_spec(&v, &s, owned);
	if (s.n_peers == 0)
		goto out;
	if (tables_validate(&s, &env, &r) == 0 || r.table != IXG_TBL_PEERS ||
	    tables_build(&s, 1, 100, err, sizeof(err)) != NULL) {
		fprintf(stderr, "rate %llu not refused\n",
			(unsigned long long)rate);
		abort();
	}
out:
	for (unsigned i = 0; i < 3; i++)
		free(owned[i]);
}

/* At exit, before LeakSanitizer looks: what Initialize built. The tables'
 * own allocations hang off DPDK's heap, which LSan does not scan, so
 * unfreed they would read as leaks. */
static void
free_all(void)
{
	for (unsigned k = 0; k < N_VARIANTS; k++)
		tables_free(tables[k]);
	ixg_spec_free(&spec);
	rte_mempool_free(pool);
	rte_free(ctr);
	rte_free(ring);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = {"fuzz_packet",
		       "--no-huge",
		       "-m",
		       "2048",
		       "--no-shconf",
		       "--no-pci",
		       "--no-telemetry",
		       "--log-level=*:error",
		       "-l",
		       "0",
		       NULL};
	const char *conf = getenv("IXG_FUZZ_CONFIG");

	(void)argc;
	(void)argv;
	if (rte_eal_init(10, eal) < 0)
		abort();
	if (conf == NULL)
		conf = IXG_SRC_DIR "/config/demo.conf";
	if (ixg_conf_load(conf, &spec, stderr) < 0)
		abort();
	tables[0] = variant_build(&spec, 0);
	for (unsigned k = 1; k < N_VARIANTS; k++) {
		struct ixg_spec s;
		void *owned[3];

		variant_spec(&variants[k], &s, owned);
		tables[k] = variant_build(&s, k);
		for (unsigned i = 0; i < 3; i++)
			free(owned[i]);
	}
	check_refused(IXG_RATE_MAX + 1);
	check_refused(1475740ull * 1000000000000ull / 8); /* 1475740tbit */
	pool = rte_pktmbuf_pool_create("fuzz", 1023, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	ctr = rte_zmalloc("ctr", sizeof(*ctr), 64);
	ring = rte_zmalloc("samples", sizeof(*ring), 64);
	if (pool == NULL || ctr == NULL || ring == NULL)
		abort();
	ixg_sample_ring_init(ring);
	atexit(free_all);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pipeline_ctx ctx = {
		.ctr = ctr,
		.worker = 0,
		.now_tsc = rte_rdtsc(),
		.tsc_hz = rte_get_tsc_hz(),
		.now_unix = 1700000000,
		.pool = pool,
		.samples = ring,
		.sample_cursor = &cursor,
	};
	struct ixg_sample_record rec;
	struct burst b;
	static struct burst_out out;
	unsigned nframes, i, p;

	if (size < 1)
		return 0;
	ctx.t = tables[(data[0] >> 4) & (N_VARIANTS - 1)];
	memset(&b, 0, sizeof(b));
	b.port = (uint16_t)(data[0] & 1);
	if (b.port >= spec.n_ports)
		b.port = 0;
	nframes = 1 + ((data[0] >> 1) & 7);
	data++;
	size--;
	for (i = 0; i < nframes && size > 0; i++) {
		size_t len = size;
		struct rte_mbuf *m;

		if (i + 1 < nframes && size >= 2) {
			len = ((size_t)data[0] << 8) | data[1];
			data += 2;
			size -= 2;
			if (len > size)
				len = size;
		}
		if (len > RTE_MBUF_DEFAULT_DATAROOM)
			len = RTE_MBUF_DEFAULT_DATAROOM;
		m = rte_pktmbuf_alloc(pool);
		if (m == NULL)
			abort();
		/* Copy to the END of the data room so an over-read past the
		 * frame runs off the mbuf's buffer where ASan can see it. */
		m->data_off = (uint16_t)(RTE_PKTMBUF_HEADROOM +
					 RTE_MBUF_DEFAULT_DATAROOM - len);
		memcpy(rte_pktmbuf_mtod(m, void *), data, len);
		m->data_len = (uint16_t)len;
		m->pkt_len = (uint32_t)len;
		m->port = b.port;
		b.pkts[b.n++] = m;
		data += len;
		size -= len;
	}

	memset(out.n, 0, sizeof(out.n));
	pipeline_run(&ctx, &b, &out);
	for (p = 0; p < IXG_MAX_PORTS; p++)
		for (i = 0; i < out.n[p]; i++)
			rte_pktmbuf_free(out.pkts[p][i]);
	/* Every published record is whole and in range. */
	while (ixg_samples_pop(ring, &cursor, &rec) != -EAGAIN)
		if (ixg_sample_record_check(&rec) != 0 ||
		    rec.frame_len < rec.hdr_len)
			abort();

	uint64_t drops = 0;
	for (i = 0; i < IXG_DROP_MAX; i++)
		drops += ctr->drops[i];
	if (ctr->rx_packets != ctr->tx_packets + ctr->local_packets + drops) {
		fprintf(stderr,
			"invariant broken: rx %lu tx %lu local %lu drops %lu\n",
			ctr->rx_packets, ctr->tx_packets, ctr->local_packets,
			drops);
		abort();
	}
	if (rte_mempool_in_use_count(pool) != 0) {
		fprintf(stderr, "mbuf leak: %u in use\n",
			rte_mempool_in_use_count(pool));
		abort();
	}
	return 0;
}
