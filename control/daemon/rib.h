/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rib.h - kernel routes in ixgate-control (doc/routing.md).
 *
 * With a `kernel-routes` block in the running configuration, the daemon
 * follows those Linux routing tables with the rtnetlink reader
 * (control/routes/) on its own event loop: the socket is a watched fd,
 * the batch window a loop timer, nothing blocks. Each batch is resolved
 * (rib_table.h) and marks the route tables dirty; the daemon then queues
 * one `routes` commit job (commit_job.c, COMMIT_ROUTES) that sends only
 * the route tables that changed, as one transaction: routes4 and routes6
 * as edits (TXN_DELTA) built from the prefixes the batches changed
 * (rib_table_delta: no merge of the whole table), or from a full merge of
 * the running config's own routes and the kernel's when the changes reach
 * beyond those prefixes; blackholes and feasible members' sources whole
 * when theirs changed. The dataplane rebuilds only the route FIBs (the
 * other tables are not sent, so they are reused), publishes with one
 * pointer store, and no packet is lost. While a job runs, newer batches
 * accumulate and go in the next one.
 *
 * Every other commit (reload, rollback, re-commit after a dataplane
 * restart) merges the kernel routes into its candidate too
 * (rib_merge), resolved against the candidate's members.
 *
 * Loop thread only.
 */
#ifndef IXG_RIB_H
#define IXG_RIB_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon.h"
#include "diff.h"
#include "rib_table.h"

struct ctld;
struct rib;
struct view;

/* D->rib, following nothing yet. 0 or -ENOMEM. */
int rib_new(struct ctld *D);
void rib_free(struct ctld *D);

/*
 * The running configuration changed (or the daemon starts): follow its
 * kernel-routes block (start, restart or stop the reader when the block
 * changed; a restarted reader's first full batch replaces what was
 * learned, so the dataplane keeps the old routes meanwhile), and resolve
 * against its members.
 */
void rib_running_changed(struct ctld *D);

/*
 * Adopting a dataplane that another ixgate-control configured: its
 * next-hop groups v[0..n) (GET_IDS) keep their ids in this daemon's
 * kernel routes (rib_table_prefer_groups), so the first commit sends the
 * routes with the values the dataplane runs and the group counters keep
 * their labels; every entry is resolved again at the next merge. Loop
 * thread.
 */
void rib_adopt_groups(struct ctld *D, const struct ixg_spec_nhgroup *v,
		      uint32_t n);

/* Queue a routes job if batches wait and nothing prevents it (called
 * after every job and on the dataplane's HELLO). */
void rib_kick(struct ctld *D);

/*
 * Merge the kernel routes into c's spec (its routes4, routes6 and
 * blackholes replaced by the config's own plus the kernel's, resolved
 * against c). The first merge of a config records which entries are the
 * config's (c->n_conf*). 0 or a negative errno (c unchanged then).
 */
int rib_merge(struct ctld *D, struct ctl_config *c);

/*
 * For a routes job: the route arrays of the running config after the
 * changes into out (routes4, routes6, blackholes; sources4/6 too when a
 * feasible member's changed, else NULL), which tables differ from the
 * running ones in *tables (bits 1 << IXG_TBL_*), what the batches changed
 * in d. An array of out that equals the running one's pointer is the
 * running one (unchanged: the caller must not free it); the others are
 * the caller's. Built from the changed prefixes when the dataplane's
 * sorted tables are known (the edits then wait in rib_job_edits), else by
 * a full merge. The changes taken become in flight. 0 or a negative
 * errno.
 */
int rib_job_build(struct ctld *D, struct ixg_spec *out, uint32_t *tables,
		  struct ctl_diff *d);

/*
 * The edits of family f (0 routes4, 1 routes6) that the last
 * rib_job_build made against rib_sent_base's table, when it built from
 * the changed prefixes (struct ixg_delta_route4/6, sorted; *n of them):
 * the caller owns them. NULL when that build was a full one or f did not
 * change; the job's table of f is then sent as the full path does (sorted
 * and compared with the base, or whole).
 */
void *rib_job_edits(struct ctld *D, int f, uint64_t *n);

/* The routes job ended: live (its tables are in the dataplane) or not
 * (its changes wait for the next one, retried after a second). */
void rib_job_done(struct ctld *D, bool live, uint64_t generation,
		  uint64_t build_ns, uint64_t publish_ns);

/*
 * Route and source deltas (doc/routing.md, "Route deltas"): the route
 * table (IXG_TBL_ROUTES4 or IXG_TBL_ROUTES6) the dataplane holds now,
 * sorted by prefix, or the source table (IXG_TBL_SOURCES4 or
 * IXG_TBL_SOURCES6) sorted by prefix and peer, as the last commit sent
 * it, with its element count in *n; NULL
 * when that is not known (no commit sent it sorted since this daemon or
 * that dataplane started, or a delta was refused). Valid until the next
 * rib_tables_live or rib_delta_refused.
 */
const void *rib_sent_base(const struct ctld *D, unsigned table, uint32_t *n);

/*
 * A commit based on generation `base` is live as generation `gen`: of the
 * route and source tables in `tables` (bits 1 << IXG_TBL_*), sorted[f]
 * ([0] routes4, [1] routes6, [2] sources4, [3] sources6; taken over, may
 * be NULL: unknown) is what the dataplane now holds, sent as delta[f]
 * with edits[f] edits or whole; the tables not sent are still what they
 * were. The route tables' sends are counted in `show kernel-routes`.
 */
void rib_tables_live(struct ctld *D, uint64_t base, uint64_t gen,
		     uint32_t tables, void *sorted[4],
		     const uint32_t n_sorted[4], const bool delta[4],
		     const uint64_t edits[4]);

/* The dataplane refused a route delta: forget the bases (the commit is
 * sent again whole). */
void rib_delta_refused(struct ctld *D);

/* `ixgatectl show kernel-routes`: the reader, the resolution counts, the
 * members, the commits and the latency from netlink to live. 0. */
int rib_show(const struct rib *R, const struct ixg_spec *s, struct view *v);

/*
 * A blackhole's origin as a counter label (counters.h, bh_origin; arg is
 * the struct ctl_state whose running config and rib name it): the config
 * location "file:line:col", "kernel table N" for one from the kernel (N
 * the table of its best route), "kernel" when the rib no longer has it.
 * Loop thread (it reads the rib and the parsed config).
 */
const char *rib_bh_origin(const void *arg, const struct ixg_spec_blackhole *h,
			  char *buf, size_t len);

/*
 * Where a merged kernel entry of the running spec came from: "kernel
 * table 100 proto bird metric 32 via 198.51.100.11 dev ixg0" into buf;
 * NULL when the rib has no route for that prefix. Also, for a prefix the
 * rib holds but did not merge, why (state: "unresolved"...).
 */
const char *rib_where(const struct rib *R, int family, const uint8_t *addr,
		      unsigned len, char *buf, size_t n);

/*
 * What the metrics exporter shows of the kernel routes: the counts of
 * `show kernel-routes` and the latency from a netlink message to live as
 * a cumulative histogram. lat_le[b] counts the changes live in less than
 * rib_lat_bounds_ms[b] ms (the daemon keeps 1 ms buckets to 10 s).
 */
#define RIB_LAT_BOUNDS 13
extern const unsigned rib_lat_bounds_ms[RIB_LAT_BOUNDS];
struct rib_stats {
	bool enabled, synced;
	uint64_t kind[2][RIB_K_MAX]; /* [IPv4, IPv6][enum rib_kind] */
	uint64_t installed[2], installed_blackholes, shadowed, shut;
	uint64_t changes, batches, commits, commits_failed, restarts;
	uint64_t sends_delta, sends_whole, deltas_refused;
	uint64_t lat_count, lat_sum_ns;
	uint64_t lat_le[RIB_LAT_BOUNDS];
};

/* Fill out (zeros, enabled false, when kernel routes are not followed;
 * R may be NULL). Loop thread. */
void rib_get_stats(const struct rib *R, struct rib_stats *out);

/* The members' BGP sessions (session_watch.h), watched with the
 * kernel-routes block; NULL when R is. Loop thread. */
struct session_watch;
const struct session_watch *rib_sessions(const struct rib *R);

/*
 * Link-local gateways (lladdr_watch.h): the dataplane's learned pairs,
 * the whole table (rib_table_set_learned; the routes they resolve anew
 * are committed like a batch's). 0 or -ENOMEM (try again later).
 */
struct rib_lladdr;
int rib_lladdrs_learned(struct ctld *D, const struct rib_lladdr *v, uint32_t n);
/* The link-local gateways to ask the dataplane for
 * (rib_table_ll_wanted), up to max into out. */
uint32_t rib_ll_wanted(const struct ctld *D, uint8_t (*out)[16], uint32_t max);
/* Whether the dataplane said member peer is unreachable in family f (0
 * IPv4, 1 IPv6): its neighbour failed its refresh (neigh.h). */
bool rib_member_unreachable(const struct rib *R, uint16_t peer, unsigned f);
/* The learned link-local addresses into v (`show neighbours`). */
void rib_lladdrs_show(const struct rib *R, struct view *v);

#endif /* IXG_RIB_H */
