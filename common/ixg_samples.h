/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ixg_samples.h - the sample channel of ixg_api.h ("The sample channel")
 * as both processes use it: where it sits in the counters region, and the
 * consumer's side (pop, resume, discard, peek). The producer's side is the
 * dataplane's (dataplane/sample.h): it is inline in the workers.
 *
 * A reader never trusts what it maps: the layout is checked against the
 * region's size before anything is read, indices are masked, and a record
 * is used only if its seq says it was whole while it was copied.
 *
 * Plain C11 atomics (GCC builtins), no DPDK.
 */
#ifndef IXG_SAMPLES_H
#define IXG_SAMPLES_H

#include <stddef.h>
#include <stdint.h>

#include "ixg_api.h"

/* Where the channel is in a counters region of n_blocks blocks: its info
 * right after struct ixg_ctr_ports, its rings from the next 64-byte
 * boundary. ixg_samples_end is the region's size needed for n_rings. */
size_t ixg_samples_info_offset(unsigned n_blocks);
size_t ixg_samples_rings_offset(unsigned n_blocks);
size_t ixg_samples_end(unsigned n_blocks, unsigned n_rings);

/*
 * Dataplane, before any worker runs: write the info and n_rings empty
 * rings into `region` (size bytes, n_blocks counter blocks), magic last
 * with a release store. 0, or -ENOSPC if the region is too small for them.
 */
int ixg_samples_layout(void *region, size_t size, unsigned n_blocks,
		       unsigned n_rings);

/* Empty ring at r: magic, sizes, head 0, no record readable. */
void ixg_sample_ring_init(struct ixg_sample_ring *r);

/* A reader's view of the channel in a mapped region. */
struct ixg_samples_view {
	const struct ixg_samples_info *info;
	const uint8_t *rings; /* ring 0 */
	uint64_t stride;
	unsigned n_rings;
};

/*
 * Find the channel in a mapped counters region of `size` bytes with
 * n_blocks counter blocks and check its layout: 0 and *v; -ENOENT when the
 * region has no channel (yet); -EPROTO when it is another layout or does
 * not fit in the region. Any thread.
 */
int ixg_samples_view(const void *region, size_t size, unsigned n_blocks,
		     struct ixg_samples_view *v);

/* Ring i of a checked view, NULL past n_rings. */
const struct ixg_sample_ring *ixg_samples_ring(const struct ixg_samples_view *v,
					       unsigned i);

/* The consumer epoch in the info (0: the dataplane frees the rings). */
uint64_t ixg_samples_consumer(const struct ixg_samples_view *v);

/*
 * Consumer: copy the oldest record of r into *out and advance c->tail.
 * 0: *out is a whole record (not yet checked: ixg_sample_record_check);
 * -EAGAIN: nothing to read; -ESTALE: the record at tail was being
 * rewritten while copied (another reader moved the cursor): skipped, tail
 * advanced. A cursor that does not fit the ring (head - tail > size) is
 * set to head first (-EAGAIN). Only the channel's one consumer.
 */
int ixg_samples_pop(const struct ixg_sample_ring *r,
		    struct ixg_sample_cursor *c, struct ixg_sample_record *out);

/*
 * Consumer taking over a ring (a new consumer, or one whose cursor may
 * have been written by someone else): keep the cursor if it fits the ring,
 * else set it to head. Returns the records waiting.
 */
uint32_t ixg_samples_resume(const struct ixg_sample_ring *r,
			    struct ixg_sample_cursor *c);

/* Consumer: drop everything waiting (tail = head). Returns how many. */
uint32_t ixg_samples_discard(const struct ixg_sample_ring *r,
			     struct ixg_sample_cursor *c);

/* Records waiting in r for cursor c (0 when the cursor does not fit). */
uint32_t ixg_samples_waiting(const struct ixg_sample_ring *r,
			     const struct ixg_sample_cursor *c);

/*
 * Any reader, without consuming: copy the newest whole records of r, up to
 * max, newest first, into out. Returns how many (records being written
 * or never written are left out). Safe beside the producer and the
 * consumer.
 */
unsigned ixg_samples_peek(const struct ixg_sample_ring *r,
			  struct ixg_sample_record *out, unsigned max);

/*
 * Whether a record's fields are in range for a consumer to use them as
 * indices: verdict, drop reason, hdr_len, ports, peers, countries. 0, or
 * -EINVAL. Any thread.
 */
int ixg_sample_record_check(const struct ixg_sample_record *rec);

#endif /* IXG_SAMPLES_H */
