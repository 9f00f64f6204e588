/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sflow_enc.h - sFlow version 5 datagrams (sflow.org, "sFlow Version 5",
 * July 2004; XDR, RFC 4506: every field a big-endian 32-bit word, opaque
 * data padded to 4 bytes), as the agent of ixgate-control sends them:
 *
 *   sample_datagram_v5  agent address, sub-agent id, sequence, uptime
 *     flow_sample        (enterprise 0, format 1) per sampled packet:
 *       sampled_header   (format 1)    the frame as received, VLAN tags
 *                                      included, protocol ETHERNET-ISO88023
 *       extended_switch  (format 1001) ingress / egress VLAN
 *       extended_gateway (format 1003) member ASNs: src_as = src_peer_as =
 *                                      the ingress member's, dst_as_path =
 *                                      the egress member's (AS_SEQUENCE)
 *     counters_sample    (enterprise 0, format 2) per port:
 *       if_counters      (format 1)    generic interface counters
 *
 * The compact encodings are used (ifIndex < 2^24). A dropped packet's
 * output interface is "format 1, packet discarded" with the reason code of
 * the spec's section on the interface type (0-255 ICMP unreachable codes,
 * 256 unknown, 257 TTL exceeded, 258 ACL, 259 no buffer space, 260 RED,
 * 261 rate limiting, 262 packet too big).
 *
 * Plain C, no I/O: the agent (sflow.c) sends what this writes, the unit
 * test decodes it back.
 */
#ifndef IXG_SFLOW_ENC_H
#define IXG_SFLOW_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SFLOW_VERSION 5
#define SFLOW_ADDR_IP4 1
#define SFLOW_ADDR_IP6 2
#define SFLOW_FLOW_SAMPLE 1 /* enterprise 0 */
#define SFLOW_COUNTERS_SAMPLE 2
#define SFLOW_REC_HEADER 1
#define SFLOW_REC_SWITCH 1001
#define SFLOW_REC_GATEWAY 1003
#define SFLOW_REC_IF_COUNTERS 1
#define SFLOW_PROTO_ETHERNET 1
#define SFLOW_IF_DISCARD 0x40000000u /* output: format 1, packet discarded */
#define SFLOW_AS_SEQUENCE 2
/* The largest datagram the agent builds: an Ethernet MTU less the IPv6
 * and UDP headers, so nothing is fragmented on a standard path. */
#define SFLOW_DGRAM_MAX 1452

/* The drop reason codes of the spec (output interface, format 1). */
enum sflow_discard {
	SFLOW_DISCARD_NET_UNREACHABLE = 0,
	SFLOW_DISCARD_PROHIBITED = 13, /* administratively prohibited */
	SFLOW_DISCARD_UNKNOWN = 256,
	SFLOW_DISCARD_TTL = 257,
	SFLOW_DISCARD_ACL = 258,
	SFLOW_DISCARD_NO_BUFFER = 259,
	SFLOW_DISCARD_RATE_LIMIT = 261,
	SFLOW_DISCARD_TOO_BIG = 262,
};

/* A datagram being built: `len` bytes used of `buf`. */
struct sflow_dgram {
	uint8_t buf[SFLOW_DGRAM_MAX];
	size_t len;
	size_t n_samples_at; /* offset of the samples count */
	uint32_t n_samples;
};

struct sflow_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t addr[16]; /* network order; IPv4 in the first 4 bytes */
};

/* One flow sample's content. */
struct sflow_flow {
	uint32_t seq; /* per source: 1, 2, ... */
	uint32_t source; /* ifIndex of the sampling port */
	uint32_t rate; /* 1-in-N */
	uint32_t pool; /* sample_pool */
	uint32_t drops;
	uint32_t input; /* ifIndex */
	uint32_t output; /* ifIndex, or SFLOW_IF_DISCARD | reason, 0 unknown */
	uint32_t frame_len; /* as received, FCS included */
	uint32_t stripped; /* bytes removed before the header (the FCS) */
	const uint8_t *hdr;
	uint32_t hdr_len;
	bool has_switch;
	uint32_t src_vlan, src_prio, dst_vlan, dst_prio;
	bool has_gateway;
	uint32_t src_as, dst_as; /* 0: unknown (no record then) */
};

/* Generic interface counters (RFC 2233 names, as the spec has them). */
struct sflow_if_counters {
	uint32_t seq;
	uint32_t if_index;
	uint32_t if_type; /* 6: ethernetCsmacd */
	uint64_t if_speed; /* bits/s, 0 unknown */
	uint32_t if_direction; /* 1: full duplex */
	uint32_t if_status; /* bit 0 admin up, bit 1 oper up */
	uint64_t in_octets;
	uint32_t in_ucast, in_mcast, in_bcast, in_discards, in_errors,
		in_unknown_protos;
	uint64_t out_octets;
	uint32_t out_ucast, out_mcast, out_bcast, out_discards, out_errors;
	uint32_t promiscuous;
};

/* Start d: the datagram header with no samples. Any thread. */
void sflow_dgram_begin(struct sflow_dgram *d, const struct sflow_addr *agent,
		       uint32_t sub_agent, uint32_t seq, uint32_t uptime_ms);

/* Bytes f takes as a sample (so the caller can start a new datagram
 * first). */
size_t sflow_flow_size(const struct sflow_flow *f);
size_t sflow_counters_size(void);

/* Append one sample: 0, or -ENOSPC (d unchanged) when it does not fit in
 * SFLOW_DGRAM_MAX. */
int sflow_dgram_add_flow(struct sflow_dgram *d, const struct sflow_flow *f);
int sflow_dgram_add_counters(struct sflow_dgram *d,
			     const struct sflow_if_counters *c);

/* Rewrite the datagram's sequence number and uptime (the agent stamps
 * them when it sends). */
void sflow_dgram_stamp(struct sflow_dgram *d, uint32_t seq, uint32_t uptime_ms);

/* The sFlow drop reason code for an ixgate drop reason (enum
 * ixg_drop_reason). */
uint32_t sflow_discard_reason(unsigned ixg_drop_reason);

#endif /* IXG_SFLOW_ENC_H */
