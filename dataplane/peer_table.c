/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * peer_table.c - what stage_peer (peer_stage.c) reads: the ports and the
 * peers of a snapshot, and the direct ingress-peer tables (tables.h,
 * struct tbl_peer_slot) that map (port, VLANs, source MAC) to a peer.
 * Hooks (tables_impl.h): the spec tables "ports" and "peers", the part
 * "peers".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "tables_impl.h"

/* ------------------------------------------------------------------ */
/* Checks.                                                            */

static const struct ixg_spec_port *
port_by_id(const struct ixg_spec_port *ports, uint32_t n, uint16_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (ports[i].id == id)
			return &ports[i];
	return NULL;
}

/*
 * Ports cannot change without a restart in this increment: EAL vdevs and
 * queues are set up at start. devargs may be the running one or the
 * config's before --device replaced it.
 */
static int
ports_validate(struct spec_check *c)
{
	const struct ixg_spec *s = c->s, *run = c->env->running;
	const struct tables_validate_env *env = c->env;
	uint32_t i;

	if (run == NULL)
		goto ids;
	for (i = 0; i < s->n_ports; i++) {
		const struct ixg_spec_port *np = &s->ports[i];
		const struct ixg_spec_port *op = port_by_id(
			run->ports, run->n_ports, np->id);
		const struct ixg_spec_port *cp = port_by_id(
			env->conf_ports, env->n_conf_ports, np->id);
		const char *what = NULL;

		if (op == NULL)
			return spec_refuse(c, IXG_TBL_PORTS, i, np->origin,
					   "port %u '%s' (origin %" PRIu32
					   "): new "
					   "port: needs a dataplane restart",
					   np->id, np->name, np->origin);
		if (strcmp(np->name, op->name) != 0)
			what = "name";
		else if (strcmp(np->devargs, op->devargs) != 0 &&
			 (cp == NULL || strcmp(np->devargs, cp->devargs) != 0))
			what = "device";
		else if (memcmp(np->mac, op->mac, sizeof(np->mac)) != 0)
			what = "MAC";
		else if (np->mtu != op->mtu)
			what = "MTU";
		else if (np->rx_desc != op->rx_desc ||
			 np->tx_desc != op->tx_desc)
			what = "descriptor count";
		if (what != NULL)
			return spec_refuse(c, IXG_TBL_PORTS, i, np->origin,
					   "port %u '%s' (origin %" PRIu32
					   "): %s "
					   "changed: needs a dataplane restart",
					   np->id, np->name, np->origin, what);
	}
	for (i = 0; i < run->n_ports; i++) {
		const struct ixg_spec_port *op = &run->ports[i];

		if (port_by_id(s->ports, s->n_ports, op->id) == NULL)
			return spec_refuse(
				c, IXG_TBL_PORTS, UINT32_MAX, 0,
				"port %u '%s' removed: needs a dataplane "
				"restart",
				op->id, op->name);
	}
ids:
	for (i = 0; i < s->n_ports; i++)
		if (s->ports[i].id < IXG_MAX_PORTS)
			spec_id_add(c->ports, s->ports[i].id);
	return 0;
}

static int
peers_validate(struct spec_check *c)
{
	const struct ixg_spec *s = c->s;
	uint32_t i;

	for (i = 0; i < s->n_peers; i++) {
		const struct ixg_spec_peer *p = &s->peers[i];

		if (p->id == IXG_PEER_NONE || p->id >= IXG_MAX_PEERS) {
			spec_refuse(
				c, IXG_TBL_PEERS, i, p->origin,
				"peer %u '%s' (origin %" PRIu32 "): id out of "
				"range 1..%u",
				p->id, p->name, p->origin, IXG_MAX_PEERS - 1);
			return -1;
		}
		if (spec_id_has(c->peers, p->id)) {
			spec_refuse(c, IXG_TBL_PEERS, i, p->origin,
				    "peer %u '%s' (origin %" PRIu32
				    "): duplicate "
				    "id",
				    p->id, p->name, p->origin);
			return -1;
		}
		spec_id_add(c->peers, p->id);
		if (p->port_id >= IXG_MAX_PORTS ||
		    !spec_id_has(c->ports, p->port_id)) {
			spec_refuse(c, IXG_TBL_PEERS, i, p->origin,
				    "peer %u '%s' (origin %" PRIu32
				    "): port %u "
				    "does not exist",
				    p->id, p->name, p->origin, p->port_id);
			return -1;
		}
		/* Country 0 is "unknown": valid even with no country table. */
		if (p->country != IXG_COUNTRY_UNKNOWN &&
		    p->country >= s->n_countries) {
			spec_refuse(c, IXG_TBL_PEERS, i, p->origin,
				    "peer %u '%s' (origin %" PRIu32
				    "): country "
				    "index %u, only %" PRIu32 " countries",
				    p->id, p->name, p->origin, p->country,
				    s->n_countries);
			return -1;
		}
		if (policer_check_peer(c, i) < 0)
			return -1;
	}
	return 0;
}

static void
ports_describe(const struct ixg_spec *s, uint32_t i, char *buf, size_t len)
{
	snprintf(buf, len, "port %s (origin %" PRIu32 ")", s->ports[i].name,
		 s->ports[i].origin);
}

static void
peers_describe(const struct ixg_spec *s, uint32_t i, char *buf, size_t len)
{
	snprintf(buf, len, "peer %s (origin %" PRIu32 ")", s->peers[i].name,
		 s->peers[i].origin);
}

const struct spec_table_ops spec_table_ports = {
	.validate = ports_validate,
	.describe = ports_describe,
};

const struct spec_table_ops spec_table_peers = {
	.validate = peers_validate,
	.describe = peers_describe,
};

/* ------------------------------------------------------------------ */
/* The part "peers".                                                  */

static int
build_ports(struct tbl_build *b)
{
	const struct ixg_spec *s = b->spec;

	for (uint32_t i = 0; i < s->n_ports; i++) {
		const struct ixg_spec_port *sp = &s->ports[i];
		struct tbl_port *tp;

		if (sp->id >= IXG_MAX_PORTS)
			return tbl_fail(b, -EINVAL,
					"port %s (origin %" PRIu32
					"): id %u out of range",
					sp->name, sp->origin, sp->id);
		tp = &b->t->ports[sp->id];
		tp->configured = 1;
		memcpy(tp->mac, sp->mac, 6);
		tp->mtu = sp->mtu;
		tp->dpdk_port = sp->id;
		tp->sample_rate = sp->sample_rate;
	}
	return 0;
}

/* See tables.h. PCP and DEI 0: the node does not carry priorities
 * across peers. */
void
tbl_peer_egress(struct tables *t, uint16_t id)
{
	const struct tbl_peer *tp = &t->peers[id];
	struct tbl_egress *e = &t->egress[id];
	const uint16_t port_id = tp->port_id % IXG_MAX_PORTS;
	const struct tbl_port *port = &t->ports[port_id];
	static const uint16_t ethertype[2] = {0x0800, 0x86dd};

	e->port_id = port_id;
	e->mtu = port->mtu ? port->mtu : TBL_DEFAULT_MTU;
	e->tx_tag = (uint64_t)(id & 0xfffu) << 52 | (uint64_t)port_id << 20;
	e->tags = tp->vlan == IXG_VLAN_NONE	    ? 0
		  : tp->outer_vlan == IXG_VLAN_NONE ? 1
						    : 2;
	e->len = (uint8_t)(6 + 4 * e->tags + 2);
	for (unsigned f = 0; f < 2; f++) {
		uint8_t *h = e->hdr[f];
		unsigned o = 6;

		memset(h, 0, sizeof(e->hdr[f]));
		memcpy(h, port->mac, 6);
		if (e->tags == 2) {
			h[o++] = 0x88; /* 802.1ad S-tag */
			h[o++] = 0xa8;
			h[o++] = (uint8_t)(tp->outer_vlan >> 8);
			h[o++] = (uint8_t)tp->outer_vlan;
		}
		if (e->tags >= 1) {
			h[o++] = 0x81; /* 802.1Q C-tag */
			h[o++] = 0x00;
			h[o++] = (uint8_t)(tp->vlan >> 8);
			h[o++] = (uint8_t)tp->vlan;
		}
		h[o++] = (uint8_t)(ethertype[f] >> 8);
		h[o] = (uint8_t)ethertype[f];
	}
}

/*
 * The egress records of the peer ids no peer of the spec has
 * (build_peers made the configured ones'): port 0 and its MTU, no MAC,
 * as stage_rewrite read an unconfigured peer before the records.
 */
static void
build_egress_unconfigured(struct tables *t)
{
	for (unsigned id = 0; id < IXG_MAX_PEERS; id++)
		if (!t->peers[id].configured)
			tbl_peer_egress(t, (uint16_t)id);
}

static uint32_t
pow2_at_least(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* Slot of a QinQ triple in t->peer_qinq, adding it as `next` if new. */
static uint16_t
qinq_slot_get(struct tables *t, uint64_t key, uint16_t next)
{
	uint32_t h = tbl_peer_hash(key) & t->peer_qinq_mask;

	for (;; h = (h + 1) & t->peer_qinq_mask) {
		uint64_t e = t->peer_qinq[h];

		if (e == 0) {
			t->peer_qinq[h] = (uint64_t)next << 48 | key;
			return next;
		}
		if ((e & 0xffffffffffffull) == key)
			return (uint16_t)(e >> 48);
	}
}

/* The slot of (port, outer VLAN, VLAN), 0 for a key no frame can carry. */
static uint16_t
peer_slot_get(struct tables *t, const struct ixg_spec_peer *sp, uint16_t next)
{
	uint16_t *vs;

	if (sp->vlan >= TBL_VLANS || sp->outer_vlan >= TBL_VLANS)
		return 0;
	if (sp->outer_vlan != 0)
		return qinq_slot_get(
			t, tbl_qinq_key(sp->port_id, sp->outer_vlan, sp->vlan),
			next);
	vs = &t->peer_vlan_slot[sp->port_id * TBL_VLANS + sp->vlan];
	if (*vs == 0)
		*vs = next;
	return *vs;
}

/*
 * The direct ingress-peer tables (tables.h, struct tbl_peer_slot) from the
 * peers build_peers() has checked: ports valid, no (port, VLANs, MAC) twice.
 * An exchange has few (port, VLAN) pairs, so one array per port indexes
 * them by VLAN; the public peering LAN is one slot with thousands of MACs,
 * so each slot hashes its MACs instead of scanning them.
 */
static int
build_peer_direct(struct tbl_build *b)
{
	const struct ixg_spec *s = b->spec;
	struct tables *t = b->t;
	uint32_t n_qinq = 0, n_slots = 1, total = 0;
	uint16_t *slot_of = NULL;
	uint32_t *count = NULL;
	int rc = 0;

	t->peer_vlan_slot = rte_zmalloc(
		"peer_vlan_slot", IXG_MAX_PORTS * TBL_VLANS * sizeof(uint16_t),
		RTE_CACHE_LINE_SIZE);
	if (t->peer_vlan_slot == NULL)
		return tbl_fail(b, -ENOMEM, "peer VLAN table: out of memory");
	for (uint32_t i = 0; i < s->n_peers; i++)
		n_qinq += s->peers[i].outer_vlan != 0;
	if (n_qinq > 0) {
		t->peer_qinq_mask = pow2_at_least(2 * n_qinq) - 1;
		t->peer_qinq = rte_zmalloc(
			"peer_qinq", (t->peer_qinq_mask + 1) * sizeof(uint64_t),
			RTE_CACHE_LINE_SIZE);
		if (t->peer_qinq == NULL)
			return tbl_fail(b, -ENOMEM,
					"peer QinQ map: out of memory");
	}

	/* Every peer has its own id, so there are at most n_peers slots. */
	slot_of = calloc(s->n_peers + 1, sizeof(*slot_of));
	count = calloc(s->n_peers + 1, sizeof(*count));
	if (slot_of == NULL || count == NULL) {
		rc = tbl_fail(b, -ENOMEM, "peer slots: out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < s->n_peers; i++) {
		slot_of[i] = peer_slot_get(t, &s->peers[i], (uint16_t)n_slots);
		if (slot_of[i] == n_slots)
			n_slots++;
		if (slot_of[i] != 0)
			count[slot_of[i]] += s->peers[i].n_macs;
	}

	t->n_peer_slots = n_slots;
	t->peer_slots = rte_zmalloc("peer_slots",
				    n_slots * sizeof(*t->peer_slots),
				    RTE_CACHE_LINE_SIZE);
	if (t->peer_slots == NULL) {
		rc = tbl_fail(b, -ENOMEM, "peer slots: out of memory");
		goto out;
	}
	/*
	 * Laid out largest first, so each slot table starts at a multiple of
	 * its size and a probe wraps with masks alone (stage_peer). Slot 0
	 * has one entry, which stays empty.
	 */
	for (uint32_t i = 0; i < n_slots; i++) {
		t->peer_slots[i].mask = pow2_at_least(4 * count[i]) - 1;
		if (t->peer_slots[i].mask + 1 > total)
			total = t->peer_slots[i].mask + 1;
	}
	for (uint32_t size = total, next = 0; size > 0; size >>= 1) {
		for (uint32_t i = 0; i < n_slots; i++) {
			if (t->peer_slots[i].mask + 1 != size)
				continue;
			t->peer_slots[i].first = next;
			next += size;
		}
		total = next;
	}
	t->peer_macs = rte_zmalloc("peer_macs", total * sizeof(uint64_t),
				   RTE_CACHE_LINE_SIZE);
	if (t->peer_macs == NULL) {
		rc = tbl_fail(b, -ENOMEM, "peer MAC table: out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < s->n_peers; i++) {
		const struct ixg_spec_peer *sp = &s->peers[i];
		const struct tbl_peer_slot *ps = &t->peer_slots[slot_of[i]];

		if (slot_of[i] == 0)
			continue;
		for (unsigned m = 0; m < sp->n_macs; m++) {
			uint64_t mac = tbl_mac48(sp->macs[m]);
			uint32_t h = tbl_peer_hash(mac) & ps->mask;

			while (t->peer_macs[ps->first + h] != 0)
				h = (h + 1) & ps->mask;
			t->peer_macs[ps->first + h] = tbl_peer_entry(mac,
								     sp->id);
		}
	}
out:
	free(slot_of);
	free(count);
	return rc;
}

/*
 * The (port, outer VLAN, VLAN, MAC) keys given so far, so that a key given
 * twice is refused: open addressing, at least twice as many entries as
 * keys, freed once the peers are built.
 */
struct key_seen {
	uint64_t mac_vlan; /* MAC (tbl_mac48) | VLAN << 48 */
	uint32_t port_outer; /* port << 16 | outer VLAN */
	uint16_t peer; /* 0: empty entry (peer id 0 is never a key's) */
	uint16_t _pad;
};

/* The peer that gave key (mv, po) before, or 0 after recording `peer`. */
static uint16_t
key_seen_add(struct key_seen *set, uint32_t mask, uint64_t mv, uint32_t po,
	     uint16_t peer)
{
	uint32_t h = tbl_peer_hash(mv ^ (uint64_t)po << 16) & mask;

	for (;; h = (h + 1) & mask) {
		struct key_seen *e = &set[h];

		if (e->peer == 0) {
			e->mac_vlan = mv;
			e->port_outer = po;
			e->peer = peer;
			return 0;
		}
		if (e->mac_vlan == mv && e->port_outer == po)
			return e->peer;
	}
}

static int
build_peers(struct tbl_build *b)
{
	const struct ixg_spec *s = b->spec;
	struct tables *t = b->t;
	struct key_seen *seen;
	uint32_t n_macs = 0, mask;
	int rc = 0;

	for (uint32_t i = 0; i < s->n_peers; i++)
		n_macs += s->peers[i].n_macs;
	mask = pow2_at_least(2 * n_macs + 1) - 1;
	seen = calloc(mask + 1, sizeof(*seen));
	if (seen == NULL)
		return tbl_fail(b, -ENOMEM, "peer keys: out of memory");

	for (uint32_t i = 0; i < s->n_peers && rc == 0; i++) {
		const struct ixg_spec_peer *sp = &s->peers[i];
		struct tbl_peer *tp;

		if (sp->id == IXG_PEER_NONE || sp->id >= IXG_MAX_PEERS) {
			rc = tbl_fail(b, -EINVAL,
				      "peer %s (origin %" PRIu32
				      "): id %u out of range",
				      sp->name, sp->origin, sp->id);
			break;
		}
		tp = &t->peers[sp->id];
		if (tp->configured) {
			rc = tbl_fail(b, -EEXIST,
				      "peer %s (origin %" PRIu32
				      "): id %u already used by peer %s",
				      sp->name, sp->origin, sp->id, tp->name);
			break;
		}
		if (sp->port_id >= IXG_MAX_PORTS ||
		    !t->ports[sp->port_id].configured) {
			rc = tbl_fail(b, -EINVAL,
				      "peer %s (origin %" PRIu32
				      "): port %u not configured",
				      sp->name, sp->origin, sp->port_id);
			break;
		}
		if (sp->neighbour > IXG_NEIGH_LEARN ||
		    (sp->n_macs == 0 && sp->neighbour != IXG_NEIGH_LEARN) ||
		    sp->n_macs > IXG_MAX_PEER_MACS) {
			rc = tbl_fail(b, -EINVAL,
				      "peer %s (origin %" PRIu32 "): %u MACs",
				      sp->name, sp->origin, sp->n_macs);
			break;
		}
		if (sp->sav_mode > IXG_SAV_FEASIBLE) {
			rc = tbl_fail(b, -EINVAL,
				      "peer %s (origin %" PRIu32
				      "): bad sav mode %u",
				      sp->name, sp->origin, sp->sav_mode);
			break;
		}
		tp->configured = 1;
		tp->sav_mode = sp->sav_mode;
		tp->port_id = sp->port_id;
		tp->vlan = sp->vlan;
		tp->outer_vlan = sp->outer_vlan;
		tbl_peer_egress(t, sp->id);
		tp->country = sp->country;
		/* Egress MAC: the static one now; a learning member's comes
		 * from the neighbour table (neigh_apply) before publication. */
		tp->n_macs = sp->n_macs;
		tp->neigh_learn = sp->neighbour;
		if (sp->n_macs > 0)
			memcpy(tp->dmac, sp->macs[0], 6);
		if (sp->neighbour == IXG_NEIGH_LEARN) {
			t->n_neigh_learn++;
		} else {
			t->egress[sp->id].mac[0] = tbl_mac48(sp->macs[0]) |
						   TBL_MAC_VALID;
			t->egress[sp->id].mac[1] = t->egress[sp->id].mac[0];
		}
		/* The addresses the member may claim in ARP/ND (punt.h). */
		tp->has_nh4 = sp->has_nh4;
		tp->has_nh6 = sp->has_nh6;
		memcpy(tp->nh4, sp->nh4, 4);
		memcpy(tp->nh6, sp->nh6, 16);
		snprintf(tp->name, sizeof(tp->name), "%s", sp->name);

		for (unsigned m = 0; m < sp->n_macs; m++) {
			uint16_t old = key_seen_add(
				seen, mask,
				tbl_mac48(sp->macs[m]) | (uint64_t)sp->vlan
								 << 48,
				(uint32_t)sp->port_id << 16 | sp->outer_vlan,
				sp->id);

			if (old != 0) {
				rc = tbl_fail(b, -EEXIST,
					      "peer %s (origin %" PRIu32
					      "): MAC %u already belongs "
					      "to peer %s on this port/VLAN",
					      sp->name, sp->origin, m,
					      t->peers[old].name);
				break;
			}
		}
	}
	free(seen);
	return rc == 0 ? build_peer_direct(b) : rc;
}

/* The part: ports first (peers name them), then the peers. */
static int
peers_build(struct tbl_build *b)
{
	int rc = build_ports(b);

	if (rc == 0)
		rc = build_peers(b);
	if (rc == 0)
		build_egress_unconfigured(b->t);
	return rc;
}

static void
peers_free(struct tables *t)
{
	rte_free(t->peer_vlan_slot);
	rte_free(t->peer_qinq);
	rte_free(t->peer_slots);
	rte_free(t->peer_macs);
}

const struct tbl_part_ops tbl_part_peers = {
	.build = peers_build,
	.free = peers_free,
};
