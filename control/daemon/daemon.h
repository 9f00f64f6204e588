/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * daemon.h - ixgate-control's state, shared by its wiring (daemon.c), its
 * commit job (commit_job.c), its dataplane client (dp_client.c), its CLI
 * (cli_socket.c, cli_commands.c) and its operator views (show.c).
 *
 * Owned by the io_uring event loop's thread. Task threads (offload.h) read
 * `running` and `previous` while a commit job prepares, and never write
 * them: only the loop replaces them, and only between jobs.
 */
#ifndef IXG_DAEMON_H
#define IXG_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ixg_api.h"
#include "ixg_conf.h"

struct rib;

/* What a file of a loaded config looked like when it was read. */
struct ctl_file_sig {
	dev_t dev;
	ino_t ino;
	int64_t size, mtime_ns, ctime_ns;
	uint8_t sha256[32]; /* of the content read */
	/* A load's files[]: CLOCK_REALTIME just before that content was
	 * read (for a digest kept from an earlier load, then); a file whose
	 * times are this close to it may have changed unseen (config_load.c,
	 * the digest cache). */
	int64_t hashed_ns;
};

/* One committed (or being committed) configuration. */
struct ctl_config {
	struct ixg_conf *conf; /* parsed tree: origins -> file:line:col */
	struct ixg_spec spec; /* compiled */
	uint8_t sha256[32]; /* over every file the config read, in order */
	bool valid; /* conf and spec are set */
	/* files[i] is ixg_conf_file(conf, i) as read; dirs[i] the directory
	 * holding it (a file added there changes its mtime). */
	unsigned n_files;
	struct ctl_file_sig *files;
	struct ctl_file_sig *dirs;
	/* Kernel routes (rib.h): once merged, the first n_conf* entries of
	 * routes4, routes6 and blackholes are the config's, the rest the
	 * kernel's; rib_id names this config's resolution basis. */
	bool rib_merged;
	uint32_t n_conf4, n_conf6, n_conf_bh;
	/* The same for sources4 / sources6 (feasible peers' kernel routes
	 * follow the config's own). */
	uint32_t n_conf_src4, n_conf_src6;
	uint64_t rib_id;
	/* What loading it took (ctl_config_load_cache): files parsed (the
	 * root and its includes), data files compiled (read and parsed) and
	 * reused unread from the compile cache (of those, verified: read
	 * again to compare contents, their times being too recent), and the
	 * steps' wall and thread-CPU time in ms. */
	struct ctl_load_stats {
		unsigned parsed, compiled, reused, verified;
		double parse_ms, compile_ms, digest_ms;
		double parse_cpu_ms, compile_cpu_ms, digest_cpu_ms;
		bool cached; /* through a compile cache */
		/* Through a digest cache (config_load.h): files whose own
		 * SHA-256 was kept (not hashed again), and the leading ones
		 * the config digest resumed after (not read at all). */
		bool digested;
		unsigned digests_reused, digests_resumed;
	} load;
};

/* The config files on disk, compared with the running config. */
enum ctl_files_state {
	CTL_FILES_UNKNOWN, /* not checked yet */
	CTL_FILES_MATCH, /* what the running config was compiled from */
	CTL_FILES_DIFFER, /* a reload would read something else */
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
	/* Which dataplane connection the counters come from: bumped at
	 * every HELLO, so two reads from different dataplane lives (whose
	 * counters restarted at 0) are never subtracted. */
	uint64_t dp_epoch, sum_now_epoch, sum_prev_epoch;

	const char *audit_path; /* JSON lines, one per commit attempt */
	int64_t start_unix;

	/*
	 * The files against the running config (checked every few seconds
	 * off the loop thread), and, after a commit-confirmed rollback, the
	 * configuration the files still hold: `held_sha256` is refused by
	 * reload, SIGHUP and restart until the files change or the operator
	 * says `reload --reapply` (files_note says so in one sentence, with
	 * where the rolled-back files were copied).
	 */
	enum ctl_files_state files;
	bool held; /* held_* are set */
	uint8_t held_sha256[32];
	uint64_t held_generation; /* the generation rolled back */
	int64_t held_unix;
	char files_note[512]; /* "" when the files match */

	/* Kernel routes (rib.h), for `show kernel-routes` and the origins of
	 * `show routes`; NULL when not built. */
	const struct rib *rib;

	/* The commit job, for `status` and `show generation`: "idle", or
	 * "reload: compiling (1.2 s)"... */
	char job_state[160];
};

/*
 * Operator commands that only read state: `show ...` (peers, peer NAME,
 * routes [PREFIX], acl, classes, blackholes, countries, neighbours,
 * matrix peers, matrix countries, drops, ports, generation, config). argv[0] is "show".
 * Writes a human table, or JSON when `json` is true, to `out`. Errors go to
 * `out` too (as {"error": ...} in JSON mode). Returns the exit status for
 * ixgatectl: 0 ok, 1 error (unknown peer, no dataplane...), 2 usage.
 */
int ctl_show(const struct ctl_state *st, int argc, char **argv, bool json,
	     FILE *out);

/* Counters to show, and the two reads their rates come from. */
struct ctl_rates {
	const struct ixg_lcore_counters *c; /* shown; NULL: no dataplane */
	/* Rates are (now - prev) / dt; NULL or dt <= 0: no rates. */
	const struct ixg_lcore_counters *prev, *now;
	double dt;
	unsigned frame; /* --watch frame number from 1, 0: not watching */
	double watch_s; /* --watch interval asked for */
};

/*
 * ctl_show with the counters and rates of `r` (NULL: ctl_show's, i.e. the
 * live sum and the loop's once-a-second samples). With r->frame > 0 the
 * output starts with the frame's time and rate interval (JSON:
 * "watch_frame", "watch_interval_s", "time"). Same returns as ctl_show.
 */
int ctl_show_rates(const struct ctl_state *st, int argc, char **argv, bool json,
		   const struct ctl_rates *r, FILE *out);

/* True if argv ("show", COMMAND, ...) shows counters, so --watch can
 * repeat it with rates. */
bool ctl_show_watchable(int argc, char **argv);

/* The watchable commands' names, "peers, peer, ...", into buf (for an
 * error message). Returns buf. Any thread. */
const char *ctl_show_watchable_list(char *buf, size_t len);

/* The `show` commands for `ixgatectl --help` (the `help` request): one
 * line each ("  show peers   every peer: ..."), or in JSON
 * {"show": [{"name", "args", "help", "watchable"}]}. 0, or 1 when out of
 * memory. Any thread. */
int ctl_show_help(FILE *out, bool json);

/*
 * Per-second rate of a counter read as `prev` then as `now`, dt seconds
 * apart, into *rate. False (the rate is unknown) when dt <= 0 or when the
 * counter went backwards: counters restart at 0 with the dataplane, and a
 * reset is not traffic (a huge "rate" from a wrapped difference would be
 * a lie). Any thread.
 */
bool ctl_rate(uint64_t prev, uint64_t now, double dt, double *rate);

/* Sum the dataplane's counter blocks into out (zeroed first). 0, -ENODEV
 * when no counters are mapped, -ENOMEM. Loop thread. */
int ctl_counters_sum(const struct ctl_state *st,
		     struct ixg_lcore_counters *out);

#endif /* IXG_DAEMON_H */
