/* SPDX-License-Identifier: BSD-3-Clause */
/* Lexer and value parsers of the config library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conf_impl.h"

static void
test_lexer_tokens(void **state)
{
	const char *src = "peer a {\n\t# comment { ; }\n  asn 1;\"x y\"}";
	struct lexer lx;
	struct tok t;
	static const struct {
		enum tok_kind kind;
		const char *text;
		uint32_t line, col;
	} want[] = {
		{T_WORD, "peer", 1, 1},	 {T_WORD, "a", 1, 6},
		{T_LBRACE, "{", 1, 8},	 {T_WORD, "asn", 3, 3},
		{T_WORD, "1", 3, 7},	 {T_SEMI, ";", 3, 8},
		{T_STRING, "x y", 3, 9}, {T_RBRACE, "}", 3, 14},
		{T_EOF, "", 3, 15},
	};
	unsigned i;

	(void)state;
	lexer_init(&lx, src, strlen(src));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		lexer_next(&lx, &t);
		assert_int_equal(t.kind, want[i].kind);
		assert_int_equal(t.len, strlen(want[i].text));
		assert_memory_equal(t.p, want[i].text, t.len);
		assert_int_equal(t.line, want[i].line);
		assert_int_equal(t.col, want[i].col);
	}
}

static void
test_lexer_words_keep_punctuation(void **state)
{
	const char *src =
		"2001:db8::/32;02:00:00:00:00:01 1-in-100 10.0.0.0/8#c";
	const char *want[] = {"2001:db8::/32", ";", "02:00:00:00:00:01",
			      "1-in-100", "10.0.0.0/8"};
	struct lexer lx;
	struct tok t;
	unsigned i;

	(void)state;
	lexer_init(&lx, src, strlen(src));
	for (i = 0; i < 5; i++) {
		lexer_next(&lx, &t);
		assert_int_equal(t.len, strlen(want[i]));
		assert_memory_equal(t.p, want[i], t.len);
	}
	lexer_next(&lx, &t);
	assert_int_equal(t.kind, T_EOF);
}

static void
test_lexer_bad(void **state)
{
	const char *src = "\"open\nx \x01";
	struct lexer lx;
	struct tok t;

	(void)state;
	lexer_init(&lx, src, strlen(src));
	lexer_next(&lx, &t);
	assert_int_equal(t.kind, T_BAD);
	assert_int_equal(t.col, 1);
	lexer_next(&lx, &t);
	assert_int_equal(t.kind, T_WORD);
	assert_int_equal(t.line, 2);
	lexer_next(&lx, &t);
	assert_int_equal(t.kind, T_BAD);
	assert_int_equal(t.col, 3);
}

static void
test_parse_prefix(void **state)
{
	struct pfx p;
	char err[128], buf[64];

	(void)state;
	assert_int_equal(
		parse_prefix("10.1.0.0/16", 11, &p, 1, err, sizeof(err)), 0);
	assert_int_equal(p.fam, 4);
	assert_int_equal(p.len, 16);
	assert_int_equal(p.addr[1], 1);
	assert_true(pfx_is_canonical(&p));
	assert_int_equal(
		parse_prefix("10.1.0.1/16", 11, &p, 1, err, sizeof(err)), 0);
	assert_false(pfx_is_canonical(&p));
	pfx_mask(&p);
	pfx_format(&p, 1, buf, sizeof(buf));
	assert_string_equal(buf, "10.1.0.0/16");
	assert_int_equal(
		parse_prefix("2001:DB8::/33", 13, &p, 1, err, sizeof(err)), 0);
	pfx_format(&p, 1, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::/33");
	assert_true(parse_prefix("10.0.0.0/33", 11, &p, 1, err, sizeof(err)) <
		    0);
	assert_non_null(strstr(err, "bad prefix length"));
	assert_true(parse_prefix("10.0.0.0", 8, &p, 1, err, sizeof(err)) < 0);
	assert_int_equal(parse_prefix("10.0.0.7", 8, &p, 0, err, sizeof(err)),
			 0);
	assert_int_equal(p.len, 32);
	assert_true(parse_prefix("010.0.0.0/8", 11, &p, 1, err, sizeof(err)) <
		    0);
	assert_true(parse_prefix("1.2.3/24", 8, &p, 1, err, sizeof(err)) < 0);
	assert_true(parse_prefix("256.0.0.0/8", 11, &p, 1, err, sizeof(err)) <
		    0);
	assert_true(parse_prefix("2001:db8:::/32", 14, &p, 1, err,
				 sizeof(err)) < 0);
}

static void
test_parse_mac(void **state)
{
	uint8_t m[6];

	(void)state;
	assert_int_equal(parse_mac("02:aB:00:00:00:ff", 17, m), 0);
	assert_int_equal(m[1], 0xab);
	assert_int_equal(m[5], 0xff);
	assert_true(parse_mac("02:ab:00:00:00", 14, m) < 0);
	assert_true(parse_mac("02-ab-00-00-00-ff", 17, m) < 0);
	assert_true(parse_mac("0g:ab:00:00:00:ff", 17, m) < 0);
}

static void
test_units(void **state)
{
	uint64_t v;
	char buf[32];

	(void)state;
	assert_int_equal(parse_rate("100mbit", 7, &v), 0);
	assert_int_equal(v, 100000000ull);
	assert_int_equal(parse_rate("1500kbit", 8, &v), 0);
	format_rate(v, buf, sizeof(buf));
	assert_string_equal(buf, "1500kbit");
	assert_int_equal(parse_rate("1000000bit", 10, &v), 0);
	format_rate(v, buf, sizeof(buf));
	assert_string_equal(buf, "1mbit");
	assert_true(parse_rate("100", 3, &v) < 0); /* unit required */
	assert_true(parse_rate("mbit", 4, &v) < 0);
	assert_true(parse_rate("99999999999tbit", 15, &v) < 0);
	assert_int_equal(parse_size("64k", 3, &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(parse_size("1536", 4, &v), 0);
	format_size(v, buf, sizeof(buf));
	assert_string_equal(buf, "1536");
	format_size(2048 * 1024, buf, sizeof(buf));
	assert_string_equal(buf, "2m");
	assert_true(parse_size("64kb", 4, &v) < 0);
}

static void
test_time(void **state)
{
	int64_t t;
	char buf[32];

	(void)state;
	assert_int_equal(parse_time("1970-01-01T00:00:00Z", 20, &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(parse_time("2024-02-29T12:00:01Z", 20, &t), 0);
	assert_int_equal(t, 1709208001);
	format_time(t, buf, sizeof(buf));
	assert_string_equal(buf, "2024-02-29T12:00:01Z");
	assert_true(parse_time("2023-02-29T00:00:00Z", 20, &t) < 0);
	assert_true(parse_time("2023-04-31T00:00:00Z", 20, &t) < 0);
	assert_true(parse_time("2023-01-01 00:00:00Z", 20, &t) < 0);
	assert_true(parse_time("2023-01-01T24:00:00Z", 20, &t) < 0);
}

static void
test_edit_distance(void **state)
{
	const char *const kws[] = {"max-prefix", "mac", "asn", NULL};

	(void)state;
	assert_int_equal(edit_distance("kitten", 6, "sitting", 7), 3);
	assert_int_equal(edit_distance("", 0, "abc", 3), 3);
	assert_string_equal(closest_word("max-prefx", 9, kws), "max-prefix");
	assert_string_equal(closest_word("mca", 3, kws), "mac");
	assert_null(closest_word("zzzzzz", 6, kws));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lexer_tokens),
		cmocka_unit_test(test_lexer_words_keep_punctuation),
		cmocka_unit_test(test_lexer_bad),
		cmocka_unit_test(test_parse_prefix),
		cmocka_unit_test(test_parse_mac),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_edit_distance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
