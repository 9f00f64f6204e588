/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * diag.c - diagnostics, rendered once when found:
 *   file:line:col: error: message
 *   <the source line, verbatim>
 *   <white space copied from the line up to col>^~~~
 * Copying tabs from the source line keeps the caret under the token in
 * any terminal whatever its tab width.
 */
#include <stdio.h>
#include <string.h>

#include "conf_impl.h"

struct diag {
	uint8_t sev;
	char *text; /* rendered, newline-terminated */
};

struct ixg_diags {
	VEC(struct diag) v;
	unsigned errors, warnings;
	unsigned dropped; /* not stored: out of memory, or past the limit */
	int no_quote; /* quote nothing read from a file (diag_set_quote) */
};

/* Allocates; NULL on ENOMEM. Any thread, one diags object per thread. */
struct ixg_diags *
ixg_diags_new(void)
{
	return calloc(1, sizeof(struct ixg_diags));
}

/* Frees d and every diagnostic in it; NULL is a no-op. */
void
ixg_diags_free(struct ixg_diags *d)
{
	uint32_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->v.n; i++)
		free(d->v.v[i].text);
	free(d->v.v);
	free(d);
}

/* Number of errors recorded so far. */
unsigned
ixg_diags_errors(const struct ixg_diags *d)
{
	return d->errors;
}

/* Number of warnings recorded so far. */
unsigned
ixg_diags_warnings(const struct ixg_diags *d)
{
	return d->warnings;
}

/* Writes every diagnostic to out, in the order found. */
void
ixg_diags_print(const struct ixg_diags *d, FILE *out)
{
	uint32_t i;

	for (i = 0; i < d->v.n; i++)
		fputs(d->v.v[i].text, out);
}

/* Quote file content or not (see ixg_conf_opts.no_quote). */
void
diag_set_quote(struct ixg_diags *d, int quote)
{
	d->no_quote = !quote;
}

int
diag_full(const struct ixg_diags *d)
{
	return d->errors >= DIAG_MAX_ERRORS;
}

static void
diag_store(struct ixg_diags *d, enum diag_sev sev, char *text)
{
	struct diag *e;

	if (sev == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
	if (d->errors > DIAG_MAX_ERRORS) {
		/* A hostile file could hold millions of errors: keep the
		 * first ones and say so once. */
		free(text);
		text = NULL;
		if (sev == DIAG_ERROR && d->errors == DIAG_MAX_ERRORS + 1) {
			char *note = strdup("error: more than 1000 errors; "
					    "not reporting more\n");

			if (note != NULL && (e = VEC_PUSH(d->v)) != NULL) {
				e->sev = DIAG_ERROR;
				e->text = note;
			} else {
				free(note);
			}
		}
	}
	if (text == NULL || (e = VEC_PUSH(d->v)) == NULL) {
		free(text);
		d->dropped++;
		return;
	}
	e->sev = (uint8_t)sev;
	e->text = text;
}

/* fmt with every conversion shown as "...": what a message says without
 * any value, which may come from a file the reader may not see. */
static void
put_redacted(FILE *f, const char *fmt)
{
	const char *p = fmt;

	while (*p != '\0') {
		if (*p != '%') {
			fputc(*p++, f);
			continue;
		}
		p++;
		if (*p == '%') {
			fputc(*p++, f);
			continue;
		}
		p += strspn(p, "-+ #0123456789.*hlLqjzt");
		if (*p != '\0')
			p++;
		fputs("...", f);
	}
}

static void
put_message(const struct ixg_diags *d, FILE *f, const char *fmt, va_list ap)
{
	if (d->no_quote)
		put_redacted(f, fmt);
	else
		vfprintf(f, fmt, ap);
}

void
diag_emit(struct ixg_diags *d, enum diag_sev sev, const char *file,
	  uint32_t line, uint32_t col, const char *line_text, size_t line_len,
	  size_t toklen, const char *fmt, va_list ap)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	if (d->errors >= DIAG_MAX_ERRORS) {
		diag_store(d, sev, NULL);
		return;
	}
	f = open_memstream(&buf, &len);
	if (f == NULL) {
		diag_store(d, sev, NULL);
		return;
	}
	fprintf(f, "%s:%u:%u: %s: ", file, line, col,
		sev == DIAG_ERROR ? "error" : "warning");
	put_message(d, f, fmt, ap);
	fputc('\n', f);
	if (line_text != NULL && !d->no_quote) {
		/* Control characters (a NUL would end the stored message)
		 * print as '?', one column each, so the caret still lines
		 * up. */
		for (i = 0; i < line_len; i++) {
			unsigned char ch = (unsigned char)line_text[i];

			fputc(ch == '\t' || (ch >= ' ' && ch != 0x7f) ? ch
								      : '?',
			      f);
		}
		fputc('\n', f);
		for (i = 0; i + 1 < col && i < line_len; i++)
			fputc(line_text[i] == '\t' ? '\t' : ' ', f);
		fputc('^', f);
		for (i = 1; i < toklen && col + i - 1 < line_len; i++)
			fputc('~', f);
		fputc('\n', f);
	}
	fclose(f);
	diag_store(d, sev, buf);
}

void
diag_vfile(struct ixg_diags *d, enum diag_sev sev, const char *file,
	   uint32_t line, uint32_t col, const char *fmt, va_list ap)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (d->errors >= DIAG_MAX_ERRORS) {
		diag_store(d, sev, NULL);
		return;
	}
	f = open_memstream(&buf, &len);
	if (f == NULL) {
		diag_store(d, sev, NULL);
		return;
	}
	if (file != NULL && line != 0)
		fprintf(f, "%s:%u:%u: ", file, line, col);
	else if (file != NULL)
		fprintf(f, "%s: ", file);
	fprintf(f, "%s: ", sev == DIAG_ERROR ? "error" : "warning");
	put_message(d, f, fmt, ap);
	fputc('\n', f);
	fclose(f);
	diag_store(d, sev, buf);
}

void
diag_file(struct ixg_diags *d, enum diag_sev sev, const char *file,
	  uint32_t line, uint32_t col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vfile(d, sev, file, line, col, fmt, ap);
	va_end(ap);
}

void
conf_vdiag(const struct ixg_conf *c, struct ixg_diags *d, enum diag_sev sev,
	   uint32_t loc, const char *fmt, va_list ap)
{
	const struct c_loc *l = &c->locs.v[loc];
	const struct c_file *f = &c->files.v[l->file];
	size_t start = l->off - (l->col - 1), end = l->off;

	while (end < f->len && f->text[end] != '\n' && f->text[end] != '\r')
		end++;
	diag_emit(d, sev, f->path, l->line, l->col, f->text + start,
		  end - start, l->len ? l->len : 1, fmt, ap);
}

void
conf_diag(const struct ixg_conf *c, struct ixg_diags *d, enum diag_sev sev,
	  uint32_t loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vdiag(c, d, sev, loc, fmt, ap);
	va_end(ap);
}

void
conf_loc_str(const struct ixg_conf *c, uint32_t loc, char *buf, size_t len)
{
	const struct c_loc *l = &c->locs.v[loc];

	snprintf(buf, len, "%s:%u:%u", c->files.v[l->file].path, l->line,
		 l->col);
}

void
lexer_init(struct lexer *lx, const char *text, size_t len)
{
	lx->text = text;
	lx->len = len;
	lx->pos = 0;
	lx->line = 1;
	lx->line_start = 0;
	/* A UTF-8 byte-order mark (editors on Windows write one) is not
	 * part of the first line: columns count from after it, and the line
	 * quoted in diagnostics starts after it. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		lx->pos = lx->line_start = 3;
}

static int
is_word_char(unsigned char ch)
{
	return ch > ' ' && ch != 0x7f && ch != '{' && ch != '}' && ch != ';' &&
	       ch != '"' && ch != '#';
}

void
lexer_next(struct lexer *lx, struct tok *t)
{
	const char *s = lx->text;
	size_t p = lx->pos, n = lx->len;

	for (;;) {
		while (p < n && (s[p] == ' ' || s[p] == '\t' || s[p] == '\r'))
			p++;
		if (p < n && s[p] == '\n') {
			p++;
			lx->line++;
			lx->line_start = p;
			continue;
		}
		if (p < n && s[p] == '#') {
			while (p < n && s[p] != '\n')
				p++;
			continue;
		}
		break;
	}
	t->line = lx->line;
	t->col = (uint32_t)(p - lx->line_start + 1);
	t->off = (uint32_t)p;
	t->p = s + p;
	t->len = 1;
	if (p >= n) {
		t->kind = T_EOF;
		t->len = 0;
	} else if (s[p] == '{') {
		t->kind = T_LBRACE;
		p++;
	} else if (s[p] == '}') {
		t->kind = T_RBRACE;
		p++;
	} else if (s[p] == ';') {
		t->kind = T_SEMI;
		p++;
	} else if (s[p] == '"') {
		size_t q = p + 1;

		while (q < n && s[q] != '"' && s[q] != '\n' &&
		       (s[q] == '\t' || (unsigned char)s[q] >= ' ') &&
		       s[q] != 0x7f)
			q++;
		if (q < n && s[q] != '"' && s[q] != '\n') {
			/* A control character (NUL included) inside a string
			 * would silently cut it short in C: refuse it, pointing
			 * at the character itself. */
			t->kind = T_BAD;
			t->col = (uint32_t)(q - lx->line_start + 1);
			t->off = (uint32_t)q;
			t->p = s + q;
			/* Resume after the string's closing quote, if any. */
			p = q + 1;
			while (p < n && s[p] != '"' && s[p] != '\n')
				p++;
			if (p < n && s[p] == '"')
				p++;
		} else if (q >= n || s[q] != '"') {
			t->kind = T_BAD;
			t->len = (uint32_t)(q - p);
			p = q;
		} else {
			t->kind = T_STRING;
			t->p = s + p + 1;
			t->len = (uint32_t)(q - p - 1);
			p = q + 1;
		}
	} else if (is_word_char((unsigned char)s[p])) {
		size_t q = p;

		while (q < n && is_word_char((unsigned char)s[q]))
			q++;
		t->kind = T_WORD;
		t->len = (uint32_t)(q - p);
		p = q;
	} else {
		t->kind = T_BAD;
		p++;
	}
	t->span = (uint32_t)(p - t->off);
	lx->pos = p;
}
