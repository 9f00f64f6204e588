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
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "api_server.h"
#include "ixg_wire.h"

#define NO_INDEX UINT32_MAX

/* ---- replies ------------------------------------------------------- */

static void reply_status(struct api_reply *out, uint32_t seq,
			 enum ixg_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

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

void
api_conn_init(struct api_conn *c, struct runtime *rt)
{
	memset(c, 0, sizeof(*c));
	c->rt = rt;
	c->was_headless = rt->had_client;
	c->ids_fd = -1;
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
	if (c->ids_fd >= 0)
		close(c->ids_fd);
	c->ids_fd = -1;
}

/* Why a commit is refused: the failing object and a message. */
struct verdict {
	enum ixg_status status;
	uint16_t table;
	uint32_t index;
	uint32_t origin;
	char msg[256];
};

static int refuse(struct verdict *v, unsigned table, uint32_t index,
		  uint32_t origin, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int
refuse(struct verdict *v, unsigned table, uint32_t index, uint32_t origin,
       const char *fmt, ...)
{
	va_list ap;

	v->status = IXG_ST_INVALID;
	v->table = (uint16_t)table;
	v->index = index;
	v->origin = origin;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static const struct ixg_spec_port *
port_by_id(const struct ixg_spec_port *ports, uint32_t n, uint16_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (ports[i].id == id)
			return &ports[i];
	return NULL;
}

/*
 * Ports cannot change without a restart in this increment: EAL vdevs and
 * queues are set up at start. devargs may be the running one or the
 * config's before --device replaced it.
 */
static int
check_ports(const struct runtime *rt, const struct ixg_spec *s,
	    const struct ixg_spec *run, struct verdict *v)
{
	uint32_t i;

	for (i = 0; i < s->n_ports; i++) {
		const struct ixg_spec_port *np = &s->ports[i];
		const struct ixg_spec_port *op = port_by_id(
			run->ports, run->n_ports, np->id);
		const struct ixg_spec_port *cp = port_by_id(
			rt->conf_ports, rt->n_conf_ports, np->id);
		const char *what = NULL;

		if (op == NULL)
			return refuse(v, IXG_TBL_PORTS, i, np->origin,
				      "port %u '%s' (origin %" PRIu32 "): new "
				      "port: needs a dataplane restart",
				      np->id, np->name, np->origin);
		if (strcmp(np->name, op->name) != 0)
			what = "name";
		else if (strcmp(np->devargs, op->devargs) != 0 &&
			 (cp == NULL || strcmp(np->devargs, cp->devargs) != 0))
			what = "device";
		else if (memcmp(np->mac, op->mac, sizeof(np->mac)) != 0)
			what = "MAC";
		else if (np->mtu != op->mtu)
			what = "MTU";
		else if (np->rx_desc != op->rx_desc ||
			 np->tx_desc != op->tx_desc)
			what = "descriptor count";
		if (what != NULL)
			return refuse(v, IXG_TBL_PORTS, i, np->origin,
				      "port %u '%s' (origin %" PRIu32 "): %s "
				      "changed: needs a dataplane restart",
				      np->id, np->name, np->origin, what);
	}
	for (i = 0; i < run->n_ports; i++) {
		const struct ixg_spec_port *op = &run->ports[i];

		if (port_by_id(s->ports, s->n_ports, op->id) == NULL)
			return refuse(v, IXG_TBL_PORTS, NO_INDEX, 0,
				      "port %u '%s' removed: needs a dataplane "
				      "restart",
				      op->id, op->name);
	}
	return 0;
}

/* Ids present, as bitmaps: peers, classes, ports. */
struct idsets {
	uint64_t peers[IXG_MAX_PEERS / 64];
	uint64_t classes[IXG_MAX_CLASSES / 64];
	uint64_t ports[(IXG_MAX_PORTS + 63) / 64];
};

static bool
bit_test(const uint64_t *set, unsigned i)
{
	return (set[i / 64] >> (i % 64)) & 1;
}

static void
bit_set(uint64_t *set, unsigned i)
{
	set[i / 64] |= 1ull << (i % 64);
}

static bool
peer_exists(const struct idsets *ids, uint16_t id)
{
	return id != IXG_PEER_NONE && id < IXG_MAX_PEERS &&
	       bit_test(ids->peers, id);
}

static int
check_routes4(const struct ixg_spec_route4 *r, uint32_t n, unsigned table,
	      const struct idsets *ids, struct verdict *v)
{
	for (uint32_t i = 0; i < n; i++)
		if (!peer_exists(ids, r[i].peer_id))
			return refuse(v, table, i, r[i].origin,
				      "%s %" PRIu32 " (origin %" PRIu32 "): "
				      "peer %u does not exist",
				      table == IXG_TBL_ROUTES4 ? "route"
							       : "source",
				      i, r[i].origin, r[i].peer_id);
	return 0;
}

static int
check_routes6(const struct ixg_spec_route6 *r, uint32_t n, unsigned table,
	      const struct idsets *ids, struct verdict *v)
{
	for (uint32_t i = 0; i < n; i++)
		if (!peer_exists(ids, r[i].peer_id))
			return refuse(v, table, i, r[i].origin,
				      "%s %" PRIu32 " (origin %" PRIu32 "): "
				      "peer %u does not exist",
				      table == IXG_TBL_ROUTES6 ? "route6"
							       : "source6",
				      i, r[i].origin, r[i].peer_id);
	return 0;
}

/*
 * Cross-references a config must get right before anything is built:
 * ids within capacity and unique, every id a peer, rule or route names
 * exists, country indexes in range. tables_build checks the rest (lengths,
 * families, MACs) and its message names the object.
 */
static int
validate(const struct runtime *rt, const struct ixg_spec *s, struct verdict *v)
{
	struct idsets *ids = calloc(1, sizeof(*ids));
	uint32_t i;
	int rc = -1;

	if (ids == NULL) {
		v->status = IXG_ST_NO_MEMORY;
		snprintf(v->msg, sizeof(v->msg), "validation: out of memory");
		return -1;
	}
	if (memchr(s->node.name, '\0', sizeof(s->node.name)) == NULL) {
		refuse(v, IXG_TBL_NODE, 0, 0, "node name not terminated");
		goto out;
	}
	if (check_ports(rt, s, rt->spec, v) < 0)
		goto out;
	for (i = 0; i < s->n_ports; i++)
		if (s->ports[i].id < IXG_MAX_PORTS)
			bit_set(ids->ports, s->ports[i].id);
	for (i = 0; i < s->n_classes; i++) {
		const struct ixg_spec_class *c = &s->classes[i];

		if (c->id == 0 || c->id >= IXG_MAX_CLASSES) {
			refuse(v, IXG_TBL_CLASSES, i, c->origin,
			       "class %u '%s' (origin %" PRIu32 "): id out of "
			       "range 1..%u",
			       c->id, c->name, c->origin, IXG_MAX_CLASSES - 1);
			goto out;
		}
		if (bit_test(ids->classes, c->id)) {
			refuse(v, IXG_TBL_CLASSES, i, c->origin,
			       "class %u '%s' (origin %" PRIu32 "): duplicate "
			       "id",
			       c->id, c->name, c->origin);
			goto out;
		}
		bit_set(ids->classes, c->id);
	}
	for (i = 0; i < s->n_peers; i++) {
		const struct ixg_spec_peer *p = &s->peers[i];

		if (p->id == IXG_PEER_NONE || p->id >= IXG_MAX_PEERS) {
			refuse(v, IXG_TBL_PEERS, i, p->origin,
			       "peer %u '%s' (origin %" PRIu32 "): id out of "
			       "range 1..%u",
			       p->id, p->name, p->origin, IXG_MAX_PEERS - 1);
			goto out;
		}
		if (bit_test(ids->peers, p->id)) {
			refuse(v, IXG_TBL_PEERS, i, p->origin,
			       "peer %u '%s' (origin %" PRIu32 "): duplicate "
			       "id",
			       p->id, p->name, p->origin);
			goto out;
		}
		bit_set(ids->peers, p->id);
		if (p->port_id >= IXG_MAX_PORTS ||
		    !bit_test(ids->ports, p->port_id)) {
			refuse(v, IXG_TBL_PEERS, i, p->origin,
			       "peer %u '%s' (origin %" PRIu32 "): port %u "
			       "does not exist",
			       p->id, p->name, p->origin, p->port_id);
			goto out;
		}
		/* Country 0 is "unknown": valid even with no country table. */
		if (p->country != IXG_COUNTRY_UNKNOWN &&
		    p->country >= s->n_countries) {
			refuse(v, IXG_TBL_PEERS, i, p->origin,
			       "peer %u '%s' (origin %" PRIu32 "): country "
			       "index %u, only %" PRIu32 " countries",
			       p->id, p->name, p->origin, p->country,
			       s->n_countries);
			goto out;
		}
	}
	for (i = 0; i < s->n_local_addrs; i++) {
		const struct ixg_spec_local_addr *a = &s->local_addrs[i];

		if (a->port_id >= IXG_MAX_PORTS ||
		    !bit_test(ids->ports, a->port_id)) {
			refuse(v, IXG_TBL_LOCAL_ADDRS, i, a->origin,
			       "local address %" PRIu32 " (origin %" PRIu32
			       "): port %u does not exist",
			       i, a->origin, a->port_id);
			goto out;
		}
	}
	for (i = 0; i < s->n_acl_rules; i++) {
		const struct ixg_spec_acl_rule *r = &s->acl_rules[i];

		if (r->id == 0 || r->id >= IXG_MAX_ACL_RULES) {
			refuse(v, IXG_TBL_ACL_RULES, i, r->origin,
			       "rule %" PRIu32 " '%s' (origin %" PRIu32 "): id "
			       "out of range 1..%u",
			       r->id, r->name, r->origin,
			       IXG_MAX_ACL_RULES - 1);
			goto out;
		}
		if (r->in_peer != IXG_PEER_NONE &&
		    !peer_exists(ids, r->in_peer)) {
			refuse(v, IXG_TBL_ACL_RULES, i, r->origin,
			       "rule %" PRIu32 " '%s' (origin %" PRIu32 "): "
			       "peer %u does not exist",
			       r->id, r->name, r->origin, r->in_peer);
			goto out;
		}
		if (r->action == IXG_ACL_CLASS &&
		    (r->class_id == 0 || r->class_id >= IXG_MAX_CLASSES ||
		     !bit_test(ids->classes, r->class_id))) {
			refuse(v, IXG_TBL_ACL_RULES, i, r->origin,
			       "rule %" PRIu32 " '%s' (origin %" PRIu32 "): "
			       "class %u does not exist",
			       r->id, r->name, r->origin, r->class_id);
			goto out;
		}
	}
	if (check_routes4(s->routes4, s->n_routes4, IXG_TBL_ROUTES4, ids, v) <
		    0 ||
	    check_routes6(s->routes6, s->n_routes6, IXG_TBL_ROUTES6, ids, v) <
		    0 ||
	    check_routes4(s->sources4, s->n_sources4, IXG_TBL_SOURCES4, ids,
			  v) < 0 ||
	    check_routes6(s->sources6, s->n_sources6, IXG_TBL_SOURCES6, ids,
			  v) < 0)
		goto out;
	for (i = 0; i < s->n_country4; i++)
		if (s->country4[i].country >= s->n_countries) {
			refuse(v, IXG_TBL_COUNTRY4, i, 0,
			       "IPv4 country prefix %" PRIu32 ": country index "
			       "%u, only %" PRIu32 " countries",
			       i, s->country4[i].country, s->n_countries);
			goto out;
		}
	for (i = 0; i < s->n_country6; i++)
		if (s->country6[i].country >= s->n_countries) {
			refuse(v, IXG_TBL_COUNTRY6, i, 0,
			       "IPv6 country prefix %" PRIu32 ": country index "
			       "%u, only %" PRIu32 " countries",
			       i, s->country6[i].country, s->n_countries);
			goto out;
		}
	rc = 0;
out:
	free(ids);
	return rc;
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

/* Validate, build, publish the shadow; on success it becomes the running
 * spec. The transaction is closed either way. */
static void
commit(struct api_conn *c, uint32_t seq, struct api_reply *out)
{
	struct runtime *rt = c->rt;
	struct ixg_msg_commit_reply r;
	struct verdict v;
	struct ixg_spec *ns;
	char err[sizeof(v.msg)];
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
	rc = runtime_publish(rt, &c->shadow, err, sizeof(err), &r.build_ns,
			     &r.publish_ns);
	if (rc < 0) {
		free(ns);
		v.status = build_status(rc);
		snprintf(v.msg, sizeof(v.msg), "%s",
			 err[0] != '\0' ? err : strerror(-rc));
		goto discard;
	}
	*ns = c->shadow;
	runtime_spec_replace(rt, ns);
	memcpy(rt->config_sha256, c->txn_sha256, sizeof(rt->config_sha256));
	rt->last_commit_unix = (uint64_t)time(NULL);
	fprintf(stderr,
		"commit: generation %" PRIu64 " live (build %.3f ms, "
		"publish %.3f ms)\n",
		rt->generation, r.build_ns / 1e6, r.publish_ns / 1e6);
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
	out->fd = rt->counters_fd;
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

void
api_handle(struct api_conn *c, const void *msg, size_t len, int fd,
	   struct api_reply *out)
{
	union {
		struct ixg_msg_hdr hdr;
		struct ixg_msg_hello hello;
		struct ixg_msg_txn_begin begin;
		struct ixg_msg_txn_table table;
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
	if (fd >= 0 && type != IXG_MSG_TXN_TABLE) {
		close(fd);
		fd = -1;
	}
	switch (type) {
	case IXG_MSG_HELLO: hello(c, &m.hello, out); break;
	case IXG_MSG_TXN_BEGIN: txn_begin(c, &m.begin, out); break;
	case IXG_MSG_TXN_TABLE: txn_table(c, &m.table, fd, out); break;
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

struct refused {
	int fd; /* -1: free slot */
	int64_t until; /* CLOCK_MONOTONIC seconds */
};

struct api_server {
	struct runtime *rt;
	int listen_fd;
	struct refused refused[MAX_REFUSED];
	int client_fd;
	pid_t client_pid;
	uid_t client_uid;
	struct api_conn conn;
	struct api_reply reply;
	uint8_t rx[IXG_MSG_MAX];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/* mkdir -p of the socket's directory, 0700 for what we create. */
static int
make_parent_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
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
api_server_create(struct runtime *rt, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
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
	s->client_fd = -1;
	for (unsigned i = 0; i < MAX_REFUSED; i++)
		s->refused[i].fd = -1;
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	rc = make_parent_dir(path);
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
	/* Owner-only from the first moment: no window at the umask's mode. */
	if (fchmod(fd, 0600) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 4) < 0)
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

static int64_t
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
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

static void
accept_client(struct api_server *s)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	int fd = accept4(s->listen_fd, NULL, NULL,
			 SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 ||
	    (cred.uid != 0 && cred.uid != getuid())) {
		fprintf(stderr,
			"API: refused a client with uid %d (only root "
			"or uid %d)\n",
			clen == sizeof(cred) ? (int)cred.uid : -1,
			(int)getuid());
		close(fd);
		return;
	}
	if (s->client_fd >= 0) {
		fprintf(stderr, "API: refused pid %d: busy with pid %d\n",
			(int)cred.pid, (int)s->client_pid);
		refuse_busy(s, fd);
		return;
	}
	s->client_fd = fd;
	s->client_pid = cred.pid;
	s->client_uid = cred.uid;
	api_conn_init(&s->conn, s->rt);
	__atomic_store_n(&s->rt->headless, false, __ATOMIC_RELAXED);
	s->rt->had_client = true;
	fprintf(stderr,
		"control plane connected: pid %d uid %d, generation "
		"%" PRIu64 "\n",
		(int)cred.pid, (int)cred.uid, runtime_generation(s->rt));
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
}
