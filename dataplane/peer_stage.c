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
 * touched here. The fused head (pipeline_head, parse_stage.c) runs the
 * same per-packet step (peer_stage.h, peer_at) in stage_parse's loop.
 *
 * Cost: stage_peer alone 21.1 instructions/packet on the real table through the ports
 * (compare --callgrind) and on parse_bench's traffic (callgrind;
 * bench/README.md, "Issue 12, parse and peer, second pass").
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "peer_stage.h"
#include "pipeline.h"

_Static_assert(offsetof(struct pkt_meta, verdict) == 0 &&
		       offsetof(struct pkt_meta, vlan) == 4 &&
		       offsetof(struct pkt_meta, outer_vlan) == 6,
	       "stage_peer: verdict, vlan and outer_vlan in word 0");

/* See peer_stage.h. Out of line, so the loops keep none of its registers
 * for it. */
__rte_noinline void
peer_probed(struct burst *b, unsigned i, const uint64_t *base, uint32_t h,
	    uint32_t mask, uint64_t k)
{
	uint64_t e = peer_probe(base, h, mask, base[h], k);

	if (e != 0)
		b->meta[i].in_peer = (uint16_t)e;
	else
		pkt_drop(b, i, IXG_DROP_UNKNOWN_PEER);
}

/* See peer_stage.h. */
__rte_noinline void
peer_one(const struct tables *t, struct burst *b, unsigned i, uint16_t port)
{
	const struct pkt_meta *pm = &b->meta[i];
	const struct tbl_peer_slot *ps = &t->peer_slots[peer_slot(
		t, &t->peer_vlan_slot[port * TBL_VLANS], port, pm->outer_vlan,
		pm->vlan)];

	peer_at(b, i, t->peer_macs + ps->first, ps->mask,
		peer_key(b->peer_smac[i]));
}

/*
 * See peer_stage.h: one lookup each, the same as stage_peer's. Out of
 * line: only bursts with such a frame get here.
 */
__rte_noinline void
peer_charge_parse_drops(const struct tables *t, struct burst *b)
{
	const uint16_t *row = &t->peer_vlan_slot[b->port * TBL_VLANS];

	for (uint32_t m = b->charged; m != 0; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);
		struct pkt_meta *pm = &b->meta[i];
		uint32_t slot = peer_slot(t, row, b->port, pm->outer_vlan,
					  pm->vlan);
		uint16_t peer = peer_slot_peer(t->peer_macs,
					       &t->peer_slots[slot],
					       peer_key(b->peer_smac[i]));

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
		peer_charge_parse_drops(t, b);
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
		uint64_t w0;

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
		peer_at(b, i, base, mask, peer_key(b->peer_smac[i]));
	}
}
