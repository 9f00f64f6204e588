/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fib_memory.c - what an empty rte_fib / rte_fib6 costs in DPDK memory as a
 * function of max_routes (bench/README-memory.md): the growth of the
 * rte_malloc heap across rte_fib_create(), for 16, 100k and 1M routes.
 *
 *   build/bench/fib_memory [-- EAL args]
 */
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_malloc.h>

#include "benchutil.h"

static void
report(const char *what, int max_routes, size_t bytes)
{
	/* both kinds have a 2^24-entry first level of 4-byte next hops */
	double base = (double)(1u << 24) * 4;

	printf("%s max_routes %7d: %7.1f MiB, %4.0f B per route beyond the "
	       "64 MiB first level\n",
	       what, max_routes, (double)bytes / (1 << 20),
	       ((double)bytes - base) / max_routes);
}

int
main(int argc, char **argv)
{
	char *def[] = {argv[0],
		       "--no-huge",
		       "-m",
		       "2048",
		       "--no-shconf",
		       "--no-pci",
		       "--no-telemetry",
		       "-l",
		       "0",
		       "--log-level=*:error",
		       NULL};
	static const int mr[] = {16, 100000, 1000000};
	int split;

	split = bench_eal_split(argc, argv);
	if (bench_eal_init(argc, argv, split, def) < 0)
		return 1;
	for (unsigned i = 0; i < 3; i++) {
		struct rte_fib_conf c = {
			.type = RTE_FIB_DIR24_8,
			.max_routes = mr[i],
			.dir24_8 = {.nh_sz = RTE_FIB_DIR24_8_4B,
				    .num_tbl8 = 16},
		};
		char name[32];
		size_t h = bench_heap_bytes();
		struct rte_fib *f;

		snprintf(name, sizeof(name), "m4_%u", i);
		f = rte_fib_create(name, SOCKET_ID_ANY, &c);
		if (f == NULL)
			return 1;
		report("rte_fib  DIR24_8", mr[i], bench_heap_bytes() - h);
		rte_fib_free(f);
	}
	for (unsigned i = 0; i < 3; i++) {
		struct rte_fib6_conf c = {
			.type = RTE_FIB6_TRIE,
			.max_routes = mr[i],
			.trie = {.nh_sz = RTE_FIB6_TRIE_4B, .num_tbl8 = 16},
		};
		char name[32];
		size_t h = bench_heap_bytes();
		struct rte_fib6 *f;

		snprintf(name, sizeof(name), "m6_%u", i);
		f = rte_fib6_create(name, SOCKET_ID_ANY, &c);
		if (f == NULL)
			return 1;
		report("rte_fib6 TRIE   ", mr[i], bench_heap_bytes() - h);
		rte_fib6_free(f);
	}
	rte_eal_cleanup();
	return 0;
}
