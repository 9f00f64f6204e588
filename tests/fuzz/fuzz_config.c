/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the config library: parse, validate, print, reparse,
 * compile. Properties checked beyond "no crash, no leak, no UB":
 *  - a config that parses prints to text that parses again (fixed point:
 *    the second print equals the first);
 *  - a config with errors yields no config object.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ixg_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
print_to_string(const struct ixg_conf *c, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		abort();
	ixg_conf_print(c, f);
	fclose(f);
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ixg_diags *d = ixg_diags_new();
	struct ixg_conf *c;

	/* Includes would read the fuzzer's file system: keep inputs self
	 * contained by refusing any that mention one. */
	if (memmem(data, size, "include", 7) != NULL ||
	    memmem(data, size, "-file", 5) != NULL ||
	    memmem(data, size, "country-data", 12) != NULL) {
		ixg_diags_free(d);
		return -1;
	}
	c = ixg_conf_parse_string("fuzz.conf", (const char *)data, size, d);
	if (c == NULL) {
		if (ixg_diags_errors(d) == 0)
			abort(); /* refused without saying why */
		ixg_diags_free(d);
		return 0;
	}
	size_t len1, len2;
	char *p1 = print_to_string(c, &len1);
	struct ixg_diags *d2 = ixg_diags_new();
	struct ixg_conf *c2 = ixg_conf_parse_string("print.conf", p1, len1, d2);

	if (c2 == NULL) {
		fprintf(stderr, "canonical print does not parse:\n%s\n", p1);
		ixg_diags_print(d2, stderr);
		abort();
	}
	char *p2 = print_to_string(c2, &len2);
	if (len1 != len2 || memcmp(p1, p2, len1) != 0) {
		fprintf(stderr, "print is not a fixed point:\n%s\n---\n%s\n",
			p1, p2);
		abort();
	}

	struct ixg_spec spec;
	memset(&spec, 0, sizeof(spec));
	if (ixg_conf_compile(c, &spec, d) == 0)
		ixg_spec_free(&spec);

	free(p1);
	free(p2);
	ixg_conf_free(c2);
	ixg_conf_free(c);
	ixg_diags_free(d2);
	ixg_diags_free(d);
	return 0;
}
