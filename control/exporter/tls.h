/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls.h - the exporter's TLS server context (OpenSSL): TLS 1.2 and 1.3, a
 * certificate chain and key, optionally client certificates verified
 * against a CA file (mutual TLS: a client without a valid certificate is
 * refused in the handshake).
 *
 * Reloading builds a whole new SSL_CTX from the files; the caller swaps it
 * in for new connections only (each SSL holds its own reference to the
 * context it was made from, so open connections keep theirs), and keeps
 * the old one if the new files are bad.
 */
#ifndef IXG_TLS_H
#define IXG_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

struct tls_files {
	const char *cert; /* PEM chain: leaf first */
	const char *key; /* PEM private key */
	const char *client_ca; /* NULL: no client certificates asked */
};

/*
 * A server SSL_CTX from the files: TLS 1.2 minimum, no renegotiation,
 * partial writes allowed (non-blocking sockets). The key must match the
 * certificate. Returns the context (the caller owns it: SSL_CTX_free),
 * or NULL with a sentence naming the file and OpenSSL's reason in err.
 * Any thread (reads files).
 */
SSL_CTX *tls_ctx_new(const struct tls_files *f, char *err, size_t errlen);

/* The subject and serial of ctx's certificate, for logs ("CN=x serial
 * 1A2B"). */
void tls_ctx_describe(SSL_CTX *ctx, char *out, size_t outlen);

#endif /* IXG_TLS_H */
