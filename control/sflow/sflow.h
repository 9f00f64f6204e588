/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sflow.h - the sFlow v5 agent of ixgate-control (doc/monitoring.md,
 * "sFlow"), a part of the daemon's event loop:
 *
 *  - on the dataplane's HELLO it asks for the sample channel (GET_SAMPLES)
 *    and becomes the consumer of every worker's ring;
 *  - every SFLOW_POLL_MS a loop timer drains the rings (a bounded number of
 *    records per tick), turns each sample into a flow sample and sends the
 *    datagrams, non-blocking, to every collector; every
 *    sflow-counter-interval seconds it adds a counter sample per port from
 *    the shared counters;
 *  - the settings come from the running configuration (node block:
 *    sflow-collector, sflow-agent-address, sflow-sub-agent-id,
 *    sflow-counter-interval), applied again at every change.
 *
 * Nothing here blocks the loop: sendto(2) with MSG_DONTWAIT, a datagram a
 * full socket refuses is counted and dropped. ifIndex of a port is its id
 * + 1 (0 means unknown in sFlow).
 */
#ifndef IXG_SFLOW_H
#define IXG_SFLOW_H

#include <stdint.h>

struct ctld;

#define SFLOW_POLL_MS 50
/* Records read per tick, over every ring: 20 ticks/s x 8192 = 164k
 * samples/s (164 Mpps at 1-in-1000); a ring holds 4096 per worker, 200 ms
 * at 20k samples/s. Short ticks also keep each tick's burst of datagrams
 * small for the collectors' socket buffers. */
#define SFLOW_TICK_BUDGET 8192

/* What the agent did since the daemon started. */
struct sflow_stats {
	uint64_t samples; /* flow samples sent */
	uint64_t counter_samples;
	uint64_t datagrams; /* sent, per collector */
	uint64_t send_errors; /* datagrams a collector's socket refused */
	uint64_t bad_records; /* torn or out of range, skipped */
	uint64_t discarded; /* read with no collector configured */
	unsigned collectors; /* configured now */
};

/* Create the agent and its timer. 0 or a negative errno. Loop thread,
 * from ctld_start. */
int sflow_start(struct ctld *D);
void sflow_stop(struct ctld *D);

/* The running configuration changed: read its sFlow settings, open or
 * close the collectors' sockets. Loop thread. */
void sflow_configure(struct ctld *D);

/* The dataplane connection came up (counters mapped) / is going down
 * (before the counters are unmapped). Loop thread. */
void sflow_dp_up(struct ctld *D);
void sflow_dp_down(struct ctld *D);

/* The agent's counters (zeros before sflow_start). Loop thread. */
void sflow_get_stats(const struct ctld *D, struct sflow_stats *out);

#endif /* IXG_SFLOW_H */
