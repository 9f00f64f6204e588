/* SPDX-License-Identifier: BSD-3-Clause */
/* Configs on disk: includes (glob order, loops), prefix and country files,
 * the shipped example and demo configs, and the print fixed point of every
 * golden good/ config. */
#include <glob.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ixg_conf.h"

#ifndef IXG_SRC_DIR
#define IXG_SRC_DIR "."
#endif

static char *
print_str(const struct ixg_conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ixg_conf_print(c, f);
	fclose(f);
	return buf;
}

/* parse(file) -> print -> parse -> print: both prints equal. Runs in the
 * file's directory, where parse_string resolves includes. */
static void
check_fixed_point(const char *dir, const char *file)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c, *c2;
	char *p1, *p2, cwd[PATH_MAX];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	c = ixg_conf_parse_file(file, d);
	if (c == NULL)
		ixg_diags_print(d, stderr);
	assert_non_null(c);
	p1 = print_str(c);
	c2 = ixg_conf_parse_string("printed.conf", p1, strlen(p1), d);
	if (c2 == NULL) {
		ixg_diags_print(d, stderr);
		fprintf(stderr, "%s/%s printed as:\n%s", dir, file, p1);
	}
	assert_non_null(c2);
	p2 = print_str(c2);
	if (strcmp(p1, p2) != 0)
		fprintf(stderr, "%s/%s: not a fixed point\n%s\n---\n%s", dir,
			file, p1, p2);
	assert_string_equal(p1, p2);
	assert_int_equal(ixg_diags_errors(d), 0);
	free(p1);
	free(p2);
	ixg_conf_free(c);
	ixg_conf_free(c2);
	ixg_diags_free(d);
	assert_int_equal(chdir(cwd), 0);
}

static void
test_fixed_point_golden(void **state)
{
	glob_t g;
	size_t i;

	(void)state;
	assert_int_equal(
		glob(IXG_SRC_DIR "/tests/config/good/*.conf", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 8);
	for (i = 0; i < g.gl_pathc; i++)
		check_fixed_point(IXG_SRC_DIR "/tests/config/good",
				  strrchr(g.gl_pathv[i], '/') + 1);
	globfree(&g);
}

static void
test_fixed_point_shipped(void **state)
{
	(void)state;
	check_fixed_point(IXG_SRC_DIR "/config", "example.conf");
	check_fixed_point(IXG_SRC_DIR "/config", "demo.conf");
}

/* The shipped configs load with neither error nor warning. */
static void
load_clean(const char *path, struct ixg_spec *s)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c = ixg_conf_parse_file(path, d);

	if (c == NULL)
		ixg_diags_print(d, stderr);
	assert_non_null(c);
	assert_int_equal(ixg_conf_compile(c, s, d), 0);
	ixg_diags_print(d, stderr);
	assert_int_equal(ixg_diags_errors(d), 0);
	assert_int_equal(ixg_diags_warnings(d), 0);
	ixg_conf_free(c);
	ixg_diags_free(d);
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

static void
test_demo_conf(void **state)
{
	struct ixg_spec s;
	const struct ixg_spec_peer *p;
	uint32_t i, strict = 0, loose = 0, off = 0;

	(void)state;
	load_clean(IXG_SRC_DIR "/config/demo.conf", &s);
	assert_string_equal(s.node.name, "sin-ix-1");
	assert_int_equal(s.node.home_country, IXG_CC('S', 'G'));
	assert_int_equal(s.n_ports, 2);
	assert_string_equal(s.ports[0].devargs, "net_ring0");
	assert_int_equal(s.ports[1].mac[5], 2);
	assert_int_equal(s.n_peers, 10);
	for (i = 0; i < s.n_peers; i++) {
		strict += s.peers[i].sav_mode == IXG_SAV_STRICT;
		loose += s.peers[i].sav_mode == IXG_SAV_LOOSE;
		off += s.peers[i].sav_mode == IXG_SAV_OFF;
	}
	assert_int_equal(strict, 8);
	assert_int_equal(loose, 1);
	assert_int_equal(off, 1);
	p = peer_named(&s, "china-telecom");
	assert_non_null(p);
	assert_int_equal(p->asn, 4134);
	assert_int_equal(s.countries[p->country], IXG_CC('C', 'N'));
	p = peer_named(&s, "mpt");
	assert_int_equal(p->outer_vlan, 2000);
	assert_int_equal(s.n_classes, 2);
	assert_true(s.n_acl_rules >= 6);
	assert_int_equal(s.n_blackholes, 2);
	assert_true(s.n_routes4 > 20 && s.n_routes6 >= 8);
	assert_true(s.n_country4 > 0 && s.n_country6 > 0);
	ixg_spec_free(&s);
}

static void
test_example_conf(void **state)
{
	struct ixg_spec s;

	(void)state;
	load_clean(IXG_SRC_DIR "/config/example.conf", &s);
	assert_true(s.n_peers >= 1);
	assert_true(s.n_acl_rules >= 1);
	ixg_spec_free(&s);
}

static void
test_include_glob_sorted(void **state)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c = ixg_conf_parse_file(
		IXG_SRC_DIR "/tests/config/good/include.conf", d);
	struct ixg_spec s;
	char buf[PATH_MAX + 32];

	(void)state;
	assert_non_null(c);
	assert_int_equal(ixg_conf_compile(c, &s, d), 0);
	/* inc/05-class.conf comes before inc/10-peer.conf. */
	assert_int_equal(s.n_classes, 1);
	assert_string_equal(s.classes[0].name, "gold");
	assert_int_equal(s.n_peers, 1);
	/* announce-file is relative to the including file (inc/). */
	assert_int_equal(s.n_routes4, 1);
	assert_int_equal(s.routes4[0].addr, 0xc6336400u);
	assert_int_equal(
		ixg_conf_origin(c, s.routes4[0].origin, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
			    IXG_SRC_DIR "/tests/config/good/inc/b.txt:1:1");
	assert_int_equal(
		ixg_conf_origin(c, s.peers[0].origin, buf, sizeof(buf)), 0);
	assert_string_equal(buf, IXG_SRC_DIR
			    "/tests/config/good/inc/10-peer.conf:1:6");
	ixg_spec_free(&s);
	ixg_conf_free(c);
	ixg_diags_free(d);
}

static void
test_include_loop(void **state)
{
	struct ixg_diags *d = ixg_diags_new();
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_null(ixg_conf_parse_file(
		IXG_SRC_DIR "/tests/config/bad/include-loop.conf", d));
	assert_int_equal(ixg_diags_errors(d), 1);
	f = open_memstream(&buf, &len);
	ixg_diags_print(d, f);
	fclose(f);
	assert_non_null(
		strstr(buf, "inc/loop-b.conf:2:9: error: include loop"));
	free(buf);
	ixg_diags_free(d);
}

static void
test_prefix_and_country_files(void **state)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_spec s;
	struct ixg_conf *c;
	char buf[PATH_MAX + 32];

	(void)state;
	c = ixg_conf_parse_file(
		IXG_SRC_DIR "/tests/config/good/prefix-file.conf", d);
	assert_non_null(c);
	assert_int_equal(ixg_conf_compile(c, &s, d), 0);
	/* plain.txt: 2 v4 + 1 v6; cisco.txt: 1 v4 + 1 v6. */
	assert_int_equal(s.n_routes4, 3);
	assert_int_equal(s.n_routes6, 2);
	/* allow-source-file replaces the default: only plain.txt. */
	assert_int_equal(s.n_sources4, 2);
	assert_int_equal(s.n_sources6, 1);
	assert_int_equal(
		ixg_conf_origin(c, s.routes4[2].origin, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
			    IXG_SRC_DIR "/tests/config/good/inc/cisco.txt:2:1");
	ixg_spec_free(&s);
	ixg_conf_free(c);

	c = ixg_conf_parse_file(IXG_SRC_DIR "/tests/config/good/countries.conf",
				d);
	assert_non_null(c);
	assert_int_equal(ixg_conf_compile(c, &s, d), 0);
	/* --, SG (home), then AU, CN from the CSV, VN from the RIR file. */
	assert_int_equal(s.n_countries, 5);
	assert_int_equal(s.countries[2], IXG_CC('A', 'U'));
	assert_int_equal(s.countries[4], IXG_CC('V', 'N'));
	/* 1.0.0.0/24 AU; 1.0.1.0/24 + 1.0.2.0/23 CN; 103.9.0.0/22 + /23 VN */
	assert_int_equal(s.n_country4, 5);
	assert_int_equal(s.country4[2].addr, 0x01000200u);
	assert_int_equal(s.country4[2].len, 23);
	assert_int_equal(s.country4[2].country, 3);
	assert_int_equal(s.n_country6, 2);
	assert_int_equal(s.country6[1].len, 32);
	assert_int_equal(s.country6[1].country, 4);
	ixg_spec_free(&s);
	ixg_conf_free(c);
	ixg_diags_free(d);
}

static void
test_load_reports_summary(void **state)
{
	struct ixg_spec s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(ixg_conf_load(IXG_SRC_DIR
				       "/tests/config/bad/dup-mac.conf",
				       &s, f),
			 -1);
	fclose(f);
	assert_null(s.peers);
	assert_non_null(strstr(
		buf, "dup-mac.conf: 1 error; configuration NOT loaded\n"));
	free(buf);
	f = open_memstream(&buf, &len);
	assert_int_equal(ixg_conf_load(IXG_SRC_DIR "/config/demo.conf", &s, f),
			 0);
	fclose(f);
	assert_int_equal(len, 0);
	assert_int_equal(s.n_peers, 10);
	ixg_spec_free(&s);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_point_golden),
		cmocka_unit_test(test_fixed_point_shipped),
		cmocka_unit_test(test_demo_conf),
		cmocka_unit_test(test_example_conf),
		cmocka_unit_test(test_include_glob_sorted),
		cmocka_unit_test(test_include_loop),
		cmocka_unit_test(test_prefix_and_country_files),
		cmocka_unit_test(test_load_reports_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
