/* SPDX-License-Identifier: BSD-3-Clause */
/* Stable ids across reloads (ixg_conf_compile_prev): same-named objects
 * keep their ids, new ones take the lowest free id, references (routes,
 * sources, ACL in_peer and class) follow; and the list of files read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ixg_conf.h"

#ifndef IXG_SRC_DIR
#define IXG_SRC_DIR "."
#endif

#define HEAD                                                                   \
	"node { name t; country SG; }\n"                                       \
	"port p0 { device \"net_null0\"; vlan 10 { address 10.0.0.1/24; } }\n" \
	"port p1 { device \"net_null1\"; }\n"                                  \
	"class gold { committed-rate 1mbit; committed-burst 4k; }\n"           \
	"class silver { committed-rate 1mbit; committed-burst 4k; }\n"

#define PEER(name, asn, vlan, mac, pfx)                                        \
	"peer " name " { asn " asn "; country VN; port p0; vlan " vlan         \
	"; mac " mac "; announce { " pfx "; } }\n"

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

static const struct ixg_spec_peer *
peer(const struct ixg_spec *s, const char *name)
{
	uint32_t i;

	for (i = 0; i < s->n_peers; i++)
		if (strcmp(s->peers[i].name, name) == 0)
			return &s->peers[i];
	fail_msg("no peer %s", name);
	return NULL;
}

static uint16_t
route4_peer(const struct ixg_spec *s, uint32_t addr)
{
	uint32_t i;

	for (i = 0; i < s->n_routes4; i++)
		if (s->routes4[i].addr == addr)
			return s->routes4[i].peer_id;
	fail_msg("no route %08x", addr);
	return 0;
}

static const char *three = HEAD PEER(
	"a", "1", "11", "02:00:00:00:00:0a",
	"10.1.0.0/16") PEER("b", "2", "12", "02:00:00:00:00:0b", "10.2.0.0/16")
	PEER("c", "3", "13", "02:00:00:00:00:0c",
	     "10.3.0.0/16") "acl { rule 10 r1 { from c; action class silver; "
			    "}\n"
			    "      rule 20 { protocol tcp; action deny; } }\n";

/* Without prev: declaration order, as before issue 3. */
static void
test_no_prev_dense(void **state)
{
	struct ixg_spec s;

	(void)state;
	compile(three, NULL, &s);
	assert_int_equal(peer(&s, "a")->id, 1);
	assert_int_equal(peer(&s, "b")->id, 2);
	assert_int_equal(peer(&s, "c")->id, 3);
	assert_int_equal(s.ports[0].id, 0);
	assert_int_equal(s.ports[1].id, 1);
	assert_int_equal(s.classes[1].id, 2);
	ixg_spec_free(&s);
}

/* Peer b removed, a new peer d inserted first: a and c keep 1 and 3, d
 * and e take 4 and 5, not b's 2 freed by this very commit (its counters
 * are b's until a commit without b is live: the dataplane zeroes an id
 * only when no running object has it); routes and ACL references follow
 * the names. */
static void
test_keep_by_name(void **state)
{
	struct ixg_spec prev, s;
	const char *next = HEAD PEER("d", "4", "14", "02:00:00:00:00:0d",
				     "10.4.0.0/16")
		PEER("c", "3", "13", "02:00:00:00:00:0c", "10.3.0.0/16") PEER(
			"a", "1", "11", "02:00:00:00:00:0a", "10.1.0.0/16")
			PEER("e", "5", "15", "02:00:00:00:00:0e",
			     "10.5.0.0/16") "acl { rule 10 r1 { from c; action "
					    "class silver; }\n"
					    "      rule 20 { protocol tcp; "
					    "action deny; } }\n";

	(void)state;
	compile(three, NULL, &prev);
	compile(next, &prev, &s);
	assert_int_equal(peer(&s, "a")->id, 1);
	assert_int_equal(peer(&s, "c")->id, 3);
	assert_int_equal(peer(&s, "d")->id, 4);
	assert_int_equal(peer(&s, "e")->id, 5);
	assert_int_equal(route4_peer(&s, 0x0a030000), 3);
	assert_int_equal(route4_peer(&s, 0x0a040000), 4);
	assert_int_equal(route4_peer(&s, 0x0a050000), 5);
	assert_int_equal(s.acl_rules[0].in_peer, 3);
	assert_int_equal(s.acl_rules[0].class_id, 2);
	/* Rules keep ids by name, unnamed ones by priority. */
	assert_int_equal(s.acl_rules[0].id, prev.acl_rules[0].id);
	assert_int_equal(s.acl_rules[1].id, prev.acl_rules[1].id);
	ixg_spec_free(&prev);
	ixg_spec_free(&s);
}

/* Classes and ports swapped in the file keep their ids; a rule that moves
 * to another priority keeps its id by name. */
static void
test_reorder_classes_ports(void **state)
{
	struct ixg_spec prev, s;
	const char *next =
		"node { name t; country SG; }\n"
		"port p1 { device \"net_null1\"; }\n"
		"port p0 { device \"net_null0\"; vlan 10 { address "
		"10.0.0.1/24; } }\n"
		"class silver { committed-rate 1mbit; committed-burst 4k; }\n"
		"class gold { committed-rate 1mbit; committed-burst 4k; "
		"}\n" PEER("a", "1", "11", "02:00:00:00:00:0a", "10.1.0.0/16")
			PEER("b", "2", "12", "02:00:00:00:00:0b", "10.2.0.0/16")
				PEER("c", "3", "13", "02:00:00:00:00:0c",
				     "10.3.0.0/16") "acl { rule 5 r1 { from c; "
						    "action class silver; }\n"
						    "      rule 20 { protocol "
						    "tcp; action deny; } }\n";

	(void)state;
	compile(three, NULL, &prev);
	compile(next, &prev, &s);
	assert_string_equal(s.ports[0].name, "p1");
	assert_int_equal(s.ports[0].id, 1);
	assert_int_equal(s.ports[1].id, 0);
	/* The peers are on p0, whatever its position in the file. */
	assert_int_equal(peer(&s, "a")->port_id, 0);
	assert_int_equal(s.local_addrs[0].port_id, 0);
	assert_string_equal(s.classes[0].name, "silver");
	assert_int_equal(s.classes[0].id, 2);
	assert_int_equal(s.classes[1].id, 1);
	assert_int_equal(s.acl_rules[0].class_id, 2);
	assert_int_equal(s.acl_rules[0].priority, 5);
	assert_int_equal(s.acl_rules[0].id, prev.acl_rules[0].id);
	ixg_spec_free(&prev);
	ixg_spec_free(&s);
}

/* ids stay unique whatever prev says: a prev whose names collide on ids
 * (two names with the same id) cannot give one id twice. */
static void
test_unique_ids(void **state)
{
	struct ixg_spec prev, s;
	uint32_t i, j;

	(void)state;
	compile(three, NULL, &prev);
	prev.peers[1].id = prev.peers[0].id; /* a and b both claim 1 */
	compile(three, &prev, &s);
	for (i = 0; i < s.n_peers; i++) {
		assert_true(s.peers[i].id >= 1);
		for (j = i + 1; j < s.n_peers; j++)
			assert_int_not_equal(s.peers[i].id, s.peers[j].id);
	}
	assert_int_equal(peer(&s, "a")->id, 1);
	assert_int_equal(peer(&s, "b")->id, 2); /* lowest free */
	ixg_spec_free(&prev);
	ixg_spec_free(&s);
}

static uint16_t
cc_index(const struct ixg_spec *s, ixg_cc_t cc)
{
	uint32_t i;

	for (i = 0; i < s->n_countries; i++)
		if (s->countries[i] == cc)
			return (uint16_t)i;
	fail_msg("no country %04x", cc);
	return 0;
}

/* Country indices (country-pair counters) are kept by code: a country
 * first seen before TH in the new files does not shift TH. */
static void
test_country_index_kept(void **state)
{
	struct ixg_spec prev, s;
	const char *next = HEAD PEER(
		"b", "2", "12", "02:00:00:00:00:0b",
		"10.2.0.0/16") "peer f { asn 6; country MY; port p0; vlan 16; "
			       "mac 02:00:00:00:00:0f; announce { 10.6.0.0/16; "
			       "} }\n"
			       "peer t { asn 7; country TH; port p0; vlan 17; "
			       "mac 02:00:00:00:00:1f; announce { 10.7.0.0/16; "
			       "} }\n";
	const char *first = HEAD PEER(
		"b", "2", "12", "02:00:00:00:00:0b",
		"10.2.0.0/16") "peer t { asn 7; country TH; port p0; vlan 17; "
			       "mac 02:00:00:00:00:1f; announce { 10.7.0.0/16; "
			       "} }\n";
	uint16_t th;

	(void)state;
	compile(first, NULL, &prev);
	th = cc_index(&prev, IXG_CC('T', 'H'));
	assert_int_equal(peer(&prev, "t")->country, th);
	compile(next, &prev, &s);
	assert_int_equal(cc_index(&s, IXG_CC('T', 'H')), th);
	assert_int_equal(peer(&s, "t")->country, th);
	assert_int_equal(peer(&s, "b")->country,
			 cc_index(&s, IXG_CC('V', 'N')));
	assert_int_equal(cc_index(&s, IXG_CC('S', 'G')),
			 cc_index(&prev, IXG_CC('S', 'G')));
	assert_int_equal(peer(&s, "f")->country,
			 cc_index(&s, IXG_CC('M', 'Y')));
	ixg_spec_free(&prev);
	ixg_spec_free(&s);
}

/* The demo config lists its root file, its includes and its data files. */
static void
test_files_listed(void **state)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c;
	unsigned i, n, n_peers_d = 0, n_csv = 0;

	(void)state;
	c = ixg_conf_parse_file(IXG_SRC_DIR "/config/demo.conf", d);
	assert_non_null(c);
	n = ixg_conf_n_files(c);
	assert_true(n >= 4);
	assert_string_equal(ixg_conf_file(c, 0),
			    IXG_SRC_DIR "/config/demo.conf");
	for (i = 0; i < n; i++) {
		const char *f = ixg_conf_file(c, i);

		assert_non_null(f);
		n_peers_d += strstr(f, "peers.d/") != NULL;
		n_csv += strstr(f, "asn-country-ipv") != NULL;
	}
	assert_true(n_peers_d >= 1);
	assert_int_equal(n_csv, 2);
	assert_null(ixg_conf_file(c, n));
	ixg_conf_free(c);
	ixg_diags_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_prev_dense),
		cmocka_unit_test(test_keep_by_name),
		cmocka_unit_test(test_reorder_classes_ports),
		cmocka_unit_test(test_unique_ids),
		cmocka_unit_test(test_country_index_kept),
		cmocka_unit_test(test_files_listed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
