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
 * MACs. Two passes over the burst (slot and home entry, prefetched; then
 * the compare) let the burst's table loads overlap.
 *
 * Cost: 53 instructions/packet on the real table through the ports
 * (compare --callgrind, packets counted exactly), 56 on pipeline_bench's
 * 16-route one (callgrind; bench/README.md, "Per stage").
 */
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

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
		const struct tbl_peer_slot *ps;
		uint32_t slot, pos;
		uint64_t w, e;

		memcpy(&w, rte_pktmbuf_mtod(b->pkts[i], const uint8_t *) + 6,
		       sizeof(w));
		w = rte_le_to_cpu_64(w) & MAC48_MASK;
		if (pm->outer_vlan == 0)
			slot = row[pm->vlan & (TBL_VLANS - 1)];
		else
			slot = qinq_slot(t, b->port, pm->outer_vlan, pm->vlan);
		ps = &t->peer_slots[slot];
		pos = ps->first + (tbl_peer_hash(w) & ps->mask);
		e = t->peer_macs[pos];
		if (e != 0 && ((e ^ w) << 16) != 0)
			e = probe(t->peer_macs, pos, ps->mask, w);
		if (e != 0)
			pm->in_peer = (uint16_t)(e >> 48);
	}
}

/*
 * Set b->meta[i].in_peer for every packet still CONTINUE, from the direct
 * tables of ctx->t (tables.h: peer_vlan_slot, peer_qinq, peer_slots,
 * peer_macs); a miss is dropped unknown_peer. The frames in b->charged
 * (dropped by parse) get their peer too, their verdict unchanged. Runs
 * after stage_parse,
 * which set meta.in_port to b->port, masked VLAN ids to 12 bits and
 * checked that each CONTINUE frame holds an Ethernet header, so the 8
 * bytes at offset 6 (source MAC and the next 2 bytes) are in the first
 * segment. Worker thread; reads ctx->t, writes only the burst.
 */
void
stage_peer(struct pipeline_ctx *ctx, struct burst *b)
{
	const unsigned n_pkts = b->n;
	const struct tables *t = ctx->t;
	const uint64_t *macs = t->peer_macs;
	const uint16_t *row;
	uint64_t key[PIPELINE_BURST];
	uint32_t pos[PIPELINE_BURST], mask[PIPELINE_BURST];
	uint8_t idx[PIPELINE_BURST];
	unsigned i, n = 0;

	if (unlikely(b->port >= IXG_MAX_PORTS)) {
		for (i = 0; i < n_pkts; i++)
			if (b->meta[i].verdict == VERDICT_CONTINUE)
				pkt_drop(b, i, IXG_DROP_UNKNOWN_PEER);
		return;
	}
	if (unlikely(b->charged != 0))
		charge_parse_drops(t, b);
	row = &t->peer_vlan_slot[b->port * TBL_VLANS];

	/* Pass 1: slot and home entry of each packet, prefetched. */
	for (i = 0; i < n_pkts; i++) {
		const struct pkt_meta *pm = &b->meta[i];
		const struct tbl_peer_slot *ps;
		uint32_t slot;
		uint64_t w;

		if (pm->verdict != VERDICT_CONTINUE)
			continue;
		memcpy(&w, rte_pktmbuf_mtod(b->pkts[i], const uint8_t *) + 6,
		       sizeof(w));
		w = rte_le_to_cpu_64(w) & MAC48_MASK;
		if (likely(pm->outer_vlan == 0))
			slot = row[pm->vlan & (TBL_VLANS - 1)];
		else
			slot = qinq_slot(t, b->port, pm->outer_vlan, pm->vlan);
		ps = &t->peer_slots[slot];
		key[n] = w;
		mask[n] = ps->mask;
		pos[n] = ps->first + (tbl_peer_hash(w) & ps->mask);
		rte_prefetch0(&macs[pos[n]]);
		idx[n++] = (uint8_t)i;
	}

	/* Pass 2: the home entry, probing on collisions. */
	for (i = 0; i < n; i++) {
		uint64_t e = macs[pos[i]];

		if (unlikely(e != 0 && ((e ^ key[i]) << 16) != 0))
			e = probe(macs, pos[i], mask[i], key[i]);
		if (e != 0)
			b->meta[idx[i]].in_peer = (uint16_t)(e >> 48);
		else
			pkt_drop(b, idx[i], IXG_DROP_UNKNOWN_PEER);
	}
}
