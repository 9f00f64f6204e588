/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cache.c - the compile cache (ixg_conf.h, "Compile cache"): what a data
 * file (a prefix list, a country data file) compiled to, kept across
 * loads so that a reload reads and parses only the files that changed.
 *
 * An entry is keyed by the path as opened and the reader (prefix list, or
 * country data in one format), and holds the file's identity and content
 * as they were when it was read: device, inode, size, modification and
 * change times (ns), and an XXH3-64 of the bytes. It holds what the reader
 * emitted, in order (prefixes with their line numbers, country ranges),
 * so a reuse replays exactly the callbacks a read would make: the spec,
 * the origins and every diagnostic the compile adds stay byte-identical.
 * Only reads that ended cleanly (no diagnostic, the whole file) are kept.
 *
 * Unchanged means: the same identity as when read (an edit in place
 * changes size or times, an atomic rename or `git checkout` the inode),
 * and, when the file's times are within CACHE_RACY_NS of the moment it was
 * read (a second write inside one timestamp tick could leave them as they
 * were: the "racy" case of git's index), the same content hash, read
 * again. A file whose times are older than that is trusted by identity.
 * Entries no compile used are dropped at the end of the next complete one
 * (a deleted or renamed file leaves no entry behind).
 *
 * Own code rather than a library: the entries are the readers' records;
 * the hash is libxxhash's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xxhash.h>

#include "conf_impl.h"

/* Timestamps this close to the read cannot be trusted alone: covers
 * filesystems with 1 s (ext3, NFS servers) and 2 s (FAT) granularity and
 * the kernel's coarse clock. */
#define CACHE_RACY_NS (2 * 1000000000ll)

enum cache_kind { CK_PREFIX, CK_COUNTRY_IPLOCDB, CK_COUNTRY_RIR };

/* What a country reader emitted. */
struct cc_rec {
	uint8_t addr[16];
	uint8_t fam, len;
	ixg_cc_t cc;
};

struct cache_entry {
	struct cache_entry *next; /* hash chain */
	char *path;
	uint8_t kind; /* enum cache_kind */
	dev_t dev;
	ino_t ino;
	int64_t size, mtime_ns, ctime_ns;
	uint64_t hash; /* XXH3-64 of the content */
	int64_t read_ns; /* CLOCK_REALTIME just before it was read or
			  * last verified */
	uint32_t max_lines; /* the per-file line limit it was read under */
	uint64_t used; /* the compile that last used it */
	void *rec; /* struct pfx (loc = line) or struct cc_rec */
	uint32_t n, cap;
};

#define CACHE_BUCKETS 4096u

struct ixg_conf_cache {
	struct cache_entry *bucket[CACHE_BUCKETS];
	uint64_t compile; /* compiles begun */
	int64_t racy_ns;
	struct ixg_conf_cache_stats st;
	uint32_t sizes[CACHE_SIZES]; /* the last compile's, before dedup */
	struct dedup_memo memo[DEDUP_MEMOS];
};

/* See ixg_conf.h. */
struct ixg_conf_cache *
ixg_conf_cache_new(void)
{
	struct ixg_conf_cache *c = calloc(1, sizeof(*c));

	if (c != NULL)
		c->racy_ns = CACHE_RACY_NS;
	return c;
}

static void
entry_free(struct cache_entry *e)
{
	free(e->rec);
	free(e->path);
	free(e);
}

/* See ixg_conf.h. */
void
ixg_conf_cache_free(struct ixg_conf_cache *c)
{
	if (c == NULL)
		return;
	for (unsigned m = 0; m < DEDUP_MEMOS; m++) {
		free(c->memo[m].v);
		free(c->memo[m].keys);
	}
	for (unsigned b = 0; b < CACHE_BUCKETS; b++)
		while (c->bucket[b] != NULL) {
			struct cache_entry *e = c->bucket[b];

			c->bucket[b] = e->next;
			entry_free(e);
		}
	free(c);
}

/* See ixg_conf.h. */
void
ixg_conf_cache_stats(const struct ixg_conf_cache *c,
		     struct ixg_conf_cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return;
	*out = c->st;
	out->entries = 0;
	out->bytes_held = 0;
	for (unsigned m = 0; m < DEDUP_MEMOS; m++)
		out->bytes_held += c->memo[m].cap_v + c->memo[m].cap_keys;
	for (unsigned b = 0; b < CACHE_BUCKETS; b++)
		for (const struct cache_entry *e = c->bucket[b]; e != NULL;
		     e = e->next) {
			out->entries++;
			out->bytes_held += (uint64_t)e->cap *
					   (e->kind == CK_PREFIX
						    ? sizeof(struct pfx)
						    : sizeof(struct cc_rec));
		}
}

/* See conf_impl.h. */
void
cache_set_racy_ns(struct ixg_conf_cache *c, int64_t ns)
{
	c->racy_ns = ns;
}

/* See conf_impl.h. */
int
cache_forge_identity(struct ixg_conf_cache *c, const char *path)
{
	struct stat sb;
	int n = 0;

	if (stat(path, &sb) < 0)
		return -errno;
	for (unsigned b = 0; b < CACHE_BUCKETS; b++)
		for (struct cache_entry *e = c->bucket[b]; e != NULL;
		     e = e->next) {
			if (strcmp(e->path, path) != 0)
				continue;
			e->dev = sb.st_dev;
			e->ino = sb.st_ino;
			e->size = (int64_t)sb.st_size;
			e->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 +
				      sb.st_mtim.tv_nsec;
			e->ctime_ns = (int64_t)sb.st_ctim.tv_sec * 1000000000 +
				      sb.st_ctim.tv_nsec;
			n++;
		}
	return n;
}

/* See conf_impl.h. */
void
cache_compile_begin(struct ixg_conf_cache *c)
{
	if (c == NULL)
		return;
	c->compile++;
	memset(&c->st, 0, sizeof(c->st));
}

/* See conf_impl.h. */
void
cache_compile_end(struct ixg_conf_cache *c, int complete)
{
	if (c == NULL || !complete)
		return;
	for (unsigned b = 0; b < CACHE_BUCKETS; b++) {
		struct cache_entry **pp = &c->bucket[b];

		while (*pp != NULL) {
			struct cache_entry *e = *pp;

			if (e->used == c->compile) {
				pp = &e->next;
				continue;
			}
			*pp = e->next;
			entry_free(e);
			c->st.dropped++;
		}
	}
}

static unsigned
bucket_of(const char *path, uint8_t kind)
{
	return (unsigned)(XXH3_64bits_withSeed(path, strlen(path), kind) %
			  CACHE_BUCKETS);
}

static struct cache_entry *
find(struct ixg_conf_cache *c, const char *path, uint8_t kind)
{
	for (struct cache_entry *e = c->bucket[bucket_of(path, kind)];
	     e != NULL; e = e->next)
		if (e->kind == kind && strcmp(e->path, path) == 0)
			return e;
	return NULL;
}

static int64_t
ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts_ns(&ts);
}

static int
same_identity(const struct cache_entry *e, const struct stat *st)
{
	return e->dev == st->st_dev && e->ino == st->st_ino &&
	       e->size == (int64_t)st->st_size &&
	       e->mtime_ns == ts_ns(&st->st_mtim) &&
	       e->ctime_ns == ts_ns(&st->st_ctim);
}

static int
stat_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       ts_ns(&a->st_mtim) == ts_ns(&b->st_mtim) &&
	       ts_ns(&a->st_ctim) == ts_ns(&b->st_ctim);
}

static void
set_identity(struct cache_entry *e, const struct stat *st)
{
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = (int64_t)st->st_size;
	e->mtime_ns = ts_ns(&st->st_mtim);
	e->ctime_ns = ts_ns(&st->st_ctim);
}

/* XXH3-64 of the whole file at fd (pread: the offset stays at 0); 0 or
 * -errno. */
static int
hash_fd(int fd, uint64_t *out)
{
	XXH3_state_t *s = XXH3_createState();
	char buf[1 << 16];
	off_t off = 0;
	ssize_t n;
	int rc = 0;

	if (s == NULL)
		return -ENOMEM;
	XXH3_64bits_reset(s);
	while ((n = pread(fd, buf, sizeof(buf), off)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		XXH3_64bits_update(s, buf, (size_t)n);
		off += n;
	}
	*out = XXH3_64bits_digest(s);
	XXH3_freeState(s);
	return rc;
}

/* ---- reading through the cache ---- */

/* A read being recorded: the reader's callbacks go through here. */
struct recorder {
	struct cache_entry *e; /* NULL: not recording (out of memory) */
	pfx_cb pcb;
	country_cb ccb;
	void *ctx;
};

static int
rec_grow(struct recorder *r, size_t elsz)
{
	struct cache_entry *e = r->e;
	void *nv;

	if (e->n < e->cap)
		return 0;
	nv = vec_grow(e->rec, &e->cap, e->n + 1, elsz);
	if (nv == NULL) {
		free(e->rec);
		e->rec = NULL;
		e->n = e->cap = 0;
		r->e = NULL; /* the read goes on, unrecorded */
		return -1;
	}
	e->rec = nv;
	return 0;
}

static int
rec_prefix(void *ctx, const struct pfx *p, uint32_t line)
{
	struct recorder *r = ctx;

	if (r->e != NULL && rec_grow(r, sizeof(struct pfx)) == 0) {
		struct pfx *q = &((struct pfx *)r->e->rec)[r->e->n++];

		*q = *p;
		q->loc = line;
	}
	return r->pcb(r->ctx, p, line);
}

static int
rec_country(void *ctx, const uint8_t addr[16], uint8_t fam, uint8_t len,
	    ixg_cc_t cc)
{
	struct recorder *r = ctx;

	if (r->e != NULL && rec_grow(r, sizeof(struct cc_rec)) == 0) {
		struct cc_rec *q = &((struct cc_rec *)r->e->rec)[r->e->n++];

		memcpy(q->addr, addr, 16);
		q->fam = fam;
		q->len = len;
		q->cc = cc;
	}
	return r->ccb(r->ctx, addr, fam, len, cc);
}

/* The callbacks a read of e's file made, in order. */
static int
replay(const struct cache_entry *e, pfx_cb pcb, country_cb ccb, void *ctx)
{
	int rc;

	if (e->kind == CK_PREFIX) {
		const struct pfx *p = e->rec;

		for (uint32_t i = 0; i < e->n; i++) {
			struct pfx q = p[i];

			q.loc = 0;
			rc = pcb(ctx, &q, p[i].loc);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	for (uint32_t i = 0; i < e->n; i++) {
		const struct cc_rec *q = &((const struct cc_rec *)e->rec)[i];

		rc = ccb(ctx, q->addr, q->fam, q->len, q->cc);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
read_plain(struct conf_load *L, int fd, const char *path, uint8_t kind,
	   pfx_cb pcb, country_cb ccb, void *ctx, struct ixg_diags *d)
{
	if (kind == CK_PREFIX)
		return prefix_fd_read(L, fd, path, pcb, ctx, d);
	return country_fd_read(L, fd, path,
			       kind == CK_COUNTRY_RIR ? CF_RIR : CF_IPLOCDB,
			       ccb, ctx, d);
}

static int
data_file(struct conf_load *L, struct ixg_conf_cache *c, int fd,
	  const struct stat *st, int64_t t_open, const char *path, uint8_t kind,
	  pfx_cb pcb, country_cb ccb, void *ctx, struct ixg_diags *d)
{
	unsigned diags = ixg_diags_errors(d) + ixg_diags_warnings(d);
	struct cache_entry *e, *old;
	struct recorder r;
	XXH3_state_t *hs;
	struct stat after;
	uint64_t h;
	int rc;

	if (c == NULL)
		return read_plain(L, fd, path, kind, pcb, ccb, ctx, d);
	old = find(c, path, kind);
	if (old != NULL && same_identity(old, st) &&
	    old->max_lines <= L->o.max_lines && !load_late(L)) {
		int racy = old->mtime_ns >= old->read_ns - c->racy_ns ||
			   old->ctime_ns >= old->read_ns - c->racy_ns;

		if (!racy || (hash_fd(fd, &h) == 0 && h == old->hash)) {
			/* Unchanged: counted as read (the load's byte
			 * budget), never parsed. */
			L->bytes += (uint64_t)st->st_size;
			old->used = c->compile;
			if (racy) {
				old->read_ns = t_open;
				c->st.verified++;
			}
			c->st.reused++;
			c->st.bytes_reused += (uint64_t)st->st_size;
			return replay(old, pcb, ccb, ctx);
		}
	}
	/* Read and record. */
	c->st.compiled++;
	c->st.bytes_compiled += (uint64_t)st->st_size;
	e = calloc(1, sizeof(*e));
	hs = XXH3_createState();
	if (e == NULL || hs == NULL || (e->path = strdup(path)) == NULL) {
		free(e);
		XXH3_freeState(hs);
		return read_plain(L, fd, path, kind, pcb, ccb, ctx, d);
	}
	XXH3_64bits_reset(hs);
	e->kind = kind;
	r.e = e;
	r.pcb = pcb;
	r.ccb = ccb;
	r.ctx = ctx;
	L->hash = hs;
	rc = read_plain(L, fd, path, kind, rec_prefix, rec_country, &r, d);
	L->hash = NULL;
	e->hash = XXH3_64bits_digest(hs);
	XXH3_freeState(hs);
	/* Kept only if the read was whole and clean, and the file did not
	 * change while it was read. */
	if (rc != 0 || r.e == NULL ||
	    ixg_diags_errors(d) + ixg_diags_warnings(d) != diags ||
	    fstat(fd, &after) < 0 || !stat_same(st, &after)) {
		entry_free(e);
		return rc;
	}
	set_identity(e, st);
	e->read_ns = t_open;
	e->max_lines = L->o.max_lines;
	e->used = c->compile;
	if (old != NULL) {
		/* Replace in place in its chain. */
		struct cache_entry **pp = &c->bucket[bucket_of(path, kind)];

		while (*pp != old)
			pp = &(*pp)->next;
		e->next = old->next;
		*pp = e;
		entry_free(old);
	} else {
		unsigned b = bucket_of(path, kind);

		e->next = c->bucket[b];
		c->bucket[b] = e;
	}
	return rc;
}

/* See conf_impl.h. */
int
cache_prefix_file(struct conf_load *L, struct ixg_conf_cache *c, int fd,
		  const struct stat *st, int64_t t_open, const char *path,
		  pfx_cb cb, void *ctx, struct ixg_diags *d)
{
	return data_file(L, c, fd, st, t_open, path, CK_PREFIX, cb, NULL, ctx,
			 d);
}

/* See conf_impl.h. */
int
cache_country_file(struct conf_load *L, struct ixg_conf_cache *c, int fd,
		   const struct stat *st, int64_t t_open, const char *path,
		   int format, country_cb cb, void *ctx, struct ixg_diags *d)
{
	return data_file(L, c, fd, st, t_open, path,
			 format == CF_RIR ? CK_COUNTRY_RIR : CK_COUNTRY_IPLOCDB,
			 NULL, cb, ctx, d);
}

/* See conf_impl.h. */
void
cache_sizes_get(const struct ixg_conf_cache *c, uint32_t sizes[CACHE_SIZES])
{
	if (c == NULL)
		memset(sizes, 0, CACHE_SIZES * sizeof(*sizes));
	else
		memcpy(sizes, c->sizes, sizeof(c->sizes));
}

/* See conf_impl.h. */
void
cache_sizes_set(struct ixg_conf_cache *c, const uint32_t sizes[CACHE_SIZES])
{
	if (c != NULL)
		memcpy(c->sizes, sizes, sizeof(c->sizes));
}

/* See conf_impl.h. */
struct dedup_memo *
cache_dedup_memo(struct ixg_conf_cache *c, unsigned table)
{
	return c != NULL && table < DEDUP_MEMOS ? &c->memo[table] : NULL;
}

/* See conf_impl.h. */
void
cache_dedup_merged(struct ixg_conf_cache *c)
{
	if (c != NULL)
		c->st.dedup_merged++;
}

/* See conf_impl.h. */
int64_t
cache_now_ns(void)
{
	return now_ns();
}
