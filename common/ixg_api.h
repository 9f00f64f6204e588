/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_api.h - the one header that crosses the boundary between
 * ixgate-control (config compiler, exporters, CLI) and ixgate-dataplane.
 *
 * It holds:
 *  - the capacities both sides agree on,
 *  - the list of drop reasons (declared once, X-macro),
 *  - the compiled configuration ("spec") the control plane commits and the
 *    dataplane turns into its tables,
 *  - the layout of the per-lcore counters the dataplane exports.
 *
 * Nothing in here depends on DPDK, liburing or OpenSSL: plain C11.
 * Addresses are in network byte order as bytes (IPv6) or host-order uint32_t
 * (IPv4, the form the FIBs take); every struct documents which.
 */
#ifndef IXG_API_H
#define IXG_API_H

#include <stdint.h>
#include <stddef.h>

#define IXG_API_VERSION 4

/* ---------------------------------------------------------------------
 * Capacities: tables are sized for the real internet and a large exchange,
 * without rebuilding the program.
 */
#define IXG_MAX_PORTS 32
#define IXG_MAX_PEERS 4096 /* peer ids 1..4095; 0 means "none" */
#define IXG_MAX_PEER_MACS 8
#define IXG_MAX_CLASSES 64 /* class ids 1..63; 0 is the default class */
#define IXG_MAX_ACL_RULES 65536 /* rule ids 1..65535; 0 means "no rule" */
#define IXG_MAX_ROUTES4 (1u << 21) /* 2,097,152 >= 1.2M real routes */
#define IXG_MAX_ROUTES6 (1u << 19) /* 524,288 >= 300k real routes */
#define IXG_MAX_COUNTRIES 256 /* country index 0 is "unknown" */
#define IXG_MAX_LOCAL_ADDRS 256
/* Rules of the exception-path allow-list (ixg_spec_node.punt_rules). */
#define IXG_MAX_PUNT_RULES 16
/* Blackholes are addressed by a 16-bit index in the dataplane's FIB next
 * hops: the most a transaction may carry. */
#define IXG_MAX_BLACKHOLES 65536u
/* The origin of a spec entry the control plane took from a kernel routing
 * table (not a config location). */
#define IXG_ORIGIN_KERNEL 0xfffffffeu
/*
 * Bounds of every policer rate and burst (classes' committed and peak, a
 * peer's rate and burst), for the config validator and the dataplane's
 * own checks alike. 10 Tbit/s is beyond any port; rte_meter's token-bucket
 * arithmetic overflows 64 bits from about 1.8e17 bytes/s.
 */
#define IXG_RATE_MAX 1250000000000ull /* bytes per second: 10 Tbit/s */
#define IXG_BURST_MAX (1ull << 40) /* bytes: 1 TiB */
#define IXG_NAME_LEN 32 /* including the terminating NUL */
#define IXG_DEVARGS_LEN 256

#define IXG_PEER_NONE 0
#define IXG_COUNTRY_UNKNOWN 0
#define IXG_VLAN_NONE 0 /* untagged */

/* ---------------------------------------------------------------------
 * Drop reasons, declared once. X(enum suffix, counter name, description).
 * Every drop in the pipeline lands in exactly one of these.
 */
#define IXG_DROP_REASONS(X)                                                    \
	X(RUNT, "runt", "frame shorter than an Ethernet header")               \
	X(DMAC, "dmac_mismatch",                                               \
	  "destination MAC neither the port's, broadcast nor multicast")       \
	X(L2_MULTICAST, "l2_multicast",                                        \
	  "link-layer broadcast or multicast, not for the node: not routed")   \
	X(VLAN_STACK, "vlan_stack",                                            \
	  "more than two VLAN tags, or a tag header cut short")                \
	X(ETHERTYPE, "ethertype", "ethertype other than IPv4, IPv6 or ARP")    \
	X(UNKNOWN_PEER, "unknown_peer",                                        \
	  "no peer configured for (port, VLAN, source MAC)")                   \
	X(ARP_INVALID, "arp_invalid", "ARP frame malformed or not for us")     \
	X(IPV4_HEADER, "ipv4_header",                                          \
	  "IPv4 header truncated, bad version, IHL or total length")           \
	X(IPV4_CHECKSUM, "ipv4_checksum", "IPv4 header checksum wrong")        \
	X(IPV6_HEADER, "ipv6_header",                                          \
	  "IPv6 header truncated, bad version or payload length")              \
	X(IPV6_EXT_CHAIN, "ipv6_ext_chain",                                    \
	  "IPv6 extension header chain truncated or too long")                 \
	X(L4_TRUNCATED, "l4_truncated", "transport header cut short")          \
	X(MARTIAN, "martian",                                                  \
	  "source or destination address never valid on the wire")             \
	X(SOURCE_INVALID, "source_invalid",                                    \
	  "source address not allowed for the ingress peer")                   \
	X(ACL_DENY, "acl_deny", "denied by an ACL rule")                       \
	X(BLACKHOLE, "blackhole", "destination in a blackholed prefix")        \
	X(NO_ROUTE, "no_route", "no route to the destination")                 \
	X(HAIRPIN, "hairpin", "route points back to the ingress peer")         \
	X(TTL_EXPIRED, "ttl_expired", "TTL or hop limit expired")              \
	X(POLICER_RED, "policer_red", "metered red and the class drops red")   \
	X(POLICER_YELLOW, "policer_yellow",                                    \
	  "metered yellow and the class drops yellow")                         \
	X(MTU_EXCEEDED, "mtu_exceeded", "larger than the egress port MTU")     \
	X(LOCAL_UNHANDLED, "local_unhandled",                                  \
	  "addressed to the node but not ARP, ND or echo")                     \
	X(TX_FULL, "tx_full", "TX queue full")                                 \
	X(PUNT_DENIED, "punt_denied",                                          \
	  "addressed to the node, not answered by the fast path and not in "   \
	  "the exception-path allow-list")                                     \
	X(PUNT_RATE, "punt_rate",                                              \
	  "for the node's Linux side, over the port's exception-path rate")    \
	X(PUNT_QUEUE_FULL, "punt_queue_full",                                  \
	  "for the node's Linux side, the worker's exception-path ring full")  \
	X(NEIGH_SPOOFED, "arp_nd_spoofed",                                     \
	  "ARP reply or Neighbor Advertisement from a member claiming an "     \
	  "address other than its next hop")                                   \
	X(NEIGH_ANSWER_RATE, "arp_nd_rate",                                    \
	  "ARP request or Neighbor Solicitation over the port's answer rate")  \
	X(UNRESOLVED, "unresolved",                                            \
	  "to a member whose next hop's MAC is not resolved (yet) by ARP/ND")  \
	X(LINK_LOCAL, "link_local",                                            \
	  "to an IPv6 link-local address (fe80::/10) that is not the node's "  \
	  "on the ingress link: never routed")                                 \
	X(PEER_DOWN, "peer_down",                                              \
	  "by a kernel route to a member whose BGP session of that family "    \
	  "is down")

enum ixg_drop_reason {
#define IXG_X_ENUM(e, name, descr) IXG_DROP_##e,
	IXG_DROP_REASONS(IXG_X_ENUM)
#undef IXG_X_ENUM
		IXG_DROP_MAX
};

/* Name ("no_route") and description of a drop reason; NULL if out of range. */
const char *ixg_drop_name(unsigned reason);
const char *ixg_drop_descr(unsigned reason);

/* ---------------------------------------------------------------------
 * The compiled configuration ("spec").
 *
 * The config library produces it from the operators' files; the dataplane
 * builds its tables from it. Every object carries a stable numeric id (kept
 * across reloads, so counters keep their meaning) and an `origin`: an opaque
 * index the control plane maps back to file:line:col when the dataplane
 * refuses an object. Arrays are owned by whoever built the spec and freed
 * with ixg_spec_free() (config library).
 */

/* Country code packed as two ASCII upper-case letters: ('C' << 8) | 'N'. */
typedef uint16_t ixg_cc_t;
#define IXG_CC(a, b) ((ixg_cc_t)(((a) << 8) | (b)))

enum ixg_sav_mode {
	IXG_SAV_STRICT = 0, /* source must be in the peer's allowed prefixes */
	IXG_SAV_LOOSE = 1, /* source must be routed (any peer) */
	IXG_SAV_OFF = 2,
	/* RFC 8704 enhanced feasible-path uRPF: the source must be in the
	 * peer's sources, which the control plane makes its allowed prefixes
	 * plus every prefix routed to the peer (config or kernel), kept up
	 * to date with every route commit. The dataplane checks it as
	 * strict. */
	IXG_SAV_FEASIBLE = 3,
};

enum ixg_meter_action {
	IXG_METER_PASS = 0, /* forward unchanged */
	IXG_METER_REMARK = 1, /* rewrite DSCP, then forward */
	IXG_METER_DROP = 2,
};

/* Where a member's egress MAC comes from (doc/neighbours.md). */
enum ixg_neigh_mode {
	IXG_NEIGH_STATIC = 0, /* its first `mac` (a PERMANENT neighbour) */
	IXG_NEIGH_LEARN = 1, /* ARP/ND on the peering LAN; `mac` is the lock */
};

enum ixg_acl_action {
	IXG_ACL_PERMIT = 0,
	IXG_ACL_DENY = 1,
	IXG_ACL_CLASS = 2, /* permit and assign class_id */
	IXG_ACL_REMARK = 3, /* permit and set DSCP to remark_dscp */
};

/*
 * An exception-path allow-list rule (doc/exception-path.md): frames of IP
 * protocol `proto` addressed to the node may reach its Linux side when
 * their source or destination port lies in [port_lo, port_hi] (0..65535:
 * any port; protocols without ports match on proto alone).
 */
struct ixg_spec_punt_rule {
	uint8_t proto;
	uint8_t _pad;
	uint16_t port_lo, port_hi;
};

struct ixg_spec_node {
	char name[IXG_NAME_LEN];
	ixg_cc_t home_country;
	uint8_t icmp_time_exceeded; /* 1: answer expired TTL with ICMP */
	uint8_t _pad;
	uint32_t icmp_rate; /* ICMP errors per second per worker, 0 = none */
	/* 1-in-N packet sampling, 0 = off: the default of the ports (the
	 * compiler resolves it into each ixg_spec_port.sample_rate, which is
	 * what the workers read). */
	uint32_t sample_rate;
	/* The exception path (doc/exception-path.md). punt 0: none, frames
	 * for the node that the fast path does not answer are dropped
	 * local_unhandled, as without it. */
	uint8_t punt; /* 1: a Linux interface per (port, VLAN) with addresses */
	uint8_t n_punt_rules; /* punt_rules[0 .. n_punt_rules) */
	uint16_t _pad2;
	uint32_t
		punt_rate; /* frames/s to Linux per port (a share per worker) */
	uint32_t punt_burst; /* frames */
	/* ARP replies and Neighbor Advertisements the node answers, per
	 * second per port (a share per worker, one second of burst); 0: any */
	uint32_t arp_nd_rate;
	struct ixg_spec_punt_rule punt_rules[IXG_MAX_PUNT_RULES];
};

struct ixg_spec_port {
	uint16_t id; /* 0..IXG_MAX_PORTS-1, stable */
	uint16_t mtu; /* L3 MTU, bytes */
	uint16_t rx_desc;
	uint16_t tx_desc;
	uint8_t mac[6]; /* all zero: use the device's MAC */
	uint16_t _pad;
	uint32_t origin;
	char name[IXG_NAME_LEN];
	char devargs[IXG_DEVARGS_LEN]; /* PCI address or vdev string */
	/* 1-in-N sampling of the frames received on the port (sFlow), 0 =
	 * off: the port's own `sampling`, or the node's. */
	uint32_t sample_rate;
};

struct ixg_spec_local_addr {
	uint16_t port_id;
	uint16_t vlan; /* IXG_VLAN_NONE for untagged */
	uint8_t family; /* 4 or 6 */
	uint8_t len; /* prefix length of the subnet */
	uint16_t _pad;
	uint32_t origin;
	uint8_t addr[16]; /* network byte order; IPv4 in the first 4 bytes */
};

struct ixg_spec_peer {
	uint16_t id; /* 1..IXG_MAX_PEERS-1, stable across reloads */
	uint16_t port_id;
	uint16_t vlan; /* inner (or only) VLAN, IXG_VLAN_NONE if untagged */
	uint16_t outer_vlan; /* QinQ outer tag, IXG_VLAN_NONE if single */
	uint32_t asn;
	uint16_t country; /* index into ixg_spec.countries */
	uint8_t sav_mode; /* enum ixg_sav_mode */
	/* 0..IXG_MAX_PEER_MACS: the MAC lock (source MACs it may send
	 * from); macs[0] is the egress DMAC of a static member. 0 only with
	 * IXG_NEIGH_LEARN. */
	uint8_t n_macs;
	uint8_t macs[IXG_MAX_PEER_MACS][6];
	uint8_t has_nh4, has_nh6;
	uint8_t nh4[4]; /* network byte order */
	uint8_t nh6[16];
	uint8_t neighbour; /* enum ixg_neigh_mode */
	uint8_t _pad1;
	uint32_t max_prefix; /* 0 = no limit (checked by the compiler) */
	uint64_t rate; /* default-class committed rate, bytes/s, 0 = none */
	uint64_t burst; /* bytes */
	uint32_t origin;
	char name[IXG_NAME_LEN];
};

/* A route or source prefix. IPv4 addr is host byte order (the FIBs' form). */
struct ixg_spec_route4 {
	uint32_t addr;
	uint8_t len;
	uint8_t _pad;
	uint16_t peer_id; /* egress peer (routes) or allowed peer (sources) */
	uint32_t origin;
};

struct ixg_spec_route6 {
	uint8_t addr[16]; /* network byte order */
	uint8_t len;
	uint8_t _pad;
	uint16_t peer_id;
	uint32_t origin;
};

/*
 * ECMP: a route's peer_id may name a next-hop group instead of a peer,
 * IXG_NH_GROUP | group id (doc/routing.md, "ECMP"). A group spreads the
 * route's flows over its members by a flow hash, each member's share of
 * the IXG_NHG_SLOTS hash slots in proportion to its weight. Groups come
 * whole in every transaction that changes one (IXG_TBL_NHGROUPS), with
 * the routes that name them. Sources never name a group.
 */
#define IXG_NH_GROUP 0x8000u
#define IXG_MAX_NHGROUPS 4096u /* group ids 0..4095 */
#define IXG_NHG_MAX_MEMBERS 16
#define IXG_NHG_SLOTS 1024 /* hash slots a group is expanded into */

struct ixg_spec_nhgroup {
	uint16_t id; /* < IXG_MAX_NHGROUPS, unique in a spec */
	uint8_t n_members; /* 1..IXG_NHG_MAX_MEMBERS */
	uint8_t _pad;
	uint32_t origin;
	/* members[0 .. n_members): distinct peer ids, in any order (the
	 * dataplane's slots do not depend on it); weight 1..256 each, as the
	 * kernel's (rtnh_hops + 1). */
	uint16_t peer_id[IXG_NHG_MAX_MEMBERS];
	uint16_t weight[IXG_NHG_MAX_MEMBERS];
};

/* Blackhole (RFC 7999 style): traffic to the prefix is dropped and counted. */
struct ixg_spec_blackhole {
	uint8_t family; /* 4 or 6 */
	uint8_t len;
	/* Its counters' slot (ixg_lcore_counters.blackhole[id]), unique in a
	 * spec. The control plane keeps a prefix's id while it stays, gives a
	 * new prefix the lowest free one; the dataplane zeroes an id's
	 * counters when the prefix it names changes (runtime.c). */
	uint16_t id;
	uint32_t origin;
	int64_t expires; /* unix seconds, 0 = never */
	uint8_t addr[16]; /* network byte order; IPv4 in the first 4 bytes */
};

struct ixg_spec_class {
	uint16_t id; /* 1..IXG_MAX_CLASSES-1, stable */
	uint8_t yellow_action; /* enum ixg_meter_action */
	uint8_t red_action;
	uint8_t yellow_dscp; /* used when the action is REMARK */
	uint8_t red_dscp;
	uint16_t _pad;
	/* trTCM (RFC 2698): rates in bytes per second, bursts in bytes. */
	uint64_t cir, cbs, pir, pbs;
	uint32_t origin;
	char name[IXG_NAME_LEN];
};

struct ixg_spec_acl_rule {
	uint32_t id; /* 1..IXG_MAX_ACL_RULES-1, stable */
	uint32_t priority; /* lower number is evaluated first */
	uint8_t family; /* 4 or 6 (a rule for both is compiled twice) */
	uint8_t proto; /* IP protocol, valid if proto_mask */
	uint8_t proto_mask; /* 0xff exact, 0 any */
	uint8_t dscp; /* valid if dscp_any == 0 */
	uint8_t dscp_any;
	uint8_t action; /* enum ixg_acl_action */
	uint8_t remark_dscp;
	uint8_t src_len, dst_len; /* 0 = any */
	uint8_t _pad;
	uint16_t in_peer; /* IXG_PEER_NONE = any ingress peer */
	uint16_t class_id;
	uint16_t sport_lo, sport_hi; /* 0..65535 = any */
	uint16_t dport_lo, dport_hi;
	uint32_t origin;
	uint8_t src[16]; /* network byte order; IPv4 in the first 4 bytes */
	uint8_t dst[16];
	char name[IXG_NAME_LEN]; /* may be empty */
};

/* Country prefixes: the compiler turns data-file ranges into prefixes. */
struct ixg_spec_country4 {
	uint32_t addr; /* host byte order */
	uint8_t len;
	uint8_t _pad;
	uint16_t country; /* index into ixg_spec.countries */
};

struct ixg_spec_country6 {
	uint8_t addr[16];
	uint8_t len;
	uint8_t _pad;
	uint16_t country;
};

/*
 * The tables of a spec, declared once: every layer iterates this list (the
 * enum below, the fields of struct ixg_spec, the wire codec's descriptors
 * in ixg_wire.c, the static size checks, the control daemon's diff, the
 * dataplane's per-table hooks). Adding a table is one line here, plus its
 * element struct above and its hooks where it is used.
 *
 * X(ID, wire, field, type, size, capacity, shape, origin, strings)
 *   ID        IXG_TBL_<ID> in enum ixg_table
 *   wire      its number in TXN_TABLE (fixed: it is on the wire; dense
 *             from 1, in this order)
 *   field     the member of struct ixg_spec (n_<field> and <field> for an
 *             ARRAY), also the table's name for operators ("peers")
 *   type      the element struct
 *   size      sizeof(type), checked: the element layout is wire too
 *   capacity  most elements a transaction may carry
 *   shape     ONE: one inline element (the node); ARRAY: n_<field> +
 *             <field>, malloc'd
 *   origin    ORIGIN: the element has a uint32_t `origin` the control
 *             plane maps back to file:line:col; NO_ORIGIN: it has none
 *   strings   the element's NUL-terminated char arrays, as
 *             S(type, member) S(type, member)... (may be empty)
 *
 * Peer, class and rule id 0 means "none": one fewer than the max. A rule
 * for both families is compiled into two elements; country data files
 * turn into more prefixes than ranges.
 */
#define IXG_SPEC_TABLES(X, S)                                                  \
	X(NODE, 1, node, struct ixg_spec_node, 156, 1, ONE, NO_ORIGIN,         \
	  S(struct ixg_spec_node, name))                                       \
	X(PORTS, 2, ports, struct ixg_spec_port, 312, IXG_MAX_PORTS, ARRAY,    \
	  ORIGIN,                                                              \
	  S(struct ixg_spec_port, name) S(struct ixg_spec_port, devargs))      \
	X(LOCAL_ADDRS, 3, local_addrs, struct ixg_spec_local_addr, 28,         \
	  IXG_MAX_LOCAL_ADDRS, ARRAY, ORIGIN, )                                \
	X(PEERS, 4, peers, struct ixg_spec_peer, 152, IXG_MAX_PEERS - 1,       \
	  ARRAY, ORIGIN, S(struct ixg_spec_peer, name))                        \
	X(CLASSES, 5, classes, struct ixg_spec_class, 80, IXG_MAX_CLASSES - 1, \
	  ARRAY, ORIGIN, S(struct ixg_spec_class, name))                       \
	X(ACL_RULES, 6, acl_rules, struct ixg_spec_acl_rule, 100,              \
	  2 * (IXG_MAX_ACL_RULES - 1), ARRAY, ORIGIN,                          \
	  S(struct ixg_spec_acl_rule, name))                                   \
	/* destination routes */                                               \
	X(ROUTES4, 7, routes4, struct ixg_spec_route4, 12, IXG_MAX_ROUTES4,    \
	  ARRAY, ORIGIN, )                                                     \
	X(ROUTES6, 8, routes6, struct ixg_spec_route6, 24, IXG_MAX_ROUTES6,    \
	  ARRAY, ORIGIN, )                                                     \
	/* source-validation prefixes, per allowed peer */                     \
	X(SOURCES4, 9, sources4, struct ixg_spec_route4, 12, IXG_MAX_ROUTES4,  \
	  ARRAY, ORIGIN, )                                                     \
	X(SOURCES6, 10, sources6, struct ixg_spec_route6, 24, IXG_MAX_ROUTES6, \
	  ARRAY, ORIGIN, )                                                     \
	X(BLACKHOLES, 11, blackholes, struct ixg_spec_blackhole, 32,           \
	  IXG_MAX_BLACKHOLES, ARRAY, ORIGIN, )                                 \
	/* countries[i]: the code of country index i; [0] and holes "--" */    \
	X(COUNTRIES, 12, countries, ixg_cc_t, 2, IXG_MAX_COUNTRIES, ARRAY,     \
	  NO_ORIGIN, )                                                         \
	/* country prefixes: address -> country index */                       \
	X(COUNTRY4, 13, country4, struct ixg_spec_country4, 8,                 \
	  2 * IXG_MAX_ROUTES4, ARRAY, NO_ORIGIN, )                             \
	X(COUNTRY6, 14, country6, struct ixg_spec_country6, 20,                \
	  2 * IXG_MAX_ROUTES6, ARRAY, NO_ORIGIN, )                             \
	/* ECMP next-hop groups: routes name them IXG_NH_GROUP | id */         \
	X(NHGROUPS, 15, nhgroups, struct ixg_spec_nhgroup, 72,                 \
	  IXG_MAX_NHGROUPS, ARRAY, ORIGIN, )

/* IXG_SPEC_TABLES' S() for consumers that do not look at strings. */
#define IXG_SPEC_NO_STR(type, member)

/* The tables of a spec, as carried by TXN_TABLE (IXG_SPEC_TABLES). */
enum ixg_table {
#define IXG_X_TBL_ENUM(id, wire, ...) IXG_TBL_##id = wire,
	IXG_SPEC_TABLES(IXG_X_TBL_ENUM, IXG_SPEC_NO_STR)
#undef IXG_X_TBL_ENUM
		IXG_TBL_MAX,
};

/* The wire numbers are dense from 1 in list order: tables are indexed by
 * them. */
enum {
#define IXG_X_TBL_COUNT(id, ...) +1
	IXG_TBL_COUNT = 0 IXG_SPEC_TABLES(IXG_X_TBL_COUNT, IXG_SPEC_NO_STR)
#undef IXG_X_TBL_COUNT
};
_Static_assert(IXG_TBL_MAX == IXG_TBL_COUNT + 1,
	       "IXG_SPEC_TABLES: wire numbers must be 1..N in order");

/* A member of struct ixg_spec per table: the node inline, arrays as a
 * count and a pointer. */
#define IXG_SPEC_MEMBER_ONE(field, type) type field;
#define IXG_SPEC_MEMBER_ARRAY(field, type)                                     \
	uint32_t n_##field;                                                    \
	type *field;

struct ixg_spec {
#define IXG_X_TBL_MEMBER(id, wire, field, type, size, cap, shape, ...)         \
	IXG_SPEC_MEMBER_##shape(field, type)
	IXG_SPEC_TABLES(IXG_X_TBL_MEMBER, IXG_SPEC_NO_STR)
#undef IXG_X_TBL_MEMBER
};

/* The port of s named name, or NULL. Any thread; s is only read. */
const struct ixg_spec_port *ixg_spec_port_by_name(const struct ixg_spec *s,
						  const char *name);

/* ---------------------------------------------------------------------
 * Counters. One block per worker lcore (plus one for the control thread's
 * own answers), written only by its lcore with plain adds, summed by readers.
 * The dataplane places them in one shared memory region the control plane
 * maps read-only.
 *
 * Counter families, declared once: each X(...) line below is one family,
 * and the node, port and peer lines also declare the field that holds it
 * (the structs are generated from the lists). Every output is generated
 * from these lists by common/counters.c: the stats JSON (--json-out,
 * replay), ixgatectl (text and JSON), DPDK telemetry and the exporters
 * (Prometheus, sFlow). Adding a counter is one line here plus its increment
 * in the stage (README.md, "Adding a feature"); doc/counters.md must name
 * it (a unit test checks).
 *
 * X(kind, field, member, key, name, type, unit, help)
 *   kind    U64      uint64_t field
 *           INFO     uint64_t field, for JSON and ixgatectl only (not a
 *                    metric: a MAC is no measurement)
 *           PB       struct ixg_ctr_pb field; the family reads field.member
 *           IN       the field declared by the line above (no storage)
 *           REASONS  uint64_t field[IXG_DROP_MAX]: one value per drop
 *                    reason (label "reason")
 *           COLOURS  uint64_t [4]: green, yellow, red (label "colour")
 *                    and a spare that is always 0
 *           SUM      no storage: the sum over the reasons of the REASONS
 *                    family of the same field (JSON and ixgatectl only,
 *                    not a metric: exporters sum by reason themselves)
 *   member  .packets / .bytes for PB and IN, empty otherwise
 *   key     the JSON key (stats JSON, ixgatectl --json, telemetry)
 *   name    the metric name, "ixgate_" excluded: base units, _total for
 *           counters (Prometheus conventions); also IXG_CF_<name>
 *   type    COUNTER or GAUGE
 *   unit    "packets", "bytes", "seconds" or ""
 *   help    one line for # HELP, doc/counters.md and telemetry
 */
struct ixg_ctr_pb {
	uint64_t packets;
	uint64_t bytes;
};

/* The node's totals. Invariant at a quiescent moment:
 *     rx_packets == tx_packets + local_packets + punted + sum(drops)
 * where tx_packets counts forwarded packets accepted by a TX queue and
 * punted the frames handed to the exception path's ring (to Linux). ICMP
 * errors the node originates and frames its Linux side sends are not
 * received packets: outside it. */
#define IXG_CTR_NODE(X)                                                        \
	X(U64, rx_packets, , "rx_packets", received_packets_total, COUNTER,    \
	  "packets", "Frames the pipeline received, on every port")            \
	X(U64, tx_packets, , "tx_packets", forwarded_packets_total, COUNTER,   \
	  "packets", "Received frames forwarded (accepted by a TX queue)")     \
	X(U64, local_packets, , "local_packets", local_packets_total, COUNTER, \
	  "packets", "Received frames answered by the node (ARP, ND, echo)")   \
	X(U64, punted, , "punted_packets", punted_packets_total, COUNTER,      \
	  "packets",                                                           \
	  "Received frames handed to the node's Linux side (exception path)")  \
	X(SUM, drops, , "drops_total", dropped_packets_sum, COUNTER,           \
	  "packets", "Received frames dropped, every reason")                  \
	X(REASONS, drops, , "drops", dropped_packets_total, COUNTER,           \
	  "packets", "Received frames dropped, by reason")                     \
	X(U64, peer_pair_overflow, , "peer_pair_overflow",                     \
	  peer_pair_overflow_packets_total, COUNTER, "packets",                \
	  "Forwarded packets whose peer pair found no slot in the per-worker " \
	  "pair table (not counted per pair)")                                 \
	X(U64, icmp_generated, , "icmp_generated",                             \
	  icmp_generated_packets_total, COUNTER, "packets",                    \
	  "ICMP errors the node sent (time exceeded, too big)")                \
	X(U64, generated_dropped, , "generated_dropped",                       \
	  icmp_generated_dropped_packets_total, COUNTER, "packets",            \
	  "ICMP errors the node made that a TX queue refused")                 \
	X(U64, sampled, , "sampled", sampled_packets_total, COUNTER,           \
	  "packets", "Packets sampled 1-in-N into the per-worker sample ring") \
	X(U64, sample_dropped, , "sample_dropped", samples_dropped_total,      \
	  COUNTER, "packets", "Samples lost because the sample ring was full") \
	X(U64, punt_linux_dropped, , "punt_linux_dropped",                     \
	  punt_linux_dropped_packets_total, COUNTER, "packets",                \
	  "Punted frames the Linux interface refused (down, queue full)")      \
	X(U64, punt_injected, , "punt_injected", punt_injected_packets_total,  \
	  COUNTER, "packets",                                                  \
	  "Frames the node's Linux side sent, handed to a port's TX queue")    \
	X(U64, punt_inject_dropped, , "punt_inject_dropped",                   \
	  punt_inject_dropped_packets_total, COUNTER, "packets",               \
	  "Frames the node's Linux side sent, dropped (ring or TX queue "      \
	  "full)")                                                             \
	X(U64, blackhole_peer_overflow, , "blackhole_peer_overflow",           \
	  blackhole_peer_overflow_packets_total, COUNTER, "packets",           \
	  "Blackholed packets whose blackhole and peer found no slot in the "  \
	  "per-worker table (counted per blackhole, not per peer)")

/*
 * Per port. rx, fwd, local, punted and drops are counted against the port
 * the frame arrived on, so for every port at a quiescent moment:
 *     rx.packets == fwd + local + punted + sum(drops)
 * tx is counted against the port the frame left from; generated (ICMP
 * errors the node originated) and injected (frames from the node's Linux
 * side) are outside the invariant.
 */
#define IXG_CTR_PORT(X)                                                        \
	X(PB, rx, .packets, "rx_packets", port_received_packets_total,         \
	  COUNTER, "packets", "Frames received on the port")                   \
	X(IN, rx, .bytes, "rx_bytes", port_received_bytes_total, COUNTER,      \
	  "bytes", "Bytes of the frames received on the port (no FCS)")        \
	X(PB, tx, .packets, "tx_packets", port_transmitted_packets_total,      \
	  COUNTER, "packets", "Forwarded frames sent out of the port")         \
	X(IN, tx, .bytes, "tx_bytes", port_transmitted_bytes_total, COUNTER,   \
	  "bytes", "Bytes of the forwarded frames sent out of the port")       \
	X(U64, fwd, , "fwd_packets", port_forwarded_packets_total, COUNTER,    \
	  "packets", "Frames received on the port and forwarded")              \
	X(U64, local, , "local_packets", port_local_packets_total, COUNTER,    \
	  "packets", "Frames received on the port and answered by the node")   \
	X(U64, punted, , "punted_packets", port_punted_packets_total, COUNTER, \
	  "packets", "Frames received on the port and handed to Linux")        \
	X(U64, generated, , "generated_packets",                               \
	  port_icmp_generated_packets_total, COUNTER, "packets",               \
	  "ICMP errors the node sent out of the port")                         \
	X(U64, injected, , "injected_packets", port_injected_packets_total,    \
	  COUNTER, "packets",                                                  \
	  "Frames from the node's Linux side sent out of "                     \
	  "the port")                                                          \
	X(SUM, drops, , "drops_total", port_dropped_packets_sum, COUNTER,      \
	  "packets", "Frames received on the port and dropped, every reason")  \
	X(REASONS, drops, , "drops", port_dropped_packets_total, COUNTER,      \
	  "packets", "Frames received on the port and dropped, by reason")     \
	X(U64, sample_pool, , "sample_pool", port_sample_pool_packets_total,   \
	  COUNTER, "packets",                                                  \
	  "Frames the port's 1-in-N sampler saw (sFlow sample_pool)")          \
	X(U64, sample_dropped, , "sample_dropped", port_samples_dropped_total, \
	  COUNTER, "packets",                                                  \
	  "Samples of the port lost because the sample ring was full")

/*
 * Per peer (member), by its stable id. A worker counts a forwarded packet
 * with an ingress peer in its peer pair's slot only: a peer's rx and tx
 * are its own fields plus every pair slot it is the ingress (rx) or the
 * egress (tx) of (IXG_PEER_PAIR_IN, IXG_PEER_PAIR_OUT), which every
 * reader adds (common/counters.c, stats_sum) unless the block says it
 * did (peers_folded). A worker's own tx can then wrap below 0 (a refused
 * packet counted in its pair: pipeline_tx_failed): sums are mod 2^64.
 */
#define IXG_CTR_PEER(X)                                                        \
	X(PB, rx, .packets, "rx_packets", peer_received_packets_total,         \
	  COUNTER, "packets", "Frames received from the peer")                 \
	X(IN, rx, .bytes, "rx_bytes", peer_received_bytes_total, COUNTER,      \
	  "bytes", "Bytes of the frames received from the peer")               \
	X(PB, tx, .packets, "tx_packets", peer_transmitted_packets_total,      \
	  COUNTER, "packets", "Frames forwarded to the peer")                  \
	X(IN, tx, .bytes, "tx_bytes", peer_transmitted_bytes_total, COUNTER,   \
	  "bytes", "Bytes of the frames forwarded to the peer")                \
	X(U64, drops, , "drops", peer_dropped_packets_total, COUNTER,          \
	  "packets", "Frames received from the peer and dropped")

/* The tables of struct ixg_lcore_counters below: their storage is written
 * out there, their families declared here. */
#define IXG_CTR_COUNTRY_PAIR(X)                                                \
	X(PB, country_pair, .packets, "packets", country_pair_packets_total,   \
	  COUNTER, "packets",                                                  \
	  "Forwarded packets by country of source and destination address")    \
	X(IN, country_pair, .bytes, "bytes", country_pair_bytes_total,         \
	  COUNTER, "bytes",                                                    \
	  "Forwarded bytes by country of source and destination address")
#define IXG_CTR_PEER_PAIR(X)                                                   \
	X(PB, peer_pair, .pb.packets, "packets", peer_pair_packets_total,      \
	  COUNTER, "packets", "Packets forwarded from one peer to another")    \
	X(IN, peer_pair, .pb.bytes, "bytes", peer_pair_bytes_total, COUNTER,   \
	  "bytes", "Bytes forwarded from one peer to another")
#define IXG_CTR_ACL_RULE(X)                                                    \
	X(U64, acl_hits, , "hits", acl_rule_matched_packets_total, COUNTER,    \
	  "packets", "Packets that matched the ACL rule (denied or not)")
#define IXG_CTR_CLASS(X)                                                       \
	X(COLOURS, class_colour, , "packets", class_packets_total, COUNTER,    \
	  "packets",                                                           \
	  "Packets of the traffic class by meter colour (forwarded, and "      \
	  "those the policer dropped)")

/* Per blackhole, by its id (struct ixg_spec_blackhole): what it dropped
 * (reason blackhole), and the same per ingress peer (a table like the
 * peer pairs, keyed IXG_BH_PEER_KEY(id, peer)). */
#define IXG_CTR_BLACKHOLE(X)                                                   \
	X(PB, blackhole, .packets, "packets", blackhole_dropped_packets_total, \
	  COUNTER, "packets",                                                  \
	  "Packets dropped by the blackhole (to its prefix)")                  \
	X(IN, blackhole, .bytes, "bytes", blackhole_dropped_bytes_total,       \
	  COUNTER, "bytes", "Bytes of the packets dropped by the blackhole")
#define IXG_CTR_BLACKHOLE_PEER(X)                                              \
	X(PB, blackhole_peer, .pb.packets, "packets",                          \
	  blackhole_peer_dropped_packets_total, COUNTER, "packets",            \
	  "Packets dropped by the blackhole, by the peer that sent them")      \
	X(IN, blackhole_peer, .pb.bytes, "bytes",                              \
	  blackhole_peer_dropped_bytes_total, COUNTER, "bytes",                \
	  "Bytes dropped by the blackhole, by the peer that sent them")
/* Per ECMP next-hop group, by its id (struct ixg_spec_nhgroup; config
 * route blocks and kernel multipath routes alike): the packets its routes
 * handed to one of its members (stage_route: after the hash, hairpin and
 * session checks; a later drop, policer, TTL or a full TX queue, is
 * counted by its reason and not taken off), bytes as received. The spread
 * over the members is in their own tx counters and the peer pairs. */
#define IXG_CTR_NHGROUP(X)                                                     \
	X(PB, nhgroup, .packets, "packets", nhgroup_packets_total, COUNTER,    \
	  "packets",                                                           \
	  "Packets the next-hop group (ECMP) routed to one of its members")    \
	X(IN, nhgroup, .bytes, "bytes", nhgroup_bytes_total, COUNTER, "bytes", \
	  "Bytes (as received) of the packets the next-hop group routed")
/*
 * Per neighbour (doc/neighbours.md): a member's next hop of one family,
 * entity peer id * 2 + (1 for IPv6). Written only in the control threads'
 * block, by the neighbour table (the dataplane's neigh.c). INFO: a value
 * for JSON and ixgatectl, not a metric.
 */
#define IXG_CTR_NEIGH(X)                                                       \
	X(U64, state, , "state", neighbour_state, GAUGE, "",                   \
	  "Neighbour state: 1 INCOMPLETE, 2 REACHABLE, 3 STALE, 4 PROBE, "     \
	  "5 FAILED, 6 PERMANENT (0: none)")                                   \
	X(U64, probes, , "probes_sent", neighbour_probes_sent_total, COUNTER,  \
	  "packets",                                                           \
	  "ARP requests and Neighbor Solicitations the node sent to resolve "  \
	  "or refresh the neighbour")                                          \
	X(U64, replies, , "replies", neighbour_replies_total, COUNTER,         \
	  "packets",                                                           \
	  "ARP replies and solicited Neighbor Advertisements that confirmed "  \
	  "the neighbour")                                                     \
	X(U64, mac_changes, , "mac_changes", neighbour_mac_changes_total,      \
	  COUNTER, "", "Times the neighbour's learned MAC changed")            \
	X(U64, confirmed_unix, , "confirmed_unix",                             \
	  neighbour_confirmed_time_seconds, GAUGE, "seconds",                  \
	  "When a reply last confirmed the neighbour (unix time; 0: never)")   \
	X(INFO, mac, , "mac", neighbour_lladdr, GAUGE, "",                     \
	  "The neighbour's MAC as a 48-bit number, first byte highest (0: "    \
	  "none)")

/* The storage an X(...) line declares (see above). */
#define IXG_CTR_FIELD(kind, field, ...) IXG_CTR_FIELD_##kind(field)
#define IXG_CTR_FIELD_U64(f) uint64_t f;
#define IXG_CTR_FIELD_INFO(f) uint64_t f;
#define IXG_CTR_FIELD_PB(f) struct ixg_ctr_pb f;
#define IXG_CTR_FIELD_IN(f)
#define IXG_CTR_FIELD_REASONS(f) uint64_t f[IXG_DROP_MAX];
#define IXG_CTR_FIELD_SUM(f)

struct ixg_ctr_port {
	IXG_CTR_PORT(IXG_CTR_FIELD)
};

/* A line each: a forwarded packet's ingress rx and egress tx are one line
 * apiece (40 bytes at a 40-byte stride straddled two lines one time in
 * four), and an index is a shift (bench/README.md, "the counters' layout"). */
struct ixg_ctr_peer {
	IXG_CTR_PEER(IXG_CTR_FIELD)
} __attribute__((aligned(64)));

struct ixg_ctr_neigh {
	IXG_CTR_NEIGH(IXG_CTR_FIELD)
};

#define IXG_PEER_PAIR_SLOTS 65536 /* open addressing, power of two */
/*
 * A key's peers (12 bits each), and two flags the control plane sets
 * (counters_zero_new_ids) when a peer id is given to a new member while
 * the other peer of the slot stays: the slot then no longer counts for
 * the flagged side (nor as a pair), and its counts stay in the other
 * peer's rx (NO_OUT) or tx (NO_IN), so that counter never goes back. A
 * flagged key matches no packet's: the worker's walk passes over it.
 */
#define IXG_PEER_PAIR_NO_IN 0x80000000u
#define IXG_PEER_PAIR_NO_OUT 0x00008000u
#define IXG_PEER_PAIR_IN(key) ((key) >> 16 & 0xfffu)
#define IXG_PEER_PAIR_OUT(key) ((key)&0xfffu)
/* A slot of key holding pk packets and by bytes, as its peers' counts:
 * v = the ingress peer's rx packets, rx bytes, the egress peer's tx
 * packets, tx bytes (a flagged side's 0). Every reader that folds the
 * slots into their peers (stats_sum, common/counters.c) uses this. */
static inline void
ixg_peer_pair_fold(uint32_t key, uint64_t pk, uint64_t by, uint64_t v[4])
{
	const int in = !(key & IXG_PEER_PAIR_NO_IN);
	const int out = !(key & IXG_PEER_PAIR_NO_OUT);

	v[0] = in ? pk : 0;
	v[1] = in ? by : 0;
	v[2] = out ? pk : 0;
	v[3] = out ? by : 0;
}
/* 32 bytes: a slot never straddles two lines and its index is a shift. */
struct ixg_ctr_peer_pair {
	uint32_t key; /* (in_peer << 16) | out_peer, flags; 0 = empty */
	uint32_t _pad;
	struct ixg_ctr_pb pb;
	uint64_t _pad2;
};

/* Blackhole x ingress peer counters: open addressing like the peer pairs.
 * Peer ids take 12 bits, blackhole ids + 1 the 17 above them (never 0). */
#define IXG_BH_PEER_SLOTS 16384 /* a power of two */
#define IXG_BH_PEER_KEY(id, peer) ((((uint32_t)(id) + 1) << 12) | (peer))
#define IXG_BH_PEER_ID(key) (((key) >> 12) - 1)
#define IXG_BH_PEER_PEER(key) ((key)&0xfffu)
struct ixg_ctr_bh_peer { /* the layout of struct ixg_ctr_peer_pair */
	uint32_t key; /* IXG_BH_PEER_KEY(blackhole id, in peer); 0 = empty */
	uint32_t _pad;
	struct ixg_ctr_pb pb;
	uint64_t _pad2;
};

/*
 * After the counter blocks, in the same region: what the port counters
 * count, for readers to label them. The dataplane writes it once its ports
 * are open (magic last, release store); it does not change afterwards.
 */
#define IXG_CTR_PORTS_MAGIC 0x50475849u /* "IXGP" little-endian */
#define IXG_DEVICE_NAME_LEN 64 /* RTE_ETH_NAME_MAX_LEN */
struct ixg_ctr_port_info {
	/* The DPDK device name (rte_eth_dev_get_name_by_port): what
	 * dpdk-dumpcap -i takes. "" when the port is not open. */
	char device[IXG_DEVICE_NAME_LEN];
	uint16_t dpdk_port;
	uint16_t _pad;
	/* Link speed when the port was opened, Mbit/s (0: unknown): what
	 * sFlow's ifSpeed reports. */
	uint32_t speed_mbps;
};

struct ixg_ctr_ports {
	uint32_t magic; /* IXG_CTR_PORTS_MAGIC once written */
	uint32_t n_ports; /* IXG_MAX_PORTS */
	struct ixg_ctr_port_info port[IXG_MAX_PORTS]; /* by port id */
};

struct ixg_lcore_counters {
	IXG_CTR_NODE(IXG_CTR_FIELD)
	struct ixg_ctr_port port[IXG_MAX_PORTS];
	struct ixg_ctr_peer peer[IXG_MAX_PEERS];
	uint64_t acl_hits[IXG_MAX_ACL_RULES];
	/* Green, yellow, red and a spare: [class][colour] is class * 4 +
	 * colour, one address computation. */
	uint64_t class_colour[IXG_MAX_CLASSES][4];
	struct ixg_ctr_pb country_pair[IXG_MAX_COUNTRIES][IXG_MAX_COUNTRIES];
	struct ixg_ctr_neigh neigh[2 * IXG_MAX_PEERS]; /* peer * 2 + IPv6 */
	struct ixg_ctr_pb nhgroup[IXG_MAX_NHGROUPS]; /* by group id */
	/* Last: stats_sum adds everything before it word by word. */
	struct ixg_ctr_peer_pair peer_pair[IXG_PEER_PAIR_SLOTS];
	struct ixg_ctr_pb blackhole[IXG_MAX_BLACKHOLES]; /* by blackhole id */
	struct ixg_ctr_bh_peer blackhole_peer[IXG_BH_PEER_SLOTS];
	/* 0 in a worker's block: its peers' rx and tx lack their pair
	 * slots' counts (see IXG_CTR_PEER). 1 in a sum (stats_sum), whose
	 * peers hold them: readers then add no slot. */
	uint64_t peers_folded;
} __attribute__((aligned(64)));

/* ---------------------------------------------------------------------
 * The sample channel: 1-in-N packet samples from the workers to the sFlow
 * agent of ixgate-control, without a lock, a syscall or a wait on the
 * workers' side.
 *
 * Each worker produces into its own ring of fixed records; one consumer
 * reads them. The rings live in the counters region, after struct
 * ixg_ctr_ports: struct ixg_samples_info, then `n_rings` struct
 * ixg_sample_ring at `rings_offset`, `ring_stride` bytes apart. Clients
 * map that region read-only (HELLO), so nothing a client does can change a
 * ring's records or its producer index (`head`).
 *
 * The consumer's read indices are elsewhere: in the cursors memfd (one
 * struct ixg_sample_cursor per ring), which GET_SAMPLES hands out
 * read-write and which is sealed against shrinking and growing (a worker
 * reading it can never fault). A worker reads its cursor's `tail` and
 * trusts nothing about it: it writes only rec[head % size], with its own
 * head, and when head - tail is not in [0, size] (a reader that wrote
 * garbage) it treats the ring as full. A bad reader can lose its own
 * samples (counted in samples_dropped), never make a worker write outside
 * its ring or wait.
 *
 * While no client holds the channel (info.consumer == 0), the dataplane's
 * main thread frees the rings itself every tick; GET_SAMPLES makes the
 * client the consumer (info.consumer = a new epoch, also in the reply)
 * until its API connection closes. A consumer checks that info.consumer
 * still holds its epoch before each read, and resumes from the cursor's
 * tail where the previous consumer (or the main thread) left it, so a
 * restarted ixgate-control picks up where the rings are.
 *
 * Each record carries `seq`: its ring index + 1 once whole; while a worker
 * writes it, the index itself (never a valid value for that slot). A
 * reader copies a record, then checks seq again (a seqlock): a record it
 * raced with is skipped, never used torn.
 */
#define IXG_SAMPLE_HDR_MAX 128 /* bytes of each sampled frame kept */
#define IXG_SAMPLE_RING_SIZE 4096 /* records per ring, a power of two */
#define IXG_SAMPLES_MAGIC 0x53475849u /* "IXGS" little-endian */
#define IXG_SAMPLES_VERSION 1

/* What became of the sampled packet. */
enum ixg_sample_verdict {
	IXG_SAMPLE_FORWARD = 1,
	IXG_SAMPLE_LOCAL = 2,
	IXG_SAMPLE_DROP = 3,
};

/*
 * One sample. hdr[] is the frame as the port received it (VLAN tags
 * included), whatever became of it; the rest is the pipeline's decision.
 * pool and drops are this worker's counts for in_port when the sample was
 * taken (the port's sample_pool and sample_dropped counters): a reader
 * sums the latest of each worker for sFlow's sample_pool and drops.
 */
struct ixg_sample_record {
	uint32_t seq; /* ring index + 1 once written (see above) */
	uint32_t frame_len; /* bytes of the frame as received, no FCS */
	int64_t unix_s; /* wall clock at the burst */
	uint64_t tsc; /* the worker's TSC at the burst */
	uint64_t pool; /* this worker's frames seen by in_port's sampler */
	uint32_t rate; /* the 1-in-N rate the sample was drawn at */
	uint32_t drops; /* this worker's samples of in_port lost so far */
	uint32_t acl_rule; /* matching ACL rule id, 0 if none */
	uint16_t in_port, out_port; /* out_port valid if FORWARD */
	uint16_t in_peer, out_peer; /* 0 if none; out_peer if FORWARD */
	uint16_t src_country, dst_country; /* country indices */
	uint16_t class_id;
	uint8_t verdict; /* enum ixg_sample_verdict */
	uint8_t drop_reason; /* enum ixg_drop_reason if DROP */
	uint8_t hdr_len; /* bytes valid in hdr, <= IXG_SAMPLE_HDR_MAX */
	uint8_t _pad[3];
	uint8_t hdr[IXG_SAMPLE_HDR_MAX];
};

/* A worker's ring: one line written once, the producer's line, records. */
struct ixg_sample_ring {
	uint32_t magic; /* IXG_SAMPLES_MAGIC */
	uint32_t version; /* IXG_SAMPLES_VERSION */
	uint32_t size; /* IXG_SAMPLE_RING_SIZE */
	uint32_t record_size; /* sizeof(struct ixg_sample_record) */
	uint8_t _pad0[48];
	/* Producer: the index of the next record (free-running, stored with
	 * release after the record), and its last view of the tail. */
	uint32_t head;
	uint32_t tail_cache;
	uint8_t _pad1[56];
	struct ixg_sample_record rec[IXG_SAMPLE_RING_SIZE];
};

/* After struct ixg_ctr_ports in the counters region. The dataplane
 * writes it before its workers start (magic last, release store). */
struct ixg_samples_info {
	uint32_t magic; /* IXG_SAMPLES_MAGIC once written */
	uint32_t version; /* IXG_SAMPLES_VERSION */
	uint32_t n_rings; /* one per worker */
	uint32_t ring_size; /* IXG_SAMPLE_RING_SIZE */
	uint32_t record_size; /* sizeof(struct ixg_sample_record) */
	uint32_t _pad;
	uint64_t rings_offset; /* of ring 0 from the region's start */
	uint64_t ring_stride; /* sizeof(struct ixg_sample_ring) */
	/* The epoch of the client consuming the rings, 0: none (the
	 * dataplane frees them). Written by the dataplane's main thread. */
	uint64_t consumer;
};

/* The cursors memfd: one per ring, each on its own cache line. */
struct ixg_sample_cursor {
	uint32_t tail; /* the consumer's next record (free-running) */
	uint32_t _pad[15];
};

/* ---------------------------------------------------------------------
 * The API between ixgate-control and ixgate-dataplane.
 *
 * Transport: AF_UNIX SOCK_SEQPACKET (one message per send/recv, boundaries
 * kept), socket file mode 0600, peer credentials (SO_PEERCRED) checked by
 * the dataplane: only root or the dataplane's own uid may connect, and
 * with ixgate-dataplane --api-group the members of that group (socket
 * 0660 of that group). Every refused connection is logged. One client
 * (the control plane) at a time; a second one gets IXG_ST_BUSY, unless
 * the first has sent nothing for the idle timeout (--api-idle-timeout,
 * 60 s): then it is let go and the newcomer served. A client idle that
 * long before its HELLO or inside a transaction is disconnected.
 *
 * Every message starts with struct ixg_msg_hdr; requests carry a seq that
 * the reply echoes. Payloads are fixed-width structs below (static size
 * checks at the end of this section). Large payloads (a table of 1.2M
 * routes) travel in a memfd passed with SCM_RIGHTS beside the message:
 * the message says where in the memfd the array is and its element size.
 * A TXN_TABLE memfd must be sealed with F_SEAL_SHRINK, F_SEAL_GROW and
 * F_SEAL_WRITE (anything else is IXG_ST_BAD_MESSAGE). The counters memfd
 * of HELLO_REPLY is a read-only descriptor of a memfd sealed against
 * every writer but the dataplane's workers (F_SEAL_FUTURE_WRITE).
 * Messages are at most IXG_MSG_MAX bytes.
 *
 * Conversation:
 *   control -> HELLO                 dataplane -> HELLO_REPLY (+ counters fd)
 *   control -> TXN_BEGIN             dataplane -> REPLY
 *   control -> TXN_TABLE (+ memfd)   dataplane -> REPLY      (0..n times)
 *   control -> TXN_DELTA (+ memfd)   dataplane -> REPLY      (0..n times)
 *   control -> TXN_COMMIT            dataplane -> COMMIT_REPLY
 *   (or TXN_ABORT; a dropped connection aborts the open transaction, even
 *   with its TXN_COMMIT already sent: tables built for a client that has
 *   gone are not published)
 *   control -> GET_STATE             dataplane -> STATE
 *   control -> GET_IDS               dataplane -> IDS (+ memfd)
 *   control -> GET_SAMPLES           dataplane -> SAMPLES (+ cursors memfd)
 *   control -> PEER_DOWN             dataplane -> REPLY      (any time)
 *   control -> GET_LLADDRS           dataplane -> LLADDRS    (any time)
 *
 * GET_IDS returns the stable ids of the running configuration's named
 * objects (ports, peers, classes, ACL rules, country indices, next-hop
 * groups with their members) as the control plane that committed it chose
 * them. A restarted control plane
 * compiles its config keeping these ids, so it names every counter the
 * dataplane keeps exactly as before (ids alone are not derivable from the
 * config: they depend on the commit history).
 *
 * A transaction replaces whole tables: the tables it does not send stay as
 * they are in the running configuration. The dataplane validates the new
 * configuration whole, builds new tables beside the running ones, publishes
 * them with one atomic store and frees the old ones after an RCU grace
 * period; if anything fails nothing changes, and COMMIT_REPLY names the
 * failing object (table, index, origin) so the control plane can print its
 * file:line:col.
 */
#define IXG_API_MAGIC 0x41475849u /* "IXGA" little-endian */
#define IXG_MSG_MAX 4096
#define IXG_API_SOCKET "/run/ixgate/dataplane.sock"

enum ixg_msg_type {
	IXG_MSG_HELLO = 1,
	IXG_MSG_HELLO_REPLY = 2,
	IXG_MSG_REPLY = 3, /* generic: status + message */
	IXG_MSG_TXN_BEGIN = 4,
	IXG_MSG_TXN_TABLE = 5,
	IXG_MSG_TXN_COMMIT = 6,
	IXG_MSG_COMMIT_REPLY = 7,
	IXG_MSG_TXN_ABORT = 8,
	IXG_MSG_GET_STATE = 9,
	IXG_MSG_STATE = 10,
	IXG_MSG_GET_IDS = 11,
	IXG_MSG_IDS = 12, /* + memfd of struct ixg_id_entry */
	IXG_MSG_GET_SAMPLES = 13,
	IXG_MSG_SAMPLES = 14, /* + the sample cursors memfd */
	IXG_MSG_TXN_DELTA = 15, /* + memfd of route or source edits (below) */
	IXG_MSG_PEER_DOWN = 16, /* members' session state (PEER_DOWN below) */
	IXG_MSG_GET_LLADDRS = 17, /* link-local gateways (GET_LLADDRS below) */
	IXG_MSG_LLADDRS = 18,
	IXG_MSG_TYPE_MAX,
};

/* Status codes in replies. 0 is success; the rest name what went wrong. */
enum ixg_status {
	IXG_ST_OK = 0,
	IXG_ST_BAD_MESSAGE = 1, /* malformed: size, magic, lengths inside */
	IXG_ST_BAD_VERSION = 2,
	IXG_ST_UNKNOWN_TYPE = 3,
	IXG_ST_NO_TXN = 4, /* TXN_TABLE/COMMIT/ABORT without TXN_BEGIN */
	IXG_ST_TXN_OPEN = 5, /* TXN_BEGIN while one is open */
	IXG_ST_STALE = 6, /* base generation is not the running one */
	IXG_ST_INVALID = 7, /* an object is invalid: see the error fields */
	IXG_ST_CAPACITY = 8, /* a table exceeds a capacity */
	IXG_ST_NO_MEMORY = 9,
	IXG_ST_BUSY = 10, /* another client holds the API */
	IXG_ST_INTERNAL = 11,
};

struct ixg_msg_hdr {
	uint32_t magic; /* IXG_API_MAGIC */
	uint16_t version; /* IXG_API_VERSION */
	uint16_t type; /* enum ixg_msg_type */
	uint32_t len; /* whole message in bytes, header included */
	uint32_t seq; /* chosen by the requester, echoed in the reply */
};

struct ixg_msg_hello {
	struct ixg_msg_hdr hdr;
	uint32_t pid;
	uint32_t _pad;
	char name[IXG_NAME_LEN]; /* "ixgate-control" */
};

/* Capacities the dataplane was built with (ixg_api.h's, as it sees them). */
struct ixg_capacities {
	uint32_t ports, peers, peer_macs, classes, acl_rules;
	uint32_t routes4, routes6, countries, local_addrs;
	uint32_t _pad;
};

/* Sent with the counters memfd (SCM_RIGHTS), read-only: map it
 * PROT_READ, MAP_SHARED. */
struct ixg_msg_hello_reply {
	struct ixg_msg_hdr hdr;
	int32_t status; /* enum ixg_status */
	uint32_t n_workers;
	uint64_t generation; /* running generation, 0 if no config yet */
	uint8_t config_sha256[32]; /* as given by the last commit */
	uint8_t was_headless; /* 1: no control plane was connected */
	uint8_t _pad[3];
	/* --api-idle-timeout: a client quiet this long loses the API to
	 * another that asks (0: never). Keep talking more often. */
	uint32_t idle_timeout_s;
	uint64_t counters_size; /* bytes in the memfd */
	uint32_t counters_blocks; /* struct ixg_lcore_counters in it */
	uint32_t counters_block_size; /* sizeof(struct ixg_lcore_counters) */
	uint64_t start_unix; /* when the dataplane started */
	struct ixg_capacities cap;
};

struct ixg_msg_reply {
	struct ixg_msg_hdr hdr;
	int32_t status;
	uint32_t _pad;
	char message[256];
};

struct ixg_msg_txn_begin {
	struct ixg_msg_hdr hdr;
	uint64_t base_generation; /* must equal the running one (or 0 = any) */
	uint8_t config_sha256[32]; /* of the config being committed */
};

/* The array is in the memfd passed with this message, at `offset`. A
 * table with count 0 needs no memfd. */
struct ixg_msg_txn_table {
	struct ixg_msg_hdr hdr;
	uint16_t table; /* enum ixg_table */
	uint16_t _pad;
	uint32_t elem_size; /* must be the size of the table's struct */
	uint64_t count;
	uint64_t offset;
};

/*
 * TXN_DELTA: a route table (ROUTES4 or ROUTES6) changed by edits against
 * the running generation instead of sent whole (doc/routing.md, "Route
 * deltas"). The table of the base generation must be sorted by prefix
 * (address, then length; IPv4 addresses as host-order numbers, IPv6 as
 * bytes) with one entry per prefix, as ixg_routes_sort leaves it; the
 * result is too. The memfd (sealed as for TXN_TABLE) holds `count` edits
 * of `elem_size` bytes at `offset`, sorted by prefix, one per prefix:
 * struct ixg_delta_route4 or ixg_delta_route6. An edit SETs a prefix (adds
 * it or replaces its entry) or DELetes it (the prefix must be in the
 * table). Refused with IXG_ST_STALE when base_generation is not the
 * running generation, base_count not the table's element count in the
 * transaction so far, or that table not sorted: the sender then sends the
 * table whole. Other errors name the edit (err_index) and its field.
 */
enum ixg_delta_op {
	IXG_DELTA_DEL = 1,
	IXG_DELTA_SET = 2,
};

struct ixg_delta_route4 {
	uint8_t op; /* enum ixg_delta_op */
	uint8_t _pad[3]; /* zero */
	struct ixg_spec_route4 r; /* DEL: only addr and len are read */
};

struct ixg_delta_route6 {
	uint8_t op;
	uint8_t _pad[3];
	struct ixg_spec_route6 r;
};

/*
 * Source deltas: SOURCES4 or SOURCES6 changed by edits the same way, but
 * a source table holds a prefix once per allowed peer, so its key is
 * (prefix, peer_id): the base and the result are sorted by prefix, then
 * peer_id, one entry per (prefix, peer_id), and so are the edits. A SET
 * adds a (prefix, peer) or replaces its entry (a new origin); a DEL
 * removes it (it must be in the table). The dataplane patches its
 * source-validation sets from the result (doc/routing.md, "Source
 * deltas"). Same layout as the route edits.
 */
struct ixg_delta_source4 {
	uint8_t op; /* enum ixg_delta_op */
	uint8_t _pad[3]; /* zero */
	struct ixg_spec_route4 s; /* DEL: addr, len and peer_id are read */
};

struct ixg_delta_source6 {
	uint8_t op;
	uint8_t _pad[3];
	struct ixg_spec_route6 s;
};

struct ixg_msg_txn_delta {
	struct ixg_msg_hdr hdr;
	uint16_t table; /* IXG_TBL_ROUTES4 / 6 or IXG_TBL_SOURCES4 / 6 */
	uint16_t _pad;
	uint32_t elem_size; /* sizeof(struct ixg_delta_route4 / 6, or
			     * ixg_delta_source4 / 6) */
	uint64_t base_generation; /* the running generation */
	uint64_t base_count; /* the table's elements in it */
	uint64_t count; /* edits */
	uint64_t offset; /* of the first edit in the memfd */
};

struct ixg_msg_txn_commit {
	struct ixg_msg_hdr hdr;
};

struct ixg_msg_commit_reply {
	struct ixg_msg_hdr hdr;
	int32_t status; /* enum ixg_status */
	uint32_t _pad;
	uint64_t generation; /* new generation on success, running otherwise */
	/* On failure: the object that failed, if any (table 0 = none). */
	uint16_t err_table; /* enum ixg_table */
	uint16_t _pad2;
	uint32_t err_index; /* index in that table */
	uint32_t
		err_origin; /* the object's origin (file:line:col for control) */
	uint32_t _pad3;
	/* Timings of this commit, nanoseconds. */
	uint64_t build_ns; /* tables built beside the running ones */
	uint64_t publish_ns; /* pointer store + RCU grace period */
	char message[256];
};

struct ixg_msg_txn_abort {
	struct ixg_msg_hdr hdr;
};

struct ixg_msg_get_state {
	struct ixg_msg_hdr hdr;
};

struct ixg_msg_state {
	struct ixg_msg_hdr hdr;
	uint64_t generation;
	uint8_t config_sha256[32];
	uint64_t start_unix;
	uint64_t last_commit_unix;
	uint32_t n_workers;
	uint8_t headless; /* no control plane connected right now */
	uint8_t _pad[3];
};

struct ixg_msg_get_ids {
	struct ixg_msg_hdr hdr;
};

/*
 * One named object of the running spec, in the memfd of an IDS reply. A
 * next-hop group (IXG_TBL_NHGROUPS) is one entry per member, its members'
 * entries in a row: id the group's, family its member count, priority
 * peer id << 16 | weight, origin the group's, name empty (a restarted
 * control plane gives the same member sets the same group ids, so routes
 * and the group counters keep them; a control plane older than these
 * entries refuses the reply and keeps its own ids).
 */
struct ixg_id_entry {
	uint16_t table; /* IXG_TBL_PORTS, _PEERS, _CLASSES, _ACL_RULES,
			 * _COUNTRIES or _NHGROUPS */
	uint8_t family; /* ACL rules: 4 or 6; groups: member count; else 0 */
	uint8_t _pad;
	uint32_t id; /* the object's id; countries: the country index */
	uint32_t priority; /* ACL rules; groups: peer << 16 | weight; else 0 */
	uint32_t origin; /* as committed */
	char name[IXG_NAME_LEN]; /* NUL-terminated; may be empty for an ACL
				  * rule; countries: "CN" ("--": a hole) */
};

/* The ids: `count` entries of `elem_size` bytes at `offset` in the memfd
 * passed with the message (none when count is 0 or status is not OK). */
struct ixg_msg_ids {
	struct ixg_msg_hdr hdr;
	int32_t status; /* enum ixg_status */
	uint32_t elem_size; /* sizeof(struct ixg_id_entry) */
	uint64_t generation; /* of the spec the ids belong to */
	uint8_t config_sha256[32];
	uint64_t count;
	uint64_t offset;
};

/* Make this client the consumer of the sample rings (see "The sample
 * channel" above) until its connection closes. */
struct ixg_msg_get_samples {
	struct ixg_msg_hdr hdr;
};

/* With the cursors memfd (read-write, `cursors_size` bytes, sealed
 * against shrinking and growing) when status is OK. */
struct ixg_msg_samples {
	struct ixg_msg_hdr hdr;
	int32_t status; /* enum ixg_status */
	uint32_t n_rings; /* as in struct ixg_samples_info */
	uint64_t consumer; /* this client's epoch: info.consumer while it
			    * holds the channel */
	uint64_t cursors_size; /* bytes in the memfd */
};

/*
 * PEER_DOWN: the members whose routes from the kernel (origin
 * IXG_ORIGIN_KERNEL) are not forwarded, per family, because their BGP
 * session of that family went down (doc/routing.md, "Session loss"): bit
 * p % 64 of down[0][p / 64] for member p's IPv4 kernel routes, down[1]
 * for its IPv6 ones. The whole state, not a change: the dataplane applies
 * what differs from the state it holds, at once (no transaction, no
 * rebuild): packets of those routes are dropped `peer_down`, and ECMP
 * groups spread their flows over their other members. Config routes and
 * every other member are untouched. Bit 0 (no peer) must be clear; bits
 * of ids the running config lacks are kept and apply if the id is
 * configured later. Allowed inside an open transaction (it does not touch
 * it); refused IXG_ST_STALE before the first configuration. Reply: REPLY,
 * its message saying what changed.
 */
struct ixg_msg_peer_down {
	struct ixg_msg_hdr hdr;
	uint64_t down[2][IXG_MAX_PEERS / 64];
};

/*
 * GET_LLADDRS: the members' IPv6 link-local addresses the dataplane
 * learned from Neighbor Discovery (doc/neighbours.md, "Link-local
 * addresses"), for the kernel routes whose gateway is one
 * (doc/routing.md, "Gateways by link-local address"). The request names
 * the link-local gateways the control plane needs (want[0..n_want), at
 * most IXG_LLADDR_WANT_MAX, non-link-local ones ignored): the dataplane
 * solicits those it has not learned and keeps those it has fresh; the
 * list replaces the previous request's. The reply (LLADDRS) gives the
 * learned pairs from index `start`, at most IXG_LLADDRS_PER_MSG, of
 * `total`, in an order stable while `generation` stays the same (a
 * reader paging through them starts again when it changes), and the
 * members whose neighbour failed its refresh (neigh.h neigh_down_get:
 * bit p % 64 of unreachable[f][p / 64], f 0 IPv4, 1 IPv6).
 */
#define IXG_LLADDR_WANT_MAX 128
#define IXG_LLADDRS_PER_MSG 80

struct ixg_msg_get_lladdrs {
	struct ixg_msg_hdr hdr;
	uint32_t start; /* first pair wanted in the reply */
	uint16_t n_want;
	uint16_t _pad;
	uint8_t want[IXG_LLADDR_WANT_MAX][16];
};

struct ixg_lladdr {
	uint16_t peer; /* the member's id */
	uint16_t port; /* its (port, VLANs) */
	uint16_t vlan;
	uint16_t outer_vlan;
	uint8_t addr[16]; /* fe80::/10 */
	uint8_t mac[6]; /* the MAC it was heard from */
	uint8_t wanted; /* named by the last GET_LLADDRS */
	uint8_t probing; /* unicast probes unanswered so far */
	uint32_t heard_ms_ago; /* since last heard */
};

struct ixg_msg_lladdrs {
	struct ixg_msg_hdr hdr;
	int32_t status; /* enum ixg_status */
	uint32_t total; /* pairs learned */
	uint64_t generation; /* of the learned table; 0: nothing yet */
	uint32_t start; /* index of e[0] */
	uint32_t count; /* entries in e[] */
	uint64_t refused; /* pairs not learned: table full */
	uint64_t unreachable[2][IXG_MAX_PEERS / 64];
	struct ixg_lladdr e[IXG_LLADDRS_PER_MSG];
};

#define IXG_STATIC_SIZE(t, n)                                                  \
	_Static_assert(sizeof(t) == (n), #t " changed size: bump "             \
					    "IXG_API_VERSION")
IXG_STATIC_SIZE(struct ixg_msg_hdr, 16);
IXG_STATIC_SIZE(struct ixg_msg_hello, 56);
IXG_STATIC_SIZE(struct ixg_capacities, 40);
IXG_STATIC_SIZE(struct ixg_msg_reply, 280);
IXG_STATIC_SIZE(struct ixg_msg_txn_begin, 56);
IXG_STATIC_SIZE(struct ixg_msg_txn_table, 40);
IXG_STATIC_SIZE(struct ixg_msg_txn_delta, 56);
IXG_STATIC_SIZE(struct ixg_delta_route4, 16);
IXG_STATIC_SIZE(struct ixg_delta_route6, 28);
IXG_STATIC_SIZE(struct ixg_delta_source4, 16);
IXG_STATIC_SIZE(struct ixg_delta_source6, 28);
IXG_STATIC_SIZE(struct ixg_msg_commit_reply, 320);
IXG_STATIC_SIZE(struct ixg_msg_state, 80);
IXG_STATIC_SIZE(struct ixg_msg_hello_reply, 136);
IXG_STATIC_SIZE(struct ixg_msg_get_ids, 16);
IXG_STATIC_SIZE(struct ixg_id_entry, 48);
IXG_STATIC_SIZE(struct ixg_msg_ids, 80);
IXG_STATIC_SIZE(struct ixg_ctr_ports, 8 + 72 * IXG_MAX_PORTS);
IXG_STATIC_SIZE(struct ixg_ctr_peer, 64);
IXG_STATIC_SIZE(struct ixg_ctr_peer_pair, 32);
IXG_STATIC_SIZE(struct ixg_ctr_bh_peer, 32);
IXG_STATIC_SIZE(struct ixg_msg_get_samples, 16);
IXG_STATIC_SIZE(struct ixg_msg_samples, 40);
IXG_STATIC_SIZE(struct ixg_msg_peer_down, 16 + 2 * IXG_MAX_PEERS / 8);
IXG_STATIC_SIZE(struct ixg_msg_get_lladdrs, 24 + 16 * IXG_LLADDR_WANT_MAX);
IXG_STATIC_SIZE(struct ixg_lladdr, 36);
IXG_STATIC_SIZE(struct ixg_msg_lladdrs,
		48 + 2 * IXG_MAX_PEERS / 8 + 36 * IXG_LLADDRS_PER_MSG);
_Static_assert(sizeof(struct ixg_msg_lladdrs) <= IXG_MSG_MAX &&
		       sizeof(struct ixg_msg_get_lladdrs) <= IXG_MSG_MAX,
	       "lladdr messages must fit IXG_MSG_MAX");
IXG_STATIC_SIZE(struct ixg_sample_record, 64 + IXG_SAMPLE_HDR_MAX);
IXG_STATIC_SIZE(struct ixg_sample_ring,
		128 + IXG_SAMPLE_RING_SIZE * (64 + IXG_SAMPLE_HDR_MAX));
IXG_STATIC_SIZE(struct ixg_samples_info, 48);
IXG_STATIC_SIZE(struct ixg_sample_cursor, 64);
_Static_assert((IXG_SAMPLE_RING_SIZE & (IXG_SAMPLE_RING_SIZE - 1)) == 0,
	       "sample ring size must be a power of two");
_Static_assert(IXG_SAMPLE_HDR_MAX <= 255, "hdr_len is 8 bits");
_Static_assert(IXG_DROP_MAX <= 255, "sample drop_reason is 8 bits");
/* The spec's element structs travel in memfds: their layout is wire too. */
#define IXG_X_TBL_SIZE(id, wire, field, type, size, ...)                       \
	IXG_STATIC_SIZE(type, size);
IXG_SPEC_TABLES(IXG_X_TBL_SIZE, IXG_SPEC_NO_STR)
#undef IXG_X_TBL_SIZE

#endif /* IXG_API_H */
