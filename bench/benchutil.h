/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * benchutil.h - clocks, heap size and EAL start-up for the bench programs
 * (pipeline, commit, lpm and fib_memory benches), one copy.
 */
#ifndef IXG_BENCHUTIL_H
#define IXG_BENCHUTIL_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

/* Wall clock, milliseconds (monotonic). */
static inline double
bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU time of this thread, milliseconds: on a shared VM, time slices lost
 * to other jobs count in bench_now_ms() but not here. */
static inline double
bench_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Bytes allocated from the rte_malloc heap, all sockets (the size of a
 * table is the growth across its creation: rte_fib does not say). */
static inline size_t
bench_heap_bytes(void)
{
	struct rte_malloc_socket_stats st;
	size_t sum = 0;

	for (int s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (rte_malloc_get_socket_stats(s, &st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

/* Index of the first "--" in argv (the bench's options end there, EAL's
 * begin), or argc when there is none. */
static inline int
bench_eal_split(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			return i;
	return argc;
}

/*
 * rte_eal_init with what follows "--" at argv[split] (argv[0] standing in
 * for it as the program name), or with def (NULL-terminated) when the
 * command line has no "--". 0, or -1 after saying why on stderr.
 */
static inline int
bench_eal_init(int argc, char **argv, int split, char **def)
{
	int rc, n = 0;

	if (split < argc) {
		argv[split] = argv[0];
		rc = rte_eal_init(argc - split, &argv[split]);
	} else {
		while (def[n] != NULL)
			n++;
		rc = rte_eal_init(n, def);
	}
	if (rc < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

#endif /* IXG_BENCHUTIL_H */
