/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * telemetry.c - /ixgate/ commands for dpdk-telemetry.py, and pdump for
 * dpdk-dumpcap. Answers are computed on DPDK's telemetry thread from the
 * counter blocks through the counter families (common/counters.h): the
 * workers pay nothing, and a family added to ixg_api.h shows here with no
 * edit.
 *
 *   /ixgate/info                node, version, state gauges, ports, uptime
 *   /ixgate/counters            the node's families, drops by reason
 *   /ixgate/drops               drops by reason, every reason
 *   /ixgate/ports[,P]           per port: DPDK device name, our counters,
 *                               the device's ipackets/opackets/...
 *   /ixgate/peers[,P]           per peer: name, asn, country, counters
 *   /ixgate/samples             the newest 1-in-N packet samples
 *   /ixgate/families            every counter family: type, unit, labels,
 *                               help
 *   /ixgate/series,FAMILY[,from=N]  every series of one family
 *
 * P is a name (that object only) or from=ID (a page starting there).
 *
 * DPDK 22.11's telemetry limits what can be answered, and refuses the rest
 * silently unless its return codes are checked (they all are here):
 *  - dictionary keys may hold only letters, digits, '_' and '/': names of
 *    ports and peers (which may hold '-' and '.') are never keys. Objects
 *    are keyed by their stable id ("12") and carry their name as a value;
 *  - an array holds no dictionaries, so lists are dictionaries keyed by
 *    id (or by position for samples and series);
 *  - a reply is at most 16 KiB of JSON (the greeting's max_output_len) and
 *    a dictionary 256 entries: lists come in pages that fit, each saying
 *    "total", "count" and, when there is more, "next" (ask again with
 *    from=NEXT). Nothing is cut without saying so.
 * doc/counters.md ("DPDK telemetry") is the user's description.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_ethdev.h>
#include <rte_telemetry.h>
#include <rte_version.h>
#ifdef IXG_HAVE_PDUMP
#include <rte_pdump.h>
#endif

#include "counters.h"
#include "telemetry.h"

/* 23.03 renamed the u64 adder to _uint and later releases drop the old
 * name; there is no macro to probe a function by, so the version decides. */
#if RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
#define tel_add_u64 rte_tel_data_add_dict_uint
#else
#define tel_add_u64 rte_tel_data_add_dict_u64
#endif

/* DPDK's reply buffer (MAX_OUTPUT_LEN in lib/telemetry, 16 KiB since
 * 20.05): a reply that does not fit is cut by DPDK without a word. Pages
 * stop TEL_MARGIN short of it (the command's name, the page's own
 * fields), and at TEL_PAGE_ENTRIES (a dictionary holds 256). */
#define TEL_OUTPUT_MAX 16384
#define TEL_MARGIN 1024
#define TEL_PAGE_ENTRIES 200

static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct runtime *tel_rt; /* NULL once stopping */
static int pdump_on;

/* One command's state: the counters, names (under spec_lock), the first
 * error of a telemetry call. */
struct tel {
	struct runtime *rt;
	struct ixg_ctr_src src;
	struct ixg_lcore_counters *blocks[IXG_MAX_WORKERS + 1];
	struct ixg_ctr_names names;
	char device[IXG_MAX_PORTS][RTE_ETH_NAME_MAX_LEN];
	int err;
};

/* ------------------------------------------------------------ building */

static size_t
digits(uint64_t v)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static void
check(struct tel *t, int rc)
{
	/* Negative errno, or E2BIG (positive) when a string was cut. */
	if (rc != 0 && t->err == 0)
		t->err = rc < 0 ? rc : -rc;
}

/* Entries, each adding its JSON size to *size: "key":value, */
static void
t_u64(struct tel *t, struct rte_tel_data *d, const char *key, uint64_t v,
      size_t *size)
{
	check(t, tel_add_u64(d, key, v));
	*size += strlen(key) + 4 + digits(v);
}

static void
t_str(struct tel *t, struct rte_tel_data *d, const char *key, const char *v,
      size_t *size)
{
	check(t, rte_tel_data_add_dict_string(d, key, v));
	/* Quotes, and room for DPDK to escape every byte. */
	*size += strlen(key) + 6 + 2 * strlen(v);
}

static struct rte_tel_data *
t_dict(struct tel *t)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d == NULL)
		check(t, -ENOMEM);
	else
		check(t, rte_tel_data_start_dict(d));
	return d;
}

/* Add sub (of sub_size bytes) to d; sub is freed with d. */
static void
t_sub(struct tel *t, struct rte_tel_data *d, const char *key,
      struct rte_tel_data *sub, size_t sub_size, size_t *size)
{
	int rc = rte_tel_data_add_dict_container(d, key, sub, 0);

	check(t, rc);
	if (rc != 0)
		rte_tel_data_free(sub);
	*size += strlen(key) + 5 + sub_size;
}

/* Counters, names and device names of the running state. Caller holds
 * rt->spec_lock (names point into rt->spec). */
static void
tel_load(struct tel *t, struct runtime *rt)
{
	memset(t, 0, sizeof(*t));
	t->rt = rt;
	runtime_counter_blocks(rt, t->blocks);
	t->src.blocks = (const struct ixg_lcore_counters *const *)t->blocks;
	t->src.n_blocks = rt->n_blocks;
	/* The peers' pair counts read once for the answer (each peer's rx
	 * and tx would scan every slot); without memory, scanned. */
	(void)ixg_ctr_src_fold(&t->src);
	ixg_ctr_names_from_spec(&t->names, rt->spec);
	for (unsigned i = 0; i < IXG_MAX_PORTS; i++)
		if (rt->ports[i].active &&
		    rte_eth_dev_get_name_by_port(rt->ports[i].dpdk_port,
						 t->device[i]) == 0)
			t->names.port_device[i] = t->device[i];
}

/* The families of dimension dim for entity e into d: numbers by their
 * JSON keys, reasons as a dictionary of the non-zero ones. */
static void
entity_families(struct tel *t, struct rte_tel_data *d, unsigned dim, uint32_t e,
		size_t *size)
{
	/* A sum (drops_total) and its parts (drops) are read once, so that
	 * one answer adds up while the workers keep counting. */
	uint64_t parts[IXG_DROP_MAX];
	size_t parts_off = SIZE_MAX;

	for (unsigned f = 0; f < IXG_CF_MAX; f++) {
		const struct ixg_ctr_family *fam = &ixg_ctr_families[f];
		struct rte_tel_data *sub;
		size_t ss = 2;

		if (fam->dim != dim || fam->from == IXG_CTR_FROM_STATE)
			continue;
		if (fam->from == IXG_CTR_FROM_SUM) {
			unsigned fr = f + 1; /* its REASONS family */
			uint64_t v = 0;

			while (fr < IXG_CF_MAX &&
			       (ixg_ctr_families[fr].offset != fam->offset ||
				ixg_ctr_families[fr].sub != IXG_CTR_SUB_REASON))
				fr++;
			for (unsigned r = 0; r < IXG_DROP_MAX; r++)
				v += parts[r] = ixg_ctr_value(&t->src, fr, e,
							      r);
			parts_off = fam->offset;
			t_u64(t, d, fam->key, v, size);
			continue;
		}
		if (fam->sub == IXG_CTR_SUB_NONE) {
			t_u64(t, d, fam->key, ixg_ctr_value(&t->src, f, e, 0),
			      size);
			continue;
		}
		sub = t_dict(t);
		if (sub == NULL)
			return;
		for (unsigned s = 0; s < ixg_ctr_sub_count(fam->sub); s++) {
			uint64_t v = fam->offset == parts_off &&
						     s < IXG_DROP_MAX
					     ? parts[s]
					     : ixg_ctr_value(&t->src, f, e, s);

			/* Every reason at the node; inside an object only
			 * those that happened. */
			if (v != 0 || dim == IXG_CTR_DIM_NODE)
				t_u64(t, sub, ixg_ctr_sub_name(fam->sub, s), v,
				      &ss);
		}
		t_sub(t, d, fam->key, sub, ss, size);
	}
}

/* ----------------------------------------------------------------- pages */

/* One object of a list: its dictionary and the JSON size it takes. */
typedef struct rte_tel_data *(*entry_fn)(struct tel *t, uint32_t e,
					 size_t *size);

/*
 * A page of the entities of dim into d: {"total", "count", "next"?,
 * key: {ID: {...}}}. params: "" (from the first), "from=ID", or a name
 * (that entity alone; -ENOENT if none has it). lookup finds a name's id.
 */
static int
tel_page(struct tel *t, struct rte_tel_data *d, unsigned dim, const char *key,
	 const char *params, entry_fn entry,
	 int (*lookup)(const struct tel *t, const char *name, uint32_t *id))
{
	struct ixg_ctr_walk *w = ixg_ctr_walk_new(&t->src, &t->names, 0, 0);
	struct rte_tel_data *list;
	uint32_t pos = 0, e, from = 0, only = 0, total = 0, count = 0, next = 0;
	bool single = false, more = false;
	size_t used = 0, ls = 2;

	if (w == NULL)
		return -ENOMEM;
	if (params != NULL && params[0] != '\0') {
		char *end;

		if (strncmp(params, "from=", 5) == 0) {
			unsigned long v = strtoul(params + 5, &end, 10);

			if (params[5] == '\0' || *end != '\0' ||
			    v > UINT32_MAX) {
				ixg_ctr_walk_free(w);
				return -EINVAL;
			}
			from = (uint32_t)v;
		} else if (lookup(t, params, &only) == 0) {
			single = true;
		} else {
			ixg_ctr_walk_free(w);
			return -ENOENT;
		}
	}
	list = t_dict(t);
	check(t, rte_tel_data_start_dict(d));
	while (list != NULL && ixg_ctr_walk_entity(w, dim, &pos, &e)) {
		struct rte_tel_data *one;
		size_t es = 0;
		char id[16];

		if (single && e != only)
			continue;
		total++;
		if (e < from || more)
			continue;
		one = entry(t, e, &es);
		if (one == NULL)
			break;
		snprintf(id, sizeof(id), "%" PRIu32, e);
		if (count == TEL_PAGE_ENTRIES ||
		    used + es + strlen(id) + 5 > TEL_OUTPUT_MAX - TEL_MARGIN) {
			/* It does not fit: the next page starts here. */
			rte_tel_data_free(one);
			more = true;
			next = e;
			continue;
		}
		t_sub(t, list, id, one, es, &used);
		count++;
	}
	ixg_ctr_walk_free(w);
	if (list == NULL)
		return t->err;
	t_u64(t, d, "total", total, &ls);
	t_u64(t, d, "count", count, &ls);
	if (more)
		t_u64(t, d, "next", next, &ls);
	t_sub(t, d, key, list, used, &ls);
	return t->err;
}

static struct rte_tel_data *
peer_entry(struct tel *t, uint32_t id, size_t *size)
{
	struct rte_tel_data *e = t_dict(t);
	char b[IXG_NAME_LEN + 8], cc[3];

	if (e == NULL)
		return NULL;
	*size = 2;
	t_str(t, e, "name", ixg_ctr_peer_name(&t->names, id, b, sizeof(b)),
	      size);
	if (t->names.peer[id] != NULL) {
		t_u64(t, e, "asn", t->names.peer_asn[id], size);
		t_str(t, e, "country",
		      ixg_ctr_country(&t->names, t->names.peer_country[id], cc),
		      size);
	}
	entity_families(t, e, IXG_CTR_DIM_PEER, id, size);
	return e;
}

static int
peer_lookup(const struct tel *t, const char *name, uint32_t *id)
{
	for (uint32_t i = 1; i < IXG_MAX_PEERS; i++)
		if (t->names.peer[i] != NULL &&
		    strcmp(t->names.peer[i], name) == 0) {
			*id = i;
			return 0;
		}
	return -ENOENT;
}

static struct rte_tel_data *
port_entry(struct tel *t, uint32_t id, size_t *size)
{
	const struct rt_port *p = &t->rt->ports[id];
	struct rte_tel_data *e = t_dict(t);
	struct rte_eth_stats es;
	char b[IXG_NAME_LEN + 8];

	if (e == NULL)
		return NULL;
	*size = 2;
	t_str(t, e, "name",
	      t->names.port[id] != NULL
		      ? t->names.port[id]
		      : (snprintf(b, sizeof(b), "#%" PRIu32, id), b),
	      size);
	if (t->names.port_device[id] != NULL) {
		/* What dpdk-dumpcap -i takes. */
		t_str(t, e, "device", t->names.port_device[id], size);
		t_u64(t, e, "dpdk_port", p->dpdk_port, size);
	}
	entity_families(t, e, IXG_CTR_DIM_PORT, id, size);
	if (p->active && rte_eth_stats_get(p->dpdk_port, &es) == 0) {
		t_u64(t, e, "ipackets", es.ipackets, size);
		t_u64(t, e, "opackets", es.opackets, size);
		t_u64(t, e, "imissed", es.imissed, size);
		t_u64(t, e, "oerrors", es.oerrors, size);
	}
	return e;
}

static int
port_lookup(const struct tel *t, const char *name, uint32_t *id)
{
	for (uint32_t i = 0; i < IXG_MAX_PORTS; i++)
		if (t->names.port[i] != NULL &&
		    strcmp(t->names.port[i], name) == 0) {
			*id = i;
			return 0;
		}
	return -ENOENT;
}

/* A member next hop: its peer, address and neighbour families. */
static struct rte_tel_data *
neigh_entry(struct tel *t, uint32_t id, size_t *size)
{
	struct rte_tel_data *e = t_dict(t);
	char b[IXG_NAME_LEN + 8], a[IXG_CTR_LABEL_LEN];

	if (e == NULL)
		return NULL;
	*size = 2;
	t_str(t, e, "peer", ixg_ctr_peer_name(&t->names, id / 2, b, sizeof(b)),
	      size);
	t_str(t, e, "address", ixg_ctr_neigh_addr(&t->names, id, a, sizeof(a)),
	      size);
	entity_families(t, e, IXG_CTR_DIM_NEIGH, id, size);
	return e;
}

/* A neighbour by its address ("192.0.2.2"). */
static int
neigh_lookup(const struct tel *t, const char *name, uint32_t *id)
{
	char a[IXG_CTR_LABEL_LEN];

	for (uint32_t i = 2; i < 2 * IXG_MAX_PEERS; i++)
		if (t->names.peer_nh[i / 2][i % 2] != NULL &&
		    strcmp(ixg_ctr_neigh_addr(&t->names, i, a, sizeof(a)),
			   name) == 0) {
			*id = i;
			return 0;
		}
	return -ENOENT;
}

/* -------------------------------------------------------------- commands */

static int
tel_info(struct tel *t, const char *params, struct rte_tel_data *d)
{
	struct runtime *rt = t->rt;
	struct ixg_ctr_state st = {
		.generation = runtime_generation(rt),
		.workers = rt->n_workers,
		.headless = runtime_headless(rt),
		.start_unix = rt->start_unix,
	};
	unsigned n_ports = 0;
	size_t size = 0;

	(void)params;
	t->src.state = &st;
	for (unsigned i = 0; i < IXG_MAX_PORTS; i++)
		n_ports += rt->ports[i].active;
	check(t, rte_tel_data_start_dict(d));
	t_str(t, d, "node", t->names.node != NULL ? t->names.node : "", &size);
	t_str(t, d, "version", "ixgate 0.1.0", &size);
	/* The state gauges (counters.h: IXG_CTR_STATE). */
	for (unsigned f = 0; f < IXG_CF_MAX; f++)
		if (ixg_ctr_families[f].from == IXG_CTR_FROM_STATE)
			t_u64(t, d, ixg_ctr_families[f].key,
			      ixg_ctr_value(&t->src, f, 0, 0), &size);
	t_u64(t, d, "ports", n_ports, &size);
	t_u64(t, d, "uptime_s", (uint64_t)(time(NULL) - (time_t)rt->start_unix),
	      &size);
	return t->err;
}

static int
tel_counters(struct tel *t, const char *params, struct rte_tel_data *d)
{
	size_t size = 0;

	(void)params;
	check(t, rte_tel_data_start_dict(d));
	entity_families(t, d, IXG_CTR_DIM_NODE, 0, &size);
	return t->err;
}

static int
tel_drops(struct tel *t, const char *params, struct rte_tel_data *d)
{
	size_t size = 0;

	(void)params;
	check(t, rte_tel_data_start_dict(d));
	for (unsigned r = 0; r < IXG_DROP_MAX; r++)
		t_u64(t, d, ixg_drop_name(r),
		      ixg_ctr_value(&t->src, IXG_CF_dropped_packets_total, 0,
				    r),
		      &size);
	return t->err;
}

static int
tel_peers(struct tel *t, const char *params, struct rte_tel_data *d)
{
	return tel_page(t, d, IXG_CTR_DIM_PEER, "peers", params, peer_entry,
			peer_lookup);
}

static int
tel_ports(struct tel *t, const char *params, struct rte_tel_data *d)
{
	return tel_page(t, d, IXG_CTR_DIM_PORT, "ports", params, port_entry,
			port_lookup);
}

static int
tel_neighbours(struct tel *t, const char *params, struct rte_tel_data *d)
{
	return tel_page(t, d, IXG_CTR_DIM_NEIGH, "neighbours", params,
			neigh_entry, neigh_lookup);
}

static const char *
peer_or_dash(const struct tel *t, uint16_t id, char *b, size_t len)
{
	return ixg_ctr_peer_name(&t->names, id, b, len);
}

#define TEL_RECENT_SAMPLES 16

/* Newest first: by wall clock, then by TSC (the same worker's order). */
static int
sample_newer(const void *a, const void *b)
{
	const struct ixg_sample_record *x = a, *y = b;

	if (x->unix_s != y->unix_s)
		return x->unix_s > y->unix_s ? -1 : 1;
	if (x->tsc != y->tsc)
		return x->tsc > y->tsc ? -1 : 1;
	return 0;
}

/* The newest packet samples (1-in-N, `sampling` in the config), peeked
 * from every worker's ring without consuming them: what became of each
 * and its first bytes in hex, newest first, keyed by age ("0" the
 * newest). */
static int
tel_samples(struct tel *t, const char *params, struct rte_tel_data *d)
{
	static const char *const verdicts[] = {"?", "forward", "local", "drop"};
	struct runtime *rt = t->rt;
	static struct ixg_sample_record
		rec[IXG_MAX_WORKERS * TEL_RECENT_SAMPLES];
	static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
	struct rte_tel_data *list;
	unsigned n = 0;
	uint64_t total = 0;
	size_t size = 0, ls = 2;

	(void)params;
	pthread_mutex_lock(&rec_lock);
	for (unsigned w = 0; w < rt->samples.n_rings; w++) {
		const struct ixg_sample_ring *r = ixg_samples_ring(&rt->samples,
								   w);

		total += __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
		n += ixg_samples_peek(r, rec + n, TEL_RECENT_SAMPLES);
	}
	qsort(rec, n, sizeof(rec[0]), sample_newer);
	n = n < TEL_RECENT_SAMPLES ? n : TEL_RECENT_SAMPLES;

	check(t, rte_tel_data_start_dict(d));
	t_u64(t, d, "sample_rate", rt->spec->node.sample_rate, &size);
	t_u64(t, d, "samples_read", total, &size);
	list = t_dict(t);
	if (list == NULL) {
		pthread_mutex_unlock(&rec_lock);
		return t->err;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct ixg_sample_record *r = &rec[i];
		struct rte_tel_data *e = t_dict(t);
		char hex[2 * 48 + 1], a[3], b[3], cc[8], key[16];
		char p1[IXG_NAME_LEN + 8], p2[IXG_NAME_LEN + 8];
		unsigned hl = r->hdr_len < 48 ? r->hdr_len : 48;
		size_t es = 2;

		if (e == NULL)
			break;
		t_str(t, e, "verdict",
		      verdicts[r->verdict < 4 ? r->verdict : 0], &es);
		if (r->verdict == IXG_SAMPLE_DROP)
			t_str(t, e, "drop",
			      ixg_drop_name(r->drop_reason)
				      ? ixg_drop_name(r->drop_reason)
				      : "?",
			      &es);
		t_str(t, e, "in_peer",
		      peer_or_dash(t, r->in_peer, p1, sizeof(p1)), &es);
		t_str(t, e, "out_peer",
		      peer_or_dash(t, r->out_peer, p2, sizeof(p2)), &es);
		snprintf(cc, sizeof(cc), "%s>%s",
			 ixg_ctr_country(&t->names, r->src_country, a),
			 ixg_ctr_country(&t->names, r->dst_country, b));
		t_str(t, e, "countries", cc, &es);
		t_u64(t, e, "rx_len", r->frame_len, &es);
		t_u64(t, e, "rate", r->rate, &es);
		t_u64(t, e, "unix_s", (uint64_t)r->unix_s, &es);
		for (unsigned k = 0; k < hl; k++)
			snprintf(hex + 2 * k, 3, "%02x", r->hdr[k]);
		hex[2 * hl] = '\0';
		t_str(t, e, "header", hex, &es);
		snprintf(key, sizeof(key), "%u", i);
		t_sub(t, list, key, e, es, &ls);
	}
	t_sub(t, d, "recent", list, ls, &size);
	pthread_mutex_unlock(&rec_lock);
	return t->err;
}

/* Every counter family: what /ixgate/series takes, with its type, unit,
 * labels and help. */
static int
tel_families(struct tel *t, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *list = t_dict(t);
	size_t size = 0, ls = 2;
	unsigned n = 0;

	(void)params;
	check(t, rte_tel_data_start_dict(d));
	if (list == NULL)
		return t->err;
	for (unsigned f = 0; f < IXG_CF_MAX; f++) {
		const struct ixg_ctr_family *fam = &ixg_ctr_families[f];
		const char *const *ln = ixg_ctr_dim_labels[fam->dim];
		struct rte_tel_data *e;
		char labels[96] = "";
		size_t o = 0, es = 2;

		if (!fam->metric)
			continue;
		e = t_dict(t);
		if (e == NULL)
			break;
		for (unsigned k = 0; ln[k] != NULL; k++)
			o += (size_t)snprintf(labels + o, sizeof(labels) - o,
					      "%s%s", k ? "," : "", ln[k]);
		if (fam->sub != IXG_CTR_SUB_NONE)
			snprintf(labels + o, sizeof(labels) - o, "%s%s",
				 o ? "," : "", ixg_ctr_sub_label(fam->sub));
		t_str(t, e, "type",
		      fam->type == IXG_CTR_COUNTER ? "counter" : "gauge", &es);
		t_str(t, e, "unit", fam->unit, &es);
		t_str(t, e, "labels", labels, &es);
		t_str(t, e, "help", fam->help, &es);
		t_sub(t, list, fam->name, e, es, &ls);
		n++;
	}
	t_u64(t, d, "count", n, &size);
	t_sub(t, d, "families", list, ls, &size);
	return t->err;
}

/* Every series of one family, by position, in pages:
 * /ixgate/series,NAME[,from=N]. */
static int
tel_series(struct tel *t, const char *params, struct rte_tel_data *d)
{
	struct ixg_ctr_state st = {
		.generation = runtime_generation(t->rt),
		.workers = t->rt->n_workers,
		.headless = runtime_headless(t->rt),
		.start_unix = t->rt->start_unix,
	};
	const struct ixg_ctr_family *fam;
	char name[IXG_CTR_LABEL_LEN];
	const char *comma = params != NULL ? strchr(params, ',') : NULL;
	uint32_t from = 0, total = 0, count = 0, next = 0;
	struct ixg_ctr_walk *w;
	struct ixg_ctr_series se;
	struct rte_tel_data *list;
	size_t used = 0, size = 0;
	bool more = false;

	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	snprintf(name, sizeof(name), "%.*s",
		 (int)(comma != NULL ? (size_t)(comma - params)
				     : strlen(params)),
		 params);
	fam = ixg_ctr_family_by_name(name);
	if (fam == NULL || !fam->metric)
		return -ENOENT;
	if (comma != NULL) {
		char *end;
		unsigned long v;

		if (strncmp(comma + 1, "from=", 5) != 0)
			return -EINVAL;
		v = strtoul(comma + 6, &end, 10);
		if (comma[6] == '\0' || *end != '\0' || v > UINT32_MAX)
			return -EINVAL;
		from = (uint32_t)v;
	}
	t->src.state = &st;
	w = ixg_ctr_walk_new(&t->src, &t->names, 0,
			     UINT64_C(1) << (fam - ixg_ctr_families));
	if (w == NULL)
		return -ENOMEM;
	check(t, rte_tel_data_start_dict(d));
	list = t_dict(t);
	while (list != NULL && ixg_ctr_walk_next(w, &se)) {
		struct rte_tel_data *e;
		size_t es = 2;
		char key[16];

		if (total++ < from || more)
			continue;
		e = t_dict(t);
		if (e == NULL)
			break;
		for (unsigned k = 0; k < se.n_labels; k++)
			t_str(t, e, se.label_names[k], se.label_values[k], &es);
		t_u64(t, e, "value", se.value, &es);
		snprintf(key, sizeof(key), "%" PRIu32, total - 1);
		if (count == TEL_PAGE_ENTRIES ||
		    used + es + 8 > TEL_OUTPUT_MAX - TEL_MARGIN) {
			rte_tel_data_free(e);
			more = true;
			next = total - 1;
			continue;
		}
		t_sub(t, list, key, e, es, &used);
		count++;
	}
	ixg_ctr_walk_free(w);
	if (list == NULL)
		return t->err;
	t_str(t, d, "family", fam->name, &size);
	t_str(t, d, "type", fam->type == IXG_CTR_COUNTER ? "counter" : "gauge",
	      &size);
	t_str(t, d, "unit", fam->unit, &size);
	t_u64(t, d, "total", total, &size);
	t_u64(t, d, "count", count, &size);
	if (more)
		t_u64(t, d, "next", next, &size);
	t_sub(t, d, "series", list, used, &size);
	return t->err;
}

typedef int (*tel_fn)(struct tel *t, const char *params,
		      struct rte_tel_data *d);

static const struct {
	const char *cmd;
	tel_fn fn;
	const char *help;
} tel_cmds[] = {
	/* Help texts stay under 64 bytes: DPDK refuses longer ones
	 * (MAX_HELP_LEN, 64 in some releases, 128 in others). */
	{"/ixgate/info", tel_info,
	 "Node, version, generation, workers, ports."},
	{"/ixgate/counters", tel_counters,
	 "The node's counters, drops by reason."},
	{"/ixgate/drops", tel_drops, "Drops by reason."},
	{"/ixgate/ports", tel_ports,
	 "Ports by id, with DPDK device. Param: NAME or from=ID."},
	{"/ixgate/peers", tel_peers, "Peers by id. Param: NAME or from=ID."},
	{"/ixgate/neighbours", tel_neighbours,
	 "Member next hops (ARP/ND). Param: ADDRESS or from=ID."},
	{"/ixgate/samples", tel_samples,
	 "The newest packet samples, 0 newest."},
	{"/ixgate/families", tel_families, "Every counter family."},
	{"/ixgate/series", tel_series,
	 "Series of a family. Param: FAMILY[,from=N]."},
};

/* One entry point: telemetry callbacks carry no user pointer. */
static int
tel_dispatch(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tel *t;
	int rc = -ENOENT;

	t = malloc(sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&tel_lock);
	if (tel_rt == NULL) {
		pthread_mutex_unlock(&tel_lock);
		free(t);
		return -EAGAIN;
	}
	/* Names point into the spec: hold its lock for the answer. */
	pthread_mutex_lock(&tel_rt->spec_lock);
	tel_load(t, tel_rt);
	for (unsigned i = 0; i < RTE_DIM(tel_cmds); i++)
		if (strcmp(cmd, tel_cmds[i].cmd) == 0) {
			rc = tel_cmds[i].fn(t, params, d);
			break;
		}
	pthread_mutex_unlock(&tel_rt->spec_lock);
	pthread_mutex_unlock(&tel_lock);
	ixg_ctr_src_unfold(&t->src);
	free(t);
	return rc;
}

int
telemetry_init(struct runtime *rt)
{
	unsigned i;
	int rc;

	pthread_mutex_lock(&tel_lock);
	tel_rt = rt;
	pthread_mutex_unlock(&tel_lock);
	for (i = 0; i < RTE_DIM(tel_cmds); i++) {
		rc = rte_telemetry_register_cmd(tel_cmds[i].cmd, tel_dispatch,
						tel_cmds[i].help);
		/* DPDK keeps no duplicate check: -EINVAL is a name or help
		 * text it refuses, -ENOENT a full command table. */
		if (rc < 0)
			fprintf(stderr, "telemetry: %s not registered: %s\n",
				tel_cmds[i].cmd, strerror(-rc));
	}
#ifdef IXG_HAVE_PDUMP
	if (!rt->in_memory) {
		if (rte_pdump_init() == 0)
			pdump_on = 1;
		else
			fprintf(stderr,
				"warning: pdump not available (%s): "
				"dpdk-dumpcap cannot attach\n",
				rte_strerror(rte_errno));
	}
#endif
	return 0;
}

void
telemetry_fini(void)
{
	pthread_mutex_lock(&tel_lock);
	tel_rt = NULL;
	pthread_mutex_unlock(&tel_lock);
#ifdef IXG_HAVE_PDUMP
	if (pdump_on)
		rte_pdump_uninit();
	pdump_on = 0;
#endif
}
