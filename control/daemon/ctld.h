/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctld.h - ixgate-control's internals beyond daemon.h (which show.c also
 * uses): config loading and checksums (config.c), the audit log
 * (audit.c), the synchronous dataplane client (dpclient.c), commits and
 * the daemon's wiring (ctld.c), the CLI socket (ctl.c).
 *
 * Single-threaded: the io_uring loop's thread calls everything here.
 */
#ifndef IXG_CTLD_H
#define IXG_CTLD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "daemon.h"
#include "diff.h"
#include "ixg_api.h"
#include "loop.h"

struct ctl_client;

/* ---- config.c ---- */

/*
 * Parse, validate and compile `path` keeping the ids of `prev` (may be
 * NULL), and checksum every file it read. On success fills out (owned by
 * the caller, release with ctl_config_free) and returns 0. On error
 * prints every diagnostic then "FILE: N errors; configuration NOT loaded"
 * to errs and returns -1; out is untouched.
 */
int ctl_config_load(const char *path, const struct ixg_spec *prev,
		    struct ctl_config *out, FILE *errs);
void ctl_config_free(struct ctl_config *c);

/* SHA-256 (OpenSSL EVP) over the contents of every file c read, in
 * ixg_conf_file() order. 0 or a negative errno. */
int ctl_config_sha256(const struct ixg_conf *c, uint8_t out[32]);

/*
 * Refuse a config an unprivileged user could rewrite: 0 if `path` and its
 * directory are not world-writable, otherwise -EPERM with a sentence in
 * err ("PATH is world-writable"). -errno if path cannot be stat'ed.
 */
int ctl_config_perms(const char *path, char *err, size_t errlen);

/* Lower-case hex of a SHA-256, 65 bytes with the NUL. */
void ctl_hex(const uint8_t sha[32], char out[65]);

/* ---- audit.c ---- */

enum ctl_result {
	CTL_RES_OK,
	CTL_RES_REFUSED,
	CTL_RES_FAILED,
	CTL_RES_ADOPTED
};

/* Who asked for a commit: a CLI uid (>= 0), or one of these. */
#define CTL_WHO_SIGNAL (-1)
#define CTL_WHO_STARTUP (-2)
#define CTL_WHO_DAEMON (-3) /* re-commit, confirm deadline */

struct ctl_audit_rec {
	int64_t time; /* unix s */
	int64_t who;
	const char *action; /* "reload", "rollback", "startup", ... */
	const uint8_t *sha256; /* NULL: none */
	uint64_t generation;
	enum ctl_result result;
	const char *error; /* NULL or "file:line:col: ..." */
	const struct ctl_diff *diff; /* NULL: none */
	double build_ms, publish_ms;
};

/* One JSON line for rec, with the newline, into out. */
void ctl_audit_format(const struct ctl_audit_rec *rec, FILE *out);

/* Append rec to the audit log fd (O_APPEND: one write per line, so
 * concurrent writers never interleave). 0 or a negative errno. */
int ctl_audit_write(int fd, const struct ctl_audit_rec *rec);

/* ---- dpclient.c ---- */

/* Connect to the dataplane's API socket (SOCK_SEQPACKET, close-on-exec).
 * Returns the fd or a negative errno. */
int dp_connect(const char *path);

/* HELLO -> HELLO_REPLY; *counters_fd gets the memfd (or -1). Waits at
 * most timeout_ms. 0, a negative errno, or -EPROTO if the dataplane
 * refused (rep->status says why). */
int dp_hello(int fd, uint32_t *seq, struct ixg_msg_hello_reply *rep,
	     int *counters_fd, int timeout_ms);

/*
 * One transaction: TXN_BEGIN(base_generation, sha256), a TXN_TABLE for
 * each table in `tables` (bit 1u << enum ixg_table) taken from spec,
 * TXN_COMMIT. rep receives the COMMIT_REPLY (or, if a step before the
 * commit was refused, a commit reply built from that step's REPLY with
 * err_table set to the table being sent). Returns 0 when the exchange
 * completed (look at rep->status), or a negative errno when the
 * connection failed (then the dataplane discards the transaction).
 */
int dp_commit(int fd, uint32_t *seq, uint64_t base_generation,
	      const uint8_t sha256[32], const struct ixg_spec *spec,
	      uint32_t tables, struct ixg_msg_commit_reply *rep,
	      int timeout_ms);

/*
 * GET_IDS -> IDS: the running spec's ids (ports, peers, classes, ACL
 * rules, country indices) decoded and checked into the skeleton `ids`
 * (release with ixg_ids_free) and the generation they belong to. 0; a
 * negative errno when the exchange failed (-EPROTO: not understood), or
 * -EBADMSG when the reply was malformed; a one-line reason in err
 * (IXG_WIRE_ERR_LEN bytes) either way.
 */
int dp_get_ids(int fd, uint32_t *seq, struct ixg_spec *ids,
	       uint64_t *generation, char *err, int timeout_ms);

/* ---- ctld.c ---- */

struct ctld {
	struct ctl_state st;
	struct loop *loop;
	const char *api_path, *ctl_path;
	uid_t uid; /* the daemon's, after dropping privileges */
	int audit_fd; /* -1: no audit log */
	FILE *log; /* the daemon's log (stderr) */

	int api_fd; /* -1 when not connected */
	struct loop_watch *api_watch;
	struct loop_timer *reconnect;
	uint32_t api_seq;
	int counters_fd;
	/* The running spec is byte-exact what the dataplane holds (false
	 * after adopting: the next commit sends every table). */
	bool running_exact;

	int ctl_fd; /* listening CLI socket */
	struct loop_watch *ctl_watch;
	struct loop_timer *tick;
	int signal_fd;
	struct loop_watch *signal_watch;
	int exit_code;

	/* CLI connections (ctl.c). */
	struct ctl_client *clients;
	unsigned n_clients, n_watchers;
};

/*
 * Commit `cfg` (owned by the caller until success: then the daemon owns it
 * as `running`, and the old running becomes `previous`). Writes the
 * outcome for the operator to out, logs it and appends an audit line.
 * Returns 0 on success, -1 refused/failed (nothing changed).
 */
int ctld_commit(struct ctld *D, struct ctl_config *cfg, int64_t who,
		const char *action, FILE *out);

/* reload: re-read the files and commit; confirm_s > 0 arms the
 * commit-confirmed deadline. Returns ixgatectl's exit status. */
int ctld_reload(struct ctld *D, int64_t who, unsigned confirm_s, FILE *out);
int ctld_confirm(struct ctld *D, int64_t who, FILE *out);
int ctld_rollback(struct ctld *D, int64_t who, const char *action, FILE *out);
/* check [FILE]: validate without committing. */
int ctld_check(struct ctld *D, const char *path, FILE *out);

/* Start serving: sockets, signals, timers, dataplane connection. */
int ctld_start(struct ctld *D);
void ctld_stop(struct ctld *D);

/* ---- ctl.c ---- */

/*
 * Run one CLI request (argv as ixgatectl sent it) for a caller with `uid`,
 * writing the reply text to out. Returns the exit status for ixgatectl
 * (0 ok, 1 error, 2 usage).
 */
int ctl_dispatch(struct ctld *D, uid_t uid, int argc, char **argv, bool json,
		 FILE *out);

/* Close the CLI clients past their deadline: no request within 5 s of
 * connecting, or 10 s without reading any of a pending reply. Called by
 * the 1 s tick. */
void ctl_sweep(struct ctld *D);

/* Close every CLI client (at stop, before the loop is freed). */
void ctl_close_all(struct ctld *D);

/* Accept callback for the listening CLI socket (registered by ctld). */
void ctl_on_accept(struct loop *L, struct loop_watch *w, int fd,
		   unsigned revents, void *arg);

/* Parse a request message: 0 and argv pointing into buf (NUL-terminated
 * strings), or -EBADMSG. argv has room for CTL_MAX_ARGS + 1. */
int ctl_parse_request(char *buf, size_t len, int *argc, char **argv,
		      uint16_t *flags);

#endif /* IXG_CTLD_H */
