/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * neigh.c - the neighbour table (neigh.h, doc/neighbours.md): entries per
 * (member, family), their state machine, the observations from the
 * workers, the probes, and the egress MAC slots of the published snapshot.
 *
 * Entries are indexed by peer id * 2 + (family == 6): a worker names the
 * member that sent a frame (stage_peer), so an observation from a member
 * finds its entry directly; one from a MAC no member has (a learning
 * member without a MAC lock) goes through `idx`, an open-addressed index
 * by (family, address) rebuilt at each neigh_apply.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "neigh.h"
#include "pkt_bytes.h"
#include "tables.h"

#define N_ENTRIES (2 * IXG_MAX_PEERS)
#define IDX_SIZE (2 * N_ENTRIES) /* a power of two, twice the entries */
#define TICK_NS 10000000ull /* timers at most every 10 ms */
#define MS 1000000ull
#define NEVER UINT64_MAX

#define ETH_P_ARP 0x0806
#define ETH_P_IPV6 0x86dd
#define TPID_CTAG 0x8100
#define TPID_STAG 0x88a8
#define ND_NEIGHBOR_SOLICIT 135
#define ND_OPT_SOURCE_LLADDR 1
#define ND_HOP_LIMIT 255
#define ETH_MIN 60 /* without FCS */

struct neigh_entry {
	uint8_t used;
	uint8_t learn;
	uint8_t state; /* enum neigh_state */
	uint8_t family;
	uint8_t locked; /* the member has a MAC lock */
	uint8_t probes; /* sent in this state */
	uint8_t down; /* failed its refresh, no MAC since (neigh_down_get) */
	uint16_t peer, port, vlan, outer_vlan;
	uint8_t addr[16];
	uint64_t mac; /* tbl_mac48() | TBL_MAC_VALID, 0: none */
	uint64_t changed_ns, confirmed_ns, next_ns;
	uint64_t confirmed_unix; /* wall clock of confirmed_ns, for readers */
	uint64_t probes_sent, replies, mac_changes, down_events;
};

/* A learned (member, link-local address) pair (neigh.h). */
struct neigh_ll {
	uint8_t used;
	uint8_t probes; /* unicast probes unanswered */
	uint16_t peer, port, vlan, outer_vlan;
	uint8_t addr[16];
	uint8_t mac[6];
	uint64_t heard_ns, next_ns; /* next_ns: the next probe, when wanted */
};

/* A link-local address the control plane needs (neigh_ll_want). */
struct neigh_want {
	uint8_t addr[16];
	uint32_t probes; /* multicast NSs sent while unlearned */
	uint64_t next_ns; /* the next one */
};

struct neigh {
	pthread_mutex_t lock;
	struct neigh_params p;
	struct ixg_lcore_counters *ctr;
	struct tables *t; /* the published snapshot (lock) */
	uint64_t next_tick;
	unsigned n_rings;
	struct neigh_obs_ring *rings; /* [n_rings] */
	struct neigh_entry e[N_ENTRIES];
	uint16_t idx[IDX_SIZE]; /* entry + 1, 0 empty */
	/* The learning entries (used && learn), which neigh_timers visits:
	 * rebuilt by neigh_apply, the only writer of used and learn. */
	uint16_t active[N_ENTRIES];
	unsigned n_active;
	/* The entries' `down`, by family and peer id (neigh_down_get). */
	uint64_t down[2][IXG_MAX_PEERS / 64];
	/* Learned link-local pairs, unordered, and what the control plane
	 * wants (neigh.h, "Members' IPv6 link-local addresses"). */
	struct neigh_ll ll[NEIGH_LL_MAX];
	unsigned
		ll_used; /* entries of ll with used set (ll_timers stops there) */
	uint64_t ll_gen, ll_refused;
	struct neigh_want want[NEIGH_LL_WANT_MAX];
	unsigned n_want;
};

static void ll_timers(struct neigh *n, uint64_t now_ns, neigh_send_fn send,
		      void *arg);

/* Forget the learned pair l (a used entry of n->ll). */
static void
ll_free(struct neigh *n, struct neigh_ll *l)
{
	memset(l, 0, sizeof(*l));
	n->ll_used--;
	n->ll_gen++;
}

static const char *const state_names[NEIGH_STATES] = {
	[NEIGH_NONE] = "NONE",		 [NEIGH_INCOMPLETE] = "INCOMPLETE",
	[NEIGH_REACHABLE] = "REACHABLE", [NEIGH_STALE] = "STALE",
	[NEIGH_PROBE] = "PROBE",	 [NEIGH_FAILED] = "FAILED",
	[NEIGH_PERMANENT] = "PERMANENT",
};

/* See neigh.h. */
const char *
neigh_state_name(unsigned state)
{
	return state < NEIGH_STATES ? state_names[state] : "NONE";
}

static const struct neigh_params defaults = {
	.reachable_ms = 30000,
	.retrans_ms = 1000,
	.delay_ms = 5000,
	.failed_retry_ms = 5000,
	.ucast_probes = 3,
	.mcast_probes = 3,
};

/* See neigh.h. */
void
neigh_params_default(struct neigh_params *p)
{
	*p = defaults;
}

/* See neigh.h. */
struct neigh *
neigh_create(unsigned n_rings, const struct neigh_params *p,
	     struct ixg_lcore_counters *ctr)
{
	struct neigh *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	if (n_rings > 0) {
		if (posix_memalign((void **)&n->rings, 64,
				   n_rings * sizeof(*n->rings)) != 0) {
			free(n);
			return NULL;
		}
		memset(n->rings, 0, n_rings * sizeof(*n->rings));
	}
	n->n_rings = n_rings;
	n->p = p != NULL ? *p : defaults;
	if (n->p.ucast_probes == 0)
		n->p.ucast_probes = 1;
	if (n->p.mcast_probes == 0)
		n->p.mcast_probes = 1;
	n->ctr = ctr;
	pthread_mutex_init(&n->lock, NULL);
	return n;
}

/* See neigh.h. */
void
neigh_destroy(struct neigh *n)
{
	if (n == NULL)
		return;
	pthread_mutex_destroy(&n->lock);
	free(n->rings);
	free(n);
}

/* See neigh.h. */
struct neigh_obs_ring *
neigh_ring(struct neigh *n, unsigned w)
{
	return n != NULL && w < n->n_rings ? &n->rings[w] : NULL;
}

/* See neigh.h. */
uint64_t
neigh_lost(const struct neigh *n)
{
	uint64_t v = 0;

	for (unsigned w = 0; n != NULL && w < n->n_rings; w++)
		v += __atomic_load_n(&n->rings[w].lost, __ATOMIC_RELAXED);
	return v;
}

/* See neigh.h. */
void
neigh_lock(struct neigh *n)
{
	if (n != NULL)
		pthread_mutex_lock(&n->lock);
}

/* See neigh.h. */
void
neigh_unlock(struct neigh *n)
{
	if (n != NULL)
		pthread_mutex_unlock(&n->lock);
}

/* ------------------------------------------------------------------ */
/* Entries.                                                           */

static inline unsigned
alen(uint8_t family)
{
	return family == 4 ? 4 : 16;
}

static uint32_t
idx_hash(uint8_t family, const uint8_t *addr)
{
	uint64_t a = 0, b = 0;

	memcpy(&a, addr, 8);
	if (family == 6)
		memcpy(&b, addr + 8, 8);
	a ^= b * 0x9e3779b97f4a7c15ull ^ family;
	return (uint32_t)((a * 0x9e3779b97f4a7c15ull) >> 32) & (IDX_SIZE - 1);
}

static void
idx_add(struct neigh *n, unsigned i)
{
	const struct neigh_entry *e = &n->e[i];
	uint32_t h = idx_hash(e->family, e->addr);

	while (n->idx[h] != 0)
		h = (h + 1) & (IDX_SIZE - 1);
	n->idx[h] = (uint16_t)(i + 1);
}

/* The learning entry of (family, addr) on o's link, or NULL. */
static struct neigh_entry *
idx_find(struct neigh *n, const struct neigh_obs *o)
{
	uint32_t h = idx_hash(o->family, o->addr);

	for (; n->idx[h] != 0; h = (h + 1) & (IDX_SIZE - 1)) {
		struct neigh_entry *e = &n->e[n->idx[h] - 1];

		if (e->family == o->family && e->port == o->port &&
		    e->vlan == o->vlan && e->outer_vlan == o->outer_vlan &&
		    memcmp(e->addr, o->addr, alen(o->family)) == 0)
			return e;
	}
	return NULL;
}

/* Mirror e into the counters block (IXG_CTR_NEIGH): plain stores by the
 * lock holder, the block's only writer of these fields. An entry that
 * went leaves zeros. */
static void
ctr_sync(struct neigh *n, const struct neigh_entry *e)
{
	struct ixg_ctr_neigh *c;
	uint64_t mac = 0;

	if (n->ctr == NULL)
		return;
	c = &n->ctr->neigh[e - n->e];
	if (!e->used) {
		memset(c, 0, sizeof(*c));
		return;
	}
	/* First byte highest, as a MAC reads. */
	for (unsigned i = 0; e->mac != 0 && i < 6; i++)
		mac = mac << 8 | ((e->mac >> (8 * i)) & 0xff);
	__atomic_store_n(&c->state, e->state, __ATOMIC_RELAXED);
	__atomic_store_n(&c->probes, e->probes_sent, __ATOMIC_RELAXED);
	__atomic_store_n(&c->replies, e->replies, __ATOMIC_RELAXED);
	__atomic_store_n(&c->mac_changes, e->mac_changes, __ATOMIC_RELAXED);
	__atomic_store_n(&c->confirmed_unix, e->confirmed_unix,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&c->mac, mac, __ATOMIC_RELAXED);
}

/* Store e's MAC into the published snapshot's egress slot. */
static void
slot_store(struct neigh *n, const struct neigh_entry *e)
{
	if (n->t == NULL || !e->learn || !n->t->peers[e->peer].configured)
		return;
	__atomic_store_n(&n->t->egress[e->peer].mac[e->family == 6], e->mac,
			 __ATOMIC_RELAXED);
}

static void
set_state(struct neigh *n, struct neigh_entry *e, uint8_t state, uint64_t now,
	  uint64_t next)
{
	if (e->state != state) {
		e->state = state;
		e->changed_ns = now;
		e->probes = 0;
	}
	e->next_ns = next;
	ctr_sync(n, e);
}

/* e failed its refresh (true) or has a MAC again (false): the member's
 * bit of the family in n->down, which the main thread applies to the
 * published snapshot's hops (neigh_down_get, tables_neigh_down). */
static void
set_down(struct neigh *n, struct neigh_entry *e, bool down)
{
	uint64_t bit = UINT64_C(1) << (e->peer % 64);
	uint64_t *w = &n->down[e->family == 6][e->peer / 64];

	if (down && !e->down)
		e->down_events++;
	e->down = down;
	if (down)
		*w |= bit;
	else
		*w &= ~bit;
}

/* See neigh.h. */
void
neigh_apply(struct neigh *n, struct tables *t, uint64_t now_ns)
{
	if (n == NULL)
		return;
	memset(n->idx, 0, sizeof(n->idx));
	for (unsigned peer = 1; peer < IXG_MAX_PEERS; peer++) {
		const struct tbl_peer *tp = &t->peers[peer];

		for (unsigned f = 0; f < 2; f++) {
			struct neigh_entry *e = &n->e[peer * 2 + f];
			uint8_t family = f == 0 ? 4 : 6;
			const uint8_t *addr = f == 0 ? tp->nh4 : tp->nh6;
			bool want = tp->configured &&
				    (f == 0 ? tp->has_nh4 : tp->has_nh6);
			bool learn = tp->neigh_learn == IXG_NEIGH_LEARN;

			if (!want) {
				if (e->used)
					memset(e, 0, sizeof(*e));
				n->down[f][peer / 64] &= ~(UINT64_C(1)
							   << (peer % 64));
				ctr_sync(n, e);
				continue;
			}
			if (!e->used || e->learn != learn ||
			    e->port != tp->port_id || e->vlan != tp->vlan ||
			    e->outer_vlan != tp->outer_vlan ||
			    memcmp(e->addr, addr, alen(family)) != 0 ||
			    (!learn && e->mac != t->egress[peer].mac[f])) {
				/* New, or not the same neighbour any more:
				 * nothing it failed counts against it. */
				memset(e, 0, sizeof(*e));
				n->down[f][peer / 64] &= ~(UINT64_C(1)
							   << (peer % 64));
				e->used = 1;
				e->learn = learn;
				e->family = family;
				e->peer = (uint16_t)peer;
				e->port = tp->port_id;
				e->vlan = tp->vlan;
				e->outer_vlan = tp->outer_vlan;
				memcpy(e->addr, addr, alen(family));
				e->changed_ns = now_ns;
				if (learn) {
					e->state = NEIGH_INCOMPLETE;
					e->next_ns = now_ns; /* probe now */
				} else {
					e->state = NEIGH_PERMANENT;
					e->mac = t->egress[peer].mac[f];
					e->next_ns = NEVER;
				}
			}
			e->locked = tp->n_macs > 0;
			if (learn) {
				t->egress[peer].mac[f] = e->mac;
				idx_add(n, peer * 2 + f);
			}
			ctr_sync(n, e);
		}
	}
	/* Link-local pairs follow their member's link. */
	for (unsigned i = 0; i < NEIGH_LL_MAX; i++) {
		struct neigh_ll *l = &n->ll[i];
		const struct tbl_peer *tp;

		if (!l->used)
			continue;
		tp = &t->peers[l->peer];
		if (!tp->configured || tp->port_id != l->port ||
		    tp->vlan != l->vlan || tp->outer_vlan != l->outer_vlan)
			ll_free(n, l);
	}
	n->n_active = 0;
	for (unsigned i = 2; i < N_ENTRIES; i++)
		if (n->e[i].used && n->e[i].learn)
			n->active[n->n_active++] = (uint16_t)i;
	n->t = t;
	n->next_tick = 0; /* new entries probe at the next poll */
}

/* See neigh.h. */
bool
neigh_get(const struct neigh *n, uint16_t peer, int family,
	  struct neigh_view *v)
{
	const struct neigh_entry *e;
	uint64_t mac;

	if (n == NULL || peer == IXG_PEER_NONE || peer >= IXG_MAX_PEERS ||
	    (family != 4 && family != 6))
		return false;
	e = &n->e[peer * 2 + (family == 6)];
	if (!e->used)
		return false;
	memset(v, 0, sizeof(*v));
	v->state = e->state;
	v->learn = e->learn;
	v->port = e->port;
	v->vlan = e->vlan;
	v->outer_vlan = e->outer_vlan;
	memcpy(v->addr, e->addr, 16);
	v->has_mac = e->mac != 0;
	mac = rte_cpu_to_le_64(e->mac);
	memcpy(v->mac, &mac, 6);
	v->confirmed_ns = e->confirmed_ns;
	v->changed_ns = e->changed_ns;
	v->probes_sent = e->probes_sent;
	v->replies = e->replies;
	v->mac_changes = e->mac_changes;
	v->unreachable = e->down;
	v->down_events = e->down_events;
	return true;
}

/* ------------------------------------------------------------------ */
/* Observations.                                                      */

/* A MAC a neighbour may have: not multicast/broadcast, not zero. */
static bool
mac_ok(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

static bool ll_input(struct neigh *n, const struct neigh_obs *o,
		     uint64_t now_ns);

static void
set_mac(struct neigh_entry *e, uint64_t mac)
{
	if (e->mac != 0 && e->mac != mac)
		e->mac_changes++;
	e->mac = mac;
}

/* See neigh.h. */
bool
neigh_input(struct neigh *n, const struct neigh_obs *o, uint64_t now_ns)
{
	const struct neigh_params *p = &n->p;
	struct neigh_entry *e;
	bool learned = false;
	uint64_t mac;

	if ((o->family != 4 && o->family != 6) || !mac_ok(o->mac))
		return learned;
	if (o->family == 6 && tbl_ip6_link_local(o->addr))
		learned = ll_input(n, o, now_ns);
	if (o->kind == NEIGH_OBS_RA)
		return learned;
	if (o->in_peer != IXG_PEER_NONE) {
		/* A member by its MAC lock: only its own next hop. */
		if (o->in_peer >= IXG_MAX_PEERS)
			return learned;
		e = &n->e[o->in_peer * 2 + (o->family == 6)];
		if (!e->used || e->port != o->port || e->vlan != o->vlan ||
		    e->outer_vlan != o->outer_vlan ||
		    memcmp(e->addr, o->addr, alen(o->family)) != 0)
			return learned;
	} else {
		/* A MAC no member has: only for a member without a lock. */
		e = idx_find(n, o);
		if (e == NULL || e->locked)
			return learned;
	}
	if (!e->learn)
		return learned;
	mac = tbl_mac48(o->mac) | TBL_MAC_VALID;
	if (o->kind == NEIGH_OBS_REPLY) {
		/* RFC 4861 7.2.5: a solicited advertisement confirms; RFC 826
		 * merges a reply's sender into the table. */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		e->replies++;
		set_mac(e, mac);
		e->confirmed_ns = now_ns;
		e->confirmed_unix = (uint64_t)ts.tv_sec;
		if (e->state != NEIGH_REACHABLE) {
			e->state = NEIGH_REACHABLE;
			e->changed_ns = now_ns;
		}
		e->probes = 0;
		e->next_ns = now_ns + (uint64_t)p->reachable_ms * MS -
			     RTE_MIN((uint64_t)p->reachable_ms,
				     (uint64_t)p->ucast_probes *
					     p->retrans_ms) *
				     MS;
	} else if (e->mac == 0 || (e->mac != mac && o->override)) {
		/* RFC 4861 7.2.3 / 7.2.5: a new link-layer address makes the
		 * entry STALE; the same one changes nothing. */
		set_mac(e, mac);
		e->state = NEIGH_STALE;
		e->changed_ns = now_ns;
		e->probes = 0;
		e->next_ns = now_ns + (uint64_t)p->delay_ms * MS;
	} else {
		return learned;
	}
	/* It answers (or speaks) again: a member-level failure ends. */
	if (e->down)
		set_down(n, e, false);
	slot_store(n, e);
	ctr_sync(n, e);
	return true;
}

/* ------------------------------------------------------------------ */
/* Probes.                                                            */

/* Our first address of e's family on its (port, VLAN), or NULL. For IPv6
 * a global one if there is, else link-local. */
static const uint8_t *
our_addr(const struct tables *t, const struct neigh_entry *e)
{
	const uint8_t *ll = NULL;

	for (uint32_t i = 0; i < t->n_local_addrs; i++) {
		const struct tbl_local_addr *a = &t->local_addrs[i];

		if (a->family != e->family || a->port_id != e->port ||
		    a->vlan != e->vlan)
			continue;
		if (e->family == 6 && a->addr[0] == 0xfe &&
		    (a->addr[1] & 0xc0) == 0x80) {
			if (ll == NULL)
				ll = a->addr;
			continue;
		}
		return a->addr;
	}
	return ll;
}

/* Send one probe for e: unicast to its MAC, or broadcast. */
static void
probe(struct neigh *n, struct neigh_entry *e, bool unicast, neigh_send_fn send,
      void *arg)
{
	const struct tables *t = n->t;
	uint8_t frame[NEIGH_FRAME_MAX], dst[6];
	const uint8_t *src;
	uint64_t mac;
	unsigned len;

	e->probes++;
	if (t == NULL || send == NULL || e->port >= IXG_MAX_PORTS)
		return;
	src = our_addr(t, e);
	if (src == NULL)
		return; /* no address to ask from: doc/neighbours.md */
	mac = rte_cpu_to_le_64(e->mac);
	memcpy(dst, &mac, 6);
	if (e->family == 4)
		len = neigh_build_arp(frame, t->ports[e->port].mac, src,
				      e->addr, unicast ? dst : NULL, e->vlan,
				      e->outer_vlan);
	else
		len = neigh_build_ns(frame, t->ports[e->port].mac, src, e->addr,
				     unicast ? dst : NULL, e->vlan,
				     e->outer_vlan);
	if (send(arg, e->port, frame, len) == 0)
		e->probes_sent++;
}

/* See neigh.h. */
void
neigh_timers(struct neigh *n, uint64_t now_ns, neigh_send_fn send, void *arg)
{
	const struct neigh_params *p = &n->p;
	uint64_t retrans = (uint64_t)p->retrans_ms * MS;

	for (unsigned k = 0; k < n->n_active; k++) {
		struct neigh_entry *e = &n->e[n->active[k]];

		if (e->next_ns > now_ns)
			continue;
		switch (e->state) {
		case NEIGH_FAILED:
			set_state(n, e, NEIGH_INCOMPLETE, now_ns, now_ns);
			/* fall through */
		case NEIGH_INCOMPLETE:
			if (e->probes < p->mcast_probes) {
				probe(n, e, false, send, arg);
				e->next_ns = now_ns + retrans;
			} else {
				set_state(n, e, NEIGH_FAILED, now_ns,
					  now_ns +
						  (uint64_t)p->failed_retry_ms *
							  MS);
			}
			break;
		case NEIGH_REACHABLE:
		case NEIGH_STALE:
			set_state(n, e, NEIGH_PROBE, now_ns, now_ns);
			/* fall through */
		case NEIGH_PROBE:
			if (e->probes < p->ucast_probes) {
				probe(n, e, true, send, arg);
				e->next_ns = now_ns + retrans;
				break;
			}
			/* Unanswered: the MAC goes, broadcast again, and
			 * the member is unreachable in this family: its
			 * kernel hop is cleared like a lost session's. */
			e->mac = 0;
			slot_store(n, e);
			set_down(n, e, true);
			set_state(n, e, NEIGH_INCOMPLETE, now_ns, now_ns);
			probe(n, e, false, send, arg);
			e->next_ns = now_ns + retrans;
			break;
		default: e->next_ns = NEVER; break;
		}
		ctr_sync(n, e);
	}
	ll_timers(n, now_ns, send, arg);
}

/* See neigh.h. */
void
neigh_down_get(struct neigh *n, uint64_t down[2][IXG_MAX_PEERS / 64])
{
	if (n == NULL) {
		memset(down, 0, sizeof(uint64_t) * 2 * (IXG_MAX_PEERS / 64));
		return;
	}
	pthread_mutex_lock(&n->lock);
	memcpy(down, n->down, sizeof(n->down));
	pthread_mutex_unlock(&n->lock);
}

/* See neigh.h. */
unsigned
neigh_poll(struct neigh *n, uint64_t now_ns, neigh_send_fn send, void *arg)
{
	unsigned taken = 0;

	if (n == NULL)
		return 0;
	pthread_mutex_lock(&n->lock);
	for (unsigned w = 0; w < n->n_rings; w++) {
		struct neigh_obs_ring *r = &n->rings[w];
		uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
		uint32_t tail = r->tail;

		for (; tail != head; tail++, taken++)
			neigh_input(n,
				    &r->obs[tail & (NEIGH_OBS_RING_SIZE - 1)],
				    now_ns);
		__atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
	}
	if (now_ns >= n->next_tick) {
		neigh_timers(n, now_ns, send, arg);
		n->next_tick = now_ns + TICK_NS;
	}
	pthread_mutex_unlock(&n->lock);
	return taken;
}

/* ------------------------------------------------------------------ */
/* Link-local pairs (neigh.h).                                        */

/* The member that sent o from its own MAC, or IXG_PEER_NONE: by its MAC
 * lock (stage_peer's in_peer), else a member without a lock whose next
 * hop's learned MAC it is, on the same link. */
static uint16_t
ll_sender(const struct neigh *n, const struct neigh_obs *o)
{
	uint64_t src = tbl_mac48(o->src) | TBL_MAC_VALID;

	if (o->in_peer != IXG_PEER_NONE)
		return o->in_peer < IXG_MAX_PEERS ? o->in_peer : IXG_PEER_NONE;
	for (unsigned i = 2; i < N_ENTRIES; i++) {
		const struct neigh_entry *e = &n->e[i];

		if (e->used && !e->locked && e->mac == src &&
		    e->port == o->port && e->vlan == o->vlan &&
		    e->outer_vlan == o->outer_vlan)
			return e->peer;
	}
	return IXG_PEER_NONE;
}

/* One of the node's own addresses. */
static bool
node_addr(const struct tables *t, const uint8_t addr[16])
{
	for (uint32_t i = 0; t != NULL && i < t->n_local_addrs; i++)
		if (t->local_addrs[i].family == 6 &&
		    memcmp(t->local_addrs[i].addr, addr, 16) == 0)
			return true;
	return false;
}

static struct neigh_want *
want_find(struct neigh *n, const uint8_t addr[16])
{
	for (unsigned i = 0; i < n->n_want; i++)
		if (memcmp(n->want[i].addr, addr, 16) == 0)
			return &n->want[i];
	return NULL;
}

/* o (family 6, link-local address) teaches a pair if its sender is a
 * member on its own link claiming the MAC it sends from (neigh.h). */
static bool
ll_input(struct neigh *n, const struct neigh_obs *o, uint64_t now_ns)
{
	const struct tbl_peer *tp;
	struct neigh_ll *l, *free_slot = NULL, *oldest = NULL;
	unsigned mine = 0;
	uint16_t peer;

	if (n->t == NULL || memcmp(o->mac, o->src, 6) != 0 ||
	    node_addr(n->t, o->addr))
		return false;
	peer = ll_sender(n, o);
	if (peer == IXG_PEER_NONE || peer == 0)
		return false;
	tp = &n->t->peers[peer];
	if (!tp->configured || tp->port_id != o->port || tp->vlan != o->vlan ||
	    tp->outer_vlan != o->outer_vlan)
		return false;
	for (unsigned i = 0; i < NEIGH_LL_MAX; i++) {
		l = &n->ll[i];
		if (!l->used) {
			if (free_slot == NULL)
				free_slot = l;
			continue;
		}
		if (l->peer == peer && memcmp(l->addr, o->addr, 16) == 0) {
			bool changed = memcmp(l->mac, o->mac, 6) != 0;

			/* Heard again: fresh, no probe owed. */
			memcpy(l->mac, o->mac, 6);
			l->heard_ns = now_ns;
			l->probes = 0;
			l->next_ns = now_ns + (uint64_t)n->p.reachable_ms * MS;
			if (changed)
				n->ll_gen++;
			return changed;
		}
		if (l->peer == peer) {
			mine++;
			if (oldest == NULL || l->heard_ns < oldest->heard_ns)
				oldest = l;
		}
	}
	if (mine >= NEIGH_LL_PER_PEER)
		l = oldest; /* the member's longest unheard makes room */
	else if (free_slot != NULL)
		l = free_slot;
	else {
		__atomic_fetch_add(&n->ll_refused, 1, __ATOMIC_RELAXED);
		return false;
	}
	if (!l->used)
		n->ll_used++;
	memset(l, 0, sizeof(*l));
	l->used = 1;
	l->peer = peer;
	l->port = o->port;
	l->vlan = o->vlan;
	l->outer_vlan = o->outer_vlan;
	memcpy(l->addr, o->addr, 16);
	memcpy(l->mac, o->mac, 6);
	l->heard_ns = now_ns;
	l->next_ns = now_ns + (uint64_t)n->p.reachable_ms * MS;
	n->ll_gen++;
	return true;
}

/* See neigh.h. */
void
neigh_ll_want(struct neigh *n, const uint8_t (*addrs)[16], unsigned n_addrs,
	      uint64_t now_ns)
{
	struct neigh_want *old;
	unsigned n_old, k = 0;

	if (n == NULL)
		return;
	old = malloc(sizeof(n->want));
	if (old == NULL)
		return; /* the last list stays */
	pthread_mutex_lock(&n->lock);
	memcpy(old, n->want, sizeof(n->want));
	n_old = n->n_want;
	for (unsigned i = 0; i < n_addrs && k < NEIGH_LL_WANT_MAX; i++) {
		struct neigh_want *w = &n->want[k];
		bool dup = false;

		if (!tbl_ip6_link_local(addrs[i]))
			continue;
		for (unsigned j = 0; j < k && !dup; j++)
			dup = memcmp(n->want[j].addr, addrs[i], 16) == 0;
		if (dup)
			continue;
		memset(w, 0, sizeof(*w));
		memcpy(w->addr, addrs[i], 16);
		w->next_ns = now_ns; /* a new one is asked for at once */
		for (unsigned j = 0; j < n_old; j++)
			if (memcmp(old[j].addr, addrs[i], 16) == 0)
				*w = old[j];
		k++;
	}
	n->n_want = k;
	pthread_mutex_unlock(&n->lock);
	free(old);
}

/* Whether pair l's address is wanted. */
static bool
ll_wanted(struct neigh *n, const struct neigh_ll *l)
{
	return want_find(n, l->addr) != NULL;
}

/* Solicit addr by multicast NS on every link of a member with an IPv6
 * next hop or a learned pair (each link once). */
static void
ll_solicit(struct neigh *n, const uint8_t addr[16], neigh_send_fn send,
	   void *arg)
{
	struct link {
		uint16_t port, vlan, outer;
	} links[64];
	unsigned n_links = 0;
	const struct tables *t = n->t;

	if (t == NULL || send == NULL)
		return;
	for (unsigned i = 2; i < N_ENTRIES + NEIGH_LL_MAX; i++) {
		uint16_t port, vlan, outer;
		unsigned j;

		if (i < N_ENTRIES) {
			const struct neigh_entry *e = &n->e[i];

			if (!e->used || e->family != 6)
				continue;
			port = e->port, vlan = e->vlan, outer = e->outer_vlan;
		} else {
			const struct neigh_ll *l = &n->ll[i - N_ENTRIES];

			if (!l->used)
				continue;
			port = l->port, vlan = l->vlan, outer = l->outer_vlan;
		}
		for (j = 0; j < n_links; j++)
			if (links[j].port == port && links[j].vlan == vlan &&
			    links[j].outer == outer)
				break;
		if (j < n_links || n_links == 64 || port >= IXG_MAX_PORTS)
			continue;
		links[n_links++] = (struct link){port, vlan, outer};
	}
	for (unsigned j = 0; j < n_links; j++) {
		struct neigh_entry probe_e = {
			.family = 6,
			.port = links[j].port,
			.vlan = links[j].vlan,
		};
		uint8_t frame[NEIGH_FRAME_MAX];
		const uint8_t *src = our_addr(t, &probe_e);
		unsigned len;

		if (src == NULL)
			continue;
		len = neigh_build_ns(frame, t->ports[links[j].port].mac, src,
				     addr, NULL, links[j].vlan, links[j].outer);
		send(arg, links[j].port, frame, len);
	}
}

/* Unicast NS to pair l's MAC. */
static void
ll_probe(struct neigh *n, const struct neigh_ll *l, neigh_send_fn send,
	 void *arg)
{
	struct neigh_entry probe_e = {
		.family = 6,
		.port = l->port,
		.vlan = l->vlan,
	};
	const struct tables *t = n->t;
	uint8_t frame[NEIGH_FRAME_MAX];
	const uint8_t *src;
	unsigned len;

	if (t == NULL || send == NULL || l->port >= IXG_MAX_PORTS)
		return;
	src = our_addr(t, &probe_e);
	if (src == NULL)
		return;
	len = neigh_build_ns(frame, t->ports[l->port].mac, src, l->addr, l->mac,
			     l->vlan, l->outer_vlan);
	send(arg, l->port, frame, len);
}

/* The link-local timers (neigh_timers): refresh or expire the pairs,
 * solicit the wanted addresses nobody has taught yet. */
static void
ll_timers(struct neigh *n, uint64_t now_ns, neigh_send_fn send, void *arg)
{
	const struct neigh_params *p = &n->p;
	uint64_t retrans = (uint64_t)p->retrans_ms * MS;
	uint64_t idle = (uint64_t)p->reachable_ms * NEIGH_LL_IDLE_MULT * MS;

	for (unsigned i = 0, seen = 0, used = n->ll_used;
	     i < NEIGH_LL_MAX && seen < used; i++) {
		struct neigh_ll *l = &n->ll[i];

		if (!l->used)
			continue;
		seen++;
		if (!ll_wanted(n, l)) {
			if (now_ns - l->heard_ns >= idle)
				ll_free(n, l);
			continue;
		}
		if (l->next_ns > now_ns)
			continue;
		if (l->probes >= p->ucast_probes) {
			/* RFC 4861 7.3.3: unanswered, it is gone. */
			ll_free(n, l);
			continue;
		}
		ll_probe(n, l, send, arg);
		l->probes++;
		l->next_ns = now_ns + retrans;
	}
	for (unsigned i = 0; i < n->n_want; i++) {
		struct neigh_want *w = &n->want[i];
		bool known = false;

		for (unsigned j = 0, seen = 0;
		     j < NEIGH_LL_MAX && !known && seen < n->ll_used; j++) {
			if (!n->ll[j].used)
				continue;
			seen++;
			known = memcmp(n->ll[j].addr, w->addr, 16) == 0;
		}
		if (known) {
			w->probes = 0;
			continue;
		}
		if (w->next_ns > now_ns)
			continue;
		ll_solicit(n, w->addr, send, arg);
		w->probes++;
		w->next_ns = now_ns +
			     (w->probes < p->mcast_probes
				      ? retrans
				      : (uint64_t)p->failed_retry_ms * MS);
	}
}

/* See neigh.h. */
unsigned
neigh_ll_get(struct neigh *n, unsigned start, struct neigh_ll_view *out,
	     unsigned max, uint64_t *generation, unsigned *total,
	     uint64_t down[2][IXG_MAX_PEERS / 64])
{
	unsigned k = 0, idx = 0;

	*generation = 0;
	*total = 0;
	if (down != NULL)
		memset(down, 0, sizeof(uint64_t) * 2 * (IXG_MAX_PEERS / 64));
	if (n == NULL)
		return 0;
	pthread_mutex_lock(&n->lock);
	for (unsigned i = 0; i < NEIGH_LL_MAX; i++) {
		const struct neigh_ll *l = &n->ll[i];
		struct neigh_ll_view *v;

		if (!l->used)
			continue;
		if (idx++ < start || k >= max)
			continue;
		v = &out[k++];
		memset(v, 0, sizeof(*v));
		v->peer = l->peer;
		v->port = l->port;
		v->vlan = l->vlan;
		v->outer_vlan = l->outer_vlan;
		memcpy(v->addr, l->addr, 16);
		memcpy(v->mac, l->mac, 6);
		v->wanted = ll_wanted(n, l);
		v->probing = l->probes;
		v->heard_ns = l->heard_ns;
	}
	*total = idx;
	*generation = n->ll_gen;
	if (down != NULL)
		memcpy(down, n->down, sizeof(n->down));
	pthread_mutex_unlock(&n->lock);
	return k;
}

/* See neigh.h. */
uint64_t
neigh_ll_refused(const struct neigh *n)
{
	return n != NULL ? __atomic_load_n(&n->ll_refused, __ATOMIC_RELAXED)
			 : 0;
}

/* ------------------------------------------------------------------ */
/* Frames.                                                            */

/* Ethernet header with the tags; returns its length. */
static unsigned
eth_header(uint8_t *b, const uint8_t *dst, const uint8_t *src, uint16_t vlan,
	   uint16_t outer_vlan, uint16_t type)
{
	unsigned off = 12;

	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	if (outer_vlan != IXG_VLAN_NONE) {
		st_be16(b + off, TPID_STAG);
		st_be16(b + off + 2, outer_vlan);
		off += 4;
	}
	if (vlan != IXG_VLAN_NONE) {
		st_be16(b + off, TPID_CTAG);
		st_be16(b + off + 2, vlan);
		off += 4;
	}
	st_be16(b + off, type);
	return off + 2;
}

/* See neigh.h. */
unsigned
neigh_build_arp(uint8_t *buf, const uint8_t our_mac[6], const uint8_t our_ip[4],
		const uint8_t target[4], const uint8_t *dst_mac, uint16_t vlan,
		uint16_t outer_vlan)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	unsigned l2 = eth_header(buf, dst_mac != NULL ? dst_mac : bcast,
				 our_mac, vlan, outer_vlan, ETH_P_ARP);
	uint8_t *a = buf + l2;
	unsigned len = l2 + 28;

	/* RFC 826: Ethernet, IPv4, 6 and 4 bytes, request; the target
	 * hardware address is unknown (zero) even for a unicast probe. */
	st_be16(a, 1);
	st_be16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	st_be16(a + 6, 1);
	memcpy(a + 8, our_mac, 6);
	memcpy(a + 14, our_ip, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, target, 4);
	if (len < ETH_MIN) {
		memset(buf + len, 0, ETH_MIN - len);
		len = ETH_MIN;
	}
	return len;
}

/* See neigh.h. */
unsigned
neigh_build_ns(uint8_t *buf, const uint8_t our_mac[6], const uint8_t our_ip[16],
	       const uint8_t target[16], const uint8_t *dst_mac, uint16_t vlan,
	       uint16_t outer_vlan)
{
	uint8_t dst_ip[16], mc_mac[6];
	unsigned l2;
	uint8_t *ip, *icmp;

	if (dst_mac != NULL) {
		memcpy(dst_ip, target, 16);
	} else {
		/* RFC 4291 2.7.1: ff02::1:ff00:0/104 | the target's low 24
		 * bits; RFC 2464 7: 33:33 | its low 32 bits. */
		static const uint8_t sn[13] = {
			0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff,
		};

		memcpy(dst_ip, sn, 13);
		memcpy(dst_ip + 13, target + 13, 3);
		mc_mac[0] = mc_mac[1] = 0x33;
		memcpy(mc_mac + 2, dst_ip + 12, 4);
		dst_mac = mc_mac;
	}
	l2 = eth_header(buf, dst_mac, our_mac, vlan, outer_vlan, ETH_P_IPV6);
	ip = buf + l2;
	icmp = ip + 40;
	ip[0] = 0x60;
	ip[1] = ip[2] = ip[3] = 0;
	st_be16(ip + 4, 32); /* NS (24) + source link-layer option (8) */
	ip[6] = IPPROTO_ICMPV6;
	ip[7] = ND_HOP_LIMIT; /* RFC 4861 7.1.1 */
	memcpy(ip + 8, our_ip, 16);
	memcpy(ip + 24, dst_ip, 16);
	memset(icmp, 0, 32);
	icmp[0] = ND_NEIGHBOR_SOLICIT;
	memcpy(icmp + 8, target, 16);
	icmp[24] = ND_OPT_SOURCE_LLADDR;
	icmp[25] = 1; /* 8 bytes */
	memcpy(icmp + 26, our_mac, 6);
	st16(icmp + 2, (uint16_t)~icmp6_sum(ip, icmp, 32));
	return l2 + 40 + 32;
}
