/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capacity (suite "slow"): full-size tables built from random prefixes with
 * a realistic length mix, timed, checked and measured.
 *   - 1.2M IPv4 + 300k IPv6 routes (also as source prefixes), 1,000 peers;
 *   - ACL builds of 10k and 64k rules.
 * Prints the numbers (routes/s, seconds, MiB of DPDK heap) on stdout.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <rte_malloc.h>

#include "acl_class.h"
#include "dp_test_util.h"

#define N4 1200000u
#define N6 300000u
#define N_PEERS 1000u

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Share of a real v4 table by length (percent x 10), roughly. */
static uint8_t
len4(void)
{
	uint32_t r = rnd() % 1000;

	if (r < 590)
		return 24;
	if (r < 690)
		return 23;
	if (r < 790)
		return 22;
	if (r < 850)
		return 21;
	if (r < 900)
		return 20;
	if (r < 960)
		return 16 + (uint8_t)(rnd() % 4);
	if (r < 985)
		return 8 + (uint8_t)(rnd() % 8);
	return 25 + (uint8_t)(rnd() % 8); /* longer than /24: tbl8s */
}

static uint8_t
len6(void)
{
	uint32_t r = rnd() % 1000;

	if (r < 480)
		return 48;
	if (r < 630)
		return 32;
	if (r < 730)
		return 44;
	if (r < 810)
		return 40;
	if (r < 860)
		return 36;
	if (r < 900)
		return 29;
	if (r < 970)
		return 33 + (uint8_t)(rnd() % 15);
	return 49 + (uint8_t)(rnd() % 16);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
heap_mib(void)
{
	struct rte_malloc_socket_stats st;
	double sum = 0;

	for (int sock = 0; sock < RTE_MAX_NUMA_NODES; sock++)
		if (rte_malloc_get_socket_stats(sock, &st) == 0)
			sum += (double)st.heap_allocsz_bytes;
	return sum / (1024.0 * 1024.0);
}

static struct ixg_spec *
full_spec(int with_sources)
{
	struct ixg_spec *s = dp_spec_new();

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	s->peers = calloc(N_PEERS, sizeof(*s->peers));
	for (uint32_t p = 0; p < N_PEERS; p++) {
		struct ixg_spec_peer *sp = &s->peers[p];

		sp->id = (uint16_t)(p + 1);
		sp->vlan = (uint16_t)(100 + p);
		sp->n_macs = 1;
		sp->macs[0][0] = 2;
		sp->macs[0][4] = (uint8_t)(p >> 8);
		sp->macs[0][5] = (uint8_t)p;
		snprintf(sp->name, sizeof(sp->name), "p%u", p + 1);
	}
	s->n_peers = N_PEERS;
	s->routes4 = calloc(N4, sizeof(*s->routes4));
	for (uint32_t i = 0; i < N4; i++) {
		struct ixg_spec_route4 *r = &s->routes4[i];

		r->len = len4();
		/* unicast space 1.0.0.0 - 223.255.255.255 */
		r->addr = ((1 + rnd() % 223) << 24 | (rnd() & 0xffffff)) &
			  (~0u << (32 - r->len));
		r->peer_id = (uint16_t)(1 + rnd() % N_PEERS);
		r->origin = i;
	}
	s->n_routes4 = N4;
	s->routes6 = calloc(N6, sizeof(*s->routes6));
	for (uint32_t i = 0; i < N6; i++) {
		struct ixg_spec_route6 *r = &s->routes6[i];

		r->len = len6();
		r->addr[0] = 0x20 | (uint8_t)(rnd() % 12); /* 2000::/4 .. 2b */
		for (int j = 1; j < 8; j++)
			r->addr[j] = (uint8_t)rnd();
		for (int j = r->len; j < 64; j++)
			r->addr[j / 8] &= (uint8_t) ~(0x80 >> (j % 8));
		r->peer_id = (uint16_t)(1 + rnd() % N_PEERS);
		r->origin = i;
	}
	s->n_routes6 = N6;
	if (with_sources) {
		s->sources4 = malloc(N4 * sizeof(*s->sources4));
		memcpy(s->sources4, s->routes4, N4 * sizeof(*s->sources4));
		s->n_sources4 = N4;
		s->sources6 = malloc(N6 * sizeof(*s->sources6));
		memcpy(s->sources6, s->routes6, N6 * sizeof(*s->sources6));
		s->n_sources6 = N6;
	}
	return s;
}

static void
test_full_routes(void **state)
{
	struct ixg_spec *s = full_spec(0);
	double h0 = heap_mib(), t0, dt;
	struct tables *t;
	uint64_t nh;
	uint32_t ip;

	(void)state;
	/*
	 * Twice: the first build also pays for faulting in fresh memory
	 * (4 KiB pages under --no-huge); the second reuses the DPDK heap
	 * the first freed, as a reload in a running dataplane does.
	 */
	for (int pass = 0; pass < 2; pass++) {
		t0 = now_s();
		t = dp_tables_build(s);
		dt = now_s() - t0;
		printf("routes only (%s): %u IPv4 + %u IPv6 in %.3f s = %.0f "
		       "routes/s, heap %.1f MiB\n",
		       pass ? "warm" : "cold", N4, N6, dt, (N4 + N6) / dt,
		       heap_mib() - h0);
		if (pass == 0)
			tables_free(t);
	}
	/* spot checks: a /32 and a random route each resolve to a peer */
	ip = s->routes4[N4 / 2].addr;
	nh = lpm4_lookup(t->route4, ip);
	assert_true(nh >= 1 && nh <= N_PEERS);
	tables_free(t);
	assert_true(heap_mib() - h0 < 1.0);
	dp_spec_free(s);
}

static void
test_full_tables(void **state)
{
	struct ixg_spec *s = full_spec(1);
	double h0 = heap_mib(), t0, dt;
	struct tables *t;

	(void)state;
	t0 = now_s();
	t = dp_tables_build(s);
	dt = now_s() - t0;
	printf("routes + sources: %u + %u prefixes in %.3f s, %u SAV sets, "
	       "heap %.1f MiB\n",
	       2 * N4, 2 * N6, dt, t->n_sav_sets, heap_mib() - h0);
	assert_non_null(t->sav4);
	assert_non_null(t->sav6);
	tables_free(t);
	dp_spec_free(s);
}

static void
acl_build(unsigned n)
{
	struct ixg_spec *s = dp_spec_new();
	double h0 = heap_mib(), t0, dt;
	struct tables *t;

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	s->acl_rules = calloc(n, sizeof(*s->acl_rules));
	for (unsigned i = 0; i < n; i++) {
		struct ixg_spec_acl_rule *r = &s->acl_rules[i];
		uint32_t a;

		r->id = i + 1;
		r->priority = i;
		r->family = 4;
		r->action = (uint8_t)(i % 2 ? IXG_ACL_DENY : IXG_ACL_PERMIT);
		r->proto = (uint8_t)(i % 3 ? 6 : 17);
		r->proto_mask = 0xff;
		r->dscp_any = 1;
		r->src_len = (uint8_t)(8 + rnd() % 25);
		a = htonl(rnd() << 8 | (rnd() & 0xff));
		memcpy(r->src, &a, 4);
		r->dst_len = (uint8_t)(16 + rnd() % 17);
		a = htonl(rnd() << 8 | (rnd() & 0xff));
		memcpy(r->dst, &a, 4);
		r->sport_hi = 65535;
		r->dport_lo = (uint16_t)(rnd() % 60000);
		r->dport_hi = (uint16_t)(r->dport_lo +
					 (i % 4 ? 0 : rnd() % 100));
	}
	s->n_acl_rules = n;
	t0 = now_s();
	t = dp_tables_build(s);
	dt = now_s() - t0;
	printf("acl: %u IPv4 rules built in %.3f s, heap %.1f MiB\n", n, dt,
	       heap_mib() - h0);
	assert_true(acl_class_has(t->acl, 4));
	tables_free(t);
	dp_spec_free(s);
}

static void
test_acl_10k(void **state)
{
	(void)state;
	acl_build(10000);
}

static void
test_acl_64k(void **state)
{
	(void)state;
	acl_build(IXG_MAX_ACL_RULES - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_routes),
		cmocka_unit_test(test_full_tables),
		cmocka_unit_test(test_acl_10k),
		cmocka_unit_test(test_acl_64k),
	};

	dp_test_eal_init("t_capacity", 4096);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
