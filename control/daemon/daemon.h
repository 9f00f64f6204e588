/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * daemon.h - ixgate-control's state, shared by its event loop (daemon.c,
 * loop.c), its dataplane client (dpclient.c), its commit logic (commit.c,
 * audit.c) and its operator commands (show.c).
 *
 * Single-threaded: everything here is touched only from the io_uring event
 * loop's thread.
 */
#ifndef IXG_DAEMON_H
#define IXG_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ixg_api.h"
#include "ixg_conf.h"

/* One committed (or being committed) configuration. */
struct ctl_config {
	struct ixg_conf *conf; /* parsed tree: origins -> file:line:col */
	struct ixg_spec spec; /* compiled */
	uint8_t sha256[32]; /* over every file the config read, in order */
	bool valid; /* conf and spec are set */
};

struct ctl_state {
	const char *config_path;

	/* What the dataplane runs (last successful commit, or adopted). */
	struct ctl_config running;
	/* Before the last commit: what `rollback` and a missed
	 * commit-confirmed deadline go back to. */
	struct ctl_config previous;
	int64_t confirm_deadline; /* unix s; 0 when nothing awaits confirm */

	/* The dataplane, as seen over the API. */
	bool dp_connected;
	uint64_t dp_generation;
	struct ixg_msg_hello_reply dp_hello;
	/* Counters region mapped read-only from the hello's memfd. */
	const struct ixg_lcore_counters *counters;
	unsigned n_counter_blocks;
	size_t counters_size;

	/* Rates: totals sampled by the loop about once a second. */
	struct ixg_lcore_counters *sum_now, *sum_prev;
	double sample_interval_s;

	const char *audit_path; /* JSON lines, one per commit attempt */
	int64_t start_unix;
};

/*
 * Operator commands that only read state: `show ...` (peers, peer NAME,
 * routes [PREFIX], acl, classes, blackholes, countries, matrix peers,
 * matrix countries, drops, ports, generation, config). argv[0] is "show".
 * Writes a human table, or JSON when `json` is true, to `out`. Errors go to
 * `out` too (as {"error": ...} in JSON mode). Returns the exit status for
 * ixgatectl: 0 ok, 1 error (unknown peer, no dataplane...), 2 usage.
 */
int ctl_show(const struct ctl_state *st, int argc, char **argv, bool json,
	     FILE *out);

#endif /* IXG_DAEMON_H */
