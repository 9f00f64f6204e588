/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_bench.c - the dataplane's own ACL classifier (dataplane/acl_class.h)
 * against rte_acl set up as tables.c did (tests/unit/dataplane/
 * test_acl_class_ref.c, default classify algorithm unless --acl-alg): build
 * time, memory, and classification cost per packet on bench/fullspec.c's
 * synthetic filter set (10k rules; --rules picks other sizes, e.g. 65535,
 * the most a spec holds) with traffic shaped like pipeline_bench's and a
 * few harder shapes.
 *
 *   acl_bench [--rules N[,N...]] [--keys N] [--rounds N] [--seed N]
 *             [--shapes L] [--acl-alg A] [--builds N] [--callgrind]
 *             [--small] [-- EAL args]
 *
 * Traffic shapes (keys per shape: --keys, default 262,144; 70% IPv4):
 *   mix        pipeline_bench's frames: ingress peer weighted by its allowed
 *              prefixes, source inside one of them, destination inside a
 *              routed prefix, 60% TCP / 40% UDP, destination port 443 40%,
 *              80 15%, 53 5%, else uniform 1..65535, source port
 *              1024..65535, 5% DSCP EF (pipeline_bench also skips
 *              destinations routed back to the ingress peer: the ACL does
 *              not care);
 *   refl_miss  UDP from a reflection source port (19, 53, 123, 161, 389,
 *              1900, 11211, 17, 3702, 5353: DNS/NTP answers) to any routed
 *              destination: the anti-reflection groups are probed, most
 *              miss;
 *   refl_hit   the attack the deny rules are for: a deny rule's peer,
 *              source port and victim prefix;
 *   rtp        UDP to destination ports 16384..32767 (a class range);
 *   near       keys around the rules' edges (acl_keys_near: boundary
 *              ports and prefixes, other protocols, later fragments);
 *   worst      every group a packet can reach at once without an early
 *              match: UDP, a reflection source port, a destination port in
 *              a class range, DSCP 0, from a peer that has a DSCP-bleach
 *              rule (matched last), to a random destination;
 *   overlap    UDP to port 1500 (the --adversarial set's common port).
 * Before timing, every key of every shape is classified by both and the
 * answers must be equal (exit 1 otherwise).
 *
 * Cycles: rte_rdtsc() around a pass over all keys of a shape, in bursts of
 * 32 mixed-family packets split per family as stage_acl does (one call per
 * family per burst; rte_acl on prebuilt rte_acl keys, the classifier on its
 * keys), divided by the keys; each pass after an untimed warm-up pass;
 * shapes and implementations interleaved round by round (--rounds, 5),
 * medians. --callgrind: one pass per (rules, shape, implementation),
 * collected alone (CALLGRIND_TOGGLE_COLLECT) and dumped, run as
 *   valgrind --tool=callgrind --fair-sched=yes --collect-atstart=no \
 *       build/bench/acl_bench --callgrind
 * and each dump's instructions / its keys (printed).
 *
 * Builds: acl_class_build median of --builds (5) builds, wall and thread
 * CPU time; rte_acl one build (rte_acl_add_rules + rte_acl_build of both
 * families, as tables.c). Memory: the classifier's block (its stats);
 * rte_acl the rte_malloc heap growth across its build.
 *
 * --adversarial adds a set built to be this classifier's worst case (see
 * adversarial_rules) and the traffic shape "overlap" (UDP to port 1500)
 * that reaches all of it.
 *
 * --small: 2,000 rules and 8,192 keys, 1 round (meson test acl_bench_small
 * checks the comparison). Without EAL args after "--": --no-huge -m 2048
 * --no-shconf --no-pci --no-telemetry -l 0. Prints a table on stderr and
 * one JSON line on stdout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_acl.h>
#include <rte_cycles.h>
#include <rte_malloc.h>

#ifdef IXG_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

#include "acl_class.h"
#include "benchutil.h"
#include "fullspec.h"
#include "test_acl_class_ref.h"

#define BURST 32
#define MAX_SETS 4
#define MAX_ROUNDS 32

enum shape { MIX, REFL_MISS, REFL_HIT, RTP, NEAR, WORST, OVERLAP, N_SHAPES };
static const char *const shape_name[N_SHAPES] = {
	"mix", "refl_miss", "refl_hit", "rtp", "near", "worst", "overlap"};

enum impl { OWN, RTE, N_IMPL };
static const char *const impl_name[N_IMPL] = {"own", "rte_acl"};

static struct {
	uint32_t rules[MAX_SETS];
	unsigned n_sets;
	unsigned keys;
	unsigned rounds;
	unsigned builds;
	uint64_t seed;
	int alg;
	int callgrind;
	int small;
	int adversarial;
	int shape_on[N_SHAPES];
} opt = {
	.rules = {10000},
	.n_sets = 1,
	.keys = 262144,
	.rounds = 5,
	.builds = 5,
	.seed = 1,
};

static const uint16_t refl_ports[] = {19,   53,	   123, 161,  389,
				      1900, 11211, 17,	3702, 5353};
static const struct {
	uint16_t lo, hi;
} class_udp[] = {{5060, 5061}, {3478, 3497}, {16384, 32767}, {443, 443},
		 {8000, 8999}, {6881, 6999}, {27000, 27050}};

/* One shape's keys, as bursts of 32 split by family. */
struct traffic {
	unsigned n; /* keys */
	unsigned n_bursts;
	struct acl_class_key4 *k4; /* all IPv4 keys, burst after burst */
	struct acl_class_key6 *k6;
	void *rk4, *rk6; /* rte_acl keys, same order */
	const uint8_t **d4, **d6; /* rte_acl data pointers */
	unsigned *b4,
		*b6; /* first key of burst b: b4[b], count b4[b+1]-b4[b] */
};

struct ctx {
	const struct ixg_spec *s;
	struct fullspec_rng rng;
	uint16_t *bleach_peers; /* peers with a REMARK rule */
	uint32_t n_bleach;
};

/* ---- traffic */

static uint16_t
pick_dport(struct fullspec_rng *r)
{
	uint32_t u = fullspec_rng_below(r, 100);

	if (u < 40)
		return 443;
	if (u < 55)
		return 80;
	if (u < 60)
		return 53;
	return (uint16_t)(1 + fullspec_rng_below(r, 65535));
}

/* Source (and its peer) as pipeline_bench draws them, and a routed
 * destination. */
static void
draw_addrs(struct ctx *c, int fam, uint8_t src[16], uint8_t dst[16],
	   uint16_t *peer)
{
	const struct ixg_spec *s = c->s;

	if (fam == 4) {
		const struct ixg_spec_route4 *sp =
			&s->sources4[fullspec_rng_below(&c->rng,
							s->n_sources4)];
		const struct ixg_spec_route4 *rt =
			&s->routes4[fullspec_rng_below(&c->rng, s->n_routes4)];
		uint32_t a = htonl(
			fullspec_addr4_in(&c->rng, sp->addr, sp->len));

		memcpy(src, &a, 4);
		a = htonl(fullspec_addr4_in(&c->rng, rt->addr, rt->len));
		memcpy(dst, &a, 4);
		*peer = sp->peer_id;
	} else {
		const struct ixg_spec_route6 *sp =
			&s->sources6[fullspec_rng_below(&c->rng,
							s->n_sources6)];
		const struct ixg_spec_route6 *rt =
			&s->routes6[fullspec_rng_below(&c->rng, s->n_routes6)];

		fullspec_addr6_in(&c->rng, sp->addr, sp->len, src);
		fullspec_addr6_in(&c->rng, rt->addr, rt->len, dst);
		*peer = sp->peer_id;
	}
}

/* A deny rule of family fam (anti-reflection), or NULL. */
static const struct ixg_spec_acl_rule *
pick_deny(struct ctx *c, int fam)
{
	const struct ixg_spec *s = c->s;

	for (unsigned tries = 0; tries < 1000; tries++) {
		const struct ixg_spec_acl_rule *r =
			&s->acl_rules[fullspec_rng_below(&c->rng,
							 s->n_acl_rules)];

		if (r->family == fam && r->action == IXG_ACL_DENY &&
		    r->in_peer != 0 && r->sport_lo == r->sport_hi)
			return r;
	}
	return NULL;
}

struct pkt {
	uint8_t src[16], dst[16];
	uint16_t sport, dport, peer;
	uint8_t proto, flags;
};

static void
draw(struct ctx *c, enum shape sh, int fam, struct pkt *p)
{
	const struct ixg_spec_acl_rule *r;

	memset(p, 0, sizeof(*p));
	draw_addrs(c, fam, p->src, p->dst, &p->peer);
	p->sport = (uint16_t)(1024 + fullspec_rng_below(&c->rng, 64512));
	switch (sh) {
	case MIX:
		p->proto = fullspec_rng_below(&c->rng, 100) < 60 ? 6 : 17;
		p->dport = pick_dport(&c->rng);
		p->flags = fullspec_rng_below(&c->rng, 100) < 5 ? 46 : 0;
		break;
	case REFL_MISS:
		p->proto = 17;
		p->sport = refl_ports[fullspec_rng_below(
			&c->rng, sizeof(refl_ports) / sizeof(refl_ports[0]))];
		p->dport = (uint16_t)(1024 +
				      fullspec_rng_below(&c->rng, 64512));
		break;
	case REFL_HIT:
		p->proto = 17;
		p->dport = (uint16_t)(1024 +
				      fullspec_rng_below(&c->rng, 64512));
		r = pick_deny(c, fam);
		if (r == NULL)
			break;
		p->sport = r->sport_lo;
		p->peer = r->in_peer;
		if (fam == 4) {
			uint32_t a;

			memcpy(&a, r->dst, 4);
			a = htonl(fullspec_addr4_in(&c->rng, ntohl(a),
						    r->dst_len));
			memcpy(p->dst, &a, 4);
		} else {
			fullspec_addr6_in(&c->rng, r->dst, r->dst_len, p->dst);
		}
		break;
	case RTP:
		p->proto = 17;
		p->dport = (uint16_t)(16384 +
				      fullspec_rng_below(&c->rng, 16384));
		break;
	case OVERLAP:
		p->proto = 17;
		p->dport = 1500;
		break;
	case WORST: {
		unsigned k = fullspec_rng_below(
			&c->rng, sizeof(class_udp) / sizeof(class_udp[0]));

		p->proto = 17;
		p->sport = refl_ports[fullspec_rng_below(
			&c->rng, sizeof(refl_ports) / sizeof(refl_ports[0]))];
		p->dport = (uint16_t)(class_udp[k].lo +
				      fullspec_rng_below(
					      &c->rng, class_udp[k].hi -
							       class_udp[k].lo +
							       1u));
		if (c->n_bleach > 0)
			p->peer = c->bleach_peers[fullspec_rng_below(
				&c->rng, c->n_bleach)];
		break;
	}
	default: break;
	}
}

static int
traffic_make(struct ctx *c, enum shape sh, unsigned n, struct traffic *t)
{
	unsigned n4 = 0, n6 = 0;
	uint64_t near_rng = c->rng.s ^ 0x6e656172;

	memset(t, 0, sizeof(*t));
	t->n = n;
	t->n_bursts = (n + BURST - 1) / BURST;
	t->k4 = calloc(n, sizeof(*t->k4));
	t->k6 = calloc(n, sizeof(*t->k6));
	t->rk4 = calloc(n, ACL_REF_KEY4_SIZE);
	t->rk6 = calloc(n, ACL_REF_KEY6_SIZE);
	t->d4 = calloc(n, sizeof(*t->d4));
	t->d6 = calloc(n, sizeof(*t->d6));
	t->b4 = calloc(t->n_bursts + 1, sizeof(*t->b4));
	t->b6 = calloc(t->n_bursts + 1, sizeof(*t->b6));
	if (!t->k4 || !t->k6 || !t->rk4 || !t->rk6 || !t->d4 || !t->d6 ||
	    !t->b4 || !t->b6)
		return -ENOMEM;
	for (unsigned b = 0; b < t->n_bursts; b++) {
		t->b4[b] = n4;
		t->b6[b] = n6;
		for (unsigned j = 0; j < BURST && b * BURST + j < n; j++) {
			int fam = fullspec_rng_below(&c->rng, 100) < 70 ? 4 : 6;
			struct pkt p;

			if (sh == NEAR) {
				if (fam == 4)
					acl_keys_near4(&near_rng,
						       c->s->acl_rules,
						       c->s->n_acl_rules,
						       &t->k4[n4++], 1);
				else
					acl_keys_near6(&near_rng,
						       c->s->acl_rules,
						       c->s->n_acl_rules,
						       &t->k6[n6++], 1);
				continue;
			}
			draw(c, sh, fam, &p);
			if (fam == 4) {
				struct acl_class_key4 *k = &t->k4[n4++];

				memcpy(&k->src, p.src, 4);
				memcpy(&k->dst, p.dst, 4);
				k->sport = p.sport;
				k->dport = p.dport;
				k->in_peer = p.peer;
				k->proto = p.proto;
				k->flags = p.flags;
			} else {
				struct acl_class_key6 *k = &t->k6[n6++];

				memcpy(k->src, p.src, 16);
				memcpy(k->dst, p.dst, 16);
				k->sport = p.sport;
				k->dport = p.dport;
				k->in_peer = p.peer;
				k->proto = p.proto;
				k->flags = p.flags;
			}
		}
	}
	t->b4[t->n_bursts] = n4;
	t->b6[t->n_bursts] = n6;
	acl_ref_keys4(t->k4, t->rk4, n4);
	acl_ref_keys6(t->k6, t->rk6, n6);
	for (unsigned i = 0; i < n4; i++)
		t->d4[i] = (const uint8_t *)t->rk4 +
			   ACL_REF_KEY4_SIZE * (size_t)i;
	for (unsigned i = 0; i < n6; i++)
		t->d6[i] = (const uint8_t *)t->rk6 +
			   ACL_REF_KEY6_SIZE * (size_t)i;
	return 0;
}

static void
traffic_free(struct traffic *t)
{
	free(t->k4);
	free(t->k6);
	free(t->rk4);
	free(t->rk6);
	free(t->d4);
	free(t->d6);
	free(t->b4);
	free(t->b6);
	memset(t, 0, sizeof(*t));
}

/* ---- passes */

static uint32_t sink[2 * BURST];

static void
pass(enum impl im, const struct acl_class *own, const struct acl_ref *ref,
     const struct traffic *t)
{
	for (unsigned b = 0; b < t->n_bursts; b++) {
		unsigned a4 = t->b4[b], n4 = t->b4[b + 1] - a4;
		unsigned a6 = t->b6[b], n6 = t->b6[b + 1] - a6;

		if (im == OWN) {
			if (n4 > 0)
				acl_class_classify4(own, &t->k4[a4], sink, n4);
			if (n6 > 0)
				acl_class_classify6(own, &t->k6[a6],
						    sink + BURST, n6);
		} else if (opt.alg == 0) {
			if (n4 > 0 && ref->acl4 != NULL)
				rte_acl_classify(ref->acl4, &t->d4[a4], sink,
						 n4, 1);
			if (n6 > 0 && ref->acl6 != NULL)
				rte_acl_classify(ref->acl6, &t->d6[a6],
						 sink + BURST, n6, 1);
		} else {
			if (n4 > 0 && ref->acl4 != NULL)
				rte_acl_classify_alg(
					ref->acl4, &t->d4[a4], sink, n4, 1,
					(enum rte_acl_classify_alg)opt.alg);
			if (n6 > 0 && ref->acl6 != NULL)
				rte_acl_classify_alg(
					ref->acl6, &t->d6[a6], sink + BURST, n6,
					1, (enum rte_acl_classify_alg)opt.alg);
		}
	}
}

/* Both implementations on every key: equal answers, and the hit rate. */
static int
check(const struct acl_class *own, const struct acl_ref *ref,
      const struct traffic *t, double *hit)
{
	uint32_t *a = calloc(t->n + 1, sizeof(*a));
	uint32_t *b = calloc(t->n + 1, sizeof(*b));
	unsigned n4 = t->b4[t->n_bursts], n6 = t->b6[t->n_bursts], hits = 0;
	int rc = 0;

	if (a == NULL || b == NULL)
		abort();
	acl_class_classify4(own, t->k4, a, n4);
	acl_ref_classify4(ref, t->k4, b, n4, opt.alg);
	acl_class_classify6(own, t->k6, a + n4, n6);
	acl_ref_classify6(ref, t->k6, b + n4, n6, opt.alg);
	for (unsigned i = 0; i < n4 + n6; i++) {
		hits += a[i] != 0;
		if (a[i] != b[i] && rc++ < 5)
			fprintf(stderr,
				"MISMATCH: IPv%d key %u: own %u, rte_acl %u\n",
				i < n4 ? 4 : 6, i < n4 ? i : i - n4, a[i],
				b[i]);
	}
	*hit = (double)hits / (n4 + n6);
	free(a);
	free(b);
	return rc;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The adversarial set (--adversarial, reported as 0 rules): per family 64
 * signatures, UDP destination port ranges 1000-g .. 2000+g that all hold
 * port 1500, each with 8 tuples (destination prefixes of 8 different
 * lengths towards routed space): a UDP packet to port 1500 reaches all 64
 * groups and probes 512 tuples, the most one packet can cost without the
 * groups being merged. Replaces the spec's rules (routes and sources stay
 * for the traffic).
 */
static int
adversarial_rules(struct ixg_spec *s)
{
	uint32_t n = 2 * 64 * 8, k = 0;
	struct ixg_spec_acl_rule *r = calloc(n, sizeof(*r));
	struct fullspec_rng rng;

	if (r == NULL)
		return -ENOMEM;
	fullspec_rng_seed(&rng, opt.seed ^ 0xad5);
	for (int fam = 4; fam <= 6; fam += 2)
		for (uint32_t g = 0; g < 64; g++)
			for (uint32_t t = 0; t < 8; t++, k++) {
				struct ixg_spec_acl_rule *x = &r[k];

				x->id = k + 1;
				x->priority = k;
				x->family = (uint8_t)fam;
				x->action = IXG_ACL_DENY;
				x->dscp_any = 1;
				x->proto = 17;
				x->proto_mask = 0xff;
				x->sport_hi = 65535;
				x->dport_lo = (uint16_t)(1000 - g);
				x->dport_hi = (uint16_t)(2000 + g);
				if (fam == 4) {
					const struct ixg_spec_route4 *rt =
						&s->routes4[fullspec_rng_below(
							&rng, s->n_routes4)];
					uint32_t a = htonl(rt->addr);

					memcpy(x->dst, &a, 4);
					x->dst_len = (uint8_t)(17 + t);
				} else {
					const struct ixg_spec_route6 *rt =
						&s->routes6[fullspec_rng_below(
							&rng, s->n_routes6)];

					memcpy(x->dst, rt->addr, 16);
					x->dst_len = (uint8_t)(41 + t);
				}
			}
	free(s->acl_rules);
	s->acl_rules = r;
	s->n_acl_rules = n;
	return 0;
}

/* ---- builds */

static void *
rte_alloc(size_t size, void *arg)
{
	(void)arg;
	return rte_malloc("acl_class", size, 64);
}

static void
rte_free_(void *p, void *arg)
{
	(void)arg;
	rte_free(p);
}

struct set_result {
	int adversarial;
	uint32_t rules, rules4, rules6;
	double own_build_ms, own_build_cpu_ms, rte_build_ms;
	size_t own_bytes, rte_bytes;
	struct acl_class_stats st;
	double hit[N_SHAPES];
	double cycles[N_SHAPES][N_IMPL];
	int mismatches;
};

static int
run_set(uint32_t n_rules, struct set_result *res)
{
	struct fullspec_params fp;
	struct ixg_spec spec;
	struct acl_class_mem mem = {rte_alloc, rte_free_, NULL};
	struct acl_class *own = NULL;
	struct acl_class_error err;
	struct acl_ref ref;
	struct traffic tr[N_SHAPES];
	struct ctx c;
	double ms[MAX_ROUNDS], cpu[MAX_ROUNDS];
	double cyc[N_SHAPES][N_IMPL][MAX_ROUNDS];
	size_t h0;
	char name[32];
	int rc;

	memset(res, 0, sizeof(*res));
	memset(tr, 0, sizeof(tr));
	fullspec_params_full(&fp, opt.seed);
	fp.n_acl_rules = n_rules ? n_rules : 10000;
	fprintf(stderr,
		"acl_bench: spec with %u rules (fullspec seed %" PRIu64
		")...\n",
		n_rules, opt.seed);
	if ((rc = fullspec_build(&fp, &spec)) < 0) {
		fprintf(stderr, "fullspec_build: %s\n", strerror(-rc));
		return -1;
	}
	if (n_rules == 0 && (rc = adversarial_rules(&spec)) < 0) {
		fprintf(stderr, "adversarial rules: %s\n", strerror(-rc));
		return -1;
	}
	res->adversarial = n_rules == 0;
	res->rules = spec.n_acl_rules;
	for (uint32_t i = 0; i < spec.n_acl_rules; i++)
		if (spec.acl_rules[i].family == 4)
			res->rules4++;
		else
			res->rules6++;

	/* Builds. */
	for (unsigned i = 0; i < opt.builds; i++) {
		double t0 = bench_now_ms(), c0 = bench_cpu_ms();

		rc = acl_class_build(spec.acl_rules, spec.n_acl_rules, &mem,
				     &own, &err);
		ms[i] = bench_now_ms() - t0;
		cpu[i] = bench_cpu_ms() - c0;
		if (rc < 0) {
			fprintf(stderr, "acl_class_build: rule %lld: %s\n",
				(long long)err.rule, err.msg);
			return -1;
		}
		if (i + 1 < opt.builds)
			acl_class_free(own);
	}
	res->own_build_ms = median(ms, opt.builds);
	res->own_build_cpu_ms = median(cpu, opt.builds);
	acl_class_stats(own, &res->st);
	res->own_bytes = res->st.bytes;
	fprintf(stderr, "acl_bench: own build %.1f ms; rte_acl build...\n",
		res->own_build_ms);
	h0 = bench_heap_bytes();
	snprintf(name, sizeof(name), "ab%u_", n_rules);
	if (acl_ref_build(&ref, name, spec.acl_rules, spec.n_acl_rules) < 0) {
		fprintf(stderr, "rte_acl build failed\n");
		return -1;
	}
	res->rte_bytes = bench_heap_bytes() - h0;
	res->rte_build_ms = ref.build_s * 1e3;

	/* Traffic. */
	memset(&c, 0, sizeof(c));
	c.s = &spec;
	fullspec_rng_seed(&c.rng, opt.seed ^ 0xac1b);
	c.bleach_peers = calloc(spec.n_acl_rules + 1, sizeof(uint16_t));
	if (c.bleach_peers == NULL)
		return -1;
	for (uint32_t i = 0; i < spec.n_acl_rules; i++)
		if (spec.acl_rules[i].action == IXG_ACL_REMARK &&
		    spec.acl_rules[i].in_peer != 0)
			c.bleach_peers[c.n_bleach++] =
				spec.acl_rules[i].in_peer;
	for (int sh = 0; sh < N_SHAPES; sh++) {
		if (!opt.shape_on[sh])
			continue;
		if (traffic_make(&c, (enum shape)sh, opt.keys, &tr[sh]) < 0)
			return -1;
		res->mismatches += check(own, &ref, &tr[sh], &res->hit[sh]);
	}
	if (res->mismatches > 0) {
		fprintf(stderr, "acl_bench: %d keys classified differently\n",
			res->mismatches);
		return -1;
	}

	/* Timing, interleaved. */
	for (unsigned r = 0; r < opt.rounds; r++)
		for (int sh = 0; sh < N_SHAPES; sh++) {
			if (!opt.shape_on[sh])
				continue;
			for (int im = 0; im < N_IMPL; im++) {
				uint64_t t0;
				char dump[64];

				if (opt.callgrind) {
					snprintf(dump, sizeof(dump), "%s_%s_%u",
						 impl_name[im], shape_name[sh],
						 n_rules);
					CALLGRIND_ZERO_STATS;
					CALLGRIND_TOGGLE_COLLECT;
					pass((enum impl)im, own, &ref, &tr[sh]);
					CALLGRIND_TOGGLE_COLLECT;
					CALLGRIND_DUMP_STATS_AT(dump);
					fprintf(stderr,
						"callgrind dump %s: %u keys\n",
						dump, tr[sh].n);
					cyc[sh][im][r] = 0;
					continue;
				}
				pass((enum impl)im, own, &ref, &tr[sh]);
				t0 = rte_rdtsc_precise();
				pass((enum impl)im, own, &ref, &tr[sh]);
				cyc[sh][im][r] = (double)(rte_rdtsc_precise() -
							  t0) /
						 tr[sh].n;
			}
		}
	for (int sh = 0; sh < N_SHAPES; sh++)
		for (int im = 0; im < N_IMPL; im++)
			if (opt.shape_on[sh])
				res->cycles[sh][im] = median(cyc[sh][im],
							     opt.rounds);

	for (int sh = 0; sh < N_SHAPES; sh++)
		traffic_free(&tr[sh]);
	free(c.bleach_peers);
	acl_ref_free(&ref);
	acl_class_free(own);
	fullspec_free(&spec);
	return 0;
}

/* ---- report */

static double
loadavg(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f != NULL) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

static void
report(const struct set_result *r, unsigned n, double load0, double load1)
{
	fprintf(stderr,
		"\nACL classification, cycles per packet (median of %u "
		"rounds; load average %.1f -> %.1f)\n",
		opt.rounds, load0, load1);
	for (unsigned i = 0; i < n; i++) {
		const struct set_result *x = &r[i];

		fprintf(stderr,
			"\n%u rules%s (%u IPv4, %u IPv6): build own %.1f ms "
			"(cpu %.1f), rte_acl %.0f ms; memory own %.2f MiB, "
			"rte_acl %.2f MiB\n",
			x->rules, x->adversarial ? " (adversarial set)" : "",
			x->rules4, x->rules6, x->own_build_ms,
			x->own_build_cpu_ms, x->rte_build_ms,
			x->own_bytes / 1048576.0, x->rte_bytes / 1048576.0);
		fprintf(stderr,
			"  own: groups %u+%u (signatures %u+%u%s), tuples "
			"%u+%u, port blocks %u+%u, longest bucket %u+%u, "
			"shadowed %u+%u, at most %u+%u probes and %u+%u rule "
			"checks per packet\n",
			x->st.groups[0], x->st.groups[1], x->st.signatures[0],
			x->st.signatures[1],
			x->st.merged[0] || x->st.merged[1] ? ", merged" : "",
			x->st.tuples[0], x->st.tuples[1], x->st.port_blocks[0],
			x->st.port_blocks[1], x->st.max_bucket[0],
			x->st.max_bucket[1], x->st.shadowed[0],
			x->st.shadowed[1], x->st.max_probes[0],
			x->st.max_probes[1], x->st.worst_checks[0],
			x->st.worst_checks[1]);
		fprintf(stderr, "  %-10s %6s %9s %9s %7s\n", "shape", "hit%",
			"own", "rte_acl", "ratio");
		for (int sh = 0; sh < N_SHAPES; sh++)
			if (opt.shape_on[sh])
				fprintf(stderr,
					"  %-10s %6.1f %9.1f %9.1f %7.2f\n",
					shape_name[sh], 100 * x->hit[sh],
					x->cycles[sh][OWN], x->cycles[sh][RTE],
					x->cycles[sh][RTE] > 0
						? x->cycles[sh][OWN] /
							  x->cycles[sh][RTE]
						: 0);
	}
	printf("{\"bench\":\"acl\",\"rounds\":%u,\"keys\":%u,\"alg\":%d,"
	       "\"load\":[%.2f,%.2f],\"sets\":[",
	       opt.rounds, opt.keys, opt.alg, load0, load1);
	for (unsigned i = 0; i < n; i++) {
		const struct set_result *x = &r[i];

		printf("%s{\"set\":\"%s\",\"rules\":%u,\"rules4\":%u,"
		       "\"rules6\":%u,"
		       "\"own_build_ms\":%.2f,\"own_build_cpu_ms\":%.2f,"
		       "\"rte_build_ms\":%.1f,\"own_bytes\":%zu,"
		       "\"rte_bytes\":%zu,\"groups\":[%u,%u],\"tuples\":[%u,%u]"
		       ","
		       "\"max_bucket\":[%u,%u],\"max_probes\":[%u,%u],"
		       "\"worst_checks\":[%u,%u],\"shadowed\":[%u,%u],"
		       "\"shapes\":{",
		       i ? "," : "",
		       x->adversarial ? "adversarial" : "fullspec", x->rules,
		       x->rules4, x->rules6, x->own_build_ms,
		       x->own_build_cpu_ms, x->rte_build_ms, x->own_bytes,
		       x->rte_bytes, x->st.groups[0], x->st.groups[1],
		       x->st.tuples[0], x->st.tuples[1], x->st.max_bucket[0],
		       x->st.max_bucket[1], x->st.max_probes[0],
		       x->st.max_probes[1], x->st.worst_checks[0],
		       x->st.worst_checks[1], x->st.shadowed[0],
		       x->st.shadowed[1]);
		for (int sh = 0, first = 1; sh < N_SHAPES; sh++) {
			if (!opt.shape_on[sh])
				continue;
			printf("%s\"%s\":{\"hit\":%.4f,\"own\":%.2f,"
			       "\"rte_acl\":%.2f}",
			       first ? "" : ",", shape_name[sh], x->hit[sh],
			       x->cycles[sh][OWN], x->cycles[sh][RTE]);
			first = 0;
		}
		printf("}}");
	}
	printf("]}\n");
}

static int
parse_list(const char *s, uint32_t *out, unsigned max, unsigned *n)
{
	char *end;

	*n = 0;
	while (*s != '\0' && *n < max) {
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || v == 0 || v >= IXG_MAX_ACL_RULES)
			return -1;
		out[(*n)++] = (uint32_t)v;
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0')
			return -1;
	}
	return *n > 0 ? 0 : -1;
}

static int
parse_shapes(const char *s)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", s);
	memset(opt.shape_on, 0, sizeof(opt.shape_on));
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		int sh;

		for (sh = 0; sh < N_SHAPES; sh++)
			if (strcmp(tok, shape_name[sh]) == 0)
				break;
		if (sh == N_SHAPES) {
			fprintf(stderr, "unknown shape '%s'\n", tok);
			return -1;
		}
		opt.shape_on[sh] = 1;
	}
	return 0;
}

static int
parse_alg(const char *s)
{
	static const char *const names[] = {
		[RTE_ACL_CLASSIFY_DEFAULT] = "default",
		[RTE_ACL_CLASSIFY_SCALAR] = "scalar",
		[RTE_ACL_CLASSIFY_SSE] = "sse",
		[RTE_ACL_CLASSIFY_AVX2] = "avx2",
		[RTE_ACL_CLASSIFY_AVX512X16] = "avx512x16",
		[RTE_ACL_CLASSIFY_AVX512X32] = "avx512x32",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] != NULL && strcmp(s, names[i]) == 0)
			return (int)i;
	fprintf(stderr, "unknown --acl-alg '%s'\n", s);
	return -1;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: acl_bench [--rules N[,N...]] [--keys N] [--rounds N] "
		"[--seed N]\n"
		"                 [--shapes mix,refl_miss,refl_hit,rtp,near,"
		"worst,overlap] [--acl-alg A]\n"
		"                 [--builds N] [--callgrind] [--small] "
		"[--adversarial] [-- EAL args]\n");
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"rules", required_argument, NULL, 'r'},
		{"keys", required_argument, NULL, 'k'},
		{"rounds", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"shapes", required_argument, NULL, 'S'},
		{"acl-alg", required_argument, NULL, 'a'},
		{"builds", required_argument, NULL, 'b'},
		{"callgrind", no_argument, NULL, 'c'},
		{"small", no_argument, NULL, 'm'},
		{"adversarial", no_argument, NULL, 'A'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char *def[] = {argv[0],
		       "--no-huge",
		       "-m",
		       "2048",
		       "--no-shconf",
		       "--no-pci",
		       "--no-telemetry",
		       "--log-level=*:error",
		       "-l",
		       "0",
		       NULL};
	struct set_result res[MAX_SETS];
	int split = bench_eal_split(argc, argv), o;
	double load0;

	for (int sh = 0; sh < N_SHAPES; sh++)
		opt.shape_on[sh] = 1;
	while ((o = getopt_long(split, argv, "", lo, NULL)) != -1) {
		switch (o) {
		case 'r':
			if (parse_list(optarg, opt.rules, MAX_SETS,
				       &opt.n_sets) < 0) {
				fprintf(stderr, "bad --rules '%s'\n", optarg);
				return 2;
			}
			break;
		case 'k': opt.keys = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'n':
			opt.rounds = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 's': opt.seed = strtoull(optarg, NULL, 10); break;
		case 'S':
			if (parse_shapes(optarg) < 0)
				return 2;
			break;
		case 'a':
			if ((opt.alg = parse_alg(optarg)) < 0)
				return 2;
			break;
		case 'b':
			opt.builds = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'c': opt.callgrind = 1; break;
		case 'm': opt.small = 1; break;
		case 'A': opt.adversarial = 1; break;
		default: usage(); return o == 'h' ? 0 : 2;
		}
	}
	if (opt.small) {
		opt.rules[0] = 2000;
		opt.n_sets = 1;
		opt.keys = 8192;
		opt.rounds = 1;
		opt.builds = 1;
	}
	if (opt.callgrind) {
		opt.rounds = 1;
		opt.builds = 1;
		if (opt.keys == 262144)
			opt.keys = 65536;
	}
	if (opt.rounds < 1 || opt.rounds > MAX_ROUNDS || opt.builds < 1 ||
	    opt.builds > MAX_ROUNDS || opt.keys < BURST) {
		fprintf(stderr, "--rounds/--builds 1..%d, --keys >= %d\n",
			MAX_ROUNDS, BURST);
		return 2;
	}
	if (bench_eal_init(argc, argv, split, def) < 0)
		return 1;
	load0 = loadavg();
	if (opt.adversarial && opt.n_sets < MAX_SETS)
		opt.rules[opt.n_sets++] = 0;
	for (unsigned i = 0; i < opt.n_sets; i++)
		if (run_set(opt.rules[i], &res[i]) < 0)
			return 1;
	report(res, opt.n_sets, load0, loadavg());
	return 0;
}
