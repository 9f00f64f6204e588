/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_json.c - the streaming JSON writer and string escaper (see
 * ixg_json.h for why it is ours rather than jansson).
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "ixg_json.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if the
 * bytes there are not one (RFC 3629 section 4: no overlongs, no
 * surrogates, nothing above U+10FFFF). */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* Quoted and escaped (see ixg_json.h). Any thread. */
void
ixg_json_quoten(FILE *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	fputc('"', out);
	while (i < n) {
		unsigned char ch = s[i];
		size_t u = 0;

		if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') {
			i++;
			run++;
			continue;
		}
		if (ch >= 0x80 && (u = utf8_len(s + i, n - i)) > 0) {
			i += u;
			run += u;
			continue;
		}
		/* A byte to escape: write the plain run before it. */
		fwrite(s + i - run, 1, run, out);
		run = 0;
		switch (ch) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (ch < 0x80)
				fprintf(out, "\\u%04x", ch);
			else
				fputs("\\ufffd", out);
		}
		i++;
	}
	fwrite(s + i - run, 1, run, out);
	fputc('"', out);
}

/* See ixg_json.h. Any thread. */
void
ixg_json_quote(FILE *out, const char *s)
{
	ixg_json_quoten(out, s, strlen(s));
}

/* Start a value (see ixg_json.h). */
void
ixg_json_init(struct ixg_json *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->first[0] = true;
}

/* The comma and member name before a value. */
void
ixg_json_key(struct ixg_json *w, const char *key)
{
	unsigned d = w->depth < IXG_JSON_MAX_DEPTH ? w->depth
						   : IXG_JSON_MAX_DEPTH - 1;

	if (!w->first[d])
		fputc(',', w->out);
	w->first[d] = false;
	if (key != NULL) {
		ixg_json_quote(w->out, key);
		fputc(':', w->out);
	}
}

static void
open_(struct ixg_json *w, const char *key, bool obj)
{
	ixg_json_key(w, key);
	fputc(obj ? '{' : '[', w->out);
	w->depth++;
	if (w->depth < IXG_JSON_MAX_DEPTH) {
		w->first[w->depth] = true;
		w->is_obj[w->depth] = obj;
	}
}

/* Open an object / array member or element. */
void
ixg_json_obj(struct ixg_json *w, const char *key)
{
	open_(w, key, true);
}

void
ixg_json_arr(struct ixg_json *w, const char *key)
{
	open_(w, key, false);
}

/* Close the innermost container. */
void
ixg_json_end(struct ixg_json *w)
{
	bool obj = w->depth < IXG_JSON_MAX_DEPTH ? w->is_obj[w->depth] : true;

	fputc(obj ? '}' : ']', w->out);
	if (w->depth > 0)
		w->depth--;
}

/* Scalars (see ixg_json.h). */
void
ixg_json_str(struct ixg_json *w, const char *key, const char *v)
{
	ixg_json_key(w, key);
	ixg_json_quote(w->out, v);
}

void
ixg_json_strn(struct ixg_json *w, const char *key, const char *v, size_t n)
{
	ixg_json_key(w, key);
	ixg_json_quoten(w->out, v, n);
}

void
ixg_json_u64(struct ixg_json *w, const char *key, uint64_t v)
{
	/* By hand: a stats JSON is mostly numbers; with fprintf it took
	 * ~20% more CPU (test_counters, test_big_cost). */
	char buf[20];
	size_t i = sizeof(buf);

	ixg_json_key(w, key);
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	fwrite(buf + i, 1, sizeof(buf) - i, w->out);
}

void
ixg_json_i64(struct ixg_json *w, const char *key, int64_t v)
{
	ixg_json_key(w, key);
	fprintf(w->out, "%" PRId64, v);
}

void
ixg_json_dbl(struct ixg_json *w, const char *key, double v)
{
	ixg_json_key(w, key);
	if (!isfinite(v) || fabs(v) > 1e300)
		fputs("null", w->out);
	else
		fprintf(w->out, "%.3f", v);
}

void
ixg_json_bool(struct ixg_json *w, const char *key, bool v)
{
	ixg_json_key(w, key);
	fputs(v ? "true" : "false", w->out);
}

void
ixg_json_null(struct ixg_json *w, const char *key)
{
	ixg_json_key(w, key);
	fputs("null", w->out);
}

/* End of the root value. */
void
ixg_json_done(struct ixg_json *w)
{
	fputc('\n', w->out);
}
