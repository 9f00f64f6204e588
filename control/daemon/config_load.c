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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "config_load.h"
#include "conf_sha256.h"
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

/* Hash one file into ctx (the config's digest, may be NULL) and into
 * sig->sha256 (its own), with its signature. */
static int
hash_file(EVP_MD_CTX *ctx, const char *path, struct ctl_file_sig *sig)
{
	EVP_MD_CTX *own = EVP_MD_CTX_new();
	char buf[65536];
	unsigned len = 32;
	uint64_t off = 0;
	struct stat sb;
	ssize_t n;
	int fd, rc = 0;

	if (own == NULL)
		return -ENOMEM;
	fd = open_regular(path, &sb);
	if (fd < 0) {
		EVP_MD_CTX_free(own);
		return fd;
	}
	sig_of(&sb, sig);
	if (EVP_DigestInit_ex(own, EVP_sha256(), NULL) != 1)
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
		    EVP_DigestUpdate(own, buf, (size_t)n) != 1)
			rc = -EIO;
	}
	if (rc == 0 && EVP_DigestFinal_ex(own, sig->sha256, &len) != 1)
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

/* Every file's digest and signature, and the config's digest. */
static int
hash_config(const struct ixg_conf *c, uint8_t out[32],
	    struct ctl_file_sig *files, struct ctl_file_sig *dirs)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned i, n = ixg_conf_n_files(c), len = 32;
	struct ctl_file_sig scratch;
	int rc = 0;

	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		rc = -EIO;
	for (i = 0; rc == 0 && i < n; i++) {
		rc = hash_file(ctx, ixg_conf_file(c, i),
			       files != NULL ? &files[i] : &scratch);
		if (rc == 0 && dirs != NULL)
			rc = dir_sig(ixg_conf_file(c, i), &dirs[i]);
	}
	if (rc == 0 && EVP_DigestFinal_ex(ctx, out, &len) != 1)
		rc = -EIO;
	EVP_MD_CTX_free(ctx);
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
	snprintf(buf, len,
		 "%u config file%s parsed, %u data file%s compiled, %u "
		 "reused unread (%u verified by content)",
		 l->parsed, l->parsed == 1 ? "" : "s", l->compiled,
		 l->compiled == 1 ? "" : "s", l->reused, l->verified);
}

/* Load a config (see config_load.h). Any thread. */
int
ctl_config_load(const char *path, const struct ixg_spec *prev,
		struct ctl_config *out, FILE *errs)
{
	return ctl_config_load_cache(path, prev, NULL, out, errs);
}

/* Load a config through a compile cache (see config_load.h). Any
 * thread. */
int
ctl_config_load_cache(const char *path, const struct ixg_spec *prev,
		      struct ixg_conf_cache *cache, struct ctl_config *out,
		      FILE *errs)
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
		if (rc == 0 &&
		    hash_config(c.conf, c.sha256, c.files, c.dirs) < 0) {
			fprintf(errs,
				"%s: error: cannot checksum the files read\n",
				path);
			rc = -1;
		}
		clocks(&w3, &c3);
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
	if (oom) {
		ixg_ids_free(dst);
		return -ENOMEM;
	}
	dst->n_ports = dst->ports != NULL ? src->n_ports : 0;
	dst->n_peers = dst->peers != NULL ? src->n_peers : 0;
	dst->n_classes = dst->classes != NULL ? src->n_classes : 0;
	dst->n_acl_rules = dst->acl_rules != NULL ? src->n_acl_rules : 0;
	dst->n_countries = dst->countries != NULL ? src->n_countries : 0;
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
			rc = hash_file(NULL, s->paths[i], &now);
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
		if (hash_file(NULL, real, &now) < 0 ||
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
