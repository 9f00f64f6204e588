/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * api_server.c - the dataplane's API server (see api_server.h).
 *
 * A transaction works on a shadow spec: a shallow copy of the running
 * spec's table pointers in which TXN_TABLE replaces whole arrays. The
 * shadow owns only the arrays it decoded (api_conn.owned); at commit the
 * new running spec takes them, and the old running spec's arrays that are
 * no longer shared are freed. A failed commit or an abort frees only the
 * shadow's own arrays. Nothing the client sends reaches a worker before
 * the whole configuration was validated and built.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "api_server.h"
#include "ixg_heap.h"
#include "ixg_wire.h"
#include "lpm.h"
#include "mono.h"
#include "neigh.h"
#include "tables.h"

/* ---- replies ------------------------------------------------------- */

static void reply_status(struct api_reply *out, uint32_t seq,
			 enum ixg_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * After a commit whose route and source tables outgrew what was warmed
 * (the install of a table), map the heap the next prefix-list commits
 * would fault in (ixg_heap.h): a patch holds new route and source arrays
 * and their FIB contents (control-thread malloc) beside the running ones
 * until the old snapshot is freed, which grew the heap by 39 MiB over the
 * first two one-member commits on the real table (its four tables: 21.6
 * MB). Twice the tables' bytes. Cost: 43 MB warmed after the install of
 * the real table; the dataplane's build of its second and third
 * one-member commits 3-4 ms (232 and 101 without), bench/README-reload.md,
 * "Issue 12, the first reloads after start-up". Main thread.
 */
static void
heap_warm(const struct ixg_spec *s)
{
	static size_t warmed;
	size_t want = 2 * (((size_t)s->n_routes4 + s->n_sources4) *
				   sizeof(*s->routes4) +
			   ((size_t)s->n_routes6 + s->n_sources6) *
				   sizeof(*s->routes6));

	if (want < warmed + (4u << 20))
		return;
	ixg_heap_warm(want - warmed);
	warmed = want;
}

/*
 * On 4 KiB pages (--no-huge), after a commit whose FIBs will get spares
 * they have not had (the install of a table): map the rte_malloc heap the
 * spares will be copied into (lpm_heap_warm) before the reply, rather
 * than let the main loop's copies (one FIB per 100 ms tick, main.c)
 * fault it in page by page after it, and into the first reloads when
 * they come soon. The pages cost the same either way (shmem pages
 * allocated and zeroed): what changes is that the install's reply waits
 * for them, not a reload. Grown when the FIBs outgrow what was mapped;
 * hugepages are mapped at start-up already (no-op). Main thread. Cost:
 * real table, 291 MiB (74.6k faults) in 3.0-3.3 s at load ~10 after its
 * install; reload #1's dataplane then faults 130 pages (11,572 before),
 * the spare copies none, bench/README-reload.md "Issue 12, reloads on 4
 * KiB pages and the build's twins".
 */
static void
spare_heap_warm(const struct runtime *rt)
{
	static size_t warmed;
	size_t need, got;
	uint64_t t0;
	long faults;

	if (rt->tables == NULL)
		return;
	need = fibrec_spare_need(rt->tables->fibs, FIB_SLOTS);
	if (need <= warmed)
		return;
	t0 = ixg_mono_ns();
	faults = ixg_thread_minflt();
	got = lpm_heap_warm(need - warmed);
	warmed = need;
	if (got > 0)
		fprintf(stderr,
			"ixgate-dataplane: %zu MiB of heap mapped for the "
			"spare FIBs in %.1f ms (%ld page faults)\n",
			got >> 20, (double)(ixg_mono_ns() - t0) / 1e6,
			ixg_thread_minflt() - faults);
}

static void
reply_status(struct api_reply *out, uint32_t seq, enum ixg_status st,
	     const char *fmt, ...)
{
	struct ixg_msg_reply r;
	va_list ap;

	memset(&r, 0, sizeof(r));
	ixg_msg_init(&r.hdr, IXG_MSG_REPLY, sizeof(r), seq);
	r.status = st;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(r.message, sizeof(r.message), fmt, ap);
		va_end(ap);
	}
	memcpy(out->buf, &r, sizeof(r));
	out->len = sizeof(r);
}

/* ---- transaction ----------------------------------------------------- */

/* The slot of a table a delta may carry: [0] routes4, [1] routes6, [2]
 * sources4, [3] sources6; -1 for any other. */
static int
delta_slot(unsigned table)
{
	switch (table) {
	case IXG_TBL_ROUTES4: return 0;
	case IXG_TBL_ROUTES6: return 1;
	case IXG_TBL_SOURCES4: return 2;
	case IXG_TBL_SOURCES6: return 3;
	default: return -1;
	}
}

static const unsigned slot_table[4] = {IXG_TBL_ROUTES4, IXG_TBL_ROUTES6,
				       IXG_TBL_SOURCES4, IXG_TBL_SOURCES6};

/*
 * Tables known sorted (by delta_slot): the result of a delta that became
 * the running table in generation `gen` (sorted by construction), so the
 * next delta on it skips the pass that checks it.
 */
static struct {
	const void *arr;
	uint64_t n;
	uint64_t gen;
} sorted_known[4];

/* Drop the transaction's delta edits and their notes. */
static void
delta_forget(struct api_conn *c)
{
	for (unsigned f = 0; f < 2; f++) {
		if (c->delta_edits[f] != NULL)
			tables_route_edits_note(f == 0 ? IXG_TBL_ROUTES4
						       : IXG_TBL_ROUTES6,
						NULL);
		free(c->delta_edits[f]);
		c->delta_edits[f] = NULL;
	}
	c->delta_made = 0;
}

/* After a commit: the delta results it made running are sorted. */
static void
delta_committed(const struct api_conn *c, uint64_t gen)
{
	for (unsigned f = 0; f < 4; f++) {
		unsigned t = slot_table[f];

		if (!(c->delta_made & (1u << f)))
			continue;
		sorted_known[f].arr = ixg_spec_table_data(&c->shadow, t);
		sorted_known[f].n = ixg_spec_table_count(&c->shadow, t);
		sorted_known[f].gen = gen;
	}
}

void
api_conn_init(struct api_conn *c, struct runtime *rt)
{
	memset(c, 0, sizeof(*c));
	c->rt = rt;
	c->was_headless = rt->had_client;
	c->ids_fd = -1;
	c->peer_fd = -1;
}

void
api_conn_reset(struct api_conn *c)
{
	if (c->txn_open) {
		for (unsigned t = 1; t < IXG_TBL_MAX; t++)
			if (c->owned & (1u << t))
				ixg_spec_table_free(&c->shadow, t);
	}
	c->txn_open = false;
	c->owned = 0;
	c->txn_status = IXG_ST_OK;
	memset(&c->shadow, 0, sizeof(c->shadow));
	delta_forget(c);
	if (c->ids_fd >= 0)
		close(c->ids_fd);
	c->ids_fd = -1;
}

static const struct ixg_spec_port *
port_by_id(const struct ixg_spec_port *ports, uint32_t n, uint16_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (ports[i].id == id)
			return &ports[i];
	return NULL;
}

/* Why a commit is refused: the failing object and a message. */
struct verdict {
	enum ixg_status status;
	uint16_t table;
	uint32_t index;
	uint32_t origin;
	char msg[256];
};

/* Every table's checks (tables_validate), against the running spec. */
static int
validate(const struct runtime *rt, const struct ixg_spec *s, struct verdict *v)
{
	const struct tables_validate_env env = {
		.running = rt->spec,
		.conf_ports = rt->conf_ports,
		.n_conf_ports = rt->n_conf_ports,
		.n_workers = rt->n_workers,
	};
	struct tables_refusal r;

	if (tables_validate(s, &env, &r) == 0)
		return 0;
	v->status = (enum ixg_status)r.status;
	v->table = r.table;
	v->index = r.index;
	v->origin = r.origin;
	snprintf(v->msg, sizeof(v->msg), "%s", r.msg);
	return -1;
}

static enum ixg_status
build_status(int rc)
{
	switch (rc) {
	case -EINVAL: return IXG_ST_INVALID;
	case -ENOSPC:
	case -E2BIG: return IXG_ST_CAPACITY;
	case -ENOMEM: return IXG_ST_NO_MEMORY;
	default: return IXG_ST_INTERNAL;
	}
}

/*
 * Whether the client of c is still connected: it may have given up on a
 * commit (its timeout, a kill) while the dataplane was busy or stopped,
 * and the socket still holds its queued messages. Its peer closing sets
 * POLLHUP / POLLRDHUP at once, data left unread or not. A connection
 * without a socket (tests, the fuzz target) is always present.
 */
static bool
client_present(void *arg)
{
	const struct api_conn *c = arg;
	struct pollfd p = {.fd = c->peer_fd, .events = POLLIN | POLLRDHUP};

	if (c->peer_fd < 0)
		return true;
	if (poll(&p, 1, 0) < 0)
		return true;
	return (p.revents & (POLLHUP | POLLRDHUP | POLLERR | POLLNVAL)) == 0;
}

/* Validate, build, publish the shadow; on success it becomes the running
 * spec. The transaction is closed either way. A client gone by the time
 * the tables are built gets nothing published (client_present). */
static void
commit(struct api_conn *c, uint32_t seq, struct api_reply *out)
{
	struct runtime *rt = c->rt;
	struct ixg_msg_commit_reply r;
	struct verdict v;
	struct ixg_spec *ns;
	char err[sizeof(v.msg)];
	long faults;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(&v, 0, sizeof(v));
	ixg_msg_init(&r.hdr, IXG_MSG_COMMIT_REPLY, sizeof(r), seq);
	if (!c->txn_open) {
		v.status = IXG_ST_NO_TXN;
		snprintf(v.msg, sizeof(v.msg), "commit without txn_begin");
		goto reply;
	}
	if (c->txn_status != IXG_ST_OK) {
		v.status = c->txn_status;
		v.table = c->txn_err_table;
		v.index = c->txn_err_index;
		snprintf(v.msg, sizeof(v.msg), "%s", c->txn_err);
		goto discard;
	}
	if (validate(rt, &c->shadow, &v) < 0)
		goto discard;
	/* The running devargs win (the command line's --device). */
	if (c->shadow.ports != rt->spec->ports)
		for (uint32_t i = 0; i < c->shadow.n_ports; i++) {
			struct ixg_spec_port *p = &c->shadow.ports[i];

			memcpy(p->devargs,
			       port_by_id(rt->spec->ports, rt->spec->n_ports,
					  p->id)
				       ->devargs,
			       sizeof(p->devargs));
		}
	ns = malloc(sizeof(*ns));
	if (ns == NULL) {
		v.status = IXG_ST_NO_MEMORY;
		snprintf(v.msg, sizeof(v.msg), "commit: out of memory");
		goto discard;
	}
	faults = ixg_thread_minflt();
	rc = runtime_publish_if(rt, &c->shadow, err, sizeof(err), &r.build_ns,
				&r.publish_ns, client_present, c);
	faults = ixg_thread_minflt() - faults;
	if (rc == -ECANCELED) {
		free(ns);
		v.status = IXG_ST_INTERNAL;
		snprintf(v.msg, sizeof(v.msg),
			 "client pid %d gone before publish: "
			 "transaction discarded",
			 (int)c->peer_pid);
		goto discard;
	}
	if (rc < 0) {
		free(ns);
		v.status = build_status(rc);
		snprintf(v.msg, sizeof(v.msg), "%s",
			 err[0] != '\0' ? err : strerror(-rc));
		goto discard;
	}
	*ns = c->shadow;
	delta_committed(c, rt->generation);
	runtime_spec_replace(rt, ns);
	memcpy(rt->config_sha256, c->txn_sha256, sizeof(rt->config_sha256));
	rt->last_commit_unix = (uint64_t)time(NULL);
	fprintf(stderr,
		"commit: generation %" PRIu64 " live (build %.3f ms, "
		"publish %.3f ms, %ld page faults)\n",
		rt->generation, r.build_ns / 1e6, r.publish_ns / 1e6, faults);
	heap_warm(ns);
	spare_heap_warm(rt);
	/* The shadow's arrays now belong to the running spec. */
	c->owned = 0;
	c->txn_open = false;
	api_conn_reset(c);
	goto reply;
discard:
	fprintf(stderr,
		"commit refused (%s): %s; running generation %" PRIu64
		" unchanged\n",
		ixg_status_name(v.status), v.msg, rt->generation);
	api_conn_reset(c);
reply:
	r.status = v.status;
	r.generation = runtime_generation(rt);
	r.err_table = v.table;
	r.err_index = v.index;
	r.err_origin = v.origin;
	snprintf(r.message, sizeof(r.message), "%s", v.msg);
	memcpy(out->buf, &r, sizeof(r));
	out->len = sizeof(r);
}

static void
hello(struct api_conn *c, const struct ixg_msg_hello *m, struct api_reply *out)
{
	struct runtime *rt = c->rt;
	struct ixg_msg_hello_reply r;

	memset(&r, 0, sizeof(r));
	ixg_msg_init(&r.hdr, IXG_MSG_HELLO_REPLY, sizeof(r), m->hdr.seq);
	r.status = IXG_ST_OK;
	r.n_workers = rt->n_workers;
	r.generation = runtime_generation(rt);
	memcpy(r.config_sha256, rt->config_sha256, sizeof(r.config_sha256));
	r.was_headless = c->was_headless;
	r.idle_timeout_s = c->idle_timeout_s;
	r.counters_size = rt->counters_size;
	r.counters_blocks = rt->n_blocks;
	r.counters_block_size = sizeof(struct ixg_lcore_counters);
	r.start_unix = rt->start_unix;
	r.cap = (struct ixg_capacities){
		.ports = IXG_MAX_PORTS,
		.peers = IXG_MAX_PEERS,
		.peer_macs = IXG_MAX_PEER_MACS,
		.classes = IXG_MAX_CLASSES,
		.acl_rules = IXG_MAX_ACL_RULES,
		.routes4 = IXG_MAX_ROUTES4,
		.routes6 = IXG_MAX_ROUTES6,
		.countries = IXG_MAX_COUNTRIES,
		.local_addrs = IXG_MAX_LOCAL_ADDRS,
	};
	memcpy(out->buf, &r, sizeof(r));
	out->len = sizeof(r);
	/* The read-only view (runtime.h): a client cannot write counters. */
	out->fd = rt->counters_ro_fd;
	c->hello_seen = true;
}

static void
txn_begin(struct api_conn *c, const struct ixg_msg_txn_begin *m,
	  struct api_reply *out)
{
	struct runtime *rt = c->rt;

	if (c->txn_open) {
		reply_status(out, m->hdr.seq, IXG_ST_TXN_OPEN,
			     "a transaction is already open");
		return;
	}
	if (m->base_generation != 0 &&
	    m->base_generation != runtime_generation(rt)) {
		reply_status(out, m->hdr.seq, IXG_ST_STALE,
			     "base generation %" PRIu64 ", running %" PRIu64,
			     m->base_generation, runtime_generation(rt));
		return;
	}
	c->txn_open = true;
	c->shadow = *rt->spec;
	c->owned = 0;
	c->txn_status = IXG_ST_OK;
	memcpy(c->txn_sha256, m->config_sha256, sizeof(c->txn_sha256));
	reply_status(out, m->hdr.seq, IXG_ST_OK,
		     "transaction open on "
		     "generation %" PRIu64,
		     runtime_generation(rt));
}

static void
txn_table(struct api_conn *c, const struct ixg_msg_txn_table *m, int fd,
	  struct api_reply *out)
{
	char err[IXG_WIRE_ERR_LEN];
	enum ixg_status st;
	uint32_t idx;

	if (!c->txn_open) {
		reply_status(out, m->hdr.seq, IXG_ST_NO_TXN,
			     "txn_table without txn_begin");
		return;
	}
	if (delta_slot(m->table) >= 0)
		c->delta_made &= (uint8_t) ~(1u << delta_slot(m->table));
	if ((m->table == IXG_TBL_ROUTES4 || m->table == IXG_TBL_ROUTES6) &&
	    c->delta_edits[m->table == IXG_TBL_ROUTES6] != NULL) {
		/* the table whole after a delta of it: built whole */
		unsigned f = m->table == IXG_TBL_ROUTES6;

		tables_route_edits_note(m->table, NULL);
		free(c->delta_edits[f]);
		c->delta_edits[f] = NULL;
	}
	st = ixg_table_from_fd(fd, m, &c->shadow, &c->owned, &idx, err);
	if (st != IXG_ST_OK && c->txn_status == IXG_ST_OK) {
		c->txn_status = st;
		c->txn_err_table = m->table < IXG_TBL_MAX ? m->table : 0;
		c->txn_err_index = idx;
		snprintf(c->txn_err, sizeof(c->txn_err), "%s", err);
	}
	if (st == IXG_ST_OK)
		reply_status(out, m->hdr.seq, st, "%s: %" PRIu64 " elements",
			     ixg_table_name(m->table), m->count);
	else
		reply_status(out, m->hdr.seq, st, "%s", err);
}

/*
 * TXN_DELTA: a route or source table changed by edits against the running
 * generation (ixg_api.h). A refusal (stale base, bad edit) fails the
 * transaction like a bad TXN_TABLE; STALE tells the client to send the
 * table whole. A source table's result is checked and built as if sent
 * whole: the sav part patches its sets from the running ones when one
 * stretch of the sorted table changed (sav_table.c).
 */
static void
txn_delta(struct api_conn *c, const struct ixg_msg_txn_delta *m, int fd,
	  struct api_reply *out)
{
	char err[IXG_WIRE_ERR_LEN];
	unsigned f = m->table == IXG_TBL_ROUTES6;
	int slot = delta_slot(m->table);
	bool route = m->table == IXG_TBL_ROUTES4 || f == 1, sorted = false;
	struct tables_route_edits note = {0};
	void *edits = NULL;
	enum ixg_status st;
	uint32_t idx;

	if (!c->txn_open) {
		reply_status(out, m->hdr.seq, IXG_ST_NO_TXN,
			     "txn_delta without txn_begin");
		return;
	}
	if (slot >= 0) {
		note.base = ixg_spec_table_data(&c->shadow, m->table);
		note.n_base = (uint32_t)ixg_spec_table_count(&c->shadow,
							     m->table);
		sorted = note.base != NULL &&
			 note.base == sorted_known[slot].arr &&
			 note.n_base == sorted_known[slot].n &&
			 sorted_known[slot].gen == runtime_generation(c->rt);
	}
	st = ixg_delta_from_fd_edits(fd, m, runtime_generation(c->rt), sorted,
				     &c->shadow, &c->owned,
				     route ? &edits : NULL, &idx, err);
	/* a delta of no edit kept the table, checked sorted or not */
	if (st == IXG_ST_OK && slot >= 0 && m->count > 0)
		c->delta_made |= (uint8_t)(1u << slot);
	if (st == IXG_ST_OK && edits != NULL) {
		/* the commit checks and builds this table from its edits
		 * (tables.h); a second delta of the table in one transaction
		 * matches no base and is checked and built whole */
		free(c->delta_edits[f]);
		c->delta_edits[f] = edits;
		note.res = ixg_spec_table_data(&c->shadow, m->table);
		note.n_res = (uint32_t)ixg_spec_table_count(&c->shadow,
							    m->table);
		note.edits = edits;
		note.n_edits = m->count;
		tables_route_edits_note(m->table, &note);
	}
	if (st != IXG_ST_OK && c->txn_status == IXG_ST_OK) {
		c->txn_status = st;
		c->txn_err_table = m->table < IXG_TBL_MAX ? m->table : 0;
		c->txn_err_index = idx;
		snprintf(c->txn_err, sizeof(c->txn_err), "%s", err);
	}
	if (st == IXG_ST_OK)
		reply_status(out, m->hdr.seq, st,
			     "%s: %" PRIu64 " edits, %" PRIu64 " elements",
			     ixg_table_name(m->table), m->count,
			     ixg_spec_table_count(&c->shadow, m->table));
	else
		reply_status(out, m->hdr.seq, st, "%s", err);
}

static void
get_state(struct api_conn *c, uint32_t seq, struct api_reply *out)
{
	struct runtime *rt = c->rt;
	struct ixg_msg_state r;

	memset(&r, 0, sizeof(r));
	ixg_msg_init(&r.hdr, IXG_MSG_STATE, sizeof(r), seq);
	r.generation = runtime_generation(rt);
	memcpy(r.config_sha256, rt->config_sha256, sizeof(r.config_sha256));
	r.start_unix = rt->start_unix;
	r.last_commit_unix = rt->last_commit_unix;
	r.n_workers = rt->n_workers;
	r.headless = runtime_headless(rt);
	memcpy(out->buf, &r, sizeof(r));
	out->len = sizeof(r);
}

/* GET_IDS: the running spec's id map in a memfd, so a restarted control
 * plane compiles with the ids this dataplane's counters are indexed by. */
static void
get_ids(struct api_conn *c, uint32_t seq, struct api_reply *out)
{
	struct runtime *rt = c->rt;
	struct ixg_msg_ids r;
	uint64_t count = 0;
	int rc;

	memset(&r, 0, sizeof(r));
	ixg_msg_init(&r.hdr, IXG_MSG_IDS, sizeof(r), seq);
	r.elem_size = sizeof(struct ixg_id_entry);
	r.generation = runtime_generation(rt);
	memcpy(r.config_sha256, rt->config_sha256, sizeof(r.config_sha256));
	if (c->ids_fd >= 0)
		close(c->ids_fd);
	c->ids_fd = -1;
	rc = rt->spec == NULL ? 0
			      : ixg_ids_to_memfd(rt->spec, &c->ids_fd, &count);
	r.status = rc == 0	   ? IXG_ST_OK
		   : rc == -ENOMEM ? IXG_ST_NO_MEMORY
				   : IXG_ST_INTERNAL;
	r.count = rc == 0 ? count : 0;
	memcpy(out->buf, &r, sizeof(r));
	out->len = sizeof(r);
	out->fd = c->ids_fd;
}

/* GET_SAMPLES: this client consumes the sample rings from now on (until
 * its connection closes: client_close); the cursors memfd goes with the
 * reply (owned by the runtime, not closed after sending). */
static void
get_samples(struct api_conn *c, uint32_t seq, struct api_reply *out)
{
	struct runtime *rt = c->rt;
	struct ixg_msg_samples r;
	int fd = -1;
	int64_t epoch = samples_attach(rt, &fd);

	memset(&r, 0, sizeof(r));
	ixg_msg_init(&r.hdr, IXG_MSG_SAMPLES, sizeof(r), seq);
	if (epoch < 0) {
		r.status = IXG_ST_INTERNAL;
	} else {
		r.status = IXG_ST_OK;
		r.n_rings = rt->samples.n_rings;
		r.consumer = (uint64_t)epoch;
		r.cursors_size = rt->sample_cursors_size;
		out->fd = fd;
	}
	memcpy(out->buf, &r, sizeof(r));
	out->len = sizeof(r);
}

/*
 * PEER_DOWN: the members' session state applied to the running snapshot
 * at once (tables_peer_down: hop entries and ECMP slots), with no
 * transaction and no rebuild; an open transaction is not touched, and
 * builds from the running snapshot carry the state on.
 */
static void
peer_down(struct api_conn *c, const struct ixg_msg_peer_down *m,
	  struct api_reply *out)
{
	struct runtime *rt = c->rt;
	struct tables_down_change ch;
	char err[IXG_WIRE_ERR_LEN];
	enum ixg_status st = ixg_peer_down_check(m, err);

	if (st != IXG_ST_OK) {
		reply_status(out, m->hdr.seq, st, "%s", err);
		return;
	}
	if (rt->tables == NULL || rt->spec == NULL) {
		reply_status(out, m->hdr.seq, IXG_ST_STALE,
			     "peer_down: no configuration running yet");
		return;
	}
	tables_peer_down(rt->tables, rt->spec, m->down, &ch);
	reply_status(out, m->hdr.seq, IXG_ST_OK,
		     "peer_down: IPv4 %u down %u up, IPv6 %u down %u up; "
		     "%u ECMP groups repainted (%u slots)",
		     ch.went_down[0], ch.came_up[0], ch.went_down[1],
		     ch.came_up[1], ch.groups, ch.slots);
}

/*
 * GET_LLADDRS: the link-local gateways the control plane needs go to the
 * neighbour table (neigh_ll_want: solicited, kept fresh), and a page of
 * the pairs it learned comes back with the members' unreachable bits
 * (neigh.h). The message is too large for the stack's taste: built in
 * out->buf directly.
 */
static void
get_lladdrs(struct api_conn *c, const struct ixg_msg_get_lladdrs *m,
	    struct api_reply *out)
{
	struct runtime *rt = c->rt;
	struct ixg_msg_lladdrs *r = (struct ixg_msg_lladdrs *)(void *)out->buf;
	struct neigh_ll_view v[IXG_LLADDRS_PER_MSG];
	uint64_t now = ixg_mono_ns(), gen;
	unsigned n, total;

	_Static_assert(sizeof(out->buf) >= sizeof(*r), "reply buffer");
	if (m->n_want > IXG_LLADDR_WANT_MAX) {
		reply_status(out, m->hdr.seq, IXG_ST_BAD_MESSAGE,
			     "get_lladdrs: n_want %u over %u", m->n_want,
			     IXG_LLADDR_WANT_MAX);
		return;
	}
	neigh_ll_want(rt->neigh, (const uint8_t(*)[16])m->want, m->n_want, now);
	n = neigh_ll_get(rt->neigh, m->start, v, IXG_LLADDRS_PER_MSG, &gen,
			 &total, r->unreachable);
	memset(r, 0, offsetof(struct ixg_msg_lladdrs, unreachable));
	ixg_msg_init(&r->hdr, IXG_MSG_LLADDRS, sizeof(*r), m->hdr.seq);
	r->status = IXG_ST_OK;
	r->total = total;
	r->generation = gen;
	r->start = m->start;
	r->count = n;
	r->refused = neigh_ll_refused(rt->neigh);
	memset(r->e, 0, sizeof(r->e));
	for (unsigned i = 0; i < n; i++) {
		struct ixg_lladdr *e = &r->e[i];
		uint64_t ago = (now - v[i].heard_ns) / 1000000u;

		e->peer = v[i].peer;
		e->port = v[i].port;
		e->vlan = v[i].vlan;
		e->outer_vlan = v[i].outer_vlan;
		memcpy(e->addr, v[i].addr, 16);
		memcpy(e->mac, v[i].mac, 6);
		e->wanted = v[i].wanted;
		e->probing = v[i].probing;
		e->heard_ms_ago = ago > UINT32_MAX ? UINT32_MAX : (uint32_t)ago;
	}
	out->len = sizeof(*r);
}

void
api_handle(struct api_conn *c, const void *msg, size_t len, int fd,
	   struct api_reply *out)
{
	union {
		struct ixg_msg_hdr hdr;
		struct ixg_msg_hello hello;
		struct ixg_msg_txn_begin begin;
		struct ixg_msg_txn_table table;
		struct ixg_msg_txn_delta delta;
		struct ixg_msg_peer_down down;
		struct ixg_msg_get_lladdrs lladdrs;
		uint8_t raw[IXG_MSG_MAX];
	} m;
	char err[IXG_WIRE_ERR_LEN];
	enum ixg_status st;
	uint16_t type;
	uint32_t seq = 0;

	out->len = 0;
	out->fd = -1;
	out->close = false;
	st = ixg_msg_check(msg, len, &type, err, sizeof(err));
	if (len >= sizeof(m.hdr)) {
		memcpy(&m.hdr, msg, sizeof(m.hdr));
		seq = m.hdr.seq;
	}
	if (st != IXG_ST_OK) {
		if (fd >= 0)
			close(fd);
		reply_status(out, seq, st, "%s", err);
		/* Framing we cannot trust or a version we do not speak:
		 * nothing further from this peer can be understood. */
		out->close = st != IXG_ST_UNKNOWN_TYPE;
		return;
	}
	/* Aligned copy: len is exactly the type's struct size. */
	memcpy(m.raw, msg, len);
	if (fd >= 0 && type != IXG_MSG_TXN_TABLE && type != IXG_MSG_TXN_DELTA) {
		close(fd);
		fd = -1;
	}
	switch (type) {
	case IXG_MSG_HELLO: hello(c, &m.hello, out); break;
	case IXG_MSG_TXN_BEGIN: txn_begin(c, &m.begin, out); break;
	case IXG_MSG_TXN_TABLE: txn_table(c, &m.table, fd, out); break;
	case IXG_MSG_TXN_DELTA: txn_delta(c, &m.delta, fd, out); break;
	case IXG_MSG_TXN_COMMIT: commit(c, seq, out); break;
	case IXG_MSG_TXN_ABORT:
		if (!c->txn_open) {
			reply_status(out, seq, IXG_ST_NO_TXN,
				     "abort without txn_begin");
			break;
		}
		api_conn_reset(c);
		reply_status(out, seq, IXG_ST_OK, "transaction discarded");
		break;
	case IXG_MSG_GET_STATE: get_state(c, seq, out); break;
	case IXG_MSG_GET_IDS: get_ids(c, seq, out); break;
	case IXG_MSG_GET_SAMPLES: get_samples(c, seq, out); break;
	case IXG_MSG_PEER_DOWN: peer_down(c, &m.down, out); break;
	case IXG_MSG_GET_LLADDRS: get_lladdrs(c, &m.lladdrs, out); break;
	default:
		reply_status(out, seq, IXG_ST_UNKNOWN_TYPE,
			     "%s is not a request", ixg_msg_type_name(type));
		break;
	}
	if (fd >= 0)
		close(fd);
}

/* ---- transport --------------------------------------------------------- */

/* Clients refused as busy linger a moment: closing a socket with their
 * request unread would reset the connection and lose the BUSY reply. */
#define MAX_REFUSED 4
#define REFUSED_LINGER_S 1
#define S_NS 1000000000ull

struct refused {
	int fd; /* -1: free slot */
	int64_t until; /* CLOCK_MONOTONIC seconds */
};

struct api_server {
	struct runtime *rt;
	struct api_server_opts opts;
	int listen_fd;
	struct refused refused[MAX_REFUSED];
	int client_fd;
	pid_t client_pid;
	uid_t client_uid;
	uint64_t client_last_ns; /* its last message (or its connect) */
	struct api_conn conn;
	struct api_reply reply;
	uint8_t rx[IXG_MSG_MAX];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static int64_t
mono_s(void)
{
	return (int64_t)(ixg_mono_ns() / S_NS);
}

/*
 * mkdir -p of the socket's directory. What this creates is 0700, or 0750
 * and owned by the API group when there is one (its members must reach
 * the socket); an existing directory is left as it is, with a warning if
 * the group could not get through it.
 */
static int
make_parent_dir(const struct api_server_opts *o)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	mode_t mode = o->group_set ? 0750 : 0700;
	struct stat st;
	char *p;

	snprintf(dir, sizeof(dir), "%s", o->path);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1;; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(dir, mode) == 0) {
			if (o->group_set &&
			    (chown(dir, (uid_t)-1, o->gid) < 0 ||
			     chmod(dir, mode) < 0))
				return -errno;
		} else if (errno != EEXIST) {
			return -errno;
		} else if (last && o->group_set && stat(dir, &st) == 0 &&
			   !(st.st_gid == o->gid ? st.st_mode & S_IXGRP
						 : st.st_mode & S_IXOTH)) {
			fprintf(stderr,
				"--api-group %s: directory %s (mode %04o, "
				"group %d) keeps the group's members out of "
				"the socket\n",
				o->group_name, dir,
				(unsigned)(st.st_mode & 07777), (int)st.st_gid);
		}
		if (last)
			break;
		*p = '/';
	}
	return 0;
}

/* Whether something accepts connections on sa. */
static bool
socket_alive(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return false;
	alive = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return alive;
}

struct api_server *
api_server_create(struct runtime *rt, const struct api_server_opts *o)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *path = o->path;
	mode_t mode = o->group_set ? 0660 : 0600;
	struct api_server *s;
	struct stat st;
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "--api-socket %s: path longer than %zu bytes\n",
			path, sizeof(sa.sun_path) - 1);
		errno = ENAMETOOLONG;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->rt = rt;
	s->opts = *o;
	s->client_fd = -1;
	for (unsigned i = 0; i < MAX_REFUSED; i++)
		s->refused[i].fd = -1;
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->opts.path = s->path;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	rc = make_parent_dir(&s->opts);
	if (rc < 0) {
		fprintf(stderr, "--api-socket %s: creating its directory: %s\n",
			path, strerror(-rc));
		free(s);
		errno = -rc;
		return NULL;
	}
	/* A socket left by a dead dataplane; never remove anything else,
	 * nor the socket of a dataplane still listening on it. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			fprintf(stderr,
				"--api-socket %s: exists and is not a "
				"socket\n",
				path);
			free(s);
			errno = EEXIST;
			return NULL;
		}
		if (socket_alive(&sa)) {
			fprintf(stderr,
				"--api-socket %s: another dataplane "
				"is listening on it\n",
				path);
			free(s);
			errno = EADDRINUSE;
			return NULL;
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	/* Owner-only from the first moment: no window at the umask's mode;
	 * the group gets in once the file is its own. */
	if (fchmod(fd, 0600) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (o->group_set && chown(path, (uid_t)-1, o->gid) < 0) ||
	    chmod(path, mode) < 0 || listen(fd, 4) < 0)
		goto fail_fd;
	s->listen_fd = fd;
	api_conn_init(&s->conn, rt);
	__atomic_store_n(&rt->headless, true, __ATOMIC_RELAXED);
	return s;
fail_fd:
	rc = errno;
	close(fd);
	errno = rc;
fail:
	rc = errno;
	fprintf(stderr, "--api-socket %s: %s\n", path, strerror(rc));
	free(s);
	errno = rc;
	return NULL;
}

static void
client_close(struct api_server *s)
{
	struct runtime *rt = s->rt;

	if (s->client_fd < 0)
		return;
	close(s->client_fd);
	s->client_fd = -1;
	api_conn_reset(&s->conn);
	samples_detach(rt);
	__atomic_store_n(&rt->headless, true, __ATOMIC_RELAXED);
	fprintf(stderr,
		"control plane disconnected: headless, forwarding "
		"with generation %" PRIu64 "\n",
		runtime_generation(rt));
}

void
api_server_destroy(struct api_server *s)
{
	if (s == NULL)
		return;
	client_close(s);
	for (unsigned i = 0; i < MAX_REFUSED; i++)
		if (s->refused[i].fd >= 0)
			close(s->refused[i].fd);
	close(s->listen_fd);
	unlink(s->path);
	free(s);
}

unsigned
api_server_pollfds(const struct api_server *s, struct pollfd *pfd)
{
	unsigned n = 0;

	pfd[n++] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
	if (s->client_fd >= 0)
		pfd[n++] = (struct pollfd){.fd = s->client_fd,
					   .events = POLLIN};
	return n;
}

/* Discard what a refused client sent; true once it hung up. */
static bool
drain_refused(int fd)
{
	uint8_t junk[IXG_MSG_MAX];

	for (;;) {
		ssize_t n = ixg_recv(fd, junk, sizeof(junk), NULL);

		if (n == 0)
			return true;
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			return false;
		if (n < 0 && n != -EMSGSIZE && n != -EBADMSG)
			return true;
	}
}

static void
refuse_busy(struct api_server *s, int fd)
{
	struct api_reply r;

	reply_status(&r, 0, IXG_ST_BUSY,
		     "another control plane holds the "
		     "API");
	ixg_send(fd, r.buf, r.len, -1);
	shutdown(fd, SHUT_WR);
	for (unsigned i = 0; i < MAX_REFUSED; i++) {
		if (s->refused[i].fd < 0) {
			s->refused[i].fd = fd;
			s->refused[i].until = mono_s() + REFUSED_LINGER_S + 1;
			return;
		}
	}
	drain_refused(fd);
	close(fd);
}

/* Close the refused clients that hung up or overstayed. */
static void
reap_refused(struct api_server *s)
{
	int64_t now = mono_s();

	for (unsigned i = 0; i < MAX_REFUSED; i++) {
		struct refused *r = &s->refused[i];

		if (r->fd < 0)
			continue;
		if (drain_refused(r->fd) || now >= r->until) {
			close(r->fd);
			r->fd = -1;
		}
	}
}

/*
 * Whether the peer on fd may use the API: root, the dataplane's own uid,
 * or, with --api-group, a member of that group (its primary group or a
 * supplementary one, SO_PEERGROUPS). Fills cred; why says what failed.
 */
static bool
peer_allowed(const struct api_server *s, int fd, struct ucred *cred, char *why,
	     size_t len)
{
	socklen_t clen = sizeof(*cred);
	gid_t groups[256];
	socklen_t glen = sizeof(groups);

	memset(cred, 0, sizeof(*cred));
	cred->uid = (uid_t)-1;
	cred->gid = (gid_t)-1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &clen) < 0 ||
	    clen != sizeof(*cred)) {
		snprintf(why, len, "no peer credentials: %s", strerror(errno));
		return false;
	}
	if (cred->uid == 0 || cred->uid == getuid())
		return true;
	if (s->opts.group_set) {
		if (cred->gid == s->opts.gid)
			return true;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) ==
		    0)
			for (size_t i = 0; i < glen / sizeof(groups[0]); i++)
				if (groups[i] == s->opts.gid)
					return true;
		snprintf(why, len,
			 "neither root, the dataplane's uid %d nor in group "
			 "%s (gid %d)",
			 (int)getuid(), s->opts.group_name, (int)s->opts.gid);
		return false;
	}
	snprintf(why, len, "neither root nor the dataplane's uid %d",
		 (int)getuid());
	return false;
}

/* A client past the idle timeout: idle_ns since its last message. */
static bool
client_idle(const struct api_server *s, uint64_t now, uint64_t *idle_ns)
{
	*idle_ns = now - s->client_last_ns;
	return s->client_fd >= 0 && s->opts.idle_timeout_s > 0 &&
	       *idle_ns >= (uint64_t)s->opts.idle_timeout_s * S_NS;
}

static void
accept_client(struct api_server *s)
{
	struct ucred cred;
	uint64_t now = ixg_mono_ns(), idle;
	char why[160];
	int fd = accept4(s->listen_fd, NULL, NULL,
			 SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (!peer_allowed(s, fd, &cred, why, sizeof(why))) {
		fprintf(stderr, "API: refused pid %d uid %d gid %d: %s\n",
			(int)cred.pid, (int)cred.uid, (int)cred.gid, why);
		close(fd);
		return;
	}
	if (s->client_fd >= 0 && client_idle(s, now, &idle)) {
		/* An idle holder gives way: a stale client never locks the
		 * real control plane out. */
		fprintf(stderr,
			"API: pid %d idle for %.1f s gives the API to pid "
			"%d\n",
			(int)s->client_pid, (double)idle / S_NS, (int)cred.pid);
		client_close(s);
	}
	if (s->client_fd >= 0) {
		fprintf(stderr,
			"API: refused pid %d uid %d: busy with pid %d\n",
			(int)cred.pid, (int)cred.uid, (int)s->client_pid);
		refuse_busy(s, fd);
		return;
	}
	s->client_fd = fd;
	s->client_pid = cred.pid;
	s->client_uid = cred.uid;
	s->client_last_ns = now;
	api_conn_init(&s->conn, s->rt);
	s->conn.idle_timeout_s = s->opts.idle_timeout_s;
	s->conn.peer_fd = fd;
	s->conn.peer_pid = cred.pid;
	__atomic_store_n(&s->rt->headless, false, __ATOMIC_RELAXED);
	s->rt->had_client = true;
	fprintf(stderr,
		"control plane connected: pid %d uid %d, generation "
		"%" PRIu64 "\n",
		(int)cred.pid, (int)cred.uid, runtime_generation(s->rt));
}

/*
 * The idle timeout alone, between messages: a client that never said
 * HELLO, or that holds a transaction open, is disconnected once idle for
 * the timeout; one that said HELLO and holds no transaction stays (a
 * control plane is idle between commits) until another client asks for
 * the API (accept_client).
 */
static void
expire_client(struct api_server *s)
{
	uint64_t idle;

	if (!client_idle(s, ixg_mono_ns(), &idle) ||
	    (s->conn.hello_seen && !s->conn.txn_open))
		return;
	fprintf(stderr,
		"API: pid %d idle for %.1f s %s: disconnected (idle "
		"timeout %u s)\n",
		(int)s->client_pid, (double)idle / S_NS,
		s->conn.txn_open ? "in an open transaction" : "without a hello",
		s->opts.idle_timeout_s);
	client_close(s);
}

static void
serve_client(struct api_server *s)
{
	struct api_reply *r = &s->reply;
	int fd = -1;
	ssize_t n;

	n = ixg_recv(s->client_fd, s->rx, sizeof(s->rx), &fd);
	if (n == -EAGAIN || n == -EWOULDBLOCK)
		return;
	if (n == 0) {
		client_close(s);
		return;
	}
	s->client_last_ns = ixg_mono_ns();
	if (n == -EMSGSIZE || n == -EBADMSG) {
		/* Truncated or with ancillary junk: we cannot know where
		 * the peer thinks the conversation is. */
		reply_status(r, 0, IXG_ST_BAD_MESSAGE, "%s",
			     n == -EMSGSIZE ? "message longer than "
					      "IXG_MSG_MAX"
					    : "bad ancillary data");
		ixg_send(s->client_fd, r->buf, r->len, -1);
		client_close(s);
		return;
	}
	if (n < 0) {
		client_close(s);
		return;
	}
	api_handle(&s->conn, s->rx, (size_t)n, fd, r);
	s->client_last_ns = ixg_mono_ns();
	if (r->len > 0 && ixg_send(s->client_fd, r->buf, r->len, r->fd) < 0) {
		/* A client that does not read its replies is gone. */
		client_close(s);
		return;
	}
	if (r->close)
		client_close(s);
}

void
api_server_service(struct api_server *s, const struct pollfd *pfd, unsigned n)
{
	reap_refused(s);
	for (unsigned i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if (pfd[i].fd == s->listen_fd)
			accept_client(s);
		else if (pfd[i].fd == s->client_fd) {
			if (pfd[i].revents & POLLIN)
				serve_client(s);
			else if (pfd[i].revents & (POLLHUP | POLLERR))
				client_close(s);
		}
	}
	expire_client(s);
}
