/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lladdr_watch.h - the members' IPv6 link-local addresses the dataplane
 * learned from Neighbor Discovery, followed by ixgate-control
 * (doc/routing.md, "Gateways by link-local address"; doc/neighbours.md,
 * "Link-local addresses").
 *
 * Every LW_POLL_MS the watcher sends GET_LLADDRS (ixg_api.h) with the
 * link-local gateways the kernel routes need (rib_table_ll_wanted: those
 * no config next hop nor EUI-64 resolves), which the dataplane solicits
 * and keeps fresh, and reads the learned pairs back, page by page (a page
 * of another generation starts the reading over). A complete table whose
 * generation differs from the last goes to the rib (rib_lladdrs_learned),
 * which resolves the routes again and commits what changed: a route whose
 * gateway was unresolved goes live within a poll and a commit of its pair
 * being learned, and back to unresolved when the pair is removed. The
 * members the dataplane found unreachable (a failed neighbour refresh,
 * neigh.h) come with each reply, for `show neighbours`.
 *
 * Loop thread only.
 */
#ifndef IXG_LLADDR_WATCH_H
#define IXG_LLADDR_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "ixg_api.h"

#define LW_POLL_MS 500

struct ctld;
struct view;
struct lladdr_watch;

/* A watcher on D's loop and dataplane client, polling from now on. NULL
 * with errno set. */
struct lladdr_watch *lladdr_watch_new(struct ctld *D);
void lladdr_watch_free(struct lladdr_watch *W);

/* Whether the dataplane's last reply said member peer is unreachable in
 * family f (0 IPv4, 1 IPv6). False before any reply. */
bool lladdr_watch_unreachable(const struct lladdr_watch *W, uint16_t peer,
			      unsigned f);

/*
 * The learned pairs into v as the table "link_local" (address, member,
 * port/VLAN, MAC, heard, whether a route needs it, what it resolves to:
 * resolve(arg, addr) gives a peer id, -ENOENT or -EEXIST), and the
 * watcher's counts as JSON members. name(arg, peer) names a member
 * (NULL: unknown).
 */
void lladdr_watch_show(const struct lladdr_watch *W, struct view *v,
		       int (*resolve)(const void *arg, const uint8_t *addr),
		       const char *(*name)(const void *arg, uint16_t peer),
		       const void *arg);

#endif /* IXG_LLADDR_WATCH_H */
