/* SPDX-License-Identifier: BSD-3-Clause */
/* The differ: which config edits produce which counts, and which tables a
 * commit sends (only those whose content changed; origins are not
 * content). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diff.h"
#include "ixg_conf.h"

#define HEAD                                                                   \
	"node { name t; country SG; }\n"                                       \
	"port p0 { device \"net_null0\"; vlan 11 { address 10.0.0.1/24; } }\n" \
	"class gold { committed-rate 1mbit; committed-burst 4k; }\n"

#define PEER_A(extra)                                                          \
	"peer a { asn 1; country VN; port p0; vlan 11; "                       \
	"mac 02:00:00:00:00:0a; announce { 10.1.0.0/16; " extra "} }\n"
#define PEER_B(asn)                                                            \
	"peer b { asn " asn "; country TH; port p0; vlan 12; "                 \
	"mac 02:00:00:00:00:0b; announce { 10.2.0.0/16; 2001:db8:2::/48; } "   \
	"}\n"
#define ACL(extra)                                                             \
	"acl { rule 10 r1 { from b; action class gold; }\n" extra "}\n"

static const char *base = HEAD PEER_A("") PEER_B("2")
	ACL("") "blackhole 10.2.3.0/24;\n";

static void
compile(const char *text, const struct ixg_spec *prev, struct ixg_spec *s)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c = ixg_conf_parse_string("t.conf", text, strlen(text),
						   d);

	if (c == NULL || ixg_conf_compile_prev(c, prev, s, d) != 0) {
		ixg_diags_print(d, stderr);
		fail_msg("config did not compile");
	}
	ixg_conf_free(c);
	ixg_diags_free(d);
}

/* Diff base -> text (compiled with base's ids, as the daemon does). */
static void
diff_from_base(const char *text, struct ctl_diff *d)
{
	struct ixg_spec a, b;

	compile(base, NULL, &a);
	compile(text, &a, &b);
	assert_int_equal(ctl_diff(&a, &b, d), 0);
	ixg_spec_free(&a);
	ixg_spec_free(&b);
}

#define BIT(t) (1u << (t))

static void
test_first_commit_sends_everything(void **state)
{
	struct ixg_spec s;
	struct ctl_diff d;
	unsigned k;

	(void)state;
	compile(base, NULL, &s);
	assert_int_equal(ctl_diff(NULL, &s, &d), 0);
	for (k = 1; k < IXG_TBL_MAX; k++)
		assert_true(d.changed_tables & BIT(k));
	assert_int_equal(d.t[IXG_TBL_PEERS].added, 2);
	assert_int_equal(d.t[IXG_TBL_ROUTES4].added, 2);
	assert_int_equal(d.t[IXG_TBL_ROUTES6].added, 1);
	assert_int_equal(d.t[IXG_TBL_BLACKHOLES].added, 1);
	assert_int_equal(d.t[IXG_TBL_NODE].added, 1);
	ixg_spec_free(&s);
}

static void
test_same_config_sends_nothing(void **state)
{
	struct ctl_diff d;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	diff_from_base(base, &d);
	assert_int_equal(d.changed_tables, 0);
	f = open_memstream(&buf, &len);
	ctl_diff_text(&d, f);
	fclose(f);
	assert_string_equal(buf, "no change");
	free(buf);
}

/* A class inserted at the top shifts every later origin: only the classes
 * table is sent, the peers, routes and rules are not. */
static void
test_origin_shift_is_not_a_change(void **state)
{
	struct ctl_diff d;
	const char *text = "class bronze { committed-rate 1mbit; "
			   "committed-burst 4k; }\n" HEAD PEER_A("") PEER_B("2")
				   ACL("") "blackhole 10.2.3.0/24;\n";

	(void)state;
	diff_from_base(text, &d);
	assert_int_equal(d.changed_tables, BIT(IXG_TBL_CLASSES));
	assert_int_equal(d.t[IXG_TBL_CLASSES].added, 1);
	assert_int_equal(d.t[IXG_TBL_CLASSES].changed, 0);
}

/* One prefix added to a peer's list: routes and sources, nothing else
 * (the operator's edit from the "done means"). */
static void
test_prefix_added(void **state)
{
	struct ctl_diff d;
	const char *text = HEAD PEER_A("10.9.0.0/16; ") PEER_B("2")
		ACL("") "blackhole 10.2.3.0/24;\n";
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	diff_from_base(text, &d);
	assert_int_equal(d.changed_tables,
			 BIT(IXG_TBL_ROUTES4) | BIT(IXG_TBL_SOURCES4));
	assert_int_equal(d.t[IXG_TBL_ROUTES4].added, 1);
	assert_int_equal(d.t[IXG_TBL_ROUTES4].removed, 0);
	assert_int_equal(d.t[IXG_TBL_SOURCES4].added, 1);
	assert_int_equal(d.t[IXG_TBL_PEERS].changed, 0);
	f = open_memstream(&buf, &len);
	ctl_diff_json(&d, f);
	fclose(f);
	assert_string_equal(
		buf,
		"{\"routes4\": {\"added\": 1, \"removed\": 0, \"changed\": 0}, "
		"\"sources4\": {\"added\": 1, \"removed\": 0, \"changed\": "
		"0}}");
	free(buf);
}

static void
test_peer_changed(void **state)
{
	struct ctl_diff d;
	const char *text = HEAD PEER_A("") PEER_B("65000")
		ACL("") "blackhole 10.2.3.0/24;\n";

	(void)state;
	diff_from_base(text, &d);
	assert_int_equal(d.changed_tables, BIT(IXG_TBL_PEERS));
	assert_int_equal(d.t[IXG_TBL_PEERS].changed, 1);
	assert_int_equal(d.t[IXG_TBL_PEERS].added, 0);
	assert_int_equal(d.t[IXG_TBL_PEERS].removed, 0);
}

/* Peer a removed: its route and source go, b keeps its id, so b's routes
 * and the rule "from b" are unchanged and not sent. */
static void
test_peer_removed(void **state)
{
	struct ctl_diff d;
	const char *text = HEAD PEER_B("2") ACL("") "blackhole 10.2.3.0/24;\n";

	(void)state;
	diff_from_base(text, &d);
	assert_int_equal(d.t[IXG_TBL_PEERS].removed, 1);
	assert_int_equal(d.t[IXG_TBL_PEERS].changed, 0);
	assert_int_equal(d.t[IXG_TBL_ROUTES4].removed, 1);
	assert_int_equal(d.t[IXG_TBL_ROUTES4].changed, 0);
	assert_int_equal(d.t[IXG_TBL_SOURCES4].removed, 1);
	assert_false(d.changed_tables & BIT(IXG_TBL_ROUTES6));
	assert_false(d.changed_tables & BIT(IXG_TBL_ACL_RULES));
	assert_false(d.changed_tables & BIT(IXG_TBL_LOCAL_ADDRS));
}

/* A route moving to another peer is a change of that route, keyed by
 * prefix; a source moving is one removal and one addition (keyed by
 * prefix and peer). */
static void
test_route_moves(void **state)
{
	struct ctl_diff d;
	const char *text = HEAD
		"peer a { asn 1; country VN; port p0; vlan 11; "
		"mac 02:00:00:00:00:0a; announce { 10.1.0.0/16; 10.2.0.0/16; } "
		"}\n"
		"peer b { asn 2; country TH; port p0; vlan 12; "
		"mac 02:00:00:00:00:0b; announce { 2001:db8:2::/48; } }\n" ACL(
			"") "blackhole 10.2.3.0/24;\n";

	(void)state;
	diff_from_base(text, &d);
	assert_int_equal(d.t[IXG_TBL_ROUTES4].changed, 1);
	assert_int_equal(d.t[IXG_TBL_ROUTES4].added, 0);
	assert_int_equal(d.t[IXG_TBL_SOURCES4].added, 1);
	assert_int_equal(d.t[IXG_TBL_SOURCES4].removed, 1);
	assert_false(d.changed_tables & BIT(IXG_TBL_PEERS));
}

static void
test_rules_and_blackholes(void **state)
{
	struct ctl_diff d;
	const char *text = HEAD PEER_A("") PEER_B("2")
		ACL("rule 20 r2 { protocol tcp; destination-port 23; action "
		    "deny; }\n") "blackhole 10.1.3.0/24;\n";

	(void)state;
	diff_from_base(text, &d);
	assert_int_equal(d.changed_tables,
			 BIT(IXG_TBL_ACL_RULES) | BIT(IXG_TBL_BLACKHOLES));
	/* r2 covers IPv4 and IPv6: two compiled rules. */
	assert_int_equal(d.t[IXG_TBL_ACL_RULES].added, 2);
	assert_int_equal(d.t[IXG_TBL_ACL_RULES].changed, 0);
	assert_int_equal(d.t[IXG_TBL_BLACKHOLES].added, 1);
	assert_int_equal(d.t[IXG_TBL_BLACKHOLES].removed, 1);
}

/* An error reported at (table, index) maps to the new spec's object. */
static void
test_origin_lookup(void **state)
{
	struct ixg_spec s;

	(void)state;
	compile(base, NULL, &s);
	assert_int_equal(ctl_spec_origin(&s, IXG_TBL_PEERS, 1),
			 s.peers[1].origin);
	assert_int_equal(ctl_spec_origin(&s, IXG_TBL_PEERS, 2), UINT32_MAX);
	assert_int_equal(ctl_spec_origin(&s, IXG_TBL_NODE, 0), UINT32_MAX);
	assert_int_equal(ctl_spec_origin(&s, 99, 0), UINT32_MAX);
	assert_string_equal(ctl_table_name(IXG_TBL_ROUTES6), "routes6");
	assert_string_equal(ctl_table_name(0), "unknown");
	ixg_spec_free(&s);
}

/* Counting by key skips the equal head and tail of a table (here the
 * first 1,500 and last 1,299 prefixes): a long prefix list changed in its
 * middle counts exactly the middle's edits. */
static void
test_long_table_middle_edit(void **state)
{
	struct ixg_spec a, b;
	struct ctl_diff d;
	size_t cap = 1 << 20, off;
	char *ta = malloc(cap), *tb = malloc(cap);

	(void)state;
	assert_non_null(ta);
	assert_non_null(tb);
	off = (size_t)snprintf(
		ta, cap, "%s",
		HEAD "peer a { asn 1; country VN; "
		     "port p0; vlan 11; mac 02:00:00:00:00:0a; announce { ");
	memcpy(tb, ta, off + 1);
	for (unsigned i = 0; i < 3000; i++) {
		char p[32];

		snprintf(p, sizeof(p), "10.%u.%u.0/24; ", 16 + i / 256,
			 i % 256);
		strcat(ta + off, i == 1500 ? "" : p); /* a lacks #1500 */
		strcat(tb + off, i == 1700 ? "" : p); /* b lacks #1700 */
		if (i == 1600) {
			strcat(ta + off, "10.99.0.0/16; ");
			strcat(tb + off, "10.99.0.0/17; ");
		}
	}
	strcat(ta, "} }\n");
	strcat(tb, "} }\n");
	compile(ta, NULL, &a);
	compile(tb, &a, &b);
	assert_int_equal(ctl_diff(&a, &b, &d), 0);
	assert_true(d.changed_tables & BIT(IXG_TBL_ROUTES4));
	/* b adds #1500 and the /17, removes #1700 and the /16 */
	assert_int_equal(d.t[IXG_TBL_ROUTES4].added, 2);
	assert_int_equal(d.t[IXG_TBL_ROUTES4].removed, 2);
	assert_int_equal(d.t[IXG_TBL_ROUTES4].changed, 0);
	ixg_spec_free(&a);
	ixg_spec_free(&b);
	free(ta);
	free(tb);
}

/* Two members swap names (a full replace: ids follow names, so every
 * route and source changes owner), and the second list gains a prefix in
 * the middle: routes keep their keys (changed), sources are keyed by
 * owner too (removed and added). */
static void
append_peer(char *t, size_t cap, const char *name, unsigned asn, unsigned mac,
	    unsigned first, bool extra)
{
	size_t off = strlen(t);

	off += (size_t)snprintf(t + off, cap - off,
				"peer %s { asn %u; country VN; port p0; vlan "
				"%u; mac 02:00:00:00:00:%02x; announce { ",
				name, asn, 10 + mac, mac);
	for (unsigned i = 0; i < 1000; i++) {
		off += (size_t)snprintf(t + off, cap - off, "10.%u.%u.0/24; ",
					first + i / 256, i % 256);
		if (extra && i == 500)
			off += (size_t)snprintf(t + off, cap - off,
						"10.99.0.0/16; ");
	}
	snprintf(t + off, cap - off, "} }\n");
}

static void
test_owners_swapped(void **state)
{
	struct ixg_spec a, b;
	struct ctl_diff d;
	size_t cap = 1 << 20;
	char *ta = calloc(1, cap), *tb = calloc(1, cap);

	(void)state;
	assert_non_null(ta);
	assert_non_null(tb);
	strcpy(ta, HEAD);
	strcpy(tb, HEAD);
	append_peer(ta, cap, "a", 1, 10, 16, false);
	append_peer(ta, cap, "b", 2, 11, 32, false);
	append_peer(tb, cap, "b", 1, 10, 16, false);
	append_peer(tb, cap, "a", 2, 11, 32, true);
	compile(ta, NULL, &a);
	compile(tb, &a, &b);
	assert_int_equal(ctl_diff(&a, &b, &d), 0);
	assert_int_equal(d.t[IXG_TBL_ROUTES4].added, 1);
	assert_int_equal(d.t[IXG_TBL_ROUTES4].removed, 0);
	assert_int_equal(d.t[IXG_TBL_ROUTES4].changed, 2000);
	assert_int_equal(d.t[IXG_TBL_SOURCES4].added, 2001);
	assert_int_equal(d.t[IXG_TBL_SOURCES4].removed, 2000);
	assert_int_equal(d.t[IXG_TBL_SOURCES4].changed, 0);
	ixg_spec_free(&a);
	ixg_spec_free(&b);
	free(ta);
	free(tb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_table_middle_edit),
		cmocka_unit_test(test_owners_swapped),
		cmocka_unit_test(test_first_commit_sends_everything),
		cmocka_unit_test(test_same_config_sends_nothing),
		cmocka_unit_test(test_origin_shift_is_not_a_change),
		cmocka_unit_test(test_prefix_added),
		cmocka_unit_test(test_peer_changed),
		cmocka_unit_test(test_peer_removed),
		cmocka_unit_test(test_route_moves),
		cmocka_unit_test(test_rules_and_blackholes),
		cmocka_unit_test(test_origin_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
