/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf_test_util.h - a throwaway directory of config files for the tests
 * of ixgate-control's config load (test_config.c, test_heap_warm.c,
 * test_config_load_digests.c, test_config_load_reload.c). One place for
 * making it, writing a file into it (in place, or by rename as editors
 * and git checkout leave a file: a new inode) and removing it.
 */
#ifndef IXG_CONF_TEST_UTIL_H
#define IXG_CONF_TEST_UTIL_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* The directory (one per test program). */
static char ctu_dir[PATH_MAX];

/* Make a fresh /tmp/ixg-test-<tag>.XXXXXX as ctu_dir: 0, or -1. */
static inline int
ctu_mkdir(const char *tag)
{
	snprintf(ctu_dir, sizeof(ctu_dir), "/tmp/ixg-test-%s.XXXXXX", tag);
	return mkdtemp(ctu_dir) != NULL ? 0 : -1;
}

/* ctu_dir/name into out (asserted to fit). */
static inline void
ctu_path(char *out, size_t len, const char *name)
{
	int n = snprintf(out, len, "%s/%s", ctu_dir, name);

	assert_true(n >= 0 && (size_t)n < len);
}

/*
 * Write text as ctu_dir/name: in place (the same inode when the file
 * exists) when in_place, else into name.tmp renamed over name.
 */
static inline void
ctu_write_as(const char *name, const char *text, int in_place)
{
	char p[PATH_MAX + 64], tmp[PATH_MAX + 80];
	FILE *f;

	ctu_path(p, sizeof(p), name);
	assert_true((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", p) <
		    sizeof(tmp));
	f = fopen(in_place ? p : tmp, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	if (!in_place)
		assert_int_equal(rename(tmp, p), 0);
}

/* Write text as ctu_dir/name, in place. */
static inline void
ctu_write(const char *name, const char *text)
{
	ctu_write_as(name, text, 1);
}

/* Remove ctu_dir and everything in it: 0, or -1. */
static inline int
ctu_rmdir(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", ctu_dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif /* IXG_CONF_TEST_UTIL_H */
