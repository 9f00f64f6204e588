/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtnl.h - kernel routes as ixgate-control reads them over rtnetlink: the
 * route record, the parser of RTM_NEWROUTE/RTM_DELROUTE messages, the
 * encoder that builds them (for the tests, the fuzz corpus and the churn
 * writer of the benchmarks), and a one-line text form like `ip route`.
 *
 * The record mirrors one kernel FIB entry (an IPv4 alias or an IPv6
 * fib6_info with its ECMP siblings): what the routing daemon (BIRD's
 * `kernel` protocol, FRR's zebra) wrote into a table. The rest of the
 * chain (rtnl_store.h: the mirror of the tables and the best route per
 * prefix; rtnl_reader.h: the socket, dumps and change batches) builds on
 * it. Plain C over libmnl: no DPDK, no liburing, any thread.
 */
#ifndef IXG_RTNL_H
#define IXG_RTNL_H

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* Next hops per route accepted by the parser; a route with more is
 * malformed for ixgate (the kernel itself has no fixed limit; an exchange
 * spreads over a handful of members). */
#define RTNL_MAX_NH 256

/* One next hop of a kernel route. */
struct rtnl_nexthop {
	uint8_t gw[16]; /* network byte order; IPv4 in the first 4 bytes */
	uint8_t gw_family; /* 0: none (device route), AF_INET or AF_INET6
			    * (an IPv4 route via an IPv6 gateway: RTA_VIA,
			    * RFC 8950) */
	uint8_t flags; /* RTNH_F_* (ONLINK, DEAD, LINKDOWN...) */
	uint16_t weight; /* 1..256 (rtnh_hops + 1); 1 for a single path */
	uint32_t ifindex; /* output interface, 0 if none */
	/* IPv6 ECMP siblings are separate kernel routes, each with its own
	 * protocol, in an order (the first one's protocol is the route's);
	 * not part of a route's identity. */
	uint8_t proto;
	uint8_t order;
	uint16_t _pad;
};

/*
 * A kernel route. Identity (what makes two messages speak of the same
 * FIB entry) is everything except the volatile next-hop flags
 * (RTNH_COMPARE_MASK: dead, linkdown, offload, trap), which the kernel
 * changes on its own.
 */
struct rtnl_route {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t dst_len;
	uint8_t src_len; /* IPv6 source-specific route (RTA_SRC), else 0 */
	uint8_t tos; /* IPv4 TOS selector, else 0 */
	uint8_t type; /* RTN_UNICAST, RTN_BLACKHOLE, RTN_UNREACHABLE... */
	uint8_t protocol; /* RTPROT_BIRD, RTPROT_BGP, RTPROT_STATIC... */
	uint8_t scope; /* RT_SCOPE_UNIVERSE, RT_SCOPE_LINK... */
	uint8_t _pad;
	uint16_t n_nh; /* entries in nh[]; 0 for blackhole and co. */
	uint16_t _pad2;
	uint32_t flags; /* rtm_flags without the next-hop bits (RTM_F_*) */
	uint32_t table; /* RTA_TABLE, else rtm_table */
	uint32_t priority; /* RTA_PRIORITY: the metric; 0 if absent */
	uint32_t nh_id; /* RTA_NH_ID (a nexthop object), 0 if none */
	uint8_t dst[16]; /* network byte order, host bits zero */
	uint8_t src[16]; /* IPv6 source prefix when src_len > 0 */
	uint8_t prefsrc[16]; /* RTA_PREFSRC (BIRD's krt_prefsrc), zero if
			      * absent */
	/* Sorted by (gw_family, gw, ifindex, weight, flags): the kernel
	 * lists ECMP siblings in a different order in a notification and
	 * in a dump, so the canonical order makes equal routes equal. */
	struct rtnl_nexthop *nh;
};

/* Malformed messages, declared once: (enum suffix, counter name, what it
 * means). The parser returns one; the reader counts each. */
#define RTNL_ERRORS(X)                                                         \
	X(SHORT, "short_message",                                              \
	  "message shorter than its netlink and rtmsg headers")                \
	X(FAMILY, "unknown_family", "address family other than IPv4 and IPv6") \
	X(PREFIX_LEN, "bad_prefix_len",                                        \
	  "prefix length beyond the family's address size")                    \
	X(ATTR_LEN, "bad_attribute_length",                                    \
	  "attribute header or length runs past the message")                  \
	X(ATTR_SIZE, "bad_attribute_size",                                     \
	  "attribute payload has the wrong size for its type")                 \
	X(NO_DST, "missing_destination",                                       \
	  "non-zero prefix length without RTA_DST")                            \
	X(HOST_BITS, "host_bits_set",                                          \
	  "address has bits set beyond its prefix length")                     \
	X(MULTIPATH, "bad_multipath",                                          \
	  "RTA_MULTIPATH entry shorter than its header or past the attribute") \
	X(TOO_MANY_NH, "too_many_nexthops", "more next hops than RTNL_MAX_NH") \
	X(VIA, "bad_via", "RTA_VIA with an unknown family or address size")

enum rtnl_err {
#define RTNL_ERR_ENUM(e, name, desc) RTNL_ERR_##e,
	RTNL_ERRORS(RTNL_ERR_ENUM)
#undef RTNL_ERR_ENUM
		RTNL_ERR_MAX
};

/* Counter name ("bad_attribute_size") and description of an error;
 * "unknown" / "" if out of range. Any thread. */
const char *rtnl_err_name(unsigned e);
const char *rtnl_err_desc(unsigned e);

/* Where a message is malformed. */
struct rtnl_parse_error {
	enum rtnl_err reason;
	int attr; /* RTA_* type of the offending attribute, -1 if none */
	uint32_t offset; /* byte offset in the message */
	uint32_t len; /* the offending length, when there is one */
};

/*
 * Parse one RTM_NEWROUTE or RTM_DELROUTE message of `len` bytes (the
 * whole netlink message, header included; nlmsg_len must not exceed len)
 * into r. Next hops go to nh_buf (room for max_nh) and r->nh points there.
 * Unknown attributes are skipped; attributes the record uses are checked
 * for size. Returns 0, or -1 with *err filled (nothing else is promised
 * about r then). Never reads past len. Any thread.
 */
int rtnl_parse_route(const struct nlmsghdr *nlh, size_t len,
		     struct rtnl_route *r, struct rtnl_nexthop *nh_buf,
		     unsigned max_nh, struct rtnl_parse_error *err);

/* "bad_attribute_size: RTA_GATEWAY (5) at offset 44, 3 bytes" into buf
 * (always NUL-terminated). Returns buf. Any thread. */
char *rtnl_parse_error_str(const struct rtnl_parse_error *err, char *buf,
			   size_t len);

/* Name of an RTA_* attribute type ("RTA_GATEWAY"), "RTA_?" if unknown. */
const char *rtnl_attr_name(int type);

/*
 * Build a route message (RTM_NEWROUTE, RTM_DELROUTE, or RTM_GETROUTE for
 * a lookup) for r into buf: rtmsg, RTA_TABLE, RTA_DST, RTA_SRC,
 * RTA_PRIORITY, RTA_NH_ID, RTA_GATEWAY/RTA_VIA + RTA_OIF for one next hop
 * and RTA_MULTIPATH for several. Returns the message length, or 0 if buf
 * is too small. Any thread.
 */
size_t rtnl_build_route(void *buf, size_t len, uint16_t msg_type,
			uint16_t nl_flags, uint32_t seq,
			const struct rtnl_route *r);

/* Route identity (see struct rtnl_route): 1 if a and b are the same FIB
 * entry, 0 if not. rtnl_route_equal() also compares the volatile flags. */
int rtnl_route_same(const struct rtnl_route *a, const struct rtnl_route *b);
int rtnl_route_equal(const struct rtnl_route *a, const struct rtnl_route *b);

/* Sort r->nh into the canonical order. */
void rtnl_route_sort_nh(struct rtnl_route *r);

/* Names as `ip route` prints them: "blackhole", "bird", "bgp"; a number
 * when the kernel has no name for it. The returned string lives in a
 * static table or in buf (size >= 12). */
const char *rtnl_type_name(unsigned type, char *buf);
const char *rtnl_proto_name(unsigned proto, char *buf);

/* The protocol number of a name ("bird", "bgp") or of a decimal number
 * (0..255); -1 if neither. "static" is the kernel's 4 (FRR's zebra uses
 * 196 under the same name: give the number). */
int rtnl_proto_parse(const char *name);

/*
 * One line like `ip route show` ("10.1.0.0/16 via 192.0.2.2 dev if3 proto
 * bird metric 32 table 100", "blackhole 2001:db8::/32 table 100"), without
 * a newline, into buf (always NUL-terminated). Interfaces are printed as
 * "if<index>", or through ifname(ifindex) when it is not NULL and returns
 * a name. Returns the length it needed (like snprintf). Any thread.
 */
int rtnl_route_format(const struct rtnl_route *r, char *buf, size_t len,
		      const char *(*ifname)(uint32_t ifindex, char *name));

/* "10.1.0.0/16" or "2001:db8::/32" into buf (>= 50 bytes). Returns buf. */
char *rtnl_prefix_str(int family, const uint8_t *addr, unsigned len, char *buf);

#endif /* IXG_RTNL_H */
