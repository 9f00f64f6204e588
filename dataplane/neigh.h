/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * neigh.h - the neighbour table: the MAC of each member next hop on the
 * peering LAN, learned by ARP (RFC 826) and Neighbor Discovery (RFC 4861)
 * and kept fresh, written into the member's egress MAC slot that
 * stage_rewrite reads (tables.h, tbl_egress.mac). doc/neighbours.md.
 *
 * One entry per (member, family) with a `next-hop` of that family. A
 * member with `neighbour static` (the default) has PERMANENT entries: its
 * first `mac`, set by the build. A member with `neighbour learn` starts
 * INCOMPLETE and moves like a Linux neighbour (ip-neighbour(8)):
 *
 *   INCOMPLETE  no MAC: broadcast ARP requests / multicast NSs, one per
 *               retrans_ms, mcast_probes of them, then FAILED
 *   REACHABLE   a reply confirmed the MAC less than reachable_ms ago;
 *               ucast_probes * retrans_ms before that runs out: PROBE
 *   STALE       a MAC heard without a confirmation (the member's own ARP
 *               request, gratuitous ARP, NS, unsolicited NA); PROBE after
 *               delay_ms
 *   PROBE       the MAC is used while unicast probes to it ask for a
 *               confirmation, one per retrans_ms, ucast_probes of them;
 *               unanswered: INCOMPLETE (the MAC is dropped) and the
 *               member is unreachable in that family until it is heard
 *               with a MAC again (neigh_down_get: its kernel hop is
 *               cleared like a lost session's, tables_neigh_down)
 *   FAILED      no answer to the broadcast probes: INCOMPLETE again after
 *               failed_retry_ms
 *   PERMANENT   static: never probed, never changed by what is heard
 *
 * Packets to a member whose entry has no MAC (INCOMPLETE, FAILED) are
 * dropped `unresolved`; the MAC is used in REACHABLE, STALE and PROBE.
 *
 * Threads:
 *  - workers (stage_local) push what they hear into their own observation
 *    ring (neigh_obs_push: single producer, never waits; a full ring loses
 *    the observation and counts it);
 *  - one poller (the exception path's punt thread, punt_linux.c) drains
 *    the rings, moves the entries and sends the probes (neigh_poll);
 *  - the main thread applies the entries to every snapshot before it is
 *    published (neigh_apply between neigh_lock and neigh_unlock, around
 *    the pointer store, runtime.c), so what was learned survives commits
 *    and the poller always writes into the published snapshot.
 * Learning never changes a packet's verdict: the frames it learns from are
 * counted as they were before (answered, punted, or dropped).
 */
#ifndef IXG_NEIGH_H
#define IXG_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include "ixg_api.h"

struct tables;

enum neigh_state {
	NEIGH_NONE = 0, /* no entry (no next hop of the family) */
	NEIGH_INCOMPLETE = 1,
	NEIGH_REACHABLE = 2,
	NEIGH_STALE = 3,
	NEIGH_PROBE = 4,
	NEIGH_FAILED = 5,
	NEIGH_PERMANENT = 6,
	NEIGH_STATES,
};

/* "INCOMPLETE", ...; "NONE" out of range. Any thread. */
const char *neigh_state_name(unsigned state);

/* Timers and probe counts (Linux's defaults for ARP/ND, except the
 * FAILED retry, which Linux leaves to the next packet). */
struct neigh_params {
	uint32_t reachable_ms; /* 30000 */
	uint32_t retrans_ms; /* 1000 */
	uint32_t delay_ms; /* 5000: STALE -> PROBE */
	uint32_t failed_retry_ms; /* 5000: FAILED -> INCOMPLETE */
	uint8_t ucast_probes; /* 3 */
	uint8_t mcast_probes; /* 3 */
};

/* The defaults above into *p. Any thread. */
void neigh_params_default(struct neigh_params *p);

/* ------------------------------------------------------------------ */
/* Observations: from the workers to the poller.                      */

enum neigh_obs_kind {
	/* An ARP reply to the node, a solicited NA: the MAC and a
	 * confirmation that the neighbour is reachable. */
	NEIGH_OBS_REPLY = 1,
	/* An ARP request or gratuitous ARP, an NS with a source link-layer
	 * address, an unsolicited NA: a MAC, no confirmation. */
	NEIGH_OBS_HINT = 2,
	/* A Router Advertisement (RFC 4861 4.2): its link-local source and
	 * MAC, for the link-local table only (below). */
	NEIGH_OBS_RA = 3,
};

struct neigh_obs {
	uint16_t port, vlan, outer_vlan;
	uint16_t in_peer; /* stage_peer's answer, IXG_PEER_NONE unknown MAC */
	uint8_t family; /* 4 or 6 */
	uint8_t kind; /* enum neigh_obs_kind */
	uint8_t override; /* may replace a MAC heard before (ARP; NA O flag;
			   * NS) */
	uint8_t _pad;
	uint8_t mac[6]; /* the link-layer address it claims */
	uint8_t src[6]; /* the frame's Ethernet source */
	uint8_t _pad2[4];
	uint8_t addr[16]; /* the neighbour's address; IPv4 first 4 bytes */
};

#define NEIGH_OBS_RING_SIZE 256u /* a power of two */

/* One worker's ring. head: producer's, tail: consumer's, both
 * free-running; lost: observations the full ring refused (producer). */
struct neigh_obs_ring {
	uint32_t head;
	uint32_t _pad0[15];
	uint32_t tail;
	uint32_t _pad1[15];
	uint64_t lost;
	uint64_t _pad2[7];
	struct neigh_obs obs[NEIGH_OBS_RING_SIZE];
};

/* Queue o (worker side, its own ring): never waits; a full ring counts
 * r->lost and drops o. */
static inline void
neigh_obs_push(struct neigh_obs_ring *r, const struct neigh_obs *o)
{
	uint32_t head = r->head;

	if (head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >=
	    NEIGH_OBS_RING_SIZE) {
		r->lost++;
		return;
	}
	r->obs[head & (NEIGH_OBS_RING_SIZE - 1)] = *o;
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------ */
/* The table.                                                         */

struct neigh;
struct ixg_lcore_counters;

/* What one entry says (neigh_get). */
struct neigh_view {
	uint8_t state; /* enum neigh_state */
	uint8_t learn; /* 1: learned, 0: static */
	uint16_t port, vlan, outer_vlan;
	uint8_t addr[16];
	uint8_t mac[6]; /* valid when has_mac */
	uint8_t has_mac;
	uint64_t confirmed_ns; /* last confirmation (0: never) */
	uint64_t changed_ns; /* last state change */
	uint64_t probes_sent, replies, mac_changes;
	uint8_t unreachable; /* failed its refresh, no MAC since */
	uint64_t down_events; /* times it failed so */
};

/*
 * A table with n_rings observation rings (one per worker), timers from p
 * (NULL: the defaults above). `ctr` (may be NULL) is the counters block
 * the neighbour family is written into (the control threads' block, whose
 * other fields the punt thread writes): only by the lock holder. Returns
 * NULL on allocation failure. Any thread, once.
 */
struct neigh *neigh_create(unsigned n_rings, const struct neigh_params *p,
			   struct ixg_lcore_counters *ctr);

/* Free it. The workers and the poller must have stopped. NULL: no-op. */
void neigh_destroy(struct neigh *n);

/* Worker w's observation ring (pipeline_ctx.neigh_obs), NULL if w is out
 * of range or n is NULL. */
struct neigh_obs_ring *neigh_ring(struct neigh *n, unsigned w);

/* Observations lost to full rings, all workers. Any thread. */
uint64_t neigh_lost(const struct neigh *n);

/* The table's mutex: neigh_apply and the pointer store of a publish run
 * under it (runtime.c). NULL: no-op. */
void neigh_lock(struct neigh *n);
void neigh_unlock(struct neigh *n);

/*
 * Lock held, t about to be published: entries follow t's peers (a new
 * member's start INCOMPLETE or PERMANENT, a removed member's go, a member
 * whose address, port or VLAN changed starts again; the rest keep what
 * was learned), every learning member's egress MAC slot of t gets its
 * entry's MAC (0 without one), and t becomes the snapshot later MACs are
 * stored into. now_ns: monotonic clock. NULL n: no-op.
 */
void neigh_apply(struct neigh *n, struct tables *t, uint64_t now_ns);

/* Send one frame the table built out of `port` (spec id). 0 if queued,
 * negative if not (the probe is not counted). */
typedef int (*neigh_send_fn)(void *arg, uint16_t port, const uint8_t *frame,
			     unsigned len);

/*
 * The poller's turn: take the lock, drain every ring (neigh_input), run
 * the timers that are due at now_ns (at most every 10 ms) and send the
 * probes they ask for through send(arg, ...). Returns the observations
 * taken. One poller thread.
 */
unsigned neigh_poll(struct neigh *n, uint64_t now_ns, neigh_send_fn send,
		    void *arg);

/*
 * One observation, lock held (neigh_poll does it; tests call it): learned
 * if its address is a learning member's next hop on its (port, VLANs) and
 * the sender may speak for it (the member by its MAC lock, or any MAC when
 * the member has no lock); ignored otherwise (a member claiming another's
 * address is counted arp_nd_spoofed by stage_local where it applies).
 * Returns true if an entry learned from it.
 */
bool neigh_input(struct neigh *n, const struct neigh_obs *o, uint64_t now_ns);

/* Run the timers due at now_ns, lock held (neigh_poll does it). */
void neigh_timers(struct neigh *n, uint64_t now_ns, neigh_send_fn send,
		  void *arg);

/*
 * The members whose learned neighbour failed its refresh (a PROBE's
 * unicast probes unanswered, so its MAC was dropped) and has not been
 * heard with a MAC since: down[0] bit p for member p's IPv4 next hop,
 * down[1] for its IPv6 one (0 for every bit when n is NULL). A bit clears
 * when the neighbour answers or speaks again, or when the member's entry
 * starts again (config change, member removed). An entry that never had a
 * MAC is not down: its packets are dropped `unresolved` as before. The
 * main thread applies it to the published snapshot (tables_neigh_down).
 * Takes the lock: any thread that does not hold it.
 */
void neigh_down_get(struct neigh *n, uint64_t down[2][IXG_MAX_PEERS / 64]);

/* Entry (peer, family 4 or 6) into v; false if there is none. Lock held
 * (or no poller running). */
bool neigh_get(const struct neigh *n, uint16_t peer, int family,
	       struct neigh_view *v);

/*
 * Frame builders (any thread, pure): an ARP request (RFC 826) for `target`
 * from our (mac, ip), or a Neighbor Solicitation (RFC 4861 4.3) for
 * `target` from our (mac, ip6) with our source link-layer address; to
 * dst_mac (unicast probe) or NULL (broadcast; the solicited-node multicast
 * address, RFC 4291 2.7.1), tagged with vlan / outer_vlan (0: none).
 * Written into buf (at least NEIGH_FRAME_MAX bytes); returns the length.
 */
#define NEIGH_FRAME_MAX 96
unsigned neigh_build_arp(uint8_t *buf, const uint8_t our_mac[6],
			 const uint8_t our_ip[4], const uint8_t target[4],
			 const uint8_t *dst_mac, uint16_t vlan,
			 uint16_t outer_vlan);
unsigned neigh_build_ns(uint8_t *buf, const uint8_t our_mac[6],
			const uint8_t our_ip[16], const uint8_t target[16],
			const uint8_t *dst_mac, uint16_t vlan,
			uint16_t outer_vlan);

/* ------------------------------------------------------------------ */
/* Members' IPv6 link-local addresses (doc/neighbours.md, "Link-local */
/* addresses"; doc/routing.md, "Gateways by link-local address").     */
/*
 * A kernel route's IPv6 gateway is usually the member's link-local
 * address (RFC 2545), which no config names. The table learns the
 * (member, link-local address) pairs it hears: an NS (its source), an NA
 * (its target) or an RA (its source) whose address is link-local and not
 * the node's, on the member's own (port, VLANs), sent from a MAC of the
 * member (its MAC lock; without a lock, the MAC learned for its next hop)
 * and claiming that same MAC as link-layer address. Bounded: at most
 * NEIGH_LL_PER_PEER per member (a new one replaces the member's longest
 * unheard) and NEIGH_LL_MAX in all (beyond: not learned, counted).
 *
 * The control plane says which link-local gateways it needs
 * (neigh_ll_want): an unlearned one is solicited (a multicast NS from
 * the node's address on every link of a member with an IPv6 next hop or
 * a learned link-local, retrans_ms apart mcast_probes times, then every
 * failed_retry_ms); a learned one unheard for reachable_ms is asked again
 * by unicast NS, ucast_probes times retrans_ms apart, and removed if none
 * is answered. A pair nobody wants is removed NEIGH_LL_IDLE_MULT *
 * reachable_ms after it was last heard; every pair of a member goes when
 * the member is removed or its port or VLANs change. Each change bumps
 * the table's generation.
 */
#define NEIGH_LL_MAX 1024u
#define NEIGH_LL_PER_PEER 4u
#define NEIGH_LL_IDLE_MULT 10u
#define NEIGH_LL_WANT_MAX IXG_LLADDR_WANT_MAX

/* One learned pair (neigh_ll_get). */
struct neigh_ll_view {
	uint16_t peer, port, vlan, outer_vlan;
	uint8_t addr[16];
	uint8_t mac[6];
	uint8_t wanted; /* the control plane asked for it */
	uint8_t probing; /* unicast probes unanswered so far */
	uint64_t heard_ns; /* last heard (monotonic) */
};

/*
 * The addresses the control plane needs (n of them, 16 bytes each; only
 * link-local ones are kept, at most NEIGH_LL_WANT_MAX), replacing the
 * last list; an address kept from it keeps its probe schedule. Takes the
 * lock: any thread that does not hold it.
 */
void neigh_ll_want(struct neigh *n, const uint8_t (*addrs)[16],
		   unsigned n_addrs, uint64_t now_ns);

/*
 * The table's generation (0 before anything was learned), the pairs
 * learned (*total) and up to max of them from index start into out (in
 * the table's order, stable while the generation is); the members'
 * unreachable bits as neigh_down_get gives them into down (may be NULL).
 * Returns how many went into out. Takes the lock: any thread that does
 * not hold it.
 */
unsigned neigh_ll_get(struct neigh *n, unsigned start,
		      struct neigh_ll_view *out, unsigned max,
		      uint64_t *generation, unsigned *total,
		      uint64_t down[2][IXG_MAX_PEERS / 64]);

/* Pairs refused because the table was full (NEIGH_LL_MAX). Any thread. */
uint64_t neigh_ll_refused(const struct neigh *n);

#endif /* IXG_NEIGH_H */
