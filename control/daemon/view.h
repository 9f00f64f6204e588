/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * view.h - what a `show` command produces: a view, one sequence of items
 * (tables of typed columns and rows, JSON members, text lines), that one
 * renderer (view_render) prints either as aligned text tables or as one
 * JSON object. A command describes its output once; it never asks which
 * of the two is wanted.
 *
 *   struct view *v = view_new(&hdr);
 *   static const struct vcol cols[] = {
 *           {"PEER", "name", VF_PLAIN, 0, 20},
 *           {">RX-PKTS", "rx_packets", VF_SI, 0, 0},
 *   };
 *   struct vtable *t = view_table(v, "peers", cols, 2, 0);
 *   vt_row(t);
 *   vt_set(t, 0, V_STR("viettel"));
 *   vt_set(t, 1, V_U64(1500));          // "1.50k" in text, 1500 in JSON
 *   view_render(v, json, out);
 *
 * Text: a table prints its columns that have a header (">" right-aligns),
 * each as wide as its widest cell (at most its cap: longer text is cut
 * with '~'); when a row is wider than SHOW_WIDTH the last column wraps at
 * spaces. A table may have several parts (printed one after the other,
 * separated by an empty line) over the same rows. Cells: VT_NULL is "-",
 * numbers per the column's format.
 * JSON: a table is an array of one object per row, with the columns that
 * have a key, in column order; VT_NONE cells are left out, VT_NULL is
 * null, VT_RAW is a JSON fragment written as is.
 *
 * Strings given to a view are copied into it. Loop thread, like every
 * show command.
 */
#ifndef IXG_VIEW_H
#define IXG_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

enum vtype {
	VT_NONE, /* no value: empty text cell, member left out of JSON */
	VT_NULL, /* unknown: "-" / null */
	VT_STR,
	VT_U64,
	VT_I64,
	VT_DBL, /* JSON: three decimals */
	VT_BOOL,
	VT_RAW, /* a JSON fragment (JSON only) */
};

struct vval {
	uint8_t t; /* enum vtype */
	union {
		uint64_t u;
		int64_t i;
		double d;
		bool b;
		const char *s;
	};
};

static inline struct vval
V_STR(const char *s) {
	return (struct vval){.t = VT_STR, .s = s};
} static inline struct vval
V_U64(uint64_t u) {
	return (struct vval){.t = VT_U64, .u = u};
} static inline struct vval
V_I64(int64_t i) {
	return (struct vval){.t = VT_I64, .i = i};
} static inline struct vval
V_DBL(double d) {
	return (struct vval){.t = VT_DBL, .d = d};
} static inline struct vval
V_BOOL(bool b) {
	return (struct vval){.t = VT_BOOL, .b = b};
} static inline struct vval
V_NULL(void) {
	return (struct vval){.t = VT_NULL};
} static inline struct vval
V_NONE(void) {
	return (struct vval){.t = VT_NONE};
} static inline struct vval
V_RAW(const char *json) {
	return (struct vval){.t = VT_RAW, .s = json};
}

/* How a number prints in text. */
enum vfmt {
	VF_PLAIN, /* 1500, 12.500 */
	VF_SI, /* 1.50k (show_si) */
	VF_PCT, /* 12.3% */
};

struct vcol {
	const char *hdr; /* text header, ">" right-aligned; NULL: JSON only */
	const char *key; /* JSON member; NULL: text only */
	uint8_t fmt; /* enum vfmt */
	uint8_t part; /* text: which part of the table */
	uint16_t cap; /* text: widest the column gets, 0 no cap */
};

/* The dataplane state a view with counters starts with. */
struct view_hdr {
	bool counters; /* counters shown (a dataplane is connected) */
	uint64_t generation;
	double rate_interval_s; /* <= 0: no rates */
	unsigned frame; /* --watch frame, 0: not watching */
	double watch_s;
	struct timespec now;
};

struct view;
struct vtable;

/* A view; hdr NULL for one without the dataplane header (routes,
 * generation, config, errors). NULL when out of memory. */
struct view *view_new(const struct view_hdr *hdr);
void view_free(struct view *v);

/* A copy of s (or of the formatted text) owned by the view. NULL only
 * when out of memory (the view remembers; view_render says so). */
const char *view_str(struct view *v, const char *s);
const char *view_fmt(struct view *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Text only: printed as is (include the newlines). */
void view_text(struct view *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* JSON only: a member (key) or an array element (key NULL). Strings in
 * val are copied. */
void view_json(struct view *v, const char *key, struct vval val);
/* JSON only: open an object / array member, close the innermost. */
void view_obj(struct view *v, const char *key);
void view_arr(struct view *v, const char *key);
void view_end(struct view *v);

/*
 * A table of ncols columns (cols must outlive the view), as the JSON member
 * `key` (NULL: text only), printed with `indent` spaces before each text
 * line. Parts: the highest vcol.part + 1.
 */
struct vtable *view_table(struct view *v, const char *key,
			  const struct vcol *cols, unsigned ncols,
			  unsigned indent);
/* JSON: null instead of the array (the rows are unknown). */
void vt_json_null(struct vtable *t);
/* Text: print nothing when the table has no row. */
void vt_hide_empty(struct vtable *t);
/* A new row (cells VT_NONE), and a cell of the last row (strings copied). */
void vt_row(struct vtable *t);
void vt_set(struct vtable *t, unsigned col, struct vval val);
unsigned vt_rows(const struct vtable *t);

/* Print the view as text, or as one JSON object and a newline. 0, or
 * -ENOMEM when building it ran out of memory (nothing printed). */
int view_render(const struct view *v, bool json, FILE *out);

#endif /* IXG_VIEW_H */
