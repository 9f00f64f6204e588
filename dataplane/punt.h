/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * punt.h - the exception path to the node's Linux side
 * (doc/exception-path.md).
 *
 * Fast path (punt_rules.c, in the stages' library): stage_local gives a
 * frame for the node that it does not answer the verdict VERDICT_PUNT when
 * the allow-list lets it through and the ingress port's token bucket has a
 * token; stage_output counts it `punted` and hands it out in
 * burst_out.punt.
 *
 * Linux side (punt.c, in ixgate-dataplane): each worker queues its punted
 * frames into its own bounded single-producer ring (full: the frame is
 * dropped punt_queue_full, pipeline_punt_failed); one punt thread, a
 * control thread beside the main one, drains the rings into a TAP
 * interface per (port, VLAN) with node addresses, and reads what Linux
 * sends there into per-worker inject rings that the workers transmit from
 * their own TX queue of the port. The main thread creates, addresses and
 * removes the interfaces after each commit (punt_sync).
 */
#ifndef IXG_PUNT_H
#define IXG_PUNT_H

#include <stdint.h>

#include "ixg_api.h"

struct pipeline_ctx;
struct pkt_meta;
struct spec_check;
struct tables;

/*
 * Whether a frame for the node (pm parsed by stage_parse) may reach Linux:
 * a rule of n->punt_rules with its IP protocol whose port range holds its
 * source or destination port (any port: the protocol alone), or an IPv6
 * Neighbor Advertisement (Linux's own neighbour resolution). 1 or 0. Any
 * thread; reads n and pm only.
 */
int punt_allowed(const struct ixg_spec_node *n, const struct pkt_meta *pm);

/*
 * Take one token of port's exception-path bucket in this worker: each
 * worker holds node.punt_rate / n_workers frames per second and
 * node.punt_burst / n_workers frames of burst (at least 1 each), refilled
 * from ctx->now_tsc. Returns 1 (take the frame) or 0 (over the rate).
 * Worker thread (its own ctx).
 */
int punt_take_token(struct pipeline_ctx *ctx, const struct tables *t,
		    uint16_t port);

/*
 * Take one token of port's ARP/ND answer bucket in this worker:
 * node.arp_nd_rate answers per second and as many of burst, a share per
 * worker; always 1 when the rate is 0 (not limited). Worker thread.
 */
int arp_nd_take_token(struct pipeline_ctx *ctx, const struct tables *t,
		      uint16_t port);

/*
 * Whether the member that sent pm (pm->in_peer) may claim `addr` of
 * `family` (4 or 6) in ARP or ND: it is that member's next hop of the
 * family. 1 or 0 (no known member, no next hop, another address). Any
 * thread.
 */
int punt_claim_ok(const struct tables *t, const struct pkt_meta *pm, int family,
		  const uint8_t *addr);

/*
 * Check the exception-path fields of c's node: punt 0 or 1, at most
 * IXG_MAX_PUNT_RULES rules, non-empty port ranges, a rate and a burst when
 * on. 0, or -1 after spec_refuse naming the node table. Control thread.
 */
int punt_validate(struct spec_check *c);

#endif /* IXG_PUNT_H */
