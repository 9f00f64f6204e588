/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hop_table.c - next hops to members and their BGP session state
 * (tables.h, TBL_HOPS; doc/routing.md, "Session loss"): the part "hops",
 * tables.hop[], which stage_route (route_stage.c) reads for every packet
 * routed to a member, and tables_peer_down, which applies the control
 * plane's PEER_DOWN message (ixg_api.h) to the published snapshot at once.
 *
 * A member's routes from the kernel name it by a hop value of their own
 * (TBL_HOP_KERNEL4/6 + id, tbl_route_nh), its config routes by its peer
 * id: a session going down clears the member's kernel hop of that family
 * (one 32-bit store), so every kernel route to it stops forwarding from
 * the next burst, whatever their number, and its config routes go on.
 * ECMP groups (nhg_table.c) are repainted over their other members.
 *
 * The state (tables.peer_down) lives in the snapshot and is copied into
 * each snapshot built from it, so commits keep it; a dataplane restart
 * starts with every member up, and ixgate-control sends its state again
 * after every HELLO.
 *
 * A member's learned neighbour failing its refresh (neigh.c) is the same
 * event from the link (tables_neigh_down, tables.neigh_down, applied by
 * the main thread from neigh_down_get): a hop is cleared while either
 * says down.
 */
#include <string.h>

#include "tables_impl.h"

_Static_assert(IXG_MAX_PEERS % 64 == 0, "peer_down: whole words");
_Static_assert(IXG_MAX_PORTS <= UINT16_MAX, "a hop's port is 16 bits");

/* The hop word of a configured member p: its id and its egress port. */
static uint32_t
hop_word(const struct tables *t, uint16_t p)
{
	return (uint32_t)t->peers[p].port_id << 16 | p;
}

static int
hops_build(struct tbl_build *b)
{
	struct tables *t = b->t;

	if (b->prev != NULL) {
		memcpy(t->peer_down, b->prev->peer_down, sizeof(t->peer_down));
		memcpy(t->neigh_down, b->prev->neigh_down,
		       sizeof(t->neigh_down));
	}
	for (uint16_t p = 1; p < IXG_MAX_PEERS; p++) {
		uint32_t w;

		if (!t->peers[p].configured)
			continue;
		w = hop_word(t, p);
		t->hop[p] = w;
		t->hop[TBL_HOP_KERNEL4 + p] = tables_peer_is_down(t, 0, p) ? 0
									   : w;
		t->hop[TBL_HOP_KERNEL6 + p] = tables_peer_is_down(t, 1, p) ? 0
									   : w;
	}
	return 0;
}

/* Inline in the snapshot, built every time (a few microseconds). */
static void
hops_free(struct tables *t)
{
	(void)t;
}

const struct tbl_part_ops tbl_part_hops = {
	.build = hops_build,
	.free = hops_free,
};

/*
 * Set the state `which` (t->peer_down or t->neigh_down) to down and apply
 * what changed in the effective state (either bit set) to the published
 * snapshot: the hop entries that changed and the ECMP groups that have
 * one of them. The counts in *out are of `which`'s bits. Main thread.
 */
static void
down_apply(struct tables *t, const struct ixg_spec *spec,
	   uint64_t which[2][IXG_MAX_PEERS / 64],
	   const uint64_t down[2][IXG_MAX_PEERS / 64],
	   struct tables_down_change *out)
{
	uint64_t changed[2][IXG_MAX_PEERS / 64];
	struct tables_down_change ch;
	bool any = false;

	memset(&ch, 0, sizeof(ch));
	for (unsigned f = 0; f < 2; f++)
		for (unsigned w = 0; w < IXG_MAX_PEERS / 64; w++) {
			uint64_t now = w == 0 ? down[f][w] & ~UINT64_C(1)
					      : down[f][w];
			uint64_t mine = now ^ which[f][w];
			uint64_t before = t->peer_down[f][w] |
					  t->neigh_down[f][w];

			ch.went_down[f] += (unsigned)__builtin_popcountll(mine &
									  now);
			ch.came_up[f] += (unsigned)__builtin_popcountll(mine &
									~now);
			which[f][w] = now;
			changed[f][w] = before ^ (t->peer_down[f][w] |
						  t->neigh_down[f][w]);
			any |= changed[f][w] != 0;
		}
	if (any) {
		for (unsigned f = 0; f < 2; f++) {
			const unsigned base = f == 0 ? TBL_HOP_KERNEL4
						     : TBL_HOP_KERNEL6;

			for (unsigned w = 0; w < IXG_MAX_PEERS / 64; w++)
				for (uint64_t m = changed[f][w]; m != 0;
				     m &= m - 1) {
					uint16_t p =
						(uint16_t)(w * 64 +
							   (unsigned)
								   __builtin_ctzll(
									   m));
					uint32_t v =
						!t->peers[p].configured ||
								tables_peer_is_down(
									t, f, p)
							? 0
							: hop_word(t, p);

					__atomic_store_n(&t->hop[base + p], v,
							 __ATOMIC_RELAXED);
				}
		}
		nhg_repaint(t, spec, changed, &ch.groups, &ch.slots);
	}
	if (out != NULL)
		*out = ch;
}

/* See tables.h. Main thread. */
void
tables_peer_down(struct tables *t, const struct ixg_spec *spec,
		 const uint64_t down[2][IXG_MAX_PEERS / 64],
		 struct tables_down_change *out)
{
	down_apply(t, spec, t->peer_down, down, out);
}

/* See tables.h. Main thread. */
void
tables_neigh_down(struct tables *t, const struct ixg_spec *spec,
		  const uint64_t down[2][IXG_MAX_PEERS / 64],
		  struct tables_down_change *out)
{
	down_apply(t, spec, t->neigh_down, down, out);
}
