/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * punt_linux.h - the Linux half of the exception path (punt.h,
 * doc/exception-path.md): the TAP interfaces, the punt thread, the
 * workers' rings.
 */
#ifndef IXG_PUNT_LINUX_H
#define IXG_PUNT_LINUX_H

#include <stdint.h>

#include <rte_ring.h>

#include "pipeline.h"

/* Frames each worker's ring to the punt thread holds, and the ring of
 * frames from Linux each worker transmits. Powers of two. */
#define PUNT_RING_SIZE 256u
#define PUNT_INJECT_RING_SIZE 256u

struct runtime;
struct punt;

/*
 * Create the exception path of rt: one ring pair per worker (set into
 * rt->workers[w].punt_ring, worker 0's inject_ring; frames from Linux
 * come from the port's mempool) and the punt thread writing into counter block `ctr_block`
 * (owned by it alone). No interface yet: punt_sync makes them. Main
 * thread, after workers_init and before workers_launch. Returns the state,
 * or NULL with a message on stderr.
 */
struct punt *punt_create(struct runtime *rt, unsigned ctr_block);

/*
 * Make the Linux interfaces follow rt->tables: with node.punt on, one TAP
 * per (port, VLAN) with node addresses, named "ixg-PORT" or
 * "ixg-PORT.VLAN" (the port id instead of its name when the name does not
 * fit IFNAMSIZ), with the port's MAC and MTU and exactly the node's
 * addresses there (added and removed over rtnetlink); interfaces no
 * longer wanted are closed (the kernel deletes them). Problems are
 * reported on stderr and the rest goes on. Main thread, after each
 * publish (rt->on_publish).
 */
void punt_sync(struct punt *p);

/*
 * Stop the punt thread, free what its rings hold, close the interfaces,
 * free the rings. Main thread, after the workers stopped and before
 * ports_close (the frames come from the ports' mempools).
 * NULL is a no-op.
 */
void punt_destroy(struct punt *p);

/*
 * Worker side, after pipeline_run: queue out->punt into the worker's ring
 * (NULL: none), handing every frame it cannot take to
 * pipeline_punt_failed. Worker thread.
 */
void punt_worker_queue(struct rte_ring *ring, struct pipeline_ctx *ctx,
		       struct burst_out *out);

/*
 * Worker side, once per loop: transmit up to one burst of frames from
 * Linux waiting in `ring` on TX queue `txq` of their port (m->port, a spec
 * port id; dpdk_of maps it, has_port says it is open), counting
 * punt_injected and the port's injected, or punt_inject_dropped for what
 * the queue refuses. Worker thread.
 */
void punt_worker_inject(struct rte_ring *ring, struct pipeline_ctx *ctx,
			const uint16_t *dpdk_of, const void *const *has_port,
			uint16_t txq);

#endif /* IXG_PUNT_LINUX_H */
