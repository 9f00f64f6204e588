/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen_model.h - the traffic generator's reference model: what ixgate should
 * do with a packet under a spec, computed with deliberately simple code
 * (sorted per-length prefix arrays, linear ACL scan) that shares nothing
 * with the dataplane's lookups, so replay-vs-expectation is a real
 * cross-check. Plain C, no DPDK.
 *
 * Check order mirrors the pipeline (dataplane/pipeline.h):
 *   parse -> peer -> local -> SAV -> ACL -> route -> policer (assumed
 *   green) -> TTL -> MTU.
 */
#ifndef IXG_GEN_MODEL_H
#define IXG_GEN_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "ixg_api.h"

enum gen_l3 {
	GEN_L3_IPV4 = 4,
	GEN_L3_IPV6 = 6,
	GEN_L3_ARP = 1,
	GEN_L3_OTHER = 0,
};

/* Values stored in the model's destination table. */
#define GEN_NH_NONE 0u
#define GEN_NH_BLACKHOLE 0x10000u
#define GEN_NH_LOCAL 0x20000u
#define GEN_NH_KIND_MASK 0x30000u
#define GEN_NH_INDEX_MASK 0x0ffffu

/* A packet as the pipeline's parse stage would describe it. */
struct gen_pkt {
	uint8_t kind; /* enum gen_kind (gen.h), informational */
	uint8_t malformed; /* 0, or the drop reason + 1 the frame was built
			      to trigger in parse */
	uint8_t l3; /* enum gen_l3 */
	uint8_t proto; /* IP protocol (last header) */
	uint8_t ttl; /* TTL or hop limit */
	uint8_t dscp;
	uint8_t icmp_type;
	uint8_t arp_op;
	uint16_t port_id; /* ingress port */
	uint16_t vlan, outer_vlan; /* IXG_VLAN_NONE if absent */
	uint8_t smac[6], dmac[6];
	uint16_t sport, dport; /* host order; 0 unless TCP/UDP */
	/* Network byte order; IPv4 in the first 4 bytes. ARP: sender and
	 * target protocol addresses. NS: dst is the solicited-node group. */
	uint8_t src[16], dst[16];
	uint8_t ns_target[16]; /* IPv6 Neighbor Solicitation target */
	uint16_t l3_total; /* IP total length (IPv6: 40 + payload length) */
};

enum gen_verdict_kind {
	GEN_V_FORWARD = 1,
	GEN_V_LOCAL = 2,
	GEN_V_DROP = 3,
};

struct gen_verdict {
	uint8_t verdict; /* enum gen_verdict_kind */
	uint8_t reason; /* enum ixg_drop_reason if GEN_V_DROP */
	uint16_t in_peer; /* IXG_PEER_NONE if not identified */
	uint16_t out_peer;
	uint16_t class_id;
	uint32_t acl_rule; /* first matching rule id, 0 if none */
	bool policed; /* reached the policer with a meter (peer or class) */
};

struct gen_model;

/*
 * Build the model from a spec. Blackholes whose expiry is <= now (unix
 * seconds) are left out, as tables_build leaves them out. The model copies
 * what it needs; spec may be freed afterwards. NULL with errno on failure.
 * Any thread; the model is read-only once built.
 */
struct gen_model *gen_model_new(const struct ixg_spec *spec, int64_t now);
void gen_model_free(struct gen_model *m);

/* Evaluate p (read-only model, any thread). */
void gen_model_eval(const struct gen_model *m, const struct gen_pkt *p,
		    struct gen_verdict *v);

/* Longest-prefix match of addr (network order, family 4 or 6) over routes,
 * live blackholes and local addresses: GEN_NH_* or a peer id. */
uint32_t gen_model_lpm(const struct gen_model *m, int family,
		       const uint8_t *addr);

/* Whether addr is covered by one of peer's allowed source prefixes. */
bool gen_model_src_allowed(const struct gen_model *m, uint16_t peer, int family,
			   const uint8_t *addr);

/* Ingress peer for (port, outer VLAN, VLAN, source MAC), or IXG_PEER_NONE. */
uint16_t gen_model_peer_by_l2(const struct gen_model *m, uint16_t port,
			      uint16_t outer_vlan, uint16_t vlan,
			      const uint8_t mac[6]);

/* Index of the local address equal to addr on (port, vlan), or -1. */
int gen_model_local_on(const struct gen_model *m, uint16_t port, uint16_t vlan,
		       int family, const uint8_t *addr);

/* Whether addr (family 4/6) is a martian as the source (is_src) or the
 * destination of a packet. */
bool gen_model_martian(int family, const uint8_t *addr, bool is_src);

/* Whether addr lies inside prefix/len (both network order). */
bool gen_prefix_contains(int family, const uint8_t *prefix, unsigned len,
			 const uint8_t *addr);

#endif /* IXG_GEN_MODEL_H */
