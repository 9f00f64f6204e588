/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker.c - the run-to-completion loop: RX burst, the pipeline over the
 * burst under the snapshot loaded once for it, buffered TX into the worker's
 * own TX queue of each port, a drain timer so a slow trickle still leaves
 * within ~100 us, and one RCU quiescent state per loop.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "punt_linux.h"
#include "worker.h"

#define DRAIN_US 100

/* TX buffer refused by the queue: count each frame as tx_full, free it. */
static void
worker_tx_error(struct rte_mbuf **unsent, uint16_t count, void *userdata)
{
	struct pipeline_ctx *ctx = userdata;
	uint16_t i;

	for (i = 0; i < count; i++)
		pipeline_tx_failed(ctx, unsent[i]);
}

static void
worker_flush(struct worker *w)
{
	uint16_t i;

	for (i = 0; i < w->n_out; i++) {
		uint16_t sp = w->out_spec[i];

		rte_eth_tx_buffer_flush(w->dpdk_of[sp], (uint16_t)w->index,
					w->txbuf[sp]);
	}
}

/*
 * Append n mbufs to port sp's TX buffer, flushing it each time it fills:
 * what rte_eth_tx_buffer does packet by packet (the same TX calls with the
 * same packets), in one copy per port and burst (~15 instructions per
 * packet fewer under callgrind).
 */
static inline void
worker_tx_append(struct worker *w, uint16_t sp, struct rte_mbuf *const *pkts,
		 uint16_t n)
{
	struct rte_eth_dev_tx_buffer *buf = w->txbuf[sp];

	while (n > 0) {
		uint16_t k = (uint16_t)RTE_MIN(n, buf->size - buf->length);

		memcpy(&buf->pkts[buf->length], pkts, k * sizeof(*pkts));
		buf->length = (uint16_t)(buf->length + k);
		pkts += k;
		n = (uint16_t)(n - k);
		if (buf->length == buf->size)
			rte_eth_tx_buffer_flush(w->dpdk_of[sp],
						(uint16_t)w->index, buf);
	}
}

static inline void
worker_burst(struct worker *w, const struct worker_rxq *q, struct burst *b,
	     struct burst_out *out)
{
	struct runtime *rt = w->rt;
	uint16_t p, n;

	n = rte_eth_rx_burst(q->dpdk_port, q->queue, b->pkts, PIPELINE_BURST);
	if (n == 0)
		return;
	b->n = n;
	b->port = q->spec_port;
	w->ctx.t = __atomic_load_n(&rt->tables, __ATOMIC_ACQUIRE);
	w->ctx.now_tsc = rte_rdtsc();
	w->ctx.now_unix = __atomic_load_n(&rt->now_unix, __ATOMIC_RELAXED);
	memset(out->n, 0, sizeof(out->n));
	pipeline_run(&w->ctx, b, out);
	if (unlikely(out->n_punt != 0))
		punt_worker_queue(w->punt_ring, &w->ctx, out);
	for (p = 0; p < w->n_out; p++) {
		uint16_t sp = w->out_spec[p];

		if (out->n[sp] != 0)
			worker_tx_append(w, sp, out->pkts[sp], out->n[sp]);
	}
}

static int
worker_main(void *arg)
{
	struct worker *w = arg;
	struct runtime *rt = w->rt;
	struct burst b;
	struct burst_out out;
	uint64_t last_drain = rte_rdtsc();
	uint16_t q;

	rte_rcu_qsbr_thread_online(rt->qsbr, w->index);
	while (!__atomic_load_n(&rt->stop, __ATOMIC_RELAXED)) {
		uint64_t now;

		for (q = 0; q < w->n_rxq; q++)
			worker_burst(w, &w->rxq[q], &b, &out);
		if (w->inject_ring != NULL)
			punt_worker_inject(w->inject_ring, &w->ctx, w->dpdk_of,
					   (const void *const *)w->txbuf,
					   (uint16_t)w->index);
		now = rte_rdtsc();
		if (now - last_drain > w->drain_tsc) {
			worker_flush(w);
			last_drain = now;
		}
		rte_rcu_qsbr_quiescent(rt->qsbr, w->index);
	}
	worker_flush(w);
	rte_rcu_qsbr_thread_offline(rt->qsbr, w->index);
	return 0;
}

int
workers_init(struct runtime *rt)
{
	unsigned lcore, wi = 0, p, q;
	size_t qsz;

	rt->workers = rte_zmalloc("ixg_workers",
				  rt->n_workers * sizeof(*rt->workers),
				  RTE_CACHE_LINE_SIZE);
	qsz = rte_rcu_qsbr_get_memsize(rt->n_workers);
	rt->qsbr = rte_zmalloc("ixg_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (rt->workers == NULL || rt->qsbr == NULL)
		return -ENOMEM;
	if (rte_rcu_qsbr_init(rt->qsbr, rt->n_workers) < 0)
		return -rte_errno;

	RTE_LCORE_FOREACH_WORKER (lcore) {
		struct worker *w;
		unsigned sock;

		if (wi == rt->n_workers)
			break;
		w = &rt->workers[wi];
		w->rt = rt;
		w->index = wi;
		w->lcore = lcore;
		w->drain_tsc = rte_get_tsc_hz() / 1000000 * DRAIN_US;
		sock = rte_lcore_to_socket_id(lcore);
		w->ctx.pool = sock < RTE_MAX_NUMA_NODES ? rt->pools[sock]
							: NULL;
		for (p = 0; w->ctx.pool == NULL && p < RTE_MAX_NUMA_NODES; p++)
			w->ctx.pool = rt->pools[p];
		w->ctx.ctr = &rt->counters[wi];
		w->ctx.worker = wi;
		w->ctx.tsc_hz = rte_get_tsc_hz();
		w->ctx.t = rt->tables;
		for (p = 0; p < IXG_MAX_PORTS; p++) {
			const struct rt_port *rp = &rt->ports[p];

			if (!rp->active)
				continue;
			w->out_spec[w->n_out++] = (uint16_t)p;
			w->dpdk_of[p] = rp->dpdk_port;
			w->txbuf[p] = rte_zmalloc_socket(
				"ixg_txbuf",
				RTE_ETH_TX_BUFFER_SIZE(PIPELINE_BURST),
				RTE_CACHE_LINE_SIZE, (int)sock);
			if (w->txbuf[p] == NULL)
				return -ENOMEM;
			rte_eth_tx_buffer_init(w->txbuf[p], PIPELINE_BURST);
			rte_eth_tx_buffer_set_err_callback(
				w->txbuf[p], worker_tx_error, &w->ctx);
		}
		if (rte_rcu_qsbr_thread_register(rt->qsbr, wi) < 0)
			return -rte_errno;
		wi++;
	}
	if (wi != rt->n_workers)
		return -EINVAL;

	/* Queue q of every port goes to worker q mod n_workers. */
	for (p = 0; p < IXG_MAX_PORTS; p++) {
		const struct rt_port *rp = &rt->ports[p];

		if (!rp->active)
			continue;
		for (q = 0; q < rp->n_rxq; q++) {
			struct worker *w = &rt->workers[q % rt->n_workers];

			if (w->n_rxq == WORKER_MAX_RXQ)
				return -E2BIG;
			w->rxq[w->n_rxq].spec_port = (uint16_t)p;
			w->rxq[w->n_rxq].dpdk_port = rp->dpdk_port;
			w->rxq[w->n_rxq].queue = (uint16_t)q;
			w->n_rxq++;
		}
	}
	return 0;
}

int
workers_launch(struct runtime *rt)
{
	unsigned i;
	int rc;

	for (i = 0; i < rt->n_workers; i++) {
		struct worker *w = &rt->workers[i];

		rc = rte_eal_remote_launch(worker_main, w, w->lcore);
		if (rc < 0) {
			fprintf(stderr, "worker %u: launch on lcore %u: %s\n",
				i, w->lcore, rte_strerror(-rc));
			return rc;
		}
	}
	return 0;
}

void
workers_stop(struct runtime *rt)
{
	unsigned i, p;

	__atomic_store_n(&rt->stop, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	if (rt->workers == NULL)
		return;
	for (i = 0; i < rt->n_workers; i++)
		for (p = 0; p < IXG_MAX_PORTS; p++) {
			rte_free(rt->workers[i].txbuf[p]);
			rt->workers[i].txbuf[p] = NULL;
		}
}
