/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * show.c - the operator's read-only commands (`ixgatectl show ...`), served
 * by ixgate-control from its state: the running spec (names, prefixes,
 * rules) and the dataplane's counters (mapped read-only, summed here with
 * stats_sum()). Rates come from the event loop's two samples (sum_now,
 * sum_prev) over sample_interval_s.
 *
 * Every command writes a human table (at most SHOW_WIDTH columns) or one
 * JSON object. Without a dataplane the counters are shown as "-" (null in
 * JSON) under a header line that says so; config data is still shown.
 *
 * Cost: one pass over the spec's arrays per command (a full table is 1.5M
 * routes: `show routes ADDR` is a linear longest-prefix scan, measured in
 * tests/unit/control/test_show.c); sorting only what is small (ACL rules,
 * peer pairs, countries).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "show_impl.h"
#include "stats.h"

#define SHOW_FIRST_PREFIXES 20 /* `show peer`: prefixes listed */
#define SHOW_TOP_DEFAULT 20 /* `matrix peers`, top destinations */
#define SHOW_TOP_COUNTRIES 8 /* `matrix countries`: grid size */
#define SHOW_GRID_MAX 10 /* wider grids do not fit SHOW_WIDTH */
#define SHOW_MORE_SPECIFICS 10 /* `show routes PREFIX` */
#define SHOW_MAX_MATCHES 192 /* covering entries: 33 + 129 + slack */

struct ctx {
	const struct ctl_state *st;
	const struct ixg_spec *spec; /* NULL without a running config */
	FILE *out;
	bool json;
	struct jw w;

	/* Totals (NULL: no dataplane) and the two samples for rates (NULL:
	 * not sampled yet). */
	const struct ixg_lcore_counters *c;
	const struct ixg_lcore_counters *now, *prev;
	double dt;
	struct ixg_lcore_counters *sum; /* owned: the live sum */
	int64_t now_unix;
	/* --watch: the frame's number (0: not watching) and interval. */
	unsigned frame;
	double watch_s;

	/* Options of the command. */
	bool all;
	unsigned top;
	bool top_given;
};

/* -------------------------------------------------------------- helpers */

static const char *
sav_name(unsigned m)
{
	switch (m) {
	case IXG_SAV_STRICT: return "strict";
	case IXG_SAV_LOOSE: return "loose";
	case IXG_SAV_OFF: return "off";
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
cc_str(const struct ixg_spec *s, unsigned idx, char buf[3])
{
	ixg_cc_t cc = 0;

	if (s != NULL && idx < s->n_countries && s->countries != NULL)
		cc = s->countries[idx];
	if (idx == IXG_COUNTRY_UNKNOWN && cc == 0)
		cc = IXG_CC('-', '-');
	buf[0] = (char)(cc >> 8);
	buf[1] = (char)(cc & 0xff);
	buf[2] = '\0';
	if (buf[0] < ' ' || buf[0] > '~' || buf[1] < ' ' || buf[1] > '~')
		buf[0] = buf[1] = '?';
	return buf;
}

static const char *
port_name(const struct ixg_spec *s, unsigned id, char *buf, size_t len)
{
	for (uint32_t i = 0; s != NULL && i < s->n_ports; i++)
		if (s->ports[i].id == id)
			return s->ports[i].name;
	snprintf(buf, len, "#%u", id);
	return buf;
}

static const char *
peer_name(const struct ixg_spec *s, unsigned id, char *buf, size_t len)
{
	const struct ixg_spec_peer *p;

	if (id == IXG_PEER_NONE)
		return "-";
	p = s != NULL ? ixg_spec_peer_by_id(s, (uint16_t)id) : NULL;
	if (p != NULL)
		return p->name;
	snprintf(buf, len, "#%u", id);
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

/* The counter at the same place as `field` (a pointer into x->c) in
 * another block. */
static uint64_t
same_field(const struct ixg_lcore_counters *blk,
	   const struct ixg_lcore_counters *base, const uint64_t *field)
{
	size_t off = (size_t)((const char *)field - (const char *)base);

	return *(const uint64_t *)((const char *)blk + off);
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

/* Per-second rate of a counter in x->c, from the two samples; false when
 * there is nothing to compute it from. */
static bool
rate_of(const struct ctx *x, const uint64_t *field, double *r)
{
	if (x->c == NULL || x->now == NULL || x->prev == NULL)
		return false;
	return ctl_rate(same_field(x->prev, x->c, field),
			same_field(x->now, x->c, field), x->dt, r);
}

/* Table cells: a count, a rate, or "-" when unknown. */
static void
cell_count(struct tbl *t, unsigned col, const struct ctx *x, const uint64_t *v)
{
	char b[SHOW_NUM_LEN];

	if (x->c == NULL)
		tbl_set(t, col, "-");
	else
		tbl_set(t, col, "%s", show_si(b, (double)*v));
}

static void
cell_rate(struct tbl *t, unsigned col, const struct ctx *x, const uint64_t *v,
	  double scale)
{
	char b[SHOW_NUM_LEN];
	double r;

	if (!rate_of(x, v, &r))
		tbl_set(t, col, "-");
	else
		tbl_set(t, col, "%s", show_si(b, r * scale));
}

/* JSON: the counter, or null without a dataplane; its rate likewise. */
static void
j_count(struct ctx *x, const char *key, const uint64_t *v)
{
	if (x->c == NULL)
		jw_null(&x->w, key);
	else
		jw_u64(&x->w, key, *v);
}

static void
j_rate(struct ctx *x, const char *key, const uint64_t *v, double scale)
{
	double r;

	if (!rate_of(x, v, &r))
		jw_null(&x->w, key);
	else
		jw_dbl(&x->w, key, r * scale);
}

/* Dataplane state at the top of every command's output. */
static void
header(struct ctx *x)
{
	struct timespec ts;
	char tb[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	if (x->json) {
		jw_bool(&x->w, "dataplane_connected", x->c != NULL);
		jw_u64(&x->w, "generation", x->st->dp_generation);
		if (x->now != NULL && x->prev != NULL && x->dt > 0)
			jw_dbl(&x->w, "rate_interval_s", x->dt);
		else
			jw_null(&x->w, "rate_interval_s");
		if (x->frame > 0) {
			jw_u64(&x->w, "watch_frame", x->frame);
			jw_dbl(&x->w, "watch_interval_s", x->watch_s);
			jw_dbl(&x->w, "time",
			       (double)ts.tv_sec + ts.tv_nsec / 1e9);
		}
		return;
	}
	if (x->frame > 0) {
		fprintf(x->out, "%s  every %g s, frame %u, ",
			show_time(tb, sizeof(tb), (int64_t)ts.tv_sec),
			x->watch_s, x->frame);
		if (x->now != NULL && x->prev != NULL && x->dt > 0)
			fprintf(x->out, "rates over the last %.2f s\n\n",
				x->dt);
		else
			fputs("no rates yet (first read, or the dataplane "
			      "restarted)\n\n",
			      x->out);
	}
	if (x->c == NULL)
		fputs("dataplane not connected: counters shown as '-'\n\n",
		      x->out);
}

static int error(struct ctx *x, int status, const char *suggestion,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* An error as text, or as {"error": ..., "did_you_mean": ...}. */
static int
error(struct ctx *x, int status, const char *suggestion, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->json) {
		struct jw w;

		jw_init(&w, x->out);
		jw_obj(&w, NULL);
		jw_str(&w, "error", msg);
		if (suggestion != NULL)
			jw_str(&w, "did_you_mean", suggestion);
		jw_end_obj(&w);
		jw_done(&w);
	} else if (suggestion != NULL) {
		fprintf(x->out, "%s; did you mean '%s'?\n", msg, suggestion);
	} else {
		fprintf(x->out, "%s\n", msg);
	}
	return status;
}

static int
need_spec(struct ctx *x)
{
	if (x->spec != NULL)
		return 0;
	return error(x, 1, NULL, "no running configuration");
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
		n[0][s->routes4[i].peer_id % IXG_MAX_PEERS]++;
	for (uint32_t i = 0; i < s->n_routes6; i++)
		n[1][s->routes6[i].peer_id % IXG_MAX_PEERS]++;
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

static uint32_t
pairs_collect(const struct ixg_lcore_counters *c, struct pair *v, uint32_t in,
	      uint32_t out)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < IXG_PEER_PAIR_SLOTS; i++) {
		const struct ixg_ctr_peer_pair *p = &c->peer_pair[i];

		if (p->key == 0 || p->pb.packets == 0)
			continue;
		if (in != 0 && p->key >> 16 != in)
			continue;
		if (out != 0 && (p->key & 0xffff) != out)
			continue;
		v[n].key = p->key;
		v[n].packets = p->pb.packets;
		v[n].bytes = p->pb.bytes;
		v[n].pps = v[n].bps = -1;
		n++;
	}
	return n;
}

/*
 * Non-zero peer pairs of x->c (only those from `in` / to `out` when not 0),
 * with rates from the samples, sorted by packets, largest first. *n is the
 * count; NULL without counters or memory.
 */
static struct pair *
pairs_top(const struct ctx *x, uint32_t in, uint32_t out, uint32_t *n)
{
	struct pair *v, *pv = NULL;
	uint32_t nv = 0;

	*n = 0;
	if (x->c == NULL)
		return NULL;
	v = malloc(sizeof(*v) * IXG_PEER_PAIR_SLOTS);
	if (v == NULL)
		return NULL;
	*n = pairs_collect(x->c, v, in, out);
	if (x->now != NULL && x->prev != NULL && x->dt > 0) {
		/* Rates: both samples sorted by key, merged. */
		struct pair *nw = malloc(sizeof(*nw) * IXG_PEER_PAIR_SLOTS);

		pv = malloc(sizeof(*pv) * IXG_PEER_PAIR_SLOTS);
		if (nw != NULL && pv != NULL) {
			uint32_t nn = pairs_collect(x->now, nw, in, out);

			nv = pairs_collect(x->prev, pv, in, out);
			qsort(pv, nv, sizeof(*pv), pair_by_key);
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
			qsort(nw, nn, sizeof(*nw), pair_by_key);
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
		free(nw);
	}
	free(pv);
	qsort(v, *n, sizeof(*v), pair_by_packets);
	return v;
}

static void
cell_drate(struct tbl *t, unsigned col, double r)
{
	char b[SHOW_NUM_LEN];

	if (r < 0)
		tbl_set(t, col, "-");
	else
		tbl_set(t, col, "%s", show_si(b, r));
}

static void
j_drate(struct jw *w, const char *key, double r)
{
	if (r < 0)
		jw_null(w, key);
	else
		jw_dbl(w, key, r);
}

/* ---------------------------------------------------------- show peers */

static int
cmd_peers(struct ctx *x)
{
	const struct ixg_spec *s = x->spec;
	uint32_t(*n)[IXG_MAX_PEERS];
	char b1[48], b2[48];
	struct tbl t;

	if (need_spec(x))
		return 1;
	n = prefix_counts(s);
	if (n == NULL)
		return error(x, 1, NULL, "out of memory");
	if (x->json) {
		jw_obj(&x->w, NULL);
		header(x);
		jw_arr(&x->w, "peers");
		for (uint32_t i = 0; i < s->n_peers; i++) {
			const struct ixg_spec_peer *p = &s->peers[i];
			const struct ixg_ctr_peer *cp =
				x->c ? &x->c->peer[p->id % IXG_MAX_PEERS]
				     : NULL;

			jw_obj(&x->w, NULL);
			jw_u64(&x->w, "id", p->id);
			jw_str(&x->w, "name", p->name);
			jw_u64(&x->w, "asn", p->asn);
			jw_str(&x->w, "country", cc_str(s, p->country, b1));
			jw_str(&x->w, "port",
			       port_name(s, p->port_id, b2, sizeof(b2)));
			jw_u64(&x->w, "vlan", p->vlan);
			jw_u64(&x->w, "outer_vlan", p->outer_vlan);
			jw_str(&x->w, "sav", sav_name(p->sav_mode));
			jw_u64(&x->w, "prefixes_v4",
			       n[0][p->id % IXG_MAX_PEERS]);
			jw_u64(&x->w, "prefixes_v6",
			       n[1][p->id % IXG_MAX_PEERS]);
			j_count(x, "rx_packets", cp ? &cp->rx.packets : NULL);
			j_count(x, "rx_bytes", cp ? &cp->rx.bytes : NULL);
			j_count(x, "tx_packets", cp ? &cp->tx.packets : NULL);
			j_count(x, "tx_bytes", cp ? &cp->tx.bytes : NULL);
			j_count(x, "drops", cp ? &cp->drops : NULL);
			j_rate(x, "rx_pps", cp ? &cp->rx.packets : NULL, 1);
			j_rate(x, "rx_bps", cp ? &cp->rx.bytes : NULL, 8);
			j_rate(x, "tx_pps", cp ? &cp->tx.packets : NULL, 1);
			j_rate(x, "tx_bps", cp ? &cp->tx.bytes : NULL, 8);
			jw_end_obj(&x->w);
		}
		jw_end_arr(&x->w);
		jw_end_obj(&x->w);
		jw_done(&x->w);
		free(n);
		return 0;
	}

	header(x);
	{
		static const char *const h[] = {
			"PEER",	 ">ID", ">ASN",	   "CC",      "PORT",
			">VLAN", "SAV", ">PFX-V4", ">PFX-V6", ">MACS"};
		static const unsigned cap[] = {20, 0, 0, 0, 10, 0, 0, 0, 0, 0};

		tbl_init(&t, 10, h, cap);
		for (uint32_t i = 0; i < s->n_peers; i++) {
			const struct ixg_spec_peer *p = &s->peers[i];

			tbl_row(&t);
			tbl_set(&t, 0, "%s", p->name);
			tbl_set(&t, 1, "%u", p->id);
			tbl_set(&t, 2, "%" PRIu32, p->asn);
			tbl_set(&t, 3, "%s", cc_str(s, p->country, b1));
			tbl_set(&t, 4, "%s",
				port_name(s, p->port_id, b2, sizeof(b2)));
			tbl_set(&t, 5, "%s", vlan_str(p, b1, sizeof(b1)));
			tbl_set(&t, 6, "%s", sav_name(p->sav_mode));
			tbl_set(&t, 7, "%" PRIu32, n[0][p->id % IXG_MAX_PEERS]);
			tbl_set(&t, 8, "%" PRIu32, n[1][p->id % IXG_MAX_PEERS]);
			tbl_set(&t, 9, "%u", p->n_macs);
		}
		tbl_print(&t, x->out, 0);
	}
	fputc('\n', x->out);
	{
		static const char *const h[] = {
			"PEER",	     ">RX-PKTS", ">RX-BYTES", ">RX-PPS",
			">RX-BIT/S", ">TX-PKTS", ">TX-BYTES", ">TX-PPS",
			">TX-BIT/S", ">DROPS"};
		static const unsigned cap[] = {20, 0, 0, 0, 0, 0, 0, 0, 0, 0};

		tbl_init(&t, 10, h, cap);
		for (uint32_t i = 0; i < s->n_peers; i++) {
			const struct ixg_spec_peer *p = &s->peers[i];
			static const struct ixg_ctr_peer zero;
			const struct ixg_ctr_peer *cp =
				x->c ? &x->c->peer[p->id % IXG_MAX_PEERS]
				     : &zero;

			tbl_row(&t);
			tbl_set(&t, 0, "%s", p->name);
			cell_count(&t, 1, x, &cp->rx.packets);
			cell_count(&t, 2, x, &cp->rx.bytes);
			cell_rate(&t, 3, x, &cp->rx.packets, 1);
			cell_rate(&t, 4, x, &cp->rx.bytes, 8);
			cell_count(&t, 5, x, &cp->tx.packets);
			cell_count(&t, 6, x, &cp->tx.bytes);
			cell_rate(&t, 7, x, &cp->tx.packets, 1);
			cell_rate(&t, 8, x, &cp->tx.bytes, 8);
			cell_count(&t, 9, x, &cp->drops);
		}
		tbl_print(&t, x->out, 0);
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
 * JSON strings into an open array, or lines into the human view. */
static void
list_prefixes(struct ctx *x, const struct ixg_spec_route4 *v4, uint32_t n4,
	      const struct ixg_spec_route6 *v6, uint32_t n6, uint16_t id,
	      unsigned max, unsigned total)
{
	unsigned shown = 0;
	char b[64];

	for (uint32_t i = 0; i < n4 && shown < max; i++) {
		if (v4[i].peer_id != id)
			continue;
		show_prefix4h(b, sizeof(b), v4[i].addr, v4[i].len);
		if (x->json)
			jw_str(&x->w, NULL, b);
		else
			fprintf(x->out, "%20s%s\n", "", b);
		shown++;
	}
	for (uint32_t i = 0; i < n6 && shown < max; i++) {
		if (v6[i].peer_id != id)
			continue;
		show_prefix(b, sizeof(b), 6, v6[i].addr, v6[i].len);
		if (x->json)
			jw_str(&x->w, NULL, b);
		else
			fprintf(x->out, "%20s%s\n", "", b);
		shown++;
	}
	if (!x->json && total > shown)
		fprintf(x->out, "%20s... and %u more\n", "", total - shown);
}

/* Top peers a peer sends to (dir 0) or receives from (dir 1). */
static void
peer_top(struct ctx *x, uint16_t id, int dir, const char *title,
	 const char *jkey)
{
	uint32_t n = 0, shown;
	struct pair *v = pairs_top(x, dir == 0 ? id : 0, dir == 1 ? id : 0, &n);
	uint64_t total = 0;
	char b[48], nb[SHOW_NUM_LEN];

	shown = x->all ? n : n < x->top ? n : x->top;
	for (uint32_t i = 0; i < n; i++)
		total += v[i].packets;
	if (x->json) {
		if (v == NULL) {
			jw_null(&x->w, jkey);
			return;
		}
		jw_arr(&x->w, jkey);
		for (uint32_t i = 0; i < shown; i++) {
			uint32_t other = dir == 0 ? v[i].key & 0xffff
						  : v[i].key >> 16;

			jw_obj(&x->w, NULL);
			jw_str(&x->w, "peer",
			       peer_name(x->spec, other, b, sizeof(b)));
			jw_u64(&x->w, "packets", v[i].packets);
			jw_u64(&x->w, "bytes", v[i].bytes);
			j_drate(&x->w, "pps", v[i].pps);
			j_drate(&x->w, "bps", v[i].bps);
			jw_end_obj(&x->w);
		}
		jw_end_arr(&x->w);
		free(v);
		return;
	}
	fprintf(x->out, "%s\n", title);
	if (x->c == NULL) {
		fputs("  -\n", x->out);
		return;
	}
	if (n == 0) {
		fputs("  (none)\n", x->out);
		free(v);
		return;
	}
	{
		static const char *const h[] = {"PEER", ">PACKETS", ">BYTES",
						">PPS", ">BIT/S",   ">SHARE"};
		struct tbl t;

		tbl_init(&t, 6, h, NULL);
		for (uint32_t i = 0; i < shown; i++) {
			uint32_t other = dir == 0 ? v[i].key & 0xffff
						  : v[i].key >> 16;

			tbl_row(&t);
			tbl_set(&t, 0, "%s",
				peer_name(x->spec, other, b, sizeof(b)));
			tbl_set(&t, 1, "%s", show_si(nb, (double)v[i].packets));
			tbl_set(&t, 2, "%s", show_si(nb, (double)v[i].bytes));
			cell_drate(&t, 3, v[i].pps);
			cell_drate(&t, 4, v[i].bps);
			tbl_set(&t, 5, "%.1f%%",
				total ? 100.0 * (double)v[i].packets /
						(double)total
				      : 0.0);
		}
		tbl_print(&t, x->out, 2);
	}
	if (shown < n)
		fprintf(x->out, "  ... and %u more (--all)\n", n - shown);
	free(v);
}

static void
human_traffic(struct ctx *x, const char *label, const struct ixg_ctr_pb *pb)
{
	char a[SHOW_NUM_LEN], b[SHOW_NUM_LEN], c[SHOW_NUM_LEN], d[SHOW_NUM_LEN];
	double pps, bps;

	if (x->c == NULL) {
		fprintf(x->out, "  %-18s-\n", label);
		return;
	}
	fprintf(x->out, "  %-18s%s packets, %s bytes", label,
		show_si(a, (double)pb->packets), show_si(b, (double)pb->bytes));
	if (rate_of(x, &pb->packets, &pps) && rate_of(x, &pb->bytes, &bps))
		fprintf(x->out, ", %s pps, %s", show_si(c, pps),
			show_bitrate(d, bps * 8));
	fputc('\n', x->out);
}

static int
cmd_peer(struct ctx *x, const char *name)
{
	const struct ixg_spec *s = x->spec;
	const struct ixg_spec_peer *p;
	const char *best;
	uint32_t(*n)[IXG_MAX_PEERS];
	uint32_t id;
	char b1[64], b2[64], loc[256];
	const struct ixg_ctr_peer *cp;
	/* --all: every prefix, not only the first ones. */
	unsigned first = x->all ? UINT32_MAX : SHOW_FIRST_PREFIXES;

	if (need_spec(x))
		return 1;
	p = peer_lookup(s, name, &best);
	if (p == NULL)
		return error(x, 1, best, "no peer named '%s'", name);
	n = prefix_counts(s);
	if (n == NULL)
		return error(x, 1, NULL, "out of memory");
	id = p->id % IXG_MAX_PEERS;
	cp = x->c ? &x->c->peer[id] : NULL;

	if (x->json) {
		jw_obj(&x->w, NULL);
		header(x);
		jw_obj(&x->w, "peer");
		jw_u64(&x->w, "id", p->id);
		jw_str(&x->w, "name", p->name);
		jw_u64(&x->w, "asn", p->asn);
		jw_str(&x->w, "country", cc_str(s, p->country, b1));
		jw_str(&x->w, "port", port_name(s, p->port_id, b2, sizeof(b2)));
		jw_u64(&x->w, "vlan", p->vlan);
		jw_u64(&x->w, "outer_vlan", p->outer_vlan);
		jw_str(&x->w, "sav", sav_name(p->sav_mode));
		jw_u64(&x->w, "max_prefix", p->max_prefix);
		jw_arr(&x->w, "macs");
		for (unsigned i = 0; i < p->n_macs && i < IXG_MAX_PEER_MACS;
		     i++)
			jw_str(&x->w, NULL,
			       show_mac(b1, sizeof(b1), p->macs[i]));
		jw_end_arr(&x->w);
		jw_arr(&x->w, "next_hops");
		if (p->has_nh4)
			jw_str(&x->w, NULL, addr_str(4, p->nh4, b1));
		if (p->has_nh6)
			jw_str(&x->w, NULL, addr_str(6, p->nh6, b1));
		jw_end_arr(&x->w);
		if (p->rate) {
			jw_obj(&x->w, "policer");
			jw_u64(&x->w, "rate_bps", p->rate * 8);
			jw_u64(&x->w, "burst_bytes", p->burst);
			jw_end_obj(&x->w);
		} else {
			jw_null(&x->w, "policer");
		}
		if (where(x, p->origin, loc, sizeof(loc)))
			jw_str(&x->w, "where", loc);
		jw_obj(&x->w, "announced");
		jw_u64(&x->w, "ipv4", n[0][id]);
		jw_u64(&x->w, "ipv6", n[1][id]);
		jw_arr(&x->w, "first");
		list_prefixes(x, s->routes4, s->n_routes4, s->routes6,
			      s->n_routes6, p->id, first, 0);
		jw_end_arr(&x->w);
		jw_end_obj(&x->w);
		jw_obj(&x->w, "allowed_sources");
		jw_u64(&x->w, "ipv4", n[2][id]);
		jw_u64(&x->w, "ipv6", n[3][id]);
		jw_arr(&x->w, "first");
		list_prefixes(x, s->sources4, s->n_sources4, s->sources6,
			      s->n_sources6, p->id, first, 0);
		jw_end_arr(&x->w);
		jw_end_obj(&x->w);
		if (cp == NULL) {
			jw_null(&x->w, "counters");
		} else {
			jw_obj(&x->w, "counters");
			j_count(x, "rx_packets", &cp->rx.packets);
			j_count(x, "rx_bytes", &cp->rx.bytes);
			j_count(x, "tx_packets", &cp->tx.packets);
			j_count(x, "tx_bytes", &cp->tx.bytes);
			j_count(x, "drops", &cp->drops);
			j_rate(x, "rx_pps", &cp->rx.packets, 1);
			j_rate(x, "rx_bps", &cp->rx.bytes, 8);
			j_rate(x, "tx_pps", &cp->tx.packets, 1);
			j_rate(x, "tx_bps", &cp->tx.bytes, 8);
			j_rate(x, "drops_pps", &cp->drops, 1);
			jw_end_obj(&x->w);
		}
		peer_top(x, p->id, 0, NULL, "top_destinations");
		peer_top(x, p->id, 1, NULL, "top_sources");
		jw_end_obj(&x->w);
		jw_end_obj(&x->w);
		jw_done(&x->w);
		free(n);
		return 0;
	}

	header(x);
	fprintf(x->out, "peer %s (id %u)\n", p->name, p->id);
	fprintf(x->out, "  %-18sAS%" PRIu32 "\n", "asn", p->asn);
	fprintf(x->out, "  %-18s%s\n", "country", cc_str(s, p->country, b1));
	fprintf(x->out, "  %-18s%s, vlan %s\n", "port",
		port_name(s, p->port_id, b2, sizeof(b2)),
		vlan_str(p, b1, sizeof(b1)));
	fprintf(x->out, "  %-18s", "macs");
	for (unsigned i = 0; i < p->n_macs && i < IXG_MAX_PEER_MACS; i++)
		fprintf(x->out, "%s%s", i ? ", " : "",
			show_mac(b1, sizeof(b1), p->macs[i]));
	fprintf(x->out, "\n  %-18s", "next-hops");
	if (p->has_nh4)
		fprintf(x->out, "%s", addr_str(4, p->nh4, b1));
	if (p->has_nh6)
		fprintf(x->out, "%s%s", p->has_nh4 ? ", " : "",
			addr_str(6, p->nh6, b1));
	if (!p->has_nh4 && !p->has_nh6)
		fputs("none", x->out);
	fprintf(x->out, "\n  %-18s%s\n", "source-validation",
		sav_name(p->sav_mode));
	if (p->max_prefix)
		fprintf(x->out, "  %-18s%" PRIu32 "\n", "max-prefix",
			p->max_prefix);
	else
		fprintf(x->out, "  %-18snone\n", "max-prefix");
	if (p->rate) {
		char r[SHOW_NUM_LEN], z[SHOW_NUM_LEN];

		fprintf(x->out, "  %-18s%s, burst %s\n", "policer",
			show_bitrate(r, (double)p->rate * 8),
			show_size(z, p->burst));
	} else {
		fprintf(x->out, "  %-18snone\n", "policer");
	}
	if (where(x, p->origin, loc, sizeof(loc)))
		fprintf(x->out, "  %-18s%s\n", "defined at", loc);
	fprintf(x->out, "  %-18s%" PRIu32 " IPv4, %" PRIu32 " IPv6\n",
		"announced", n[0][id], n[1][id]);
	list_prefixes(x, s->routes4, s->n_routes4, s->routes6, s->n_routes6,
		      p->id, first, n[0][id] + n[1][id]);
	fprintf(x->out, "  %-18s%" PRIu32 " IPv4, %" PRIu32 " IPv6\n",
		"allowed sources", n[2][id], n[3][id]);
	list_prefixes(x, s->sources4, s->n_sources4, s->sources6, s->n_sources6,
		      p->id, first, n[2][id] + n[3][id]);
	fputs("traffic\n", x->out);
	human_traffic(x, "received", cp ? &cp->rx : NULL);
	human_traffic(x, "sent", cp ? &cp->tx : NULL);
	if (cp == NULL) {
		fprintf(x->out, "  %-18s-\n", "drops");
	} else {
		char r[SHOW_NUM_LEN];
		double pps;

		fprintf(x->out, "  %-18s%" PRIu64, "drops", cp->drops);
		if (rate_of(x, &cp->drops, &pps))
			fprintf(x->out, " (%s pps)", show_si(r, pps));
		fputc('\n', x->out);
	}
	peer_top(x, p->id, 0, "top destinations", NULL);
	peer_top(x, p->id, 1, "top sources", NULL);
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
	case M_ROUTE:
		snprintf(b, len, "%s",
			 peer_name(s,
				   fam == 4 ? s->routes4[m->idx].peer_id
					    : s->routes6[m->idx].peer_id,
				   nb, sizeof(nb)));
		break;
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
				 port_name(s, l->port_id, nb, sizeof(nb)),
				 l->vlan);
		else
			snprintf(b, len, "node on %s",
				 port_name(s, l->port_id, nb, sizeof(nb)));
		break;
	}
	}
	return b;
}

static int
routes_summary(struct ctx *x)
{
	const struct ixg_spec *s = x->spec;
	uint32_t(*n)[IXG_MAX_PEERS] = prefix_counts(s);
	uint32_t active = 0;

	if (n == NULL)
		return error(x, 1, NULL, "out of memory");
	for (uint32_t i = 0; i < s->n_blackholes; i++)
		active += blackhole_active(x, &s->blackholes[i]);
	if (x->json) {
		jw_obj(&x->w, NULL);
		jw_u64(&x->w, "routes_v4", s->n_routes4);
		jw_u64(&x->w, "routes_v6", s->n_routes6);
		jw_u64(&x->w, "sources_v4", s->n_sources4);
		jw_u64(&x->w, "sources_v6", s->n_sources6);
		jw_u64(&x->w, "blackholes", s->n_blackholes);
		jw_u64(&x->w, "blackholes_active", active);
		jw_u64(&x->w, "local_addresses", s->n_local_addrs);
		jw_arr(&x->w, "peers");
		for (uint32_t i = 0; i < s->n_peers; i++) {
			const struct ixg_spec_peer *p = &s->peers[i];
			uint32_t id = p->id % IXG_MAX_PEERS;

			jw_obj(&x->w, NULL);
			jw_str(&x->w, "peer", p->name);
			jw_u64(&x->w, "asn", p->asn);
			jw_u64(&x->w, "routes_v4", n[0][id]);
			jw_u64(&x->w, "routes_v6", n[1][id]);
			jw_u64(&x->w, "sources_v4", n[2][id]);
			jw_u64(&x->w, "sources_v6", n[3][id]);
			jw_end_obj(&x->w);
		}
		jw_end_arr(&x->w);
		jw_end_obj(&x->w);
		jw_done(&x->w);
	} else {
		static const char *const h[] = {"PEER",	       ">ASN",
						">ROUTES-V4",  ">ROUTES-V6",
						">SOURCES-V4", ">SOURCES-V6"};
		static const unsigned cap[] = {31, 0, 0, 0, 0, 0};
		struct tbl t;

		fprintf(x->out,
			"%" PRIu32 " IPv4 and %" PRIu32 " IPv6 routes, "
			"%" PRIu32 " blackholes (%" PRIu32 " active), "
			"%" PRIu32 " local addresses\n\n",
			s->n_routes4, s->n_routes6, s->n_blackholes, active,
			s->n_local_addrs);
		tbl_init(&t, 6, h, cap);
		for (uint32_t i = 0; i < s->n_peers; i++) {
			const struct ixg_spec_peer *p = &s->peers[i];
			uint32_t id = p->id % IXG_MAX_PEERS;

			tbl_row(&t);
			tbl_set(&t, 0, "%s", p->name);
			tbl_set(&t, 1, "%" PRIu32, p->asn);
			tbl_set(&t, 2, "%" PRIu32, n[0][id]);
			tbl_set(&t, 3, "%" PRIu32, n[1][id]);
			tbl_set(&t, 4, "%" PRIu32, n[2][id]);
			tbl_set(&t, 5, "%" PRIu32, n[3][id]);
		}
		tbl_print(&t, x->out, 0);
	}
	free(n);
	return 0;
}

static int
cmd_routes(struct ctx *x, const char *arg)
{
	const struct ixg_spec *s = x->spec;
	struct match m[SHOW_MAX_MATCHES], ms[SHOW_MORE_SPECIFICS];
	const struct match *best = NULL;
	const struct ixg_spec_peer *egress = NULL;
	uint8_t q[16];
	unsigned qlen, nm;
	uint32_t n_ms;
	int fam;
	char qs[64], b[96], tb[96], loc[256], cc[3];
	const char *verdict;

	if (need_spec(x))
		return 1;
	if (arg == NULL)
		return routes_summary(x);
	if (show_parse_prefix(arg, &fam, q, &qlen) < 0)
		return error(x, 2, NULL,
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
	if (best != NULL && best->kind == M_ROUTE)
		egress = ixg_spec_peer_by_id(
			s, fam == 4 ? s->routes4[best->idx].peer_id
				    : s->routes6[best->idx].peer_id);
	cc_str(s, country_of(s, fam, q), cc);

	if (x->json) {
		jw_obj(&x->w, NULL);
		jw_str(&x->w, "query", qs);
		jw_u64(&x->w, "family", (uint64_t)fam);
		jw_str(&x->w, "verdict", verdict);
		jw_str(&x->w, "country", cc);
		if (best != NULL)
			jw_str(&x->w, "best",
			       match_prefix(x, fam, best, b, sizeof(b)));
		else
			jw_null(&x->w, "best");
		if (egress != NULL) {
			jw_obj(&x->w, "egress");
			jw_str(&x->w, "peer", egress->name);
			jw_u64(&x->w, "asn", egress->asn);
			jw_str(&x->w, "country",
			       cc_str(s, egress->country, tb));
			jw_str(&x->w, "port",
			       port_name(s, egress->port_id, tb, sizeof(tb)));
			jw_u64(&x->w, "vlan", egress->vlan);
			jw_end_obj(&x->w);
		} else {
			jw_null(&x->w, "egress");
		}
		jw_arr(&x->w, "matches");
		for (unsigned i = 0; i < nm; i++) {
			jw_obj(&x->w, NULL);
			jw_str(&x->w, "prefix",
			       match_prefix(x, fam, &m[i], b, sizeof(b)));
			jw_str(&x->w, "kind", match_kind[m[i].kind]);
			if (m[i].kind == M_ROUTE) {
				jw_str(&x->w, "peer",
				       match_target(x, fam, &m[i], tb,
						    sizeof(tb)));
			} else if (m[i].kind == M_BLACKHOLE) {
				const struct ixg_spec_blackhole *h =
					&s->blackholes[m[i].idx];

				jw_bool(&x->w, "active",
					blackhole_active(x, h));
				if (h->expires)
					jw_str(&x->w, "expires",
					       show_time(tb, sizeof(tb),
							 h->expires));
				else
					jw_null(&x->w, "expires");
			} else {
				jw_str(&x->w, "target",
				       match_target(x, fam, &m[i], tb,
						    sizeof(tb)));
			}
			jw_bool(&x->w, "selected", &m[i] == best);
			if (where(x, match_origin(x, fam, &m[i]), loc,
				  sizeof(loc)))
				jw_str(&x->w, "where", loc);
			jw_end_obj(&x->w);
		}
		jw_end_arr(&x->w);
		jw_u64(&x->w, "more_specifics", n_ms);
		jw_arr(&x->w, "more_specific_routes");
		for (uint32_t i = 0; i < n_ms && i < SHOW_MORE_SPECIFICS; i++) {
			jw_obj(&x->w, NULL);
			jw_str(&x->w, "prefix",
			       match_prefix(x, fam, &ms[i], b, sizeof(b)));
			jw_str(&x->w, "peer",
			       match_target(x, fam, &ms[i], tb, sizeof(tb)));
			jw_end_obj(&x->w);
		}
		jw_end_arr(&x->w);
		jw_end_obj(&x->w);
		jw_done(&x->w);
		return 0;
	}

	fprintf(x->out, "%s (country %s)\n", qs, cc);
	if (best == NULL) {
		fputs("  drop: no route (reason no_route)\n", x->out);
	} else if (best->kind == M_BLACKHOLE) {
		fprintf(x->out, "  drop: blackhole %s (reason blackhole)\n",
			match_prefix(x, fam, best, b, sizeof(b)));
	} else if (best->kind == M_LOCAL) {
		fprintf(x->out,
			"  local: address of the %s, answered by the "
			"node\n",
			match_target(x, fam, best, tb, sizeof(tb)));
	} else if (egress != NULL) {
		char vb[32];

		fprintf(x->out, "  forward to %s (AS%" PRIu32 ", %s)\n",
			egress->name, egress->asn,
			cc_str(s, egress->country, cc));
		fprintf(x->out, "  egress %s vlan %s, route %s\n",
			port_name(s, egress->port_id, tb, sizeof(tb)),
			vlan_str(egress, vb, sizeof(vb)),
			match_prefix(x, fam, best, b, sizeof(b)));
	}
	if (nm > 0) {
		static const char *const h[] = {"", "PREFIX", "KIND", "TARGET",
						"WHERE"};
		struct tbl t;

		fputs("\ncovering entries, most specific first ('*' is "
		      "selected):\n",
		      x->out);
		tbl_init(&t, 5, h, NULL);
		for (unsigned i = 0; i < nm; i++) {
			tbl_row(&t);
			tbl_set(&t, 0, "%s", &m[i] == best ? "*" : "");
			tbl_set(&t, 1, "%s",
				match_prefix(x, fam, &m[i], b, sizeof(b)));
			tbl_set(&t, 2, "%s", match_kind[m[i].kind]);
			tbl_set(&t, 3, "%s",
				match_target(x, fam, &m[i], tb, sizeof(tb)));
			tbl_set(&t, 4, "%s",
				where(x, match_origin(x, fam, &m[i]), loc,
				      sizeof(loc))
					? loc
					: "");
		}
		tbl_print(&t, x->out, 2);
	}
	if (n_ms > 0) {
		fprintf(x->out,
			"\n%" PRIu32 " more specific route%s inside %s"
			":\n",
			n_ms, n_ms == 1 ? "" : "s", qs);
		{
			static const char *const h[] = {"PREFIX", "PEER"};
			struct tbl t;

			tbl_init(&t, 2, h, NULL);
			for (uint32_t i = 0;
			     i < n_ms && i < SHOW_MORE_SPECIFICS; i++) {
				tbl_row(&t);
				tbl_set(&t, 0, "%s",
					match_prefix(x, fam, &ms[i], b,
						     sizeof(b)));
				tbl_set(&t, 1, "%s",
					match_target(x, fam, &ms[i], tb,
						     sizeof(tb)));
			}
			tbl_print(&t, x->out, 2);
		}
		if (n_ms > SHOW_MORE_SPECIFICS)
			fprintf(x->out, "  ... and %" PRIu32 " more\n",
				n_ms - SHOW_MORE_SPECIFICS);
	}
	return 0;
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
rule_match(const struct ixg_spec *s, const struct ixg_spec_acl_rule *r, char *b,
	   size_t len)
{
	size_t o = 0;
	char pb[64], nb[48];

#define ADD(...)                                                               \
	(o += (size_t)snprintf(b + o, o < len ? len - o : 0, __VA_ARGS__))
	b[0] = '\0';
	ADD("ipv%u", r->family);
	if (r->in_peer != IXG_PEER_NONE)
		ADD(" from %s", peer_name(s, r->in_peer, nb, sizeof(nb)));
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
cmd_acl(struct ctx *x)
{
	const struct ixg_spec *s = x->spec;
	const struct ixg_spec_acl_rule **v;
	char ab[64], mb[256], loc[256], nb[48];

	if (need_spec(x))
		return 1;
	v = malloc(sizeof(*v) * (s->n_acl_rules + 1));
	if (v == NULL)
		return error(x, 1, NULL, "out of memory");
	for (uint32_t i = 0; i < s->n_acl_rules; i++)
		v[i] = &s->acl_rules[i];
	qsort(v, s->n_acl_rules, sizeof(*v), rule_cmp);

	if (x->json) {
		jw_obj(&x->w, NULL);
		header(x);
		jw_arr(&x->w, "rules");
		for (uint32_t i = 0; i < s->n_acl_rules; i++) {
			const struct ixg_spec_acl_rule *r = v[i];
			const uint64_t *hits =
				x->c ? &x->c->acl_hits[r->id %
						       IXG_MAX_ACL_RULES]
				     : NULL;

			jw_obj(&x->w, NULL);
			jw_u64(&x->w, "id", r->id);
			jw_u64(&x->w, "priority", r->priority);
			jw_str(&x->w, "name", r->name);
			jw_u64(&x->w, "family", r->family);
			if (r->in_peer != IXG_PEER_NONE)
				jw_str(&x->w, "from",
				       peer_name(s, r->in_peer, nb,
						 sizeof(nb)));
			else
				jw_null(&x->w, "from");
			if (r->proto_mask)
				jw_u64(&x->w, "protocol", r->proto);
			else
				jw_null(&x->w, "protocol");
			if (r->src_len)
				jw_str(&x->w, "source",
				       show_prefix(mb, sizeof(mb), r->family,
						   r->src, r->src_len));
			else
				jw_null(&x->w, "source");
			if (r->dst_len)
				jw_str(&x->w, "destination",
				       show_prefix(mb, sizeof(mb), r->family,
						   r->dst, r->dst_len));
			else
				jw_null(&x->w, "destination");
			jw_arr(&x->w, "source_ports");
			jw_u64(&x->w, NULL, r->sport_lo);
			jw_u64(&x->w, NULL, r->sport_hi);
			jw_end_arr(&x->w);
			jw_arr(&x->w, "destination_ports");
			jw_u64(&x->w, NULL, r->dport_lo);
			jw_u64(&x->w, NULL, r->dport_hi);
			jw_end_arr(&x->w);
			if (r->dscp_any)
				jw_null(&x->w, "dscp");
			else
				jw_u64(&x->w, "dscp", r->dscp);
			jw_str(&x->w, "action",
			       rule_action(s, r, ab, sizeof(ab)));
			if (where(x, r->origin, loc, sizeof(loc)))
				jw_str(&x->w, "where", loc);
			j_count(x, "hits", hits);
			j_rate(x, "hits_per_s", hits, 1);
			jw_end_obj(&x->w);
		}
		jw_end_arr(&x->w);
		jw_end_obj(&x->w);
		jw_done(&x->w);
	} else {
		static const char *const h[] = {">PRIO",  ">ID",   "NAME",
						"ACTION", ">HITS", ">HITS/S",
						"MATCH"};
		static const unsigned cap[] = {0, 0, 20, 20, 0, 0, 0};
		static const uint64_t zero;
		struct tbl t;

		header(x);
		tbl_init(&t, 7, h, cap);
		for (uint32_t i = 0; i < s->n_acl_rules; i++) {
			const struct ixg_spec_acl_rule *r = v[i];
			const uint64_t *hits =
				x->c ? &x->c->acl_hits[r->id %
						       IXG_MAX_ACL_RULES]
				     : &zero;

			tbl_row(&t);
			tbl_set(&t, 0, "%" PRIu32, r->priority);
			tbl_set(&t, 1, "%" PRIu32, r->id);
			tbl_set(&t, 2, "%s", r->name[0] ? r->name : "-");
			tbl_set(&t, 3, "%s", rule_action(s, r, ab, sizeof(ab)));
			cell_count(&t, 4, x, hits);
			cell_rate(&t, 5, x, hits, 1);
			tbl_set(&t, 6, "%s", rule_match(s, r, mb, sizeof(mb)));
		}
		tbl_print(&t, x->out, 0);
		if (s->n_acl_rules == 0)
			fputs("no ACL rules: every packet is permitted\n",
			      x->out);
	}
	free(v);
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

static void
j_meter_action(struct jw *w, const char *key, unsigned a, unsigned dscp)
{
	jw_obj(w, key);
	jw_str(w, "action",
	       a == IXG_METER_PASS     ? "pass"
	       : a == IXG_METER_DROP   ? "drop"
	       : a == IXG_METER_REMARK ? "remark"
				       : "?");
	if (a == IXG_METER_REMARK)
		jw_u64(w, "dscp", dscp);
	jw_end_obj(w);
}

static int
cmd_classes(struct ctx *x)
{
	const struct ixg_spec *s = x->spec;
	static const char *const colour[] = {"green", "yellow", "red"};
	static const uint64_t zero[3];
	char b1[SHOW_NUM_LEN], b2[SHOW_NUM_LEN], loc[256];

	if (need_spec(x))
		return 1;
	if (x->json) {
		jw_obj(&x->w, NULL);
		header(x);
		jw_arr(&x->w, "classes");
		/* Class 0: the default class, metered per peer `rate`. */
		for (int64_t i = -1; i < (int64_t)s->n_classes; i++) {
			const struct ixg_spec_class *k = i >= 0 ? &s->classes[i]
								: NULL;
			unsigned id = k ? k->id % IXG_MAX_CLASSES : 0;

			jw_obj(&x->w, NULL);
			jw_u64(&x->w, "id", id);
			jw_str(&x->w, "name", k ? k->name : "default");
			if (k != NULL) {
				jw_u64(&x->w, "cir_bps", k->cir * 8);
				jw_u64(&x->w, "cbs_bytes", k->cbs);
				jw_u64(&x->w, "pir_bps", k->pir * 8);
				jw_u64(&x->w, "pbs_bytes", k->pbs);
				j_meter_action(&x->w, "yellow",
					       k->yellow_action,
					       k->yellow_dscp);
				j_meter_action(&x->w, "red", k->red_action,
					       k->red_dscp);
				if (where(x, k->origin, loc, sizeof(loc)))
					jw_str(&x->w, "where", loc);
			}
			for (unsigned c = 0; c < 3; c++) {
				const uint64_t *v =
					x->c ? &x->c->class_colour[id][c]
					     : NULL;
				char key[32];

				snprintf(key, sizeof(key), "%s_packets",
					 colour[c]);
				j_count(x, key, v);
				snprintf(key, sizeof(key), "%s_pps", colour[c]);
				j_rate(x, key, v, 1);
			}
			jw_end_obj(&x->w);
		}
		jw_end_arr(&x->w);
		jw_end_obj(&x->w);
		jw_done(&x->w);
		return 0;
	}
	header(x);
	{
		static const char *const h[] = {
			"CLASS",     ">CIR",   ">CBS",	 ">PIR",    ">PBS",
			"ON-YELLOW", "ON-RED", ">GREEN", ">YELLOW", ">RED"};
		static const unsigned cap[] = {14, 0, 0, 0, 0, 0, 0, 0, 0, 0};
		struct tbl t;

		tbl_init(&t, 10, h, cap);
		for (int64_t i = -1; i < (int64_t)s->n_classes; i++) {
			const struct ixg_spec_class *k = i >= 0 ? &s->classes[i]
								: NULL;
			unsigned id = k ? k->id % IXG_MAX_CLASSES : 0;
			const uint64_t *v = x->c ? x->c->class_colour[id]
						 : zero;

			tbl_row(&t);
			if (k == NULL) {
				tbl_set(&t, 0, "default");
				/* Metered per peer (`rate`), not per class. */
				for (unsigned c = 1; c <= 4; c++)
					tbl_set(&t, c, "-");
				tbl_set(&t, 5, "pass");
				tbl_set(&t, 6, "drop");
			} else {
				tbl_set(&t, 0, "%s", k->name);
				tbl_set(&t, 1, "%s",
					show_bitrate(b1, (double)k->cir * 8));
				tbl_set(&t, 2, "%s", show_size(b2, k->cbs));
				tbl_set(&t, 3, "%s",
					show_bitrate(b1, (double)k->pir * 8));
				tbl_set(&t, 4, "%s", show_size(b2, k->pbs));
				tbl_set(&t, 5, "%s",
					meter_action(k->yellow_action,
						     k->yellow_dscp, b1,
						     sizeof(b1)));
				tbl_set(&t, 6, "%s",
					meter_action(k->red_action, k->red_dscp,
						     b1, sizeof(b1)));
			}
			for (unsigned c = 0; c < 3; c++)
				cell_count(&t, 7 + c, x, &v[c]);
		}
		tbl_print(&t, x->out, 0);
	}
	return 0;
}

/* ------------------------------------------------------ show blackholes */

static int
cmd_blackholes(struct ctx *x)
{
	const struct ixg_spec *s = x->spec;
	const uint64_t *dropped;
	char b[64], tb[32], db[SHOW_NUM_LEN], loc[256];

	if (need_spec(x))
		return 1;
	dropped = x->c ? &x->c->drops[IXG_DROP_BLACKHOLE] : NULL;
	if (x->json) {
		jw_obj(&x->w, NULL);
		header(x);
		jw_arr(&x->w, "blackholes");
		for (uint32_t i = 0; i < s->n_blackholes; i++) {
			const struct ixg_spec_blackhole *h = &s->blackholes[i];

			jw_obj(&x->w, NULL);
			jw_str(&x->w, "prefix",
			       show_prefix(b, sizeof(b), h->family, h->addr,
					   h->len));
			jw_u64(&x->w, "family", h->family);
			if (h->expires) {
				jw_str(&x->w, "expires",
				       show_time(tb, sizeof(tb), h->expires));
				jw_i64(&x->w, "remaining_s",
				       h->expires > x->now_unix
					       ? h->expires - x->now_unix
					       : 0);
			} else {
				jw_null(&x->w, "expires");
				jw_null(&x->w, "remaining_s");
			}
			jw_bool(&x->w, "active", blackhole_active(x, h));
			if (where(x, h->origin, loc, sizeof(loc)))
				jw_str(&x->w, "where", loc);
			jw_end_obj(&x->w);
		}
		jw_end_arr(&x->w);
		/* The dataplane counts blackhole drops by reason, not by
		 * prefix: the total is all that is attributable. */
		j_count(x, "dropped_packets", dropped);
		j_rate(x, "dropped_pps", dropped, 1);
		jw_end_obj(&x->w);
		jw_done(&x->w);
		return 0;
	}
	header(x);
	{
		static const char *const h[] = {"PREFIX", "EXPIRES",
						">REMAINING", "STATE", "WHERE"};
		struct tbl t;

		tbl_init(&t, 5, h, NULL);
		for (uint32_t i = 0; i < s->n_blackholes; i++) {
			const struct ixg_spec_blackhole *bh = &s->blackholes[i];

			tbl_row(&t);
			tbl_set(&t, 0, "%s",
				show_prefix(b, sizeof(b), bh->family, bh->addr,
					    bh->len));
			if (bh->expires) {
				tbl_set(&t, 1, "%s",
					show_time(tb, sizeof(tb), bh->expires));
				tbl_set(&t, 2, "%s",
					show_duration(db, bh->expires -
								  x->now_unix));
			} else {
				tbl_set(&t, 1, "never");
				tbl_set(&t, 2, "-");
			}
			tbl_set(&t, 3, "%s",
				blackhole_active(x, bh) ? "active" : "expired");
			tbl_set(&t, 4, "%s",
				where(x, bh->origin, loc, sizeof(loc)) ? loc
								       : "");
		}
		if (s->n_blackholes)
			tbl_print(&t, x->out, 0);
		else
			fputs("no blackholes\n", x->out);
		tbl_free(&t);
	}
	if (dropped == NULL) {
		fputs("dropped to blackholes: -\n", x->out);
	} else {
		double r;

		fprintf(x->out,
			"dropped to blackholes (all prefixes): %" PRIu64
			" packets",
			*dropped);
		if (rate_of(x, dropped, &r))
			fprintf(x->out, ", %s pps", show_si(db, r));
		fputc('\n', x->out);
	}
	return 0;
}

/* ------------------------------------------------------- show countries */

static int
cmd_countries(struct ctx *x)
{
	const struct ixg_spec *s = x->spec;
	unsigned nc = s->n_countries < IXG_MAX_COUNTRIES ? s->n_countries
							 : IXG_MAX_COUNTRIES;
	uint32_t *cnt = calloc(3 * IXG_MAX_COUNTRIES, sizeof(*cnt));
	uint64_t *tr = calloc(8 * IXG_MAX_COUNTRIES, sizeof(*tr));
	char cc[3], b[SHOW_NUM_LEN];

	if (need_spec(x) || cnt == NULL || tr == NULL) {
		free(cnt);
		free(tr);
		return x->spec ? error(x, 1, NULL, "out of memory") : 1;
	}
	if (nc == 0)
		nc = 1; /* index 0, "--", always exists */
	/* cnt: v4 prefixes, v6 prefixes, peers; tr: sent pkts/bytes, recv
	 * pkts/bytes, then the same in the previous sample. */
	for (uint32_t i = 0; i < s->n_country4; i++)
		cnt[s->country4[i].country % IXG_MAX_COUNTRIES]++;
	for (uint32_t i = 0; i < s->n_country6; i++)
		cnt[IXG_MAX_COUNTRIES +
		    s->country6[i].country % IXG_MAX_COUNTRIES]++;
	for (uint32_t i = 0; i < s->n_peers; i++)
		cnt[2 * IXG_MAX_COUNTRIES +
		    s->peers[i].country % IXG_MAX_COUNTRIES]++;
	for (unsigned k = 0; k < 2; k++) {
		const struct ixg_lcore_counters *c =
			k == 0 ? x->c
			       : (x->now && x->prev && x->dt > 0 ? x->prev
								 : NULL);
		const struct ixg_lcore_counters *cn = k == 0 ? NULL : x->now;
		uint64_t *t = tr + 4 * k * IXG_MAX_COUNTRIES;

		if (c == NULL)
			continue;
		for (unsigned a = 0; a < IXG_MAX_COUNTRIES; a++)
			for (unsigned d = 0; d < IXG_MAX_COUNTRIES; d++) {
				const struct ixg_ctr_pb *pb =
					&c->country_pair[a][d];
				uint64_t p = pb->packets, by = pb->bytes;

				if (cn != NULL) {
					/* rate: now - prev */
					const struct ixg_ctr_pb *q =
						&cn->country_pair[a][d];

					p = q->packets >= p ? q->packets - p
							    : 0;
					by = q->bytes >= by ? q->bytes - by : 0;
				}
				t[a] += p;
				t[IXG_MAX_COUNTRIES + a] += by;
				t[2 * IXG_MAX_COUNTRIES + d] += p;
				t[3 * IXG_MAX_COUNTRIES + d] += by;
			}
	}
	{
		bool rates = x->c && x->now && x->prev && x->dt > 0;
		const uint64_t *t = tr, *r = tr + 4 * IXG_MAX_COUNTRIES;
		const unsigned M = IXG_MAX_COUNTRIES;

		if (x->json) {
			jw_obj(&x->w, NULL);
			header(x);
			cc[0] = (char)(s->node.home_country >> 8);
			cc[1] = (char)(s->node.home_country & 0xff);
			cc[2] = '\0';
			jw_str(&x->w, "home", cc[0] ? cc : "--");
			jw_arr(&x->w, "countries");
			for (unsigned i = 0; i < nc; i++) {
				jw_obj(&x->w, NULL);
				jw_str(&x->w, "country", cc_str(s, i, cc));
				jw_u64(&x->w, "peers", cnt[2 * M + i]);
				jw_u64(&x->w, "prefixes_v4", cnt[i]);
				jw_u64(&x->w, "prefixes_v6", cnt[M + i]);
				j_count(x, "sent_packets", &t[i]);
				j_count(x, "sent_bytes", &t[M + i]);
				j_count(x, "received_packets", &t[2 * M + i]);
				j_count(x, "received_bytes", &t[3 * M + i]);
				if (rates) {
					jw_dbl(&x->w, "sent_pps",
					       (double)r[i] / x->dt);
					jw_dbl(&x->w, "received_pps",
					       (double)r[2 * M + i] / x->dt);
				} else {
					jw_null(&x->w, "sent_pps");
					jw_null(&x->w, "received_pps");
				}
				jw_end_obj(&x->w);
			}
			jw_end_arr(&x->w);
			jw_end_obj(&x->w);
			jw_done(&x->w);
		} else {
			static const char *const h[] = {
				"CC",	     ">PEERS",	   ">PFX-V4",
				">PFX-V6",   ">SENT-PKTS", ">SENT-BYTES",
				">SENT-PPS", ">RECV-PKTS", ">RECV-BYTES",
				">RECV-PPS"};
			struct tbl tb;

			header(x);
			tbl_init(&tb, 10, h, NULL);
			for (unsigned i = 0; i < nc; i++) {
				tbl_row(&tb);
				tbl_set(&tb, 0, "%s", cc_str(s, i, cc));
				tbl_set(&tb, 1, "%" PRIu32, cnt[2 * M + i]);
				tbl_set(&tb, 2, "%s",
					show_si(b, (double)cnt[i]));
				tbl_set(&tb, 3, "%s",
					show_si(b, (double)cnt[M + i]));
				cell_count(&tb, 4, x, &t[i]);
				cell_count(&tb, 5, x, &t[M + i]);
				if (rates)
					tbl_set(&tb, 6, "%s",
						show_si(b,
							(double)r[i] / x->dt));
				else
					tbl_set(&tb, 6, "-");
				cell_count(&tb, 7, x, &t[2 * M + i]);
				cell_count(&tb, 8, x, &t[3 * M + i]);
				if (rates)
					tbl_set(&tb, 9, "%s",
						show_si(b,
							(double)r[2 * M + i] /
								x->dt));
				else
					tbl_set(&tb, 9, "-");
			}
			tbl_print(&tb, x->out, 0);
		}
	}
	free(cnt);
	free(tr);
	return 0;
}

/* ---------------------------------------------------------- show matrix */

static int
cmd_matrix_peers(struct ctx *x)
{
	uint32_t n = 0, shown;
	struct pair *v = pairs_top(x, 0, 0, &n);
	uint64_t total = 0;
	char b1[48], b2[48], nb[SHOW_NUM_LEN];

	if (x->c != NULL && v == NULL)
		return error(x, 1, NULL, "out of memory");
	shown = x->all ? n : n < x->top ? n : x->top;
	for (uint32_t i = 0; i < n; i++)
		total += v[i].packets;
	if (x->json) {
		jw_obj(&x->w, NULL);
		header(x);
		if (v == NULL) {
			jw_null(&x->w, "pairs");
		} else {
			jw_arr(&x->w, "pairs");
			for (uint32_t i = 0; i < shown; i++) {
				jw_obj(&x->w, NULL);
				jw_str(&x->w, "from",
				       peer_name(x->spec, v[i].key >> 16, b1,
						 sizeof(b1)));
				jw_str(&x->w, "to",
				       peer_name(x->spec, v[i].key & 0xffff, b2,
						 sizeof(b2)));
				jw_u64(&x->w, "packets", v[i].packets);
				jw_u64(&x->w, "bytes", v[i].bytes);
				j_drate(&x->w, "pps", v[i].pps);
				j_drate(&x->w, "bps", v[i].bps);
				jw_end_obj(&x->w);
			}
			jw_end_arr(&x->w);
		}
		jw_u64(&x->w, "total_pairs", n);
		if (x->c)
			jw_u64(&x->w, "overflow", x->c->peer_pair_overflow);
		else
			jw_null(&x->w, "overflow");
		jw_end_obj(&x->w);
		jw_done(&x->w);
		free(v);
		return 0;
	}
	header(x);
	if (x->c == NULL)
		return 0;
	{
		static const char *const h[] = {"FROM",	  "TO",	  ">PACKETS",
						">BYTES", ">PPS", ">BIT/S",
						">SHARE"};
		static const unsigned cap[] = {24, 24, 0, 0, 0, 0, 0};
		struct tbl t;

		tbl_init(&t, 7, h, cap);
		for (uint32_t i = 0; i < shown; i++) {
			tbl_row(&t);
			tbl_set(&t, 0, "%s",
				peer_name(x->spec, v[i].key >> 16, b1,
					  sizeof(b1)));
			tbl_set(&t, 1, "%s",
				peer_name(x->spec, v[i].key & 0xffff, b2,
					  sizeof(b2)));
			tbl_set(&t, 2, "%s", show_si(nb, (double)v[i].packets));
			tbl_set(&t, 3, "%s", show_si(nb, (double)v[i].bytes));
			cell_drate(&t, 4, v[i].pps);
			cell_drate(&t, 5, v[i].bps);
			tbl_set(&t, 6, "%.1f%%",
				total ? 100.0 * (double)v[i].packets /
						(double)total
				      : 0.0);
		}
		tbl_print(&t, x->out, 0);
	}
	fprintf(x->out, "%" PRIu32 " of %" PRIu32 " peer pairs shown%s", shown,
		n, shown < n ? " (--top N, --all)" : "");
	if (x->c->peer_pair_overflow)
		fprintf(x->out, "; %" PRIu64 " pairs found no counter slot",
			x->c->peer_pair_overflow);
	fputc('\n', x->out);
	free(v);
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
cmd_matrix_countries(struct ctx *x)
{
	const struct ixg_spec *s = x->spec;
	struct ctot tot[IXG_MAX_COUNTRIES];
	struct cpair *pairs;
	unsigned k = 0, np = 0, limit;
	char cc[3], cc2[3], nb[SHOW_NUM_LEN];

	if (x->c == NULL) {
		if (x->json) {
			jw_obj(&x->w, NULL);
			header(x);
			jw_null(&x->w, "countries");
			jw_null(&x->w, "pairs");
			jw_end_obj(&x->w);
			jw_done(&x->w);
		} else {
			header(x);
		}
		return 0;
	}
	pairs = malloc(sizeof(*pairs) * IXG_MAX_COUNTRIES * IXG_MAX_COUNTRIES);
	if (pairs == NULL)
		return error(x, 1, NULL, "out of memory");
	for (unsigned i = 0; i < IXG_MAX_COUNTRIES; i++)
		tot[i] = (struct ctot){(uint16_t)i, 0};
	for (unsigned a = 0; a < IXG_MAX_COUNTRIES; a++)
		for (unsigned d = 0; d < IXG_MAX_COUNTRIES; d++) {
			const struct ixg_ctr_pb *pb = &x->c->country_pair[a][d];

			if (pb->packets == 0)
				continue;
			pairs[np++] = (struct cpair){(uint16_t)a, (uint16_t)d,
						     pb->packets, pb->bytes};
			tot[a].packets += pb->packets;
			if (d != a)
				tot[d].packets += pb->packets;
		}
	qsort(tot, IXG_MAX_COUNTRIES, sizeof(tot[0]), ctot_cmp);
	qsort(pairs, np, sizeof(*pairs), cpair_cmp);
	while (k < IXG_MAX_COUNTRIES && tot[k].packets)
		k++;
	limit = x->all ? k : x->top_given ? x->top : SHOW_TOP_COUNTRIES;
	if (k > limit)
		k = limit;

	if (x->json) {
		unsigned pl = x->all ? np : x->top < np ? x->top : np;

		jw_obj(&x->w, NULL);
		header(x);
		jw_arr(&x->w, "countries");
		for (unsigned i = 0; i < k; i++)
			jw_str(&x->w, NULL, cc_str(s, tot[i].idx, cc));
		jw_end_arr(&x->w);
		/* packets[i][j]: from countries[i] to countries[j]. */
		jw_arr(&x->w, "packets");
		for (unsigned i = 0; i < k; i++) {
			jw_arr(&x->w, NULL);
			for (unsigned j = 0; j < k; j++)
				jw_u64(&x->w, NULL,
				       x->c->country_pair[tot[i].idx]
							 [tot[j].idx]
								 .packets);
			jw_end_arr(&x->w);
		}
		jw_end_arr(&x->w);
		jw_arr(&x->w, "pairs");
		for (unsigned i = 0; i < pl; i++) {
			const uint64_t *pk =
				&x->c->country_pair[pairs[i].src][pairs[i].dst]
					 .packets;
			const uint64_t *by =
				&x->c->country_pair[pairs[i].src][pairs[i].dst]
					 .bytes;

			jw_obj(&x->w, NULL);
			jw_str(&x->w, "from", cc_str(s, pairs[i].src, cc));
			jw_str(&x->w, "to", cc_str(s, pairs[i].dst, cc2));
			jw_u64(&x->w, "packets", *pk);
			jw_u64(&x->w, "bytes", *by);
			j_rate(x, "pps", pk, 1);
			j_rate(x, "bps", by, 8);
			jw_end_obj(&x->w);
		}
		jw_end_arr(&x->w);
		jw_u64(&x->w, "total_pairs", np);
		jw_end_obj(&x->w);
		jw_done(&x->w);
		free(pairs);
		return 0;
	}
	header(x);
	if (k == 0) {
		fputs("no traffic counted between countries yet\n", x->out);
	} else if (k <= SHOW_GRID_MAX) {
		/* Rows: source country; columns: destination. Packets. */
		fprintf(x->out,
			"packets from (row) to (column), top %u "
			"countries by traffic\n",
			k);
		fprintf(x->out, "%-6s", "");
		for (unsigned j = 0; j < k; j++)
			fprintf(x->out, "  %7s", cc_str(s, tot[j].idx, cc));
		fputc('\n', x->out);
		for (unsigned i = 0; i < k; i++) {
			fprintf(x->out, "%-6s", cc_str(s, tot[i].idx, cc));
			for (unsigned j = 0; j < k; j++)
				fprintf(x->out, "  %7s",
					show_si(nb, (double)x->c
							    ->country_pair
								    [tot[i].idx]
								    [tot[j].idx]
							    .packets));
			fputc('\n', x->out);
		}
	} else {
		static const char *const h[] = {"FROM",	  "TO",	  ">PACKETS",
						">BYTES", ">PPS", ">BIT/S"};
		struct tbl t;

		tbl_init(&t, 6, h, NULL);
		for (unsigned i = 0; i < np; i++) {
			const struct ixg_ctr_pb *pb =
				&x->c->country_pair[pairs[i].src][pairs[i].dst];

			tbl_row(&t);
			tbl_set(&t, 0, "%s", cc_str(s, pairs[i].src, cc));
			tbl_set(&t, 1, "%s", cc_str(s, pairs[i].dst, cc));
			tbl_set(&t, 2, "%s", show_si(nb, (double)pb->packets));
			tbl_set(&t, 3, "%s", show_si(nb, (double)pb->bytes));
			cell_rate(&t, 4, x, &pb->packets, 1);
			cell_rate(&t, 5, x, &pb->bytes, 8);
		}
		tbl_print(&t, x->out, 0);
	}
	free(pairs);
	return 0;
}

/* ----------------------------------------------------------- show drops */

static int
cmd_drops(struct ctx *x)
{
	static const uint64_t zero;
	uint64_t total = x->c ? stats_drops_total(x->c) : 0;
	char b[SHOW_NUM_LEN];

	if (x->json) {
		jw_obj(&x->w, NULL);
		header(x);
		jw_arr(&x->w, "drops");
		for (unsigned r = 0; r < IXG_DROP_MAX; r++) {
			const uint64_t *v = x->c ? &x->c->drops[r] : NULL;

			jw_obj(&x->w, NULL);
			jw_str(&x->w, "reason", ixg_drop_name(r));
			jw_str(&x->w, "description", ixg_drop_descr(r));
			j_count(x, "packets", v);
			j_rate(x, "pps", v, 1);
			jw_end_obj(&x->w);
		}
		jw_end_arr(&x->w);
		j_count(x, "total", x->c ? &total : NULL);
		j_count(x, "rx_packets", x->c ? &x->c->rx_packets : NULL);
		j_count(x, "peer_pair_overflow",
			x->c ? &x->c->peer_pair_overflow : NULL);
		j_count(x, "icmp_generated_dropped",
			x->c ? &x->c->generated_dropped : NULL);
		j_count(x, "samples_dropped",
			x->c ? &x->c->sample_dropped : NULL);
		jw_end_obj(&x->w);
		jw_done(&x->w);
		return 0;
	}
	header(x);
	{
		static const char *const h[] = {"REASON", ">PACKETS", ">PPS",
						"DESCRIPTION"};
		struct tbl t;

		tbl_init(&t, 4, h, NULL);
		for (unsigned r = 0; r < IXG_DROP_MAX; r++) {
			tbl_row(&t);
			tbl_set(&t, 0, "%s", ixg_drop_name(r));
			cell_count(&t, 1, x, x->c ? &x->c->drops[r] : &zero);
			cell_rate(&t, 2, x, x->c ? &x->c->drops[r] : &zero, 1);
			tbl_set(&t, 3, "%s", ixg_drop_descr(r));
		}
		tbl_print(&t, x->out, 0);
	}
	if (x->c != NULL) {
		fprintf(x->out,
			"total %" PRIu64 " dropped of %" PRIu64 " received",
			total, x->c->rx_packets);
		if (x->c->rx_packets)
			fprintf(x->out, " (%.3f%%)",
				100.0 * (double)total /
					(double)x->c->rx_packets);
		fputc('\n', x->out);
		if (x->c->generated_dropped || x->c->sample_dropped ||
		    x->c->peer_pair_overflow)
			fprintf(x->out,
				"not packet drops: %s ICMP errors "
				"refused by TX, %" PRIu64
				" samples lost, %" PRIu64
				" peer-pair counter overflows\n",
				show_si(b, (double)x->c->generated_dropped),
				x->c->sample_dropped, x->c->peer_pair_overflow);
	}
	return 0;
}

/* ----------------------------------------------------------- show ports */

static int
cmd_ports(struct ctx *x)
{
	const struct ixg_spec *s = x->spec;
	static const struct ixg_ctr_port zero;
	char mb[24];

	if (need_spec(x))
		return 1;
	if (x->json) {
		jw_obj(&x->w, NULL);
		header(x);
		jw_arr(&x->w, "ports");
		for (uint32_t i = 0; i < s->n_ports; i++) {
			const struct ixg_spec_port *p = &s->ports[i];
			const struct ixg_ctr_port *cp =
				x->c ? &x->c->port[p->id % IXG_MAX_PORTS]
				     : &zero;
			uint64_t d = 0;
			static const uint8_t nomac[6];

			for (unsigned r = 0; r < IXG_DROP_MAX; r++)
				d += cp->drops[r];
			jw_obj(&x->w, NULL);
			jw_u64(&x->w, "id", p->id);
			jw_str(&x->w, "name", p->name);
			jw_str(&x->w, "device", p->devargs);
			jw_u64(&x->w, "mtu", p->mtu);
			if (memcmp(p->mac, nomac, 6) != 0)
				jw_str(&x->w, "mac",
				       show_mac(mb, sizeof(mb), p->mac));
			else
				jw_null(&x->w, "mac");
			j_count(x, "rx_packets", &cp->rx.packets);
			j_count(x, "rx_bytes", &cp->rx.bytes);
			j_count(x, "tx_packets", &cp->tx.packets);
			j_count(x, "tx_bytes", &cp->tx.bytes);
			j_count(x, "fwd_packets", &cp->fwd);
			j_count(x, "local_packets", &cp->local);
			j_count(x, "drops", &d);
			j_count(x, "icmp_generated", &cp->generated);
			j_rate(x, "rx_pps", &cp->rx.packets, 1);
			j_rate(x, "rx_bps", &cp->rx.bytes, 8);
			j_rate(x, "tx_pps", &cp->tx.packets, 1);
			j_rate(x, "tx_bps", &cp->tx.bytes, 8);
			if (x->c) {
				jw_obj(&x->w, "drops_by_reason");
				for (unsigned r = 0; r < IXG_DROP_MAX; r++)
					if (cp->drops[r])
						jw_u64(&x->w, ixg_drop_name(r),
						       cp->drops[r]);
				jw_end_obj(&x->w);
			} else {
				jw_null(&x->w, "drops_by_reason");
			}
			jw_end_obj(&x->w);
		}
		jw_end_arr(&x->w);
		jw_end_obj(&x->w);
		jw_done(&x->w);
		return 0;
	}
	header(x);
	{
		static const char *const h[] = {
			"PORT",	    ">RX-PKTS",	 ">RX-BYTES", ">RX-PPS",
			">TX-PKTS", ">TX-BYTES", ">TX-PPS",   ">FWD",
			">LOCAL",   ">DROPS"};
		static const unsigned cap[] = {16, 0, 0, 0, 0, 0, 0, 0, 0, 0};
		struct tbl t;

		tbl_init(&t, 10, h, cap);
		for (uint32_t i = 0; i < s->n_ports; i++) {
			const struct ixg_spec_port *p = &s->ports[i];
			const struct ixg_ctr_port *cp =
				x->c ? &x->c->port[p->id % IXG_MAX_PORTS]
				     : &zero;
			uint64_t d = 0;

			for (unsigned r = 0; r < IXG_DROP_MAX; r++)
				d += cp->drops[r];
			tbl_row(&t);
			tbl_set(&t, 0, "%s", p->name);
			cell_count(&t, 1, x, &cp->rx.packets);
			cell_count(&t, 2, x, &cp->rx.bytes);
			cell_rate(&t, 3, x, &cp->rx.packets, 1);
			cell_count(&t, 4, x, &cp->tx.packets);
			cell_count(&t, 5, x, &cp->tx.bytes);
			cell_rate(&t, 6, x, &cp->tx.packets, 1);
			cell_count(&t, 7, x, &cp->fwd);
			cell_count(&t, 8, x, &cp->local);
			cell_count(&t, 9, x, &d);
		}
		tbl_print(&t, x->out, 0);
	}
	return 0;
}

/* ------------------------------------------------------ show generation */

static int
cmd_generation(struct ctx *x)
{
	const struct ctl_state *st = x->st;
	const struct ixg_msg_hello_reply *h = &st->dp_hello;
	char rs[65], ds[65], tb[32], db[SHOW_NUM_LEN];
	bool same = st->running.valid &&
		    memcmp(st->running.sha256, h->config_sha256, 32) == 0;

	if (st->running.valid)
		hex(st->running.sha256, 32, rs);
	hex(h->config_sha256, 32, ds);
	if (x->json) {
		jw_obj(&x->w, NULL);
		jw_bool(&x->w, "dataplane_connected", st->dp_connected);
		jw_u64(&x->w, "generation", st->dp_generation);
		if (st->running.valid)
			jw_str(&x->w, "config_sha256", rs);
		else
			jw_null(&x->w, "config_sha256");
		if (st->dp_connected) {
			jw_str(&x->w, "dataplane_config_sha256", ds);
			jw_bool(&x->w, "in_sync", same);
			jw_u64(&x->w, "workers", h->n_workers);
			jw_i64(&x->w, "dataplane_start_unix",
			       (int64_t)h->start_unix);
			jw_bool(&x->w, "was_headless", h->was_headless);
		} else {
			jw_null(&x->w, "dataplane_config_sha256");
			jw_null(&x->w, "in_sync");
		}
		/* Headless: the dataplane forwards with its last tables and
		 * nobody steers it. Seen from here, that is "not connected". */
		jw_bool(&x->w, "headless", !st->dp_connected);
		if (st->confirm_deadline)
			jw_i64(&x->w, "confirm_deadline_unix",
			       st->confirm_deadline);
		else
			jw_null(&x->w, "confirm_deadline_unix");
		jw_bool(&x->w, "rollback_available", st->previous.valid);
		/* The files against the running config, and the commit job
		 * (daemon.h, filled by the daemon's wiring). */
		jw_bool(&x->w, "files_differ",
			st->held || st->files == CTL_FILES_DIFFER);
		if (st->files_note[0] != '\0')
			jw_str(&x->w, "files_note", st->files_note);
		else
			jw_null(&x->w, "files_note");
		jw_str(&x->w, "commit_job", st->job_state);
		if (st->config_path)
			jw_str(&x->w, "config_path", st->config_path);
		jw_i64(&x->w, "control_start_unix", st->start_unix);
		jw_end_obj(&x->w);
		jw_done(&x->w);
		return 0;
	}
	if (st->dp_connected) {
		fprintf(x->out,
			"%-18sconnected, %u worker%s, up %s "
			"(since %s)\n",
			"dataplane", h->n_workers, h->n_workers == 1 ? "" : "s",
			show_duration(db, x->now_unix - (int64_t)h->start_unix),
			show_time(tb, sizeof(tb), (int64_t)h->start_unix));
		if (h->was_headless)
			fprintf(x->out,
				"%-18sran headless until this control "
				"plane connected\n",
				"");
	} else {
		fprintf(x->out,
			"%-18snot connected: if it runs, it forwards "
			"headless with its last tables\n",
			"dataplane");
	}
	fprintf(x->out, "%-18s%" PRIu64 "\n", "generation", st->dp_generation);
	fprintf(x->out, "%-18s%s\n", "config sha256",
		st->running.valid ? rs : "none (no running configuration)");
	fprintf(x->out, "%-18s%s\n", "files",
		st->files_note[0] != '\0'      ? st->files_note
		: st->files == CTL_FILES_MATCH ? "match the running config"
					       : "not checked yet");
	fprintf(x->out, "%-18s%s\n", "commit job", st->job_state);
	if (st->dp_connected)
		fprintf(x->out, "%-18s%s\n", "dataplane sha256",
			same ? "same" : ds);
	if (st->confirm_deadline) {
		fprintf(x->out,
			"%-18spending: rolls back at %s (in %s) unless "
			"`ixgatectl confirm`\n",
			"commit-confirmed",
			show_time(tb, sizeof(tb), st->confirm_deadline),
			show_duration(db, st->confirm_deadline - x->now_unix));
	} else {
		fprintf(x->out, "%-18snone pending\n", "commit-confirmed");
	}
	fprintf(x->out, "%-18s%s\n", "rollback",
		st->previous.valid ? "previous configuration kept" : "none");
	if (st->start_unix > 0)
		fprintf(x->out, "%-18sup %s", "control",
			show_duration(db, x->now_unix - st->start_unix));
	else
		fprintf(x->out, "%-18srunning", "control");
	if (st->config_path)
		fprintf(x->out, ", config %s", st->config_path);
	fputc('\n', x->out);
	return 0;
}

/* ---------------------------------------------------------- show config */

static int
cmd_config(struct ctx *x)
{
	const struct ctl_config *rc = &x->st->running;
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	char hs[65];

	if (!rc->valid || rc->conf == NULL)
		return error(x, 1, NULL, "no running configuration");
	if (!x->json) {
		ixg_conf_print(rc->conf, x->out);
		return 0;
	}
	m = open_memstream(&text, &len);
	if (m == NULL)
		return error(x, 1, NULL, "out of memory");
	ixg_conf_print(rc->conf, m);
	if (fclose(m) != 0 || text == NULL) {
		free(text);
		return error(x, 1, NULL, "out of memory");
	}
	jw_obj(&x->w, NULL);
	jw_u64(&x->w, "generation", x->st->dp_generation);
	jw_str(&x->w, "sha256", hex(rc->sha256, 32, hs));
	if (x->st->config_path)
		jw_str(&x->w, "path", x->st->config_path);
	jw_str(&x->w, "config", text);
	jw_end_obj(&x->w);
	jw_done(&x->w);
	free(text);
	return 0;
}

/* ------------------------------------------------------------- dispatch */

static const char usage_text[] =
	"usage: ixgatectl [--json] show COMMAND\n"
	"  peers                         every peer: config, prefixes, "
	"traffic, rates\n"
	"  peer NAME [--top N|--all]     one peer in detail (--all: every "
	"prefix too)\n"
	"  routes [PREFIX|ADDRESS]       route counts per peer, or the "
	"longest match\n"
	"  acl                           ACL rules in priority order, with "
	"hits\n"
	"  classes                       traffic classes (trTCM) and colour "
	"counters\n"
	"  blackholes                    blackholed prefixes, expiry, drops\n"
	"  countries                     prefixes and traffic per country\n"
	"  matrix peers [--top N|--all]  traffic between peers\n"
	"  matrix countries [--top N|--all]  traffic between countries\n"
	"  drops                         drops by reason\n"
	"  ports                         per-port counters\n"
	"  generation                    generation, config hash, dataplane "
	"state\n"
	"  config                        the running configuration "
	"(canonical print)\n";

static bool
known_command(const char *cmd)
{
	static const char *const cmds[] = {
		"peers",   "peer",	 "routes",     "acl",
		"classes", "blackholes", "countries",  "matrix",
		"drops",   "ports",	 "generation", "config"};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmd, cmds[i]) == 0)
			return true;
	return false;
}

static int
usage(struct ctx *x, const char *fmt, const char *arg)
{
	char msg[160];

	snprintf(msg, sizeof(msg), fmt, arg ? arg : "");
	if (x->json) {
		struct jw w;

		jw_init(&w, x->out);
		jw_obj(&w, NULL);
		jw_str(&w, "error", msg);
		jw_str(&w, "usage", usage_text);
		jw_end_obj(&w);
		jw_done(&w);
	} else {
		fprintf(x->out, "%s\n%s", msg, usage_text);
	}
	return 2;
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
	static const char *const cmds[] = {"peers",   "peer",	    "acl",
					   "classes", "blackholes", "countries",
					   "matrix",  "drops",	    "ports"};

	if (argc < 2 || strcmp(argv[0], "show") != 0)
		return false;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i]) == 0)
			return true;
	return false;
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

/* `show ...` with given counters (see daemon.h). Event loop thread. */
int
ctl_show_rates(const struct ctl_state *st, int argc, char **argv, bool json,
	       const struct ctl_rates *r, FILE *out)
{
	struct ctx *x = calloc(1, sizeof(*x));
	const char *cmd, *sub = NULL, *arg = NULL;
	int rc, i = 2;

	if (x == NULL) {
		fputs(json ? "{\"error\":\"out of memory\"}\n"
			   : "out of memory\n",
		      out);
		return 1;
	}
	x->st = st;
	x->spec = st->running.valid ? &st->running.spec : NULL;
	x->out = out;
	x->json = json;
	x->top = SHOW_TOP_DEFAULT;
	x->now_unix = (int64_t)time(NULL);
	/* `--json` anywhere in argv too, for clients that pass it through. */
	for (int k = 1; k < argc; k++)
		if (strcmp(argv[k], "--json") == 0)
			x->json = true;
	jw_init(&x->w, out);

	if (argc < 2 || argv[1] == NULL) {
		rc = usage(x, "show: missing command%s", NULL);
		goto done;
	}
	cmd = argv[1];
	if (!known_command(cmd)) {
		rc = usage(x, "show: unknown command '%s'", cmd);
		goto done;
	}
	if (strcmp(cmd, "matrix") == 0) {
		if (argc < 3 || (strcmp(argv[2], "peers") != 0 &&
				 strcmp(argv[2], "countries") != 0)) {
			rc = usage(x,
				   "show matrix: expected 'peers' or "
				   "'countries'%s",
				   NULL);
			goto done;
		}
		sub = argv[2];
		i = 3;
	}
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			continue;
		if (strcmp(argv[i], "--all") == 0) {
			x->all = true;
		} else if (strcmp(argv[i], "--top") == 0) {
			char *end;
			unsigned long n;

			if (i + 1 >= argc) {
				rc = usage(x, "--top needs a number%s", NULL);
				goto done;
			}
			n = strtoul(argv[++i], &end, 10);
			if (*end != '\0' || n == 0 || n > 65536) {
				rc = usage(x,
					   "--top: '%s' is not a number "
					   "in 1..65536",
					   argv[i]);
				goto done;
			}
			x->top = (unsigned)n;
			x->top_given = true;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			rc = usage(x, "unknown option '%s'", argv[i]);
			goto done;
		} else if (arg == NULL) {
			arg = argv[i];
		} else {
			rc = usage(x, "unexpected argument '%s'", argv[i]);
			goto done;
		}
	}
	/* Commands that take a positional argument, and those that do not. */
	if (strcmp(cmd, "peer") == 0 && arg == NULL) {
		rc = usage(x, "show peer: missing peer NAME%s", NULL);
		goto done;
	}
	if (arg != NULL && strcmp(cmd, "peer") != 0 &&
	    strcmp(cmd, "routes") != 0) {
		rc = usage(x, "unexpected argument '%s'", arg);
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
	} else if (strcmp(cmd, "routes") != 0 && strcmp(cmd, "config") != 0 &&
		   strcmp(cmd, "generation") != 0 && counters_load(x) < 0) {
		/* Commands over the configuration alone skip summing the
		 * blocks. */
		rc = error(x, 1, NULL, "out of memory");
		goto done;
	}

	if (sub != NULL && strcmp(sub, "peers") == 0)
		rc = cmd_matrix_peers(x);
	else if (sub != NULL)
		rc = cmd_matrix_countries(x);
	else if (strcmp(cmd, "peers") == 0)
		rc = cmd_peers(x);
	else if (strcmp(cmd, "peer") == 0)
		rc = cmd_peer(x, arg);
	else if (strcmp(cmd, "routes") == 0)
		rc = cmd_routes(x, arg);
	else if (strcmp(cmd, "acl") == 0)
		rc = cmd_acl(x);
	else if (strcmp(cmd, "classes") == 0)
		rc = cmd_classes(x);
	else if (strcmp(cmd, "blackholes") == 0)
		rc = cmd_blackholes(x);
	else if (strcmp(cmd, "countries") == 0)
		rc = cmd_countries(x);
	else if (strcmp(cmd, "drops") == 0)
		rc = cmd_drops(x);
	else if (strcmp(cmd, "ports") == 0)
		rc = cmd_ports(x);
	else if (strcmp(cmd, "generation") == 0)
		rc = cmd_generation(x);
	else if (strcmp(cmd, "config") == 0)
		rc = cmd_config(x);
	else
		rc = usage(x, "show: unknown command '%s'", cmd);
done:
	free(x->sum);
	free(x);
	return rc;
}
