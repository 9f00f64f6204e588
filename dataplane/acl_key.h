/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_key.h - the per-packet search keys classified by rte_acl.
 *
 * rte_acl wants the first field one byte long and every later field in
 * groups of 4 consecutive bytes (one input_index per group); search data is
 * in network byte order, rule values in host order.
 *
 * ports_ok (high byte of dscp_l4) is 1 only when the packet carries real
 * transport ports: TCP, UDP, SCTP, DCCP or UDP-Lite, and not a later
 * fragment. Rules with a port range other than "any" require it, so later
 * fragments (no L4 header) and port-less protocols only match rules whose
 * ports are "any" (the issue: ACL on L4 only for first fragments).
 */
#ifndef IXG_ACL_KEY_H
#define IXG_ACL_KEY_H

#include <stdint.h>

#define ACL_PORTS_OK 0x100 /* in dscp_l4, host order */

/*
 * Fields in trie order (tables.c, acl4_defs/acl6_defs: destination first
 * keeps each family in one trie; why and the numbers there).
 */
struct acl_key4 {
	uint8_t proto; /* input 0 */
	uint8_t _pad[3];
	uint32_t dst; /* input 1 */
	uint16_t dscp_l4; /* input 2: (ports_ok << 8) | dscp */
	uint16_t in_peer; /* input 2 */
	uint16_t sport; /* input 3 */
	uint16_t dport; /* input 3 */
	uint32_t src; /* input 4 */
};

struct acl_key6 {
	uint8_t proto; /* input 0 */
	uint8_t _pad[3];
	uint8_t dst[16]; /* inputs 1..4 */
	uint16_t dscp_l4; /* input 5 */
	uint16_t in_peer; /* input 5 */
	uint16_t sport; /* input 6 */
	uint16_t dport; /* input 6 */
	uint8_t src[16]; /* inputs 7..10 */
};

/* Field numbers in the rte_acl rule definitions built by tables.c. */
enum {
	ACL4_PROTO,
	ACL4_DSCP,
	ACL4_PEER,
	ACL4_SRC,
	ACL4_DST,
	ACL4_SPORT,
	ACL4_DPORT,
	ACL4_NF,
};

enum {
	ACL6_PROTO,
	ACL6_DSCP,
	ACL6_PEER,
	ACL6_SRC0,
	ACL6_SRC1,
	ACL6_SRC2,
	ACL6_SRC3,
	ACL6_DST0,
	ACL6_DST1,
	ACL6_DST2,
	ACL6_DST3,
	ACL6_SPORT,
	ACL6_DPORT,
	ACL6_NF,
};

#endif /* IXG_ACL_KEY_H */
