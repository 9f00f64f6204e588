/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http.c - strict HTTP/1.1 request-head parser, content negotiation and
 * response heads for the metrics exporter (why not libmicrohttpd: see
 * http.h).
 *
 * What is accepted (RFC 9112 unless said):
 *   request-line = method SP request-target SP HTTP-version CRLF  (3)
 *   method       = token, case-sensitive; GET and HEAD are served
 *   target       = origin-form "/path[?query]", or absolute-form
 *                  "http(s)://authority/path" (3.2.2: servers MUST accept
 *                  it), or "*" (asterisk-form, answered 405 since it is
 *                  only for OPTIONS); visible ASCII only
 *   version      = "HTTP/1.0" or "HTTP/1.x" (served as 1.1, RFC 9110
 *                  6.2); any other major version is 505
 *   field-line   = token ":" OWS value OWS CRLF  (5); no space before the
 *                  colon (5.1: MUST reject), no obs-fold (5.2: reject),
 *                  no CTL but HTAB in values, so no NUL
 *   lines end with CRLF; a bare CR or LF is refused (2.2 allows a
 *   server to accept a lone LF, we do not: a scraper never sends one)
 *   Host         = exactly one for HTTP/1.1 (3.2: 400 otherwise)
 *   Content-Length / Transfer-Encoding: both at once, an invalid or a
 *   second different length: 400 (6.3); a body is never read, the
 *   connection is closed after the answer instead.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http.h"

#ifndef IXG_VERSION
#define IXG_VERSION "0"
#endif

/* RFC 9110 5.6.2: tchar. */
static bool
is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* field-vchar / SP / HTAB (obs-text allowed, RFC 9110 5.5). */
static bool
is_field_char(unsigned char c)
{
	return c == '\t' || c == ' ' || (c >= 0x21 && c != 0x7f);
}

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Case-insensitive compare of [s, s+n) with the NUL-terminated word. */
static bool
eq_ci(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* Host field value: uri-host [":" port] (RFC 3986 reg-name, IPv4 or an
 * IP-literal in brackets); empty is allowed. */
static bool
valid_host(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') ||
		      strchr("-._~%!$&'()*+,;=:[]", c) != NULL) ||
		    c == '\0')
			return false;
	}
	return true;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in
 * thousandths; -1 if malformed. */
static int
parse_qvalue(const char *s, size_t n)
{
	int q, scale = 100;
	size_t i;

	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (n == 1)
		return q;
	if (s[1] != '.' || n > 5)
		return -1;
	for (i = 2; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
		scale /= 10;
	}
	return q > 1000 ? -1 : q;
}

/* Split [s, s+n) at top-level commas (quoted strings respected), calling
 * fn for each trimmed, non-empty element. */
static void
for_each_element(const char *s, size_t n,
		 void (*fn)(const char *e, size_t n, struct http_request *r),
		 struct http_request *r)
{
	size_t i = 0, start = 0;
	bool quoted = false;

	for (i = 0; i <= n; i++) {
		if (i < n && quoted) {
			if (s[i] == '\\' && i + 1 < n)
				i++;
			else if (s[i] == '"')
				quoted = false;
			continue;
		}
		if (i < n && s[i] == '"') {
			quoted = true;
			continue;
		}
		if (i == n || s[i] == ',') {
			size_t a = start, b = i;

			while (a < b && is_ows(s[a]))
				a++;
			while (b > a && is_ows(s[b - 1]))
				b--;
			if (b > a)
				fn(s + a, b - a, r);
			start = i + 1;
		}
	}
}

/*
 * One media-range of Accept: type "/" subtype *(OWS ";" OWS param).
 * Parameters other than q and version are ignored; a malformed element
 * is ignored (never a 400: negotiation falls back to the text format).
 */
static void
accept_element(const char *e, size_t n, struct http_request *r)
{
	const char *semi = memchr(e, ';', n);
	size_t tlen = semi ? (size_t)(semi - e) : n;
	const char *p = semi;
	char version[16] = "";
	int q = 1000;

	while (tlen > 0 && is_ows(e[tlen - 1]))
		tlen--;
	while (p != NULL && p < e + n) {
		const char *a = p + 1, *eqs, *end;

		end = memchr(a, ';', (size_t)(e + n - a));
		if (end == NULL)
			end = e + n;
		while (a < end && is_ows(*a))
			a++;
		eqs = memchr(a, '=', (size_t)(end - a));
		if (eqs != NULL) {
			const char *v = eqs + 1;
			size_t vlen = (size_t)(end - v);

			while (vlen > 0 && is_ows(v[vlen - 1]))
				vlen--;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			if (eq_ci(a, (size_t)(eqs - a), "q")) {
				q = parse_qvalue(v, vlen);
				if (q < 0)
					return;
			} else if (eq_ci(a, (size_t)(eqs - a), "version") &&
				   vlen < sizeof(version)) {
				memcpy(version, v, vlen);
				version[vlen] = '\0';
			}
		}
		p = end < e + n ? end : NULL;
	}
	if (eq_ci(e, tlen, "application/openmetrics-text")) {
		if ((version[0] == '\0' || strcmp(version, "1.0.0") == 0) &&
		    q > r->q_openmetrics)
			r->q_openmetrics = q;
	} else if (eq_ci(e, tlen, "text/plain")) {
		if ((version[0] == '\0' || strcmp(version, "0.0.4") == 0) &&
		    q > r->q_text)
			r->q_text = q;
	} else if (eq_ci(e, tlen, "text/*") || eq_ci(e, tlen, "*/*")) {
		if (q > r->q_text)
			r->q_text = q;
	}
}

/* One coding of Accept-Encoding: token [ weight ]. */
static void
encoding_element(const char *e, size_t n, struct http_request *r)
{
	const char *semi = memchr(e, ';', n);
	size_t tlen = semi ? (size_t)(semi - e) : n;
	int q = 1000;

	while (tlen > 0 && is_ows(e[tlen - 1]))
		tlen--;
	if (semi != NULL) {
		const char *a = semi + 1;

		while (a < e + n && is_ows(*a))
			a++;
		if (e + n - a < 2 || (a[0] != 'q' && a[0] != 'Q') ||
		    a[1] != '=')
			return;
		q = parse_qvalue(a + 2, (size_t)(e + n - a - 2));
		if (q < 0)
			return;
	}
	if (eq_ci(e, tlen, "gzip") || eq_ci(e, tlen, "x-gzip")) {
		/* An explicit coding overrides the wildcard. */
		if (!r->gzip_explicit || q > r->q_gzip)
			r->q_gzip = q;
		r->gzip_explicit = true;
	} else if (eq_ci(e, tlen, "*") && !r->gzip_explicit && q > r->q_gzip) {
		r->q_gzip = q;
	}
}

/* Connection: a list of tokens; "close" and "keep-alive" matter. */
static void
connection_element(const char *e, size_t n, struct http_request *r)
{
	if (eq_ci(e, n, "close"))
		r->keep_alive = false;
	else if (eq_ci(e, n, "keep-alive") && r->version_minor == 0)
		r->keep_alive = true;
}

/* Parse the request line at buf[0..len) (the line ends at eol, or
 * eol == NULL if not complete yet). 0 ok, 1 need more, < 0 status. */
static int
parse_request_line(const char *buf, size_t len, const char *eol,
		   struct http_request *r)
{
	const char *end = eol != NULL ? eol : buf + len;
	const char *p = buf, *t, *sp2, *path_end;
	size_t mlen;

	/* method */
	while (p < end && is_tchar((unsigned char)*p))
		p++;
	mlen = (size_t)(p - buf);
	if (mlen > HTTP_METHOD_MAX)
		return -400;
	if (p == end)
		return eol != NULL ? -400 : 1;
	if (*p != ' ' || mlen == 0)
		return -400;
	memcpy(r->method_name, buf, mlen);
	r->method_name[mlen] = '\0';
	if (strcmp(r->method_name, "GET") == 0)
		r->method = HTTP_GET;
	else if (strcmp(r->method_name, "HEAD") == 0)
		r->method = HTTP_HEAD;
	else
		r->method = HTTP_OTHER;

	/* request-target: visible ASCII up to the second SP */
	t = ++p;
	while (p < end && (unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f)
		p++;
	if ((size_t)(p - t) > HTTP_TARGET_MAX)
		return -414;
	if (p == end)
		return eol != NULL ? -400 : 1;
	if (*p != ' ' || p == t)
		return -400;
	sp2 = p;

	/* HTTP-version = "HTTP/" DIGIT "." DIGIT, then CRLF */
	p++;
	if (eol == NULL) {
		/* What has come must be a prefix of the version. */
		static const char pat[] = "HTTP/0.0";
		size_t i, vl = (size_t)(end - p);

		if (vl > 8)
			return -400;
		for (i = 0; i < vl; i++)
			if (pat[i] == '0' ? p[i] < '0' || p[i] > '9'
					  : p[i] != pat[i])
				return -400;
		return 1;
	}
	if (end - p != 8 || memcmp(p, "HTTP/", 5) != 0 || p[5] < '0' ||
	    p[5] > '9' || p[6] != '.' || p[7] < '0' || p[7] > '9')
		return -400;
	if (p[5] != '1')
		return -505;
	r->version_minor = p[7] == '0' ? 0 : 1;
	r->keep_alive = r->version_minor == 1;

	/* the target's forms */
	if (*t == '/') {
		path_end = t;
	} else if ((size_t)(sp2 - t) >= 7 &&
		   (strncasecmp(t, "http://", 7) == 0 ||
		    ((size_t)(sp2 - t) >= 8 &&
		     strncasecmp(t, "https://", 8) == 0))) {
		const char *a = t + (t[4] == ':' ? 7 : 8);
		const char *slash = memchr(a, '/', (size_t)(sp2 - a));
		const char *q = memchr(a, '?', (size_t)(sp2 - a));

		if (!valid_host(a, (size_t)((slash ? slash : q ? q : sp2) - a)))
			return -400;
		if (slash == NULL || (q != NULL && q < slash)) {
			/* empty path: "/" (RFC 9112 3.2.1) */
			r->path = "/";
			r->path_len = 1;
			return 0;
		}
		t = slash;
		path_end = t;
	} else if (sp2 - t == 1 && *t == '*') {
		r->path = t;
		r->path_len = 1;
		return 0;
	} else {
		return -400;
	}
	while (path_end < sp2 && *path_end != '?' && *path_end != '#')
		path_end++;
	if (path_end < sp2 && *path_end == '#')
		return -400; /* a fragment is never sent (RFC 9110 4.2.4) */
	r->path = t;
	r->path_len = (size_t)(path_end - t);
	return 0;
}

/* Parse a request head (see http.h). Any thread. */
int
http_parse_request(const char *buf, size_t len, struct http_request *r)
{
	const char *p = buf, *end, *eol;
	bool have_host = false, have_cl = false, have_te = false;
	unsigned long long cl = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	r->q_openmetrics = r->q_text = r->q_gzip = -1;
	if (len > HTTP_HEAD_MAX)
		len = HTTP_HEAD_MAX;
	end = buf + len;

	/* RFC 9112 2.2: ignore empty lines before the request line. */
	while (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
		p += 2;
	if (p < end && p[0] == '\r' && end - p == 1)
		return len == HTTP_HEAD_MAX ? -400 : 0;
	if (p == end)
		return len == HTTP_HEAD_MAX ? -400 : 0;

	eol = memchr(p, '\n', (size_t)(end - p));
	if (eol != NULL) {
		if (eol == p || eol[-1] != '\r')
			return -400;
		eol--; /* at the CR */
	} else if (end[-1] == '\r') {
		/* The CR of the line end may stand alone until the LF. */
		end--;
	}
	if (memchr(p, '\r', (size_t)((eol ? eol : end) - p)) != NULL)
		return -400;
	rc = parse_request_line(p, (size_t)((eol ? eol : end) - p), eol, r);
	if (rc < 0)
		return rc;
	if (rc == 1 || eol == NULL)
		return len >= HTTP_HEAD_MAX ? -414 : 0;
	end = buf + len;
	p = eol + 2;

	/* field lines, up to the empty line */
	for (;;) {
		const char *name = p, *colon, *v, *vend;

		if (end - p < 2) {
			if (end - p == 1 && *p != '\r')
				goto partial_field;
			return len >= HTTP_HEAD_MAX ? -431 : 0;
		}
		if (p[0] == '\r') {
			if (p[1] != '\n')
				return -400;
			p += 2;
			break;
		}
	partial_field:
		if (is_ows(*p))
			return -400; /* obs-fold, or space before a name */
		while (p < end && is_tchar((unsigned char)*p))
			p++;
		if (p == end)
			return len >= HTTP_HEAD_MAX ? -431 : 0;
		if (*p != ':' || p == name)
			return -400;
		colon = p;
		for (v = colon + 1; v < end && *v != '\r' && *v != '\n'; v++)
			if (!is_field_char((unsigned char)*v))
				return -400;
		if (v < end && *v == '\n')
			return -400; /* a bare LF */
		if (end - v < 2)
			return len >= HTTP_HEAD_MAX ? -431 : 0;
		if (v[1] != '\n')
			return -400;
		if (++r->n_fields > HTTP_FIELDS_MAX)
			return -431;
		p = v + 2;
		vend = v;
		v = colon + 1;
		while (v < vend && is_ows(*v))
			v++;
		while (vend > v && is_ows(vend[-1]))
			vend--;

		if (eq_ci(name, (size_t)(colon - name), "host")) {
			if (have_host || !valid_host(v, (size_t)(vend - v)))
				return -400;
			have_host = true;
		} else if (eq_ci(name, (size_t)(colon - name),
				 "content-length")) {
			unsigned long long n = 0;
			const char *d;

			if (v == vend)
				return -400;
			for (d = v; d < vend; d++) {
				if (*d < '0' || *d > '9' ||
				    n > (1ull << 60) / 10)
					return -400;
				n = n * 10 + (unsigned)(*d - '0');
			}
			if (have_cl && n != cl)
				return -400;
			have_cl = true;
			cl = n;
		} else if (eq_ci(name, (size_t)(colon - name),
				 "transfer-encoding")) {
			have_te = true;
		} else if (eq_ci(name, (size_t)(colon - name), "accept")) {
			r->accept_seen = true;
			for_each_element(v, (size_t)(vend - v), accept_element,
					 r);
		} else if (eq_ci(name, (size_t)(colon - name),
				 "accept-encoding")) {
			for_each_element(v, (size_t)(vend - v),
					 encoding_element, r);
		} else if (eq_ci(name, (size_t)(colon - name), "connection")) {
			for_each_element(v, (size_t)(vend - v),
					 connection_element, r);
		}
	}
	if (have_te && have_cl)
		return -400;
	if (r->version_minor == 1 && !have_host)
		return -400;
	r->has_body = have_te || cl > 0;
	if (r->has_body)
		r->keep_alive = false;
	return (int)(p - buf);
}

/* Which exposition format (see http.h). Any thread. */
enum http_format
http_pick_format(const struct http_request *r)
{
	if (r->q_openmetrics > 0 && r->q_openmetrics >= r->q_text)
		return HTTP_FMT_OPENMETRICS;
	return HTTP_FMT_TEXT;
}

/* gzip allowed (see http.h). Any thread. */
bool
http_accepts_gzip(const struct http_request *r)
{
	return r->q_gzip > 0;
}

/* Reason phrase (see http.h). Any thread. */
const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

/* Response head (see http.h). Any thread. */
int
http_format_head(char *out, size_t outlen, int status, const char *content_type,
		 uint64_t content_length, const char *content_encoding,
		 const char *extra, bool keep_alive)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	int n;

	/* RFC 9110 5.6.7: IMF-fixdate, always in English and GMT. */
	static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed",
					 "Thu", "Fri", "Sat"};
	static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr",
					 "May", "Jun", "Jul", "Aug",
					 "Sep", "Oct", "Nov", "Dec"};

	gmtime_r(&now, &tm);
	snprintf(date, sizeof(date), "%s, %02d %s %04d %02d:%02d:%02d GMT",
		 wd[tm.tm_wday % 7], tm.tm_mday, mo[tm.tm_mon % 12],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	n = snprintf(out, outlen,
		     "HTTP/1.1 %d %s\r\n"
		     "Date: %s\r\n"
		     "Server: ixgate-control/%s\r\n"
		     "Content-Type: %s\r\n"
		     "Content-Length: %llu\r\n"
		     "%s%s%s"
		     "%s"
		     "%s"
		     "\r\n",
		     status, http_reason(status), date, IXG_VERSION,
		     content_type, (unsigned long long)content_length,
		     content_encoding ? "Content-Encoding: " : "",
		     content_encoding ? content_encoding : "",
		     content_encoding ? "\r\n" : "", extra ? extra : "",
		     keep_alive ? "" : "Connection: close\r\n");
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return n;
}
