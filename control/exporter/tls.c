/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls.c - building the exporter's OpenSSL server context (see tls.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "tls.h"

/* OpenSSL's last error as text (and the queue cleared). */
static void
ssl_reason(char *out, size_t outlen)
{
	unsigned long e = ERR_peek_last_error();

	if (e == 0)
		snprintf(out, outlen, "unknown OpenSSL error");
	else
		ERR_error_string_n(e, out, outlen);
	ERR_clear_error();
}

/* A file we can read, and a regular one (a FIFO would block the
 * exporter thread: refuse it before OpenSSL opens it). */
static int
check_file(const char *what, const char *path, char *err, size_t errlen)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s %s: not a regular file", what, path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* New context (see tls.h). Any thread. */
SSL_CTX *
tls_ctx_new(const struct tls_files *f, char *err, size_t errlen)
{
	char why[256];
	SSL_CTX *ctx;

	ERR_clear_error();
	if (check_file("certificate", f->cert, err, errlen) < 0 ||
	    check_file("key", f->key, err, errlen) < 0 ||
	    (f->client_ca != NULL &&
	     check_file("client CA", f->client_ca, err, errlen) < 0))
		return NULL;
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL) {
		ssl_reason(why, sizeof(why));
		snprintf(err, errlen, "SSL_CTX_new: %s", why);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
					 SSL_OP_CIPHER_SERVER_PREFERENCE |
					 SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
				      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
				      SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_use_certificate_chain_file(ctx, f->cert) != 1) {
		ssl_reason(why, sizeof(why));
		snprintf(err, errlen, "certificate %s: %s", f->cert, why);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, f->key, SSL_FILETYPE_PEM) != 1) {
		ssl_reason(why, sizeof(why));
		snprintf(err, errlen, "key %s: %s", f->key, why);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ssl_reason(why, sizeof(why));
		snprintf(err, errlen,
			 "key %s does not match certificate %s: %s", f->key,
			 f->cert, why);
		goto fail;
	}
	if (f->client_ca != NULL) {
		STACK_OF(X509_NAME) * names;

		if (SSL_CTX_load_verify_locations(ctx, f->client_ca, NULL) !=
		    1) {
			ssl_reason(why, sizeof(why));
			snprintf(err, errlen, "client CA %s: %s", f->client_ca,
				 why);
			goto fail;
		}
		names = SSL_load_client_CA_file(f->client_ca);
		if (names == NULL) {
			ssl_reason(why, sizeof(why));
			snprintf(err, errlen,
				 "client CA %s: no certificate: %s",
				 f->client_ca, why);
			goto fail;
		}
		SSL_CTX_set_client_CA_list(ctx, names);
		/* Mutual TLS: no valid client certificate, no handshake. */
		SSL_CTX_set_verify(
			ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
			NULL);
		SSL_CTX_set_verify_depth(ctx, 8);
	}
	/* Session ids need a context id when client certificates are
	 * verified (else resumption fails the handshake). */
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"ixgate", 6);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* Describe the certificate (see tls.h). Any thread. */
void
tls_ctx_describe(SSL_CTX *ctx, char *out, size_t outlen)
{
	X509 *x = SSL_CTX_get0_certificate(ctx);
	char subj[256] = "?";
	char serial[80] = "?";

	if (x != NULL) {
		ASN1_INTEGER *sn = X509_get_serialNumber(x);
		BIGNUM *bn = sn ? ASN1_INTEGER_to_BN(sn, NULL) : NULL;
		char *h = bn ? BN_bn2hex(bn) : NULL;

		X509_NAME_oneline(X509_get_subject_name(x), subj, sizeof(subj));
		if (h != NULL)
			snprintf(serial, sizeof(serial), "%s", h);
		OPENSSL_free(h);
		BN_free(bn);
	}
	snprintf(out, outlen, "%s serial %s", subj, serial);
}
