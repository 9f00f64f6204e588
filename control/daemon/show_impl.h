/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * show_impl.h - what show.c (the `show` commands) and show_fmt.c (tables,
 * units, JSON, addresses) share inside ixgate-control. Not an API: nothing
 * outside control/daemon/show*.c includes it.
 *
 * Single-threaded like the rest of the daemon: everything runs on the event
 * loop's thread, for one command at a time.
 */
#ifndef IXG_SHOW_IMPL_H
#define IXG_SHOW_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ixg_api.h"

#include <time.h>

/* Human output must fit a 100-column terminal. */
#define SHOW_WIDTH 100

/* ---------------------------------------------------------------- clock */

/* The wall clock every show command reads (CLOCK_REALTIME). */
void show_now(struct timespec *ts);

/* Replace the clock (tests render golden files at a fixed time); NULL
 * restores CLOCK_REALTIME. */
void show_set_clock(void (*fn)(struct timespec *ts));

/* ---------------------------------------------------------------- units */

/* Buffers for the formatters below: "-1234.5 Tbit/s" and friends. */
#define SHOW_NUM_LEN 32

/*
 * A count with an SI suffix and three significant digits: 999, 1.23k,
 * 45.6M, 789G. Writes buf (SHOW_NUM_LEN) and returns it.
 */
const char *show_si(char *buf, double v);

/* A bit rate with its unit: "512 bit/s", "98.7 Mbit/s", "10 Gbit/s". */
const char *show_bitrate(char *buf, double bits_per_s);

/* A byte size with a binary unit as the config writes them: "512 B",
 * "64 KiB", "16 MiB". Exact when the size is a whole number of units. */
const char *show_size(char *buf, uint64_t bytes);

/* A duration: "45s", "12m05s", "3h07m", "27394d04h". Negative: "expired". */
const char *show_duration(char *buf, int64_t seconds);

/* RFC 3339 UTC time "2099-12-31T00:00:00Z" into buf (at least 24 bytes). */
const char *show_time(char *buf, size_t len, int64_t unix_s);

/* --------------------------------------------------------- addresses */

/* "a.b.c.d/len" or "x::y/len"; addr in network byte order (IPv4 in the
 * first 4 bytes). buf at least 48 bytes. */
const char *show_prefix(char *buf, size_t len, int family,
			const uint8_t addr[16], unsigned plen);

/* The same for an IPv4 address in host byte order (spec routes). */
const char *show_prefix4h(char *buf, size_t len, uint32_t addr, unsigned plen);

/* "02:00:00:00:04:01". buf at least 18 bytes. */
const char *show_mac(char *buf, size_t len, const uint8_t mac[6]);

/*
 * Parse "ADDR" or "ADDR/LEN" (IPv4 or IPv6). Without a length the query is
 * a host (/32 or /128). Host bits are cleared. 0, or -EINVAL.
 */
int show_parse_prefix(const char *s, int *family, uint8_t addr[16],
		      unsigned *plen);

/* Does prefix (a, alen) contain prefix (b, blen)? Both network order. */
bool show_covers(const uint8_t a[16], unsigned alen, const uint8_t b[16],
		 unsigned blen);

/* --------------------------------------------------------------- tables */

#define TBL_MAX_COLS 16
#define TBL_CELL_LEN 96

/*
 * A table of text cells printed with aligned columns: numbers right-aligned,
 * text left-aligned, each column at most its cap (longer text is cut with a
 * trailing '~'). When the row is still wider than SHOW_WIDTH the last
 * column wraps at spaces onto continuation lines.
 */
struct tbl {
	unsigned ncols;
	const char *hdr[TBL_MAX_COLS];
	bool right[TBL_MAX_COLS];
	unsigned cap[TBL_MAX_COLS]; /* 0: no cap */
	char (*cells)[TBL_CELL_LEN];
	unsigned nrows, alloc_rows;
	bool oom;
};

/* Columns as "NAME" (left) or ">NAME" (right-aligned), with a cap per
 * column (0 = none). */
void tbl_init(struct tbl *t, unsigned ncols, const char *const *hdr,
	      const unsigned *cap);
/* Start a new row; its cells are empty until set. */
void tbl_row(struct tbl *t);
/* Set cell `col` of the last row. */
void tbl_set(struct tbl *t, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Print with `indent` spaces before every line, then free the cells. */
void tbl_print(struct tbl *t, FILE *out, unsigned indent);
void tbl_free(struct tbl *t);

/* ----------------------------------------------------------------- JSON */

#define JW_MAX_DEPTH 16

/*
 * A JSON writer (RFC 8259) that places commas itself. `key` is NULL for
 * array elements and for the root. Strings are escaped (section 7).
 */
struct jw {
	FILE *out;
	unsigned depth;
	bool first[JW_MAX_DEPTH];
};

void jw_init(struct jw *w, FILE *out);
void jw_obj(struct jw *w, const char *key);
void jw_arr(struct jw *w, const char *key);
void jw_end_obj(struct jw *w);
void jw_end_arr(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *v);
void jw_u64(struct jw *w, const char *key, uint64_t v);
void jw_i64(struct jw *w, const char *key, int64_t v);
void jw_dbl(struct jw *w, const char *key, double v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);
/* After the root value: a newline. */
void jw_done(struct jw *w);

/* ---------------------------------------------------------------- names */

/* Levenshtein distance between a and b (bytes), used for "did you mean". */
unsigned show_edit_distance(const char *a, const char *b);

#endif /* IXG_SHOW_IMPL_H */
