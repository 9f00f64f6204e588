/* SPDX-License-Identifier: BSD-3-Clause */
/* ixg_heap.c - map the malloc heap ahead of need (ixg_heap.h). */
#include <malloc.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "ixg_heap.h"

/* See ixg_heap.h. */
size_t
ixg_heap_warm(size_t bytes)
{
	enum { BLOCK = 8 << 20, PAGE = 4096 };
	size_t start = mallinfo2().arena, grown = 0;
	unsigned n = 0, max = (unsigned)(bytes / BLOCK) * 2 + 2;
	void **blk = calloc(max, sizeof(*blk));

	if (blk == NULL)
		return 0;
	while (grown < bytes && n < max) {
		volatile char *q = malloc(BLOCK);

		if (q == NULL)
			break;
		/* One write per page maps it (a memset of memory about to be
		 * freed may be optimised away). */
		for (size_t o = 0; o < BLOCK; o += PAGE)
			q[o] = 0;
		blk[n++] = (void *)q;
		grown = mallinfo2().arena - start;
	}
	while (n > 0)
		free(blk[--n]);
	free(blk);
	return grown;
}

/* See ixg_heap.h. */
long
ixg_thread_minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) == 0 ? ru.ru_minflt : 0;
}
