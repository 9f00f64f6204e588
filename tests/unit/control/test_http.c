/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exporter's HTTP/1.1 request parser (control/exporter/http.c): what
 * it accepts, what it refuses with which status, at which byte it knows,
 * content negotiation (OpenMetrics vs text, gzip), response heads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"

static int
parse(const char *s, struct http_request *r)
{
	return http_parse_request(s, strlen(s), r);
}

static void
test_simple_get(void **state)
{
	struct http_request r;
	const char *s = "GET /metrics HTTP/1.1\r\nHost: x:9477\r\n\r\n";

	(void)state;
	assert_int_equal(parse(s, &r), (int)strlen(s));
	assert_int_equal(r.method, HTTP_GET);
	assert_int_equal(r.path_len, 8);
	assert_memory_equal(r.path, "/metrics", 8);
	assert_int_equal(r.version_minor, 1);
	assert_true(r.keep_alive);
	assert_false(r.has_body);
	assert_int_equal(http_pick_format(&r), HTTP_FMT_TEXT);
	assert_false(http_accepts_gzip(&r));
}

static void
test_forms_and_versions(void **state)
{
	struct http_request r;

	(void)state;
	/* query stripped from the path */
	assert_true(parse("HEAD /metrics?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", &r) >
		    0);
	assert_int_equal(r.method, HTTP_HEAD);
	assert_int_equal(r.path_len, 8);
	/* absolute-form (RFC 9112 3.2.2) */
	assert_true(
		parse("GET http://h:1/healthz HTTP/1.1\r\nHost: h:1\r\n\r\n",
		      &r) > 0);
	assert_int_equal(r.path_len, 8);
	assert_memory_equal(r.path, "/healthz", 8);
	assert_true(parse("GET https://h HTTP/1.1\r\nHost: h\r\n\r\n", &r) > 0);
	assert_memory_equal(r.path, "/", 1);
	/* HTTP/1.0: no Host needed, close unless keep-alive */
	assert_true(parse("GET / HTTP/1.0\r\n\r\n", &r) > 0);
	assert_int_equal(r.version_minor, 0);
	assert_false(r.keep_alive);
	assert_true(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
			  &r) > 0);
	assert_true(r.keep_alive);
	/* 1.1 with close */
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, "
			  "close\r\n\r\n",
			  &r) > 0);
	assert_false(r.keep_alive);
	/* HTTP/1.9 is served as 1.1 (RFC 9110 6.2) */
	assert_true(parse("GET / HTTP/1.9\r\nHost: a\r\n\r\n", &r) > 0);
	assert_int_equal(r.version_minor, 1);
	/* empty lines before the request line are skipped */
	assert_true(parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", &r) > 0);
	/* other methods are parsed (then answered 405) */
	assert_true(parse("POST /metrics HTTP/1.1\r\nHost: a\r\n"
			  "Content-Length: 3\r\n\r\nabc",
			  &r) > 0);
	assert_int_equal(r.method, HTTP_OTHER);
	assert_string_equal(r.method_name, "POST");
	assert_true(r.has_body);
	assert_false(r.keep_alive);
	assert_true(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", &r) > 0);
	assert_memory_equal(r.path, "*", 1);
	/* field values with spaces around are trimmed; empty values ok */
	assert_true(parse("GET / HTTP/1.1\r\nHost:a\r\nX-Empty:\r\n"
			  "X-y: \t v v \t\r\n\r\n",
			  &r) > 0);
	assert_int_equal(r.n_fields, 3);
}

struct bad {
	const char *req;
	int status;
};

static void
test_refusals(void **state)
{
	static const struct bad cases[] = {
		{"GET /metrics\r\n\r\n", -400}, /* HTTP/0.9 */
		{"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", -400},
		{"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", -400},
		{"GET / HTTP/1.1\nHost: a\n\n", -400}, /* bare LF */
		{"GET / HTTP/1.1\r\nHost: a\n\r\n", -400},
		{"GET / HTTP/1.1\rHost: a\r\n\r\n", -400}, /* bare CR */
		{"GET / HTTP/2.0\r\nHost: a\r\n\r\n", -505},
		{"GET / HTTP/0.9\r\nHost: a\r\n\r\n", -505},
		{"GET / http/1.1\r\nHost: a\r\n\r\n", -400},
		{"GET / HTTP/1.10\r\nHost: a\r\n\r\n", -400},
		{"GET / HTTP/1.1\r\n\r\n", -400}, /* no Host */
		{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", -400},
		{"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", -400},
		{"GET / HTTP/1.1\r\nHost : a\r\n\r\n", -400}, /* RFC 9112 5.1 */
		{"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", -400},
		{"GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n", -400},
		{"GET / HTTP/1.1\r\nHost: a\r\n: novalue\r\n\r\n", -400},
		{"GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n", -400},
		{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n",
		 -400},
		{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
		 "Content-Length: 2\r\n\r\n",
		 -400},
		{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
		 "Transfer-Encoding: chunked\r\n\r\n",
		 -400},
		{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: "
		 "99999999999999999999999\r\n\r\n",
		 -400},
		{"GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", -400},
		{"GET metrics HTTP/1.1\r\nHost: a\r\n\r\n", -400},
		{"GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", -400},
		{"GET /\x80 HTTP/1.1\r\nHost: a\r\n\r\n", -400},
		{"G\x01T / HTTP/1.1\r\nHost: a\r\n\r\n", -400},
		{" GET / HTTP/1.1\r\nHost: a\r\n\r\n", -400},
		{"GETTTTTTTTTTTTTTTTTTTTTTTT / HTTP/1.1\r\n", -400},
		{"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
		 -400}, /* TLS */
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_request r;
		int rc = parse(cases[i].req, &r);

		if (rc != cases[i].status)
			fail_msg("case %u %s: expected %d, got %d", i,
				 cases[i].req, cases[i].status, rc);
	}
}

/* Every prefix of a valid request needs more bytes (0), and a refusal
 * is known as soon as the offending byte arrives. */
static void
test_incremental(void **state)
{
	const char *ok = "GET /metrics HTTP/1.1\r\nHost: a\r\nAccept: "
			 "text/plain\r\n\r\n";
	const char *bad = "GET /metrics HTTP/1.1\r\nHost: a\r\nBad Name: x";
	struct http_request r;
	size_t n = strlen(ok), i;

	(void)state;
	for (i = 0; i < n; i++)
		if (http_parse_request(ok, i, &r) != 0)
			fail_msg("prefix %zu: %d", i,
				 http_parse_request(ok, i, &r));
	assert_int_equal(http_parse_request(ok, n, &r), (int)n);
	/* "Bad Name": the space after "Bad" is the proof */
	assert_int_equal(http_parse_request(bad, 35, &r), 0);
	assert_int_equal(http_parse_request(bad, 36, &r), -400);
	/* the HTTP version is checked byte by byte */
	assert_int_equal(http_parse_request("GET / HTTQ", 10, &r), -400);
	assert_int_equal(http_parse_request("GET / HTTP", 10, &r), 0);
}

static void
test_limits(void **state)
{
	char *big = malloc(HTTP_HEAD_MAX + 64);
	struct http_request r;
	size_t n;

	(void)state;
	assert_non_null(big);
	/* a target past HTTP_TARGET_MAX: 414 before the line ends */
	strcpy(big, "GET /");
	memset(big + 5, 'a', HTTP_TARGET_MAX + 1);
	big[5 + HTTP_TARGET_MAX + 1] = '\0';
	assert_int_equal(parse(big, &r), -414);
	/* the longest target is fine */
	n = (size_t)sprintf(big, "GET /");
	memset(big + n, 'a', HTTP_TARGET_MAX - 1);
	n += HTTP_TARGET_MAX - 1;
	n += (size_t)sprintf(big + n, " HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(parse(big, &r), (int)n);
	/* HTTP_FIELDS_MAX fields are fine, one more is 431 */
	n = (size_t)sprintf(big, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (int i = 1; i < HTTP_FIELDS_MAX; i++)
		n += (size_t)sprintf(big + n, "X-%d: v\r\n", i);
	strcpy(big + n, "\r\n");
	assert_true(parse(big, &r) > 0);
	assert_int_equal(r.n_fields, HTTP_FIELDS_MAX);
	strcpy(big + n, "X-last: v\r\n\r\n");
	assert_int_equal(parse(big, &r), -431);
	/* a head that never ends: 431 at HTTP_HEAD_MAX */
	n = (size_t)sprintf(big, "GET / HTTP/1.1\r\nHost: a\r\nX-big: ");
	memset(big + n, 'v', HTTP_HEAD_MAX - n);
	assert_int_equal(http_parse_request(big, HTTP_HEAD_MAX - 1, &r), 0);
	assert_int_equal(http_parse_request(big, HTTP_HEAD_MAX, &r), -431);
	/* empty lines only, up to the limit: 400 */
	for (n = 0; n + 2 <= HTTP_HEAD_MAX; n += 2)
		memcpy(big + n, "\r\n", 2);
	assert_int_equal(http_parse_request(big, HTTP_HEAD_MAX, &r), -400);
	free(big);
}

static void
test_negotiation(void **state)
{
	struct http_request r;

	(void)state;
	/* what Prometheus 2.x sends */
	assert_true(parse("GET /metrics HTTP/1.1\r\nHost: a\r\nAccept: "
			  "application/openmetrics-text;version=1.0.0,"
			  "application/openmetrics-text;version=0.0.1;q=0.75,"
			  "text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n"
			  "Accept-Encoding: gzip\r\n\r\n",
			  &r) > 0);
	assert_int_equal(http_pick_format(&r), HTTP_FMT_OPENMETRICS);
	assert_int_equal(r.q_openmetrics, 1000);
	assert_int_equal(r.q_text, 500);
	assert_true(http_accepts_gzip(&r));
	/* only OpenMetrics 0.0.1: text */
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nAccept: application/"
			  "openmetrics-text; version=0.0.1\r\n\r\n",
			  &r) > 0);
	assert_int_equal(http_pick_format(&r), HTTP_FMT_TEXT);
	/* text preferred */
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nAccept: application/"
			  "openmetrics-text;q=0.4, text/plain\r\n\r\n",
			  &r) > 0);
	assert_int_equal(http_pick_format(&r), HTTP_FMT_TEXT);
	/* OpenMetrics without a version, over two Accept fields */
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nAccept: text/plain;"
			  "q=0.3\r\nACCEPT: Application/OpenMetrics-Text; "
			  "q=0.9\r\n\r\n",
			  &r) > 0);
	assert_int_equal(http_pick_format(&r), HTTP_FMT_OPENMETRICS);
	/* q=0 means no; malformed elements are ignored */
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nAccept: application/"
			  "openmetrics-text;q=0, text/html;q=x\r\n"
			  "Accept-Encoding: gzip;q=0, *\r\n\r\n",
			  &r) > 0);
	assert_int_equal(http_pick_format(&r), HTTP_FMT_TEXT);
	assert_false(http_accepts_gzip(&r));
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: "
			  "deflate, *;q=0.5\r\n\r\n",
			  &r) > 0);
	assert_true(http_accepts_gzip(&r));
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: "
			  "x-gzip;q=1.000\r\n\r\n",
			  &r) > 0);
	assert_true(http_accepts_gzip(&r));
	assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: "
			  "gzip;q=1.5\r\n\r\n",
			  &r) > 0);
	assert_false(http_accepts_gzip(&r));
}

static void
test_response_head(void **state)
{
	char buf[512];
	int n;

	(void)state;
	n = http_format_head(buf, sizeof(buf), 405, "text/plain", 12, NULL,
			     "Allow: GET, HEAD\r\n", false);
	assert_true(n > 0);
	assert_int_equal(
		strncmp(buf, "HTTP/1.1 405 Method Not Allowed\r\n", 33), 0);
	assert_non_null(strstr(buf, "\r\nContent-Length: 12\r\n"));
	assert_non_null(strstr(buf, "\r\nAllow: GET, HEAD\r\n"));
	assert_non_null(strstr(buf, "\r\nConnection: close\r\n\r\n"));
	assert_non_null(strstr(buf, " GMT\r\n"));
	assert_int_equal((size_t)n, strlen(buf));
	n = http_format_head(buf, sizeof(buf), 200, "text/plain", 0, "gzip",
			     NULL, true);
	assert_non_null(strstr(buf, "Content-Encoding: gzip\r\n"));
	assert_null(strstr(buf, "Connection:"));
	assert_int_equal(http_format_head(buf, 40, 200, "text/plain", 0, NULL,
					  NULL, true),
			 -1);
	assert_string_equal(http_reason(431),
			    "Request Header Fields Too Large");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_get),
		cmocka_unit_test(test_forms_and_versions),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_negotiation),
		cmocka_unit_test(test_response_head),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
