/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * peer_stage.c - who sent this frame: the ingress peer from (port, outer
 * VLAN, VLAN, source MAC). An exchange node only talks to its configured
 * members, so a miss is dropped (unknown_peer), ARP and Neighbor Discovery
 * included. Frames parse dropped for what their member put in them
 * (burst.charged) are looked up too, one by one, so the drop is charged
 * to the member whose MAC sent it; a miss leaves their reason as it is.
 *
 * The lookup is direct (tables.h, struct tbl_peer_slot): the (port, VLAN)
 * indexes a per-port array for the slot, QinQ goes through a small
 * open-addressed map, and the slot's own MAC table is probed with one
 * 8-byte load and compare per entry: no CRC of a 12-byte key, bucket
 * signatures or key memcmp as an rte_hash would need. A public peering LAN
 * is one (port, VLAN) with thousands of MACs, so each slot hashes its own
 * MACs. One pass over the burst, the source MAC from what stage_parse
 * read (burst.peer_smac): the frames are not touched here.
 *
 * Cost: 34 instructions/packet on the real table through the ports
 * (compare --callgrind, packets counted exactly), 32 on pipeline_bench's
 * 16-route one (callgrind; bench/README.md, "Issue 12, parse and peer
 * (helper parsepeer)").
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "pipeline.h"

#define MAC48_MASK 0xffffffffffffull

/* The slot of a QinQ (port, outer VLAN, VLAN), 0 if no peer has it. */
static inline uint32_t
qinq_slot(const struct tables *t, uint16_t port, uint16_t outer, uint16_t vlan)
{
	uint64_t key = tbl_qinq_key(port, outer, vlan);
	uint32_t mask = t->peer_qinq_mask, h;

	if (t->peer_qinq == NULL)
		return 0;
	for (h = tbl_peer_hash(key) & mask;; h = (h + 1) & mask) {
		uint64_t e = t->peer_qinq[h];

		if (e == 0)
			return 0;
		if ((e & MAC48_MASK) == key)
			return (uint32_t)(e >> 48);
	}
}

/* Entry of a slot table after a home-entry miss: linear probe, wrapping
 * inside the slot's table (aligned to its size, tables.h). */
static inline uint64_t
probe(const uint64_t *macs, uint32_t p, uint32_t mask, uint64_t key)
{
	uint64_t e;

	do {
		p = (p & ~mask) | ((p + 1) & mask);
		e = macs[p];
	} while (e != 0 && ((e ^ key) << 16) != 0);
	return e;
}

_Static_assert(offsetof(struct pkt_meta, outer_vlan) ==
		       offsetof(struct pkt_meta, vlan) + 2,
	       "peer_entry: vlan and outer_vlan as one 32-bit word");

/*
 * The slot of (port, the VLANs of pm). vlan and outer_vlan are read as one
 * word (on a little-endian host outer_vlan is its high half): a word of
 * at most 0xffff is a frame without an outer tag, whose slot is in the
 * port's row; anything else goes through the QinQ map.
 */
static __rte_always_inline uint32_t
peer_slot(const struct tables *t, const uint16_t *row, uint16_t port,
	  const struct pkt_meta *pm)
{
	uint32_t tags;

	memcpy(&tags, &pm->vlan, sizeof(tags));
	if (likely(tags <= UINT16_MAX && RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN))
		return row[tags & (TBL_VLANS - 1)];
	if (pm->outer_vlan == 0)
		return row[pm->vlan & (TBL_VLANS - 1)];
	return qinq_slot(t, port, pm->outer_vlan, pm->vlan);
}

/*
 * The entry of source MAC w in slot ps after its home entry e (at pos)
 * did not hold it: the probe's entry, or 0 for none. An empty entry (0)
 * differs from every MAC but 00:00:00:00:00:00, which it matches with
 * peer 0: none as well.
 */
static __rte_always_inline uint64_t
peer_probe(const uint64_t *macs, const struct tbl_peer_slot *ps, uint32_t pos,
	   uint64_t e, uint64_t w)
{
	if (e == 0 || ((e ^ w) << 16) == 0)
		return e;
	return probe(macs, pos, ps->mask, w);
}

/*
 * The entry of (port, the VLANs of pm, source MAC w) in the direct tables
 * (slots, macs: t->peer_slots and t->peer_macs, read once by the caller,
 * as a store to the burst may alias t's fields): the peer in bits 48..63,
 * or 0 for none.
 */
static __rte_always_inline uint64_t
peer_entry(const struct tables *t, const uint16_t *row,
	   const struct tbl_peer_slot *slots, const uint64_t *macs,
	   uint16_t port, const struct pkt_meta *pm, uint64_t w)
{
	const struct tbl_peer_slot *ps = &slots[peer_slot(t, row, port, pm)];
	uint32_t pos = ps->first + (tbl_peer_hash(w) & ps->mask);

	return peer_probe(macs, ps, pos, macs[pos], w);
}

/* The source MAC of b->pkts[i] as the low 48 bits (tbl_mac48), from what
 * stage_parse read (burst.peer_smac). */
static __rte_always_inline uint64_t
src_mac(const struct burst *b, unsigned i)
{
	return rte_le_to_cpu_64(b->peer_smac[i]) & MAC48_MASK;
}

/*
 * The peer of the frames in b->charged (dropped by parse, their member to
 * be charged): one lookup each, the same as stage_peer's. Out of line:
 * only bursts with such a frame get here.
 */
static __rte_noinline void
charge_parse_drops(const struct tables *t, struct burst *b)
{
	const uint16_t *row = &t->peer_vlan_slot[b->port * TBL_VLANS];

	for (uint32_t m = b->charged; m != 0; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);
		struct pkt_meta *pm = &b->meta[i];
		uint16_t peer = (uint16_t)(peer_entry(t, row, t->peer_slots,
						      t->peer_macs, b->port, pm,
						      src_mac(b, i)) >>
					   48);

		if (peer != IXG_PEER_NONE)
			pm->in_peer = peer;
	}
}

/*
 * Set b->meta[i].in_peer for every packet still CONTINUE, from the direct
 * tables of ctx->t (tables.h: peer_vlan_slot, peer_qinq, peer_slots,
 * peer_macs); a miss is dropped unknown_peer. The frames in b->charged
 * (dropped by parse) get their peer too, their verdict unchanged. Runs
 * after stage_parse,
 * which set meta.in_port to b->port, masked VLAN ids to 12 bits and
 * recorded each CONTINUE or charged frame's source MAC in
 * b->peer_smac[i]: the frames are not read here. Worker thread; reads
 * ctx->t, writes only the burst.
 */
void
stage_peer(struct pipeline_ctx *ctx, struct burst *b)
{
	const unsigned n_pkts = b->n;
	const uint16_t port = b->port;
	const struct tables *t = ctx->t;
	const struct tbl_peer_slot *slots = t->peer_slots;
	const uint64_t *macs = t->peer_macs;
	const uint16_t *row;
	unsigned i;

	if (unlikely(port >= IXG_MAX_PORTS)) {
		for (i = 0; i < n_pkts; i++)
			if (b->meta[i].verdict == VERDICT_CONTINUE)
				pkt_drop(b, i, IXG_DROP_UNKNOWN_PEER);
		return;
	}
	if (unlikely(b->charged != 0))
		charge_parse_drops(t, b);
	row = &t->peer_vlan_slot[port * TBL_VLANS];

	/* One pass: the home entry of a 64-member table is in L1, so a
	 * first pass to prefetch it did not pay (bench/README.md,
	 * "parsepeer"). */
	for (i = 0; i < n_pkts; i++) {
		struct pkt_meta *pm = &b->meta[i];
		const struct tbl_peer_slot *ps;
		uint64_t w, e;
		uint32_t pos;

		if (pm->verdict != VERDICT_CONTINUE)
			continue;
		w = src_mac(b, i);
		ps = &slots[peer_slot(t, row, port, pm)];
		pos = ps->first + (tbl_peer_hash(w) & ps->mask);
		e = macs[pos];
		/* the home entry holds the MAC, and a peer */
		if (likely(((e ^ w) << 16) == 0 && (e >> 48) != 0)) {
			pm->in_peer = (uint16_t)(e >> 48);
			continue;
		}
		e = peer_probe(macs, ps, pos, e, w);
		if (e >> 48 != 0)
			pm->in_peer = (uint16_t)(e >> 48);
		else
			pkt_drop(b, i, IXG_DROP_UNKNOWN_PEER);
	}
}
