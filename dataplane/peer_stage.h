/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * peer_stage.h - stage_peer's per-packet steps (peer_stage.c), shared with
 * the fused head (pipeline_head, parse_stage.c), which runs them in
 * stage_parse's loop: the lookup of (port, VLANs, source MAC) in the
 * direct tables of tables.h (struct tbl_peer_slot).
 */
#ifndef IXG_PEER_STAGE_H
#define IXG_PEER_STAGE_H

#include <stdint.h>

#include <rte_byteorder.h>

#include "pipeline.h"
#include "tables.h"

#define PEER_MAC48_MASK 0xffffffffffffull

/* The slot of a QinQ (port, outer VLAN, VLAN), 0 if no peer has it. */
static inline uint32_t
peer_qinq_slot(const struct tables *t, uint16_t port, uint16_t outer,
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
		if ((e & PEER_MAC48_MASK) == key)
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
peer_probe(const uint64_t *base, uint32_t h, uint32_t mask, uint64_t e,
	   uint64_t k)
{
	while (e != 0 && (e >> 16) != (k >> 16)) {
		h = (h + 1) & mask;
		e = base[h];
	}
	return e;
}

/* The slot of (port, outer VLAN, VLAN), 0 for none; row: the port's
 * peer_vlan_slot. */
static __rte_always_inline uint32_t
peer_slot(const struct tables *t, const uint16_t *row, uint16_t port,
	  uint16_t outer, uint16_t vlan)
{
	if (outer == 0)
		return row[vlan & (TBL_VLANS - 1)];
	return peer_qinq_slot(t, port, outer, vlan);
}

/* The peer (0: none) of key k in slot ps: home entry, then the probe. */
static __rte_always_inline uint16_t
peer_slot_peer(const uint64_t *macs, const struct tbl_peer_slot *ps, uint64_t k)
{
	const uint64_t *base = macs + ps->first;
	uint32_t h = tbl_peer_hash_k(k) & ps->mask;

	return (uint16_t)peer_probe(base, h, ps->mask, base[h], k);
}

/* The key, tbl_mac48() << 16, of a source MAC word as stage_parse
 * records it (burst.peer_smac: the MAC in the low 6 bytes). */
static __rte_always_inline uint64_t
peer_key(uint64_t smac)
{
	return rte_le_to_cpu_64(smac) << 16;
}

/* stage_peer's packet i after its home entry h (in the slot table at base
 * of mask + 1 entries) did not hold key k: the probe's peer, or the drop
 * unknown_peer. Out of line (peer_stage.c). */
void peer_probed(struct burst *b, unsigned i, const uint64_t *base, uint32_t h,
		 uint32_t mask, uint64_t k);

/*
 * Packet i of b, in slot table (base, mask) (the slot's table start in
 * t->peer_macs and its mask): in_peer from the home entry, or
 * peer_probed. The step stage_peer's loop and the fused head's take for
 * every packet still CONTINUE.
 */
static __rte_always_inline void
peer_at(struct burst *b, size_t i, const uint64_t *base, uint64_t mask,
	uint64_t k)
{
	const uint64_t h = tbl_peer_hash_k(k) & mask;
	/* the home entry minus k is the peer exactly when the entry holds
	 * the MAC (tables.h) */
	const uint64_t d = base[h] - k;

	if (likely(d - 1 < 0xffff)) {
		b->meta[i].in_peer = (uint16_t)d;
		return;
	}
	peer_probed(b, i, base, (uint32_t)h, (uint32_t)mask, k);
}

/* stage_peer's step for packet i of b (CONTINUE, any VLANs) looked up on
 * its own, on port `port` < IXG_MAX_PORTS: the fused head's for what
 * parse_fast refused. Out of line (peer_stage.c). */
void peer_one(const struct tables *t, struct burst *b, unsigned i,
	      uint16_t port);

/* The peer of the frames in b->charged (dropped by parse, their member to
 * be charged), their verdict unchanged; b->port < IXG_MAX_PORTS. Out of
 * line (peer_stage.c). */
void peer_charge_parse_drops(const struct tables *t, struct burst *b);

#endif /* IXG_PEER_STAGE_H */
