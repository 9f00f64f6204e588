/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * commit_bench.c - what building a commit's tables costs in the dataplane,
 * on the full-size synthetic table (bench/fullspec.c: 1.2M IPv4 + 300k IPv6
 * routes, 4,095 peers, strict source validation, 10k ACL rules, countries),
 * with and without warm spare FIBs (dataplane/fibrec.h).
 *
 *   commit_bench [--seed N] [--rounds N] [--small] [--scale F] [--json]
 *                [--deltas N [--edits K] [--whole]] [-- EAL args]
 *
 * --scale F keeps a fraction F of the routes (same shape): with F = 0.1
 * the run fits under callgrind, whose instruction counts, unlike times,
 * do not depend on what else runs on the machine:
 *   valgrind --tool=callgrind --toggle-collect=tables_build_from \
 *       build/bench/commit_bench --scale 0.1 --rounds 1
 *
 * Sequence (each step is tables_build_from() on the running snapshot, then
 * the old snapshot is freed, as runtime_publish does after the grace
 * period; times are the build alone, CLOCK_MONOTONIC, and the thread's
 * CPU time, which a busy neighbour on a shared VM disturbs less):
 *   install        first build: every FIB and the ACL from scratch
 *   warm           copies of the 6 FIBs as spares (the dataplane does this
 *                  at idle times after a commit)
 *   one-peer add   one peer announces one more /24 (route + source)
 *   one-peer del   and withdraws it again (--rounds times each)
 *   full replace   every route and source moves to the next peer id
 *                  (the ids of 4,095 peers rotate), twice
 *   country reload one country prefix in 100 moves to another country
 *                  (the route FIBs hold the destination's country, so
 *                  they are made again too), and back
 *   then the same one-peer and full-replace steps with spares off (every
 *   changed FIB is built from scratch: the behaviour before fibrec).
 * Route install rate = (IPv4 + IPv6 routes) / build time of the step.
 *
 * --deltas N instead: the table sorted (as the control plane sends it),
 * installed with spares on, then N route commits of about K IPv4 edits
 * each (default 280: a commit of rib_bench's churn at 10,000 changes/s),
 * each applied as the dataplane applies a TXN_DELTA; prints the thread's
 * CPU time per commit and per phase (apply, validate, build, free, warm).
 * --whole: the edits not noted (tables_route_edits_note), so the commit
 * is checked and its route FIB made from the whole table, as before.
 * The real table's size: --scale 0.47 (565k IPv4, 141k IPv6 routes).
 *
 * Without EAL args after "--": --no-huge -m 12288 --no-shconf --no-pci
 * --no-telemetry -l 0 (two snapshots and the spares at once); after the
 * install, twice its heap is mapped (warm_heap; --no-warm-heap skips it)
 * and each step prints its page faults.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "benchutil.h"
#include "fibrec.h"
#include "fullspec.h"
#include "ixg_heap.h"
#include "lpm.h"
#include "ixg_wire.h"
#include "tables.h"

static struct {
	uint64_t seed;
	unsigned rounds;
	int small, json;
	double scale;
	unsigned deltas, edits;
	int whole;
	int no_warm_heap;
} opt = {.seed = 1, .rounds = 3, .scale = 1.0, .edits = 280};

struct step {
	char name[32];
	int spares;
	double ms, cpu;
	long faults; /* the build's minor page faults */
	size_t heap;
	char fibs[1024];
};

static struct step steps[64];
static unsigned n_steps;
static struct tables *cur;
static struct ixg_spec *cur_spec;
static uint64_t gen;

/* Build `next` on the running snapshot, retire the old one. */
static void
commit(const char *name, struct ixg_spec *next)
{
	char err[512];
	struct step *s = &steps[n_steps++];
	double t0 = bench_now_ms(), c0 = bench_cpu_ms();
	long f0 = ixg_thread_minflt();
	struct tables *t = tables_build_from(next, cur_spec, cur, 1, ++gen, err,
					     sizeof(err));

	s->ms = bench_now_ms() - t0;
	s->cpu = bench_cpu_ms() - c0;
	s->faults = ixg_thread_minflt() - f0;
	if (t == NULL) {
		fprintf(stderr, "commit_bench: %s: %s\n", name, err);
		exit(1);
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->spares = fibrec_spares_on();
	tables_describe_fibs(t, s->fibs, sizeof(s->fibs));
	tables_free(cur);
	cur = t;
	cur_spec = next;
	s->heap = bench_heap_bytes();
	fprintf(stderr,
		"%-17s spares %-3s %9.1f ms (cpu %9.1f, %6ld page faults)  "
		"heap "
		"%6zu MiB  %s\n",
		name, s->spares ? "on" : "off", s->ms, s->cpu, s->faults,
		s->heap >> 20, s->fibs);
}

/* A spec sharing every array with `s` but routes4/sources4 (copied, one
 * more /24 from the peer of route 0 when `add`). */
static struct ixg_spec *
one_peer(const struct ixg_spec *base, int add)
{
	struct ixg_spec *n = malloc(sizeof(*n));
	uint32_t extra = add ? 1 : 0;

	if (n == NULL)
		exit(1);
	*n = *base;
	n->routes4 = malloc((base->n_routes4 + 1) * sizeof(*n->routes4));
	n->sources4 = malloc((base->n_sources4 + 1) * sizeof(*n->sources4));
	if (n->routes4 == NULL || n->sources4 == NULL)
		exit(1);
	memcpy(n->routes4, base->routes4,
	       base->n_routes4 * sizeof(*n->routes4));
	memcpy(n->sources4, base->sources4,
	       base->n_sources4 * sizeof(*n->sources4));
	if (add) {
		struct ixg_spec_route4 r = base->routes4[0];

		r.addr = 0x647ffe00; /* 100.127.254.0/24 */
		r.len = 24;
		n->routes4[base->n_routes4] = r;
		n->sources4[base->n_sources4] = r;
	}
	n->n_routes4 = base->n_routes4 + extra;
	n->n_sources4 = base->n_sources4 + extra;
	return n;
}

/* Every route and source to the next peer id (1..n_peers). */
static struct ixg_spec *
rotated(const struct ixg_spec *base, uint32_t n_peers)
{
	struct ixg_spec *n = malloc(sizeof(*n));

	if (n == NULL)
		exit(1);
	*n = *base;
#define ROT(f, cnt)                                                            \
	do {                                                                   \
		n->f = malloc((base->cnt + 1) * sizeof(*n->f));                \
		if (n->f == NULL)                                              \
			exit(1);                                               \
		memcpy(n->f, base->f, base->cnt * sizeof(*n->f));              \
		for (uint32_t i = 0; i < base->cnt; i++)                       \
			n->f[i].peer_id =                                      \
				(uint16_t)(n->f[i].peer_id % n_peers + 1);     \
	} while (0)
	ROT(routes4, n_routes4);
	ROT(routes6, n_routes6);
	ROT(sources4, n_sources4);
	ROT(sources6, n_sources6);
#undef ROT
	return n;
}

/* A reload of the country map: every array shared with `base` but
 * country4/country6 (copied, one prefix in 100 moved to another
 * country). */
static struct ixg_spec *
countries_moved(const struct ixg_spec *base)
{
	struct ixg_spec *n = malloc(sizeof(*n));
	uint32_t nc = base->n_countries > 1 ? base->n_countries - 1 : 1;

	if (n == NULL)
		exit(1);
	*n = *base;
	n->country4 = malloc((base->n_country4 + 1) * sizeof(*n->country4));
	n->country6 = malloc((base->n_country6 + 1) * sizeof(*n->country6));
	if (n->country4 == NULL || n->country6 == NULL)
		exit(1);
	memcpy(n->country4, base->country4,
	       base->n_country4 * sizeof(*n->country4));
	memcpy(n->country6, base->country6,
	       base->n_country6 * sizeof(*n->country6));
	for (uint32_t i = 0; i < base->n_country4; i += 100)
		n->country4[i].country =
			(uint16_t)(n->country4[i].country % nc + 1);
	for (uint32_t i = 0; i < base->n_country6; i += 100)
		n->country6[i].country =
			(uint16_t)(n->country6[i].country % nc + 1);
	return n;
}

/* Free the arrays `s` does not share with `base`, and s. */
static void
spec_drop(struct ixg_spec *s, const struct ixg_spec *base)
{
	if (s == NULL || s == base)
		return;
	if (s->routes4 != base->routes4)
		free(s->routes4);
	if (s->routes6 != base->routes6)
		free(s->routes6);
	if (s->sources4 != base->sources4)
		free(s->sources4);
	if (s->sources6 != base->sources6)
		free(s->sources6);
	if (s->country4 != base->country4)
		free(s->country4);
	if (s->country6 != base->country6)
		free(s->country6);
	free(s);
}

/*
 * On 4 KiB pages (the default EAL arguments), map twice the heap the
 * install left in use, as hugepages are mapped at start-up, so the steps
 * measure their builds, not the first touch of the memory the heap's
 * first-fit hands out past what earlier steps touched: without it the
 * spares-off "country reload" (or "country back") step faulted in part
 * of sav6's group pool and painted it in 316 ms against 16-48 (11,962
 * page faults; at full scale 3.5-4.8 s under load). --no-warm-heap to
 * see those faults.
 */
static void
warm_heap(void)
{
	double t0 = bench_now_ms();
	long f0 = ixg_thread_minflt();
	size_t got;

	if (opt.no_warm_heap)
		return;
	got = lpm_heap_warm(2 * bench_heap_bytes());
	if (got > 0)
		fprintf(stderr,
			"heap warm-up      %zu MiB mapped in %.1f ms (%ld page "
			"faults)\n",
			got >> 20, bench_now_ms() - t0,
			ixg_thread_minflt() - f0);
}

static void
run(struct ixg_spec *base, uint32_t n_peers)
{
	struct ixg_spec *live[5] = {NULL};
	double t0, c0;
	int w, n_warm = 0;

	for (int pass = 0; pass < 2; pass++) {
		fibrec_set_spares(pass == 0);
		if (pass == 0) {
			commit("install", base);
			warm_heap();
			t0 = bench_now_ms();
			c0 = bench_cpu_ms();
			while ((w = tables_warm_one(cur)) == 1)
				n_warm++;
			if (w < 0) {
				fprintf(stderr, "warm: %s\n", strerror(-w));
				exit(1);
			}
			steps[n_steps] = (struct step){.spares = 1};
			snprintf(steps[n_steps].name, sizeof(steps[0].name),
				 "warm (%d FIBs)", n_warm);
			steps[n_steps].ms = bench_now_ms() - t0;
			steps[n_steps].cpu = bench_cpu_ms() - c0;
			steps[n_steps].heap = bench_heap_bytes();
			fprintf(stderr,
				"%-17s spares on  %9.1f ms (cpu %9.1f)  heap "
				"%6zu MiB\n",
				steps[n_steps].name, steps[n_steps].ms,
				steps[n_steps].cpu, steps[n_steps].heap >> 20);
			n_steps++;
		}
		for (unsigned r = 0; r < opt.rounds; r++) {
			struct ixg_spec *a = one_peer(base, 1);
			struct ixg_spec *d = one_peer(base, 0);

			commit("one-peer add", a);
			spec_drop(live[0], base);
			live[0] = a;
			commit("one-peer del", d);
			spec_drop(live[1], base);
			live[1] = d;
		}
		for (unsigned r = 0; r < 2; r++) {
			struct ixg_spec *x = r % 2 == 0 ? rotated(base, n_peers)
							: one_peer(base, 0);

			commit(r % 2 == 0 ? "full replace"
					  : "full replace back",
			       x);
			spec_drop(live[2 + r], base);
			live[2 + r] = x;
		}
		{
			struct ixg_spec *x = countries_moved(base);

			commit("country reload", x);
			spec_drop(live[4], base);
			live[4] = x;
			commit("country back", base);
		}
	}
	tables_free(cur);
	cur = NULL;
	fibrec_drop_spares();
	for (int i = 0; i < 5; i++)
		spec_drop(live[i], base);
}

/* ------------------------------------------------------------------ */
/* --deltas N: route commits as the dataplane applies a TXN_DELTA.     */

static uint64_t rng_state;

static uint64_t
rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static int
cmp_edit4(const void *a, const void *b)
{
	const struct ixg_delta_route4 *x = a, *y = b;

	if (x->r.addr != y->r.addr)
		return x->r.addr < y->r.addr ? -1 : 1;
	return (x->r.len > y->r.len) - (x->r.len < y->r.len);
}

/*
 * k IPv4 edits against the sorted table r[0..n): a third deletes of routes
 * it holds, a third next-hop changes of routes it holds, a third /24s of
 * 10.0.0.0/8 set (rib_bench's churn), sorted, one per prefix.
 */
static size_t
make_edits4(const struct ixg_spec_route4 *r, uint32_t n, uint32_t n_peers,
	    struct ixg_delta_route4 *e, size_t k)
{
	size_t m = 0, o = 0;

	for (size_t i = 0; i < k; i++) {
		struct ixg_delta_route4 *d = &e[m++];
		unsigned what = (unsigned)(rng() % 3);

		memset(d, 0, sizeof(*d));
		if (what < 2 && n > 0) {
			d->r = r[rng() % n];
			d->op = what == 0 ? IXG_DELTA_DEL : IXG_DELTA_SET;
			d->r.peer_id = (uint16_t)(1 + rng() % n_peers);
		} else {
			d->op = IXG_DELTA_SET;
			d->r.addr = 0x0a000000u | (uint32_t)(rng() % 65536)
							  << 8;
			d->r.len = 24;
			d->r.peer_id = (uint16_t)(1 + rng() % n_peers);
			d->r.origin = 1;
		}
	}
	qsort(e, m, sizeof(*e), cmp_edit4);
	for (size_t i = 0; i < m; i++) {
		if (o > 0 && cmp_edit4(&e[o - 1], &e[i]) == 0)
			continue;
		e[o++] = e[i];
	}
	/* a DEL of a /24 the table does not hold is refused: make it a SET */
	for (size_t i = 0; i < o; i++) {
		uint32_t lo = 0, hi = n;

		if (e[i].op != IXG_DELTA_DEL)
			continue;
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;

			if (r[mid].addr < e[i].r.addr ||
			    (r[mid].addr == e[i].r.addr &&
			     r[mid].len < e[i].r.len))
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo >= n || r[lo].addr != e[i].r.addr ||
		    r[lo].len != e[i].r.len)
			e[i].op = IXG_DELTA_SET;
	}
	return o;
}

/*
 * N route commits of k IPv4 edits each on the sorted table, each as the
 * dataplane does it: the delta applied to the running table
 * (ixg_delta_apply), the spec validated, the snapshot built on the running
 * one (patching the warm spare), the old snapshot freed (after the grace
 * period: not timed), the spare brought up to date (tables_warm_one, at an
 * idle time). CPU time of the thread per phase.
 */
static void
run_deltas(struct ixg_spec *base, uint32_t n_peers)
{
	enum { APPLY, VALIDATE, BUILD, FREE, WARM, PHASES };
	static const char *const names[PHASES] = {"apply", "validate", "build",
						  "free", "warm"};
	double cpu[PHASES] = {0}, c0, total = 0;
	struct ixg_delta_route4 *e = malloc((opt.edits + 1) * sizeof(*e));
	struct ixg_spec *sp = malloc(sizeof(*sp));
	struct tables_validate_env env = {.running = base};
	uint64_t n_edits = 0;
	char err[IXG_WIRE_ERR_LEN];
	int w;

	if (e == NULL || sp == NULL)
		exit(1);
	rng_state = opt.seed * 0x9e3779b97f4a7c15ull | 1;
	/* fullspec leaves every blackhole id 0; a spec that validates names
	 * each by its own */
	for (uint32_t i = 0; i < base->n_blackholes; i++)
		base->blackholes[i].id = (uint16_t)i;
	if (ixg_routes_sort(IXG_TBL_ROUTES4, base->routes4, &base->n_routes4) <
		    0 ||
	    ixg_routes_sort(IXG_TBL_ROUTES6, base->routes6, &base->n_routes6) <
		    0) {
		fprintf(stderr, "commit_bench: sort failed\n");
		exit(1);
	}
	fibrec_set_spares(true);
	commit("install", base);
	while ((w = tables_warm_one(cur)) == 1)
		;
	*sp = *base;
	for (unsigned d = 0; d < opt.deltas; d++) {
		struct ixg_spec *ns = malloc(sizeof(*ns));
		struct tables_refusal ref;
		struct tables_route_edits note;
		struct ixg_msg_txn_delta m;
		struct tables *t;
		void *edits = NULL;
		uint32_t owned, idx;
		int fd;
		size_t k = make_edits4(sp->routes4, sp->n_routes4, n_peers, e,
				       opt.edits);

		if (ns == NULL)
			exit(1);
		n_edits += k;
		if (ixg_delta_to_memfd(IXG_TBL_ROUTES4, e, k, &fd) < 0)
			exit(1);
		ixg_msg_txn_delta_init(&m, IXG_TBL_ROUTES4, gen, sp->n_routes4,
				       k, 1);
		c0 = bench_cpu_ms();
		/* as api_server.c's txn_delta: the table the previous delta
		 * made is known sorted; the edits noted for the commit */
		*ns = *sp;
		owned = 0;
		if (ixg_delta_from_fd_edits(fd, &m, gen, d > 0 && !opt.whole,
					    ns, &owned, &edits, &idx,
					    err) != IXG_ST_OK) {
			fprintf(stderr, "commit_bench: delta %u: %s\n", d, err);
			exit(1);
		}
		close(fd);
		note = (struct tables_route_edits){
			.base = sp->routes4,
			.n_base = sp->n_routes4,
			.res = ns->routes4,
			.n_res = ns->n_routes4,
			.edits = edits,
			.n_edits = k,
		};
		if (!opt.whole)
			tables_route_edits_note(IXG_TBL_ROUTES4, &note);
		cpu[APPLY] += bench_cpu_ms() - c0;
		c0 = bench_cpu_ms();
		env.running = sp;
		if (tables_validate(ns, &env, &ref) != 0) {
			fprintf(stderr, "commit_bench: delta %u: %s\n", d,
				ref.msg);
			exit(1);
		}
		cpu[VALIDATE] += bench_cpu_ms() - c0;
		c0 = bench_cpu_ms();
		t = tables_build_from(ns, sp, cur, 1, ++gen, err, sizeof(err));
		if (t == NULL) {
			fprintf(stderr, "commit_bench: delta %u: %s\n", d, err);
			exit(1);
		}
		cpu[BUILD] += bench_cpu_ms() - c0;
		c0 = bench_cpu_ms();
		tables_free(cur);
		cur = t;
		if (sp->routes4 != base->routes4)
			free(sp->routes4);
		if (sp != base)
			free(sp);
		sp = ns;
		tables_route_edits_note(IXG_TBL_ROUTES4, NULL);
		free(edits);
		cpu[FREE] += bench_cpu_ms() - c0;
		c0 = bench_cpu_ms();
		while ((w = tables_warm_one(cur)) == 1)
			;
		if (w < 0) {
			fprintf(stderr, "warm: %s\n", strerror(-w));
			exit(1);
		}
		cpu[WARM] += bench_cpu_ms() - c0;
		if (d == 0 || d + 1 == opt.deltas) {
			tables_describe_fibs(cur, steps[0].fibs,
					     sizeof(steps[0].fibs));
			fprintf(stderr, "delta %u: %zu edits: %s\n", d, k,
				steps[0].fibs);
		}
	}
	for (unsigned i = 0; i < PHASES; i++)
		total += cpu[i];
	printf("%u route commits, %.1f edits each, on %" PRIu32
	       " IPv4 + %" PRIu32 " IPv6 routes: CPU per commit %.3f ms (",
	       opt.deltas, (double)n_edits / opt.deltas, sp->n_routes4,
	       sp->n_routes6, total / opt.deltas);
	for (unsigned i = 0; i < PHASES; i++)
		printf("%s%s %.3f", i ? ", " : "", names[i],
		       cpu[i] / opt.deltas);
	printf(")\n");
	if (opt.json)
		printf("{\"bench\": \"commit-deltas\", \"seed\": %" PRIu64
		       ", \"routes4\": %" PRIu32 ", \"routes6\": %" PRIu32
		       ", \"commits\": %u, \"edits_per_commit\": %.1f, "
		       "\"cpu_ms_per_commit\": %.4f, \"apply\": %.4f, "
		       "\"validate\": %.4f, \"build\": %.4f, \"free\": %.4f, "
		       "\"warm\": %.4f}\n",
		       opt.seed, sp->n_routes4, sp->n_routes6, opt.deltas,
		       (double)n_edits / opt.deltas, total / opt.deltas,
		       cpu[APPLY] / opt.deltas, cpu[VALIDATE] / opt.deltas,
		       cpu[BUILD] / opt.deltas, cpu[FREE] / opt.deltas,
		       cpu[WARM] / opt.deltas);
	tables_free(cur);
	cur = NULL;
	fibrec_drop_spares();
	if (sp != base) {
		if (sp->routes4 != base->routes4)
			free(sp->routes4);
		free(sp);
	}
	free(e);
}

static void
print_json(const struct ixg_spec *s)
{
	printf("{\"bench\": \"commit\", \"seed\": %" PRIu64
	       ", \"routes4\": %" PRIu32 ", \"routes6\": %" PRIu32
	       ", \"sources4\": %" PRIu32 ", \"sources6\": %" PRIu32
	       ", \"acl_rules\": %" PRIu32 ", \"steps\": [",
	       opt.seed, s->n_routes4, s->n_routes6, s->n_sources4,
	       s->n_sources6, s->n_acl_rules);
	for (unsigned i = 0; i < n_steps; i++)
		printf("%s{\"step\": \"%s\", \"spares\": %s, \"build_ms\": "
		       "%.2f, "
		       "\"cpu_ms\": %.2f, \"page_faults\": %ld, \"heap_mib\": "
		       "%zu, \"fibs\": \"%s\"}",
		       i ? ", " : "", steps[i].name,
		       steps[i].spares ? "true" : "false", steps[i].ms,
		       steps[i].cpu, steps[i].faults, steps[i].heap >> 20,
		       steps[i].fibs);
	printf("]}\n");
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"seed", required_argument, NULL, 's'},
		{"rounds", required_argument, NULL, 'r'},
		{"small", no_argument, NULL, 'S'},
		{"json", no_argument, NULL, 'j'},
		{"scale", required_argument, NULL, 'x'},
		{"deltas", required_argument, NULL, 'd'},
		{"edits", required_argument, NULL, 'k'},
		{"whole", no_argument, NULL, 'W'},
		{"no-warm-heap", no_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *def[] = {argv[0],
		       "--no-huge",
		       "-m",
		       "12288",
		       "--no-shconf",
		       "--no-pci",
		       "--no-telemetry",
		       "-l",
		       "0",
		       "--log-level=*:error",
		       NULL};
	struct fullspec_params p;
	struct ixg_spec spec;
	int split, c, rc;

	split = bench_eal_split(argc, argv);
	while ((c = getopt_long(split, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's': opt.seed = strtoull(optarg, NULL, 0); break;
		case 'r':
			opt.rounds = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'S': opt.small = 1; break;
		case 'j': opt.json = 1; break;
		case 'd':
			opt.deltas = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'W': opt.whole = 1; break;
		case 'H': opt.no_warm_heap = 1; break;
		case 'k': opt.edits = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'x':
			opt.scale = strtod(optarg, NULL);
			if (!(opt.scale > 0 && opt.scale <= 1)) {
				fprintf(stderr, "--scale wants (0, 1]\n");
				return 2;
			}
			break;
		default:
			fprintf(stderr,
				"usage: %s [--seed N] [--rounds N] "
				"[--small] [--scale F] [--json] "
				"[--deltas N [--edits K] [--whole]] "
				"[--no-warm-heap] [-- EAL args]\n",
				argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (bench_eal_init(argc, argv, split, def) < 0)
		return 1;
	if (opt.small)
		fullspec_params_small(&p, opt.seed);
	else
		fullspec_params_full(&p, opt.seed);
	/* --scale: fewer routes, same shape (e.g. 0.1 for callgrind runs) */
	p.n_routes4 = (uint32_t)(p.n_routes4 * opt.scale);
	p.n_routes6 = (uint32_t)(p.n_routes6 * opt.scale);
	if ((rc = fullspec_build(&p, &spec)) < 0) {
		fprintf(stderr, "fullspec_build: %s\n", strerror(-rc));
		return 1;
	}
	fprintf(stderr,
		"table: %" PRIu32 " + %" PRIu32 " routes, %" PRIu32
		" + %" PRIu32 " sources, %" PRIu32 " peers, %" PRIu32
		" ACL rules\n",
		spec.n_routes4, spec.n_routes6, spec.n_sources4,
		spec.n_sources6, p.n_peers, spec.n_acl_rules);
	if (opt.deltas > 0) {
		run_deltas(&spec, p.n_peers);
	} else {
		run(&spec, p.n_peers);
		if (opt.json)
			print_json(&spec);
	}
	fullspec_free(&spec);
	rte_eal_cleanup();
	return 0;
}
