/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the metrics exporter's HTTP/1.1 request parser
 * (control/exporter/http.c), the code that reads bytes from any client
 * that can reach the metrics port.
 *
 * Input: the bytes a client sends. Properties checked beyond "no crash,
 * no leak, no UB, no read outside the buffer" (the input is copied to a
 * buffer of exactly its size, so ASan sees any overread):
 *  - the result is 0, a head length within the input, or one of the
 *    statuses the parser documents;
 *  - a parsed request's path lies inside the buffer (or is the static
 *    "/" of an absolute-form target without a path) and is well-formed
 *    (starts with '/', or is "*"), method and version are consistent;
 *  - the parse is incremental: every prefix of a complete head needs
 *    more bytes (0) or is refused with the status the whole head gets,
 *    and the head alone parses to the same length;
 *  - negotiation and the response head never fail on a parsed request.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_http: property broken: %s\n", what);
		abort();
	}
}

static int
valid_status(int rc)
{
	return rc == -400 || rc == -414 || rc == -431 || rc == -505;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request r, r2;
	char *buf = malloc(size ? size : 1);
	char head[768];
	int rc;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	rc = http_parse_request(buf, size, &r);
	check(rc == 0 || valid_status(rc) ||
		      (rc > 0 && (size_t)rc <= size && rc <= HTTP_HEAD_MAX),
	      "result in range");
	if (rc == 0)
		check(size < HTTP_HEAD_MAX, "need more below the limit only");
	if (rc > 0) {
		int whole = rc;

		check(r.method >= HTTP_GET && r.method <= HTTP_OTHER, "method");
		check(r.version_minor <= 1, "version");
		check(r.n_fields <= HTTP_FIELDS_MAX, "field count");
		check(r.path_len >= 1 && r.path_len <= HTTP_TARGET_MAX,
		      "path length");
		check((r.path >= buf && r.path + r.path_len <= buf + rc) ||
			      (r.path_len == 1 && r.path[0] == '/'),
		      "path inside the head");
		check(r.path[0] == '/' || (r.path_len == 1 && r.path[0] == '*'),
		      "path form");
		check(!r.has_body || !r.keep_alive, "a body closes");
		check(r.version_minor == 1 || r.method_name[0] != '\0',
		      "method name");
		(void)http_pick_format(&r);
		(void)http_accepts_gzip(&r);
		check(http_format_head(head, sizeof(head), 200,
				       "text/plain; version=0.0.4", 123, "gzip",
				       "Allow: GET, HEAD\r\n",
				       r.keep_alive) > 0,
		      "response head fits");
		/* the head alone parses the same */
		check(http_parse_request(buf, (size_t)whole, &r2) == whole,
		      "head alone");
		/* prefixes need more (or are refused as the whole is not):
		 * a sample of them, to keep the target fast */
		for (size_t n = 0; n < (size_t)whole;
		     n += 1 + (size_t)whole / 64) {
			int p = http_parse_request(buf, n, &r2);

			check(p == 0, "a prefix of a valid head needs more");
		}
	} else if (rc < 0) {
		/* a refusal stands when more bytes come */
		char *more = malloc(size + 4);

		if (more != NULL) {
			memcpy(more, buf, size);
			memcpy(more + size, "\r\n\r\n", 4);
			check(http_parse_request(more, size + 4, &r2) < 0,
			      "a refusal is final");
			free(more);
		}
	}
	free(buf);
	return 0;
}
