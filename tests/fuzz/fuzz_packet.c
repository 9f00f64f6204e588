/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the whole pipeline: every input is a burst of frames
 * run through pipeline_run() under config/demo.conf. Beyond "no crash, no
 * over-read (ASan), no UB", after every input:
 *     rx_packets == tx_packets + local_packets + sum(drops)
 * and every mbuf is back in the pool.
 *
 * Input format: byte 0 selects the ingress port (low bit) and the number of
 * frames (bits 1-3, 1..8); the rest is split into that many frames at
 * two-byte big-endian length prefixes (a short tail is one frame).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ixg_conf.h"
#include "pipeline.h"
#include "tables.h"

#ifndef IXG_SRC_DIR
#define IXG_SRC_DIR "."
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rte_mempool *pool;
static struct tables *tables;
static struct ixg_spec spec;
static struct ixg_lcore_counters *ctr;

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
	char err[256];
	const char *conf = getenv("IXG_FUZZ_CONFIG");

	(void)argc;
	(void)argv;
	if (rte_eal_init(10, eal) < 0)
		abort();
	if (conf == NULL)
		conf = IXG_SRC_DIR "/config/demo.conf";
	if (ixg_conf_load(conf, &spec, stderr) < 0)
		abort();
	tables = tables_build(&spec, 1, 1, err, sizeof(err));
	if (tables == NULL) {
		fprintf(stderr, "tables_build: %s\n", err);
		abort();
	}
	pool = rte_pktmbuf_pool_create("fuzz", 1023, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	ctr = rte_zmalloc("ctr", sizeof(*ctr), 64);
	if (pool == NULL || ctr == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pipeline_ctx ctx = {
		.t = tables,
		.ctr = ctr,
		.worker = 0,
		.now_tsc = rte_rdtsc(),
		.tsc_hz = rte_get_tsc_hz(),
		.now_unix = 1700000000,
		.pool = pool,
	};
	struct burst b;
	static struct burst_out out;
	unsigned nframes, i, p;

	if (size < 1)
		return 0;
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
