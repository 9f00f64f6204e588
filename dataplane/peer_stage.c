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
 * open-addressed map, and the slot's own MAC table is probed from the
 * home entry the MAC's CRC-32C (one instruction) names, one 8-byte load
 * and one subtraction per entry: no 12-byte key, bucket signatures or key
 * memcmp as an rte_hash would need. A public peering LAN is one (port,
 * VLAN) with thousands of MACs, so each slot hashes its own MACs, in a
 * table four times their number so most sit in their home entry; and a
 * burst's frames mostly share it, so the last slot's table and mask are
 * kept from one packet to the next. One pass over the burst, the source
 * MAC from what stage_parse read (burst.peer_smac): the frames are not
 * touched here.
 *
 * Cost: 21.1 instructions/packet on the real table through the ports
 * (compare --callgrind) and on parse_bench's traffic (callgrind;
 * bench/README.md, "Issue 12, parse and peer, second pass").
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

/*
 * The entry of key k (tbl_mac48(MAC) << 16) in the slot table of `mask` + 1
 * entries whose entry 0 is base[0], its home entry e at index h did not
 * hold it: linear probe, wrapping inside the slot's table; the entry, or 0
 * for none. An empty entry (0) ends the probe.
 */
static inline uint64_t
probe(const uint64_t *base, uint32_t h, uint32_t mask, uint64_t e, uint64_t k)
{
	while (e != 0 && (e >> 16) != (k >> 16)) {
		h = (h + 1) & mask;
		e = base[h];
	}
	return e;
}

_Static_assert(offsetof(struct pkt_meta, verdict) == 0 &&
		       offsetof(struct pkt_meta, vlan) == 4 &&
		       offsetof(struct pkt_meta, outer_vlan) == 6,
	       "stage_peer: verdict, vlan and outer_vlan in word 0");

/* The slot of (port, outer VLAN, VLAN), 0 for none. */
static __rte_always_inline uint32_t
peer_slot(const struct tables *t, const uint16_t *row, uint16_t port,
	  uint16_t outer, uint16_t vlan)
{
	if (outer == 0)
		return row[vlan & (TBL_VLANS - 1)];
	return qinq_slot(t, port, outer, vlan);
}

/* The peer (0: none) of key k in slot ps: home entry, then the probe. */
static __rte_always_inline uint16_t
slot_peer(const uint64_t *macs, const struct tbl_peer_slot *ps, uint64_t k)
{
	const uint64_t *base = macs + ps->first;
	uint32_t h = tbl_peer_hash_k(k) & ps->mask;

	return (uint16_t)probe(base, h, ps->mask, base[h], k);
}

/* The key of b->pkts[i]'s source MAC, tbl_mac48() << 16, from what
 * stage_parse read (burst.peer_smac: the MAC in the low 6 bytes). */
static __rte_always_inline uint64_t
src_key(const struct burst *b, unsigned i)
{
	return rte_le_to_cpu_64(b->peer_smac[i]) << 16;
}

/* stage_peer's packet i after its home entry h (in the slot table at base
 * of mask + 1 entries) did not hold key k: the probe's peer, or the drop.
 * Out of line, so the loop keeps none of its registers for it. */
static __rte_noinline void
peer_probed(struct burst *b, unsigned i, const uint64_t *base, uint32_t h,
	    uint32_t mask, uint64_t k)
{
	uint64_t e = probe(base, h, mask, base[h], k);

	if (e != 0)
		b->meta[i].in_peer = (uint16_t)e;
	else
		pkt_drop(b, i, IXG_DROP_UNKNOWN_PEER);
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
		uint32_t slot = peer_slot(t, row, b->port, pm->outer_vlan,
					  pm->vlan);
		uint16_t peer = slot_peer(t->peer_macs, &t->peer_slots[slot],
					  src_key(b, i));

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

	/*
	 * One pass: the home entry of a 64-member table is in L1, so a
	 * first pass to prefetch it did not pay (bench/README.md,
	 * "parsepeer"). The slot of the last (VLAN, outer VLAN) seen, its
	 * table and mask are kept across packets: a burst's frames mostly
	 * share one (the peering LAN). want: word 0 of a CONTINUE packet's
	 * metadata with those VLANs, under wmask (verdict and the VLANs).
	 */
	static const uint8_t wbytes[8] = {0xff, 0,    0,    0,
					  0xff, 0xff, 0xff, 0xff};
	uint64_t wmask, want = UINT64_MAX; /* no word under wmask equals it */
	const uint64_t *base = macs;
	uint64_t mask = 0;

	memcpy(&wmask, wbytes, sizeof(wmask));
	for (i = 0; i < n_pkts; i++) {
		struct pkt_meta *pm = &b->meta[i];
		uint64_t w0, k, h, d;

		memcpy(&w0, pm, sizeof(w0));
		if (unlikely((w0 & wmask) != want)) {
			const struct tbl_peer_slot *ps;

			if (pm->verdict != VERDICT_CONTINUE)
				continue;
			ps = &slots[peer_slot(t, row, port, pm->outer_vlan,
					      pm->vlan)];
			base = macs + ps->first;
			mask = ps->mask;
			want = w0 & wmask;
		}
		k = src_key(b, i);
		h = tbl_peer_hash_k(k) & mask;
		/* the home entry minus k is the peer exactly when the entry
		 * holds the MAC (tables.h) */
		d = base[h] - k;
		if (likely(d - 1 < 0xffff)) {
			pm->in_peer = (uint16_t)d;
			continue;
		}
		peer_probed(b, i, base, (uint32_t)h, (uint32_t)mask, k);
	}
}
