/* SPDX-License-Identifier: BSD-3-Clause */
/* The digest cache of ixgate-control's config loading (config_load.h):
 * a load through it gives the same config digest and per-file digests as
 * one without it (the same as ixg_conf_sha256 over the files), whatever
 * changed: the first, a middle or the last file, in place or by rename,
 * a file added to the list; it keeps the digests of files that did not
 * change and skips the leading ones; a same-size edit right after a load
 * (every time stamp possibly in the same tick) is hashed again; a load
 * the compile refuses leaves it as it was. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf_test_util.h"

#include "conf_sha256.h"
#include "ctld.h"
#include "ixg_conf.h"

/* In place (same inode), keeping the modification time of before. */
static void
rewrite_in_place(const char *name, const char *text)
{
	char p[PATH_MAX + 64];
	struct timespec ts[2];
	struct stat sb;
	int fd;

	ctu_path(p, sizeof(p), name);
	assert_int_equal(stat(p, &sb), 0);
	fd = open(p, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, text, strlen(text), 0),
			 (ssize_t)strlen(text));
	ts[0] = sb.st_atim;
	ts[1] = sb.st_mtim;
	assert_int_equal(futimens(fd, ts), 0);
	close(fd);
}

static char *
peer(int i, int asn)
{
	static char buf[512];

	snprintf(buf, sizeof(buf),
		 "peer p%d { asn %d; country VN; port p0; vlan %d; "
		 "mac 02:00:00:00:00:%02x; announce-file \"../p%d.txt\"; }\n",
		 i, asn, 10 + i, 10 + i, i);
	return buf;
}

static void
write_prefixes(int i, const char *third)
{
	char name[32], text[128];

	snprintf(name, sizeof(name), "p%d.txt", i);
	snprintf(text, sizeof(text), "10.%d.%s.0/24\n", i, third);
	ctu_write_as(name, text, 0);
}

static int
setup(void **state)
{
	char name[PATH_MAX + 32];

	(void)state;
	if (ctu_mkdir("digests") < 0)
		return -1;
	ctu_write_as("root.conf",
		     "node { name t; country SG; }\n"
		     "port p0 { device \"net_null0\"; }\n"
		     "include \"peers.d/*.conf\";\n",
		     0);
	ctu_path(name, sizeof(name), "peers.d");
	if (mkdir(name, 0755) < 0)
		return -1;
	for (int i = 1; i <= 4; i++) {
		snprintf(name, 32, "peers.d/p%d.conf", i);
		ctu_write_as(name, peer(i, 64500 + i), 0);
		write_prefixes(i, "0");
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return ctu_rmdir();
}

/* A load through g, checked against one without any cache: the same
 * digest (and that of ixg_conf_sha256), the same per-file digests. */
static void
load_check(struct ctl_digests *g, struct ctl_config *c)
{
	char p[PATH_MAX + 64];
	struct ctl_config ref;
	uint8_t sha[32];

	ctu_path(p, sizeof(p), "root.conf");
	assert_int_equal(ctl_config_load_cache(p, NULL, NULL, g, c, stderr), 0);
	assert_int_equal(ctl_config_load(p, NULL, &ref, stderr), 0);
	assert_memory_equal(c->sha256, ref.sha256, 32);
	assert_int_equal(ixg_conf_sha256(c->conf, sha), 0);
	assert_memory_equal(c->sha256, sha, 32);
	assert_int_equal(c->n_files, ref.n_files);
	for (unsigned i = 0; i < c->n_files; i++) {
		assert_memory_equal(c->files[i].sha256, ref.files[i].sha256,
				    32);
		assert_int_equal(c->files[i].ino, ref.files[i].ino);
		assert_int_equal(c->files[i].size, ref.files[i].size);
		assert_int_equal(c->files[i].ctime_ns, ref.files[i].ctime_ns);
	}
	ctl_config_free(&ref);
}

static unsigned
index_of(const struct ctl_config *c, const char *suffix)
{
	size_t n = strlen(suffix);

	for (unsigned i = 0; i < ixg_conf_n_files(c->conf); i++) {
		const char *f = ixg_conf_file(c->conf, i);
		size_t m = strlen(f);

		if (m >= n && strcmp(f + m - n, suffix) == 0)
			return i;
	}
	fail_msg("%s not among the files read", suffix);
	return 0;
}

/* Trusting identities (racy 0): only changed files are hashed, the digest
 * resumes after the unchanged leading ones, and every result equals the
 * uncached load's. */
static void
test_changed_files_only(void **state)
{
	struct ctl_digests *g = ctl_digests_new();
	struct ctl_config a, b;
	unsigned reused, resumed, n, k;

	(void)state;
	assert_non_null(g);
	ctl_digests_set_racy_ns(g, 0);
	load_check(g, &a);
	n = a.n_files;
	assert_int_equal(n, 9); /* root, 4 includes, 4 prefix files */
	ctl_digests_stats(g, &reused, &resumed);
	assert_int_equal(reused, 0);
	assert_int_equal(a.load.digests_reused, 0);
	assert_true(a.load.digested);

	/* Nothing changed: every digest kept, nothing read. */
	load_check(g, &b);
	assert_memory_equal(a.sha256, b.sha256, 32);
	assert_int_equal(b.load.digests_reused, n);
	assert_int_equal(b.load.digests_resumed, n);
	ctl_config_free(&b);

	/* A middle data file changed: the files before it skipped, it
	 * hashed, the ones after it read for the config digest only. */
	k = index_of(&a, "/p2.txt");
	write_prefixes(2, "1");
	load_check(g, &b);
	assert_memory_not_equal(a.sha256, b.sha256, 32);
	assert_int_equal(b.load.digests_reused, n - 1);
	assert_int_equal(b.load.digests_resumed, k);
	ctl_config_free(&b);

	/* Back as it was: the first digest again. */
	write_prefixes(2, "0");
	load_check(g, &b);
	assert_memory_equal(a.sha256, b.sha256, 32);
	assert_int_equal(b.load.digests_resumed, k);
	ctl_config_free(&b);

	/* The first file (nothing to resume after) and the last. */
	ctu_write_as("root.conf",
		     "node { name t;  country SG; }\n"
		     "port p0 { device \"net_null0\"; }\n"
		     "include \"peers.d/*.conf\";\n",
		     0);
	write_prefixes(4, "7");
	load_check(g, &b);
	assert_int_equal(b.load.digests_reused, n - 2);
	assert_int_equal(b.load.digests_resumed, 0);
	ctl_config_free(&b);

	/* A file added to the list moves the others: still the same as
	 * without the cache. */
	write_prefixes(5, "0");
	ctu_write_as("peers.d/p5.conf", peer(5, 64505), 0);
	load_check(g, &b);
	assert_int_equal(b.n_files, n + 2);
	ctl_config_free(&b);
	ctl_config_free(&a);
	ctl_digests_free(g);
}

/* With the default racy window, a same-size edit in place right after a
 * load, its modification time put back, is still seen. */
static void
test_racy_edit_seen(void **state)
{
	struct ctl_digests *g = ctl_digests_new();
	struct ctl_config a, b;

	(void)state;
	assert_non_null(g);
	load_check(g, &a);
	rewrite_in_place("p3.txt", "10.3.9.0/24\n");
	load_check(g, &b);
	assert_memory_not_equal(a.sha256, b.sha256, 32);
	/* Everything was hashed just now: nothing trusted. */
	assert_int_equal(b.load.digests_reused, 0);
	ctl_config_free(&b);
	ctl_config_free(&a);
	ctl_digests_free(g);
}

/* A load refused by the compile leaves the cache as it was; the next
 * one is right. */
static void
test_failed_load(void **state)
{
	struct ctl_digests *g = ctl_digests_new();
	char p[PATH_MAX + 64];
	struct ctl_config a, b;
	FILE *null = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(g);
	assert_non_null(null);
	ctl_digests_set_racy_ns(g, 0);
	load_check(g, &a);
	ctu_write_as("p1.txt", "10.1.0.0/33\n", 0);
	ctu_path(p, sizeof(p), "root.conf");
	assert_int_equal(ctl_config_load_cache(p, NULL, NULL, g, &b, null), -1);
	write_prefixes(1, "0");
	load_check(g, &b);
	assert_memory_equal(a.sha256, b.sha256, 32);
	/* The refused load stopped before hashing: the cache is the first
	 * load's, and the file rewritten since is hashed again. */
	assert_int_equal(b.load.digests_reused, a.n_files - 1);
	ctl_config_free(&b);
	ctl_config_free(&a);
	ctl_digests_free(g);
	fclose(null);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_changed_files_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_racy_edit_seen, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failed_load, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
