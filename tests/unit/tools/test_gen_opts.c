/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of the traffic options ixgate-pcapgen and ixgate-gen share
 * (gen_opt_apply, GEN_TRAFFIC_LONGOPTS in tools/gen.h): good values land
 * in struct gen_opts, bad ones are refused with a message that names the
 * option, repeats the value and says what is allowed.
 */
#include <errno.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gen.h"

static void
test_good_values(void **state)
{
	struct gen_opts o;
	char err[256] = "";

	(void)state;
	gen_opts_default(&o);
	assert_int_equal(
		gen_opt_apply(&o, GEN_OPT_SEED, "42", err, sizeof(err)), 0);
	assert_int_equal(o.seed, 42);
	assert_int_equal(
		gen_opt_apply(&o, GEN_OPT_SEED, "0x10", err, sizeof(err)), 0);
	assert_int_equal(o.seed, 16);
	assert_int_equal(
		gen_opt_apply(&o, GEN_OPT_V6, "0.25", err, sizeof(err)), 0);
	assert_true(o.v6_frac == 0.25);
	assert_int_equal(
		gen_opt_apply(&o, GEN_OPT_SIZES, "128", err, sizeof(err)), 0);
	assert_int_equal(o.size, 128);
	assert_int_equal(
		gen_opt_apply(&o, GEN_OPT_SIZES, "imix", err, sizeof(err)), 0);
	assert_int_equal(o.size, GEN_SIZE_IMIX);
	assert_int_equal(
		gen_opt_apply(&o, GEN_OPT_NOW, "1700000000", err, sizeof(err)),
		0);
	assert_int_equal(o.now, 1700000000);
	assert_int_equal(
		gen_opt_apply(&o, GEN_OPT_SKEW, NULL, err, sizeof(err)), 0);
	assert_true(o.skew);
	/* 'clear' zeroes every weight, then forward gets 1. */
	assert_int_equal(gen_opt_apply(&o, GEN_OPT_MIX, "clear,forward=1", err,
				       sizeof(err)),
			 0);
	for (int k = 0; k < GEN_K_MAX; k++)
		assert_true(o.mix[k] == (k == GEN_K_FORWARD ? 1.0 : 0.0));
	/* Without 'clear', unlisted kinds keep their weight. */
	assert_int_equal(
		gen_opt_apply(&o, GEN_OPT_MIX, "spoofed=0.5", err, sizeof(err)),
		0);
	assert_true(o.mix[GEN_K_FORWARD] == 1.0);
	assert_true(o.mix[GEN_K_SPOOFED] == 0.5);
}

/* The message of a refused value, which must contain each of the
 * needles. */
static void
expect_bad(int id, const char *arg, const char *n1, const char *n2,
	   const char *n3)
{
	struct gen_opts o, before;
	char err[256] = "";

	gen_opts_default(&o);
	before = o;
	assert_int_equal(gen_opt_apply(&o, id, arg, err, sizeof(err)), -EINVAL);
	if (strstr(err, n1) == NULL || strstr(err, n2) == NULL ||
	    (n3 && strstr(err, n3) == NULL))
		fail_msg("message '%s' lacks '%s' / '%s' / '%s'", err, n1, n2,
			 n3 ? n3 : "");
	/* A refused --mix may have applied the items before the bad one,
	 * but a refused number leaves the options as they were. */
	if (id != GEN_OPT_MIX)
		assert_memory_equal(&o, &before, sizeof(o));
}

static void
test_bad_values_name_the_option(void **state)
{
	(void)state;
	expect_bad(GEN_OPT_SEED, "-1", "--seed", "'-1'", "whole number");
	expect_bad(GEN_OPT_SEED, " 5", "--seed", "' 5'", NULL);
	expect_bad(GEN_OPT_SEED, "12abc", "--seed", "'12abc'", NULL);
	expect_bad(GEN_OPT_SEED, "", "--seed", "''", NULL);
	expect_bad(GEN_OPT_SEED, "99999999999999999999999", "--seed",
		   "99999999999999999999999", NULL);
	expect_bad(GEN_OPT_NOW, "yesterday", "--now", "'yesterday'", NULL);
	expect_bad(GEN_OPT_V6, "2", "--v6", "'2'", "0..1");
	expect_bad(GEN_OPT_V6, "-0.1", "--v6", "'-0.1'", "0..1");
	expect_bad(GEN_OPT_V6, "nan", "--v6", "'nan'", "0..1");
	expect_bad(GEN_OPT_V6, "half", "--v6", "'half'", NULL);
	expect_bad(GEN_OPT_SIZES, "63", "--sizes", "'63'", "64..1518");
	expect_bad(GEN_OPT_SIZES, "1519", "--sizes", "'1519'", "imix");
	expect_bad(GEN_OPT_SIZES, "jumbo", "--sizes", "'jumbo'", NULL);
	expect_bad(GEN_OPT_MIX, "forwrd=1", "--mix", "unknown kind",
		   "'forwrd'");
	expect_bad(GEN_OPT_MIX, "forward", "--mix", "'forward'", "KIND=FRAC");
	expect_bad(GEN_OPT_MIX, "clear,forward=1.5", "--mix", "forward",
		   "'1.5'");
}

static void
test_not_a_traffic_option(void **state)
{
	struct gen_opts o;
	char err[256] = "";

	(void)state;
	gen_opts_default(&o);
	assert_int_equal(gen_opt_apply(&o, 'c', "x", err, sizeof(err)),
			 -ENOENT);
	assert_int_equal(gen_opt_apply(&o, GEN_OPT_END, "x", err, sizeof(err)),
			 -ENOENT);
}

/* The long-option table entries both tools use, through getopt_long. */
static void
test_longopts_table(void **state)
{
	static const struct option longopts[] = {
		{"out", required_argument, NULL, 'o'},
		GEN_TRAFFIC_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	char *argv[] = {"tool", "--seed",	"9",	"--skew", "--out",
			"f",	"--sizes=imix", "--v6", "1",	  NULL};
	struct gen_opts o;
	char err[256];
	int c, n_traffic = 0;

	(void)state;
	gen_opts_default(&o);
	o.size = 64;
	optind = 1;
	while ((c = getopt_long(9, argv, "", longopts, NULL)) != -1) {
		if (c == 'o')
			continue;
		assert_true(c >= GEN_OPT_FIRST && c < GEN_OPT_END);
		assert_int_equal(gen_opt_apply(&o, c, optarg, err, sizeof(err)),
				 0);
		n_traffic++;
	}
	assert_int_equal(n_traffic, 4);
	assert_int_equal(o.seed, 9);
	assert_true(o.skew);
	assert_int_equal(o.size, GEN_SIZE_IMIX);
	assert_true(o.v6_frac == 1.0);
}

static void
test_number_parsers(void **state)
{
	uint64_t u;
	double d;

	(void)state;
	assert_int_equal(gen_parse_u64("18446744073709551615", &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(gen_parse_u64("18446744073709551616", &u), -EINVAL);
	assert_int_equal(gen_parse_u64("+1", &u), -EINVAL);
	assert_int_equal(gen_parse_double("1e6", &d), 0);
	assert_true(d == 1e6);
	assert_int_equal(gen_parse_double("", &d), -EINVAL);
	assert_int_equal(gen_parse_double("inf", &d), -EINVAL);
	assert_int_equal(gen_parse_double("1.5x", &d), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_bad_values_name_the_option),
		cmocka_unit_test(test_not_a_traffic_option),
		cmocka_unit_test(test_longopts_table),
		cmocka_unit_test(test_number_parsers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
