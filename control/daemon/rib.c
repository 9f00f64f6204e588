/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rib.c - kernel routes in ixgate-control: the reader on the loop, the
 * resolution (rib_table.c), the routes commit jobs, the latency from a
 * netlink message to the dataplane, `show kernel-routes` (rib.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "ctld.h"
#include "ixg_conf.h"
#include "rib.h"
#include "rib_nhg.h"
#include "rib_table.h"
#include "ixg_wire.h"
#include "lladdr_watch.h"
#include "rtnl_reader.h"
#include "session_watch.h"
#include "view.h"

/* Latency histogram: 1 ms buckets up to 10 s, then one overflow. */
#define LAT_BUCKETS 10001
#define RETRY_MS 1000

struct u64vec {
	uint64_t *v;
	size_t n, cap;
};

struct rib {
	struct ctld *D;
	struct ixg_conf_kroutes kr; /* what the reader follows */
	struct rtnl_reader *reader;
	struct loop_watch *watch;
	struct loop_timer *timer;
	uint64_t timer_at;
	struct loop_timer *retry;
	struct rib_table *t;
	uint64_t basis_id, next_id; /* ctl_config.rib_id resolved against */
	bool dirty; /* changes the dataplane does not have yet */
	bool job; /* a routes job is queued or runs */
	bool synced; /* the reader's full batch arrived */
	/* When each change waiting (pend) or in the running job (fly) was
	 * read from netlink, for the latency. */
	struct u64vec pend, fly;
	uint32_t fam_changes[2], fly_changes[2];
	uint64_t hist[LAT_BUCKETS];
	uint64_t lat_n, lat_max_ns, lat_sum_ns;
	/* Counters. */
	uint64_t batches, changes, jobs, jobs_failed, restarts;
	uint64_t first_full_ns, first_live_ns; /* the start's dump, live */
	uint64_t last_build_ns, last_publish_ns, last_generation;
	uint64_t started_ns;
	/* Route and source deltas: routes4 [0], routes6 [1], sources4 [2]
	 * and sources6 [3] as the dataplane holds them (sorted), valid for
	 * generation sent_gen of the dataplane of epoch sent_epoch. */
	void *sent[4];
	uint32_t n_sent[4];
	bool sent_ok[4];
	uint64_t sent_gen, sent_epoch;
	uint64_t sends_delta, sends_whole, deltas_refused, edits_sent;
	/* How route jobs were built: from the changed prefixes, or by a
	 * merge of the whole table; the edits of the job being built. */
	uint64_t builds_delta, builds_full;
	void *job_edits[2];
	uint64_t job_n_edits[2];
	/* The members' BGP sessions (session_watch.h), watched while the
	 * block is there. */
	struct session_watch *sw;
	struct lladdr_watch *lw; /* link-local pairs (lladdr_watch.h) */
};

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
vec_push(struct u64vec *v, uint64_t x)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 1024;
		uint64_t *p = realloc(v->v, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		v->v = p;
		v->cap = cap;
	}
	v->v[v->n++] = x;
	return 0;
}

/* ---- the reader on the loop ---- */

static void arm_timer(struct rib *R);
static void sent_forget(struct rib *R, int f);
static void job_edits_free(struct rib *R);

static void
on_reader_timer(struct loop *L, struct loop_timer *t, void *arg)
{
	struct rib *R = arg;

	(void)L;
	(void)t;
	R->timer = NULL;
	R->timer_at = 0;
	if (R->reader != NULL) {
		rtnl_reader_tick(R->reader);
		arm_timer(R);
	}
}

/* One loop timer at the reader's next deadline (batch window, resync). */
static void
arm_timer(struct rib *R)
{
	uint64_t d = rtnl_reader_deadline(R->reader), now = mono_ns(), ms;

	if (d == UINT64_MAX)
		return;
	if (R->timer != NULL && R->timer_at <= d)
		return;
	if (R->timer != NULL)
		loop_timer_del(R->D->loop, R->timer);
	ms = d > now ? (d - now + 999999) / 1000000 : 0;
	R->timer = loop_timer_add(R->D->loop, ms, 0, on_reader_timer, R);
	R->timer_at = R->timer != NULL ? d : 0;
}

static void
on_readable(struct loop *L, struct loop_watch *w, int fd, unsigned revents,
	    void *arg)
{
	struct rib *R = arg;

	(void)L;
	(void)w;
	(void)fd;
	(void)revents;
	if (R->reader == NULL)
		return;
	rtnl_reader_readable(R->reader);
	arm_timer(R);
}

static void
reader_log(void *arg, int level, const char *msg)
{
	struct rib *R = arg;

	if (level <= LOG_INFO)
		ctld_log(R->D, "kernel routes: %s", msg);
}

static void
table_log(void *arg, const char *line)
{
	struct rib *R = arg;

	ctld_log(R->D, "%s", line);
}

static void
on_batch(void *arg, const struct rtnl_batch *b)
{
	struct rib *R = arg;
	long n = rib_table_apply(R->t, b);
	bool withdrawn = false;

	R->batches++;
	if (n < 0) {
		ctld_log(R->D,
			 "kernel routes: out of memory applying batch %" PRIu64
			 "; resync",
			 b->seq);
		rtnl_reader_resync(R->reader);
		return;
	}
	for (uint32_t i = 0; i < b->n; i++) {
		vec_push(&R->pend, b->changes[i].first_ns);
		R->fam_changes[b->changes[i].family == AF_INET ? 0 : 1]++;
		withdrawn |= b->changes[i].new_best == NULL;
	}
	/* A withdrawal may be a session the daemon just closed. */
	if (withdrawn && !b->full)
		session_watch_withdrawn(R->sw);
	R->changes += b->n;
	if (b->full) {
		R->synced = true;
		if (R->first_full_ns == 0)
			R->first_full_ns = b->flush_ns;
		ctld_log(R->D,
			 "kernel routes: %" PRIu64 " IPv4 and %" PRIu64
			 " IPv6 routes in table(s) of the reader's first dump",
			 rtnl_store_prefixes(rtnl_reader_store(R->reader),
					     AF_INET),
			 rtnl_store_prefixes(rtnl_reader_store(R->reader),
					     AF_INET6));
	}
	if (n > 0 || b->full)
		R->dirty = true;
	rib_kick(R->D);
}

static void
reader_stop(struct rib *R)
{
	if (R->watch != NULL)
		loop_del_fd(R->D->loop, R->watch);
	if (R->timer != NULL)
		loop_timer_del(R->D->loop, R->timer);
	R->watch = NULL;
	R->timer = NULL;
	R->timer_at = 0;
	rtnl_reader_free(R->reader);
	R->reader = NULL;
	R->synced = false;
}

static int
reader_start(struct rib *R)
{
	struct rtnl_reader_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.tables, R->kr.tables, R->kr.n_tables * sizeof(uint32_t));
	cfg.n_tables = R->kr.n_tables;
	cfg.ipv4 = R->kr.ipv4;
	cfg.ipv6 = R->kr.ipv6;
	memcpy(cfg.protocols, R->kr.protocols, R->kr.n_protocols);
	cfg.n_protocols = R->kr.n_protocols;
	cfg.batch_ms = R->kr.batch_ms;
	cfg.on_batch = on_batch;
	cfg.log = reader_log;
	cfg.arg = R;
	R->reader = rtnl_reader_new(&cfg);
	if (R->reader == NULL)
		return -errno;
	R->watch = loop_add_fd(R->D->loop, rtnl_reader_fd(R->reader), POLLIN, 0,
			       on_readable, R);
	if (R->watch == NULL) {
		reader_stop(R);
		return -ENOMEM;
	}
	R->restarts++;
	arm_timer(R);
	return 0;
}

/* ---- API ---- */

int
rib_new(struct ctld *D)
{
	struct rib *R = calloc(1, sizeof(*R));

	if (R == NULL)
		return -ENOMEM;
	R->t = rib_table_new();
	if (R->t == NULL) {
		free(R);
		return -ENOMEM;
	}
	rib_table_set_log(R->t, table_log, R);
	R->sw = session_watch_new(D);
	if (R->sw == NULL) {
		rib_table_free(R->t);
		free(R);
		return -ENOMEM;
	}
	R->D = D;
	R->lw = lladdr_watch_new(D);
	if (R->lw == NULL) {
		session_watch_free(R->sw);
		rib_table_free(R->t);
		free(R);
		return -ENOMEM;
	}
	R->started_ns = mono_ns();
	D->rib = R;
	D->st.rib = R;
	return 0;
}

void
rib_free(struct ctld *D)
{
	struct rib *R = D->rib;

	if (R == NULL)
		return;
	reader_stop(R);
	session_watch_free(R->sw);
	lladdr_watch_free(R->lw);
	if (R->retry != NULL)
		loop_timer_del(D->loop, R->retry);
	rib_table_free(R->t);
	free(R->pend.v);
	free(R->fly.v);
	job_edits_free(R);
	for (int f = 0; f < 4; f++)
		sent_forget(R, f);
	free(R);
	D->rib = NULL;
	D->st.rib = NULL;
}

static struct rib_policy
policy_of(const struct ctl_config *c)
{
	struct ixg_conf_kroutes kr;

	if (c->conf == NULL)
		return (struct rib_policy){0};
	ixg_conf_kernel_routes(c->conf, &kr);
	return (struct rib_policy){.filter = kr.filter,
				   .precedence_kernel = kr.precedence_kernel};
}

/* Record which entries of c are the config's, and give c an identity. */
static void
mark_config(struct rib *R, struct ctl_config *c)
{
	if (!c->rib_merged) {
		c->n_conf4 = c->spec.n_routes4;
		c->n_conf6 = c->spec.n_routes6;
		c->n_conf_bh = c->spec.n_blackholes;
		c->n_conf_src4 = c->spec.n_sources4;
		c->n_conf_src6 = c->spec.n_sources6;
		c->rib_merged = true;
	}
	if (c->rib_id == 0)
		c->rib_id = ++R->next_id;
}

/* Resolve against c if that is not what the table does already. Without
 * kernel routes there is nothing to resolve: the basis (a hash of every
 * source and config route, heavy on a full table) waits until there are
 * some. */
static int
basis(struct rib *R, struct ctl_config *c)
{
	struct rib_policy p;
	int rc;

	mark_config(R, c);
	if (R->basis_id == c->rib_id)
		return 0;
	if (R->reader == NULL && rib_table_size(R->t) == 0) {
		R->basis_id = 0;
		return 0;
	}
	p = policy_of(c);
	/* The config's entries are those not from the kernel (a running
	 * config's arrays may be merged, and sorted). */
	rc = rib_table_set_basis(
		R->t, &c->spec, c->spec.n_routes4, c->spec.n_routes6,
		c->spec.n_blackholes, &p,
		R->reader != NULL ? rtnl_reader_store(R->reader) : NULL);
	R->basis_id = rc == 0 ? c->rib_id : 0;
	return rc;
}

void
rib_adopt_groups(struct ctld *D, const struct ixg_spec_nhgroup *v, uint32_t n)
{
	struct rib *R = D->rib;
	int rc;

	if (R == NULL)
		return;
	rc = rib_table_prefer_groups(R->t, v, n);
	if (rc < 0) {
		ctld_log(D,
			 "kernel routes: the dataplane's %u next-hop group ids "
			 "not taken: %s",
			 n, strerror(-rc));
		return;
	}
	R->basis_id = 0; /* resolve every entry again */
}

void
rib_running_changed(struct ctld *D)
{
	struct rib *R = D->rib;
	struct ctl_config *run = &D->st.running;
	struct ixg_conf_kroutes kr;

	if (R == NULL)
		return;
	memset(&kr, 0, sizeof(kr));
	if (run->valid && run->conf != NULL)
		ixg_conf_kernel_routes(run->conf, &kr);
	kr.origin = 0;
	/* The sessions' watcher has its own switch: the reader goes on. */
	session_watch_configure(R->sw, kr.enabled != 0, !kr.session_keep);
	kr.session_keep = 0;
	if (memcmp(&kr, &R->kr, sizeof(kr)) != 0 ||
	    (kr.enabled && R->reader == NULL)) {
		reader_stop(R);
		R->kr = kr;
		if (kr.enabled) {
			int rc = reader_start(R);

			if (rc < 0)
				ctld_log(D,
					 "kernel routes: cannot start the "
					 "rtnetlink reader: %s (retried at "
					 "the next reload)",
					 strerror(-rc));
			else
				ctld_log(D,
					 "kernel routes: following %u "
					 "table(s) (first %u), %s%s",
					 kr.n_tables, kr.tables[0],
					 kr.ipv4 && kr.ipv6 ? "IPv4 and IPv6"
					 : kr.ipv4	    ? "IPv4"
							    : "IPv6",
					 kr.filter ? ", filter sources" : "");
		} else if (R->t != NULL) {
			struct rib_counts c;

			rib_table_counts(R->t, &c);
			rib_table_clear(R->t);
			if (c.merged4 + c.merged6 + c.merged_bh > 0) {
				ctld_log(D, "kernel routes: no kernel-routes "
					    "block any more: withdrawing the "
					    "kernel routes");
				R->dirty = true;
			}
		}
	}
	if (run->valid) {
		uint64_t before = R->basis_id;

		basis(R, run);
		if (before != R->basis_id && R->synced)
			R->dirty = true;
	}
	rib_kick(D);
}

static void
on_retry(struct loop *L, struct loop_timer *t, void *arg)
{
	struct rib *R = arg;

	(void)L;
	(void)t;
	R->retry = NULL;
	rib_kick(R->D);
}

void
rib_kick(struct ctld *D)
{
	struct rib *R = D->rib;
	struct commit_request req = {
		.kind = COMMIT_ROUTES,
		.who = CTL_WHO_DAEMON,
		.action = "routes",
	};
	char err[256];

	if (R != NULL)
		session_watch_sync(R->sw);
	if (R == NULL || !R->dirty || R->job || R->retry != NULL ||
	    !D->st.running.valid || !dp_client_ready(D->dp) ||
	    !D->first_sync_done || D->sync_pending || D->running_not_live)
		return;
	/* Never a half-read table: wait for the reader's full dump. */
	if (R->reader != NULL && !R->synced)
		return;
	if (commit_job_submit(D, &req, err, sizeof(err)) < 0) {
		R->retry = loop_timer_add(D->loop, RETRY_MS, 0, on_retry, R);
		return;
	}
	R->job = true;
}

/* No group of s is the kernel routes' (the config's route blocks may
 * have some: they stay as compiled when there is nothing to merge). */
static bool
groups_config_only(const struct ixg_spec *s)
{
	for (uint32_t i = 0; i < s->n_nhgroups; i++)
		if (s->nhgroups[i].origin == RIB_ORIGIN_KERNEL)
			return false;
	return true;
}

int
rib_merge(struct ctld *D, struct ctl_config *c)
{
	struct rib *R = D->rib;
	struct ixg_spec m;
	int rc;

	if (R == NULL || !c->valid)
		return 0;
	mark_config(R, c);
	/* No kernel route to add and none to strip: c stays as it is. */
	if (rib_table_size(R->t) == 0 && c->spec.n_routes4 == c->n_conf4 &&
	    c->spec.n_routes6 == c->n_conf6 &&
	    c->spec.n_blackholes == c->n_conf_bh &&
	    c->spec.n_sources4 == c->n_conf_src4 &&
	    c->spec.n_sources6 == c->n_conf_src6 &&
	    groups_config_only(&c->spec))
		return 0;
	rc = basis(R, c);
	if (rc < 0)
		return rc;
	memset(&m, 0, sizeof(m));
	rc = rib_table_merge(R->t, &c->spec, c->spec.n_routes4,
			     c->spec.n_routes6, c->spec.n_blackholes, &m);
	/* The merge dropped the ECMP groups no entry names, which routes the
	 * dataplane holds may still name if this commit does not go live
	 * (and their ids may be given again): the next route commit is a
	 * full one, so the deltas only ever see the groups their base was
	 * committed with (rib_table_delta). */
	rib_table_mark_full(R->t);
	/* Ids against what runs (c may be the running config itself: its
	 * array is freed below, after). */
	if (rc == 0 && D->st.running.valid)
		rc = rib_blackhole_ids(m.blackholes, m.n_blackholes,
				       D->st.running.spec.blackholes,
				       D->st.running.spec.n_blackholes);
	if (rc < 0) {
		free(m.routes4);
		free(m.routes6);
		free(m.blackholes);
		free(m.nhgroups);
		return rc;
	}
	rc = rib_table_feasible(R->t, &c->spec, c->spec.n_sources4,
				c->spec.n_sources6, &m);
	if (rc < 0) {
		free(m.routes4);
		free(m.routes6);
		free(m.blackholes);
		free(m.nhgroups);
		return rc;
	}
	if (m.sources4 != NULL) {
		free(c->spec.sources4);
		free(c->spec.sources6);
		c->spec.sources4 = m.sources4;
		c->spec.n_sources4 = m.n_sources4;
		c->spec.sources6 = m.sources6;
		c->spec.n_sources6 = m.n_sources6;
	} else {
		/* No feasible peer: the config's sources alone. */
		uint32_t n4 = 0, n6 = 0;

		for (uint32_t i = 0; i < c->spec.n_sources4; i++)
			if (c->spec.sources4[i].origin != RIB_ORIGIN_KERNEL)
				c->spec.sources4[n4++] = c->spec.sources4[i];
		for (uint32_t i = 0; i < c->spec.n_sources6; i++)
			if (c->spec.sources6[i].origin != RIB_ORIGIN_KERNEL)
				c->spec.sources6[n6++] = c->spec.sources6[i];
		c->spec.n_sources4 = n4;
		c->spec.n_sources6 = n6;
	}
	free(c->spec.routes4);
	free(c->spec.routes6);
	free(c->spec.blackholes);
	c->spec.routes4 = m.routes4;
	c->spec.n_routes4 = m.n_routes4;
	c->spec.routes6 = m.routes6;
	c->spec.n_routes6 = m.n_routes6;
	c->spec.blackholes = m.blackholes;
	c->spec.n_blackholes = m.n_blackholes;
	free(c->spec.nhgroups); /* ECMP groups: the kernel routes' alone */
	c->spec.nhgroups = m.nhgroups;
	c->spec.n_nhgroups = m.n_nhgroups;
	return 0;
}

static bool
differs(const void *a, uint32_t na, const void *b, uint32_t nb, size_t size)
{
	return na != nb || (na > 0 && memcmp(a, b, (size_t)na * size) != 0);
}

static void
count_diff(struct ctl_diff_count *d, uint32_t before, uint32_t after,
	   uint32_t changes)
{
	d->added = after > before ? after - before : 0;
	d->removed = before > after ? before - after : 0;
	d->changed = changes > d->added + d->removed
			     ? changes - d->added - d->removed
			     : 0;
}

/* What this job carries becomes in flight. */
static void
job_take(struct rib *R)
{
	struct u64vec tmp = R->fly;

	R->fly = R->pend;
	R->pend = tmp;
	R->pend.n = 0;
	memcpy(R->fly_changes, R->fam_changes, sizeof(R->fly_changes));
	memset(R->fam_changes, 0, sizeof(R->fam_changes));
	R->dirty = false;
	R->jobs++;
}

static void
job_edits_free(struct rib *R)
{
	for (int f = 0; f < 2; f++) {
		free(R->job_edits[f]);
		R->job_edits[f] = NULL;
		R->job_n_edits[f] = 0;
	}
}

/*
 * The incremental build: the changed prefixes' edits against the tables
 * the dataplane holds (rib_sent_base), applied to them for the running
 * config's new arrays; blackholes and sources rebuilt only when theirs
 * changed. -EAGAIN: a full build is needed.
 */
static int
job_build_delta(struct ctld *D, struct ixg_spec *out, uint32_t *tables,
		struct ctl_diff *d)
{
	struct rib *R = D->rib;
	const struct ixg_spec *s = &D->st.running.spec;
	struct ixg_spec cur = *s;
	struct rib_delta dl;
	void *arr[2] = {NULL, NULL};
	uint32_t n_arr[2] = {0, 0};
	char err[IXG_WIRE_ERR_LEN];
	int rc;

	cur.routes4 = (void *)rib_sent_base(D, IXG_TBL_ROUTES4, &cur.n_routes4);
	cur.routes6 = (void *)rib_sent_base(D, IXG_TBL_ROUTES6, &cur.n_routes6);
	if (cur.routes4 == NULL || cur.routes6 == NULL)
		return -EAGAIN;
	rc = rib_table_delta(R->t, &cur, &dl);
	if (rc < 0)
		return rc;
	for (int f = 0; f < 2 && rc == 0; f++) {
		unsigned k = f == 0 ? IXG_TBL_ROUTES4 : IXG_TBL_ROUTES6;
		uint32_t ei;

		if (dl.n_edits[f] == 0)
			continue;
		/* The dataplane's own check, and the new sorted table. */
		if (ixg_delta_apply(k,
				    f == 0 ? (const void *)cur.routes4
					   : (const void *)cur.routes6,
				    f == 0 ? cur.n_routes4 : cur.n_routes6,
				    dl.edits[f], dl.n_edits[f], &arr[f],
				    &n_arr[f], &ei, err) != IXG_ST_OK) {
			ctld_log(D, "kernel routes: own delta refused (%s)",
				 err);
			rc = -EAGAIN;
		}
	}
	if (rc == 0 && dl.blackholes_changed)
		rc = rib_blackhole_ids(dl.blackholes, dl.n_blackholes,
				       s->blackholes, s->n_blackholes);
	if (rc < 0) {
		free(arr[0]);
		free(arr[1]);
		rib_delta_free(&dl);
		/* The changed prefixes it took are gone (and the groups no
		 * entry names were dropped): the next build merges all. */
		rib_table_mark_full(R->t);
		return rc;
	}
	memset(d, 0, sizeof(*d));
	*tables = 0;
	/* Unchanged arrays stay the running ones (install keeps them). */
	out->routes4 = s->routes4;
	out->n_routes4 = s->n_routes4;
	out->routes6 = s->routes6;
	out->n_routes6 = s->n_routes6;
	out->blackholes = s->blackholes;
	out->n_blackholes = s->n_blackholes;
	out->sources4 = NULL;
	out->sources6 = NULL;
	out->nhgroups = s->nhgroups;
	out->n_nhgroups = s->n_nhgroups;
	for (int f = 0; f < 2; f++) {
		unsigned k = f == 0 ? IXG_TBL_ROUTES4 : IXG_TBL_ROUTES6;

		if (arr[f] == NULL)
			continue;
		*tables |= 1u << k;
		d->t[k].added = dl.added[f];
		d->t[k].removed = dl.removed[f];
		d->t[k].changed = dl.changed[f];
		if (f == 0) {
			out->routes4 = arr[0];
			out->n_routes4 = n_arr[0];
		} else {
			out->routes6 = arr[1];
			out->n_routes6 = n_arr[1];
		}
		/* The job sends these edits (commit_job.c takes them). */
		R->job_edits[f] = dl.edits[f];
		R->job_n_edits[f] = dl.n_edits[f];
		dl.edits[f] = NULL;
	}
	if (dl.blackholes_changed &&
	    differs(dl.blackholes, dl.n_blackholes, s->blackholes,
		    s->n_blackholes, sizeof(*dl.blackholes))) {
		*tables |= 1u << IXG_TBL_BLACKHOLES;
		count_diff(&d->t[IXG_TBL_BLACKHOLES], s->n_blackholes,
			   dl.n_blackholes, 0);
		out->blackholes = dl.blackholes;
		out->n_blackholes = dl.n_blackholes;
		dl.blackholes = NULL;
	}
	if (dl.sources_changed &&
	    (differs(dl.sources4, dl.n_sources4, s->sources4, s->n_sources4,
		     sizeof(*dl.sources4)) ||
	     differs(dl.sources6, dl.n_sources6, s->sources6, s->n_sources6,
		     sizeof(*dl.sources6)))) {
		*tables |= 1u << IXG_TBL_SOURCES4 | 1u << IXG_TBL_SOURCES6;
		count_diff(&d->t[IXG_TBL_SOURCES4], s->n_sources4,
			   dl.n_sources4, 0);
		count_diff(&d->t[IXG_TBL_SOURCES6], s->n_sources6,
			   dl.n_sources6, 0);
		out->sources4 = dl.sources4;
		out->n_sources4 = dl.n_sources4;
		out->sources6 = dl.sources6;
		out->n_sources6 = dl.n_sources6;
		dl.sources4 = NULL;
		dl.sources6 = NULL;
	}
	/* ECMP groups: whole, in the same transaction as the edits naming
	 * them (rib_table_delta compared them with the running ones). */
	if (dl.nhgroups_changed) {
		*tables |= 1u << IXG_TBL_NHGROUPS;
		count_diff(&d->t[IXG_TBL_NHGROUPS], s->n_nhgroups,
			   dl.n_nhgroups, 0);
		out->nhgroups = dl.nhgroups;
		out->n_nhgroups = dl.n_nhgroups;
		dl.nhgroups = NULL;
	}
	d->changed_tables = *tables;
	rib_delta_free(&dl);
	R->builds_delta++;
	return 0;
}

int
rib_job_build(struct ctld *D, struct ixg_spec *out, uint32_t *tables,
	      struct ctl_diff *d)
{
	struct rib *R = D->rib;
	struct ctl_config *run = &D->st.running;
	const struct ixg_spec *s = &run->spec;
	struct ixg_spec m;
	int rc;

	job_edits_free(R);
	rc = basis(R, run);
	if (rc < 0)
		return rc;
	rc = job_build_delta(D, out, tables, d);
	if (rc == 0) {
		job_take(R);
		return 0;
	}
	if (rc != -EAGAIN)
		return rc;
	/* The full path: merge, then compare whole tables. */
	memset(&m, 0, sizeof(m));
	rc = rib_table_merge(R->t, s, s->n_routes4, s->n_routes6,
			     s->n_blackholes, &m);
	if (rc == 0)
		rc = rib_blackhole_ids(m.blackholes, m.n_blackholes,
				       s->blackholes, s->n_blackholes);
	/* Feasible peers' sources follow their routes (RFC 8704). */
	if (rc == 0)
		rc = rib_table_feasible(R->t, s, s->n_sources4, s->n_sources6,
					&m);
	if (rc < 0) {
		free(m.routes4);
		free(m.routes6);
		free(m.blackholes);
		free(m.nhgroups);
		return rc;
	}
	rib_table_synced(R->t);
	R->builds_full++;
	memset(d, 0, sizeof(*d));
	*tables = 0;
	if (m.sources4 != NULL &&
	    !differs(m.sources4, m.n_sources4, s->sources4, s->n_sources4,
		     sizeof(*m.sources4)) &&
	    !differs(m.sources6, m.n_sources6, s->sources6, s->n_sources6,
		     sizeof(*m.sources6))) {
		free(m.sources4);
		free(m.sources6);
		m.sources4 = NULL;
		m.sources6 = NULL;
	}
	if (m.sources4 != NULL) {
		*tables |= 1u << IXG_TBL_SOURCES4 | 1u << IXG_TBL_SOURCES6;
		count_diff(&d->t[IXG_TBL_SOURCES4], s->n_sources4, m.n_sources4,
			   0);
		count_diff(&d->t[IXG_TBL_SOURCES6], s->n_sources6, m.n_sources6,
			   0);
	}
	if (differs(m.routes4, m.n_routes4, s->routes4, s->n_routes4,
		    sizeof(*m.routes4))) {
		*tables |= 1u << IXG_TBL_ROUTES4;
		count_diff(&d->t[IXG_TBL_ROUTES4], s->n_routes4, m.n_routes4,
			   R->fam_changes[0]);
	}
	if (differs(m.routes6, m.n_routes6, s->routes6, s->n_routes6,
		    sizeof(*m.routes6))) {
		*tables |= 1u << IXG_TBL_ROUTES6;
		count_diff(&d->t[IXG_TBL_ROUTES6], s->n_routes6, m.n_routes6,
			   R->fam_changes[1]);
	}
	if (differs(m.blackholes, m.n_blackholes, s->blackholes,
		    s->n_blackholes, sizeof(*m.blackholes))) {
		*tables |= 1u << IXG_TBL_BLACKHOLES;
		count_diff(&d->t[IXG_TBL_BLACKHOLES], s->n_blackholes,
			   m.n_blackholes, 0);
	}
	/* ECMP groups: whole, in the same transaction as the routes */
	if (differs(m.nhgroups, m.n_nhgroups, s->nhgroups, s->n_nhgroups,
		    sizeof(*m.nhgroups))) {
		*tables |= 1u << IXG_TBL_NHGROUPS;
		count_diff(&d->t[IXG_TBL_NHGROUPS], s->n_nhgroups, m.n_nhgroups,
			   0);
	}
	/* A route table the dataplane holds unknown to us goes too (whole,
	 * sorted), unchanged or not: the next commits are deltas. */
	for (int f = 0; f < 2; f++) {
		unsigned k = f == 0 ? IXG_TBL_ROUTES4 : IXG_TBL_ROUTES6;
		uint32_t n;

		if (rib_sent_base(D, k, &n) == NULL)
			*tables |= 1u << k;
	}
	d->changed_tables = *tables;
	out->nhgroups = m.nhgroups;
	out->n_nhgroups = m.n_nhgroups;
	out->routes4 = m.routes4;
	out->n_routes4 = m.n_routes4;
	out->routes6 = m.routes6;
	out->n_routes6 = m.n_routes6;
	out->blackholes = m.blackholes;
	out->n_blackholes = m.n_blackholes;
	/* NULL: the running sources stay. */
	out->sources4 = m.sources4;
	out->n_sources4 = m.n_sources4;
	out->sources6 = m.sources6;
	out->n_sources6 = m.n_sources6;
	job_take(R);
	return 0;
}

void *
rib_job_edits(struct ctld *D, int f, uint64_t *n)
{
	struct rib *R = D->rib;
	void *e;

	*n = 0;
	if (R == NULL || f < 0 || f > 1 || R->job_edits[f] == NULL)
		return NULL;
	e = R->job_edits[f];
	*n = R->job_n_edits[f];
	R->job_edits[f] = NULL;
	R->job_n_edits[f] = 0;
	return e;
}

void
rib_job_done(struct ctld *D, bool live, uint64_t generation, uint64_t build_ns,
	     uint64_t publish_ns)
{
	struct rib *R = D->rib;
	uint64_t now = mono_ns();

	if (R == NULL)
		return;
	R->job = false;
	job_edits_free(R);
	if (live) {
		for (size_t i = 0; i < R->fly.n; i++) {
			uint64_t ns = now > R->fly.v[i] ? now - R->fly.v[i] : 0;
			uint64_t ms = ns / 1000000;

			R->hist[ms < LAT_BUCKETS - 1 ? ms : LAT_BUCKETS - 1]++;
			R->lat_n++;
			R->lat_sum_ns += ns;
			if (ns > R->lat_max_ns)
				R->lat_max_ns = ns;
		}
		R->fly.n = 0;
		if (R->first_live_ns == 0 && R->synced) {
			R->first_live_ns = now;
			ctld_log(D,
				 "kernel routes: the first dump is live in "
				 "generation %" PRIu64 ", %.3f s after the "
				 "reader started",
				 generation, (now - R->started_ns) / 1e9);
		}
		if (generation != 0) {
			R->last_generation = generation;
			R->last_build_ns = build_ns;
			R->last_publish_ns = publish_ns;
		}
	} else {
		R->jobs_failed++;
		/* Its changes wait for the next job, which merges the whole
		 * table (the changed prefixes it took are gone). */
		rib_table_mark_full(R->t);
		for (size_t i = 0; i < R->fly.n; i++)
			vec_push(&R->pend, R->fly.v[i]);
		R->fly.n = 0;
		R->fam_changes[0] += R->fly_changes[0];
		R->fam_changes[1] += R->fly_changes[1];
		R->dirty = true;
		if (R->retry == NULL)
			R->retry = loop_timer_add(D->loop, RETRY_MS, 0,
						  on_retry, R);
		return;
	}
	rib_kick(D);
}

/* ---- route deltas ---- */

/* The slot of sent[] for a table: routes4, routes6, sources4, sources6;
 * -1 for the others. */
static int
sent_slot(unsigned table)
{
	switch (table) {
	case IXG_TBL_ROUTES4: return 0;
	case IXG_TBL_ROUTES6: return 1;
	case IXG_TBL_SOURCES4: return 2;
	case IXG_TBL_SOURCES6: return 3;
	default: return -1;
	}
}

const void *
rib_sent_base(const struct ctld *D, unsigned table, uint32_t *n)
{
	const struct rib *R = D->rib;
	int f = sent_slot(table);

	*n = 0;
	if (R == NULL || f < 0 || !R->sent_ok[f] ||
	    R->sent_epoch != D->st.dp_epoch ||
	    R->sent_gen != D->st.dp_generation)
		return NULL;
	*n = R->n_sent[f];
	return R->sent[f];
}

static void
sent_forget(struct rib *R, int f)
{
	free(R->sent[f]);
	R->sent[f] = NULL;
	R->n_sent[f] = 0;
	R->sent_ok[f] = false;
}

void
rib_tables_live(struct ctld *D, uint64_t base, uint64_t gen, uint32_t tables,
		void *sorted[4], const uint32_t n_sorted[4],
		const bool delta[4], const uint64_t edits[4])
{
	static const unsigned tbl[4] = {IXG_TBL_ROUTES4, IXG_TBL_ROUTES6,
					IXG_TBL_SOURCES4, IXG_TBL_SOURCES6};
	struct rib *R = D->rib;
	bool same_base = R != NULL && R->sent_epoch == D->st.dp_epoch &&
			 R->sent_gen == base;

	if (R == NULL) {
		for (int f = 0; f < 4; f++)
			free(sorted[f]);
		return;
	}
	for (int f = 0; f < 4; f++) {
		unsigned k = tbl[f];

		if (!(tables & (1u << k))) {
			/* Not sent: still what it was, if that was known. */
			if (!same_base)
				sent_forget(R, f);
			free(sorted[f]);
			continue;
		}
		sent_forget(R, f);
		if (sorted[f] == NULL)
			continue;
		R->sent[f] = sorted[f];
		R->n_sent[f] = n_sorted[f];
		R->sent_ok[f] = true;
		if (f >= 2) /* sources: `show kernel-routes` counts routes */
			continue;
		if (delta[f]) {
			R->sends_delta++;
			R->edits_sent += edits[f];
		} else {
			R->sends_whole++;
		}
	}
	R->sent_gen = gen;
	R->sent_epoch = D->st.dp_epoch;
}

void
rib_delta_refused(struct ctld *D)
{
	struct rib *R = D->rib;

	if (R == NULL)
		return;
	R->deltas_refused++;
	for (int f = 0; f < 4; f++)
		sent_forget(R, f);
}

/* ---- show ---- */

static uint64_t
percentile_ms(const struct rib *R, double q)
{
	uint64_t want = (uint64_t)(q * (double)R->lat_n + 0.999999), seen = 0;

	if (R->lat_n == 0)
		return 0;
	if (want == 0)
		want = 1;
	for (unsigned i = 0; i < LAT_BUCKETS; i++) {
		seen += R->hist[i];
		if (seen >= want)
			return i + 1; /* upper bound of the bucket */
	}
	return LAT_BUCKETS;
}

int
rib_show(const struct rib *R, const struct ixg_spec *s, struct view *v)
{
	const struct rtnl_stats *st = R != NULL && R->reader != NULL
					      ? rtnl_reader_stats(R->reader)
					      : NULL;
	struct rib_counts c;

	if (R == NULL || !R->kr.enabled) {
		view_json(v, "enabled", V_BOOL(false));
		view_text(v, "kernel routes: not followed (no kernel-routes "
			     "block in the running configuration)\n");
		return 0;
	}
	rib_table_counts(R->t, &c);
	view_json(v, "enabled", V_BOOL(true));
	view_json(v, "synced", V_BOOL(R->synced));
	view_arr(v, "tables");
	for (unsigned i = 0; i < R->kr.n_tables; i++)
		view_json(v, NULL, V_U64(R->kr.tables[i]));
	view_end(v);
	view_text(v, "kernel routes: table");
	for (unsigned i = 0; i < R->kr.n_tables; i++)
		view_text(v, "%s%u", i ? ", " : " ", R->kr.tables[i]);
	view_text(v, "%s%s, %s\n", R->kr.filter ? ", filter sources" : "",
		  R->kr.precedence_kernel ? ", precedence kernel" : "",
		  R->synced ? "synced" : "reading the first dump");
	view_obj(v, "prefixes");
	for (unsigned k = 0; k < RIB_K_MAX; k++) {
		view_json(v, rib_kind_name(k),
			  V_U64(c.kind[0][k] + c.kind[1][k]));
		view_text(v,
			  "  %-18s %10" PRIu64 " IPv4 %10" PRIu64 " IPv6  %s\n",
			  rib_kind_name(k), c.kind[0][k], c.kind[1][k],
			  rib_kind_desc(k));
	}
	view_end(v);
	view_json(v, "installed_v4", V_U64(c.merged4));
	view_json(v, "installed_v6", V_U64(c.merged6));
	view_json(v, "installed_blackholes", V_U64(c.merged_bh));
	view_json(v, "shadowed_by_config", V_U64(c.shadowed));
	view_json(v, "shut_by_max_prefix", V_U64(c.shut_routes));
	view_text(v,
		  "  in the dataplane's tables: %" PRIu64 " IPv4, %" PRIu64
		  " IPv6 routes, %" PRIu64 " blackholes; %" PRIu64
		  " beaten by config routes, %" PRIu64
		  " of members over max-prefix\n",
		  c.merged4, c.merged6, c.merged_bh, c.shadowed, c.shut_routes);
	view_json(v, "batches", V_U64(R->batches));
	view_json(v, "changes", V_U64(R->changes));
	view_json(v, "commits", V_U64(R->jobs));
	view_json(v, "commits_failed", V_U64(R->jobs_failed));
	view_json(v, "pending", V_U64(R->pend.n));
	view_json(v, "in_flight", V_U64(R->fly.n));
	view_json(v, "job", V_BOOL(R->job));
	view_json(v, "last_generation", V_U64(R->last_generation));
	view_json(v, "last_build_ms", V_DBL(R->last_build_ns / 1e6));
	view_json(v, "last_publish_ms", V_DBL(R->last_publish_ns / 1e6));
	view_json(v, "first_dump_live_s",
		  V_DBL(R->first_live_ns
				? (R->first_live_ns - R->started_ns) / 1e9
				: 0));
	view_text(v,
		  "  %" PRIu64 " batches, %" PRIu64 " changes, %" PRIu64
		  " route commits (%" PRIu64 " failed), %zu changes waiting; "
		  "last: generation %" PRIu64 ", build %.1f ms, publish "
		  "%.1f ms\n",
		  R->batches, R->changes, R->jobs, R->jobs_failed, R->pend.n,
		  R->last_generation, R->last_build_ns / 1e6,
		  R->last_publish_ns / 1e6);
	view_obj(v, "route_tables_sent");
	view_json(v, "as_delta", V_U64(R->sends_delta));
	view_json(v, "whole", V_U64(R->sends_whole));
	view_json(v, "delta_edits", V_U64(R->edits_sent));
	view_json(v, "deltas_refused", V_U64(R->deltas_refused));
	view_end(v);
	view_text(v,
		  "  route tables sent: %" PRIu64 " as deltas (%" PRIu64
		  " edits), %" PRIu64 " whole; %" PRIu64 " deltas refused\n",
		  R->sends_delta, R->edits_sent, R->sends_whole,
		  R->deltas_refused);
	view_obj(v, "route_builds");
	view_json(v, "from_changes", V_U64(R->builds_delta));
	view_json(v, "full_merge", V_U64(R->builds_full));
	view_end(v);
	view_text(v,
		  "  route commits built: %" PRIu64 " from the changed "
		  "prefixes, %" PRIu64 " by a merge of the whole table\n",
		  R->builds_delta, R->builds_full);
	view_obj(v, "latency_ms");
	view_json(v, "count", V_U64(R->lat_n));
	view_json(v, "p50", V_U64(percentile_ms(R, 0.50)));
	view_json(v, "p99", V_U64(percentile_ms(R, 0.99)));
	view_json(v, "max", V_DBL(R->lat_max_ns / 1e6));
	/* [ms, changes] of every 1 ms bucket in use (benchmarks subtract
	 * two reads). */
	view_arr(v, "histogram");
	for (unsigned i = 0; i < LAT_BUCKETS; i++) {
		if (R->hist[i] == 0)
			continue;
		view_arr(v, NULL);
		view_json(v, NULL, V_U64(i));
		view_json(v, NULL, V_U64(R->hist[i]));
		view_end(v);
	}
	view_end(v);
	view_end(v);
	view_text(v,
		  "  netlink to live: %" PRIu64 " changes, p50 <= %" PRIu64
		  " ms, p99 <= %" PRIu64 " ms, max %.1f ms\n",
		  R->lat_n, percentile_ms(R, 0.50), percentile_ms(R, 0.99),
		  R->lat_max_ns / 1e6);
	view_arr(v, "members");
	view_text(v, "  members (kernel routes):\n");
	for (uint32_t i = 0; s != NULL && i < s->n_peers; i++) {
		const struct rib_member *m = rib_table_member(R->t,
							      s->peers[i].id);

		if (m == NULL)
			continue;
		view_obj(v, NULL);
		view_json(v, "peer", V_STR(s->peers[i].name));
		view_json(v, "routes", V_U64(m->routes));
		view_json(v, "max_prefix", V_U64(m->max_prefix));
		view_json(v, "shut", V_BOOL(m->shut));
		view_json(v, "shut_events", V_U64(m->shut_events));
		view_json(v, "filtered", V_U64(m->filtered));
		view_json(v, "filtered_total", V_U64(m->filtered_total));
		view_end(v);
		view_text(v,
			  "    %-20s %8u routes%s, max-prefix %u, %u filtered "
			  "(%" PRIu64 " since start), shut out %" PRIu64
			  " times\n",
			  s->peers[i].name, m->routes,
			  m->shut ? " (SHUT OUT: over max-prefix)" : "",
			  m->max_prefix, m->filtered, m->filtered_total,
			  m->shut_events);
	}
	view_end(v);
	rib_nhg_view(v, R->t, s); /* ECMP groups */
	if (st != NULL) {
		view_obj(v, "reader");
		view_json(v, "messages", V_U64(st->messages));
		view_json(v, "malformed", V_U64(st->malformed));
		view_json(v, "overruns", V_U64(st->overruns));
		view_json(v, "resyncs", V_U64(st->resyncs));
		view_json(v, "other_protocol", V_U64(st->other_protocol));
		view_end(v);
		view_text(v,
			  "  reader: %" PRIu64 " messages, %" PRIu64
			  " malformed, %" PRIu64 " overruns, %" PRIu64
			  " resyncs\n",
			  st->messages, st->malformed, st->overruns,
			  st->resyncs);
	}
	return 0;
}

/* See rib.h. */
const char *
rib_bh_origin(const void *arg, const struct ixg_spec_blackhole *h, char *buf,
	      size_t len)
{
	const struct ctl_state *st = arg;
	const struct rtnl_route *best = NULL;

	if (h->origin != RIB_ORIGIN_KERNEL) {
		if (st->running.conf != NULL &&
		    ixg_conf_origin(st->running.conf, h->origin, buf, len) == 0)
			return buf;
		snprintf(buf, len, "origin %u", h->origin);
		return buf;
	}
	if (st->rib != NULL && st->rib->reader != NULL)
		best = rtnl_store_best(rtnl_reader_store(st->rib->reader),
				       h->family == 4 ? AF_INET : AF_INET6,
				       h->addr, h->len);
	if (best == NULL)
		return "kernel";
	snprintf(buf, len, "kernel table %u", best->table);
	return buf;
}

const char *
rib_where(const struct rib *R, int family, const uint8_t *addr, unsigned len,
	  char *buf, size_t n)
{
	const struct rtnl_route *best;
	char tb[16], pb[16], gw[INET6_ADDRSTRLEN], ifn[IF_NAMESIZE];
	uint8_t kind;
	uint16_t peer;
	bool merged;
	size_t l;

	if (R == NULL || R->reader == NULL || n == 0 ||
	    rib_table_lookup(R->t, family, addr, len, &kind, &peer, &merged) <
		    0)
		return NULL;
	best = rtnl_store_best(rtnl_reader_store(R->reader),
			       family == 4 ? AF_INET : AF_INET6, addr, len);
	if (best == NULL)
		return NULL;
	/* "kernel table 100 proto bird metric 32 via 198.51.100.11 dev
	 * ixg0": where it is, then what `ip route` would say of it. */
	snprintf(buf, n, "kernel table %u proto %s metric %u", best->table,
		 rtnl_proto_name(best->protocol, pb), best->priority);
	if (best->type != RTN_UNICAST) {
		l = strlen(buf);
		snprintf(buf + l, n - l, " %s", rtnl_type_name(best->type, tb));
	}
	for (unsigned i = 0; i < best->n_nh && i < 8; i++) {
		const struct rtnl_nexthop *nh = &best->nh[i];

		l = strlen(buf);
		if (nh->gw_family == AF_INET || nh->gw_family == AF_INET6)
			inet_ntop(nh->gw_family, nh->gw, gw, sizeof(gw));
		else
			snprintf(gw, sizeof(gw), "-");
		if (nh->ifindex == 0 ||
		    if_indextoname(nh->ifindex, ifn) == NULL)
			snprintf(ifn, sizeof(ifn), "if%u", nh->ifindex);
		snprintf(buf + l, n - l, "%s via %s dev %s", i ? "," : "", gw,
			 ifn);
		if (best->n_nh > 1) { /* ECMP: each gateway's weight */
			l = strlen(buf);
			snprintf(buf + l, n - l, " weight %u", nh->weight);
		}
	}
	if (!merged) {
		l = strlen(buf);
		snprintf(buf + l, n - l, " (not installed: %s)",
			 kind == RIB_K_ROUTE
				 ? "beaten by a config route, or the member "
				   "is over its max-prefix"
				 : rib_kind_desc(kind));
	}
	return buf;
}

const unsigned rib_lat_bounds_ms[RIB_LAT_BOUNDS] = {
	1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000};

/* The numbers of `show kernel-routes` for the metrics (rib.h). */
void
rib_get_stats(const struct rib *R, struct rib_stats *out)
{
	struct rib_counts c;
	unsigned b = 0;
	uint64_t cum = 0;

	memset(out, 0, sizeof(*out));
	if (R == NULL || !R->kr.enabled)
		return;
	out->enabled = true;
	out->synced = R->synced;
	rib_table_counts(R->t, &c);
	for (unsigned f = 0; f < 2; f++)
		for (unsigned k = 0; k < RIB_K_MAX; k++)
			out->kind[f][k] = c.kind[f][k];
	out->installed[0] = c.merged4;
	out->installed[1] = c.merged6;
	out->installed_blackholes = c.merged_bh;
	out->shadowed = c.shadowed;
	out->shut = c.shut_routes;
	out->changes = R->changes;
	out->batches = R->batches;
	out->commits = R->jobs;
	out->commits_failed = R->jobs_failed;
	out->restarts = R->restarts;
	out->sends_delta = R->sends_delta;
	out->sends_whole = R->sends_whole;
	out->deltas_refused = R->deltas_refused;
	out->lat_count = R->lat_n;
	out->lat_sum_ns = R->lat_sum_ns;
	/* hist[i] holds latencies in [i, i + 1) ms; the last, everything
	 * from LAT_BUCKETS - 1 ms on. */
	for (unsigned i = 0; i < LAT_BUCKETS && b < RIB_LAT_BOUNDS; i++) {
		while (b < RIB_LAT_BOUNDS && rib_lat_bounds_ms[b] <= i)
			out->lat_le[b++] = cum;
		cum += R->hist[i];
	}
	while (b < RIB_LAT_BOUNDS)
		out->lat_le[b++] = cum;
}

/* See rib.h. */
const struct session_watch *
rib_sessions(const struct rib *R)
{
	return R != NULL ? R->sw : NULL;
}

int
rib_lladdrs_learned(struct ctld *D, const struct rib_lladdr *v, uint32_t n)
{
	struct rib *R = D->rib;
	long changed;

	if (R == NULL)
		return 0;
	changed = rib_table_set_learned(
		R->t, v, n,
		R->reader != NULL ? rtnl_reader_store(R->reader) : NULL);
	if (changed < 0) {
		ctld_log(D, "kernel routes: out of memory taking the learned "
			    "link-local addresses (again at the next poll)");
		return (int)changed;
	}
	if (changed > 0) {
		ctld_log(D,
			 "kernel routes: %ld prefix(es) resolved anew by the "
			 "link-local addresses learned (%u)",
			 changed, n);
		R->dirty = true;
		rib_kick(D);
	}
	return 0;
}

uint32_t
rib_ll_wanted(const struct ctld *D, uint8_t (*out)[16], uint32_t max)
{
	const struct rib *R = D->rib;

	return R != NULL ? rib_table_ll_wanted(R->t, out, max) : 0;
}

static int
show_resolve(const void *arg, const uint8_t *addr)
{
	return rib_table_gateway(((const struct rib *)arg)->t, addr);
}

static const char *
show_name(const void *arg, uint16_t peer)
{
	const struct rib *R = arg;
	const struct ctl_config *run = &R->D->st.running;

	if (!run->valid)
		return NULL;
	for (uint32_t i = 0; i < run->spec.n_peers; i++)
		if (run->spec.peers[i].id == peer)
			return run->spec.peers[i].name;
	return NULL;
}

bool
rib_member_unreachable(const struct rib *R, uint16_t peer, unsigned f)
{
	return R != NULL && lladdr_watch_unreachable(R->lw, peer, f);
}

void
rib_lladdrs_show(const struct rib *R, struct view *v)
{
	if (R != NULL)
		lladdr_watch_show(R->lw, v, show_resolve, show_name, R);
}
