/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tables.h - the dataplane's immutable snapshot of a committed configuration.
 *
 * A snapshot ("generation") is built from a struct ixg_spec beside the running
 * one, published with one atomic pointer store, and freed after an RCU grace
 * period. Workers read the current snapshot pointer once per burst and never
 * see half a config. Nothing in a snapshot is written after publication,
 * except the per-worker meter state (each worker writes only its own array),
 * the members' egress MACs (neigh.h) and their session state (hop[],
 * peer_down, the ECMP groups' slots: tables_peer_down).
 */
#ifndef IXG_TABLES_H
#define IXG_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_meter.h>
#ifdef __SSE4_2__
#include <nmmintrin.h> /* _mm_crc32_u64: tbl_peer_hash */
#endif

#include "fibrec.h"
#include "ixg_api.h"

#define IXG_MAX_WORKERS 64

/*
 * Next-hop encoding in the destination FIBs (lpm.h values, 31 bits):
 *   NH_NONE                    no route (the FIB's default next hop)
 *   1..TBL_HOPS-1              a member, by tables.hop[] (below): its peer
 *                              id for a route from the config, another
 *                              value per family for a route from the
 *                              kernel
 *   NH_BLACKHOLE | i           blackhole number i (tables.blackholes[i])
 *   NH_LOCAL | i               the node's own address number i
 *                              (tables.local_addrs[i]); inserted as /32, /128
 *   NH_LOCAL | NH_INDEX_MASK   fe80::/10 (NH_LINK_LOCAL): an IPv6 link-local
 *                              destination, never routed (RFC 4291 2.5.6);
 *                              stage_local takes it if it is one of the
 *                              node's on the ingress link, drops it
 *                              `link_local` otherwise
 *   NH_GROUP | g               ECMP next-hop group id g (tables.nhg[g]):
 *                              stage_route picks a member by the flow hash
 */
#define NH_NONE 0u
#define NH_BLACKHOLE 0x10000u
#define NH_LOCAL 0x20000u
#define NH_GROUP 0x30000u
#define NH_KIND_MASK 0x30000u
#define NH_INDEX_MASK 0x0ffffu
#define NH_LINK_LOCAL (NH_LOCAL | NH_INDEX_MASK)

/*
 * A route FIB's leaf also holds the destination's country (issue 12: one
 * walk per address, not two): bits 0..17 the NH_* value above, bits
 * 18..25 the country index (< IXG_MAX_COUNTRIES; 0, "unknown", where no
 * country prefix covers it, or with no country map of that family). The
 * FIB holds the union of the route and country prefixes, each valued
 * (route LPM, country LPM) at that prefix, so for any address the longest
 * match gives both answers exactly (route_table.c, fib_build.c fold*).
 * Every reader of route4/route6 takes its part with these.
 */
#define NH_ROUTE_MASK 0x3ffffu
#define NH_COUNTRY_SHIFT 18
_Static_assert(NH_KIND_MASK <= NH_ROUTE_MASK, "NH_* within the route bits");
_Static_assert(((IXG_MAX_COUNTRIES - 1u) << NH_COUNTRY_SHIFT) <= 0x7fffffffu,
	       "the country fits an lpm value");

/* The NH_* value of a route FIB leaf. */
static inline uint32_t
tbl_leaf_nh(uint32_t leaf)
{
	return leaf & NH_ROUTE_MASK;
}

/* The destination country index of a route FIB leaf. */
static inline uint32_t
tbl_leaf_country(uint32_t leaf)
{
	return leaf >> NH_COUNTRY_SHIFT;
}

/*
 * Next hops to members (hop_table.c): a route's FIB value v below
 * TBL_HOPS, and an ECMP group's slots, name tables.hop[v]:
 *   1..IXG_MAX_PEERS-1      member v, by a route not from the kernel
 *                           (the config's)
 *   TBL_HOP_KERNEL4 + p     member p, by an IPv4 route from the kernel
 *                           (origin IXG_ORIGIN_KERNEL) or an ECMP group
 *   TBL_HOP_KERNEL6 + p     the same, IPv6
 * hop[v] is the member's peer id (bits 0..15) and egress port (16..31)
 * while packets go to it; 0 when they do not: the member is not
 * configured (no_route), or v is a kernel next hop of a member whose BGP
 * session of that family is down (peer_down; ixg_api.h PEER_DOWN,
 * doc/routing.md "Session loss"). So one word that stage_route reads
 * anyway says both, and a member-level event is one store per family
 * (plus its groups' slots), never a walk of the routes.
 */
#define TBL_HOP_KERNEL4 IXG_MAX_PEERS
#define TBL_HOP_KERNEL6 (2 * IXG_MAX_PEERS)
#define TBL_HOPS (3 * IXG_MAX_PEERS)
_Static_assert(TBL_HOPS <= NH_BLACKHOLE, "hop values are of kind 0");

/*
 * Source-validation FIBs: source address -> set of peers allowed to send it.
 * A prefix's set also includes the peers of every covering prefix, so the
 * longest match alone decides.
 *   0                          no peer may source it
 *   1..IXG_MAX_PEERS-1         exactly this peer
 *   SAV_SET | i                any peer in tables.sav_sets[i]
 *                              (SAV_SET + i: i may exceed 0xffff)
 */
#define SAV_SET 0x10000u

/*
 * A source-validation FIB's leaf also holds the source's country (issue
 * 12: one walk per source, not two), as a route FIB's the destination's:
 * bits 0..22 the value above (so sets below SAV_SET_MAX), bits 23..30 the
 * country index (0 where no country prefix covers it, or with no country
 * map of that family). Built as the route FIBs' (fib_build.c fold*):
 * the union of the source and the country prefixes, each valued (SAV
 * LPM, country LPM); the FIB exists whenever either list does. Every
 * reader of sav4/sav6 takes its part with these.
 */
#define SAV_VALUE_MASK 0x7fffffu
#define SAV_COUNTRY_SHIFT 23
#define SAV_SET_MAX (SAV_VALUE_MASK + 1u - SAV_SET)
_Static_assert(((IXG_MAX_COUNTRIES - 1u) << SAV_COUNTRY_SHIFT) <= 0x7fffffffu,
	       "the source's country fits an lpm value");

/* The peer or SAV_SET | set of a source-validation FIB leaf. */
static inline uint32_t
tbl_sav_leaf_peers(uint32_t leaf)
{
	return leaf & SAV_VALUE_MASK;
}

/* The source country index of a source-validation FIB leaf. */
static inline uint32_t
tbl_sav_leaf_country(uint32_t leaf)
{
	return leaf >> SAV_COUNTRY_SHIFT;
}

struct tbl_port {
	uint8_t configured;
	uint8_t mac[6]; /* the node's MAC on this port */
	uint16_t mtu;
	uint16_t dpdk_port; /* DPDK port id (same as the spec id today) */
	uint32_t sample_rate; /* 1-in-N sampling of its frames, 0: off */
};

struct tbl_peer {
	uint8_t configured;
	uint8_t sav_mode; /* enum ixg_sav_mode */
	uint16_t port_id;
	uint16_t vlan;
	uint16_t outer_vlan;
	uint16_t country;
	uint8_t dmac[6]; /* macs[0], the static MAC (zero without one) */
	uint8_t neigh_learn; /* enum ixg_neigh_mode: IXG_NEIGH_LEARN */
	uint8_t n_macs; /* its MAC lock's size (0: none) */
	uint32_t meter_base; /* index of (this peer, class 0) in meter arrays */
	char name[IXG_NAME_LEN];
	/* Its next hops on the peering LAN (network order): the only
	 * addresses its ARP replies and NAs may claim (local_stage.c). */
	uint8_t has_nh4, has_nh6;
	uint8_t nh4[4];
	uint8_t nh6[16];
	/* To a power of two: t->peers[id] is a shift (stage_sav reads
	 * sav_mode a packet: 1.7 instructions more at 80 bytes). */
	uint8_t _pad[48];
};
_Static_assert(sizeof(struct tbl_peer) == 128, "peers[id]: a shift");

#define TBL_MAC_VALID (1ull << 48)
#define TBL_DEFAULT_MTU 1500 /* RFC 894, if a port has none configured */

/*
 * What stage_rewrite needs to send a packet to a member, in one cache line
 * per peer id (tables.egress[id]; 64-byte records at a 64-byte offset of
 * the cache-aligned snapshot): one line read a forwarded packet where the
 * peer's and the port's records took three or four.
 *   mac[f]   the destination MAC per family ([0] IPv4, [1] IPv6):
 *            tbl_mac48() | TBL_MAC_VALID, 0 while unresolved (dropped
 *            `unresolved`). A static member's is its first MAC, set by
 *            the build; a learning member's is written by the neighbour
 *            table (neigh.h) into the published snapshot with one atomic
 *            64-bit store, and stage_rewrite loads it relaxed: the one
 *            word of a record written after publication.
 *   hdr[f]   the egress L2 header after the destination MAC: the port's
 *            MAC, the peer's tag stack, the ethertype; len bytes (8, 12
 *            or 16: from the frame's byte 6 to its payload), tags tags.
 *            stage_rewrite writes it as two 8-byte copies after the
 *            8-byte store of mac[f].
 *   tx_tag   the TX tag's bits of the peer and its port (pipeline.h,
 *            out_tag_set_at): out_peer << 52 | port_id << 20.
 *   port_id  the member's port; mtu its MTU (TBL_DEFAULT_MTU for none).
 * Built by tbl_peer_egress() for every peer id (an unconfigured one:
 * port 0, no MAC) with the peers part; neighbour changes touch only mac.
 */
struct tbl_egress {
	uint64_t mac[2];
	uint8_t hdr[2][16];
	uint64_t tx_tag;
	uint16_t port_id;
	uint16_t mtu;
	uint8_t len;
	uint8_t tags;
	uint8_t _pad[2];
};
_Static_assert(sizeof(struct tbl_egress) == 64, "one cache line a record");

/*
 * Ingress-peer direct tables (stage_peer, built by peer_table.c). A "slot"
 * is one (port, VLAN) pair (VLAN 0: untagged), or one
 * QinQ (port, outer VLAN, VLAN) triple. A slot's MACs live in its own
 * open-addressed table in tables.peer_macs: 64-bit entries
 * tbl_peer_entry(mac, peer), bits 16..63 the MAC as tbl_mac48() reads it,
 * bits 0..15 the peer id; 0 is an empty entry (peer id 0 is never stored).
 * stage_peer tests an entry e against a frame's key k (tbl_mac48(mac) <<
 * 16) with one subtraction: e - k is the peer, 1..0xffff, exactly when e
 * holds that MAC. A slot table has a power-of-two size of at least four
 * times its MACs (most MACs then sit in their home entry) and starts at a
 * multiple of its size, so a linear probe from first +
 * (tbl_peer_hash(mac) & mask), wrapping with the mask, always ends at the
 * MAC or at an empty entry. Slot 0 means "no peer": its table has one
 * entry, always empty.
 */
#define TBL_VLANS 4096

struct tbl_peer_slot {
	uint32_t first; /* index of the slot's entry 0 in tables.peer_macs,
			 * a multiple of mask + 1 */
	uint32_t mask; /* entries - 1 */
};

/* The 6 bytes at mac as the low 48 bits of a word (byte 0 lowest). */
static inline uint64_t
tbl_mac48(const uint8_t *mac)
{
	uint64_t v = 0;

	memcpy(&v, mac, 6);
	return rte_le_to_cpu_64(v);
}

/* QinQ map key: (port, outer VLAN, VLAN) in bits 0..47. */
static inline uint64_t
tbl_qinq_key(uint16_t port, uint16_t outer_vlan, uint16_t vlan)
{
	return (uint64_t)port << 32 | (uint32_t)outer_vlan << 16 | vlan;
}

/*
 * Home index of a 48-bit key before masking: the CRC-32C of the key << 16
 * (SSE4.2, in DPDK's x86 baseline; one instruction), whose low bits
 * depend on every bit of the key, so MACs differing only in their last
 * byte (VRRP's 00:00:5e:00:01:xx, consecutive NICs) get distinct homes.
 * Without SSE4.2, Fibonacci hashing with the key's upper 24 bits folded
 * onto its lower ones first, as the mask keeps the low bits of
 * (product >> 32), which a plain multiply makes blind to the key's top
 * bits (bench/README.md, helper parsepeer).
 */
static inline uint32_t
tbl_peer_hash_k(uint64_t key48_sh16)
{
#ifdef __SSE4_2__
	return (uint32_t)_mm_crc32_u64(0, key48_sh16);
#else
	uint64_t key48 = key48_sh16 >> 16;

	return (uint32_t)(((key48 ^ key48 >> 24) * 0x9e3779b97f4a7c15ull) >>
			  32);
#endif
}

static inline uint32_t
tbl_peer_hash(uint64_t key48)
{
	return tbl_peer_hash_k(key48 << 16);
}

/* A slot table's entry for MAC mac48 (tbl_mac48) and peer id `peer`. */
static inline uint64_t
tbl_peer_entry(uint64_t mac48, uint16_t peer)
{
	return mac48 << 16 | peer;
}

struct tbl_local_addr {
	uint16_t port_id;
	uint16_t vlan;
	uint8_t family;
	uint8_t len;
	uint8_t addr[16];
};

/*
 * The node's addresses: the spec's (tables.local_addrs[0..n_spec)), then,
 * with the exception path on, one IPv6 link-local per (port, VLAN) where
 * the node has IPv6 addresses but no link-local one (route_table.c,
 * build_locals): at most as many as the spec's.
 */
#define TBL_MAX_LOCAL_ADDRS (2 * IXG_MAX_LOCAL_ADDRS)
_Static_assert(TBL_MAX_LOCAL_ADDRS < NH_INDEX_MASK,
	       "NH_LOCAL | i, and NH_LINK_LOCAL apart");

/* Whether the IPv6 address a is link-local unicast (fe80::/10, RFC 4291
 * 2.5.6). */
static inline int
tbl_ip6_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/*
 * The link-local address Linux gives an interface with this MAC
 * (addr_gen_mode eui64): fe80::/64 and the modified EUI-64 interface
 * identifier, the MAC split by ff:fe with the universal/local bit
 * inverted (RFC 4291 2.5.1 and appendix A, RFC 2464 section 5).
 */
static inline void
tbl_eui64_link_local(const uint8_t mac[6], uint8_t out[16])
{
	memset(out, 0, 16);
	out[0] = 0xfe;
	out[1] = 0x80;
	out[8] = mac[0] ^ 0x02;
	out[9] = mac[1];
	out[10] = mac[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = mac[3];
	out[14] = mac[4];
	out[15] = mac[5];
}

struct tbl_blackhole {
	uint8_t family;
	uint8_t len;
	uint16_t id; /* its counters: ixg_lcore_counters.blackhole[id] */
	int64_t expires; /* unix seconds, 0 = never */
	uint8_t addr[16];
};

/*
 * An ECMP next-hop group (nhg_table.c): the member of each of its
 * IXG_NHG_SLOTS hash slots, by weighted rendezvous hashing, so a member
 * that leaves gives up only its own slots. id 0 of an unused entry: no
 * slot is set (n_members 0).
 */
struct tbl_nhg {
	/* hop values (TBL_HOP_KERNEL4/6 + member), [0] for IPv4 routes,
	 * [1] IPv6: a member whose session of that family is down owns no
	 * slot unless every member is down (then each keeps its own, dropped
	 * peer_down). Written after publication by tables_peer_down (one
	 * atomic 16-bit store per slot that changes owner). */
	uint16_t slot[2][IXG_NHG_SLOTS];
	uint8_t n_members;
};

struct sav_fam; /* sav_table.c */

struct tbl_sav_set {
	uint16_t n;
	uint16_t _pad;
	uint32_t first; /* index into tables.sav_set_peers */
};

/* What an ACL match does; the classifier answers its index + 1. */
struct tbl_acl_action {
	uint32_t rule_id;
	uint8_t action; /* enum ixg_acl_action */
	uint8_t remark_dscp;
	uint16_t class_id;
};

struct tbl_class {
	uint8_t configured;
	uint8_t yellow_action, red_action;
	uint8_t yellow_dscp, red_dscp;
	char name[IXG_NAME_LEN];
};

/*
 * The parts of a snapshot, declared once, in build order: each is built by
 * the NAME_table.c of its feature (struct tbl_part_ops tbl_part_NAME,
 * tables_impl.h), timed (tables.step_ns), and may be shared by reference
 * with the snapshot it was built from (tables_build_from) when its inputs
 * did not change:
 *   peers    peer_table.c: ports, peers, the direct ingress-peer tables
 *   hops     hop_table.c: next hops to members and their session state
 *   addrs    route_table.c: local addresses, blackholes
 *   nhg      nhg_table.c: ECMP next-hop groups (before the FIBs that
 *            name them)
 *   country  country_table.c: countries, country4, country6 (shared;
 *            before the route FIBs, whose leaves hold the destination's
 *            country)
 *   route4   route_table.c: route4 (shared)
 *   route6   route_table.c: route6 (shared)
 *   sav      sav_table.c: sav4, sav6, the peer sets (shared; when
 *            built, the family whose sources did not change keeps
 *            its FIB)
 *   acl      acl_table.c: acl, acl_actions (shared)
 *   policer  policer_table.c: classes, profiles, meters
 * X(ID, name)
 */
#define TBL_PARTS(X)                                                           \
	X(PEERS, peers)                                                        \
	X(HOPS, hops)                                                          \
	X(ADDRS, addrs)                                                        \
	X(NHG, nhg)                                                            \
	X(COUNTRY, country)                                                    \
	X(ROUTE4, route4)                                                      \
	X(ROUTE6, route6)                                                      \
	X(SAV, sav)                                                            \
	X(ACL, acl)                                                            \
	X(POLICER, policer)

enum tbl_part {
#define TBL_X_PART_ENUM(id, name) TBL_PART_##id,
	TBL_PARTS(TBL_X_PART_ENUM)
#undef TBL_X_PART_ENUM
		TBL_PARTS_N
};

struct acl_class; /* acl_class.h */

/*
 * One worker's meter of one (peer, class), in one cache line: rte_meter's
 * state and the profile it is checked with (meter_prof's entry; NULL:
 * nothing metered), so stage_policer reads one line and one array. For
 * class 0's one-rate check, the profile's C bucket numbers are copied
 * here (cir_period, cir_bytes_per_period, cbs); where prof is NULL,
 * period is UINT64_MAX and the state all 0: that check then never
 * refills it and finds no token for a packet, so stage_policer tests prof
 * only for a packet it would colour (policer_stage.c). Class 0's meters
 * keep rte_meter's C bucket only: its tokens in tc, its time as the
 * deadline time_tc + period in time_tp (policer_stage.h); time_tc and
 * tp are not kept.
 */
struct policer_meter {
	struct rte_meter_trtcm m;
	const struct rte_meter_trtcm_profile *prof;
	uint64_t period, bytes_per_period, cbs;
} __rte_cache_aligned;
_Static_assert(sizeof(struct policer_meter) == 64, "one cache line");

struct tables {
	/* First: at offset 0, each record in one cache line (see above). */
	struct tbl_egress egress[IXG_MAX_PEERS]; /* by peer id */
	uint64_t generation;
	struct ixg_spec_node node;
	unsigned n_workers;
	/*
	 * Earliest future blackhole expiry (unix seconds), 0 if none. Expired
	 * blackholes are left out at build time, so the owner rebuilds the
	 * snapshot at this time to let traffic fall back to covering routes.
	 */
	int64_t next_expiry;

	struct tbl_port ports[IXG_MAX_PORTS];
	struct tbl_peer peers[IXG_MAX_PEERS]; /* indexed by peer id */
	/*
	 * Next hops to members (TBL_HOPS above, hop_table.c). Written after
	 * publication by tables_peer_down (atomic 32-bit stores); workers
	 * load an entry relaxed. peer_down[f] is the state they follow
	 * (ixg_msg_peer_down.down), carried from each snapshot to the next.
	 */
	uint32_t hop[TBL_HOPS];
	uint64_t peer_down[2][IXG_MAX_PEERS / 64];
	/* Members whose neighbour entry of family f failed its refresh
	 * (neigh.h, neigh_down_get): their kernel hops are cleared like
	 * peer_down's (tables_neigh_down), carried the same way. */
	uint64_t neigh_down[2][IXG_MAX_PEERS / 64];
	/*
	 * Direct ingress-peer lookup (see struct tbl_peer_slot):
	 * peer_vlan_slot[port * TBL_VLANS + vlan] is the slot of a frame with
	 * no outer tag; peer_qinq maps tbl_qinq_key() to a slot for QinQ
	 * frames (open-addressed, entry = slot << 48 | key, 0 empty; NULL when
	 * no peer is QinQ).
	 */
	uint16_t *peer_vlan_slot; /* [IXG_MAX_PORTS * TBL_VLANS] */
	uint64_t *peer_qinq; /* [peer_qinq_mask + 1] */
	uint32_t peer_qinq_mask;
	uint32_t n_peer_slots; /* slot 0 included */
	struct tbl_peer_slot *peer_slots; /* [n_peer_slots] */
	uint64_t *peer_macs;
	/* Peers whose egress MAC is learned (neigh.h): stage_local hands
	 * ARP/ND to the neighbour table only when there is one. */
	uint32_t n_neigh_learn;

	uint32_t n_local_addrs; /* the spec's and the derived (above) */
	uint32_t n_spec_local_addrs;
	struct tbl_local_addr local_addrs[TBL_MAX_LOCAL_ADDRS];

	const struct lpm *route4; /* dst -> NH_* | country (tbl_leaf_*) */
	const struct lpm *route6;
	uint32_t n_blackholes;
	struct tbl_blackhole *blackholes;
	/* ECMP groups by id: nhg[0 .. n_nhg), NULL when none */
	uint32_t n_nhg;
	struct tbl_nhg *nhg;

	const struct lpm *sav4; /* src -> peer id or SAV_SET | i */
	const struct lpm *sav6;
	uint32_t n_sav_sets;
	uint32_t n_sav_sets_used; /* the others are kept for stable numbers */
	struct tbl_sav_set *sav_sets;
	uint16_t *sav_set_peers; /* sorted within each set */
	uint32_t n_sav_set_peers;
	/* hash index of the sets (slot = set + 1, 0 empty; control thread
	 * only: the next build starts from it, see sav_seed) */
	uint32_t *sav_slots;
	uint32_t n_sav_slots;
	/* sav4 [0] and sav6 [1] with what they hold (sav_table.c, control
	 * thread only): a family whose sources did not change keeps its FIB
	 * when the other family's did */
	struct sav_fam *sav_fam[2];
	/* bit 0: sav4, bit 1: sav6 made by this build from the running
	 * snapshot's over the changed sources (sav_table.c, sav_patch4/6) */
	uint8_t sav_patched;
	/* some configured peer is strict or feasible (sav_table.c, on a
	 * share too): stage_sav then walks sav4/sav6 for every source */
	uint8_t sav_checks;

	const struct acl_class *acl; /* acl_class.h; NULL without rules */
	uint32_t n_acl_actions;
	struct tbl_acl_action *acl_actions;

	const struct lpm *country4; /* addr -> country index */
	const struct lpm *country6;
	uint32_t n_countries;
	ixg_cc_t countries[IXG_MAX_COUNTRIES];

	/*
	 * Policer: trTCM per (ingress peer, class). profiles[c] for class c;
	 * class 0 (default) uses the peer's committed rate, peer_profiles[p].
	 * Meter state is per worker, each meter with its profile (meter_prof's)
	 * in its cache line: class 0's at meters0[w][peer] (IXG_MAX_PEERS
	 * lines, so a peer id needs no bound, and the worker's clock after
	 * them: POLICER_CLOCK), the other classes' at
	 * meters[w][peer.meter_base + class] (whose class-0 lines stay
	 * unmetered: prof NULL). metered[c] / peer_metered[p] say whether a
	 * profile exists.
	 */
	struct tbl_class classes[IXG_MAX_CLASSES];
	struct rte_meter_trtcm_profile profiles[IXG_MAX_CLASSES];
	uint8_t metered[IXG_MAX_CLASSES];
	struct rte_meter_trtcm_profile *peer_profiles; /* [IXG_MAX_PEERS] */
	uint8_t *peer_metered; /* [IXG_MAX_PEERS] */
	uint32_t n_meters; /* per worker */
	struct policer_meter *meters[IXG_MAX_WORKERS];
	struct policer_meter *meters0[IXG_MAX_WORKERS];
	/*
	 * meter_prof[peer * meter_stride + class] is the profile of that
	 * meter (the class's, or the peer's for class 0), NULL where nothing
	 * is metered (peer not configured, class or peer without a rate);
	 * n_meters entries, meter_stride = the highest class id + 1
	 * (peer.meter_base = peer * meter_stride). Each worker's meter holds
	 * a copy (policer_meter.prof), which stage_policer tests.
	 */
	const struct rte_meter_trtcm_profile **meter_prof;
	uint32_t meter_stride;

	int64_t built_at; /* unix seconds the blackholes were judged at */
	/* Reference count of each part shared with other snapshots (NULL
	 * for a part that is never shared). */
	unsigned *part_refs[TBL_PARTS_N];
	/*
	 * The records behind route4..country6 (fibrec.h), shared with the
	 * component, and how this build made each (FIBREC_NONE: shared with
	 * the previous snapshot, or no FIB).
	 */
	struct fibrec *fibs[FIB_SLOTS];
	struct fibrec_stat fib_stat[FIB_SLOTS];
	uint64_t step_ns[TBL_PARTS_N]; /* build time per part */
};
_Static_assert(offsetof(struct tables, egress) == 0,
	       "each egress record in one cache line of the snapshot");

/*
 * Build a snapshot from a compiled config. `n_workers` sizes the per-worker
 * state. Call from a non-worker thread (allocates; builds take time).
 * Returns the new tables, or NULL with errno set and a message naming the
 * failing object (its spec origin) written to `err` (may be NULL).
 */
struct tables *tables_build(const struct ixg_spec *spec, unsigned n_workers,
			    uint64_t generation, char *err, size_t errlen);

/*
 * tables_build, reusing components of `prev` (the running snapshot, built
 * from `prev_spec`) whose inputs in `spec` are the same as in `prev_spec`
 * (same array and count, or byte-equal contents), and, for the route FIBs,
 * whose configured peer ids and blackhole liveness are unchanged. A reused
 * component is shared by reference: `prev` and the result may then be freed
 * in either order. `prev_spec` must still describe `prev` exactly; with
 * `prev` or `prev_spec` NULL this is tables_build. Same thread and errors
 * as tables_build; `prev` is not modified except for reference counts.
 */
struct tables *tables_build_from(const struct ixg_spec *spec,
				 const struct ixg_spec *prev_spec,
				 const struct tables *prev, unsigned n_workers,
				 uint64_t generation, char *err, size_t errlen);

/* Free a snapshot no worker can see any more, and the components it holds
 * the last reference to. NULL is a no-op. */
void tables_free(struct tables *t);

/*
 * (Re)build peer `id`'s egress record (tables.egress[id]: hdr, len, tags,
 * tx_tag, port_id, mtu; not mac) from its port_id, vlan and outer_vlan and
 * that port's MAC and MTU in t. The build calls it for every peer id; a
 * test that sets those fields by hand calls it after. Builder thread
 * (before publication).
 */
void tbl_peer_egress(struct tables *t, uint16_t id);

/*
 * Give one FIB slot of t without a warm spare a copy of t's FIB, or bring
 * a spare holding an older content up to t's (fibrec_warm), so the next
 * change of that table is patched rather than rebuilt: 1 if a spare was
 * made or brought up (call again for the next slot), 0 if every slot has
 * its spare up to date or spares are off, negative errno on failure. Control thread, at
 * idle times (a full-table FIB copy takes about as long as its build).
 */
int tables_warm_one(const struct tables *t);

/*
 * One line saying where t's build time went and how its FIBs were made,
 * e.g. "peers 2.1 route4 80.3 ... ms; route4 patched 564580 (+1 -0,
 * 0.4 ms), sav4 patched ...": FIBs shared with the previous snapshot are
 * left out. Returns the length written (truncated to len).
 */
size_t tables_describe_fibs(const struct tables *t, char *buf, size_t len);

/* What tables_peer_down changed. */
struct tables_down_change {
	unsigned went_down[2], came_up[2]; /* members per family */
	unsigned groups; /* ECMP groups repainted */
	unsigned slots; /* their slots that changed owner */
};

/*
 * Apply a PEER_DOWN state (ixg_api.h: down[f] bit p: member p's kernel
 * routes of family f not forwarded) to the published snapshot t, built
 * from spec, at once: its hop entries of the members that changed, and
 * the slots of the ECMP groups that have one of them as a member,
 * repainted over their other members (atomic stores; a worker sees a
 * member's routes go from one burst to the next). The state is carried
 * into every later snapshot built from t. Bit 0 must be clear. What
 * changed into *out (may be NULL). Control (main) thread, the one that
 * publishes; O(members + the affected groups' slots), no allocation.
 */
void tables_peer_down(struct tables *t, const struct ixg_spec *spec,
		      const uint64_t down[2][IXG_MAX_PEERS / 64],
		      struct tables_down_change *out);

/*
 * Apply the neighbour table's failures (neigh_down_get: down[f] bit p:
 * member p's learned neighbour of family f stopped answering its probes)
 * to the published snapshot t, built from spec, exactly as
 * tables_peer_down applies a session's loss: the member's kernel hop of
 * the family cleared (dropped peer_down), the ECMP groups that have it
 * repainted over their other members; restored when the bit clears and
 * its session is not down. A member down by both stays down until both
 * clear. Bit 0 must be clear. What changed into *out (may be NULL):
 * went_down / came_up count neighbour bits. Control (main) thread, the
 * one that publishes and applies PEER_DOWN.
 */
void tables_neigh_down(struct tables *t, const struct ixg_spec *spec,
		       const uint64_t down[2][IXG_MAX_PEERS / 64],
		       struct tables_down_change *out);

/* Whether member p's kernel routes of family f (0 IPv4, 1 IPv6) are not
 * forwarded in t: its session of f is down (PEER_DOWN) or its neighbour
 * of f failed (tables_neigh_down). Any thread. */
static inline bool
tables_peer_is_down(const struct tables *t, unsigned f, uint16_t p)
{
	return p < IXG_MAX_PEERS && f < 2 &&
	       ((t->peer_down[f][p / 64] | t->neigh_down[f][p / 64]) >>
			(p % 64) &
		1u) != 0;
}

/* Shared parts (enum tbl_part) currently allocated by any snapshot of this
 * process: a leak and double-free check for tests. Control thread. */
unsigned long tables_parts_live(void);

/* How many parts a snapshot may share (those with a `same` hook). */
unsigned tables_shared_parts(void);

/* Name of part p ("route4"); "unknown" if out of range. */
const char *tables_part_name(unsigned p);

/* Why tables_validate refused a spec: the first object at fault. */
struct tables_refusal {
	int status; /* enum ixg_status: IXG_ST_INVALID, or NO_MEMORY */
	uint16_t table; /* enum ixg_table, 0 if no object is at fault */
	uint32_t index; /* in that table; UINT32_MAX: an object of the
			 * running spec the new one lacks */
	uint32_t origin; /* the object's origin, 0 if none */
	char msg[256];
};

/* What a spec is checked against besides itself. */
struct tables_validate_env {
	/* The spec running now (ports cannot change without a restart);
	 * NULL: none yet. */
	const struct ixg_spec *running;
	/* The ports as the config file gave them, before --device replaced
	 * their devargs: a spec may name either. */
	const struct ixg_spec_port *conf_ports;
	uint32_t n_conf_ports;
	/* Workers the meters are shared over (0: 1). */
	unsigned n_workers;
};

/*
 * Check a spec before anything is built: ids in range and unique, every
 * cross reference (a route's peer, a rule's class, a prefix's country)
 * defined, ports unchanged from env->running, every meter's rates and
 * bursts within IXG_RATE_MAX / IXG_BURST_MAX and meterable by each of
 * env->n_workers workers. Runs every spec table's
 * validate hook, in IXG_SPEC_TABLES order, and stops at the first refusal.
 * Returns 0, or -1 with r filled (status, table, index, origin and a
 * message naming the object). tables_build checks the rest (lengths,
 * families, MACs, capacities) and its message names the object too.
 * Control thread; reads spec only.
 */
int tables_validate(const struct ixg_spec *spec,
		    const struct tables_validate_env *env,
		    struct tables_refusal *r);

/*
 * The edits a TXN_DELTA applied to a route table (api_server.c): `base`
 * (the running spec's array, n_base elements) became `res` (the
 * transaction's, n_res) by the sorted edits[0..n_edits) (struct
 * ixg_delta_route4 / 6, checked by ixg_delta_apply). While noted, the
 * check of a spec whose table is `res` over a running spec whose table
 * is `base` looks at the edits only (when the peers and next-hop groups
 * did not change), and a build of it on a snapshot of that running spec
 * makes the route FIB from the previous one's content and the edits
 * (route_table.c: no pass over the table); anything else (other arrays,
 * counts) is checked and built whole as before. Matched by array
 * identity, so a stale note only costs the fast path. The arrays stay
 * the caller's and must outlive the note: clear it (NULL) when the
 * transaction ends. Control thread.
 */
struct tables_route_edits {
	const void *base;
	uint32_t n_base;
	const void *res;
	uint32_t n_res;
	const void *edits;
	uint64_t n_edits;
};

void tables_route_edits_note(unsigned table,
			     const struct tables_route_edits *e);

/* Route FIBs of `family` (4, 6) made from noted edits since start (for
 * tests and logs). Control thread. */
unsigned long tables_routes_by_edits(int family);

/* Source-validation FIBs of `family` (4, 6) patched from the running
 * snapshot's since start, over the prefixes whose sources changed
 * (sav_table.c; for tests and logs). Control thread. */
unsigned long tables_sav_patched(int family);

#endif /* IXG_TABLES_H */
