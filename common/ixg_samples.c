/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_samples.c - the sample channel's layout and its consumer side (see
 * ixg_samples.h and ixg_api.h, "The sample channel").
 *
 * Record reads are seqlocks (Boehm, "Can seqlocks get along with
 * programming language memory models?", 2012): seq with acquire, the
 * copy, an acquire fence, seq again. The producer marks a record busy
 * (seq = its index), fences with release, writes, then stores index + 1
 * with release (dataplane/sample.h).
 */
#include <errno.h>
#include <string.h>

#include "ixg_samples.h"

#define RING_MASK (IXG_SAMPLE_RING_SIZE - 1u)

size_t
ixg_samples_info_offset(unsigned n_blocks)
{
	return (size_t)n_blocks * sizeof(struct ixg_lcore_counters) +
	       sizeof(struct ixg_ctr_ports);
}

size_t
ixg_samples_rings_offset(unsigned n_blocks)
{
	size_t end = ixg_samples_info_offset(n_blocks) +
		     sizeof(struct ixg_samples_info);

	return (end + 63) & ~(size_t)63;
}

size_t
ixg_samples_end(unsigned n_blocks, unsigned n_rings)
{
	return ixg_samples_rings_offset(n_blocks) +
	       (size_t)n_rings * sizeof(struct ixg_sample_ring);
}

void
ixg_sample_ring_init(struct ixg_sample_ring *r)
{
	memset(r, 0, sizeof(*r));
	r->magic = IXG_SAMPLES_MAGIC;
	r->version = IXG_SAMPLES_VERSION;
	r->size = IXG_SAMPLE_RING_SIZE;
	r->record_size = sizeof(struct ixg_sample_record);
	/* Slot i only ever holds indices i + k * size, whose seq is
	 * index + 1: i itself (the "being written" mark of index i) never
	 * matches any of them, so a record never written is never read. */
	for (uint32_t i = 0; i < IXG_SAMPLE_RING_SIZE; i++)
		r->rec[i].seq = i;
	__atomic_store_n(&r->head, 0, __ATOMIC_RELEASE);
}

/* See ixg_samples.h. Dataplane main thread, before the workers. */
int
ixg_samples_layout(void *region, size_t size, unsigned n_blocks,
		   unsigned n_rings)
{
	struct ixg_samples_info *info =
		(void *)((uint8_t *)region + ixg_samples_info_offset(n_blocks));
	uint8_t *rings = (uint8_t *)region + ixg_samples_rings_offset(n_blocks);

	if (ixg_samples_end(n_blocks, n_rings) > size)
		return -ENOSPC;
	memset(info, 0, sizeof(*info));
	for (unsigned i = 0; i < n_rings; i++)
		ixg_sample_ring_init((
			struct ixg_sample_ring
				*)(void *)(rings +
					   i * sizeof(struct ixg_sample_ring)));
	info->version = IXG_SAMPLES_VERSION;
	info->n_rings = n_rings;
	info->ring_size = IXG_SAMPLE_RING_SIZE;
	info->record_size = sizeof(struct ixg_sample_record);
	info->rings_offset = ixg_samples_rings_offset(n_blocks);
	info->ring_stride = sizeof(struct ixg_sample_ring);
	__atomic_store_n(&info->consumer, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&info->magic, IXG_SAMPLES_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

/* See ixg_samples.h. Any thread. */
int
ixg_samples_view(const void *region, size_t size, unsigned n_blocks,
		 struct ixg_samples_view *v)
{
	size_t off = ixg_samples_info_offset(n_blocks);
	const struct ixg_samples_info *info;
	uint64_t end;

	memset(v, 0, sizeof(*v));
	if (region == NULL || n_blocks == 0 || off > size ||
	    size - off < sizeof(*info))
		return -ENOENT;
	info = (const void *)((const uint8_t *)region + off);
	if (__atomic_load_n(&info->magic, __ATOMIC_ACQUIRE) !=
	    IXG_SAMPLES_MAGIC)
		return -ENOENT;
	if (info->version != IXG_SAMPLES_VERSION ||
	    info->ring_size != IXG_SAMPLE_RING_SIZE ||
	    info->record_size != sizeof(struct ixg_sample_record) ||
	    info->ring_stride != sizeof(struct ixg_sample_ring) ||
	    info->rings_offset != ixg_samples_rings_offset(n_blocks) ||
	    info->n_rings > 4096)
		return -EPROTO;
	end = info->rings_offset + (uint64_t)info->n_rings * info->ring_stride;
	if (end > size)
		return -EPROTO;
	for (unsigned i = 0; i < info->n_rings; i++) {
		const struct ixg_sample_ring *r =
			(const void *)((const uint8_t *)region +
				       info->rings_offset +
				       i * info->ring_stride);

		if (r->magic != IXG_SAMPLES_MAGIC ||
		    r->version != IXG_SAMPLES_VERSION ||
		    r->size != IXG_SAMPLE_RING_SIZE ||
		    r->record_size != sizeof(struct ixg_sample_record))
			return -EPROTO;
	}
	v->info = info;
	v->rings = (const uint8_t *)region + info->rings_offset;
	v->stride = info->ring_stride;
	v->n_rings = info->n_rings;
	return 0;
}

const struct ixg_sample_ring *
ixg_samples_ring(const struct ixg_samples_view *v, unsigned i)
{
	if (v == NULL || v->info == NULL || i >= v->n_rings)
		return NULL;
	return (const void *)(v->rings + i * v->stride);
}

uint64_t
ixg_samples_consumer(const struct ixg_samples_view *v)
{
	if (v == NULL || v->info == NULL)
		return 0;
	return __atomic_load_n(&v->info->consumer, __ATOMIC_ACQUIRE);
}

/* Copy rec into out if it held index idx, whole, while copied. */
static int
read_record(const struct ixg_sample_record *rec, uint32_t idx,
	    struct ixg_sample_record *out)
{
	uint32_t s1 = __atomic_load_n(&rec->seq, __ATOMIC_ACQUIRE), s2;

	if (s1 != idx + 1)
		return -ESTALE;
	memcpy(out, rec, sizeof(*out));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	s2 = __atomic_load_n(&rec->seq, __ATOMIC_RELAXED);
	if (s2 != s1)
		return -ESTALE;
	out->seq = s1;
	return 0;
}

/* See ixg_samples.h. The channel's consumer. */
int
ixg_samples_pop(const struct ixg_sample_ring *r, struct ixg_sample_cursor *c,
		struct ixg_sample_record *out)
{
	uint32_t t = __atomic_load_n(&c->tail, __ATOMIC_RELAXED);
	uint32_t h = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	int rc;

	if (h == t)
		return -EAGAIN;
	if (h - t > IXG_SAMPLE_RING_SIZE) {
		__atomic_store_n(&c->tail, h, __ATOMIC_RELEASE);
		return -EAGAIN;
	}
	rc = read_record(&r->rec[t & RING_MASK], t, out);
	/* Release: our copy is done before the producer may reuse the
	 * slot. */
	__atomic_store_n(&c->tail, t + 1, __ATOMIC_RELEASE);
	return rc;
}

uint32_t
ixg_samples_resume(const struct ixg_sample_ring *r, struct ixg_sample_cursor *c)
{
	uint32_t t = __atomic_load_n(&c->tail, __ATOMIC_RELAXED);
	uint32_t h = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

	if (h - t > IXG_SAMPLE_RING_SIZE) {
		__atomic_store_n(&c->tail, h, __ATOMIC_RELEASE);
		return 0;
	}
	return h - t;
}

uint32_t
ixg_samples_discard(const struct ixg_sample_ring *r,
		    struct ixg_sample_cursor *c)
{
	uint32_t t = __atomic_load_n(&c->tail, __ATOMIC_RELAXED);
	uint32_t h = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

	__atomic_store_n(&c->tail, h, __ATOMIC_RELEASE);
	return h - t <= IXG_SAMPLE_RING_SIZE ? h - t : 0;
}

uint32_t
ixg_samples_waiting(const struct ixg_sample_ring *r,
		    const struct ixg_sample_cursor *c)
{
	uint32_t t = __atomic_load_n(&c->tail, __ATOMIC_ACQUIRE);
	uint32_t h = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

	return h - t <= IXG_SAMPLE_RING_SIZE ? h - t : 0;
}

/* See ixg_samples.h. Any reader. */
unsigned
ixg_samples_peek(const struct ixg_sample_ring *r, struct ixg_sample_record *out,
		 unsigned max)
{
	uint32_t h = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	unsigned n = 0;

	for (uint32_t k = 1; k <= IXG_SAMPLE_RING_SIZE && n < max; k++) {
		uint32_t idx = h - k;

		/* A record never written holds a seq no index matches
		 * (ixg_sample_ring_init): it is left out. */
		if (read_record(&r->rec[idx & RING_MASK], idx, &out[n]) == 0)
			n++;
	}
	return n;
}

int
ixg_sample_record_check(const struct ixg_sample_record *rec)
{
	if (rec->verdict < IXG_SAMPLE_FORWARD ||
	    rec->verdict > IXG_SAMPLE_DROP ||
	    rec->hdr_len > IXG_SAMPLE_HDR_MAX ||
	    rec->in_port >= IXG_MAX_PORTS || rec->in_peer >= IXG_MAX_PEERS ||
	    rec->src_country >= IXG_MAX_COUNTRIES ||
	    rec->dst_country >= IXG_MAX_COUNTRIES ||
	    rec->class_id >= IXG_MAX_CLASSES)
		return -EINVAL;
	if (rec->verdict == IXG_SAMPLE_DROP && rec->drop_reason >= IXG_DROP_MAX)
		return -EINVAL;
	if (rec->verdict == IXG_SAMPLE_FORWARD &&
	    (rec->out_port >= IXG_MAX_PORTS || rec->out_peer >= IXG_MAX_PEERS))
		return -EINVAL;
	return 0;
}
