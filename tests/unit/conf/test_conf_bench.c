/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scale: a config whose peers announce 1.2M prefixes (1M IPv4 from one
 * bgpq4 file, 200k more over 10 peers) parses and compiles, and how long
 * it takes is printed. The bound asserted is loose (a shared CI machine);
 * the target is < 2 s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ixg_conf.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_big_config(void **state)
{
	char dir[] = "/tmp/ixg-conf-bench-XXXXXX", path[256];
	FILE *f;
	uint32_t i, p;
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c;
	struct ixg_spec s;
	double t0, t1, t2;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (p = 0; p < 11; p++) {
		uint32_t n = p == 0 ? 1000000 : 20000;

		snprintf(path, sizeof(path), "%s/as%u.txt", dir, p);
		f = fopen(path, "w");
		assert_non_null(f);
		for (i = 0; i < n; i++) {
			/* Distinct /24s: peer p owns 1.0.0.0 + p * 2^24 up. */
			uint32_t a = (1u << 24) + (p << 24) * 16 + (i << 8);

			fprintf(f, "%u.%u.%u.0/24\n", a >> 24, (a >> 16) & 255,
				(a >> 8) & 255);
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/big.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
		"node { name big; country SG; }\nport p0 { device \"x\"; }\n");
	for (p = 0; p < 11; p++)
		fprintf(f,
			"peer p%u { asn %u; port p0; vlan %u; mac "
			"02:00:00:00:00:01;"
			" announce-file \"as%u.txt\"; }\n",
			p, 64500 + p, 10 + p, p);
	fclose(f);

	t0 = now();
	c = ixg_conf_parse_file(path, d);
	assert_non_null(c);
	t1 = now();
	assert_int_equal(ixg_conf_compile(c, &s, d), 0);
	t2 = now();
	assert_int_equal(s.n_routes4, 1200000);
	assert_int_equal(s.n_sources4, 1200000);
	assert_int_equal(s.routes4[0].addr, 0x01000000u);
	assert_int_equal(s.routes4[1199999].peer_id, 11);
	printf("# 1.2M routes: parse %.3f s, compile %.3f s, total %.3f s\n",
	       t1 - t0, t2 - t1, t2 - t0);
	assert_true(t2 - t0 < 20.0);
	ixg_spec_free(&s);
	ixg_conf_free(c);
	ixg_diags_free(d);
	for (p = 0; p < 11; p++) {
		snprintf(path, sizeof(path), "%s/as%u.txt", dir, p);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/big.conf", dir);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_big_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
