/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * telemetry.h - what a running dataplane shows to DPDK's own tools:
 * `dpdk-telemetry.py` commands under /ixgate/ and `dpdk-dumpcap` captures.
 */
#ifndef IXG_TELEMETRY_H
#define IXG_TELEMETRY_H

#include "runtime.h"

/*
 * Register the /ixgate/ telemetry commands (info, counters, drops, ports,
 * peers, samples, families, series: telemetry.c lists them), answered on
 * the telemetry thread from the counter blocks through the counter
 * families, names read under rt->spec_lock; and, unless EAL runs
 * --in-memory, enable pdump so dpdk-dumpcap can attach. `rt` must outlive
 * telemetry_fini. Main thread, after rte_eal_init. Returns 0; a command
 * DPDK refuses to register, or pdump not enabled, is reported on stderr.
 */
int telemetry_init(struct runtime *rt);

/* Stop answering (the commands then report the node is stopping) and
 * disable pdump. Main thread, before ports_close. */
void telemetry_fini(void);

#endif /* IXG_TELEMETRY_H */
