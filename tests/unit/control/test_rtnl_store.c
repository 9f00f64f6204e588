/* SPDX-License-Identifier: BSD-3-Clause */
/* The mirror of the kernel tables: the kernel's semantics for add, append,
 * prepend, replace and delete (IPv4 aliases, IPv6 ECMP siblings), several
 * metrics for one prefix (the lowest wins), table precedence, dead next
 * hops; change batches (each prefix once, old and new best, add+delete
 * cancelling out); a resync's replace_all reporting only what differs; the
 * store's invariants after every step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtnl_store.h"
#include "rtnl_test_util.h"

static struct rtnl_nexthop nh_buf[RTNL_MAX_NH];
static struct rtnl_route cur;

/* Parse a crafted message into `cur` (next hops in nh_buf). */
static const struct rtnl_route *
route(int family, const char *prefix, uint32_t table, uint8_t type,
      uint8_t proto, uint32_t metric, const char *gw, int ifindex)
{
	struct rtnl_parse_error err;
	struct msg m;

	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, family, prefix, table, type, proto,
		  metric, gw, ifindex);
	assert_int_equal(parse_msg(&m, &cur, nh_buf, RTNL_MAX_NH, &err), 0);
	return &cur;
}

static const struct rtnl_route *
route_mp(int family, const char *prefix, uint32_t table, uint8_t proto,
	 uint32_t metric, const struct mp_nh *hops, unsigned n)
{
	struct rtnl_parse_error err;
	struct msg m;

	msg_route(&m, RTM_NEWROUTE, 0, 0, 0, family, prefix, table, RTN_UNICAST,
		  proto, metric, "", 0);
	msg_multipath(&m, family, hops, n);
	assert_int_equal(parse_msg(&m, &cur, nh_buf, RTNL_MAX_NH, &err), 0);
	return &cur;
}

static enum rtnl_apply
apply(struct rtnl_store *s, enum rtnl_op op, uint16_t flags,
      const struct rtnl_route *r)
{
	enum rtnl_apply res = rtnl_store_apply(s, op, flags, r, 1000);

	assert_int_equal(rtnl_store_check(s), 0);
	return res;
}

/* The entries of a prefix as text, "|"-separated, in the store's order. */
struct list {
	char text[2048];
};

static void
list_cb(void *arg, const struct rtnl_route *r)
{
	struct list *l = arg;
	char line[256];

	rtnl_route_format(r, line, sizeof(line), NULL);
	if (l->text[0])
		strcat(l->text, "|");
	strcat(l->text, line);
}

static const char *
entries(struct rtnl_store *s, int family, const char *prefix)
{
	static struct list l;
	uint8_t dst[16];
	char p[64], *slash;

	snprintf(p, sizeof(p), "%s", prefix);
	slash = strchr(p, '/');
	*slash = '\0';
	addr16(family, p, dst);
	memset(&l, 0, sizeof(l));
	rtnl_store_prefix(s, family, dst, (unsigned)atoi(slash + 1), list_cb,
			  &l);
	return l.text;
}

static const char *
best(struct rtnl_store *s, int family, const char *prefix)
{
	static char line[256];
	const struct rtnl_route *r;
	uint8_t dst[16];
	char p[64], *slash;

	snprintf(p, sizeof(p), "%s", prefix);
	slash = strchr(p, '/');
	*slash = '\0';
	addr16(family, p, dst);
	r = rtnl_store_best(s, family, dst, (unsigned)atoi(slash + 1));
	if (r == NULL)
		return "-";
	rtnl_route_format(r, line, sizeof(line), NULL);
	return line;
}

/* Batches, recorded as text: "+P new", "-P old", "~P old > new". */
struct rec {
	unsigned batches;
	bool full;
	char text[4096];
};

static void
rec_cb(void *arg, const struct rtnl_batch *b)
{
	struct rec *r = arg;
	uint32_t i;

	r->batches++;
	r->full = b->full;
	for (i = 0; i < b->n; i++) {
		const struct rtnl_change *c = &b->changes[i];
		char p[50], o[256] = "", n[256] = "", line[600];

		if (c->old_best)
			rtnl_route_format(c->old_best, o, sizeof(o), NULL);
		if (c->new_best)
			rtnl_route_format(c->new_best, n, sizeof(n), NULL);
		snprintf(line, sizeof(line), "%s%c%s %s%s%s",
			 r->text[0] ? "\n" : "",
			 !c->old_best	? '+'
			 : !c->new_best ? '-'
					: '~',
			 rtnl_prefix_str(c->family, c->dst, c->len, p), o,
			 c->old_best && c->new_best ? " > " : "", n);
		strcat(r->text, line);
	}
}

static void
v4_add_append_prepend_replace_delete(void **state)
{
	struct rtnl_store *s = rtnl_store_new((uint32_t[]){100}, 1);

	(void)state;
	assert_int_equal(apply(s, RTNL_OP_NEW, NLM_F_CREATE | NLM_F_EXCL,
			       route(AF_INET, "10.1.0.0/16", 100, RTN_UNICAST,
				     0, 0, "192.0.2.2", 3)),
			 RTNL_ADDED);
	/* append: after; prepend (no flag): before; a higher metric: after
	 * every lower one whatever the flags. */
	apply(s, RTNL_OP_NEW, NLM_F_CREATE | NLM_F_APPEND,
	      route(AF_INET, "10.1.0.0/16", 100, RTN_UNICAST, 0, 0,
		    "198.51.100.2", 4));
	apply(s, RTNL_OP_NEW, NLM_F_CREATE,
	      route(AF_INET, "10.1.0.0/16", 100, RTN_BLACKHOLE, 0, 0, "", 0));
	apply(s, RTNL_OP_NEW, NLM_F_CREATE,
	      route(AF_INET, "10.1.0.0/16", 100, RTN_UNICAST, 0, 10,
		    "192.0.2.3", 3));
	assert_string_equal(entries(s, AF_INET, "10.1.0.0/16"),
			    "blackhole 10.1.0.0/16 proto unspec table 100|"
			    "10.1.0.0/16 via 192.0.2.2 dev if3 proto unspec "
			    "table 100|"
			    "10.1.0.0/16 via 198.51.100.2 dev if4 proto "
			    "unspec table 100|"
			    "10.1.0.0/16 via 192.0.2.3 dev if3 proto unspec "
			    "metric 10 table 100");
	/* The first entry of the lowest metric wins: the blackhole. */
	assert_string_equal(best(s, AF_INET, "10.1.0.0/16"),
			    "blackhole 10.1.0.0/16 proto unspec table 100");
	/* replace: the first entry of the same metric. */
	assert_int_equal(apply(s, RTNL_OP_NEW, NLM_F_CREATE | NLM_F_REPLACE,
			       route(AF_INET, "10.1.0.0/16", 100, RTN_UNICAST,
				     RTPROT_BIRD, 0, "192.0.2.9", 3)),
			 RTNL_REPLACED);
	assert_string_equal(best(s, AF_INET, "10.1.0.0/16"),
			    "10.1.0.0/16 via 192.0.2.9 dev if3 proto bird "
			    "table 100");
	/* delete: the entry the message describes, exactly. */
	assert_int_equal(apply(s, RTNL_OP_DEL, 0,
			       route(AF_INET, "10.1.0.0/16", 100, RTN_UNICAST,
				     0, 0, "198.51.100.2", 4)),
			 RTNL_DELETED);
	assert_int_equal(apply(s, RTNL_OP_DEL, 0,
			       route(AF_INET, "10.1.0.0/16", 100, RTN_UNICAST,
				     0, 0, "198.51.100.2", 4)),
			 RTNL_DEL_INEXACT); /* same key and type: the first */
	assert_string_equal(best(s, AF_INET, "10.1.0.0/16"),
			    "10.1.0.0/16 via 192.0.2.2 dev if3 proto unspec "
			    "table 100");
	assert_int_equal(apply(s, RTNL_OP_DEL, 0,
			       route(AF_INET, "10.1.0.0/16", 100, RTN_PROHIBIT,
				     0, 0, "", 0)),
			 RTNL_DEL_MISSING);
	assert_int_equal(apply(s, RTNL_OP_DEL, 0,
			       route(AF_INET, "10.9.0.0/16", 100, RTN_UNICAST,
				     0, 0, "", 0)),
			 RTNL_DEL_MISSING);
	assert_int_equal(apply(s, RTNL_OP_DEL, 0,
			       route(AF_INET, "10.1.0.0/16", 100, RTN_UNICAST,
				     0, 0, "192.0.2.2", 3)),
			 RTNL_DELETED);
	/* Only the metric 10 route is left: it is the best now. */
	assert_string_equal(best(s, AF_INET, "10.1.0.0/16"),
			    "10.1.0.0/16 via 192.0.2.3 dev if3 proto unspec "
			    "metric 10 table 100");
	/* The same message twice is one entry. */
	assert_int_equal(apply(s, RTNL_OP_NEW, NLM_F_CREATE,
			       route(AF_INET, "10.1.0.0/16", 100, RTN_UNICAST,
				     0, 10, "192.0.2.3", 3)),
			 RTNL_UPDATED);
	assert_int_equal(rtnl_store_routes(s, AF_INET), 1);
	assert_int_equal(rtnl_store_prefixes(s, AF_INET), 1);
	rtnl_store_free(s);
}

static void
tos_and_source_routes_are_not_best(void **state)
{
	struct rtnl_store *s = rtnl_store_new((uint32_t[]){100}, 1);
	struct rtnl_route r;

	(void)state;
	r = *route(AF_INET, "10.7.0.0/16", 100, RTN_UNICAST, 0, 0, "192.0.2.2",
		   3);
	r.tos = 0x10;
	apply(s, RTNL_OP_NEW, NLM_F_CREATE, &r);
	assert_string_equal(best(s, AF_INET, "10.7.0.0/16"), "-");
	apply(s, RTNL_OP_NEW, NLM_F_CREATE,
	      route(AF_INET, "10.7.0.0/16", 100, RTN_UNICAST, 0, 0, "192.0.2.3",
		    3));
	/* TOS routes come first in the kernel's order, but only the TOS-0
	 * one forwards everything. */
	assert_string_equal(best(s, AF_INET, "10.7.0.0/16"),
			    "10.7.0.0/16 via 192.0.2.3 dev if3 proto unspec "
			    "table 100");
	rtnl_store_free(s);
}

static void
v6_ecmp_siblings(void **state)
{
	const struct mp_nh two[] = {{"2001:db8:2::2", 5, 1, 0},
				    {"2001:db8:1::2", 4, 1, 0}};
	struct rtnl_store *s = rtnl_store_new((uint32_t[]){100}, 1);

	(void)state;
	apply(s, RTNL_OP_NEW, NLM_F_CREATE | NLM_F_EXCL,
	      route(AF_INET6, "2001:db8:100::/48", 100, RTN_UNICAST,
		    RTPROT_BIRD, 1024, "2001:db8:1::2", 4));
	apply(s, RTNL_OP_NEW, NLM_F_CREATE | NLM_F_EXCL,
	      route(AF_INET6, "2001:db8:100::/48", 100, RTN_BLACKHOLE, 0, 2000,
		    "", 1));
	/* A sibling joins (ip -6 route append ... via 2001:db8:2::2): the
	 * kernel reports the newcomer first, with its own protocol, then
	 * all siblings; the route keeps its first sibling's protocol. */
	assert_int_equal(apply(s, RTNL_OP_NEW, NLM_F_CREATE | NLM_F_APPEND,
			       route_mp(AF_INET6, "2001:db8:100::/48", 100,
					RTPROT_BOOT, 1024, two, 2)),
			 RTNL_REPLACED);
	assert_string_equal(entries(s, AF_INET6, "2001:db8:100::/48"),
			    "2001:db8:100::/48 proto bird metric 1024 table "
			    "100 nexthop via 2001:db8:1::2 dev if4 weight 1 "
			    "nexthop via 2001:db8:2::2 dev if5 weight 1|"
			    "blackhole 2001:db8:100::/48 proto unspec metric "
			    "2000 table 100");
	/* The first sibling leaves: the message names it alone, and the
	 * route now shows the next sibling's protocol. */
	assert_int_equal(
		apply(s, RTNL_OP_DEL, 0,
		      route(AF_INET6, "2001:db8:100::/48", 100, RTN_UNICAST,
			    RTPROT_BIRD, 1024, "2001:db8:1::2", 4)),
		RTNL_REPLACED);
	assert_string_equal(best(s, AF_INET6, "2001:db8:100::/48"),
			    "2001:db8:100::/48 via 2001:db8:2::2 dev if5 proto "
			    "boot metric 1024 table 100");
	/* A non-ECMP route of the same metric sits after it... */
	apply(s, RTNL_OP_NEW, NLM_F_CREATE,
	      route(AF_INET6, "2001:db8:100::/48", 100, RTN_UNREACHABLE, 0,
		    1024, "", 1));
	assert_string_equal(entries(s, AF_INET6, "2001:db8:100::/48"),
			    "2001:db8:100::/48 via 2001:db8:2::2 dev if5 proto "
			    "boot metric 1024 table 100|"
			    "unreachable 2001:db8:100::/48 proto unspec metric "
			    "1024 table 100|"
			    "blackhole 2001:db8:100::/48 proto unspec metric "
			    "2000 table 100");
	/* ...and a replace takes the first route of its own kind
	 * (fib6_add_rt2node()): the unreachable, not the ECMP one. */
	apply(s, RTNL_OP_NEW, NLM_F_CREATE | NLM_F_REPLACE,
	      route(AF_INET6, "2001:db8:100::/48", 100, RTN_PROHIBIT, 0, 1024,
		    "", 1));
	assert_string_equal(entries(s, AF_INET6, "2001:db8:100::/48"),
			    "2001:db8:100::/48 via 2001:db8:2::2 dev if5 proto "
			    "boot metric 1024 table 100|"
			    "prohibit 2001:db8:100::/48 proto unspec metric "
			    "1024 table 100|"
			    "blackhole 2001:db8:100::/48 proto unspec metric "
			    "2000 table 100");
	/* A replace with no route of its kind takes the first of the
	 * metric. */
	apply(s, RTNL_OP_NEW, NLM_F_CREATE | NLM_F_REPLACE,
	      route(AF_INET6, "2001:db8:100::/48", 100, RTN_BLACKHOLE, 0, 2000,
		    "", 1));
	apply(s, RTNL_OP_NEW, NLM_F_CREATE | NLM_F_REPLACE,
	      route(AF_INET6, "2001:db8:100::/48", 100, RTN_UNICAST, 0, 2000,
		    "2001:db8:1::7", 4));
	assert_string_equal(entries(s, AF_INET6, "2001:db8:100::/48"),
			    "2001:db8:100::/48 via 2001:db8:2::2 dev if5 proto "
			    "boot metric 1024 table 100|"
			    "prohibit 2001:db8:100::/48 proto unspec metric "
			    "1024 table 100|"
			    "2001:db8:100::/48 via 2001:db8:1::7 dev if4 proto "
			    "unspec metric 2000 table 100");
	rtnl_store_free(s);
}

static void
dead_nexthops_and_table_precedence(void **state)
{
	struct rtnl_store *s = rtnl_store_new((uint32_t[]){100, 200}, 2);
	struct rtnl_route r;

	(void)state;
	assert_true(rtnl_store_follows(s, 200));
	assert_false(rtnl_store_follows(s, 300));
	apply(s, RTNL_OP_NEW, NLM_F_CREATE,
	      route(AF_INET, "10.1.0.0/16", 200, RTN_UNICAST, 0, 0, "192.0.2.2",
		    3));
	r = *route(AF_INET, "10.1.0.0/16", 100, RTN_UNICAST, 0, 0, "192.0.2.3",
		   3);
	r.nh[0].flags = RTNH_F_DEAD;
	apply(s, RTNL_OP_NEW, NLM_F_CREATE, &r);
	/* Table 100 comes first, but its only next hop is dead. */
	assert_string_equal(best(s, AF_INET, "10.1.0.0/16"),
			    "10.1.0.0/16 via 192.0.2.2 dev if3 proto unspec "
			    "table 200");
	apply(s, RTNL_OP_NEW, NLM_F_CREATE | NLM_F_REPLACE,
	      route(AF_INET, "10.1.0.0/16", 100, RTN_BLACKHOLE, 0, 0, "", 0));
	assert_string_equal(best(s, AF_INET, "10.1.0.0/16"),
			    "blackhole 10.1.0.0/16 proto unspec table 100");
	rtnl_store_free(s);
}

static void
batches_coalesce(void **state)
{
	struct rtnl_store *s = rtnl_store_new((uint32_t[]){100}, 1);
	struct rec rec = {0};
	uint32_t same;

	(void)state;
	/* Add then delete in one batch: nothing to say. */
	rtnl_store_apply(s, RTNL_OP_NEW, NLM_F_CREATE,
			 route(AF_INET, "10.1.0.0/16", 100, RTN_UNICAST, 0, 0,
			       "192.0.2.2", 3),
			 5);
	rtnl_store_apply(s, RTNL_OP_DEL, 0,
			 route(AF_INET, "10.1.0.0/16", 100, RTN_UNICAST, 0, 0,
			       "192.0.2.2", 3),
			 6);
	rtnl_store_apply(s, RTNL_OP_NEW, NLM_F_CREATE,
			 route(AF_INET6, "2001:db8::/32", 100, RTN_BLACKHOLE, 0,
			       1024, "", 1),
			 7);
	assert_int_equal(rtnl_store_pending(s), 2);
	assert_int_equal(rtnl_store_pending_since(s), 5);
	assert_int_equal(rtnl_store_flush(s, false, 9, rec_cb, &rec, &same), 1);
	assert_int_equal(same, 1);
	assert_string_equal(rec.text, "+2001:db8::/32 blackhole "
				      "2001:db8::/32 proto unspec metric 1024 "
				      "table 100");
	assert_int_equal(rtnl_store_check(s), 0);
	assert_int_equal(rtnl_store_prefixes(s, AF_INET), 0); /* freed */

	/* A worse route beside the best changes nothing; replacing the
	 * best is one change with both sides. */
	memset(&rec, 0, sizeof(rec));
	rtnl_store_apply(s, RTNL_OP_NEW, NLM_F_CREATE,
			 route(AF_INET6, "2001:db8::/32", 100, RTN_UNICAST, 0,
			       2048, "2001:db8:1::2", 4),
			 10);
	assert_int_equal(rtnl_store_flush(s, false, 11, rec_cb, &rec, NULL), 0);
	assert_int_equal(rec.batches, 0);
	rtnl_store_apply(s, RTNL_OP_DEL, 0,
			 route(AF_INET6, "2001:db8::/32", 100, RTN_BLACKHOLE, 0,
			       1024, "", 1),
			 12);
	assert_int_equal(rtnl_store_flush(s, false, 13, rec_cb, &rec, NULL), 1);
	assert_string_equal(rec.text, "~2001:db8::/32 blackhole 2001:db8::/32 "
				      "proto unspec metric 1024 table 100 > "
				      "2001:db8::/32 via 2001:db8:1::2 dev if4 "
				      "proto unspec metric 2048 table 100");
	rtnl_store_free(s);
}

static void
replace_all_reports_differences(void **state)
{
	struct rtnl_store *s = rtnl_store_new((uint32_t[]){100}, 1);
	struct rtnl_store *d = rtnl_store_new((uint32_t[]){100}, 1);
	struct rec rec = {0};

	(void)state;
	rtnl_store_apply(s, RTNL_OP_NEW, NLM_F_CREATE,
			 route(AF_INET, "10.1.0.0/16", 100, RTN_UNICAST, 0, 0,
			       "192.0.2.2", 3),
			 1);
	rtnl_store_apply(s, RTNL_OP_NEW, NLM_F_CREATE,
			 route(AF_INET, "10.2.0.0/16", 100, RTN_UNICAST, 0, 0,
			       "192.0.2.2", 3),
			 1);
	rtnl_store_flush(s, true, 2, rec_cb, &rec, NULL);
	assert_true(rec.full);

	/* The kernel (a dump) has 10.1/16 as before, 10.2/16 gone, 10.3/16
	 * new. */
	rtnl_store_apply(d, RTNL_OP_DUMP, 0,
			 route(AF_INET, "10.1.0.0/16", 100, RTN_UNICAST, 0, 0,
			       "192.0.2.2", 3),
			 3);
	rtnl_store_apply(
		d, RTNL_OP_DUMP, 0,
		route(AF_INET, "10.3.0.0/16", 100, RTN_BLACKHOLE, 0, 0, "", 0),
		3);
	assert_int_equal(rtnl_store_replace_all(s, d, 4), 0);
	assert_int_equal(rtnl_store_check(s), 0);
	assert_int_equal(rtnl_store_check(d), 0);
	assert_int_equal(rtnl_store_routes(d, AF_INET), 0);
	memset(&rec, 0, sizeof(rec));
	assert_int_equal(rtnl_store_flush(s, false, 5, rec_cb, &rec, NULL), 2);
	assert_non_null(strstr(rec.text, "-10.2.0.0/16 10.2.0.0/16 via"));
	assert_non_null(strstr(rec.text, "+10.3.0.0/16 blackhole"));
	assert_null(strstr(rec.text, "10.1.0.0"));
	assert_int_equal(rtnl_store_routes(s, AF_INET), 2);
	assert_int_equal(rtnl_store_check(s), 0);
	rtnl_store_free(s);
	rtnl_store_free(d);
}

static void
many_prefixes_grow_and_shrink(void **state)
{
	struct rtnl_store *s = rtnl_store_new((uint32_t[]){100}, 1);
	char p[32];
	unsigned i;

	(void)state;
	/* Enough prefixes to grow the hash several times, then delete every
	 * other one (backward-shift deletion keeps every key reachable). */
	for (i = 0; i < 5000; i++) {
		snprintf(p, sizeof(p), "10.%u.%u.0/24", i / 256, i % 256);
		rtnl_store_apply(s, RTNL_OP_NEW, NLM_F_CREATE,
				 route(AF_INET, p, 100, RTN_UNICAST, 0, 0,
				       "192.0.2.2", 3),
				 i);
	}
	rtnl_store_flush(s, true, 1, NULL, NULL, NULL);
	for (i = 0; i < 5000; i += 2) {
		snprintf(p, sizeof(p), "10.%u.%u.0/24", i / 256, i % 256);
		assert_int_equal(
			rtnl_store_apply(s, RTNL_OP_DEL, 0,
					 route(AF_INET, p, 100, RTN_UNICAST, 0,
					       0, "192.0.2.2", 3),
					 i),
			RTNL_DELETED);
	}
	rtnl_store_flush(s, false, 2, NULL, NULL, NULL);
	assert_int_equal(rtnl_store_check(s), 0);
	assert_int_equal(rtnl_store_prefixes(s, AF_INET), 2500);
	for (i = 1; i < 5000; i += 2) {
		snprintf(p, sizeof(p), "10.%u.%u.0/24", i / 256, i % 256);
		assert_string_not_equal(best(s, AF_INET, p), "-");
	}
	assert_false(rtnl_store_uses_ifindex(s, 4));
	assert_true(rtnl_store_uses_ifindex(s, 3));
	rtnl_store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(v4_add_append_prepend_replace_delete),
		cmocka_unit_test(tos_and_source_routes_are_not_best),
		cmocka_unit_test(v6_ecmp_siblings),
		cmocka_unit_test(dead_nexthops_and_table_precedence),
		cmocka_unit_test(batches_coalesce),
		cmocka_unit_test(replace_all_reports_differences),
		cmocka_unit_test(many_prefixes_grow_and_shrink),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
