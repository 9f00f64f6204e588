/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * datafile.c - readers of the data files a config points at:
 *  - prefix lists in bgpq4's plain output: one prefix per line
 *    (`bgpq4 -F '%n/%l\n' AS-X`), or its default Cisco prefix-list form
 *    (`bgpq4 AS-X`, `bgpq4 -6 AS-X`: "ip prefix-list NN permit P");
 *  - country data: ip-location-db CSV ranges ("first,last,CC") and RIR
 *    delegated-extended files ("registry|cc|type|start|value|date|status").
 * Both run once per line over files of a million lines: no allocation and
 * no sscanf per line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf_impl.h"

#define MAX_FILE_ERRORS 20

struct line {
	const char *path;
	const char *p; /* line start */
	size_t len; /* without the newline (and a trailing \r) */
	uint32_t no;
	unsigned *errors;
	struct ixg_diags *d;
};

static void line_error(const struct line *l, const char *tok, size_t toklen,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
line_error(const struct line *l, const char *tok, size_t toklen,
	   const char *fmt, ...)
{
	va_list ap;

	if (++*l->errors > MAX_FILE_ERRORS) {
		if (*l->errors == MAX_FILE_ERRORS + 1)
			diag_file(l->d, DIAG_ERROR, l->path, l->no, 1,
				  "too many errors in this file; not reading "
				  "further");
		return;
	}
	va_start(ap, fmt);
	diag_emit(l->d, DIAG_ERROR, l->path, l->no, (uint32_t)(tok - l->p) + 1,
		  l->p, l->len, toklen ? toklen : 1, fmt, ap);
	va_end(ap);
}

/* Iterate over the lines of a file, fed in chunks; fn returns <0 to
 * stop. */
typedef int (*line_fn)(struct line *l, void *ctx);

struct line_iter {
	struct line l;
	unsigned errors;
	line_fn fn;
	void *ctx;
	uint32_t max_lines; /* 0: no limit */
	int rc; /* <0: stopped */
};

static void
iter_init(struct line_iter *it, const char *path, line_fn fn, void *ctx,
	  uint32_t max_lines, struct ixg_diags *d)
{
	memset(it, 0, sizeof(*it));
	it->l.path = path;
	it->l.errors = &it->errors;
	it->l.d = d;
	it->fn = fn;
	it->ctx = ctx;
	it->max_lines = max_lines;
}

/* Run fn over the complete lines of [text, text + len) (and the last,
 * unterminated one if `final`); returns the bytes consumed. A UTF-8
 * byte-order mark opening the file is skipped. */
static size_t
iter_feed(struct line_iter *it, const char *text, size_t len, int final)
{
	size_t pos = 0;

	if (it->l.no == 0 && len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len && it->rc == 0 && it->errors <= MAX_FILE_ERRORS) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;

		if (nl == NULL && !final)
			break;
		it->l.p = text + pos;
		it->l.len = end - pos;
		if (it->l.len > 0 && it->l.p[it->l.len - 1] == '\r')
			it->l.len--;
		if (it->max_lines != 0 && it->l.no >= it->max_lines) {
			diag_file(it->l.d, DIAG_ERROR, it->l.path, it->l.no + 1,
				  1,
				  "more than %u lines (the limit per file); "
				  "not reading further",
				  it->max_lines);
			it->rc = -EFBIG;
			break;
		}
		it->l.no++;
		it->rc = it->fn(&it->l, it->ctx);
		pos = end + 1;
	}
	if (it->errors > MAX_FILE_ERRORS && it->rc == 0)
		it->rc = -EINVAL;
	return pos > len ? len : pos;
}

static int
iter_done(struct line_iter *it)
{
	if (it->rc < 0)
		return it->rc;
	return it->errors ? -EINVAL : 0;
}

static int
for_each_line(const char *path, const char *text, size_t len, line_fn fn,
	      void *ctx, struct ixg_diags *d)
{
	struct line_iter it;

	iter_init(&it, path, fn, ctx, 0, d);
	iter_feed(&it, text, len, 1);
	return iter_done(&it);
}

#define CHUNK (1u << 20)

/* The same over an open file, read in chunks under L's limits (bytes,
 * lines, deadline); read errors and limits are reported at the line they
 * stopped at. Nothing but the current chunk is held. */
static int
for_each_line_fd(struct conf_load *L, int fd, const char *path, line_fn fn,
		 void *ctx, struct ixg_diags *d)
{
	struct line_iter it;
	size_t cap = CHUNK, have = 0;
	char *buf = malloc(cap), err[256];
	uint32_t checked = 0;

	if (buf == NULL)
		return -ENOMEM;
	iter_init(&it, path, fn, ctx, L->o.max_lines, d);
	for (;;) {
		ssize_t r;
		size_t used;

		if (have == cap) {
			/* One line longer than the buffer: grow (the byte
			 * budget bounds it). */
			char *nb = realloc(buf, cap * 2);

			if (nb == NULL) {
				it.rc = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		r = load_read(L, fd, buf + have, cap - have, err, sizeof(err));
		if (r < 0) {
			diag_file(d, DIAG_ERROR, path, it.l.no + 1, 1,
				  "cannot read: %s", err);
			it.rc = (int)r;
			break;
		}
		have += (size_t)r;
		used = iter_feed(&it, buf, have, r == 0);
		memmove(buf, buf + used, have - used);
		have -= used;
		if (r == 0 || it.rc < 0 || it.errors > MAX_FILE_ERRORS)
			break;
		if (it.l.no - checked >= 65536) {
			checked = it.l.no;
			if (load_late(L)) {
				diag_file(d, DIAG_ERROR, path, it.l.no, 1,
					  "the load's deadline passed; "
					  "stopped here");
				it.rc = -ETIMEDOUT;
				break;
			}
		}
	}
	free(buf);
	return iter_done(&it);
}

static int
is_space(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* The next white-space separated word of [*p, end). */
static size_t
next_word(const char **p, const char *end)
{
	const char *s = *p, *e;

	while (s < end && is_space(*s))
		s++;
	e = s;
	while (e < end && !is_space(*e))
		e++;
	*p = s;
	return (size_t)(e - s);
}

static int
word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(w, s, n) == 0;
}

struct pfx_read {
	pfx_cb cb;
	void *ctx;
};

static int
prefix_line(struct line *l, void *arg)
{
	struct pfx_read *pr = arg;
	const char *p = l->p, *end = l->p + l->len, *w;
	size_t n = next_word(&p, end);
	char err[160];
	struct pfx pf;

	if (n == 0 || p[0] == '#' || p[0] == '!')
		return 0;
	w = p;
	if (word_is(w, n, "no"))
		return 0; /* "no ip prefix-list NN" */
	if (word_is(w, n, "ip") || word_is(w, n, "ipv6")) {
		/* bgpq4 default: "ip prefix-list NN [seq N] permit P". */
		for (;;) {
			p += n;
			n = next_word(&p, end);
			if (n == 0) {
				line_error(l, w, 1,
					   "expected 'permit PREFIX' in "
					   "prefix-list line");
				return 0;
			}
			if (word_is(p, n, "deny")) {
				line_error(l, p, n,
					   "'deny' entries are not supported "
					   "in prefix lists");
				return 0;
			}
			if (word_is(p, n, "permit"))
				break;
		}
		p += n;
		n = next_word(&p, end);
		if (n == 0) {
			line_error(l, end, 1,
				   "expected a prefix after 'permit'");
			return 0;
		}
	}
	w = p;
	if (parse_prefix(w, n, &pf, 1, err, sizeof(err)) < 0) {
		line_error(l, w, n, "%s", err);
		return 0;
	}
	if (!pfx_is_canonical(&pf)) {
		char fixed[64];

		pfx_mask(&pf);
		pfx_format(&pf, 1, fixed, sizeof(fixed));
		line_error(l, w, n,
			   "prefix %.*s has host bits set; did you mean %s?",
			   (int)n, w, fixed);
		return 0;
	}
	p = w + n;
	n = next_word(&p, end);
	if (n != 0 && p[0] != '#') {
		if (word_is(p, n, "le") || word_is(p, n, "ge"))
			line_error(l, p, n,
				   "'%.*s' ranges are not supported; generate "
				   "the list without bgpq4 -A/-R",
				   (int)n, p);
		else
			line_error(l, p, n,
				   "unexpected '%.*s' after the prefix", (int)n,
				   p);
		return 0;
	}
	pf.loc = 0;
	return pr->cb(pr->ctx, &pf, l->no);
}

/* Reads a prefix list; cb gets each prefix with its line number. Returns 0,
 * -EINVAL after reporting bad lines to d, or what cb returned (<0). */
int
prefix_file_read(const char *path, const char *text, size_t len, pfx_cb cb,
		 void *ctx, struct ixg_diags *d)
{
	struct pfx_read pr = {cb, ctx};

	return for_each_line(path, text, len, prefix_line, &pr, d);
}

/* The same from an open file, under L's limits (see conf_impl.h). */
int
prefix_fd_read(struct conf_load *L, int fd, const char *path, pfx_cb cb,
	       void *ctx, struct ixg_diags *d)
{
	struct pfx_read pr = {cb, ctx};

	return for_each_line_fd(L, fd, path, prefix_line, &pr, d);
}

struct cc_read {
	country_cb cb;
	void *ctx;
	ixg_cc_t cc;
	uint8_t fam;
	int rc;
};

static int
cc_emit(void *arg, const uint8_t addr[16], uint8_t len)
{
	struct cc_read *cr = arg;

	cr->rc = cr->cb(cr->ctx, addr, cr->fam, len, cr->cc);
	return cr->rc;
}

static int
take_cc(const char *s, size_t n, ixg_cc_t *cc)
{
	char a, b;

	if (n != 2)
		return -1;
	a = s[0] >= 'a' && s[0] <= 'z' ? (char)(s[0] - 32) : s[0];
	b = s[1] >= 'a' && s[1] <= 'z' ? (char)(s[1] - 32) : s[1];
	if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z')
		return -1;
	*cc = IXG_CC(a, b);
	return 0;
}

static uint32_t
load32(const uint8_t a[4])
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	       (uint32_t)a[2] << 8 | a[3];
}

/* Split [p, end) at `sep` into at most max fields. */
static unsigned
split(const char *p, const char *end, char sep, const char **f, size_t *fl,
      unsigned max)
{
	unsigned n = 0;

	while (n < max) {
		const char *e = memchr(p, sep, (size_t)(end - p));

		f[n] = p;
		fl[n++] = (size_t)((e ? e : end) - p);
		if (e == NULL)
			break;
		p = e + 1;
	}
	return n;
}

static int
range_emit(struct line *l, struct cc_read *cr, const char *f0, size_t l0,
	   const char *f1, size_t l1)
{
	uint8_t a[16], b[16];

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	if (parse_ip4(f0, l0, a) == 0) {
		if (parse_ip4(f1, l1, b) < 0) {
			line_error(l, f1, l1,
				   "expected an IPv4 address, got '%.*s'",
				   (int)l1, f1);
			return 0;
		}
		if (load32(a) > load32(b)) {
			line_error(l, f0, l0, "range starts after it ends");
			return 0;
		}
		cr->fam = 4;
		range4_to_cidr(load32(a), load32(b), cc_emit, cr);
	} else if (parse_ip6(f0, l0, a) == 0) {
		if (parse_ip6(f1, l1, b) < 0) {
			line_error(l, f1, l1,
				   "expected an IPv6 address, got '%.*s'",
				   (int)l1, f1);
			return 0;
		}
		if (memcmp(a, b, 16) > 0) {
			line_error(l, f0, l0, "range starts after it ends");
			return 0;
		}
		cr->fam = 6;
		range6_to_cidr(a, b, cc_emit, cr);
	} else {
		line_error(l, f0, l0,
			   "expected an IPv4 or IPv6 address, got '%.*s'",
			   (int)l0, f0);
		return 0;
	}
	return cr->rc < 0 ? cr->rc : 0;
}

static int
iplocdb_line(struct line *l, void *arg)
{
	struct cc_read *cr = arg;
	const char *f[4];
	size_t fl[4];
	unsigned n;

	if (l->len == 0 || l->p[0] == '#')
		return 0;
	n = split(l->p, l->p + l->len, ',', f, fl, 4);
	if (l->no == 1 && n >= 1 && fl[0] > 0 &&
	    memchr(f[0], '_', fl[0]) != NULL)
		return 0; /* a CSV header such as "ip_range_start,..." */
	if (n != 3) {
		line_error(l, l->p, l->len,
			   "expected 'first_ip,last_ip,country_code'");
		return 0;
	}
	if (take_cc(f[2], fl[2], &cr->cc) < 0) {
		line_error(l, f[2], fl[2],
			   "expected a two-letter country code, got '%.*s'",
			   (int)fl[2], f[2]);
		return 0;
	}
	return range_emit(l, cr, f[0], fl[0], f[1], fl[1]);
}

static int
rir_line(struct line *l, void *arg)
{
	struct cc_read *cr = arg;
	const char *f[9];
	size_t fl[9];
	unsigned n;
	uint64_t v;
	uint8_t a[16];

	if (l->len == 0 || l->p[0] == '#')
		return 0;
	n = split(l->p, l->p + l->len, '|', f, fl, 9);
	/* Version line "2|apnic|20240101|...": starts with a number. */
	if (n > 0 && fl[0] > 0 && f[0][0] >= '0' && f[0][0] <= '9')
		return 0;
	/* Summary lines: "apnic|*|ipv4|*|12345|summary". */
	if (n >= 6 && word_is(f[5], fl[5], "summary"))
		return 0;
	if (n < 7) {
		line_error(
			l, l->p, l->len,
			"expected 'registry|cc|type|start|value|date|status'");
		return 0;
	}
	if (!word_is(f[2], fl[2], "ipv4") && !word_is(f[2], fl[2], "ipv6"))
		return 0; /* asn lines */
	if (!word_is(f[6], fl[6], "allocated") &&
	    !word_is(f[6], fl[6], "assigned"))
		return 0; /* available, reserved */
	if (fl[1] == 0 || word_is(f[1], fl[1], "ZZ"))
		return 0;
	if (take_cc(f[1], fl[1], &cr->cc) < 0) {
		line_error(l, f[1], fl[1],
			   "expected a two-letter country code, got '%.*s'",
			   (int)fl[1], f[1]);
		return 0;
	}
	if (parse_u64(f[4], fl[4], &v) < 0) {
		line_error(l, f[4], fl[4], "expected a number, got '%.*s'",
			   (int)fl[4], f[4]);
		return 0;
	}
	memset(a, 0, sizeof(a));
	if (f[2][3] == '4') {
		uint32_t first;

		if (parse_ip4(f[3], fl[3], a) < 0) {
			line_error(l, f[3], fl[3],
				   "expected an IPv4 address, got '%.*s'",
				   (int)fl[3], f[3]);
			return 0;
		}
		first = load32(a);
		/* The value is a host count, not always a power of two. */
		if (v == 0 || (uint64_t)first + v - 1 > UINT32_MAX) {
			line_error(l, f[4], fl[4],
				   "address count %llu does not fit after %.*s",
				   (unsigned long long)v, (int)fl[3], f[3]);
			return 0;
		}
		cr->fam = 4;
		range4_to_cidr(first, (uint32_t)(first + v - 1), cc_emit, cr);
		return cr->rc < 0 ? cr->rc : 0;
	}
	if (parse_ip6(f[3], fl[3], a) < 0) {
		line_error(l, f[3], fl[3],
			   "expected an IPv6 address, got '%.*s'", (int)fl[3],
			   f[3]);
		return 0;
	}
	if (v > 128) {
		line_error(l, f[4], fl[4],
			   "IPv6 prefix length %llu out of range (0..128)",
			   (unsigned long long)v);
		return 0;
	}
	{
		struct pfx pf;

		pf.fam = 6;
		pf.len = (uint8_t)v;
		memcpy(pf.addr, a, 16);
		if (!pfx_is_canonical(&pf)) {
			line_error(l, f[3], fl[3],
				   "%.*s/%llu has host bits set", (int)fl[3],
				   f[3], (unsigned long long)v);
			return 0;
		}
		return cr->cb(cr->ctx, a, 6, (uint8_t)v, cr->cc);
	}
}

/* Reads a country data file (format: enum country_format); cb gets every
 * CIDR prefix. Returns 0, -EINVAL after reporting bad lines, or cb's <0. */
int
country_file_read(const char *path, const char *text, size_t len, int format,
		  country_cb cb, void *ctx, struct ixg_diags *d)
{
	struct cc_read cr;

	memset(&cr, 0, sizeof(cr));
	cr.cb = cb;
	cr.ctx = ctx;
	return for_each_line(path, text, len,
			     format == CF_RIR ? rir_line : iplocdb_line, &cr,
			     d);
}

/* The same from an open file, under L's limits (see conf_impl.h). */
int
country_fd_read(struct conf_load *L, int fd, const char *path, int format,
		country_cb cb, void *ctx, struct ixg_diags *d)
{
	struct cc_read cr;

	memset(&cr, 0, sizeof(cr));
	cr.cb = cb;
	cr.ctx = ctx;
	return for_each_line_fd(L, fd, path,
				format == CF_RIR ? rir_line : iplocdb_line, &cr,
				d);
}
