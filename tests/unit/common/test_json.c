/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_json.c - the one JSON writer (common/ixg_json.c): commas and
 * nesting, numbers, and string escaping (RFC 8259 section 7) including
 * bytes that are not UTF-8.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ixg_json.h"

/* ixg_json_quoten(s, n) as a string (caller frees). */
static char *
quote(const char *s, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	assert_non_null(m);
	ixg_json_quoten(m, s, n);
	fclose(m);
	return text;
}

static void
expect_quote(const char *in, size_t n, const char *want)
{
	char *got = quote(in, n);

	if (strcmp(got, want) != 0)
		fail_msg("quote: got %s, want %s", got, want);
	free(got);
}

static void
test_escapes(void **state)
{
	char all[32];
	char *q;

	(void)state;
	expect_quote("plain", 5, "\"plain\"");
	expect_quote("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	expect_quote("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\"");
	expect_quote("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"");
	expect_quote("a\0b", 3, "\"a\\u0000b\"");
	/* '/' need not be escaped. */
	expect_quote("a/b", 3, "\"a/b\"");
	/* Valid UTF-8 passes: é (2 bytes), € (3), 😀 (4). */
	expect_quote("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
		     "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	/* Not UTF-8: a lone continuation byte, a cut sequence, an overlong
	 * '/', a surrogate, above U+10FFFF: each bad byte is U+FFFD. */
	expect_quote("\x80", 1, "\"\\ufffd\"");
	expect_quote("a\xc3", 2, "\"a\\ufffd\"");
	expect_quote("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");
	expect_quote("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
	expect_quote("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	/* Every control character is escaped: no raw byte below 0x20. */
	for (int i = 0; i < 32; i++)
		all[i] = (char)i;
	q = quote(all, 32);
	for (const char *p = q; *p; p++)
		assert_true((unsigned char)*p >= 0x20);
	free(q);
}

static void
test_writer(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	struct ixg_json j;

	(void)state;
	ixg_json_init(&j, m);
	ixg_json_obj(&j, NULL);
	ixg_json_str(&j, "k\"", "v");
	ixg_json_u64(&j, "u", UINT64_MAX);
	ixg_json_i64(&j, "i", INT64_MIN);
	ixg_json_dbl(&j, "d", 1.5);
	ixg_json_dbl(&j, "nan", NAN);
	ixg_json_dbl(&j, "inf", INFINITY);
	ixg_json_bool(&j, "t", true);
	ixg_json_null(&j, "n");
	ixg_json_arr(&j, "a");
	ixg_json_arr(&j, NULL);
	ixg_json_end(&j);
	ixg_json_obj(&j, NULL);
	ixg_json_end(&j);
	ixg_json_u64(&j, NULL, 3);
	ixg_json_strn(&j, NULL, "xyz", 2);
	ixg_json_end(&j);
	ixg_json_key(&j, "raw");
	fputs("[1]", m);
	ixg_json_end(&j);
	ixg_json_done(&j);
	fclose(m);
	assert_string_equal(
		text, "{\"k\\\"\":\"v\",\"u\":18446744073709551615,"
		      "\"i\":-9223372036854775808,\"d\":1.500,\"nan\":null,"
		      "\"inf\":null,\"t\":true,\"n\":null,"
		      "\"a\":[[],{},3,\"xy\"],\"raw\":[1]}\n");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
