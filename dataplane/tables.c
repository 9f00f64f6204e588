/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tables.c - the life of a snapshot (see tables.h): checking a spec,
 * building its parts in TBL_PARTS order (or sharing the previous
 * snapshot's), freeing them with the last snapshot that holds them.
 * What each part holds and how it is built is its feature's NAME_table.c;
 * this file only iterates the lists (TBL_PARTS, IXG_SPEC_TABLES) through
 * the hooks those files register (tables_impl.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_malloc.h>

#include "mono.h"
#include "tables_impl.h"
#include "punt.h"

static const struct tbl_part_ops *const part_ops[TBL_PARTS_N] = {
#define X_PART_OPS(id, name) [TBL_PART_##id] = &tbl_part_##name,
	TBL_PARTS(X_PART_OPS)
#undef X_PART_OPS
};

static const char *const part_names[TBL_PARTS_N] = {
#define X_PART_NAME(id, name) [TBL_PART_##id] = #name,
	TBL_PARTS(X_PART_NAME)
#undef X_PART_NAME
};

static const struct spec_table_ops *const spec_ops[IXG_TBL_MAX] = {
#define X_SPEC_OPS(id, wire, field, ...) [IXG_TBL_##id] = &spec_table_##field,
	IXG_SPEC_TABLES(X_SPEC_OPS, IXG_SPEC_NO_STR)
#undef X_SPEC_OPS
};

static unsigned long parts_live;

/* See tables_impl.h. */
int
tbl_fail(struct tbl_build *b, int rc, const char *fmt, ...)
{
	va_list ap;

	if (b->err != NULL && b->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(b->err, b->errlen, fmt, ap);
		va_end(ap);
	}
	return rc < 0 ? rc : -EINVAL;
}

/* See tables_impl.h. */
bool
tbl_same(const struct tbl_build *b, unsigned table)
{
	const void *a, *p;
	uint64_t n;

	if (b->prev == NULL || b->prev_spec == NULL)
		return false;
	n = ixg_spec_table_count(b->spec, table);
	if (n != ixg_spec_table_count(b->prev_spec, table))
		return false;
	a = ixg_spec_table_data(b->spec, table);
	p = ixg_spec_table_data(b->prev_spec, table);
	if (n == 0 || a == p)
		return true;
	if (a == NULL || p == NULL)
		return false;
	return memcmp(a, p, (size_t)n * ixg_table_elem_size(table)) == 0;
}

/* See tables_impl.h. */
bool
tbl_same_peer_ids(const struct tbl_build *b)
{
	for (unsigned i = 0; i < IXG_MAX_PEERS; i++)
		if (b->t->peers[i].configured != b->prev->peers[i].configured)
			return false;
	return true;
}

/* See tables_impl.h. */
void
tbl_describe(const struct ixg_spec *s, unsigned table, uint32_t i, char *buf,
	     size_t len)
{
	if (table == 0 || table >= IXG_TBL_MAX ||
	    spec_ops[table]->describe == NULL) {
		snprintf(buf, len, "%s[%" PRIu32 "]", ixg_table_name(table), i);
		return;
	}
	spec_ops[table]->describe(s, i, buf, len);
}

/* ------------------------------------------------------------------ */
/* Checking.                                                          */

/* See tables_impl.h. */
int
spec_refuse(struct spec_check *c, unsigned table, uint32_t index,
	    uint32_t origin, const char *fmt, ...)
{
	struct tables_refusal *r = c->r;
	va_list ap;

	r->status = IXG_ST_INVALID;
	r->table = (uint16_t)table;
	r->index = index;
	r->origin = origin;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* See tables.h. Control thread. */
int
tables_validate(const struct ixg_spec *spec,
		const struct tables_validate_env *env, struct tables_refusal *r)
{
	struct spec_check *c = calloc(1, sizeof(*c));
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (c == NULL) {
		r->status = IXG_ST_NO_MEMORY;
		snprintf(r->msg, sizeof(r->msg), "validation: out of memory");
		return -1;
	}
	c->s = spec;
	c->env = env;
	c->r = r;
	for (unsigned t = 1; t < IXG_TBL_MAX && rc == 0; t++)
		if (spec_ops[t]->validate != NULL)
			rc = spec_ops[t]->validate(c);
	free(c);
	return rc;
}

/* The node: one element, its name a string. */
static int
node_validate(struct spec_check *c)
{
	if (memchr(c->s->node.name, '\0', sizeof(c->s->node.name)) == NULL)
		return spec_refuse(c, IXG_TBL_NODE, 0, 0,
				   "node name not terminated");
	return punt_validate(c);
}

static void
node_describe(const struct ixg_spec *s, uint32_t i, char *buf, size_t len)
{
	(void)i;
	snprintf(buf, len, "node %.*s", (int)sizeof(s->node.name),
		 s->node.name);
}

const struct spec_table_ops spec_table_node = {
	.validate = node_validate,
	.describe = node_describe,
};

/* ------------------------------------------------------------------ */
/* Building.                                                          */

/* Make part p of b->t: shared with b->prev if its hook says its inputs
 * did not change, otherwise built (with a fresh reference count if it can
 * be shared later). */
static int
part_make(struct tbl_build *b, unsigned p)
{
	const struct tbl_part_ops *ops = part_ops[p];
	const struct tables *o = b->prev;
	struct tables *t = b->t;

	if (ops->same == NULL)
		return ops->build(b);
	if (o != NULL && o->part_refs[p] != NULL && ops->same(b)) {
		ops->share(t, o);
		t->part_refs[p] = o->part_refs[p];
		(*t->part_refs[p])++;
		return 0;
	}
	t->part_refs[p] = malloc(sizeof(*t->part_refs[p]));
	if (t->part_refs[p] == NULL)
		return tbl_fail(b, -ENOMEM, "tables: out of memory");
	*t->part_refs[p] = 1;
	parts_live++;
	return ops->build(b);
}

/* Drop t's reference to part p: true if t held the last one (or the part
 * is never shared) and its members are to be freed. */
static bool
part_release(struct tables *t, unsigned p)
{
	unsigned *r = t->part_refs[p];

	t->part_refs[p] = NULL;
	if (r == NULL)
		return true;
	if (--*r > 0)
		return false;
	free(r);
	parts_live--;
	return true;
}

/*
 * See tables.h. Control thread only (allocates, builds the ACL classifier). Reads
 * the spec, never keeps a pointer into it. Blackholes expired at time(NULL)
 * are left out; t->next_expiry says when to rebuild.
 */
struct tables *
tables_build(const struct ixg_spec *spec, unsigned n_workers,
	     uint64_t generation, char *err, size_t errlen)
{
	return tables_build_from(spec, NULL, NULL, n_workers, generation, err,
				 errlen);
}

/* See tables.h. Control thread only. */
struct tables *
tables_build_from(const struct ixg_spec *spec, const struct ixg_spec *prev_spec,
		  const struct tables *prev, unsigned n_workers,
		  uint64_t generation, char *err, size_t errlen)
{
	struct tbl_build b = {
		.spec = spec,
		.prev_spec = prev == NULL ? NULL : prev_spec,
		.prev = prev_spec == NULL ? NULL : prev,
		.err = err,
		.errlen = errlen,
		.now = (int64_t)time(NULL),
	};
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (spec == NULL || n_workers == 0 || n_workers > IXG_MAX_WORKERS) {
		tbl_fail(&b, -EINVAL, "tables: bad arguments (%u workers)",
			 n_workers);
		errno = EINVAL;
		return NULL;
	}
	b.t = rte_zmalloc("tables", sizeof(*b.t), RTE_CACHE_LINE_SIZE);
	if (b.t == NULL) {
		tbl_fail(&b, -ENOMEM, "tables: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	b.t->generation = generation;
	b.t->built_at = b.now;
	b.t->node = spec->node;
	b.t->n_workers = n_workers;

	for (unsigned p = 0; p < TBL_PARTS_N; p++) {
		uint64_t t0 = ixg_mono_ns();

		rc = part_make(&b, p);
		b.t->step_ns[p] = ixg_mono_ns() - t0;
		if (rc < 0) {
			tables_free(b.t);
			errno = -rc;
			return NULL;
		}
	}
	return b.t;
}

/* See tables.h. Control thread, once no worker can see t any more. */
void
tables_free(struct tables *t)
{
	if (t == NULL)
		return;
	for (unsigned p = 0; p < TBL_PARTS_N; p++)
		if (part_release(t, p))
			part_ops[p]->free(t);
	rte_free(t);
}

/* See tables.h. Control thread. */
int
tables_warm_one(const struct tables *t)
{
	if (t == NULL)
		return 0;
	for (unsigned s = 0; s < FIB_SLOTS; s++) {
		int rc = fibrec_warm(t->fibs[s]);

		if (rc != 0)
			return rc;
	}
	return 0;
}

/* See tables.h. */
size_t
tables_describe_fibs(const struct tables *t, char *buf, size_t len)
{
	static const char *const how[] = {"shared", "built", "patched"};
	size_t off = 0;
	int n;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < TBL_PARTS_N && off < len; i++) {
		n = snprintf(buf + off, len - off, "%s%s %.1f", i ? " " : "",
			     part_names[i], (double)t->step_ns[i] / 1e6);
		if (n < 0)
			return off;
		off += (size_t)n;
	}
	if (off < len) {
		static const char *const patched[] = {"", "; sav4 patched",
						      "; sav6 patched",
						      "; sav4, sav6 patched"};

		n = snprintf(buf + off, len - off,
			     " ms; sav sets %" PRIu32 " (%" PRIu32 " used%s);",
			     t->n_sav_sets, t->n_sav_sets_used,
			     patched[t->sav_patched & 3]);
		off += n > 0 ? (size_t)n : 0;
	}
	for (unsigned s = 0; s < FIB_SLOTS && off < len; s++) {
		const struct fibrec_stat *st = &t->fib_stat[s];

		if (st->how == FIBREC_NONE)
			continue;
		n = snprintf(buf + off, len - off,
			     "%s %s %s %" PRIu32 " (+%" PRIu32 " -%" PRIu32
			     ", %.1f ms, %.0f MiB, %" PRIu32 " groups)",
			     buf[off - 1] == ';' ? "" : ",",
			     fibrec_slot_name(s),
			     how[st->how < 3 ? st->how : 0], st->n, st->adds,
			     st->dels, (double)st->ns / 1e6,
			     (double)st->bytes / (1 << 20), st->groups);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return off < len ? off : len - 1;
}

/* See tables.h. */
unsigned long
tables_parts_live(void)
{
	return parts_live;
}

/* See tables.h. */
unsigned
tables_shared_parts(void)
{
	unsigned n = 0;

	for (unsigned p = 0; p < TBL_PARTS_N; p++)
		n += part_ops[p]->same != NULL;
	return n;
}

/* See tables.h. */
const char *
tables_part_name(unsigned p)
{
	return p < TBL_PARTS_N ? part_names[p] : "unknown";
}
