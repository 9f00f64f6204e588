/* SPDX-License-Identifier: BSD-3-Clause */
/* The heap warm-up of ixgate-control's start (config_load.h,
 * ixg_heap_warm and ctl_config_heap_warm): the heap grows by what was
 * asked, its pages are mapped (what comes after takes them without a page
 * fault), and after the first load of a config the first two reloads
 * (three configs held at once, as the daemon holds the candidate, the
 * running and the previous one) fault in almost nothing. Under an
 * allocator that does not report mallinfo2's arena (ASan's) the tests are
 * skipped. */
#include <limits.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf_test_util.h"

#include "ctld.h"
#include "ixg_heap.h"
#include "ixg_conf.h"

#define MIB (1u << 20)
#define PAGE 4096u

static long
minflt(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_minflt;
}

/* What ixgate-control sets (control/daemon/main.c). */
static void
heap_like_daemon(void)
{
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
}

static bool
arena_reported(void)
{
	void *p = malloc(64);
	bool yes = mallinfo2().arena > 0;

	free(p);
	return yes;
}

/* Touch n bytes in blocks of 4 MiB; the page faults it took. */
static long
touch(size_t n)
{
	enum { B = 4 << 20 };
	char *blk[64];
	unsigned k = 0;
	long f0 = minflt();

	assert_true(n / B <= 64);
	for (size_t got = 0; got < n; got += B) {
		blk[k] = malloc(B);
		assert_non_null(blk[k]);
		for (size_t o = 0; o < B; o += PAGE)
			((volatile char *)blk[k])[o] = 1;
		k++;
	}
	f0 = minflt() - f0;
	while (k > 0)
		free(blk[--k]);
	return f0;
}

static void
test_warm_maps_pages(void **state)
{
	size_t grown;

	(void)state;
	if (!arena_reported())
		skip();
	heap_like_daemon();
	grown = ixg_heap_warm(48 * MIB);
	assert_true(grown >= 48 * MIB);
	/* 40 MiB is 10,240 pages: mapped by the warm-up, a few left at
	 * most (malloc's own headers at the block edges). */
	assert_true(touch(40 * MIB) < 64);
	assert_int_equal(ixg_heap_warm(0), 0);
}

/* A config of 4 peers with 20,000 IPv4 prefixes each. */
static void
write_config(void)
{
	char p[PATH_MAX + 64], peer[512];
	FILE *f;

	assert_int_equal(ctu_mkdir("heap-warm"), 0);
	ctu_write("root.conf", "node { name t; country SG; }\n"
			       "port p0 { device \"net_null0\"; }\n"
			       "include \"p*.conf\";\n");
	for (int i = 1; i <= 4; i++) {
		snprintf(peer, sizeof(peer),
			 "peer p%d { asn %d; country VN; port p0; vlan %d; "
			 "mac 02:00:00:00:00:%02x; announce-file "
			 "\"p%d.txt\"; }\n",
			 i, 64500 + i, 10 + i, 10 + i, i);
		snprintf(p, sizeof(p), "p%d.conf", i);
		ctu_write(p, peer);
		snprintf(p, sizeof(p), "%s/p%d.txt", ctu_dir, i);
		f = fopen(p, "w");
		assert_non_null(f);
		for (int k = 0; k < 20000; k++)
			fprintf(f, "%d.%d.%d.0/24\n", 10 + i, k >> 8, k & 255);
		fclose(f);
	}
}

static void
test_first_reloads_warm(void **state)
{
	struct ixg_conf_cache *cache;
	struct ctl_digests *g;
	struct ctl_config c[3];
	char root[PATH_MAX + 16];
	size_t before, one;
	long f;

	(void)state;
	if (!arena_reported())
		skip();
	heap_like_daemon();
	write_config();
	ctu_path(root, sizeof(root), "root.conf");
	cache = ixg_conf_cache_new();
	g = ctl_digests_new();
	assert_non_null(cache);
	assert_non_null(g);
	/* As the daemon starts: the first load, then the warm-up. */
	before = mallinfo2().uordblks;
	assert_int_equal(
		ctl_config_load_cache(root, NULL, cache, g, &c[0], stderr), 0);
	one = mallinfo2().uordblks - before;
	assert_true(ctl_config_heap_warm(&c[0], cache, before) >= one / 2);
	/* Two reloads, each config kept: three held at once. */
	f = minflt();
	for (int i = 1; i <= 2; i++) {
		ctu_write("p1.txt",
			  i == 1 ? "11.200.0.0/24\n" : "11.201.0.0/24\n");
		assert_int_equal(ctl_config_load_cache(root, &c[i - 1].spec,
						       cache, g, &c[i], stderr),
				 0);
	}
	f = minflt() - f;
	/* Without the warm-up: one config's pages each (~1,000 here); with
	 * it, the few the reloads' own reads take. */
	assert_true((size_t)f * PAGE * 8 < one);
	for (int i = 0; i < 3; i++)
		ctl_config_free(&c[i]);
	ctl_digests_free(g);
	ixg_conf_cache_free(cache);
	assert_int_equal(ctu_rmdir(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* First: a heap no earlier test grew. */
		cmocka_unit_test(test_first_reloads_warm),
		cmocka_unit_test(test_warm_maps_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
