/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * live_stats.h - the measuring side of ixgate-gen, plain C with no DPDK so
 * the unit tests run it without EAL: the per-packet signature (encode,
 * decode, RFC 1624 checksum fix-up), the per-stream sequence accounting
 * (loss, reordering, duplicates), the log-linear latency histogram with its
 * percentiles, and the fixed-width time bins of the receive rate.
 *
 * Everything here is single-threaded: one generator lcore owns it.
 */
#ifndef IXG_LIVE_STATS_H
#define IXG_LIVE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Signature: 24 bytes at the start of the L4 payload, little-endian. */

#define LIVE_SIG_LEN 24
#define LIVE_SIG_MAGIC 0x53475849u /* "IXGS" read as bytes */

/* What the reference model expects the DUT to do with the frame. */
enum live_expect {
	LIVE_EXP_FORWARD = 1,
	LIVE_EXP_LOCAL = 2, /* answered by the node (echo reply comes back) */
	LIVE_EXP_DROP = 3,
};

struct live_sig {
	uint16_t stream;
	uint8_t expect; /* enum live_expect */
	uint64_t seq; /* per stream, from 0 */
	uint64_t tsc; /* transmit timestamp, generator's TSC */
};

/* Write s into the LIVE_SIG_LEN bytes at room. */
void live_sig_encode(uint8_t *room, const struct live_sig *s);

/* Read a signature at room; -EINVAL if the magic is not there. */
int live_sig_decode(const uint8_t *room, struct live_sig *s);

/*
 * Write s into a frame's zeroed signature room at frame + off (even offset
 * from the L4 header) and add its words to the L4 checksum at frame +
 * csum_off (RFC 1624 eqn. 3 with the old words all zero), so the frame
 * stays valid; udp: a result of 0 is sent as 0xffff (RFC 768).
 */
void live_sig_stamp(uint8_t *frame, uint16_t off, uint16_t csum_off, bool udp,
		    const struct live_sig *s);

/*
 * Find the signature in a received Ethernet frame: up to two VLAN tags,
 * IPv4 (any IHL) or IPv6 (no extension headers), TCP (data offset), UDP or
 * ICMP/ICMPv6 echo request/reply. 0 with *s filled and *is_echo_reply set
 * for ICMP type 0/129, or -ENOENT.
 */
int live_sig_find(const uint8_t *frame, uint32_t len, struct live_sig *s,
		  bool *is_echo_reply);

/* ------------------------------------------------------------------ */
/* Latency histogram: log-linear, ns. Values below 2 * LIVE_HIST_SUB are
 * exact; above, each power of two is split in LIVE_HIST_SUB buckets, so a
 * bucket is at most 1/LIVE_HIST_SUB (3.1%) of its value wide. */

#define LIVE_HIST_SUB_BITS 5
#define LIVE_HIST_SUB (1u << LIVE_HIST_SUB_BITS)
#define LIVE_HIST_BUCKETS                                                      \
	(2 * LIVE_HIST_SUB + (63 - LIVE_HIST_SUB_BITS) * LIVE_HIST_SUB)

struct live_hist {
	uint64_t n, sum, min, max;
	uint64_t b[LIVE_HIST_BUCKETS];
};

void live_hist_init(struct live_hist *h);
/* Bucket index of v. */
unsigned live_hist_bucket(uint64_t v);
/* Smallest and largest value of bucket i. */
uint64_t live_hist_lo(unsigned i);
uint64_t live_hist_hi(unsigned i);
void live_hist_add(struct live_hist *h, uint64_t v);
/* Add every count of src into dst. */
void live_hist_merge(struct live_hist *dst, const struct live_hist *src);
/*
 * The q-quantile (0 < q <= 1): the upper edge of the bucket holding the
 * ceil(q * n)-th smallest value, clamped to [min, max], so it is never below
 * the true quantile and at most one bucket width above it. 0 if empty.
 */
uint64_t live_hist_quantile(const struct live_hist *h, double q);

/* ------------------------------------------------------------------ */
/* Per-stream sequence accounting. A window of the last LIVE_WIN sequence
 * numbers below the highest seen tells duplicates from late arrivals;
 * anything older than the window is counted as "late" (reordered, and not
 * checked for duplication). */

#define LIVE_WIN 4096u

enum live_rx_class {
	LIVE_RX_NEW = 0, /* next in order, or ahead of it (a gap) */
	LIVE_RX_REORDERED, /* below the highest seen, first time */
	LIVE_RX_DUPLICATE, /* seen before (inside the window) */
	LIVE_RX_LATE, /* older than the window: reordered, dup not known */
};

struct live_seq {
	uint64_t tx; /* sent: next sequence number to send */
	uint64_t rx; /* received, duplicates excluded */
	uint64_t reordered, duplicates, late;
	uint64_t next; /* highest seen + 1; 0 if none */
	uint64_t win[LIVE_WIN / 64]; /* bit (seq % LIVE_WIN): seen */
};

void live_seq_init(struct live_seq *q);
/* Account a received sequence number. */
enum live_rx_class live_seq_rx(struct live_seq *q, uint64_t seq);
/* Sent and never received (duplicates do not hide losses); 0 if more
 * arrived than were sent. */
uint64_t live_seq_lost(const struct live_seq *q);

/* ------------------------------------------------------------------ */
/* Rate over time: packets per fixed bin. */

struct live_bins {
	uint64_t width; /* bin width in time units (TSC ticks) */
	uint64_t t0;
	uint32_t n; /* bins allocated */
	uint32_t used; /* highest bin touched + 1 */
	uint32_t *c;
	uint64_t overflow; /* packets after the last bin */
};

/* n bins of width ticks from t0; -ENOMEM. */
int live_bins_init(struct live_bins *b, uint64_t t0, uint64_t width,
		   uint32_t n);
void live_bins_free(struct live_bins *b);
void live_bins_add(struct live_bins *b, uint64_t t, uint32_t count);

/*
 * The lowest bin in [first, last] (inclusive, clamped to what is used) and
 * its index; the median of all full bins in [from, to] (for a baseline).
 * -ENOENT if the range is empty.
 */
int live_bins_min(const struct live_bins *b, uint32_t first, uint32_t last,
		  uint32_t *idx, uint32_t *value);
uint32_t live_bins_median(const struct live_bins *b, uint32_t first,
			  uint32_t last);

#endif /* IXG_LIVE_STATS_H */
