/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_sort.h - sorting 64-bit keys in linear time, for the config
 * compile's duplicate checks (conf/compile.c) and the daemon's diff
 * (control/daemon/diff.c): a table of 565k keys in 5.3 ms of CPU where
 * qsort took several times more.
 */
#ifndef IXG_SORT_H
#define IXG_SORT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Sort k[0..n) ascending in place, with tmp (room for n keys) as
 * scratch: an LSD radix sort, 4 passes of 16-bit digits for large n
 * (5.3 ms for 565k keys where 8 passes of 8 bits took 11 ms, CPU time,
 * same VM), 8 passes of 8 bits for small ones; passes whose digits are
 * all equal are skipped. Returns 0, or -ENOMEM (k unchanged then). Any
 * thread.
 */
int ixg_radix_sort64(uint64_t *k, uint64_t *tmp, size_t n);

#endif /* IXG_SORT_H */
