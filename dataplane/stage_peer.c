/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stage_peer.c - who sent this frame: the ingress peer from (port, outer
 * VLAN, VLAN, source MAC). An exchange node only talks to its configured
 * members, so a miss is dropped (unknown_peer), ARP and Neighbor Discovery
 * included.
 *
 * The lookup is direct (tables.h, struct tbl_peer_slot): the (port, VLAN)
 * indexes a per-port array for the slot, QinQ goes through a small
 * open-addressed map, and the slot's own MAC table is probed with one
 * 8-byte load and compare per entry. It gives the same answer as the
 * peer_by_l2 hash (same keys, built together; the unit tests check both
 * agree), without hashing a 12-byte key per packet.
 *
 * Cost (bench/pipeline_bench --callgrind, 200k packets, DPDK 22.11,
 * gcc 12 -O2, 2026-11-24), instructions per packet:
 *   full table (4,095 peers, 2,048 of them on one VLAN): 232 -> 31
 *   16-route table (4 peers):                            232 -> 29
 * i.e. the rte_hash_lookup_bulk_data path (~190) plus key building (~42)
 * replaced by ~30 instructions; see bench/README.md for the whole pipeline.
 */
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "pipeline.h"

#define MAC48_MASK 0xffffffffffffull

/* The slot of a QinQ (port, outer VLAN, VLAN), 0 if no peer has it. */
static inline uint32_t
qinq_slot(const struct tables *t, uint16_t port, uint16_t outer,
	  uint16_t vlan)
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

/*
 * Set b->meta[i].in_peer for every packet still CONTINUE, from the direct
 * tables of ctx->t (tables.h: peer_vlan_slot, peer_qinq, peer_slots,
 * peer_macs); a miss is dropped unknown_peer. stage_parse has checked that
 * each CONTINUE frame holds an Ethernet header, so the 8 bytes at offset 6
 * (source MAC and the next 2 bytes) are in the first segment. Worker
 * thread; reads ctx->t, writes only the burst.
 */
void
stage_peer(struct pipeline_ctx *ctx, struct burst *b)
{
	const struct tables *t = ctx->t;
	const uint64_t *macs = t->peer_macs;
	uint64_t key[PIPELINE_BURST];
	uint32_t pos[PIPELINE_BURST], mask[PIPELINE_BURST];
	uint32_t first[PIPELINE_BURST];
	uint8_t idx[PIPELINE_BURST];
	unsigned i, n = 0;

	/* Pass 1: slot and home entry of each packet, prefetched. */
	for (i = 0; i < b->n; i++) {
		const struct pkt_meta *pm = &b->meta[i];
		const struct tbl_peer_slot *ps;
		uint32_t slot = 0;
		uint64_t w;

		if (pm->verdict != VERDICT_CONTINUE)
			continue;
		memcpy(&w, rte_pktmbuf_mtod(b->pkts[i], const uint8_t *) + 6,
		       sizeof(w));
		w = rte_le_to_cpu_64(w) & MAC48_MASK;
		if (pm->in_port < IXG_MAX_PORTS && pm->vlan < TBL_VLANS) {
			if (pm->outer_vlan == 0)
				slot = t->peer_vlan_slot[pm->in_port *
							 TBL_VLANS + pm->vlan];
			else
				slot = qinq_slot(t, pm->in_port,
						 pm->outer_vlan, pm->vlan);
		}
		ps = &t->peer_slots[slot];
		key[n] = w;
		first[n] = ps->first;
		mask[n] = ps->mask;
		pos[n] = tbl_peer_hash(w) & ps->mask;
		rte_prefetch0(&macs[ps->first + pos[n]]);
		idx[n] = (uint8_t)i;
		n++;
	}

	/* Pass 2: linear probe; every slot table has an empty entry. */
	for (i = 0; i < n; i++) {
		uint32_t h = pos[i];
		uint64_t e;

		for (;; h = (h + 1) & mask[i]) {
			e = macs[first[i] + h];
			if (e == 0 || ((e ^ key[i]) & MAC48_MASK) == 0)
				break;
		}
		if (e != 0)
			b->meta[idx[i]].in_peer = (uint16_t)(e >> 48);
		else
			pkt_drop(b, idx[i], IXG_DROP_UNKNOWN_PEER);
	}
}
