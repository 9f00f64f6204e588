/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_sha256.h - the digest of a configuration (conf_sha256.c,
 * libixgconfsha: links OpenSSL's libcrypto).
 */
#ifndef IXG_CONF_SHA256_H
#define IXG_CONF_SHA256_H

#include <stdint.h>
#include <stdio.h>

struct ixg_conf;
struct ixg_conf_opts;
struct ixg_spec;

/* SHA-256 over the bytes of every file c read, in ixg_conf_file() order.
 * 0, or -errno when a file cannot be read again. */
int ixg_conf_sha256(const struct ixg_conf *c, uint8_t out[32]);

/* ixg_conf_load_opts() that also gives the config's digest. */
int ixg_conf_load_sha256(const char *path, const struct ixg_conf_opts *opts,
			 struct ixg_spec *spec, uint8_t sha256[32], FILE *errs);

#endif
