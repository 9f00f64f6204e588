/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * runtime.h - the state of a running ixgate-dataplane process, shared by the
 * main thread, the workers and the telemetry thread: the current tables
 * snapshot and its RCU, the counters region, the ports and the workers.
 *
 * Threads:
 *  - main thread: owns everything here; builds and publishes snapshots
 *    (tables_publish), refreshes now_unix, prints stats, stops the rest.
 *  - worker lcores: read `tables` once per burst (acquire), report quiescent
 *    states to `qsbr`, write only their own counters block.
 *  - telemetry thread (DPDK's): reads counters (summing), generation, spec
 *    names under spec_lock; never touches `tables`.
 *
 * Counters region (the control plane maps it, ixg_api.h): one memfd
 * (`counters_fd`, MFD_CLOEXEC) of `counters_size` bytes, mapped MAP_SHARED
 * and writable here, then sealed (F_SEAL_SHRINK, F_SEAL_GROW,
 * F_SEAL_FUTURE_WRITE, F_SEAL_SEAL): no one else can map it writable or
 * write to it, even through a descriptor reopened from /proc. It holds
 * `n_blocks` struct ixg_lcore_counters back to back: block w
 * (0..n_workers-1) belongs to worker w, block n_workers to the control
 * threads: the exception path's punt thread writes it (punt_linux.h). Readers get `counters_ro_fd`, a read-only open of
 * the same file, map it read-only and sum the blocks with stats_sum().
 */
#ifndef IXG_RUNTIME_H
#define IXG_RUNTIME_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>

#include "ixg_api.h"
#include "sample.h"
#include "tables.h"

/* A configured port once opened: spec id -> DPDK port and its queues. */
struct rt_port {
	bool active; /* configured and started */
	uint16_t spec_id;
	uint16_t dpdk_port;
	uint16_t n_rxq; /* min(n_workers, device max) */
	uint16_t n_txq; /* one per worker */
	int socket; /* NUMA socket of the device (0 if unknown) */
	char name[IXG_NAME_LEN];
};

struct worker;
struct punt;
struct neigh;

struct runtime {
	/* The spec the tables were built from. Main thread writes it only
	 * with spec_lock held; the telemetry thread reads names under it. */
	struct ixg_spec *spec;
	pthread_mutex_t spec_lock;

	/* Current snapshot: workers load it with __atomic_load_n(ACQUIRE). */
	struct tables *tables;
	uint64_t generation; /* of `tables`; atomic reads from other threads */
	struct rte_rcu_qsbr *qsbr; /* one reader thread per worker */
	int64_t next_expiry; /* unix s of the next blackhole expiry, 0 none */

	/* Counters region (see file comment). */
	int counters_fd;
	int counters_ro_fd; /* what HELLO hands out */
	size_t counters_size;
	unsigned n_blocks;
	struct ixg_lcore_counters *counters; /* n_blocks blocks */

	unsigned n_workers;
	struct worker *workers; /* [n_workers] */

	struct rt_port ports[IXG_MAX_PORTS]; /* indexed by spec port id */
	struct rte_mempool *pools[RTE_MAX_NUMA_NODES]; /* by socket */

	/* Written by the main thread, read by workers (relaxed). */
	int64_t now_unix;
	int stop; /* workers leave their loop when non-zero */

	uint64_t start_unix;
	bool in_memory; /* --in-memory/--no-shconf: no pdump, no secondaries */
	bool log_builds; /* one line per commit on stderr: how each FIB was made */
	/* Called by runtime_publish after each publish (main thread): the
	 * exception path's interfaces follow the tables. NULL: none. */
	void (*on_publish)(struct runtime *rt);
	struct punt *punt; /* punt_linux.h, NULL without one */
	/* The neighbour table (neigh.h): applied to every snapshot before
	 * its store; polled by the punt thread. NULL without one. */
	struct neigh *neigh;

	/*
	 * The sample channel (ixg_api.h, sample.h): one ring per worker in
	 * the counters region (`samples` views them), the cursors memfd its
	 * consumer moves (an API client after GET_SAMPLES, else the main
	 * thread: samples_drain), the last consumer epoch handed out, and
	 * the records the main thread freed. Main thread.
	 */
	struct ixg_samples_view samples;
	int sample_cursors_fd;
	struct ixg_sample_cursor *sample_cursors;
	size_t sample_cursors_size;
	uint64_t sample_epoch;
	uint64_t samples_freed;

	/* The ports as the config file gave them, before --device replaced
	 * devargs (n_ports entries, malloc'd; may be NULL). A commit may
	 * name either devargs for a port: the command line keeps winning. */
	struct ixg_spec_port *conf_ports;
	uint32_t n_conf_ports;

	/* API state (main thread writes; other threads read atomically). */
	bool headless; /* no control plane connected */
	bool had_client; /* a control plane was connected at some point */
	uint8_t config_sha256[32]; /* of the last commit; zero at bootstrap */
	uint64_t last_commit_unix; /* 0: the --config bootstrap */
};

/*
 * Build tables from `spec`, sharing with the running snapshot the
 * components whose inputs are the same in rt->spec (tables_build_from: the
 * running snapshot was built from rt->spec), and make them current:
 * atomic pointer store (release), RCU grace period over every worker, then
 * free the old snapshot (and what only it used). The generation increments by one per call (first is 1).
 * `spec` is only read (rt->spec is not changed: see runtime_spec_replace).
 * Main thread only (allocates, blocks for the grace period). Returns 0, or
 * a negative errno from tables_build (-EINVAL an invalid object, -ENOSPC a
 * capacity, -ENOMEM) with its message in err; the running snapshot is
 * untouched on error. build_ns / publish_ns (may be NULL) receive the time
 * spent building and publishing (store + grace period + free).
 */
int runtime_publish(struct runtime *rt, const struct ixg_spec *spec, char *err,
		    size_t errlen, uint64_t *build_ns, uint64_t *publish_ns);

/*
 * runtime_publish, asking wanted(arg) once the tables are built and before
 * anything is published: false frees the new tables and returns
 * -ECANCELED, the running snapshot untouched (the API server calls a
 * commit off when its client has gone). wanted NULL: always publish.
 * Same thread and errors as runtime_publish.
 */
int runtime_publish_if(struct runtime *rt, const struct ixg_spec *spec,
		       char *err, size_t errlen, uint64_t *build_ns,
		       uint64_t *publish_ns, bool (*wanted)(void *arg),
		       void *arg);

/* runtime_publish(rt, rt->spec, ...): rebuild from the running spec (the
 * bootstrap and blackhole expiry). Main thread only. */
int tables_publish(struct runtime *rt, char *err, size_t errlen);

/*
 * Make `spec` (heap-allocated, arrays malloc'd) the running spec under
 * spec_lock, taking ownership of it; then free the old spec's arrays that
 * `spec` does not share, and the old struct. Call right after
 * runtime_publish(rt, spec) succeeded. Main thread only.
 */
void runtime_spec_replace(struct runtime *rt, struct ixg_spec *spec);

/* Free rt->spec (its arrays and the struct) and conf_ports. Main thread,
 * at exit, after everything else that reads them stopped. */
void runtime_spec_free(struct runtime *rt);

/* Whether a control plane is connected. Any thread. */
static inline bool
runtime_headless(const struct runtime *rt)
{
	return __atomic_load_n(&rt->headless, __ATOMIC_RELAXED);
}

/* Blocks of the counters region as an array of pointers for stats_sum().
 * `out` holds rt->n_blocks entries. Any thread. */
void runtime_counter_blocks(const struct runtime *rt,
			    struct ixg_lcore_counters **out);

/* Create the counters region for n_blocks blocks (zeroed) and the sample
 * channel's rings after them (one per worker, rt->n_workers): memfd mapped
 * shared and writable into rt, then sealed against any other writer, and
 * its read-only descriptor (see the file comment). Main thread, before the
 * workers start. 0 or a negative errno. */
int counters_create(struct runtime *rt, unsigned n_blocks);

/* Zero, in every block, the counters of the ids (peers and their member
 * pairs, ACL rules, classes, country indices) that `next` uses and `cur`
 * does not, so that an object given a freed id starts from zero. Called
 * by runtime_publish before it stores the new tables; commit thread. */
void counters_zero_new_ids(struct runtime *rt, const struct ixg_spec *next,
			   const struct ixg_spec *cur);

/* Write the DPDK device name of every open port after the counter blocks
 * (struct ixg_ctr_ports), for the control plane's `show ports`. Main
 * thread, once, after ports_open. */
void counters_describe_ports(struct runtime *rt);

/* Unmap and close the counters region. Main thread, workers stopped. */
void counters_destroy(struct runtime *rt);

/* Generation of the current snapshot. Any thread. */
static inline uint64_t
runtime_generation(const struct runtime *rt)
{
	return __atomic_load_n(&rt->generation, __ATOMIC_ACQUIRE);
}

#endif /* IXG_RUNTIME_H */
