/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fullspec.h - a synthetic, full-size, real-shaped compiled configuration
 * (struct ixg_spec), built in memory from a seed, for benchmarks that need
 * internet-scale tables without the npm data of issue 4.
 *
 * Same seed and parameters, same spec, byte for byte, on every machine
 * (own PRNG, no libc rand, no floating point in the decisions that matter
 * for reproducibility beyond IEEE double arithmetic).
 *
 * Shape (fullspec_params_full):
 *  - 1.2M IPv4 routes with the default-free zone's prefix-length mix
 *    (/24 60%, /22 12.5%, /23 10%, /21 5%, /20 4%, /19 2.5%, /18 1.2%,
 *    /16 1.1%, /17 0.8%, the rest /8../15, nothing longer than /24), in
 *    unicast space minus the RFC 6890 special ranges; longer prefixes are
 *    mostly more-specifics of shorter ones, as deaggregation makes them;
 *  - 300k IPv6 routes (/48 45%, /32 15%, /44 8%, /40 7%, /36, /29, /47, /46
 *    and others) inside the RIRs' blocks, mostly under /29../32 allocations;
 *  - 4,095 peers on 2 ports: port 0 is the public peering LAN (VLAN 100,
 *    shared), port 1 carries private interconnects (one VLAN each, a few
 *    QinQ); one or two MACs each; routes shared out Zipf-like (the largest
 *    peer announces ~11% of the table, most peers a handful of prefixes);
 *  - allowed sources = announced prefixes, plus the same prefix from a
 *    second peer for 5% of them (multihomed customers); SAV strict for 90%
 *    of peers, loose 7%, off 3%;
 *  - 10,000 ACL rules shaped like an IXP filter set: per-peer anti-
 *    reflection denies (UDP source port 19/53/123/161/389/1900/11211 from a
 *    peer towards a victim /24 or /48), class rules on port ranges, DSCP
 *    bleaching per peer, a few global rules;
 *  - 3 classes metered trTCM at multi-gigabit rates, per-peer committed
 *    rates of 1/10/100 Gbit/s (every packet is metered);
 *  - 200 RFC 7999 blackholes (/32 and /128 inside routed prefixes);
 *  - country prefixes covering the routed space: 50k IPv4 + 20k IPv6 over
 *    200 ISO 3166 countries.
 * fullspec_params_small: 16 IPv4 + 16 IPv6 routes, 4 peers, no ACL, no
 * classes: the l3fwd-style table, for the full-vs-16-routes ratio.
 *
 * The arrays are malloc'ed one per field exactly as the config compiler
 * does, so ixg_spec_free() (config library) and fullspec_free() both free
 * a spec built here.
 */
#ifndef IXG_FULLSPEC_H
#define IXG_FULLSPEC_H

#include <stdint.h>

#include "ixg_api.h"

struct fullspec_params {
	uint64_t seed;
	uint32_t n_routes4, n_routes6;
	uint32_t n_peers; /* 2..IXG_MAX_PEERS-1; ids 1..n_peers */
	uint32_t n_acl_rules;
	uint32_t n_blackholes;
	uint32_t n_classes; /* 0..3 */
	uint32_t n_countries; /* 1..IXG_MAX_COUNTRIES-1, plus "--" */
	uint32_t n_country4, n_country6;
	uint32_t multihome_pct; /* % of prefixes also allowed from a 2nd peer */
	uint32_t strict_pct, loose_pct; /* SAV modes of peers, rest off */
	uint32_t peer_rates; /* 1: per-peer committed rates (policer on) */
};

/* Parameters of the full-size spec described above, with `seed`. */
void fullspec_params_full(struct fullspec_params *p, uint64_t seed);

/* Parameters of the 16-route, 4-peer, ACL-less spec, with `seed`. */
void fullspec_params_small(struct fullspec_params *p, uint64_t seed);

/*
 * Fill `spec` (zeroed here first) from `p`. Deterministic in p. Allocates
 * every array with malloc; the caller owns them (fullspec_free). Returns 0,
 * -EINVAL for parameters out of range (n_peers, n_countries, capacities),
 * or -ENOMEM. Any thread; no DPDK call.
 */
int fullspec_build(const struct fullspec_params *p, struct ixg_spec *spec);

/* Free the arrays of a spec from fullspec_build and zero it. NULL-safe. */
void fullspec_free(struct ixg_spec *spec);

/*
 * Frame generation helpers for the benchmarks (issue 4's generator can use
 * them too): a deterministic PRNG, and a random address inside a prefix.
 */
struct fullspec_rng {
	uint64_t s;
};

/* Seed the generator; any value, 0 included. */
void fullspec_rng_seed(struct fullspec_rng *r, uint64_t seed);

/* Next 64 random bits (splitmix64). */
uint64_t fullspec_rng_next(struct fullspec_rng *r);

/* Uniform in [0, n); n > 0. */
uint32_t fullspec_rng_below(struct fullspec_rng *r, uint32_t n);

/* Host-order IPv4 address inside addr/len, host bits random. */
uint32_t fullspec_addr4_in(struct fullspec_rng *r, uint32_t addr, uint8_t len);

/* IPv6 address (network order) inside addr/len, host bits random. */
void fullspec_addr6_in(struct fullspec_rng *r, const uint8_t addr[16],
		       uint8_t len, uint8_t out[16]);

#endif /* IXG_FULLSPEC_H */
