/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sflow_enc.c - sFlow v5 datagram encoding (see sflow_enc.h). Sizes are
 * computed before anything is written, so a sample that does not fit
 * leaves the datagram as it was.
 */
#include <errno.h>
#include <string.h>

#include "ixg_api.h"
#include "sflow_enc.h"

static void
put32(struct sflow_dgram *d, uint32_t v)
{
	d->buf[d->len++] = (uint8_t)(v >> 24);
	d->buf[d->len++] = (uint8_t)(v >> 16);
	d->buf[d->len++] = (uint8_t)(v >> 8);
	d->buf[d->len++] = (uint8_t)v;
}

static void
put64(struct sflow_dgram *d, uint64_t v)
{
	put32(d, (uint32_t)(v >> 32));
	put32(d, (uint32_t)v);
}

static void
set32(struct sflow_dgram *d, size_t at, uint32_t v)
{
	d->buf[at] = (uint8_t)(v >> 24);
	d->buf[at + 1] = (uint8_t)(v >> 16);
	d->buf[at + 2] = (uint8_t)(v >> 8);
	d->buf[at + 3] = (uint8_t)v;
}

/* XDR opaque<>: its length, the bytes, zeros to a multiple of 4. */
static void
put_opaque(struct sflow_dgram *d, const uint8_t *p, uint32_t n)
{
	put32(d, n);
	memcpy(d->buf + d->len, p, n);
	d->len += n;
	while (n++ % 4 != 0)
		d->buf[d->len++] = 0;
}

static uint32_t
pad4(uint32_t n)
{
	return (n + 3) & ~3u;
}

void
sflow_dgram_begin(struct sflow_dgram *d, const struct sflow_addr *agent,
		  uint32_t sub_agent, uint32_t seq, uint32_t uptime_ms)
{
	d->len = 0;
	d->n_samples = 0;
	put32(d, SFLOW_VERSION);
	if (agent->family == 6) {
		put32(d, SFLOW_ADDR_IP6);
		memcpy(d->buf + d->len, agent->addr, 16);
		d->len += 16;
	} else {
		put32(d, SFLOW_ADDR_IP4);
		memcpy(d->buf + d->len, agent->addr, 4);
		d->len += 4;
	}
	put32(d, sub_agent);
	put32(d, seq);
	put32(d, uptime_ms);
	d->n_samples_at = d->len;
	put32(d, 0);
}

void
sflow_dgram_stamp(struct sflow_dgram *d, uint32_t seq, uint32_t uptime_ms)
{
	/* sequence and uptime are the two words before the count */
	set32(d, d->n_samples_at - 8, seq);
	set32(d, d->n_samples_at - 4, uptime_ms);
}

/* extended_gateway: next hop (type, IPv4) 8, as, src_as, src_peer_as
 * 12, one path segment (count, type, length, one AS) 16, communities<>
 * 4, localpref 4. */
#define GATEWAY_LEN 44

/* Bytes of the records of f (each: format, length, data). */
static size_t
flow_records_size(const struct sflow_flow *f)
{
	size_t n = 8 + 16 + pad4(f->hdr_len);

	if (f->has_switch)
		n += 8 + 16;
	if (f->has_gateway)
		n += 8 + GATEWAY_LEN;
	return n;
}

size_t
sflow_flow_size(const struct sflow_flow *f)
{
	/* sample type + length, then 8 words, then the records */
	return 8 + 32 + flow_records_size(f);
}

/* if_counters: 2 + 2 + 2 + 2 + 6 words + 2 + 6 words = 88 bytes */
#define IF_COUNTERS_LEN 88

size_t
sflow_counters_size(void)
{
	return 8 + 12 + 8 + IF_COUNTERS_LEN;
}

int
sflow_dgram_add_flow(struct sflow_dgram *d, const struct sflow_flow *f)
{
	uint32_t n_rec = 1 + (f->has_switch ? 1 : 0) + (f->has_gateway ? 1 : 0);

	if (f->hdr_len > IXG_SAMPLE_HDR_MAX ||
	    d->len + sflow_flow_size(f) > sizeof(d->buf))
		return -ENOSPC;
	put32(d, SFLOW_FLOW_SAMPLE);
	put32(d, (uint32_t)(sflow_flow_size(f) - 8));
	put32(d, f->seq);
	put32(d, f->source); /* type 0 (ifIndex) << 24 | index */
	put32(d, f->rate);
	put32(d, f->pool);
	put32(d, f->drops);
	put32(d, f->input);
	put32(d, f->output);
	put32(d, n_rec);

	put32(d, SFLOW_REC_HEADER);
	put32(d, 16 + pad4(f->hdr_len));
	put32(d, SFLOW_PROTO_ETHERNET);
	put32(d, f->frame_len);
	put32(d, f->stripped);
	put_opaque(d, f->hdr, f->hdr_len);

	if (f->has_switch) {
		put32(d, SFLOW_REC_SWITCH);
		put32(d, 16);
		put32(d, f->src_vlan);
		put32(d, f->src_prio);
		put32(d, f->dst_vlan);
		put32(d, f->dst_prio);
	}
	if (f->has_gateway) {
		put32(d, SFLOW_REC_GATEWAY);
		put32(d, GATEWAY_LEN);
		/* next hop: unknown, as an IPv4 0.0.0.0 */
		put32(d, SFLOW_ADDR_IP4);
		put32(d, 0);
		put32(d, 0); /* as: the node's own, none */
		put32(d, f->src_as);
		put32(d, f->src_as); /* src_peer_as: the member itself */
		put32(d, 1); /* one path segment */
		put32(d, SFLOW_AS_SEQUENCE);
		put32(d, 1);
		put32(d, f->dst_as);
		put32(d, 0); /* communities<> */
		put32(d, 0); /* localpref */
	}
	set32(d, d->n_samples_at, ++d->n_samples);
	return 0;
}

int
sflow_dgram_add_counters(struct sflow_dgram *d,
			 const struct sflow_if_counters *c)
{
	size_t start;

	if (d->len + sflow_counters_size() > sizeof(d->buf))
		return -ENOSPC;
	put32(d, SFLOW_COUNTERS_SAMPLE);
	put32(d, (uint32_t)(sflow_counters_size() - 8));
	put32(d, c->seq);
	put32(d, c->if_index);
	put32(d, 1); /* one record */
	put32(d, SFLOW_REC_IF_COUNTERS);
	put32(d, IF_COUNTERS_LEN);
	start = d->len;
	put32(d, c->if_index);
	put32(d, c->if_type);
	put64(d, c->if_speed);
	put32(d, c->if_direction);
	put32(d, c->if_status);
	put64(d, c->in_octets);
	put32(d, c->in_ucast);
	put32(d, c->in_mcast);
	put32(d, c->in_bcast);
	put32(d, c->in_discards);
	put32(d, c->in_errors);
	put32(d, c->in_unknown_protos);
	put64(d, c->out_octets);
	put32(d, c->out_ucast);
	put32(d, c->out_mcast);
	put32(d, c->out_bcast);
	put32(d, c->out_discards);
	put32(d, c->out_errors);
	put32(d, c->promiscuous);
	(void)start;
	set32(d, d->n_samples_at, ++d->n_samples);
	return 0;
}

uint32_t
sflow_discard_reason(unsigned r)
{
	switch (r) {
	case IXG_DROP_ACL_DENY: return SFLOW_DISCARD_ACL;
	case IXG_DROP_SOURCE_INVALID:
	case IXG_DROP_MARTIAN: return SFLOW_DISCARD_PROHIBITED;
	case IXG_DROP_BLACKHOLE:
	case IXG_DROP_NO_ROUTE: return SFLOW_DISCARD_NET_UNREACHABLE;
	case IXG_DROP_TTL_EXPIRED: return SFLOW_DISCARD_TTL;
	case IXG_DROP_POLICER_RED:
	case IXG_DROP_POLICER_YELLOW: return SFLOW_DISCARD_RATE_LIMIT;
	case IXG_DROP_MTU_EXCEEDED: return SFLOW_DISCARD_TOO_BIG;
	case IXG_DROP_TX_FULL: return SFLOW_DISCARD_NO_BUFFER;
	default: return SFLOW_DISCARD_UNKNOWN;
	}
}
