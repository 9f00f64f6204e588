/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sample.h - 1-in-N packet sampling (sFlow v5) on the dataplane's side:
 * the producer end of the sample channel (ixg_api.h, "The sample
 * channel"; the consumer end is common/ixg_samples.h), and the channel's
 * life in the dataplane (sample.c).
 *
 * Each worker owns one ring (struct ixg_sample_ring, in the counters
 * region) and reads one cursor (struct ixg_sample_cursor, in the cursors
 * memfd a client may write). stage_sample (sample_stage.c), right after
 * parse and before any stage may rewrite the frame, draws the sampled
 * packets of the burst (1-in-N of the ingress port, geometric skips) and
 * copies each one's frame as received into a reserved record;
 * stage_output completes the records with the pipeline's decision
 * (sample_complete) and publishes them. A record that finds no room is
 * counted (sample_dropped, node and port), never waited for.
 */
#ifndef IXG_SAMPLE_H
#define IXG_SAMPLE_H

#include <stdint.h>

#include "ixg_api.h"
#include "ixg_samples.h"

#define SAMPLE_MASK (IXG_SAMPLE_RING_SIZE - 1u)

/*
 * Producer: the record for index head + k (k records already reserved in
 * this burst), marked as being written, or NULL if the ring has no room
 * for it. The cursor's tail is read (acquire) only when the cached one
 * says the ring may be full, and clamped: a tail that does not fit the
 * ring (head - tail > size: a reader wrote garbage) counts as a full
 * ring. Only r's worker; hot path: no syscall, no lock, no wait.
 */
static inline struct ixg_sample_record *
sample_ring_reserve(struct ixg_sample_ring *r,
		    const struct ixg_sample_cursor *c, uint32_t k)
{
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	uint32_t idx = head + k;
	struct ixg_sample_record *rec;

	if (idx - r->tail_cache >= IXG_SAMPLE_RING_SIZE) {
		/* Acquire: the consumer's copy of a slot is done before we
		 * overwrite it. */
		uint32_t t = __atomic_load_n(&c->tail, __ATOMIC_ACQUIRE);

		if (head - t > IXG_SAMPLE_RING_SIZE)
			t = head - IXG_SAMPLE_RING_SIZE;
		r->tail_cache = t;
		if (idx - t >= IXG_SAMPLE_RING_SIZE)
			return NULL;
	}
	rec = &r->rec[idx & SAMPLE_MASK];
	/* Busy mark, ordered before the record's bytes (seqlock writer). */
	__atomic_store_n(&rec->seq, idx, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return rec;
}

/* Producer: publish the n records reserved from head on (release: each
 * record's bytes before its seq, every seq before the new head). */
static inline void
sample_ring_commit(struct ixg_sample_ring *r, uint32_t n)
{
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);

	for (uint32_t k = 0; k < n; k++)
		__atomic_store_n(&r->rec[(head + k) & SAMPLE_MASK].seq,
				 head + k + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&r->head, head + n, __ATOMIC_RELEASE);
}

struct pipeline_ctx;
struct burst;

/*
 * stage_output's part of sampling: fill the ctx->sample_n records
 * stage_sample reserved for this burst with each packet's fate (verdict,
 * drop reason, egress port and peer, countries, class, rule), publish them
 * and count them (sampled). Worker thread, after the burst's last
 * decision (stage_output and pipeline_tail: after their count, before
 * the dropped mbufs are freed; it reads only b->meta). Defined in
 * sample_stage.c.
 */
void sample_complete(struct pipeline_ctx *ctx, const struct burst *b);

/* ---- the channel's life (sample.c) ------------------------------------- */

struct runtime;

/*
 * Lay the channel out in the counters region (one ring per worker, after
 * struct ixg_ctr_ports), create the cursors memfd (one struct
 * ixg_sample_cursor per worker, zeroed, mapped here, sealed against
 * shrinking and growing) and give every worker's ctx its ring and cursor.
 * Main thread, after counters_create and workers_init, before the workers
 * start. 0 or a negative errno.
 */
int samples_create(struct runtime *rt);

/* Unmap and close the cursors memfd. Main thread, workers stopped. */
void samples_destroy(struct runtime *rt);

/*
 * GET_SAMPLES: make the API client the rings' consumer. Returns its epoch
 * (> 0, also stored in the info) and the cursors memfd to hand it (not
 * owned: the caller sends it and must not close it) in *fd, or a negative
 * errno (-ENOENT: no channel). Main thread.
 */
int64_t samples_attach(struct runtime *rt, int *fd);

/* The API client has gone: the main thread consumes again (frees the
 * rings). Main thread; no-op when no client consumes. */
void samples_detach(struct runtime *rt);

/*
 * While no client consumes, free every ring (tail = head; telemetry's
 * /ixgate/samples peeks the rings, it needs no copy). Main thread, every
 * loop tick. Returns the records freed.
 */
unsigned samples_drain(struct runtime *rt);

#endif /* IXG_SAMPLE_H */
