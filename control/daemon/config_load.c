/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config_load.c - loading a config for ixgate-control (see config_load.h):
 * the config library's parse + compile, checksums, signatures of the files
 * read, and what the daemon does with them (compare, copy, confine).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "config_load.h"
#include "conf_sha256.h"
#include "ixg_heap.h"
#include "ixg_conf.h"
#include "ixg_wire.h"

/* Hex of a digest (see config_load.h). Any thread. */
void
ctl_hex(const uint8_t sha[32], char out[65])
{
	static const char hx[] = "0123456789abcdef";
	unsigned i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hx[sha[i] >> 4];
		out[2 * i + 1] = hx[sha[i] & 15];
	}
	out[64] = '\0';
}

static void
sig_of(const struct stat *sb, struct ctl_file_sig *s)
{
	s->dev = sb->st_dev;
	s->ino = sb->st_ino;
	s->size = (int64_t)sb->st_size;
	s->mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 +
		      sb->st_mtim.tv_nsec;
	s->ctime_ns = (int64_t)sb->st_ctim.tv_sec * 1000000000 +
		      sb->st_ctim.tv_nsec;
}

static bool
sig_same(const struct ctl_file_sig *a, const struct ctl_file_sig *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/*
 * Open a config file for reading without ever blocking in open(2) (a FIFO
 * opens at once with O_NONBLOCK) and refuse anything but a regular file.
 * The fd, or a negative errno (-EINVAL: not a regular file).
 */
static int
open_regular(const char *path, struct stat *sb)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return -errno;
	if (fstat(fd, sb) < 0 || !S_ISREG(sb->st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/*
 * Read one file once: into ctx (the config's digest; NULL: none) and its
 * own SHA-256 into own_out (NULL: not computed), with its signature as
 * opened in *sig (whose sha256 is left alone).
 */
static int
hash_file(EVP_MD_CTX *ctx, uint8_t *own_out, const char *path,
	  struct ctl_file_sig *sig)
{
	EVP_MD_CTX *own = NULL;
	uint8_t sha[32];
	char buf[65536];
	unsigned len = 32;
	uint64_t off = 0;
	struct stat sb;
	ssize_t n;
	int fd, rc = 0;

	if (own_out != NULL && (own = EVP_MD_CTX_new()) == NULL)
		return -ENOMEM;
	fd = open_regular(path, &sb);
	if (fd < 0) {
		EVP_MD_CTX_free(own);
		return fd;
	}
	memcpy(sha, sig->sha256, 32);
	sig_of(&sb, sig);
	memcpy(sig->sha256, sha, 32);
	if (own != NULL && EVP_DigestInit_ex(own, EVP_sha256(), NULL) != 1)
		rc = -EIO;
	while (rc == 0 && (n = pread(fd, buf, sizeof(buf), (off_t)off)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		off += (uint64_t)n;
		if ((ctx != NULL &&
		     EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) ||
		    (own != NULL && EVP_DigestUpdate(own, buf, (size_t)n) != 1))
			rc = -EIO;
	}
	if (rc == 0 && own != NULL &&
	    EVP_DigestFinal_ex(own, own_out, &len) != 1)
		rc = -EIO;
	close(fd);
	EVP_MD_CTX_free(own);
	return rc;
}

static int
dir_sig(const char *path, struct ctl_file_sig *sig)
{
	char d[PATH_MAX];
	struct stat sb;

	snprintf(d, sizeof(d), "%s", path);
	if (stat(dirname(d), &sb) < 0)
		return -errno;
	memset(sig, 0, sizeof(*sig));
	sig_of(&sb, sig);
	return 0;
}

/*
 * The digest cache (config_load.h). Per file of the last load: its path,
 * its identity and SHA-256 as hashed, when it was hashed, and the config
 * digest's state just after it (SHA-256 over the contents of that file and
 * every file before it, not finalised).
 *
 * The config's digest is one SHA-256 over the contents of every file in
 * order (conf_sha256.c; the dataplane's --config bootstrap computes the
 * same), so it cannot be put together from per-file digests: a load
 * resumes it from the state saved after the longest run of leading files
 * that did not change, and feeds it the files after that run, each read
 * once (before: every file read twice, once for its own digest). A file
 * that did not change keeps its own digest without being hashed again.
 *
 * Unchanged means the same path at the same place in the list, and the
 * same device, inode, size, modification and change times (ns) as when
 * it was hashed: an edit in place changes the size or the times, a rename
 * over it (editors, `git checkout`) the inode, and the change time moves
 * on every write and cannot be set back by the writer (utimensat sets the
 * modification time only). But times have a granularity (the kernel's
 * coarse clock; 1-2 s on some filesystems), so two writes within one tick
 * of each other can leave every field as it was: like git's racy index
 * and the compile cache (conf/cache.c), a file whose modification or
 * change time is within racy_ns of the moment it was hashed is hashed
 * again rather than trusted. `ixgatectl reload --full` drops the cache.
 */
struct dg_entry {
	char *path;
	struct ctl_file_sig sig; /* identity and own SHA-256 */
	int64_t hashed_ns; /* CLOCK_REALTIME just before it was read */
	EVP_MD_CTX *after; /* the config digest after this file */
};

struct ctl_digests {
	struct dg_entry *e;
	unsigned n;
	int64_t racy_ns;
	unsigned reused; /* the last load's files not read for their own */
	unsigned resumed; /* leading files the config digest skipped */
};

#define DIGEST_RACY_NS (2 * 1000000000ll)

static void
dg_clear(struct ctl_digests *g)
{
	for (unsigned i = 0; i < g->n; i++) {
		free(g->e[i].path);
		EVP_MD_CTX_free(g->e[i].after);
	}
	free(g->e);
	g->e = NULL;
	g->n = 0;
}

/* See config_load.h. */
struct ctl_digests *
ctl_digests_new(void)
{
	struct ctl_digests *g = calloc(1, sizeof(*g));

	if (g != NULL)
		g->racy_ns = DIGEST_RACY_NS;
	return g;
}

/* See config_load.h. */
void
ctl_digests_free(struct ctl_digests *g)
{
	if (g == NULL)
		return;
	dg_clear(g);
	free(g);
}

/* See config_load.h. */
void
ctl_digests_set_racy_ns(struct ctl_digests *g, int64_t ns)
{
	g->racy_ns = ns;
}

/* See config_load.h. */
void
ctl_digests_stats(const struct ctl_digests *g, unsigned *reused,
		  unsigned *resumed)
{
	*reused = g != NULL ? g->reused : 0;
	*resumed = g != NULL ? g->resumed : 0;
}

static int64_t
realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Entry i of the last load, if it is `path` and the file is as it was
 * then (identity, and not racy); its current signature in *now. */
static const struct dg_entry *
dg_trusted(const struct ctl_digests *g, unsigned i, const char *path,
	   struct ctl_file_sig *now)
{
	const struct dg_entry *e;
	struct stat sb;

	if (g == NULL || i >= g->n || strcmp(g->e[i].path, path) != 0)
		return NULL;
	e = &g->e[i];
	if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
		return NULL;
	sig_of(&sb, now);
	if (!sig_same(now, &e->sig) ||
	    e->sig.mtime_ns >= e->hashed_ns - g->racy_ns ||
	    e->sig.ctime_ns >= e->hashed_ns - g->racy_ns)
		return NULL;
	return e;
}

/* Every file's digest and signature, and the config's digest, through
 * the digest cache g (NULL: none; else refilled from this load). */
static int
hash_config(const struct ixg_conf *c, struct ctl_digests *g, uint8_t out[32],
	    struct ctl_file_sig *files, struct ctl_file_sig *dirs)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned i, k = 0, n = ixg_conf_n_files(c), len = 32, reused = 0;
	const struct dg_entry **old = NULL;
	struct ctl_file_sig *now = NULL;
	struct dg_entry *ne = NULL;
	int rc = 0;

	if (ctx == NULL)
		return -ENOMEM;
	if (g != NULL) {
		ne = calloc(n + 1, sizeof(*ne));
		old = calloc(n + 1, sizeof(*old));
		now = calloc(n + 1, sizeof(*now));
		if (ne == NULL || old == NULL || now == NULL)
			rc = -ENOMEM;
	}
	/* Which files are as they were hashed (stat only), and the leading
	 * run of them the digest resumes after. */
	for (i = 0; rc == 0 && g != NULL && i < n; i++) {
		old[i] = dg_trusted(g, i, ixg_conf_file(c, i), &now[i]);
		if (old[i] != NULL && old[i]->after != NULL && k == i)
			k = i + 1;
	}
	if (rc == 0 && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		rc = -EIO;
	if (rc == 0 && k > 0 && EVP_MD_CTX_copy_ex(ctx, old[k - 1]->after) != 1)
		rc = -EIO;
	for (i = 0; rc == 0 && i < n; i++) {
		struct ctl_file_sig scratch,
			*f = files != NULL ? &files[i] : &scratch;
		const char *path = ixg_conf_file(c, i);
		const struct dg_entry *e = old != NULL ? old[i] : NULL;
		int64_t t = realtime_ns();

		memset(f, 0, sizeof(*f));
		if (e != NULL) {
			/* Unchanged: its own digest as it was hashed. */
			memcpy(f->sha256, e->sig.sha256, 32);
			t = e->hashed_ns;
			reused++;
			if (i < k) {
				*f = now[i];
				memcpy(f->sha256, e->sig.sha256, 32);
			} else {
				rc = hash_file(ctx, NULL, path, f);
				/* Replaced since the stat above: its own
				 * digest is of what was read now. */
				if (rc == 0 && !sig_same(f, &now[i])) {
					reused--;
					t = realtime_ns();
					rc = hash_file(NULL, f->sha256, path,
						       f);
				}
			}
		} else {
			rc = hash_file(ctx, f->sha256, path, f);
		}
		f->hashed_ns = t;
		if (rc == 0 && dirs != NULL)
			rc = dir_sig(path, &dirs[i]);
		if (rc == 0 && ne != NULL) {
			ne[i].sig = *f;
			ne[i].hashed_ns = t;
			ne[i].path = strdup(path);
			ne[i].after = EVP_MD_CTX_new();
			if (ne[i].path == NULL || ne[i].after == NULL)
				rc = -ENOMEM;
			else if (EVP_MD_CTX_copy_ex(ne[i].after,
						    i < k ? e->after : ctx) !=
				 1)
				rc = -EIO;
		}
	}
	if (rc == 0 && EVP_DigestFinal_ex(ctx, out, &len) != 1)
		rc = -EIO;
	EVP_MD_CTX_free(ctx);
	free(old);
	free(now);
	if (g != NULL) {
		/* A failed load leaves the cache empty: the next one hashes
		 * every file. */
		dg_clear(g);
		g->reused = rc == 0 ? reused : 0;
		g->resumed = rc == 0 ? k : 0;
		if (rc == 0 && ne != NULL) {
			g->e = ne;
			g->n = n;
		} else if (ne != NULL) {
			for (i = 0; i < n; i++) {
				free(ne[i].path);
				EVP_MD_CTX_free(ne[i].after);
			}
			free(ne);
		}
	}
	return rc;
}

/* SHA-256 over the files of c (see config_load.h). Any thread. */
int
ctl_config_sha256(const struct ixg_conf *c, uint8_t out[32])
{
	return ixg_conf_sha256(c, out);
}

static int
perm_one(const char *path, char *err, size_t errlen)
{
	struct stat sb;

	if (stat(path, &sb) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	/* A sticky directory (/tmp) only lets owners replace their files. */
	if ((sb.st_mode & S_IWOTH) &&
	    !(S_ISDIR(sb.st_mode) && (sb.st_mode & S_ISVTX))) {
		snprintf(err, errlen,
			 "%s is world-writable: anyone could change the "
			 "peering configuration; chmod o-w it",
			 path);
		return -EPERM;
	}
	return 0;
}

/* World-writable check (see config_load.h). Any thread. */
int
ctl_config_perms(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	int rc = perm_one(path, err, errlen);

	if (rc < 0)
		return rc;
	snprintf(dir, sizeof(dir), "%s", path);
	return perm_one(dirname(dir), err, errlen);
}

/* Wall and this thread's CPU time, in ms. */
static void
clocks(double *wall, double *cpu)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	*wall = (double)a.tv_sec * 1e3 + (double)a.tv_nsec / 1e6;
	*cpu = (double)b.tv_sec * 1e3 + (double)b.tv_nsec / 1e6;
}

/* What a load read (see config_load.h). Any thread. */
void
ctl_load_text(const struct ctl_load_stats *l, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "%u config file%s parsed, %u data file%s compiled, "
			 "%u reused unread (%u verified by content)",
			 l->parsed, l->parsed == 1 ? "" : "s", l->compiled,
			 l->compiled == 1 ? "" : "s", l->reused, l->verified);

	if (l->digested && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n,
			 "; digests: %u of %u files unchanged, %u skipped",
			 l->digests_reused, l->parsed + l->compiled + l->reused,
			 l->digests_resumed);
}

/* Load a config (see config_load.h). Any thread. */
int
ctl_config_load(const char *path, const struct ixg_spec *prev,
		struct ctl_config *out, FILE *errs)
{
	return ctl_config_load_cache(path, prev, NULL, NULL, out, errs);
}

/* Load a config through a compile cache (see config_load.h). Any
 * thread. */
int
ctl_config_load_cache(const char *path, const struct ixg_spec *prev,
		      struct ixg_conf_cache *cache, struct ctl_digests *digests,
		      struct ctl_config *out, FILE *errs)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf_cache_stats cs;
	struct ctl_config c;
	char perr[PATH_MAX + 128];
	double w0, c0, w1, c1, w2, c2, w3, c3;
	unsigned i;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	if (d == NULL) {
		fprintf(errs, "%s: out of memory\n", path);
		return -1;
	}
	clocks(&w0, &c0);
	c.conf = ixg_conf_parse_file(path, d);
	clocks(&w1, &c1);
	w2 = w1;
	c2 = c1;
	if (c.conf != NULL) {
		rc = ixg_conf_compile_cache(c.conf, prev, cache, &c.spec, d);
		clocks(&w2, &c2);
		ixg_conf_cache_stats(cache, &cs);
		c.load.parse_ms = w1 - w0;
		c.load.parse_cpu_ms = c1 - c0;
		c.load.compile_ms = w2 - w1;
		c.load.compile_cpu_ms = c2 - c1;
		c.load.compiled = cache != NULL ? cs.compiled : 0;
		c.load.reused = cs.reused;
		c.load.verified = cs.verified;
		c.load.cached = cache != NULL;
	}
	if (c.conf != NULL && rc == 0) {
		rc = 0;
		for (i = 0; i < ixg_conf_n_files(c.conf); i++)
			if (ctl_config_perms(ixg_conf_file(c.conf, i), perr,
					     sizeof(perr)) < 0) {
				fprintf(errs, "%s: error: %s\n", path, perr);
				rc = -1;
			}
		c.n_files = ixg_conf_n_files(c.conf);
		c.files = calloc(c.n_files + 1, sizeof(*c.files));
		c.dirs = calloc(c.n_files + 1, sizeof(*c.dirs));
		if (rc == 0 && (c.files == NULL || c.dirs == NULL)) {
			fprintf(errs, "%s: error: out of memory\n", path);
			rc = -1;
		}
		if (rc == 0 && hash_config(c.conf, digests, c.sha256, c.files,
					   c.dirs) < 0) {
			fprintf(errs,
				"%s: error: cannot checksum the files read\n",
				path);
			rc = -1;
		}
		clocks(&w3, &c3);
		ctl_digests_stats(digests, &c.load.digests_reused,
				  &c.load.digests_resumed);
		c.load.digested = digests != NULL;
		c.load.digest_ms = w3 - w2;
		c.load.digest_cpu_ms = c3 - c2;
		/* Config files: the root and its includes, before the data
		 * files in ixg_conf_file() order. */
		c.load.parsed = ixg_conf_n_config_files(c.conf);
		if (!c.load.cached)
			c.load.compiled = c.n_files - c.load.parsed;
		if (rc < 0) {
			ixg_diags_free(d);
			ixg_spec_free(&c.spec);
			ixg_conf_free(c.conf);
			free(c.files);
			free(c.dirs);
			fprintf(errs, "%s: configuration NOT loaded\n", path);
			return -1;
		}
	}
	ixg_diags_print(d, errs);
	if (rc < 0) {
		fprintf(errs, "%s: %u error%s; configuration NOT loaded\n",
			path, ixg_diags_errors(d),
			ixg_diags_errors(d) == 1 ? "" : "s");
		ixg_conf_free(c.conf);
	} else {
		c.valid = true;
		*out = c;
	}
	ixg_diags_free(d);
	return rc;
}

/* Release a config (see config_load.h). */
void
ctl_config_free(struct ctl_config *c)
{
	if (c->valid) {
		ixg_spec_free(&c->spec);
		ixg_conf_free(c->conf);
	}
	free(c->files);
	free(c->dirs);
	memset(c, 0, sizeof(*c));
}

static void *
dup_array(const void *p, size_t n, size_t size, bool *oom)
{
	void *q;

	if (n == 0 || p == NULL)
		return NULL;
	q = malloc(n * size);
	if (q == NULL) {
		*oom = true;
		return NULL;
	}
	memcpy(q, p, n * size);
	return q;
}

/* The ids a compile keeps (see config_load.h). Any thread. */
int
ctl_spec_ids_copy(const struct ixg_spec *src, struct ixg_spec *dst)
{
	bool oom = false;

	memset(dst, 0, sizeof(*dst));
	dst->ports = dup_array(src->ports, src->n_ports, sizeof(*src->ports),
			       &oom);
	dst->peers = dup_array(src->peers, src->n_peers, sizeof(*src->peers),
			       &oom);
	dst->classes = dup_array(src->classes, src->n_classes,
				 sizeof(*src->classes), &oom);
	dst->acl_rules = dup_array(src->acl_rules, src->n_acl_rules,
				   sizeof(*src->acl_rules), &oom);
	dst->countries = dup_array(src->countries, src->n_countries,
				   sizeof(*src->countries), &oom);
	/* the route blocks' next-hop groups keep their ids (compile.c) */
	dst->nhgroups = dup_array(src->nhgroups, src->n_nhgroups,
				  sizeof(*src->nhgroups), &oom);
	if (oom) {
		ixg_ids_free(dst);
		return -ENOMEM;
	}
	dst->n_ports = dst->ports != NULL ? src->n_ports : 0;
	dst->n_peers = dst->peers != NULL ? src->n_peers : 0;
	dst->n_classes = dst->classes != NULL ? src->n_classes : 0;
	dst->n_acl_rules = dst->acl_rules != NULL ? src->n_acl_rules : 0;
	dst->n_countries = dst->countries != NULL ? src->n_countries : 0;
	dst->n_nhgroups = dst->nhgroups != NULL ? src->n_nhgroups : 0;
	return 0;
}

/* Snapshot of what c was read from (see config_load.h). Loop thread. */
int
ctl_files_snapshot(const struct ctl_config *c, const char *config_path,
		   struct ctl_files_snapshot *out)
{
	unsigned i;

	memset(out, 0, sizeof(*out));
	out->config_path = strdup(config_path);
	out->paths = calloc(c->n_files + 1, sizeof(*out->paths));
	out->files = calloc(c->n_files + 1, sizeof(*out->files));
	out->dirs = calloc(c->n_files + 1, sizeof(*out->dirs));
	if (out->config_path == NULL || out->paths == NULL ||
	    out->files == NULL || out->dirs == NULL)
		goto oom;
	for (i = 0; i < c->n_files; i++) {
		out->paths[i] = strdup(ixg_conf_file(c->conf, i));
		if (out->paths[i] == NULL)
			goto oom;
		out->n = i + 1;
	}
	memcpy(out->files, c->files, c->n_files * sizeof(*c->files));
	memcpy(out->dirs, c->dirs, c->n_files * sizeof(*c->dirs));
	memcpy(out->sha256, c->sha256, 32);
	return 0;
oom:
	ctl_files_snapshot_free(out);
	return -ENOMEM;
}

void
ctl_files_snapshot_free(struct ctl_files_snapshot *s)
{
	for (unsigned i = 0; i < s->n; i++)
		free(s->paths[i]);
	free(s->paths);
	free(s->files);
	free(s->dirs);
	free(s->config_path);
	memset(s, 0, sizeof(*s));
}

/* The files on disk against s (see config_load.h). Any thread. */
enum ctl_files_state
ctl_files_compare(const struct ctl_files_snapshot *s, bool full, char *note,
		  size_t len)
{
	bool dir_changed = false;
	struct ctl_config c;
	struct stat sb;
	unsigned i;
	FILE *null;
	int rc;

	note[0] = '\0';
	for (i = 0; i < s->n; i++) {
		struct ctl_file_sig now;

		if (stat(s->paths[i], &sb) < 0) {
			snprintf(note, len, "%s: %s", s->paths[i],
				 strerror(errno));
			return CTL_FILES_DIFFER;
		}
		sig_of(&sb, &now);
		if (!sig_same(&now, &s->files[i])) {
			rc = hash_file(NULL, now.sha256, s->paths[i], &now);
			if (rc < 0) {
				snprintf(note, len, "%s: %s", s->paths[i],
					 strerror(-rc));
				return CTL_FILES_DIFFER;
			}
			if (memcmp(now.sha256, s->files[i].sha256, 32) != 0) {
				snprintf(note, len, "%s changed", s->paths[i]);
				return CTL_FILES_DIFFER;
			}
		}
		if (dir_sig(s->paths[i], &now) < 0 ||
		    !sig_same(&now, &s->dirs[i]))
			dir_changed = true;
	}
	if (!dir_changed)
		return CTL_FILES_MATCH;
	if (!full)
		return CTL_FILES_UNKNOWN;
	/* A directory changed: only the whole config tells whether a file
	 * was added to (or taken from) what an include reads. */
	null = fopen("/dev/null", "w");
	if (null == NULL)
		return CTL_FILES_UNKNOWN;
	rc = ctl_config_load(s->config_path, NULL, &c, null);
	fclose(null);
	if (rc < 0) {
		snprintf(note, len, "%s does not load (errors)",
			 s->config_path);
		return CTL_FILES_DIFFER;
	}
	rc = memcmp(c.sha256, s->sha256, 32);
	if (rc != 0)
		snprintf(note, len,
			 "the files %s reads differ (a file added or "
			 "removed)",
			 s->config_path);
	ctl_config_free(&c);
	return rc == 0 ? CTL_FILES_MATCH : CTL_FILES_DIFFER;
}

/* mkdir -p with `mode` for what is created. */
static int
mkdirs(const char *path, mode_t mode)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", path);
	for (char *s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int
copy_file(const char *src, const char *dst)
{
	char buf[65536];
	struct stat sb;
	int in = open_regular(src, &sb), out, rc = 0;
	ssize_t n;

	if (in < 0)
		return in;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		   0640);
	if (out < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));

			if (w < 0) {
				if (errno == EINTR)
					continue;
				rc = -errno;
				break;
			}
			off += w;
		}
		if (rc < 0)
			break;
	}
	if (rc == 0 && fsync(out) < 0)
		rc = -errno;
	if (close(out) < 0 && rc == 0)
		rc = -errno;
	close(in);
	return rc;
}

/* Copy a config's files (see config_load.h). Any thread. */
int
ctl_config_copy_files(const struct ctl_config *c, const char *config_path,
		      const char *dst, char *err, size_t errlen)
{
	char root[PATH_MAX], real[PATH_MAX], rel[PATH_MAX * 2],
		target[PATH_MAX * 3], d[PATH_MAX * 3], hex[65];
	size_t rl;
	FILE *sums;
	int rc;

	snprintf(d, sizeof(d), "%s", config_path);
	if (realpath(dirname(d), root) == NULL) {
		snprintf(err, errlen, "%s: %s", config_path, strerror(errno));
		return -1;
	}
	rl = strlen(root);
	rc = mkdirs(dst, 0750);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", dst, strerror(-rc));
		return -1;
	}
	snprintf(target, sizeof(target), "%s/SHA256SUMS", dst);
	sums = fopen(target, "we");
	if (sums == NULL) {
		snprintf(err, errlen, "%s: %s", target, strerror(errno));
		return -1;
	}
	for (unsigned i = 0; i < c->n_files; i++) {
		const char *f = ixg_conf_file(c->conf, i);
		struct ctl_file_sig now;

		if (realpath(f, real) == NULL) {
			fprintf(sums, "# %s: %s\n", f, strerror(errno));
			continue;
		}
		if (strncmp(real, root, rl) == 0 && real[rl] == '/')
			snprintf(rel, sizeof(rel), "%s", real + rl + 1);
		else
			snprintf(rel, sizeof(rel), "_outside%s", real);
		snprintf(target, sizeof(target), "%s/%s", dst, rel);
		snprintf(d, sizeof(d), "%s", target);
		rc = mkdirs(dirname(d), 0750);
		if (rc == 0)
			rc = copy_file(real, target);
		if (rc < 0) {
			snprintf(err, errlen, "copying %s to %s: %s", real,
				 target, strerror(-rc));
			fclose(sums);
			return -1;
		}
		ctl_hex(c->files[i].sha256, hex);
		fprintf(sums, "%s  %s\n", hex, rel);
		if (hash_file(NULL, now.sha256, real, &now) < 0 ||
		    memcmp(now.sha256, c->files[i].sha256, 32) != 0)
			fprintf(sums,
				"# %s changed since it was read: the copy is "
				"of its content now\n",
				rel);
	}
	if (fclose(sums) != 0) {
		snprintf(err, errlen, "%s/SHA256SUMS: %s", dst,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* Confinement of a path (see config_load.h). Any thread. */
int
ctl_path_inside(const char *dir, const char *path, char *resolved)
{
	char rdir[PATH_MAX];
	size_t n;

	if (realpath(dir, rdir) == NULL || realpath(path, resolved) == NULL)
		return -errno;
	n = strlen(rdir);
	if (strcmp(rdir, "/") == 0)
		return 0;
	return strncmp(resolved, rdir, n) == 0 && resolved[n] == '/' ? 0
								     : -EPERM;
}

/* Heap warm-up after the first load (see config_load.h). */
size_t
ctl_config_heap_warm(const struct ctl_config *c,
		     const struct ixg_conf_cache *cache, size_t in_use_before)
{
	const struct ixg_spec *s = &c->spec;
	size_t now = mallinfo2().uordblks, one;
	struct ixg_conf_cache_stats cs;

	ixg_conf_cache_stats(cache, &cs);
	one = now > in_use_before ? now - in_use_before : 0;
	one = one > cs.bytes_held ? one - cs.bytes_held : 0;
	/* The compare step's sorted route and source tables twice: the
	 * install's sorted copy (made after this warm-up, from it) stays as
	 * the next delta's base while a reload sorts the new one; with one
	 * copy counted, reload #2's compare faulted in its sorted routes4
	 * (2,126 pages, 8.3 MB: compare CPU 34-39 ms against 12-16). */
	return ixg_heap_warm(2 * one +
			     2 * (((size_t)s->n_routes4 + s->n_sources4) *
					  sizeof(*s->routes4) +
				  ((size_t)s->n_routes6 + s->n_sources6) *
					  sizeof(*s->routes6)));
}
