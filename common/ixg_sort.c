/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_sort.c - linear-time sort of 64-bit keys (ixg_sort.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ixg_sort.h"

/* Sort (see ixg_sort.h). */
int
ixg_radix_sort64(uint64_t *k, uint64_t *tmp, size_t n)
{
	const unsigned bits = n >= 65536 ? 16 : 8;
	const uint64_t mask = (1u << bits) - 1;
	uint64_t *src = k, *dst = tmp, *t;
	size_t *count;

	if (n < 2)
		return 0;
	count = malloc((mask + 1) * sizeof(*count));
	if (count == NULL)
		return -ENOMEM;
	for (unsigned shift = 0; shift < 64; shift += bits) {
		size_t i, sum = 0;

		memset(count, 0, (mask + 1) * sizeof(*count));
		for (i = 0; i < n; i++)
			count[(src[i] >> shift) & mask]++;
		if (count[(src[0] >> shift) & mask] == n)
			continue; /* one digit: nothing moves */
		for (i = 0; i <= mask; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & mask]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	free(count);
	if (src != k)
		memcpy(k, src, n * sizeof(*k));
	return 0;
}
