/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * parse.c - the recursive-descent parser of the config language.
 *
 * Grammar (see doc/config-reference.md):
 *   config    = { statement } ;
 *   statement = keyword { arg } ( ";" | "{" { statement } "}" ) ;
 * Every block knows its keywords; a syntax error is reported and the parser
 * resumes after the next ';' (or the next balanced block, or before the
 * '}' that closes the current block), so one pass finds every error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_impl.h"

/* A file being read, for include loops: its device and inode. */
struct file_id {
	dev_t dev;
	ino_t ino;
};

struct parser {
	struct ixg_conf *c;
	struct ixg_diags *d;
	struct conf_load *L; /* shared by the parsers of every file */
	uint32_t file;
	struct lexer lx;
	struct tok t; /* current token */
	struct tok prev; /* last consumed token */
	VEC(struct file_id) stack; /* the files being included */
	unsigned depth;
	uint16_t port_vlan; /* inside a port's "vlan N { }": N, else 0 */
	unsigned tokens; /* read, for the deadline checks */
	int quiet; /* the load stopped and said why: no more messages */
};

static void next(struct parser *P);

static void tok_error(struct parser *P, enum diag_sev sev, uint32_t line,
		      uint32_t col, uint32_t off, uint32_t toklen,
		      const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void
tok_error(struct parser *P, enum diag_sev sev, uint32_t line, uint32_t col,
	  uint32_t off, uint32_t toklen, const char *fmt, ...)
{
	const struct c_file *f = &P->c->files.v[P->file];
	size_t start = off - (col - 1), end = off;
	va_list ap;

	if (P->quiet)
		return;
	while (end < f->len && f->text[end] != '\n' && f->text[end] != '\r')
		end++;
	va_start(ap, fmt);
	diag_emit(P->d, sev, f->path, line, col, f->text + start, end - start,
		  toklen ? toklen : 1, fmt, ap);
	va_end(ap);
}

#define ERR_AT(P, tk, ...)                                                     \
	tok_error(P, DIAG_ERROR, (tk)->line, (tk)->col, (tk)->off, (tk)->span, \
		  __VA_ARGS__)
#define WARN_AT(P, tk, ...)                                                    \
	tok_error(P, DIAG_WARNING, (tk)->line, (tk)->col, (tk)->off,           \
		  (tk)->span, __VA_ARGS__)

/* How a token is named in "got ..." messages. */
static void
tok_describe(const struct tok *t, char *buf, size_t len)
{
	switch (t->kind) {
	case T_EOF: snprintf(buf, len, "end of file"); break;
	case T_STRING:
		snprintf(buf, len, "\"%.*s\"", (int)(t->len > 40 ? 40 : t->len),
			 t->p);
		break;
	default:
		snprintf(buf, len, "'%.*s'", (int)(t->len > 40 ? 40 : t->len),
			 t->p);
	}
}

static uint32_t
loc_add(struct parser *P, const struct tok *t)
{
	struct c_loc *l = VEC_PUSH(P->c->locs);

	if (l == NULL)
		return 0; /* ENOMEM: point at the first location */
	l->file = P->file;
	l->line = t->line;
	l->col = t->col;
	l->off = t->off;
	l->len = t->span;
	return P->c->locs.n - 1;
}

/* Stop the whole load here: every lexer then sees the end of its file,
 * and no more messages are added (the reason was reported). */
static void
stop_load(struct parser *P)
{
	P->L->stop = 1;
	P->quiet = 1;
	P->lx.pos = P->lx.len;
}

static void
next(struct parser *P)
{
	P->prev = P->t;
	if (P->L->stop || diag_full(P->d))
		stop_load(P);
	else if ((++P->tokens & 4095) == 0 && load_late(P->L)) {
		ERR_AT(P, &P->t, "the load's deadline passed; stopped here");
		stop_load(P);
	}
	for (;;) {
		lexer_next(&P->lx, &P->t);
		if (P->t.kind != T_BAD)
			return;
		if (P->t.p[0] == '"')
			ERR_AT(P, &P->t, "unterminated string");
		else
			ERR_AT(P, &P->t, "unexpected character 0x%02x",
			       (unsigned char)P->t.p[0]);
	}
}

/* Skip to a point where parsing can resume: after the next ';' or
 * balanced block, or before the '}' closing the current block. */
static void
recover(struct parser *P)
{
	unsigned depth = 0;

	for (;; next(P)) {
		switch (P->t.kind) {
		case T_EOF: return;
		case T_SEMI:
			if (depth == 0) {
				next(P);
				return;
			}
			break;
		case T_LBRACE: depth++; break;
		case T_RBRACE:
			if (depth == 0)
				return;
			if (--depth == 0) {
				next(P);
				return;
			}
			break;
		default: break;
		}
	}
}

static int
expect_semi(struct parser *P)
{
	char got[64];

	if (P->t.kind == T_SEMI) {
		next(P);
		return 0;
	}
	tok_describe(&P->t, got, sizeof(got));
	/* A ';' missing at the end of a line: report it and read on as if it
	 * were there, so the next line's statement is still checked. */
	if (P->t.line > P->prev.line) {
		tok_error(P, DIAG_ERROR, P->prev.line,
			  P->prev.col + P->prev.span,
			  P->prev.off + P->prev.span, 1,
			  "expected ';' at the end of the line");
		return 0;
	}
	/* Point just past the statement's last token: that is where the ';'
	 * goes, even when the next token sits on another line. */
	tok_error(P, DIAG_ERROR, P->prev.line, P->prev.col + P->prev.span,
		  P->prev.off + P->prev.span, 1, "expected ';' before %s", got);
	return -1;
}

static int
expect_lbrace(struct parser *P, const char *after)
{
	char got[64];

	if (P->t.kind == T_LBRACE)
		return 0;
	tok_describe(&P->t, got, sizeof(got));
	ERR_AT(P, &P->t, "expected '{' after %s, got %s", after, got);
	return -1;
}

/* The current token as a word (value), consumed into *out. */
static int
take_word(struct parser *P, const char *what, struct tok *out)
{
	char got[64];

	if (P->t.kind != T_WORD) {
		tok_describe(&P->t, got, sizeof(got));
		ERR_AT(P, &P->t, "expected %s, got %s", what, got);
		return -1;
	}
	*out = P->t;
	next(P);
	return 0;
}

static int
take_string(struct parser *P, const char *what, struct tok *out)
{
	char got[64];

	if (P->t.kind != T_STRING) {
		tok_describe(&P->t, got, sizeof(got));
		ERR_AT(P, &P->t, "expected %s in double quotes, got %s", what,
		       got);
		return -1;
	}
	*out = P->t;
	next(P);
	return 0;
}

static int
tok_is(const struct tok *t, const char *s)
{
	size_t n = strlen(s);

	return t->kind == T_WORD && t->len == n && memcmp(t->p, s, n) == 0;
}

/* Check a name (port, peer, class, rule, node): [A-Za-z0-9_.-], 1..31
 * bytes, starting with a letter or digit. Reports and returns -1. */
static int
check_name(struct parser *P, const struct tok *t, char out[IXG_NAME_LEN])
{
	uint32_t i;

	if (t->len >= IXG_NAME_LEN) {
		ERR_AT(P, t, "name '%.*s' is too long (at most %d characters)",
		       (int)t->len, t->p, IXG_NAME_LEN - 1);
		return -1;
	}
	for (i = 0; i < t->len; i++) {
		char ch = t->p[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') ||
		    (i > 0 && (ch == '-' || ch == '_' || ch == '.')))
			continue;
		ERR_AT(P, t,
		       "invalid name '%.*s' (letters, digits, '-', '_' and "
		       "'.', "
		       "starting with a letter or digit)",
		       (int)t->len, t->p);
		return -1;
	}
	memcpy(out, t->p, t->len);
	out[t->len] = '\0';
	return 0;
}

static int
check_cc(struct parser *P, const struct tok *t, ixg_cc_t *cc)
{
	if (t->len != 2 || t->p[0] < 'A' || t->p[0] > 'Z' || t->p[1] < 'A' ||
	    t->p[1] > 'Z') {
		ERR_AT(P, t,
		       "invalid country code '%.*s' (two upper-case letters, "
		       "ISO 3166-1 alpha-2)",
		       (int)t->len, t->p);
		return -1;
	}
	*cc = IXG_CC(t->p[0], t->p[1]);
	return 0;
}

static int
take_uint(struct parser *P, const char *what, uint64_t lo, uint64_t hi,
	  uint64_t *v)
{
	struct tok t;

	if (take_word(P, what, &t) < 0)
		return -1;
	if (parse_u64(t.p, t.len, v) < 0) {
		ERR_AT(P, &t, "expected %s, got '%.*s'", what, (int)t.len, t.p);
		return 1;
	}
	if (*v < lo || *v > hi) {
		ERR_AT(P, &t, "%s %.*s out of range (%llu..%llu)", what,
		       (int)t.len, t.p, (unsigned long long)lo,
		       (unsigned long long)hi);
		return 1;
	}
	return 0;
}

/* A value statement "KEYWORD value;": -1 syntax error (recover), 1 value
 * error (reported, statement consumed), 0 fine. */
static int
finish(struct parser *P, int rc)
{
	if (rc < 0)
		return -1;
	if (expect_semi(P) < 0)
		return -1;
	return rc;
}

/* ---------------------------------------------------------------------
 * The keyword tables, generated from conf_fields.h: one per section, in
 * print order. A K row's handler is declared here and defined below.
 */
struct kw;
typedef int kw_fn(struct parser *P, void *obj, const struct kw *k,
		  const struct tok *kw);

struct kw {
	struct conf_kw k;
	kw_fn *fn;
};

struct section {
	const char *what; /* "peer block": how diagnostics name it */
	const struct kw *kws; /* ends with a NULL name */
};

static kw_fn kw_field;
#define DECLARE_F_(...)
#define DECLARE_K_(sec, id, kw, parse, print) static kw_fn parse;
#define DECLARE_(sec, what) sec##_KEYWORDS(DECLARE_F_, DECLARE_K_)
CONF_SECTIONS(DECLARE_)

#define ROW_F_(sec, ...) {CONF_KW_F(sec, __VA_ARGS__), kw_field},
#define ROW_K_(sec, id, kw, parse, print) {CONF_KW_K(sec, id, kw), parse},
#define DEFINE_(sec, what)                                                     \
	static const struct kw sec##_kws[] = {sec##_KEYWORDS(ROW_F_, ROW_K_){  \
		{NULL, NULL, 0, 0, 0, 0, {0, 0, 0, 0, 0, NULL}}, NULL}};       \
	static const struct section sec##_section = {what, sec##_kws};
CONF_SECTIONS(DEFINE_)

#define ALL_F_(sec, ...) CONF_KW_F(sec, __VA_ARGS__),
#define ALL_K_(sec, ...) CONF_KW_K(sec, __VA_ARGS__),
#define ALL_(sec, what) sec##_KEYWORDS(ALL_F_, ALL_K_)
/* See conf_impl.h. */
const struct conf_kw conf_keywords[] = {
	CONF_SECTIONS(ALL_){NULL, NULL, 0, 0, 0, 0, {0, 0, 0, 0, 0, NULL}},
};

static const struct kw *
kw_find(const struct kw *kws, const struct tok *t)
{
	for (; kws->k.name != NULL; kws++)
		if (tok_is(t, kws->k.name))
			return kws;
	return NULL;
}

/* The keyword of kws closest to t, for "did you mean", or NULL. */
static const char *
kw_closest(const struct kw *kws, const struct tok *t)
{
	return closest_word_in(t->p, t->len, &kws[0].k.name, sizeof(*kws));
}

static uint32_t *
obj_set(void *obj, const struct kw *k)
{
	return (uint32_t *)((char *)obj + k->k.set_off);
}

static uint32_t *
obj_locs(void *obj, const struct kw *k)
{
	return (uint32_t *)((char *)obj + k->k.locs_off);
}

/* Record a singular field in `slot`; a repeat is an error naming the
 * first. */
static void
slot_once(struct parser *P, uint32_t *set, uint32_t *locs, unsigned slot,
	  const struct tok *kw)
{
	if (*set & (1u << slot)) {
		char first[256];

		conf_loc_str(P->c, locs[slot], first, sizeof(first));
		ERR_AT(P, kw, "'%.*s' given twice (first at %s)", (int)kw->len,
		       kw->p, first);
	}
	*set |= 1u << slot;
	locs[slot] = loc_add(P, kw);
}

/* The same for keyword k's own slot. */
static void
field_once(struct parser *P, void *obj, const struct kw *k,
	   const struct tok *kw)
{
	slot_once(P, obj_set(obj, k), obj_locs(obj, k), k->k.slot, kw);
}

/* Record where a repeatable keyword was first given. */
static void
field_first(struct parser *P, void *obj, const struct kw *k,
	    const struct tok *kw)
{
	uint32_t *set = obj_set(obj, k);

	if (!(*set & (1u << k->k.slot)))
		obj_locs(obj, k)[k->k.slot] = loc_add(P, kw);
	*set |= 1u << k->k.slot;
}

static int
take_prefix(struct parser *P, struct pfx *p, int need_len, int canonical)
{
	struct tok t;
	char err[160];

	if (take_word(P, need_len ? "a prefix" : "an address", &t) < 0)
		return -1;
	if (parse_prefix(t.p, t.len, p, need_len, err, sizeof(err)) < 0) {
		ERR_AT(P, &t, "%s", err);
		return 1;
	}
	p->loc = loc_add(P, &t);
	if (canonical && !pfx_is_canonical(p)) {
		char fixed[INET6_ADDRSTRLEN + 8];
		struct pfx q = *p;

		pfx_mask(&q);
		pfx_format(&q, 1, fixed, sizeof(fixed));
		ERR_AT(P, &t, "prefix %.*s has host bits set; did you mean %s?",
		       (int)t.len, t.p, fixed);
		return 1;
	}
	return 0;
}

static int
take_mac(struct parser *P, uint8_t mac[6], uint32_t *loc)
{
	struct tok t;

	if (take_word(P, "a MAC address", &t) < 0)
		return -1;
	if (parse_mac(t.p, t.len, mac) < 0) {
		ERR_AT(P, &t,
		       "expected a MAC address (xx:xx:xx:xx:xx:xx), got '%.*s'",
		       (int)t.len, t.p);
		return 1;
	}
	if (mac[0] & 1) {
		ERR_AT(P, &t, "MAC address %.*s is a multicast address",
		       (int)t.len, t.p);
		return 1;
	}
	if ((mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) == 0) {
		ERR_AT(P, &t, "MAC address 00:00:00:00:00:00 is not valid");
		return 1;
	}
	if (loc != NULL)
		*loc = loc_add(P, &t);
	return 0;
}

static int
take_dscp(struct parser *P, uint8_t *dscp)
{
	uint64_t v;
	int rc = take_uint(P, "DSCP", 0, 63, &v);

	if (rc == 0)
		*dscp = (uint8_t)v;
	return rc;
}

static int
take_onoff(struct parser *P, uint8_t *v)
{
	struct tok t;

	if (take_word(P, "'on' or 'off'", &t) < 0)
		return -1;
	if (tok_is(&t, "on"))
		*v = 1;
	else if (tok_is(&t, "off"))
		*v = 0;
	else {
		ERR_AT(P, &t, "expected 'on' or 'off', got '%.*s'", (int)t.len,
		       t.p);
		return 1;
	}
	return 0;
}

/* A rate in bits/s within [lo, hi] (see CONF_RATE_MAX for why a top). */
static int
take_rate(struct parser *P, const char *what, uint64_t lo, uint64_t hi,
	  uint64_t *out)
{
	struct tok t;
	char a[32], b[32];
	int rc;

	if (take_word(P, "a rate", &t) < 0)
		return -1;
	rc = parse_rate(t.p, t.len, out);
	if ((rc < 0 && rc != -ERANGE) || (rc == 0 && *out == 0)) {
		ERR_AT(P, &t,
		       "expected a rate above 0 in bits/s with a unit "
		       "(bit, kbit, mbit, gbit, tbit), got '%.*s'",
		       (int)t.len, t.p);
		return 1;
	}
	if (rc == -ERANGE || *out < lo || *out > hi) {
		format_rate(lo, a, sizeof(a));
		format_rate(hi, b, sizeof(b));
		ERR_AT(P, &t, "%s %.*s out of range (%s..%s)", what, (int)t.len,
		       t.p, a, b);
		return 1;
	}
	return 0;
}

static int
take_size(struct parser *P, uint64_t *out)
{
	struct tok t;

	if (take_word(P, "a size", &t) < 0)
		return -1;
	if (parse_size(t.p, t.len, out) < 0 || *out < CONF_SIZE_MIN ||
	    *out > CONF_SIZE_MAX) {
		ERR_AT(P, &t,
		       "expected a size in bytes above 0 (suffix k, m or g; "
		       "at most 4g), got '%.*s'",
		       (int)t.len, t.p);
		return 1;
	}
	return 0;
}

static void
store_uint(void *p, unsigned width, uint64_t v)
{
	switch (width) {
	case 1: *(uint8_t *)p = (uint8_t)v; break;
	case 2: *(uint16_t *)p = (uint16_t)v; break;
	case 4: *(uint32_t *)p = (uint32_t)v; break;
	default: *(uint64_t *)p = v; break;
	}
}

/* An F row (conf_fields.h): "KEYWORD value;" of a generic kind. */
static int
kw_field(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	const struct conf_val *v = &k->k.val;
	void *at = (char *)obj + v->off;
	struct tok t, vt;
	uint64_t u = 0;
	int rc;

	field_once(P, obj, k, kw);
	switch (v->kind) {
	case VK_UINT:
	case VK_POW2:
		vt = P->t;
		rc = take_uint(P, v->what, v->lo, v->hi, &u);
		if (rc == 0 && v->kind == VK_POW2 && (u & (u - 1)) != 0) {
			ERR_AT(P, &vt, "%s %llu is not a power of two", v->what,
			       (unsigned long long)u);
			rc = 1;
		}
		store_uint(at, v->width, u);
		return finish(P, rc);
	case VK_ONOFF: return finish(P, take_onoff(P, at));
	case VK_CC:
		if (take_word(P, "a country code", &t) < 0)
			return -1;
		return finish(P, check_cc(P, &t, at) < 0 ? 1 : 0);
	case VK_RATE: return finish(P, take_rate(P, v->what, v->lo, v->hi, at));
	case VK_SIZE: return finish(P, take_size(P, at));
	case VK_MAC: return finish(P, take_mac(P, at, NULL));
	case VK_PREFIX: return finish(P, take_prefix(P, at, 1, 1));
	default: return -1;
	}
}

/* Resolve a path written in the file being parsed: relative paths are
 * relative to that file's directory. */
static int
make_path(struct parser *P, const struct tok *t, struct c_path *out)
{
	const char *dir = P->c->files.v[P->file].dir;
	size_t rl = strlen(P->c->root_dir);
	char *full;

	if (t->len == 0) {
		ERR_AT(P, t, "empty file name");
		return 1;
	}
	if (t->p[0] == '/')
		dir = "";
	full = arena_alloc(&P->c->arena, strlen(dir) + t->len + 1);
	if (full == NULL)
		return 1;
	sprintf(full, "%s%.*s", dir, (int)t->len, t->p);
	out->path = full;
	out->print = full;
	if (full[0] != '/' && rl > 0 && strncmp(full, P->c->root_dir, rl) == 0)
		out->print = full + rl;
	out->loc = loc_add(P, t);
	return 0;
}

/* ---------------------------------------------------------------------
 * Blocks.
 */
static void
parse_body(struct parser *P, const struct section *sec, void *obj,
	   const struct tok *open)
{
	char got[64];

	next(P); /* the '{' */
	for (;;) {
		const struct kw *k;
		struct tok kw;

		if (P->t.kind == T_RBRACE) {
			next(P);
			return;
		}
		if (P->t.kind == T_EOF) {
			ERR_AT(P, open, "missing '}' to close %s", sec->what);
			return;
		}
		if (P->t.kind != T_WORD) {
			tok_describe(&P->t, got, sizeof(got));
			ERR_AT(P, &P->t, "expected a keyword in %s, got %s",
			       sec->what, got);
			recover(P);
			continue;
		}
		k = kw_find(sec->kws, &P->t);
		kw = P->t;
		if (k == NULL) {
			const char *near = kw_closest(sec->kws, &kw);

			if (near != NULL)
				ERR_AT(P, &kw,
				       "unknown keyword '%.*s'; did you mean "
				       "'%s'?",
				       (int)kw.len, kw.p, near);
			else
				ERR_AT(P, &kw, "unknown keyword '%.*s' in %s",
				       (int)kw.len, kw.p, sec->what);
			next(P);
			recover(P);
			continue;
		}
		next(P);
		if (k->fn(P, obj, k, &kw) < 0)
			recover(P);
	}
}

/* node { ... } */

static int
node_name(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_node *n = obj;
	struct tok t;

	field_once(P, obj, k, kw);
	if (P->t.kind == T_STRING)
		t = P->t, next(P);
	else if (take_word(P, "a node name", &t) < 0)
		return -1;
	return finish(P, check_name(P, &t, n->name) < 0 ? 1 : 0);
}

/* "off" or "1-in-N" (N 1..10^9) into *rate (0: off); node and port. */
static int
parse_sampling(struct parser *P, uint32_t *rate)
{
	struct tok t;
	uint64_t v;

	if (take_word(P, "'off' or '1-in-N'", &t) < 0)
		return -1;
	if (tok_is(&t, "off")) {
		*rate = 0;
		return finish(P, 0);
	}
	if (t.len < 6 || memcmp(t.p, "1-in-", 5) != 0 ||
	    parse_u64(t.p + 5, t.len - 5, &v) < 0 || v < 1 || v > 1000000000) {
		ERR_AT(P, &t,
		       "expected 'off' or '1-in-N' (N in 1..1000000000), got "
		       "'%.*s'",
		       (int)t.len, t.p);
		return finish(P, 1);
	}
	*rate = (uint32_t)v;
	return finish(P, 0);
}

static int
node_sampling(struct parser *P, void *obj, const struct kw *k,
	      const struct tok *kw)
{
	struct c_node *n = obj;

	field_once(P, obj, k, kw);
	return parse_sampling(P, &n->sampling);
}

/* sflow-collector ADDRESS [port N]; repeatable, up to
 * IXG_SFLOW_MAX_COLLECTORS, each once. */
static int
node_sflow_collector(struct parser *P, void *obj, const struct kw *k,
		     const struct tok *kw)
{
	struct c_node *n = obj;
	struct tok at = P->t;
	struct pfx pf;
	uint64_t port = IXG_SFLOW_PORT;
	int rc;

	field_first(P, obj, k, kw);
	rc = take_prefix(P, &pf, 0, 0);
	if (rc < 0)
		return -1;
	if (rc == 0 && P->t.kind == T_WORD && tok_is(&P->t, "port")) {
		next(P);
		rc = take_uint(P, "collector port", 1, 65535, &port);
		if (rc < 0)
			return -1;
	}
	for (unsigned i = 0; rc == 0 && i < n->n_collectors; i++)
		if (n->collectors[i].fam == pf.fam &&
		    n->collectors[i].port == port &&
		    memcmp(n->collectors[i].addr, pf.addr, 16) == 0) {
			ERR_AT(P, &at,
			       "sflow-collector %.*s port %u given twice",
			       (int)at.len, at.p, (unsigned)port);
			rc = 1;
		}
	if (rc == 0 && n->n_collectors == IXG_SFLOW_MAX_COLLECTORS) {
		ERR_AT(P, &at, "too many sflow-collector (at most %d)",
		       IXG_SFLOW_MAX_COLLECTORS);
		rc = 1;
	}
	if (rc == 0) {
		struct c_collector *c = &n->collectors[n->n_collectors++];

		c->fam = pf.fam;
		memcpy(c->addr, pf.addr, 16);
		c->port = (uint16_t)port;
	}
	return finish(P, rc);
}

/* sflow-agent-address ADDRESS; what the datagrams name as their agent. */
static int
node_sflow_agent(struct parser *P, void *obj, const struct kw *k,
		 const struct tok *kw)
{
	struct c_node *n = obj;
	struct pfx pf;
	int rc;

	field_once(P, obj, k, kw);
	rc = take_prefix(P, &pf, 0, 0);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		n->agent_fam = pf.fam;
		memcpy(n->agent, pf.addr, 16);
	}
	return finish(P, rc);
}

/* port NAME { ... }; inside "vlan N { }", P->port_vlan is N. */

static int
port_sampling(struct parser *P, void *obj, const struct kw *k,
	      const struct tok *kw)
{
	struct c_port *p = obj;

	field_once(P, obj, k, kw);
	return parse_sampling(P, &p->sampling);
}

/* kernel-routes { ... } */

static int
kr_table(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_kroutes *r = obj;
	struct tok t;
	uint64_t v;
	int rc;

	field_first(P, obj, k, kw);
	t = P->t;
	rc = take_uint(P, "table", 1, 0xffffffffu, &v);
	if (rc != 0)
		return rc < 0 ? -1 : finish(P, 1);
	for (unsigned i = 0; i < r->n_tables; i++)
		if (r->tables[i] == v) {
			ERR_AT(P, &t, "table %llu given twice",
			       (unsigned long long)v);
			return finish(P, 1);
		}
	if (r->n_tables == IXG_KROUTES_MAX_TABLES) {
		ERR_AT(P, &t, "too many tables (at most %d)",
		       IXG_KROUTES_MAX_TABLES);
		return finish(P, 1);
	}
	r->tables[r->n_tables++] = (uint32_t)v;
	return finish(P, 0);
}

static int
kr_family(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_kroutes *r = obj;
	struct tok t;
	int rc = 0;

	field_once(P, obj, k, kw);
	if (take_word(P, "'ipv4' or 'ipv6'", &t) < 0)
		return -1;
	for (;;) {
		if (tok_is(&t, "ipv4"))
			r->fams |= 1;
		else if (tok_is(&t, "ipv6"))
			r->fams |= 2;
		else {
			ERR_AT(P, &t, "expected 'ipv4' or 'ipv6', got '%.*s'",
			       (int)t.len, t.p);
			rc = 1;
		}
		if (P->t.kind != T_WORD)
			break;
		t = P->t;
		next(P);
	}
	return finish(P, rc);
}

static int
kr_protocol(struct parser *P, void *obj, const struct kw *k,
	    const struct tok *kw)
{
	struct c_kroutes *r = obj;
	struct tok t;
	uint64_t v;
	int n;

	field_first(P, obj, k, kw);
	if (take_word(P, "a routing protocol (bird, bgp, static... or 0-255)",
		      &t) < 0)
		return -1;
	n = ixg_rtproto_number(t.p, t.len);
	if (n < 0 && parse_u64(t.p, t.len, &v) == 0 && v <= 255)
		n = (int)v;
	if (n < 0) {
		ERR_AT(P, &t,
		       "unknown routing protocol '%.*s' (a name of "
		       "/etc/iproute2/rt_protos such as bird, bgp, zebra, "
		       "static, or a number 0-255)",
		       (int)t.len, t.p);
		return finish(P, 1);
	}
	for (unsigned i = 0; i < r->n_protocols; i++)
		if (r->protocols[i] == n) {
			ERR_AT(P, &t, "protocol '%.*s' given twice", (int)t.len,
			       t.p);
			return finish(P, 1);
		}
	if (r->n_protocols == IXG_KROUTES_MAX_PROTOCOLS) {
		ERR_AT(P, &t, "too many protocols (at most %d)",
		       IXG_KROUTES_MAX_PROTOCOLS);
		return finish(P, 1);
	}
	r->protocols[r->n_protocols++] = (uint8_t)n;
	return finish(P, 0);
}

static int
kr_precedence(struct parser *P, void *obj, const struct kw *k,
	      const struct tok *kw)
{
	struct c_kroutes *r = obj;
	struct tok t;

	field_once(P, obj, k, kw);
	if (take_word(P, "'config' or 'kernel'", &t) < 0)
		return -1;
	if (tok_is(&t, "config"))
		r->precedence_kernel = 0;
	else if (tok_is(&t, "kernel"))
		r->precedence_kernel = 1;
	else {
		ERR_AT(P, &t, "expected 'config' or 'kernel', got '%.*s'",
		       (int)t.len, t.p);
		return finish(P, 1);
	}
	return finish(P, 0);
}

static int
kr_filter(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_kroutes *r = obj;
	struct tok t;

	field_once(P, obj, k, kw);
	if (take_word(P, "'sources' or 'off'", &t) < 0)
		return -1;
	if (tok_is(&t, "sources"))
		r->filter = 1;
	else if (tok_is(&t, "off"))
		r->filter = 0;
	else {
		ERR_AT(P, &t, "expected 'sources' or 'off', got '%.*s'",
		       (int)t.len, t.p);
		return finish(P, 1);
	}
	return finish(P, 0);
}

/* session-loss withdraw|keep; (doc/routing.md, "Session loss") */
static int
kr_session_loss(struct parser *P, void *obj, const struct kw *k,
		const struct tok *kw)
{
	struct c_kroutes *r = obj;
	struct tok t;

	field_once(P, obj, k, kw);
	if (take_word(P, "'withdraw' or 'keep'", &t) < 0)
		return -1;
	if (tok_is(&t, "withdraw"))
		r->session_keep = 0;
	else if (tok_is(&t, "keep"))
		r->session_keep = 1;
	else {
		ERR_AT(P, &t, "expected 'withdraw' or 'keep', got '%.*s'",
		       (int)t.len, t.p);
		return finish(P, 1);
	}
	return finish(P, 0);
}

static int proto_by_name(const struct tok *t, uint8_t *proto);
static int take_port_range(struct parser *P, uint16_t *lo, uint16_t *hi);

/* punt-allow PROTO [PORT | PORT-PORT];  repeatable, one rule each. */
static int
node_punt_allow(struct parser *P, void *obj, const struct kw *k,
		const struct tok *kw)
{
	struct c_node *n = obj;
	struct ixg_spec_punt_rule r = {.port_lo = 0, .port_hi = 65535};
	struct tok t;
	int rc;

	field_first(P, obj, k, kw);
	if (take_word(P, "a protocol", &t) < 0)
		return -1;
	if (proto_by_name(&t, &r.proto) < 0) {
		ERR_AT(P, &t,
		       "expected a protocol (tcp, udp, icmp, icmpv6, sctp, "
		       "gre, "
		       "esp or 0..255), got '%.*s'",
		       (int)t.len, t.p);
		if (P->t.kind == T_WORD)
			next(P); /* its port range: one error is enough */
		return finish(P, 1);
	}
	if (P->t.kind == T_WORD) {
		if (r.proto != 6 && r.proto != 17 && r.proto != 132) {
			ERR_AT(P, &P->t,
			       "'%.*s' has no ports: only tcp, udp and sctp "
			       "rules take a port range",
			       (int)t.len, t.p);
			next(P);
			return finish(P, 1);
		}
		rc = take_port_range(P, &r.port_lo, &r.port_hi);
		if (rc != 0)
			return finish(P, rc);
	}
	if (n->n_punt_allow == IXG_MAX_PUNT_RULES) {
		ERR_AT(P, kw, "more than %d punt-allow rules",
		       IXG_MAX_PUNT_RULES);
		return finish(P, 1);
	}
	n->punt_allow[n->n_punt_allow++] = r;
	return finish(P, 0);
}

/* port NAME { ... }; inside "vlan N { }", P->port_vlan is N. */

static int
port_device(struct parser *P, void *obj, const struct kw *k,
	    const struct tok *kw)
{
	struct c_port *p = obj;
	struct tok t;

	field_once(P, obj, k, kw);
	if (take_string(P, "a device (PCI address or vdev)", &t) < 0)
		return -1;
	if (t.len == 0 || t.len >= IXG_DEVARGS_LEN) {
		ERR_AT(P, &t, "device must be 1..%d characters",
		       IXG_DEVARGS_LEN - 1);
		return finish(P, 1);
	}
	p->device = arena_strndup(&P->c->arena, t.p, t.len);
	return finish(P, 0);
}

static int
port_address(struct parser *P, void *obj, const struct kw *k,
	     const struct tok *kw)
{
	struct c_port *port = obj;
	struct c_addr *a;
	struct pfx pf;
	char why[160];
	int rc;

	(void)k;
	(void)kw;
	rc = take_prefix(P, &pf, 1, 0);
	if (rc == 0 && pf.len == 0) {
		ERR_AT(P, &P->prev, "address needs a subnet length above 0");
		rc = 1;
	}
	/* The node answers ARP, ND and ping for its addresses: none may be
	 * one no router can own (issue 13 item 4). */
	if (rc == 0 && addr_not_ownable(&pf, why, sizeof(why)) != NULL) {
		ERR_AT(P, &P->prev, "address %.*s is %s: no router may own it",
		       (int)P->prev.len, P->prev.p, why);
		rc = 1;
	}
	if (rc == 0) {
		a = VEC_PUSH(port->addrs);
		if (a != NULL) {
			a->fam = pf.fam;
			a->len = pf.len;
			a->vlan = P->port_vlan;
			memcpy(a->addr, pf.addr, 16);
			a->loc = pf.loc;
		}
	}
	return finish(P, rc);
}

static int
port_vlan(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_port *port = obj;
	struct c_pvlan *v;
	uint64_t vid = 0;
	struct tok vt = P->t, open;
	uint32_t i;
	int rc;

	(void)k;
	(void)kw;
	rc = take_uint(P, "VLAN id", 1, 4094, &vid);
	if (rc < 0)
		return -1;
	if (expect_lbrace(P, "vlan id") < 0)
		return -1;
	for (i = 0; rc == 0 && i < port->vlans.n; i++) {
		if (port->vlans.v[i].vid == vid) {
			char first[256];

			conf_loc_str(P->c, port->vlans.v[i].loc, first,
				     sizeof(first));
			ERR_AT(P, &vt,
			       "vlan %llu given twice in port '%s' (first at "
			       "%s)",
			       (unsigned long long)vid, port->name, first);
			rc = 1;
		}
	}
	if (rc == 0 && (v = VEC_PUSH(port->vlans)) != NULL) {
		v->vid = (uint16_t)vid;
		v->loc = loc_add(P, &vt);
	}
	/* The vlan block knows only "address": no nesting. */
	P->port_vlan = rc == 0 ? (uint16_t)vid : 4095;
	open = P->t;
	parse_body(P, &PVLAN_section, port, &open);
	P->port_vlan = 0;
	if (rc != 0) {
		/* Addresses of a broken vlan block are not kept. */
		while (port->addrs.n > 0 &&
		       port->addrs.v[port->addrs.n - 1].vlan == 4095)
			port->addrs.n--;
	}
	return 0;
}

/* class NAME { ... } */

static int
take_meter_action(struct parser *P, uint8_t *act, uint8_t *dscp)
{
	struct tok t;

	if (take_word(P, "'pass', 'drop' or 'remark DSCP'", &t) < 0)
		return -1;
	if (tok_is(&t, "pass")) {
		*act = IXG_METER_PASS;
	} else if (tok_is(&t, "drop")) {
		*act = IXG_METER_DROP;
	} else if (tok_is(&t, "remark")) {
		*act = IXG_METER_REMARK;
		return take_dscp(P, dscp);
	} else {
		ERR_AT(P, &t,
		       "expected 'pass', 'drop' or 'remark DSCP', got '%.*s'",
		       (int)t.len, t.p);
		return 1;
	}
	return 0;
}

static int
class_yellow(struct parser *P, void *obj, const struct kw *k,
	     const struct tok *kw)
{
	struct c_class *c = obj;

	field_once(P, obj, k, kw);
	return finish(P, take_meter_action(P, &c->yellow, &c->yellow_dscp));
}

static int
class_red(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_class *c = obj;

	field_once(P, obj, k, kw);
	return finish(P, take_meter_action(P, &c->red, &c->red_dscp));
}

/* peer NAME { ... } */

static int
peer_asn(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_peer *p = obj;
	struct tok t;
	uint64_t v;
	size_t skip;

	field_once(P, obj, k, kw);
	if (take_word(P, "an AS number", &t) < 0)
		return -1;
	skip = t.len > 2 && (t.p[0] == 'A' || t.p[0] == 'a') &&
			       (t.p[1] == 'S' || t.p[1] == 's')
		       ? 2
		       : 0;
	if (parse_u64(t.p + skip, t.len - skip, &v) < 0) {
		ERR_AT(P, &t, "expected an AS number, got '%.*s'", (int)t.len,
		       t.p);
		return finish(P, 1);
	}
	/* RFC 7607: AS 0 is reserved; RFC 7300: AS 4294967295 too. */
	if (v < 1 || v > 4294967294ull) {
		ERR_AT(P, &t, "AS number %.*s out of range (1..4294967294)",
		       (int)t.len, t.p);
		return finish(P, 1);
	}
	p->asn = (uint32_t)v;
	return finish(P, 0);
}

static int
peer_port(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_peer *p = obj;
	struct tok t;

	if (take_word(P, "a port name", &t) < 0)
		return -1;
	field_once(P, obj, k, kw);
	/* Unknown-port errors point at the name. */
	p->locs[PEER_F_PORT] = loc_add(P, &t);
	return finish(P, check_name(P, &t, p->port) < 0 ? 1 : 0);
}

static int
vlan_value(struct parser *P, const struct tok *t, const char *s, size_t n,
	   uint16_t *out)
{
	uint64_t v;

	if (parse_u64(s, n, &v) < 0) {
		ERR_AT(P, t, "expected a VLAN id or OUTER.INNER, got '%.*s'",
		       (int)t->len, t->p);
		return 1;
	}
	if (v < 1 || v > 4094) {
		ERR_AT(P, t, "vlan %.*s out of range (1..4094)", (int)n, s);
		return 1;
	}
	*out = (uint16_t)v;
	return 0;
}

static int
peer_vlan(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_peer *p = obj;
	struct tok t;
	const char *dot;
	int rc;

	field_once(P, obj, k, kw);
	if (take_word(P, "a VLAN id", &t) < 0)
		return -1;
	dot = memchr(t.p, '.', t.len);
	if (dot == NULL) {
		p->outer_vlan = 0;
		rc = vlan_value(P, &t, t.p, t.len, &p->vlan);
	} else {
		rc = vlan_value(P, &t, t.p, (size_t)(dot - t.p),
				&p->outer_vlan);
		if (rc == 0)
			rc = vlan_value(P, &t, dot + 1,
					t.len - (size_t)(dot - t.p) - 1,
					&p->vlan);
	}
	return finish(P, rc);
}

static int
peer_mac(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_peer *p = obj;
	uint8_t mac[6];
	uint32_t loc = 0;
	int rc = take_mac(P, mac, &loc);

	if (rc == 0 && p->n_macs == IXG_MAX_PEER_MACS) {
		ERR_AT(P, kw,
		       "too many MAC addresses for peer '%s' (at most %d)",
		       p->name, IXG_MAX_PEER_MACS);
		rc = 1;
	}
	(void)k;
	if (rc == 0) {
		memcpy(p->macs[p->n_macs], mac, 6);
		p->mac_locs[p->n_macs++] = loc;
	}
	return finish(P, rc);
}

static int
peer_nexthop(struct parser *P, void *obj, const struct kw *k,
	     const struct tok *kw)
{
	struct c_peer *p = obj;
	struct pfx a;
	int rc = take_prefix(P, &a, 0, 0);

	(void)k;
	if (rc == 0 && a.len != (a.fam == 4 ? 32 : 128)) {
		ERR_AT(P, &P->prev, "next-hop is an address, not a prefix");
		rc = 1;
	}
	if (rc == 0) {
		/* One slot per family: "given twice" is per family. */
		if (a.fam == 4) {
			slot_once(P, &p->set, p->locs, PEER_F_NH4, kw);
			memcpy(p->nh4, a.addr, 4);
		} else {
			slot_once(P, &p->set, p->locs, PEER_F_NH6, kw);
			memcpy(p->nh6, a.addr, 16);
		}
	}
	return finish(P, rc);
}

static int
peer_sav(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_peer *p = obj;
	struct tok t;

	field_once(P, obj, k, kw);
	if (take_word(P, "'strict', 'loose', 'feasible' or 'off'", &t) < 0)
		return -1;
	if (tok_is(&t, "strict"))
		p->sav = IXG_SAV_STRICT;
	else if (tok_is(&t, "loose"))
		p->sav = IXG_SAV_LOOSE;
	else if (tok_is(&t, "feasible"))
		p->sav = IXG_SAV_FEASIBLE;
	else if (tok_is(&t, "off"))
		p->sav = IXG_SAV_OFF;
	else {
		ERR_AT(P, &t,
		       "expected 'strict', 'loose', 'feasible' or 'off', got "
		       "'%.*s'",
		       (int)t.len, t.p);
		return finish(P, 1);
	}
	return finish(P, 0);
}

/* neighbour static|learn: where the member's egress MAC comes from
 * (doc/neighbours.md). */
static int
peer_neighbour(struct parser *P, void *obj, const struct kw *k,
	       const struct tok *kw)
{
	struct c_peer *p = obj;
	struct tok t;

	field_once(P, obj, k, kw);
	if (take_word(P, "'static' or 'learn'", &t) < 0)
		return -1;
	if (tok_is(&t, "static"))
		p->neigh = IXG_NEIGH_STATIC;
	else if (tok_is(&t, "learn"))
		p->neigh = IXG_NEIGH_LEARN;
	else {
		ERR_AT(P, &t, "expected 'static' or 'learn', got '%.*s'",
		       (int)t.len, t.p);
		return finish(P, 1);
	}
	return finish(P, 0);
}

static int
peer_rate(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_peer *p = obj;
	int rc;

	field_once(P, obj, k, kw);
	rc = take_rate(P, "rate", CONF_RATE_MIN, CONF_RATE_MAX, &p->rate_bits);
	if (rc < 0)
		return -1;
	p->has_burst = 0;
	if (tok_is(&P->t, "burst")) {
		next(P);
		int r2 = take_size(P, &p->burst);

		if (r2 < 0)
			return -1;
		p->has_burst = r2 == 0;
		rc |= r2;
	}
	return finish(P, rc);
}

static void
parse_prefix_block(struct parser *P, pfx_vec *v, const char *what)
{
	struct tok open = P->t;
	char got[64];

	next(P);
	for (;;) {
		struct pfx pf;
		int rc;

		if (P->t.kind == T_RBRACE) {
			next(P);
			return;
		}
		if (P->t.kind == T_EOF) {
			ERR_AT(P, &open, "missing '}' to close %s", what);
			return;
		}
		if (P->t.kind != T_WORD) {
			tok_describe(&P->t, got, sizeof(got));
			ERR_AT(P, &P->t, "expected a prefix in %s, got %s",
			       what, got);
			recover(P);
			continue;
		}
		rc = take_prefix(P, &pf, 1, 1);
		if (rc == 0) {
			struct pfx *e = VEC_PUSH(*v);

			if (e != NULL)
				*e = pf;
		}
		if (finish(P, rc) < 0)
			recover(P);
	}
}

static int
peer_announce(struct parser *P, void *obj, const struct kw *k,
	      const struct tok *kw)
{
	struct c_peer *p = obj;

	field_first(P, obj, k, kw);
	if (expect_lbrace(P, "'announce'") < 0)
		return -1;
	parse_prefix_block(P, &p->announce, "announce block");
	return 0;
}

/* allow-source and allow-source-file: one location for the pair (where
 * sources were first given), so origins number the same either way. */
static void
allow_first(struct parser *P, struct c_peer *p, const struct kw *k,
	    const struct tok *kw)
{
	if (!(p->set & PEER_ALLOW))
		p->locs[k->k.slot] = loc_add(P, kw);
	p->set |= 1u << k->k.slot;
}

static int
peer_allow(struct parser *P, void *obj, const struct kw *k,
	   const struct tok *kw)
{
	struct c_peer *p = obj;

	allow_first(P, p, k, kw);
	if (expect_lbrace(P, "'allow-source'") < 0)
		return -1;
	parse_prefix_block(P, &p->allow, "allow-source block");
	return 0;
}

static int
take_file(struct parser *P, path_vec *v)
{
	struct tok t;
	struct c_path cp;
	int rc;

	memset(&cp, 0, sizeof(cp));
	if (take_string(P, "a file name", &t) < 0)
		return -1;
	rc = make_path(P, &t, &cp);
	if (rc == 0) {
		struct c_path *e = VEC_PUSH(*v);
		const char **df = VEC_PUSH(P->c->datafiles);

		if (e != NULL && df != NULL) {
			*df = cp.path;
			cp.data_idx = P->c->datafiles.n - 1;
			*e = cp;
		}
	}
	return finish(P, rc);
}

static int
peer_announce_file(struct parser *P, void *obj, const struct kw *k,
		   const struct tok *kw)
{
	struct c_peer *p = obj;

	(void)k;
	(void)kw;
	return take_file(P, &p->announce_files);
}

static int
peer_allow_file(struct parser *P, void *obj, const struct kw *k,
		const struct tok *kw)
{
	struct c_peer *p = obj;

	allow_first(P, p, k, kw);
	return take_file(P, &p->allow_files);
}

/* acl { rule PRIO [NAME] { ... } } */

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{"icmp", 1}, {"tcp", 6},     {"udp", 17},   {"gre", 47},
	{"esp", 50}, {"icmpv6", 58}, {"sctp", 132}, {NULL, 0},
};

const char *
conf_proto_name(uint8_t proto)
{
	unsigned i;

	for (i = 0; protos[i].name != NULL; i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	return NULL;
}

static int
rule_from(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_rule *r = obj;
	struct tok t;

	if (take_word(P, "a peer name", &t) < 0)
		return -1;
	field_once(P, obj, k, kw);
	/* Unknown-peer errors point at the name. */
	r->locs[RULE_F_FROM] = loc_add(P, &t);
	return finish(P, check_name(P, &t, r->from) < 0 ? 1 : 0);
}

/* Protocol by name or number; 0, or -1 if it is neither. */
static int
proto_by_name(const struct tok *t, uint8_t *proto)
{
	uint64_t v;
	unsigned i;

	for (i = 0; protos[i].name != NULL; i++) {
		if (tok_is(t, protos[i].name)) {
			*proto = protos[i].proto;
			return 0;
		}
	}
	if (parse_u64(t->p, t->len, &v) == 0 && v <= 255) {
		*proto = (uint8_t)v;
		return 0;
	}
	return -1;
}

static int
rule_proto(struct parser *P, void *obj, const struct kw *k,
	   const struct tok *kw)
{
	struct c_rule *r = obj;
	struct tok t;
	uint64_t v;
	unsigned i;

	field_once(P, obj, k, kw);
	if (take_word(P, "a protocol", &t) < 0)
		return -1;
	for (i = 0; protos[i].name != NULL; i++) {
		if (tok_is(&t, protos[i].name)) {
			r->proto = protos[i].proto;
			return finish(P, 0);
		}
	}
	if (parse_u64(t.p, t.len, &v) == 0 && v <= 255) {
		r->proto = (uint8_t)v;
		return finish(P, 0);
	}
	ERR_AT(P, &t,
	       "expected a protocol (tcp, udp, icmp, icmpv6, sctp, gre, esp or "
	       "0..255), got '%.*s'",
	       (int)t.len, t.p);
	return finish(P, 1);
}

static int
rule_ports(struct parser *P, void *obj, const struct kw *k,
	   const struct tok *kw, uint16_t *lo, uint16_t *hi)
{
	field_once(P, obj, k, kw);
	return finish(P, take_port_range(P, lo, hi));
}

/* A port (N) or port range (N-M) as the next word: 0, 1 after reporting
 * a bad one, -1 if there is no word. */
static int
take_port_range(struct parser *P, uint16_t *lo, uint16_t *hi)
{
	struct tok t;
	const char *dash;
	uint64_t a, b;

	if (take_word(P, "a port or port range", &t) < 0)
		return -1;
	dash = memchr(t.p, '-', t.len);
	if (dash == NULL) {
		if (parse_u64(t.p, t.len, &a) < 0)
			goto bad;
		b = a;
	} else if (parse_u64(t.p, (size_t)(dash - t.p), &a) < 0 ||
		   parse_u64(dash + 1, t.len - (size_t)(dash - t.p) - 1, &b) <
			   0) {
		goto bad;
	}
	if (a > 65535 || b > 65535) {
		ERR_AT(P, &t, "port %.*s out of range (0..65535)", (int)t.len,
		       t.p);
		return 1;
	}
	if (a > b) {
		ERR_AT(P, &t, "port range %.*s is empty (%llu > %llu)",
		       (int)t.len, t.p, (unsigned long long)a,
		       (unsigned long long)b);
		return 1;
	}
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
bad:
	ERR_AT(P, &t, "expected a port (N) or port range (N-M), got '%.*s'",
	       (int)t.len, t.p);
	return 1;
}

static int
rule_sport(struct parser *P, void *obj, const struct kw *k,
	   const struct tok *kw)
{
	struct c_rule *r = obj;

	return rule_ports(P, obj, k, kw, &r->sport_lo, &r->sport_hi);
}

static int
rule_dport(struct parser *P, void *obj, const struct kw *k,
	   const struct tok *kw)
{
	struct c_rule *r = obj;

	return rule_ports(P, obj, k, kw, &r->dport_lo, &r->dport_hi);
}

static int
rule_action(struct parser *P, void *obj, const struct kw *k,
	    const struct tok *kw)
{
	struct c_rule *r = obj;
	struct tok t;

	field_once(P, obj, k, kw);
	if (take_word(P, "an action", &t) < 0)
		return -1;
	if (tok_is(&t, "permit")) {
		r->action = IXG_ACL_PERMIT;
	} else if (tok_is(&t, "deny")) {
		r->action = IXG_ACL_DENY;
	} else if (tok_is(&t, "class")) {
		struct tok n;

		r->action = IXG_ACL_CLASS;
		if (take_word(P, "a class name", &n) < 0)
			return -1;
		/* Unknown-class errors point at the name. */
		r->locs[RULE_F_ACTION] = loc_add(P, &n);
		return finish(P, check_name(P, &n, r->class_name) < 0 ? 1 : 0);
	} else if (tok_is(&t, "remark")) {
		r->action = IXG_ACL_REMARK;
		return finish(P, take_dscp(P, &r->remark_dscp));
	} else {
		const char *acts[] = {"permit", "deny", "class", "remark",
				      NULL};
		const char *near = closest_word(t.p, t.len, acts);

		if (near != NULL)
			ERR_AT(P, &t,
			       "unknown action '%.*s'; did you mean '%s'?",
			       (int)t.len, t.p, near);
		else
			ERR_AT(P, &t,
			       "expected 'permit', 'deny', 'class NAME' or "
			       "'remark DSCP', got '%.*s'",
			       (int)t.len, t.p);
		return finish(P, 1);
	}
	return finish(P, 0);
}

/* Checks inside one rule, once its block is closed. */
static int
rule_check(struct parser *P, struct c_rule *r)
{
	uint8_t fams = 3;
	int bad = 0;

	if (!(r->set & RULE_ACTION)) {
		conf_diag(P->c, P->d, DIAG_ERROR, r->loc,
			  "rule %u has no 'action'", r->prio);
		bad = 1;
	}
	if (r->set & RULE_SRC)
		fams &= r->src.fam == 4 ? 1 : 2;
	if (r->set & RULE_DST) {
		uint8_t f = r->dst.fam == 4 ? 1 : 2;

		if ((fams & f) == 0) {
			conf_diag(P->c, P->d, DIAG_ERROR, r->locs[RULE_F_DST],
				  "rule %u mixes an IPv4 and an IPv6 prefix",
				  r->prio);
			bad = 1;
		}
		fams &= f;
	}
	if ((r->set & RULE_PROTO) && (r->proto == 1 || r->proto == 58)) {
		uint8_t f = r->proto == 1 ? 1 : 2;

		if ((fams & f) == 0 && !bad) {
			conf_diag(P->c, P->d, DIAG_ERROR, r->locs[RULE_F_PROTO],
				  "protocol %s does not match the rule's IPv%c "
				  "prefix",
				  r->proto == 1 ? "icmp" : "icmpv6",
				  r->proto == 1 ? '6' : '4');
			bad = 1;
		}
		fams &= f;
	}
	if ((r->set & (RULE_SPORT | RULE_DPORT)) &&
	    (!(r->set & RULE_PROTO) ||
	     (r->proto != 6 && r->proto != 17 && r->proto != 132))) {
		conf_diag(P->c, P->d, DIAG_ERROR,
			  r->locs[(r->set & RULE_SPORT) ? RULE_F_SPORT
							: RULE_F_DPORT],
			  "port match needs 'protocol tcp', 'udp' or 'sctp'");
		bad = 1;
	}
	r->fams = fams;
	return bad;
}

static int
acl_rule(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_rule r, *e;
	uint64_t prio = 0; /* a bad priority reads as 0 in later messages */
	struct tok open;
	int rc;

	(void)obj;
	(void)k;
	memset(&r, 0, sizeof(r));
	r.loc = loc_add(P, kw);
	rc = take_uint(P, "rule priority", 0, UINT32_MAX, &prio);
	if (rc < 0)
		return -1;
	r.prio = (uint32_t)prio;
	if (P->t.kind == T_WORD) {
		struct tok n = P->t;

		next(P);
		if (check_name(P, &n, r.name) < 0)
			rc = 1;
	}
	if (expect_lbrace(P, "rule priority and name") < 0)
		return -1;
	open = P->t;
	parse_body(P, &RULE_section, &r, &open);
	if (rule_check(P, &r) != 0 || rc != 0)
		return 0;
	e = VEC_PUSH(P->c->rules);
	if (e != NULL)
		*e = r;
	return 0;
}

/* metrics { ... } */

/* "A.B.C.D:PORT" or "[V6]:PORT" with PORT 1..65535: 0, or -1 (what was
 * expected goes in the message of the caller). */
static int
check_listen(const char *s, size_t n)
{
	uint8_t a[16];
	const char *colon;
	uint64_t port;
	size_t hl;

	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (close == NULL || (size_t)(close - s) + 1 >= n ||
		    close[1] != ':')
			return -1;
		if (parse_ip6(s + 1, (size_t)(close - s - 1), a) < 0)
			return -1;
		colon = close + 1;
	} else {
		colon = memchr(s, ':', n);
		if (colon == NULL)
			return -1;
		hl = (size_t)(colon - s);
		if (parse_ip4(s, hl, a) < 0)
			return -1;
	}
	hl = (size_t)(colon + 1 - s);
	if (parse_u64(colon + 1, n - hl, &port) < 0 || port < 1 || port > 65535)
		return -1;
	return 0;
}

static int
metrics_listen(struct parser *P, void *obj, const struct kw *k,
	       const struct tok *kw)
{
	struct c_metrics *m = obj;
	struct tok t;

	field_first(P, obj, k, kw);
	if (take_word(P, "an address and port", &t) < 0)
		return -1;
	if (tok_is(&t, "none")) {
		if (m->n_listen > 0) {
			ERR_AT(P, &t,
			       "'listen none' with listen addresses in the "
			       "same block");
			return finish(P, 1);
		}
		m->listen_none = 1;
		return finish(P, 0);
	}
	if (m->listen_none) {
		ERR_AT(P, &t, "listen address after 'listen none'");
		return finish(P, 1);
	}
	if (check_listen(t.p, t.len) < 0) {
		ERR_AT(P, &t,
		       "expected ADDRESS:PORT (127.0.0.1:9477, [::1]:9477, "
		       "0.0.0.0:9477, [::]:9477) or none, got '%.*s'",
		       (int)t.len, t.p);
		return finish(P, 1);
	}
	for (unsigned i = 0; i < m->n_listen; i++)
		if (strlen(m->listen[i]) == t.len &&
		    memcmp(m->listen[i], t.p, t.len) == 0) {
			char first[256];

			conf_loc_str(P->c, m->listen_locs[i], first,
				     sizeof(first));
			ERR_AT(P, &t, "listen %.*s given twice (first at %s)",
			       (int)t.len, t.p, first);
			return finish(P, 1);
		}
	if (m->n_listen == IXG_CONF_METRICS_MAX_LISTEN) {
		ERR_AT(P, &t, "more than %d listen addresses",
		       IXG_CONF_METRICS_MAX_LISTEN);
		return finish(P, 1);
	}
	m->listen[m->n_listen] = arena_strndup(&P->c->arena, t.p, t.len);
	m->listen_locs[m->n_listen] = loc_add(P, &t);
	if (m->listen[m->n_listen] == NULL)
		return finish(P, 1);
	m->n_listen++;
	return finish(P, 0);
}

/* tls-cert, tls-key, tls-client-ca: FILE (file[] in row order). */
static int
metrics_file(struct parser *P, void *obj, const struct kw *k,
	     const struct tok *kw)
{
	struct c_metrics *m = obj;
	struct c_path *f = &m->file[k->k.slot - METRICS_F_TLS_CERT];
	struct tok t;

	field_once(P, obj, k, kw);
	if (take_string(P, "a file name", &t) < 0)
		return -1;
	return finish(P, make_path(P, &t, f));
}

/* ---------------------------------------------------------------------
 * Top level.
 */

static struct c_item *
item_add(struct parser *P, enum top_slot kind, uint32_t idx)
{
	struct c_item *it = VEC_PUSH(P->c->items);

	if (it != NULL) {
		it->kind = (uint8_t)kind;
		it->idx = idx;
		it->n = 1;
	}
	return it;
}

static int
top_node(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct tok open;

	(void)obj;
	(void)k;
	if (expect_lbrace(P, "'node'") < 0)
		return -1;
	if (P->c->has_node) {
		char first[256];

		conf_loc_str(P->c, P->c->node.loc, first, sizeof(first));
		ERR_AT(P, kw, "second 'node' block (first at %s)", first);
		/* Parse it anyway for its errors, into a scratch node. */
		struct c_node scratch;

		memset(&scratch, 0, sizeof(scratch));
		open = P->t;
		parse_body(P, &NODE_section, &scratch, &open);
		return 0;
	}
	P->c->has_node = 1;
	P->c->node.loc = loc_add(P, kw);
	P->c->node.icmp_te = 1;
	item_add(P, TOP_F_NODE, 0);
	open = P->t;
	parse_body(P, &NODE_section, &P->c->node, &open);
	return 0;
}

/*
 * The head of a named top-level block, `KIND NAME {`: the name into *n and
 * the brace consumed. kind is "port", "class" or "peer" (the errors name
 * it). 0, or -1 with the error reported.
 */
static int
named_open(struct parser *P, const char *kind, struct tok *n)
{
	char what[32];

	snprintf(what, sizeof(what), "a %s name", kind);
	if (take_word(P, what, n) < 0)
		return -1;
	snprintf(what, sizeof(what), "the %s name", kind);
	return expect_lbrace(P, what);
}

/*
 * The rest of a named top-level block once its object is pushed: the
 * name checked into name, its location into *loc, its place in the file's
 * order (slot kind, index idx) and its body parsed by sec into obj.
 */
static void
named_body(struct parser *P, const struct tok *n, char name[IXG_NAME_LEN],
	   uint32_t *loc, enum top_slot kind, uint32_t idx,
	   const struct section *sec, void *obj)
{
	struct tok open;

	check_name(P, n, name);
	*loc = loc_add(P, n);
	item_add(P, kind, idx);
	open = P->t;
	parse_body(P, sec, obj, &open);
}

static int
top_port(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_port *p;
	struct tok n;

	(void)obj;
	(void)k;
	(void)kw;
	if (named_open(P, "port", &n) < 0 ||
	    (p = VEC_PUSH(P->c->ports)) == NULL)
		return -1;
	named_body(P, &n, p->name, &p->loc, TOP_F_PORT, P->c->ports.n - 1,
		   &PORT_section, p);
	return 0;
}

static int
top_class(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_class *c;
	struct tok n;

	(void)obj;
	(void)k;
	(void)kw;
	if (named_open(P, "class", &n) < 0 ||
	    (c = VEC_PUSH(P->c->classes)) == NULL)
		return -1;
	c->yellow = IXG_METER_PASS;
	c->red = IXG_METER_DROP;
	named_body(P, &n, c->name, &c->loc, TOP_F_CLASS, P->c->classes.n - 1,
		   &CLASS_section, c);
	return 0;
}

static int
top_peer(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_peer *p;
	struct tok n;

	(void)obj;
	(void)k;
	(void)kw;
	if (named_open(P, "peer", &n) < 0 ||
	    (p = VEC_PUSH(P->c->peers)) == NULL)
		return -1;
	named_body(P, &n, p->name, &p->loc, TOP_F_PEER, P->c->peers.n - 1,
		   &PEER_section, p);
	return 0;
}

static int
top_acl(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct tok open;
	uint32_t first = P->c->rules.n;
	struct c_item *it;

	(void)obj;
	(void)k;
	(void)kw;
	if (expect_lbrace(P, "'acl'") < 0)
		return -1;
	it = item_add(P, TOP_F_ACL, first);
	open = P->t;
	parse_body(P, &ACL_section, NULL, &open);
	/* The item may have moved if items grew meanwhile: look it up. */
	it = &P->c->items.v[P->c->items.n - 1];
	while (it->kind != TOP_F_ACL || it->idx != first)
		it--;
	it->n = P->c->rules.n - first;
	return 0;
}

static int
top_blackhole(struct parser *P, void *obj, const struct kw *k,
	      const struct tok *kw)
{
	struct c_blackhole b;
	int rc;

	(void)obj;
	(void)k;
	memset(&b, 0, sizeof(b));
	b.loc = loc_add(P, kw);
	rc = take_prefix(P, &b.p, 1, 1);
	if (rc < 0)
		return -1;
	if (tok_is(&P->t, "expires")) {
		struct tok t;

		next(P);
		if (take_string(P, "an expiry time", &t) < 0)
			return -1;
		if (parse_time(t.p, t.len, &b.expires) < 0) {
			ERR_AT(P, &t,
			       "expected a UTC time \"YYYY-MM-DDTHH:MM:SSZ\", "
			       "got \"%.*s\"",
			       (int)t.len, t.p);
			rc = 1;
		}
	}
	rc = finish(P, rc);
	if (rc == 0) {
		struct c_blackhole *e = VEC_PUSH(P->c->blackholes);

		if (e != NULL) {
			*e = b;
			item_add(P, TOP_F_BLACKHOLE, P->c->blackholes.n - 1);
		}
	}
	return rc;
}

/* route PREFIX { via MEMBER [weight N]; ... } (doc/config-reference.md,
 * "route"): "via NAME [weight 1..256];", each member once, at most
 * IXG_NHG_MAX_MEMBERS (a next-hop group's size). */
static int
route_via(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_route *r = obj;
	struct c_via v;
	struct tok n;
	int rc = 0;

	memset(&v, 0, sizeof(v));
	v.weight = 1;
	if (take_word(P, "a member (peer) name", &n) < 0)
		return -1;
	if (check_name(P, &n, v.peer) < 0)
		rc = 1;
	v.loc = loc_add(P, &n);
	if (tok_is(&P->t, "weight")) {
		uint64_t w = 1;
		int wr;

		next(P);
		wr = take_uint(P, "weight", 1, 256, &w);
		if (wr < 0)
			return -1;
		if (wr > 0)
			rc = 1;
		v.weight = (uint16_t)w;
		v.has_weight = 1;
	}
	rc = finish(P, rc);
	if (rc != 0)
		return rc;
	field_first(P, r, k, kw);
	for (unsigned i = 0; i < r->n_via; i++) {
		char first[256];

		if (strcmp(r->via[i].peer, v.peer) != 0)
			continue;
		conf_loc_str(P->c, r->via[i].loc, first, sizeof(first));
		ERR_AT(P, &n,
		       "member '%s' given twice in this route (first at %s)",
		       v.peer, first);
		return 1;
	}
	if (r->n_via == IXG_NHG_MAX_MEMBERS) {
		ERR_AT(P, &n,
		       "more than %d 'via' members (a next-hop group holds at "
		       "most %d)",
		       IXG_NHG_MAX_MEMBERS, IXG_NHG_MAX_MEMBERS);
		return 1;
	}
	r->via[r->n_via++] = v;
	return 0;
}

static int
top_route(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_route r;
	struct tok open;
	unsigned errs = ixg_diags_errors(P->d);
	int rc;

	(void)obj;
	(void)k;
	memset(&r, 0, sizeof(r));
	r.loc = loc_add(P, kw);
	rc = take_prefix(P, &r.p, 1, 1);
	if (rc < 0)
		return -1;
	if (expect_lbrace(P, "the route's prefix") < 0)
		return -1;
	open = P->t;
	parse_body(P, &ROUTE_section, &r, &open);
	if (rc != 0 || ixg_diags_errors(P->d) != errs)
		return 0;
	if (r.n_via < 2) {
		ERR_AT(P, kw,
		       "a route needs at least two 'via' members, got %u (a "
		       "prefix of one member goes in its 'announce')",
		       r.n_via);
		return 0;
	}
	{
		struct c_route *e = VEC_PUSH(P->c->routes);

		if (e != NULL) {
			*e = r;
			item_add(P, TOP_F_ROUTE, P->c->routes.n - 1);
		}
	}
	return 0;
}

static int
top_kroutes(struct parser *P, void *obj, const struct kw *k,
	    const struct tok *kw)
{
	struct tok open;

	(void)obj;
	(void)k;
	if (expect_lbrace(P, "'kernel-routes'") < 0)
		return -1;
	if (P->c->has_kroutes) {
		char first[256];
		struct c_kroutes scratch;

		conf_loc_str(P->c, P->c->kroutes.loc, first, sizeof(first));
		ERR_AT(P, kw, "second 'kernel-routes' block (first at %s)",
		       first);
		memset(&scratch, 0, sizeof(scratch));
		open = P->t;
		parse_body(P, &KROUTES_section, &scratch, &open);
		return 0;
	}
	P->c->has_kroutes = 1;
	P->c->kroutes.loc = loc_add(P, kw);
	item_add(P, TOP_F_KROUTES, 0);
	open = P->t;
	parse_body(P, &KROUTES_section, &P->c->kroutes, &open);
	if (P->c->kroutes.n_tables == 0)
		ERR_AT(P, kw,
		       "'kernel-routes' needs at least one 'table N;' (BIRD's "
		       "'kernel table', 254 for the main table)");
	return 0;
}

static int
top_cdata(struct parser *P, void *obj, const struct kw *k, const struct tok *kw)
{
	struct c_cdata cd;
	struct tok t, f;
	int rc;

	(void)obj;
	(void)k;
	memset(&cd, 0, sizeof(cd));
	if (take_string(P, "a country data file name", &t) < 0)
		return -1;
	rc = make_path(P, &t, &cd.path);
	cd.path.loc = loc_add(P, kw);
	if (!tok_is(&P->t, "format")) {
		char got[64];

		tok_describe(&P->t, got, sizeof(got));
		ERR_AT(P, &P->t,
		       "expected 'format ip-location-db' or 'format "
		       "rir-delegated', got %s",
		       got);
		return -1;
	}
	next(P);
	if (take_word(P, "a format", &f) < 0)
		return -1;
	if (tok_is(&f, "ip-location-db"))
		cd.format = CF_IPLOCDB;
	else if (tok_is(&f, "rir-delegated"))
		cd.format = CF_RIR;
	else {
		ERR_AT(P, &f,
		       "unknown country data format '%.*s' (ip-location-db or "
		       "rir-delegated)",
		       (int)f.len, f.p);
		rc = 1;
	}
	rc = finish(P, rc);
	if (rc == 0) {
		struct c_cdata *e = VEC_PUSH(P->c->cdata);

		if (e != NULL) {
			*e = cd;
			item_add(P, TOP_F_CDATA, P->c->cdata.n - 1);
		}
	}
	return rc;
}

static void parse_path(struct parser *P, const char *path,
		       const struct tok *from);

static int
has_glob_chars(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int
top_metrics(struct parser *P, void *obj, const struct kw *k,
	    const struct tok *kw)
{
	struct c_metrics scratch, *m = &P->c->metrics;
	struct tok open;

	(void)obj;
	(void)k;
	if (expect_lbrace(P, "'metrics'") < 0)
		return -1;
	if (P->c->has_metrics) {
		char first[256];

		conf_loc_str(P->c, P->c->metrics.loc, first, sizeof(first));
		ERR_AT(P, kw, "second 'metrics' block (first at %s)", first);
		/* Parsed anyway for its errors, into a scratch block. */
		m = &scratch;
	} else {
		P->c->has_metrics = 1;
		item_add(P, TOP_F_METRICS, 0);
	}
	memset(m, 0, sizeof(*m));
	m->loc = loc_add(P, kw);
	open = P->t;
	parse_body(P, &METRICS_section, m, &open);
	/* HTTPS needs both; a client CA only makes sense with HTTPS. */
	if ((m->set & METRICS_TLS_CERT) && !(m->set & METRICS_TLS_KEY))
		conf_diag(P->c, P->d, DIAG_ERROR, m->locs[METRICS_F_TLS_CERT],
			  "tls-cert without tls-key (both are needed to serve "
			  "HTTPS)");
	if ((m->set & METRICS_TLS_KEY) && !(m->set & METRICS_TLS_CERT))
		conf_diag(P->c, P->d, DIAG_ERROR, m->locs[METRICS_F_TLS_KEY],
			  "tls-key without tls-cert (both are needed to serve "
			  "HTTPS)");
	if ((m->set & METRICS_TLS_CA) && !(m->set & METRICS_TLS_CERT))
		conf_diag(P->c, P->d, DIAG_ERROR, m->locs[METRICS_F_TLS_CA],
			  "tls-client-ca without tls-cert and tls-key (client "
			  "certificates are asked for over HTTPS only)");
	return 0;
}

static int
top_include(struct parser *P, void *obj, const struct kw *k,
	    const struct tok *kw)
{
	struct tok t, from;
	struct c_path cp;
	struct stat st;
	glob_t g;
	size_t i;
	int rc;

	(void)obj;
	(void)k;
	(void)kw;
	if (take_string(P, "a file name or pattern", &t) < 0)
		return -1;
	from = t;
	if (make_path(P, &t, &cp) != 0 || expect_semi(P) < 0)
		return -1;
	if (P->L->stop)
		return 0;
	if (P->depth >= P->L->o.max_depth) {
		ERR_AT(P, &from, "includes nested deeper than %u",
		       P->L->o.max_depth);
		return 0;
	}
	if (!load_inside(P->L, cp.path)) {
		ERR_AT(P, &from,
		       "cannot open \"%s\": outside the directory this load "
		       "may read (%s)",
		       cp.path, P->L->o.root);
		return 0;
	}
	memset(&g, 0, sizeof(g));
	rc = glob(cp.path, GLOB_ERR, NULL, &g);
	/* include "DIR": the same as the pattern of the .conf files in DIR. */
	if (rc == 0 && !has_glob_chars(cp.path) && g.gl_pathc == 1 &&
	    stat(g.gl_pathv[0], &st) == 0 && S_ISDIR(st.st_mode)) {
		size_t n = strlen(cp.path);
		char *pat = malloc(n + 8);

		globfree(&g);
		memset(&g, 0, sizeof(g));
		if (pat == NULL)
			return 0;
		snprintf(pat, n + 8, "%s%s*.conf", cp.path,
			 n > 0 && cp.path[n - 1] == '/' ? "" : "/");
		rc = glob(pat, GLOB_ERR, NULL, &g);
		free(pat);
		if (rc == GLOB_NOMATCH) {
			WARN_AT(P, &from,
				"include directory \"%.*s\" has no *.conf file",
				(int)t.len, t.p);
			globfree(&g);
			return 0;
		}
	}
	if (rc == GLOB_NOMATCH) {
		if (has_glob_chars(cp.path))
			WARN_AT(P, &from,
				"include pattern \"%.*s\" matches no file",
				(int)t.len, t.p);
		else
			ERR_AT(P, &from, "cannot open \"%s\": %s", cp.path,
			       strerror(ENOENT));
		globfree(&g);
		return 0;
	}
	if (rc != 0) {
		ERR_AT(P, &from, "cannot read \"%s\"", cp.path);
		globfree(&g);
		return 0;
	}
	/* glob() sorts its matches (no GLOB_NOSORT), so include order is
	 * the byte order of the names whatever readdir says. Directories a
	 * pattern matches are skipped. */
	for (i = 0; i < g.gl_pathc && !P->L->stop; i++) {
		struct parser sub;

		if (has_glob_chars(cp.path) && stat(g.gl_pathv[i], &st) == 0 &&
		    S_ISDIR(st.st_mode))
			continue;
		sub = *P;
		sub.depth = P->depth + 1;
		parse_path(&sub, g.gl_pathv[i], &from);
		P->stack = sub.stack;
		P->tokens = sub.tokens;
		P->quiet = sub.quiet;
	}
	globfree(&g);
	if (P->L->stop)
		stop_load(P);
	return 0;
}

static void
parse_top(struct parser *P)
{
	char got[64];

	next(P);
	while (P->t.kind != T_EOF) {
		const struct kw *k;
		struct tok kw = P->t;

		if (P->t.kind != T_WORD) {
			tok_describe(&P->t, got, sizeof(got));
			ERR_AT(P, &P->t, "expected a statement, got %s", got);
			if (P->t.kind == T_RBRACE)
				next(P);
			else
				recover(P);
			continue;
		}
		k = kw_find(TOP_section.kws, &P->t);
		if (k == NULL) {
			const char *near = kw_closest(TOP_section.kws, &kw);

			if (near != NULL)
				ERR_AT(P, &kw,
				       "unknown keyword '%.*s'; did you mean "
				       "'%s'?",
				       (int)kw.len, kw.p, near);
			else
				ERR_AT(P, &kw, "unknown keyword '%.*s'",
				       (int)kw.len, kw.p);
			next(P);
			recover(P);
			continue;
		}
		next(P);
		if (k->fn(P, NULL, k, &kw) < 0)
			recover(P);
	}
}

/* Parse text (owned from now on) as file `path`, identified by id (NULL:
 * not on disk). */
static void
parse_text(struct parser *P, const char *path, char *text, size_t len,
	   const struct file_id *id)
{
	struct c_file *f;
	const char *slash;
	uint32_t parent = P->file;
	struct file_id *s = NULL;

	f = VEC_PUSH(P->c->files);
	if (f == NULL) {
		free(text);
		return;
	}
	f->path = arena_strndup(&P->c->arena, path, strlen(path));
	slash = strrchr(path, '/');
	f->dir = arena_strndup(&P->c->arena, path,
			       slash ? (size_t)(slash - path) + 1 : 0);
	f->text = text;
	f->len = len;
	if (id != NULL && (s = VEC_PUSH(P->stack)) != NULL)
		*s = *id;
	P->file = P->c->files.n - 1;
	lexer_init(&P->lx, text, len);
	memset(&P->t, 0, sizeof(P->t));
	parse_top(P);
	if (s != NULL)
		P->stack.n--;
	P->file = parent;
}

/* Open, check and parse the file at path; `from` is the include statement
 * naming it (NULL for the root file), where its errors are reported. */
static void
parse_path(struct parser *P, const char *path, const struct tok *from)
{
	struct file_id id;
	struct stat st;
	char err[512], *text;
	size_t len;
	uint32_t i;
	int fd;

	if (load_late(P->L)) {
		snprintf(err, sizeof(err), "the load's deadline passed");
		P->L->stop = 1;
		fd = -ETIMEDOUT;
	} else {
		fd = load_open(P->L, path, &st, err, sizeof(err));
	}
	if (fd >= 0) {
		id.dev = st.st_dev;
		id.ino = st.st_ino;
		for (i = 0; i < P->stack.n; i++) {
			if (P->stack.v[i].dev != id.dev ||
			    P->stack.v[i].ino != id.ino)
				continue;
			if (from != NULL)
				ERR_AT(P, from,
				       "include loop: \"%s\" is already being "
				       "read",
				       path);
			close(fd);
			return;
		}
		text = load_whole(P->L, fd, &st, &len, err, sizeof(err));
		close(fd);
		if (text != NULL) {
			parse_text(P, path, text, len, &id);
			return;
		}
	}
	if (from != NULL)
		ERR_AT(P, from, "cannot read \"%s\": %s", path, err);
	else
		diag_file(P->d, DIAG_ERROR, path, 0, 0, "cannot read: %s", err);
	if (P->L->stop)
		stop_load(P);
}

static struct ixg_conf *
parse_root(const char *name, char *text, size_t len,
	   const struct ixg_conf_opts *opts, struct ixg_diags *d)
{
	struct ixg_conf *c = calloc(1, sizeof(*c));
	struct conf_load L;
	struct parser P;
	const char *slash;
	unsigned errs = ixg_diags_errors(d);
	char err[PATH_MAX + 64];

	if (c == NULL) {
		free(text);
		diag_file(d, DIAG_ERROR, name, 0, 0, "out of memory");
		return NULL;
	}
	if (load_begin(&L, opts, 0, 0, err, sizeof(err)) < 0) {
		free(text);
		free(c);
		diag_file(d, DIAG_ERROR, name, 0, 0, "%s", err);
		return NULL;
	}
	c->opts = L.o;
	if (L.o.root != NULL)
		c->opts.root = arena_strndup(&c->arena, L.o.root,
					     strlen(L.o.root));
	diag_set_quote(d, !L.o.no_quote);
	slash = strrchr(name, '/');
	c->root_dir = arena_strndup(
		&c->arena, name,
		slash && text == NULL ? (size_t)(slash - name) + 1 : 0);
	memset(&P, 0, sizeof(P));
	P.c = c;
	P.d = d;
	P.L = &L;
	if (text != NULL) {
		/* From a string: diagnostics say `name`; includes resolve
		 * from the cwd. */
		struct c_file *f = VEC_PUSH(c->files);

		if (f == NULL) {
			free(text);
			ixg_conf_free(c);
			load_end(&L);
			return NULL;
		}
		f->path = arena_strndup(&c->arena, name, strlen(name));
		f->dir = c->root_dir;
		f->text = text;
		f->len = len;
		lexer_init(&P.lx, text, len);
		parse_top(&P);
	} else {
		parse_path(&P, name, NULL);
	}
	free(P.stack.v);
	c->files_read = L.files;
	c->bytes_read = L.bytes;
	load_end(&L);
	if (c->files.n == 0 && ixg_diags_errors(d) == errs)
		diag_file(d, DIAG_ERROR, name, 0, 0, "out of memory");
	if (ixg_diags_errors(d) == errs)
		conf_validate(c, d);
	if (ixg_diags_errors(d) != errs) {
		ixg_conf_free(c);
		return NULL;
	}
	return c;
}

/* Parse and validate a config file; NULL with every error in d. Any
 * thread; the result is owned by the caller (ixg_conf_free). */
struct ixg_conf *
ixg_conf_parse_file(const char *path, struct ixg_diags *d)
{
	return ixg_conf_parse_file_opts(path, NULL, d);
}

/* The same under opts (see ixg_conf.h). Any thread. */
struct ixg_conf *
ixg_conf_parse_file_opts(const char *path, const struct ixg_conf_opts *opts,
			 struct ixg_diags *d)
{
	return parse_root(path, NULL, 0, opts, d);
}

/* The same from memory; `text` is copied. */
struct ixg_conf *
ixg_conf_parse_string(const char *name, const char *text, size_t len,
		      struct ixg_diags *d)
{
	return ixg_conf_parse_string_opts(name, text, len, NULL, d);
}

/* The same under opts (see ixg_conf.h). Any thread. */
struct ixg_conf *
ixg_conf_parse_string_opts(const char *name, const char *text, size_t len,
			   const struct ixg_conf_opts *opts,
			   struct ixg_diags *d)
{
	char *copy = malloc(len + 1);

	if (copy == NULL) {
		diag_file(d, DIAG_ERROR, name, 0, 0, "out of memory");
		return NULL;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	return parse_root(name, copy, len, opts, d);
}
