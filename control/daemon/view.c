/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * view.c - views and their one renderer (see view.h): items kept in order,
 * strings in an arena owned by the view, text tables laid out when
 * printed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ixg_json.h"
#include "show_impl.h"
#include "view.h"

enum item_kind { I_TEXT, I_JSON, I_OBJ, I_ARR, I_END, I_TABLE };

struct vtable {
	const char *key;
	const struct vcol *cols;
	unsigned ncols, nparts, indent;
	bool json_null, hide_empty;
	struct vval *cells;
	unsigned nrows, alloc;
	struct view *v;
};

struct item {
	uint8_t kind;
	const char *key;
	const char *text; /* I_TEXT */
	struct vval val; /* I_JSON */
	struct vtable *table; /* I_TABLE */
};

/* Arena chunks: strings stay where they are until the view is freed. */
struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

struct view {
	bool has_hdr, oom;
	struct view_hdr hdr;
	struct item *items;
	unsigned n, alloc;
	struct chunk *arena;
};

#define CHUNK_SIZE 65536

/* A view (see view.h). */
struct view *
view_new(const struct view_hdr *hdr)
{
	struct view *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	if (hdr != NULL) {
		v->has_hdr = true;
		v->hdr = *hdr;
	}
	return v;
}

/* Free a view and everything in it. */
void
view_free(struct view *v)
{
	if (v == NULL)
		return;
	for (unsigned i = 0; i < v->n; i++)
		if (v->items[i].kind == I_TABLE) {
			free(v->items[i].table->cells);
			free(v->items[i].table);
		}
	while (v->arena != NULL) {
		struct chunk *c = v->arena;

		v->arena = c->next;
		free(c);
	}
	free(v->items);
	free(v);
}

static char *
arena_alloc(struct view *v, size_t n)
{
	struct chunk *c = v->arena;

	if (c == NULL || c->size - c->used < n) {
		size_t size = n > CHUNK_SIZE ? n : CHUNK_SIZE;

		c = malloc(sizeof(*c) + size);
		if (c == NULL) {
			v->oom = true;
			return NULL;
		}
		c->size = size;
		c->used = 0;
		c->next = v->arena;
		v->arena = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

/* Copies into the view (see view.h). */
const char *
view_str(struct view *v, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = arena_alloc(v, n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

static const char *
vfmt(struct view *v, const char *fmt, va_list ap)
{
	va_list aq;
	int n;
	char *p;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	p = arena_alloc(v, (size_t)n + 1);
	if (p != NULL)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

const char *
view_fmt(struct view *v, const char *fmt, ...)
{
	va_list ap;
	const char *p;

	va_start(ap, fmt);
	p = vfmt(v, fmt, ap);
	va_end(ap);
	return p;
}

static struct item *
add(struct view *v, uint8_t kind)
{
	if (v->n == v->alloc) {
		unsigned n = v->alloc ? 2 * v->alloc : 32;
		void *p = realloc(v->items, n * sizeof(*v->items));

		if (p == NULL) {
			v->oom = true;
			return NULL;
		}
		v->items = p;
		v->alloc = n;
	}
	memset(&v->items[v->n], 0, sizeof(v->items[0]));
	v->items[v->n].kind = kind;
	return &v->items[v->n++];
}

/* A string value owned by the view. */
static struct vval
own(struct view *v, struct vval val)
{
	if ((val.t == VT_STR || val.t == VT_RAW) && val.s != NULL)
		val.s = view_str(v, val.s);
	if ((val.t == VT_STR || val.t == VT_RAW) && val.s == NULL)
		val.t = VT_NONE;
	return val;
}

/* Items (see view.h). */
void
view_text(struct view *v, const char *fmt, ...)
{
	struct item *it = add(v, I_TEXT);
	va_list ap;

	if (it == NULL)
		return;
	va_start(ap, fmt);
	it->text = vfmt(v, fmt, ap);
	va_end(ap);
	if (it->text == NULL)
		it->text = "";
}

void
view_json(struct view *v, const char *key, struct vval val)
{
	struct item *it = add(v, I_JSON);

	if (it == NULL)
		return;
	it->key = key != NULL ? view_str(v, key) : NULL;
	it->val = own(v, val);
}

void
view_obj(struct view *v, const char *key)
{
	struct item *it = add(v, I_OBJ);

	if (it != NULL)
		it->key = key != NULL ? view_str(v, key) : NULL;
}

void
view_arr(struct view *v, const char *key)
{
	struct item *it = add(v, I_ARR);

	if (it != NULL)
		it->key = key != NULL ? view_str(v, key) : NULL;
}

void
view_end(struct view *v)
{
	add(v, I_END);
}

/* Tables (see view.h). */
struct vtable *
view_table(struct view *v, const char *key, const struct vcol *cols,
	   unsigned ncols, unsigned indent)
{
	struct vtable *t = calloc(1, sizeof(*t));
	struct item *it;

	if (t == NULL) {
		v->oom = true;
		return NULL;
	}
	it = add(v, I_TABLE);
	if (it == NULL) {
		free(t);
		return NULL;
	}
	t->key = key;
	t->cols = cols;
	t->ncols = ncols;
	t->indent = indent;
	t->v = v;
	for (unsigned c = 0; c < ncols; c++)
		if (cols[c].part + 1u > t->nparts)
			t->nparts = cols[c].part + 1u;
	it->table = t;
	return t;
}

void
vt_json_null(struct vtable *t)
{
	if (t != NULL)
		t->json_null = true;
}

void
vt_hide_empty(struct vtable *t)
{
	if (t != NULL)
		t->hide_empty = true;
}

void
vt_row(struct vtable *t)
{
	if (t == NULL || t->v->oom)
		return;
	if (t->nrows == t->alloc) {
		unsigned n = t->alloc ? 2 * t->alloc : 16;
		void *p = realloc(t->cells,
				  (size_t)n * t->ncols * sizeof(*t->cells));

		if (p == NULL) {
			t->v->oom = true;
			return;
		}
		t->cells = p;
		t->alloc = n;
	}
	memset(&t->cells[(size_t)t->nrows * t->ncols], 0,
	       t->ncols * sizeof(*t->cells));
	t->nrows++;
}

void
vt_set(struct vtable *t, unsigned col, struct vval val)
{
	if (t == NULL || t->v->oom || t->nrows == 0 || col >= t->ncols)
		return;
	t->cells[(size_t)(t->nrows - 1) * t->ncols + col] = own(t->v, val);
}

unsigned
vt_rows(const struct vtable *t)
{
	return t != NULL ? t->nrows : 0;
}

/* ----------------------------------------------------------------- text */

/* A cell as text, in buf (or a string of the view). */
static const char *
cell_text(const struct vcol *c, const struct vval *v, char *buf, size_t len)
{
	switch (v->t) {
	case VT_NULL: return "-";
	case VT_STR: return v->s;
	case VT_U64:
		if (c->fmt == VF_SI)
			return show_si(buf, (double)v->u);
		snprintf(buf, len, "%" PRIu64, v->u);
		return buf;
	case VT_I64:
		if (c->fmt == VF_SI)
			return show_si(buf, (double)v->i);
		snprintf(buf, len, "%" PRId64, v->i);
		return buf;
	case VT_DBL:
		if (c->fmt == VF_SI)
			return show_si(buf, v->d);
		snprintf(buf, len, c->fmt == VF_PCT ? "%.1f%%" : "%.3f", v->d);
		return buf;
	case VT_BOOL: return v->b ? "true" : "false";
	default: return "";
	}
}

/* Print `s` in a column of width w (cut with '~' if longer). */
static void
put_cell(FILE *out, const char *s, unsigned w, bool right, bool last)
{
	size_t n = strlen(s);

	if (n > w) {
		fprintf(out, "%.*s~", (int)(w - 1), s);
		return;
	}
	if (right)
		fprintf(out, "%*s", (int)w, s);
	else if (last)
		fputs(s, out);
	else
		fprintf(out, "%-*s", (int)w, s);
}

/* The last column's text, wrapped at spaces to `w` columns, each
 * continuation line starting at column `col`. */
static void
put_wrapped(FILE *out, const char *s, unsigned w, unsigned col)
{
	bool first = true;

	while (*s) {
		size_t n = strlen(s), cut = n;

		if (n > w) {
			cut = w;
			while (cut > 0 && s[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = w;
		}
		if (!first)
			fprintf(out, "\n%*s", (int)col, "");
		fprintf(out, "%.*s", (int)cut, s);
		first = false;
		s += cut;
		while (*s == ' ')
			s++;
	}
}

/* One part of a table as aligned text. */
static void
table_part(const struct vtable *t, unsigned part, FILE *out)
{
	unsigned sel[64], ns = 0, w[64], total = t->indent, last;
	char buf[SHOW_NUM_LEN + 32];

	for (unsigned c = 0; c < t->ncols && ns < 64; c++)
		if (t->cols[c].hdr != NULL && t->cols[c].part == part)
			sel[ns++] = c;
	if (ns == 0)
		return;
	last = ns - 1;
	for (unsigned k = 0; k < ns; k++) {
		const struct vcol *c = &t->cols[sel[k]];
		const char *h = c->hdr + (c->hdr[0] == '>');

		w[k] = (unsigned)strlen(h);
		for (unsigned r = 0; r < t->nrows; r++) {
			unsigned n = (unsigned)strlen(cell_text(
				c, &t->cells[(size_t)r * t->ncols + sel[k]],
				buf, sizeof(buf)));

			if (n > w[k])
				w[k] = n;
		}
		if (c->cap != 0 && w[k] > c->cap)
			w[k] = c->cap;
		total += w[k] + (k ? 2 : 0);
	}
	/* The last column takes what is left of the width, at least 12. */
	if (total > SHOW_WIDTH) {
		unsigned before = total - w[last];
		unsigned left = before < SHOW_WIDTH - 12 ? SHOW_WIDTH - before
							 : 12;

		if (left < w[last])
			w[last] = left;
	}
	for (int r = -1; r < (int)t->nrows; r++) {
		unsigned col = t->indent;

		fprintf(out, "%*s", (int)t->indent, "");
		for (unsigned k = 0; k < ns; k++) {
			const struct vcol *c = &t->cols[sel[k]];
			bool right = c->hdr[0] == '>';
			const char *s =
				r < 0 ? c->hdr + right
				      : cell_text(
						c,
						&t->cells[(size_t)r * t->ncols +
							  sel[k]],
						buf, sizeof(buf));

			if (k)
				fputs("  ", out);
			col += k ? 2 : 0;
			if (k == last && !right)
				put_wrapped(out, s, w[k], col);
			else
				put_cell(out, s, w[k], right, k == last);
			col += w[k];
		}
		fputc('\n', out);
	}
}

static void
header_text(const struct view_hdr *h, FILE *out)
{
	char tb[32];

	if (h->frame > 0) {
		fprintf(out, "%s  every %g s, frame %u, ",
			show_time(tb, sizeof(tb), (int64_t)h->now.tv_sec),
			h->watch_s, h->frame);
		if (h->rate_interval_s > 0)
			fprintf(out, "rates over the last %.2f s\n\n",
				h->rate_interval_s);
		else
			fputs("no rates yet (first read, or the dataplane "
			      "restarted)\n\n",
			      out);
	}
	if (!h->counters)
		fputs("dataplane not connected: counters shown as '-'\n\n",
		      out);
}

static void
render_text(const struct view *v, FILE *out)
{
	if (v->has_hdr)
		header_text(&v->hdr, out);
	for (unsigned i = 0; i < v->n; i++) {
		const struct item *it = &v->items[i];
		const struct vtable *t = it->table;

		if (it->kind == I_TEXT) {
			fputs(it->text, out);
			continue;
		}
		if (it->kind != I_TABLE || (t->hide_empty && t->nrows == 0))
			continue;
		for (unsigned p = 0; p < t->nparts; p++) {
			if (p > 0)
				fputc('\n', out);
			table_part(t, p, out);
		}
	}
}

/* ----------------------------------------------------------------- JSON */

static void
json_val(struct ixg_json *j, const char *key, const struct vval *v)
{
	switch (v->t) {
	case VT_NULL: ixg_json_null(j, key); break;
	case VT_STR: ixg_json_str(j, key, v->s); break;
	case VT_U64: ixg_json_u64(j, key, v->u); break;
	case VT_I64: ixg_json_i64(j, key, v->i); break;
	case VT_DBL: ixg_json_dbl(j, key, v->d); break;
	case VT_BOOL: ixg_json_bool(j, key, v->b); break;
	case VT_RAW:
		ixg_json_key(j, key);
		fputs(v->s, j->out);
		break;
	default: break;
	}
}

static void
header_json(const struct view_hdr *h, struct ixg_json *j)
{
	ixg_json_bool(j, "dataplane_connected", h->counters);
	ixg_json_u64(j, "generation", h->generation);
	if (h->rate_interval_s > 0)
		ixg_json_dbl(j, "rate_interval_s", h->rate_interval_s);
	else
		ixg_json_null(j, "rate_interval_s");
	if (h->frame > 0) {
		ixg_json_u64(j, "watch_frame", h->frame);
		ixg_json_dbl(j, "watch_interval_s", h->watch_s);
		ixg_json_dbl(j, "time",
			     (double)h->now.tv_sec + h->now.tv_nsec / 1e9);
	}
}

static void
table_json(const struct vtable *t, struct ixg_json *j)
{
	if (t->json_null) {
		ixg_json_null(j, t->key);
		return;
	}
	ixg_json_arr(j, t->key);
	for (unsigned r = 0; r < t->nrows; r++) {
		ixg_json_obj(j, NULL);
		for (unsigned c = 0; c < t->ncols; c++)
			if (t->cols[c].key != NULL)
				json_val(j, t->cols[c].key,
					 &t->cells[(size_t)r * t->ncols + c]);
		ixg_json_end(j);
	}
	ixg_json_end(j);
}

static void
render_json(const struct view *v, FILE *out)
{
	struct ixg_json j;

	ixg_json_init(&j, out);
	ixg_json_obj(&j, NULL);
	if (v->has_hdr)
		header_json(&v->hdr, &j);
	for (unsigned i = 0; i < v->n; i++) {
		const struct item *it = &v->items[i];

		switch (it->kind) {
		case I_JSON: json_val(&j, it->key, &it->val); break;
		case I_OBJ: ixg_json_obj(&j, it->key); break;
		case I_ARR: ixg_json_arr(&j, it->key); break;
		case I_END: ixg_json_end(&j); break;
		case I_TABLE:
			if (it->table->key != NULL)
				table_json(it->table, &j);
			break;
		default: break;
		}
	}
	ixg_json_end(&j);
	ixg_json_done(&j);
}

/* Print the view (see view.h). */
int
view_render(const struct view *v, bool json, FILE *out)
{
	if (v->oom)
		return -ENOMEM;
	if (json)
		render_json(v, out);
	else
		render_text(v, out);
	return 0;
}
