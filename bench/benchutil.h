/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * benchutil.h - clocks and heap size for the bench programs (pipeline,
 * commit, lpm and fib_memory benches), one copy.
 */
#ifndef IXG_BENCHUTIL_H
#define IXG_BENCHUTIL_H

#include <stddef.h>
#include <time.h>

#include <rte_common.h>
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

#endif /* IXG_BENCHUTIL_H */
