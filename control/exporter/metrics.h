/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics.h - what the metrics exporter renders, and from what:
 *
 *  - the names snapshot (struct exp_names): an immutable copy of what the
 *    exporter thread needs to name the dataplane's counters (ports, peers
 *    with ASN and country, classes, ACL rules, country codes, by id), the
 *    state of both processes (dataplane connected, generation, SHA-256s,
 *    start times), the config's files, and its own read-only mapping of
 *    the counters region. The daemon's loop thread builds one from its
 *    state after every change and publishes it with a pointer swap; the
 *    exporter thread takes a reference for each scrape. Nothing in it
 *    changes after it is built, so the two threads share no mutable data
 *    but the reference count.
 *  - the renderer: Prometheus text format 0.0.4 or OpenMetrics 1.0.0 of
 *    every counter family declared in ixg_api.h / counters.h (walked,
 *    not listed here) and of the exporter's own families (metrics.c),
 *    into a growable buffer.
 */
#ifndef IXG_METRICS_H
#define IXG_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "http.h"
#include "ixg_api.h"
#include "rib.h"
#include "session_watch.h"
#include "sflow.h"

struct ctl_state;

struct exp_peer {
	uint16_t id;
	uint16_t country; /* index into countries */
	uint32_t asn;
	char name[IXG_NAME_LEN];
	uint8_t has_nh4, has_nh6; /* its next hops: the neighbours */
	uint8_t nh4[4], nh6[16];
};

struct exp_named {
	uint32_t id;
	char name[IXG_NAME_LEN];
};

struct ctl_file_sig; /* daemon.h */

struct exp_names {
	int refs; /* atomic; the snapshot is freed when it drops to 0 */

	/* ixgate-control */
	int64_t control_start_unix;
	const char *config_path;
	bool config_valid; /* the daemon holds a loaded config */
	uint8_t config_sha256[32]; /* of the daemon's running config */
	int64_t config_load_unix; /* when this daemon first had it */
	unsigned n_files;
	char **files; /* every file the config read, in order */
	/* What the load read of each (identity, SHA-256, when): the
	 * exporter's file digests come from here while the files are as
	 * they were then. NULL: not known (then it hashes them). */
	struct ctl_file_sig *file_sigs;

	/* the dataplane, as last seen over the API */
	bool dp_connected;
	uint64_t dp_generation;
	uint8_t dp_sha256[32];
	int64_t dp_start_unix; /* 0: never connected */
	unsigned dp_workers;

	/* Names by stable id (the running spec's), owned here. */
	unsigned n_ports, n_peers, n_classes, n_rules, n_countries;
	struct exp_named *ports, *classes;
	struct exp_peer *peers;
	ixg_cc_t *countries; /* by country index */
	/* The ACL rules in the spec's order: id and name only. */
	struct ixg_spec_acl_rule *rules;
	/* The blackholes in the spec's order, and the origin label of each
	 * (rib_bh_origin, rendered by the loop thread). */
	unsigned n_blackholes;
	struct ixg_spec_blackhole *blackholes;
	char **bh_origins;
	struct ixg_spec_nhgroup *nhgroups; /* ECMP groups, by the spec */
	unsigned n_nhgroups;
	/* The same as the counter-family walk takes them (counters.h),
	 * pointing into the arrays above. */
	struct ixg_ctr_names *ctr;

	/* The counters: this snapshot's own read-only mapping of the
	 * dataplane's region (so the daemon may unmap its own at any time),
	 * NULL when no dataplane is connected. */
	const struct ixg_lcore_counters *counters;
	unsigned n_blocks;
	size_t map_size;
};

/*
 * Build a snapshot of st (the daemon's state; loop thread). The previous
 * snapshot `prev` (may be NULL) lends its config load time when the
 * config is the same. Returns the snapshot with one reference, or NULL
 * with errno set.
 */
struct exp_names *exp_names_build(const struct ctl_state *st,
				  const struct exp_names *prev);

/* Take / drop a reference (any thread). The last put frees the
 * snapshot, its strings and its counters mapping. */
void exp_names_get(struct exp_names *n);
void exp_names_put(struct exp_names *n);

/* Is the node ready to serve traffic as configured? Fills why (a
 * sentence without a newline) when not. Any thread. */
bool exp_names_ready(const struct exp_names *n, char *why, size_t whylen);

/* A growable output buffer. `oom` latches the first allocation failure
 * (then the content is incomplete and must not be served). */
struct mout {
	char *p;
	size_t len, cap;
	bool oom;
};

void mout_reset(struct mout *o);
void mout_free(struct mout *o);

/* Per-file SHA-256s of the config, when known (computed by the exporter
 * thread from the files, and trusted only when their combined digest is
 * the config's): NULL when unknown. */
struct exp_file_digests {
	bool known; /* whether the files changed is known (all read, or
		     * one gone) */
	bool match; /* the files on disk are the running config's */
	unsigned n;
	uint8_t (*sha256)[32];
};

/* What the exporter measured about itself, rendered too. */
struct exp_self {
	uint64_t scrapes[2]; /* /metrics answered, by enum http_format */
	uint64_t http_errors; /* requests answered 4xx/5xx */
	uint64_t connections; /* accepted */
	uint64_t tls_handshake_failures;
	double last_scrape_seconds; /* render time of the previous scrape */
	int64_t tls_ctx_loaded_unix; /* 0: plain HTTP */
	uint64_t tls_reload_failures;
};

/*
 * ixgate-control's own running numbers (the sFlow agent, the kernel
 * routes), copied by the loop thread once per tick (exporter_live) and
 * rendered from the exporter's copy: a scrape never reads the loop's
 * state. Plain numbers.
 */
struct exp_live {
	bool valid; /* filled at least once */
	struct sflow_stats sf; /* control/sflow/sflow.h */
	struct rib_stats kr; /* control/daemon/rib.h */
	struct sw_stats ss; /* control/daemon/session_watch.h */
};

/*
 * Render every family for snapshot n (NULL: only what the exporter knows
 * of itself), the summed counters `sum` (NULL: no dataplane, no counter
 * samples) and the daemon's live numbers (NULL or not valid: none) in
 * format fmt, appended to o. OpenMetrics ends with "# EOF". Any thread
 * (only reads its arguments).
 */
void metrics_render(const struct exp_names *n,
		    const struct ixg_lcore_counters *sum,
		    const struct exp_file_digests *files,
		    const struct exp_self *self, const struct exp_live *live,
		    enum http_format fmt, struct mout *o);

/* Content-Type of a format. */
const char *metrics_content_type(enum http_format fmt);

#endif /* IXG_METRICS_H */
