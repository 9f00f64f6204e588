/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.c - summing the per-lcore counter blocks and printing them, as one
 * JSON object (replay, final report, telemetry) or as a human view that fits
 * an 80x40 terminal (live demo).
 *
 * Readers only: nothing here writes a worker's counters. Names come from the
 * spec by scanning its arrays, so this file needs ixg_api.h only (no config
 * library, no DPDK).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/*
 * Everything in struct ixg_lcore_counters before peer_pair is a uint64_t, so
 * the sum is one flat loop over that prefix; only the peer-pair hash table
 * needs merging by key. The asserts keep this true if fields are added.
 */
#define STATS_FLAT_WORDS                                                       \
	(offsetof(struct ixg_lcore_counters, peer_pair) / sizeof(uint64_t))
_Static_assert(offsetof(struct ixg_lcore_counters, peer_pair) %
			       sizeof(uint64_t) ==
		       0,
	       "counter prefix must be whole 64-bit words");
_Static_assert(sizeof(struct ixg_ctr_port) % sizeof(uint64_t) == 0 &&
		       sizeof(struct ixg_ctr_peer) % sizeof(uint64_t) == 0 &&
		       sizeof(struct ixg_ctr_pb) % sizeof(uint64_t) == 0,
	       "counter structs must be made of 64-bit words");
_Static_assert((IXG_PEER_PAIR_SLOTS & (IXG_PEER_PAIR_SLOTS - 1)) == 0,
	       "peer pair table size must be a power of two");

static inline uint64_t
load_u64(const uint64_t *p)
{
	/* A relaxed atomic load: the writer is another lcore doing plain
	 * adds; we only need each 64-bit value untorn. */
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static uint32_t
pair_hash(uint32_t key)
{
	/* Murmur3 finaliser: spreads (in << 16 | out) over the slots. */
	key ^= key >> 16;
	key *= 0x85ebca6bu;
	key ^= key >> 13;
	key *= 0xc2b2ae35u;
	key ^= key >> 16;
	return key;
}

/* Slot of `key` in t's peer-pair table, claiming an empty one if absent;
 * NULL when the table is full. */
static struct ixg_ctr_peer_pair *
pair_slot(struct ixg_lcore_counters *t, uint32_t key)
{
	uint32_t mask = IXG_PEER_PAIR_SLOTS - 1;
	uint32_t h = pair_hash(key) & mask;

	for (uint32_t i = 0; i < IXG_PEER_PAIR_SLOTS; i++) {
		struct ixg_ctr_peer_pair *s = &t->peer_pair[(h + i) & mask];

		if (s->key == key)
			return s;
		if (s->key == 0) {
			s->key = key;
			return s;
		}
	}
	return NULL;
}

/*
 * Add every block in `blocks` into `total` (zeroed by the caller). Peer pairs
 * are merged by key into total's own table, whose layout (slots) differs from
 * the workers'. Any thread; safe while workers run.
 */
void
stats_sum(struct ixg_lcore_counters *const *blocks, unsigned n,
	  struct ixg_lcore_counters *total)
{
	uint64_t *dst = (uint64_t *)total;

	for (unsigned b = 0; b < n; b++) {
		const struct ixg_lcore_counters *c = blocks[b];
		const uint64_t *src = (const uint64_t *)c;

		if (c == NULL)
			continue;
		for (size_t w = 0; w < STATS_FLAT_WORDS; w++)
			dst[w] += load_u64(&src[w]);
		for (uint32_t i = 0; i < IXG_PEER_PAIR_SLOTS; i++) {
			const struct ixg_ctr_peer_pair *p = &c->peer_pair[i];
			uint32_t key = __atomic_load_n(&p->key,
						       __ATOMIC_ACQUIRE);
			struct ixg_ctr_peer_pair *s;
			uint64_t pk, by;

			if (key == 0)
				continue;
			pk = load_u64(&p->pb.packets);
			by = load_u64(&p->pb.bytes);
			s = pair_slot(total, key);
			if (s == NULL) {
				total->peer_pair_overflow++;
				continue;
			}
			s->pb.packets += pk;
			s->pb.bytes += by;
		}
	}
}

/* Sum of every drop reason in c. Any thread. */
uint64_t
stats_drops_total(const struct ixg_lcore_counters *c)
{
	uint64_t sum = 0;

	for (unsigned r = 0; r < IXG_DROP_MAX; r++)
		sum += c->drops[r];
	return sum;
}

/* ------------------------------------------------------------------ names */

/* id -> name tables built from the spec arrays, for one print call. */
struct names {
	const char *peer[IXG_MAX_PEERS];
	const char *class_[IXG_MAX_CLASSES];
	const char *port[IXG_MAX_PORTS];
};

static void
names_fill(struct names *nm, const struct ixg_spec *spec)
{
	memset(nm, 0, sizeof(*nm));
	if (spec == NULL)
		return;
	for (uint32_t i = 0; i < spec->n_peers; i++)
		if (spec->peers[i].id < IXG_MAX_PEERS)
			nm->peer[spec->peers[i].id] = spec->peers[i].name;
	for (uint32_t i = 0; i < spec->n_classes; i++)
		if (spec->classes[i].id < IXG_MAX_CLASSES)
			nm->class_[spec->classes[i].id] = spec->classes[i].name;
	for (uint32_t i = 0; i < spec->n_ports; i++)
		if (spec->ports[i].id < IXG_MAX_PORTS)
			nm->port[spec->ports[i].id] = spec->ports[i].name;
}

/* Peer name, or "#id" in buf for an id the spec does not know. */
static const char *
peer_name(const struct names *nm, unsigned id, char *buf, size_t len)
{
	if (id == IXG_PEER_NONE) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (id < IXG_MAX_PEERS && nm->peer[id] != NULL && nm->peer[id][0])
		return nm->peer[id];
	snprintf(buf, len, "#%u", id);
	return buf;
}

/* Two-letter code of country index idx ("--" unknown, "??" out of range). */
static void
country_code(const struct ixg_spec *spec, unsigned idx, char out[3])
{
	ixg_cc_t cc = 0;

	if (spec != NULL && idx < spec->n_countries && spec->countries != NULL)
		cc = spec->countries[idx];
	if (idx == IXG_COUNTRY_UNKNOWN && cc == 0)
		cc = IXG_CC('-', '-');
	out[0] = (char)(cc >> 8);
	out[1] = (char)(cc & 0xff);
	if (out[0] < ' ' || out[0] > '~' || out[1] < ' ' || out[1] > '~')
		out[0] = out[1] = '?';
	out[2] = '\0';
}

/* ------------------------------------------------------------------- JSON */

/* A JSON string (RFC 8259 section 7): quote, backslash and controls escaped. */
static void
json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void
json_key(FILE *out, bool *first, const char *key)
{
	fputs(*first ? "" : ",", out);
	*first = false;
	json_str(out, key);
	fputc(':', out);
}

static void
json_u64(FILE *out, bool *first, const char *key, uint64_t v)
{
	json_key(out, first, key);
	fprintf(out, "%" PRIu64, v);
}

static void
json_pb(FILE *out, bool *first, const char *key, const struct ixg_ctr_pb *pb)
{
	json_key(out, first, key);
	fprintf(out, "{\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64 "}",
		pb->packets, pb->bytes);
}

static void
json_ports(FILE *out, const struct ixg_lcore_counters *c,
	   const struct names *nm)
{
	bool first = true;

	fputs("{", out);
	for (unsigned p = 0; p < IXG_MAX_PORTS; p++) {
		const struct ixg_ctr_port *cp = &c->port[p];
		char buf[16];
		bool f2 = true, f3 = true;
		uint64_t dsum = 0;

		if (nm->port[p] == NULL && cp->rx.packets == 0 &&
		    cp->tx.packets == 0)
			continue;
		snprintf(buf, sizeof(buf), "#%u", p);
		json_key(out, &first, nm->port[p] ? nm->port[p] : buf);
		fputs("{", out);
		json_u64(out, &f2, "id", p);
		json_u64(out, &f2, "rx_packets", cp->rx.packets);
		json_u64(out, &f2, "rx_bytes", cp->rx.bytes);
		json_u64(out, &f2, "tx_packets", cp->tx.packets);
		json_u64(out, &f2, "tx_bytes", cp->tx.bytes);
		json_u64(out, &f2, "fwd_packets", cp->fwd);
		json_u64(out, &f2, "local_packets", cp->local);
		json_u64(out, &f2, "generated_packets", cp->generated);
		for (unsigned r = 0; r < IXG_DROP_MAX; r++)
			dsum += cp->drops[r];
		json_u64(out, &f2, "drops_total", dsum);
		json_key(out, &f2, "drops");
		fputs("{", out);
		for (unsigned r = 0; r < IXG_DROP_MAX; r++)
			if (cp->drops[r])
				json_u64(out, &f3, ixg_drop_name(r),
					 cp->drops[r]);
		fputs("}}", out);
	}
	fputs("}", out);
}

static void
json_peers(FILE *out, const struct ixg_lcore_counters *c,
	   const struct names *nm)
{
	bool first = true;

	fputs("{", out);
	for (unsigned id = 1; id < IXG_MAX_PEERS; id++) {
		const struct ixg_ctr_peer *p = &c->peer[id];
		char buf[16];
		bool f2 = true;

		if (nm->peer[id] == NULL && p->rx.packets == 0 &&
		    p->tx.packets == 0 && p->drops == 0)
			continue;
		json_key(out, &first, peer_name(nm, id, buf, sizeof(buf)));
		fputs("{", out);
		json_u64(out, &f2, "id", id);
		json_u64(out, &f2, "rx_packets", p->rx.packets);
		json_u64(out, &f2, "rx_bytes", p->rx.bytes);
		json_u64(out, &f2, "tx_packets", p->tx.packets);
		json_u64(out, &f2, "tx_bytes", p->tx.bytes);
		json_u64(out, &f2, "drops", p->drops);
		fputs("}", out);
	}
	fputs("}", out);
}

static void
json_country_pairs(FILE *out, const struct ixg_lcore_counters *c,
		   const struct ixg_spec *spec)
{
	bool first = true;

	fputs("{", out);
	for (unsigned s = 0; s < IXG_MAX_COUNTRIES; s++) {
		for (unsigned d = 0; d < IXG_MAX_COUNTRIES; d++) {
			const struct ixg_ctr_pb *pb = &c->country_pair[s][d];
			char a[3], b[3], key[8];

			if (pb->packets == 0 && pb->bytes == 0)
				continue;
			country_code(spec, s, a);
			country_code(spec, d, b);
			snprintf(key, sizeof(key), "%s>%s", a, b);
			json_pb(out, &first, key, pb);
		}
	}
	fputs("}", out);
}

static int
pair_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct ixg_ctr_peer_pair *)a)->key;
	uint32_t y = ((const struct ixg_ctr_peer_pair *)b)->key;

	return (x > y) - (x < y);
}

static void
json_peer_pairs(FILE *out, const struct ixg_lcore_counters *c,
		const struct names *nm)
{
	struct ixg_ctr_peer_pair *v;
	uint32_t n = 0;
	bool first = true;

	/* Sorted by key so that two runs over the same traffic print the
	 * same bytes whatever the slot layout. */
	v = malloc(sizeof(*v) * IXG_PEER_PAIR_SLOTS);
	fputs("{", out);
	for (uint32_t i = 0; v != NULL && i < IXG_PEER_PAIR_SLOTS; i++)
		if (c->peer_pair[i].key != 0)
			v[n++] = c->peer_pair[i];
	if (v != NULL)
		qsort(v, n, sizeof(*v), pair_cmp);
	for (uint32_t i = 0; i < n; i++) {
		char b1[16], b2[16], key[2 * IXG_NAME_LEN + 2];

		snprintf(key, sizeof(key), "%s>%s",
			 peer_name(nm, v[i].key >> 16, b1, sizeof(b1)),
			 peer_name(nm, v[i].key & 0xffff, b2, sizeof(b2)));
		json_pb(out, &first, key, &v[i].pb);
	}
	fputs("}", out);
	free(v);
}

static void
json_acl_rules(FILE *out, const struct ixg_lcore_counters *c,
	       const struct ixg_spec *spec)
{
	uint8_t *seen = calloc(IXG_MAX_ACL_RULES, 1);
	bool first = true;
	char key[16];

	fputs("{", out);
	for (uint32_t i = 0; spec != NULL && i < spec->n_acl_rules; i++) {
		uint32_t id = spec->acl_rules[i].id;

		if (id >= IXG_MAX_ACL_RULES || (seen != NULL && seen[id]))
			continue;
		if (seen != NULL)
			seen[id] = 1;
		snprintf(key, sizeof(key), "%" PRIu32, id);
		json_u64(out, &first, key, c->acl_hits[id]);
	}
	/* Hits on ids the spec does not list (a reader with an older spec). */
	for (uint32_t id = 1; id < IXG_MAX_ACL_RULES; id++) {
		if (c->acl_hits[id] == 0 || (seen != NULL && seen[id]))
			continue;
		if (seen == NULL && spec != NULL) {
			bool known = false;

			for (uint32_t i = 0; i < spec->n_acl_rules; i++)
				known |= spec->acl_rules[i].id == id;
			if (known)
				continue;
		}
		snprintf(key, sizeof(key), "%" PRIu32, id);
		json_u64(out, &first, key, c->acl_hits[id]);
	}
	fputs("}", out);
	free(seen);
}

static void
json_classes(FILE *out, const struct ixg_lcore_counters *c,
	     const struct names *nm)
{
	bool first = true;

	fputs("{", out);
	for (unsigned id = 0; id < IXG_MAX_CLASSES; id++) {
		/* green, yellow, red: the order of enum colour (pipeline.h) */
		const uint64_t *col = c->class_colour[id];
		const char *name = id == 0 ? "default" : nm->class_[id];
		char buf[16];
		bool f2 = true;

		if (name == NULL) {
			if (col[0] == 0 && col[1] == 0 && col[2] == 0)
				continue;
			snprintf(buf, sizeof(buf), "#%u", id);
			name = buf;
		}
		json_key(out, &first, name);
		fputs("{", out);
		json_u64(out, &f2, "id", id);
		json_u64(out, &f2, "green", col[0]);
		json_u64(out, &f2, "yellow", col[1]);
		json_u64(out, &f2, "red", col[2]);
		fputs("}", out);
	}
	fputs("}", out);
}

/*
 * Print c as one JSON object followed by a newline (shape in stats.h); every
 * drop reason is present even when zero, so consumers never have to guess.
 * spec may be NULL (ids are printed as "#id"). Any non-worker thread.
 */
void
stats_print_json(const struct ixg_lcore_counters *c,
		 const struct ixg_spec *spec, FILE *out)
{
	struct names *nm = malloc(sizeof(*nm));
	bool first = true, f2 = true;

	if (nm == NULL) {
		fputs("{\"error\":\"out of memory\"}\n", out);
		return;
	}
	names_fill(nm, spec);
	fputs("{", out);
	if (spec != NULL && spec->node.name[0]) {
		json_key(out, &first, "node");
		json_str(out, spec->node.name);
	}
	json_u64(out, &first, "rx_packets", c->rx_packets);
	json_u64(out, &first, "tx_packets", c->tx_packets);
	json_u64(out, &first, "local_packets", c->local_packets);
	json_u64(out, &first, "drops_total", stats_drops_total(c));
	json_key(out, &first, "drops");
	fputs("{", out);
	for (unsigned r = 0; r < IXG_DROP_MAX; r++)
		json_u64(out, &f2, ixg_drop_name(r), c->drops[r]);
	fputs("}", out);
	json_u64(out, &first, "peer_pair_overflow", c->peer_pair_overflow);
	json_u64(out, &first, "icmp_generated", c->icmp_generated);
	json_u64(out, &first, "generated_dropped", c->generated_dropped);
	json_u64(out, &first, "sampled", c->sampled);
	json_u64(out, &first, "sample_dropped", c->sample_dropped);
	json_key(out, &first, "ports");
	json_ports(out, c, nm);
	json_key(out, &first, "peers");
	json_peers(out, c, nm);
	json_key(out, &first, "country_pairs");
	json_country_pairs(out, c, spec);
	json_key(out, &first, "peer_pairs");
	json_peer_pairs(out, c, nm);
	json_key(out, &first, "acl_rules");
	json_acl_rules(out, c, spec);
	json_key(out, &first, "classes");
	json_classes(out, c, nm);
	fputs("}\n", out);
	free(nm);
}

/* ------------------------------------------------------------ human view */

#define VIEW_PEERS 10
#define VIEW_PAIRS 10
#define VIEW_DROPS 6

/* Per-second rate of a counter since prev, or the total when prev is NULL. */
static double
rate(uint64_t now, const uint64_t *prev, double interval_s)
{
	if (prev == NULL)
		return (double)now;
	if (interval_s <= 0 || now < *prev)
		return 0;
	return (double)(now - *prev) / interval_s;
}

#define PREV(field) (prev != NULL ? &prev->field : NULL)

/* "12.3M" style number in 7 columns. */
static const char *
human(double v, char *buf, size_t len)
{
	static const char unit[] = " kMGTP";
	unsigned u = 0;

	while (v >= 10000.0 && u < sizeof(unit) - 2) {
		v /= 1000.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%7.0f", v);
	else
		snprintf(buf, len, "%6.1f%c", v, unit[u]);
	return buf;
}

/* A candidate line of the view: sorted by key; a, b identify it (peer id,
 * country indexes, drop reason); v1, v2 are the values it shows. */
struct top {
	double key;
	unsigned a, b;
	double v1, v2;
};

/* Keep the n largest entries of t sorted by key, descending. */
static void
top_insert(struct top *t, unsigned n, unsigned *len, const struct top *e)
{
	unsigned i;

	if (*len == n && t[n - 1].key >= e->key)
		return;
	i = *len < n ? (*len)++ : n - 1;
	while (i > 0 && t[i - 1].key < e->key) {
		t[i] = t[i - 1];
		i--;
	}
	t[i] = *e;
}

/* One totals line: count, and with a previous sample pps and Mbit/s. */
static void
view_total(FILE *out, const char *what, uint64_t packets, const uint64_t *prev,
	   uint64_t bytes, const uint64_t *prev_bytes, double interval_s)
{
	fprintf(out, "%-10s %14" PRIu64, what, packets);
	if (prev != NULL)
		fprintf(out, " %12.0f", rate(packets, prev, interval_s));
	if (prev_bytes != NULL)
		fprintf(out, " %12.1f",
			rate(bytes, prev_bytes, interval_s) * 8e-6);
	fputc('\n', out);
}

/*
 * Print a compact view for an 80x40 terminal: totals with rates since prev
 * (prev NULL: cumulative counts), the busiest peers, the top country pairs
 * and the non-zero drops with their descriptions. Any non-worker thread.
 */
void
stats_print_view(const struct ixg_lcore_counters *c,
		 const struct ixg_lcore_counters *prev, double interval_s,
		 const struct ixg_spec *spec, uint64_t generation, FILE *out)
{
	struct names *nm = malloc(sizeof(*nm));
	struct top peers[VIEW_PEERS], pairs[VIEW_PAIRS], drops[VIEW_DROPS];
	unsigned np = 0, ncp = 0, nd = 0, n_active = 0, n_drop_kinds = 0;
	char b1[16], b2[16], b3[16], b4[16];
	uint64_t rx_bytes = 0, tx_bytes = 0, prx_bytes = 0, ptx_bytes = 0;
	uint64_t dtotal, pdtotal;

	if (nm == NULL)
		return;
	names_fill(nm, spec);
	for (unsigned p = 0; p < IXG_MAX_PORTS; p++) {
		rx_bytes += c->port[p].rx.bytes;
		tx_bytes += c->port[p].tx.bytes;
		if (prev != NULL) {
			prx_bytes += prev->port[p].rx.bytes;
			ptx_bytes += prev->port[p].tx.bytes;
		}
	}

	fprintf(out, "ixgate %s  generation %" PRIu64 "  %s\n",
		spec != NULL && spec->node.name[0] ? spec->node.name : "-",
		generation,
		prev != NULL ? "rates over the last interval"
			     : "totals since start");
	fprintf(out, "%-10s %14s %12s %12s\n", "", "packets", "pps", "Mbit/s");
	view_total(out, "rx", c->rx_packets, PREV(rx_packets), rx_bytes,
		   prev ? &prx_bytes : NULL, interval_s);
	view_total(out, "tx", c->tx_packets, PREV(tx_packets), tx_bytes,
		   prev ? &ptx_bytes : NULL, interval_s);
	view_total(out, "local", c->local_packets, PREV(local_packets), 0, NULL,
		   interval_s);
	dtotal = stats_drops_total(c);
	pdtotal = prev != NULL ? stats_drops_total(prev) : 0;
	view_total(out, "dropped", dtotal, prev ? &pdtotal : NULL, 0, NULL,
		   interval_s);

	for (unsigned id = 1; id < IXG_MAX_PEERS; id++) {
		const struct ixg_ctr_peer *p = &c->peer[id];
		struct top e = {0};

		if (p->rx.packets == 0 && p->tx.packets == 0)
			continue;
		n_active++;
		e.a = id;
		e.v1 = rate(p->rx.packets, PREV(peer[id].rx.packets),
			    interval_s);
		e.v2 = rate(p->tx.packets, PREV(peer[id].tx.packets),
			    interval_s);
		e.key = e.v1 + e.v2 + (double)id * 1e-9;
		top_insert(peers, VIEW_PEERS, &np, &e);
	}
	fprintf(out, "\n%-16s %9s %9s %9s %9s %9s\n", "peer",
		prev ? "rx pps" : "rx pkt", prev ? "rx Mbit/s" : "rx Mbit",
		prev ? "tx pps" : "tx pkt", prev ? "tx Mbit/s" : "tx Mbit",
		prev ? "drops/s" : "drops");
	for (unsigned i = 0; i < np; i++) {
		unsigned id = peers[i].a;
		const struct ixg_ctr_peer *p = &c->peer[id];
		char nb[16];

		fprintf(out, "%-16.16s %9s %9.1f %9s %9.1f %9s\n",
			peer_name(nm, id, nb, sizeof(nb)),
			human(peers[i].v1, b1, sizeof(b1)),
			rate(p->rx.bytes, PREV(peer[id].rx.bytes), interval_s) *
				8e-6,
			human(peers[i].v2, b2, sizeof(b2)),
			rate(p->tx.bytes, PREV(peer[id].tx.bytes), interval_s) *
				8e-6,
			human(rate(p->drops, PREV(peer[id].drops), interval_s),
			      b3, sizeof(b3)));
	}
	if (n_active > np)
		fprintf(out, "  ... %u more peers\n", n_active - np);

	for (unsigned s = 0; s < IXG_MAX_COUNTRIES; s++) {
		for (unsigned d = 0; d < IXG_MAX_COUNTRIES; d++) {
			const struct ixg_ctr_pb *pb = &c->country_pair[s][d];
			struct top e = {0};

			if (pb->packets == 0)
				continue;
			e.a = s;
			e.b = d;
			e.v1 = rate(pb->packets,
				    PREV(country_pair[s][d].packets),
				    interval_s);
			e.v2 = rate(pb->bytes, PREV(country_pair[s][d].bytes),
				    interval_s) *
			       8e-6;
			e.key = e.v1;
			top_insert(pairs, VIEW_PAIRS, &ncp, &e);
		}
	}
	fprintf(out, "\n%-16s %9s %9s\n", "country pair", prev ? "pps" : "pkt",
		prev ? "Mbit/s" : "Mbit");
	for (unsigned i = 0; i < ncp; i++) {
		char a[3], b[3], key[8];

		country_code(spec, pairs[i].a, a);
		country_code(spec, pairs[i].b, b);
		snprintf(key, sizeof(key), "%s>%s", a, b);
		fprintf(out, "%-16s %9s %9.1f\n", key,
			human(pairs[i].v1, b4, sizeof(b4)), pairs[i].v2);
	}

	for (unsigned r = 0; r < IXG_DROP_MAX; r++) {
		struct top e = {0};

		if (c->drops[r] == 0)
			continue;
		n_drop_kinds++;
		e.a = r;
		e.v1 = rate(c->drops[r], PREV(drops[r]), interval_s);
		e.key = (double)c->drops[r];
		top_insert(drops, VIEW_DROPS, &nd, &e);
	}
	fprintf(out, "\n%-16s %9s %9s  %s\n", "drop reason", "total",
		prev ? "pps" : "", "why");
	for (unsigned i = 0; i < nd; i++) {
		unsigned r = drops[i].a;

		/* 16 + 9 + 9 + 4 separators: 42 columns left for the text. */
		fprintf(out, "%-16s %9s %9s  %.42s\n", ixg_drop_name(r),
			human((double)c->drops[r], b2, sizeof(b2)),
			prev ? human(drops[i].v1, b1, sizeof(b1)) : "",
			ixg_drop_descr(r));
	}
	if (n_drop_kinds > nd)
		fprintf(out, "  ... %u more reasons\n", n_drop_kinds - nd);
	free(nm);
}
