/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_json.h - the one JSON writer of the tree (RFC 8259): a streaming
 * writer that places commas itself, and the string escaper every JSON
 * producer uses (stats, ixgatectl, audit log, CLI errors, tools).
 *
 * Why not jansson (Debian's libjansson): the outputs here are streamed,
 * some are large (a 250x250 country matrix, 65,536 peer pairs) and their
 * bytes are fixed by golden files (rates with three decimals, keys in a
 * given order). jansson builds the whole tree first: for the stats JSON of
 * 4,095 peers, 32,760 peer pairs and a full 250x250 country matrix (5.9
 * MB) it took 375-390 ms of CPU and 51 MB of tree, against 47-66 ms and
 * no allocation here (tests/unit/common/test_counters.c, test_big_cost),
 * and it cannot print a fixed number of decimals. This writer is ~200
 * lines with no state beyond a nesting stack.
 *
 * Output is compact: no space after ':' or ','. Strings are escaped as
 * RFC 8259 section 7 requires: '"', '\\' and control characters
 * (\b \f \n \r \t by name, the others and DEL as \u00XX); bytes that are
 * not valid UTF-8 become U+FFFD, so any input gives valid JSON. Any
 * thread; one writer per output.
 */
#ifndef IXG_JSON_H
#define IXG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define IXG_JSON_MAX_DEPTH 32

struct ixg_json {
	FILE *out;
	unsigned depth;
	bool first[IXG_JSON_MAX_DEPTH]; /* nothing written at this level yet */
	bool is_obj[IXG_JSON_MAX_DEPTH];
};

/* Start writing one JSON value to out. */
void ixg_json_init(struct ixg_json *w, FILE *out);

/*
 * Members and elements. `key` is the member name inside an object, NULL
 * for an array element or for the root value. Nesting deeper than
 * IXG_JSON_MAX_DEPTH is still written but no longer checked.
 */
void ixg_json_obj(struct ixg_json *w, const char *key);
void ixg_json_arr(struct ixg_json *w, const char *key);
/* Close the innermost object or array. */
void ixg_json_end(struct ixg_json *w);
void ixg_json_str(struct ixg_json *w, const char *key, const char *v);
/* The first n bytes of v (may hold NUL bytes: escaped). */
void ixg_json_strn(struct ixg_json *w, const char *key, const char *v,
		   size_t n);
void ixg_json_u64(struct ixg_json *w, const char *key, uint64_t v);
void ixg_json_i64(struct ixg_json *w, const char *key, int64_t v);
/* Three decimals ("12.500"); NaN and infinities, which JSON lacks, as
 * null. */
void ixg_json_dbl(struct ixg_json *w, const char *key, double v);
void ixg_json_bool(struct ixg_json *w, const char *key, bool v);
void ixg_json_null(struct ixg_json *w, const char *key);
/* The member name (or the comma before an element) alone: the caller
 * writes the value itself, e.g. with fprintf. */
void ixg_json_key(struct ixg_json *w, const char *key);
/* After the root value: a newline. */
void ixg_json_done(struct ixg_json *w);

/* A JSON string literal, quotes included, for writers that compose JSON
 * by hand (audit log lines, one-line errors). */
void ixg_json_quote(FILE *out, const char *s);
void ixg_json_quoten(FILE *out, const char *s, size_t n);

#endif /* IXG_JSON_H */
