/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * live_stats.c - signature, sequence accounting, latency histogram and rate
 * bins of ixgate-gen (see live_stats.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "live_stats.h"

static void
put_le16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static void
put_le32(uint8_t *b, uint32_t v)
{
	put_le16(b, (uint16_t)v);
	put_le16(b + 2, (uint16_t)(v >> 16));
}

static void
put_le64(uint8_t *b, uint64_t v)
{
	put_le32(b, (uint32_t)v);
	put_le32(b + 4, (uint32_t)(v >> 32));
}

static uint64_t
get_le(const uint8_t *b, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | b[n];
	return v;
}

/* Layout: magic 4, stream 2, expect 1, version 1, seq 8, tsc 8. */
void
live_sig_encode(uint8_t *room, const struct live_sig *s)
{
	put_le32(room, LIVE_SIG_MAGIC);
	put_le16(room + 4, s->stream);
	room[6] = s->expect;
	room[7] = 1;
	put_le64(room + 8, s->seq);
	put_le64(room + 16, s->tsc);
}

int
live_sig_decode(const uint8_t *room, struct live_sig *s)
{
	if (get_le(room, 4) != LIVE_SIG_MAGIC || room[7] != 1)
		return -EINVAL;
	s->stream = (uint16_t)get_le(room + 4, 2);
	s->expect = room[6];
	s->seq = get_le(room + 8, 8);
	s->tsc = get_le(room + 16, 8);
	return 0;
}

void
live_sig_stamp(uint8_t *frame, uint16_t off, uint16_t csum_off, bool udp,
	       const struct live_sig *s)
{
	uint8_t *room = frame + off;
	uint32_t sum;
	unsigned i;

	live_sig_encode(room, s);
	/* RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), with m = 0: ~m is
	 * one's-complement zero, so HC' = ~(~HC + m'). The room starts at an
	 * even offset from the L4 header, so its bytes pair up as the
	 * checksum's 16-bit words (network order). */
	sum = (uint16_t) ~(frame[csum_off] << 8 | frame[csum_off + 1]);
	for (i = 0; i < LIVE_SIG_LEN; i += 2)
		sum += (uint32_t)(room[i] << 8 | room[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = (uint16_t)~sum;
	if (udp && sum == 0)
		sum = 0xffff;
	frame[csum_off] = (uint8_t)(sum >> 8);
	frame[csum_off + 1] = (uint8_t)sum;
}

int
live_sig_find(const uint8_t *f, uint32_t len, struct live_sig *s,
	      bool *is_echo_reply)
{
	uint32_t off = 12, l4, hlen;
	uint16_t et;
	uint8_t proto;
	int tags;

	if (len < 14)
		return -ENOENT;
	et = (uint16_t)(f[off] << 8 | f[off + 1]);
	for (tags = 0; (et == 0x8100 || et == 0x88a8) && tags < 2; tags++) {
		off += 4;
		if (off + 2 > len)
			return -ENOENT;
		et = (uint16_t)(f[off] << 8 | f[off + 1]);
	}
	off += 2;
	if (et == 0x0800) {
		if (off + 20 > len || f[off] >> 4 != 4)
			return -ENOENT;
		l4 = off + (f[off] & 0xfu) * 4u;
		proto = f[off + 9];
	} else if (et == 0x86dd) {
		if (off + 40 > len || f[off] >> 4 != 6)
			return -ENOENT;
		l4 = off + 40;
		proto = f[off + 6];
	} else {
		return -ENOENT;
	}
	if (l4 + 8 > len)
		return -ENOENT;
	*is_echo_reply = false;
	switch (proto) {
	case 6:
		if (l4 + 20 > len)
			return -ENOENT;
		hlen = (f[l4 + 12] >> 4) * 4u;
		break;
	case 17: hlen = 8; break;
	case 1:
	case 58:
		if (f[l4] == (proto == 1 ? 0 : 129))
			*is_echo_reply = true;
		else if (f[l4] != (proto == 1 ? 8 : 128))
			return -ENOENT;
		hlen = 8;
		break;
	default: return -ENOENT;
	}
	if (l4 + hlen + LIVE_SIG_LEN > len)
		return -ENOENT;
	return live_sig_decode(f + l4 + hlen, s) == 0 ? 0 : -ENOENT;
}

/* ------------------------------------------------------------------ */
/* Histogram */

void
live_hist_init(struct live_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned
live_hist_bucket(uint64_t v)
{
	unsigned msb, shift;

	if (v < 2 * LIVE_HIST_SUB)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	shift = msb - LIVE_HIST_SUB_BITS;
	return 2 * LIVE_HIST_SUB + (shift - 1) * LIVE_HIST_SUB +
	       (unsigned)((v >> shift) - LIVE_HIST_SUB);
}

uint64_t
live_hist_lo(unsigned i)
{
	unsigned j, shift;

	if (i < 2 * LIVE_HIST_SUB)
		return i;
	j = i - 2 * LIVE_HIST_SUB;
	shift = j / LIVE_HIST_SUB + 1;
	return (uint64_t)(j % LIVE_HIST_SUB + LIVE_HIST_SUB) << shift;
}

uint64_t
live_hist_hi(unsigned i)
{
	if (i + 1 >= LIVE_HIST_BUCKETS)
		return UINT64_MAX;
	return live_hist_lo(i + 1) - 1;
}

void
live_hist_add(struct live_hist *h, uint64_t v)
{
	h->b[live_hist_bucket(v)]++;
	h->n++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void
live_hist_merge(struct live_hist *dst, const struct live_hist *src)
{
	unsigned i;

	for (i = 0; i < LIVE_HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->n += src->n;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t
live_hist_quantile(const struct live_hist *h, double q)
{
	uint64_t rank, cum = 0, v;
	unsigned i;

	if (h->n == 0)
		return 0;
	if (q <= 0)
		return h->min;
	rank = (uint64_t)(q * (double)h->n);
	if ((double)rank < q * (double)h->n)
		rank++;
	if (rank < 1)
		rank = 1;
	if (rank > h->n)
		rank = h->n;
	for (i = 0; i < LIVE_HIST_BUCKETS; i++) {
		cum += h->b[i];
		if (cum >= rank)
			break;
	}
	v = live_hist_hi(i);
	if (v > h->max)
		v = h->max;
	if (v < h->min)
		v = h->min;
	return v;
}

/* ------------------------------------------------------------------ */
/* Sequence accounting */

void
live_seq_init(struct live_seq *q)
{
	memset(q, 0, sizeof(*q));
}

static bool
win_test_set(struct live_seq *q, uint64_t seq)
{
	uint64_t bit = 1ull << (seq % 64);
	uint64_t *w = &q->win[(seq % LIVE_WIN) / 64];
	bool was = (*w & bit) != 0;

	*w |= bit;
	return was;
}

static void
win_clear(struct live_seq *q, uint64_t seq)
{
	q->win[(seq % LIVE_WIN) / 64] &= ~(1ull << (seq % 64));
}

enum live_rx_class
live_seq_rx(struct live_seq *q, uint64_t seq)
{
	uint64_t s;

	if (seq >= q->next) {
		/* Slots between the old head and seq now stand for newer
		 * sequence numbers: forget what they held. */
		if (seq - q->next >= LIVE_WIN)
			memset(q->win, 0, sizeof(q->win));
		else
			for (s = q->next; s < seq; s++)
				win_clear(q, s);
		win_clear(q, seq);
		win_test_set(q, seq);
		q->next = seq + 1;
		q->rx++;
		return LIVE_RX_NEW;
	}
	if (q->next - seq > LIVE_WIN) {
		q->rx++;
		q->late++;
		return LIVE_RX_LATE;
	}
	if (win_test_set(q, seq)) {
		q->duplicates++;
		return LIVE_RX_DUPLICATE;
	}
	q->rx++;
	q->reordered++;
	return LIVE_RX_REORDERED;
}

uint64_t
live_seq_lost(const struct live_seq *q)
{
	return q->tx > q->rx ? q->tx - q->rx : 0;
}

/* ------------------------------------------------------------------ */
/* Rate bins */

int
live_bins_init(struct live_bins *b, uint64_t t0, uint64_t width, uint32_t n)
{
	memset(b, 0, sizeof(*b));
	if (width == 0 || n == 0)
		return -EINVAL;
	b->c = calloc(n, sizeof(*b->c));
	if (b->c == NULL)
		return -ENOMEM;
	b->t0 = t0;
	b->width = width;
	b->n = n;
	return 0;
}

void
live_bins_free(struct live_bins *b)
{
	free(b->c);
	b->c = NULL;
}

void
live_bins_add(struct live_bins *b, uint64_t t, uint32_t count)
{
	uint64_t i;

	if (t < b->t0)
		t = b->t0;
	i = (t - b->t0) / b->width;
	if (i >= b->n) {
		b->overflow += count;
		return;
	}
	b->c[i] += count;
	if (i + 1 > b->used)
		b->used = (uint32_t)i + 1;
}

int
live_bins_min(const struct live_bins *b, uint32_t first, uint32_t last,
	      uint32_t *idx, uint32_t *value)
{
	uint32_t i;

	if (b->used == 0)
		return -ENOENT;
	if (last >= b->used)
		last = b->used - 1;
	if (first > last)
		return -ENOENT;
	*idx = first;
	*value = b->c[first];
	for (i = first + 1; i <= last; i++)
		if (b->c[i] < *value) {
			*idx = i;
			*value = b->c[i];
		}
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

uint32_t
live_bins_median(const struct live_bins *b, uint32_t first, uint32_t last)
{
	uint32_t n, *tmp, m;

	if (b->used == 0)
		return 0;
	if (last >= b->used)
		last = b->used - 1;
	if (first > last)
		return 0;
	n = last - first + 1;
	tmp = malloc(n * sizeof(*tmp));
	if (tmp == NULL)
		return 0;
	memcpy(tmp, b->c + first, n * sizeof(*tmp));
	qsort(tmp, n, sizeof(*tmp), cmp_u32);
	m = tmp[n / 2];
	free(tmp);
	return m;
}
