/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_test_util.h - shared helpers for the dataplane unit tests: EAL start
 * without hugepages, fake mbufs from bytes, a small hand-made struct ixg_spec
 * and bursts whose metadata is filled directly (lookup-stage tests).
 */
#ifndef IXG_DP_TEST_UTIL_H
#define IXG_DP_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "ixg_api.h"
#include "pipeline.h"
#include "tables.h"

/*
 * Start EAL once per process with --no-huge --no-shconf and a file prefix
 * derived from `prefix` and the pid; `mem_mb` is the -m size (0: 512).
 * Aborts the test program on failure. Idempotent.
 */
void dp_test_eal_init(const char *prefix, unsigned mem_mb);

/* Mempool of fake mbufs (created on first use, after dp_test_eal_init). */
struct rte_mempool *dp_test_pool(void);

/* A fresh mbuf holding a copy of `len` bytes of `bytes`, port `port`. */
struct rte_mbuf *dp_test_mbuf(const void *bytes, size_t len, uint16_t port);

/* ---- spec builder: every add grows the arrays; origin = running count. */
struct ixg_spec *dp_spec_new(void);
void dp_spec_free(struct ixg_spec *s);

/* "aa:bb:cc:dd:ee:ff" -> 6 bytes */
void dp_mac(const char *str, uint8_t mac[6]);
/* "10.1.2.3" -> host-order uint32 */
uint32_t dp_ip4(const char *str);
/* "2001:db8::1" -> 16 bytes network order */
void dp_ip6(const char *str, uint8_t out[16]);
/* Next hop of one address in a FIB (0 for NULL; the test dies if the bulk
 * and single lookups disagree). */
uint64_t dp_lookup4(const struct lpm *fib, const char *addr);
uint64_t dp_lookup6(const struct lpm *fib, const char *addr);
/* dp_lookup4/6 in a route FIB: the leaf's next hop (tables.h
 * tbl_leaf_nh; the leaf also holds the destination's country). */
uint64_t dp_route4(const struct lpm *fib, const char *addr);
uint64_t dp_route6(const struct lpm *fib, const char *addr);

/* The peer a frame from (port, outer VLAN, VLAN, source MAC) belongs to,
 * read from t's direct tables as tables.h lays them out (slot, then the
 * slot's MAC table), one frame at a time; IXG_PEER_NONE if none. */
uint16_t dp_peer_direct(const struct tables *t, uint16_t port,
			uint16_t outer_vlan, uint16_t vlan, const uint8_t *mac);

/* The same question asked of the spec by scanning its peers: the
 * reference the direct tables must agree with. */
uint16_t dp_peer_by_spec(const struct ixg_spec *s, uint16_t port,
			 uint16_t outer_vlan, uint16_t vlan,
			 const uint8_t *mac);

struct ixg_spec_port *dp_spec_port(struct ixg_spec *s, uint16_t id,
				   const char *mac);
struct ixg_spec_peer *dp_spec_peer(struct ixg_spec *s, uint16_t id,
				   uint16_t port, uint16_t vlan,
				   const char *mac, uint8_t sav_mode);
struct ixg_spec_route4 *dp_spec_route4(struct ixg_spec *s, const char *addr,
				       uint8_t len, uint16_t peer);
struct ixg_spec_route6 *dp_spec_route6(struct ixg_spec *s, const char *addr,
				       uint8_t len, uint16_t peer);
struct ixg_spec_route4 *dp_spec_source4(struct ixg_spec *s, const char *addr,
					uint8_t len, uint16_t peer);
struct ixg_spec_route6 *dp_spec_source6(struct ixg_spec *s, const char *addr,
					uint8_t len, uint16_t peer);
/* `addr` is IPv4 if it contains no ':' */
struct ixg_spec_blackhole *dp_spec_blackhole(struct ixg_spec *s,
					     const char *addr, uint8_t len,
					     int64_t expires);
struct ixg_spec_local_addr *dp_spec_local(struct ixg_spec *s, uint16_t port,
					  const char *addr, uint8_t len);
struct ixg_spec_class *dp_spec_class(struct ixg_spec *s, uint16_t id,
				     uint64_t cir, uint64_t cbs, uint64_t pir,
				     uint64_t pbs);
/* A rule matching everything of `family`; the caller narrows it. */
struct ixg_spec_acl_rule *dp_spec_acl(struct ixg_spec *s, uint32_t id,
				      uint32_t priority, uint8_t family,
				      uint8_t action);
/* Appends country code `cc` ("CN") if new; returns its index. */
uint16_t dp_spec_country(struct ixg_spec *s, const char *cc);
void dp_spec_country4(struct ixg_spec *s, const char *addr, uint8_t len,
		      const char *cc);
void dp_spec_country6(struct ixg_spec *s, const char *addr, uint8_t len,
		      const char *cc);

/* ---- bursts with metadata set by hand (no frames). */
void dp_burst_init(struct burst *b, uint16_t port);
/* Appends an IPv4/IPv6 packet's metadata; returns its index. */
unsigned dp_burst_add4(struct burst *b, uint16_t in_peer, const char *src,
		       const char *dst, uint8_t proto, uint16_t sport,
		       uint16_t dport);
unsigned dp_burst_add6(struct burst *b, uint16_t in_peer, const char *src,
		       const char *dst, uint8_t proto, uint16_t sport,
		       uint16_t dport);
/* A pipeline context over `t` for worker 0, clocks at zero. */
void dp_ctx_init(struct pipeline_ctx *ctx, const struct tables *t);

/* tables_build or fail the test, printing the error. */
struct tables *dp_tables_build(const struct ixg_spec *s);

#endif /* IXG_DP_TEST_UTIL_H */
