/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * show.c - the operator's read-only commands (`ixgatectl show ...`), served
 * by ixgate-control from its state: the running spec (names, prefixes,
 * rules) and the dataplane's counters (mapped read-only, summed here with
 * stats_sum() and read through the counter families of common/counters.h).
 * Rates come from the event loop's two samples (sum_now, sum_prev) over
 * sample_interval_s, or from a --watch session's two reads.
 *
 * One table, show_cmds[] at the end, declares every command: its name,
 * arguments, help, whether it shows counters (then --watch can repeat it
 * and its output starts with the dataplane header) and the function that
 * fills its view. Usage, argument checks, --watch and dispatch all read
 * that table. A command fills one view (view.h): typed columns and rows,
 * JSON members, text lines; view_render prints it as text or as JSON. No
 * command asks which.
 *
 * Without a dataplane the counters are shown as "-" (null in JSON) under a
 * header line that says so; config data is still shown.
 *
 * Cost: one pass over the spec's arrays per command (a full table is 1.5M
 * routes: `show routes ADDR` is a linear longest-prefix scan, measured in
 * tests/unit/control/test_show.c); sorting only what is small (ACL rules,
 * peer pairs, countries). Rendering the biggest views is measured in
 * test_show.c (test_big_views) and written in doc/ixgatectl.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "counters.h"
#include "daemon.h"
#include "ixg_json.h"
#include "rib.h"
#include "rib_table.h"
#include "session_watch.h"
#include "show_impl.h"
#include "stats.h"
#include "view.h"

#define SHOW_FIRST_PREFIXES 20 /* `show peer`: prefixes listed */
#define SHOW_TOP_DEFAULT 20 /* `matrix peers`, top destinations */
#define SHOW_TOP_COUNTRIES 8 /* `matrix countries`: grid size */
#define SHOW_GRID_MAX 10 /* wider grids do not fit SHOW_WIDTH */
#define SHOW_MORE_SPECIFICS 10 /* `show routes PREFIX` */
#define SHOW_MAX_MATCHES 192 /* covering entries: 33 + 129 + slack */

struct ctx {
	const struct ctl_state *st;
	const struct ixg_spec *spec; /* NULL without a running config */
	struct ixg_ctr_names *names; /* of spec (all unset without one) */

	/* Totals (NULL: no dataplane) and the two samples for rates (NULL:
	 * not sampled yet), each as a counter source. */
	const struct ixg_lcore_counters *c;
	const struct ixg_lcore_counters *now, *prev;
	struct ixg_ctr_src sc, snow, sprev;
	double dt;
	struct ixg_lcore_counters *sum; /* owned: the live sum */
	struct timespec ts;
	int64_t now_unix;
	/* --watch: the frame's number (0: not watching) and interval. */
	unsigned frame;
	double watch_s;

	/* Options of the command. */
	bool all;
	unsigned top;
	bool top_given;

	/* A command that fails says why here (and returns its status). */
	char err[256];
	const char *suggestion; /* NULL, or sug */
	char sug[64];
};

/* -------------------------------------------------------------- helpers */

static const char *
sav_name(unsigned m)
{
	switch (m) {
	case IXG_SAV_STRICT: return "strict";
	case IXG_SAV_LOOSE: return "loose";
	case IXG_SAV_OFF: return "off";
	case IXG_SAV_FEASIBLE: return "feasible";
	default: return "?";
	}
}

static const char *
proto_name(unsigned p)
{
	switch (p) {
	case 1: return "icmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 47: return "gre";
	case 50: return "esp";
	case 58: return "icmpv6";
	case 132: return "sctp";
	default: return NULL;
	}
}

/* Two-letter code of country index idx: "--" unknown, "??" bad. */
static const char *
cc_str(const struct ctx *x, unsigned idx, char buf[3])
{
	return ixg_ctr_country(x->names, idx, buf);
}

static const char *
port_name(const struct ctx *x, unsigned id, char *buf, size_t len)
{
	if (id < IXG_MAX_PORTS && x->names->port[id] != NULL)
		return x->names->port[id];
	snprintf(buf, len, "#%u", id);
	return buf;
}

static const char *
peer_name(const struct ctx *x, unsigned id, char *buf, size_t len)
{
	return ixg_ctr_peer_name(x->names, id, buf, len);
}

/* The ECMP group a route's peer_id names (IXG_NH_GROUP | id), NULL for a
 * peer or a group the spec lacks. */
static const struct ixg_spec_nhgroup *
spec_group(const struct ixg_spec *s, uint16_t nh)
{
	if (!(nh & IXG_NH_GROUP))
		return NULL;
	for (uint32_t i = 0; i < s->n_nhgroups; i++)
		if (s->nhgroups[i].id == (nh & ~IXG_NH_GROUP))
			return &s->nhgroups[i];
	return NULL;
}

/* A route's target: its peer's name, or its group's members ("mb, mc" or,
 * with unequal weights, "mb weight 1, mc weight 3"). */
static const char *
route_target(const struct ctx *x, uint16_t nh, char *buf, size_t len)
{
	const struct ixg_spec_nhgroup *g = spec_group(x->spec, nh);
	bool weighted = false;
	size_t l = 0;

	if (g == NULL)
		return peer_name(x, nh, buf, len);
	for (unsigned k = 1; k < g->n_members; k++)
		weighted |= g->weight[k] != g->weight[0];
	buf[0] = '\0';
	for (unsigned k = 0; k < g->n_members && l < len; k++) {
		char nb[48];

		l += (size_t)snprintf(
			buf + l, len - l, "%s%s", k ? ", " : "",
			peer_name(x, g->peer_id[k], nb, sizeof(nb)));
		if (weighted && l < len)
			l += (size_t)snprintf(buf + l, len - l, " weight %u",
					      g->weight[k]);
	}
	return buf;
}

static const char *
vlan_str(const struct ixg_spec_peer *p, char *buf, size_t len)
{
	if (p->outer_vlan != IXG_VLAN_NONE)
		snprintf(buf, len, "%u.%u", p->outer_vlan, p->vlan);
	else if (p->vlan != IXG_VLAN_NONE)
		snprintf(buf, len, "%u", p->vlan);
	else
		snprintf(buf, len, "untagged");
	return buf;
}

/* An address (network byte order) as text; buf at least 48 bytes. */
static const char *
addr_str(int family, const uint8_t *a, char *buf)
{
	if (inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf, 48) == NULL)
		snprintf(buf, 48, "?");
	return buf;
}

static const char *
hex(const uint8_t *b, size_t n, char *buf)
{
	for (size_t i = 0; i < n; i++)
		sprintf(buf + 2 * i, "%02x", b[i]);
	buf[2 * n] = '\0';
	return buf;
}

/* "file:line:col" of a spec origin, or NULL when the parsed tree is gone. */
static const char *
where(const struct ctx *x, uint32_t origin, char *buf, size_t len)
{
	if (x->st->running.conf == NULL ||
	    ixg_conf_origin(x->st->running.conf, origin, buf, len) < 0)
		return NULL;
	return buf;
}

/* A string or, when s is NULL, nothing (left out of JSON). */
static struct vval
V_STR_OR_NONE(const char *s) {
	return s != NULL ? V_STR(s) : V_NONE();
}

/* Rate between two reads of one counter (see daemon.h). Any thread. */
bool
ctl_rate(uint64_t prev, uint64_t now, double dt, double *rate)
{
	/* Counters only grow while one dataplane runs (64 bits do not wrap
	 * in centuries at line rate): going backwards means the counters
	 * were reset, and the difference would be meaningless. */
	if (!(dt > 0) || now < prev)
		return false;
	*rate = (double)(now - prev) / dt;
	return true;
}

/* ------------------------------------------------------------ counters */

/* Value of family f for entity e (sub 0 unless a reason or colour). */
static uint64_t
ctr(const struct ctx *x, unsigned f, uint32_t e, unsigned sub)
{
	return x->c != NULL ? ixg_ctr_value(&x->sc, f, e, sub) : 0;
}

/* Per-second rate of a family's value from the two samples; false when
 * there is nothing to compute it from. */
static bool
rate_of(const struct ctx *x, unsigned f, uint32_t e, unsigned sub, double *r)
{
	if (x->c == NULL || x->now == NULL || x->prev == NULL)
		return false;
	return ctl_rate(ixg_ctr_value(&x->sprev, f, e, sub),
			ixg_ctr_value(&x->snow, f, e, sub), x->dt, r);
}

/* Cells: a counter (null without a dataplane) and its rate times scale
 * (null when unknown). */
static struct vval
cnt(const struct ctx *x, unsigned f, uint32_t e, unsigned sub)
{
	return x->c != NULL ? V_U64(ctr(x, f, e, sub)) : V_NULL();
}

static struct vval
rate(const struct ctx *x, unsigned f, uint32_t e, unsigned sub, double scale)
{
	double r;

	return rate_of(x, f, e, sub, &r) ? V_DBL(r * scale) : V_NULL();
}

/* A known value or null. */
static struct vval
opt_u64(const struct ctx *x, uint64_t v)
{
	return x->c != NULL ? V_U64(v) : V_NULL();
}

static struct vval
drate(double r)
{
	return r < 0 ? V_NULL() : V_DBL(r);
}

static int fail(struct ctx *x, int status, const char *suggestion,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A command's failure: the message, shown instead of its view. */
static int
fail(struct ctx *x, int status, const char *suggestion, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->err, sizeof(x->err), fmt, ap);
	va_end(ap);
	x->suggestion = NULL;
	if (suggestion != NULL) {
		snprintf(x->sug, sizeof(x->sug), "%s", suggestion);
		x->suggestion = x->sug;
	}
	return status;
}

static int
need_spec(struct ctx *x)
{
	if (x->spec != NULL)
		return 0;
	return fail(x, 1, NULL, "no running configuration");
}

/* A route for its peer, or (ECMP) for each member of its group. */
static void
count_route(const struct ixg_spec *s, uint32_t *n, uint16_t nh)
{
	const struct ixg_spec_nhgroup *g = spec_group(s, nh);

	if (g == NULL) {
		n[nh % IXG_MAX_PEERS]++;
		return;
	}
	for (unsigned k = 0; k < g->n_members; k++)
		n[g->peer_id[k] % IXG_MAX_PEERS]++;
}

/* Prefix counts of every peer: routes (announced) and sources (allowed),
 * one pass over each array. n[0..3][id]: routes4, routes6, sources4,
 * sources6. */
static uint32_t (*prefix_counts(const struct ixg_spec *s))[IXG_MAX_PEERS]
{
	uint32_t(*n)[IXG_MAX_PEERS] = calloc(4, sizeof(*n));

	if (n == NULL)
		return NULL;
	for (uint32_t i = 0; i < s->n_routes4; i++)
		count_route(s, n[0], s->routes4[i].peer_id);
	for (uint32_t i = 0; i < s->n_routes6; i++)
		count_route(s, n[1], s->routes6[i].peer_id);
	for (uint32_t i = 0; i < s->n_sources4; i++)
		n[2][s->sources4[i].peer_id % IXG_MAX_PEERS]++;
	for (uint32_t i = 0; i < s->n_sources6; i++)
		n[3][s->sources6[i].peer_id % IXG_MAX_PEERS]++;
	return n;
}

/* ---------------------------------------------------------- peer pairs */

struct pair {
	uint32_t key;
	uint64_t packets, bytes;
	double pps, bps; /* negative: unknown */
};

static int
pair_by_key(const void *a, const void *b)
{
	uint32_t x = ((const struct pair *)a)->key;
	uint32_t y = ((const struct pair *)b)->key;

	return (x > y) - (x < y);
}

static int
pair_by_packets(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->packets != y->packets)
		return x->packets < y->packets ? 1 : -1;
	return (x->key > y->key) - (x->key < y->key);
}

/*
 * The non-zero peer pairs of a source (only those from `in` / to `out`
 * when not 0), sorted by key, through a walk of the pair families. *n is
 * the count; NULL without memory.
 */
static struct pair *
pairs_collect(const struct ctx *x, const struct ixg_ctr_src *src, uint32_t in,
	      uint32_t out, uint32_t *n)
{
	uint64_t fams = UINT64_C(1) << IXG_CF_peer_pair_packets_total;
	struct ixg_ctr_walk *w = ixg_ctr_walk_new(src, x->names, 0, fams);
	struct pair *v = NULL;
	uint32_t pos = 0, key, cap = 0;

	*n = 0;
	if (w == NULL)
		return NULL;
	while (ixg_ctr_walk_entity(w, IXG_CTR_DIM_PEER_PAIR, &pos, &key))
		cap++;
	v = malloc(sizeof(*v) * (cap ? cap : 1));
	for (pos = 0; v != NULL && ixg_ctr_walk_entity(w, IXG_CTR_DIM_PEER_PAIR,
						       &pos, &key);) {
		uint64_t pk = ixg_ctr_walk_value(
			w, IXG_CF_peer_pair_packets_total, key, 0);

		if (pk == 0 || (in != 0 && key >> 16 != in) ||
		    (out != 0 && (key & 0xffff) != out))
			continue;
		v[*n].key = key;
		v[*n].packets = pk;
		v[*n].bytes = ixg_ctr_walk_value(
			w, IXG_CF_peer_pair_bytes_total, key, 0);
		v[*n].pps = v[*n].bps = -1;
		(*n)++;
	}
	ixg_ctr_walk_free(w);
	return v;
}

/*
 * Non-zero peer pairs of x->c (only those from `in` / to `out` when not 0),
 * with rates from the samples, sorted by packets, largest first. *n is the
 * count; NULL without counters or memory.
 */
static struct pair *
pairs_top(const struct ctx *x, uint32_t in, uint32_t out, uint32_t *n)
{
	struct pair *v, *pv = NULL, *nw = NULL;
	uint32_t nv = 0, nn = 0;

	*n = 0;
	if (x->c == NULL)
		return NULL;
	v = pairs_collect(x, &x->sc, in, out, n);
	if (v == NULL)
		return NULL;
	if (x->now != NULL && x->prev != NULL && x->dt > 0) {
		/* Rates: both samples sorted by key, merged. */
		nw = pairs_collect(x, &x->snow, in, out, &nn);
		pv = pairs_collect(x, &x->sprev, in, out, &nv);
		if (nw != NULL && pv != NULL) {
			for (uint32_t i = 0; i < nn; i++) {
				struct pair *p = bsearch(&nw[i], pv, nv,
							 sizeof(*pv),
							 pair_by_key);

				/* A pair absent from the earlier read had
				 * not been seen yet: it started at 0. */
				if (!ctl_rate(p ? p->packets : 0, nw[i].packets,
					      x->dt, &nw[i].pps) ||
				    !ctl_rate(p ? p->bytes : 0, nw[i].bytes,
					      x->dt, &nw[i].bps))
					nw[i].pps = nw[i].bps = -1;
				else
					nw[i].bps *= 8.0;
			}
			for (uint32_t i = 0; i < *n; i++) {
				struct pair *p = bsearch(&v[i], nw, nn,
							 sizeof(*nw),
							 pair_by_key);

				/* Not in the later read: it had no traffic
				 * over the sampled interval. */
				v[i].pps = p ? p->pps : 0;
				v[i].bps = p ? p->bps : 0;
			}
		}
	}
	free(nw);
	free(pv);
	qsort(v, *n, sizeof(*v), pair_by_packets);
	return v;
}

/* ---------------------------------------------------------- show peers */

static int
cmd_peers(struct ctx *x, struct view *v, const char *arg)
{
	static const struct vcol cols[] = {
		{"PEER", NULL, VF_PLAIN, 0, 20},
		{">ID", "id", VF_PLAIN, 0, 0},
		{NULL, "name", VF_PLAIN, 0, 0},
		{">ASN", "asn", VF_PLAIN, 0, 0},
		{"CC", "country", VF_PLAIN, 0, 0},
		{"PORT", "port", VF_PLAIN, 0, 10},
		{">VLAN", NULL, VF_PLAIN, 0, 0},
		{NULL, "vlan", VF_PLAIN, 0, 0},
		{NULL, "outer_vlan", VF_PLAIN, 0, 0},
		{"SAV", "sav", VF_PLAIN, 0, 0},
		{">PFX-V4", "prefixes_v4", VF_PLAIN, 0, 0},
		{">PFX-V6", "prefixes_v6", VF_PLAIN, 0, 0},
		{">MACS", NULL, VF_PLAIN, 0, 0},
		{"PEER", NULL, VF_PLAIN, 1, 20},
		{">RX-PKTS", "rx_packets", VF_SI, 1, 0},
		{">RX-BYTES", "rx_bytes", VF_SI, 1, 0},
		{">RX-PPS", NULL, VF_SI, 1, 0},
		{">RX-BIT/S", NULL, VF_SI, 1, 0},
		{">TX-PKTS", "tx_packets", VF_SI, 1, 0},
		{">TX-BYTES", "tx_bytes", VF_SI, 1, 0},
		{">TX-PPS", NULL, VF_SI, 1, 0},
		{">TX-BIT/S", NULL, VF_SI, 1, 0},
		{">DROPS", "drops", VF_SI, 1, 0},
		{NULL, "rx_pps", VF_PLAIN, 1, 0},
		{NULL, "rx_bps", VF_PLAIN, 1, 0},
		{NULL, "tx_pps", VF_PLAIN, 1, 0},
		{NULL, "tx_bps", VF_PLAIN, 1, 0},
	};
	const struct ixg_spec *s = x->spec;
	uint32_t(*n)[IXG_MAX_PEERS];
	struct vtable *t;
	char b1[48], b2[48];

	(void)arg;
	if (need_spec(x))
		return 1;
	n = prefix_counts(s);
	if (n == NULL)
		return fail(x, 1, NULL, "out of memory");
	t = view_table(v, "peers", cols, sizeof(cols) / sizeof(cols[0]), 0);
	for (uint32_t i = 0; i < s->n_peers; i++) {
		const struct ixg_spec_peer *p = &s->peers[i];
		uint32_t id = p->id % IXG_MAX_PEERS;
		struct vval rx_pps = rate(x, IXG_CF_peer_received_packets_total,
					  id, 0, 1),
			    rx_bps = rate(x, IXG_CF_peer_received_bytes_total,
					  id, 0, 8),
			    tx_pps = rate(x,
					  IXG_CF_peer_transmitted_packets_total,
					  id, 0, 1),
			    tx_bps = rate(x,
					  IXG_CF_peer_transmitted_bytes_total,
					  id, 0, 8);
		struct vval row[] = {
			V_STR(p->name),
			V_U64(p->id),
			V_STR(p->name),
			V_U64(p->asn),
			V_STR(cc_str(x, p->country, b1)),
			V_STR(port_name(x, p->port_id, b2, sizeof(b2))),
			V_STR(vlan_str(p, b1 + 3, sizeof(b1) - 3)),
			V_U64(p->vlan),
			V_U64(p->outer_vlan),
			V_STR(sav_name(p->sav_mode)),
			V_U64(n[0][id]),
			V_U64(n[1][id]),
			V_U64(p->n_macs),
			V_STR(p->name),
			cnt(x, IXG_CF_peer_received_packets_total, id, 0),
			cnt(x, IXG_CF_peer_received_bytes_total, id, 0),
			rx_pps,
			rx_bps,
			cnt(x, IXG_CF_peer_transmitted_packets_total, id, 0),
			cnt(x, IXG_CF_peer_transmitted_bytes_total, id, 0),
			tx_pps,
			tx_bps,
			cnt(x, IXG_CF_peer_dropped_packets_total, id, 0),
			rx_pps,
			rx_bps,
			tx_pps,
			tx_bps,
		};

		vt_row(t);
		for (unsigned c = 0; c < sizeof(row) / sizeof(row[0]); c++)
			vt_set(t, c, row[c]);
	}
	free(n);
	return 0;
}

/* ----------------------------------------------------------- show peer */

/* The peer named `name`, or NULL and the closest name in *best. */
static const struct ixg_spec_peer *
peer_lookup(const struct ixg_spec *s, const char *name, const char **best)
{
	unsigned best_d = ~0u;

	*best = NULL;
	for (uint32_t i = 0; i < s->n_peers; i++)
		if (strcmp(s->peers[i].name, name) == 0)
			return &s->peers[i];
	for (uint32_t i = 0; i < s->n_peers; i++) {
		unsigned d = show_edit_distance(name, s->peers[i].name);

		if (d < best_d) {
			best_d = d;
			*best = s->peers[i].name;
		}
	}
	/* Suggest only what is plausibly a typo: at most a third of the
	 * name's letters wrong, and never more than 3. */
	if (*best != NULL) {
		size_t l = strlen(name);
		unsigned limit = l >= 9 ? 3 : l >= 3 ? (unsigned)(l / 3) : 0;

		if (limit == 0)
			limit = 1;
		if (best_d > limit)
			*best = NULL;
	}
	return NULL;
}

/* Up to `max` prefixes of peer `id` from routes or sources (v4 then v6):
 * elements of the open JSON array, and lines of text; then how many more
 * (text). */
static void
list_prefixes(struct view *v, const struct ixg_spec_route4 *v4, uint32_t n4,
	      const struct ixg_spec_route6 *v6, uint32_t n6, uint16_t id,
	      unsigned max, unsigned total)
{
	unsigned shown = 0;
	char b[64];

	for (uint32_t i = 0; i < n4 && shown < max; i++) {
		if (v4[i].peer_id != id)
			continue;
		show_prefix4h(b, sizeof(b), v4[i].addr, v4[i].len);
		view_json(v, NULL, V_STR(b));
		view_text(v, "%20s%s\n", "", b);
		shown++;
	}
	for (uint32_t i = 0; i < n6 && shown < max; i++) {
		if (v6[i].peer_id != id)
			continue;
		show_prefix(b, sizeof(b), 6, v6[i].addr, v6[i].len);
		view_json(v, NULL, V_STR(b));
		view_text(v, "%20s%s\n", "", b);
		shown++;
	}
	if (total > shown)
		view_text(v, "%20s... and %u more\n", "", total - shown);
}

/* Top peers a peer sends to (dir 0) or receives from (dir 1). */
static void
peer_top(struct ctx *x, struct view *v, uint16_t id, int dir, const char *title,
	 const char *jkey)
{
	static const struct vcol cols[] = {
		{"PEER", "peer", VF_PLAIN, 0, 0},
		{">PACKETS", "packets", VF_SI, 0, 0},
		{">BYTES", "bytes", VF_SI, 0, 0},
		{">PPS", "pps", VF_SI, 0, 0},
		{">BIT/S", "bps", VF_SI, 0, 0},
		{">SHARE", NULL, VF_PCT, 0, 0},
	};
	uint32_t n = 0, shown;
	struct pair *p = pairs_top(x, dir == 0 ? id : 0, dir == 1 ? id : 0, &n);
	uint64_t total = 0;
	struct vtable *t;
	char b[48];

	shown = x->all ? n : n < x->top ? n : x->top;
	for (uint32_t i = 0; i < n; i++)
		total += p[i].packets;
	view_text(v, "%s\n", title);
	if (x->c == NULL)
		view_text(v, "  -\n");
	else if (n == 0)
		view_text(v, "  (none)\n");
	t = view_table(v, jkey, cols, sizeof(cols) / sizeof(cols[0]), 2);
	vt_hide_empty(t);
	if (p == NULL)
		vt_json_null(t);
	for (uint32_t i = 0; i < shown; i++) {
		uint32_t other = dir == 0 ? p[i].key & 0xffff : p[i].key >> 16;

		vt_row(t);
		vt_set(t, 0, V_STR(peer_name(x, other, b, sizeof(b))));
		vt_set(t, 1, V_U64(p[i].packets));
		vt_set(t, 2, V_U64(p[i].bytes));
		vt_set(t, 3, drate(p[i].pps));
		vt_set(t, 4, drate(p[i].bps));
		vt_set(t, 5,
		       V_DBL(total ? 100.0 * (double)p[i].packets /
					     (double)total
				   : 0.0));
	}
	if (shown < n)
		view_text(v, "  ... and %u more (--all)\n", n - shown);
	free(p);
}

/* "received  1.23k packets, 45.6M bytes, 12 pps, 3.4 Mbit/s". */
static void
traffic_line(struct ctx *x, struct view *v, const char *label, unsigned fp,
	     unsigned fb, uint32_t id)
{
	char a[SHOW_NUM_LEN], b[SHOW_NUM_LEN], c[SHOW_NUM_LEN], d[SHOW_NUM_LEN];
	double pps, bps;

	if (x->c == NULL) {
		view_text(v, "  %-18s-\n", label);
		return;
	}
	view_text(v, "  %-18s%s packets, %s bytes", label,
		  show_si(a, (double)ctr(x, fp, id, 0)),
		  show_si(b, (double)ctr(x, fb, id, 0)));
	if (rate_of(x, fp, id, 0, &pps) && rate_of(x, fb, id, 0, &bps))
		view_text(v, ", %s pps, %s", show_si(c, pps),
			  show_bitrate(d, bps * 8));
	view_text(v, "\n");
}

static int
cmd_peer(struct ctx *x, struct view *v, const char *name)
{
	const struct ixg_spec *s = x->spec;
	const struct ixg_spec_peer *p;
	const char *best;
	uint32_t(*n)[IXG_MAX_PEERS];
	uint32_t id;
	char b1[64], b2[64], loc[256];
	/* --all: every prefix, not only the first ones. */
	unsigned first = x->all ? UINT32_MAX : SHOW_FIRST_PREFIXES;

	if (need_spec(x))
		return 1;
	p = peer_lookup(s, name, &best);
	if (p == NULL)
		return fail(x, 1, best, "no peer named '%s'", name);
	n = prefix_counts(s);
	if (n == NULL)
		return fail(x, 1, NULL, "out of memory");
	id = p->id % IXG_MAX_PEERS;

	view_obj(v, "peer");
	view_text(v, "peer %s (id %u)\n", p->name, p->id);
	view_json(v, "id", V_U64(p->id));
	view_json(v, "name", V_STR(p->name));
	view_json(v, "asn", V_U64(p->asn));
	view_text(v, "  %-18sAS%" PRIu32 "\n", "asn", p->asn);
	view_json(v, "country", V_STR(cc_str(x, p->country, b1)));
	view_text(v, "  %-18s%s\n", "country", b1);
	view_json(v, "port", V_STR(port_name(x, p->port_id, b2, sizeof(b2))));
	view_json(v, "vlan", V_U64(p->vlan));
	view_json(v, "outer_vlan", V_U64(p->outer_vlan));
	view_text(v, "  %-18s%s, vlan %s\n", "port",
		  port_name(x, p->port_id, b2, sizeof(b2)),
		  vlan_str(p, b1, sizeof(b1)));
	view_json(v, "sav", V_STR(sav_name(p->sav_mode)));
	view_json(v, "max_prefix", V_U64(p->max_prefix));
	view_arr(v, "macs");
	view_text(v, "  %-18s", "macs");
	for (unsigned i = 0; i < p->n_macs && i < IXG_MAX_PEER_MACS; i++) {
		show_mac(b1, sizeof(b1), p->macs[i]);
		view_json(v, NULL, V_STR(b1));
		view_text(v, "%s%s", i ? ", " : "", b1);
	}
	view_end(v);
	view_arr(v, "next_hops");
	view_text(v, "\n  %-18s", "next-hops");
	if (p->has_nh4) {
		view_json(v, NULL, V_STR(addr_str(4, p->nh4, b1)));
		view_text(v, "%s", b1);
	}
	if (p->has_nh6) {
		view_json(v, NULL, V_STR(addr_str(6, p->nh6, b1)));
		view_text(v, "%s%s", p->has_nh4 ? ", " : "", b1);
	}
	if (!p->has_nh4 && !p->has_nh6)
		view_text(v, "none");
	view_end(v);
	view_text(v, "\n  %-18s%s\n", "source-validation",
		  sav_name(p->sav_mode));
	if (p->max_prefix)
		view_text(v, "  %-18s%" PRIu32 "\n", "max-prefix",
			  p->max_prefix);
	else
		view_text(v, "  %-18snone\n", "max-prefix");
	if (p->rate) {
		char r[SHOW_NUM_LEN], z[SHOW_NUM_LEN];

		view_obj(v, "policer");
		view_json(v, "rate_bps", V_U64(p->rate * 8));
		view_json(v, "burst_bytes", V_U64(p->burst));
		view_end(v);
		view_text(v, "  %-18s%s, burst %s\n", "policer",
			  show_bitrate(r, (double)p->rate * 8),
			  show_size(z, p->burst));
	} else {
		view_json(v, "policer", V_NULL());
		view_text(v, "  %-18snone\n", "policer");
	}
	if (where(x, p->origin, loc, sizeof(loc))) {
		view_json(v, "where", V_STR(loc));
		view_text(v, "  %-18s%s\n", "defined at", loc);
	}
	view_obj(v, "announced");
	view_json(v, "ipv4", V_U64(n[0][id]));
	view_json(v, "ipv6", V_U64(n[1][id]));
	view_text(v, "  %-18s%" PRIu32 " IPv4, %" PRIu32 " IPv6\n", "announced",
		  n[0][id], n[1][id]);
	view_arr(v, "first");
	list_prefixes(v, s->routes4, s->n_routes4, s->routes6, s->n_routes6,
		      p->id, first, n[0][id] + n[1][id]);
	view_end(v);
	view_end(v);
	view_obj(v, "allowed_sources");
	view_json(v, "ipv4", V_U64(n[2][id]));
	view_json(v, "ipv6", V_U64(n[3][id]));
	view_text(v, "  %-18s%" PRIu32 " IPv4, %" PRIu32 " IPv6\n",
		  "allowed sources", n[2][id], n[3][id]);
	view_arr(v, "first");
	list_prefixes(v, s->sources4, s->n_sources4, s->sources6, s->n_sources6,
		      p->id, first, n[2][id] + n[3][id]);
	view_end(v);
	view_end(v);

	view_text(v, "traffic\n");
	traffic_line(x, v, "received", IXG_CF_peer_received_packets_total,
		     IXG_CF_peer_received_bytes_total, id);
	traffic_line(x, v, "sent", IXG_CF_peer_transmitted_packets_total,
		     IXG_CF_peer_transmitted_bytes_total, id);
	if (x->c == NULL) {
		view_json(v, "counters", V_NULL());
		view_text(v, "  %-18s-\n", "drops");
	} else {
		static const struct {
			const char *key;
			unsigned f;
			double scale; /* 0: the count, else its rate */
		} ctrs[] = {
			{"rx_packets", IXG_CF_peer_received_packets_total, 0},
			{"rx_bytes", IXG_CF_peer_received_bytes_total, 0},
			{"tx_packets", IXG_CF_peer_transmitted_packets_total,
			 0},
			{"tx_bytes", IXG_CF_peer_transmitted_bytes_total, 0},
			{"drops", IXG_CF_peer_dropped_packets_total, 0},
			{"rx_pps", IXG_CF_peer_received_packets_total, 1},
			{"rx_bps", IXG_CF_peer_received_bytes_total, 8},
			{"tx_pps", IXG_CF_peer_transmitted_packets_total, 1},
			{"tx_bps", IXG_CF_peer_transmitted_bytes_total, 8},
			{"drops_pps", IXG_CF_peer_dropped_packets_total, 1},
		};
		char r[SHOW_NUM_LEN];
		double pps;

		view_obj(v, "counters");
		for (size_t i = 0; i < sizeof(ctrs) / sizeof(ctrs[0]); i++)
			view_json(v, ctrs[i].key,
				  ctrs[i].scale == 0 ? cnt(x, ctrs[i].f, id, 0)
						     : rate(x, ctrs[i].f, id, 0,
							    ctrs[i].scale));
		view_end(v);
		view_text(v, "  %-18s%" PRIu64, "drops",
			  ctr(x, IXG_CF_peer_dropped_packets_total, id, 0));
		if (rate_of(x, IXG_CF_peer_dropped_packets_total, id, 0, &pps))
			view_text(v, " (%s pps)", show_si(r, pps));
		view_text(v, "\n");
	}
	peer_top(x, v, p->id, 0, "top destinations", "top_destinations");
	peer_top(x, v, p->id, 1, "top sources", "top_sources");
	view_end(v);
	free(n);
	return 0;
}

/* ---------------------------------------------------------- show routes */

enum { M_ROUTE = 0, M_BLACKHOLE = 1, M_LOCAL = 2 }; /* dataplane's tie order */

struct match {
	uint8_t kind;
	uint8_t len;
	uint32_t idx;
};

static const char *const match_kind[] = {"route", "blackhole", "local"};

static uint32_t
mask4(unsigned len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

static bool
blackhole_active(const struct ctx *x, const struct ixg_spec_blackhole *h)
{
	return h->expires == 0 || h->expires > x->now_unix;
}

/*
 * Longest-prefix match of (fam, q, qlen) over the running spec's routes,
 * blackholes and local addresses, as the dataplane's FIB resolves it (on
 * equal lengths a local address beats a blackhole beats a route; expired
 * blackholes are not in the FIB). Fills m[] with every covering entry (at
 * most SHOW_MAX_MATCHES) and ms[] with the first more-specific routes;
 * returns the number of covering entries. One linear pass: no sort.
 */
static unsigned
lpm_scan(const struct ctx *x, int fam, const uint8_t q[16], unsigned qlen,
	 struct match *m, struct match *ms, uint32_t *n_ms)
{
	const struct ixg_spec *s = x->spec;
	unsigned n = 0;

	*n_ms = 0;
	if (fam == 4) {
		uint32_t qa = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
			      (uint32_t)q[2] << 8 | q[3];
		uint32_t qm = mask4(qlen);

		for (uint32_t i = 0; i < s->n_routes4; i++) {
			const struct ixg_spec_route4 *r = &s->routes4[i];

			if (r->len <= qlen) {
				if (((r->addr ^ qa) & mask4(r->len)) == 0 &&
				    n < SHOW_MAX_MATCHES)
					m[n++] = (struct match){M_ROUTE, r->len,
								i};
			} else if (((r->addr ^ qa) & qm) == 0) {
				if (*n_ms < SHOW_MORE_SPECIFICS)
					ms[*n_ms] = (struct match){M_ROUTE,
								   r->len, i};
				(*n_ms)++;
			}
		}
	} else {
		for (uint32_t i = 0; i < s->n_routes6; i++) {
			const struct ixg_spec_route6 *r = &s->routes6[i];

			if (r->len <= qlen) {
				if (show_covers(r->addr, r->len, q, qlen) &&
				    n < SHOW_MAX_MATCHES)
					m[n++] = (struct match){M_ROUTE, r->len,
								i};
			} else if (show_covers(q, qlen, r->addr, r->len)) {
				if (*n_ms < SHOW_MORE_SPECIFICS)
					ms[*n_ms] = (struct match){M_ROUTE,
								   r->len, i};
				(*n_ms)++;
			}
		}
	}
	for (uint32_t i = 0; i < s->n_blackholes; i++) {
		const struct ixg_spec_blackhole *h = &s->blackholes[i];

		if (h->family == fam && show_covers(h->addr, h->len, q, qlen) &&
		    n < SHOW_MAX_MATCHES)
			m[n++] = (struct match){M_BLACKHOLE, h->len, i};
	}
	for (uint32_t i = 0; i < s->n_local_addrs; i++) {
		const struct ixg_spec_local_addr *l = &s->local_addrs[i];
		unsigned hl = fam == 4 ? 32 : 128;

		if (l->family == fam && show_covers(l->addr, hl, q, qlen) &&
		    n < SHOW_MAX_MATCHES)
			m[n++] = (struct match){M_LOCAL, (uint8_t)hl, i};
	}
	return n;
}

/* Most specific first; on equal length the entry the FIB keeps first. */
static int
match_cmp(const void *a, const void *b)
{
	const struct match *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? 1 : -1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? 1 : -1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Country of the query's address: longest match over the country map. */
static unsigned
country_of(const struct ixg_spec *s, int fam, const uint8_t q[16])
{
	int best = -1;
	unsigned cc = IXG_COUNTRY_UNKNOWN;

	if (fam == 4) {
		uint32_t qa = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
			      (uint32_t)q[2] << 8 | q[3];

		for (uint32_t i = 0; i < s->n_country4; i++) {
			const struct ixg_spec_country4 *c = &s->country4[i];

			if ((int)c->len > best &&
			    ((c->addr ^ qa) & mask4(c->len)) == 0) {
				best = c->len;
				cc = c->country;
			}
		}
	} else {
		for (uint32_t i = 0; i < s->n_country6; i++) {
			const struct ixg_spec_country6 *c = &s->country6[i];

			if ((int)c->len > best &&
			    show_covers(c->addr, c->len, q, 128)) {
				best = c->len;
				cc = c->country;
			}
		}
	}
	return cc;
}

static const char *
match_prefix(const struct ctx *x, int fam, const struct match *m, char *b,
	     size_t len)
{
	const struct ixg_spec *s = x->spec;

	switch (m->kind) {
	case M_ROUTE:
		if (fam == 4)
			return show_prefix4h(b, len, s->routes4[m->idx].addr,
					     m->len);
		return show_prefix(b, len, 6, s->routes6[m->idx].addr, m->len);
	case M_BLACKHOLE:
		return show_prefix(b, len, fam, s->blackholes[m->idx].addr,
				   m->len);
	default:
		return show_prefix(b, len, fam, s->local_addrs[m->idx].addr,
				   m->len);
	}
}

/* Where a match comes from: file:line:col, or the kernel route (rib.h);
 * NULL if unknown. */
static const char *
match_where(const struct ctx *x, int fam, const struct match *m,
	    uint32_t origin, char *buf, size_t len)
{
	const struct ixg_spec *s = x->spec;

	if (origin != RIB_ORIGIN_KERNEL)
		return where(x, origin, buf, len);
	if (m->kind == M_BLACKHOLE)
		return rib_where(x->st->rib, fam, s->blackholes[m->idx].addr,
				 m->len, buf, len);
	if (fam == 4) {
		uint32_t a = htonl(s->routes4[m->idx].addr);

		return rib_where(x->st->rib, 4, (const uint8_t *)&a, m->len,
				 buf, len);
	}
	return rib_where(x->st->rib, 6, s->routes6[m->idx].addr, m->len, buf,
			 len);
}

static uint32_t
match_origin(const struct ctx *x, int fam, const struct match *m)
{
	const struct ixg_spec *s = x->spec;

	switch (m->kind) {
	case M_ROUTE:
		return fam == 4 ? s->routes4[m->idx].origin
				: s->routes6[m->idx].origin;
	case M_BLACKHOLE: return s->blackholes[m->idx].origin;
	default: return s->local_addrs[m->idx].origin;
	}
}

/* What the match leads to: the peer, the blackhole's state, the port. */
static const char *
match_target(const struct ctx *x, int fam, const struct match *m, char *b,
	     size_t len)
{
	const struct ixg_spec *s = x->spec;
	char nb[48], tb[32];

	switch (m->kind) {
	case M_ROUTE: {
		char rb[256];

		snprintf(b, len, "%s",
			 route_target(x,
				      fam == 4 ? s->routes4[m->idx].peer_id
					       : s->routes6[m->idx].peer_id,
				      rb, sizeof(rb)));
		break;
	}
	case M_BLACKHOLE: {
		const struct ixg_spec_blackhole *h = &s->blackholes[m->idx];

		if (h->expires == 0)
			snprintf(b, len, "drop");
		else if (blackhole_active(x, h))
			snprintf(b, len, "drop until %s",
				 show_time(tb, sizeof(tb), h->expires));
		else
			snprintf(b, len, "expired %s (inactive)",
				 show_time(tb, sizeof(tb), h->expires));
		break;
	}
	default: {
		const struct ixg_spec_local_addr *l = &s->local_addrs[m->idx];

		if (l->vlan != IXG_VLAN_NONE)
			snprintf(b, len, "node on %s vlan %u",
				 port_name(x, l->port_id, nb, sizeof(nb)),
				 l->vlan);
		else
			snprintf(b, len, "node on %s",
				 port_name(x, l->port_id, nb, sizeof(nb)));
		break;
	}
	}
	return b;
}

static int
routes_summary(struct ctx *x, struct view *v)
{
	static const struct vcol cols[] = {
		{"PEER", "peer", VF_PLAIN, 0, 31},
		{">ASN", "asn", VF_PLAIN, 0, 0},
		{">ROUTES-V4", "routes_v4", VF_PLAIN, 0, 0},
		{">ROUTES-V6", "routes_v6", VF_PLAIN, 0, 0},
		{">SOURCES-V4", "sources_v4", VF_PLAIN, 0, 0},
		{">SOURCES-V6", "sources_v6", VF_PLAIN, 0, 0},
	};
	const struct ixg_spec *s = x->spec;
	uint32_t(*n)[IXG_MAX_PEERS] = prefix_counts(s);
	uint32_t active = 0;
	struct vtable *t;

	if (n == NULL)
		return fail(x, 1, NULL, "out of memory");
	for (uint32_t i = 0; i < s->n_blackholes; i++)
		active += blackhole_active(x, &s->blackholes[i]);
	view_json(v, "routes_v4", V_U64(s->n_routes4));
	view_json(v, "routes_v6", V_U64(s->n_routes6));
	view_json(v, "sources_v4", V_U64(s->n_sources4));
	view_json(v, "sources_v6", V_U64(s->n_sources6));
	view_json(v, "blackholes", V_U64(s->n_blackholes));
	view_json(v, "blackholes_active", V_U64(active));
	view_json(v, "local_addresses", V_U64(s->n_local_addrs));
	view_text(v,
		  "%" PRIu32 " IPv4 and %" PRIu32 " IPv6 routes, "
		  "%" PRIu32 " blackholes (%" PRIu32 " active), "
		  "%" PRIu32 " local addresses\n\n",
		  s->n_routes4, s->n_routes6, s->n_blackholes, active,
		  s->n_local_addrs);
	t = view_table(v, "peers", cols, sizeof(cols) / sizeof(cols[0]), 0);
	for (uint32_t i = 0; i < s->n_peers; i++) {
		const struct ixg_spec_peer *p = &s->peers[i];
		uint32_t id = p->id % IXG_MAX_PEERS;

		vt_row(t);
		vt_set(t, 0, V_STR(p->name));
		vt_set(t, 1, V_U64(p->asn));
		for (unsigned k = 0; k < 4; k++)
			vt_set(t, 2 + k, V_U64(n[k][id]));
	}
	free(n);
	return 0;
}

static int
cmd_routes(struct ctx *x, struct view *v, const char *arg)
{
	static const struct vcol match_cols[] = {
		{"", NULL, VF_PLAIN, 0, 0},
		{"PREFIX", "prefix", VF_PLAIN, 0, 0},
		{"KIND", "kind", VF_PLAIN, 0, 0},
		{"TARGET", NULL, VF_PLAIN, 0, 0},
		{NULL, "peer", VF_PLAIN, 0, 0},
		{NULL, "active", VF_PLAIN, 0, 0},
		{NULL, "expires", VF_PLAIN, 0, 0},
		{NULL, "target", VF_PLAIN, 0, 0},
		{NULL, "selected", VF_PLAIN, 0, 0},
		{"WHERE", NULL, VF_PLAIN, 0, 0},
		{NULL, "where", VF_PLAIN, 0, 0},
	};
	static const struct vcol ms_cols[] = {
		{"PREFIX", "prefix", VF_PLAIN, 0, 0},
		{"PEER", "peer", VF_PLAIN, 0, 0},
	};
	const struct ixg_spec *s = x->spec;
	struct match m[SHOW_MAX_MATCHES], ms[SHOW_MORE_SPECIFICS];
	const struct match *best = NULL;
	const struct ixg_spec_peer *egress = NULL;
	const struct ixg_spec_nhgroup *group = NULL;
	struct vtable *t;
	uint8_t q[16];
	unsigned qlen, nm;
	uint32_t n_ms;
	int fam;
	char qs[64], b[96], tb[96], loc[256], cc[3];
	const char *verdict;

	if (need_spec(x))
		return 1;
	if (arg == NULL)
		return routes_summary(x, v);
	if (show_parse_prefix(arg, &fam, q, &qlen) < 0)
		return fail(x, 2, NULL,
			    "'%s' is not an IPv4 or IPv6 address "
			    "or prefix",
			    arg);
	show_prefix(qs, sizeof(qs), fam, q, qlen);
	nm = lpm_scan(x, fam, q, qlen, m, ms, &n_ms);
	qsort(m, nm, sizeof(m[0]), match_cmp);
	for (unsigned i = 0; i < nm && best == NULL; i++)
		if (m[i].kind != M_BLACKHOLE ||
		    blackhole_active(x, &s->blackholes[m[i].idx]))
			best = &m[i];
	if (best == NULL)
		verdict = "no_route";
	else if (best->kind == M_BLACKHOLE)
		verdict = "blackhole";
	else if (best->kind == M_LOCAL)
		verdict = "local";
	else
		verdict = "forward";
	if (best != NULL && best->kind == M_ROUTE) {
		uint16_t nh = fam == 4 ? s->routes4[best->idx].peer_id
				       : s->routes6[best->idx].peer_id;

		group = spec_group(s, nh);
		if (group == NULL)
			egress = ixg_spec_peer_by_id(s, nh);
	}
	cc_str(x, country_of(s, fam, q), cc);

	view_json(v, "query", V_STR(qs));
	view_json(v, "family", V_U64((uint64_t)fam));
	view_json(v, "verdict", V_STR(verdict));
	view_json(v, "country", V_STR(cc));
	view_json(v, "best",
		  best != NULL ? V_STR(match_prefix(x, fam, best, b, sizeof(b)))
			       : V_NULL());
	if (egress != NULL) {
		view_obj(v, "egress");
		view_json(v, "peer", V_STR(egress->name));
		view_json(v, "asn", V_U64(egress->asn));
		view_json(v, "country", V_STR(cc_str(x, egress->country, tb)));
		view_json(v, "port",
			  V_STR(port_name(x, egress->port_id, tb, sizeof(tb))));
		view_json(v, "vlan", V_U64(egress->vlan));
		view_end(v);
	} else {
		view_json(v, "egress", V_NULL());
	}
	if (group != NULL) {
		/* ECMP: the members a flow hash chooses from */
		view_obj(v, "ecmp");
		view_json(v, "group", V_U64(group->id));
		view_arr(v, "members");
		for (unsigned k = 0; k < group->n_members; k++) {
			const struct ixg_spec_peer *p = ixg_spec_peer_by_id(
				s, group->peer_id[k]);

			view_obj(v, NULL);
			view_json(v, "peer",
				  V_STR(p != NULL ? p->name : "unknown"));
			view_json(v, "weight", V_U64(group->weight[k]));
			if (p != NULL)
				view_json(v, "port",
					  V_STR(port_name(x, p->port_id, tb,
							  sizeof(tb))));
			view_end(v);
		}
		view_end(v);
		view_end(v);
	}

	view_text(v, "%s (country %s)\n", qs, cc);
	if (best == NULL) {
		view_text(v, "  drop: no route (reason no_route)\n");
	} else if (best->kind == M_BLACKHOLE) {
		view_text(v, "  drop: blackhole %s (reason blackhole)\n",
			  match_prefix(x, fam, best, b, sizeof(b)));
	} else if (best->kind == M_LOCAL) {
		view_text(v,
			  "  local: address of the %s, answered by the "
			  "node\n",
			  match_target(x, fam, best, tb, sizeof(tb)));
	} else if (egress != NULL) {
		char vb[32];

		view_text(v, "  forward to %s (AS%" PRIu32 ", %s)\n",
			  egress->name, egress->asn,
			  cc_str(x, egress->country, cc));
		view_text(v, "  egress %s vlan %s, route %s\n",
			  port_name(x, egress->port_id, tb, sizeof(tb)),
			  vlan_str(egress, vb, sizeof(vb)),
			  match_prefix(x, fam, best, b, sizeof(b)));
	} else if (group != NULL) {
		char gb[256];

		view_text(v, "  forward to one of %s (ECMP, by flow hash)\n",
			  route_target(x, (uint16_t)(IXG_NH_GROUP | group->id),
				       gb, sizeof(gb)));
		view_text(v, "  next-hop group %u, route %s\n", group->id,
			  match_prefix(x, fam, best, b, sizeof(b)));
	}

	if (nm > 0)
		view_text(v, "\ncovering entries, most specific first ('*' is "
			     "selected):\n");
	t = view_table(v, "matches", match_cols,
		       sizeof(match_cols) / sizeof(match_cols[0]), 2);
	vt_hide_empty(t);
	for (unsigned i = 0; i < nm; i++) {
		const char *w = match_where(x, fam, &m[i],
					    match_origin(x, fam, &m[i]), loc,
					    sizeof(loc));

		vt_row(t);
		vt_set(t, 0, V_STR(&m[i] == best ? "*" : ""));
		vt_set(t, 1, V_STR(match_prefix(x, fam, &m[i], b, sizeof(b))));
		vt_set(t, 2, V_STR(match_kind[m[i].kind]));
		match_target(x, fam, &m[i], tb, sizeof(tb));
		vt_set(t, 3, V_STR(tb));
		if (m[i].kind == M_ROUTE) {
			vt_set(t, 4, V_STR(tb));
		} else if (m[i].kind == M_BLACKHOLE) {
			const struct ixg_spec_blackhole *h =
				&s->blackholes[m[i].idx];

			vt_set(t, 5, V_BOOL(blackhole_active(x, h)));
			vt_set(t, 6,
			       h->expires ? V_STR(show_time(tb, sizeof(tb),
							    h->expires))
					  : V_NULL());
		} else {
			vt_set(t, 7, V_STR(tb));
		}
		vt_set(t, 8, V_BOOL(&m[i] == best));
		vt_set(t, 9, V_STR(w != NULL ? w : ""));
		vt_set(t, 10, V_STR_OR_NONE(w));
	}
	{
		/* The kernel's route for exactly this prefix, merged or not
		 * (unresolved, filtered, beaten by config...). */
		const char *kw = rib_where(x->st->rib, fam, q, qlen, loc,
					   sizeof(loc));

		view_json(v, "kernel", V_STR_OR_NONE(kw));
		if (kw != NULL)
			view_text(v, "\nkernel route for %s: %s\n", qs, kw);
	}
	view_json(v, "more_specifics", V_U64(n_ms));
	if (n_ms > 0)
		view_text(v,
			  "\n%" PRIu32 " more specific route%s inside %s"
			  ":\n",
			  n_ms, n_ms == 1 ? "" : "s", qs);
	t = view_table(v, "more_specific_routes", ms_cols, 2, 2);
	vt_hide_empty(t);
	for (uint32_t i = 0; i < n_ms && i < SHOW_MORE_SPECIFICS; i++) {
		vt_row(t);
		vt_set(t, 0, V_STR(match_prefix(x, fam, &ms[i], b, sizeof(b))));
		vt_set(t, 1,
		       V_STR(match_target(x, fam, &ms[i], tb, sizeof(tb))));
	}
	if (n_ms > SHOW_MORE_SPECIFICS)
		view_text(v, "  ... and %" PRIu32 " more\n",
			  n_ms - SHOW_MORE_SPECIFICS);
	return 0;
}

static int
cmd_kernel_routes(struct ctx *x, struct view *v, const char *arg)
{
	(void)arg;
	return rib_show(x->st->rib, x->spec, v);
}

static int
cmd_sessions(struct ctx *x, struct view *v, const char *arg)
{
	const struct session_watch *w = rib_sessions(x->st->rib);

	(void)arg;
	if (w == NULL) {
		view_text(v, "sessions: not watched\n");
		view_json(v, "enabled", V_BOOL(false));
		return 0;
	}
	return session_watch_show(w, v);
}

/* ------------------------------------------------------------- show acl */

static int
rule_cmp(const void *a, const void *b)
{
	const struct ixg_spec_acl_rule *x = *(
		const struct ixg_spec_acl_rule *const *)a;
	const struct ixg_spec_acl_rule *y = *(
		const struct ixg_spec_acl_rule *const *)b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

static const char *
rule_action(const struct ixg_spec *s, const struct ixg_spec_acl_rule *r,
	    char *b, size_t len)
{
	const struct ixg_spec_class *c;

	switch (r->action) {
	case IXG_ACL_PERMIT: return "permit";
	case IXG_ACL_DENY: return "deny";
	case IXG_ACL_CLASS:
		c = ixg_spec_class_by_id(s, r->class_id);
		if (c != NULL)
			snprintf(b, len, "class %s", c->name);
		else
			snprintf(b, len, "class #%u", r->class_id);
		return b;
	case IXG_ACL_REMARK:
		snprintf(b, len, "remark %u", r->remark_dscp);
		return b;
	default: return "?";
	}
}

/* "ipv4 from X proto udp src P dst P sport A-B dport A-B dscp N". */
static const char *
rule_match(const struct ctx *x, const struct ixg_spec_acl_rule *r, char *b,
	   size_t len)
{
	size_t o = 0;
	char pb[64], nb[48];

#define ADD(...)                                                               \
	(o += (size_t)snprintf(b + o, o < len ? len - o : 0, __VA_ARGS__))
	b[0] = '\0';
	ADD("ipv%u", r->family);
	if (r->in_peer != IXG_PEER_NONE)
		ADD(" from %s", peer_name(x, r->in_peer, nb, sizeof(nb)));
	if (r->proto_mask) {
		const char *pn = proto_name(r->proto);

		if (pn != NULL)
			ADD(" proto %s", pn);
		else
			ADD(" proto %u", r->proto);
	}
	if (r->src_len)
		ADD(" src %s",
		    show_prefix(pb, sizeof(pb), r->family, r->src, r->src_len));
	if (r->dst_len)
		ADD(" dst %s",
		    show_prefix(pb, sizeof(pb), r->family, r->dst, r->dst_len));
	if (r->sport_lo != 0 || r->sport_hi != 65535) {
		if (r->sport_lo == r->sport_hi)
			ADD(" sport %u", r->sport_lo);
		else
			ADD(" sport %u-%u", r->sport_lo, r->sport_hi);
	}
	if (r->dport_lo != 0 || r->dport_hi != 65535) {
		if (r->dport_lo == r->dport_hi)
			ADD(" dport %u", r->dport_lo);
		else
			ADD(" dport %u-%u", r->dport_lo, r->dport_hi);
	}
	if (!r->dscp_any)
		ADD(" dscp %u", r->dscp);
#undef ADD
	return b;
}

static int
cmd_acl(struct ctx *x, struct view *v, const char *arg)
{
	static const struct vcol cols[] = {
		{">PRIO", NULL, VF_PLAIN, 0, 0},
		{">ID", "id", VF_PLAIN, 0, 0},
		{NULL, "priority", VF_PLAIN, 0, 0},
		{"NAME", NULL, VF_PLAIN, 0, 20},
		{NULL, "name", VF_PLAIN, 0, 0},
		{NULL, "family", VF_PLAIN, 0, 0},
		{NULL, "from", VF_PLAIN, 0, 0},
		{NULL, "protocol", VF_PLAIN, 0, 0},
		{NULL, "source", VF_PLAIN, 0, 0},
		{NULL, "destination", VF_PLAIN, 0, 0},
		{NULL, "source_ports", VF_PLAIN, 0, 0},
		{NULL, "destination_ports", VF_PLAIN, 0, 0},
		{NULL, "dscp", VF_PLAIN, 0, 0},
		{"ACTION", "action", VF_PLAIN, 0, 20},
		{NULL, "where", VF_PLAIN, 0, 0},
		{">HITS", "hits", VF_SI, 0, 0},
		{">HITS/S", "hits_per_s", VF_SI, 0, 0},
		{"MATCH", NULL, VF_PLAIN, 0, 0},
	};
	const struct ixg_spec *s = x->spec;
	const struct ixg_spec_acl_rule **rv;
	char ab[64], mb[256], loc[256], nb[48];
	struct vtable *t;

	(void)arg;
	if (need_spec(x))
		return 1;
	rv = malloc(sizeof(*rv) * (s->n_acl_rules + 1));
	if (rv == NULL)
		return fail(x, 1, NULL, "out of memory");
	for (uint32_t i = 0; i < s->n_acl_rules; i++)
		rv[i] = &s->acl_rules[i];
	qsort(rv, s->n_acl_rules, sizeof(*rv), rule_cmp);
	t = view_table(v, "rules", cols, sizeof(cols) / sizeof(cols[0]), 0);
	for (uint32_t i = 0; i < s->n_acl_rules; i++) {
		const struct ixg_spec_acl_rule *r = rv[i];
		uint32_t id = r->id % IXG_MAX_ACL_RULES;
		const unsigned f = IXG_CF_acl_rule_matched_packets_total;
		const char *w = where(x, r->origin, loc, sizeof(loc));
		char sp[32], dp[32];

		snprintf(sp, sizeof(sp), "[%u,%u]", r->sport_lo, r->sport_hi);
		snprintf(dp, sizeof(dp), "[%u,%u]", r->dport_lo, r->dport_hi);
		vt_row(t);
		vt_set(t, 0, V_U64(r->priority));
		vt_set(t, 1, V_U64(r->id));
		vt_set(t, 2, V_U64(r->priority));
		vt_set(t, 3, V_STR(r->name[0] ? r->name : "-"));
		vt_set(t, 4, V_STR(r->name));
		vt_set(t, 5, V_U64(r->family));
		vt_set(t, 6,
		       r->in_peer != IXG_PEER_NONE
			       ? V_STR(peer_name(x, r->in_peer, nb, sizeof(nb)))
			       : V_NULL());
		vt_set(t, 7, r->proto_mask ? V_U64(r->proto) : V_NULL());
		vt_set(t, 8,
		       r->src_len ? V_STR(show_prefix(mb, sizeof(mb), r->family,
						      r->src, r->src_len))
				  : V_NULL());
		vt_set(t, 9,
		       r->dst_len ? V_STR(show_prefix(mb, sizeof(mb), r->family,
						      r->dst, r->dst_len))
				  : V_NULL());
		vt_set(t, 10, V_RAW(sp));
		vt_set(t, 11, V_RAW(dp));
		vt_set(t, 12, r->dscp_any ? V_NULL() : V_U64(r->dscp));
		vt_set(t, 13, V_STR(rule_action(s, r, ab, sizeof(ab))));
		vt_set(t, 14, V_STR_OR_NONE(w));
		vt_set(t, 15, cnt(x, f, id, 0));
		vt_set(t, 16, rate(x, f, id, 0, 1));
		vt_set(t, 17, V_STR(rule_match(x, r, mb, sizeof(mb))));
	}
	if (s->n_acl_rules == 0)
		view_text(v, "no ACL rules: every packet is permitted\n");
	free(rv);
	return 0;
}

/* --------------------------------------------------------- show classes */

static const char *
meter_action(unsigned a, unsigned dscp, char *b, size_t len)
{
	switch (a) {
	case IXG_METER_PASS: return "pass";
	case IXG_METER_DROP: return "drop";
	case IXG_METER_REMARK: snprintf(b, len, "remark %u", dscp); return b;
	default: return "?";
	}
}

/* {"action":"remark","dscp":8}: the JSON of a meter action. */
static const char *
meter_json(unsigned a, unsigned dscp, char *b, size_t len)
{
	const char *name = a == IXG_METER_PASS	   ? "pass"
			   : a == IXG_METER_DROP   ? "drop"
			   : a == IXG_METER_REMARK ? "remark"
						   : "?";

	if (a == IXG_METER_REMARK)
		snprintf(b, len, "{\"action\":\"%s\",\"dscp\":%u}", name, dscp);
	else
		snprintf(b, len, "{\"action\":\"%s\"}", name);
	return b;
}

static int
cmd_classes(struct ctx *x, struct view *v, const char *arg)
{
	enum {
		C_CLASS,
		C_ID,
		C_NAME,
		C_CIR,
		C_CIR_J,
		C_CBS,
		C_CBS_J,
		C_PIR,
		C_PIR_J,
		C_PBS,
		C_PBS_J,
		C_YELLOW,
		C_YELLOW_J,
		C_RED,
		C_RED_J,
		C_WHERE,
		C_GREEN_T,
		C_COUNTS = C_GREEN_T + 3,
	};
	static const struct vcol cols[] = {
		[C_CLASS] = {"CLASS", NULL, VF_PLAIN, 0, 14},
		[C_ID] = {NULL, "id", VF_PLAIN, 0, 0},
		[C_NAME] = {NULL, "name", VF_PLAIN, 0, 0},
		[C_CIR] = {">CIR", NULL, VF_PLAIN, 0, 0},
		[C_CIR_J] = {NULL, "cir_bps", VF_PLAIN, 0, 0},
		[C_CBS] = {">CBS", NULL, VF_PLAIN, 0, 0},
		[C_CBS_J] = {NULL, "cbs_bytes", VF_PLAIN, 0, 0},
		[C_PIR] = {">PIR", NULL, VF_PLAIN, 0, 0},
		[C_PIR_J] = {NULL, "pir_bps", VF_PLAIN, 0, 0},
		[C_PBS] = {">PBS", NULL, VF_PLAIN, 0, 0},
		[C_PBS_J] = {NULL, "pbs_bytes", VF_PLAIN, 0, 0},
		[C_YELLOW] = {"ON-YELLOW", NULL, VF_PLAIN, 0, 0},
		[C_YELLOW_J] = {NULL, "yellow", VF_PLAIN, 0, 0},
		[C_RED] = {"ON-RED", NULL, VF_PLAIN, 0, 0},
		[C_RED_J] = {NULL, "red", VF_PLAIN, 0, 0},
		[C_WHERE] = {NULL, "where", VF_PLAIN, 0, 0},
		[C_GREEN_T] = {">GREEN", NULL, VF_SI, 0, 0},
		[C_GREEN_T + 1] = {">YELLOW", NULL, VF_SI, 0, 0},
		[C_GREEN_T + 2] = {">RED", NULL, VF_SI, 0, 0},
		[C_COUNTS] = {NULL, "green_packets", VF_PLAIN, 0, 0},
		[C_COUNTS + 1] = {NULL, "green_pps", VF_PLAIN, 0, 0},
		[C_COUNTS + 2] = {NULL, "yellow_packets", VF_PLAIN, 0, 0},
		[C_COUNTS + 3] = {NULL, "yellow_pps", VF_PLAIN, 0, 0},
		[C_COUNTS + 4] = {NULL, "red_packets", VF_PLAIN, 0, 0},
		[C_COUNTS + 5] = {NULL, "red_pps", VF_PLAIN, 0, 0},
	};
	const unsigned f = IXG_CF_class_packets_total;
	const struct ixg_spec *s = x->spec;
	char b1[SHOW_NUM_LEN], loc[256], jb[64];
	struct vtable *t;

	(void)arg;
	if (need_spec(x))
		return 1;
	t = view_table(v, "classes", cols, sizeof(cols) / sizeof(cols[0]), 0);
	/* Class 0: the default class, metered per peer `rate`. */
	for (int64_t i = -1; i < (int64_t)s->n_classes; i++) {
		const struct ixg_spec_class *k = i >= 0 ? &s->classes[i] : NULL;
		unsigned id = k ? k->id % IXG_MAX_CLASSES : 0;

		vt_row(t);
		vt_set(t, C_CLASS, V_STR(k ? k->name : "default"));
		vt_set(t, C_ID, V_U64(id));
		vt_set(t, C_NAME, V_STR(k ? k->name : "default"));
		if (k == NULL) {
			/* Metered per peer (`rate`), not per class. */
			vt_set(t, C_CIR, V_STR("-"));
			vt_set(t, C_CBS, V_STR("-"));
			vt_set(t, C_PIR, V_STR("-"));
			vt_set(t, C_PBS, V_STR("-"));
			vt_set(t, C_YELLOW, V_STR("pass"));
			vt_set(t, C_RED, V_STR("drop"));
		} else {
			const char *w = where(x, k->origin, loc, sizeof(loc));

			vt_set(t, C_CIR,
			       V_STR(show_bitrate(b1, (double)k->cir * 8)));
			vt_set(t, C_CIR_J, V_U64(k->cir * 8));
			vt_set(t, C_CBS, V_STR(show_size(b1, k->cbs)));
			vt_set(t, C_CBS_J, V_U64(k->cbs));
			vt_set(t, C_PIR,
			       V_STR(show_bitrate(b1, (double)k->pir * 8)));
			vt_set(t, C_PIR_J, V_U64(k->pir * 8));
			vt_set(t, C_PBS, V_STR(show_size(b1, k->pbs)));
			vt_set(t, C_PBS_J, V_U64(k->pbs));
			vt_set(t, C_YELLOW,
			       V_STR(meter_action(k->yellow_action,
						  k->yellow_dscp, b1,
						  sizeof(b1))));
			vt_set(t, C_YELLOW_J,
			       V_RAW(meter_json(k->yellow_action,
						k->yellow_dscp, jb,
						sizeof(jb))));
			vt_set(t, C_RED,
			       V_STR(meter_action(k->red_action, k->red_dscp,
						  b1, sizeof(b1))));
			vt_set(t, C_RED_J,
			       V_RAW(meter_json(k->red_action, k->red_dscp, jb,
						sizeof(jb))));
			vt_set(t, C_WHERE, V_STR_OR_NONE(w));
		}
		for (unsigned c = 0; c < 3; c++) {
			vt_set(t, C_GREEN_T + c, cnt(x, f, id, c));
			vt_set(t, C_COUNTS + 2 * c, cnt(x, f, id, c));
			vt_set(t, C_COUNTS + 2 * c + 1, rate(x, f, id, c, 1));
		}
	}
	return 0;
}

/* ------------------------------------------------------ show blackholes */

/*
 * What each blackhole dropped by member (the blackhole x ingress peer
 * counters), rows in (blackhole id, peer) order, after the blackholes.
 */
static void
blackholes_by_peer(struct ctx *x, struct view *v)
{
	static const struct vcol cols[] = {
		{"PREFIX", "prefix", VF_PLAIN, 0, 0},
		{NULL, "id", VF_PLAIN, 0, 0},
		{"PEER", "peer", VF_PLAIN, 0, 0},
		{">PACKETS", "packets", VF_PLAIN, 0, 0},
		{">BYTES", "bytes", VF_PLAIN, 0, 0},
	};
	const unsigned fp = IXG_CF_blackhole_peer_dropped_packets_total;
	const unsigned fb = IXG_CF_blackhole_peer_dropped_bytes_total;
	uint64_t fams = UINT64_C(1) << fp | UINT64_C(1) << fb;
	struct ixg_ctr_walk *w;
	struct vtable *t;
	uint32_t pos = 0, key, n = 0;
	char pb[2 * IXG_NAME_LEN + 8], nb[IXG_NAME_LEN + 8];

	if (x->c == NULL)
		return;
	w = ixg_ctr_walk_new(&x->sc, x->names, 0, fams);
	if (w == NULL)
		return;
	while (ixg_ctr_walk_entity(w, IXG_CTR_DIM_BLACKHOLE_PEER, &pos, &key))
		n += ixg_ctr_walk_value(w, fp, key, 0) != 0;
	if (n > 0)
		view_text(v, "dropped by member:\n");
	t = view_table(v, "by_peer", cols, sizeof(cols) / sizeof(cols[0]), 2);
	for (pos = 0;
	     ixg_ctr_walk_entity(w, IXG_CTR_DIM_BLACKHOLE_PEER, &pos, &key);) {
		uint64_t pk = ixg_ctr_walk_value(w, fp, key, 0);

		if (pk == 0)
			continue;
		vt_row(t);
		vt_set(t, 0,
		       V_STR(ixg_ctr_entity_name(w, IXG_CTR_DIM_BLACKHOLE,
						 IXG_BH_PEER_ID(key), pb,
						 sizeof(pb))));
		vt_set(t, 1, V_U64(IXG_BH_PEER_ID(key)));
		vt_set(t, 2,
		       V_STR(peer_name(x, IXG_BH_PEER_PEER(key), nb,
				       sizeof(nb))));
		vt_set(t, 3, V_U64(pk));
		vt_set(t, 4, V_U64(ixg_ctr_walk_value(w, fb, key, 0)));
	}
	vt_hide_empty(t);
	ixg_ctr_walk_free(w);
}

static int
cmd_blackholes(struct ctx *x, struct view *v, const char *arg)
{
	static const struct vcol cols[] = {
		{"PREFIX", "prefix", VF_PLAIN, 0, 0},
		{NULL, "family", VF_PLAIN, 0, 0},
		{"EXPIRES", NULL, VF_PLAIN, 0, 0},
		{NULL, "expires", VF_PLAIN, 0, 0},
		{">REMAINING", NULL, VF_PLAIN, 0, 0},
		{NULL, "remaining_s", VF_PLAIN, 0, 0},
		{"STATE", NULL, VF_PLAIN, 0, 0},
		{NULL, "active", VF_PLAIN, 0, 0},
		{NULL, "id", VF_PLAIN, 0, 0},
		{">DROPPED", "dropped_packets", VF_PLAIN, 0, 0},
		{">BYTES", "dropped_bytes", VF_PLAIN, 0, 0},
		{">PPS", "dropped_pps", VF_SI, 0, 0},
		{"WHERE", NULL, VF_PLAIN, 0, 0},
		{NULL, "where", VF_PLAIN, 0, 0},
	};
	const unsigned f = IXG_CF_dropped_packets_total;
	const unsigned fp = IXG_CF_blackhole_dropped_packets_total;
	const unsigned fb = IXG_CF_blackhole_dropped_bytes_total;
	const struct ixg_spec *s = x->spec;
	char b[64], tb[32], db[SHOW_NUM_LEN], loc[256];
	struct vtable *t;

	(void)arg;
	if (need_spec(x))
		return 1;
	t = view_table(v, "blackholes", cols, sizeof(cols) / sizeof(cols[0]),
		       0);
	vt_hide_empty(t);
	for (uint32_t i = 0; i < s->n_blackholes; i++) {
		const struct ixg_spec_blackhole *h = &s->blackholes[i];
		const char *w = h->origin == RIB_ORIGIN_KERNEL
					? rib_bh_origin(x->st, h, loc,
							sizeof(loc))
					: where(x, h->origin, loc, sizeof(loc));

		vt_row(t);
		vt_set(t, 0,
		       V_STR(show_prefix(b, sizeof(b), h->family, h->addr,
					 h->len)));
		vt_set(t, 1, V_U64(h->family));
		if (h->expires) {
			show_time(tb, sizeof(tb), h->expires);
			vt_set(t, 2, V_STR(tb));
			vt_set(t, 3, V_STR(tb));
			vt_set(t, 4,
			       V_STR(show_duration(db,
						   h->expires - x->now_unix)));
			vt_set(t, 5,
			       V_I64(h->expires > x->now_unix
					     ? h->expires - x->now_unix
					     : 0));
		} else {
			vt_set(t, 2, V_STR("never"));
			vt_set(t, 3, V_NULL());
			vt_set(t, 4, V_STR("-"));
			vt_set(t, 5, V_NULL());
		}
		vt_set(t, 6,
		       V_STR(blackhole_active(x, h) ? "active" : "expired"));
		vt_set(t, 7, V_BOOL(blackhole_active(x, h)));
		vt_set(t, 8, V_U64(h->id));
		vt_set(t, 9, cnt(x, fp, h->id, 0));
		vt_set(t, 10, cnt(x, fb, h->id, 0));
		vt_set(t, 11, rate(x, fp, h->id, 0, 1));
		vt_set(t, 12, V_STR(w != NULL ? w : ""));
		vt_set(t, 13, V_STR_OR_NONE(w));
	}
	if (s->n_blackholes == 0)
		view_text(v, "no blackholes\n");
	/* Every blackhole drop, whichever prefix (one that a blackhole
	 * removed since dropped is in here, no longer in the table). */
	view_json(v, "dropped_packets", cnt(x, f, 0, IXG_DROP_BLACKHOLE));
	view_json(v, "dropped_pps", rate(x, f, 0, IXG_DROP_BLACKHOLE, 1));
	if (x->c == NULL) {
		view_text(v, "dropped to blackholes: -\n");
	} else {
		double r;

		view_text(v,
			  "dropped to blackholes (all prefixes): %" PRIu64
			  " packets",
			  ctr(x, f, 0, IXG_DROP_BLACKHOLE));
		if (rate_of(x, f, 0, IXG_DROP_BLACKHOLE, &r))
			view_text(v, ", %s pps", show_si(db, r));
		view_text(v, "\n");
	}
	blackholes_by_peer(x, v);
	return 0;
}

/* ------------------------------------------------------ show neighbours */

/* Names of the neighbour states, as the dataplane's neigh.h numbers them
 * (IXG_CTR_NEIGH's state gauge). */
static const char *const neigh_states[] = {
	"NONE",	 "INCOMPLETE", "REACHABLE", "STALE",
	"PROBE", "FAILED",     "PERMANENT",
};

/*
 * Every member next hop like `ip neigh`: address, port/VLAN, MAC, state,
 * member, time since the last confirmation, probes; from the spec and
 * the neighbour counter family (doc/neighbours.md). A member whose
 * neighbour failed its refresh is UNREACHABLE (its kernel routes of the
 * family not forwarded), as the dataplane last said (lladdr_watch.h).
 * Then the members' link-local addresses learned from ND.
 */
static int
cmd_neighbours(struct ctx *x, struct view *v, const char *arg)
{
	enum {
		C_ADDR,
		C_FAMILY,
		C_PORT,
		C_VLAN,
		C_MAC,
		C_STATE,
		C_PEER,
		C_MODE,
		C_AGE,
		C_AGE_S,
		C_PROBES,
		C_REPLIES,
		C_CHANGES,
		C_MEMBER,
		C_UNREACH,
	};
	static const struct vcol cols[] = {
		[C_ADDR] = {"ADDRESS", "address", VF_PLAIN, 0, 0},
		[C_FAMILY] = {NULL, "family", VF_PLAIN, 0, 0},
		[C_PORT] = {"PORT", "port", VF_PLAIN, 0, 0},
		[C_VLAN] = {NULL, "vlan", VF_PLAIN, 0, 0},
		[C_MAC] = {"MAC", "mac", VF_PLAIN, 0, 0},
		[C_STATE] = {"STATE", "state", VF_PLAIN, 0, 0},
		[C_PEER] = {"PEER", "peer", VF_PLAIN, 0, 0},
		[C_MODE] = {NULL, "neighbour", VF_PLAIN, 0, 0},
		[C_AGE] = {">CONFIRMED", NULL, VF_PLAIN, 0, 0},
		[C_AGE_S] = {NULL, "confirmed_ago_s", VF_PLAIN, 0, 0},
		[C_PROBES] = {">PROBES", "probes_sent", VF_SI, 0, 0},
		[C_REPLIES] = {">REPLIES", "replies", VF_SI, 0, 0},
		[C_CHANGES] = {">CHANGES", "mac_changes", VF_SI, 0, 0},
		[C_MEMBER] = {"MEMBER", NULL, VF_PLAIN, 0, 0},
		[C_UNREACH] = {NULL, "unreachable", VF_PLAIN, 0, 0},
	};
	const struct ixg_spec *s = x->spec;
	struct vtable *t;
	unsigned rows = 0, unreachable = 0;

	(void)arg;
	if (need_spec(x))
		return 1;
	t = view_table(v, "neighbours", cols, sizeof(cols) / sizeof(cols[0]),
		       0);
	for (uint32_t i = 0; i < s->n_peers; i++) {
		const struct ixg_spec_peer *p = &s->peers[i];

		for (unsigned f = 0; f < 2 && p->id < IXG_MAX_PEERS; f++) {
			uint32_t e = (uint32_t)p->id * 2 + f;
			char ab[64], pb[IXG_NAME_LEN + 16], mb[24], db[32];
			const char *port = "?";
			uint64_t st, mac, conf;
			uint8_t m6[6];

			if (!(f == 0 ? p->has_nh4 : p->has_nh6))
				continue;
			rows++;
			for (uint32_t k = 0; k < s->n_ports; k++)
				if (s->ports[k].id == p->port_id)
					port = s->ports[k].name;
			if (p->outer_vlan != 0)
				snprintf(pb, sizeof(pb), "%s.%u.%u", port,
					 p->outer_vlan, p->vlan);
			else if (p->vlan != 0)
				snprintf(pb, sizeof(pb), "%s.%u", port,
					 p->vlan);
			else
				snprintf(pb, sizeof(pb), "%s", port);
			vt_row(t);
			inet_ntop(f == 0 ? AF_INET : AF_INET6,
				  f == 0 ? p->nh4 : p->nh6, ab, sizeof(ab));
			vt_set(t, C_ADDR, V_STR(ab));
			vt_set(t, C_FAMILY, V_U64(f == 0 ? 4 : 6));
			vt_set(t, C_PORT, V_STR(pb));
			vt_set(t, C_VLAN, V_U64(p->vlan));
			vt_set(t, C_PEER, V_STR(p->name));
			vt_set(t, C_MODE,
			       V_STR(p->neighbour == IXG_NEIGH_LEARN
					     ? "learn"
					     : "static"));
			{
				bool down = rib_member_unreachable(x->st->rib,
								   p->id, f);

				unreachable += down;
				vt_set(t, C_MEMBER,
				       V_STR(down ? "UNREACHABLE" : "ok"));
				vt_set(t, C_UNREACH, V_BOOL(down));
			}
			if (x->c == NULL) {
				vt_set(t, C_MAC, V_NULL());
				vt_set(t, C_STATE, V_NULL());
				vt_set(t, C_AGE, V_NULL());
				vt_set(t, C_AGE_S, V_NULL());
				vt_set(t, C_PROBES, V_NULL());
				vt_set(t, C_REPLIES, V_NULL());
				vt_set(t, C_CHANGES, V_NULL());
				continue;
			}
			st = ctr(x, IXG_CF_neighbour_state, e, 0);
			mac = ctr(x, IXG_CF_neighbour_lladdr, e, 0);
			conf = ctr(x, IXG_CF_neighbour_confirmed_time_seconds,
				   e, 0);
			for (unsigned k = 0; k < 6; k++)
				m6[k] = (uint8_t)(mac >> (8 * (5 - k)));
			vt_set(t, C_MAC,
			       mac != 0 ? V_STR(show_mac(mb, sizeof(mb), m6))
					: V_NULL());
			vt_set(t, C_STATE,
			       V_STR(st < sizeof(neigh_states) /
							     sizeof(neigh_states
									    [0])
					     ? neigh_states[st]
					     : "?"));
			if (conf != 0 && (int64_t)conf <= x->now_unix) {
				vt_set(t, C_AGE,
				       V_STR(show_duration(
					       db,
					       x->now_unix - (int64_t)conf)));
				vt_set(t, C_AGE_S,
				       V_I64(x->now_unix - (int64_t)conf));
			} else {
				vt_set(t, C_AGE, V_STR("-"));
				vt_set(t, C_AGE_S, V_NULL());
			}
			vt_set(t, C_PROBES,
			       cnt(x, IXG_CF_neighbour_probes_sent_total, e,
				   0));
			vt_set(t, C_REPLIES,
			       cnt(x, IXG_CF_neighbour_replies_total, e, 0));
			vt_set(t, C_CHANGES,
			       cnt(x, IXG_CF_neighbour_mac_changes_total, e,
				   0));
		}
	}
	if (rows == 0)
		view_text(v, "no neighbours (no peer has a next-hop)\n");
	if (unreachable > 0)
		view_text(v,
			  "%u member next hop(s) UNREACHABLE: their refresh "
			  "went unanswered, their kernel routes of that "
			  "family are not forwarded until they answer "
			  "(doc/neighbours.md)\n",
			  unreachable);
	view_json(v, "unreachable_count", V_U64(unreachable));
	rib_lladdrs_show(x->st->rib, v);
	return 0;
}

/* ------------------------------------------------------- show countries */

static int
cmd_countries(struct ctx *x, struct view *v, const char *arg)
{
	static const struct vcol cols[] = {
		{"CC", "country", VF_PLAIN, 0, 0},
		{">PEERS", "peers", VF_PLAIN, 0, 0},
		{">PFX-V4", "prefixes_v4", VF_SI, 0, 0},
		{">PFX-V6", "prefixes_v6", VF_SI, 0, 0},
		{">SENT-PKTS", "sent_packets", VF_SI, 0, 0},
		{">SENT-BYTES", "sent_bytes", VF_SI, 0, 0},
		{">SENT-PPS", NULL, VF_SI, 0, 0},
		{">RECV-PKTS", "received_packets", VF_SI, 0, 0},
		{">RECV-BYTES", "received_bytes", VF_SI, 0, 0},
		{">RECV-PPS", NULL, VF_SI, 0, 0},
		{NULL, "sent_pps", VF_PLAIN, 0, 0},
		{NULL, "received_pps", VF_PLAIN, 0, 0},
	};
	const unsigned M = IXG_MAX_COUNTRIES;
	const struct ixg_spec *s = x->spec;
	uint32_t *cnt_ = NULL;
	uint64_t *tr = NULL;
	bool rates = x->c && x->now && x->prev && x->dt > 0;
	struct vtable *t;
	unsigned nc;
	char cc[3];

	(void)arg;
	if (need_spec(x))
		return 1;
	cnt_ = calloc(3 * M, sizeof(*cnt_));
	tr = calloc(8 * M, sizeof(*tr));
	if (cnt_ == NULL || tr == NULL) {
		free(cnt_);
		free(tr);
		return fail(x, 1, NULL, "out of memory");
	}
	nc = s->n_countries < M ? s->n_countries : M;
	if (nc == 0)
		nc = 1; /* index 0, "--", always exists */
	/* cnt_: v4 prefixes, v6 prefixes, peers; tr: sent pkts/bytes, recv
	 * pkts/bytes, then the same between the two samples. */
	for (uint32_t i = 0; i < s->n_country4; i++)
		cnt_[s->country4[i].country % M]++;
	for (uint32_t i = 0; i < s->n_country6; i++)
		cnt_[M + s->country6[i].country % M]++;
	for (uint32_t i = 0; i < s->n_peers; i++)
		cnt_[2 * M + s->peers[i].country % M]++;
	for (unsigned k = 0; k < 2; k++) {
		const struct ixg_ctr_src *c = k == 0 ? &x->sc : &x->sprev;
		uint64_t *tk = tr + 4 * k * M;

		if (k == 0 ? x->c == NULL : !rates)
			continue;
		for (unsigned a = 0; a < M; a++)
			for (unsigned d = 0; d < M; d++) {
				uint32_t e = a * M + d;
				uint64_t p = ixg_ctr_value(
					c, IXG_CF_country_pair_packets_total, e,
					0);
				uint64_t by = ixg_ctr_value(
					c, IXG_CF_country_pair_bytes_total, e,
					0);

				if (k == 1) {
					/* rate: now - prev */
					uint64_t qp = ixg_ctr_value(
						&x->snow,
						IXG_CF_country_pair_packets_total,
						e, 0);
					uint64_t qb = ixg_ctr_value(
						&x->snow,
						IXG_CF_country_pair_bytes_total,
						e, 0);

					p = qp >= p ? qp - p : 0;
					by = qb >= by ? qb - by : 0;
				}
				tk[a] += p;
				tk[M + a] += by;
				tk[2 * M + d] += p;
				tk[3 * M + d] += by;
			}
	}
	cc[0] = (char)(s->node.home_country >> 8);
	cc[1] = (char)(s->node.home_country & 0xff);
	cc[2] = '\0';
	view_json(v, "home", V_STR(cc[0] ? cc : "--"));
	t = view_table(v, "countries", cols, sizeof(cols) / sizeof(cols[0]), 0);
	for (unsigned i = 0; i < nc; i++) {
		const uint64_t *r = tr + 4 * M;
		struct vval sent = rates ? V_DBL((double)r[i] / x->dt)
					 : V_NULL(),
			    recv = rates ? V_DBL((double)r[2 * M + i] / x->dt)
					 : V_NULL();

		vt_row(t);
		vt_set(t, 0, V_STR(cc_str(x, i, cc)));
		vt_set(t, 1, V_U64(cnt_[2 * M + i]));
		vt_set(t, 2, V_U64(cnt_[i]));
		vt_set(t, 3, V_U64(cnt_[M + i]));
		vt_set(t, 4, opt_u64(x, tr[i]));
		vt_set(t, 5, opt_u64(x, tr[M + i]));
		vt_set(t, 6, sent);
		vt_set(t, 7, opt_u64(x, tr[2 * M + i]));
		vt_set(t, 8, opt_u64(x, tr[3 * M + i]));
		vt_set(t, 9, recv);
		vt_set(t, 10, sent);
		vt_set(t, 11, recv);
	}
	free(cnt_);
	free(tr);
	return 0;
}

/* ---------------------------------------------------------- show matrix */

static int
cmd_matrix_peers(struct ctx *x, struct view *v, const char *arg)
{
	static const struct vcol cols[] = {
		{"FROM", "from", VF_PLAIN, 0, 24},
		{"TO", "to", VF_PLAIN, 0, 24},
		{">PACKETS", "packets", VF_SI, 0, 0},
		{">BYTES", "bytes", VF_SI, 0, 0},
		{">PPS", "pps", VF_SI, 0, 0},
		{">BIT/S", "bps", VF_SI, 0, 0},
		{">SHARE", NULL, VF_PCT, 0, 0},
	};
	uint32_t n = 0, shown;
	struct pair *p = pairs_top(x, 0, 0, &n);
	uint64_t total = 0;
	struct vtable *t;
	char b1[48];

	(void)arg;
	if (x->c != NULL && p == NULL)
		return fail(x, 1, NULL, "out of memory");
	shown = x->all ? n : n < x->top ? n : x->top;
	for (uint32_t i = 0; i < n; i++)
		total += p[i].packets;
	t = view_table(v, "pairs", cols, sizeof(cols) / sizeof(cols[0]), 0);
	if (p == NULL) {
		vt_json_null(t);
		vt_hide_empty(t);
	}
	for (uint32_t i = 0; i < shown; i++) {
		vt_row(t);
		vt_set(t, 0,
		       V_STR(peer_name(x, p[i].key >> 16, b1, sizeof(b1))));
		vt_set(t, 1,
		       V_STR(peer_name(x, p[i].key & 0xffff, b1, sizeof(b1))));
		vt_set(t, 2, V_U64(p[i].packets));
		vt_set(t, 3, V_U64(p[i].bytes));
		vt_set(t, 4, drate(p[i].pps));
		vt_set(t, 5, drate(p[i].bps));
		vt_set(t, 6,
		       V_DBL(total ? 100.0 * (double)p[i].packets /
					     (double)total
				   : 0.0));
	}
	view_json(v, "total_pairs", V_U64(n));
	view_json(v, "overflow",
		  cnt(x, IXG_CF_peer_pair_overflow_packets_total, 0, 0));
	if (x->c != NULL) {
		uint64_t ovf = ctr(x, IXG_CF_peer_pair_overflow_packets_total,
				   0, 0);

		view_text(v, "%" PRIu32 " of %" PRIu32 " peer pairs shown%s",
			  shown, n, shown < n ? " (--top N, --all)" : "");
		if (ovf)
			view_text(v,
				  "; %" PRIu64 " pairs found no counter slot",
				  ovf);
		view_text(v, "\n");
	}
	free(p);
	return 0;
}

struct cpair {
	uint16_t src, dst;
	uint64_t packets, bytes;
};

static int
cpair_cmp(const void *a, const void *b)
{
	const struct cpair *x = a, *y = b;

	if (x->packets != y->packets)
		return x->packets < y->packets ? 1 : -1;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return (x->dst > y->dst) - (x->dst < y->dst);
}

struct ctot {
	uint16_t idx;
	uint64_t packets;
};

static int
ctot_cmp(const void *a, const void *b)
{
	const struct ctot *x = a, *y = b;

	if (x->packets != y->packets)
		return x->packets < y->packets ? 1 : -1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Top countries by traffic (sent + received) as a grid, or, with --all
 * or more countries than fit, the list of non-zero pairs. */
static int
cmd_matrix_countries(struct ctx *x, struct view *v, const char *arg)
{
	static const struct vcol jcols[] = {
		{NULL, "from", VF_PLAIN, 0, 0},
		{NULL, "to", VF_PLAIN, 0, 0},
		{NULL, "packets", VF_PLAIN, 0, 0},
		{NULL, "bytes", VF_PLAIN, 0, 0},
		{NULL, "pps", VF_PLAIN, 0, 0},
		{NULL, "bps", VF_PLAIN, 0, 0},
	};
	static const struct vcol tcols[] = {
		{"FROM", NULL, VF_PLAIN, 0, 0},	 {"TO", NULL, VF_PLAIN, 0, 0},
		{">PACKETS", NULL, VF_SI, 0, 0}, {">BYTES", NULL, VF_SI, 0, 0},
		{">PPS", NULL, VF_SI, 0, 0},	 {">BIT/S", NULL, VF_SI, 0, 0},
	};
	const unsigned fp = IXG_CF_country_pair_packets_total,
		       fb = IXG_CF_country_pair_bytes_total,
		       M = IXG_MAX_COUNTRIES;
	struct ctot tot[IXG_MAX_COUNTRIES];
	struct cpair *pairs;
	struct vtable *jt, *tt;
	unsigned k = 0, np = 0, limit, pl;
	char cc[3], cc2[3], nb[SHOW_NUM_LEN];

	(void)arg;
	if (x->c == NULL) {
		view_json(v, "countries", V_NULL());
		view_json(v, "pairs", V_NULL());
		return 0;
	}
	pairs = malloc(sizeof(*pairs) * M * M);
	if (pairs == NULL)
		return fail(x, 1, NULL, "out of memory");
	for (unsigned i = 0; i < M; i++)
		tot[i] = (struct ctot){(uint16_t)i, 0};
	for (unsigned a = 0; a < M; a++)
		for (unsigned d = 0; d < M; d++) {
			uint64_t pk = ctr(x, fp, a * M + d, 0);

			if (pk == 0)
				continue;
			pairs[np++] = (struct cpair){(uint16_t)a, (uint16_t)d,
						     pk,
						     ctr(x, fb, a * M + d, 0)};
			tot[a].packets += pk;
			if (d != a)
				tot[d].packets += pk;
		}
	qsort(tot, M, sizeof(tot[0]), ctot_cmp);
	qsort(pairs, np, sizeof(*pairs), cpair_cmp);
	while (k < M && tot[k].packets)
		k++;
	limit = x->all ? k : x->top_given ? x->top : SHOW_TOP_COUNTRIES;
	if (k > limit)
		k = limit;
	pl = x->all ? np : x->top < np ? x->top : np;

	view_arr(v, "countries");
	for (unsigned i = 0; i < k; i++)
		view_json(v, NULL, V_STR(cc_str(x, tot[i].idx, cc)));
	view_end(v);
	/* packets[i][j]: from countries[i] to countries[j]. */
	view_arr(v, "packets");
	for (unsigned i = 0; i < k; i++) {
		view_arr(v, NULL);
		for (unsigned j = 0; j < k; j++)
			view_json(v, NULL,
				  V_U64(ctr(x, fp, tot[i].idx * M + tot[j].idx,
					    0)));
		view_end(v);
	}
	view_end(v);
	jt = view_table(v, "pairs", jcols, sizeof(jcols) / sizeof(jcols[0]), 0);
	tt = view_table(v, NULL, tcols, sizeof(tcols) / sizeof(tcols[0]), 0);
	vt_hide_empty(tt);
	for (unsigned i = 0; i < np; i++) {
		uint32_t e = pairs[i].src * M + pairs[i].dst;
		struct vval row[] = {
			V_STR(cc_str(x, pairs[i].src, cc)),
			V_STR(cc_str(x, pairs[i].dst, cc2)),
			V_U64(pairs[i].packets),
			V_U64(pairs[i].bytes),
			rate(x, fp, e, 0, 1),
			rate(x, fb, e, 0, 8),
		};

		if (i < pl) {
			vt_row(jt);
			for (unsigned c = 0; c < 6; c++)
				vt_set(jt, c, row[c]);
		}
		if (k > SHOW_GRID_MAX) {
			vt_row(tt);
			for (unsigned c = 0; c < 6; c++)
				vt_set(tt, c, row[c]);
		}
	}
	view_json(v, "total_pairs", V_U64(np));
	if (k == 0) {
		view_text(v, "no traffic counted between countries yet\n");
	} else if (k <= SHOW_GRID_MAX) {
		/* Rows: source country; columns: destination. Packets. */
		view_text(v,
			  "packets from (row) to (column), top %u "
			  "countries by traffic\n",
			  k);
		view_text(v, "%-6s", "");
		for (unsigned j = 0; j < k; j++)
			view_text(v, "  %7s", cc_str(x, tot[j].idx, cc));
		view_text(v, "\n");
		for (unsigned i = 0; i < k; i++) {
			view_text(v, "%-6s", cc_str(x, tot[i].idx, cc));
			for (unsigned j = 0; j < k; j++)
				view_text(
					v, "  %7s",
					show_si(nb,
						(double)ctr(x, fp,
							    tot[i].idx * M +
								    tot[j].idx,
							    0)));
			view_text(v, "\n");
		}
	}
	free(pairs);
	return 0;
}

/* ----------------------------------------------------------- show drops */

static int
cmd_drops(struct ctx *x, struct view *v, const char *arg)
{
	static const struct vcol cols[] = {
		{"REASON", "reason", VF_PLAIN, 0, 0},
		{NULL, "description", VF_PLAIN, 0, 0},
		{">PACKETS", "packets", VF_SI, 0, 0},
		{">PPS", "pps", VF_SI, 0, 0},
		{"DESCRIPTION", NULL, VF_PLAIN, 0, 0},
	};
	const unsigned f = IXG_CF_dropped_packets_total;
	uint64_t total = ctr(x, IXG_CF_dropped_packets_sum, 0, 0),
		 rx = ctr(x, IXG_CF_received_packets_total, 0, 0),
		 gd = ctr(x, IXG_CF_icmp_generated_dropped_packets_total, 0, 0),
		 sd = ctr(x, IXG_CF_samples_dropped_total, 0, 0),
		 ovf = ctr(x, IXG_CF_peer_pair_overflow_packets_total, 0, 0);
	struct vtable *t;
	char b[SHOW_NUM_LEN];

	(void)arg;
	t = view_table(v, "drops", cols, sizeof(cols) / sizeof(cols[0]), 0);
	for (unsigned r = 0; r < ixg_ctr_sub_count(ixg_ctr_families[f].sub);
	     r++) {
		vt_row(t);
		vt_set(t, 0, V_STR(ixg_drop_name(r)));
		vt_set(t, 1, V_STR(ixg_drop_descr(r)));
		vt_set(t, 2, cnt(x, f, 0, r));
		vt_set(t, 3, rate(x, f, 0, r, 1));
		vt_set(t, 4, V_STR(ixg_drop_descr(r)));
	}
	view_json(v, "total", opt_u64(x, total));
	view_json(v, "rx_packets", opt_u64(x, rx));
	view_json(v, "peer_pair_overflow", opt_u64(x, ovf));
	view_json(v, "icmp_generated_dropped", opt_u64(x, gd));
	view_json(v, "samples_dropped", opt_u64(x, sd));
	if (x->c == NULL)
		return 0;
	view_text(v, "total %" PRIu64 " dropped of %" PRIu64 " received", total,
		  rx);
	if (rx)
		view_text(v, " (%.3f%%)", 100.0 * (double)total / (double)rx);
	view_text(v, "\n");
	if (gd || sd || ovf)
		view_text(v,
			  "not packet drops: %s ICMP errors "
			  "refused by TX, %" PRIu64 " samples lost, %" PRIu64
			  " peer-pair counter overflows\n",
			  show_si(b, (double)gd), sd, ovf);
	return 0;
}

/* ----------------------------------------------------------- show ports */

/* {"no_route":12,...}: the non-zero drops of port id by reason. */
static const char *
port_drops_json(const struct ctx *x, unsigned id, char *buf, size_t len)
{
	const unsigned f = IXG_CF_port_dropped_packets_total;
	FILE *m = fmemopen(buf, len, "w");
	struct ixg_json j;

	if (m == NULL)
		return "{}";
	ixg_json_init(&j, m);
	ixg_json_obj(&j, NULL);
	for (unsigned r = 0; r < IXG_DROP_MAX; r++) {
		uint64_t d = ctr(x, f, id, r);

		if (d != 0)
			ixg_json_u64(&j, ixg_drop_name(r), d);
	}
	ixg_json_end(&j);
	fputc('\0', m);
	fclose(m);
	return buf;
}

static int
cmd_ports(struct ctx *x, struct view *v, const char *arg)
{
	enum {
		C_PORT,
		C_DPDK_T,
		C_ID,
		C_NAME,
		C_DEVICE,
		C_DPDK,
		C_MTU,
		C_MAC,
		C_RXP,
		C_RXB,
		C_RXPPS_T,
		C_TXP,
		C_TXB,
		C_TXPPS_T,
		C_FWD,
		C_LOCAL,
		C_DROPS,
		C_GEN,
		C_RXPPS,
		C_RXBPS,
		C_TXPPS,
		C_TXBPS,
		C_BY_REASON,
	};
	static const struct vcol cols[] = {
		[C_PORT] = {"PORT", NULL, VF_PLAIN, 0, 16},
		/* The DPDK device name: what dpdk-dumpcap -i takes. */
		[C_DPDK_T] = {"DEVICE", NULL, VF_PLAIN, 0, 16},
		[C_ID] = {NULL, "id", VF_PLAIN, 0, 0},
		[C_NAME] = {NULL, "name", VF_PLAIN, 0, 0},
		[C_DEVICE] = {NULL, "device", VF_PLAIN, 0, 0},
		[C_DPDK] = {NULL, "dpdk_device", VF_PLAIN, 0, 0},
		[C_MTU] = {NULL, "mtu", VF_PLAIN, 0, 0},
		[C_MAC] = {NULL, "mac", VF_PLAIN, 0, 0},
		[C_RXP] = {">RX-PKTS", "rx_packets", VF_SI, 0, 0},
		[C_RXB] = {">RX-BYTES", "rx_bytes", VF_SI, 0, 0},
		[C_RXPPS_T] = {">RX-PPS", NULL, VF_SI, 0, 0},
		[C_TXP] = {">TX-PKTS", "tx_packets", VF_SI, 0, 0},
		[C_TXB] = {">TX-BYTES", "tx_bytes", VF_SI, 0, 0},
		[C_TXPPS_T] = {">TX-PPS", NULL, VF_SI, 0, 0},
		[C_FWD] = {">FWD", "fwd_packets", VF_SI, 0, 0},
		[C_LOCAL] = {">LOCAL", "local_packets", VF_SI, 0, 0},
		[C_DROPS] = {">DROPS", "drops", VF_SI, 0, 0},
		[C_GEN] = {NULL, "icmp_generated", VF_PLAIN, 0, 0},
		[C_RXPPS] = {NULL, "rx_pps", VF_PLAIN, 0, 0},
		[C_RXBPS] = {NULL, "rx_bps", VF_PLAIN, 0, 0},
		[C_TXPPS] = {NULL, "tx_pps", VF_PLAIN, 0, 0},
		[C_TXBPS] = {NULL, "tx_bps", VF_PLAIN, 0, 0},
		[C_BY_REASON] = {NULL, "drops_by_reason", VF_PLAIN, 0, 0},
	};
	static const uint8_t nomac[6];
	const struct ixg_spec *s = x->spec;
	struct vtable *t;
	char mb[24], jb[IXG_DROP_MAX * 48 + 8];

	(void)arg;
	if (need_spec(x))
		return 1;
	t = view_table(v, "ports", cols, sizeof(cols) / sizeof(cols[0]), 0);
	for (uint32_t i = 0; i < s->n_ports; i++) {
		const struct ixg_spec_port *p = &s->ports[i];
		unsigned id = p->id % IXG_MAX_PORTS;
		struct vval rx_pps = rate(x, IXG_CF_port_received_packets_total,
					  id, 0, 1),
			    tx_pps = rate(x,
					  IXG_CF_port_transmitted_packets_total,
					  id, 0, 1);

		vt_row(t);
		vt_set(t, C_PORT, V_STR(p->name));
		vt_set(t, C_ID, V_U64(p->id));
		vt_set(t, C_NAME, V_STR(p->name));
		vt_set(t, C_DEVICE, V_STR(p->devargs));
		vt_set(t, C_DPDK_T,
		       x->names->port_device[id] != NULL
			       ? V_STR(x->names->port_device[id])
			       : V_NULL());
		vt_set(t, C_DPDK,
		       x->names->port_device[id] != NULL
			       ? V_STR(x->names->port_device[id])
			       : V_NULL());
		vt_set(t, C_MTU, V_U64(p->mtu));
		vt_set(t, C_MAC,
		       memcmp(p->mac, nomac, 6) != 0
			       ? V_STR(show_mac(mb, sizeof(mb), p->mac))
			       : V_NULL());
		vt_set(t, C_RXP,
		       cnt(x, IXG_CF_port_received_packets_total, id, 0));
		vt_set(t, C_RXB,
		       cnt(x, IXG_CF_port_received_bytes_total, id, 0));
		vt_set(t, C_RXPPS_T, rx_pps);
		vt_set(t, C_TXP,
		       cnt(x, IXG_CF_port_transmitted_packets_total, id, 0));
		vt_set(t, C_TXB,
		       cnt(x, IXG_CF_port_transmitted_bytes_total, id, 0));
		vt_set(t, C_TXPPS_T, tx_pps);
		vt_set(t, C_FWD,
		       cnt(x, IXG_CF_port_forwarded_packets_total, id, 0));
		vt_set(t, C_LOCAL,
		       cnt(x, IXG_CF_port_local_packets_total, id, 0));
		vt_set(t, C_DROPS,
		       cnt(x, IXG_CF_port_dropped_packets_sum, id, 0));
		vt_set(t, C_GEN,
		       cnt(x, IXG_CF_port_icmp_generated_packets_total, id, 0));
		vt_set(t, C_RXPPS, rx_pps);
		vt_set(t, C_RXBPS,
		       rate(x, IXG_CF_port_received_bytes_total, id, 0, 8));
		vt_set(t, C_TXPPS, tx_pps);
		vt_set(t, C_TXBPS,
		       rate(x, IXG_CF_port_transmitted_bytes_total, id, 0, 8));
		vt_set(t, C_BY_REASON,
		       x->c != NULL
			       ? V_RAW(port_drops_json(x, id, jb, sizeof(jb)))
			       : V_NULL());
	}
	return 0;
}

/* ------------------------------------------------------ show generation */

static int
cmd_generation(struct ctx *x, struct view *v, const char *arg)
{
	const struct ctl_state *st = x->st;
	const struct ixg_msg_hello_reply *h = &st->dp_hello;
	char rs[65], ds[65], tb[32], db[SHOW_NUM_LEN];
	bool same = st->running.valid &&
		    memcmp(st->running.sha256, h->config_sha256, 32) == 0;

	(void)arg;
	if (st->running.valid)
		hex(st->running.sha256, 32, rs);
	hex(h->config_sha256, 32, ds);
	view_json(v, "dataplane_connected", V_BOOL(st->dp_connected));
	view_json(v, "generation", V_U64(st->dp_generation));
	view_json(v, "config_sha256", st->running.valid ? V_STR(rs) : V_NULL());
	if (st->dp_connected) {
		view_json(v, "dataplane_config_sha256", V_STR(ds));
		view_json(v, "in_sync", V_BOOL(same));
		view_json(v, "workers", V_U64(h->n_workers));
		view_json(v, "dataplane_start_unix",
			  V_I64((int64_t)h->start_unix));
		view_json(v, "was_headless", V_BOOL(h->was_headless));
	} else {
		view_json(v, "dataplane_config_sha256", V_NULL());
		view_json(v, "in_sync", V_NULL());
	}
	/* Headless: the dataplane forwards with its last tables and nobody
	 * steers it. Seen from here, that is "not connected". */
	view_json(v, "headless", V_BOOL(!st->dp_connected));
	view_json(v, "confirm_deadline_unix",
		  st->confirm_deadline ? V_I64(st->confirm_deadline)
				       : V_NULL());
	view_json(v, "rollback_available", V_BOOL(st->previous.valid));
	/* The files against the running config, and the commit job
	 * (daemon.h, filled by the daemon's wiring). */
	view_json(v, "files_differ",
		  V_BOOL(st->held || st->files == CTL_FILES_DIFFER));
	view_json(v, "files_note",
		  st->files_note[0] != '\0' ? V_STR(st->files_note) : V_NULL());
	view_json(v, "commit_job",
		  V_STR(st->job_state[0] != '\0' ? st->job_state : "idle"));
	view_json(v, "config_path", V_STR_OR_NONE(st->config_path));
	view_json(v, "control_start_unix", V_I64(st->start_unix));

	if (st->dp_connected) {
		view_text(
			v,
			"%-18sconnected, %u worker%s, up %s "
			"(since %s)\n",
			"dataplane", h->n_workers, h->n_workers == 1 ? "" : "s",
			show_duration(db, x->now_unix - (int64_t)h->start_unix),
			show_time(tb, sizeof(tb), (int64_t)h->start_unix));
		if (h->was_headless)
			view_text(v,
				  "%-18sran headless until this control "
				  "plane connected\n",
				  "");
	} else {
		view_text(v,
			  "%-18snot connected: if it runs, it forwards "
			  "headless with its last tables\n",
			  "dataplane");
	}
	view_text(v, "%-18s%" PRIu64 "\n", "generation", st->dp_generation);
	view_text(v, "%-18s%s\n", "config sha256",
		  st->running.valid ? rs : "none (no running configuration)");
	view_text(v, "%-18s%s\n", "files",
		  st->files_note[0] != '\0'	 ? st->files_note
		  : st->files == CTL_FILES_MATCH ? "match the running config"
						 : "not checked yet");
	view_text(v, "%-18s%s\n", "commit job",
		  st->job_state[0] != '\0' ? st->job_state : "idle");
	if (st->dp_connected)
		view_text(v, "%-18s%s\n", "dataplane sha256",
			  same ? "same" : ds);
	if (st->confirm_deadline)
		view_text(
			v,
			"%-18spending: rolls back at %s (in %s) unless "
			"`ixgatectl confirm`\n",
			"commit-confirmed",
			show_time(tb, sizeof(tb), st->confirm_deadline),
			show_duration(db, st->confirm_deadline - x->now_unix));
	else
		view_text(v, "%-18snone pending\n", "commit-confirmed");
	view_text(v, "%-18s%s\n", "rollback",
		  st->previous.valid ? "previous configuration kept" : "none");
	if (st->start_unix > 0)
		view_text(v, "%-18sup %s", "control",
			  show_duration(db, x->now_unix - st->start_unix));
	else
		view_text(v, "%-18srunning", "control");
	if (st->config_path)
		view_text(v, ", config %s", st->config_path);
	view_text(v, "\n");
	return 0;
}

/* ---------------------------------------------------------- show config */

static int
cmd_config(struct ctx *x, struct view *v, const char *arg)
{
	const struct ctl_config *rc = &x->st->running;
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	char hs[65];

	(void)arg;
	if (!rc->valid || rc->conf == NULL)
		return fail(x, 1, NULL, "no running configuration");
	m = open_memstream(&text, &len);
	if (m == NULL)
		return fail(x, 1, NULL, "out of memory");
	ixg_conf_print(rc->conf, m);
	if (fclose(m) != 0 || text == NULL) {
		free(text);
		return fail(x, 1, NULL, "out of memory");
	}
	view_json(v, "generation", V_U64(x->st->dp_generation));
	view_json(v, "sha256", V_STR(hex(rc->sha256, 32, hs)));
	view_json(v, "path", V_STR_OR_NONE(x->st->config_path));
	view_json(v, "config", V_STR(text));
	view_text(v, "%s", text);
	free(text);
	return 0;
}

/* -------------------------------------------------------- show counters */

/* {"peer":"viettel",...}: the labels of a series as a JSON object. */
static const char *
labels_json(const struct ixg_ctr_series *se, char *buf, size_t len)
{
	FILE *m = fmemopen(buf, len, "w");
	struct ixg_json j;

	if (m == NULL)
		return "{}";
	ixg_json_init(&j, m);
	ixg_json_obj(&j, NULL);
	for (unsigned k = 0; k < se->n_labels; k++)
		ixg_json_str(&j, se->label_names[k], se->label_values[k]);
	ixg_json_end(&j);
	fputc('\0', m);
	if (fclose(m) != 0)
		return "{}";
	return buf;
}

/*
 * Every series of every counter family, as the metric exporters see them
 * (generated from the declaration: a new family shows here with no
 * edit). NAME keeps the families whose name starts with it; zeros only
 * with --all.
 */
static int
cmd_counters(struct ctx *x, struct view *v, const char *arg)
{
	static const struct vcol cols[] = {
		{"COUNTER", "name", VF_PLAIN, 0, 0},
		{NULL, "labels", VF_PLAIN, 0, 0},
		{">VALUE", "value", VF_PLAIN, 0, 0},
		{">PER-S", "rate", VF_SI, 0, 0},
		{"LABELS", NULL, VF_PLAIN, 0, 0},
	};
	const struct ixg_msg_hello_reply *h = &x->st->dp_hello;
	struct ixg_ctr_state state = {
		.generation = x->st->dp_generation,
		.workers = h->n_workers,
		.headless = 0, /* we are its control plane */
		.start_unix = h->start_unix,
	};
	struct ixg_ctr_src sc = x->sc, sn = x->snow, sp = x->sprev;
	struct ixg_ctr_walk *w = NULL, *wn = NULL, *wp = NULL;
	struct ixg_ctr_series se;
	uint64_t fams = 0;
	struct vtable *t;
	const char *prefix = arg;

	if (prefix != NULL && strncmp(prefix, "ixgate_", 7) == 0)
		prefix += 7;
	for (unsigned f = 0; f < IXG_CF_MAX; f++)
		if (prefix == NULL || strncmp(ixg_ctr_families[f].name, prefix,
					      strlen(prefix)) == 0)
			fams |= UINT64_C(1) << f;
	if (fams == 0) {
		const char *best = NULL;
		unsigned best_d = 4;
		size_t best_len = 0;
		char sug[IXG_CTR_LABEL_LEN];

		for (unsigned f = 0; f < IXG_CF_MAX; f++) {
			char head[IXG_CTR_LABEL_LEN];
			unsigned d;

			/* Against as much of each name as was typed. */
			snprintf(head, sizeof(head), "%.*s",
				 (int)strlen(prefix), ixg_ctr_families[f].name);
			d = show_edit_distance(prefix, head);

			if (ixg_ctr_families[f].metric && d < best_d) {
				best_d = d;
				best = ixg_ctr_families[f].name;
				best_len = strlen(prefix);
			}
		}
		/* Suggest what was meant, as long as what was typed. */
		if (best != NULL) {
			snprintf(sug, sizeof(sug), "%.*s", (int)best_len, best);
			best = sug;
		}
		return fail(x, 1, best, "no counter family named '%s'", arg);
	}
	t = view_table(v, "series", cols, sizeof(cols) / sizeof(cols[0]), 0);
	if (x->c == NULL) {
		vt_json_null(t);
		vt_hide_empty(t);
		return 0;
	}
	sc.state = &state;
	w = ixg_ctr_walk_new(&sc, x->names,
			     IXG_CTR_WALK_METRICS |
				     (x->all ? 0 : IXG_CTR_WALK_NONZERO),
			     fams);
	if (w != NULL && x->now != NULL && x->prev != NULL) {
		sn.state = sp.state = &state;
		wn = ixg_ctr_walk_new(&sn, x->names, 0, fams);
		wp = ixg_ctr_walk_new(&sp, x->names, 0, fams);
	}
	if (w == NULL) {
		ixg_ctr_walk_free(wn);
		ixg_ctr_walk_free(wp);
		return fail(x, 1, NULL, "out of memory");
	}
	while (ixg_ctr_walk_next(w, &se)) {
		char name[96], lt[256], lj[512];
		size_t o = 0;
		double r;

		snprintf(name, sizeof(name), "ixgate_%s", se.fam->name);
		lt[0] = '\0';
		for (unsigned k = 0; k < se.n_labels; k++)
			o += (size_t)snprintf(
				lt + o, o < sizeof(lt) ? sizeof(lt) - o : 0,
				"%s%s=%s", k ? " " : "", se.label_names[k],
				se.label_values[k]);
		vt_row(t);
		vt_set(t, 0, V_STR(name));
		vt_set(t, 1, V_RAW(labels_json(&se, lj, sizeof(lj))));
		vt_set(t, 2, V_U64(se.value));
		vt_set(t, 4, V_STR(lt));
		if (se.fam->type == IXG_CTR_COUNTER && wn != NULL &&
		    wp != NULL &&
		    ctl_rate(ixg_ctr_walk_value(wp, se.fam_id, se.entity,
						se.sub),
			     ixg_ctr_walk_value(wn, se.fam_id, se.entity,
						se.sub),
			     x->dt, &r))
			vt_set(t, 3, V_DBL(r));
		else
			vt_set(t, 3, V_NULL());
	}
	ixg_ctr_walk_free(w);
	ixg_ctr_walk_free(wn);
	ixg_ctr_walk_free(wp);
	return 0;
}

/* ------------------------------------------------------- the commands */

enum show_arg {
	SA_NONE, /* no positional argument */
	SA_OPTIONAL,
	SA_REQUIRED,
};

/* One `show` command, declared once: everything below reads this. */
struct show_cmd {
	const char *name; /* "peers", or two words: "matrix peers" */
	const char *args; /* for usage: "NAME [--top N|--all]", or NULL */
	const char *help;
	uint8_t arg; /* enum show_arg */
	const char *arg_name; /* "peer NAME": "show peer: missing peer NAME" */
	bool top; /* takes --top N and --all */
	bool counters; /* shows counters: sums them, starts with the
			* dataplane header */
	bool watchable; /* --watch repeats it with rates */
	int (*fill)(struct ctx *x, struct view *v, const char *arg);
};

static int cmd_help(struct ctx *x, struct view *v, const char *arg);

static const struct show_cmd show_cmds[] = {
	{"peers", NULL, "every peer: config, prefixes, traffic, rates", SA_NONE,
	 NULL, false, true, true, cmd_peers},
	{"peer", "NAME [--top N|--all]",
	 "one peer in detail (--all: every prefix too)", SA_REQUIRED,
	 "peer NAME", true, true, true, cmd_peer},
	{"routes", "[PREFIX|ADDRESS]",
	 "route counts per peer, or the longest match", SA_OPTIONAL, NULL,
	 false, false, false, cmd_routes},
	{"kernel-routes", NULL, "routes learned from Linux tables, commits",
	 SA_NONE, NULL, false, false, false, cmd_kernel_routes},
	{"sessions", NULL, "members' BGP sessions: state, last change", SA_NONE,
	 NULL, false, false, false, cmd_sessions},
	{"acl", NULL, "ACL rules in priority order, with hits", SA_NONE, NULL,
	 false, true, true, cmd_acl},
	{"classes", NULL, "traffic classes (trTCM) and colour counters",
	 SA_NONE, NULL, false, true, true, cmd_classes},
	{"blackholes", NULL, "blackholed prefixes, expiry, drops", SA_NONE,
	 NULL, false, true, true, cmd_blackholes},
	{"countries", NULL, "prefixes and traffic per country", SA_NONE, NULL,
	 false, true, true, cmd_countries},
	{"neighbours", NULL, "member next hops: MAC, ARP/ND state, probes",
	 SA_NONE, NULL, false, true, true, cmd_neighbours},
	{"matrix peers", "[--top N|--all]", "traffic between peers", SA_NONE,
	 NULL, true, true, true, cmd_matrix_peers},
	{"matrix countries", "[--top N|--all]", "traffic between countries",
	 SA_NONE, NULL, true, true, true, cmd_matrix_countries},
	{"drops", NULL, "drops by reason", SA_NONE, NULL, false, true, true,
	 cmd_drops},
	{"ports", NULL, "per-port counters", SA_NONE, NULL, false, true, true,
	 cmd_ports},
	{"counters", "[NAME] [--all]",
	 "every counter series, as exporters see it (--all: zeros too)",
	 SA_OPTIONAL, NULL, false, true, true, cmd_counters},
	{"generation", NULL, "generation, config hash, dataplane state",
	 SA_NONE, NULL, false, false, false, cmd_generation},
	{"config", NULL, "the running configuration (canonical print)", SA_NONE,
	 NULL, false, false, false, cmd_config},
	{"help", NULL, "this list", SA_NONE, NULL, false, false, false,
	 cmd_help},
};

#define N_CMDS (sizeof(show_cmds) / sizeof(show_cmds[0]))

/* Length of the first word of a command's name. */
static size_t
word1(const struct show_cmd *c)
{
	const char *sp = strchr(c->name, ' ');

	return sp != NULL ? (size_t)(sp - c->name) : strlen(c->name);
}

/* The command list, one line each, as usage prints it. */
static void
cmd_lines(FILE *out, const char *indent)
{
	for (size_t i = 0; i < N_CMDS; i++) {
		const struct show_cmd *c = &show_cmds[i];
		char syn[96];
		int n = snprintf(syn, sizeof(syn), "%s%s%s", c->name,
				 c->args ? " " : "", c->args ? c->args : "");

		fprintf(out, "%s%-*s%s\n", indent, n < 30 ? 30 : n + 2, syn,
			c->help);
	}
}

/* The usage text (caller frees). */
static char *
usage_text(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (m == NULL)
		return NULL;
	fputs("usage: ixgatectl [--json] show COMMAND\n", m);
	cmd_lines(m, "  ");
	if (fclose(m) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static int
cmd_help(struct ctx *x, struct view *v, const char *arg)
{
	char *u = usage_text();

	(void)arg;
	if (u == NULL)
		return fail(x, 1, NULL, "out of memory");
	view_json(v, "usage", V_STR(u));
	view_text(v, "%s", u);
	free(u);
	return 0;
}

/* The `show` lines of ixgatectl --help (see daemon.h). Any thread. */
int
ctl_show_help(FILE *out, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (m == NULL)
		return 1;
	cmd_lines(m, "  show ");
	if (fclose(m) != 0 || text == NULL) {
		free(text);
		return 1;
	}
	if (json) {
		struct ixg_json j;

		ixg_json_init(&j, out);
		ixg_json_obj(&j, NULL);
		ixg_json_arr(&j, "show");
		for (size_t i = 0; i < N_CMDS; i++) {
			ixg_json_obj(&j, NULL);
			ixg_json_str(&j, "name", show_cmds[i].name);
			if (show_cmds[i].args != NULL)
				ixg_json_str(&j, "args", show_cmds[i].args);
			ixg_json_str(&j, "help", show_cmds[i].help);
			ixg_json_bool(&j, "watchable", show_cmds[i].watchable);
			ixg_json_end(&j);
		}
		ixg_json_end(&j);
		ixg_json_end(&j);
		ixg_json_done(&j);
	} else {
		fputs(text, out);
	}
	free(text);
	return 0;
}

/* Watchable commands, "peers, peer, ..." (see daemon.h). Any thread. */
const char *
ctl_show_watchable_list(char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_CMDS; i++) {
		const struct show_cmd *c = &show_cmds[i];
		bool dup = false;

		if (!c->watchable)
			continue;
		/* "matrix" once for both of its commands. */
		for (size_t k = 0; k < i; k++)
			dup |= show_cmds[k].watchable &&
			       word1(&show_cmds[k]) == word1(c) &&
			       strncmp(show_cmds[k].name, c->name, word1(c)) ==
				       0;
		if (dup)
			continue;
		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%.*s",
				      o ? ", " : "", (int)word1(c), c->name);
	}
	return buf;
}

/*
 * The command argv[1] (and argv[2] for two-word commands) names, or NULL;
 * *words is how many arguments its name took. For a known first word with
 * an unknown second one, *group is set (the usage error lists the
 * choices).
 */
static const struct show_cmd *
cmd_find(int argc, char **argv, int *words, const struct show_cmd **group)
{
	*group = NULL;
	for (size_t i = 0; i < N_CMDS; i++) {
		const struct show_cmd *c = &show_cmds[i];
		size_t w = word1(c);

		if (strlen(argv[1]) != w || strncmp(argv[1], c->name, w) != 0)
			continue;
		if (c->name[w] == '\0') {
			*words = 1;
			return c;
		}
		*group = c;
		if (argc > 2 && strcmp(argv[2], c->name + w + 1) == 0) {
			*words = 2;
			return c;
		}
	}
	return NULL;
}

/* A failure or usage error as the whole output: text, or {"error": ...}
 * (with "did_you_mean" or "usage"). */
static int
render_error(FILE *out, bool json, int status, const char *msg,
	     const char *suggestion, bool with_usage)
{
	struct view *v = view_new(NULL);
	char *u = with_usage ? usage_text() : NULL;

	if (v == NULL) {
		fputs(json ? "{\"error\":\"out of memory\"}\n"
			   : "out of memory\n",
		      out);
		free(u);
		return 1;
	}
	view_json(v, "error", V_STR(msg));
	if (suggestion != NULL) {
		view_json(v, "did_you_mean", V_STR(suggestion));
		view_text(v, "%s; did you mean '%s'?\n", msg, suggestion);
	} else {
		view_text(v, "%s\n", msg);
	}
	if (u != NULL) {
		view_json(v, "usage", V_STR(u));
		view_text(v, "%s", u);
	}
	if (view_render(v, json, out) < 0)
		fputs(json ? "{\"error\":\"out of memory\"}\n"
			   : "out of memory\n",
		      out);
	view_free(v);
	free(u);
	return status;
}

/* Sum the mapped counter blocks (see daemon.h). Loop thread. */
int
ctl_counters_sum(const struct ctl_state *st, struct ixg_lcore_counters *out)
{
	struct ixg_lcore_counters **blk;

	if (!st->dp_connected || st->counters == NULL ||
	    st->n_counter_blocks == 0)
		return -ENODEV;
	blk = calloc(st->n_counter_blocks, sizeof(*blk));
	if (blk == NULL)
		return -ENOMEM;
	/* stats_sum only reads the blocks. */
	for (unsigned i = 0; i < st->n_counter_blocks; i++)
		blk[i] = (struct ixg_lcore_counters *)(uintptr_t)&st
				 ->counters[i];
	memset(out, 0, sizeof(*out));
	stats_sum(blk, st->n_counter_blocks, out);
	free(blk);
	return 0;
}

/* Pick the counters: the live sum of the mapped blocks when the dataplane
 * is connected (else the loop's last sample), rates from the loop's two
 * samples when both were read from the dataplane connected now. */
static int
counters_load(struct ctx *x)
{
	const struct ctl_state *st = x->st;
	int rc;

	if (!st->dp_connected)
		return 0;
	x->sum = malloc(sizeof(*x->sum));
	if (x->sum == NULL)
		return -ENOMEM;
	rc = ctl_counters_sum(st, x->sum);
	if (rc == -ENOMEM)
		return rc;
	if (rc == 0)
		x->c = x->sum;
	else if (st->sum_now != NULL && st->sum_now_epoch == st->dp_epoch)
		x->c = st->sum_now;
	if (x->c != NULL && st->sum_now != NULL && st->sum_prev != NULL &&
	    st->sum_now_epoch == st->dp_epoch &&
	    st->sum_prev_epoch == st->dp_epoch && st->sample_interval_s > 0) {
		x->now = st->sum_now;
		x->prev = st->sum_prev;
		x->dt = st->sample_interval_s;
	}
	return 0;
}

/* Commands that show counters (see daemon.h). Any thread. */
bool
ctl_show_watchable(int argc, char **argv)
{
	const struct show_cmd *c, *group;
	int words;

	if (argc < 2 || strcmp(argv[0], "show") != 0 || argv[1] == NULL)
		return false;
	c = cmd_find(argc, argv, &words, &group);
	/* "matrix" alone: its commands are. */
	if (c == NULL)
		return group != NULL && group->watchable;
	return c->watchable;
}

/*
 * `show ...` (see daemon.h). Reads st only; allocates the counter sum for
 * the call and frees it. Event loop thread.
 */
int
ctl_show(const struct ctl_state *st, int argc, char **argv, bool json,
	 FILE *out)
{
	return ctl_show_rates(st, argc, argv, json, NULL, out);
}

/* The choices of a two-word command: "'peers' or 'countries'". */
static void
group_choices(const struct show_cmd *g, char *buf, size_t len)
{
	size_t w = word1(g), o = 0, n = 0, k = 0;

	for (size_t i = 0; i < N_CMDS; i++)
		n += strncmp(show_cmds[i].name, g->name, w) == 0 &&
		     show_cmds[i].name[w] == ' ';
	buf[0] = '\0';
	for (size_t i = 0; i < N_CMDS; i++) {
		if (strncmp(show_cmds[i].name, g->name, w) != 0 ||
		    show_cmds[i].name[w] != ' ')
			continue;
		k++;
		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s'%s'",
				      k == 1   ? ""
				      : k == n ? " or "
					       : ", ",
				      show_cmds[i].name + w + 1);
	}
}

/* Parse the arguments after the command's name into x; 0, or a usage
 * error's message in msg. */
static int
parse_args(struct ctx *x, const struct show_cmd *c, int argc, char **argv,
	   int i, const char **arg, char *msg, size_t len)
{
	*arg = NULL;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			continue;
		if (c->top && strcmp(argv[i], "--all") == 0) {
			x->all = true;
		} else if (c->top && strcmp(argv[i], "--top") == 0) {
			char *end;
			unsigned long n;

			if (i + 1 >= argc) {
				snprintf(msg, len, "--top needs a number");
				return -1;
			}
			n = strtoul(argv[++i], &end, 10);
			if (*end != '\0' || n == 0 || n > 65536) {
				snprintf(msg, len,
					 "--top: '%s' is not a number "
					 "in 1..65536",
					 argv[i]);
				return -1;
			}
			x->top = (unsigned)n;
			x->top_given = true;
		} else if (c->fill == cmd_counters &&
			   strcmp(argv[i], "--all") == 0) {
			x->all = true;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			if (strcmp(argv[i], "--all") == 0 ||
			    strcmp(argv[i], "--top") == 0)
				snprintf(msg, len,
					 "show %s: no option '%s' (only "
					 "peer and matrix take --top and "
					 "--all)",
					 c->name, argv[i]);
			else
				snprintf(msg, len, "unknown option '%s'",
					 argv[i]);
			return -1;
		} else if (*arg == NULL && c->arg != SA_NONE) {
			*arg = argv[i];
		} else {
			snprintf(msg, len, "unexpected argument '%s'", argv[i]);
			return -1;
		}
	}
	if (c->arg == SA_REQUIRED && *arg == NULL) {
		snprintf(msg, len, "show %.*s: missing %s", (int)word1(c),
			 c->name, c->arg_name);
		return -1;
	}
	return 0;
}

/* `show ...` with given counters (see daemon.h). Event loop thread. */
int
ctl_show_rates(const struct ctl_state *st, int argc, char **argv, bool json,
	       const struct ctl_rates *r, FILE *out)
{
	struct ctx *x = calloc(1, sizeof(*x));
	const struct show_cmd *c = NULL, *group = NULL;
	const char *arg = NULL;
	struct view *v = NULL;
	char msg[192];
	int rc, words = 0;

	if (x == NULL || (x->names = malloc(sizeof(*x->names))) == NULL) {
		free(x);
		fputs(json ? "{\"error\":\"out of memory\"}\n"
			   : "out of memory\n",
		      out);
		return 1;
	}
	x->st = st;
	x->spec = st->running.valid ? &st->running.spec : NULL;
	ixg_ctr_names_from_spec(x->names, x->spec);
	x->names->bh_origin = rib_bh_origin;
	x->names->bh_origin_arg = st;
	/* The DPDK device names the dataplane wrote after its blocks. */
	if (st->dp_connected)
		ixg_ctr_names_devices(x->names,
				      ixg_ctr_ports_of(st->counters,
						       st->counters_size,
						       st->n_counter_blocks));
	x->top = SHOW_TOP_DEFAULT;
	show_now(&x->ts);
	x->now_unix = (int64_t)x->ts.tv_sec;
	/* `--json` anywhere in argv too, for clients that pass it through. */
	for (int k = 1; k < argc; k++)
		if (strcmp(argv[k], "--json") == 0)
			json = true;

	if (argc < 2 || argv[1] == NULL) {
		rc = render_error(out, json, 2, "show: missing command", NULL,
				  true);
		goto done;
	}
	c = cmd_find(argc, argv, &words, &group);
	if (c == NULL && group != NULL) {
		char ch[128];

		group_choices(group, ch, sizeof(ch));
		snprintf(msg, sizeof(msg), "show %.*s: expected %s",
			 (int)word1(group), group->name, ch);
		rc = render_error(out, json, 2, msg, NULL, true);
		goto done;
	}
	if (c == NULL) {
		snprintf(msg, sizeof(msg), "show: unknown command '%s'",
			 argv[1]);
		rc = render_error(out, json, 2, msg, NULL, true);
		goto done;
	}
	if (parse_args(x, c, argc, argv, 1 + words, &arg, msg, sizeof(msg)) <
	    0) {
		rc = render_error(out, json, 2, msg, NULL, true);
		goto done;
	}
	if (r != NULL) {
		x->c = r->c;
		if (r->c != NULL && r->now != NULL && r->prev != NULL &&
		    r->dt > 0) {
			x->now = r->now;
			x->prev = r->prev;
			x->dt = r->dt;
		}
		x->frame = r->frame;
		x->watch_s = r->watch_s;
	} else if (c->counters && counters_load(x) < 0) {
		/* Commands over the configuration alone skip summing the
		 * blocks. */
		rc = render_error(out, json, 1, "out of memory", NULL, false);
		goto done;
	}
	ixg_ctr_src_one(&x->sc, x->c);
	ixg_ctr_src_one(&x->snow, x->now);
	ixg_ctr_src_one(&x->sprev, x->prev);
	if (c->counters) {
		struct view_hdr h = {
			.counters = x->c != NULL,
			.generation = st->dp_generation,
			.rate_interval_s = x->now && x->prev ? x->dt : 0,
			.frame = x->frame,
			.watch_s = x->watch_s,
			.now = x->ts,
		};

		v = view_new(&h);
	} else {
		v = view_new(NULL);
	}
	if (v == NULL) {
		rc = render_error(out, json, 1, "out of memory", NULL, false);
		goto done;
	}
	rc = c->fill(x, v, arg);
	if (rc != 0)
		rc = render_error(out, json, rc, x->err, x->suggestion, false);
	else if (view_render(v, json, out) < 0)
		rc = render_error(out, json, 1, "out of memory", NULL, false);
done:
	view_free(v);
	free(x->sum);
	free(x->names);
	free(x);
	return rc;
}
