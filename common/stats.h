/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.h - summing the per-lcore counters and showing them: one JSON
 * object (replay, final report) and a human view (live demo), both
 * generated from the counter families (counters.h).
 * Readers only: nothing here writes a worker's counters.
 */
#ifndef IXG_STATS_H
#define IXG_STATS_H

#include <stdio.h>

#include "ixg_api.h"

/* Add every block in `blocks` into `total` (which the caller zeroes).
 * Peer pairs are merged by key, and a worker's slots added to their
 * peers' rx and tx (IXG_CTR_PEER): total's peers_folded is set. Safe
 * while workers run (values may be a burst apart; each 64-bit read is
 * atomic on the targets we support). */
void stats_sum(struct ixg_lcore_counters *const *blocks, unsigned n,
	       struct ixg_lcore_counters *total);

/* Sum of every drop reason in c. */
uint64_t stats_drops_total(const struct ixg_lcore_counters *c);

/*
 * Print `c` as one JSON object with at least: rx_packets, tx_packets,
 * local_packets, drops {reason: count, ...every reason...}, peers
 * {name: {rx_packets, rx_bytes, tx_packets, tx_bytes, drops}},
 * country_pairs {"CN>VN": {packets, bytes}}, peer_pairs {"a>b": {...}},
 * ports {name: {...}}, acl_rules {id: hits}, classes {name: {green,
 * yellow, red}}. Names come from spec. Ends with a newline.
 */
void stats_print_json(const struct ixg_lcore_counters *c,
		      const struct ixg_spec *spec, FILE *out);

/*
 * Human-readable view for a terminal: totals and rates since `prev`
 * (may be NULL) over `interval_s` seconds, per peer, top country pairs,
 * drops by reason. `generation` and `headless` describe the running state.
 */
void stats_print_view(const struct ixg_lcore_counters *c,
		      const struct ixg_lcore_counters *prev, double interval_s,
		      const struct ixg_spec *spec, uint64_t generation,
		      FILE *out);

#endif /* IXG_STATS_H */
