/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mono.h - CLOCK_MONOTONIC in nanoseconds, for the control thread's build
 * and publish timings (tables.c, fibrec.c, runtime.c) and the API's idle
 * timeout. Not for workers: they use the TSC.
 */
#ifndef IXG_MONO_H
#define IXG_MONO_H

#include <stdint.h>
#include <time.h>

static inline uint64_t
ixg_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif /* IXG_MONO_H */
