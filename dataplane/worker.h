/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker.h - the run-to-completion loop of a worker lcore.
 */
#ifndef IXG_WORKER_H
#define IXG_WORKER_H

#include <stdint.h>

#include <rte_ethdev.h>

#include "pipeline.h"
#include "runtime.h"

#define WORKER_MAX_RXQ (IXG_MAX_PORTS * 4)

/* One (port, queue) a worker polls. */
struct worker_rxq {
	uint16_t spec_port; /* what the pipeline calls the port */
	uint16_t dpdk_port;
	uint16_t queue;
};

/* Per worker state: written only by its lcore once launched. */
struct worker {
	struct pipeline_ctx ctx; /* counters block, index, clock, pool */
	struct runtime *rt;
	unsigned index; /* 0..n_workers-1: RCU thread id, TX queue, block */
	unsigned lcore;
	uint16_t n_rxq;
	struct worker_rxq rxq[WORKER_MAX_RXQ];
	uint16_t n_out; /* active output ports */
	uint16_t out_spec[IXG_MAX_PORTS]; /* their spec ids */
	uint16_t dpdk_of[IXG_MAX_PORTS]; /* spec id -> DPDK port */
	struct rte_eth_dev_tx_buffer *txbuf[IXG_MAX_PORTS]; /* by spec id */
	uint64_t drain_tsc; /* TX buffers flushed at least this often */
	/* The exception path (punt_linux.h): this worker's ring of punted
	 * frames, and (worker 0) the frames from Linux it sends; NULL none. */
	struct rte_ring *punt_ring;
	struct rte_ring *inject_ring;
} __rte_cache_aligned;

/*
 * Prepare rt->n_workers workers on the worker lcores (every EAL lcore but
 * the main one, in order): spread every active port's RX queues over them
 * round-robin, give worker w TX queue w on every port, allocate TX buffers
 * on the worker's socket and register each worker with rt->qsbr.
 * Main thread, after ports_open. Returns 0 or a negative errno.
 */
int workers_init(struct runtime *rt);

/* Launch every worker's loop on its lcore. Main thread. 0 or -errno. */
int workers_launch(struct runtime *rt);

/* Ask the workers to stop (rt->stop), wait for them to flush their TX
 * buffers and return, then free their TX buffers. Main thread. */
void workers_stop(struct runtime *rt);

#endif /* IXG_WORKER_H */
