/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config.c - loading a config for ixgate-control: the config library's
 * parse + compile (ids kept from the running spec), a SHA-256 over every
 * file read, and the world-writable check.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ctld.h"

/* Hex of a digest (see ctld.h). Any thread. */
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

static int
hash_file(EVP_MD_CTX *ctx, const char *path)
{
	char buf[65536];
	ssize_t n;
	uint64_t off = 0;
	int rc, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = pread(fd, buf, sizeof(buf), (off_t)off)) > 0) {
		off += (uint64_t)n;
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			close(fd);
			return -EIO;
		}
	}
	rc = n < 0 ? -errno : 0;
	close(fd);
	return rc;
}

/* SHA-256 over the files of c (see ctld.h). Any thread. */
int
ctl_config_sha256(const struct ixg_conf *c, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned i, n = ixg_conf_n_files(c), len = 32;
	int rc = 0;

	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		rc = -EIO;
	for (i = 0; rc == 0 && i < n; i++)
		rc = hash_file(ctx, ixg_conf_file(c, i));
	if (rc == 0 && EVP_DigestFinal_ex(ctx, out, &len) != 1)
		rc = -EIO;
	EVP_MD_CTX_free(ctx);
	return rc;
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

/* World-writable check (see ctld.h). Any thread. */
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

/* Load a config (see ctld.h). Loop thread. */
int
ctl_config_load(const char *path, const struct ixg_spec *prev,
		struct ctl_config *out, FILE *errs)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ctl_config c;
	char perr[PATH_MAX + 128];
	unsigned i;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	if (d == NULL) {
		fprintf(errs, "%s: out of memory\n", path);
		return -1;
	}
	c.conf = ixg_conf_parse_file(path, d);
	if (c.conf != NULL &&
	    ixg_conf_compile_prev(c.conf, prev, &c.spec, d) == 0) {
		rc = 0;
		for (i = 0; i < ixg_conf_n_files(c.conf); i++)
			if (ctl_config_perms(ixg_conf_file(c.conf, i), perr,
					     sizeof(perr)) < 0) {
				fprintf(errs, "%s: error: %s\n", path, perr);
				rc = -1;
			}
		if (rc == 0 && ctl_config_sha256(c.conf, c.sha256) < 0) {
			fprintf(errs,
				"%s: error: cannot checksum the files read\n",
				path);
			rc = -1;
		}
		if (rc < 0) {
			ixg_diags_free(d);
			ixg_spec_free(&c.spec);
			ixg_conf_free(c.conf);
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

/* Release a config (see ctld.h). */
void
ctl_config_free(struct ctl_config *c)
{
	if (c->valid) {
		ixg_spec_free(&c->spec);
		ixg_conf_free(c->conf);
	}
	memset(c, 0, sizeof(*c));
}
