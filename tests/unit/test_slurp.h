/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_slurp.h - a whole file as a string, for the unit tests that compare
 * what they print with golden files or read the documentation
 * (test_counters, test_show_golden, test_mkconfig, test_conf_keywords).
 * Include after <cmocka.h>.
 */
#ifndef IXG_TEST_SLURP_H
#define IXG_TEST_SLURP_H

#include <stdio.h>
#include <stdlib.h>

/* The file at path, NUL-terminated, malloc'd; NULL when it cannot be
 * opened (a golden file not written yet). */
static inline char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

#endif
