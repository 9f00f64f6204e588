/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sample.c - the consumer side and set-up of the sample ring (sample.h);
 * the producer side is inline in the header, for stage_output.
 */
#include <errno.h>
#include <string.h>

#include "sample.h"

/* Bytes a ring takes. Any thread. */
size_t
sample_ring_memsize(void)
{
	return sizeof(struct sample_ring);
}

/* Empty ring in the caller's memory at r. Returns 0 or -EINVAL. */
int
sample_ring_init(struct sample_ring *r)
{
	if (r == NULL)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->magic = SAMPLE_RING_MAGIC;
	r->version = SAMPLE_RING_VERSION;
	r->size = SAMPLE_RING_SIZE;
	r->record_size = sizeof(struct sample_record);
	atomic_store_explicit(&r->head, 0, memory_order_relaxed);
	atomic_store_explicit(&r->tail, 0, memory_order_release);
	return 0;
}

/* Returns 0 if r has this build's layout, else -EPROTO; -EINVAL if NULL. */
int
sample_ring_check(const struct sample_ring *r)
{
	if (r == NULL)
		return -EINVAL;
	if (r->magic != SAMPLE_RING_MAGIC ||
	    r->version != SAMPLE_RING_VERSION || r->size != SAMPLE_RING_SIZE ||
	    r->record_size != sizeof(struct sample_record))
		return -EPROTO;
	return 0;
}

/* Consumer: oldest record into *out. Returns 0 or -EAGAIN when empty. */
int
sample_ring_pop(struct sample_ring *r, struct sample_record *out)
{
	uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	/* Acquire: the record's bytes written before the producer's release
	 * store of head are visible to us. */
	uint32_t h = atomic_load_explicit(&r->head, memory_order_acquire);

	if (h == t)
		return -EAGAIN;
	memcpy(out, &r->rec[t & (SAMPLE_RING_SIZE - 1)], sizeof(*out));
	/* Release: our copy is done before the producer may reuse the slot. */
	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
	return 0;
}

/* Records waiting. Any thread; a snapshot that may be stale at once. */
uint32_t
sample_ring_count(const struct sample_ring *r)
{
	uint32_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
	uint32_t h = atomic_load_explicit(&r->head, memory_order_acquire);

	return h - t;
}
