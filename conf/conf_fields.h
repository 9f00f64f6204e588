/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_fields.h - every keyword of the config language, declared once.
 *
 * One list per section (the top level and each kind of block), one row per
 * keyword, in canonical print order. Every layer iterates these lists:
 *  - the parser's dispatch and its "did you mean" candidates (parse.c);
 *  - the canonical printer's field order (print.c);
 *  - each keyword's location slot and "given" flag: SEC_F_ID is the slot
 *    (the index into the object's locs[]), SEC_ID = 1 << SEC_F_ID the bit in
 *    its `set` mask, SEC_NSLOTS the size of locs[] (conf_impl.h);
 *  - the tests: every keyword must appear in doc/config-reference.md and in
 *    config/example.conf, and the fuzzer drives every numeric field to its
 *    extremes (conf_keywords[]).
 *
 * Two kinds of row:
 *   F(SEC, ID, "keyword", KIND, member, lo, hi, "what")
 *	a value of a generic KIND stored in the block's struct `member`: the
 *	parser and the printer handle it (parse.c kw_field, print.c
 *	print_field), with [lo, hi] the accepted range (UINT, POW2, RATE in
 *	bits/s, SIZE in bytes) and "what" how errors name the value;
 *   K(SEC, ID, "keyword", parse_fn, print_fn)
 *	a keyword with its own syntax: parse_fn in parse.c, print_fn in
 *	print.c (print_none where the enclosing block prints it).
 * Adding a keyword: README.md, "Adding a feature".
 */
#ifndef IXG_CONF_FIELDS_H
#define IXG_CONF_FIELDS_H

#include "ixg_api.h"

/*
 * Policer rates, in bits/s: what a class or a peer may ask for. The top is
 * what DPDK's meter can represent: rte_meter_get_tb_params() (DPDK 22.11,
 * lib/meter/rte_meter.c) computes, for a rate r in bytes/s and a TSC of hz,
 * bytes_per_period = ceil(100 * r / hz) and period = hz * bytes_per_period
 * / r in 64 bits; hz * bytes_per_period <= 100 * r + hz must stay below
 * 2^64 or the period wraps to 0 and the worker divides by it (issue 13).
 * 10 Tbit/s (1.25e12 bytes/s) keeps that product below 1.3e14 for any TSC
 * up to 10 GHz, five orders of magnitude from the wrap (at 1.8e17 bytes/s,
 * 1475739 tbit). The bottom, 8 bit/s, is one byte per second: the spec
 * stores bytes/s and a rate of 0 bytes/s means "no policer".
 */
#define CONF_RATE_MIN 8ull
#define CONF_RATE_MAX 10000000000000ull
/* Burst sizes, bytes (the spec and DPDK hold 64 bits; 4 GiB is plenty). */
#define CONF_SIZE_MIN 1ull
#define CONF_SIZE_MAX (1ull << 32)

/* The statements of a config file. Printed through the item list. */
#define TOP_KEYWORDS(F, K)                                                     \
	K(TOP, NODE, "node", top_node, print_item_node)                        \
	K(TOP, PORT, "port", top_port, print_item_port)                        \
	K(TOP, CLASS, "class", top_class, print_item_class)                    \
	K(TOP, PEER, "peer", top_peer, print_item_peer)                        \
	K(TOP, ACL, "acl", top_acl, print_item_acl)                            \
	K(TOP, BLACKHOLE, "blackhole", top_blackhole, print_item_blackhole)    \
	K(TOP, ROUTE, "route", top_route, print_item_route)                    \
	K(TOP, CDATA, "country-data", top_cdata, print_item_cdata)             \
	K(TOP, METRICS, "metrics", top_metrics, print_item_metrics)            \
	K(TOP, KROUTES, "kernel-routes", top_kroutes, print_item_kroutes)      \
	K(TOP, INCLUDE, "include", top_include, print_none)

/* node { ... } */
#define NODE_KEYWORDS(F, K)                                                    \
	K(NODE, NAME, "name", node_name, print_node_name)                      \
	F(NODE, COUNTRY, "country", CC, country, 0, 0, NULL)                   \
	F(NODE, ICMP_TE, "icmp-time-exceeded", ONOFF, icmp_te, 0, 1, NULL)     \
	F(NODE, ICMP_RATE, "icmp-rate", UINT, icmp_rate, 0, 1000000,           \
	  "ICMP rate")                                                         \
	K(NODE, SAMPLING, "sampling", node_sampling, print_node_sampling)      \
	K(NODE, SFLOW_COLLECTOR, "sflow-collector", node_sflow_collector,      \
	  print_node_sflow_collectors)                                         \
	K(NODE, SFLOW_AGENT, "sflow-agent-address", node_sflow_agent,          \
	  print_node_sflow_agent)                                              \
	F(NODE, SFLOW_SUB_AGENT, "sflow-sub-agent-id", UINT, sflow_sub_agent,  \
	  0, 4294967295u, "sub-agent id")                                      \
	F(NODE, SFLOW_INTERVAL, "sflow-counter-interval", UINT,                \
	  sflow_interval, 1, 3600, "counter interval")                         \
	F(NODE, PUNT, "exception-path", ONOFF, punt, 0, 1, NULL)               \
	F(NODE, PUNT_RATE, "punt-rate", UINT, punt_rate, 1, 1000000,           \
	  "punt rate")                                                         \
	F(NODE, PUNT_BURST, "punt-burst", UINT, punt_burst, 1, 1000000,        \
	  "punt burst")                                                        \
	K(NODE, PUNT_ALLOW, "punt-allow", node_punt_allow,                     \
	  print_node_punt_allow)                                               \
	F(NODE, ARPND_RATE, "arp-nd-rate", UINT, arp_nd_rate, 0, 1000000,      \
	  "ARP/ND answer rate")

/* port NAME { ... }; RFC 8200 section 5: IPv6 needs an MTU of 1280. */
#define PORT_KEYWORDS(F, K)                                                    \
	K(PORT, DEVICE, "device", port_device, print_port_device)              \
	F(PORT, MTU, "mtu", UINT, mtu, 1280, 9600, "MTU")                      \
	F(PORT, RXQ, "rx-queue-size", POW2, rxq, 64, 32768, "RX queue size")   \
	F(PORT, TXQ, "tx-queue-size", POW2, txq, 64, 32768, "TX queue size")   \
	F(PORT, MAC, "mac", MAC, mac, 0, 0, NULL)                              \
	K(PORT, SAMPLING, "sampling", port_sampling, print_port_sampling)      \
	K(PORT, ADDRESS, "address", port_address, print_port_addresses)        \
	K(PORT, VLAN, "vlan", port_vlan, print_port_vlans)

/* port NAME { vlan N { ... } }: printed by the port's "vlan". */
#define PVLAN_KEYWORDS(F, K)                                                   \
	K(PVLAN, ADDRESS, "address", port_address, print_none)

/* class NAME { ... }: a trTCM (RFC 2698). */
#define CLASS_KEYWORDS(F, K)                                                   \
	F(CLASS, CIR, "committed-rate", RATE, cir_bits, CONF_RATE_MIN,         \
	  CONF_RATE_MAX, "committed-rate")                                     \
	F(CLASS, CBS, "committed-burst", SIZE, cbs, CONF_SIZE_MIN,             \
	  CONF_SIZE_MAX, NULL)                                                 \
	F(CLASS, PIR, "peak-rate", RATE, pir_bits, CONF_RATE_MIN,              \
	  CONF_RATE_MAX, "peak-rate")                                          \
	F(CLASS, PBS, "peak-burst", SIZE, pbs, CONF_SIZE_MIN, CONF_SIZE_MAX,   \
	  NULL)                                                                \
	K(CLASS, YELLOW, "yellow", class_yellow, print_class_yellow)           \
	K(CLASS, RED, "red", class_red, print_class_red)

/* peer NAME { ... }. "next-hop" has a second slot, PEER_F_NH6 (below):
 * one address of each family. */
#define PEER_KEYWORDS(F, K)                                                    \
	K(PEER, ASN, "asn", peer_asn, print_peer_asn)                          \
	F(PEER, COUNTRY, "country", CC, country, 0, 0, NULL)                   \
	K(PEER, PORT, "port", peer_port, print_peer_port)                      \
	K(PEER, VLAN, "vlan", peer_vlan, print_peer_vlan)                      \
	K(PEER, MAC, "mac", peer_mac, print_peer_macs)                         \
	K(PEER, NEIGH, "neighbour", peer_neighbour, print_peer_neighbour)      \
	K(PEER, NH4, "next-hop", peer_nexthop, print_peer_nexthops)            \
	K(PEER, SAV, "source-validation", peer_sav, print_peer_sav)            \
	F(PEER, MAXPFX, "max-prefix", UINT, max_prefix, 1,                     \
	  IXG_MAX_ROUTES4 + IXG_MAX_ROUTES6, "max-prefix")                     \
	K(PEER, RATE, "rate", peer_rate, print_peer_rate)                      \
	K(PEER, ANNOUNCE, "announce", peer_announce, print_peer_announce)      \
	K(PEER, ANNOUNCE_FILE, "announce-file", peer_announce_file,            \
	  print_peer_announce_files)                                           \
	K(PEER, ALLOW_SOURCE, "allow-source", peer_allow, print_peer_allow)    \
	K(PEER, ALLOW_FILE, "allow-source-file", peer_allow_file,              \
	  print_peer_allow_files)

/* acl { ... } */
#define ACL_KEYWORDS(F, K) K(ACL, RULE, "rule", acl_rule, print_none)

/* acl { rule PRIO [NAME] { ... } } */
#define RULE_KEYWORDS(F, K)                                                    \
	K(RULE, FROM, "from", rule_from, print_rule_from)                      \
	K(RULE, PROTO, "protocol", rule_proto, print_rule_proto)               \
	F(RULE, SRC, "source", PREFIX, src, 0, 0, NULL)                        \
	F(RULE, DST, "destination", PREFIX, dst, 0, 0, NULL)                   \
	K(RULE, SPORT, "source-port", rule_sport, print_rule_sport)            \
	K(RULE, DPORT, "destination-port", rule_dport, print_rule_dport)       \
	F(RULE, DSCP, "dscp", UINT, dscp, 0, 63, "DSCP")                       \
	K(RULE, ACTION, "action", rule_action, print_rule_action)

/* metrics { ... }: ixgate-control's Prometheus exporter (doc/monitoring.md).
 * Not compiled into the spec: the daemon reads it (ixg_conf_metrics). */
#define METRICS_KEYWORDS(F, K)                                                 \
	K(METRICS, LISTEN, "listen", metrics_listen, print_metrics_listen)     \
	K(METRICS, TLS_CERT, "tls-cert", metrics_file, print_metrics_file)     \
	K(METRICS, TLS_KEY, "tls-key", metrics_file, print_metrics_file)       \
	K(METRICS, TLS_CA, "tls-client-ca", metrics_file, print_metrics_file)

/* kernel-routes { ... }: routes learned from Linux routing tables over
 * rtnetlink (ixgate-control only; doc/routing.md). "table" and "protocol"
 * repeat (tables in precedence order). */
#define KROUTES_KEYWORDS(F, K)                                                 \
	K(KROUTES, TABLE, "table", kr_table, print_kr_tables)                  \
	K(KROUTES, FAMILY, "family", kr_family, print_kr_family)               \
	K(KROUTES, PROTOCOL, "protocol", kr_protocol, print_kr_protocols)      \
	F(KROUTES, BATCH, "batch-ms", UINT, batch_ms, 1, 1000, "batch window") \
	K(KROUTES, PRECEDENCE, "precedence", kr_precedence,                    \
	  print_kr_precedence)                                                 \
	K(KROUTES, FILTER, "filter", kr_filter, print_kr_filter)               \
	K(KROUTES, SESSION_LOSS, "session-loss", kr_session_loss,              \
	  print_kr_session_loss)

/* route PREFIX { via MEMBER [weight N]; ... }: a config route to a
 * next-hop group of members (doc/routing.md, "ECMP"). "via" repeats. */
#define ROUTE_KEYWORDS(F, K) K(ROUTE, VIA, "via", route_via, print_route_vias)

/* Every section: SEC, how diagnostics name its block. */
#define CONF_SECTIONS(X)                                                       \
	X(TOP, "top level")                                                    \
	X(NODE, "node block")                                                  \
	X(PORT, "port block")                                                  \
	X(PVLAN, "vlan block")                                                 \
	X(CLASS, "class block")                                                \
	X(PEER, "peer block")                                                  \
	X(ACL, "acl block")                                                    \
	X(RULE, "rule")                                                        \
	X(METRICS, "metrics block")                                            \
	X(KROUTES, "kernel-routes block")                                      \
	X(ROUTE, "route block")

/* Slots and flags. */
#define CONF_SLOT_(sec, id, ...) sec##_F_##id,
#define CONF_FLAG_(sec, id, ...) sec##_##id = 1u << sec##_F_##id,
enum top_slot { TOP_KEYWORDS(CONF_SLOT_, CONF_SLOT_) TOP_NSLOTS };
enum node_slot { NODE_KEYWORDS(CONF_SLOT_, CONF_SLOT_) NODE_NSLOTS };
enum port_slot { PORT_KEYWORDS(CONF_SLOT_, CONF_SLOT_) PORT_NSLOTS };
enum pvlan_slot { PVLAN_KEYWORDS(CONF_SLOT_, CONF_SLOT_) PVLAN_NSLOTS };
enum class_slot { CLASS_KEYWORDS(CONF_SLOT_, CONF_SLOT_) CLASS_NSLOTS };
enum peer_slot {
	PEER_KEYWORDS(CONF_SLOT_, CONF_SLOT_) PEER_F_NH6,
	PEER_NSLOTS
};
enum acl_slot { ACL_KEYWORDS(CONF_SLOT_, CONF_SLOT_) ACL_NSLOTS };
enum rule_slot { RULE_KEYWORDS(CONF_SLOT_, CONF_SLOT_) RULE_NSLOTS };
enum metrics_slot { METRICS_KEYWORDS(CONF_SLOT_, CONF_SLOT_) METRICS_NSLOTS };
enum kroutes_slot { KROUTES_KEYWORDS(CONF_SLOT_, CONF_SLOT_) KROUTES_NSLOTS };
enum route_slot { ROUTE_KEYWORDS(CONF_SLOT_, CONF_SLOT_) ROUTE_NSLOTS };
enum { NODE_KEYWORDS(CONF_FLAG_, CONF_FLAG_) };
enum { PORT_KEYWORDS(CONF_FLAG_, CONF_FLAG_) };
enum { CLASS_KEYWORDS(CONF_FLAG_, CONF_FLAG_) };
enum {
	PEER_KEYWORDS(CONF_FLAG_, CONF_FLAG_) PEER_NH6 = 1u << PEER_F_NH6,
	/* an allow-source block or file was given */
	PEER_ALLOW = PEER_ALLOW_SOURCE | PEER_ALLOW_FILE,
};
enum { RULE_KEYWORDS(CONF_FLAG_, CONF_FLAG_) };
enum { METRICS_KEYWORDS(CONF_FLAG_, CONF_FLAG_) };
enum { KROUTES_KEYWORDS(CONF_FLAG_, CONF_FLAG_) };

/* Generic value kinds of F rows. */
enum conf_val_kind {
	VK_NONE, /* a K row */
	VK_UINT, /* unsigned integer in [lo, hi] */
	VK_POW2, /* the same, a power of two */
	VK_ONOFF, /* "on" (1) or "off" (0) */
	VK_CC, /* ISO 3166-1 alpha-2 country code */
	VK_RATE, /* bits/s with a unit, in [lo, hi] */
	VK_SIZE, /* bytes with an optional k/m/g, in [lo, hi] */
	VK_MAC, /* a unicast MAC address */
	VK_PREFIX, /* ADDRESS/LEN without host bits */
};

#endif /* IXG_CONF_FIELDS_H */
