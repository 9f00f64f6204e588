/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of tools/ixgate-mkconfig on small ip-location-db CSVs written here:
 * exact range-to-CIDR conversion, grouping of origin ASNs into peers, the
 * generated config loading through the config library with the expected
 * counts, deaggregation (count, containment, determinism), the l3fwd rule
 * files, the benchmark variants (small table, stages off, untagged), and
 * errors on bad input. argv[1] is the tool's path.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ixg_conf.h"
#include "../test_slurp.h"

static const char *tool;
static char dir[64];

/*
 * Data: CN has AS4134 (3 ranges) and AS4837 (1), VN AS7552, US AS7018 (2)
 * and AS701, DE AS3320. The organisation names carry commas in quotes, as
 * the real files do.
 */
static const char asn4[] = "1.0.0.0,1.0.255.255,4134,\"CHINANET, backbone\"\n"
			   "1.1.1.0,1.1.3.255,4134,CHINANET\n"
			   "1.2.0.1,1.2.0.6,4134,CHINANET\n"
			   "1.3.0.0,1.3.0.255,4837,CHINA UNICOM\n"
			   "14.160.0.0,14.160.255.255,7552,Viettel\n"
			   "12.0.0.0,12.0.15.255,7018,\"AT&T, Inc.\"\n"
			   "12.1.0.0,12.1.0.255,7018,AT&T\n"
			   "63.0.0.0,63.0.0.255,701,Verizon\n"
			   "80.128.0.0,80.128.255.255,3320,Deutsche Telekom\n";
static const char asn6[] =
	"2400:cb00::,2400:cb00:ffff:ffff:ffff:ffff:ffff:ffff,4134,CHINANET\n"
	"2001:200::,2001:200:1:ffff:ffff:ffff:ffff:ffff,7018,AT&T\n";
static const char cc4[] = "ip_range_start,ip_range_end,country_code\n"
			  "1.0.0.0,1.255.255.255,CN\n"
			  "12.0.0.0,12.255.255.255,US\n"
			  "14.160.0.0,14.191.255.255,VN\n"
			  "63.0.0.0,63.255.255.255,US\n"
			  "80.128.0.0,80.159.255.255,DE\n";
static const char cc6[] =
	"2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,US\n"
	"2400:cb00::,2400:cb00:ffff:ffff:ffff:ffff:ffff:ffff,CN\n";

/* 1.0.0.0/16, 1.1.1.0/24, 1.1.2.0/23, 1.2.0.1/32, 1.2.0.2/31, 1.2.0.4/31,
 * 1.2.0.6/32, 1.3.0.0/24, 12.0.0.0/20, 12.1.0.0/24, 14.160.0.0/16,
 * 63.0.0.0/24, 80.128.0.0/16 */
#define N_ROUTES4 13
#define N_ROUTES6 2

static void
write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Runs the tool on the test data with extra options; returns its exit
 * status, its stderr in dir/err.txt. */
static int
run(const char *fmt, ...)
{
	char opts[512], cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(opts, sizeof(opts), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd),
		 "'%s' --data '%s' %s >'%s/out.txt' 2>'%s/err.txt'", tool, dir,
		 opts, dir, dir);
	st = system(cmd);
	assert_true(st != -1 && WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int
load(const char *sub, struct ixg_spec *spec)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s/ixgate.conf", dir, sub);
	memset(spec, 0, sizeof(*spec));
	return ixg_conf_load(path, spec, stderr);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ixg-mkconfig-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	write_file("asn-ipv4.csv", asn4);
	write_file("asn-ipv6.csv", asn6);
	write_file("asn-country-ipv4.csv", cc4);
	write_file("asn-country-ipv6.csv", cc6);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const struct ixg_spec_peer *
peer_named(const struct ixg_spec *s, const char *name)
{
	uint32_t i;

	for (i = 0; i < s->n_peers; i++)
		if (strcmp(s->peers[i].name, name) == 0)
			return &s->peers[i];
	return NULL;
}

static const char *
route4_peer(const struct ixg_spec *s, uint32_t addr, uint8_t len)
{
	uint32_t i;

	for (i = 0; i < s->n_routes4; i++)
		if (s->routes4[i].addr == addr && s->routes4[i].len == len)
			return ixg_spec_peer_by_id(s, s->routes4[i].peer_id)
				->name;
	return NULL;
}

#define A4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

/* The generated config loads, with every route, rule and blackhole. */
static void
test_config_loads(void **state)
{
	struct ixg_spec s;

	(void)state;
	assert_int_equal(run("--out %s/c1 --peers 6 --acl-rules 60 "
			     "--blackholes 2",
			     dir),
			 0);
	assert_int_equal(load("c1", &s), 0);
	assert_int_equal(s.n_routes4, N_ROUTES4);
	assert_int_equal(s.n_routes6, N_ROUTES6);
	assert_int_equal(s.n_peers, 6);
	assert_int_equal(s.n_acl_rules, 60);
	assert_int_equal(s.n_blackholes, 2);
	assert_int_equal(s.n_classes, 3);
	assert_int_equal(s.n_ports, 2);
	/* Country data: the CSVs, found through a relative path. */
	assert_int_equal(s.n_country4, 5);
	assert_int_equal(s.n_country6, 2);
	/* Allowed sources default to the announced prefixes. */
	assert_int_equal(s.n_sources4, N_ROUTES4);
	ixg_spec_free(&s);
}

/* Exact minimal CIDR cover of every range, and each route's origin peer. */
static void
test_cidr_and_origin(void **state)
{
	struct ixg_spec s;

	(void)state;
	assert_int_equal(run("--out %s/c2 --peers 6 --acl-rules 0 "
			     "--blackholes 0",
			     dir),
			 0);
	assert_int_equal(load("c2", &s), 0);
	assert_string_equal(route4_peer(&s, A4(1, 0, 0, 0), 16), "cn-1");
	assert_string_equal(route4_peer(&s, A4(1, 1, 1, 0), 24), "cn-1");
	assert_string_equal(route4_peer(&s, A4(1, 1, 2, 0), 23), "cn-1");
	assert_string_equal(route4_peer(&s, A4(1, 2, 0, 1), 32), "cn-1");
	assert_string_equal(route4_peer(&s, A4(1, 2, 0, 2), 31), "cn-1");
	assert_string_equal(route4_peer(&s, A4(1, 2, 0, 4), 31), "cn-1");
	assert_string_equal(route4_peer(&s, A4(1, 2, 0, 6), 32), "cn-1");
	assert_string_equal(route4_peer(&s, A4(1, 3, 0, 0), 24), "cn-2");
	assert_string_equal(route4_peer(&s, A4(14, 160, 0, 0), 16), "vn");
	assert_string_equal(route4_peer(&s, A4(12, 0, 0, 0), 20), "us-1");
	assert_string_equal(route4_peer(&s, A4(12, 1, 0, 0), 24), "us-1");
	assert_string_equal(route4_peer(&s, A4(63, 0, 0, 0), 24), "us-2");
	assert_string_equal(route4_peer(&s, A4(80, 128, 0, 0), 16), "de");
	assert_int_equal(s.routes6[0].len + s.routes6[1].len, 32 + 47);
	ixg_spec_free(&s);
}

/*
 * Grouping: China and ASEAN first, then countries by prefix count; spare
 * peers split the group with the most prefixes per peer (CN: 5 prefixes,
 * then US: 3); with fewer peers than countries the last one is "other".
 */
static void
test_peer_grouping(void **state)
{
	const struct ixg_spec_peer *p;
	struct ixg_spec s;

	(void)state;
	assert_int_equal(run("--out %s/c3 --peers 6 --acl-rules 0", dir), 0);
	assert_int_equal(load("c3", &s), 0);
	assert_string_equal(s.peers[0].name, "cn-1");
	assert_string_equal(s.peers[1].name, "cn-2");
	assert_string_equal(s.peers[2].name, "de");
	p = peer_named(&s, "cn-1");
	assert_int_equal(p->asn, 4134);
	assert_int_equal(p->port_id, 1); /* private interconnect */
	assert_int_equal(s.countries[p->country], IXG_CC('C', 'N'));
	p = peer_named(&s, "cn-2");
	assert_int_equal(p->asn, 4837);
	assert_int_not_equal(p->vlan, peer_named(&s, "cn-1")->vlan);
	p = peer_named(&s, "us-2");
	assert_non_null(p);
	assert_int_equal(p->asn, 701);
	assert_int_equal(p->port_id, 0); /* public peering LAN */
	assert_int_equal(p->vlan, 100);
	assert_int_equal(p->sav_mode, IXG_SAV_STRICT);
	ixg_spec_free(&s);

	assert_int_equal(run("--out %s/c3 --peers 3 --acl-rules 0", dir), 0);
	assert_int_equal(load("c3", &s), 0);
	assert_int_equal(s.n_peers, 3);
	/* A rerun with fewer peers leaves no stale peer file behind. */
	assert_null(peer_named(&s, "cn-1"));
	assert_non_null(peer_named(&s, "cn"));
	assert_non_null(peer_named(&s, "vn"));
	p = peer_named(&s, "other");
	assert_non_null(p);
	assert_int_equal(s.countries[p->country], IXG_CC('-', '-'));
	assert_int_equal(p->sav_mode, IXG_SAV_LOOSE);
	assert_string_equal(route4_peer(&s, A4(80, 128, 0, 0), 16), "other");
	assert_string_equal(route4_peer(&s, A4(63, 0, 0, 0), 24), "other");
	assert_int_equal(s.n_routes4, N_ROUTES4);
	ixg_spec_free(&s);
}

static int
covered_by_real4(const struct ixg_spec *real, const struct ixg_spec_route4 *r)
{
	uint32_t i;

	for (i = 0; i < real->n_routes4; i++) {
		const struct ixg_spec_route4 *p = &real->routes4[i];
		uint32_t m = p->len ? ~0u << (32 - p->len) : 0;

		if (p->len <= r->len && (r->addr & m) == p->addr &&
		    strcmp(ixg_spec_peer_by_id(real, p->peer_id)->name,
			   ixg_spec_peer_by_id(real, r->peer_id)->name) == 0)
			return 1;
	}
	return 0;
}

/* More-specifics: exact counts, inside a real prefix of the same peer, no
 * duplicates (the compiler refuses those), same seed same bytes. */
static void
test_deaggregate(void **state)
{
	struct ixg_spec real, s;
	char path[128];
	char *a, *b;
	uint32_t i, more = 0;

	(void)state;
	assert_int_equal(run("--out %s/r --peers 6 --acl-rules 0", dir), 0);
	assert_int_equal(load("r", &real), 0);
	assert_int_equal(
		run("--out %s/d1 --peers 6 --acl-rules 20 --deaggregate "
		    "--routes4 400 --routes6 150 --seed 7",
		    dir),
		0);
	assert_int_equal(load("d1", &s), 0);
	assert_int_equal(s.n_routes4, 400);
	assert_int_equal(s.n_routes6, 150);
	for (i = 0; i < s.n_routes4; i++) {
		assert_true(covered_by_real4(&real, &s.routes4[i]));
		more += s.routes4[i].len == 24;
	}
	assert_true(more > 100); /* mostly /24s */
	ixg_spec_free(&s);
	ixg_spec_free(&real);

	assert_int_equal(
		run("--out %s/d2 --peers 6 --acl-rules 20 --deaggregate "
		    "--routes4 400 --routes6 150 --seed 7",
		    dir),
		0);
	snprintf(path, sizeof(path), "%s/d1/prefixes/cn-1.txt", dir);
	a = slurp(path);
	snprintf(path, sizeof(path), "%s/d2/prefixes/cn-1.txt", dir);
	b = slurp(path);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static unsigned
count_lines(const char *text, char lead)
{
	unsigned n = 0;
	const char *p = text;

	while (*p) {
		n += *p == lead;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return n;
}

/* l3fwd rule files: LPM routes exactly as the config's, in l3fwd's form;
 * ACL files with the config's family deny rules and longest-first routes. */
static void
test_l3fwd_rules(void **state)
{
	struct ixg_spec s;
	char path[128];
	char *t;
	unsigned deny4 = 0, i;
	const char *r, *last = NULL;

	(void)state;
	assert_int_equal(run("--out %s/l --peers 6 --acl-rules 200 "
			     "--l3fwd-rules %s/l3",
			     dir, dir),
			 0);
	snprintf(path, sizeof(path), "%s/l3/rule_ipv4.cfg", dir);
	t = slurp(path);
	assert_non_null(t);
	assert_int_equal(count_lines(t, 'R'), N_ROUTES4);
	assert_non_null(strstr(t, "\nR1.1.2.0/23 1\n"));
	assert_non_null(strstr(t, "\nR1.2.0.6/32 1\n"));
	assert_non_null(strstr(t, "\nR80.128.0.0/16 0\n"));
	free(t);
	snprintf(path, sizeof(path), "%s/l3/rule_ipv6.cfg", dir);
	t = slurp(path);
	assert_non_null(strstr(t, "\nR2001:200::/47 0\n"));
	assert_non_null(strstr(t, "\nR2400:cb00::/32 1\n"));
	free(t);

	assert_int_equal(load("l", &s), 0);
	for (i = 0; i < s.n_acl_rules; i++)
		deny4 += s.acl_rules[i].family == 4 &&
			 s.acl_rules[i].action == IXG_ACL_DENY &&
			 s.acl_rules[i].dscp_any;
	ixg_spec_free(&s);
	snprintf(path, sizeof(path), "%s/l3/acl_rule_ipv4.cfg", dir);
	t = slurp(path);
	assert_int_equal(count_lines(t, '@'), deny4);
	assert_non_null(strstr(t, "\n@0.0.0.0/0 10.0.0.0/8 0 : 65535 0 : 65535 "
				  "0/0\n"));
	/* Routes aggregated to /16 at most, longest first. */
	assert_non_null(strstr(t, "\nR0.0.0.0/0 1.2.0.0/16 0 : 65535 0 : 65535 "
				  "0/0 1\n"));
	for (r = strstr(t, "\nR"); r; r = strstr(r + 1, "\nR")) {
		const char *slash = strchr(strchr(r, ' ') + 1, '/');

		if (last)
			assert_true(atoi(slash + 1) <= atoi(last + 1));
		last = slash;
	}
	free(t);
	snprintf(path, sizeof(path), "%s/l3/acl_rule_ipv6.cfg", dir);
	t = slurp(path);
	/* l3fwd's IPv6 ACL parser takes all eight groups, no "::". */
	assert_non_null(
		strstr(t, "\n@0:0:0:0:0:0:0:0/0 fc00:0:0:0:0:0:0:0/7 "));
	free(t);
}

/*
 * Benchmark variants: --table-routes keeps N routes per family (the peers'
 * shortest prefixes, p1 and p0 peers in turn) with the full config's ACL;
 * --sav, --no-policer, --no-countries, --sampling and --untagged change
 * only what they name.
 */
static void
test_variants(void **state)
{
	struct ixg_spec full, s;
	uint32_t i, n_p0 = 0, n_p1 = 0;
	char path[128];
	char *a, *b;

	(void)state;
	assert_int_equal(run("--out %s/v0 --peers 6 --acl-rules 60", dir), 0);
	assert_int_equal(load("v0", &full), 0);
	assert_int_equal(full.node.sample_rate, 1000);

	assert_int_equal(run("--out %s/v1 --peers 6 --acl-rules 60 "
			     "--table-routes 3",
			     dir),
			 0);
	assert_int_equal(load("v1", &s), 0);
	assert_int_equal(s.n_routes4, 3);
	assert_int_equal(s.n_routes6, 2); /* only 2 IPv6 prefixes exist */
	assert_int_equal(s.n_sources4, 3);
	assert_int_equal(s.n_peers, full.n_peers);
	for (i = 0; i < s.n_routes4; i++) {
		const struct ixg_spec_peer *p = ixg_spec_peer_by_id(
			&s, s.routes4[i].peer_id);

		n_p0 += p->port_id == 0;
		n_p1 += p->port_id == 1;
	}
	/* p1's first peer, p0's first, p1's second: both ports have routes. */
	assert_int_equal(n_p1, 2);
	assert_int_equal(n_p0, 1);
	/* cn-1's shortest prefix is 1.0.0.0/16 (AS4134). */
	assert_string_equal(route4_peer(&s, A4(1, 0, 0, 0), 16), "cn-1");
	/* The ACL is the full config's, rule for rule. */
	snprintf(path, sizeof(path), "%s/v0/acl.conf", dir);
	a = slurp(path);
	snprintf(path, sizeof(path), "%s/v1/acl.conf", dir);
	b = slurp(path);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, b);
	free(a);
	free(b);
	ixg_spec_free(&s);

	assert_int_equal(run("--out %s/v2 --peers 6 --acl-rules 60 --sav off "
			     "--no-policer --no-countries --sampling 0 "
			     "--untagged",
			     dir),
			 0);
	assert_int_equal(load("v2", &s), 0);
	assert_int_equal(s.n_routes4, full.n_routes4);
	assert_int_equal(s.n_acl_rules, full.n_acl_rules);
	assert_int_equal(s.n_classes, 0);
	assert_int_equal(s.n_country4, 0);
	assert_int_equal(s.n_country6, 0);
	assert_int_equal(s.node.sample_rate, 0);
	for (i = 0; i < s.n_peers; i++) {
		assert_int_equal(s.peers[i].sav_mode, IXG_SAV_OFF);
		assert_int_equal(s.peers[i].rate, 0);
		assert_int_equal(s.peers[i].vlan, IXG_VLAN_NONE);
		assert_int_equal(s.peers[i].outer_vlan, IXG_VLAN_NONE);
	}
	for (i = 0; i < s.n_local_addrs; i++)
		assert_int_equal(s.local_addrs[i].vlan, IXG_VLAN_NONE);
	/* Class rules keep their match and permit. */
	for (i = 0; i < s.n_acl_rules; i++) {
		assert_int_not_equal(s.acl_rules[i].action, IXG_ACL_CLASS);
		if (full.acl_rules[i].action == IXG_ACL_CLASS)
			assert_int_equal(s.acl_rules[i].action, IXG_ACL_PERMIT);
	}
	ixg_spec_free(&s);

	assert_int_equal(run("--out %s/v3 --peers 6 --sav loose "
			     "--sampling 7",
			     dir),
			 0);
	assert_int_equal(load("v3", &s), 0);
	assert_int_equal(s.node.sample_rate, 7);
	for (i = 0; i < s.n_peers; i++)
		assert_int_equal(s.peers[i].sav_mode, IXG_SAV_LOOSE);
	assert_int_equal(s.n_classes, 3);
	ixg_spec_free(&s);
	ixg_spec_free(&full);

	assert_int_equal(run("--out %s/b --sav maybe", dir), 2);
	snprintf(path, sizeof(path), "%s/err.txt", dir);
	a = slurp(path);
	assert_non_null(strstr(a, "--sav: expected strict, loose or off, "
				  "got 'maybe'"));
	free(a);
	assert_int_equal(run("--out %s/b --table-routes 0", dir), 2);
	assert_int_equal(run("--out %s/b --sampling -1", dir), 2);
}

/* Bad data: exit 1 with file:line, never a silent partial config. */
static void
test_bad_input(void **state)
{
	char path[128];
	char *e;

	(void)state;
	snprintf(path, sizeof(path), "%s/bad4.csv", dir);
	write_file("bad4.csv",
		   "1.0.0.0,1.0.0.255,13335,x\n1.0.0.300,1.0.1.0,5,y\n");
	assert_int_equal(run("--out %s/b --asn4 %s", dir, path), 1);
	snprintf(path, sizeof(path), "%s/err.txt", dir);
	e = slurp(path);
	assert_non_null(strstr(e, "bad4.csv:2: bad IPv4 address"));
	free(e);

	snprintf(path, sizeof(path), "%s/bad4.csv", dir);
	write_file("bad4.csv", "1.0.1.0,1.0.0.255,13335,x\n");
	assert_int_equal(run("--out %s/b --asn4 %s", dir, path), 1);
	snprintf(path, sizeof(path), "%s/err.txt", dir);
	e = slurp(path);
	assert_non_null(strstr(e, "bad4.csv:1: range starts after it ends"));
	free(e);

	write_file("bad4.csv", "1.0.0.0,1.0.0.255,0,x\n");
	snprintf(path, sizeof(path), "%s/bad4.csv", dir);
	assert_int_equal(run("--out %s/b --asn4 %s", dir, path), 1);

	assert_int_equal(run("--out %s/b --asn4 %s/missing.csv", dir, dir), 1);
	assert_int_equal(run("--peers 1 --out %s/b", dir), 2);
	assert_int_equal(run("--acl-rules x --out %s/b", dir), 2);
	assert_int_equal(run("%s", ""), 2);
	snprintf(path, sizeof(path), "%s/b/ixgate.conf", dir);
	assert_int_equal(access(path, F_OK), -1);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_loads),
		cmocka_unit_test(test_cidr_and_origin),
		cmocka_unit_test(test_peer_grouping),
		cmocka_unit_test(test_deaggregate),
		cmocka_unit_test(test_l3fwd_rules),
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_bad_input),
	};

	if (argc < 2) {
		fprintf(stderr,
			"usage: test_mkconfig PATH-TO-ixgate-mkconfig\n");
		return 2;
	}
	tool = argv[1];
	return cmocka_run_group_tests(tests, setup, teardown);
}
