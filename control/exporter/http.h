/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http.h - the HTTP/1.1 message syntax the metrics exporter needs: a
 * small, strict request-head parser (RFC 9112), content negotiation of the
 * exposition format and of gzip (RFC 9110 12.5), and response heads.
 *
 * Why our own parser: the only well-kept Debian library for an embedded
 * HTTP server, libmicrohttpd, links GnuTLS for its TLS, while ixgate's TLS
 * is OpenSSL (the design fixes it: one TLS stack, one set of certificate
 * habits). The exporter serves two read-only resources to GET and HEAD,
 * never reads a request body and never proxies, so the grammar it must
 * accept is a few hundred lines; everything else is refused with a status
 * code. The parser is a pure function over a byte buffer (no allocation, no
 * state between calls), fuzzed by tests/fuzz/fuzz_http.c.
 *
 * Any thread: nothing here has state.
 */
#ifndef IXG_HTTP_H
#define IXG_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits. A request head (request line and fields) longer than
 * HTTP_HEAD_MAX is refused: 414 while still in the request target, 431
 * in the fields. */
#define HTTP_HEAD_MAX 8192
#define HTTP_TARGET_MAX 2048 /* longer request-target: 414 */
#define HTTP_FIELDS_MAX 64 /* more header fields: 431 */
#define HTTP_METHOD_MAX 16 /* longer method token: 400 */

enum http_method {
	HTTP_GET = 1,
	HTTP_HEAD = 2,
	HTTP_OTHER = 3, /* any other valid method token: 405 */
};

/* Quality values (RFC 9110 12.4.2) in thousandths: 0..1000. */
struct http_request {
	enum http_method method;
	const char *path; /* into the buffer: origin-form path, no query */
	size_t path_len;
	unsigned version_minor; /* HTTP/1.0 -> 0, HTTP/1.1 (and 1.x) -> 1 */
	bool keep_alive; /* after the Connection field and the version */
	bool has_body; /* Content-Length > 0 or Transfer-Encoding: the
			* server does not read bodies, so it answers and
			* closes */
	unsigned n_fields;
	/* Accept: best q per kind over every Accept field (-1: none) */
	int q_openmetrics; /* application/openmetrics-text, version 1.0.0
			    * or none */
	int q_text; /* text/plain (version 0.0.4 or none), text/star,
		     * star/star */
	bool accept_seen;
	/* Accept-Encoding */
	int q_gzip; /* gzip, x-gzip or the "*" wildcard; -1: not listed */
	bool gzip_explicit; /* gzip or x-gzip itself was listed */
	char method_name[HTTP_METHOD_MAX + 1];
};

/*
 * Parse the request head at the start of buf[0..len). Returns:
 *   > 0  the head is complete and valid: its length (up to and with the
 *        empty line); req is filled (pointers into buf);
 *   0    valid so far, more bytes needed (len < HTTP_HEAD_MAX);
 *   < 0  the request is refused: minus the status code to answer with
 *        (-400 syntax, -414 target too long, -431 fields too large or too
 *        many, -505 HTTP version); the connection must then be closed.
 * Empty lines before the request line are skipped (RFC 9112 2.2). A
 * refusal is reported as soon as the bytes prove it, so a caller may call
 * again with the same buffer grown. Any thread.
 */
int http_parse_request(const char *buf, size_t len, struct http_request *req);

enum http_format {
	HTTP_FMT_TEXT = 0, /* text/plain; version=0.0.4 */
	HTTP_FMT_OPENMETRICS = 1, /* application/openmetrics-text 1.0.0 */
};

/* The exposition format the request asked for: OpenMetrics only when an
 * Accept field names application/openmetrics-text (version 1.0.0 or none)
 * with a q at least that of text/plain; the text format otherwise. */
enum http_format http_pick_format(const struct http_request *req);

/* True when the request's Accept-Encoding allows gzip (q > 0). */
bool http_accepts_gzip(const struct http_request *req);

/* Reason phrase for a status code ("Not Found"); "Unknown" otherwise. */
const char *http_reason(int status);

/*
 * Write a response head into out (at most outlen bytes, NUL-terminated):
 * status line, Date (now, IMF-fixdate), Server, Content-Type,
 * Content-Length, optional Content-Encoding, `extra` (NULL or complete
 * "Name: value\r\n" lines), "Connection: close" when !keep_alive, and
 * the empty line. Returns the length, or -1 if it does not fit. Any
 * thread.
 */
int http_format_head(char *out, size_t outlen, int status,
		     const char *content_type, uint64_t content_length,
		     const char *content_encoding, const char *extra,
		     bool keep_alive);

#endif /* IXG_HTTP_H */
