/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ECMP in the dataplane: routes naming a next-hop group (IXG_NH_GROUP),
 * the group's slots (nhg_table.c) and stage_route's pick by flow hash:
 * one flow always to one member (across bursts and snapshots), equal
 * weights spread evenly and weights proportionally, a member leaving moves
 * only its own flows and one joining takes flows only for itself,
 * fragments of a datagram stay together, IPv6, hairpin, the groups'
 * counters, and the checks
 * that refuse a bad group or a route to a group that is not there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dp_test_util.h"

#define FLOWS 8192

static struct ixg_lcore_counters *ctr;

static struct ixg_spec_nhgroup *
add_group(struct ixg_spec *s, uint16_t id, const uint16_t *peers,
	  const uint16_t *weights, unsigned n)
{
	struct ixg_spec_nhgroup *g;

	s->nhgroups = realloc(s->nhgroups,
			      (s->n_nhgroups + 1) * sizeof(*s->nhgroups));
	assert_non_null(s->nhgroups);
	g = &s->nhgroups[s->n_nhgroups++];
	memset(g, 0, sizeof(*g));
	g->id = id;
	g->n_members = (uint8_t)n;
	for (unsigned k = 0; k < n; k++) {
		g->peer_id[k] = peers[k];
		g->weight[k] = weights != NULL ? weights[k] : 1;
	}
	return g;
}

/* Ports 0 and 3, peers 1..5 (peer 5 the sender), 10.0.0.0/8 and
 * 2001:db8::/32 to group 7 of `peers`. */
static struct ixg_spec *
spec(const uint16_t *peers, const uint16_t *weights, unsigned n)
{
	struct ixg_spec *s = dp_spec_new();

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_port(s, 3, "02:00:00:00:00:04");
	dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_OFF);
	dp_spec_peer(s, 2, 3, 0, "02:00:00:00:01:02", IXG_SAV_OFF);
	dp_spec_peer(s, 3, 0, 0, "02:00:00:00:01:03", IXG_SAV_OFF);
	dp_spec_peer(s, 4, 3, 0, "02:00:00:00:01:04", IXG_SAV_OFF);
	dp_spec_peer(s, 5, 0, 0, "02:00:00:00:01:05", IXG_SAV_OFF);
	dp_spec_route4(s, "10.0.0.0", 8, IXG_NH_GROUP | 7);
	dp_spec_route4(s, "192.0.2.0", 24, 1);
	dp_spec_route6(s, "2001:db8::", 32, IXG_NH_GROUP | 7);
	add_group(s, 7, peers, weights, n);
	return s;
}

static void
spec_free(struct ixg_spec *s)
{
	dp_spec_free(s);
}

static void
run(const struct tables *t, struct burst *b)
{
	struct pipeline_ctx ctx;

	dp_ctx_init(&ctx, t);
	ctx.ctr = ctr;
	stage_lookup(&ctx, b);
	stage_route(&ctx, b);
}

/* Flow f: a source address and source port of its own. */
static void
flow_src(unsigned f, char *buf, size_t len)
{
	snprintf(buf, len, "198.51.%u.%u", (f >> 8) & 255, f & 255);
}

/* The egress peer of every flow (0: not forwarded), IPv4 or IPv6,
 * through bursts of 32. */
static void
pick_all(const struct tables *t, int family, uint16_t *out)
{
	for (unsigned f0 = 0; f0 < FLOWS; f0 += PIPELINE_BURST) {
		struct burst b;

		dp_burst_init(&b, 0);
		for (unsigned f = f0; f < f0 + PIPELINE_BURST; f++) {
			char src[64], dst[64];

			if (family == 4) {
				flow_src(f, src, sizeof(src));
				snprintf(dst, sizeof(dst), "10.%u.0.1",
					 f % 200);
				dp_burst_add4(&b, 5, src, dst, 6,
					      (uint16_t)(1024 + f), 443);
			} else {
				snprintf(src, sizeof(src), "2001:db9::%x", f);
				snprintf(dst, sizeof(dst), "2001:db8::%x",
					 f % 200);
				dp_burst_add6(&b, 5, src, dst, 17,
					      (uint16_t)(1024 + f), 53);
			}
		}
		run(t, &b);
		for (unsigned i = 0; i < b.n; i++)
			out[f0 + i] = b.meta[i].verdict == VERDICT_CONTINUE
					      ? b.meta[i].out_peer
					      : 0;
	}
}

static void
share(const uint16_t *pick, unsigned *n)
{
	memset(n, 0, 6 * sizeof(*n));
	for (unsigned f = 0; f < FLOWS; f++) {
		assert_true(pick[f] >= 1 && pick[f] <= 4);
		n[pick[f]]++;
	}
}

static void
test_same_flow_same_member(void **state)
{
	static const uint16_t m[] = {1, 2, 3};
	struct ixg_spec *s = spec(m, NULL, 3);
	struct tables *t = dp_tables_build(s), *t2;
	static uint16_t a[FLOWS], b[FLOWS], c[FLOWS];

	(void)state;
	pick_all(t, 4, a);
	pick_all(t, 4, b);
	assert_memory_equal(a, b, sizeof(a));
	/* a fresh snapshot of the same spec, members listed otherwise */
	s->nhgroups[0].peer_id[0] = 3;
	s->nhgroups[0].peer_id[2] = 1;
	t2 = dp_tables_build(s);
	pick_all(t2, 4, c);
	assert_memory_equal(a, c, sizeof(a));
	/* out_port follows the member */
	for (unsigned f = 0; f < 64; f++) {
		struct burst bb;
		char src[64];

		dp_burst_init(&bb, 0);
		flow_src(f, src, sizeof(src));
		dp_burst_add4(&bb, 5, src, "10.0.0.1", 6, (uint16_t)(1024 + f),
			      443);
		run(t, &bb);
		assert_int_equal(bb.meta[0].out_port,
				 t->peers[bb.meta[0].out_peer].port_id);
	}
	tables_free(t);
	tables_free(t2);
	spec_free(s);
}

static void
test_even_spread(void **state)
{
	static uint16_t p[FLOWS];
	unsigned n[6];

	(void)state;
	for (unsigned k = 2; k <= 4; k++) {
		static const uint16_t m[] = {1, 2, 3, 4};
		struct ixg_spec *s = spec(m, NULL, k);
		struct tables *t = dp_tables_build(s);

		for (int fam = 4; fam <= 6; fam += 2) {
			pick_all(t, fam, p);
			share(p, n);
			for (unsigned j = 1; j <= k; j++) {
				double got = (double)n[j] / FLOWS;

				print_message("%u members, IPv%d: member %u "
					      "%.3f of the flows\n",
					      k, fam, j, got);
				/* 256 slots by rendezvous: each member's
				 * share within 30% of 1/k */
				assert_true(got > 0.7 / k && got < 1.3 / k);
			}
		}
		tables_free(t);
		spec_free(s);
	}
}

static void
test_weights(void **state)
{
	static const uint16_t m[] = {1, 2};
	static const uint16_t w[] = {1, 3};
	struct ixg_spec *s = spec(m, w, 2);
	struct tables *t = dp_tables_build(s);
	static uint16_t p[FLOWS];
	unsigned n[6], slots = 0;

	(void)state;
	pick_all(t, 4, p);
	share(p, n);
	print_message("weights 1:3: %.3f : %.3f\n", (double)n[1] / FLOWS,
		      (double)n[2] / FLOWS);
	assert_true(n[2] > 2 * n[1] && n[2] < 4 * n[1]);
	for (unsigned sl = 0; sl < IXG_NHG_SLOTS; sl++)
		slots += t->nhg[7].slot[0][sl] == TBL_HOP_KERNEL4 + 2;
	assert_true(slots > IXG_NHG_SLOTS * 6 / 10 &&
		    slots < IXG_NHG_SLOTS * 9 / 10);
	tables_free(t);
	spec_free(s);
}

/* {1,2,3,4} -> {1,2,4}: only the flows of 3 move; back: only flows to 3. */
static void
test_member_leaves(void **state)
{
	static const uint16_t all[] = {1, 2, 3, 4}, less[] = {1, 2, 4};
	struct ixg_spec *s1 = spec(all, NULL, 4), *s2 = spec(less, NULL, 3);
	struct tables *t1 = dp_tables_build(s1), *t2 = dp_tables_build(s2);
	static uint16_t a[FLOWS], b[FLOWS];
	unsigned moved = 0, of3 = 0;

	(void)state;
	pick_all(t1, 4, a);
	pick_all(t2, 4, b);
	for (unsigned f = 0; f < FLOWS; f++) {
		if (a[f] == 3) {
			of3++;
			assert_int_not_equal(b[f], 3);
			moved++;
		} else {
			assert_int_equal(a[f], b[f]);
		}
	}
	assert_true(of3 > 0);
	assert_int_equal(moved, of3);
	/* 3 joins again: a flow moves only to 3 */
	for (unsigned f = 0; f < FLOWS; f++)
		if (b[f] != a[f])
			assert_int_equal(a[f], 3);
	tables_free(t1);
	tables_free(t2);
	spec_free(s1);
	spec_free(s2);
}

/* A datagram's fragments (the first with ports, the others without)
 * take one member; unfragmented packets of many flows between the same
 * two hosts spread. */
static void
test_fragments(void **state)
{
	static const uint16_t m[] = {1, 2, 3, 4};
	struct ixg_spec *s = spec(m, NULL, 4);
	struct tables *t = dp_tables_build(s);
	unsigned seen[6] = {0};

	(void)state;
	for (unsigned f = 0; f < 256; f++) {
		struct burst b;
		char src[64];

		dp_burst_init(&b, 0);
		flow_src(f, src, sizeof(src));
		dp_burst_add4(&b, 5, src, "10.9.9.9", 17, 5000, 53);
		b.meta[0].frag = FRAG_FIRST;
		dp_burst_add4(&b, 5, src, "10.9.9.9", 17, 0, 0);
		b.meta[1].frag = FRAG_LATER;
		dp_burst_add4(&b, 5, src, "10.9.9.9", 17, 0, 0);
		b.meta[2].frag = FRAG_LATER;
		run(t, &b);
		assert_int_equal(b.meta[0].verdict, VERDICT_CONTINUE);
		assert_int_equal(b.meta[0].out_peer, b.meta[1].out_peer);
		assert_int_equal(b.meta[0].out_peer, b.meta[2].out_peer);
		/* IPv6 alike */
		dp_burst_init(&b, 0);
		dp_burst_add6(&b, 5, "2001:db9::1", "2001:db8::9", 17,
			      (uint16_t)(5000 + f), 53);
		b.meta[0].frag = FRAG_FIRST;
		dp_burst_add6(&b, 5, "2001:db9::1", "2001:db8::9", 17, 0, 0);
		b.meta[1].frag = FRAG_LATER;
		run(t, &b);
		assert_int_equal(b.meta[0].out_peer, b.meta[1].out_peer);
	}
	for (unsigned f = 0; f < 256; f++) {
		struct burst b;

		dp_burst_init(&b, 0);
		dp_burst_add4(&b, 5, "198.51.100.1", "10.9.9.9", 6,
			      (uint16_t)(1024 + f), 443);
		run(t, &b);
		seen[b.meta[0].out_peer]++;
	}
	for (unsigned j = 1; j <= 4; j++)
		assert_true(seen[j] > 0);
	tables_free(t);
	spec_free(s);
}

/* The sender's own member slot: the flows hashing to it are hairpins,
 * as for a plain route back to the sender. */
static void
test_hairpin(void **state)
{
	static const uint16_t m[] = {1, 5};
	struct ixg_spec *s = spec(m, NULL, 2);
	struct tables *t = dp_tables_build(s);
	unsigned fwd = 0, hair = 0;

	(void)state;
	for (unsigned f = 0; f < 512; f++) {
		struct burst b;
		char src[64];

		dp_burst_init(&b, 0);
		flow_src(f, src, sizeof(src));
		dp_burst_add4(&b, 5, src, "10.0.0.1", 6, (uint16_t)(1024 + f),
			      443);
		run(t, &b);
		if (b.meta[0].verdict == VERDICT_CONTINUE) {
			assert_int_equal(b.meta[0].out_peer, 1);
			fwd++;
		} else {
			assert_int_equal(b.meta[0].drop_reason,
					 IXG_DROP_HAIRPIN);
			hair++;
		}
	}
	assert_true(fwd > 0 && hair > 0);
	tables_free(t);
	spec_free(s);
}

/* The group's counters: every packet a group's route hands to a member,
 * exactly, bytes as received; not a hairpin (the sender's own slot), not
 * a route to a plain member, nothing for another group id. */
static void
test_group_counters(void **state)
{
	static const uint16_t m[] = {1, 2, 5};
	struct ixg_spec *s = spec(m, NULL, 3);
	struct tables *t = dp_tables_build(s);
	uint64_t fwd = 0, bytes = 0, hair = 0;

	(void)state;
	memset(ctr, 0, sizeof(*ctr));
	for (unsigned f0 = 0; f0 < 2048; f0 += PIPELINE_BURST) {
		struct burst b;

		dp_burst_init(&b, 0);
		for (unsigned f = f0; f < f0 + PIPELINE_BURST; f++) {
			char src[64];

			flow_src(f, src, sizeof(src));
			if (f % 4 == 3) /* a plain route: no group */
				dp_burst_add4(&b, 5, src, "192.0.2.9", 6,
					      (uint16_t)(1024 + f), 443);
			else if (f % 2 == 0)
				dp_burst_add4(&b, 5, src, "10.0.0.1", 6,
					      (uint16_t)(1024 + f), 443);
			else
				dp_burst_add6(&b, 5, "2001:db9::1",
					      "2001:db8::1", 17,
					      (uint16_t)(1024 + f), 53);
		}
		run(t, &b);
		for (unsigned i = 0; i < b.n; i++) {
			const struct pkt_meta *pm = &b.meta[i];

			if ((f0 + i) % 4 == 3) {
				assert_int_equal(pm->out_peer, 1);
				continue;
			}
			if (pm->verdict == VERDICT_CONTINUE) {
				assert_true(pm->out_peer == 1 ||
					    pm->out_peer == 2);
				fwd++;
				bytes += pm->rx_len;
			} else {
				assert_int_equal(pm->drop_reason,
						 IXG_DROP_HAIRPIN);
				hair++;
			}
		}
	}
	assert_true(fwd > 0 && hair > 0);
	assert_int_equal(ctr->nhgroup[7].packets, fwd);
	assert_int_equal(ctr->nhgroup[7].bytes, bytes);
	for (unsigned g = 0; g < IXG_MAX_NHGROUPS; g++)
		if (g != 7)
			assert_int_equal(ctr->nhgroup[g].packets, 0);
	tables_free(t);
	spec_free(s);
}

static int
validate(const struct ixg_spec *s, struct tables_refusal *r)
{
	const struct tables_validate_env env = {.n_workers = 1};

	return tables_validate(s, &env, r);
}

static void
test_validate(void **state)
{
	static const uint16_t m[] = {1, 2};
	struct ixg_spec *s = spec(m, NULL, 2);
	struct tables_refusal r;

	(void)state;
	assert_int_equal(validate(s, &r), 0);
	/* a route to a group the spec lacks */
	s->routes4[1].peer_id = IXG_NH_GROUP | 8;
	assert_int_equal(validate(s, &r), -1);
	assert_int_equal(r.table, IXG_TBL_ROUTES4);
	assert_int_equal(r.index, 1);
	assert_non_null(strstr(r.msg, "next-hop group 8 does not exist"));
	s->routes4[1].peer_id = 1;
	/* sources never name a group */
	dp_spec_source4(s, "10.0.0.0", 8, IXG_NH_GROUP | 7);
	assert_int_equal(validate(s, &r), -1);
	assert_int_equal(r.table, IXG_TBL_SOURCES4);
	s->n_sources4 = 0;
	/* a member that is no peer */
	s->nhgroups[0].peer_id[1] = 9;
	assert_int_equal(validate(s, &r), -1);
	assert_int_equal(r.table, IXG_TBL_NHGROUPS);
	assert_non_null(strstr(r.msg, "peer 9 does not exist"));
	/* a member twice */
	s->nhgroups[0].peer_id[1] = 1;
	assert_int_equal(validate(s, &r), -1);
	assert_non_null(strstr(r.msg, "member twice"));
	s->nhgroups[0].peer_id[1] = 2;
	/* weight 0 */
	s->nhgroups[0].weight[1] = 0;
	assert_int_equal(validate(s, &r), -1);
	assert_non_null(strstr(r.msg, "weight 0"));
	s->nhgroups[0].weight[1] = 1;
	/* two groups with one id */
	add_group(s, 7, m, NULL, 2);
	assert_int_equal(validate(s, &r), -1);
	assert_int_equal(r.index, 1);
	assert_non_null(strstr(r.msg, "another group's"));
	s->nhgroups[1].id = IXG_MAX_NHGROUPS;
	assert_int_equal(validate(s, &r), -1);
	s->nhgroups[1].id = 9;
	/* no member, or garbage past the members */
	s->nhgroups[1].n_members = 0;
	assert_int_equal(validate(s, &r), -1);
	s->nhgroups[1].n_members = 1;
	assert_int_equal(validate(s, &r), -1);
	assert_non_null(strstr(r.msg, "is not zero"));
	s->nhgroups[1].peer_id[1] = 0;
	s->nhgroups[1].weight[1] = 0;
	assert_int_equal(validate(s, &r), 0);
	spec_free(s);
}

/* A plain route beside groups is as it was; a group of one member. */
static void
test_plain_and_single(void **state)
{
	static const uint16_t m[] = {4};
	struct ixg_spec *s = spec(m, NULL, 1);
	struct tables *t = dp_tables_build(s);
	struct burst b;

	(void)state;
	dp_burst_init(&b, 0);
	dp_burst_add4(&b, 5, "198.51.100.1", "192.0.2.1", 6, 1, 2);
	dp_burst_add4(&b, 5, "198.51.100.1", "10.1.2.3", 6, 1, 2);
	dp_burst_add6(&b, 5, "2001:db9::1", "2001:db8::1", 6, 1, 2);
	dp_burst_add4(&b, 5, "198.51.100.1", "172.16.0.1", 6, 1, 2);
	run(t, &b);
	assert_int_equal(b.meta[0].out_peer, 1);
	assert_int_equal(b.meta[0].route_nh, 1);
	assert_int_equal(b.meta[1].out_peer, 4);
	assert_int_equal(b.meta[1].out_port, 3);
	assert_int_equal(b.meta[1].route_nh, NH_GROUP | 7);
	assert_int_equal(b.meta[2].out_peer, 4);
	assert_int_equal(b.meta[3].verdict, VERDICT_DROP);
	assert_int_equal(b.meta[3].drop_reason, IXG_DROP_NO_ROUTE);
	tables_free(t);
	spec_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_flow_same_member),
		cmocka_unit_test(test_even_spread),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_member_leaves),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_hairpin),
		cmocka_unit_test(test_group_counters),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_plain_and_single),
	};
	int rc;

	dp_test_eal_init("t_ecmp_dp", 0);
	ctr = calloc(1, sizeof(*ctr));
	if (ctr == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(ctr);
	return rc;
}
