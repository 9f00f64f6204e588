/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctr_fixture.h - a fixed state for golden files of counter outputs: the
 * compiled tests/unit/control/golden/show.conf and synthetic, deterministic
 * counter blocks touching every counter family (configured objects, ids no
 * config names, every drop reason). Shared by test_counters (stats JSON,
 * series walk) and test_show_golden (every show command).
 */
#ifndef CTR_FIXTURE_H
#define CTR_FIXTURE_H

#include "ixg_api.h"

/* The time the golden files are rendered at: 2024-06-01T00:00:00Z. */
#define CTR_FIXTURE_NOW 1717200000

/* Directory of show.conf (inside the source tree). */
#define CTR_FIXTURE_DIR IXG_SRC_DIR "/tests/unit/control/golden"

/*
 * Parse and compile show.conf into *spec (caller frees with
 * ixg_spec_free) and return the parsed tree (caller frees with
 * ixg_conf_free). Changes the working directory to CTR_FIXTURE_DIR so that
 * origins print as "show.conf:L:C". Fails the test on any error.
 */
struct ixg_conf;
struct ixg_conf *ctr_fixture_spec(struct ixg_spec *spec);

/* Fill `n` zeroed blocks with the synthetic counters of `spec`. */
void ctr_fixture_fill(const struct ixg_spec *spec,
		      struct ixg_lcore_counters *blocks, unsigned n);

/* A second read, a while after *now: every counter that grew since `prev`
 * (prev = now * 3/4), one that went backwards, one peer pair new. */
void ctr_fixture_prev(const struct ixg_lcore_counters *now,
		      struct ixg_lcore_counters *prev);

/* What the dataplane writes after its blocks: the DPDK device names of
 * show.conf's ports (net_null0, net_pcap0, 0000:3b:00.0). */
void ctr_fixture_ports(struct ixg_ctr_ports *p);

/*
 * A large exchange for measuring: 4,095 peers (every id; id 0 is "none")
 * named like "as64512-peer.N" over 32 ports, 250 countries, 10,000 ACL
 * rules, 63 classes; spec arrays malloc'd (ixg_spec_free). Counters in
 * `n` blocks: every peer and port busy, the full 250x250 country matrix,
 * each peer talking to 8 others (32,760 peer pairs, placed in each block's
 * table as the dataplane places them), every rule and class hit.
 */
#define CTR_BIG_PEERS 4095
#define CTR_BIG_COUNTRIES 250
#define CTR_BIG_RULES 10000
#define CTR_BIG_FANOUT 8
void ctr_fixture_big(struct ixg_spec *spec, struct ixg_lcore_counters *blocks,
		     unsigned n);

/* Zeroed, 64-byte aligned blocks (free with free()). */
struct ixg_lcore_counters *ctr_fixture_blocks(unsigned n);

#endif
