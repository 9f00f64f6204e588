/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_heap.h - map the malloc heap ahead of need. Both daemons keep freed
 * memory on the heap (M_TRIM_THRESHOLD 512 MiB, M_MMAP_THRESHOLD 32 MiB:
 * control/daemon/main.c, dataplane/main.c), so a reload reuses the pages
 * the one before it used; but the first reloads after start-up hold more
 * at once than the start-up did and fault the difference in, page by
 * page (~11 us a fault on the shared 2-vCPU VM: 11.5k faults made the
 * first reload's compile 150 ms instead of 20). Mapping that much once at
 * start-up makes the first reloads like the later ones.
 */
#ifndef IXG_HEAP_H
#define IXG_HEAP_H

#include <stddef.h>

/*
 * Grow the heap by `bytes`, writing every page, and free it again (kept
 * mapped under the settings above). Blocks of 8 MiB (below
 * M_MMAP_THRESHOLD); free blocks already in the heap are taken first
 * (mapped already), so it goes on until the heap grew by `bytes`, handing
 * out at most twice that. What the heap grew by (mallinfo2's arena; 0
 * under an allocator that does not report it, ASan's). Call it where
 * nothing else allocates meanwhile: it holds that memory a moment.
 */
size_t ixg_heap_warm(size_t bytes);

/*
 * The calling thread's minor page faults so far (getrusage
 * RUSAGE_THREAD), for the build logs that say where a step's time went.
 */
long ixg_thread_minflt(void);

#endif /* IXG_HEAP_H */
