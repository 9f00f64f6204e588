/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * acl_class against rte_acl (set up as tables.c did) on bench/fullspec.c's
 * synthetic exchange filter sets: the 10k-rule set of the benchmarks for
 * two seeds, and with --64k the largest set a spec holds (65,535 rules;
 * suite 'capacity': rte_acl needs ~15 s and ~315 MiB to build it). Keys
 * are drawn around the rules' edges (acl_keys_near) and as pipeline_bench's
 * traffic would look to the ACL (a peer's source, a routed destination,
 * TCP/UDP with its port mix, 5% DSCP EF); every answer must be equal.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acl_class.h"
#include "dp_test_util.h"
#include "fullspec.h"
#include "test_acl_class_ref.h"

#define N_KEYS 200000

static uint32_t n_acl = 10000;

/* Keys as pipeline_bench's frames look to the ACL. */
static void
traffic_keys(const struct ixg_spec *s, uint64_t seed, struct acl_class_key4 *k4,
	     struct acl_class_key6 *k6, unsigned n)
{
	static const uint16_t dports[] = {443, 443, 443, 443, 443, 443,
					  443, 443, 80,	 80,  80,  53};
	struct fullspec_rng r;

	fullspec_rng_seed(&r, seed);
	for (unsigned i = 0; i < n; i++) {
		const struct ixg_spec_route4 *sp =
			&s->sources4[fullspec_rng_below(&r, s->n_sources4)];
		const struct ixg_spec_route4 *rt =
			&s->routes4[fullspec_rng_below(&r, s->n_routes4)];
		const struct ixg_spec_route6 *sp6 =
			&s->sources6[fullspec_rng_below(&r, s->n_sources6)];
		const struct ixg_spec_route6 *rt6 =
			&s->routes6[fullspec_rng_below(&r, s->n_routes6)];
		uint16_t dport = fullspec_rng_below(&r, 100) < 60
					 ? dports[fullspec_rng_below(&r, 12)]
					 : (uint16_t)(1 + fullspec_rng_below(
								  &r, 65535));

		memset(&k4[i], 0, sizeof(k4[i]));
		k4[i].src = htonl(fullspec_addr4_in(&r, sp->addr, sp->len));
		k4[i].dst = htonl(fullspec_addr4_in(&r, rt->addr, rt->len));
		k4[i].in_peer = sp->peer_id;
		k4[i].proto = fullspec_rng_below(&r, 100) < 60 ? 6 : 17;
		k4[i].sport = (uint16_t)(1024 + fullspec_rng_below(&r, 64512));
		k4[i].dport = dport;
		k4[i].flags = fullspec_rng_below(&r, 100) < 5 ? 46 : 0;

		memset(&k6[i], 0, sizeof(k6[i]));
		fullspec_addr6_in(&r, sp6->addr, sp6->len, k6[i].src);
		fullspec_addr6_in(&r, rt6->addr, rt6->len, k6[i].dst);
		k6[i].in_peer = sp6->peer_id;
		k6[i].proto = k4[i].proto;
		/* a reflection source port now and then */
		k6[i].sport = fullspec_rng_below(&r, 10) == 0 ? 53
							      : k4[i].sport;
		k6[i].dport = dport;
		k6[i].flags = k4[i].flags;
	}
}

static void
compare(const char *what, const uint32_t *a, const uint32_t *b, unsigned n)
{
	unsigned hits = 0;

	for (unsigned i = 0; i < n; i++) {
		if (a[i] != b[i])
			fail_msg("%s key %u: classifier %u, rte_acl %u", what,
				 i, a[i], b[i]);
		hits += a[i] != 0;
	}
	printf("  %s: %u keys equal, %u hit a rule\n", what, n, hits);
	assert_true(hits > 0);
}

static void
run_seed(uint64_t seed)
{
	struct fullspec_params p;
	struct ixg_spec spec;
	struct acl_class *c = NULL;
	struct acl_class_error err;
	struct acl_class_stats st;
	struct acl_ref ref;
	struct acl_class_key4 *k4 = calloc(N_KEYS, sizeof(*k4));
	struct acl_class_key6 *k6 = calloc(N_KEYS, sizeof(*k6));
	uint32_t *a = calloc(N_KEYS, sizeof(*a));
	uint32_t *b = calloc(N_KEYS, sizeof(*b));
	uint64_t rng = seed * 7919;
	char name[32];

	assert_true(k4 && k6 && a && b);
	fullspec_params_full(&p, seed);
	p.n_acl_rules = n_acl;
	assert_int_equal(fullspec_build(&p, &spec), 0);
	assert_int_equal(spec.n_acl_rules, n_acl);
	if (acl_class_build(spec.acl_rules, spec.n_acl_rules, NULL, &c, &err) !=
	    0)
		fail_msg("acl_class_build: rule %lld: %s", (long long)err.rule,
			 err.msg);
	acl_class_stats(c, &st);
	printf("seed %llu, %u rules: %.2f MiB, groups %u+%u, tuples %u+%u, "
	       "%u+%u shadowed\n",
	       (unsigned long long)seed, n_acl, st.bytes / 1048576.0,
	       st.groups[0], st.groups[1], st.tuples[0], st.tuples[1],
	       st.shadowed[0], st.shadowed[1]);
	snprintf(name, sizeof(name), "full%llu_", (unsigned long long)seed);
	assert_int_equal(
		acl_ref_build(&ref, name, spec.acl_rules, spec.n_acl_rules), 0);

	acl_keys_near4(&rng, spec.acl_rules, spec.n_acl_rules, k4, N_KEYS);
	acl_class_classify4(c, k4, a, N_KEYS);
	acl_ref_classify4(&ref, k4, b, N_KEYS, 0);
	compare("IPv4 near rules", a, b, N_KEYS);
	acl_keys_near6(&rng, spec.acl_rules, spec.n_acl_rules, k6, N_KEYS);
	acl_class_classify6(c, k6, a, N_KEYS);
	acl_ref_classify6(&ref, k6, b, N_KEYS, 0);
	compare("IPv6 near rules", a, b, N_KEYS);

	traffic_keys(&spec, seed, k4, k6, N_KEYS);
	acl_class_classify4(c, k4, a, N_KEYS);
	acl_ref_classify4(&ref, k4, b, N_KEYS, 0);
	compare("IPv4 traffic", a, b, N_KEYS);
	acl_class_classify6(c, k6, a, N_KEYS);
	acl_ref_classify6(&ref, k6, b, N_KEYS, 0);
	compare("IPv6 traffic", a, b, N_KEYS);

	acl_ref_free(&ref);
	acl_class_free(c);
	fullspec_free(&spec);
	free(k4);
	free(k6);
	free(a);
	free(b);
}

static void
test_fullspec_seed1(void **state)
{
	(void)state;
	run_seed(1);
}

static void
test_fullspec_seed2(void **state)
{
	(void)state;
	run_seed(2);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests10k[] = {
		cmocka_unit_test(test_fullspec_seed1),
		cmocka_unit_test(test_fullspec_seed2),
	};
	const struct CMUnitTest tests64k[] = {
		cmocka_unit_test(test_fullspec_seed1),
	};

	if (argc > 1 && strcmp(argv[1], "--64k") == 0) {
		n_acl = IXG_MAX_ACL_RULES - 1;
		dp_test_eal_init("test_acl_class_64k", 1024);
		return cmocka_run_group_tests(tests64k, NULL, NULL);
	}
	dp_test_eal_init("test_acl_class_full", 512);
	return cmocka_run_group_tests(tests10k, NULL, NULL);
}
