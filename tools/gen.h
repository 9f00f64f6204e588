/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * gen.h - the traffic generator behind ixgate-pcapgen: builds real-shaped
 * cross-border exchange traffic from a spec, one frame at a time, with the
 * verdict the reference model (gen_model.h) expects for each, and sums the
 * expectation into the counters shape of the dataplane's JSON.
 * Plain C, no DPDK, deterministic for a given seed.
 */
#ifndef IXG_GEN_H
#define IXG_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "gen_model.h"
#include "ixg_api.h"

#define GEN_KINDS(X)                                                           \
	X(FORWARD, "forward", 0.70, "peer to peer transit, forwarded")         \
	X(SPOOFED, "spoofed", 0.03,                                            \
	  "source outside a strict peer's prefixes: source_invalid")           \
	X(BLACKHOLE, "blackhole", 0.02, "to a live blackhole: blackhole")      \
	X(NO_ROUTE, "no_route", 0.02, "to unrouted space: no_route")           \
	X(ACL_DENY, "acl_deny", 0.03, "crafted to hit a deny rule: acl_deny")  \
	X(LOCAL, "local", 0.03, "ARP, NS, ICMP/ICMPv6 echo to the node")       \
	X(TTL, "ttl", 0.01, "TTL/hop limit 1: ttl_expired")                    \
	X(UNKNOWN_PEER, "unknown_peer", 0.01,                                  \
	  "unknown source MAC: unknown_peer")                                  \
	X(MALFORMED, "malformed", 0.02,                                        \
	  "runt, bad checksum, lying lengths, LLDP, VLAN stack, ext chain")    \
	X(POLICED, "policed", 0.0,                                             \
	  "aimed at a low-rate class (expectation approximate)")

enum gen_kind {
#define GEN_X_ENUM(e, name, frac, descr) GEN_K_##e,
	GEN_KINDS(GEN_X_ENUM)
#undef GEN_X_ENUM
		GEN_K_MAX
};

/* Frame sizes: on-the-wire sizes including the 4-byte FCS, as RFC 2544 and
 * IMIX count them; the pcap holds size - 4 bytes. */
#define GEN_SIZE_IMIX 0u

/* Classes with a committed rate below this (bytes/s, 100 Mbit/s) are
 * "low-rate": default traffic never matches a rule pointing at one. */
#define GEN_LOW_RATE_BPS (100000000ull / 8)

struct gen_opts {
	uint64_t count;
	uint64_t seed;
	int port_id; /* only peers on this port send; -1: every port */
	double v6_frac;
	uint32_t size; /* GEN_SIZE_IMIX or a frame size 64..1518 */
	double mix[GEN_K_MAX]; /* weights, need not sum to 1 */
	double rate_pps; /* timestamp spacing */
	bool skew; /* 10% of destination prefixes get 90% of packets */
	uint64_t start_ns; /* timestamp of the first packet */
	int64_t now; /* unix seconds for blackhole expiry */
	/* Live generation (ixgate-gen): bytes of zeros reserved at the start
	 * of the L4 payload of every well-formed TCP, UDP and ICMP echo
	 * packet, for a signature written at send time. Such frames grow to
	 * fit it. 0 (the default): nothing reserved, pcapgen's bytes. */
	uint32_t sig_room;
};

/* Default options (the documented defaults of ixgate-pcapgen). */
void gen_opts_default(struct gen_opts *o);
const char *gen_kind_name(unsigned kind);
const char *gen_kind_descr(unsigned kind);
/* Kind by name, or -1. */
int gen_kind_by_name(const char *name);

/*
 * The traffic options ixgate-pcapgen and ixgate-gen share, parsed in one
 * place: each tool puts GEN_TRAFFIC_LONGOPTS in its getopt_long table
 * (<getopt.h>), GEN_TRAFFIC_USAGE in its usage text, and hands every
 * option whose value is in [GEN_OPT_FIRST, GEN_OPT_END) to gen_opt_apply.
 */
enum gen_opt_id {
	GEN_OPT_FIRST = 0x1000,
	GEN_OPT_SEED = GEN_OPT_FIRST,
	GEN_OPT_V6,
	GEN_OPT_SIZES,
	GEN_OPT_MIX,
	GEN_OPT_SKEW,
	GEN_OPT_NOW,
	GEN_OPT_END
};

#define GEN_TRAFFIC_LONGOPTS                                                   \
	{"seed", required_argument, NULL, GEN_OPT_SEED},                       \
		{"v6", required_argument, NULL, GEN_OPT_V6},                   \
		{"sizes", required_argument, NULL, GEN_OPT_SIZES},             \
		{"mix", required_argument, NULL, GEN_OPT_MIX},                 \
		{"skew", no_argument, NULL, GEN_OPT_SKEW},                     \
	{                                                                      \
		"now", required_argument, NULL, GEN_OPT_NOW                    \
	}

#define GEN_TRAFFIC_USAGE                                                      \
	"  --seed S           PRNG seed (default 1); same seed, same "         \
	"traffic\n"                                                            \
	"  --v6 FRACTION      share of IPv6 packets (default 0.3)\n"           \
	"  --sizes 64|imix|N  frame sizes on the wire incl. FCS (default "     \
	"imix)\n"                                                              \
	"  --mix KIND=FRAC,.. kind weights; unlisted kinds keep their\n"       \
	"                     default, a leading 'clear' zeroes them\n"        \
	"  --skew             10%% of destination prefixes get 90%% of "       \
	"packets\n"                                                            \
	"  --now UNIX         time for blackhole expiry (default: now)\n"

/*
 * Apply traffic option id (enum gen_opt_id) with its argument arg (NULL
 * for --skew) to o. 0, or -EINVAL with a message naming the option, the
 * value and what is allowed in err (e.g. "bad --v6 '2': want a fraction
 * 0..1"); -ENOENT if id is not a traffic option. Any thread.
 */
int gen_opt_apply(struct gen_opts *o, int id, const char *arg, char *err,
		  size_t errlen);

/* Strict number parsers for the tools' options: the whole string must be
 * a number (u64: no sign; base 10, or 0x hex). 0 or -EINVAL. */
int gen_parse_u64(const char *s, uint64_t *out);
int gen_parse_double(const char *s, double *out);

/* The expectation: counters of the shape of the dataplane's JSON. */
struct gen_counts {
	uint64_t rx, tx, local;
	uint64_t drops[IXG_DROP_MAX];
	uint64_t peer_rx[IXG_MAX_PEERS], peer_tx[IXG_MAX_PEERS];
	uint64_t kinds[GEN_K_MAX];
	uint64_t malformed[IXG_DROP_MAX]; /* malformed kind, by reason */
	/* Packets whose fate depends on a meter that is not green: they are
	 * counted as forwarded, which may be wrong. */
	uint64_t approx_packets;
	bool approx_peer[IXG_MAX_PEERS]; /* egress peers affected */
};

struct gen;

/*
 * Prepare generation from spec (which must outlive the generator) and
 * options. NULL on error with a message in err (e.g. no peer on the port).
 */
struct gen *gen_new(const struct ixg_spec *spec, const struct gen_opts *o,
		    char *err, size_t errlen);
void gen_free(struct gen *g);

/* Maximum frame size gen_next writes. */
#define GEN_FRAME_MAX 2048

/*
 * Build the next frame into buf (GEN_FRAME_MAX bytes): its length, its
 * timestamp, and (if not NULL) its description and expected verdict.
 * Adds it to the expectation. Returns the frame length.
 */
uint32_t gen_next(struct gen *g, uint8_t *buf, uint64_t *ts_ns,
		  struct gen_pkt *p, struct gen_verdict *v);

const struct gen_counts *gen_counts(const struct gen *g);

/* Where the last frame gen_next built has its signature room (opts
 * sig_room), so a sender can fill it and fix the L4 checksum (RFC 1624)
 * without parsing the frame. */
struct gen_sig_place {
	uint16_t off; /* frame offset of the room; 0: the frame has none */
	uint16_t csum_off; /* frame offset of the L4 checksum */
	bool udp; /* a computed 0 is sent as 0xffff (RFC 768) */
};

/* The signature room of the frame the last gen_next call built. */
void gen_last_sig(const struct gen *g, struct gen_sig_place *sp);

/* Write the expectation as one JSON object (see doc/traffic-generator.md).
 * 0, or -1 with errno if writing failed. */
int gen_write_expect(const struct gen *g, FILE *out);

/* Internet checksum helpers (RFC 1071), exposed for tests of the builder. */
uint16_t gen_csum(const void *data, size_t len, uint32_t init);

#endif /* IXG_GEN_H */
