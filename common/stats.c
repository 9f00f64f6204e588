/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.c - summing the per-lcore counter blocks and printing them, as one
 * JSON object (replay, --json-out) or as a human view that fits an 80x40
 * terminal (live demo). Both read through the counter families
 * (counters.h): the JSON has every family, grouped per object.
 *
 * Readers only: nothing here writes a worker's counters. Names come from the
 * spec (ixg_ctr_names_from_spec), so this file needs ixg_api.h only (no
 * config library, no DPDK).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "ixg_json.h"
#include "stats.h"

/*
 * Everything in struct ixg_lcore_counters before peer_pair is a uint64_t, so
 * the sum is one flat loop over that prefix; only the peer-pair hash table
 * needs merging by key, and after it the blackholes (flat) and the
 * blackhole x peer table (by key). The asserts keep this true if fields are
 * added.
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

/* The same for the blackhole x peer table (layout of struct
 * ixg_ctr_bh_peer). */
static struct ixg_ctr_bh_peer *
bh_peer_slot(struct ixg_lcore_counters *t, uint32_t key)
{
	uint32_t mask = IXG_BH_PEER_SLOTS - 1;
	uint32_t h = pair_hash(key) & mask;

	for (uint32_t i = 0; i < IXG_BH_PEER_SLOTS; i++) {
		struct ixg_ctr_bh_peer *s = &t->blackhole_peer[(h + i) & mask];

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
 * the workers', and added to their peers' rx and tx (a worker's block counts
 * a forwarded packet only in its pair: IXG_CTR_PEER); a flagged slot to its
 * surviving peer alone, not as a pair. total's peers_folded says so. Any
 * thread; safe while workers run.
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
			if (!c->peers_folded) {
				struct ixg_ctr_peer *in =
					&total->peer[IXG_PEER_PAIR_IN(key)];
				struct ixg_ctr_peer *out =
					&total->peer[IXG_PEER_PAIR_OUT(key)];
				uint64_t v[4];

				ixg_peer_pair_fold(key, pk, by, v);
				in->rx.packets += v[0];
				in->rx.bytes += v[1];
				out->tx.packets += v[2];
				out->tx.bytes += v[3];
			}
			if (key & (IXG_PEER_PAIR_NO_IN | IXG_PEER_PAIR_NO_OUT))
				continue;
			s = pair_slot(total, key);
			if (s == NULL) {
				total->peer_pair_overflow++;
				continue;
			}
			s->pb.packets += pk;
			s->pb.bytes += by;
		}
		for (uint32_t i = 0; i < IXG_MAX_BLACKHOLES; i++) {
			total->blackhole[i].packets += load_u64(
				&c->blackhole[i].packets);
			total->blackhole[i].bytes += load_u64(
				&c->blackhole[i].bytes);
		}
		for (uint32_t i = 0; i < IXG_BH_PEER_SLOTS; i++) {
			const struct ixg_ctr_bh_peer *p = &c->blackhole_peer[i];
			uint32_t key = __atomic_load_n(&p->key,
						       __ATOMIC_ACQUIRE);
			struct ixg_ctr_bh_peer *s;

			if (key == 0)
				continue;
			s = bh_peer_slot(total, key);
			if (s == NULL) {
				total->blackhole_peer_overflow += load_u64(
					&p->pb.packets);
				continue;
			}
			s->pb.packets += load_u64(&p->pb.packets);
			s->pb.bytes += load_u64(&p->pb.bytes);
		}
	}
	total->peers_folded = 1;
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

/* ------------------------------------------------------------------- JSON */

/* One family's value(s) for an entity: a number, an object by reason
 * (every reason at the node, the non-zero ones inside an object), or one
 * member per colour. */
static void
json_family(struct ixg_json *j, const struct ixg_ctr_walk *w, unsigned f,
	    uint32_t entity, bool dense)
{
	const struct ixg_ctr_family *fam = &ixg_ctr_families[f];
	unsigned n = ixg_ctr_sub_count(fam->sub);

	if (fam->sub == IXG_CTR_SUB_NONE) {
		ixg_json_u64(j, fam->key, ixg_ctr_walk_value(w, f, entity, 0));
		return;
	}
	if (fam->sub == IXG_CTR_SUB_REASON)
		ixg_json_obj(j, fam->key);
	for (unsigned s = 0; s < n; s++) {
		uint64_t v = ixg_ctr_walk_value(w, f, entity, s);

		if (v != 0 || dense || fam->sub != IXG_CTR_SUB_REASON)
			ixg_json_u64(j, ixg_ctr_sub_name(fam->sub, s), v);
	}
	if (fam->sub == IXG_CTR_SUB_REASON)
		ixg_json_end(j);
}

/*
 * Print c as one JSON object followed by a newline (shape in stats.h),
 * generated from the counter families (counters.h): the node's families,
 * then one object per dimension keyed by the entities' names. Every drop
 * reason is present at the node even when zero, so consumers never have
 * to guess. spec may be NULL (ids are printed as "#id"). Any non-worker
 * thread.
 */
void
stats_print_json(const struct ixg_lcore_counters *c,
		 const struct ixg_spec *spec, FILE *out)
{
	struct ixg_ctr_names *nm = malloc(sizeof(*nm));
	struct ixg_ctr_walk *w = NULL;
	struct ixg_ctr_src src;
	struct ixg_json j;

	ixg_ctr_src_one(&src, c);
	if (nm != NULL) {
		ixg_ctr_names_from_spec(nm, spec);
		w = ixg_ctr_walk_new(&src, nm, 0, 0);
	}
	if (w == NULL) {
		fputs("{\"error\":\"out of memory\"}\n", out);
		free(nm);
		return;
	}
	ixg_json_init(&j, out);
	ixg_json_obj(&j, NULL);
	if (nm->node != NULL)
		ixg_json_str(&j, "node", nm->node);
	for (unsigned f = 0; f < IXG_CF_MAX; f++)
		if (ixg_ctr_families[f].dim == IXG_CTR_DIM_NODE &&
		    ixg_ctr_families[f].from != IXG_CTR_FROM_STATE)
			json_family(&j, w, f, 0, true);
	for (unsigned d = IXG_CTR_DIM_NODE + 1; d < IXG_CTR_DIM_MAX; d++) {
		uint32_t pos = 0, e;

		ixg_json_obj(&j, ixg_ctr_dim_json[d]);
		while (ixg_ctr_walk_entity(w, d, &pos, &e)) {
			char buf[2 * IXG_NAME_LEN + 8];
			const char *name = ixg_ctr_entity_name(w, d, e, buf,
							       sizeof(buf));

			if (d == IXG_CTR_DIM_ACL_RULE) {
				/* {"id": hits}: the rule has one family. */
				ixg_json_u64(
					&j, name,
					ixg_ctr_walk_value(
						w,
						IXG_CF_acl_rule_matched_packets_total,
						e, 0));
				continue;
			}
			ixg_json_obj(&j, name);
			if (d == IXG_CTR_DIM_PORT || d == IXG_CTR_DIM_PEER ||
			    d == IXG_CTR_DIM_CLASS ||
			    d == IXG_CTR_DIM_BLACKHOLE ||
			    d == IXG_CTR_DIM_NHGROUP)
				ixg_json_u64(&j, "id", e);
			for (unsigned f = 0; f < IXG_CF_MAX; f++)
				if (ixg_ctr_families[f].dim == d)
					json_family(&j, w, f, e, false);
			ixg_json_end(&j);
		}
		ixg_json_end(&j);
	}
	ixg_json_end(&j);
	ixg_json_done(&j);
	ixg_ctr_walk_free(w);
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

/* Family f's value for (entity e, sub r) in c, and its rate since p (the
 * value itself when there is no previous read). */
static uint64_t
val(const struct ixg_ctr_src *c, unsigned f, uint32_t e, unsigned r)
{
	return ixg_ctr_value(c, f, e, r);
}

static double
frate(const struct ixg_ctr_src *c, const struct ixg_ctr_src *p, unsigned f,
      uint32_t e, unsigned r, double interval_s)
{
	uint64_t before;

	if (p == NULL)
		return (double)val(c, f, e, r);
	before = val(p, f, e, r);
	return rate(val(c, f, e, r), &before, interval_s);
}

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
 * and the non-zero drops with their descriptions, read through the counter
 * families. Any non-worker thread.
 */
void
stats_print_view(const struct ixg_lcore_counters *c,
		 const struct ixg_lcore_counters *prev, double interval_s,
		 const struct ixg_spec *spec, uint64_t generation, FILE *out)
{
	struct ixg_ctr_names *nm = malloc(sizeof(*nm));
	struct top peers[VIEW_PEERS], pairs[VIEW_PAIRS], drops[VIEW_DROPS];
	unsigned np = 0, ncp = 0, nd = 0, n_active = 0, n_drop_kinds = 0;
	char b1[16], b2[16], b3[16], b4[16];
	uint64_t rx_bytes = 0, tx_bytes = 0, prx_bytes = 0, ptx_bytes = 0;
	uint64_t dtotal, pdtotal, now_v, prev_v;
	struct ixg_ctr_src sc, sp_;
	const struct ixg_ctr_src *sp = prev != NULL ? &sp_ : NULL;

	if (nm == NULL)
		return;
	ixg_ctr_names_from_spec(nm, spec);
	ixg_ctr_src_one(&sc, c);
	ixg_ctr_src_one(&sp_, prev);
	for (unsigned p = 0; p < IXG_MAX_PORTS; p++) {
		rx_bytes += val(&sc, IXG_CF_port_received_bytes_total, p, 0);
		tx_bytes += val(&sc, IXG_CF_port_transmitted_bytes_total, p, 0);
		if (sp != NULL) {
			prx_bytes += val(sp, IXG_CF_port_received_bytes_total,
					 p, 0);
			ptx_bytes += val(
				sp, IXG_CF_port_transmitted_bytes_total, p, 0);
		}
	}

	fprintf(out, "ixgate %s  generation %" PRIu64 "  %s\n",
		nm->node != NULL ? nm->node : "-", generation,
		prev != NULL ? "rates over the last interval"
			     : "totals since start");
	fprintf(out, "%-10s %14s %12s %12s\n", "", "packets", "pps", "Mbit/s");
	now_v = val(&sc, IXG_CF_received_packets_total, 0, 0);
	prev_v = sp ? val(sp, IXG_CF_received_packets_total, 0, 0) : 0;
	view_total(out, "rx", now_v, sp ? &prev_v : NULL, rx_bytes,
		   sp ? &prx_bytes : NULL, interval_s);
	now_v = val(&sc, IXG_CF_forwarded_packets_total, 0, 0);
	prev_v = sp ? val(sp, IXG_CF_forwarded_packets_total, 0, 0) : 0;
	view_total(out, "tx", now_v, sp ? &prev_v : NULL, tx_bytes,
		   sp ? &ptx_bytes : NULL, interval_s);
	now_v = val(&sc, IXG_CF_local_packets_total, 0, 0);
	prev_v = sp ? val(sp, IXG_CF_local_packets_total, 0, 0) : 0;
	view_total(out, "local", now_v, sp ? &prev_v : NULL, 0, NULL,
		   interval_s);
	dtotal = val(&sc, IXG_CF_dropped_packets_sum, 0, 0);
	pdtotal = sp != NULL ? val(sp, IXG_CF_dropped_packets_sum, 0, 0) : 0;
	view_total(out, "dropped", dtotal, sp ? &pdtotal : NULL, 0, NULL,
		   interval_s);

	for (unsigned id = 1; id < IXG_MAX_PEERS; id++) {
		struct top e = {0};

		if (val(&sc, IXG_CF_peer_received_packets_total, id, 0) == 0 &&
		    val(&sc, IXG_CF_peer_transmitted_packets_total, id, 0) == 0)
			continue;
		n_active++;
		e.a = id;
		e.v1 = frate(&sc, sp, IXG_CF_peer_received_packets_total, id, 0,
			     interval_s);
		e.v2 = frate(&sc, sp, IXG_CF_peer_transmitted_packets_total, id,
			     0, interval_s);
		e.key = e.v1 + e.v2 + (double)id * 1e-9;
		top_insert(peers, VIEW_PEERS, &np, &e);
	}
	fprintf(out, "\n%-16s %9s %9s %9s %9s %9s\n", "peer",
		prev ? "rx pps" : "rx pkt", prev ? "rx Mbit/s" : "rx Mbit",
		prev ? "tx pps" : "tx pkt", prev ? "tx Mbit/s" : "tx Mbit",
		prev ? "drops/s" : "drops");
	for (unsigned i = 0; i < np; i++) {
		unsigned id = peers[i].a;
		char nb[16];

		fprintf(out, "%-16.16s %9s %9.1f %9s %9.1f %9s\n",
			ixg_ctr_peer_name(nm, id, nb, sizeof(nb)),
			human(peers[i].v1, b1, sizeof(b1)),
			frate(&sc, sp, IXG_CF_peer_received_bytes_total, id, 0,
			      interval_s) *
				8e-6,
			human(peers[i].v2, b2, sizeof(b2)),
			frate(&sc, sp, IXG_CF_peer_transmitted_bytes_total, id,
			      0, interval_s) *
				8e-6,
			human(frate(&sc, sp, IXG_CF_peer_dropped_packets_total,
				    id, 0, interval_s),
			      b3, sizeof(b3)));
	}
	if (n_active > np)
		fprintf(out, "  ... %u more peers\n", n_active - np);

	for (unsigned s = 0; s < IXG_MAX_COUNTRIES; s++) {
		for (unsigned d = 0; d < IXG_MAX_COUNTRIES; d++) {
			uint32_t cp = s * IXG_MAX_COUNTRIES + d;
			struct top e = {0};

			if (val(&sc, IXG_CF_country_pair_packets_total, cp,
				0) == 0)
				continue;
			e.a = s;
			e.b = d;
			e.v1 = frate(&sc, sp, IXG_CF_country_pair_packets_total,
				     cp, 0, interval_s);
			e.v2 = frate(&sc, sp, IXG_CF_country_pair_bytes_total,
				     cp, 0, interval_s) *
			       8e-6;
			e.key = e.v1;
			top_insert(pairs, VIEW_PAIRS, &ncp, &e);
		}
	}
	fprintf(out, "\n%-16s %9s %9s\n", "country pair", prev ? "pps" : "pkt",
		prev ? "Mbit/s" : "Mbit");
	for (unsigned i = 0; i < ncp; i++) {
		char a[3], b[3], key[8];

		ixg_ctr_country(nm, pairs[i].a, a);
		ixg_ctr_country(nm, pairs[i].b, b);
		snprintf(key, sizeof(key), "%s>%s", a, b);
		fprintf(out, "%-16s %9s %9.1f\n", key,
			human(pairs[i].v1, b4, sizeof(b4)), pairs[i].v2);
	}

	for (unsigned r = 0; r < IXG_DROP_MAX; r++) {
		uint64_t d = val(&sc, IXG_CF_dropped_packets_total, 0, r);
		struct top e = {0};

		if (d == 0)
			continue;
		n_drop_kinds++;
		e.a = r;
		e.v1 = frate(&sc, sp, IXG_CF_dropped_packets_total, 0, r,
			     interval_s);
		e.key = (double)d;
		top_insert(drops, VIEW_DROPS, &nd, &e);
	}
	fprintf(out, "\n%-16s %9s %9s  %s\n", "drop reason", "total",
		prev ? "pps" : "", "why");
	for (unsigned i = 0; i < nd; i++) {
		unsigned r = drops[i].a;

		/* 16 + 9 + 9 + 4 separators: 42 columns left for the text. */
		fprintf(out, "%-16s %9s %9s  %.42s\n", ixg_drop_name(r),
			human((double)val(&sc, IXG_CF_dropped_packets_total, 0,
					  r),
			      b2, sizeof(b2)),
			prev ? human(drops[i].v1, b1, sizeof(b1)) : "",
			ixg_drop_descr(r));
	}
	if (n_drop_kinds > nd)
		fprintf(out, "  ... %u more reasons\n", n_drop_kinds - nd);
	free(nm);
}
