/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_sha256.c - the digest that names a configuration: SHA-256 over the
 * bytes of every file the load read, in ixg_conf_file() order (main file,
 * includes, announce files, country data). ixgate-control audits and
 * compares configurations by it; ixgate-dataplane reports it for its
 * --config bootstrap so that a control plane starting on the same files
 * adopts the running tables instead of committing them again.
 *
 * Its own library (libixgconfsha) so that libixgconf stays free of OpenSSL.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ixg_conf.h"
#include "conf_sha256.h"

static int
digest_file(EVP_MD_CTX *ctx, const char *path)
{
	char buf[65536];
	struct stat sb;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	int rc = 0;

	if (fd < 0)
		return -errno;
	/* The load refused anything else; a file swapped for a FIFO since
	 * then must not block the caller. */
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			rc = -EIO;
			break;
		}
	}
	close(fd);
	return rc;
}

/* See conf_sha256.h. Any thread. */
int
ixg_conf_sha256(const struct ixg_conf *c, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned i, n = ixg_conf_n_files(c), len = 32;
	int rc = 0;

	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		rc = -EIO;
	for (i = 0; rc == 0 && i < n; i++)
		rc = digest_file(ctx, ixg_conf_file(c, i));
	if (rc == 0 && EVP_DigestFinal_ex(ctx, out, &len) != 1)
		rc = -EIO;
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* See conf_sha256.h. Any thread. */
int
ixg_conf_load_sha256(const char *path, const struct ixg_conf_opts *opts,
		     struct ixg_spec *spec, uint8_t sha256[32], FILE *errs)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c;
	struct ixg_spec s;
	int rc = -1;

	if (d == NULL) {
		fprintf(errs, "%s: out of memory\n", path);
		return -1;
	}
	c = ixg_conf_parse_file_opts(path, opts, d);
	if (c != NULL && ixg_conf_compile(c, &s, d) == 0) {
		if (ixg_conf_sha256(c, sha256) == 0) {
			*spec = s;
			rc = 0;
		} else {
			fprintf(errs,
				"%s: cannot read the files again for "
				"their digest\n",
				path);
			ixg_spec_free(&s);
		}
	}
	ixg_diags_print(d, errs);
	if (rc < 0 && ixg_diags_errors(d) > 0)
		fprintf(errs, "%s: %u error%s; configuration NOT loaded\n",
			path, ixg_diags_errors(d),
			ixg_diags_errors(d) == 1 ? "" : "s");
	ixg_conf_free(c);
	ixg_diags_free(d);
	return rc;
}
