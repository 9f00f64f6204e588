/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sample.h - the per-worker ring of packet samples (node.sample_rate, 1 in
 * N received packets) that the sFlow v5 exporter of the control plane will
 * drain.
 *
 * One worker produces, one reader consumes: a single-producer single-
 * consumer ring with free-running 32-bit indices and C11 acquire/release
 * atomics, no lock. The ring is plain data with no pointer inside, so it can
 * live in a shared memory region that another process maps read-write (the
 * consumer writes `tail`). A full ring drops the new sample; the producer
 * counts that (ixg_lcore_counters.sample_dropped).
 *
 * Plain C11: no DPDK, so the control plane can include it.
 */
#ifndef IXG_SAMPLE_H
#define IXG_SAMPLE_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define SAMPLE_RING_SIZE 1024 /* records, a power of two */
#define SAMPLE_HDR_MAX 128 /* bytes of each sampled frame kept */
#define SAMPLE_RING_MAGIC 0x73677869u /* "ixgs" little-endian */
#define SAMPLE_RING_VERSION 1

/* What became of the sampled packet (same values as enum verdict). */
enum sample_verdict {
	SAMPLE_FORWARD = 1,
	SAMPLE_LOCAL = 2,
	SAMPLE_DROP = 3,
};

/*
 * 1: hdr[] is the frame as the node sent it (forwarded: MACs, VLAN tags and
 * TTL already rewritten; local: the answer built in place). 0: the frame as
 * received (dropped packets).
 */
#define SAMPLE_F_HDR_TX 0x01

/* One sample: a summary of the packet's fate and its first bytes. */
struct sample_record {
	uint64_t tsc; /* the worker's TSC at the burst */
	int64_t unix_s; /* wall clock seconds at the burst */
	uint32_t rx_len; /* frame length as received */
	uint32_t rate; /* the 1-in-N rate the sample was drawn at */
	uint32_t acl_rule; /* matching ACL rule id, 0 if none */
	uint16_t in_port, out_port; /* out_port valid if SAMPLE_FORWARD */
	uint16_t in_peer, out_peer; /* 0 if none */
	uint16_t src_country, dst_country;
	uint16_t class_id;
	uint8_t verdict; /* enum sample_verdict */
	uint8_t drop_reason; /* enum ixg_drop_reason if SAMPLE_DROP */
	uint8_t flags; /* SAMPLE_F_* */
	uint8_t hdr_len; /* bytes valid in hdr, <= SAMPLE_HDR_MAX */
	uint8_t _pad[18];
	uint8_t hdr[SAMPLE_HDR_MAX];
};

_Static_assert(sizeof(struct sample_record) == 64 + SAMPLE_HDR_MAX,
	       "sample_record: one cache line of summary, then the header");
_Static_assert((SAMPLE_RING_SIZE & (SAMPLE_RING_SIZE - 1)) == 0,
	       "sample ring size must be a power of two");
_Static_assert(SAMPLE_HDR_MAX <= UINT8_MAX, "hdr_len is 8 bits");

struct sample_ring {
	/* Written once by sample_ring_init, then read-only. */
	uint32_t magic; /* SAMPLE_RING_MAGIC */
	uint32_t version; /* SAMPLE_RING_VERSION */
	uint32_t size; /* SAMPLE_RING_SIZE */
	uint32_t record_size; /* sizeof(struct sample_record) */

	/* Producer's line: the next record to write, and its last view of
	 * tail (saves reading the consumer's line while there is room). */
	alignas(64) _Atomic uint32_t head;
	uint32_t tail_cache;

	/* Consumer's line: the next record to read. */
	alignas(64) _Atomic uint32_t tail;

	alignas(64) struct sample_record rec[SAMPLE_RING_SIZE];
};

/* Bytes a ring takes (to size a shared memory region). Any thread. */
size_t sample_ring_memsize(void);

/*
 * Make the `sample_ring_memsize()` bytes at r an empty ring. The memory is
 * the caller's (rte_zmalloc, a shared mapping, static). Returns 0, or
 * -EINVAL if r is NULL. Call before any producer or consumer uses it.
 */
int sample_ring_init(struct sample_ring *r);

/*
 * Check that r looks like a ring of this layout (magic, version, sizes), for
 * a reader mapping one made by another process. Returns 0 or -EPROTO
 * (-EINVAL if r is NULL). Any thread.
 */
int sample_ring_check(const struct sample_ring *r);

/*
 * Consumer: copy the oldest record into *out and free its slot. Returns 0,
 * or -EAGAIN if the ring is empty. Only the one consumer thread.
 */
int sample_ring_pop(struct sample_ring *r, struct sample_record *out);

/* Records waiting to be read (a snapshot). Any thread. */
uint32_t sample_ring_count(const struct sample_ring *r);

/*
 * Producer: the slot to fill next, or NULL if the ring is full. The record
 * is not visible to the consumer until sample_ring_commit(). Only the one
 * producer (the worker owning the ring); hot path: no syscall, no lock.
 */
static inline struct sample_record *
sample_ring_reserve(struct sample_ring *r)
{
	uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);

	if (h - r->tail_cache >= SAMPLE_RING_SIZE) {
		/* Acquire: the consumer's reads of the slot are done before
		 * we overwrite it. */
		r->tail_cache = atomic_load_explicit(&r->tail,
						     memory_order_acquire);
		if (h - r->tail_cache >= SAMPLE_RING_SIZE)
			return NULL;
	}
	return &r->rec[h & (SAMPLE_RING_SIZE - 1)];
}

/* Producer: publish the record sample_ring_reserve() returned (release: the
 * record's bytes are visible before the new head). */
static inline void
sample_ring_commit(struct sample_ring *r)
{
	uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);

	atomic_store_explicit(&r->head, h + 1, memory_order_release);
}

#endif /* IXG_SAMPLE_H */
