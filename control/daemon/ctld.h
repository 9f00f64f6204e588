/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctld.h - ixgate-control, the daemon object: what its parts share.
 *
 *   daemon.c        the wiring: start-up, signals, the 1 s tick, the
 *                   dataplane connection's up/down, the files check
 *   commit_job.c    commits as jobs: compile off the loop thread, audit
 *                   attempt, transaction, result, verification
 *   dp_client.c     the dataplane API as a state machine on the loop
 *   cli_socket.c    the CLI socket: connections, limits, replies, --watch
 *   cli_commands.c  what each ixgatectl command does
 *   audit.c         the audit log        config_load.c  loading configs
 *   offload.c       task threads         loop.c         the io_uring loop
 *
 * Everything declared here runs on the loop thread unless it says
 * otherwise.
 */
#ifndef IXG_CTLD_H
#define IXG_CTLD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "audit.h"
#include "config_load.h"
#include "daemon.h"
#include "diff.h"
#include "dp_client.h"
#include "ixg_api.h"
#include "loop.h"
#include "offload.h"
#include "rib.h"

struct cli;
struct cli_client;
struct commit_jobs;
struct sflow;

/* Defaults of the command-line options. */
#define CTLD_COMMIT_TIMEOUT_S 120
#define CTLD_COMPILE_TIMEOUT_S 300
#define CTLD_STATE_DIR "/var/lib/ixgate"

struct ctld {
	struct ctl_state st;
	struct loop *loop;
	struct offload *offload;
	struct dp_client *dp;
	struct audit *audit; /* NULL: no audit log */
	FILE *log; /* the daemon's log (stderr: journald) */
	const char *api_path, *ctl_path;
	const char *state_dir; /* NULL: rolled-back copies not kept */
	uid_t uid; /* the daemon's, after dropping privileges */
	gid_t ctl_gid; /* the CLI socket's group: may show (read-only) */
	bool have_ctl_gid;
	unsigned commit_timeout_ms, compile_timeout_ms;
	unsigned max_per_uid; /* CLI connections per unprivileged uid */

	/* The dataplane, as seen from here. */
	uint64_t dp_start_known; /* start_unix of the dataplane we synced */
	/* The running spec is byte-exact what the dataplane holds (false
	 * after adopting without confirmed ids: the next commit sends every
	 * table). */
	bool running_exact;
	bool sync_pending; /* a HELLO since the last sync */
	bool keepalive_pending; /* a GET_STATE keep-alive in flight */
	/* st.running was loaded from files the dataplane does not run (held
	 * back after a rollback): never a config to roll back to. */
	bool running_not_live;
	bool first_sync_done;

	struct commit_jobs *jobs;
	struct cli *cli;
	struct rib *rib; /* kernel routes (rib.h) */
	struct sflow *sflow; /* the sFlow agent (control/sflow/sflow.h) */

	/* The audit log's last record was an attempt without its result (a
	 * daemon killed during a commit): the first sync records what
	 * became of it. */
	bool dangling;
	char dangling_action[32];
	uint8_t dangling_sha[32];
	uint64_t dangling_generation;

	int signal_fd;
	struct loop_watch *signal_watch;
	struct loop_timer *tick;

	/* What the data files compiled to (ixg_conf.h, compile cache): one
	 * load uses it at a time, so a compile task holds it while it runs
	 * (NULL meanwhile; an abandoned task frees it and the next load
	 * starts a new one). */
	struct ixg_conf_cache *conf_cache;
	/* What the files hashed to (config_load.h, digest cache): held and
	 * passed on like conf_cache. */
	struct ctl_digests *digests;

	/* The files check (daemon.c). */
	struct offload_task *files_task;
	uint64_t files_next_ms, files_full_ms;
	bool files_dir_changed;
};

/* ---- daemon.c: the wiring ---- */

/* To the operator (out, may be NULL) and to the daemon's log. */
void ctld_say(struct ctld *D, FILE *out, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* To the daemon's log only. */
void ctld_log(struct ctld *D, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append a record to the audit log without waiting for it (errors are
 * logged). No-op without an audit log. */
void ctld_audit(struct ctld *D, const struct ctl_audit_rec *rec);

/*
 * The running configuration changed (a commit, a rollback, an adoption, a
 * verification): the place where whoever publishes names from it (the
 * metrics exporter) is told. Also re-checks the files soon.
 */
void ctld_running_changed(struct ctld *D);

/* Record (or clear, sha NULL) the configuration the files hold after a
 * rollback, in memory and in STATE_DIR/held (see daemon.h, `held`). */
void ctld_set_held(struct ctld *D, const uint8_t *sha, uint64_t generation,
		   const char *copy_dir);

/* Read STATE_DIR/held at start-up. Main thread. */
void ctld_load_held(struct ctld *D);

/* Find an attempt record without a result at the end of the audit log
 * (path) and remember it (D->dangling). Main thread, at start-up. */
void ctld_find_dangling(struct ctld *D, const char *path);

/* Start serving: sockets, signals, timers, dataplane connection.
 * 0 or a negative errno. Main thread, before loop_run. */
int ctld_start(struct ctld *D);
void ctld_stop(struct ctld *D);

/* Re-open the audit log (SIGUSR1, `ixgatectl log reopen`). 0 or -1 with
 * the reason said to out. */
int ctld_audit_reopen(struct ctld *D, FILE *out);

/* ---- commit_job.c ---- */

enum commit_kind {
	COMMIT_RELOAD, /* re-read the files and commit what changed */
	COMMIT_ROLLBACK, /* commit the previous configuration */
	COMMIT_SYNC, /* after HELLO: adopt, take ids, or re-commit whole */
	COMMIT_ROUTES, /* kernel routes changed: send the route tables */
};

struct commit_request {
	enum commit_kind kind;
	int64_t who; /* a CLI uid, or CTL_WHO_* */
	const char *action; /* for the log and the audit log (static) */
	unsigned confirm_s; /* reload: arm commit-confirmed */
	bool reapply; /* reload: commit even the held configuration */
	bool full; /* reload: read and hash every file (caches dropped) */
	struct cli_client *client; /* NULL: nobody waits for the answer */
};

int commit_jobs_init(struct ctld *D);
void commit_jobs_free(struct ctld *D);

/*
 * Queue a commit job (at most 8 wait; a sync goes first). 0 when queued
 * (the client, if any, gets its answer when the job ends), or -EBUSY with
 * a sentence in err. Loop thread.
 */
int commit_job_submit(struct ctld *D, const struct commit_request *r, char *err,
		      size_t errlen);

/* A job runs or waits. */
bool commit_job_busy(const struct ctld *D);
/* A rollback-unconfirmed is queued or running. */
bool commit_job_rollback_queued(const struct ctld *D);

/* The dataplane connection came up (HELLO in st.dp_hello) / went down:
 * the jobs learn it (a job waiting to verify a commit reads the HELLO). */
void commit_jobs_dp_up(struct ctld *D);
void commit_jobs_dp_down(struct ctld *D, const char *why);

/* One line for `status`: what the job does now (st.job_state too). */
void commit_jobs_describe(struct ctld *D, char *buf, size_t len);

/* ---- cli_socket.c ---- */

/* Who is asking, from the socket (SO_PEERCRED, SO_PEERGROUPS). */
struct cli_caller {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	unsigned n_groups;
	gid_t groups[64];
	bool privileged; /* root or the daemon's uid: may change things */
};

/* Listen on D->ctl_path (refusing to replace anything but a dead
 * socket), owned by D->ctl_gid when set, mode 0660. Main thread. */
int cli_start(struct ctld *D, char *err, size_t errlen);
void cli_stop(struct ctld *D);

/* Close clients past their deadline. Called by the 1 s tick. */
void cli_sweep(struct ctld *D);

/* Connections open now, and refused since start. */
unsigned cli_clients(const struct ctld *D);
uint64_t cli_refused(const struct ctld *D);

/* The caller of a client. */
const struct cli_caller *cli_client_caller(const struct cli_client *c);

/* The answer comes later: `owner` is told with detach(owner) if the
 * client leaves first, and progress(owner) writes the line sent every
 * second as a keep-alive (ixgatectl's receive timeout). */
typedef void (*cli_detach_fn)(void *owner);
typedef void (*cli_progress_fn)(void *owner, char *buf, size_t len);
void cli_client_defer(struct cli_client *c, void *owner, cli_detach_fn detach,
		      cli_progress_fn progress);

/* Text for the operator now (human mode: sent at once; JSON mode: kept
 * for the final object). */
void cli_client_say(struct cli_client *c, const char *text, size_t len);

/* The end of the answer, with ixgatectl's exit status; the client is
 * closed once it has read it. JSON mode: everything said, as one object
 * (ctl_text_to_json). */
void cli_client_finish(struct cli_client *c, int status);

/* A whole answer as it is (a view: aligned text, or JSON already), then
 * closed once read. */
void cli_client_answer(struct cli_client *c, const char *text, size_t len,
		       int status);

/* ---- cli_commands.c ---- */

/*
 * Run one request for c (argv as ixgatectl sent it). Either answers at
 * once (cli_client_say + cli_client_finish) or defers (commit jobs,
 * checks) and answers later.
 */
void cli_command(struct ctld *D, struct cli_client *c, int argc, char **argv,
		 bool json);

/* Parse a request message: 0 and argv pointing into buf (NUL-terminated
 * strings), or -EBADMSG. argv has room for CTL_MAX_ARGS + 1. Any thread. */
int ctl_parse_request(char *buf, size_t len, int *argc, char **argv,
		      uint16_t *flags);

/* A change command's text as one JSON object; errors as {"error": first
 * error line, "where": "file:line:col"} (ctl_proto.h). Any thread. */
void ctl_text_to_json(const char *text, size_t len, int status, FILE *out);

#endif /* IXG_CTLD_H */
