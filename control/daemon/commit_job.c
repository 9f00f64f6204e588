/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * commit_job.c - ixgate-control's commits as jobs.
 *
 * One job runs at a time; up to MAX_QUEUED wait behind it (a second
 * `ixgatectl reload` queues, and reads the files when its turn comes). A
 * job is a chain of steps, each started by the completion of the one
 * before, so the event loop keeps answering `show`, `status`, `confirm`
 * and `--watch` for the whole of a commit:
 *
 *   compile   a task thread parses and compiles the files (reload), with
 *             a copy of the running ids, under a deadline (a FIFO or a
 *             hung filesystem in the config tree abandons the task, never
 *             the daemon);
 *   prepare   a task thread diffs the candidate against the running spec
 *             and writes the changed tables into sealed memfds;
 *   attempt   the audit log's "attempt" record, fsync'ed through the ring:
 *             no record, no commit;
 *   txn       TXN_BEGIN, a TXN_TABLE per changed table, TXN_COMMIT, each
 *             reply a completion on the ring, each with the commit timeout;
 *   result    the audit log's result record; the candidate becomes the
 *             running config;
 *   verify    when the dataplane did not answer TXN_COMMIT (timeout, lost
 *             connection), the outcome is unknown: the operator is told
 *             so, the connection is reset (a dataplane must not publish
 *             for a client that has gone) and the next HELLO says what is
 *             live; only then is "live" or "nothing changed" said.
 *
 * A sync job (after every HELLO) adopts what the dataplane runs, takes its
 * ids (GET_IDS, then a compile with them on a task thread) or commits the
 * running config whole. It goes ahead of queued jobs; a job whose
 * dataplane changed under it (a restart while it compiled) starts again
 * after the sync.
 *
 * A routes job (COMMIT_ROUTES, queued by rib.c when kernel routes
 * changed) has no compile step: its candidate is the running config with
 * new routes4, routes6 and blackholes arrays (rib_job_build), its prepare
 * step sends only the route tables that differ, and it writes no audit
 * record (the audit log is for configurations; `show kernel-routes`
 * counts route commits). Every other job merges the kernel routes into
 * its candidate before preparing (rib_merge), so a reload keeps them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctld.h"
#include "exporter.h"
#include "ixg_conf.h"
#include "rib_table.h"
#include "ixg_wire.h"

#define MAX_QUEUED 8
#define IDS_TIMEOUT_MS 10000

enum job_phase {
	PH_QUEUED,
	PH_COMPILE,
	PH_IDS, /* sync: GET_IDS, then a compile with them */
	PH_PREPARE,
	PH_ATTEMPT,
	PH_TXN,
	PH_RESULT,
	PH_VERIFY,
	PH_COPY, /* rollback: copy the rolled-back files */
};

static const char *const phase_names[] = {
	[PH_QUEUED] = "queued",
	[PH_COMPILE] = "compiling the config",
	[PH_IDS] = "taking the dataplane's ids",
	[PH_PREPARE] = "comparing with the running config",
	[PH_ATTEMPT] = "writing the audit record",
	[PH_TXN] = "dataplane building the tables",
	[PH_RESULT] = "writing the audit record",
	[PH_VERIFY] = "state UNKNOWN: re-checking with the dataplane",
	[PH_COPY] = "keeping a copy of the rolled-back files",
};

/* A compile on a task thread: owns everything it points to. */
struct compile_task {
	struct commit_job *job; /* read on the loop thread only */
	struct ctld *D; /* the warm-up's (no job) */
	char *path;
	struct ixg_spec ids; /* prev for compile_prev (NULL when empty) */
	bool have_ids;
	const struct ixg_conf *conf; /* sync: compile this parsed config */
	struct ixg_conf_cache *cache; /* D->conf_cache, held while running */
	struct ctl_digests *digests; /* D->digests, the same */
	struct ctl_config out;
	struct ixg_spec spec; /* sync's result */
	char *errs;
	size_t errs_len;
	int rc;
};

/*
 * How a job sends routes4, routes6, sources4 and sources6 ([0] to [3],
 * route_family): sorted (ixg_routes_sort: routes by prefix, sources by
 * prefix and peer; the dataplane can then take deltas), as TXN_DELTA
 * edits when the dataplane's sorted table is known (rib_sent_base), else
 * whole.
 */
#define RS_TABLES 4
struct route_send {
	const void *base[RS_TABLES]; /* the dataplane's table, or NULL */
	uint32_t n_base[RS_TABLES];
	/* The running spec's table base was sorted from (NULL: unknown):
	 * a reload that changed one member's routes sorts only them
	 * (ixg_routes_sort_from). */
	const void *old[RS_TABLES];
	uint32_t n_old[RS_TABLES];
	void *sorted[RS_TABLES]; /* the table sent, sorted (owned) */
	uint32_t n_sorted[RS_TABLES];
	bool delta[RS_TABLES]; /* sent as edits (memfd holds them) */
	uint64_t edits[RS_TABLES];
	/* A routes job built from the changed prefixes (rib_job_edits): its
	 * edits against base, and the table they make is the spec's (sorted
	 * already). Owned. Routes only ([0], [1]). */
	void *pre[RS_TABLES];
	uint64_t n_pre[RS_TABLES];
	bool fallback; /* a delta was refused: everything sent whole */
	bool merged[RS_TABLES]; /* sorted by ixg_routes_sort_from */
};

static void
route_send_free(struct route_send *rs)
{
	for (int f = 0; f < RS_TABLES; f++) {
		free(rs->sorted[f]);
		free(rs->pre[f]);
	}
	memset(rs, 0, sizeof(*rs));
}

/* The route_send slot of a table sent sorted: routes4 0, routes6 1,
 * sources4 2, sources6 3; -1 for the others. */
static int
route_family(unsigned table)
{
	switch (table) {
	case IXG_TBL_ROUTES4: return 0;
	case IXG_TBL_ROUTES6: return 1;
	case IXG_TBL_SOURCES4: return 2;
	case IXG_TBL_SOURCES6: return 3;
	default: return -1;
	}
}

static const unsigned rs_table[RS_TABLES] = {
	IXG_TBL_ROUTES4, IXG_TBL_ROUTES6, IXG_TBL_SOURCES4, IXG_TBL_SOURCES6};

/* A spec holding only the sorted tables of rs (the others empty), for
 * ixg_table_to_memfd. */
static void
rs_spec(struct ixg_spec *tmp, void *const a[RS_TABLES],
	const uint32_t n[RS_TABLES])
{
	memset(tmp, 0, sizeof(*tmp));
	tmp->routes4 = a[0];
	tmp->n_routes4 = n[0];
	tmp->routes6 = a[1];
	tmp->n_routes6 = n[1];
	tmp->sources4 = a[2];
	tmp->n_sources4 = n[2];
	tmp->sources6 = a[3];
	tmp->n_sources6 = n[3];
}

/* The memfd of route or source table k (routes4/6, sources4/6) of spec:
 * sorted into rs->sorted, then as edits against rs->base (from the merge
 * itself when only a middle changed) or whole. Task thread. */
static int
route_memfd(struct route_send *rs, const struct ixg_spec *spec, unsigned k,
	    uint64_t changes, int *fd, uint64_t *count)
{
	int f = route_family(k);
	uint32_t n = (uint32_t)ixg_spec_table_count(spec, k);
	/* Sources of which the diff counted past an eighth changed (a full
	 * replace: every source a DEL and a SET) go whole, sorted: fewer
	 * bytes, and the dataplane builds them whole anyway. */
	bool whole = f >= 2 && changes > (uint64_t)n / 8 + 4096;
	size_t es = ixg_table_elem_size(k);
	void *a = malloc(((size_t)n + 1) * es), *edits = NULL;
	uint64_t n_edits = 0;
	struct ixg_spec tmp;
	int rc;

	if (a == NULL)
		return -ENOMEM;
	/* Edits given (a routes job's): the table is sorted already. A
	 * reload's: from the sorted base when only a middle changed, else
	 * sorted whole. */
	rc = rs->pre[f] != NULL ? 2 : 1;
	if (rc == 1 && rs->old[f] != NULL && rs->base[f] != NULL &&
	    !rs->fallback && !whole)
		rc = ixg_routes_sort_from_edits(k, rs->old[f], rs->n_old[f],
						rs->base[f], rs->n_base[f],
						ixg_spec_table_data(spec, k), n,
						a, &n, &edits, &n_edits);
	rs->merged[f] = rc == 0;
	if (rc != 0 && n > 0) /* as it is, or to be sorted whole */
		memcpy(a, ixg_spec_table_data(spec, k), (size_t)n * es);
	if (rc == 2)
		rc = 0;
	else if (rc == 1)
		rc = ixg_routes_sort(k, a, &n);
	if (rc < 0) {
		free(a);
		free(edits);
		return rc;
	}
	rs->sorted[f] = a;
	rs->n_sorted[f] = n;
	if (rs->pre[f] != NULL && rs->base[f] != NULL && !rs->fallback) {
		*count = rs->n_pre[f];
		rc = ixg_delta_to_memfd(k, rs->pre[f], *count, fd);
		rs->delta[f] = rc == 0;
		rs->edits[f] = *count;
		return rc;
	}
	if (rs->base[f] != NULL && !rs->fallback && !whole) {
		/* merged from the base: its edits came with the merge */
		if (rs->merged[f]) {
			*count = n_edits;
		} else {
			rc = ixg_delta_diff(k, rs->base[f], rs->n_base[f], a, n,
					    &edits, count);
			if (rc < 0)
				return rc;
		}
		/* the same for sources whose edits are that many */
		if (f < 2 || *count <= (uint64_t)n / 8 + 4096) {
			rc = ixg_delta_to_memfd(k, edits, *count, fd);
			free(edits);
			rs->delta[f] = rc == 0;
			rs->edits[f] = *count;
			return rc;
		}
	}
	free(edits);
	rs_spec(&tmp, rs->sorted, rs->n_sorted);
	rs->delta[f] = false;
	return ixg_table_to_memfd(&tmp, k, fd, count);
}

/* A diff + memfds on a task thread (reads the specs, never abandoned). */
struct prepare_task {
	struct commit_job *job;
	const struct ixg_spec *base; /* NULL: send everything */
	const struct ixg_spec *spec;
	bool preset; /* diff given (a routes job): not computed */
	struct ctl_diff diff;
	char dtext[1024];
	int memfd[IXG_TBL_MAX];
	uint64_t count[IXG_TBL_MAX];
	/* Route tables (routes4, routes6: [0], [1]) go sorted by prefix, as
	 * edits against base[f] (what the dataplane holds, sorted, n_base[f]
	 * elements) when it is known, else whole. */
	struct route_send rs;
	double cpu_ms; /* the task thread's CPU time */
	/* of it: the diff, the route tables, the other tables' memfds */
	double diff_cpu_ms, routes_cpu_ms, tables_cpu_ms;
	int rc;
};

/* A copy of rolled-back files on a task thread. */
struct copy_task {
	struct commit_job *job;
	const struct ctl_config *cfg; /* the rolled-back config (previous) */
	char *config_path, *dst;
	char err[512];
	int rc;
};

struct commit_job {
	struct ctld *D;
	struct commit_request req;
	enum job_phase phase;
	uint64_t t_start, t_phase;
	uint64_t phase_ms[PH_COPY + 1]; /* time spent in each step so far */
	uint64_t epoch; /* st.dp_epoch when the job started */
	struct cli_client *client;

	/* The candidate: compiled (reload), taken from st.previous
	 * (rollback), or st.running itself (sync re-commit). */
	struct ctl_config cand;
	bool cand_is_running;
	/* A routes job: cand is a shallow copy of the running config that
	 * owns only its routes4, routes6, blackholes and nhgroups arrays. */
	bool routes_only;
	uint8_t sha[32]; /* the candidate's, kept after it is installed */
	bool have_sha;

	struct offload_task *task;
	struct loop_timer *timer; /* compile deadline, verify deadline */

	struct ctl_diff diff;
	char dtext[1024];
	int memfd[IXG_TBL_MAX];
	uint64_t count[IXG_TBL_MAX];
	struct route_send rs; /* the route tables as sent (prepare_task) */
	double prepare_cpu_ms; /* the prepare task's CPU time */
	double prepare_part_ms[3]; /* of it: diff, routes, other tables */
	uint32_t tables;
	unsigned next_table;
	uint64_t base_generation;
	uint8_t base_sha[32];
	bool commit_sent;
	struct ixg_msg_commit_reply rep;
	char error[1024];
	int status; /* ixgatectl's exit status */
	bool answered; /* the client has its final answer (verify) */
	bool rib_live; /* a routes job whose tables went live */
	bool retry; /* failed for want of a dataplane: try again later */

	/* sync */
	bool sync_exact, sync_first;
	struct ixg_spec sync_ids;

	struct commit_job *next;
};

struct commit_jobs {
	struct commit_job *active;
	struct commit_job *queue, **tail;
	unsigned n_queued;
	struct loop_timer *kick;
	struct offload_task *warm; /* the warm-up load, holding the caches */
	bool warmed; /* started once */
};

static void job_step(struct commit_job *j);
static void job_finish(struct commit_job *j);
static void runner_kick(struct ctld *D);
static void start_warm(struct ctld *D);

/* ---- operator text ---- */

static void job_say(struct commit_job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A line for the operator waiting on this job (if any) and the log. */
static void
job_say(struct commit_job *j, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	ctld_log(j->D, "%s", line);
	if (j->client != NULL && !j->answered) {
		line[n++] = '\n';
		cli_client_say(j->client, line, (size_t)n);
	}
}

/* Several lines (compiler diagnostics) as they are. */
static void
job_say_text(struct commit_job *j, const char *text, size_t len)
{
	if (len == 0)
		return;
	fwrite(text, 1, len, j->D->log);
	fflush(j->D->log);
	if (j->client != NULL && !j->answered)
		cli_client_say(j->client, text, len);
}

static void
job_detach(void *owner)
{
	struct commit_job *j = owner;

	j->client = NULL;
}

static void
job_progress(void *owner, char *buf, size_t len)
{
	struct commit_job *j = owner;
	uint64_t now = loop_now_ms();

	snprintf(buf, len, "%s: %s (%.1f s)", j->req.action,
		 phase_names[j->phase], (now - j->t_phase) / 1000.0);
}

static void
set_phase(struct commit_job *j, enum job_phase p)
{
	uint64_t now = loop_now_ms();

	j->phase_ms[j->phase] += now - j->t_phase;
	j->phase = p;
	j->t_phase = now;
	if (j->D->jobs->active == j)
		commit_jobs_describe(j->D, j->D->st.job_state,
				     sizeof(j->D->st.job_state));
}

static void
job_audit(struct commit_job *j, enum ctl_result res, uint64_t gen,
	  const char *error, const char *note, bool with_diff,
	  audit_done_fn done)
{
	struct ctl_audit_rec r = {
		.time = time(NULL),
		.who = j->req.who,
		.action = j->req.action,
		.sha256 = j->have_sha ? j->sha : NULL,
		.generation = gen,
		.result = res,
		.error = error,
		.note = note,
		.diff = with_diff ? &j->diff : NULL,
		.build_ms = res == CTL_RES_OK || res == CTL_RES_REFUSED
				    ? j->rep.build_ns / 1e6
				    : 0,
		.publish_ms = res == CTL_RES_OK || res == CTL_RES_REFUSED
				      ? j->rep.publish_ns / 1e6
				      : 0,
	};
	int rc;

	if (j->D->audit == NULL || j->routes_only) {
		if (done != NULL)
			done(j, 0);
		return;
	}
	rc = audit_append(j->D->audit, &r, done, j);
	if (rc < 0) {
		ctld_log(j->D, "audit log: %s", strerror(-rc));
		if (done != NULL)
			done(j, rc);
	}
}

static void
close_memfds(struct commit_job *j)
{
	for (unsigned k = 0; k < IXG_TBL_MAX; k++) {
		if (j->memfd[k] >= 0)
			close(j->memfd[k]);
		j->memfd[k] = -1;
	}
}

/* ---- end of a job ---- */

static void
cand_free(struct commit_job *j)
{
	if (j->routes_only) {
		const struct ixg_spec *run = &j->D->st.running.spec;

		/* Arrays of its own, not the running ones it kept. */
		if (j->cand.spec.routes4 != run->routes4)
			free(j->cand.spec.routes4);
		if (j->cand.spec.routes6 != run->routes6)
			free(j->cand.spec.routes6);
		if (j->cand.spec.blackholes != run->blackholes)
			free(j->cand.spec.blackholes);
		if (j->cand.spec.nhgroups != run->nhgroups)
			free(j->cand.spec.nhgroups);
		/* Sources of its own when feasible peers' changed. */
		if (j->cand.spec.sources4 != j->D->st.running.spec.sources4) {
			free(j->cand.spec.sources4);
			free(j->cand.spec.sources6);
		}
		memset(&j->cand, 0, sizeof(j->cand));
	} else if (!j->cand_is_running) {
		ctl_config_free(&j->cand);
	}
}

static void
job_free(struct commit_job *j)
{
	close_memfds(j);
	route_send_free(&j->rs);
	loop_timer_del(j->D->loop, j->timer);
	cand_free(j);
	ixg_ids_free(&j->sync_ids);
	free(j);
}

/* The operator's answer (once), then the job is gone and the next runs. */
static void
job_answer(struct commit_job *j)
{
	if (j->client != NULL && !j->answered) {
		cli_client_defer(j->client, NULL, NULL, NULL);
		cli_client_finish(j->client, j->status);
		j->client = NULL;
	}
	j->answered = true;
}

static void
job_finish(struct commit_job *j)
{
	struct ctld *D = j->D;

	/* A rollback that did not go live gives previous back; an
	 * unconfirmed generation still awaits its rollback, as soon as a
	 * dataplane answers (the 1 s tick tries again). */
	if (j->req.kind == COMMIT_ROLLBACK && j->cand.valid &&
	    !D->st.previous.valid) {
		D->st.previous = j->cand;
		memset(&j->cand, 0, sizeof(j->cand));
		if (j->retry &&
		    strcmp(j->req.action, "rollback-unconfirmed") == 0) {
			D->st.confirm_deadline = time(NULL);
			ctld_log(D,
				 "rollback-unconfirmed: tried again once the "
				 "dataplane answers");
		}
	}
	job_answer(j);
	D->jobs->active = NULL;
	snprintf(D->st.job_state, sizeof(D->st.job_state), "idle");
	if (j->req.kind == COMMIT_ROUTES)
		rib_job_done(D, j->rib_live, j->rep.generation, j->rep.build_ns,
			     j->rep.publish_ns);
	if (j->req.kind == COMMIT_SYNC && j->status == 0)
		start_warm(D); /* the first sync only */
	job_free(j);
	runner_kick(D);
	rib_kick(D);
}

/* Put j back at the head of the queue, to run again from the start
 * (after the sync its dataplane needs). */
static void
job_restart(struct commit_job *j)
{
	struct ctld *D = j->D;
	struct commit_jobs *J = D->jobs;

	if (j->req.kind == COMMIT_ROUTES) {
		/* Not worth keeping: the rib queues a new one after the sync
		 * (its changes wait there). */
		j->status = 1;
		job_finish(j);
		return;
	}
	close_memfds(j);
	cand_free(j);
	memset(&j->cand, 0, sizeof(j->cand));
	j->cand_is_running = false;
	j->routes_only = false;
	j->have_sha = false;
	memset(&j->diff, 0, sizeof(j->diff));
	j->tables = 0;
	j->commit_sent = false;
	set_phase(j, PH_QUEUED);
	J->active = NULL;
	j->next = J->queue;
	J->queue = j;
	if (J->tail == &J->queue)
		J->tail = &j->next;
	J->n_queued++;
	runner_kick(D);
}

/* ---- the dataplane's refusal, as the operator reads it ---- */

static void
refusal_text(struct commit_job *j, char *err, size_t len)
{
	const struct ixg_msg_commit_reply *rep = &j->rep;
	int f = route_family(rep->err_table);
	uint32_t origin;
	char where[512];

	/* A table sent sorted: the dataplane's index is into the sorted
	 * table, whose elements carry their origins. */
	if (f >= 0 && j->rs.sorted[f] != NULL) {
		struct ixg_spec tmp;

		rs_spec(&tmp, j->rs.sorted, j->rs.n_sorted);
		origin = ctl_spec_origin(&tmp, rep->err_table, rep->err_index);
	} else {
		origin = ctl_spec_origin(&j->cand.spec, rep->err_table,
					 rep->err_index);
	}

	if (origin == UINT32_MAX)
		origin = rep->err_origin;
	if (rep->err_table != 0 && origin != UINT32_MAX &&
	    ixg_conf_origin(j->cand.conf, origin, where, sizeof(where)) == 0)
		snprintf(err, len, "%s: error: %s", where, rep->message);
	else if (rep->err_table != 0)
		snprintf(err, len, "%s: error: %s: %s",
			 j->cand.conf != NULL ? ixg_conf_file(j->cand.conf, 0)
					      : "config",
			 ctl_table_name(rep->err_table), rep->message);
	else
		snprintf(err, len, "%s: error: %s (%s)", j->D->st.config_path,
			 rep->message, ixg_status_name(rep->status));
}

/* ---- install a live candidate ---- */

static void
install_candidate(struct commit_job *j)
{
	struct ctld *D = j->D;
	struct ctl_state *st = &D->st;

	st->dp_generation = j->rep.generation;
	memcpy(st->dp_hello.config_sha256, j->cand.sha256, 32);
	st->dp_hello.generation = j->rep.generation;
	D->running_exact = true;
	if (j->routes_only) {
		/* The running config keeps everything but its route arrays,
		 * which become the job's. */
		if (st->running.spec.routes4 != j->cand.spec.routes4)
			free(st->running.spec.routes4);
		if (st->running.spec.routes6 != j->cand.spec.routes6)
			free(st->running.spec.routes6);
		if (st->running.spec.blackholes != j->cand.spec.blackholes)
			free(st->running.spec.blackholes);
		if (st->running.spec.nhgroups != j->cand.spec.nhgroups)
			free(st->running.spec.nhgroups);
		st->running.spec.nhgroups = j->cand.spec.nhgroups;
		st->running.spec.n_nhgroups = j->cand.spec.n_nhgroups;
		st->running.spec.routes4 = j->cand.spec.routes4;
		st->running.spec.n_routes4 = j->cand.spec.n_routes4;
		st->running.spec.routes6 = j->cand.spec.routes6;
		st->running.spec.n_routes6 = j->cand.spec.n_routes6;
		st->running.spec.blackholes = j->cand.spec.blackholes;
		st->running.spec.n_blackholes = j->cand.spec.n_blackholes;
		if (j->cand.spec.sources4 != st->running.spec.sources4) {
			free(st->running.spec.sources4);
			free(st->running.spec.sources6);
			st->running.spec.sources4 = j->cand.spec.sources4;
			st->running.spec.n_sources4 = j->cand.spec.n_sources4;
			st->running.spec.sources6 = j->cand.spec.sources6;
			st->running.spec.n_sources6 = j->cand.spec.n_sources6;
		}
		memset(&j->cand, 0, sizeof(j->cand));
		j->routes_only = false;
		j->cand_is_running = true;
		j->rib_live = true;
		return;
	}
	if (!j->cand_is_running) {
		ctl_config_free(&st->previous);
		if (D->running_not_live)
			ctl_config_free(&st->running);
		st->previous = st->running;
		st->running = j->cand;
		memset(&j->cand, 0, sizeof(j->cand));
	}
	D->running_not_live = false;
	st->files = CTL_FILES_UNKNOWN;
	if (j->req.kind == COMMIT_RELOAD) {
		if (j->req.confirm_s > 0)
			st->confirm_deadline = time(NULL) + j->req.confirm_s;
		else
			st->confirm_deadline = 0;
		/* The files were committed: they are the running config. */
		if (st->held)
			ctld_set_held(D, NULL, 0, NULL);
	}
	ctld_running_changed(D);
}

/* ---- result ---- */

static void
on_result_written(void *arg, int err)
{
	struct commit_job *j = arg;

	if (err < 0 && j->D->audit != NULL)
		job_say(j,
			"warning: generation %" PRIu64
			" is live, but its result record could not be "
			"written to the audit log %s: %s",
			j->D->st.dp_generation, audit_path(j->D->audit),
			strerror(-err));
	if (j->phase == PH_RESULT && j->req.kind == COMMIT_ROLLBACK &&
	    j->status == 0) {
		/* The copy of the rolled-back files comes next. */
		job_step(j);
		return;
	}
	job_finish(j);
}

/* What a reload read and sent, one line (doc/operations.md, "What a
 * reload costs"): files parsed, data files compiled or reused from the
 * compile cache, the load's steps in ms (wall, and the task thread's CPU
 * time), and each table sent, as edits or whole. */
static void
say_cost(struct commit_job *j)
{
	const struct ctl_load_stats *l = &j->D->st.running.load;
	char files[160], sent[512];
	size_t off = 0;

	ctl_load_text(l, files, sizeof(files));
	sent[0] = '\0';
	for (unsigned k = 1; k < IXG_TBL_MAX && off < sizeof(sent); k++) {
		int f = route_family(k), n;

		if (!(j->tables & (1u << k)))
			continue;
		if (f >= 0 && j->rs.delta[f])
			n = snprintf(sent + off, sizeof(sent) - off,
				     "%s%s as %" PRIu64 " edit%s%s",
				     off ? ", " : "", ctl_table_name(k),
				     j->rs.edits[f],
				     j->rs.edits[f] == 1 ? "" : "s",
				     j->rs.merged[f] ? " (merged)" : "");
		else
			n = snprintf(sent + off, sizeof(sent) - off,
				     "%s%s whole (%" PRIu64 ")",
				     off ? ", " : "", ctl_table_name(k),
				     j->count[k]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	job_say(j,
		"%s: %s; parse %.1f ms, compile %.1f ms, digest %.1f ms "
		"(cpu %.1f, %.1f, %.1f), compare cpu %.1f ms (diff %.1f, "
		"routes %.1f, tables %.1f); sent %s",
		j->req.action, files, l->parse_ms, l->compile_ms, l->digest_ms,
		l->parse_cpu_ms, l->compile_cpu_ms, l->digest_cpu_ms,
		j->prepare_cpu_ms, j->prepare_part_ms[0], j->prepare_part_ms[1],
		j->prepare_part_ms[2], off ? sent : "nothing");
}

static void
committed(struct commit_job *j)
{
	uint64_t now = loop_now_ms(), total = now - j->t_start;
	const uint64_t *ms = j->phase_ms;
	char hex[65];

	install_candidate(j);
	/* The rib keeps the route tables as the dataplane now holds them:
	 * the base of the next delta. */
	rib_tables_live(j->D, j->base_generation, j->rep.generation, j->tables,
			j->rs.sorted, j->rs.n_sorted, j->rs.delta, j->rs.edits);
	memset(j->rs.sorted, 0, sizeof(j->rs.sorted));
	if (j->rib_live) {
		/* A routes job: rib.c counts and logs it. */
		j->status = 0;
		set_phase(j, PH_RESULT);
		job_finish(j);
		return;
	}
	ctl_hex(j->D->st.running.sha256, hex);
	/* total: from the job's start (the files read) to the dataplane's
	 * answer; then where it went. */
	job_say(j,
		"%s: generation %" PRIu64
		" live (sha256 %.16s): %s; build %.1f ms, publish %.1f ms, "
		"total %" PRIu64 " ms (compile %" PRIu64 ", compare %" PRIu64
		", audit %" PRIu64 ", dataplane %" PRIu64 ")",
		j->req.action, j->rep.generation, hex, j->dtext,
		j->rep.build_ns / 1e6, j->rep.publish_ns / 1e6, total,
		ms[PH_COMPILE] + ms[PH_IDS], ms[PH_PREPARE], ms[PH_ATTEMPT],
		ms[PH_TXN] + (now - j->t_phase));
	if (j->req.kind == COMMIT_RELOAD)
		say_cost(j);
	if (j->req.kind == COMMIT_RELOAD && j->req.confirm_s > 0)
		job_say(j,
			"confirm within %u s (ixgatectl confirm), or "
			"generation %" PRIu64 " is rolled back",
			j->req.confirm_s, j->rep.generation);
	j->status = 0;
	set_phase(j, PH_RESULT);
	job_audit(j, CTL_RES_OK, j->rep.generation, NULL, NULL, true,
		  on_result_written);
}

static void
refused(struct commit_job *j)
{
	refusal_text(j, j->error, sizeof(j->error));
	job_say(j, "%s", j->error);
	job_say(j,
		"commit refused by the dataplane; running configuration "
		"unchanged (generation %" PRIu64 ")",
		j->rep.generation);
	if (j->rep.status == IXG_ST_STALE)
		j->D->st.dp_generation = j->rep.generation;
	j->status = 1;
	set_phase(j, PH_RESULT);
	job_audit(j, CTL_RES_REFUSED, j->rep.generation, j->error, NULL, true,
		  on_result_written);
}

/*
 * Failed, and known not to be live: `outcome` says what runs instead
 * (NULL: the generation the job started from, unchanged), `gen` is it.
 */
static void
failed(struct commit_job *j, const char *why, const char *note,
       const char *outcome, uint64_t gen)
{
	if (outcome == NULL)
		job_say(j,
			"commit failed: %s; nothing changed (generation "
			"%" PRIu64 " still live)",
			why, j->base_generation);
	else
		job_say(j, "commit failed: %s; %s", why, outcome);
	j->status = 1;
	set_phase(j, PH_RESULT);
	job_audit(j, CTL_RES_FAILED, outcome == NULL ? j->base_generation : gen,
		  why, note, true, on_result_written);
}

/* ---- verify: what is live after a commit nobody answered? ---- */

/* Answer and drop every queued job but syncs. */
static void
fail_queued(struct ctld *D, const char *why)
{
	struct commit_jobs *J = D->jobs;
	struct commit_job **pp = &J->queue, *q;

	while ((q = *pp) != NULL) {
		if (q->req.kind == COMMIT_SYNC) {
			pp = &q->next;
			continue;
		}
		*pp = q->next;
		J->n_queued--;
		job_say(q, "%s refused: %s; nothing committed", q->req.action,
			why);
		q->status = 1;
		job_answer(q);
		job_free(q);
	}
	J->tail = &J->queue;
	while (*J->tail != NULL)
		J->tail = &(*J->tail)->next;
}

static void
on_verify_deadline(struct loop *L, struct loop_timer *t, void *arg)
{
	struct commit_job *j = arg;

	(void)L;
	(void)t;
	j->timer = NULL;
	job_say(j,
		"the dataplane has not answered for %u s: whether generation "
		"%" PRIu64 " went live is still UNKNOWN; ixgate-control keeps "
		"asking, and logs and audits the answer (ixgatectl show "
		"generation shows what runs)",
		j->D->commit_timeout_ms / 1000, j->base_generation + 1);
	j->status = 1;
	job_answer(j);
	/* The job stays: nothing else may commit before the truth, and
	 * nobody waits behind it for an answer that may never come. */
	fail_queued(j->D, "the outcome of the previous commit is still "
			  "unknown (the dataplane does not answer)");
}

static void
start_verify(struct commit_job *j, const char *why)
{
	struct ctld *D = j->D;

	set_phase(j, PH_VERIFY);
	snprintf(j->error, sizeof(j->error), "%s", why);
	job_say(j,
		"commit of generation %" PRIu64 ": %s; state UNKNOWN, "
		"re-checking what the dataplane runs",
		j->base_generation + 1, why);
	job_audit(j, CTL_RES_UNKNOWN, j->base_generation, why, NULL, true,
		  NULL);
	j->timer = loop_timer_add(D->loop, D->commit_timeout_ms, 0,
				  on_verify_deadline, j);
	/* The dataplane must see this client gone, so that it discards the
	 * transaction instead of publishing it late. */
	if (dp_client_ready(D->dp))
		dp_client_reset(D->dp, why);
}

static void
verified(struct commit_job *j)
{
	struct ctld *D = j->D;
	const struct ixg_msg_hello_reply *h = &D->st.dp_hello;
	char note[1400], hex[65];

	loop_timer_del(D->loop, j->timer);
	j->timer = NULL;
	if (h->start_unix != D->dp_start_known) {
		snprintf(note, sizeof(note),
			 "verified: the dataplane restarted (now generation "
			 "%" PRIu64 "), the commit is not live",
			 h->generation);
		j->retry = true;
		failed(j, j->error, note,
		       "not live: the dataplane restarted (ixgate-control "
		       "commits its running configuration to it)",
		       h->generation);
		return;
	}
	if (memcmp(h->config_sha256, j->sha, 32) == 0 &&
	    h->generation > j->base_generation) {
		snprintf(note, sizeof(note),
			 "verified after (%s): generation %" PRIu64
			 " went live",
			 j->error, h->generation);
		memset(&j->rep, 0, sizeof(j->rep));
		j->rep.generation = h->generation;
		ctl_hex(j->sha, hex);
		job_say(j, "%s (sha256 %.16s)", note, hex);
		install_candidate(j);
		D->sync_pending = false;
		j->status = 0;
		set_phase(j, PH_RESULT);
		job_audit(j, CTL_RES_OK, h->generation, NULL, note, true,
			  on_result_written);
		return;
	}
	if (memcmp(h->config_sha256, j->base_sha, 32) == 0 &&
	    h->generation == j->base_generation) {
		snprintf(note, sizeof(note),
			 "verified after (%s): generation %" PRIu64
			 " still live",
			 j->error, h->generation);
		/* Same dataplane, same config: no sync to do. */
		D->sync_pending = false;
		job_say(j, "%s", note);
		failed(j, j->error, note, NULL, 0);
		return;
	}
	snprintf(note, sizeof(note),
		 "verified: the dataplane runs generation %" PRIu64
		 " with another configuration",
		 h->generation);
	failed(j, j->error, note,
	       "not live: the dataplane runs another configuration "
	       "(ixgate-control commits its running configuration to it)",
	       h->generation);
}

/* ---- txn ---- */

static void txn_next(struct commit_job *j);

static void
on_abort_reply(void *arg, int err, const void *reply, size_t len, int fd)
{
	struct commit_job *j = arg;

	(void)err;
	(void)reply;
	(void)len;
	if (fd >= 0)
		close(fd);
	/* Answered or not, an aborted (or dropped) transaction is gone. */
	refused(j);
}

static void
txn_abort(struct commit_job *j)
{
	struct ixg_msg_txn_abort m;

	memset(&m, 0, sizeof(m));
	ixg_msg_init(&m.hdr, IXG_MSG_TXN_ABORT, sizeof(m), 0);
	if (dp_client_request(j->D->dp, &m, sizeof(m), -1, IXG_MSG_REPLY,
			      j->D->commit_timeout_ms, on_abort_reply, j) < 0)
		refused(j);
}

static void txn_begin(struct commit_job *j);
static void step_failed(struct commit_job *j, int err, const char *what);

/* Abort the open transaction, then call `then` with its reply. */
static void
txn_abort_then(struct commit_job *j, dp_reply_fn then)
{
	struct ixg_msg_txn_abort m;

	memset(&m, 0, sizeof(m));
	ixg_msg_init(&m.hdr, IXG_MSG_TXN_ABORT, sizeof(m), 0);
	if (dp_client_request(j->D->dp, &m, sizeof(m), -1, IXG_MSG_REPLY,
			      j->D->commit_timeout_ms, then, j) < 0)
		refused(j);
}

/*
 * A delta was refused and its transaction aborted: every table of the
 * job is written again (the memfds sent went to the client), the route
 * tables whole from their sorted copies, and the transaction starts over.
 */
static void
on_fallback_abort(void *arg, int err, const void *reply, size_t len, int fd)
{
	struct commit_job *j = arg;
	int rc = 0;

	(void)reply;
	(void)len;
	if (fd >= 0)
		close(fd);
	if (err < 0) {
		step_failed(j, err, "TXN_ABORT");
		return;
	}
	close_memfds(j);
	for (unsigned k = 1; k < IXG_TBL_MAX && rc == 0; k++) {
		int f = route_family(k);

		if (!(j->tables & (1u << k)))
			continue;
		if (f >= 0 && j->rs.sorted[f] != NULL) {
			struct ixg_spec tmp;

			rs_spec(&tmp, j->rs.sorted, j->rs.n_sorted);
			j->rs.delta[f] = false;
			rc = ixg_table_to_memfd(&tmp, k, &j->memfd[k],
						&j->count[k]);
		} else {
			rc = ixg_table_to_memfd(&j->cand.spec, k, &j->memfd[k],
						&j->count[k]);
		}
	}
	if (rc < 0) {
		failed(j, "cannot write the tables again", NULL, NULL, 0);
		return;
	}
	txn_begin(j);
}

/* A step's REPLY as the failed commit's reply, naming `table`. */
static void
reply_as_commit(struct commit_job *j, const struct ixg_msg_reply *r,
		unsigned table)
{
	memset(&j->rep, 0, sizeof(j->rep));
	j->rep.status = r->status;
	j->rep.generation = j->base_generation;
	j->rep.err_table = (uint16_t)table;
	j->rep.err_index = UINT32_MAX;
	j->rep.err_origin = UINT32_MAX;
	memcpy(j->rep.message, r->message, sizeof(j->rep.message));
	j->rep.message[sizeof(j->rep.message) - 1] = '\0';
}

static void
step_failed(struct commit_job *j, int err, const char *what)
{
	char why[256];

	snprintf(why, sizeof(why), "%s: %s", what,
		 err == -ETIMEDOUT ? "no answer within the commit timeout"
		 : err == -ECONNRESET || err == -ECONNABORTED
			 ? "dataplane connection lost"
			 : strerror(-err));
	if (j->commit_sent) {
		start_verify(j, why);
		return;
	}
	/* Before TXN_COMMIT the dataplane cannot publish anything: a
	 * transaction without its commit is discarded when the connection
	 * goes (ixg_api.h). Make sure it goes. */
	if (dp_client_ready(j->D->dp))
		dp_client_reset(j->D->dp, why);
	failed(j, why,
	       "the transaction was never committed: the dataplane "
	       "discards it",
	       NULL, 0);
}

/*
 * TXN_BEGIN refused as stale: the dataplane runs a generation this daemon
 * did not make. It publishes one of its own when a config blackhole
 * expires (same configuration, same tables: dataplane/main.c). Ask which
 * it runs (GET_STATE); with our configuration's SHA-256 it becomes the
 * generation we commit on, so the next commit goes through (its route
 * tables whole: the deltas' bases belong to generations this daemon made,
 * rib_sent_base). Then the refusal is reported as usual.
 */
static void
on_stale_state(void *arg, int err, const void *reply, size_t len, int fd)
{
	struct commit_job *j = arg;
	struct ctld *D = j->D;
	struct ixg_msg_state m;

	if (fd >= 0)
		close(fd);
	if (err == 0 && len >= sizeof(m)) {
		memcpy(&m, reply, sizeof(m));
		if (m.generation != D->st.dp_generation &&
		    memcmp(m.config_sha256, D->st.dp_hello.config_sha256, 32) ==
			    0) {
			ctld_log(D,
				 "the dataplane published generation %" PRIu64
				 " of our configuration on its own (a "
				 "blackhole expired): committing on it from "
				 "now on",
				 m.generation);
			/* refused() takes a stale reply's generation. */
			j->rep.generation = m.generation;
		}
	}
	refused(j);
}

static void
stale_begin(struct commit_job *j)
{
	struct ixg_msg_get_state m;

	memset(&m, 0, sizeof(m));
	ixg_msg_init(&m.hdr, IXG_MSG_GET_STATE, sizeof(m), 0);
	if (dp_client_request(j->D->dp, &m, sizeof(m), -1, IXG_MSG_STATE,
			      j->D->commit_timeout_ms, on_stale_state, j) < 0)
		refused(j);
}

static void
on_step_reply(void *arg, int err, const void *reply, size_t len, int fd)
{
	struct commit_job *j = arg;
	struct ixg_msg_reply r;

	if (fd >= 0)
		close(fd);
	if (err < 0 || len != sizeof(r)) {
		step_failed(j, err < 0 ? err : -EPROTO,
			    j->next_table == 0 ? "TXN_BEGIN"
					       : ctl_table_name(j->next_table));
		return;
	}
	memcpy(&r, reply, sizeof(r));
	r.message[sizeof(r.message) - 1] = '\0';
	if (r.status != IXG_ST_OK && route_family(j->next_table) >= 0 &&
	    j->rs.delta[route_family(j->next_table)] && !j->rs.fallback) {
		/* The dataplane does not hold what the delta was made against
		 * (or refused an edit): the same commit again, every table
		 * whole. */
		ctld_log(j->D,
			 "%s: %s delta refused (%s: %s); sending the tables "
			 "whole",
			 j->req.action, ctl_table_name(j->next_table),
			 ixg_status_name(r.status), r.message);
		rib_delta_refused(j->D);
		j->rs.fallback = true;
		txn_abort_then(j, on_fallback_abort);
		return;
	}
	if (r.status != IXG_ST_OK) {
		reply_as_commit(j, &r, j->next_table);
		if (j->next_table == 0 && r.status == IXG_ST_STALE) {
			stale_begin(j);
			return;
		}
		if (j->next_table == 0) {
			refused(j); /* BEGIN refused: nothing is open */
			return;
		}
		txn_abort(j);
		return;
	}
	txn_next(j);
}

static void
on_commit_reply(void *arg, int err, const void *reply, size_t len, int fd)
{
	struct commit_job *j = arg;

	if (fd >= 0)
		close(fd);
	if (err < 0 || len != sizeof(j->rep)) {
		step_failed(j, err < 0 ? err : -EPROTO, "TXN_COMMIT");
		return;
	}
	memcpy(&j->rep, reply, sizeof(j->rep));
	j->rep.message[sizeof(j->rep.message) - 1] = '\0';
	if (j->rep.status == IXG_ST_OK)
		committed(j);
	else
		refused(j);
}

/* Send the next table, or TXN_COMMIT after the last. */
static void
txn_next(struct commit_job *j)
{
	struct ctld *D = j->D;
	int rc;

	for (j->next_table++; j->next_table < IXG_TBL_MAX; j->next_table++) {
		struct ixg_msg_txn_table t;
		unsigned k = j->next_table;

		if (!(j->tables & (1u << k)))
			continue;
		if (route_family(k) >= 0 && j->rs.delta[route_family(k)]) {
			struct ixg_msg_txn_delta m;
			int f = route_family(k);

			ixg_msg_txn_delta_init(&m, k, j->base_generation,
					       j->rs.n_base[f], j->count[k], 0);
			rc = dp_client_request(D->dp, &m, sizeof(m),
					       j->memfd[k], IXG_MSG_REPLY,
					       D->commit_timeout_ms,
					       on_step_reply, j);
			j->memfd[k] = -1;
			if (rc < 0)
				step_failed(j, rc, ctl_table_name(k));
			return;
		}
		ixg_msg_txn_table_init(&t, k, j->count[k], 0);
		rc = dp_client_request(D->dp, &t, sizeof(t), j->memfd[k],
				       IXG_MSG_REPLY, D->commit_timeout_ms,
				       on_step_reply, j);
		j->memfd[k] = -1; /* the client owns it now */
		if (rc < 0)
			step_failed(j, rc, ctl_table_name(k));
		return;
	}
	{
		struct ixg_msg_txn_commit c;

		memset(&c, 0, sizeof(c));
		ixg_msg_init(&c.hdr, IXG_MSG_TXN_COMMIT, sizeof(c), 0);
		rc = dp_client_request(
			D->dp, &c, sizeof(c), -1, IXG_MSG_COMMIT_REPLY,
			D->commit_timeout_ms, on_commit_reply, j);
		if (rc < 0) {
			step_failed(j, rc, "TXN_COMMIT");
			return;
		}
		j->commit_sent = true;
		if (!j->routes_only) /* rib.c counts route commits */
			ctld_log(D,
				 "%s: tables sent, dataplane building "
				 "generation %" PRIu64,
				 j->req.action, j->base_generation + 1);
	}
}

static void
txn_begin(struct commit_job *j)
{
	struct ctld *D = j->D;
	struct ixg_msg_txn_begin b;
	int rc;

	set_phase(j, PH_TXN);
	memset(&b, 0, sizeof(b));
	ixg_msg_init(&b.hdr, IXG_MSG_TXN_BEGIN, sizeof(b), 0);
	b.base_generation = j->base_generation;
	memcpy(b.config_sha256, j->cand.sha256, 32);
	j->next_table = 0;
	rc = dp_client_request(D->dp, &b, sizeof(b), -1, IXG_MSG_REPLY,
			       D->commit_timeout_ms, on_step_reply, j);
	if (rc < 0)
		step_failed(j, rc, "TXN_BEGIN");
}

/* ---- attempt ---- */

static void
not_connected(struct commit_job *j)
{
	struct ctld *D = j->D;

	job_say(j,
		"dataplane not connected (headless daemon): %s not committed",
		D->st.config_path);
	j->status = 1;
	j->retry = true;
	set_phase(j, PH_RESULT);
	job_audit(j, CTL_RES_FAILED, D->st.dp_generation,
		  "dataplane not connected", NULL, false, on_result_written);
}

static void
on_attempt_written(void *arg, int err)
{
	struct commit_job *j = arg;
	char why[512];

	if (err < 0) {
		snprintf(why, sizeof(why),
			 "the audit log %s cannot be written (%s)",
			 audit_path(j->D->audit), strerror(-err));
		job_say(j,
			"%s: commit refused: %s; nothing committed, running "
			"configuration unchanged (generation %" PRIu64 ")",
			j->req.action, why, j->base_generation);
		j->status = 1;
		job_finish(j);
		return;
	}
	if (j->epoch != j->D->st.dp_epoch && dp_client_ready(j->D->dp)) {
		/* Another dataplane answered while the record was written:
		 * sync first, then again from the start. */
		job_restart(j);
		return;
	}
	if (!dp_client_ready(j->D->dp)) {
		not_connected(j);
		return;
	}
	txn_begin(j);
}

/* ---- prepare ---- */

static double
thread_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void prepare_tables(struct prepare_task *t);

static void
prepare_run(void *arg)
{
	struct prepare_task *t = arg;
	double c0 = thread_cpu_ms();

	prepare_tables(t);
	t->cpu_ms = thread_cpu_ms() - c0;
}

static void
prepare_tables(struct prepare_task *t)
{
	double c = thread_cpu_ms(), c1;
	FILE *df;

	t->rc = t->preset ? 0 : ctl_diff(t->base, t->spec, &t->diff);
	t->diff_cpu_ms = thread_cpu_ms() - c;
	if (t->rc < 0)
		return;
	df = fmemopen(t->dtext, sizeof(t->dtext), "w");
	if (df != NULL) {
		ctl_diff_text(&t->diff, df);
		fclose(df);
	}
	for (unsigned k = 1; k < IXG_TBL_MAX; k++) {
		if (!(t->diff.changed_tables & (1u << k)))
			continue;
		c1 = thread_cpu_ms();
		if (route_family(k) >= 0)
			t->rc = route_memfd(&t->rs, t->spec, k,
					    (uint64_t)t->diff.t[k].added +
						    t->diff.t[k].removed +
						    t->diff.t[k].changed,
					    &t->memfd[k], &t->count[k]);
		else
			t->rc = ixg_table_to_memfd(t->spec, k, &t->memfd[k],
						   &t->count[k]);
		*(route_family(k) >= 0
			  ? &t->routes_cpu_ms
			  : &t->tables_cpu_ms) += thread_cpu_ms() - c1;
		if (t->rc < 0)
			return;
	}
}

static void
prepare_discard(void *arg)
{
	struct prepare_task *t = arg;

	for (unsigned k = 0; k < IXG_TBL_MAX; k++)
		if (t->memfd[k] >= 0)
			close(t->memfd[k]);
	route_send_free(&t->rs);
	free(t);
}

static void
prepare_done(void *arg)
{
	struct prepare_task *t = arg;
	struct commit_job *j = t->job;
	struct ctld *D = j->D;
	char hex[65];

	j->task = NULL;
	memcpy(j->memfd, t->memfd, sizeof(j->memfd));
	memcpy(j->count, t->count, sizeof(j->count));
	route_send_free(&j->rs);
	j->rs = t->rs;
	memset(&t->rs, 0, sizeof(t->rs));
	j->diff = t->diff;
	j->prepare_cpu_ms = t->cpu_ms;
	j->prepare_part_ms[0] = t->diff_cpu_ms;
	j->prepare_part_ms[1] = t->routes_cpu_ms;
	j->prepare_part_ms[2] = t->tables_cpu_ms;
	memcpy(j->dtext, t->dtext, sizeof(j->dtext));
	if (t->rc < 0) {
		int rc = t->rc;

		free(t);
		job_say(j, "%s: cannot prepare the commit: %s", j->req.action,
			strerror(-rc));
		j->status = 1;
		job_finish(j);
		return;
	}
	j->tables = t->diff.changed_tables;
	if (t->base != NULL && j->tables == 0 &&
	    memcmp(D->st.dp_hello.config_sha256, j->cand.sha256, 32) == 0) {
		free(t);
		ctl_hex(j->cand.sha256, hex);
		if (j->routes_only)
			j->rib_live = true; /* what runs is what it carries */
		else
			job_say(j,
				"no change: generation %" PRIu64
				" kept (sha256 %.16s)",
				D->st.dp_generation, hex);
		if (j->req.kind == COMMIT_RELOAD) {
			/* Same content as what runs: the files match. */
			if (D->st.held &&
			    memcmp(D->st.held_sha256, j->cand.sha256, 32) != 0)
				ctld_set_held(D, NULL, 0, NULL);
			if (j->req.confirm_s == 0)
				D->st.confirm_deadline = 0;
		}
		j->status = 0;
		job_finish(j);
		return;
	}
	free(t);
	if (!dp_client_ready(D->dp)) {
		not_connected(j);
		return;
	}
	if (j->epoch != D->st.dp_epoch || D->sync_pending) {
		/* The dataplane changed under this job: sync first, then do
		 * it all again against what the dataplane runs now. */
		job_restart(j);
		return;
	}
	j->base_generation = D->st.dp_generation;
	memcpy(j->base_sha, D->st.dp_hello.config_sha256, 32);
	set_phase(j, PH_ATTEMPT);
	job_audit(j, CTL_RES_ATTEMPT, j->base_generation, NULL, NULL, true,
		  on_attempt_written);
}

static void
start_prepare(struct commit_job *j)
{
	struct ctld *D = j->D;
	struct prepare_task *t = calloc(1, sizeof(*t));
	int rc;

	set_phase(j, PH_PREPARE);
	if (t == NULL) {
		job_say(j, "%s: out of memory", j->req.action);
		j->status = 1;
		job_finish(j);
		return;
	}
	for (unsigned k = 0; k < IXG_TBL_MAX; k++)
		t->memfd[k] = -1;
	t->job = j;
	if (!j->routes_only) {
		/* Kernel routes ride along with every commit. */
		struct ctl_config *c = j->cand_is_running ? &D->st.running
							  : &j->cand;

		rc = rib_merge(D, c);
		if (rc < 0)
			job_say(j,
				"warning: kernel routes not merged into this "
				"commit: %s",
				strerror(-rc));
		if (j->cand_is_running)
			j->cand = D->st.running;
		else if (D->st.running.valid &&
			 (rc = rib_blackhole_ids(
				  j->cand.spec.blackholes,
				  j->cand.spec.n_blackholes,
				  D->st.running.spec.blackholes,
				  D->st.running.spec.n_blackholes)) < 0) {
			free(t);
			job_say(j, "%s: cannot number the blackholes: %s",
				j->req.action, strerror(-rc));
			j->status = 1;
			job_finish(j);
			return;
		}
	}
	t->base = D->st.running.valid && D->running_exact && !j->cand_is_running
			  ? &D->st.running.spec
			  : NULL;
	/* A routes job knows what it changed, unless the dataplane's other
	 * tables are not known to be ours (then everything is sent). */
	t->preset = j->routes_only && t->base != NULL;
	if (t->preset)
		t->diff = j->diff;
	t->spec = &j->cand.spec;
	/* Route tables as edits against what the dataplane holds, if it is
	 * known (the rib keeps it while the arrays are in flight: one job
	 * at a time). */
	if (t->base != NULL)
		for (int f = 0; f < RS_TABLES; f++)
			t->rs.base[f] = rib_sent_base(D, rs_table[f],
						      &t->rs.n_base[f]);
	/* The running spec's tables, which that base sorts (a routes job
	 * has the edits of its routes, not of its sources). */
	if (t->base != NULL)
		for (int f = j->routes_only ? 2 : 0; f < RS_TABLES; f++) {
			unsigned k = rs_table[f];

			t->rs.old[f] = ixg_spec_table_data(t->base, k);
			t->rs.n_old[f] = (uint32_t)ixg_spec_table_count(t->base,
									k);
		}
	/* A routes job's edits, made against that base (rib_job_build). */
	if (j->routes_only)
		for (int f = 0; f < 2; f++)
			t->rs.pre[f] = rib_job_edits(D, f, &t->rs.n_pre[f]);
	rc = offload_run(D->offload, prepare_run, prepare_done, prepare_discard,
			 t, &j->task);
	if (rc < 0) {
		free(t);
		job_say(j, "%s: cannot start a thread: %s", j->req.action,
			strerror(-rc));
		j->status = 1;
		job_finish(j);
	}
}

/* ---- compile (reload) ---- */

static void
compile_run(void *arg)
{
	struct compile_task *t = arg;
	FILE *errs = open_memstream(&t->errs, &t->errs_len);

	if (errs == NULL) {
		t->rc = -ENOMEM;
		return;
	}
	if (t->conf != NULL) {
		struct ixg_diags *d = ixg_diags_new();

		t->rc = d != NULL
				? ixg_conf_compile_cache(t->conf, &t->ids,
							 t->cache, &t->spec, d)
				: -ENOMEM;
		if (d != NULL)
			ixg_diags_print(d, errs);
		ixg_diags_free(d);
	} else {
		t->rc = ctl_config_load_cache(
			t->path, t->have_ids ? &t->ids : NULL, t->cache,
			t->digests, &t->out, errs);
	}
	fclose(errs);
}

static void
compile_task_free(struct compile_task *t)
{
	ixg_conf_cache_free(t->cache); /* abandoned: the loop made another */
	ctl_digests_free(t->digests);
	ctl_config_free(&t->out);
	ixg_spec_free(&t->spec);
	ixg_ids_free(&t->ids);
	free(t->errs);
	free(t->path);
	free(t);
}

static void
compile_discard(void *arg)
{
	compile_task_free(arg);
}

static void
refuse_reload(struct commit_job *j, const char *error)
{
	struct ctld *D = j->D;

	job_say(j,
		"reload refused; running configuration unchanged "
		"(generation %" PRIu64 ")",
		D->st.dp_generation);
	j->status = 1;
	set_phase(j, PH_RESULT);
	job_audit(j, CTL_RES_REFUSED, D->st.dp_generation, error, NULL, false,
		  on_result_written);
}

/*
 * The compile and digest caches a task held come back to the loop (D's,
 * if any, freed: a task that ran without them left D's NULL).
 */
static void
caches_back(struct ctld *D, struct compile_task *t)
{
	ixg_conf_cache_free(D->conf_cache);
	D->conf_cache = t->cache;
	t->cache = NULL;
	ctl_digests_free(D->digests);
	D->digests = t->digests;
	t->digests = NULL;
}

static void
compile_done(void *arg)
{
	struct compile_task *t = arg;
	struct commit_job *j = t->job;
	struct ctld *D = j->D;
	char hex[65], msg[1024];

	j->task = NULL;
	loop_timer_del(D->loop, j->timer);
	j->timer = NULL;
	caches_back(D, t);
	if (t->errs_len > 0)
		job_say_text(j, t->errs, t->errs_len);
	if (t->rc != 0) {
		char *nl = t->errs != NULL ? strchr(t->errs, '\n') : NULL;

		if (nl != NULL)
			*nl = '\0';
		refuse_reload(j, t->errs != NULL ? t->errs : "out of memory");
		compile_task_free(t);
		return;
	}
	j->cand = t->out;
	memset(&t->out, 0, sizeof(t->out));
	memcpy(j->sha, j->cand.sha256, 32);
	j->have_sha = true;
	compile_task_free(t);
	if (D->st.held && !j->req.reapply &&
	    memcmp(D->st.held_sha256, j->cand.sha256, 32) == 0) {
		ctl_hex(j->cand.sha256, hex);
		snprintf(msg, sizeof(msg),
			 "the files hold the configuration of generation "
			 "%" PRIu64 " (sha256 %.16s), which was rolled back",
			 D->st.held_generation, hex);
		job_say(j, "%s: %s", D->st.config_path, msg);
		job_say(j, "%s", D->st.files_note);
		job_say(j, "change the files, or `ixgatectl reload --reapply` "
			   "to commit them again");
		refuse_reload(j, msg);
		return;
	}
	start_prepare(j);
}

static void
on_compile_deadline(struct loop *L, struct loop_timer *tm, void *arg)
{
	struct commit_job *j = arg;
	char msg[256];

	(void)L;
	(void)tm;
	j->timer = NULL;
	if (j->task == NULL || !offload_abandon(j->D->offload, j->task))
		return; /* finished meanwhile: compile_done is on its way */
	j->task = NULL;
	snprintf(msg, sizeof(msg),
		 "%s: loading did not finish within %u s (a FIFO, a device "
		 "or a hung filesystem in the config tree?); given up",
		 j->D->st.config_path, j->D->compile_timeout_ms / 1000);
	job_say(j, "%s", msg);
	refuse_reload(j, msg);
}

static void
start_compile(struct commit_job *j)
{
	struct ctld *D = j->D;
	struct compile_task *t = calloc(1, sizeof(*t));
	int rc;

	set_phase(j, PH_COMPILE);
	if (t == NULL || (t->path = strdup(D->st.config_path)) == NULL ||
	    (D->st.running.valid &&
	     ctl_spec_ids_copy(&D->st.running.spec, &t->ids) < 0)) {
		if (t != NULL)
			compile_task_free(t);
		job_say(j, "%s: out of memory", j->req.action);
		j->status = 1;
		job_finish(j);
		return;
	}
	t->have_ids = D->st.running.valid;
	t->job = j;
	/* The compile cache goes with the task (a new one if the last task
	 * was abandoned with it). */
	t->cache = D->conf_cache != NULL ? D->conf_cache : ixg_conf_cache_new();
	D->conf_cache = NULL;
	t->digests = D->digests != NULL ? D->digests : ctl_digests_new();
	D->digests = NULL;
	if (j->req.full) {
		/* reload --full: every file read and hashed again. */
		ixg_conf_cache_free(t->cache);
		t->cache = ixg_conf_cache_new();
		ctl_digests_free(t->digests);
		t->digests = ctl_digests_new();
	}
	rc = offload_run(D->offload, compile_run, compile_done, compile_discard,
			 t, &j->task);
	if (rc < 0) {
		compile_task_free(t);
		job_say(j, "%s: cannot start a thread: %s", j->req.action,
			strerror(-rc));
		j->status = 1;
		job_finish(j);
		return;
	}
	j->timer = loop_timer_add(D->loop, D->compile_timeout_ms, 0,
				  on_compile_deadline, j);
}

/* ---- warm-up: a reload's load, once, after the start-up commit ----
 *
 * The first one-member reload after start-up took 1.5-1.8x the CPU of the
 * later ones in every step (parse, compile, digest, compare; the
 * dataplane's first patch too) for the same work: callgrind counts the
 * same instructions for reloads #1-#3 (899.3, 897.9, 899.5 M in
 * ctl_config_load_cache). What is slow is memory: the compile cache's
 * records, the running spec and the heap a load allocates from were last
 * touched by the start-up load, before the install's commit moved
 * hundreds of MB in both processes, and the first reload meets them cold
 * (no page faults: caches, TLB, the hypervisor's page tables). So the
 * first sync that goes live runs a reload's load of the same files on a
 * task thread and drops its result: that reload's memory is touched
 * again, racy files are verified by content now rather than in the
 * operator's reload, and jobs wait for it. Cost: one reload's load at
 * start-up (real table, load ~20: parse 10.1, compile 21.7, digest 1.4
 * ms CPU); bench/README-reload.md, "Issue 12, the first reload after
 * start-up, and the tests under load (helper control3)".
 */
static void
warm_done(void *arg)
{
	struct compile_task *t = arg;
	struct ctld *D = t->D;

	D->jobs->warm = NULL;
	/* The caches come back (the loop made none meanwhile: jobs wait). */
	caches_back(D, t);
	if (t->rc == 0)
		ctld_log(D,
			 "warmed the next reload: its load run once (parse "
			 "%.1f, compile %.1f, digest %.1f ms CPU)",
			 t->out.load.parse_cpu_ms, t->out.load.compile_cpu_ms,
			 t->out.load.digest_cpu_ms);
	compile_task_free(t);
	runner_kick(D);
}

static void
start_warm(struct ctld *D)
{
	struct commit_jobs *J = D->jobs;
	struct compile_task *t;

	if (J->warmed || J->warm != NULL || !D->st.running.valid ||
	    D->conf_cache == NULL || D->digests == NULL)
		return;
	J->warmed = true;
	t = calloc(1, sizeof(*t));
	if (t == NULL || (t->path = strdup(D->st.config_path)) == NULL ||
	    ctl_spec_ids_copy(&D->st.running.spec, &t->ids) < 0) {
		if (t != NULL)
			compile_task_free(t);
		return;
	}
	t->have_ids = true;
	t->D = D;
	t->cache = D->conf_cache;
	D->conf_cache = NULL;
	t->digests = D->digests;
	D->digests = NULL;
	if (offload_run(D->offload, compile_run, warm_done, compile_discard, t,
			&J->warm) < 0) {
		caches_back(D, t);
		compile_task_free(t);
		J->warm = NULL;
	}
}

/* ---- rollback: the copy of the rolled-back files ---- */

static void
copy_run(void *arg)
{
	struct copy_task *t = arg;

	t->rc = ctl_config_copy_files(t->cfg, t->config_path, t->dst, t->err,
				      sizeof(t->err));
}

static void
copy_task_free(struct copy_task *t)
{
	free(t->config_path);
	free(t->dst);
	free(t);
}

static void
copy_discard(void *arg)
{
	copy_task_free(arg);
}

static void
copy_done(void *arg)
{
	struct copy_task *t = arg;
	struct commit_job *j = t->job;
	struct ctld *D = j->D;

	j->task = NULL;
	if (t->rc < 0) {
		job_say(j, "warning: the rolled-back files were not copied: %s",
			t->err);
		ctld_set_held(D, D->st.previous.sha256, j->base_generation,
			      NULL);
	} else {
		ctld_set_held(D, D->st.previous.sha256, j->base_generation,
			      t->dst);
	}
	job_say(j, "%s", D->st.files_note);
	copy_task_free(t);
	job_finish(j);
}

/* After a rollback: the files still hold what was rolled back. */
static void
start_copy(struct commit_job *j)
{
	struct ctld *D = j->D;
	struct copy_task *t;
	char dst[4096];
	int rc;

	set_phase(j, PH_COPY);
	if (D->state_dir == NULL) {
		ctld_set_held(D, D->st.previous.sha256, j->base_generation,
			      NULL);
		job_say(j, "%s", D->st.files_note);
		job_finish(j);
		return;
	}
	snprintf(dst, sizeof(dst), "%s/rolled-back/generation-%" PRIu64,
		 D->state_dir, j->base_generation);
	t = calloc(1, sizeof(*t));
	if (t == NULL || (t->config_path = strdup(D->st.config_path)) == NULL ||
	    (t->dst = strdup(dst)) == NULL) {
		if (t != NULL)
			copy_task_free(t);
		ctld_set_held(D, D->st.previous.sha256, j->base_generation,
			      NULL);
		job_finish(j);
		return;
	}
	t->job = j;
	t->cfg = &D->st.previous; /* not replaced while this job runs */
	rc = offload_run(D->offload, copy_run, copy_done, copy_discard, t,
			 &j->task);
	if (rc < 0) {
		copy_task_free(t);
		ctld_set_held(D, D->st.previous.sha256, j->base_generation,
			      NULL);
		job_finish(j);
	}
}

/* ---- sync: after HELLO ---- */

static void
sync_adopt(struct commit_job *j)
{
	struct ctld *D = j->D;
	const struct ixg_msg_hello_reply *h = &D->st.dp_hello;
	char hex[65];
	struct ctl_audit_rec r = {
		.time = time(NULL),
		.who = CTL_WHO_DAEMON,
		.action = "adopt",
		.sha256 = D->st.running.sha256,
		.generation = h->generation,
		.result = CTL_RES_ADOPTED,
	};

	ctl_hex(D->st.running.sha256, hex);
	D->st.dp_generation = h->generation;
	D->running_exact = j->sync_exact;
	ctld_log(D,
		 "adopted the dataplane's generation %" PRIu64
		 " (sha256 %.16s equal): traffic undisturbed%s",
		 h->generation, hex,
		 j->sync_exact ? ""
			       : "; ids not confirmed, the next commit sends "
				 "every table");
	ctld_audit(D, &r);
	ctld_running_changed(D);
	job_finish(j);
}

/* After the ids are settled: adopt, hold back, or commit whole. */
static void
sync_decide(struct commit_job *j)
{
	struct ctld *D = j->D;
	const struct ixg_msg_hello_reply *h = &D->st.dp_hello;
	char hex[65];

	if (h->generation > 0 &&
	    memcmp(h->config_sha256, D->st.running.sha256, 32) == 0) {
		sync_adopt(j);
		return;
	}
	D->running_exact = false;
	if (D->st.held && h->generation > 0 &&
	    memcmp(D->st.held_sha256, D->st.running.sha256, 32) == 0) {
		ctl_hex(D->st.running.sha256, hex);
		ctld_log(D,
			 "not committing %s: the files hold the configuration "
			 "of generation %" PRIu64 " (sha256 %.16s), which was "
			 "rolled back; the dataplane keeps generation %" PRIu64
			 ". Change the files, or `ixgatectl reload "
			 "--reapply`",
			 D->st.config_path, D->st.held_generation, hex,
			 h->generation);
		D->st.dp_generation = h->generation;
		D->running_not_live = true;
		job_finish(j);
		return;
	}
	D->st.dp_generation = h->generation;
	if (D->st.held)
		ctld_log(D,
			 "the dataplane runs no configuration: committing %s "
			 "although it holds the configuration rolled back "
			 "at generation %" PRIu64,
			 D->st.config_path, D->st.held_generation);
	ctld_log(D,
		 "dataplane at generation %" PRIu64
		 " with another configuration: committing %s whole",
		 h->generation, D->st.config_path);
	j->req.action = j->sync_first ? "startup" : "recommit";
	j->req.who = j->sync_first ? CTL_WHO_STARTUP : CTL_WHO_DAEMON;
	j->cand = D->st.running;
	j->cand_is_running = true;
	memcpy(j->sha, j->cand.sha256, 32);
	j->have_sha = true;
	start_prepare(j);
}

/* Same members with the same weights, in any order. */
static bool
same_group(const struct ixg_spec_nhgroup *a, const struct ixg_spec_nhgroup *b)
{
	if (a->n_members != b->n_members || a->n_members > IXG_NHG_MAX_MEMBERS)
		return false;
	for (unsigned i = 0; i < a->n_members; i++) {
		unsigned k;

		for (k = 0; k < b->n_members; k++)
			if (b->peer_id[k] == a->peer_id[i])
				break;
		if (k == b->n_members || b->weight[k] != a->weight[i])
			return false;
	}
	return true;
}

static bool
same_rule_key(const struct ixg_spec_acl_rule *a,
	      const struct ixg_spec_acl_rule *b)
{
	if (a->family != b->family)
		return false;
	if (a->name[0] != '\0' || b->name[0] != '\0')
		return strcmp(a->name, b->name) == 0;
	return a->priority == b->priority;
}

/* Does every named object of spec have the id `ids` gives it, and ids
 * name nothing spec lacks? (Then the counters the dataplane keeps by id
 * are named right.) */
static bool
ids_agree(const struct ixg_spec *s, const struct ixg_spec *ids)
{
	uint32_t i, j;

	if (s->n_ports != ids->n_ports || s->n_peers != ids->n_peers ||
	    s->n_classes != ids->n_classes ||
	    s->n_acl_rules != ids->n_acl_rules ||
	    s->n_countries != ids->n_countries ||
	    (s->n_countries > 0 &&
	     memcmp(s->countries, ids->countries,
		    s->n_countries * sizeof(*s->countries)) != 0))
		return false;
	for (i = 0; i < s->n_ports; i++) {
		for (j = 0; j < ids->n_ports; j++)
			if (strcmp(s->ports[i].name, ids->ports[j].name) == 0)
				break;
		if (j == ids->n_ports || ids->ports[j].id != s->ports[i].id)
			return false;
	}
	for (i = 0; i < s->n_peers; i++) {
		for (j = 0; j < ids->n_peers; j++)
			if (strcmp(s->peers[i].name, ids->peers[j].name) == 0)
				break;
		if (j == ids->n_peers || ids->peers[j].id != s->peers[i].id)
			return false;
	}
	for (i = 0; i < s->n_classes; i++) {
		for (j = 0; j < ids->n_classes; j++)
			if (strcmp(s->classes[i].name, ids->classes[j].name) ==
			    0)
				break;
		if (j == ids->n_classes ||
		    ids->classes[j].id != s->classes[i].id)
			return false;
	}
	for (i = 0; i < s->n_acl_rules; i++) {
		for (j = 0; j < ids->n_acl_rules; j++)
			if (same_rule_key(&s->acl_rules[i], &ids->acl_rules[j]))
				break;
		if (j == ids->n_acl_rules ||
		    ids->acl_rules[j].id != s->acl_rules[i].id)
			return false;
	}
	/* the config's groups: each the running group of its id, same
	 * members and weights (kernel routes' groups are the rib's) */
	for (i = 0; i < s->n_nhgroups; i++) {
		for (j = 0; j < ids->n_nhgroups; j++)
			if (ids->nhgroups[j].id == s->nhgroups[i].id)
				break;
		if (j == ids->n_nhgroups ||
		    !same_group(&s->nhgroups[i], &ids->nhgroups[j]))
			return false;
	}
	return true;
}

static void
sync_ids_compiled(void *arg)
{
	struct compile_task *t = arg;
	struct commit_job *j = t->job;
	struct ctld *D = j->D;

	j->task = NULL;
	if (t->rc != 0) {
		ctld_log(D,
			 "cannot compile %s with the dataplane's ids; keeping "
			 "this daemon's",
			 D->st.config_path);
		if (t->errs_len > 0) {
			fwrite(t->errs, 1, t->errs_len, D->log);
			fflush(D->log);
		}
		compile_task_free(t);
		j->sync_exact = false;
		sync_decide(j);
		return;
	}
	ixg_spec_free(&D->st.running.spec);
	D->st.running.spec = t->spec;
	memset(&t->spec, 0, sizeof(t->spec));
	/* A new compile: no kernel routes in it yet (rib.h). */
	D->st.running.rib_merged = false;
	D->st.running.rib_id = 0;
	j->sync_exact = ids_agree(&D->st.running.spec, &t->ids);
	rib_adopt_groups(D, t->ids.nhgroups, t->ids.n_nhgroups);
	ctld_log(D,
		 "took the ids of generation %" PRIu64
		 " from the dataplane: %u ports, %u peers, %u classes, %u ACL "
		 "rules, %u countries, %u next-hop groups%s",
		 D->st.dp_hello.generation, t->ids.n_ports, t->ids.n_peers,
		 t->ids.n_classes, t->ids.n_acl_rules, t->ids.n_countries,
		 t->ids.n_nhgroups,
		 j->sync_exact ? "" : " (the config differs)");
	compile_task_free(t);
	sync_decide(j);
}

static void
on_ids(void *arg, int err, const void *reply, size_t len, int fd)
{
	struct commit_job *j = arg;
	struct ctld *D = j->D;
	char why[IXG_WIRE_ERR_LEN];
	struct compile_task *t;
	struct ixg_msg_ids r;
	int rc;

	if (err < 0 || len != sizeof(r)) {
		if (fd >= 0)
			close(fd);
		ctld_log(D,
			 "dataplane's ids not taken (%s): counters are named "
			 "by this daemon's ids until the next commit",
			 err == -EPROTO ? "not understood (older dataplane?)"
			 : err < 0	? strerror(-err)
					: "malformed reply");
		if (err == -ECONNRESET || err == -ETIMEDOUT ||
		    err == -ECONNABORTED) {
			job_finish(j); /* the next HELLO syncs again */
			return;
		}
		j->sync_exact = false;
		sync_decide(j);
		return;
	}
	memcpy(&r, reply, sizeof(r));
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		if (fd >= 0)
			close(fd);
		j->sync_exact = false;
		sync_decide(j);
		return;
	}
	if (ixg_ids_from_fd(fd, &r, &t->ids, why) != IXG_ST_OK) {
		if (fd >= 0)
			close(fd);
		free(t);
		ctld_log(D,
			 "dataplane's ids not taken (%s): counters are named "
			 "by this daemon's ids until the next commit",
			 why);
		j->sync_exact = false;
		sync_decide(j);
		return;
	}
	if (fd >= 0)
		close(fd);
	t->job = j;
	t->conf = D->st.running.conf; /* immutable; freed only between jobs */
	rc = offload_run(D->offload, compile_run, sync_ids_compiled,
			 compile_discard, t, &j->task);
	if (rc < 0) {
		compile_task_free(t);
		j->sync_exact = false;
		sync_decide(j);
	}
}

/* What became of the attempt a killed daemon left without its result. */
static void
record_dangling(struct ctld *D)
{
	const struct ixg_msg_hello_reply *h = &D->st.dp_hello;
	bool live = memcmp(h->config_sha256, D->dangling_sha, 32) == 0 &&
		    h->generation > D->dangling_generation;
	char note[256];
	struct ctl_audit_rec r = {
		.time = time(NULL),
		.who = CTL_WHO_DAEMON,
		.action = D->dangling_action,
		.sha256 = D->dangling_sha,
		.generation = h->generation,
		.result = live ? CTL_RES_OK : CTL_RES_FAILED,
		.note = note,
	};

	snprintf(note, sizeof(note),
		 "found after a restart of ixgate-control: %s (the dataplane "
		 "runs generation %" PRIu64 ")",
		 live ? "it went live" : "it is not live", h->generation);
	ctld_log(D, "%s over generation %" PRIu64 ": %s", D->dangling_action,
		 D->dangling_generation, note);
	ctld_audit(D, &r);
	D->dangling = false;
}

static void
start_sync(struct commit_job *j)
{
	struct ctld *D = j->D;
	const struct ixg_msg_hello_reply *h = &D->st.dp_hello;
	bool same = D->dp_start_known != 0 &&
		    D->dp_start_known == h->start_unix &&
		    h->generation == D->st.dp_generation;
	struct ixg_msg_get_ids m;
	int rc;

	D->sync_pending = false;
	j->sync_first = !D->first_sync_done;
	D->first_sync_done = true;
	D->dp_start_known = h->start_unix;
	if (D->dangling)
		record_dangling(D);
	if (!D->st.running.valid || !dp_client_ready(D->dp)) {
		D->st.dp_generation = h->generation;
		job_finish(j);
		return;
	}
	j->sync_exact = same && D->running_exact;
	/* The dataplane's ids came from its own commit history; ours are
	 * exact only if we made that history: otherwise take its ids. */
	if (h->generation == 0 || j->sync_exact) {
		sync_decide(j);
		return;
	}
	set_phase(j, PH_IDS);
	memset(&m, 0, sizeof(m));
	ixg_msg_init(&m.hdr, IXG_MSG_GET_IDS, sizeof(m), 0);
	rc = dp_client_request(D->dp, &m, sizeof(m), -1, IXG_MSG_IDS,
			       IDS_TIMEOUT_MS, on_ids, j);
	if (rc < 0)
		job_finish(j);
}

/* ---- routes: kernel routes changed (rib.c) ---- */

static void
start_routes(struct commit_job *j)
{
	struct ctld *D = j->D;
	struct ixg_spec routes;
	uint32_t tables;
	int rc;

	if (!D->st.running.valid || D->running_not_live) {
		j->status = 1;
		job_finish(j);
		return;
	}
	memset(&routes, 0, sizeof(routes));
	rc = rib_job_build(D, &routes, &tables, &j->diff);
	if (rc < 0) {
		ctld_log(D, "kernel routes: cannot build the route tables: %s",
			 strerror(-rc));
		j->status = 1;
		job_finish(j);
		return;
	}
	/* The running config with the new route arrays (owned by the job
	 * until they are live). */
	j->cand = D->st.running;
	j->cand.spec.routes4 = routes.routes4;
	j->cand.spec.n_routes4 = routes.n_routes4;
	j->cand.spec.routes6 = routes.routes6;
	j->cand.spec.n_routes6 = routes.n_routes6;
	j->cand.spec.blackholes = routes.blackholes;
	j->cand.spec.n_blackholes = routes.n_blackholes;
	j->cand.spec.nhgroups = routes.nhgroups; /* ECMP, whole */
	j->cand.spec.n_nhgroups = routes.n_nhgroups;
	if (routes.sources4 != NULL) { /* feasible peers' (RFC 8704) */
		j->cand.spec.sources4 = routes.sources4;
		j->cand.spec.n_sources4 = routes.n_sources4;
		j->cand.spec.sources6 = routes.sources6;
		j->cand.spec.n_sources6 = routes.n_sources6;
	}
	j->routes_only = true;
	memcpy(j->sha, j->cand.sha256, 32);
	j->have_sha = true;
	(void)tables;
	start_prepare(j);
}

/* ---- the runner ---- */

/* Start (or continue from PH_PREPARE after a lost dataplane) a job. */
static void
job_step(struct commit_job *j)
{
	struct ctld *D = j->D;

	switch (j->phase) {
	case PH_QUEUED:
		j->t_start = loop_now_ms();
		j->t_phase = j->t_start;
		memset(j->phase_ms, 0, sizeof(j->phase_ms));
		j->epoch = D->st.dp_epoch;
		switch (j->req.kind) {
		case COMMIT_RELOAD: start_compile(j); return;
		case COMMIT_ROLLBACK:
			if (!D->st.previous.valid) {
				job_say(j,
					"%s: no previous configuration to go "
					"back to",
					j->req.action);
				j->status = 1;
				job_finish(j);
				return;
			}
			if (strcmp(j->req.action, "rollback-unconfirmed") ==
				    0 &&
			    D->st.confirm_deadline == 0) {
				/* Confirmed while this waited. */
				j->status = 0;
				job_finish(j);
				return;
			}
			D->st.confirm_deadline = 0;
			/* The candidate is the previous config itself; the
			 * running one becomes previous when it is live. */
			j->cand = D->st.previous;
			memset(&D->st.previous, 0, sizeof(D->st.previous));
			memcpy(j->sha, j->cand.sha256, 32);
			j->have_sha = true;
			start_prepare(j);
			return;
		case COMMIT_SYNC: start_sync(j); return;
		case COMMIT_ROUTES: start_routes(j); return;
		}
		return;
	case PH_PREPARE: start_prepare(j); return;
	case PH_RESULT:
		if (j->req.kind == COMMIT_ROLLBACK)
			start_copy(j);
		else
			job_finish(j);
		return;
	default: return;
	}
}

static void
on_kick(struct loop *L, struct loop_timer *t, void *arg)
{
	struct ctld *D = arg;
	struct commit_jobs *J = D->jobs;
	struct commit_job *j;

	(void)L;
	(void)t;
	J->kick = NULL;
	if (J->active != NULL || J->warm != NULL)
		return; /* warm_done kicks again */
	if (D->sync_pending && dp_client_ready(D->dp)) {
		/* A sync goes first: make one unless one is queued. */
		struct commit_job **pp;

		for (pp = &J->queue; *pp != NULL; pp = &(*pp)->next)
			if ((*pp)->req.kind == COMMIT_SYNC)
				break;
		if (*pp == NULL) {
			struct commit_request r = {.kind = COMMIT_SYNC,
						   .who = CTL_WHO_DAEMON,
						   .action = "sync"};
			char err[64];

			commit_job_submit(D, &r, err, sizeof(err));
			return;
		}
	}
	j = J->queue;
	if (j == NULL)
		return;
	J->queue = j->next;
	if (J->queue == NULL)
		J->tail = &J->queue;
	J->n_queued--;
	j->next = NULL;
	J->active = j;
	job_step(j);
}

static void
runner_kick(struct ctld *D)
{
	struct commit_jobs *J = D->jobs;

	if (J->kick == NULL)
		J->kick = loop_timer_add(D->loop, 0, 0, on_kick, D);
}

/* ---- API (see ctld.h) ---- */

int
commit_jobs_init(struct ctld *D)
{
	D->jobs = calloc(1, sizeof(*D->jobs));
	if (D->jobs == NULL)
		return -ENOMEM;
	D->jobs->tail = &D->jobs->queue;
	snprintf(D->st.job_state, sizeof(D->st.job_state), "idle");
	return 0;
}

void
commit_jobs_free(struct ctld *D)
{
	struct commit_jobs *J = D->jobs;

	if (J == NULL)
		return;
	while (J->queue != NULL) {
		struct commit_job *j = J->queue;

		J->queue = j->next;
		job_free(j);
	}
	if (J->active != NULL) {
		struct commit_job *j = J->active;

		/* A task thread still points at the job: let it finish
		 * alone (offload_free orphans it). */
		if (j->task != NULL)
			offload_abandon(D->offload, j->task);
		job_free(j);
	}
	if (J->warm != NULL)
		offload_abandon(D->offload, J->warm); /* frees the caches */
	loop_timer_del(D->loop, J->kick);
	free(J);
	D->jobs = NULL;
}

int
commit_job_submit(struct ctld *D, const struct commit_request *r, char *err,
		  size_t errlen)
{
	struct commit_jobs *J = D->jobs;
	struct commit_job *j;

	if (r->kind != COMMIT_SYNC && J->active != NULL &&
	    J->active->phase == PH_VERIFY && J->active->answered) {
		snprintf(err, errlen,
			 "%s refused: the outcome of the commit of generation "
			 "%" PRIu64 " is still unknown (the dataplane does not "
			 "answer); nothing can be committed before it is known",
			 r->action, J->active->base_generation + 1);
		return -EBUSY;
	}
	if (r->kind != COMMIT_SYNC && J->n_queued >= MAX_QUEUED) {
		snprintf(err, errlen,
			 "%s refused: %u commits are already waiting; try "
			 "again when `ixgatectl status` shows fewer",
			 r->action, J->n_queued);
		return -EBUSY;
	}
	j = calloc(1, sizeof(*j));
	if (j == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	j->D = D;
	j->req = *r;
	j->client = r->client;
	j->phase = PH_QUEUED;
	j->t_phase = loop_now_ms();
	for (unsigned k = 0; k < IXG_TBL_MAX; k++)
		j->memfd[k] = -1;
	if (j->client != NULL)
		cli_client_defer(j->client, j, job_detach, job_progress);
	if (r->kind == COMMIT_SYNC) {
		j->next = J->queue;
		J->queue = j;
		if (J->tail == &J->queue)
			J->tail = &j->next;
	} else {
		*J->tail = j;
		J->tail = &j->next;
	}
	J->n_queued++;
	/* A reload (SIGHUP, ixgatectl reload) also re-reads the metrics
	 * exporter's TLS files, in the exporter's thread. */
	if (r->kind == COMMIT_RELOAD)
		exporter_reload();
	runner_kick(D);
	return 0;
}

bool
commit_job_busy(const struct ctld *D)
{
	return D->jobs->active != NULL || D->jobs->queue != NULL;
}

bool
commit_job_rollback_queued(const struct ctld *D)
{
	const struct commit_job *j = D->jobs->active;

	if (j != NULL && j->req.kind == COMMIT_ROLLBACK &&
	    strcmp(j->req.action, "rollback-unconfirmed") == 0)
		return true;
	for (j = D->jobs->queue; j != NULL; j = j->next)
		if (j->req.kind == COMMIT_ROLLBACK &&
		    strcmp(j->req.action, "rollback-unconfirmed") == 0)
			return true;
	return false;
}

void
commit_jobs_dp_up(struct ctld *D)
{
	struct commit_job *j = D->jobs->active;

	D->sync_pending = true;
	if (j != NULL && j->phase == PH_VERIFY) {
		verified(j);
		return;
	}
	runner_kick(D);
}

void
commit_jobs_dp_down(struct ctld *D, const char *why)
{
	(void)D;
	(void)why;
	/* A job in the middle of a transaction learns it from its request's
	 * callback (dp_client fails it before calling down). */
}

void
commit_jobs_describe(struct ctld *D, char *buf, size_t len)
{
	const struct commit_job *j = D->jobs->active;

	if (j == NULL) {
		snprintf(buf, len, "idle");
		return;
	}
	snprintf(buf, len, "%s: %s (%.1f s, %u waiting)", j->req.action,
		 phase_names[j->phase], (loop_now_ms() - j->t_phase) / 1000.0,
		 D->jobs->n_queued);
}
