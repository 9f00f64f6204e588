/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session loss in the dataplane (doc/routing.md, "Session loss"): the
 * PEER_DOWN state (tables_peer_down, api_server.c) stops a member's
 * kernel routes of one family at once, dropped peer_down, while its config
 * routes, its other family and every other member go on; ECMP groups
 * spread over their other members, moving only the down member's flows,
 * and drop peer_down only when every member is down; the state survives a
 * rebuild and clears exactly back; a bad or early message changes nothing.
 * A member's neighbour failing (tables_neigh_down) does the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api_server.h"
#include "dp_test_util.h"
#include "ixg_wire.h"

#define FLOWS 4096

static struct ixg_lcore_counters *ctr;

/*
 * Ports 0 and 3; peers 1..5 (5 the sender). Kernel routes: 10.0.0.0/8 to
 * member 2, 2001:db8:2::/48 to member 2, 10.7.0.0/16 and 2001:db8:7::/48
 * to group 7 {1, 2, 3}; config routes: 192.0.2.0/24 to member 2,
 * 2001:db8:c::/48 to member 2, 198.18.0.0/16 to member 4 (kernel).
 */
static struct ixg_spec *
spec(void)
{
	struct ixg_spec *s = dp_spec_new();
	struct ixg_spec_nhgroup *g;

	dp_spec_port(s, 0, "02:00:00:00:00:01");
	dp_spec_port(s, 3, "02:00:00:00:00:04");
	dp_spec_peer(s, 1, 0, 0, "02:00:00:00:01:01", IXG_SAV_OFF);
	dp_spec_peer(s, 2, 3, 0, "02:00:00:00:01:02", IXG_SAV_OFF);
	dp_spec_peer(s, 3, 0, 0, "02:00:00:00:01:03", IXG_SAV_OFF);
	dp_spec_peer(s, 4, 3, 0, "02:00:00:00:01:04", IXG_SAV_OFF);
	dp_spec_peer(s, 5, 0, 0, "02:00:00:00:01:05", IXG_SAV_OFF);
	dp_spec_route4(s, "10.0.0.0", 8, 2)->origin = IXG_ORIGIN_KERNEL;
	dp_spec_route4(s, "10.7.0.0", 16, IXG_NH_GROUP | 7)->origin =
		IXG_ORIGIN_KERNEL;
	dp_spec_route4(s, "192.0.2.0", 24, 2);
	dp_spec_route4(s, "198.18.0.0", 16, 4)->origin = IXG_ORIGIN_KERNEL;
	dp_spec_route6(s, "2001:db8:2::", 48, 2)->origin = IXG_ORIGIN_KERNEL;
	dp_spec_route6(s, "2001:db8:7::", 48, IXG_NH_GROUP | 7)->origin =
		IXG_ORIGIN_KERNEL;
	dp_spec_route6(s, "2001:db8:c::", 48, 2);
	s->nhgroups = calloc(1, sizeof(*s->nhgroups));
	assert_non_null(s->nhgroups);
	s->n_nhgroups = 1;
	g = &s->nhgroups[0];
	g->id = 7;
	g->n_members = 3;
	for (unsigned k = 0; k < 3; k++) {
		g->peer_id[k] = (uint16_t)(k + 1);
		g->weight[k] = 1;
	}
	return s;
}

/* One packet from member 5 to dst through lookup and route: its verdict
 * and reason or egress member (out_peer, out_port). */
struct pick {
	int verdict;
	unsigned reason;
	uint16_t peer, port;
};

static struct pick
send1(const struct tables *t, const char *dst, unsigned flow)
{
	struct pipeline_ctx ctx;
	struct burst b;
	struct pick p;
	char src[64];
	bool v6 = strchr(dst, ':') != NULL;

	dp_burst_init(&b, 0);
	if (v6) {
		snprintf(src, sizeof(src), "2001:db9::%x", flow);
		dp_burst_add6(&b, 5, src, dst, 17, (uint16_t)(1024 + flow), 53);
	} else {
		snprintf(src, sizeof(src), "198.51.%u.%u", (flow >> 8) & 255,
			 flow & 255);
		dp_burst_add4(&b, 5, src, dst, 6, (uint16_t)(1024 + flow), 443);
	}
	dp_ctx_init(&ctx, t);
	ctx.ctr = ctr;
	stage_lookup(&ctx, &b);
	stage_route(&ctx, &b);
	p.verdict = b.meta[0].verdict;
	p.reason = b.meta[0].drop_reason;
	p.peer = b.meta[0].out_peer;
	p.port = b.meta[0].out_port;
	return p;
}

static void
expect_fwd(const struct tables *t, const char *dst, uint16_t peer,
	   uint16_t port)
{
	struct pick p = send1(t, dst, 1);

	if (p.verdict != VERDICT_CONTINUE)
		fail_msg("%s: dropped %s, wanted to member %u", dst,
			 ixg_drop_name(p.reason), peer);
	assert_int_equal(p.peer, peer);
	assert_int_equal(p.port, port);
}

static void
expect_drop(const struct tables *t, const char *dst, unsigned reason)
{
	struct pick p = send1(t, dst, 1);

	if (p.verdict != VERDICT_DROP || p.reason != reason)
		fail_msg("%s: verdict %d %s, wanted %s", dst, p.verdict,
			 p.verdict == VERDICT_DROP ? ixg_drop_name(p.reason)
						   : "forwarded",
			 ixg_drop_name(reason));
}

/* The egress member of every flow to group 7's prefix of `family`. */
static void
group_picks(const struct tables *t, int family, uint16_t *out,
	    unsigned *dropped)
{
	*dropped = 0;
	for (unsigned f = 0; f < FLOWS; f++) {
		char dst[64];
		struct pick p;

		if (family == 4)
			snprintf(dst, sizeof(dst), "10.7.%u.%u", f % 200,
				 1 + f % 7);
		else
			snprintf(dst, sizeof(dst), "2001:db8:7::%x", f);
		p = send1(t, dst, f);
		if (p.verdict == VERDICT_DROP) {
			assert_int_equal(p.reason, IXG_DROP_PEER_DOWN);
			(*dropped)++;
			out[f] = 0;
		} else {
			out[f] = p.peer;
		}
	}
}

static void
set_bit(uint64_t down[2][IXG_MAX_PEERS / 64], unsigned f, uint16_t p, bool on)
{
	if (on)
		down[f][p / 64] |= UINT64_C(1) << (p % 64);
	else
		down[f][p / 64] &= ~(UINT64_C(1) << (p % 64));
}

/* Kernel routes stop, config routes and the other family go on. */
static void
test_member_down(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t = dp_tables_build(s);
	uint64_t down[2][IXG_MAX_PEERS / 64] = {{0}};
	struct tables_down_change ch;

	(void)state;
	expect_fwd(t, "10.1.2.3", 2, 3);
	expect_fwd(t, "192.0.2.9", 2, 3);
	expect_fwd(t, "2001:db8:2::1", 2, 3);
	expect_fwd(t, "2001:db8:c::1", 2, 3);
	expect_fwd(t, "198.18.0.1", 4, 3);

	set_bit(down, 0, 2, true);
	tables_peer_down(t, s, down, &ch);
	assert_int_equal(ch.went_down[0], 1);
	assert_int_equal(ch.came_up[0], 0);
	assert_int_equal(ch.went_down[1], 0);
	assert_int_equal(ch.groups, 1);
	assert_true(tables_peer_is_down(t, 0, 2));
	assert_false(tables_peer_is_down(t, 1, 2));
	expect_drop(t, "10.1.2.3", IXG_DROP_PEER_DOWN);
	expect_fwd(t, "192.0.2.9", 2, 3); /* config route: unaffected */
	expect_fwd(t, "2001:db8:2::1", 2, 3); /* IPv6 session still up */
	expect_fwd(t, "2001:db8:c::1", 2, 3);
	expect_fwd(t, "198.18.0.1", 4, 3); /* another member */

	set_bit(down, 1, 2, true);
	tables_peer_down(t, s, down, &ch);
	assert_int_equal(ch.went_down[0], 0);
	assert_int_equal(ch.went_down[1], 1);
	expect_drop(t, "2001:db8:2::1", IXG_DROP_PEER_DOWN);
	expect_fwd(t, "2001:db8:c::1", 2, 3);

	/* the same state again changes nothing */
	tables_peer_down(t, s, down, &ch);
	assert_int_equal(ch.went_down[0] + ch.went_down[1] + ch.came_up[0] +
				 ch.came_up[1] + ch.groups,
			 0);

	memset(down, 0, sizeof(down));
	tables_peer_down(t, s, down, &ch);
	assert_int_equal(ch.came_up[0], 1);
	assert_int_equal(ch.came_up[1], 1);
	expect_fwd(t, "10.1.2.3", 2, 3);
	expect_fwd(t, "2001:db8:2::1", 2, 3);
	tables_free(t);
	dp_spec_free(s);
}

/* A snapshot built from a down one keeps the state (a route commit must
 * not bring the member back); a fresh one starts up. */
static void
test_state_survives_rebuild(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t = dp_tables_build(s), *t2, *t3;
	uint64_t down[2][IXG_MAX_PEERS / 64] = {{0}};
	char err[256];

	(void)state;
	set_bit(down, 0, 2, true);
	tables_peer_down(t, s, down, NULL);
	t2 = tables_build_from(s, s, t, 1, 2, err, sizeof(err));
	assert_non_null(t2);
	expect_drop(t2, "10.1.2.3", IXG_DROP_PEER_DOWN);
	expect_fwd(t2, "192.0.2.9", 2, 3);
	assert_true(tables_peer_is_down(t2, 0, 2));
	t3 = dp_tables_build(s);
	expect_fwd(t3, "10.1.2.3", 2, 3);
	tables_free(t);
	tables_free(t2);
	tables_free(t3);
	dp_spec_free(s);
}

/* Group 7 {1, 2, 3}: member 2 down for IPv4 moves only its own IPv4 flows
 * to 1 and 3, IPv6 unchanged; every member down: all dropped peer_down;
 * every member up: exactly the first picks. A rebuilt group (new spec
 * array) is painted with the state too. */
static void
test_group_repaint(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t = dp_tables_build(s), *t2;
	uint64_t down[2][IXG_MAX_PEERS / 64] = {{0}};
	static uint16_t a4[FLOWS], a6[FLOWS], b4[FLOWS], b6[FLOWS];
	struct tables_down_change ch;
	unsigned drops, moved = 0, of2 = 0;
	char err[256];

	(void)state;
	group_picks(t, 4, a4, &drops);
	assert_int_equal(drops, 0);
	group_picks(t, 6, a6, &drops);
	set_bit(down, 0, 2, true);
	tables_peer_down(t, s, down, &ch);
	assert_int_equal(ch.groups, 1);
	assert_true(ch.slots > IXG_NHG_SLOTS / 5 &&
		    ch.slots < IXG_NHG_SLOTS / 2);
	group_picks(t, 4, b4, &drops);
	assert_int_equal(drops, 0);
	for (unsigned f = 0; f < FLOWS; f++) {
		assert_int_not_equal(b4[f], 2);
		of2 += a4[f] == 2;
		if (a4[f] != 2)
			assert_int_equal(a4[f], b4[f]); /* only 2's moved */
		moved += a4[f] != b4[f];
	}
	assert_int_equal(moved, of2);
	assert_true(of2 > 0);
	group_picks(t, 6, b6, &drops);
	assert_memory_equal(a6, b6, sizeof(a6));

	/* a rebuilt group table is painted with the state */
	{
		struct ixg_spec s2 = *s;
		struct ixg_spec_nhgroup g2 = s->nhgroups[0];

		/* the same members listed otherwise: other bytes, same
		 * slots */
		g2.peer_id[0] = 3;
		g2.peer_id[2] = 1;
		s2.nhgroups = &g2;
		t2 = tables_build_from(&s2, s, t, 1, 2, err, sizeof(err));
		assert_non_null(t2);
		assert_ptr_not_equal(t2->nhg, t->nhg);
		group_picks(t2, 4, b6, &drops);
		assert_memory_equal(b4, b6, sizeof(b4));
		tables_free(t2);
	}

	for (uint16_t p = 1; p <= 3; p++)
		set_bit(down, 0, p, true);
	tables_peer_down(t, s, down, &ch);
	group_picks(t, 4, b4, &drops);
	assert_int_equal(drops, FLOWS);

	memset(down, 0, sizeof(down));
	tables_peer_down(t, s, down, &ch);
	group_picks(t, 4, b4, &drops);
	assert_int_equal(drops, 0);
	assert_memory_equal(a4, b4, sizeof(a4));
	tables_free(t);
	dp_spec_free(s);
}

/* A member's neighbour failing (tables_neigh_down, from the neighbour
 * table) clears its kernel hop of the family like a lost session: kernel
 * routes dropped peer_down, config routes and the other family go on, the
 * group's flows of that member move to the others; the two states are
 * independent (down while either is); a rebuild carries it. */
static void
test_neigh_down(void **state)
{
	struct ixg_spec *s = spec();
	struct tables *t = dp_tables_build(s), *t2;
	uint64_t nd[2][IXG_MAX_PEERS / 64] = {{0}};
	uint64_t pd[2][IXG_MAX_PEERS / 64] = {{0}};
	static uint16_t a4[FLOWS], b4[FLOWS];
	struct tables_down_change ch;
	unsigned drops, of2 = 0;
	char err[256];

	(void)state;
	group_picks(t, 4, a4, &drops);
	set_bit(nd, 0, 2, true);
	tables_neigh_down(t, s, nd, &ch);
	assert_int_equal(ch.went_down[0], 1);
	assert_int_equal(ch.came_up[0] + ch.went_down[1] + ch.came_up[1], 0);
	assert_int_equal(ch.groups, 1);
	assert_true(ch.slots > 0);
	assert_true(tables_peer_is_down(t, 0, 2));
	assert_false(tables_peer_is_down(t, 1, 2));
	expect_drop(t, "10.1.2.3", IXG_DROP_PEER_DOWN);
	expect_fwd(t, "192.0.2.9", 2, 3);
	expect_fwd(t, "2001:db8:2::1", 2, 3);
	group_picks(t, 4, b4, &drops);
	assert_int_equal(drops, 0);
	for (unsigned f = 0; f < FLOWS; f++) {
		assert_int_not_equal(b4[f], 2);
		of2 += a4[f] == 2;
		if (a4[f] != 2)
			assert_int_equal(a4[f], b4[f]);
	}
	assert_true(of2 > 0);

	/* PEER_DOWN of the same member and family: no hop changes, and its
	 * message counts its own bit. */
	set_bit(pd, 0, 2, true);
	tables_peer_down(t, s, pd, &ch);
	assert_int_equal(ch.went_down[0], 1);
	assert_int_equal(ch.groups, 0);
	/* The neighbour answers again: still down by its session. */
	memset(nd, 0, sizeof(nd));
	tables_neigh_down(t, s, nd, &ch);
	assert_int_equal(ch.came_up[0], 1);
	assert_int_equal(ch.groups, 0);
	expect_drop(t, "10.1.2.3", IXG_DROP_PEER_DOWN);
	/* The session back: forwarded, exactly the first picks. */
	memset(pd, 0, sizeof(pd));
	tables_peer_down(t, s, pd, &ch);
	assert_int_equal(ch.groups, 1);
	expect_fwd(t, "10.1.2.3", 2, 3);
	group_picks(t, 4, b4, &drops);
	assert_memory_equal(a4, b4, sizeof(a4));

	/* Carried into a snapshot built from this one. */
	set_bit(nd, 1, 2, true);
	tables_neigh_down(t, s, nd, &ch);
	assert_int_equal(ch.went_down[1], 1);
	t2 = tables_build_from(s, s, t, 1, 2, err, sizeof(err));
	assert_non_null(t2);
	expect_drop(t2, "2001:db8:2::1", IXG_DROP_PEER_DOWN);
	expect_fwd(t2, "10.1.2.3", 2, 3);
	assert_memory_equal(t2->neigh_down, nd, sizeof(nd));
	tables_free(t2);
	tables_free(t);
	dp_spec_free(s);
}

/* The message through the API handler: applied at once inside an open
 * transaction; bit 0, a short message or no configuration yet refused
 * with a message, changing nothing. */
static void
test_api_message(void **state)
{
	struct ixg_spec *s = spec();
	struct runtime rt;
	struct api_conn c;
	struct api_reply out;
	struct ixg_msg_peer_down m;
	const struct ixg_msg_reply *r = (const void *)out.buf;
	uint64_t down[2][IXG_MAX_PEERS / 64] = {{0}};

	(void)state;
	memset(&rt, 0, sizeof(rt));
	api_conn_init(&c, &rt);

	/* no configuration yet */
	set_bit(down, 0, 2, true);
	ixg_msg_peer_down_init(&m, down, 1);
	api_handle(&c, &m, sizeof(m), -1, &out);
	assert_int_equal(r->status, IXG_ST_STALE);
	assert_non_null(strstr(r->message, "no configuration"));

	rt.spec = s;
	rt.tables = dp_tables_build(s);
	api_handle(&c, &m, sizeof(m), -1, &out);
	assert_int_equal(r->status, IXG_ST_OK);
	print_message("%s\n", r->message);
	assert_non_null(strstr(r->message, "IPv4 1 down 0 up"));
	expect_drop(rt.tables, "10.1.2.3", IXG_DROP_PEER_DOWN);

	/* peer id 0 is no peer: refused, nothing changes */
	memset(down, 0, sizeof(down));
	down[1][0] = 1;
	ixg_msg_peer_down_init(&m, down, 2);
	api_handle(&c, &m, sizeof(m), -1, &out);
	assert_int_equal(r->status, IXG_ST_INVALID);
	assert_non_null(strstr(r->message, "IPv6 bit 0"));
	assert_true(tables_peer_is_down(rt.tables, 0, 2));
	expect_drop(rt.tables, "10.1.2.3", IXG_DROP_PEER_DOWN);

	/* a message of the wrong size: refused as malformed */
	memset(down, 0, sizeof(down));
	ixg_msg_peer_down_init(&m, down, 3);
	m.hdr.len = sizeof(m) - 8;
	api_handle(&c, &m, sizeof(m) - 8, -1, &out);
	assert_int_equal(r->status, IXG_ST_BAD_MESSAGE);
	assert_true(tables_peer_is_down(rt.tables, 0, 2));

	/* inside an open transaction: applied, the transaction untouched */
	{
		struct ixg_msg_txn_begin b;

		memset(&b, 0, sizeof(b));
		ixg_msg_init(&b.hdr, IXG_MSG_TXN_BEGIN, sizeof(b), 4);
		api_handle(&c, &b, sizeof(b), -1, &out);
		assert_int_equal(r->status, IXG_ST_OK);
		assert_true(c.txn_open);
	}
	ixg_msg_peer_down_init(&m, down, 5);
	api_handle(&c, &m, sizeof(m), -1, &out);
	assert_int_equal(r->status, IXG_ST_OK);
	assert_true(c.txn_open);
	expect_fwd(rt.tables, "10.1.2.3", 2, 3);
	api_conn_reset(&c);
	tables_free(rt.tables);
	dp_spec_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_down),
		cmocka_unit_test(test_state_survives_rebuild),
		cmocka_unit_test(test_group_repaint),
		cmocka_unit_test(test_neigh_down),
		cmocka_unit_test(test_api_message),
	};

	dp_test_eal_init("t_pic_dp", 0);
	ctr = calloc(1, sizeof(*ctr));
	if (ctr == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
